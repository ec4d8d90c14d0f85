"""The checklist sign-off revision (table checklist_signoff) upgrades a database that holds
data, on SQLite and on PostgreSQL: the rows are carried, the table starts empty (the items
checked on enrollments stay in the ledger, where compliance reads them as before), and a
member in no program can then be signed off. Downgrade drops the table and its indexes.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db
from postgres_helpers import BACKENDS, index_names, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_checklist_signoffs"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]
INDEX = "ix_checklist_signoff_member"

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, hire_date, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'member', 'active', '2015-01-01', '2024-01-01 00:00:00')",
    "INSERT INTO member_history (id, member_id, effective_on, positions, status, recorded_at) "
    "VALUES (1, 1, '2015-01-01', '[]', 'active', '2024-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_courses, required_skills, checklist_items, hour_categories, frequency, "
    "period_anchor, required_positions, counts_courses, counts_training_types, counts_categories, "
    "counts_call_types, counts_attendance, created_at, entered_on) VALUES "
    "(1, 'Annual physical', 'checklist', 'department', '[]', TRUE, '[]', '[]', "
    "'[\"Medical exam\", \"Fitness\"]', '[]', 'annual', 'calendar', '[]', '[]', '[]', '[]', '[]', "
    "FALSE, '2024-01-01 00:00:00', '2024-01-01')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before: one member owes an annual physical checklist."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _cell(cli, db: Db, as_of: str) -> tuple[str, float]:
    got = cli("--db", db.url, "report", "compliance", "--as-of", as_of, "--format", "json").json
    (cell,) = got["cells"]
    return cell["status"], cell["value"]


def test_upgrade_carries_the_data_and_signs_off_from_then_on(cli, before: Db):
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    # every row carried as it was (`carried` would leave out the positions 0019 added:
    # this database has them already)
    assert [t for t in before.dump(columns) if t[0] != "alembic_version"] == [
        t for t in rows if t[0] != "alembic_version"
    ]
    assert INDEX in index_names(before)
    assert before.count("checklist_signoff") == 0
    assert _cell(cli, before, "2025-06-01")[1] == 0
    for item in ("Medical exam", "Fitness"):
        cli("--db", before.url, "checklist", "check", "zoe@fd.example", "Annual physical", item,
            "--as-of", "2025-03-12")  # fmt: skip
    assert _cell(cli, before, "2025-06-01") == ("met", 2)


def test_downgrade_drops_what_it_added(before: Db):
    url = url_of(before)
    migrate(url, REV)
    assert INDEX in index_names(before)
    before.execute(
        "INSERT INTO checklist_signoff (member_id, requirement_id, item, checked_on, checked_at) "
        "VALUES (1, 1, 'Fitness', '2025-03-12', '2025-03-12 10:00:00')"
    )
    migrate(url, BEFORE, down=True)
    assert INDEX not in index_names(before)
    assert "checklist_signoff" not in before.schema()
    assert before.count("requirement") == 1 and before.count("member") == 1
    migrate(url, REV)
    assert INDEX in index_names(before)
    assert before.count("checklist_signoff") == 0
