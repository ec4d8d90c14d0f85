"""The course catalog: lookup, add, edit, CSV import (writes need training.manage).

Courses are named by code (unique, case and spaces aside), name or id; the one resolver
is queries.courses.find_course. Prerequisites are other courses (no course requires
itself, directly or round a loop). A course is never deleted: records keep pointing at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain import records as dr
from trainctl.domain import sheet
from trainctl.domain.programs import find_cycle
from trainctl.domain.text import hours_text, plural, word_for
from trainctl.errors import BadInputError, RefusedError
from trainctl.models import AuditLog, Course, utcnow
from trainctl.queries import courses as q
from trainctl.queries import reader_of
from trainctl.schemas.courses import FIELDS, CourseCreate, CourseUpdate
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor


# ---------------------------------------------------------------------------------- lookup
def get_course(session: Session, ref: str | int) -> Course:
    """The course named by code, name or id (the one resolver: queries.courses)."""
    session.flush()
    found = q.get_course(reader_of(session), str(ref))
    course = session.get(Course, found.id)
    assert course is not None
    return course


def find_course(session: Session, ref: str) -> Course | None:
    session.flush()
    found = q.find_course(reader_of(session), ref)
    return session.get(Course, found.id) if found else None


def _code_taken(session: Session, code: str | None, except_id: int | None = None) -> Course | None:
    if not code:
        return None
    key = q.fold(code)
    for other in session.exec(select(Course).where(col(Course.code).is_not(None))):
        if other.id != except_id and q.fold(other.code or "") == key:
            return other
    return None


def _name_taken(session: Session, name: str | None, except_id: int | None = None) -> Course | None:
    """The course whose name is `name`, case and spaces aside: a sheet, a program file and
    every command name a course by it, so two such courses would make it ambiguous."""
    if not name:
        return None
    key = q.fold(name)
    for other in session.exec(select(Course)):
        if other.id != except_id and q.fold(other.name) == key:
            return other
    return None


def _refuse_name_taken(session: Session, name: str | None, except_id: int | None = None) -> None:
    other = _name_taken(session, name, except_id)
    if other is not None:
        raise BadInputError(
            f"The course name {name!r} is course {other.id}'s ({other.code or other.name}): "
            "names match without regard to case and spaces.",
            f"Give this course another name, or use course {other.id} "
            f"(`trainctl course show {other.id}`).",
        )


def _resolve_prerequisites(session: Session, refs: Sequence[str]) -> list[int]:
    ids: list[int] = []
    for ref in refs:
        course = find_course(session, ref)
        if course is None:
            raise BadInputError(
                f"Prerequisite course {ref!r} is not in the catalog.",
                "Add it first (`trainctl course add`), or name it by code, name or id.",
            )
        assert course.id is not None  # a stored course
        if course.id not in ids:
            ids.append(course.id)
    return ids


def _refuse_cycle(session: Session, course_id: int, prerequisites: Sequence[int]) -> None:
    edges = {c.id: list(c.prerequisites) for c in session.exec(select(Course))}
    edges[course_id] = list(prerequisites)
    if course_id in prerequisites:
        raise RefusedError("A course cannot be its own prerequisite.")
    cycle = find_cycle(edges)
    if cycle:
        names = {c.id: c.code or c.name for c in session.exec(select(Course))}
        raise RefusedError(
            "Those prerequisites would make a loop: "
            + " → ".join(str(names.get(i, i)) for i in cycle)
            + ".",
            "A course may not require itself through other courses.",
        )


# ---------------------------------------------------------------------------- add / edit
def _categories(session: Session) -> dr.Categories:
    from trainctl.services.records import requirement_categories

    return requirement_categories(session)


def add_course(
    session: Session, actor: Actor, data: CourseCreate, notices: list[str] | None = None,
    *, today: date | None = None, report: list[str] | None = None,
) -> Course:
    """`notices` (when given) gets a line for a category no requirement names; `report`
    what became of records entered under the course's name (or code) as a free name:
    they are the course's now (services/records.adopt_free_named), credited as of `today`
    (the department's, when not given)."""
    actor.require(MANAGE, "add courses")
    other = _code_taken(session, data.code)
    if other is not None:
        raise BadInputError(
            f"The course code {data.code} is already used by course {other.id} ({other.name}).",
            f"Course codes are unique; `trainctl course show {other.id}` shows it.",
        )
    _refuse_name_taken(session, data.name)
    fields = data.model_dump()
    if fields.get("category"):  # as the requirements spell it (domain.records.Categories)
        categories = _categories(session)
        fields["category"], _ = categories.canon(
            fields["category"], None, course_code=fields.get("code"), training_type=fields.get("training_type")
        )
        if notices is not None:
            notices += categories.notices()
    fields["prerequisites"] = _resolve_prerequisites(session, data.prerequisites)
    fields["self_paced"] = bool(fields["self_paced"])
    course = Course(**fields, created_by=actor.member_id)
    session.add(course)
    session.flush()
    audit(session, actor, "course.add", "course", course.id, code=course.code, name=course.name)
    assert course.id is not None  # flushed
    lines, _ = _adopt(session, actor, [course.id], today)
    if report is not None:
        report += lines
    return course


def _adopt(
    session: Session, actor: Actor, course_ids: Sequence[int], today: date | None, *, dry_run: bool = False
) -> tuple[list[str], list[Any]]:
    """New courses take in the records entered under their name as a free course name."""
    from trainctl.services.records import adopt_free_named
    from trainctl.services.settings import today as department_today

    if not course_ids:
        return [], []
    day = today or department_today(session)
    return adopt_free_named(session, actor, course_ids, today=day, dry_run=dry_run)


def edit_course(
    session: Session, actor: Actor, ref: str, data: CourseUpdate, notices: list[str] | None = None
) -> tuple[Course, dict[str, tuple[Any, Any]]]:
    """Change the fields set in `data`. Existing records keep their values (hours, expiry):
    they are history; new records use the new figures."""
    actor.require(MANAGE, "edit courses")
    course = get_course(session, ref)
    values = data.model_dump(exclude_unset=True)
    if values.get("category"):
        categories = _categories(session)
        values["category"], _ = categories.canon(
            values["category"], None, course_code=values.get("code", course.code),
            training_type=values.get("training_type", course.training_type),
        )  # fmt: skip
        if notices is not None:
            notices += categories.notices()
    if "name" in values and not values["name"]:
        raise BadInputError("A course's name cannot be cleared.")
    if "name" in values and q.fold(values["name"]) != q.fold(course.name):
        _refuse_name_taken(session, values["name"], except_id=course.id)
    if values.get("self_paced") is None and "self_paced" in values:
        values["self_paced"] = False
    if "prerequisites" in values:
        values["prerequisites"] = _resolve_prerequisites(session, values["prerequisites"] or [])
        assert course.id is not None  # a stored course
        _refuse_cycle(session, course.id, values["prerequisites"])
    if "code" in values and values["code"] and q.fold(values["code"]) != q.fold(course.code or ""):
        other = _code_taken(session, values["code"], except_id=course.id)
        if other is not None:
            raise BadInputError(
                f"The course code {values['code']} is already used by course {other.id} ({other.name})."
            )
    changes = {k: (getattr(course, k), v) for k, v in values.items() if getattr(course, k) != v}
    if not changes:
        return course, {}
    for name, (_, new) in changes.items():
        setattr(course, name, new)
    course.updated_at = utcnow()
    session.add(course)
    session.flush()
    audit(session, actor, "course.edit", "course", course.id,
          changes={k: [o, n] for k, (o, n) in changes.items()})  # fmt: skip
    return course, changes


# --------------------------------------------------------------------------------- import
COURSE_FIELDS = (
    sheet.Field("code", ("course code", "course no", "course number")),
    sheet.Field("name", ("course", "course name", "title"), required=True),
    sheet.Field("training_type", ("type", "training type")),
    sheet.Field("category", ("topic", "topic category", "training category")),
    sheet.Field("duration_hours", ("duration", "length", "duration (h)")),
    sheet.Field("credit_hours", ("credit", "credits", "hours", "ce hours", "contact hours")),
    sheet.Field("prerequisites", ("prerequisite", "prereqs", "requires")),
    sheet.Field("expiration_months", ("expiration", "valid months", "expires after (months)",
                                      "expiration (months)")),
    sheet.Field("self_paced", ("self-paced", "distributive", "online")),
)  # fmt: skip
# Columns `course list --format csv` writes that a course is not made of (`records`: how
# many are on file), skipped by name so that the listing imports back as it is.
COURSE_LISTED = ("id", "records")


@dataclass
class CourseImport:
    source: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "FILE, line N, field F: why"
    rejected: int = 0
    written: bool = False
    notices: list[str] = field(default_factory=list)  # categories no requirement names
    reasons: dict[int, list[str]] = field(default_factory=dict)  # line -> why (the reject file)
    # records entered under a new course's name as a free name, the course's now (`_adopt`)
    said: list[str] = field(default_factory=list)

    def refuse(self, line: int, *why: str) -> None:
        """Row `line` is left out: each reason is named as "FILE, line N, ..." and kept by
        line for the reject file (--skip-invalid)."""
        for text in why:
            self.problems.append(f"{self.source}, line {line}{text}")
            self.reasons.setdefault(line, []).append(f"line {line}{text}")


def import_courses(
    session: Session,
    actor: Actor,
    stream: BinaryIO | Iterable[bytes],
    *,
    source: str,
    update: bool = False,
    dry_run: bool = False,
    skip_invalid: bool = False,
    ignore_unknown_columns: bool = False,
    today: date | None = None,
) -> CourseImport:
    """Courses from a CSV, matched by code (else by name). Every row is checked first;
    any bad row: nothing is written (BadInputError) unless `skip_invalid`. A course that
    exists with other values is refused unless `update`. Prerequisites may name courses
    of the same file. A new course takes in the records entered under its name as a free
    name (`add_course`), credited as of `today`."""
    from pydantic import ValidationError

    from trainctl.schemas import describe_errors
    from trainctl.services.sheet_import import spilled_cells

    actor.require(MANAGE, "import courses")
    result = CourseImport(source=source)
    rows: list[tuple[int, CourseCreate]] = []
    bad: set[int] = set()
    try:
        lines = sheet.read_sheet(stream, source)
        head = next(lines)
        header, problems = sheet.match_header(
            head.cells, COURSE_FIELDS, ignore_unknown=ignore_unknown_columns, ignored=(sheet.REJECT_COLUMN, *COURSE_LISTED)
        )
        if problems and (titled := sheet.header_below(head, lines, COURSE_FIELDS, ignore_unknown=ignore_unknown_columns,
                                                      ignored=(sheet.REJECT_COLUMN, *COURSE_LISTED))):  # fmt: skip
            problems = [titled]
        if problems:
            raise sheet.SheetError(
                f"{source}, line {head.number}: the header does not match.",
                "Columns: " + sheet.describe(COURSE_FIELDS)
                + ". Unknown columns are refused unless --ignore-unknown-columns.",
                problems,
            )
        for record in lines:
            if record.end != record.number and (broken := sheet.line_breaks(record.cells, header.names, header.columns)):
                bad.add(record.number)  # a quote never closed took the lines after it
                result.refuse(record.number, *(f", field {c}: {why}" for c, why in broken))
                continue
            if spilled := spilled_cells(head.cells, record.cells):
                bad.add(record.number)
                result.refuse(record.number, f": {spilled}")
                continue
            given = {name: sheet.cell(record.cells, i) for i, name in header.columns.items()}
            given = {k: v for k, v in given.items() if v != "" or k == "name"}
            try:
                rows.append((record.number, CourseCreate.model_validate(given)))
            except ValidationError as exc:
                bad.add(record.number)
                prefix = f"{source}, line {record.number}"
                result.refuse(record.number, *(p.removeprefix(prefix) for p in describe_errors(exc, prefix)))
    except sheet.SheetError as exc:
        said = "nothing was imported" in exc.message  # the sheet's own line errors say it
        message = exc.message if said else exc.message + " Nothing was imported."
        raise BadInputError(message, exc.hint, details=exc.details) from None

    # within the file: one code (or name) = one course, and one name = one course
    seen: dict[str, int] = {}
    names: dict[str, tuple[int, str | None]] = {}
    for line, row in rows:
        key = "code:" + q.fold(row.code) if row.code else "name:" + q.fold(row.name)
        if key in seen:
            bad.add(line)
            result.refuse(
                line, f", field {'code' if row.code else 'name'}: "
                f"{row.code or row.name!r} is also on line {seen[key]}"
            )
            continue
        seen[key] = line
        first = names.setdefault(q.fold(row.name), (line, row.code))
        if first[0] != line and row.code and first[1]:
            bad.add(line)
            result.refuse(
                line, f", field name: {row.name!r} is also the name of "
                f"{first[1]} on line {first[0]} (names match case and spaces aside)"
            )
    categories = _categories(session)
    for _, row in rows:
        if row.category:
            row.category, _ = categories.canon(
                row.category, None, course_code=row.code, training_type=row.training_type
            )
    result.notices = categories.notices()
    existing = list(session.exec(select(Course)))
    by_code = {q.fold(c.code): c for c in existing if c.code}
    by_name: dict[str, list[Course]] = {}
    for c in existing:
        by_name.setdefault(q.fold(c.name), []).append(c)
    in_file = {q.fold(r.code) for _, r in rows if r.code} | {q.fold(r.name) for _, r in rows}
    planned: list[tuple[int, CourseCreate, Course | None]] = []
    for line, row in rows:
        if line in bad:
            continue
        match = by_code.get(q.fold(row.code)) if row.code else None
        if match is None and not row.code:
            named = by_name.get(q.fold(row.name), [])
            if len(named) > 1:
                bad.add(line)
                result.refuse(line, f", field name: {row.name!r} names {len(named)} courses; give a code")
                continue
            match = named[0] if named else None
        taken = [c for c in by_name.get(q.fold(row.name), []) if match is None or c.id != match.id]
        if taken:  # a new course, or a renamed one, under another course's name
            bad.add(line)
            other = taken[0]
            result.refuse(
                line, f", field name: {row.name!r} is the name of course "
                f"{other.id} ({other.code or other.name}); names match case and spaces aside"
            )
            continue
        for ref in row.prerequisites:
            if q.fold(ref) not in in_file and q.find_course(reader_of(session), ref) is None:
                bad.add(line)
                result.refuse(line, f", field prerequisites: no course {ref!r} in the catalog or the file")
        if line not in bad:
            planned.append((line, row, match))
    result.rejected = len(bad)
    if bad and not skip_invalid:
        raise BadInputError(
            f"{source}: {plural(len(bad), 'row')} {word_for(len(bad), 'has', 'have')} problems; "
            "nothing was imported.",
            "Fix the rows named above and run the command again, or add --skip-invalid to "
            "import the good rows.",
            details=result.problems,
        )

    def differs(row: CourseCreate, course: Course) -> dict[str, Any]:
        data = row.model_dump(include=row.model_fields_set - {"prerequisites"})
        out = {k: v for k, v in data.items() if getattr(course, k) != v}
        if "prerequisites" in row.model_fields_set:
            found = [q.find_course(reader_of(session), ref) for ref in row.prerequisites]
            ids = [c.id for c in found if c is not None]
            if len(ids) < len(row.prerequisites) or sorted(ids) != sorted(course.prerequisites):
                out["prerequisites"] = row.prerequisites
        return out

    for line, row, match in planned:
        if match is not None and differs(row, match) and not update:
            bad.add(line)
            result.refuse(line, *(
                f", field {k}: course {match.code or match.name} has "
                f"{_value_text(session, k, getattr(match, k))}; add --update to change it "
                f"(got {_value_text(session, k, v)})"
                for k, v in differs(row, match).items()
            ))  # fmt: skip
    # before anything is written: a row in a prerequisite loop, or needing a course of the
    # file that is not imported, is a bad row like any other (--skip-invalid writes the rest)
    _refuse_loops(session, rows, planned, bad, result)
    for line, row, match in planned:
        if line in bad:
            continue
        label = row.code or row.name
        if match is None:
            result.added.append(label)
        elif differs(row, match):
            result.updated.append(label)
        else:
            result.unchanged.append(label)
    if bad and not skip_invalid:
        raise BadInputError(
            f"{source}: {plural(len(bad), 'row')} {word_for(len(bad), 'has', 'have')} problems; "
            "nothing was imported.",
            "Fix the rows named above and run the command again (--update changes existing courses).",
            details=result.problems,
        )
    result.rejected = len(bad)
    planned = [p for p in planned if p[0] not in bad]
    # a dry run writes and rolls back: a prerequisite loop shows only once they are written
    nested = session.begin_nested() if dry_run else None

    now = utcnow()
    ids: dict[int, int] = {}
    audit_rows: list[dict[str, Any]] = []
    for line, row, match in planned:
        values = row.model_dump(exclude={"prerequisites"})
        values["self_paced"] = bool(values["self_paced"])
        if match is None:
            course = Course(**values, created_by=actor.member_id, created_at=now)
            session.add(course)
            session.flush()
            audit_rows.append(_audit(actor, now, "course.add", course.id, source=source, line=line))
        else:
            course = match
            change = differs(row, match)
            for k, v in change.items():
                if k != "prerequisites":
                    setattr(course, k, v)
            if change:
                course.updated_at = now
                session.add(course)
                audit_rows.append(_audit(actor, now, "course.edit", course.id, source=source, line=line))
        assert course.id is not None  # flushed above or stored
        ids[line] = course.id
    session.flush()
    loops: list[str] = []
    for line, row, _ in planned:
        if row.prerequisites:
            stored = session.get(Course, ids[line])
            assert stored is not None
            prereqs = _resolve_prerequisites(session, row.prerequisites)
            try:
                _refuse_cycle(session, ids[line], prereqs)
            except RefusedError as exc:
                loops.append(f"{source}, line {line}, field prerequisites: {exc.message}")
                continue
            stored.prerequisites = prereqs
            session.add(stored)
            session.flush()  # the next row's loop check reads it
    if loops:
        if nested is not None:
            nested.rollback()
        raise BadInputError(
            f"{source}: {plural(len(loops), 'row')} would make a prerequisite loop; nothing was imported.",
            "A course may not require itself, directly or through other courses.",
            details=loops,
        )
    added = [ids[line] for line, _, match in planned if match is None]
    result.said, _ = _adopt(session, actor, added, today, dry_run=dry_run)
    if audit_rows:
        audit_rows.append(_audit(actor, now, "course.import", None, source=source,
                                 added=len(result.added), updated=len(result.updated)))  # fmt: skip
        session.execute(sa.insert(AuditLog), audit_rows)
    session.flush()
    if nested is not None:
        nested.rollback()
        return result
    result.written = True
    return result


def _refuse_loops(
    session: Session, file_rows: Sequence[tuple[int, CourseCreate]],
    planned: Sequence[tuple[int, CourseCreate, Course | None]], bad: set[int], result: CourseImport,
) -> None:
    """Refuse (into `bad` and `result`) the planned rows whose prerequisites, as the file
    and the catalog would then stand, make a loop (every row of it, each naming the loop),
    and then those needing a course of the file that is not imported (the loop's, or a row
    refused for another reason), until none is left: found before anything is written, so
    --skip-invalid imports the other rows and a dry run says the same."""
    rd = reader_of(session)
    rows = {line: (row, match) for line, row, match in planned}
    # a reference to a row of the file (`file_rows`: refused ones too): by its code, else its
    # name, as the import finds it once written
    of_file: dict[str, int] = {}
    codes: dict[str, int] = {}
    for line, r in file_rows:  # the first line of each (a repeated one is refused)
        of_file.setdefault(q.fold(r.name), line)
        if r.code:
            codes.setdefault(q.fold(r.code), line)
    of_file.update(codes)
    row_of_id = {m.id: line for line, (_, m) in rows.items() if m is not None}
    Node = tuple[str, int]  # ("row", line) or ("course", id)

    def node(ref: str) -> Node | None:
        line = of_file.get(q.fold(ref))
        if line is not None:
            return ("row", line)
        found = q.find_course(rd, ref)
        if found is None:
            return None
        return ("row", row_of_id[found.id]) if found.id in row_of_id else ("course", found.id)

    edges: dict[Node, list[Node]] = {
        ("course", c.id): [("course", p) for p in c.prerequisites or ()]  # type: ignore[misc]
        for c in session.exec(select(Course)) if c.id not in row_of_id
    }
    for line in row_of_id.values():  # a row of an existing course: the course as the row leaves it
        course = rows[line][1]
        assert course is not None
        edges[("row", line)] = [("row", row_of_id[p]) if p in row_of_id else ("course", p)
                                for p in course.prerequisites or ()]  # fmt: skip
    needs: dict[int, list[tuple[str, Node | None]]] = {}
    for line, (row, _) in rows.items():
        if line in bad:
            continue
        needs[line] = [(ref, node(ref)) for ref in row.prerequisites]
        if row.prerequisites:
            edges[("row", line)] = [n for _, n in needs[line] if n is not None]
    for line, given in needs.items():
        if ("row", line) in (n for _, n in given):
            bad.add(line)
            result.refuse(line, ", field prerequisites: A course cannot be its own prerequisite.")
    label = {("row", line): r.code or r.name for line, (r, _) in rows.items()}
    label.update({("course", c.id): c.code or c.name for c in session.exec(select(Course))})  # type: ignore[misc]
    live = {k: [n for n in v if n[0] == "course" or n[1] not in bad] for k, v in edges.items()
            if k[0] == "course" or k[1] not in bad}  # fmt: skip
    while (cycle := find_cycle(live)) is not None:
        text = " → ".join(label.get(n, str(n[1])) for n in cycle)
        looped = set(cycle)
        for n in dict.fromkeys(cycle):
            if n[0] == "row":
                bad.add(n[1])
                result.refuse(n[1], f", field prerequisites: Those prerequisites would make a loop: {text}.")
        live = {k: [n for n in v if n not in looped] for k, v in live.items() if k not in looped}
    changed = True
    while changed:  # a row needing a course of the file that is not imported
        changed = False
        for line, given in needs.items():
            if line in bad:
                continue
            gone = [(ref, n) for ref, n in given if n is not None and n[0] == "row" and n[1] in bad]
            if gone:
                bad.add(line)
                changed = True
                result.refuse(line, *(
                    f", field prerequisites: {ref!r} is line {n[1]}, which is not imported" for ref, n in gone
                ))  # fmt: skip


_VALUE_WORDS = {
    "training_type": ("no type", "type {!r}"),
    "category": ("no topic or category", "topic {!r}"),
    "duration_hours": ("no duration", "a duration of {} h"),
    "credit_hours": ("no credit hours", "{} credit hours"),
    "expiration_months": ("no expiry", "an expiry of {} months"),
    "name": ("no name", "the name {!r}"),
}


def _value_text(session: Session, name: str, value: Any) -> str:
    """A course's field value as a refusal writes it: "no duration", "a duration of 2 h",
    "prerequisites PUMP1, PUMP2" (never Python's None, 2.0 or [3])."""
    if name == "self_paced":
        return "self-paced" if value else "not self-paced"
    if name == "prerequisites":
        if not value:
            return "no prerequisites"
        rd = reader_of(session)
        found = [q.by_id(rd, v) if isinstance(v, int) else None for v in value]
        return "prerequisites " + ", ".join(
            (c.code or c.name) if c is not None else str(v) for c, v in zip(found, value, strict=True)
        )
    empty, given = _VALUE_WORDS.get(name, (f"no {name}", f"{name} {{!r}}"))
    if value is None or value == "":
        return empty
    if isinstance(value, float):
        value = hours_text(value) if name.endswith("hours") else f"{value:g}"
    return given.format(value)


def _audit(actor: Actor, at: Any, action: str, entity_id: int | None, **detail: Any) -> dict[str, Any]:
    return {"at": at, "actor_id": actor.member_id, "action": action, "entity": "course",
            "entity_id": entity_id, "detail": detail}  # fmt: skip


__all__ = ["FIELDS", "CourseImport", "add_course", "edit_course", "get_course", "import_courses"]
