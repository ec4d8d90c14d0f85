"""The work split across cores (trainctl/fanout.py): forked children really compute their
slices, the results come back whole and in order, the objects both sides hold come back as
the parent's own, a failing child costs only time, and the compliance matrix is the same
split or not."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from trainctl import fanout

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the split forks on Linux only")


def _tagged(part):
    """Each item with the process that computed it."""
    return [(x * x, os.getpid()) for x in part]


@pytest.fixture(autouse=True)
def forked(monkeypatch):
    """The children each test forks (the suite's process has others of its own, such as
    multiprocessing's resource tracker: only these are checked)."""
    pids: list[int] = []
    real_fork = os.fork

    def recorded():
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    return pids


def _no_children_left(pids) -> bool:
    """Every child forked has exited and been reaped (none running, no zombie)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue  # reaped
        return False
    return True


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_the_slices_come_back_whole_and_in_order_each_from_its_own_process(n, forked):
    items = list(range(101))
    got = fanout.split_map(_tagged, items, min_items=0, n=n)
    assert [v for v, _ in got] == [x * x for x in items]
    pids = [p for _, p in got]
    assert pids[0] == os.getpid()  # the parent computes the first slice
    assert len(set(pids)) == n  # and a child each of the others
    assert pids == sorted(pids, key=pids.index)  # each process one run of items
    assert _no_children_left(forked)


def test_small_work_is_not_split():
    got = fanout.split_map(_tagged, list(range(10)), min_items=11, n=4)
    assert {p for _, p in got} == {os.getpid()}
    got = fanout.split_map(_tagged, list(range(10)), min_items=11, n=4, weight=2)
    assert len({p for _, p in got}) == 4  # 20 results: weight counts results per item


class Big:
    """Stands for a member with its 50,000 facts: refused by pickle, so a result that
    carried it across the pipe would make the child fail."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self):
        raise TypeError("a shared object must not be pickled")


def test_shared_objects_come_back_as_the_parents_own():
    bigs = [Big(f"m{i}") for i in range(30)]
    tags = [Big("t0"), Big("t1")]  # a second table, of objects the results hold elsewhere

    def pair(part):
        return [{"of": b, "tag": tags[i % 2], "pid": os.getpid()} for i, b in enumerate(part)]

    got = fanout.split_map(pair, bigs, shared=(bigs, tags), min_items=0, n=3)
    assert len({g["pid"] for g in got}) == 3  # no child failed: nothing of Big was pickled
    assert all(g["of"] is b for g, b in zip(got, bigs, strict=True))
    assert all(g["tag"] is tags[0] or g["tag"] is tags[1] for g in got)


def _fragile(parent):
    def fragile(part):
        if os.getpid() != parent:
            raise RuntimeError("a child's bug")
        return _tagged(part)

    return fragile


def test_a_failing_child_costs_only_time(forked, monkeypatch):
    monkeypatch.delenv("TRAINCTL_DEBUG", raising=False)
    parent = os.getpid()
    got = fanout.split_map(_fragile(parent), list(range(50)), min_items=0, n=3)
    assert got == [(x * x, parent) for x in range(50)]  # the parent did every slice
    assert len(forked) == 2 and _no_children_left(forked)


def test_under_debug_a_failing_child_is_raised_with_its_traceback(forked, monkeypatch):
    """A child's exception is a bug: the tests (TRAINCTL_DEBUG=1) see it, so a split whose
    children always fail (an unpicklable result) cannot pass as a slow success."""
    monkeypatch.setenv("TRAINCTL_DEBUG", "1")
    with pytest.raises(fanout.WorkerFailed, match=r"(?s)Traceback.*RuntimeError: a child's bug"):
        fanout.split_map(_fragile(os.getpid()), list(range(50)), min_items=0, n=3)
    assert _no_children_left(forked)

    def unpicklable(part):
        return [Big("made in the child") for _ in part]  # in no shared table

    with pytest.raises(fanout.WorkerFailed, match="must not be pickled"):
        fanout.split_map(unpicklable, list(range(50)), min_items=0, n=2)
    assert _no_children_left(forked)


def test_ctrl_c_as_a_child_is_made_leaves_no_child_behind(forked, monkeypatch):
    """The interrupt lands the instant fork returns in the parent: the child is on the list
    before Python can raise it, so it is killed and reaped."""
    real_fork = os.fork  # (the fixture's, which records the child)

    def interrupted_fork():
        pid = real_fork()
        if pid:
            os.kill(os.getpid(), signal.SIGINT)
        return pid

    monkeypatch.setattr(os, "fork", interrupted_fork)
    with pytest.raises(KeyboardInterrupt):
        fanout.split_map(_tagged, list(range(50)), min_items=0, n=3)
    assert forked and _no_children_left(forked)


def test_ctrl_c_while_waiting_for_a_child_kills_it_at_once(forked):
    """Interrupted while it waits for a slow child, the parent does not wait out the
    child's slice: it kills it, reaps it and goes."""
    parent = os.getpid()

    def slow_child(part):
        if os.getpid() != parent:
            time.sleep(30)
        return _tagged(part)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)  # (a timer is not inherited by the child)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            fanout.split_map(slow_child, list(range(50)), min_items=0, n=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    assert time.monotonic() - started < 20  # not the child's 30 s
    assert len(forked) == 1 and _no_children_left(forked)


def test_a_failing_parent_leaves_no_child_behind(forked):
    parent = os.getpid()

    def broken_here(part):
        if os.getpid() == parent:
            raise ValueError("the parent's slice")
        return _tagged(part)

    with pytest.raises(ValueError, match="the parent's slice"):
        fanout.split_map(broken_here, list(range(50)), min_items=0, n=3)
    assert _no_children_left(forked)


def test_no_split_while_another_thread_runs():
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        got = fanout.split_map(_tagged, list(range(100)), min_items=0, n=3)
    finally:
        stop.set()
        other.join()
    assert {p for _, p in got} == {os.getpid()}
    assert len({p for _, p in fanout.split_map(_tagged, list(range(100)), min_items=0, n=3)}) == 3


@pytest.mark.parametrize(
    ("files", "cpus"),
    [
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "200000 100000\n"}, 2.0),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({"cpu,cpuacct/cpu.cfs_quota_us": "50000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, 0.5),
        ({"cpu.max": "garbled"}, None),
        ({}, None),
    ],
)
def test_a_containers_cpu_quota_is_read(tmp_path: Path, files, cpus):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert fanout.cpu_quota(str(tmp_path)) == cpus


def test_a_cpu_quota_caps_the_workers(monkeypatch):
    monkeypatch.delenv("TRAINCTL_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    monkeypatch.setattr(fanout, "cpu_quota", lambda: 1.5)
    assert fanout.workers() == 1  # one and a half CPUs: a second process would only wait
    monkeypatch.setattr(fanout, "cpu_quota", lambda: 2.0)
    assert fanout.workers() == 2
    monkeypatch.setattr(fanout, "cpu_quota", lambda: None)
    assert fanout.workers() == fanout.MAX_WORKERS


def test_trainctl_workers_sets_the_split(monkeypatch):
    monkeypatch.setenv("TRAINCTL_WORKERS", "1")
    assert fanout.workers() == 1
    assert {p for _, p in fanout.split_map(_tagged, list(range(5000)))} == {os.getpid()}
    monkeypatch.setenv("TRAINCTL_WORKERS", "3")
    assert fanout.workers() == 3
    monkeypatch.setenv("TRAINCTL_WORKERS", "100")
    assert fanout.workers() == 64
    machine = max(1, min(fanout.MAX_WORKERS, len(os.sched_getaffinity(0))))
    for not_a_count in ("many", "0", "\u00b2", "-2", ""):  # the machine's cores
        monkeypatch.setenv("TRAINCTL_WORKERS", not_a_count)
        assert fanout.workers() == machine


@pytest.mark.parametrize(
    ("args", "as_of"),
    [
        (("report", "compliance", "--format", "json"), "2025-06-02"),
        (("report", "compliance", "--format", "csv"), "2024-12-31"),
        (("report", "compliance"), "2024-02-29"),
        (("report", "iso", "--year", "2024", "--format", "json"), "2024-12-31"),
    ],
)
def test_the_demos_reports_are_the_same_split_or_not(
    cli, tmp_path: Path, monkeypatch, forked, args, as_of
):
    demo = tmp_path / "demo.db"
    cli("demo", "--path", str(demo), "--as-of", "2025-06-02")
    run = ("--db", str(demo), *args, "--as-of", as_of)
    monkeypatch.setenv("TRAINCTL_WORKERS", "1")
    alone = cli(*run).stdout
    assert not forked
    monkeypatch.setenv("TRAINCTL_WORKERS", "3")
    monkeypatch.setattr(fanout, "MIN_ITEMS", 0)
    split = cli(*run).stdout
    assert len(forked) == 2  # two children: the split did happen
    assert split == alone
    if "json" in args:
        assert json.loads(split)  # a whole document, not two halves
    assert _no_children_left(forked)


def test_what_was_shared_is_freed_with_the_results_without_the_cycle_collector():
    """The compliance matrix runs with the cycle collector off and judges a large
    department a part at a time: once a part's results are dropped, nothing of the split
    may keep its shared objects (the members with their facts) alive."""
    import gc
    import weakref

    bigs = [Big(f"m{i}") for i in range(30)]
    ref = weakref.ref(bigs[-1])
    enabled = gc.isenabled()
    gc.disable()
    try:
        got = fanout.split_map(lambda part: [{"of": b, "pid": os.getpid()} for b in part],
                               bigs, shared=(bigs,), min_items=0, n=3)  # fmt: skip
        assert len({g["pid"] for g in got}) == 3 and got[-1]["of"] is bigs[-1]
        del got, bigs
        assert ref() is None
    finally:
        if enabled:
            gc.enable()
