"""The case-insensitive identity migration upgrades a database that holds data, on SQLite
and on PostgreSQL; afterwards the database itself refuses a second member with the same
email in other case, and a requirement name or registry code that differs only in case or
spaces within its registry. A database that already breaks the rule is refused, named,
and left as it was.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there,
so renumbering the migration at a merge touches no test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db
from postgres_helpers import BACKENDS, database_at

from trainctl.dbfile import REVISIONS

CI = next(r for r in REVISIONS if r.endswith("_ci_unique"))
BEFORE = REVISIONS[REVISIONS.index(CI) - 1]

MEMBER = (
    "INSERT INTO member (id, name, email, positions, role, status, created_at) "
    "VALUES (:id, :name, :email, '[]', 'member', 'active', '2026-01-01 00:00:00')"
)
REQUIREMENT = (
    "INSERT INTO requirement (id, name, requirement_type, source, registry_name, registry_code, "
    "aliases, is_editable, required_hours, required_courses, required_skills, checklist_items, "
    "hour_categories, frequency, period_anchor, required_positions, created_at) "
    "VALUES (:id, :name, 'hours', :source, :registry, :code, '[]', TRUE, 12, '[]', '[]', '[]', "
    "'[]', 'one_time', 'calendar', '[]', '2026-01-01 00:00:00')"
)


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, holding a department."""
    with database_at(request.param, tmp_path, BEFORE) as db:
        _seed(db)
        yield db


def _seed(db: Db) -> None:
    db.execute(MEMBER, {"id": 1, "name": "Zoë Núñez", "email": "zoe@example.org"})
    db.execute(MEMBER, {"id": 2, "name": "Olga Chief", "email": "olga@example.org"})
    for rid, name, source, registry, code in [
        (1, "Live fire", "department", None, None),
        (2, "Live Fire", "national", "NFPA", "NFPA 1001"),  # same name, other scope: fine
        (3, "Hazmat awareness", "national", "NFPA", "NFPA 472"),
        (4, "Hazmat", "national", "Pro Board", "NFPA 472"),  # same code, other registry: fine
    ]:
        db.execute(REQUIREMENT, {"id": rid, "name": name, "source": source, "registry": registry, "code": code})


def test_upgrade_carries_the_data_and_the_database_holds_the_rule(cli, before: Db):
    r = cli("--db", before.url, "db", "upgrade")
    assert f"-> {REVISIONS[-1]}" in r.stderr
    assert ("No file backup on PostgreSQL" in r.stderr) == before.postgres
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert before.column("SELECT name FROM member ORDER BY id") == ["Zoë Núñez", "Olga Chief"]
    assert before.count("requirement") == 4

    refused = [
        (MEMBER, {"id": 3, "name": "Zoe again", "email": "ZOE@example.org"}),
        (REQUIREMENT, {"id": 5, "name": "live  FIRE", "source": "department", "registry": None, "code": None}),
        (REQUIREMENT, {"id": 5, "name": "LiveFire", "source": "national", "registry": "nfpa", "code": "X 1"}),
        (REQUIREMENT, {"id": 5, "name": "Other", "source": "national", "registry": "NFPA", "code": "nfpa1001"}),
        (REQUIREMENT, {"id": 5, "name": "Other", "source": "national", "registry": "N F P A", "code": "NFPA 472"}),
    ]
    for sql, params in refused:
        with pytest.raises(before.IntegrityError):
            before.execute(sql, params)
    # what the rule allows: the same name in another scope, the same code in another registry
    before.execute(REQUIREMENT, {"id": 6, "name": "Live fire", "source": "national", "registry": "NREMT", "code": "NFPA 1001"})
    before.execute(REQUIREMENT, {"id": 7, "name": "No code", "source": "department", "registry": None, "code": None})
    before.execute(REQUIREMENT, {"id": 8, "name": "No code either", "source": "department", "registry": None, "code": None})
    assert before.count("requirement") == 7

    # the CLI's own checks still answer first, with their message
    r = cli("--db", before.url, "member", "add", "Z", "--email", "Zoe@Example.org", ok=False)
    assert r.exit_code != 0 and "already belongs" in r.stderr


def test_existing_duplicates_refuse_the_upgrade_and_change_nothing(cli, before: Db):
    before.execute(MEMBER, {"id": 3, "name": "Zoe Twice", "email": "Zoe@Example.org"})
    before.execute(REQUIREMENT, {"id": 5, "name": "LIVE FIRE", "source": "department", "registry": None, "code": None})
    unchanged = before.dump()
    r = cli("--db", before.url, "db", "upgrade", ok=False)
    assert r.exit_code == 1, r
    assert "Cannot upgrade: 2 groups" in r.stderr
    assert "member ids 1, 3: 'zoe@example.org' / 'Zoe@Example.org'" in r.stderr
    assert "requirement ids 1, 5: 'Live fire' / 'LIVE FIRE'" in r.stderr
    assert "Traceback" not in r.stderr
    assert before.dump() == unchanged
    assert before.scalar("SELECT version_num FROM alembic_version") == BEFORE
