"""What a program must be and may become: complete while active (`recheck`, `activation`
through the one validity check), its structure fixed once members are enrolled
(ENROLLED_RULE), a free name and version, a known target position, and no prerequisite
cycles between programs."""

from __future__ import annotations

from sqlmodel import Session, col, select

from trainctl.domain.programs import cycle_if_added, problems_hint
from trainctl.domain.text import shell_word
from trainctl.errors import RefusedError
from trainctl.models import Position, Program, ProgramPrerequisite
from trainctl.queries.programs import label, ref_of
from trainctl.services.programs.lookup import has_enrollments, newer_draft, same_name
from trainctl.services.programs.tree import program_problems, spec_of

ENROLLED_RULE = (
    "Once members are enrolled, only the descriptive fields (name, description, position, "
    "concurrent enrollment), time_limit_days, warning_days_before, reminder_conditions and "
    "prerequisite programs may change (enrollments keep their pinned target dates), and a "
    "requirement may be linked (`program requirement add`: every open or completed enrollment "
    "gains it; a required one reopens completed enrollments); phases, the existing requirement "
    "links, milestones, structure_type and is_template are fixed: make a new version."
)


def check_position(session: Session, code: str | None) -> None:
    if code is None or session.get(Position, code) is not None:
        return
    known = ", ".join(session.exec(select(Position.code).order_by(col(Position.code))))
    raise RefusedError(f"Unknown target position {code!r}.", f"Known positions: {known}.")


def check_name_free(
    session: Session, name: str, version: int, *, except_id: int | None = None
) -> None:
    stmt = select(Program.id).where(same_name(name), Program.version == version)
    found = session.exec(stmt).first()
    if found is not None and found != except_id:
        raise RefusedError(
            f"Program '{name}' version {version} already exists.",
            "Choose another name, or another version number.",
        )


def _program_edges(session: Session) -> dict[int, set[int]]:
    edges: dict[int, set[int]] = {}
    for row in session.exec(select(ProgramPrerequisite)):
        edges.setdefault(row.program_id, set()).add(row.prerequisite_id)
    return edges


def check_program_prerequisite(session: Session, program: Program, prereq: Program) -> None:
    assert program.id is not None and prereq.id is not None
    cycle = cycle_if_added(_program_edges(session), program.id, prereq.id)
    if cycle is not None:
        names = {
            p.id: ref_of(p)
            for p in session.exec(select(Program).where(col(Program.id).in_(set(cycle))))
        }
        raise RefusedError(
            f"Program {label(program)} cannot require {label(prereq)}: prerequisites would form a cycle.",
            "A cycle could never be satisfied; remove one of the prerequisites in it.",
            details=[" -> ".join(names[i] for i in cycle) + "  (each requires the next)"],
        )


def guard_structure(
    session: Session, program: Program, doing: str, *, hint: str | None = None
) -> None:
    """Structure is fixed once members are enrolled (ENROLLED_RULE); new versions carry
    changes."""
    if has_enrollments(session, program.id):
        draft = None if hint else newer_draft(session, program)
        if draft is not None:  # the next version is being prepared: change that one
            hint = (f"Its next version is a draft: make the change in {shell_word(ref_of(draft))}, then "
                    f"`trainctl program activate {shell_word(ref_of(draft))}`; enrollments stay on the version "
                    "they started on.")  # fmt: skip
        raise RefusedError(
            f"Program {label(program)} has enrollments, so its structure is fixed ({doing} refused).",
            hint
            or f"Make a new version: `trainctl program duplicate {shell_word(ref_of(program))} --name {shell_word(program.name)}`, "
            "change and activate it; enrollments stay on the version they started on.",
        )


def check_activation(session: Session, program: Program) -> None:
    """Only a valid program becomes active (`activate`, `duplicate --activate`)."""
    problems = program_problems(spec_of(session, program))
    if problems:
        raise RefusedError(
            f"Program {label(program)} is not complete, so it cannot be activated.",
            problems_hint(problems),
            details=problems,
        )


def recheck(session: Session, program: Program) -> None:
    """An active or archived program must stay valid after an edit."""
    if program.status == "draft":
        return
    problems = program_problems(spec_of(session, program))
    if problems:
        raise RefusedError(
            f"This would leave {program.status} program {label(program)} incomplete.",
            f"Rework it as a draft: `trainctl program draft {shell_word(ref_of(program))}`, make the changes, "
            f"then `trainctl program activate {shell_word(ref_of(program))}`.",
            details=problems,
        )
