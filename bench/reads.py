"""Cold read commands on a 500-member department, each as a whole process, against a floor.

    python bench/reads.py [--runs 11] [--members 500]

Builds a department through the real CLI (members from a CSV, the registries, the shipped
sample programs, a bulk enrollment and some progress), then for each everyday read command
prints the median CPU time (user + sys of the child process) over N cold runs, next to a
plain-sqlite3 script that runs the same query and prints the rows (the floor), the ratio,
and, when sqlite-utils is installed (`pip install '.[bench]'`), `sqlite-utils rows DB member
--csv` and each read against it: DESIGN §7's yardstick (a read within about 1.3x of it).

Target (issue 7, DESIGN §7): every read <= 0.25 s CPU here; one `progress update` <= 0.55 s.
Timings are printed, never asserted (shared, noisy machines).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

AS_OF = "2026-06-01"

# (label, trainctl args, the floor's SQL: the same rows the command reads)
READS: list[tuple[str, list[str], str]] = [
    # as of a date (every command here runs with --as-of): positions and status that day,
    # so the history is read too
    ("member list", ["member", "list"],
     "SELECT id, name, email, badge, positions, role, status, hire_date FROM member "
     "WHERE status = 'active' ORDER BY name, id"),
    ("member show", ["member", "show", "m250@example.org"],
     "SELECT * FROM member WHERE email = 'm250@example.org'"),
    ("requirement list", ["requirement", "list"], "SELECT * FROM requirement ORDER BY id"),
    # a name in another case: the resolver's case fold (trainctl_fold, a Python function on
    # SQLite) runs over the catalog
    ("requirement show", ["requirement", "show", "FIRE  drill"],
     "SELECT * FROM requirement WHERE lower(replace(name, ' ', '')) = 'firedrill'"),
    ("program show (table)", ["program", "show", "Recruit Academy"],
     "SELECT * FROM program_requirement JOIN requirement ON requirement.id = requirement_id "
     "WHERE program_id = 1 ORDER BY sort_order"),
    ("program show (json)", ["--format", "json", "program", "show", "Recruit Academy"],
     "SELECT * FROM program_requirement JOIN requirement ON requirement.id = requirement_id "
     "WHERE program_id = 1 ORDER BY sort_order"),
    ("enroll list", ["enroll", "list"],
     "SELECT e.*, m.name, p.name FROM enrollment e JOIN member m ON m.id = e.member_id "
     "JOIN program p ON p.id = e.program_id ORDER BY e.id"),
    ("enroll show", ["enroll", "show", "250"],
     "SELECT * FROM requirement_progress rp JOIN program_requirement pr ON pr.id = "
     "rp.program_requirement_id JOIN requirement r ON r.id = pr.requirement_id "
     "WHERE rp.enrollment_id = 250"),
    ("progress log", ["progress", "log", "--enrollment", "250", "--requirement", "Fire drill"],
     "SELECT * FROM progress_credit c JOIN requirement_progress rp ON rp.id = c.progress_id "
     "WHERE rp.enrollment_id = 250"),
]
WRITE = ("progress update", ["progress", "update", "--enrollment", "251", "--requirement",
                             "Fire drill", "--add", "1"])  # fmt: skip

FLOOR = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for row in con.execute(sys.argv[2]):
    print(*row, sep=",")
"""


def cpu_of(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(cmd: list[str], env: dict[str, str], runs: int) -> float:
    return statistics.median(cpu_of(cmd, env) for _ in range(runs))


def build(db: Path, members: int, env: dict[str, str]) -> None:
    def tc(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "trainctl", "--as-of", AS_OF, *args], check=True,
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    work = db.parent
    roster = work / "roster.csv"
    lines = ["name,email,badge,positions,role,hire_date"]
    for i in range(1, members + 1):
        role = "officer" if i % 25 == 0 else "member"
        pos = "firefighter|emt" if i % 3 else "firefighter"
        lines.append(f"Member {i:04d},m{i}@example.org,{i:04d},{pos},{role},2020-01-{i % 28 + 1:02d}")
    roster.write_text("\n".join(lines) + "\n")
    tc("member", "import", "--csv", str(roster))
    for registry in ("nfpa", "nremt", "proboard", "iso"):
        tc("import", registry)
    tc("requirement", "add", "--name", "Fire drill", "--type", "hours", "--hours", "24")
    tc("program", "create", "Recruit Academy", "--time-limit-days", "365")
    for ref in ("Fire drill", "NFPA 1001", "NFPA 1582", "CPR-BLS"):
        tc("program", "requirement", "add", "Recruit Academy", ref)
    tc("program", "activate", "Recruit Academy")
    enroll = work / "enroll.csv"
    enroll.write_text("member\n" + "".join(f"m{i}@example.org\n" for i in range(1, members + 1)))
    tc("enroll", "bulk", "Recruit Academy", "--csv", str(enroll))
    for e in range(240, 260):
        tc("progress", "update", "--enrollment", str(e), "--requirement", "Fire drill", "--add", "2")


def sqlite_utils() -> str | None:
    """The sqlite-utils installed beside this interpreter (`.venv/bin/python bench/...`
    finds the venv's even when the venv is not on PATH), else the one on PATH."""
    beside = Path(sys.executable).with_name("sqlite-utils")
    return str(beside) if beside.exists() else shutil.which("sqlite-utils")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--members", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "dept.db"
        env = {**os.environ, "TRAINCTL_DB": str(db), "NO_COLOR": "1", "COLUMNS": "120"}
        env.pop("TRAINCTL_ACTOR", None)
        build(db, args.members, env)
        bare = median_cpu([sys.executable, "-c", "pass"], env, args.runs)
        print(f"{args.members} members, {args.runs} cold runs each, CPU seconds (user+sys), medians")
        print(f"bare python: {bare:.3f} s")
        utils = sqlite_utils()
        yard = None
        if utils:
            yard = median_cpu([utils, "rows", str(db), "member", "--csv"], env, args.runs)
            print(f"sqlite-utils rows DB member --csv: {yard:.3f} s (DESIGN §7: a read within about 1.3x)")
        else:
            print("sqlite-utils is not installed (pip install '.[bench]'): no DESIGN §7 yardstick")
        vs = "  vs sqlite-utils" if yard else ""
        print(f"{'command':24} {'trainctl':>9} {'floor':>7} {'ratio':>6}  target 0.25 s{vs}")
        for label, cmd, sql in READS:
            t = median_cpu([sys.executable, "-m", "trainctl", "--as-of", AS_OF, *cmd], env, args.runs)
            f = median_cpu([sys.executable, "-c", FLOOR, str(db), sql], env, args.runs)
            ok = "ok" if t <= 0.25 else "MISSED"
            against = f"  {t / yard:5.2f}x {'ok' if t <= 1.3 * yard else 'over'}" if yard else ""
            print(f"{label:24} {t:9.3f} {f:7.3f} {t / f:5.1f}x  {ok:13}{against}")
        label, cmd = WRITE
        t = median_cpu([sys.executable, "-m", "trainctl", "--as-of", AS_OF, *cmd], env, args.runs)
        print(f"{label:24} {t:9.3f} {'':7} {'':6}  target 0.55 s: {'ok' if t <= 0.55 else 'MISSED'}")


if __name__ == "__main__":
    main()
