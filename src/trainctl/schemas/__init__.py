"""Pydantic input/output schemas, one module per area (members, requirements, registry,
programs, enrollment). Shared helpers live here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trainctl.domain import amounts
from trainctl.domain.text import echo as echo_text
from trainctl.domain.text import visible

if TYPE_CHECKING:
    from pydantic import ValidationError, ValidationInfo


def plain_message(error: Any) -> str:
    """Pydantic's message for one error, in plain words where its own wording is obscure
    (an empty value reads "Value should have at least 1 item after validation, not 0")."""
    got = error.get("input")
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("too_short", "string_too_short") and got in ("", [], ()):
        return "must not be empty"
    if kind in ("too_short", "string_too_short") and isinstance(got, str) and not visible(got):
        return "must not be blank (it has only blank or invisible characters)"  # (domain/text)
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"must be {expected}" if expected else "is not one of the allowed values"
    plain = {
        "float_parsing": "is not a number",
        "float_type": "is not a number",
        "int_parsing": "is not a whole number",
        "int_type": "is not a whole number",
        "int_from_float": "is not a whole number",
        "bool_parsing": "is not yes or no",
        "bool_type": "is not yes or no",
        "date_parsing": "is not a date (write YYYY-MM-DD)",
        "date_from_datetime_parsing": "is not a date (write YYYY-MM-DD)",
        "date_type": "is not a date (write YYYY-MM-DD)",
        "datetime_parsing": "is not a date and time",
        "missing": "is required",
        "string_type": "must be text",
        "list_type": "must be a list",
        "extra_forbidden": "is not a field here",
        "finite_number": "must be a finite number",
    }
    if kind in plain:
        return plain[kind]
    bounds = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than",
              "less_than_equal": "at most"}  # fmt: skip
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        return f"must be {bounds[kind]} {limit:g}" if isinstance(limit, float) else f"must be {bounds[kind]} {limit}"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(got, str)):
        return f"must be at most {ctx.get('max_length')} characters"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message


# Validation context of values as a person gave them (a program or registry file, an
# option's JSON), not a row on file being checked again: `model_validate(data, context=TYPED)`.
TYPED = {"typed": True}
TYPED_STRICT = {"typed": True, "strict": True}  # and validated strictly: text is no number


def figure(value: Any, info: ValidationInfo) -> Any:
    """A figure (hours, a percentage) given in a file or an option's JSON, read by the one
    rule of a typed number (domain/amounts): text as an option or a sheet's cell is read
    ("1,5"; never "1_000", "1e3" or Arabic digits, which Pydantic took); a number of JSON
    or TOML given (context TYPED) held to the smallest figure shown (1e-320 was kept as "0 h"). A
    row on file is checked again as it is (a figure typed before the rule stays editable);
    under TYPED_STRICT (a registry file) text stays text, for the strict type to refuse.
    A BeforeValidator: the bounds stay the field's; text that is no number at all is left
    to the field's type ("is not a number")."""
    context = info.context or {}
    if isinstance(value, str):
        try:
            number = amounts.read_number(value)
        except amounts.NotANumber:
            return value
        return value if context.get("strict") else number
    if isinstance(value, float) and context.get("typed"):
        return amounts.check_places(value)
    return value


def echo(value: Any) -> str:
    """The value a problem names, as typed; a long text or number by its start and length
    (a 100,000-character name is not printed back whole)."""
    if isinstance(value, str) and len(value) > 80:
        return f"{value[:40]!r}... ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and len(digits := str(value)) > 80:
        return f"{digits[:40]}... ({len(digits):,} digits)"
    return repr(value)


def field_path(loc: Sequence[Any]) -> str:
    """A problem's field ('requirement_definitions.0.name') as a message names it: a key
    read from a file or from an option's JSON is shown as typed when plain, else escaped
    (an ESC sequence in a key never reaches the terminal) and by its start when long (a
    100,000-character key is not printed back whole): domain.text.echo."""
    return ".".join(echo_text(p) if isinstance(p, str) else str(p) for p in loc)


def describe_errors(
    error: ValidationError, where: str, options: Mapping[str, str] | None = None
) -> list[str]:
    """One line per problem: '<where>, field <name>: <message> (got <value>)'; a problem
    with the whole object (no field) reads '<where>: <message>'. `options`: a command's
    option for a field ('credit_hours' -> '--hours'): the line names what was typed,
    '--hours: must be 0 or more hours (got '-1')'."""
    lines = []
    for e in error.errors():
        loc = field_path(e["loc"])
        got = e.get("input")
        shown = "" if isinstance(got, dict) or got is None else f" (got {echo(got)})"
        field = str(e["loc"][0]) if e["loc"] else ""
        if options and field in options:
            lines.append(f"{options[field]}: {plain_message(e)}{shown}")
            continue
        lines.append(f"{where}{f', field {loc}' if loc else ''}: {plain_message(e)}{shown}")
    return lines
