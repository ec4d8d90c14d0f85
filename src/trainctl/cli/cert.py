"""`trainctl cert`: add, import, list, void — members' credential cards.

Credential codes match exactly (case and spaces aside; stored upper case): BLS never
satisfies ACLS. Of a member's cards of one credential, the latest expiry decides, whatever
order they were entered in; a card is valid THROUGH its expiry day. Each valid card
credits the `certification` requirements with its code (`requirement add --type
certification --credential ACLS`).

Natural key: member + credential code + issued date. Adding or importing the same card
again adds and credits nothing twice; the same card with another expiry or number is
refused (void it first).

JSON output (`cert list`): one object per card (id, member_id, member, email,
credential_code, name, number, issuer, issued_on, expires_on, assumed_through (no expiry on
file: the last day it holds a renewing requirement), status, decides, days_left,
source_file, source_line, created_at, created_by, voided_at, voided_by, void_reason).
"""

from __future__ import annotations

from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli import sheet_import as si
from trainctl.cli.options import DryRunOpt, FormatOpt, fmt_value, whole
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("member"),
    Col("credential_code", "Credential"),
    Col("number", drop=2),  # at 80 columns the card's number and issue day give way first
    Col("issued_on", "Issued", drop=1),
    Col("expires_on", "Expires"),
    Col("status"),
    Col("days_left", "Days left", numeric=True),
]
# CSV: every column `cert import` reads (services.certifications.CARD_FIELDS), the member's
# e-mail beside the name (two members may share a name), and the assumed last day in its
# own column (the table shows it under Expires)
FILE_COLUMNS = [
    *COLUMNS[:2], Col("email"), COLUMNS[2], Col("credential_name"), COLUMNS[3], Col("issuer"),
    *COLUMNS[4:6], Col("assumed_through"), *COLUMNS[6:],
]
ASSUMED = (
    "(assumed): no expiry on file; the card holds the renewing requirement that names its "
    "credential (e.g. BLS, biennial: 24 months) a renewal from its issue day, as `report "
    "compliance` judges it. To record its real expiry, void the card (`trainctl cert void "
    "CARD --reason ...`) and add it again with --expires."
)
EMPTY = (
    "No certifications yet. Add a card with `trainctl cert add MEMBER CODE --issued DATE "
    "--expires DATE`, or import a sheet with `trainctl cert import --csv FILE`."
)


_o = si.opt


@app.command("add")
def add(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(metavar="MEMBER", help="The member (id, e-mail, badge or name).", show_default=False)],
    code: Annotated[str, typer.Argument(metavar="CODE", help="The credential code, e.g. ACLS, BLS, EMT.", show_default=False)],
    issued: Annotated[str, _o("--issued", help="The day the card was issued (YYYY-MM-DD).", metavar="DATE")],
    expires: Annotated[
        str | None,
        _o("--expires", help="The expiry date (YYYY-MM-DD); the card is valid through that day. "
           "Blank or left out: no expiry.", metavar="DATE"),
    ] = None,
    number: Annotated[str | None, _o("--number", "-n", help="The card or license number.", metavar="N")] = None,
    name: Annotated[str | None, _o("--name", help="The credential's name, e.g. 'Advanced Cardiac Life Support'.",
                                   metavar="TEXT")] = None,
    issuer: Annotated[str | None, _o("--issuer", help="Who issued it, e.g. AHA or NREMT.", metavar="TEXT")] = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = None,
) -> None:
    """Record a member's credential card (needs training.manage). A valid card credits the
    certification requirements with this exact code. Natural key: member + code + issued."""
    from trainctl.services import certifications as svc

    given = si.values(credential=code, issued=issued, expires=expires, number=number,
                      credential_name=name, issuer=issuer)  # fmt: skip
    state = get_state(ctx)
    with state.session(write=not dry_run) as (session, actor):
        outcome = svc.add_card(session, actor, member, given, today=state.today(session), dry_run=dry_run)
    si.emit_add(fmt_of(ctx, fmt_value(format)), "card_ids", outcome, outcome.ids, dry_run=dry_run)
    for line in [*si.member_doubts(outcome), *outcome.notices]:  # issued before the hire date
        render.warn(line)
    if outcome.added:
        ident = f" {outcome.ids[0]}" if outcome.ids and not dry_run else ""
        text = f"{'Would record' if dry_run else 'Recorded'} certification card{ident}."
    else:
        text = "Already recorded (same member, credential and issue date); nothing changed."
    si.report_add(text, outcome.feed, dry_run=dry_run, quiet=state.quiet)


si.register_import(
    app,
    "trainctl.services.certifications:import_cards",
    """Import credential cards: columns member (email, badge or member), credential (the
code), number, issued, expires (blank: no expiry); optional credential_name, issuer.
Every row is checked first; any bad row: nothing is written and exit 65 (with
--skip-invalid the good rows are written and the exit is still 65). Natural key:
member + credential code + issued date, so importing a file again adds and credits
nothing twice.""",
)


@app.command("list")
def list_(
    ctx: typer.Context,
    member: Annotated[str | None, _o("--member", "-m", help="Only this member (id, e-mail, badge or name).", metavar="MEMBER")] = None,
    code: Annotated[str | None, _o("--code", "-c", help="Only this credential code (exact).", metavar="CODE")] = None,
    expiring_within: Annotated[
        int | None,
        typer.Option("--expiring-within", metavar="DAYS", parser=whole("--expiring-within", 0, 36_500), show_default=False,
                     help="Only credentials still valid today whose deciding card expires within DAYS days, "
                          "of members active today, not a lower level a higher card outlasts "
                          "(as report expiring lists them)."),
    ] = None,
    include_void: Annotated[bool, typer.Option("--include-void", help="Show void cards too.")] = False,
    format: FormatOpt = None,
) -> None:
    """List credential cards with their status as of today (or the global --as-of DATE,
    written before the command: `trainctl --as-of 2026-06-30 cert list`): valid or expired
    (the card with the latest expiry decides), superseded (by a later card, or by a class
    record of the credential's course that holds it longer), not yet issued, void. A card
    with no expiry on file holds a renewing requirement naming its credential a renewal
    from its issue day ("assumed"), as compliance judges it. Members see their own."""
    from trainctl.queries import certifications as q
    from trainctl.queries import members as qm

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        member_id = qm.get_member(rd, member).id if member else None
        cards = q.list_cards(rd, actor, today=state.today_of(rd), member_id=member_id, code=code,
                             expiring_within=expiring_within, include_void=include_void)  # fmt: skip
    fmt = fmt_of(ctx, fmt_value(format))
    filtered = any((member, code, expiring_within is not None))
    rows = [c.as_dict() for c in cards]
    if fmt == "table":  # an assumed last day where the expiry on file is blank
        for row in rows:
            if row["assumed_through"] is not None:
                row["expires_on"] = f"{row['assumed_through']} (assumed)"
    elif fmt == "csv":  # (`name` would read back as the member's: the credential's by its own key)
        rows = [row | {"credential_name": row["name"]} for row in rows]
    render.table(
        rows, COLUMNS if fmt == "table" else FILE_COLUMNS, fmt,
        empty="No certifications match these filters." if filtered else EMPTY,
    )  # fmt: skip
    if fmt == "table" and any(c.assumed_through for c in cards):
        render.info(ASSUMED, quiet=state.quiet)


@app.command("void")
def void(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(metavar="CARD", help="The card id (`cert list` shows it).", show_default=False)],
    reason: Annotated[str, _o("--reason", help="Why (kept with the card).", metavar="TEXT")],
) -> None:
    """Void a card entered by mistake: it is kept (with who, when and why) and its credit
    is reversed."""
    from trainctl.services import certifications as svc

    si.void_command(ctx, svc.void_card, card, reason, noun="card", short="Card")
