"""Two processes enrolling and crediting at once lose nothing and duplicate nothing.

Write transactions begin IMMEDIATE with a busy timeout (db.py), so a read-then-write in one
process waits for the other instead of overwriting it. Processes are started with
multiprocessing "spawn": connections never cross a fork.
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import date
from pathlib import Path

from enroll_helpers import Dept


def _credit(url: str, progress_id: int, times: int, start: object) -> None:
    from trainctl.db import open_engine, session_scope
    from trainctl.domain.changes import AddCredit, Update
    from trainctl.services.auth import OWNER
    from trainctl.services.progress.changes import apply_update, locate

    engine = open_engine(url)
    start.wait()  # type: ignore[attr-defined]
    for _ in range(times):
        with session_scope(engine) as s:
            apply_update(
                s, OWNER, locate(s, OWNER, str(progress_id)), Update(credit=AddCredit(1)),
                today=date(2026, 3, 1),
            )  # fmt: skip
    engine.dispose()


def _bulk(url: str, program: str, refs: list[str], start: object, out: object) -> None:
    from trainctl.db import open_engine, session_scope
    from trainctl.services.auth import OWNER
    from trainctl.services.enrollment import Request, bulk_enroll, get_program

    engine = open_engine(url)
    start.wait()  # type: ignore[attr-defined]
    with session_scope(engine) as s:
        result = bulk_enroll(
            s, OWNER, get_program(s, program), [Request(f"item {i}", r) for i, r in enumerate(refs, 1)],
            today=date(2026, 3, 1),
        )  # fmt: skip
    out.put((len(result.enrolled), len(result.already), len(result.refused)))  # type: ignore[attr-defined]
    engine.dispose()


def test_two_processes_crediting_and_enrolling_at_once(cli, db_path: Path):
    dept = Dept(db_path)
    for i in range(60):
        dept.member(f"M{i:02d}", badge=f"X{i}")
    dept.simple_program("Recruit", "calls")  # required_calls 5
    dept.simple_program("Driver", "hours", "checklist")
    cli("--as-of", "2026-01-01", "enroll", "add", "X0", "Recruit")  # before the credits' day
    url = f"sqlite:///{db_path}"
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    refs = [f"X{i}" for i in range(60)]
    procs = [
        ctx.Process(target=_credit, args=(url, 1, 10, start)),
        ctx.Process(target=_credit, args=(url, 1, 10, start)),
        ctx.Process(target=_bulk, args=(url, "Driver", refs, start, out)),
        ctx.Process(target=_bulk, args=(url, "Driver", refs, start, out)),
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    results = sorted([out.get(timeout=5), out.get(timeout=5)])
    # one process enrolled everyone; the other found them all enrolled already (and left
    # them as they are: a run again is no refusal)
    assert results == [(0, 60, 0), (60, 0, 0)]
    assert dept.scalar("SELECT count(*) FROM enrollment WHERE program_id = 2") == 60
    assert dept.scalar("SELECT count(*) FROM requirement_progress rp JOIN enrollment e ON e.id = rp.enrollment_id "
                       "WHERE e.program_id = 2") == 120  # fmt: skip
    # 20 credits of 1 from two processes: none lost, none doubled
    assert dept.scalar("SELECT count(*) FROM progress_credit WHERE progress_id = 1") == 20
    assert dept.scalar("SELECT progress_value FROM requirement_progress WHERE id = 1") == 20
    assert dept.rows(
        "SELECT status, progress_percentage FROM requirement_progress WHERE id = 1"
    ) == [("completed", 100)]
    assert dept.scalar("SELECT status FROM enrollment WHERE id = 1") == "completed"
