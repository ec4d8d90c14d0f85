"""Compliance on the read side (issue 9): load members, requirements and facts in a few
set-based queries, then ask the one evaluator (domain/compliance.py).

`matrix` answers `report compliance` (and, through it, `report iso`): the members, the
requirements that apply (or those named) and every fact that can count in the windows
being judged, read with a handful of queries per MEMBERS_AT_ONCE members (member ids in
chunked IN lists when the members are filtered or the department is larger; never a
query per member or per requirement), each part's facts freed once judged. `explain` answers `requirement explain` for one member and one requirement
with ALL of the member's facts, so it also shows what was rejected and why; both call
`domain.compliance.evaluate`, so a cell and its explanation cannot disagree.

As of a date: facts dated after the as-of date never count (the evaluator's rule); the
matrix does not even read them. A void record, card, checkoff, attendance or response is
not a fact at all. Members are judged by the positions and status they held on the as-of
date (queries/members.states_as_of): an officer promoted in September is not an officer in
June, and a member retired last week is still on last month's roster.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from trainctl import fanout
from trainctl.domain import compliance as dcm
from trainctl.domain import periods as pd
from trainctl.domain.compliance import Evaluation, Fact, MemberFacts, RequirementSpec, Stint
from trainctl.errors import NotFoundError, PermissionDeniedError, UsageError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import Reader, as_date, as_json, as_utc, by_text, in_list
from trainctl.queries import checklists as qcl
from trainctl.queries import members as qm
from trainctl.queries import requirements as qr
from trainctl.queries import settings as qs

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "member": ("id", "name", "positions", "status", "hire_date", "certification_date"),
    "training_record": (
        "id", "member_id", "course_name", "course_code", "training_type", "category", "topic",
        "completion_date", "expiration_date", "hours_completed", "status", "passed",
        "self_paced", "voided_at",
    ),
    "certification": (
        "id", "member_id", "credential_code", "name", "issued_on", "expires_on", "voided_at",
    ),
    "skill_checkoff": ("id", "member_id", "skill_id", "status", "evaluated_on", "voided_at"),
    "skill_evaluation": ("id", "name"),
    "shift_attendance": ("id", "shift_id", "member_id", "duration_minutes", "voided_at"),
    "shift": ("id", "shift_date", "station", "name"),
    "call_response": ("id", "call_id", "member_id", "voided_at"),
    "call": ("id", "incident_number", "shift_date", "call_type"),
    "audit_log": ("action", "entity", "detail", "id"),
    "progress_credit": ("id", "progress_id", "amount", "item", "state", "entered_at", "entered_on"),
    "requirement_progress": ("id", "enrollment_id", "program_requirement_id"),
    "enrollment": ("id", "member_id"),
    "program_requirement": ("id", "requirement_id"),
    "requirement": ("id", "requirement_type", "entered_on"),
    "checklist_signoff": ("id", "member_id", "requirement_id", "item", "checked_on", "unchecked_on"),
}  # fmt: skip

CHUNK = 500  # member ids per IN list
# The matrix reads and judges a department's members this many at a time (`_matrix`):
# bench/compliance.py's 500 at once, as before; 5,000 members' 500,000 records in five
# parts, each part's facts freed once judged.
MEMBERS_AT_ONCE = 1000
MAX_DUE_SOON_DAYS = 3650
DUE_SOON_DAYS = 30  # the default of `report compliance --due-soon` and of reminders


# ---------------------------------------------------------------------------- the reads
_MEMBER_SQL = (
    "SELECT id, name, positions, status, hire_date, certification_date FROM member"
)


def _member(r: Sequence[Any]) -> MemberFacts:
    return MemberFacts(
        id=r[0], name=r[1], positions=tuple(as_json(r[2]) or ()), status=r[3],
        hire_date=as_date(r[4]), certification_date=as_date(r[5]),
    )  # fmt: skip


def _as_of(
    rd: Reader, members: list[MemberFacts], day: date | None, *, roster: bool = False
) -> list[MemberFacts]:
    """The members with the positions and status they held on `day` (issue 9). `roster`:
    a list of the department on that day, without the members not yet hired then
    (queries/members.not_yet_hired, as `member list --as-of` leaves them out)."""
    if day is None or not members:
        return members
    ids = [m.id for m in members if m.id is not None] if len(members) <= 100 else None
    timelines = qm.timelines(rd, ids)
    out = []
    for m in members:
        timeline = timelines.get(m.id or 0, ())
        s = qm.state_on(timeline, day)
        if s is None:
            out.append(m)
        elif not (roster and qm.not_yet_hired(m.hire_date, s, day)):
            out.append(replace(
                m, positions=tuple(s.positions), status=s.status, history=_history(timeline),
            ))  # fmt: skip
    return out


def _history(timeline: Sequence[qm.MemberState]) -> tuple[Stint, ...]:
    """A member's history as the evaluator reads it (`subject_since`): one stint a day,
    the day's last written row (the one in force, as `state_on` takes it). The first day
    keeps its first row too, ahead of it: before the first day the member is as first
    known (`state_on`), and a member added without a hire date and promoted "effective 1
    September" has two rows that day, the firefighter before and the officer after."""
    by_day: dict[date, Stint] = {}
    first: Stint | None = None
    for s in timeline:  # effective order, the latest written last within a day
        folded = frozenset(p.strip().casefold() for p in s.positions if p)
        stint = Stint(s.effective_on, folded, s.status)
        first = first or stint
        by_day[s.effective_on] = stint
    out = tuple(by_day.values())
    if first is not None and out and out[0] != first:
        out = (first, *out)
    return out


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


@dataclass(frozen=True)
class Span:
    """Which facts a set of requirements can need, as of a date: kind -> the first date
    worth reading (None: all history). Nothing after `last` is read."""

    last: date | None
    first: dict[str, date | None]

    @classmethod
    def everything(cls) -> Span:
        return cls(None, dict.fromkeys(_KINDS))


_KINDS = (dcm.TRAINING, dcm.CERTIFICATION, dcm.SKILL, dcm.SHIFT, dcm.CALL, dcm.CHECKLIST)


def span_for(specs: Iterable[RequirementSpec], as_of: date) -> Span:
    """The oldest date each kind of fact must be read from so that every window the
    evaluator looks at (the current one, the previous one, a monthly requirement's year,
    a first NREMT cycle that runs from the certification date) is covered. One-time
    requirements and certifications look at all history."""
    first: dict[str, date | None] = {}
    needed: set[str] = set()

    def widen(kind: str, day: date | None) -> None:
        needed.add(kind)
        if kind not in first:
            first[kind] = day
        else:
            old = first[kind]
            first[kind] = None if old is None or day is None else min(old, day)

    # every version of a requirement changed over time: a previous window is judged as it
    # stood then, and may count other kinds of fact (shift hours before --no-counts-attendance)
    for spec in [v for s in specs for v in (s, *s.versions)]:
        kinds = spec.kinds
        if spec.requirement_type == "certification":
            for k in kinds:
                widen(k, None)
            continue
        period = spec.period
        if period.frequency == "one_time" or period.months is None:  # met once, met for good
            day = None
        elif period.frequency == "rolling":
            day = pd.add_months(as_of, -2 * period.months)
        elif period.anchor == "cycle_end":  # the previous cycle may be a long first one
            day = pd.add_months(as_of, -(2 * period.months + 16))  # (NREMT: up to 39 months)
        else:  # tiling: the previous window, a year of months
            day = pd.add_months(as_of, -(2 * period.months + 13))
        for k in kinds:
            widen(k, day)
        if period.anchor == "cycle_end":
            widen(dcm.CERTIFICATION, None)  # the card decides the cycle
    return Span(as_of, {k: first[k] for k in needed})


def _bounds(
    alias: str, column: str, kind: str, span: Span, params: dict[str, Any], dialect: str,
    by_member: bool = False,
) -> str:
    """The span's dates as a condition on `column`. Without a first date on SQLite, the
    last one is written `+column` so that the planner cannot take the date index for it:
    SQLite keeps no statistics of dates and takes an index for any range, and "up to the
    as-of date" is nearly every row, each then read out of table order (bench/compliance.py,
    50,000 records, best of 3: 228 ms through ix_training_record_completion_date, 131 ms
    in table order). A range with a first date may be a small part of a long archive and
    keeps the index; PostgreSQL weighs its own statistics (and has no unary + for dates).
    `by_member`: the facts of listed members (an IN list): no date index, the member
    index leads (a shift's or call's date index took the 4,000 calls of
    bench/compliance.py in date order and probed each for 1,000 members: 0.93 s to read
    5,000 members' responses a thousand at a time, against 0.02 s once for everyone)."""
    conds = [f"{alias}.voided_at IS NULL"]
    first = span.first.get(kind)
    plain = (first is None or by_member) and dialect == "sqlite"
    if first is not None:
        conds.append(f"{'+' if plain else ''}{column} >= :first_{kind}")
        params[f"first_{kind}"] = first
    if span.last is not None:
        conds.append(f"{'+' if plain else ''}{column} <= :last")
        params["last"] = span.last
    return " AND ".join(conds)


def _facts_sql(
    kind: str, span: Span, params: dict[str, Any], names: bool = True, dialect: str = "sqlite",
    by_member: bool = False,
) -> str:
    """One kind's facts in the span. `names=False`: display names left out (NULL);
    `by_member`: of listed members (`_bounds`)."""
    if kind == dcm.TRAINING:
        return (
            "SELECT t.member_id, t.id, t.completion_date, t.hours_completed, t.course_code, "
            f"{'t.course_name' if names else 'NULL'}, t.training_type, t.category, t.topic, t.self_paced, t.status, "
            "t.passed, t.expiration_date, t.course_key FROM training_record t WHERE "
            + _bounds("t", "t.completion_date", kind, span, params, dialect, by_member)
        )
    if kind == dcm.CERTIFICATION:
        return (
            "SELECT c.member_id, c.id, c.issued_on, c.credential_code, c.name, c.expires_on "
            "FROM certification c WHERE " + _bounds("c", "c.issued_on", kind, span, params, dialect, by_member)
        )
    if kind == dcm.SKILL:
        return (
            "SELECT k.member_id, k.id, k.evaluated_on, s.name, k.status FROM skill_checkoff k "
            "JOIN skill_evaluation s ON s.id = k.skill_id WHERE "
            + _bounds("k", "k.evaluated_on", kind, span, params, dialect, by_member)
        )
    if kind == dcm.SHIFT:
        return (
            "SELECT a.member_id, a.id, s.shift_date, a.duration_minutes, "
            f"{'s.station, s.name' if names else 'NULL, NULL'} "
            "FROM shift_attendance a JOIN shift s ON s.id = a.shift_id WHERE "
            + _bounds("a", "s.shift_date", kind, span, params, dialect, by_member)
        )
    assert kind == dcm.CALL
    return (
        f"SELECT r.member_id, r.id, c.shift_date, {'c.incident_number' if names else 'NULL'}, "
        "c.call_type "
        'FROM call_response r JOIN "call" c ON c.id = r.call_id WHERE '
        + _bounds("r", "c.shift_date", kind, span, params, dialect, by_member)
    )


_ALIAS = {dcm.TRAINING: "t", dcm.CERTIFICATION: "c", dcm.SKILL: "k", dcm.SHIFT: "a", dcm.CALL: "r"}


def _maker(kind: str, names: bool = True) -> Callable[[Sequence[Any]], Fact]:
    """Row -> Fact for one kind (chosen once per query, not per row). `names=False` (the
    matrix, which prints no fact): no display names are built."""
    of, day, like = Fact.of, as_date, dcm.like
    if kind == dcm.TRAINING:
        # A department records the same course, type, category and status over and over:
        # the first such record is made by Fact.of (derived fields and all), and the others
        # are made like it (`dcm.like`) with their own id, date, hours, expiry and course
        # key: the same objects, field for field (bench/compliance.py, 50,000 records,
        # 4 runs: 0.48-0.52 s -> 0.23-0.36 s). The key holds every other column, and
        # whether there are hours (what Fact.of derives from them).
        made: dict[tuple[Any, ...], Fact] = {}

        def training(r: Sequence[Any]) -> Fact:
            hours = float(r[3] or 0)
            key = (r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], hours > 0)
            alike = made.get(key)
            if alike is None:
                alike = made[key] = of({
                    "kind": dcm.TRAINING, "id": None, "date": None, "hours": hours,
                    "course_code": r[4], "name": r[5], "training_type": r[6], "category": r[7],
                    "topic": r[8], "self_paced": bool(r[9]), "status": r[10],
                    "passed": None if r[11] is None else bool(r[11]), "expires_on": None,
                })  # fmt: skip
            return like(alike, r[1], day(r[2]), hours, day(r[12]), r[13], r[5], None)

        return training
    if kind == dcm.CERTIFICATION:
        return lambda r: of({
            "kind": dcm.CERTIFICATION, "id": r[1], "date": day(r[2]), "credential_code": r[3],
            "name": r[4] or r[3], "expires_on": day(r[5]),
        })  # fmt: skip
    if kind == dcm.SKILL:
        return lambda r: of({
            "kind": dcm.SKILL, "id": r[1], "date": day(r[2]), "skill": r[3], "status": r[4],
            "passed": r[4] == "passed",
        })  # fmt: skip
    if kind == dcm.SHIFT:
        if not names:
            # The matrix: a shift attendance differs from the next only in its id, day and
            # hours, a call response (below) in its id, day and call type: copied as the
            # training records are (bench/compliance.py, best of 9: 20,000 attendances
            # 90 -> 53-57 ms, 10,000 responses 41 -> 24-30 ms).
            shifts: dict[bool, Fact] = {}

            def attended(r: Sequence[Any]) -> Fact:
                hours = (r[3] or 0) / 60  # unrounded, as the credit feed counts (domain/shifts.hours)
                alike = shifts.get(hours > 0)
                if alike is None:
                    alike = shifts[hours > 0] = of(
                        {"kind": dcm.SHIFT, "id": None, "date": None, "hours": hours}
                    )
                return like(alike, r[1], day(r[2]), hours, None, None, None, None)

            return attended

        def shift(r: Sequence[Any]) -> Fact:
            on = day(r[2])
            where = " ".join(p for p in (r[4], r[5]) if p)
            return of({
                "kind": dcm.SHIFT, "id": r[1], "date": on, "hours": (r[3] or 0) / 60,
                "name": f"shift {on}" + (f" {where}" if where else ""),
            })  # fmt: skip

        return shift
    if not names:
        calls: dict[Any, Fact] = {}

        def responded(r: Sequence[Any]) -> Fact:
            alike = calls.get(r[4])
            if alike is None:
                alike = calls[r[4]] = of({"kind": dcm.CALL, "id": None, "date": None, "call_type": r[4]})
            return like(alike, r[1], day(r[2]), alike.hours, None, None, None, None)

        return responded
    return lambda r: of({
        "kind": dcm.CALL, "id": r[1], "date": day(r[2]), "name": f"call {r[3]}",
        "call_type": r[4],
    })  # fmt: skip


def _fact(kind: str, r: Sequence[Any]) -> Fact:
    return _maker(kind)(r)


# Checklist items are checked on program progress rows (the ledger, DESIGN §2): +1 checks
# an item, -1 (an officer's uncheck) takes the latest check back. Only counted credits
# (a member's self-report waits for an officer) of checklist requirements, and not those a
# sign-off gave (source 'checklist_signoff': the sign-off counts once, as itself).
_CHECKLIST_SQL = (
    "SELECT e.member_id, c.id, c.entered_at, c.item, c.amount, pr.requirement_id, c.entered_on, "
    "c.verified_on "
    "FROM progress_credit c JOIN requirement_progress rp ON rp.id = c.progress_id "
    "JOIN enrollment e ON e.id = rp.enrollment_id "
    "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "JOIN requirement r ON r.id = pr.requirement_id "
    "WHERE r.requirement_type = 'checklist' AND c.item IS NOT NULL AND c.state = 'counted' "
    # a sign-off's program credit is the sign-off itself, read as such (`signoff_facts`)
    "AND c.source_type <> 'checklist_signoff'"
)


def checklist_facts(
    rows: Iterable[Sequence[Any]], upto: date | None, zone: tzinfo
) -> dict[int, list[Fact]]:
    """The items checked as of `upto` (None: now), by member: per member, requirement and
    item (ignoring case), by effective date then in the order entered, a check adds a
    checked day and an uncheck takes the latest back; what is left are facts dated the
    check's effective date (progress_credit.entered_on: the department's day it was entered,
    or the --as-of date it was entered under; a row without one, the day of entered_at in
    `zone`). A check dated after `upto` is not read at all (nor is an uncheck), nor is a
    member's self-reported check an officer verified after `upto` (it counted from the
    verification on, dated the day it was checked)."""
    by_item: dict[tuple[int, int, str], list[tuple[date, Any, int, str, float]]] = {}
    for mid, cid, at, item, amount, rid, on, verified in rows:
        stamp = as_utc(at)
        assert stamp is not None
        day = as_date(on) or stamp.astimezone(zone).date()
        if upto is not None and (day > upto or (verified is not None and as_date(verified) > upto)):  # type: ignore[operator]
            continue
        by_item.setdefault((mid, rid, str(item).strip().casefold()), []).append(
            (day, stamp, cid, item, float(amount or 0))
        )
    out: dict[int, list[Fact]] = {}
    for (mid, rid, _), entries in by_item.items():
        entries.sort(key=lambda e: (e[0], e[1], e[2]))
        checked: list[tuple[date, int, str]] = []
        for day, _stamp, cid, item, amount in entries:
            if amount > 0:
                checked.append((day, cid, item))
            elif amount < 0 and checked:
                checked.pop()
        for day, cid, item in checked:
            values = {
                "kind": dcm.CHECKLIST, "id": cid, "date": day,
                "skill": item, "name": item, "requirement_id": rid,
            }  # fmt: skip
            out.setdefault(mid, []).append(Fact.of(values))
    return out


# Checklist items signed off for a member outside any program (`checklist check`, table
# checklist_signoff): each counts from its day until the day it was unchecked.
_SIGNOFF_SQL = (
    "SELECT s.member_id, s.id, s.item, s.requirement_id, s.checked_on, s.unchecked_on "
    "FROM checklist_signoff s WHERE 1 = 1"
)


def signoff_facts(rows: Iterable[Sequence[Any]], upto: date | None) -> dict[int, list[Fact]]:
    """The member sign-offs standing on `upto` (None: now), by member: facts dated the day
    signed off (`checklist check --as-of`, else the department's day), as a check on an
    enrollment is dated (`checklist_facts`); one signed off after `upto` is not read, one
    unchecked on or before `upto` no longer counts. Their ids are "signoff:ID" (a check on
    an enrollment is a ledger entry's id: the two never collide)."""
    out: dict[int, list[Fact]] = {}
    for mid, sid, item, rid, on, off in rows:
        day = as_date(on)
        assert day is not None
        if not qcl.stands(day, as_date(off), upto):
            continue
        values = {
            "kind": dcm.CHECKLIST, "id": f"signoff:{sid}", "date": day,
            "skill": item, "name": item, "requirement_id": rid,
        }  # fmt: skip
        out.setdefault(mid, []).append(Fact.of(values))
    return out


def load_kinds(
    rd: Reader,
    member_ids: Sequence[int] | None,
    span: Span,
    *,
    as_of: date | None = None,
    zone: tzinfo = UTC,
    names: bool = True,
) -> dict[int, dict[str, list[Fact]]]:
    """Every fact of the members (None: of everyone) in the span, by member and kind: one
    query per kind of fact (per chunk of member ids). Checked checklist items are folded as
    of `as_of` (else the span's last day), in the department's timezone `zone`: those
    checked on enrollments and those signed off for the member (`signoff_facts`)."""
    out: dict[int, dict[str, list[Fact]]] = {}
    for kind in _KINDS:
        if kind not in span.first:
            continue
        if kind == dcm.CHECKLIST:
            groups: Iterable[Sequence[int] | None] = (
                [None] if member_ids is None else _chunks(member_ids)
            )
            upto = as_of or span.last
            for ids in groups:
                sql, signed, where = _CHECKLIST_SQL, _SIGNOFF_SQL, dict[str, Any]()
                if ids is not None:
                    ins, where = in_list("m", list(ids))
                    sql += f" AND e.member_id IN {ins}"
                    signed += f" AND s.member_id IN {ins}"
                # both sources of checked items: checks on enrollments (the ledger) and
                # the member's own sign-offs
                for source in (
                    checklist_facts(rd.rows(sql, where), upto, zone),
                    signoff_facts(rd.rows(signed, where), upto),
                ):
                    for mid, facts in source.items():
                        out.setdefault(mid, {}).setdefault(kind, []).extend(facts)
            continue
        groups = [None] if member_ids is None else _chunks(member_ids)
        make = _maker(kind, names)
        mine: dict[int, list[Fact]] = {}  # this kind's, by member
        for ids in groups:
            params: dict[str, Any] = {}
            sql = _facts_sql(kind, span, params, names, rd.dialect, by_member=ids is not None)
            if ids is not None:
                ins, more = in_list("m", list(ids))
                sql += f" AND {_ALIAS[kind]}.member_id IN {ins}"
                params.update(more)
            for r in rd.rows(sql, params):
                found = mine.get(r[0])
                if found is None:
                    found = mine[r[0]] = []
                found.append(make(r))
        for mid, facts in mine.items():
            out.setdefault(mid, {})[kind] = facts
    return out


def spec_of(req: qr.RequirementRow, *, local_content: bool = True) -> RequirementSpec:
    """The requirement as the evaluator sees it; `local_content`: the department's NREMT
    setting (queries/settings.py `nremt_local_content`)."""
    return RequirementSpec.of(req, local_content=local_content)


def entered_days(rd: Reader, rows: Sequence[qr.RequirementRow]) -> dict[int, date]:
    """Each requirement's entry day: the day it was entered under (requirement.entered_on:
    the --as-of day of the `requirement add`, import or program apply that wrote it, else
    the department's day), its history's first day. A requirement written before
    migration 0018 has none stored: the department's day of its created_at, the one day
    known (what compliance judged by before the column came)."""
    ids = sorted({r.id for r in rows})
    stored: dict[int, date | None] = {}
    for part in _chunks(ids):
        ins, params = in_list("r", list(part))
        stored.update(
            (rid, as_date(on))
            for rid, on in rd.all(f"SELECT id, entered_on FROM requirement WHERE id IN {ins}", params)
        )  # fmt: skip
    zone = qs.department_zone(rd)
    return {r.id: stored.get(r.id) or r.created_at.astimezone(zone).date() for r in rows}


def specs_on(
    rd: Reader, rows: Sequence[qr.RequirementRow], day: date, *, local_content: bool,
    retired: bool = False,
) -> tuple[list[qr.RequirementRow], list[RequirementSpec]]:
    """The requirements as they stood on `day` (queries/requirements.history: an earlier
    version where one was still in force), as rows and as the evaluator sees them. Those
    retired on `day` (queries/requirements.retirement, of the version in force then) judge
    nobody and are left out, here and only here: every report, reminder and worksheet
    reads the catalog through this function. `retired=True` keeps them (the row says so),
    for a caller that says why it judges none (`explain`)."""
    earlier = qr.history(rd, [r.id for r in rows])
    days = entered_days(rd, rows)
    out_rows, specs = [], []
    for row in rows:
        entered = days[row.id]
        versions = qr.versions_in_force(row, earlier.get(row.id, []))
        if not versions:
            if retired or qr.retirement(row, day) is None:
                out_rows.append(row)
                specs.append(RequirementSpec.of(row, local_content=local_content, entered=entered))
            continue
        chain = [(r, v.until) for r, v in versions] + [(row, None)]
        i = next(i for i, (_, until) in enumerate(chain) if until is None or until >= day)
        if not retired and qr.retirement(chain[i][0], day) is not None:
            continue
        every = tuple(RequirementSpec.of(r, local_content=local_content, stood_until=until,
                                         entered=entered)
                      for r, until in chain)  # fmt: skip
        out_rows.append(chain[i][0])
        specs.append(replace(every[i], versions=every))
    return out_rows, specs


# -------------------------------------------------------- program rows, judged the same way
Source = tuple[str, int]  # (fact kind, id): a training record, a shift attendance, a call response


@dataclass(frozen=True)
class Excluded:
    """A credited fact the evaluator does not count in the member's window: why (its
    words), and for a repeat the fact that counted for its course."""

    reason: str
    instead: Source | None = None


def window_exclusions(
    rd: Reader,
    rows: Mapping[int, tuple[int, int]],
    sources: Mapping[int, Collection[Source]],
    *,
    today: date | None = None,
    without: Collection[Source] = (),
) -> dict[int, dict[Source, Excluded]]:
    """Program progress as compliance judges a member's own window, for the requirements
    whose window is the member's (queries.enrollments.judged_in_window: an NREMT NCCP
    level, whose one course counts once per cycle; a one-time requirement within N months
    of a member's date): progress id -> {(kind, id): Excluded} for the facts credited to
    the row (`sources`: training records, shift attendance, call responses, net of
    voids) that the one evaluator rejects: a repeat of a course counted earlier in its
    cycle (a record before the enrollment included), or, in a one-time window, a fact
    outside it. `rows`: progress id -> (member id, requirement id).

    The evaluator is asked as compliance asks it, as of `today` (default the
    department's; never before the latest credited fact, nor before the member's date
    a one-time window opens on), with every fact of the member (cards place NREMT
    cycles), then once per earlier window the credited facts fall in. `without`: facts
    to judge as if they were not on file (what the row was before they came)."""
    wanted = {pid: set(ids) for pid, ids in sources.items() if ids and pid in rows}
    if not wanted:
        return {}
    local = qs.nremt_local_content(rd)
    specs = {
        rid: replace(spec_of(qr.get_requirement(rd, str(rid)), local_content=local),
                     required_positions=())  # the program decided it applies
        for rid in {rows[pid][1] for pid in wanted}
    }  # fmt: skip
    member_ids = sorted({rows[pid][0] for pid in wanted})
    members: dict[int, MemberFacts] = {}
    for part in _chunks(member_ids):
        ins, params = in_list("m", list(part))
        for r in rd.all(f"{_MEMBER_SQL} WHERE id IN {ins}", params):
            members[r[0]] = replace(_member(r), status="active")
    kinds = {dcm.CERTIFICATION} | {k for spec in specs.values() for k in spec.kinds}
    facts = load_kinds(rd, member_ids, Span(None, dict.fromkeys(kinds)))
    day = today or qs.today(rd)
    out: dict[int, dict[Source, Excluded]] = {}
    for pid, ids in wanted.items():
        mid, rid = rows[pid]
        if mid not in members:
            continue
        spec = specs[rid]
        mine = facts.get(mid, {})
        if without:
            mine = {k: [f for f in v if (k, f.id) not in without] for k, v in mine.items()}
        member = members[mid].with_kinds(mine, unique=True)
        days = [f.date for f in member.facts if (f.kind, f.id) in ids and f.date]
        if not days:
            continue
        one_time = spec.period.frequency == "one_time"
        opens = member.hire_date if spec.period_anchor == "hire_date" else member.certification_date
        as_of = max(days + [day] + ([opens] if one_time and opens else []))
        left, found = set(ids), {}
        while left:
            e = dcm.evaluate(member, spec, as_of, detail=True)
            for v in e.verdicts:
                key = (v.fact.kind, v.fact.id)
                if key not in left or (v.code == dcm.OUTSIDE_WINDOW and not one_time):
                    continue  # (an earlier window's fact: judged in its own)
                left.discard(key)
                # a repeat, or a completion that credited nothing and gave way to the
                # course's re-take (`other`): one course counts once per cycle in both
                if v.code in (dcm.REPEAT_IN_CYCLE, dcm.OUTSIDE_WINDOW) or (
                    not v.counted and v.other is not None
                ):
                    other = v.other
                    instead = (other.kind, other.id) if other and isinstance(other.id, int) else None
                    found[key] = Excluded(v.reason, instead)
            start = e.window.start if e.window is not None else None
            if one_time or start is None or not any(d < start for d in days):
                break
            # the window before this one; a window that starts after the as-of day (a
            # member's first, from a later certification date) has none to step back to:
            # the same day again would loop for ever
            earlier = start - timedelta(days=1)
            if earlier >= as_of:
                break
            as_of = earlier
        if found:
            out[pid] = found
    return out


# ----------------------------------------------------------------------------- the matrix
@dataclass(frozen=True)
class Matrix:
    as_of: date
    members: list[MemberFacts]
    requirements: list[RequirementSpec]
    rows: list[qr.RequirementRow]
    cells: list[Evaluation]  # member by member, requirement by requirement
    # the one member a matrix of one row is about (named with --member, or a member's own
    # row), as they stood on the day, even when a position filter left them out
    named: MemberFacts | None = None
    # of the requirements named, those left out as retired on the day: (name, words)
    retired: tuple[tuple[str, str], ...] = ()


def _members(
    rd: Reader, actor: Actor, member: str | None, position: str | None, as_of: date,
    year_from: date | None = None,
) -> tuple[list[MemberFacts], MemberFacts | None]:
    """The matrix's members, and the one member it is limited to (--member, or a member's
    own row) before the position filter, or None."""
    if member is not None:
        row = qm.get_member(rd, member)
        actor.require_self_or(
            row.id, VIEW_ALL, "see other members' compliance", "see their own",
            "Leave out --member (a member sees their own row), or ask a training officer.",
        )  # fmt: skip
        found = rd.one(f"{_MEMBER_SQL} WHERE id = :id", {"id": row.id})
        assert found is not None
        members = [_member(found)]
    elif not actor.can(VIEW_ALL):
        assert actor.member_id is not None
        found = rd.one(f"{_MEMBER_SQL} WHERE id = :id", {"id": actor.member_id})
        members = [_member(found)] if found else []
    else:
        members = [_member(r) for r in rd.all(f"{_MEMBER_SQL} ORDER BY {by_text(rd.dialect, 'name')}, id")]
    members = _as_of(rd, members, as_of, roster=member is None)
    if year_from is not None:  # a year's report: who served in it (`_in_year`)
        members = [y for m in members if (y := _in_year(m, year_from, as_of)) is not None]
    elif member is None and actor.can(VIEW_ALL):
        members = [m for m in members if m.status == "active"]  # active on the as-of date
    one = members[0] if len(members) == 1 and (member is not None or not actor.can(VIEW_ALL)) else None
    if position is not None:
        code = position.strip().lower()
        qr.check_positions(rd, [code])
        members = [m for m in members if code in m.positions]
    return members, one


def _in_year(m: MemberFacts, first: date, last: date) -> MemberFacts | None:
    """The member as a year's report (`report iso`) takes them: active on some day from
    `first` to `last`, holding every position they held active in it (a firefighter who
    retired on 1 October, a driver made officer in September, a recruit whose year ended
    in February), or None. Their history stays: the evaluator owes them the months on
    whose first day they were subject to an item (domain.compliance.owed_months), so the
    retired firefighter owes January to September, and nothing of what came after. A
    member hired after `last` served no day of it (entered ahead of the hire date, they
    are on the roster of that day, but owe the year nothing): None."""
    if dcm.hired_after(m, last) is not None:
        return None
    stints = m.history
    if not stints:
        return m if m.status.casefold() == "active" else None
    active, held = False, frozenset[str]()
    for i, s in enumerate(stints):
        ends = stints[i + 1].since if i + 1 < len(stints) else None  # the next one's first day
        # before the first entry the member is as first known (`_subject_on`): a roster
        # entered in January with last year's sheets imported served last year
        if (i > 0 and s.since > last) or (ends is not None and ends <= first):
            continue
        if s.status.casefold() == "active":
            active, held = True, held | s.positions
    return replace(m, status="active", positions=tuple(sorted(held))) if active else None


def requirement_rows(rd: Reader, refs: Sequence[str]) -> list[qr.RequirementRow]:
    """The named requirements (each by the one resolver), else the whole catalog."""
    if refs:
        seen: dict[int, qr.RequirementRow] = {}
        for ref in refs:
            row = qr.get_requirement(rd, ref)
            seen.setdefault(row.id, row)
        return list(seen.values())
    rows = qr.list_requirements(rd)
    if not rows:
        raise NotFoundError("No requirements yet: nothing to be compliant with.", qr.EMPTY_HINT)
    return rows


def matrix(
    rd: Reader,
    actor: Actor,
    *,
    as_of: date,
    member: str | None = None,
    position: str | None = None,
    requirements: Sequence[str] = (),
    due_soon_days: int = 30,
    rows: Sequence[qr.RequirementRow] | None = None,
    with_year: bool = False,
    year_from: date | None = None,
    each_part: Callable[[list[Evaluation]], None] | None = None,
) -> Matrix:
    """The member x requirement matrix as of a date (see the module docstring). Members:
    the active members (or the one named, or those holding `position`); a member without
    training.view_all sees only their own row; with `year_from` (a year's report) those
    who served from that day to `as_of` (`_in_year`). Requirements: those named, or the
    catalog (`rows` when the caller already has them). `each_part`: given each part's
    cells, in order, while its members' facts are held (`report iso` judges its cells
    again from them, a part at a time); the facts are let go after it, as in any part."""
    with no_cycle_collection():
        return _matrix(
            rd, actor, as_of=as_of, member=member, position=position,
            requirements=requirements, due_soon_days=due_soon_days, rows=rows,
            with_year=with_year, year_from=year_from, each_part=each_part,
        )  # fmt: skip


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector off for a while. Tens of thousands of facts and
    evaluations and no reference cycles: the collector would only walk them over and over
    (a fifth of the matrix's time on bench/compliance.py, and as much again while the
    report renders them: `report compliance` keeps it off until it has printed)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _matrix(
    rd: Reader,
    actor: Actor,
    *,
    as_of: date,
    member: str | None,
    position: str | None,
    requirements: Sequence[str],
    due_soon_days: int,
    rows: Sequence[qr.RequirementRow] | None,
    with_year: bool,
    year_from: date | None,
    each_part: Callable[[list[Evaluation]], None] | None,
) -> Matrix:
    members, named = _members(rd, actor, member, position, as_of, year_from)
    req_rows = list(rows) if rows is not None else requirement_rows(rd, requirements)
    named_rows = req_rows
    req_rows, specs = specs_on(rd, req_rows, as_of, local_content=qs.nremt_local_content(rd))
    if requirements and not specs:  # every one named was retired by then
        refuse_all_retired(rd, named_rows, as_of)
    retired: tuple[tuple[str, str], ...] = ()
    if requirements and len(req_rows) < len(named_rows):  # some named were: say which
        kept = {r.id for r in req_rows}
        stood = specs_on(rd, [r for r in named_rows if r.id not in kept], as_of,
                         local_content=True, retired=True)[0]  # fmt: skip
        retired = tuple((r.name, qr.retired_text(*found)) for r in stood
                        if (found := qr.retirement(r, as_of)))  # fmt: skip
    span = span_for(specs, as_of)
    everyone = member is None and position is None and actor.can(VIEW_ALL)
    zone = qs.department_zone(rd)
    # A year's report (`report iso`) judges its cells again from the members' facts
    # (domain.compliance.from_its_start): without `each_part` to do so a part at a time,
    # it keeps them, read at once. Otherwise the members are read and judged a part at
    # a time, and each part's facts let go once judged (and given to `each_part`): the
    # cells keep the members as read, without facts (what a cell shows of its member:
    # id, name, dates, history), and the memory stays that of one part. (`report iso`
    # read at once: bench/iso.py --members 5000, 13.1 s CPU and 426 MB peak; a part at a
    # time, with the officers' cards read by their codes (`holding_cards`): 8.9 s, 149 MB.)
    keep = year_from is not None and each_part is None
    parts = [members] if keep or len(members) <= MEMBERS_AT_ONCE else [
        members[i : i + MEMBERS_AT_ONCE] for i in range(0, len(members), MEMBERS_AT_ONCE)
    ]  # fmt: skip
    shown: list[MemberFacts] = []
    cells: list[Evaluation] = []
    for part in parts:
        applicable = [m for m in part if any(dcm.applies(m, s) is None for s in specs)]
        # everyone at once: every fact in one pass over each table, no IN list
        ids = None if everyone and len(parts) == 1 else [m.id for m in applicable if m.id is not None]
        # by kind as read: no pass over every fact to group them (MemberFacts.with_kinds)
        facts = load_kinds(rd, ids, span, as_of=as_of, zone=zone, names=False) if applicable else {}
        full = [m.with_kinds(facts.get(m.id or 0, {}), unique=True) for m in part]
        del facts
        judged = fanout.split_map(
            lambda some: dcm.evaluate_all(
                some, specs, as_of, due_soon_days=due_soon_days, detail=False, with_year=with_year
            ),
            full, shared=(full, specs), weight=len(specs),
        )  # fmt: skip
        if keep:
            shown.extend(full)
        else:
            if each_part is not None:
                each_part(judged)
            _let_go(judged, full, part)
            shown.extend(part)
            del full  # before the next part is read
        cells.extend(judged)
    return Matrix(as_of, shown, specs, req_rows, cells, named, retired)


def _let_go(cells: list[Evaluation], full: list[MemberFacts], part: list[MemberFacts]) -> None:
    """The cells of `full` (members with their facts) made the cells of `part` (the same
    members as read, without facts), so that the facts are freed: each cell holds only
    what it shows. In place: a cell is an output nothing else holds yet (a new Evaluation
    a cell took 0.54 s for 100,000 cells, a sixth of judging them; in place 0.015 s)."""
    bare = {id(f): m for f, m in zip(full, part, strict=True)}
    for e in cells:
        m = bare.get(id(e.member))
        if m is not None:
            object.__setattr__(e, "member", m)


# ---------------------------------------------------------------------------- one cell
def member_facts(
    rd: Reader, member_id: int, *, upto: date | None = None, as_of: date | None = None
) -> MemberFacts:
    """One member with every fact on file (void ones aside), all history; checklist items
    as checked on `as_of` (an uncheck after it does not reach back)."""
    row = rd.one(f"{_MEMBER_SQL} WHERE id = :id", {"id": member_id})
    if row is None:
        raise NotFoundError(f"No member {member_id}.", qm.LOOKUP_HINT)
    span = Span(upto, dict.fromkeys(_KINDS))
    zone = qs.department_zone(rd)
    facts = load_kinds(rd, [member_id], span, as_of=as_of or upto, zone=zone).get(member_id, {})
    return _as_of(rd, [_member(row)], as_of or upto)[0].with_kinds(facts)


def refuse_all_retired(
    rd: Reader, rows: Sequence[qr.RequirementRow], day: date, what: str = "the requirements named"
) -> None:
    """The requirements named (or a report's, `report iso`'s items) were all retired by
    `day`: say when and why (a report of nothing would look like a catalog that lost them)."""
    stood = specs_on(rd, rows, day, local_content=True, retired=True)[0]
    said = [(r.name, qr.retired_text(*found)) for r in stood if (found := qr.retirement(r, day))]
    raise NotFoundError(
        f"Nobody is judged by {said[0][0]} on {day}: it was {said[0][1]}."
        if len(said) == 1
        else f"Nobody is judged by {what} on {day}: "
        + "; ".join(f"{name} was {words}" for name, words in said) + ".",
        "Give an --as-of day before "
        + ("it was retired to see it as it stood" if len(said) == 1 else "they were retired to see them as they stood")
        + ", or `trainctl requirement unretire REQUIREMENT` to bring one back.",
    )


@dataclass(frozen=True)
class Retired:
    """`requirement explain` of a requirement retired on the day: it judges nobody."""

    member: str  # the member's name
    requirement: qr.RequirementRow
    as_of: date
    retired_on: date
    reason: str | None

    def lines(self) -> list[str]:
        return [
            f"{self.member} — {self.requirement.name}, as of {self.as_of}: "
            f"{qr.retired_text(self.retired_on, self.reason)}; nobody is judged by it from that day.",
            f"An --as-of day before {self.retired_on} explains it as it stood.",
        ]


def explain(
    rd: Reader,
    actor: Actor,
    member_ref: str,
    requirement_ref: str,
    *,
    as_of: date,
    due_soon_days: int = 30,
) -> Evaluation | Retired:
    """`requirement explain`: one member, one requirement, every fact considered (facts
    after the as-of date are listed as such), the same evaluator as the matrix; a
    requirement retired on the day is not judged (`Retired` says when and why)."""
    row = qm.get_member(rd, member_ref)
    actor.require_self_or(
        row.id, VIEW_ALL, "see other members' compliance", "explain their own requirements",
        "Name yourself as the member, or ask a training officer.",
    )  # fmt: skip
    req = qr.get_requirement(rd, requirement_ref)
    stood, found = specs_on(rd, [req], as_of, local_content=qs.nremt_local_content(rd), retired=True)
    retired = qr.retirement(stood[0], as_of)
    if retired is not None:
        return Retired(row.name, stood[0], as_of, *retired)
    member = member_facts(rd, row.id, as_of=as_of)
    return dcm.evaluate(member, found[0], as_of, due_soon_days=due_soon_days, detail=True)


# ------------------------------------------------------------------------------- NREMT
NREMT_ORDER = tuple(code for code, _ in reversed(pd.NREMT_LEVELS))  # the highest first
_LEVEL_HINT = (
    "NCCP levels apply to active members holding emr, emt, aemt or paramedic "
    "(`trainctl member edit MEMBER --add-position CODE`, CODE the level's position)."
)


def nremt_worksheet(
    rd: Reader, actor: Actor, member_ref: str, *, as_of: date, level: str | None = None
) -> Evaluation:
    """The member's NCCP requirement for the current cycle, evaluated with every fact: the
    level named (a registry code or name), else the highest NREMT level that applies to the
    member (Paramedic, AEMT, EMT, EMR): the registry's, else the department's copy of it
    (`requirement add --from`; two copies that both apply are named, to choose with
    --level)."""
    row = qm.get_member(rd, member_ref)
    actor.require_self_or(
        row.id, VIEW_ALL, "see other members' NREMT worksheets", "see their own",
        "Name yourself as the member, or ask a training officer.",
    )  # fmt: skip
    member = member_facts(rd, row.id, as_of=as_of)
    local = qs.nremt_local_content(rd)
    if member.status.casefold() != "active":  # no level applies: say why, not "add a position"
        since = dcm.status_since(member, as_of)
        raise NotFoundError(
            f"No NREMT level applies to {row.name} on {as_of}: the member is "
            f"{member.status or 'not active'}" + (f" (since {since})." if since else "."),
            "A worksheet is of an active member: give an --as-of day they were active, "
            f"or reactivate them (`trainctl member edit {row.id} --status active`).",
        )
    if level is not None:
        req = qr.get_requirement(rd, level)
        stood, found_specs = specs_on(rd, [req], as_of, local_content=local, retired=True)
        if qr.retirement(stood[0], as_of) is not None:
            refuse_all_retired(rd, [req], as_of)
        spec = found_specs[0]
        if not spec.once_per_cycle:  # an NCCP level (or a department copy of one)
            raise NotFoundError(
                f"{spec.label} is not an NREMT NCCP level.",
                "Name one of NREMT-EMR, NREMT-EMT, NREMT-AEMT, NREMT-NRP.",
            )
        why_not = dcm.applies(member, spec)
        if why_not is not None:  # no worksheet of a cycle the member is not in
            raise NotFoundError(
                f"{spec.label} does not apply to {row.name} on {as_of}: {why_not}.",
                "Leave out --level for the worksheet of the highest level."
                if dcm.outranked(spec, member.position_keys)
                else _LEVEL_HINT,
            )
    else:
        found = qr.by_keys(rd, "registry_code", NREMT_ORDER, where="lower(r.registry_name) = 'nremt'")
        copies = qr.by_keys(rd, "cycle_credential", NREMT_ORDER, where="r.registry_code IS NULL")
        levels: dict[str, list[dcm.RequirementSpec]] = {}
        retired: list[qr.RequirementRow] = []  # the levels that would apply, but are retired
        for then, spec in zip(*specs_on(rd, [*found, *copies], as_of, local_content=local,
                                         retired=True), strict=True):  # fmt: skip
            if not (spec.once_per_cycle and spec.cycle_credential):
                continue
            if qr.retirement(then, as_of) is not None:
                retired += [then] if dcm.applies(member, spec) is None else []
                continue
            # per level, the registry's first
            levels.setdefault(spec.cycle_credential.upper(), []).append(spec)
        if not levels and not retired:
            raise NotFoundError(
                "The NREMT registry is not in the catalog.", "Import it: trainctl import nremt"
            )
        fitting = []
        for code in NREMT_ORDER:
            fitting = [s for s in levels.get(code, []) if dcm.applies(member, s) is None]
            if fitting:
                break
        if not fitting and retired:  # the department retired the member's level(s)
            refuse_all_retired(rd, retired, as_of)
        if not fitting:
            raise NotFoundError(
                f"No NREMT level applies to {row.name} "
                f"(positions: {', '.join(member.positions) or 'none'}).",
                _LEVEL_HINT,
            )
        if fitting[0].registry_code is None and len(fitting) > 1:
            raise UsageError(
                f"{len(fitting)} department copies of {fitting[0].cycle_credential} apply to "
                f"{row.name}: {', '.join(repr(s.name) for s in fitting)}.",
                "Name one with --level.",
            )
        spec = fitting[0]
    return dcm.evaluate(member, spec, as_of, detail=True)


# --------------------------------------------------------------------------------- ISO
def iso_rows(rd: Reader) -> list[qr.RequirementRow]:
    rows = qr.list_requirements(rd, registry="ISO")
    if not rows:
        raise NotFoundError(
            "The ISO registry is not in the catalog.", "Import it: trainctl import iso"
        )
    return rows


# ISO's officers: "certified, plus 12 h a year of continuing education". Certified: a valid
# card (or class record) of NFPA 1021 Fire Officer or of the Pro Board Fire Officer I or II
# courses it lists (registries/nfpa.json), the catalog's NFPA 1021 as it stood when imported.
ISO_OFFICER_ITEM = "ISO-OFFICER-CE"
OFFICER_CERTIFICATION = RequirementSpec(
    name="Fire Officer certification", requirement_type="certification",
    credential_code="NFPA 1021", required_courses=("PB-FO1", "PB-FO2"),
    registry_name="NFPA", registry_code="NFPA 1021",
)  # fmt: skip


def officer_certification(
    rd: Reader, day: date
) -> tuple[RequirementSpec, dict[int, dict[str, list[Fact]]]]:
    """What certifies an officer for ISO's officer item (the catalog's NFPA 1021 as it
    stood on `day`, else the shipped one's codes: `OFFICER_CERTIFICATION`), for whoever
    holds the card, whatever their positions; and the cards and class records up to `day`
    that can hold it, of every member who has one (`holding_cards`), for the one evaluator
    to judge (domain/compliance `_certification`: the card in force decides,
    domain/certs)."""
    spec = OFFICER_CERTIFICATION
    found = qr.by_keys(
        rd, "registry_code", [spec.registry_code or ""], where="lower(r.registry_name) = 'nfpa'"
    )
    if found:
        # (a department that retired its NFPA 1021 still has ISO's officers certified by it)
        stood = specs_on(rd, found[:1], day, local_content=True, retired=True)[1][0]
        spec = stood if stood.requirement_type == "certification" else spec
    spec = replace(spec, required_positions=(), versions=())
    return spec, holding_cards(rd, spec, day)


# A card's code and a training record's course code, and the table each is in.
_CODES = {
    dcm.CERTIFICATION: ("certification", "c.credential_code", "credential_code"),
    dcm.TRAINING: ("training_record", "t.course_code", "course_code"),
}


def holding_cards(rd: Reader, spec: RequirementSpec, day: date) -> dict[int, dict[str, list[Fact]]]:
    """The cards and class records up to `day` whose code can hold the certification
    requirement `spec`, of every member, by member and kind: the facts the one evaluator
    looks at when it judges without detail (domain/compliance `holding_keys`), and no
    other. Set-based, two queries a kind: the codes on file (a department has a few dozen),
    folded by the evaluator's rule (`holds_by_code`), then the facts of those codes as
    stored. For `report iso`'s officers this read every officer's whole training history:
    bench/iso.py --members 5000 (1,979 officers), the SQL alone 2.9-3.2 s for 198,000
    records; now 0.26 s (the codes) + 0.29 s (their 396 records), and no fact made of the
    rest."""
    keys = dcm.holding_keys(spec)
    span = span_for([spec], day)
    out: dict[int, dict[str, list[Fact]]] = {}
    for kind in (dcm.TRAINING, dcm.CERTIFICATION):  # (`load_kinds`' order)
        if kind not in span.first:
            continue
        table, column, bare = _CODES[kind]
        found = rd.all(f"SELECT DISTINCT {bare} FROM {table} WHERE {bare} IS NOT NULL")
        codes = sorted({c for (c,) in found if dcm.holds_by_code(c, keys)})
        if not codes:
            continue
        params: dict[str, Any] = {}
        ins, more = in_list("code", codes)
        sql = f"{_facts_sql(kind, span, params, False, rd.dialect)} AND {column} IN {ins}"
        make = _maker(kind, names=False)
        for r in rd.rows(sql, {**params, **more}):
            out.setdefault(r[0], {}).setdefault(kind, []).append(make(r))
    return out


def _imports(rd: Reader, registry: str) -> list[tuple[date | None, str | None]]:
    """The registry's imports, latest first: (the import's department day, else its UTC
    date; the edition of its file)."""
    import json

    rows = rd.all(
        "SELECT detail, at FROM audit_log WHERE action = 'import.registry' AND entity = 'requirement' "
        "ORDER BY id DESC"
    )
    out: list[tuple[date | None, str | None]] = []
    for detail, at in rows:
        data = as_json(detail) if not isinstance(detail, dict) else detail
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict) or str(data.get("registry", "")).casefold() != registry.casefold():
            continue
        edition = data.get("edition")
        day = as_date(data["day"]) if data.get("day") else (as_utc(at) or datetime.now(UTC)).date()
        out.append((day, str(edition) if edition else None))
    return out


def registry_edition(rd: Reader, registry: str, as_of: date | None = None) -> str | None:
    """The edition of the registry file last imported (the import's audit entry); with
    `as_of`, the last imported on or before that department day (the import's `day`, else
    its UTC date), else the first: a report of a past year names the edition its figures
    come from (queries/requirements.history keeps the figures an update replaced)."""
    found: str | None = None
    for day, edition in _imports(rd, registry):
        found = edition
        if as_of is None or (day is not None and day <= as_of):
            return found
    return found  # every import is later than as_of: the first one's


def registry_editions(rd: Reader, registry: str, first: date, last: date) -> list[tuple[date | None, str | None]]:
    """The editions of the registry in force from `first` to `last`, in order, each with
    the day it came into force (None: the one in force on `first`, `registry_edition`):
    a year's report whose figures changed with an import in the year names both."""
    out: list[tuple[date | None, str | None]] = [(None, registry_edition(rd, registry, first))]
    for day, edition in reversed(_imports(rd, registry)):
        if day is not None and first < day <= last and edition != out[-1][1]:
            out.append((day, edition))
    return out


def require_view_all(actor: Actor, doing: str) -> None:
    if not actor.can(VIEW_ALL):
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role}) may not {doing}: it needs {VIEW_ALL}.",
            "A member may see their own with `trainctl report compliance` or "
            "`trainctl requirement explain <you> REQUIREMENT`.",
        )
