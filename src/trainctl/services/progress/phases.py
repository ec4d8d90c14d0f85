"""Program phases on the write side: loading them for the rules in domain/progress.py,
starting a phase (its requirements' deadlines), advancing complete phases after a change,
and the gate that says why a requirement may not take credit now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.db import table
from trainctl.domain import progress as dp
from trainctl.models import (
    Enrollment,
    PhasePrerequisite,
    Program,
    ProgramPhase,
    RequirementProgress,
)
from trainctl.services.progress.links import Event, LinkState, link_states


def load_phases(session: Session, program_id: int) -> list[dp.Phase]:
    """A program's phases with their prerequisite phases (empty for unphased programs)."""
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
    out = []
    for p in phases:
        assert p.id is not None
        out.append(
            dp.Phase(
                id=p.id,
                number=p.phase_number,
                name=p.name,
                requires_manual_advancement=p.requires_manual_advancement,
                prerequisite_ids=frozenset(pre.get(p.id, set())),
            )
        )
    return out


def completed_phases(phases: Sequence[dp.Phase], links: Sequence[dp.Link]) -> set[int]:
    return {p.id for p in phases if dp.scope_complete(links, p.id)}


def start_phases(
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
        rp = table(RequirementProgress)
        session.execute(
            sa.update(rp)
            .where(rp.c.id == sa.bindparam("b_id"))
            .values(due_on=sa.bindparam("due_on")),
            updates,
            execution_options={"synchronize_session": False},
        )


def advance_phases(
    session: Session,
    enrollments: Sequence[Enrollment],
    states: Mapping[int, Sequence[LinkState]],
    phases_of: Mapping[int, Sequence[dp.Phase]],
    *,
    today: date,
    now: datetime,
) -> list[Event]:
    """Enter the next phase wherever the current one is complete (domain auto_advance),
    stopping where an officer must advance; the phases entered start today."""
    events: list[Event] = []
    for e in enrollments:
        phases = phases_of.get(e.program_id)
        if not phases or e.status not in dp.CREDITABLE or e.current_phase_id is None:
            continue
        assert e.id is not None
        mine = states.get(e.id, [])
        done = completed_phases(phases, [s.link for s in mine])
        new_id, entered, waiting = dp.auto_advance(phases, e.current_phase_id, done)
        if entered:
            e.current_phase_id = new_id
            e.phase_started_on = today
            e.updated_at = now
            session.add(e)
            start_phases(session, mine, [p.id for p in entered], today)
            for p in entered:
                events.append(Event("phase", e.id, f"Advanced to phase {p.number} ({p.name})."))
        if waiting is not None:
            events.append(
                Event(
                    "waiting",
                    e.id,
                    f"Phase {waiting.number} ({waiting.name}) is complete and needs an officer to "
                    f"advance it: `trainctl enroll advance {e.id}`.",
                )
            )
    return events


def gate(session: Session, enrollment: Enrollment, link_id: int) -> str | None:
    """Why this link may not take credit now (sequential, prerequisite, phase), or None."""
    assert enrollment.id is not None
    program = session.get(Program, enrollment.program_id)
    assert program is not None and program.id is not None  # FK: a program is never deleted
    states = link_states(session, [enrollment.id]).get(enrollment.id, [])
    phases = load_phases(session, program.id) if program.structure_type == "phases" else []
    return dp.credit_blocker(
        [s.link for s in states],
        link_id,
        structure_type=program.structure_type,
        current_phase_id=enrollment.current_phase_id,
        phases=phases,
    )
