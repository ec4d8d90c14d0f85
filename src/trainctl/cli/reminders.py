"""`trainctl reminders`: send what is due (cron), preview it, and read the log."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import (
    DryRunOpt,
    FormatOpt,
    LimitOpt,
    fmt_value,
    not_stdout,
    one_as_of,
    row_limit,
)
from trainctl.cli.render import Col
from trainctl.cli.state import AppState, fmt_of, get_state
from trainctl.errors import RefusedError

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

# `send` (with --dry-run too) and `preview` never create a database: a cron line whose --db
# has a typo would make a new, empty one and find nothing due, night after night, exit 0.
# A path that holds no database is refused, naming it (dbfile.no_database), exit 1.
CREATE_DATABASE = False


class TransportKind(StrEnum):
    smtp = "smtp"
    file = "file"
    stdout = "stdout"


AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Treat this date (YYYY-MM-DD) as today.", show_default=False),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Silent on success (for cron).")]

DUE_COLS = [Col("to"), Col("kind"), Col("about"), Col("why"), Col("status")]
DUE_FIELDS = (
    "to",
    "email",
    "kind",
    "about",
    "threshold",
    "since",
    "why",
    "status",
    "subject",
    "key",
)

# on a narrow terminal the lesser columns go first (Col.drop, highest first); the result
# (the server's answer, the error of a failure) stays when only failures are listed
LOG_COLS = [
    Col("id", "ID", numeric=True),
    Col("at"),
    Col("status"),
    Col("kind", drop=3),
    Col("recipient", "To"),
    Col("title", "Subject"),
    Col("threshold", drop=4),
    Col("attempts", "Tries", numeric=True, drop=2),
    Col("result", drop=1),
]
LOG_FIELDS = ("id", "at", "status", "kind", "recipient", "to", "about", "title", "threshold",
              "due_on", "attempts", "answer", "error", "message_id")  # fmt: skip


def _today(state: AppState, rd: Any, as_of: str | None) -> date:
    return one_as_of(state.as_of, as_of) or state.today_of(rd)


def _status_text(running: bool = False) -> dict[str, str]:
    """A due reminder's log status, as the preview says it: due, or a retry and why
    (retry (failed), retry (interrupted): domain.reminders.log_state, as `reminders log`),
    or, while a run holds the lock (`running`), sending (a run is in progress)."""
    from trainctl.domain.reminders import SENDING, log_state

    return {"new": "due"} | {
        s: "sending (a run is in progress)" if (state := log_state(s, running=running)) == SENDING
        else f"retry ({state})"
        for s in ("failed", "claimed")
    }  # fmt: skip


def _due_rows(reminders: list[Any], running: bool = False) -> list[dict[str, Any]]:
    status_text = _status_text(running)
    return [
        {
            "to": r.recipient.name,
            "email": r.recipient.email,
            "kind": r.kind,
            "about": r.about,
            "threshold": r.threshold,
            "since": r.due_on,
            "why": r.why,
            "status": status_text.get(r.log_status, r.log_status),
            "subject": r.title,
            "key": r.key.text(),
        }
        for r in reminders
    ]


def _due_csv(reminders: list[Any], running: bool = False) -> None:
    """The due reminders as CSV on stdout, without Rich or render.table's per-cell type
    dispatch. Every field is text or a date; a text that a spreadsheet would run as a
    formula goes through render.csv_cell, the one rule for that. csv.writer quotes: a row
    none of whose fields holds a comma, a quote or a line break is the same joined with
    commas, and is written so (Python 3.11's csv.writer looks at every character, a
    twentieth of the whole dry-run on bench/reminders.py). Rows are written to stdout a
    block at a time: an unbuffered stdout (PYTHONUNBUFFERED, a pipe some tools set up)
    would otherwise cost a system call per row."""
    import csv
    import io
    import sys

    guard, start = render.csv_cell, render.FORMULA_START
    status_text = _status_text(running)

    def text(value: str) -> str:
        return guard(value) if value.startswith(start) else value

    out, buf = sys.stdout, io.StringIO()
    buf.write(render.csv_bom())
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(DUE_FIELDS)
    commas = len(DUE_FIELDS) - 1
    for n, r in enumerate(reminders, 1):
        fields = (
            text(r.recipient.name), text(r.recipient.email), r.kind, text(r.about),
            r.threshold, r.due_on.isoformat(), text(r.why),
            status_text.get(r.log_status, r.log_status), text(r.title), text(r.key.text()),
        )  # fmt: skip
        line = ",".join(fields)
        if line.count(",") == commas and '"' not in line and "\n" not in line and "\r" not in line:
            buf.write(line + "\n")
        else:
            writer.writerow(fields)
        if n % 2000 == 0:
            out.write(buf.getvalue())
            buf.seek(0)
            buf.truncate()
    out.write(buf.getvalue())


def _note(message: str, *, quiet: bool, fmt: str) -> None:
    """The summary line on stderr; for a machine format without loading Rich."""
    if quiet:
        return
    if fmt == "table":
        render.info(message)
    else:
        import sys

        from trainctl.cli.state import hint

        sys.stderr.write(hint(message) + "\n")


def _show_due(
    ctx: typer.Context, state: AppState, fmt: Any, as_of: str | None, quiet: bool = False
) -> tuple[int, str]:
    """The preview (also `send --dry-run`), read-only on the read side. Returns how many
    reminders are due and the format used."""
    import gc

    from trainctl.permissions import VIEW_ALL
    from trainctl.queries import reminders as q

    with state.reader(create=CREATE_DATABASE) as (rd, actor):
        actor.require(VIEW_ALL, "preview reminders")
        today = _today(state, rd, as_of)
        selection = q.select_due(rd, today)
        running = any(r.log_status == "claimed" for r in selection.reminders) and q.run_in_progress(rd, state.url)
    fmt = fmt_of(ctx, fmt_value(fmt))
    if not selection.officers:  # a warning, not a summary: --quiet prints it too
        render.warn(NO_OFFICER)
    # the selection's tens of thousands of objects hold no cycles: the cyclic collector
    # would only walk them again while the rows are written (as in q.select_due)
    enabled = gc.isenabled()
    gc.disable()
    try:
        if fmt == "csv":
            _due_csv(selection.reminders, running)
            return len(selection.reminders), fmt
        rows = _due_rows(selection.reminders, running)
        if fmt == "table":  # words for a reader; scripts keep the kinds' names
            from trainctl.domain.reminders import KINDS

            for row in rows:
                row["kind"] = KINDS.get(row["kind"], row["kind"])
        render.table(
            rows,
            DUE_COLS if fmt == "table" else [Col(k) for k in DUE_FIELDS],
            fmt,
            title=f"Reminders due {today.isoformat()}",
            empty=f"Nothing is due on {today.isoformat()}: no reminder to send.",
        )
        return len(selection.reminders), fmt
    finally:
        if enabled:
            gc.enable()


@app.command("send")
def send(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="The folder for --transport file (one .eml per message).", show_default=False
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    as_of: AsOfOpt = None,
    quiet: QuietOpt = False,
    transport: Annotated[
        TransportKind,
        typer.Option("--transport", help="smtp (the configured server), file DIR, or stdout."),
    ] = TransportKind.smtp,
    format: FormatOpt = None,
) -> None:
    """Send every reminder that is due, each exactly once; made for a nightly cron line.

    Deadline warnings (program, phase, requirement), overdue follow-ups, no-progress
    reminders, milestones, new requirements' messages, certification cards expiring (90,
    60, 30, 7 days before and on the day), recurring compliance requirements turning due
    soon or overdue, and one digest per officer listing who is behind. A run that was
    skipped catches up. Never creates a database: a --db path with none is refused. Exit
    codes: 0 all sent (or nothing due), 1 some messages failed (they stay due) or no
    database at the path, 69 mail server unreachable, gone or unusable as configured,
    75 another run holds the lock.
    """
    state = get_state(ctx)
    quiet = quiet or state.quiet
    if transport is TransportKind.file and folder is None:
        raise typer.BadParameter(
            "--transport file needs a folder: --transport file DIR.", param_hint="DIR"
        )
    if transport is not TransportKind.file and folder is not None:
        raise typer.BadParameter(
            f"{folder} is only for --transport file (one .eml per message in it).", param_hint="DIR"
        )
    not_stdout(folder, "--transport file writes one .eml file per message in a folder; they",
               "`--transport stdout` prints the messages instead; or name a folder.")
    if dry_run:
        n, fmt = _show_due(ctx, state, format, as_of, quiet)
        _note(f"{n} reminder{'' if n == 1 else 's'} due; nothing sent (--dry-run).",
              quiet=quiet, fmt=fmt)  # fmt: skip
        return
    fmt = fmt_of(ctx, fmt_value(format))
    if fmt != "table" and transport is TransportKind.stdout:
        raise typer.BadParameter(
            f"--format {fmt} lists what was sent on stdout, where --transport stdout writes the "
            "messages: take --transport file DIR (or leave out --format).",
            param_hint="--format",
        )
    _send(state, as_of, transport, folder, quiet, fmt)


NO_OFFICER = (
    "No active officer: nobody gets the digest of who is behind. Make one an officer with "
    "`trainctl member edit MEMBER --role officer`."
)

SENT_FIELDS = ("to", "email", "kind", "about", "threshold", "since", "status", "answer", "subject", "key")


def _sent_rows(result: Any) -> list[dict[str, Any]]:
    """What a run did, one row per reminder it claimed (`--format json|csv`): sent or
    failed, with the server's answer, or not_sent when the server went away first (exit
    69: it stays due); a cron job or a script reads it."""
    return [
        {
            "to": o.reminder.recipient.name, "email": o.reminder.recipient.email,
            "kind": o.reminder.kind, "about": o.reminder.about, "threshold": o.reminder.threshold,
            "since": o.reminder.due_on, "status": o.status, "answer": o.answer,
            "subject": o.reminder.title, "key": o.reminder.key.text(),
        }
        for o in result.outcomes
    ]  # fmt: skip


def _send(
    state: AppState, as_of: str | None, kind: TransportKind, folder: Path | None, quiet: bool,
    fmt: str = "table",
) -> None:  # fmt: skip
    from trainctl.dbfile import ensure_current
    from trainctl.domain.reminders import when_text
    from trainctl.domain.text import plural
    from trainctl.queries import open_reader
    from trainctl.queries.members import resolve_actor
    from trainctl.queries.settings import all_settings
    from trainctl.queries.settings import today as department_today
    from trainctl.services import reminders as svc
    from trainctl.services.mail import transport_for

    url = state.url
    ensure_current(url, create=CREATE_DATABASE)  # before the lock file is made beside it
    with svc.run_lock(url):
        with open_reader(url) as rd:
            actor = resolve_actor(rd, state.actor)
            today = _today(state, rd, as_of)
            real_today = department_today(rd)
            settings = {key: value for key, value, _, _ in all_settings(rd)}
        carrier = transport_for(kind.value, folder, settings)
        try:
            result = svc.send_due(state.engine(), actor, today=today, transport=carrier)
        except svc.RunStopped as stopped:  # exit 69 mid-run: a script still learns
            if fmt != "table":  # what went out, what failed and what stays due
                render.table(_sent_rows(stopped.result), [Col(k) for k in SENT_FIELDS], fmt)
            raise
    if fmt != "table":
        render.table(_sent_rows(result), [Col(k) for k in SENT_FIELDS], fmt)
    if not result.officers:  # (--quiet too: cron mails it; nobody is told who is behind)
        render.warn(NO_OFFICER)
    failed = result.failed
    if failed:
        raise RefusedError(
            f"{len(failed)} of {len(result.outcomes)} reminders failed; {len(result.sent)} sent.",
            "Failed reminders stay due: the next run retries them. "
            "`trainctl reminders log --failed` shows the server's answers.",
            details=[
                f"{o.reminder.recipient.email}: {o.reminder.title} -- {o.answer}" for o in failed
            ],
        )
    lapsed = result.lapsed
    if lapsed.rows:
        ids = ", ".join(map(str, lapsed.enrollments[:10])) + (" ..." if len(lapsed.enrollments) > 10 else "")
        render.info(
            f"{plural(len(lapsed.rows), 'program certification requirement')} no longer met: "
            f"the card ran out (enrollment{'' if len(lapsed.enrollments) == 1 else 's'} {ids}; "
            f"`trainctl enroll show ID`).",
            quiet=quiet,
        )
    if result.due == 0:
        render.info(f"Nothing due on {today.isoformat()}.", quiet=quiet)
        return
    where = {"smtp": "", "file": f" to {folder}", "stdout": " to stdout"}[kind.value]
    render.info(f"Sent {len(result.sent)} reminder{'' if len(result.sent) == 1 else 's'}{where} "
                f"({today.isoformat()}).", quiet=quiet)  # fmt: skip
    if result.sent and today != real_today and not quiet:
        render.warn(AS_OF_SENT.format(day=today.isoformat(), real=real_today.isoformat(),
                                      off=when_text(today, real_today)))  # fmt: skip


# --as-of D with real messages: they count their days from D ("due in 10 days"), which is
# what simulating a day is for, and misleading in a real mailbox (said, not refused)
AS_OF_SENT = (
    "These messages were sent as of {day} ({off}), not today ({real}): the days they count "
    '("due in 10 days") are counted from {day}.'
)


@app.command("preview")
def preview(ctx: typer.Context, as_of: AsOfOpt = None, format: FormatOpt = None) -> None:
    """Show what the next `reminders send` would send: to whom, what, and why."""
    _show_due(ctx, get_state(ctx), format, as_of)


@app.command("test")
def test(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Argument(
            help="Who gets it: a member (id, email, badge or name) or a mail address.",
            metavar="TO",
            show_default=False,
        ),
    ],
) -> None:
    """Send one test message through the configured mail server, to prove the settings the
    day they are made rather than the first night something is due. Spoken to as `send`
    speaks to it (STARTTLS, certificate, login); nothing is recorded. Exit codes: 0 the
    server took it, 1 it refused the message, 69 it cannot be reached or used as
    configured (one line saying which, and the setting to check)."""
    from datetime import UTC, datetime

    from trainctl.domain.mail import ascii_domain
    from trainctl.errors import BadInputError
    from trainctl.queries.members import find_member, get_member
    from trainctl.queries.settings import all_settings
    from trainctl.services.mail import send_test

    state = get_state(ctx)
    with state.reader(create=CREATE_DATABASE) as (rd, actor):
        member = find_member(rd, to)
        if member is None and "@" not in to:
            member = get_member(rd, to)  # not found: the one message and hint
        settings = {key: value for key, value, _, _ in all_settings(rd)}
    name, addr = (member.name, member.email) if member is not None else ("", to.strip())
    local, _, domain = addr.rpartition("@")
    try:
        ok = bool(local and domain) and not any(c.isspace() for c in addr) and bool(ascii_domain(domain))
    except ValueError:
        ok = False
    if not ok:
        raise BadInputError(
            f"TO: {to!r} is neither a member nor a mail address.",
            "Name a member (`trainctl member list`) or give an address: training@your-department.example.",
        )
    sent = send_test(actor, settings, to_name=name, to_addr=addr, now=datetime.now(UTC))
    how = {"starttls": "STARTTLS", "tls": "TLS", "none": "no encryption"}.get(sent.security, sent.security)
    login = f", logged in as {sent.user}" if sent.user else ", no login"
    render.info(f"Test message to {sent.to} taken by {sent.where} ({how}{login}): {sent.answer}.",
                quiet=state.quiet)  # fmt: skip
    render.info("Check that it arrived; the nightly `trainctl reminders send` uses these settings.",
                quiet=state.quiet)  # fmt: skip


# the result of an interrupted claim (domain.reminders.log_state): no server answered it
NO_OUTCOME = "no server answer: its run stopped first; the next run sends it while due"
# a claim of the run in progress (`queries.reminders.run_in_progress`)
SENDING_NOW = "no answer yet: the `reminders send` running now is sending it"


@app.command("log")
def log(
    ctx: typer.Context,
    member: Annotated[
        str | None,
        typer.Option(
            "--member",
            help="Only reminders sent to or about this member (id, email, badge or name).",
            show_default=False,
        ),
    ] = None,
    failed: Annotated[
        bool,
        typer.Option(
            "--failed",
            help="Only what did not go out: failures, with the server's answer, and "
            "claims a stopped run left (interrupted).",
        ),
    ] = False,
    limit: LimitOpt = None,
    format: FormatOpt = None,
) -> None:
    """Show what reminders were sent, when, and the failures with the server's answer
    (newest first; a table the newest 100). A reminder a stopped run claimed and never
    sent (killed, a power cut) is listed as interrupted, a failure as failed."""
    from trainctl.permissions import VIEW_ALL
    from trainctl.queries import reminders as q
    from trainctl.queries.members import get_member

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        member_id = None
        if member is not None:
            m = get_member(rd, member)
            actor.require_self_or(m.id, VIEW_ALL, "read other members' reminders")
            member_id = m.id
        else:
            actor.require(VIEW_ALL, "read the reminder log")
        fmt = fmt_of(ctx, fmt_value(format))
        running = q.run_in_progress(rd, state.url)
        entries, total = q.log_entries(rd, member_id=member_id, failed=failed, limit=row_limit(limit, fmt),
                                       running=running)  # fmt: skip
    rows = [e.as_dict() for e in entries]
    cols = [Col(k) for k in LOG_FIELDS]
    if fmt == "table":
        from dataclasses import replace

        from trainctl.domain.reminders import INTERRUPTED, KINDS, SENDING

        for row in rows:
            row["recipient"] = f"{row['recipient']} <{row['to']}>"
            row["result"] = (
                row["answer"] if row["status"] == "sent"
                else NO_OUTCOME if row["status"] == INTERRUPTED
                else SENDING_NOW if row["status"] == SENDING
                else (row["error"] or "")
            )  # fmt: skip
            row["kind"] = KINDS.get(row["kind"], row["kind"])
        cols = [replace(c, drop=0) if failed and c.key == "result" else c for c in LOG_COLS]
    render.table(
        rows,
        cols,
        fmt,
        empty="No failed or interrupted reminders."
        if failed
        else "No reminders sent yet. `trainctl reminders preview` shows what is due.",
    )
    render.more_rows(len(entries), total, "reminders", quiet=state.quiet)
