"""What every sheet import (`record | cert | shift | call import`) shares on the command
line: the options, running the service over the opened files in one transaction, the
reject file (--skip-invalid, cli/rejects.py) and the summary with its exit code; and what
every `add` (its summary and JSON) and every `void` (the whole command) shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import DryRunOpt
from trainctl.domain.text import hired_after, plural, word_for

CsvFilesOpt = Annotated[
    list[Path],
    typer.Option("--csv", help="The CSV file (repeat for several; , ; or tab; UTF-8 with or without BOM).",
                 exists=True, dir_okay=False, readable=True, show_default=False),
]  # fmt: skip
SkipInvalidOpt = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Import the good rows; write the bad ones, with a reason column, to "
                 "NAME.rejects.csv (for NAME.csv) next to each input (the command still exits 65)."),
]  # fmt: skip
IgnoreUnknownOpt = Annotated[
    bool, typer.Option("--ignore-unknown-columns", help="Skip columns trainctl does not know.")
]


def opt(*names: str, help: str, metavar: str | None = None) -> Any:
    """A Typer option without a shown default (the house style for value options)."""
    return typer.Option(*names, help=help, metavar=metavar, show_default=False)


def values(**given: str | None) -> dict[str, str]:
    """The options a command was given, by field name (None: not given)."""
    return {k: v for k, v in given.items() if v is not None}


def run_import(
    state: Any, files: Sequence[Path], service: Callable[..., Any], *, dry_run: bool,
    notes_source: str | None = None, **options: Any,
) -> tuple[Any, list[Path], list[str]]:
    """Run `service(session, actor, streams, today=..., dry_run=..., **options)` over the
    opened files in one transaction; the reject files are written before it commits (no
    file, no import). Returns the outcome, the reject files written and, for
    `notes_source` (a credit source type), one note per progress row whose new hours do
    not all count (issue 11 #3)."""
    from trainctl.cli.rejects import input_names, require_files, write_import_rejects
    from trainctl.queries import reader_of
    from trainctl.queries.progress import last_credit_id, source_shortfalls

    if options.get("skip_invalid"):
        require_files(files)
    written: list[Path] = []
    notes: list[str] = []
    with ExitStack() as stack:
        streams = [(name, stack.enter_context(f.open("rb"))) for f, name in zip(files, input_names(files), strict=True)]
        with state.session(write=not dry_run) as (session, actor):
            mark = last_credit_id(reader_of(session)) if notes_source else 0
            outcome = service(session, actor, streams, today=state.today(session), dry_run=dry_run, **options)
            if notes_source and not dry_run:
                notes = source_shortfalls(reader_of(session), notes_source, after=mark)
            if outcome.reasons and not dry_run:
                written = write_import_rejects(files, outcome.reasons)
    return outcome, written, notes


def import_command(
    ctx: Any,
    files: Sequence[Path],
    service: Callable[..., Any],
    *,
    dry_run: bool,
    created: str | None = None,
    void_label: str = "void rows",
    warnings: Callable[[Any], list[str]] | None = None,
    notes_source: str | None = None,
    **options: Any,
) -> None:
    """An `import` command's body: run the service (`run_import`), then the summary and
    the exit code (`summarise_import`); `warnings(outcome)` go first (stderr)."""
    from trainctl.cli.state import get_state

    state = get_state(ctx)
    outcome, rejects, notes = run_import(
        state, files, service, dry_run=dry_run, notes_source=notes_source, **options
    )
    for line in [*(warnings(outcome) if warnings else []), *member_doubts(outcome), *outcome.notices,
                 *unread_notes(outcome)]:  # fmt: skip
        render.warn(line)
    clock_note(outcome, quiet=state.quiet)
    summarise_import(files, outcome, dry_run=dry_run, quiet=state.quiet, created=created, rejects=rejects,
                     void_label=void_label, notes=notes)  # fmt: skip


def clock_note(outcome: Any, *, quiet: bool) -> None:
    """Once per command: times without an offset were read on the department's clock
    (shifts and calls; not under --quiet)."""
    if getattr(outcome, "clock_note", ""):
        render.info(outcome.clock_note, quiet=quiet)


def member_doubts(outcome: Any) -> list[str]:
    """Rows recorded as given that a person should look at (the first five of each):
    dated before the member's hire date (a typo in the date, or a pre-hire academy); a
    name column that is not the member's the e-mail or badge named (a wrong badge credits
    someone else); a time whose offset is not the department's clock's (a summer tour typed
    with the winter offset is an hour late); an add naming one member twice (a typo for
    another?)."""
    early = [f"{'' if source is None else f'{source}, line {line}: '}"
             f"{hired_after(name, hired, outcome.day_word, on, 'recorded as given', 'check the date')}"
             for source, line, name, hired, on in outcome.before_hire]  # fmt: skip
    doubts = [f"{source}, line {line}: the name {written!r} is not that of {name}, whom the row's "
              "e-mail or badge names: taken as theirs; check the row."
              for source, line, written, name in outcome.name_doubts]  # fmt: skip
    twice = [f"{' and '.join([', '.join(refs[:-1]), refs[-1]])} {'both' if len(refs) == 2 else 'all'} "
             f"name {name}: recorded once; check the members named." for name, refs in outcome.twice]  # fmt: skip
    return [
        *render.first_of(early, 5, "rows dated before the member's hire date"),
        *render.first_of(doubts, 5, "rows whose name is not their member's"),
        *render.first_of(getattr(outcome, "clock_doubts", []), 5,
                         "times whose offset is not the department's clock's"),
        *render.first_of(getattr(outcome, "hours_doubts", []), 5,
                         "rows whose hours are far above their course's duration"),
        *twice,
    ]


def unread_notes(outcome: Any) -> list[str]:
    """Rows whose notes columns say something the import does not keep (the first five):
    'left early - sick' may change the hours; the officer reads it here."""
    return render.first_of(
        [f"{name}, line {line}: {said}: notes are not kept; check that the row is right."
         for name, line, said in outcome.unread],
        5, "rows with notes",
    )  # fmt: skip


def report_add(
    text: str, feed: Any, *, dry_run: bool, quiet: bool, notes: Sequence[str] = ()
) -> None:
    """An `add` command's summary: what it recorded, what the credit feed did, and a note
    per progress row whose hours do not all count (issue 11 #3)."""
    for line in [text, *feed_lines(feed, dry_run=dry_run), *(f"Note: {n}" for n in notes)]:
        render.info(line, quiet=quiet)
    if dry_run:
        render.info("Dry run: nothing was written.", quiet=quiet)


def corrected_lines(outcome: Any, *, dry_run: bool) -> list[str]:
    """What was corrected on file along the way (a call whose responses were all void takes
    the type, time and shift date it is entered again with), one line each."""
    verb = "Would correct" if dry_run else "Corrected"
    return [f"{verb} {text}." for text in getattr(outcome, "corrected", ())]


def as_of_end(state: Any, end: date | None, noun: str) -> tuple[date | None, bool]:
    """A listing's last day (`--to`) under the global --as-of: what is dated after that day
    is not listed (`record list`, `shift list`, `call list` alike: every command answers
    as of its day), and said so. The day, and whether --as-of cut the listing there."""
    if state.as_of is None or (end is not None and end <= state.as_of):
        return end, False
    render.info(f"As of {state.as_of}: {noun} dated after it are not listed.", quiet=state.quiet)
    return state.as_of, True


def empty_as_of(noun: str, day: date, *, filtered: bool) -> str:
    """An empty listing's line when --as-of left out what is on file after its day (not
    "No ... yet": there are some)."""
    if filtered:
        return f"No {noun} match these filters on or before {day}, the --as-of day (later ones do)."
    return f"No {noun} on or before {day}, the --as-of day (later ones are on file)."


def void_cell(row: Any) -> str:
    """A listing's Void column (--include-void): 'void: REASON' for a void row, else ''."""
    if row.voided_at is None:
        return ""
    return f"void: {row.void_reason}" if row.void_reason else "void"


def void_command(
    ctx: typer.Context, void: Callable[..., tuple[Any, Any]], ref: str, reason: str, *,
    noun: str, short: str,
) -> None:  # fmt: skip
    """The body of every `NOUN void ID --reason TEXT` (record, cert, skill, shift, call):
    `void` is the service's (services/sheet_import.void_row underneath); `noun` names the
    row in the confirmation ("shift attendance"), `short` when it was void already
    ("Attendance")."""
    from trainctl.cli.state import get_state

    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        found, feed = void(session, actor, ref, reason=reason, today=state.today(session))
        rid = found.id
        if feed is None:  # the department's day of the void, not UTC's
            from trainctl.services.settings import day_of

            when = day_of(session, found.voided_at)
    if feed is None:
        render.info(f"{short} {rid} was already void (since {when}); nothing changed.",
                    quiet=state.quiet)  # fmt: skip
        return
    render.info(f"Voided {noun} {rid}; reversed {plural(feed.credits, 'credit')}.", quiet=state.quiet)
    for line in feed.events:
        render.info(line, quiet=state.quiet)


def emit_add(fmt: str, key: str, outcome: Any, ids: Sequence[int], *, dry_run: bool, **extra: Any) -> None:
    """An `add` command's machine output (--format json or csv; the table format has only
    the summary on stderr): the new rows' ids under `key` (none in a dry run: the ids a
    rolled-back transaction handed out belong to no row), how many were added (would be)
    and already on file, and the credits. CSV: the same as one row, the ids separated by
    spaces (`extra`, nested, is JSON's only)."""
    summary = {key: [] if dry_run else list(ids), "added": outcome.added, "already": outcome.already,
               "credits": outcome.feed.credits, "dry_run": dry_run}  # fmt: skip
    if fmt == "json":
        render.emit_json({**summary, **extra})
    elif fmt == "csv":
        row = {**summary, key: " ".join(map(str, summary[key])), "dry_run": "yes" if dry_run else "no"}
        render.emit_csv([row], [render.Col(k) for k in row])


def feed_lines(feed: Any, *, dry_run: bool = False) -> list[str]:
    """What the credit feed did (in a dry run: would do), in a few summary lines."""
    lines = []
    if feed.credits:
        verb = "Would credit" if dry_run else "Credited"
        rows = len(feed.progress_ids) or feed.credits
        entries = f" ({plural(feed.credits, 'credit')})" if feed.credits != rows else ""
        lines.append(f"{verb} {plural(rows, 'progress row')} for {plural(len(feed.members), 'member')}{entries}.")
    if feed.already:
        lines.append(f"{plural(feed.already, 'credit')} {word_for(feed.already, 'was', 'were')} in the ledger already.")
    if feed.held:
        # a member works in the current phase, in order (DESIGN §3): the record stays on
        # file, and credits the step when it opens (services/credit_feed.py `_open`)
        lines.append(
            f"{plural(len(feed.held), 'credit')} not given: the program's order does not take them "
            f"(e.g. {feed.held[0].reason.rstrip('.')}); the record stays on file, counts in compliance "
            "reports, and credits the program when that step opens."
        )
    # an enrollment on hold takes nothing now; the officer learns it will on resume (a
    # review: a card recorded during a deployment seemed lost)
    lines += render.first_of(
        [f"Note: enrollment {eid} ({who}, '{program}' v{version}) is on hold and takes no credit "
         f"now; `trainctl enroll resume {eid}` credits it with what is on file."
         for eid, who, program, version in getattr(feed, "on_hold", ())],
        3, "enrollments on hold",
    )  # fmt: skip
    # the events (a milestone reached, a program completed) did not happen in a dry run
    return lines + [f"On a real run: {e}" if dry_run else e for e in feed.events]


def summarise_import(
    files: Sequence[Path],
    outcome: Any,
    *,
    dry_run: bool,
    quiet: bool,
    created: str | None = None,
    rejects: Sequence[Path] = (),
    extra: Sequence[str] = (),
    void_label: str = "void rows",
    notes: Sequence[str] = (),
) -> None:
    """The import's summary on stderr; exit 65 when any row was left out."""
    for problem in render.first_of(outcome.problems):
        render.warn(problem)
    verb = "would add" if dry_run else "added"
    parts = [f"{plural(outcome.rows, 'row')} read", f"{outcome.added} {verb}"]
    if created and outcome.created:
        parts.append(plural(outcome.created, f"new {created}"))
    if outcome.already:
        parts.append(f"{outcome.already} already recorded")
    if outcome.repeated:
        parts.append(f"{outcome.repeated} repeating a row above ({outcome.same})")
    if outcome.voided:
        parts.append(f"{outcome.voided} match {void_label} (not brought back)")
    if outcome.rejected:
        where = f"; written to {', '.join(map(str, rejects))}" if rejects else ""
        parts.append(f"{outcome.rejected} rejected{where}")
    from trainctl.cli.rejects import input_names

    render.info(f"{', '.join(input_names(files))}: {', '.join(parts)}.", quiet=quiet)
    for line in [*corrected_lines(outcome, dry_run=dry_run), *extra, *feed_lines(outcome.feed, dry_run=dry_run),
                 *(f"Note: {n}" for n in notes)]:  # fmt: skip
        render.info(line, quiet=quiet)
    if dry_run:
        render.info("Dry run: nothing was written.", quiet=quiet)
    if outcome.rejected:
        fixed = " (fix the reject file and import it as it is)" if rejects else ""
        render.info(f"Hint: fix the rows named above and import them again{fixed}; "
                    "the rejected rows were not imported.")  # fmt: skip
        raise typer.Exit(65)  # a partial import is never exit 0 (README: "Partial imports")


def register_import(app: typer.Typer, service: str, doc: str, *, created: str | None = None) -> None:
    """`NOUN import --csv FILE... [--dry-run] [--skip-invalid] [--ignore-unknown-columns]`
    on `app`, running `service` ("module:function", imported when the command runs)."""
    def import_(
        ctx: typer.Context,
        csv_files: CsvFilesOpt,
        dry_run: DryRunOpt = False,
        skip_invalid: SkipInvalidOpt = False,
        ignore_unknown_columns: IgnoreUnknownOpt = False,
    ) -> None:
        from importlib import import_module

        module, name = service.split(":")
        import_command(ctx, csv_files, getattr(import_module(module), name), dry_run=dry_run,
                       skip_invalid=skip_invalid, ignore_unknown_columns=ignore_unknown_columns,
                       created=created)  # fmt: skip

    import_.__doc__ = doc
    app.command("import")(import_)
