"""Pydantic input/output schemas, one module per area (members, requirements, registry,
programs, enrollment). Shared helpers live here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


def describe_errors(error: ValidationError, where: str) -> list[str]:
    """One line per problem: '<where>, field <name>: <message> (got <value>)'."""
    lines = []
    for e in error.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(row)"
        msg = e["msg"].removeprefix("Value error, ")
        got = e.get("input")
        shown = "" if isinstance(got, dict) or got is None else f" (got {got!r})"
        lines.append(f"{where}, field {loc}: {msg}{shown}")
    return lines
