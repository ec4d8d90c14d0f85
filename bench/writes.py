"""Cold everyday writes on the demo department, each as a whole process, beside reads.

    python bench/writes.py [--runs 11] [--imports] [--against OTHER/src]

Builds the demo department (`trainctl demo`: 14 members, three programs, a year of
history), then prints the median CPU time (user + sys of the child process) over N cold
runs of `python -c pass`, some read commands, and the everyday writes: `progress update`,
`record add` (one member), `member add`, `enroll add`, `config set`, `cert add`, `shift
add`, `call add`, `skill checkoff` and `record import` of a three-row sign-in sheet. Every
figure comes from this one run, with its ratio to the bare interpreter.

--imports: for each write (median of 3 more runs), the CPU spent in its `import`
statements against the run's CPU, split over the costliest packages by their shares of
`python -X importtime` (which times the wall clock, so only its shares are used; SQLAlchemy's
PostgreSQL dialect apart: a write on SQLite has no use for it), and whether the write
imported that dialect.

--against OTHER/src: the same commands with another checkout's code as well (e.g. the
commit before a change: `git worktree add /tmp/old HEAD~1`), old and new taken in turn,
run by run, on the same database, so that the machine's drift falls on both alike.

Targets (issue 7, DESIGN §7): reads <= 0.25 s CPU here; one `progress update` <= 0.55 s.
The writes through the ORM (session 34: "a single write should not cost a second"; an
officer types `record add` twenty times for one sign-in sheet): <= 1.00 s each, a
ceiling, not a goal; most of it is importing SQLAlchemy, SQLModel and the table classes.
Timings are printed, never asserted (shared, noisy machines). The bytecode of both trees
is written first, as `pip install` does (this machine sets PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import argparse
import collections
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

AS_OF = "2026-06-01"
TC = [sys.executable, "-m", "trainctl", "--as-of", AS_OF]
SRC = Path(__file__).resolve().parent.parent / "src"


def day(i: int) -> str:
    """A day of run i (writes keyed by a date need one of their own): back from May 31."""
    return (date(2026, 5, 31) - timedelta(days=i)).isoformat()


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
    ("cert add",
     lambda i: [*TC, "cert", "add", "P-301", "CPR-BLS", "--issued", day(i), "--expires",
                "2028-05-31", "--number", f"B{i}"], ORM_WRITE),
    ("shift add",
     lambda i: [*TC, "shift", "add", "P-301", "--date", day(i), "--time-in", f"{day(i)} 20:00",
                "--time-out", f"{day(i)} 22:00", "--station", "Bench", "--shift", "B"],
     ORM_WRITE),
    ("call add",
     lambda i: [*TC, "call", "add", f"BENCH-{i}", "--member", "P-301", "--at",
                f"{day(i)} 21:00", "--type", "EMS", "--shift-date", day(i)], ORM_WRITE),
    ("skill checkoff",
     lambda i: [*TC, "skill", "checkoff", "P-301", "1", "--result", "passed", "--date", day(i)],
     ORM_WRITE),
    # a sign-in sheet of three (build() writes one per run)
    ("record import (3 rows)", lambda i: [*TC, "record", "import", f"sheet{i}.csv"], ORM_WRITE),
]  # fmt: skip
SHEET_MEMBERS = ("hbrooks", "jcarter", "tkowalski")  # of the demo's roster


def cpu_of(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, env=env,
                   cwd=cwd)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(cmd: Cmd, envs: list[dict[str, str]], runs: int, cwd: Path) -> list[float]:
    """The median CPU of `runs` runs under each environment, the environments taken in turn
    (run i under the first, then under the second, ...); every run its own command line."""
    times: list[list[float]] = [[] for _ in envs]
    for i in range(runs):
        for k, env in enumerate(envs):
            times[k].append(cpu_of(cmd(i * len(envs) + k), env, cwd))
    return [statistics.median(t) for t in times]


PG_DIALECT = "sqlalchemy.dialects.postgresql"


def bucket(module: str) -> str:
    if module == "trainctl.models" or module.startswith(PG_DIALECT):
        return module if module == "trainctl.models" else PG_DIALECT
    top = module.split(".")[0]
    return {"pydantic_core": "pydantic", "click": "typer", "_sqlite3": "sqlite3"}.get(top, top)


IMPORT_RUNS = 3
# The command in-process, with the CPU time spent inside `import` statements (the outermost
# ones: a module's body, e.g. the table classes, counts as its import) written to stderr.
IMPORT_CPU = """
import builtins, runpy, sys, time
real, depth, spent = builtins.__import__, 0, 0.0
def counted(*args, **kw):
    global depth, spent
    if depth:
        return real(*args, **kw)
    depth, t = 1, time.process_time()
    try:
        return real(*args, **kw)
    finally:
        depth, spent = 0, spent + time.process_time() - t
builtins.__import__ = counted
sys.argv = ["trainctl", *sys.argv[1:]]
try:
    runpy.run_module("trainctl", run_name="__main__", alter_sys=True)
finally:
    print(f"IMPORT-CPU {spent}", file=sys.stderr)
"""


def imports(
    cmd: Cmd, first: int, env: dict[str, str], cwd: Path
) -> tuple[float, float, dict[str, float], bool]:
    """A command's imports (runs `first`, `first` + 1, ...): the median CPU spent importing
    and the median CPU of the whole run (s, both in the same runs), each package's median
    share of the import time by `-X importtime` (its modules' own times), and whether it
    imported the PostgreSQL dialect."""
    spent: list[float] = []
    cpus: list[float] = []
    shares: dict[str, list[float]] = collections.defaultdict(list)
    pg = False
    for i in range(first, first + IMPORT_RUNS):  # (and IMPORT_RUNS more, for -X importtime)
        args = cmd(i)[3:]  # without `python -m trainctl`
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        err = subprocess.run([sys.executable, "-c", IMPORT_CPU, *args], env=env, cwd=cwd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             check=True).stderr  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        spent.append(float(err.rsplit("IMPORT-CPU ", 1)[1]))
        err = subprocess.run([sys.executable, "-X", "importtime", *cmd(i + IMPORT_RUNS)[1:]],
                             env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, check=True).stderr  # fmt: skip
        own: dict[str, float] = collections.defaultdict(float)
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _, name = line[len("import time:") :].split("|")
            own[bucket(name.strip())] += int(self_us)
            pg = pg or name.strip() == PG_DIALECT
        for k, v in own.items():
            shares[k].append(v / sum(own.values()))
    share = {k: statistics.median(v) for k, v in shares.items()}
    return statistics.median(spent), statistics.median(cpus), share, pg


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
    for i in range(runs):  # a sheet per `record import` run, a course of its own
        (db.parent / f"sheet{i}.csv").write_text(
            "email,course,date,hours\n"
            + "".join(f"{m}@station12.example,Bench sheet {i},{day(i)},2\n" for m in SHEET_MEMBERS)
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--imports", action="store_true", help="also what each write imports")
    ap.add_argument("--against", type=Path, metavar="OTHER/src",
                    help="another checkout's src, timed in turn with this one")  # fmt: skip
    args = ap.parse_args()
    trees = [SRC, *([args.against.resolve()] if args.against else [])]
    for tree in trees:
        compileall.compile_dir(tree / "trainctl", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        env = {**os.environ, "TRAINCTL_DB": str(db), "NO_COLOR": "1", "COLUMNS": "120"}
        env.pop("TRAINCTL_ACTOR", None)
        envs = [{**env, "PYTHONPATH": str(tree)} for tree in trees]
        cwd = Path(tmp)
        timed_runs = args.runs * len(trees)  # then 2 * IMPORT_RUNS more per tree for --imports
        build(db, timed_runs + 2 * IMPORT_RUNS * len(trees), envs[0])
        bare = median_cpu(lambda i: [sys.executable, "-c", "pass"], envs[:1], args.runs, cwd)[0]
        print(f"demo department, {args.runs} cold runs each, CPU seconds (user+sys), medians")
        if args.against:
            print(f"new: {trees[0]}\nold: {trees[1]}  (taken in turn)")
            print(f"{'command':24} {'new':>7} {'old':>7} {'new-old':>8}  target (new)")
        else:
            print(f"{'command':24} {'CPU':>7} {'vs bare':>8}  target")
        print(f"{'python -c pass':24} {bare:7.3f}")

        medians: dict[str, list[float]] = {}

        def row(label: str, cmd: Cmd, target: float | None) -> None:
            t = medians[label] = median_cpu(cmd, envs, args.runs, cwd)
            goal = f"{target:.2f} s: {'ok' if t[0] <= target else 'MISSED'}" if target else ""
            if args.against:
                print(f"{label:24} {t[0]:7.3f} {t[1]:7.3f} {t[0] - t[1]:+8.3f}  {goal}")
            else:
                print(f"{label:24} {t[0]:7.3f} {t[0] / bare:7.1f}x  {goal}")

        for label, cmd in READS:
            row(label, cmd, 0.25)
        for label, cmd, target in WRITES:
            row(label, cmd, target)
        if not args.imports:
            return
        print("\nimports of each write (median of 3 runs): the CPU spent in `import` statements")
        print("and its split by package (their shares of -X importtime's own times)")
        for label, cmd, _ in WRITES:
            for k, tree_env in enumerate(envs):
                spent, cpu, share, pg = imports(cmd, timed_runs + 2 * k * IMPORT_RUNS, tree_env, cwd)
                top = sorted(share.items(), key=lambda kv: -kv[1])[:6]
                which = f" [{('new', 'old')[k]}]" if args.against else ""
                print(f"{label}{which}: imports {spent:.3f} s of {cpu:.3f} s CPU ({spent / cpu:.0%}); "
                      f"PostgreSQL dialect {'LOADED' if pg else 'not loaded'}")  # fmt: skip
                print("  " + ", ".join(f"{name} {v * spent * 1000:.0f} ms" for name, v in top))


if __name__ == "__main__":
    main()
