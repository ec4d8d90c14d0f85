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


# The server stopped (or restarted, or the connection cut) while a command ran: an
# `enroll bulk` or `record import` of a county's sheets takes seconds. It was "trainctl
# failed unexpectedly: OperationalError ... [SQL: INSERT INTO training_record ...] This is
# a bug", exit 70; it is one line naming the database, exit 69 as for a server that cannot
# be reached, and nothing written (the transaction never committed).
def _lost_answer(r, url: str) -> None:
    assert r.exit_code == 69, r
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r
    assert lines[0].startswith(f"Error: Lost the connection to the PostgreSQL database {url} mid-command ("), r
    assert lines[0].endswith("Nothing was written: the server keeps no part of a transaction it did not commit."), r
    assert lines[1].startswith("Hint: Check that the PostgreSQL server is running"), r
    assert "bug" not in r.stderr and "[SQL:" not in r.stderr and "Traceback" not in r.stderr


def test_a_server_gone_mid_command_is_exit_69_and_nothing_written(cli, tmp_path):
    """A member's write waits for the write lock another officer holds; the server ends its
    connection meanwhile (pg_terminate_backend: what a fast stop or restart sends every
    client)."""
    import threading
    import time

    from trainctl.queries import WRITE_LOCK

    with database_at_head() as url, Db(url).connect() as holder, Db(url).connect() as admin:
        cli("--db", url, "member", "add", "Ann Lee", "--email", "ann@fd.org")
        before = Db(url).dump()
        holder.execute(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        name = url.rsplit("/", 1)[1]
        ended = []

        def terminate() -> None:
            for _ in range(200):
                pids = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event = 'advisory'",
                    (name,),
                ).fetchall()
                if pids:
                    ended.extend(admin.execute("SELECT pg_terminate_backend(%s)", (pids[0][0],)).fetchall())
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=terminate)
        killer.start()
        sheet = tmp_path / "sign-in.csv"
        sheet.write_text("email,course,date,hours,type\nann@fd.org,Ladder drill,2026-03-01,1.5,drill\n")
        r = cli("--db", url, "record", "import", str(sheet), ok=False)
        killer.join()
        assert ended == [(True,)], r
        _lost_answer(r, url)
        holder.execute(f"SELECT pg_advisory_unlock({WRITE_LOCK})")
        assert Db(url).dump() == before  # the snapshot() helper, of this database


def test_a_connection_closed_without_a_word_is_the_same_answer():
    """An immediate stop (or a cut network) closes the connection with no SQLSTATE: the
    driver's own words, as psycopg raised them when the test server was stopped under a
    `record import` (the SQLAlchemy wrapping it reaches the top in)."""
    import psycopg
    import sqlalchemy as sa

    from trainctl.cli.main import _translate

    url = "postgresql+psycopg://officer:s3cret@db.county.example/training"
    raw = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly\n"
                                   "\tThis probably means the server terminated abnormally")  # fmt: skip
    wrapped = sa.exc.OperationalError("INSERT INTO training_record ...", {}, raw, connection_invalidated=True)
    for exc in (raw, wrapped):
        error = _translate(exc, url)
        assert error is not None and error.exit_code == 69, exc
        assert str(error).startswith("Lost the connection to the PostgreSQL database "
                                     "postgresql+psycopg://officer:***@db.county.example/training mid-command "
                                     "(consuming input failed: server closed the connection unexpectedly)."), error  # fmt: skip
        assert "s3cret" not in str(error) + (error.hint or "")
