"""`trainctl skill`: add, list, show, checkoff, history, void — skills and their evaluations.

A checkoff is recorded by an officer (training.manage) who is never the member evaluated;
every evaluation is kept (a retest is a new checkoff), and a passed one credits the
`skills_evaluation` requirements that list the skill (`requirement add --type
skills_evaluation --skill NAME`).

JSON output: `skill list` / `skill show` one object per skill (id, name, category,
description, evaluation_criteria, passing_requirements, required_for_programs, programs,
passed, created_at, created_by, updated_at; `show` adds `checkoffs`); `skill history` one
object per checkoff (id, member_id, member, email, skill_id, skill, status, evaluator_id,
evaluator, evaluated_on, evaluated_at, evaluation_results, notes, voided_at).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli import sheet_import as si
from trainctl.cli.options import FormatOpt, fmt_value
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import hired_after, plural

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("name"),
    Col("category"),
    Col("criteria", numeric=True),
    Col("programs"),
    Col("passed", "Members passed", numeric=True),
]
HISTORY = [
    Col("id", "ID", numeric=True),
    Col("evaluated_on", "Date"),
    Col("member"),
    Col("skill"),
    Col("status", "Result"),
    Col("evaluator"),
    Col("notes"),
]
EMPTY = (
    "No skills yet. Add one with `trainctl skill add NAME --category Firefighting "
    "--criterion '...'`."
)

SkillRef = Annotated[str, typer.Argument(metavar="SKILL", help="The skill: its name or id.", show_default=False)]


def _o(*names: str, help: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=help, metavar=metavar, show_default=False)


def _history_rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{**r.as_dict(), "evaluator": r.evaluator or ("database owner" if r.evaluator_id is None else ""),
             "void": si.void_cell(r)}
            for r in rows]  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The skill's name (unique).", show_default=False)],
    category: Annotated[
        str | None,
        _o("--category", "-c", help="Firefighting, EMS, Driver, Officer, or the department's own.", metavar="CATEGORY"),
    ] = None,
    description: Annotated[str | None, _o("--description", help="What the skill is.", metavar="TEXT")] = None,
    criterion: Annotated[
        list[str] | None, _o("--criterion", help="An evaluation criterion (repeat, in order).", metavar="TEXT")
    ] = None,
    passing: Annotated[str | None, _o("--passing", help="What it takes to pass.", metavar="TEXT")] = None,
    program: Annotated[
        list[str] | None, _o("--program", "-p", help="A program that requires it (name, Name@2 or id; repeat).",
                             metavar="PROGRAM")
    ] = None,
    format: FormatOpt = None,
) -> None:
    """Add a skill to the catalog (needs training.manage)."""
    from trainctl.services import skills as svc

    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        skill = svc.add_skill(session, actor, name=name, category=category, description=description,
                              criteria=criterion or [], passing=passing, programs=program or [])  # fmt: skip
        sid, sname = skill.id, skill.name
    if fmt_of(ctx, fmt_value(format)) == "json":
        render.emit_json({"id": sid, "name": sname})
    render.info(f"Added skill {sid}: {sname}.", quiet=state.quiet)


@app.command("list")
def list_(
    ctx: typer.Context,
    category: Annotated[str | None, _o("--category", "-c", help="Only this category.", metavar="CATEGORY")] = None,
    format: FormatOpt = None,
) -> None:
    """List the skills catalog by category and name, with how many members passed each."""
    from trainctl.queries import skills as q

    state = get_state(ctx)
    with state.reader() as (rd, _actor):
        skills = q.list_skills(rd, category=category)
    fmt = fmt_of(ctx, fmt_value(format))
    rows = [{**s.as_dict(), "criteria": len(s.evaluation_criteria)} for s in skills]
    render.table(rows, COLUMNS, fmt, empty="No skills in this category." if category else EMPTY,
                 json_rows=[s.as_dict() for s in skills] if fmt == "json" else None)  # fmt: skip


@app.command("show")
def show(
    ctx: typer.Context,
    skill: SkillRef,
    member: Annotated[str | None, _o("--member", "-m", help="Only this member's checkoffs.", metavar="MEMBER")] = None,
    format: FormatOpt = None,
) -> None:
    """Show a skill (criteria, passing requirements, programs requiring it) and its
    checkoff history, newest first. Members see their own checkoffs."""
    from trainctl.queries import members as qm
    from trainctl.queries import skills as q

    state = get_state(ctx)
    with state.reader() as (rd, actor):
        found = q.get_skill(rd, skill)
        member_id = qm.get_member(rd, member).id if member else None
        history = q.checkoffs(rd, actor, skill_id=found.id, member_id=member_id)
    fmt = fmt_of(ctx, fmt_value(format))
    data = found.as_dict()
    if fmt == "json":
        render.emit_json({**data, "checkoffs": [h.as_dict() for h in history]})
        return
    if fmt == "csv":
        render.record(data, fmt)
        return
    shown = {k: v for k, v in data.items() if k != "required_for_programs"}
    shown["evaluation_criteria"] = "; ".join(map(str, found.evaluation_criteria))
    render.record(shown, fmt, title=f"Skill {found.id}")
    if history:
        render.table(_history_rows(history), [c for c in HISTORY if c.key != "skill"], fmt, title="Checkoffs")
    else:
        render.info(f"No checkoffs yet. Record one with `trainctl skill checkoff MEMBER {found.id} --result passed`.",
                    quiet=state.quiet)  # fmt: skip


@app.command("checkoff")
def checkoff(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(metavar="MEMBER", help="The member evaluated (id, e-mail, badge or name).",
                                          show_default=False)],
    skill: SkillRef,
    result: Annotated[str, _o("--result", "-r", help="passed, failed or needs_retest.", metavar="RESULT")],
    results: Annotated[
        str | None,
        _o("--results", help='The evaluation\'s results as a JSON object, e.g. \'{"time_seconds": 58}\'.',
           metavar="JSON"),
    ] = None,
    on: Annotated[str | None, _o("--date", "-d", help="The evaluation date (YYYY-MM-DD). Default: today.",
                                 metavar="DATE")] = None,
    notes: Annotated[str | None, _o("--notes", help="The evaluator's notes.", metavar="TEXT")] = None,
    format: FormatOpt = None,
) -> None:
    """Record an evaluation of a member on a skill (needs training.manage; nobody evaluates
    their own skills). Every checkoff is kept; a passed one credits the member's
    skills_evaluation requirements that list the skill, a failed or needs_retest one takes
    back the passes before it (the latest evaluation decides)."""
    from trainctl.services import skills as svc

    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        done = svc.checkoff(session, actor, member, skill, result=result, results=results, on=on,
                            notes=notes, today=state.today(session))  # fmt: skip
    if fmt_of(ctx, fmt_value(format)) == "json":
        render.emit_json({"checkoff_id": done.id, "already": done.already, "credits": done.feed.credits,
                          "reversed": done.reversed})  # fmt: skip
    if done.already:
        render.info(f"That evaluation is recorded already (checkoff {done.id}); nothing changed.",
                    quiet=state.quiet)  # fmt: skip
        return
    render.info(f"Recorded checkoff {done.id}: {done.member}, {done.skill}, {done.status} on {done.evaluated_on}.",
                quiet=state.quiet)  # fmt: skip
    early = hired_after(done.member, done.hired, "the evaluation date", done.evaluated_on,
                        "recorded as given", "check --date")  # fmt: skip
    if early:  # a typo in --date, or a pre-hire academy: as records, cards, shifts and calls say
        render.warn(early)
    if done.reversed:
        render.info(f"Took back {plural(done.reversed, 'credit')} of an earlier pass: the latest evaluation "
                    "decides until the member passes again.", quiet=state.quiet)  # fmt: skip
    for line in si.feed_lines(done.feed):
        render.info(line, quiet=state.quiet)


@app.command("history")
def history(
    ctx: typer.Context,
    member: Annotated[str | None, _o("--member", "-m", help="Only this member.", metavar="MEMBER")] = None,
    skill: Annotated[str | None, _o("--skill", "-s", help="Only this skill (name or id).", metavar="SKILL")] = None,
    result: Annotated[str | None, _o("--result", "-r", help="Only passed, failed or needs_retest.", metavar="RESULT")] = None,
    include_void: Annotated[bool, typer.Option("--include-void", help="Show void checkoffs too.")] = False,
    format: FormatOpt = None,
) -> None:
    """List checkoffs, newest first: every evaluation is kept (void ones only with
    --include-void). Members see their own."""
    from trainctl.errors import UsageError
    from trainctl.queries import members as qm
    from trainctl.queries import skills as q

    status = result.strip().lower() if result else None
    if status is not None and status not in q.RESULTS:
        raise UsageError(f"--result is one of {', '.join(q.RESULTS)} (got {result!r}).")
    state = get_state(ctx)
    with state.reader() as (rd, actor):
        member_id = qm.get_member(rd, member).id if member else None
        skill_id = q.get_skill(rd, skill).id if skill else None
        rows = q.checkoffs(rd, actor, skill_id=skill_id, member_id=member_id, status=status,
                           include_void=include_void)  # fmt: skip
    fmt = fmt_of(ctx, fmt_value(format))
    void_too = "" if include_void else " Void checkoffs are left out: --include-void shows them."
    render.table(_history_rows(rows), [*HISTORY, Col("void")] if include_void else HISTORY, fmt,
                 empty=("No checkoffs match these filters." if any((member, skill, result)) else
                        "No checkoffs yet. Record one with `trainctl skill checkoff MEMBER SKILL --result passed`.")
                 + void_too,
                 json_rows=[r.as_dict() for r in rows] if fmt == "json" else None)  # fmt: skip


@app.command("void")
def void(
    ctx: typer.Context,
    checkoff: Annotated[str, typer.Argument(metavar="CHECKOFF", help="The checkoff id (`skill history` shows it).",
                                            show_default=False)],
    reason: Annotated[str, _o("--reason", help="Why (kept with the checkoff).", metavar="TEXT")],
) -> None:
    """Void a checkoff recorded by mistake (wrong member or result): it is kept (with who,
    when and why), leaves the history, and its credit is reversed."""
    from trainctl.services import skills as svc

    si.void_command(ctx, svc.void_checkoff, checkoff, reason, noun="checkoff", short="Checkoff")
