"""A phased program's phases: add, edit (fields, number, prerequisite phases), remove.
Prerequisite phases belong to the same program and never form a cycle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from trainctl.domain.programs import CYCLE_HINT, cycle_if_added, phase_cycle_text
from trainctl.domain.text import plural, shell_word
from trainctl.errors import RefusedError
from trainctl.models import (
    PhasePrerequisite,
    Program,
    ProgramMilestone,
    ProgramPhase,
    ProgramRequirement,
)
from trainctl.queries.programs import label, ref_of
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.programs.lookup import get_phase, phase_ref
from trainctl.services.programs.rules import guard_structure, recheck

if TYPE_CHECKING:
    # (annotations only: the schemas build at import, and `enroll add` imports this package)
    from trainctl.schemas.programs import PhaseCreate, PhaseUpdate


def _phase_edges(session: Session, program: Program) -> dict[int, set[int]]:
    """{phase number: its prerequisite phase numbers} for the program's phases."""
    edges: dict[int, set[int]] = {}
    after = aliased(ProgramPhase)
    for number, prerequisite in session.exec(
        select(ProgramPhase.phase_number, after.phase_number)
        .join(PhasePrerequisite, col(PhasePrerequisite.phase_id) == col(ProgramPhase.id))
        .join(after, col(after.id) == col(PhasePrerequisite.prerequisite_phase_id))
        .where(ProgramPhase.program_id == program.id)
    ):
        edges.setdefault(number, set()).add(prerequisite)
    return edges


def _set_phase_prereqs(
    session: Session, program: Program, phase: ProgramPhase, refs: list[str]
) -> None:
    targets = [phase_ref(session, program, r) for r in refs]
    session.execute(sa.delete(PhasePrerequisite).where(col(PhasePrerequisite.phase_id) == phase.id))
    session.flush()
    edges = _phase_edges(session, program)
    for target in {t.phase_number: t for t in targets}.values():
        cycle = cycle_if_added(edges, phase.phase_number, target.phase_number)
        if cycle is not None:
            names = dict(
                session.exec(
                    select(ProgramPhase.phase_number, ProgramPhase.name).where(
                        ProgramPhase.program_id == program.id
                    )
                ).all()
            )
            raise RefusedError(
                f"Phase {phase.phase_number} cannot come after phase {target.phase_number}: "
                "phase prerequisites would form a cycle.",
                CYCLE_HINT,
                details=[phase_cycle_text(cycle, names)],
            )
        edges.setdefault(phase.phase_number, set()).add(target.phase_number)
        assert phase.id is not None and target.id is not None
        session.add(PhasePrerequisite(phase_id=phase.id, prerequisite_phase_id=target.id))


def _phase_exists(program: Program, number: int) -> RefusedError:
    return RefusedError(
        f"Phase {number} already exists for this program",
        f"Choose another number; `trainctl program phase list {shell_word(ref_of(program))}` shows the phases.",
    )


def add_phase(
    session: Session, actor: Actor, program: Program, data: PhaseCreate, *, prerequisites: list[str]
) -> ProgramPhase:
    actor.require(MANAGE, "edit programs")
    guard_structure(session, program, "adding a phase")
    taken = session.exec(
        select(ProgramPhase.id).where(
            ProgramPhase.program_id == program.id, ProgramPhase.phase_number == data.phase_number
        )
    ).first()
    if taken is not None:
        raise _phase_exists(program, data.phase_number)
    assert program.id is not None
    phase = ProgramPhase(program_id=program.id, **data.model_dump())
    session.add(phase)
    session.flush()
    _set_phase_prereqs(session, program, phase, prerequisites)
    recheck(session, program)
    audit(
        session,
        actor,
        "program.phase.add",
        "program_phase",
        phase.id,
        program=program.id,
        phase_number=phase.phase_number,
    )
    session.flush()
    return phase


def edit_phase(
    session: Session,
    actor: Actor,
    program: Program,
    number: int,
    data: PhaseUpdate,
    *,
    prerequisites: list[str] | None,
) -> list[str]:
    actor.require(MANAGE, "edit programs")
    phase = get_phase(session, program, number)
    changes = {
        k: v for k, v in data.model_dump(exclude_unset=True).items() if getattr(phase, k) != v
    }
    if changes or prerequisites is not None:
        guard_structure(session, program, "editing a phase")
    if "phase_number" in changes:
        taken = session.exec(
            select(ProgramPhase.id).where(
                ProgramPhase.program_id == program.id,
                ProgramPhase.phase_number == changes["phase_number"],
            )
        ).first()
        if taken is not None:
            raise _phase_exists(program, changes["phase_number"])
    for k, v in changes.items():
        setattr(phase, k, v)
    changed = list(changes)
    if prerequisites is not None:
        session.flush()
        _set_phase_prereqs(session, program, phase, prerequisites)
        changed.append("prerequisites")
    if changed:
        recheck(session, program)
        audit(session, actor, "program.phase.edit", "program_phase", phase.id, changed=changed)
        session.flush()
    return changed


@dataclass
class PhaseRemoval:
    number: int
    name: str
    links: int = 0
    milestones: int = 0


def remove_phase(
    session: Session,
    actor: Actor,
    program: Program,
    number: int,
    *,
    with_requirements: bool = False,
) -> PhaseRemoval:
    """Remove a phase (to undo a mistake; other phases keep their numbers).

    Refused once members are enrolled (ENROLLED_RULE); refused while another phase lists it
    as a prerequisite (drop that first: removing it would silently reorder the program);
    refused while it holds requirement links or milestones unless `with_requirements`, which
    removes them with it. An active program must stay complete (recheck)."""
    actor.require(MANAGE, "edit programs")
    phase = get_phase(session, program, number)
    guard_structure(session, program, "removing a phase")
    dependents = sorted(
        session.exec(
            select(ProgramPhase.phase_number)
            .join(PhasePrerequisite, col(PhasePrerequisite.phase_id) == col(ProgramPhase.id))
            .where(PhasePrerequisite.prerequisite_phase_id == phase.id)
        )
    )
    if dependents:
        shown = ", ".join(str(n) for n in dependents)
        first = dependents[0]
        raise RefusedError(
            f"Phase {number} is a prerequisite of phase {shown}; removing it would change "
            "when those phases start.",
            f"Change their prerequisites first, e.g. `trainctl program phase edit {shell_word(ref_of(program))} "
            f"{first} --after N` (or --no-prerequisites), then remove phase {number}.",
        )
    links = session.exec(
        select(sa.func.count()).where(ProgramRequirement.phase_id == phase.id)
    ).one()
    milestones = session.exec(
        select(sa.func.count()).where(ProgramMilestone.phase_id == phase.id)
    ).one()
    if (links or milestones) and not with_requirements:
        held = " and ".join(
            part
            for part in (
                plural(links, "requirement link") if links else "",
                plural(milestones, "milestone") if milestones else "",
            )
            if part
        )
        raise RefusedError(
            f"Phase {number} of {label(program)} holds {held}.",
            f"Pass --with-requirements to remove them with the phase, or move them first "
            f"(`trainctl program requirement remove {shell_word(ref_of(program))} REQUIREMENT --phase {number}`).",
        )
    result = PhaseRemoval(number, phase.name, links=int(links), milestones=int(milestones))
    audit(
        session,
        actor,
        "program.phase.remove",
        "program_phase",
        phase.id,
        program=program.id,
        phase_number=number,
        name=phase.name,
        links=result.links,
        milestones=result.milestones,
    )
    session.execute(
        sa.delete(ProgramRequirement).where(col(ProgramRequirement.phase_id) == phase.id)
    )
    session.execute(sa.delete(ProgramMilestone).where(col(ProgramMilestone.phase_id) == phase.id))
    session.execute(
        sa.delete(PhasePrerequisite).where(
            sa.or_(
                col(PhasePrerequisite.phase_id) == phase.id,
                col(PhasePrerequisite.prerequisite_phase_id) == phase.id,
            )
        )
    )
    session.execute(sa.delete(ProgramPhase).where(col(ProgramPhase.id) == phase.id))
    session.expire_all()
    recheck(session, program)
    session.flush()
    return result
