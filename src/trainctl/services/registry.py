"""Registry import: NFPA, NREMT, Pro Board and ISO requirement files.

The whole file is validated before anything is written (every problem is reported with
the file, the entry and the field); then the import is set-based, in the command's one
transaction: one query for what exists, two for the department's edits (audit log), one
bulk INSERT, one bulk UPDATE per set of changed fields, one audit row.

Entries are matched by (registry, registry_code), ignoring case and spaces as the lookups
do. By default an existing entry is left as it is (and reported as unchanged or as
differing from the file); `update=True` refreshes the fields that differ, except those the
department changed (`requirement edit`) since the import last wrote them: those are kept
and reported. Codes and names stay unique in a registry. Importing the same file twice
changes nothing, not even the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, col, select

from trainctl.domain.csvfile import decode
from trainctl.domain.structured import read_json
from trainctl.domain.text import echo, later_day_hint
from trainctl.errors import BadInputError, RefusedError, UsageError
from trainctl.models import AuditLog, Requirement, RequirementHistory, utcnow
from trainctl.schemas import TYPED_STRICT, describe_errors
from trainctl.schemas.registry import RegistryEntry, RegistryHeader
from trainctl.schemas.requirements import RequirementCreate, check_requirement
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.requirements import (
    before_entered,
    follow_changes,
    in_registry,
    keep_history,
    known_positions,
    norm,
    positions_problem,
)  # fmt: skip
from trainctl.services.settings import today as department_today

SHIPPED = {
    "nfpa": "nfpa.json",
    "nremt": "nremt.json",
    "proboard": "proboard.json",
    "iso": "iso.json",
}
ENTRY_FIELDS = tuple(RegistryEntry.model_fields)


def registry_path(name: str) -> Traversable:
    """A shipped registry file: inside the wheel at trainctl/registries/, or (editable dev
    install) in the repository's registries/ folder."""
    if name not in SHIPPED:
        raise UsageError(
            f"No shipped registry {name!r}.",
            f"Shipped registries: {', '.join(SHIPPED)}; or use `trainctl import registry FILE`.",
        )
    packaged = resources.files("trainctl").joinpath("registries", SHIPPED[name])
    if packaged.is_file():
        return packaged
    repo = Path(__file__).resolve().parents[3] / "registries" / SHIPPED[name]
    if repo.is_file():
        return repo
    raise BadInputError(
        f"The {name} registry file is missing from this installation ({SHIPPED[name]}).",
        "Reinstall trainctl (`pip install .` ships registries/ inside the package).",
    )


# ----------------------------------------------------------------------------- parsing
@dataclass
class RegistryFile:
    label: str
    header: RegistryHeader
    entries: list[dict[str, Any]]  # complete requirement fields, validated

    @property
    def registry(self) -> str:
        return self.header.registry


def _entry_label(index: int, raw: Any) -> str:
    ident = None
    if isinstance(raw, dict):
        ident = raw.get("registry_code") or raw.get("name")
    return f"entry {index + 1}" + (
        f" ({echo(ident)})" if isinstance(ident, str) and ident.strip() else ""
    )


def _json_kind(value: Any) -> str:
    kinds = {
        list: "a list",
        str: "a string",
        bool: "true or false",
        int: "a number",
        float: "a number",
    }
    return kinds.get(type(value), "null")


def parse_registry(data: bytes, label: str, positions: list[str]) -> RegistryFile:
    """Validate a whole registry file. Raises BadInputError listing every problem."""
    text = decode(
        data,
        label,
        hint="Save the registry file as UTF-8 and run the import again.",
        outcome="; nothing was imported",
    )
    doc = read_json(
        text,
        label,
        hint="A registry file is one JSON object with a list of requirements; fix it (a missing comma or quote is the usual cause) and run the import again.",
        outcome="; nothing was imported",
    )
    hint = "Fix the entries named above and run the import again; the file format is described in `trainctl import registry --help`."
    if not isinstance(doc, dict):
        raise BadInputError(
            f"{label}: a registry file is one JSON object, not {_json_kind(doc)}; nothing was imported.",
            hint,
        )

    problems: list[str] = []
    header: RegistryHeader | None = None
    head = {k: v for k, v in doc.items() if k != "requirements"}
    try:
        header = RegistryHeader.model_validate_json(json.dumps(head), strict=True)
    except ValidationError as exc:
        problems.extend(describe_errors(exc, label))
    raw_entries = doc.get("requirements")
    if not isinstance(raw_entries, list) or not raw_entries:
        problems.append(
            f"{label}, field requirements: a non-empty list of requirements is required"
        )
        raw_entries = []

    entries: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    names: dict[str, int] = {}
    for index, raw in enumerate(raw_entries):
        where = f"{label}, {_entry_label(index, raw)}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: an entry is a JSON object, not {json.dumps(raw)[:40]}")
            continue
        # Positions are checked on the raw entry, so they are reported even when other
        # fields fail validation.
        wanted = raw.get("required_positions")
        if isinstance(wanted, list):
            codes = [p.strip().lower() for p in wanted if isinstance(p, str)]
            if unknown := positions_problem(codes, positions):
                problems.append(f"{where}, field required_positions: {unknown}")
        # Codes and names are unique in a registry, ignoring case and spaces (as lookups do).
        for key_field, keys, what in (("registry_code", seen, "codes"), ("name", names, "names")):
            value = raw.get(key_field)
            if not isinstance(value, str) or not value.strip():
                continue
            key = norm(value)
            if key in keys:
                problems.append(
                    f"{where}, field {key_field}: {value!r} is also entry {keys[key] + 1}; "
                    f"{what} are unique in a registry (ignoring case and spaces)"
                )
            else:
                keys[key] = index
        try:
            entry = RegistryEntry.model_validate_json(json.dumps(raw), strict=True, context=TYPED_STRICT)
        except ValidationError as exc:
            problems.extend(describe_errors(exc, where))
            continue
        fields = entry.model_dump()
        if header is not None:
            if fields["registry_name"] is not None and norm(fields["registry_name"]) != norm(
                header.registry
            ):
                problems.append(
                    f"{where}, field registry_name: {fields['registry_name']!r} differs from the file's registry {header.registry!r}"
                )
            fields["registry_name"] = header.registry
        for problem in check_requirement(
            {**fields, "registry_name": fields["registry_name"] or "(file)"}
        ):
            name, _, message = problem.partition(": ")
            problems.append(f"{where}, field {name}: {message}")
        entries.append(fields)

    if problems or header is None:
        raise BadInputError(
            f"{label}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was imported.",
            hint,
            details=problems,
        )
    return RegistryFile(label=label, header=header, entries=entries)


def read_registry(
    session: Session, source: Traversable | Path, label: str | None = None
) -> RegistryFile:
    label = label or source.name
    try:
        from trainctl.inputfile import read_input

        data = read_input(source, label)
    except FileNotFoundError:
        raise UsageError(
            f"No such file: {label}.", "Give the path of a registry JSON file."
        ) from None
    except IsADirectoryError:
        raise UsageError(f"{label} is a directory, not a registry file.") from None
    return parse_registry(data, label, known_positions(session))


# ------------------------------------------------------------------------------ import
# (registry, registry_code) is an entry's identity; it is matched ignoring case and spaces
# (services.requirements.norm), and its spelling is never "updated": an import of "Nfpa" or
# "nfpa 1001" refreshes the NFPA 1001 already there instead of adding a twin.
IDENTITY = ("registry_name", "registry_code")


@dataclass
class Change:
    registry_code: str
    name: str
    # "add", "update", "unchanged", "differs" (left alone: no --update), "kept" (differs
    # only where the department changed the entry since it was imported), "retired" (the
    # department retired it: left as it is, retired, whatever the file says)
    action: str
    fields: list[str] = field(default_factory=list)
    # Fields the department changed since the import (editable entries): never overwritten;
    # the file's value for each.
    kept: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportResult:
    registry: str
    changes: list[Change]
    dry_run: bool
    update: bool
    # entries updated to a new edition, and the day it took effect (their earlier
    # figures are kept for reports before it; a correction of the same edition is not dated)
    new_edition: int = 0
    effective: date | None = None
    # of those, the entries dated because they apply to other positions (within one
    # edition: who an item holds changes from the import's day, not in past reports)
    repositioned: int = 0
    # what program progress did to follow the updated entries (re-credited, reopened,
    # completed: services/requirements.follow_changes), as `requirement edit` says it
    lines: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        added, updated = self.count("add"), self.count("update")
        text = f"{self.registry}: {added} added, {updated} updated, {self.count('unchanged')} unchanged"
        if self.dry_run:
            text = f"{self.registry}: {added} to add, {updated} to update, {self.count('unchanged')} unchanged"
        differs = self.count("differs")
        if differs:
            text += f", {differs} differ from the file (left as they are; --update refreshes them)"
        kept = sum(1 for c in self.changes if c.kept)
        if kept:
            text += f", {kept} with your changes kept"
        retired = [c.registry_code for c in self.changes if c.action == "retired"]
        if retired:
            text += (
                f", {len(retired)} left retired ({', '.join(retired)}: the department retired "
                f"{'it' if len(retired) == 1 else 'them'}; `trainctl requirement unretire CODE` "
                "brings one back)"
            )
        if self.dry_run:
            text += " (dry run: nothing written)"
        editions = self.new_edition - self.repositioned
        if editions and self.dry_run:
            text += (
                f"; {editions} to update to a new edition from {self.effective}: "
                "reports of earlier days would judge them by the edition before"
            )
        elif editions:
            text += (
                f"; {editions} updated to a new edition from {self.effective}: reports "
                "of earlier days judge them by the edition before"
            )
        if self.repositioned:
            text += (
                f"; {self.repositioned} {'to apply' if self.dry_run else 'apply'} to other "
                f"positions from {self.effective}: reports of earlier days "
                f"{'would judge' if self.dry_run else 'judge'} them as they stood before"
            )
        return text


def department_changes(
    session: Session, registry: str, rows: list[Requirement]
) -> dict[int, set[str]]:
    """For each row, the fields whose latest write was the department's `requirement edit`
    rather than an import of this registry (from the audit log: per field, so an edit of the
    frequency does not freeze the hours). Two queries, whatever the number of rows."""
    ids = [r.id for r in rows if r.id is not None]
    if not ids:
        return {}
    edits = session.exec(
        select(AuditLog.id, AuditLog.entity_id, AuditLog.detail).where(
            AuditLog.action == "requirement.edit",
            AuditLog.entity == "requirement",
            col(AuditLog.entity_id).in_(ids),
        )
    ).all()
    if not edits:
        return {}
    # Import runs are few (one audit row per import that wrote something); which registry
    # they touched is in the JSON detail, read here rather than queried (no portable JSON path).
    imports = session.exec(
        select(AuditLog.id, AuditLog.detail).where(AuditLog.action == "import.registry")
    ).all()
    row_of = {norm(r.registry_code): r.id for r in rows if r.registry_code}
    latest: dict[
        tuple[int, str], tuple[int, bool]
    ] = {}  # (row, field) -> (audit id, by department)

    def wrote(audit_id: int | None, row_id: int | None, fields: Any, by_department: bool) -> None:
        assert audit_id is not None  # a stored audit row's primary key
        for f in fields:
            if row_id is not None and latest.get((row_id, f), (-1, False))[0] < audit_id:
                latest[(row_id, f)] = (audit_id, by_department)

    for audit_id, entity_id, detail in edits:
        wrote(audit_id, entity_id, (detail or {}).get("changes", {}), True)
    for audit_id, detail in imports:
        detail = detail or {}
        if norm(str(detail.get("registry", ""))) != norm(registry):
            continue
        for code in detail.get("added", []):
            wrote(audit_id, row_of.get(norm(code)), ENTRY_FIELDS, False)
        for code, fields in (detail.get("updated") or {}).items():
            wrote(audit_id, row_of.get(norm(code)), fields, False)
    out: dict[int, set[str]] = {}
    for (row_id, f), (_, by_department) in latest.items():
        if by_department:
            out.setdefault(row_id, set()).add(f)
    return out


def import_registry(
    session: Session,
    actor: Actor,
    parsed: RegistryFile,
    *,
    update: bool = False,
    dry_run: bool = False,
    today: date | None = None,
) -> ImportResult:
    """Add the file's new entries; report (or, with `update`, refresh) the ones that differ.
    With `update`, fields of an entry that the department changed since it was imported are
    kept (and reported), never overwritten; what a refreshed entry judged until then is
    kept in its history as in force until the day before `today` (default the department's
    today), so a report of an earlier day judges by the edition in force then."""
    actor.require(MANAGE, "import registries")
    in_scope = list(
        session.exec(
            select(Requirement).where(in_registry(parsed.registry)).order_by(col(Requirement.id))
        ).all()
    )
    # The registry keeps the spelling it already has ("NFPA", even if this file says "Nfpa").
    registry = in_scope[0].registry_name if in_scope else parsed.registry
    assert registry is not None
    existing = {norm(r.registry_code): r for r in in_scope if r.registry_code}
    theirs = department_changes(
        session, registry, [existing[norm(e["registry_code"])] for e in parsed.entries
                            if norm(e["registry_code"]) in existing]
    )  # fmt: skip
    changes: list[Change] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    final_name: dict[int | str, tuple[str, str | None, int]] = {
        r.id: (r.name, r.registry_code, -1) for r in in_scope if r.id is not None
    }  # row id (or new code) -> (name after the import, code, file entry index or -1)
    now, effective = utcnow(), today or department_today(session)
    for index, entry in enumerate(parsed.entries):
        code = entry["registry_code"]
        row = existing.get(norm(code))
        if row is None:
            changes.append(Change(code, entry["name"], "add"))
            inserts.append(
                {
                    **entry,
                    "registry_name": registry,
                    "created_at": now,
                    "entered_on": effective,  # the import's day: its history starts there
                    "created_by": actor.member_id,
                }
            )
            final_name[code] = (entry["name"], code, index)
            continue
        assert row.id is not None
        differ = [f for f in ENTRY_FIELDS if f not in IDENTITY and getattr(row, f) != entry[f]]
        kept = {f: entry[f] for f in differ if f in theirs.get(row.id, ())}
        fresh = [f for f in differ if f not in kept]
        label = row.registry_code or code
        if row.retired_on is not None:  # never brought back (nor updated) by an import
            changes.append(Change(label, row.name, "retired"))
        elif not differ:
            changes.append(Change(label, row.name, "unchanged"))
        elif not fresh:
            changes.append(Change(label, row.name, "kept", [], kept))
        elif not update:
            changes.append(Change(label, row.name, "differs", fresh, kept))
        else:
            changes.append(
                Change(label, entry["name"] if "name" in fresh else row.name, "update", fresh, kept)
            )
            updates.append(
                {
                    "id": row.id,
                    **{f: entry[f] for f in fresh},
                    "updated_at": now,
                    "updated_by": actor.member_id,
                }
            )
            if "name" in fresh:
                final_name[row.id] = (entry["name"], row.registry_code, index)
    _refuse_name_clashes(parsed.label, registry, final_name)

    result = ImportResult(registry=registry, changes=changes, dry_run=dry_run, update=update)
    dated, repositioned = _new_editions(
        session, registry, parsed.header.edition, in_scope, updates, effective
    )
    if dated:
        result.new_edition, result.effective = len(dated), effective
        result.repositioned = sum(1 for rid, _ in dated if rid in repositioned)
    if dry_run or not (inserts or updates):
        return result
    # the updated entries as they stand, before the writes below
    row_of = {r.id: r for r in in_scope}
    before = {
        u["id"]: {f: getattr(row_of[u["id"]], f) for f in RequirementCreate.model_fields}
        for u in updates
    }
    renamed = [u["id"] for u in updates if "name" in u]
    if renamed:
        # Names are unique ignoring case in the database too (migration 0007_ci_unique): a name this
        # import moves from one entry to another must be free before it is taken, so the
        # renamed rows first step aside to a placeholder no name can equal (names refuse
        # control characters); the inserts and updates then write the final names.
        session.execute(
            sa.update(Requirement)
            .where(col(Requirement.id).in_(renamed))
            .values(name=sa.literal("\x01") + sa.cast(col(Requirement.id), sa.String))
        )
    if inserts:
        session.execute(sa.insert(Requirement), inserts)
    keep_history(session, actor, [(rid, effective - timedelta(days=1), was) for rid, was in dated])
    for batch in _same_keys(updates):
        session.execute(sa.update(Requirement), batch)
    # program progress follows the new figures at once, as after `requirement edit`
    followed = [
        (u["id"], final_name[u["id"]][0], before[u["id"]],
         {**before[u["id"]], **{f: v for f, v in u.items() if f in RequirementCreate.model_fields}})
        for u in updates
    ]  # fmt: skip
    result.lines, recredit = follow_changes(
        session, actor, followed, today=effective, how="updated",
        reason=f"what counts changed (import of {parsed.label} into {registry})",
    )  # fmt: skip
    audit(
        session, actor, "import.registry", "requirement", None,
        registry=registry, file=parsed.label, edition=parsed.header.edition,
        day=effective.isoformat(),
        added=[c.registry_code for c in changes if c.action == "add"],
        updated={c.registry_code: c.fields for c in changes if c.action == "update"},
        kept={c.registry_code: sorted(c.kept) for c in changes if c.kept and update},
        **({"retired": gone} if (gone := [c.registry_code for c in changes if c.action == "retired"]) else {}),
        **({"recredit": {"added": recredit.added, "reversed": recredit.reversed}} if recredit else {}),
    )  # fmt: skip
    return result


def _new_editions(
    session: Session, registry: str, edition: str | None, rows: Sequence[Requirement],
    updates: Sequence[dict[str, Any]], effective: date,
) -> tuple[list[tuple[int, dict[str, Any]]], set[int]]:
    """The updates that move an entry to a new edition, each as (id, the values it
    replaces), to keep in its history (services/requirements.keep_history) as in force
    until the day before `effective`: a report of an earlier day judges by the edition in
    force then. A new edition: the file names another edition than the import that last
    wrote the entry (the audit log; an import without --update writes only its new
    entries), or the entry's source document changed (NFPA names the edition per entry).
    An update within one edition is a correction of how the standard was written down (the
    ISO items that named nothing they count): it reaches every past report, as before;
    except a change of the positions an entry applies to (the ISO items that held everyone,
    EMS staff too, now held by the fire positions): who was held then stays as it was, so
    last year's report does not change. The second value: the ids dated for their
    positions alone (the same edition). An import dated before an entry's last kept change is refused (its versions would
    fall out of date order)."""
    from trainctl.queries.requirements import HISTORY_FIELDS

    judged = [u for u in updates if any(f in HISTORY_FIELDS for f in u)]
    if not judged:
        return [], set()
    by_id = {r.id: r for r in rows}
    written = _entry_editions(session, registry)

    def new(u: dict[str, Any]) -> bool:
        was = written.get(norm(by_id[u["id"]].registry_code or ""))
        return "source_document" in u or bool(edition and was and norm(edition) != norm(was))

    dated = [u for u in judged if new(u) or "required_positions" in u]
    if not dated:
        return [], set()
    repositioned = {u["id"] for u in dated if not new(u)}
    last = dict(
        session.exec(
            select(RequirementHistory.requirement_id, sa.func.max(col(RequirementHistory.in_force_until)))
            .where(col(RequirementHistory.requirement_id).in_([u["id"] for u in dated]))
            .group_by(col(RequirementHistory.requirement_id))
        ).all()
    )
    late = [(by_id[rid], until) for rid, until in last.items() if until >= effective]
    if late:
        row, until = late[0]
        since = until + timedelta(days=1)
        raise RefusedError(
            f"This import, dated {effective}, is before the last change of what "
            f"{row.registry_code} judges, effective {since}; nothing was imported.",
            later_day_hint("Import", since, department_today(session)),
        )
    # an entry moved to a new edition on the day it was imported (or earlier): the new
    # edition replaces what it was imported as, and no version is kept for the days before
    # (keep_history's rule, said here so that the summary counts only what it dates)
    until = effective - timedelta(days=1)

    def kept(u: dict[str, Any]) -> dict[str, Any]:
        """What the entry judged until then: the edition before; within one edition, the
        positions before and the rest corrected (a correction reaches every report)."""
        was = {f: getattr(by_id[u["id"]], f) for f in HISTORY_FIELDS}
        if u["id"] in repositioned:
            was = {f: was[f] if f == "required_positions" else u.get(f, was[f]) for f in was}
        return was

    return [
        (u["id"], kept(u)) for u in dated if not before_entered(until, by_id[u["id"]].entered_on)
    ], repositioned


def _entry_editions(session: Session, registry: str) -> dict[str, str | None]:
    """Each entry's edition (by folded code): the edition of the last import that added or
    updated it (the audit log)."""
    out: dict[str, str | None] = {}
    details = session.exec(
        select(AuditLog.detail).where(AuditLog.action == "import.registry").order_by(col(AuditLog.id))
    ).all()
    for detail in details:
        data = json.loads(detail) if isinstance(detail, str) else detail
        if not isinstance(data, dict) or norm(str(data.get("registry", ""))) != norm(registry):
            continue
        for code in [*(data.get("added") or []), *(data.get("updated") or {})]:
            out[norm(str(code))] = data.get("edition")
    return out


def _refuse_name_clashes(
    label: str, registry: str, final: dict[int | str, tuple[str, str | None, int]]
) -> None:
    """Names are unique in a registry (ignoring case and spaces), as for `requirement add`.
    `final` holds the name every entry of the registry would have after the import: a name
    the file brings (new entry or renamed one) may not be another entry's. (Two entries of
    the file never share one: parse_registry refuses that.)"""
    by_name: dict[str, list[tuple[int | str, str, str | None, int]]] = {}
    for key, (name, code, index) in final.items():
        by_name.setdefault(norm(name), []).append((key, name, code, index))
    problems = []
    for group in by_name.values():
        kept = [g for g in group if g[3] < 0]
        for _, name, code, index in (g for g in group if g[3] >= 0):
            if kept:
                row_id, other, other_code, _ = kept[0]
                problems.append(
                    f"{label}, entry {index + 1} ({code}), field name: {name!r} is already the "
                    f"name of id {row_id} ({other_code or repr(other)}); names are unique in a registry "
                    "(ignoring case and spaces)"
                )
    if problems:
        raise BadInputError(
            f"{label}: {len(problems)} name{'s' if len(problems) != 1 else ''} already used in {registry}; nothing was imported.",
            "Rename the entries named above in the file, or the requirement already in the "
            "catalog (`trainctl requirement edit ID --name ...`), then run the import again.",
            details=problems,
        )


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Bulk UPDATE by primary key wants one key set per batch."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())
