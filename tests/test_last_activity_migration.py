"""The last-activity migration upgrades a database that holds data, on SQLite and on
PostgreSQL: the rows are carried, each enrollment gets the effective date of its latest
credit (NULL without one), the scan index replaces the credits-by-day one, and the carried
data gives the inactivity reminders it gave before. Downgrade restores what it replaced.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, index_names, migrate, seeded_at

from trainctl.dbfile import REVISIONS

LAST = next(r for r in REVISIONS if r.endswith("_last_activity"))
BEFORE = REVISIONS[REVISIONS.index(LAST) - 1]
NEW, OLD = "ix_enrollment_active_program_activity", "ix_progress_credit_entered_on"

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00'), "
    "(2, 'Ann Idle', 'ann@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, created_at) VALUES "
    "(1, 'Live fire', 'hours', 'department', '[]', TRUE, 10, '[]', '[]', '[]', '[]', 'one_time', "
    "'calendar', '[]', '2026-01-01 00:00:00'), "
    "(2, 'Ladders', 'hours', 'department', '[]', TRUE, 4, '[]', '[]', '[]', '[]', 'one_time', "
    "'calendar', '[]', '2026-01-01 00:00:00')",
    "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
    "reminder_conditions, is_template, status, created_at) VALUES "
    "(1, 'Academy', 1, 'flexible', TRUE, '{\"inactive_days\": 10}', FALSE, 'active', "
    "'2026-01-01 00:00:00')",
    "INSERT INTO program_requirement (id, program_id, requirement_id, is_required, "
    "is_prerequisite, sort_order) VALUES (1, 1, 1, TRUE, FALSE, 0), (2, 1, 2, TRUE, FALSE, 1)",
    "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, "
    "enrolled_on, progress_percentage, status, deadline_warning_sent) VALUES "
    "(1, 1, 1, 1, '2026-01-01 08:00:00', '2026-01-01', 30, 'active', FALSE), "
    "(2, 2, 1, 1, '2026-01-03 08:00:00', '2026-01-03', 0, 'active', FALSE)",
    "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
    "progress_value, progress_percentage) VALUES "
    "(1, 1, 1, 'in_progress', 2, 20), (2, 1, 2, 'in_progress', 2, 50), "
    "(3, 2, 1, 'not_started', 0, 0), (4, 2, 2, 'not_started', 0, 0)",
    # Zoë: credits entered for Jan 5 and Feb 10 (written much later); Ann: none
    "INSERT INTO progress_credit (id, progress_id, source_type, source_id, amount, state, "
    "entered_at, entered_on) VALUES "
    "(1, 1, 'manual', 'a', 2, 'counted', '2026-11-30 10:00:00', '2026-02-10'), "
    "(2, 2, 'manual', 'b', 2, 'counted', '2026-11-30 10:00:00', '2026-01-05')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, holding two enrollments, one with credits."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _quiet(cli, db: Db, as_of: str) -> list[tuple[str, str]]:
    got = cli("--db", db.url, "--format", "json", "reminders", "preview", "--as-of", as_of).json
    return sorted((d["to"], d["threshold"]) for d in got if d["kind"] == "inactive")


def test_upgrade_carries_the_data_and_fills_the_last_activity(cli, before: Db):
    assert OLD in index_names(before) and NEW not in index_names(before)
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == [
        t for t in rows if t[0] != "alembic_version"
    ]
    assert NEW in index_names(before) and OLD not in index_names(before)
    got = before.dicts("SELECT id, last_activity_on FROM enrollment ORDER BY id")
    assert got == [{"id": 1, "last_activity_on": "2026-02-10"}, {"id": 2, "last_activity_on": None}]
    # the reminders: Zoë quiet 10 days after Feb 10, Ann 10 days after enrolling
    assert _quiet(cli, before, "2026-01-13") == [("Ann Idle", "since:2026-01-03")]
    assert _quiet(cli, before, "2026-02-19") == []
    assert _quiet(cli, before, "2026-02-20") == [("Zoë Núñez", "since:2026-02-10")]


def test_downgrade_restores_the_index_it_replaced(before: Db):
    url = before.url if before.postgres else f"sqlite:///{before.url}"
    migrate(url, LAST)
    migrate(url, BEFORE, down=True)
    assert OLD in index_names(before) and NEW not in index_names(before)
    assert "last_activity_on" not in before.schema()["enrollment"]
    assert before.count("progress_credit") == 2
    migrate(url, LAST)
    assert NEW in index_names(before)
    assert before.scalar("SELECT last_activity_on FROM enrollment WHERE id = 1") is not None
