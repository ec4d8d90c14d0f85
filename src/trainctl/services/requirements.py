"""The requirement catalog: add, list, find, edit, and the data `show` prints.

A requirement comes from a registry (NFPA, NREMT, Pro Board, ISO: see services/registry.py)
or from the department. Facts set by a standard are not editable; a department that wants
different figures makes a department copy (`requirement add --from CODE`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, col, select

from trainctl.domain.lookup import norm
from trainctl.domain.periods import FREQUENCY_MONTHS, NREMT_CYCLE_ENDS, cycle_of
from trainctl.domain.progress import Target
from trainctl.domain.text import shell_word
from trainctl.errors import BadInputError, RefusedError, UsageError
from trainctl.models import Requirement, RequirementHistory, utcnow
from trainctl.queries import reader_of
from trainctl.queries import requirements as q
from trainctl.queries.requirements import (  # noqa: F401  (the names callers import from here)
    DEPARTMENT_DEFAULT,
    frequency_text,
    positions_problem,
    source_label,
    target_text,
)
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

if TYPE_CHECKING:
    from trainctl.services.credit_feed import Recredit

NOT_EDITABLE = "This requirement cannot be edited"

# Fields a user may clear with `requirement edit --clear FIELD`.
CLEARABLE = (
    "description", "source_document", "aliases", "required_hours", "required_shifts",
    "required_calls", "required_courses", "credential_code", "required_skills",
    "checklist_items", "hour_categories", "period_months", "time_limit_days",
    "required_positions", "registry_name", "registry_code", "counts_courses",
    "counts_training_types", "counts_categories", "counts_call_types", "cycle_end",
    "cycle_credential",
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
    session.flush()
    return q.known_positions(reader_of(session))


def entry_notice(req: Requirement) -> str | None:
    """What `requirement add` says of a requirement entered inside a window of the
    calendar (domain/compliance.entry_note, the words of `requirement explain`), with how
    to hold members to a whole window: the entry day is never moved back, and a report
    of a later day holds members to what it says (an annual 12 h added on 30 November:
    1 h of 2026)."""
    from trainctl.domain import compliance as dc
    from trainctl.domain.text import shell_word

    note = dc.entry_note(dc.RequirementSpec.of(req, entered=req.entered_on))
    if note is None:
        return None
    assert req.entered_on is not None
    first = dc.pd.windows(dc.RequirementSpec.of(req).period, req.entered_on).current.start
    return (
        f"{req.name} is {note}, as the reports judge it. A requirement added as of its "
        f"window's first day holds members to the whole window (`trainctl --as-of {first} "
        f"requirement add --name {shell_word(req.name)} ...`)."
    )


def unknown_cycle_card(session: Session, req: Requirement) -> str | None:
    """A warning when the card that places a requirement's cycle (--cycle-credential) is a
    code nothing uses: no card carries it and no certification requirement names it, so
    until one does the members' certification dates place the cycle (a mistyped code
    would do that silently). NREMT level codes are known without a card on file."""
    code = (req.cycle_credential or "").strip()
    if not code or code.upper() in NREMT_CYCLE_ENDS:
        return None
    session.flush()
    if q.credential_known(reader_of(session), code):
        return None
    return (
        f"no card with credential code {code!r} is on file and no certification requirement "
        "names it: until one is, each member's certification date places the cycle. Check "
        "the spelling (`trainctl cert list` shows the codes on cards)."
    )


# --------------------------------------------------------------------------------- lookup
# The natural-key rule (domain.lookup.norm; queries.requirements.key in SQL) written as a
# SQLAlchemy expression, for the duplicate checks below and the registry import.
def key_sql(value: Any) -> Any:
    """A column or a value, normalised in SQL as `norm` does in Python (dbfile.FOLD_FUNCTION)."""
    return sa.func.trainctl_fold(sa.func.replace(value, " ", ""))


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


def get_requirement(session: Session, ref: str | int) -> Requirement:
    """The requirement named by id, registry code, name or alias (the one resolver:
    queries.requirements.get_requirement, on this session's transaction)."""
    session.flush()
    found = q.get_requirement(reader_of(session), ref)
    req = session.get(Requirement, found.id)
    assert req is not None
    return req


def list_requirements(
    session: Session,
    *,
    source: str | None = None,
    registry: str | None = None,
    requirement_type: str | None = None,
    position: str | None = None,
) -> list[Requirement]:
    """The catalog as queries.requirements.list_requirements filters and orders it, as
    model objects (one more query: only the matching rows are loaded)."""
    session.flush()
    rows = q.list_requirements(
        reader_of(session),
        source=source,
        registry=registry,
        requirement_type=requirement_type,
        position=position,
    )
    ids = [r.id for r in rows]
    loaded = {
        r.id: r for r in session.exec(select(Requirement).where(col(Requirement.id).in_(ids)))
    } if ids else {}
    return [loaded[i] for i in ids]


# ---------------------------------------------------------------------------- validation
def _problems(session: Session, data: dict[str, Any]) -> list[str]:
    problems = check_requirement(data)
    positions = positions_problem(data.get("required_positions") or [], known_positions(session))
    if positions:
        problems.append(f"required_positions: {positions}")
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
    session: Session, actor: Actor, ref: str | int, changes: RequirementUpdate, *,
    today: date | None = None,
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
    end, card, _ = cycle_of(source.registry_name, source.registry_code, source.cycle_end,
                            source.cycle_credential)  # fmt: skip
    if end is not None:
        # an NREMT level's fixed cycle (31 March) is the registry's, found by its code,
        # which the copy does not keep: the copy stores it (migration 0014)
        fields.update(cycle_end=f"{end.month:02d}-{end.day:02d}", cycle_credential=card)
    new_type = update.get("requirement_type") or source.requirement_type
    if new_type != source.requirement_type:
        # The old type's targets go unless given again (an hours copy keeps no credential).
        fields.update(blank_other_targets(fields, new_type))
    fields.update(update)
    _months_go_with_their_frequency(fields, update)
    own_windows = (
        update.get("period_anchor", "certification_date") != "certification_date"
        or fields.get("frequency") not in FREQUENCY_MONTHS
        or new_type == "certification"
    )
    if "cycle_end" not in update and own_windows:
        # windows of its own asked for (another anchor, a one-time or rolling copy, a
        # certification): no cycle (and no description that promises one, below)
        fields.update(cycle_end=None, cycle_credential=None)
    _new_cycle_drops_its_card(fields, update, end)
    try:
        merged = RequirementCreate.model_validate(fields).model_dump()
    except ValidationError as exc:
        _refuse_invalid(str(fields["name"]), describe_errors(exc, "copy"))
    changed = [f for f in COPY_TARGETS if merged[f] != getattr(source, f)]
    if end is not None and merged["cycle_end"] is None:
        changed.append("windows (no fixed cycle)")  # the original's text promises its cycle
    if changed and "description" not in update:
        merged["description"] = (
            f"Department copy of {origin_label(source)} ({source.name}) with its own "
            f"{', '.join(changed)}."
        )
    return add(session, actor, RequirementCreate.model_validate(merged), today=today)


def _months_go_with_their_frequency(fields: dict[str, Any], update: dict[str, Any]) -> bool:
    """A new frequency that takes no months (annual, quarterly, ...: only rolling and a
    one-time window from a member's date do) drops the months the requirement had, unless
    given again: `requirement add --from ISO-RECRUIT --frequency annual` is not refused for
    the recruit year it copied. Returns whether it dropped them."""
    if "frequency" not in update or "period_months" in update or fields.get("period_months") is None:
        return False
    if fields["frequency"] in ("rolling", "one_time"):
        return False
    fields["period_months"] = None
    return True


def _new_cycle_drops_its_card(fields: dict[str, Any], update: dict[str, Any], before: Any) -> None:
    """A cycle end given anew (another day than `before`'s) without --cycle-credential
    drops the card the old cycle had: an NREMT card expiring 31 March would place windows
    that contradict a 30 June cycle. And a cycle is placed by the card or the certification
    date: given without --anchor, the anchor becomes certification_date."""
    given = update.get("cycle_end")
    if not given:
        return
    old = f"{before.month:02d}-{before.day:02d}" if hasattr(before, "month") else before
    if given != old and "cycle_credential" not in update:
        fields["cycle_credential"] = None
    if "period_anchor" not in update:
        fields["period_anchor"] = "certification_date"


def add(
    session: Session, actor: Actor, data: RequirementCreate, *, today: date | None = None
) -> Requirement:
    """A new requirement, entered on `today` (the --as-of day), else the department's
    today: its history starts there (keep_history)."""
    from trainctl.services.settings import today as department_today

    actor.require(MANAGE, "add requirements")
    fields = data.model_dump()
    if fields["cycle_end"] and "period_anchor" not in data.model_fields_set:
        fields["period_anchor"] = "certification_date"  # what places a fixed cycle
    if fields["source"] == "department" and not fields["source_document"]:
        fields["source_document"] = DEPARTMENT_DEFAULT
    _refuse_invalid(fields["name"], _problems(session, fields))
    fields["registry_name"] = registry_spelling(session, fields["registry_name"])
    _refuse_duplicate(session, fields)
    req = Requirement(**fields, created_by=actor.member_id, entered_on=department_today(session, today))
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


def _validated(merged: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """The merged requirement checked whole (RequirementCreate). A text entered before the
    catalog had its lengths (a 4,500-character description of an older database) stays as
    it is while an edit does not give it: only what the edit gives is held to them."""
    kept: dict[str, tuple[Any, int]] = {}  # field -> (its value as on file, its length limit)
    while True:
        try:
            short = {f: v[:n] for f, (v, n) in kept.items()}
            out = RequirementCreate.model_validate({**merged, **short}).model_dump()
            return {**out, **{f: v for f, (v, _) in kept.items()}}
        except ValidationError as exc:
            old = {
                str(e["loc"][0]): (merged[str(e["loc"][0])], int(e["ctx"]["max_length"]))
                for e in exc.errors()
                if e["type"] in ("string_too_long", "too_long") and len(e["loc"]) == 1 and e["loc"][0] not in update
            }
            if not old.keys() - kept.keys():
                raise
            kept.update(old)


def edit(
    session: Session,
    actor: Actor,
    ref: str | int,
    changes: RequirementUpdate,
    *,
    clear: Sequence[str] = (),
    today: date | None = None,
    report: list[str] | None = None,
    effective: date | None = None,
) -> tuple[Requirement, list[str]]:
    """Apply the fields set in `changes` (and clear the named ones). Returns the requirement
    and the names of the fields that actually changed (none: nothing was written).

    A change of what it judges (queries/requirements.HISTORY_FIELDS) takes effect on
    `effective` (default `today`): the values it replaces are kept in requirement_history
    as in force until the day before, so a report as of an earlier day judges by them.

    When what counts toward it changes (its type, counts_* filters, courses, credential or
    skills), its automatic credit is re-derived in the same transaction
    (credit_feed.recredit_requirement, as of `today`, default the department's today); the
    lines saying what that did are appended to `report` when given."""
    actor.require(MANAGE, "edit requirements")
    req = get_requirement(session, ref)
    refuse_retired(req, "edited")
    if effective is not None and not changes.model_fields_set and not clear:
        # the values it has, dated: a standard's too (a new edition adopted before it
        # was imported), which no one may otherwise edit
        _redate(session, actor, req, effective, today, report)
        return req, []
    if not req.is_editable:
        origin = req.registry_code or req.name
        raise RefusedError(
            NOT_EDITABLE,
            f"{origin} is set by {req.source_document or req.registry_name or 'its standard'}. "
            f"Make a department copy you can change: trainctl requirement add --from {shell_word(origin)} --name '...'",
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
    if "cycle_end" in clear and "cycle_credential" not in update:
        update["cycle_credential"] = None  # the card that placed the cycle goes with it
    nulls = [f for f, v in update.items() if v is None and f not in CLEARABLE]
    if nulls:
        raise UsageError(f"{', '.join(nulls)} cannot be empty.")
    if not update:
        raise UsageError(
            "Nothing to change.",
            "Give at least one option; `trainctl requirement edit --help` lists them.",
        )

    current = {k: getattr(req, k) for k in RequirementCreate.model_fields}
    if update.get("cycle_end"):
        extra: dict[str, Any] = {}
        _new_cycle_drops_its_card(extra, update, req.cycle_end)
        update = {**extra, **update}
    new_type = update.get("requirement_type")
    if new_type and new_type != req.requirement_type:
        # The old type's targets go unless given again (a checklist keeps no stale hours).
        for field, empty in blank_other_targets(current, new_type).items():
            update.setdefault(field, empty)
    merged = {**current, **update}
    if _months_go_with_their_frequency(merged, update):
        update["period_months"] = None
    # Validate the merged requirement as a whole (types via RequirementCreate, then the rules).
    try:
        merged = _validated(merged, update)
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
        if effective is not None:  # the values it has, dated
            _redate(session, actor, req, effective, today, report)
        return req, []
    assert req.id is not None
    day = _effective(session, req, changed, effective, today)
    replaced = day is not None and keep_history(session, actor, [(req.id, day - timedelta(days=1), current)])
    if replaced and report is not None:
        report.append(
            f"{req.name} was entered on {req.entered_on}: this change, in force from {day}, "
            "replaces what it was entered as (no earlier version is kept; reports of every "
            "day judge it as it now stands)."
        )
    for field in changed:
        setattr(req, field, merged[field])
    req.updated_at = utcnow()
    req.updated_by = actor.member_id
    session.add(req)
    session.flush()
    lines, recredit = follow_changes(
        session, actor, [(req.id, req.name, current, merged)], today=today, how="edited",
        reason=f"what counts toward {req.name} changed ({', '.join(changed)})",
    )  # fmt: skip
    if report is not None:
        report += lines
    audit(
        session, actor, "requirement.edit", "requirement", req.id,
        changes={f: {"from": _plain(current[f]), "to": _plain(merged[f])} for f in changed},
        **({"effective": day.isoformat()} if day is not None else {}),
        **({"recredit": {"added": recredit.added, "reversed": recredit.reversed}} if recredit else {}),
    )  # fmt: skip
    return req, changed


def follow_changes(
    session: Session,
    actor: Actor,
    changes: Sequence[tuple[int, str, dict[str, Any], dict[str, Any]]],
    *,
    today: date | None,
    how: str,
    reason: str,
) -> tuple[list[str], Recredit | None]:
    """Program progress follows requirements as they now stand, in the caller's
    transaction: `changes` are (id, name, fields before, fields after) of requirements
    already written (`requirement edit`: one; a registry import --update: any number). A
    new target or window re-measures their progress rows (services/progress
    remeasure_requirements), a new rule of what counts re-credits them
    (credit_feed.recredit_requirements), each once for all of them, set-based; a new name
    or description does neither, so it costs the same with two rows or two million.
    Returns the lines saying what that did ("Re-credited ...", "Reopened 1 completed
    enrollment (4): 'X', as `how`, is not met yet") and the Recredit (None: none ran)."""
    remeasure = [
        (rid, name) for rid, name, was, now in changes
        if measured_by(was) != measured_by(now) or _window(was) != _window(now)
        # a certification's renewal: how long a card without an expiry holds it (its
        # credits stay; a card no longer valid on the new rule stops counting)
        or _accepts(was).renewal != _accepts(now).renewal
    ]  # fmt: skip
    recredits = [(rid, name) for rid, name, was, now in changes if _accepts(was) != _accepts(now)]
    followed = dict(sorted(remeasure + recredits))
    if not followed:
        return [], None
    # the enrollments a new target or a new rule of what counts completes or reopens,
    # compared once both have run (a re-credit after the new target can undo its moves)
    before = _enrollments_of(session, sorted(followed))
    if remeasure:
        # progress follows the target, and the member's window where program progress is
        # judged in it (queries.enrollments.judged_in_window: NREMT's one course once per
        # cycle, a one-time window of N months); a service of its own (and a heavier import)
        from trainctl.services.progress import remeasure_requirements

        remeasure_requirements(session, [rid for rid, _ in remeasure], today=today)
    lines: list[str] = []
    recredit = None
    if recredits:
        from trainctl.services.credit_feed import recredit_requirements
        from trainctl.services.settings import today as department_today

        recredit = recredit_requirements(
            session, actor, [rid for rid, _ in recredits],
            today=today or department_today(session), reason=reason,
        )  # fmt: skip
        lines += recredit.lines(_names([name for _, name in recredits]))
    if before:
        after = _enrollments_of(session, sorted(followed))
        lines += _moved(before, after, list(followed.values()), how)
    return lines, recredit


def _names(names: Sequence[str]) -> str:
    """How a line names the requirements it concerns: 'Drill hours', or
    "3 requirements ('A', 'B', 'C')" (the first 5, then how many more)."""
    if len(names) == 1:
        return names[0]
    shown = ", ".join(repr(n) for n in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{len(names)} requirements ({shown}{more})"


def _enrollments_of(session: Session, requirement_ids: Sequence[int]) -> dict[int, str]:
    """The status of every enrollment with a progress row of the requirements."""
    from trainctl.queries import chunks, in_list

    out: dict[int, str] = {}
    for part in chunks(list(requirement_ids)):
        ids, params = in_list("r", part)
        rows = reader_of(session).all(
            "SELECT DISTINCT e.id, e.status FROM enrollment e "
            "JOIN requirement_progress rp ON rp.enrollment_id = e.id "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            f"WHERE pr.requirement_id IN {ids}",
            params,
        )
        out.update((int(i), str(st)) for i, st in rows)
    return dict(sorted(out.items()))


def _moved(before: dict[int, str], after: dict[int, str], names: Sequence[str], how: str) -> list[str]:
    """What a new target did to the enrollments it measures: 'Reopened 2 completed
    enrollments (2, 7): ...' (an officer otherwise learns it from the member)."""

    def ids(found: list[int]) -> str:
        shown = ", ".join(map(str, found[:10]))
        return shown + (f" and {len(found) - 10} more" if len(found) > 10 else "")

    reopened = [i for i, st in before.items() if st == "completed" and after.get(i) == "active"]
    done = [i for i, st in before.items() if st == "active" and after.get(i) == "completed"]
    quoted = ", ".join(f"'{n}'" for n in names[:5]) + (
        f" and {len(names) - 5} more" if len(names) > 5 else ""
    )
    one = len(names) == 1
    lines = []
    if reopened:
        n = len(reopened)
        lines.append(
            f"Reopened {n} completed enrollment{'s' if n != 1 else ''} ({ids(reopened)}): "
            f"{quoted}, as {how}, {'is not met yet' if one else 'are not all met yet'} "
            "(`trainctl enroll show ID`)."
        )
    if done:
        n = len(done)
        lines.append(
            f"Completed {n} enrollment{'s' if n != 1 else ''} ({ids(done)}): {quoted}, as "
            f"{how}, {'is' if one else 'are'} met."
        )
    return lines


# ------------------------------------------------------------------------ over time
def _effective(
    session: Session, req: Requirement, changed: Sequence[str], effective: date | None,
    today: date | None,
) -> date | None:
    """The day a change of what `req` judges takes effect (None: the change judges
    nothing, e.g. a new name: no history is kept). Not after today (trainctl records what
    has happened), and not before the last change kept (its values would then be in force
    before the values they replaced)."""
    from trainctl.services.members import effective_day

    if not any(f in q.HISTORY_FIELDS for f in changed):
        if effective is not None:
            raise UsageError(
                f"--effective dates a change of what {req.name} judges (its target, what "
                f"counts, frequency, window or positions); a new {' or '.join(changed)} has "
                "no date: every report shows it. Nothing was changed.",
                "Leave out --effective, or give it with the change it dates.",
            )
        return None
    day = effective_day(session, effective, today)
    since = changed_since(session, req.id)
    if since is not None and day < since:
        given = f"--effective {day}" if effective is not None else f"This change, dated {day} (--as-of),"
        raise RefusedError(
            f"{given} is before the last change of what {req.name} judges, "
            f"effective {since}; nothing was changed.",
            f"`trainctl requirement show {req.id}` lists its history; date this change "
            f"{since} or later (--effective).",
        )
    return day


def refuse_retired(req: Requirement, doing: str) -> None:
    """A retired requirement is not changed (a version kept from a day it is retired would
    bring it back for those days): bring it back first."""
    if req.retired_on is not None:
        raise RefusedError(
            f"{req.name} is {q.retired_text(req.retired_on, req.retired_reason)}: it is not "
            f"{doing}; nothing was changed.",
            f"Bring it back first: `trainctl requirement unretire {req.id}` (--effective DAY).",
        )


def _redate(
    session: Session, actor: Actor, req: Requirement, effective: date, today: date | None,
    report: list[str] | None,
) -> None:
    """`requirement edit REQ --effective DAY` alone: the requirement as it stands is in
    force from DAY (a change made without --effective that was a correction, to reach
    earlier reports; or one that took effect later than it was entered). Its latest
    earlier version then ends the day before: shortened (versions that would end later
    end then too, and so are never in force: a correction undoes a change) or extended.
    One UPDATE; the audit log keeps the days it had."""
    from trainctl.services.members import effective_day

    day = effective_day(session, effective, today)
    until = day - timedelta(days=1)
    since = changed_since(session, req.id)
    lines = report if report is not None else []
    if since is None:
        lines.append(
            f"{req.name} has not been changed: every report judges it as it stands; nothing "
            "was changed."
        )
        return
    last = since - timedelta(days=1)
    if until == last:
        lines.append(f"{req.name} as it stands is already in force from {day}; nothing was changed.")
        return
    table = RequirementHistory.__table__  # type: ignore[attr-defined]
    moved = table.c.in_force_until > until if until < last else table.c.in_force_until == last
    if before_entered(until, req.entered_on):
        # in force from the day it was entered or earlier: it replaces every earlier
        # version (none may stand for days before the requirement was entered); the audit
        # log keeps what they held
        which = table.c.requirement_id == req.id
        gone = session.execute(
            sa.select(table.c.in_force_until, table.c.stood).where(which).order_by(table.c.id)
        ).all()
        session.execute(table.delete().where(which))
        audit(
            session, actor, "requirement.redate", "requirement", req.id,
            effective=day.isoformat(), was=since.isoformat(),
            replaced=[{"in_force_until": u.isoformat(), "stood": v} for u, v in gone],
        )  # fmt: skip
        lines.append(
            f"{req.name} as it stands is in force from {day} (was {since}), on or before the "
            f"day it was entered ({req.entered_on}): it replaces its earlier versions, and "
            "reports of every day judge it as it stands."
        )
        return
    session.execute(
        table.update()
        .where(table.c.requirement_id == req.id, moved)
        .values(in_force_until=until)
    )
    audit(
        session, actor, "requirement.redate", "requirement", req.id,
        effective=day.isoformat(), was=since.isoformat(),
    )  # fmt: skip
    lines.append(
        f"{req.name} as it stands is in force from {day} (was {since}): reports as of "
        f"earlier days judge it as it stood (`trainctl requirement show {req.id}`)."
    )


def changed_since(session: Session, requirement_id: int | None) -> date | None:
    """The day the requirement's latest kept change took effect (None: never changed)."""
    last = session.exec(
        select(sa.func.max(col(RequirementHistory.in_force_until))).where(
            col(RequirementHistory.requirement_id) == requirement_id
        )
    ).one()
    return None if last is None else last + timedelta(days=1)


def before_entered(until: date, entered_on: date | None) -> bool:
    """Whether a version in force until `until` would stand only for days before the
    requirement was entered (`entered_on`, Requirement.entered_on; None: entered before
    migration 0018, day unknown). Such a version never stood: the change that ends it, in
    force from the day it was entered or earlier, replaces what it was entered as."""
    return entered_on is not None and until < entered_on


def keep_history(
    session: Session, actor: Actor, entries: Sequence[tuple[int, date, dict[str, Any]]]
) -> list[int]:
    """Append (requirement id, last day in force, the values it had) rows to
    requirement_history (the HISTORY_FIELDS of the values): one bulk INSERT. A version that
    would stand only for days before its requirement was entered (`before_entered`) is not
    kept; returns the ids of those requirements (the change replaced what they were entered
    as)."""
    if not entries:
        return []
    entered = dict(
        session.exec(
            select(col(Requirement.id), col(Requirement.entered_on)).where(
                col(Requirement.id).in_(sorted({rid for rid, _, _ in entries}))
            )
        ).all()
    )
    replaced = [rid for rid, until, _ in entries if before_entered(until, entered.get(rid))]
    entries = [e for e in entries if e[0] not in replaced]
    if not entries:
        return replaced
    now = utcnow()
    session.execute(
        sa.insert(RequirementHistory),
        [
            {"requirement_id": rid, "in_force_until": until, "recorded_at": now,
             "recorded_by": actor.member_id,
             "stood": {**{f: _plain(values[f]) for f in q.HISTORY_FIELDS},
                       # the days of a retirement undone later (services/retirement.unretire)
                       **{f: str(values[f]) for f in q.RETIRED_FIELDS if values.get(f) is not None}}}
            for rid, until, values in entries
        ],
    )  # fmt: skip
    return replaced


def _accepts(fields: dict[str, Any]) -> Any:
    """A requirement's "what counts" (domain/credit.Accepts): only a change here re-credits."""
    from trainctl.domain.credit import Accepts

    return Accepts.of(SimpleNamespace(**fields))


def _window(fields: dict[str, Any]) -> tuple[Any, ...] | None:
    """What program progress judges in the member's own window, when it does
    (queries.enrollments.judged_in_window): its window columns, else None."""
    from trainctl.queries.enrollments import WINDOW_COLUMNS, judged_in_window

    values = tuple(fields.get(c.strip().removeprefix("r.")) for c in WINDOW_COLUMNS.split(","))
    return values if judged_in_window(values) else None


def measured_by(fields: dict[str, Any]) -> Target:
    """What progress on a requirement is measured against (domain.progress.Target): only a
    change here re-measures progress rows. A new name, description, source or period moves
    no figure, so editing one costs the same with two rows or two million."""
    return Target.of(SimpleNamespace(**fields))


def _plain(value: Any) -> Any:
    return value.model_dump() if hasattr(value, "model_dump") else value


# ------------------------------------------------------------------------------- reading
def read(req: Requirement) -> dict[str, Any]:
    """The stable JSON shape (RequirementRead; the read side's RequirementRow has the same
    keys in the same order: tests/test_queries_schema.py)."""
    data = RequirementRead.model_validate(req).model_dump()
    data["source_document"] = source_label(req)
    return data
