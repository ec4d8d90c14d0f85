"""The progress rows of enrollments as the gates, phases and milestones see them, and the
events a change sets in motion (a phase entered, a milestone reached)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import chunks, table
from trainctl.domain import progress as dp
from trainctl.models import ProgramRequirement, Requirement, RequirementProgress


@dataclass(frozen=True)
class LinkState:
    """One progress row: its program link as the gating rules see it, and its figures."""

    progress_id: int
    link: dp.Link
    percentage: float
    custom_deadline_days: int | None
    time_limit_days: int | None


@dataclass(frozen=True)
class Event:
    """Something a change set in motion, with the message the command prints."""

    kind: str  # phase | waiting | milestone | milestone_pending
    enrollment_id: int
    message: str


def link_states(session: Session, enrollment_ids: Sequence[int]) -> dict[int, list[LinkState]]:
    """Every progress row of these enrollments with what the gates and rollups need."""
    rp, pr, r = table(RequirementProgress), table(ProgramRequirement), table(Requirement)
    columns = (
        rp.c.enrollment_id, rp.c.id, pr.c.id, r.c.name, pr.c.phase_id, pr.c.sort_order,
        pr.c.is_required, pr.c.is_prerequisite, rp.c.status, rp.c.progress_percentage,
        pr.c.custom_deadline_days, r.c.time_limit_days,
    )  # fmt: skip
    out: dict[int, list[LinkState]] = {}
    for part in chunks(list(enrollment_ids)):
        stmt = (
            sa.select(*columns)
            .join(pr, pr.c.id == rp.c.program_requirement_id)
            .join(r, r.c.id == pr.c.requirement_id)
            .where(rp.c.enrollment_id.in_(part))
        )
        for eid, pid, lid, name, phase, order, req, pre, status, pct, custom, limit in (
            session.execute(stmt)
        ):
            out.setdefault(eid, []).append(
                LinkState(
                    pid, dp.Link(lid, name, phase, order, req, pre, status), pct, custom, limit
                )
            )
    return out
