"""Two real processes writing at once: write transactions wait for each other (BEGIN
IMMEDIATE + busy_timeout) instead of failing with "database is locked", and no update is lost.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path


def _worker(url: str, worker: int, rounds: int, start: mp.Event) -> None:
    from trainctl.db import make_engine, session_scope
    from trainctl.models import Setting

    engine = make_engine(url)
    start.wait(10)
    for _ in range(rounds):
        # read-then-write: a deferred transaction here fails at once under a second writer
        with session_scope(engine, write=True) as session:
            row = session.get(Setting, "counter")
            row.value = str(int(row.value) + 1)
            session.flush()
    engine.dispose()


def test_two_processes_increment_without_lost_updates(tmp_path: Path):
    from trainctl.db import open_engine, session_scope
    from trainctl.models import Setting

    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = open_engine(url)
    with session_scope(engine) as session:
        session.add(Setting(key="counter", value="0"))
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_worker, args=(url, i, 100, start)) for i in range(2)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with session_scope(engine, write=False) as session:
        assert session.get(Setting, "counter").value == "200"
