"""Deterministic databases for the golden read tests (tests/test_golden_reads.py).

Three departments, each built through the real CLI in-process (as an officer would):
- ``empty``: a new database, nothing in it (the "No ... yet" hints);
- ``demo``: `trainctl demo` with a fixed --as-of;
- ``big``: 500 members from a seeded CSV, the four registries, the sample programs plus a
  department program, a draft, an archived and a second version, a few hundred bulk
  enrollments, progress of every kind (hours by category, checklist items, shifts, a
  correction, a waiver, an officer sign-off, verification, self-reported pending credit),
  held / withdrawn / failed enrollments, a phase advancement and a verified milestone.

Every date that depends on today comes from --as-of AS_OF. What the commands cannot make
deterministic (wall-clock timestamps, uuid source ids of manual credits) is then frozen
with plain sqlite3 UPDATEs: see `freeze`.

Run it by hand to look at the data: `python tests/golden_data.py DIR`.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trainctl.cli import render
from trainctl.cli.main import app

AS_OF = "2025-06-02"  # "today" for every read (and for the demo build)
# The big department's history, so that deadlines fall before AS_OF and some are overdue.
CATALOG_DAY = "2025-04-01"  # members, requirements, programs
ENROLL_DAY = "2025-04-14"  # bulk enrollments (the Orientation phase ends 2025-05-14)
PROGRESS_DAY = "2025-05-20"  # credits, the phase advancement, verification
LIFECYCLE_DAY = "2025-05-28"  # hold, withdraw, fail, re-enroll
SEED = 20250602

BASE = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)  # frozen timestamps start here (see `frozen`)

# The members the cases name (emails of the big department).
CHIEF = "chief@dept.example"  # officer, id 1
LIEUTENANT = "lt.harper@dept.example"  # officer, id 2
RECRUIT = "r.okafor@dept.example"  # member, probationary: enrollments, credit, pending credit
RECRUIT2 = "m.lindgren@dept.example"  # member, probationary, self-reported pending credit
MEDIC = "j.nunez@dept.example"  # member, emt: EMT recertification, hours by category
DRIVER = "s.obrien@dept.example"  # member, driver_candidate: verified milestone
RETIRED = "p.walsh@dept.example"  # inactive member


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@contextmanager
def cli_env(home: Path, columns: int = 200) -> Iterator[None]:
    """The environment of tests/conftest.py (no colour, fixed width, no actor, no timezone),
    and fresh Rich consoles: Rich reads COLUMNS when a console is created, and trainctl
    keeps its consoles, so each run gets new ones (the old ones come back afterwards)."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("TRAINCTL_ACTOR", "TRAINCTL_TIMEZONE", "FORCE_COLOR", "TTY_COMPATIBLE",
                     "TTY_INTERACTIVE"):  # fmt: skip  (the last three make Rich see a terminal)
            mp.delenv(name, raising=False)
        mp.setenv("TRAINCTL_DB", str(home / "unused.db"))  # every run passes --db
        mp.setenv("NO_COLOR", "1")
        mp.setenv("TRAINCTL_DEBUG", "1")
        mp.setenv("COLUMNS", str(columns))
        mp.setenv("XDG_DATA_HOME", str(home / "xdg"))
        mp.setenv("HOME", str(home / "home"))
        mp.setattr(render, "_consoles", {})
        yield


def invoke(args: Sequence[str], input: str | None = None) -> Run:
    r = CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
    return Run(r.exit_code, r.stdout, r.stderr)


@contextmanager
def shared_engines() -> Iterator[None]:
    """One SQLAlchemy engine per database file for a whole build.

    Each trainctl run opens its own engine, and with it an empty compiled-statement cache:
    the big build's hundred runs spent half their time compiling the same statements.
    Reusing the engine changes nothing the commands do (one transaction per run, the same
    pragmas on every connection); the engines are closed when the build ends, before the
    database is frozen. Only the builds use this, never the golden reads."""
    import trainctl.db

    opened: dict[str, Any] = {}
    real = trainctl.db.open_engine

    def open_engine(url: str, **kw: Any) -> Any:
        if url not in opened:
            opened[url] = real(url, **kw)
        return opened[url]

    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(trainctl.db, "open_engine", open_engine)
            yield
    finally:
        for engine in opened.values():
            engine.dispose()


class Dept:
    """`trainctl --db DB --as-of DAY ...` in-process; a run must exit as expected."""

    def __init__(self, db: Path, home: Path, as_of: str = AS_OF) -> None:
        self.db, self.home, self.as_of = db, home, as_of

    def __call__(self, *args: Any, ok: tuple[int, ...] = (0,), actor: str | None = None) -> Run:
        argv = ["--db", str(self.db), "--as-of", self.as_of] + (["--as", actor] if actor else [])
        with cli_env(self.home):
            run = invoke([*argv, *map(str, args)])
        assert run.exit_code in ok, f"trainctl {' '.join(map(str, args))}: {run}"
        return run

    def json(self, *args: Any, **kw: Any) -> Any:
        return json.loads(self("--format", "json", *args, **kw).stdout)


# ------------------------------------------------------------------------------- freezing
def timestamp_columns() -> dict[str, list[str]]:
    """Every UTCDateTime column of every table, from models.py (new ones are found too)."""
    from sqlmodel import SQLModel

    import trainctl.models  # noqa: F401  (registers the tables)
    from trainctl.models import UTCDateTime

    out = {}
    for name, table in sorted(SQLModel.metadata.tables.items()):
        cols = [c.name for c in table.columns if isinstance(c.type, UTCDateTime)]
        if cols:
            assert "id" in table.columns, f"{name}: a timestamp table without an id column"
            out[name] = cols
    return out


# Seconds after the row's minute, per column, so that a row's own timestamps keep their
# natural order (created, started, completed, verified, updated); a new column gets 9.
COLUMN_SECONDS = {
    "at": 0, "created_at": 0, "enrolled_at": 0, "entered_at": 0, "reached_at": 0,
    "started_at": 1, "completed_at": 2, "verified_at": 3, "updated_at": 4,
}  # fmt: skip


def frozen(table: str, row_id: int, column: str) -> str:
    """BASE + a day offset per table (from its name: a new table moves no other) + one
    minute per row id + the column's seconds + a few microseconds from the id. Distinct per
    row, and ordering rows by time orders them by id, as when they were written."""
    at = BASE + timedelta(
        days=zlib.crc32(table.encode()) % 10,
        minutes=row_id,
        seconds=COLUMN_SECONDS.get(column, 9),
        microseconds=(row_id * 7919) % 1_000_000,
    )
    # the way SQLAlchemy's SQLite DateTime stores values: naive UTC with microseconds
    return at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


UUID_HEX = re.compile(r"[0-9a-f]{32}")


def freeze(db: Path) -> None:
    """Wall-clock timestamps and random ids become fixed values derived from the row id."""
    con = sqlite3.connect(db)
    try:
        con.create_function("frozen", 3, frozen, deterministic=True)
        for table, cols in timestamp_columns().items():
            for column in cols:
                con.execute(
                    f'UPDATE "{table}" SET "{column}" = frozen(?, id, ?) WHERE "{column}" IS NOT NULL',
                    (table, column),
                )
        # manual entries are keyed by uuid4().hex (services/progress.py); `progress log
        # --format json` shows the key
        ids = [
            i
            for i, source_id in con.execute("SELECT id, source_id FROM progress_credit")
            if UUID_HEX.fullmatch(source_id)
        ]
        con.executemany(
            "UPDATE progress_credit SET source_id = ? WHERE id = ?", [(f"{i:032x}", i) for i in ids]
        )
        con.commit()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def database_text(db: Path) -> str:
    """Every value in the database as text (to prove no tmp path got stored)."""
    con = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        return "\n".join(repr(row) for n in names for row in con.execute(f'SELECT * FROM "{n}"'))
    finally:
        con.close()


# --------------------------------------------------------------------------------- builds
def build_empty(db: Path, home: Path) -> None:
    """A new database: created at head on first use, nothing else."""
    Dept(db, home)("progress", "self-reporting")


def build_demo(db: Path, home: Path) -> None:
    with shared_engines():
        # --db names another file: the demo refuses to build over the user's own database
        Dept(home / "owner.db", home)("demo", "--path", db)
    freeze(db)


FIRST = (
    "Aisha", "Ben", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemal", "Lucia", "Marek", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Samir", "Tess",
    "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoltan", "Amara", "Bruno", "Chloe", "Dario",
)  # fmt: skip
LAST = (
    "Abbott", "Baker", "Castillo", "Dubois", "Eriksen", "Fischer", "Gallagher", "Haddad",
    "Ivanova", "Jensen", "Kowalczyk", "Laurent", "Mendes", "Novak", "Ortega", "Petrov",
    "Quigley", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Yilmaz", "Zhang",
)  # fmt: skip

# id -> (name, email, badge, positions, role, status): the members the cases name, and the
# awkward ones (non-ASCII, markup-like, very long, a badge that is another member's id).
SPECIAL: dict[int, tuple[str, str, str, str, str, str]] = {
    1: ("Dana Whitfield", CHIEF, "C-001", "officer|instructor", "officer", "active"),
    2: ("Lt. Sam Harper", LIEUTENANT, "L-002", "officer|emt", "officer", "active"),
    3: ("Rita Okafor", RECRUIT, "P-003", "probationary", "member", "active"),
    4: ("Mia Lindgren", "m.lindgren@dept.example", "P-004", "probationary|emr", "member", "active"),
    5: ("José Núñez-García", MEDIC, "M-005", "firefighter|emt", "member", "active"),
    6: ("Siobhán O'Brien", DRIVER, "F-006", "firefighter|driver_candidate", "member", "active"),
    7: ("Pat Walsh", RETIRED, "F-007", "firefighter|driver", "member", "inactive"),
    8: ("Nguyễn Thị Minh Khai", "minh.khai@dept.example", "0008", "emt|aemt", "member", "active"),
    9: (
        "Maximilian Alexander Featherstonehaugh-Worthington III",
        "max.fw@dept.example", "F-009", "firefighter|driver|hazmat_tech|instructor", "member", "active",
    ),
    10: ("Robert [bold]Bobby[/bold] Tables", "bobby@dept.example", "", "firefighter", "member", "active"),
    11: ("Ann Lee", "ann.lee.1@dept.example", "F-011", "firefighter", "member", "active"),
    12: ("Ann Lee", "ann.lee.2@dept.example", "F-012", "emt", "member", "active"),
    250: ("Kai Brandt", "kai.brandt@dept.example", "12", "firefighter|emt", "member", "active"),
}

MEMBERS = 500


def member_rows(n: int = MEMBERS) -> list[dict[str, str]]:
    rng = random.Random(SEED)
    rows = []
    for i in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        kind = rng.random()
        if i % 20 == 1:
            role, positions = "officer", ["officer", rng.choice(["emt", "paramedic", "instructor", "driver"])]
        elif kind < 0.18:
            role, positions = "member", ["probationary"] + (["emr"] if rng.random() < 0.3 else [])
        elif kind < 0.55:
            role, positions = "member", ["firefighter", "emt"]
        elif kind < 0.68:
            role, positions = "member", ["firefighter", "driver_candidate"] + (["emt"] if rng.random() < 0.5 else [])
        elif kind < 0.78:
            role, positions = "member", ["firefighter", "driver"]
        elif kind < 0.86:
            role, positions = "member", ["paramedic"] + (["aic"] if rng.random() < 0.4 else [])
        elif kind < 0.92:
            role, positions = "member", ["firefighter", "hazmat_tech"]
        elif kind < 0.96:
            role, positions = "member", ["aemt"]
        else:
            role, positions = "member", []
        status = "inactive" if rng.random() < 0.05 and role == "member" else "active"
        if i % 10 == 0:
            badge = ""
        elif i % 3 == 0:
            badge = f"{(i * 37) % 1000:04d}"  # zero-padded digits: another member's id, padded
        elif i % 3 == 1:
            badge = f"{'P' if 'probationary' in positions else 'F'}-{i:03d}"
        else:
            badge = str(1000 + i)  # digits that are no member's id
        if "probationary" in positions:
            hired = date(2025, 5, 1) - timedelta(days=rng.randrange(20, 300))
        else:
            hired = date(1990, 1, 1) + timedelta(days=rng.randrange(0, 12_500))
        cert = ""
        if {"emt", "paramedic", "aemt"} & set(positions) and rng.random() < 0.6:
            cert = (hired + timedelta(days=rng.randrange(100, 3000))).isoformat()
        row = {
            "name": f"{first} {last}",
            "email": f"{first}.{last}.{i:03d}@dept.example".lower(),
            "badge": badge,
            "positions": "|".join(positions),
            "role": role,
            "status": status,
            "hire_date": "" if i % 13 == 0 else hired.isoformat(),
            "certification_date": cert,
        }
        if i in SPECIAL:
            name, email, badge, pos, role, status = SPECIAL[i]
            row.update(name=name, email=email, badge=badge, positions=pos, role=role, status=status)
        rows.append(row)
    badges = [r["badge"] for r in rows if r["badge"]]
    assert len(badges) == len(set(badges)), "badges must be unique"
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]], columns: Sequence[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


# Ids the cases name; the build checks it made exactly these (a change to the build that
# moves them fails here, not as a hundred confusing golden diffs).
IDS = {
    "recruit": 1,  # RECRUIT's enrollment in Probationary Firefighter (phase 2, credits, pending)
    "recruit2": 2,  # RECRUIT2's: a waiver, pending self-reported credit
    "held": 3,  # on hold
    "withdrawn": 4,
    "failed": 5,
    "overdue": 6,  # a recruit with one item checked: the Orientation items are overdue at AS_OF
    "medic": 82,  # MEDIC's EMT Recertification: hours by category, verified, pending
    "driver": 286,  # DRIVER's Driver/Operator Candidate: a verified milestone
    "hazmat": 352,  # MEDIC's Hazmat Technician Refresher (one `enroll add`)
    "scba_row": 6,  # progress row: RECRUIT's SCBA hours (a correction)
    "emt_row": 724,  # progress row: MEDIC's NREMT-EMT hours (categories, verified, pending)
    "rides_row": 13,  # progress row: RECRUIT2's ride-along shifts (pending only)
    "untouched_row": 5,  # progress row: RECRUIT's Fire Fighter I & II (no credits)
}


def build_big(db: Path, home: Path, work: Path) -> dict[str, int]:
    with shared_engines():
        ids = _build_big(db, home, work)
    freeze(db)
    assert ids == IDS, f"the big department's ids moved: {ids}"
    return ids


def _build_big(db: Path, home: Path, work: Path) -> dict[str, int]:
    t = Dept(db, home, CATALOG_DAY)
    rows = member_rows()
    # active after the edits below (13 is deactivated)
    active = [(i, r) for i, r in enumerate(rows, 1) if r["status"] == "active" and i != 13]

    def holding(position: str) -> list[tuple[int, dict[str, str]]]:
        return [(i, r) for i, r in active if position in r["positions"].split("|")]

    # ---- catalog: positions, members, registries, department requirements
    t("member", "add-position", "hazmat_tech", "--name", "Hazmat technician")
    t("member", "add-position", "rescue_diver")  # nobody holds it
    t("member", "import", "--csv", write_csv(work / "members.csv", rows, list(rows[0])))
    t("member", "add", "Olu Adeyemi", "--email", "olu.adeyemi@dept.example", "--badge", "P-501",
      "--position", "probationary", "--hire-date", "2025-05-19", actor=CHIEF)  # fmt: skip
    t("member", "edit", MEDIC, "--add-position", "aic", "--certification-date", "2021-03-15")
    t("member", "edit", MEDIC, "--badge", "M-0005", actor=LIEUTENANT)
    t("member", "edit", "id:11", "--status", "inactive")
    t("member", "edit", "id:11", "--status", "active", "--name", "Ann Lee-Moreau")
    t("member", "deactivate", "id:13", "--reason", "Moved out of district")
    for registry in ("nfpa", "nremt", "proboard", "iso"):
        t("import", registry)
    t("requirement", "add", "--name", "Annual drill hours", "--type", "hours", "--hours", "24",
      "--frequency", "annual", "--position", "firefighter,probationary",
      "--description", "Company drills, logged by the officer in charge.")  # fmt: skip
    t("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--hours", "8",
      "--frequency", "annual", "--position", "hazmat_tech", "--time-limit-days", "90")  # fmt: skip
    t("requirement", "add", "--name", "Rope rescue skills", "--type", "skills_evaluation",
      "--skill", "Anchor systems", "--skill", "Mechanical advantage", "--skill", "Lowering",
      "--frequency", "biennial")  # fmt: skip
    t("requirement", "add", "--name", "Fire Fighter I & II", "--type", "certification",
      "--credential", "STATE-FF", "--alias", "State FF cert")  # fmt: skip  (NFPA 1001's name)
    t("requirement", "add", "--from", "NFPA 1582", "--name", "Annual medical (department)",
      "--frequency", "annual")  # fmt: skip
    t("requirement", "add", "--name", "Driver monthly checks", "--type", "shifts", "--shifts", "3",
      "--frequency", "rolling", "--period-months", "3", "--position", "driver")  # fmt: skip

    # ---- programs: the samples, a department program, a draft, a second version, an archive
    for sample in ("probationary-firefighter", "emt-recertification", "driver-operator-candidate"):
        t("program", "apply", "--sample", sample)
    t("program", "create", "Hazmat Technician Refresher", "--description", "Yearly refresher.",
      "--position", "hazmat_tech", "--structure", "flexible", "--time-limit-days", "120",
      "--warning-days", "14", "--reminders", '{"lead_days": [14, 7], "only_below_percent": 90}')  # fmt: skip
    t("program", "requirement", "add", "Hazmat Technician Refresher", "Hazmat refresher",
      "--sort-order", "10", "--deadline-days", "60", "--description", "Classroom and drill.")  # fmt: skip
    t("program", "requirement", "add", "Hazmat Technician Refresher", "PB-HM-OPS", "--sort-order", "20")
    t("program", "requirement", "add", "Hazmat Technician Refresher", "Rope rescue skills",
      "--sort-order", "30", "--optional", "--message", "Optional: rope skills count for the TRT list.")  # fmt: skip
    t("program", "milestone", "add", "Hazmat Technician Refresher", "Halfway", "--threshold", "50")
    t("program", "activate", "Hazmat Technician Refresher")
    t("program", "create", "Officer Development", "--structure", "phases", "--position", "officer",
      "--template")  # fmt: skip  (a draft with nothing in it)
    t("program", "duplicate", "EMT Recertification", "--name", "EMT Recertification")  # v2 draft
    t("program", "create", "Legacy Pump Course", "--time-limit-days", "30")
    t("program", "requirement", "add", "Legacy Pump Course", "NFPA 1002")
    t("program", "activate", "Legacy Pump Course")
    t("program", "archive", "Legacy Pump Course")

    # ---- enrollments: a few hundred, in bulk
    t.as_of = ENROLL_DAY
    # raised after it was entered: the 24 h it had stays for the days before (history)
    t("requirement", "edit", "Annual drill hours", "--hours", "36", "--alias", "Drill hours",
      actor=CHIEF)  # fmt: skip
    recruits = holding("probationary")
    recruits_csv = [{"email": r["email"]} for _, r in recruits]
    recruits_csv += [{"email": RETIRED}, {"email": "nobody@dept.example"}, {"email": RECRUIT}]
    pff = t.json("enroll", "bulk", "Probationary Firefighter", "--csv",
                 write_csv(work / "recruits.csv", recruits_csv, ["email"]), ok=(1,))  # fmt: skip
    medics = [r["email"] for _, r in holding("emt")]
    emt = t.json("enroll", "bulk", "EMT Recertification", "--members", ",".join(medics))
    drivers = [{"id": i, "target_date": "2025-12-31" if i % 2 else ""} for i, _ in holding("driver_candidate")]
    dri = t.json("enroll", "bulk", "Driver/Operator Candidate", "--csv",
                 write_csv(work / "drivers.csv", drivers, ["id", "target_date"]))  # fmt: skip
    hazmat = [r["email"] for _, r in holding("hazmat_tech")][:12]
    t("enroll", "bulk", "Hazmat Technician Refresher", "--members", ",".join(hazmat))
    t("enroll", "add", MEDIC, "Hazmat Technician Refresher", "--target-date", "2025-08-01",
      "--any-position")  # a medic outside the hazmat team, on purpose

    by_email = {r["email"]: i for i, r in enumerate(rows, 1)}

    def enrollment_of(result: list[dict[str, Any]], member_id: int) -> int:
        found = [r["enrollment_id"] for r in result if r["member_id"] == member_id and r["enrollment_id"]]
        assert len(found) == 1, (member_id, result[:3])
        return found[0]

    r1 = enrollment_of(pff, by_email[RECRUIT])
    r2 = enrollment_of(pff, by_email[RECRUIT2])
    others = [enrollment_of(pff, i) for i, _ in recruits[2:8]]
    m1 = enrollment_of(emt, by_email[MEDIC])
    m_others = [enrollment_of(emt, i) for i, _ in holding("emt")[3:9]]
    d1 = enrollment_of(dri, by_email[DRIVER])
    d_others = [enrollment_of(dri, i) for i, _ in holding("driver_candidate")[1:4]]

    # ---- progress
    t.as_of = PROGRESS_DAY
    up = ("progress", "update")
    for item in ("Occupational medical evaluation", "Fitness assessment", "Vision and hearing",
                 "Cardiovascular", "Respiratory"):  # fmt: skip
        t(*up, "--enrollment", r1, "--requirement", "NFPA 1582", "--check", item)
    for item in ("Apparatus bay and apparatus checks", "SCBA room and fill station",
                 "Radio and dispatch procedures", "Station SOP binder", "Accountability system"):  # fmt: skip
        t(*up, "--enrollment", r1, "--requirement", "Station orientation", "--check", item, actor=LIEUTENANT)
    t(*up, "--enrollment", r1, "--requirement", "CPR-BLS", "--check", "CPR-BLS", "--note", "Card on file")
    t(*up, "--enrollment", r1, "--requirement", "Probationary ride-along shifts", "--add", "5")
    t("enroll", "advance", r1, actor=CHIEF)
    t(*up, "--enrollment", r1, "--requirement", "SCBA proficiency hours", "--add", "4.5", "--note", "Air management")
    t(*up, "--enrollment", r1, "--requirement", "SCBA proficiency hours", "--add", "3")
    t(*up, "--enrollment", r1, "--requirement", "SCBA proficiency hours", "--add", "-1", "--note", "entered twice")
    t(*up, "--enrollment", r2, "--requirement", "NFPA 1582", "--waive", "--reason", "County physician clearance on file")
    t(*up, "--enrollment", r2, "--requirement", "Station orientation", "--check", "Station SOP binder")
    for n, e in enumerate(others):
        t(*up, "--enrollment", e, "--requirement", "NFPA 1582", "--check", "Fitness assessment")
        if n % 2:
            t(*up, "--enrollment", e, "--requirement", "CPR-BLS", "--check", "CPR-BLS")

    t(*up, "--enrollment", m1, "--requirement", "NREMT-EMT", "--add", "6", "--category", "national/cardiovascular")
    t(*up, "--enrollment", m1, "--requirement", "NREMT-EMT", "--add", "1.5", "--category", "national/airway")
    t(*up, "--enrollment", m1, "--requirement", "NREMT-EMT", "--add", "4", "--category", "local", "--distributive")
    t(*up, "--enrollment", m1, "--requirement", "NREMT-EMT", "--add", "8", "--category", "individual")
    t(*up, "--enrollment", m1, "--requirement", "CPR-BLS", "--check", "CPR-BLS")
    t(*up, "--enrollment", m1, "--requirement", "CPR-BLS", "--verify", actor=CHIEF)
    t(*up, "--enrollment", m1, "--requirement", "Local protocol review", "--set", "2")
    for n, e in enumerate(m_others):
        t(*up, "--enrollment", e, "--requirement", "NREMT-EMT", "--add", str(2 + 3 * n), "--category", "individual")
    t(*up, "--enrollment", m_others[0], "--requirement", "CPR-BLS", "--status", "completed",
      "--reason", "Card seen by the training officer")  # fmt: skip

    for item in ("Classroom (EVOC)", "Cone course", "Night drive", "Route familiarization"):
        t(*up, "--enrollment", d1, "--requirement", "Emergency vehicle operations course", "--check", item)
    t(*up, "--enrollment", d1, "--requirement", "ISO-DRIVER-NEW", "--add", "12.5", "--note", "Engine 3")
    t("progress", "verify-milestone", d1, "Cleared to drive non-emergency", actor=CHIEF)
    t(*up, "--enrollment", d_others[0], "--requirement", "Emergency vehicle operations course",
      "--check", "Cone course")  # fmt: skip

    # ---- self-reporting: members report, one report is verified, two stay pending
    t("progress", "self-reporting", "on")
    t(*up, "--enrollment", r1, "--requirement", "Probationary ride-along shifts", "--add", "2",
      "--note", "Weekend shifts with B crew", actor=RECRUIT)  # fmt: skip
    t(*up, "--enrollment", r2, "--requirement", "Probationary ride-along shifts", "--add", "1",
      actor=RECRUIT2)  # fmt: skip
    t(*up, "--enrollment", m1, "--requirement", "NREMT-EMT", "--add", "2", "--category", "national/trauma",
      "--note", "County CE night", actor=MEDIC)  # fmt: skip
    t(*up, "--enrollment", m1, "--requirement", "NREMT-EMT", "--verify", actor=LIEUTENANT)
    t(*up, "--enrollment", m1, "--requirement", "NREMT-EMT", "--add", "1", "--category", "national/medical",
      actor=MEDIC)  # fmt: skip

    # ---- lifecycle
    t.as_of = LIFECYCLE_DAY
    t("enroll", "hold", others[0], "--reason", "Medical leave")
    t("enroll", "withdraw", others[1], "--reason", "Moved away")
    t("enroll", "fail", others[2], "--reason", "Did not complete orientation")
    t("enroll", "hold", d_others[1])
    t("enroll", "withdraw", m_others[5])
    t("enroll", "add", f"id:{holding('emt')[8][0]}", "EMT Recertification")  # back after withdrawing

    def row(enrollment: int, requirement: str) -> int:
        con = sqlite3.connect(db)
        try:
            (found,) = con.execute(
                "SELECT rp.id FROM requirement_progress rp"
                " JOIN program_requirement pr ON pr.id = rp.program_requirement_id"
                " JOIN requirement r ON r.id = pr.requirement_id"
                " WHERE rp.enrollment_id = ? AND (r.registry_code = ? OR r.name = ?)",
                (enrollment, requirement, requirement),
            ).fetchall()
        finally:
            con.close()
        return int(found[0])

    hz = t.json("enroll", "user", MEDIC)
    return {
        "recruit": r1, "recruit2": r2, "held": others[0], "withdrawn": others[1],
        "failed": others[2], "overdue": others[3], "medic": m1, "driver": d1,
        "hazmat": next(e["id"] for e in hz if e["program"] == "Hazmat Technician Refresher"),
        "scba_row": row(r1, "SCBA proficiency hours"), "emt_row": row(m1, "NREMT-EMT"),
        "rides_row": row(r2, "Probationary ride-along shifts"),
        "untouched_row": row(r1, "Fire Fighter I & II"),
    }  # fmt: skip


def build_all(root: Path) -> dict[str, Path]:
    """Build the three databases under root; returns name -> database file."""
    home = root / "home"
    work = root / "work"
    for d in (home, work):
        d.mkdir(parents=True, exist_ok=True)
    dbs = {"empty": root / "empty.db", "demo": root / "demo.db", "big": root / "big.db"}
    build_empty(dbs["empty"], home)
    build_demo(dbs["demo"], home)
    build_big(dbs["big"], home, work)
    for name, db in dbs.items():
        assert str(root) not in database_text(db), f"{name}: a tmp path got into the database"
    return dbs


if __name__ == "__main__":
    import sys
    import time

    target = Path(sys.argv[1]).absolute()
    target.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    print(build_all(target), f"{time.perf_counter() - start:.2f} s", file=sys.stderr)
