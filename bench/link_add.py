"""Linking a requirement into a program in use (issue 11 #7): 5,000 active enrollments
(and a share of completed ones) gain the new link's progress row in one transaction.

Prints seconds for
  - add:   the service `trainctl program requirement add` runs (add_link: the link, ONE
           INSERT ... SELECT of the rows, the rollup UPDATE, phases and milestones, what is
           on file), in-process, through COMMIT;
  - loop:  the same rows made one enrollment at a time through the ORM (add + flush per
           enrollment, as a naive implementation would), for comparison;
and the ratio. Each run starts from an identical copy of the same database.

    .venv/bin/python bench/link_add.py [--members 5000] [--completed 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from trainctl.db import open_engine, session_scope
from trainctl.models import (
    Enrollment,
    Member,
    Program,
    ProgramRequirement,
    Requirement,
    RequirementProgress,
)
from trainctl.schemas.programs import LinkCreate
from trainctl.services.auth import OWNER
from trainctl.services.enrollment import Request, bulk_enroll
from trainctl.services.programs import add_link

TODAY = date(2026, 6, 15)


def build(path: Path, members: int, completed: int) -> None:
    engine = open_engine(f"sqlite:///{path}")
    with Session(engine) as s:
        s.add_all(Member(name=f"Member {i:05d}", email=f"m{i}@example.org", badge=f"B{i}") for i in range(members))
        program = Program(name="Company drills", time_limit_days=365)
        s.add(program)
        s.flush()
        for i in range(4):
            req = Requirement(name=f"Drill {i}", requirement_type="hours", required_hours=10)
            s.add(req)
            s.flush()
            s.add(ProgramRequirement(program_id=program.id, requirement_id=req.id, sort_order=i))
        s.add(Requirement(name="New annual item", requirement_type="hours", required_hours=2, time_limit_days=90))
        s.commit()
    with session_scope(engine) as s:
        p = s.exec(select(Program)).one()
        bulk_enroll(s, OWNER, p, [Request(where=f"m{i}", ref=f"B{i}") for i in range(members)], today=date(2026, 1, 5))
    with session_scope(engine) as s:  # a share of them completed
        for e in s.exec(select(Enrollment).limit(completed)):
            e.status, e.progress_percentage = "completed", 100.0
            s.add(e)
    engine.dispose()


def run_add(path: Path) -> float:
    engine = open_engine(f"sqlite:///{path}")
    t = time.perf_counter()
    with session_scope(engine) as s:
        p = s.exec(select(Program)).one()
        add_link(s, OWNER, p, "New annual item", LinkCreate(), phase_number=None, today=TODAY)
    took = time.perf_counter() - t
    engine.dispose()
    return took


def run_loop(path: Path) -> float:
    engine = open_engine(f"sqlite:///{path}")
    t = time.perf_counter()
    with session_scope(engine) as s:
        p = s.exec(select(Program)).one()
        req = s.exec(select(Requirement).where(Requirement.name == "New annual item")).one()
        link = ProgramRequirement(program_id=p.id, requirement_id=req.id, sort_order=99)
        s.add(link)
        s.flush()
        for e in s.exec(select(Enrollment)).all():
            s.add(RequirementProgress(enrollment_id=e.id, program_requirement_id=link.id))
            s.flush()
    took = time.perf_counter() - t
    engine.dispose()
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=5000)
    ap.add_argument("--completed", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        build(base, a.members, a.completed)
        adds, loops = [], []
        for i in range(a.repeat):
            for runner, out in ((run_add, adds), (run_loop, loops)):
                copy = Path(tmp) / f"run{i}.db"
                shutil.copy(base, copy)
                out.append(runner(copy))
                copy.unlink()
        add, loop = statistics.median(adds), statistics.median(loops)
        print(f"{a.members} enrollments ({a.completed} completed): add_link {add:.3f} s, "
              f"per-enrollment ORM loop {loop:.3f} s, loop/add {loop / add:.1f}x")


if __name__ == "__main__":
    main()
