"""Global state from the root callback, and the one way commands open the database."""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlmodel import Session

    from trainctl.permissions import Actor
    from trainctl.queries import Reader
    from trainctl.services.store import Writer


# The trainctl process (main.main) loads its modules without the cyclic garbage collector.
# An ORM write loads SQLAlchemy, SQLModel, pydantic and the table classes: objects that live
# as long as the process, which the collector walked again and again while they were made
# (226 collections, about 65 ms of a `record add`) and once more at exit (Python's final
# collections: 0.2 s of its 0.76 s of CPU came after main() returned; bench/writes.py
# --against times the whole).
# It resumes when the command turns to its database (`AppState.url`), its modules loaded,
# with everything made so far frozen (gc.freeze: never walked again, at exit neither). A
# command that never names a database (--help, `program samples`) ends without it:
# reference counting frees what it makes.
_collector_paused = False


def pause_collector() -> None:
    """At the start of the process (main.main), not in tests that run the app in-process."""
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def resume_collector() -> None:
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


@dataclass
class AppState:
    db: str | None = None
    actor: str | None = None
    fmt: str = "table"
    quiet: bool = False
    as_of: date | None = None
    # the global options given on the command line (not from TRAINCTL_DB / TRAINCTL_ACTOR,
    # which the next command sees as well): what a hint to run another command carries
    typed: dict[str, str] = field(default_factory=dict)
    committed: bool = False  # a write transaction of this command has committed
    writing: bool = False  # inside one (an interrupt rolls it back)
    _engine: Any = field(default=None, repr=False)
    _dry_run: Any = field(default=None, repr=False)  # (db.dry_run_engine(url),)

    @property
    def url(self) -> str:
        from trainctl.config import Settings

        resume_collector()  # the command turns to its database (pause_collector)
        return Settings.from_env(self.db).db_url

    def engine(self) -> sa.Engine:
        if self._engine is None:
            from trainctl.db import open_engine

            self._engine = open_engine(self.url)
        return self._engine

    def today(self, session: Session) -> date:
        from trainctl.services.settings import today

        return today(session, self.as_of)

    def close(self) -> None:
        """Close every connection at the end of the command: SQLite then checkpoints the
        write-ahead log into the file and removes it, so the .db file alone holds every
        committed change (people copy just that file)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._dry_run is not None:
            if self._dry_run[0] is not None:
                self._dry_run[0].dispose()
            self._dry_run = None

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[tuple[Session, Actor]]:
        """One transaction for the command, with the acting member resolved inside it."""
        from trainctl.db import session_scope
        from trainctl.services.auth import resolve_actor

        self.writing = write  # (left set when the block raises: an interrupt rolled it back)
        with session_scope(self.engine() if write else self._read_engine(), write=write) as session:
            actor = resolve_actor(session, self.actor)
            _note_actor(actor)
            yield session, actor
        self.writing, self.committed = False, self.committed or write


    def _read_engine(self) -> sa.Engine:
        """The engine of a session that writes nothing (a dry run): the database's own, or
        on a SQLite file trainctl cannot write an in-memory copy of it (db.dry_run_engine),
        since some dry runs write their would-be rows and roll them back."""
        engine = self.engine()
        if self._dry_run is None:
            from trainctl.db import dry_run_engine

            self._dry_run = (dry_run_engine(self.url),)
        return self._dry_run[0] or engine

    @contextmanager
    def reader(self, *, create: bool = True) -> Iterator[tuple[Reader, Actor]]:
        """A read-only snapshot on the read side (no ORM import), with the acting member.
        `create=False`: a database that is not there is refused, not made (dbfile)."""
        from trainctl.dbfile import ensure_current
        from trainctl.queries import open_reader
        from trainctl.queries.members import resolve_actor

        url = self.url
        ensure_current(url, create=create)
        with open_reader(url) as rd:
            actor = resolve_actor(rd, self.actor)
            _note_actor(actor)
            yield rd, actor

    @contextmanager
    def writer(self) -> Iterator[tuple[Writer, Actor]]:
        """One write transaction without the ORM (BEGIN IMMEDIATE on SQLite; committed when
        the block succeeds), with the acting member: for writes on SQL (services/store.py)."""
        from trainctl.dbfile import ensure_current
        from trainctl.queries.members import resolve_actor
        from trainctl.services.store import open_writer

        url = self.url
        ensure_current(url)
        self.writing = True  # (left set when the block raises: an interrupt rolled it back)
        with open_writer(url) as w:
            actor = resolve_actor(w, self.actor)
            _note_actor(actor)
            yield w, actor
        self.writing, self.committed = False, True

    def command(self, words: str, *, as_of: date | None = None) -> str:
        """`words` (a command, `report expiring --within 30`) as a hint prints it to run
        next: with this run's --db and --as given on the command line, and `as_of`, the day
        this one answered for when one was asked, so that it answers alike
        (`command_line`)."""
        return command_line(words, db=self.typed.get("--db"), actor=self.typed.get("--as"), as_of=as_of)

    def today_of(self, rd: Reader) -> date:
        """The department's calendar date (its timezone), or the --as-of date."""
        from trainctl.queries.settings import today

        return today(rd, self.as_of)


def command_line(
    words: str, *, db: str | None = None, actor: str | None = None, as_of: date | None = None
) -> str:
    """`trainctl [--db DB] [--as MEMBER] [--as-of DAY] WORDS`: the one way a hint or a
    next step spells a command with trainctl's global options (quoted for the shell; a
    database URL's password as ***)."""
    from trainctl.config import display_url
    from trainctl.domain.text import shell_word

    options = [("--db", display_url(db) if db else None), ("--as", actor), ("--as-of", as_of)]
    given = "".join(f" {flag} {shell_word(v)}" for flag, v in options if v is not None)
    return f"trainctl{given} {words}".rstrip()


# The state of the command being run (set by the root callback, cleared when it ends): the
# database its messages' commands name (`hint`).
_RUN: AppState | None = None


def run_started(state: AppState | None) -> None:
    """`state` is the running command's (None: it ended)."""
    global _RUN
    _RUN = state


def hint(text: str, *, markup: bool = False) -> str:
    """`text` (a message, hint, next step or empty-table line) as it is printed: every
    trainctl command it shows (`trainctl db upgrade`, "trainctl member add NAME ...") with
    the --db this run was given on the command line, so that copied and run it answers for
    the same database, not the default one. A database given by TRAINCTL_DB or the config
    adds nothing (the copy runs where it is set too), nor does a command that names its
    database already (`command_line`, the demo's own file). Only --db: a day or a member
    a hint needs it names itself (`AppState.command`). `markup`: `text` is Rich markup (the
    option is escaped). Every message trainctl prints on stderr passes here
    (render.console("err")); the one rule, so services and domain spell commands plainly."""
    db = _RUN.typed.get("--db") if _RUN is not None else None
    if db is None or "trainctl " not in text:
        return text
    prefix = command_line("", db=db)  # `trainctl --db PATH` (quoted; a URL's password as ***)
    if markup:
        from rich.markup import escape

        prefix = escape(prefix)
    return _command_start().sub(lambda _: prefix + " ", text)  # (a backslash kept as it is)


@functools.cache
def _command_start() -> re.Pattern[str]:
    """The "trainctl " that starts a command: the word (not inside a path or a file name:
    /var/lib/trainctl/trainctl.db) before one of its commands or a global option, unless the
    command names its database (--db before its end: a closing backtick or the line's)."""
    from trainctl.cli.main import COMMANDS, SUB_APPS

    words = "|".join(sorted(map(re.escape, [*SUB_APPS, *COMMANDS]), key=len, reverse=True))
    return re.compile(rf"(?<![\w./-])trainctl (?=(?:{words})\b|-)(?![^`\n]*--db\b)")


def get_state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def fmt_of(ctx: typer.Context, local: str | None) -> str:
    """A command's own --format wins over the global one."""
    return local or get_state(ctx).fmt


def _note_actor(actor: Any) -> None:
    """Empty listings tell an officer what to run next; a member who may not run it is
    told who can (render.table reads this)."""
    from trainctl.cli import render
    from trainctl.permissions import MANAGE

    render.ACTOR_MANAGES = actor.can(MANAGE)
