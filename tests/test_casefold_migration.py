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
from postgres_helpers import BACKENDS, database_at, migrate

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


@pytest.fixture(params=BACKENDS)
def older(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, where only lower() held e-mails apart."""
    with database_at(request.param, tmp_path, BEFORE) as db:
        yield db


def test_rows_equal_only_by_the_fold_refuse_the_upgrade_and_change_nothing(cli, older: Db):
    # PostgreSQL's lower() folds É (its index refused ÉMILE@ already), SQLite's does not;
    # neither folds ß to ss
    emile = "ÉMILE@fd.org" if not older.postgres else "emile.b@fd.org"
    for mid, name, email in [
        (1, "Émile A", "émile@fd.org"), (2, "Emile B", emile), (3, "S1", "straße@fd.org"),
        (4, "S2", "STRASSE@fd.org"), (5, "Ann", "ann@x.org"),
    ]:  # fmt: skip
        older.execute(
            "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
            "(:id, :name, :email, '[]', 'member', 'active', '2026-01-01 00:00:00')",
            {"id": mid, "name": name, "email": email},
        )
    for rid, name in [(1, "Straßenrettung"), (2, "STRASSENRETTUNG"), (3, "Other")]:
        older.execute(
            "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
            "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
            "frequency, period_anchor, required_positions, created_at) VALUES (:id, :name, "
            "'hours', 'department', '[]', :t, 12, '[]', '[]', '[]', '[]', 'one_time', 'calendar', "
            "'[]', '2026-01-01 00:00:00')",
            {"id": rid, "name": name, "t": True},
        )
    unchanged = older.dump()
    r = cli("--db", older.url, "db", "upgrade", ok=False)
    assert r.exit_code == 1, r
    assert f"Cannot upgrade: {2 if older.postgres else 3} groups" in r.stderr
    assert ("member ids 1, 2: 'émile@fd.org' / 'ÉMILE@fd.org'" in r.stderr) != older.postgres
    assert "member ids 3, 4: 'straße@fd.org' / 'STRASSE@fd.org'" in r.stderr
    assert "requirement ids 1, 2: 'Straßenrettung' / 'STRASSENRETTUNG'" in r.stderr
    assert "ann@x.org" not in r.stderr and "Traceback" not in r.stderr
    assert older.dump() == unchanged
    assert older.scalar("SELECT version_num FROM alembic_version") == BEFORE

    # renamed as the hint says, the upgrade goes through
    older.execute("UPDATE member SET email = 'emile.b@fd.org' WHERE id = 2")
    older.execute("UPDATE member SET email = 's2@fd.org' WHERE id = 4")
    older.execute("UPDATE requirement SET name = 'Straßenrettung 2' WHERE id = 2")
    cli("--db", older.url, "db", "upgrade", "--no-backup")  # (the first made one this second)
    assert older.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
