"""`progress update` writes through plain SQL (services/store.py): no ORM on the everyday
write, one transaction that takes the write lock first (BEGIN IMMEDIATE), an audit row."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from enroll_helpers import Dept

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "trainctl.models", "trainctl.db")


@pytest.fixture
def dept(db_path: Path) -> Dept:
    return Dept(db_path)


def test_progress_update_imports_no_orm_and_writes_ledger_rollup_and_audit(cli, dept):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    code = (
        "import sys\n"
        "from trainctl.cli.main import main\n"
        "sys.argv = ['trainctl', 'progress', 'update', '1', '--add', '4', '--note', 'drill']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print('heavy:', ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "value                4" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "heavy:", f"progress update imported {out.stderr}"
    log = cli("--format", "json", "progress", "log", "1").json
    assert [(c["amount"], c["note"], c["state"]) for c in log] == [(4, "drill", "counted")]
    e = cli("--format", "json", "enroll", "show", "1").json
    assert e["progress"] == 40 and e["requirements"][0]["status"] == "in_progress"
    detail = dept.scalar(
        "SELECT detail FROM audit_log WHERE action = 'progress.update' AND entity_id = 1"
    )
    assert '"manual", 4.0' in detail


def test_concurrent_updates_wait_for_the_lock_and_lose_nothing(cli, dept, db_path):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")  # 10 h: eight credits stay below target
    cli("enroll", "add", str(ann), "Recruit")

    def update(_: int) -> int:
        return subprocess.run(
            [sys.executable, "-m", "trainctl", "progress", "update", "1", "--add", "1"],
            capture_output=True, text=True,
        ).returncode  # fmt: skip

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(update, range(8)))
    assert codes == [0] * 8
    assert dept.scalar("SELECT progress_value FROM requirement_progress WHERE id = 1") == 8
    assert dept.scalar("SELECT count(*) FROM audit_log WHERE action = 'progress.update'") == 8
