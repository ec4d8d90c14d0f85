"""Requirements on the read side: the one requirement resolver, the catalog listing, and
the words a requirement is shown with (its target, frequency and source).

A requirement's natural keys (registry, code, name, alias) match ignoring case and spaces:
"nfpa1001" finds "NFPA 1001" (domain.lookup.norm). In SQL the same rule is `KEY` applied to
both sides, so that the database folds case the same way for the column and the value:
full Unicode on PostgreSQL, ASCII letters only on SQLite. Python's `norm` folds at least as
much, so the duplicate checks on the write side can only merge more, never let through two
requirements a lookup cannot tell apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, Protocol

from trainctl.domain.lookup import as_id, norm, offered, ref_text
from trainctl.domain.text import echo, hours_text
from trainctl.errors import NotFoundError, UsageError
from trainctl.queries import Reader, as_date, as_float, as_json, as_utc, by_text, in_list, required

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py),
# in the order of the stable JSON shape (schemas.requirements.RequirementRead).
TABLES = {
    "requirement": (
        "id", "name", "description", "requirement_type", "source", "source_document",
        "registry_name", "registry_code", "aliases", "is_editable", "required_hours",
        "required_shifts", "required_calls", "required_courses", "credential_code",
        "required_skills", "checklist_items", "hour_categories", "frequency", "period_months",
        "period_anchor", "time_limit_days", "required_positions", "counts_courses",
        "counts_training_types", "counts_categories", "counts_call_types", "counts_attendance",
        "created_at", "created_by", "updated_at", "updated_by", "cycle_end", "cycle_credential",
        "retired_on", "retired_reason",
    ),
    "position": ("code",),
    "requirement_history": ("requirement_id", "in_force_until", "stood", "recorded_at", "recorded_by"),
}  # fmt: skip

DEPARTMENT_DEFAULT = "department default"
LOOKUP_HINT = (
    "Name a requirement by id, registry code (e.g. 'NFPA 1001'), name or alias; "
    "`trainctl requirement list` shows them, and registry requirements come with "
    "`trainctl import nfpa|nremt|proboard|iso`."
)
EMPTY_HINT = (
    "The catalog is empty: import a registry with `trainctl import nfpa` or add one with "
    "`trainctl requirement add`."
)


def key(sql: str) -> str:
    """A column or a parameter, normalised in SQL as domain.lookup.norm does in Python
    (case by str.casefold on both backends: dbfile.FOLD_FUNCTION)."""
    return f"trainctl_fold(replace({sql}, ' ', ''))"


def like_pattern(text: str) -> str:
    """`%text%` for `LIKE ... ESCAPE '/'`, with text's own wildcards escaped."""
    return "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


@dataclass(frozen=True, slots=True)
class RequirementRow:
    """A requirement as the catalog stores it (fields in the JSON shape's order)."""

    id: int
    name: str
    description: str | None
    requirement_type: str
    source: str
    source_document: str | None
    registry_name: str | None
    registry_code: str | None
    aliases: list[str]
    is_editable: bool
    required_hours: float | None
    required_shifts: int | None
    required_calls: int | None
    required_courses: list[str]
    credential_code: str | None
    required_skills: list[Any]
    checklist_items: list[Any]
    hour_categories: list[dict[str, Any]]
    frequency: str
    period_months: int | None
    period_anchor: str
    time_limit_days: int | None
    required_positions: list[str]
    counts_courses: list[str]
    counts_training_types: list[str]
    counts_categories: list[str]
    counts_call_types: list[str]
    counts_attendance: bool
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None
    updated_by: int | None
    cycle_end: str | None = None  # "MM-DD" (migration 0014)
    cycle_credential: str | None = None
    # the first department day it judges nobody (migration 0024; `retirement`)
    retired_on: date | None = None
    retired_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape: every field, `source_document` as `source_label` says,
        the cycle as `periods.cycle_of` decides it (an NREMT level's 31 March is the
        registry's, not stored: its row says what `requirement show` says)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["source_document"] = source_label(self)
        if not self.cycle_end and (self.registry_name or "").strip().casefold() != "nremt":
            return data  # no cycle (periods, 13 ms to import, left out of a cold read)
        from trainctl.domain.periods import cycle_of

        end, card, _ = cycle_of(self.registry_name, self.registry_code, self.cycle_end,
                                self.cycle_credential)  # fmt: skip
        if end is not None:
            data["cycle_end"], data["cycle_credential"] = f"{end.month:02d}-{end.day:02d}", card
        return data


COLUMNS = ", ".join(f"r.{c}" for c in TABLES["requirement"])


def requirement_row(r: Sequence[Any]) -> RequirementRow:
    """A row selected with COLUMNS (or the same columns in that order) as a RequirementRow."""
    created_at = as_utc(r[28])
    assert created_at is not None  # NOT NULL
    return RequirementRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], as_json(r[8]) or [], bool(r[9]),
        as_float(r[10]), r[11], r[12], as_json(r[13]) or [], r[14], as_json(r[15]) or [],
        as_json(r[16]) or [], as_json(r[17]) or [], r[18], r[19], r[20], r[21],
        as_json(r[22]) or [], as_json(r[23]) or [], as_json(r[24]) or [], as_json(r[25]) or [],
        as_json(r[26]) or [], bool(r[27]), created_at, r[29], as_utc(r[30]), r[31], r[32], r[33],
        as_date(r[34]), r[35],
    )  # fmt: skip


def _select(
    rd: Reader, where: str, params: dict[str, Any], order: str = "r.id"
) -> list[RequirementRow]:
    rows = rd.all(f"SELECT {COLUMNS} FROM requirement r WHERE {where} ORDER BY {order}", params)
    return [requirement_row(r) for r in rows]


def by_id(rd: Reader, requirement_id: int) -> RequirementRow | None:
    found = _select(rd, "r.id = :id", {"id": requirement_id})
    return found[0] if found else None


def by_ids(rd: Reader, ids: Iterable[int]) -> dict[int, RequirementRow]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    sql, params = in_list("id", wanted)
    return {r.id: r for r in _select(rd, f"r.id IN {sql}", params)}


# ---------------------------------------------------------------------- over time
# What a requirement's history keeps (table requirement_history): everything the evaluator
# judges by (targets, what counts, frequency, window, positions, cycle) and the document
# its figure comes from. A new name, description or alias changes no past report.
HISTORY_FIELDS = (
    "requirement_type", "required_hours", "required_shifts", "required_calls",
    "required_courses", "credential_code", "required_skills", "checklist_items",
    "hour_categories", "frequency", "period_months", "period_anchor", "time_limit_days",
    "required_positions", "counts_courses", "counts_training_types", "counts_categories",
    "counts_call_types", "counts_attendance", "cycle_end", "cycle_credential",
    "source_document",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stood:
    """A requirement as it stood before a change: the values it had (HISTORY_FIELDS) and
    the last department day they were in force."""

    requirement_id: int
    until: date
    values: dict[str, Any]
    recorded_at: datetime
    recorded_by: int | None


def history(rd: Reader, requirement_ids: Sequence[int]) -> dict[int, list[Stood]]:
    """Each requirement's earlier versions in date order (the first written first among
    versions of one day). The version in force on a day D is the first whose `until` is
    on or after D, else the requirement as it stands (queries/compliance.specs_on)."""
    out: dict[int, list[Stood]] = {}
    ids = sorted(set(requirement_ids))
    if not ids:
        return out
    sql, params = in_list("r", ids)
    where = f"requirement_id IN {sql}"
    rows = rd.all(
        "SELECT requirement_id, in_force_until, stood, recorded_at, recorded_by "
        f"FROM requirement_history WHERE {where} ORDER BY requirement_id, in_force_until, id",
        params,
    )
    for rid, until, stood, at, by in rows:
        out.setdefault(rid, []).append(
            Stood(rid, required(as_date(until)), as_json(stood) or {}, required(as_utc(at)), by)
        )
    return out


# A version's retirement (`requirement unretire --effective`: the days it was retired
# are a version of their own). Not in HISTORY_FIELDS: an edit never changes them (a
# retired requirement is not edited: services/requirements.refuse_retired).
RETIRED_FIELDS = ("retired_on", "retired_reason")


def retirement(row: RequirementRow, day: date) -> tuple[date, str | None] | None:
    """The one rule of a retirement: (the day it was retired, why) when the requirement as
    it stood on `day` (`row`: the version in force then, queries/compliance.specs_on)
    judged nobody on `day`, else None. Retired from R: days from R on; a report as of an
    earlier day judges it as before."""
    if row.retired_on is not None and row.retired_on <= day:
        return row.retired_on, row.retired_reason
    return None


def retired_text(on: date, reason: str | None) -> str:
    """'retired on 2027-01-01 (dropped by the county)': the words of list, show and explain."""
    return f"retired on {on}" + (f" ({reason})" if reason else "")


def as_it_stood(row: RequirementRow, stood: Stood) -> RequirementRow:
    """`row` with the values of an earlier version (its id, name and aliases stay; retired
    only if that version was: RETIRED_FIELDS)."""
    values = {f: stood.values[f] for f in HISTORY_FIELDS if f in stood.values}
    values["retired_on"] = as_date(stood.values.get("retired_on"))
    values["retired_reason"] = stood.values.get("retired_reason")
    if values.get("required_hours") is not None:
        values["required_hours"] = float(values["required_hours"])
    return replace(row, **values)


_TARGET_FIELDS = (
    "requirement_type", "required_hours", "required_shifts", "required_calls", "required_courses",
    "credential_code", "required_skills", "checklist_items", "hour_categories",
)  # fmt: skip
_FREQUENCY_FIELDS = ("frequency", "period_months")


def versions_in_force(row: RequirementRow, versions: Sequence[Stood]) -> list[tuple[RequirementRow, Stood]]:
    """The earlier versions (`history`) that judged some day differently from the one after
    them, each as a row: a version replaced on the day it took effect was never in force,
    and one that differs from its successor in nothing (4 h -> 6 h -> 4 h on one day) only
    lengthens it. The version in force on D is still the first whose `until` is on or
    after D, else the row as it stands."""
    kept: list[tuple[RequirementRow, Stood]] = []
    for v in versions:
        if kept and v.until <= kept[-1][1].until:
            continue  # replaced on the day it took effect
        kept.append((as_it_stood(row, v), v))
    if not kept:
        return []
    nexts = [r for r, _ in kept[1:]] + [row]
    return [
        (r, v) for (r, v), after in zip(kept, nexts, strict=True)
        if any(getattr(r, f) != getattr(after, f) for f in (*HISTORY_FIELDS, *RETIRED_FIELDS))
    ]


def stood_on(rd: Reader, rows: Sequence[RequirementRow], day: date) -> list[RequirementRow]:
    """The requirements as they stood on `day`: of each one's versions in force
    (`versions_in_force`), the first whose `until` is on or after `day`, else the row as
    it stands (as queries/compliance.specs_on picks them)."""
    earlier = history(rd, [r.id for r in rows])
    return [
        next((r for r, v in versions_in_force(row, earlier.get(row.id, [])) if v.until >= day), row)
        for row in rows
    ]


def earlier_versions(rd: Reader, row: RequirementRow) -> list[tuple[Stood, list[str]]]:
    """The requirement's earlier versions in force (`versions_in_force`), oldest first,
    each with what it said that the next one changed, in words ("target 6 h",
    "frequency annual", "required positions: emt")."""
    kept = versions_in_force(row, history(rd, [row.id]).get(row.id, []))
    nexts = [r for r, _ in kept[1:]] + [row] if kept else []
    out: list[tuple[Stood, list[str]]] = []
    for (older, version), newer in zip(kept, nexts, strict=True):
        differ = [f for f in HISTORY_FIELDS if getattr(older, f) != getattr(newer, f)]
        words = []
        if older.retired_on is not None and older.retired_on != newer.retired_on:
            words.append(retired_text(older.retired_on, older.retired_reason))
        if any(f in _TARGET_FIELDS for f in differ):
            words.append(f"target {target_text(older) or older.requirement_type}")
        if any(f in _FREQUENCY_FIELDS for f in differ):
            words.append(f"frequency {frequency_text(older)}")
        for f in differ:
            if f not in _TARGET_FIELDS and f not in _FREQUENCY_FIELDS:
                value = getattr(older, f)
                if isinstance(value, list):
                    value = ", ".join(map(str, value))
                words.append(f"{f.replace('_', ' ')}: {value if value not in (None, '') else '-'}")
        out.append((version, words))
    return out


# ---------------------------------------------------------------------------- the resolver
def get_requirement(rd: Reader, ref: str | int) -> RequirementRow:
    """The one requirement resolver: by id, registry code ("NFPA 1001"), name or alias.

    Codes, names and aliases match ignoring case and spaces. A reference that names more
    than one requirement is a usage error (exit 2) that lists their ids; one that names none
    is not found (exit 1), with close names suggested. A few indexed or filtered queries,
    never the whole catalog (only a miss reads the names, to suggest some).
    """
    text = ref_text(ref)
    ident = as_id(text)
    if ident is not None:
        found = by_id(rd, ident)
        if found is not None:
            return found
    for column in ("registry_code", "name"):
        hits = _select(
            rd, f"r.{column} IS NOT NULL AND {key('r.' + column)} = {key(':text')}", {"text": text}
        )
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
    # The list is stored with JSON's \u escapes for letters beyond ASCII ("\u00c9chelle"),
    # which no case fold turns into "\u00e9chelle" (nor "Fu\u00dfweg" into "fussweg"): lists
    # holding such escapes are candidates too, and a reference beyond ASCII looks at every
    # list (the catalog: a few hundred rows, on this path only).
    wanted = norm(text)
    if wanted.isascii():
        where = (
            f"({key('CAST(r.aliases AS TEXT)')} LIKE :pattern ESCAPE '/' "
            "OR CAST(r.aliases AS TEXT) LIKE :escaped ESCAPE '/')"
        )
        params = {"pattern": like_pattern(json.dumps(wanted)), "escaped": "%\\u%"}
    else:
        where, params = "1 = 1", {}
    candidates = _select(rd, where, params)
    hits = [r for r in candidates if any(norm(ref_text(a)) == wanted for a in r.aliases)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise UsageError(
            f"{text!r} is an alias of {len(hits)} requirements.",
            "Use the id: " + "; ".join(f"{r.id} = {r.name}" for r in hits),
        )
    # a name or code stored before names were cleaned on the way in ("CPR" + U+200B), read
    # by the same rule in Python (on a miss only: the catalog, a few hundred rows)
    for column in ("registry_code", "name"):
        ids = [i for i, v in rd.all(f"SELECT id, {column} FROM requirement ORDER BY id")
               if v and norm(ref_text(v)) == wanted]  # fmt: skip
        if len(ids) == 1:
            return required(by_id(rd, ids[0]))
    raise NotFoundError(f"No requirement {text!r}.", _miss_hint(rd, text))


def by_keys(
    rd: Reader, column: str, texts: Iterable[str], *, where: str = "1 = 1", order: str = "r.id"
) -> list[RequirementRow]:
    """Requirements whose `column` (registry_code or name) names one of `texts` by the same
    rule as get_requirement (case and spaces aside), in one query: the batch form of the
    lookup, for program files. Match a row back to a text with domain.lookup.norm."""
    assert column in ("registry_code", "name", "cycle_credential")
    params = {f"k_{i}": t for i, t in enumerate(sorted(set(texts)))}
    if not params:
        return []
    keys = ", ".join(key(f":{k}") for k in params)
    return _select(rd, f"{key('r.' + column)} IN ({keys}) AND {where}", params, order)


def _miss_hint(rd: Reader, text: str) -> str:
    rows = rd.all("SELECT registry_code, name FROM requirement")
    if not rows:
        return EMPTY_HINT
    # codes and names starting with or containing the words typed ("hazmat": ISO-HAZMAT),
    # else spelled near, case and spacing aside as the lookup itself reads them: "iso
    # company" is near ISO-COMPANY (domain.lookup.offered, the one rule of the offers)
    close = offered(text, [c for c, _ in rows if c] + [n for _, n in rows], 3, cutoff=0.6)
    if close:
        return f"Did you mean {' or '.join(repr(c) for c in close)}? " + LOOKUP_HINT
    return LOOKUP_HINT


# ------------------------------------------------------------------------------ the catalog
def known_positions(rd: Reader) -> list[str]:
    return list(rd.column("SELECT code FROM position ORDER BY code"))


def credential_known(rd: Reader, code: str) -> bool:
    """Whether a credential code is in use: on a card (void or not: a code once entered is
    a code) or as a certification requirement's credential, by the natural-key rule."""
    return bool(
        rd.scalar(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM certification "
            f"  WHERE {key('credential_code')} = {key(':code')}) "
            "OR EXISTS (SELECT 1 FROM requirement "
            f"  WHERE {key('credential_code')} = {key(':code')}) THEN 1 ELSE 0 END",
            {"code": code},
        )
    )


def unknown_positions(positions: Iterable[str], known: Sequence[str]) -> list[str]:
    have = set(known)
    return [p for p in positions if p not in have]


def positions_problem(positions: Iterable[str], known: Sequence[str]) -> str | None:
    """What is wrong with a requirement's required_positions, or None: one wording for
    `requirement add` and `edit`, a registry import and a program file's definition."""
    missing = unknown_positions(positions, known)
    if not missing:
        return None
    return (
        f"unknown position{'s' if len(missing) > 1 else ''} {', '.join(map(echo, missing))} "
        f"(known: {', '.join(known)})"
    )


def check_positions(rd: Reader, positions: Iterable[str]) -> None:
    """Positions named on the command line (a `--position` filter): an unknown one is a
    usage error (exit 2), as `member list --position` says it."""
    known = known_positions(rd)
    missing = unknown_positions(positions, known)
    if missing:
        raise UsageError(
            f"Unknown position{'s' if len(missing) > 1 else ''}: {', '.join(map(echo, missing))}.",
            f"Known positions: {', '.join(known)}.",
        )


def list_requirements(
    rd: Reader,
    *,
    source: str | None = None,
    registry: str | None = None,
    requirement_type: str | None = None,
    position: str | None = None,
    in_force_on: date | None = None,
) -> list[RequirementRow]:
    """The catalog, filtered in SQL, by registry (department requirements last), code and
    name. `position` keeps what applies to that position: requirements that name it, and
    those that name no position (they apply to everyone). `in_force_on`: without the
    requirements retired on or before that day as they stand (`requirement list`; a
    report asks `retirement` of each as it stood on its day)."""
    conds: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if in_force_on is not None:
        conds.append("(r.retired_on IS NULL OR r.retired_on > :in_force_on)")
        params["in_force_on"] = in_force_on
    if source:
        conds.append("r.source = :source")
        params["source"] = source
    if requirement_type:
        conds.append("r.requirement_type = :type")
        params["type"] = requirement_type
    if registry:
        if norm(registry) in ("department", "none", "-"):
            conds.append("r.registry_name IS NULL")
        else:
            conds.append(f"{key('r.registry_name')} = {key(':registry')}")
            params["registry"] = registry
    if position:
        code = position.strip().lower()
        check_positions(rd, [code])
        # Position codes are letters, digits and _ (checked on every write), so the quoted
        # code occurs in the serialised JSON list only as a whole element: exact, and
        # portable (json_array_length exists on SQLite and PostgreSQL).
        conds.append(
            "(json_array_length(r.required_positions) = 0 "
            "OR CAST(r.required_positions AS TEXT) LIKE :position ESCAPE '/')"
        )
        params["position"] = like_pattern(json.dumps(code))
    # (text in code point order on both backends: queries.by_text)
    order = f"r.registry_name IS NULL, {by_text(rd.dialect, 'r.registry_name', 'r.registry_code', 'r.name')}, r.id"
    return _select(rd, " AND ".join(conds), params, order)


# ------------------------------------------------------------------------ how it is shown
class Described(Protocol):
    """A requirement as the words below need it: a RequirementRow or a models.Requirement."""

    @property
    def requirement_type(self) -> str: ...
    @property
    def required_hours(self) -> float | None: ...
    @property
    def required_shifts(self) -> int | None: ...
    @property
    def required_calls(self) -> int | None: ...
    @property
    def required_courses(self) -> list[str]: ...
    @property
    def credential_code(self) -> str | None: ...
    @property
    def required_skills(self) -> list[Any]: ...
    @property
    def checklist_items(self) -> list[Any]: ...
    @property
    def hour_categories(self) -> list[Any]: ...
    @property
    def frequency(self) -> str: ...
    @property
    def period_months(self) -> int | None: ...
    @property
    def source_document(self) -> str | None: ...


def source_label(req: Described) -> str:
    """Where the requirement's figures come from: the standard and edition, or
    "department default"."""
    return req.source_document or DEPARTMENT_DEFAULT


def target_text(req: Described) -> str:
    """The requirement's target in a few words: '40 h', '12 shifts', 'NFPA 1001', '5 items'."""
    t = req.requirement_type
    if t == "hours" and req.required_hours is not None:
        text = f"{hours_text(req.required_hours)} h"
        if req.hour_categories:
            text += (
                " ("
                + " / ".join(
                    f"{c['name']} {hours_text(c['min_hours'])}"
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
        return " or ".join([c for c in [req.credential_code, *req.required_courses] if c])  # any one holds it
    if t == "skills_evaluation":
        return _count(len(req.required_skills), "skill")
    if t == "checklist":
        return _count(len(req.checklist_items), "item")
    return ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def frequency_text(req: Described) -> str:
    if req.frequency == "rolling":
        return f"rolling {req.period_months} months"
    if req.frequency == "one_time" and req.period_months:
        return f"one_time, within {req.period_months} months"
    return req.frequency
