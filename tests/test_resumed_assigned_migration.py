"""The resumed/assigned migration upgrades a database that holds data, on SQLite and on
PostgreSQL: the rows are carried, the two new days start empty (nothing before it says
when an enrollment was resumed or a row assigned), the partial index exists, and the
carried data works with them at once: a resume dates the quiet stretch, a link added to
the program in use dates its message. Downgrade drops what it added.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, index_names, migrate, seeded_at

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_resumed_assigned"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]
INDEXES = {"ix_requirement_progress_assigned", "ix_enrollment_resumed"}

# ids from 101 where the test adds rows later: PostgreSQL's sequences do not see them
SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00'), "
    "(2, 'Olive Officer', 'olive@fd.example', '[]', 'officer', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, created_at) VALUES "
    "(1, 'Live fire', 'hours', 'department', '[]', TRUE, 10, '[]', '[]', '[]', '[]', 'one_time', "
    "'calendar', '[]', '2026-01-01 00:00:00'), "
    "(2, 'Hazmat', 'hours', 'department', '[]', TRUE, 2, '[]', '[]', '[]', '[]', 'one_time', "
    "'calendar', '[]', '2026-01-01 00:00:00')",
    "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
    "reminder_conditions, is_template, status, created_at) VALUES "
    "(1, 'Academy', 1, 'flexible', TRUE, '{\"inactive_days\": 10}', FALSE, 'active', "
    "'2026-01-01 00:00:00')",
    "INSERT INTO program_requirement (id, program_id, requirement_id, is_required, "
    "is_prerequisite, sort_order) VALUES (101, 1, 1, TRUE, FALSE, 0)",
    "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, "
    "enrolled_on, progress_percentage, status, deadline_warning_sent, last_activity_on) VALUES "
    "(1, 1, 1, 1, '2026-01-01 08:00:00', '2026-01-01', 20, 'on_hold', FALSE, '2026-01-03')",
    "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
    "progress_value, progress_percentage) VALUES (101, 1, 101, 'in_progress', 2, 20)",
    "INSERT INTO progress_credit (id, progress_id, source_type, source_id, amount, state, "
    "entered_at, entered_on) VALUES "
    "(101, 101, 'manual', 'a', 2, 'counted', '2026-11-30 10:00:00', '2026-01-03')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before: one enrollment on hold, with a credit."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _due(cli, db: Db, as_of: str, kind: str) -> list[tuple[str, str]]:
    got = cli("--db", db.url, "--format", "json", "reminders", "preview", "--as-of", as_of).json
    return sorted((d["to"], d["since"]) for d in got if d["kind"] == kind)


def test_upgrade_carries_the_data_and_the_new_days_work_at_once(cli, before: Db):
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == [
        t for t in rows if t[0] != "alembic_version"
    ]
    assert index_names(before) >= INDEXES
    assert before.scalar("SELECT resumed_on FROM enrollment WHERE id = 1") is None
    assert before.scalar("SELECT assigned_on FROM requirement_progress WHERE id = 101") is None
    # resumed on Feb 20 (on hold since January): quiet from the resume, not from Jan 3
    cli("--db", before.url, "--as-of", "2026-02-20", "enroll", "resume", "1")
    assert _due(cli, before, "2026-02-20", "inactive") == []
    assert _due(cli, before, "2026-03-02", "inactive") == [("Zoë Núñez", "2026-03-02")]
    # a requirement linked on Mar 5 reaches the old enrollment: its message dated Mar 5
    cli("--db", before.url, "--as-of", "2026-03-05", "program", "requirement", "add", "Academy",
        "Hazmat", "--message", "Bring your SCBA.")  # fmt: skip
    assert _due(cli, before, "2026-03-06", "assigned") == [("Zoë Núñez", "2026-03-05")]


def test_downgrade_drops_what_it_added(before: Db):
    url = before.url if before.postgres else f"sqlite:///{before.url}"
    migrate(url, REV)
    migrate(url, BEFORE, down=True)
    assert not INDEXES & index_names(before)
    assert "resumed_on" not in before.schema()["enrollment"]
    assert "assigned_on" not in before.schema()["requirement_progress"]
    assert before.count("progress_credit") == 1
    migrate(url, REV)
    assert index_names(before) >= INDEXES
