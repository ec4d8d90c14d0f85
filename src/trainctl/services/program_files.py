"""Programs as files: the document form (export, `show --format json`), and `apply`.

The file names requirements by (registry, code), or by name for requirements without a
registry code; those are embedded as `requirement_definitions` so that a new database can
reproduce the program. Registry requirements are never embedded: a missing one is refused
with a hint to import its registry (`trainctl import nfpa`).

`apply` is declarative: the program (name, version) is created, or brought to what the file
says, and the exact list of changes is reported (`--dry-run` runs the same code and rolls
back). Applying the same file twice changes nothing. A program with enrollments follows
the same rule as `program edit` (services.programs.ENROLLED_RULE): its descriptive fields,
time_limit_days, warning_days_before, reminder_conditions and prerequisite programs may
change; a change to its structure (phases, links, milestones, structure_type, is_template)
is refused with a hint to bump `version` in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain.lookup import norm
from trainctl.domain.text import plural
from trainctl.errors import BadInputError, RefusedError
from trainctl.models import Program, Requirement
from trainctl.queries import reader_of
from trainctl.queries import requirements as read
from trainctl.queries.program_document import (  # noqa: F401  (the names callers import from here)
    DEFINITION_FIELDS,
    export_toml,
    program_document,
)
from trainctl.queries.requirements import RequirementRow
from trainctl.schemas.programs import FileLink, ProgramCreate, ProgramFile
from trainctl.services import programs as svc
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.program_file_io import (  # noqa: F401  (the names callers import from here)
    example_files,
    parse_file,
    sample_programs,
)
from trainctl.services.requirements import known_positions, positions_problem

IMPORT_COMMAND = {
    "nfpa": "nfpa",
    "nremt": "nremt",
    "pro board": "proboard",
    "proboard": "proboard",
    "iso": "iso",
}


# ------------------------------------------------------------------------------ reading
# ------------------------------------------------------------------------------ apply
@dataclass
class ApplyResult:
    program: Program
    created: bool
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _import_hint(registries: set[str]) -> str:
    cmds = sorted(
        {
            f"`trainctl import {IMPORT_COMMAND.get(r.lower(), r.lower().replace(' ', ''))}`"
            for r in registries
        }
    )
    return f"Import the registry first: {', '.join(cmds)}; then apply the file again."


def _resolve_links(
    session: Session, doc: ProgramFile, defined: dict[str, int]
) -> dict[tuple[str, str, str], RequirementRow | int]:
    """Every link's requirement, in two queries (the requirement lookup's rule: codes and
    names match ignoring case and spaces). Missing ones are refused together."""
    scoped: list[FileLink] = [
        *doc.requirements,
        *(lk for ph in doc.phases for lk in ph.requirements),
    ]
    session.flush()
    rd = reader_of(session)
    found: dict[tuple[str, str, str], RequirementRow | int] = {}
    for r in read.by_keys(rd, "registry_code", {lk.code for lk in scoped if lk.code}):
        found[("code", norm(r.registry_name or ""), norm(r.registry_code or ""))] = r
    names = {lk.name or "" for lk in scoped if not lk.code}
    for r in read.by_keys(rd, "name", names, order="r.registry_code IS NOT NULL, r.id"):
        found.setdefault(("name", "", norm(r.name)), r)
    for key, rid in defined.items():
        found.setdefault(("name", "", key), rid)
    missing: list[str] = []
    registries: set[str] = set()
    for lk in scoped:
        if _link_key(lk) not in found:
            missing.append(f"requirement {lk.label} does not exist")
            if lk.registry:
                registries.add(lk.registry)
    if missing:
        hint = (
            _import_hint(registries)
            if registries
            else (
                "Add it with `trainctl requirement add`, or define it under [[requirement_definitions]] in the file."
            )
        )
        raise RefusedError(
            f"The program links requirements that do not exist ({len(set(missing))}); nothing was written.",
            hint,
            details=sorted(set(missing)),
        )
    # a retired requirement is not linked (services/programs/links.add_link: members would
    # work toward what nobody is judged by)
    linked = [found[_link_key(lk)] for lk in scoped]
    retired = sorted({f"{row.name} is {read.retired_text(row.retired_on, row.retired_reason)}"
                      for row in linked if isinstance(row, RequirementRow) and row.retired_on is not None})  # fmt: skip
    if retired:
        raise RefusedError(
            f"The program links requirements that are retired ({len(retired)}); nothing was written.",
            "Bring one back with `trainctl requirement unretire REQUIREMENT`, or take its link "
            "out of the file.",
            details=retired,
        )
    return found


def _link_key(lk: FileLink) -> tuple[str, str, str]:
    if lk.code:
        return ("code", norm(lk.registry or ""), norm(lk.code))
    return ("name", "", norm(lk.name or ""))


def _apply_definitions(
    session: Session, actor: Actor, doc: ProgramFile, result: ApplyResult, today: date | None,
    source: str,
) -> dict[str, int]:  # fmt: skip
    """Create the file's requirement definitions that the database lacks (one bulk INSERT),
    entered on `today` (--as-of), else the department's day; an existing one of that name
    (case and spaces aside) is kept as it is (a warning names the differences). Returns
    {norm(name): id}."""
    if not doc.requirement_definitions:
        return {}
    wanted = {norm(d.name): d for d in doc.requirement_definitions}
    session.flush()
    existing = {
        norm(r.name): r
        for r in read.by_keys(
            reader_of(session),
            "name",
            [d.name for d in wanted.values()],
            where="r.registry_code IS NULL",
        )
    }
    known = known_positions(session)
    unknown = [
        f"{source}, field requirement_definitions.{i}.required_positions: {problem}"
        for i, d in enumerate(doc.requirement_definitions)
        if norm(d.name) not in existing
        and (problem := positions_problem(d.required_positions, known))
    ]
    if unknown:  # as `requirement add` refuses them
        raise BadInputError(
            f"{source} is not a valid program file.",
            "Fix the fields listed (`trainctl member positions` lists the position codes).",
            details=unknown,
        )
    ids: dict[str, int] = {}
    new_rows = []
    for key, d in wanted.items():
        if key in existing:
            r = existing[key]
            ids[key] = r.id
            differs = [f for f in DEFINITION_FIELDS if getattr(d, f) != getattr(r, f)]
            if differs:
                result.warnings.append(
                    f"requirement '{r.name}' exists and differs from the file in {', '.join(differs)}; "
                    "the database's definition is kept (change it with `trainctl requirement edit`)"
                )
        else:
            new_rows.append(
                {
                    "name": d.name,
                    **d.model_dump(include=set(DEFINITION_FIELDS)),
                    "created_by": actor.member_id,
                }
            )
            result.changes.append(f"+ requirement definition '{d.name}' ({d.requirement_type})")
    if new_rows:
        from trainctl.models import utcnow
        from trainctl.services.settings import today as department_today

        now, day = utcnow(), department_today(session, today)
        rows = session.execute(
            sa.insert(Requirement).returning(col(Requirement.id), col(Requirement.name)),
            [{**row, "created_at": now, "entered_on": day} for row in new_rows],
        )
        for ident, name in rows:
            ids[norm(name)] = ident
        audit(
            session,
            actor,
            "requirement.define",
            "requirement",
            None,
            names=[r["name"] for r in new_rows],
            via="program apply",
        )
    return ids


def spec_from_file(
    session: Session, doc: ProgramFile, found: dict[tuple[str, str, str], RequirementRow | int]
) -> svc.Spec:
    from trainctl.schemas.programs import ProgramFields

    fields = ProgramFields.model_validate(doc.model_dump(include=set(ProgramFields.model_fields)))
    spec = svc.Spec(fields={f: getattr(fields, f) for f in svc.PROGRAM_FIELDS})
    spec.fields["reminder_conditions"] = fields.reminder_conditions.stored()

    def add_links(links: list[FileLink], phase: int | None) -> None:
        order = 0
        for lk in links:
            target = found[_link_key(lk)]
            rid = target if isinstance(target, int) else target.id
            assert rid is not None
            shown = lk.label if isinstance(target, int) else svc.requirement_label(target)
            if (phase, rid) in spec.links:
                raise RefusedError(
                    f"Requirement {shown} is linked twice at {'the program level' if phase is None else f'phase {phase}'}.",
                    "The same requirement counts once per scope; remove one of the two entries.",
                )
            order = lk.sort_order if lk.sort_order is not None else order + 10
            spec.links[(phase, rid)] = {
                "is_required": lk.required, "is_prerequisite": lk.prerequisite, "sort_order": order,
                "program_specific_description": lk.description, "custom_deadline_days": lk.deadline_days,
                "notification_message": lk.notification_message,
            }  # fmt: skip
            spec.labels[rid] = shown

    def add_milestones(items: list[Any], phase: int | None) -> None:
        for m in items:
            key = (phase, m.name)
            if key in spec.milestones:
                raise RefusedError(
                    f"Milestone {m.name!r} appears twice in one scope.",
                    "Milestone names are unique within their scope.",
                )
            spec.milestones[key] = {
                "description": m.description, "completion_percentage_threshold": float(m.threshold),
                "notification_message": m.notification_message, "requires_verification": m.requires_verification,
            }  # fmt: skip

    add_links(doc.requirements, None)
    add_milestones(doc.milestones, None)
    for ph in doc.phases:
        spec.phases[ph.number] = {
            "name": ph.name, "description": ph.description,
            "requires_manual_advancement": ph.requires_manual_advancement, "time_limit_days": ph.time_limit_days,
        }  # fmt: skip
        spec.phase_prereqs.update((ph.number, q) for q in ph.prerequisites)
        add_links(ph.requirements, ph.number)
        add_milestones(ph.milestones, ph.number)
    return spec


def apply_file(
    session: Session, actor: Actor, doc: ProgramFile, *, source: str = "file",
    today: date | None = None,
) -> ApplyResult:
    """Create the file's program, or bring the existing (name, version) to it. On a version
    with enrollments a link the file adds goes through `program requirement add`'s path
    (services/programs/links.add_link: every open or completed enrollment gains its row,
    a required link reopens completed ones); anything else structural is refused.
    `today`: the effective date of the new rows (--as-of), else the department's day."""
    actor.require(MANAGE, "apply program files")
    existing = session.exec(
        select(Program).where(svc.same_name(doc.name), Program.version == doc.version)
    ).first()
    svc.check_position(session, doc.target_position)
    prereqs = [
        svc.get_program(session, r, what=f"prerequisite in {source}") for r in doc.prerequisites
    ]
    result = ApplyResult(
        program=existing or Program(name=doc.name, version=doc.version), created=existing is None
    )
    defined = _apply_definitions(session, actor, doc, result, today, source)
    found = _resolve_links(session, doc, defined)
    new = spec_from_file(session, doc, found)
    new.prerequisite_ids = {p.id for p in prereqs if p.id is not None}
    problems = svc.program_problems(new)
    if problems:
        raise RefusedError(
            f"Program '{doc.name}' v{doc.version} in {source} is not complete; nothing was written.",
            svc.problems_hint(problems),
            details=problems,
        )
    names = {p.id: svc.ref_of(p) for p in prereqs if p.id is not None}
    adding: dict[tuple[int | None, int], Any] = {}  # links added to a version in use
    if existing is None:
        program = svc.create_program(
            session, actor,
            ProgramCreate(name=doc.name, version=doc.version, structure_type=new.fields["structure_type"]),
            status=doc.status or "active",  # (an exported draft arrives a draft)
        )  # fmt: skip
        old = svc.Spec(fields={f: getattr(program, f) for f in svc.PROGRAM_FIELDS})
        result.program = program
        result.changes.append(
            f"+ program '{doc.name}' v{doc.version} ({new.fields['structure_type']})"
            + (f", {doc.status}" if doc.status not in (None, "active") else "")
        )
        body = svc.diff(old, new, names)
        result.changes.extend(line for line in body if not line.startswith("~ program "))
    else:
        program = existing
        tree = svc.load_tree(session, program)
        old = svc.spec_from_tree(tree)
        names.update({q.id: svc.ref_of(q) for q in tree.prerequisites if q.id is not None})
        body = svc.diff(old, new, names)
        enrolled = bool(body) and svc.has_enrollments(session, program.id)
        # added links, as `program requirement add` takes them on a version in use: a link
        # of an existing phase (or the program level), not a prerequisite (add_link refuses
        # those in use, as it refuses a sequential link that is not last)
        adding = (
            {
                k: v for k, v in new.links.items()
                if k not in old.links and (k[0] is None or k[0] in old.phases)
                and not v["is_prerequisite"]
            }
            if enrolled else {}
        )  # fmt: skip
        fixed = svc.fixed_changes(replace(old, links={**old.links, **adding}), new, names) if body else []
        if fixed and enrolled:
            raise RefusedError(
                f"Program {svc.label(program)} has enrollments, so {source} cannot change its structure; nothing was written.",
                f"Set `version = {svc.next_version(session, program)}` in the file to make a new version "
                "(enrollments stay on the version they started on). " + svc.ENROLLED_RULE,
                details=fixed,
            )
        result.changes.extend(body)
        if program.status == "draft" and doc.status != "draft":
            result.changes.append("~ program status 'draft' -> 'active'")
    for pre in prereqs:
        if pre.id not in old.prerequisite_ids:
            svc.check_program_prerequisite(session, program, pre)
    if body or result.created:
        if adding:  # the rest first; the added links then one by one through add_link
            svc.sync(session, program, old, replace(new, links={
                k: v for k, v in new.links.items() if k not in adding
            }))  # fmt: skip
            _add_links_in_use(session, actor, program, adding, new, result, today=today)
        else:
            svc.sync(session, program, old, new)
    if program.status == "draft" and doc.status != "draft" and not result.created:
        program.status = "active"
    if result.changes:
        audit(
            session,
            actor,
            "program.apply",
            "program",
            program.id,
            source=source,
            changes=len(result.changes),
        )
    session.flush()
    return result


def _add_links_in_use(
    session: Session, actor: Actor, program: Program, adding: dict[tuple[int | None, int], Any],
    new: svc.Spec, result: ApplyResult, *, today: date | None,
) -> None:  # fmt: skip
    """Links a file adds to a version with enrollments: `program requirement add`'s path, one
    link at a time (each set-based over the enrollments); what each did is one more line."""
    from trainctl.schemas.programs import LinkCreate

    for (phase, rid), values in sorted(adding.items(), key=lambda kv: (kv[0][0] or 0, kv[1]["sort_order"])):
        _, ext = svc.add_link(
            session, actor, program, f"#{rid}", LinkCreate(**values), phase_number=phase,
            today=today,
        )  # fmt: skip
        if ext.enrollments:
            reopened = f"; {ext.reopened} completed reopened (the link is required)" if ext.reopened else ""
            credited = f"; {plural(ext.credited, 'credit')} from what is on file" if ext.credited else ""
            result.changes.append(
                f"  requirement {new.labels.get(rid, rid)}: {plural(ext.enrollments, 'enrollment')} "
                f"gain it{reopened}{credited}"
            )
