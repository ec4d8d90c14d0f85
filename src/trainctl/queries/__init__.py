"""The read side: named SQL queries shaped for the screen, returning typed rows.

Read commands (every `list`, `show`, `log`, `me`, `pending`, and the reports) run here, on a
plain DB-API connection: the standard library's sqlite3 for the embedded database, psycopg
for PostgreSQL. Nothing in this package imports SQLAlchemy, SQLModel, pydantic or the model
classes, so a read command starts almost as fast as Python itself (DESIGN §1, §7; measured
in bench/reads.py). `tests/test_queries_schema.py` proves that each query module's idea of a
table (`TABLES`) matches models.py.

SQL is written once, with named parameters (`:name`), in the subset both engines run. The
write side uses the same lookups (resolvers, permissions) through `reader_of(session)`, on
the session's own connection and transaction, so a rule exists in one function.

Values come back as the driver gives them; the `as_*` helpers turn SQLite's text into the
same Python values SQLAlchemy would have produced (aware UTC datetimes, dates, JSON, bools).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from trainctl.errors import LockedError

T = TypeVar("T")
Params = Mapping[str, Any]

BUSY_TIMEOUT_MS = 10_000
CHUNK = 5000  # values per IN (...) list: SQLite and PostgreSQL both cap bound parameters
# The one write lock on PostgreSQL ("trainctl" in ASCII; advisory locks are per database),
# taken first in every write transaction, by the ORM engine (db.py) and the plain-SQL writer
# (services/store.py) alike: writers take turns as under SQLite's BEGIN IMMEDIATE (the why
# and the figures: db._postgres_write_lock). The wait is limited like SQLite's busy_timeout.
WRITE_LOCK = 0x747261696E63746C
WRITE_LOCK_TIMEOUT_MS = BUSY_TIMEOUT_MS
PG_WRITE_LOCK_SQL = (
    f"SELECT set_config('lock_timeout', '{WRITE_LOCK_TIMEOUT_MS}', true), "
    f"pg_advisory_xact_lock({WRITE_LOCK})"
)


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` says another writer held the database too long: LockedError, SQLite's
    "database is locked" (its busy timeout ran out), PostgreSQL's lock_not_available (the
    write lock's timeout)."""
    from trainctl.errors import LockedError

    if isinstance(exc, LockedError):
        return True
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlstate", None) == "55P03" or "database is locked" in str(orig)


def busy_error(server: bool = False) -> LockedError:
    """The write lock was not granted in time (exit 75, as a busy SQLite file). On a server
    there is no file to close: another connection holds trainctl's write lock."""
    from trainctl.errors import LockedError

    if server:
        return LockedError(
            f"The database is busy: another connection (another trainctl run) held its "
            f"write lock for more than {WRITE_LOCK_TIMEOUT_MS // 1000} s.",
            "Try again when the other run has finished.",
        )
    return LockedError(
        f"The database is busy: another connection (another trainctl run, or a program "
        f"with the file open) held it for more than {WRITE_LOCK_TIMEOUT_MS // 1000} s.",
        "Try again when the other run has finished (or close the program holding the file).",
    )


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Reader:
    """A DB-API connection with named-parameter SQL that runs on SQLite and PostgreSQL."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        if self.dialect == "sqlite":
            return sql
        # psycopg: pyformat parameters; a literal % must be doubled
        return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))

    def all(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), dict(params or {}))
            return [tuple(r) for r in cur.fetchall()]
        finally:
            cur.close()

    def rows(self, sql: str, params: Params | None = None) -> Iterator[Sequence[Any]]:
        """The rows as the driver gives them, one at a time (for reads of many thousands of
        rows: no list of copies)."""
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), dict(params or {}))
            yield from cur
        finally:
            cur.close()

    def one(self, sql: str, params: Params | None = None) -> tuple[Any, ...] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = self.one(sql, params)
        return row[0] if row else None

    def column(self, sql: str, params: Params | None = None) -> list[Any]:
        return [r[0] for r in self.all(sql, params)]


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """`items` in slices of at most `size` (IN lists, bulk statements)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`(:name_0, :name_1, ...)` and its parameters, for `col IN ...` (never empty)."""
    if not values:
        return "(NULL)", {}
    params = {f"{name}_{i}": v for i, v in enumerate(values)}
    return "(" + ", ".join(f":{k}" for k in params) + ")", params


# ------------------------------------------------------------------------- value helpers
_DAYS: dict[Any, date] = {}


def as_date(value: Any) -> date | None:
    """A stored date as a date: ISO text on SQLite ('YYYY-MM-DD', or a timestamp's first
    ten characters), a date or datetime on PostgreSQL. Text is parsed once per distinct
    value: a bulk read (the reminders selection, the compliance matrix) meets the same few
    thousand days tens of thousands of times (75,600 ISO days, as many calls as one
    `reminders send --dry-run` on bench/reminders.py makes, best of 7: 0.026 -> 0.006 s)."""
    found = _DAYS.get(value)
    if found is not None:
        return found
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if len(_DAYS) > 100_000:  # bounded: far more days than any database holds
        _DAYS.clear()
    found = _DAYS[value] = date.fromisoformat(str(value)[:10])
    return found


def as_utc(value: Any) -> datetime | None:
    """Stored naive UTC ('YYYY-MM-DD HH:MM:SS[.ffffff]') -> an aware UTC datetime."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def json_int(dialect: str, column: str, key: str) -> str:
    """SQL for the whole number stored under `key` of the JSON object in `column` (NULL when
    absent): SQLite's json_extract, PostgreSQL's ->> of its json type, cast."""
    if dialect == "sqlite":
        return f"json_extract({column}, '$.{key}')"
    return f"(({column})->>'{key}')::bigint"


def by_text(dialect: str, *columns: str) -> str:
    """ORDER BY terms for text columns in code point order on both backends: SQLite's
    BINARY, PostgreSQL's "C" (the same order for UTF-8). A plain ORDER BY name on
    PostgreSQL follows the database's collation, which its creator chose (en-US files
    "anna" beside "Ana", "Émile" among the E's), and the README promises the same rows in
    the same order on both."""
    if dialect == "sqlite":
        return ", ".join(columns)
    return ", ".join(f'{c} COLLATE "C"' for c in columns)


def as_json(value: Any) -> Any:
    if isinstance(value, str | bytes | bytearray):
        return json.loads(value)
    return value


def required(value: T | None) -> T:
    """A NOT NULL column's value, typed as such (the schema guarantees it is there)."""
    assert value is not None
    return value


def as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)


# ------------------------------------------------------------------------------ opening
def connect_sqlite(path: str) -> Any:
    """The one way trainctl opens a SQLite file to read it: the read side's connections,
    the ORM engine's (db.make_engine: a dry run reads through it) and `db backup` / `db
    check`. Where the file or its folder is read-only, SQLite cannot make the -shm file a
    WAL database needs even to read, and the file is opened read-only instead: reads (and
    dry runs) work, a write fails as read-only (cli/main.py: exit 77)."""
    import sqlite3

    from trainctl.dbfile import register_fold  # SQL's case fold (dbfile.FOLD_FUNCTION)

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        register_fold(conn)
    except sqlite3.OperationalError as exc:
        conn.close()
        if is_busy(exc):  # held locked even against readers, past the busy timeout
            raise busy_error() from None
        # a read-only file or folder: reads still work (dbfile.connect_readonly)
        from pathlib import Path

        from trainctl.dbfile import connect_readonly

        conn = connect_readonly(Path(path))
    return conn


def _postgres(url: str) -> Any:
    try:
        import psycopg  # type: ignore[import-not-found, unused-ignore]  # optional: trainctl[postgres]
    except ImportError:
        from trainctl.errors import TrainctlError

        raise TrainctlError(
            "PostgreSQL needs the psycopg driver, which is not installed.",
            "pip install 'trainctl[postgres]'",
        ) from None
    dsn = re.sub(r"^postgresql(\+\w+)?://", "postgresql://", url)
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        from trainctl.config import display_url
        from trainctl.errors import DatabaseUnavailableError

        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailableError(
            f"Cannot connect to the database server at {display_url(url)}: {reason}",
            "Check that the PostgreSQL server is running and the URL (--db or TRAINCTL_DB): "
            "postgresql+psycopg://USER[:PASSWORD]@HOST[:PORT]/DATABASE.",
        ) from None


@contextmanager
def open_reader(url: str) -> Iterator[Reader]:
    """A read-only transaction (one consistent snapshot) on the database at `url`."""
    from trainctl.config import sqlite_path

    path = sqlite_path(url)
    if path is not None:
        conn, dialect = connect_sqlite(str(path)), "sqlite"
        begin = "BEGIN"
    else:
        conn, dialect = _postgres(url), "postgresql"
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    try:
        conn.execute(begin)
        try:
            yield Reader(conn, dialect)
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


BULK_MMAP_BYTES = 1 << 30  # address space only: pages are the OS's page cache, shared


def for_bulk_reads(rd: Reader) -> None:
    """Set up `rd`'s connection for a read that walks much of a large database (the
    reminders selection; a report over every member). SQLite: the file is memory-mapped,
    so pages come from the OS's page cache without a system call each. With the default
    2 MB page cache, `reminders send --dry-run` on bench/reminders.py (a 190 MB file) made
    302,487 pread64 calls: 0.35-0.45 s of system time, a fifth of the run; mapped, 0.1 s
    (strace -c, getrusage). Allowed inside a transaction; for the rest of the connection's
    life. PostgreSQL: nothing to do."""
    if rd.dialect == "sqlite":
        rd.conn.execute(f"PRAGMA mmap_size={BULK_MMAP_BYTES}")


def reader_of(session: Any) -> Reader:
    """The read side on a write session's own connection and transaction."""
    conn = session.connection()
    raw = conn.connection.driver_connection
    return Reader(raw, conn.dialect.name)
