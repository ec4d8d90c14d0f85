"""0003_enrollment upgrades a 0002 database that holds data, and its constraints hold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from trainctl.db import alembic_config, make_engine


def _migrate(path: Path, revision: str, *, down: bool = False) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)
    engine.dispose()


def _seed_0002(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO member (id, name, email, positions, role, status, created_at)
          VALUES (1, 'Ann Lee', 'ann@example.org', '[]', 'member', 'active', '2026-01-01 00:00:00'),
                 (2, 'Olga Chief', 'olga@example.org', '[]', 'officer', 'active', '2026-01-01 00:00:00');
        INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, required_hours,
            required_courses, required_skills, checklist_items, hour_categories, frequency, period_anchor,
            required_positions, created_at)
          VALUES (1, 'Live fire', 'hours', 'department', '[]', 1, 12, '[]', '[]', '[]', '[]', 'one_time',
                  'calendar', '[]', '2026-01-01 00:00:00');
        INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment,
            reminder_conditions, is_template, status, created_at, time_limit_days)
          VALUES (1, 'Recruit Academy', 1, 'flexible', 1, '{}', 0, 'active', '2026-01-01 00:00:00', 90);
        INSERT INTO program_requirement (id, program_id, requirement_id, is_required, is_prerequisite, sort_order)
          VALUES (1, 1, 1, 1, 0, 0);
        """
    )
    con.commit()
    con.close()


def test_0003_upgrade_carries_0002_data_and_enforces_its_keys(cli, db_path: Path):
    _migrate(db_path, "0002_programs")
    _seed_0002(db_path)
    _migrate(db_path, "0003_enrollment")

    con = sqlite3.connect(db_path)
    assert con.execute("SELECT name FROM program").fetchall() == [("Recruit Academy",)]
    assert con.execute("SELECT count(*) FROM member").fetchone() == (2,)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

    _migrate(db_path, "head")
    cli("enroll", "add", "ann@example.org", "Recruit Academy")
    cli("progress", "update", "1", "--add", "6")
    assert cli("--format", "json", "enroll", "show", "1").json["progress"] == 50

    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys=ON")
    # at most one active-or-on-hold enrollment per member and program
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute(
            "INSERT INTO enrollment (member_id, program_id, program_version, enrolled_at, enrolled_on, "
            "progress_percentage, status, deadline_warning_sent) "
            "VALUES (1, 1, 1, '2026-01-02 00:00:00', '2026-01-02', 0, 'on_hold', 0)"
        )
    # a closed one may repeat
    con.execute(
        "INSERT INTO enrollment (member_id, program_id, program_version, enrolled_at, enrolled_on, "
        "progress_percentage, status, deadline_warning_sent) "
        "VALUES (1, 1, 1, '2025-01-02 00:00:00', '2025-01-02', 0, 'withdrawn', 0)"
    )
    # one progress row per (enrollment, program requirement)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute(
            "INSERT INTO requirement_progress (enrollment_id, program_requirement_id, status, "
            "progress_value, progress_percentage) VALUES (1, 1, 'not_started', 0, 0)"
        )
    # one credit per source
    source = con.execute("SELECT source_type, source_id FROM progress_credit").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute(
            "INSERT INTO progress_credit (progress_id, source_type, source_id, amount, state, entered_at) "
            "VALUES (1, ?, ?, 1, 'counted', '2026-01-03 00:00:00')",
            source,
        )
    # derived figures stay in range; credits must name a known state
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE requirement_progress SET progress_percentage = 101")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE progress_credit SET state = 'maybe'")
    con.rollback()
    con.close()


def test_0003_downgrade_and_upgrade_again_keep_the_catalog(db_path: Path):
    _migrate(db_path, "0002_programs")
    _seed_0002(db_path)
    _migrate(db_path, "0003_enrollment")
    _migrate(db_path, "0002_programs", down=True)
    con = sqlite3.connect(db_path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "enrollment" not in tables and "progress_credit" not in tables
    assert con.execute("SELECT count(*) FROM program_requirement").fetchone() == (1,)
    con.close()
    _migrate(db_path, "0003_enrollment")
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM requirement_progress").fetchone() == (0,)
    con.close()
