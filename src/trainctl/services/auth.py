"""The acting member on the write side. The rules live in trainctl.permissions (pure) and
the lookup in trainctl.queries.members (the one member resolver); this module joins them
for a Session."""

from __future__ import annotations

from sqlmodel import Session

from trainctl.permissions import (  # noqa: F401  (the names services import from here)
    MANAGE,
    OWNER,
    ROLE_PERMISSIONS,
    UPDATE,
    VIEW,
    VIEW_ALL,
    Actor,
)
from trainctl.queries import reader_of
from trainctl.queries.members import resolve_actor as _resolve


def resolve_actor(session: Session, ref: str | None) -> Actor:
    """queries.members.resolve_actor, always (it also decides what its messages may show)."""
    return _resolve(reader_of(session), ref)
