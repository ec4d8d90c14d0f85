"""Enrollment and progress reads run on the read side (queries/): no ORM, no services."""

from __future__ import annotations

import subprocess
import sys

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


def test_read_commands_import_no_orm_and_no_services(cli, db_url: str):
    dept = Dept(db_url)
    dept.member("Ann Lee", badge="M1")
    pid, _ = dept.simple_program("Recruit", "hours", "checklist")
    dept.milestone(pid, "Halfway", 50)
    cli("enroll", "add", "M1", "Recruit")
    cli("progress", "update", "1", "--add", "6")
    code = (
        "import sys\n"
        "from trainctl.cli.main import main\n"
        f"for args in {READS!r}:\n"
        f"    sys.argv = ['trainctl', '--db', {str(db_url)!r}, *args]\n"
        "    try:\n        main()\n    except SystemExit as exc:\n"
        "        assert not exc.code, (args, exc.code)\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'trainctl.models',"
        " 'trainctl.services', 'trainctl.db') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stderr, r.stderr


def test_json_keeps_the_enrollment_percentage_in_full_tables_round(cli, db_url):
    # issue 11 #5: the enrollment's percentage was rounded to one decimal in JSON
    from enroll_helpers import Dept

    dept = Dept(db_url)
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "checklist", "hours", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--check", "locker")  # 1 of 3 items: 33.3333% of a third
    r = cli("--format", "json", "progress", "update", "2", "--set", "10")
    assert r.json["enrollment_progress"] == 44.4444 and r.json["percentage"] == 100
    assert cli("--format", "json", "enroll", "show", "1").json["progress"] == 44.4444
    assert cli("--format", "json", "enroll", "list").json[0]["progress"] == 44.4444
    assert cli("--format", "json", "enroll", "user", str(ann)).json[0]["progress"] == 44.4444
    assert "44.4%" in cli("enroll", "show", "1").stdout
    assert "44.4444" not in cli("enroll", "list").stdout
    assert "44.4444" not in cli("--format", "csv", "enroll", "list").stdout
