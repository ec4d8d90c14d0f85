"""The reminder-index migration upgrades a database that holds data, on SQLite and on
PostgreSQL: the rows are carried, the scan indexes are replaced (the open progress rows
with a due date, credits and milestones by effective date), and the carried data gives the
reminders it should. On SQLite the scans are shown to read the new partial index: its
predicate must be repeated word for word in their WHERE, which nothing else would catch.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there,
so renumbering the migration at a merge touches no test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, index_names, migrate, seeded_at

from trainctl.dbfile import REVISIONS

INDEXES = next(r for r in REVISIONS if r.endswith("_reminder_indexes"))
BEFORE = REVISIONS[REVISIONS.index(INDEXES) - 1]
NEW = {"ix_requirement_progress_open_due", "ix_progress_credit_entered_on",
       "ix_milestone_event_reached_on", "ix_milestone_event_verified_on"}  # fmt: skip
# read only by the inactivity check, which reads enrollment.last_activity_on since 0012
LATER_DROPPED = {"ix_progress_credit_entered_on"}
OLD = {"ix_requirement_progress_due_on", "ix_progress_credit_entered_at",
       "ix_milestone_event_reached_at", "ix_milestone_event_verified_at"}  # fmt: skip

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, created_at) VALUES "
    "(1, 'Live fire', 'hours', 'department', '[]', TRUE, 10, '[]', '[]', '[]', '[]', 'one_time', "
    "'calendar', '[]', '2026-01-01 00:00:00'), "
    "(2, 'Ladders', 'hours', 'department', '[]', TRUE, 4, '[]', '[]', '[]', '[]', 'one_time', "
    "'calendar', '[]', '2026-01-01 00:00:00')",
    "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
    "reminder_conditions, is_template, status, created_at, time_limit_days) VALUES "
    "(1, 'Academy', 1, 'flexible', TRUE, '{\"lead_days\": [7], \"inactive_days\": 10}', FALSE, "
    "'active', '2026-01-01 00:00:00', 365)",
    "INSERT INTO program_requirement (id, program_id, requirement_id, is_required, "
    "is_prerequisite, sort_order, custom_deadline_days) VALUES "
    "(1, 1, 1, TRUE, FALSE, 0, 20), (2, 1, 2, TRUE, FALSE, 1, 20)",
    "INSERT INTO program_milestone (id, program_id, name, completion_percentage_threshold, "
    "requires_verification) VALUES (1, 1, 'Halfway', 50, FALSE)",
    "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, "
    "enrolled_on, target_completion_date, progress_percentage, status, deadline_warning_sent) "
    "VALUES (1, 1, 1, 1, '2026-01-01 08:00:00', '2026-01-01', '2027-01-01', 50, 'active', FALSE)",
    # Live fire open, Ladders done: both due Jan 21
    "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
    "progress_value, progress_percentage, due_on) VALUES "
    "(1, 1, 1, 'in_progress', 2, 20, '2026-01-21'), (2, 1, 2, 'completed', 4, 100, '2026-01-21')",
    # entered on Jan 5 (the effective date), written much later (the real time)
    "INSERT INTO progress_credit (id, progress_id, source_type, source_id, amount, state, "
    "entered_at, entered_on) VALUES "
    "(1, 1, 'manual', 'a', 2, 'counted', '2026-11-30 10:00:00', '2026-01-05'), "
    "(2, 2, 'manual', 'b', 4, 'counted', '2026-11-30 10:00:00', '2026-01-05')",
    "INSERT INTO milestone_event (id, enrollment_id, milestone_id, reached_at, reached_on, "
    "progress_at_reach) VALUES (1, 1, 1, '2026-11-30 10:00:00', '2026-01-05', 50)",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, holding an enrollment with progress."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def test_upgrade_carries_the_data_and_replaces_the_scanindex_names(cli, before: Db):
    assert index_names(before) >= OLD and not NEW & index_names(before)
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == [
        t for t in rows if t[0] != "alembic_version"
    ]
    assert index_names(before) >= NEW - LATER_DROPPED and not OLD & index_names(before)

    # the carried data: the open requirement's 7-day warning (not the done one's), no
    # progress since the credits' effective date (Jan 5 + 10 days), the milestone reached
    # Jan 5, all judged by the effective dates, not by when the rows were written
    got = cli("--db", before.url, "--format", "json", "reminders", "preview", "--as-of", "2026-01-15").json
    assert sorted((d["kind"], d["threshold"], d["since"], d["key"].split("|")[1]) for d in got) == [
        ("inactive", "since:2026-01-05", "2026-01-15", "enrollment:1"),
        ("milestone", "reached", "2026-01-05", "enrollment:1/milestone:1"),
        ("requirement_deadline", "7d", "2026-01-14", "progress:1/due:2026-01-21"),
    ]


def test_downgrade_restores_the_indexes_it_replaced(before: Db):
    url = before.url if before.postgres else f"sqlite:///{before.url}"
    migrate(url, INDEXES)
    migrate(url, BEFORE, down=True)
    assert index_names(before) >= OLD and not NEW & index_names(before)
    assert before.count("requirement_progress") == 2
    migrate(url, INDEXES)
    assert index_names(before) >= NEW


@pytest.mark.sqlite_only("SQLite's query plans")
@pytest.mark.parametrize("before", ["sqlite"], indirect=True)  # the file case only
def test_the_deadline_scans_read_the_open_rows_index(cli, before: Db):
    """Each statement of the selection that reads progress rows by due date uses
    ix_requirement_progress_open_due (SQLite uses a partial index only when the WHERE
    repeats its predicate)."""
    from trainctl.queries import Reader
    from trainctl.queries.reminders import select_due

    cli("--db", before.url, "db", "upgrade")
    before.execute(  # an officer: the digest of who is behind is selected too
        "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
        "(2, 'Olive Officer', 'olive@fd.example', '[]', 'officer', 'active', '2026-01-01 00:00:00')"
    )
    con = sqlite3.connect(before.url, isolation_level=None)
    seen: list[str] = []
    con.set_trace_callback(seen.append)
    select_due(Reader(con, "sqlite"), date(2026, 1, 23))
    con.set_trace_callback(None)
    by_due = [s for s in seen if "rp.due_on IS NOT NULL AND rp.status NOT IN" in s]
    assert len(by_due) == 2, seen  # the requirement deadlines, who is behind
    for statement in by_due:
        plan = " ".join(str(r) for r in con.execute("EXPLAIN QUERY PLAN " + statement))
        assert "ix_requirement_progress_open_due" in plan, (statement, plan)
    con.close()
