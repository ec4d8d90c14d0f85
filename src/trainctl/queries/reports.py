"""The ISO and NREMT reports shaped for the screen (no SQL: queries/compliance.py reads,
domain/compliance.py evaluates; this module only arranges the evaluations)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trainctl.domain import compliance as dcm
from trainctl.domain import progress as dp
from trainctl.domain.certs import holding_codes
from trainctl.domain.compliance import Evaluation, Fact
from trainctl.queries.compliance import ISO_OFFICER_ITEM, Matrix

TABLES: dict[str, tuple[str, ...]] = {}

ISO_ROW_KEYS = (
    "member_id", "member", "item", "name", "figure", "value", "target", "unit", "percentage",
    "status", "periods_met", "periods", "window_start", "window_end", "months_owed",
    "certified", "note",
)  # fmt: skip


def _figure_text(spec: dcm.RequirementSpec) -> str:
    t = f"{dcm._h(spec.target.target_value)} {spec.unit}"
    if spec.frequency == "monthly":
        return f"{t} a month ({dcm._h((spec.target.target_value or 0) * 12)} {spec.unit} a year)"
    if spec.frequency == "annual" and spec.registry_code == ISO_OFFICER_ITEM:
        return f"certified, and {t} a year"  # (`_certify`)
    if spec.frequency == "annual":
        return f"{t} a year"
    if spec.frequency == "one_time" and spec.period_months:
        since = "certification" if spec.period_anchor == "certification_date" else "hire"
        return f"{t} in the first {spec.period_months} months from {since}"
    if spec.frequency == "one_time":
        return f"{t} once" + (
            f", within {spec.time_limit_days} days" if spec.time_limit_days else ""
        )
    return f"{t} ({spec.frequency})"


def year_figure_text(spec: dcm.RequirementSpec, first: date, last: date) -> str:
    """The item's figure over the days from `first` to `last` (a year's report): the one
    figure, or, when the requirement's figure was changed in those days (its history; an
    import of another edition), each with the days it was in force, as the report judges
    each month (week, window) by the figure in force then: "16 h a month (192 h a year)
    until 2025-06-30; 20 h a month (240 h a year) from 2025-07-01"."""
    spans: list[tuple[str, date | None, date | None]] = []
    since: date | None = None
    for v in spec.versions or (spec,):
        until = v.stood_until
        if (until is None or until >= first) and (since is None or since <= last):
            text = _figure_text(v)
            if spans and spans[-1][0] == text:
                spans[-1] = (text, spans[-1][1], until)
            else:
                spans.append((text, since, until))
        since = until + dcm.ONE_DAY if until is not None else None
    if len(spans) <= 1:
        return _figure_text(spec)
    out = []
    for i, (text, since, until) in enumerate(spans):
        if i == 0:
            out.append(f"{text} until {until}")
        elif i == len(spans) - 1 or until is None or until >= last:
            out.append(f"{text} from {since}")
        else:
            out.append(f"{text} from {since} to {until}")
    return "; ".join(out)


def _done_before(e: Evaluation, first: date) -> bool:
    """A one-time item (new driver 60 h, the recruit year) the member was done with before
    the year that begins on `first`: its window closed in an earlier year, or it was met
    by the eve of this one (the one evaluator, as of that day). Such an item is owed once,
    in the year it is met or its window closes, and not again: a new driver's 60 h of
    June 2023 are no 2024 training."""
    spec = e.requirement
    if spec.period.frequency != "one_time" or not e.applicable:
        return False
    if e.window is not None and e.window.end is not None and e.window.end < first:
        return True
    if not e.met:
        return False
    eve = first - dcm.ONE_DAY
    then = spec.as_it_stood_on(eve)
    return dcm.evaluate(e.member, then, eve, detail=False, with_year=False).met


def _unmet(e: Evaluation, value: float, running: bool, year_from: date | None = None) -> str:
    """The status of a cell below its figure. Short once its window has closed: the year
    that begins on `year_from`, as of its last day or later; a one-time item's span; for a
    one-time item without a span of its own (the new driver's 60 h, owed each year until
    done), the year, or the member's stint under it (a candidacy ended short: `officer_day`,
    the last day of the year they were subject to it). In a year still running, as `report
    compliance` reads the same cell (the one evaluator's status: *not yet due*, *due soon*,
    or *overdue* when the previous window closed short), not short before the year has
    closed; a monthly item is short when a month that has ended ended short: the
    previous month (the evaluator's *overdue*), or the year's hours below the figure of
    the months ended (as the year is judged: whichever month the hours fell in)."""
    spec, y = e.requirement, e.year
    if spec.period.frequency == "one_time":
        year_end = date(year_from.year, 12, 31) if year_from is not None else None
        ends = [d for d in (e.window.end if e.window is not None else None, year_end) if d is not None]
        if not ends or e.as_of >= min(ends):
            return "short"
        spanless = e.window is None or e.window.end is None
        if year_from is not None and spanless and officer_day(e, year_from) < e.as_of:
            return "short"
        return e.status if e.status in (dcm.NOT_YET_DUE, dcm.DUE_SOON, dcm.OVERDUE) else "short"
    if y is not None:
        if not running:
            return "short"
        ended = sum(f.target or 0.0 for f in y.periods if f.window.end is not None and f.window.end <= e.as_of)
        if e.status == dcm.OVERDUE or value < round(ended, 4):
            return "short"
        return e.status if e.status in (dcm.NOT_YET_DUE, dcm.DUE_SOON) else "short"
    if e.window is None or e.window.end is None or e.as_of >= e.window.end:
        return "short"
    return e.status if e.status in (dcm.NOT_YET_DUE, dcm.DUE_SOON, dcm.OVERDUE) else "short"


def iso_cell(e: Evaluation, year_from: date | None = None) -> dict[str, Any]:
    """One member x ISO item: the year's figure for a monthly item (and the months met;
    in a year still running, the figure of the months begun that the member owes), else
    the item's window figure. `value` is the hours done (`dcm.done_of`), for every item
    alike; the status and `percentage` follow the hours that count toward the figure
    (company training's allocation: 202 h done, 192 h count, 100%). Status: met, short (below the figure
    once its window has closed), in a year still running the compliance report's status
    of a cell below its figure (`_unmet`), not_yet_due (a one-time item whose deadline has
    not come), or not_applicable (also a one-time item done with before the year that
    begins on `year_from`: `_done_before`)."""
    spec = e.requirement
    y = e.year
    value, target, pct = e.value, e.target, e.percentage
    # Hours: done, for every item alike (company training's 202 h, not the 192 its
    # allocation counts); the figure that counts judges (pct)
    done = dcm.done_of(e)
    window = e.window
    periods_met = periods = None
    running = False  # a monthly item in a year still running: judged on the months begun
    if y is not None:
        value, target, pct, window = y.value, y.target, y.percentage, y.window
        periods_met, periods = y.periods_met, len(y.periods)
        if window.end is not None and e.as_of < window.end:
            # to date: the months begun that the member owes (an active member owed the
            # whole year's 192 h in June, one on leave since April the 4 months served)
            running = True
            target = y.pace
            pct = dp.percent_of(min(value, target), target)
    if (
        not e.applicable
        or (y is not None and not y.owed)
        or (y is None and e.owes_nothing)
        or (year_from is not None and _done_before(e, year_from))
    ):
        # (the item owes no month of the year: hired after its last month began; a
        # monthly item by its year, not by the report's last month)
        status = dcm.NOT_APPLICABLE
    elif running and not target:  # owes months of the year, none begun yet
        status = dcm.NOT_YET_DUE
    elif pct >= 100:
        status = dcm.MET
    elif spec.period.frequency == "one_time" and e.status in (dcm.NOT_YET_DUE, dcm.DUE_SOON):
        status = dcm.NOT_YET_DUE
    else:
        status = _unmet(e, value, running, year_from)
    owes = e.applicable and status != dcm.NOT_APPLICABLE
    share = e.months_owed
    if y is not None:  # a monthly item: the year's months owed, not the last month's
        months = 12 // (spec.period.months or 1)
        share = (y.owed, months) if y.owed < months else None
    return {
        "member_id": e.member.id, "member": e.member.name,
        "item": spec.registry_code or spec.name, "name": spec.name,
        "figure": _figure_text(spec) if year_from is None else year_figure_text(spec, year_from, e.as_of),
        "value": round(done, 4) if owes else None,
        "target": target if owes else None, "unit": spec.unit,
        "percentage": pct if owes else None, "status": status,
        "periods_met": periods_met, "periods": periods,
        "window_start": window.start if window and owes else None,
        "window_end": window.end if window and owes else None,
        # an annual item's share: "3 of 12" (hired 15 September), the target that share
        "months_owed": f"{share[0]} of {share[1]}" if owes and share else None,
        # the officers' item: whether the member holds an officer certification (`_certify`)
        "certified": None, "note": None,
    }  # fmt: skip


def _credit(col: list[tuple[dict[str, Any], float]]) -> float | None:
    """An item's credit: the hours credited, each member's up to what they owed, of the
    hours owed by the members it applies to. Weighed by what each owed, as a grader counts
    member-months: a recruit who owed October to December weighs a quarter of a member
    who owed the year, and one member's surplus never makes up another's shortfall.
    From the figures themselves, rounded once, halves up (9 of 32 h: 28.13%)."""
    owed = sum(dp.exact(r["target"] or 0) for r, _ in col)
    if not owed:
        return None
    # the hours that count toward each member's figure (a monthly item's year: `IsoCells`),
    # up to it (an officer without a certification: no credit, whatever the hours: `_certify`)
    done = sum(
        dp.exact(min(counted, r["target"] or 0)) for r, counted in col if r["certified"] is not False
    )
    return dp.percent_of(done, owed)


def _still_open(rows: list[dict[str, Any]], spec: dcm.RequirementSpec) -> dict[str, Any]:
    """`open` (members) and `open_hours` (their hours so far) of a one-time item whose
    window runs on past the report's day: not yet due, in none of the year's totals."""
    if spec.period.frequency != "one_time":
        return {}
    mine = [r for r in rows if r["status"] == dcm.NOT_YET_DUE]
    return {"open": len(mine), "open_hours": round(sum(r["value"] or 0 for r in mine), 4)}


def officer_day(e: Evaluation, first: date) -> date:
    """The day an officer's certification is judged for the year that begins on `first`:
    the report's day (31 December, or the as-of day of a year still running), or the last
    day of the year the member was subject to the item, when earlier (an officer who
    retired on 1 October: 30 September). A grader credits the officers as certified when
    the year's figure is judged, not a card that ran out in February. (Also the end of a
    new driver's candidacy in the year: `_unmet`.)"""
    member, spec, last = e.member, e.requirement, e.as_of
    changes = {s.since - dcm.ONE_DAY for s in member.history if first < s.since <= last}
    for day in sorted({last, *changes}, reverse=True):
        if dcm._subject_on(member, spec, day):
            return day
    return last


def _certify(
    row: dict[str, Any], e: Evaluation, spec: dcm.RequirementSpec,
    cards: Mapping[int, Mapping[str, Sequence[Fact]]], first: date,
) -> None:
    """ISO's officers: "certified, plus 12 h a year". The officer item credits a member
    only while they hold an officer certification (`spec`: NFPA 1021 Fire Officer, or the
    Pro Board Fire Officer I or II it lists), valid on `officer_day`: judged by the one
    evaluator (the card in force decides: domain/certs). Without one the item is short,
    whatever the hours, and says why (`note`)."""
    day = officer_day(e, first)
    holder = e.member.with_kinds(cards.get(e.member.id or 0, {}), unique=True)
    card = dcm.evaluate(holder, spec, day, detail=False)
    certified = card.status == dcm.MET
    row["certified"] = certified
    when = "" if day == e.as_of else f" on {day}, the last day it applied to them in the year"
    if certified:
        row["note"] = f"certified{when}: {card.reason}"
        return
    hours = f"{dcm._h(row['value'])} h"
    if card.status == dcm.EXPIRED:
        row["note"] = f"{hours}, no valid officer certification{when or f' on {day}'} ({card.reason})"
    else:
        codes = " or ".join(holding_codes(spec.credential_code, spec.required_courses))
        row["note"] = f"{hours}, no officer certification on file ({codes}){when}"
    if row["status"] == dcm.MET:
        row["status"] = "short"


Officers = tuple[dcm.RequirementSpec, Mapping[int, Mapping[str, Sequence[Fact]]]]


@dataclass
class IsoCells:
    """A year's cells as `report iso` shapes them (`iso_cell`, and the officers' item
    `_certify`: `officers`, what certifies an officer and the members' cards, from
    queries/compliance.officer_certification), given a part of the matrix at a time
    while its members' facts are held (queries/compliance.matrix `each_part`): of each
    cell the report keeps its row and the hours that count toward its figure (a monthly
    item's year: `_credit`), and no member's facts."""

    first: date
    officers: Officers | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    counted: list[float] = field(default_factory=list)

    def add(self, cells: Sequence[Evaluation]) -> None:
        # a one-time item with a span of its own (the recruit year) is judged by the member
        # as they stood when it began, not by the positions they hold in this year (one held
        # by a position alone, the new driver's, counts the days they held it: the evaluator's
        # rule, domain.compliance `_while_held`, as in every view)
        judged = [dcm.from_its_start(e) for e in cells]
        rows = [iso_cell(e, self.first) for e in judged]
        if self.officers is not None:
            for r, e in zip(rows, judged, strict=True):
                if e.requirement.registry_code == ISO_OFFICER_ITEM and r["status"] != dcm.NOT_APPLICABLE:
                    _certify(r, e, *self.officers, self.first)
        self.rows.extend(rows)
        self.counted.extend(e.year.value if e.year is not None else e.value for e in judged)


def _in_totals(row: dict[str, Any], spec: dcm.RequirementSpec) -> bool:
    """Whether a member's cell counts in its item's totals: one that applies, except a
    one-time item still open (`_still_open`) and a monthly item with no month owed begun
    yet (nothing owed so far). An annual (monthly) item not yet due, or due soon, in a year
    still running counts, as what the year holds the member to so far."""
    status = row["status"]
    if status == dcm.NOT_APPLICABLE:
        return False
    if status == dcm.NOT_YET_DUE:
        return spec.period.frequency != "one_time" and row["periods"] != 0
    return True


def iso_report(
    m: Matrix, year: int, as_of: date, edition: str | None, officers: Officers | None = None,
    editions: Sequence[tuple[date | None, str | None]] = (), *, shaped: IsoCells | None = None,
) -> dict[str, Any]:
    """Per member and in total (an item's credit: `_credit`). A member an item holds to
    nothing yet (a recruit whose first year runs on past the report's day: not yet due)
    counts in none of its totals, as in the compliance report's summary lines.
    `officers`: what certifies an officer and the members' cards
    (queries/compliance.officer_certification), for the officers' item (`_certify`).
    `editions`: those in force in the year, from the day each came in (the first: None;
    queries/compliance.registry_editions); an item's figure names each figure in force in
    the year, with its days (`year_figure_text`), as each month is judged by its own.
    `shaped`: the matrix's cells already shaped, a part at a time (`IsoCells`, its own
    officers); else `m`'s cells are, with their members' facts."""
    n = len(m.requirements)
    first = date(year, 1, 1)
    if shaped is None:
        shaped = IsoCells(first, officers)
        shaped.add(m.cells)
    rows, counted = shaped.rows, shaped.counted
    items = []
    for i, spec in enumerate(m.requirements):
        pairs = [(r, c) for r, c in zip(rows[i::n], counted[i::n], strict=True) if _in_totals(r, spec)] if n else []
        col = [r for r, _ in pairs]
        hours = round(sum(r["value"] or 0 for r in col), 4)
        items.append(
            {
                "item": spec.registry_code or spec.name,
                "name": spec.name,
                "figure": year_figure_text(spec, first, as_of),
                "source": spec.source_document,
                "members": len(col),
                "met": sum(1 for r in col if r["status"] == dcm.MET),
                "hours": hours,
                "target_hours": round(sum(r["target"] or 0 for r in col), 4),
                "credit_percentage": _credit(pairs),
                # the officers' item: how many of its members hold an officer certification
                "certified": sum(1 for r in col if r["certified"])
                if spec.registry_code == ISO_OFFICER_ITEM and shaped.officers is not None else None,
                # a one-time item still open on the report's day (a recruit year that runs
                # on into the next): in no total here, counted in the year it closes or is met
                **_still_open(rows[i::n] if n else [], spec),
            }
        )
    return {
        "year": year,
        "as_of": as_of,
        "complete_year": as_of >= date(year, 12, 31),
        "edition": edition,
        # more than one when an import of another edition came in during the year
        "editions": [{"edition": e, "from": since} for since, e in editions or [(None, edition)]],
        "items": items,
        "rows": rows,
    }


FACT_KEYS = (
    "date", "id", "course", "course_code", "category", "hours", "self_paced", "counted",
    "counted_hours", "code", "where",
)  # fmt: skip


def _nccp(f: dcm.Fact, names: set[str]) -> bool:
    """A record in one of the requirement's components (national/..., local, individual)."""
    return dp.category_key((f.credit_category or "").partition("/")[0]) in names


def worksheet(e: Evaluation) -> dict[str, Any]:
    """The NCCP worksheet of one evaluation (an NREMT hours requirement with categories):
    the components, and the records of the cycle in an NCCP component (counted or not, and
    where each hour went); `other_records` counts the cycle's other records."""
    a = e.allocation
    t = e.requirement.target
    if a is None and e.applicable and t.hour_categories:
        # nothing judged yet (the member is hired, or certified, after the as-of day): the
        # components with their minimums, as the first day of the cycle will show them
        a = dp.allocate_hours(t.required_hours, t.hour_categories, [])
    components = []
    if a is not None:
        for c in a.categories:
            components.append(
                {
                    "name": c.name,
                    "minimum": c.minimum,
                    "filled": round(c.filled, 4),
                    "short": c.short,
                    "logged": round(c.logged, 4),
                    "topics": [
                        {"name": t.name, "minimum": t.minimum, "filled": round(t.filled, 4)}
                        for t in c.topics
                    ],
                    "distributive_cap": c.distributive_cap,
                    "distributive_used": round(c.distributive_used, 4),
                    "received": [{"from": s, "hours": round(h, 4)} for s, h in c.received],
                    "sent": [{"to": d, "hours": round(h, 4)} for d, h in c.sent],
                    "over_caps": round(c.capped, 4),
                }
            )
    names = {dp.category_key(c.name) for c in e.requirement.hour_categories}
    # the cycle's records up to the as-of day (a later one, of this cycle or the next, is
    # judged "after the as-of date" before its window is looked at)
    in_cycle = [v for v in e.verdicts if v.code not in (dcm.OUTSIDE_WINDOW, dcm.AFTER_AS_OF)]
    facts = [
        {
            "date": v.fact.date, "id": v.fact.id, "course": v.fact.name,
            "course_code": v.fact.course_code, "category": v.fact.credit_category,
            "hours": v.fact.hours, "self_paced": v.fact.self_paced, "counted": v.counted,
            "counted_hours": v.amount, "code": v.code, "where": v.reason,
        }
        for v in in_cycle
        if v.counted or _nccp(v.fact, names)
    ]
    w = e.window
    return {
        "member_id": e.member.id,
        "member": e.member.name,
        "level": e.requirement.registry_code or e.requirement.cycle_credential,  # a copy: its level
        "requirement": e.requirement.name,
        "as_of": e.as_of,
        "cycle": e.window_label,
        "cycle_start": w.start if w else None,
        "cycle_end": w.end if w else None,
        "required_hours": e.requirement.required_hours,
        "hours_counted": round(e.value, 4),
        "percentage": e.percentage,
        "status": e.status,
        "reason": e.reason,
        "notes": list(e.notes) + (
            [f"judged as the requirement stood until {e.requirement.stood_until} (changed since)"]
            if e.requirement.stood_until else []
        ),
        "components": components,
        "facts": facts,
        "other_records": len(in_cycle) - len(facts),
        "arithmetic": dcm.arithmetic_lines(e) if e.applicable else [],
    }
