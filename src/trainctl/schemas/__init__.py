"""Pydantic input/output schemas, one module per area (members, requirements, registry,
programs, enrollment). Shared helpers live here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


def plain_message(error: Any) -> str:
    """Pydantic's message for one error, in plain words where its own wording is obscure
    (an empty value reads "Value should have at least 1 item after validation, not 0")."""
    got = error.get("input")
    if error["type"] in ("too_short", "string_too_short") and got in ("", [], ()):
        return "must not be empty"
    return str(error["msg"]).removeprefix("Value error, ")


def describe_errors(error: ValidationError, where: str) -> list[str]:
    """One line per problem: '<where>, field <name>: <message> (got <value>)'; a problem
    with the whole object (no field) reads '<where>: <message>'."""
    lines = []
    for e in error.errors():
        loc = ".".join(str(p) for p in e["loc"])
        got = e.get("input")
        shown = "" if isinstance(got, dict) or got is None else f" (got {got!r})"
        lines.append(f"{where}{f', field {loc}' if loc else ''}: {plain_message(e)}{shown}")
    return lines
