"""The database file's schema version, read without SQLAlchemy or Alembic (stdlib sqlite3).

Every command checks the version before it opens the database: a new file is created at the
newest schema (the only time a read command imports the ORM), an existing file behind the
code is refused with exit 78 and a hint to upgrade, a foreign or newer file is never touched.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from trainctl.config import display_url, sqlite_path
from trainctl.errors import SchemaBehindError, TrainctlError
from trainctl.queries import BUSY_TIMEOUT_MS

# Every revision in order; the last one is the head. A test keeps this equal to the scripts.
REVISIONS = (
    "0001_catalog", "0002_programs", "0003_enrollment", "0004_progress_link_index", "0005_records",
    "0006_reminders", "0007_ci_unique", "0008_effective_dates", "0009_member_history",
    "0010_reminder_indexes",
)  # fmt: skip
SCHEMA_HEAD = REVISIONS[-1]


def sqlite_pragmas(conn: sqlite3.Connection, *, enforce_fk: bool = True) -> None:
    """What every trainctl SQLite connection runs first (DESIGN §6), for the ORM's engine
    (db.make_engine) and the progress writer alike: we emit BEGIN ourselves, wait up to 10 s
    for a lock, enforce foreign keys (off only for migrations), WAL, synchronous FULL."""
    conn.isolation_level = None  # we emit BEGIN ourselves
    cur = conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute(f"PRAGMA foreign_keys={'ON' if enforce_fk else 'OFF'}")
    with contextlib.suppress(sqlite3.OperationalError):  # read-only medium: keep its mode
        cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def server_schema_version(url: str) -> str | None:
    """The alembic revision stored in a server database (PostgreSQL), read with plain
    psycopg like the read side: a read command on PostgreSQL imports no SQLAlchemy."""
    from trainctl.queries import _postgres

    conn = _postgres(url)
    try:
        names = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            ).fetchall()
        }
        if not names:
            return None
        if "alembic_version" not in names:
            return ""
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else ""
    finally:
        conn.close()


def read_schema_version(url: str) -> str | None:
    """The alembic revision stored in the database.

    Returns None for a missing or empty database, "" for tables without a version row.
    """
    path = sqlite_path(url)
    if path is None:
        return server_schema_version(url)
    if path.is_dir():
        raise TrainctlError(
            f"{path} is a directory, not a database file.",
            "Give --db a file name, e.g. --db training.db.",
        )
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        con = connect_readonly(path)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return None
            if "alembic_version" not in tables:
                return ""
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else ""
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise TrainctlError(
            f"{path} is not a SQLite database ({exc}).",
            "Point --db at a trainctl database, or at a new file.",
        ) from None


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection that also works where nothing may be written.

    A database in WAL mode needs its -shm file beside it even to read; in a read-only
    folder (or on read-only media) SQLite cannot make it and answers "unable to open
    database file". Then the file is opened as immutable: nobody can be writing it there.
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return con
    except sqlite3.OperationalError as exc:
        con.close()
        if "unable to open" not in str(exc) and "readonly" not in str(exc):
            raise
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None)


def is_read_only(path: Path) -> bool:
    """True when trainctl cannot write the database (the file or its folder)."""
    import os

    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return True
    probe = path.with_name(f".{path.name}.write-probe")
    try:
        probe.touch()
        probe.unlink()
    except OSError:
        return True
    try:
        with path.open("r+b"):
            return False
    except OSError:
        return True


def version_status(version: str | None) -> str:
    """'new', 'head', 'behind', 'foreign' (tables but no version) or 'newer'."""
    if version is None:
        return "new"
    if version == SCHEMA_HEAD:
        return "head"
    if version in REVISIONS:
        return "behind"
    return "foreign" if version == "" else "newer"


def refuse_foreign_or_newer(url: str, version: str | None) -> None:
    status = version_status(version)
    if status == "foreign":
        raise TrainctlError(
            f"{display_url(url)} is not a trainctl database (it has tables but no schema version).",
            "Point --db at a trainctl database, or at a new file.",
        )
    if status == "newer":
        raise TrainctlError(
            f"The database schema ({version}) is newer than this trainctl ({SCHEMA_HEAD}).",
            "Upgrade trainctl (pip install -U trainctl).",
        )


def ensure_current(url: str) -> None:
    """Ready for a command: created at head on first use, refused when behind or foreign."""
    version = read_schema_version(url)
    if version == SCHEMA_HEAD:
        return
    if version is None:
        from trainctl.db import open_engine

        open_engine(url).dispose()  # creates the file at head (imports the ORM, once)
        return
    refuse_unless_head(url, version)


def refuse_unless_head(url: str, version: str | None) -> None:
    """Foreign and newer files are never touched; a file behind the code exits 78."""
    if version == SCHEMA_HEAD:
        return
    refuse_foreign_or_newer(url, version)
    raise SchemaBehindError(
        f"The database schema is at {version}; this trainctl needs {SCHEMA_HEAD}.",
        "Run `trainctl db upgrade` (it backs the file up first).",
    )
