"""The rows a progress change reads and writes (requirement_progress, enrollment, the
requirement behind a link), as plain typed values loaded by SQL (services/store.py): no ORM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trainctl.domain import progress as dp
from trainctl.queries import as_date, as_json, as_utc, chunks, in_list, required
from trainctl.services.store import Writer


@dataclass
class ProgressRow:
    id: int
    enrollment_id: int
    program_requirement_id: int
    status: str
    status_override: str | None
    override_reason: str | None
    progress_value: float
    progress_percentage: float
    due_on: date | None
    started_at: datetime | None
    completed_at: datetime | None
    verified_by: int | None
    verified_at: datetime | None
    verified_on: date | None
    completed_on: date | None


_PROGRESS = (
    "SELECT id, enrollment_id, program_requirement_id, status, status_override, "
    "override_reason, progress_value, progress_percentage, due_on, started_at, completed_at, "
    "verified_by, verified_at, verified_on, completed_on FROM requirement_progress"
)


def _progress(r: Sequence[Any]) -> ProgressRow:
    return ProgressRow(
        r[0], r[1], r[2], r[3], r[4], r[5], float(r[6]), float(r[7]), as_date(r[8]),
        as_utc(r[9]), as_utc(r[10]), r[11], as_utc(r[12]), as_date(r[13]), as_date(r[14]),
    )  # fmt: skip


def progress_rows(w: Writer, ids: Sequence[int]) -> list[ProgressRow]:
    out: list[ProgressRow] = []
    for part in chunks(list(ids)):
        sql, params = in_list("p", part)
        out += [_progress(r) for r in w.all(f"{_PROGRESS} WHERE id IN {sql}", params)]
    return out


def progress_row(w: Writer, progress_id: int) -> ProgressRow:
    return _progress(required(w.one(f"{_PROGRESS} WHERE id = :id", {"id": progress_id})))


@dataclass
class EnrollmentRow:
    id: int
    member_id: int
    program_id: int
    status: str
    progress_percentage: float
    current_phase_id: int | None
    phase_started_on: date | None
    enrolled_on: date | None = None


_ENROLLMENT = (
    "SELECT id, member_id, program_id, status, progress_percentage, current_phase_id, "
    "phase_started_on, enrolled_on FROM enrollment"
)


def _enrollment(r: Sequence[Any]) -> EnrollmentRow:
    return EnrollmentRow(r[0], r[1], r[2], r[3], float(r[4]), r[5], as_date(r[6]), as_date(r[7]))


def enrollment_rows(w: Writer, ids: Sequence[int]) -> list[EnrollmentRow]:
    out: list[EnrollmentRow] = []
    for part in chunks(list(ids)):
        sql, params = in_list("e", part)
        out += [_enrollment(r) for r in w.all(f"{_ENROLLMENT} WHERE id IN {sql} ORDER BY id", params)]
    return out


def enrollment_row(w: Writer, enrollment_id: int) -> EnrollmentRow:
    return _enrollment(required(w.one(f"{_ENROLLMENT} WHERE id = :id", {"id": enrollment_id})))


@dataclass
class RequirementRow:
    """A requirement as the measuring rules see it (dp.Target.of reads these attributes)."""

    id: int
    name: str
    requirement_type: str
    required_hours: float | None
    required_shifts: int | None
    required_calls: int | None
    required_courses: list[Any]
    credential_code: str | None
    required_skills: list[Any]
    checklist_items: list[Any]
    hour_categories: list[Any]


REQUIREMENT_COLUMNS = "r.id, r.name, " + ", ".join(f"r.{f}" for f in dp.TARGET_FIELDS)


def requirement_of(r: Sequence[Any]) -> RequirementRow:
    """From a row selected with REQUIREMENT_COLUMNS (JSON columns decoded)."""
    values = list(r)
    for i, name in enumerate(dp.TARGET_FIELDS, start=2):
        if name in dp.TARGET_JSON:
            values[i] = as_json(values[i]) or []
    return RequirementRow(*values)
