"""Four real processes against one PostgreSQL database, each crediting the same progress
row, enrolling the same members in the same program and importing the same sign-in sheet,
all at once: no credit is lost or doubled, nobody holds two open enrollments, and every
sheet row is recorded and credited once. (tests/test_enroll_concurrency.py is the SQLite
version; here the guarantee comes from the advisory write lock, db._postgres_write_lock.)

Processes are started with multiprocessing "spawn": connections never cross a fork.
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import date

import pytest
from backends import Db, create_database, drop_database

PROCESSES = 4
CREDITS = 15  # per process
MEMBERS = 40
TODAY = date(2026, 3, 1)
SHEET = "email,course,date,hours,type\n" + "".join(
    f"m{i:02d}@fd.org,Ladder drill,2026-03-01,1.5,drill\n" for i in range(MEMBERS)
)

pytestmark = pytest.mark.postgres_only("concurrent writers on a PostgreSQL server")


def _worker(url: str, n: int, start: object, out: object) -> None:
    import io

    from trainctl.db import make_engine, session_scope
    from trainctl.domain.changes import AddCredit, Update
    from trainctl.services.auth import OWNER
    from trainctl.services.enrollment import Request, bulk_enroll, get_program
    from trainctl.services.progress.changes import apply_update, locate
    from trainctl.services.records import import_records

    engine = make_engine(url)
    enrolled = imported = 0
    start.wait(60)  # type: ignore[attr-defined]
    for k in range(CREDITS):
        with session_scope(engine) as s:  # read-then-write on the same row in every process
            apply_update(s, OWNER, locate(s, OWNER, "1"), Update(credit=AddCredit(1)), today=TODAY)
        if k == 2 + n:  # the bulk enrollment and the import overlap the others' credits
            with session_scope(engine) as s:
                refs = [Request(f"item {i}", f"X{i}") for i in range(MEMBERS)]
                enrolled = len(bulk_enroll(s, OWNER, get_program(s, "Academy"), refs, today=TODAY).enrolled)
        if k == 6 - n:
            with session_scope(engine) as s:
                outcome = import_records(s, OWNER, [("sheet.csv", io.BytesIO(SHEET.encode()))], today=TODAY)
                imported = outcome.added
    out.put((enrolled, imported))  # type: ignore[attr-defined]
    engine.dispose()


def _department(url: str) -> None:
    from sqlmodel import Session

    from trainctl.db import open_engine
    from trainctl.models import Member, Program, ProgramRequirement, Requirement

    engine = open_engine(url)
    with Session(engine) as s:
        s.add_all(Member(name=f"M{i:02d}", email=f"m{i:02d}@fd.org", badge=f"X{i}") for i in range(MEMBERS))
        program = Program(name="Academy")
        req = Requirement(name="Drill hours", requirement_type="hours", required_hours=10_000,
                          counts_training_types=["drill"])  # fmt: skip
        s.add_all([program, req])
        s.flush()
        s.add(ProgramRequirement(program_id=program.id, requirement_id=req.id))
        s.commit()
    engine.dispose()


@pytest.fixture
def pg() -> str:
    url = create_database(empty=True)
    _department(url)
    yield url
    drop_database(url)


def test_four_processes_credit_enroll_and_import_at_once(cli, pg: str):
    cli("--db", pg, "--as-of", TODAY.isoformat(), "enroll", "add", "X0", "Academy")  # progress row 1
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(pg, n, start, out)) for n in range(PROCESSES)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    results = [out.get(timeout=10) for _ in procs]
    db = Db(pg)

    # enrollments: one process enrolled the 39 others, the rest found them enrolled
    assert sorted(e for e, _ in results) == [0] * (PROCESSES - 1) + [MEMBERS - 1]
    assert db.rows(
        "SELECT member_id, count(*) FROM enrollment WHERE status = 'active' "
        "GROUP BY member_id HAVING count(*) > 1"
    ) == []
    assert db.count("enrollment") == MEMBERS
    assert db.count("requirement_progress") == MEMBERS

    # imports: every sheet row recorded once, by whichever process came first
    assert sorted(i for _, i in results) == [0] * (PROCESSES - 1) + [MEMBERS]
    assert db.count("training_record") == MEMBERS

    # credits: the 60 by hand all there; each record credited at most once (members enrolled
    # by another process after the import may or may not get it, by the feed's own rules),
    # M00's (enrolled before) exactly once; every row's value is the sum of its ledger
    assert db.scalar("SELECT count(*) FROM progress_credit WHERE progress_id = 1 AND source_type = 'manual'") == PROCESSES * CREDITS
    assert db.rows(
        "SELECT progress_id, count(*) FROM progress_credit WHERE source_type <> 'manual' "
        "GROUP BY progress_id HAVING count(*) > 1"
    ) == []
    assert db.rows(
        "SELECT rp.id, rp.progress_value, sum(pc.amount) FROM requirement_progress rp "
        "LEFT JOIN progress_credit pc ON pc.progress_id = rp.id AND pc.state = 'counted' GROUP BY rp.id, rp.progress_value "
        "HAVING rp.progress_value <> COALESCE(sum(pc.amount), 0)"
    ) == []
    assert db.scalar("SELECT progress_value FROM requirement_progress WHERE id = 1") == PROCESSES * CREDITS + 1.5
