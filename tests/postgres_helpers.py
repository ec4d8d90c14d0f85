"""Helpers for the PostgreSQL tests (tests/test_postgres_*.py) and the migration tests that
run on both backends: a database at head on the test server, and alembic to a revision."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from backends import Db, create_database, drop_database

# A migration test's fixture parameters: a SQLite file, and a database on the test server
# (run in the SQLite suite too, whenever TRAINCTL_TEST_PG names a server).
BACKENDS = [
    pytest.param("sqlite", marks=pytest.mark.sqlite_only("the SQLite file case")),
    pytest.param("postgres", marks=pytest.mark.postgres_only("the PostgreSQL case")),
]


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    """Alembic up (or down) to `revision` on the database at `url`, as `db upgrade` runs it."""
    from alembic import command

    from trainctl.db import alembic_config, make_engine

    engine = make_engine(url, enforce_fk=False)
    try:
        with engine.begin() as conn:
            (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)
    finally:
        engine.dispose()


@contextmanager
def database_at_head() -> Iterator[str]:
    """A database of its own at the newest schema, made by a first use (the suite's template
    exists only when the whole suite runs on PostgreSQL); dropped afterwards."""
    from trainctl.db import open_engine

    url = create_database(empty=True)
    try:
        open_engine(url).dispose()
        yield url
    finally:
        drop_database(url)


@contextmanager
def database_at(backend: str, folder: Path, revision: str) -> Iterator[Db]:
    """A database of its own at `revision` on `backend` (one of BACKENDS): a SQLite file in
    `folder`, or a database on the test server, dropped afterwards."""
    if backend == "sqlite":
        path = str(folder / "old.db")
        migrate(f"sqlite:///{path}", revision)
        yield Db(path)
        return
    url = create_database(empty=True)
    try:
        migrate(url, revision)
        yield Db(url)
    finally:
        drop_database(url)


@contextmanager
def seeded_at(backend: str, folder: Path, revision: str, seed: Sequence[str]) -> Iterator[Db]:
    """`database_at`, holding the rows the SQL statements of `seed` write: a migration
    test's database before its revision."""
    with database_at(backend, folder, revision) as db:
        for sql in seed:
            db.execute(sql)
        yield db


def url_of(db: Db) -> str:
    """The URL alembic (`migrate`) and trainctl take for `db`."""
    return db.url if db.postgres else f"sqlite:///{db.url}"


def index_names(db: Db) -> set[str]:
    """Every index name of the database (a migration test's before and after)."""
    if db.postgres:
        return set(db.column("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"))
    return set(db.column("SELECT name FROM sqlite_master WHERE type = 'index'"))
