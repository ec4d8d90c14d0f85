"""Milestones on the write side: fired once when progress crosses their threshold (phase
milestones on the phase's progress), and verified by an officer where they require it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.db import chunks, table
from trainctl.domain import progress as dp
from trainctl.domain.lookup import as_id
from trainctl.errors import NotFoundError, RefusedError
from trainctl.models import Enrollment, MilestoneEvent, ProgramMilestone, utcnow
from trainctl.permissions import MANAGE, Actor
from trainctl.services.audit import audit
from trainctl.services.progress.links import Event, LinkState


def sentence(text: str) -> str:
    """A user-written message as a sentence (ends with . ! or ?)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def fire_milestones(
    session: Session,
    enrollments: Sequence[Enrollment],
    states: Mapping[int, Sequence[LinkState]],
    *,
    now: datetime,
) -> list[Event]:
    """Record every milestone crossed for the first time (each fires once), set-based."""
    program_ids = sorted({e.program_id for e in enrollments})
    milestones = list(
        session.exec(
            select(ProgramMilestone).where(col(ProgramMilestone.program_id).in_(program_ids))
        )
    )
    events: list[Event] = []
    if not milestones:
        return events
    fired: set[tuple[int, int]] = set()
    for part in chunks([e.id for e in enrollments]):
        fired.update(
            (eid, mid)
            for eid, mid in session.exec(
                select(MilestoneEvent.enrollment_id, MilestoneEvent.milestone_id).where(
                    col(MilestoneEvent.enrollment_id).in_(part)
                )
            )
        )
    new_rows: list[dict[str, Any]] = []
    for e in enrollments:
        if e.status not in dp.CREDITABLE:
            continue
        assert e.id is not None
        mine = states.get(e.id, [])
        for m in milestones:
            assert m.id is not None
            if m.program_id != e.program_id or (e.id, m.id) in fired:
                continue
            if m.phase_id is None:
                pct = e.progress_percentage
            else:
                pct = dp.rollup(
                    (s.link.is_required, 100.0 if s.link.done else s.percentage)
                    for s in mine
                    if s.link.phase_id == m.phase_id
                )
            if not dp.crossed({m.id: m.completion_percentage_threshold}, pct, ()):
                continue
            new_rows.append(
                {"enrollment_id": e.id, "milestone_id": m.id, "reached_at": now,
                 "progress_at_reach": pct}
            )  # fmt: skip
            text = f"Milestone reached: {m.name} ({dp.pct_text(m.completion_percentage_threshold)})."
            if m.notification_message and m.notification_message.strip():
                text += " " + sentence(m.notification_message)
            if m.requires_verification:
                text += f" It waits for an officer: `trainctl progress verify-milestone {e.id} {m.id}`."
            kind = "milestone_pending" if m.requires_verification else "milestone"
            events.append(Event(kind, e.id, text))
    if new_rows:
        session.execute(sa.insert(table(MilestoneEvent)), new_rows)
    return events


def verify_milestone(
    session: Session, actor: Actor, enrollment: Enrollment, ref: str
) -> MilestoneEvent:
    """An officer verifies a reached milestone that requires it (never their own)."""
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
            f"Milestone '{m.name}' was already verified on {event.verified_at:%Y-%m-%d}."
        )
    event.verified_by = actor.member_id
    event.verified_at = utcnow()
    session.add(event)
    audit(session, actor, "milestone.verify", "milestone_event", event.id, milestone_id=m.id)
    session.flush()
    return event
