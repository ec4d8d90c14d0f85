"""`trainctl shift`: add, import, list, void — who worked which shift, and for how long.

Times carry their UTC offset (2026-03-07T07:00-05:00), or none (2026-03-07 07:00, as a
spreadsheet writes it: the department's clock; a time the clocks skipped or showed twice
is refused, naming the offsets to give); hours come from the instants: a
24-hour tour across the spring-forward night counts 23 hours, across the fall-back night 25
(in New York, 2026-03-07T07:00-05:00 to 2026-03-08T07:00-04:00 is 23 hours). A time whose
offset is neither UTC nor the department's clock's is taken as the instant it is, and said
with what time it was there (domain/shifts.py offset_doubt).
Attendance is the one source for shift counts: a `shifts` requirement counts 1 per shift
attended, an `hours` requirement with --counts-attendance takes the shift's hours.

Natural key: member + shift date + station + shift name (case and spaces aside). Adding or
importing the same attendance again adds and credits nothing twice; the same key with other
times is refused (nothing changes behind your back): void the attendance on file (`shift
void`) and add it again.

JSON output (`shift list`): one object per attendance (id, shift_id, shift_date, station,
shift, member_id, member, email, time_in, time_out (UTC), hours, source_file, source_line,
created_at, created_by, voided_at).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from trainctl.cli import render
from trainctl.cli import sheet_import as si
from trainctl.cli.options import DryRunOpt, FormatOpt, LimitOpt, fmt_value, parse_date, row_limit
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import hours_text, plural, word_for

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("shift_date", "Shift date"),
    Col("station", drop=2),  # at 80 columns the lesser columns go, the shift letter first,
    Col("shift", drop=1),  # so the member's name and the void's reason keep their words
    Col("member"),
    Col("time_in", "Time in"),
    Col("time_out", "Time out"),
    Col("hours", numeric=True),
]
# CSV: the member's e-mail beside the name, as the import reads it first (two members may
# share a name)
FILE_COLUMNS = [*COLUMNS[:5], Col("email"), *COLUMNS[5:]]  # (after member)
# One row per member: the member's id is titled so (`shift list`'s ID is an attendance's,
# the one `shift void` takes); name them with `--member id:N`, as `member list` shows it.
TOTAL_COLUMNS = [
    Col("member_id", "Member ID", numeric=True),
    Col("member"),
    Col("shifts", numeric=True),
    Col("hours", numeric=True),
]
EMPTY = (
    "No shifts yet. Record one with `trainctl shift add MEMBER --date DATE --time-in "
    "2026-03-07T07:00-05:00 --time-out 2026-03-08T07:00-04:00`, or import a sheet with "
    "`trainctl shift import --csv FILE`."
)
INSTANT = "DATE-TIME"


_o = si.opt


def local(instant: datetime | None, zone: tzinfo) -> str:
    """An instant in the department's timezone, with its offset: 2026-03-07T07:00-05:00."""
    return instant.astimezone(zone).isoformat(timespec="minutes") if instant else ""


def local_dated(instant: datetime | None, zone: tzinfo) -> str:
    """A time for a table (a call's, a shift's time in and out): '2025-01-01 00:30', the
    department's clock (said under the table), with its year: a call after midnight on
    New Year's Day belongs to the shift date of 2024-12-31, and '01-01 00:30' under it
    read as the wrong year, as did a New Year's Eve tour's time out. At 80 columns the
    time goes under the date (lines break at the space); a file keeps `local`'s spelling."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else ""


@app.command("add")
def add(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(metavar="MEMBER", help="The member (id, e-mail, badge or name).", show_default=False)],
    on: Annotated[str, _o("--date", "-d", help="The shift date (YYYY-MM-DD): the day the shift was worked on.",
                          metavar="DATE")],
    time_in: Annotated[str, _o("--time-in", help="Time in, e.g. 2026-03-07T07:00-05:00; without an offset "
                               "(2026-03-07 07:00) it is read in the department's timezone.",
                               metavar=INSTANT)],
    time_out: Annotated[str, _o("--time-out", help="Time out, e.g. 2026-03-08T07:00-04:00 (in New York, a 23-hour "
                                "tour: the clocks went forward that night); without an offset, the department's clock.",
                                metavar=INSTANT)],
    station: Annotated[str | None, _o("--station", "-s", help="The station, e.g. 'Station 1'.", metavar="STATION")] = None,
    shift: Annotated[str | None, _o("--shift", help="The shift's name, e.g. A, B, C or day.", metavar="NAME")] = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = None,
) -> None:
    """Record one member on one shift (needs training.manage). The hours come from the
    instants; attendance credits `shifts` requirements and `hours` requirements that count
    attendance. Natural key: member + shift date + station + shift name."""
    from trainctl.services import shifts as svc

    state = get_state(ctx)
    given = si.values(shift_date=on, time_in=time_in, time_out=time_out, station=station, shift=shift)
    with state.session(write=not dry_run) as (session, actor):
        outcome = svc.add_attendance(session, actor, member, given, today=state.today(session),
                                     dry_run=dry_run)  # fmt: skip
    si.emit_add(fmt_of(ctx, fmt_value(format)), "attendance_ids", outcome, outcome.ids, dry_run=dry_run)
    for line in si.member_doubts(outcome):  # before the hire date; one member named twice
        render.warn(line)
    si.clock_note(outcome, quiet=state.quiet)
    if outcome.added:
        ident = f" {outcome.ids[0]}" if outcome.ids and not dry_run else ""
        text = f"{'Would record' if dry_run else 'Recorded'} shift attendance{ident}."
    else:
        text = "Already recorded (same member, shift date, station and shift); nothing changed."
    si.report_add(text, outcome.feed, dry_run=dry_run, quiet=state.quiet)


si.register_import(
    app,
    "trainctl.services.shifts:import_shifts",
    """Import shift attendance from a CSV file, one row per member and shift. Columns:
member (email, badge or member), shift_date, station, shift, time_in, time_out (as in
2026-03-07T07:00-05:00; a time without an offset, as a spreadsheet writes it, is read in
the department's timezone, and one the clocks skipped or showed twice is refused). Headers match without regard to case and punctuation ("Time
In", "Shift Date", "E-mail", "Badge #"). Every row is checked first; any bad row:
nothing is written and exit 65 (with --skip-invalid the good rows are written and the
exit is still 65). Natural key: member + shift date + station + shift name, so
importing a file again adds and credits nothing twice.""",
    created="shift",
)


@app.command("list")
def list_(
    ctx: typer.Context,
    member: Annotated[str | None, _o("--member", "-m", help="Only this member (id, e-mail, badge or name).", metavar="MEMBER")] = None,
    start: Annotated[str | None, _o("--from", help="From this shift date (YYYY-MM-DD).", metavar="DATE")] = None,
    end: Annotated[str | None, _o("--to", help="Up to this shift date, inclusive.", metavar="DATE")] = None,
    station: Annotated[str | None, _o("--station", "-s", help="Only this station.", metavar="STATION")] = None,
    totals: Annotated[bool, typer.Option("--totals", help="One row per member (Member ID, name): shifts and hours.")] = False,
    include_void: Annotated[bool, typer.Option("--include-void", help="Show void attendance too.")] = False,
    limit: LimitOpt = None,
    format: FormatOpt = None,
) -> None:
    """List shift attendance, newest first (a table the newest 100; times in the
    department's timezone; JSON in UTC). Members see their own. --totals: shifts and hours per member, the figures the
    credit feed counts."""
    from trainctl.queries import members as qm
    from trainctl.queries import shifts as q
    from trainctl.queries.settings import department_zone

    state = get_state(ctx)
    first, given = parse_date(start, "--from"), parse_date(end, "--to")
    last, clipped = si.as_of_end(state, given, "shifts")  # as record list: none after the day
    with state.reader() as (rd, actor):
        member_id = qm.get_member(rd, member).id if member else None

        def listed(to: date | None, most: int | None = None) -> list[q.AttendanceRow]:
            return q.list_attendance(rd, actor, member_id=member_id, start=first, end=to,
                                     station=station, include_void=include_void, limit=most)  # fmt: skip

        rows = listed(last)
        later = clipped and not rows and bool(listed(given, 1))
        zone = department_zone(rd)
    fmt = fmt_of(ctx, fmt_value(format))
    filtered = any((member, start, end, station))
    empty = "No shifts match these filters." if filtered else EMPTY
    if later and last is not None:
        empty = si.empty_as_of("shifts", last, filtered=filtered)
    if totals:
        render.table([t.as_dict() for t in q.attendance_totals(rows)], TOTAL_COLUMNS, fmt, empty=empty)
        return
    when = local_dated if fmt == "table" else local  # (80 columns: the time goes under its date)
    cut = rows[: row_limit(limit, fmt)]
    shown = [
        {**r.as_dict(), "time_in": when(r.time_in, zone), "time_out": when(r.time_out, zone),
         "void": si.void_cell(r)}
        for r in cut
    ]
    cols = FILE_COLUMNS if fmt == "csv" else COLUMNS
    render.table(shown, [*cols, Col("void")] if include_void else cols, fmt, empty=empty,
                 json_rows=[r.as_dict() for r in cut] if fmt == "json" else None)  # fmt: skip
    render.more_rows(len(cut), len(rows), "attendance rows", quiet=state.quiet)
    if rows and fmt == "table":  # (the totals are of every row, shown or not)
        live = [r for r in rows if r.voided_at is None]
        void = len(rows) - len(live)
        hours = q.total_hours(live)
        render.info(f"{plural(len(live), 'shift')}, {hours_text(hours)} {word_for(hours, 'hour')}"
                    + (f" ({void} void not counted)" if void else "")
                    + f"; times in {getattr(zone, 'key', zone)}.", quiet=state.quiet)  # fmt: skip


@app.command("void")
def void(
    ctx: typer.Context,
    attendance: Annotated[str, typer.Argument(metavar="ATTENDANCE", show_default=False,
                                              help="The attendance id (`shift list` shows it).")],
    reason: Annotated[str, _o("--reason", help="Why (kept with the attendance).", metavar="TEXT")],
) -> None:
    """Void an attendance entered by mistake (wrong member, shift or times): it is kept
    (with who, when and why), its credit is reversed, and the member can be added to that
    shift again with the right times."""
    from trainctl.services import shifts as svc

    si.void_command(ctx, svc.void_attendance, attendance, reason, noun="shift attendance", short="Attendance")
