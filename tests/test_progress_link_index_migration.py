"""0004_progress_link_index upgrades a 0003 database that holds progress rows: the rows
stay, and a link's rows are then found through the index (no full scan)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from trainctl.db import alembic_config, make_engine

INDEX = "ix_requirement_progress_program_requirement_id"
BY_LINK = "SELECT id FROM requirement_progress WHERE program_requirement_id = 2"


def _migrate(path: Path, revision: str, *, down: bool = False) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)
    engine.dispose()


def _seed_0003(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO member (id, name, email, positions, role, status, created_at)
          VALUES (1, 'Ann Lee', 'ann@example.org', '[]', 'member', 'active', '2026-01-01 00:00:00'),
                 (2, 'Bob Ray', 'bob@example.org', '[]', 'member', 'active', '2026-01-01 00:00:00');
        INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, required_hours,
            required_courses, required_skills, checklist_items, hour_categories, frequency, period_anchor,
            required_positions, created_at)
          VALUES (1, 'Live fire', 'hours', 'department', '[]', 1, 12, '[]', '[]', '[]', '[]', 'one_time',
                  'calendar', '[]', '2026-01-01 00:00:00'),
                 (2, 'Pump ops', 'hours', 'department', '[]', 1, 8, '[]', '[]', '[]', '[]', 'one_time',
                  'calendar', '[]', '2026-01-01 00:00:00');
        INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment,
            reminder_conditions, is_template, status, created_at)
          VALUES (1, 'Recruit Academy', 1, 'flexible', 1, '{}', 0, 'active', '2026-01-01 00:00:00');
        INSERT INTO program_requirement (id, program_id, requirement_id, is_required, is_prerequisite, sort_order)
          VALUES (1, 1, 1, 1, 0, 0), (2, 1, 2, 1, 0, 10);
        INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, enrolled_on,
            progress_percentage, status, deadline_warning_sent)
          VALUES (1, 1, 1, 1, '2026-01-02 00:00:00', '2026-01-02', 25, 'active', 0),
                 (2, 2, 1, 1, '2026-01-02 00:00:00', '2026-01-02', 0, 'active', 0);
        INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status,
            progress_value, progress_percentage)
          VALUES (1, 1, 1, 'in_progress', 6, 50), (2, 1, 2, 'not_started', 0, 0),
                 (3, 2, 1, 'not_started', 0, 0), (4, 2, 2, 'not_started', 0, 0);
        """
    )
    con.commit()
    con.close()


def _indexes(con: sqlite3.Connection) -> set[str]:
    return {r[1] for r in con.execute("PRAGMA index_list(requirement_progress)")}


def _plan(con: sqlite3.Connection) -> str:
    return " ".join(r[-1] for r in con.execute(f"EXPLAIN QUERY PLAN {BY_LINK}"))


def test_0004_upgrade_keeps_progress_and_indexes_the_link(cli, db_path: Path):
    _migrate(db_path, "0003_enrollment")
    _seed_0003(db_path)
    con = sqlite3.connect(db_path)
    assert INDEX not in _indexes(con)
    assert "SCAN" in _plan(con)  # before: every progress row is read
    con.close()

    cli("db", "upgrade")  # what a user runs (backs the file up first)

    con = sqlite3.connect(db_path)
    assert INDEX in _indexes(con)
    assert f"USING COVERING INDEX {INDEX}" in _plan(con) or f"USING INDEX {INDEX}" in _plan(con)
    assert con.execute(
        "SELECT id, enrollment_id, program_requirement_id, progress_value FROM requirement_progress ORDER BY id"
    ).fetchall() == [(1, 1, 1, 6.0), (2, 1, 2, 0.0), (3, 2, 1, 0.0), (4, 2, 2, 0.0)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    # the upgraded database works as before: progress, and a link is still protected
    cli("progress", "update", "4", "--add", "8")  # Bob: Pump ops done, Live fire not started
    assert cli("--format", "json", "enroll", "show", "2").json["progress"] == 50
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys=ON")
    try:
        con.execute("DELETE FROM program_requirement WHERE id = 2")
        raise AssertionError("a link with progress rows was deleted")
    except sqlite3.IntegrityError as exc:
        assert "FOREIGN KEY" in str(exc)
    con.close()


def test_0004_downgrade_drops_only_the_index(db_path: Path):
    _migrate(db_path, "0003_enrollment")
    _seed_0003(db_path)
    _migrate(db_path, "0004_progress_link_index")
    _migrate(db_path, "0003_enrollment", down=True)
    con = sqlite3.connect(db_path)
    assert INDEX not in _indexes(con)
    assert con.execute("SELECT count(*) FROM requirement_progress").fetchone() == (4,)
    con.close()
    _migrate(db_path, "0004_progress_link_index")
    con = sqlite3.connect(db_path)
    assert INDEX in _indexes(con)
    con.close()


def test_a_new_database_has_the_index_too(cli, db_path: Path):
    cli("db", "check")  # created at head by create_all, not by the migrations
    con = sqlite3.connect(db_path)
    assert INDEX in _indexes(con)
    con.close()
