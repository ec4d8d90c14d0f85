"""`trainctl checklist`: check, uncheck, list — checklist items signed off for a member,
in a program or not.

A checklist requirement owed by position (the NFPA 1582 annual medical, NFPA 1500's annual
training) is owed by every member it names, in a program or not: an officer (training.manage,
never the member) signs an item off for the member on the day it was done (--as-of, else
the department's day), and `report compliance` and `requirement explain` count it with the
items checked on the member's enrollments. An uncheck takes it back from its day on. The
one sign-off counts in the member's programs too: the enrollments linking the requirement
are credited the item (and the credit reversed on an uncheck), through the credit feed.

JSON output: `checklist check` / `uncheck` one object (signoff_id, member, requirement,
item, checked_on, credits: program credits written; uncheck adds unchecked_on and
reversed: program credits taken back); `checklist list` one object per sign-off (id,
member_id, member, email, requirement_id, requirement, item, checked_on, checked_by,
checked_at, note, unchecked_on, unchecked_by, uncheck_note).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli import sheet_import as si
from trainctl.cli.options import FormatOpt, fmt_value, one_as_of
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import hired_after, plural

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("checked_on", "Date"),
    Col("member"),
    Col("requirement"),
    Col("item"),
    Col("checked_by", "Signed off by"),
    Col("note"),
]
UNCHECKED = [Col("unchecked_on", "Unchecked"), Col("unchecked_by", "Unchecked by"), Col("uncheck_note", "Why")]


def _arg(metavar: str, help: str) -> Any:
    return typer.Argument(metavar=metavar, help=help, show_default=False)


def _o(*names: str, help: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=help, metavar=metavar, show_default=False)


MemberArg = Annotated[str, _arg("MEMBER", "The member (id, e-mail, badge or name).")]
RequirementArg = Annotated[str, _arg("REQUIREMENT", "The checklist requirement (id, registry code or name).")]
ItemArg = Annotated[str, _arg("ITEM", "The item, as the checklist lists it (case aside).")]
AsOfOpt = Annotated[str | None, _o("--as-of", help="The day it was done (YYYY-MM-DD). Default: today.",
                                   metavar="DATE")]  # fmt: skip
NoteOpt = Annotated[str | None, _o("--note", help="A note kept with the sign-off.", metavar="TEXT")]


@app.command("check")
def check(
    ctx: typer.Context,
    member: MemberArg,
    requirement: RequirementArg,
    item: ItemArg,
    as_of: AsOfOpt = None,
    note: NoteOpt = None,
    format: FormatOpt = None,
) -> None:
    """Sign a checklist item off for a member, on the day it was done (needs
    training.manage; nobody signs off their own). It counts in `report compliance` and
    `requirement explain` from that day, in the requirement's window, and checks the item
    on the member's enrollments whose program links the checklist."""
    from trainctl.services import checklists as svc

    state = get_state(ctx)
    on = one_as_of(state.as_of, as_of)
    with state.session(write=True) as (session, actor):
        done = svc.check(session, actor, member, requirement, item, on=on, note=note)
    credits = done.feed.credits if done.feed else 0
    if fmt_of(ctx, fmt_value(format)) == "json":
        render.emit_json({"signoff_id": done.id, "member": done.member, "requirement": done.requirement,
                          "item": done.item, "checked_on": done.day, "credits": credits})  # fmt: skip
    render.info(f"Signed off {done.item!r} of {done.requirement} for {done.member} on {done.day} "
                f"(sign-off {done.id}).", quiet=state.quiet)  # fmt: skip
    for line in si.feed_lines(done.feed) if done.feed else ():  # the member's programs
        render.info(line, quiet=state.quiet)
    early = hired_after(done.member, done.hired, "the sign-off date", done.day, "recorded as given",
                        "check --as-of")  # fmt: skip
    if early:  # a typo in --as-of, or a pre-hire physical: as records, cards and checkoffs say
        render.warn(early)


@app.command("uncheck")
def uncheck(
    ctx: typer.Context,
    member: MemberArg,
    requirement: RequirementArg,
    item: ItemArg,
    as_of: Annotated[
        str | None,
        _o("--as-of", help="The day from which it no longer counts (YYYY-MM-DD). Default: today.", metavar="DATE"),
    ] = None,
    note: Annotated[str | None, _o("--note", help="Why (kept with the sign-off).", metavar="TEXT")] = None,
    format: FormatOpt = None,
) -> None:
    """Take back a member's sign-off of a checklist item from a day on (needs
    training.manage): reports of earlier days still count it. Dated the day it was signed
    off, it never counted. The latest sign-off standing that day is taken back; an earlier
    one still standing is named. The sign-off is kept (`checklist list --all`)."""
    from trainctl.services import checklists as svc

    state = get_state(ctx)
    on = one_as_of(state.as_of, as_of)
    with state.session(write=True) as (session, actor):
        done = svc.uncheck(session, actor, member, requirement, item, on=on, note=note)
    reversed_ = done.feed.credits if done.feed else 0
    if fmt_of(ctx, fmt_value(format)) == "json":
        render.emit_json({"signoff_id": done.id, "member": done.member, "requirement": done.requirement,
                          "item": done.item, "checked_on": done.checked_on, "unchecked_on": done.day,
                          "reversed": reversed_})  # fmt: skip
    render.info(f"Unchecked {done.item!r} of {done.requirement} for {done.member} from {done.day} on "
                f"(sign-off {done.id} of {done.checked_on}).", quiet=state.quiet)  # fmt: skip
    if reversed_:
        render.info(f"Took back {plural(reversed_, 'program credit')} it gave.", quiet=state.quiet)
    for line in done.feed.events if done.feed else ():
        render.info(line, quiet=state.quiet)
    if done.still:  # an earlier sign-off of the item still stands: the item still counts
        (sid, since), more = done.still[0], len(done.still) - 1
        others = f" (and {plural(more, 'earlier one')})" if more else ""
        render.warn(f"{done.item!r} still counts for {done.member} from {since}: sign-off {sid} of that day "
                    f"stands{others}, and only the latest was taken back. Run the same `checklist uncheck` "
                    "again to take it back too.")  # fmt: skip


@app.command("list")
def list_(
    ctx: typer.Context,
    member: Annotated[str | None, _o("--member", "-m", help="Only this member.", metavar="MEMBER")] = None,
    requirement: Annotated[
        str | None,
        _o("--requirement", "-r", help="Only this requirement (id, registry code or name).", metavar="REQUIREMENT"),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Show unchecked sign-offs too.")] = False,
    format: FormatOpt = None,
) -> None:
    """List checklist sign-offs, newest first (unchecked ones only with --all). Members
    see their own."""
    from trainctl.queries import checklists as q
    from trainctl.queries import members as qm
    from trainctl.queries import requirements as qr

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        member_id = qm.get_member(rd, member).id if member else None
        requirement_id = qr.get_requirement(rd, requirement).id if requirement else None
        rows = q.signoffs(rd, actor, member_id=member_id, requirement_id=requirement_id,
                          include_unchecked=every)  # fmt: skip
    fmt = fmt_of(ctx, fmt_value(format))
    hidden = "" if every else " Unchecked sign-offs are left out: --all shows them."
    render.table([r.as_dict() for r in rows], [*COLUMNS, *UNCHECKED] if every else COLUMNS, fmt,
                 empty=("No sign-offs match these filters." if member or requirement else
                        "No checklist sign-offs yet. Sign an item off with `trainctl checklist check "
                        "MEMBER REQUIREMENT ITEM --as-of DATE`.") + hidden)  # fmt: skip
