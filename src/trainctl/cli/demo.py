"""`trainctl demo`: a sample department in its own database, never the user's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import not_stdout
from trainctl.cli.state import command_line, get_state
from trainctl.errors import UsageError


def demo(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Option(
            "--path",
            help="Where to build the demo database. Default: demo.db in the user data dir.",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Build it as of this date (YYYY-MM-DD): the year of history ends there.",
            show_default=False,
        ),
    ] = None,
    files: Annotated[
        Path | None,
        typer.Option(
            "--files",
            metavar="DIR",
            help="Only write the README tour's example files (roster.csv, recruits.csv, "
            "courses.csv, sign-in sheets) into DIR; no database is built.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build a sample department in a separate demo database and show it.

    Imports the NFPA, NREMT, Pro Board and ISO registries, adds 14 members, applies the
    sample programs, enrolls three cohorts, records some progress and a year of history
    (training records, certification cards, shifts, calls, skill checkoffs). Rebuilt from scratch
    on every run; your own database is never touched.
    """
    state = get_state(ctx)
    if files is not None:
        from trainctl.cli.options import parse_date

        day = parse_date(as_of, "--as-of") or state.as_of or _clock_today()
        _write_examples(files, quiet=state.quiet, today=day)
        return
    from trainctl.config import demo_db_path, sqlite_path
    from trainctl.services import demo as svc

    if as_of is not None:
        from trainctl.cli.options import parse_date

        state.as_of = parse_date(as_of, "--as-of")
    dest = (path or demo_db_path()).expanduser().absolute()
    own = sqlite_path(state.url)
    if own is not None and own.absolute() == dest:
        raise UsageError(
            f"{dest} is your trainctl database; the demo never writes there.",
            "Give the demo its own file: trainctl demo --path demo.db",
        )
    if dest.exists() and not svc.is_demo_file(dest):
        raise UsageError(
            f"{dest} exists and is not a trainctl demo database; it is left alone.",
            "Give the demo a new file with --path.",
        )
    svc.remove_files(dest)

    state.db, state.actor, state._engine = str(dest), None, None
    state.typed = {"--db": str(dest)}  # what it shows next is the demo's: commands name its file
    # Marked first, in its own transaction: a build that fails can simply be run again.
    with state.session() as (session, _):
        svc.mark_demo(session)
    with (
        render.console("err").status("Building the demo department…"),
        state.session() as (session, actor),
    ):
        summary = svc.build_demo(session, actor, state.today(session))

    quiet = state.quiet
    registries = ", ".join(f"{name} {n}" for name, n in summary.registries.items())
    render.info(f"Demo database: {dest}", quiet=quiet)
    render.info(
        f"Imported requirements ({registries}); added {summary.members} members; applied "
        f"{len(summary.programs)} programs; enrolled "
        + ", ".join(f"{n} in {p}" for p, n in summary.enrollments.items())
        + f"; recorded {summary.credits} progress updates"
        + "".join(f", {n} {what}" for what, n in summary.history.items())
        + ".",
        quiet=quiet,
    )

    from trainctl.cli import enroll as enroll_cli
    from trainctl.cli import program as program_cli

    program_cli.list_(ctx)
    enroll_cli.list_(ctx)
    if summary.showcase_enrollment is not None:
        enroll_cli.show(ctx, str(summary.showcase_enrollment))
    # built as of a past day: ask about that day (today, its history is long over)
    asked = state.as_of if as_of is not None else None
    commands = (
        "program show 'Probationary Firefighter'", f"enroll show {summary.showcase_enrollment}",
        "requirement list --registry NREMT", "member list", "report compliance --behind",
        "requirement explain F-203 NREMT-EMT",
    )  # fmt: skip
    render.info(
        "\nExplore it (every command takes --db):\n"
        + "\n".join(f"  {command_line(c, db=str(dest), as_of=asked)}" for c in commands),
        quiet=quiet,
    )


def _clock_today() -> date:
    """Today on the department's clock as far as it is known without a database
    (TRAINCTL_TIMEZONE, else UTC): `demo --files` builds none."""
    import os
    from datetime import UTC, datetime

    from trainctl.queries.settings import zone

    return datetime.now(UTC).astimezone(zone(os.environ.get("TRAINCTL_TIMEZONE") or "UTC")).date()


def _write_examples(folder: Path, *, quiet: bool, today: date) -> None:
    """Copy the shipped example files into `folder` (made if missing, as `mkdir -p`); an
    existing file is left alone. recruits.csv's target dates are dated from `today`
    (services.program_file_io.dated_example): a fixed date made the tour's `enroll bulk`
    refuse the row once that day had passed."""
    from trainctl.services.program_file_io import dated_example, example_files

    not_stdout(folder, "--files writes several example files into a folder; they",
               "Name a folder, e.g. `trainctl demo --files .`.")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder.", "Give a folder, or a path to make one.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"Cannot make the folder {folder}: {exc.strerror}.", "Give a folder you can write to."
        ) from None
    written, kept = [], []
    for src in example_files():
        dest = folder / src.name
        if dest.exists():
            kept.append(src.name)
            continue
        dest.write_bytes(dated_example(src.name, src.read_bytes(), today))
        written.append(src.name)
    if written:
        render.info(f"Wrote {', '.join(written)} to {folder.absolute()}", quiet=quiet)
    if kept:
        render.info(f"Left alone (already there): {', '.join(kept)}.", quiet=quiet)
