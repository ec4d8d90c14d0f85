"""`trainctl requirement explain MEMBER REQUIREMENT`: one cell of the compliance matrix with
its arithmetic shown. Registered on the requirement app (cli/requirement.py) from here, so
the requirement commands' module stays about the catalog."""

from __future__ import annotations

from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, fmt_value, whole
from trainctl.cli.state import fmt_of, get_state


def explain(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="The member (id, email, badge or name).", show_default=False)],
    requirement: Annotated[
        str, typer.Argument(help="The requirement (id, registry code or name).", show_default=False)
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Explain as of this date (YYYY-MM-DD).", show_default=False),
    ] = None,
    due_soon_days: Annotated[
        int,
        typer.Option("--due-soon-days", parser=whole("--due-soon-days", 0, 3650), help="A window ending within this many days is 'due soon'."),
    ] = 30,
    every: Annotated[
        bool, typer.Option("--all", help="List every fact, those outside the window too.")
    ] = False,
    format: FormatOpt = None,
) -> None:
    """Why a member is (or is not) current on a requirement: the window, every record that
    counted or was rejected with the reason, and the arithmetic to the status — the same
    evaluation as the cell of `trainctl report compliance`. A member may explain their own."""
    from trainctl.cli.report import as_of_date, cell_dict
    from trainctl.domain.compliance import explain_lines
    from trainctl.queries import compliance as qc

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, actor):
        day = as_of_date(ctx, as_of, rd)
        e = qc.explain(rd, actor, member, requirement, as_of=day, due_soon_days=due_soon_days)
    if isinstance(e, qc.Retired):  # judged by nobody that day: when and why, no status
        if fmt == "table":
            import sys

            sys.stdout.write("\n".join(e.lines()) + "\n")
            return
        said: dict[str, object] = {"member": e.member, "requirement": e.requirement.name, "as_of": e.as_of,
                "status": "retired", "retired_on": e.retired_on, "retired_reason": e.reason,
                "lines": e.lines()}  # fmt: skip
        if fmt == "json":
            render.emit_json(said)
        else:
            render.emit_csv([said], [render.Col(k) for k in said if k != "lines"])
        return
    if fmt == "table":
        import sys

        sys.stdout.write("\n".join(explain_lines(e, every=every)) + "\n")
        return
    data = cell_dict(e)
    data["window"] = e.window_label
    data["facts"] = [
        {
            "kind": v.fact.kind, "id": v.fact.id, "date": v.fact.date, "what": v.fact.label,
            "counted": v.counted, "amount": v.amount, "code": v.code, "reason": v.reason,
        }
        for v in e.verdicts
    ]
    data["lines"] = explain_lines(e)
    if fmt == "json":
        render.emit_json(data)
    else:
        render.emit_csv(data["facts"], [render.Col(k) for k in ("kind", "id", "date", "what", "counted", "amount", "code", "reason")])
