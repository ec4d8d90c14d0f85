"""Milestones of a program or one of its phases: add, find, edit, remove. Names are
unique (ignoring case) within their scope; milestones are fixed once members are enrolled
(their events refer to them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain.text import shell_word
from trainctl.errors import NotFoundError, RefusedError
from trainctl.models import Program, ProgramMilestone, ProgramPhase
from trainctl.queries.programs import label, ref_of
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.programs.lookup import get_phase, scope_label
from trainctl.services.programs.rules import guard_structure

if TYPE_CHECKING:
    # (annotations only: the schemas build at import, and `enroll add` imports this package)
    from trainctl.schemas.programs import MilestoneCreate, MilestoneUpdate


def add_milestone(
    session: Session,
    actor: Actor,
    program: Program,
    data: MilestoneCreate,
    *,
    phase_number: int | None,
) -> ProgramMilestone:
    actor.require(MANAGE, "edit programs")
    phase = None if phase_number is None else get_phase(session, program, phase_number)
    guard_structure(session, program, "adding a milestone")
    scope = (
        col(ProgramMilestone.phase_id).is_(None)
        if phase is None
        else ProgramMilestone.phase_id == phase.id
    )
    same = session.exec(
        select(ProgramMilestone.id).where(
            ProgramMilestone.program_id == program.id,
            scope,
            sa.func.lower(col(ProgramMilestone.name)) == data.name.lower(),
        )
    ).first()
    if same is not None:
        raise RefusedError(
            f"Milestone {data.name!r} already exists at {scope_label(phase)} of {label(program)}.",
            "Milestone names are unique within their scope; choose another name.",
        )
    assert program.id is not None
    ms = ProgramMilestone(
        program_id=program.id, phase_id=None if phase is None else phase.id, **data.model_dump()
    )
    session.add(ms)
    session.flush()
    audit(
        session,
        actor,
        "program.milestone.add",
        "program_milestone",
        ms.id,
        program=program.id,
        phase=phase_number,
    )
    return ms


def _milestone_scope(phase: ProgramPhase | None) -> Any:
    return (
        col(ProgramMilestone.phase_id).is_(None)
        if phase is None
        else ProgramMilestone.phase_id == phase.id
    )


def get_milestone(
    session: Session, program: Program, name: str, *, phase_number: int | None
) -> ProgramMilestone:
    """A milestone by name (ignoring case) within its scope (the program level, or a phase)."""
    phase = None if phase_number is None else get_phase(session, program, phase_number)
    ms = session.exec(
        select(ProgramMilestone).where(
            ProgramMilestone.program_id == program.id,
            _milestone_scope(phase),
            sa.func.lower(col(ProgramMilestone.name)) == name.strip().lower(),
        )
    ).first()
    if ms is None:
        raise NotFoundError(
            f"No milestone {name.strip()!r} at {scope_label(phase)} of {label(program)}.",
            f"`trainctl program milestone list {shell_word(ref_of(program))}` shows them (pass --phase N "
            "for a phase's milestone).",
        )
    return ms


def edit_milestone(
    session: Session,
    actor: Actor,
    program: Program,
    name: str,
    data: MilestoneUpdate,
    *,
    phase_number: int | None,
) -> list[str]:
    """Change the given fields of a milestone; refused once members are enrolled."""
    actor.require(MANAGE, "edit programs")
    ms = get_milestone(session, program, name, phase_number=phase_number)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if getattr(ms, k) != v}
    if not changes:
        return []
    guard_structure(session, program, "editing a milestone")
    if "name" in changes and changes["name"].lower() != ms.name.lower():
        phase = None if ms.phase_id is None else session.get(ProgramPhase, ms.phase_id)
        same = session.exec(
            select(ProgramMilestone.id).where(
                ProgramMilestone.program_id == program.id,
                _milestone_scope(phase),
                sa.func.lower(col(ProgramMilestone.name)) == changes["name"].lower(),
            )
        ).first()
        if same is not None:
            raise RefusedError(
                f"Milestone {changes['name']!r} already exists at {scope_label(phase)} of {label(program)}.",
                "Milestone names are unique within their scope; choose another name.",
            )
    for k, v in changes.items():
        setattr(ms, k, v)
    audit(
        session, actor, "program.milestone.edit", "program_milestone", ms.id, changed=list(changes)
    )
    session.flush()
    return list(changes)


def remove_milestone(
    session: Session, actor: Actor, program: Program, name: str, *, phase_number: int | None
) -> ProgramMilestone:
    """Remove a milestone; refused once members are enrolled (their events refer to it)."""
    actor.require(MANAGE, "edit programs")
    ms = get_milestone(session, program, name, phase_number=phase_number)
    guard_structure(session, program, "removing a milestone")
    audit(
        session,
        actor,
        "program.milestone.remove",
        "program_milestone",
        ms.id,
        program=program.id,
        name=ms.name,
        phase=phase_number,
    )
    session.delete(ms)
    session.flush()
    return ms
