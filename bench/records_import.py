"""Sign-in sheet import benchmark (issue 8): a year of training for a 500-member department.

World: 500 active members (badges zero-padded), a 30-course catalog, a program with six
requirements that count records (hours by training type, by topic, by course code; a
courses requirement), everyone enrolled on 2026-01-01. Sheets: 12 monthly CSV files, 160
sessions a year x 500 members = 80,000 rows, written as people deliver them (BOM, `;`,
"E-mail"/"Badge #" headers, mixed-case e-mails, badges without their leading zeros,
decimal commas).

Prints rows/s for
  - import: the service `trainctl record import FILE...` runs (import_records), in-process,
            timed from opening the files through parsing, checking, resolving, inserting,
            crediting (the credit feed and the shared finish) and COMMIT;
  - floor:  raw sqlite3.executemany inserting the same 80,000 record rows (already
            resolved: member and course ids, keys) into the same table with the same
            indexes and pragmas, through COMMIT; no credit;
  - floor+credits: the same, plus the import's credit rows (the ledger entries it wrote),
            raw, in the same transaction: every row the import writes, with nothing else;
and import / floor against the target (within 3x). Then the tracemalloc peak of the import
for two sizes (half and all of the year): flat when the files are streamed.

    .venv/bin/python bench/records_import.py [--members 500] [--sessions 160] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from trainctl.db import backup, open_engine, session_scope
from trainctl.domain.records import course_key
from trainctl.models import Course, Member, Program, ProgramRequirement, Requirement
from trainctl.services.auth import OWNER
from trainctl.services.enrollment import Request, bulk_enroll
from trainctl.services.records import COLUMNS, import_records

TODAY = date(2026, 12, 31)
START = date(2026, 1, 1)
TYPES = ("drill", "class", "ce")
TOPICS = ("structural_firefighting", "ems", "hazmat", "driver")


def build_world(path: Path, members: int) -> None:
    engine = open_engine(f"sqlite:///{path}")
    with Session(engine) as s:
        s.add_all(
            Member(name=f"Member {i:04d}", email=f"m{i}@example.org", badge=f"{i:05d}",
                   positions=["firefighter"])
            for i in range(1, members + 1)
        )  # fmt: skip
        s.add_all(
            Course(code=f"C{i:02d}", name=f"Course {i:02d}", training_type=TYPES[i % 3],
                   category=TOPICS[i % 4], credit_hours=2.0, expiration_months=24 if i % 7 == 0 else None)
            for i in range(30)
        )  # fmt: skip
        program = Program(name="Company training", time_limit_days=365)
        s.add(program)
        s.flush()
        reqs = [
            Requirement(name="Drill hours", requirement_type="hours", required_hours=100,
                        counts_training_types=["drill"]),
            Requirement(name="EMS hours", requirement_type="hours", required_hours=24,
                        counts_categories=["ems"]),
            Requirement(name="Hazmat hours", requirement_type="hours", required_hours=6,
                        counts_categories=["hazmat"]),
            Requirement(name="Pump ops", requirement_type="hours", required_hours=12,
                        counts_courses=["C03", "C07"]),
            Requirement(name="All training", requirement_type="hours", required_hours=192,
                        counts_training_types=list(TYPES)),
            Requirement(name="Core courses", requirement_type="courses",
                        required_courses=["C00", "C01", "C02"]),
        ]  # fmt: skip
        s.add_all(reqs)
        s.flush()
        s.add_all(
            ProgramRequirement(program_id=program.id, requirement_id=r.id, sort_order=i)
            for i, r in enumerate(reqs)
        )
        s.commit()
        with session_scope(engine) as w:
            prog = w.get(Program, program.id)
            requests = [Request(f"item {i}", f"m{i}@example.org", kind="email") for i in range(1, members + 1)]
            bulk_enroll(w, OWNER, prog, requests, today=START)  # type: ignore[arg-type]
    engine.dispose()


def sessions(count: int) -> list[tuple[int, date]]:
    """(course number, date): `count` sessions spread over the year, no two alike."""
    step = max(1, 364 // max(1, count // 2))
    return [(k % 30, START + timedelta(days=(k * step // 2) % 364 + k % 2)) for k in range(count)]


def write_sheets(folder: Path, members: int, count: int) -> list[Path]:
    by_month: dict[int, list[str]] = {}
    for k, (course, day) in enumerate(sessions(count)):
        name = f"Course {course:02d}" if k % 2 else f"C{course:02d}"
        for i in range(1, members + 1):
            who = f"M{i}@Example.org;" if i % 3 else f";{i}"  # badge 00042 written as 42
            by_month.setdefault(day.month, []).append(f"{who};{name};{day.isoformat()};2,0;;")
    paths = []
    for month, rows in sorted(by_month.items()):
        path = folder / f"sign-in-{month:02d}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            fh.write("E-mail;Badge #;Course;Date;Hours;;\r\n")
            fh.write("\r\n".join(rows) + "\r\n")
        paths.append(path)
    return paths


def floor_rows(path: Path, members: int, count: int) -> list[tuple[object, ...]]:
    """The rows the import writes, resolved (what executemany gets)."""
    con = sqlite3.connect(path)
    ids = dict(con.execute("SELECT email, id FROM member"))
    courses = {cid: (cid, code, name) for cid, code, name in con.execute("SELECT id, code, name FROM course")}
    con.close()
    stamp = "2026-12-31 12:00:00.000000"
    rows = []
    for course, day in sessions(count):
        cid, code, name = courses[course + 1]
        for i in range(1, members + 1):
            rows.append((
                ids[f"m{i}@example.org"], cid, name, code, course_key(cid, name), TYPES[course % 3],
                TOPICS[course % 4], None, day.isoformat(), None, 2.0, "completed", None, None, None,
                None, 0, "sign-in.csv", 2, stamp, None,
            ))  # fmt: skip
    return rows


def run_import(path: Path, sheets: list[Path]) -> tuple[float, float, int, int]:
    engine = open_engine(f"sqlite:///{path}")
    t0, c0 = time.perf_counter(), time.process_time()
    handles = [p.open("rb") for p in sheets]
    try:
        with session_scope(engine) as s:
            out = import_records(s, OWNER, [(p.name, h) for p, h in zip(sheets, handles, strict=True)],
                                 today=TODAY)  # fmt: skip
    finally:
        for h in handles:
            h.close()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    engine.dispose()
    assert not out.problems, out.problems[:3]
    return elapsed, cpu, out.added, out.feed.credits


CREDIT_COLUMNS = ("progress_id", "source_type", "source_id", "amount", "category", "item", "note",
                  "state", "entered_by", "entered_at")  # fmt: skip


def credit_rows(path: Path) -> list[tuple[object, ...]]:
    """The credits an import wrote (what the second floor inserts)."""
    con = sqlite3.connect(path)
    rows = con.execute(f"SELECT {', '.join(CREDIT_COLUMNS)} FROM progress_credit ORDER BY id").fetchall()
    con.close()
    return rows


def run_floor(
    path: Path, rows: list[tuple[object, ...]], credits: list[tuple[object, ...]] = ()
) -> tuple[float, float]:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    sql = f"INSERT INTO training_record ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    t0, c0 = time.perf_counter(), time.process_time()
    con.execute("BEGIN IMMEDIATE")
    con.executemany(sql, rows)
    if credits:
        con.executemany(
            f"INSERT INTO progress_credit ({', '.join(CREDIT_COLUMNS)}) VALUES ({', '.join('?' * len(CREDIT_COLUMNS))})",
            credits,
        )
    con.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    con.close()
    return elapsed, cpu


def peak(world: Path, folder: Path, members: int, count: int, name: str) -> tuple[int, float]:
    sub = folder / name
    sub.mkdir()
    sheets = write_sheets(sub, members, count)
    path = copy_of(world, f"{name}.db")
    gc.collect()
    tracemalloc.start()
    run_import(path, sheets)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return members * count, top / 2**20


def copy_of(src: Path, name: str) -> Path:
    dest = src.with_name(name)
    backup(f"sqlite:///{src}", dest)
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--sessions", type=int, default=160, help="training sessions a year (rows = members x sessions)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per path (the median is reported)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainctl-bench-") as tmp:
        folder = Path(tmp)
        world = folder / "world.db"
        build_world(world, args.members)
        sheets = write_sheets(folder, args.members, args.sessions)
        rows = floor_rows(world, args.members, args.sessions)
        total = len(rows)
        size = sum(p.stat().st_size for p in sheets)
        paths = ("import", "floor", "floor+credits")
        wall: dict[str, list[float]] = {k: [] for k in paths}
        cpu: dict[str, list[float]] = {k: [] for k in paths}
        credits: list[tuple[object, ...]] = []
        for n in range(args.repeat):
            path = copy_of(world, f"import{n}.db")
            elapsed, used, added, _ = run_import(path, sheets)
            assert added == total, (added, total)
            wall["import"].append(elapsed)
            cpu["import"].append(used)
            credits = credits or credit_rows(path)
            for name, extra in (("floor", []), ("floor+credits", credits)):
                path = copy_of(world, f"{name}{n}.db")
                elapsed, used = run_floor(path, rows, extra)
                wall[name].append(elapsed)
                cpu[name].append(used)
        med = {k: statistics.median(v) for k, v in wall.items()}
        mcpu = {k: statistics.median(v) for k, v in cpu.items()}
        print(f"record import: {args.members} members x {args.sessions} sessions = {total:,} rows in "
              f"{len(sheets)} sheets ({size / 2**20:.1f} MiB), {len(credits):,} credits; median of {args.repeat}")  # fmt: skip
        labels = {
            "import": "import (record import, with credit)",
            "floor": "floor  (raw executemany, records)",
            "floor+credits": "floor  (raw executemany, + credits)",
        }
        for k in paths:
            print(f"  {labels[k]:37s} {total / med[k]:>8,.0f} rows/s  {med[k]:5.2f} s  (CPU {mcpu[k]:.2f} s)")
        for k in ("floor", "floor+credits"):
            ratio = med["import"] / med[k]
            print(f"  import / {k:13s} = {ratio:.2f}x wall, {mcpu['import'] / mcpu[k]:.2f}x CPU  "
                  f"(target <= 3x)  {'OK' if ratio <= 3 else 'MISSED'}")  # fmt: skip
        half = peak(world, folder, args.members, args.sessions // 2, "half")
        full = peak(world, folder, args.members, args.sessions, "full")
        print(f"  tracemalloc peak: {half[0]:,} rows {half[1]:.1f} MiB; {full[0]:,} rows {full[1]:.1f} MiB "
              f"(x{full[1] / half[1]:.2f} for x{full[0] / half[0]:.0f} rows)")  # fmt: skip


if __name__ == "__main__":
    main()
