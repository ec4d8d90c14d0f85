"""Typed text as every schema checks it: domain/text.py's one rule (no control characters,
no text-direction overrides, not only blank or invisible characters). `Line` for a name or
a code (one line), `Lines` for a description or a message (line breaks and tabs kept)."""

from __future__ import annotations

from pydantic import AfterValidator

from trainctl.domain.text import problem


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
