"""The database the tests run on: SQLite files (the default) or a throwaway PostgreSQL server.

`TRAINCTL_TEST_BACKEND=postgres` runs the suite on PostgreSQL; `TRAINCTL_TEST_PG` is the
admin URL of a server the tests may create databases on (`.ci/postgres start` prints one).
Every test gets a database of its own: a file in tmp_path on SQLite, a database cloned from
a template at the newest schema on PostgreSQL (dropped when the test ends).

`Db` is the backend-neutral way for a test to look inside: rows, scalars, plain writes for
setting up odd states, and a dump of every table for "nothing changed" checks.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BACKEND = os.environ.get("TRAINCTL_TEST_BACKEND", "sqlite")
PG_ADMIN = os.environ.get("TRAINCTL_TEST_PG", "")
POSTGRES = BACKEND == "postgres"
TEMPLATE = "trainctl_test_head"

if POSTGRES and not PG_ADMIN:
    raise RuntimeError("TRAINCTL_TEST_BACKEND=postgres needs TRAINCTL_TEST_PG (an admin URL)")


def _dsn(url: str) -> str:
    return re.sub(r"^postgresql(\+\w+)?://", "postgresql://", url)


def pg_url(name: str) -> str:
    """The URL of database `name` on the test server."""
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _admin() -> Any:
    import psycopg

    return psycopg.connect(_dsn(PG_ADMIN), autocommit=True)


def make_template() -> None:
    """A database at the newest schema, cloned for every test (once per test session)."""
    from trainctl.db import open_engine

    with _admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{TEMPLATE}"')
    open_engine(pg_url(TEMPLATE)).dispose()


def create_database(*, empty: bool = False) -> str:
    """A new database on the test server: at head (cloned), or `empty`. Returns its URL."""
    name = "t_" + uuid.uuid4().hex[:16]
    template = "template0" if empty else TEMPLATE
    with _admin() as con:
        con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return pg_url(name)


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


class Db:
    """A test's window on its database, on either backend (named `:params`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = is_postgres(url)
        self.path = None if self.postgres else url.removeprefix("sqlite:///")

    @property
    def IntegrityError(self) -> type[Exception]:
        if self.postgres:
            import psycopg

            return psycopg.errors.IntegrityError
        return sqlite3.IntegrityError

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A plain DB-API connection in autocommit mode (each statement its own transaction)."""
        if self.postgres:
            import psycopg

            con = psycopg.connect(_dsn(self.url), autocommit=True)
        else:
            con = sqlite3.connect(self.path, isolation_level=None)
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA busy_timeout=10000")
        try:
            yield con
        finally:
            con.close()

    def _sql(self, sql: str) -> str:
        from trainctl.queries import Reader

        return Reader(None, "postgresql" if self.postgres else "sqlite")._sql(sql)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self.connect() as con:
            cur = con.execute(self._sql(sql), params or {})
            return [tuple(r) for r in cur.fetchall()] if cur.description else []

    def dicts(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.connect() as con:
            cur = con.execute(self._sql(sql), params or {})
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        row = self.one(sql, params)
        return row[0] if row else None

    def column(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        return [r[0] for r in self.rows(sql, params)]

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        """One write statement, committed. Returns the row count."""
        with self.connect() as con:
            return con.execute(self._sql(sql), params or {}).rowcount

    def tables(self) -> list[str]:
        if self.postgres:
            return self.column(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        return self.column(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )

    def count(self, table: str) -> int:
        return int(self.scalar(f'SELECT COUNT(*) FROM "{table}"'))

    def dump(self) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """Every row of every table, for 'unchanged' checks."""
        return [
            (n, sorted(self.rows(f'SELECT * FROM "{n}"'), key=repr)) for n in self.tables()
        ]


def engine_url(where: Any) -> str:
    """A SQLAlchemy URL for a test database given as a file path or a URL."""
    text = str(where)
    if text.startswith(("postgresql", "sqlite:")):
        return text
    return f"sqlite:///{text}"
