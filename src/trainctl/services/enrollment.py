"""Enrollment: one validator shared by single and bulk enrollment, views and lifecycle.

The spec's seven steps (program exists, prerequisites, concurrency, target date, initial
phase, enrollment, one progress row per program requirement) run set-based: a few queries
for the whole batch and bulk INSERTs, whether the batch holds one member or five thousand.
`enroll_member` is the same validator for a batch of one, then the ORM (it returns the
objects the CLI shows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.domain import progress as dp
from trainctl.errors import (
    BadInputError,
    NotFoundError,
    PermissionDeniedError,
    RefusedError,
    UsageError,
)
from trainctl.models import (
    Enrollment,
    Member,
    PhasePrerequisite,
    Program,
    ProgramPhase,
    ProgramPrerequisite,
    ProgramRequirement,
    Requirement,
    RequirementProgress,
    utcnow,
)
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, VIEW_ALL, Actor

OPEN = ("active", "on_hold")
CHUNK = 5000  # bound IN-lists (SQLite and PostgreSQL both cap bound parameters)

PREREQ_MESSAGE = "User has not completed prerequisite program"
CONCURRENT_MESSAGE = "User is already enrolled in another program. This program does not allow concurrent enrollment."


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ------------------------------------------------------------------------------- programs
def get_program(session: Session, ref: str | int) -> Program:
    """id, "Name" (its newest active version) or "Name@2" (services.programs owns the rules)."""
    from trainctl.services.programs import get_program as programs_get

    return programs_get(session, ref)


def check_program_enrollable(program: Program) -> None:
    label = f"'{program.name}' v{program.version}"
    if program.is_template:
        raise RefusedError(
            f"Program {label} is a template; members enroll in programs, not templates.",
            f"Duplicate it first: `trainctl program duplicate {program.id} --name ...`.",
        )
    if program.status == "archived":
        raise RefusedError(
            f"Program {label} is archived and takes no new enrollments.",
            "Enroll members in its newest version (`trainctl program list`).",
        )
    if program.status != "active":
        raise RefusedError(
            f"Program {label} is a {program.status}; it takes enrollments once activated.",
            f"Activate it: `trainctl program activate {program.id}`.",
        )


# ------------------------------------------------------------------------------ validator
@dataclass
class Request:
    """One member to enroll: where it came from (for messages) and how it was named."""

    where: str  # "line 4", "item 2", "member"
    ref: str
    kind: str = "member"  # member (id, email or badge) | email | badge | id
    target_date: date | None = None
    member: Any = None  # a Member, or a row with its id, name, email, badge and status
    problem: str | None = None  # set when the reference is ambiguous


@dataclass
class Outcome:
    where: str
    ref: str
    member_id: int | None = None
    member_name: str | None = None
    enrollment_id: int | None = None
    refused: str | None = None  # the reason, when refused
    duplicate_of: str | None = None  # "line 2", when the row repeats an earlier one

    @property
    def ok(self) -> bool:
        return self.refused is None and self.duplicate_of is None


@dataclass
class BulkResult:
    program: Program
    outcomes: list[Outcome] = field(default_factory=list)
    progress_rows: int = 0
    written: bool = False

    @property
    def enrolled(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.refused is not None]


def _kind_and_ref(r: Request) -> tuple[str, str]:
    """`id:12`, `email:...`, `badge:12` say which is meant (as services.members.get_member)."""
    ref = r.ref.strip()
    kind, sep, rest = ref.partition(":")
    if r.kind == "member" and sep and kind.strip().lower() in ("id", "email", "badge"):
        return kind.strip().lower(), rest.strip()
    return r.kind, ref


def resolve_members(session: Session, requests: Sequence[Request]) -> None:
    """Set-based: find every named member in a few queries (id, email, badge)."""
    parsed = [_kind_and_ref(r) for r in requests]
    ids = sorted({int(ref) for kind, ref in parsed if kind in ("member", "id") and ref.isdigit()})
    emails = sorted(
        {ref.lower() for kind, ref in parsed if kind in ("member", "email") and "@" in ref}
    )
    badges = sorted({ref for kind, ref in parsed if kind in ("member", "badge") and ref})
    by_id: dict[int, Member] = {}
    by_email: dict[str, Member] = {}
    by_badge: dict[str, Member] = {}
    for column, values in ((Member.id, ids), (Member.email, emails), (Member.badge, badges)):
        for part in chunks(values):
            found_rows = session.exec(
                select(Member.id, Member.name, Member.email, Member.badge, Member.status).where(
                    col(column).in_(part)
                )
            )
            for m in found_rows:  # light rows (id, name, email, badge, status), not ORM objects
                by_id[m.id] = m  # type: ignore[index]
                by_email[m.email.lower()] = m
                if m.badge is not None:
                    by_badge[m.badge] = m
    for r, (kind, ref) in zip(requests, parsed, strict=True):
        found = None
        if kind == "id":
            found = by_id.get(int(ref)) if ref.isdigit() else None
        elif kind == "email":
            found = by_email.get(ref.lower())
        elif kind == "badge":
            found = by_badge.get(ref)
        elif ref.isdigit():
            one, other = by_id.get(int(ref)), by_badge.get(ref)
            if one is not None and other is not None and one.id != other.id:
                r.problem = (
                    f"{ref!r} is member {one.id}'s id ({one.name}) and also the badge of member "
                    f"{other.id} ({other.name}); write id:{ref} or badge:{ref}."
                )
            found = one or other
        elif "@" in ref:
            found = by_email.get(ref.lower())
        else:
            found = by_badge.get(ref)
        r.member = None if r.problem else found


def _accepted_prerequisites(session: Session, program: Program) -> dict[int, tuple[str, set[int]]]:
    """prerequisite program id -> (label, ids of every version in its line that counts)."""
    prereq_ids = list(
        session.exec(
            select(ProgramPrerequisite.prerequisite_id).where(
                ProgramPrerequisite.program_id == program.id
            )
        )
    )
    if not prereq_ids:
        return {}
    prereqs = list(session.exec(select(Program).where(col(Program.id).in_(prereq_ids))))
    lines = {p.lineage_id or p.id for p in prereqs}
    family = list(
        session.exec(
            select(Program.id, Program.lineage_id).where(
                sa.or_(col(Program.id).in_(lines), col(Program.lineage_id).in_(lines))
            )
        )
    )
    out: dict[int, tuple[str, set[int]]] = {}
    for p in prereqs:
        line = p.lineage_id or p.id
        ids = {pid for pid, lid in family if pid == line or lid == line} | {p.id}
        out[p.id] = (f"'{p.name}'", ids)  # type: ignore[index]
    return out


@dataclass(frozen=True)
class Refusal:
    """Why a member may not enroll: the message (the spec's wording where it has one), the
    hint for a single enrollment, and the detail a bulk report adds to the message."""

    reason: str
    hint: str
    detail: str = ""

    @property
    def line(self) -> str:
        """The reason as one line of a bulk report."""
        return f"{self.reason} {self.detail}".strip()


def validate(session: Session, program: Program, requests: Sequence[Request]) -> dict[int, Refusal]:
    """The one validator for single and bulk enrollment, set-based over the batch.

    Returns {index in requests: Refusal} for every refused request; members must be
    resolved. "Already enrolled" compares program lines, not ids: a member open in any
    version of the program (same lineage) is refused.
    """
    refused: dict[int, Refusal] = {}
    member_ids = sorted({r.member.id for r in requests if r.member is not None})  # type: ignore[misc]
    open_rows: list[tuple[int, int, int, str, int, bool, int | None]] = []
    for part in chunks(member_ids):
        open_rows.extend(
            session.exec(
                select(
                    Enrollment.member_id,
                    Enrollment.id,
                    Enrollment.program_id,
                    Program.name,
                    Program.version,
                    Program.allows_concurrent_enrollment,
                    Program.lineage_id,
                )
                .join(Program, col(Program.id) == Enrollment.program_id)
                .where(col(Enrollment.status).in_(OPEN), col(Enrollment.member_id).in_(part))
            )  # type: ignore[arg-type]
        )
    # (enrollment id, program id, name, version, allows concurrent, lineage)
    open_by_member: dict[int, list[tuple[int, int, str, int, bool, int]]] = {}
    for mid, eid, pid, name, version, concurrent, lineage in open_rows:
        open_by_member.setdefault(mid, []).append(
            (eid, pid, name, version, concurrent, lineage or pid)
        )
    line = program.lineage_id or program.id

    prereqs = _accepted_prerequisites(session, program)
    completed: dict[int, set[int]] = {}
    if prereqs:
        accepted = sorted(set().union(*(ids for _, ids in prereqs.values())))
        for part in chunks(member_ids):
            for mid, pid in session.exec(
                select(Enrollment.member_id, Enrollment.program_id).where(
                    Enrollment.status == "completed",
                    col(Enrollment.program_id).in_(accepted),
                    col(Enrollment.member_id).in_(part),
                )
            ):
                completed.setdefault(mid, set()).add(pid)

    for i, r in enumerate(requests):
        m = r.member
        if m is None:
            refused[i] = Refusal(
                r.problem or f"No member {r.ref!r} (give an id, email or badge number).",
                "`trainctl member list` shows members with their ids, emails and badges.",
            )
            continue
        if m.status != "active":
            refused[i] = Refusal(
                f"{m.name} is inactive; only active members can enroll.",
                f"Reactivate the member first: `trainctl member edit {m.id} --status active`.",
            )
            continue
        mine = open_by_member.get(m.id, [])  # type: ignore[arg-type]
        same = [o for o in mine if o[5] == line]
        if same:
            eid, pid, name, version = same[0][:4]
            hint = f"`trainctl enroll user {m.id}` lists {m.name}'s enrollments."
            if pid != program.id:
                hint = (
                    f"Enrollments stay on the version they were made on; to move {m.name} to "
                    f"v{program.version}, withdraw enrollment {eid} first (`trainctl enroll withdraw {eid}`)."
                )
            refused[i] = Refusal(
                f"{m.name} is already enrolled in '{name}' (v{version}, enrollment {eid}).", hint
            )
            continue
        missing = [
            label for pid, (label, ids) in prereqs.items() if not completed.get(m.id, set()) & ids
        ]  # type: ignore[arg-type]
        if missing:
            refused[i] = Refusal(
                f"{PREREQ_MESSAGE} {', '.join(missing)}.",
                f"Complete the prerequisite program first (`trainctl enroll user {m.id}` shows "
                f"{m.name}'s enrollments).",
            )
            continue
        others = [o for o in mine if o[5] != line]
        if others and not program.allows_concurrent_enrollment:
            names = ", ".join(f"'{o[2]}' v{o[3]} (enrollment {o[0]})" for o in others)
            refused[i] = Refusal(
                CONCURRENT_MESSAGE,
                f"{m.name} is enrolled in {names}: withdraw or complete it first, or allow "
                f"concurrent enrollment on '{program.name}'.",
                detail=f"(enrolled in {names})",
            )
            continue
        exclusive = [o for o in others if not o[4]]
        if exclusive:
            o = exclusive[0]
            refused[i] = Refusal(
                f"User is enrolled in '{o[2]}' v{o[3]}, which does not allow concurrent enrollment.",
                f"{m.name} is in enrollment {o[0]}: withdraw or complete it first "
                f"(`trainctl enroll show {o[0]}`).",
            )
            continue
    return refused


# -------------------------------------------------------------------------------- shaping
@dataclass(frozen=True)
class Plan:
    """What every enrollment in `program` starts with (computed once per batch)."""

    program: Program
    links: list[tuple[int, int, int | None, int | None, int | None]]
    # (link id, requirement id, phase id, custom_deadline_days, requirement time_limit_days)
    initial_phase_id: int | None


def plan(session: Session, program: Program) -> Plan:
    links = list(
        session.exec(
            select(
                ProgramRequirement.id,
                ProgramRequirement.requirement_id,
                ProgramRequirement.phase_id,
                ProgramRequirement.custom_deadline_days,
                Requirement.time_limit_days,
            )
            .join(Requirement, col(Requirement.id) == ProgramRequirement.requirement_id)
            .where(ProgramRequirement.program_id == program.id)
            .order_by(col(ProgramRequirement.sort_order), col(ProgramRequirement.id))
        )  # type: ignore[arg-type]
    )
    if not links:
        raise RefusedError(
            f"Program '{program.name}' has no requirements; there is nothing to enroll in.",
            f"Add one: `trainctl program requirement add {program.id} REQUIREMENT`.",
        )
    initial = None
    if program.structure_type == "phases":
        initial_p = dp.initial_phase(load_phases(session, program.id))
        initial = initial_p.id if initial_p else None
    return Plan(program=program, links=links, initial_phase_id=initial)  # type: ignore[arg-type]


def load_phases(session: Session, program_id: int) -> list[dp.Phase]:
    phases = list(session.exec(select(ProgramPhase).where(ProgramPhase.program_id == program_id)))
    if not phases:
        return []
    pre: dict[int, set[int]] = {}
    for pid, prid in session.exec(
        select(PhasePrerequisite.phase_id, PhasePrerequisite.prerequisite_phase_id).where(
            col(PhasePrerequisite.phase_id).in_([p.id for p in phases])
        )
    ):
        pre.setdefault(pid, set()).add(prid)
    return [
        dp.Phase(
            id=p.id,  # type: ignore[arg-type]
            number=p.phase_number,
            name=p.name,
            requires_manual_advancement=p.requires_manual_advancement,
            prerequisite_ids=frozenset(pre.get(p.id, set())),  # type: ignore[arg-type]
        )
        for p in phases
    ]


def _due(
    plan_: Plan, link: tuple[int, int, int | None, int | None, int | None], enrolled_on: date
) -> date | None:
    """Due date of a link at enrollment: program-level and initial-phase links start now."""
    _, _, phase_id, custom, limit = link
    if phase_id is not None and phase_id != plan_.initial_phase_id:
        return None  # starts when its phase starts
    return dp.requirement_deadline(enrolled_on, custom, limit)


def target_date_for(program: Program, enrolled_on: date, explicit: date | None) -> date | None:
    if explicit is not None and explicit < enrolled_on:
        raise BadInputError(
            f"The target date {explicit.isoformat()} is before the enrollment date {enrolled_on.isoformat()}.",
            "Give a target date on or after the enrollment date, or leave it out to use the program's time limit.",
        )
    return dp.enrollment_target(enrolled_on, program.time_limit_days, explicit)


# --------------------------------------------------------------------------- single enroll
def enroll_member(
    session: Session,
    actor: Actor,
    member: Member,
    program: Program,
    *,
    today: date,
    target_date: date | None = None,
) -> Enrollment:
    """Enroll one member: the shared validator for a batch of one, then the ORM."""
    actor.require(MANAGE, "enroll members")
    check_program_enrollable(program)
    target = target_date_for(program, today, target_date)
    request = Request(where="member", ref=str(member.id), member=member)
    refused = validate(session, program, [request])
    if refused:
        raise RefusedError(refused[0].reason, refused[0].hint)
    p = plan(session, program)
    now = utcnow()
    enrollment = Enrollment(
        member_id=member.id,  # type: ignore[arg-type]
        program_id=program.id,  # type: ignore[arg-type]
        program_version=program.version,
        enrolled_at=now,
        enrolled_on=today,
        enrolled_by=actor.member_id,
        target_completion_date=target,
        current_phase_id=p.initial_phase_id,
        phase_started_on=today if p.initial_phase_id is not None else None,
    )
    session.add(enrollment)
    session.flush()
    session.add_all(
        RequirementProgress(
            enrollment_id=enrollment.id,  # type: ignore[arg-type]
            program_requirement_id=link[0],
            due_on=_due(p, link, today),
        )
        for link in p.links
    )
    audit(
        session,
        actor,
        "enrollment.add",
        "enrollment",
        enrollment.id,
        member_id=member.id,
        program_id=program.id,
    )
    session.flush()
    return enrollment


# ----------------------------------------------------------------------------- bulk enroll
def bulk_enroll(
    session: Session,
    actor: Actor,
    program: Program,
    requests: Sequence[Request],
    *,
    today: date,
    target_date: date | None = None,
    all_or_nothing: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> BulkResult:
    """Validate the whole batch set-based, then bulk INSERT enrollments and progress rows.

    Never a query or a commit per member: members are resolved in a few IN queries, the
    validator runs once for the batch, enrollments go in one executemany, their ids come
    back by (member, program) in chunked SELECTs, and progress rows go in by INSERT ... SELECT.
    """
    actor.require(MANAGE, "enroll members")
    check_program_enrollable(program)
    default_target = target_date_for(program, today, target_date)
    result = BulkResult(program=program)
    resolve_members(session, requests)
    refused = validate(session, program, requests)
    seen: dict[int, str] = {}
    accepted: list[Request] = []
    for i, r in enumerate(requests):
        name = r.member.name if r.member else None
        mid = r.member.id if r.member else None
        outcome = Outcome(where=r.where, ref=r.ref, member_id=mid, member_name=name)
        if i in refused:
            outcome.refused = refused[i].line
        elif r.target_date is not None and r.target_date < today:
            outcome.refused = f"target date {r.target_date.isoformat()} is before the enrollment date {today.isoformat()}."
        elif mid in seen:
            outcome.duplicate_of = seen[mid]  # type: ignore[index]
        else:
            seen[mid] = r.where  # type: ignore[index]
            accepted.append(r)
        result.outcomes.append(outcome)
    p = plan(session, program)
    result.progress_rows = len(accepted) * len(p.links)
    if dry_run or not accepted or (all_or_nothing and result.refused):
        return result

    now = utcnow()
    cols = (
        "member_id", "program_id", "program_version", "enrolled_at", "enrolled_on", "enrolled_by",
        "target_completion_date", "current_phase_id", "phase_started_on", "progress_percentage",
        "status", "deadline_warning_sent",
    )  # fmt: skip
    phase_start = today if p.initial_phase_id is not None else None
    enrollment_rows = [
        (r.member.id, program.id, program.version, now, today, actor.member_id,  # type: ignore[union-attr]
         r.target_date or default_target, p.initial_phase_id, phase_start, 0.0, "active", False)
        for r in accepted
    ]  # fmt: skip
    conn = session.connection()
    enrollment_t = Enrollment.__table__  # type: ignore[attr-defined]
    BulkInsert(conn, enrollment_t, cols).execute(enrollment_rows)
    # The new ids by the key the partial unique index enforces: one open enrollment per
    # (member, program). The validator refused every member already open in the program,
    # so each open row found here is one just inserted (no reliance on the clock).
    # INSERT ... RETURNING through insertmanyvalues would also do, but measured 2.5-3x
    # slower than this executemany for the enrollment rows (bench/bulk_enroll.py sizes).
    new_ids: dict[int, int] = {}
    for part in chunks([r.member.id for r in accepted]):  # type: ignore[union-attr]
        new_ids.update(
            conn.execute(
                sa.select(enrollment_t.c.member_id, enrollment_t.c.id).where(
                    enrollment_t.c.program_id == program.id,
                    enrollment_t.c.member_id.in_(part),
                    enrollment_t.c.status.in_(OPEN),
                )
            ).all()
        )
    if len(new_ids) != len(accepted):  # pragma: no cover - the partial unique index guards this
        raise RefusedError(
            "Bulk enrollment lost track of the new enrollments; nothing was written."
        )
    insert_progress_rows(conn, p, [new_ids[r.member.id] for r in accepted], today, on_progress)  # type: ignore[union-attr]
    for o in result.outcomes:
        if o.ok:
            o.enrollment_id = new_ids[o.member_id]  # type: ignore[index]
    audit(
        session,
        actor,
        "enrollment.bulk",
        "program",
        program.id,
        enrolled=len(accepted),
        refused=len(result.refused),
        progress_rows=result.progress_rows,
    )
    result.written = True
    return result


def _bind_processor(type_: Any, dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    """The bind processor SQLAlchemy itself applies: the dialect's implementation of the
    type (on SQLite, DATE and DATETIME become ISO strings here, not in pysqlite's
    deprecated per-row adapters)."""
    return type_.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]


class BulkInsert:
    """executemany of plain tuples, with the dialect's own INSERT text and bind processors.

    Core's executemany builds a parameter dict per row, which costs as much as SQLite's
    own insert work; here the statement is compiled once by SQLAlchemy for whichever
    dialect is connected (qmark for SQLite, named for PostgreSQL), type processors are
    applied per column only where the dialect needs one (dates and timestamps on SQLite),
    and the rows go straight to the DBAPI cursor's executemany.
    """

    def __init__(self, conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> None:
        self.conn = conn
        self.columns = list(columns)
        dialect = conn.dialect
        stmt = sa.insert(table).values({c: sa.bindparam(c) for c in self.columns})
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        order = list(compiled.positiontup or []) if self.positional else self.columns
        self.order = [self.columns.index(k) for k in order]
        self.procs = [
            (i, proc)
            for i, c in enumerate(self.columns)
            if (proc := _bind_processor(table.c[c].type, dialect)) is not None
        ]

    def process(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """Apply the type processors to one row (use it for values shared by many rows)."""
        values = list(row)
        for i, proc in self.procs:
            values[i] = proc(values[i])
        return tuple(values)

    def execute(self, rows: Sequence[tuple[Any, ...]], *, processed: bool = False) -> None:
        if not rows:
            return
        if not processed and self.procs:
            rows = [self.process(r) for r in rows]
        if self.positional:
            if self.order != list(range(len(self.columns))):
                rows = [tuple(r[i] for i in self.order) for r in rows]
            self.conn.exec_driver_sql(self.sql, list(rows))
        else:
            self.conn.exec_driver_sql(
                self.sql, [dict(zip(self.columns, r, strict=True)) for r in rows]
            )


def insert_progress_rows(
    conn: sa.Connection,
    p: Plan,
    enrollment_ids: Sequence[int],
    enrolled_on: date,
    on_progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = 40_000,
) -> int:
    """One progress row per (new enrollment, program link), made inside the database.

    INSERT ... SELECT crosses the new enrollments with the program's links, each link's
    due date given as a CASE on its id, so SQLite builds the rows itself: about twice the
    speed of handing it the same rows through executemany (bench/bulk_enroll.py). Chunked
    by enrollment so a progress bar can follow; rows go in (enrollment, link) order, the
    order of the unique key.
    """
    if not enrollment_ids or not p.links:
        return 0
    e = Enrollment.__table__  # type: ignore[attr-defined]
    pr = ProgramRequirement.__table__  # type: ignore[attr-defined]
    rp = RequirementProgress.__table__  # type: ignore[attr-defined]
    dues = {link[0]: _due(p, link, enrolled_on) for link in p.links}
    due_on = (
        sa.case(
            *(
                (pr.c.id == lid, sa.literal(d, rp.c.due_on.type))
                for lid, d in dues.items()
                if d is not None
            ),
            else_=sa.null(),
        )
        if any(d is not None for d in dues.values())
        else sa.null()
    )
    per_chunk = max(1, chunk_rows // len(p.links))
    ids = sorted(enrollment_ids)
    total = len(ids) * len(p.links)
    done = 0
    for part in chunks(ids, per_chunk):
        rows = (
            sa.select(
                e.c.id,
                pr.c.id,
                sa.literal("not_started"),
                sa.literal(0.0),
                sa.literal(0.0),
                due_on,
            )
            .select_from(e.join(pr, sa.true()))
            .where(e.c.id.between(part[0], part[-1]), e.c.id.in_(part), pr.c.id.in_(list(dues)))
            .order_by(e.c.id, pr.c.id)
        )
        conn.execute(
            rp.insert().from_select(
                ["enrollment_id", "program_requirement_id", "status", "progress_value",
                 "progress_percentage", "due_on"],
                rows,
            )
        )  # fmt: skip
        done += len(part) * len(p.links)
        if on_progress:
            on_progress(done, total)
    return done


# ---------------------------------------------------------------------------------- views
@dataclass
class EnrollmentRow:
    id: int
    member_id: int
    member: str
    program_id: int
    program: str
    version: int
    status: str
    progress: float
    enrolled_on: date
    target_date: date | None
    current_phase: str | None


def _listing(session: Session, *conds: Any) -> list[EnrollmentRow]:
    stmt = (
        select(
            Enrollment.id,
            Enrollment.member_id,
            Member.name,
            Enrollment.program_id,
            Program.name,
            Enrollment.program_version,
            Enrollment.status,
            Enrollment.progress_percentage,
            Enrollment.enrolled_on,
            Enrollment.target_completion_date,
            ProgramPhase.phase_number,
            ProgramPhase.name,
        )
        .join(Member, col(Member.id) == Enrollment.member_id)
        .join(Program, col(Program.id) == Enrollment.program_id)
        .outerjoin(ProgramPhase, col(ProgramPhase.id) == Enrollment.current_phase_id)
        .where(*conds)
        .order_by(col(Member.name), col(Enrollment.enrolled_on), col(Enrollment.id))
    )
    return [
        EnrollmentRow(
            id=r[0],
            member_id=r[1],
            member=r[2],
            program_id=r[3],
            program=r[4],
            version=r[5],
            status=r[6],
            progress=float(round(r[7], 1)),
            enrolled_on=r[8],
            target_date=r[9],
            current_phase=f"{r[10]}. {r[11]}" if r[10] is not None else None,
        )
        for r in session.exec(stmt)  # type: ignore[call-overload]
    ]


def list_enrollments(
    session: Session,
    actor: Actor,
    *,
    program: str | None = None,
    member: str | None = None,
    status: str | None = None,
) -> list[EnrollmentRow]:
    """All enrollments (training.view_all), or only the acting member's own."""
    from trainctl.services.members import get_member

    conds: list[Any] = []
    if member is not None:
        m = get_member(session, member)
        actor.require_self_or(m.id, VIEW_ALL, "see another member's enrollments")  # type: ignore[arg-type]
        conds.append(Enrollment.member_id == m.id)
    elif not actor.can(VIEW_ALL):
        conds.append(Enrollment.member_id == actor.member_id)
    if program is not None:
        conds.append(Enrollment.program_id == get_program(session, program).id)
    if status is not None:
        conds.append(Enrollment.status == status)
    return _listing(session, *conds)


def my_enrollments(session: Session, actor: Actor) -> list[EnrollmentRow]:
    if actor.member_id is None:
        raise UsageError(
            "`enroll me` shows the acting member's enrollments, but no member is acting.",
            "Pass --as MEMBER (or set TRAINCTL_ACTOR), or use `trainctl enroll user MEMBER`.",
        )
    return _listing(session, Enrollment.member_id == actor.member_id)


def member_enrollments(session: Session, actor: Actor, ref: str) -> list[EnrollmentRow]:
    from trainctl.services.members import get_member

    m = get_member(session, ref)
    actor.require_self_or(m.id, VIEW_ALL, "see another member's enrollments")  # type: ignore[arg-type]
    return _listing(session, Enrollment.member_id == m.id)


def get_enrollment(session: Session, ref: str | int) -> Enrollment:
    text = str(ref).strip()
    enrollment = session.get(Enrollment, int(text)) if text.isdigit() else None
    if enrollment is None:
        raise NotFoundError(
            f"No enrollment {text!r}.",
            "Enrollments are named by id; `trainctl enroll list` shows them.",
        )
    return enrollment


def visible_enrollment(session: Session, actor: Actor, ref: str | int) -> Enrollment:
    enrollment = get_enrollment(session, ref)
    if actor.member_id != enrollment.member_id and not actor.can(VIEW_ALL):
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role}) may only see their own enrollments.",
            "`trainctl enroll me` lists yours.",
        )
    return enrollment


@dataclass
class ProgressLine:
    progress_id: int
    link_id: int
    requirement_id: int
    requirement: str
    requirement_type: str
    phase_id: int | None
    phase: str | None
    sort_order: int
    is_required: bool
    is_prerequisite: bool
    value: float
    target: float | None
    unit: str
    percentage: float  # effective: an override (waived, marked complete) counts as 100
    status: str
    override: str | None  # waived | completed (an officer's sign-off) | None
    measured_percentage: float  # value / target, whatever the override says
    due_on: date | None
    overdue: bool
    verified_by: str | None
    verified_at: datetime | None
    pending: int


UNITS = dp.UNITS  # the one table of units (domain/progress.py)


def progress_lines(session: Session, enrollment: Enrollment, today: date) -> list[ProgressLine]:
    """Every requirement of an enrollment, in program order (phase, then sort order)."""
    from trainctl.models import ProgressCredit

    verifier = sa.orm.aliased(Member)
    pending = (
        select(sa.func.count())
        .where(
            ProgressCredit.progress_id == RequirementProgress.id, ProgressCredit.state == "pending"
        )
        .scalar_subquery()
    )
    stmt = (
        select(
            RequirementProgress,
            ProgramRequirement,
            Requirement,
            ProgramPhase,
            verifier.name,
            pending,
        )
        .join(
            ProgramRequirement,
            col(ProgramRequirement.id) == RequirementProgress.program_requirement_id,
        )
        .join(Requirement, col(Requirement.id) == ProgramRequirement.requirement_id)
        .outerjoin(ProgramPhase, col(ProgramPhase.id) == ProgramRequirement.phase_id)
        .outerjoin(verifier, verifier.id == RequirementProgress.verified_by)
        .where(RequirementProgress.enrollment_id == enrollment.id)
        .order_by(
            sa.func.coalesce(ProgramPhase.phase_number, 0),
            col(ProgramRequirement.sort_order),
            col(ProgramRequirement.id),
        )
    )
    lines = []
    for rp, link, req, phase, verified_name, pending_n in session.exec(stmt):  # type: ignore[call-overload]
        target = dp.Target.of(req)
        lines.append(
            ProgressLine(
                progress_id=rp.id,
                link_id=link.id,
                requirement_id=req.id,
                requirement=req.name,
                requirement_type=req.requirement_type,
                phase_id=link.phase_id,
                phase=f"{phase.phase_number}. {phase.name}" if phase else None,
                sort_order=link.sort_order,
                is_required=link.is_required,
                is_prerequisite=link.is_prerequisite,
                value=rp.progress_value,
                target=target.target_value,
                unit=UNITS.get(req.requirement_type, ""),
                percentage=rp.progress_percentage,
                status=rp.status,
                override=rp.status_override,
                measured_percentage=dp.ratio_percentage(rp.progress_value, target.target_value),
                due_on=rp.due_on,
                overdue=dp.is_overdue(rp.due_on, rp.status, today),
                verified_by=verified_name,
                verified_at=rp.verified_at,
                pending=pending_n or 0,
            )
        )
    return lines


def enrollment_summary(session: Session, enrollment: Enrollment, today: date) -> dict[str, Any]:
    member = session.get(Member, enrollment.member_id)
    program = session.get(Program, enrollment.program_id)
    phase = (
        session.get(ProgramPhase, enrollment.current_phase_id)
        if enrollment.current_phase_id
        else None
    )
    by = session.get(Member, enrollment.enrolled_by) if enrollment.enrolled_by else None
    phase_due = (
        dp.phase_deadline(enrollment.phase_started_on, phase.time_limit_days) if phase else None
    )
    phase_overdue = False
    if phase_due is not None and enrollment.status == "active" and today > phase_due:
        # overdue while a required item of the current phase is still open
        open_items = session.exec(
            select(sa.func.count())
            .select_from(RequirementProgress)
            .join(
                ProgramRequirement,
                col(ProgramRequirement.id) == RequirementProgress.program_requirement_id,
            )
            .where(
                RequirementProgress.enrollment_id == enrollment.id,
                ProgramRequirement.phase_id == enrollment.current_phase_id,
                col(ProgramRequirement.is_required).is_(True),
                col(RequirementProgress.status).not_in(dp.DONE),
            )
        ).one()
        phase_overdue = bool(open_items)
    return {
        "id": enrollment.id,
        "member": member.name if member else None,
        "member_id": enrollment.member_id,
        "program": f"{program.name}" if program else None,
        "program_id": enrollment.program_id,
        "program_version": enrollment.program_version,
        "status": enrollment.status,
        "status_reason": enrollment.status_reason,
        "progress": float(round(enrollment.progress_percentage, 1)),
        "current_phase": f"{phase.phase_number}. {phase.name}" if phase else None,
        "phase_started_on": enrollment.phase_started_on,
        "phase_deadline": phase_due,
        "phase_overdue": phase_overdue,
        "enrolled_on": enrollment.enrolled_on,
        "enrolled_by": by.name
        if by
        else ("database owner" if enrollment.enrolled_by is None else None),
        "target_date": enrollment.target_completion_date,
        "overdue": bool(
            enrollment.status == "active"
            and enrollment.target_completion_date
            and today > enrollment.target_completion_date
        ),
        "completed_at": enrollment.completed_at,
    }


# ------------------------------------------------------------------------------ lifecycle
TRANSITIONS = {
    "hold": (("active",), "on_hold"),
    "resume": (("on_hold",), "active"),
    "withdraw": (("active", "on_hold"), "withdrawn"),
    "fail": (("active", "on_hold"), "failed"),
}


def change_status(
    session: Session,
    actor: Actor,
    enrollment: Enrollment,
    action: str,
    *,
    today: date,
    reason: str | None = None,
) -> tuple[Enrollment, list[str]]:
    """hold | resume | withdraw | fail. Returns the enrollment and what else happened.

    On hold an enrollment takes no credit, overrides or verification (services.progress).
    Resuming catches up with whatever changed meanwhile (a requirement's target, say):
    rows re-measured, rolled up, phases advanced and milestones fired, as after any credit.
    """
    actor.require(MANAGE, f"{action} enrollments")
    allowed, new = TRANSITIONS[action]
    if enrollment.status not in allowed:
        verb = {
            "hold": "put on hold",
            "resume": "resumed",
            "withdraw": "withdrawn",
            "fail": "failed",
        }
        raise RefusedError(
            f"Enrollment {enrollment.id} is {enrollment.status.replace('_', ' ')}; only "
            f"{' or '.join(a.replace('_', ' ') for a in allowed)} enrollments can be {verb[action]}.",
            f"`trainctl enroll show {enrollment.id}` shows its status.",
        )
    old = enrollment.status
    enrollment.status = new
    enrollment.status_reason = reason
    enrollment.updated_at = utcnow()
    session.add(enrollment)
    session.flush()
    messages: list[str] = []
    if action == "resume":
        from trainctl.services.progress import refresh

        progress_ids = list(
            session.exec(
                select(RequirementProgress.id).where(
                    RequirementProgress.enrollment_id == enrollment.id
                )
            )
        )
        events = refresh(session, progress_ids, [enrollment.id], today=today)  # type: ignore[list-item]
        session.refresh(enrollment)
        if enrollment.status == "completed":
            messages.append(f"Enrollment {enrollment.id} is complete.")
        messages += [ev.message for ev in events]
    audit(
        session,
        actor,
        f"enrollment.{action}",
        "enrollment",
        enrollment.id,
        old=old,
        new=new,
        reason=reason,
    )
    return enrollment, messages


def program_label(program: Program) -> str:
    return f"'{program.name}' v{program.version}"


def ids_of(items: Iterable[Any]) -> list[int]:
    return [i.id for i in items]
