"""What PostgreSQL refuses reaches the user as SQLite's refusals do: a constraint the
services did not catch first is exit 1 "The database refused the change", not exit 70; the
write lock's timeout is exit 75 (cli/main.py `_translate`)."""

from __future__ import annotations

import pytest
from backends import Db
from postgres_helpers import database_at_head

pytestmark = pytest.mark.postgres_only("a real PostgreSQL server refuses the rows")


def test_a_constraint_violation_is_a_refusal_not_a_crash():
    import psycopg

    from trainctl.cli.main import _translate

    with database_at_head() as url:
        db = Db(url)
        db.execute("INSERT INTO member (name, email, positions, role, status, created_at) "
                   "VALUES ('Ann Lee', 'ann@fd.org', '[]', 'member', 'active', now())")  # fmt: skip
        with pytest.raises(psycopg.errors.UniqueViolation) as caught:
            db.execute("INSERT INTO member (name, email, positions, role, status, created_at) "
                       "VALUES ('Ann Lee', 'ANN@fd.org', '[]', 'member', 'active', now())")  # fmt: skip
        error = _translate(caught.value, url)
        assert error is not None and error.exit_code == 1
        assert str(error).startswith("The database refused the change: duplicate key value")


def test_the_write_lock_timeout_is_busy_exit_75():
    import psycopg

    from trainctl.cli.main import _translate
    from trainctl.queries import WRITE_LOCK

    with database_at_head() as url, Db(url).connect() as holder, Db(url).connect() as other:
        holder.execute(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        other.execute("SET lock_timeout = '50ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable) as caught:
            other.execute(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        error = _translate(caught.value, url)
        assert error is not None and error.exit_code == 75 and "busy" in str(error)


# What the server itself raises as internal_error (XX000): its catch-all for a failure it
# did not expect ("could not read block 7 in file ...", "cache lookup failed for relation
# ..."), sometimes damage, sometimes a server bug. Raised here by the server itself, from a
# trigger (a write) and from a view (a read) the test puts in the database.
FAULT = 'could not read block 7 in file "base/16384/16402": read only 0 of 8192 bytes'


def _faulty(db: Db) -> None:
    db.execute(
        "CREATE FUNCTION trainctl_test_fault() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{FAULT}' USING ERRCODE = 'internal_error'; END $$"
    )
    db.execute(
        "CREATE FUNCTION trainctl_test_fault_row() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM trainctl_test_fault(); RETURN NEW; END $$"
    )
    db.execute("CREATE TRIGGER trainctl_test_fault BEFORE INSERT ON member FOR EACH ROW "
               "EXECUTE FUNCTION trainctl_test_fault_row()")  # fmt: skip
    db.execute("CREATE VIEW trainctl_test_faulty_member AS SELECT * FROM member WHERE trainctl_test_fault()")


def _internal_error_answer(r, url: str) -> None:
    assert r.exit_code == 1, r
    assert r.stdout == "", r
    lines = r.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: The PostgreSQL database "), r
    assert lines[0].endswith(f"reported an internal error (internal_error, SQLSTATE XX000: {FAULT}). "
                             "Nothing was written."), r  # fmt: skip
    assert lines[1].startswith("Hint: ") and "not always damage" in lines[1], r
    # (the check it suggests names the --db given, as every command a message shows)
    assert f"`trainctl --db {url} db check`" in lines[1] and "administrator" in lines[1], r
    assert "Traceback" not in r.stderr and "bug" not in r.stderr and "[SQL:" not in r.stderr


def test_a_server_internal_error_says_what_the_server_said_and_that_nothing_was_written(cli, monkeypatch):
    """PostgreSQL's internal_error (XX000) was "trainctl failed unexpectedly: InternalError
    ... This is a bug", with the SQL statement and its parameters, exit 70. It is the
    server's own failure, not always damage: its words, that nothing was written, and what
    to do (again; `db check`; the server's administrator and its log), exit 1 like the
    rest of its class (XX001, XX002)."""
    monkeypatch.delenv("TRAINCTL_DEBUG", raising=False)
    with database_at_head() as url:
        db = Db(url)
        cli("--db", url, "member", "add", "Ann Lee", "--email", "ann@fd.org")
        _faulty(db)
        before = db.dump()
        r = cli("--db", url, "member", "add", "Sam Smoke", "--email", "sam@fd.org", ok=False)
        _internal_error_answer(r, url)  # a write through the ORM (SQLAlchemy around psycopg)
        assert db.dump() == before
        db.execute("ALTER TABLE member RENAME TO member_data")
        db.execute("CREATE VIEW member AS SELECT * FROM member_data WHERE trainctl_test_fault()")
        r = cli("--db", url, "member", "list", ok=False)
        _internal_error_answer(r, url)  # a read (the plain driver connection)
