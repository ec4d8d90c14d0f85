"""`trainctl member`: add, list, show, edit, deactivate, import, positions, add-position.

Members are named by id, email, badge or full name (`id:12` / `badge:12` when a number could
be either, `name:...` for a name that is also a badge).
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
    from trainctl.models import Member
    from trainctl.queries.members import MemberRow

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

EMPTY = (
    "No members yet. Add one with `trainctl member add NAME --email EMAIL` "
    "or import a CSV with `trainctl member import --csv FILE`."
)
COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("name"),
    Col("email", drop=3),
    Col("badge"),
    Col("positions"),
    Col("role", drop=1),
    Col("status"),
    Col("hire_date", "Hired", drop=2),
]

MemberRef = Annotated[
    str, typer.Argument(help="The member: id, email, badge number or name.", show_default=False)
]
PositionsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--position",
        "-p",
        help="A position code (repeat, or separate with commas): firefighter, emt, driver_candidate, ...",
        show_default=False,
    ),
]
RoleOpt = Annotated[
    str | None, typer.Option("--role", help="officer or member.", show_default=False)
]
StatusOpt = Annotated[
    str | None, typer.Option("--status", help="active or inactive.", show_default=False)
]
EffectiveOpt = Annotated[
    str | None,
    typer.Option(
        "--effective",
        help="The day a change of positions or status took effect, YYYY-MM-DD "
        "(default: --as-of, else today). Reports as of earlier days keep the old values.",
        show_default=False,
    ),
]


def _effective(value: str | None) -> Any:
    from trainctl.cli.options import parse_date

    return parse_date(value, "--effective")


def _json(member: Member) -> dict[str, Any]:
    from trainctl.schemas.members import MemberRead

    return MemberRead.model_validate(member).model_dump(mode="json")


# CSV: every column `member import` reads (services.member_import.MEMBER_FIELDS), so that
# a listing taken to another database keeps the certification date its NREMT cycle runs from,
# and the day a retired member's status took effect (`status_since`, queries.members)
FILE_COLUMNS = [*COLUMNS, Col("certification_date"), Col("status_since")]


def _row(member: MemberRow) -> dict[str, Any]:
    return {c.key: getattr(member, c.key, None) for c in FILE_COLUMNS}  # (status_since: list_)


def _raw(**values: Any) -> dict[str, Any]:
    """Options the user gave (None = not given), ready for schema validation."""
    return {k: v for k, v in values.items() if v is not None}


# a member field -> the option a command takes it with: a bad value names what was typed
MEMBER_OPTIONS = {
    "name": "--name", "email": "--email", "badge": "--badge", "positions": "--position",
    "role": "--role", "status": "--status", "hire_date": "--hire-date",
    "certification_date": "--certification-date",
}  # fmt: skip

@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.", show_default=False)],
    email: Annotated[
        str,
        typer.Option(
            "--email", "-e", help="Email address (unique; stored lower-case).", show_default=False
        ),
    ],
    badge: Annotated[
        str | None, typer.Option("--badge", "-b", help="Badge number (unique).", show_default=False)
    ] = None,
    position: PositionsOpt = None,
    role: Annotated[str, typer.Option("--role", help="officer or member.")] = "member",
    status: Annotated[str, typer.Option("--status", help="active or inactive.")] = "active",
    hire_date: Annotated[
        str | None, typer.Option("--hire-date", help="Hire date, YYYY-MM-DD.", show_default=False)
    ] = None,
    certification_date: Annotated[
        str | None,
        typer.Option(
            "--certification-date", help="Certification date, YYYY-MM-DD.", show_default=False
        ),
    ] = None,
) -> None:
    """Add a member. With --format json, prints the new record."""
    from trainctl.schemas.members import MemberCreate, validated
    from trainctl.services import members as svc

    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        data = validated(
            MemberCreate,
            _raw(
                name=name, email=email, badge=badge, positions=position or [], role=role, status=status,
                hire_date=hire_date, certification_date=certification_date,
            ),
            "input",
            positions=svc.position_codes(session),
            options={**MEMBER_OPTIONS, "name": "NAME"},
        )  # fmt: skip
        member = svc.add_member(session, actor, data, as_of=state.as_of)
        doubt = svc.hire_warning(session, data.hire_date, state.as_of)
    if state.fmt == "json":
        render.emit_json(_json(member))
    render.info(f"Added member {member.id}: {member.name} <{member.email}>.", quiet=state.quiet)
    if doubt:
        render.warn(doubt)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str, typer.Option("--status", help="active (default), inactive or all.")
    ] = "active",
    position: Annotated[
        list[str] | None,
        typer.Option(
            "--position",
            "-p",
            help="Only members holding this position (repeat for any of several).",
            show_default=False,
        ),
    ] = None,
    role: RoleOpt = None,
    format: FormatOpt = None,
) -> None:
    """List members by name. Active members only unless --status inactive|all. With --as-of,
    members as they were that day: positions and status then, those hired later left out."""
    from trainctl.domain.positions import position_code, split_positions
    from trainctl.errors import UsageError
    from trainctl.queries import members as q

    status = status.strip().lower()
    if status not in ("active", "inactive", "all"):
        raise UsageError(f"--status is active, inactive or all (got {status!r}).")
    if role is not None and role.strip().lower() not in ("officer", "member"):
        raise UsageError(f"--role is officer or member (got {role!r}).")
    state = get_state(ctx)
    with state.reader() as (rd, actor):
        known = q.position_codes(rd)
        wanted = split_positions(position or [], known)
        unknown = [p for p in wanted if p not in known]
        if unknown:
            raise UsageError(
                f"Unknown position {', '.join(map(repr, unknown))}.",
                "`trainctl member positions` lists the positions.",
            )
        listed = q.list_members(
            rd,
            actor,
            status=None if status == "all" else status,
            positions=[position_code(p) for p in wanted],
            role=role.strip().lower() if role else None,
            as_of=state.as_of,
        )
        dated = state.as_of is not None
        nobody_then = dated and not listed and q.has_members(rd)
        fmt = fmt_of(ctx, fmt_value(format))
        # CSV: the day each member's status (on the --as-of day) took effect
        history = q.timelines(rd, [x.member.id for x in listed]) if fmt == "csv" else {}
    # With --as-of: the members as they were that day (positions, status); JSON and CSV
    # add first_known, the table a "First known" column when a member is shown as first known.
    rows = [_row(x.member) | ({"first_known": x.first_known} if dated else {}) for x in listed]
    if fmt == "csv":
        for row, x in zip(rows, listed, strict=True):
            row["status_since"] = q.status_since(history.get(x.member.id, ()), state.as_of)
    cols = FILE_COLUMNS if fmt == "csv" else COLUMNS
    if dated and (fmt == "csv" or any(x.first_known for x in listed)):
        cols = [*cols, Col("first_known", "First known")]
    json_rows = None
    if fmt == "json":
        json_rows = [
            x.member.as_dict() | ({"first_known": x.first_known} if dated else {}) for x in listed
        ]
    filtered = status != "active" or position or role
    empty = "No members match these filters." if filtered else EMPTY
    if nobody_then:  # members, but none then (e.g. all hired later)
        empty = f"No members match these filters on {state.as_of}."
    render.table(rows, cols, fmt, empty=empty, json_rows=json_rows)


@app.command("show")
def show(ctx: typer.Context, member: MemberRef, format: FormatOpt = None) -> None:
    """Show one member's record and recent history. Members may view their own. With
    --as-of, positions and status are those of that day."""
    from trainctl.queries import members as q

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    dated = state.as_of is not None
    with state.reader() as (rd, actor):
        found, states = q.show_member(rd, actor, member, state.as_of)
        data = found.member.as_dict()
        if dated:  # the day the member's history begins, when after --as-of
            data["first_known"] = found.first_known
        timeline: list[dict[str, Any]] = [
            {
                "effective_on": s.effective_on,
                "positions": s.positions,
                "status": s.status,
                "recorded_at": s.recorded_at,
                "recorded_by": s.recorded_by,
            }
            for s in reversed(states)
        ]
        if fmt == "json":  # positions and status over time, latest first (as the table)
            data["history"] = timeline
        if fmt == "table":
            if not found.first_known:
                data.pop("first_known", None)
            else:
                data["first_known"] = (
                    f"{found.first_known} (history starts after {state.as_of}: shown as first known)"
                )
            data["created_by"] = q.who(rd, found.member.created_by)
            # who did it by name, as "created by" says it ("Olive Officer (id 1)"): a bare
            # 3 read as a badge (JSON and CSV keep the ids)
            names: dict[int | None, str] = {}

            def by(member_id: int | None) -> str:
                if member_id not in names:
                    names[member_id] = q.who(rd, member_id)
                return names[member_id]

            history = [
                {
                    "at": h.at,
                    "action": h.action,
                    "by": by(h.actor_id),
                    "detail": _about(h.entity, h.entity_id) + _detail(h.detail),
                }
                for h in q.member_history(rd, found.member.id)
            ]
            timeline = [
                {**t, "positions": ", ".join(t["positions"]) or "-", "by": by(t["recorded_by"])}
                for t in timeline
            ]
    if fmt != "table":
        render.record(render.jsonable(data), fmt)  # ISO 8601 dates and times, as in JSON
        return
    render.record(data, fmt, title=f"Member {data['id']}")
    if timeline:
        render.table(
            timeline,
            [Col("effective_on", "Effective"), Col("positions"), Col("status"),
             Col("recorded_at", "Recorded", drop=2), Col("by", "By", drop=1)],
            fmt,
            title="Positions and status over time (latest first)",
        )  # fmt: skip
    if history:
        render.table(
            history,
            [Col("at", "When"), Col("action"), Col("by", "By"), Col("detail")],
            fmt,
            title="History",
        )


def _about(entity: str, entity_id: int | None) -> str:
    """What a History entry that is not about the member row is about: "card 4: ",
    "enrollment 2: " (the ids `cert list` and `enroll user` show)."""
    if entity == "member":
        return ""
    what = {"certification": "card"}.get(entity, entity)
    return f"{what} {entity_id}: " if entity_id is not None else f"{what}: "


def _detail(detail: dict[str, Any]) -> str:
    changes = detail.get("changes")
    if isinstance(changes, dict):
        day = f" (effective {detail['effective_on']})" if detail.get("effective_on") else ""
        why = f"; reason: {detail['reason']}" if detail.get("reason") else ""
        return "; ".join(f"{k}: {_said(old)} -> {_said(new)}" for k, (old, new) in changes.items()) + day + why
    from trainctl.queries.members import RUN_IDS

    # (the member shown; the ids a bulk run made: the line names the card or enrollment)
    unsaid = {"member_id", *RUN_IDS}
    return ", ".join(
        f"{k}={_said(v, quote=False)}" for k, v in detail.items()
        if v is not None and v != [] and k not in unsaid
    )


def _said(value: Any, *, quote: bool = True) -> str:
    """A value of the audit log as a person reads it: a list of positions as
    'firefighter, emt' (not Python's ['firefighter', 'emt']), nothing as 'none'."""
    if value is None or value == []:
        return "none"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return repr(value) if quote and isinstance(value, str) else str(value)


@app.command("edit")
def edit(
    ctx: typer.Context,
    member: MemberRef,
    name: Annotated[
        str | None, typer.Option("--name", help="New full name.", show_default=False)
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", "-e", help="New email address.", show_default=False)
    ] = None,
    badge: Annotated[
        str | None,
        typer.Option("--badge", "-b", help="New badge number ('' clears it).", show_default=False),
    ] = None,
    position: Annotated[
        list[str] | None,
        typer.Option(
            "--position",
            "-p",
            help="Replace the positions with these (repeat, or separate with commas).",
            show_default=False,
        ),
    ] = None,
    add_position: Annotated[
        list[str] | None,
        typer.Option("--add-position", help="Add a position (repeatable).", show_default=False),
    ] = None,
    remove_position: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-position", help="Remove a position (repeatable).", show_default=False
        ),
    ] = None,
    role: RoleOpt = None,
    status: StatusOpt = None,
    hire_date: Annotated[
        str | None,
        typer.Option(
            "--hire-date", help="Hire date, YYYY-MM-DD ('' clears it).", show_default=False
        ),
    ] = None,
    certification_date: Annotated[
        str | None,
        typer.Option(
            "--certification-date",
            help="Certification date, YYYY-MM-DD ('' clears it).",
            show_default=False,
        ),
    ] = None,
    effective: EffectiveOpt = None,
) -> None:
    """Change a member's fields; only the options given change. A change of positions or
    status is kept in the member's history from --effective (default today), so reports
    as of an earlier day judge the member as they were then."""
    from trainctl.errors import UsageError
    from trainctl.schemas.members import MemberUpdate, split_positions, validated
    from trainctl.services import members as svc
    from trainctl.services.auth import MANAGE

    if position is not None and (add_position or remove_position):
        raise UsageError(
            "Use --position (replace all) or --add-position / --remove-position, not both."
        )
    state = get_state(ctx)
    day = _effective(effective)
    with state.session(write=True) as (session, actor):
        actor.require(MANAGE, "edit members")
        known = svc.position_codes(session)
        target = svc.get_member(session, member)
        positions: list[str] | None = None
        if position is not None:
            positions = split_positions(position, known)
        elif add_position or remove_position:
            removing = set(split_positions(remove_position or [], known))
            missing = sorted(removing - set(target.positions))
            if missing:
                raise UsageError(f"{target.name} does not hold {', '.join(missing)}.")
            positions = [p for p in target.positions if p not in removing]
            positions += [
                p for p in split_positions(add_position or [], known) if p not in positions
            ]
        raw = _raw(
            name=name, email=email, badge=badge, positions=positions, role=role, status=status,
            hire_date=hire_date, certification_date=certification_date,
        )  # fmt: skip
        if not raw:
            raise UsageError(
                "Nothing to change.",
                "Give at least one option, e.g. --email or --add-position; see -h.",
            )
        typed = "--position" if position is not None else "--add-position"  # the one with positions
        data = validated(MemberUpdate, raw, "input", positions=known,
                         options={**MEMBER_OPTIONS, "positions": typed})  # fmt: skip
        notes: list[str] = []
        updated, changes = svc.edit_member(
            session, actor, f"id:{target.id}", data, effective=day, as_of=state.as_of, notes=notes
        )
        doubt = svc.hire_warning(session, updated.hire_date, state.as_of) if "hire_date" in changes else None
    if doubt:
        render.warn(doubt)
    if state.fmt == "json":
        render.emit_json(_json(updated))
    if not changes:
        render.info(
            f"Member {updated.id} ({updated.name}) already has these values; nothing changed.",
            quiet=state.quiet,
        )
        for note in notes:  # (since when, for a change dated before their last one)
            render.info(note, quiet=state.quiet)
        return
    render.info(
        f"Updated member {updated.id} ({updated.name}): {', '.join(changes)}.", quiet=state.quiet
    )
    for note in notes:
        render.info(note, quiet=state.quiet)


@app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    member: MemberRef,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (kept in the history).", show_default=False)
    ] = None,
    effective: EffectiveOpt = None,
) -> None:
    """Mark a member inactive from --effective (default today). Nothing is deleted: records
    and history stay, and reports as of an earlier day still count the member."""
    from trainctl.services import members as svc

    state = get_state(ctx)
    day = _effective(effective)
    notes: list[str] = []
    with state.session(write=True) as (session, actor):
        found, changed = svc.deactivate_member(
            session, actor, member, reason=reason, effective=day, as_of=state.as_of, notes=notes
        )
    if changed:
        render.info(
            f"Deactivated member {found.id} ({found.name}); records kept. "
            f"Reactivate with `trainctl member edit id:{found.id} --status active`.",
            quiet=state.quiet,
        )
        for note in notes:
            render.warn(note)
    else:
        render.info(
            f"Member {found.id} ({found.name}) is already inactive; nothing changed.",
            quiet=state.quiet,
        )


@app.command("positions")
def positions(ctx: typer.Context, format: FormatOpt = None) -> None:
    """List the positions (built-in and the department's own) with active member counts
    (on the --as-of day when given)."""
    from dataclasses import asdict

    from trainctl.queries import members as q

    state = get_state(ctx)
    with state.reader() as (rd, _actor):
        rows = [asdict(p) for p in q.list_positions(rd, state.as_of)]
    render.table(
        rows,
        [
            Col("code"),
            Col("name"),
            Col("builtin", "Built-in"),
            Col("active_members", "Active members", numeric=True),
        ],
        fmt_of(ctx, fmt_value(format)),
        empty="No positions yet. Add one with `trainctl member add-position CODE --name NAME`.",
    )


@app.command("add-position")
def add_position_cmd(
    ctx: typer.Context,
    code: Annotated[
        str,
        typer.Argument(
            help="Short code, e.g. hazmat_tech (letters, digits, _).", show_default=False
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Display name. Default: from the code.", show_default=False),
    ] = None,
) -> None:
    """Add a department position that members and requirements can name."""
    from trainctl.schemas.members import PositionCreate, position_code, validated
    from trainctl.services import members as svc

    state = get_state(ctx)
    label = name if name is not None else position_code(code).replace("_", " ").title()
    with state.session(write=True) as (session, actor):
        data = validated(PositionCreate, {"code": code, "name": label}, "input", what="position")
        created = svc.add_position(session, actor, data)
    render.info(f"Added position {created.code} ({created.name}).", quiet=state.quiet)


@app.command("import")
def import_(
    ctx: typer.Context,
    csv_file: Annotated[
        Path,
        typer.Option(
            "--csv",
            help="CSV with columns name, email (required); badge, positions, role, status, hire_date, certification_date.",
            exists=True,
            dir_okay=False,
            readable=True,
            show_default=False,
        ),
    ],
    dry_run: DryRunOpt = False,
    update: Annotated[
        bool,
        typer.Option("--update", help="Change members whose email exists but whose data differs."),
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the good rows; write the bad ones to NAME.rejects.csv (for NAME.csv) next to the input.",
        ),
    ] = False,
    ignore_unknown_columns: Annotated[
        bool,
        typer.Option("--ignore-unknown-columns", help="Skip columns that are not member fields instead of refusing the file."),
    ] = False,
    effective: EffectiveOpt = None,
    format: FormatOpt = None,
) -> None:
    """Import members from a CSV (matched by email). Headers are matched without regard to
    case and punctuation, with the usual synonyms ("Badge #", "E-mail", "Hire date"), as in
    training-record sheets. Checks every row first; writes nothing
    unless all rows pass (or --skip-invalid). Empty cells leave stored values alone.
    Several positions in one cell: separate them with | , ; or spaces.
    Exits 65 when any row was rejected, even with --skip-invalid (the good rows are written)."""
    from trainctl.services.member_import import import_members

    state = get_state(ctx)
    day = _effective(effective)
    if skip_invalid:
        from trainctl.cli.rejects import require_files

        require_files([csv_file])
    from trainctl.inputfile import read_input

    data = read_input(csv_file)
    rejects_path = None  # where the bad rows went (--skip-invalid): cli/rejects.py says
    with state.session(write=not dry_run) as (session, actor):
        result = import_members(
            session,
            actor,
            data,
            source=csv_file.name,
            update=update,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            ignore_unknown_columns=ignore_unknown_columns,
            effective=day,
            as_of=state.as_of,
        )
        for line, first in result.duplicates:
            render.warn(f"line {line} repeats line {first}; imported once.")
        for doubt in result.warnings:
            render.warn(doubt)
        problems = [p for rejected in result.rejects for p in rejected.problems]
        for problem in render.first_of(problems):
            render.warn(problem)  # all of them are in the reject file
        if result.rejects and not dry_run:  # before the commit: no file, no import
            from trainctl.cli.rejects import write_sheet_rejects

            # the rows as they were, under the file's own header and delimiter (read again,
            # as every import writes its reject file; the roster's header was canonical)
            rejects_path = write_sheet_rejects(csv_file, {r.line: r.problems for r in result.rejects})
    if dry_run:
        changes = [p for p in result.plan if p.action != "unchanged"]
        render.table(
            [
                {
                    "line": p.line,
                    "action": p.action,
                    "member": p.member_id,
                    "email": p.email,
                    "name": p.name,
                    "changes": ", ".join(p.changes),
                }
                for p in changes
            ],
            [
                Col("line", numeric=True),
                Col("action"),
                Col("member", numeric=True),
                Col("email"),
                Col("name"),
                Col("changes"),
            ],
            fmt_of(ctx, fmt_value(format)),
            empty="Nothing would change.",
        )
    summary = f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    if dry_run:
        summary = f"Dry run, nothing written: would be {summary}"
    if result.rejects:
        where = f"; written to {rejects_path}" if not dry_run else ""
        summary += f", {len(result.rejects)} rejected{where}"
    render.info(f"{csv_file.name}: {summary}.", quiet=state.quiet)
    if result.rejects:
        raise typer.Exit(65)  # a partial import is never exit 0 (README: "Partial imports")
