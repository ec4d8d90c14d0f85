"""Position codes as people type them (pure: the CLI's read path and the schemas share it)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from trainctl.domain.lookup import ref_text

_POSITION_SEPARATORS = re.compile(r"[|,;]")


def position_code(text: str) -> str:
    """'Driver Candidate', 'driver-candidate' and 'DRIVER_CANDIDATE' all mean driver_candidate;
    read as every reference is (domain.lookup.ref_text: a zero-width space pasted after
    'emt' is no part of it)."""
    return "_".join(ref_text(text).lower().replace("-", " ").split())


def split_positions(value: Any, known: Iterable[str] = ()) -> list[str]:
    """Several positions in one cell (or in each of several option values): separated by
    | , ; or spaces.

    Words that together name a known position ("Driver Candidate") make one position;
    otherwise spaces separate codes ("firefighter emt", "Driver Candidate officer").
    Order is kept, repeats dropped.
    """
    if value is None:
        return []
    pieces: list[str] = []
    values = [value] if isinstance(value, str) else [str(v) for v in value]
    known = known if isinstance(known, set | frozenset | dict) else set(known)  # (per row of a roster)
    for chunk in (c for v in values for c in _POSITION_SEPARATORS.split(v)):
        words = chunk.split()
        start = 0
        while start < len(words):  # the longest run of words that names a known position
            for end in range(len(words), start, -1):
                code = position_code(" ".join(words[start:end]))
                if code in known or end == start + 1:
                    pieces.append(code)
                    start = end
                    break
    return list(dict.fromkeys(pieces))
