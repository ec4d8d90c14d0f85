"""A program's life: create (a draft), edit its fields and prerequisite programs, change
its status (activate / archive / back to draft), and copy it into a new version or from a
template. Phases, links and milestones have their own modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain.text import shell_word
from trainctl.errors import BadInputError, NotFoundError, RefusedError
from trainctl.models import Program, ProgramPrerequisite, utcnow
from trainctl.queries.programs import label, ref_of
from trainctl.schemas.text import clean_name
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.programs.lookup import get_program, same_name
from trainctl.services.programs.rules import (
    check_activation,
    check_name_free,
    check_position,
    check_program_prerequisite,
    guard_structure,
    recheck,
)
from trainctl.services.programs.sync import sync
from trainctl.services.programs.tree import PROGRAM_FIELDS, Spec, spec_of

if TYPE_CHECKING:
    # (annotations only: the schemas build at import, and `enroll add` imports this package)
    from trainctl.schemas.programs import ProgramCreate, ProgramUpdate


def next_version(session: Session, program: Program) -> int:
    """One above the highest version in the program's lineage."""
    lineage = program.lineage_id or program.id
    assert lineage is not None
    return _next_in_line(session, lineage, program.version)


def _next_in_line(session: Session, lineage: int, floor: int = 0) -> int:
    """One above the highest version in this lineage (`floor` when it has none)."""
    top = session.exec(
        select(sa.func.max(Program.version)).where(
            sa.or_(col(Program.lineage_id) == lineage, col(Program.id) == lineage)
        )
    ).one()
    return int(top or floor) + 1


def _named(session: Session, name: str) -> Program | None:
    """The newest version of the program named `name` (case aside), if any."""
    stmt = select(Program).where(same_name(name)).order_by(col(Program.version).desc()).limit(1)
    return session.exec(stmt).first()


def _lineage_for(session: Session, name: str) -> int | None:
    other = _named(session, name)
    return None if other is None else (other.lineage_id or other.id)


def create_program(
    session: Session, actor: Actor, data: ProgramCreate, *, status: str = "draft"
) -> Program:
    """A new program (a draft unless `status` says otherwise), first of its lineage unless
    another version of the same name exists."""
    actor.require(MANAGE, "create programs")
    check_name_free(session, data.name, data.version)
    check_position(session, data.target_position)
    prereqs = [get_program(session, r, what="prerequisite") for r in data.prerequisites]
    program = Program(
        name=data.name,
        version=data.version,
        status=status,
        created_by=actor.member_id,
        **{f: getattr(data, f) for f in PROGRAM_FIELDS if f != "reminder_conditions"},
        reminder_conditions=data.reminder_conditions.stored(),
    )
    program.lineage_id = _lineage_for(session, data.name)
    session.add(program)
    session.flush()
    if program.lineage_id is None:
        program.lineage_id = program.id
    for pre in prereqs:
        check_program_prerequisite(session, program, pre)
    if prereqs:
        session.execute(
            sa.insert(ProgramPrerequisite),
            [
                {"program_id": program.id, "prerequisite_id": p.id}
                for p in {p.id: p for p in prereqs}.values()
            ],
        )
    audit(
        session,
        actor,
        "program.create",
        "program",
        program.id,
        name=program.name,
        version=program.version,
    )
    session.flush()
    return program


def update_program(
    session: Session,
    actor: Actor,
    program: Program,
    data: ProgramUpdate,
    *,
    add_prerequisites: list[str] | None = None,
    remove_prerequisites: list[str] | None = None,
) -> list[str]:
    """Change the given fields; returns the names of what changed."""
    actor.require(MANAGE, "edit programs")
    changes = data.model_dump(exclude_unset=True)
    if "reminder_conditions" in changes and data.reminder_conditions is not None:
        changes["reminder_conditions"] = data.reminder_conditions.stored()
    changes = {k: v for k, v in changes.items() if getattr(program, k) != v}
    if "name" in changes:
        check_name_free(session, changes["name"], program.version, except_id=program.id)
    if "target_position" in changes:
        check_position(session, changes["target_position"])
    if "structure_type" in changes:
        guard_structure(session, program, "changing the structure type")
    if "is_template" in changes:
        copy = f"{program.name} template"
        guard_structure(
            session,
            program,
            "marking it as a template" if changes["is_template"] else "unmarking the template",
            hint=(
                "A template cannot be enrolled in. Make a template from a copy: "
                f"`trainctl program duplicate {shell_word(ref_of(program))} --name {shell_word(copy)}`, then "
                f"`trainctl program edit {shell_word(copy)} --template`; new programs start from it with "
                f"`trainctl program create NAME --from-template {shell_word(copy)}`."
            )
            if changes["is_template"]
            else None,
        )
    was = {k: getattr(program, k) for k in changes}  # what the audit entry says it was
    for k, v in changes.items():
        setattr(program, k, v)
    changed = list(changes)
    for ref in add_prerequisites or []:
        pre = get_program(session, ref, what="prerequisite")
        check_program_prerequisite(session, program, pre)
        exists = session.get(ProgramPrerequisite, (program.id, pre.id))
        if exists is None:
            assert program.id is not None and pre.id is not None
            session.add(ProgramPrerequisite(program_id=program.id, prerequisite_id=pre.id))
            changed.append(f"+prerequisite {ref_of(pre)}")
    for ref in remove_prerequisites or []:
        pre = get_program(session, ref, what="prerequisite")
        row = session.get(ProgramPrerequisite, (program.id, pre.id))
        if row is None:
            raise NotFoundError(
                f"Program {label(program)} does not require {label(pre)}.",
                "`trainctl program show` lists its prerequisites.",
            )
        session.delete(row)
        changed.append(f"-prerequisite {ref_of(pre)}")
    if changed:
        program.updated_at = utcnow()
        if "structure_type" in changes:
            recheck(session, program)
        # what changed, and from what to what (as requirement.edit says it): "time_limit_days"
        # alone left an auditor to guess the old deadline
        audit(session, actor, "program.edit", "program", program.id, changed=changed,
              changes={k: {"from": was[k], "to": v} for k, v in changes.items()})  # fmt: skip
        session.flush()
    return changed


def activation_notes(session: Session, program: Program) -> list[str]:
    """What an officer activating `program` should know that does not stop it: a last
    phase asking for manual advancement has nothing to advance to."""
    from trainctl.domain import progress as dp
    from trainctl.services.progress.phases import load_phases

    if program.structure_type != "phases" or program.id is None:
        return []
    last = dp.idle_manual_advancement(load_phases(session, program.id))
    if last is None:
        return []
    return [
        f"phase {last.number} ({last.name}) is the last and asks for manual advancement, "
        "but nothing follows it: an enrollment completes when its items do. For an "
        "officer's sign-off, add a milestone at 100 that needs verification (`trainctl "
        f"program milestone add {program.id} 'Signed off' --threshold 100 "
        "--requires-verification`)."
    ]


def set_status(session: Session, actor: Actor, program: Program, status: str) -> bool:
    """activate (checks completeness), archive, or back to draft (no enrollments). Returns
    False when the program already had that status."""
    actor.require(MANAGE, "change a program's status")
    if program.status == status:
        return False
    if status == "active":
        check_activation(session, program)
    if status == "draft":
        guard_structure(session, program, "going back to draft")
    audit(session, actor, f"program.{status}", "program", program.id, previous=program.status)
    program.status = status
    program.updated_at = utcnow()
    session.flush()
    return True


def duplicate_program(
    session: Session,
    actor: Actor,
    source: Program,
    *,
    name: str,
    keep_version: bool = False,
    from_template: bool = False,
    version: int | None = None,
    overrides: ProgramUpdate | None = None,
    activate: bool = False,
) -> Program:
    """A deep, independent copy: every field, phase (prerequisites remapped to the copy's
    own phases), requirement link with its overrides, milestone and prerequisite program.

    Lineage follows the name, as for `create_program`: a copy under the source's name is
    the next version of the source's line (one above its highest); under a new name it
    starts a line of its own at version 1 (a review: 'Wildland Academy' copied from the
    probie program came out as v2 of it, and enrolling a probie in it was refused as a
    second version of the same program); the name of another program (case aside) is
    refused: the copy would be that program's next version with this one's content.
    `keep_version`: the source's number instead (then the name
    must differ). `from_template` starts a new lineage at `version` (default 1) from a
    program marked as a template; the copy is not a template.
    """
    from trainctl.schemas.programs import MAX_VERSION, check_program_name

    actor.require(MANAGE, "create programs")
    try:
        name = check_program_name(clean_name(name))  # as ProgramCreate reads a name
    except ValueError as exc:
        raise RefusedError(f"Invalid name {name!r}: {exc}.", "Choose another name.") from None
    if not name:
        raise RefusedError("The new program needs a name.", "Pass --name NAME.")
    lineage = source.lineage_id or source.id
    if from_template:
        if not source.is_template:
            raise RefusedError(
                f"Program {label(source)} is not a template.",
                f"Use `trainctl program duplicate {shell_word(ref_of(source))} --name ...`, or mark it with "
                f"`trainctl program edit {shell_word(ref_of(source))} --template`.",
            )
        new_version = version or 1
        if not 1 <= new_version <= MAX_VERSION:
            raise BadInputError(
                f"Invalid version {new_version}: a version is 1 to {MAX_VERSION}.",
                "Pass --version N, or leave it out for version 1.",
            )
        lineage = _lineage_for(session, name)
    else:
        same = session.exec(select(Program.id).where(Program.id == source.id, same_name(name))).first()
        if same is None:  # another name: a new line (or this line's, renamed in a later version)
            other = _named(session, name)
            if other is not None and (other.lineage_id or other.id) != lineage:
                raise RefusedError(
                    f"'{name}' is the name of another program, {label(other)}: a copy under it would "
                    f"be that program's next version, with the content of {label(source)}.",
                    "Give the copy a name no program has (a program of its own), or copy "
                    f"{label(other)} itself for its next version (`trainctl program duplicate "
                    f"{shell_word(ref_of(other))} --name {shell_word(other.name)}`).",
                )
            lineage = None if other is None else lineage
        if keep_version:
            if same is not None:
                raise RefusedError(
                    "--keep-version needs a new name: the same name and version already exist.",
                    "Pass a different --name, or drop --keep-version to make the next version.",
                )
            new_version = source.version
        else:
            new_version = 1 if lineage is None else _next_in_line(session, lineage, source.version)
    check_name_free(session, name, new_version)
    spec = spec_of(session, source)
    if from_template:
        spec.fields["is_template"] = False
    if overrides is not None:
        extra = overrides.model_dump(exclude_unset=True, exclude={"name"})
        if "reminder_conditions" in extra and overrides.reminder_conditions is not None:
            extra["reminder_conditions"] = overrides.reminder_conditions.stored()
        if "target_position" in extra:
            check_position(session, extra["target_position"])
        spec.fields.update(extra)
    copy = Program(
        name=name,
        version=new_version,
        lineage_id=lineage,
        derived_from_id=source.id,
        status="draft",
        created_by=actor.member_id,
    )
    for f, v in spec.fields.items():
        setattr(copy, f, dict(v) if isinstance(v, dict) else v)
    session.add(copy)
    session.flush()
    if copy.lineage_id is None:
        copy.lineage_id = copy.id
    sync(session, copy, Spec(fields=dict(spec.fields)), spec.copy())
    action = "program.from_template" if from_template else "program.duplicate"
    audit(
        session, actor, action, "program", copy.id, source=source.id, name=name, version=new_version
    )
    if activate:
        set_status(session, actor, copy, "active")
    session.flush()
    return copy
