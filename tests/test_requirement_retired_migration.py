"""The retirement migration (requirement.retired_on, retired_reason) upgrades a database
that holds data, on SQLite and on PostgreSQL: the rows are carried, every requirement is
in force (NULL), and one can then be retired and judged by nobody from its day. Downgrade
drops the columns and keeps the rest.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_requirement_retired"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Ann Lee', 'ann@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, counts_courses, counts_training_types, "
    "counts_categories, counts_call_types, counts_attendance, created_at, entered_on) VALUES "
    "(101, 'Hazmat', 'hours', 'department', '[]', TRUE, 6, '[]', '[]', '[]', '[]', 'annual', "
    "'calendar', '[]', '[]', '[]', '[\"hazmat\"]', '[]', FALSE, '2024-01-01 00:00:00', '2024-01-01'), "
    "(102, 'Wildland', 'hours', 'department', '[]', TRUE, 6, '[]', '[]', '[]', '[]', 'annual', "
    "'calendar', '[]', '[]', '[]', '[\"wildland\"]', '[]', FALSE, '2024-01-01 00:00:00', '2024-01-01')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, with a member and two requirements."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def test_upgrade_carries_the_rows_and_every_requirement_stays_in_force(cli, before: Db):
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == carried(rows)
    assert before.rows("SELECT id, retired_on, retired_reason FROM requirement ORDER BY id") == [
        (101, None, None), (102, None, None),
    ]  # fmt: skip
    judged = cli("--db", before.url, "report", "compliance", "--as-of", "2026-06-01", "--format", "json").json
    assert {s["requirement"] for s in judged["summary"]} == {"Hazmat", "Wildland"}
    cli("--db", before.url, "--as-of", "2026-06-01", "requirement", "retire", "Wildland", "--reason", "dropped")
    judged = cli("--db", before.url, "report", "compliance", "--as-of", "2026-06-01", "--format", "json").json
    assert {s["requirement"] for s in judged["summary"]} == {"Hazmat"}


def test_downgrade_drops_the_columns(cli, before: Db):
    migrate(url_of(before), REV)
    cli("--db", before.url, "--as-of", "2026-06-01", "requirement", "retire", "Wildland")
    migrate(url_of(before), BEFORE, down=True)
    assert not {"retired_on", "retired_reason"} & set(before.schema()["requirement"])
    assert before.count("requirement") == 2
