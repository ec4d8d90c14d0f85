"""Members: lookup by id, email or badge (more use cases are added in this module)."""

from __future__ import annotations

from sqlmodel import Session, select

from trainctl.errors import NotFoundError
from trainctl.models import Member


def get_member(session: Session, ref: str | int, *, what: str = "member") -> Member:
    """Find a member by id, email or badge number."""
    text = str(ref).strip()
    member: Member | None = None
    if text.isdigit():
        member = session.get(Member, int(text))
    if member is None and "@" in text:
        member = session.exec(select(Member).where(Member.email == text.lower())).first()
    if member is None:
        member = session.exec(select(Member).where(Member.badge == text)).first()
    if member is None:
        raise NotFoundError(
            f"No member {text!r} ({what}).",
            "Name a member by id, email or badge number; `trainctl member list` shows them.",
        )
    return member
