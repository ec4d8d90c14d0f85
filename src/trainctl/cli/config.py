"""`trainctl config`: the department's settings (timezone, self-reporting, mail server).

Settings are stored in the database (the `setting` table): one file is one department,
and its backups carry its settings. The mail password is never stored: it comes from
TRAINCTL_SMTP_PASSWORD at send time, and `config show` says only whether it is set.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, fmt_value
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

COLS = [Col("key"), Col("value"), Col("source"), Col("meaning")]


@app.command("show")
def show(ctx: typer.Context, format: FormatOpt = None) -> None:
    """Show every setting, where its value comes from, and what it means (no secrets)."""
    from trainctl.errors import TrainctlError
    from trainctl.permissions import VIEW_ALL
    from trainctl.queries.settings import PASSWORD_ENV, all_settings, zone

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        actor.require(VIEW_ALL, "read the department's settings")
        settings = all_settings(rd)
    rows = [
        {"key": k, "value": v, "source": "default" if default else "set", "meaning": meaning}
        for k, v, default, meaning in settings
    ]
    if os.environ.get("TRAINCTL_TIMEZONE"):
        rows[0] |= {"value": os.environ["TRAINCTL_TIMEZONE"], "source": "env TRAINCTL_TIMEZONE"}
    try:  # a cron's mistyped TRAINCTL_TIMEZONE, said here before `reminders send` refuses it
        zone(rows[0]["value"])
    except TrainctlError as exc:
        rows[0]["source"] += ", NOT A TIMEZONE"
        render.warn(f"timezone: {exc.message} Commands that need today's date refuse it. {exc.hint}")
    rows.append(
        {
            "key": "smtp.password",
            "value": "(set)" if os.environ.get(PASSWORD_ENV) else "(not set)",
            "source": f"env {PASSWORD_ENV}",
            "meaning": "never stored in the database and never shown",
        }
    )
    fmt = fmt_of(ctx, fmt_value(format))
    if fmt != "table":
        render.table(rows, COLS, fmt, title="Settings")
        return
    # A list, not a table: a setting's value (an address, a path) is read to be checked or
    # typed back, whole; four columns at 80 characters cut it ("<training@statio…").
    out = render.console("out")
    width = max(out.width - 4, 20)
    lines = ["Settings"]
    for r in rows:
        shown = r["value"] if r["value"] not in (None, "") else "(empty)"
        lines.append(f"{r['key']} = {shown}  ({r['source']})")
        lines += [f"    {line}" for line in render.wrap_words(r["meaning"], width)]
    out.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(help="The setting, e.g. smtp.host (`config show` lists them).")
    ],
    value: Annotated[
        str, typer.Argument(help="Its new value; an empty string restores the default.")
    ],
) -> None:
    """Change a setting: `trainctl config set smtp.host smtp.example.org`, for example."""
    from trainctl.permissions import MANAGE
    from trainctl.services.settings import configure

    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        actor.require(MANAGE, "change the department's settings")
        stored = configure(session, key, value)
    render.info(f"{key} = {stored or '(empty)'}", quiet=state.quiet)
