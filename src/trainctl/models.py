"""SQLModel tables: one module, as SQLModel advises.

Rules that keep the data honest (DESIGN §2) live here as constraints, so that no code path
can get around them: CHECK-constrained enumerations, non-negative figures, positive targets,
declared and indexed foreign keys, partial unique indexes. History is never deleted by a
cascade: records, credits and checkoffs survive a deleted course or requirement.

Timestamps are timezone-aware UTC (stored as UTC, returned aware); calendar dates are dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from trainctl.domain.progress import ENROLLMENT_STATUSES

# (the requirement vocabulary lives in domain/: the schemas check it without the ORM)
from trainctl.domain.vocabulary import (
    FREQUENCIES,
    PERIOD_ANCHORS,
    REQUIREMENT_SOURCES,
    REQUIREMENT_TYPES,
)

# Must be set before the first table class, or batch mode cannot drop SQLite's unnamed
# constraints later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime that refuses naive values and always comes back timezone-aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: trainctl stores timezone-aware UTC timestamps")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _ts(nullable: bool = True, **kw: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, **kw)


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_type=sa.JSON, nullable=False)


# Partial indexes name their condition once, with `_where(...)`: SQLite's keyword at
# import, PostgreSQL's when a schema is created there (`postgres_partial_indexes`).
# Declaring `postgresql_where` on the classes made SQLAlchemy import its PostgreSQL dialect
# (every driver's module, 25-45 ms of CPU) to check the keyword, on every write on SQLite
# (bench/writes.py --imports). The migrations spell both keywords, as before.
def _where(condition: str) -> dict[str, Any]:
    """`sa.Index(..., **_where("voided_at IS NULL"))`: a partial index on both backends."""
    return {"sqlite_where": sa.text(condition)}


def postgres_partial_indexes(metadata: sa.MetaData) -> None:
    """Every index declared with `_where` gets the same condition as `postgresql_where`
    (which loads the dialect): before a schema is created on PostgreSQL (below), and in the
    migrations' env.py, so that autogenerate writes both keywords. Without it PostgreSQL
    would build those indexes whole: a second open enrollment, or a voided record's natural
    key, refused."""
    for table in metadata.tables.values():
        for index in table.indexes:
            condition = index.dialect_options["sqlite"]["where"]
            if condition is not None:
                index.dialect_options["postgresql"]["where"] = condition


@sa.event.listens_for(SQLModel.metadata, "before_create")
def _before_create(metadata: sa.MetaData, connection: sa.Connection, **_: Any) -> None:
    if connection.dialect.name == "postgresql":  # create_all there (db.create_schema)
        postgres_partial_indexes(metadata)


# Identity ignoring case (and spaces, for requirements) as real unique indexes on both
# backends, the same expressions the services compare by (services/requirements.key_sql,
# schemas/members lower-cases emails): migration 0007_ci_unique. The department scope is
# registry_name NULL, folded to '' so that all department requirements share one scope.
# SQLite does not reflect expression indexes: a later batch rebuild of `requirement` or
# `member` must create these again (tests/test_postgres_schema.py checks the names on both).
def _key(column: str) -> str:
    return f"lower(replace({column}, ' ', ''))"


CI_INDEXES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    # name: (table, expressions, partial-index predicate)
    "uq_requirement_name_ci": (
        "requirement", (_key("coalesce(registry_name, '')"), _key("name")), None,
    ),
    "uq_requirement_registry_code_ci": (
        "requirement", (_key("coalesce(registry_name, '')"), _key("registry_code")),
        "registry_code IS NOT NULL",
    ),
    "uq_member_email_ci": ("member", ("lower(email)",), None),
}  # fmt: skip


def _ci_indexes(table: str) -> list[sa.Index]:
    out = []
    for name, (tbl, exprs, cond) in CI_INDEXES.items():
        if tbl == table:
            pred = {} if cond is None else _where(cond)
            out.append(sa.Index(name, *(sa.text(e) for e in exprs), unique=True, **pred))
    return out


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# ---------------------------------------------------------------------------- enumerations
ROLES = ("officer", "member")
MEMBER_STATUSES = ("active", "inactive")
POSITION_NAMES = {
    "probationary": "Probationary firefighter",
    "firefighter": "Firefighter",
    "driver_candidate": "Driver/operator candidate",
    "driver": "Driver/operator",
    "officer": "Officer",
    "aic": "AIC (attendant in charge)",
    "emr": "EMR (emergency medical responder)",
    "emt": "EMT",
    "aemt": "AEMT (advanced EMT)",
    "paramedic": "Paramedic",
    "instructor": "Instructor",
    "aerial_operator": "Aerial operator",  # migration 0019
    "chief_officer": "Chief officer",
}
BUILTIN_POSITIONS = tuple(POSITION_NAMES)
RECORD_STATUSES = ("scheduled", "in_progress", "completed", "cancelled", "failed")
STRUCTURE_TYPES = ("flexible", "sequential", "phases")
PROGRAM_STATUSES = ("draft", "active", "archived")  # draft: being built, not enrollable
PROGRESS_STATUSES = ("not_started", "in_progress", "completed", "waived")
PROGRESS_OVERRIDES = ("completed", "waived")
# the progress rows a reminder can still be about (ix_requirement_progress_open_due)
OPEN_DUE = "due_on IS NOT NULL AND status NOT IN ('completed', 'waived')"
CREDIT_SOURCES = (
    "manual", "training_record", "shift", "call", "skill_checkoff", "checklist_item",
    "waiver", "self_report", "course", "skill", "certification", "checklist_signoff",
)  # fmt: skip
CHECKOFF_STATUSES = ("pending", "passed", "failed", "needs_retest")
CREDIT_STATES = ("counted", "pending", "rejected")


# ------------------------------------------------------------------------ issue 2: catalog
class _Table(SQLModel):
    """The base of every table class: its pydantic validator and serializer are built on
    first use (`defer_build`), not at import. A table class is made with keyword arguments
    (SQLModel does not validate table models on `__init__`), so a write that never calls
    `model_validate`/`model_dump` on a table class never builds one; building all 27 at
    import cost every write command about 20 ms of CPU (bench/writes.py). Behaviour is
    unchanged: the first `model_validate` or `model_dump` builds that class's schema."""

    model_config = SQLModelConfig(defer_build=True)


class Position(_Table, table=True):
    """Positions a member can hold and a requirement can target. Built-ins are seeded."""

    code: str = Field(primary_key=True, max_length=40)
    name: str
    is_builtin: bool = Field(default=False)


class Member(_Table, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES), name="role"),
        sa.CheckConstraint(_in("status", MEMBER_STATUSES), name="status"),
        *_ci_indexes("member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str = Field(unique=True, index=True)
    badge: str | None = Field(default=None, unique=True, index=True)
    positions: list[str] = _json(list)
    role: str = Field(default="member")
    status: str = Field(default="active")
    hire_date: date | None = None
    certification_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    updated_at: datetime | None = _ts()


class MemberHistory(_Table, table=True):
    """A member's positions and status over time (issue 9, "as of any date"): one row per
    change, with the department day it took effect and the UTC time it was written. The
    member as of a day D is their row with the latest effective day on or before D (the
    latest written wins a tie); before their first row, their first row
    (queries/members.states_as_of). Written by every change of positions or status
    (services/members.py, services/member_import.py); never deleted, and never edited but
    for the day of a member's first rows (`start_earlier`, `follow_hire_date`)."""

    __tablename__ = "member_history"
    __table_args__ = (
        sa.CheckConstraint(_in("status", MEMBER_STATUSES), name="status"),
        sa.Index("ix_member_history_member_effective", "member_id", "effective_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT")
    effective_on: date
    positions: list[str] = _json(list)
    status: str
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    recorded_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)


class Course(_Table, table=True):
    """The course catalog (spec: TrainingCourse). `category` is the topic or category a
    requirement may count (`Requirement.counts_categories`); `self_paced` marks
    distributive education (capped by NREMT-style hour categories)."""

    __table_args__ = (
        sa.CheckConstraint("duration_hours IS NULL OR duration_hours >= 0", name="duration_hours"),
        sa.CheckConstraint("credit_hours IS NULL OR credit_hours >= 0", name="credit_hours"),
        sa.CheckConstraint("expiration_months IS NULL OR expiration_months > 0", name="expiration_months"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, unique=True, index=True)
    name: str
    training_type: str | None = None
    category: str | None = None  # topic / category ("structural_firefighting", "national/airway")
    duration_hours: float | None = None
    credit_hours: float | None = None
    prerequisites: list[int] = _json(list)  # course ids
    expiration_months: int | None = None
    self_paced: bool = False  # distributive (self-paced) education
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    updated_at: datetime | None = _ts()


class TrainingRecord(_Table, table=True):
    """A member's training history (spec: TrainingRecord). Nothing deletes a record: a void
    keeps it, stamps who/when/why and reverses its credit.

    Natural key (idempotent imports): member + course identity (`course_key`: "course:ID"
    for a catalog course, else "name:" + the free name folded) + completion date, unique
    among records that are not void."""

    __tablename__ = "training_record"
    __table_args__ = (
        sa.CheckConstraint(_in("status", RECORD_STATUSES), name="status"),
        sa.CheckConstraint("hours_completed >= 0", name="hours_completed"),
        sa.Index(
            "uq_training_record_natural_key",
            "member_id",
            "course_key",
            "completion_date",
            unique=True,
            **_where("voided_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT", index=True)
    course_id: int | None = Field(default=None, foreign_key="course.id", ondelete="SET NULL", index=True)
    course_name: str
    course_code: str | None = None
    course_key: str = ""  # natural-key part: "course:12" or "name:ladder drill"
    training_type: str | None = None
    category: str | None = None
    topic: str | None = None
    completion_date: date | None = Field(default=None, index=True)
    expiration_date: date | None = None
    hours_completed: float = 0
    status: str = "completed"
    score: float | None = None
    passed: bool | None = None
    instructor: str | None = None
    location: str | None = None
    self_paced: bool = False
    source_file: str | None = None  # the sign-in sheet it came from (file name), and its line
    source_line: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    voided_at: datetime | None = _ts()
    voided_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    void_reason: str | None = None


class Requirement(_Table, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("requirement_type", REQUIREMENT_TYPES), name="requirement_type"),
        sa.CheckConstraint(_in("source", REQUIREMENT_SOURCES), name="source"),
        sa.CheckConstraint(_in("frequency", FREQUENCIES), name="frequency"),
        sa.CheckConstraint(_in("period_anchor", PERIOD_ANCHORS), name="period_anchor"),
        sa.CheckConstraint("required_hours IS NULL OR required_hours > 0", name="required_hours"),
        sa.CheckConstraint("required_shifts IS NULL OR required_shifts > 0", name="required_shifts"),
        sa.CheckConstraint("required_calls IS NULL OR required_calls > 0", name="required_calls"),
        sa.CheckConstraint("time_limit_days IS NULL OR time_limit_days > 0", name="time_limit_days"),
        sa.CheckConstraint("period_months IS NULL OR period_months > 0", name="period_months"),
        sa.Index(
            "uq_requirement_registry_code",
            "registry_name",
            "registry_code",
            unique=True,
            **_where("registry_code IS NOT NULL"),
        ),
        *_ci_indexes("requirement"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    description: str | None = None
    requirement_type: str
    source: str = "department"
    registry_name: str | None = Field(default=None, index=True)
    registry_code: str | None = None
    # Where the figure comes from: "NFPA 1500 (2021 edition), 5.1.1" or "department default".
    source_document: str | None = None
    aliases: list[str] = _json(list)
    is_editable: bool = True
    required_hours: float | None = None
    required_shifts: int | None = None
    required_calls: int | None = None
    # Course codes for `courses`; a credential / course code for `certification`.
    required_courses: list[str] = _json(list)
    credential_code: str | None = None
    required_skills: list[Any] = _json(list)
    checklist_items: list[Any] = _json(list)
    # Per-category minimums and caps for hours (NREMT NCCP components and topics):
    # [{"name": "national", "min_hours": 20, "max_hours": null, "topics": [...]}, ...]
    hour_categories: list[Any] = _json(list)
    frequency: str = "one_time"
    period_months: int | None = None  # for frequency "rolling"
    period_anchor: str = "calendar"
    time_limit_days: int | None = None
    required_positions: list[str] = _json(list)  # empty: applies to everyone
    # What counts (the credit feed, services/credit_feed.py), explicit, never a loose match:
    # hours: completed training records of these course codes, training types or
    # topics/categories (any of the three lists), and shift hours when counts_attendance;
    # calls: responses to calls of these types (empty: every call); shifts: attendance.
    # courses / certification / skills_evaluation use their targets (course codes,
    # credential code, skills) as what counts.
    counts_courses: list[str] = _json(list)
    counts_training_types: list[str] = _json(list)
    counts_categories: list[str] = _json(list)
    counts_call_types: list[str] = _json(list)
    counts_attendance: bool = False
    # A fixed cycle end, "MM-DD" (NREMT NCCP: 03-31 for EMT, AEMT and Paramedic, 09-30 for
    # EMR), and the credential whose card's expiry places the member's cycle. Registry NREMT
    # levels get theirs from domain/periods.cycle_end_for; a department copy stores them
    # (migration 0014), so `requirement add --from NREMT-EMT` keeps the 31 March cycle.
    cycle_end: str | None = None
    cycle_credential: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    updated_at: datetime | None = _ts()
    updated_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    # The department day it was entered: the --as-of day of the command that wrote it (add,
    # import, program apply), else the department's today. Its history starts there: a
    # change in force from that day or earlier replaces what it was entered as, and no
    # version is kept for days before it (services/requirements.keep_history). NULL: entered
    # before migration 0018, day unknown (its history is kept as written, as before).
    entered_on: date | None = None
    # Retired (`requirement retire`, migration 0024): from `retired_on` (a department day)
    # nobody is judged by it; reports as of earlier days judge it as before
    # (queries/requirements.retirement). NULL: in force.
    retired_on: date | None = None
    retired_reason: str | None = None


class RequirementHistory(_Table, table=True):
    """What a requirement judged before it was changed (issue 9, "as of any date"): one row
    per change of what it judges (queries/requirements.HISTORY_FIELDS: its targets, what counts,
    frequency, window, positions), holding the values it had and the last department day
    they were in force. The requirement as of a day D is the row with the earliest
    `in_force_until` on or after D (the first written wins a tie), else the requirement as it
    stands (queries/compliance.specs_on). Written by `requirement edit` (from --effective)
    and `import --update` (from the import's day), only for days since the requirement was
    entered (Requirement.entered_on: services/requirements.keep_history); re-dated only by
    `requirement edit REQ --effective DAY` alone (services/requirements._redate), which
    removes the versions a day on or before the entry day replaces (the audit log keeps
    them); never deleted otherwise. A requirement never changed has no row: the current row
    is its whole history."""

    __tablename__ = "requirement_history"
    __table_args__ = (sa.Index("ix_requirement_history_until", "requirement_id", "in_force_until"),)

    id: int | None = Field(default=None, primary_key=True)
    requirement_id: int = Field(foreign_key="requirement.id", ondelete="RESTRICT")
    in_force_until: date
    stood: dict[str, Any] = _json(dict)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    recorded_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)


class AuditLog(_Table, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    action: str  # e.g. "member.add", "requirement.edit", "import.registry"
    entity: str
    entity_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = _json(dict)


class Setting(_Table, table=True):
    key: str = Field(primary_key=True)
    value: str


# ----------------------------------------------------------------------- issue 3: programs
class Program(_Table, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("structure_type", STRUCTURE_TYPES), name="structure_type"),
        sa.CheckConstraint(_in("status", PROGRAM_STATUSES), name="status"),
        sa.CheckConstraint("version >= 1", name="version"),
        sa.CheckConstraint("time_limit_days IS NULL OR time_limit_days > 0", name="time_limit_days"),
        sa.CheckConstraint("warning_days_before IS NULL OR warning_days_before >= 0", name="warning_days_before"),
        sa.UniqueConstraint("name", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    description: str | None = None
    version: int = 1
    # The first program of a line of versions (one name): a copy under the same name is of its
    # source's line, one under a new name starts its own (services/programs/lifecycle.py).
    lineage_id: int | None = Field(default=None, foreign_key="program.id", ondelete="SET NULL", index=True)
    derived_from_id: int | None = Field(default=None, foreign_key="program.id", ondelete="SET NULL", index=True)
    target_position: str | None = None
    structure_type: str = "flexible"
    allows_concurrent_enrollment: bool = True
    time_limit_days: int | None = None
    warning_days_before: int | None = None
    reminder_conditions: dict[str, Any] = _json(dict)
    is_template: bool = False
    status: str = "active"
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    updated_at: datetime | None = _ts()


class ProgramPrerequisite(_Table, table=True):
    """Program `program_id` requires program `prerequisite_id` completed first."""

    __tablename__ = "program_prerequisite"
    __table_args__ = (sa.CheckConstraint("program_id <> prerequisite_id", name="not_self"),)

    program_id: int = Field(foreign_key="program.id", ondelete="CASCADE", primary_key=True)
    prerequisite_id: int = Field(foreign_key="program.id", ondelete="RESTRICT", primary_key=True, index=True)


class ProgramPhase(_Table, table=True):
    __tablename__ = "program_phase"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "phase_number"),
        sa.CheckConstraint("phase_number >= 1", name="phase_number"),
        sa.CheckConstraint("time_limit_days IS NULL OR time_limit_days > 0", name="time_limit_days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", ondelete="CASCADE", index=True)
    phase_number: int
    name: str
    description: str | None = None
    requires_manual_advancement: bool = False
    time_limit_days: int | None = None


class PhasePrerequisite(_Table, table=True):
    __tablename__ = "phase_prerequisite"
    __table_args__ = (sa.CheckConstraint("phase_id <> prerequisite_phase_id", name="not_self"),)

    phase_id: int = Field(foreign_key="program_phase.id", ondelete="CASCADE", primary_key=True)
    prerequisite_phase_id: int = Field(
        foreign_key="program_phase.id", ondelete="CASCADE", primary_key=True, index=True
    )


class ProgramRequirement(_Table, table=True):
    __tablename__ = "program_requirement"
    __table_args__ = (
        sa.CheckConstraint("custom_deadline_days IS NULL OR custom_deadline_days > 0", name="custom_deadline_days"),
        # The same requirement only once per scope (program level, or one phase).
        sa.Index(
            "uq_program_requirement_program_scope",
            "program_id",
            "requirement_id",
            unique=True,
            **_where("phase_id IS NULL"),
        ),
        sa.Index(
            "uq_program_requirement_phase_scope",
            "phase_id",
            "requirement_id",
            unique=True,
            **_where("phase_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", ondelete="CASCADE", index=True)
    phase_id: int | None = Field(default=None, foreign_key="program_phase.id", ondelete="CASCADE", index=True)
    requirement_id: int = Field(foreign_key="requirement.id", ondelete="RESTRICT", index=True)
    is_required: bool = True
    is_prerequisite: bool = False
    sort_order: int = 0
    program_specific_description: str | None = None
    custom_deadline_days: int | None = None
    notification_message: str | None = None


class ProgramMilestone(_Table, table=True):
    __tablename__ = "program_milestone"
    __table_args__ = (
        sa.CheckConstraint(
            "completion_percentage_threshold >= 0 AND completion_percentage_threshold <= 100",
            name="threshold",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", ondelete="CASCADE", index=True)
    phase_id: int | None = Field(default=None, foreign_key="program_phase.id", ondelete="CASCADE", index=True)
    name: str
    description: str | None = None
    completion_percentage_threshold: float
    notification_message: str | None = None
    requires_verification: bool = False


# -------------------------------------------------------------- issue 4: enrollment/progress
class Enrollment(_Table, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("status", ENROLLMENT_STATUSES), name="status"),
        sa.CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100", name="progress_percentage"
        ),
        # At most one active-or-on-hold enrollment per member and program.
        sa.Index(
            "uq_enrollment_open",
            "member_id",
            "program_id",
            unique=True,
            **_where("status IN ('active', 'on_hold')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT", index=True)
    program_id: int = Field(foreign_key="program.id", ondelete="RESTRICT", index=True)
    program_version: int  # pinned at enrollment; a new program version moves nobody
    enrolled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    enrolled_on: date  # the department's calendar date of enrollment (deadline anchor)
    enrolled_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    target_completion_date: date | None = None
    current_phase_id: int | None = Field(
        default=None, foreign_key="program_phase.id", ondelete="SET NULL", index=True
    )
    phase_started_on: date | None = None
    progress_percentage: float = 0
    status: str = Field(default="active", index=True)
    status_reason: str | None = None
    completed_at: datetime | None = _ts()  # when it was written (real time, audit)
    # the day the work that completed it was done: the latest completion day of its
    # required rows (the rollup sets it with completed_at, clears it on reopening; 0020).
    # What reads show as "completed on"; NULL while not completed.
    completed_on: date | None = None
    deadline_warning_sent: bool = False
    updated_at: datetime | None = _ts()
    # The effective date (progress_credit.entered_on) of the latest credit on any of its
    # progress rows; None: none yet. Derived, kept by the rollup (services/progress/
    # rollup.py) that follows every credit written: the inactivity reminders read it
    # from an index instead of grouping the last weeks' credits (0012).
    last_activity_on: date | None = None
    # The department's day of the last `enroll resume` (NULL: never): the rollup takes it
    # into last_activity_on, so the time on hold is not a quiet stretch of the member's.
    resumed_on: date | None = None


class RequirementProgress(_Table, table=True):
    __tablename__ = "requirement_progress"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "program_requirement_id"),
        sa.CheckConstraint(_in("status", PROGRESS_STATUSES), name="status"),
        sa.CheckConstraint(
            "status_override IS NULL OR " + _in("status_override", PROGRESS_OVERRIDES),
            name="status_override",
        ),
        sa.CheckConstraint("progress_value >= 0", name="progress_value"),
        sa.CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100", name="progress_percentage"
        ),
        # Reminder scans (deadlines, the officers' digest) want only the open rows with a
        # due date (most rows have none, most past ones are done), index-only (revision
        # 0010): their WHERE repeats OPEN_DUE word for word, or SQLite ignores the index.
        sa.Index(
            "ix_requirement_progress_open_due",
            "due_on",
            "enrollment_id",
            "program_requirement_id",
            **_where(OPEN_DUE),
        ),
        # the rows a link added to a program in use made (few): the assignment reminders'
        # range (revision 0015)
        sa.Index(
            "ix_requirement_progress_assigned",
            "assigned_on",
            **_where("assigned_on IS NOT NULL"),
        ),
    )

    # Bulk enrollment writes one row here per member and requirement (200,000 for a class
    # of 5,000 in a 40-requirement program), so every index on this table is paid per row.
    # The unique (enrollment_id, program_requirement_id) key serves the reads that start
    # from an enrollment. Those that start from a link need program_requirement_id first:
    # the FK check when a link is deleted (a full scan without it: 191 ms at 2M rows) and
    # re-measuring every row of an edited requirement. So it is indexed too (revision
    # 0004), although bulk enrollment pays for it per row. The requirement is reached
    # through the link (program_requirement.requirement_id), never stored twice.
    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", ondelete="CASCADE")
    program_requirement_id: int = Field(
        foreign_key="program_requirement.id", ondelete="RESTRICT", index=True
    )
    status: str = "not_started"
    status_override: str | None = None  # waived / officer-marked complete
    override_reason: str | None = None
    progress_value: float = 0  # derived: sum of counted credits (or checked items, courses ...)
    progress_percentage: float = 0  # derived
    # scope start (enrollment, or the phase's start) + custom_deadline_days / time_limit_days;
    # NULL until a phase's requirements start. Stored so reminder scans are one indexed query.
    due_on: date | None = None
    # the day a link added to a program in use gave this enrollment the row (NULL: the
    # scope's start, the enrollment or its phase): the notification message's day
    assigned_on: date | None = None
    started_at: datetime | None = _ts()
    completed_at: datetime | None = _ts()  # when it was written (real time, audit)
    # the effective day it was completed: the day of the credit that completed it, as its
    # ledger shows it (services/progress/ledger.recompute sets it with completed_at, and
    # clears it when the row reopens; 0020). NULL while not done.
    completed_on: date | None = None
    verified_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    verified_at: datetime | None = _ts()  # when it was written (real time)
    # the effective date (the department's day, or the --as-of date): what reads and windows use
    verified_on: date | None = None


class ProgressCredit(_Table, table=True):
    """The ledger: numeric progress is the sum of counted credits, never edited in place."""

    __tablename__ = "progress_credit"
    __table_args__ = (
        sa.UniqueConstraint("progress_id", "source_type", "source_id"),
        sa.CheckConstraint(_in("source_type", CREDIT_SOURCES), name="source_type"),
        sa.CheckConstraint(_in("state", CREDIT_STATES), name="state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No separate progress_id index: the unique (progress_id, source_type, source_id) key
    # leads with it and serves every lookup by row (and the FK); feeds write a credit per
    # record and requirement, so each index is paid per credit.
    progress_id: int = Field(foreign_key="requirement_progress.id", ondelete="CASCADE")
    source_type: str
    source_id: str  # idempotency key within the source (record id, uuid for manual entries)
    amount: float = 0  # negative entries reverse earlier credit
    category: str | None = None
    item: str | None = None  # checklist item / course code / skill for set-valued requirements
    note: str | None = None
    state: str = "counted"  # self-reported credit is "pending" until an officer verifies it
    entered_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # The effective date (the department's day of writing, or the --as-of date), which reads
    # and windows use; entered_at stays the real time of writing. Every writer sets it (the
    # progress writer's _Row.credit, the feed's _write); NULL only if a writer forgot.
    entered_on: date | None = None
    verified_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    verified_at: datetime | None = _ts()
    verified_on: date | None = None  # effective date of the verification


class MilestoneEvent(_Table, table=True):
    __tablename__ = "milestone_event"
    __table_args__ = (sa.UniqueConstraint("enrollment_id", "milestone_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", ondelete="CASCADE", index=True)
    milestone_id: int = Field(foreign_key="program_milestone.id", ondelete="CASCADE", index=True)
    reached_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    reached_on: date | None = None  # effective date (department day or --as-of) reads use
    progress_at_reach: float = 0
    verified_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    verified_at: datetime | None = _ts()
    verified_on: date | None = None  # effective date of the verification


# ---------------------------------------------------------- issue 8: records and sources
class Certification(_Table, table=True):
    """A member's credential card: code (matched exactly: BLS never satisfies ACLS), number,
    issued, expires (NULL: no expiry; valid through its expiry day). The latest expiry of
    the same credential decides, whatever order the cards were entered in."""

    __table_args__ = (
        sa.CheckConstraint("expires_on IS NULL OR expires_on >= issued_on", name="expires_on"),
        sa.Index(
            "uq_certification_natural_key",
            "member_id",
            "credential_code",
            "issued_on",
            unique=True,
            **_where("voided_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT", index=True)
    credential_code: str = Field(index=True)
    name: str | None = None
    number: str | None = None
    issuer: str | None = None
    issued_on: date
    expires_on: date | None = None
    course_id: int | None = Field(default=None, foreign_key="course.id", ondelete="SET NULL", index=True)
    source_file: str | None = None
    source_line: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    voided_at: datetime | None = _ts()
    voided_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    void_reason: str | None = None


class SkillEvaluation(_Table, table=True):
    """A skill members are checked off on (spec: SkillEvaluation)."""

    __tablename__ = "skill_evaluation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    category: str | None = None  # Firefighting, EMS, Driver, Officer
    description: str | None = None
    evaluation_criteria: list[Any] = _json(list)
    passing_requirements: str | None = None
    required_for_programs: list[int] = _json(list)  # program ids
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    updated_at: datetime | None = _ts()


class SkillCheckoff(_Table, table=True):
    """One evaluation of a member on a skill; history is kept (a retest is a new row).
    The evaluator is never the member (checked by the service, and here)."""

    __tablename__ = "skill_checkoff"
    __table_args__ = (
        sa.CheckConstraint(_in("status", CHECKOFF_STATUSES), name="status"),
        sa.CheckConstraint("evaluator_id IS NULL OR evaluator_id <> member_id", name="not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT", index=True)
    skill_id: int = Field(foreign_key="skill_evaluation.id", ondelete="RESTRICT", index=True)
    evaluator_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    status: str = "pending"
    evaluation_results: dict[str, Any] = _json(dict)
    evaluated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    evaluated_on: date = Field(index=True)  # the department's calendar date of the evaluation
    notes: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    voided_at: datetime | None = _ts()
    voided_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    void_reason: str | None = None


class ChecklistSignoff(_Table, table=True):
    """A checklist item signed off for a member outside any program (`trainctl checklist
    check`, 0022): the NFPA 1582 physical of 12 March, owed by position, not by an
    enrollment. It counts in compliance from `checked_on` (the --as-of day, else the
    department's) until `unchecked_on` (`checklist uncheck`: from that day on it no longer
    counts; a report of an earlier day still counts it). Kept, never deleted."""

    __tablename__ = "checklist_signoff"
    __table_args__ = (
        # the compliance read (a member's sign-offs) and the duplicate check (member,
        # requirement, day); the FK on member_id is served by it
        sa.Index("ix_checklist_signoff_member", "member_id", "requirement_id", "checked_on"),
        sa.CheckConstraint("unchecked_on IS NULL OR unchecked_on >= checked_on", name="unchecked_after"),
        sa.CheckConstraint("checked_by IS NULL OR checked_by <> member_id", name="not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT")
    requirement_id: int = Field(foreign_key="requirement.id", ondelete="RESTRICT", index=True)
    item: str  # as the checklist spells it
    checked_on: date  # the effective day: the --as-of day, else the department's
    note: str | None = None
    checked_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    unchecked_on: date | None = None  # from this day on it no longer counts
    unchecked_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    unchecked_at: datetime | None = _ts()
    uncheck_note: str | None = None


class Shift(_Table, table=True):
    """A shift worked at a station (spec: Shift). Natural key: date, station, shift name."""

    __table_args__ = (sa.UniqueConstraint("shift_date", "station", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_date: date = Field(index=True)
    station: str = ""
    name: str = ""  # "A", "B", "day", ... ("" when the department names none)
    starts_at: datetime | None = _ts()
    ends_at: datetime | None = _ts()
    apparatus: str | None = None
    officer_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    activities: list[Any] = _json(list)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)


class ShiftAttendance(_Table, table=True):
    """A member on a shift. Instants are stored as aware UTC (given with their UTC offset),
    so the duration comes from the instants: a 24-hour shift across a DST change is 23
    or 25 hours."""

    __tablename__ = "shift_attendance"
    __table_args__ = (
        # one live attendance per member and shift: a void one may be entered again
        sa.Index(
            "uq_shift_attendance_natural_key", "shift_id", "member_id", unique=True,
            **_where("voided_at IS NULL"),
        ),
        sa.CheckConstraint("duration_minutes >= 0", name="duration_minutes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", ondelete="RESTRICT", index=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT", index=True)
    checked_in_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    checked_out_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    duration_minutes: int = 0  # derived from the instants when written
    source_file: str | None = None
    source_line: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    voided_at: datetime | None = _ts()
    voided_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    void_reason: str | None = None


class Call(_Table, table=True):
    """An incident (spec: ShiftCall). `shift_date` is the shift it was worked on (a call
    after midnight belongs to the shift date before it); `occurred_at` the instant."""

    id: int | None = Field(default=None, primary_key=True)
    incident_number: str = Field(unique=True, index=True)
    shift_date: date = Field(index=True)
    occurred_at: datetime | None = _ts()
    call_type: str | None = None
    shift_id: int | None = Field(default=None, foreign_key="shift.id", ondelete="SET NULL", index=True)
    cancelled_en_route: bool = False
    medical_refusal: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)


class CallResponse(_Table, table=True):
    """One responding member of a call (one row per responder)."""

    __tablename__ = "call_response"
    __table_args__ = (
        # one live response per member and call: a void one may be entered again
        sa.Index(
            "uq_call_response_natural_key", "call_id", "member_id", unique=True,
            **_where("voided_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", ondelete="RESTRICT", index=True)
    member_id: int = Field(foreign_key="member.id", ondelete="RESTRICT", index=True)
    role: str | None = None
    source_file: str | None = None
    source_line: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    voided_at: datetime | None = _ts()
    voided_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    void_reason: str | None = None
    # The call's shift date, time and type when this response was voided (NULL: live): a
    # call whose responses are all void may be corrected (services/shifts), and a void
    # response is listed as it was, not under the corrected call's values (0020).
    void_shift_date: date | None = None
    void_occurred_at: datetime | None = _ts()
    void_call_type: str | None = None


# ----------------------------------------------------------------------- issue 10: reminders
REMINDER_STATUSES = ("claimed", "sent", "failed")


class ReminderLog(_Table, table=True):
    """The reminder outbox: one row per reminder key, claimed before sending, marked after.

    The key (kind, item, recipient, threshold) is unique, so a reminder is claimed once
    (INSERT ... ON CONFLICT DO NOTHING) whatever happens: a row marked 'sent' is never sent
    again; 'failed' and 'claimed' rows (a refused recipient, a run killed mid-batch) are
    retried by the next run while they are still due. See services/reminders.py.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (
        sa.UniqueConstraint("kind", "item", "recipient_id", "threshold"),
        sa.CheckConstraint(_in("status", REMINDER_STATUSES), name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
        # The next run looks for what is still open; most rows are 'sent'.
        sa.Index(
            "ix_reminder_log_open",
            "status",
            **_where("status <> 'sent'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # program_deadline, phase_deadline, requirement_deadline, inactive, ...
    item: str  # what it is about, as ids: "enrollment:12/due:2026-03-01"
    recipient_id: int = Field(foreign_key="member.id", ondelete="RESTRICT", index=True)
    threshold: str  # "30d", "7d", "0d", "overdue", "reached", "since:2026-01-02", ...
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", index=True)
    due_on: date  # the day the threshold was crossed
    to_addr: str
    title: str  # the message's Subject line
    message_id: str  # stable for the key: a re-sent copy carries the same Message-ID
    status: str = "claimed"
    attempts: int = 0
    run_id: str | None = None
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = _ts()
    answer: str | None = None  # the server's answer to the accepted message
    error: str | None = None  # the last failure, as the server (or the network) said it


# Reminder scans are indexed range queries (DESIGN §7): each kind of reminder reads only
# the rows whose date falls in its window. Declared here, with the reminders, so that the
# tables above stay as their own issues wrote them.
_ACTIVE = "status = 'active'"
sa.Index(
    "ix_enrollment_active_target",
    Enrollment.__table__.c.target_completion_date,  # type: ignore[attr-defined]
    **_where(_ACTIVE),
)
sa.Index(
    "ix_enrollment_active_phase",
    Enrollment.__table__.c.current_phase_id,  # type: ignore[attr-defined]
    Enrollment.__table__.c.phase_started_on,  # type: ignore[attr-defined]
    **_where(_ACTIVE),
)
sa.Index(
    "ix_enrollment_active_program_enrolled",
    Enrollment.__table__.c.program_id,  # type: ignore[attr-defined]
    Enrollment.__table__.c.enrolled_on,  # type: ignore[attr-defined]
    **_where(_ACTIVE),
)
# (program_id, last_activity_on): the active enrollments of a program quiet since a day,
# for the inactivity reminders (0012)
sa.Index(
    "ix_enrollment_active_program_activity",
    Enrollment.__table__.c.program_id,  # type: ignore[attr-defined]
    Enrollment.__table__.c.last_activity_on,  # type: ignore[attr-defined]
    **_where(_ACTIVE),
)
# the enrollments resumed lately: their rows linked while on hold are news from the
# resume (the assignment reminders, 0015)
sa.Index(
    "ix_enrollment_resumed",
    Enrollment.__table__.c.resumed_on,  # type: ignore[attr-defined]
    **_where("resumed_on IS NOT NULL"),
)
# milestones announced by their effective dates (0011)
sa.Index("ix_milestone_event_reached_on", MilestoneEvent.__table__.c.reached_on)  # type: ignore[attr-defined]
sa.Index(
    "ix_certification_expiring",
    Certification.__table__.c.expires_on,  # type: ignore[attr-defined]
    **_where("voided_at IS NULL AND expires_on IS NOT NULL"),
)
sa.Index(
    "ix_milestone_event_verified_on",
    MilestoneEvent.__table__.c.verified_on,  # type: ignore[attr-defined]
    **_where("verified_on IS NOT NULL"),
)
