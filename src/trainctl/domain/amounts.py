"""The bounds of a figure a person gives (pure): a target of hours, shifts or calls, one
update of progress. Sane figures that also keep every number within a database integer;
the command line (cli/options.amount), the schemas and the services read them here.

And the one rule that reads such a figure as typed (`read_number`): an option (`--add`,
`--hours`, `--threshold` ...) and a cell of any sheet (hours, a score) alike. Digits 0-9,
a sign, at most one decimal point or comma ("1.5", "1,5", ".5"); "1,500" is refused as
ambiguous (one and a half, or fifteen hundred?). Never Python's other spellings, which
float() takes: "1_000" (read as 1000), Arabic or full-width digits, an exponent ("1e3",
"1e-320", shown as 0), inf, nan. A figure other than 0 that every report would show as 0
(PLACES decimals: "0.001") is refused; more decimals are kept ("0.333", shown 0.33)."""

from __future__ import annotations

import math
import re
import unicodedata

MAX_AMOUNT = 100_000  # hours, shifts or calls: a requirement's target, one --add or --set
PLACES = 2  # decimals every report shows (hours_text: "0.25 h"); a figure shown as 0 is refused

NUMBER = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")  # the shape (ASCII digits)
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3},[0-9]{3}")  # "1,500": 1.5, or fifteen hundred?
_PYTHON = re.compile(r"[+-]?(([0-9_]+\.?[0-9_]*|\.[0-9_]+)(e[+-]?[0-9_]+)?|inf(inity)?|nan)", re.IGNORECASE)


class NotANumber(ValueError):
    """Text that is no number in any spelling ("abc", "1.5.2", ""): the command line says
    it is not a number (a usage error), a sheet names its cell."""


class NotPlain(ValueError):
    """A number in a spelling trainctl does not take (an exponent, inf, nan): refused as
    a figure outside what a person may give."""


def _other_spelling(value: str) -> None:
    """Refuse digits other than 0-9 and a '_' between digits, saying how to type them."""
    if any(ch.isdigit() and not ch.isascii() for ch in value):
        ascii_digits = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in value)
        raise ValueError(f"has digits other than 0-9; type it with 0-9 ({ascii_digits})")
    if "_" in value and NUMBER.fullmatch(value.replace("_", "")):
        raise ValueError(f"has '_' in it; write the digits alone ({value.replace('_', '')})")


def read_number(text: str, *, what: str = "a number", places: int = PLACES) -> float:
    """`text` (trimmed) as a plain decimal figure, or ValueError with the reason (the
    caller names the option or the cell): NotANumber for no number at all, NotPlain for an
    exponent, inf or nan; a plain ValueError for underscores, digits other than 0-9,
    "1,500" and a figure other than 0 shown as 0 (`_shown`). The range is the caller's."""
    value = text.strip()
    if NUMBER.fullmatch(value):
        if _THOUSANDS.fullmatch(value):
            whole, _, part = value.partition(",")
            raise ValueError(
                f"is ambiguous: {whole}.{part.rstrip('0') or '0'} or {whole}{part}? "
                "Write the one meant, with a point for a fraction"
            )
        figure = float(value.replace(",", "."))
        _shown(figure, places)
        return figure
    _other_spelling(value)
    if _PYTHON.fullmatch(value):
        raise NotPlain(f"is not {what} written plainly (no exponent, inf or nan; write it like 1.5)")
    raise NotANumber(f"is not {what} (write it like 1.5)")


WHOLE = re.compile(r"[+-]?[0-9]+")
WHOLE_DIGITS = 4_000  # int() of more than 4,300 digits raises; any bound is far below


def read_whole(text: str) -> int:
    """`text` (trimmed) as a whole number (a count of shifts, days, a version, --limit) by
    the same rule: digits 0-9 and a sign; "1_000", Arabic digits and "2.5" are refused
    with the reason (ValueError; NotANumber for no number at all). The range is the
    caller's (more than WHOLE_DIGITS digits is refused here: int() would raise)."""
    value = text.strip()
    if WHOLE.fullmatch(value):
        if len(value.lstrip("+-0")) > WHOLE_DIGITS:
            raise ValueError(f"has more than {WHOLE_DIGITS:,} digits")
        return int(value)
    _other_spelling(value)
    if NUMBER.fullmatch(value) or _PYTHON.fullmatch(value):
        raise ValueError("is not a whole number (write it like 3)")
    raise NotANumber("is not a whole number")


def check_places(value: float, places: int = PLACES) -> float:
    """A figure already a number (JSON's or TOML's, an option's), held as read_number holds
    one typed (`_shown`): 1e-320 in a file is no figure anyone meant (it was kept and shown
    as 0 h)."""
    if math.isfinite(value):
        _shown(value, places)
    return value


def _shown(value: float, places: int) -> None:
    """A figure other than 0 that every report would show as 0 (hours_text: two decimals)
    is refused: "0.001", "1e-320". More decimals than are shown are kept as given: an
    e-learning export's 0.333 h (20 minutes) is 0.333 h, shown as 0.33."""
    if value and round(value, places) == 0:
        raise ValueError(f"is less than the smallest figure shown, {10**-places:.{places}f} (a report would show it as 0)")
