"""Bulk enrollment benchmark (DESIGN §7): 5,000 members into a program with 40 requirements.

Prints rows/s for
  - bulk:  the service function `trainctl enroll bulk` uses (bulk_enroll), in-process,
           timed from member resolution and validation through COMMIT;
  - floor: raw sqlite3.executemany inserting the same enrollment and progress rows into
           the same schema (same indexes, same pragmas), through COMMIT;
  - loop:  the single-enroll path `trainctl enroll add MEMBER PROGRAM` runs (member and
           program lookup, enroll_member, one transaction per member), in-process, over a
           sample, extrapolated;
and the two ratios against their targets: bulk within 3x of the floor, and at least 30x
faster than the loop. Each run starts from an identical copy of the same database.

The bulk path makes its progress rows with INSERT ... SELECT inside the database, so it
can beat the executemany floor (floor / bulk below 1).

With `--db postgresql://USER@HOST/DB` the same three paths also run on that PostgreSQL
server and both backends are printed side by side. The bench needs CREATE DATABASE there:
the world is copied once into a database of its own (`trainctl db copy`), and every run
gets a fresh clone of it (CREATE DATABASE ... TEMPLATE), dropped afterwards. The floor on
PostgreSQL is psycopg's COPY, the fastest raw way in.

    .venv/bin/python bench/bulk_enroll.py [--members 5000] [--requirements 40] [--sample 100] [--repeat 3]
                                          [--db postgresql://trainctl@127.0.0.1:55433/postgres]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import backup, open_engine, session_scope
from trainctl.models import Member, Program, ProgramRequirement, Requirement
from trainctl.services.auth import OWNER
from trainctl.services.enrollment import Request, bulk_enroll, enroll_member, get_program
from trainctl.services.members import get_member

TODAY = date(2026, 1, 15)


def build_world(path: Path, members: int, requirements: int) -> int:
    engine = open_engine(f"sqlite:///{path}")
    with Session(engine) as s:
        s.add_all(
            Member(name=f"Member {i:05d}", email=f"m{i}@example.org", badge=f"B{i}")
            for i in range(members)
        )
        program = Program(name="Recruit Academy", time_limit_days=365)
        s.add(program)
        s.flush()
        for i in range(requirements):
            req = Requirement(name=f"Requirement {i:02d}", requirement_type="hours", required_hours=10,
                              time_limit_days=90 if i % 2 else None)  # fmt: skip
            s.add(req)
            s.flush()
            s.add(ProgramRequirement(program_id=program.id, requirement_id=req.id, sort_order=i,
                                     custom_deadline_days=30 if i % 5 == 0 else None))  # fmt: skip
        s.commit()
        pid = program.id
    engine.dispose()
    return pid  # type: ignore[return-value]


def copy_of(src: Path, name: str) -> Path:
    dest = src.with_name(name)
    backup(f"sqlite:///{src}", dest)
    return dest


def run_bulk(url: str, program_id: int, members: int) -> tuple[float, int]:
    engine = open_engine(url)
    requests = [
        Request(where=f"item {i + 1}", ref=f"m{i}@example.org", kind="email")
        for i in range(members)
    ]
    t0 = time.perf_counter()
    with session_scope(engine) as s:
        result = bulk_enroll(s, OWNER, s.get(Program, program_id), requests, today=TODAY)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    assert len(result.enrolled) == members, result.refused[:3]
    engine.dispose()
    return elapsed, len(result.enrolled) + result.progress_rows


def run_floor(url: str, program_id: int, members: int) -> tuple[float, int]:
    """The same rows through raw sqlite3.executemany: no validation, no ORM, no Core."""
    if url.startswith("postgresql"):
        return run_floor_pg(url, program_id, members)
    con = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    links = con.execute(
        "SELECT pr.id, pr.requirement_id, pr.custom_deadline_days, r.time_limit_days FROM program_requirement pr "
        "JOIN requirement r ON r.id = pr.requirement_id WHERE pr.program_id = ? ORDER BY pr.sort_order, pr.id",
        (program_id,),
    ).fetchall()
    member_ids = [
        r[0] for r in con.execute("SELECT id FROM member ORDER BY id LIMIT ?", (members,))
    ]
    stamp = "2026-01-15 12:00:00.000000"
    due = {
        lid: (date.fromordinal(TODAY.toordinal() + (c or t)).isoformat() if (c or t) else None)
        for lid, _, c, t in links
    }
    t0 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        "INSERT INTO enrollment (member_id, program_id, program_version, enrolled_at, enrolled_on, enrolled_by, "
        "target_completion_date, current_phase_id, phase_started_on, progress_percentage, status, "
        "deadline_warning_sent) VALUES (?, ?, 1, ?, ?, NULL, ?, NULL, NULL, 0.0, 'active', 0)",
        [(m, program_id, stamp, TODAY.isoformat(), "2027-01-15") for m in member_ids],
    )
    eids = [
        r[0]
        for r in con.execute(
            "SELECT id FROM enrollment WHERE enrolled_at = ? ORDER BY id", (stamp,)
        )
    ]
    con.executemany(
        "INSERT INTO requirement_progress (enrollment_id, program_requirement_id, status, "
        "progress_value, progress_percentage, due_on) VALUES (?, ?, 'not_started', 0.0, 0.0, ?)",
        [(e, lid, due[lid]) for e in eids for lid, _, _, _ in links],
    )
    con.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed, len(eids) * (len(links) + 1)


def run_floor_pg(url: str, program_id: int, members: int) -> tuple[float, int]:
    """The same rows through raw psycopg COPY (PostgreSQL's fastest way in; executemany,
    even pipelined, is about 3x slower here), under the same write lock trainctl takes,
    through COMMIT."""
    import psycopg

    from trainctl.db import WRITE_LOCK

    con = psycopg.connect(_dsn(url))
    links = con.execute(
        "SELECT pr.id, pr.requirement_id, pr.custom_deadline_days, r.time_limit_days FROM program_requirement pr "
        "JOIN requirement r ON r.id = pr.requirement_id WHERE pr.program_id = %s ORDER BY pr.sort_order, pr.id",
        (program_id,),
    ).fetchall()
    member_ids = [r[0] for r in con.execute("SELECT id FROM member ORDER BY id LIMIT %s", (members,))]
    con.rollback()
    stamp = "2026-01-15 12:00:00.000000"
    due = {
        lid: (date.fromordinal(TODAY.toordinal() + (c or t)) if (c or t) else None)
        for lid, _, c, t in links
    }
    t0 = time.perf_counter()
    with con.cursor() as cur:
        cur.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        with cur.copy(
            "COPY enrollment (member_id, program_id, program_version, enrolled_at, enrolled_on, "
            "target_completion_date, progress_percentage, status, deadline_warning_sent) FROM STDIN"
        ) as copy:
            for m in member_ids:
                copy.write_row((m, program_id, 1, stamp, TODAY, date(2027, 1, 15), 0.0, "active", False))
        eids = [r[0] for r in cur.execute("SELECT id FROM enrollment WHERE enrolled_at = %s ORDER BY id", (stamp,))]
        with cur.copy(
            "COPY requirement_progress (enrollment_id, program_requirement_id, status, "
            "progress_value, progress_percentage, due_on) FROM STDIN"
        ) as copy:
            for e in eids:
                for lid, _, _, _ in links:
                    copy.write_row((e, lid, "not_started", 0.0, 0.0, due[lid]))
    con.commit()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed, len(eids) * (len(links) + 1)


def run_loop(url: str, program_id: int, sample: int) -> tuple[float, int]:
    engine = open_engine(url)
    with engine.connect() as c:
        links = c.scalar(
            sa.text("SELECT count(*) FROM program_requirement WHERE program_id = :p"),
            {"p": program_id},
        )
    t0 = time.perf_counter()
    for i in range(1, sample + 1):
        with session_scope(engine) as s:  # what `enroll add m1@example.org "Recruit Academy"` runs
            member = get_member(s, f"m{i}@example.org")
            program = get_program(s, "Recruit Academy")
            enroll_member(s, OWNER, member, program, today=TODAY)
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed, sample * (1 + links)


def _dsn(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(_dsn(url), autocommit=True)


class Backend:
    """Fresh copies of the world, one per run: a file copy (SQLite) or a clone of a template
    database (PostgreSQL)."""

    def __init__(self, name: str, world: Path, server: str | None) -> None:
        self.name, self.world, self.server = name, world, server
        self.template = None
        if server is not None:
            from trainctl.services.dbcopy import copy_to_postgres

            self.template = f"trainctl_bench_{uuid.uuid4().hex[:8]}"
            with _admin(server) as con:
                con.execute(f'CREATE DATABASE "{self.template}"')
            copy_to_postgres(f"sqlite:///{world}", self._url(self.template))

    def _url(self, db: str) -> str:
        assert self.server is not None
        return self.server.rsplit("/", 1)[0] + "/" + db

    @contextmanager
    def fresh(self, label: str) -> Iterator[str]:
        if self.server is None:
            path = copy_of(self.world, f"{label}.db")
            try:
                yield f"sqlite:///{path}"
            finally:
                for extra in ("", "-wal", "-shm"):
                    Path(str(path) + extra).unlink(missing_ok=True)
            return
        db = f"{self.template}_{label}"
        with _admin(self.server) as con:
            con.execute(f'CREATE DATABASE "{db}" TEMPLATE "{self.template}"')
        try:
            yield self._url(db)
        finally:
            with _admin(self.server) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    def close(self) -> None:
        if self.server is not None and self.template is not None:
            with _admin(self.server) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def measure(backend: Backend, program_id: int, args: argparse.Namespace) -> dict[str, float]:
    rates: dict[str, list[float]] = {"bulk": [], "floor": [], "loop": []}
    paths: tuple[tuple[str, Callable[[str, int, int], tuple[float, int]], int], ...] = (
        ("bulk", run_bulk, args.members),
        ("floor", run_floor, args.members),
        ("loop", run_loop, args.sample),
    )
    for n in range(args.repeat):
        for name, fn, arg in paths:
            with backend.fresh(f"{name}{n}") as url:
                elapsed, rows = fn(url, program_id, arg)
                rates[name].append(rows / elapsed)
    return {k: statistics.median(v) for k, v in rates.items()}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--members", type=int, default=5000)
    ap.add_argument("--requirements", type=int, default=40)
    ap.add_argument("--sample", type=int, default=100, help="members for the single-enroll loop")
    ap.add_argument("--repeat", type=int, default=3, help="runs per path (the median is reported)")
    ap.add_argument("--db", help="also run on this PostgreSQL server (needs CREATE DATABASE)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="trainctl-bench-") as tmp:
        world = Path(tmp) / "world.db"
        program_id = build_world(world, args.members, args.requirements)
        backends = [Backend("SQLite", world, None)]
        if args.db:
            backends.append(Backend("PostgreSQL", world, args.db))
        try:
            results = {b.name: measure(b, program_id, args) for b in backends}
        finally:
            for b in backends:
                b.close()
    rows_total = args.members * (args.requirements + 1)
    names = list(results)
    print(f"bulk enrollment: {args.members} members x {args.requirements} requirements "
          f"= {rows_total:,} rows (enrollments + progress), median of {args.repeat}")  # fmt: skip
    print(f"  {'rows/s (seconds)':34}" + "".join(f"{n:>22}" for n in names))
    labels = {
        "bulk": "bulk  (enroll bulk service path)",
        "floor": "floor (raw executemany / COPY)",
        "loop": f"loop  (enroll add x {args.sample}, extrap.)",
    }
    for key, label in labels.items():
        cells = "".join(
            f"{results[n][key]:>12,.0f} ({rows_total / results[n][key]:>6.2f} s)" for n in names
        )
        print(f"  {label:34}{cells}")
    for n in names:
        med = results[n]
        slow = med["floor"] / med["bulk"]
        fast = med["bulk"] / med["loop"]
        print(f"  {n:10} floor / bulk = {slow:.2f}x  (target <= 3x)   {'OK' if slow <= 3 else 'MISSED'}"
              f"   bulk / loop = {fast:.1f}x  (target >= 30x)  {'OK' if fast >= 30 else 'MISSED'}")  # fmt: skip
    if len(names) == 2:
        a, b = (results[n]["bulk"] for n in names)
        print(f"  bulk on {names[1]} / bulk on {names[0]} = {b / a:.2f}x the rate")


if __name__ == "__main__":
    main()
