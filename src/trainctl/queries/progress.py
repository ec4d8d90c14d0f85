"""Progress rows on the read side: the one progress-row resolver (`locate`), the ledger of a
row (`progress log`) and the self-reported credit waiting for an officer (`progress pending`).

The write side locates rows through the same `locate` (services/progress/changes.py), so a
progress row is named, matched and permission-checked by one function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trainctl.domain import credit as dc
from trainctl.domain import progress as dp
from trainctl.domain.lookup import as_id, requirement_matches
from trainctl.domain.text import hours_text
from trainctl.errors import NotFoundError, UsageError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import Reader, as_date, as_json, as_utc, chunks, in_list, required
from trainctl.queries.enrollments import (
    OWN_HINT,
    WINDOW_COLUMNS,
    excluded_records,
    get_enrollment,
    hour_allocations,
    judged_in_window,
    record,
    row_target,
    source_of,
)
from trainctl.queries.members import OWNER_NAME, get_member, signed_by

TABLES = {
    "requirement_progress": ("id", "enrollment_id", "program_requirement_id"),
    "enrollment": ("id", "member_id", "status"),
    "program_requirement": ("id", "requirement_id"),
    "requirement": ("id", "name", "registry_code", "aliases"),
    "member": ("id", "name"),
    "progress_credit": (
        "id", "progress_id", "source_type", "source_id", "amount", "category", "item", "note",
        "state", "entered_by", "entered_at", "entered_on", "verified_by", "verified_at",
        "verified_on",
    ),
}  # fmt: skip

ID_HINT = "`trainctl enroll show ENROLLMENT` lists each requirement's progress id."


# ---------------------------------------------------------------------------- the resolver
@dataclass(frozen=True, slots=True)
class ProgressRef:
    """A progress row as the resolver found it: its id, enrollment and member."""

    progress_id: int
    enrollment_id: int
    member_id: int


_ROWS = """
SELECT rp.id, rp.enrollment_id, e.member_id, r.id, r.name, r.registry_code, r.aliases
FROM requirement_progress rp
JOIN enrollment e ON e.id = rp.enrollment_id
JOIN program_requirement pr ON pr.id = rp.program_requirement_id
JOIN requirement r ON r.id = pr.requirement_id
WHERE {where}
ORDER BY rp.id
"""


def _may_see(actor: Actor, member_id: int) -> None:
    """Another member's progress rows (even their ids) need training.view_all; checked
    before anything about them is looked up or listed."""
    actor.require_self_or(
        member_id, VIEW_ALL, "see other members' progress", "see and record their own progress",
        OWN_HINT,
    )  # fmt: skip


def locate(
    rd: Reader,
    actor: Actor,
    progress: str | None = None,
    *,
    enrollment: str | None = None,
    requirement: str | None = None,
    member: str | None = None,
) -> ProgressRef:
    """PROGRESS id, or --enrollment E --requirement R, or --member M --requirement R (the
    member's open enrollments). A requirement is matched by the naming rule of
    domain.lookup (id, registry code, name or alias; case and spaces aside)."""
    if progress is not None:
        if enrollment or member or requirement:
            raise UsageError(
                "Name a progress row by its id OR by --enrollment/--member with --requirement."
            )
        text = progress.strip()
        if not text.isdigit():
            raise UsageError(
                f"{progress!r} is not a progress id.",
                "Progress ids are numbers; `trainctl enroll show E` lists them.",
            )
        number = as_id(text)
        row = rd.one(_ROWS.format(where="rp.id = :id"), {"id": number}) if number else None
        if row is None:
            raise NotFoundError(f"No progress row {int(text)}.", ID_HINT)
        _may_see(actor, row[2])
        return ProgressRef(row[0], row[1], row[2])
    if requirement is None or (enrollment is None) == (member is None):
        raise UsageError(
            "Name the progress row: PROGRESS, or --enrollment E --requirement R, or --member M --requirement R.",
            "`trainctl enroll show ENROLLMENT` lists progress ids.",
        )
    if enrollment is not None:
        e = get_enrollment(rd, enrollment)
        _may_see(actor, e.member_id)
        where, params = "rp.enrollment_id = :enrollment", {"enrollment": e.id}
        scope = f"enrollment {enrollment}"
    else:
        m = get_member(rd, required(member))  # exactly one of --enrollment, --member
        _may_see(actor, m.id)
        statuses, params = in_list("open", dp.CREDITABLE)
        where = f"e.member_id = :member AND e.status IN {statuses}"
        params["member"] = m.id
        scope = f"{m.name}'s open enrollments"
    hits = [
        row
        for row in rd.all(_ROWS.format(where=where), params)
        if requirement_matches(
            requirement, id=row[3], name=row[4], registry_code=row[5], aliases=as_json(row[6]) or ()
        )
    ]
    if not hits:
        raise NotFoundError(
            f"No requirement {requirement!r} in {scope}.",
            "`trainctl enroll show ENROLLMENT` lists the requirements and their progress ids.",
        )
    if len(hits) > 1:
        raise UsageError(
            f"{requirement!r} matches {len(hits)} progress rows in {scope}.",
            "Name one by its progress id.",
            details=[f"progress {r[0]}: {r[4]} (enrollment {r[1]})" for r in hits],
        )
    return ProgressRef(hits[0][0], hits[0][1], hits[0][2])


# ------------------------------------------------------------------------------- the ledger
@dataclass(frozen=True, slots=True)
class CreditRow:
    """One ledger entry as `progress log` shows it (the JSON shape, keys in this order)."""

    id: int
    entered_on: date | None  # the effective date (department day or --as-of) reads show
    entered_at: datetime  # the real time of writing
    source: str
    source_id: str
    amount: float
    category: str | None
    item: str | None
    state: str
    entered_by: str | None
    verified_by: str | None
    verified_on: date | None
    verified_at: datetime | None  # the real time of the verification
    note: str | None
    counted: float  # what this credit adds to the value now (0 while pending); sums to value
    went: str  # where its hours went, in words ("" when all of it simply counts)
    # hours with categories: each part of the credit and where it went (dp.share_record)
    allocation: list[dict[str, Any]] | None = None

    def as_dict(self) -> dict[str, Any]:
        return record(self)


_LEDGER = """
SELECT c.id, c.entered_at, c.source_type, c.source_id, c.amount, c.category, c.item, c.state,
       c.entered_by, en.name, c.verified_by, c.verified_at, vn.name, c.note, c.entered_on,
       c.verified_on
FROM progress_credit c
LEFT JOIN member en ON en.id = c.entered_by
LEFT JOIN member vn ON vn.id = c.verified_by
WHERE c.progress_id = :id
ORDER BY c.entered_at, c.id
"""


def ledger(rd: Reader, progress_id: int) -> list[CreditRow]:
    """The credits of one progress row, oldest first (who entered and verified each), and
    where each one's hours went: for hours with categories the allocation of
    domain/progress.py (which minimum each hour filled, what flowed on, what was capped or
    left over and why). Permission is `locate`'s: whoever may name the row may read it."""
    target = row_target(rd, progress_id)
    view = window_views(rd, [progress_id]).get(progress_id)
    excluded = {progress_id: view.excluded} if view is not None else {}
    found = (
        hour_allocations(rd, {progress_id: target}, excluded=excluded)
        if target is not None
        else {}
    )
    shares: dict[int, list[dp.Share]] = {}
    if progress_id in found:
        a, ids = found[progress_id]
        for s in a.shares:
            shares.setdefault(ids[s.credit], []).append(s)
    entries = rd.all(_LEDGER, {"id": progress_id})
    # a reported entry an officer rejected: who and when, from its reversing entry
    rejected = {
        e[3].removesuffix(dp.REJECT_SUFFIX): (e[9] or (OWNER_NAME if e[8] is None else "an officer"), as_date(e[14]))
        for e in entries if e[7] == "rejected" and e[3].endswith(dp.REJECT_SUFFIX)
    }  # fmt: skip
    out = []
    for (cid, at, source, source_id, amount, category, item, state, entered_by, entered_name,
         _verified_by, verified_at, verified_name, note, entered_on, verified_on,
         ) in entries:  # fmt: skip
        out.append(
            CreditRow(
                id=cid,
                entered_on=as_date(entered_on),
                entered_at=required(as_utc(at)),
                source=source,
                source_id=source_id,
                amount=amount,
                category=category,
                item=item,
                state=state,
                entered_by=entered_name or (OWNER_NAME if entered_by is None else None),
                verified_by=signed_by(verified_name, verified_at),
                verified_on=as_date(verified_on),
                verified_at=as_utc(verified_at),
                note=note,
                **_went(cid, amount, state, shares if progress_id in found else None,
                        _left_out(view, source, source_id), rejected.get(source_id)),
            )
        )
    return out


def _left_out(view: WindowView | None, source: str | None, source_id: str | None) -> str:
    """Why the evaluator leaves this credit's fact out of the member's window ("": it
    does not), for a row judged in it (`window_views`)."""
    key = source_of(source, source_id) if view is not None else None
    if view is None or key is None or key not in view.excluded:
        return ""
    return view.excluded[key].reason


def _went(
    cid: int, amount: float, state: str, shares: dict[int, list[dp.Share]] | None,
    left_out: str = "", rejected: tuple[str, date | None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    if state == "rejected":
        if rejected is None:  # the rejecting entry itself (its note says why)
            return {"counted": 0.0, "went": "not counted: takes back a rejected report"}
        by, on = rejected
        return {"counted": 0.0, "went": f"not counted: rejected by {by}" + (f" on {on}" if on else "")}
    if state != "counted":
        return {"counted": 0.0, "went": "not counted until an officer verifies it"}
    if shares is None:
        if left_out:  # a row judged in the member's window, without an allocation
            return {"counted": 0.0, "went": f"not counted: {left_out}"}
        return {"counted": amount, "went": ""}
    mine = shares.get(cid, [])
    return {
        # the counted parts only: a correction's effect shows on the credits it took back,
        # so the column sums to the row's value
        "counted": round(sum(s.hours for s in mine if s.counted), 6),
        "went": "; ".join(dp.share_text(s) for s in mine),
        "allocation": [dp.share_record(s) for s in mine],
    }


@dataclass(frozen=True, slots=True)
class PendingRow:
    """Self-reported credit waiting for an officer (`progress pending`): the progress row
    (`progress update ID --verify` / `--reject` rules on all of its entries) and the entry
    (`--credit ID` on one)."""

    progress_id: int
    credit_id: int
    enrollment_id: int
    member: str
    requirement: str
    amount: float
    item: str | None
    entered_on: date | None
    entered_at: datetime
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return record(self)


@dataclass(frozen=True, slots=True)
class PendingQueue:
    """`progress pending`: `rows`, the credit an officer can verify now (of active and
    completed enrollments); `on_hold`, enrollment id -> how many credits of that enrollment
    on hold wait for it to be resumed (a verification is refused until then). Credit of a
    withdrawn or failed enrollment is in neither: the record is closed and nobody can
    verify it (`progress log` still shows it)."""

    rows: list[PendingRow]
    on_hold: dict[int, int]


_PENDING = """
SELECT c.progress_id, c.id, rp.enrollment_id, m.name, r.name, c.amount, c.item, c.entered_on,
       c.entered_at, c.note, e.status
FROM progress_credit c
JOIN requirement_progress rp ON rp.id = c.progress_id
JOIN enrollment e ON e.id = rp.enrollment_id
JOIN member m ON m.id = e.member_id
JOIN program_requirement pr ON pr.id = rp.program_requirement_id
JOIN requirement r ON r.id = pr.requirement_id
WHERE c.state = 'pending' AND e.status IN {statuses}
ORDER BY c.entered_at, c.id
"""


def pending_credits(rd: Reader, actor: Actor) -> PendingQueue:
    """Self-reported credit waiting for an officer (training.view_all), as PendingQueue
    sorts it by what the enrollment's status lets an officer do."""
    actor.require(VIEW_ALL, "see other members' pending credit")
    statuses, params = in_list("status", (*dp.CREDITABLE, "on_hold"))
    out = PendingQueue([], {})
    for pid, cid, eid, member, req, amount, item, on, at, note, status in rd.all(_PENDING.format(statuses=statuses), params):
        if status in dp.CREDITABLE:
            out.rows.append(PendingRow(pid, cid, eid, member, req, amount, item, as_date(on), required(as_utc(at)), note))
        else:
            out.on_hold[eid] = out.on_hold.get(eid, 0) + 1
    return out


def shortfall(
    rd: Reader,
    progress_id: int,
    credit_ids: list[int],
    *,
    views: Mapping[int, WindowView] | None = None,
) -> str | None:
    """One line when hours of the credits `credit_ids` (just written) do not all count:
    how much did not and why (dp.shortfall_note; for a row judged in the member's window,
    the evaluator's reason), and which record an earlier one of its course put out of
    the count; None when all of them count or the credits wait for verification.
    `views`: `window_views` of the rows, when the caller read them for many at once."""
    if views is None:
        views = window_views(rd, [progress_id])
    view = views.get(progress_id)
    target = row_target(rd, progress_id)
    excluded = {progress_id: view.excluded} if view is not None else {}
    found = (
        hour_allocations(rd, {progress_id: target}, excluded=excluded)
        if target is not None
        else {}
    )
    wanted = set(credit_ids)
    notes: list[str | None] = []
    if progress_id in found:
        a, ids = found[progress_id]
        notes.append(dp.shortfall_note(a, [i for i, cid in enumerate(ids) if cid in wanted]))
    if view is not None:
        notes += _window_notes(rd, view, wanted, allocated=progress_id in found)
    return " ".join(n for n in notes if n) or None


@dataclass(frozen=True)
class WindowView:
    """A program row judged in the member's window (queries.enrollments.judged_in_window):
    whose and which requirement (member id, requirement id), the requirement's type, its
    counted credits (id, amount, source type, source id) and what the evaluator leaves
    out of them ((kind, id) -> queries.compliance.Excluded)."""

    owner: tuple[int, int]
    requirement_type: str
    credits: list[tuple[int, float, str | None, str | None]]
    excluded: Mapping[tuple[str, int], Any]


_ROW_CREDITS = """
SELECT c.progress_id, c.id, c.amount, c.source_type, c.source_id, e.member_id, r.id,
       r.requirement_type, {window}
FROM progress_credit c
JOIN requirement_progress rp ON rp.id = c.progress_id
JOIN enrollment e ON e.id = rp.enrollment_id
JOIN program_requirement pr ON pr.id = rp.program_requirement_id
JOIN requirement r ON r.id = pr.requirement_id
WHERE c.progress_id IN {ids} AND c.state = 'counted'
ORDER BY c.id
"""


def window_views(rd: Reader, progress_ids: Sequence[int]) -> dict[int, WindowView]:
    """`WindowView` of each row judged in the member's window (one query per chunk, one
    evaluator pass for them all); rows not so judged are left out."""
    credits: dict[int, list[tuple[int, float, str | None, str | None]]] = {}
    owner: dict[int, tuple[int, int]] = {}
    kind: dict[int, str] = {}
    for part in chunks(list(progress_ids)):
        ids, params = in_list("p", part)
        for pid, cid, amount, st, sid, mid, rid, rtype, *window in rd.all(
            _ROW_CREDITS.format(window=WINDOW_COLUMNS, ids=ids), params
        ):
            if pid in owner or judged_in_window(window):
                owner[pid], kind[pid] = (mid, rid), rtype
                credits.setdefault(pid, []).append((cid, float(amount), st, sid))
    if not owner:
        return {}
    excluded = excluded_records(rd, owner, _ledger(credits))
    return {
        pid: WindowView(owner[pid], kind[pid], rows, excluded.get(pid, {}))
        for pid, rows in credits.items()
    }


def _ledger(
    credits: Mapping[int, Sequence[tuple[int, float, str | None, str | None]]],
) -> dict[int, list[tuple[float, str | None, str | None]]]:
    return {pid: [(a, st, sid) for _, a, st, sid in rows] for pid, rows in credits.items()}


def _window_notes(rd: Reader, view: WindowView, new_credits: set[int], *, allocated: bool) -> list[str]:
    """For a row judged in the member's window: the new credits the evaluator leaves out
    (said here unless the allocation said it), and the records an earlier record of the
    same course just put out of the count (the first in the cycle counts; the row's
    figure falls, which is said): those it excludes now and did not without the new
    credits."""
    rows, excluded = view.credits, view.excluded
    new = {key for cid, _, st, sid in rows if cid in new_credits and (key := source_of(st, sid))}
    notes = []
    if not allocated:
        mine = [(a, source_of(st, sid)) for cid, a, st, sid in rows if cid in new_credits]
        lost = {key: a for a, key in mine if key is not None and key in excluded and a > 0}
        if lost:
            total = sum(a for a, _ in mine if a > 0)
            unit = " h" if view.requirement_type == "hours" else ""
            why = "; ".join(dict.fromkeys(excluded[key].reason for key in lost))
            notes.append(f"{hours_text(sum(lost.values()))} of {hours_text(total)}{unit} not counted: {why}.")
    candidates = [key for key, x in excluded.items() if x.instead in new and key not in new]
    if candidates:
        before_ledger = {0: [(a, st, sid) for cid, a, st, sid in rows if cid not in new_credits]}
        before = excluded_records(rd, {0: view.owner}, before_ledger, without=new).get(0, {})
        candidates = [key for key in candidates if key not in before]
    gone = sorted(rid for kind, rid in candidates if kind == "training")
    if gone:
        sql, params = in_list("t", gone)
        what = "; ".join(
            f"{dc.course_label(code, name)} of {as_date(on)} ({hours_text(float(hours or 0))} h)"
            for on, hours, code, name in rd.all(
                "SELECT completion_date, hours_completed, course_code, course_name "
                f"FROM training_record WHERE id IN {sql} ORDER BY completion_date, id",
                params,
            )
        )
        notes.append(
            f"No longer counted: {what}, now a repeat of the earlier record just added "
            "(NREMT counts one course once per cycle)."
        )
    return notes


_BY_SOURCE = """
SELECT c.progress_id, c.id, m.name, r.name, {window}
FROM progress_credit c
JOIN requirement_progress rp ON rp.id = c.progress_id
JOIN enrollment e ON e.id = rp.enrollment_id
JOIN member m ON m.id = e.member_id
JOIN program_requirement pr ON pr.id = rp.program_requirement_id
JOIN requirement r ON r.id = pr.requirement_id
WHERE c.source_type = :source AND c.state = 'counted' AND c.amount > 0 AND {where}
ORDER BY c.progress_id, c.id
""".replace("{window}", WINDOW_COLUMNS)


def last_credit_id(rd: Reader) -> int:
    """The newest ledger entry's id (0: none): credits written after it are new (the
    ledger never deletes, so ids only grow)."""
    return int(rd.scalar("SELECT max(id) FROM progress_credit") or 0)


def source_shortfalls(
    rd: Reader, source_type: str, source_ids: list[int] | None = None, *, after: int | None = None
) -> list[str]:
    """`shortfall` for the credits a feed just wrote from these sources (the training
    records `record add` made), or from any source of this type after credit `after`
    (`record import`), one line per progress row: 'Dana Ruiz, Drill hours: 2 of 6 h not
    counted ...'."""
    batches: list[tuple[str, dict[str, Any]]] = []
    if source_ids is not None:
        for part in chunks([str(i) for i in source_ids]):
            ids, params = in_list("src", part)
            batches.append((f"c.source_id IN {ids}", params))
    if after is not None:
        batches.append(("c.id > :after", {"after": after}))
    rows: dict[int, tuple[str, str, list[int], bool]] = {}
    for where, params in batches:
        for pid, cid, member, requirement, *window in rd.all(
            _BY_SOURCE.format(where=where), {"source": source_type, **params}
        ):
            row = rows.setdefault(pid, (member, requirement, [], judged_in_window(window)))
            row[2].append(cid)
    views = window_views(rd, [pid for pid, row in rows.items() if row[3]])
    out = []
    for pid, (member, requirement, credit_ids, _) in rows.items():
        note = shortfall(rd, pid, credit_ids, views=views)
        if note:
            out.append(f"{member}, {requirement}: {note}")
    return out
