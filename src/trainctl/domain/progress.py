"""Progress maths (DESIGN §2-§3): pure functions, no database.

- Percentages per requirement type, capped at 100.
- Status derived from the percentage and an explicit override, so the two never disagree.
- The enrollment rollup: the mean over required program requirements, each counted once.
- Deadlines: enrollment target date, phase deadline, requirement deadline.
- Gates: sequential order, is_prerequisite scopes, phase prerequisites, phase advancement.
- Milestones: which thresholds a new percentage crosses.

The services feed these functions with rows read in a few queries and write the results
back set-based; the same formulas are used for one progress row and for a thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

NUMERIC_TYPES = ("hours", "shifts", "calls")
# The unit a requirement's 'value / target' is counted in.
UNITS = {"hours": "h", "shifts": "shifts", "calls": "calls", "courses": "courses",
         "skills_evaluation": "skills", "checklist": "items", "certification": "cert"}  # fmt: skip
SET_TYPES = ("courses", "skills_evaluation", "checklist", "certification")
DONE = ("completed", "waived")


# ---------------------------------------------------------------------------- percentages
def _cap(pct: float) -> float:
    """Clamp to [0, 100] and round away float noise (33.333333333333336 -> 33.3333)."""
    return round(min(100.0, max(0.0, pct)), 4)


def ratio_percentage(value: float, target: float | None) -> float:
    """hours / shifts / calls: credited total / target x 100, capped at 100."""
    if not target or target <= 0:
        return 0.0
    return _cap(100.0 * value / target)


DISTRIBUTIVE = "distributive"  # the `item` of an hours credit earned by distributive education


@dataclass(frozen=True)
class HourCategory:
    """A component of an hours requirement (schemas/requirements.py describes the JSON)."""

    name: str
    min_hours: float = 0.0
    max_hours: float | None = None  # a cap on what this category may contribute
    distributive_max_hours: float | None = None  # a cap on self-paced hours within it
    topics: tuple[tuple[str, float], ...] = ()  # (topic, minimum hours) inside the category


def parse_categories(raw: Iterable[Any]) -> list[HourCategory]:
    """`Requirement.hour_categories` JSON -> HourCategory list (unknown keys ignored)."""
    out = []
    for c in raw or ():
        if isinstance(c, str):
            out.append(HourCategory(c))
        elif isinstance(c, Mapping) and c.get("name"):
            cap, dcap = c.get("max_hours"), c.get("distributive_max_hours")
            topics = tuple(
                (str(t["name"]), float(t.get("min_hours") or 0))
                for t in c.get("topics") or ()
                if isinstance(t, Mapping) and t.get("name")
            )
            out.append(
                HourCategory(
                    str(c["name"]),
                    float(c.get("min_hours") or 0),
                    float(cap) if cap is not None else None,
                    float(dcap) if dcap is not None else None,
                    topics,
                )
            )
    return out


def split_category(category: str | None) -> tuple[str, str | None]:
    """ "national/airway" -> ("national", "airway"); "local" -> ("local", None)."""
    head, _, topic = (category or "").partition("/")
    return head.strip().casefold(), (topic.strip().casefold() or None)


def free_hours(required: float | None, categories: Sequence[HourCategory]) -> float:
    """Hours of the target that no category minimum claims (what uncategorised hours fill)."""
    return max(0.0, float(required or 0) - sum(c.min_hours for c in categories))


def category_hours(
    required: float | None, categories: Sequence[HourCategory], credits: Iterable[Credit]
) -> tuple[float, float]:
    """Hours with per-category minimums, caps, distributive caps and topic minimums.
    Returns (effective hours, percentage).

    A credit's category is "CATEGORY" or "CATEGORY/TOPIC"; distributive (self-paced)
    hours carry item "distributive". The target splits into each category's minimum plus
    a free remainder, and a category's minimum into its topic minimums plus a free part.
    Hours fill minimums first; what is left over (after the caps) fills the free remainder.
    Hours in no defined category only fill the free remainder. 100% therefore means every
    minimum met and the total reached. The value is the hours that count toward the
    target, so value / target always agrees with the percentage; the ledger keeps the rest.
    """
    known = {c.name.casefold(): c for c in categories}
    hours: dict[str, float] = {}
    distributive: dict[str, float] = {}
    topic_hours: dict[tuple[str, str], float] = {}
    other = 0.0
    for credit in credits:
        name, topic = split_category(credit.category)
        if name not in known:
            other += credit.amount
            continue
        hours[name] = hours.get(name, 0.0) + credit.amount
        if (credit.item or "").casefold() == DISTRIBUTIVE:
            distributive[name] = distributive.get(name, 0.0) + credit.amount
        if topic is not None:
            topic_hours[(name, topic)] = topic_hours.get((name, topic), 0.0) + credit.amount
    other = max(0.0, other)
    toward_min = 0.0
    excess = other
    total = other
    for key, cat in known.items():
        h = max(0.0, hours.get(key, 0.0))
        if cat.distributive_max_hours is not None:
            h -= max(0.0, distributive.get(key, 0.0) - cat.distributive_max_hours)
        if cat.max_hours is not None:
            h = min(h, cat.max_hours)
        h = max(0.0, h)
        total += h
        topic_min = sum(m for _, m in cat.topics)
        in_topics = min(
            h,
            sum(min(max(0.0, topic_hours.get((key, t.casefold()), 0.0)), m) for t, m in cat.topics),
        )
        met = min(
            cat.min_hours, in_topics + min(h - in_topics, max(0.0, cat.min_hours - topic_min))
        )
        toward_min += met
        excess += h - met
    minimums = sum(c.min_hours for c in categories)
    target = max(float(required or 0), minimums)
    if target <= 0:
        return round(total, 4), 0.0
    filled = toward_min + min(excess, target - minimums)
    return round(filled, 4), _cap(100.0 * filled / target)


def item_names(raw: Iterable[Any]) -> list[str]:
    """Checklist items / required skills: strings, or objects with a name (or code)."""
    names = []
    for item in raw or ():
        if isinstance(item, Mapping):
            name = item.get("name") or item.get("code") or item.get("skill")
            if name:
                names.append(str(name))
        elif item is not None and str(item).strip():
            names.append(str(item))
    return names


def match_item(choices: Iterable[str], wanted: str) -> str | None:
    """The choice equal to `wanted` ignoring case and surrounding space, else None."""
    key = wanted.strip().casefold()
    return next((c for c in choices if c.strip().casefold() == key), None)


def set_percentage(done: Iterable[str], required: Iterable[str]) -> tuple[int, float]:
    """courses / skills / checklist: distinct required items done / required items."""
    req = {r.strip().casefold() for r in required}
    if not req:
        return 0, 0.0
    got = {d.strip().casefold() for d in done} & req
    return len(got), _cap(100.0 * len(got) / len(req))


def certification_percentage(held: Iterable[str], codes: Iterable[str]) -> float:
    """100 while a matching credential is held (explicit codes only, never a loose match)."""
    wanted = {c.strip().casefold() for c in codes if c}
    return 100.0 if wanted & {h.strip().casefold() for h in held} else 0.0


@dataclass(frozen=True)
class Target:
    """What a requirement asks for, as the progress maths needs it."""

    requirement_type: str
    required_hours: float | None = None
    required_shifts: int | None = None
    required_calls: int | None = None
    required_courses: tuple[str, ...] = ()
    credential_code: str | None = None
    required_skills: tuple[str, ...] = ()
    checklist_items: tuple[str, ...] = ()
    hour_categories: tuple[HourCategory, ...] = ()

    @classmethod
    def of(cls, req: Any) -> Target:
        """From a Requirement row (or anything with the same attributes)."""
        return cls(
            requirement_type=req.requirement_type,
            required_hours=req.required_hours,
            required_shifts=req.required_shifts,
            required_calls=req.required_calls,
            required_courses=tuple(str(c) for c in req.required_courses or ()),
            credential_code=req.credential_code,
            required_skills=tuple(item_names(req.required_skills)),
            checklist_items=tuple(item_names(req.checklist_items)),
            hour_categories=tuple(parse_categories(req.hour_categories)),
        )

    @property
    def is_numeric(self) -> bool:
        return self.requirement_type in NUMERIC_TYPES

    @property
    def numeric_target(self) -> float | None:
        return {
            "hours": self.required_hours,
            "shifts": self.required_shifts,
            "calls": self.required_calls,
        }.get(self.requirement_type)

    @property
    def items(self) -> tuple[str, ...]:
        """The set a set-valued requirement is made of (what `--check ITEM` may name)."""
        if self.requirement_type == "courses":
            return self.required_courses
        if self.requirement_type == "skills_evaluation":
            return self.required_skills
        if self.requirement_type == "checklist":
            return self.checklist_items
        if self.requirement_type == "certification":
            return tuple(c for c in (self.credential_code, *self.required_courses) if c)
        return ()

    @property
    def target_value(self) -> float | None:
        """The figure shown as 'value / target'."""
        if self.is_numeric:
            return self.numeric_target
        if self.requirement_type == "certification":
            return 1.0
        return float(len(self.items)) if self.items else None


@dataclass(frozen=True)
class Credit:
    amount: float
    category: str | None = None
    item: str | None = None


def measure(target: Target, credits: Iterable[Credit]) -> tuple[float, float]:
    """(progress value, percentage) of counted credits against the requirement's target."""
    credits = list(credits)
    if target.is_numeric:
        if target.requirement_type == "hours" and target.hour_categories:
            return category_hours(target.required_hours, target.hour_categories, credits)
        value = max(0.0, round(sum(c.amount for c in credits), 4))
        return value, ratio_percentage(value, target.numeric_target)
    done = items_done(credits)
    if target.requirement_type == "certification":
        pct = certification_percentage(done, target.items)
        return (1.0 if pct else 0.0), pct
    count, pct = set_percentage(done, target.items)
    return float(count), pct


def items_done(credits: Iterable[Credit]) -> set[str]:
    """Items whose credits net above zero (a check is +1, an uncheck -1)."""
    net: dict[str, tuple[str, float]] = {}
    for c in credits:
        if c.item is None:
            continue
        key = c.item.strip().casefold()
        name, total = net.get(key, (c.item, 0.0))
        net[key] = (name, total + c.amount)
    return {name for name, total in net.values() if total > 0}


# ---------------------------------------------------------------------------------- status
def derive_status(percentage: float, override: str | None, value: float = 0.0) -> str:
    """Status follows value and override, so it can never disagree with the percentage."""
    if override == "waived":
        return "waived"
    percentage = _cap(percentage)  # the same rounding as effective_percentage
    if override == "completed" or percentage >= 100:
        return "completed"
    if percentage > 0 or value > 0:
        return "in_progress"
    return "not_started"


def effective_percentage(percentage: float, override: str | None) -> float:
    """What a row contributes to rollups: an override counts as done."""
    return 100.0 if override in ("completed", "waived") else _cap(percentage)


def rollup(rows: Iterable[tuple[bool, float]]) -> float:
    """Enrollment progress: mean effective percentage over REQUIRED links, each counted once.

    `rows` are (is_required, effective percentage), one per program requirement link.
    """
    required = [pct for is_required, pct in rows if is_required]
    if not required:
        return 0.0
    return _cap(sum(required) / len(required))


def enrollment_status(current: str, percentage: float) -> str:
    """Auto-complete at 100 and reopen below; hold / withdraw / fail are left alone."""
    if current == "active" and percentage >= 100:
        return "completed"
    if current == "completed" and percentage < 100:
        return "active"
    return current


# -------------------------------------------------------------------------------- deadlines
def add_days(start: date | None, days: int | None) -> date | None:
    if start is None or days is None:
        return None
    return start + timedelta(days=days)


def enrollment_target(
    enrolled_on: date, time_limit_days: int | None, explicit: date | None = None
) -> date | None:
    """Explicit target date, else enrolled date + the program's time limit."""
    if explicit is not None:
        return explicit
    return add_days(enrolled_on, time_limit_days)


def phase_deadline(phase_started_on: date | None, time_limit_days: int | None) -> date | None:
    return add_days(phase_started_on, time_limit_days)


def requirement_deadline(
    scope_start: date | None, custom_deadline_days: int | None, time_limit_days: int | None
) -> date | None:
    """Scope start (enrollment, or the phase's start) + custom_deadline_days, else the
    requirement's own time_limit_days."""
    days = custom_deadline_days if custom_deadline_days is not None else time_limit_days
    return add_days(scope_start, days)


def is_overdue(deadline: date | None, status: str, today: date) -> bool:
    return deadline is not None and status not in DONE and today > deadline


# ------------------------------------------------------------------------------------ gates
@dataclass(frozen=True)
class Link:
    """One program requirement link as the gating rules see it."""

    id: int
    name: str
    phase_id: int | None
    sort_order: int
    is_required: bool
    is_prerequisite: bool
    status: str  # the progress row's derived status for this enrollment

    @property
    def done(self) -> bool:
        return self.status in DONE


def _order(link: Link) -> tuple[int, int]:
    return (link.sort_order, link.id)


def credit_blocker(
    links: Sequence[Link],
    target_id: int,
    *,
    structure_type: str,
    current_phase_id: int | None,
    phases: Sequence[Phase] = (),
) -> str | None:
    """Why the link `target_id` may not take credit now, or None when it may.

    - phases: a requirement in a phase that has not started yet takes no credit. A phase
      has started when it is the current one, comes before the current one in the order
      the enrollment walks the phases (`started_phases`: a correction in a passed phase is
      always possible), or its required items are complete;
    - is_prerequisite: an incomplete prerequisite link gates the rest of its scope
      (program level gates the whole program; a phase's gates that phase);
    - sequential: the required links before it in sort order must be complete.

    These gates apply to credit (--add, --set, --check). An officer's override
    (`--status completed`, `--waive`) is not gated: an officer may sign a requirement off
    or waive it out of order, and the update then says which rule it passed over.
    """
    target = next(link for link in links if link.id == target_id)
    if structure_type == "phases" and target.phase_id is not None and current_phase_id is not None:
        by_id = {p.id: p for p in phases}
        started = started_phases(phases, current_phase_id)
        if target.phase_id not in started and not scope_complete(links, target.phase_id):
            mine, cur = by_id.get(target.phase_id), by_id.get(current_phase_id)
            return (
                f"'{target.name}' belongs to phase {mine.number if mine else '?'} "
                f"({mine.name if mine else '?'}), which has not started; the member is in phase "
                f"{cur.number if cur else '?'} ({cur.name if cur else '?'})."
            )
    if not target.is_prerequisite:
        gates = [
            link
            for link in links
            if link.is_prerequisite
            and not link.done
            and link.id != target.id
            and (link.phase_id is None or link.phase_id == target.phase_id)
        ]
        if gates:
            names = ", ".join(f"'{g.name}'" for g in sorted(gates, key=_order))
            return f"Prerequisite requirement {names} must be completed before '{target.name}'."
    if structure_type == "sequential":
        before = [
            link
            for link in links
            if link.is_required
            and link.id != target.id
            and link.phase_id == target.phase_id
            and _order(link) < _order(target)
            and not link.done
        ]
        if before:
            names = ", ".join(f"'{b.name}'" for b in sorted(before, key=_order))
            return f"This program is sequential: complete {names} before '{target.name}'."
    return None


def scope_complete(links: Iterable[Link], phase_id: int | None) -> bool:
    """Every required link of the scope is completed or waived (an empty scope is complete)."""
    return all(link.done for link in links if link.phase_id == phase_id and link.is_required)


def incomplete_required(links: Iterable[Link], phase_id: int | None) -> list[Link]:
    return sorted(
        (
            link
            for link in links
            if link.phase_id == phase_id and link.is_required and not link.done
        ),
        key=_order,
    )


@dataclass(frozen=True)
class Phase:
    id: int
    number: int
    name: str
    requires_manual_advancement: bool = False
    prerequisite_ids: frozenset[int] = frozenset()


def initial_phase(phases: Sequence[Phase], completed: Iterable[int] = ()) -> Phase | None:
    """The lowest-numbered phase, not complete, whose prerequisite phases are all complete."""
    done = set(completed)
    for phase in sorted(phases, key=lambda p: p.number):
        if phase.id not in done and phase.prerequisite_ids <= done:
            return phase
    return None


def next_phase(
    phases: Sequence[Phase],
    current: Phase,
    completed: Iterable[int],
    visited: Iterable[int] = (),
) -> Phase | None:
    """The phase that follows a complete `current`: the next by number whose prerequisite
    phases are complete; failing that, any incomplete phase that may start (a phase held
    back by a later phase's prerequisite); None when nothing can start. Phases already
    `visited` (walked before `current`) are never entered again."""
    done = set(completed) | {current.id}
    seen = set(visited) | {current.id}
    ordered = sorted((p for p in phases if p.id not in seen), key=lambda p: p.number)
    later = [p for p in ordered if p.number > current.number and p.prerequisite_ids <= done]
    if later:
        return later[0]
    return initial_phase(ordered, done)


def phase_order(phases: Sequence[Phase]) -> list[Phase]:
    """The order an enrollment walks the phases when each is completed in turn: the
    initial phase, then `next_phase` after each (1, 3, 2 when phase 2 needs phase 3)."""
    order: list[Phase] = []
    seen: set[int] = set()
    current = initial_phase(phases)
    while current is not None and current.id not in seen:
        order.append(current)
        seen.add(current.id)
        current = next_phase(phases, current, seen, seen)
    return order


def started_phases(phases: Sequence[Phase], current_id: int | None) -> set[int]:
    """Phases an enrollment in phase `current_id` has entered: the current one, those
    before it in `phase_order`, and its (transitive) prerequisite phases."""
    if current_id is None:
        return set()
    by_id = {p.id: p for p in phases}
    started = {current_id}
    order = [p.id for p in phase_order(phases)]
    if current_id in order:
        started.update(order[: order.index(current_id)])
    todo = list(by_id[current_id].prerequisite_ids) if current_id in by_id else []
    while todo:
        pid = todo.pop()
        if pid not in started:
            started.add(pid)
            todo.extend(by_id[pid].prerequisite_ids if pid in by_id else ())
    return started


def auto_advance(
    phases: Sequence[Phase], current_id: int | None, completed: Iterable[int]
) -> tuple[int | None, list[Phase], Phase | None]:
    """Advance through complete phases until one is incomplete or needs an officer.

    Returns (new current phase id, phases entered in order, phase waiting for manual
    advancement or None).
    """
    by_id = {p.id: p for p in phases}
    done = set(completed)
    visited = started_phases(phases, current_id)
    entered: list[Phase] = []
    current = by_id.get(current_id) if current_id is not None else None
    for _ in range(len(phases) + 1):  # each step enters a new phase: bounded
        if current is None or current.id not in done:
            break
        if current.requires_manual_advancement:
            return current.id, entered, current
        nxt = next_phase(phases, current, done, visited)
        if nxt is None:
            break
        entered.append(nxt)
        visited.add(nxt.id)
        current = nxt
    return (current.id if current else current_id), entered, None


# ------------------------------------------------------------------------------- milestones
def crossed(
    thresholds: Mapping[int, float], percentage: float, already: Iterable[int]
) -> list[int]:
    """Milestones reached at `percentage` that have not fired before (each fires once).
    Thresholds are compared at the rollup's precision (a third, 33.3333...%, is reached
    at 33.3333%)."""
    seen = set(already)
    return sorted(
        (
            mid
            for mid, t in thresholds.items()
            if mid not in seen and percentage >= _cap(t) and percentage > 0
        ),
        key=lambda m: (thresholds[m], m),
    )
