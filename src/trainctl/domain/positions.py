"""Position codes as people type them (pure: the CLI's read path and the schemas share it)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from trainctl.domain.lookup import nearest, ref_text

_POSITION_SEPARATORS = re.compile(r"[|,;]")


def position_code(text: str) -> str:
    """'Driver Candidate', 'driver-candidate' and 'DRIVER_CANDIDATE' all mean driver_candidate;
    read as every reference is (domain.lookup.ref_text: a zero-width space pasted after
    'emt' is no part of it)."""
    return "_".join(ref_text(text).lower().replace("-", " ").split())


_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_CODE = re.compile(r"[^0-9a-z_]+")


def position_key(text: str) -> str:
    """A position as a cell may write its code or its display name: case, spacing and
    punctuation aside, words kept apart ('Driver/operator', 'driver-operator' and
    'DRIVER_OPERATOR' are 'driver operator'; 'Fire Fighter' is not 'firefighter')."""
    return " ".join(w for w in _NOT_WORD.split(ref_text(text).casefold()) if w)


class KnownPositions(dict[str, str]):
    """The department's positions, code -> display name, each found by its code or its
    display name as people write them (`position_key`): 'Probationary firefighter' is
    probationary (one position, never 'probationary' and 'firefighter'). A code wins
    over another position's display name that reads alike."""

    def __init__(self, names: Mapping[str, str] | Iterable[str] = ()) -> None:
        super().__init__(names if isinstance(names, Mapping) else {c: c for c in names})
        self.by_key: dict[str, str] = {position_key(n): c for c, n in self.items() if n}
        self.by_key.update({position_key(c): c for c in self})

    def find(self, text: str) -> str | None:
        """The code `text` names (a code or a display name), or None."""
        return self.by_key.get(position_key(text))

    def run_together(self, code: str) -> list[str]:
        """The known positions a code runs together with punctuation no separator is
        ("Firefighter/EMT", "FF+EMT"): two or more, each a known code or display name; else
        [] (and "Driver/operator", one position, never gets here: it is found whole)."""
        parts = [p for p in _NOT_CODE.split(code) if p]
        found = [self.find(p) for p in parts]
        return [c for c in found if c] if len(parts) > 1 and all(found) else []

    def closest(self, text: str) -> str | None:
        """The code of the position `text` most likely meant ('Fire Fighter', a typo), or
        None: compared without spaces, so words run together or apart match."""
        loose = {k.replace(" ", ""): c for k, c in self.by_key.items()}
        found = nearest(list(loose), position_key(text).replace(" ", ""), 1, cutoff=0.75)
        return loose[found[0]] if len(found) == 1 else None


def known_positions(known: Iterable[str]) -> KnownPositions:
    return known if isinstance(known, KnownPositions) else KnownPositions(known)


def resolve_position(text: str, known: Iterable[str]) -> str:
    """The one reading of one position as typed: the code of the known position it names
    (by code or display name), else its text as a code (position_code; the caller refuses
    an unknown one)."""
    return known_positions(known).find(text) or position_code(text)


def split_positions(value: Any, known: Iterable[str] = ()) -> list[str]:
    """Several positions in one cell (or in each of several option values): separated by
    | , ; or spaces.

    Words that together name a known position, by code or display name ("Driver
    Candidate", "Probationary firefighter", "Driver/operator"), make one position;
    otherwise spaces separate codes ("firefighter emt", "Driver Candidate officer").
    Order is kept, repeats dropped.
    """
    if value is None:
        return []
    pieces: list[str] = []
    values = [value] if isinstance(value, str) else [str(v) for v in value]
    find = known_positions(known).find  # (per row of a roster: pass a KnownPositions)
    for chunk in (c for v in values for c in _POSITION_SEPARATORS.split(v)):
        words = chunk.split()
        if known and len(words) > 1 and not any(find(w) for w in words) and find(chunk) is None:
            # no word of it is a position ("Fire Fighter"): one unknown position, which the
            # caller refuses offering the nearest, not two ('fire', 'fighter')
            pieces.append(position_code(chunk))
            continue
        start = 0
        while start < len(words):  # the longest run of words that names a known position
            for end in range(len(words), start, -1):
                phrase = " ".join(words[start:end])
                code = find(phrase)
                if code is None and end == start + 1:
                    code = position_code(phrase)
                if code is not None:
                    pieces.append(code)
                    start = end
                    break
    return list(dict.fromkeys(pieces))
