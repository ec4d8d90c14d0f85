"""Cold start of trainctl: `--help` against a bare interpreter, and three everyday commands
on the demo department as whole processes (wall and CPU medians), and what each imports.

    python bench/startup.py [N] [--imports] [--db DEMO.db]

N runs of each (default 10), taken in turn (--help, member list, report compliance, --help,
...) so the machine's drift falls on all of them alike. The demo department is built once in
a temporary folder (`trainctl demo --as-of 2025-06-02`, about 2 s) unless --db names one.
The bytecode is written first (bench/compliance.py `compiled`): an installed trainctl
has it, and this machine's PYTHONDONTWRITEBYTECODE would otherwise compile every module in
every run (about 0.15 s of each start).

--imports: `python -X importtime` of each command, medians over the runs: the total of
the modules' own times, and trainctl's modules and what they bring in (cumulative), the
costliest first. Typer itself (~30 ms) is the same for every command.

Target (DESIGN §7): `trainctl --help` under 100 ms CPU; a read within about 1.3x of
`sqlite-utils rows` printing the same table (bench/reads.py). Timings are printed, never
asserted (shared, noisy machines).
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from compliance import compiled, timed  # bench/compliance.py, beside this file

AS_OF = "2025-06-02"  # the README's demo date


def commands(db: Path) -> dict[str, list[str]]:
    trainctl = [sys.executable, "-m", "trainctl"]
    on_demo = [*trainctl, "--db", str(db), "--as-of", AS_OF]
    return {
        "bare python": [sys.executable, "-c", "pass"],
        "trainctl --help": [*trainctl, "--help"],
        "trainctl enroll --help": [*trainctl, "enroll", "--help"],
        "member list": [*on_demo, "member", "list"],
        "report compliance --format json": [*on_demo, "report", "compliance", "--format", "json"],
    }


def import_times(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, list[tuple[str, float]]]:
    """The median total of the modules' own import times (ms), and each trainctl module's
    median cumulative time (itself and what it imported first), the costliest first."""
    cumulative: dict[str, list[int]] = collections.defaultdict(list)
    totals = []
    for _ in range(runs):
        err = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, check=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr  # fmt: skip
        total = 0
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, cum_us, name = line[len("import time:"):].split("|")
            total += int(self_us)
            cumulative[name.strip()].append(int(cum_us))
        totals.append(total)
    ours = [m for m in cumulative if m.startswith("trainctl")]
    rows = sorted(((m, statistics.median(cumulative[m]) / 1000) for m in ours), key=lambda r: -r[1])
    return statistics.median(totals) / 1000, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="?", type=int, default=10)
    ap.add_argument("--imports", action="store_true", help="also list what each command imports")
    ap.add_argument("--db", type=Path, help=f"a demo database (built with --as-of {AS_OF})")
    args = ap.parse_args()
    compiled()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINCTL_")}
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "demo.db"
        if args.db is None:
            subprocess.run([sys.executable, "-m", "trainctl", "demo", "--path", str(db), "--as-of", AS_OF],
                           env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        cmds = commands(db)
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in cmds}
        for _ in range(args.runs):
            for label, cmd in cmds.items():
                times[label].append(timed(cmd, env))
        print(f"runs per command: {args.runs} (taken in turn); medians, ms")
        print(f"{'':34s} {'wall':>7s} {'CPU':>7s}")
        for label, runs in times.items():
            wall = statistics.median(w for w, _ in runs) * 1000
            cpu = statistics.median(c for _, c in runs) * 1000
            note = f"  (target < 100 ms CPU: {'ok' if cpu < 100 else 'MISSED'})" if label == "trainctl --help" else ""
            print(f"{label:34s} {wall:7.1f} {cpu:7.1f}{note}")
        bare = statistics.median(w for w, _ in times["bare python"])
        print(f"--help over bare python: {statistics.median(w for w, _ in times['trainctl --help']) / bare:.1f}x wall")
        if args.imports:
            for label, cmd in cmds.items():
                if label == "bare python":
                    continue
                total, rows = import_times(cmd, env, min(args.runs, 5))
                print(f"\n{label}: imports {total:.1f} ms (median of the modules' own times summed)")
                for module, ms in rows[:12]:
                    print(f"  {ms:6.1f} ms  {module} (with what it imports)")


if __name__ == "__main__":
    main()
