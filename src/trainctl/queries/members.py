"""Members on the read side: the one member resolver, the acting member, listings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from trainctl.errors import NotFoundError, PermissionDeniedError, UsageError
from trainctl.permissions import OWNER, VIEW_ALL, Actor
from trainctl.queries import Reader, as_date, as_json, as_utc

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "member": (
        "id", "name", "email", "badge", "positions", "role", "status", "hire_date",
        "certification_date", "created_at", "created_by", "updated_at",
    ),
    "position": ("code", "name", "is_builtin"),
    "audit_log": ("id", "at", "actor_id", "action", "entity", "entity_id", "detail"),
}  # fmt: skip

LOOKUP_HINT = (
    "Name a member by id, email or badge number (write id:12 or badge:12 when a number "
    "could be either); `trainctl member list` shows them."
)
MAX_ID = 2**63 - 1  # beyond a 64-bit integer nothing can match: "no such member"


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A member as every command shows it (the JSON shape, keys in this order)."""

    id: int
    name: str
    email: str
    badge: str | None
    positions: list[str]
    role: str
    status: str
    hire_date: date | None
    certification_date: date | None
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def who(self) -> str:
        return f"member {self.id} ({self.name}, {self.email})"


_COLUMNS = ", ".join(TABLES["member"])


def _member(r: tuple[Any, ...]) -> MemberRow:
    return MemberRow(
        r[0], r[1], r[2], r[3], as_json(r[4]) or [], r[5], r[6], as_date(r[7]), as_date(r[8]),
        as_utc(r[9]), r[10], as_utc(r[11]),
    )  # type: ignore[arg-type]  # created_at is NOT NULL


def _where(rd: Reader, where: str, **params: Any) -> MemberRow | None:
    row = rd.one(f"SELECT {_COLUMNS} FROM member WHERE {where}", params)
    return _member(row) if row else None


def by_id(rd: Reader, member_id: int) -> MemberRow | None:
    if not 0 < member_id <= MAX_ID:
        return None
    return _where(rd, "id = :id", id=member_id)


def _by_email(rd: Reader, email: str) -> MemberRow | None:
    return _where(rd, "email = :email", email=email.strip().lower())


def _by_badge(rd: Reader, badge: str) -> MemberRow | None:
    return _where(rd, "badge = :badge", badge=badge.strip())


def find_member(rd: Reader, ref: str | int, *, what: str = "member") -> MemberRow | None:
    """The member named by id, email or badge number, or None.

    `id:12`, `email:...` and `badge:12` say which one is meant. A bare number is an id or a
    badge; when it is one member's id and another member's badge, the lookup refuses to guess.
    """
    text = str(ref).strip()
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if sep and kind in ("id", "email", "badge"):
        text = rest.strip()
        if kind == "id":
            return by_id(rd, int(text)) if text.isdigit() else None
        if kind == "email":
            return _by_email(rd, text)
        return _by_badge(rd, text)
    if text.isdigit():
        by_number = by_id(rd, int(text))
        by_badge = _by_badge(rd, text)
        if by_number is not None and by_badge is not None and by_number.id != by_badge.id:
            raise UsageError(
                f"{text!r} is member {by_number.id}'s id ({by_number.name}) and also the badge of "
                f"member {by_badge.id} ({by_badge.name}) ({what}).",
                f"Write id:{text} or badge:{text}.",
            )
        return by_number or by_badge
    if "@" in text:
        return _by_email(rd, text)
    return _by_badge(rd, text)


def get_member(rd: Reader, ref: str | int, *, what: str = "member") -> MemberRow:
    """The one member resolver: one message and exit code for not found and ambiguous."""
    member = find_member(rd, ref, what=what)
    if member is None:
        raise NotFoundError(f"No member {str(ref).strip()!r} ({what}).", LOOKUP_HINT)
    return member


def resolve_actor(rd: Reader, ref: str | None) -> Actor:
    if not ref:
        return OWNER
    member = get_member(rd, ref, what="--as / TRAINCTL_ACTOR")
    if member.status != "active":
        raise PermissionDeniedError(
            f"{member.name} is inactive and cannot act in trainctl.",
            "Reactivate the member with `trainctl member edit ... --status active`.",
        )
    return Actor.of_member(member.id, member.name, member.role)


# ---------------------------------------------------------------------------- listings
def show_member(rd: Reader, actor: Actor, ref: str) -> MemberRow:
    """A member's record; members may view their own, others need training.view_all."""
    member = get_member(rd, ref)
    actor.require_self_or(member.id, VIEW_ALL, "view other members", "view their own record")
    return member


def list_members(
    rd: Reader,
    actor: Actor,
    *,
    status: str | None = "active",
    positions: Iterable[str] = (),
    role: str | None = None,
) -> list[MemberRow]:
    """Members ordered by name. status None = everyone; positions: holding any of them."""
    if not actor.can(VIEW_ALL):
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role}) may not list members: it needs {VIEW_ALL}.",
            "A member may see their own record with `trainctl member show <your email>`.",
        )
    conds, params = ["1 = 1"], {}
    if status is not None:
        conds.append("status = :status")
        params["status"] = status
    if role is not None:
        conds.append("role = :role")
        params["role"] = role
    rows = rd.all(
        f"SELECT {_COLUMNS} FROM member WHERE {' AND '.join(conds)} ORDER BY name, id", params
    )
    members = [_member(r) for r in rows]
    wanted = set(positions)
    if wanted:
        members = [m for m in members if wanted.intersection(m.positions)]
    return members


def names(rd: Reader, ids: Iterable[int | None]) -> dict[int, str]:
    """Member names by id, for "by" columns."""
    from trainctl.queries import in_list

    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    sql, params = in_list("id", wanted)
    return dict(rd.all(f"SELECT id, name FROM member WHERE id IN {sql}", params))  # type: ignore[arg-type]


def position_codes(rd: Reader) -> set[str]:
    return set(rd.column("SELECT code FROM position"))


@dataclass(frozen=True, slots=True)
class PositionInfo:
    code: str
    name: str
    builtin: bool
    active_members: int


def list_positions(rd: Reader) -> list[PositionInfo]:
    """Every position with the number of active members holding it (built-ins first)."""
    counts: dict[str, int] = {}
    for (positions,) in rd.all("SELECT positions FROM member WHERE status = 'active'"):
        for code in as_json(positions) or []:
            counts[code] = counts.get(code, 0) + 1
    rows = rd.all("SELECT code, name, is_builtin FROM position ORDER BY is_builtin DESC, code")
    return [PositionInfo(c, n, bool(b), counts.get(c, 0)) for c, n, b in rows]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: datetime
    action: str
    actor_id: int | None
    detail: dict[str, Any]


def member_history(rd: Reader, member_id: int, limit: int = 20) -> list[HistoryRow]:
    """The latest audit entries about this member (adds, edits, deactivation)."""
    rows = rd.all(
        "SELECT at, action, actor_id, detail FROM audit_log "
        "WHERE entity = 'member' AND entity_id = :id ORDER BY at DESC, id DESC LIMIT :limit",
        {"id": member_id, "limit": limit},
    )
    return [HistoryRow(as_utc(a), b, c, as_json(d) or {}) for a, b, c, d in rows]  # type: ignore[arg-type]
