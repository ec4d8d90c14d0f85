"""`trainctl report`: compliance, expiring, iso, nremt — the reports a chief hands on.

Read commands: the read side only (queries/compliance.py), never the ORM. Every report
answers as of a date (`--as-of`, default: the department's today) exactly as it would have
then. The figures come from the one evaluator (domain/compliance.py), the same one
`trainctl requirement explain` shows the arithmetic of.

JSON output is stable:
- `report compliance`: {"as_of", "due_soon_days", "summary": [one object per requirement:
  requirement_id, requirement, applicable, met, due_soon, overdue, expired, not_yet_due],
  "cells": [one object per member x requirement: member_id, member, requirement_id,
  requirement, status, value, target, unit, percentage, window_start, window_end, due,
  good_through, reason]}; `--format csv`: one row per cell.
- `report expiring`: a list of what holds a credential (member_id, member, email,
  credential_code, name, number, issued_on, expires_on, days_left, expiry_assumed: the last
  day is a renewal from the issue day, no expiry being on file; held_by: "card", or "class
  record" when a record of the credential's course holds it, as compliance counts it;
  source_id: the card's or the record's id).
- `report iso`: {"year", "as_of", "edition", "editions", "items": [...], "rows": [one per member x item]};
  `--format csv`: the rows, then one total row per item (`total` yes, no member).
- `report nremt`: one object (member, level, cycle, components, facts, status);
  `--format csv`: the facts, then a total row per component and one for the cycle
  (`total` yes, no record).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, OutputFormat, fmt_value, one_as_of, whole
from trainctl.cli.render import Col
from trainctl.cli.state import AppState, fmt_of, get_state

if TYPE_CHECKING:
    from collections.abc import Sequence

    from trainctl.domain.compliance import Evaluation
    from trainctl.queries.compliance import Matrix

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

MAX_DAYS = 36_500  # a century: more is a typo
STYLES = {
    "met": "green",
    "due_soon": "yellow",
    "overdue": "bold red",
    "expired": "bold red",
    "not_yet_due": "",
    "not_applicable": "dim",
}
SHORT = {
    "met": "met",
    "due_soon": "due soon",
    "overdue": "OVERDUE",
    "expired": "EXPIRED",
    "not_yet_due": "not yet due",
    "not_applicable": "—",
}


def _opt(*names: str, help: str, **kw: Any) -> Any:
    return typer.Option(*names, help=help, show_default=False, **kw)


AsOfOpt = Annotated[
    str | None,
    _opt("--as-of", help="Answer as of this date (YYYY-MM-DD), exactly as it would have then."),
]
DueSoonOpt = Annotated[
    int,
    typer.Option(
        "--due-soon-days",
        parser=whole("--due-soon-days", 0, 3650),
        help="A window ending within this many days is 'due soon'.",
    ),
]


def as_of_date(ctx: typer.Context, local: str | None, rd: Any) -> date:
    """The command's --as-of, else the global one, else the department's today."""
    from trainctl.domain.periods import MAX_YEAR, MIN_YEAR

    state = get_state(ctx)
    day = one_as_of(state.as_of, local) or state.today_of(rd)
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise typer.BadParameter(
            f"{day} is out of range: reports answer for {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31.",
            param_hint="--as-of",
        )
    return day


def cell_dict(e: Evaluation) -> dict[str, Any]:
    """One cell of the matrix (the JSON / CSV shape). A cell that does not apply (—) has
    no figure: its value and percentage are null, as its target is and as `report iso`
    writes such a row, not a 0 that a spreadsheet would average in as 0%."""
    w = e.window
    applies = e.status != "not_applicable"
    return {
        "member_id": e.member.id,
        "member": e.member.name,
        "requirement_id": e.requirement.id,
        "requirement": e.requirement.label,
        "status": e.status,
        "value": round(e.value, 4) if applies else None,
        "target": e.target,
        "unit": e.requirement.unit,
        "percentage": e.percentage if applies else None,
        "window_start": w.start if w else None,
        "window_end": w.end if w else None,
        "due": e.due,
        "good_through": e.good_through,
        "reason": e.reason,
        "months_owed": _owed(e),
    }


def _owed(e: Evaluation) -> str | None:
    """'3 of 12': the months of the window the member owes, when not all (the target is
    that share of an annual or biennial figure; '0 of 12': none, not yet due)."""
    m = e.months_owed
    return f"{m[0]} of {m[1]}" if m is not None else None


CELL_COLS = [
    Col(k)
    for k in (
        "member_id", "member", "requirement_id", "requirement", "status", "value", "target",
        "unit", "percentage", "window_start", "window_end", "due", "good_through", "reason",
        "months_owed",
    )
]  # fmt: skip


def cell_json(e: Evaluation) -> dict[str, Any]:
    """`cell_dict` with its dates as ISO strings (what JSON carries); built directly (the
    matrix prints ten thousand of them)."""
    w, due, good = e.window, e.due, e.good_through
    start, end = (w.start, w.end) if w else (None, None)
    r = e.requirement
    applies = e.status != "not_applicable"  # (cell_dict: no figure where nothing is owed)
    return {
        "member_id": e.member.id, "member": e.member.name, "requirement_id": r.id,
        "requirement": r.label, "status": e.status,
        "value": render.figure(round(e.value, 4)) if applies else None,
        "target": render.figure(e.target), "unit": r.unit,
        "percentage": render.figure(e.percentage) if applies else None,
        "window_start": start.isoformat() if start else None,
        "window_end": end.isoformat() if end else None,
        "due": due.isoformat() if due else None,
        "good_through": good.isoformat() if good else None,
        "reason": e.reason,
        "months_owed": None if e.months_owed is None else _owed(e),
    }  # fmt: skip


def _emit_matrix_json(
    day: date, due_soon_days: int, sums: list[dict[str, Any]], cells: list[Evaluation]
) -> None:
    """The matrix as JSON: indented like every listing, but one summary line and one cell
    per line (10,000 cells print in a blink, and stay greppable)."""
    import json
    import sys

    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per cell
    write = sys.stdout.write

    def block(items: Sequence[Any], shape: Callable[[Any], dict[str, Any]]) -> None:
        """The items as a JSON list, written a thousand at a time: the cells of 5,000
        members (100,000) written at once took 220 MB more (bench/compliance.py --members
        5000: the dicts, their text and the text joined, twice)."""
        if not items:
            write("[]")
            return
        for i in range(0, len(items), 1000):
            write("[\n" if i == 0 else ",\n")
            write(",\n".join("    " + encode(shape(e)) for e in items[i : i + 1000]))
        write("\n  ]")

    write(f'{{\n  "as_of": "{day.isoformat()}",\n  "due_soon_days": {due_soon_days},\n')
    write('  "summary": ')
    block(sums, dict)
    write(',\n  "cells": ')
    block(cells, cell_json)
    write("\n}\n")


def summary(m: Matrix, within: int | None = None) -> list[dict[str, Any]]:
    """One line per requirement; `within` (the report's --due-soon-days): a certification
    requirement's `runs_out`, the met cards running out within that many days."""
    out = []
    n = len(m.requirements)
    for i, spec in enumerate(m.requirements):
        # only the cells that hold the member to something count (`Evaluation.held`): a
        # member hired after the as-of date (named with --member, or entered ahead of the
        # hire date) owes nothing yet, nor does one who owes none of the window (it is
        # their next that they owe); --behind lists the same cells' unmet ones
        col = [e for e in (m.cells[i::n] if n else []) if e.held]
        counts = dict.fromkeys(SHORT, 0)
        for e in col:
            counts[e.status] += 1
        out.append(
            {
                "requirement_id": spec.id,
                "requirement": spec.label,
                "applicable": len(col),
                "met": counts["met"],
                "due_soon": counts["due_soon"],
                "overdue": counts["overdue"],
                "expired": counts["expired"],
                "not_yet_due": counts["not_yet_due"],
                # judged as the requirement stood on the as-of day: the last day that
                # earlier version was in force (None: as it stands)
                "as_stood_until": spec.stood_until.isoformat() if spec.stood_until else None,
                **({"runs_out": len(runs_out(col, m.as_of, within))}
                   if within is not None and spec.requirement_type == "certification" else {}),
            }
        )
    return out


def runs_out(column: Sequence[Evaluation], day: date, within: int) -> list[Evaluation]:
    """A certification requirement's met cells whose card (or class record standing in)
    runs out within `within` days of `day` (they stay met until then): what its summary
    line counts and `report expiring --requirement` lists."""
    if not column or column[0].requirement.requirement_type != "certification":
        return []
    last = day + timedelta(days=within)
    # a met card's due date is its last valid day: the expiry on file, or for a card without
    # one, its issue day + the requirement's renewal (which the cell says it assumed)
    return [e for e in column if e.met and e.due is not None and e.due <= last]


def _expiring(column: list[Evaluation], day: date, within: int, state: AppState, asked: bool) -> str:
    """'; 2 run out within 30 days (`trainctl report expiring --within 30 --requirement
    CPR-BLS`)' (`runs_out`). The command lists the same cards: those of this requirement's
    members (not a card of a member no requirement holds to it); it carries the day when
    one was `asked` (--as-of), and the --db and --as this report was run with."""
    from trainctl.domain.text import shell_word

    n = len(runs_out(column, day, within))
    if not n:
        return ""
    spec = column[0].requirement
    ref = shell_word(spec.registry_code or spec.name)  # (natural keys, as the user named it)
    command = state.command(f"report expiring --within {within} --requirement {ref}",
                            as_of=day if asked else None)  # fmt: skip
    return f"; {n} run{'' if n != 1 else 's'} out within {within} days (`{command}`)"


def summary_line(s: dict[str, Any]) -> str:
    extra = [f"{s[k]} {k.replace('_', ' ')}" for k in ("overdue", "expired", "due_soon", "not_yet_due") if s[k]]
    more = f" ({', '.join(extra)})" if extra else ""
    stood = f"; judged as it stood until {s['as_stood_until']}" if s.get("as_stood_until") else ""
    return f"{s['requirement']}: {s['met']} met of {s['applicable']} applicable{more}{stood}"


def _styled(status: str, text: str | None = None) -> Any:
    from rich.text import Text

    return Text(text if text is not None else SHORT[status], style=STYLES.get(status) or "")


def _figure(e: Evaluation) -> str:
    from trainctl.domain.compliance import EXPIRED, _h

    if e.requirement.requirement_type == "certification":  # the card's expiry is its Due
        if not e.applicable:
            return ""
        return "valid" if e.met else "expired" if e.status == EXPIRED else "no card"
    if e.target is None:
        return ""
    if e.owes_nothing and not e.met:  # (a later hire: the next window is what they owe)
        return "none owed"
    return f"{_h(e.value)}/{_h(e.target)} {e.requirement.unit}"


def _due(e: Evaluation) -> str:
    """The Due column: nothing for a window the member owes none of."""
    return "" if e.due is None or (e.owes_nothing and not e.met) else str(e.due)


def _print_matrix(m: Matrix, cells: list[Evaluation], title: str) -> None:
    """Members down, requirements across (those that apply to someone shown), when that
    fits the terminal; else one line per cell (member, requirement, status, figure, due)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    index = {id(s): i for i, s in enumerate(m.requirements)}
    by_member: dict[int, dict[int, Evaluation]] = {}
    for e in cells:
        by_member.setdefault(id(e.member), {})[index[id(e.requirement)]] = e
    shown = sorted({i for row in by_member.values() for i, e in row.items() if e.applicable})
    members = [mf for mf in m.members if id(mf) in by_member]
    heads = [m.requirements[i].registry_code or m.requirements[i].name for i in shown]
    width = max([6, *(cell_len(mf.name) for mf in members)]) + 4 + sum(
        max(cell_len(h), 11) + 3 for h in heads
    )
    out = render.console("out")
    if width > out.width or len(members) > render.FAST_TABLE_ROWS:
        render.info(
            "The matrix is wider than the terminal: one line per cell. Narrow it with "
            "--requirement or --position, or take --format csv."
        )
        _print_cells([e for e in cells if e.applicable], title)
        return
    # the title on its own line: a matrix of one or two columns is narrower than its title
    # (which a table title would wrap: "Compliance as of" / "2026-12-03 (not met)")
    out.print(Text(title, style="bold"), no_wrap=True, overflow="ignore", crop=False)
    t = Table(header_style="bold")
    t.add_column("Member", no_wrap=True)
    for h in heads:
        # a requirement's name, as typed ("[/]", "[red]x"): literal text, never Rich markup
        t.add_column(Text(h), min_width=min(11, cell_len(h)))
    for mf in members:
        row = by_member[id(mf)]
        t.add_row(
            Text(mf.name), *(_styled(row[i].status) if i in row else Text("") for i in shown)
        )
    out.print(t)


def _print_cells(cells: list[Evaluation], title: str) -> None:
    rows: list[dict[str, Any]] = [
        {
            "member": e.member.name, "requirement": e.requirement.label,
            "status": SHORT[e.status], "figure": _figure(e), "due": _due(e),
        }
        for e in cells
    ]
    cols = [Col("member"), Col("requirement"), Col("status"), Col("figure"), Col("due")]
    if len(rows) > render.FAST_TABLE_ROWS:
        render.fast_table(rows, cols, title=title)
        return
    from rich.table import Table
    from rich.text import Text

    t = Table(title=Text(title, style="bold"), title_justify="left", header_style="bold")
    for c in cols:
        t.add_column(c.title)
    for e, r in zip(cells, rows, strict=True):
        t.add_row(
            Text(r["member"]), Text(r["requirement"]), _styled(e.status), Text(r["figure"]),
            Text(str(r["due"] or "")),
        )  # fmt: skip
    render.console("out").print(render.keep_words(t))


def _print_member(cells: list[Evaluation], title: str) -> None:
    from rich.table import Table
    from rich.text import Text

    t = Table(title=Text(title, style="bold"), title_justify="left", header_style="bold")
    for name in ("Requirement", "Status", "Figure", "Due", "Why"):
        t.add_column(name, ratio=3 if name in ("Requirement", "Why") else None)
    for e in cells:
        t.add_row(
            Text(e.requirement.registry_code or e.requirement.name), _styled(e.status),
            Text(_figure(e)), Text(_due(e)), Text(e.reason),
        )  # fmt: skip
    render.console("out").print(render.keep_words(t))


@app.command("compliance")
def compliance(
    ctx: typer.Context,
    member: Annotated[
        str | None, _opt("--member", "-m", help="Only this member (id, email, badge or name).")
    ] = None,
    position: Annotated[
        str | None, _opt("--position", "-p", help="Only members holding this position.")
    ] = None,
    requirement: Annotated[
        list[str] | None,
        _opt("--requirement", "-r", help="Only this requirement (id, code or name; repeat)."),
    ] = None,
    as_of: AsOfOpt = None,
    behind: Annotated[
        bool,
        typer.Option(
            "--behind",
            help="Only what is not met, of the cells the summary counts (not a member hired "
            "after the day, nor a window they owe none of).",
        ),
    ] = False,
    due_soon_days: DueSoonOpt = 30,
    format: FormatOpt = None,
) -> None:
    """Who is current on what: the member x requirement matrix as of a date, with a
    summary line per requirement (n met of n applicable).

    Statuses: met, due soon (the window ends within --due-soon-days), overdue (the last
    window closed short, or a one-time requirement is past due), expired (the latest card
    ran out), not yet due, and — (not applicable: another position, or inactive). The whole
    matrix needs training.view_all; a member sees their own row."""
    from trainctl.queries import compliance as qc

    with qc.no_cycle_collection():  # until printed: the cells hold tens of thousands of facts
        matrix = _compliance(ctx, member, position, requirement, as_of, behind, due_soon_days, format)
        render.done(matrix)  # printed: the process may end here, the matrix not freed


def _compliance(
    ctx: typer.Context,
    member: str | None,
    position: str | None,
    requirement: list[str] | None,
    as_of: str | None,
    behind: bool,
    due_soon_days: int,
    format: OutputFormat | None,
) -> Matrix:
    """Print the report; return the matrix printed (the caller holds it: render.done)."""
    from trainctl.domain.compliance import hired_after
    from trainctl.queries import compliance as qc

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, actor):
        day = as_of_date(ctx, as_of, rd)
        m = qc.matrix(
            rd, actor, as_of=day, member=member, position=position,
            requirements=requirement or [], due_soon_days=due_soon_days,
        )  # fmt: skip
        if not m.members:
            from trainctl.queries.members import has_members

            one = m.named
            nobody = (
                f"{one.name} did not hold the position {position.strip().lower()} on {day} "
                f"({_held(one.positions)})." if position and one is not None
                else f"No active member held the position {position} on {day}." if position
                else f"No member was active on {day}." if has_members(rd)
                else "No members to report on. Add some with `trainctl member add`."
            )  # fmt: skip
    for name, words in m.retired:  # named, but judged by nobody that day
        render.warn(f"{name} is not in the report: {words}.")
    sums = summary(m, due_soon_days)
    cells = m.cells
    if behind:
        cells = [e for e in cells if e.behind]
    if fmt == "json":
        _emit_matrix_json(day, due_soon_days, sums, cells)
        return m
    if fmt == "csv":
        render.emit_csv([cell_dict(e) for e in cells], CELL_COLS)
        return m
    if not m.members:
        render.info(nobody)
        return m
    if not any(e.applicable for e in cells):
        reasons = {e.reason for e in cells}
        if behind:
            render.info("Nothing is behind.")
        elif member is not None and len(reasons) == 1:  # e.g. "the member is inactive"
            render.info(f"No requirement applies to {m.members[0].name} on {day}: {reasons.pop()}.")
        else:
            render.info("No requirement applies to these members.")
    elif member is not None:
        _print_member(cells, f"Compliance of {m.members[0].name} as of {day}")
        if hired_after(m.members[0], day) is not None:
            # (entered ahead of the hire date, they may be on that day's roster: the hire
            # date, not the roster, is why nothing is owed)
            render.info(f"{m.members[0].name} is hired on {m.members[0].hire_date}, after "
                        f"{day}: nothing is owed before then; the table shows what they "
                        "will owe.", quiet=state.quiet)  # fmt: skip
    else:
        _print_matrix(m, cells, f"Compliance as of {day}" + (" (not met)" if behind else ""))
    n = len(m.requirements)
    asked = one_as_of(state.as_of, as_of) is not None  # (a day given: the hints carry it)
    for i, (s, spec) in enumerate(zip(sums, m.requirements, strict=True)):
        if s["applicable"]:
            soon = _expiring(m.cells[i::n], day, due_soon_days, state, asked)
            render.info(summary_line(s) + soon, quiet=state.quiet)
        elif requirement:  # asked for by name: say why it is in no count
            why = _owed_by_none(m.cells[i::n], day, named=member is not None)
            if why is None:
                held = f" (it is for {', '.join(spec.required_positions)})" if spec.required_positions else ""
                why = f"applies to none of these members{held}"
            if why:
                render.info(f"{s['requirement']}: {why}.", quiet=state.quiet)
    return m


def _held(positions: tuple[str, ...]) -> str:
    """'they held firefighter, emt' (or 'they held no position')."""
    return f"they held {', '.join(positions) or 'no position'}"


def _owed_by_none(column: list[Evaluation], day: date, *, named: bool) -> str | None:
    """Why a requirement that applies to some of the members counts none of them (the
    summary leaves out those hired after the day and those owing none of this window):
    None when it applies to nobody, "" when the line about a member named with --member
    hired later says it already."""
    from trainctl.domain.compliance import hired_after
    from trainctl.domain.text import plural

    owing = [e for e in column if e.applicable]
    if not owing:
        return None
    later = sum(1 for e in owing if hired_after(e.member, day) is not None)
    if named and later:
        return ""
    parts = [f"{plural(later, 'member')} hired after {day}"] if later else []
    if len(owing) > later:
        parts.append(f"{plural(len(owing) - later, 'member')} owing none of this window")
    return f"owed by none of these members yet ({'; '.join(parts)})"


# ------------------------------------------------------------------------------ expiring
EXPIRING_KEYS = (
    "member_id", "member", "email", "credential_code", "name", "number", "issued_on",
    "expires_on", "days_left", "expiry_assumed", "held_by", "source_id",
)  # fmt: skip
EXPIRING_COLS = [
    Col("expires_on", "Expires"),
    Col("days_left", "Days left", numeric=True),
    Col("member"),
    Col("credential_code", "Credential"),
    Col("number"),
]


ASSUMED_RECORD = (
    "(assumed), class record: no expiry on file; a class record of the credential's course "
    "holds the renewing requirement that names it a renewal from its completion day, as "
    "`report compliance` judges it. To record the real expiry, add the card: `trainctl cert "
    "add MEMBER CODE --issued DAY --expires DAY`."
)


@app.command("expiring")
def expiring(
    ctx: typer.Context,
    within: Annotated[
        int,
        typer.Option(
            "--within", parser=whole("--within", 0, MAX_DAYS), help="Cards expiring within this many days."
        ),
    ] = 60,
    requirement: Annotated[
        str | None,
        _opt("--requirement", "-r", help="Only the cards that hold this certification "
             "requirement (id, code or name) for the members it applies to: those its "
             "summary line in `report compliance` counts."),
    ] = None,
    as_of: AsOfOpt = None,
    format: FormatOpt = None,
) -> None:
    """Certifications running out: each member's latest card per credential (the one that
    decides) still valid and expiring within --within days, soonest first. Members not
    active on the day are left out. A card is valid
    through its expiry day; one with no expiry on file, of a credential a renewing
    requirement names (BLS, biennial), runs out a renewal from its issue day, as compliance
    judges it ("assumed"). A class record of the credential's course that holds it longer
    than any card is listed in the card's place ("class record #N"). Needs
    training.view_all (a member sees their own)."""
    from trainctl.domain.text import plural, word_for
    from trainctl.permissions import VIEW_ALL
    from trainctl.queries import certifications as qcert

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, actor):
        day = as_of_date(ctx, as_of, rd)
        left_out: list[int] = []
        # (the renewals to plan are an officer's: a member's own expired card is their cell)
        ran_out: list[int] | None = [] if requirement is None and actor.can(VIEW_ALL) else None
        cards = qcert.expiring(rd, actor, today=day, within=within, left_out=left_out, ran_out=ran_out)
        if requirement is not None:
            cards, left_out = _held_to(rd, actor, requirement, day, within, cards, left_out)
    table = fmt == "table"
    rows = [
        {
            "member_id": c.member_id, "member": c.member, "email": c.email,
            "credential_code": c.credential_code, "name": c.name,
            "number": f"class record #{c.source_id}" if table and c.held_by != "card" else c.number,
            "issued_on": c.issued_on,
            "expires_on": (f"{c.assumed_through} (assumed)" if table else c.assumed_through)
            if c.assumed_through else c.expires_on,
            "days_left": c.days_left, "expiry_assumed": c.assumed_through is not None,
            "held_by": c.held_by, "source_id": c.source_id,
        }
        for c in cards
    ]  # fmt: skip
    until = day + timedelta(days=within)
    # (a card of a member not active that day runs out unlisted: say so when one does)
    n = len(left_out)
    inactive = (f" ({plural(n, 'card')} of {word_for(n, 'a member', 'members')} not active "
                f"on {day} {word_for(n, 'is', 'are')} left out)") if n else ""  # fmt: skip
    held = f" that holds {requirement}" if requirement is not None else ""
    render.table(
        rows, EXPIRING_COLS if table else [Col(k) for k in EXPIRING_KEYS], fmt,
        title=f"Certifications expiring by {until} (as of {day})",
        empty=f"No certification{held} expires within {within} days of {day}{inactive}.",
    )  # fmt: skip
    if rows and n and table:
        render.info(f"Renewal planning is for active members: {inactive[:-1].lstrip(' (')}.",
                    quiet=state.quiet)  # fmt: skip
    if table and ran_out:
        gone = len(ran_out)
        behind = state.command("report compliance --behind",
                               as_of=day if one_as_of(state.as_of, as_of) is not None else None)  # fmt: skip
        render.info(
            f"Expired already, so not listed: {plural(gone, 'card')} of "
            f"{word_for(gone, 'an active member', 'active members')} ran out before {day} "
            f"(`{behind}` lists who is behind).",
            quiet=state.quiet,
        )
    if table and any(c.assumed_through and c.held_by == "card" for c in cards):
        from trainctl.cli.cert import ASSUMED

        render.info(ASSUMED, quiet=state.quiet)
    if table and any(c.assumed_through and c.held_by != "card" for c in cards):
        render.info(ASSUMED_RECORD, quiet=state.quiet)


def _held_to(
    rd: Any, actor: Any, requirement: str, day: date, within: int, cards: list[Any],
    left_out: list[int],
) -> tuple[list[Any], list[int]]:
    """`report expiring --requirement R`: the cards (class records) that hold R for a member
    whose cell `report compliance` counts as running out (`runs_out`), and of the members
    `left_out` (not active) those R would hold. A certification requirement only."""
    from trainctl.domain import certs
    from trainctl.domain.text import a_or_an
    from trainctl.errors import UsageError
    from trainctl.queries import compliance as qc

    m = qc.matrix(rd, actor, as_of=day, requirements=[requirement], due_soon_days=within)
    spec = m.requirements[0]
    if spec.requirement_type != "certification":
        raise UsageError(
            f"{spec.label} is {a_or_an(spec.requirement_type.replace('_', ' '))} requirement: no card holds it.",
            "Give a certification requirement (`trainctl requirement list --type certification`).",
        )
    wanted = certs.holding_codes(spec.credential_code, spec.required_courses)
    codes = {certs.credential_code(c) for c in wanted} | {
        certs.held_under(spec.credential_code, c, wanted) for c in wanted
    }
    due = {(e.member.id, e.due) for e in runs_out(m.cells, day, within)}
    mine = [
        c for c in cards
        if certs.credential_code(c.credential_code) in codes
        and (c.member_id, c.assumed_through or c.expires_on) in due
    ]  # fmt: skip
    return mine, []

# ----------------------------------------------------------------------------------- ISO
@app.command("iso")
def iso(
    ctx: typer.Context,
    year: Annotated[
        int, typer.Option("--year", parser=whole("--year", 1900, 2199), help="The calendar year (YYYY).")
    ],
    as_of: AsOfOpt = None,
    format: FormatOpt = None,
) -> None:
    """The ISO training item (Fire Suppression Rating Schedule) for a year: per member and
    in total, company training (16 h a month, 192 h a year), facility (18 h), officers
    (certified, and 12 h), drivers (12 h existing, 60 h new), hazmat (6 h) and recruits
    (240 h), each against its figure and the edition imported. A year still running is
    judged to date.
    Needs training.view_all."""
    from trainctl.queries import compliance as qc

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, actor):
        qc.require_view_all(actor, "see the ISO report")
        today = as_of_date(ctx, as_of, rd)
        day = min(date(year, 12, 31), today)
        if day < date(year, 1, 1):
            from trainctl.errors import UsageError

            raise UsageError(
                f"{year} has not begun on {today}.", "Give a year that has begun, or a later --as-of."
            )
        from trainctl.queries.reports import ISO_ROW_KEYS, IsoCells, iso_report

        rows_ = qc.iso_rows(rd)
        edition = qc.registry_edition(rd, "ISO", as_of=day)
        editions = qc.registry_editions(rd, "ISO", date(year, 1, 1), day)
        # the officers' item credits certified officers only: the cards that certify one
        shaped = IsoCells(date(year, 1, 1), qc.officer_certification(rd, day))
        # the cells shaped a part of the department at a time, each part's facts let go
        m = qc.matrix(rd, actor, as_of=day, rows=rows_, with_year=True,
                      year_from=date(year, 1, 1), each_part=shaped.add)  # fmt: skip
        if not m.requirements:  # the department retired every ISO item by then
            qc.refuse_all_retired(rd, rows_, day, "the ISO items")
        nobody = None if m.members else _served_by_none(rd, year, day)

    data = iso_report(m, year, day, edition, editions=editions, shaped=shaped)
    if fmt == "json":
        render.emit_json_with_rows(data, "rows")  # (emit_json's text, in batches of rows)
        return
    if fmt == "csv":
        render.emit_csv(_iso_file_rows(data), [Col(k) for k in (*ISO_ROW_KEYS, *ISO_TOTAL_KEYS)])
        return
    if nobody is not None:  # a grid of zeros would say nothing
        render.info(nobody)
        return
    _print_iso(data)


# after the member rows' own columns (kept as they were: an importer may read them by
# position): `total` marks an item's total row, and its members counted and met
ISO_TOTAL_KEYS = ("total", "members", "met")


def _iso_file_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """`report iso -f csv`: the member rows (`total` no), then each item's total as the
    table shows it, a row with no member (`total` yes): `value` the hours done, `target`
    the hours owed, `percentage` the item's credit, beside `members` and `met`, and for
    the officers' item how many are `certified` (JSON: `items`). A year nobody served has
    neither."""
    if not data["rows"]:
        return []
    totals = [
        {"item": it["item"], "name": it["name"], "figure": it["figure"], "value": it["hours"],
         "target": it["target_hours"], "unit": "h", "percentage": it["credit_percentage"],
         "certified": it.get("certified"), "total": True, "members": it["members"], "met": it["met"]}
        for it in data["items"]
    ]  # fmt: skip
    return [*({**r, "total": False} for r in data["rows"]), *totals]


def _served_by_none(rd: Any, year: int, day: date) -> str:
    """What `report iso` says of a year no member served in (up to `day`), and what to do."""
    from trainctl.queries.members import first_hired, has_members

    if not has_members(rd):
        return "No members to report on. Add some with `trainctl member add`."
    upto = "" if day == date(year, 12, 31) else f" up to {day}"
    first = first_hired(rd)
    if first is not None and first > day:
        return (
            f"No member served in {year}{upto}: the first hire date on file is {first}. "
            f"Give a --year from {first.year} on."
        )
    return f"No member was active in {year}{upto}."


# --------------------------------------------------------------------------------- NREMT
@app.command("nremt")
def nremt(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="The member (id, email, badge or name).", show_default=False)],
    level: Annotated[
        str | None,
        _opt("--level", help="The NCCP level (NREMT-EMR, NREMT-EMT, NREMT-AEMT, NREMT-NRP) "
             "or a department copy of one, by code or name. Default: the highest level that "
             "applies to the member (the registry's, else the department's copy)."),
    ] = None,
    as_of: AsOfOpt = None,
    format: FormatOpt = None,
) -> None:
    """A member's NREMT NCCP worksheet for the current cycle: the national, local and
    individual components, the national topic minimums, the distributive (self-paced)
    caps, and where every hour went. A member may see their own."""
    from trainctl.queries import compliance as qc

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, actor):
        day = as_of_date(ctx, as_of, rd)
        e = qc.nremt_worksheet(rd, actor, member, as_of=day, level=level)
    from trainctl.queries.reports import FACT_KEYS, worksheet

    data = worksheet(e)
    if fmt == "json":
        render.emit_json(data)
        return
    if fmt == "csv":
        render.emit_csv(_nremt_file_rows(data), [Col(k) for k in (*FACT_KEYS, *NREMT_TOTAL_KEYS)])
        return
    _print_worksheet(data)


# after the record rows' own columns (kept as they were), as `report iso -f csv` adds its
# item totals: `total` marks a total row, with what the record rows do not carry
NREMT_TOTAL_KEYS = ("total", "minimum", "short", "cycle_start", "cycle_end", "status")


def _nremt_file_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """`report nremt -f csv`: the cycle's records (`total` no), then a total row per
    component (`category` its name, `hours` the hours credited to it, `counted_hours` what
    counts toward its minimum, `minimum`, `short`) and one for the cycle (no category:
    `counted_hours` the hours counted of `minimum` the hours required, and the `status`),
    each with the cycle's days and `total` yes: what the JSON carries."""
    cycle = {"total": True, "cycle_start": data["cycle_start"], "cycle_end": data["cycle_end"]}
    comps = [
        {"category": c["name"], "hours": c["logged"], "counted_hours": c["filled"],
         "minimum": c["minimum"], "short": c["short"], **cycle}
        for c in data["components"]
    ]  # fmt: skip
    required, counted = data["required_hours"], data["hours_counted"]
    whole = {
        "hours": round(sum(c["logged"] for c in data["components"]), 4) if comps else None,
        "counted_hours": counted, "minimum": required,
        "short": None if required is None else round(max(required - counted, 0), 4),
        "status": data["status"], **cycle,
    }  # fmt: skip
    return [*({**f, "total": False} for f in data["facts"]), *comps, whole]


def _print_iso(data: dict[str, Any]) -> None:
    """The items with their totals, then one line per member and item that applies."""
    from rich.table import Table
    from rich.text import Text

    from trainctl.domain.compliance import _h

    out = render.console("out")
    to_date = "" if data["complete_year"] else f", to {data['as_of']}"
    # (an import of another edition in the year: each, from the day it came in)
    edition = "; ".join(
        (e["edition"] or "edition not recorded") + (f" from {e['from']}" if e["from"] else "")
        for e in data["editions"]
    )
    t = Table(
        title=Text(f"ISO training {data['year']}{to_date} ({edition})", style="bold"),
        title_justify="left", header_style="bold", caption_justify="left",
        caption="Hours: done by the members an item applies to. Owed: their figures, each "
        "for the months they served"
        + ("" if data["complete_year"] else " (a monthly item: the months begun so far)")
        + ". Credit: the hours owed that were done, each member's counted up to what they owed."
        " Met: the members whose hours reach what they owed (a monthly item: the year's hours"
        " against the year's figure, whichever month they fell in; not every month met)."
        + ("" if data["complete_year"] else
           " So far: a member below an item's figure is short once the year has closed short"
           " (a monthly item: once a month has ended short); until then, as the compliance"
           " report reads them (not yet due, due soon, OVERDUE).")
        # the schedule's one figure that is not a member's (registries/iso.json says so too)
        + " Pre-fire planning (each commercial, industrial and institutional building once a"
        " year) is counted per building, not per member, and is not in this report.",
    )  # fmt: skip
    # a year still running: the members met and the credit to date ("so far")
    so_far = "" if data["complete_year"] else " so far"
    for name in ("Item", "Figure", "Members", f"Met{so_far}", "Hours", "Owed", f"Credit{so_far}"):
        t.add_column(name, justify="left" if name in ("Item", "Figure") else "right")
    for it in data["items"]:
        credit = it["credit_percentage"]
        t.add_row(
            Text(f"{it['item']} — {it['name']}"), Text(it["figure"]),
            # the officers' item: "3 (2 certified)"; it credits the certified ones only
            str(it["members"]) + ("" if it["certified"] is None else f" ({it['certified']} certified)"),
            # done, and owed: a member's hours beyond their figure are theirs (76 h done,
            # 25 h owed, not "76 of 25 h"); the credit caps each member at what they owed
            str(it["met"]), f"{_h(it['hours'])} h", f"{_h(it['target_hours'])} h",
            "" if credit is None else f"{_h(credit)}%",
        )  # fmt: skip
    out.print(render.keep_words(t))
    from trainctl.domain.text import plural, word_for

    for it in data["items"]:
        if it.get("open"):  # (a recruit year still open: in this year's totals it is not)
            n = it["open"]
            out.print(Text(
                f"{it['item']}: {plural(n, 'member')} still within the item's span on "
                f"{data['as_of']}, {_h(it['open_hours'])} h so far, {word_for(n, 'is', 'are')} in "
                "no total above: counted in a later year's report (the year the span is met "
                "or closes)."
            ))  # fmt: skip
    lines = []
    for r in data["rows"]:
        if r["status"] == "not_applicable":
            continue
        # (no month owed has begun: "none yet", not "0 h" and "0 of 0" months met)
        months = f"{r['periods_met']} of {r['periods']}" if r["periods"] else ""
        share = f" ({r['months_owed']} months)" if r["months_owed"] else ""
        if r["periods"] and not data["complete_year"]:
            # a monthly item to date: the months begun that are owed, of the year's owed
            # ("16 h (1 month so far of 7)"), not the year's share ("7 of 12 months"); a
            # member who owes the whole year too ("96 h (6 months so far of 12)", not a bare
            # 96 h beside the item's 192 h a year)
            so_far = plural(r["periods"], "month")
            of = r["months_owed"].partition(" of ")[0] if r["months_owed"] else "12"
            share = f" ({so_far} so far of {of})"
        owed = "none yet" if r["periods"] == 0 else f"{_h(r['target'])} h"
        # (an officer without a certification: why the hours earn no credit)
        why = f": {r['note']}" if r["certified"] is False else ""
        # (a year still running: not yet due, due soon, OVERDUE, as `report compliance` says)
        status = SHORT.get(r["status"], r["status"].replace("_", " "))
        lines.append({"member": r["member"], "item": r["item"], "hours": _h(r["value"]),
                      "figure": f"{owed}{share}", "months": months, "status": r["status"],
                      "word": status, "why": why})  # fmt: skip
    if len(lines) > render.FAST_TABLE_ROWS:
        # a department's year (500 members: ~3,500 lines) drawn by Rich took 0.7 s more
        # than the JSON of it; the same box drawn plainly, as every long listing is
        cols = [Col("member"), Col("item"), Col("hours", numeric=True), Col("figure"),
                Col("months", "Months met"), Col("status")]  # fmt: skip
        render.fast_table([{**x, "status": x["word"] + x["why"]} for x in lines], cols, title="Per member")
        return
    m = Table(title=Text("Per member", style="bold"), title_justify="left", header_style="bold")
    for name in ("Member", "Item", "Hours", "Figure", "Months met", "Status"):
        m.add_column(name, justify="right" if name == "Hours" else "left")
    for x in lines:
        style = {**STYLES, "short": "red"}.get(x["status"], "")
        m.add_row(
            Text(x["member"]), Text(x["item"]), x["hours"], x["figure"], x["months"],
            Text(x["word"] + x["why"], style=style),
        )  # fmt: skip
    out.print(render.keep_words(m))


def _print_worksheet(data: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    from trainctl.domain.compliance import STATUS_WORDS, _h

    out = render.console("out")
    out.print(
        Text(
            f"NREMT NCCP worksheet: {data['member']}, {data['level']} ({data['requirement']})",
            style="bold",
        )
    )
    out.print(
        Text(
            f"Cycle {data['cycle_start']} – {data['cycle_end']} ({data['cycle']}); as of {data['as_of']}"
        )
    )
    for note in data["notes"]:
        out.print(Text(f"Note: {note}"))
    c = Table(title=Text("Components", style="bold"), title_justify="left", header_style="bold")
    for name in ("Component", "Minimum", "Counted", "Short", "Topics (counted/minimum)", "Self-paced", "Flow"):
        c.add_column(name, justify="right" if name in ("Minimum", "Counted", "Short") else "left")
    for comp in data["components"]:
        topics = ", ".join(f"{t['name']} {_h(t['filled'])}/{_h(t['minimum'])}" for t in comp["topics"])
        cap = comp["distributive_cap"]
        paced = f"{_h(comp['distributive_used'])} of {_h(cap)} h" if cap is not None else f"{_h(comp['distributive_used'])} h (no cap)"
        flow = "; ".join(
            [f"{_h(r['hours'])} h from {r['from']}" for r in comp["received"]]
            + [f"{_h(s['hours'])} h on to {s['to']}" for s in comp["sent"]]
            + ([f"{_h(comp['over_caps'])} h over caps"] if comp["over_caps"] else [])
        )
        # (category and topic names are the requirement's, as typed: literal text, not markup)
        c.add_row(
            Text(comp["name"]), _h(comp["minimum"]), _h(comp["filled"]), _h(comp["short"]), Text(topics),
            paced, Text(flow),
        )  # fmt: skip
    # at 80 columns an empty Flow goes first, then Short (the minimum less what counted)
    out.print(render.keep_words(c, drop=(0, 0, 0, 2, 0, 0, 1)))
    f = Table(title=Text("Every hour", style="bold"), title_justify="left", header_style="bold")
    for name in ("Date", "Course", "Category", "Hours", "Counted", "Where it went"):
        f.add_column(name, justify="right" if name in ("Hours", "Counted") else "left")
    for fact in data["facts"]:
        f.add_row(
            str(fact["date"] or ""), Text(f"#{fact['id']} {fact['course'] or fact['course_code'] or ''}"),
            Text(fact["category"] or ""), _h(fact["hours"]), _h(fact["counted_hours"]),
            Text(fact["where"]),
        )  # fmt: skip
    # at 80 columns the category a record was filed under gives way first to where its
    # hours went ("5 h fills the national/operations minimum" names it), then Counted
    out.print(render.keep_words(f, drop=(0, 0, 2, 0, 1, 0)) if data["facts"] else Text("No NCCP hours in this cycle."))
    if data["other_records"]:
        from trainctl.domain.text import plural, word_for

        n = data["other_records"]
        out.print(
            Text(
                f"{plural(n, 'other training record')} in the cycle "
                f"{word_for(n, 'carries', 'carry')} no NCCP "
                "category (national/topic, local, individual): not shown (`trainctl requirement "
                "explain` lists every one)."
            )
        )
    for line in data["arithmetic"]:
        out.print(Text(line))
    out.print(Text(f"Status: {STATUS_WORDS[data['status']]} — {data['reason']}"))
