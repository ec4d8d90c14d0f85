"""Reminders on the read side: what is due (for `send`, `send --dry-run` and `preview`), and
the reminder log (`reminders log`).

Selection is set-based: one statement per kind of reminder (program, phase and requirement
deadlines, inactivity, milestones, assignments), each an indexed range over the rows that
can be due, plus one lookup of the log per 2,000 candidate keys. The rules that decide
which warning a row calls for are pure (domain/reminders.py); the SQL only narrows the rows
to those that could be due (a date window, open statuses), so a rule exists once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from trainctl.domain import progress as dp
from trainctl.domain import reminders as dr
from trainctl.queries import Reader, as_date, as_json, as_utc

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
    "milestone_event": ("enrollment_id", "milestone_id", "reached_at", "verified_at"),
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
    "progress_credit": ("progress_id", "entered_at"),
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
    ),
    "member": ("id", "name", "email", "role", "status"),
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
KEYS_PER_LOOKUP = 2000  # 4 parameters a key: well under SQLite's 32,766


def _day(rd: Reader, day: date) -> Any:
    """A date parameter: ISO text for SQLite (as SQLAlchemy stores it), a date for psycopg."""
    return day.isoformat() if rd.dialect == "sqlite" else day


def _stamp(rd: Reader, moment: datetime) -> Any:
    """A UTC timestamp parameter, in the stored form (naive UTC text on SQLite)."""
    moment = moment.astimezone(UTC)
    if rd.dialect == "sqlite":
        return moment.replace(tzinfo=None).isoformat(sep=" ")
    return moment


# ------------------------------------------------------------------------------ programs
@dataclass(frozen=True)
class ProgramInfo:
    id: int
    name: str
    schedule: dr.Schedule


def programs(rd: Reader) -> dict[int, ProgramInfo]:
    rows = rd.all("SELECT id, name, version, warning_days_before, reminder_conditions FROM program")
    out = {}
    for pid, name, version, warn, rc in rows:
        label = name if version == 1 else f"{name} (version {version})"
        out[pid] = ProgramInfo(pid, label, dr.schedule_of(warn, as_json(rc) or {}))
    return out


# ------------------------------------------------------------------------------ selection
@dataclass
class Selection:
    """What a run would send: member reminders, the officers' digests, who is behind."""

    today: date
    reminders: list[dr.Reminder]
    behind: list[dr.Behind]


def select_due(rd: Reader, today: date, zone: ZoneInfo) -> Selection:
    """Every reminder due on `today` that was never sent (the log is consulted)."""
    progs = programs(rd)
    found: list[dr.Reminder] = []
    behind: dict[int, dr.Behind] = {}
    found += _program_deadlines(rd, today, progs, behind)
    found += _phase_deadlines(rd, today, progs, behind)
    found += _requirement_deadlines(rd, today, progs, behind)
    found += _inactivity(rd, today, progs)
    found += _milestones(rd, today, zone, progs)
    found += _assignments(rd, today, progs)
    # TODO(records, compliance): certification expiry (90/60/30/7 days and on the day) and
    # compliance due-soon/overdue reminders join here once branch `records` (certification
    # table) and `compliance` (domain/compliance.py) are merged; see _certifications below.
    found += _certifications(rd, today)
    found += _digests(rd, today, list(behind.values()), len(found))
    return Selection(today, _unsent(rd, found), list(behind.values()))


def _person(mid: int, name: str, email: str) -> dr.Person:
    return dr.Person(mid, name, email)


def _behind(behind: dict[int, dr.Behind], eid: int, name: str, email: str, program: str,
            progress: float) -> dr.Behind:  # fmt: skip
    if eid not in behind:
        behind[eid] = dr.Behind(name, email, program, float(progress or 0))
    return behind[eid]


def _program_deadlines(
    rd: Reader, today: date, progs: dict[int, ProgramInfo], behind: dict[int, dr.Behind]
) -> list[dr.Reminder]:
    """Active enrollments whose target date is within the farthest lead day, or passed
    (the digest lists every one that passed)."""
    farthest = max((p.schedule.farthest for p in progs.values()), default=0)
    rows = rd.all(
        "SELECT e.id, e.member_id, m.name, m.email, e.program_id, e.target_completion_date, "
        "e.progress_percentage FROM enrollment e JOIN member m ON m.id = e.member_id "
        "WHERE e.status = 'active' AND m.status = 'active' "
        "AND e.target_completion_date IS NOT NULL AND e.target_completion_date <= :hi",
        {"hi": _day(rd, dr.shift(today, farthest))},
    )
    out = []
    for eid, mid, name, email, pid, target, progress in rows:
        deadline, program = as_date(target), progs[pid]
        assert deadline is not None
        if dp.is_overdue(deadline, "active", today):
            _behind(behind, eid, name, email, program.name, progress).target_overdue = deadline
        crossed = dr.deadline_due(deadline, today, program.schedule, progress=progress)
        if crossed is None:
            continue
        facts = dr.DeadlineFacts(
            what=f'your training program "{program.name}"',
            short=program.name,
            deadline=deadline,
            progress=f"{dr.pct(progress)} complete",
            next_step="complete the requirements that are still open; if you need more time, "
            "talk to your training officer before the date.",
        )
        title, body = dr.deadline_text(name, facts, crossed, today)
        out.append(
            dr.Reminder(
                dr.Key(
                    "program_deadline",
                    f"enrollment:{eid}/due:{deadline.isoformat()}",
                    mid,
                    crossed.threshold,
                ),
                _person(mid, name, email),
                mid,
                crossed.on,
                program.name,
                f"target date {deadline.isoformat()} {dr.when_text(deadline, today)}; "
                f"{dr.pct(progress)} complete ({dr.threshold_text(crossed.threshold)})",
                title,
                body,
            )
        )
    return out


def _phase_deadlines(
    rd: Reader, today: date, progs: dict[int, ProgramInfo], behind: dict[int, dr.Behind]
) -> list[dr.Reminder]:
    """The current phase of active enrollments, where the phase has a time limit."""
    limits = rd.all("SELECT time_limit_days FROM program_phase WHERE time_limit_days IS NOT NULL")
    if not limits:
        return []
    farthest = max((p.schedule.farthest for p in progs.values()), default=0)
    shortest = min(r[0] for r in limits)
    rows = rd.all(
        "SELECT e.id, e.member_id, m.name, m.email, e.program_id, ph.id, ph.phase_number, "
        "ph.name, ph.time_limit_days, e.phase_started_on, e.progress_percentage, "
        "COUNT(rp.id), SUM(CASE WHEN rp.status IN " + DONE_SQL + " THEN 0 ELSE 1 END) "
        "FROM program_phase ph "
        "JOIN enrollment e ON e.current_phase_id = ph.id "
        "JOIN member m ON m.id = e.member_id "
        "LEFT JOIN program_requirement pr ON pr.phase_id = ph.id AND pr.is_required = :yes "
        "LEFT JOIN requirement_progress rp "
        "  ON rp.enrollment_id = e.id AND rp.program_requirement_id = pr.id "
        "WHERE ph.time_limit_days IS NOT NULL AND e.status = 'active' AND m.status = 'active' "
        "AND e.phase_started_on IS NOT NULL AND e.phase_started_on <= :hi "
        "GROUP BY e.id, e.member_id, m.name, m.email, e.program_id, ph.id, ph.phase_number, "
        "ph.name, ph.time_limit_days, e.phase_started_on, e.progress_percentage",
        {"yes": True, "hi": _day(rd, dr.shift(today, farthest - shortest))},
    )
    out = []
    for (
        eid,
        mid,
        name,
        email,
        pid,
        phid,
        number,
        pname,
        limit,
        started,
        progress,
        total,
        open_,
    ) in rows:
        program = progs[pid]
        open_items = int(open_ or 0)
        deadline, crossed = dr.phase_due(
            as_date(started),
            limit,
            today,
            program.schedule,
            progress=progress,
            open_items=open_items,
        )
        label = f"phase {number} ({pname})"
        if deadline is not None and open_items and dp.is_overdue(deadline, "active", today):
            b = _behind(behind, eid, name, email, program.name, progress)
            b.phase_overdue = f"{label} was due {deadline.isoformat()}"
        if crossed is None or deadline is None:
            continue
        done = int(total or 0) - open_items
        facts = dr.DeadlineFacts(
            what=f'{label} of "{program.name}"',
            short=f"{program.name}, {label}",
            deadline=deadline,
            progress=f"{done} of {int(total or 0)} required items of the phase done",
            next_step=f"finish the {open_items} open item{'' if open_items == 1 else 's'} of "
            f"{label}; your training officer can show you which.",
        )
        title, body = dr.deadline_text(name, facts, crossed, today)
        out.append(
            dr.Reminder(
                dr.Key(
                    "phase_deadline",
                    f"enrollment:{eid}/phase:{phid}/due:{deadline.isoformat()}",
                    mid,
                    crossed.threshold,
                ),
                _person(mid, name, email),
                mid,
                crossed.on,
                f"{program.name}, {label}",
                f"{label} due {deadline.isoformat()} {dr.when_text(deadline, today)}; "
                f"{open_items} open ({dr.threshold_text(crossed.threshold)})",
                title,
                body,
            )
        )
    return out


def _target(row: Sequence[Any]) -> dp.Target:
    kind, hours, shifts, calls, courses, cred, skills, items = row
    return dp.Target.of(
        SimpleNamespace(
            requirement_type=kind,
            required_hours=hours,
            required_shifts=shifts,
            required_calls=calls,
            required_courses=as_json(courses) or [],
            credential_code=cred,
            required_skills=as_json(skills) or [],
            checklist_items=as_json(items) or [],
            hour_categories=[],
        )
    )


def _progress_text(target: dp.Target, value: float, percentage: float) -> tuple[str, str]:
    """('6 / 12 h (50%)', 'record the remaining 6 h ...')."""
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
    figure = f"{value:g} / {goal:g} {unit} ({dr.pct(percentage)})"
    if target.is_numeric:
        return figure, f"record the remaining {left:g} {unit} before the deadline."
    return figure, f"complete the remaining {left:g} {unit} before the deadline."


def _requirement_deadlines(
    rd: Reader, today: date, progs: dict[int, ProgramInfo], behind: dict[int, dr.Behind]
) -> list[dr.Reminder]:
    """Open required progress rows with a due date within the farthest lead day, or
    passed (the indexed `due_on`)."""
    farthest = max((p.schedule.farthest for p in progs.values()), default=0)
    rows = rd.all(
        "SELECT rp.id, rp.due_on, rp.status, rp.progress_value, rp.progress_percentage, "
        "e.id, e.member_id, m.name, m.email, e.program_id, e.progress_percentage, r.name, "
        "r.requirement_type, r.required_hours, r.required_shifts, r.required_calls, "
        "r.required_courses, r.credential_code, r.required_skills, r.checklist_items, "
        "pr.notification_message "
        "FROM requirement_progress rp "
        "JOIN enrollment e ON e.id = rp.enrollment_id "
        "JOIN member m ON m.id = e.member_id "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
        "JOIN requirement r ON r.id = pr.requirement_id "
        "WHERE rp.due_on IS NOT NULL AND rp.due_on <= :hi "
        "AND rp.status NOT IN " + DONE_SQL + " AND e.status = 'active' AND m.status = 'active' "
        "AND pr.is_required = :yes",
        {"hi": _day(rd, dr.shift(today, farthest)), "yes": True},
    )
    out = []
    for row in rows:
        rpid, due, status, value, percentage, eid, mid, name, email, pid, eprog, rname = row[:12]
        note = row[20]
        deadline, program = as_date(due), progs[pid]
        assert deadline is not None
        if dp.is_overdue(deadline, status, today):
            b = _behind(behind, eid, name, email, program.name, eprog)
            b.requirements_overdue += 1
            if b.earliest_overdue is None or deadline < b.earliest_overdue:
                b.earliest_overdue = deadline
        crossed = dr.deadline_due(deadline, today, program.schedule, progress=eprog, status=status)
        if crossed is None:
            continue
        figure, next_step = _progress_text(_target(row[12:20]), value, percentage)
        facts = dr.DeadlineFacts(
            what=f'"{rname}" in "{program.name}"',
            short=f"{rname} ({program.name})",
            deadline=deadline,
            progress=figure,
            next_step=next_step,
            note=note,
        )
        title, body = dr.deadline_text(name, facts, crossed, today)
        out.append(
            dr.Reminder(
                dr.Key(
                    "requirement_deadline",
                    f"progress:{rpid}/due:{deadline.isoformat()}",
                    mid,
                    crossed.threshold,
                ),
                _person(mid, name, email),
                mid,
                crossed.on,
                f"{rname} ({program.name})",
                f"due {deadline.isoformat()} {dr.when_text(deadline, today)}; {figure} "
                f"({dr.threshold_text(crossed.threshold)})",
                title,
                body,
            )
        )
    return out


def _inactivity(rd: Reader, today: date, progs: dict[int, ProgramInfo]) -> list[dr.Reminder]:
    """Active enrollments of programs with inactive_days and nothing recorded for that long
    (the last credit's entry date, else the enrollment date)."""
    quiet = {pid: p for pid, p in progs.items() if p.schedule.inactive_days}
    if not quiet:
        return []
    from trainctl.queries import in_list

    ids, params = in_list("p", sorted(quiet))
    shortest = min(p.schedule.inactive_days or 0 for p in quiet.values())
    rows = rd.all(
        "SELECT e.id, e.member_id, m.name, m.email, e.program_id, e.enrolled_on, "
        "e.progress_percentage, (SELECT MAX(c.entered_at) FROM requirement_progress rp "
        "  JOIN progress_credit c ON c.progress_id = rp.id WHERE rp.enrollment_id = e.id) "
        "FROM enrollment e JOIN member m ON m.id = e.member_id "
        f"WHERE e.status = 'active' AND m.status = 'active' AND e.program_id IN {ids} "
        "AND e.enrolled_on <= :cut",
        {**params, "cut": _day(rd, dr.shift(today, -shortest))},
    )
    out = []
    for eid, mid, name, email, pid, enrolled, progress, last in rows:
        program = progs[pid]
        last_day = as_date(enrolled)
        if last is not None:
            stamp = as_utc(last)
            assert stamp is not None
            last_day = max(last_day, stamp.date()) if last_day else stamp.date()
        assert last_day is not None
        crossed = dr.inactive_due(last_day, today, program.schedule.inactive_days)
        if crossed is None:
            continue
        title, body = dr.inactive_text(name, program.name, last_day, progress, today)
        out.append(
            dr.Reminder(
                dr.Key("inactive", f"enrollment:{eid}", mid, crossed.threshold),
                _person(mid, name, email),
                mid,
                crossed.on,
                program.name,
                f"nothing recorded since {last_day.isoformat()} "
                f"({dr.days_between(last_day, today)} days; limit "
                f"{program.schedule.inactive_days})",
                title,
                body,
            )
        )
    return out


def _local_day(stamp: Any, zone: ZoneInfo) -> date | None:
    moment = as_utc(stamp)
    return moment.astimezone(zone).date() if moment is not None else None


def _milestones(
    rd: Reader, today: date, zone: ZoneInfo, progs: dict[int, ProgramInfo]
) -> list[dr.Reminder]:
    """Milestones reached (verified, when they need it) within FRESH_DAYS, on enrollments
    that are active or completed (the 100% milestone completes the enrollment)."""
    # midnight UTC two days early covers every zone's midnight (and never overflows)
    since = datetime.combine(dr.shift(today, -dr.FRESH_DAYS - 2), time(), UTC)
    rows = rd.all(
        "SELECT ev.enrollment_id, ev.milestone_id, ev.reached_at, ev.verified_at, "
        "pm.requires_verification, pm.name, pm.completion_percentage_threshold, "
        "pm.notification_message, e.member_id, m.name, m.email, e.program_id, "
        "e.progress_percentage "
        "FROM milestone_event ev "
        "JOIN program_milestone pm ON pm.id = ev.milestone_id "
        "JOIN enrollment e ON e.id = ev.enrollment_id "
        "JOIN member m ON m.id = e.member_id "
        "WHERE (ev.reached_at >= :since OR ev.verified_at >= :since) "
        "AND e.status IN ('active', 'completed') AND m.status = 'active'",
        {"since": _stamp(rd, since)},
    )
    out = []
    for (
        eid,
        msid,
        reached,
        verified,
        needs,
        mname,
        threshold,
        note,
        mid,
        name,
        email,
        pid,
        progress,
    ) in rows:
        on = _local_day(verified if needs else reached, zone)
        if on is None or not dr.fresh(on, today):
            continue
        program = progs[pid]
        title, body = dr.milestone_text(name, mname, program.name, threshold, progress, note)
        out.append(
            dr.Reminder(
                dr.Key("milestone", f"enrollment:{eid}/milestone:{msid}", mid, dr.REACHED),
                _person(mid, name, email),
                mid,
                on,
                f"{mname} ({program.name})",
                f"milestone {mname} ({dr.pct(threshold)}) reached {on.isoformat()}",
                title,
                body,
            )
        )
    return out


def _assignments(rd: Reader, today: date, progs: dict[int, ProgramInfo]) -> list[dr.Reminder]:
    """Open requirements with a notification message whose scope started within
    FRESH_DAYS: at enrollment (program level), or when the current phase started."""
    pids = [
        r[0]
        for r in rd.all(
            "SELECT DISTINCT program_id FROM program_requirement "
            "WHERE notification_message IS NOT NULL AND notification_message <> ''"
        )
    ]
    if not pids:
        return []
    from trainctl.queries import in_list

    ids, params = in_list("p", pids)
    lo = _day(rd, dr.shift(today, -dr.FRESH_DAYS))
    rows = rd.all(
        "SELECT rp.id, rp.due_on, e.id, e.member_id, m.name, m.email, e.program_id, "
        "e.enrolled_on, e.phase_started_on, pr.phase_id, pr.notification_message, r.name "
        "FROM enrollment e "
        "JOIN member m ON m.id = e.member_id "
        "JOIN requirement_progress rp ON rp.enrollment_id = e.id "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
        "JOIN requirement r ON r.id = pr.requirement_id "
        f"WHERE e.program_id IN {ids} AND e.status = 'active' AND m.status = 'active' "
        "AND pr.notification_message IS NOT NULL AND pr.notification_message <> '' "
        "AND rp.status NOT IN " + DONE_SQL + " "
        "AND ((pr.phase_id IS NULL AND e.enrolled_on >= :lo) "
        "  OR (pr.phase_id = e.current_phase_id AND e.phase_started_on >= :lo))",
        {**params, "lo": lo},
    )
    out = []
    for (
        rpid,
        due,
        _eid,
        mid,
        name,
        email,
        pid,
        enrolled,
        phase_started,
        phase_id,
        note,
        rname,
    ) in rows:
        on = as_date(enrolled if phase_id is None else phase_started)
        if on is None or not dr.fresh(on, today) or not note.strip():
            continue
        program = progs[pid]
        title, body = dr.assigned_text(name, rname, program.name, as_date(due), note)
        out.append(
            dr.Reminder(
                dr.Key("assigned", f"progress:{rpid}", mid, dr.ASSIGNED),
                _person(mid, name, email),
                mid,
                on,
                f"{rname} ({program.name})",
                f"assigned {on.isoformat()}: {' '.join(note.split())[:60]}",
                title,
                body,
            )
        )
    return out


def _certifications(rd: Reader, today: date) -> list[dr.Reminder]:
    """TODO(records): certification expiry reminders need the `certification` table of
    branch `records`; until it is merged there is nothing to select."""
    del rd, today
    return []


def _digests(rd: Reader, today: date, behind: list[dr.Behind], reminders: int) -> list[dr.Reminder]:
    """One digest per active officer per run (keyed by the day) while anyone is behind."""
    if not behind:
        return []
    officers = rd.all(
        "SELECT id, name, email FROM member WHERE role = 'officer' AND status = 'active' "
        "ORDER BY name, id"
    )
    out = []
    for oid, name, email in officers:
        title, body = dr.digest_text(name, today, behind, reminders)
        out.append(
            dr.Reminder(
                dr.Key("digest", f"day:{today.isoformat()}", oid, dr.DIGEST),
                _person(oid, name, email),
                None,
                today,
                "who is behind",
                dr.plural(len({b.email for b in behind}), "member") + " behind",
                title,
                body,
            )
        )
    return out


# ------------------------------------------------------------------------------- the log
def _unsent(rd: Reader, found: list[dr.Reminder]) -> list[dr.Reminder]:
    """Drop what the log says was sent; mark retries (failed, or claimed by a killed run)."""
    logged = log_states(rd, [r.key for r in found])
    out = []
    for r in found:
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


def log_states(rd: Reader, keys: Sequence[dr.Key]) -> dict[dr.Key, tuple[str, int, str | None]]:
    """(status, attempts, error) of the keys that are in the log: one statement per
    KEYS_PER_LOOKUP keys, each an index lookup on the unique key."""
    out: dict[dr.Key, tuple[str, int, str | None]] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), KEYS_PER_LOOKUP):
        part = unique[start : start + KEYS_PER_LOOKUP]
        params: dict[str, Any] = {}
        values = []
        for i, k in enumerate(part):
            params.update({f"k{i}": k.kind, f"i{i}": k.item, f"r{i}": k.recipient_id,
                           f"t{i}": k.threshold})  # fmt: skip
            values.append(f"(:k{i}, :i{i}, :r{i}, :t{i})")
        rows = rd.all(
            "WITH wanted (kind, item, recipient_id, threshold) AS (VALUES "
            + ", ".join(values)
            + ") SELECT l.kind, l.item, l.recipient_id, l.threshold, l.status, l.attempts, "
            "l.error FROM wanted w JOIN reminder_log l ON l.kind = w.kind AND l.item = w.item "
            "AND l.recipient_id = w.recipient_id AND l.threshold = w.threshold",
            params,
        )
        for kind, item, rid, threshold, status, attempts, error in rows:
            out[dr.Key(kind, item, rid, threshold)] = (status, attempts, error)
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
    rd: Reader, *, member_id: int | None = None, failed: bool = False, limit: int | None = None
) -> list[LogRow]:
    """What was sent (or failed), newest first; a member's: what went to them or was about
    them."""
    conds, params = ["1 = 1"], {}
    if member_id is not None:
        conds.append("(l.recipient_id = :mid OR l.member_id = :mid)")
        params["mid"] = member_id
    if failed:
        conds.append("l.status = 'failed'")
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
    return [
        LogRow(i, as_utc(at), st, k, rn, to, an, t, th, as_date(d), n, ans, err, msgid)
        for i, at, st, k, rn, to, an, t, th, d, n, ans, err, msgid in rows
    ]


def ids(items: Iterable[dr.Reminder]) -> list[dr.Key]:
    return [r.key for r in items]
