"""Skills and checkoffs on the read side: the one skill resolver, the catalog, history."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from trainctl.domain.lookup import as_id, ref_text
from trainctl.domain.skills import Evaluation, standing
from trainctl.errors import NotFoundError, PermissionDeniedError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import Reader, as_json, as_utc, by_text, in_list
from trainctl.queries.shifts import required_date, required_utc

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "skill_evaluation": (
        "id", "name", "category", "description", "evaluation_criteria", "passing_requirements",
        "required_for_programs", "created_at", "created_by", "updated_at",
    ),
    "skill_checkoff": (
        "id", "member_id", "skill_id", "evaluator_id", "status", "evaluation_results",
        "evaluated_at", "evaluated_on", "notes", "created_at", "voided_at", "voided_by",
        "void_reason",
    ),
    "member": ("id", "name", "email"),
    "program": ("id", "name", "version"),
}  # fmt: skip

LOOKUP_HINT = "Name a skill by its name or id (id:12); `trainctl skill list` shows them."
RESULTS = ("passed", "failed", "needs_retest")


def fold(text: str) -> str:
    """How skill names compare: case and spaces aside, read as every reference is
    (domain.lookup.ref_text)."""
    return " ".join(ref_text(text).casefold().split())


@dataclass(frozen=True, slots=True)
class SkillRow:
    """A skill as every command shows it (the JSON shape, keys in this order)."""

    id: int
    name: str
    category: str | None
    description: str | None
    evaluation_criteria: list[Any]
    passing_requirements: str | None
    required_for_programs: list[int]
    programs: list[str]  # "Name v2" of required_for_programs
    passed: int  # members whose pass stands (not void, no later failure: domain/skills)
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_SELECT = (
    "SELECT s.id, s.name, s.category, s.description, s.evaluation_criteria, "
    "s.passing_requirements, s.required_for_programs, s.created_at, s.created_by, s.updated_at "
    "FROM skill_evaluation s"
)


def _passed_counts(rd: Reader, skill_ids: list[int]) -> dict[int, int]:
    """Skill id -> how many members hold a pass that stands (domain/skills: no later
    failed / needs_retest evaluation of the skill; void checkoffs aside)."""
    if not skill_ids:
        return {}
    sql, params = in_list("s", skill_ids)
    rows = rd.all(
        "SELECT c.id, c.member_id, c.skill_id, c.evaluated_on, c.status FROM skill_checkoff c "
        f"WHERE c.voided_at IS NULL AND c.skill_id IN {sql}",
        params,
    )
    held: dict[Hashable, set[Hashable]] = {}
    for e in standing(Evaluation(r[0], r[1], r[2], required_date(r[3]), r[4]) for r in rows):
        held.setdefault(e.skill, set()).add(e.member)
    return {sid: len(held.get(sid, ())) for sid in skill_ids}


def _skills(rd: Reader, rows: list[tuple[Any, ...]]) -> list[SkillRow]:
    program_ids = sorted({p for r in rows for p in as_json(r[6]) or [] if isinstance(p, int)})
    names: dict[int, str] = {}
    if program_ids:
        sql, params = in_list("p", program_ids)
        names = {i: f"{n} v{v}" for i, n, v in rd.all(f"SELECT id, name, version FROM program WHERE id IN {sql}", params)}
    passed = _passed_counts(rd, [r[0] for r in rows])
    out = []
    for r in rows:
        ids = [p for p in as_json(r[6]) or [] if isinstance(p, int)]
        out.append(
            SkillRow(
                r[0], r[1], r[2], r[3], as_json(r[4]) or [], r[5], ids,
                [names.get(p, f"program {p}") for p in ids], passed.get(r[0], 0), required_utc(r[7]),
                r[8], as_utc(r[9]),
            )
        )
    return out


def find_skill(rd: Reader, ref: str) -> SkillRow | None:
    """A skill by `id:12` / `#12`, by name (case and spaces aside), or by a bare id."""
    text = ref_text(ref)
    kind, sep, rest = text.partition(":")
    if sep and kind.strip().lower() in ("id", "name"):
        kind, text = kind.strip().lower(), rest.strip()
    else:
        kind = ""
    if kind == "id" or (not kind and text.startswith("#")):
        number = as_id(text)
        rows = rd.all(f"{_SELECT} WHERE s.id = :id", {"id": number}) if number is not None else []
        return _skills(rd, rows)[0] if rows else None
    key = fold(text)
    if key:
        for sid, name in rd.all("SELECT id, name FROM skill_evaluation"):
            if fold(name) == key:
                return _skills(rd, rd.all(f"{_SELECT} WHERE s.id = :id", {"id": sid}))[0]
    if not kind and (number := as_id(text)) is not None:
        rows = rd.all(f"{_SELECT} WHERE s.id = :id", {"id": number})
        return _skills(rd, rows)[0] if rows else None
    return None


def get_skill(rd: Reader, ref: str) -> SkillRow:
    skill = find_skill(rd, ref)
    if skill is None:
        raise NotFoundError(f"No skill {ref.strip()!r}.", LOOKUP_HINT)
    return skill


def list_skills(rd: Reader, *, category: str | None = None) -> list[SkillRow]:
    """The skills catalog by category and name."""
    skills = _skills(rd, rd.all(f"{_SELECT} ORDER BY {by_text(rd.dialect, 's.category', 's.name')}, s.id"))
    if category:
        skills = [s for s in skills if fold(s.category or "") == fold(category)]
    return skills


@dataclass(frozen=True, slots=True)
class CheckoffRow:
    """One evaluation, as every command shows it (the JSON shape, keys in this order)."""

    id: int
    member_id: int
    member: str
    email: str
    skill_id: int
    skill: str
    status: str
    evaluator_id: int | None
    evaluator: str | None  # None: the database owner
    evaluated_on: date
    evaluated_at: datetime
    evaluation_results: dict[str, Any]
    notes: str | None
    voided_at: datetime | None
    voided_by: int | None  # who voided it, and why (as record list shows)
    void_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def checkoffs(
    rd: Reader,
    actor: Actor,
    *,
    skill_id: int | None = None,
    member_id: int | None = None,
    status: str | None = None,
    include_void: bool = False,
) -> list[CheckoffRow]:
    """Checkoff history, newest first (every evaluation is kept). Members see their own."""
    if not actor.can(VIEW_ALL):
        if member_id is not None and not actor.is_self(member_id):
            raise PermissionDeniedError(
                f"{actor.name} ({actor.role}) may only see their own skill checkoffs.",
                "Leave out --member to see yours.",
            )
        member_id = actor.member_id
    conds: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if skill_id is not None:
        conds.append("c.skill_id = :skill")
        params["skill"] = skill_id
    if member_id is not None:
        conds.append("c.member_id = :member")
        params["member"] = member_id
    if status is not None:
        conds.append("c.status = :status")
        params["status"] = status
    if not include_void:
        conds.append("c.voided_at IS NULL")
    rows = rd.all(
        "SELECT c.id, c.member_id, m.name, m.email, c.skill_id, s.name, c.status, c.evaluator_id, "
        "e.name, c.evaluated_on, c.evaluated_at, c.evaluation_results, c.notes, c.voided_at, "
        "c.voided_by, c.void_reason "
        "FROM skill_checkoff c JOIN member m ON m.id = c.member_id "
        "JOIN skill_evaluation s ON s.id = c.skill_id LEFT JOIN member e ON e.id = c.evaluator_id "
        f"WHERE {' AND '.join(conds)} ORDER BY c.evaluated_on DESC, c.id DESC",
        params,
    )
    return [
        CheckoffRow(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], required_date(r[9]),
            required_utc(r[10]), as_json(r[11]) or {}, r[12], as_utc(r[13]), r[14], r[15],
        )
        for r in rows
    ]
