"""The reminders migration upgrades a database that holds data, and its keys hold.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there,
so renumbering the migration at a merge touches no test.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from trainctl.db import alembic_config, make_engine
from trainctl.dbfile import REVISIONS

REMINDERS = next(r for r in REVISIONS if r.endswith("_reminders"))
BEFORE = REVISIONS[REVISIONS.index(REMINDERS) - 1]


def _migrate(path: Path, revision: str, *, down: bool = False) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)
    engine.dispose()


def _seed(path: Path) -> None:
    """A department at the revision before: members, a program, an enrollment, progress."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO member (id, name, email, positions, role, status, created_at)
          VALUES (1, 'Zoë Núñez', 'zoe@example.org', '[]', 'member', 'active', '2026-01-01 00:00:00'),
                 (2, 'Olga Chief', 'olga@example.org', '[]', 'officer', 'active', '2026-01-01 00:00:00');
        INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, required_hours,
            required_courses, required_skills, checklist_items, hour_categories, frequency, period_anchor,
            required_positions, created_at)
          VALUES (1, 'Live fire', 'hours', 'department', '[]', 1, 12, '[]', '[]', '[]', '[]', 'one_time',
                  'calendar', '[]', '2026-01-01 00:00:00');
        INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment,
            reminder_conditions, is_template, status, created_at, time_limit_days, warning_days_before)
          VALUES (1, 'Recruit Academy', 1, 'flexible', 1, '{"lead_days": [30, 7]}', 0, 'active',
                  '2026-01-01 00:00:00', 90, 14);
        INSERT INTO program_requirement (id, program_id, requirement_id, is_required, is_prerequisite, sort_order)
          VALUES (1, 1, 1, 1, 0, 0);
        INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, enrolled_on,
            target_completion_date, progress_percentage, status, deadline_warning_sent)
          VALUES (1, 1, 1, 1, '2026-01-01 00:00:00', '2026-01-01', '2026-04-01', 0, 'active', 0);
        INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status,
            progress_value, progress_percentage)
          VALUES (1, 1, 1, 'not_started', 0, 0);
        """
    )
    con.commit()
    con.close()


def test_upgrade_carries_the_data_and_the_log_keeps_one_row_per_key(cli, db_path: Path):
    _migrate(db_path, BEFORE)
    _seed(db_path)
    _migrate(db_path, REMINDERS)

    con = sqlite3.connect(db_path)
    assert con.execute("SELECT name FROM member ORDER BY id").fetchall() == [
        ("Zoë Núñez",), ("Olga Chief",)
    ]
    assert con.execute("SELECT target_completion_date FROM enrollment").fetchall() == [("2026-04-01",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

    _migrate(db_path, "head")
    # the carried enrollment is due a warning, and the log takes it exactly once
    r = cli("--format", "json", "reminders", "preview", "--as-of", "2026-03-20")
    assert [(d["kind"], d["threshold"]) for d in r.json] == [("program_deadline", "14d")]
    cli("reminders", "send", "--as-of", "2026-03-20", "--transport", "stdout")
    assert cli("--format", "json", "reminders", "preview", "--as-of", "2026-03-20").json == []

    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys=ON")
    row = ("program_deadline", "enrollment:1/due:2026-04-01", 1, "14d")
    assert con.execute("SELECT kind, item, recipient_id, threshold, status FROM reminder_log").fetchall() == [
        (*row, "sent")
    ]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute(
            "INSERT INTO reminder_log (kind, item, recipient_id, threshold, due_on, to_addr, title, "
            "message_id, status, attempts, claimed_at) VALUES (?, ?, ?, ?, '2026-03-18', 'x@y', 't', "
            "'<m@y>', 'claimed', 0, '2026-03-20 00:00:00')",
            row,
        )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE reminder_log SET status = 'maybe'")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        con.execute("UPDATE reminder_log SET recipient_id = 99")
    con.rollback()
    # the enrollment's flag from the spec follows the log
    assert con.execute("SELECT deadline_warning_sent FROM enrollment").fetchone() == (1,)
    con.close()


def test_downgrade_drops_only_the_log(db_path: Path):
    _migrate(db_path, BEFORE)
    _seed(db_path)
    _migrate(db_path, REMINDERS)
    _migrate(db_path, BEFORE, down=True)
    con = sqlite3.connect(db_path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "reminder_log" not in tables
    assert con.execute("SELECT count(*) FROM requirement_progress").fetchone() == (1,)
    con.close()
    _migrate(db_path, REMINDERS)
