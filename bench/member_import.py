"""`trainctl member import --csv` of a long roster: rows/s and peak memory, old and new.

Rosters of N short rows ("Member 17,m17@fd.example", what a hostile-input check fed it:
2.5 million such rows are 65 MB, under the 64 MiB input limit and took 9.4 GB before they
were killed) are imported into a new SQLite file by `python -m trainctl` as a whole process,
once with a given git revision's src/ (default: 04c1794, before the session-35 changes) and
once with this checkout's, in turn, so the machine's drift falls on both alike. Printed per
size and side: wall seconds, rows/s and the process's peak RSS (os.wait4), also with
--dry-run (no writes: the checking alone). Then the hostile file itself (--past rows,
default 2,500,000), on the new side only (the old one grew past 9 GB): refused up front,
past the row limit (domain/csvfile.MAX_ROWS).

    PYTHONPATH=src python bench/member_import.py [--sizes 1000,10000,100000] [--old REV]
        [--repeat 1] [--no-old] [--past 2500000]

Figures are printed, never asserted (shared, noisy machines). Session 35, on this 2-core
machine shared with other agents (one run):

         rows  side              write s   rows/s  peak MB    dry s  peak MB
        1,000  old (04c1794)        1.46      685       73     1.26       70
        1,000  new                  1.29      773       70     0.93       70
       10,000  old (04c1794)        1.64    6,082      115     1.21       90
       10,000  new                  1.35    7,384       94     1.13       88
      100,000  old (04c1794)       10.30    9,708      530     5.62      275
      100,000  new                  6.80   14,714      272     4.76      262
    2,500,000 rows (past the limit), new: 1.54 s, peak 232 MB, exit 65 (old: 9.4 GB, killed)

About 70 MB of each peak is the interpreter with SQLAlchemy, SQLModel and pydantic loaded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def roster(path: Path, rows: int, *, short: bool = False) -> Path:
    """`short`: rows as short as the hostile file's (2.5 million in 60 MB, under the 64 MiB
    input limit)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("name,email\n")
        fh.writelines((f"M {i},m{i}@fd.io\n" if short else f"Member {i},m{i}@fd.example\n") for i in range(rows))
    return path


def old_src(rev: str, into: Path) -> Path:
    """The src/ folder of git revision `rev`, unpacked into `into`."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "old.tar"
    subprocess.run(["git", "-C", str(HERE), "archive", "-o", str(archive), rev, "src"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run(src: Path, db: Path, csv: Path, *extra: str) -> tuple[float, float, int, str]:
    """(wall s, peak RSS MB, exit code, last stderr line) of one import as a whole process."""
    db.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "trainctl", "--db", str(db), "member", "import", "--csv", str(csv), *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return wall, usage.ru_maxrss / 1024, proc.returncode, (lines[-1] if lines else "")[:100]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--old", default="04c1794", help="git revision to compare with")
    parser.add_argument("--no-old", action="store_true", help="only this checkout")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--past", type=int, default=2_500_000, help="rows of the file past the limit")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sides = [("new", HERE / "src")]
        if not args.no_old:
            sides.insert(0, (f"old ({args.old})", old_src(args.old, folder / "old")))
        db = folder / "bench.db"
        print(f"{'rows':>9}  {'side':<16} {'write s':>8} {'rows/s':>8} {'peak MB':>8}"
              f"  {'dry s':>7} {'peak MB':>8}")  # fmt: skip
        for n in sizes:
            csv = roster(folder / f"roster-{n}.csv", n)
            for _ in range(args.repeat):
                for name, src in sides:
                    wall, rss, code, last = run(src, db, csv)
                    dwall, drss, dcode, _ = run(src, db, csv, "--dry-run")
                    note = "" if code == 0 and dcode == 0 else f"  exit {code}/{dcode}: {last}"
                    print(f"{n:>9,}  {name:<16} {wall:>8.2f} {n / wall:>8,.0f} {rss:>8.0f}"
                          f"  {dwall:>7.2f} {drss:>8.0f}{note}", flush=True)  # fmt: skip
        n = args.past
        csv = roster(folder / "past-the-limit.csv", n, short=True)
        wall, rss, code, last = run(HERE / "src", db, csv)
        print(f"\n{n:,} rows (past the limit), new: {wall:.2f} s, peak {rss:.0f} MB, exit {code}: {last}")


if __name__ == "__main__":
    main()
