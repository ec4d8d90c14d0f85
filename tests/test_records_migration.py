"""0005_records upgrades a 0004 database that holds data: courses, records, requirements,
enrollments and credits survive; old records get their natural key; the new tables and the
widened credit source check work."""

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


def _seed_0004(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO member (id, name, email, positions, role, status, created_at)
          VALUES (1, 'Ann Lee', 'ann@example.org', '[]', 'member', 'active', '2026-01-01 00:00:00'),
                 (2, 'Olga Chief', 'olga@example.org', '[]', 'officer', 'active', '2026-01-01 00:00:00');
        INSERT INTO course (id, code, name, training_type, duration_hours, credit_hours, prerequisites,
            expiration_months, created_at)
          VALUES (1, 'LF-1', 'Live fire', 'drill', 2, 2, '[]', NULL, '2026-01-01 00:00:00');
        INSERT INTO training_record (id, member_id, course_id, course_name, course_code, category,
            completion_date, hours_completed, status, created_at)
          VALUES (1, 1, 1, 'Live fire', 'LF-1', NULL, '2026-02-01', 2, 'completed', '2026-02-01 00:00:00'),
                 (2, 1, NULL, '  Ladder   Drill ', NULL, NULL, '2026-02-02', 1.5, 'completed', '2026-02-02 00:00:00'),
                 (3, 1, NULL, 'ladder drill', NULL, NULL, '2026-02-02', 1.5, 'completed', '2026-02-02 00:00:00'),
                 (4, 2, NULL, 'Ladder drill', NULL, NULL, NULL, 0, 'scheduled', '2026-02-02 00:00:00');
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
        INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, enrolled_on,
            progress_percentage, status, deadline_warning_sent)
          VALUES (1, 1, 1, 1, '2026-01-02 00:00:00', '2026-01-02', 50, 'active', 0);
        INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, progress_value,
            progress_percentage)
          VALUES (1, 1, 1, 'in_progress', 6, 50);
        INSERT INTO progress_credit (progress_id, source_type, source_id, amount, state, entered_at)
          VALUES (1, 'manual', 'abc', 6, 'counted', '2026-01-03 00:00:00');
        """
    )
    con.commit()
    con.close()


def test_0005_upgrade_carries_0004_data(cli, db_path: Path):
    _migrate(db_path, "0004_progress_link_index")
    _seed_0004(db_path)
    _migrate(db_path, "0005_records")

    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("SELECT code, self_paced, category FROM course").fetchall() == [("LF-1", 0, None)]
    rows = con.execute(
        "SELECT id, course_key, voided_at IS NOT NULL, void_reason IS NOT NULL, self_paced "
        "FROM training_record ORDER BY id"
    ).fetchall()
    assert rows == [
        (1, "course:1", 0, 0, 0),
        (2, "name:ladder drill", 0, 0, 0),
        (3, "name:ladder drill", 1, 1, 0),  # the same member, course and date: kept, voided
        (4, "name:ladder drill", 0, 0, 0),  # no date: nothing to repeat
    ]
    assert con.execute(
        "SELECT counts_courses, counts_training_types, counts_categories, counts_call_types, "
        "counts_attendance FROM requirement"
    ).fetchall() == [("[]", "[]", "[]", "[]", 0)]
    assert con.execute("SELECT amount FROM progress_credit").fetchall() == [(6.0,)]

    con.execute("PRAGMA foreign_keys=ON")
    # the natural key holds among records that are not void
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute(
            "INSERT INTO training_record (member_id, course_name, course_key, completion_date, "
            "hours_completed, status, self_paced, created_at) "
            "VALUES (1, 'Live fire', 'course:1', '2026-02-01', 2, 'completed', 0, '2026-03-01 00:00:00')"
        )
    # a certification credit is a known source now
    con.execute(
        "INSERT INTO progress_credit (progress_id, source_type, source_id, amount, state, entered_at) "
        "VALUES (1, 'certification', '1', 0, 'counted', '2026-03-01 00:00:00')"
    )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE progress_credit SET source_type = 'rumour'")
    # nobody checks themselves off
    con.execute(
        "INSERT INTO skill_evaluation (id, name, evaluation_criteria, required_for_programs, created_at) "
        "VALUES (1, 'SCBA donning', '[]', '[]', '2026-03-01 00:00:00')"
    )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute(
            "INSERT INTO skill_checkoff (member_id, skill_id, evaluator_id, status, evaluation_results, "
            "evaluated_at, evaluated_on, created_at) "
            "VALUES (1, 1, 1, 'passed', '{}', '2026-03-01 00:00:00', '2026-03-01', '2026-03-01 00:00:00')"
        )
    con.rollback()
    con.close()

    _migrate(db_path, "head")
    log = cli("--format", "json", "progress", "log", "1").json
    assert [c["amount"] for c in log] == [6]


def test_0005_downgrade_and_upgrade_again_keep_the_records(db_path: Path):
    _migrate(db_path, "0004_progress_link_index")
    _seed_0004(db_path)
    _migrate(db_path, "0005_records")
    _migrate(db_path, "0004_progress_link_index", down=True)
    con = sqlite3.connect(db_path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "certification" not in tables and "call_response" not in tables
    assert con.execute("SELECT count(*) FROM training_record").fetchone() == (4,)
    con.close()
    _migrate(db_path, "0005_records")
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM training_record WHERE voided_at IS NULL").fetchone() == (3,)
    con.close()
