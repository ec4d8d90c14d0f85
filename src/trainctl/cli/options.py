"""Options shared by many commands (defined once, used everywhere)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from trainctl.domain import amounts
from trainctl.domain.text import echo, quoted
from trainctl.errors import BadInputError, TrainctlError, UsageError


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="Output: table (default), json or csv.", show_default=False),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Skip the confirmation.")]
class Whole:
    """The parser of a whole-number option or argument (--shifts, --limit, --version, a
    phase number): read by amounts.read_whole, the rule of `amount`'s numbers, where
    Click's int() took "1_000" as 1000 and Arabic or full-width digits. A refusal names
    the option, what was typed and how to type it, exit 2 as Click's were; `min`/`max`:
    the range Click's IntRange gave (other bounds stay the command's, exit 65)."""

    def __init__(self, option: str, low: int | None = None, high: int | None = None) -> None:
        self.option, self.min, self.max = option, low, high
        self.__name__ = "integer"  # (the metavar INTEGER, as Click's)

    def __call__(self, text: str | int) -> int:
        option = self.option
        if isinstance(text, int):  # a default
            return text
        try:
            number = amounts.read_whole(text)
        except amounts.NotANumber:
            raise UsageError(f"{option} {quoted(text)} is not a whole number.", "Write a whole number such as 3.") from None
        except ValueError as exc:
            raise UsageError(f"{option} {echo(text)} {exc}.", "Type a whole number with digits 0-9 alone (no '_', point or exponent).") from None
        if self.min is not None and self.max is not None and not self.min <= number <= self.max:
            raise UsageError(f"{option} {echo(text)}: not a whole number from {self.min:,} to {self.max:,}.",
                             f"Give {option} a whole number within that range.")  # fmt: skip
        return number


def whole(option: str, low: int | None = None, high: int | None = None) -> Whole:
    """A whole-number option's parser (`Whole`), from `low` to `high` when given."""
    return Whole(option, low, high)


# A listing that grows for ever (records, shifts, calls): a table shows the newest
# TABLE_LIMIT and says how many more there are; a file (csv, json) has every row unless
# --limit is given. 220,000 records took 17 s to scroll past in a table.
TABLE_LIMIT = 100
# The largest --limit of any listing: a number past SQLite's 64-bit INTEGER crashed `record
# list` (OverflowError, exit 70); a range check says so with exit 2 (0 shows all).
LIMIT_MAX = 1_000_000
LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit", parser=whole("--limit", 0, LIMIT_MAX), metavar="N", show_default=False,
        help=f"Show at most N rows, newest first; 0 shows all. "
        f"Default: {TABLE_LIMIT} in a table, all in csv or json.",
    ),
]  # fmt: skip


def amount(
    option: str, low: float, high: float, *, refuse: type[TrainctlError] = BadInputError
) -> Callable[[str], float]:
    """The parser of a number option (an amount, a percentage): the one check that it is a
    number from `low` to `high`, read by the rule every sheet cell is read by
    (amounts.read_number: digits 0-9, one decimal point or comma, nothing shown as 0; no
    "1_000", exponent, inf or nan). Click made '1e400' a float first and the refusal said
    "got inf", and float() took "1_000" as 1000 and Arabic digits; this reads the text as
    typed, so the refusal names the option, what was typed and why or the range
    ("--hours 1e400: not a number from 0 to 100,000"), exit 65 as for any bad value
    (`refuse`: UsageError, exit 2, for a filter of a read command, as before). Text that is
    no number at all is a usage error, as Click said it. Bounds finer than the range (above
    0, whole shifts) stay the command's."""
    example = f"{option} {min(max(low, 2.5), high):g}"

    def parse(text: str) -> float:
        plainly = ""
        try:
            value = amounts.read_number(text)
        except amounts.NotANumber:
            raise UsageError(f"{option} {quoted(text)} is not a number.", "Write a number such as 2 or 1.5.") from None
        except amounts.NotPlain:  # an exponent, inf or nan: said as outside the range
            value, plainly = math.nan, " (digits 0-9, at most one decimal point, no exponent)"
        except ValueError as exc:
            raise refuse(f"{option} {echo(text)} {exc}.", f"Type {option} as digits 0-9 with at most one decimal point, e.g. {example}.") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise refuse(
                f"{option} {echo(text)}: not a number from {low:,g} to {high:,g}.",
                f"Give {option} a plain number within that range{plainly}, e.g. {example}.",
            )
        return value

    parse.__name__ = "NUMBER"  # (the metavar Click would derive from the parser's name)
    return parse


def is_stdout(path: object) -> bool:
    """`-` as an output file: standard output, as for every Unix tool, not a file named
    `-` (pathlib reads `./-` as `-` too; a file of that name is `$PWD/-`)."""
    return path is not None and str(path) == "-"


def not_stdout(path: object, what: str, hint: str) -> None:
    """Refuse `-` where only a file or folder will do (a backup, a folder of messages)."""
    if is_stdout(path):
        from trainctl.errors import UsageError

        raise UsageError(f"{what} cannot go to standard output ('-').", hint)


def row_limit(limit: int | None, fmt: str) -> int | None:
    """The number of rows to show (None: all)."""
    if limit is None:
        return TABLE_LIMIT if fmt == "table" else None
    return limit or None


def parse_date(value: str | None, field: str = "date") -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from trainctl.domain.sheet import parse_date as sheet_date

        try:  # M/D/YYYY, as in every file; or why the day does not exist
            return sheet_date(value)
        except ValueError as exc:
            why = f"{exc}." if str(exc).startswith("is ") else f"is not a date: {exc}."
            why = why.replace(" (write it as YYYY-MM-DD or M/D/YYYY).", "; write it as YYYY-MM-DD or M/D/YYYY.")
        raise typer.BadParameter(f"{value!r} {why}", param_hint=field) from None


def one_as_of(global_day: date | None, local: str | None) -> date | None:
    """A command's own --as-of, or trainctl's (`trainctl --as-of D report ...`); both given
    and different is refused (one of them would be dropped without a word)."""
    day = parse_date(local, "--as-of")
    if day is not None and global_day is not None and day != global_day:
        raise typer.BadParameter(
            f"given twice: {global_day} before the command and {day} after it; give one date.",
            param_hint="--as-of",
        )
    return day or global_day


def fmt_value(fmt: OutputFormat | None) -> str | None:
    return fmt.value if fmt is not None else None
