"""Members: lookup, add, list, show, edit, deactivate, positions, and CSV import.

Permissions (DESIGN §4): writes need training.manage; listing everyone needs
training.view_all; any member may view their own record. Members are never deleted:
deactivating keeps their history. Every write records who made it (created_by, audit_log).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.errors import BadInputError, NotFoundError, PermissionDeniedError, UsageError
from trainctl.models import AuditLog, Member, Position, utcnow
from trainctl.schemas.members import (
    MemberCreate,
    MemberUpdate,
    PositionCreate,
    position_hint,
)
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, VIEW_ALL, Actor

LOOKUP_HINT = (
    "Name a member by id, email or badge number (write id:12 or badge:12 when a number "
    "could be either); `trainctl member list` shows them."
)


# ---------------------------------------------------------------------------------- lookup
def get_member(session: Session, ref: str | int, *, what: str = "member") -> Member:
    """Find a member by id, email or badge number.

    `id:12`, `email:...` and `badge:12` say which one is meant. A bare number is an id or a
    badge; when it is one member's id and another member's badge, the lookup refuses to guess.
    """
    text = str(ref).strip()
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    member: Member | None = None
    if sep and kind in ("id", "email", "badge"):
        text = rest.strip()
        if kind == "id":
            member = session.get(Member, int(text)) if text.isdigit() else None
        elif kind == "email":
            member = _by_email(session, text)
        else:
            member = _by_badge(session, text)
    elif text.isdigit():
        by_id = session.get(Member, int(text))
        by_badge = _by_badge(session, text)
        if by_id is not None and by_badge is not None and by_id.id != by_badge.id:
            raise UsageError(
                f"{text!r} is member {by_id.id}'s id ({by_id.name}) and also the badge of "
                f"member {by_badge.id} ({by_badge.name}) ({what}).",
                f"Write id:{text} or badge:{text}.",
            )
        member = by_id or by_badge
    elif "@" in text:
        member = _by_email(session, text)
    else:
        member = _by_badge(session, text)
    if member is None:
        raise NotFoundError(f"No member {str(ref).strip()!r} ({what}).", LOOKUP_HINT)
    return member


def _by_email(session: Session, email: str) -> Member | None:
    return session.exec(select(Member).where(Member.email == email.strip().lower())).first()


def _by_badge(session: Session, badge: str) -> Member | None:
    return session.exec(select(Member).where(Member.badge == badge.strip())).first()


def who(member: Member) -> str:
    return f"member {member.id} ({member.name}, {member.email})"


# ------------------------------------------------------------------------------- positions
def position_codes(session: Session) -> set[str]:
    return set(session.exec(select(Position.code)).all())


@dataclass(frozen=True)
class PositionInfo:
    code: str
    name: str
    builtin: bool
    active_members: int


def list_positions(session: Session, actor: Actor) -> list[PositionInfo]:
    """Every position with the number of active members holding it (built-ins first)."""
    counts: dict[str, int] = {}
    for positions in session.exec(select(Member.positions).where(Member.status == "active")):
        for code in positions or []:
            counts[code] = counts.get(code, 0) + 1
    rows = session.exec(
        select(Position).order_by(col(Position.is_builtin).desc(), col(Position.code))
    ).all()
    return [PositionInfo(p.code, p.name, p.is_builtin, counts.get(p.code, 0)) for p in rows]


def add_position(session: Session, actor: Actor, data: PositionCreate) -> Position:
    """Add a department position (members and requirements can then name it)."""
    actor.require(MANAGE, "add positions")
    existing = session.get(Position, data.code)
    if existing is not None:
        raise BadInputError(
            f"Position {data.code!r} already exists ({existing.name}).",
            "`trainctl member positions` lists the positions.",
        )
    position = Position(code=data.code, name=data.name, is_builtin=False)
    session.add(position)
    session.flush()
    audit(session, actor, "position.add", "position", None, code=data.code, name=data.name)
    return position


# ------------------------------------------------------------------------ add / edit / show
def _refuse_taken(
    session: Session, *, email: str | None, badge: str | None, exclude_id: int | None = None
) -> None:
    """A clear error naming the field and the member who holds it (not an IntegrityError)."""
    conditions = []
    if email is not None:
        conditions.append(Member.email == email)
    if badge is not None:
        conditions.append(Member.badge == badge)
    if not conditions:
        return
    query = select(Member).where(sa.or_(*conditions))
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    for other in session.exec(query):
        if email is not None and other.email == email:
            raise BadInputError(
                f"The email {email} already belongs to {who(other)}.",
                f"Each member has their own email; `trainctl member show {other.id}` shows that member.",
            )
        raise BadInputError(
            f"The badge {badge} already belongs to {who(other)}.",
            f"Badge numbers are unique; free it first with `trainctl member edit {other.id} --badge ''`.",
        )


def add_member(session: Session, actor: Actor, data: MemberCreate) -> Member:
    actor.require(MANAGE, "add members")
    _check_positions(session, data.positions)
    _refuse_taken(session, email=data.email, badge=data.badge)
    member = Member(**data.model_dump(), created_by=actor.member_id)
    session.add(member)
    session.flush()
    audit(session, actor, "member.add", "member", member.id, email=member.email, name=member.name)
    return member


def _check_positions(session: Session, codes: Sequence[str]) -> None:
    unknown = sorted(set(codes) - position_codes(session)) if codes else []
    if unknown:
        details = [f"field positions: unknown position {c!r}" for c in unknown]
        raise BadInputError(
            f"Unknown position{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            position_hint(details),
        )


def show_member(session: Session, actor: Actor, ref: str) -> Member:
    """A member's record; members may view their own, others need training.view_all."""
    member = get_member(session, ref)
    assert member.id is not None
    actor.require_self_or(member.id, VIEW_ALL, "view other members")
    return member


def member_history(session: Session, member: Member, limit: int = 20) -> list[AuditLog]:
    """The latest audit entries about this member (adds, edits, deactivation)."""
    query = (
        select(AuditLog)
        .where(AuditLog.entity == "member", AuditLog.entity_id == member.id)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def _same(field_name: str, old: Any, new: Any) -> bool:
    if field_name == "positions":
        return sorted(old or []) == sorted(new or [])
    return bool(old == new)


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def diff_member(member: Member, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(member, name), value)
        for name, value in values.items()
        if not _same(name, getattr(member, name), value)
    }


def edit_member(
    session: Session, actor: Actor, ref: str, data: MemberUpdate
) -> tuple[Member, dict[str, tuple[Any, Any]]]:
    """Change the fields set in `data`. Returns the member and {field: (old, new)}."""
    actor.require(MANAGE, "edit members")
    member = get_member(session, ref)
    values = data.model_dump(exclude_unset=True)
    for required in ("name", "email", "role", "status"):
        if required in values and values[required] is None:
            raise BadInputError(f"A member's {required} cannot be cleared.")
    changes = diff_member(member, values)
    if not changes:
        return member, {}
    if "positions" in changes:
        _check_positions(session, values["positions"])
    _refuse_taken(
        session,
        email=values.get("email") if "email" in changes else None,
        badge=values.get("badge") if "badge" in changes else None,
        exclude_id=member.id,
    )
    for name, (_, new) in changes.items():
        setattr(member, name, new)
    member.updated_at = utcnow()
    session.add(member)
    session.flush()
    audit(
        session,
        actor,
        "member.edit",
        "member",
        member.id,
        changes={k: [jsonable(o), jsonable(n)] for k, (o, n) in changes.items()},
    )
    return member, changes


def deactivate_member(
    session: Session, actor: Actor, ref: str, *, reason: str | None = None
) -> tuple[Member, bool]:
    """Set status inactive (never deletes: records, enrollments and history stay).

    Returns (member, changed); deactivating an inactive member changes nothing.
    """
    actor.require(MANAGE, "deactivate members")
    member = get_member(session, ref)
    if member.status == "inactive":
        return member, False
    member.status = "inactive"
    member.updated_at = utcnow()
    session.add(member)
    session.flush()
    audit(session, actor, "member.deactivate", "member", member.id, reason=reason)
    return member, True


# ------------------------------------------------------------------------------------ list
def list_members(
    session: Session,
    actor: Actor,
    *,
    status: str | None = "active",
    positions: Iterable[str] = (),
    role: str | None = None,
) -> list[Member]:
    """Members ordered by name. status None = everyone; positions: holding any of them."""
    if not actor.can(VIEW_ALL):
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role}) may not list members: it needs {VIEW_ALL}.",
            "A member may see their own record with `trainctl member show <your email>`.",
        )
    query = select(Member).order_by(col(Member.name), col(Member.id))
    if status is not None:
        query = query.where(Member.status == status)
    if role is not None:
        query = query.where(Member.role == role)
    members = list(session.exec(query))
    wanted = set(positions)
    if wanted:
        members = [m for m in members if wanted.intersection(m.positions or [])]
    return members
