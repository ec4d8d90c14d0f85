"""A county's database server has roles: the one that owns trainctl's tables, and others
that may only read, or may not create tables at all (PostgreSQL 15 gives PUBLIC no CREATE
on the public schema). A command such a role may not run was "trainctl failed
unexpectedly ... This is a bug" with the SQL, exit 70; it is now the server's refusal in
one line, naming the role and the database, exit 77 (permission denied), nothing written,
and who can fix it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from backends import PG_ADMIN, Db, _dsn, create_database, drop_database, psycopg
from postgres_helpers import database_at_head

pytestmark = pytest.mark.postgres_only("roles and grants on a PostgreSQL server")


@pytest.fixture
def clerk() -> Iterator[str]:
    """A login role of its own with no rights beyond PUBLIC's (dropped afterwards)."""
    name = "clerk_" + uuid.uuid4().hex[:10]
    with psycopg.connect(_dsn(PG_ADMIN), autocommit=True) as con:
        con.execute(f'CREATE ROLE "{name}" LOGIN')
    yield name
    with psycopg.connect(_dsn(PG_ADMIN), autocommit=True) as con:
        con.execute(f'DROP ROLE IF EXISTS "{name}"')


def as_role(url: str, role: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{role}@{rest.split('@', 1)[1]}"


def test_a_role_that_may_not_create_tables_is_told_who_can(cli, clerk):
    empty = create_database(empty=True)
    try:
        for args in (("member", "list"), ("db", "upgrade")):
            r = cli("--db", as_role(empty, clerk), *args, ok=False)
            assert r.exit_code == 77, r
            first = r.stderr.splitlines()[0]
            assert f"PostgreSQL refused the role {clerk} in " in first, r.stderr
            assert "permission denied for schema public" in first and "Nothing was written." in first
            assert "as the database's owner" in r.stderr and "GRANT CREATE ON SCHEMA" in r.stderr
            assert "bug" not in r.stderr and "CREATE TABLE" not in r.stderr
            assert Db(empty).scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        # the owner's first command makes the tables, as the hint says
        cli("--db", empty, "member", "list")
    finally:
        drop_database(empty)


def test_a_role_that_may_only_read_can_read_and_a_write_is_refused(cli, clerk):
    with database_at_head() as url:
        cli("--db", url, "member", "add", "Ann Marsh", "--email", "ann@fd.org")
        db = Db(url)
        db.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{clerk}"')
        assert "ann@fd.org" in cli("--db", as_role(url, clerk), "member", "list").stdout
        before = db.dump()  # the snapshot() helper, of this database
        r = cli("--db", as_role(url, clerk), "member", "add", "Sam Okafor", "--email", "sam@fd.org", ok=False)
        assert r.exit_code == 77, r
        assert f"PostgreSQL refused the role {clerk}" in r.stderr
        assert "permission denied for table member" in r.stderr and "Nothing was written." in r.stderr
        assert "SELECT, INSERT, UPDATE, DELETE" in r.stderr and "bug" not in r.stderr
        assert db.dump() == before
        db.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{clerk}"')


def test_a_role_with_no_rights_on_the_tables_is_not_told_the_database_is_new(cli, clerk):
    """`db current` read the tables from information_schema, which lists only those the
    role has a right on: a role with none was told that the county's database, at head and
    full, was "new (created on first use)". It reads the catalog now: the tables are
    there, and reading their revision is the server's refusal (exit 77)."""
    with database_at_head() as url:
        cli("--db", url, "member", "add", "Ann Marsh", "--email", "ann@fd.org")
        before = Db(url).dump()
        for args in (("db", "current"), ("member", "list")):
            r = cli("--db", as_role(url, clerk), *args, ok=False)
            assert r.exit_code == 77, r
            assert "new (created on first use)" not in r.stdout
            assert f"PostgreSQL refused the role {clerk}" in r.stderr and "permission denied for table" in r.stderr
        assert Db(url).dump() == before
