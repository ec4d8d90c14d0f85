"""The root `trainctl` app: global options, sub-apps, and the one place where errors become
messages and exit codes.

Startup stays cheap: nothing here (or in any cli module at import time) imports sqlalchemy,
sqlmodel, alembic or pydantic. Commands import services inside their bodies.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from trainctl import __version__
from trainctl.cli.options import OutputFormat, parse_date
from trainctl.cli.state import AppState, hint, run_started
from trainctl.errors import TrainctlError

CONTEXT = {"help_option_names": ["-h", "--help"]}


def report_error(error: TrainctlError) -> None:
    """Error, then the details (the first 20 and a count of the rest), then the hint last."""
    from rich.markup import escape

    from trainctl.cli.render import err, first_of

    # Messages quote user data (names, file contents): escaped, never read as markup.
    err.print(f"[bold red]Error:[/bold red] {escape(error.message)}", highlight=False)
    for line in first_of(error.details):
        err.print(f"  {line}", highlight=False, markup=False)
    if error.hint:
        err.print(f"[bold]Hint:[/bold] {escape(error.hint)}", highlight=False)


def _translate(exc: BaseException, url: str | None = None) -> TrainctlError | None:
    """Database-level failures that reach the top become domain errors with a hint."""
    if isinstance(exc, TrainctlError):
        return exc
    module = type(exc).__module__
    if module.startswith(("sqlalchemy", "psycopg")) or module == "sqlite3":
        text = str(getattr(exc, "orig", None) or exc)
        state = getattr(getattr(exc, "orig", None) or exc, "sqlstate", None)  # PostgreSQL
        from trainctl.queries import busy_error, is_busy

        if is_busy(exc):  # SQLite's busy timeout, PostgreSQL's write lock timeout
            return busy_error(server=state is not None)
        from trainctl.dbfile import (
            DAMAGED_SQLSTATES,
            damaged_server,
            server_internal_error,
            server_lost,
            server_permission_denied,
            server_went_away,
        )

        if state in DAMAGED_SQLSTATES:  # PostgreSQL: damaged data or index on the server
            return damaged_server(url, state, text)
        if server_went_away(exc, state):  # stopped, restarted, or the connection cut
            return server_lost(url, text)
        if state == "42501":  # PostgreSQL's insufficient_privilege: the role's rights, not a bug
            return server_permission_denied(url, text)
        if state == "XX000":  # PostgreSQL's internal_error: the server's failure, its words
            return server_internal_error(url, text)
        if state is not None and state.startswith("23"):  # integrity constraint violation
            first = text.strip().splitlines()[0] if text.strip() else text
            return TrainctlError(f"The database refused the change: {first}", "Nothing was written.")
        if "unable to open database" in text or "readonly database" in text:
            return _read_only_or(text, url)
        if "CHECK constraint failed" in text or "UNIQUE constraint failed" in text or "NOT NULL" in text:
            return TrainctlError(f"The database refused the change: {text}", "Nothing was written.")
        if "file is not a database" in text or "malformed" in text:
            from trainctl.config import sqlite_path
            from trainctl.dbfile import unreadable

            path = sqlite_path(url) if url else None
            if path is not None:  # a page met after the first read: the file, and what to do
                return unreadable(path, text)
            return TrainctlError(
                f"The database file is damaged or not a SQLite file: {text}",
                "Run `trainctl db check`, and restore a backup if it fails.",
            )
    if isinstance(exc, OSError):
        return TrainctlError(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), "Check the path and its permissions.")
    if os.environ.get("TRAINCTL_DEBUG"):
        return None  # let the traceback through
    error = TrainctlError(
        f"trainctl failed unexpectedly: {type(exc).__name__}: {exc}",
        "This is a bug; nothing was written. Run it again with TRAINCTL_DEBUG=1 for the "
        "traceback, and report it with the command you ran.",
    )
    error.exit_code = 70  # EX_SOFTWARE
    return error


def _read_only_or(text: str, url: str | None) -> TrainctlError:
    """A write refused by the file system: say it is read-only, and that reads still work."""
    from trainctl.config import sqlite_path
    from trainctl.dbfile import is_read_only
    from trainctl.errors import PermissionDeniedError

    path = sqlite_path(url) if url else None
    if path is not None and path.exists() and is_read_only(path):
        return PermissionDeniedError(
            f"The database {path} is read-only: trainctl cannot write the file or its folder "
            f"(SQLite keeps {path.name}-wal and {path.name}-shm beside it); nothing was written.",
            "Read commands still work. To change it, make the file and its folder writable, "
            "or copy it to a folder you may write (`trainctl db backup` makes a copy).",
        )
    return TrainctlError(f"Cannot open the database: {text}", "Check the --db path and its permissions.")


_CLICK_TYPES = {
    "float": ("is not a number", "Write a number such as 2 or 1.5."),
    "integer": ("is not a whole number", "Write a whole number such as 3."),
    "boolean": ("is not yes or no", "Write yes or no."),
}


def _bad_parameter(exc: BaseException) -> TrainctlError | None:
    """A value Click refused for an option or argument ("Invalid value for '--format':
    'xml' is not one of 'table', 'json', 'csv'.") in the department's words, exit 2."""
    import re

    from trainctl.errors import UsageError

    if type(exc).__name__ != "BadParameter":  # not MissingParameter (Click says that well)
        return None
    param = getattr(exc, "param", None)
    message = str(getattr(exc, "message", exc))
    if param is not None and getattr(param, "opts", None):
        name = max(param.opts, key=len) if param.param_type_name == "option" else param.human_readable_name
    else:
        name = str(getattr(exc, "param_hint", None) or "a value")
    got = re.match(r"^'(.*)' is not", message, re.S)
    value = f" {got.group(1)!r}" if got else ""
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choices and got:
        listed = ", ".join(map(str, choices))
        return UsageError(f"{name}{value} is not one of {listed}.", f"Use one of: {listed}.")
    type_name = getattr(getattr(param, "type", None), "name", "")
    if type_name in _CLICK_TYPES and got:
        what, hint = _CLICK_TYPES[type_name]
        return UsageError(f"{name}{value} {what}.", hint)
    return UsageError(f"{name}: {message[0].lower() + message[1:] if message else 'not a valid value'}",
                      f"See `{_command_path(exc)} -h`.")  # fmt: skip


def _command_path(exc: BaseException) -> str:
    ctx = getattr(exc, "ctx", None)
    return ctx.command_path if ctx is not None else "trainctl"


def _is_usage_error(exc: BaseException) -> bool:
    """Typer's bundled Click exceptions (bad option, missing argument): it reports them."""
    return any(c.__name__ == "ClickException" for c in type(exc).__mro__)


# trainctl's own options, which a command does not take after its name
_ROOT_OPTIONS = {"--as-of": "DATE", "--db": "PATH", "--as": "MEMBER", "--quiet": "", "-q": "",
                 "--format": "json", "-f": "json"}  # --format: where a command takes none (`db current`)


def _root_option_hint(exc: BaseException) -> None:
    """`trainctl cert list --as-of D`: Click says 'No such option: --as-of'; say where it
    goes (`trainctl --as-of D cert list`)."""
    name = getattr(exc, "option_name", None)
    ctx = getattr(exc, "ctx", None)
    sub = getattr(ctx, "command_path", "") or ""
    # the program as it was run: "trainctl", or "python -m trainctl" (not "python")
    tool = ctx.find_root().command_path if ctx is not None else ""
    if type(exc).__name__ != "NoSuchOption" or name not in _ROOT_OPTIONS or not sub.startswith(f"{tool} "):
        return
    command = sub[len(tool) + 1 :]
    value = f" {_ROOT_OPTIONS[name]}" if _ROOT_OPTIONS[name] else ""
    exc.possibilities = []  # type: ignore[attr-defined]  # Click's "Possible options" are the command's
    exc.message = hint(  # type: ignore[attr-defined]
        f"{name} is an option of {tool} itself, given before the command: "
        f"`{tool} {name}{value} {command} ...`."
    )


# Sub-apps by name: (module, one-line help). Each is imported and built only when used, so
# `trainctl --help` does not build the parameters of every command (Typer evaluates each
# command's annotations; with ~60 commands that cost ~150 ms of startup). A help that lists
# the group's commands names every one and nothing else, after its colon, each item first
# (tests/test_cli_conventions.py walks every group).
SUB_APPS = {
    "member": ("trainctl.cli.member", "Members: add, list, show, edit, deactivate, import, positions, add-position."),
    "requirement": ("trainctl.cli.requirement", "The requirement catalog: add, list, show, edit, retire, unretire, explain."),
    "course": ("trainctl.cli.course", "The course catalog: add, edit, list, show, import."),
    "record": ("trainctl.cli.record", "Training records: add (a drill for a crew too), import (sign-in sheets), list, show, void."),
    "cert": ("trainctl.cli.cert", "Certifications (members' credential cards with expiry): add, import, list, void."),
    "skill": ("trainctl.cli.skill", "Skills and checkoffs: add, list, show, checkoff, history, void."),
    "checklist": ("trainctl.cli.checklist", "Checklist items signed off for members (NFPA 1582 physical), in a program or not: check, uncheck, list."),
    "shift": ("trainctl.cli.shift", "Shift attendance: add, import, list, void (hours from instants with UTC offsets)."),
    "call": ("trainctl.cli.call", "Calls and responding members: add, import, list, void."),
    "import": ("trainctl.cli.import_", "Import requirement registries: nfpa, nremt, proboard, iso (shipped with trainctl), registry (a JSON file)."),
    "program": ("trainctl.cli.program", "Training programs: create, list, show, edit, activate, archive, draft, duplicate, export, apply, samples, phase, requirement, milestone."),
    "enroll": ("trainctl.cli.enroll", "Enrollments in programs: add, bulk (from a CSV), list, me, user, show, hold, resume, withdraw, fail, advance, edit (the target date)."),
    "progress": ("trainctl.cli.progress", "Progress on requirements: update (record, verify), log, pending, milestones, verify-milestone, self-reporting."),
    "report": ("trainctl.cli.report", "Reports: compliance matrix, expiring certifications, ISO, NREMT worksheet."),
    "reminders": ("trainctl.cli.reminders", "Deadline reminders by mail: send (cron), preview, log, test (the mail settings)."),
    "config": ("trainctl.cli.config", "Department settings (timezone, self-reporting, mail server): show, set."),
    "db": ("trainctl.cli.db", "The database file: path, current, upgrade, backup, check, copy."),
}


# The root's own commands, by name, imported and built only when used, like the sub-apps:
# (module, function, its line in `trainctl --help`: the docstring's first sentence). `demo`
# was registered at import, so every command imported it and built its options (~3 ms).
COMMANDS = {
    "demo": ("trainctl.cli.demo", "demo", "Build a sample department in a separate demo database and show it."),
}


@functools.cache
def _command(name: str) -> Any:
    module, function, _ = COMMANDS[name]
    holder = typer.Typer(add_completion=False, rich_markup_mode=None)
    holder.command(name)(getattr(importlib.import_module(module), function))
    command = typer.main.get_command(holder)
    readable_metavars(command)
    return command


@functools.cache
def _sub_group(name: str) -> Any:
    module, help_text = SUB_APPS[name]
    sub_app = importlib.import_module(module).app
    _plain_help(sub_app)
    group = typer.main.get_group(sub_app)
    group.name = name
    group.help = group.help or help_text
    readable_metavars(group)
    return group


# Words a person reads in help (MEMBER, DATE, FILE), not the parser's types (<str>, {member}).
_METAVAR_BY_NAME = {
    "as_of": "DATE", "csv": "FILE", "file": "FILE", "path": "FILE", "out": "FILE",
    "output": "FILE", "hours": "HOURS", "add": "AMOUNT", "set_to": "AMOUNT", "db": "PATH|URL",
    "actor": "MEMBER", "ref": "NAME", "json_file": "FILE", "hour_categories": "JSON|@FILE",
    "reminders": "JSON", "results": "JSON", "copy_from": "REQUIREMENT",
}  # fmt: skip


def _metavar(param: Any) -> str:
    choices = getattr(param.type, "choices", None)
    if choices:
        return "|".join(str(c) for c in choices)
    name = (param.name or "").lower()
    if name in _METAVAR_BY_NAME:
        return _METAVAR_BY_NAME[name]
    number = getattr(param.type, "name", "") in ("float", "integer")
    if not number and (name.endswith(("date", "_on", "from", "to")) or name in ("since", "until")):
        return "DATE"  # (`--set`, named set_to, takes a number)
    if getattr(param.type, "name", "") in ("path", "file", "filename"):
        return "FILE"
    if getattr(param.type, "name", "") in ("integer", "int") and name.endswith("days"):
        return "DAYS"
    return name.upper().replace("_", "-")


def _first_sentence(text: str) -> str:
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def readable_metavars(command: Any) -> None:
    """Set every argument's and option's metavar (unless a command chose one) to a word,
    and each subcommand's line in its group's help to its whole first sentence (Click
    would cut it at 45 characters: "List programs and their versions, with...")."""
    for sub in getattr(command, "commands", {}).values():
        readable_metavars(sub)
        if sub.short_help is None and sub.help:
            sub.short_help = _first_sentence(sub.help)
    for param in getattr(command, "params", []):
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.metavar is None:
            param.metavar = _metavar(param)


class TrainctlGroup(TyperGroup):
    """The root group: lazy sub-apps, and the one place where TrainctlError (and known
    database errors) become 'Error: / Hint:' and an exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*SUB_APPS, *super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in SUB_APPS:
            return _sub_group(cmd_name)
        if cmd_name in COMMANDS:
            return _command(cmd_name)
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            readable_metavars(command)
        return command

    def resolve_command(self, ctx: Any, args: Any) -> Any:
        """Typer follows "No such command 'dem'." with "Did you mean 'demo'?" when a close
        name is among the commands it holds, which the lazy ones are not: they are offered
        here, as when `demo` was held. (The sub-apps never were; left as it was.)"""
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:
            message = getattr(exc, "message", "")
            if _is_usage_error(exc) and args and message.startswith("No such command") and "Did you mean" not in message:
                from difflib import get_close_matches

                if matches := get_close_matches(args[0], list(COMMANDS)):
                    exc.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"  # type: ignore[attr-defined]
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        readable_metavars(self)  # the root's own options
        super().format_help(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list from the static help above (no sub-app or command is imported
        for it)."""
        rows = [(name, help_text) for name, (_, help_text) in SUB_APPS.items()]
        for name in super().list_commands(ctx):
            cmd = super().get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.short_help or _first_sentence(cmd.help or "")))
        rows += [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as exc:  # the root's own options (--format xml before the command)
            plain = _bad_parameter(exc)
            if plain is None:
                raise
            report_error(plain)
            raise typer.Exit(plain.exit_code) from None

    def invoke(self, ctx: Any) -> Any:
        state = ctx.obj if isinstance(ctx.obj, AppState) else None
        try:
            try:
                return self._invoke(ctx)
            finally:
                state = ctx.obj if isinstance(ctx.obj, AppState) else None
                if state is not None:
                    state.close()
                run_started(None)
        except KeyboardInterrupt:
            # Ctrl-C: say whether the command's changes were saved (a bulk enrollment
            # committed, then interrupted while it printed, looked like a failure)
            if state is not None and state.committed:
                said = ("Interrupted after the changes were saved: they are in the database; "
                        "only the report of them was cut short.")  # fmt: skip
            elif state is not None and state.writing:
                said = "Interrupted before the changes were saved: nothing was written."
            else:
                said = "Interrupted."
            print(said, file=sys.stderr)
            raise

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # `trainctl ... | head` closed the pipe: stop quietly (Python docs, "Note on SIGPIPE")
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None  # the reader stopped reading: not a failure
        except Exception as exc:
            plain = _bad_parameter(exc)
            if plain is not None:
                report_error(plain)
                raise typer.Exit(plain.exit_code) from None
            if _is_usage_error(exc):
                _root_option_hint(exc)
                raise  # Typer prints usage errors itself, with exit 2
            state = ctx.obj if isinstance(ctx.obj, AppState) else None
            # (a trainctl error needs no URL, and a bad --db is one: asking for it again raised)
            url = state.url if state is not None and not isinstance(exc, TrainctlError) else None
            error = _translate(exc, url)
            if error is None:
                raise
            report_error(error)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    name="trainctl",
    cls=TrainctlGroup,
    context_settings=CONTEXT,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Typer's Rich help costs ~90 ms of startup
    help="Training records for fire and EMS departments: requirements, programs, enrollment, "
    "progress and compliance, in one local SQLite file.",
)


def _version(value: bool) -> None:
    if value:
        print(f"trainctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="TRAINCTL_DB", metavar="PATH|URL", help="Database file or SQLAlchemy URL. Default: the user data dir (see `trainctl db path`).", show_default=False),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", envvar="TRAINCTL_ACTOR", metavar="MEMBER", help="Act as this member (id, email, badge or name); permissions apply. Default: the database owner.", show_default=False),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output for listings: table, json or csv.")
    ] = OutputFormat.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary lines on success (for cron).")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Treat this date (YYYY-MM-DD) as today.", show_default=False),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    typed = {
        flag: value
        for flag, name, value in (("--db", "db", db), ("--as", "actor", actor))
        if value is not None and getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"
    }
    ctx.obj = AppState(
        db=db, actor=actor, fmt=fmt.value, quiet=quiet, as_of=parse_date(as_of, "--as-of"), typed=typed
    )
    run_started(ctx.obj)  # its messages' commands name the --db it was given (state.hint)


def _plain_help(typer_app: typer.Typer) -> None:
    """Plain help everywhere (the sub-apps too): `trainctl --help` stays well under 150 ms."""
    typer_app.rich_markup_mode = None
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _plain_help(group.typer_instance)


_plain_help(app)


def main() -> None:
    from trainctl.cli.state import pause_collector

    pause_collector()  # while the command loads its modules (cli/state.py)
    from trainctl.cli import render

    render.ENDS_PROCESS = True  # the real process: render.done may end it
    try:
        app()
    except TrainctlError as error:  # raised outside a command (rare): same contract
        report_error(error)
        sys.exit(error.exit_code)
