"""Typed text as every schema checks it: domain/text.py's one rule (no control characters,
no text-direction overrides, not only blank or invisible characters). `Line` for a name or
a code (one line), `Lines` for a description or a message (line breaks and tabs kept)."""

from __future__ import annotations

from typing import Any

from pydantic import AfterValidator

from trainctl.domain.text import name_text, problem


def _line(value: str | None) -> str | None:
    if value and (why := problem(value)) is not None:
        raise ValueError(why)
    return value


def _lines(value: str | None) -> str | None:
    if value and (why := problem(value, multiline=True)) is not None:
        raise ValueError(why)
    return value


Line = AfterValidator(_line)
Lines = AfterValidator(_lines)


def clean_name(value: Any) -> Any:
    """A name as every schema reads it (a member's, a requirement's): typed text first (a
    line break or a control character refused with why, before the spaces are folded),
    then without the invisible characters no name needs (domain.text.name_text)."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value and (why := problem(value)) is not None:
        raise ValueError(why)
    return name_text(value)
