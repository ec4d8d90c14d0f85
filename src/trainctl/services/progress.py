"""Progress: the credit ledger, derived status, rollups, phase advancement, milestones,
verification and self-reporting (DESIGN §2-§3).

Numeric progress is the sum of counted credits; nothing edits a value in place. After any
change the affected progress rows are re-measured (`recompute`), enrollments are rolled
up with ONE set-based UPDATE (`rollup_enrollments`), and `after_change` advances phases
and fires milestones. Feeds from other areas (training records, shifts, checkoffs) call
the same three functions with many ids at once.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.db import chunks
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
    MilestoneEvent,
    Program,
    ProgramMilestone,
    ProgramRequirement,
    ProgressCredit,
    Requirement,
    RequirementProgress,
    utcnow,
)
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, UPDATE, VIEW_ALL, Actor
from trainctl.services.enrollment import get_enrollment, load_phases
from trainctl.services.settings import self_reporting_enabled, set_setting

CREDITABLE = ("active", "completed")
# The largest hours / shifts / calls one update may give, and one progress row may hold:
# beyond any career (50 years of full-time work is about 100,000 h). A bigger figure is a
# typo or a broken feed; refusing it keeps Inf and absurd totals out of the ledger.
MAX_AMOUNT = 100_000.0
ITEM_SOURCES = {"checklist": "checklist_item", "courses": "course", "skills_evaluation": "skill"}


# ------------------------------------------------------------------------------ recompute
def recompute(
    session: Session, progress_ids: Sequence[int], now: datetime | None = None
) -> list[int]:
    """Re-measure progress rows from their counted credits (a few queries, one flush).
    Returns the ids of the rows whose value, percentage or status changed."""
    changed: list[int] = []
    if not progress_ids:
        return changed
    now = now or utcnow()
    for part in chunks(list(progress_ids)):
        pairs = list(
            session.exec(
                select(RequirementProgress, Requirement)
                .join(
                    ProgramRequirement,
                    col(ProgramRequirement.id) == RequirementProgress.program_requirement_id,
                )
                .join(Requirement, col(Requirement.id) == ProgramRequirement.requirement_id)
                .where(col(RequirementProgress.id).in_(part))
            )
        )
        credits: dict[int, list[dp.Credit]] = {}
        for pid, amount, category, item in session.exec(
            select(
                ProgressCredit.progress_id,
                ProgressCredit.amount,
                ProgressCredit.category,
                ProgressCredit.item,
            )
            .where(col(ProgressCredit.progress_id).in_(part), ProgressCredit.state == "counted")
            .order_by(col(ProgressCredit.id))
        ):
            credits.setdefault(pid, []).append(dp.Credit(amount, category, item))
        for rp, req in pairs:
            value, pct = dp.measure(dp.Target.of(req), credits.get(rp.id, []))  # type: ignore[arg-type]
            status = dp.derive_status(pct, rp.status_override, value)
            shown = dp.effective_percentage(pct, rp.status_override)
            if (rp.progress_value, rp.progress_percentage, rp.status) == (value, shown, status):
                continue
            changed.append(rp.id)  # type: ignore[arg-type]
            rp.progress_value = value
            rp.progress_percentage = shown
            rp.status = status
            if status != "not_started" and rp.started_at is None:
                rp.started_at = now
            if status in dp.DONE:
                rp.completed_at = rp.completed_at or now
            else:
                rp.completed_at = None
            session.add(rp)
    session.flush()
    return changed


def rollup_enrollments(
    session: Session, enrollment_ids: Sequence[int], now: datetime | None = None
) -> None:
    """ONE set-based UPDATE: enrollment % = mean effective % over REQUIRED links, each once;
    auto-complete at 100, reopen below (hold, withdraw and fail are left alone)."""
    if not enrollment_ids:
        return
    now = now or utcnow()
    e = Enrollment.__table__  # type: ignore[attr-defined]
    rp = RequirementProgress.__table__  # type: ignore[attr-defined]
    pr = ProgramRequirement.__table__  # type: ignore[attr-defined]
    effective = sa.case((rp.c.status.in_(dp.DONE), 100.0), else_=rp.c.progress_percentage)
    mean = (
        sa.select(sa.func.round(sa.func.coalesce(sa.func.avg(effective), 0.0), 4))
        .select_from(rp.join(pr, pr.c.id == rp.c.program_requirement_id))
        .where(rp.c.enrollment_id == e.c.id, pr.c.is_required.is_(True))
        .scalar_subquery()
    )
    completes = sa.and_(e.c.status == "active", mean >= 100)
    reopens = sa.and_(e.c.status == "completed", mean < 100)
    for part in chunks(list(enrollment_ids)):
        session.execute(
            sa.update(e)
            .where(e.c.id.in_(part))
            .values(
                progress_percentage=mean,
                status=sa.case((completes, "completed"), (reopens, "active"), else_=e.c.status),
                completed_at=sa.case((completes, now), (reopens, None), else_=e.c.completed_at),
                updated_at=now,
            ),
            execution_options={"synchronize_session": False},
        )
    ids = set(enrollment_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Enrollment) and obj.id in ids:
            session.expire(obj)


# ---------------------------------------------------------------- links, phases, milestones
@dataclass
class LinkState:
    progress_id: int
    link: dp.Link
    percentage: float
    custom_deadline_days: int | None
    time_limit_days: int | None


def link_states(session: Session, enrollment_ids: Sequence[int]) -> dict[int, list[LinkState]]:
    """Every progress row of these enrollments with what the gates and rollups need."""
    out: dict[int, list[LinkState]] = {}
    for part in chunks(list(enrollment_ids)):
        stmt = (
            select(
                RequirementProgress.enrollment_id,
                RequirementProgress.id,
                ProgramRequirement.id,
                Requirement.name,
                ProgramRequirement.phase_id,
                ProgramRequirement.sort_order,
                ProgramRequirement.is_required,
                ProgramRequirement.is_prerequisite,
                RequirementProgress.status,
                RequirementProgress.progress_percentage,
                ProgramRequirement.custom_deadline_days,
                Requirement.time_limit_days,
            )
            .join(
                ProgramRequirement,
                col(ProgramRequirement.id) == RequirementProgress.program_requirement_id,
            )
            .join(Requirement, col(Requirement.id) == ProgramRequirement.requirement_id)
            .where(col(RequirementProgress.enrollment_id).in_(part))
        )
        for (
            eid,
            pid,
            lid,
            name,
            phase_id,
            order,
            req,
            pre,
            status,
            pct,
            custom,
            limit,
        ) in session.exec(stmt):  # type: ignore[call-overload]
            out.setdefault(eid, []).append(
                LinkState(
                    pid, dp.Link(lid, name, phase_id, order, req, pre, status), pct, custom, limit
                )
            )
    return out


def completed_phases(phases: Sequence[dp.Phase], links: Sequence[dp.Link]) -> set[int]:
    return {p.id for p in phases if dp.scope_complete(links, p.id)}


def _start_phases(
    session: Session, states: Sequence[LinkState], phase_ids: Iterable[int], started_on: date
) -> None:
    """A phase starts: its requirements get their deadlines (phase start + custom/limit)."""
    wanted = set(phase_ids)
    updates = [
        {
            "b_id": s.progress_id,
            "due_on": dp.requirement_deadline(
                started_on, s.custom_deadline_days, s.time_limit_days
            ),
        }
        for s in states
        if s.link.phase_id in wanted
    ]
    if updates:
        rp = RequirementProgress.__table__  # type: ignore[attr-defined]
        session.execute(
            sa.update(rp)
            .where(rp.c.id == sa.bindparam("b_id"))
            .values(due_on=sa.bindparam("due_on")),
            updates,
            execution_options={"synchronize_session": False},
        )


@dataclass
class Event:
    kind: str  # phase | waiting | milestone | milestone_pending
    enrollment_id: int
    message: str


def after_change(
    session: Session, enrollment_ids: Sequence[int], *, today: date, now: datetime | None = None
) -> list[Event]:
    """Advance phases whose required items are complete (stopping where an officer must
    advance) and fire milestones crossed for the first time. Set-based over the ids."""
    now = now or utcnow()
    events: list[Event] = []
    if not enrollment_ids:
        return events
    enrollments = list(
        session.exec(select(Enrollment).where(col(Enrollment.id).in_(list(enrollment_ids))))
    )
    program_ids = sorted({e.program_id for e in enrollments})
    programs = {
        p.id: p for p in session.exec(select(Program).where(col(Program.id).in_(program_ids)))
    }
    states = link_states(session, enrollment_ids)
    phases_of = {
        pid: load_phases(session, pid)
        for pid in program_ids
        if programs[pid].structure_type == "phases"
    }

    # phases
    for e in enrollments:
        phases = phases_of.get(e.program_id)
        if not phases or e.status not in CREDITABLE or e.current_phase_id is None:
            continue
        links = [s.link for s in states.get(e.id, [])]  # type: ignore[arg-type]
        done = completed_phases(phases, links)
        new_id, entered, waiting = dp.auto_advance(phases, e.current_phase_id, done)
        if entered:
            e.current_phase_id = new_id
            e.phase_started_on = today
            e.updated_at = now
            session.add(e)
            _start_phases(session, states.get(e.id, []), [p.id for p in entered], today)  # type: ignore[arg-type]
            for p in entered:
                events.append(Event("phase", e.id, f"Advanced to phase {p.number} ({p.name})."))  # type: ignore[arg-type]
        if waiting is not None:
            events.append(
                Event(
                    "waiting",
                    e.id,  # type: ignore[arg-type]
                    f"Phase {waiting.number} ({waiting.name}) is complete and needs an officer to "
                    f"advance it: `trainctl enroll advance {e.id}`.",
                )
            )

    # milestones
    milestones = list(
        session.exec(
            select(ProgramMilestone).where(col(ProgramMilestone.program_id).in_(program_ids))
        )
    )
    if milestones:
        fired: set[tuple[int, int]] = set()
        for part in chunks(list(enrollment_ids)):
            fired.update(
                session.exec(
                    select(MilestoneEvent.enrollment_id, MilestoneEvent.milestone_id).where(
                        col(MilestoneEvent.enrollment_id).in_(part)
                    )
                )  # type: ignore[arg-type]
            )
        new_rows: list[dict[str, Any]] = []
        for e in enrollments:
            if e.status not in CREDITABLE:
                continue
            mine = [m for m in milestones if m.program_id == e.program_id]
            st = states.get(e.id, [])  # type: ignore[arg-type]
            for m in mine:
                if (e.id, m.id) in fired:
                    continue
                if m.phase_id is None:
                    pct = e.progress_percentage
                else:
                    pct = dp.rollup(
                        (s.link.is_required, 100.0 if s.link.done else s.percentage)
                        for s in st
                        if s.link.phase_id == m.phase_id
                    )
                if not dp.crossed({m.id: m.completion_percentage_threshold}, pct, ()):  # type: ignore[dict-item]
                    continue
                new_rows.append(
                    {
                        "enrollment_id": e.id,
                        "milestone_id": m.id,
                        "reached_at": now,
                        "progress_at_reach": pct,
                    }
                )
                at = pct_text(m.completion_percentage_threshold)  # type: ignore[arg-type]
                text = f"Milestone reached: {m.name} ({at})."
                if m.notification_message and m.notification_message.strip():
                    text += " " + sentence(m.notification_message)
                if m.requires_verification:
                    text += f" It waits for an officer: `trainctl progress verify-milestone {e.id} {m.id}`."
                events.append(
                    Event(
                        "milestone_pending" if m.requires_verification else "milestone", e.id, text
                    )
                )  # type: ignore[arg-type]
        if new_rows:
            session.execute(sa.insert(MilestoneEvent.__table__), new_rows)  # type: ignore[attr-defined]
    session.flush()
    return events


def refresh(
    session: Session, progress_ids: Sequence[int], enrollment_ids: Sequence[int], *, today: date
) -> list[Event]:
    """After credits changed: re-measure, roll up, advance phases, fire milestones."""
    now = utcnow()
    recompute(session, progress_ids, now)
    rollup_enrollments(session, enrollment_ids, now)
    return after_change(session, enrollment_ids, today=today, now=now)


def remeasure_requirement(
    session: Session,
    requirement_id: int,
    now: datetime | None = None,
    *,
    today: date | None = None,
) -> list[Event]:
    """A requirement's target changed (hours, items, type, ...): re-measure every progress
    row linked to it through program_requirement, in every program, then roll up the
    enrollments they belong to and catch up phases and milestones. Set-based: one query
    for the ids, then `recompute`, `rollup_enrollments` and `after_change` over all of them.

    A raised target reopens rows and enrollments that were complete; a lowered one
    completes them (DESIGN §2: status always follows value and target). Overrides
    (waived, officer-marked complete) stay. Only enrollments with a row that changed are
    touched. `today` (for phases entered now) defaults to the department's date.
    """
    now = now or utcnow()
    rows = list(
        session.exec(
            select(RequirementProgress.id, RequirementProgress.enrollment_id)
            .join(
                ProgramRequirement,
                col(ProgramRequirement.id) == RequirementProgress.program_requirement_id,
            )
            .where(ProgramRequirement.requirement_id == requirement_id)
        )
    )
    changed = set(recompute(session, [pid for pid, _ in rows], now))
    enrollment_ids = sorted({eid for pid, eid in rows if pid in changed})
    if not enrollment_ids:
        return []  # e.g. a new name or description: no figure moved
    if today is None:
        from trainctl.services.settings import today as department_today

        today = department_today(session)
    rollup_enrollments(session, enrollment_ids, now)
    return after_change(session, enrollment_ids, today=today, now=now)


# ---------------------------------------------------------------------------- resolution
@dataclass
class Located:
    progress: RequirementProgress
    enrollment: Enrollment
    requirement: Requirement
    link: ProgramRequirement


def _locate(session: Session, progress_id: int) -> Located:
    row = session.exec(
        select(RequirementProgress, Enrollment, Requirement, ProgramRequirement)
        .join(Enrollment, col(Enrollment.id) == RequirementProgress.enrollment_id)
        .join(
            ProgramRequirement,
            col(ProgramRequirement.id) == RequirementProgress.program_requirement_id,
        )
        .join(Requirement, col(Requirement.id) == ProgramRequirement.requirement_id)
        .where(RequirementProgress.id == progress_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"No progress row {progress_id}.",
            "`trainctl enroll show ENROLLMENT` lists each requirement's progress id.",
        )
    return Located(*row)


def _matches(req: Requirement, ref: str) -> bool:
    text = ref.strip()
    if text.isdigit() and req.id == int(text):
        return True
    key = text.casefold()
    return req.name.casefold() == key or (req.registry_code or "").casefold() == key


def _may_see(actor: Actor, member_id: int) -> None:
    """Another member's progress rows (even their ids) need training.view_all; checked
    before anything about them is looked up or listed."""
    if actor.member_id != member_id and not actor.can(VIEW_ALL):
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role}) may only see and record their own progress.",
            "`trainctl enroll me` lists your enrollments.",
        )


def locate(
    session: Session,
    actor: Actor,
    progress: str | None = None,
    *,
    enrollment: str | None = None,
    requirement: str | None = None,
    member: str | None = None,
) -> Located:
    """PROGRESS id, or --enrollment E --requirement R, or --member M --requirement R."""
    if progress is not None:
        if enrollment or member or requirement:
            raise UsageError(
                "Name a progress row by its id OR by --enrollment/--member with --requirement."
            )
        if not progress.strip().isdigit():
            raise UsageError(
                f"{progress!r} is not a progress id.",
                "Progress ids are numbers; `trainctl enroll show E` lists them.",
            )
        found = _locate(session, int(progress))
        _may_see(actor, found.enrollment.member_id)
        return found
    if requirement is None or (enrollment is None) == (member is None):
        raise UsageError(
            "Name the progress row: PROGRESS, or --enrollment E --requirement R, or --member M --requirement R.",
            "`trainctl enroll show ENROLLMENT` lists progress ids.",
        )
    if enrollment is not None:
        e = get_enrollment(session, enrollment)
        _may_see(actor, e.member_id)
        conds: list[Any] = [RequirementProgress.enrollment_id == e.id]
        where = f"enrollment {enrollment}"
    else:
        from trainctl.services.members import get_member

        m = get_member(session, member)  # type: ignore[arg-type]
        _may_see(actor, m.id)  # type: ignore[arg-type]
        conds = [Enrollment.member_id == m.id, col(Enrollment.status).in_(CREDITABLE)]
        where = f"{m.name}'s open enrollments"
    rows = list(
        session.exec(
            select(RequirementProgress.id, Requirement, Enrollment.id)
            .join(Enrollment, col(Enrollment.id) == RequirementProgress.enrollment_id)
            .join(
                ProgramRequirement,
                col(ProgramRequirement.id) == RequirementProgress.program_requirement_id,
            )
            .join(Requirement, col(Requirement.id) == ProgramRequirement.requirement_id)
            .where(*conds)
        )
    )
    hits = [(pid, req, eid) for pid, req, eid in rows if _matches(req, requirement)]
    if not hits:
        raise NotFoundError(
            f"No requirement {requirement!r} in {where}.",
            "`trainctl enroll show ENROLLMENT` lists the requirements and their progress ids.",
        )
    if len(hits) > 1:
        raise UsageError(
            f"{requirement!r} matches {len(hits)} progress rows in {where}.",
            "Name one by its progress id.",
            details=[f"progress {pid}: {req.name} (enrollment {eid})" for pid, req, eid in hits],
        )
    return _locate(session, hits[0][0])


# --------------------------------------------------------------------------------- update
@dataclass
class UpdateResult:
    progress: RequirementProgress
    enrollment: Enrollment
    requirement: Requirement
    credits: list[ProgressCredit] = field(default_factory=list)
    pending: bool = False
    events: list[str] = field(default_factory=list)


def _categories(target: dp.Target) -> str:
    """'national, national/airway, ..., local, individual' for hints."""
    return ", ".join(
        c.name + "".join(f", {c.name}/{t}" for t, _ in c.topics) for c in target.hour_categories
    )


def _fmt(n: float) -> str:
    return f"{n:g}"


def pct_text(pct: float) -> str:
    """A percentage for messages: one decimal at most (91.6667 -> '91.7%', 50.0 -> '50%')."""
    return f"{round(pct, 1):g}%"


def sentence(text: str) -> str:
    """A user-written message as a sentence (ends with . ! or ?)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def update_progress(
    session: Session,
    actor: Actor,
    located: Located,
    *,
    today: date,
    add: float | None = None,
    set_to: float | None = None,
    check: str | None = None,
    uncheck: str | None = None,
    category: str | None = None,
    distributive: bool = False,
    status: str | None = None,
    waive: bool = False,
    reason: str | None = None,
    verify: bool = False,
    note: str | None = None,
) -> UpdateResult:
    """One progress update: a credit (add / set / check / uncheck), an override (status,
    waive), verification and a note, in that order. Everything lands in the ledger."""
    rp, enrollment, req, link = (
        located.progress,
        located.enrollment,
        located.requirement,
        located.link,
    )
    changes = [x for x in (add, set_to, check, uncheck) if x is not None]
    if len(changes) > 1:
        raise UsageError("Give only one of --add, --set, --check and --uncheck.")
    if not changes and status is None and not waive and not verify and note is None:
        raise UsageError(
            "Nothing to update.",
            "Give --add N, --set N, --check ITEM, --status, --waive --reason, --verify or --note.",
        )
    if waive or status == "waived":
        if status not in (None, "waived"):
            raise UsageError("--waive and --status disagree; give one of them.")
        status = "waived"
        if not (reason or "").strip():
            raise UsageError(
                "A waiver needs a reason.", 'Add --reason "..." (it is kept in the ledger).'
            )
    if status is not None and status not in ("completed", "waived", "auto"):
        raise UsageError(
            f"--status {status}: in progress / not started follow from the credited value.",
            "Use --status completed (officer sign-off), --status waived --reason ..., or --status auto "
            "(drop an override); change the value with --add or --set.",
        )

    is_self = actor.member_id is not None and actor.member_id == enrollment.member_id
    if verify and is_self:
        raise PermissionDeniedError(
            "Nobody verifies their own progress.", "Ask another training officer to run --verify."
        )
    if is_self:
        if status is not None:
            raise PermissionDeniedError(
                "Members cannot mark their own requirements complete or waived.",
                "Report the work with --add / --check; an officer verifies it.",
            )
        actor.require(UPDATE, "report their own progress")
        if not self_reporting_enabled(session):
            raise PermissionDeniedError(
                "Self-reporting is off in this department: members cannot record their own progress.",
                "Ask a training officer to record it (or to run `trainctl progress self-reporting on`).",
            )
    else:
        actor.require(MANAGE, "record progress for other members")
    if (changes or status is not None or verify) and enrollment.status not in CREDITABLE:
        # On hold: nothing moves until resumed. Withdrawn / failed: the record is closed.
        # A note is always allowed (it changes no figure).
        what = "credit" if changes else "verification" if status is None else "overrides"
        if enrollment.status == "on_hold":
            raise RefusedError(
                f"Enrollment {enrollment.id} is on hold; it takes no {what} (credit, overrides "
                "or verification) until it is resumed.",
                f"Resume it first: `trainctl enroll resume {enrollment.id}`.",
            )
        raise RefusedError(
            f"Enrollment {enrollment.id} is {enrollment.status.replace('_', ' ')}; its progress "
            f"is closed and takes no {what} (credit, overrides or verification).",
            "Enroll the member again to continue: `trainctl enroll add MEMBER PROGRAM`.",
        )

    now = utcnow()
    target = dp.Target.of(req)
    result = UpdateResult(progress=rp, enrollment=enrollment, requirement=req)
    before_status, before_enrollment = rp.status, enrollment.status
    credit_state = "pending" if is_self else "counted"
    credit_source = "self_report" if is_self else "manual"
    ledger = list(session.exec(select(ProgressCredit).where(ProgressCredit.progress_id == rp.id)))

    def credit(amount: float, source: str, **kw: Any) -> ProgressCredit:
        c = ProgressCredit(
            progress_id=rp.id,  # type: ignore[arg-type]
            source_type=source,
            source_id=uuid.uuid4().hex,
            amount=amount,
            state=kw.pop("state", credit_state),
            entered_by=actor.member_id,
            entered_at=now,
            **kw,
        )
        session.add(c)
        result.credits.append(c)
        return c

    positive = False
    if add is not None or set_to is not None:
        if not target.is_numeric:
            raise UsageError(
                f"'{req.name}' is a {req.requirement_type.replace('_', ' ')} requirement: it is measured by items, not a number.",
                f"Use --check ITEM (items: {', '.join(target.items) or 'none defined'}).",
            )
        given: float = set_to if set_to is not None else add  # type: ignore[assignment]
        _check_amount(req, "--set" if set_to is not None else "--add", given)
        if category is not None and target.hour_categories:
            head, topic = dp.split_category(category)
            cat = next((c for c in target.hour_categories if c.name.casefold() == head), None)
            topics = {t.casefold(): t for t, _ in cat.topics} if cat else {}
            if cat is None or (topic is not None and topic not in topics):
                raise BadInputError(
                    f"'{req.name}' has no hour category {category!r}.",
                    f"Categories: {_categories(target)}.",
                )
            category = cat.name + (f"/{topics[topic]}" if topic else "")
        elif (
            category is None
            and target.hour_categories
            and (add is None or add > 0)
            and dp.free_hours(target.required_hours, target.hour_categories) <= 0
        ):
            raise BadInputError(
                f"'{req.name}' counts hours by category, and its categories take up the whole "
                f"{_fmt(target.required_hours or 0)} h: hours without a category could never count.",
                f"Give --category: {_categories(target)}.",
            )
        if distributive and req.requirement_type != "hours":
            raise UsageError("--distributive applies to hours.")
        baseline_states = ("counted", "pending") if is_self else ("counted",)
        current = sum(
            c.amount for c in ledger if c.state in baseline_states
            and (category is None or (c.category or "").casefold() == category.casefold())
        )  # fmt: skip
        if set_to is not None:
            if set_to < 0:
                raise BadInputError(f"--set {set_to:g}: progress cannot be negative.")
            amount = round(set_to - current, 6)
            if amount == 0:
                raise RefusedError(f"'{req.name}' is already at {_fmt(set_to)}; nothing recorded.")
        else:
            amount = float(add)  # type: ignore[arg-type]
            if amount == 0:
                raise BadInputError(
                    "--add 0 records nothing.", "Give a non-zero amount (negative to correct)."
                )
        if is_self and amount < 0:
            raise PermissionDeniedError(
                "Self-reported credit cannot be negative.", "Ask a training officer to correct it."
            )
        counted = sum(c.amount for c in ledger if c.state == "counted")
        if counted + amount < 0:
            raise RefusedError(
                f"That would take '{req.name}' to {_fmt(counted + amount)}; progress cannot go below zero.",
                f"It stands at {_fmt(counted)}. `trainctl progress log {rp.id}` shows the ledger.",
            )
        total = sum(c.amount for c in ledger if c.state in ("counted", "pending")) + amount
        if total > MAX_AMOUNT:
            raise BadInputError(
                f"That would take '{req.name}' to {_fmt(total)} {UNIT_WORDS[req.requirement_type]}; "
                f"one progress row holds at most {_fmt(MAX_AMOUNT)}.",
                f"Check the figure. `trainctl progress log {rp.id}` shows the ledger.",
            )
        positive = amount > 0
        credit(
            amount,
            credit_source,
            category=category,
            note=note,
            item=dp.DISTRIBUTIVE if distributive else None,
        )
    elif check is not None or uncheck is not None:
        wanted = check if check is not None else uncheck
        if target.is_numeric:
            raise UsageError(
                f"'{req.name}' is a {req.requirement_type} requirement: use --add N or --set N.",
            )
        item = dp.match_item(target.items, wanted)  # type: ignore[arg-type]
        if item is None:
            raise BadInputError(
                f"'{req.name}' has no item {wanted!r}.",
                f"Items: {', '.join(target.items) or 'none defined'}.",
            )
        seen_states = ("counted", "pending") if is_self else ("counted",)
        done = dp.items_done(
            dp.Credit(c.amount, c.category, c.item) for c in ledger if c.state in seen_states
        )
        is_done = dp.match_item(done, item) is not None
        if check is not None and is_done:
            raise RefusedError(f"{item!r} is already checked for '{req.name}'.")
        if uncheck is not None and not is_done:
            raise RefusedError(f"{item!r} is not checked for '{req.name}'; nothing to uncheck.")
        if is_self and uncheck is not None:
            raise PermissionDeniedError(
                "Members cannot uncheck items.", "Ask a training officer to correct it."
            )
        positive = check is not None
        source = credit_source if is_self else ITEM_SOURCES.get(req.requirement_type, "manual")
        credit(1.0 if check is not None else -1.0, source, item=item, note=note)

    if positive:
        blocker = gate(session, enrollment, link.id)  # type: ignore[arg-type]
        if blocker is not None:
            raise RefusedError(blocker, "Nothing was recorded. `trainctl enroll show "
                               f"{enrollment.id}` shows the order of requirements.")  # fmt: skip

    if status is not None:
        override = None if status == "auto" else status
        if override is not None and override != rp.status_override and not positive:
            # An officer may sign off or waive out of order; the update says so.
            passed_over = gate(session, enrollment, link.id)  # type: ignore[arg-type]
            if passed_over is not None:
                verb = "waived" if override == "waived" else "marked complete"
                result.events.append(
                    f"'{req.name}' is {verb} out of order (an officer's override): {passed_over}"
                )
        if override != rp.status_override:
            rp.status_override = override
            rp.override_reason = reason if override else None
            label = {"waived": "waived", "completed": "marked complete", None: "override removed"}[
                override
            ]
            credit(
                0.0,
                "waiver" if override == "waived" else "manual",
                note=f"{label}: {reason}" if reason else label,
                state="counted",
            )
            session.add(rp)

    if note is not None and not result.credits:
        credit(0.0, credit_source, note=note, state="counted")

    if verify:
        actor.require(MANAGE, "verify progress")
        for c in ledger:
            if c.state == "pending":
                c.state = "counted"
                c.verified_by = actor.member_id
                c.verified_at = now
                session.add(c)
        rp.verified_by = actor.member_id
        rp.verified_at = now
        session.add(rp)

    session.flush()
    result.pending = any(c.state == "pending" for c in result.credits)
    events = refresh(session, [rp.id], [enrollment.id], today=today)  # type: ignore[list-item]
    session.refresh(rp)
    session.refresh(enrollment)
    if rp.status != before_status:
        if rp.status in dp.DONE:
            result.events.append(f"'{req.name}' is {rp.status}.")
        elif before_status in dp.DONE:
            result.events.append(f"'{req.name}' reopened ({rp.status.replace('_', ' ')}).")
    if enrollment.status != before_enrollment:
        if enrollment.status == "completed":
            result.events.append(f"Enrollment {enrollment.id} is complete.")
        elif before_enrollment == "completed":
            result.events.append(
                f"Enrollment {enrollment.id} reopened ({pct_text(enrollment.progress_percentage)})."
            )
    result.events.extend(ev.message for ev in events)
    audit(
        session, actor, "progress.update", "requirement_progress", rp.id,
        credits=[(c.source_type, c.amount, c.item) for c in result.credits],
        status=status, verify=verify, pending=result.pending,
    )  # fmt: skip
    return result


UNIT_WORDS = {"hours": "h", "shifts": "shifts", "calls": "calls"}


def _check_amount(req: Requirement, option: str, value: float) -> None:
    """A figure for --add / --set: finite, within MAX_AMOUNT, whole for shifts and calls."""
    kind = req.requirement_type
    if not math.isfinite(value):
        raise BadInputError(
            f"{option} {value}: not a number of {kind}.",
            "Give a finite number, e.g. --add 2.5 (negative to correct).",
        )
    if abs(value) > MAX_AMOUNT:
        raise BadInputError(
            f"{option} {value:g}: more than {MAX_AMOUNT:,.0f} {kind} is not a plausible figure.",
            "Check the number (a typo?); one update may give at most "
            f"{_fmt(MAX_AMOUNT)} {UNIT_WORDS[kind]}.",
        )
    if kind in ("shifts", "calls") and value != int(value):
        raise BadInputError(
            f"{option} {value:g}: '{req.name}' counts {kind} in whole numbers.",
            f"Give a whole number of {kind}, e.g. {option} {max(1, int(abs(value)))}.",
        )


def gate(session: Session, enrollment: Enrollment, link_id: int) -> str | None:
    """Why this link may not take credit now (sequential, prerequisite, phase), or None."""
    program = session.get(Program, enrollment.program_id)
    states = link_states(session, [enrollment.id]).get(enrollment.id, [])  # type: ignore[list-item]
    phases = load_phases(session, program.id) if program.structure_type == "phases" else []  # type: ignore[union-attr, arg-type]
    return dp.credit_blocker(
        [s.link for s in states],
        link_id,
        structure_type=program.structure_type,  # type: ignore[union-attr]
        current_phase_id=enrollment.current_phase_id,
        phases=phases,
    )


# ------------------------------------------------------------------------ manual advance
def advance_phase(
    session: Session, actor: Actor, enrollment: Enrollment, *, today: date
) -> list[str]:
    """The officer's manual phase advancement: refused unless the current phase is complete."""
    actor.require(MANAGE, "advance enrollments")
    program = session.get(Program, enrollment.program_id)
    if program is None or program.structure_type != "phases":
        raise RefusedError(
            f"Enrollment {enrollment.id} is in a {program.structure_type if program else '?'} program; only phased programs advance.",
        )
    if enrollment.status != "active":
        raise RefusedError(
            f"Enrollment {enrollment.id} is {enrollment.status.replace('_', ' ')}; only active enrollments advance."
        )
    phases = load_phases(session, program.id)  # type: ignore[arg-type]
    by_id = {p.id: p for p in phases}
    current = by_id.get(enrollment.current_phase_id) if enrollment.current_phase_id else None
    if current is None:
        raise RefusedError(f"Enrollment {enrollment.id} has no current phase to advance from.")
    states = link_states(session, [enrollment.id]).get(enrollment.id, [])  # type: ignore[list-item]
    links = [s.link for s in states]
    missing = dp.incomplete_required(links, current.id)
    if missing:
        raise RefusedError(
            f"Phase {current.number} ({current.name}) is not complete: {len(missing)} required item(s) remain.",
            "Record or waive them first (`trainctl progress update ...`).",
            details=[f"{m.name} ({m.status.replace('_', ' ')})" for m in missing],
        )
    nxt = dp.next_phase(
        phases, current, completed_phases(phases, links), dp.started_phases(phases, current.id)
    )
    if nxt is None:
        raise RefusedError(
            f"Phase {current.number} ({current.name}) is the last phase that can start; there is nothing to advance to.",
        )
    now = utcnow()
    enrollment.current_phase_id = nxt.id
    enrollment.phase_started_on = today
    enrollment.updated_at = now
    session.add(enrollment)
    _start_phases(session, states, [nxt.id], today)
    session.flush()
    messages = [f"Advanced to phase {nxt.number} ({nxt.name})."]
    messages += [ev.message for ev in after_change(session, [enrollment.id], today=today, now=now)]  # type: ignore[list-item]
    audit(
        session,
        actor,
        "enrollment.advance",
        "enrollment",
        enrollment.id,
        from_phase=current.id,
        to_phase=nxt.id,
    )
    session.refresh(enrollment)
    return messages


# ----------------------------------------------------------------------------- milestones
def verify_milestone(
    session: Session, actor: Actor, enrollment: Enrollment, ref: str
) -> MilestoneEvent:
    actor.require(MANAGE, "verify milestones")
    if actor.member_id is not None and actor.member_id == enrollment.member_id:
        raise PermissionDeniedError(
            "Nobody verifies their own progress.", "Ask another training officer."
        )
    text = ref.strip()
    stmt = select(ProgramMilestone).where(ProgramMilestone.program_id == enrollment.program_id)
    milestones = list(session.exec(stmt))
    m = next((x for x in milestones if text.isdigit() and x.id == int(text)), None) or next(
        (x for x in milestones if x.name.casefold() == text.casefold()), None
    )
    if m is None:
        raise NotFoundError(
            f"No milestone {ref!r} in enrollment {enrollment.id}'s program.",
            f"`trainctl progress milestones {enrollment.id}` lists them.",
        )
    if not m.requires_verification:
        raise RefusedError(
            f"Milestone '{m.name}' needs no verification; it counts as soon as it is reached.",
            f"Only milestones that require verification wait for an officer "
            f"(`trainctl progress milestones {enrollment.id}` shows their state).",
        )
    event = session.exec(
        select(MilestoneEvent).where(
            MilestoneEvent.enrollment_id == enrollment.id, MilestoneEvent.milestone_id == m.id
        )
    ).first()
    if event is None:
        raise RefusedError(
            f"Milestone '{m.name}' has not been reached yet; there is nothing to verify."
        )
    if event.verified_at is not None:
        raise RefusedError(
            f"Milestone '{m.name}' was already verified on {event.verified_at:%Y-%m-%d}."
        )
    event.verified_by = actor.member_id
    event.verified_at = utcnow()
    session.add(event)
    audit(session, actor, "milestone.verify", "milestone_event", event.id, milestone_id=m.id)
    session.flush()
    return event


# ---------------------------------------------------------------------------- settings
def set_self_reporting(session: Session, actor: Actor, on: bool) -> None:
    actor.require(MANAGE, "change the self-reporting setting")
    set_setting(session, "self_reporting", "on" if on else "off")
    audit(session, actor, "setting.self_reporting", "setting", None, value="on" if on else "off")
