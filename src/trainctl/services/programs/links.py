"""Requirements linked to a program or one of its phases: add, edit, remove. The same
requirement counts once per scope. Once members are enrolled a link may still be ADDED
(every open or completed enrollment gains its progress row in the same transaction:
services/enrollment/new_link.py); editing or removing one needs a new version."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain.text import shell_word
from trainctl.errors import NotFoundError, RefusedError
from trainctl.models import Program, ProgramPhase, ProgramRequirement, Requirement
from trainctl.queries.programs import label, ref_of
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.programs.lookup import (
    find_requirement,
    get_phase,
    has_enrollments,
    requirement_label,
    scope_label,
)
from trainctl.services.programs.rules import guard_structure, recheck
from trainctl.services.settings import today as department_today

if TYPE_CHECKING:
    # (annotations only: the schemas build at import, and `enroll add` imports this package)
    from trainctl.schemas.programs import LinkCreate, LinkUpdate
    from trainctl.services.enrollment.new_link import Extension


def find_link(
    session: Session, program: Program, requirement: Requirement, phase: ProgramPhase | None
) -> ProgramRequirement | None:
    stmt = select(ProgramRequirement).where(
        ProgramRequirement.program_id == program.id,
        ProgramRequirement.requirement_id == requirement.id,
    )
    stmt = stmt.where(
        col(ProgramRequirement.phase_id).is_(None)
        if phase is None
        else ProgramRequirement.phase_id == phase.id
    )
    return session.exec(stmt).first()


def add_link(
    session: Session,
    actor: Actor,
    program: Program,
    requirement_ref: str,
    data: LinkCreate,
    *,
    phase_number: int | None,
    today: date | None = None,
    dry_run: bool = False,
) -> tuple[ProgramRequirement | None, Extension]:
    """Link a requirement. On a version with enrollments, each active, on-hold or completed
    enrollment gains the link's progress row (`extend_enrollments`; a required link reopens
    the completed ones), in this transaction. `dry_run`: check everything and count the
    enrollments that would gain it, write nothing (the link is None then)."""
    from trainctl.services.enrollment.new_link import Extension, extend_enrollments, gaining
    from trainctl.services.requirements import refuse_retired

    actor.require(MANAGE, "edit programs")
    requirement = find_requirement(session, requirement_ref)
    # (members would work toward what nobody is judged by; `requirement retire` is
    # refused while a program's members are, for the same reason)
    refuse_retired(requirement, "linked into a program")
    phase = None if phase_number is None else get_phase(session, program, phase_number)
    enrolled = has_enrollments(session, program.id)
    if enrolled and data.is_prerequisite:
        guard_structure(
            session, program, "linking a prerequisite requirement",
            hint="A new prerequisite would hold back credit members are already earning; "
            f"make a new version: `trainctl program duplicate {shell_word(ref_of(program))} --name {shell_word(program.name)}`.",
        )  # fmt: skip
    if find_link(session, program, requirement, phase) is not None:
        raise RefusedError(
            f"Requirement {requirement_label(requirement)} is already linked to {label(program)} at {scope_label(phase)}.",
            "The same requirement counts once per scope; change the link with "
            "`trainctl program requirement edit` instead.",
        )
    values = data.model_dump()
    if values["sort_order"] is None:
        values["sort_order"] = int(_last_sort_order(session, program, phase) or 0) + 10
    elif enrolled and program.structure_type == "sequential":
        _after_the_last(session, program, phase, values["sort_order"])
    assert program.id is not None and requirement.id is not None
    if dry_run:
        assert program.id is not None
        return None, Extension(by_status=gaining(session, program.id) if enrolled else {})
    link = ProgramRequirement(
        program_id=program.id,
        phase_id=None if phase is None else phase.id,
        requirement_id=requirement.id,
        **values,
    )
    session.add(link)
    recheck(session, program)
    session.flush()
    audit(
        session,
        actor,
        "program.requirement.add",
        "program_requirement",
        link.id,
        program=program.id,
        requirement=requirement.id,
        phase=phase_number,
    )
    ext = Extension()
    if enrolled:
        ext = extend_enrollments(
            session, actor, link, today=today or department_today(session),
            through=department_today(session),  # the real today: what is dated after --as-of
        )  # fmt: skip
        audit(
            session, actor, "program.requirement.add.enrollments", "program_requirement", link.id,
            enrollments=ext.enrollments, reopened=ext.reopened, credited=ext.credited,
        )  # fmt: skip
    return link, ext


def _last_sort_order(
    session: Session, program: Program, phase: ProgramPhase | None
) -> int | None:
    """The highest sort order among the links of a scope (None: no link yet)."""
    scope = (
        col(ProgramRequirement.phase_id).is_(None)
        if phase is None
        else ProgramRequirement.phase_id == phase.id
    )
    top = session.exec(
        select(sa.func.max(ProgramRequirement.sort_order)).where(
            ProgramRequirement.program_id == program.id, scope
        )
    ).one()
    return None if top is None else int(top)


def _after_the_last(
    session: Session, program: Program, phase: ProgramPhase | None, sort_order: int
) -> None:
    """A sequential program in use: a new link goes after the others of its scope, so it
    never holds back what members are already working on."""
    top = _last_sort_order(session, program, phase)
    if top is not None and sort_order <= int(top):
        raise RefusedError(
            f"Program {label(program)} is sequential and has enrollments: a new requirement "
            f"goes after the others (--sort-order above {int(top)}).",
            "Leave out --sort-order to put it last, or make a new version to reorder.",
        )


def _get_link(
    session: Session, program: Program, requirement_ref: str, phase_number: int | None
) -> ProgramRequirement:
    requirement = find_requirement(session, requirement_ref)
    phase = None if phase_number is None else get_phase(session, program, phase_number)
    link = find_link(session, program, requirement, phase)
    if link is None:
        raise NotFoundError(
            f"Requirement {requirement_label(requirement)} is not linked to {label(program)} at {scope_label(phase)}.",
            f"`trainctl program requirement list {shell_word(ref_of(program))}` shows its links (pass --phase N for a phase's).",
        )
    return link


def edit_link(
    session: Session,
    actor: Actor,
    program: Program,
    requirement_ref: str,
    data: LinkUpdate,
    *,
    phase_number: int | None,
) -> list[str]:
    actor.require(MANAGE, "edit programs")
    link = _get_link(session, program, requirement_ref, phase_number)
    changes = {
        k: v for k, v in data.model_dump(exclude_unset=True).items() if getattr(link, k) != v
    }
    if changes:
        guard_structure(session, program, "editing a requirement link")
        for k, v in changes.items():
            setattr(link, k, v)
        recheck(session, program)
        audit(
            session,
            actor,
            "program.requirement.edit",
            "program_requirement",
            link.id,
            changed=list(changes),
        )
        session.flush()
    return list(changes)


def remove_link(
    session: Session,
    actor: Actor,
    program: Program,
    requirement_ref: str,
    *,
    phase_number: int | None,
) -> None:
    actor.require(MANAGE, "edit programs")
    link = _get_link(session, program, requirement_ref, phase_number)
    guard_structure(session, program, "removing a requirement link")
    audit(
        session,
        actor,
        "program.requirement.remove",
        "program_requirement",
        link.id,
        program=program.id,
        requirement=link.requirement_id,
        phase=phase_number,
    )
    session.delete(link)
    recheck(session, program)
    session.flush()
