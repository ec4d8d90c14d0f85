"""Checklist sign-offs on the read side (`trainctl checklist list`): the items signed off
for members outside any program, newest first; members see their own."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from trainctl.errors import PermissionDeniedError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import Reader, as_date
from trainctl.queries.shifts import required_date, required_utc

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "checklist_signoff": (
        "id", "member_id", "requirement_id", "item", "checked_on", "note", "checked_by",
        "checked_at", "unchecked_on", "unchecked_by", "uncheck_note",
    ),
    "member": ("id", "name", "email"),
    "requirement": ("id", "name", "registry_code"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SignoffRow:
    """A sign-off as `checklist list` shows it (the JSON shape, keys in this order)."""

    id: int
    member_id: int
    member: str
    email: str
    requirement_id: int
    requirement: str  # "NFPA 1582 — Medical and Fitness Evaluation", or the name
    item: str
    checked_on: date
    checked_by: str | None  # None: the database owner
    checked_at: datetime
    note: str | None
    unchecked_on: date | None
    unchecked_by: str | None
    uncheck_note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def signoffs(
    rd: Reader,
    actor: Actor,
    *,
    member_id: int | None = None,
    requirement_id: int | None = None,
    include_unchecked: bool = False,
) -> list[SignoffRow]:
    """The sign-offs, newest first (by day, then as entered); without `include_unchecked`
    those standing (not unchecked). Members see their own."""
    if not actor.can(VIEW_ALL):
        if member_id is not None and not actor.is_self(member_id):
            raise PermissionDeniedError(
                f"{actor.name} ({actor.role}) may only see their own checklist sign-offs.",
                "Leave out --member to see yours.",
            )
        member_id = actor.member_id
    conds = ["1 = 1"]
    params: dict[str, Any] = {}
    if member_id is not None:
        conds.append("s.member_id = :member")
        params["member"] = member_id
    if requirement_id is not None:
        conds.append("s.requirement_id = :req")
        params["req"] = requirement_id
    if not include_unchecked:
        conds.append("s.unchecked_on IS NULL")
    rows = rd.all(
        "SELECT s.id, s.member_id, m.name, m.email, s.requirement_id, r.name, r.registry_code, "
        "s.item, s.checked_on, b.name, s.checked_by, s.checked_at, s.note, s.unchecked_on, "
        "u.name, s.unchecked_by, s.uncheck_note "
        "FROM checklist_signoff s JOIN member m ON m.id = s.member_id "
        "JOIN requirement r ON r.id = s.requirement_id "
        "LEFT JOIN member b ON b.id = s.checked_by LEFT JOIN member u ON u.id = s.unchecked_by "
        f"WHERE {' AND '.join(conds)} ORDER BY s.checked_on DESC, s.id DESC",
        params,
    )
    return [
        SignoffRow(
            r[0], r[1], r[2], r[3], r[4], f"{r[6]} — {r[5]}" if r[6] else r[5], r[7],
            required_date(r[8]), _who(r[9], r[10]), required_utc(r[11]), r[12], as_date(r[13]),
            _who(r[14], r[15]) if r[13] is not None else None, r[16],
        )
        for r in rows
    ]


def _who(name: str | None, member_id: int | None) -> str:
    return name or ("database owner" if member_id is None else "")


def stands(checked_on: date, unchecked_on: date | None, day: date | None) -> bool:
    """Whether a sign-off counts on `day` (None: now): signed off on or before it, and not
    unchecked on or before it (an uncheck takes the item back from its day on)."""
    if day is None:
        return unchecked_on is None
    return checked_on <= day and (unchecked_on is None or unchecked_on > day)


def standing(
    rd: Reader, member_id: int, requirement_id: int, item: str, day: date
) -> list[tuple[int, date]]:
    """The member's sign-offs of `item` (as the checklist spells it) that stand on `day`:
    signed off on or before it and not unchecked by then, latest first: (id, day)."""
    rows = rd.all(
        "SELECT id, checked_on, unchecked_on FROM checklist_signoff WHERE member_id = :m "
        "AND requirement_id = :r AND item = :item ORDER BY checked_on DESC, id DESC",
        {"m": member_id, "r": requirement_id, "item": item},
    )
    out = []
    for sid, on, off in rows:
        checked = required_date(on)
        if stands(checked, as_date(off), day):
            out.append((int(sid), checked))
    return out


__all__ = ["TABLES", "SignoffRow", "signoffs", "standing", "stands"]
