"""The shared finish of every change to progress: re-measure, roll up, advance phases, fire
milestones. Manual updates, enrollment resumes, requirement target edits and (next) the
training-record, shift and checkoff feeds all end here, with many ids at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from trainctl.models import Enrollment, Program, ProgramRequirement, RequirementProgress, utcnow
from trainctl.services.progress.ledger import recompute
from trainctl.services.progress.links import Event, link_states
from trainctl.services.progress.milestones import fire_milestones
from trainctl.services.progress.phases import advance_phases, load_phases
from trainctl.services.progress.rollup import rollup_enrollments
from trainctl.services.settings import today as department_today


def after_change(
    session: Session, enrollment_ids: Sequence[int], *, today: date, now: datetime | None = None
) -> list[Event]:
    """Advance phases whose required items are complete (stopping where an officer must
    advance) and fire milestones crossed for the first time. Set-based over the ids."""
    now = now or utcnow()
    if not enrollment_ids:
        return []
    enrollments = list(
        session.exec(select(Enrollment).where(col(Enrollment.id).in_(list(enrollment_ids))))
    )
    program_ids = sorted({e.program_id for e in enrollments})
    phased = session.exec(
        select(Program.id).where(
            col(Program.id).in_(program_ids), Program.structure_type == "phases"
        )
    )
    phases_of = {pid: load_phases(session, pid) for pid in phased if pid is not None}
    states = link_states(session, enrollment_ids)
    events = advance_phases(session, enrollments, states, phases_of, today=today, now=now)
    events += fire_milestones(session, enrollments, states, now=now)
    session.flush()
    return events


def refresh(
    session: Session, progress_ids: Sequence[int], enrollment_ids: Sequence[int], *, today: date
) -> list[Event]:
    """After credits changed: re-measure, roll up, advance phases, fire milestones."""
    now = utcnow()
    recompute(session, progress_ids, now, today=today)
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
                col(ProgramRequirement.id) == col(RequirementProgress.program_requirement_id),
            )
            .where(ProgramRequirement.requirement_id == requirement_id)
        )
    )
    if today is None:
        today = department_today(session)
    changed = set(
        recompute(session, [pid for pid, _ in rows if pid is not None], now, today=today)
    )
    enrollment_ids = sorted({eid for pid, eid in rows if pid in changed})
    if not enrollment_ids:
        return []  # e.g. a new name or description: no figure moved
    rollup_enrollments(session, enrollment_ids, now)
    return after_change(session, enrollment_ids, today=today, now=now)
