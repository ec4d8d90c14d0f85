"""JSON and TOML that people give (a file, an option's value), read by one rule (pure).

Whatever the text holds, reading it either returns the data or raises DataError saying
what is wrong in plain words, never another exception: a key given twice in one object
(JSON would keep the last silently; TOML refuses it itself), a number longer than Python
converts (more than 4,300 digits), nesting deeper than the parser recurses, NaN or
Infinity (not JSON numbers). `read_json` / `read_toml` turn that into the BadInputError
(exit 65) that names the source; a caller with its own way of reporting a field takes
`parse_json`.
"""

from __future__ import annotations

import json
import sys
import tomllib
from typing import Any

from trainctl.errors import BadInputError


class DataError(ValueError):
    """What is wrong with the text (`why`), and where in it when known (`at`:
    "line 3, column 7")."""

    def __init__(self, why: str, at: str = "") -> None:
        super().__init__(f"{at}: {why}" if at else why)
        self.why, self.at = why, at

    def named(self, source: str) -> str:
        """'<source>, line 3, column 7: <why>' (or '<source>: <why>')."""
        return f"{source}, {self.at}: {self.why}" if self.at else f"{source}: {self.why}"


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DataError(f"the key {key!r} is given twice in one object; keep one")
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise DataError(f"{name} is not a number JSON allows")


def _too_long() -> DataError:
    return DataError(f"a number has more than {sys.get_int_max_str_digits():,} digits")


def parse_json(text: str) -> Any:
    """The JSON value of `text`; DataError for anything else."""
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except DataError:
        raise
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON ({exc.msg})", f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise DataError("nested too deeply") from None
    except ValueError:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise _too_long() from None


def parse_toml(text: str) -> dict[str, Any]:
    """The TOML document in `text`; DataError for anything else."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc})") from None
    except RecursionError:
        raise DataError("nested too deeply") from None
    except ValueError:  # int() of a number over the digit limit
        raise _too_long() from None


def read_json(text: str, source: str, *, hint: str, outcome: str = "") -> Any:
    """parse_json, a problem as bad input naming `source` (`outcome`: "; nothing was
    imported")."""
    try:
        return parse_json(text)
    except DataError as exc:
        raise BadInputError(f"{exc.named(source)}{outcome}.", hint) from None


def read_toml(text: str, source: str, *, hint: str, outcome: str = "") -> dict[str, Any]:
    """parse_toml, a problem as bad input naming `source`."""
    try:
        return parse_toml(text)
    except DataError as exc:
        raise BadInputError(f"{exc.named(source)}{outcome}.", hint) from None
