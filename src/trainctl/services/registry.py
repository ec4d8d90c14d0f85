"""Registry import: NFPA, NREMT, Pro Board and ISO requirement files.

The whole file is validated before anything is written (every problem is reported with
the file, the entry and the field); then the import is set-based, in the command's one
transaction: one query for what exists, one bulk INSERT, one bulk UPDATE, one audit row.

Entries are matched by (registry, registry_code). By default an existing entry is left as
it is (and reported as unchanged or as differing from the file); `update=True` refreshes
the fields that differ. Importing the same file twice changes nothing, not even the audit
log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, select

from trainctl.errors import BadInputError, UsageError
from trainctl.models import Requirement, utcnow
from trainctl.schemas import describe_errors
from trainctl.schemas.registry import RegistryEntry, RegistryHeader
from trainctl.schemas.requirements import check_requirement
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.requirements import known_positions, unknown_positions

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


def _decode(data: bytes, label: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(
            f"{label}, line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x}); nothing was imported.",
            "Save the registry file as UTF-8 and run the import again.",
        ) from None


def _entry_label(index: int, raw: Any) -> str:
    ident = None
    if isinstance(raw, dict):
        ident = raw.get("registry_code") or raw.get("name")
    return f"entry {index + 1}" + (
        f" ({ident})" if isinstance(ident, str) and ident.strip() else ""
    )


def parse_registry(data: bytes, label: str, positions: list[str]) -> RegistryFile:
    """Validate a whole registry file. Raises BadInputError listing every problem."""
    text = _decode(data, label)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"{label}, line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg}); nothing was imported.",
            "Fix the JSON (a missing comma or quote is the usual cause) and run the import again.",
        ) from None
    hint = "Fix the entries named above and run the import again; the file format is described in `trainctl import registry --help`."
    if not isinstance(doc, dict):
        raise BadInputError(
            f"{label}: a registry file is one JSON object, not a {type(doc).__name__}; nothing was imported.",
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
            missing = unknown_positions(codes, positions)
            if missing:
                problems.append(
                    f"{where}, field required_positions: unknown position{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} (known: {', '.join(positions)})"
                )
        code = raw.get("registry_code")
        if isinstance(code, str) and code.strip():
            key = code.strip().casefold()
            if key in seen:
                problems.append(
                    f"{where}, field registry_code: {code!r} is also entry {seen[key] + 1}; codes are unique in a registry"
                )
            else:
                seen[key] = index
        try:
            entry = RegistryEntry.model_validate_json(json.dumps(raw), strict=True)
        except ValidationError as exc:
            problems.extend(describe_errors(exc, where))
            continue
        fields = entry.model_dump()
        if header is not None:
            if fields["registry_name"] not in (None, header.registry):
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
        data = source.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"No such file: {label}.", "Give the path of a registry JSON file."
        ) from None
    except IsADirectoryError:
        raise UsageError(f"{label} is a directory, not a registry file.") from None
    return parse_registry(data, label, known_positions(session))


# ------------------------------------------------------------------------------ import
@dataclass
class Change:
    registry_code: str
    name: str
    action: str  # "add", "update", "unchanged", "differs" (left alone: no --update)
    fields: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    registry: str
    changes: list[Change]
    dry_run: bool
    update: bool

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
        if self.dry_run:
            text += " (dry run: nothing written)"
        return text


def import_registry(
    session: Session,
    actor: Actor,
    parsed: RegistryFile,
    *,
    update: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    actor.require(MANAGE, "import registries")
    registry = parsed.registry
    existing = {
        r.registry_code: r
        for r in session.exec(
            select(Requirement).where(Requirement.registry_name == registry)
        ).all()
        if r.registry_code
    }
    changes: list[Change] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    now = utcnow()
    for entry in parsed.entries:
        code = entry["registry_code"]
        row = existing.get(code)
        if row is None:
            changes.append(Change(code, entry["name"], "add"))
            inserts.append({**entry, "created_at": now, "created_by": actor.member_id})
            continue
        differ = [f for f in ENTRY_FIELDS if getattr(row, f) != entry[f]]
        if not differ:
            changes.append(Change(code, entry["name"], "unchanged"))
        elif not update:
            changes.append(Change(code, entry["name"], "differs", differ))
        else:
            changes.append(Change(code, entry["name"], "update", differ))
            updates.append(
                {
                    "id": row.id,
                    **{f: entry[f] for f in differ},
                    "updated_at": now,
                    "updated_by": actor.member_id,
                }
            )

    result = ImportResult(registry=registry, changes=changes, dry_run=dry_run, update=update)
    if dry_run or not (inserts or updates):
        return result
    if inserts:
        session.execute(sa.insert(Requirement), inserts)
    for batch in _same_keys(updates):
        session.execute(sa.update(Requirement), batch)
    audit(
        session, actor, "import.registry", "requirement", None,
        registry=registry, file=parsed.label, edition=parsed.header.edition,
        added=[c.registry_code for c in changes if c.action == "add"],
        updated={c.registry_code: c.fields for c in changes if c.action == "update"},
    )  # fmt: skip
    return result


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Bulk UPDATE by primary key wants one key set per batch."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())
