"""The acting member and the spec's permissions.

Commands run as the database owner (full rights) unless `--as` / TRAINCTL_ACTOR names a
member. Then the spec's permissions apply:
- officers: training.manage, training.view_all, training.view, training.update
- members:  training.view (their own records), training.update (their own, and only when
  self-reporting is enabled; such credit counts once an officer verifies it)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from trainctl.errors import PermissionDeniedError

MANAGE = "training.manage"
VIEW_ALL = "training.view_all"
VIEW = "training.view"
UPDATE = "training.update"

ROLE_PERMISSIONS = {
    "officer": frozenset({MANAGE, VIEW_ALL, VIEW, UPDATE}),
    "member": frozenset({VIEW, UPDATE}),
}


@dataclass(frozen=True)
class Actor:
    member_id: int | None  # None: the database owner
    name: str
    role: str  # "owner", "officer" or "member"
    permissions: frozenset[str]

    @property
    def is_owner(self) -> bool:
        return self.member_id is None

    def can(self, permission: str) -> bool:
        return self.is_owner or permission in self.permissions

    def require(self, permission: str, doing: str) -> None:
        if not self.can(permission):
            raise PermissionDeniedError(
                f"{self.name} ({self.role}) may not {doing}: it needs {permission}.",
                "Ask a training officer, or run without --as / TRAINCTL_ACTOR as the database owner.",
            )

    def require_self_or(self, member_id: int, permission: str, doing: str) -> None:
        """Allowed on one's own records, otherwise `permission` is needed."""
        if self.member_id == member_id:
            return
        self.require(permission, doing)


OWNER = Actor(member_id=None, name="database owner", role="owner", permissions=frozenset())


def resolve_actor(session: Session, ref: str | None) -> Actor:
    if not ref:
        return OWNER
    from trainctl.services.members import get_member

    member = get_member(session, ref, what="--as / TRAINCTL_ACTOR")
    if member.status != "active":
        raise PermissionDeniedError(
            f"{member.name} is inactive and cannot act in trainctl.",
            "Reactivate the member with `trainctl member edit ... --status active`.",
        )
    return Actor(
        member_id=member.id,
        name=member.name,
        role=member.role,
        permissions=ROLE_PERMISSIONS.get(member.role, frozenset()),
    )
