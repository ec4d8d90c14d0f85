"""A program as one nested document: `program show --format json` (with its ids and
status), `program export` (TOML) and what `program apply` reads back.

Links name their requirement by (registry, code), or by name for requirements without a
registry code; those are embedded as `requirement_definitions` so that a new database can
reproduce the program. Registry requirements are never embedded.
"""

from __future__ import annotations

from typing import Any

from trainctl.queries.programs import LinkView, MilestoneRow, ProgramTree, ref_of
from trainctl.queries.requirements import RequirementRow

HEADER = "# trainctl program file: apply with `trainctl program apply --file FILE` (format: TOML; JSON also accepted)\n"
# The fields of a requirement definition besides its name, with their defaults: an exported
# definition leaves out what equals the default. The same as schemas.programs.
# RequirementDefinition (tests/test_read_shapes.py), written here because the read side
# never imports pydantic.
DEFINITION_DEFAULTS: dict[str, Any] = {
    "description": None, "requirement_type": None, "source": "department",
    "source_document": None, "aliases": [], "is_editable": True, "required_hours": None,
    "required_shifts": None, "required_calls": None, "required_courses": [],
    "credential_code": None, "required_skills": [], "checklist_items": [],
    "hour_categories": [], "frequency": "one_time", "period_months": None,
    "period_anchor": "calendar", "time_limit_days": None, "required_positions": [],
    "counts_courses": [], "counts_training_types": [], "counts_categories": [],
    "counts_call_types": [], "counts_attendance": False, "cycle_end": None,
    "cycle_credential": None,
}  # fmt: skip
DEFINITION_FIELDS = tuple(DEFINITION_DEFAULTS)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def link_doc(lv: LinkView) -> dict[str, Any]:
    req, link = lv.requirement, lv.link
    ref: dict[str, Any] = (
        {"registry": req.registry_name, "code": req.registry_code, "name": req.name}
        if req.registry_code
        else {"name": req.name}
    )
    return {
        **ref,
        "required": link.is_required,
        "prerequisite": link.is_prerequisite,
        "sort_order": link.sort_order,
        "description": link.program_specific_description,
        "deadline_days": link.custom_deadline_days,
        "notification_message": link.notification_message,
    }


def milestone_doc(ms: MilestoneRow) -> dict[str, Any]:
    return {
        "name": ms.name,
        "threshold": ms.completion_percentage_threshold,
        "description": ms.description,
        "notification_message": ms.notification_message,
        "requires_verification": ms.requires_verification,
    }


def definition_doc(req: RequirementRow) -> dict[str, Any]:
    return {"name": req.name, **{f: getattr(req, f) for f in DEFINITION_FIELDS}}


def program_document(tree: ProgramTree, *, info: bool = False) -> dict[str, Any]:
    """The whole program as one nested document. `info=True` adds read-only keys (ids,
    status, lineage) for `show --format json`; apply accepts and ignores them."""
    p = tree.program
    doc: dict[str, Any] = {}
    if info:
        doc.update({
            "id": p.id, "status": p.status,
            "lineage": ref_of(tree.lineage) if tree.lineage else None,
            "derived_from": ref_of(tree.derived_from) if tree.derived_from else None,
            "created_at": p.created_at,  # an instant: JSON writes it in ISO 8601 with Z
        })  # fmt: skip
    doc.update({
        "name": p.name, "version": p.version, "description": p.description,
        "target_position": p.target_position, "structure_type": p.structure_type,
        "allows_concurrent_enrollment": p.allows_concurrent_enrollment,
        "time_limit_days": p.time_limit_days, "warning_days_before": p.warning_days_before,
        "is_template": p.is_template,
        "prerequisites": [ref_of(q) for q in tree.prerequisites],
        "reminder_conditions": dict(p.reminder_conditions or {}),
    })  # fmt: skip
    defs = {
        lv.requirement.id: lv.requirement
        for _, lv in tree.all_links()
        if not lv.requirement.registry_code
    }
    doc["requirement_definitions"] = [
        ({"id": r.id} if info else {}) | definition_doc(r)
        for r in sorted(defs.values(), key=lambda r: r.name.lower())
    ]
    doc["requirements"] = [({"id": lv.link.id} if info else {}) | link_doc(lv) for lv in tree.links]
    doc["milestones"] = [({"id": m.id} if info else {}) | milestone_doc(m) for m in tree.milestones]
    doc["phases"] = [
        ({"id": pv.phase.id} if info else {})
        | {
            "number": pv.phase.phase_number,
            "name": pv.phase.name,
            "description": pv.phase.description,
            "prerequisites": pv.prerequisites,
            "requires_manual_advancement": pv.phase.requires_manual_advancement,
            "time_limit_days": pv.phase.time_limit_days,
            "requirements": [
                ({"id": lv.link.id} if info else {}) | link_doc(lv) for lv in pv.links
            ],
            "milestones": [
                ({"id": m.id} if info else {}) | milestone_doc(m) for m in pv.milestones
            ],
        }
        for pv in tree.phases
    ]
    return doc


def export_toml(tree: ProgramTree) -> str:
    """The program file `program export` writes: the document with its status, without the
    other read-only keys, empty values and definition fields left at their defaults."""
    import tomli_w  # only `program export` writes TOML

    doc = program_document(tree)
    # the status too: a draft exported and applied elsewhere arrives a draft, not active
    doc = {"name": doc.pop("name"), "version": doc.pop("version"), "status": tree.program.status, **doc}
    doc["requirement_definitions"] = [
        {
            k: v
            for k, v in d.items()
            if k in ("name", "requirement_type") or v != DEFINITION_DEFAULTS.get(k)
        }
        for d in doc["requirement_definitions"]
    ]
    return HEADER + tomli_w.dumps(_drop_none(doc))
