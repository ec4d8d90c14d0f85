"""Milestones on the write side: fired once when progress crosses their threshold (phase
milestones on the phase's progress), and verified by an officer where they require it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from trainctl.domain import progress as dp
from trainctl.domain.lookup import as_id
from trainctl.errors import NotFoundError, RefusedError
from trainctl.permissions import MANAGE, Actor
from trainctl.queries import as_bool, chunks, in_list, reader_of
from trainctl.queries.enrollments import phase_rows
from trainctl.queries.settings import today as department_today
from trainctl.services.progress.links import Event, LinkState
from trainctl.services.progress.rows import EnrollmentRow
from trainctl.services.store import writer_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from trainctl.models import Enrollment, MilestoneEvent


def sentence(text: str) -> str:
    """A user-written message as a sentence (ends with . ! or ?)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def fire_milestones(
    db: Any,
    enrollments: Sequence[EnrollmentRow],
    states: Mapping[int, Sequence[LinkState]],
    *,
    now: datetime,
    today: date,
) -> list[Event]:
    """Record every milestone crossed for the first time (each fires once), set-based:
    reached at `now` (the real time), on `today` (the effective date: department day or
    --as-of)."""
    w = writer_of(db)
    program_ids = sorted({e.program_id for e in enrollments})
    ids, params = in_list("p", program_ids)
    milestones = w.all(
        "SELECT id, program_id, phase_id, name, completion_percentage_threshold, "
        "notification_message, requires_verification FROM program_milestone "
        f"WHERE program_id IN {ids} ORDER BY id",
        params,
    )
    events: list[Event] = []
    if not milestones:
        return events
    fired: set[tuple[int, int]] = set()
    for part in chunks([e.id for e in enrollments]):
        sql, eparams = in_list("e", part)
        fired.update(
            (eid, mid)
            for eid, mid in w.all(
                "SELECT enrollment_id, milestone_id FROM milestone_event "
                f"WHERE enrollment_id IN {sql}",
                eparams,
            )
        )
    new_rows: list[dict[str, Any]] = []
    for e in enrollments:
        if e.status not in dp.CREDITABLE:
            continue
        mine = states.get(e.id, [])
        for mid, program_id, phase_id, name, threshold, message, verification in milestones:
            if program_id != e.program_id or (e.id, mid) in fired:
                continue
            pct = dp.milestone_progress(
                e.progress_percentage,
                None
                if phase_id is None
                else [(s.link.is_required, s.link.status, s.percentage) for s in mine if s.link.phase_id == phase_id],
            )
            if not dp.crossed({mid: threshold}, pct, ()):
                continue
            new_rows.append(
                {"enrollment_id": e.id, "milestone_id": mid, "reached_at": now,
                 "reached_on": today, "progress_at_reach": pct}
            )  # fmt: skip
            text = f"Milestone reached: {name} ({dp.pct_text(threshold)})."
            if message and message.strip():
                text += " " + sentence(message)
            if as_bool(verification):
                text += f" It waits for an officer: `trainctl progress verify-milestone {e.id} {mid}`."
            kind = "milestone_pending" if as_bool(verification) else "milestone"
            events.append(Event(kind, e.id, text))
    w.execute_many(
        "INSERT INTO milestone_event (enrollment_id, milestone_id, reached_at, reached_on, "
        "progress_at_reach) VALUES (:enrollment_id, :milestone_id, :reached_at, :reached_on, "
        ":progress_at_reach)",
        new_rows,
    )
    w.sync()
    return events


def verify_milestone(
    session: Session, actor: Actor, enrollment: Enrollment, ref: str, *, today: date
) -> MilestoneEvent:
    """An officer verifies a reached milestone that requires it (never their own): at the
    real time, on `today` (the effective date: department day or --as-of)."""
    # the ORM here only: `progress update` (this package's hot path) never loads it
    from sqlmodel import select

    from trainctl.models import MilestoneEvent, ProgramMilestone, utcnow
    from trainctl.services.audit import audit

    actor.require(MANAGE, "verify milestones")
    actor.refuse_own(enrollment.member_id)
    text = ref.strip()
    stmt = select(ProgramMilestone).where(ProgramMilestone.program_id == enrollment.program_id)
    milestones = list(session.exec(stmt))
    number = as_id(text) if text.isdigit() else None
    m = next((x for x in milestones if number is not None and x.id == number), None) or next(
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
            f"Milestone '{m.name}' was already verified on "
            f"{(event.verified_on or event.verified_at.date()).isoformat()}."
        )
    # as the reminders judge it: a milestone the progress has fallen back below (a void, a
    # failed retest, an uncheck) waits for nothing until the progress is back
    eid = enrollment.id
    assert eid is not None
    phases = None if m.phase_id is None else phase_rows(reader_of(session), [eid]).get((eid, m.phase_id), [])
    at = dp.milestone_progress(enrollment.progress_percentage, phases)
    if not dp.milestone_holds(m.completion_percentage_threshold, at):
        scope = "the enrollment" if m.phase_id is None else "its phase"
        raise RefusedError(
            f"Milestone '{m.name}' ({dp.pct_text(m.completion_percentage_threshold)}) of enrollment "
            f"{enrollment.id} was reached on {event.reached_on}, but {scope} is at {dp.pct_text(at)} "
            "now: it has fallen back below it, so there is nothing to verify.",
            f"Verify it once the progress is back at {dp.pct_text(m.completion_percentage_threshold)} "
            f"(`trainctl enroll show {enrollment.id}` shows what is left).",
        )
    dp.refuse_verifying_before(
        f"Milestone '{m.name}' of enrollment {enrollment.id} was reached", event.reached_on, today,
        department_day=department_today(reader_of(session)),
    )  # fmt: skip
    event.verified_by = actor.member_id
    event.verified_at = utcnow()
    event.verified_on = today
    session.add(event)
    audit(session, actor, "milestone.verify", "milestone_event", event.id, milestone_id=m.id)
    session.flush()
    return event
