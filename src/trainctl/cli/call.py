"""`trainctl call`: add, import, list, void — incidents and the members who responded.

A call belongs to the shift date it was worked on: a call at 00:30 on 2026-03-09 worked by
the 2026-03-08 tour has shift date 2026-03-08. Its date-time carries its UTC offset
(2026-03-09T00:30-04:00), or none (2026-03-09 00:30: the department's clock). Responses are the one source for call counts: a `calls`
requirement counts 1 per response, of its call types when it lists some.

Natural keys: a call is its incident number (upper case, spaces folded); a response is
incident number + member. Importing the same file again adds and credits nothing twice; an
incident on file with another shift date, time or type is refused while it has a live
response (nothing changes behind your back); a response on file is changed by voiding it
(`call void`) and adding it again, and a call whose responses are all void takes the shift
date, time and type it is added again with (said: "Corrected incident ..."). A row that
leaves out the type or shift date takes the call's.

JSON output (`call list`): one object per response (id, call_id, incident, shift_date, at
(UTC), call_type, member_id, member, email, role, source_file, source_line, created_at,
created_by, voided_at).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli import sheet_import as si
from trainctl.cli.options import DryRunOpt, FormatOpt, LimitOpt, fmt_value, parse_date, row_limit
from trainctl.cli.render import Col
from trainctl.cli.shift import INSTANT, local, local_dated
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import plural

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("incident"),
    Col("shift_date", "Shift date"),
    Col("at", "Date-time"),
    Col("call_type", "Type"),
    Col("member"),
    Col("role", drop=1),  # the first to go at 80 columns: a long call type keeps its words
]
# CSV: the member's e-mail beside the name, as the import reads it first (two members may
# share a name)
FILE_COLUMNS = [*COLUMNS[:6], Col("email"), *COLUMNS[6:]]  # (after member)
EMPTY = (
    "No calls yet. Record one with `trainctl call add INCIDENT --member M --at "
    "2026-03-09T00:30-04:00 --type EMS`, or import a sheet with `trainctl call import --csv FILE`."
)


_o = si.opt


@app.command("add")
def add(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(metavar="INCIDENT", help="The incident number.", show_default=False)],
    member: Annotated[
        list[str],
        _o("--member", "-m", help="A responding member (id, e-mail, badge or name); repeat, or separate with commas.",
           metavar="MEMBER"),
    ],
    at: Annotated[str, _o("--at", help="When, e.g. 2026-03-09T00:30-04:00; without an offset "
                          "(2026-03-09 00:30) it is read in the department's timezone.", metavar=INSTANT)],
    call_type: Annotated[str | None, _o("--type", "-t", help="The call type, e.g. EMS, fire, MVA.", metavar="TYPE")] = None,
    shift_date: Annotated[
        str | None,
        _o("--shift-date", help="The shift date it was worked on (a call after midnight belongs to the day "
           "before). Default: the shift the responders attended at that time.", metavar="DATE"),
    ] = None,
    role: Annotated[str | None, _o("--role", help="The responders' role, e.g. driver.", metavar="ROLE")] = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = None,
) -> None:
    """Record a call and its responding members (needs training.manage). Each response
    credits `calls` requirements that count its type. Natural key: incident + member."""
    from trainctl.services import shifts as svc

    given = si.values(incident=incident, at=at, call_type=call_type, shift_date=shift_date, role=role)
    state = get_state(ctx)
    with state.session(write=not dry_run) as (session, actor):
        from trainctl.services.members import member_list

        refs = member_list(session, member, "--member")
        outcome = svc.add_call(session, actor, refs, given, today=state.today(session), dry_run=dry_run)
    si.emit_add(fmt_of(ctx, fmt_value(format)), "response_ids", outcome, outcome.ids, dry_run=dry_run,
                corrected=outcome.corrected)  # fmt: skip
    for line in si.member_doubts(outcome):  # before the hire date; one member named twice
        render.warn(line)
    si.clock_note(outcome, quiet=state.quiet)
    for line in si.corrected_lines(outcome, dry_run=dry_run):
        render.info(line, quiet=state.quiet)
    verb = "Would record" if dry_run else "Recorded"
    text = f"{verb} {plural(outcome.added, 'response')} to incident {svc.incident_key(incident)}"
    if outcome.already:
        text += f"; {outcome.already} already recorded"
    si.report_add(text + ".", outcome.feed, dry_run=dry_run, quiet=state.quiet)


si.register_import(
    app,
    "trainctl.services.shifts:import_calls",
    """Import calls from a CSV file, one row per responding member. Columns: incident,
shift_date (blank: the shift the member attended at that time), at (the date-time, as in
2026-03-09T00:30-04:00; without an offset, the department's clock), call_type, member (email, badge or member); optional
role. Every row is checked first; any bad row: nothing is written and exit 65 (with
--skip-invalid the good rows are written and the exit is still 65). Natural keys:
incident number (a call), incident + member (a response), so importing a file again
adds and credits nothing twice.""",
    created="call",
)


@app.command("list")
def list_(
    ctx: typer.Context,
    member: Annotated[str | None, _o("--member", "-m", help="Only this member (id, e-mail, badge or name).", metavar="MEMBER")] = None,
    start: Annotated[str | None, _o("--from", help="From this shift date (YYYY-MM-DD).", metavar="DATE")] = None,
    end: Annotated[str | None, _o("--to", help="Up to this shift date, inclusive.", metavar="DATE")] = None,
    call_type: Annotated[str | None, _o("--type", "-t", help="Only calls of this type.", metavar="TYPE")] = None,
    incident: Annotated[str | None, _o("--incident", help="Only this incident.", metavar="INCIDENT")] = None,
    include_void: Annotated[bool, typer.Option("--include-void", help="Show void responses too.")] = False,
    limit: LimitOpt = None,
    format: FormatOpt = None,
) -> None:
    """List call responses (one row per responder), newest first (a table the newest 100);
    times in the department's timezone (JSON in UTC). Members see their own."""
    from trainctl.queries import members as qm
    from trainctl.queries import shifts as q
    from trainctl.queries.settings import department_zone

    state = get_state(ctx)
    first, given = parse_date(start, "--from"), parse_date(end, "--to")
    last, clipped = si.as_of_end(state, given, "calls")  # by shift date, as they count
    with state.reader() as (rd, actor):
        member_id = qm.get_member(rd, member).id if member else None

        def listed(to: date | None, most: int | None = None) -> list[q.ResponseRow]:
            return q.list_responses(rd, actor, member_id=member_id, start=first, end=to, call_type=call_type,
                                    incident=incident, include_void=include_void, limit=most)  # fmt: skip

        rows = listed(last)
        later = clipped and not rows and bool(listed(given, 1))
        zone = department_zone(rd)
    fmt = fmt_of(ctx, fmt_value(format))
    filtered = any((member, start, end, call_type, incident))
    empty = "No calls match these filters." if filtered else EMPTY
    if later and last is not None:
        empty = si.empty_as_of("calls", last, filtered=filtered)
    shown = rows[: row_limit(limit, fmt)]
    when = local_dated if fmt == "table" else local  # (80 columns: the time goes under its date)
    cols = FILE_COLUMNS if fmt == "csv" else COLUMNS
    render.table(
        [{**r.as_dict(), "at": when(r.at, zone), "void": si.void_cell(r)} for r in shown],
        [*cols, Col("void")] if include_void else cols, fmt,
        empty=empty,
        json_rows=[r.as_dict() for r in shown] if fmt == "json" else None,
    )  # fmt: skip
    render.more_rows(len(shown), len(rows), "responses", quiet=state.quiet)
    if rows and fmt == "table":  # (the totals are of every row, shown or not)
        live = [r for r in rows if r.voided_at is None]
        void = len(rows) - len(live)  # said as shift list says it: "(1 void not counted)"
        render.info(f"{plural(len(live), 'response')} to {plural(len({r.call_id for r in live}), 'call')}"
                    + (f" ({void} void not counted)" if void else "")
                    + f"; times in {getattr(zone, 'key', zone)}.", quiet=state.quiet)  # fmt: skip


@app.command("void")
def void(
    ctx: typer.Context,
    response: Annotated[str, typer.Argument(metavar="RESPONSE", show_default=False,
                                            help="The response id (`call list` shows it).")],
    reason: Annotated[str, _o("--reason", help="Why (kept with the response).", metavar="TEXT")],
) -> None:
    """Void a response entered by mistake (wrong member, call or role): it is kept (with
    who, when and why), its credit is reversed, and the member can be added to that call
    again."""
    from trainctl.services import shifts as svc

    si.void_command(ctx, svc.void_response, response, reason, noun="call response", short="Response")
