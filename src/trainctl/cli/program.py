"""`trainctl program` commands: programs, their phases, requirement links and milestones,
versions (duplicate), and programs as files (export / apply).

A program built with `program create` is a draft until `program activate` finds it
complete (a required requirement; a `phases` program needs phases, each with a required
requirement). Files (`program apply`) are checked as a whole and are active at once.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import DryRunOpt, FormatOpt, fmt_value
from trainctl.cli.state import fmt_of, get_state
from trainctl.errors import BadInputError, UsageError

if TYPE_CHECKING:
    from trainctl.queries.programs import ProgramTree

CTX = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(no_args_is_help=True, context_settings=CTX)
phase_app = typer.Typer(no_args_is_help=True, context_settings=CTX)
link_app = typer.Typer(no_args_is_help=True, context_settings=CTX)
milestone_app = typer.Typer(no_args_is_help=True, context_settings=CTX)
app.add_typer(
    phase_app, name="phase", help="Phases of a `phases` program: add, list, edit, remove."
)
app.add_typer(
    link_app, name="requirement", help="Requirements linked to a program or one of its phases."
)
app.add_typer(
    milestone_app, name="milestone", help="Milestones: progress checkpoints of a program or phase."
)


class Structure(StrEnum):
    flexible = "flexible"
    sequential = "sequential"
    phases = "phases"


class StatusFilter(StrEnum):
    draft = "draft"
    active = "active"
    archived = "archived"
    all = "all"


class Clearable(StrEnum):
    description = "description"
    target_position = "target_position"
    time_limit_days = "time_limit_days"
    warning_days_before = "warning_days_before"
    reminder_conditions = "reminder_conditions"


ProgramArg = Annotated[
    str,
    typer.Argument(
        help='Program: id, "Name" (newest active version) or "Name@VERSION".', show_default=False
    ),
]
PhaseOpt = Annotated[
    int | None,
    typer.Option(
        "--phase", "-p", help="Phase number (default: the program level).", show_default=False
    ),
]
REMINDER_HELP = (
    'Reminder rules as JSON, e.g. \'{"lead_days": [30, 14, 7], "only_below_percent": 80, '
    '"inactive_days": 21}\': remind N days before a deadline, only while progress is below '
    "the percentage, and after N days without progress. Every key is optional."
)
DescOpt = Annotated[
    str | None, typer.Option("--description", "-d", help="Description.", show_default=False)
]
PositionOpt = Annotated[
    str | None,
    typer.Option(
        "--position",
        help="Target position (e.g. probationary, driver_candidate, officer).",
        show_default=False,
    ),
]
StructureOpt = Annotated[
    Structure | None,
    typer.Option(
        "--structure",
        help="flexible (any order), sequential (in sort order) or phases.",
        show_default=False,
    ),
]
ConcurrentOpt = Annotated[
    bool | None,
    typer.Option(
        "--concurrent/--no-concurrent",
        help="May members be in other programs at the same time? (default: yes)",
        show_default=False,
    ),
]
TimeLimitOpt = Annotated[
    int | None,
    typer.Option(
        "--time-limit-days",
        help="Days from enrollment to the program deadline.",
        show_default=False,
    ),
]
WarningOpt = Annotated[
    int | None,
    typer.Option(
        "--warning-days", help="Warn this many days before the deadline.", show_default=False
    ),
]
RemindersOpt = Annotated[
    str | None, typer.Option("--reminders", help=REMINDER_HELP, show_default=False)
]


def _validated(model: Any, where: str, /, **values: Any) -> Any:
    """Build a schema from CLI values; invalid input exits 65 with one line per field."""
    from pydantic import ValidationError

    from trainctl.schemas import describe_errors

    try:
        return model(**values)
    except ValidationError as exc:
        raise BadInputError(
            f"Invalid {where}.",
            "Fix the values listed and run the command again.",
            details=describe_errors(exc, where),
        ) from None


def _reminders(text: str | None) -> Any:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"--reminders is not valid JSON: {exc.msg}.",
            "Write it like '{\"lead_days\": [30, 14, 7]}'.",
        ) from None
    from trainctl.schemas.programs import ReminderConditions

    if not isinstance(data, dict):
        raise BadInputError(
            "--reminders must be a JSON object.", "Write it like '{\"lead_days\": [30, 14, 7]}'."
        )
    return _validated(ReminderConditions, "reminder conditions", **data)


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _read_tree(ctx: typer.Context, program: str) -> ProgramTree:
    """A program's whole tree, read on the read side (typed rows, no ORM)."""
    from trainctl.queries import programs as q

    with get_state(ctx).reader() as (rd, _actor):
        return q.load_tree(rd, q.get_program(rd, program))


# ----------------------------------------------------------------------------- programs
@app.command("create")
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
        typer.Option("--version", help="Version number (default 1).", show_default=False),
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
            help="Create it from a program file (as `program apply -f`).",
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
        _apply(ctx, from_file, dry_run=False)
        return
    if not name:
        raise BadInputError("Name the new program.", "trainctl program create NAME [options]")
    from trainctl.schemas.programs import ProgramCreate, ProgramUpdate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    rc = _reminders(reminders)
    fields = _given(
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
            overrides = _validated(
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
                f"Change it, then `trainctl program activate '{svc.ref_of(program)}'`.",
                quiet=state.quiet,
            )
            return
        data = _validated(
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
            f"then `trainctl program activate '{svc.ref_of(program)}'`.",
            quiet=state.quiet,
        )


@app.command("list")
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
            help="draft, active, archived or all (default: all but archived).",
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
        render.Col("structure_type", "Structure"),
        render.Col("target_position", "Position"),
        render.Col("is_template", "Template"),
        render.Col("phases", numeric=True),
        render.Col("requirements", "Links", numeric=True),
        render.Col("enrolled", numeric=True),
        render.Col("time_limit_days", "Days", numeric=True),
    ]
    render.table(
        rows,
        cols,
        fmt_of(ctx, fmt_value(format)),
        empty="No programs yet. Create one with `trainctl program create NAME` or `trainctl program apply -f FILE`.",
    )


def _deadline(days: int | None, prefix: str = "deadline") -> str:
    return f"{prefix} {days} days" if days else ""


def _link_line(lv: Any) -> str:
    from rich.markup import escape

    req, link = lv.requirement, lv.link
    name = f"{req.registry_code} {req.name}" if req.registry_code else req.name
    marks = ["required" if link.is_required else "optional"]
    if link.is_prerequisite:
        marks.append("prerequisite")
    if link.custom_deadline_days:
        marks.append(f"deadline {link.custom_deadline_days} days (override)")
    elif req.time_limit_days:
        marks.append(f"deadline {req.time_limit_days} days")
    text = f"[dim]{link.sort_order:>4}[/dim] {'●' if link.is_required else '○'} {escape(name)} [dim]({', '.join(marks)})[/dim]"
    if link.program_specific_description:
        text += f"\n       [italic]{escape(link.program_specific_description)}[/italic]"
    if link.notification_message:
        text += f"\n       [dim]message:[/dim] {escape(link.notification_message)}"
    return text


def _milestone_line(ms: Any) -> str:
    from rich.markup import escape

    extra = " [dim](officer verifies)[/dim]" if ms.requires_verification else ""
    text = f"◆ {ms.completion_percentage_threshold:g}% {escape(ms.name)}{extra}"
    if ms.notification_message:
        text += f" [dim]— {escape(ms.notification_message)}[/dim]"
    return text


def render_tree(tree: ProgramTree) -> Any:
    from rich.markup import escape
    from rich.tree import Tree

    p = tree.program
    flags = [p.structure_type, p.status] + (["template"] if p.is_template else [])
    root = Tree(
        f"[bold]{escape(p.name)}[/bold] v{p.version} [dim](id {p.id}; {', '.join(flags)})[/dim]"
    )
    if p.description:
        root.add(f"[italic]{escape(p.description)}[/italic]")
    facts = [
        f"position {p.target_position}" if p.target_position else "any position",
        _deadline(p.time_limit_days, "deadline") or "no deadline",
        f"warn {p.warning_days_before} days before" if p.warning_days_before is not None else "",
        "concurrent enrollment allowed"
        if p.allows_concurrent_enrollment
        else "no concurrent enrollment",
    ]
    root.add(" · ".join(f for f in facts if f))
    rc = p.reminder_conditions or {}
    if rc:
        parts = []
        if rc.get("lead_days"):
            parts.append("lead days " + ", ".join(str(d) for d in rc["lead_days"]))
        if rc.get("only_below_percent") is not None:
            parts.append(f"only below {rc['only_below_percent']:g}%")
        if rc.get("inactive_days") is not None:
            parts.append(f"after {rc['inactive_days']} days without progress")
        root.add("Reminders: " + "; ".join(parts))
    if tree.prerequisites:
        root.add(
            "Requires first: "
            + ", ".join(escape(f"{q.name}@{q.version}") for q in tree.prerequisites)
        )
    if tree.derived_from is not None:
        root.add(
            f"[dim]Copied from {escape(tree.derived_from.name)}@{tree.derived_from.version}[/dim]"
        )
    if tree.links or not tree.phases:
        branch = root.add("[bold]Program requirements[/bold]")
        for lv in tree.links:
            branch.add(_link_line(lv))
        if not tree.links:
            branch.add("[dim]none yet: `trainctl program requirement add`[/dim]")
    for pv in tree.phases:
        ph = pv.phase
        bits = [
            _deadline(ph.time_limit_days),
            "manual advancement" if ph.requires_manual_advancement else "",
            ("after phase " + ", ".join(str(n) for n in pv.prerequisites))
            if pv.prerequisites
            else "",
        ]
        bits = [b for b in bits if b]
        node = root.add(
            f"[bold]Phase {ph.phase_number}: {escape(ph.name)}[/bold]"
            + (f" [dim]({'; '.join(bits)})[/dim]" if bits else "")
        )
        if ph.description:
            node.add(f"[italic]{escape(ph.description)}[/italic]")
        for lv in pv.links:
            node.add(_link_line(lv))
        if not pv.links:
            node.add("[dim]no requirements yet[/dim]")
        for ms in pv.milestones:
            node.add(_milestone_line(ms))
    if tree.milestones:
        branch = root.add("[bold]Milestones[/bold]")
        for ms in tree.milestones:
            branch.add(_milestone_line(ms))
    return root


@app.command("show")
def show(ctx: typer.Context, program: ProgramArg, format: FormatOpt = None) -> None:
    """Show a program as a tree: phases in order, their requirements in sort order (● required,
    ○ optional; prerequisite marks, overrides, deadlines), and milestones.

    `--format json` prints one nested document; `program apply -f` accepts it back.
    """
    fmt = fmt_of(ctx, fmt_value(format))
    tree = _read_tree(ctx, program)
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


@app.command("edit")
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
    values = _given(
        name=name, description=description, target_position=position,
        structure_type=structure.value if structure else None, allows_concurrent_enrollment=concurrent,
        time_limit_days=time_limit_days, warning_days_before=warning_days,
        reminder_conditions=_reminders(reminders), is_template=template,
    )  # fmt: skip
    for c in clear or []:
        if c.value in values:
            raise BadInputError(
                f"--clear {c.value} and a new value for it at once.", "Give one or the other."
            )
        values[c.value] = {} if c.value == "reminder_conditions" else None
    data = _validated(ProgramUpdate, "program", **values)
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
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
        target = svc.get_program(session, program)
        changed = svc.set_status(session, actor, target, status)
        render.info(
            f"{verb} {svc.label(target)}."
            if changed
            else f"{svc.label(target)} is already {status}.",
            quiet=state.quiet,
        )


@app.command("activate")
def activate(ctx: typer.Context, program: ProgramArg) -> None:
    """Check that a draft (or archived) program is complete and make it active.

    Complete: at least one required requirement; a `phases` program has phases, each
    holding a required requirement; no prerequisite cycles. Only active programs take
    enrollments.
    """
    _status(ctx, program, "active", "Activated")


@app.command("archive")
def archive(ctx: typer.Context, program: ProgramArg) -> None:
    """Archive a program: it takes no new enrollments; existing ones carry on."""
    _status(ctx, program, "archived", "Archived")


@app.command("draft")
def draft(ctx: typer.Context, program: ProgramArg) -> None:
    """Take a program without enrollments back to draft to rework it freely."""
    _status(ctx, program, "draft", "Back to draft:")


@app.command("duplicate")
def duplicate(
    ctx: typer.Context,
    program: ProgramArg,
    name: Annotated[
        str,
        typer.Option(
            "--name",
            help="Name of the copy (may be the same name: it gets the next version).",
            show_default=False,
        ),
    ],
    keep_version: Annotated[
        bool,
        typer.Option(
            "--keep-version", help="Keep the source's version number (the name must then differ)."
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

    The copy's version is one above the highest in its lineage (v1 duplicated twice gives
    v2 and v3). It is a draft unless --activate; editing it never changes the original.
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


@app.command("export")
def export(
    ctx: typer.Context,
    program: ProgramArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (default: stdout).", show_default=False
        ),
    ] = None,
) -> None:
    """Write a program as a TOML file (phases, links by registry code or name, milestones,
    and the definitions of department requirements) for review and `program apply`."""
    from trainctl.queries.program_document import export_toml
    from trainctl.queries.programs import label as program_label

    state = get_state(ctx)
    tree = _read_tree(ctx, program)
    text = export_toml(tree)
    label = program_label(tree.program)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    render.info(f"Wrote {label} to {output}.", quiet=state.quiet)


def _apply(ctx: typer.Context, file: Path, *, dry_run: bool) -> None:
    from trainctl.services import program_files

    state = get_state(ctx)
    doc = program_files.parse_file(file)
    # --dry-run runs the very same code in a transaction that is rolled back.
    with state.session(write=not dry_run) as (session, actor):
        result = program_files.apply_file(session, actor, doc, source=str(file))
        label = f"'{doc.name}' v{doc.version}"
    for w in result.warnings:
        render.warn(w)
    if not result.changes:
        render.info(f"No changes: program {label} already matches {file}.", quiet=state.quiet)
        return
    for line in result.changes:
        print(line)
    verb = "Would apply" if dry_run else "Applied"
    render.info(
        f"{verb} {len(result.changes)} change(s) to program {label}"
        + (" (dry run: nothing written)." if dry_run else "."),
        quiet=state.quiet,
    )


@app.command("apply")
def apply(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help="Program file (TOML, or JSON such as `program show --format json`).",
            show_default=False,
        ),
    ] = None,
    sample: Annotated[
        str | None,
        typer.Option(
            "--sample",
            help="A sample program shipped with trainctl, by name (`trainctl program samples`).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Create the program in FILE, or bring the existing one (same name and version) to it.

    Prints each change (+ added, - removed, ~ changed); the same file twice changes nothing.
    Once members are enrolled the rule of `program edit` holds: description, position,
    allows_concurrent_enrollment, time_limit_days (existing enrollments keep their pinned
    target dates), warning_days_before, reminder_conditions and prerequisites may change;
    phases, requirement links, milestones, structure_type and is_template may not: set a
    new `version` in the file instead.
    """
    from trainctl.services.program_files import sample_programs

    if (file is None) == (sample is None):
        raise UsageError(
            "Give a program file with -f FILE, or a shipped sample with --sample NAME.",
            "`trainctl program samples` lists the samples.",
        )
    if sample is not None:
        found = {p.stem: p for p in sample_programs()}
        file = found.get(sample.removesuffix(".toml"))
        if file is None:
            raise UsageError(
                f"No sample program {sample!r}.",
                f"Samples: {', '.join(found) or 'none shipped'}.",
            )
    _apply(ctx, file, dry_run=dry_run)  # type: ignore[arg-type]


@app.command("samples")
def samples(ctx: typer.Context, format: FormatOpt = None) -> None:
    """List the sample program files shipped with trainctl (apply one with
    `trainctl program apply --sample NAME`; copy one to start your own)."""
    from trainctl.services import program_files

    rows = []
    for path in program_files.sample_programs():
        doc = program_files.parse_file(path)
        rows.append({"sample": path.stem, "program": doc.name, "structure": doc.structure_type,
                     "description": doc.description, "file": str(path)})  # fmt: skip
    cols = [
        render.Col("sample"),
        render.Col("program"),
        render.Col("structure"),
        render.Col("file"),
    ]
    render.table(rows, cols, fmt_of(ctx, fmt_value(format)), empty="No sample programs shipped.")


# ------------------------------------------------------------------------------ phases
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
        "--time-limit-days", help="Days from the phase's start to its deadline.", show_default=False
    ),
]


@phase_app.command("add")
def phase_add(
    ctx: typer.Context,
    program: ProgramArg,
    number: Annotated[
        int, typer.Argument(help="Phase number (its order in the program).", show_default=False)
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
    data = _validated(
        PhaseCreate,
        "phase",
        **_given(
            phase_number=number,
            name=name,
            description=description,
            requires_manual_advancement=manual,
            time_limit_days=time_limit_days,
        ),
    )
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        phase = svc.add_phase(session, actor, target, data, prerequisites=after or [])
        render.info(
            f"Added phase {phase.phase_number} {phase.name!r} (id {phase.id}) to {svc.label(target)}.",
            quiet=state.quiet,
        )


@phase_app.command("list")
def phase_list(ctx: typer.Context, program: ProgramArg, format: FormatOpt = None) -> None:
    """List a program's phases in order."""
    tree = _read_tree(ctx, program)
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
        render.Col("requirements", "Links", numeric=True),
        render.Col("required", numeric=True),
        render.Col("milestones", numeric=True),
    ]
    render.table(
        rows,
        cols,
        fmt_of(ctx, fmt_value(format)),
        empty=f"No phases yet. Add one with `trainctl program phase add '{program}' 1 NAME`.",
    )


@phase_app.command("edit")
def phase_edit(
    ctx: typer.Context,
    program: ProgramArg,
    number: Annotated[int, typer.Argument(help="The phase's current number.", show_default=False)],
    new_number: Annotated[
        int | None, typer.Option("--number", help="Renumber the phase.", show_default=False)
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
    data = _validated(
        PhaseUpdate,
        "phase",
        **_given(
            phase_number=new_number,
            name=name,
            description=description,
            requires_manual_advancement=manual,
            time_limit_days=time_limit_days,
        ),
    )
    prereqs = [] if no_prerequisites else after
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        changed = svc.edit_phase(session, actor, target, number, data, prerequisites=prereqs)
        render.info(
            f"Updated phase {number}: {', '.join(changed)}."
            if changed
            else f"No changes to phase {number}.",
            quiet=state.quiet,
        )


@phase_app.command("remove")
def phase_remove(
    ctx: typer.Context,
    program: ProgramArg,
    number: Annotated[int, typer.Argument(help="The phase's number.", show_default=False)],
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
        target = svc.get_program(session, program)
        gone = svc.remove_phase(session, actor, target, number, with_requirements=with_requirements)
        extra = [
            f"{gone.links} requirement link(s)" if gone.links else "",
            f"{gone.milestones} milestone(s)" if gone.milestones else "",
        ]
        held = " and ".join(e for e in extra if e)
        render.info(
            f"Removed phase {gone.number} {gone.name!r} from {svc.label(target)}"
            + (f" with its {held}." if held else "."),
            quiet=state.quiet,
        )


# ------------------------------------------------------------------- requirement links
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


@link_app.command("add")
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
) -> None:
    """Link a requirement to a program (or to one of its phases with --phase)."""
    from trainctl.schemas.programs import LinkCreate
    from trainctl.services import programs as svc

    state = get_state(ctx)
    data = _validated(
        LinkCreate,
        "requirement link",
        **_given(
            is_required=not optional,
            is_prerequisite=prerequisite,
            sort_order=sort_order,
            program_specific_description=description,
            custom_deadline_days=deadline_days,
            notification_message=message,
        ),
    )
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        link = svc.add_link(session, actor, target, requirement, data, phase_number=phase)
        where = f"phase {phase}" if phase is not None else "the program level"
        render.info(
            f"Linked requirement {requirement!r} to {svc.label(target)} at {where} (link id {link.id}).",
            quiet=state.quiet,
        )


@link_app.command("list")
def link_list(
    ctx: typer.Context, program: ProgramArg, phase: PhaseOpt = None, format: FormatOpt = None
) -> None:
    """List a program's requirement links in order (all scopes, or one with --phase)."""
    tree = _read_tree(ctx, program)
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
        render.Col("sort_order", "Order", numeric=True),
        render.Col("code"),
        render.Col("name"),
        render.Col("is_required", "Required"),
        render.Col("is_prerequisite", "Prereq"),
        render.Col("custom_deadline_days", "Deadline", numeric=True),
        render.Col("program_specific_description", "Description"),
    ]
    render.table(
        rows,
        cols,
        fmt_of(ctx, fmt_value(format)),
        empty=f"No requirements linked yet. Link one with `trainctl program requirement add '{program}' REQUIREMENT`.",
    )


@link_app.command("edit")
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
    data = _validated(
        LinkUpdate,
        "requirement link",
        **_given(
            is_required=required,
            is_prerequisite=prerequisite,
            sort_order=sort_order,
            program_specific_description=description,
            custom_deadline_days=deadline_days,
            notification_message=message,
        ),
    )
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        changed = svc.edit_link(session, actor, target, requirement, data, phase_number=phase)
        render.info(
            f"Updated link: {', '.join(changed)}." if changed else "No changes.", quiet=state.quiet
        )


@link_app.command("remove")
def link_remove(
    ctx: typer.Context, program: ProgramArg, requirement: RequirementArg, phase: PhaseOpt = None
) -> None:
    """Unlink a requirement from a program (or from a phase with --phase)."""
    from trainctl.services import programs as svc

    state = get_state(ctx)
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        svc.remove_link(session, actor, target, requirement, phase_number=phase)
        render.info(
            f"Removed requirement {requirement!r} from {svc.label(target)}.", quiet=state.quiet
        )


# --------------------------------------------------------------------------- milestones
@milestone_app.command("add")
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
    data = _validated(
        MilestoneCreate,
        "milestone",
        **_given(
            name=name,
            completion_percentage_threshold=threshold,
            description=description,
            notification_message=message,
            requires_verification=verify,
        ),
    )
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        ms = svc.add_milestone(session, actor, target, data, phase_number=phase)
        render.info(
            f"Added milestone {ms.name!r} at {ms.completion_percentage_threshold:g}% (id {ms.id}).",
            quiet=state.quiet,
        )


@milestone_app.command("list")
def milestone_list(ctx: typer.Context, program: ProgramArg, format: FormatOpt = None) -> None:
    """List a program's milestones (program level and per phase)."""
    tree = _read_tree(ctx, program)
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
        empty=f"No milestones yet. Add one with `trainctl program milestone add '{program}' NAME --threshold 50`.",
    )


MilestoneArg = Annotated[
    str, typer.Argument(help="The milestone's name (unique within its scope).", show_default=False)
]


@milestone_app.command("edit")
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
            "--threshold", "-t", help="Completion percentage (0-100).", show_default=False
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
    data = _validated(
        MilestoneUpdate,
        "milestone",
        **_given(
            name=new_name,
            completion_percentage_threshold=threshold,
            description=description,
            notification_message=message,
            requires_verification=verify,
        ),
    )
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        changed = svc.edit_milestone(session, actor, target, name, data, phase_number=phase)
        render.info(
            f"Updated milestone {name!r}: {', '.join(changed)}."
            if changed
            else f"No changes to milestone {name!r}.",
            quiet=state.quiet,
        )


@milestone_app.command("remove")
def milestone_remove(
    ctx: typer.Context, program: ProgramArg, name: MilestoneArg, phase: PhaseOpt = None
) -> None:
    """Remove a milestone (--phase N for a phase's milestone).

    Refused once members are enrolled: make a new version with `program duplicate`.
    """
    from trainctl.services import programs as svc

    state = get_state(ctx)
    with state.session() as (session, actor):
        target = svc.get_program(session, program)
        ms = svc.remove_milestone(session, actor, target, name, phase_number=phase)
        render.info(f"Removed milestone {ms.name!r} from {svc.label(target)}.", quiet=state.quiet)
