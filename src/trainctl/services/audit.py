"""The audit log: everything written records who did it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from trainctl.models import AuditLog
from trainctl.permissions import Actor


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditLog(actor_id=actor.member_id, action=action, entity=entity, entity_id=entity_id, detail=detail)
    )
