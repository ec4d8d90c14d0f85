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

try:  # imported once, here: a test may hide the driver from trainctl (sys.modules)
    import psycopg
except ImportError:  # the SQLite run needs no driver
    psycopg = None

BACKEND = os.environ.get("TRAINCTL_TEST_BACKEND", "sqlite")
PG_ADMIN = os.environ.get("TRAINCTL_TEST_PG", "")
POSTGRES = BACKEND == "postgres"
# one template per test session: two runs on one server never drop each other's
TEMPLATE = f"trainctl_test_head_{os.getpid()}"

if POSTGRES and not PG_ADMIN:
    raise RuntimeError("TRAINCTL_TEST_BACKEND=postgres needs TRAINCTL_TEST_PG (an admin URL)")


def _dsn(url: str) -> str:
    return re.sub(r"^postgresql(\+\w+)?://", "postgresql://", url)


def pg_url(name: str) -> str:
    """The URL of database `name` on the test server."""
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _admin() -> Any:
    return psycopg.connect(_dsn(PG_ADMIN), autocommit=True)


def make_template() -> None:
    """A database at the newest schema, cloned for every test (once per test session)."""
    from trainctl.db import open_engine

    with _admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{TEMPLATE}"')
    open_engine(pg_url(TEMPLATE)).dispose()


def drop_template() -> None:
    with _admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')


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
            return psycopg.errors.IntegrityError
        return sqlite3.IntegrityError

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A plain DB-API connection in autocommit mode (each statement its own transaction)."""
        if self.postgres:
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
        """Rows as {column: value}, values as SQLite stores them on both backends (ISO text
        dates, 0/1 booleans, JSON text: see _as_sqlite_text)."""
        with self.connect() as con:
            cur = con.execute(self._sql(sql), params or {})
            names = [d[0] for d in cur.description]
            return [
                {n: _as_sqlite_text(v) for n, v in zip(names, r, strict=True)}
                for r in cur.fetchall()
            ]

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

    def schema(self) -> dict[str, list[str]]:
        """Every table's columns, in order."""
        out = {}
        for n in self.tables():
            with self.connect() as con:
                cur = con.execute(f'SELECT * FROM "{n}" WHERE 1 = 0')
                out[n] = [d[0] for d in cur.description]
        return out

    def dump(self, schema: dict[str, list[str]] | None = None) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """Every row of every table, for 'unchanged' checks; with `schema` (an earlier
        `schema()`), the tables and columns it names: what an upgrade must have carried,
        whatever later revisions added."""
        if schema is None:
            return [
                (n, sorted(self.rows(f'SELECT * FROM "{n}"'), key=repr)) for n in self.tables()
            ]
        return [
            (n, sorted(self.rows(f"SELECT {', '.join(cols)} FROM \"{n}\""), key=repr))
            for n, cols in schema.items()
        ]


# Rows a later revision adds to a built-in table (0019_more_positions: two positions): an
# upgrade test that compares what it carried leaves them out.
LATER_ROWS = {"position": frozenset({"aerial_operator", "chief_officer"})}


def carried(dump: list[tuple[str, list[tuple[Any, ...]]]]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """A dump after an upgrade to head, as it compares with the dump before it: without the
    version table, and without the rows later revisions add (LATER_ROWS)."""
    return [
        (table, [r for r in rows if r[0] not in LATER_ROWS.get(table, ())])
        for table, rows in dump
        if table != "alembic_version"
    ]


def engine_url(where: Any) -> str:
    """A SQLAlchemy URL for a test database given as a file path or a URL."""
    text = str(where)
    if text.startswith(("postgresql", "sqlite:")):
        return text
    return f"sqlite:///{text}"


# ----------------------------------------------------------------- sqlite3-style connections
def _as_sqlite_text(value: Any) -> Any:
    """A PostgreSQL value in the form SQLite stores it, so one assertion fits both backends:
    dates and timestamps as ISO text, booleans as 0/1, JSON as its json.dumps text."""
    import json
    from datetime import date, datetime

    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


class _Cursor:
    def __init__(self, cur: Any) -> None:
        self._cur = cur
        self.rowcount = cur.rowcount
        self.description = cur.description

    def _row(self, row: Any) -> tuple[Any, ...]:
        return tuple(_as_sqlite_text(v) for v in row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [self._row(r) for r in self._cur.fetchall()] if self._cur.description else []

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cur.fetchone() if self._cur.description else None
        return None if row is None else self._row(row)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


class _Compat:
    """The slice of sqlite3.Connection the tests use, on PostgreSQL (autocommit; `?` and
    `:name` parameters; values as SQLite would return them)."""

    def __init__(self, url: str) -> None:
        self._con = psycopg.connect(_dsn(url), autocommit=True)

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        sql = sql.replace("%", "%%")
        if isinstance(params, dict):
            sql = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)
        else:
            sql = sql.replace("?", "%s")
        return _Cursor(self._con.execute(sql, params))

    def executemany(self, sql: str, rows: Any) -> None:
        with self._con.cursor() as cur:
            cur.executemany(sql.replace("%", "%%").replace("?", "%s"), list(rows))

    def commit(self) -> None:
        pass

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> _Compat:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


def connect(where: Any) -> Any:
    """sqlite3.connect for a test database given as a path or URL; on PostgreSQL a connection
    with the same methods whose values read like SQLite's (see _as_sqlite_text)."""
    text = str(where)
    if is_postgres(text):
        return _Compat(text)
    return sqlite3.connect(text.removeprefix("sqlite:///"))
