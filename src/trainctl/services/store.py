"""The write side's DB-API connection: named-parameter SQL through the DB-API, on the
command's one transaction.

`progress update` is the everyday write: a cold run that imports SQLAlchemy, SQLModel and
pydantic and builds every model class costs about 1 s of CPU before it writes one credit
(bench/writes.py). So the progress package writes plain SQL, like the read side
(trainctl.queries), in the subset SQLite and PostgreSQL both run:
- `open_writer` gives the command its own transaction (BEGIN IMMEDIATE on SQLite, with the
  pragmas every trainctl connection gets), without importing the ORM;
- `writer_of(session)` gives the feeds and use cases that hold an ORM Session the same
  `Writer` on the session's own connection and transaction, so one function serves both.
  `sync()` then expires the session's objects, which the SQL may have changed.

Values are written as SQLAlchemy's column types would store them (`param`): timestamps as
naive UTC (SQLite: SQLAlchemy's text form), dates as ISO dates on SQLite, dicts and lists as
JSON.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from trainctl.config import sqlite_path
from trainctl.dbfile import sqlite_pragmas
from trainctl.queries import Params, Reader

_TARGET = re.compile(r"\s*(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(\w+)", re.IGNORECASE)


class Writer(Reader):
    """A Reader that also writes, within the transaction it was given."""

    def __init__(self, conn: Any, dialect: str, session: Any = None, sa_conn: Any = None) -> None:
        super().__init__(conn, dialect)
        self.session = session  # the ORM session whose connection this is, if any
        # ... and its SQLAlchemy Connection: reads and writes go through it (exec_driver_sql), so
        # SQLAlchemy's events and transaction state see them
        self.sa_conn = sa_conn
        self.touched: set[str] = set()  # tables written since the last sync()

    def param(self, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime: trainctl stores timezone-aware UTC timestamps")
            naive = value.astimezone(UTC).replace(tzinfo=None)
            # SQLAlchemy's SQLite DATETIME storage format (microseconds always written)
            return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.dialect == "sqlite" else naive
        if isinstance(value, date):
            return value.isoformat() if self.dialect == "sqlite" else value
        if isinstance(value, dict | list):
            if self.dialect == "sqlite":
                return json.dumps(value)
            from psycopg.types.json import Json  # type: ignore[import-not-found, unused-ignore]  # optional driver

            return Json(value)
        return value

    def _params(self, params: Params | None) -> dict[str, Any]:
        return {k: self.param(v) for k, v in (params or {}).items()}

    def all(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        if self.sa_conn is None:
            return super().all(sql, params)
        result = self.sa_conn.exec_driver_sql(self._sql(sql), self._params(params))
        return [tuple(r) for r in result.fetchall()]

    def rows(self, sql: str, params: Params | None = None) -> Iterator[Sequence[Any]]:
        if self.sa_conn is None:
            yield from super().rows(sql, params)
            return
        yield from self.sa_conn.exec_driver_sql(self._sql(sql), self._params(params))

    def _wrote(self, sql: str) -> None:
        if self.session is not None and (m := _TARGET.match(sql)):
            self.touched.add(m.group(1).lower())

    def execute(self, sql: str, params: Params | None = None) -> int:
        """One statement; returns the number of rows it changed."""
        self._wrote(sql)
        if self.sa_conn is not None:
            return int(self.sa_conn.exec_driver_sql(self._sql(sql), self._params(params)).rowcount)
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), self._params(params))
            return int(cur.rowcount)
        finally:
            cur.close()

    def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        self._wrote(sql)
        values = [self._params(r) for r in rows]
        if self.sa_conn is not None:
            self.sa_conn.exec_driver_sql(self._sql(sql), values)
            return
        cur = self.conn.cursor()
        try:
            cur.executemany(self._sql(sql), values)
        finally:
            cur.close()

    def sync(self) -> None:
        """After writing through an ORM session's connection: its objects of the tables
        written reload on next use (the SQL may have changed them)."""
        if self.session is None or not self.touched:
            return
        for obj in list(self.session.identity_map.values()):
            if getattr(getattr(type(obj), "__table__", None), "name", None) in self.touched:
                self.session.expire(obj)
        self.touched.clear()


def writer_of(db: Any) -> Writer:
    """The Writer for `db`: itself, or an ORM session's connection (flushed first, so the SQL
    sees what the session holds)."""
    if isinstance(db, Writer):
        return db
    db.flush()
    conn = db.connection()
    return Writer(conn.connection.driver_connection, conn.dialect.name, session=db, sa_conn=conn)


def _take_write_lock(conn: Any) -> None:
    """PostgreSQL: the one write lock the ORM engine also takes (queries.PG_WRITE_LOCK_SQL)."""
    from trainctl.queries import PG_WRITE_LOCK_SQL, busy_error

    try:
        conn.execute(PG_WRITE_LOCK_SQL)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) == "55P03":  # lock_not_available: lock_timeout hit
            conn.execute("ROLLBACK")
            raise busy_error(server=True) from None
        raise


@contextmanager
def open_writer(url: str) -> Iterator[Writer]:
    """One write transaction on the database at `url`: committed when the block succeeds,
    rolled back when it raises (db.session_scope's rule, without the ORM)."""
    path = sqlite_path(url)
    if path is not None:
        conn: Any = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        sqlite_pragmas(conn)
        dialect, begin = "sqlite", "BEGIN IMMEDIATE"
    else:
        from trainctl.queries import _postgres  # the PostgreSQL driver only when used

        conn, dialect, begin = _postgres(url), "postgresql", "BEGIN"
    try:
        conn.execute(begin)
        try:
            if dialect == "postgresql":  # writers take turns, as under BEGIN IMMEDIATE
                _take_write_lock(conn)
            yield Writer(conn, dialect)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()
