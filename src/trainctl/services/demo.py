"""A sample department, built through the same use cases an officer runs.

Everything goes through the real services (registry import, member add, program apply,
bulk enrollment, progress updates), so the demo shows what the tool really does.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from trainctl.domain.changes import AddCredit, Check, Update
from trainctl.domain.progress import item_names
from trainctl.errors import RefusedError
from trainctl.permissions import Actor
from trainctl.schemas.members import MemberCreate, Role
from trainctl.services import enrollment as esvc
from trainctl.services import members as msvc
from trainctl.services import program_files as pf
from trainctl.services import registry as rsvc
from trainctl.services.progress.changes import apply_update, locate
from trainctl.services.progress.rows import RequirementRow
from trainctl.services.settings import set_setting

REGISTRIES = ("nfpa", "nremt", "proboard", "iso")
DEMO_MARK = "demo_database"  # a setting only demo databases carry


# ------------------------------------------------------------------------ the demo's file
def is_demo_file(path: Path) -> bool:
    """Whether `path` is a database the demo built (so it may be rebuilt), read-only."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM setting WHERE key = ?", (DEMO_MARK,)).fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False
    return row is not None


def remove_files(path: Path) -> None:
    """The demo database and its WAL and shared-memory files."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


def mark_demo(session: Session) -> None:
    """Mark a new database as the demo's: a build that fails can simply be run again.

    The department's clock is set here too, before anything asks for "today": the demo is
    dated on New York's day (the README's tour sets the same timezone), not the UTC day a
    new file would give (run at 19:30 in New York, the demo wrote progress dated tomorrow).
    Its shifts and calls are written, listed and judged on that clock (07:00 tours)."""
    from trainctl.services.demo_history import ZONE

    set_setting(session, DEMO_MARK, "1")
    set_setting(session, "timezone", ZONE)


# -------------------------------------------------------------------------- the department

# name, email, badge, positions, role, years of service
ROSTER: tuple[tuple[str, str, str, tuple[str, ...], Role, float], ...] = (
    ("Dana Whitfield", "dwhitfield@station12.example", "C-100", ("officer",), "officer", 22),
    (
        "Marcus Oyelaran",
        "moyelaran@station12.example",
        "L-114",
        ("officer", "instructor", "emt"),
        "officer",
        15,
    ),
    ("Priya Raman", "praman@station12.example", "L-121", ("officer", "paramedic"), "officer", 11),
    (
        "Tom Kowalski",
        "tkowalski@station12.example",
        "F-203",
        ("firefighter", "driver", "emt"),
        "member",
        9,
    ),
    ("Ana Lucia Reyes", "areyes@station12.example", "F-217", ("firefighter", "emt"), "member", 6),
    (
        "Jamal Carter",
        "jcarter@station12.example",
        "F-224",
        ("firefighter", "driver_candidate", "emt"),
        "member",
        4,
    ),
    (
        "Sofia Lindqvist",
        "slindqvist@station12.example",
        "F-231",
        ("firefighter", "driver_candidate"),
        "member",
        3,
    ),
    ("Kevin Osei", "kosei@station12.example", "F-238", ("firefighter", "emt"), "member", 2),
    ("Hannah Brooks", "hbrooks@station12.example", "P-301", ("probationary",), "member", 0.15),
    ("Luis Moreno", "lmoreno@station12.example", "P-302", ("probationary", "emr"), "member", 0.15),
    ("Grace Nakamura", "gnakamura@station12.example", "P-303", ("probationary",), "member", 0.15),
    ("Ethan Walsh", "ewalsh@station12.example", "P-304", ("probationary", "emt"), "member", 0.15),
    ("Maya Patel", "mpatel@station12.example", "P-305", ("probationary",), "member", 0.15),
    ("Owen Fitzgerald", "ofitzgerald@station12.example", "P-306", ("probationary",), "member", 0.15),
)

# program name -> [(badge, {requirement code or name: fraction of the target to credit})]
PROGRESS: dict[str, list[tuple[str, dict[str, float]]]] = {
    "Probationary Firefighter": [
        (
            "P-301",
            {
                "NFPA 1582": 1.0,
                "Station orientation": 1.0,
                "CPR-BLS": 1.0,
                "Probationary ride-along shifts": 0.5,
            },
        ),
        ("P-302", {"NFPA 1582": 1.0, "Station orientation": 0.6, "CPR-BLS": 1.0}),
        ("P-303", {"NFPA 1582": 0.4}),
        ("P-304", {"NFPA 1582": 1.0, "Station orientation": 1.0}),
        ("P-305", {"CPR-BLS": 1.0}),
    ],
    "Driver/Operator Candidate": [
        ("F-224", {"Emergency vehicle operations course": 1.0, "ISO-DRIVER-NEW": 0.7}),
        ("F-231", {"Emergency vehicle operations course": 1.0, "ISO-DRIVER-NEW": 0.25}),
    ],
    "EMT Recertification": [
        ("F-203", {"NREMT-EMT": 0.9, "CPR-BLS": 1.0, "Local protocol review": 1.0}),
        ("F-217", {"NREMT-EMT": 0.45, "CPR-BLS": 1.0}),
        ("F-238", {"NREMT-EMT": 0.15}),
    ],
}


@dataclass
class DemoSummary:
    registries: dict[str, int] = field(default_factory=dict)
    members: int = 0
    programs: list[str] = field(default_factory=list)
    enrollments: dict[str, int] = field(default_factory=dict)
    credits: int = 0
    gated: int = 0
    showcase_enrollment: int | None = None
    history: dict[str, int] = field(default_factory=dict)


def _portions(req: RequirementRow, target: float) -> list[tuple[str | None, float]]:
    """How an officer logs hours: by category and topic where the requirement defines them
    (NREMT NCCP: national topics, local, individual), else as plain hours."""
    parts: list[tuple[str | None, float]] = []
    for cat in req.hour_categories or []:
        topics = cat.get("topics") or []
        for topic in topics:
            parts.append((f"{cat['name']}/{topic['name']}", float(topic.get("min_hours") or 0)))
        rest = float(cat.get("min_hours") or 0) - sum(
            float(t.get("min_hours") or 0) for t in topics
        )
        if rest > 0:
            parts.append((cat["name"], rest))
    free = target - sum(h for _, h in parts)
    if free > 0:
        parts.append((None, free))
    return parts


def _credit(
    session: Session, actor: Actor, enrollment_id: int, ref: str, fraction: float, today: date
) -> int:
    """Credit `fraction` of a requirement's target the way an officer would; returns updates made."""

    def update(change: AddCredit | Check) -> None:
        located = locate(session, actor, enrollment=str(enrollment_id), requirement=ref)
        apply_update(session, actor, located, Update(credit=change), today=today)

    req: RequirementRow = locate(
        session, actor, enrollment=str(enrollment_id), requirement=ref
    ).requirement
    made = 0
    if req.requirement_type in ("hours", "shifts", "calls"):
        target = {
            "hours": req.required_hours,
            "shifts": req.required_shifts,
            "calls": req.required_calls,
        }[req.requirement_type]
        for category, hours in _portions(req, target or 0):
            amount = round(hours * fraction, 1)
            if req.requirement_type != "hours":
                amount = math.floor(amount)
            if amount > 0:
                update(AddCredit(amount, category, note="demo"))
                made += 1
        return made
    if req.requirement_type == "certification":
        items = [req.credential_code] if req.credential_code else list(req.required_courses)
    elif req.requirement_type == "checklist":
        items = item_names(req.checklist_items)
    elif req.requirement_type == "skills_evaluation":
        items = item_names(req.required_skills)
    else:
        items = list(req.required_courses)
    for item in items[: math.ceil(len(items) * fraction)]:
        update(Check(item))
        made += 1
    return made


def build_demo(session: Session, actor: Actor, today: date) -> DemoSummary:
    summary = DemoSummary()
    # The demo's requirements, the registries' (NFPA, NREMT, Pro Board, ISO) and its own
    # (the programs' definitions, Local protocol review), were in force all its year:
    # entered as of its first day. A requirement entered on the demo's day would be owed
    # only from next month (the department's own, domain.compliance.entered_in), and a
    # window that closed before it would be held against nobody (a registry's, `unasked`):
    # `report compliance` of the demo's day let May's ISO company hours off that
    # `report iso --year` of the same day called short.
    in_force = date(today.year, 1, 1)
    for name in REGISTRIES:
        parsed = rsvc.read_registry(session, rsvc.registry_path(name))
        rsvc.import_registry(session, actor, parsed, today=in_force)
        summary.registries[parsed.registry] = len(parsed.entries)

    by_badge = {}
    for name, email, badge, positions, role, years in ROSTER:
        hired = today - timedelta(days=round(365.25 * years))
        member = msvc.add_member(
            session,
            actor,
            MemberCreate(
                name=name,
                email=email,
                badge=badge,
                positions=list(positions),
                role=role,
                hire_date=hired,
            ),
            as_of=today,  # history from the hire date, before the demo's today
        )
        by_badge[badge] = member
    summary.members = len(ROSTER)

    programs = {}
    for path in pf.sample_programs():
        applied = pf.apply_file(session, actor, pf.parse_file(path), source=path.name, today=in_force)
        programs[applied.program.name] = applied.program
        summary.programs.append(applied.program.name)

    cohorts = {
        "Probationary Firefighter": [
            b for b, *_ in ((r[2],) for r in ROSTER) if b.startswith("P-")
        ],
        "Driver/Operator Candidate": ["F-224", "F-231"],
        "EMT Recertification": ["F-203", "F-217", "F-238", "L-114"],
    }
    enrolled: dict[tuple[str, str], int] = {}
    # Enrolled a few weeks ago, so deadlines and progress look like a real month.
    started = today - timedelta(days=40)
    for program_name, badges in cohorts.items():
        program = programs[program_name]
        requests = [esvc.Request(where=f"member {b}", ref=b, kind="badge") for b in badges]
        result = esvc.bulk_enroll(session, actor, program, requests, today=started)
        summary.enrollments[program_name] = len(result.enrolled)
        for outcome in result.enrolled:
            assert outcome.enrollment_id is not None  # written: every enrolled row has its id
            enrolled[(program_name, outcome.ref)] = outcome.enrollment_id

    for program_name, plan in PROGRESS.items():
        for badge, credits in plan:
            eid = enrolled[(program_name, badge)]
            for ref, fraction in credits.items():
                try:
                    summary.credits += _credit(session, actor, eid, ref, fraction, today)
                except RefusedError:  # a gate (phase, sequence, prerequisite) holds it back
                    summary.gated += 1
    summary.showcase_enrollment = enrolled[("Probationary Firefighter", "P-301")]

    from trainctl.services.demo_history import build_history

    roster = {}
    for r in ROSTER:
        hire = by_badge[r[2]].hire_date
        assert hire is not None  # every demo member is added with one
        roster[r[2]] = (hire, r[3])
    summary.history = build_history(session, actor, today, roster)
    return summary
