"""`report iso` at department scale: bench/compliance.py's world (500 members x 50,000
records by default; `--members 5000 --records 500000` for a large department) with the
ISO and NFPA registries imported, and officer certifications on file for some officers
(an NFPA 1021 card for every third officer, a Pro Board Fire Officer I class record for
every fifth: the officers' item judges them, `_certify`), then
`trainctl report iso --year 2026` in each format as a whole process.

    .venv/bin/python bench/iso.py [--members 500] [--records 50000] [--runs 3] [--keep DIR]
                                  [--save DIR]

Prints, per format (table, json, csv), the median wall and CPU time over N runs and the
peak memory (the largest resident set of the process and the processes it judged its
cells in). `--keep`: the world is built there once and reused (bench/compliance.py
--keep builds the same one); `--save DIR`: each format's output written there, to
compare byte for byte with another build. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from compliance import AS_OF, build, compiled  # (bench/compliance.py)

YEAR = 2026
IMPORTED = "2024-01-01"  # the registries' import day: in force for the whole year


def prepare(db: Path) -> None:
    """The registries and the officers' certifications, once (the NFPA 1021 cards mark it)."""
    con = sqlite3.connect(db)
    done = con.execute("SELECT 1 FROM certification WHERE credential_code = 'NFPA 1021'").fetchone()
    con.close()
    if done:
        return
    env = {**os.environ, "TRAINCTL_DB": str(db)}
    env.pop("TRAINCTL_ACTOR", None)
    for registry in ("nfpa", "iso"):
        subprocess.run([sys.executable, "-m", "trainctl", "--quiet", "--as-of", IMPORTED, "import",
                        registry], env=env, check=True, capture_output=True)  # fmt: skip
    rnd = random.Random(34)
    con = sqlite3.connect(db)
    officers = [mid for mid, pos in con.execute("SELECT id, positions FROM member ORDER BY id")
                if '"officer"' in pos]  # fmt: skip
    now = "2026-06-01 00:00:00"
    cards, classes = [], []
    for i, mid in enumerate(officers):
        issued = AS_OF - timedelta(days=rnd.randint(0, 1500))
        if i % 3 == 0:
            cards.append((mid, "NFPA 1021", issued.isoformat(), None, now))
        if i % 5 == 0:
            classes.append((mid, "Fire Officer I", "PB-FO1", f"name:fire officer i {mid}", "class",
                            "officer", issued.isoformat(), 40, "completed", 0, now))  # fmt: skip
    con.executemany(
        "INSERT INTO certification (member_id, credential_code, issued_on, expires_on, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        cards,
    )
    con.executemany(
        "INSERT INTO training_record (member_id, course_name, course_code, course_key, "
        "training_type, category, completion_date, hours_completed, status, self_paced, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        classes,
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


def measured(cmd: list[str], env: dict[str, str], out: Path | None) -> tuple[float, float, float]:
    """Wall s, CPU s and peak resident MB of one process (with the processes it waited for:
    os.wait4 takes the largest of them)."""
    sink = open(out, "wb") if out is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, stdout=sink)
        _, status, use = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    finally:
        if out is not None:
            sink.close()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return wall, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the world in this directory and keep it "
                    "(reused when it already holds one)")  # fmt: skip
    ap.add_argument("--save", type=Path, help="write each format's output in this directory")
    args = ap.parse_args()
    compiled()
    with tempfile.TemporaryDirectory() as tmp:
        db = (args.keep or Path(tmp)) / "bench.db"
        if args.keep is None or not db.exists():
            db.parent.mkdir(parents=True, exist_ok=True)
            build(db, args.members, args.records)
        prepare(db)
        con = sqlite3.connect(db)
        members = con.execute("SELECT count(*) FROM member").fetchone()[0]
        records = con.execute("SELECT count(*) FROM training_record").fetchone()[0]
        con.close()
        print(f"world: {members} members, {records} training records, ISO and NFPA imported")
        env = {**os.environ, "TRAINCTL_DB": str(db)}
        env.pop("TRAINCTL_ACTOR", None)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
        for fmt in ("table", "json", "csv"):
            cmd = [sys.executable, "-m", "trainctl", "--format", fmt, "report", "iso",
                   "--year", str(YEAR)]  # fmt: skip
            runs = [
                measured(cmd, env, args.save / f"iso.{fmt}" if args.save and i == 0 else None)
                for i in range(args.runs)
            ]
            print(f"report iso --year {YEAR} --format {fmt}: median "
                  f"{statistics.median(w for w, _, _ in runs):.3f} s wall, "
                  f"{statistics.median(c for _, c, _ in runs):.3f} s CPU, "
                  f"peak {max(m for _, _, m in runs):.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
