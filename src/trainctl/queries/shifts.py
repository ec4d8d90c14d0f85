"""Shift attendance and call responses on the read side: the one place shift and call
counts are read from (the credit feed counts the same rows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from trainctl.errors import PermissionDeniedError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import Reader, as_date, as_utc, by_text, in_list

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "shift": ("id", "shift_date", "station", "name"),
    "shift_attendance": (
        "id", "shift_id", "member_id", "checked_in_at", "checked_out_at", "duration_minutes",
        "source_file", "source_line", "created_at", "created_by", "voided_at", "voided_by",
        "void_reason",
    ),
    "call": ("id", "incident_number", "shift_date", "occurred_at", "call_type"),
    "call_response": (
        "id", "call_id", "member_id", "role", "source_file", "source_line", "created_at",
        "created_by", "voided_at", "voided_by", "void_reason", "void_shift_date",
        "void_occurred_at", "void_call_type",
    ),
    "member": ("id", "name", "email"),
}  # fmt: skip


def required_date(value: Any) -> date:
    """A NOT NULL date column as a date."""
    out = as_date(value)
    assert out is not None
    return out


def required_utc(value: Any) -> datetime:
    """A NOT NULL timestamp column as an aware UTC datetime."""
    out = as_utc(value)
    assert out is not None
    return out


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    """A member on a shift, as every command shows it (the JSON shape, keys in this order).
    time_in / time_out are UTC instants; hours come from them."""

    id: int
    shift_id: int
    shift_date: date
    station: str
    shift: str
    member_id: int
    member: str
    email: str
    time_in: datetime
    time_out: datetime
    hours: float
    source_file: str | None
    source_line: int | None
    created_at: datetime
    created_by: int | None
    voided_at: datetime | None
    voided_by: int | None  # who voided it, and why (as record list shows)
    void_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """A member's response to a call (the JSON shape, keys in this order)."""

    id: int
    call_id: int
    incident: str
    shift_date: date
    at: datetime | None
    call_type: str | None
    member_id: int
    member: str
    email: str
    role: str | None
    source_file: str | None
    source_line: int | None
    created_at: datetime
    created_by: int | None
    voided_at: datetime | None
    voided_by: int | None  # who voided it, and why (as record list shows)
    void_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _scope(actor: Actor, member_id: int | None, what: str) -> int | None:
    """A member without training.view_all sees only their own rows."""
    if actor.can(VIEW_ALL):
        return member_id
    if member_id is not None and not actor.is_self(member_id):
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role}) may only see their own {what}.",
            "Leave out --member to list yours.",
        )
    return actor.member_id


def _filters(
    alias: str, member_id: int | None, start: date | None, end: date | None, include_void: bool,
    *, day: str = "d.shift_date",
) -> tuple[list[str], dict[str, Any]]:
    conds: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if member_id is not None:
        conds.append(f"{alias}.member_id = :member")
        params["member"] = member_id
    if start is not None:
        conds.append(f"{day} >= :start")
        params["start"] = start.isoformat()
    if end is not None:
        conds.append(f"{day} <= :end")
        params["end"] = end.isoformat()
    if not include_void:
        conds.append(f"{alias}.voided_at IS NULL")
    return conds, params


def list_attendance(
    rd: Reader,
    actor: Actor,
    *,
    member_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    station: str | None = None,
    include_void: bool = False,
    limit: int | None = None,
) -> list[AttendanceRow]:
    """Attendance, newest shift first (at most `limit` rows). Members see their own."""
    member_id = _scope(actor, member_id, "shifts")
    conds, params = _filters("a", member_id, start, end, include_void)
    if station is not None:
        conds.append("trainctl_fold(d.station) = trainctl_fold(:station)")
        params["station"] = " ".join(station.split())
    rows = rd.all(
        "SELECT a.id, a.shift_id, d.shift_date, d.station, d.name, a.member_id, m.name, m.email, "
        "a.checked_in_at, a.checked_out_at, a.duration_minutes, a.source_file, a.source_line, "
        "a.created_at, a.created_by, a.voided_at, a.voided_by, a.void_reason "
        "FROM shift_attendance a JOIN shift d ON d.id = a.shift_id JOIN member m ON m.id = a.member_id "
        f"WHERE {' AND '.join(conds)} ORDER BY d.shift_date DESC, {by_text(rd.dialect, 'd.station', 'd.name', 'm.name')}, a.id"
        + (" LIMIT :limit" if limit is not None else ""),
        {**params, "limit": limit} if limit is not None else params,
    )
    return [
        AttendanceRow(
            r[0], r[1], required_date(r[2]), r[3], r[4], r[5], r[6], r[7], required_utc(r[8]),
            required_utc(r[9]), round(r[10] / 60, 4), r[11], r[12], required_utc(r[13]), r[14],
            as_utc(r[15]), r[16], r[17],
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Totals:
    member_id: int
    member: str
    shifts: int
    hours: float

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def total_hours(rows: Iterable[AttendanceRow]) -> float:
    """The hours of these rows, summed in minutes (a row's hours are rounded to four
    decimals for display: three tours of 12 h 20 min are 37 h, not 36.9999)."""
    return round(sum(round(r.hours * 60) for r in rows) / 60, 4)


def attendance_totals(rows: list[AttendanceRow]) -> list[Totals]:
    """Shifts and hours per member (void attendance left out), by name: the figures the
    credit feed counts from the same rows."""
    mine: dict[int, list[AttendanceRow]] = {}
    for r in rows:
        if r.voided_at is None:
            mine.setdefault(r.member_id, []).append(r)
    out = [Totals(mid, rs[0].member, len(rs), total_hours(rs)) for mid, rs in mine.items()]
    return sorted(out, key=lambda t: (t.member, t.member_id))


# A response as it is listed, filtered and sorted: a live one under its call's shift date,
# time and type; a void one under those the call had when it was voided (kept on the
# response, 0020), since a call whose responses are all void may be corrected.
_KEPT = "r.void_shift_date IS NOT NULL"
RESPONSE_DAY = f"CASE WHEN {_KEPT} THEN r.void_shift_date ELSE d.shift_date END"
RESPONSE_AT = f"CASE WHEN {_KEPT} THEN r.void_occurred_at ELSE d.occurred_at END"
RESPONSE_TYPE = f"CASE WHEN {_KEPT} THEN r.void_call_type ELSE d.call_type END"


def list_responses(
    rd: Reader,
    actor: Actor,
    *,
    member_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    call_type: str | None = None,
    incident: str | None = None,
    include_void: bool = False,
    limit: int | None = None,
) -> list[ResponseRow]:
    """Call responses, newest shift first (one row per responder; at most `limit`). Members
    see their own."""
    member_id = _scope(actor, member_id, "calls")
    conds, params = _filters("r", member_id, start, end, include_void, day=RESPONSE_DAY)
    if call_type is not None:
        # as a requirement counting that call type counts it (domain.credit: category_key,
        # "Structure Fire" is structure-fire): the types on file that match, by equality
        from trainctl.domain.progress import category_key

        wanted = category_key(call_type)
        types = [t for t in rd.column('SELECT DISTINCT call_type FROM "call" WHERE call_type IS NOT NULL '
                                      "UNION SELECT DISTINCT void_call_type FROM call_response "
                                      "WHERE void_call_type IS NOT NULL")
                 if category_key(t) == wanted]  # fmt: skip
        if not types:
            return []
        sql, more = in_list("call_type", types)
        conds.append(f"{RESPONSE_TYPE} IN {sql}")
        params.update(more)
    if incident is not None:
        conds.append("d.incident_number = :incident")
        params["incident"] = " ".join(incident.split()).upper()
    rows = rd.all(
        f"SELECT r.id, r.call_id, d.incident_number, {RESPONSE_DAY}, {RESPONSE_AT}, {RESPONSE_TYPE}, "
        "r.member_id, m.name, m.email, r.role, r.source_file, r.source_line, r.created_at, "
        "r.created_by, r.voided_at, r.voided_by, r.void_reason "
        'FROM call_response r JOIN "call" d ON d.id = r.call_id JOIN member m ON m.id = r.member_id '
        f"WHERE {' AND '.join(conds)} ORDER BY {RESPONSE_DAY} DESC, {RESPONSE_AT} DESC, "
        f"{by_text(rd.dialect, 'd.incident_number', 'm.name')}"
        + (" LIMIT :limit" if limit is not None else ""),
        {**params, "limit": limit} if limit is not None else params,
    )
    return [
        ResponseRow(
            r[0], r[1], r[2], required_date(r[3]), as_utc(r[4]), r[5], r[6], r[7], r[8], r[9],
            r[10], r[11], required_utc(r[12]), r[13], as_utc(r[14]), r[15], r[16],
        )
        for r in rows
    ]
