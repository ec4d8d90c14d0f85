"""The shared finish of every change to progress: re-measure, roll up, advance phases, fire
milestones. Manual updates, enrollment resumes, requirement target edits and (next) the
training-record, shift and checkoff feeds all end here, with many ids at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from trainctl.queries import chunks, in_list
from trainctl.queries.settings import today as department_today
from trainctl.services.progress.ledger import recompute
from trainctl.services.progress.links import Event, link_states
from trainctl.services.progress.milestones import fire_milestones
from trainctl.services.progress.phases import advance_phases, load_phases
from trainctl.services.progress.rollup import rollup_enrollments
from trainctl.services.progress.rows import enrollment_rows
from trainctl.services.store import writer_of


def after_change(
    db: Any, enrollment_ids: Sequence[int], *, today: date, now: datetime | None = None
) -> list[Event]:
    """Advance phases whose required items are complete (stopping where an officer must
    advance) and fire milestones crossed for the first time. Set-based over the ids.
    `db`: a Session or a Writer (services/store.py)."""
    now = now or datetime.now(UTC)
    if not enrollment_ids:
        return []
    w = writer_of(db)
    enrollments = enrollment_rows(w, enrollment_ids)
    program_ids = sorted({e.program_id for e in enrollments})
    ids, params = in_list("p", program_ids)
    phased = w.column(
        f"SELECT id FROM program WHERE id IN {ids} AND structure_type = 'phases'", params
    )
    phases_of = {pid: load_phases(w, pid) for pid in phased}
    states = link_states(w, enrollment_ids)
    events = advance_phases(w, enrollments, states, phases_of, today=today, now=now)
    events += fire_milestones(w, enrollments, states, now=now, today=today)
    w.sync()
    return events


def refresh(
    db: Any, progress_ids: Sequence[int], enrollment_ids: Sequence[int], *, today: date
) -> list[Event]:
    """After credits changed: re-measure, roll up, advance phases, fire milestones."""
    w = writer_of(db)
    now = datetime.now(UTC)
    recompute(w, progress_ids, now, today=today)
    rollup_enrollments(w, enrollment_ids, now)
    events = after_change(w, enrollment_ids, today=today, now=now)
    w.sync()
    return events


def remeasure_requirements(
    db: Any,
    requirement_ids: Sequence[int],
    now: datetime | None = None,
    *,
    today: date | None = None,
) -> list[Event]:
    """Requirements' targets changed (hours, items, type, ...: `requirement edit`, a
    registry import --update): re-measure every progress row linked to them through
    program_requirement, in every program, then roll up the enrollments they belong to and
    catch up phases and milestones. Set-based however many requirements: one query for the
    ids (per chunk of requirements), then `recompute`, `rollup_enrollments` and
    `after_change` over all of them.

    A raised target reopens rows and enrollments that were complete; a lowered one
    completes them (DESIGN §2: status always follows value and target). Overrides
    (waived, officer-marked complete) stay. Only enrollments with a row that changed are
    touched. `today` (for phases entered now) defaults to the department's date.
    """
    w = writer_of(db)
    now = now or datetime.now(UTC)
    rows: list[Any] = []
    for part in chunks(sorted(set(requirement_ids))):
        ids, params = in_list("r", part)
        rows += w.all(
            "SELECT rp.id, rp.enrollment_id FROM requirement_progress rp "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            f"WHERE pr.requirement_id IN {ids}",
            params,
        )
    if today is None:
        today = department_today(w)
    changed = set(recompute(w, [pid for pid, _ in rows], now, today=today))
    enrollment_ids = sorted({eid for pid, eid in rows if pid in changed})
    if not enrollment_ids:
        w.sync()
        return []  # e.g. a new name or description: no figure moved
    rollup_enrollments(w, enrollment_ids, now)
    events = after_change(w, enrollment_ids, today=today, now=now)
    w.sync()
    return events
