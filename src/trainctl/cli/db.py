"""`trainctl db`: where the file is, its schema version, upgrade, backup, check."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import not_stdout
from trainctl.cli.state import AppState, get_state, hint
from trainctl.domain.text import shell_word
from trainctl.errors import PermissionDeniedError, TrainctlError

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})


def _owner_only(state: AppState, command: str) -> None:
    """Whole-file operations belong to whoever owns the file, outside member permissions."""
    if state.actor:
        raise PermissionDeniedError(
            f"`trainctl {command}` works on the whole database file and runs as its owner, not as a member.",
            "Run it without --as / TRAINCTL_ACTOR, as the user who owns the file.",
        )


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the database location (file path, or URL for a server database)."""
    from trainctl.config import display_url, sqlite_path

    url = get_state(ctx).url
    print(sqlite_path(url) or display_url(url))


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the schema revision of the database and the one this trainctl needs."""
    from trainctl.config import display_url
    from trainctl.dbfile import SCHEMA_HEAD, read_schema_version, version_status  # no ORM

    state = get_state(ctx)
    version = read_schema_version(state.url)
    status = {
        "new": "new (created on first use)",
        "head": "at head",
        "behind": "behind: run `trainctl db upgrade`",
        "foreign": "not a trainctl database",
        "newer": "newer than this trainctl: upgrade trainctl",
    }[version_status(version)]
    # (on stdout, but a step to copy: it names the --db given, as every message does)
    render.record({"database": display_url(state.url), "revision": version, "head": SCHEMA_HEAD,
                   "status": hint(status)}, state.fmt)  # fmt: skip


@app.command("upgrade")
def upgrade(
    ctx: typer.Context,
    no_backup: Annotated[bool, typer.Option("--no-backup", help="Skip the VACUUM INTO backup (not advised).")] = False,
) -> None:
    """Back the file up, then upgrade its schema to this trainctl's version (PostgreSQL:
    in one transaction, no file backup: take one with `trainctl db backup` first)."""
    from trainctl.config import sqlite_path
    from trainctl.db import upgrade as do_upgrade

    state = get_state(ctx)
    _owner_only(state, "db upgrade")
    notes: list[str] = []
    before, after, saved = do_upgrade(state.url, make_backup=not no_backup, notes=notes)
    if before == after:
        render.info(f"Already at {after}; nothing to do.", quiet=state.quiet)
        return
    if saved:
        render.info(f"Backup: {saved}", quiet=state.quiet)
    elif sqlite_path(state.url) is None and before is not None:
        render.info(
            "No file backup on PostgreSQL: the upgrade ran in one transaction (a failure "
            "changes nothing); `trainctl db backup FILE` runs pg_dump before the next one.",
            quiet=state.quiet,
        )
    render.info(f"Upgraded {before or 'new database'} -> {after}.", quiet=state.quiet)
    for note in notes:
        render.info(note, quiet=state.quiet)


@app.command("backup")
def backup(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="Where to write the copy (must not exist).")]) -> None:
    """Write a consistent copy of the database (safe while others use it; pg_dump on PostgreSQL)."""
    from trainctl.config import sqlite_path
    from trainctl.db import backup as do_backup
    from trainctl.db import read_schema_version

    not_stdout(file, "A backup is a database file; it",
               "Name the file to write, e.g. `trainctl db backup trainctl-backup.db`.")
    state = get_state(ctx)
    _owner_only(state, "db backup")
    if read_schema_version(state.url) is None:
        state.engine()  # a new database is created at head first
    dest = do_backup(state.url, file)
    render.info(f"Backed up to {dest}", quiet=state.quiet)
    if sqlite_path(state.url) is None:
        render.info("pg_dump custom format: restore into an empty database with "
                    f"`pg_restore --no-owner -d URL {shell_word(dest)}`.", quiet=state.quiet)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Schema at head, and integrity and foreign key checks (SQLite) or invalid indexes and
    constraints (PostgreSQL). Exit 1 if any fails."""
    from trainctl.config import sqlite_path
    from trainctl.db import check as do_check
    from trainctl.db import read_schema_version
    from trainctl.dbfile import damaged_file, damaged_index, server_damage
    from trainctl.errors import DamagedDatabaseError

    state = get_state(ctx)
    with contextlib.suppress(DamagedDatabaseError):  # the check's answer: in its table below
        if read_schema_version(state.url) is None:
            state.engine()  # a new database is created at head first
    results = do_check(state.url)
    rows = [{"check": c.check, "ok": c.ok, "detail": c.detail} for c in results]
    render.table(rows, [render.Col("check"), render.Col("ok"), render.Col("detail")], state.fmt)
    failed = {c.check: c for c in results if not c.ok}
    path = sqlite_path(state.url)
    if path is not None and "integrity_check" in failed:
        indexes = failed["integrity_check"].indexes
        if indexes and len(failed) == 1:  # an index that disagrees with its table: REINDEX
            raise damaged_index(path, indexes, "it failed a check: integrity_check, see above")
        # a damaged page no command has read yet is found here first: the words every
        # command uses for a damaged file (dbfile.damaged_file), and that the rest still works
        raise damaged_file(path, "it failed a check: integrity_check, see above",
                           "until then, a command that reads a damaged page stops with an error.")  # fmt: skip
    if path is None and "amcheck" in failed:  # PostgreSQL: damaged pages amcheck read
        detail = failed["amcheck"].detail
        parts = detail.removeprefix("damaged: ").split("; ")
        raise server_damage(state.url, "amcheck found damaged pages, see above", detail,
                            index=all(p.startswith("index ") for p in parts))  # fmt: skip
    if failed:
        raise TrainctlError("The database failed a check (see above).", "Restore a backup, or run `trainctl db upgrade` if the schema is behind.")


@app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="An empty PostgreSQL database: postgresql+psycopg://USER@HOST/DB.")],
) -> None:
    """Copy this SQLite database into a fresh PostgreSQL database and compare the row counts."""
    from trainctl.config import display_url
    from trainctl.services.dbcopy import copy_to_postgres

    state = get_state(ctx)
    _owner_only(state, "db copy")
    counts = copy_to_postgres(state.url, to)
    rows = [{"table": c.table, "sqlite": c.source, "postgresql": c.target, "ok": c.ok} for c in counts]
    render.table(rows, [render.Col("table"), render.Col("sqlite", "SQLite", numeric=True), render.Col("postgresql", "PostgreSQL", numeric=True), render.Col("ok")], state.fmt)
    total = sum(c.target for c in counts)
    render.info(
        f"Copied {total} rows in {len(counts)} tables to {display_url(to)}; every count matches. "
        f"Use it with --db {display_url(to)} or TRAINCTL_DB (the file is unchanged).",
        quiet=state.quiet,
    )
