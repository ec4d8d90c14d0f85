"""Reminders on the read side: what is due (for `send`, `send --dry-run` and `preview`), and
the reminder log (`reminders log`).

Selection is set-based and indexed: one statement per kind of reminder, each a range scan
over the rows whose date falls in that kind's window (deadlines within the farthest lead
day or overdue for at most FRESH_DAYS, quiet stretches, milestones and assignments of the
last FRESH_DAYS), index-only lookups that weigh every candidate key against the log
(LogCheck), and two for the officers' digest. The rules that decide which warning a row
calls for are pure (domain/reminders.py): the SQL only narrows the rows to those that could
be due, and the text of a reminder is composed only for those still unsent.

The selection walks much of a large database in one read transaction: `select_due` maps
the SQLite file into memory for it (queries.for_bulk_reads) and keeps the cyclic garbage
collector off. Windows are judged by effective dates (department days: entered_on,
reached_on, verified_on), never by the timestamps of writing, so an entry made under
--as-of counts on the day it was made for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from trainctl.domain import progress as dp
from trainctl.domain import reminders as dr
from trainctl.domain.text import hours_text
from trainctl.queries import (
    Reader,
    as_date,
    as_json,
    as_utc,
    by_text,
    chunks,
    for_bulk_reads,
    in_list,
    required,
)
from trainctl.queries.enrollments import TARGET_COLUMNS, phase_rows, target_of

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "program": ("id", "name", "version", "warning_days_before", "reminder_conditions"),
    "program_phase": ("id", "phase_number", "name", "time_limit_days"),
    "program_requirement": (
        "id",
        "program_id",
        "phase_id",
        "requirement_id",
        "is_required",
        "notification_message",
    ),
    "program_milestone": (
        "id",
        "name",
        "completion_percentage_threshold",
        "notification_message",
        "requires_verification",
    ),
    "milestone_event": ("enrollment_id", "milestone_id", "reached_on", "verified_on"),
    "enrollment": (
        "id",
        "member_id",
        "program_id",
        "status",
        "enrolled_on",
        "target_completion_date",
        "current_phase_id",
        "phase_started_on",
        "progress_percentage",
        "last_activity_on",
    ),
    "requirement_progress": (
        "id",
        "enrollment_id",
        "program_requirement_id",
        "status",
        "progress_value",
        "progress_percentage",
        "due_on",
    ),
    "requirement": (
        "id",
        "name",
        "requirement_type",
        "required_hours",
        "required_shifts",
        "required_calls",
        "required_courses",
        "credential_code",
        "required_skills",
        "checklist_items",
        "hour_categories",
        "frequency",
    ),
    "member": ("id", "name", "email", "role", "status"),
    "certification": (
        "id",
        "member_id",
        "credential_code",
        "name",
        "issued_on",
        "expires_on",
        "voided_at",
    ),
    "reminder_log": (
        "id",
        "kind",
        "item",
        "recipient_id",
        "threshold",
        "member_id",
        "due_on",
        "to_addr",
        "title",
        "message_id",
        "status",
        "attempts",
        "run_id",
        "claimed_at",
        "sent_at",
        "answer",
        "error",
    ),
}


DONE_SQL = "('completed', 'waived')"
# The open progress rows with a due date, as ix_requirement_progress_open_due's predicate
# (models.OPEN_DUE) reads: a scan's WHERE must repeat it word for word for SQLite to use
# that index (it matches terms, it does not reason about them).
OPEN_DUE = "rp.due_on IS NOT NULL AND rp.status NOT IN " + DONE_SQL
FRESH = dr.FRESH_DAYS
Text = tuple[str, str, str]  # (why, Subject, body)


def _day(rd: Reader, day: date) -> Any:
    """A date parameter: ISO text for SQLite (as SQLAlchemy stores it), a date for psycopg."""
    return day.isoformat() if rd.dialect == "sqlite" else day


# ------------------------------------------------------------------ programs and phases
@dataclass(frozen=True)
class ProgramInfo:
    id: int
    name: str
    schedule: dr.Schedule


@dataclass(frozen=True)
class PhaseInfo:
    id: int
    program_id: int
    number: int
    name: str
    time_limit_days: int | None

    @property
    def label(self) -> str:
        return f"phase {self.number} ({self.name})"


def programs(rd: Reader) -> dict[int, ProgramInfo]:
    rows = rd.all("SELECT id, name, version, warning_days_before, reminder_conditions FROM program")
    out = {}
    for pid, name, version, warn, rc in rows:
        label = name if version == 1 else f"{name} (version {version})"
        out[pid] = ProgramInfo(pid, label, dr.schedule_of(warn, as_json(rc) or {}))
    return out


def phases(rd: Reader) -> dict[int, PhaseInfo]:
    rows = rd.all("SELECT id, program_id, phase_number, name, time_limit_days FROM program_phase")
    return {r[0]: PhaseInfo(*r) for r in rows}


def _phase_terms(
    rd: Reader, windows: Sequence[tuple[int, date | None, date]], prefix: str
) -> tuple[str, dict[str, Any]]:
    """`(e.current_phase_id = :ph AND e.phase_started_on BETWEEN :lo AND :hi) OR ...`: one
    index range per phase (ix_enrollment_active_phase); lo None means no lower bound."""
    terms, params = [], {}
    for i, (phase_id, lo, hi) in enumerate(windows):
        k = f"{prefix}{i}"
        # the status in every term: SQLite then reads each range from the partial index
        if lo is None:
            terms.append(
                f"(e.status = 'active' AND e.current_phase_id = :{k} "
                f"AND e.phase_started_on < :{k}_hi)"
            )
        else:
            terms.append(
                f"(e.status = 'active' AND e.current_phase_id = :{k} "
                f"AND e.phase_started_on BETWEEN :{k}_lo AND :{k}_hi)"
            )
            params[f"{k}_lo"] = _day(rd, lo)
        params |= {k: phase_id, f"{k}_hi": _day(rd, hi)}
    return " OR ".join(terms), params


# ----------------------------------------------------------------------------- selection
@dataclass
class Selection:
    """What a run would send (member reminders, then the officers' digests), and who is
    behind (the digest's first lines and how many members). `officers`: how many active
    officers would get the digest; with none, nobody is told who is behind (callers warn)."""

    today: date
    reminders: list[dr.Reminder]
    behind: list[dr.Behind]
    members_behind: int
    officers: int = 0


def select_due(rd: Reader, today: date, zone: ZoneInfo | None = None) -> Selection:
    """Every reminder due on `today` (the department's day) that was never sent (the log
    is consulted). `zone` is not needed: every date the selection reads is a department
    day already (the effective dates, issue 11 #25); callers that pass it still work."""
    import gc

    # Tens of thousands of short-lived rows and no reference cycles: the cyclic garbage
    # collector would only walk them over and over (a tenth of the selection's time).
    enabled = gc.isenabled()
    gc.disable()
    for_bulk_reads(rd)
    try:
        return _select_due(rd, today)
    finally:
        if enabled:
            gc.enable()


def _select_due(rd: Reader, today: date) -> Selection:
    progs, phs = programs(rd), phases(rd)
    found = [
        *_program_deadlines(rd, today, progs),
        *_phase_deadlines(rd, today, progs, phs),
        *_requirement_deadlines(rd, today, progs),
        *_inactivity(rd, today, progs),
        *_milestones(rd, today, progs),
        *_assignments(rd, today, progs, phs),
        *_certifications(rd, today),
        *_compliance(rd, today),
    ]
    log = LogCheck(rd)
    due = log.unsent(found)
    behind: list[dr.Behind] = []
    members = 0
    officers = rd.all(
        "SELECT id, name, email FROM member WHERE role = 'officer' AND status = 'active' "
        f"ORDER BY {by_text(rd.dialect, 'name')}, id"
    )
    waiting: list[str] = []
    if officers:
        behind, members = who_is_behind(rd, today, progs, phs)
        waiting = waiting_for_officer(rd, today, progs, phs)
    if members or waiting:
        sent_to_members = len(due)
        due += log.unsent(
            [
                dr.Reminder(
                    dr.Key("digest", f"day:{today.isoformat()}", oid, dr.DIGEST),
                    dr.Person(oid, name, email),
                    None,
                    today,
                    "who is behind",
                    partial(_digest_text, name, today, behind, members, sent_to_members, waiting),
                )
                for oid, name, email in officers
            ],
        )
    due.sort(key=dr.run_order)
    return Selection(today, due, behind, members, len(officers))


def _deadline_text(
    name: str, facts: dr.DeadlineFacts, crossed: dr.Crossed, today: date, why: str
) -> Text:
    title, body = dr.deadline_text(name, facts, crossed, today)
    return f"{why} ({dr.threshold_text(crossed.threshold)})", title, body


def _program_text(
    name: str, program: str, deadline: date, progress: float, crossed: dr.Crossed, today: date,
    waits: bool = False,
) -> Text:
    if waits:  # the phase is done: the next move is the officer's, not the member's
        step = ("your current phase is complete and waits for your training officer to move "
                "you on to the next one; ask them to, " +
                ("and talk to them about the missed target date." if deadline < today
                 else "so you have time to finish before the date."))  # fmt: skip
    elif deadline < today:
        step = ("complete the requirements that are still open as soon as you can, and talk to "
                "your training officer about the missed target date.")  # fmt: skip
    else:
        step = ("complete the requirements that are still open; if you need more time, talk "
                "to your training officer before the date.")  # fmt: skip
    facts = dr.DeadlineFacts(
        what=f'your training program "{program}"',
        short=program,
        deadline=deadline,
        progress=f"{dr.pct(progress)} complete",
        next_step=step,
    )
    why = (
        f"target date {deadline.isoformat()} {dr.when_text(deadline, today)}; "
        f"{dr.pct(progress)} complete" + ("; the phase waits for an officer to advance it" if waits else "")
    )
    return _deadline_text(name, facts, crossed, today, why)


def _phase_text(
    name: str, program: str, phase: PhaseInfo, deadline: date, total: int, open_items: int,
    crossed: dr.Crossed, today: date,
) -> Text:  # fmt: skip
    facts = dr.DeadlineFacts(
        what=f'{phase.label} of "{program}"',
        short=f"{program}, {phase.label}",
        deadline=deadline,
        progress=f"{total - open_items} of {total} required items of the phase done",
        next_step=f"finish the {dr.plural(open_items, 'open item')} of {phase.label}; "
        "your training officer can show you which.",
    )
    why = (
        f"{phase.label} due {deadline.isoformat()} {dr.when_text(deadline, today)}; "
        f"{open_items} open"
    )
    return _deadline_text(name, facts, crossed, today, why)


# Whether program link `pr` is in enrollment `e`'s scope now: of no phase, or of the
# phase the member is in. A phase already left is not (a row of it reopened after the
# member moved on is not theirs to be reminded of), nor one not yet started.
IN_SCOPE_SQL = "(pr.phase_id IS NULL OR pr.phase_id = e.current_phase_id)"

# Whether enrollment `e`'s member can take credit now: no current phase, or an open
# required row of it (or of no phase). Otherwise the phase is complete and waits for an
# officer to advance it (`:yes` is bound to True).
CAN_ACT_SQL = (
    "(e.current_phase_id IS NULL OR EXISTS (SELECT 1 FROM requirement_progress rp "
    "CROSS JOIN program_requirement pr WHERE rp.enrollment_id = e.id "
    "AND pr.id = rp.program_requirement_id AND pr.is_required = :yes "
    f"AND {IN_SCOPE_SQL} AND rp.status NOT IN {DONE_SQL}))"
)


def _program_deadlines(rd: Reader, today: date, progs: dict[int, ProgramInfo]) -> list[dr.Reminder]:
    """Active enrollments whose target date is within the farthest lead day, or passed
    less than FRESH_DAYS ago (ix_enrollment_active_target)."""
    farthest = max((p.schedule.farthest for p in progs.values() if p.schedule.warns), default=None)
    if farthest is None:
        return []
    rows = rd.all(
        "SELECT e.id, e.member_id, m.name, m.email, e.program_id, e.target_completion_date, "
        f"e.progress_percentage, CASE WHEN {CAN_ACT_SQL} THEN 0 ELSE 1 END "
        "FROM enrollment e JOIN member m ON m.id = e.member_id "
        "WHERE e.status = 'active' AND e.target_completion_date BETWEEN :lo AND :hi "
        "AND m.status = 'active' AND e.enrolled_on <= :today",  # (not yet enrolled as of today)
        {
            "lo": _day(rd, dr.shift(today, -FRESH - 1)),
            "hi": _day(rd, dr.shift(today, farthest)),
            "today": _day(rd, today),
            "yes": True,
        },
    )
    out = []
    for eid, mid, name, email, pid, target, progress, waits in rows:
        deadline, program = as_date(target), progs[pid]
        assert deadline is not None
        crossed = dr.deadline_due(deadline, today, program.schedule, progress=progress)
        if crossed is None:
            continue
        out.append(
            dr.Reminder(
                dr.Key(
                    "program_deadline",
                    f"enrollment:{eid}/due:{deadline.isoformat()}",
                    mid,
                    crossed.threshold,
                ),
                dr.Person(mid, name, email),
                mid,
                crossed.on,
                program.name,
                partial(_program_text, name, program.name, deadline, progress, crossed, today,
                        bool(waits)),
            )
        )
    return out


def _phase_deadlines(
    rd: Reader, today: date, progs: dict[int, ProgramInfo], phs: dict[int, PhaseInfo]
) -> list[dr.Reminder]:
    """The current phase of active enrollments, where the phase has a time limit and its
    deadline is within the program's farthest lead day or passed less than FRESH_DAYS
    ago: one range of ix_enrollment_active_phase per phase."""
    windows = []
    for ph in phs.values():
        schedule = progs[ph.program_id].schedule
        if ph.time_limit_days and schedule.warns:
            windows.append((ph.id, dr.shift(today, -FRESH - 1 - ph.time_limit_days),
                            dr.shift(today, schedule.farthest - ph.time_limit_days)))  # fmt: skip
    if not windows:
        return []
    terms, params = _phase_terms(rd, windows, "ph")
    # the candidates first (index ranges), then their members and open items
    rows = rd.all(
        f"WITH cand (eid) AS (SELECT e.id FROM enrollment e WHERE {terms}) "
        "SELECT e.id, e.member_id, m.name, m.email, e.program_id, e.current_phase_id, "
        "e.phase_started_on, e.progress_percentage, COUNT(rp.id), "
        "SUM(CASE WHEN rp.status IN " + DONE_SQL + " THEN 0 ELSE 1 END) "
        "FROM cand CROSS JOIN enrollment e CROSS JOIN member m "
        "LEFT JOIN program_requirement pr "
        "  ON pr.phase_id = e.current_phase_id AND pr.is_required = :yes "
        "LEFT JOIN requirement_progress rp "
        "  ON rp.enrollment_id = e.id AND rp.program_requirement_id = pr.id "
        "WHERE e.id = cand.eid AND m.id = e.member_id AND m.status = 'active' "
        "GROUP BY e.id, e.member_id, m.name, m.email, e.program_id, e.current_phase_id, "
        "e.phase_started_on, e.progress_percentage",
        {**params, "yes": True},
    )
    out = []
    for eid, mid, name, email, pid, phid, started, progress, total, open_ in rows:
        program, phase = progs[pid], phs[phid]
        open_items, total = int(open_ or 0), int(total or 0)
        deadline, crossed = dr.phase_due(
            as_date(started),
            phase.time_limit_days,
            today,
            program.schedule,
            progress=progress,
            open_items=open_items,
        )
        if crossed is None or deadline is None:
            continue
        out.append(
            dr.Reminder(
                dr.Key(
                    "phase_deadline",
                    f"enrollment:{eid}/phase:{phid}/due:{deadline.isoformat()}",
                    mid,
                    crossed.threshold,
                ),
                dr.Person(mid, name, email),
                mid,
                crossed.on,
                f"{program.name}, {phase.label}",
                partial(
                    _phase_text,
                    name,
                    program.name,
                    phase,
                    deadline,
                    total,
                    open_items,
                    crossed,
                    today,
                ),
            )
        )
    return out


def _progress_text(
    target: dp.Target, value: float, percentage: float, late: bool = False
) -> tuple[str, str]:
    """('6 / 12 h (50%)', 'record the remaining 6 h before the deadline.'); `late`: the
    deadline has passed ('... as soon as you can; ask your training officer how the late
    hours are handled.')."""
    unit = dp.UNITS.get(target.requirement_type, "")
    goal = target.target_value
    if target.requirement_type == "certification":
        return (
            "no matching certification on file",
            "give your training officer a copy of your current card.",
        )
    if goal is None:
        return f"{dr.pct(percentage)} complete", "complete it with your training officer."
    left = max(0.0, float(goal) - float(value or 0))
    figure = f"{hours_text(value)} / {hours_text(goal)} {unit} ({dr.pct(percentage)})"
    verb = "record" if target.is_numeric else "complete"
    if late:
        return figure, (f"{verb} the remaining {left:g} {unit} as soon as you can, and talk to "
                        "your training officer about the missed deadline.")  # fmt: skip
    return figure, f"{verb} the remaining {left:g} {unit} before the deadline."


def _requirement_text(
    name: str, rname: str, program: str, deadline: date, row: tuple[Any, ...],
    targets: dict[tuple[Any, ...], dp.Target], value: float, percentage: float,
    note: str | None, crossed: dr.Crossed, today: date, pending: int = 0,
) -> Text:  # fmt: skip
    # the figure is the requirement's target over the enrollment's span; the department's
    # NCCP local-content setting only moves hours between categories, never the figure.
    # `targets`: one per distinct requirement and span (a class enrolled on one day shares it)
    key = tuple(repr(v) if isinstance(v, list | dict) else v for v in row)  # psycopg's JSON
    target = targets.get(key)
    if target is None:
        target = targets[key] = target_of(row)
    figure, next_step = _progress_text(target, value, percentage, late=deadline < today)
    if pending:  # the member did their part: the officer's verification is what is missing
        figure += f"; {dr.reported_text(pending)}"
        next_step = dr.verify_step(late=deadline < today)
    facts = dr.DeadlineFacts(
        what=f'"{rname}" in "{program}"',
        short=f"{rname} ({program})",
        deadline=deadline,
        progress=figure,
        next_step=next_step,
        note=note,
    )
    why = f"due {deadline.isoformat()} {dr.when_text(deadline, today)}; {figure}"
    return _deadline_text(name, facts, crossed, today, why)


def _requirement_deadlines(
    rd: Reader, today: date, progs: dict[int, ProgramInfo]
) -> list[dr.Reminder]:
    """Open required progress rows whose due date is within the farthest lead day, or
    passed less than FRESH_DAYS ago (ix_requirement_progress_open_due: open rows only),
    of no phase or of the phase the member is in (IN_SCOPE_SQL)."""
    farthest = max((p.schedule.farthest for p in progs.values() if p.schedule.warns), default=None)
    if farthest is None:
        return []
    rows = rd.all(
        "SELECT rp.id, rp.due_on, rp.status, rp.progress_value, rp.progress_percentage, "
        "e.member_id, m.name, m.email, e.program_id, e.progress_percentage, r.name, "
        # self-reported credit waiting for an officer (the row's own credits, by its index)
        "pr.notification_message, (SELECT COUNT(*) FROM progress_credit c "
        "WHERE c.progress_id = rp.id AND c.state = 'pending'), "
        f"{TARGET_COLUMNS} "
        # the open rows' range is the outer loop (CROSS JOIN): without ANALYZE statistics
        # SQLite would rather walk every active enrollment (ix_enrollment_status)
        "FROM requirement_progress rp CROSS JOIN enrollment e CROSS JOIN member m "
        "CROSS JOIN program_requirement pr CROSS JOIN requirement r "
        f"WHERE {OPEN_DUE} AND rp.due_on BETWEEN :lo AND :hi "
        "AND e.id = rp.enrollment_id AND m.id = e.member_id "
        "AND pr.id = rp.program_requirement_id AND r.id = pr.requirement_id "
        "AND e.status = 'active' AND m.status = 'active' AND pr.is_required = :yes "
        f"AND {IN_SCOPE_SQL} "
        "AND e.enrolled_on <= :today",  # an enrollment that begins after today: not yet
        {
            "lo": _day(rd, dr.shift(today, -FRESH - 1)),
            "hi": _day(rd, dr.shift(today, farthest)),
            "yes": True,
            "today": _day(rd, today),
        },
    )
    targets: dict[tuple[Any, ...], dp.Target] = {}
    out = []
    for row in rows:
        rpid, due, status, value, percentage, mid, name, email, pid, eprog, rname = row[:11]
        deadline, program = as_date(due), progs[pid]
        assert deadline is not None
        crossed = dr.deadline_due(deadline, today, program.schedule, progress=eprog, status=status)
        if crossed is None:
            continue
        out.append(
            dr.Reminder(
                dr.Key(
                    "requirement_deadline",
                    f"progress:{rpid}/due:{deadline.isoformat()}",
                    mid,
                    crossed.threshold,
                ),
                dr.Person(mid, name, email),
                mid,
                crossed.on,
                f"{rname} ({program.name})",
                partial(
                    _requirement_text,
                    name,
                    rname,
                    program.name,
                    deadline,
                    row[13:],  # the target over the enrollment's span (target_of)
                    targets,
                    value,
                    percentage,
                    row[11],
                    crossed,
                    today,
                    row[12],
                ),
            )
        )
    return out


def _inactive_text(name: str, program: str, last: date, progress: float, days: int | None,
                   today: date, resumed: bool = False) -> Text:  # fmt: skip
    title, body = dr.inactive_text(name, program, last, progress, today, resumed)
    why = (
        f"nothing recorded since {'resumed ' if resumed else ''}{last.isoformat()} "
        f"({dr.days_between(last, today)} days; limit {days})"
    )
    return why, title, body


def _inactivity(rd: Reader, today: date, progs: dict[int, ProgramInfo]) -> list[dr.Reminder]:
    """Active enrollments of programs with inactive_days whose last activity (the effective
    date of the last credit, enrollment.last_activity_on, kept by the rollup: the
    department's day it was entered or the --as-of date it was entered under; else the
    enrollment date, when that is later) makes a quiet stretch that came due in the last
    FRESH_DAYS. Two index ranges, each enrollment in one of them: by the last credit
    (ix_enrollment_active_program_activity) and, for those without a credit since they
    enrolled, by the enrollment date (ix_enrollment_active_program_enrolled). Grouping the
    last weeks' credits by enrollment instead cost 0.25-0.37 s CPU on bench/reminders.py
    (193,000 credits in the window), the two ranges 0.06 s."""
    quiet = {pid: p for pid, p in progs.items() if p.schedule.inactive_days}
    if not quiet:
        return []
    days = [p.schedule.inactive_days or 0 for p in quiet.values()]
    lo = dr.shift(today, -max(days) - FRESH - 1)  # the oldest last activity still news
    hi = dr.shift(today, -min(days))  # the newest last activity already quiet long enough
    ids, params = in_list("p", sorted(quiet))
    cols = (
        "e.id, e.member_id, m.name, m.email, e.program_id, e.enrolled_on, "
        "e.progress_percentage, e.last_activity_on, e.resumed_on"
    )
    # A member whose current phase is complete waits for an officer to advance it: the
    # quiet stretch is not theirs to end (only rows of that phase, or of no phase, can
    # take credit now), so no reminder (the officers' digest lists them).
    can_act = CAN_ACT_SQL
    rows = rd.all(
        f"SELECT {cols} FROM enrollment e JOIN member m ON m.id = e.member_id "
        f"WHERE e.status = 'active' AND e.program_id IN {ids} "
        "AND e.last_activity_on BETWEEN :lo AND :hi AND e.last_activity_on >= e.enrolled_on "
        f"AND m.status = 'active' AND {can_act} "
        "UNION ALL "
        f"SELECT {cols} FROM enrollment e JOIN member m ON m.id = e.member_id "
        f"WHERE e.status = 'active' AND e.program_id IN {ids} "
        "AND e.enrolled_on BETWEEN :lo AND :hi "
        "AND (e.last_activity_on IS NULL OR e.last_activity_on < e.enrolled_on) "
        f"AND m.status = 'active' AND {can_act}",
        {**params, "lo": _day(rd, lo), "hi": _day(rd, hi), "yes": True},
    )
    out = []
    for eid, mid, name, email, pid, enrolled, progress, last, resumed in rows:
        program = quiet[pid]
        last_day = dr.quiet_since(required(as_date(enrolled)), as_date(last))
        crossed = dr.inactive_due(last_day, today, program.schedule.inactive_days)
        if crossed is None:
            continue
        out.append(
            dr.Reminder(
                dr.Key("inactive", f"enrollment:{eid}", mid, crossed.threshold),
                dr.Person(mid, name, email),
                mid,
                crossed.on,
                program.name,
                partial(
                    _inactive_text,
                    name,
                    program.name,
                    last_day,
                    progress,
                    program.schedule.inactive_days,
                    today,
                    last_day == as_date(resumed),
                ),
            )
        )
    return out


def _milestone_text(name: str, mname: str, program: str, threshold: float, progress: float,
                    note: str | None, on: date) -> Text:  # fmt: skip
    title, body = dr.milestone_text(name, mname, program, threshold, progress, note)
    return f"milestone {mname} ({dr.pct(threshold)}) reached {on.isoformat()}", title, body


def _milestones(rd: Reader, today: date, progs: dict[int, ProgramInfo]) -> list[dr.Reminder]:
    """Milestones reached (verified, when they need it) in the last FRESH_DAYS, on
    enrollments that are active or completed (the 100% milestone completes one), by their
    effective dates (milestone_event.reached_on, verified_on: the department's day or the
    --as-of date the progress was recorded under; ix_milestone_event_reached_on,
    ix_milestone_event_verified_on)."""
    rows = rd.all(
        "SELECT ev.enrollment_id, ev.milestone_id, ev.reached_on, ev.verified_on, "
        "pm.requires_verification, pm.name, pm.completion_percentage_threshold, "
        "pm.notification_message, e.member_id, m.name, m.email, e.program_id, "
        "e.progress_percentage, pm.phase_id "
        "FROM milestone_event ev "
        "JOIN program_milestone pm ON pm.id = ev.milestone_id "
        "JOIN enrollment e ON e.id = ev.enrollment_id "
        "JOIN member m ON m.id = e.member_id "
        "WHERE (ev.reached_on BETWEEN :lo AND :today OR ev.verified_on BETWEEN :lo AND :today) "
        "AND e.status IN ('active', 'completed') AND m.status = 'active'",
        {"lo": _day(rd, dr.shift(today, 1 - FRESH)), "today": _day(rd, today)},
    )
    news = []  # (the day it is news from, the row)
    for row in rows:
        on = as_date(row[3] if row[4] else row[2])  # verified, when it needs it; else reached
        if on is not None and dr.fresh(on, today):
            news.append((on, row))
    phases = phase_rows(rd, sorted({row[0] for _, row in news if row[13] is not None}))
    out = []
    for on, row in news:
        eid, msid, _, _, _, mname, threshold, note, mid, name, email, pid, pct, phase = row
        # a phase milestone crosses on its phase's progress (a phase already left too)
        at = dp.milestone_progress(pct, None if phase is None else phases.get((eid, phase), ()))
        if not dp.milestone_holds(threshold, at):
            continue  # progress fell back below it (a void, an uncheck): nothing is sent about it
        program = progs[pid]
        out.append(
            dr.Reminder(
                dr.Key("milestone", f"enrollment:{eid}/milestone:{msid}", mid, dr.REACHED),
                dr.Person(mid, name, email),
                mid,
                on,
                f"{mname} ({program.name})",
                partial(_milestone_text, name, mname, program.name, threshold, pct, note, on),
            )
        )
    return out


def _assigned_text(name: str, rname: str, program: str, deadline: date | None, note: str,
                   on: date) -> Text:  # fmt: skip
    title, body = dr.assigned_text(name, rname, program, deadline, note)
    return f"assigned {on.isoformat()}: {' '.join(note.split())[:60]}", title, body


def _assignments(
    rd: Reader, today: date, progs: dict[int, ProgramInfo], phs: dict[int, PhaseInfo]
) -> list[dr.Reminder]:
    """Open requirements with a notification message whose scope started in the last
    FRESH_DAYS: at enrollment (program level), or when the current phase started, or, for
    a requirement linked into a program in use, the day it reached the enrollment
    (requirement_progress.assigned_on, its own index range)."""
    scopes = rd.all(
        "SELECT DISTINCT program_id, phase_id FROM program_requirement "
        "WHERE notification_message <> ''"
    )
    if not scopes:
        return []
    lo = dr.shift(today, -FRESH)
    at_enrollment = sorted({pid for pid, phase in scopes if phase is None})
    in_phase = sorted({phase for _, phase in scopes if phase is not None})
    cols = (
        "SELECT rp.id, rp.due_on, e.member_id, m.name, m.email, e.program_id, e.enrolled_on, "
        "e.phase_started_on, pr.phase_id, pr.notification_message, r.name, rp.assigned_on, "
        "e.resumed_on "
        "FROM enrollment e JOIN member m ON m.id = e.member_id "
        "JOIN requirement_progress rp ON rp.enrollment_id = e.id "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
        "JOIN requirement r ON r.id = pr.requirement_id "
    )
    opened = (
        "AND pr.notification_message <> '' AND rp.status NOT IN " + DONE_SQL + " "
        "AND m.status = 'active'"
    )
    parts, params = [], {"lo": _day(rd, lo), "today": _day(rd, today)}
    if at_enrollment:
        ids, p = in_list("p", at_enrollment)
        parts.append(
            cols + f"WHERE e.status = 'active' AND e.program_id IN {ids} "
            "AND e.enrolled_on BETWEEN :lo AND :today AND pr.phase_id IS NULL "
            "AND rp.assigned_on IS NULL " + opened
        )
        params |= p
    if in_phase:
        terms, p = _phase_terms(rd, [(ph, lo, today) for ph in in_phase], "ph")
        parts.append(
            cols + f"WHERE ({terms}) AND pr.phase_id = e.current_phase_id "
            "AND rp.assigned_on IS NULL " + opened
        )
        params |= p
    # linked into a program in use: the row's own day (ix_requirement_progress_assigned),
    # or, when it was linked while the enrollment was on hold (no mail goes to a held
    # enrollment), the day it was resumed (ix_enrollment_resumed)
    in_scope = f"AND e.status = 'active' AND {IN_SCOPE_SQL} "
    parts.append(
        cols + "WHERE rp.assigned_on IS NOT NULL AND rp.assigned_on BETWEEN :lo AND :today "
        + in_scope + opened
    )
    parts.append(
        cols + "WHERE e.resumed_on IS NOT NULL AND e.resumed_on BETWEEN :lo AND :today "
        "AND rp.assigned_on IS NOT NULL AND rp.assigned_on <= e.resumed_on " + in_scope + opened
    )
    rows = rd.all(" UNION ALL ".join(parts), params)
    out = []
    seen: set[int] = set()
    for rpid, due, mid, name, email, pid, enrolled, started, phase_id, note, rname, assigned, resumed in rows:  # fmt: skip
        if rpid in seen:  # linked and resumed in the last days: both ranges hold it
            continue
        seen.add(rpid)
        scope = as_date(enrolled if phase_id is None else started)
        linked, back = as_date(assigned), as_date(resumed)
        if linked is not None and back is not None and linked <= back:
            linked = back  # linked during a hold (or before the resume): news from the resume
        days = [d for d in (scope, linked) if d is not None]
        on = max(days) if days else None
        if on is None or not dr.fresh(on, today) or not note.strip():
            continue
        program = progs[pid]
        out.append(
            dr.Reminder(
                dr.Key("assigned", f"progress:{rpid}", mid, dr.ASSIGNED),
                dr.Person(mid, name, email),
                mid,
                on,
                f"{rname} ({program.name})",
                partial(_assigned_text, name, rname, program.name, as_date(due), note, on),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class _Card:
    """A certification card as queries.certifications.standing reads it."""

    id: int
    member_id: int
    credential_code: str
    issued_on: date
    expires_on: date | None
    voided_at: datetime | None


def _cert_text(name: str, credential: str, expires_on: date, crossed: dr.Crossed,
               today: date, assumed: str = "", held_by: str | None = None) -> Text:  # fmt: skip
    """`assumed`: the letter's word on where the last day comes from; `held_by`: what the
    preview's Why says of it (by default "no expiry on file" when there is such a word)."""
    title, body = dr.cert_text(name, credential, expires_on, crossed, today, assumed)
    when = dr.when_text(expires_on, today)
    why = (
        f"{credential} expired: last valid day {expires_on.isoformat()} ({when})"
        if today > expires_on  # the letter's title says "Expired" too (domain/reminders.cert_text)
        else f"{credential} expires {expires_on.isoformat()} ({when})"
    )
    if held_by is None:
        held_by = ", no expiry on file" if assumed else ""
    why += held_by
    return f"{why} ({dr.threshold_text(crossed.threshold)})", title, body


def _certifications(rd: Reader, today: date) -> list[dr.Reminder]:
    """Certification cards expiring within 90 days, or expired less than FRESH_DAYS ago
    (ix_certification_expiring), with every card of the same member and credential: the
    card that decides (domain/certs `standing`) is the one warned about; a renewed or
    voided card needs no warning. A card's last day is domain/certs `last_day`, as
    compliance judges it: its expiry on file, else, for a credential a renewing
    certification requirement names (BLS, biennial), its issue day + the renewal - 1 day
    (such cards are found by issue day); the latest decides."""
    from trainctl.domain.certs import credential_code, held_since, last_day, standing
    from trainctl.queries.certifications import (
        card_rules,
        deciding_records,
        outlasted,
        record_holds,
    )

    lo, hi = dr.shift(today, -FRESH), dr.shift(today, max(dr.CERT_LEAD_DAYS))
    rules = card_rules(rd, today)
    params: dict[str, Any] = {"lo": _day(rd, lo), "hi": _day(rd, hi)}
    # cards without an expiry whose assumed last day may be in [lo, hi] (under any renewal
    # of a requirement naming the credential: whose applies is decided below): by issue day
    assumed = []
    for i, n in enumerate(sorted({n for found in rules.rules.values() for n, _ in found})):
        try:
            first, after = held_since(lo, n), held_since(dr.shift(hi, 1), n)
        except (ValueError, OverflowError):  # an as-of day at the calendar's ends
            continue
        assert first is not None and after is not None
        named = sorted(code for code, found in rules.rules.items() if any(m == n for m, _ in found))
        codes, p = in_list(f"r{i}c", named)
        params.update(p, **{f"r{i}lo": _day(rd, first), f"r{i}hi": _day(rd, dr.shift(after, -1))})
        assumed.append(f"(credential_code IN {codes} AND issued_on BETWEEN :r{i}lo AND :r{i}hi)")
    without = (
        f" UNION SELECT member_id, credential_code FROM certification WHERE voided_at IS NULL "
        f"AND expires_on IS NULL AND ({' OR '.join(assumed)})"
        if assumed
        else ""
    )
    rows = rd.all(
        "WITH cand (member_id, code) AS ("
        "  SELECT DISTINCT member_id, credential_code FROM certification "
        f"  WHERE voided_at IS NULL AND expires_on BETWEEN :lo AND :hi{without}) "
        "SELECT c.id, c.member_id, c.credential_code, c.issued_on, c.expires_on, c.voided_at, "
        "c.name, m.name, m.email FROM cand CROSS JOIN certification c "
        "JOIN member m ON m.id = c.member_id "
        "WHERE c.member_id = cand.member_id AND c.credential_code = cand.code "
        "AND m.status = 'active'",
        params,
    )
    cards = [_Card(r[0], r[1], r[2], as_date(r[3]), as_date(r[4]), as_utc(r[5])) for r in rows]  # type: ignore[arg-type]
    state = standing(cards, today, rules)
    # a class record of the credential's course that holds it longer: no card to renew
    # (and when it runs out itself, the record is warned about: `_held_by_records`)
    holds = record_holds(rd, today, rules) if rules.codes else {}
    by_record = deciding_records(cards, holds, rules, today)  # every card of these pairs is read
    # a lower level that a higher one including it holds longer (a Firefighter I card
    # beside a Firefighter II card that outlasts it): no renewal to warn of, as `report
    # expiring` lists none
    higher = outlasted(rd, cards, holds, rules, today)
    out = []
    for card, row in zip(cards, rows, strict=True):
        _status, decides = state[card.id]
        last = last_day(card, rules)
        if (card.member_id, card.credential_code) in by_record:
            continue
        if (card.member_id, credential_code(card.credential_code)) in higher:
            continue
        crossed = dr.cert_due(last, today, superseded=not decides)
        if crossed is None or last is None:
            continue
        code, label, name, email = card.credential_code, row[6], row[7], row[8]
        credential = f"{code} ({label})" if label and label.strip().upper() != code else code
        why = (
            ""
            if card.expires_on is not None
            else f"No expiry is on file for this card: it is taken to hold {rules(card)} months "
            f"from its issue on {card.issued_on.isoformat()}, as the requirement renews. If your "
            "card shows its expiry, give your training officer a copy so the record says it."
        )
        out.append(
            dr.Reminder(
                dr.Key(
                    "cert_expiry",
                    f"certification:{card.id}/expires:{last.isoformat()}",
                    card.member_id,
                    crossed.threshold,
                ),
                dr.Person(card.member_id, name, email),
                card.member_id,
                crossed.on,
                credential,
                partial(_cert_text, name, credential, last, crossed, today, why),
            )
        )
    return out + _held_by_records(rd, today, rules, holds, lo, hi)


def _held_by_records(
    rd: Reader, today: date, rules: Any, holds: dict[tuple[int, str], Any], lo: date, hi: date
) -> list[dr.Reminder]:
    """A credential an active member holds by a class record of its course (as compliance
    counts an ACLS class for an ACLS card) that no card holds as long: warned about as a
    card is, at 90/60/30/7 days and on its last day (`report expiring` lists it)."""
    from trainctl.domain.certs import credential_code
    from trainctl.queries.certifications import deciding_records, held_higher

    due = {k: h for k, h in holds.items() if any(lo <= r.last <= hi for r in h.rivals or (h,))}
    if not due:
        return []
    people: dict[int, tuple[str, str]] = {}
    cards: list[_Card] = []  # the members' cards: what decides is weighed over them and the records
    for part in chunks(sorted({mid for mid, _ in due})):
        ins, p = in_list("m", part)
        people.update((r[0], (r[1], r[2])) for r in rd.all(
            f"SELECT id, name, email FROM member WHERE status = 'active' AND id IN {ins}", p))  # fmt: skip
        for r in rd.all(
            "SELECT id, member_id, credential_code, issued_on, expires_on, voided_at FROM certification "
            f"WHERE voided_at IS NULL AND member_id IN {ins}",
            p,
        ):
            card = _Card(r[0], r[1], credential_code(r[2]), as_date(r[3]), as_date(r[4]), None)  # type: ignore[arg-type]
            if card.issued_on is not None:
                cards.append(card)
    decides = deciding_records(cards, due, rules, today)
    # nor when a higher level including the credential holds it longer (`report expiring`)
    mine = {k: h for k, h in holds.items() if k[0] in people}
    higher = held_higher(cards, mine, rules, today) if decides else set()
    out = []
    for (mid, code), h in sorted(decides.items()):
        if mid not in people or not lo <= h.last <= hi or (mid, code) in higher:
            continue
        crossed = dr.cert_due(h.last, today, superseded=False)
        if crossed is None:
            continue
        name, email = people[mid]
        why = f"It is held by your class record {h.course} of {h.completed_on.isoformat()}" + (
            f" (no expiry is on file: it is taken to hold {rules.months(mid, h.code)} months from that "
            "day, as the requirement renews)."
            if h.assumed
            else "."
        )
        out.append(
            dr.Reminder(
                dr.Key("cert_expiry", f"record:{h.record_id}/expires:{h.last.isoformat()}", mid, crossed.threshold),
                dr.Person(mid, name, email),
                mid,
                crossed.on,
                code,
                partial(_cert_text, name, code, h.last, crossed, today, why,
                        f", held by class record {h.course}" + (", no expiry on file" if h.assumed else "")),
            )
        )
    return out


# ---------------------------------------------------------------------------- compliance
def _compliance_text(name: str, requirement: str, status: str, figure: str, due: date | None,
                     window: str, reason: str, crossed: dr.ComplianceDue, today: date,
                     kind: str = "") -> Text:  # fmt: skip
    title, body = dr.compliance_text(name, requirement, status, figure, due, window, today,
                                     reason, kind)  # fmt: skip
    # the evaluator's reason: an overdue cell's names the window that closed short; without
    # one (a due-soon warning for a cell overdue on a window that predates the requirement),
    # the current window's figure and due date
    if not reason:
        reason = f"not met: {figure}" + (f"; due {due}" if due else "")
    return f"{reason} ({dr.threshold_text(crossed.threshold)})", title, body


def _rolling_followed_up(rd: Reader, today: date) -> dict[tuple[int, int, str], list[tuple[date, str]]]:
    """(member, requirement, threshold) -> the member's follow-ups of a rolling
    requirement that stays short, (day, item), dated within a month of `today` either
    side (claimed, sent or failed: dr.standing_follow_up picks the one that stands; a
    key written before follow-ups were dated, "rolling:YYYY-MM", is one too). Bounded by
    day: the log's older months are not read."""
    from trainctl.domain.periods import add_months

    out: dict[tuple[int, int, str], list[tuple[date, str]]] = {}
    for recipient, item, threshold, on in rd.all(
        "SELECT recipient_id, item, threshold, due_on FROM reminder_log "
        "WHERE kind = 'compliance' AND due_on BETWEEN :lo AND :hi "
        "AND item LIKE 'requirement:%/rolling:%'",
        {"lo": _day(rd, dr.shift(add_months(today, -1), -1)),
         "hi": _day(rd, dr.shift(add_months(today, 1), 1))},
    ):  # fmt: skip
        head = item.split("/", 1)[0].partition(":")[2]
        day = as_date(on)
        if head.isdigit() and day is not None:
            out.setdefault((recipient, int(head), threshold), []).append((day, item))
    return out


def _compliance(rd: Reader, today: date) -> list[dr.Reminder]:
    """Recurring requirements (annual, biennial, quarterly, monthly, rolling; not cards,
    whose expiry has its own warnings) turning due soon or overdue for an active member:
    the compliance matrix as of today (queries/compliance.py `matrix`, the one evaluator,
    set-based reads), one reminder per requirement, member, window and threshold. A met
    requirement calls for none, so nothing stale is ever sent. Outside the years reports
    answer for (domain/periods.py MIN_YEAR, MAX_YEAR) there is no compliance to judge."""
    ins, p = in_list("f", sorted(dr.RECURRING))
    # one short query first: a catalog without recurring requirements costs nothing more
    # (not even the imports below)
    # (a requirement changed over time may have been recurring as it stood on `today`)
    counts = rd.one(
        f"SELECT (SELECT COUNT(*) FROM requirement WHERE frequency IN {ins} "
        "AND requirement_type <> 'certification'), (SELECT COUNT(*) FROM requirement_history)",
        p,
    )
    recurring_now, changed = (counts[0], counts[1]) if counts else (0, 0)
    if recurring_now == 0 and changed == 0:
        return []
    from trainctl.domain.periods import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= today.year <= MAX_YEAR:
        return []
    from trainctl.domain import compliance as dcm
    from trainctl.permissions import OWNER
    from trainctl.queries import compliance as qc
    from trainctl.queries import requirements as qr

    def recurring(r: Any) -> bool:
        return (r.frequency or "") in dr.RECURRING and r.requirement_type != "certification"

    rows = [r for r in qr.list_requirements(rd)
            if recurring(r) or (changed and r.requirement_type != "certification")]  # fmt: skip
    if not rows:
        return []
    soon = qc.DUE_SOON_DAYS
    m = qc.matrix(rd, OWNER, as_of=today, rows=rows, due_soon_days=soon)
    # as each requirement stood on `today` (the matrix's rows): recurring then
    rows = [r for r in m.rows if recurring(r)]
    followed = _rolling_followed_up(rd, today) if any(r.frequency == "rolling" for r in rows) else {}
    wanted = []
    for e in m.cells:
        if e.status not in (dcm.DUE_SOON, dcm.OVERDUE) or e.member.id is None:
            continue
        if not recurring(e.requirement):
            continue
        spec = e.requirement
        assert spec.id is not None
        w = e.window
        crossed = dr.compliance_due(
            spec.id, spec.frequency, e.status, window=(w.start, w.end) if w else None,
            due=e.due, today=today, due_soon_days=soon,
            followed_up=followed.get((e.member.id, spec.id, e.status), ()),
        )  # fmt: skip
        if crossed is not None:
            wanted.append((e, crossed))
    if not wanted:
        return []
    emails: dict[int, str] = {}
    ids = sorted({e.member.id for e, _ in wanted if e.member.id is not None})
    for part in range(0, len(ids), 5000):
        ins, p = in_list("m", ids[part : part + 5000])
        emails.update(rd.all(f"SELECT id, email FROM member WHERE id IN {ins}", p))
    out = []
    for e, crossed in wanted:
        mid = e.member.id
        assert mid is not None
        spec, name = e.requirement, e.member.name
        figure = dcm.figure_text(e)
        out.append(
            dr.Reminder(
                dr.Key("compliance", crossed.item, mid, crossed.threshold),
                dr.Person(mid, name, emails[mid]),
                mid,
                crossed.on,
                spec.label,
                partial(
                    # the threshold, not the cell's status: an overdue cell whose closed
                    # window predates the requirement is warned of as due soon (its
                    # reason speaks of that window, so it is left out)
                    _compliance_text, name, spec.label, crossed.threshold, figure, e.due,
                    e.window_label or str(e.window),
                    e.reason if crossed.threshold == e.status else "", crossed, today,
                    spec.requirement_type,
                ),
            )
        )
    return out


# ------------------------------------------------------------------------- who is behind
def who_is_behind(
    rd: Reader, today: date, progs: dict[int, ProgramInfo], phs: dict[int, PhaseInfo]
) -> tuple[list[dr.Behind], int]:
    """Active enrollments past a deadline: the target date, a required requirement's due
    date, or the current phase's (with a required item open). Returns the first
    DIGEST_LINES by member name, with details, and how many members are behind.

    A deadline D is passed when today > D (domain.progress.is_overdue); for a phase,
    D = start + limit (domain.progress.phase_deadline), so start < today - limit.
    """
    windows = [(ph.id, None, dr.shift(today, -ph.time_limit_days))
               for ph in phs.values() if ph.time_limit_days]  # fmt: skip
    phase_sql, params = _phase_terms(rd, windows, "ph") if windows else ("1 = 0", {})
    # driven by the enrollment's own progress rows (their unique index), each row's
    # requirement by its key: for 26,442 enrollments in a phase past its limit
    # (bench/reminders.py) 0.22 -> 0.15 s CPU for that branch (the statement 0.24 -> 0.21
    # s), against the phase's requirements first
    open_in_phase = (
        "SELECT 1 FROM requirement_progress rp CROSS JOIN program_requirement pr "
        "WHERE rp.enrollment_id = e.id AND pr.id = rp.program_requirement_id "
        "AND pr.phase_id = e.current_phase_id AND pr.is_required = :yes "
        "AND rp.status NOT IN " + DONE_SQL
    )
    # a requirement is due on or after its enrollment's start: rows older than the oldest
    # active enrollment belong to finished ones (the history is left out of the range;
    # without an active enrollment the bound is NULL and the range empty)
    oldest = "(SELECT MIN(enrolled_on) FROM enrollment WHERE status = 'active')"
    params |= {"today": _day(rd, today), "yes": True}
    # each branch an index range (CROSS JOIN keeps the range as the outer loop); the late
    # requirements' from ix_requirement_progress_open_due, the open rows with a due date
    # (bench/reminders.py: 0.32 -> 0.18 s for the statement; it read all 350,000 rows)
    rows = rd.all(
        "WITH late (eid) AS ("
        "  SELECT id FROM enrollment WHERE status = 'active' AND target_completion_date < :today"
        "  UNION SELECT rp.enrollment_id FROM requirement_progress rp "
        "  CROSS JOIN program_requirement pr "
        f"  WHERE {OPEN_DUE} AND rp.due_on < :today AND rp.due_on >= {oldest} "
        "  AND pr.id = rp.program_requirement_id AND pr.is_required = :yes"
        f"  UNION SELECT e.id FROM enrollment e WHERE ({phase_sql}) AND EXISTS ({open_in_phase})) "
        ", behind AS (SELECT e.id, e.member_id, m.name, m.email, e.program_id, "
        "  e.progress_percentage FROM late CROSS JOIN enrollment e CROSS JOIN member m "
        "  WHERE e.id = late.eid AND m.id = e.member_id AND e.status = 'active' "
        "  AND m.status = 'active') "
        "SELECT b.*, (SELECT COUNT(DISTINCT member_id) FROM behind) FROM behind b "
        f"ORDER BY {by_text(rd.dialect, 'b.name', 'b.email')}, b.id LIMIT :lines",
        {**params, "lines": dr.DIGEST_LINES},
    )
    members = int(rows[0][-1]) if rows else 0
    shown = [r[:-1] for r in rows]
    if not shown:
        return [], members
    ids, p = in_list("e", [r[0] for r in shown])
    details = {
        r[0]: r[1:]
        for r in rd.all(
            "SELECT e.id, e.target_completion_date, e.current_phase_id, e.phase_started_on, "
            "(SELECT COUNT(*) FROM requirement_progress rp JOIN program_requirement pr "
            "  ON pr.id = rp.program_requirement_id WHERE rp.enrollment_id = e.id "
            "  AND rp.due_on < :today AND rp.status NOT IN " + DONE_SQL + " "
            "  AND pr.is_required = :yes), "
            "(SELECT MIN(rp.due_on) FROM requirement_progress rp JOIN program_requirement pr "
            "  ON pr.id = rp.program_requirement_id WHERE rp.enrollment_id = e.id "
            "  AND rp.due_on < :today AND rp.status NOT IN " + DONE_SQL + " "
            "  AND pr.is_required = :yes), "
            f"EXISTS ({open_in_phase}), "
            # the requirement overdue longest, then by name (queries.by_text: the same one on
            # both backends; at most DIGEST_LINES enrollments)
            "(SELECT r.name FROM requirement_progress rp JOIN program_requirement pr "
            "  ON pr.id = rp.program_requirement_id JOIN requirement r ON r.id = pr.requirement_id "
            "  WHERE rp.enrollment_id = e.id AND rp.due_on < :today "
            "  AND rp.status NOT IN " + DONE_SQL + " AND pr.is_required = :yes "
            f"  ORDER BY rp.due_on, {by_text(rd.dialect, 'r.name')} LIMIT 1), "
            # self-reported credit waiting for an officer: part of what is late may be theirs
            "(SELECT COUNT(*) FROM requirement_progress rp JOIN progress_credit c "
            "  ON c.progress_id = rp.id WHERE rp.enrollment_id = e.id AND c.state = 'pending') "
            f"FROM enrollment e WHERE e.id IN {ids}",
            {**p, "today": _day(rd, today), "yes": True},
        )
    }
    behind = []
    for eid, _mid, name, email, pid, progress in shown:
        target, phid, started, n_late, first_late, phase_open, first_name, pending = details[eid]
        b = dr.Behind(name, email, progs[pid].name, float(progress or 0), enrollment_id=eid,
                      first_overdue=first_name, pending=int(pending or 0))  # fmt: skip
        target = as_date(target)
        if dp.is_overdue(target, "active", today):
            b.target_overdue = target
        phase = phs.get(phid) if phid is not None else None
        if phase is not None and phase_open:
            deadline = dp.phase_deadline(as_date(started), phase.time_limit_days)
            if dp.is_overdue(deadline, "active", today):
                b.phase_overdue = f"{phase.label} was due {deadline.isoformat()}"  # type: ignore[union-attr]
        b.requirements_overdue = int(n_late or 0)
        b.earliest_overdue = as_date(first_late)
        behind.append(b)
    return behind, members


def _digest_text(name: str, today: date, behind: list[dr.Behind], members: int,
                 reminders: int, waiting: Sequence[str] = ()) -> Text:  # fmt: skip
    title, body = dr.digest_text(name, today, behind, members, reminders, waiting)
    why = f"{dr.plural(members, 'member')} behind"
    if waiting:
        why += f"; {dr.plural(len(waiting), 'enrollment')} waiting for an officer"
    return why, title, body


def waiting_for_officer(
    rd: Reader, today: date, progs: dict[int, ProgramInfo], phs: dict[int, PhaseInfo]
) -> list[str]:
    """Active enrollments whose current phase is complete and needs an officer to advance
    it (a later phase exists; every required row of the phase is done): the phase's next
    step is the officer's, whatever the member may still do outside the phases (a
    program-wide CPR card), so the digest says whose move it is. At most DIGEST_LINES,
    by member name; one statement over the active enrollments in a phase."""
    if not phs:  # no phased program: nothing to advance (and no statement)
        return []
    rows = rd.all(
        "SELECT e.id, m.name, m.email, e.program_id, e.current_phase_id "
        "FROM enrollment e JOIN member m ON m.id = e.member_id "
        "JOIN program_phase ph ON ph.id = e.current_phase_id "
        "WHERE e.status = 'active' AND m.status = 'active' AND e.enrolled_on <= :today "
        "AND ph.requires_manual_advancement = :yes "
        "AND EXISTS (SELECT 1 FROM program_phase nx WHERE nx.program_id = ph.program_id "
        "  AND nx.phase_number > ph.phase_number) "
        # the phase is done: no open required row of it (`enroll advance` asks no more;
        # rows of no phase open do not keep the phase from waiting for its officer)
        "AND NOT EXISTS (SELECT 1 FROM requirement_progress rp CROSS JOIN program_requirement pr "
        "  WHERE rp.enrollment_id = e.id AND pr.id = rp.program_requirement_id "
        "  AND pr.phase_id = e.current_phase_id "
        f"  AND pr.is_required = :yes AND rp.status NOT IN {DONE_SQL}) "
        f"ORDER BY {by_text(rd.dialect, 'm.name', 'm.email')}, e.id LIMIT :lines",
        {"today": _day(rd, today), "yes": True, "lines": dr.DIGEST_LINES},
    )
    out = []
    for eid, name, email, pid, phid in rows:
        phase = phs.get(phid)
        label = phase.label if phase is not None else "the current phase"
        out.append(
            f"{name} <{email}> - {progs[pid].name} (enrollment {eid}): {label} is complete; "
            f"advance it: `trainctl enroll advance {eid}`"
        )
    return out


# ------------------------------------------------------------------------------- the log
SENT = ("sent", 0, None)
# a log row that did not go out: failed, or claimed by a run that stopped before its
# The reminders run lock on PostgreSQL: a session-level advisory lock, in the two-key space
# (the write lock, db.WRITE_LOCK, is a one-key lock: the two never collide).
RUN_LOCK = (0x74726E63, 0x72656D69)  # "trnc", "remi"


def lock_path(url: str) -> Path | None:
    """The lock file next to the database file; None for a server database, whose lock
    lives in the server (an advisory lock, see services/reminders `run_lock`), shared by
    every machine."""
    from trainctl.config import sqlite_path

    path = sqlite_path(url)
    if path is None:
        return None
    # the file itself, not the name it was given by: a run through a symlink (or another
    # relative path) to the same database must meet the same lock
    path = path.resolve()
    return path.with_name(f"{path.name}.reminders.lock")


def run_in_progress(rd: Reader, url: str) -> bool:
    """Whether a `reminders send` holds the run lock now: its claims with no outcome are
    being sent, not interrupted (`dr.log_state`). Only looked at, never taken (a reader
    holding the lock for an instant would turn the nightly run away with exit 75): on
    PostgreSQL the advisory lock in pg_locks; beside a SQLite file, the process the lock
    file names (written by the run that took it) still running trainctl."""
    import os

    path = lock_path(url)
    if path is None:
        return bool(rd.all(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = :a AND objid = :b", {"a": RUN_LOCK[0], "b": RUN_LOCK[1]},
        ))  # fmt: skip
    try:
        text = path.read_bytes()[:64].decode("ascii", "replace").strip()
    except OSError:  # no run ever took it
        return False
    if not text.isascii() or not text.isdigit() or int(text) in (0, os.getpid()):
        return False
    pid = int(text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # the run ended (or was killed): its claims are interrupted
    except (PermissionError, OSError):
        pass  # another user's process: running
    try:  # a pid reused by another program since (Linux: its command line says)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"trainctl" in f.read()
    except OSError:
        return True


# outcome (dr.log_state: interrupted). The preview's retries (those still due) and
# `reminders log --failed` read it.
UNSENT_SQL = "status <> 'sent'"
# items per statement: SQLite looks named parameters up in quadratic time, and each
# statement has its cost (bench/reminders.py, 40,806 keys, best of 5 on a busy machine:
# 250 items 0.17-0.26 s, 400 0.18, 500 0.19-0.26)
LOG_CHUNK = 400


class LogCheck:
    """Weighs candidates against the reminder log, on the selection's snapshot: drops what
    was sent, marks retries (failed, or claimed by a killed run) with their attempts and
    last error.

    The log rows not marked sent are few (retries due, claims a killed run left) and are
    read once, from ix_reminder_log_open. For every candidate key the log is asked only
    whether it holds the key: index-only lookups on its unique key (kind, item, recipient,
    threshold), LOG_CHUNK items a statement, in the SQL both engines run (per kind,
    `item IN (...)`, items in index order); rows of another recipient of the same item
    are dropped here, and those of another threshold for the same recipient are kept:
    a candidate the log holds a later warning of is stale (`dr.overtaken`). Measured on bench/reminders.py (40,806 candidate keys,
    26,483 of them in a log of 236,412 rows), SQL alone: 0.20 s reading each row's
    status from the table, 0.16 s index-only."""

    def __init__(self, rd: Reader) -> None:
        self.rd = rd
        self._open: dict[tuple[Any, ...], tuple[str, int, str | None]] | None = None
        # (kind, item, recipient) -> the other thresholds the log holds of it (`overtaken`)
        self.others: dict[tuple[Any, ...], list[str]] = {}

    def open_rows(self) -> dict[tuple[Any, ...], tuple[str, int, str | None]]:
        if self._open is None:
            self._open = {
                row[:4]: row[4:]
                for row in self.rd.all(
                    "SELECT kind, item, recipient_id, threshold, status, attempts, error "
                    f"FROM reminder_log WHERE {UNSENT_SQL}"
                )
            }
        return self._open

    def states(self, keys: Sequence[dr.Key]) -> dict[dr.Key, tuple[str, int, str | None]]:
        """(status, attempts, error) of those keys that are in the log; the log's other
        thresholds of their items for their recipients are kept in `others`."""
        wanted = set(keys)
        if not wanted:
            return {}
        whose = {k[:3] for k in wanted}  # (kind, item, recipient)
        others = self.others
        items: dict[str, set[str]] = {}
        for k in wanted:
            items.setdefault(k.kind, set()).add(k.item)
        # (kind, item) in index order; strings sort fast, tuples of them do not
        pairs = [(kind, item) for kind in sorted(items) for item in sorted(items[kind])]
        # keyed by plain tuples: a Key (a named tuple) finds them, and none is built per row
        out: dict[tuple[Any, ...], tuple[str, int, str | None]] = {}
        for start in range(0, len(pairs), LOG_CHUNK):
            terms: list[str] = []
            params: dict[str, Any] = {}
            chunk = pairs[start : start + LOG_CHUNK]
            for n, (kind, group) in enumerate(groupby(chunk, key=itemgetter(0))):
                ins, p = in_list(f"i{n}", [item for _, item in group])
                terms.append(f"(l.kind = :k{n} AND l.item IN {ins})")
                params |= p
                params[f"k{n}"] = kind
            for key in self.rd.all(
                "SELECT l.kind, l.item, l.recipient_id, l.threshold FROM reminder_log l "
                f"WHERE {' OR '.join(terms)}",
                params,
            ):
                if key in wanted:
                    out[key] = SENT
                elif key[:3] in whose:  # another warning of the item, to the same person
                    others.setdefault(key[:3], []).append(key[3])
        if out:  # the few that were not sent, with their attempts and last error
            out.update((k, v) for k, v in self.open_rows().items() if k in out)
        return out  # type: ignore[return-value]

    def unsent(self, found: list[dr.Reminder]) -> list[dr.Reminder]:
        """`found` less what the log says was sent, and less the warnings the log holds a
        later one of (domain.reminders.overtaken); retries marked."""
        logged = self.states([r.key for r in found])
        others = self.others
        out = []
        for r in found:
            if others and (later := others.get(r.key[:3])) and dr.overtaken(r.threshold, later):
                continue
            state = logged.get(r.key)
            if state is None:
                out.append(r)
                continue
            status, attempts, error = state
            if status == "sent":
                continue
            r.log_status, r.attempts, r.last_error = status, attempts, error
            out.append(r)
        return out


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    at: datetime | None
    status: str
    kind: str
    recipient: str
    to: str
    about: str | None
    title: str
    threshold: str
    due_on: date | None
    attempts: int
    answer: str | None
    error: str | None
    message_id: str

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import fields

        return {f.name: getattr(self, f.name) for f in fields(self)}


def log_entries(
    rd: Reader, *, member_id: int | None = None, failed: bool = False, limit: int | None = None,
    running: bool = False,
) -> tuple[list[LogRow], int]:  # fmt: skip
    """What was sent (or failed, or was left interrupted), newest first, at most `limit`
    of them (None: all), and how many match; a member's: what went to them or was about
    them. `failed`: only what did not go out (failed, or interrupted: UNSENT_SQL).
    `running`: a run holds the lock (`run_in_progress`): its claims are being sent, and
    not among what did not go out."""
    conds: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if member_id is not None:
        conds.append("(l.recipient_id = :mid OR l.member_id = :mid)")
        params["mid"] = member_id
    if failed:  # what did not go out: failures and interrupted claims
        conds.append("l.status = 'failed'" if running else f"l.{UNSENT_SQL}")
    tail = ""
    if limit is not None:
        tail = " LIMIT :limit"
        params["limit"] = limit
    rows = rd.all(
        "SELECT l.id, COALESCE(l.sent_at, l.claimed_at), l.status, l.kind, r.name, l.to_addr, "
        "a.name, l.title, l.threshold, l.due_on, l.attempts, l.answer, l.error, l.message_id "
        "FROM reminder_log l JOIN member r ON r.id = l.recipient_id "
        "LEFT JOIN member a ON a.id = l.member_id "
        f"WHERE {' AND '.join(conds)} "
        "ORDER BY COALESCE(l.sent_at, l.claimed_at) DESC, l.id DESC" + tail,
        params,
    )
    entries = [
        LogRow(i, as_utc(at), dr.log_state(st, running=running), k, rn, to, an, t, th, as_date(d), n, ans, err, msgid)
        for i, at, st, k, rn, to, an, t, th, d, n, ans, err, msgid in rows
    ]
    if limit is None or len(entries) < limit:
        return entries, len(entries)
    counted = rd.one(f"SELECT count(*) FROM reminder_log l WHERE {' AND '.join(conds)}", params)
    return entries, int(counted[0]) if counted else len(entries)
