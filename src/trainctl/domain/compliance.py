"""Compliance (issue 9): ONE evaluator per member x requirement. Pure: no database, no I/O.

`evaluate(member, requirement, as_of)` decides applicability, the window
(domain/periods.py), which facts counted and which did not and why, the figure against
the target (through domain/progress.py: `measure` and `allocate_hours`, the arithmetic
program progress uses, never a second calculator) and the status. `explain_lines`
renders an evaluation as text for `requirement explain`; `report compliance` shows the
same `Evaluation`, so the two cannot disagree.

Statuses, in the order they are decided:

- ``not_applicable``: the member is not active, or the requirement names positions
  (`required_positions`; empty = everyone) and the member holds none of them, or it is an
  NREMT NCCP level and the member holds a higher one's position (`outranked`).
- ``not_yet_due``, before the member's start: the hire date (or, for a requirement
  anchored on the certification date or an NREMT cycle, the certification date) is after
  the as-of date; the cell shows the first window, and the share of it owed, as that
  day will (`_not_yet`), and holds the member to nothing yet (`Evaluation.held`).
- certification requirements (validity, not windows): ``met`` while a card with exactly
  the requirement's credential code is valid on the as-of date (valid THROUGH its expiry
  day; the card with the LATEST expiry decides, whatever the entry order); ``expired``
  when the member held such a card and the latest one expired before the as-of date;
  never held: like a one_time requirement (below).
- everything else is judged on the figure in the current window:
  - ``met``: the figure reaches the target (100%);
  - recurring windows (monthly, quarterly, annual, biennial, NREMT cycles):
    ``overdue`` when the PREVIOUS window closed short of its target and the member owed
    it, and the current one is not met yet: the member carries a miss; else ``due_soon``
    when the current window ends within `due_soon_days` (default 30) of the as-of date;
    else ``not_yet_due``. A window is owed month by month (`owed_months`): a month is
    owed when the member was subject to the requirement on its first day (hired by
    then, active, in a position it names); a monthly or quarterly window by its first
    day alone. A numeric annual or biennial requirement (calendar or hire anniversary)
    holds a member who owed part of a window to that share of its target (`prorated`:
    hired 15 September, 3 of 12 months, 6 h -> 1.5 h; rounded up), the current window
    as the previous; one who owed none of it is ``not_yet_due``. A list (courses,
    skills, items) cannot be shared out: it holds a member to a window whole when they
    owed more than half of its months (`owes_of`), else not at all; an NREMT cycle is
    owed whole. A day's leave excuses nothing unless a month begins in it;
  - one_time: ``overdue`` when its due date (anchor date + `time_limit_days`; the last
    day of a window of N months from the anchor, `period_months`) has passed, or when it
    has no due date at all (required now); else ``due_soon`` / ``not_yet_due`` by the days
    left. Met once, met for good (no `good_through`), even when its window has closed;
  - rolling N months: ``overdue`` (the figure must hold every day), except for a member
    hired within the last N months, whose due date is hire date + N months - 1 day
    (the last day whose window starts on or before the hire: `periods.rolling_due`).

A met requirement reports `good_through`: the last day it stays met without new facts
(the window's end; a card's expiry; for rolling windows the day before the counted
facts fall out far enough to drop the figure below target).

Monthly (and quarterly) numeric requirements such as ISO company training (16 h a
month) are judged per window, as above (the status is the current month's), and also for
the year (`Evaluation.year`): each month of the year that has begun, the months met,
the year's figure against 12 x the monthly target (192 h), and the pace (the monthly
target x months begun). The year is the calendar year (or the anniversary year for an
anchored requirement).

Facts that count: dated on or before the as-of date (a fact dated later never counts),
inside the window, completed (status None/"completed"/"passed"/"active"/...), not failed
(status "failed" or `passed` False; for hours requirements a failed exam still counts the
hours attended), and matching the requirement: hours by what the requirement counts and the allocation of their categories; courses,
skills and checklist items by name (exact, ignoring case); certifications by credential code
(exact, ignoring case: BLS never satisfies ACLS). NREMT NCCP requirements count one course
once per cycle: a later completion of the same course in the cycle is rejected, unless
the earlier one credited nothing (self-paced hours over a full cap): then the later one
is judged in its place (`_credited_first`).

What counts is the credit feed's rule (domain/credit.py `credit_of`, one function, the
one program progress uses): an hours requirement takes the training records it names
(`counts_courses`, `counts_training_types`, `counts_categories`), those whose category
falls within one of its hour categories (NREMT NCCP national / local / individual, ISO
company training's structural_firefighting), and shift hours when it counts attendance;
one that names nothing at all takes nothing (each record is rejected saying how to name
what counts). A calls requirement that names call types takes only those calls, else
every call. The hour categories then decide by allocation how the hours count.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date, timedelta
from functools import cached_property, lru_cache
from math import fsum
from operator import attrgetter
from typing import Any

from trainctl.domain import certs
from trainctl.domain import credit as dc
from trainctl.domain import periods as pd
from trainctl.domain import progress as dp
from trainctl.domain import skills as dsk
from trainctl.domain.text import hours_text, shell_word

# statuses
MET = "met"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
EXPIRED = "expired"
NOT_APPLICABLE = "not_applicable"
NOT_YET_DUE = "not_yet_due"
STATUSES = (MET, DUE_SOON, OVERDUE, EXPIRED, NOT_YET_DUE, NOT_APPLICABLE)

# fact kinds
TRAINING = "training"  # a training record: hours, a course completion
CERTIFICATION = "certification"  # a card: credential code, expiry
SKILL = "skill"  # a skill checkoff
SHIFT = "shift"
CALL = "call"
CHECKLIST = "checklist"  # a checklist item checked off
KINDS_FOR = {
    "hours": (TRAINING,),
    "courses": (TRAINING,),
    "certification": (CERTIFICATION, TRAINING),
    "skills_evaluation": (SKILL,),
    "shifts": (SHIFT,),
    "calls": (CALL,),
    "checklist": (CHECKLIST,),
}
NUMERIC = frozenset({"hours", "shifts", "calls"})
DONE_STATUSES = frozenset(
    {"", "completed", "complete", "passed", "active", "valid", "attended", "checked"}
)

# verdict codes
COUNTED = "counted"
NO_DATE = "no_date"
AFTER_AS_OF = "after_as_of"
OUTSIDE_WINDOW = "outside_window"
NOT_SUBJECT = "not_subject"  # in the window, before the member owed a share of it
NOT_COMPLETED = "not_completed"
NOT_PASSED = "not_passed"
NO_HOURS = "no_hours"
WRONG_COURSE = "wrong_course"
WRONG_CREDENTIAL = "wrong_credential"
WRONG_ITEM = "wrong_item"
WRONG_CATEGORY = "wrong_category"
NOT_COUNTED_HERE = "not_counted_here"  # not what the requirement counts (counts_*)
OVER_DISTRIBUTIVE_CAP = "over_distributive_cap"
OVER_CATEGORY_CAP = "over_category_cap"
SURPLUS = "surplus"
DUPLICATE = "duplicate"  # the same fact listed twice
REPEAT_IN_CYCLE = "repeat_in_cycle"  # NREMT: one course counts once per cycle
ALREADY_COUNTED = "already_counted"  # the same course / skill / item again in the window
EXPIRED_RECORD = "expired"
SUPERSEDED = "superseded"  # a card with an earlier expiry than the one that decides
TAKEN_BACK = "taken_back"  # a pass a later failed / needs_retest evaluation took back
_SHARE_CODES = {
    dp.NO_CATEGORY: WRONG_CATEGORY,
    dp.OVER_DISTRIBUTIVE_CAP: OVER_DISTRIBUTIVE_CAP,
    dp.OVER_CATEGORY_CAP: OVER_CATEGORY_CAP,
    dp.SURPLUS: SURPLUS,
}
UNITS = {
    "hours": "h",
    "shifts": "shifts",
    "calls": "calls",
    "courses": "courses",
    "skills_evaluation": "skills",
    "checklist": "items",
    "certification": "card",
}
_ONE = {"shifts": "shift", "calls": "call", "courses": "course", "skills": "skill", "items": "item"}


def units(unit: str, n: float | None) -> str:
    """`unit` as a figure of `n` reads it: "1 course", "2 courses" (hours stay "h")."""
    return _ONE.get(unit, unit) if n == 1 else unit


ONE_DAY = timedelta(days=1)
_Date = date  # Fact has a field named `date`


# ------------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class Fact:
    """One thing that happened to a member, as the evaluator needs it.

    ``kind``: training / certification / skill / shift / call / checklist. ``date``: the
    completion, issue, checkoff, shift or call date. ``category`` may carry the topic
    ("national/airway") or leave it to ``topic``. ``skill`` names the skill checked off or
    the checklist item. ``status`` None means completed. ``passed`` False: failed."""

    kind: str
    id: int | str
    date: _Date | None
    hours: float = 0.0
    course_code: str | None = None
    credential_code: str | None = None
    expires_on: _Date | None = None
    category: str | None = None
    topic: str | None = None
    self_paced: bool = False
    status: str | None = None
    skill: str | None = None
    passed: bool | None = None
    name: str | None = None  # what a report prints: course name, call number, ...
    training_type: str | None = None  # a training record's type (what `counts_training_types` names)
    call_type: str | None = None  # a call's type (what `counts_call_types` names)
    # A checklist item checked on a progress row: the requirement it was checked for (an
    # item of the same name on another checklist is not this one's).
    requirement_id: int | None = None
    # A training record's course identity (`course_key`: "course:ID" for a catalog course,
    # "name:<folded name>" for a course named freely): what "one course once per cycle"
    # compares when the record carries no course code.
    course_key: str | None = None

    # Derived once, when the fact is made (the evaluator reads them for every window).
    credit_category: str | None = field(init=False, repr=False, compare=False)
    status_key: str = field(init=False, repr=False, compare=False)
    done: bool = field(init=False, repr=False, compare=False)
    # What "what counts" (domain/credit.py `credit_of`) looks at: facts with the same
    # signature are accepted or refused alike (a requirement decides once per signature).
    signature: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    sig: int = field(init=False, repr=False, compare=False)
    _credit: dp.Credit | None = field(default=None, init=False, repr=False, compare=False)  # as_credit

    def __post_init__(self) -> None:
        for name, value in self._derived().items():
            object.__setattr__(self, name, value)

    def _derived(self) -> dict[str, Any]:
        topic, cat = self.topic, self.category
        # what it is filed under; a topic of no category is no category's ("?/airway")
        credit = dp.filed_under(cat, topic) if cat else (f"?/{topic}" if topic else None)
        key = (self.status or "").strip().casefold()
        return {
            "credit_category": credit,
            "status_key": key,
            "done": key in DONE_STATUSES,
            # facts with the same `sig` (Fact.of) agree in every field `sums` groups by
            "sig": next(_SIGS),
            "signature": (
                self.kind, self.hours > 0, self.course_code, self.training_type, cat, topic,
                self.call_type, self.credential_code, self.skill,
            ),
        }  # fmt: skip

    def as_credit(self) -> dp.Credit:
        """The fact as an hours credit (made once: a fact counts toward many requirements)."""
        credit = self._credit
        if credit is None:
            credit = dp.Credit(
                self.hours, self.credit_category, dp.DISTRIBUTIVE if self.self_paced else None
            )
            object.__setattr__(self, "_credit", credit)
        return credit

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Fact:
        """`Fact(**values)` for bulk loads (a report reads tens of thousands of facts): the
        same object, made `like` the first fact alike in what the derived fields derive
        from (a department logs the same course, category and status over and over), so
        they are derived once and shared: one dict look-up a fact. Fields left out take
        their defaults; a name that is no field raises."""
        data = {**_DEFAULTS, **values}
        if len(data) != len(_INIT):
            raise TypeError(f"not fields of Fact: {', '.join(sorted(data.keys() - _INIT))}")
        passed, paced = data["passed"], data["self_paced"]
        key = (
            data["kind"], data["hours"] > 0, data["course_code"], data["training_type"],
            data["category"], data["topic"], data["call_type"], data["credential_code"],
            data["skill"], data["status"], passed, paced, type(passed), type(paced),
        )  # fmt: skip  (True == 1: the types keep each fact's own)
        first = _ALIKE.get(key)
        if first is None:
            if len(_ALIKE) > 100_000:
                _ALIKE.clear()
            first = _ALIKE[key] = cls(**data)
        return like(
            first, data["id"], data["date"], data["hours"], data["expires_on"],
            data["course_key"], data["name"], data["requirement_id"],
        )  # fmt: skip

    @property
    def label(self) -> str:
        code = self.course_code or self.credential_code
        what = self.name or self.skill or code or self.kind
        extra = f" [{code}]" if code and code != what else ""
        return f"#{self.id} {what}{extra}"


# Fact.of: the first fact made of each combination of what the derived fields derive from
# (bounded: a report's facts share a few hundred; cleared when it grows past any report's).
_ALIKE: dict[tuple[Any, ...], Fact] = {}
_SIGS = itertools.count()
_DEFAULTS = {f.name: f.default for f in fields(Fact) if f.init and f.default is not MISSING}
_INIT = frozenset(f.name for f in fields(Fact) if f.init)


class _Making:
    """A Fact in the making: the same slots, without the frozen `__setattr__`, so a bulk
    load sets each field with one store (`like`, `Fact.of`) and then makes it the Fact it
    is (`__class__`: the same layout). A slotted Fact takes 224 bytes where one with a
    `__dict__` took 330-520, and each field is read at a fixed place: the matrix reads
    80,000 facts out of order, several fields each (bench/compliance.py, evaluated
    in-process, alternated with the `__dict__` Fact, best of 5: 0.91-1.03 s -> 0.79-0.92 s;
    freeing them 0.09-0.11 s -> 0.07-0.08 s)."""

    __slots__ = Fact.__slots__


def like(
    t: Fact, id: int | str, on: date | None, hours: float, expires_on: date | None,
    course_key: str | None, name: str | None, requirement_id: int | None,
) -> Fact:  # fmt: skip
    """A fact alike `t` in everything but its id, date, hours, expiry, course key, name and
    requirement (`Fact.of` and the bulk makers of queries.compliance): every other field,
    derived ones included, is `t`'s. The caller keeps `hours > 0` as `t`'s (what `t`'s
    derived fields read)."""
    f: Any = object.__new__(_Making)
    # one store a field (assigning tuples costs a third more)
    f.kind = t.kind
    f.id = id
    f.date = on
    f.hours = hours
    f.course_code = t.course_code
    f.credential_code = t.credential_code
    f.expires_on = expires_on
    f.category = t.category
    f.topic = t.topic
    f.self_paced = t.self_paced
    f.status = t.status
    f.skill = t.skill
    f.passed = t.passed
    f.name = name
    f.training_type = t.training_type
    f.call_type = t.call_type
    f.requirement_id = requirement_id
    f.course_key = course_key
    f.credit_category = t.credit_category
    f.status_key = t.status_key
    f.done = t.done
    f.signature = t.signature
    f.sig = t.sig
    f._credit = None
    f.__class__ = Fact
    return f


assert set(_Making.__slots__) == {f.name for f in fields(Fact)}  # (`like` sets each one)


@dataclass(frozen=True, slots=True)
class Sums:
    """Facts alike (`MemberFacts.sums`): the first of them stands for all (it decides for
    the group), their dates in order and each one's hours."""

    fact: Fact
    dates: list[date]
    hours: list[float]
    sig: int  # the first fact's (a test decided for it is decided for the group)


@dataclass(frozen=True, slots=True)
class Stint:
    """A member's positions and status from a day on (their history, one per day)."""

    since: date
    positions: frozenset[str]  # folded
    status: str


@dataclass(frozen=True)
class MemberFacts:
    """A member and everything recorded about them (the caller loads it). `history`: their
    positions and status over time, in order (empty: unknown, the current values held
    throughout)."""

    id: int | None = None
    name: str = ""
    positions: tuple[str, ...] = ()
    status: str = "active"
    hire_date: date | None = None
    certification_date: date | None = None
    facts: tuple[Fact, ...] = ()
    history: tuple[Stint, ...] = ()

    @cached_property
    def position_keys(self) -> frozenset[str]:
        """The positions held, folded (what `applies` compares)."""
        return frozenset(p.strip().casefold() for p in self.positions if p)

    @cached_property
    def unique(self) -> bool:
        """No fact is listed twice (the same kind and id): the evaluator need not check."""
        return len({(f.kind, f.id) for f in self.facts}) == len(self.facts)

    @cached_property
    def training_cards(self) -> tuple[tuple[Fact, ...], Mapping[str, tuple[Fact, ...]]]:
        """Training records a certification requirement may look at: those that carry a
        credential code or an expiry, and every record by its course code (folded)."""
        cardlike: list[Fact] = []
        by_raw: dict[str, list[Fact]] = {}
        for f in self.by_kind.get(TRAINING, ()):
            if f.credential_code or f.expires_on is not None:
                cardlike.append(f)
            if f.course_code:
                by_raw.setdefault(f.course_code, []).append(f)
        by_code: dict[str, list[Fact]] = {}
        merged: set[str] = set()  # keys of several spellings: their facts in date order again
        for raw, group in by_raw.items():  # a member has a few distinct codes: fold those
            key = _key(raw)
            if key in by_code:
                merged.add(key)
            by_code.setdefault(key, []).extend(group)
        return tuple(cardlike), {
            k: tuple(_sorted(v) if k in merged else v) for k, v in by_code.items()
        }

    def sums(self, kind: str, alike: tuple[str, ...]) -> tuple[Sums, ...]:
        """The dated facts of a kind in groups of facts alike in what a requirement looks
        at (`RequirementSpec.alike`: completion, pass, hours or not, and the fields its
        "what counts" and its hour categories read), each with its dates in order and
        their hours: a window's figure is then a bisection per group, not a pass over every
        fact (the matrix judges thousands of cells; `_judge_sums`). Made once per member,
        kind and set of fields."""
        cache: dict[tuple[str, tuple[str, ...]], tuple[Sums, ...]] = self.__dict__.setdefault(
            "_sums", {}
        )
        found = cache.get((kind, alike))
        if found is not None:
            return found
        groups: dict[tuple[Any, ...], Sums] = {}
        fields = attrgetter(*alike) if alike else None
        by_sig: dict[int, Sums] = {}  # facts of one `sig` go to one group: keyed once
        for f in self.by_kind.get(kind, ()):
            if f.date is None:
                continue
            g = by_sig.get(f.sig)
            if g is None:
                key = (f.done, f.passed, f.hours > 0, fields(f) if fields else None)
                g = groups.get(key)
                if g is None:
                    g = groups[key] = Sums(f, [], [], f.sig)
                by_sig[f.sig] = g
            g.dates.append(f.date)
            g.hours.append(f.hours)
        found = cache[(kind, alike)] = tuple(groups.values())
        return found

    def with_kinds(self, kinds: Mapping[str, Sequence[Fact]], *, unique: bool = False) -> MemberFacts:
        """This member with these facts, given by kind as a bulk read has them (`unique`:
        one row per kind and id, so no fact is listed twice). `by_kind` puts each kind in
        date order when first asked, with no pass over all the facts to group them: the
        matrix asks as it comes to judge the member, while their facts are in the
        processor's cache (ordering every member's up front read them from memory twice
        and lost the time saved)."""
        out = replace(self, facts=tuple(f for facts in kinds.values() for f in facts))
        out.__dict__["_kinds"] = kinds
        if unique:
            out.__dict__["unique"] = True  # known without a pass
        return out

    @cached_property
    def by_kind(self) -> Mapping[str, tuple[Fact, ...]]:
        """The facts by kind, each in date order (then id)."""
        kinds = self.__dict__.get("_kinds")  # (with_kinds)
        if kinds is not None:
            return {k: tuple(_sorted(v)) for k, v in kinds.items() if v}
        out: dict[str, list[Fact]] = {}
        for f in _sorted(self.facts):
            out.setdefault(f.kind, []).append(f)
        return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class RequirementSpec:
    """A requirement as the evaluator needs it: the Requirement columns (models.py), with
    the NREMT cycle end resolved (`cycle_end`, anchor ``cycle_end``)."""

    name: str
    requirement_type: str
    id: int | None = None
    frequency: str = "one_time"
    period_months: int | None = None
    period_anchor: str = "calendar"
    cycle_end: pd.MonthDay | None = None
    # the credential whose card's expiry places the member's cycle (NREMT-EMT); None: the
    # certification date does (periods.cycle_end_reference)
    cycle_credential: str | None = None
    time_limit_days: int | None = None
    required_positions: tuple[str, ...] = ()
    required_hours: float | None = None
    required_shifts: int | None = None
    required_calls: int | None = None
    required_courses: tuple[str, ...] = ()
    credential_code: str | None = None
    required_skills: tuple[str, ...] = ()
    checklist_items: tuple[str, ...] = ()
    hour_categories: tuple[dp.HourCategory, ...] = ()
    registry_name: str | None = None
    registry_code: str | None = None
    source_document: str | None = None
    once_per_cycle: bool = False  # one course counts once per window (NREMT NCCP)
    # What counts (models.Requirement.counts_*; domain/credit.py): empty = not narrowed.
    counts_courses: tuple[str, ...] = ()
    counts_training_types: tuple[str, ...] = ()
    counts_categories: tuple[str, ...] = ()
    counts_call_types: tuple[str, ...] = ()
    counts_attendance: bool = False
    # An earlier version of the requirement (a report as of a past day judges by it as it
    # stood then): the last day it was in force; None: the requirement as it stands.
    stood_until: date | None = None
    # Every version of the requirement, oldest first, as it stands last (empty: never
    # changed): a previous window is judged as the requirement stood on its last day
    # (`as_it_stood_on`), as a report then judged it.
    versions: tuple[RequirementSpec, ...] = field(default=(), compare=False, repr=False)
    # The day the requirement was entered under (requirement.entered_on: the --as-of day of
    # the command that wrote it, else the department's day; queries.compliance.entered_days);
    # None: unknown. A window that closed short before it is held against nobody.
    entered: date | None = field(default=None, compare=False)

    def as_it_stood_on(self, day: date) -> RequirementSpec:
        """The version in force on `day`: the first one still in force then, else this."""
        for version in self.versions:
            if version.stood_until is None or version.stood_until >= day:
                return version
        return self

    @classmethod
    def of(
        cls, req: Any, *, local_content: bool = True, stood_until: date | None = None,
        entered: date | None = None,
    ) -> RequirementSpec:
        """From a Requirement row (or anything with its attributes). NREMT NCCP levels get
        their fixed cycle end (`periods.cycle_end_for`), the cycle anchor, one course once
        per cycle, and the NCCP flow-on rule (`local_content`: the department's setting)."""
        target = dp.Target.of(req, local_content=local_content)
        registry = getattr(req, "registry_name", None)
        code = getattr(req, "registry_code", None)
        cycle_end, cycle_card, nccp = pd.cycle_of(
            registry, code, getattr(req, "cycle_end", None), getattr(req, "cycle_credential", None)
        )
        return cls(
            name=req.name,
            requirement_type=req.requirement_type,
            id=getattr(req, "id", None),
            frequency=req.frequency or "one_time",
            period_months=getattr(req, "period_months", None),
            period_anchor="cycle_end" if cycle_end else (req.period_anchor or "calendar"),
            cycle_end=cycle_end,
            time_limit_days=getattr(req, "time_limit_days", None),
            required_positions=tuple(getattr(req, "required_positions", None) or ()),
            required_hours=target.required_hours,
            required_shifts=target.required_shifts,
            required_calls=target.required_calls,
            required_courses=target.required_courses,
            credential_code=target.credential_code,
            required_skills=target.required_skills,
            checklist_items=target.checklist_items,
            hour_categories=target.hour_categories,
            registry_name=registry,
            registry_code=code,
            source_document=getattr(req, "source_document", None),
            once_per_cycle=nccp,
            cycle_credential=cycle_card,
            counts_courses=tuple(getattr(req, "counts_courses", None) or ()),
            counts_training_types=tuple(getattr(req, "counts_training_types", None) or ()),
            counts_categories=tuple(getattr(req, "counts_categories", None) or ()),
            counts_call_types=tuple(getattr(req, "counts_call_types", None) or ()),
            counts_attendance=bool(getattr(req, "counts_attendance", False)),
            stood_until=stood_until,
            entered=entered,
        )

    @cached_property
    def position_keys(self) -> frozenset[str]:
        """The positions it applies to, folded (empty: everyone; `applies`)."""
        return frozenset(p.strip().casefold() for p in self.required_positions if p)

    @cached_property
    def alike(self) -> tuple[str, ...]:
        """The fact fields a numeric figure depends on beyond completion, pass and hours:
        those its "what counts" names (domain/credit.py `credit_of` reads nothing else) and,
        with hour categories, the credit category and self-paced (the allocation's)."""
        fields: list[str] = []
        if self.accepts is not None:
            if self.counts_courses:
                fields.append("course_code")
            if self.counts_training_types:
                fields.append("training_type")
            if self.counts_categories or self.hour_categories:
                fields += ["category", "topic"]
            if self.requirement_type == "calls":
                fields.append("call_type")
        if self.requirement_type == "hours" and self.hour_categories:
            fields += ["credit_category", "self_paced"]
        return tuple(fields)

    @cached_property
    def accepts(self) -> dc.Accepts | None:
        """The credit feed's "what counts" (always, for hours: one that names nothing takes
        nothing), else None (every fact of the requirement's kinds is considered)."""
        t = self.requirement_type
        if t == "hours":
            return dc.Accepts.of(self)
        if t == "calls" and self.counts_call_types:
            return dc.Accepts.of(self)
        return None

    @property
    def kinds(self) -> tuple[str, ...]:
        """The fact kinds this requirement reads (shift hours too for an hours requirement
        that counts attendance)."""
        if self.requirement_type == "hours" and self.counts_attendance:
            return (TRAINING, SHIFT)
        return KINDS_FOR.get(self.requirement_type, ())

    @cached_property
    def counts_memo(self) -> dict[tuple[Any, ...], bool]:
        """`accepts` decisions by fact signature (see Fact.signature)."""
        return {}

    @cached_property
    def takes_memo(self) -> dict[int, bool]:
        """`_judge_sums`' test (completed, not failed, counted, with hours for hours) by
        `Fact.sig`: facts of one sig agree in every field it reads."""
        return {}

    def counts(self, f: Fact) -> bool:
        """Whether the requirement's "what counts" takes this fact (a calls requirement
        naming no call type: every call): the credit feed's rule, `credit_of`, decided once
        per fact signature."""
        acc = self.accepts
        if acc is None:
            return True
        memo = self.counts_memo
        key = f.signature
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = dc.credit_of(_source_fact(f), acc) is not None
        return hit

    @property
    def names_nothing(self) -> bool:
        """An hours requirement naming nothing it counts: no record counts (credit.py)."""
        acc = self.accepts
        return acc is not None and acc.names_nothing

    def fix_hint(self) -> str:
        """How to name what counts (`requirement edit`'s options)."""
        return dc.FIX_HINT.format(name=shell_word(self.name))

    def counts_text(self) -> str:
        """What the requirement counts, in words (for a rejected fact's reason)."""
        parts = []
        if self.counts_courses:
            parts.append("courses " + ", ".join(self.counts_courses))
        if self.counts_training_types:
            parts.append("training types " + ", ".join(self.counts_training_types))
        if self.counts_categories:
            parts.append("categories " + ", ".join(self.counts_categories))
        if self.requirement_type == "hours" and self.hour_categories:
            names = ", ".join(c.name for c in self.hour_categories)
            parts.append(f"its hour categories {names}")
        if self.counts_attendance:
            parts.append("shift hours")
        if self.requirement_type == "calls" and self.counts_call_types:
            parts.append("calls of type " + ", ".join(self.counts_call_types))
        return "; ".join(parts)

    @cached_property
    def target(self) -> dp.Target:
        return dp.Target(
            requirement_type=self.requirement_type,
            required_hours=self.required_hours,
            required_shifts=self.required_shifts,
            required_calls=self.required_calls,
            required_courses=self.required_courses,
            credential_code=self.credential_code,
            required_skills=self.required_skills,
            checklist_items=self.checklist_items,
            hour_categories=self.hour_categories,
        )

    @cached_property
    def period(self) -> pd.Period:
        return pd.Period.of(
            self.frequency,
            self.period_months,
            self.period_anchor,
            cycle_end=self.cycle_end,
            cycle_name=(
                f"{self.registry_name} cycle" if self.registry_name
                else "NREMT cycle" if self.once_per_cycle else "cycle"  # a copy of a level
            ),
            time_limit_days=self.time_limit_days,
            nremt=pd.nremt_cycle(self.cycle_end, self.cycle_credential),
        )

    @property
    def label(self) -> str:
        return f"{self.registry_code} — {self.name}" if self.registry_code else self.name

    @property
    def unit(self) -> str:
        return UNITS.get(self.requirement_type, "")


# ------------------------------------------------------------------------------ outputs
@dataclass(frozen=True)
class Verdict:
    """One fact and what became of it. `amount`: what it counted for (hours; 1 for a
    shift, call, course, skill, item or card); `parts`: for hours, where they went."""

    fact: Fact
    counted: bool
    code: str
    reason: str
    amount: float = 0.0
    parts: tuple[str, ...] = ()
    other: Fact | None = None  # a repeat in the cycle: the fact that counted for its course


@dataclass(frozen=True)
class Figure:
    """The figure of one window against the target."""

    window: pd.Window
    value: float
    target: float | None
    percentage: float
    met: bool
    label: str = ""  # "March 2025"
    # the hours (shifts, calls) done in the window, of what it counts, where `value` is what
    # counts toward its target (a month of company training: 22 h done, 16 h count)
    done: float | None = None


@dataclass(frozen=True)
class YearFigure:
    """A monthly (quarterly) numeric requirement judged for the year: each month that has
    begun by the as-of date, and the year's total against 12 (4) x the monthly target."""

    window: pd.Window
    value: float
    target: float
    percentage: float
    met: bool
    periods: tuple[Figure, ...]
    pace: float  # the monthly target x the months begun
    # the months (quarters) of the year the member owes; 0: none (hired, or subject to it,
    # only after the last one began): the year holds them to nothing
    owed: int
    # the months (quarters) of the year begun by the as-of day, owed or not (a leave from
    # 20 April to 10 July: 12 begun, 9 of them owed and in `periods`)
    begun: int = 0
    # the year's hours done, of what it counts, where `value` is what counts toward the
    # figure (company training of 202 h: 192 h count, the hour category's minimum)
    done: float = 0.0
    # the day the requirement's kind or window rule became this one, when it did in this
    # year: the months (quarters) before it were not this rule's, and are left out (the
    # year counts from that day; reports of earlier days judge them as it stood)
    rule_from: date | None = None

    @property
    def periods_met(self) -> int:
        return sum(1 for f in self.periods if f.met)


@dataclass(frozen=True)
class Evaluation:
    member: MemberFacts
    requirement: RequirementSpec
    as_of: date
    status: str
    reason: str  # the status in words
    window: pd.Window | None = None
    window_label: str = ""
    previous_window: pd.Window | None = None
    due: date | None = None
    value: float = 0.0
    target: float | None = None
    percentage: float = 0.0
    verdicts: tuple[Verdict, ...] = ()
    allocation: dp.Allocation | None = None
    previous: Figure | None = None  # the previous window's figure (what `overdue` looks at)
    year: YearFigure | None = None
    good_through: date | None = None
    notes: tuple[str, ...] = ()  # what was assumed (an unknown hire date, ...)
    # (owed, of): the months of the window the member owes, when not all of them (a share
    # of an annual or biennial figure; 0: none, the next window is their first)
    months_owed: tuple[int, int] | None = None

    @property
    def applicable(self) -> bool:
        return self.status != NOT_APPLICABLE

    @property
    def met(self) -> bool:
        return self.status == MET

    @property
    def owes_nothing(self) -> bool:
        """The cell holds the member to nothing: they owe no part of this window (subject
        to the requirement on none of its months' first days, or on half or fewer of a
        list's) and carry no miss from the previous one. A report's summary leaves them out
        of its counts, as a later hire; an overdue previous window keeps them in."""
        m = self.months_owed
        return (
            m is not None
            and owes_of(self.requirement, *m) == NONE
            and self.status == NOT_YET_DUE  # (overdue, or met after a short previous window: held)
        )

    @property
    def held(self) -> bool:
        """The cell holds the member to something on its day: the requirement applies, the
        member is hired by then (one entered ahead of the hire date owes nothing before it:
        the cell shows what they will owe) and owes some of this window (`owes_nothing`).
        Only these count in a report's summary, and only these can be behind."""
        return (
            self.status != NOT_APPLICABLE
            and hired_after(self.member, self.as_of) is None
            and not self.owes_nothing
        )

    @property
    def behind(self) -> bool:
        """Held to the cell and not met: what `report compliance --behind` lists (not yet
        due, due soon, overdue, expired)."""
        return self.held and self.status != MET

    @property
    def counted(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.counted)

    @property
    def rejected(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if not v.counted)


# --------------------------------------------------------------------------- the rules
def applies(member: MemberFacts, requirement: RequirementSpec) -> str | None:
    """None when the requirement applies to the member, else why not."""
    if (member.status or "").casefold() != "active":
        return f"the member is {member.status or 'not active'}"
    held = member.position_keys
    above = outranked(requirement, held)
    if above is not None:
        code, position = above
        return (
            f"the member holds {position}, the higher NREMT level {code}: NREMT keeps one "
            "certification, the highest, and recertifies that level only"
        )
    wanted = requirement.position_keys
    if not wanted or wanted & held:
        return None
    return (
        f"applies to {', '.join(sorted(wanted))}; the member holds "
        f"{', '.join(sorted(held)) or 'no position'}"
    )


def outranked(spec: RequirementSpec, positions: frozenset[str]) -> tuple[str, str] | None:
    """For an NREMT NCCP level (or a department copy of one): the highest level above it
    whose position the member holds, (code, position), else None. A paramedic who also
    holds the emt position owes the Paramedic cycle, not the EMT one (periods.NREMT_LEVELS)."""
    if not spec.once_per_cycle or not spec.cycle_credential:
        return None
    codes = [code for code, _ in pd.NREMT_LEVELS]
    mine = spec.cycle_credential.strip().upper()
    if mine not in codes:
        return None
    higher = [(c, p) for c, p in pd.NREMT_LEVELS[codes.index(mine) + 1 :] if p in positions]
    return higher[-1] if higher else None


def _subject_by_positions(spec: RequirementSpec, positions: frozenset[str]) -> bool:
    """Whether holding `positions` (folded) makes a member subject to the requirement:
    one it names (none named: everyone), and no higher NCCP level (`outranked`)."""
    wanted = spec.position_keys
    return (not wanted or bool(wanted & positions)) and outranked(spec, positions) is None


def status_since(member: MemberFacts, day: date) -> date | None:
    """The first day of the member's unbroken stretch, up to `day`, in the status they
    hold (`member.status`: inactive since 1 May), by their history; None when it reaches
    back to the start of what is known."""
    status = (member.status or "").casefold()
    since = None
    for stint in reversed(member.history):
        if stint.since > day:
            continue
        if stint.status.casefold() != status:
            return since
        since = stint.since
    return None


def subject_since(member: MemberFacts, spec: RequirementSpec, as_of: date) -> date | None:
    """The first day of the member's unbroken stretch, up to `as_of`, of being subject to
    the requirement: active and, when it names positions, holding one of them (their
    history). None when the stretch reaches back to the start of what is known (the hire
    date alone decides). A member promoted to officer in September, or back from leave in
    October, was not subject to all of that year: its shortfall is not held against them."""
    since = None
    for stint in reversed(member.history):
        if stint.since > as_of:
            continue
        if stint.status.casefold() != "active" or not _subject_by_positions(spec, stint.positions):
            return since
        since = stint.since
    return None


def _start(member: MemberFacts, spec: RequirementSpec, as_of: date) -> date | None:
    """From when the member owes the requirement: the later of the hire date and
    `subject_since`."""
    days = [d for d in (member.hire_date, subject_since(member, spec, as_of)) if d is not None]
    return max(days) if days else None


def _h(x: float | None) -> str:
    return "?" if x is None else hours_text(x)


def _days(a: date, b: date) -> str:
    n = (b - a).days
    return "today" if n == 0 else f"{n} day{'s' if abs(n) != 1 else ''}"


def _left(a: date, b: date) -> str:
    """'12 days left', or 'today' on the last day ('the window ends 2026-12-31 (today)')."""
    return "today" if a == b else f"{_days(a, b)} left"


def _key(text: str | None) -> str:
    return (text or "").strip().casefold()


def course_identity(f: Fact) -> str:
    """`credit.course_identity` of a training fact (the one rule, the ledger's too)."""
    return dc.course_identity(f.course_code, f.course_key, f.name)


def course_label(f: Fact) -> str:
    """How a report names the course of `f` (`credit.course_label`)."""
    return dc.course_label(f.course_code, f.name, f.course_key)


@dataclass
class _Judgement:
    verdicts: list[Verdict] = field(default_factory=list)
    value: float = 0.0
    percentage: float = 0.0
    allocation: dp.Allocation | None = None
    counted: list[Fact] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.percentage >= 100


def _day(f: Fact) -> date:
    return f.date or date.min


def _sorted(facts: Iterable[Fact]) -> list[Fact]:
    """The facts in `_order`. Those of a bulk read (whole-number ids, every one dated) are
    put in it by two stable sorts on keys read in C, by id and then by date: the same
    order, without a Python call per fact (bench/compliance.py: 81,000 facts of 500
    members, best of 9: 39 -> 29 ms)."""
    out = list(facts)
    if all(type(f.id) is int and f.date is not None for f in out):
        out.sort(key=_BY_ID)
        out.sort(key=_BY_DATE)
    else:
        out.sort(key=_order)
    return out


_BY_ID, _BY_DATE = attrgetter("id"), attrgetter("date")


def _order(f: Fact) -> tuple[date, int, int, str]:
    """Date order; on one day, ids in number order (9 before 10, as the ledger orders
    records), then the text ids."""
    if isinstance(f.id, int):
        return f.date or date.min, 0, f.id, ""
    return f.date or date.min, 1, 0, str(f.id)


def _judge(
    spec: RequirementSpec,
    facts: Iterable[Fact],
    window: pd.Window,
    as_of: date,
    cycle: str,
    detail: bool = True,
    unique: bool = False,
    sums: Sequence[Sums] | None = None,
    counts_from: date | None = None,
    beyond: str | None = None,
    before: str | None = None,
    held: Callable[[date], str | None] | None = None,
) -> _Judgement:
    """Which facts (in date order) count in `window` as of `as_of`, and the figure:
    `progress.measure`, or `progress.allocate_hours` for hours with categories. Without
    `detail` only the figure and the counted facts come back (no verdicts): the same
    figure, faster. `counts_from`: a day inside the window before which nothing counts
    (the member owes a share of it from then, or was hired then: `evaluate`), `before`
    why, in words. `beyond`: hours beyond the window's minimum count toward the year (a
    monthly item judged by its year), and the words that say so. `held`: why a day is not
    one the member held the requirement's position (`_while_held`), None when it is."""
    target = spec.target
    kind = spec.requirement_type
    j = _Judgement()
    # Without detail, and when no fact is listed twice (a duplicate outside the window
    # must still hide its twin inside it), only the window's facts up to the as-of date
    # are looked at (bisected: facts come in date order).
    quick = not detail and unique
    last = as_of if window.end is None else min(window.end, as_of)
    first = max(window.start or date.min, counts_from or date.min)
    if sums is not None and quick and kind in NUMERIC and not spec.once_per_cycle and held is None:
        return _judge_sums(spec, sums, first, last)  # the groups hold the dates: no bisect here
    # a pass that a later failure took back (domain/skills: the latest evaluation decides),
    # from every evaluation given, the window's or not
    takers: dict[int | str, dsk.Evaluation] = {}
    if kind == "skills_evaluation":
        facts = facts if isinstance(facts, list | tuple) else list(facts)
        takers = _takers(facts)
    if quick:
        ordered = facts if isinstance(facts, list | tuple) else list(facts)
        lo = bisect_left(ordered, first, key=_day)
        hi = bisect_right(ordered, last, lo=lo, key=_day)
        facts = ordered[lo:hi]
        if held is not None:
            facts = [f for f in facts if f.date is None or held(f.date) is None]
    seen: set[tuple[str, int | str]] = set()
    first_of: dict[str, Fact] = {}  # course / skill / item -> the fact that counted for it
    retakes: dict[str, list[Fact]] = {}  # NREMT: a course's later completions in the cycle
    accepted: list[Fact] = []
    items = {_key(i): i for i in target.items}
    if quick and kind in NUMERIC and not spec.once_per_cycle:
        # The same tests as the loop below, in one pass and without the words (the matrix
        # judges thousands of cells): completed, not failed, what the requirement counts,
        # with hours for an hours requirement.
        counts, is_hours = spec.counts, kind == "hours"
        accepted = [
            f for f in facts
            if f.date is not None and f.done and f.passed is not False
            and counts(f) and (not is_hours or f.hours > 0)
        ]  # fmt: skip
        facts = ()

    def reject(f: Fact, code: str, reason: str, other: Fact | None = None) -> None:
        j.verdicts.append(Verdict(f, False, code, reason, other=other))

    # Reasons are written only with `detail` (the matrix needs the figure, not the words).
    for f in facts:  # in date order
        ident = (f.kind, f.id)
        if ident in seen:
            if detail:
                reject(f, DUPLICATE, "listed twice: counted once")
            continue
        seen.add(ident)
        if not quick:  # (else the bisection kept only the window's facts)
            if f.date is None:
                if detail:
                    reject(f, NO_DATE, "no date")
                continue
            if f.date > as_of:
                if detail:
                    reject(f, AFTER_AS_OF, f"dated {f.date}, after the as-of date {as_of}")
                continue
            if f.date not in window:
                if detail:
                    reject(f, OUTSIDE_WINDOW, f"dated {f.date}, outside the window {window}")
                continue
            if counts_from is not None and f.date < counts_from:
                if detail:
                    reject(f, NOT_SUBJECT, f"dated {f.date}, before {counts_from}: " + (
                        before or "the member owes the months from then, when they became "
                        "subject to it (positions or status)"))  # fmt: skip
                continue
            if held is not None and (why := held(f.date)) is not None:
                if detail:
                    reject(f, NOT_SUBJECT, f"dated {f.date}, {why}")
                continue
        elif f.date is None:
            continue
        if f.status_key == "failed" or f.passed is False:
            if detail:
                reject(f, NOT_PASSED, "not passed")
            continue
        if not f.done:
            if detail:
                reject(f, NOT_COMPLETED, f"not completed (status '{f.status}')")
            continue
        if kind == "hours" and f.hours <= 0:  # (before what counts: that takes no 0 h record)
            if detail:
                reject(f, NO_HOURS, "no hours recorded")
            continue
        if not spec.counts(f):
            if detail:
                reject(f, NOT_COUNTED_HERE, _not_counted_reason(spec, f))
            continue
        if kind == "hours":
            code = course_identity(f) if spec.once_per_cycle else ""
            if code:
                if code in first_of:  # judged once the figure says whether the first counts
                    retakes.setdefault(code, []).append(f)
                    continue
                first_of[code] = f
            accepted.append(f)
            continue
        if kind in ("shifts", "calls"):
            accepted.append(f)
            continue
        # set-valued: courses, skills, checklist items
        name = f.course_code if kind == "courses" else f.skill
        matched = items.get(_key(name))
        if (
            kind == "checklist" and f.requirement_id is not None and spec.id is not None
            and f.requirement_id != spec.id
        ):  # fmt: skip
            if detail:
                reject(f, WRONG_ITEM, f"checked for another requirement (#{f.requirement_id})")
            continue
        if matched is None:
            if detail and kind == "courses":
                reject(
                    f, WRONG_COURSE,
                    f"course {name or '(no code)'} is not one of {', '.join(target.items)}",
                )  # fmt: skip
            elif detail:
                what = "skill" if kind == "skills_evaluation" else "item"
                reject(f, WRONG_ITEM, f"{what} {name!r} is not one of {', '.join(target.items)}")
            continue
        if kind == "skills_evaluation" and not _passed(f):
            if detail:
                reject(f, NOT_PASSED, "no pass recorded")
            continue
        if takers and not dsk.stands(taker := takers.get(f.id), as_of):
            if detail and taker is not None:
                reject(f, TAKEN_BACK, dsk.took_back(taker))
            continue
        if f.expires_on is not None and f.expires_on < as_of:
            if detail:
                reject(f, EXPIRED_RECORD, f"expired: last valid day {f.expires_on}")
            continue
        if _key(matched) in first_of:
            if detail:
                reject(
                    f, ALREADY_COUNTED,
                    f"{matched} already counted ({first_of[_key(matched)].date})",
                )  # fmt: skip
            continue
        first_of[_key(matched)] = f
        accepted.append(f)

    if retakes:
        if target.hour_categories:
            accepted, given_way = _credited_first(target, accepted, first_of, retakes, cycle, detail)
            j.verdicts += given_way
        for code, later in retakes.items():  # the course counted: each later one is a repeat
            for f in later if detail else ():
                reject(
                    f, REPEAT_IN_CYCLE,
                    f"a repeat of {course_label(first_of[code])} (counted on {first_of[code].date}): "
                    f"one course counts once per {cycle}", first_of[code],
                )  # fmt: skip

    # the figure, through the progress arithmetic
    if kind == "hours":
        credits = [f.as_credit() for f in accepted]
        if target.hour_categories:
            a = dp.allocate_hours(target.required_hours, target.hour_categories, credits)
            j.allocation = a
            j.value, j.percentage = a.value, a.percentage
            if not detail:
                counted = a.counted_by_credit()
                j.counted = [f for i, f in enumerate(accepted) if counted.get(i, 0.0) > 1e-9]
                return j
            by_credit: dict[int, list[dp.Share]] = {}
            for s in a.shares:
                by_credit.setdefault(s.credit, []).append(s)
            for i, f in enumerate(accepted):
                shares = by_credit.get(i, [])
                hours = sum(s.hours for s in shares if s.counted)
                # `beyond`: hours beyond a month's minimum count toward the year's hours
                # (a monthly item judged by its year: `_year`), so the record counted
                toward = [s for s in shares if beyond and s.reason == dp.SURPLUS and s.source]
                hours += sum(s.hours for s in toward)
                parts = tuple(
                    f"{_h(s.hours)} h {beyond if s in toward else s.note}" for s in shares
                )
                if hours > 1e-9:
                    j.verdicts.append(
                        Verdict(f, True, COUNTED, "; ".join(parts), round(hours, 4), parts)
                    )
                    j.counted.append(f)
                else:
                    worst = next((s for s in shares if not s.counted), None)
                    code = _SHARE_CODES.get(worst.reason, SURPLUS) if worst else SURPLUS
                    j.verdicts.append(Verdict(f, False, code, "; ".join(parts), 0.0, parts))
        else:
            j.value, j.percentage = dp.measure(target, credits)
            j.counted = accepted
            if detail:
                j.verdicts += [Verdict(f, True, COUNTED, f"{_h(f.hours)} h", f.hours) for f in accepted]
    elif kind in ("shifts", "calls"):
        j.value, j.percentage = dp.measure(target, [dp.Credit(1.0) for _ in accepted])
        j.counted = accepted
        if detail:
            j.verdicts += [Verdict(f, True, COUNTED, f"1 {kind[:-1]}", 1.0) for f in accepted]
    else:
        credits = []
        for f in accepted:
            name = items[_key(f.course_code if kind == "courses" else f.skill)]
            credits.append(dp.Credit(1.0, None, name))
            if detail:
                j.verdicts.append(Verdict(f, True, COUNTED, f"{name} done", 1.0))
            j.counted.append(f)
        j.value, j.percentage = dp.measure(target, credits)
    if not detail:
        j.verdicts = []
    j.verdicts.sort(key=lambda v: _order(v.fact))  # card 10 after card 9 on one day
    return j


def _credited_first(
    target: dp.Target, accepted: list[Fact], first_of: dict[str, Fact],
    retakes: dict[str, list[Fact]], cycle: str, detail: bool,
) -> tuple[list[Fact], list[Verdict]]:
    """NREMT's one course once per cycle, for hours allocated by category: the completion
    of a course that counts is the first one the arithmetic credits. One that credits
    nothing (self-paced hours over a full distributive cap) gives way to the course's next
    completion (a classroom re-take), which is judged in its place; `first_of` and
    `retakes` are updated to match. Returns the facts to allocate, and the verdicts of those
    that gave way (with `detail`): not counted, for the arithmetic's reason, `other` the
    completion judged in their place."""
    given_way: list[Verdict] = []
    while True:
        a = dp.allocate_hours(
            target.required_hours, target.hour_categories, [f.as_credit() for f in accepted]
        )
        got = a.counted_by_credit()
        swaps = {}
        for i, f in enumerate(accepted):
            code = course_identity(f)
            if retakes.get(code) and first_of.get(code) is f and got.get(i, 0.0) <= 1e-9:
                swaps[i] = code
        if not swaps:
            return accepted, given_way
        for i, code in swaps.items():
            f, nxt = accepted[i], retakes[code].pop(0)
            first_of[code] = nxt
            if detail:
                shares = [x for x in a.shares if x.credit == i]
                worst = next((x for x in shares if not x.counted), None)
                why = "; ".join(f"{_h(x.hours)} h {x.note}" for x in shares) or "nothing counted"
                given_way.append(Verdict(
                    f, False, _SHARE_CODES.get(worst.reason, SURPLUS) if worst else SURPLUS,
                    f"{why}; one course counts once per {cycle}: its completion of {nxt.date} "
                    "is judged in its place", other=nxt,
                ))  # fmt: skip
        accepted = _sorted([f for i, f in enumerate(accepted) if i not in swaps]
                           + [first_of[code] for code in swaps.values()])  # fmt: skip


def _not_counted_reason(spec: RequirementSpec, f: Fact) -> str:
    if spec.names_nothing:
        return "the requirement names nothing it counts, so no record counts"
    why = f"not what this requirement counts ({spec.counts_text()})"
    if f.topic and not f.category and spec.hour_categories:
        # a topic alone falls within no hour category: the record needs its category
        cats = spec.hour_categories
        home = next((c for c in cats if any(_key(t) == _key(f.topic) for t, _ in c.topics)), cats[0])
        example = f"{home.name}/{f.topic}"
        why += f"; the record has a topic but no category (e.g. {example})"
    return why


def _judge_sums(
    spec: RequirementSpec, sums: Sequence[Sums], first: date, last: date
) -> _Judgement:
    """`_judge`'s figure for a numeric requirement from groups of alike facts
    (`MemberFacts.sums`): the same tests as the one pass over the facts (completed, not
    failed, what the requirement counts, with hours), taken once per group, and one credit
    per group holding its hours in the window (alike facts credit the same category and
    kind, so the progress arithmetic allocates them alike). `counted` is left empty: a
    caller that needs the facts themselves (a rolling window's good-through) passes none."""
    target = spec.target
    counts, is_hours = spec.counts, spec.requirement_type == "hours"
    takes = spec.takes_memo
    by_category = is_hours and bool(target.hour_categories)
    credits: list[dp.Credit] = []
    amounts: list[float] = []  # without hour categories the figure is their sum
    for g in sums:
        take = takes.get(g.sig)  # (the group's: its first fact is not read again)
        if take is None:  # facts of one `sig` agree in all of this (Fact.of)
            f = g.fact
            take = takes[g.sig] = bool(
                f.done and f.passed is not False and counts(f)
                and (not is_hours or f.hours > 0)
            )  # fmt: skip
        if not take:
            continue
        dates = g.dates
        lo = bisect_left(dates, first)
        hi = bisect_right(dates, last, lo=lo)
        if hi <= lo:
            continue
        if not is_hours:
            amounts.append(float(hi - lo))
        elif by_category:
            amount, f = fsum(g.hours[lo:hi]), g.fact
            credits.append(
                dp.Credit(amount, f.credit_category, dp.DISTRIBUTIVE if f.self_paced else None)
            )
        else:
            amounts.append(fsum(g.hours[lo:hi]))
    j = _Judgement()
    if by_category:
        a = dp.allocate_hours(target.required_hours, target.hour_categories, credits)
        j.allocation, j.value, j.percentage = a, a.value, a.percentage
    else:
        j.value, j.percentage = dp.sum_figure(target, amounts)
    return j


_SOURCE_TYPES = {
    TRAINING: "training_record",
    CERTIFICATION: "certification",
    SKILL: "skill_checkoff",
    SHIFT: "shift",
    CALL: "call",
}


def _source_fact(f: Fact) -> dc.Fact:
    """The fact as the credit feed sees it, so `credit_of` decides what counts (one rule)."""
    assert f.date is not None
    return dc.Fact(
        _SOURCE_TYPES.get(f.kind, f.kind), str(f.id), 0, f.date, hours=f.hours,
        course_code=f.course_code, training_type=f.training_type, category=f.category,
        topic=f.topic, self_paced=f.self_paced, credential=f.credential_code,
        expires_on=f.expires_on, skill=f.skill, call_type=f.call_type,
    )  # fmt: skip


def _passed(f: Fact) -> bool:
    """A skill checkoff counts only when it says it was passed."""
    return f.passed if f.passed is not None else _key(f.status) == "passed"


def _takers(facts: Iterable[Fact]) -> dict[int | str, dsk.Evaluation]:
    """domain/skills.taken_back over the member's skill checkoffs among `facts` (empty,
    and cheap, while none of them is a failure)."""
    skills = [f for f in facts if f.kind == SKILL and f.date is not None]
    if all(_passed(f) for f in skills):
        return {}
    return dsk.taken_back(
        dsk.Evaluation(f.id, None, _key(f.skill), f.date, "passed" if _passed(f) else f.status_key or "failed")
        for f in skills if f.date is not None
    )  # fmt: skip


def _card_code(f: Fact) -> str | None:
    return f.credential_code or (f.course_code if f.kind == TRAINING else None)


def holding_keys(spec: RequirementSpec) -> frozenset[str]:
    """The codes, folded, of the cards and class records that can hold a certification
    requirement: its own (`certs.holding_codes`) and the higher levels that include one
    (`certs.LEVELS`). Without detail `_certification` looks at no other fact (any other
    could only be rejected as another credential)."""
    return frozenset(
        _key(c) for c in certs.holding_with_levels(spec.credential_code, spec.required_courses)
    )


def holds_by_code(code: str | None, keys: Collection[str]) -> bool:
    """Whether a card or class record of `code` (a card's credential code, a training
    record's course code, as stored) is of one of `keys` (`holding_keys`)."""
    return _key(code) in keys


def _certification(
    member: MemberFacts, spec: RequirementSpec, as_of: date, due_soon_days: int,
    detail: bool = True,
) -> Evaluation:
    """Without `detail` (the matrix) no verdict is written and, when no fact is listed twice,
    only the facts of the wanted codes are looked at (the others could only be rejected as
    another credential): the same status, figure and dates."""
    wanted = certs.holding_codes(spec.credential_code, spec.required_courses)
    # and the higher levels that include one of them (a Firefighter II card, certs.LEVELS)
    keys = holding_keys(spec)
    shown = " or ".join(wanted) or "(no credential code)"
    verdicts: list[Verdict] = []
    cards: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    cardlike, by_code = member.training_cards
    records = [*cardlike]  # a plain training record is no card: not worth a line
    for k in keys:
        records += [f for f in by_code.get(k, ()) if not (f.credential_code or f.expires_on)]
    facts: Iterable[Fact] = (*member.by_kind.get(CERTIFICATION, ()), *records)
    quick = not detail and member.unique
    if quick:
        facts = [f for f in facts if holds_by_code(_card_code(f), keys)]
    for f in _sorted(facts):
        code = _card_code(f)
        if not quick:
            ident = (f.kind, str(f.id))
            if ident in seen:
                verdicts.append(Verdict(f, False, DUPLICATE, "listed twice: counted once"))
                continue
            seen.add(ident)
        if code is None or not holds_by_code(code, keys):
            reason = f"{code or 'no credential code'} is not {shown} (codes must match exactly)"
            verdicts.append(Verdict(f, False, WRONG_CREDENTIAL, reason))
        elif f.date is not None and f.date > as_of:
            if detail:
                verdicts.append(
                    Verdict(f, False, AFTER_AS_OF, f"issued {f.date}, after the as-of date {as_of}")
                )
        elif not f.done:
            if detail:
                verdicts.append(Verdict(f, False, NOT_COMPLETED, f"status '{f.status}'"))
        elif f.passed is False:
            if detail:
                verdicts.append(Verdict(f, False, NOT_PASSED, "not passed"))
        else:
            cards.append(f)
    label = f"a valid {certs.card_text(wanted)} on {as_of}"  # and a higher level that holds it
    common: dict[str, Any] = {"window_label": label, "target": 1.0}
    if cards:
        renew = _renewal_months(spec)

        def expiry(f: Fact) -> date | None:  # a card without one: a renewal period's worth
            return certs.held_through(f.date, f.expires_on, renew)

        def key(f: Fact) -> tuple[date | None, date | None, tuple[int, int, str], bool]:
            return expiry(f), f.date, _order(f)[1:], f.expires_on is not None  # card 10 after 9

        def renews(f: Fact) -> str:  # a separate certificate renews no other (certs.renewed_as)
            return certs.renewed_as(_card_code(f), wanted)

        decisive = certs.deciding(cards, key, renews)
        renewed = {id(f) for f in cards} - {id(f) for f in certs.in_force(cards, key, renews)}
        exp = expiry(decisive)
        assumed = exp is not None and decisive.expires_on is None
        held = (
            f" (no expiry on file: {renew} months from its issue on {decisive.date}, as the "
            "requirement renews)"
            if assumed
            else ""
        )
        valid = certs.is_valid(exp, as_of)
        # a card of a higher level that includes the one asked for says so
        level = certs.includes(_card_code(decisive), certs.holds(_card_code(decisive), wanted))
        level = f"; {level}" if level else ""
        for f in cards if detail else ():
            if f is decisive:
                if valid:
                    verdicts.append(
                        Verdict(
                            f,
                            True,
                            COUNTED,
                            (f"valid through {exp}{held}" if exp else "valid, no expiry") + level,
                            1.0,
                        )
                    )
                else:
                    verdicts.append(
                        Verdict(f, False, EXPIRED_RECORD, f"expired: last valid day {exp}{held}{level}")
                    )
            elif id(f) in renewed:
                verdicts.append(
                    Verdict(
                        f,
                        False,
                        SUPERSEDED,
                        "no expiry on file, and a later card with one renews it: the card "
                        f"issued {decisive.date} decides",
                    )
                )
            else:
                # (the one without an expiry: "the card expiring never decides" read as if
                # no expiring card ever decided; name the one that does)
                latest = (
                    f"the card expiring {exp} decides (latest expiry)"
                    if exp
                    else f"the card with no expiry decides (#{decisive.id} {_card_code(decisive)}: "
                    "no card outlasts it)"
                )
                verdicts.append(Verdict(f, False, SUPERSEDED, latest))
        verdicts.sort(key=lambda v: _order(v.fact))  # card 10 after card 9 on one day
        if valid:
            reason = (
                f"{_card_code(decisive)} valid through {exp}{held}"
                if exp
                else f"{_card_code(decisive)} held, no expiry"
            ) + level
            # good_through: a recorded expiry, not one assumed (`report expiring` lists both,
            # marking the assumed one; `due` is the last valid day either way)
            return Evaluation(
                member, spec, as_of, MET, reason, value=1.0, percentage=100.0,
                verdicts=tuple(verdicts), good_through=None if assumed else exp, due=exp,
                **common,
            )  # fmt: skip
        assert exp is not None
        return Evaluation(  # due: the day the card ran out (a renewal owed since)
            member, spec, as_of, EXPIRED,
            f"{_card_code(decisive)} expired: last valid day {exp}{held}{level}",
            verdicts=tuple(verdicts), due=exp, **common,
        )  # fmt: skip
    base = (
        member.certification_date
        if spec.period_anchor == "certification_date"
        else member.hire_date
    )
    due = base + timedelta(days=spec.time_limit_days) if base and spec.time_limit_days else None
    due, asked = asked_due(spec, due, as_of, member)
    status, reason = _one_time_status(due, as_of, due_soon_days, f"no {shown} card on file")
    if asked:
        common = {**common, "notes": (*common.get("notes", ()), asked)}
    return Evaluation(
        member, spec, as_of, status, reason, due=due, verdicts=tuple(verdicts), **common
    )


def _renewal_months(spec: RequirementSpec) -> int | None:
    """How long a card without a recorded expiry holds a certification requirement that
    recurs (ACLS, biennial: 24 months from its issue day); None for a one-time one (a
    Pro Board certificate without an expiry holds for good)."""
    period = spec.period
    return certs.renewal_months(period.frequency, period.months)


def asked_due(
    spec: RequirementSpec, due: date | None, as_of: date, member: MemberFacts | None = None
) -> tuple[date | None, str | None]:
    """A one-time requirement's due date (the anchor + its time limit), and a note when
    it runs from a later day instead: the day the requirement was entered, after the
    member's hire (a "within 30 days" requirement added today is not 300 days overdue for
    a member hired in January; the program that enrolls them today says the same day), or
    the day the member came to hold a position it names (`held_since`: a firefighter of
    ten years made driver on 10 March has the driver's 90-day EVOC until 8 June, not an
    overdue from the day of the promotion). A report of a day before the entry judges as
    if it had been (a replay), as `unasked` windows are."""
    limit = spec.period.time_limit_days
    if due is None or not limit or spec.period.months:
        return due, None
    starts = []
    if spec.entered is not None and spec.entered <= as_of:
        starts.append((spec.entered, "the day the requirement was entered"))
    held = held_since(member, spec, as_of) if member is not None else None
    if held is not None:
        starts.append((held[0], f"the day the member came to hold {held[1]}"))
    if not starts:
        return due, None
    day, why = max(starts)
    later = day + timedelta(days=limit)
    if later <= due:
        return due, None
    return later, f"due {limit} days from {day}, {why} (after the member's {_anchor_word(spec)})"


def held_since(member: MemberFacts, spec: RequirementSpec, as_of: date) -> tuple[date, str] | None:
    """For a requirement that names positions: the first day of the member's unbroken
    stretch, up to `as_of`, of holding one of them (their history, `_held_spans`: a leave
    does not break it), and which; None when it reaches back to the start of what is
    known (the hire date decides) or the requirement names none."""
    if not spec.position_keys:
        return None
    for first, last in _held_spans(member, spec):
        if first is not None and first > as_of:
            break
        if last is None or as_of <= last:
            stint = _stint_on(member, first) if first is not None else None
            if first is None or stint is None:
                return None
            return first, ", ".join(sorted(spec.position_keys & stint.positions))
    return None


def _anchor_word(spec: RequirementSpec) -> str:
    return "certification date" if spec.period.anchor in ("certification_date", "cycle_end") else "hire date"


def _one_time_status(due: date | None, as_of: date, soon: int, what: str) -> tuple[str, str]:
    if due is None:
        return OVERDUE, f"{what}; required now (no deadline set)"
    if as_of > due:
        return OVERDUE, f"{what}; due {due} ({_days(due, as_of)} ago)"
    if (due - as_of).days <= soon:
        return DUE_SOON, f"{what}; due {due} ({_left(as_of, due)})"
    return NOT_YET_DUE, f"{what}; due {due} ({_left(as_of, due)})"


def _not_yet(
    member: MemberFacts, spec: RequirementSpec, as_of: date, why: str, day: date,
    card: date | None = None,
) -> Evaluation:
    """NOT YET DUE for a member hired or certified after the as-of date: nothing is owed
    yet; the target, and the member's first window (as of `day`, the hire or
    certification date) say what will be. A window owed month by month is judged as it
    will be on the hire day: its share of the target (hired on 4 January, 11 of 2027's 12
    months: 7.34 of 8 h), or none of it (a month begun before the hire); the figure stays
    0, nothing being owed yet."""
    e = Evaluation(member, spec, as_of, NOT_YET_DUE, f"{why}, after the as-of date",
                   target=spec.target.target_value)  # fmt: skip
    if spec.requirement_type == "certification" or spec.period.frequency == "rolling":
        return e  # no window of its own (a rolling one is the months before the day)
    if day == member.hire_date and _owed_by_months(spec):
        ahead = evaluate(member, spec, day, detail=False)  # (as on the hire day: owes its months)
        reason = e.reason
        if ahead.months_owed is not None:
            owed, total = ahead.months_owed
            reason += (
                f"; owes none of this window: the next, from {ahead.window.end + ONE_DAY}, is owed"
                if ahead.owes_nothing and ahead.window is not None and ahead.window.end
                else f"; then owes {owed} of this window's {total} {_months(total)}"
            )  # fmt: skip
        return replace(
            e, reason=reason, window=ahead.window, window_label=ahead.window_label,
            due=ahead.due, target=ahead.target, months_owed=ahead.months_owed,
            notes=ahead.notes,
        )  # fmt: skip
    anchors = pd.Anchors(member.hire_date, member.certification_date, card)
    first = _windows(spec.period, day, anchors)
    return replace(e, window=first.current, window_label=first.label, due=first.due)


def _card_expiry(member: MemberFacts, spec: RequirementSpec, as_of: date) -> date | None:
    """The member's current card for a cycle requirement when the facts hold it: a
    certification whose credential code is the requirement's cycle credential (its
    registry code, NREMT-EMT, or what a department copy stores), issued on or before the
    as-of date; the latest expiry decides."""
    if not spec.cycle_credential:
        return None
    code = _key(spec.cycle_credential)
    exps = [
        f.expires_on
        for f in member.by_kind.get(CERTIFICATION, ())
        if _key(f.credential_code) == code and f.expires_on is not None and f.done
        and (f.date is None or f.date <= as_of)
    ]  # fmt: skip
    return max((e for e in exps if e is not None), default=None)


def _scaled(spec: RequirementSpec, factor: float) -> RequirementSpec:
    """The requirement with its figures multiplied (a month's 16 h -> a year's 192 h)."""

    def x(v: float | None) -> float | None:
        return None if v is None else v * factor

    cats = dp.scale_categories(spec.hour_categories, factor)
    return replace(
        spec,
        required_hours=x(spec.required_hours),
        required_shifts=round(spec.required_shifts * factor) if spec.required_shifts else None,
        required_calls=round(spec.required_calls * factor) if spec.required_calls else None,
        hour_categories=cats,
    )


def _good_through_rolling(
    spec: RequirementSpec, counted: Sequence[Fact], as_of: date, cycle: str
) -> date | None:
    """The last day a met rolling requirement stays met if nothing new is recorded."""
    n = spec.period.months
    assert n is not None

    def leaves(d: date) -> date:  # the first day whose window no longer holds date d
        t = pd.add_months(d, n)
        while pd.add_months(t, -n) < d:
            t += ONE_DAY
        while pd.add_months(t - ONE_DAY, -n) >= d:
            t -= ONE_DAY
        return t

    for t in sorted({leaves(f.date) for f in counted if f.date is not None}):
        if t <= as_of:
            continue
        start = pd.add_months(t, -n) + ONE_DAY
        j = _judge(spec, counted, pd.Window(start, t), t, cycle, detail=False)
        if not j.met:
            return t - ONE_DAY
    return None


_NO_ANCHORS = pd.Anchors()


def _windows(period: pd.Period, as_of: date, anchors: pd.Anchors) -> pd.Windows:
    """periods.windows, shared by every member whose windows do not hang on their own
    dates (calendar windows: the same for a whole department)."""
    if period.anchor == "calendar" and period.frequency != "one_time":
        anchors = _NO_ANCHORS
    return _windows_cached(period, as_of, anchors)


@lru_cache(maxsize=4096)
def _windows_cached(period: pd.Period, as_of: date, anchors: pd.Anchors) -> pd.Windows:
    return pd.windows(period, as_of, anchors)


def _kind_facts(member: MemberFacts, spec: RequirementSpec) -> Sequence[Fact]:
    """The member's facts of the kinds `spec` counts, in date order."""
    kinds = spec.kinds
    if len(kinds) == 1:
        return member.by_kind.get(kinds[0], ())
    return _sorted(f for k in kinds for f in member.by_kind.get(k, ()))


def _one_time_met_then(
    member: MemberFacts, spec: RequirementSpec, window: pd.Window, as_of: date, cycle: str,
    detail: bool, held: Callable[[date], str | None] | None = None,
) -> tuple[RequirementSpec, _Judgement] | None:
    """An earlier version of a one-time requirement the member met while it was in force
    (within the window, up to its last day), and its judgement; None when none was met."""
    for v in spec.versions:
        if v.stood_until is None or v.stood_until >= as_of:
            break  # in force on the as-of day: `spec` itself judged it
        if v.requirement_type != spec.requirement_type or v.period != spec.period:
            continue
        end = v.stood_until if window.end is None else min(v.stood_until, window.end)
        if window.start is not None and end < window.start:
            continue
        vj = _judge(v, _kind_facts(member, v), pd.Window(window.start, end), end, cycle,
                    detail, member.unique, held=held)  # fmt: skip
        if vj.met:
            return v, vj
    return None


def _rule_changed_on(spec: RequirementSpec, then: RequirementSpec) -> date | None:
    """The day `spec`'s kind or window rule replaced the one of its earlier version `then`."""
    later = list(itertools.dropwhile(lambda v: v is not then, spec.versions))
    for old, new in itertools.pairwise(later):
        if new.requirement_type != old.requirement_type or new.period != old.period:
            return old.stood_until + ONE_DAY if old.stood_until else None
    return None


def evaluate(
    member: MemberFacts,
    requirement: RequirementSpec,
    as_of: date,
    *,
    due_soon_days: int = 30,
    card_expires_on: date | None = None,
    detail: bool = True,
    with_year: bool | None = None,
    group_by: tuple[str, ...] | None = None,
) -> Evaluation:
    """The one evaluator: member x requirement as of a date (see the module docstring).

    `detail=False` (the compliance matrix) leaves out the verdicts and, unless
    `with_year`, the year of a monthly requirement; status, figures and dates are the
    same as with `detail` (what `requirement explain` shows).

    `card_expires_on`: the expiry of the member's current card for a fixed-cycle
    requirement (NREMT), when the caller knows it; else it is looked up in the member's
    certification facts (credential code = the requirement's registry code); else the
    cycle follows the certification date (periods.cycle_end_reference).

    `group_by` (the matrix, `matrix_fields`): the fact fields to group alike facts by,
    shared by every requirement of a matrix (it must hold this requirement's `alike`):
    a member's facts are grouped once, not once per requirement."""
    spec = requirement
    why_not = applies(member, spec)
    if why_not is not None:
        return Evaluation(member, spec, as_of, NOT_APPLICABLE, why_not)
    if (hired := hired_after(member, as_of)) is not None:
        return _not_yet(member, spec, as_of, f"hired on {hired}", hired)
    if spec.requirement_type == "certification":
        e = _certification(member, spec, as_of, due_soon_days, detail)
        return e if detail or not e.verdicts else replace(e, verdicts=())

    period = spec.period
    card = card_expires_on
    if period.anchor == "cycle_end" and card is None:
        card = _card_expiry(member, spec, as_of)
    anchors = pd.Anchors(member.hire_date, member.certification_date, card)
    ws = _windows(period, as_of, anchors)
    notes = (ws.assumed,) if ws.assumed else ()
    if period.frequency == "one_time":
        due, asked = asked_due(spec, ws.due, as_of, member)
        if asked:
            ws, notes = replace(ws, due=due), (*notes, asked)
    if period.anchor in ("certification_date", "cycle_end") and (
        member.certification_date is not None and member.certification_date > as_of
    ):
        certified = member.certification_date
        return _not_yet(member, spec, as_of, f"certified on {certified}", certified, card)
    cycle = ws.label if period.anchor == "cycle_end" else "window"
    kinds = spec.kinds
    facts = _kind_facts(member, spec)
    if not detail and spec.requirement_type == "courses" and member.unique:
        # the matrix: only records of the listed courses can count (the others would be
        # rejected as another course, a verdict the matrix does not keep)
        by_code = member.training_cards[1]
        facts = _sorted(f for k in {_key(i) for i in spec.target.items} for f in by_code.get(k, ()))
    # the matrix: a window's figure from groups of alike facts (a met rolling window's
    # good-through needs the counted facts themselves: judged again below without them)
    sums = (
        member.sums(kinds[0], spec.alike if group_by is None else group_by)
        if not detail and len(kinds) == 1 and member.unique
        else None
    )
    start = _start(member, spec, as_of)
    judged_by: RequirementSpec = spec
    months_owed = None
    again = False  # owed months of the window before `start` (back from leave)
    counts_from: date | None = None  # a share owed: facts count from this day on
    owes: str | None = ""  # None: the member owes this window nothing
    owed_start = _owed_start(spec, start, as_of)  # (or from the requirement's entry day)
    if _owed_by_months(spec) and _partly(
        member, spec, ws.current, owed_start, min(as_of, ws.current.end or as_of)
    ):
        # subject to the requirement for part of the window: held to the months they owe
        in_window = months_owed_in(member, spec, ws.current, as_of)
        owed, total = sum(o for _, o in in_window), len(in_window)
        if owed < total:
            months_owed = (owed, total)
            kind, share = _share_of(spec, owed, total)
            if kind == SHARE:
                judged_by = prorated(spec, owed, total)
                owes = f" ({owed} of {total} months owed)"
                # the share is of the months owed: what was done before the member became
                # subject to it, in the months not owed, is not theirs to count (a driver
                # candidate's academy is not an existing driver's year)
                counts_from = _share_counts_from(in_window, owed_start, ws.current)
            elif kind == NONE:
                owes = None
            spans = owed_spans(in_window, ws.current) if owed > 0 and total > 1 else []
            which = f"{' and '.join(map(str, spans))}: " if spans else ""
            note = (
                f"owes {owed} of this window's {total} {_months(total)} ({which}those on "
                f"whose first day the member was subject to it): {share}"
            )  # fmt: skip
            if _by_entry(spec, start, owed_start, ws.current):
                note = _entered_note(spec, in_window, f"{owed} of {total} {_months(total)}, {share}")
            notes = (*notes, note)
            # a stretch of being subject that began inside the window after months
            # already owed (back from leave): subject to it again since its first day
            again = any(o and d < start for d, o in in_window) if start is not None else False
    before = None
    by_year = period.frequency in ("monthly", "quarterly") and spec.target.is_numeric
    hire = member.hire_date
    if by_year and hire is not None and ws.current.start is not None and (
        ws.current.start < hire <= (ws.current.end or hire)
    ) and (counts_from is None or counts_from < hire):
        # hired inside the month: what is dated before the hire counts neither toward the
        # month nor toward the year (`_year` counts from the hire date)
        counts_from, before = hire, "the member was hired that day; a record dated before the hire does not count"
    beyond = None
    if by_year and (with_year if with_year is not None else detail):
        one = "month" if period.frequency == "monthly" else "quarter"
        beyond = (f"beyond this {one}'s {_h(judged_by.target.target_value)} "
                  f"{units(spec.unit, judged_by.target.target_value)}: counts toward the year's hours")  # fmt: skip
    held_on = _while_held(member, spec)  # the new driver's 60 h: those of the candidacy
    j = _judge(judged_by, facts, ws.current, as_of, cycle, detail, member.unique, sums, counts_from,
               beyond, before, held_on)  # fmt: skip
    if period.frequency == "one_time" and spec.versions and not j.met:
        # met once, met for good: as the requirement stood then (a target raised since
        # does not undo a recruit year completed under the old one)
        found = _one_time_met_then(member, spec, ws.current, as_of, cycle, detail, held_on)
        if found is not None:
            judged_by, j = found
            notes = (*notes, f"met as the requirement stood until {judged_by.stood_until}: "
                             "a one-time requirement met stays met")  # fmt: skip
    target = judged_by.target.target_value
    unit = spec.unit
    figure = f"{_h(j.value)} of {_h(target)} {units(unit, target)}".rstrip() + (owes or "")
    if spec.names_nothing:
        figure += " (the requirement names nothing it counts)"
    common: dict[str, Any] = {
        "window": ws.current, "window_label": ws.label, "previous_window": ws.previous,
        "due": ws.due, "value": j.value, "target": target, "percentage": j.percentage,
        "verdicts": tuple(j.verdicts), "allocation": j.allocation, "notes": notes,
        "months_owed": months_owed,
    }  # fmt: skip

    if start is not None and start != member.hire_date and start > (ws.current.start or start) and (
        months_owed is not None or not _owed_by_months(spec)
    ):
        since = "again since" if again else "since"
        common["notes"] = (*notes, f"subject to it {since} {start} (positions or status)")
    year = None
    wants_year = detail if with_year is None else with_year
    if wants_year and period.frequency in ("monthly", "quarterly") and spec.target.is_numeric:
        year = _year(spec, facts, as_of, anchors, cycle, start, member)

    previous = None
    # (the matrix skips the previous window of a met one, unless this window is owed in
    # nothing: then only a short previous window keeps the member held, met or not)
    if period.tiles and ws.previous is not None and (detail or not j.met or owes is None):
        assert ws.previous.start is not None and ws.previous.end is not None
        # Held against the member when they owed it for the whole of that window, as its
        # last day saw them (and the requirement as it stood then: positions named since
        # hold nobody to a window before): a day's leave after it closed does not wipe it out.
        then, pfacts, psums = spec.as_it_stood_on(ws.previous.end), facts, sums
        same = then.stood_until == spec.stood_until
        if same and (start is None or start <= ws.previous.end):
            owed_from: date | None = start
        elif _subject_on(member, then, ws.previous.end):
            owed_from = _start(member, then, ws.previous.end)
        elif start is not None and start > ws.previous.end:  # not subject when it closed
            owed_from = start
        else:  # not subject to the requirement as it stood then; to the one since
            owed_from = (then.stood_until or ws.previous.end) + ONE_DAY
        entry_from = _owed_start(spec, owed_from, ws.previous.end)
        by_entry = _by_entry(spec, owed_from, entry_from, ws.previous)
        owed_from = entry_from
        # owed month by month (subject on a month's first day): a day's leave in May, or
        # one across New Year, leaves every month of the year owed
        owed = total = 1
        if _partly(member, spec, ws.previous, owed_from):
            owed, total = owed_months(member, spec, ws.previous, ws.previous.end)
        held_as = owes_of(then, owed, total)
        part, held = held_as == SHARE, held_as != NONE
        if not held and (owed or owed_from != member.hire_date):
            whole = "" if _prorates(then) or not owed else f" ({UNSHARED})"
            common["notes"] = (
                *common["notes"],
                f"owed {owed} of the previous window's {total} {_months(total)} ({ws.previous}; "
                + (f"the requirement was entered on {spec.entered}" if by_entry else
                   "those on whose first day the member was subject to it")
                + f"): it is not held against the member{whole}",
            )  # fmt: skip
        # nobody was asked for it then: a requirement added in January does not tell
        # everyone they failed it last year (its entry day is the day it was entered under:
        # one added --as-of 1 January was asked from then). A report of a day before it was
        # entered judges as if it had been (a replay); the reminders send what this decides
        # (domain.reminders.compliance_due)
        unasked = spec.entered is not None and ws.previous.end < spec.entered <= as_of
        # the registry's card for this cycle: it recertified the member, which it does
        # only once the previous cycle was met (or the exam passed instead)
        card = _card_expiry(member, spec, as_of) if held and spec.cycle_credential else None
        recertified = card is not None and card > ws.previous.end
        if held and not same:
            # judged as the requirement stood when that window closed; another kind or
            # window rule then is not this requirement's previous window
            if then.requirement_type != spec.requirement_type or then.period != period:
                held = False
                changed = _rule_changed_on(spec, then)
                common["notes"] = (
                    *common["notes"],
                    f"the requirement's kind or window rule changed on {changed}: the previous "
                    f"window ({ws.previous}) is not held against the member",
                )  # fmt: skip
            else:
                pk = then.kinds
                pfacts = _kind_facts(member, then)
                psums = (
                    member.sums(pk[0], then.alike) if sums is not None and len(pk) == 1 else None
                )
                common["notes"] = (
                    *common["notes"],
                    f"the previous window ({ws.previous}) is judged as the requirement stood "
                    f"until {then.stood_until}",
                )  # fmt: skip
        pfrom = None
        if held and part:
            whole_target = then.target.target_value
            then = prorated(then, owed, total)
            pfrom = _share_counts_from(
                months_owed_in(member, spec, ws.previous, ws.previous.end), owed_from, ws.previous
            )
            common["notes"] = (
                *common["notes"],
                f"owed {owed} of the previous window's {total} months ({ws.previous}; "
                + (f"the requirement was entered on {spec.entered}" if by_entry else
                   "those on whose first day the member was subject to it") + "): "
                f"{_h(then.target.target_value)} of {_h(whole_target)} {units(unit, whole_target)}",
            )  # fmt: skip
        if held:
            pj = _judge(
                then, pfacts, ws.previous, ws.previous.end, cycle, detail=False,
                unique=member.unique, sums=psums, counts_from=pfrom,
            )  # fmt: skip
            previous = Figure(ws.previous, pj.value, then.target.target_value, pj.percentage, pj.met)
            if recertified and not pj.met:
                previous = None
                common["notes"] = (
                    *common["notes"],
                    f"the member holds a {spec.cycle_credential} card good through {card}, past "
                    f"the previous window's end: recertified then, so the previous window "
                    f"({ws.previous}) is not held against them",
                )  # fmt: skip
            elif unasked and not pj.met:
                previous = None
                common["notes"] = (
                    *common["notes"],
                    f"the requirement was entered on {spec.entered}, after the previous "
                    f"window ({ws.previous}) closed: its shortfall is not held against the member",
                )  # fmt: skip

    if not j.met and period.tiles and spec.cycle_credential and ws.current.end is not None:
        # the registry's card good past this cycle's end: the member has recertified for
        # it already (a card issued in March for the cycle ending 31 March), by hours or by
        # exam; "due soon" beside the new card would be wrong
        card = _card_expiry(member, spec, as_of)
        if card is not None and card > ws.current.end:
            return Evaluation(
                member, spec, as_of, MET,
                f"met: recertified, a {spec.cycle_credential} card good through {card}, past this "
                f"cycle's end ({ws.current.end}); {figure} on file",
                good_through=ws.current.end, previous=previous, year=year, **common,
            )  # fmt: skip

    # a window owed in nothing is not yet due, whatever was done in it (the full year's
    # hours too), unless the previous window closed short and the member is held to this one
    excused = owes is None and (previous is None or previous.met)
    if j.met and not excused:
        if period.frequency == "rolling":
            if sums is not None:  # the same figure; now the facts that made it
                j = _judge(spec, facts, ws.current, as_of, cycle, detail, member.unique)
            good = _good_through_rolling(spec, j.counted, as_of, cycle)
        elif period.frequency == "one_time":
            good = None  # done once, done for good (a closed window only stops the counting)
        else:
            good = ws.current.end
        return Evaluation(
            member, spec, as_of, MET, f"met: {figure}", good_through=good,
            previous=previous, year=year, **common,
        )  # fmt: skip

    closed = ws.current.end
    if period.frequency == "one_time" and closed is not None and as_of > closed:
        # the first N months are over: what is done now no longer counts
        status = OVERDUE
        reason = f"not met: the first {period.months} months ended {closed} at {figure}"
    elif period.frequency == "one_time" and period.months and ws.due is None and ws.assumed:
        # the first N months hang on a member date the department has not given
        what = "hire date" if period.anchor == "hire_date" else "certification date"
        status, reason = OVERDUE, f"not met: {figure}; no due date: the {what} is unknown"
    elif period.frequency == "one_time":
        status, reason = _one_time_status(ws.due, as_of, due_soon_days, f"not met: {figure}")
    elif period.frequency == "rolling":
        n = period.months
        assert n is not None and ws.current.start is not None
        hired = start
        if hired is not None and hired >= ws.current.start:  # (on the due day too)
            due = pd.rolling_due(hired, n)
            common["due"] = due
            status, reason = _one_time_status(due, as_of, due_soon_days, f"not met: {figure}")
        else:
            status, reason = OVERDUE, f"not met in the last {n} months: {figure}"
    else:
        assert ws.due is not None
        left = (ws.due - as_of).days
        if previous is not None and not previous.met:
            status = OVERDUE
            reason = (
                f"the previous window ({previous.window}) closed at {_h(previous.value)} of "
                f"{_h(previous.target)} {units(unit, previous.target)}, and this one is not met yet: {figure}"
            )
        elif owes is None:
            assert months_owed is not None and ws.current.end is not None
            status, reason = NOT_YET_DUE, _not_owed(member, spec, owed_start, ws.current, months_owed)
        elif left <= due_soon_days:
            status, reason = (
                DUE_SOON,
                f"not met: {figure}; the window ends {ws.due} ({_left(as_of, ws.due)})",
            )
        else:
            status, reason = (
                NOT_YET_DUE,
                f"not met yet: {figure}; due {ws.due} ({_left(as_of, ws.due)})",
            )
    return Evaluation(member, spec, as_of, status, reason, previous=previous, year=year, **common)


def hired_after(member: MemberFacts, day: date) -> date | None:
    """The member's hire date when it is after `day` (else None): every cell of theirs is
    'not yet due' then, and held to nothing (`Evaluation.held`)."""
    hired = member.hire_date
    return hired if hired is not None and hired > day else None


def _subject_on(member: MemberFacts, spec: RequirementSpec, day: date) -> bool:
    """Whether the member was subject to the requirement on `day`: hired by then, and by
    their history (before its first entry, as first known) active and, when it names
    positions, holding one."""
    if member.hire_date is not None and day < member.hire_date:
        return False
    stint = _stint_on(member, day)
    if stint is None:
        return True
    return stint.status.casefold() == "active" and _subject_by_positions(spec, stint.positions)


def _while_held(member: MemberFacts, spec: RequirementSpec) -> Callable[[date], str | None] | None:
    """A figure (hours, shifts, calls) owed once by the holders of a position, without a
    span of its own (ISO-DRIVER-NEW, the new driver/operator's 60 h, for
    driver_candidate), is the figure of holding it: what counts is what was done on the
    days the member was subject to it (`_subject_on`: hired, active, holding a position it
    names), each stint of it, both end days in. A driver class taken as a firefighter
    before the candidacy, or a driver's training after it, is not a new driver's. A list
    (courses, skills, items) is done whenever it was done. Returns why a day is not one of
    those (None: it is), or None when the rule does not apply: another requirement, or a
    member without a history (their current positions held throughout)."""
    if (
        spec.period.frequency != "one_time" or spec.period.months or not spec.position_keys
        or spec.requirement_type not in NUMERIC or not member.history
    ):  # fmt: skip
        return None

    def why(day: date) -> str | None:
        if _subject_on(member, spec, day):
            return None
        if member.hire_date is not None and day < member.hire_date:
            return f"before the member was hired ({member.hire_date})"
        stint = _stint_on(member, day)
        assert stint is not None
        if _subject_by_positions(spec, stint.positions):
            return f"while the member was {stint.status}: only what is done while subject to it counts"
        held = " or ".join(sorted(spec.position_keys))
        spans = _held_spans(member, spec)
        later = next((a for a, _ in spans if a is not None and a > day), None)
        earlier = next((b for _, b in reversed(spans) if b is not None and b < day), None)
        if later is not None:
            when = f"before the member held {held}{' again' if earlier else ''} (from {later})"
        elif earlier is not None:
            when = f"after the member held {held} (until {earlier})"
        else:
            when = f"when the member did not hold {held}"
        return f"{when}: only what is done while holding it counts"

    return why


def _held_spans(member: MemberFacts, spec: RequirementSpec) -> list[tuple[date | None, date | None]]:
    """The stretches of days (first, last; None: open) the member's history holds a
    position the requirement names, leave or not (`_while_held` says where a day falls)."""
    out: list[tuple[date | None, date | None]] = []
    stints = member.history
    for i, s in enumerate(stints):
        if not _subject_by_positions(spec, s.positions):
            continue
        first = None if i == 0 else s.since
        last = stints[i + 1].since - ONE_DAY if i + 1 < len(stints) else None
        if out and out[-1][1] is not None and first is not None and out[-1][1] + ONE_DAY == first:
            first = out.pop()[0]
        out.append((first, last))
    return out


def _stint_on(member: MemberFacts, day: date) -> Stint | None:
    """The member's positions and status on `day` by their history (before its first
    entry, as first known); None without a history."""
    stints = member.history
    if not stints:
        return None
    return next((s for s in reversed(stints) if s.since <= day), stints[0])


def from_its_start(e: Evaluation) -> Evaluation:
    """A year's report (`report iso`) of a one-time requirement with a span of its own
    (`period_months`: ISO's recruit year, the 12 months from the hire date). The span is
    the member's from its first day: it is owed by a member subject to the requirement
    that day (`_subject_on`: hired, active, holding a position it names), whatever they
    hold later (a recruit whose six-month probation ended in January owes the recruit
    year closing in June, in that year's report), and not by one who was not. A member
    who left the department (not active) before the span closed, short of its figure,
    owes the share of it they served (`_left_short`), in the report of the year they
    left; met before they left, it stays met. `e`: the evaluation of the member as the year takes
    them (holding every position they held in it); returned as is for any other
    requirement, or a member without a history or without the span's anchor date."""
    spec, member, as_of = e.requirement, e.member, e.as_of
    if spec.period.frequency != "one_time" or not spec.period.months or not member.history:
        return e
    opens = member.hire_date if spec.period_anchor == "hire_date" else member.certification_date
    if opens is None or opens > as_of:
        return e
    if not _subject_on(member, spec, opens):
        return Evaluation(
            member, spec, as_of, NOT_APPLICABLE,
            f"not subject to it on {opens}, when its {spec.period.months} months began "
            f"(it is for {', '.join(sorted(spec.position_keys)) or 'everyone'})",
        )  # fmt: skip
    then = _stint_on(member, opens)
    assert then is not None
    holder = replace(
        member, status="active", positions=tuple(sorted({*member.position_keys, *then.positions}))
    )
    judged = e if e.applicable and holder.position_keys == member.position_keys else (
        evaluate(holder, spec, as_of, detail=bool(e.verdicts), with_year=False)
    )  # fmt: skip
    closes = judged.window.end if judged.window is not None else None
    last = min(closes, as_of) if closes is not None else as_of
    left = _stint_on(member, last)
    if not judged.met and left is not None and left.status.casefold() != "active":
        return _left_short(member, holder, judged, last)
    return judged


def _left_short(member: MemberFacts, holder: MemberFacts, judged: Evaluation, last: date) -> Evaluation:
    """A member who left (not active on `last`) before a span of their own closed (the
    recruit year), short of its figure: they owe the share of it they served, as a member
    who joins or leaves in a year owes the months on whose first day they were a member
    (`prorated`, rounded up as every share): hired 1 July, gone from 1 March, 8 of the
    12 months, 160 of 240 h. `judged`: the span as the member holding it is judged."""
    spec, as_of, window = judged.requirement, judged.as_of, judged.window
    assert window is not None and window.start is not None and window.end is not None
    gone = last
    for stint in reversed(member.history):  # the first day of the stretch away
        if stint.since <= last and stint.status.casefold() != "active":
            gone = stint.since
        elif stint.since <= last:
            break
    months = month_starts(spec, window, member.hire_date)
    owed = sum(1 for d in months if d < gone and (s := _stint_on(member, d)) is not None
               and s.status.casefold() == "active" and hired_after(member, d) is None)  # fmt: skip
    status = _stint_on(member, last)
    away = f"{status.status if status else 'not active'} from {gone}"
    if not owed:
        return Evaluation(
            member, spec, as_of, NOT_APPLICABLE,
            f"not owed: {away}, before the first of its {len(months)} months began",
        )  # fmt: skip
    share = prorated(spec, owed, len(months))
    e = evaluate(holder, share, as_of, detail=bool(judged.verdicts), with_year=False)
    owes = share.target.target_value
    figure = (
        f"{_h(e.value)} of {_h(owes)} {units(spec.unit, owes)} ({owed} of {len(months)} "
        f"months owed, of {_h(spec.target.target_value)})"
    )
    note = (
        f"{away}, before its {len(months)} months closed ({window.end}): owes those on "
        f"whose first day the member was a member"
    )
    e = replace(e, requirement=spec, months_owed=(owed, len(months)), notes=(*e.notes, note))
    if e.met:
        return replace(e, reason=f"met: {figure}")
    return replace(e, status=OVERDUE, reason=f"not met: {figure}; {away}")


# ----------------------------------------------------------------------- months owed
# A window is owed month by month: a month is owed when the member was subject to the
# requirement on its first day (hired by then, active, in a position it names), the rule
# ISO's monthly item follows (`_year`). A monthly or quarterly window is one such unit.
PRORATED = ("annual", "biennial")


def _prorates(spec: RequirementSpec) -> bool:
    """Whether a window the member owes only part of holds them to that share of its
    target: a numeric annual or biennial requirement on the department's calendar or the
    hire anniversary. A registry's cycle (NREMT) is owed whole, as are lists of courses,
    skills or items (a share of a list is not a figure): `owes_of` says when those are
    owed."""
    p = spec.period
    return (
        p.frequency in PRORATED
        and p.anchor in ("calendar", "hire_date")
        and spec.target.is_numeric
        and not spec.once_per_cycle
    )


WHOLE, SHARE, NONE = "whole", "share", "none"
UNSHARED = "it cannot be shared out: it is owed whole when more than half of its months are"


def owes_of(spec: RequirementSpec, owed: int, total: int) -> str:
    """What a member who owes `owed` of a window's `total` months owes of the window:
    WHOLE (every month; or, for a requirement that cannot be shared out, such as a list of
    courses, more than half of them: three weeks' leave in February does not excuse the
    year's CPR and SCBA, a hire in August does), SHARE (a numeric annual or biennial
    figure: `prorated`), or NONE."""
    if owed >= total:
        return WHOLE
    if _prorates(spec):
        return SHARE if owed else NONE
    return WHOLE if 2 * owed > total else NONE


def _not_owed(
    member: MemberFacts,
    spec: RequirementSpec,
    start: date | None,
    window: pd.Window,
    months_owed: tuple[int, int],
) -> str:
    """Why the member owes this window nothing (`owes_of` NONE), and which window is owed."""
    owed, total = months_owed
    assert window.start is not None and window.end is not None
    nxt = f"the next window, from {window.end + ONE_DAY}, is owed"
    if start is None or start <= window.start:  # the requirement changed inside the window
        return (
            f"not owed: the requirement applied to the member on the first day of {owed} of "
            f"this window's {total} {_months(total)} ({UNSHARED if owed else 'none'}); {nxt}"
        )
    since = (
        "hired" if start == member.hire_date
        else "the requirement was entered" if start == spec.entered else "subject to it"
    )
    if total == 1:
        when = f"after this window began ({window.start})"
    elif owed == 0:
        when = "after this window's last month began"
    else:
        when = f"so {owed} of this window's {total} months are owed, and {UNSHARED}"
    return f"not owed: {since} on {start}, {when}; {nxt}"


def _owed_by_months(spec: RequirementSpec) -> bool:
    """A window of the department's own (calendar or hire anniversary; monthly to
    biennial): owed month by month. A registry's cycle is the registry's: owed whole."""
    p = spec.period
    return p.frequency in ("monthly", "quarterly", *PRORATED) and p.anchor in (
        "calendar", "hire_date",
    )  # fmt: skip


def _partly(
    member: MemberFacts,
    spec: RequirementSpec,
    window: pd.Window,
    start: date | None,
    last: date | None = None,
) -> bool:
    """Whether the member may owe only part of the window: their stretch of being subject
    began inside it, or ended before `last` (a year's report of a member who retired in
    October), or the requirement changed inside it (positions named since)."""
    if window.start is None or window.end is None:
        return False
    if start is not None and start > window.start:
        return True
    if last is not None and member.history and not _subject_on(member, spec, last):
        return True
    return any(
        v.stood_until is not None and window.start <= v.stood_until < window.end
        for v in spec.versions
    )


def _share_counts_from(
    months: Sequence[tuple[date, bool]], start: date | None, window: pd.Window
) -> date | None:
    """The day from which facts count toward a share of `window` owed (`months_owed_in`):
    the first owed month, or the day the member became subject to the requirement (`start`,
    hire or position) when that is earlier; None when that is the window's first day. What
    was done before, in months not owed, is not theirs to count (a driver candidate's
    academy is not an existing driver's year); a month owed counts whole, leave or not."""
    first_owed = next((d for d, owed in months if owed), None)
    begun = min((d for d in (start, first_owed) if d is not None), default=None)
    if begun is None or window.start is None or begun <= window.start:
        return None
    return begun


def _months(n: int) -> str:
    return "month" if n == 1 else "months"


def month_starts(
    spec: RequirementSpec, window: pd.Window, anchor: date | None = None
) -> list[date]:
    """The first days of the units a window is owed by: its months (1 January, 1 February,
    ...; 15 September, 15 October, ... for an anniversary window, counted from the
    `anchor` day: a 29 February hire's months begin on the 29th, 28 February aside), or
    the window's own first day for a monthly or quarterly requirement."""
    assert window.start is not None and window.end is not None
    if spec.period.frequency in ("monthly", "quarterly"):
        return [window.start]
    # the window's own months: one anchored on 29 February runs from 28 February to 28
    # February in a year whose next anniversary is the 29th, a day longer, not a month
    n = spec.period.months or 0
    base, k0 = window.start, 0
    if anchor is not None and spec.period.anchor == "hire_date":
        k = (window.start.year - anchor.year) * 12 + window.start.month - anchor.month
        if k >= 0 and pd.add_months(anchor, k) == window.start:
            base, k0 = anchor, k
    return [d for k in range(n) if (d := pd.add_months(base, k0 + k)) <= window.end]


def _stood(spec: RequirementSpec, day: date) -> RequirementSpec:
    """The version of the requirement in force on `day`, unless its kind or window rule
    was another then (it was not this requirement's window)."""
    then = spec.as_it_stood_on(day)
    if then.stood_until != spec.stood_until and (
        then.requirement_type != spec.requirement_type or then.period != spec.period
    ):
        return spec
    return then


def months_owed_in(
    member: MemberFacts, spec: RequirementSpec, window: pd.Window, as_of: date
) -> list[tuple[date, bool]]:
    """The window's months (their first days, `month_starts`), each with whether the
    member owes it: subject to the requirement, as it stood then, on the month's first
    day. A day's leave on 10 May owes all twelve; a leave from 20 April to 10 July, nine
    (January to April, August to December); hired on 15 September, three. Months after
    `as_of` follow the member as they stand on it."""
    out = []
    for d in month_starts(spec, window, member.hire_date):
        day = min(d, as_of)  # a month not begun yet: as the member stands on the as-of day
        out.append((d, _owes_month(member, _stood(spec, day), d, day, as_of)))
    return out


def _owes_month(
    member: MemberFacts, spec: RequirementSpec, first: date, day: date, as_of: date
) -> bool:
    """Whether the member owes the month (quarter) beginning on `first`, judged on `day`
    (its first day, or the as-of day for one not begun) by `spec` as it stood then:
    subject to it, and the requirement entered by the month's first day (`entered_in`:
    one added on 10 March is owed from 1 April, as a position held from 10 March is)."""
    return _owed_after_entry(entered_in(spec, as_of), first) and _subject_on(member, spec, day)


def _owed_after_entry(entered: date | None, first: date) -> bool:
    """Whether the month (quarter) beginning on `first` is owed, as far as the day the
    requirement was entered under goes (`entered_in`; None: it does not limit it): one
    added on 10 March is owed from 1 April, one added on 1 April from 1 April."""
    return entered is None or entered <= first


def entered_in(spec: RequirementSpec, as_of: date) -> date | None:
    """The day from which the department's own requirement is owed month by month: the
    day it was entered under, when a report as of `as_of` knows it (a report of a day
    before the entry judges as if it had been entered long before: a replay, as
    `unasked` windows are). None for a registry's entry (NFPA, ISO, NREMT): a standard in
    force before it was imported, whose import day is only when trainctl learned of it
    (its current window is owed whole; a window that closed before the import is not
    held, `unasked`), and for a window not owed month by month (`_owed_by_months`: a
    registry's cycle, a department copy of NREMT-EMT's too; one-time and rolling
    requirements have their own rules)."""
    if spec.entered is None or spec.entered > as_of or spec.registry_name or not _owed_by_months(spec):
        return None
    return spec.entered


def _share_of(spec: RequirementSpec, owed: int, total: int) -> tuple[str, str]:
    """How `owed` of a window's `total` months are owed (`owes_of`: WHOLE, SHARE or NONE),
    and the words for it: "9 of 12 h", "all of it (...)", "none of it"."""
    kind = owes_of(spec, owed, total)
    if kind == SHARE:
        full = f"{_h(spec.target.target_value)} {units(spec.unit, spec.target.target_value)}".rstrip()
        return kind, f"{_h(prorated(spec, owed, total).target.target_value)} of {full}"
    if kind == WHOLE:
        return kind, f"all of it ({UNSHARED})"
    return kind, "none of it" + ("" if _prorates(spec) or not owed else f" ({UNSHARED})")


def entry_note(spec: RequirementSpec) -> str | None:
    """What the department's own requirement, entered on `spec.entered` inside a window of
    the calendar, is owed of that window, by the rule every report judges it by
    (`_owes_month`: from the first month that begins on or after the entry day), in the
    words of `requirement explain`: "owed from 2026-12-01, the month after the
    requirement was entered (2026-11-30): 1 of 12 months, 1 of 12 h". None when the whole
    window is owed, for a registry's entry, and for windows that are not the calendar's
    (a hire anniversary, a cycle, one-time and rolling requirements): `requirement add`
    says it, since an entry day is never moved back."""
    day = spec.entered
    if day is None or spec.registry_name or not _owed_by_months(spec) or spec.period.anchor != "calendar":
        return None
    window = pd.windows(spec.period, day).current
    if window.start is None or window.end is None:
        return None
    months = [(d, _owed_after_entry(day, d)) for d in month_starts(spec, window)]
    owed, total = sum(o for _, o in months), len(months)
    if owed == total:
        return None
    _, share = _share_of(spec, owed, total)
    return _entered_note(spec, months, f"{owed} of {total} {_months(total)}, {share}")


def _entered_note(spec: RequirementSpec, months: Sequence[tuple[date, bool]], share: str) -> str:
    """The note of a window owed in part because the requirement was entered inside it:
    "owed from 2026-04-01, the month after the requirement was entered (2026-03-10): 9
    of 12 months, 9 of 12 h"."""
    first = next((d for d, owed in months if owed), None)
    if first is None and len(months) == 1:  # a monthly or quarterly window: owed whole or not
        return (f"owed from the next window: the requirement was entered on {spec.entered}, "
                f"after this window began ({months[0][0]})")  # fmt: skip
    if first is None:
        return (f"owed from the next window: the requirement was entered on {spec.entered}, "
                f"after this window's last month began ({share})")  # fmt: skip
    when = "the day" if first == spec.entered else "the month after"
    return f"owed from {first}, {when} the requirement was entered ({spec.entered}): {share}"


def _by_entry(
    spec: RequirementSpec, start: date | None, owed_start: date | None, window: pd.Window
) -> bool:
    """Whether the requirement's entry day, inside the window, decides from when it is
    owed (`_owed_start` moved `start` to it)."""
    return (
        owed_start is not None and owed_start != start and owed_start == spec.entered
        and window.start is not None and owed_start > window.start
    )  # fmt: skip


def _owed_start(spec: RequirementSpec, start: date | None, as_of: date) -> date | None:
    """From when the member owes the requirement in a window month by month: `start`
    (`_start`: hire, positions, status), or the requirement's entry day when later."""
    entered = entered_in(spec, as_of)
    if entered is None or (start is not None and start >= entered):
        return start
    return entered


def owed_months(
    member: MemberFacts, spec: RequirementSpec, window: pd.Window, as_of: date
) -> tuple[int, int]:
    """(owed, of): how many of the window's months the member owes (`months_owed_in`),
    and how many it has."""
    months = months_owed_in(member, spec, window, as_of)
    return sum(owed for _, owed in months), len(months)


def owed_spans(months: Sequence[tuple[date, bool]], window: pd.Window) -> list[pd.Window]:
    """The stretches of owed months (`months_owed_in`) as spans of days: a leave from June
    to August in a calendar year, 2026-01-01 – 2026-05-31 and 2026-09-01 – 2026-12-31."""
    assert window.end is not None
    spans: list[pd.Window] = []
    first: date | None = None
    for i, (d, owed) in enumerate(months):
        if owed and first is None:
            first = d
        if first is None:
            continue
        if i + 1 == len(months):
            spans.append(pd.Window(first, window.end))
        elif not months[i + 1][1]:
            spans.append(pd.Window(first, months[i + 1][0] - ONE_DAY))
            first = None
    return spans


def prorated(spec: RequirementSpec, owed: int, total: int) -> RequirementSpec:
    """The requirement's share for `owed` of `total` months: hours rounded up to the
    hundredth, shifts and calls up to the whole one (24 shifts a year, three months owed:
    6; 12 calls, five months: 5)."""
    s = _scaled(spec, owed / total)

    def up(n: int | None) -> int | None:
        return -(-n * owed // total) if n else n

    hours = s.required_hours
    if hours is not None:
        hours = math.ceil(hours * 100 - 1e-4) / 100
    return replace(
        s, required_hours=hours, required_shifts=up(spec.required_shifts),
        required_calls=up(spec.required_calls),
    )  # fmt: skip


def _year(
    spec: RequirementSpec, facts: Sequence[Fact], as_of: date, anchors: pd.Anchors, cycle: str,
    start: date | None = None, member: MemberFacts | None = None,
) -> YearFigure:
    """The year's figure: the months (quarters) of the year the member owes, each judged,
    and the year's hours against the share of the months owed.

    Owed: the months that begin on or after `start` (hired on 1 March: March to December,
    10 x the monthly target) or, given the `member`, those on whose first day they were
    subject to it (hired by then, active, in a position it names): a leave in March and
    April leaves ten months owed, January and February among them. The year's hours are
    those from the hire date (or the year's first day) on: the 16 h a member hired on 5
    January did on the 20th count toward the year (the ISO figure is the year's hours),
    though January, begun before the hire, is not owed."""
    period = spec.period
    assert period.months is not None
    anchor = period.anchor if period.anchor in ("hire_date", "certification_date") else "calendar"
    yw = _windows(pd.Period.of("annual", anchor=anchor), as_of, anchors).current
    assert yw.start is not None and yw.end is not None
    year = pd.windows_between(period, yw.start, yw.end, anchors)

    def then_of(w: pd.Window) -> RequirementSpec:
        """The version in force when a period closed (or on the as-of day)."""
        return spec.as_it_stood_on(min(w.end, as_of)) if w.end is not None else spec

    def other_rule(then: RequirementSpec) -> bool:
        return then.stood_until != spec.stood_until and (
            then.requirement_type != spec.requirement_type or then.period != period
        )

    # a period that closed under another kind or window rule (annual 8 h until 30 June,
    # quarterly 2 h from 1 July) was not one of these periods: it is left out, and the year
    # counts from the rule's day, as it would for a member hired then (third review:
    # `requirement explain` listed "2026 Q1: 0 of 2 h (short)" of a year judged annual
    # then, and met). A report as of a day then judges those months as the rule stood.
    windows = [w for w in year if not other_rule(then_of(w))]
    rule_from = windows[0].start if windows and len(windows) < len(year) else None
    if rule_from is not None:
        yw = pd.Window(max(rule_from, yw.start), yw.end)

    def stood(w: pd.Window) -> RequirementSpec:
        """The version a period is judged by: in force when it closed (or on the as-of
        day); the requirement as it stands for a period of its rule not yet begun."""
        then = then_of(w)
        return spec if other_rule(then) else then

    if member is not None:
        # (a month not begun by the as-of day: as the member stands on it; a leave
        # entered later is not known to a report of that day)
        owed = [w for w in windows
                if w.start is not None and _owes_month(member, stood(w), w.start, min(w.start, as_of), as_of)]  # fmt: skip
    else:
        owed = [w for w in windows if start is None or (w.start is not None and w.start >= start)]
    if not owed:  # hired (or subject to it) only after the year's last month began
        return YearFigure(yw, 0.0, 0.0, 0.0, False, (), 0.0, 0, _begun(windows, as_of),
                          rule_from=rule_from)  # fmt: skip
    # the year's share: 12 months' (4 quarters') worth, or the months owed
    factor = len(owed) if len(owed) < len(year) else 12 / period.months
    hired = member.hire_date if member is not None else None
    first = max(d for d in (yw.start, hired, owed[0].start if member is None else None) if d is not None)
    yw = pd.Window(min(first, owed[0].start or first), yw.end)
    figures = []
    facts = [f for f in facts if f.date is not None and f.date in yw]
    # no fact listed twice (a bulk read's): each month is judged on its own days' facts
    # (bisected: they come in date order), not by a pass over the whole year's
    unique = member is not None and member.unique
    segments: list[tuple[RequirementSpec, pd.Window, float]] = []  # versions of the year
    for w in owed:
        if w.start is None or w.start > as_of:
            break
        # each month as the requirement stood when it closed (or on the as-of day), on the
        # facts that version counts
        then = stood(w)
        mine = facts if then.kinds == spec.kinds or member is None else [
            f for f in _kind_facts(member, then) if f.date is not None and f.date in yw
        ]
        sub = _judge(then, mine, w, as_of, cycle, detail=False, unique=unique)
        if segments and segments[-1][0] is then:
            v, sw, share = segments[-1]
            segments[-1] = (v, pd.Window(sw.start, w.end), share + (then.target.target_value or 0.0))
        else:
            segments.append((then, w, then.target.target_value or 0.0))
        label = _windows(period, w.start, anchors).label if w.start else ""
        figures.append(
            Figure(w, sub.value, then.target.target_value, sub.percentage, sub.met, label,
                   done=_done(sub))
        )
    per = spec.target.target_value or 0.0
    if spec.versions and per:
        # the year's target: the months' own (a monthly figure raised in July counts
        # from July), the months not yet begun at the figure as it stands
        share = sum(f.target or 0.0 for f in figures) + per * (len(owed) - len(figures))
        factor = factor * share / (per * len(owed))
    annual = _scaled(spec, factor)
    yj = _judge(annual, facts, yw, as_of, cycle, detail=False, unique=unique)
    value, percentage, met, done = yj.value, yj.percentage, yj.met, _done(yj)
    if len(segments) > 1:
        # the year in the stretches of its versions (the last is the requirement as it
        # stands, with the months not yet begun), each judged by its own rule, on the facts
        # it counts, scaled to its months' targets
        total = annual.target.target_value or 0.0
        parts = []
        for i, (v, sw, share) in enumerate(segments):
            last = i == len(segments) - 1
            if last:
                share = total - sum(sh for _, _, sh in segments[:-1])
            per_v = v.target.target_value or 0.0
            mine = facts if v.kinds == spec.kinds or member is None else [
                f for f in _kind_facts(member, v) if f.date is not None and f.date in yw
            ]
            stretch = pd.Window(yw.start if i == 0 else sw.start, yw.end if last else sw.end)
            parts.append(_judge(_scaled(v, share / per_v if per_v else 0.0), mine, stretch,
                                as_of, cycle, detail=False, unique=unique))  # fmt: skip
        value = round(sum(p.value for p in parts), 4)
        percentage = dp.percent_of(min(value, total), total)
        met = all(p.met for p in parts)
        done = round(sum(_done(p) for p in parts), 4)
    return YearFigure(
        window=yw,
        value=value,
        target=annual.target.target_value or 0.0,
        percentage=percentage,
        met=met,
        periods=tuple(figures),
        pace=round(sum(f.target or 0.0 for f in figures), 4),
        owed=len(owed),
        begun=_begun(windows, as_of),
        done=done,
        rule_from=rule_from,
    )


def _done(j: _Judgement | Evaluation) -> float:
    """The hours (shifts, calls) done of what a requirement counts: the figure, or, for
    hours allocated by category, every hour credited, also those beyond a minimum."""
    return j.allocation.logged if j.allocation is not None else j.value


def done_of(e: Evaluation) -> float:
    """What the member did of what the window counts (the year's, for a monthly item
    judged by its year: `report iso`'s Hours), where the figure is what counts toward the
    target: alike for every item, those allocated by category (company training) too."""
    return e.year.done if e.year is not None else _done(e)


def _begun(windows: Sequence[pd.Window], as_of: date) -> int:
    """How many of the year's months (quarters) have begun by the as-of day."""
    return sum(1 for w in windows if w.start is not None and w.start <= as_of)


def matrix_fields(requirements: Iterable[RequirementSpec]) -> tuple[str, ...]:
    """The fact fields every requirement of a matrix groups alike facts by (the union of
    their `alike`): facts alike in all of them are alike for each one."""
    return tuple(sorted({f for r in requirements for f in r.alike}))


def evaluate_all(
    members: Iterable[MemberFacts],
    requirements: Sequence[RequirementSpec],
    as_of: date,
    *,
    due_soon_days: int = 30,
    detail: bool = False,
    with_year: bool | None = None,
) -> list[Evaluation]:
    """The member x requirement matrix (`report compliance`), member by member; each cell
    is `evaluate` (without the verdicts unless `detail`), so a cell and `requirement
    explain` for the same member, requirement and date always agree."""
    group_by = matrix_fields(requirements)
    kw: dict[str, Any] = {
        "due_soon_days": due_soon_days, "detail": detail, "with_year": with_year,
        "group_by": group_by,
    }  # fmt: skip
    return [evaluate(m, r, as_of, **kw) for m in members for r in requirements]


def figure_text(e: Evaluation) -> str:
    """'9 of 12 h (75%)': an evaluation's figure against its target, in words."""
    unit = e.requirement.unit
    if e.target is None:
        return f"{_h(e.value)} {units(unit, e.value)}".rstrip()
    text = f"{_h(e.value)} of {_h(e.target)} {units(unit, e.target)} ({_h(e.percentage)}%)"
    if e.months_owed is not None and owes_of(e.requirement, *e.months_owed) == SHARE:
        owed, total = e.months_owed
        full = e.requirement.target.target_value
        text += f", the share of {_h(full)} {units(unit, full)} for the {owed} of {total} months you owe"
    return text


# ------------------------------------------------------------------------------ explain
STATUS_WORDS = {
    MET: "MET",
    DUE_SOON: "DUE SOON",
    OVERDUE: "OVERDUE",
    EXPIRED: "EXPIRED",
    NOT_APPLICABLE: "NOT APPLICABLE",
    NOT_YET_DUE: "NOT YET DUE",
}


def _fact_line(v: Verdict) -> str:
    f = v.fact
    when = f.date.isoformat() if f.date else "(no date)"
    size = f"  {_h(f.hours)} h" if f.kind == TRAINING and f.hours else ""
    exp = f"  expires {f.expires_on}" if f.kind == CERTIFICATION and f.expires_on else ""
    tags = " (self-paced)" if f.self_paced else ""
    cat = f"  {f.credit_category}" if f.credit_category else ""
    return f"  {when}  {f.label}{cat}{size}{tags}{exp}: {v.reason}"


def arithmetic_lines(e: Evaluation) -> list[str]:
    """The sum to the percentage, e.g. '12.5 h of 20 h national + 5 h of 10 h local + ...
    = 22 h of 40 h = 55%'."""
    a = e.allocation
    if a is None:
        if e.target is None:
            return [f"{_h(e.value)} {units(e.requirement.unit, e.value)}: the requirement sets no target"]
        return [f"{_h(e.value)} of {_h(e.target)} {units(e.requirement.unit, e.target)} = {_h(e.percentage)}%"]
    lines = []
    parts = []
    for c in a.categories:
        detail = []
        if c.topics:
            detail.append(", ".join(f"{t.name} {_h(t.filled)}/{_h(t.minimum)}" for t in c.topics))
        if c.received:
            detail.append(", ".join(f"{_h(h)} h from {src}" for src, h in c.received))
        if c.sent:
            detail.append(", ".join(f"{_h(h)} h on to {dst}" for dst, h in c.sent))
        if c.distributive_cap is not None:
            detail.append(
                f"self-paced {_h(c.distributive_used)} of {_h(c.distributive_cap)} h allowed"
            )
        if c.capped:
            detail.append(f"{_h(c.capped)} h over its caps")
        extra = f" ({'; '.join(detail)})" if detail else ""
        lines.append(f"  {c.name}: {_h(c.filled)} h of {_h(c.minimum)} h{extra}")
        parts.append(f"{_h(c.filled)} h of {_h(c.minimum)} h {c.name}")
    if a.remainder > 0:
        lines.append(f"  other hours: {_h(a.remainder_filled)} h of {_h(a.remainder)} h")
        parts.append(f"{_h(a.remainder_filled)} h of {_h(a.remainder)} h other")
    lines.append(
        f"  {' + '.join(parts)} = {_h(a.value)} h of {_h(a.target)} h = {_h(a.percentage)}%"
    )
    return lines


def explain_lines(e: Evaluation, *, every: bool = True) -> list[str]:
    """`requirement explain`: the window, every fact counted or rejected with the reason,
    the arithmetic and the status, as plain text lines (the CLI only prints them).
    `every=False` folds the facts dated outside the window into one line (their count and
    dates): a year of weekly drills would otherwise bury a monthly requirement's lines."""
    r, m = e.requirement, e.member
    out = [r.label]
    who = m.name or (f"member #{m.id}" if m.id is not None else "member")
    out.append(f"Member: {who} ({', '.join(m.positions) or 'no position'}); as of {e.as_of}")
    if r.required_positions:
        out.append(f"Applies to: {', '.join(r.required_positions)}")
    if r.source_document:
        out.append(f"Source: {r.source_document}")
    if r.stood_until is not None:
        out.append(
            f"Judged as the requirement stood until {r.stood_until} (changed since: "
            f"`trainctl requirement show {r.id if r.id is not None else shell_word(r.label)}`)"
        )
    if e.status == NOT_APPLICABLE:
        out.append(f"Status: {STATUS_WORDS[e.status]} — {e.reason}")
        return out
    if e.window is not None:
        due = f"; due {e.due}" if e.due else ""
        w = e.window  # a one-time window may have no start, or no end
        span = (str(w) if w.start and w.end else f"from {w.start}" if w.start
                else f"up to {w.end}" if w.end else "any date")  # fmt: skip
        label = e.window_label
        if label.startswith("one time"):  # the dates are in the span ("one time: the first 12 months")
            label = label.partition(" from ")[0].rstrip(",")
        out.append(f"Window {span} ({label}){due}")
    elif e.window_label:
        out.append(f"Needs {e.window_label}")
    out.extend(f"Note: {n}" for n in e.notes)
    if r.names_nothing:
        out.append(
            "Counts nothing: this hours requirement names no course, training type or "
            f"category it counts, and has no hour categories; to fix, {r.fix_hint()}"
        )
    counted, rejected = e.counted, e.rejected
    out.append(f"Counted ({len(counted)}):" if counted else "Counted: nothing")
    out.extend(_fact_line(v) for v in counted)
    # outside the window, or dated after the as-of date (a report of a past day: they did
    # not exist yet): one line each, with their dates; --all lists them
    grouped = {OUTSIDE_WINDOW: "Outside the window", AFTER_AS_OF: "After the as-of date"}
    aside = {} if every else {
        code: [v for v in rejected if v.code == code] for code in grouped
    }  # fmt: skip
    rejected = tuple(v for v in rejected if not aside.get(v.code))
    if rejected:
        out.append(f"Not counted ({len(rejected)}):")
        out.extend(_fact_line(v) for v in rejected)
    for code, said in grouped.items():
        group = aside.get(code) or []
        if group:
            days = [v.fact.date for v in group if v.fact.date is not None]
            span = (f", dated {min(days)}" if days and min(days) == max(days)
                    else f", dated {min(days)} … {max(days)}" if days else "")  # fmt: skip
            out.append(f"{said}: {len(group)} more{span} (--all lists them)")
    if r.requirement_type != "certification":
        out.append("Arithmetic:")
        out.extend(arithmetic_lines(e))
    if e.previous is not None:
        p = e.previous
        state = "met" if p.met else "not met"
        out.append(
            f"Previous window {p.window}: {_h(p.value)} of {_h(p.target)} {units(r.unit, p.target)} ({state})"
        )
    if e.year is not None and not e.year.owed:
        each = "month" if r.frequency == "monthly" else "quarter"
        out.append(f"Year {e.year.window}: no {each} of it is owed (none began with the member "
                   "subject to the requirement)")  # fmt: skip
    elif e.year is not None:
        y = e.year
        one = "month" if r.frequency == "monthly" else "quarter"
        n = len(y.periods)  # the months begun that the member owes
        each = one if n == 1 else f"{one}s"
        # "9 months begun", or, when some begun are not owed, "9 months owed of 12 begun"
        tally = f"{each} begun" if n == y.begun else f"{each} owed of {y.begun} begun"
        word = "hour" if r.unit == "h" else units(r.unit, 1)
        per = y.pace / n if n else 0
        # the hours done (`report iso`'s Hours), and of them what is credited toward the
        # year's figure (up to it: its Credit), when those differ
        done = (f"{_h(y.done)} {units(r.unit, y.done)} done, " if y.done > y.value + 1e-9
                else "")  # fmt: skip
        credited = " credited" if done else ""
        head = (
            f"Year {y.window}: {done}{_h(y.value)} of {_h(y.target)} {units(r.unit, y.target)}"
            f"{credited} = {_h(y.percentage)}% (every {word} of the year counts toward it, "
            f"whichever {one} it fell in{', up to the figure' if done else ''}); "
        )
        if not n:  # owed months lie ahead (hired mid-month: owed from the next one)
            none = f"the {one} owed has not" if y.owed == 1 else f"none of the {y.owed} {one}s owed has"
            out.append(head + f"{none} begun yet; on pace: nothing needed by now")
        else:
            met_of = f"{y.periods_met} of {n} {each}" + (" owed" if n != y.begun else "")
            out.append(
                head + f"{met_of} met; on pace: {_h(y.pace)} {units(r.unit, y.pace)} needed by "
                + (f"now ({_h(per)} {units(r.unit, per)} x {n} {tally})"
                   if len({f.target for f in y.periods}) <= 1
                   else f"now ({' + '.join(_h(f.target) for f in y.periods)} {r.unit}, {n} "
                        f"{tally}, each as the requirement stood)")
            )
        for f in y.periods:
            # the month's hours done (22 of 16 h), as the year counts them: they add up
            # to the year's hours done
            short = "" if f.met else " (short)"
            did = f.value if f.done is None else f.done
            out.append(f"  {f.label or f.window}: {_h(did)} of {_h(f.target)} {units(r.unit, f.target)}{short}")
        if (r.registry_name and r.entered is not None and y.window.start is not None
                and y.window.start < r.entered <= e.as_of):  # fmt: skip
            # a registry's year is owed whole (`entered_in`), while a window that closed
            # before the import is not held (`unasked`): say which is which, or the
            # months "short" below a note that no shortfall is held read as a contradiction
            out.append(
                f"  The year is the registry's and owed whole, its {one}s before the requirement "
                f"was entered ({r.entered}) included; the status judges the current {one} alone"
            )
        rest = round(y.done - sum(f.value if f.done is None else f.done for f in y.periods), 4)
        if rest > 1e-9:  # the hire month from the hire day on, a month of leave
            out.append(f"  Days of the year in no {one} owed: {_h(rest)} {units(r.unit, rest)}")
    if e.year is not None and e.year.rule_from is not None:
        one = "month" if r.frequency == "monthly" else "quarter"
        out.append(
            f"  (the requirement's kind or window rule changed on {e.year.rule_from}: the "
            f"{one}s before it were not {one}s of this requirement and are left out of the "
            f"year; `--as-of {e.year.rule_from - ONE_DAY}` judges them as it stood)"
        )
    good = f"; good through {e.good_through}" if e.met and e.good_through else ""
    out.append(f"Status: {STATUS_WORDS[e.status]} — {e.reason}{good}")
    return out
