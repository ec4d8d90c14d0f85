"""`trainctl progress`: record, verify and inspect progress on requirements."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, amount, fmt_value, whole
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.amounts import MAX_AMOUNT
from trainctl.errors import UsageError

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

ProgressArg = Annotated[
    str | None,
    typer.Argument(help="Progress id (from `trainctl enroll show`).", show_default=False),
]
EnrollmentOpt = Annotated[
    str | None,
    typer.Option(
        "--enrollment", "-e", help="Enrollment id (with --requirement).", show_default=False
    ),
]
MemberOpt = Annotated[
    str | None,
    typer.Option(
        "--member",
        "-m",
        help="Member id, email, badge or name (with --requirement; must be unambiguous).",
        show_default=False,
    ),
]
RequirementOpt = Annotated[
    str | None,
    typer.Option(
        "--requirement", "-r", help="Requirement id, name or registry code.", show_default=False
    ),
]


@app.command("update")
def update(
    ctx: typer.Context,
    progress: ProgressArg = None,
    enrollment: EnrollmentOpt = None,
    member: MemberOpt = None,
    requirement: RequirementOpt = None,
    add: Annotated[
        float | None,
        typer.Option(
            "--add", help="Credit N hours / shifts / calls (negative corrects).", show_default=False,
            parser=amount("--add", -MAX_AMOUNT, MAX_AMOUNT),
        ),
    ] = None,
    set_to: Annotated[
        float | None,
        typer.Option(
            "--set",
            help="Set the total to N (records a credit of the difference; an officer verifies "
            "what a member reported first).",
            show_default=False,
            parser=amount("--set", -MAX_AMOUNT, MAX_AMOUNT),
        ),
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            help="Mark a checklist item, course, skill or credential done (repeat for several).",
            show_default=False,
        ),
    ] = None,
    uncheck: Annotated[
        list[str] | None,
        typer.Option("--uncheck", help="Take back a checked item (repeat for several).", show_default=False),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help="Hour category for --add / --set (e.g. national).",
            show_default=False,
        ),
    ] = None,
    distributive: Annotated[
        bool,
        typer.Option(
            "--distributive",
            help="Hours earned by distributive (self-paced) education; capped per category.",
        ),
    ] = False,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="completed (officer sign-off), waived (needs --reason) or auto (drop an override). "
            "An officer may sign off or waive out of order (sequential, prerequisite, phase); "
            "the update then says which rule it passed over.",
            show_default=False,
        ),
    ] = None,
    waive: Annotated[
        bool, typer.Option("--waive", help="Waive the requirement (needs --reason).")
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why (for --waive / --status / --reject).", show_default=False),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Verify the row and its pending self-reported credit (officers; never your own).",
        ),
    ] = False,
    reject: Annotated[
        bool,
        typer.Option(
            "--reject",
            help="Turn down the row's pending self-reported credit, with --reason (officers; "
            "never your own). The ledger keeps it, marked rejected.",
        ),
    ] = False,
    entry: Annotated[
        list[int] | None,
        typer.Option(
            "--credit",
            metavar="CREDIT",
            parser=whole("--credit"),
            help="With --verify or --reject: only this pending entry (its id in `progress "
            "pending`'s Credit column; repeatable), the row's other entries still waiting. "
            "Without it, every pending entry of the row.",
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="A note kept in the ledger.", show_default=False)
    ] = None,
    format: FormatOpt = None,
) -> None:
    """Record progress: every number is a credit in the ledger; status and percentages follow."""
    from trainctl.domain.changes import parse_update
    from trainctl.domain.progress import shown_percentage
    from trainctl.services.progress.changes import run_updates

    # The flags become a value first: a usage error exits 2 before the database is opened.
    # Several --check (or --uncheck) items: one update each, in one transaction (all or none)
    items: list[tuple[str | None, str | None]] = [(c, None) for c in check or []]
    items += [(None, u) for u in uncheck or []]
    # the same item given twice is one check, not "already checked" on its second update
    folded = [tuple(" ".join(x.split()).casefold() if x else x for x in i) for i in items]
    items = [i for n, i in enumerate(items) if folded[n] not in folded[:n]]
    changes = [
        parse_update(
            add=add, set_to=set_to, check=c, uncheck=u, category=category,
            distributive=distributive, status=status, waive=waive, reason=reason,
            verify=verify, note=note, reject=reject, entries=entry or (),
        )
        for c, u in items or [(None, None)]
    ]
    if len(changes) > 1 and (check and uncheck):
        from trainctl.errors import UsageError

        raise UsageError("Give --check or --uncheck items, not both in one command.")
    state = get_state(ctx)

    run = run_updates(
        state.writer, state.session, changes, today=state.today_of,
        progress=progress, enrollment=enrollment, requirement=requirement, member=member,
    )  # fmt: skip
    result, events, shortfall = run.result, run.events, run.shortfall
    rp, e, req = result.progress, result.enrollment, result.requirement
    data = {
        "progress_id": rp.id, "enrollment_id": e.id, "requirement": req.name,
        "value": rp.progress_value, "percentage": rp.progress_percentage,
        "status": rp.status, "enrollment_progress": e.progress_percentage,
        "enrollment_status": e.status, "pending": result.waiting,
        "verified_on": rp.verified_on, "verified_at": rp.verified_at,
    }  # fmt: skip
    fmt = fmt_of(ctx, fmt_value(format))
    if fmt != "json":  # JSON keeps full precision; tables and CSV round for display
        data["percentage"] = shown_percentage(rp.progress_percentage)
        data["enrollment_progress"] = shown_percentage(e.progress_percentage)
    render.record(data, fmt)
    if result.pending:
        render.info(
            f"Recorded as self-reported: it counts once an officer verifies it "
            f"(`trainctl progress update {rp.id} --verify`).",
            quiet=state.quiet,
        )
    if shortfall:
        render.info(f"Note: {shortfall}", quiet=state.quiet)
    for message in events:
        render.info(message, quiet=state.quiet)


@app.command("log")
def log(
    ctx: typer.Context,
    progress: ProgressArg = None,
    enrollment: EnrollmentOpt = None,
    member: MemberOpt = None,
    requirement: RequirementOpt = None,
    format: FormatOpt = None,
) -> None:
    """The ledger of one progress row: every credit, who entered and verified it."""
    from trainctl.queries import progress as q

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        found = q.locate(
            rd, actor, progress, enrollment=enrollment, requirement=requirement, member=member
        )
        rows = [c.as_dict() for c in q.ledger(rd, found.progress_id)]
    fmt = fmt_of(ctx, fmt_value(format))
    # the effective date (the --as-of date of the update, else the department's day); JSON
    # also carries entered_at, the real time of writing
    cols = [Col("id", "ID", numeric=True), Col("entered_on", "Date"), Col("source", drop=4),
            Col("amount", numeric=True), Col("category"), Col("item"), Col("state", drop=5),
            Col("went", "Counted as"), Col("counted", numeric=True, drop=6),
            Col("entered_by", "By", drop=2), Col("verified_by", "Verified by", drop=3),
            Col("note", drop=1)]  # fmt: skip
    if fmt == "csv":  # every field JSON has (entered_at, verified_at, ...) but the allocation,
        # which a line cannot hold (README: CSV has `counted` and `went`)
        cols = render.file_cols(q.CreditRow, leave_out=("allocation",))
    if fmt == "table":  # where the hours went: only when a credit did not simply count whole
        went = any(r["went"] for r in rows)
        cols = [c for c in cols if c.key != "counted" and (c.key != "went" or went)]
        if went:  # at 80 columns the category a credit was filed under gives way first to
            # where its hours went ("0.6 h national/cardiovascular; ..." names it)
            cols = [replace(c, drop=7) if c.key == "category" else c for c in cols]
    render.table(
        rows,
        cols,
        fmt,
        empty="No credits yet. Record some with `trainctl progress update ID --add N`.",
    )


@app.command("pending")
def pending(ctx: typer.Context, format: FormatOpt = None) -> None:
    """Self-reported credit waiting for an officer's verification: what can be verified
    now. Credit of an enrollment on hold is counted on stderr (verifiable once resumed);
    credit of a withdrawn or failed enrollment is closed and not listed."""
    from trainctl.domain.text import plural
    from trainctl.queries import progress as q

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        queue = q.pending_credits(rd, actor)
    rows = [p.as_dict() for p in queue.rows]
    fmt = fmt_of(ctx, fmt_value(format))
    render.table(
        rows,
        # at 80 columns an empty column, then the note, the enrollment id and last the
        # checklist item give way (the progress id is what `progress update ID --verify`
        # takes; the item tells one checked item of a row from another)
        [Col("progress_id", "Progress", numeric=True), Col("credit_id", "Credit", numeric=True),
         Col("enrollment_id", "Enrollment", numeric=True, drop=2),
         Col("member"), Col("requirement"), Col("amount", numeric=True), Col("item", drop=1),
         Col("entered_on", "Date"), Col("note", drop=3)]
        if fmt != "csv" else render.file_cols(q.PendingRow),  # (CSV: entered_at too, as JSON)
        fmt,
        empty="Nothing waits for verification." if not queue.on_hold else "Nothing can be verified now.",
    )  # fmt: skip
    if queue.on_hold:
        held = sorted(queue.on_hold)
        render.info(
            f"Not listed: {plural(sum(queue.on_hold.values()), 'self-reported credit')} of "
            f"{'enrollment' if len(held) == 1 else 'enrollments'} {', '.join(map(str, held))} on hold, "
            f"verifiable once resumed (`trainctl enroll resume {held[0] if len(held) == 1 else 'ENROLLMENT'}`).",
            quiet=state.quiet,
        )


@app.command("milestones")
def milestones(
    ctx: typer.Context,
    enrollment: Annotated[str, typer.Argument(help="Enrollment id.")],
    format: FormatOpt = None,
) -> None:
    """The milestones of an enrollment: reached, awaiting verification, verified."""
    from trainctl.queries import enrollments as q

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        found = q.visible_enrollment(rd, actor, enrollment)
        rows = [m.as_dict() for m in q.milestone_rows(rd, found)]
    fmt = fmt_of(ctx, fmt_value(format))
    render.table(
        rows if fmt == "json" else [{**m, "phase": m["phase"] or "whole program"} for m in rows],
        [Col("id", "ID", numeric=True), Col("milestone"), Col("phase"), Col("threshold", "At %", numeric=True),
         Col("state"),
         Col("reached_on", "Reached"), Col("verified_by", "Verified by"), Col("verified_on", "Verified", drop=1)]
        if fmt != "csv" else render.file_cols(q.MilestoneRow),  # (CSV: reached_at, verified_at, as JSON)
        fmt,
        empty="This program has no milestones.",
    )  # fmt: skip


@app.command("verify-milestone")
def verify_milestone(
    ctx: typer.Context,
    enrollment: Annotated[str, typer.Argument(help="Enrollment id.")],
    milestone: Annotated[str, typer.Argument(help="Milestone id or name.")],
) -> None:
    """Verify a reached milestone that requires an officer (never your own)."""
    from trainctl.services.enrollment import get_enrollment
    from trainctl.services.progress.milestones import verify_milestone as do_verify

    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        event = do_verify(
            session, actor, get_enrollment(session, enrollment), milestone,
            today=state.today(session),
        )  # fmt: skip
        on = event.verified_on
    render.info(f"Milestone verified on {on}.", quiet=state.quiet)


@app.command("self-reporting")
def self_reporting(
    ctx: typer.Context,
    value: Annotated[
        str | None,
        typer.Argument(help="on or off; leave out to print the setting.", show_default=False),
    ] = None,
) -> None:
    """Show or set whether members may report their own progress (verified by an officer)."""
    state = get_state(ctx)
    if value is None:
        from trainctl.queries.settings import get_setting

        with state.reader() as (rd, _actor):
            setting = get_setting(rd, "self_reporting")
        if state.fmt == "json":
            render.emit_json({"self_reporting": setting == "on"})
        elif state.fmt == "csv":
            render.emit_csv([{"self_reporting": setting}], [render.Col("self_reporting")])
        else:
            print(setting)
        return
    if value not in ("on", "off"):
        raise UsageError(f"self-reporting is 'on' or 'off', not {value!r}.")
    from trainctl.services.progress.self_reporting import set_self_reporting

    with state.session(write=True) as (session, actor):
        set_self_reporting(session, actor, value == "on")
    render.info(f"Self-reporting is {value}.", quiet=state.quiet)
