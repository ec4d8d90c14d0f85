"""`trainctl enroll`: enroll members (one, or in bulk from a CSV), views and lifecycle."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import (
    TABLE_LIMIT,
    DryRunOpt,
    FormatOpt,
    YesOpt,
    amount,
    fmt_value,
    parse_date,
)
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import plural
from trainctl.errors import BadInputError, RefusedError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from trainctl.queries.enrollments import EnrollmentRow

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

LIST_COLS = [
    Col("id", "ID", numeric=True),
    Col("member"),
    Col("program"),
    Col("version", "Ver", numeric=True, drop=2),
    Col("status"),
    Col("progress", "%", numeric=True),
    Col("current_phase", "Phase"),
    Col("enrolled_on", "Enrolled", drop=1),
    Col("target_date", "Target"),
    Col("last_activity_on", "Last activity", drop=3),
    # JSON and CSV: the day it completed, and when that was written (a table's status says
    # completed)
    Col("completed_on"),
    Col("completed_at"),
]
ACTIVITY_COLS = [c for c in LIST_COLS if c.key not in ("completed_on", "completed_at")]
TABLE_COLS = [c for c in ACTIVITY_COLS if c.key != "last_activity_on"]
AnyPositionOpt = Annotated[
    bool,
    typer.Option(
        "--any-position",
        help="Enroll members who do not hold the program's target position.",
    ),
]
EMPTY = "No enrollments yet. Enroll a member with `trainctl enroll add MEMBER PROGRAM`."


def bar(pct: float, width: int = 10) -> str:
    filled = round(max(0.0, min(100.0, pct)) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def shown(data: dict[str, Any], fmt: str, *keys: str) -> dict[str, Any]:
    """Percentages as stored for JSON (full precision); rounded for tables and CSV."""
    from trainctl.domain.progress import shown_percentage

    if fmt == "json":
        return data
    return {k: shown_percentage(v) if k in keys and v is not None else v for k, v in data.items()}


def _rows(items: list[EnrollmentRow], fmt: str) -> list[dict[str, Any]]:
    rows = [shown(i._asdict(), fmt, "progress") for i in items]
    if fmt == "table":
        # a program listed in two versions says which in its name: the Ver column gives
        # way first on a narrow terminal (JSON and CSV carry `version` always)
        versions: dict[str, set[int]] = {}
        for i in items:
            versions.setdefault(i.program.casefold(), set()).add(i.version)
        for row, i in zip(rows, items, strict=True):
            if len(versions[i.program.casefold()]) > 1:
                row["program"] = f"{i.program} v{i.version}"
    return rows


def _by_member(r: EnrollmentRow) -> tuple[Any, ...]:
    from trainctl.domain.text import roster_key

    return (*roster_key(r.member, r.member_id), r.enrolled_on, r.id)


def _by_quiet(r: EnrollmentRow) -> tuple[Any, ...]:
    """The longest quiet first, counted as the inactivity reminders count it."""
    from trainctl.domain.reminders import quiet_since

    return (quiet_since(r.enrolled_on, r.last_activity_on), *_by_member(r))


# `enroll list --sort KEY`: the order of the listing (ties: by member, then id).
LIST_SORTS: dict[str, Callable[[EnrollmentRow], Any]] = {
    "member": _by_member,
    "program": lambda r: (r.program.casefold(), r.version, _by_member(r)),
    "progress": lambda r: (r.progress, _by_member(r)),
    "target": lambda r: (r.target_date is None, r.target_date or r.enrolled_on, _by_member(r)),
    "enrolled": lambda r: (r.enrolled_on, r.id),
    "activity": _by_quiet,
    "status": lambda r: (r.status, _by_member(r)),
    "id": lambda r: r.id,
}


def _enrollment_dates(ctx: typer.Context, target_date: str | None) -> date | None:
    """Refuse an enrollment day (--as-of) or a --target-date outside the calendar trainctl
    reports on: a deadline counted from 9999-12-31 would fall off the calendar."""
    from trainctl.schemas.enrollment import enrollment_day

    state = get_state(ctx)
    target = parse_date(target_date, "--target-date")
    for day, flag in ((state.as_of, "--as-of"), (target, "--target-date")):
        try:
            enrollment_day(day)
        except ValueError as exc:
            raise typer.BadParameter(f"{exc}.", param_hint=flag) from None
    return target


@app.command("add")
def add(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="Member id, email, badge number or name.")],
    program: Annotated[str, typer.Argument(help="Program id, name, or name@version.")],
    target_date: Annotated[
        str | None,
        typer.Option(
            "--target-date",
            help="Target completion date (YYYY-MM-DD). Default: today + the program's time limit.",
            show_default=False,
        ),
    ] = None,
    any_position: AnyPositionOpt = False,
    format: FormatOpt = None,
) -> None:
    """Enroll one member in a program (position, prerequisites and concurrency are checked)."""
    from trainctl.services import enrollment as svc
    from trainctl.services.members import get_member

    state = get_state(ctx)
    target = _enrollment_dates(ctx, target_date)
    with state.session(write=True) as (session, actor):
        m = get_member(session, member)
        p = svc.get_program(session, program)
        again = svc.completed_before(session, p, m)  # (before the new one is the latest)
        e = svc.enroll_member(
            session, actor, m, p, today=state.today(session), target_date=target,
            any_position=any_position, credit_through=_real_today(session),
        )  # fmt: skip
        summary = svc.enrollment_summary(session, e, state.today(session))
        early = svc.hire_note(m, state.today(session))
    fmt = fmt_of(ctx, fmt_value(format))
    render.record(shown(summary, fmt, "progress"), fmt)
    if early:  # a pre-hire academy, or a typo in --as-of
        render.warn(early)
    render.info(
        f"Enrolled {summary['member']} in '{summary['program']}' v{summary['program_version']} "
        f"(enrollment {summary['id']}).",
        quiet=state.quiet,
    )
    if again:
        render.warn(again)


def _read(path: Path) -> bytes:
    from trainctl.inputfile import read_input

    try:
        return read_input(path)
    except OSError as exc:
        raise BadInputError(f"Cannot read {path}: {exc.strerror}.", "Check the path.") from None


@app.command("bulk")
def bulk(
    ctx: typer.Context,
    program: Annotated[str, typer.Argument(help="Program id, name, or name@version.")],
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="CSV with a member, email, badge or id column (optional: name, target_date).",
            exists=True,  # (a missing file is refused as member import refuses it: exit 2)
            dir_okay=False,
            readable=True,
            show_default=False,
        ),
    ] = None,
    members: Annotated[
        list[str] | None,
        typer.Option(
            "--members", "--member", metavar="A,B,C", show_default=False,
            help="Members (id, email, badge or name) separated by commas, or the option repeated.",
        ),
    ] = None,
    target_date: Annotated[
        str | None,
        typer.Option(
            "--target-date", show_default=False,
            help="Target date for everyone (YYYY-MM-DD); default: the program's time limit. A file's "
            "target_date column may not say otherwise (refused); its empty cells take this date.",
        ),
    ] = None,
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="Write nothing when any member is refused.")
    ] = False,
    any_position: AnyPositionOpt = False,
    ignore_unknown_columns: Annotated[
        bool, typer.Option("--ignore-unknown-columns", help="Skip columns trainctl does not know (a roster's Phone, Notes).")
    ] = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = None,
) -> None:
    """Enroll many members at once. Every member is checked first; each refusal is reported
    with its line and reason, and the command exits 1 when any member was refused."""
    from trainctl.services import enrollment as svc
    from trainctl.services.enrollment.requests import requests_from_csv, requests_from_list

    if csv_file is None and members is None and _a_file(program):
        # `trainctl enroll bulk recruits.csv`: the class file where the program goes
        from trainctl.domain.text import shell_word

        raise UsageError(
            f"{program} is a file, given where the program goes; nothing was written.",
            f"Name the program, then the file: `trainctl enroll bulk PROGRAM --csv {shell_word(program)}` "
            "(`trainctl program list` shows the programs).",
        )
    if (csv_file is None) == (members is None):
        raise UsageError("Give --csv FILE or --members a,b,c (one of them).")
    state = get_state(ctx)
    target = _enrollment_dates(ctx, target_date)
    duplicates: list[tuple[int, int]] = []
    if csv_file is not None:
        requests, duplicates = requests_from_csv(
            _read(csv_file), source=str(csv_file), ignore_unknown=ignore_unknown_columns
        )

    with state.session(write=not dry_run) as (session, actor):
        if csv_file is None:
            from trainctl.services.members import member_list

            requests = requests_from_list(member_list(session, members or (), "--members"))
        p = svc.get_program(session, program)
        with _progress_bar() as on_progress:
            result = svc.bulk_enroll(
                session, actor, p, requests, today=state.today(session), target_date=target,
                all_or_nothing=all_or_nothing, dry_run=dry_run, any_position=any_position,
                on_progress=on_progress, credit_through=_real_today(session),
            )  # fmt: skip
        label = svc.program_label(p)
    # the rows as read and the members they name are let go: the report reads the outcomes
    del requests

    from trainctl.queries.members import offer_of

    # each refused row's own offer ("Did you mean ...?") beside its reason, and the rows
    # that repeat it (the same typo on 140 lines is fixed on 140 lines, not found one run
    # at a time)
    offers = {o.where: offer_of(o.hint)[0] for o in result.refused}
    repeats: dict[str, int] = {}
    for _, first in duplicates:
        repeats[f"line {first}"] = repeats.get(f"line {first}", 0) + 1

    def outcome_row(o: Any) -> dict[str, Any]:
        if o.refused:
            outcome = "refused"
        elif o.duplicate_of:
            outcome = f"same member as {o.duplicate_of}"
        elif o.already:
            outcome = "already enrolled"
        elif o.ended:
            outcome = f"skipped: {o.ended}"  # withdrawn or failed before (the note says how to enroll)
        elif result.written:
            outcome = "enrolled"
        else:
            outcome = "would enroll" if dry_run else "not written"
        return {"where": o.where, "member": o.member_name or o.ref, "member_id": o.member_id,
                "result": outcome, "enrollment_id": o.enrollment_id, "target_date": o.target_date,
                "reason": _with(o.refused, offers.get(o.where)), "note": o.note}  # fmt: skip

    at = {o.where: o for o in result.outcomes} if duplicates else {}

    def duplicate_row(line: int, first: int) -> dict[str, Any]:
        o = at.get(f"line {first}")
        return {"where": f"line {line}", "member": outcome_row(o)["member"] if o else None,
                "member_id": o.member_id if o else None, "result": f"duplicate of line {first}",
                "enrollment_id": None, "target_date": None, "reason": None, "note": None}  # fmt: skip

    # every row in the file's order (outcomes, and the rows repeating one), by index: a
    # table shows the first TABLE_LIMIT, so only those become rows (a class of 100,000
    # held a dict a row to print 100 of them)
    order = sorted([(_place(o.where), i) for i, o in enumerate(result.outcomes)]
                   + [(line, -1 - j) for j, (line, _) in enumerate(duplicates)])  # fmt: skip
    fmt = fmt_of(ctx, fmt_value(format))
    cols = [Col("where", "Where"), Col("member"), Col("result"),
            Col("enrollment_id", "Enrollment", numeric=True), Col("target_date", "Target date"),
            Col("reason")]  # fmt: skip
    if fmt == "csv":
        cols = [*cols, Col("note")]  # a name that is not the member's, a target date left as it is
    if fmt == "table" and not any(o.enrollment_id for o in result.outcomes):
        cols = [c for c in cols if c.key != "enrollment_id"]  # a dry run: no ids to show
    # a class of 2,000 is not scrolled past at a terminal: the first rows, and where all are
    cut = fmt == "table" and len(order) > TABLE_LIMIT
    rows = [outcome_row(result.outcomes[i]) if i >= 0 else duplicate_row(*duplicates[-1 - i])
            for _, i in (order[:TABLE_LIMIT] if cut else order)]  # fmt: skip
    render.table(rows, cols, fmt)
    if cut:
        render.info(f"Showing the first {TABLE_LIMIT} of {len(order)} rows; --format csv writes them all "
                    "(each row's result, reason and note).", quiet=state.quiet)  # fmt: skip
    # rows that name a member listed before (the same row again, or another spelling); a
    # row repeating a refused one is counted with the refusals
    refused_again = sum(n for where, n in repeats.items() if where in offers)
    again = len(duplicates) - refused_again + sum(1 for o in result.outcomes if o.duplicate_of and not o.refused)
    notes = [f"{o.where}: {o.note}" for o in result.outcomes if o.note and not o.refused]
    for line in render.first_of(notes, what="rows with a note (--format csv has each row's)"):
        render.warn(line)
    enrolled, refused, already = len(result.enrolled), len(result.refused), len(result.already)
    ended = len(result.ended)
    taken_again = len(result.again) if result.written or dry_run else 0
    verb = "Enrolled" if result.written else "Would enroll" if dry_run else "Enrolled"
    count = enrolled if result.written or dry_run else 0
    render.info(
        f"{verb} {plural(count, 'member')} in {label} ({plural(count * (result.progress_rows // max(enrolled, 1)), 'progress row')})"
        + (f"; {taken_again} of them again, having completed it before" if taken_again else "")
        + (f"; {already} already enrolled, left as they are" if already else "")
        + (f"; {ended} withdrawn or failed before, skipped" if ended else "")
        + (f"; {refused} refused" if refused else "")
        + (f" ({refused_again} more lines repeating them)" if refused_again else "")
        + (f"; {again} naming a member already listed, counted once" if again else "")
        + ("; dry run, nothing written." if dry_run else "."),
        quiet=state.quiet,
    )
    if refused:
        nothing = (all_or_nothing and not dry_run) or dry_run
        raise RefusedError(
            f"{plural(refused, 'member')} refused"
            + (
                "; nothing was written (--all-or-nothing)."
                if all_or_nothing and not dry_run
                else "."
            ),
            "Fix or remove the rows named above and run the command again"
            + ("." if nothing or not count else "; the members enrolled stay enrolled.")
            + _row_hints(result.refused)
            + (
                "\n  Every row with its result and reason: the same command with --dry-run "
                "--format csv > rows.csv (open it in a spreadsheet)."
                if fmt == "table" and (cut or refused > render.SHOWN_PROBLEMS + 1)
                else ""
            ),
            details=[
                f"{o.where}: {o.ref or '(empty)'}: {_with(o.refused, offers.get(o.where))}"
                + (f" (the same row on {plural(repeats[o.where], 'more line')})" if repeats.get(o.where) else "")
                for o in result.refused
            ],
        )


def _a_file(program: str) -> bool:
    """A PROGRAM argument that is a class file's name (recruits.csv), not a program's."""
    suffix = Path(program).suffix.lower()
    return suffix in (".csv", ".tsv", ".txt") or (suffix != "" and Path(program).is_file())


def _place(where: str) -> int:
    """A bulk row's place in its input: "line 12" (a file) or "item 3" (--members) -> 12, 3."""
    return int(where.rsplit(" ", 1)[-1])


def _with(reason: str | None, offer: str | None) -> str | None:
    """A refused row's reason with its own offer: "No member 'Jamal Cartr'. Did you mean
    Jamal Carter (badge F-224)?"."""
    return f"{reason} {offer}" if reason and offer else reason


def _row_hints(refused: list[Any]) -> str:
    """What `enroll add` would hint for the refused rows, once per hint, with its rows:
    "\n  line 3, line 6: Name a member by badge number, ...", each row's "Did you mean"
    left out (its refusal line has it). The first eight hints."""
    from trainctl.queries.members import offer_of

    rows: dict[str, list[str]] = {}
    for o in refused:
        hint = offer_of(o.hint)[1]
        if hint:
            rows.setdefault(hint, []).append(o.where)
    lines = [
        f"  {', '.join(w[:5])}{f' and {len(w) - 5} more' if len(w) > 5 else ''}: {hint}"
        for hint, w in list(rows.items())[:8]
    ]
    if len(rows) > 8:
        lines.append(f"  ... and {len(rows) - 8} more (--format csv has each row's reason)")
    return "".join("\n" + line for line in lines)


class _progress_bar:
    """A Rich progress bar on stderr, only on a terminal; yields the callback (or None)."""

    def __enter__(self) -> Any:
        if not render.err.is_terminal:
            self.progress = None
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        live = Progress(
            TextColumn("Enrolling"),
            BarColumn(),
            MofNCompleteColumn(),
            console=render.err,
            transient=True,
        )
        self.progress = live
        live.start()
        task = live.add_task("rows", total=None)

        def update(done: int, total: int) -> None:
            live.update(task, completed=done, total=total)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


@app.command("list")
def list_(
    ctx: typer.Context,
    program: Annotated[
        str | None,
        typer.Option(
            "--program",
            help="Only this program: a name is every version of it, name@version or an id one version.",
            show_default=False,
        ),
    ] = None,
    member: Annotated[
        str | None,
        typer.Option("--member", help="Only this member (id, email, badge or name).", show_default=False),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="active, completed, on_hold, withdrawn or failed.", show_default=False
        ),
    ] = None,
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue",
            help="Only active enrollments past their target date or with a requirement past its deadline.",
        ),
    ] = False,
    below: Annotated[
        float | None,
        typer.Option("--below", metavar="PCT", help="Only enrollments below PCT percent complete.", show_default=False,
                     parser=amount("--below", 0, 100, refuse=UsageError)),
    ] = None,
    sort: Annotated[
        str,
        typer.Option("--sort", metavar="KEY", help=f"Order: {', '.join(LIST_SORTS)} (member: by last name; activity: the longest without progress first)."),
    ] = "member",
    format: FormatOpt = None,
) -> None:
    """List enrollments (members without training.view_all see only their own)."""
    from trainctl.domain.progress import ENROLLMENT_STATUSES
    from trainctl.queries import enrollments as q

    if status is not None and status not in ENROLLMENT_STATUSES:
        raise UsageError(
            f"--status {status!r} is not a status.", f"Use one of {', '.join(ENROLLMENT_STATUSES)}."
        )
    if sort not in LIST_SORTS:
        raise UsageError(f"--sort {sort!r} is not a sort order.", f"Use one of {', '.join(LIST_SORTS)}.")
    if below is not None and not 0 < below <= 100:
        raise UsageError(f"--below {below:g} is not a percentage.", "Give a number above 0 and at most 100.")
    state = get_state(ctx)
    with state.reader() as (rd, actor):
        today = state.today_of(rd) if overdue else None
        rows = q.list_enrollments(
            rd, actor, program=program, member=member, status=status, overdue_on=today
        )
        later = 0
        if state.as_of is not None:  # those begun by the day, and only as they stood then
            later = len(rows)
            rows = [r for r in rows if r.enrolled_on <= state.as_of]
            later -= len(rows)
            _as_of_day(q.dated_after(rd, [r.id for r in rows], state.as_of), state.as_of, "enroll list")
    if below is not None:
        rows = [r for r in rows if r.progress < below]
    rows = sorted(rows, key=LIST_SORTS[sort])
    filtered = any(x is not None for x in (program, member, status, below)) or overdue
    fmt = fmt_of(ctx, fmt_value(format))
    render.table(
        _rows(rows, fmt),
        # a terminal shows the last activity when the listing is ordered by it (JSON and
        # CSV always carry it: their columns do not change with the order)
        LIST_COLS if fmt != "table" else ACTIVITY_COLS if sort == "activity" else TABLE_COLS,
        fmt,
        empty=f"No enrollment had begun by {state.as_of}, the --as-of day (later ones are on file)."
        if later else "No enrollments match these filters." if filtered else EMPTY,
    )


def _as_of_day(later: dict[int, date], day: date, command: str, member_id: int | None = None) -> None:
    """`enroll show` and `enroll list` print the stored figures, today's: under --as-of they
    are that day's only when nothing of the enrollments is dated after it (a simulation
    run day by day). Otherwise refused, naming what answers for a past day, rather than a
    past view with later work, later activity dates and a completion not yet made. The
    ledger alone does not answer it: a row's status (a waiver, an officer's override), its
    phase and order, caps and milestones are kept as they stand, not day by day. For one
    enrollment (`member_id`) the commands named are that member's, ready to run."""
    if not later:
        return
    eid, last = max(later.items(), key=lambda x: (x[1], -x[0]))
    more = f" (and {plural(len(later) - 1, 'other enrollment')})" if len(later) > 1 else ""
    who = f"id:{member_id}" if member_id is not None else "MEMBER"
    ledger = (f"--enrollment {eid} --requirement REQUIREMENT" if member_id is not None
              else "--member MEMBER --requirement REQUIREMENT")  # fmt: skip
    raise UsageError(
        f"`{command}` shows progress as it stands now, and enrollment {eid}{more} has "
        f"progress, a verification or its start dated after --as-of {day} (up to {last}): "
        "its figures are not those of that day (statuses, phases and milestones are kept as "
        "they stand now, not day by day); nothing was shown.",
        f"For {day}, `trainctl --as-of {day} report compliance --member {who}` and "
        f"`trainctl --as-of {day} requirement explain {who} REQUIREMENT` judge that day; "
        f"`trainctl progress log {ledger}` lists each credit with its day. "
        f"Run `trainctl {command}` without --as-of for today's figures.",
    )


@app.command("me")
def me(ctx: typer.Context, format: FormatOpt = None) -> None:
    """The acting member's own enrollments (run with --as MEMBER)."""
    from trainctl.queries import enrollments as q

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        rows = q.my_enrollments(rd, actor)
    fmt = fmt_of(ctx, fmt_value(format))
    render.table(_rows(rows, fmt), TABLE_COLS if fmt == "table" else LIST_COLS, fmt,
                 empty="You have no enrollments.")


@app.command("user")
def user(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="Member id, email, badge number or name.")],
    format: FormatOpt = None,
) -> None:
    """One member's enrollments."""
    from trainctl.queries import enrollments as q

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        rows = q.member_enrollments(rd, actor, member)
    fmt = fmt_of(ctx, fmt_value(format))
    render.table(
        _rows(rows, fmt),
        TABLE_COLS if fmt == "table" else LIST_COLS,
        fmt,
        empty=f"{member} has no enrollments.",
    )


SHOW_COLS = [
    Col("progress_id", "ID", numeric=True),
    Col("phase"),
    Col("requirement"),
    Col("bar", "Progress", drop=3),
    Col("value_target", "Value / target", numeric=True),
    Col("percentage", "%", numeric=True),
    Col("status"),
    Col("due", "Deadline"),
    Col("verification", drop=2),
]


SHOW_CSV_COLS = [
    Col(k)
    for k in (
        "progress_id", "phase", "requirement", "required", "prerequisite", "value", "target", "unit",
        "percentage", "status", "override", "due_on", "overdue", "verified_by", "verified_on", "verified_at", "pending",
        "not_counted",
    )
]  # fmt: skip


def _csv_line(x: Any) -> dict[str, Any]:
    return {
        "progress_id": x.progress_id, "phase": x.phase, "requirement": x.requirement,
        "required": x.is_required, "prerequisite": x.is_prerequisite, "value": x.value,
        "target": x.target, "unit": x.unit, "percentage": x.percentage, "status": x.status,
        "override": x.override, "due_on": x.due_on, "overdue": x.overdue,
        "verified_by": x.verified_by, "verified_on": x.verified_on, "verified_at": x.verified_at,
        "pending": x.pending,
        # hours credited that do not count (caps, full minimums): `enroll show` JSON says why
        "not_counted": x.allocation["not_counted_hours"] if x.allocation else None,
    }  # fmt: skip


def _last_activity(day: date | None, today: date) -> str:
    """'2026-11-02 (29 days ago)': how long the enrollment has been quiet, as the
    inactivity reminders count it. A day after `today` (a past --as-of) is shown bare."""
    if day is None:
        return "no progress logged yet"
    if day > today:
        return day.isoformat()
    from trainctl.domain.reminders import when_text

    return f"{day.isoformat()} ({when_text(day, today)})"


@app.command("show")
def show(
    ctx: typer.Context,
    enrollment: Annotated[str, typer.Argument(help="Enrollment id.")],
    format: FormatOpt = None,
) -> None:
    """A member's progress in one enrollment: each requirement with a bar, value / target,
    status, deadline and verification, plus the overall percentage, phase and target date."""
    from trainctl.queries import enrollments as q

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, actor):
        e = q.visible_enrollment(rd, actor, enrollment)
        today = state.today_of(rd)
        if state.as_of is not None:
            _as_of_day(q.dated_after(rd, [e.id], today), today, f"enroll show {e.id}", e.member_id)
        summary = q.enrollment_summary(rd, e.id, today).as_dict()
        lines = q.progress_lines(rd, e.id, today)
        milestones = [m.as_dict() for m in q.milestone_rows(rd, e)]
    if fmt == "json":
        render.emit_json(
            {**summary, "requirements": [x.as_dict() for x in lines], "milestones": milestones}
        )
        return
    from trainctl.domain.progress import shown_percentage

    if fmt == "csv":
        # one figure a column, as a spreadsheet wants it: no bars, no "5 / 40 h" in a cell
        render.emit_csv([_csv_line(x) for x in lines], SHOW_CSV_COLS)
        return
    rows = []
    for x in lines:
        target = f"{render.cell(x.target)}" if x.target is not None else "?"
        # the verification's effective date (the --as-of date it was given), not the clock's
        on = f" on {x.verified_on}" if x.verified_on else ""
        verification = (
            f"verified by {x.verified_by}{on}"
            if x.verified_by
            else (f"verified{on}" if x.verified_at else "")
        )
        if x.pending:
            verification = (verification + "; " if verification else "") + f"{x.pending} pending"
        flags = ("" if x.is_required else " (optional)") + (
            " [prerequisite]" if x.is_prerequisite else ""
        )
        value_target = f"{render.cell(x.value)} / {target} {x.unit}"
        status = x.status.replace("_", " ")
        if x.override is not None and x.measured_percentage < 100:
            # the value stays the measured one; the override is what makes the row 100%
            overridden = "waived" if x.override == "waived" else "signed off"
            value_target += f" ({overridden})"
            if x.override == "completed":
                status = "completed (signed off)"
        rows.append({
            "progress_id": x.progress_id, "phase": x.phase, "requirement": x.requirement + flags,
            "bar": bar(x.percentage), "value_target": value_target,
            "percentage": shown_percentage(x.percentage), "status": status,
            "due": (x.due_on.isoformat() + (" OVERDUE" if x.overdue else "")) if x.due_on else "",
            "verification": verification,
        })  # fmt: skip
    completed = summary["status"] == "completed"
    head = {
        "enrollment": summary["id"],
        "member": summary["member"],
        "program": f"{summary['program']} v{summary['program_version']}",
        "status": summary["status"].replace("_", " ")
        # the day the work that completed it was done (JSON: completed_on; completed_at is
        # the instant it was written)
        + (f" on {summary['completed_on']}" if completed and summary["completed_on"] else "")
        + (f" ({summary['status_reason']})" if summary["status_reason"] else ""),
        "overall": f"{bar(summary['progress'], 20)} {render.cell(shown_percentage(summary['progress']))}%",
        "last_activity": _last_activity(summary["last_activity_on"], today),
        "current_phase": summary["current_phase"] or "-",
        "phase_deadline": f"{summary['phase_deadline'] or '-'}"
        + (" OVERDUE" if summary["phase_overdue"] else ""),
        "enrolled": f"{summary['enrolled_on']} by {summary['enrolled_by']}",
        "target_date": f"{summary['target_date'] or '-'}"
        + (" OVERDUE" if summary["overdue"] else ""),
    }
    if completed:  # a completed enrollment works in no phase: no phase deadline to meet
        del head["phase_deadline"]
    render.record(head, "table")
    cols = [c for c in SHOW_COLS if c.key != "phase" or any(r["phase"] for r in rows)]
    render.table(rows, cols, "table", empty="This enrollment has no requirements.")
    from trainctl.domain.progress import category_lines

    for x in lines:
        if x.allocation is not None:  # hours with categories: where every hour went
            render.table(
                category_lines(x.allocation),
                [Col("category"), Col("hours", "Filled / minimum", numeric=True),
                 Col("logged", "Logged", numeric=True, drop=1), Col("detail", "Where the hours went")],
                "table",
                title=f"Hours of {x.requirement} (progress {x.progress_id})",
            )  # fmt: skip
    if milestones:
        render.table(
            [{**m, "phase": m["phase"] or "whole program"} for m in milestones],
            [
                Col("milestone"),
                Col("phase"),
                Col("threshold", "At %", numeric=True),
                Col("state"),
                Col("reached_on", "Reached", drop=2),
                Col("verified_by", "Verified by", drop=1),
            ],
            "table",
            title="Milestones",
        )


# what cannot be taken back: a withdrawn or failed enrollment is never resumed (a new one
# starts from what is on file, without its manual entries)
_FINAL = {"withdraw": "Withdraw", "fail": "Mark as failed"}


def _lifecycle(
    ctx: typer.Context, enrollment: str, action: str, reason: str | None, *, yes: bool = True
) -> None:
    from trainctl.services.enrollment import get_enrollment
    from trainctl.services.enrollment.lifecycle import change_status

    state = get_state(ctx)
    if action in _FINAL and not yes and render.interactive():
        from trainctl.domain.progress import pct_text
        from trainctl.services.enrollment import enrollment_summary

        with state.session(write=False) as (session, _):  # nobody waits on the question
            e = get_enrollment(session, enrollment)
            s = enrollment_summary(session, e, state.today(session))
        render.confirm(
            f"{_FINAL[action]} {s['member']} from '{s['program']}' v{s['program_version']} "
            f"(enrollment {s['id']}, {s['status'].replace('_', ' ')}, {pct_text(s['progress'])})? "
            "It cannot be undone",
            yes=yes,
        )
    with state.session(write=True) as (session, actor):
        e = get_enrollment(session, enrollment)
        unchanged = action == "withdraw" and e.status == "withdrawn"
        e, messages = change_status(
            session, actor, e, action, today=state.today(session), reason=reason,
            credit_through=_real_today(session) if action == "resume" else None,
        )
        status = e.status if action != "resume" else "active"
    if not unchanged:
        render.info(
            f"Enrollment {enrollment} is now {status.replace('_', ' ')}.", quiet=state.quiet
        )
    for message in messages:
        render.info(message, quiet=state.quiet)


ReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--reason", help="Why (kept with the enrollment and in the audit log).", show_default=False
    ),
]
EnrollmentArg = Annotated[str, typer.Argument(help="Enrollment id.")]


@app.command("hold")
def hold(ctx: typer.Context, enrollment: EnrollmentArg, reason: ReasonOpt = None) -> None:
    """Put an active enrollment on hold: it takes no credit, overrides or verification
    until resumed (notes are still kept)."""
    _lifecycle(ctx, enrollment, "hold", reason)


@app.command("resume")
def resume(ctx: typer.Context, enrollment: EnrollmentArg, reason: ReasonOpt = None) -> None:
    """Resume an enrollment that is on hold; it catches up with anything that changed
    meanwhile: cards, records, shifts and calls on file since it began are credited, then
    completion, phase advancement and milestones."""
    _lifecycle(ctx, enrollment, "resume", reason)


@app.command("withdraw")
def withdraw(
    ctx: typer.Context, enrollment: EnrollmentArg, reason: ReasonOpt = None, yes: YesOpt = False
) -> None:
    """Withdraw a member from a program (history is kept; they may enroll again later,
    as a new enrollment). Members may withdraw their own open enrollments; a completed one
    only an officer. At a terminal it asks first (--yes: don't)."""
    _lifecycle(ctx, enrollment, "withdraw", reason, yes=yes)


@app.command("fail")
def fail(
    ctx: typer.Context, enrollment: EnrollmentArg, reason: ReasonOpt = None, yes: YesOpt = False
) -> None:
    """Mark an enrollment failed (for good: it is never resumed). At a terminal it asks
    first (--yes: don't)."""
    _lifecycle(ctx, enrollment, "fail", reason, yes=yes)


@app.command("advance")
def advance(ctx: typer.Context, enrollment: EnrollmentArg) -> None:
    """Advance a phased enrollment to its next phase (the officer's manual advancement);
    refused unless the current phase's required items are complete."""
    from trainctl.services.enrollment import get_enrollment
    from trainctl.services.enrollment.lifecycle import advance_phase

    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        e = get_enrollment(session, enrollment)
        messages = advance_phase(
            session, actor, e, today=state.today(session), credit_through=_real_today(session)
        )
    for m in messages:
        render.info(m, quiet=state.quiet)


@app.command("edit")
def edit(
    ctx: typer.Context,
    enrollment: EnrollmentArg,
    target_date: Annotated[
        str,
        typer.Option(
            "--target-date",
            help="The new target completion date (YYYY-MM-DD), on or after the enrollment date.",
            show_default=False,
        ),
    ],
    reason: ReasonOpt = None,
) -> None:
    """Move an open enrollment's target date (needs training.manage): a class pushed back,
    a date mistyped in the recruit file. Kept in the audit log with the old date; deadline
    reminders follow the new one."""
    from trainctl.services.enrollment import get_enrollment
    from trainctl.services.enrollment.lifecycle import set_target_date

    state = get_state(ctx)
    target = _enrollment_dates(ctx, target_date)
    assert target is not None  # a required option
    with state.session(write=True) as (session, actor):
        e = get_enrollment(session, enrollment)
        message = set_target_date(session, actor, e, target, today=state.today(session), reason=reason)
    render.info(message, quiet=state.quiet)


def _real_today(session: Any) -> date:
    """The department's today, whatever --as-of says: an enrollment backdated with --as-of
    is credited with what is on file up to it (services/enrollment/on_file `through`)."""
    from trainctl.services.settings import today

    return today(session, None)
