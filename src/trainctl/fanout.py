"""Pure work split across the machine's cores: `split_map(fn, items)` is `fn(items)`,
computed a slice at a time by forked copies of this process, the results back in order.

Why fork, and only this: the compliance matrix (10,000 cells of 50,000 records on
bench/compliance.py) is judged by one evaluator in Python (domain/compliance.py); on one
core that took 1.0 s of the report's 2.0 s. A forked child starts with the facts already
read (no re-read, no start-up, nothing pickled on the way in) and sends back only its
results. What it sends refers to the objects both sides hold (`shared`: the members, the
requirements) by their place in the list, so an evaluation's 50,000 facts never cross the
pipe: 5,000 cells pickle in 31 ms and load in 35 ms (`python bench/compliance.py`, the
pickling measured on its world), where pickling them whole took 450 and 610 ms.

Safe by construction:
  - `fn` must be pure (no I/O, no database): the child never touches the parent's
    connection, files or terminal, and leaves by `os._exit` (no atexit, no finaliser, no
    flushed buffer: a psycopg connection is not closed under the parent's feet).
  - A child that fails in any way (an exception, Ctrl-C, killed, a short pipe) costs only
    time: the parent computes that slice itself, so an error surfaces once, in the parent,
    with its own traceback; the result never depends on how the work was split.
  - Off where fork is not (Windows) or not sound (macOS frameworks), on one core, while
    another thread runs, for small work (`min_items`), and with TRAINCTL_WORKERS=1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 4
# below this many items a fork (a few ms for a large heap) and the pickling cost more than
# the half they save; the matrix splits from 2,000 cells
MIN_ITEMS = 2_000

_tables: Sequence[Sequence[object]] = ()  # the parent's `shared` while it loads a result


def _shared(table: int, index: int) -> object:
    """Unpickling: the parent's own object at a place in `shared`."""
    return _tables[table][index]


def workers() -> int:
    """How many processes may share the work: the cores this process may run on, no more
    than its CPU quota (a container's `--cpus`) allows, at most MAX_WORKERS; 1 where fork
    is not used. TRAINCTL_WORKERS overrides (1: never split)."""
    if sys.platform != "linux":
        return 1
    wanted = os.environ.get("TRAINCTL_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return int(wanted)
    cores = len(os.sched_getaffinity(0))
    quota = cpu_quota()
    if quota is not None:
        cores = min(cores, max(1, int(quota)))  # 1.5 CPUs: one process would not gain
    return max(1, min(MAX_WORKERS, cores))


def cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """The CPUs this process's cgroup may use (quota / period), None when unlimited or
    unknown: cgroup v2's cpu.max ("max 100000", "150000 100000"), else v1's
    cpu.cfs_quota_us (-1: unlimited) and cpu.cfs_period_us."""
    try:
        with open(f"{root}/cpu.max") as f:
            quota, period = f.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    for v1 in (f"{root}/cpu", f"{root}/cpu,cpuacct"):
        try:
            with open(f"{v1}/cpu.cfs_quota_us") as q, open(f"{v1}/cpu.cfs_period_us") as p:
                us, period_us = int(q.read()), int(p.read())
            return None if us <= 0 or period_us <= 0 else us / period_us
        except (OSError, ValueError):
            continue
    return None


def _threaded() -> bool:
    """Another thread runs (a test's mail server, an embedding program): a forked child
    would hold only this one, and any lock another held at the fork: never split then."""
    threading = sys.modules.get("threading")  # not imported: no other Python thread
    return threading is not None and threading.active_count() > 1


def split_map(
    fn: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    *,
    shared: Sequence[Sequence[object]] = (),
    min_items: int | None = None,
    weight: int = 1,
    n: int | None = None,
) -> list[R]:
    """`fn(items)`, in `n` (default `workers()`) slices, each but the first computed by a
    forked child; `fn` maps a slice to its results in order, and must be pure. `shared`:
    lists of objects the results refer to (sent by place, not pickled); `weight`: results
    per item (for `min_items`, default MIN_ITEMS, which counts results)."""
    min_items = MIN_ITEMS if min_items is None else min_items
    if len(items) * weight < min_items:
        return fn(items)
    n = min(workers() if n is None else n, len(items))
    if n < 2 or _threaded():
        return fn(items)
    bounds = [len(items) * k // n for k in range(n + 1)]
    slices = [items[bounds[k] : bounds[k + 1]] for k in range(n)]
    index = {id(o): (t, i) for t, table in enumerate(shared) for i, o in enumerate(table)}
    children: list[tuple[int, int] | None] = []
    try:
        children.extend(_fork(fn, s, index) for s in slices[1:])
        out = fn(slices[0])
        for k, s in enumerate(slices[1:]):
            got = _collect(children[k], shared)
            children[k] = None  # collected (and reaped)
            out.extend(fn(s) if got is None else got)
    finally:  # the parent's own part failed (or Ctrl-C): no child left behind
        for child in children:
            if child is not None:
                _abandon(*child)
    return out


def _fork(
    fn: Callable[[Sequence[T]], list[R]], part: Sequence[T], index: dict[int, Any]
) -> tuple[int, int] | None:
    """A child computing `fn(part)` and writing it, pickled, to a pipe: (pid, read end);
    None when no child could be made (the parent computes the part)."""
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid:
        os.close(w)
        return pid, r
    code = 1  # the child: whatever happens, it leaves by os._exit
    try:
        os.close(r)
        data = _dumps(fn(part), index)  # all of it before the first write: the parent
        view = memoryview(data)  # reads when its own part is done, and finds it ready
        while view:
            view = view[os.write(w, view) :]
        code = 0
    except BaseException:  # the parent redoes the part and shows the error
        pass
    finally:
        os._exit(code)


def _collect(child: tuple[int, int] | None, shared: Sequence[Sequence[object]]) -> list[Any] | None:
    """The child's results, or None when it failed (the caller computes the part)."""
    import pickle

    global _tables
    if child is None:
        return None
    pid, r = child
    chunks = []
    try:
        while chunk := os.read(r, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    _tables = shared
    try:
        got = pickle.loads(b"".join(chunks))
    except Exception:  # a torn result: compute the part here
        return None
    finally:
        _tables = ()
    return got if isinstance(got, list) else None


def _abandon(pid: int, r: int) -> None:
    import signal
    from contextlib import suppress

    # each may find it already closed, gone or reaped (an interrupted _collect)
    with suppress(OSError):
        os.close(r)
    with suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with suppress(OSError):
        os.waitpid(pid, 0)


def _dumps(results: list[Any], index: dict[int, Any]) -> bytes:
    import io
    import pickle

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: object) -> Any:
            # called for every object but None, bools and plain ints, floats, strs, bytes,
            # lists, tuples, dicts and sets: one dict lookup each
            place = index.get(id(obj))
            return NotImplemented if place is None else (_shared, place)

    buf = io.BytesIO()
    Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(results)
    return buf.getvalue()
