"""Program phases on the write side: loading them for the rules in domain/progress.py,
starting a phase (its requirements' deadlines), advancing complete phases after a change,
and the gate that says why a requirement may not take credit now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from trainctl.domain import progress as dp
from trainctl.queries import as_bool, in_list, required
from trainctl.services.progress.ledger import done_from
from trainctl.services.progress.links import Event, LinkState, link_states
from trainctl.services.progress.rows import EnrollmentRow
from trainctl.services.store import writer_of


def load_phases(db: Any, program_id: int) -> list[dp.Phase]:
    """A program's phases with their prerequisite phases (empty for unphased programs).
    `db`: a Session or a Writer (services/store.py)."""
    w = writer_of(db)
    phases = w.all(
        "SELECT id, phase_number, name, requires_manual_advancement FROM program_phase "
        "WHERE program_id = :p ORDER BY id",
        {"p": program_id},
    )
    if not phases:
        return []
    pre: dict[int, set[int]] = {}
    ids, params = in_list("ph", [p[0] for p in phases])
    for pid, prid in w.all(
        "SELECT phase_id, prerequisite_phase_id FROM phase_prerequisite "
        f"WHERE phase_id IN {ids}",
        params,
    ):
        pre.setdefault(pid, set()).add(prid)
    return [
        dp.Phase(
            id=pid,
            number=number,
            name=name,
            requires_manual_advancement=bool(as_bool(manual)),
            prerequisite_ids=frozenset(pre.get(pid, set())),
        )
        for pid, number, name, manual in phases
    ]


def completed_phases(phases: Sequence[dp.Phase], links: Sequence[dp.Link]) -> set[int]:
    return {p.id for p in phases if dp.scope_complete(links, p.id)}


def start_phases(
    db: Any, states: Sequence[LinkState], phase_ids: Iterable[int], started_on: date
) -> None:
    """A phase starts: its requirements get their deadlines (phase start + custom/limit)."""
    wanted = set(phase_ids)
    updates = [
        {
            "id": s.progress_id,
            "due_on": dp.requirement_deadline(
                started_on, s.custom_deadline_days, s.time_limit_days
            ),
        }
        for s in states
        if s.link.phase_id in wanted
    ]
    if updates:
        w = writer_of(db)
        w.execute_many("UPDATE requirement_progress SET due_on = :due_on WHERE id = :id", updates)
        w.sync()


def advance_phases(
    db: Any,
    enrollments: Sequence[EnrollmentRow],
    states: Mapping[int, Sequence[LinkState]],
    phases_of: Mapping[int, Sequence[dp.Phase]],
    *,
    today: date,
    now: datetime,
) -> list[Event]:
    """Enter the next phase wherever the current one is complete (domain auto_advance),
    stopping where an officer must advance; the phases entered start today."""
    w = writer_of(db)
    events: list[Event] = []
    for e in enrollments:
        phases = phases_of.get(e.program_id)
        if not phases or e.status not in dp.CREDITABLE or e.current_phase_id is None:
            continue
        mine = states.get(e.id, [])
        done = completed_phases(phases, [s.link for s in mine])
        left = e.current_phase_id
        new_id, entered, waiting = dp.auto_advance(phases, left, done)
        if entered:
            # each phase starts the day the one before it was complete: a credit dated
            # before another of its items was done does not start the next phase then
            start = today
            for p in entered:
                start = phase_done_on(w, e.id, left, start)[0]
                start_phases(w, mine, [p.id], start)
                left = p.id
            e.current_phase_id = new_id
            e.phase_started_on = start
            w.execute(
                "UPDATE enrollment SET current_phase_id = :phase, phase_started_on = :today, "
                "updated_at = :now WHERE id = :id",
                {"phase": new_id, "today": start, "now": now, "id": e.id},
            )
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
    w.sync()
    return events


def blocked_rows(db: Any, enrollment: EnrollmentRow) -> set[int]:
    """The progress rows of this enrollment that a gate holds back now (`dp.credit_blocker`:
    sequential, prerequisite, phase): a change that leaves one of them open has opened a
    step (services/progress/changes.py, then the feed's `credit_opened`)."""
    w = writer_of(db)
    structure = required(
        w.scalar("SELECT structure_type FROM program WHERE id = :p", {"p": enrollment.program_id})
    )
    states = link_states(w, [enrollment.id]).get(enrollment.id, [])
    links = [s.link for s in states]
    if structure == "flexible" and not any(link.is_prerequisite for link in links):
        return set()
    phases = load_phases(w, enrollment.program_id) if structure == "phases" else []
    started = dp.started_phases(phases, enrollment.current_phase_id) if phases else None
    return {
        s.progress_id
        for s in states
        if dp.credit_blocker(
            links, s.link.id, structure_type=structure,
            current_phase_id=enrollment.current_phase_id, phases=phases, started=started,
        ) is not None
    }  # fmt: skip


def phase_done_on(
    db: Any, enrollment_id: int, phase_id: int, day: date
) -> tuple[date, list[tuple[dp.Link, date]]]:
    """The day a phase complete now was complete: `day`, or the later day its last
    required item was done (ledger.done_from), with the items done after `day` and their
    days. An advance (manual or automatic) dated `day` starts the next phase no earlier."""
    then = link_states(db, [enrollment_id], on=day).get(enrollment_id, [])
    late = [s for s in then if s.link.phase_id == phase_id and s.link.is_required and not s.link.done]
    if not late:
        return day, []
    days = done_from(db, [s.progress_id for s in late], day)
    done = [(s.link, days[s.progress_id]) for s in late if s.progress_id in days]
    return max([day, *(d for _, d in done)]), done


def gate(db: Any, enrollment: EnrollmentRow, link_id: int, *, on: date | None = None) -> str | None:
    """Why this link may not take credit now (sequential, prerequisite, phase), or None.
    `on`: the day the credit takes effect (--as-of): the rows it waits for are judged as
    they stood that day, and a refusal that comes from the day says when they were done."""
    w = writer_of(db)
    structure = required(  # FK: a program is never deleted
        w.scalar("SELECT structure_type FROM program WHERE id = :p", {"p": enrollment.program_id})
    )
    phases = load_phases(w, enrollment.program_id) if structure == "phases" else []

    def blocker(states: Sequence[LinkState]) -> str | None:
        return dp.credit_blocker(
            [s.link for s in states],
            link_id,
            structure_type=structure,
            current_phase_id=enrollment.current_phase_id,
            phases=phases,
        )

    then = link_states(w, [enrollment.id], on=on).get(enrollment.id, [])
    why = blocker(then)
    if why is None or on is None:
        return why
    now = link_states(w, [enrollment.id]).get(enrollment.id, [])
    if blocker(now) is not None:
        return why
    done_then = {s.progress_id for s in then if s.link.done}
    later = [s for s in now if s.link.done and s.progress_id not in done_then]
    named = [s for s in later if f"'{s.link.name}'" in why] or later
    days = done_from(w, [s.progress_id for s in named], on)
    done = "; ".join(
        f"'{s.link.name}' was completed on {days[s.progress_id]}" for s in named if s.progress_id in days
    )
    return f"{why} {done}, after {on}, the day this credit takes effect." if done else why
