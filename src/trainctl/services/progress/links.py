"""The progress rows of enrollments as the gates, phases and milestones see them, and the
events a change sets in motion (a phase entered, a milestone reached)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from trainctl.domain import progress as dp
from trainctl.queries import as_bool, chunks, in_list
from trainctl.services.progress.ledger import done_on
from trainctl.services.store import writer_of


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


def link_states(
    db: Any, enrollment_ids: Sequence[int], *, on: date | None = None
) -> dict[int, list[LinkState]]:
    """Every progress row of these enrollments with what the gates and rollups need.
    `on`: the day a credit or an advance takes effect: a row then counts as done only if
    it was done that day (ledger.done_on: a prerequisite completed after a credit dated
    before it does not open the gate for it). `db`: a Session or a Writer (services/store.py)."""
    w = writer_of(db)
    out: dict[int, list[LinkState]] = {}
    for part in chunks(list(enrollment_ids)):
        ids, params = in_list("e", part)
        rows = w.all(
            "SELECT rp.enrollment_id, rp.id, pr.id, r.name, pr.phase_id, pr.sort_order, "
            "pr.is_required, pr.is_prerequisite, rp.status, rp.progress_percentage, "
            "pr.custom_deadline_days, r.time_limit_days "
            "FROM requirement_progress rp "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            "JOIN requirement r ON r.id = pr.requirement_id "
            f"WHERE rp.enrollment_id IN {ids}",
            params,
        )
        for eid, pid, lid, name, phase, order, req, pre, status, pct, custom, limit in rows:
            link = dp.Link(lid, name, phase, order, bool(as_bool(req)), bool(as_bool(pre)), status)
            out.setdefault(eid, []).append(LinkState(pid, link, float(pct), custom, limit))
    return out if on is None else _as_on(w, out, on)


def _as_on(w: Any, states: dict[int, list[LinkState]], on: date) -> dict[int, list[LinkState]]:
    """`states` with each done row that has a ledger entry dated after `on` judged as it
    stood on `on` (one query for the rest: a row with nothing later is as it stands)."""
    done = [s.progress_id for mine in states.values() for s in mine if s.link.done]
    later: set[int] = set()
    for part in chunks(done):
        ids, params = in_list("p", part)
        later.update(w.column(
            f"SELECT DISTINCT progress_id FROM progress_credit WHERE progress_id IN {ids} "
            "AND entered_on > :on", {**params, "on": on},
        ))  # fmt: skip
    if not later:
        return states
    still = done_on(w, sorted(later), on)
    return {
        eid: [
            replace(s, link=replace(s.link, status="in_progress"))
            if s.progress_id in later and s.progress_id not in still
            else s
            for s in mine
        ]
        for eid, mine in states.items()
    }
