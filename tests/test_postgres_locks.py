"""The PostgreSQL locks: every write transaction holds one advisory lock (writers take turns,
as under SQLite's BEGIN IMMEDIATE), reads never wait for it, a writer that waits too long
gets exit 75's LockedError; `reminders send` holds a session advisory lock for the run, so a
second run exits 75 at once, and a killed run leaves no lock behind."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from backends import Db
from postgres_helpers import database_at_head

pytestmark = pytest.mark.postgres_only("PostgreSQL's advisory locks")


@pytest.fixture
def pg() -> Iterator[str]:
    with database_at_head() as url:
        yield url




def _waiting(url: str) -> int:
    """Sessions of this database waiting for an advisory lock."""
    return Db(url).scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )


def _until(check, what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def test_writers_take_turns_and_readers_never_wait(pg: str):
    from trainctl.db import make_engine, session_scope
    from trainctl.models import Setting
    from trainctl.queries import open_reader

    engine = make_engine(pg)
    done: list[str] = []

    def second_writer() -> None:
        with session_scope(engine) as s:
            row = s.get(Setting, "counter")
            row.value = str(int(row.value) + 1)
        done.append("second")

    with session_scope(engine) as s:
        s.add(Setting(key="counter", value="0"))
    with session_scope(engine) as s:
        row = s.get(Setting, "counter")  # read-then-write, holding the write lock
        other = threading.Thread(target=second_writer)
        other.start()
        _until(lambda: _waiting(pg) == 1, "the second writer waits for the lock")
        with open_reader(pg) as rd:  # a read goes through meanwhile
            assert rd.scalar("SELECT value FROM setting WHERE key = 'counter'") == "0"
        with session_scope(engine, write=False) as r:  # and so does a read-only session
            assert r.get(Setting, "counter") is not None
        assert done == []
        row.value = str(int(row.value) + 1)
    other.join(30)
    assert done == ["second"]
    assert Db(pg).scalar("SELECT value FROM setting WHERE key = 'counter'") == "2"  # no lost update
    engine.dispose()


def test_a_writer_that_waits_too_long_is_told_the_database_is_busy(pg: str, monkeypatch):
    from trainctl import db as dbmod
    from trainctl.errors import LockedError

    engine = dbmod.make_engine(pg)
    monkeypatch.setattr(dbmod, "WRITE_LOCK_TIMEOUT_MS", 200)
    with dbmod.session_scope(engine) as s:
        s.connection()  # holds the lock
        other = dbmod.make_engine(pg)
        with pytest.raises(LockedError, match="busy") as caught, dbmod.session_scope(other) as s2:
            s2.connection()
        other.dispose()
    # a server has no file to close (review: the message said "close the program holding the file")
    assert "file" not in caught.value.message + (caught.value.hint or ""), caught.value
    engine.dispose()


def test_a_second_reminders_run_exits_75_at_once(cli, pg: str, monkeypatch):
    from trainctl.services.reminders import lock_path, run_lock

    assert lock_path(pg) is None  # no lock file anywhere: the lock lives in the server
    monkeypatch.delenv("TRAINCTL_DEBUG")
    with run_lock(pg) as where:
        r = cli("--db", pg, "reminders", "send", "--as-of", "2026-03-20", "--transport", "stdout", ok=False)
    assert r.exit_code == 75, r
    assert f"process {os.getpid()}" in r.stderr and where in r.stderr
    assert f"is running (process {os.getpid()});" in r.stderr, r.stderr  # once in brackets
    cli("--db", pg, "reminders", "send", "--as-of", "2026-03-20", "--transport", "stdout")


def test_a_killed_run_leaves_no_lock(cli, pg: str):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom trainctl.services.reminders import run_lock\n"
         f"with run_lock({pg!r}):\n    print('held', flush=True)\n    time.sleep(600)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        r = cli("--db", pg, "reminders", "send", "--as-of", "2026-03-20", "--transport", "stdout", ok=False)
        assert r.exit_code == 75 and f"process {holder.pid}" in r.stderr
    finally:
        holder.kill()  # SIGKILL: no cleanup runs in the holder
        holder.wait()
    _until(lambda: Db(pg).scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0,
           "the server frees the dead run's lock")  # fmt: skip
    cli("--db", pg, "reminders", "send", "--as-of", "2026-03-20", "--transport", "stdout")
