"""The requirement-history migration upgrades a database that holds data, on SQLite and on
PostgreSQL: the rows are carried, the new table starts empty (a requirement never changed
has no history; earlier changes are known only to the audit log, by the real clock), past
reports judge as before, and the carried requirements keep their history at once: an edit
after the upgrade leaves last year's report as it was. Downgrade drops the table.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, index_names, migrate, seeded_at

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_requirement_history"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]
INDEX = "ix_requirement_history_until"

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, hire_date, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'member', 'active', '2015-01-01', '2025-01-01 00:00:00')",
    "INSERT INTO member_history (id, member_id, effective_on, positions, status, recorded_at) "
    "VALUES (1, 1, '2015-01-01', '[]', 'active', '2025-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, counts_courses, counts_training_types, "
    "counts_categories, counts_call_types, counts_attendance, created_at) VALUES "
    "(1, 'Hazmat', 'hours', 'department', '[]', TRUE, 6, '[]', '[]', '[]', '[]', 'annual', "
    "'calendar', '[]', '[]', '[]', '[\"hazmat\"]', '[]', FALSE, '2025-01-01 00:00:00')",
    "INSERT INTO training_record (id, member_id, course_name, course_key, completion_date, "
    "hours_completed, status, category, training_type, self_paced, created_at) VALUES "
    "(1, 1, 'Hazmat ops', 'name:hazmat ops', '2025-03-10', 6, 'completed', 'hazmat', 'class', "
    "FALSE, '2025-03-10 00:00:00')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before: one member met a 6 h requirement in 2025."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _cell(cli, db: Db, as_of: str) -> tuple[float, str]:
    got = cli("--db", db.url, "report", "compliance", "--as-of", as_of, "--format", "json").json
    (cell,) = got["cells"]
    return cell["target"], cell["status"]


def test_upgrade_carries_the_data_and_keeps_history_from_then_on(cli, before: Db):
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == [
        t for t in rows if t[0] != "alembic_version"
    ]
    assert INDEX in index_names(before)
    assert before.count("requirement_history") == 0
    assert _cell(cli, before, "2025-12-31") == (6, "met")
    cli("--db", before.url, "--as-of", "2026-06-01", "requirement", "edit", "Hazmat", "--hours", "8")
    assert _cell(cli, before, "2025-12-31") == (6, "met")
    assert _cell(cli, before, "2026-06-01")[0] == 8


def test_downgrade_drops_what_it_added(before: Db):
    url = before.url if before.postgres else f"sqlite:///{before.url}"
    migrate(url, REV)
    migrate(url, BEFORE, down=True)
    assert INDEX not in index_names(before)
    assert "requirement_history" not in before.schema()
    assert before.count("requirement") == 1
    migrate(url, REV)
    assert INDEX in index_names(before)
