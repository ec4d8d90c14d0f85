"""The database file alone holds every committed change, and a typo in --db creates nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def _crew(cli) -> None:
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter")
    cli("requirement", "add", "--name", "Drill", "--type", "hours", "--hours", "10")
    cli("program", "create", "Academy")
    cli("program", "requirement", "add", "Academy", "Drill")
    cli("program", "activate", "Academy")
    cli("enroll", "bulk", "Academy", "--members", "ann@fd.org")


def test_no_write_ahead_log_is_left_beside_the_file_after_any_command(cli, db_path: Path, tmp_path):
    _crew(cli)
    for args in (
        ("progress", "update", "--member", "ann@fd.org", "--requirement", "Drill", "--add", "3"),
        ("progress", "self-reporting", "on"),
        ("member", "list"),
    ):
        cli(*args)
        leftovers = sorted(p.name for p in db_path.parent.glob(db_path.name + "-*"))
        assert leftovers == [], (args, leftovers)
    # a copy of the .db file alone carries the last credit
    copy = tmp_path / "copy.db"
    shutil.copy(db_path, copy)
    con = sqlite3.connect(copy)
    assert con.execute("SELECT sum(amount) FROM progress_credit").fetchone()[0] == 3
    con.close()


def test_an_explicit_db_in_a_missing_folder_is_an_error_and_creates_nothing(cli, tmp_path: Path):
    target = tmp_path / "nonexistent" / "dir" / "x.db"
    r = cli("--db", str(target), "member", "list", ok=False)
    assert r.exit_code == 1
    assert "does not exist" in r.stderr and "typo" in r.stderr
    assert not target.parent.exists()


def test_the_default_location_gets_its_folders(cli, monkeypatch, tmp_path: Path):
    monkeypatch.delenv("TRAINCTL_DB")
    cli("member", "list")
    assert list((tmp_path / "xdg").rglob("trainctl.db"))
