"""Engine factory, session scope, schema-version check, first-use creation, upgrade, backup.

Reliability rules (DESIGN §6):
- foreign_keys=ON, journal_mode=WAL, synchronous=FULL, busy_timeout 10 s on every connection,
  set in a connect event (the documented FK recipe misbehaves on Python 3.11's sqlite3).
- We control BEGIN ourselves (pysqlite's own handling sends none before a SELECT): reads run
  in BEGIN (deferred), writes in BEGIN IMMEDIATE so a read-then-write waits for the lock
  instead of failing with "database is locked".
- One transaction per command: `session_scope` commits on success and rolls back on error.
- New database files are created with mode 0600, at the newest schema.
- PostgreSQL: every write transaction takes one advisory lock first (`_postgres_write_lock`),
  the same one-writer-at-a-time guarantee; reads never take it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, SQLModel

from trainctl.config import display_url, sqlite_path
from trainctl.dbfile import (  # noqa: F401  (re-exported: the schema rules live in dbfile)
    REVISIONS,
    SCHEMA_HEAD,
    is_read_only,
    no_database,
    not_a_file,
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
    PG_WRITE_LOCK_SQL,
    WRITE_LOCK,
    WRITE_LOCK_TIMEOUT_MS,
    busy_error,
    chunks,
    connect_sqlite,
)


def server_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 (the `postgres` extra), not
    SQLAlchemy's default psycopg2, which trainctl does not install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _server_engine(url: str) -> sa.Engine:
    """An engine for a database server (PostgreSQL), with a clear error for a bad URL or a
    missing driver."""
    try:
        return sa.create_engine(server_url(url))
    except (ImportError, sa.exc.NoSuchModuleError, sa.exc.ArgumentError) as exc:
        raise TrainctlError(
            f"Cannot use the database URL {display_url(url)!r}: {exc}.",
            "For PostgreSQL install the driver (pip install 'trainctl[postgres]') and use "
            "postgresql+psycopg://USER@HOST/DB; for SQLite give a file path.",
        ) from None


def _postgres_write_lock(engine: sa.Engine) -> None:
    """Every write transaction on PostgreSQL starts by taking one transaction-level advisory
    lock, so writers run one at a time as on SQLite (BEGIN IMMEDIATE), while reads
    (REPEATABLE READ READ ONLY snapshots, queries.open_reader, and session_scope(write=False))
    never take it and never wait.

    Why one lock rather than row locks (SELECT ... FOR UPDATE): the services are written as
    read-then-write under SQLite's single writer. Credits add to a progress row's total,
    bulk enrollment checks "no open enrollment" and then inserts (there is no row to lock
    for a row that does not exist yet), imports skip what is already there. Row locks would
    have to be added at every such read, and a missed one is a lost update that no test on
    SQLite would catch; the single lock keeps every existing rule correct as written. The
    lock is taken before the first statement, so under READ COMMITTED every statement of the
    transaction sees every write committed before it (commits become visible before the lock
    is released). It is released by COMMIT/ROLLBACK, and by the server when a client dies.

    Measured (PostgreSQL 15 on localhost, this 2-core machine shared with other work, so
    the figures are noisy; an ad-hoc script: a read-then-write of one setting row, 400 times): the
    lock adds one statement, 0.2-0.6 ms per transaction (1.4-2.3 ms -> 2.1-2.6 ms). Four
    processes each doing 200 such read-then-writes of the same row took 6.6-9.0 s under the
    advisory lock and 8.0-8.6 s with SELECT ... FOR UPDATE on the row instead: the same
    within the noise, as they contend for one row either way; both ended at exactly 800.
    tests/test_postgres_concurrency.py (four processes crediting, enrolling and importing)
    loses an update when this lock is taken out. A department's writes are small and rare
    next to its reads, so one writer at a time costs nothing users see; what it buys is
    that the PostgreSQL backend is exactly as safe as the SQLite file, rule for rule.
    """

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        if not conn.get_execution_options().get("trainctl_write", False):
            return
        try:  # one round trip: the wait's limit (for this transaction only), then the lock
            conn.exec_driver_sql(PG_WRITE_LOCK_SQL)
        except sa.exc.OperationalError as exc:
            if "lock timeout" not in str(exc.orig):
                raise
            raise busy_error(server=True) from None


def make_engine(url: str, *, enforce_fk: bool = True) -> sa.Engine:
    """An engine with trainctl's pragmas (SQLite) or write lock (PostgreSQL).
    `enforce_fk=False` only for migrations."""
    if not url.startswith("sqlite"):
        engine = _server_engine(url)
        if engine.dialect.name == "postgresql":
            _postgres_write_lock(engine)
        return engine
    path = sqlite_path(url)
    if path is not None:  # a read-only folder: reads and dry runs work (queries.connect_sqlite)
        engine = sa.create_engine(url, creator=lambda: connect_sqlite(str(path)))
    else:
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
    return _sqlite_events(engine, enforce_fk=enforce_fk)


def _sqlite_events(engine: sa.Engine, *, enforce_fk: bool = True) -> sa.Engine:
    """trainctl's pragmas on every SQLite connection, and BEGIN / BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        sqlite_pragmas(dbapi_conn, enforce_fk=enforce_fk)

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("trainctl_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def dry_run_engine(url: str) -> sa.Engine | None:
    """For a dry run on a SQLite file trainctl cannot write (a read-only folder or file): an
    engine on an in-memory copy of it. None when the file can be written (a dry run then
    rolls back in the file itself) or the database is a server.

    Some dry runs write their would-be rows and roll them back (`record add`, `record
    import` and `course import` count what their INSERT added); a read-only file refuses
    even that, with exit 77. On the copy they run as anywhere else, and their rows vanish
    with it. The copy is one consistent snapshot (SQLite's backup API) held in memory, about
    the file's size, for the moment of a dry run; nothing is written to disk."""
    path = sqlite_path(url)
    if path is None or not is_read_only(path):
        return None
    source = connect_sqlite(str(path))
    copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        source.backup(copy)
    finally:
        source.close()
    engine = sa.create_engine("sqlite://", creator=lambda: copy, poolclass=sa.pool.StaticPool)
    return _sqlite_events(engine)


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
    and the rows go straight to the DBAPI cursor's executemany; on PostgreSQL (psycopg)
    they go through COPY instead (see `_copy`).
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
        self.copy_sql: str | None = None
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            prep = dialect.identifier_preparer
            self.copy_sql = (
                f"COPY {prep.format_table(table)} "
                f"({', '.join(prep.quote(c) for c in self.columns)}) FROM STDIN"
            )

    def _copy(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """PostgreSQL: the rows through COPY on the connection's own transaction. Measured
        for bulk enrollment's 5,000 enrollment rows (PostgreSQL 15 on localhost, median of
        3 in rolled-back transactions): executemany, which psycopg pipelines, 1.49 s
        (0.83-1.52); COPY 0.60 s (0.43-0.74), 2.5x faster. (The progress rows are made by
        INSERT ... SELECT inside the server; there two thirds of the time is the per-row
        foreign key triggers, 1.1 s of 1.7 s per 40,000 rows by EXPLAIN ANALYZE.)"""
        assert self.copy_sql is not None
        raw = self.conn.connection.driver_connection
        assert raw is not None
        dbapi = self.conn.dialect.loaded_dbapi
        try:
            with raw.cursor() as cur, cur.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except dbapi.Error as exc:  # as SQLAlchemy would have raised it (IntegrityError, ...)
            raise sa.exc.DBAPIError.instance(
                self.copy_sql, None, exc, dbapi.Error, dialect=self.conn.dialect
            ) from exc

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
        if self.copy_sql is not None:
            self._copy(rows)
        elif self.positional:
            if self.order != list(range(len(self.columns))):
                rows = [tuple(r[i] for i in self.order) for r in rows]
            self.conn.exec_driver_sql(self.sql, list(rows))
        else:
            self.conn.exec_driver_sql(
                self.sql, [dict(zip(self.columns, r, strict=True)) for r in rows]
            )


# ------------------------------------------------------------------------- schema version
def _create_file(path: Path, *, make_folders: bool = False, backup: bool = False) -> None:
    """An empty file with mode 0600. Folders are made only for the default location: a
    typo in an explicit --db must not create a database somewhere unexpected. `backup`:
    the file is a backup's destination, and the errors name it so (not --db)."""
    what = "backup file" if backup else "database file"
    given = "the backup's path" if backup else "the --db path (or TRAINCTL_DB)"
    if not path.parent.is_dir():
        if not make_folders:
            raise TrainctlError(
                f"Cannot create the {what} {path}: the folder {path.parent} does not exist.",
                f"Check {given} for a typo, or create the folder first.",
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrainctlError(
                f"Cannot create the folder {path.parent}: {exc.strerror or exc}.",
                "Check that you may write there, or give --db a path in a folder you own.",
            ) from None
    try:
        # O_NONBLOCK: a FIFO put in the file's place meanwhile must not hang the open; the
        # mode is set on what was opened, and only when that is a regular file
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NONBLOCK, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise not_a_file(path)
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    except OSError as exc:
        raise TrainctlError(
            f"Cannot create the {what} {path}: {exc.strerror or exc}.",
            f"Check {given} and that you may write to its folder.",
        ) from None


def create_at_head(engine: sa.Engine) -> None:
    """Create every table at the newest schema and record the head revision."""
    # as a write: on PostgreSQL two first uses at once create the schema once
    with engine.execution_options(trainctl_write=True).begin() as conn:
        if sa.inspect(conn).has_table("alembic_version"):
            return  # another process created it meanwhile
        create_schema(conn)


def create_schema(conn: sa.Connection) -> None:
    """The newest schema, its revision and the built-in positions, in the caller's
    transaction (on PostgreSQL DDL is transactional: `db copy` rolls all of it back)."""
    import trainctl.models as models
    from trainctl.dbfile import postgres_fold_function

    SQLModel.metadata.create_all(conn)
    if conn.dialect.name == "postgresql":  # the case fold SQL says (migration 0010_casefold)
        conn.exec_driver_sql(postgres_fold_function())
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
            raise no_database(url)
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
    """A consistent copy of a live database: VACUUM INTO for a SQLite file, pg_dump's custom
    format (-Fc, one consistent snapshot; restore with pg_restore) for PostgreSQL."""
    path = sqlite_path(url)
    if path is None and not server_url(url).startswith("postgresql"):
        raise TrainctlError(
            "Backups are made of SQLite files and PostgreSQL databases only.",
            "Use your server's backup tools.",
        )
    dest = dest.expanduser().absolute()
    if dest.exists():
        raise TrainctlError(f"{dest} already exists.", "Name a new file; backups never overwrite.")
    if path is None:
        return _pg_dump(url, dest)
    _create_file(dest, backup=True)  # empty and 0600 before any data lands in it (VACUUM INTO accepts it)
    con = connect_sqlite(str(path))  # a read-only folder too: the hint there says back it up
    try:
        con.execute("VACUUM INTO ?", (str(dest),))
    finally:
        con.close()
    return dest


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it
    (PGPASSWORD): a password never shows in the process list."""
    u = sa.engine.make_url(server_url(url))
    env = {"PGPASSWORD": u.password} if u.password else {}
    plain = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_dump(url: str, dest: Path) -> Path:
    import shutil
    import subprocess

    exe = shutil.which("pg_dump")
    if exe is None:
        raise TrainctlError(
            "A PostgreSQL database is backed up with pg_dump, which is not on PATH.",
            "Install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client) "
            f"and run the backup again, or run `pg_dump -Fc -f FILE` against {display_url(url)} yourself.",
        )
    target, env = libpq_target(url)
    _create_file(dest, backup=True)  # 0600 before the dump lands in it (pg_dump truncates, keeps the mode)
    done = subprocess.run(
        [exe, "--format=custom", "--no-password", f"--file={dest}", f"--dbname={target}"],
        env={**os.environ, **env}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        dest.unlink(missing_ok=True)
        raise TrainctlError(
            f"pg_dump failed (exit {done.returncode}): {done.stderr.strip()[:500]}",
            "Nothing was written. pg_dump must be at least the server's version "
            "(pg_dump --version); check the URL and that this user may read every table.",
        )
    return dest


def upgrade(
    url: str, *, revision: str = "head", make_backup: bool = True, notes: list[str] | None = None
) -> tuple[str | None, str, Path | None]:
    """Upgrade the schema. Returns (from, to, backup path); what the post-step did (figures
    re-measured by the living code once at head) is appended to `notes`."""
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
        # PostgreSQL: DDL is transactional (a failed upgrade changes nothing) and the write
        # lock makes the upgrade wait for running writers, as BEGIN on SQLite's file does.
        begin = engine if path else engine.execution_options(trainctl_write=True)
        with begin.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
            if revision == "head":  # in the same transaction: all of it, or nothing
                from trainctl.services.progress.upgrade import after_upgrade

                (notes if notes is not None else []).extend(after_upgrade(conn, before))
        with engine.connect() as conn:
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if path else []
            # read here, not by a read-only connection after dispose(): on SQLite the last
            # connection to close checkpoints the WAL and removes it, which a read-only one
            # cannot do (the .db file alone must hold the upgrade: README, db commands)
            after = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        if bad:
            raise TrainctlError(
                f"The upgrade left {len(bad)} rows whose foreign keys point nowhere.",
                f"Restore the backup {saved} and report this." if saved else None,
            )
    finally:
        engine.dispose()
    return before, str(after or ""), saved


class Check(NamedTuple):
    """One line of `db check`: what was checked, whether it passed, what was found, and,
    for a SQLite integrity_check that found only indexes disagreeing with their tables
    (`dbfile.index_faults`), those indexes (REINDEX rebuilds them)."""

    check: str
    ok: bool
    detail: str
    indexes: tuple[str, ...] = ()


def check(url: str) -> list[Check]:
    """[(check, ok, detail)]: schema at head, then on SQLite integrity_check and
    foreign_key_check; on PostgreSQL (which enforces keys and checks itself) indexes left
    invalid and constraints left unvalidated (an interrupted CREATE INDEX CONCURRENTLY, a
    NOT VALID constraint), which the server would silently not use or not enforce."""
    from trainctl.dbfile import index_faults
    from trainctl.errors import DamagedDatabaseError

    results: list[Check] = []
    try:
        version = read_schema_version(url)
    except DamagedDatabaseError as exc:  # (its own words name the check: not repeated here)
        version = "damaged"
        results.append(Check("schema at head", False, f"SQLite could not read the schema: {exc.reason}"))
    else:
        results.append(
            Check("schema at head", version == SCHEMA_HEAD, f"{version or 'none'} (head {SCHEMA_HEAD})")
        )
    path = sqlite_path(url)
    if version is None:
        return results
    if path is None:
        return results + [Check(*c) for c in _server_checks(url)]
    try:
        con = connect_sqlite(str(path))  # a read-only folder too
    except sqlite3.DatabaseError as exc:
        return [*results, Check("integrity_check", False, f"SQLite could not open the file: {exc}")]
    try:
        # a damaged page can make the check itself fail ("database disk image is
        # malformed"): that is its answer, shown in the table, not an error instead of it
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
            results.append(Check("integrity_check", rows == ["ok"], "; ".join(rows[:5]),
                                 index_faults(rows)))  # fmt: skip
        except sqlite3.DatabaseError as exc:
            results.append(Check("integrity_check", False, _stopped_check(con, exc)))
        try:
            fk = con.execute("PRAGMA foreign_key_check").fetchall()
            results.append(
                Check("foreign_key_check", not fk, f"{len(fk)} dangling references" if fk else "ok")
            )
        except sqlite3.DatabaseError as exc:
            results.append(Check("foreign_key_check", False, f"SQLite stopped the check: {exc}"))
    finally:
        con.close()
    return results


def _stopped_check(con: sqlite3.Connection, exc: sqlite3.DatabaseError) -> str:
    """What to say when a damaged page stopped PRAGMA integrity_check ("database disk image
    is malformed"): SQLite's words, then what quick_check (which walks every page without
    comparing indexes with their tables, so it does not stop there) says of the damaged
    pages ("Page 56: btreeInitPage() returns error code 11"), and the tables whose own
    check fails (a table with its indexes): where the damage is."""
    said = [f"SQLite stopped the check: {exc}"]
    with contextlib.suppress(sqlite3.DatabaseError):
        quick = [" ".join(str(r[0]).replace("*** in database main ***", "").split())
                 for r in con.execute("PRAGMA quick_check")]  # fmt: skip
        said += [f"quick_check: {line}" for line in quick[:5] if line and line != "ok"]
    with contextlib.suppress(sqlite3.DatabaseError):
        damaged = []
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall():
            try:
                quoted = name.replace('"', '""')
                if [r[0] for r in con.execute(f'PRAGMA integrity_check("{quoted}")')] != ["ok"]:
                    damaged.append(name)
            except sqlite3.DatabaseError:
                damaged.append(name)
        if damaged:
            said.append(f"damaged: table {', '.join(damaged)} (or its indexes)")
    return "; ".join(said)


def _server_checks(url: str) -> list[tuple[str, bool, str]]:
    from trainctl.queries import open_reader

    with open_reader(url) as rd:
        bad_indexes = rd.column(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready) "
            "ORDER BY c.relname"
        )
        bad_constraints = rd.column(
            "SELECT t.relname || '.' || k.conname FROM pg_constraint k "
            "JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT k.convalidated ORDER BY 1"
        )
        server = rd.scalar("SHOW server_version")
        pages = _amcheck(rd)
    return [
        ("indexes valid", not bad_indexes,
         f"invalid: {', '.join(bad_indexes)} (REINDEX them)" if bad_indexes else "ok"),
        ("constraints validated", not bad_constraints,
         f"not validated: {', '.join(bad_constraints)} (ALTER TABLE ... VALIDATE CONSTRAINT)"
         if bad_constraints else "ok"),
        pages,
        ("server", True, f"PostgreSQL {server}"),
    ]  # fmt: skip


def _amcheck(rd: Any) -> tuple[str, bool, str]:
    """Every page of trainctl's tables and B-tree indexes read and checked by the server's
    amcheck extension (verify_heapam, bt_index_check: what pg_amcheck runs), when it is
    installed in the database: a damaged page that no command reads shows nowhere else.
    trainctl does not install it (CREATE EXTENSION needs the server's administrator). Each
    relation in a savepoint: a damaged one is named, the others still checked."""
    version = rd.scalar("SELECT extversion FROM pg_extension WHERE extname = 'amcheck'")
    if version is None:
        return ("amcheck", True, "not run: the amcheck extension is not installed in this "
                "database (its administrator: CREATE EXTENSION amcheck)")  # fmt: skip
    relations = rd.all(
        "SELECT c.relname, c.relkind, a.amname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am a ON a.oid = c.relam "
        "LEFT JOIN pg_index i ON i.indexrelid = c.oid WHERE n.nspname = current_schema() "
        "AND (c.relkind = 'r' OR (c.relkind = 'i' AND a.amname = 'btree' AND i.indisvalid "
        "AND i.indisready)) ORDER BY c.relkind DESC, c.relname"
    )
    heap = rd.scalar("SELECT 1 FROM pg_proc WHERE proname = 'verify_heapam'") is not None
    damaged: list[str] = []
    checked = 0
    for name, kind, _ in relations:
        if kind == "r" and not heap:  # amcheck before 1.3 (PostgreSQL 13): indexes only
            continue
        checked += 1
        rd.conn.execute("SAVEPOINT trainctl_amcheck")
        try:
            if kind == "r":
                found = rd.all("SELECT blkno, msg FROM verify_heapam(CAST(:t AS regclass)) LIMIT 3", {"t": name})
                damaged += [f"table {name}, block {b}: {m}" for b, m in found]
            else:
                rd.all("SELECT bt_index_check(CAST(:i AS regclass))::text", {"i": name})
        except Exception as exc:  # the server's own words (data_corrupted, index_corrupted)
            rd.conn.execute("ROLLBACK TO SAVEPOINT trainctl_amcheck")
            if getattr(exc, "sqlstate", None) == "42501":  # amcheck is superuser-only by default
                return ("amcheck", True, "not run: this database user may not run amcheck's "
                        "functions (its administrator: GRANT EXECUTE ON FUNCTION "
                        "bt_index_check(regclass), verify_heapam TO the user)")  # fmt: skip
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            damaged.append(f"{'table' if kind == 'r' else 'index'} {name}: {reason}")
        rd.conn.execute("RELEASE SAVEPOINT trainctl_amcheck")
    if damaged:
        return ("amcheck", False, "damaged: " + "; ".join(damaged[:5])
                + (f"; and {len(damaged) - 5} more" if len(damaged) > 5 else ""))  # fmt: skip
    return ("amcheck", True, f"ok ({checked} tables and indexes, amcheck {version})")
