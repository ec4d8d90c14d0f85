"""An enrollment's life after it starts: hold, resume, withdraw, fail, and the officer's
manual phase advancement. Resuming and advancing end in the shared progress finish."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from trainctl.domain import progress as dp
from trainctl.domain.text import later_day_hint, plural
from trainctl.errors import PermissionDeniedError, RefusedError
from trainctl.models import Enrollment, Program, ProgramRequirement, RequirementProgress, utcnow
from trainctl.permissions import MANAGE, Actor
from trainctl.queries import reader_of
from trainctl.queries.settings import today as department_today
from trainctl.services.audit import audit
from trainctl.services.credit_feed import FeedResult
from trainctl.services.progress.finish import after_change, refresh
from trainctl.services.progress.links import link_states
from trainctl.services.progress.phases import (
    completed_phases,
    load_phases,
    phase_done_on,
    start_phases,
)

# ------------------------------------------------------------------------------ lifecycle
TRANSITIONS = {
    "hold": (("active",), "on_hold"),
    "resume": (("on_hold",), "active"),
    "withdraw": (("active", "on_hold"), "withdrawn"),
    "fail": (("active", "on_hold"), "failed"),
}


# A completed enrollment is finalized: only an officer may still withdraw it.
FINALIZED_WITHDRAWABLE = ("completed",)


def _already_withdrawn(actor: Actor, enrollment: Enrollment) -> bool:
    """Who may withdraw: a member their own open enrollment, an officer any. Returns True
    when the enrollment is already withdrawn (a no-op: nothing is written)."""
    actor.require_self_or(
        enrollment.member_id, MANAGE, "withdraw other members' enrollments",
        own="withdraw their own enrollments",
    )  # fmt: skip
    if enrollment.status == "withdrawn":
        return True
    if enrollment.status in FINALIZED_WITHDRAWABLE and not actor.can(MANAGE):
        raise PermissionDeniedError(
            "Not authorized to withdraw a finalized enrollment: enrollment "
            f"{enrollment.id} is {enrollment.status}.",
            "Ask a training officer to withdraw it.",
        )
    return False


# how each status change is named in a refusal ("a resume dated ... would be before it")
DOING = {"hold": "a hold", "resume": "a resume", "withdraw": "a withdrawal", "fail": "a failure"}
DONE = {"hold": "was put on hold", "resume": "was resumed", "withdraw": "was withdrawn",
        "fail": "was failed"}  # fmt: skip


def _not_before(session: Session, enrollment: Enrollment, today: date, doing: str) -> None:
    """A change dated before the enrollment began, entered its current phase, or last
    changed status (put on hold, resumed) would date its deadlines or its quiet stretch
    before them (second review: an advance as of September set phase deadlines before a
    December enrollment), or write impossible history (third review: a resume dated a
    month before the hold it ended; a withdrawal 17 months before the enrollment began,
    which `enroll bulk` then named): refused, naming the latest of those days, as progress
    dated before the enrollment is. Status changes go in date order. The day of the last
    hold is in no column: it is read from the audit log (queries.enrollments
    `last_status_change`). A completed enrollment (an officer may still withdraw it) is
    not withdrawn before the day it was completed."""
    from trainctl.queries.enrollments import last_status_change

    assert enrollment.id is not None
    session.flush()
    last = last_status_change(reader_of(session), [enrollment.id]).get(enrollment.id)
    floors = [] if last is None else [(last.on, DONE[last.action])]  # first: the latest on a tie
    floors += [(d, what) for d, what in (
        (enrollment.enrolled_on, "began"),
        (enrollment.phase_started_on, "entered its current phase"),
        (enrollment.resumed_on, "was last resumed"),
        # an officer's withdrawal of a completed enrollment ends what was complete that
        # day (completed_on, 0020), never before it
        (enrollment.completed_on if enrollment.status == "completed" else None, "was completed"),
    ) if d is not None]  # fmt: skip
    if not floors:
        return
    day, what = max(floors, key=lambda f: f[0])
    if today < day:
        raise RefusedError(
            f"Enrollment {enrollment.id} {what} on {day}; {doing} dated {today} would be before it.",
            later_day_hint(None, day, department_today(reader_of(session))),
        )


def change_status(
    session: Session,
    actor: Actor,
    enrollment: Enrollment,
    action: str,
    *,
    today: date,
    reason: str | None = None,
    credit_through: date | None = None,
) -> tuple[Enrollment, list[str]]:
    """hold | resume | withdraw | fail. Returns the enrollment and what else happened.

    Hold, resume and fail are an officer's. A member may withdraw their own open enrollment;
    a completed (finalized) one only an officer may withdraw; withdrawing a withdrawn one
    changes nothing (its message says so, and nothing is written).

    On hold an enrollment takes no credit, overrides or verification (services.progress.changes).
    Resuming catches up with whatever changed meanwhile: what was recorded for the member
    since the enrollment began (cards, records, shifts, ...; the feed passed it by while the
    enrollment was on hold) is credited through the feed, as at enrollment
    (`credit_through`: on_file.credit_on_file `through`); and a requirement's new target,
    say: rows re-measured, rolled up, phases advanced and milestones fired, as after any
    credit.
    """
    from trainctl.domain.text import check_reason

    reason = check_reason("--reason", reason)  # kept, and printed by enroll show
    allowed, new = TRANSITIONS[action]
    if action == "withdraw":
        if _already_withdrawn(actor, enrollment):
            return enrollment, [f"Enrollment {enrollment.id} is already withdrawn; nothing changed."]
        if enrollment.status in FINALIZED_WITHDRAWABLE:
            allowed = (*allowed, enrollment.status)
    else:
        actor.require(MANAGE, f"{action} enrollments")
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
    _not_before(session, enrollment, today, DOING[action])  # status changes in date order
    old = enrollment.status
    enrollment.status = new
    enrollment.status_reason = reason
    if action == "resume":  # a quiet stretch starts afresh (services/progress/rollup.py)
        enrollment.resumed_on = today
    enrollment.updated_at = utcnow()
    session.add(enrollment)
    session.flush()
    messages: list[str] = []
    if action == "resume":
        assert enrollment.id is not None
        caught = _catch_up(session, actor, enrollment, today=today, through=credit_through)
        if caught.credits:  # recorded while it was on hold, or before and held back by the order
            messages.append(f"Credited {plural(len(caught.progress_ids), 'progress row')} with what is on file.")
        messages += caught.events
        progress_ids = [
            pid
            for pid in session.exec(
                select(RequirementProgress.id).where(
                    RequirementProgress.enrollment_id == enrollment.id
                )
            )
            if pid is not None
        ]
        events = refresh(session, progress_ids, [enrollment.id], today=today)
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
        on=today.isoformat(),  # the department's day (--as-of): the day a bulk re-run names
    )
    return enrollment, messages


def _catch_up(
    session: Session, actor: Actor, enrollment: Enrollment, *, today: date, through: date | None
) -> FeedResult:
    """Credit a resumed enrollment (or one whose phase an officer advanced), and only it,
    with what is on file since it began: the one credit feed, as at enrollment
    (services/enrollment/on_file.py). What it was credited
    before the hold is in the ledger already (the feed is idempotent on progress row and
    source), and its gates (order, prerequisites, phases) apply as for any credit."""
    from trainctl.services.enrollment.on_file import credit_on_file

    assert enrollment.id is not None
    requirement_ids = session.exec(
        select(ProgramRequirement.requirement_id)
        .join(RequirementProgress, col(RequirementProgress.program_requirement_id) == ProgramRequirement.id)
        .where(RequirementProgress.enrollment_id == enrollment.id)
    ).all()
    return credit_on_file(
        session, actor, [enrollment.member_id], since=enrollment.enrolled_on, today=today,
        requirement_ids=requirement_ids, through=through, enrollment_ids=[enrollment.id],
    )  # fmt: skip


# ------------------------------------------------------------------------ manual advance
def advance_phase(
    session: Session, actor: Actor, enrollment: Enrollment, *, today: date,
    credit_through: date | None = None,
) -> list[str]:
    """The officer's manual phase advancement: refused unless the current phase is complete,
    and complete on the advance's day (an advance dated before its last item was done
    would start the next phase, and its deadlines, before the member could have). The
    phase entered takes what is on file that counts for it (`credit_through`: as at a
    resume)."""
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
    assert program.id is not None and enrollment.id is not None
    _not_before(session, enrollment, today, "an advance")
    phases = load_phases(session, program.id)
    by_id = {p.id: p for p in phases}
    current = by_id.get(enrollment.current_phase_id) if enrollment.current_phase_id else None
    if current is None:
        raise RefusedError(f"Enrollment {enrollment.id} has no current phase to advance from.")
    states = link_states(session, [enrollment.id]).get(enrollment.id, [])
    links = [s.link for s in states]
    missing = dp.incomplete_required(links, current.id)
    if missing:
        raise RefusedError(
            f"Phase {current.number} ({current.name}) is not complete: {plural(len(missing), 'required item')} "
            f"{'remains' if len(missing) == 1 else 'remain'}.",
            "Record or waive them first (`trainctl progress update ...`).",
            details=[f"{m.name} ({m.status.replace('_', ' ')})" for m in missing],
        )
    complete_on, late = phase_done_on(session, enrollment.id, current.id, today)
    if late:
        raise RefusedError(
            f"Phase {current.number} ({current.name}) was complete on {complete_on}; an advance "
            f"dated {today} would start the next phase before it.",
            later_day_hint(None, complete_on, department_today(reader_of(session))),
            details=[f"{link.name} (completed {day})" for link, day in late],
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
    start_phases(session, states, [nxt.id], today)
    session.flush()
    messages = [f"Advanced to phase {nxt.number} ({nxt.name})."]
    messages += [ev.message for ev in after_change(session, [enrollment.id], today=today, now=now)]
    # the phase opens: what is on file that counts for it (a card, records since the
    # enrollment began) credits it now, as at a resume; before, its order refused it
    caught = _catch_up(session, actor, enrollment, today=today, through=credit_through)
    if caught.credits:
        messages.append(f"Credited {plural(len(caught.progress_ids), 'progress row')} with what is on file.")
    messages += caught.events
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


# --------------------------------------------------------------------------- target date
def set_target_date(
    session: Session,
    actor: Actor,
    enrollment: Enrollment,
    target: date,
    *,
    today: date,
    reason: str | None = None,
) -> str:
    """An officer moves an open enrollment's target date (a class date pushed back, a
    typo in the recruit file: `enroll bulk` leaves an enrolled member's date as it is and
    names this command). The date rule is enrollment's own (not before the enrollment
    date); deadline reminders follow the new date, as the reminder log is
    keyed on the date it warned about. Returns what happened; a date that is already the
    target writes nothing."""
    from trainctl.domain.text import check_reason
    from trainctl.services.enrollment.enroll import check_target

    actor.require(MANAGE, "change enrollments' target dates")
    reason = check_reason("--reason", reason)
    if enrollment.status not in ("active", "on_hold"):
        raise RefusedError(
            f"Enrollment {enrollment.id} is {enrollment.status.replace('_', ' ')}; only an active "
            "or on-hold enrollment has a target date to move.",
            f"`trainctl enroll show {enrollment.id}` shows its status.",
        )
    check_target(enrollment.enrolled_on, target, f"Give a target date on or after {enrollment.enrolled_on}.")
    old = enrollment.target_completion_date
    if old == target:
        return f"Enrollment {enrollment.id}'s target date is {target} already; nothing changed."
    enrollment.target_completion_date = target
    enrollment.updated_at = utcnow()
    session.add(enrollment)
    audit(
        session, actor, "enrollment.edit", "enrollment", enrollment.id,
        changes={"target_completion_date": [old.isoformat() if old else None, target.isoformat()]},
        reason=reason, on=today.isoformat(),
    )  # fmt: skip
    return f"Enrollment {enrollment.id}'s target date is now {target} (was {old or 'none'})."
