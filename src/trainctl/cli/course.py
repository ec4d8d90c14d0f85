"""`trainctl course`: add, list, show, edit, import — the course catalog.

A course is named by its code, its name or its id (`id:12` when a number could be a code).
JSON output is one object per course: id, code, name, training_type, category,
duration_hours, credit_hours, prerequisites (course ids), expiration_months, self_paced,
created_at, created_by, updated_at.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import DryRunOpt, FormatOpt, fmt_value
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state

if TYPE_CHECKING:
    from trainctl.models import Course

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

EMPTY = (
    "No courses yet. Add one with `trainctl course add --code CODE --name NAME --hours H` "
    "or import a list with `trainctl course import --csv FILE`."
)
COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("code"),
    Col("name"),
    Col("training_type", "Type"),
    # at 80 columns the self-paced flag, the count of records, then the topic give way
    Col("category", "Topic/category", drop=1),
    Col("credit_hours", "Credit h", numeric=True),
    Col("expiration_months", "Valid (months)", numeric=True),
    Col("self_paced", "Self-paced", drop=3),
    Col("records", "Records", numeric=True, drop=2),
]
# CSV: every column `course import` reads (services.courses.COURSE_FIELDS), the duration
# and prerequisites too, so that a listing imports back as it is
FILE_COLUMNS = [*COLUMNS[:5], Col("duration_hours"), *COLUMNS[5:7], Col("prerequisites"), *COLUMNS[7:]]

CourseRef = Annotated[
    str, typer.Argument(metavar="COURSE", help="The course: code, name or id.", show_default=False)
]


def _o(*names: str, help: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=help, metavar=metavar, show_default=False)


CodeOpt = Annotated[str | None, _o("--code", help="Course code (unique), e.g. LF-101.", metavar="CODE")]
TypeOpt = Annotated[
    str | None, _o("--type", help="Training type, e.g. drill, class, ce.", metavar="TYPE")
]
CategoryOpt = Annotated[
    str | None,
    _o(
        "--category",
        "--topic",
        help="Topic or category, e.g. structural_firefighting or national/airway.",
        metavar="TOPIC",
    ),
]
DurationOpt = Annotated[
    str | None, _o("--duration", help="Expected duration in hours.", metavar="HOURS")
]
CreditOpt = Annotated[
    str | None,
    _o("--hours", "--credit-hours", help="Credit hours a record of it gets by default.", metavar="HOURS"),
]
PrereqOpt = Annotated[
    list[str] | None,
    _o("--prerequisite", help="A course that must come first (code, name or id; repeat).", metavar="COURSE"),
]
ExpiryOpt = Annotated[
    str | None,
    _o(
        "--expiration-months",
        help="How long a record of it stays valid (months): through the day before the same day that many months on.",
        metavar="MONTHS",
    ),
]
SelfPacedOpt = Annotated[
    bool | None,
    typer.Option(
        "--self-paced/--not-self-paced",
        help="Self-paced (distributive) education.",
        show_default=False,
    ),
]


# A course field's option, for messages that name what was typed.
COURSE_OPTIONS = {
    "name": "--name", "code": "--code", "training_type": "--type", "category": "--category",
    "duration_hours": "--duration", "credit_hours": "--hours", "prerequisites": "--prerequisite",
    "expiration_months": "--expiration-months", "self_paced": "--self-paced",
}  # fmt: skip


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _validated(schema: Any, data: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from trainctl.errors import BadInputError
    from trainctl.schemas import describe_errors

    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise BadInputError(
            "The course is not valid.",
            "Fix the options named above; see `trainctl course add --help`.",
            details=describe_errors(exc, "input", COURSE_OPTIONS),
        ) from None


def _json(course: Course) -> dict[str, Any]:
    return {k: getattr(course, k) for k in (
        "id", "code", "name", "training_type", "category", "duration_hours", "credit_hours",
        "prerequisites", "expiration_months", "self_paced", "created_at", "created_by", "updated_at",
    )}  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, _o("--name", help="Course name.", metavar="NAME")],
    code: CodeOpt = None,
    training_type: TypeOpt = None,
    category: CategoryOpt = None,
    duration: DurationOpt = None,
    credit_hours: CreditOpt = None,
    prerequisite: PrereqOpt = None,
    expiration_months: ExpiryOpt = None,
    self_paced: SelfPacedOpt = None,
) -> None:
    """Add a course to the catalog (needs training.manage)."""
    from trainctl.schemas.courses import CourseCreate
    from trainctl.services import courses as svc

    data = _validated(CourseCreate, _given(
        name=name, code=code, training_type=training_type, category=category,
        duration_hours=duration, credit_hours=credit_hours, prerequisites=prerequisite,
        expiration_months=expiration_months, self_paced=self_paced,
    ))  # fmt: skip
    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        notices: list[str] = []
        report: list[str] = []
        course = svc.add_course(session, actor, data, notices, today=state.today(session), report=report)
        out = _json(course)
    _notify(notices)
    if state.fmt == "json":
        render.emit_json(out)
    render.info(f"Added course {out['id']}: {out['code'] or ''} {out['name']}.".replace("  ", " "), quiet=state.quiet)
    for line in report:  # records entered under its name before: the course's now
        render.info(line, quiet=state.quiet)


def _notify(notices: list[str]) -> None:
    """A category no requirement names (its hours would count toward none)."""
    for n in notices:
        render.warn(n)


@app.command("edit")
def edit(
    ctx: typer.Context,
    course: CourseRef,
    name: Annotated[str | None, _o("--name", help="New name.", metavar="NAME")] = None,
    code: CodeOpt = None,
    training_type: TypeOpt = None,
    category: CategoryOpt = None,
    duration: DurationOpt = None,
    credit_hours: CreditOpt = None,
    prerequisite: PrereqOpt = None,
    expiration_months: ExpiryOpt = None,
    self_paced: SelfPacedOpt = None,
    clear: Annotated[
        list[str] | None,
        _o("--clear", help="Empty a field (repeat): code, training_type, category, duration_hours, "
           "credit_hours, prerequisites, expiration_months.", metavar="FIELD"),
    ] = None,
) -> None:
    """Change a course; only the options given change. Records already made keep their
    hours and expiry (they are history)."""
    from trainctl.errors import UsageError
    from trainctl.schemas.courses import CourseUpdate
    from trainctl.services import courses as svc

    raw = _given(
        name=name, code=code, training_type=training_type, category=category,
        duration_hours=duration, credit_hours=credit_hours, prerequisites=prerequisite,
        expiration_months=expiration_months, self_paced=self_paced,
    )  # fmt: skip
    clearable = ("code", "training_type", "category", "duration_hours", "credit_hours",
                 "prerequisites", "expiration_months")  # fmt: skip
    for f in clear or []:
        if f not in clearable:
            raise UsageError(f"Cannot clear {f!r}.", f"Clearable: {', '.join(clearable)}.")
        if f in raw:
            raise UsageError(f"{f}: both set and cleared.")
        raw[f] = [] if f == "prerequisites" else None
    if not raw:
        raise UsageError("Nothing to change.", "Give at least one option; see -h.")
    data = _validated(CourseUpdate, raw)
    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        notices: list[str] = []
        updated, changes = svc.edit_course(session, actor, course, data, notices)
        out = _json(updated)
    _notify(notices)
    if state.fmt == "json":
        render.emit_json(out)
    if changes:
        render.info(f"Updated course {out['id']} ({out['name']}): {', '.join(changes)}.", quiet=state.quiet)
    else:
        render.info(f"Course {out['id']} ({out['name']}) already has these values; nothing changed.",
                    quiet=state.quiet)  # fmt: skip


@app.command("list")
def list_(
    ctx: typer.Context,
    training_type: Annotated[str | None, _o("--type", help="Only this training type.", metavar="TYPE")] = None,
    category: Annotated[
        str | None, _o("--category", "--topic", help="Only this topic or category.", metavar="TOPIC")
    ] = None,
    format: FormatOpt = None,
) -> None:
    """List the course catalog by code, with how many records each has."""
    from trainctl.queries import courses as q

    state = get_state(ctx)
    with state.reader() as (rd, _actor):
        courses = q.list_courses(rd, training_type=training_type, category=category)
        counts = q.record_counts(rd)
    rows = [{**c.as_dict(), "records": counts.get(c.id, 0)} for c in courses]
    fmt = fmt_of(ctx, fmt_value(format))
    if fmt == "csv":  # prerequisites by code (else name): ids are each database's own
        ref = {c.id: c.code or c.name for c in courses}
        for row in rows:
            row["prerequisites"] = [ref.get(i, f"id:{i}") for i in row["prerequisites"]]
    empty = "No course matches these filters." if training_type or category else EMPTY
    json_rows = [c.as_dict() for c in courses] if fmt == "json" else None
    render.table(rows, FILE_COLUMNS if fmt == "csv" else COLUMNS, fmt, empty=empty, json_rows=json_rows)


@app.command("show")
def show(ctx: typer.Context, course: CourseRef, format: FormatOpt = None) -> None:
    """Show one course: its figures, prerequisites and how many records it has."""
    from trainctl.queries import courses as q
    from trainctl.queries.members import who

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, _actor):
        found = q.get_course(rd, course)
        prereqs = q.by_ids(rd, found.prerequisites)
        records = q.record_counts(rd).get(found.id, 0)
        created_by = who(rd, found.created_by)  # a table names who (JSON and CSV keep the id)
    data = found.as_dict()
    if fmt != "table":
        render.record(data, fmt)
        return
    data["prerequisites"] = [prereqs[i].label if i in prereqs else f"course {i}" for i in found.prerequisites]
    data["records"] = records
    data["created_by"] = created_by
    render.record(data, fmt, title=f"Course {found.label}")


@app.command("import")
def import_(
    ctx: typer.Context,
    csv_file: Annotated[
        Path,
        typer.Option("--csv", help="CSV with columns name (required), code, training_type, category, "
                     "duration_hours, credit_hours, prerequisites, expiration_months, self_paced.",
                     exists=True, dir_okay=False, readable=True, show_default=False, metavar="FILE"),
    ],
    dry_run: DryRunOpt = False,
    update: Annotated[bool, typer.Option("--update", help="Change courses whose values differ.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows; write the bad ones to "
                           "NAME.rejects.csv (for NAME.csv) next to the input (exit 65).")
    ] = False,
    ignore_unknown_columns: Annotated[
        bool, typer.Option("--ignore-unknown-columns", help="Skip columns trainctl does not know.")
    ] = False,
) -> None:
    """Import courses from a CSV, matched by code (else name). Every row is checked first;
    nothing is written unless all pass (or --skip-invalid: exit 65 when rows were left out)."""
    from trainctl.services.courses import import_courses

    state = get_state(ctx)
    if skip_invalid:
        from trainctl.cli.rejects import require_files

        require_files([csv_file])
    rejects = None
    with csv_file.open("rb") as fh, state.session(write=not dry_run) as (session, actor):
        result = import_courses(
            session, actor, fh, source=csv_file.name, update=update, dry_run=dry_run,
            skip_invalid=skip_invalid, ignore_unknown_columns=ignore_unknown_columns,
            today=state.today(session),
        )  # fmt: skip
        if result.reasons and not dry_run:  # before the commit: no file, no import
            from trainctl.cli.rejects import write_sheet_rejects

            rejects = write_sheet_rejects(csv_file, result.reasons)
    for problem in render.first_of(result.problems):
        render.warn(problem)
    _notify(result.notices)
    summary = f"{len(result.added)} added, {len(result.updated)} updated, {len(result.unchanged)} unchanged"
    if dry_run:
        summary = f"Dry run, nothing written: would be {summary}"
    if result.rejected:
        summary += f", {result.rejected} rejected" + (f"; written to {rejects}" if rejects else "")
    render.info(f"{csv_file.name}: {summary}.", quiet=state.quiet)
    for line in result.said:  # records entered under a new course's name: the course's now
        render.info(line, quiet=state.quiet)
    if result.rejected:
        fix = f"fix them in {rejects.name}" if rejects else "fix the rows named above"
        render.info(f"Hint: {fix} and import the file again.", quiet=False)
        raise typer.Exit(65)
