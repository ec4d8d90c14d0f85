"""Courses on the read side: the one course resolver, listings, a course's detail."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from trainctl.domain.lookup import as_id, offered, ref_text
from trainctl.errors import NotFoundError, UsageError
from trainctl.queries import Reader, as_bool, as_json, as_utc, by_text, in_list, required

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "course": (
        "id", "code", "name", "training_type", "category", "duration_hours", "credit_hours",
        "prerequisites", "expiration_months", "self_paced", "created_at", "created_by",
        "updated_at",
    ),
    "training_record": ("course_id", "voided_at"),
}  # fmt: skip

LOOKUP_HINT = (
    "Name a course by its code, its name or its id (write id:12 when a number could be a "
    "code); `trainctl course list` shows them."
)


@dataclass(frozen=True, slots=True)
class CourseRow:
    """A course as every command shows it (the JSON shape, keys in this order)."""

    id: int
    code: str | None
    name: str
    training_type: str | None
    category: str | None
    duration_hours: float | None
    credit_hours: float | None
    prerequisites: list[int]
    expiration_months: int | None
    self_paced: bool
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def label(self) -> str:
        return f"{self.code} ({self.name})" if self.code else self.name


_COLUMNS = ", ".join(TABLES["course"])


def _course(r: tuple[Any, ...]) -> CourseRow:
    return CourseRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], as_json(r[7]) or [], r[8], bool(as_bool(r[9])),
        required(as_utc(r[10])), r[11], as_utc(r[12]),
    )


def fold(text: str) -> str:
    """How course codes and names compare: case and spaces aside, read as every reference
    is (domain.lookup.ref_text: a zero-width space pasted after LF-1 is no part of it)."""
    return " ".join(ref_text(text).casefold().split())


def all_courses(rd: Reader) -> list[CourseRow]:
    return [_course(r) for r in rd.all(f"SELECT {_COLUMNS} FROM course ORDER BY {by_text(rd.dialect, 'code', 'name')}, id")]


def by_id(rd: Reader, course_id: int) -> CourseRow | None:
    row = rd.one(f"SELECT {_COLUMNS} FROM course WHERE id = :id", {"id": course_id})
    return _course(row) if row else None


def by_ids(rd: Reader, ids: list[int]) -> dict[int, CourseRow]:
    if not ids:
        return {}
    sql, params = in_list("id", sorted(set(ids)))
    return {c.id: c for c in (_course(r) for r in rd.all(f"SELECT {_COLUMNS} FROM course WHERE id IN {sql}", params))}


def find_course(rd: Reader, ref: str) -> CourseRow | None:
    """The course a reference names, or None: `id:12` / `#12` an id; else a code (case and
    spaces aside), else a name; a bare number that is no code is an id. A name two courses
    share is refused as ambiguous."""
    text = ref_text(ref)
    kind, sep, rest = text.partition(":")
    if sep and kind.strip().lower() in ("id", "code", "name"):
        kind, text = kind.strip().lower(), rest.strip()
    else:
        kind = ""
    if kind == "id" or (not kind and text.startswith("#")):
        number = as_id(text)
        return by_id(rd, number) if number is not None else None
    key = fold(text)
    if not key:
        return None
    courses = all_courses(rd)  # the catalog is small (tens to hundreds of rows)
    if kind in ("", "code"):
        hits = [c for c in courses if c.code is not None and fold(c.code) == key]
        if hits:
            return hits[0]  # codes are unique
    if kind in ("", "name"):
        hits = [c for c in courses if fold(c.name) == key]
        if len(hits) > 1:
            raise UsageError(
                f"{ref.strip()!r} is the name of {len(hits)} courses.",
                "Name one by its code or id: "
                + "; ".join(f"{c.code or 'id:' + str(c.id)} = {c.name}" for c in hits),
            )
        if hits:
            return hits[0]
    if not kind and (number := as_id(text)) is not None:
        return by_id(rd, number)
    return None


def get_course(rd: Reader, ref: str) -> CourseRow:
    course = find_course(rd, ref)
    if course is None:
        raise NotFoundError(f"No course {ref.strip()!r}.", _offer(rd, ref) + LOOKUP_HINT)
    return course


def _offer(rd: Reader, ref: str) -> str:
    """"Did you mean ...? " for a course reference that named none: the codes and names
    starting with or containing the words typed, else spelled near (domain.lookup.offered,
    as the program and requirement lookups offer theirs); "" when none fits."""
    rows = rd.all(f"SELECT code, name FROM course ORDER BY {by_text(rd.dialect, 'code', 'name')}, id")
    close = offered(ref_text(ref), [c for c, _ in rows if c] + [n for _, n in rows])
    return f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""


def list_courses(
    rd: Reader, *, training_type: str | None = None, category: str | None = None
) -> list[CourseRow]:
    courses = all_courses(rd)
    if not (training_type or category):
        return courses  # (the catalog alone: the credit rules and their dataclasses not loaded)
    from trainctl.domain.credit import files_under
    from trainctl.domain.progress import category_key

    # as a requirement counting that type or category counts the course's records
    # (domain.credit: case, spaces, underscores and hyphens aside)
    if training_type:
        wanted = category_key(training_type)
        courses = [c for c in courses if category_key(c.training_type) == wanted]
    if category:
        keys = {category_key(category)}
        courses = [c for c in courses if files_under(c.category, None, keys)]
    return courses


def record_counts(rd: Reader) -> dict[int, int]:
    """Records (not void) per course id."""
    return dict(
        rd.all(
            "SELECT course_id, count(*) FROM training_record "
            "WHERE course_id IS NOT NULL AND voided_at IS NULL GROUP BY course_id"
        )
    )
