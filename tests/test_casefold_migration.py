"""The casefold migration upgrades a database that holds data, on both backends: afterwards
e-mails, requirement and program names match by str.casefold (trainctl_fold), and a
downgrade takes the PostgreSQL function away again (SQLite's file never held it).

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there,
so renumbering the migration at a merge touches no test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import POSTGRES, Db, create_database, drop_database
from postgres_helpers import migrate

from trainctl.dbfile import REVISIONS
from trainctl.queries import members as qm
from trainctl.queries import open_reader
from trainctl.queries import programs as qp
from trainctl.queries import requirements as qr

CASEFOLD = next(r for r in REVISIONS if r.endswith("_casefold"))
BEFORE = REVISIONS[REVISIONS.index(CASEFOLD) - 1]


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    if POSTGRES:
        url = create_database(empty=True)
        yield url
        drop_database(url)
    else:
        yield f"sqlite:///{tmp_path / 'old.db'}"


def _seed(db: Db) -> None:
    db.execute(
        "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
        "(1, 'Jörg Straße', 'straße@fd.org', '[]', 'member', 'active', '2026-01-01 00:00:00'), "
        "(2, 'Émile Ørsted', 'émile@fd.org', '[]', 'member', 'active', '2026-01-01 00:00:00')"
    )
    db.execute(
        "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
        "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
        "frequency, period_anchor, required_positions, created_at) VALUES (1, 'Évaluation', "
        "'hours', 'department', '[]', :t, 12, '[]', '[]', '[]', '[]', 'one_time', 'calendar', "
        "'[]', '2026-01-01 00:00:00')",
        {"t": True},
    )
    db.execute(
        "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
        "reminder_conditions, is_template, status, created_at) VALUES (1, 'Équipe Ø', 1, "
        "'flexible', :t, '{}', :f, 'draft', '2026-01-01 00:00:00')",
        {"t": True, "f": False},
    )


def _function_count(db: Db) -> int:
    return db.scalar("SELECT count(*) FROM pg_proc WHERE proname = 'trainctl_fold'")


def test_upgrade_with_data_then_lookups_fold_and_downgrade(empty_url):
    migrate(empty_url, BEFORE)
    db = Db(empty_url)
    _seed(db)
    migrate(empty_url, CASEFOLD)
    assert db.scalar("SELECT version_num FROM alembic_version") == CASEFOLD
    # today's read side reads today's schema (later revisions add columns it selects): the
    # rows carried through the casefold revision are looked up at head
    migrate(empty_url, "head")
    with open_reader(empty_url) as rd:
        assert qm.get_member(rd, "STRASSE@FD.ORG").id == 1
        assert qm.get_member(rd, "ÉMILE@FD.ORG").id == 2
        assert qr.get_requirement(rd, "ÉVALUATION").id == 1
        assert qp.get_program(rd, "équipe ø").id == 1
    assert db.count("member") == 2  # nothing else changed
    if POSTGRES:
        assert _function_count(db) == 1
        migrate(empty_url, BEFORE, down=True)
        assert _function_count(db) == 0
    else:
        migrate(empty_url, BEFORE, down=True)
    assert db.scalar("SELECT version_num FROM alembic_version") == BEFORE
    assert db.count("member") == 2
