"""`trainctl program create | list | show | edit | activate | archive | draft | duplicate`:
a program itself, its fields, status and versions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, fmt_value, whole
from trainctl.cli.program.files import apply_program_file
from trainctl.cli.program.shared import (
    Clearable,
    ConcurrentOpt,
    DescOpt,
    PositionOpt,
    ProgramArg,
    RemindersOpt,
    StatusFilter,
    StructureOpt,
    TimeLimitOpt,
    WarningOpt,
    given,
    read_tree,
    reminders_value,
    validated,
)
from trainctl.cli.program.tree import render_tree
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import shell_word
from trainctl.errors import BadInputError


def create(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="The new program's name (with --from-file: taken from the file).",
            show_default=False,
        ),
    ] = None,
    description: DescOpt = None,
    version: Annotated[
        int | None,
        typer.Option("--version", help="Version number (default 1).", show_default=False, parser=whole("--version")),
    ] = None,
    position: PositionOpt = None,
    structure: StructureOpt = None,
    concurrent: ConcurrentOpt = None,
    time_limit_days: TimeLimitOpt = None,
    warning_days: WarningOpt = None,
    reminders: RemindersOpt = None,
    template: Annotated[
        bool, typer.Option("--template", help="Mark it as a template others start from.")
    ] = False,
    prerequisite: Annotated[
        list[str] | None,
        typer.Option(
            "--prerequisite", help="A program to complete first (repeatable).", show_default=False
        ),
    ] = None,
    from_template: Annotated[
        str | None,
        typer.Option(
            "--from-template",
            help="Start as a deep copy of this template program (a draft, version 1 of a new line; options given here override its fields).",
            show_default=False,
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from-file",
            help="Create it from a program file (as `program apply --file`).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a program. It is a draft until `trainctl program activate` finds it complete.

    Build it with `program phase add`, `program requirement add` and `program milestone
    add`. Drafts cannot be enrolled in. A program from --from-file is checked as a whole and
    is active at once.
    """
    if from_file is not None:
        apply_program_file(ctx, from_file, dry_run=False)
        return
    if not name:
        raise BadInputError("Name the new program.", "trainctl program create NAME [options]")
    from trainctl.schemas.programs import ProgramCreate, ProgramUpdate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    rc = reminders_value(reminders)
    fields = given(
        description=description, target_position=position,
        structure_type=structure.value if structure else None, allows_concurrent_enrollment=concurrent,
        time_limit_days=time_limit_days, warning_days_before=warning_days, reminder_conditions=rc,
    )  # fmt: skip
    with state.session() as (session, actor):
        if from_template is not None:
            if prerequisite:
                raise BadInputError(
                    "--prerequisite is copied from the template with --from-template.",
                    "Add more later with `trainctl program edit --add-prerequisite`.",
                )
            source = svc.get_program(session, from_template, what="--from-template")
            overrides = validated(
                ProgramUpdate, "program", **fields, **({"is_template": True} if template else {})
            )
            program = svc.duplicate_program(
                session,
                actor,
                source,
                name=name,
                from_template=True,
                version=version,
                overrides=overrides,
            )
            render.info(
                f"Created draft program {svc.label(program)} (id {program.id}) from template {svc.label(source)}. "
                f"Change it, then `trainctl program activate {shell_word(svc.ref_of(program))}`.",
                quiet=state.quiet,
            )
            return
        data = validated(
            ProgramCreate,
            "program",
            name=name,
            version=version or 1,
            is_template=template,
            prerequisites=prerequisite or [],
            **fields,
        )
        program = svc.create_program(session, actor, data)
        render.info(
            f"Created draft program {svc.label(program)} (id {program.id}). Add phases and requirements, "
            f"then `trainctl program activate {shell_word(svc.ref_of(program))}`.",
            quiet=state.quiet,
        )


def list_(
    ctx: typer.Context,
    position: Annotated[
        str | None,
        typer.Option(
            "--position", help="Only programs for this target position.", show_default=False
        ),
    ] = None,
    template: Annotated[
        bool | None,
        typer.Option(
            "--template/--no-template",
            help="Only templates / only non-templates.",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        StatusFilter | None,
        typer.Option(
            "--status",
            help="draft, active, archived or all (default: all but archived versions no one is enrolled in).",
            show_default=False,
        ),
    ] = None,
    format: FormatOpt = None,
) -> None:
    """List programs and their versions, with phase, requirement and enrollment counts."""
    from trainctl.queries import programs as q

    with get_state(ctx).reader() as (rd, _actor):
        programs = q.list_programs(
            rd, position=position, template=template, status=status.value if status else None
        )
    rows = [p.as_dict() for p in programs]
    cols = [
        render.Col("id", "ID", numeric=True),
        render.Col("name"),
        render.Col("version", "Ver", numeric=True),
        render.Col("status"),
        render.Col("structure_type", "Structure", drop=4),
        render.Col("target_position", "Position", drop=1),
        render.Col("is_template", "Template", drop=6),
        render.Col("phases", numeric=True, drop=3),
        render.Col("requirements", "Links", numeric=True, drop=2),
        render.Col("enrolled", numeric=True),
        render.Col("time_limit_days", "Days", numeric=True, drop=5),
    ]
    render.table(
        rows,
        cols,
        fmt_of(ctx, fmt_value(format)),
        empty="No programs yet. Create one with `trainctl program create NAME` or `trainctl program apply --file FILE`.",
    )


def show(ctx: typer.Context, program: ProgramArg, format: FormatOpt = None) -> None:
    """Show a program as a tree: phases in order, their requirements in sort order (● required,
    ○ optional; prerequisite marks, overrides, deadlines), and milestones.

    `--format json` prints one nested document; `program apply --file` accepts it back.
    """
    fmt = fmt_of(ctx, fmt_value(format))
    tree = read_tree(ctx, program)
    if fmt == "json":
        from trainctl.queries.program_document import program_document

        render.emit_json(program_document(tree, info=True))
        return
    if fmt == "csv":
        rows = [
            {
                "phase": n,
                "sort_order": lv.link.sort_order,
                "registry": lv.requirement.registry_name,
                "code": lv.requirement.registry_code,
                "requirement": lv.requirement.name,
                "required": lv.link.is_required,
                "prerequisite": lv.link.is_prerequisite,
                "deadline_days": lv.link.custom_deadline_days,
            }
            for n, lv in tree.all_links()
        ]
        render.emit_csv(rows, [render.Col(k) for k in SHOW_CSV_KEYS])
        return
    render.out.print(render_tree(tree))


SHOW_CSV_KEYS = (
    "phase", "sort_order", "registry", "code", "requirement", "required", "prerequisite",
    "deadline_days",
)  # fmt: skip


def edit(
    ctx: typer.Context,
    program: ProgramArg,
    name: Annotated[
        str | None, typer.Option("--name", help="New name.", show_default=False)
    ] = None,
    description: DescOpt = None,
    position: PositionOpt = None,
    structure: StructureOpt = None,
    concurrent: ConcurrentOpt = None,
    time_limit_days: TimeLimitOpt = None,
    warning_days: WarningOpt = None,
    reminders: RemindersOpt = None,
    template: Annotated[
        bool | None,
        typer.Option(
            "--template/--no-template", help="Mark or unmark as a template.", show_default=False
        ),
    ] = None,
    clear: Annotated[
        list[Clearable] | None,
        typer.Option("--clear", help="Empty this field (repeatable).", show_default=False),
    ] = None,
    add_prerequisite: Annotated[
        list[str] | None,
        typer.Option(
            "--add-prerequisite",
            help="Require this program first (repeatable).",
            show_default=False,
        ),
    ] = None,
    remove_prerequisite: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-prerequisite",
            help="Drop this prerequisite program (repeatable).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Change a program's fields and prerequisite programs (only the options given).

    Once members are enrolled, the name, description, position, --concurrent,
    --time-limit-days (existing enrollments keep their pinned target dates), --warning-days,
    --reminders and prerequisites may still change; --structure and --template may not
    (nor phases, requirement links or milestones). Make a new version with `trainctl
    program duplicate` instead. The same rule holds for `program apply`.
    """
    from trainctl.schemas.programs import ProgramUpdate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    values = given(
        name=name, description=description, target_position=position,
        structure_type=structure.value if structure else None, allows_concurrent_enrollment=concurrent,
        time_limit_days=time_limit_days, warning_days_before=warning_days,
        reminder_conditions=reminders_value(reminders), is_template=template,
    )  # fmt: skip
    for c in clear or []:
        if c.value in values:
            raise BadInputError(
                f"--clear {c.value} and a new value for it at once.", "Give one or the other."
            )
        values[c.value] = {} if c.value == "reminder_conditions" else None
    data = validated(ProgramUpdate, "program", **values)
    with state.session() as (session, actor):
        target = svc.program_to_change(session, program)
        changed = svc.update_program(
            session,
            actor,
            target,
            data,
            add_prerequisites=add_prerequisite,
            remove_prerequisites=remove_prerequisite,
        )
        msg = (
            f"Updated {svc.label(target)}: {', '.join(changed)}."
            if changed
            else f"No changes to {svc.label(target)}."
        )
        render.info(msg, quiet=state.quiet)


def _status(ctx: typer.Context, program: str, status: str, verb: str) -> None:
    from trainctl.services import programs as svc

    state = get_state(ctx)
    with state.session() as (session, actor):
        target = (svc.program_to_activate(session, program) if status == "active" else svc.get_program(session, program))
        changed = svc.set_status(session, actor, target, status)
        render.info(
            f"{verb} {svc.label(target)}."
            if changed
            else f"{svc.label(target)} is already {status}.",
            quiet=state.quiet,
        )
        if changed and status == "active":
            for note in svc.activation_notes(session, target):
                render.warn(note)


def activate(ctx: typer.Context, program: ProgramArg) -> None:
    """Check that a draft (or archived) program is complete and make it active.

    A name whose active version has a newer draft (`program duplicate NAME --name NAME`)
    activates that draft, the newest; NAME@VERSION names one version.

    Complete: at least one required requirement; a `phases` program has phases, each
    holding a required requirement; no prerequisite cycles. Only active programs take
    enrollments.
    """
    _status(ctx, program, "active", "Activated")


def archive(ctx: typer.Context, program: ProgramArg) -> None:
    """Archive a program: it takes no new enrollments; existing ones carry on."""
    _status(ctx, program, "archived", "Archived")


def draft(ctx: typer.Context, program: ProgramArg) -> None:
    """Take a program without enrollments back to draft to rework it freely."""
    _status(ctx, program, "draft", "Back to draft:")


def duplicate(
    ctx: typer.Context,
    program: ProgramArg,
    name: Annotated[
        str,
        typer.Option(
            "--name",
            help="Name of the copy: the same name makes the program's next version; a new "
            "name, a program of its own (v1).",
            show_default=False,
        ),
    ],
    keep_version: Annotated[
        bool,
        typer.Option(
            "--keep-version",
            help="Give the copy the source's version number instead (the name must then differ).",
        ),
    ] = False,
    activate_: Annotated[
        bool,
        typer.Option(
            "--activate", help="Make the copy active at once (default: a draft to change first)."
        ),
    ] = False,
) -> None:
    """Deep-copy a program: every field, phase, requirement link with its overrides,
    milestone and prerequisite, with phase prerequisites pointing at the copy's own phases.

    Under the same name the copy is the program's next version, one above the highest
    (v1 duplicated twice gives v2 and v3), and members move to it by re-enrolling. Under a
    new name it is a program of its own, version 1, that members may take beside the
    original (under another program's name: that program's next version). It is a draft
    unless --activate; editing it never changes the original.
    """
    from trainctl.services import programs as svc

    state = get_state(ctx)
    with state.session() as (session, actor):
        source = svc.get_program(session, program)
        copy = svc.duplicate_program(
            session, actor, source, name=name, keep_version=keep_version, activate=activate_
        )
        render.info(
            f"Copied {svc.label(source)} to {copy.status} program {svc.label(copy)} (id {copy.id}).",
            quiet=state.quiet,
        )
        print(copy.id)
