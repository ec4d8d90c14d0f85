"""The entry-day migration (requirement.entered_on) upgrades a database that holds data,
on SQLite and on PostgreSQL: the rows are carried, a requirement written before it has no
entry day (NULL: the --as-of day it was entered under was never stored), so its history is
kept as written, as before; one added after it has its day. Downgrade drops the column.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_requirement_entered_on"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]

# id 101: the test adds a requirement later, and PostgreSQL's sequence does not see it
SEED = [
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, counts_courses, counts_training_types, "
    "counts_categories, counts_call_types, counts_attendance, created_at) VALUES "
    "(101, 'Hazmat', 'hours', 'department', '[]', TRUE, 6, '[]', '[]', '[]', '[]', 'annual', "
    "'calendar', '[]', '[]', '[]', '[\"hazmat\"]', '[]', FALSE, '2026-06-01 00:00:00')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, with one requirement."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def test_upgrade_carries_the_rows_and_keeps_history_of_older_requirements(cli, before: Db):
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == [
        t for t in rows if t[0] != "alembic_version"
    ]
    assert before.scalar("SELECT entered_on FROM requirement WHERE id = 101") is None
    # its entry day unknown: a change dated before it was written is kept, as before
    cli("--db", before.url, "--as-of", "2026-01-01", "requirement", "edit", "Hazmat", "--hours", "8")
    assert [str(u)[:10] for u in before.column("SELECT in_force_until FROM requirement_history")] == [
        "2025-12-31"
    ]
    cli("--db", before.url, "--as-of", "2026-02-01", "requirement", "add", "--name", "Ropes",
        "--type", "hours", "--hours", "2", "--counts-type", "drill")  # fmt: skip
    assert str(before.scalar("SELECT entered_on FROM requirement WHERE name = 'Ropes'"))[:10] == "2026-02-01"


def test_downgrade_drops_the_column(before: Db):
    migrate(url_of(before), REV)
    migrate(url_of(before), BEFORE, down=True)
    assert "entered_on" not in before.schema()["requirement"]
    assert before.count("requirement") == 1
