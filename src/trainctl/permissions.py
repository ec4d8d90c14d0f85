"""The acting member and the spec's permissions, in one place (pure: no database).

Commands run as the database owner (full rights) unless `--as` / TRAINCTL_ACTOR names a
member. Then the spec's permissions apply:
- officers: training.manage, training.view_all, training.view, training.update
- members:  training.view (their own records), training.update (their own, and only when
  self-reporting is enabled; such credit counts once an officer verifies it)

Two rules every command shares: "self or a manager" (`require_self_or`: one's own records,
or the permission) and "not one's own" (`refuse_own`: nobody verifies or evaluates
themselves). Their messages are written here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainctl.errors import PermissionDeniedError

MANAGE = "training.manage"
VIEW_ALL = "training.view_all"
VIEW = "training.view"
UPDATE = "training.update"

ROLE_PERMISSIONS = {
    "officer": frozenset({MANAGE, VIEW_ALL, VIEW, UPDATE}),
    "member": frozenset({VIEW, UPDATE}),
}
OWNER_HINT = "Ask a training officer, or run without --as / TRAINCTL_ACTOR as the database owner."


@dataclass(frozen=True)
class Actor:
    member_id: int | None  # None: the database owner
    name: str
    role: str  # "owner", "officer" or "member"
    permissions: frozenset[str]

    @classmethod
    def of_member(cls, member_id: int, name: str, role: str) -> Actor:
        return cls(member_id, name, role, ROLE_PERMISSIONS.get(role, frozenset()))

    @property
    def is_owner(self) -> bool:
        return self.member_id is None

    def is_self(self, member_id: int | None) -> bool:
        return self.member_id is not None and self.member_id == member_id

    def can(self, permission: str) -> bool:
        return self.is_owner or permission in self.permissions

    def require(self, permission: str, doing: str, hint: str | None = None) -> None:
        if not self.can(permission):
            raise PermissionDeniedError(
                f"{self.name} ({self.role}) may not {doing}: it needs {permission}.",
                hint or OWNER_HINT,
            )

    def require_self_or(
        self,
        member_id: int | None,
        permission: str,
        doing: str,
        own: str | None = None,
        hint: str | None = None,
    ) -> None:
        """Allowed on one's own records, otherwise `permission` is needed. One message:
        "Ann Lee (member) may not see other members' enrollments: it needs
        training.view_all; without it a member may only see their own enrollments." """
        if not self.is_self(member_id) and not self.can(permission):
            also = f"; without it a member may only {own}" if own else ""
            raise PermissionDeniedError(
                f"{self.name} ({self.role}) may not {doing}: it needs {permission}{also}.",
                hint or OWNER_HINT,
            )

    def refuse_own(self, member_id: int | None, doing: str = "verifies their own progress") -> None:
        """Nobody verifies (or evaluates) their own work."""
        if self.is_self(member_id):
            raise PermissionDeniedError(f"Nobody {doing}.", "Ask another training officer.")

    def own_line(self, member_id: int | None, noun: str) -> tuple[str, str] | None:
        """An imported line about the acting member themselves (`refuse_own` for a sheet):
        the problem (field, reason) that refuses the line; None for anyone else. An
        officer's own training, cards, shifts and calls count toward their own programs
        and compliance, so another officer enters them, as another verifies their progress."""
        if not self.is_self(member_id):
            return None
        return "member", (
            f"this line is about you ({self.name}): nobody records their own {noun}; another "
            "training officer (or the database owner) imports it"
        )


OWNER = Actor(member_id=None, name="database owner", role="owner", permissions=frozenset())
