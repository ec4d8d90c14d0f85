"""Program rules without a database: prerequisite cycles and completeness.

A program can be enrolled in only when it is complete:
- at least one required requirement (enrollment progress is the mean over required links;
  with none it would be undefined, DESIGN §3);
- a `phases` program has at least one phase, and every phase holds at least one required
  requirement: a phase's progress is the mean over its required links, and a phase of only
  optional items would be passed the moment it starts, which is never what an officer
  means (a sign-off gate is a required checklist item, or `requires_manual_advancement` on
  a phase that has work in it).
Prerequisites (programs on programs, phases on phases of the same program) never form a
cycle: a cycle could never be satisfied.

`program_problems` is the one validity check: a program file before `apply`, a copy and a
stored program before activation, an active program after an edit all go through it, so
they say the same things.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def path_between(edges: Mapping[N, Iterable[N]], start: N, goal: N) -> list[N] | None:
    """A path start -> ... -> goal following `edges` (node -> its prerequisites), or None."""
    stack: list[tuple[N, list[N]]] = [(start, [start])]
    seen: set[N] = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                stack.append((nxt, [*path, nxt]))
    return None


def cycle_if_added(edges: Mapping[N, Iterable[N]], node: N, prerequisite: N) -> list[N] | None:
    """The cycle that `node requires prerequisite` would close (node ... node), or None."""
    if node == prerequisite:
        return [node, node]
    back = path_between(edges, prerequisite, node)
    return None if back is None else [node, *back]


def find_cycle(edges: Mapping[N, Iterable[N]]) -> list[N] | None:
    """Any cycle in the graph (first node repeated at the end), or None."""
    for node in sorted(edges, key=repr):
        for pre in edges[node]:
            back = path_between(edges, pre, node)
            if back is not None:
                return [node, *back]
    return None


def completeness_problems(
    structure_type: str,
    phase_numbers: Iterable[int],
    links: Iterable[tuple[int | None, bool]],
) -> list[str]:
    """Why a program cannot be enrolled in yet; [] when it is complete.

    `links` are (phase number or None for program level, is_required).
    """
    numbers = sorted(set(phase_numbers))
    links = list(links)
    problems: list[str] = []
    if not any(required for _, required in links):
        problems.append("it has no required requirement")
    if structure_type == "phases":
        if not numbers:
            problems.append("it is a `phases` program without phases")
        required_in = {phase for phase, required in links if required and phase is not None}
        problems.extend(
            f"phase {n} holds no required requirement" for n in numbers if n not in required_in
        )
    elif numbers:
        problems.append(
            f"it has phases but its structure is `{structure_type}` (use structure `phases`)"
        )
    return problems


CYCLE = "phase prerequisites form a cycle: "
CYCLE_HINT = (
    "A cycle of phase prerequisites could never be satisfied: drop one of the prerequisites in it."
)


def phase_cycle_text(cycle: Sequence[int], names: Mapping[int, str]) -> str:
    """A loop of phases by number (what --after takes) and by name (what people recognise):
    'phase 1 -> phase 2 -> phase 1 (Orientation → Skills → Orientation)'."""
    numbers = " -> ".join(f"phase {n}" for n in cycle)
    return f"{numbers} ({' → '.join(names.get(n, '?') for n in cycle)})"


def program_problems(
    structure_type: str,
    phases: Mapping[int, str],
    phase_prerequisites: Iterable[tuple[int, int]],
    links: Iterable[tuple[int | None, bool]],
) -> list[str]:
    """Why a program cannot be enrolled in; [] when it is valid.

    `phases` are {number: name}, `phase_prerequisites` (phase, its prerequisite) pairs of
    numbers, `links` (phase number or None for program level, is_required).
    """
    problems = completeness_problems(structure_type, phases, links)
    edges: dict[int, set[int]] = {}
    for phase, prerequisite in phase_prerequisites:
        edges.setdefault(phase, set()).add(prerequisite)
    cycle = find_cycle(edges)
    if cycle:
        problems.append(CYCLE + phase_cycle_text(cycle, phases))
    return problems


def problems_hint(problems: Sequence[str]) -> str:
    """How to fix what program_problems found."""
    hints = []
    if any(not p.startswith(CYCLE) for p in problems):
        hints.append(
            "A program needs a required requirement (`trainctl program requirement add`); a "
            "`phases` program needs phases (`trainctl program phase add`), each with a required "
            "requirement."
        )
    if any(p.startswith(CYCLE) for p in problems):
        hints.append(CYCLE_HINT)
    return " ".join(hints)
