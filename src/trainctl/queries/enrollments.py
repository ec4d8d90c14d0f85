"""Enrollments on the read side: the one enrollment resolver, the listings (`enroll list`,
`me`, `user`) and what `enroll show` prints (summary, progress lines, milestones).

Figures shown (percentages, deadlines, overdue flags, milestone states) come from
domain/progress.py; this module only reads the rows they are computed from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, NamedTuple

from trainctl.domain import periods as pd
from trainctl.domain import progress as dp
from trainctl.domain.lookup import as_id
from trainctl.errors import NotFoundError, UsageError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import (
    Reader,
    as_bool,
    as_date,
    as_json,
    as_utc,
    by_text,
    chunks,
    in_list,
    required,
)
from trainctl.queries.members import get_member, signed_by
from trainctl.queries.settings import nremt_local_content

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "enrollment": (
        "id", "member_id", "program_id", "program_version", "enrolled_on", "enrolled_by",
        "target_completion_date", "current_phase_id", "phase_started_on", "progress_percentage",
        "status", "status_reason", "completed_at", "completed_on", "last_activity_on",
    ),
    "member": ("id", "name"),
    "program": ("id", "name"),
    "program_phase": ("id", "phase_number", "name", "time_limit_days"),
    "program_requirement": (
        "id", "requirement_id", "phase_id", "sort_order", "is_required", "is_prerequisite",
    ),
    "requirement": ("id", "name", "frequency", *dp.TARGET_FIELDS),
    "requirement_progress": (
        "id", "enrollment_id", "program_requirement_id", "status", "status_override",
        "progress_value", "progress_percentage", "due_on", "verified_by", "verified_at",
        "verified_on",
    ),
    "progress_credit": ("id", "progress_id", "state", "amount", "category", "item"),
    "program_milestone": (
        "id", "program_id", "phase_id", "name", "completion_percentage_threshold",
        "requires_verification",
    ),
    "milestone_event": (
        "id", "enrollment_id", "milestone_id", "reached_at", "reached_on", "verified_by",
        "verified_at", "verified_on",
    ),
    "audit_log": ("id", "at", "action", "entity", "entity_id", "detail"),
}  # fmt: skip

NOT_FOUND_HINT = "Enrollments are named by id; `trainctl enroll list` shows them."
OWN_HINT = "`trainctl enroll me` lists your enrollments."
SEE_OTHERS, SEE_OWN = "see other members' enrollments", "see their own enrollments"


def record(obj: Any) -> dict[str, Any]:
    """A row dataclass as a dict, keys in field order (shallow: no deep copy per row)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


# ---------------------------------------------------------------------------- the resolver
@dataclass(frozen=True, slots=True)
class EnrollmentRef:
    """An enrollment as resolvers and permission checks need it."""

    id: int
    member_id: int
    program_id: int
    status: str


def find_enrollment(rd: Reader, ref: str | int) -> EnrollmentRef | None:
    number = as_id(ref)
    if number is None:
        return None
    row = rd.one(
        "SELECT id, member_id, program_id, status FROM enrollment WHERE id = :id", {"id": number}
    )
    return EnrollmentRef(*row) if row else None


def get_enrollment(rd: Reader, ref: str | int) -> EnrollmentRef:
    """The one enrollment resolver: by id (anything else, or beyond 64 bits, is not found)."""
    found = find_enrollment(rd, ref)
    if found is None:
        raise NotFoundError(f"No enrollment {str(ref).strip()!r}.", NOT_FOUND_HINT)
    return found


def visible_enrollment(rd: Reader, actor: Actor, ref: str | int) -> EnrollmentRef:
    """An enrollment the actor may see: their own, or anyone's with training.view_all."""
    found = get_enrollment(rd, ref)
    actor.require_self_or(found.member_id, VIEW_ALL, SEE_OTHERS, SEE_OWN, OWN_HINT)
    return found


# ------------------------------------------------------------------ status change days
STATUS_ACTIONS = ("hold", "resume", "withdraw", "fail")


class StatusChange(NamedTuple):
    action: str  # hold | resume | withdraw | fail
    on: date  # the day it was dated


def last_status_change(
    rd: Reader, enrollment_ids: Sequence[int], actions: Sequence[str] = STATUS_ACTIONS
) -> dict[int, StatusChange]:
    """{enrollment id: its latest hold, resume, withdrawal or failure (of `actions`)}, and
    the day it was dated. No column keeps the day an enrollment was put on hold, withdrawn
    or failed (resumed_on only the resume's): it is read from the audit row
    services/enrollment/lifecycle.change_status writes, whose `on` is the department's day
    or --as-of; a row written before `on` was kept gives the day it was written, in the
    department's timezone. The one place that reads it: the order of status changes
    (lifecycle), the day a bulk run names for a withdrawal (enrollment.ended_in_line)."""
    from trainctl.queries.settings import department_zone

    found: dict[int, StatusChange] = {}
    if not enrollment_ids:
        return found
    acts, act_params = in_list("a", [f"enrollment.{a}" for a in actions])
    zone = None
    for part in chunks(sorted(set(enrollment_ids))):
        ids, params = in_list("e", part)
        for eid, at, action, detail in rd.all(
            f"SELECT entity_id, at, action, detail FROM audit_log WHERE entity = 'enrollment' "
            f"AND entity_id IN {ids} AND action IN {acts} ORDER BY id",
            {**params, **act_params},
        ):
            on = (as_json(detail) or {}).get("on")
            if on:
                day = date.fromisoformat(on)
            else:
                zone = zone or department_zone(rd)
                day = required(as_utc(at)).astimezone(zone).date()
            found[eid] = StatusChange(action.removeprefix("enrollment."), day)
    return found


# ---------------------------------------------------------------------------- listings
class EnrollmentRow(NamedTuple):
    """One line of `enroll list` (the JSON shape, keys in this order). A NamedTuple: a
    listing of 50,000 enrollments builds its dicts with `_asdict`, no per-row deep copy."""

    id: int
    member_id: int
    member: str
    program_id: int
    program: str
    version: int
    status: str
    progress: float
    enrolled_on: date
    target_date: date | None
    current_phase: str | None
    last_activity_on: date | None  # the latest credit's effective date (enroll show)
    completed_at: datetime | None  # when it completed (None: not completed, or reopened)
    completed_on: date | None  # the day of the work that completed it (what reads show)


_LISTING = """
SELECT e.id, e.member_id, m.name, e.program_id, p.name, e.program_version, e.status,
       e.progress_percentage, e.enrolled_on, e.target_completion_date, ph.phase_number, ph.name,
       e.last_activity_on, e.completed_at, e.completed_on
FROM enrollment e
JOIN member m ON m.id = e.member_id
JOIN program p ON p.id = e.program_id
LEFT JOIN program_phase ph ON ph.id = e.current_phase_id
WHERE {where}
ORDER BY {name}, e.enrolled_on, e.id
"""


def phase_label(number: int | None, name: str | None) -> str | None:
    return f"{number}. {name}" if number is not None else None


def _listing(rd: Reader, conds: list[str], params: dict[str, Any]) -> list[EnrollmentRow]:
    rows = rd.all(_LISTING.format(where=" AND ".join(conds) or "1 = 1", name=by_text(rd.dialect, "m.name")), params)
    return [
        EnrollmentRow(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], float(r[7]), required(as_date(r[8])),
            as_date(r[9]), phase_label(r[10], r[11]), as_date(r[12]), as_utc(r[13]),
            as_date(r[14]),
        )
        for r in rows
    ]  # fmt: skip


def list_enrollments(
    rd: Reader,
    actor: Actor,
    *,
    program: str | None = None,
    member: str | None = None,
    status: str | None = None,
    overdue_on: date | None = None,
) -> list[EnrollmentRow]:
    """All enrollments (training.view_all), or only the acting member's own. `overdue_on`:
    only the active ones overdue that day (past the target date, or a requirement not
    completed nor waived past its deadline: what `enroll show` marks OVERDUE)."""
    conds: list[str] = []
    params: dict[str, Any] = {}
    if member is not None:
        m = get_member(rd, member)
        actor.require_self_or(m.id, VIEW_ALL, SEE_OTHERS, SEE_OWN, OWN_HINT)
        conds.append("e.member_id = :member")
        params["member"] = m.id
    elif not actor.can(VIEW_ALL):
        conds.append("e.member_id = :member")
        params["member"] = actor.member_id
    if program is not None:
        # here, not at the top: `progress log/update` import this module, never programs
        from trainctl.queries.programs import program_versions

        ids, id_params = in_list("program", program_versions(rd, program))
        conds.append(f"e.program_id IN {ids}")
        params.update(id_params)
    if status is not None:
        conds.append("e.status = :status")
        params["status"] = status
    if overdue_on is not None:
        conds.append(
            "e.status = 'active' AND (e.target_completion_date < :today OR EXISTS ("
            "SELECT 1 FROM requirement_progress rp WHERE rp.enrollment_id = e.id AND rp.due_on < :today"
            f" AND rp.status NOT IN ({', '.join(repr(d) for d in dp.DONE)})))"
        )
        params["today"] = overdue_on.isoformat()
    return _listing(rd, conds, params)


def dated_after(rd: Reader, enrollment_ids: Sequence[int], day: date) -> dict[int, date]:
    """{enrollment id: the latest day on file for it} for the enrollments that hold
    something dated after `day`: begun after it, a credit taking effect after it (the
    stored last activity), a phase entered, a requirement or a milestone verified, a
    milestone reached. What `enroll show` and `enroll list` print is today's (the stored
    figures); it is the figure of `day` only when none of these is after it."""
    out: dict[int, date] = {}

    def later(eid: int, *days: Any) -> None:
        for d in map(as_date, days):
            if d is not None and d > max(day, out.get(eid, day)):
                out[eid] = d

    for part in chunks(sorted(set(enrollment_ids))):
        ids, params = in_list("e", part)
        for eid, *days in rd.all(
            f"SELECT id, enrolled_on, last_activity_on, phase_started_on FROM enrollment WHERE id IN {ids}",
            params,
        ):
            later(eid, *days)
        for eid, *days in rd.all(
            f"SELECT enrollment_id, max(verified_on) FROM requirement_progress WHERE enrollment_id IN {ids} "
            "GROUP BY enrollment_id", params,
        ):  # fmt: skip
            later(eid, *days)
        for eid, *days in rd.all(
            f"SELECT enrollment_id, max(reached_on), max(verified_on) FROM milestone_event "
            f"WHERE enrollment_id IN {ids} GROUP BY enrollment_id", params,
        ):  # fmt: skip
            later(eid, *days)
    return out


def my_enrollments(rd: Reader, actor: Actor) -> list[EnrollmentRow]:
    if actor.member_id is None:
        raise UsageError(
            "`enroll me` shows the acting member's enrollments, but no member is acting.",
            "Pass --as MEMBER (or set TRAINCTL_ACTOR), or use `trainctl enroll user MEMBER`.",
        )
    return _listing(rd, ["e.member_id = :member"], {"member": actor.member_id})


def member_enrollments(rd: Reader, actor: Actor, ref: str) -> list[EnrollmentRow]:
    m = get_member(rd, ref)
    actor.require_self_or(m.id, VIEW_ALL, SEE_OTHERS, SEE_OWN, OWN_HINT)
    return _listing(rd, ["e.member_id = :member"], {"member": m.id})


# ------------------------------------------------------------------------------ enroll show
@dataclass(frozen=True, slots=True)
class EnrollmentSummary:
    """The head of `enroll show` (and the record `enroll add` prints), keys in this order."""

    id: int
    member: str | None
    member_id: int
    program: str | None
    program_id: int
    program_version: int
    status: str
    status_reason: str | None
    progress: float
    current_phase: str | None
    phase_started_on: date | None
    phase_deadline: date | None
    phase_overdue: bool
    enrolled_on: date
    enrolled_by: str | None
    target_date: date | None
    overdue: bool
    completed_at: datetime | None  # when the completion was written (real time)
    # the day it was completed: its last required row's, from the credit that completed it
    # (an --as-of day, not the day it was typed in); None while not completed
    completed_on: date | None
    # the effective date of the latest progress credit (kept by the rollup; the inactivity
    # reminders count their quiet days from it); None before the first
    last_activity_on: date | None

    def as_dict(self) -> dict[str, Any]:
        return record(self)


_SUMMARY = """
SELECT e.id, m.name, e.member_id, p.name, e.program_id, e.program_version, e.status,
       e.status_reason, e.progress_percentage, ph.id, ph.phase_number, ph.name,
       ph.time_limit_days, e.phase_started_on, e.enrolled_on, e.enrolled_by, b.name,
       e.target_completion_date, e.completed_at, e.completed_on, e.last_activity_on
FROM enrollment e
LEFT JOIN member m ON m.id = e.member_id
LEFT JOIN program p ON p.id = e.program_id
LEFT JOIN program_phase ph ON ph.id = e.current_phase_id
LEFT JOIN member b ON b.id = e.enrolled_by
WHERE e.id = :id
"""


def open_required_in_phase(rd: Reader, enrollment_id: int, phase_id: int) -> int:
    """Required items of a phase that are neither completed nor waived."""
    done, params = in_list("done", dp.DONE)
    return int(
        rd.scalar(
            "SELECT count(*) FROM requirement_progress rp "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            "WHERE rp.enrollment_id = :id AND pr.phase_id = :phase AND pr.is_required "
            f"AND rp.status NOT IN {done}",
            {"id": enrollment_id, "phase": phase_id, **params},
        )
    )


def enrollment_summary(rd: Reader, enrollment_id: int, today: date) -> EnrollmentSummary:
    row = rd.one(_SUMMARY, {"id": enrollment_id})
    if row is None:
        raise NotFoundError(f"No enrollment '{enrollment_id}'.", NOT_FOUND_HINT)
    (eid, member, member_id, program, program_id, version, status, reason, pct, phase_id,
     phase_number, phase_name, phase_limit, phase_started, enrolled_on, enrolled_by, by_name,
     target, completed_at, completed_on, last_activity) = row  # fmt: skip
    phase_started = as_date(phase_started)
    target = as_date(target)
    phase_due = dp.phase_deadline(phase_started, phase_limit) if phase_id is not None else None
    open_items = open_required_in_phase(rd, eid, phase_id) if phase_due is not None else 0
    return EnrollmentSummary(
        id=eid,
        member=member,
        member_id=member_id,
        program=program,
        program_id=program_id,
        program_version=version,
        status=status,
        status_reason=reason,
        progress=float(pct),  # as stored (four decimals); tables round for display
        current_phase=phase_label(phase_number, phase_name),
        phase_started_on=phase_started,
        phase_deadline=phase_due,
        phase_overdue=dp.phase_overdue(status, phase_due, open_items, today),
        enrolled_on=required(as_date(enrolled_on)),
        enrolled_by=by_name or ("database owner" if enrolled_by is None else None),
        target_date=target,
        overdue=dp.enrollment_overdue(status, target, today),
        completed_at=as_utc(completed_at),
        completed_on=as_date(completed_on),
        last_activity_on=as_date(last_activity),
    )


@dataclass(frozen=True, slots=True)
class ProgressLine:
    """One requirement of an enrollment as `enroll show` lists it (the JSON shape)."""

    progress_id: int
    link_id: int
    requirement_id: int
    requirement: str
    requirement_type: str
    phase_id: int | None
    phase: str | None
    sort_order: int
    is_required: bool
    is_prerequisite: bool
    value: float
    target: float | None
    unit: str
    percentage: float  # effective: an override (waived, marked complete) counts as 100
    status: str
    override: str | None  # waived | completed (an officer's sign-off) | None
    measured_percentage: float  # value / target, whatever the override says
    due_on: date | None
    overdue: bool
    verified_by: str | None
    verified_on: date | None  # the verification's effective date (department day or --as-of)
    verified_at: datetime | None  # ... and the real time it was written
    pending: int
    # hours with categories: where every counted hour went (dp.allocation_record); else None
    allocation: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return record(self)


# What `target_of` reads, in its order, for any query that builds a Target (r: the
# requirement, e: the enrollment): the requirement's target fields (dp.TARGET_FIELDS), then
# what scales a recurring requirement's figure over the enrollment (dp.periods_in_span).
TARGET_COLUMNS = ", ".join(
    [*(f"r.{c}" for c in dp.TARGET_FIELDS), "r.frequency", "e.enrolled_on", "e.target_completion_date"]
)
_NT = len(dp.TARGET_FIELDS)
_JSON_AT = [dp.TARGET_FIELDS.index(c) for c in dp.TARGET_JSON]
_LINES = f"""
SELECT rp.id, pr.id, r.id, r.name, pr.phase_id, ph.phase_number, ph.name, pr.sort_order,
       pr.is_required, pr.is_prerequisite, rp.progress_value, rp.progress_percentage,
       rp.status, rp.status_override, rp.due_on, v.name, rp.verified_at, rp.verified_on,
       (SELECT count(*) FROM progress_credit c WHERE c.progress_id = rp.id AND c.state = 'pending'),
       {TARGET_COLUMNS}
FROM requirement_progress rp
JOIN enrollment e ON e.id = rp.enrollment_id
JOIN program_requirement pr ON pr.id = rp.program_requirement_id
JOIN requirement r ON r.id = pr.requirement_id
LEFT JOIN program_phase ph ON ph.id = pr.phase_id
LEFT JOIN member v ON v.id = rp.verified_by
WHERE rp.enrollment_id = :id
ORDER BY coalesce(ph.phase_number, 0), pr.sort_order, pr.id
"""


def target_of(columns: tuple[Any, ...] | list[Any], *, local_content: bool = True) -> dp.Target:
    """A Target from the columns of TARGET_COLUMNS, as stored: the requirement's fields,
    and when the span's follow, the target over the enrollment's span (a recurring
    requirement inside a program: its figure once per period, dp.periods_in_span), as the
    ledger measures it. `local_content`: the department's NREMT setting
    (settings.nremt_local_content)."""
    values = list(columns[:_NT])
    for i in _JSON_AT:
        values[i] = as_json(values[i])
    target = dp.Target.from_fields(*values, local_content=local_content)
    if len(columns) > _NT:
        frequency, start, end = columns[_NT : _NT + 3]
        target = target.over(dp.periods_in_span(frequency, required(as_date(start)), as_date(end)))
    return target


_ROW_TARGET = f"""
SELECT {TARGET_COLUMNS}
FROM requirement_progress rp
JOIN enrollment e ON e.id = rp.enrollment_id
JOIN program_requirement pr ON pr.id = rp.program_requirement_id
JOIN requirement r ON r.id = pr.requirement_id
WHERE rp.id = :id
"""


def row_target(rd: Reader, progress_id: int) -> dp.Target | None:
    """What the requirement of one progress row asks for."""
    row = rd.one(_ROW_TARGET, {"id": progress_id})
    return target_of(row, local_content=nremt_local_content(rd)) if row is not None else None


def allocates(target: dp.Target) -> bool:
    """An hours requirement with categories: its hours are allocated (dp.allocate_hours)."""
    return target.requirement_type == "hours" and bool(target.hour_categories)


# What says whether program progress judges a requirement in the member's own window, as
# compliance does (`judged_in_window`): an NREMT NCCP level (periods.cycle_of), whose one
# course counts once per cycle, or a one-time requirement within N months of a member's date.
WINDOW_COLUMNS = (
    "r.registry_name, r.registry_code, r.cycle_end, r.cycle_credential, r.frequency, "
    "r.period_months, r.period_anchor"
)


def once_per_course(columns: Sequence[Any]) -> bool:
    """Whether a requirement (the first four of WINDOW_COLUMNS) counts one course once per
    cycle."""
    return pd.cycle_of(*columns[:4])[2]


def judged_in_window(columns: Sequence[Any]) -> bool:
    """Whether a requirement (its WINDOW_COLUMNS) is judged in the member's own window."""
    frequency, months, anchor = columns[4:7]
    return once_per_course(columns) or (
        frequency == "one_time" and bool(months) and (anchor or "calendar") != "calendar"
    )


# Where a credit came from, as the compliance evaluator names the fact (its kind, its id).
SOURCE_KINDS = {"training_record": "training", "shift": "shift", "call": "call"}


def source_of(source_type: str | None, source_id: str | None) -> tuple[str, int] | None:
    """The fact behind a credit (its void too: "<id>:void"): (kind, id), or None for a
    source the evaluator does not judge in a window (a manual entry, a card, a checkoff)."""
    kind = SOURCE_KINDS.get(source_type or "")
    head = (source_id or "").split(":", 1)[0]
    return (kind, int(head)) if kind and head.isdigit() else None


def excluded_records(
    rd: Reader,
    rows: Mapping[int, tuple[int, int]],
    ledger: Mapping[int, Iterable[tuple[float, str | None, str | None]]],
    *,
    today: date | None = None,
    without: Collection[tuple[str, int]] = (),
) -> dict[int, dict[tuple[str, int], Any]]:
    """progress id -> {(kind, id): queries.compliance.Excluded} for rows judged in the
    member's window (`judged_in_window`; `rows`: progress id -> (member id, requirement
    id)); `ledger`: each row's counted credits as (amount, source type, source id). The
    facts netting above zero (a voided one counts for nothing and so repeats nothing) go
    to the one evaluator (queries.compliance.window_exclusions), as of `today`."""
    sources: dict[int, list[tuple[str, int]]] = {}
    for pid, credits in ledger.items():
        net: dict[tuple[str, int], float] = {}
        for amount, source_type, source_id in credits:
            key = source_of(source_type, source_id)
            if key is not None:
                net[key] = net.get(key, 0.0) + float(amount)
        sources[pid] = [key for key, total in net.items() if total > 0]
    if not any(sources.values()):
        return {}
    from trainctl.queries.compliance import window_exclusions  # the evaluator, when needed

    return window_exclusions(rd, rows, sources, today=today, without=without)


_COUNTED = """
SELECT c.progress_id, c.id, c.amount, c.category, c.item, c.source_type, c.source_id,
       e.member_id, r.id, {window}
FROM progress_credit c
JOIN requirement_progress rp ON rp.id = c.progress_id
JOIN enrollment e ON e.id = rp.enrollment_id
JOIN program_requirement pr ON pr.id = rp.program_requirement_id
JOIN requirement r ON r.id = pr.requirement_id
WHERE {where} AND c.state = 'counted'
ORDER BY c.id
""".replace("{window}", WINDOW_COLUMNS)


def hour_allocations(
    rd: Reader,
    targets: dict[int, dp.Target],
    *,
    enrollment_id: int | None = None,
    excluded: Mapping[int, Mapping[tuple[str, int], Any]] | None = None,
) -> dict[int, tuple[dp.Allocation, list[int]]]:
    """progress id -> (the allocation of its counted credits, the credits' ids in the order
    allocated), for the rows in `targets` that allocate hours. The credits are read in id
    order, as the ledger measures them (services/progress/ledger.py), so what is shown is
    what the stored value was computed from. One query: the enrollment's, or the row's.
    `excluded`: the rows' `excluded_records`, when the caller has them already."""
    wanted = {pid: t for pid, t in targets.items() if allocates(t)}
    if not wanted:
        return {}
    if enrollment_id is not None:
        sql, params = _COUNTED.format(where="rp.enrollment_id = :id"), {"id": enrollment_id}
    else:
        (only,) = wanted  # one row (progress log)
        sql, params = _COUNTED.format(where="rp.id = :id"), {"id": only}
    rows = [r for r in rd.all(sql, params) if r[0] in wanted]
    judged = {r[0]: (r[7], r[8]) for r in rows if judged_in_window(r[9:16])}
    ledger: dict[int, list[tuple[float, str | None, str | None]]] = {pid: [] for pid in judged}
    for pid, _, amount, _, _, source_type, source_id, *_ in rows:
        if pid in judged:
            ledger[pid].append((amount, source_type, source_id))
    if excluded is None:
        excluded = excluded_records(rd, judged, ledger) if judged else {}
    credits: dict[int, list[tuple[int, dp.Credit]]] = {pid: [] for pid in wanted}
    for pid, cid, amount, category, item, source_type, source_id, *_ in rows:
        key = source_of(source_type, source_id)
        out = excluded.get(pid, {}).get(key) if key is not None else None
        why = out.reason if out is not None else ""
        source = f"{source_type}:{key[1]}" if key is not None else None
        credits[pid].append((cid, dp.Credit(amount, category, item, repeat=why, source=source)))
    out = {}
    for pid, rows in credits.items():
        t = wanted[pid]
        a = dp.allocate_hours(t.required_hours, t.hour_categories, [c for _, c in rows])
        out[pid] = (a, [cid for cid, _ in rows])
    return out


def progress_lines(rd: Reader, enrollment_id: int, today: date) -> list[ProgressLine]:
    """Every requirement of an enrollment, in program order (phase, then sort order); hours
    with categories carry where every hour went (`allocation`)."""
    rows = rd.all(_LINES, {"id": enrollment_id})
    local = nremt_local_content(rd)
    targets = {r[0]: target_of(r[19:], local_content=local) for r in rows}
    hours = hour_allocations(rd, targets, enrollment_id=enrollment_id)
    lines = []
    for r in rows:
        target = targets[r[0]]
        found = hours.get(r[0])
        value, status, due_on = r[10], r[12], as_date(r[14])
        lines.append(
            ProgressLine(
                progress_id=r[0],
                link_id=r[1],
                requirement_id=r[2],
                requirement=r[3],
                requirement_type=target.requirement_type,
                phase_id=r[4],
                phase=phase_label(r[5], r[6]),
                sort_order=r[7],
                is_required=bool(r[8]),
                is_prerequisite=bool(r[9]),
                value=value,
                target=target.target_value,
                unit=dp.UNITS.get(target.requirement_type, ""),
                percentage=r[11],
                status=status,
                override=r[13],
                measured_percentage=dp.ratio_percentage(value, target.target_value),
                due_on=due_on,
                overdue=dp.is_overdue(due_on, status, today),
                verified_by=signed_by(r[15], r[16]),
                verified_on=as_date(r[17]),
                verified_at=as_utc(r[16]),
                pending=r[18] or 0,
                allocation=dp.allocation_record(*found) if found else None,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A milestone of an enrollment's program and where the enrollment stands on it."""

    id: int
    milestone: str
    phase_id: int | None
    phase: str | None  # "2. Firefighter I"; None: the whole program
    threshold: float
    state: str
    reached_on: date | None  # effective dates (department day or --as-of): what reads show
    reached_at: datetime | None  # real times of writing
    verified_by: str | None
    verified_on: date | None
    verified_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return record(self)


_MILESTONES = """
SELECT m.id, m.name, m.phase_id, m.completion_percentage_threshold, m.requires_verification,
       ev.id, ev.reached_at, ev.verified_at, v.name, ph.phase_number, ph.name, ev.reached_on,
       ev.verified_on, (SELECT e.progress_percentage FROM enrollment e WHERE e.id = :enrollment)
FROM program_milestone m
LEFT JOIN program_phase ph ON ph.id = m.phase_id
LEFT JOIN milestone_event ev ON ev.milestone_id = m.id AND ev.enrollment_id = :enrollment
LEFT JOIN member v ON v.id = ev.verified_by
WHERE m.program_id = :program
ORDER BY m.completion_percentage_threshold, m.id
"""


def phase_rows(rd: Reader, enrollment_ids: Sequence[int]) -> dict[tuple[int, int], list[tuple[bool, str, float]]]:
    """The progress rows of these enrollments' phases, by (enrollment, phase), as
    domain.progress.phase_progress (`milestone_progress`) takes them."""
    out: dict[tuple[int, int], list[tuple[bool, str, float]]] = {}
    for part in chunks(list(enrollment_ids)):
        ids, params = in_list("e", part)
        for eid, phase, req, status, pct in rd.all(
            "SELECT rp.enrollment_id, pr.phase_id, pr.is_required, rp.status, "
            "rp.progress_percentage FROM requirement_progress rp "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            f"WHERE rp.enrollment_id IN {ids} AND pr.phase_id IS NOT NULL",
            params,
        ):
            out.setdefault((eid, phase), []).append((bool(as_bool(req)), status, float(pct or 0)))
    return out


def milestone_rows(rd: Reader, enrollment: EnrollmentRef) -> list[MilestoneRow]:
    """The program's milestones and where the enrollment stands on each; one reached and
    not verified that its progress has fallen back below (`dp.milestone_holds`, as the
    reminders judge it) is not awaiting anything: "fell back below"."""
    rows = rd.all(_MILESTONES, {"enrollment": enrollment.id, "program": enrollment.program_id})
    phases = phase_rows(rd, [enrollment.id]) if any(r[2] is not None and r[5] is not None for r in rows) else {}
    out = []
    for (mid, name, phase_id, threshold, needs_check, event_id, reached, verified, who, number,
         ph_name, reached_on, verified_on, pct) in rows:  # fmt: skip
        verified_at = as_utc(verified)
        at = dp.milestone_progress(float(pct or 0), None if phase_id is None else phases.get((enrollment.id, phase_id), ()))
        out.append(
            MilestoneRow(
                id=mid,
                milestone=name,
                phase_id=phase_id,
                phase=phase_label(number, ph_name),
                threshold=threshold,
                state=dp.milestone_state(
                    event_id is not None, bool(as_bool(needs_check)), verified_at is not None,
                    dp.milestone_holds(threshold, at),
                ),
                reached_on=as_date(reached_on),
                reached_at=as_utc(reached),
                verified_by=signed_by(who, verified_at),
                verified_on=as_date(verified_on),
                verified_at=verified_at,
            )
        )
    return out
