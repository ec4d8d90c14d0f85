"""`trainctl program milestone add | list | edit | remove`: progress checkpoints of a
program or of one of its phases."""

from __future__ import annotations

from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, amount, fmt_value
from trainctl.cli.program.shared import DescOpt, PhaseOpt, ProgramArg, given, read_tree, validated
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import shell_word


def milestone_add(
    ctx: typer.Context,
    program: ProgramArg,
    name: Annotated[str, typer.Argument(help="Milestone name.", show_default=False)],
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            "-t",
            help="Reached at this completion percentage (0-100).",
            show_default=False,
            parser=amount("--threshold", 0, 100),
        ),
    ],
    phase: PhaseOpt = None,
    description: DescOpt = None,
    message: Annotated[
        str | None,
        typer.Option("--message", help="Message shown when reached.", show_default=False),
    ] = None,
    verify: Annotated[
        bool, typer.Option("--requires-verification", help="An officer must verify it.")
    ] = False,
) -> None:
    """Add a milestone to a program (or to a phase: it then follows the phase's progress)."""
    from trainctl.schemas.programs import MilestoneCreate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    data = validated(
        MilestoneCreate,
        "milestone",
        **given(
            name=name,
            completion_percentage_threshold=threshold,
            description=description,
            notification_message=message,
            requires_verification=verify,
        ),
    )
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        ms = svc.add_milestone(session, actor, target, data, phase_number=phase)
        render.info(
            f"Added milestone {ms.name!r} at {ms.completion_percentage_threshold:g}% (id {ms.id}).",
            quiet=state.quiet,
        )


def milestone_list(ctx: typer.Context, program: ProgramArg, format: FormatOpt = None) -> None:
    """List a program's milestones (program level and per phase)."""
    tree = read_tree(ctx, program)
    rows = [
        {
            "id": m.id,
            "phase": n,
            "name": m.name,
            "threshold": m.completion_percentage_threshold,
            "requires_verification": m.requires_verification,
            "notification_message": m.notification_message,
            "description": m.description,
        }
        for n, m in tree.all_milestones()
    ]
    cols = [
        render.Col("id", "ID", numeric=True),
        render.Col("phase", numeric=True),
        render.Col("name"),
        render.Col("threshold", "%", numeric=True),
        render.Col("requires_verification", "Verify"),
        render.Col("notification_message", "Message"),
    ]
    render.table(
        rows,
        cols,
        fmt_of(ctx, fmt_value(format)),
        empty=f"No milestones yet. Add one with `trainctl program milestone add {shell_word(program)} NAME --threshold 50`.",
    )


MilestoneArg = Annotated[
    str, typer.Argument(help="The milestone's name (unique within its scope).", show_default=False)
]


def milestone_edit(
    ctx: typer.Context,
    program: ProgramArg,
    name: MilestoneArg,
    phase: PhaseOpt = None,
    new_name: Annotated[
        str | None, typer.Option("--name", help="New name.", show_default=False)
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold", "-t", help="Completion percentage (0-100).", show_default=False,
            parser=amount("--threshold", 0, 100),
        ),
    ] = None,
    description: DescOpt = None,
    message: Annotated[
        str | None,
        typer.Option("--message", help="Message shown when reached.", show_default=False),
    ] = None,
    verify: Annotated[
        bool | None,
        typer.Option(
            "--requires-verification/--no-verification",
            help="Whether an officer must verify it.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Change a milestone (only the options given; --phase N for a phase's milestone).

    Refused once members are enrolled: make a new version with `program duplicate`.
    """
    from trainctl.schemas.programs import MilestoneUpdate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    data = validated(
        MilestoneUpdate,
        "milestone",
        **given(
            name=new_name,
            completion_percentage_threshold=threshold,
            description=description,
            notification_message=message,
            requires_verification=verify,
        ),
    )
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        changed = svc.edit_milestone(session, actor, target, name, data, phase_number=phase)
        render.info(
            f"Updated milestone {name!r}: {', '.join(changed)}."
            if changed
            else f"No changes to milestone {name!r}.",
            quiet=state.quiet,
        )


def milestone_remove(
    ctx: typer.Context, program: ProgramArg, name: MilestoneArg, phase: PhaseOpt = None
) -> None:
    """Remove a milestone (--phase N for a phase's milestone).

    Refused once members are enrolled: make a new version with `program duplicate`.
    """
    from trainctl.services import programs as svc

    state = get_state(ctx)
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        ms = svc.remove_milestone(session, actor, target, name, phase_number=phase)
        render.info(f"Removed milestone {ms.name!r} from {svc.label(target)}.", quiet=state.quiet)
