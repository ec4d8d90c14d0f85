"""Misspelled names in a bulk enrollment: `enroll bulk --dry-run` of a class file whose
member column names 2,000 members with a typo each ("Recruit 0001 Persn"), against a
department of 2,000 members. Every row is refused ("No member ..."), and the closest
names are offered as `enroll add` offers them (queries.members.close_names): this prints
how long the whole command takes, and the same file spelled right for comparison.

    .venv/bin/python bench/misspelled_names.py [--members 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner

from trainctl.cli.main import app
from trainctl.db import open_engine
from trainctl.models import Member, Program, ProgramRequirement, Requirement


def build_world(path: Path, members: int) -> None:
    engine = open_engine(f"sqlite:///{path}")
    with Session(engine) as s:
        s.add_all(Member(name=f"Recruit {i:04d} Person", email=f"r{i}@example.org", badge=f"R-{i:04d}")
                  for i in range(1, members + 1))  # fmt: skip
        program = Program(name="Recruit Academy", time_limit_days=365)
        req = Requirement(name="Academy hours", requirement_type="hours", required_hours=10)
        s.add_all([program, req])
        s.flush()
        s.add(ProgramRequirement(program_id=program.id, requirement_id=req.id, sort_order=0))
        s.commit()
    engine.dispose()


def timed(db: Path, sheet: Path, repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of the command, in-process (CPU: what a busy shared
    machine does not inflate)."""
    runner = CliRunner()
    walls, cpus, code = [], [], 0
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        r = runner.invoke(app, ["--db", str(db), "enroll", "bulk", "Recruit Academy", "--csv", str(sheet),
                                "--dry-run"])  # fmt: skip
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        code = r.exit_code
    return statistics.median(walls), statistics.median(cpus), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("COLUMNS", "100")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "t.db"
        build_world(db, args.members)
        wrong, right = Path(tmp) / "wrong.csv", Path(tmp) / "right.csv"
        n = args.members
        wrong.write_text("member\n" + "".join(f"Recruit {i:04d} Persn\n" for i in range(1, n + 1)))
        right.write_text("member\n" + "".join(f"Recruit {i:04d} Person\n" for i in range(1, n + 1)))
        w, wcpu, wcode = timed(db, wrong, args.repeat)
        r, rcpu, rcode = timed(db, right, args.repeat)
        print(f"{n} members, {n} rows; median of {args.repeat}")
        print(f"  misspelled:    {w:7.2f} s wall, {wcpu:7.2f} s CPU (exit {wcode})")
        print(f"  spelled right: {r:7.2f} s wall, {rcpu:7.2f} s CPU (exit {rcode})")
        print(f"  CPU ratio misspelled / spelled right: {wcpu / rcpu:.1f}x")


if __name__ == "__main__":
    main()
