"""`trainctl record`: add, import, list, show, void — the department's training history.

A completed record credits the matching progress rows of the member's enrollments at once
(what counts is set on each requirement: `requirement edit --counts-type drill ...`).
Natural key: member + course + date; adding or importing it again adds nothing twice.
JSON output: one object per record (id, member_id, member, email, course_id, course_code,
course_name, training_type, category, topic, completion_date, expiration_date, hours,
status, score, passed, instructor, location, self_paced, source_file, source_line,
created_at, created_by, voided_at, voided_by, void_reason). CSV output: every column
`record import` reads (the member's e-mail beside the name; `category` apart from `topic`,
which the table joins: `national/airway`), so that a listing imports back as it is.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli import sheet_import as si
from trainctl.cli.options import DryRunOpt, FormatOpt, LimitOpt, fmt_value, parse_date, row_limit
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.text import hired_after, plural

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("completion_date", "Date"),
    Col("member"),
    Col("course"),
    Col("hours", "Hours", numeric=True),
    # At 80 columns the status (nearly always "completed") gives way first, then the
    # instructor, then the topic (a long code such as national/cardiovascular).
    Col("status", drop=3),
    Col("topic", drop=1),  # what it was filed under: "national/airway" (domain.progress.filed_under)
    Col("instructor", drop=2),
    Col("void"),
]
# CSV: every column `record import` reads (domain.records.SHEET_FIELDS), so that a listing
# taken to another database keeps what a record counts by (passed, self-paced: an NREMT
# worksheet's figures) and names its member by e-mail too (two members may share a name);
# category and topic apart, as JSON keeps them
FILE_COLUMNS = [
    *COLUMNS[:3], Col("email"), *COLUMNS[3:5], Col("status"), Col("score"), Col("passed"),
    Col("training_type"), Col("category"), Col("topic"), Col("instructor"), Col("location"),
    Col("self_paced"), Col("expiration_date"), Col("void"),
]
EMPTY = (
    "No training records yet. Log a drill with `trainctl record add --members a,b,c --course "
    "NAME --date DATE --hours H`, or import sign-in sheets with `trainctl record import FILE...`."
)


_o = si.opt
_values = si.values
SkipPrereqOpt = Annotated[
    bool,
    typer.Option("--skip-prereq-check", help="Record completions even when a course's prerequisite courses "
                 "are not on file (loading history; the override is kept in the audit log)."),
]  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    member: Annotated[
        str | None,
        typer.Argument(metavar="[MEMBER]", help="The member (id, e-mail, badge or name).", show_default=False),
    ] = None,
    members: Annotated[
        list[str] | None,
        # --member too, as `call add` spells its crew and every listing its filter
        _o("--members", "--member", "-m", metavar="A,B,C",
           help="A crew: several members separated by commas, or the option repeated."),
    ] = None,
    position: Annotated[
        list[str] | None,
        _o("--position", "-p", help="Every active member holding this position (repeat).", metavar="POSITION"),
    ] = None,
    course: Annotated[
        str | None,
        _o("--course", "-c", help="Course code or name; a name not in the catalog is kept as a free course name.",
           metavar="COURSE"),
    ] = None,
    on: Annotated[str | None, _o("--date", "-d", help="Date (YYYY-MM-DD). Default: today.", metavar="DATE")] = None,
    hours: Annotated[
        str | None, _o("--hours", help="Hours. Default: the course's credit hours.", metavar="HOURS")
    ] = None,
    status: Annotated[
        str | None,
        _o("--status", help="completed (default), scheduled, in_progress, cancelled or failed; only completed counts.",
           metavar="STATUS"),
    ] = None,
    score: Annotated[str | None, _o("--score", help="Test score.", metavar="SCORE")] = None,
    passed: Annotated[
        bool | None,
        typer.Option("--passed/--not-passed", help="Passed or not (not passed never counts).", show_default=False),
    ] = None,
    topic: Annotated[str | None, _o("--topic", help="Topic, e.g. ventilation or airway.", metavar="TOPIC")] = None,
    category: Annotated[
        str | None, _o("--category", help="Category. Default: the course's.", metavar="CATEGORY")
    ] = None,
    training_type: Annotated[
        str | None, _o("--type", help="Training type, e.g. drill. Default: the course's.", metavar="TYPE")
    ] = None,
    instructor: Annotated[str | None, _o("--instructor", help="Who taught it.", metavar="NAME")] = None,
    location: Annotated[str | None, _o("--location", help="Where.", metavar="PLACE")] = None,
    self_paced: Annotated[
        bool | None,
        typer.Option("--self-paced/--not-self-paced", help="Self-paced (distributive). Default: the course's.",
                     show_default=False),
    ] = None,
    expires: Annotated[
        str | None,
        _o("--expires", help="Expiry date. Default: date + the course's expiration months.", metavar="DATE"),
    ] = None,
    dry_run: DryRunOpt = False,
    skip_prereq_check: SkipPrereqOpt = False,
    format: FormatOpt = None,
) -> None:
    """Record training for one member or a whole crew in one command (needs
    training.manage). Each completed record credits the member's matching requirements."""
    from trainctl.errors import UsageError
    from trainctl.services import records as svc

    if course is None:
        raise UsageError("Name the course: --course CODE or NAME.")
    state = get_state(ctx)
    with state.session(write=not dry_run) as (session, actor):
        from trainctl.services.auth import MANAGE
        from trainctl.services.members import member_list

        actor.require(MANAGE, "record training")
        # MEMBER, --member, --members: one crew, commas anywhere ("F-118,F-203" as MEMBER too)
        given = ([member] if member else []) + list(members or ())
        refs = member_list(session, given, "MEMBER/--members")
        today = state.today(session)
        values = _values(
            course=course, date=on or today.isoformat(), hours=hours, status=status, score=score,
            passed=None if passed is None else ("yes" if passed else "no"), topic=topic,
            category=category, training_type=training_type, instructor=instructor,
            location=location, self_paced=None if self_paced is None else ("yes" if self_paced else "no"),
            expiration=expires,
        )  # fmt: skip
        team = svc.crew(session, refs, position or [], values.get("date"), leave_out=actor.member_id)
        outcome = svc.add_records(session, actor, team.ids, values, today=today, dry_run=dry_run,
                                  check_prerequisites=not skip_prereq_check)  # fmt: skip
        shortfalls = _shortfalls(session, outcome.record_ids) if not dry_run else []
    si.emit_add(fmt_of(ctx, fmt_value(format)), "record_ids", outcome, outcome.record_ids, dry_run=dry_run,
                positions=[{"position": pos, "date": team.day,
                            "members": [{"id": i, "name": n, "email": e} for i, n, e in held]}
                           for pos, held in team.by_position])  # fmt: skip
    if dry_run:  # whom each reference found ("107"? "Kim Lee"?), before anything is written
        for ref, name, email in team.named:
            render.info(f"{ref}: {name} <{email}>.", quiet=state.quiet)
    for pos, held in team.by_position:  # who a position stood for that day: the officer checks
        render.info(f"--position {pos} on {team.day}: {plural(len(held), 'member')}: "
                    f"{', '.join(f'{n} <{e}>' for _, n, e in held)}.", quiet=state.quiet)  # fmt: skip
    if team.left_out:  # the instructor of a crew drill is in the crew: not by their own hand
        render.warn(f"You ({actor.name}) held {', '.join(team.left_out)} on the record's day: "
                    "left out of the crew; another training officer records your own training.")  # fmt: skip
    for name, refs in team.twice:  # one member named twice: a typo for someone else?
        said = " and ".join([", ".join(refs[:-1]), refs[-1]])
        render.warn(f"{said} {'both' if len(refs) == 2 else 'all'} name {name}: recorded once; "
                    "check --members.")  # fmt: skip
    for name, email, hired in team.before_hire:  # a typo in --date, or a pre-hire academy
        render.warn(hired_after(f"{name} <{email}>", hired, "the record's date", team.day,
                                "recorded as given", "check --date") or "")  # fmt: skip
    for name in outcome.free_named:
        near = outcome.close_to.get(name)
        render.warn(f"{name!r} is not in the course catalog; recorded under that name "
                    + (f"(did you mean {near}?)."
                       if near else
                       "(add it with `trainctl course add` to give it a code and defaults)."))  # fmt: skip
    for notice in [*outcome.category_notices, *outcome.hours_doubts]:
        render.warn(notice)
    verb = "Would record" if dry_run else "Recorded"
    text = f"{verb} {plural(outcome.added, 'record')}"
    if outcome.record_ids and not dry_run:
        first, last = outcome.record_ids[0], outcome.record_ids[-1]
        text += f" ({first})" if first == last else f" ({first}-{last})"
    if outcome.already:
        text += f"; {outcome.already} already recorded (same member, course and date)"
    si.report_add(text + ".", outcome.feed, dry_run=dry_run, quiet=state.quiet, notes=shortfalls)


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[FILE...]", help="Sign-in sheets (CSV: , ; or tab; UTF-8 with or without BOM).",
                       exists=True, dir_okay=False, readable=True, show_default=False),
    ] = None,
    csv: Annotated[
        list[Path] | None,
        typer.Option("--csv", help="A sheet, as the other imports name it (repeat for several).",
                     metavar="FILE", exists=True, dir_okay=False, readable=True, show_default=False),
    ] = None,
    course: Annotated[
        str | None, _o("--course", "-c", help="Course for rows (or sheets) that name none.", metavar="COURSE")
    ] = None,
    on: Annotated[str | None, _o("--date", "-d", help="Date for rows that give none.", metavar="DATE")] = None,
    hours: Annotated[str | None, _o("--hours", help="Hours for rows that give none.", metavar="HOURS")] = None,
    topic: Annotated[str | None, _o("--topic", help="Topic for rows that give none.", metavar="TOPIC")] = None,
    instructor: Annotated[
        str | None, _o("--instructor", help="Instructor for rows that give none.", metavar="NAME")
    ] = None,
    location: Annotated[str | None, _o("--location", help="Location for rows that give none.", metavar="PLACE")] = None,
    dry_run: DryRunOpt = False,
    skip_invalid: si.SkipInvalidOpt = False,
    ignore_unknown_columns: si.IgnoreUnknownOpt = False,
    skip_prereq_check: SkipPrereqOpt = False,
) -> None:
    """Import sign-in sheets as people deliver them. Members by e-mail (any case) or badge
    (even without its leading zeros), course by code or name, date, hours. Every row is
    checked; any bad row: nothing is written and exit 65 (with --skip-invalid the good
    rows are written, the bad ones listed, and the exit is still 65). Importing a sheet
    again, or one that overlaps, adds nothing twice."""
    from trainctl.errors import UsageError
    from trainctl.services import records as svc

    sheets = [*(files or []), *(csv or [])]
    if not sheets:
        raise UsageError("Name the sign-in sheets: FILE... or --csv FILE.",
                         "e.g. `trainctl record import drill-0304.csv` (see -h).")  # fmt: skip
    defaults = _values(course=course, date=on, hours=hours, topic=topic, instructor=instructor,
                       location=location)  # fmt: skip
    si.import_command(
        ctx, sheets, svc.import_records, dry_run=dry_run, defaults=defaults, skip_invalid=skip_invalid,
        ignore_unknown_columns=ignore_unknown_columns, check_prerequisites=not skip_prereq_check,
        void_label="void records", warnings=_free_named, notes_source="training_record",
    )  # fmt: skip


def _shortfalls(session: Any, record_ids: list[int]) -> list[str]:
    """One line per progress row whose hours from these records do not all count."""
    from trainctl.queries import reader_of
    from trainctl.queries.progress import source_shortfalls

    return source_shortfalls(reader_of(session), "training_record", record_ids) if record_ids else []


def _free_named(outcome: Any) -> list[str]:
    """Categories no requirement names and course names an import kept that are not in
    the catalog (the first five each)."""
    from trainctl.cli.render import first_of

    names = [f"{name!r} is not in the course catalog; recorded under that name"
             + (f" (did you mean {outcome.close_to[name]}?)." if name in outcome.close_to else ".")
             for name in sorted(outcome.free_named)]  # fmt: skip
    return [
        *first_of(outcome.category_notices, 5, "categories no requirement names"),
        *first_of(names, 5, "course names not in the catalog"),
    ]  # (then the rows a person should look at: si.member_doubts, as for every import)


def _file_row(r: Any) -> dict[str, Any]:
    """A record as a listing's row: its fields, the course as shown, the Void cell."""
    return {**r.as_dict(), "course": r.course_code or r.course_name, "void": si.void_cell(r)}


@app.command("list")
def list_(
    ctx: typer.Context,
    member: Annotated[str | None, _o("--member", help="Only this member (id, e-mail, badge or name).", metavar="MEMBER")] = None,
    course: Annotated[str | None, _o("--course", help="Only this course (code or name).", metavar="COURSE")] = None,
    start: Annotated[str | None, _o("--from", help="From this date (YYYY-MM-DD).", metavar="DATE")] = None,
    end: Annotated[str | None, _o("--to", help="Up to this date, inclusive.", metavar="DATE")] = None,
    topic: Annotated[str | None, _o("--topic", help="Only this topic or category.", metavar="TOPIC")] = None,
    include_void: Annotated[bool, typer.Option("--include-void", help="Show void records too.")] = False,
    limit: LimitOpt = None,
    format: FormatOpt = None,
) -> None:
    """List training records, newest first (a table the newest 100). Members see their own."""
    from trainctl.queries import courses as qc
    from trainctl.queries import members as qm
    from trainctl.queries import records as q

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, actor):
        member_id = qm.get_member(rd, member).id if member else None
        course_id, course_name = None, None
        if course:
            found = qc.find_course(rd, course)
            course_id, course_name = (found.id, None) if found else (None, course)
        given = parse_date(end, "--to")
        last, clipped = si.as_of_end(state, given, "records")  # as every read of a past day
        first = parse_date(start, "--from")

        filters = q.RecordFilter(member_id=member_id, course_id=course_id, course_name=course_name,
                                 start=first, end=last, topic=topic, include_void=include_void)  # fmt: skip
        most = row_limit(limit, fmt)
        if fmt != "table" and most is None:
            # every record, for a file: written as read (500,000 records held 1 GB as lists)
            every = q.each_record(rd, actor, filters)
            if fmt == "json":
                render.emit_json_rows(r.as_dict() for r in every)
            else:
                render.emit_csv(map(_file_row, every), FILE_COLUMNS)
            return

        def listed(to: date | None, most: int | None) -> tuple[list[q.RecordRow], int]:
            return q.list_records(rd, actor, replace(filters, end=to), limit=most)

        records, total = listed(last, most)
        later = clipped and not records and bool(listed(given, 1)[0])  # "none by that day", not "none yet"
    from trainctl.domain.progress import filed_under

    rows = [_file_row(r) for r in records]
    cols = COLUMNS
    if fmt == "table":
        for row in rows:
            row["topic"] = filed_under(row["category"], row["topic"])
        if not any(row["void"] for row in rows):  # no void row shown: room for the topic
            cols = [c for c in COLUMNS if c.key != "void"]
    else:
        cols = FILE_COLUMNS
    filtered = any((member, course, start, end, topic))
    empty = "No records match these filters." if filtered else EMPTY
    if later and last is not None:
        empty = si.empty_as_of("training records", last, filtered=filtered)
    render.table(rows, cols, fmt, empty=empty,
                 json_rows=[r.as_dict() for r in records] if fmt == "json" else None)  # fmt: skip
    render.more_rows(len(records), total, "records", quiet=state.quiet)


@app.command("show")
def show(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(metavar="RECORD", help="The record id.", show_default=False)],
    format: FormatOpt = None,
) -> None:
    """Show one record and the credit it gave (and took back, if void)."""
    from trainctl.queries import records as q

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    from trainctl.queries.members import who

    with state.reader() as (rd, actor):
        found = q.get_record(rd, actor, record)
        credits = q.record_credits(rd, found)
        # a table names who entered and voided it (JSON and CSV keep the ids)
        by = {"created_by": who(rd, found.created_by),
              "voided_by": who(rd, found.voided_by) if found.voided_at else None}  # fmt: skip
    data = found.as_dict()
    if fmt == "table":
        data.update(by)
    if fmt == "json":
        render.emit_json({**data, "credits": [c.as_dict() for c in credits]})
        return
    if fmt == "csv":
        render.record(data, fmt)
        return
    render.record(data, fmt, title=f"Training record {found.id}")
    if credits:
        render.table(
            [c.as_dict() for c in credits],
            # the effective date, as `progress log` shows it (JSON also has entered_at)
            [Col("entered_on", "Date"), Col("progress_id", "Progress", numeric=True),
             Col("enrollment_id", "Enrollment", numeric=True), Col("requirement"),
             Col("amount", numeric=True), Col("item"), Col("state")],
            fmt, title="Credit",
        )  # fmt: skip


@app.command("void")
def void(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(metavar="RECORD", help="The record id.", show_default=False)],
    reason: Annotated[str, _o("--reason", help="Why (kept with the record).", metavar="TEXT")],
) -> None:
    """Void a record: it is kept (with who, when and why) and its credit is reversed."""
    from trainctl.services import records as svc

    si.void_command(ctx, svc.void_record, record, reason, noun="record", short="Record")
