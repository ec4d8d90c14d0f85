"""`trainctl import`: the shipped NFPA, NREMT, Pro Board and ISO registries, or a registry FILE.

The whole file is validated first (every problem is listed with the file, the entry and the
field, exit 65, nothing written). Entries are matched by (registry, registry code), ignoring
case and spaces: existing ones are left alone unless --update, which still keeps the fields a
department changed since the import; importing twice changes nothing. A summary line goes to
stderr ("NFPA: 7 added, 0 updated, 0 unchanged"); --dry-run prints the planned changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import DryRunOpt, FormatOpt, fmt_value
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

UpdateOpt = Annotated[
    bool,
    typer.Option(
        "--update",
        help="Refresh entries already imported whose fields differ from the file (only the differing fields). "
        "Fields of editable entries that the department changed since the import are kept.",
    ),
]
PLAN_COLUMNS = [
    Col("registry_code", "Code"),
    Col("name"),
    Col("action"),
    Col("fields", "Changed fields"),
    Col("kept", "Your changes (kept)"),
]
FILE_FORMAT = """
A registry file is one JSON object: {"registry": NAME, "description": TEXT, "edition": TEXT
and/or "last_updated": DATE, "sources": [URL, ...], "requirements": [ENTRY, ...]}. An ENTRY
has name, description, registry_code (unique in the file), requirement_type, frequency,
required_positions ([] = everyone), is_editable, source (department|state|national),
source_document (standard + edition + section, or "department default"), aliases, and the
type's target: required_hours (+ hour_categories), required_shifts, required_calls,
required_courses, credential_code, required_skills or checklist_items.
"""


def _run(
    ctx: typer.Context, source: Any, label: str, update: bool, dry_run: bool, fmt: str | None
) -> None:
    from trainctl.services import registry as svc

    state = get_state(ctx)
    with state.session(write=not dry_run) as (session, actor):
        parsed = svc.read_registry(session, source, label)
        result = svc.import_registry(
            session, actor, parsed, update=update, dry_run=dry_run, today=state.today(session)
        )
    if dry_run:
        rows = [
            {
                "registry_code": c.registry_code,
                "name": c.name,
                "action": c.action,
                "fields": c.fields,
                "kept": sorted(c.kept),
            }
            for c in result.changes
        ]
        render.table(rows, PLAN_COLUMNS, fmt_of(ctx, fmt), empty="The file has no entries.")
    else:
        for change in result.changes:
            if change.action == "update":
                render.info(
                    f"  updated {change.registry_code}: {', '.join(change.fields)}",
                    quiet=state.quiet,
                )
            if update:
                for name, value in sorted(change.kept.items()):
                    render.info(
                        f"  {change.registry_code}: kept your change to {name} "
                        f"(the file has {_shown(value)})",
                        quiet=state.quiet,
                    )
        for line in result.lines:
            render.info(line, quiet=state.quiet)
    render.info(result.summary(), quiet=state.quiet)


def _shown(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


def _shipped(name: str, help_text: str) -> None:
    def command(
        ctx: typer.Context,
        update: UpdateOpt = False,
        dry_run: DryRunOpt = False,
        format: FormatOpt = None,
    ) -> None:
        from trainctl.services.registry import registry_path

        path = registry_path(name)
        _run(ctx, path, path.name, update, dry_run, fmt_value(format))

    command.__doc__ = help_text + " Needs training.manage."
    app.command(name)(command)


_shipped("nfpa", "Import the NFPA standards (1001, 1002, 1021, 1041, 1403, 1500, 1582).")
_shipped(
    "nremt",
    "Import NREMT: NCCP recertification hours for EMR, EMT, AEMT and Paramedic; CPR/BLS, ACLS, PALS, PHTLS.",
)
_shipped(
    "proboard",
    "Import the Pro Board certifications (Firefighter I/II, Driver/Operator, Fire Officer I/II, HazMat Ops, Instructor I).",
)
_shipped(
    "iso", "Import the ISO Fire Suppression Rating Schedule training items (per-member hours)."
)


@app.command(
    "registry",
    help="Import requirements from a registry JSON FILE. Needs training.manage.\n\n" + FILE_FORMAT,
)
def registry(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The registry JSON file.", show_default=False)],
    update: UpdateOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = None,
) -> None:
    _run(ctx, file, str(file), update, dry_run, fmt_value(format))
