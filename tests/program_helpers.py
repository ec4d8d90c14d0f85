"""Builders for program tests: requirement rows inserted directly (the catalog is another
area's), and a phased program built through the real CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backends import Db, engine_url

REGISTRY_REQS: list[dict[str, Any]] = [
    {
        "name": "Firefighter I & II",
        "registry_name": "NFPA",
        "registry_code": "NFPA 1001",
        "requirement_type": "certification",
        "source": "national",
        "is_editable": False,
    },
    {
        "name": "Driver/Operator",
        "registry_name": "NFPA",
        "registry_code": "NFPA 1002",
        "requirement_type": "certification",
        "source": "national",
        "is_editable": False,
    },
    {
        "name": "Live Fire Training",
        "registry_name": "NFPA",
        "registry_code": "NFPA 1403",
        "requirement_type": "certification",
        "source": "national",
        "is_editable": False,
    },
    {
        "name": "Fire Department Safety",
        "registry_name": "NFPA",
        "registry_code": "NFPA 1500",
        "requirement_type": "hours",
        "required_hours": 24,
        "frequency": "annual",
        "source": "national",
        "is_editable": False,
    },
    {
        "name": "Medical Fitness",
        "registry_name": "NFPA",
        "registry_code": "NFPA 1582",
        "requirement_type": "checklist",
        "checklist_items": ["medical exam", "fitness assessment"],
        "frequency": "annual",
        "source": "national",
        "is_editable": False,
    },
    {
        "name": "EMT recertification (NCCP)",
        "registry_name": "NREMT",
        "registry_code": "NREMT-EMT",
        "requirement_type": "hours",
        "required_hours": 40,
        "frequency": "biennial",
        "source": "national",
        "is_editable": False,
    },
    {
        "name": "CPR / BLS",
        "registry_name": "NREMT",
        "registry_code": "CPR-BLS",
        "requirement_type": "certification",
        "source": "national",
        "is_editable": False,
        "time_limit_days": 30,
    },
    {
        "name": "Pro Board Firefighter I",
        "registry_name": "Pro Board",
        "registry_code": "PB-FF1",
        "requirement_type": "certification",
        "source": "national",
        "is_editable": False,
    },
]
DEPT_REQS: list[dict[str, Any]] = [
    {
        "name": "Station orientation",
        "requirement_type": "checklist",
        "checklist_items": ["apparatus bay", "SCBA room", "radio"],
        "source": "department",
    },
    {
        "name": "Ride-along shifts",
        "requirement_type": "shifts",
        "required_shifts": 6,
        "source": "department",
        "time_limit_days": 60,
    },
    {
        "name": "Pump operations hours",
        "requirement_type": "hours",
        "required_hours": 20,
        "source": "department",
    },
]


def add_requirements(db_path: Path | str, rows: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Insert requirement rows (default: a few registry + department ones); returns
    {registry code or name: id}."""
    from sqlmodel import Session

    from trainctl.db import open_engine
    from trainctl.models import Requirement

    engine = open_engine(engine_url(db_path))
    ids: dict[str, int] = {}
    try:
        with Session(engine) as s:
            reqs = [
                Requirement(**r) for r in (rows if rows is not None else REGISTRY_REQS + DEPT_REQS)
            ]
            s.add_all(reqs)
            s.commit()
            for r in reqs:
                ids[r.registry_code or r.name] = r.id  # type: ignore[assignment]
    finally:
        engine.dispose()
    return ids


def many_requirements(db_path: Path | str, n: int) -> list[int]:
    """n department hours requirements, inserted in one statement."""
    import sqlalchemy as sa

    from trainctl.db import open_engine
    from trainctl.models import Requirement, utcnow

    engine = open_engine(engine_url(db_path))
    try:
        with engine.begin() as conn:
            now = utcnow()
            conn.execute(
                sa.insert(Requirement),
                [
                    {
                        "name": f"Topic {i:04d}",
                        "requirement_type": "hours",
                        "required_hours": 1 + i % 8,
                        "source": "department",
                        "created_at": now,
                        "aliases": [],
                        "required_courses": [],
                        "required_skills": [],
                        "checklist_items": [],
                        "hour_categories": [],
                        "required_positions": [],
                    }
                    for i in range(n)
                ],
            )
            return [
                r[0]
                for r in conn.execute(
                    sa.text("SELECT id FROM requirement WHERE name LIKE 'Topic %' ORDER BY id")
                )
            ]
    finally:
        engine.dispose()


PROBIE = "Probationary Firefighter"


def build_probie(cli: Any, name: str = PROBIE) -> None:
    """A phased program with phase prerequisites, overrides and milestones, via the CLI.
    Needs add_requirements() first. Left active."""
    cli(
        "program",
        "create",
        name,
        "--structure",
        "phases",
        "--position",
        "probationary",
        "--time-limit-days",
        "365",
        "--warning-days",
        "30",
        "--no-concurrent",
        "--template",
        "--reminders",
        '{"lead_days": [7, 30, 14], "only_below_percent": 80}',
        "-d",
        "First year on the line",
    )
    cli(
        "program",
        "phase",
        "add",
        name,
        "1",
        "Orientation",
        "--manual-advancement",
        "--time-limit-days",
        "30",
    )
    cli(
        "program",
        "phase",
        "add",
        name,
        "2",
        "Firefighter I",
        "--after",
        "1",
        "--time-limit-days",
        "180",
    )
    cli("program", "phase", "add", name, "3", "Live fire", "--after", "1", "--after", "2")
    cli(
        "program",
        "requirement",
        "add",
        name,
        "Station orientation",
        "--phase",
        "1",
        "--prerequisite",
        "--message",
        "Welcome aboard",
    )
    cli("program", "requirement", "add", name, "NFPA 1582", "--phase", "1", "--deadline-days", "14")
    cli("program", "requirement", "add", name, "Ride-along shifts", "--phase", "1", "--optional")
    cli(
        "program",
        "requirement",
        "add",
        name,
        "NFPA 1001",
        "--phase",
        "2",
        "-d",
        "Academy, all modules",
    )
    cli("program", "requirement", "add", name, "NFPA 1500", "--phase", "2")
    cli("program", "requirement", "add", name, "NFPA 1403", "--phase", "3")
    cli("program", "requirement", "add", name, "CPR-BLS")
    cli(
        "program",
        "milestone",
        "add",
        name,
        "Halfway",
        "--threshold",
        "50",
        "--message",
        "Half done",
    )
    cli(
        "program",
        "milestone",
        "add",
        name,
        "Orientation signed",
        "--threshold",
        "100",
        "--phase",
        "1",
        "--requires-verification",
    )
    cli("program", "activate", name)


def add_member(db_path: Path | str, name: str, email: str, role: str = "member") -> int:
    from trainctl.db import open_engine

    open_engine(engine_url(db_path)).dispose()  # create the database at head if needed
    db = Db(str(db_path))
    db.execute(
        "INSERT INTO member (name, email, positions, role, status, created_at) "
        "VALUES (:name, :email, '[]', :role, 'active', '2026-01-01 00:00:00')",
        {"name": name, "email": email, "role": role},
    )
    return int(db.scalar("SELECT id FROM member WHERE email = :email", {"email": email}))


def add_enrollment(db_path: Path | str, member_id: int, program_id: int) -> None:
    Db(str(db_path)).execute(
        "INSERT INTO enrollment (member_id, program_id, program_version, enrolled_at, enrolled_on, "
        "progress_percentage, status, deadline_warning_sent) "
        "VALUES (:m, :p, 1, '2026-01-01 00:00:00', '2026-01-01', 0, 'active', FALSE)",
        {"m": member_id, "p": program_id},
    )


def big_program_file(path: Path, name: str, phases: int, links: int) -> Path:
    """A JSON program file with `phases` phases and `links` department requirements spread
    over them (defined in the file), each phase after the previous one, a milestone each."""
    import json

    per = max(1, links // phases)
    doc = {
        "name": name,
        "structure_type": "phases",
        "requirement_definitions": [
            {"name": f"Topic {i:04d}", "requirement_type": "hours", "required_hours": 1 + i % 8}
            for i in range(links)
        ],
        "phases": [
            {
                "number": n + 1,
                "name": f"Phase {n + 1}",
                "prerequisites": [n] if n else [],
                "requirements": [
                    {"name": f"Topic {i:04d}", "required": i % 5 != 0, "deadline_days": 30}
                    for i in range(n * per, min(links, (n + 1) * per))
                ],
                "milestones": [{"name": "Half", "threshold": 50}],
            }
            for n in range(phases)
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def doc_without_info(doc: dict[str, Any]) -> dict[str, Any]:
    """A `show --format json` document without the keys that differ between databases."""
    drop = {"id", "created_at", "status", "lineage", "derived_from"}

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if k not in drop}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return clean(doc)
