"""`trainctl enroll bulk PROGRAM --csv` of a large class: peak memory and wall time, old and new.

(bench/bulk_enroll.py times the service function in-process against the raw-insert floor;
this one runs the command as the officer does, a whole process, for its peak memory.)

A department of N members and one active program of --requirements requirements is built
once per size; the class file names every member ("name,email", as a recruit roster
does). `python -m trainctl --db COPY enroll bulk "Recruit Academy" --csv FILE` then runs on
a fresh copy of that database, with --dry-run (checks and report only) and for real,
once with a given git revision's src/ and once with this checkout's, in turn, so the
machine's drift falls on both alike. Printed per size and side: wall seconds and the
process's peak RSS (os.wait4, ru_maxrss).

    PYTHONPATH=src python bench/enroll_bulk.py [--sizes 20000,100000] [--old REV] [--no-old]
        [--requirements 10] [--repeat 1]

Figures are printed, never asserted (shared, noisy machines). Session 36, on this 2-core
machine shared with other agents (one run, 10 requirements):

         rows  side               dry s  peak MB   write s  peak MB
       20,000  old (dea2576)       2.31      107      4.05      116
       20,000  new                 2.13      100      3.36      113
      100,000  old (dea2576)      17.28      237     26.16      276
      100,000  new                10.52      218     11.00      242

About 66 MB (dry) and 71 MB (write) of each peak is the interpreter with SQLAlchemy,
SQLModel and pydantic loaded (a class of one row). Per row, at 100,000: dry run 1.71 ->
1.52 KB, written 2.05 -> 1.71 KB. What is left is mostly the member each row names, as
the shared read side holds it (queries.members.MemberRow, about 0.5 KB with its strings),
the row's Request and Outcome, and what the allocator keeps of freed rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PROGRAM = "Recruit Academy"


def build_world(path: Path, members: int, requirements: int) -> None:
    """A department of `members` members and one active program, built by a child process
    (this checkout): Linux keeps a process's peak RSS across exec, so a child started by a
    parent that had loaded SQLModel and 100,000 members reported the parent's peak as its
    own (147 MB for a run that peaks at 107). This process stays small."""
    subprocess.run([sys.executable, __file__, "--build", str(path), str(members), str(requirements)],
                   check=True, env={**os.environ, "PYTHONPATH": str(HERE / "src")})  # fmt: skip


def _build(path: Path, members: int, requirements: int) -> None:
    from sqlmodel import Session

    from trainctl.db import open_engine
    from trainctl.models import Member, Program, ProgramRequirement, Requirement

    engine = open_engine(f"sqlite:///{path}")
    with Session(engine) as s:
        s.add_all(Member(name=f"Member {i:06d}", email=f"m{i}@fd.example", badge=f"B{i}")
                  for i in range(members))  # fmt: skip
        program = Program(name=PROGRAM, time_limit_days=365)
        s.add(program)
        s.flush()
        for i in range(requirements):
            req = Requirement(name=f"Requirement {i:02d}", requirement_type="hours", required_hours=10)
            s.add(req)
            s.flush()
            s.add(ProgramRequirement(program_id=program.id, requirement_id=req.id, sort_order=i))
        s.commit()
    engine.dispose()


def roster(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("name,email\n")
        fh.writelines(f"Member {i:06d},m{i}@fd.example\n" for i in range(rows))
    return path


def old_src(rev: str, into: Path) -> Path:
    """The src/ folder of git revision `rev`, unpacked into `into`."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "old.tar"
    subprocess.run(["git", "-C", str(HERE), "archive", "-o", str(archive), rev, "src"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run(src: Path, world: Path, db: Path, csv: Path, *extra: str) -> tuple[float, float, int, str]:
    """(wall s, peak RSS MB, exit code, last stderr line) of one run as a whole process, on
    a fresh copy of `world`."""
    for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        p.unlink(missing_ok=True)
    with sqlite3.connect(world) as src_con, sqlite3.connect(db) as dest:
        src_con.backup(dest)
    src_con.close()
    dest.close()
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "trainctl", "--db", str(db), "enroll", "bulk", PROGRAM, "--csv", str(csv), *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return wall, usage.ru_maxrss / 1024, code, (lines[-1] if lines else "")[:100]


def main() -> None:
    if sys.argv[1:2] == ["--build"]:
        _build(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--old", default="dea2576", help="git revision to compare with")
    parser.add_argument("--no-old", action="store_true", help="only this checkout")
    parser.add_argument("--requirements", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sides = [("new", HERE / "src")]
        if not args.no_old:
            sides.insert(0, (f"old ({args.old})", old_src(args.old, folder / "old")))
        db = folder / "run.db"
        print(f"{'rows':>9}  {'side':<16} {'dry s':>7} {'peak MB':>8}  {'write s':>8} {'peak MB':>8}")
        for n in sizes:
            world = folder / f"world-{n}.db"
            build_world(world, n, args.requirements)
            csv = roster(folder / f"class-{n}.csv", n)
            for _ in range(args.repeat):
                for name, src in sides:
                    dwall, drss, dcode, dlast = run(src, world, db, csv, "--dry-run")
                    wall, rss, code, last = run(src, world, db, csv)
                    note = "" if code == 0 and dcode == 0 else f"  exit {dcode}/{code}: {dlast} / {last}"
                    print(f"{n:>9,}  {name:<16} {dwall:>7.2f} {drss:>8.0f}  {wall:>8.2f} {rss:>8.0f}{note}",
                          flush=True)  # fmt: skip
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this process: peak {own:.0f} MB, below every figure above: theirs are their own)")


if __name__ == "__main__":
    main()
