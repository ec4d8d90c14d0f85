"""The database file's schema version, read without SQLAlchemy or Alembic (stdlib sqlite3).

Every command checks the version before it opens the database: a new file is created at the
newest schema (the only time a read command imports the ORM), an existing file behind the
code is refused with exit 78 and a hint to upgrade, a foreign or newer file is never touched.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from functools import lru_cache
from pathlib import Path

from trainctl.config import display_url, sqlite_path
from trainctl.domain.text import shell_word
from trainctl.errors import DamagedDatabaseError, NotFoundError, SchemaBehindError, TrainctlError
from trainctl.queries import BUSY_TIMEOUT_MS, busy_error, is_busy

# Every revision in order; the last one is the head. A test keeps this equal to the scripts.
REVISIONS = (
    "0001_catalog", "0002_programs", "0003_enrollment", "0004_progress_link_index", "0005_records",
    "0006_reminders", "0007_ci_unique", "0008_effective_dates", "0009_member_history",
    "0010_casefold", "0011_reminder_indexes", "0012_last_activity", "0013_void_again",
    "0014_cycle_end", "0015_resumed_assigned", "0016_requirement_history", "0017_shift_minutes",
    "0018_requirement_entered_on", "0019_more_positions", "0020_completed_on", "0021_settled_renewals",
    "0022_checklist_signoffs", "0023_signoff_credit", "0024_requirement_retired",
)  # fmt: skip
SCHEMA_HEAD = REVISIONS[-1]


# ------------------------------------------------------------------ case-insensitive SQL
# Names, codes and e-mails compare case aside by Python's str.casefold, the domain's rule
# (domain/lookup.norm, domain/credit.fold), on both backends: SQL says FOLD_FUNCTION(x),
# which is a deterministic Python function on every SQLite connection (`register_fold`:
# SQLite's own lower() folds only A-Z) and an immutable PL/pgSQL function on PostgreSQL
# (`postgres_fold_function`, created with the schema and by migration 0010_casefold: its
# lower() folds É and Ø but not ß, ς or ligatures as casefold does).
FOLD_FUNCTION = "trainctl_fold"


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def register_fold(conn: sqlite3.Connection) -> None:
    """FOLD_FUNCTION on a SQLite connection (deterministic: usable in WHERE and ORDER BY)."""
    conn.create_function(FOLD_FUNCTION, 1, _casefold, deterministic=True)


@lru_cache(maxsize=1)
def postgres_fold_function() -> str:
    """CREATE FUNCTION FOLD_FUNCTION(text) for PostgreSQL: str.casefold of this Python's
    Unicode tables, with no dependence on the server's locale (lower() under a Turkish
    collation makes "I" a dotless ı). Text that is all ASCII (octet length = character
    length in UTF-8) folds A-Z by one short translate(); other text by one translate() for
    the letters that fold to one letter and a replace() for each that folds to several
    (ß -> ss). PL/pgSQL, not a SQL function: PostgreSQL does not inline a body this size,
    and a SQL function called row by row cost 25 us a call on ASCII text (80,000 course
    names scanned in 2.0 s); this one 5 us (0.38 s; lower() alone 0.02 s). Made once a
    process (it walks every code point)."""
    import string
    import sys

    single: list[tuple[str, str]] = []
    multi: list[tuple[str, str]] = []
    for code in range(1, sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        folded = char.casefold()
        if folded != char:
            (single if len(folded) == 1 else multi).append((char, folded))

    def lit(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    body = "s"
    for char, folded in multi:
        body = f"replace({body}, {lit(char)}, {lit(folded)})"
    body = (
        f"translate({body}, {lit(''.join(c for c, _ in single))}, "
        f"{lit(''.join(f for _, f in single))})"
    )
    ascii_fold = f"translate(s, {lit(string.ascii_uppercase)}, {lit(string.ascii_lowercase)})"
    return (
        f"CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(s text) RETURNS text "
        "LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fold$ BEGIN "
        f"IF octet_length(s) = char_length(s) THEN RETURN {ascii_fold}; END IF; "
        f"RETURN {body}; END $fold$"
    )


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
    register_fold(conn)


def server_schema_version(url: str) -> str | None:
    """The alembic revision stored in a server database (PostgreSQL), read with plain
    psycopg like the read side: a read command on PostgreSQL imports no SQLAlchemy."""
    from trainctl.queries import _postgres

    conn = _postgres(url)
    try:
        # the catalog, not information_schema.tables: that lists only the tables the role
        # has some right on, so a role with none saw an existing database as a new one
        names = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
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
    if path.exists() and not path.is_file():
        # a FIFO, a device, a socket: "empty" to stat, but opening one to create a database
        # would block forever (a FIFO) or chmod and write beside a device (/dev/null-journal)
        raise not_a_file(path)
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
        if is_busy(exc):  # another program holds it locked even against readers
            raise busy_error() from None
        raise unreadable(path, exc) from None


# The first 16 bytes of every SQLite database file (sqlite.org/fileformat.html, 1.3).
SQLITE_HEADER = b"SQLite format 3\x00"


def unreadable(path: Path, exc: BaseException | str) -> TrainctlError:
    """Why SQLite cannot read the file at `path` ("database disk image is malformed",
    "file is not a database"), as one line that names the file and what to do: a file
    that starts as a SQLite file does is damaged (a copy cut short, a page overwritten):
    restore a backup; any other file is not a database. The one wording, for the first
    read of a command (read_schema_version) and for a damaged page met later by any read
    or write (cli/main._translate)."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError:
        header = b""
    if header == SQLITE_HEADER:
        return damaged_file(path, reason, "`trainctl db check` shows what SQLite finds wrong with it.")
    return TrainctlError(
        f"{path} is not a SQLite database ({reason}).",
        "Point --db at a trainctl database, or at a new file.",
    )


def damaged_file(path: Path, reason: str, then: str) -> DamagedDatabaseError:
    """The one wording of a damaged SQLite file: "FILE is damaged (REASON): restore it from
    a backup; THEN Nothing was written." (for a command that met the damage, `unreadable`;
    for `db check`, whose integrity check found it)."""
    return DamagedDatabaseError(
        f"{path} is damaged ({reason}): restore it from a backup; {then} Nothing was written.",
        reason,
    )


# PRAGMA integrity_check's lines for an index whose entries disagree with its table (a
# B-tree whose pages are whole): the SQLite source's pragma.c wordings.
INDEX_FAULT = re.compile(
    r"(?:row -?\d+ missing from|wrong # of entries in|non-unique entry in) index (?P<index>\S+)"
)


def index_faults(rows: list[str]) -> tuple[str, ...]:
    """The indexes PRAGMA integrity_check found disagreeing with their tables, when that is
    all it found ("row 7 missing from index uq_member_email_ci", "wrong # of entries in
    index ..."); () when it found anything else, or nothing. Such an index is rebuilt from
    its table by REINDEX (`damaged_index`); a page of garbage stops the check itself, and
    REINDEX as well (SQLite must read the old index to free it): a backup then."""
    if not rows or rows == ["ok"]:
        return ()
    found = [INDEX_FAULT.fullmatch(r.strip()) for r in rows]
    if not all(found):
        return ()
    return tuple(dict.fromkeys(m["index"] for m in found if m))


def damaged_index(path: Path, indexes: tuple[str, ...], reason: str) -> DamagedDatabaseError:
    """The damaged file whose only fault is an index disagreeing with its table (`db check`,
    `index_faults`): rebuilt from the table with REINDEX, which changes no row, through the
    sqlite3 shell (trainctl has no command for it); a backup when that does not clear it
    (a value of the table itself damaged, or a duplicate a unique index refuses)."""
    line = f"sqlite3 {shell_word(path)} " + shell_word("; ".join(f"REINDEX {i}" for i in indexes))
    return DamagedDatabaseError(
        f"{path} is damaged ({reason}): its {'index' if len(indexes) == 1 else 'indexes'} "
        f"{', '.join(indexes)} can be rebuilt from {'its table' if len(indexes) == 1 else 'their tables'}, "
        f"changing no row: `{line}`, then `trainctl db check` again; if it still fails, "
        "restore the file from a backup. Nothing was written.",
        reason,
    )


# PostgreSQL's SQLSTATEs for damaged storage (Appendix A, class XX): psycopg raises them as
# psycopg.errors.DataCorrupted and IndexCorrupted (SQLAlchemy wraps them in InternalError).
DAMAGED_SQLSTATES = {"XX001": "data_corrupted", "XX002": "index_corrupted"}


def damaged_server(url: str | None, sqlstate: str, exc: BaseException | str) -> DamagedDatabaseError:
    """What a PostgreSQL server's report of damaged data or a damaged index (DAMAGED_SQLSTATES)
    says to the officer: the server's words, named by their SQLSTATE (`server_damage`)."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else DAMAGED_SQLSTATES[sqlstate]
    return server_damage(url, f"{DAMAGED_SQLSTATES[sqlstate]}, SQLSTATE {sqlstate}: {reason}",
                         reason, index=sqlstate == "XX002")  # fmt: skip


def server_internal_error(url: str | None, exc: BaseException | str) -> TrainctlError:
    """PostgreSQL's internal_error (SQLSTATE XX000), the rest of the class of XX001 and
    XX002: the server's catch-all for a failure it did not expect ("could not read block 7
    in file ...", "cache lookup failed for relation ..."). Not always damage (a server bug,
    a file lost under it), so not `server_damage`'s "restore a backup": the server's words,
    that nothing was written (the command's transaction rolled back), and what to do."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "internal_error"
    where = f"The PostgreSQL database {display_url(url)}" if url else "The PostgreSQL database"
    return TrainctlError(
        f"{where} reported an internal error (internal_error, SQLSTATE XX000: {reason}). "
        "Nothing was written.",
        "It is the server's own failure, not always damage: run the command again; if it "
        "happens again, give this message to the server's administrator (the server's log "
        "says more), and run `trainctl db check` (with amcheck it reads every page).",
    )


# PostgreSQL's SQLSTATEs for a server going away under a client (Appendix A, class 57):
# admin_shutdown (a fast stop, or pg_terminate_backend), crash_shutdown, cannot_connect_now.
GONE_SQLSTATES = {"57P01", "57P02", "57P03"}


def server_went_away(exc: BaseException, sqlstate: str | None) -> bool:
    """Whether a psycopg error is the server gone mid-command: stopped (an immediate stop
    closes the connection with no SQLSTATE: "server closed the connection unexpectedly"),
    shut down, restarted, or the connection cut. Not a lock timeout (55P03) nor any other
    refusal the server states with a SQLSTATE of its own."""
    orig = getattr(exc, "orig", None) or exc
    if not type(orig).__module__.startswith("psycopg"):
        return False
    if getattr(exc, "connection_invalidated", False) or sqlstate in GONE_SQLSTATES:
        return True
    return sqlstate is None and any(c.__name__ == "OperationalError" for c in type(orig).__mro__)


def server_lost(url: str | None, exc: BaseException | str) -> TrainctlError:
    """The one wording of a server gone mid-command (`server_went_away`): which database,
    the driver's words, that nothing was written (the server keeps no part of a transaction
    it did not commit, and trainctl commits once, at the end), exit 69 as for a server
    that cannot be reached, and what to do."""
    from trainctl.errors import DatabaseUnavailableError

    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    reason = next((line for line in lines if not line.startswith("[")), "connection lost")
    reason = re.sub(r"^\(psycopg\.\w+(\.\w+)*\)\s*", "", reason)
    where = display_url(url) if url and url.startswith("postgres") else "the server"
    return DatabaseUnavailableError(
        f"Lost the connection to the PostgreSQL database {where} mid-command ({reason}). "
        "Nothing was written: the server keeps no part of a transaction it did not commit.",
        "Check that the PostgreSQL server is running (its administrator, its log), then run "
        "the command again: an import or bulk enrollment run twice adds nothing twice.",
    )


def server_permission_denied(url: str | None, exc: BaseException | str) -> TrainctlError:
    """PostgreSQL's insufficient_privilege (SQLSTATE 42501): the role in the URL may not
    create tables in the database's schema (a new database's first command, `db upgrade`,
    `db copy --to`) or read or write a table trainctl needs. Not a bug (it was exit 70 with
    the SQL): the server's words, that nothing was written, exit 77, and who can fix it."""
    from trainctl.errors import PermissionDeniedError

    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "permission denied"
    server = url is not None and url.startswith("postgres")
    user = re.match(r"^[\w+]+://([^:@/]+)(?::[^@]*)?@", url or "") if server else None
    role = f"the role {user.group(1)}" if user else "the role in the URL"
    where = f" in {display_url(url)}" if server and url else ""
    grant = "GRANT CREATE ON SCHEMA public TO ..."
    if "schema" in reason and server:
        fix = (f"A new database's tables are made by the first trainctl command run on it (or "
               f"db upgrade): run it once as the database's owner, or have the server's "
               f"administrator grant {role} CREATE on the schema ({grant}).")  # fmt: skip
    elif "schema" in reason:  # db copy --to: the target's URL is not the --db one
        fix = (f"Copy as the target database's owner (its role in the --to URL), or have the "
               f"server's administrator grant {role} CREATE on the schema ({grant}).")  # fmt: skip
    else:
        fix = (f"Run trainctl as a role that owns the tables (the one that made them), or have "
               f"their owner grant {role} SELECT, INSERT, UPDATE, DELETE on all tables and "
               "USAGE on all sequences of the schema.")  # fmt: skip
    return PermissionDeniedError(
        f"PostgreSQL refused {role}{where}: {reason} (insufficient_privilege, SQLSTATE 42501). "
        "Nothing was written.",
        fix,
    )


def server_damage(url: str | None, said: str, reason: str, *, index: bool) -> DamagedDatabaseError:
    """The one wording of a damaged PostgreSQL database, for a command that met the damage
    (`damaged_server`) and for `db check`'s amcheck: which database, what was found, that
    nothing was written, and what to do. A damaged index (`index`) is rebuilt from its
    table (REINDEX); damaged table data comes back only from a backup; amcheck (pg_amcheck)
    finds what else is damaged. The server reports a damaged page of an index as
    data_corrupted too ("invalid page in block 0 of relation base/16384/16402"): the hint
    names the catalog query that tells which relation that file is. The server's
    administrator does it: trainctl cannot repair a server's files."""
    where = f"The PostgreSQL database {display_url(url)}" if url else "The PostgreSQL database"
    backup = ("restore the database from a backup (pg_restore of a `trainctl db backup` file, "
              "or the server's own backups)")  # fmt: skip
    checks = "amcheck (pg_amcheck) finds what else is damaged (PostgreSQL docs: amcheck, REINDEX)."
    if index:
        fix = (f"Have the server's administrator rebuild the index it names (REINDEX INDEX ...); "
               f"if a table is damaged too, {backup}. {checks}")  # fmt: skip
    else:
        file = re.search(r"relation base/\d+/(\d+)", reason)
        which = f" (`SELECT relname, relkind FROM pg_class WHERE relfilenode = {file.group(1)}`: relkind i)" if file else ""
        fix = (f"{backup[0].upper()}{backup[1:]}. If the damaged relation is an index{which}, "
               f"the server's administrator can rebuild it with REINDEX instead. {checks}")  # fmt: skip
    return DamagedDatabaseError(f"{where} is damaged ({said}). Nothing was written.", reason, fix)


def not_a_file(path: Path) -> TrainctlError:
    """The refusal of a --db path that exists and is no regular file (nor a directory)."""
    return TrainctlError(
        f"{path} is not a regular file (a pipe, device or socket), not a database file.",
        "Give --db the name of a database file, e.g. --db training.db.",
    )


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection that also works where nothing may be written.

    A database in WAL mode needs its -shm file beside it even to read; in a read-only
    folder (or on read-only media) SQLite cannot make it and answers "unable to open
    database file". Then the file is opened as immutable: nobody can be writing it there.
    """
    # the busy timeout every connection of trainctl's waits (the default is 5 s)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        register_fold(con)
        return con
    except sqlite3.OperationalError as exc:
        con.close()
        if "unable to open" not in str(exc) and "readonly" not in str(exc):
            raise
    con = sqlite3.connect(
        f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    register_fold(con)
    return con


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


# a revision of trainctl's is numbered, NNNN_words (REVISIONS): a later trainctl's is too
_REVISION = re.compile(r"(\d{4})_[a-z0-9_]+")


def version_status(version: str | None) -> str:
    """'new', 'head', 'behind', 'foreign' (tables but no version, or another application's
    Alembic revision) or 'newer' (a revision numbered after the head, as a later trainctl
    names them)."""
    if version is None:
        return "new"
    if version == SCHEMA_HEAD:
        return "head"
    if version in REVISIONS:
        return "behind"
    later = _REVISION.fullmatch(version)
    if later and int(later.group(1)) > int(SCHEMA_HEAD[:4]):
        return "newer"
    return "foreign"


def refuse_foreign_or_newer(url: str, version: str | None) -> None:
    status = version_status(version)
    if status == "foreign":
        why = (
            "it has tables but no schema version"
            if not version
            else f"its schema version {version!r} is no trainctl revision"
        )
        raise TrainctlError(
            f"{display_url(url)} is not a trainctl database ({why}).",
            "Point --db at a trainctl database, or at a new file.",
        )
    if status == "newer":
        raise TrainctlError(
            f"The database schema ({version}) is newer than this trainctl ({SCHEMA_HEAD}).",
            "Upgrade trainctl (pip install -U trainctl).",
        )


def no_database(url: str) -> NotFoundError:
    """The refusal of a command that must not create a database (`reminders send` and
    `preview`: a cron line whose --db has a typo would otherwise make a new, empty file and
    send nothing, night after night, with exit 0) when `url` holds none: a SQLite file that
    does not exist or is empty, or a server database without trainctl's tables. Nothing is
    created; the hint says how to make one on purpose."""
    path = sqlite_path(url)
    upgrade = f"`trainctl --db {shell_word(path or display_url(url))} db upgrade`"
    if path is None:
        what = f"{display_url(url)} holds no trainctl database (it has no tables)."
    elif not path.exists():
        what = f"There is no database file {path}."
    else:
        what = f"{path} is an empty file, not a trainctl database."
    return NotFoundError(
        f"{what} Nothing was done.",
        "Check the --db path (or TRAINCTL_DB) for a typo. To start a new database there on "
        f"purpose, run {upgrade} first.",
    )


def ensure_current(url: str, *, create: bool = True) -> None:
    """Ready for a command: created at head on first use, refused when behind or foreign.
    `create=False`: a missing or empty database is refused (`no_database`), never made."""
    version = read_schema_version(url)
    if version == SCHEMA_HEAD:
        return
    if version is None:
        if not create:
            raise no_database(url)
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
