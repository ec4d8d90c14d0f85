"""Every `trainctl ...` command a message shows names the database the user gave with --db.

`trainctl --db /srv/academy.db enroll show 7` said "Run `trainctl db upgrade`" (or "`trainctl
--as-of D report compliance ...`", "`trainctl member add ...`"): copied and run as printed,
it answered for the default database ("No enrollment", or an upgrade of the wrong file).
Every such command now carries the --db given on the command line (quoted for the shell,
a URL's password as ***); a database named by TRAINCTL_DB (as these tests name theirs)
adds nothing, since the copy runs where it is set too (cli/state.hint).
"""

from __future__ import annotations

import re
import shlex
import sqlite3
from pathlib import Path

import pytest
from postgres_helpers import database_at_head, migrate

from trainctl.config import display_url, to_url
from trainctl.db import REVISIONS

STALE = REVISIONS[-2]


def given(db: str) -> str:
    """`trainctl --db DB`, as a user would type it to name the database."""
    return f"trainctl --db {shlex.quote(display_url(db))}"


def commands(text: str) -> list[str]:
    """The commands between backticks in `text`."""
    return [c for c in re.findall(r"`([^`]*)`", text) if c.startswith("trainctl")]


@pytest.fixture
def elsewhere(cli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test's database, named only by --db: the default database is another one."""
    cli("member", "list")  # created at head
    monkeypatch.delenv("TRAINCTL_DB")
    return db_url


def test_a_stale_database_given_by_db_gets_the_upgrade_hint_with_its_db(cli, elsewhere, db, snapshot):
    migrate(to_url(elsewhere), STALE, down=True)  # really one revision behind: the hint is run below
    before = snapshot()
    r = cli("--db", elsewhere, "enroll", "show", "7", ok=False)
    assert r.exit_code == 78, r
    assert f"is at {STALE}" in r.stderr
    assert commands(r.stderr) == [f"{given(elsewhere)} db upgrade"], r
    # `db current` (on stdout, a step to copy all the same)
    status = cli("--db", elsewhere, "--format", "json", "db", "current").json["status"]
    assert status == f"behind: run `{given(elsewhere)} db upgrade`"
    assert snapshot() == before
    # run as printed, it upgrades that database, not the default one
    cli(*shlex.split(commands(r.stderr)[0])[1:])
    assert db.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]


def test_without_db_the_hints_are_as_before(cli, db_url, db, monkeypatch):
    """TRAINCTL_DB names the database (the copy runs with it too): nothing added."""
    cli("member", "list")
    migrate(to_url(db_url), STALE, down=True)
    r = cli("enroll", "show", "7", ok=False)
    assert r.exit_code == 78
    assert "Hint: Run `trainctl db upgrade` (it backs the file up first)." in r.stderr
    assert cli("--format", "json", "db", "current").json["status"] == "behind: run `trainctl db upgrade`"
    cli("db", "upgrade")
    r = cli("program", "list")
    assert "`trainctl program create NAME`" in r.stderr and "--db" not in r.stderr


@pytest.mark.sqlite_only("a file path that needs quoting for the shell")
def test_a_path_that_needs_quoting_is_quoted(cli, tmp_path: Path):
    path = tmp_path / "Station 12 [2026] \\1.db"  # (a backslash and markup brackets kept)
    cli("--db", str(path), "member", "list")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = ?", (STALE,))
    con.close()
    r = cli("--db", str(path), "member", "list", ok=False)
    assert r.exit_code == 78
    (command,) = commands(r.stderr)
    assert command == f"trainctl --db '{path}' db upgrade", r  # (Rich markup left the [2026] alone)
    assert shlex.split(command)[:3] == ["trainctl", "--db", str(path)]


def test_empty_tables_and_a_refused_file_name_the_database(cli, elsewhere, snapshot):
    r = cli("--db", elsewhere, "program", "list")
    assert commands(r.stderr) == [f"{given(elsewhere)} program create NAME",
                                  f"{given(elsewhere)} program apply --file FILE"]  # fmt: skip
    before = snapshot()
    r = cli("--db", elsewhere, "program", "apply", "--sample", "probationary-firefighter", ok=False)
    assert r.exit_code != 0
    assert f"`{given(elsewhere)} import nremt`" in r.stderr, r
    assert all(c.startswith(f"{given(elsewhere)} ") for c in commands(r.stderr)), r
    assert snapshot() == before


def test_a_usage_hint_names_the_database(cli, elsewhere):
    """`trainctl --db X cert list --as-of D`: the option goes before the command, and X with it."""
    r = cli("--db", elsewhere, "cert", "list", "--as-of", "2026-01-01", ok=False)
    assert r.exit_code == 2
    assert f"`{given(elsewhere)} --as-of DATE cert list ...`" in r.stderr, r


def test_a_url_password_is_never_printed(cli):
    """The --db of a server database: its password masked as every message masks it
    (config.display_url), in the hint as anywhere; no connection needed to see it."""
    url = "postgresql://ann:s3cret@127.0.0.1:9/academy"
    r = cli("--db", url, "cert", "list", "--as-of", "2026-01-01", ok=False)
    assert r.exit_code == 2
    assert "`trainctl --db 'postgresql://ann:***@127.0.0.1:9/academy' --as-of DATE cert list ...`" in r.stderr, r.stderr
    assert "s3cret" not in r.stderr + r.stdout


@pytest.mark.postgres_only("a server database's URL with a password")
def test_a_server_url_with_a_password_is_masked_in_a_hint(cli, monkeypatch):
    monkeypatch.delenv("TRAINCTL_DB", raising=False)
    with database_at_head() as server:  # a server database, in the SQLite suite too
        user_at = re.match(r"^([^:]+://)([^:@/]+)@", server)
        assert user_at is not None, server  # (the test server takes the user without a password)
        url = f"{user_at[1]}{user_at[2]}:s3cret@{server[user_at.end():]}"
        _masked_in_a_hint(cli, url)


def _masked_in_a_hint(cli, url: str) -> None:
    r = cli("--db", url, "enroll", "show", "99999", ok=False)
    assert r.exit_code != 0
    assert f"`trainctl --db {shlex.quote(display_url(url))} enroll list`" in r.stderr, r
    assert ":***@" in r.stderr and "s3cret" not in r.stderr + r.stdout


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "academy.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return path


def test_the_enroll_show_as_of_hint_names_the_database_and_the_day(cli, demo_copy: Path, monkeypatch):
    """A past day refused (later work on file): the commands that answer for that day keep
    it, the one for today's figures has none, and all of them name the database."""
    monkeypatch.delenv("TRAINCTL_DB")
    db = str(demo_copy)
    r = cli("--db", db, "--as-of", "2025-05-01", "enroll", "show", "7", ok=False)
    assert r.exit_code == 2, r
    shown = commands(r.stderr.split("Hint:", 1)[1])
    assert len(shown) == 4 and all(c.startswith(f"trainctl --db {db} ") for c in shown), r
    assert [c for c in shown if "--as-of" in c] == shown[:2]
    assert shown[-1] == f"trainctl --db {db} enroll show 7"
    # run as printed, the first answers for that database and day
    answer = cli(*shlex.split(shown[0].replace("report compliance", "report compliance -f json"))[1:])
    assert answer.json["as_of"] == "2025-05-01"
    # without --db (TRAINCTL_DB), the same hint as before
    monkeypatch.setenv("TRAINCTL_DB", db)
    r = cli("--as-of", "2025-05-01", "enroll", "show", "7", ok=False)
    assert "`trainctl --as-of 2025-05-01 report compliance --member id:" in r.stderr
    assert "`trainctl enroll show 7` without --as-of" in r.stderr and "--db" not in r.stderr


def test_a_bulk_file_refusal_names_the_database(cli, demo_copy: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("TRAINCTL_DB")
    db = str(demo_copy)
    roster = tmp_path / "recruits.csv"
    roster.write_text("email,name\nnobody@example.org,No Body\n", encoding="utf-8")
    with sqlite3.connect(demo_copy) as con:
        before = list(con.iterdump())
    con.close()
    r = cli("--db", db, "enroll", "bulk", "Probationary Firefighter", "--csv", roster, "--all-or-nothing", ok=False)
    assert r.exit_code == 1, r
    assert f"`trainctl --db {db} member add 'No Body' --email nobody@example.org`" in r.stderr, r
    assert f"`trainctl --db {db} member list`" in r.stderr
    with sqlite3.connect(demo_copy) as con:
        assert list(con.iterdump()) == before
    con.close()


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://ann:s3cret@db.example/academy", "postgresql://ann:***@db.example/academy"),
    # typed without percent-encoding: the password runs to the last @, never partly shown
    ("postgresql://ann:p@ss@w0rd@db.example/academy", "postgresql://ann:***@db.example/academy"),
    ("postgresql+psycopg://ann:a/b:c?d@db.example:5432/academy?sslmode=require",
     "postgresql+psycopg://ann:***@db.example:5432/academy?sslmode=require"),
    ("postgresql://ann@db.example/academy", "postgresql://ann@db.example/academy"),
    ("postgresql://ann:pw@db.example/academy?application_name=a@b",
     "postgresql://ann:***@db.example/academy?application_name=a@b"),
    ("postgresql://ann:p?w@db.example/academy", "postgresql://ann:***@db.example/academy"),
    ("postgresql://ann:secret", "postgresql://ann:secret"),
    ("postgresql://:pw@db.example/academy", "postgresql://:***@db.example/academy"),
    ("sqlite:////srv/fire@station/academy.db", "sqlite:////srv/fire@station/academy.db"),
])  # fmt: skip
def test_display_url_masks_the_whole_password(url: str, shown: str) -> None:
    assert display_url(url) == shown
