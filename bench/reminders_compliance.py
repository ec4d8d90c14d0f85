"""What `reminders preview` costs on a department with recurring compliance requirements:
bench/compliance.py's world (500 members x 20 requirements x 50,000 records, cards,
shifts, calls) with the NFPA, NREMT and Pro Board registries imported and every member
enrolled in two sample programs, the way an officer would do it:

    trainctl import nfpa|nremt|proboard                      (--as-of 2025-06-01)
    trainctl program apply --sample probationary-firefighter (--as-of 2025-06-01)
    trainctl program apply --sample emt-recertification      (--as-of 2025-06-01)
    trainctl enroll bulk "Probationary Firefighter" --csv members.csv --any-position
                                                             (--as-of 2025-06-20)
    trainctl enroll bulk "EMT Recertification" --csv members.csv --any-position
                                                             (--as-of 2024-07-01)
    three members made officers (the digest of who is behind)

    python bench/reminders_compliance.py [--members 500] [--records 50000] [--runs 3] [--keep DIR]

Prints, as medians (best) of --runs, wall and CPU seconds:
  - preview: `trainctl --format csv reminders preview --as-of 2026-06-15` as a whole
             process (its forked workers' CPU counted), and with TRAINCTL_WORKERS=1;
  - in-process CPU of `queries.reminders.select_due` and of its branches: the
             recurring compliance requirements (`_compliance`: the compliance matrix,
             read and evaluate) against everything else (deadlines, inactivity,
             milestones, assignments, cards, the digest, the log).
Figures only, never a pass/fail (shared, noisy machines: CPU is the steadier figure).
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import compliance as world  # bench/compliance.py: the world and its builder

TODAY = date(2026, 6, 15)


def trainctl(db: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "trainctl", "--db", str(db), "--quiet", *args],
                   check=True, capture_output=True)  # fmt: skip


def build(db: Path, members: int, records: int) -> None:
    world.build(db, members, records)
    for registry in ("nfpa", "nremt", "proboard"):
        trainctl(db, "--as-of", "2025-06-01", "import", registry)
    for sample in ("probationary-firefighter", "emt-recertification"):
        trainctl(db, "--as-of", "2025-06-01", "program", "apply", "--sample", sample)
    roster = db.parent / "members.csv"
    roster.write_text("member\n" + "".join(f"{i}\n" for i in range(1, members + 1)))
    for program, day in (("Probationary Firefighter", "2025-06-20"), ("EMT Recertification", "2024-07-01")):
        trainctl(db, "--as-of", day, "enroll", "bulk", program, "--csv", str(roster), "--any-position")
    con = sqlite3.connect(db)
    con.execute("UPDATE member SET role = 'officer' WHERE id <= 3")
    con.commit()
    con.close()


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def branches(db: Path) -> tuple[float, float, int]:
    """CPU of select_due in-process, and of its compliance branch within it (one process)."""
    from trainctl.queries import open_reader
    from trainctl.queries import reminders as q

    spent = [0.0]
    inner = q._compliance

    def counted(*args: object, **kw: object) -> object:
        c0 = time.process_time()
        try:
            return inner(*args, **kw)  # type: ignore[arg-type]
        finally:
            spent[0] += time.process_time() - c0

    q._compliance = counted  # type: ignore[assignment]
    os.environ["TRAINCTL_WORKERS"] = "1"  # every cell judged here: all of its CPU counted
    try:
        with open_reader(f"sqlite:///{db}") as rd:
            c0 = time.process_time()
            sel = q.select_due(rd, TODAY)
            total = time.process_time() - c0
    finally:
        q._compliance = inner
        del os.environ["TRAINCTL_WORKERS"]
    return total, spent[0], len(sel.reminders)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the world in this folder and keep it (reused)")
    args = ap.parse_args()
    world.compiled()
    with tempfile.TemporaryDirectory() as tmp:
        db = (args.keep or Path(tmp)) / "reminders-compliance.db"
        if not db.exists():
            db.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            build(db, args.members, args.records)
            print(f"built {db} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        env = {**os.environ, "TRAINCTL_DB": str(db), "TRAINCTL_TIMEZONE": "UTC"}
        env.pop("TRAINCTL_ACTOR", None)
        cmd = [sys.executable, "-m", "trainctl", "--format", "csv", "reminders", "preview",
               "--as-of", TODAY.isoformat()]  # fmt: skip
        split = [timed(cmd, env) for _ in range(args.runs)]
        alone = [timed(cmd, {**env, "TRAINCTL_WORKERS": "1"}) for _ in range(args.runs)]
        inproc = [branches(db) for _ in range(args.runs)]
        med = statistics.median

        def fig(runs: list[tuple[float, float]], i: int) -> str:
            return f"{med(r[i] for r in runs):6.3f} ({min(r[i] for r in runs):5.3f})"

        print(f"world: {args.members} members, {args.records} records, 2 enrollments each; "
              f"as of {TODAY}: {inproc[0][2]:,} reminders due; load {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} cores; median (best) of {args.runs}, seconds")  # fmt: skip
        print("                                                   wall             CPU")
        print(f"preview, whole process                       {fig(split, 0)}  {fig(split, 1)}")
        print(f"preview, whole process, TRAINCTL_WORKERS=1   {fig(alone, 0)}  {fig(alone, 1)}")
        total = med(r[0] for r in inproc)
        comp = med(r[1] for r in inproc)
        print(f"in-process select_due {total:.3f} s CPU: recurring compliance (the matrix) "
              f"{comp:.3f} s, everything else {total - comp:.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
