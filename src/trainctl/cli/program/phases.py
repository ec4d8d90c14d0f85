"""`trainctl program phase add | list | edit | remove`: the phases of a `phases` program."""

from __future__ import annotations

from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, fmt_value, whole
from trainctl.cli.program.shared import DescOpt, ProgramArg, given, read_tree, validated
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import plural, shell_word

AfterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--after",
        help="Prerequisite phase: a number of this program, or id:N (repeatable).",
        show_default=False,
    ),
]
PhaseTimeOpt = Annotated[
    int | None,
    typer.Option(
        "--time-limit-days", help="Days from the phase's start to its deadline.", show_default=False,
        parser=whole("--time-limit-days"),
    ),
]


def phase_add(
    ctx: typer.Context,
    program: ProgramArg,
    number: Annotated[
        int, typer.Argument(help="Phase number (its order in the program).", show_default=False, parser=whole("NUMBER"))
    ],
    name: Annotated[str, typer.Argument(help="Phase name.", show_default=False)],
    description: DescOpt = None,
    after: AfterOpt = None,
    manual: Annotated[
        bool,
        typer.Option("--manual-advancement", help="An officer advances members out of this phase."),
    ] = False,
    time_limit_days: PhaseTimeOpt = None,
) -> None:
    """Add a phase. Its prerequisite phases must belong to the same program; cycles are refused."""
    from trainctl.schemas.programs import PhaseCreate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    data = validated(
        PhaseCreate,
        "phase",
        **given(
            phase_number=number,
            name=name,
            description=description,
            requires_manual_advancement=manual,
            time_limit_days=time_limit_days,
        ),
    )
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        phase = svc.add_phase(session, actor, target, data, prerequisites=after or [])
        render.info(
            f"Added phase {phase.phase_number} {phase.name!r} (id {phase.id}) to {svc.label(target)}.",
            quiet=state.quiet,
        )


def phase_list(ctx: typer.Context, program: ProgramArg, format: FormatOpt = None) -> None:
    """List a program's phases in order."""
    tree = read_tree(ctx, program)
    rows = [
        {
            "id": pv.phase.id,
            "phase_number": pv.phase.phase_number,
            "name": pv.phase.name,
            "description": pv.phase.description,
            "prerequisites": pv.prerequisites,
            "requires_manual_advancement": pv.phase.requires_manual_advancement,
            "time_limit_days": pv.phase.time_limit_days,
            "requirements": len(pv.links),
            "required": sum(1 for lv in pv.links if lv.link.is_required),
            "milestones": len(pv.milestones),
        }
        for pv in tree.phases
    ]
    cols = [
        render.Col("id", "ID", numeric=True),
        render.Col("phase_number", "Phase", numeric=True),
        render.Col("name"),
        render.Col("prerequisites", "After"),
        render.Col("requires_manual_advancement", "Manual"),
        render.Col("time_limit_days", "Days", numeric=True),
        # at 80 columns the counts of links, then of milestones, give way to the phase's name
        render.Col("requirements", "Links", numeric=True, drop=2),
        render.Col("required", numeric=True),
        render.Col("milestones", numeric=True, drop=1),
    ]
    render.table(
        rows,
        cols,
        fmt_of(ctx, fmt_value(format)),
        empty=f"No phases yet. Add one with `trainctl program phase add {shell_word(program)} 1 NAME`.",
    )


def phase_edit(
    ctx: typer.Context,
    program: ProgramArg,
    number: Annotated[int, typer.Argument(help="The phase's current number.", show_default=False, parser=whole("NUMBER"))],
    new_number: Annotated[
        int | None, typer.Option("--number", help="Renumber the phase.", show_default=False, parser=whole("--number"))
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="New name.", show_default=False)
    ] = None,
    description: DescOpt = None,
    after: AfterOpt = None,
    no_prerequisites: Annotated[
        bool, typer.Option("--no-prerequisites", help="Remove all prerequisite phases.")
    ] = False,
    manual: Annotated[
        bool | None,
        typer.Option(
            "--manual-advancement/--automatic-advancement",
            help="Who advances members out of the phase.",
            show_default=False,
        ),
    ] = None,
    time_limit_days: PhaseTimeOpt = None,
) -> None:
    """Change a phase (only the options given). --after replaces its prerequisite phases."""
    from trainctl.schemas.programs import PhaseUpdate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    data = validated(
        PhaseUpdate,
        "phase",
        **given(
            phase_number=new_number,
            name=name,
            description=description,
            requires_manual_advancement=manual,
            time_limit_days=time_limit_days,
        ),
    )
    prereqs = [] if no_prerequisites else after
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        changed = svc.edit_phase(session, actor, target, number, data, prerequisites=prereqs)
        render.info(
            f"Updated phase {number}: {', '.join(changed)}."
            if changed
            else f"No changes to phase {number}.",
            quiet=state.quiet,
        )


def phase_remove(
    ctx: typer.Context,
    program: ProgramArg,
    number: Annotated[int, typer.Argument(help="The phase's number.", show_default=False, parser=whole("NUMBER"))],
    with_requirements: Annotated[
        bool,
        typer.Option(
            "--with-requirements",
            help="Also remove the requirement links and milestones the phase holds.",
        ),
    ] = False,
) -> None:
    """Remove a phase (other phases keep their numbers).

    Refused once members are enrolled (make a new version with `program duplicate`), while
    another phase lists it as a prerequisite (change that phase's --after first), and while
    it holds requirement links or milestones unless --with-requirements. An active program
    must stay complete.
    """
    from trainctl.services import programs as svc

    state = get_state(ctx)
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        gone = svc.remove_phase(session, actor, target, number, with_requirements=with_requirements)
        extra = [
            plural(gone.links, "requirement link") if gone.links else "",
            plural(gone.milestones, "milestone") if gone.milestones else "",
        ]
        held = " and ".join(e for e in extra if e)
        render.info(
            f"Removed phase {gone.number} {gone.name!r} from {svc.label(target)}"
            + (f" with its {held}." if held else "."),
            quiet=state.quiet,
        )
