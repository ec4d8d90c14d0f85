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
  - A child that fails in any way (an exception, killed, a short pipe) costs only time:
    the parent computes that slice itself, so an error surfaces once, in the parent, with
    its own traceback; the result never depends on how the work was split. (A child's
    exception is a bug: under TRAINCTL_DEBUG, as in the tests, it is raised with the
    child's traceback instead, so a split that always fails cannot hide.)
  - Ctrl-C: the children die with the parent's process group; the parent kills and reaps
    any left (signals wait while a child is made or reaped: none escapes the list).
  - Off where fork is not (Windows) or not sound (macOS frameworks), on one core, while
    another thread runs, for small work (`min_items`), and with TRAINCTL_WORKERS=1.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 4
# below this many items a fork (a few ms for a large heap) and the pickling cost more than
# the half they save; the matrix splits from 2,000 cells
MIN_ITEMS = 2_000


def workers() -> int:
    """How many processes may share the work: the cores this process may run on, no more
    than its CPU quota (a container's `--cpus`) allows, at most MAX_WORKERS; 1 where fork
    is not used. TRAINCTL_WORKERS overrides (1: never split)."""
    if sys.platform != "linux":
        return 1
    wanted = os.environ.get("TRAINCTL_WORKERS", "").strip()
    if wanted.isascii() and wanted.isdigit() and int(wanted) >= 1:  # else: not a count
        return min(int(wanted), 64)
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
    """Another thread runs (a test's mail server, a C library's, an embedding program's):
    a forked child would have only this one, and any lock another held at the fork, so
    the work is not split. Counted by the kernel: threads Python did not start count."""
    try:
        return len(os.listdir("/proc/self/task")) > 1
    except OSError:
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
    children: list[_Child | None] = []
    try:
        for part in slices[1:]:
            _fork(fn, part, index, children)
        out = fn(slices[0])
        for child, part in zip(children, slices[1:], strict=True):
            got = None if child is None else _collect(child, shared)
            out.extend(fn(part) if got is None else got)
    finally:  # the parent's own part failed, or Ctrl-C: no child is left behind
        for child in children:
            if child is not None:
                _abandon(child)
    return out


class WorkerFailed(RuntimeError):
    """A child's part raised (said only under TRAINCTL_DEBUG; else the parent redoes it)."""


class _Child:
    __slots__ = ("fd", "pid", "reaped")

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd, self.reaped = pid, fd, False

    def close(self) -> None:
        fd, self.fd = self.fd, -1  # forgotten before it is closed: never closed twice
        if fd >= 0:
            os.close(fd)


_STOPS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C (and SIGTERM) wait while a child is made, reaped or killed: a child is on
    the list before an interrupt can leave `split_map` (which then kills it), and is
    never killed after it was reaped (its pid may be another process's by then)."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _fork(
    fn: Callable[[Sequence[T]], list[R]],
    part: Sequence[T],
    index: dict[int, Any],
    children: list[_Child | None],
) -> None:
    """Add to `children` a child computing `fn(part)` and writing it to a pipe, or None
    when no child could be made (the parent computes the part). Added with Ctrl-C held
    back: an interrupt raised between the fork and the list would leave the child out."""
    with _signals_held():
        try:
            r, w = os.pipe()
        except OSError:
            children.append(None)
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            children.append(None)
            return
        if pid:
            os.close(w)
            children.append(_Child(pid, r))
            return
        for stop in _STOPS:  # the child: Ctrl-C ends it at once (no Python clean-up)
            signal.signal(stop, signal.SIG_DFL)
    _child(fn, part, index, r, w)  # never returns


def _child(
    fn: Callable[[Sequence[T]], list[R]], part: Sequence[T], index: dict[int, Any], r: int, w: int
) -> NoReturn:
    """Write b"\\0" and the pickled results, or b"\\1" and the traceback; leave by os._exit."""
    code = 1
    try:
        os.close(r)
        try:
            data = b"\0" + _dumps(fn(part), index)  # all of it before the first write
        except Exception:
            import traceback

            data = b"\1" + traceback.format_exc().encode("utf-8", "replace")
        view = memoryview(data)
        while view:
            view = view[os.write(w, view) :]
        code = 0
    except BaseException:  # even a broken pipe: the parent is gone or redoes the part
        pass
    finally:
        os._exit(code)


def _collect(child: _Child, shared: Sequence[Sequence[object]]) -> list[Any] | None:
    """The child's results, or None when it failed (the caller computes the part)."""
    chunks = []
    while chunk := os.read(child.fd, 1 << 20):  # interrupted: split_map kills the child
        chunks.append(chunk)
    with _signals_held():  # the pipe's end: the child is leaving
        child.close()
        try:
            status = os.waitpid(child.pid, 0)[1]
        except ChildProcessError:  # reaped already (a host that ignores SIGCHLD): the data says
            status = 0
        child.reaped = True
    data = b"".join(chunks)
    if status != 0 or not data:
        return None
    if data[:1] == b"\1":
        if os.environ.get("TRAINCTL_DEBUG"):
            raise WorkerFailed("A worker process failed:\n" + data[1:].decode("utf-8", "replace"))
        return None
    try:
        got = _loads(memoryview(data)[1:], shared)
    except Exception:  # a torn result: compute the part here
        return None
    return got if isinstance(got, list) else None


def _abandon(child: _Child) -> None:
    """Kill, reap and close a child not collected (the parent's part failed, or Ctrl-C)."""
    from contextlib import suppress

    with _signals_held():
        if not child.reaped:
            with suppress(OSError):
                os.kill(child.pid, signal.SIGKILL)
            with suppress(OSError):
                os.waitpid(child.pid, 0)
            child.reaped = True
        with suppress(OSError):
            child.close()


def _shared(table: int, index: int) -> object:
    """A shared object by its place: named in the pickle, resolved by `_Unpickler`."""
    raise RuntimeError("only a fanout result refers to a shared object")


def _loads(data: memoryview, shared: Sequence[Sequence[object]]) -> Any:
    import io

    return _unpickler()(io.BytesIO(data), shared).load()


def _place(shared: Sequence[Sequence[object]], table: int, index: int) -> object:
    return shared[table][index]


_UNPICKLER: list[type] = []


def _unpickler() -> Any:
    """The unpickler class, made once. A class made per call is a reference cycle (its
    `__mro__` holds it), freed only by the cycle collector, which the compliance matrix
    turns off: the class, its method's closure and `shared` (the members with their
    facts) stayed for the life of the process, so a matrix judged a part at a time
    (queries.compliance._matrix) never let go of a part's facts (bench/compliance.py
    --members 5000: 345 MB held after judging, against 150 MB in one process). What
    refers to `shared` now is the instance, freed with it when `load` returns."""
    if not _UNPICKLER:
        import pickle  # (not on the start-up path of every command)

        class Unpickler(pickle.Unpickler):
            def __init__(self, file: Any, shared: Sequence[Sequence[object]]) -> None:
                super().__init__(file)
                self.shared = shared

            def find_class(self, module: str, name: str) -> Any:
                if module == __name__ and name == "_shared":
                    # (the unpickler's memo keeps it: a partial of `shared`, never of self)
                    return partial(_place, self.shared)
                return super().find_class(module, name)

        _UNPICKLER.append(Unpickler)
    return _UNPICKLER[0]


def _dumps(results: list[Any], index: dict[int, Any]) -> bytes:
    import io
    import pickle

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: object) -> Any:
            # called for every object but None, bools and plain ints, floats, strs, bytes,
            # lists, tuples, dicts and sets: one dict lookup each (persistent_id, called
            # for every object, took four times as long)
            place = index.get(id(obj))
            return NotImplemented if place is None else (_shared, place)

    buf = io.BytesIO()
    Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(results)
    return buf.getvalue()
