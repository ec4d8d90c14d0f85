"""Cold everyday writes on the demo department, each as a whole process, beside reads.

    python bench/writes.py [--runs 11]

Builds the demo department (`trainctl demo`: 14 members, three programs, a year of
history), then prints the median CPU time (user + sys of the child process) over N cold
runs of `python -c pass`, some read commands, and the everyday writes: `progress update`,
`record add` (one member), `member add`, `enroll add`, `config set`. Every figure comes
from this one run, with its ratio to the bare interpreter.

Targets (issue 7, DESIGN §7): reads <= 0.25 s CPU here; one `progress update` <= 0.55 s.
The writes through the ORM (session 34: "a single write should not cost a second"; an
officer types `record add` twenty times for one sign-in sheet): <= 1.00 s each, a
ceiling, not a goal; most of it is importing SQLAlchemy, SQLModel and the table classes.
Timings are printed, never asserted (shared, noisy machines). Compile first
(`python -m compileall -q src`) when PYTHONDONTWRITEBYTECODE is set, as `pip install` does.
To compare with another checkout's code, run it with PYTHONPATH=that/src.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

AS_OF = "2026-06-01"
TC = [sys.executable, "-m", "trainctl", "--as-of", AS_OF]

Cmd = Callable[[int], list[str]]  # the command line of run i (writes need fresh names)
ORM_WRITE = 1.00  # CPU seconds: the ceiling for one write through the ORM (docstring)
READS: list[tuple[str, Cmd]] = [
    ("member list", lambda i: [*TC, "member", "list"]),
    ("requirement list", lambda i: [*TC, "requirement", "list"]),
    ("enroll show", lambda i: [*TC, "enroll", "show", "1"]),
    ("progress log", lambda i: [*TC, "progress", "log", "4"]),
]
WRITES: list[tuple[str, Cmd, float | None]] = [
    # progress 4: enrollment 1's ride-along shifts, open for credit in the demo
    ("progress update", lambda i: [*TC, "progress", "update", "4", "--add", "1"], 0.55),
    ("record add (1 member)",
     lambda i: [*TC, "record", "add", "P-301", "--course", f"Bench drill {i}", "--hours", "2",
                "--date", "2026-05-30"], ORM_WRITE),
    ("member add",
     lambda i: [*TC, "member", "add", f"Bench Member {i}", "--email", f"bench{i}@example.org"],
     ORM_WRITE),
    ("enroll add",
     lambda i: [*TC, "enroll", "add", f"recruit{i}@example.org", "Probationary Firefighter"],
     ORM_WRITE),
    # the value alternates, so every run writes (--as-of fixes every date)
    ("config set",
     lambda i: [*TC, "config", "set", "timezone", ("America/Chicago", "America/Denver")[i % 2]],
     ORM_WRITE),
]  # fmt: skip


def cpu_of(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(cmd: Cmd, env: dict[str, str], runs: int) -> float:
    return statistics.median(cpu_of(cmd(i), env) for i in range(runs))


def build(db: Path, runs: int, env: dict[str, str]) -> None:
    def tc(*args: str, environ: dict[str, str] = env) -> None:
        subprocess.run([*TC, *args], check=True, env=environ, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # fmt: skip

    # the demo refuses to build over the department's own database (TRAINCTL_DB)
    tc("demo", "--path", str(db), "--as-of", AS_OF,
       environ={k: v for k, v in env.items() if k != "TRAINCTL_DB"})  # fmt: skip
    roster = db.parent / "recruits.csv"  # one fresh recruit per `enroll add` run
    roster.write_text(
        "name,email,positions,hire_date\n"
        + "".join(f"Recruit {i},recruit{i}@example.org,probationary,2026-05-01\n" for i in range(runs))
    )
    tc("member", "import", "--csv", str(roster))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        env = {**os.environ, "TRAINCTL_DB": str(db), "NO_COLOR": "1", "COLUMNS": "120"}
        env.pop("TRAINCTL_ACTOR", None)
        build(db, args.runs, env)
        bare = median_cpu(lambda i: [sys.executable, "-c", "pass"], env, args.runs)
        print(f"demo department, {args.runs} cold runs each, CPU seconds (user+sys), medians")
        print(f"{'command':24} {'CPU':>7} {'vs bare':>8}  target")
        print(f"{'python -c pass':24} {bare:7.3f} {1:7.1f}x")
        for label, cmd in READS:
            t = median_cpu(cmd, env, args.runs)
            ok = "ok" if t <= 0.25 else "MISSED"
            print(f"{label:24} {t:7.3f} {t / bare:7.1f}x  0.25 s: {ok}")
        for label, cmd, target in WRITES:
            t = median_cpu(cmd, env, args.runs)
            goal = f"{target:.2f} s: {'ok' if t <= target else 'MISSED'}" if target else ""
            print(f"{label:24} {t:7.3f} {t / bare:7.1f}x  {goal}")


if __name__ == "__main__":
    main()
