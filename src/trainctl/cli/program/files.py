"""`trainctl program export | apply | samples`: programs as files (TOML, or JSON such as
`program show --format json`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainctl.cli import render
from trainctl.cli.options import DryRunOpt, FormatOpt, fmt_value, is_stdout
from trainctl.cli.program.shared import ProgramArg, read_tree
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import plural, shell_word
from trainctl.errors import UsageError


def export(
    ctx: typer.Context,
    program: ProgramArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (default, or -: stdout).", show_default=False
        ),
    ] = None,
) -> None:
    """Write a program as a TOML file (its status, phases, links by registry code or name,
    milestones, and the definitions of department requirements) for review and `program
    apply` (a draft applied elsewhere stays a draft)."""
    from trainctl.queries.program_document import export_toml
    from trainctl.queries.programs import label as program_label

    state = get_state(ctx)
    tree = read_tree(ctx, program)
    text = export_toml(tree)
    label = program_label(tree.program)
    if output is None or is_stdout(output):  # `-o -`: stdout, not a file named '-'
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    render.info(f"Wrote {label} to {output}.", quiet=state.quiet)


def apply_program_file(ctx: typer.Context, file: Path, *, dry_run: bool) -> None:
    from trainctl.services import program_files

    state = get_state(ctx)
    doc = program_files.parse_file(file)
    # --dry-run runs the very same code in a transaction that is rolled back.
    with state.session(write=not dry_run) as (session, actor):
        result = program_files.apply_file(
            session, actor, doc, source=str(file), today=state.today(session)
        )
        label = f"'{doc.name}' v{doc.version}"
    for w in result.warnings:
        render.warn(w)
    if not result.changes:
        render.info(f"No changes: program {label} already matches {file}.", quiet=state.quiet)
        return
    for line in result.changes:
        print(line)
    verb = "Would apply" if dry_run else "Applied"
    n = sum(1 for line in result.changes if not line.startswith(" "))  # indented: what one did
    render.info(
        f"{verb} {plural(n, 'change')} to program {label}"
        + (" (dry run: nothing written)." if dry_run else "."),
        quiet=state.quiet,
    )


def apply(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Program file (TOML, or JSON such as `program show --format json`).",
            show_default=False,
        ),
    ] = None,
    short_f: Annotated[
        str | None,
        typer.Option("-f", hidden=True, help="Not an option here: -f means --format everywhere."),
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
    from trainctl.services.program_file_io import sample_programs

    if short_f is not None:
        # -f means --format in every trainctl command; a file here is always --file
        raise UsageError(
            f"-f means --format in trainctl; give the program file as --file {short_f}.",
            f"trainctl program apply --file {shell_word(short_f)}",
        )
    if (file is None) == (sample is None):
        raise UsageError(
            "Give a program file with --file FILE, or a shipped sample with --sample NAME.",
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
    assert file is not None
    apply_program_file(ctx, file, dry_run=dry_run)


def samples(ctx: typer.Context, format: FormatOpt = None) -> None:
    """List the sample program files shipped with trainctl (apply one with
    `trainctl program apply --sample NAME`; copy one to start your own)."""
    from trainctl.services import program_file_io as files  # (no ORM: a listing of files)

    rows = []
    for path in files.sample_programs():
        doc = files.parse_file(path)
        rows.append({"sample": path.stem, "program": doc.name, "structure": doc.structure_type,
                     "description": doc.description, "file": str(path)})  # fmt: skip
    cols = [
        render.Col("sample"),
        render.Col("program"),
        render.Col("structure"),
        render.Col("file", drop=1),  # (a long path: the sample's name is what one types next)
    ]
    render.table(rows, cols, fmt_of(ctx, fmt_value(format)), empty="No sample programs shipped.")
