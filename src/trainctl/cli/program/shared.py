"""What the `trainctl program` commands share: arguments and options, turning them into
schemas (invalid input exits 65 with one line per field), and reading a program's tree on
the read side."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trainctl.cli.options import whole
from trainctl.cli.state import get_state
from trainctl.errors import BadInputError

if TYPE_CHECKING:
    from trainctl.queries.programs import ProgramTree


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
        "--phase", "-p", help="Phase number (default: the program level).", show_default=False,
        parser=whole("--phase"),
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
        parser=whole("--time-limit-days"),
        help="Days from enrollment to the program deadline.",
        show_default=False,
    ),
]
WarningOpt = Annotated[
    int | None,
    typer.Option(
        "--warning-days", help="Warn this many days before the deadline.", show_default=False,
        parser=whole("--warning-days"),
    ),
]
RemindersOpt = Annotated[
    str | None, typer.Option("--reminders", help=REMINDER_HELP, show_default=False)
]


def validated(model: Any, where: str, /, **values: Any) -> Any:
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


def reminders_value(text: str | None) -> Any:
    if text is None:
        return None
    from trainctl.domain.structured import read_json

    data = read_json(text, "--reminders", hint="Write it like '{\"lead_days\": [30, 14, 7]}'.")
    from trainctl.schemas.programs import ReminderConditions

    if not isinstance(data, dict):
        raise BadInputError(
            "--reminders must be a JSON object.", "Write it like '{\"lead_days\": [30, 14, 7]}'."
        )
    return validated(ReminderConditions, "reminder conditions", **data)


def given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def read_tree(ctx: typer.Context, program: str) -> ProgramTree:
    """A program's whole tree, read on the read side (typed rows, no ORM)."""
    from trainctl.queries import programs as q

    with get_state(ctx).reader() as (rd, _actor):
        return q.load_tree(rd, q.get_program(rd, program))
