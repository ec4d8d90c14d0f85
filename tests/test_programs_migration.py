"""0002_programs carries data: a database at 0001 holding members and requirements keeps
them through the upgrade to head, and its requirements can then be linked to programs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from trainctl.db import SCHEMA_HEAD, make_engine, read_schema_version


def _make_old(path: Path, revision: str) -> None:
    from alembic import command

    from trainctl.db import alembic_config

    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    engine.dispose()


def test_upgrade_from_0001_keeps_members_and_requirements(cli, db_path: Path):
    _make_old(db_path, "0001_catalog")
    con = sqlite3.connect(db_path)
    con.execute(
        "INSERT INTO member (name, email, positions, role, status, created_at) VALUES "
        "('Ann Lee', 'ann@example.org', '[\"firefighter\"]', 'officer', 'active', '2024-02-29 12:00:00')"
    )
    con.execute(
        "INSERT INTO requirement (name, requirement_type, source, registry_name, registry_code, aliases, "
        "is_editable, required_courses, required_skills, checklist_items, hour_categories, frequency, "
        "period_anchor, required_positions, created_at, created_by) VALUES "
        "('Fire Fighter I & II', 'certification', 'national', 'NFPA', 'NFPA 1001', '[]', 0, '[]', '[]', '[]', "
        "'[]', 'one_time', 'calendar', '[\"firefighter\"]', '2024-12-31 23:59:59', 1)"
    )
    con.commit()
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "program" not in tables
    con.close()

    cli("db", "upgrade")
    assert read_schema_version(f"sqlite:///{db_path}") == SCHEMA_HEAD
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT name, email, role FROM member").fetchall() == [
        ("Ann Lee", "ann@example.org", "officer")
    ]
    assert con.execute(
        "SELECT registry_code, created_by, created_at FROM requirement"
    ).fetchall() == [("NFPA 1001", 1, "2024-12-31 23:59:59")]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

    # the upgraded database takes programs that link the old requirement
    cli("--as", "ann@example.org", "program", "create", "Recruit", "--position", "firefighter")
    cli("--as", "ann@example.org", "program", "requirement", "add", "Recruit", "NFPA 1001")
    cli("program", "activate", "Recruit")
    doc = cli("program", "show", "Recruit", "--format", "json").json
    assert doc["requirements"][0]["code"] == "NFPA 1001" and doc["status"] == "active"
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT created_by FROM program").fetchone() == (1,)
    # the program tables' constraints came with the migration
    try:
        con.execute("UPDATE program SET status = 'paused'")
        raise AssertionError("CHECK constraint on program.status missing")
    except sqlite3.IntegrityError:
        pass
    con.close()


def test_downgrade_to_0001_drops_programs_and_keeps_the_catalog(tmp_path: Path):
    from alembic import command

    from trainctl.db import alembic_config

    path = tmp_path / "d.db"
    _make_old(path, "0002_programs")
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO member (name, email, positions, role, status, created_at) VALUES "
        "('Bo', 'bo@example.org', '[]', 'member', 'active', '2026-01-01 00:00:00')"
    )
    con.commit()
    con.close()
    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001_catalog")
    engine.dispose()
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "program" not in tables and "program_phase" not in tables
    assert con.execute("SELECT email FROM member").fetchall() == [("bo@example.org",)]
