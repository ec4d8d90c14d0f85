"""The requirement catalog: add, list, find, edit, and the data `show` prints.

A requirement comes from a registry (NFPA, NREMT, Pro Board, ISO: see services/registry.py)
or from the department. Facts set by a standard are not editable; a department that wants
different figures makes a department copy (`requirement add --from CODE`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, col, select

from trainctl.errors import BadInputError, NotFoundError, RefusedError, UsageError
from trainctl.models import Position, Requirement, utcnow
from trainctl.schemas import describe_errors
from trainctl.schemas.requirements import (
    RequirementCreate,
    RequirementRead,
    RequirementUpdate,
    blank_other_targets,
    check_requirement,
)
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor

NOT_EDITABLE = "This requirement cannot be edited"
DEPARTMENT_DEFAULT = "department default"

# Fields a user may clear with `requirement edit --clear FIELD`.
CLEARABLE = (
    "description", "source_document", "aliases", "required_hours", "required_shifts",
    "required_calls", "required_courses", "credential_code", "required_skills",
    "checklist_items", "hour_categories", "period_months", "time_limit_days",
    "required_positions", "registry_name", "registry_code",
)  # fmt: skip
_LIST_FIELDS = {
    "aliases",
    "required_courses",
    "required_skills",
    "checklist_items",
    "hour_categories",
    "required_positions",
}


# ------------------------------------------------------------------------------ positions
def known_positions(session: Session) -> list[str]:
    return list(session.exec(select(Position.code).order_by(Position.code)).all())


def unknown_positions(positions: Iterable[str], known: Sequence[str]) -> list[str]:
    have = set(known)
    return [p for p in positions if p not in have]


def check_positions(session: Session, positions: Iterable[str]) -> None:
    known = known_positions(session)
    missing = unknown_positions(positions, known)
    if missing:
        raise BadInputError(
            f"Unknown position{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.",
            f"Known positions: {', '.join(known)}.",
        )


# --------------------------------------------------------------------------------- lookup
def _norm(text: str) -> str:
    return "".join(text.casefold().split())


def get_requirement(session: Session, ref: str | int) -> Requirement:
    """Find a requirement by id, registry code ("NFPA 1001"), name or alias."""
    text = str(ref).strip()
    if text.isdigit():
        found = session.get(Requirement, int(text))
        if found is not None:
            return found
    rows = list(session.exec(select(Requirement).order_by(col(Requirement.id))).all())
    key = _norm(text)
    for attr in ("registry_code", "name"):
        hits = [r for r in rows if getattr(r, attr) and _norm(getattr(r, attr)) == key]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UsageError(
                f"{text!r} names {len(hits)} requirements.",
                "Use the id: "
                + "; ".join(f"{r.id} = {r.name} ({r.registry_name or 'department'})" for r in hits),
            )
    hits = [r for r in rows if any(_norm(a) == key for a in r.aliases)]
    if len(hits) == 1:
        return hits[0]
    names = [r.registry_code for r in rows if r.registry_code] + [r.name for r in rows]
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
    hint = "Name a requirement by id, registry code (e.g. 'NFPA 1001') or name; `trainctl requirement list` shows them."
    if close:
        hint = f"Did you mean {' or '.join(repr(c) for c in close)}? " + hint
    elif not rows:
        hint = "The catalog is empty: import a registry with `trainctl import nfpa` or add one with `trainctl requirement add`."
    raise NotFoundError(f"No requirement {text!r}.", hint)


def list_requirements(
    session: Session,
    *,
    source: str | None = None,
    registry: str | None = None,
    requirement_type: str | None = None,
    position: str | None = None,
) -> list[Requirement]:
    """The catalog, filtered. `position` keeps what applies to that position: requirements
    that name it, and those that name no position (they apply to everyone)."""
    query = select(Requirement)
    if source:
        query = query.where(Requirement.source == source)
    if requirement_type:
        query = query.where(Requirement.requirement_type == requirement_type)
    if registry:
        if _norm(registry) in ("department", "none", "-"):
            query = query.where(col(Requirement.registry_name).is_(None))
        else:
            name = sa.func.lower(sa.func.replace(col(Requirement.registry_name), " ", ""))
            query = query.where(name == _norm(registry))
    query = query.order_by(
        col(Requirement.registry_name).is_(None),
        col(Requirement.registry_name),
        col(Requirement.registry_code),
        col(Requirement.name),
        col(Requirement.id),
    )
    rows = list(session.exec(query).all())
    if position:
        code = position.strip().lower()
        check_positions(session, [code])
        rows = [r for r in rows if not r.required_positions or code in r.required_positions]
    return rows


# ---------------------------------------------------------------------------- validation
def _problems(session: Session, data: dict[str, Any]) -> list[str]:
    problems = check_requirement(data)
    known = known_positions(session)
    missing = unknown_positions(data.get("required_positions") or [], known)
    if missing:
        problems.append(
            f"required_positions: unknown position{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(known: {', '.join(known)})"
        )
    return problems


def _refuse_invalid(name: str, problems: list[str]) -> None:
    if problems:
        raise BadInputError(
            f"Requirement {name!r} is not valid ({len(problems)} problem{'s' if len(problems) > 1 else ''}).",
            "Fix the fields named above; `trainctl requirement add --help` lists every option.",
            details=problems,
        )


def _refuse_duplicate(
    session: Session, registry_name: str | None, code: str | None, except_id: int | None = None
) -> None:
    if not code:
        return
    query = select(Requirement).where(Requirement.registry_code == code)
    query = query.where(
        col(Requirement.registry_name).is_(None)
        if registry_name is None
        else Requirement.registry_name == registry_name
    )
    other = session.exec(query).first()
    if other is not None and other.id != except_id:
        raise RefusedError(
            f"{registry_name or 'The department'} already has a requirement {code!r} (id {other.id}, {other.name}).",
            "Registry codes are unique per registry: pick another code, or edit the existing one.",
        )


# ------------------------------------------------------------------------------ use cases
def copy_fields(source: Requirement) -> dict[str, Any]:
    """A department copy of a requirement: every field, but editable, owned by the department,
    and with no registry identity (so a re-import never touches it)."""
    data = RequirementCreate.model_fields.keys()
    fields = {k: getattr(source, k) for k in data}
    origin = source.registry_code or source.name
    fields.update(
        registry_name=None,
        registry_code=None,
        source="department",
        is_editable=True,
        source_document=f"department copy of {origin}"
        + (f" ({source.source_document})" if source.source_document else ""),
    )
    return fields


def add(session: Session, actor: Actor, data: RequirementCreate) -> Requirement:
    actor.require(MANAGE, "add requirements")
    fields = data.model_dump()
    if fields["source"] == "department" and not fields["source_document"]:
        fields["source_document"] = DEPARTMENT_DEFAULT
    _refuse_invalid(fields["name"], _problems(session, fields))
    _refuse_duplicate(session, fields["registry_name"], fields["registry_code"])
    req = Requirement(**fields, created_by=actor.member_id)
    session.add(req)
    session.flush()
    audit(
        session,
        actor,
        "requirement.add",
        "requirement",
        req.id,
        name=req.name,
        registry_code=req.registry_code,
    )
    return req


def edit(
    session: Session,
    actor: Actor,
    ref: str | int,
    changes: RequirementUpdate,
    *,
    clear: Sequence[str] = (),
) -> tuple[Requirement, list[str]]:
    """Apply the fields set in `changes` (and clear the named ones). Returns the requirement
    and the names of the fields that actually changed (none: nothing was written)."""
    actor.require(MANAGE, "edit requirements")
    req = get_requirement(session, ref)
    if not req.is_editable:
        origin = req.registry_code or req.name
        raise RefusedError(
            NOT_EDITABLE,
            f"{origin} is set by {req.source_document or req.registry_name or 'its standard'}. "
            f"Make a department copy you can change: trainctl requirement add --from {origin!r} --name '...'",
        )
    update = changes.model_dump(exclude_unset=True)
    unknown = [f for f in clear if f not in CLEARABLE]
    if unknown:
        raise UsageError(
            f"Cannot clear {', '.join(unknown)}.", f"Clearable fields: {', '.join(CLEARABLE)}."
        )
    both = sorted(set(clear) & set(update))
    if both:
        raise UsageError(
            f"{', '.join(both)}: both set and cleared.",
            "Give a field a value or --clear it, not both.",
        )
    for field in clear:
        update[field] = [] if field in _LIST_FIELDS else None
    nulls = [f for f, v in update.items() if v is None and f not in CLEARABLE]
    if nulls:
        raise UsageError(f"{', '.join(nulls)} cannot be empty.")
    if not update:
        raise UsageError(
            "Nothing to change.",
            "Give at least one option; `trainctl requirement edit --help` lists them.",
        )

    current = {k: getattr(req, k) for k in RequirementCreate.model_fields}
    new_type = update.get("requirement_type")
    if new_type and new_type != req.requirement_type:
        # The old type's targets go unless given again (a checklist keeps no stale hours).
        for field, empty in blank_other_targets(current, new_type).items():
            update.setdefault(field, empty)
    merged = {**current, **update}
    # Validate the merged requirement as a whole (types via RequirementCreate, then the rules).
    try:
        merged = RequirementCreate.model_validate(merged).model_dump()
    except ValidationError as exc:
        _refuse_invalid(req.name, describe_errors(exc, "edit"))
    _refuse_invalid(merged["name"], _problems(session, merged))
    if (merged["registry_name"], merged["registry_code"]) != (req.registry_name, req.registry_code):
        _refuse_duplicate(
            session, merged["registry_name"], merged["registry_code"], except_id=req.id
        )

    changed = [f for f in update if merged[f] != current[f]]
    if not changed:
        return req, []
    for field in changed:
        setattr(req, field, merged[field])
    req.updated_at = utcnow()
    req.updated_by = actor.member_id
    session.add(req)
    session.flush()
    audit(
        session, actor, "requirement.edit", "requirement", req.id,
        changes={f: {"from": _plain(current[f]), "to": _plain(merged[f])} for f in changed},
    )  # fmt: skip
    return req, changed


def _plain(value: Any) -> Any:
    return value.model_dump() if hasattr(value, "model_dump") else value


# ------------------------------------------------------------------------------- reading
def source_label(req: Requirement) -> str:
    """Where the requirement's figures come from: the standard and edition, or
    "department default"."""
    return req.source_document or DEPARTMENT_DEFAULT


def read(req: Requirement) -> dict[str, Any]:
    """The stable JSON shape (RequirementRead), keys in a fixed order."""
    data = RequirementRead.model_validate(req).model_dump()
    data["source_document"] = source_label(req)
    return data


def target_text(req: Requirement) -> str:
    """The requirement's target in a few words: '40 h', '12 shifts', 'NFPA 1001', '5 items'."""
    t = req.requirement_type
    if t == "hours" and req.required_hours is not None:
        h = req.required_hours
        text = f"{h:g} h"
        if req.hour_categories:
            text += (
                " ("
                + " / ".join(
                    f"{c['name']} {c['min_hours']:g}"
                    if c.get("min_hours") is not None
                    else c["name"]
                    for c in req.hour_categories
                )
                + ")"
            )
        return text
    if t == "shifts":
        return _count(req.required_shifts or 0, "shift")
    if t == "calls":
        return _count(req.required_calls or 0, "call")
    if t == "courses":
        return f"{_count(len(req.required_courses), 'course')}: {', '.join(req.required_courses)}"
    if t == "certification":
        return ", ".join([c for c in [req.credential_code, *req.required_courses] if c])
    if t == "skills_evaluation":
        return _count(len(req.required_skills), "skill")
    if t == "checklist":
        return _count(len(req.checklist_items), "item")
    return ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def frequency_text(req: Requirement) -> str:
    if req.frequency == "rolling":
        return f"rolling {req.period_months} months"
    return req.frequency
