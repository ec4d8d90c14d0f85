"""Enrollment and progress reads run on the read side (queries/): no ORM, no services."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from enroll_helpers import Dept

READS = [
    ["enroll", "list"],
    ["enroll", "list", "--program", "Recruit", "--member", "M1", "-f", "json"],
    ["enroll", "user", "M1", "-f", "csv"],
    ["--as", "M1", "enroll", "me"],
    ["enroll", "show", "1"],
    ["enroll", "show", "1", "-f", "json"],
    ["progress", "log", "1"],
    ["progress", "log", "--member", "M1", "--requirement", "Recruit hours 1"],
    ["progress", "pending"],
    ["progress", "milestones", "1"],
    ["progress", "self-reporting"],
]


def test_read_commands_import_no_orm_and_no_services(cli, db_path: Path):
    dept = Dept(db_path)
    dept.member("Ann Lee", badge="M1")
    pid, _ = dept.simple_program("Recruit", "hours", "checklist")
    dept.milestone(pid, "Halfway", 50)
    cli("enroll", "add", "M1", "Recruit")
    cli("progress", "update", "1", "--add", "6")
    code = (
        "import sys\n"
        "from trainctl.cli.main import main\n"
        f"for args in {READS!r}:\n"
        f"    sys.argv = ['trainctl', '--db', {str(db_path)!r}, *args]\n"
        "    try:\n        main()\n    except SystemExit as exc:\n"
        "        assert not exc.code, (args, exc.code)\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'trainctl.models',"
        " 'trainctl.services', 'trainctl.db') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stderr, r.stderr
