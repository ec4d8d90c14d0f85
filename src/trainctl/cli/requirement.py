"""`trainctl requirement`: add, list, show, edit, retire, unretire — the requirement catalog.

A requirement is named by id, registry code ("NFPA 1001"), name or alias. JSON output
(`--format json`) is stable: one object per requirement with the keys of RequirementRead
(id, name, description, requirement_type, source, source_document, registry_name,
registry_code, aliases, is_editable, required_hours, required_shifts, required_calls,
required_courses, credential_code, required_skills, checklist_items, hour_categories,
frequency, period_months, period_anchor, time_limit_days, required_positions, created_at,
created_by, updated_at, updated_by, ..., retired_on, retired_reason: the first day it judges
nobody, and why, both null while it is in force). `source` is department | state | national;
`source_document` is the standard and edition the figures come from, or "department default".
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainctl.cli import render
from trainctl.cli.options import FormatOpt, amount, fmt_value, whole
from trainctl.cli.render import Col
from trainctl.cli.state import fmt_of, get_state
from trainctl.domain.amounts import MAX_AMOUNT
from trainctl.domain.text import hours_text

if TYPE_CHECKING:
    from trainctl.queries.requirements import RequirementRow

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})

EMPTY = (
    "No requirements yet. Import a registry with `trainctl import nfpa` (or nremt, proboard, iso), "
    "or add one with `trainctl requirement add --name NAME --type hours --hours 24`."
)
COLUMNS = [
    Col("id", "ID", numeric=True),
    Col("registry_code", "Code"),
    Col("name"),
    Col("requirement_type", "Type", drop=2),
    Col("target"),
    Col("frequency", drop=1),
    Col("required_positions", "Positions", drop=3),
    Col("registry_name", "Registry", drop=4),
    Col("source_document", "Source", drop=5),
]


class ReqType(StrEnum):
    hours = "hours"
    courses = "courses"
    certification = "certification"
    shifts = "shifts"
    calls = "calls"
    skills_evaluation = "skills_evaluation"
    checklist = "checklist"


class SourceLevel(StrEnum):
    department = "department"
    state = "state"
    national = "national"


class Frequency(StrEnum):
    annual = "annual"
    biennial = "biennial"
    biannual = "biannual"  # the spec's data: every 24 months, stored as biennial
    quarterly = "quarterly"
    monthly = "monthly"
    one_time = "one_time"
    rolling = "rolling"


class Anchor(StrEnum):
    calendar = "calendar"
    hire_date = "hire_date"
    certification_date = "certification_date"


def _opt(*names: str, help: str, parser: Any = None) -> Any:
    return typer.Option(*names, help=help, show_default=False, parser=parser)


RefArg = Annotated[
    str,
    typer.Argument(
        help="The requirement: id, registry code (e.g. 'NFPA 1001') or name.", show_default=False
    ),
]
NameOpt = Annotated[str | None, _opt("--name", "-n", help="Requirement name.")]
DescOpt = Annotated[str | None, _opt("--description", "-d", help="What the member must do.")]
TypeOpt = Annotated[
    ReqType | None,
    _opt(
        "--type",
        "-t",
        help="hours, courses, certification, shifts, calls, skills_evaluation or checklist.",
    ),
]
SourceOpt = Annotated[
    SourceLevel | None, _opt("--source", help="department (default), state or national.")
]
RegistryOpt = Annotated[
    str | None,
    _opt("--registry", help="Registry name, e.g. NFPA, NREMT, 'Pro Board', ISO or a state's."),
]
CodeOpt = Annotated[
    str | None, _opt("--code", help="Registry code, unique within its registry (e.g. 'NFPA 1001').")
]
DocOpt = Annotated[
    str | None,
    _opt(
        "--source-document",
        help="Standard, edition and section the figures come from. Default for department requirements: 'department default'.",
    ),
]
AliasOpt = Annotated[
    list[str] | None, _opt("--alias", help="Another name it is known by (repeat).")
]
EditableOpt = Annotated[
    bool | None,
    _opt(
        "--editable/--not-editable",
        help="May a training officer change it later? Default: editable.",
    ),
]
HoursOpt = Annotated[
    float | None,
    typer.Option("--hours", help="hours: hours required (> 0).", show_default=False, parser=amount("--hours", 0, MAX_AMOUNT)),
]
ShiftsOpt = Annotated[int | None, _opt("--shifts", help="shifts: shifts required (> 0).", parser=whole("--shifts"))]
CallsOpt = Annotated[int | None, _opt("--calls", help="calls: calls required (> 0).", parser=whole("--calls"))]
CourseOpt = Annotated[
    list[str] | None,
    _opt(
        "--course",
        help="courses: a required course code (repeat); certification: a course code that satisfies it.",
    ),
]
CredentialOpt = Annotated[
    str | None,
    _opt(
        "--credential",
        help="certification: the credential code a certification record must carry (matched exactly).",
    ),
]
SkillOpt = Annotated[
    list[str] | None, _opt("--skill", help="skills_evaluation: a skill to pass (repeat).")
]
ItemOpt = Annotated[list[str] | None, _opt("--item", help="checklist: an item to check (repeat).")]
CategoriesOpt = Annotated[
    str | None,
    _opt(
        "--hour-categories",
        help='hours: per-category minimums and caps as JSON (or @FILE), e.g. \'[{"name": "national", "min_hours": 20, "distributive_max_hours": 7, "topics": [{"name": "airway", "min_hours": 1.5}]}]\'.',
    ),
]
CountsCourseOpt = Annotated[
    list[str] | None,
    _opt(
        "--counts-course",
        help="hours: training records of this course code count (repeat, or separate with commas).",
    ),
]
CountsTypeOpt = Annotated[
    list[str] | None,
    _opt(
        "--counts-type",
        help="hours: training records of this training type count, e.g. drill (repeat).",
    ),
]
CountsCategoryOpt = Annotated[
    list[str] | None,
    _opt(
        "--counts-category",
        help="hours: training records of this topic/category count, e.g. structural_firefighting or national/airway (repeat).",
    ),
]
CountsCallTypeOpt = Annotated[
    list[str] | None,
    _opt(
        "--counts-call-type",
        help="calls: only calls of this type count (repeat). None given: every call counts.",
    ),
]
CountsAttendanceOpt = Annotated[
    bool | None,
    _opt(
        "--counts-attendance/--no-counts-attendance",
        help="hours: shift hours count too (shifts requirements always count attendance).",
    ),
]
FrequencyOpt = Annotated[
    Frequency | None,
    _opt(
        "--frequency",
        help="annual, biennial (every 24 months; 'biannual' is accepted), quarterly, monthly, one_time (default) or rolling.",
    ),
]
PeriodOpt = Annotated[
    int | None,
    _opt(
        "--period-months",
        help="rolling: the window in months (> 0). one_time with --anchor hire_date or "
        "certification_date: only the first N months from that date count (e.g. 12).",
        parser=whole("--period-months"),
    ),
]
AnchorOpt = Annotated[
    Anchor | None,
    _opt("--anchor", help="Period anchor: calendar (default), hire_date or certification_date."),
]
LimitOpt = Annotated[
    int | None, _opt("--time-limit-days", help="Days to complete from enrollment (> 0).", parser=whole("--time-limit-days"))
]
CycleEndOpt = Annotated[
    str | None,
    _opt("--cycle-end", help="A fixed cycle end, MM-DD (NREMT: 03-31; EMR 09-30): every cycle ends that day; "
         "the windows then start from the certification date (--anchor certification_date)."),
]  # fmt: skip
CycleCardOpt = Annotated[
    str | None,
    _opt("--cycle-credential", help="The credential code whose card's expiry places a member's cycle "
         "(e.g. NREMT-EMT); without it, the certification date does. A new --cycle-end without it "
         "drops the card the cycle had."),
]  # fmt: skip
PositionOpt = Annotated[
    list[str] | None,
    _opt(
        "--position",
        "-p",
        help="A position it applies to (repeat, or separate with commas). None given: applies to everyone.",
    ),
]


def _categories(text: str | None) -> Any:
    if text is None:
        return None
    from pathlib import Path

    from trainctl.domain.csvfile import decode
    from trainctl.domain.structured import read_json
    from trainctl.errors import BadInputError

    where = "--hour-categories"
    if text.startswith("@"):
        where = text[1:]
        try:
            from trainctl.inputfile import read_input

            data = read_input(Path(where))
        except OSError as exc:
            raise BadInputError(f"Cannot read {where}: {exc.strerror}.") from None
        text = decode(data, where, hint="Save the file as UTF-8 and run the command again.")
    return read_json(
        text, where, hint='Give a JSON list, e.g. \'[{"name": "national", "min_hours": 20}]\'.'
    )


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


def _given(**values: Any) -> dict[str, Any]:
    """The options the user gave (None / empty = not given), as schema fields."""
    out = {}
    for key, value in values.items():
        if value is None or value == []:
            continue
        out[key] = value.value if isinstance(value, StrEnum) else value
    return out


# The option that sets each schema field, so that input errors name what the user typed.
OPTION_OF = {
    "name": "--name", "description": "--description", "requirement_type": "--type",
    "required_hours": "--hours", "required_shifts": "--shifts", "required_calls": "--calls",
    "required_courses": "--course", "credential_code": "--credential", "required_skills": "--skill",
    "checklist_items": "--item", "hour_categories": "--hour-categories", "frequency": "--frequency",
    "period_months": "--period-months", "period_anchor": "--anchor",
    "time_limit_days": "--time-limit-days", "required_positions": "--position", "source": "--source",
    "registry_name": "--registry", "registry_code": "--code", "source_document": "--source-document",
    "aliases": "--alias", "is_editable": "--editable", "counts_courses": "--counts-course",
    "counts_training_types": "--counts-type", "counts_categories": "--counts-category",
    "counts_call_types": "--counts-call-type", "counts_attendance": "--counts-attendance",
    "cycle_end": "--cycle-end", "cycle_credential": "--cycle-credential",
}  # fmt: skip


def _option_problem(error: Any) -> str:
    """'--item (value 2): must not be empty', '--hour-categories, item 1, min_hours: ...'."""
    from trainctl.schemas import echo, field_path, plain_message

    loc = list(error["loc"]) or ["input"]
    field, rest = str(loc[0]), loc[1:]
    where = OPTION_OF.get(field, field)
    if rest and isinstance(rest[0], int):
        position = rest.pop(0) + 1
        where += f" (value {position})" if where != "--hour-categories" else f", item {position}"
    if rest:
        where += ", " + field_path(rest)
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got in (None, "") else f" (got {echo(got)})"
    return f"{where}: {plain_message(error)}{shown}"


def _validated(schema: Any, data: dict[str, Any], command: str) -> Any:
    from pydantic import ValidationError

    from trainctl.errors import BadInputError
    from trainctl.schemas import TYPED

    try:
        return schema.model_validate(data, context=TYPED)  # (figures as typed: schemas.figure)
    except ValidationError as exc:
        raise BadInputError(
            "The requirement is not valid.",
            f"Fix the options named above; `trainctl requirement {command} --help` lists them.",
            details=[_option_problem(e) for e in exc.errors()],
        ) from None


def _row(req: RequirementRow, today: Any = None) -> dict[str, Any]:
    from trainctl.queries import requirements as q

    return {
        "id": req.id,
        "registry_code": req.registry_code,
        "name": req.name + (f" ({_retired_words(req, today, why=False)})" if req.retired_on else ""),
        "requirement_type": req.requirement_type,
        "target": q.target_text(req),
        "frequency": q.frequency_text(req),
        "required_positions": req.required_positions or "everyone",
        "registry_name": req.registry_name,
        "source_document": _short(q.source_label(req)),
    }


def _retired_words(req: RequirementRow, today: Any, *, why: bool = True) -> str:
    """'retired on 2027-01-01 (dropped by the county)', or 'retires on ...' for a day to
    come; `why=False`: without the reason (a list's row)."""
    from trainctl.queries import requirements as q

    assert req.retired_on is not None
    text = q.retired_text(req.retired_on, req.retired_reason if why else None)
    if today is not None and req.retired_on > today:  # planned
        text = "retires" + text.removeprefix("retired")
    return text


def _short(text: str, width: int = 40) -> str:
    """The head of a source document for tables: 'NFPA 1001', 'Pro Board accreditation to NFPA 1002 (2017 edition)'."""
    for sep in (",", ";", ":"):
        text = text.split(sep, 1)[0]
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameOpt = None,
    requirement_type: TypeOpt = None,
    description: DescOpt = None,
    hours: HoursOpt = None,
    shifts: ShiftsOpt = None,
    calls: CallsOpt = None,
    course: CourseOpt = None,
    credential: CredentialOpt = None,
    skill: SkillOpt = None,
    item: ItemOpt = None,
    hour_categories: CategoriesOpt = None,
    frequency: FrequencyOpt = None,
    period_months: PeriodOpt = None,
    anchor: AnchorOpt = None,
    time_limit_days: LimitOpt = None,
    position: PositionOpt = None,
    source: SourceOpt = None,
    registry: RegistryOpt = None,
    code: CodeOpt = None,
    source_document: DocOpt = None,
    alias: AliasOpt = None,
    editable: EditableOpt = None,
    counts_course: CountsCourseOpt = None,
    counts_type: CountsTypeOpt = None,
    counts_category: CountsCategoryOpt = None,
    counts_call_type: CountsCallTypeOpt = None,
    counts_attendance: CountsAttendanceOpt = None,
    cycle_end: CycleEndOpt = None,
    cycle_credential: CycleCardOpt = None,
    copy_from: Annotated[
        str | None,
        _opt(
            "--from",
            help="Start from a copy of this requirement (id, code or name): an editable department copy; the other options change it. "
            "Its source becomes 'department default (copied from CODE)'; a changed target drops the original's description unless --description is given.",
        ),
    ] = None,
) -> None:
    """Add a requirement to the catalog (needs training.manage).

    Each type needs its target: hours --hours, shifts --shifts, calls --calls, courses
    --course, certification --credential (or --course), skills_evaluation --skill,
    checklist --item. With --format json, prints the new record."""
    from trainctl.errors import UsageError
    from trainctl.schemas.requirements import RequirementCreate, RequirementUpdate
    from trainctl.services import requirements as svc

    given = _given(
        name=name, requirement_type=requirement_type, description=description,
        required_hours=hours, required_shifts=shifts, required_calls=calls,
        required_courses=course, credential_code=credential, required_skills=skill,
        checklist_items=item, hour_categories=_categories(hour_categories), frequency=frequency,
        period_months=period_months, period_anchor=anchor, time_limit_days=time_limit_days,
        required_positions=_split(position), source=source, registry_name=registry,
        registry_code=code, source_document=source_document, aliases=alias, is_editable=editable,
        counts_courses=_split(counts_course), counts_training_types=_split(counts_type),
        counts_categories=_split(counts_category), counts_call_types=_split(counts_call_type),
        counts_attendance=counts_attendance, cycle_end=cycle_end, cycle_credential=cycle_credential,
    )  # fmt: skip
    if copy_from is None:
        missing = [
            opt
            for opt, key in (("--name", "name"), ("--type", "requirement_type"))
            if key not in given
        ]
        if missing:
            raise UsageError(
                f"Missing {' and '.join(missing)}.",
                "Example: trainctl requirement add --name 'Annual drill hours' --type hours --hours 24 --frequency annual",
            )
    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        if copy_from is not None:
            changes = _validated(RequirementUpdate, given, "add")
            req = svc.add_copy(session, actor, copy_from, changes, today=state.today(session))
        else:
            req = svc.add(session, actor, _validated(RequirementCreate, given, "add"),
                          today=state.today(session))  # fmt: skip
        out = svc.read(req)
        message = f"Added requirement {req.id}: {req.name} ({req.requirement_type}, {svc.target_text(req)})."
        unknown_card = svc.unknown_cycle_card(session, req) if "cycle_credential" in given else None
        entry = svc.entry_notice(req)
        from trainctl.domain import credit as dc

        counts_nothing = dc.Accepts.of(req).names_nothing
    if state.fmt == "json":
        render.emit_json(out)
    if message:
        render.info(message, quiet=state.quiet)
    if unknown_card:
        render.warn(unknown_card)
    if entry:
        render.info(f"Note: {entry}", quiet=state.quiet)
    if counts_nothing:  # (a warning, not a refusal: what counts may be named next)
        from trainctl.domain.text import shell_word

        render.warn(f"{req.name} names nothing it counts, so no record counts toward it yet; "
                    + dc.FIX_HINT.format(name=shell_word(req.name)) + ".")  # fmt: skip


@app.command("list")
def list_(
    ctx: typer.Context,
    source: Annotated[
        SourceLevel | None,
        _opt("--source", help="Only department, state or national requirements."),
    ] = None,
    registry: Annotated[
        str | None,
        _opt(
            "--registry",
            "-r",
            help="Only this registry (NFPA, NREMT, 'Pro Board' or proboard, ISO); 'department' for those in none.",
        ),
    ] = None,
    requirement_type: Annotated[
        ReqType | None, _opt("--type", "-t", help="Only this requirement type.")
    ] = None,
    position: Annotated[
        str | None,
        _opt(
            "--position",
            "-p",
            help="Only what applies to this position: requirements naming it, and those for everyone.",
        ),
    ] = None,
    every: Annotated[
        bool,
        _opt("--all", help="Retired requirements too (marked 'retired on DAY'); without it they are left out."),
    ] = False,
    format: FormatOpt = None,
) -> None:
    """List the requirement catalog, with each requirement's target and source. Requirements
    retired on or before today (--as-of) are left out unless --all."""
    from trainctl.queries import requirements as q

    state = get_state(ctx)
    with state.reader() as (rd, _actor):
        today = state.today_of(rd)
        rows = q.list_requirements(
            rd,
            source=source.value if source else None,
            registry=registry,
            requirement_type=requirement_type.value if requirement_type else None,
            position=position,
            in_force_on=None if every else today,
        )
    table_rows = [_row(r, today) for r in rows]
    json_rows = [r.as_dict() for r in rows]
    empty = (
        EMPTY
        if not any((source, registry, requirement_type, position))
        else "No requirement matches these filters."
    )
    fmt = fmt_of(ctx, fmt_value(format))
    if fmt == "csv":  # every field, untruncated (lists joined with ';', categories as JSON)
        render.emit_csv([_csv(r) for r in json_rows], [Col(k) for k in CSV_KEYS])
        return
    render.table(table_rows, COLUMNS, fmt, empty=empty, json_rows=json_rows)


CSV_KEYS = (
    "id", "registry_name", "registry_code", "name", "requirement_type", "source", "source_document",
    "required_hours", "required_shifts", "required_calls", "required_courses", "credential_code",
    "required_skills", "checklist_items", "hour_categories", "frequency", "period_months",
    "period_anchor", "time_limit_days", "required_positions", "is_editable", "aliases", "description",
    "counts_courses", "counts_training_types", "counts_categories", "counts_call_types",
    "counts_attendance", "cycle_end", "cycle_credential", "retired_on", "retired_reason",
)  # fmt: skip


def _csv(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return {
        **data,
        "hour_categories": json.dumps(data["hour_categories"]) if data["hour_categories"] else "",
    }


@app.command("show")
def show(ctx: typer.Context, ref: RefArg, format: FormatOpt = None) -> None:
    """Show one requirement: where it comes from (standard and edition, or department
    default), its target, period and positions; and what it judged before each change
    ("until DAY": reports as of that day or earlier judge it so)."""
    from trainctl.queries import requirements as q

    state = get_state(ctx)
    fmt = fmt_of(ctx, fmt_value(format))
    with state.reader() as (rd, _actor):
        req = q.get_requirement(rd, ref)
        earlier = q.earlier_versions(rd, req)
        today = state.today_of(rd)
    if fmt != "table":  # the history in JSON (a CSV row is the requirement as it stands)
        history = [{"in_force_until": v.until.isoformat(), "changed": words, **v.values}
                   for v, words in earlier]  # fmt: skip
        extra = {"history": history} if history and fmt == "json" else {}
        render.record({**req.as_dict(), **extra}, fmt)
        return
    title = f"{req.registry_code + ': ' if req.registry_code else ''}{req.name}"
    shown = _shown(req)
    if req.retired_on is not None:  # judged by nobody from that day (everything on file stays)
        shown["retired"] = (
            f"{_retired_words(req, today)}: reports as of that day or later judge nobody by it; "
            f"`trainctl requirement unretire {req.id}` brings it back"
        )
    for version, words in reversed(earlier):  # the latest change first, as member show
        shown[f"until {version.until}"] = "; ".join(words) or "-"
    render.record(shown, "table", title=title)


def _cycle_text(req: RequirementRow) -> str | None:
    """'ends 31 March (every 24 months); the NREMT-EMT card's expiry places it': a fixed
    cycle, the requirement's own or its registry's (domain/periods.cycle_of, the rule the
    evaluator follows)."""
    from trainctl.domain.periods import FREQUENCY_MONTHS, cycle_of

    end, card, _ = cycle_of(req.registry_name, req.registry_code, req.cycle_end, req.cycle_credential)
    if end is None:
        return None
    months = FREQUENCY_MONTHS.get(req.frequency)
    every = f" (every {months} months)" if months else ""
    placed = f"; the {card} card's expiry places it" if card else "; the certification date places it"
    return f"ends {end}{every}{placed}"


def _shown(req: RequirementRow) -> dict[str, Any]:
    """`show` as a table: the source first, then the target and everything set."""
    from trainctl.queries import requirements as q

    shown: dict[str, Any] = {
        "source": f"{q.source_label(req)} ({req.source})",
        "registry": f"{req.registry_name}, code {req.registry_code}"
        if req.registry_name
        else "department",
        "id": req.id,
        "name": req.name,
        "type": req.requirement_type,
        "target": q.target_text(req),
        "frequency": q.frequency_text(req),
        "period anchor": req.period_anchor,
        **({"cycle": cycle} if (cycle := _cycle_text(req)) else {}),
        "applies to": req.required_positions or "everyone",
        "editable": req.is_editable,
    }
    optional = {
        "description": req.description,
        "credential code": req.credential_code,
        "courses": req.required_courses,
        "skills": req.required_skills,
        "checklist items": req.checklist_items,
        "time limit days": req.time_limit_days,
        "aliases": req.aliases,
        "counts courses": req.counts_courses,
        "counts training types": req.counts_training_types,
        "counts categories": req.counts_categories,
        "counts call types": req.counts_call_types,
        "counts attendance": req.counts_attendance or None,
    }
    shown.update({k: v for k, v in optional.items() if v not in (None, [])})
    for cat in req.hour_categories:
        parts = []
        if cat.get("min_hours") is not None:
            parts.append(f"min {hours_text(cat['min_hours'])} h")
        if cat.get("max_hours") is not None:
            parts.append(f"max {hours_text(cat['max_hours'])} h")
        if cat.get("distributive_max_hours") is not None:
            parts.append(f"distributive max {hours_text(cat['distributive_max_hours'])} h")
        if cat.get("topics"):
            parts.append(
                "topics: " + ", ".join(f"{t['name']} {hours_text(t['min_hours'])}" for t in cat["topics"])
            )
        shown[f"category {cat['name']}"] = "; ".join(parts) or "-"
    return shown


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: RefArg,
    name: NameOpt = None,
    requirement_type: TypeOpt = None,
    description: DescOpt = None,
    hours: HoursOpt = None,
    shifts: ShiftsOpt = None,
    calls: CallsOpt = None,
    course: CourseOpt = None,
    credential: CredentialOpt = None,
    skill: SkillOpt = None,
    item: ItemOpt = None,
    hour_categories: CategoriesOpt = None,
    frequency: FrequencyOpt = None,
    period_months: PeriodOpt = None,
    anchor: AnchorOpt = None,
    time_limit_days: LimitOpt = None,
    position: PositionOpt = None,
    source: SourceOpt = None,
    registry: RegistryOpt = None,
    code: CodeOpt = None,
    source_document: DocOpt = None,
    alias: AliasOpt = None,
    editable: EditableOpt = None,
    counts_course: CountsCourseOpt = None,
    counts_type: CountsTypeOpt = None,
    counts_category: CountsCategoryOpt = None,
    counts_call_type: CountsCallTypeOpt = None,
    counts_attendance: CountsAttendanceOpt = None,
    cycle_end: CycleEndOpt = None,
    cycle_credential: CycleCardOpt = None,
    clear: Annotated[
        list[str] | None,
        _opt(
            "--clear",
            help="Empty a field (repeat), e.g. --clear time_limit_days or --clear required_positions (then it applies to everyone).",
        ),
    ] = None,
    effective: Annotated[
        str | None,
        typer.Option(
            "--effective",
            metavar="DATE",
            show_default=False,
            help="The day a change of the target, what counts, frequency, window or positions "
            "takes effect, YYYY-MM-DD (default: --as-of, else today). Reports as of earlier "
            "days judge by the requirement as it stood; a correction that should reach every "
            "past report takes a day before the first record.",
        ),
    ] = None,
) -> None:
    """Change a requirement (needs training.manage). List options (--position, --item,
    --skill, --course, --alias) replace the whole list. A change of what it judges is kept
    in its history from --effective (default today): reports as of earlier days judge by
    the requirement as it stood then. Requirements set by a standard cannot be edited: copy
    them with `requirement add --from CODE`."""
    from trainctl.cli.options import parse_date
    from trainctl.schemas.requirements import RequirementUpdate
    from trainctl.services import requirements as svc

    given = _given(
        name=name, requirement_type=requirement_type, description=description,
        required_hours=hours, required_shifts=shifts, required_calls=calls,
        required_courses=course, credential_code=credential, required_skills=skill,
        checklist_items=item, hour_categories=_categories(hour_categories), frequency=frequency,
        period_months=period_months, period_anchor=anchor, time_limit_days=time_limit_days,
        required_positions=_split(position), source=source, registry_name=registry,
        registry_code=code, source_document=source_document, aliases=alias, is_editable=editable,
        counts_courses=_split(counts_course), counts_training_types=_split(counts_type),
        counts_categories=_split(counts_category), counts_call_types=_split(counts_call_type),
        counts_attendance=counts_attendance, cycle_end=cycle_end, cycle_credential=cycle_credential,
    )  # fmt: skip
    state = get_state(ctx)
    with state.session(write=True) as (session, actor):
        changes = _validated(RequirementUpdate, given, "edit")
        recredited: list[str] = []
        req, changed = svc.edit(session, actor, ref, changes, clear=_split(clear) or [],
                                today=state.today(session), report=recredited,
                                effective=parse_date(effective, "--effective"))  # fmt: skip
        out = svc.read(req)
        dated = any(f in svc.q.HISTORY_FIELDS for f in changed)
        since = svc.changed_since(session, req.id) if dated else None
        if changed:
            message = f"Updated requirement {req.id} ({req.name}): {', '.join(changed)}."
            if since is not None:
                message += (
                    f" In force from {since}: reports as of earlier days judge it as it stood "
                    f"(`trainctl requirement show {req.id}`); a correction for them too: "
                    f"`trainctl requirement edit {req.id} --effective DAY`, DAY before the first "
                    "record it should reach."
                )
        elif effective is not None:
            message = ""  # the values it has, dated: the service's line says what it did
        else:
            message = (
                f"Requirement {req.id} ({req.name}) already has these values; nothing changed."
            )
        unknown_card = svc.unknown_cycle_card(session, req) if "cycle_credential" in given else None
    if state.fmt == "json":
        render.emit_json(out)
    if message:  # (none when --effective alone re-dated it: the service's line says so)
        render.info(message, quiet=state.quiet)
    if unknown_card:
        render.warn(unknown_card)
    for line in recredited:
        render.info(line, quiet=state.quiet)


EffectiveOpt = Annotated[
    str | None,
    typer.Option(
        "--effective",
        metavar="DATE",
        show_default=False,
        help="The first day, YYYY-MM-DD (default: --as-of, else today).",
    ),
]


@app.command("retire")
def retire(
    ctx: typer.Context,
    ref: RefArg,
    effective: EffectiveOpt = None,
    reason: Annotated[
        str | None, _opt("--reason", help="Why (shown by list --all, show and explain; audited).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would happen; write nothing.")] = False,
) -> None:
    """Take a requirement out of the catalog from --effective on (needs training.manage):
    from that day nobody is judged by it (compliance reports, explain, reminders, ISO and
    NREMT figures); reports as of earlier days judge it as before, and every record, card,
    sign-off and credit stays. Refused while a program linking it has members enrolled.
    `requirement unretire` brings it back."""
    from trainctl.cli.options import parse_date
    from trainctl.queries import requirements as q
    from trainctl.services import retirement as svc

    state = get_state(ctx)
    with state.session(write=not dry_run) as (session, actor):
        done = svc.retire(session, actor, ref, effective=parse_date(effective, "--effective"),
                          reason=reason, today=state.today(session), dry_run=dry_run)  # fmt: skip
        req = done.requirement
        words = q.retired_text(done.day, done.reason)
        message = (
            f"{'Would retire' if dry_run else 'Retired'} requirement {req.id} ({req.name}) from "
            f"{words.removeprefix('retired on ')}. Reports as of {done.day} or later judge nobody "
            "by it; reports of earlier days judge it as before"
            + (" (dry run: nothing written)." if dry_run else f" (`trainctl requirement unretire {req.id}` brings it back).")
        )
    render.info(message, quiet=state.quiet)


@app.command("unretire")
def unretire(
    ctx: typer.Context,
    ref: RefArg,
    effective: EffectiveOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would happen; write nothing.")] = False,
) -> None:
    """Bring a retired requirement back from --effective on (needs training.manage; not a
    day after today). From its retirement day or earlier, the retirement is undone (every
    report judges it); from a later day, reports of the days in between still leave it out
    (`requirement show`)."""
    from trainctl.cli.options import parse_date
    from trainctl.services import retirement as svc

    state = get_state(ctx)
    with state.session(write=not dry_run) as (session, actor):
        done = svc.unretire(session, actor, ref, effective=parse_date(effective, "--effective"),
                            today=state.today(session), dry_run=dry_run)  # fmt: skip
        req = done.requirement
        verb = "Would bring back" if dry_run else "Brought back"
        if done.undone:
            message = (f"{verb} requirement {req.id} ({req.name}): its retirement is undone; "
                       "reports of every day judge it.")  # fmt: skip
        else:
            message = (f"{verb} requirement {req.id} ({req.name}) from {done.day}: reports of "
                       "the days it was retired still leave it out.")  # fmt: skip
        if dry_run:
            message += " (dry run: nothing written)"
    render.info(message, quiet=state.quiet)


def _register_explain() -> None:
    """`requirement explain` lives in cli/explain.py (compliance, not the catalog)."""
    from trainctl.cli.explain import explain

    app.command("explain")(explain)


_register_explain()
