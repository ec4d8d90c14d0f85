"""Builders for enrollment and progress tests: insert catalog and program rows directly.

Members, requirements and programs are other areas' commands; these tests build their
rows with SQLModel so that enrollment and progress are tested on their own. Each call is
one short transaction and returns the new row's id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backends import engine_url
from sqlmodel import Session

from trainctl.db import open_engine
from trainctl.models import (
    Member,
    PhasePrerequisite,
    Program,
    ProgramMilestone,
    ProgramPhase,
    ProgramPrerequisite,
    ProgramRequirement,
    Requirement,
)

TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    "hours": {"required_hours": 10},
    "shifts": {"required_shifts": 4},
    "calls": {"required_calls": 5},
    "courses": {"required_courses": ["FF1", "FF2"]},
    "certification": {"credential_code": "EMT-B"},
    "skills_evaluation": {"required_skills": ["ladder raise", "hose advance"]},
    "checklist": {"checklist_items": ["uniform", "locker", "SCBA fit test"]},
}


class Dept:
    def __init__(self, db: Path | str) -> None:
        """`db`: the test's database, a SQLite file path or a URL (the `db_url` fixture)."""
        self.engine = open_engine(engine_url(db))

    def _add(self, obj: Any) -> int:
        with Session(self.engine) as s:
            s.add(obj)
            s.commit()
            s.refresh(obj)
            return obj.id

    def member(self, name: str, *, email: str | None = None, badge: str | None = None,
               role: str = "member", status: str = "active",
               positions: tuple[str, ...] = ()) -> int:  # fmt: skip
        email = email or f"{name.lower().replace(' ', '.')}@example.org"
        return self._add(Member(name=name, email=email, badge=badge, role=role, status=status,
                                positions=list(positions)))  # fmt: skip

    def requirement(self, name: str, kind: str = "hours", **kw: Any) -> int:
        fields = {**TYPE_DEFAULTS[kind], **kw}
        return self._add(Requirement(name=name, requirement_type=kind, **fields))

    def program(self, name: str, *, structure: str = "flexible", version: int = 1,
                prerequisites: tuple[int, ...] = (), **kw: Any) -> int:  # fmt: skip
        pid = self._add(Program(name=name, structure_type=structure, version=version, **kw))
        with Session(self.engine) as s:
            for pre in prerequisites:
                s.add(ProgramPrerequisite(program_id=pid, prerequisite_id=pre))
            s.commit()
        return pid

    def phase(self, program_id: int, number: int, name: str | None = None, *,
              manual: bool = False, time_limit_days: int | None = None,
              prerequisites: tuple[int, ...] = ()) -> int:  # fmt: skip
        ph = self._add(
            ProgramPhase(program_id=program_id, phase_number=number, name=name or f"Phase {number}",
                         requires_manual_advancement=manual, time_limit_days=time_limit_days)
        )  # fmt: skip
        with Session(self.engine) as s:
            for pre in prerequisites:
                s.add(PhasePrerequisite(phase_id=ph, prerequisite_phase_id=pre))
            s.commit()
        return ph

    def link(self, program_id: int, requirement_id: int, *, phase_id: int | None = None,
             required: bool = True, prerequisite: bool = False, sort_order: int = 0,
             custom_deadline_days: int | None = None) -> int:  # fmt: skip
        return self._add(
            ProgramRequirement(program_id=program_id, requirement_id=requirement_id, phase_id=phase_id,
                               is_required=required, is_prerequisite=prerequisite, sort_order=sort_order,
                               custom_deadline_days=custom_deadline_days)
        )  # fmt: skip

    def milestone(self, program_id: int, name: str, threshold: float, *,
                  phase_id: int | None = None, verify: bool = False, message: str | None = None) -> int:  # fmt: skip
        return self._add(
            ProgramMilestone(program_id=program_id, name=name, completion_percentage_threshold=threshold,
                             phase_id=phase_id, requires_verification=verify, notification_message=message)
        )  # fmt: skip

    def simple_program(self, name: str, *kinds: str, **kw: Any) -> tuple[int, list[int]]:
        """A flexible program with one required requirement per kind; returns (program, reqs)."""
        pid = self.program(name, **kw)
        reqs = []
        for i, kind in enumerate(kinds or ("hours",)):
            # requirement names are unique (ignoring case) in the department: a second
            # version of a program gets requirements of its own name
            suffix = f" v{kw['version']}" if kw.get("version", 1) != 1 else ""
            rid = self.requirement(f"{name} {kind} {i + 1}{suffix}", kind)
            self.link(pid, rid, sort_order=i)
            reqs.append(rid)
        return pid, reqs

    def scalar(self, sql: str, **params: Any) -> Any:
        import sqlalchemy as sa

        with self.engine.connect() as c:
            return c.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        import sqlalchemy as sa

        with self.engine.connect() as c:
            return list(c.execute(sa.text(sql), params))
