"""`trainctl program requirement add | list | edit | remove`: requirements linked to a
program or to one of its phases."""

from __future__ import annotations

from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import DryRunOpt, FormatOpt, fmt_value, whole
from trainctl.cli.program.shared import PhaseOpt, ProgramArg, given, read_tree, validated
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import plural, shell_word

RequirementArg = Annotated[
    str,
    typer.Argument(
        help='Requirement: id, registry code (e.g. "NFPA 1001") or name.', show_default=False
    ),
]
SortOpt = Annotated[
    int | None,
    typer.Option(
        "--sort-order",
        parser=whole("--sort-order"),
        help="Position within its scope (default: after the last).",
        show_default=False,
    ),
]
LinkDescOpt = Annotated[
    str | None,
    typer.Option(
        "--description",
        "-d",
        help="Program-specific description (overrides the requirement's).",
        show_default=False,
    ),
]
DeadlineOpt = Annotated[
    int | None,
    typer.Option(
        "--deadline-days",
        parser=whole("--deadline-days"),
        help="Days from the scope's start (overrides the requirement's time limit).",
        show_default=False,
    ),
]
MessageOpt = Annotated[
    str | None,
    typer.Option(
        "--message", help="Notification message when the member is assigned it.", show_default=False
    ),
]


def link_add(
    ctx: typer.Context,
    program: ProgramArg,
    requirement: RequirementArg,
    phase: PhaseOpt = None,
    optional: Annotated[
        bool, typer.Option("--optional", help="Not required (does not count toward completion).")
    ] = False,
    prerequisite: Annotated[
        bool, typer.Option("--prerequisite", help="Must be complete before the rest of its scope.")
    ] = False,
    sort_order: SortOpt = None,
    description: LinkDescOpt = None,
    deadline_days: DeadlineOpt = None,
    message: MessageOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Link a requirement to a program (or to one of its phases with --phase). On a version
    members are enrolled in, every active, on-hold or completed enrollment gains it at once
    (a required link reopens the completed ones); --dry-run shows how many first. Links are
    added, never removed, once members are enrolled: removing one needs a new version."""
    from trainctl.schemas.programs import LinkCreate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    data = validated(
        LinkCreate,
        "requirement link",
        **given(
            is_required=not optional,
            is_prerequisite=prerequisite,
            sort_order=sort_order,
            program_specific_description=description,
            custom_deadline_days=deadline_days,
            notification_message=message,
        ),
    )
    with state.session(write=not dry_run) as (session, actor):
        target = svc.program_to_change(session, program)
        link, ext = svc.add_link(
            session, actor, target, requirement, data, phase_number=phase,
            today=state.today(session), dry_run=dry_run,
        )  # fmt: skip
        where = f"phase {phase}" if phase is not None else "the program level"
        name = svc.label(target)
    n, completed = ext.enrollments, ext.by_status.get("completed", 0)
    if dry_run:
        reopen = (
            f"; {plural(completed, 'completed enrollment')} would reopen (the link is required)"
            if completed and data.is_required
            else ""
        )
        render.info(
            f"Would link requirement {requirement!r} to {name} at {where}; "
            f"{plural(n, 'enrollment')} would gain it{reopen}. Dry run, nothing written.",
            quiet=state.quiet,
        )
        return
    assert link is not None
    render.info(
        f"Linked requirement {requirement!r} to {name} at {where} (link id {link.id}).",
        quiet=state.quiet,
    )
    if n:
        render.info(
            f"{plural(n, 'enrollment')} gained it ({plural(ext.rows, 'progress row')})"
            + (f"; {plural(ext.reopened, 'completed enrollment')} reopened" if ext.reopened else "")
            + (f"; {plural(ext.credited, 'credit')} from what is on file" if ext.credited else "")
            + ".",
            quiet=state.quiet,
        )


def link_list(
    ctx: typer.Context, program: ProgramArg, phase: PhaseOpt = None, format: FormatOpt = None
) -> None:
    """List a program's requirement links in order (all scopes, or one with --phase)."""
    tree = read_tree(ctx, program)
    rows = [
        {
            "id": lv.link.id,
            "phase": n,
            "sort_order": lv.link.sort_order,
            "requirement_id": lv.requirement.id,
            "registry": lv.requirement.registry_name,
            "code": lv.requirement.registry_code,
            "name": lv.requirement.name,
            "is_required": lv.link.is_required,
            "is_prerequisite": lv.link.is_prerequisite,
            "custom_deadline_days": lv.link.custom_deadline_days,
            "program_specific_description": lv.link.program_specific_description,
            "notification_message": lv.link.notification_message,
        }
        for n, lv in tree.all_links()
        if phase is None or n == phase
    ]
    cols = [
        render.Col("id", "ID", numeric=True),
        render.Col("phase", numeric=True),
        render.Col("sort_order", "Order", numeric=True, drop=2),
        render.Col("code"),
        render.Col("name"),
        render.Col("is_required", "Required"),
        render.Col("is_prerequisite", "Prereq"),
        render.Col("custom_deadline_days", "Deadline", numeric=True),
        # at 80 columns the description gives way first (`program show` has it), then the order
        render.Col("program_specific_description", "Description", drop=3),
    ]
    render.table(
        rows,
        cols,
        fmt_of(ctx, fmt_value(format)),
        empty=f"No requirements linked yet. Link one with `trainctl program requirement add {shell_word(program)} REQUIREMENT`.",
    )


def link_edit(
    ctx: typer.Context,
    program: ProgramArg,
    requirement: RequirementArg,
    phase: PhaseOpt = None,
    required: Annotated[
        bool | None,
        typer.Option("--required/--optional", help="Required or optional.", show_default=False),
    ] = None,
    prerequisite: Annotated[
        bool | None,
        typer.Option(
            "--prerequisite/--no-prerequisite",
            help="Gate the rest of its scope.",
            show_default=False,
        ),
    ] = None,
    sort_order: SortOpt = None,
    description: LinkDescOpt = None,
    deadline_days: DeadlineOpt = None,
    message: MessageOpt = None,
) -> None:
    """Change a requirement link (only the options given)."""
    from trainctl.schemas.programs import LinkUpdate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    data = validated(
        LinkUpdate,
        "requirement link",
        **given(
            is_required=required,
            is_prerequisite=prerequisite,
            sort_order=sort_order,
            program_specific_description=description,
            custom_deadline_days=deadline_days,
            notification_message=message,
        ),
    )
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        changed = svc.edit_link(session, actor, target, requirement, data, phase_number=phase)
        render.info(
            f"Updated link: {', '.join(changed)}." if changed else "No changes.", quiet=state.quiet
        )


def link_remove(
    ctx: typer.Context, program: ProgramArg, requirement: RequirementArg, phase: PhaseOpt = None
) -> None:
    """Unlink a requirement from a program (or from a phase with --phase)."""
    from trainctl.services import programs as svc

    state = get_state(ctx)
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        svc.remove_link(session, actor, target, requirement, phase_number=phase)
        render.info(
            f"Removed requirement {requirement!r} from {svc.label(target)}.", quiet=state.quiet
        )
