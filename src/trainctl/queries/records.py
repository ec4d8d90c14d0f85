"""Training records on the read side: listings with filters, one record with its credits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from trainctl.domain.lookup import as_id
from trainctl.errors import NotFoundError, PermissionDeniedError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import Reader, as_bool, as_date, as_float, as_utc, required

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "training_record": (
        "id", "member_id", "course_id", "course_code", "course_name", "training_type", "category",
        "topic", "completion_date", "expiration_date", "hours_completed", "status", "score",
        "passed", "instructor", "location", "self_paced", "source_file", "source_line",
        "created_at", "created_by", "voided_at", "voided_by", "void_reason",
    ),
    "member": ("id", "name", "email"),
    "progress_credit": ("progress_id", "source_type", "source_id", "amount", "category", "item",
                        "state", "entered_on", "entered_at"),
    "requirement_progress": ("id", "enrollment_id", "program_requirement_id"),
    "enrollment": ("id", "member_id"),
    "program_requirement": ("id", "requirement_id"),
    "requirement": ("id", "name"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A record as every command shows it (the JSON shape, keys in this order)."""

    id: int
    member_id: int
    member: str
    email: str
    course_id: int | None
    course_code: str | None
    course_name: str
    training_type: str | None
    category: str | None
    topic: str | None
    completion_date: date | None
    expiration_date: date | None
    hours: float
    status: str
    score: float | None
    passed: bool | None
    instructor: str | None
    location: str | None
    self_paced: bool
    source_file: str | None
    source_line: int | None
    created_at: datetime
    created_by: int | None
    voided_at: datetime | None
    voided_by: int | None
    void_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_SELECT = (
    "SELECT r.id, r.member_id, m.name, m.email, r.course_id, r.course_code, r.course_name, "
    "r.training_type, r.category, r.topic, r.completion_date, r.expiration_date, "
    "r.hours_completed, r.status, r.score, r.passed, r.instructor, r.location, r.self_paced, "
    "r.source_file, r.source_line, r.created_at, r.created_by, r.voided_at, r.voided_by, "
    "r.void_reason FROM training_record r JOIN member m ON m.id = r.member_id"
)


def _record(r: Sequence[Any]) -> RecordRow:
    return RecordRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], as_date(r[10]),
        as_date(r[11]), as_float(r[12]) or 0.0, r[13], as_float(r[14]), as_bool(r[15]), r[16],
        r[17], bool(r[18]), r[19], r[20], required(as_utc(r[21])), r[22], as_utc(r[23]), r[24], r[25],
    )


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which records a listing shows (`record list`'s options): the one place for them,
    taken by `each_record` and `list_records` alike."""

    member_id: int | None = None
    course_id: int | None = None
    course_name: str | None = None  # a free course name (records of no catalog course)
    start: date | None = None  # completion dates from, through
    end: date | None = None
    topic: str | None = None
    include_void: bool = False


EVERY = RecordFilter()


def each_record(
    rd: Reader, actor: Actor, filters: RecordFilter = EVERY, *, limit: int | None = None
) -> Iterator[RecordRow]:
    """The records `filters` pick, newest first (at most `limit`), one at a time as read:
    a file of a department's half a million records is written without holding them all
    (`record list --format csv` held 1 GB for 500,000). The acting member's permission is
    checked at the call, before a row is read; a member without training.view_all sees
    only their own."""
    return _read(rd, _where(rd, actor, filters), limit)


def list_records(
    rd: Reader, actor: Actor, filters: RecordFilter = EVERY, *, limit: int | None = None
) -> tuple[list[RecordRow], int]:
    """`each_record`'s records as a list, and how many match (counted when `limit` cut
    them short)."""
    found = _where(rd, actor, filters)
    rows = list(_read(rd, found, limit))
    if found is None or limit is None or len(rows) < limit:
        return rows, len(rows)
    where, params = found
    counted = rd.one(f"SELECT count(*) FROM training_record r WHERE {where}", params)
    return rows, int(counted[0]) if counted else len(rows)


def _read(rd: Reader, found: tuple[str, dict[str, Any]] | None, limit: int | None) -> Iterator[RecordRow]:
    if found is None:
        return iter(())
    where, params = found
    sql = f"{_SELECT} WHERE {where} ORDER BY r.completion_date DESC, r.id DESC"
    if limit is not None:
        sql += " LIMIT :limit"
        params = {**params, "limit": limit}
    return map(_record, rd.rows(sql, params))


def _where(rd: Reader, actor: Actor, f: RecordFilter) -> tuple[str, dict[str, Any]] | None:
    """The listing's WHERE clause and its parameters (the acting member's permission
    applied), or None when no record can match (a topic no record is filed under)."""
    member_id = f.member_id
    if not actor.can(VIEW_ALL):
        if member_id is not None and not actor.is_self(member_id):
            raise PermissionDeniedError(
                f"{actor.name} ({actor.role}) may only see their own training records.",
                "Leave out --member to list yours.",
            )
        member_id = actor.member_id
    conds: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if member_id is not None:
        conds.append("r.member_id = :member")
        params["member"] = member_id
    if f.course_id is not None:
        conds.append("r.course_id = :course")
        params["course"] = f.course_id
    elif f.course_name is not None:
        # a free course name by its natural key (case and spaces aside, as imports match it)
        from trainctl.domain.records import course_key

        conds.append("r.course_key = :course_key")
        params["course_key"] = course_key(None, f.course_name)
    if f.start is not None:
        conds.append("r.completion_date >= :start")
        params["start"] = f.start.isoformat()
    if f.end is not None:
        conds.append("r.completion_date <= :end")
        params["end"] = f.end.isoformat()
    if not f.include_void:
        conds.append("r.voided_at IS NULL")
    if f.topic is not None:
        filed = _filed_under(rd, " AND ".join(conds), params, f.topic)
        if not filed:
            return None
        conds.append(filed)
    return " AND ".join(conds), params


def _filed_under(rd: Reader, where: str, params: dict[str, Any], topic: str) -> str | None:
    """The condition for `--topic`: the records a requirement counting that category
    counts (domain.credit.files_under: category, topic or "category/topic", case, spaces,
    underscores and hyphens aside), as exact (category, topic) pairs found among the
    pairs the other filters leave (a few), or None when no record is filed under it."""
    from trainctl.domain.credit import files_under
    from trainctl.domain.progress import category_key

    keys = {category_key(topic)} - {""}
    pairs = [
        (c, t)
        for c, t in rd.all(f"SELECT DISTINCT r.category, r.topic FROM training_record r WHERE {where}", params)
        if files_under(c, t, keys)
    ]
    out = []
    for i, (c, t) in enumerate(pairs):
        params[f"cat_{i}"], params[f"top_{i}"] = c, t
        cat = f"r.category = :cat_{i}" if c is not None else "r.category IS NULL"
        top = f"r.topic = :top_{i}" if t is not None else "r.topic IS NULL"
        out.append(f"({cat} AND {top})")
    return "(" + " OR ".join(out) + ")" if out else None


def get_record(rd: Reader, actor: Actor, ref: str) -> RecordRow:
    number = as_id(ref)
    row = rd.one(f"{_SELECT} WHERE r.id = :id", {"id": number}) if number is not None else None
    if row is None:
        raise NotFoundError(
            f"No training record {ref.strip()!r}.", "`trainctl record list` shows their ids."
        )
    record = _record(row)
    actor.require_self_or(
        record.member_id, VIEW_ALL, "see other members' training records",
        "see their own training records",
    )  # fmt: skip
    return record


@dataclass(frozen=True, slots=True)
class CreditRow:
    progress_id: int
    enrollment_id: int
    requirement: str
    amount: float
    category: str | None
    item: str | None
    state: str
    entered_on: date | None  # the effective date (the --as-of date it was entered under,
    entered_at: datetime  # else the department's day); entered_at is the time of writing
    reversal: bool

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def record_credits(rd: Reader, record: RecordRow) -> list[CreditRow]:
    """The ledger entries this record wrote (its credits, and their reversals if void),
    found through the member's progress rows (the ledger's unique key)."""
    rows = rd.all(
        "SELECT c.progress_id, rp.enrollment_id, q.name, c.amount, c.category, c.item, c.state, "
        "c.entered_on, c.entered_at, c.source_id FROM enrollment e "
        "JOIN requirement_progress rp ON rp.enrollment_id = e.id "
        "JOIN progress_credit c ON c.progress_id = rp.id "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
        "JOIN requirement q ON q.id = pr.requirement_id "
        "WHERE e.member_id = :member AND c.source_type = 'training_record' "
        # its own entries, its void's and a requirement edit's re-credits ("<id>:recredit:<n>")
        "AND (c.source_id = :id OR c.source_id LIKE :derived) ORDER BY c.progress_id, c.entered_at, c.id",
        {"member": record.member_id, "id": str(record.id), "derived": f"{record.id}:%"},
    )
    return [
        CreditRow(p, e, n, float(a), cat, item, st, as_date(on), required(as_utc(at)),
                  sid.endswith(":void"))
        for p, e, n, a, cat, item, st, on, at, sid in rows
    ]
