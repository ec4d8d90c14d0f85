"""Engine factory, session scope, schema-version check, first-use creation, upgrade, backup.

Reliability rules (DESIGN §6):
- foreign_keys=ON, journal_mode=WAL, synchronous=FULL, busy_timeout 10 s on every connection,
  set in a connect event (the documented FK recipe misbehaves on Python 3.11's sqlite3).
- We control BEGIN ourselves (pysqlite's own handling sends none before a SELECT): reads run
  in BEGIN (deferred), writes in BEGIN IMMEDIATE so a read-then-write waits for the lock
  instead of failing with "database is locked".
- One transaction per command: `session_scope` commits on success and rolls back on error.
- New database files are created with mode 0600, at the newest schema.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, SQLModel

from trainctl.config import sqlite_path
from trainctl.dbfile import (  # noqa: F401  (re-exported: the schema rules live in dbfile)
    REVISIONS,
    SCHEMA_HEAD,
    read_schema_version,
    refuse_foreign_or_newer,
    refuse_unless_head,
    server_schema_version,
    sqlite_pragmas,
    version_status,
)
from trainctl.errors import TrainctlError
from trainctl.queries import (  # noqa: F401  (chunks: the one IN-list slicer, for both sides)
    BUSY_TIMEOUT_MS,
    CHUNK,
    chunks,
)


def _server_engine(url: str) -> sa.Engine:
    """An engine for a database server (PostgreSQL), with a clear error for a bad URL or a
    missing driver."""
    try:
        return sa.create_engine(url)
    except (ImportError, sa.exc.NoSuchModuleError, sa.exc.ArgumentError) as exc:
        raise TrainctlError(
            f"Cannot use the database URL {url!r}: {exc}.",
            "For PostgreSQL install a driver (pip install 'psycopg[binary]') and use "
            "postgresql+psycopg://USER@HOST/DB; for SQLite give a file path.",
        ) from None


def make_engine(url: str, *, enforce_fk: bool = True) -> sa.Engine:
    """An engine with trainctl's pragmas. `enforce_fk=False` only for migrations."""
    if not url.startswith("sqlite"):
        return _server_engine(url)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        sqlite_pragmas(dbapi_conn, enforce_fk=enforce_fk)

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("trainctl_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def session_scope(engine: sa.Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    bind = engine.execution_options(trainctl_write=write)
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            if write:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise


def insert_ignoring(
    dialect: sa.Dialect, table: sa.Table, key: Sequence[str], where: str | None = None
) -> Any:
    """INSERT ... ON CONFLICT (key) [WHERE partial-index predicate] DO NOTHING, in the
    connected dialect (SQLite 3.24+ and PostgreSQL spell it the same way): imports and
    feeds write idempotently by a unique key."""
    index_where = sa.text(where) if where else None
    if dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # the PostgreSQL dialect only when used

        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=list(key), index_where=index_where
        )
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(
        index_elements=list(key), index_where=index_where
    )


def table(model: type[Any]) -> sa.Table:
    """A model's Core table, typed (SQLModel does not declare `__table__`)."""
    core: sa.Table = model.__table__
    return core


# ------------------------------------------------------------------------------ bulk insert
def _bind_processor(type_: Any, dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    """The bind processor SQLAlchemy itself applies: the dialect's implementation of the
    type (on SQLite, DATE and DATETIME become ISO strings here, not in pysqlite's
    deprecated per-row adapters)."""
    proc: Callable[[Any], Any] | None = type_.dialect_impl(dialect).bind_processor(dialect)
    return proc


class BulkInsert:
    """executemany of plain tuples, with the dialect's own INSERT text and bind processors.

    Core's executemany builds a parameter dict per row, which costs as much as SQLite's
    own insert work; here the statement is compiled once by SQLAlchemy for whichever
    dialect is connected (qmark for SQLite, named for PostgreSQL), type processors are
    applied per column only where the dialect needs one (dates and timestamps on SQLite),
    and the rows go straight to the DBAPI cursor's executemany.
    """

    def __init__(self, conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> None:
        self.conn = conn
        self.columns = list(columns)
        dialect = conn.dialect
        stmt = sa.insert(table).values({c: sa.bindparam(c) for c in self.columns})
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        order = list(compiled.positiontup or []) if self.positional else self.columns
        self.order = [self.columns.index(k) for k in order]
        self.procs = [
            (i, proc)
            for i, c in enumerate(self.columns)
            if (proc := _bind_processor(table.c[c].type, dialect)) is not None
        ]

    def process(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """Apply the type processors to one row (use it for values shared by many rows)."""
        values = list(row)
        for i, proc in self.procs:
            values[i] = proc(values[i])
        return tuple(values)

    def execute(self, rows: Sequence[tuple[Any, ...]], *, processed: bool = False) -> None:
        if not rows:
            return
        if not processed and self.procs:
            rows = [self.process(r) for r in rows]
        if self.positional:
            if self.order != list(range(len(self.columns))):
                rows = [tuple(r[i] for i in self.order) for r in rows]
            self.conn.exec_driver_sql(self.sql, list(rows))
        else:
            self.conn.exec_driver_sql(
                self.sql, [dict(zip(self.columns, r, strict=True)) for r in rows]
            )


# ------------------------------------------------------------------------- schema version
def _create_file(path: Path, *, make_folders: bool = False) -> None:
    """An empty file with mode 0600. Folders are made only for the default location: a
    typo in an explicit --db must not create a database somewhere unexpected."""
    if not path.parent.is_dir():
        if not make_folders:
            raise TrainctlError(
                f"Cannot create the database file {path}: the folder {path.parent} does not exist.",
                "Check the --db path (or TRAINCTL_DB) for a typo, or create the folder first.",
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrainctlError(
                f"Cannot create the folder {path.parent}: {exc.strerror or exc}.",
                "Check that you may write there, or give --db a path in a folder you own.",
            ) from None
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise TrainctlError(
            f"Cannot create the database file {path}: {exc.strerror or exc}.",
            "Check the --db path (or TRAINCTL_DB) and that you may write to its folder.",
        ) from None


def create_at_head(engine: sa.Engine) -> None:
    """Create every table at the newest schema and record the head revision."""
    import trainctl.models as models

    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        conn.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS alembic_version ("
                "version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(
            sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": SCHEMA_HEAD}
        )
        conn.execute(
            sa.insert(models.Position),
            [{"code": c, "name": n, "is_builtin": True} for c, n in models.POSITION_NAMES.items()],
        )


def open_engine(url: str, *, create: bool = True) -> sa.Engine:
    """Open the department database, creating it at head on first use.

    An existing file behind the code is refused with exit 78 and a hint to upgrade.
    """
    version = read_schema_version(url)
    if version is None:
        if not create:
            raise TrainctlError(
                f"No trainctl database at {url}.", "Run any trainctl command to create it."
            )
        path = sqlite_path(url)
        if path is not None:
            from trainctl.config import default_db_path, demo_db_path

            default = path.absolute() in (default_db_path().absolute(), demo_db_path().absolute())
            _create_file(path, make_folders=default)
        engine = make_engine(url)
        create_at_head(engine)
        return engine
    refuse_unless_head(url, version)
    return make_engine(url)


# ------------------------------------------------------------------------------ migrations
def alembic_config(connection: Any | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "trainctl:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def backup(url: str, dest: Path) -> Path:
    """A consistent copy of a live SQLite database (VACUUM INTO)."""
    path = sqlite_path(url)
    if path is None:
        raise TrainctlError(
            "Backups are made of SQLite files only.", "Use your server's backup tools."
        )
    dest = dest.expanduser().absolute()
    if dest.exists():
        raise TrainctlError(f"{dest} already exists.", "Name a new file; backups never overwrite.")
    _create_file(dest)  # empty and 0600 before any data lands in it (VACUUM INTO accepts it)
    con = sqlite3.connect(path)
    try:
        con.execute("VACUUM INTO ?", (str(dest),))
    finally:
        con.close()
    return dest


def upgrade(
    url: str, *, revision: str = "head", make_backup: bool = True
) -> tuple[str | None, str, Path | None]:
    """Upgrade the schema. Returns (from, to, backup path)."""
    before = read_schema_version(url)
    if before is None:
        engine = open_engine(url)
        engine.dispose()
        return None, SCHEMA_HEAD, None
    refuse_foreign_or_newer(url, before)  # never migrate someone else's file
    saved: Path | None = None
    path = sqlite_path(url)
    if make_backup and path is not None and before != SCHEMA_HEAD:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        saved = backup(url, path.with_name(f"{path.name}.{before or 'unversioned'}.{stamp}.bak"))
    from alembic import command

    engine = make_engine(url, enforce_fk=False)  # a batch rebuild with FKs on can delete children
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
        with engine.connect() as conn:
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if path else []
        if bad:
            raise TrainctlError(
                f"The upgrade left {len(bad)} rows whose foreign keys point nowhere.",
                f"Restore the backup {saved} and report this." if saved else None,
            )
    finally:
        engine.dispose()
    return before, read_schema_version(url) or "", saved


def check(url: str) -> list[tuple[str, bool, str]]:
    """integrity_check + foreign_key_check + schema at head: [(check, ok, detail)]."""
    results: list[tuple[str, bool, str]] = []
    version = read_schema_version(url)
    results.append(
        ("schema at head", version == SCHEMA_HEAD, f"{version or 'none'} (head {SCHEMA_HEAD})")
    )
    path = sqlite_path(url)
    if path is None or version is None:
        return results
    con = sqlite3.connect(path)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        results.append(("integrity_check", rows == ["ok"], "; ".join(rows[:5])))
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        results.append(
            ("foreign_key_check", not fk, f"{len(fk)} dangling references" if fk else "ok")
        )
    finally:
        con.close()
    return results
