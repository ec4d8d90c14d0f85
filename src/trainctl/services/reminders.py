"""`trainctl reminders send`: find what is due, claim it, send it, record the outcome.

The protocol (DESIGN §6, issue 10), each step its own short transaction:

1. LOCK. A non-blocking fcntl.flock on a lock file next to the database (on PostgreSQL, a
   session-level pg_try_advisory_lock in the database). A second run exits 75 at once; the
   kernel (the server) frees the lock when the process dies, even by kill -9.
2. SELECT what is due (queries/reminders.py): every crossed, unsent, not-stale reminder.
   Nothing due: done, without touching the mail server.
3. CONNECT to the mail server. Unreachable: exit 69, nothing claimed, nothing marked.
4. CLAIM and COMMIT: each due key is inserted into reminder_log with status 'claimed'
   (INSERT ... ON CONFLICT DO NOTHING on the unique key (kind, item, recipient,
   threshold)); rows left 'failed' by an earlier run, or 'claimed' by a killed one, are
   re-claimed. The claim fixes the message's Message-ID for good.
5. SEND each claimed message and MARK it at once: 'sent' with the server's answer
   ("250 2.0.0 Ok: queued as ...") or 'failed' with the error; marks are committed every
   MARK_BATCH messages or MARK_SECONDS, and whenever the run ends or is interrupted. A
   database kept busy by another program is waited out (MARK_PATIENCE_SECONDS) before
   anything more is sent; past that the run stops, saying how many went out unmarked.
   A sent row is never sent again; a failed one is retried by the next run while due.
   When the connection is lost mid-run and cannot be re-opened, the unsent claims are
   released (new ones deleted, retries back to 'failed') and the run exits 69
   (RunStopped, which carries what the run did, for `--format json|csv`); so does a
   server that takes no mail as configured (530: it wants STARTTLS or a login).

SIGTERM stops a run as Ctrl-C does (`terminate_as_interrupt`): the marks are committed.
The one unavoidable gap: a crash (kill -9, power loss) after the server accepted a message
and before its mark was committed leaves the row 'claimed', and the next run sends that
message again. It is narrowed to the marks of at most one batch (MARK_BATCH messages or
MARK_SECONDS), and a re-sent copy carries the same Message-ID as the first, so mail systems
and readers can recognise it as the same message. Marking before sending would turn the
gap into lost reminders instead; a reminder sent twice is the lesser harm.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from trainctl.db import insert_ignoring, session_scope
from trainctl.domain import reminders as dr
from trainctl.domain.mail import build_message, new_message_id
from trainctl.domain.text import plural
from trainctl.errors import LockedError, MailUnavailableError, PermissionDeniedError, TrainctlError
from trainctl.models import ReminderLog, utcnow
from trainctl.permissions import MANAGE, Actor
from trainctl.queries import is_busy, reader_of
from trainctl.queries import reminders as q
from trainctl.queries import settings as qs
from trainctl.services.audit import audit
from trainctl.services.mail import (
    ConnectionLost,
    MessageRefused,
    NotAsConfigured,
    Transport,
    sender_of,
)
from trainctl.services.progress.lapse import Lapsed, lapse_cards

MARK_BATCH = 10
MARK_SECONDS = 1.0
# How long marks wait for a database another process keeps busy (each try waits the busy
# timeout, 10 s): the messages are out, so recording them comes before anything else; the
# run sends nothing more meanwhile.
MARK_PATIENCE_SECONDS = 120.0
KEY = ("kind", "item", "recipient_id", "threshold")


# --------------------------------------------------------------------------------- lock
# The run lock: a file beside a SQLite database, an advisory lock on PostgreSQL (where
# they are named, with the read side's check of a run in progress: queries/reminders).
RUN_LOCK, lock_path = q.RUN_LOCK, q.lock_path


@contextmanager
def run_lock(url: str) -> Iterator[Path | str]:
    """Hold the reminders lock for the block; LockedError (exit 75) when another run has it."""
    path = lock_path(url)
    if path is None:
        with _server_run_lock(url) as where:
            yield where
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):  # a read-only folder
            raise PermissionDeniedError(
                f"The database's folder {path.parent} is read-only: reminders send cannot "
                f"create its lock file {path.name} there; nothing was sent.",
                "Make the folder writable (the database must be writable too: it records "
                "what was sent); `reminders preview` shows what is due without sending.",
            ) from None
        raise TrainctlError(
            f"Cannot create the lock file {path}: {exc.strerror or exc}.",
            "reminders send needs to write next to the database.",
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            raise LockedError(
                "Another `trainctl reminders send` is running"
                + (f" (process {holder})" if holder.isdigit() else "")
                + f"; it holds {path}.",
                "Nothing was done. The next run sends whatever is still due.",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock (as does the process dying)


@contextmanager
def _server_run_lock(url: str) -> Iterator[str]:
    """PostgreSQL: pg_try_advisory_lock on a connection of its own, held for the run. Runs
    from any machine exclude each other; the server frees the lock when the connection
    ends (the process exits or dies, even by kill -9). The connection names its process
    (application_name), so a refused run can say which one holds the lock."""
    from trainctl.config import display_url
    from trainctl.queries import _postgres

    conn = _postgres(url)
    try:
        conn.execute(
            "SELECT set_config('application_name', %s, false)",
            (f"trainctl reminders send (process {os.getpid()})",),
        )
        got = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", RUN_LOCK).fetchone()
        where = f"an advisory lock in {display_url(url)}"
        if not (got and got[0]):
            row = conn.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s "
                "AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database())",
                RUN_LOCK,
            ).fetchone()
            holder = row[0] if row else ""
            raise LockedError(
                "Another `trainctl reminders send` is running"
                # the holder names itself "trainctl reminders send (process N)": "(process N)"
                + (f" {holder.removeprefix('trainctl reminders send ')}" if holder else "")
                + f"; it holds {where}.",
                "Nothing was done. The next run sends whatever is still due.",
            )
        yield where
    finally:
        conn.close()  # ends the session: the server releases the lock


# ------------------------------------------------------------------------------ results
NOT_SENT = "not sent: {why}; it stays due and the next run sends it"


@dataclass
class Outcome:
    reminder: dr.Reminder
    status: str  # sent | failed | not_sent (never tried: the server went away first)
    answer: str


@dataclass
class RunResult:
    today: date
    due: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    lost: str | None = None  # the connection broke and could not be re-opened
    refused: NotAsConfigured | None = None  # the server takes no mail as configured (530)
    skipped: int = 0  # due, but claimed meanwhile by another run (never sent twice)
    officers: int = 0  # active officers (none: no digest of who is behind goes out)
    lapsed: Lapsed = field(default_factory=Lapsed)  # program rows a card running out took back

    @property
    def sent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "sent"]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class RunStopped(MailUnavailableError):
    """The mail server went away mid-run, or takes no mail as configured (exit 69).
    `result` is what the run did, each claimed reminder once: sent, failed (the one in
    flight when the connection was lost) or not_sent (released), so that `--format
    json|csv` lists it as a finished run would."""

    def __init__(self, message: str, hint: str, result: RunResult) -> None:
        super().__init__(message, hint)
        self.result = result


def select(session: Any, today: date) -> q.Selection:
    return q.select_due(reader_of(session), today)


# ------------------------------------------------------------------------------- claim
def _claim(
    engine: sa.Engine, due: Sequence[dr.Reminder], run_id: str, sender: Any
) -> list[tuple[int, str, dr.Reminder]]:
    """Claim every due key for this run and commit: (log id, Message-ID, reminder)."""
    table = ReminderLog.__table__  # type: ignore[attr-defined]
    now = utcnow()
    by_key = {r.key: r for r in due}
    with session_scope(engine, write=True) as session:
        conn = session.connection()
        fresh = [r for r in due if r.log_status == "new"]
        if fresh:
            conn.execute(
                insert_ignoring(conn.dialect, table, KEY),
                [
                    {
                        "kind": r.key.kind,
                        "item": r.key.item,
                        "recipient_id": r.key.recipient_id,
                        "threshold": r.key.threshold,
                        "member_id": r.member_id,
                        "due_on": r.due_on,
                        "to_addr": r.recipient.email,
                        "title": r.title,
                        "message_id": new_message_id(sender),
                        "status": "claimed",
                        "attempts": 0,
                        "run_id": run_id,
                        "claimed_at": now,
                    }
                    for r in fresh
                ],
            )
        retries = [r for r in due if r.log_status != "new"]
        if retries:
            conn.execute(
                sa.update(table)
                .where(
                    *(table.c[k] == sa.bindparam(f"b_{k}") for k in KEY),
                    table.c.status != "sent",
                )
                .values(
                    status="claimed",
                    run_id=run_id,
                    claimed_at=now,
                    to_addr=sa.bindparam("b_to"),
                    title=sa.bindparam("b_title"),
                ),
                [
                    {
                        "b_kind": r.key.kind,
                        "b_item": r.key.item,
                        "b_recipient_id": r.key.recipient_id,
                        "b_threshold": r.key.threshold,
                        "b_to": r.recipient.email,
                        "b_title": r.title,
                    }
                    for r in retries
                ],
            )
        rows = conn.execute(
            sa.select(table.c.id, table.c.message_id, *(table.c[k] for k in KEY))
            .where(table.c.run_id == run_id, table.c.status == "claimed")
            .order_by(table.c.id)
        ).all()
    claimed = []
    for log_id, message_id, *key in rows:
        r = by_key.get(dr.Key(*key))
        if r is not None:
            claimed.append((log_id, message_id, r))
    return claimed


class _Marks:
    """Outcomes written as they happen, committed in small batches."""

    def __init__(self, engine: sa.Engine, run_id: str) -> None:
        self.engine = engine
        self.run_id = run_id
        self.pending: list[dict[str, Any]] = []
        self.warned: list[int] = []
        self.since = time.monotonic()
        self.stuck = False

    def add(self, log_id: int, status: str, answer: str, reminder: dr.Reminder) -> None:
        sent = status == "sent"
        self.pending.append(
            {
                "b_id": log_id,
                "b_run": self.run_id,
                "status": status,
                "sent_at": utcnow() if sent else None,
                "answer": answer if sent else None,
                "error": None if sent else answer,
            }
        )
        if sent and reminder.kind == "program_deadline":
            self.warned.append(int(reminder.key.item.split("/", 1)[0].split(":", 1)[1]))
        if len(self.pending) >= MARK_BATCH or time.monotonic() - self.since >= MARK_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Commit the pending marks, waiting out a busy database (MARK_PATIENCE_SECONDS);
        past that, LockedError naming the messages the server took that are not marked."""
        if not self.pending or self.stuck:
            return
        began = time.monotonic()
        give_up = began + MARK_PATIENCE_SECONDS
        while True:
            try:
                self._write()
                break
            except Exception as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() >= give_up:
                    self.stuck = True  # (the run's last flush does not wait all over again)
                    sent = sum(1 for m in self.pending if m["status"] == "sent")
                    # the wait as it was (the patience and each try's busy timeout), and
                    # no guess at the holder: any program may hold the file or the server
                    waited = round(time.monotonic() - began)
                    raise LockedError(
                        f"The database stayed locked by another connection for the {waited} s this "
                        f"run waited to record what went out: {plural(sent, 'message')} the mail "
                        "server accepted could not be marked sent, and the run stopped there.",
                        "The next run sends those again (with the same Message-ID) and the rest "
                        "of what is due; run it when the database is free.",
                    ) from None
                time.sleep(0.2)
        self.pending, self.warned = [], []
        self.since = time.monotonic()

    def _write(self) -> None:
        from trainctl.models import Enrollment

        table = ReminderLog.__table__  # type: ignore[attr-defined]
        with session_scope(self.engine, write=True) as session:
            conn = session.connection()
            conn.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("b_id"), table.c.run_id == sa.bindparam("b_run"))
                .values(attempts=table.c.attempts + 1),
                self.pending,
            )
            if self.warned:  # the spec's flag, kept for readers of the enrollment
                e = Enrollment.__table__  # type: ignore[attr-defined]
                conn.execute(
                    sa.update(e).where(e.c.id.in_(self.warned)).values(deadline_warning_sent=True)
                )

    def release(self) -> int:
        """Give back this run's unsent claims: new ones deleted, retries back to 'failed'."""
        table = ReminderLog.__table__  # type: ignore[attr-defined]
        with session_scope(self.engine, write=True) as session:
            conn = session.connection()
            mine = sa.and_(table.c.run_id == self.run_id, table.c.status == "claimed")
            gone = conn.execute(sa.delete(table).where(mine, table.c.attempts == 0)).rowcount
            back = conn.execute(sa.update(table).where(mine).values(status="failed")).rowcount
        return int(gone or 0) + int(back or 0)


# -------------------------------------------------------------------------------- send
class _Stop:
    """SIGTERM asked the run to stop (`terminate_as_interrupt`)."""

    requested = False

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


@contextmanager
def terminate_as_interrupt() -> Iterator[_Stop]:
    """SIGTERM (`timeout` in a crontab, systemd stopping the job, a shutdown) stops the
    run as Ctrl-C does, once the message in flight has its answer: the marks of the
    messages the server took are committed (left to its default action, SIGTERM ended the
    process at once and the next run mailed them again). A second SIGTERM stops at once.
    (The main thread only; elsewhere signals cannot be handled.)"""
    import signal
    import threading

    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def asked(signum: int, frame: Any) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True

    before = signal.signal(signal.SIGTERM, asked)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, before)


def send_due(
    engine: sa.Engine,
    actor: Actor,
    *,
    today: date,
    transport: Transport,
) -> RunResult:
    """Steps 2-5 of the protocol (the caller holds the lock: `run_lock`). On the
    department's real today, first the program rows whose card has run out are measured
    again (services/progress/lapse.py), so what is sent sees them; a run --as-of another
    day changes no progress (its cards are judged on that day by the reports)."""
    actor.require(MANAGE, "send reminders")
    lapsed = Lapsed()
    with session_scope(engine) as session:
        if today == qs.today(reader_of(session)):
            lapsed = lapse_cards(session, today=today, by=actor.member_id)
            if lapsed.rows:
                audit(session, actor, "progress.lapse", "enrollment", None, rows=lapsed.rows,
                      enrollments=lapsed.enrollments, on=today.isoformat())  # fmt: skip
    with session_scope(engine, write=False) as session:
        selection = select(session, today)
        settings = {k: v for k, v, _, _ in qs.all_settings(reader_of(session))}
    result = RunResult(today, due=len(selection.reminders), officers=selection.officers, lapsed=lapsed)
    if not selection.reminders:
        return result
    try:
        transport.open()  # exit 69 before anything is claimed
    except MailUnavailableError as exc:  # every due one listed as not sent (--format json|csv)
        why = NOT_SENT.format(why="the mail server could not be reached or used")
        result.outcomes = [Outcome(r, "not_sent", why) for r in selection.reminders]
        raise RunStopped(exc.message, exc.hint or "", result) from None
    sender = sender_of(lambda k: settings.get(k, ""), required=transport.name == "smtp")
    run_id = uuid.uuid4().hex
    marks = _Marks(engine, run_id)
    with terminate_as_interrupt() as stop:
        try:
            claimed = _claim(engine, selection.reminders, run_id, sender)
            result.skipped = len(selection.reminders) - len(claimed)
            _deliver(claimed, transport, marks, result, sender, stop)
        finally:
            marks.flush()  # also when interrupted: what was sent stays marked sent
            transport.close()
    if result.lost is None and result.refused is None:
        return result
    marks.release()
    # _deliver tried the claims in order, one outcome each, up to the one it stopped at
    untried = claimed[len(result.outcomes) :]
    left = f"{len(result.sent)} sent and marked; the rest stay due and the next run sends them."
    if result.refused is not None:
        why = NOT_SENT.format(why=f"the mail server takes no mail as configured ({result.refused.answer})")
        result.outcomes += [Outcome(r, "not_sent", why) for _, _, r in untried]
        if not result.sent:
            left = "Nothing was marked sent; the next run sends everything that is due."
        raise RunStopped(result.refused.message, f"{result.refused.hint} {left}", result)
    why = NOT_SENT.format(why="the mail server went away first")
    result.outcomes += [Outcome(r, "not_sent", why) for _, _, r in untried]
    raise RunStopped(f"The mail server went away during the run: {result.lost}", left, result)


def _deliver(
    claimed: Sequence[tuple[int, str, dr.Reminder]],
    transport: Transport,
    marks: _Marks,
    result: RunResult,
    sender: Any,
    stop: _Stop | None = None,
) -> None:
    for log_id, message_id, reminder in claimed:
        if stop is not None:
            stop.check()  # SIGTERM: stop between messages
        try:
            msg = build_message(
                sender=sender,
                to_name=reminder.recipient.name,
                to_addr=reminder.recipient.email,
                title=reminder.title,
                body=reminder.body,
                message_id=message_id,
                now=utcnow(),
                key=reminder.key.text(),
            )
        except (ValueError, TypeError, IndexError) as exc:
            _failed(marks, result, log_id, reminder, f"cannot build the message: {exc}")
            continue
        try:
            answer = _send_once_more_on_loss(transport, msg, reminder.recipient.email)
        except NotAsConfigured as exc:
            # refused before the server took it, as every other message would be: not
            # sent, given back with the rest of the run's claims
            result.refused = exc
            return
        except MessageRefused as exc:
            _failed(marks, result, log_id, reminder, exc.answer)
            continue
        except ConnectionLost as exc:
            # the server may or may not have taken it: failed, so the next run retries
            _failed(marks, result, log_id, reminder, f"connection lost: {exc}")
            result.lost = str(exc)
            return
        marks.add(log_id, "sent", answer, reminder)
        result.outcomes.append(Outcome(reminder, "sent", answer))


def _send_once_more_on_loss(transport: Transport, msg: Any, to_addr: str) -> str:
    """A connection that dropped between messages (an idle timeout) is re-opened once."""
    try:
        return transport.send(msg, to_addr)
    except ConnectionLost:
        if transport.name != "smtp":
            raise
        transport.close()
        try:
            transport.open()
        except TrainctlError as exc:
            raise ConnectionLost(exc.message) from None
        return transport.send(msg, to_addr)


def _failed(marks: _Marks, result: RunResult, log_id: int, reminder: dr.Reminder, why: str) -> None:
    marks.add(log_id, "failed", why, reminder)
    result.outcomes.append(Outcome(reminder, "failed", why))
