"""The requirement catalog: add, list, find, edit, and the data `show` prints.

A requirement comes from a registry (NFPA, NREMT, Pro Board, ISO: see services/registry.py)
or from the department. Facts set by a standard are not editable; a department that wants
different figures makes a department copy (`requirement add --from CODE`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, col, select

from trainctl.errors import BadInputError, NotFoundError, RefusedError, UsageError
from trainctl.models import Position, Requirement, utcnow
from trainctl.schemas import describe_errors
from trainctl.schemas.requirements import (
    TARGET_FIELDS,
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
    "required_positions", "registry_name", "registry_code", "counts_courses",
    "counts_training_types", "counts_categories", "counts_call_types",
)  # fmt: skip
_LIST_FIELDS = {
    "counts_courses",
    "counts_training_types",
    "counts_categories",
    "counts_call_types",
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
# A requirement's natural keys (registry, code, name, alias) match ignoring case and spaces:
# "nfpa1001" finds "NFPA 1001". The lookups below and the duplicate checks use the same rule,
# written once for SQL (`key_sql`) and once for Python (`norm`), so that no two requirements
# can exist that a lookup cannot tell apart. Case folding is done by the database's lower():
# full Unicode on PostgreSQL, ASCII letters only on SQLite; Python's lower() folds at least as
# much, so Python-side matching can only merge more, never let a duplicate through.
def norm(text: str) -> str:
    """The Python twin of `key_sql`: lower case, spaces removed."""
    return text.replace(" ", "").lower()


def key_sql(value: Any) -> Any:
    """A column or a value, normalised in SQL as `norm` does in Python."""
    return sa.func.lower(sa.func.replace(value, " ", ""))


def same_key(column: Any, text: str) -> Any:
    """`column` names the same thing as `text` (both sides normalised by the database)."""
    return key_sql(column) == key_sql(sa.literal(text, sa.String))


def in_registry(registry_name: str | None) -> Any:
    """The scope a code or name is unique in: one registry, or the department (NULL)."""
    column = col(Requirement.registry_name)
    return column.is_(None) if registry_name is None else same_key(column, registry_name)


def registry_spelling(session: Session, registry_name: str | None) -> str | None:
    """The registry's name as the catalog already spells it ("NFPA" for "nfpa"), so that one
    registry never shows under two spellings."""
    if registry_name is None:
        return None
    have = session.exec(
        select(Requirement.registry_name)
        .where(same_key(col(Requirement.registry_name), registry_name))
        .order_by(col(Requirement.id))
        .limit(1)
    ).first()
    return have or registry_name


def _json_text(column: Any) -> Any:
    return sa.cast(column, sa.Text)


def get_requirement(session: Session, ref: str | int) -> Requirement:
    """Find a requirement by id, registry code ("NFPA 1001"), name or alias: a few indexed or
    filtered queries, never the whole catalog (only a miss loads names, to suggest some)."""
    text = str(ref).strip()
    if text.isdigit():
        found = session.get(Requirement, int(text))
        if found is not None:
            return found
    for attr in ("registry_code", "name"):
        column = getattr(Requirement, attr)
        query = select(Requirement).where(col(column).is_not(None), same_key(column, text))
        hits = list(session.exec(query.order_by(col(Requirement.id))).all())
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UsageError(
                f"{text!r} names {len(hits)} requirements.",
                "Use the id: "
                + "; ".join(f"{r.id} = {r.name} ({r.registry_name or 'department'})" for r in hits),
            )
    # Aliases are a JSON list: portable SQL has no list membership for JSON (SQLite's
    # json_each and PostgreSQL's json_array_elements differ), so the serialised list is
    # searched for the quoted alias, then each candidate is checked exactly.
    key = norm(text)
    aliases = key_sql(_json_text(col(Requirement.aliases)))
    candidates = session.exec(
        select(Requirement).where(aliases.contains(json.dumps(key), autoescape=True))
    ).all()
    hits = [r for r in candidates if any(norm(a) == key for a in r.aliases)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise UsageError(
            f"{text!r} is an alias of {len(hits)} requirements.",
            "Use the id: " + "; ".join(f"{r.id} = {r.name}" for r in hits),
        )
    rows = session.exec(select(Requirement.registry_code, Requirement.name)).all()
    names = [c for c, _ in rows if c] + [n for _, n in rows]
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
    """The catalog, filtered in SQL. `position` keeps what applies to that position:
    requirements that name it, and those that name no position (they apply to everyone)."""
    query = select(Requirement)
    if source:
        query = query.where(Requirement.source == source)
    if requirement_type:
        query = query.where(Requirement.requirement_type == requirement_type)
    if registry:
        if norm(registry) in ("department", "none", "-"):
            query = query.where(col(Requirement.registry_name).is_(None))
        else:
            query = query.where(same_key(col(Requirement.registry_name), registry))
    if position:
        code = position.strip().lower()
        check_positions(session, [code])
        # Position codes are letters, digits and _ (checked on every write), so the quoted
        # code occurs in the serialised JSON list only as a whole element: exact, and
        # portable (json_array_length exists on SQLite and PostgreSQL).
        positions = col(Requirement.required_positions)
        query = query.where(
            sa.or_(
                sa.func.json_array_length(positions) == 0,
                _json_text(positions).contains(json.dumps(code), autoescape=True),
            )
        )
    query = query.order_by(
        col(Requirement.registry_name).is_(None),
        col(Requirement.registry_name),
        col(Requirement.registry_code),
        col(Requirement.name),
        col(Requirement.id),
    )
    return list(session.exec(query).all())


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


def _refuse_invalid(name: str, problems: list[str], command: str = "add") -> None:
    if problems:
        raise BadInputError(
            f"Requirement {name!r} is not valid ({len(problems)} problem{'s' if len(problems) > 1 else ''}).",
            f"Fix the fields named above; `trainctl requirement {command} --help` lists every option.",
            details=problems,
        )


def _refuse_duplicate(
    session: Session, fields: dict[str, Any], except_id: int | None = None
) -> None:
    """Codes and names are natural keys: unique (ignoring case and spaces, as lookups do)
    within a registry, and among department requirements (no registry).

    Enforced here rather than by a unique index: the rule ignores spaces as well as case,
    an index on expressions is not reflected on SQLite (so Alembic's batch mode would drop
    it at the next rebuild of the table, unnoticed), and the department scope is
    registry_name NULL, which a unique index treats as all different. Write transactions
    begin IMMEDIATE on SQLite, so this check and the INSERT after it cannot interleave with
    another writer."""
    registry_name, code, name = fields["registry_name"], fields["registry_code"], fields["name"]
    scope = select(Requirement).where(in_registry(registry_name))
    if except_id is not None:
        scope = scope.where(col(Requirement.id) != except_id)
    who = registry_name or "The department"
    if code:
        other = session.exec(
            scope.where(
                col(Requirement.registry_code).is_not(None),
                same_key(col(Requirement.registry_code), code),
            )
        ).first()
        if other is not None:
            raise BadInputError(
                f"{who} already has a requirement {other.registry_code!r} (id {other.id}, {other.name}).",
                "Registry codes are unique within a registry (ignoring case and spaces): give "
                f"another --code, or change the existing one with `trainctl requirement edit {other.id}`.",
            )
    other = session.exec(scope.where(same_key(col(Requirement.name), name))).first()
    if other is not None:
        where = f"the {registry_name} registry" if registry_name else "department requirements"
        raise BadInputError(
            f"{who} already has a requirement named {other.name!r} (id {other.id}).",
            f"Names are unique within {where} (ignoring case and spaces): give this one another "
            f"--name, or change the existing one with `trainctl requirement edit {other.id}`.",
        )


# ------------------------------------------------------------------------------ use cases
# Fields that say what a member must do: when a department copy changes one of them, the
# standard's description no longer describes the copy.
COPY_TARGETS = ("requirement_type", *TARGET_FIELDS, "frequency", "period_months")


def origin_label(req: Requirement) -> str:
    """How a copy names its original: 'NREMT-EMT', 'State ST-1', 'requirement 12 (Pump ops)'."""
    if req.registry_name and req.registry_code:
        if norm(req.registry_code).startswith(norm(req.registry_name)):
            return req.registry_code  # "NFPA 1001", not "NFPA NFPA 1001"
        return f"{req.registry_name} {req.registry_code}"
    return f"requirement {req.id} ({req.name})"


def add_copy(
    session: Session, actor: Actor, ref: str | int, changes: RequirementUpdate
) -> Requirement:
    """A department copy of a requirement (`requirement add --from REF`) with `changes`
    applied: every field, but editable, owned by the department, with no registry identity
    (a re-import never touches it) and, unless given, source_document "department default
    (copied from ...)", so the copy never cites the standard as if it set its figures. When a
    target changes, the original's description goes too unless a new one is given."""
    actor.require(MANAGE, "add requirements")
    source = get_requirement(session, ref)
    update = changes.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {k: getattr(source, k) for k in RequirementCreate.model_fields}
    fields.update(
        name=f"{source.name} (department copy)",
        registry_name=None,
        registry_code=None,
        source="department",
        is_editable=True,
        source_document=f"{DEPARTMENT_DEFAULT} (copied from {origin_label(source)})",
    )
    new_type = update.get("requirement_type") or source.requirement_type
    if new_type != source.requirement_type:
        # The old type's targets go unless given again (an hours copy keeps no credential).
        fields.update(blank_other_targets(fields, new_type))
    fields.update(update)
    try:
        merged = RequirementCreate.model_validate(fields).model_dump()
    except ValidationError as exc:
        _refuse_invalid(str(fields["name"]), describe_errors(exc, "copy"))
    changed = [f for f in COPY_TARGETS if merged[f] != getattr(source, f)]
    if changed and "description" not in update:
        merged["description"] = (
            f"Department copy of {origin_label(source)} ({source.name}) with its own "
            f"{', '.join(changed)}."
        )
    return add(session, actor, RequirementCreate.model_validate(merged))


def add(session: Session, actor: Actor, data: RequirementCreate) -> Requirement:
    actor.require(MANAGE, "add requirements")
    fields = data.model_dump()
    if fields["source"] == "department" and not fields["source_document"]:
        fields["source_document"] = DEPARTMENT_DEFAULT
    _refuse_invalid(fields["name"], _problems(session, fields))
    fields["registry_name"] = registry_spelling(session, fields["registry_name"])
    _refuse_duplicate(session, fields)
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
        _refuse_invalid(req.name, describe_errors(exc, "edit"), "edit")
    _refuse_invalid(merged["name"], _problems(session, merged), "edit")
    if merged["registry_name"] != current["registry_name"]:
        merged["registry_name"] = registry_spelling(session, merged["registry_name"])
    keys = ("name", "registry_name", "registry_code")
    if any(merged[k] != current[k] for k in keys):
        _refuse_duplicate(session, merged, except_id=req.id)

    changed = [f for f in update if merged[f] != current[f]]
    if not changed:
        return req, []
    for field in changed:
        setattr(req, field, merged[field])
    req.updated_at = utcnow()
    req.updated_by = actor.member_id
    session.add(req)
    session.flush()
    from trainctl.services.progress import remeasure_requirement  # progress follows the target

    remeasure_requirement(session, req.id)  # type: ignore[arg-type]
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
