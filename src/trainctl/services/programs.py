"""Training programs: lookups, create/edit/status, phases, requirement links, milestones,
prerequisites and versioned duplication.

Lifecycle (DESIGN §3, "a program with no required requirement is rejected"):
- `program create` makes a *draft*: it is built step by step (phases, links, milestones)
  and cannot be enrolled in. `activate` checks completeness (domain/programs.py) and makes
  it active. Programs from a file (`program apply`) are checked as a whole and are active
  at once; copies (`duplicate`, `create --from-template`) start as drafts unless
  `activate=True`.
- An active (or archived) program stays complete: a structural edit that would break
  completeness is refused, nothing written.
- Once members are enrolled (ENROLLED_RULE, the same for `edit`, the phase / requirement /
  milestone commands and `apply`): the descriptive and policy fields may change (name,
  description, target position, concurrent enrollment, time_limit_days,
  warning_days_before, reminder_conditions, prerequisite programs); existing enrollments
  keep the target dates pinned when they enrolled, so a new time limit applies to new
  enrollments only. The structure may not change: phases, requirement links, milestones
  (with all their fields), structure_type and is_template (a template cannot be enrolled
  in). Structural changes go into a new version (`duplicate`), which moves nobody.

Reads are a constant number of queries whatever the program's size (`load_tree`), and
copies are set-based (a handful of bulk INSERTs).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain.programs import completeness_problems, cycle_if_added, find_cycle
from trainctl.errors import NotFoundError, RefusedError
from trainctl.models import (
    Enrollment,
    PhasePrerequisite,
    Position,
    Program,
    ProgramMilestone,
    ProgramPhase,
    ProgramPrerequisite,
    ProgramRequirement,
    Requirement,
    utcnow,
)
from trainctl.queries import programs as read
from trainctl.queries import reader_of
from trainctl.queries.programs import (  # noqa: F401  (the names callers import from here)
    LIST_HINT,
    LinkView,
    PhaseView,
    ProgramTree,
    label,
    ref_of,
)
from trainctl.schemas.programs import (
    LinkCreate,
    LinkUpdate,
    MilestoneCreate,
    MilestoneUpdate,
    PhaseCreate,
    PhaseUpdate,
    ProgramCreate,
    ProgramUpdate,
)
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor

PROGRAM_FIELDS = (
    "description", "target_position", "structure_type", "allows_concurrent_enrollment",
    "time_limit_days", "warning_days_before", "reminder_conditions", "is_template",
)  # fmt: skip
PHASE_FIELDS = ("name", "description", "requires_manual_advancement", "time_limit_days")
LINK_FIELDS = (
    "is_required", "is_prerequisite", "sort_order", "program_specific_description",
    "custom_deadline_days", "notification_message",
)  # fmt: skip
MILESTONE_FIELDS = (
    "description", "completion_percentage_threshold", "notification_message", "requires_verification",
)  # fmt: skip
# Program fields that are part of the structure: fixed once members are enrolled.
FIXED_WHEN_ENROLLED = ("structure_type", "is_template")
ENROLLED_RULE = (
    "Once members are enrolled, only the descriptive fields (name, description, position, "
    "concurrent enrollment), time_limit_days, warning_days_before, reminder_conditions and "
    "prerequisite programs may change (enrollments keep their pinned target dates); phases, "
    "requirement links, milestones, structure_type and is_template are fixed: make a new version."
)


def same_name(name: str) -> Any:
    """Program.name is `name` ignoring case, folded by the database on both sides (the
    resolver's rule, queries.programs.get_program)."""
    return sa.func.lower(col(Program.name)) == sa.func.lower(sa.literal(name, sa.String))


# -------------------------------------------------------------------------------- lookups
def get_program(session: Session, ref: str | int, *, what: str = "program") -> Program:
    """The program named by id, "Name" or "Name@2" (the one resolver:
    queries.programs.get_program, on this session's transaction)."""
    session.flush()
    found = read.get_program(reader_of(session), ref, what=what)
    program = session.get(Program, found.id)
    assert program is not None
    return program


def find_requirement(session: Session, ref: str | int) -> Requirement:
    """The requirement named by id, registry code, name or alias (the one resolver)."""
    from trainctl.services.requirements import get_requirement

    return get_requirement(session, ref)


def get_phase(session: Session, program: Program, number: int) -> ProgramPhase:
    phase = session.exec(
        select(ProgramPhase).where(
            ProgramPhase.program_id == program.id, ProgramPhase.phase_number == number
        )
    ).first()
    if phase is None:
        raise NotFoundError(
            f"Program {label(program)} has no phase {number}.",
            f"`trainctl program phase list '{ref_of(program)}'` shows its phases.",
        )
    return phase


def has_enrollments(session: Session, program_id: int) -> bool:
    stmt = select(Enrollment.id).where(Enrollment.program_id == program_id).limit(1)
    return session.exec(stmt).first() is not None


# ------------------------------------------------------------------------ the whole tree
def load_tree(session: Session, program: Program) -> ProgramTree:
    """The program's tree as the read side reads it (queries.programs.load_tree), on this
    session's transaction: six queries whatever its size."""
    session.flush()
    rd = reader_of(session)
    row = read.by_id(rd, program.id)  # type: ignore[arg-type]
    assert row is not None
    return read.load_tree(rd, row)


# --------------------------------------------------------------- spec: the wanted state
@dataclass
class Spec:
    """A program's content keyed by natural keys, so two states can be compared and one
    turned into the other (apply, duplicate). Ids are filled in when read from the DB."""

    fields: dict[str, Any]
    prerequisite_ids: set[int] = field(default_factory=set)
    phases: dict[int, dict[str, Any]] = field(default_factory=dict)  # number -> fields
    phase_prereqs: set[tuple[int, int]] = field(default_factory=set)  # (number, prereq number)
    links: dict[tuple[int | None, int], dict[str, Any]] = field(
        default_factory=dict
    )  # (phase, req id)
    milestones: dict[tuple[int | None, str], dict[str, Any]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)  # requirement id -> how to name it
    phase_ids: dict[int, int] = field(default_factory=dict)
    link_ids: dict[tuple[int | None, int], int] = field(default_factory=dict)
    milestone_ids: dict[tuple[int | None, str], int] = field(default_factory=dict)


class Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def registry_code(self) -> str | None: ...


def requirement_label(req: Named) -> str:
    return req.registry_code or f"'{req.name}'"


def spec_from_tree(tree: ProgramTree) -> Spec:
    p = tree.program
    spec = Spec(
        fields={f: getattr(p, f) for f in PROGRAM_FIELDS},
        prerequisite_ids={q.id for q in tree.prerequisites},
    )
    for ms in tree.milestones:
        spec.milestones[(None, ms.name)] = {f: getattr(ms, f) for f in MILESTONE_FIELDS}
        spec.milestone_ids[(None, ms.name)] = ms.id
    for phase_no, lv in tree.all_links():
        key = (phase_no, lv.requirement.id)
        spec.links[key] = {f: getattr(lv.link, f) for f in LINK_FIELDS}
        spec.link_ids[key] = lv.link.id
        spec.labels[lv.requirement.id] = requirement_label(lv.requirement)
    for pv in tree.phases:
        n = pv.phase.phase_number
        spec.phases[n] = {f: getattr(pv.phase, f) for f in PHASE_FIELDS}
        spec.phase_ids[n] = pv.phase.id
        spec.phase_prereqs.update((n, q) for q in pv.prerequisites)
        for ms in pv.milestones:
            spec.milestones[(n, ms.name)] = {f: getattr(ms, f) for f in MILESTONE_FIELDS}
            spec.milestone_ids[(n, ms.name)] = ms.id
    return spec


def spec_problems(spec: Spec) -> list[str]:
    problems = completeness_problems(
        spec.fields["structure_type"],
        spec.phases,
        ((ph, f["is_required"]) for (ph, _), f in spec.links.items()),
    )
    edges: dict[int, set[int]] = {}
    for n, q in spec.phase_prereqs:
        edges.setdefault(n, set()).add(q)
    cycle = find_cycle(edges)
    if cycle:
        problems.append(
            "phase prerequisites form a cycle: " + " -> ".join(f"phase {n}" for n in cycle)
        )
    return problems


def _scope(phase: int | None) -> str:
    return "program level" if phase is None else f"phase {phase}"


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [
        f"{k} {_show(old.get(k))} -> {_show(new.get(k))}" for k in new if old.get(k) != new.get(k)
    ]


def diff(old: Spec, new: Spec, names: dict[int, str] | None = None) -> list[str]:
    """What turning `old` into `new` changes, one line each ('+' add, '-' remove, '~' change)."""
    names = names or {}
    lines = [f"~ program {c}" for c in _field_changes(old.fields, new.fields)]
    for pid in sorted(new.prerequisite_ids - old.prerequisite_ids):
        lines.append(f"+ prerequisite program {names.get(pid, pid)}")
    for pid in sorted(old.prerequisite_ids - new.prerequisite_ids):
        lines.append(f"- prerequisite program {names.get(pid, pid)}")
    for n in sorted(new.phases.keys() - old.phases.keys()):
        lines.append(f"+ phase {n} {new.phases[n]['name']!r}")
    for n in sorted(old.phases.keys() - new.phases.keys()):
        lines.append(f"- phase {n} {old.phases[n]['name']!r} (with its links and milestones)")
    for n in sorted(new.phases.keys() & old.phases.keys()):
        lines.extend(f"~ phase {n} {c}" for c in _field_changes(old.phases[n], new.phases[n]))
    for n, q in sorted(new.phase_prereqs - old.phase_prereqs):
        lines.append(f"+ phase {n} after phase {q}")
    for n, q in sorted(old.phase_prereqs - new.phase_prereqs):
        if n in new.phases and q in new.phases:
            lines.append(f"- phase {n} after phase {q}")

    def key(k: tuple[Any, Any]) -> tuple[int, Any]:
        return (-1 if k[0] is None else k[0], k[1])

    labels = {**old.labels, **new.labels}
    for k in sorted(new.links.keys() - old.links.keys(), key=key):
        req = "required" if new.links[k]["is_required"] else "optional"
        lines.append(f"+ requirement {labels.get(k[1], k[1])} ({_scope(k[0])}, {req})")
    for k in sorted(old.links.keys() - new.links.keys(), key=key):
        if k[0] is None or k[0] in new.phases:
            lines.append(f"- requirement {labels.get(k[1], k[1])} ({_scope(k[0])})")
    for k in sorted(new.links.keys() & old.links.keys(), key=key):
        lines.extend(
            f"~ requirement {labels.get(k[1], k[1])} ({_scope(k[0])}) {c}"
            for c in _field_changes(old.links[k], new.links[k])
        )
    for k in sorted(new.milestones.keys() - old.milestones.keys(), key=key):
        lines.append(
            f"+ milestone {k[1]!r} ({_scope(k[0])}, {new.milestones[k]['completion_percentage_threshold']:g}%)"
        )
    for k in sorted(old.milestones.keys() - new.milestones.keys(), key=key):
        if k[0] is None or k[0] in new.phases:
            lines.append(f"- milestone {k[1]!r} ({_scope(k[0])})")
    for k in sorted(new.milestones.keys() & old.milestones.keys(), key=key):
        lines.extend(
            f"~ milestone {k[1]!r} ({_scope(k[0])}) {c}"
            for c in _field_changes(old.milestones[k], new.milestones[k])
        )
    return lines


def fixed_changes(old: Spec, new: Spec, names: dict[int, str] | None = None) -> list[str]:
    """The part of diff(old, new) that a program with enrollments refuses (ENROLLED_RULE):
    everything but the fields and prerequisite programs that may change."""
    open_fields = {k: v for k, v in new.fields.items() if k not in FIXED_WHEN_ENROLLED}
    same = replace(
        old, fields={**old.fields, **open_fields}, prerequisite_ids=set(new.prerequisite_ids)
    )
    return diff(same, new, names)


def problems_hint(problems: list[str]) -> str:
    """How to fix what spec_problems / program_problems found."""
    hints = []
    if any(not p.startswith("phase prerequisites form a cycle") for p in problems):
        hints.append(
            "A program needs a required requirement; a `phases` program needs phases, each "
            "with a required requirement."
        )
    if any(p.startswith("phase prerequisites form a cycle") for p in problems):
        hints.append(
            "A cycle of phase prerequisites could never be satisfied: drop one of the "
            "prerequisites in it."
        )
    return " ".join(hints)


def sync(session: Session, program: Program, old: Spec, new: Spec) -> None:
    """Write the difference between `old` (what the DB holds) and `new`: a few set-based
    statements (bulk INSERT, DELETE ... WHERE id IN), whatever the program's size."""
    pid = program.id
    assert pid is not None
    for f in PROGRAM_FIELDS:
        if getattr(program, f) != new.fields[f]:
            setattr(program, f, new.fields[f])
    if old.fields != new.fields:
        program.updated_at = utcnow()
    session.flush()
    # removals first (links and milestones of removed phases go with them by cascade)
    gone_links = [old.link_ids[k] for k in old.links.keys() - new.links.keys()]
    if gone_links:
        session.execute(
            sa.delete(ProgramRequirement).where(col(ProgramRequirement.id).in_(gone_links))
        )
    gone_ms = [old.milestone_ids[k] for k in old.milestones.keys() - new.milestones.keys()]
    if gone_ms:
        session.execute(sa.delete(ProgramMilestone).where(col(ProgramMilestone.id).in_(gone_ms)))
    for n, q in old.phase_prereqs - new.phase_prereqs:
        session.execute(
            sa.delete(PhasePrerequisite).where(
                col(PhasePrerequisite.phase_id) == old.phase_ids[n],
                col(PhasePrerequisite.prerequisite_phase_id) == old.phase_ids[q],
            )
        )
    gone_phases = [old.phase_ids[n] for n in old.phases.keys() - new.phases.keys()]
    if gone_phases:
        session.execute(sa.delete(ProgramPhase).where(col(ProgramPhase.id).in_(gone_phases)))
    gone_pre = old.prerequisite_ids - new.prerequisite_ids
    if gone_pre:
        session.execute(
            sa.delete(ProgramPrerequisite).where(
                col(ProgramPrerequisite.program_id) == pid,
                col(ProgramPrerequisite.prerequisite_id).in_(gone_pre),
            )
        )
    # updates (few; by primary key)
    for n in new.phases.keys() & old.phases.keys():
        if new.phases[n] != old.phases[n]:
            session.execute(
                sa.update(ProgramPhase)
                .where(col(ProgramPhase.id) == old.phase_ids[n])
                .values(**new.phases[n])
            )
    for k in new.links.keys() & old.links.keys():
        if new.links[k] != old.links[k]:
            session.execute(
                sa.update(ProgramRequirement)
                .where(col(ProgramRequirement.id) == old.link_ids[k])
                .values(**new.links[k])
            )
    for k in new.milestones.keys() & old.milestones.keys():
        if new.milestones[k] != old.milestones[k]:
            session.execute(
                sa.update(ProgramMilestone)
                .where(col(ProgramMilestone.id) == old.milestone_ids[k])
                .values(**new.milestones[k])
            )
    # additions: one bulk INSERT per table
    phase_ids = {n: i for n, i in old.phase_ids.items() if n in new.phases}
    added = sorted(new.phases.keys() - old.phases.keys())
    if added:
        rows = session.execute(
            sa.insert(ProgramPhase).returning(col(ProgramPhase.id), col(ProgramPhase.phase_number)),
            [{"program_id": pid, "phase_number": n, **new.phases[n]} for n in added],
        )
        phase_ids.update({number: ident for ident, number in rows})
    pre_rows = [
        {"phase_id": phase_ids[n], "prerequisite_phase_id": phase_ids[q]}
        for n, q in sorted(new.phase_prereqs - old.phase_prereqs)
    ]
    if pre_rows:
        session.execute(sa.insert(PhasePrerequisite), pre_rows)
    link_rows = [
        {
            "program_id": pid,
            "phase_id": None if ph is None else phase_ids[ph],
            "requirement_id": rid,
            **new.links[(ph, rid)],
        }
        for ph, rid in sorted(
            new.links.keys() - old.links.keys(),
            key=lambda k: (k[0] or 0, new.links[k]["sort_order"], k[1]),
        )
    ]
    if link_rows:
        session.execute(sa.insert(ProgramRequirement), link_rows)
    ms_rows = [
        {
            "program_id": pid,
            "phase_id": None if ph is None else phase_ids[ph],
            "name": name,
            **new.milestones[(ph, name)],
        }
        for ph, name in sorted(
            new.milestones.keys() - old.milestones.keys(), key=lambda k: (k[0] or 0, k[1])
        )
    ]
    if ms_rows:
        session.execute(sa.insert(ProgramMilestone), ms_rows)
    new_pre = [
        {"program_id": pid, "prerequisite_id": q}
        for q in sorted(new.prerequisite_ids - old.prerequisite_ids)
    ]
    if new_pre:
        session.execute(sa.insert(ProgramPrerequisite), new_pre)
    session.flush()
    session.expire_all()


# -------------------------------------------------------------------- checks and guards
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
    if has_enrollments(session, program.id):  # type: ignore[arg-type]
        raise RefusedError(
            f"Program {label(program)} has enrollments, so its structure is fixed ({doing} refused).",
            hint
            or f"Make a new version: `trainctl program duplicate '{ref_of(program)}' --name '{program.name}'`, "
            "change and activate it; enrollments stay on the version they started on.",
        )


def program_problems(session: Session, program: Program) -> list[str]:
    phases = list(
        session.exec(select(ProgramPhase.phase_number).where(ProgramPhase.program_id == program.id))
    )
    links = session.exec(
        select(ProgramPhase.phase_number, ProgramRequirement.is_required)
        .select_from(ProgramRequirement)
        .join(ProgramPhase, col(ProgramPhase.id) == col(ProgramRequirement.phase_id), isouter=True)
        .where(ProgramRequirement.program_id == program.id)
    )
    problems = completeness_problems(program.structure_type, phases, list(links))
    edges: dict[int, set[int]] = {}
    for pre in session.exec(
        select(PhasePrerequisite)
        .join(ProgramPhase, col(ProgramPhase.id) == col(PhasePrerequisite.phase_id))
        .where(ProgramPhase.program_id == program.id)
    ):
        edges.setdefault(pre.phase_id, set()).add(pre.prerequisite_phase_id)
    if find_cycle(edges):
        problems.append("phase prerequisites form a cycle")
    return problems


def recheck(session: Session, program: Program) -> None:
    """An active or archived program must stay complete after an edit."""
    if program.status == "draft":
        return
    session.flush()
    problems = program_problems(session, program)
    if problems:
        raise RefusedError(
            f"This would leave {program.status} program {label(program)} incomplete.",
            f"Rework it as a draft: `trainctl program draft '{ref_of(program)}'`, make the changes, "
            f"then `trainctl program activate '{ref_of(program)}'`.",
            details=problems,
        )


# --------------------------------------------------------------------------- programs
def _lineage_for(session: Session, name: str) -> int | None:
    stmt = (
        select(Program)
        .where(same_name(name))
        .order_by(col(Program.version).desc())
        .limit(1)
    )
    other = session.exec(stmt).first()
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
                f"`trainctl program duplicate '{ref_of(program)}' --name '{copy}'`, then "
                f"`trainctl program edit '{copy}' --template`; new programs start from it with "
                f"`trainctl program create NAME --from-template '{copy}'`."
            )
            if changes["is_template"]
            else None,
        )
    for k, v in changes.items():
        setattr(program, k, v)
    changed = list(changes)
    for ref in add_prerequisites or []:
        pre = get_program(session, ref, what="prerequisite")
        check_program_prerequisite(session, program, pre)
        exists = session.get(ProgramPrerequisite, (program.id, pre.id))
        if exists is None:
            session.add(ProgramPrerequisite(program_id=program.id, prerequisite_id=pre.id))  # type: ignore[arg-type]
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
        audit(session, actor, "program.edit", "program", program.id, changed=changed)
        session.flush()
    return changed


def set_status(session: Session, actor: Actor, program: Program, status: str) -> bool:
    """activate (checks completeness), archive, or back to draft (no enrollments). Returns
    False when the program already had that status."""
    actor.require(MANAGE, "change a program's status")
    if program.status == status:
        return False
    if status == "active":
        problems = program_problems(session, program)
        if problems:
            raise RefusedError(
                f"Program {label(program)} is not complete, so it cannot be activated.",
                "Link required requirements (`trainctl program requirement add`) and phases "
                "(`trainctl program phase add`), then try again.",
                details=problems,
            )
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

    Version: one above the highest in the source's lineage, or the source's own with
    `keep_version` (then the name must differ). `from_template` starts a new lineage at
    `version` (default 1) from a program marked as a template; the copy is not a template.
    """
    actor.require(MANAGE, "create programs")
    from trainctl.schemas.programs import check_program_name

    try:
        name = check_program_name(name.strip())
    except ValueError as exc:
        raise RefusedError(f"Invalid name {name!r}: {exc}.", "Choose another name.") from None
    if not name:
        raise RefusedError("The new program needs a name.", "Pass --name NAME.")
    lineage = source.lineage_id or source.id
    if from_template:
        if not source.is_template:
            raise RefusedError(
                f"Program {label(source)} is not a template.",
                f"Use `trainctl program duplicate '{ref_of(source)}' --name ...`, or mark it with "
                f"`trainctl program edit '{ref_of(source)}' --template`.",
            )
        new_version = version or 1
        lineage = _lineage_for(session, name)
    elif keep_version:
        if name.lower() == source.name.lower():
            raise RefusedError(
                "--keep-version needs a new name: the same name and version already exist.",
                "Pass a different --name, or drop --keep-version to make the next version.",
            )
        new_version = source.version
    else:
        top = session.exec(
            select(sa.func.max(Program.version)).where(
                sa.or_(col(Program.lineage_id) == lineage, col(Program.id) == lineage)
            )
        ).one()
        new_version = int(top or source.version) + 1
    check_name_free(session, name, new_version)
    tree = load_tree(session, source)
    spec = spec_from_tree(tree)
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
        **{f: (dict(v) if isinstance(v, dict) else v) for f, v in spec.fields.items()},
    )
    session.add(copy)
    session.flush()
    if copy.lineage_id is None:
        copy.lineage_id = copy.id
    empty = Spec(fields=dict(spec.fields))
    new = Spec(
        fields=dict(spec.fields),
        prerequisite_ids=set(spec.prerequisite_ids),
        phases={n: dict(f) for n, f in spec.phases.items()},
        phase_prereqs=set(spec.phase_prereqs),
        links={k: dict(f) for k, f in spec.links.items()},
        milestones={k: dict(f) for k, f in spec.milestones.items()},
    )
    sync(session, copy, empty, new)
    action = "program.from_template" if from_template else "program.duplicate"
    audit(
        session, actor, action, "program", copy.id, source=source.id, name=name, version=new_version
    )
    if activate:
        set_status(session, actor, copy, "active")
    session.flush()
    return copy


# ---------------------------------------------------------------------------- phases
def _phase_ref(session: Session, program: Program, ref: str) -> ProgramPhase:
    text = str(ref).strip()
    if text.lower().startswith("id:") and text[3:].isdigit():
        phase = session.get(ProgramPhase, int(text[3:]))
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


def _phase_edges(session: Session, program: Program) -> dict[int, set[int]]:
    edges: dict[int, set[int]] = {}
    for pre in session.exec(
        select(PhasePrerequisite)
        .join(ProgramPhase, col(ProgramPhase.id) == col(PhasePrerequisite.phase_id))
        .where(ProgramPhase.program_id == program.id)
    ):
        edges.setdefault(pre.phase_id, set()).add(pre.prerequisite_phase_id)
    return edges


def _set_phase_prereqs(
    session: Session, program: Program, phase: ProgramPhase, refs: list[str]
) -> None:
    targets = [_phase_ref(session, program, r) for r in refs]
    session.execute(sa.delete(PhasePrerequisite).where(col(PhasePrerequisite.phase_id) == phase.id))
    edges = _phase_edges(session, program)
    numbers = {
        p.id: p.phase_number
        for p in session.exec(select(ProgramPhase).where(ProgramPhase.program_id == program.id))
    }
    for target in {t.id: t for t in targets}.values():
        cycle = cycle_if_added(edges, phase.id, target.id)
        if cycle is not None:
            raise RefusedError(
                f"Phase {phase.phase_number} cannot come after phase {target.phase_number}: "
                "phase prerequisites would form a cycle.",
                "A cycle could never be satisfied; drop one of its prerequisites.",
                details=[
                    " -> ".join(f"phase {numbers.get(i, '?')}" for i in cycle)
                    + "  (each requires the next)"
                ],
            )
        edges.setdefault(phase.id, set()).add(target.id)  # type: ignore[arg-type]
        session.add(PhasePrerequisite(phase_id=phase.id, prerequisite_phase_id=target.id))  # type: ignore[arg-type]


def _phase_exists(program: Program, number: int) -> RefusedError:
    return RefusedError(
        f"Phase {number} already exists for this program",
        f"Choose another number; `trainctl program phase list '{ref_of(program)}'` shows the phases.",
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
    phase = ProgramPhase(program_id=program.id, **data.model_dump())  # type: ignore[arg-type]
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
            f"Change their prerequisites first, e.g. `trainctl program phase edit '{ref_of(program)}' "
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
                f"{links} requirement link(s)" if links else "",
                f"{milestones} milestone(s)" if milestones else "",
            )
            if part
        )
        raise RefusedError(
            f"Phase {number} of {label(program)} holds {held}.",
            f"Pass --with-requirements to remove them with the phase, or move them first "
            f"(`trainctl program requirement remove '{ref_of(program)}' REQUIREMENT --phase {number}`).",
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


# ------------------------------------------------------------------ requirement links
def _scope_label(phase: ProgramPhase | None) -> str:
    return "the program level" if phase is None else f"phase {phase.phase_number}"


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
) -> ProgramRequirement:
    actor.require(MANAGE, "edit programs")
    requirement = find_requirement(session, requirement_ref)
    phase = None if phase_number is None else get_phase(session, program, phase_number)
    guard_structure(session, program, "linking a requirement")
    if find_link(session, program, requirement, phase) is not None:
        raise RefusedError(
            f"Requirement {requirement_label(requirement)} is already linked to {label(program)} at {_scope_label(phase)}.",
            "The same requirement counts once per scope; change the link with "
            "`trainctl program requirement edit` instead.",
        )
    values = data.model_dump()
    if values["sort_order"] is None:
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
        values["sort_order"] = int(top or 0) + 10
    link = ProgramRequirement(
        program_id=program.id,
        phase_id=None if phase is None else phase.id,
        requirement_id=requirement.id,
        **values,  # type: ignore[arg-type]
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
    return link


def _get_link(
    session: Session, program: Program, requirement_ref: str, phase_number: int | None
) -> ProgramRequirement:
    requirement = find_requirement(session, requirement_ref)
    phase = None if phase_number is None else get_phase(session, program, phase_number)
    link = find_link(session, program, requirement, phase)
    if link is None:
        raise NotFoundError(
            f"Requirement {requirement_label(requirement)} is not linked to {label(program)} at {_scope_label(phase)}.",
            f"`trainctl program requirement list '{ref_of(program)}'` shows its links (pass --phase N for a phase's).",
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


# ----------------------------------------------------------------------------- milestones
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
            f"Milestone {data.name!r} already exists at {_scope_label(phase)} of {label(program)}.",
            "Milestone names are unique within their scope; choose another name.",
        )
    ms = ProgramMilestone(
        program_id=program.id, phase_id=None if phase is None else phase.id, **data.model_dump()
    )  # type: ignore[arg-type]
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
            f"No milestone {name.strip()!r} at {_scope_label(phase)} of {label(program)}.",
            f"`trainctl program milestone list '{ref_of(program)}'` shows them (pass --phase N "
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
                f"Milestone {changes['name']!r} already exists at {_scope_label(phase)} of {label(program)}.",
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
