"""`trainctl program` commands: programs, their phases, requirement links and milestones,
versions (duplicate), and programs as files (export / apply).

A program built with `program create` is a draft until `program activate` finds it
complete (a required requirement; a `phases` program needs phases, each with a required
requirement). Files (`program apply`) are checked as a whole and are active at once.

The command tree is below, in the order `--help` lists it; each sub-group's commands live
in their own module (programs, files, phases, links, milestones; tree.py draws `show`).
"""

from __future__ import annotations

import typer

from trainctl.cli.program import files, links, milestones, phases, programs
from trainctl.cli.program.programs import list_, show
from trainctl.cli.program.tree import render_tree

__all__ = ["app", "list_", "render_tree", "show"]

CTX = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(no_args_is_help=True, context_settings=CTX)
phase_app = typer.Typer(no_args_is_help=True, context_settings=CTX)
link_app = typer.Typer(no_args_is_help=True, context_settings=CTX)
milestone_app = typer.Typer(no_args_is_help=True, context_settings=CTX)
app.add_typer(
    phase_app, name="phase", help="Phases of a `phases` program: add, list, edit, remove."
)
app.add_typer(
    link_app, name="requirement", help="Requirements linked to a program or one of its phases: add, list, edit, remove."
)
app.add_typer(
    milestone_app, name="milestone", help="Milestones (progress checkpoints of a program or phase): add, list, edit, remove."
)

for name, command in (
    ("create", programs.create),
    ("list", programs.list_),
    ("show", programs.show),
    ("edit", programs.edit),
    ("activate", programs.activate),
    ("archive", programs.archive),
    ("draft", programs.draft),
    ("duplicate", programs.duplicate),
    ("export", files.export),
    ("apply", files.apply),
    ("samples", files.samples),
):
    app.command(name)(command)
for group, module, noun in (
    (phase_app, phases, "phase"),
    (link_app, links, "link"),
    (milestone_app, milestones, "milestone"),
):
    for verb in ("add", "list", "edit", "remove"):
        group.command(verb)(getattr(module, f"{noun}_{verb}"))  # e.g. phases.phase_add
