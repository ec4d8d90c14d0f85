"""The audit log: everything written records who did it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from trainctl.permissions import Actor
from trainctl.services.store import Writer

if TYPE_CHECKING:
    from sqlmodel import Session


def audit(
    db: Session | Writer,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None = None,
    **detail: Any,
) -> None:
    """One audit row, in the caller's transaction: added to an ORM session, or written by the
    progress writer's SQL (services/store.py), which keeps `progress update` free of
    the ORM."""
    if isinstance(db, Writer):
        db.execute(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, detail) "
            "VALUES (:at, :actor, :action, :entity, :entity_id, :detail)",
            {"at": datetime.now(UTC), "actor": actor.member_id, "action": action,
             "entity": entity, "entity_id": entity_id, "detail": detail},
        )  # fmt: skip
        return
    from trainctl.models import AuditLog  # the ORM only for a Session (see above)

    db.add(
        AuditLog(actor_id=actor.member_id, action=action, entity=entity, entity_id=entity_id, detail=detail)
    )
