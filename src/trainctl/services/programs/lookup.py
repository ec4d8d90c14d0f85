"""Finding a program and its parts on the write side: the program (the one resolver,
queries.programs.get_program), a requirement (the one requirement resolver), a phase by
number or id, and whether anyone is enrolled."""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain.lookup import MAX_ID, as_id
from trainctl.domain.text import plural, shell_word
from trainctl.errors import NotFoundError, RefusedError, UsageError
from trainctl.models import Enrollment, Program, ProgramPhase, Requirement
from trainctl.queries import programs as read
from trainctl.queries import reader_of
from trainctl.queries import requirements as read_requirements
from trainctl.queries.programs import label, ref_of

__all__ = [
    "find_requirement", "get_phase", "get_program", "has_enrollments", "newer_draft", "phase_ref",
    "program_to_activate", "program_to_change", "requirement_label", "same_name", "scope_label",
]  # fmt: skip


def same_name(name: str) -> Any:
    """Program.name is `name` ignoring case, folded by the database on both sides (the
    resolver's rule, queries.programs.get_program; str.casefold: dbfile.FOLD_FUNCTION)."""
    fold = sa.func.trainctl_fold
    return fold(col(Program.name)) == fold(sa.literal(name, sa.String))


def get_program(session: Session, ref: str | int, *, what: str | None = None) -> Program:
    """The program named by id, "Name" or "Name@2" (the one resolver:
    queries.programs.get_program, on this session's transaction)."""
    session.flush()
    found = read.get_program(reader_of(session), ref, what=what)
    program = session.get(Program, found.id)
    assert program is not None
    return program


def program_to_change(session: Session, ref: str | int) -> Program:
    """The program a change of its content names (`program edit`, its phases, requirement
    links and milestones): as get_program, but a bare name whose live version it resolves
    to has a draft of the same name beside it is refused as ambiguous (exit 2), naming
    both: after `program duplicate NAME --name NAME`, `program requirement add NAME ...`
    linked into the live v1 that members are in, not the v2 draft (a review)."""
    session.flush()
    found, versions = read.named_versions(reader_of(session), ref)
    drafts = [p for p in versions if p.status == "draft" and p.id != found.id]
    if drafts and found.status != "draft":
        enrolled = session.exec(
            select(sa.func.count()).select_from(Enrollment).where(Enrollment.program_id == found.id)
        ).one()
        named = [f"'{ref_of(found)}' ({found.status}, {plural(int(enrolled), 'enrollment')})"]
        named += [f"'{ref_of(p)}' (draft)" for p in drafts]
        raise UsageError(
            f"'{found.name}' names more than one version: {' and '.join(named)}.",
            f"Name the version to change: {shell_word(ref_of(drafts[-1]))} (the draft; then `trainctl program "
            f"activate {shell_word(ref_of(drafts[-1]))}`), or {shell_word(ref_of(found))}.",
        )
    return get_program(session, found.id)


def program_to_activate(session: Session, ref: str | int) -> Program:
    """The program `program activate` names: a bare name whose active version has a newer
    draft of the same name beside it is that draft (the newest), the only thing activating
    it can mean (a review: 'v1 is already active', exit 0, and the v2 draft stayed a
    draft); else as get_program."""
    session.flush()
    found, versions = read.named_versions(reader_of(session), ref)
    program = get_program(session, found.id)
    if program.status == "active" and len(versions) > 1:  # a bare name, several versions
        return newer_draft(session, program) or program
    return program


def newer_draft(session: Session, program: Program) -> Program | None:
    """The newest draft of the program's name above its version (the next version being
    prepared), if any."""
    stmt = (
        select(Program)
        .where(same_name(program.name), Program.status == "draft", Program.version > program.version)
        .order_by(col(Program.version).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def find_requirement(session: Session, ref: str | int) -> Requirement:
    """The requirement named by id, registry code, name or alias (the one requirement
    resolver, queries.requirements.get_requirement, as services.requirements uses it)."""
    session.flush()
    found = read_requirements.get_requirement(reader_of(session), ref)
    requirement = session.get(Requirement, found.id)
    assert requirement is not None
    return requirement


class Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def registry_code(self) -> str | None: ...


def requirement_label(req: Named) -> str:
    """How program messages and diffs name a requirement: 'NFPA 1001' or 'Pump ops'."""
    return req.registry_code or f"'{req.name}'"


def scope_label(phase: ProgramPhase | None) -> str:
    """Where a link or milestone sits: 'the program level' or 'phase 2'."""
    return "the program level" if phase is None else f"phase {phase.phase_number}"


def get_phase(session: Session, program: Program, number: int) -> ProgramPhase:
    phase = None
    if 0 < number <= MAX_ID:
        phase = session.exec(
            select(ProgramPhase).where(
                ProgramPhase.program_id == program.id, ProgramPhase.phase_number == number
            )
        ).first()
    if phase is None:
        raise NotFoundError(
            f"Program {label(program)} has no phase {number}.",
            f"`trainctl program phase list {shell_word(ref_of(program))}` shows its phases.",
        )
    return phase


def phase_ref(session: Session, program: Program, ref: str) -> ProgramPhase:
    """A phase of `program` named by its number or by id:N (refused for another program's)."""
    text = str(ref).strip()
    if text.lower().startswith("id:") and text[3:].isdigit():
        ident = as_id(text[3:])
        phase = session.get(ProgramPhase, ident) if ident is not None else None
        if phase is None:
            raise NotFoundError(
                f"No phase with id {text[3:]}.",
                "`trainctl program phase list PROGRAM` shows phase ids.",
            )
        if phase.program_id != program.id:
            other = session.get(Program, phase.program_id)
            raise RefusedError(
                f"Phase id {phase.id} belongs to program {label(other) if other else phase.program_id}; "
                "a phase's prerequisites must be phases of the same program.",
                f"Name a phase of {label(program)} by its number.",
            )
        return phase
    if not text.isdigit():
        raise RefusedError(
            f"{text!r} is not a phase: give a phase number, or id:N.",
            "`trainctl program phase list PROGRAM` shows them.",
        )
    return get_phase(session, program, int(text))


def has_enrollments(session: Session, program_id: int | None) -> bool:
    stmt = select(Enrollment.id).where(Enrollment.program_id == program_id).limit(1)
    return session.exec(stmt).first() is not None
