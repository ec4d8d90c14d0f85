"""Which skill passes stand (pure): the member's latest evaluation of a skill decides.

A checkoff is one evaluation (passed, failed or needs_retest) and every one is kept. As the
latest card decides for a certification, the latest evaluation decides for a skill: a pass
stands until a later evaluation of the same member on the same skill (by evaluated date,
then entry order) says failed or needs_retest; a pass after that stands again. As of a
day, only evaluations on or before it count: a failure after the day takes nothing back on
that day.

One rule for every reader: compliance (domain/compliance.py), `requirement explain`, the
credit feed (program progress, services/credit_feed.py) and `skill list`'s count
(queries/skills.py) all ask `taken_back` and `stands`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

PASSED = "passed"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One checkoff as the rule needs it. `id`: its entry number (entry order on a day);
    `member` and `skill`: whose evaluation of what (compared as given: fold names first)."""

    id: int | str
    member: Hashable
    skill: Hashable
    on: date
    status: str

    @property
    def passed(self) -> bool:
        return self.status.strip().casefold() == PASSED


def _order(e: Evaluation) -> tuple[date, int, int, str]:
    """Evaluated date, then entry order (ids in number order, as the ledger orders them)."""
    if isinstance(e.id, int):
        return e.on, 0, e.id, ""
    return e.on, 1, 0, str(e.id)


def taken_back(evaluations: Iterable[Evaluation]) -> dict[int | str, Evaluation]:
    """For each pass that a later evaluation takes back: the pass's id -> the first
    failed / needs_retest evaluation after it (same member and skill). A pass not listed
    stands whatever the day; one listed stands on days before its taker (`stands`)."""
    groups: dict[tuple[Hashable, Hashable], list[Evaluation]] = {}
    for e in evaluations:
        groups.setdefault((e.member, e.skill), []).append(e)
    out: dict[int | str, Evaluation] = {}
    for group in groups.values():
        open_passes: list[Evaluation] = []
        for e in sorted(group, key=_order):
            if e.passed:
                open_passes.append(e)
            else:
                for p in open_passes:
                    out[p.id] = e
                open_passes = []
    return out


def stands(taker: Evaluation | None, as_of: date | None = None) -> bool:
    """Whether a pass taken back by `taker` (None: by nothing) stands as of `as_of` (None:
    whatever is on file counts)."""
    return taker is None or (as_of is not None and taker.on > as_of)


def standing(evaluations: Iterable[Evaluation], as_of: date | None = None) -> list[Evaluation]:
    """The passes that stand as of `as_of`, in date and entry order (those dated after it
    aside)."""
    items = [e for e in evaluations if as_of is None or e.on <= as_of]
    takers = taken_back(items)
    return sorted((e for e in items if e.passed and e.id not in takers), key=_order)


def took_back(taker: Evaluation) -> str:
    """Why a pass does not count: "failed on 2026-11-20 after this pass"."""
    status = taker.status.strip().casefold()
    said = "marked needs retest" if status == "needs_retest" else status.replace("_", " ")
    return f"{said} on {taker.on} after this pass"


__all__ = ["Evaluation", "standing", "stands", "taken_back", "took_back"]
