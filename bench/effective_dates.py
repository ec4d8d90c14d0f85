"""The effective-dates upgrade (issue 11 #25, revision *_effective_dates) on a large ledger:
N credits (a fifth of them verified) written over three years, in America/Chicago.

Prints seconds for
  - upgrade: the revision itself on SQLite (five ADD COLUMNs, the day table, five UPDATEs
             each looking its day up by index), through COMMIT;
  - per-row: the same dates computed in Python row by row (SELECT, astimezone, one UPDATE
             per row through executemany), for comparison;
and the ratio. Each run starts from an identical copy of the same database.

    .venv/bin/python bench/effective_dates.py [--credits 500000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from trainctl.db import alembic_config, make_engine
from trainctl.dbfile import REVISIONS

EFFECTIVE = next(r for r in REVISIONS if r.endswith("_effective_dates"))
BEFORE = REVISIONS[REVISIONS.index(EFFECTIVE) - 1]


def migrate(path: Path, revision: str) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    engine.dispose()


def build(path: Path, n: int) -> None:
    migrate(path, BEFORE)
    rnd = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    con = sqlite3.connect(path)
    con.execute("INSERT INTO setting (key, value) VALUES ('timezone', 'America/Chicago')")
    rows = []
    for i in range(n):
        at = start + timedelta(seconds=rnd.randrange(3 * 365 * 86400))
        verified = (at + timedelta(days=3)).strftime(fmt) if i % 5 == 0 else None
        rows.append((1 + i // 40, "manual", f"{i:032x}", 1.0, "counted", at.strftime(fmt), verified))
    con.executemany(
        "INSERT INTO progress_credit (progress_id, source_type, source_id, amount, state, "
        "entered_at, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.commit()
    con.close()


def per_row(path: Path) -> None:
    """The naive way, for comparison: the columns, then every date in Python."""
    con = sqlite3.connect(path)
    for table, column in (("progress_credit", "entered_on"), ("progress_credit", "verified_on"),
                          ("requirement_progress", "verified_on"), ("milestone_event", "reached_on"),
                          ("milestone_event", "verified_on")):  # fmt: skip
        con.execute(f"ALTER TABLE {table} ADD COLUMN {column} DATE")
    zone = ZoneInfo("America/Chicago")
    for column, source in (("entered_on", "entered_at"), ("verified_on", "verified_at")):
        updates = [
            (datetime.fromisoformat(at).replace(tzinfo=UTC).astimezone(zone).date().isoformat(), i)
            for i, at in con.execute(f"SELECT id, {source} FROM progress_credit WHERE {source} IS NOT NULL")
        ]
        con.executemany(f"UPDATE progress_credit SET {column} = ? WHERE id = ?", updates)
    con.commit()
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--credits", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        build(base, args.credits)
        times: dict[str, list[float]] = {"upgrade": [], "per-row": []}
        for _ in range(args.repeat):
            for name, run in (("upgrade", lambda p: migrate(p, EFFECTIVE)), ("per-row", per_row)):
                copy = Path(tmp) / f"{name}.db"
                shutil.copy(base, copy)
                t0 = time.perf_counter()
                run(copy)
                times[name].append(time.perf_counter() - t0)
                if name == "upgrade":
                    con = sqlite3.connect(copy)
                    assert con.execute(
                        "SELECT count(*) FROM progress_credit WHERE entered_on IS NULL"
                    ).fetchone() == (0,)
                    con.close()
                copy.unlink()
    up, naive = statistics.median(times["upgrade"]), statistics.median(times["per-row"])
    print(f"credits: {args.credits:,} (a fifth verified), median of {args.repeat}")
    print(f"upgrade (set-based, the revision): {up:.2f} s")
    print(f"per-row (Python dates, executemany): {naive:.2f} s")
    print(f"ratio per-row / upgrade: {naive / up:.1f}x")


if __name__ == "__main__":
    main()
