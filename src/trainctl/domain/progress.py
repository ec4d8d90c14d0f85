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

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from math import fsum
from typing import TYPE_CHECKING, Any

from trainctl.domain.certs import holding_codes, is_valid
from trainctl.domain.text import hours_text, later_day_hint
from trainctl.errors import RefusedError

if TYPE_CHECKING:
    from decimal import Decimal

NUMERIC_TYPES = ("hours", "shifts", "calls")
# The unit a requirement's 'value / target' is counted in.
UNITS = {"hours": "h", "shifts": "shifts", "calls": "calls", "courses": "courses",
         "skills_evaluation": "skills", "checklist": "items", "certification": "cert"}  # fmt: skip
SET_TYPES = ("courses", "skills_evaluation", "checklist", "certification")
DONE = ("completed", "waived")
ENROLLMENT_STATUSES = ("active", "completed", "on_hold", "withdrawn", "failed")
CREDITABLE = ("active", "completed")  # enrollments that take credit, overrides, verification
# What "value / target" is counted in, per requirement type.
UNITS = {"hours": "h", "shifts": "shifts", "calls": "calls", "courses": "courses",
         "skills_evaluation": "skills", "checklist": "items", "certification": "cert"}  # fmt: skip


# ---------------------------------------------------------------------------- percentages
PCT_PLACES = 4  # the decimals a percentage is kept to (the rollup's unit: PCT_UNITS)
def _cap(pct: float) -> float:
    """Clamp to [0, 100] and keep four decimals (33.333333333333336 -> 33.3333), halves
    rounded up (`half_up`), the rule of every figure shown and of the SQL rollup's ROUND:
    1.03125 is kept as 1.0313, where round() kept 1.0312 (halves to even)."""
    if pct >= 100.0:
        return 100.0
    if pct <= 0.0:
        return 0.0
    return half_up(pct, PCT_PLACES)


def ratio_percentage(value: float, target: float | None) -> float:
    """hours / shifts / calls: credited total / target x 100, capped at 100, from the
    exact figures (`percent_of`: 3.3 of 320 h is 1.03125%, kept as 1.0313)."""
    if not target or target <= 0 or value <= 0:
        return 0.0
    if value >= target:  # (most cells of a matrix: met, or nothing; no Decimal for them)
        return 100.0
    return percent_of(value, target, PCT_PLACES)  # four decimals, below 100: as _cap keeps it


DISTRIBUTIVE = "distributive"  # the `item` of an hours credit earned by distributive education
# A member's self-reported credit an officer turned down (`progress update --reject`): the
# reported entry, kept, and its reversing entry "<source id>:reject" (the negative, same
# category and item: who rejected it, when and why) are both in state "rejected": never
# counted, no longer waiting, nobody's activity (services/progress/rollup.py).
REJECT_SUFFIX = ":reject"


@dataclass(frozen=True)
class HourCategory:
    """A component of an hours requirement (schemas/requirements.py describes the JSON)."""

    name: str
    min_hours: float = 0.0
    max_hours: float | None = None  # a cap on what this category may contribute
    distributive_max_hours: float | None = None  # a cap on self-paced hours within it
    topics: tuple[tuple[str, float], ...] = ()  # (topic, minimum hours) inside the category
    # Where this category's hours beyond its minimums flow on, in order (NREMT NCCP:
    # national -> local, individual). None: not set (`nccp_flow` may set it); (): never.
    overflow_to: tuple[str, ...] | None = None


def scale_categories(
    categories: Iterable[HourCategory], factor: float
) -> tuple[HourCategory, ...]:
    """Every figure of the categories times `factor`: minimums, caps, distributive caps and
    topic minimums (a month's 16 h -> a year's 192 h; a program's span, `Target.over`)."""

    def x(v: float | None) -> float | None:
        return None if v is None else v * factor

    return tuple(
        replace(
            c,
            min_hours=c.min_hours * factor,
            max_hours=x(c.max_hours),
            distributive_max_hours=x(c.distributive_max_hours),
            topics=tuple((t, m * factor) for t, m in c.topics),
        )
        for c in categories
    )


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
            flow = c.get("overflow_to")
            out.append(
                HourCategory(
                    str(c["name"]),
                    float(c.get("min_hours") or 0),
                    float(cap) if cap is not None else None,
                    float(dcap) if dcap is not None else None,
                    topics,
                    tuple(str(f) for f in flow) if isinstance(flow, list | tuple) else None,
                )
            )
    return out


@lru_cache(maxsize=4096)
def category_key(text: str | None) -> str:
    """A category (or topic) as people type it and requirements name it alike: case,
    spaces, underscores and hyphens aside ("Structural Firefighting" is
    structural_firefighting). Every comparison of category names goes through it.
    Remembered: a department names a few dozen categories, and the compliance matrix
    allocates thousands of windows of them (bench/compliance.py: 35,000 calls for one
    NCCP column)."""
    return " ".join((text or "").casefold().replace("_", " ").replace("-", " ").split())


@lru_cache(maxsize=4096)
def split_category(category: str | None) -> tuple[str, str | None]:
    """ "national/airway" -> ("national", "airway"); "local" -> ("local", None); each by
    `category_key`."""
    head, _, topic = (category or "").partition("/")
    return category_key(head), (category_key(topic) or None)


def filed_under(category: str | None, topic: str | None) -> str | None:
    """What a record is filed under, as one text: its category and topic ("national/airway",
    as `report nremt` writes them and `record list --topic` matches them), the category
    alone when it has no topic or holds one already (a course's `--topic national/airway`
    is its category), else the topic alone (None: neither)."""
    if category and topic and "/" not in category:
        return f"{category}/{topic}"
    return category or topic or None


def free_hours(required: float | None, categories: Sequence[HourCategory]) -> float:
    """Hours of the target that no category minimum claims (what uncategorised hours fill)."""
    return max(0.0, float(required or 0) - sum(c.min_hours for c in categories))


def nccp_flow(
    categories: Sequence[HourCategory], *, local_content: bool = True
) -> tuple[HourCategory, ...]:
    """The NREMT NCCP flow-on rule (reference/registry-facts.md) for categories shaped
    national / local / individual; any other shape is returned unchanged.

    - hours beyond the national component's minimums (its topic minimums, then its free
      part) flow on to the local component, then to the individual component;
    - local hours beyond the local minimum flow on to the individual component only when
      the department sets no local content (`local_content=False`, a department setting).

    A category whose `overflow_to` is already set (in the requirement's data) keeps it.
    """
    names = {category_key(c.name) for c in categories}
    if not {"national", "individual"} <= names:
        return tuple(categories)
    out = []
    for c in categories:
        key = category_key(c.name)
        flow: tuple[str, ...] = ()
        if key == "national":
            flow = tuple(n for n in ("local", "individual") if n in names)
        elif key == "local" and not local_content:
            flow = ("individual",)
        out.append(c if c.overflow_to is not None else replace(c, overflow_to=flow))
    return tuple(out)


def category_hours(
    required: float | None, categories: Sequence[HourCategory], credits: Iterable[Credit]
) -> tuple[float, float]:
    """Hours with per-category minimums, caps, distributive caps and topic minimums.
    Returns (effective hours, percentage): `allocate_hours` without the detail (one
    calculator for program progress and compliance).

    A credit's category is "CATEGORY" or "CATEGORY/TOPIC"; distributive (self-paced)
    hours carry item "distributive". The target splits into each category's minimum plus
    a free remainder, and a category's minimum into its topic minimums plus a free part.
    Hours fill minimums first; what is left over (after the caps) fills the free remainder.
    Hours in no defined category only fill the free remainder. 100% therefore means every
    minimum met and the total reached. The value is the hours that count toward the
    target, so value / target always agrees with the percentage; the ledger keeps the rest.
    Categories with `overflow_to` (the NREMT NCCP shape, `nccp_flow`) pass their
    leftover hours on to those categories' minimums first.

    Topic minimums count self-paced hours only within the category's distributive cap
    (the formula before `allocate_hours` filled them with capped self-paced hours when
    other hours exceeded the minimums); results are otherwise the same as before.
    """
    a = allocate_hours(required, categories, credits)
    return a.value, a.percentage


# ------------------------------------------------------------------------ hour allocation
# Where a share of a credit's hours went (Share.reason). Counted:
TOPIC_MINIMUM = "topic_minimum"  # filled a topic minimum inside its category
CATEGORY_MINIMUM = "category_minimum"  # filled its category's minimum beyond the topics
OVERFLOW = "overflow"  # beyond its category's minimums: filled another category's minimum
REMAINDER = "remainder"  # filled the target's free remainder (what no minimum claims)
# Not counted:
OVER_DISTRIBUTIVE_CAP = "over_distributive_cap"  # self-paced hours over the category's cap
OVER_CATEGORY_CAP = "over_category_cap"  # over the category's max_hours
SURPLUS = "surplus"  # every minimum it could fill is full and the remainder too
NO_CATEGORY = "no_category"  # in none of the requirement's categories, and no remainder left
REVERSED = "reversed"  # a correction (negative entry) and the hours it took back
REPEAT = "repeat_in_cycle"  # NREMT NCCP: a course counted earlier in the cycle (Credit.repeat)
COUNTED = frozenset({TOPIC_MINIMUM, CATEGORY_MINIMUM, OVERFLOW, REMAINDER})
_EPS = 1e-9
_INF = float("inf")


@dataclass(frozen=True)
class Share:
    """Part of one credit's hours and where it went."""

    credit: int  # the credit's position in the input
    hours: float
    reason: str  # one of the reasons above
    bucket: str | None = None  # where it counted: "national/airway", "local"; None: not
    source: str | None = None  # the credit's category as the requirement knows it (None: none)
    note: str = ""  # the reason in words

    @property
    def counted(self) -> bool:
        return self.reason in COUNTED


@dataclass(frozen=True)
class TopicFill:
    name: str
    minimum: float
    filled: float


@dataclass(frozen=True)
class CategoryFill:
    """One category after allocation. `filled` counts toward its minimum: its topics, its
    free part and what flowed in from other categories."""

    name: str
    minimum: float
    filled: float
    logged: float  # hours credited in this category (after corrections)
    topics: tuple[TopicFill, ...] = ()
    distributive_cap: float | None = None
    distributive_used: float = 0.0  # self-paced hours counted toward this category's minimum
    max_hours: float | None = None
    received: tuple[tuple[str, float], ...] = ()  # (from category, hours)
    sent: tuple[tuple[str, float], ...] = ()  # (to category, hours)
    capped: float = 0.0  # hours of this category stopped by its caps

    @property
    def met(self) -> bool:
        return self.filled >= self.minimum - _EPS

    @property
    def short(self) -> float:
        return max(0.0, round(self.minimum - self.filled, 6))


@dataclass(frozen=True)
class Allocation:
    """Every credited hour of an hours requirement with categories, and where it went.

    `value` is the hours that count toward `target` (= max(required, sum of minimums)),
    so value / target is `percentage`; `shares` say, credit by credit, which minimum each
    hour filled, where it flowed, and what was capped or left over and why."""

    required: float
    target: float
    value: float
    percentage: float
    categories: tuple[CategoryFill, ...]
    remainder: float  # the free remainder: target - sum of category minimums
    remainder_filled: float
    shares: tuple[Share, ...]

    @property
    def logged(self) -> float:
        """Every hour credited (after corrections, repeats aside), counted toward the
        target or not: the hours done, where `value` is the hours that count (202 h of
        company training done in a year whose figure is 192 h: 202 logged, 192 counted)."""
        return round(fsum(s.hours for s in self.shares if s.reason not in (REVERSED, REPEAT)), 6)

    def category(self, name: str) -> CategoryFill | None:
        key = category_key(name)
        return next((c for c in self.categories if category_key(c.name) == key), None)

    def counted_by_credit(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for s in self.shares:
            if s.counted:
                out[s.credit] = out.get(s.credit, 0.0) + s.hours
        return out


class _Piece:
    """A credit's positive hours while they are being allocated (internal, mutable)."""

    __slots__ = ("credit", "dist", "key", "raw", "rem", "topic")

    def __init__(
        self,
        credit: int,
        amount: float,
        key: str | None,
        topic: str | None,
        dist: bool,
        raw: str | None,
    ) -> None:
        self.credit, self.rem, self.key, self.topic, self.dist, self.raw = (
            credit, amount, key, topic, dist, raw,
        )  # fmt: skip


class _Cat:
    """Running totals of one category (internal, mutable)."""

    def __init__(self, cat: HourCategory) -> None:
        self.cat = cat
        self.room = cat.min_hours  # minimum not yet filled
        self.free = max(0.0, cat.min_hours - sum(m for _, m in cat.topics))  # free part left
        self.dist = cat.distributive_max_hours if cat.distributive_max_hours is not None else _INF
        self.max = cat.max_hours if cat.max_hours is not None else _INF
        self.topic_filled: dict[str, float] = {t: 0.0 for t, _ in cat.topics}
        self.dist_used = 0.0
        self.received: dict[str, float] = {}
        self.sent: dict[str, float] = {}
        self.capped = 0.0
        self.logged = 0.0

    def take(self, piece: _Piece, want: float) -> float:
        """How much of `piece` this category can take now, up to `want`."""
        t = min(piece.rem, want, self.max, self.dist if piece.dist else _INF)
        return t if t > _EPS else 0.0

    def book(self, piece: _Piece, hours: float) -> None:
        piece.rem -= hours
        self.max -= hours
        self.room -= hours
        if piece.dist:
            self.dist -= hours
            self.dist_used += hours


def _h(x: float) -> str:
    return hours_text(x)


def _why_left(st: _Cat, piece: _Piece) -> str:
    """Why hours of a category were left for the next one, once its own minimums have
    taken what they could: the minimums the piece could fill (its topic's, the category's
    free part) are full, or (while one of them is not) a cap kept it out: self-paced hours
    over its distributive cap, or hours over its cap. A cap reached by later records
    does not explain a piece whose own minimums were full (10 self-paced hours of
    cardiovascular fill its 8.5 h minimum: 1.5 h are beyond it, whatever other topics'
    self-paced hours use up of the cap)."""
    c = st.cat
    room = st.free  # the free part takes hours of any topic
    if piece.topic is not None:
        room += max(0.0, dict(c.topics).get(piece.topic, 0.0) - st.topic_filled.get(piece.topic, 0.0))
    if room > _EPS:
        if piece.dist and st.dist <= _EPS and c.distributive_max_hours is not None:
            return f"self-paced hours over {c.name}'s distributive cap of {_h(c.distributive_max_hours)} h"
        if st.max <= _EPS and c.max_hours is not None:
            return f"over {c.name}'s cap of {_h(c.max_hours)} h"
    if piece.topic is None and c.topics and c.min_hours <= sum(m for _, m in c.topics) + _EPS:
        # (national hours filed without a topic, national at 0 of 20 h: "beyond national's
        # minimums" read as if they were met; every hour of it is a topic's)
        return f"in no {c.name} topic (its {_h(c.min_hours)} h are all topic minimums)"
    return f"beyond {c.name}'s minimums"


def allocate_hours(
    required: float | None, categories: Sequence[HourCategory], credits: Iterable[Credit]
) -> Allocation:
    """Allocate every credited hour of an hours requirement with categories (NREMT NCCP
    components and topics, ISO category eligibility): the one calculator behind
    `category_hours` (program progress) and the compliance evaluator.

    The rules, in order:
    1. Corrections (negative credits) take back hours of the same category, topic and kind
       first, latest entries first.
    2. In each category, topic minimums take that topic's classroom hours first and
       self-paced (distributive) hours only where classroom hours fall short; then the
       category's free part (its minimum beyond the topics) takes self-paced hours first,
       then classroom hours. Self-paced hours count only up to the category's
       `distributive_max_hours`; all hours only up to its `max_hours`.
    3. What a category leaves over flows on, classroom hours first, to the categories in
       its `overflow_to`, in order (see `nccp_flow`), each taking up to the unfilled free
       part of its minimum within its own caps (self-paced hours that flow in count
       against the receiving category's distributive cap).
    4. What is left, and hours in no category of the requirement, fill the target's free
       remainder (target - sum of minimums), except hours stopped by a cap.
    5. Everything else is not counted, with the reason; so is every credit marked
       `repeat` (outside the member's window as compliance judges it: a course counted
       earlier in its NREMT cycle, a record after a one-time window closed).
    """
    cats = list(categories)
    credits = list(credits)
    state: dict[str, _Cat] = {}
    for c in cats:
        state[category_key(c.name)] = _Cat(c)  # a repeated name: the last one wins, as before
    topic_names = {k: {category_key(t): t for t, _ in s.cat.topics} for k, s in state.items()}
    shares: list[Share] = []

    # 1. pieces and corrections
    pieces: list[_Piece] = []
    corrections: list[tuple[int, float, str | None, str | None, bool, str | None]] = []
    source_of: dict[int, str | None] = {}  # piece (credit index) -> its source
    for i, credit in enumerate(credits):
        name, topic = split_category(credit.category)
        key = name if name in state else None
        if credit.repeat:  # one course once per cycle: its entries (and their voids) count not
            if credit.amount > 0:
                shares.append(Share(i, credit.amount, REPEAT, None, _name(state, key), credit.repeat))
            continue
        canon = topic_names[key].get(topic) if key is not None and topic is not None else None
        dist = (credit.item or "").casefold() == DISTRIBUTIVE
        if credit.amount > 0:
            pieces.append(_Piece(i, credit.amount, key, canon, dist, credit.category))
            source_of[i] = credit.source
        elif credit.amount < 0:
            corrections.append((i, -credit.amount, key, canon, dist, credit.source))
    taken_back: dict[int, float] = {}
    for i, amount, key, topic, dist, source in corrections:
        left = amount
        # its own source first (a void reverses its record), then the same topic and kind,
        # the same topic, the same kind, anything
        for tier in range(5):
            for p in reversed(pieces):
                if left <= _EPS:
                    break
                same_topic, same_kind = p.topic == topic, p.dist == dist
                own = source is not None and source_of.get(p.credit) == source
                fits = (own, same_topic and same_kind, same_topic, same_kind, True)[tier]
                if p.key == key and p.rem > _EPS and fits:
                    t = min(p.rem, left)
                    p.rem -= t
                    left -= t
                    taken_back[p.credit] = taken_back.get(p.credit, 0.0) + t
        shares.append(Share(i, -amount, REVERSED, None, _name(state, key), "a correction"))
    for p in pieces:
        if p.key is not None:
            state[p.key].logged += p.rem
    for idx, hours in taken_back.items():
        src = next(p for p in pieces if p.credit == idx)
        shares.append(
            Share(idx, hours, REVERSED, None, _name(state, src.key), "taken back by a correction")
        )

    by_cat: dict[str, list[_Piece]] = {k: [] for k in state}
    for p in pieces:
        if p.key is not None:
            by_cat[p.key].append(p)

    # 2. each category's own minimums
    for key, st in state.items():
        mine = by_cat[key]
        for topic, minimum in st.cat.topics:
            need = min(minimum, st.room)
            topical = [p for p in mine if p.topic == topic]
            for p in sorted(topical, key=lambda p: p.dist):  # classroom first (stable)
                t = st.take(p, need)
                if t:
                    st.book(p, t)
                    need -= t
                    st.topic_filled[topic] += t
                    bucket = f"{st.cat.name}/{topic}"
                    shares.append(
                        Share(p.credit, t, TOPIC_MINIMUM, bucket, st.cat.name,
                              f"fills the {bucket} minimum ({_h(minimum)} h)")
                    )  # fmt: skip
        need = min(st.free, st.room)
        for p in sorted(mine, key=lambda p: not p.dist):  # self-paced first (stable)
            t = st.take(p, need)
            if t:
                st.book(p, t)
                need -= t
                st.free -= t
                what = "its minimum beyond the topics" if st.cat.topics else "its minimum"
                shares.append(
                    Share(p.credit, t, CATEGORY_MINIMUM, st.cat.name, st.cat.name,
                          f"fills {st.cat.name}: {what} ({_h(st.cat.min_hours)} h)")
                )  # fmt: skip

    # 3. flow on: each piece left over for the reason its own category left it (before
    # hours flowing in from other categories change that category's state)
    why = {
        p.credit: _why_left(st, p) for key, st in state.items() for p in by_cat[key] if p.rem > _EPS
    }
    for key, st in state.items():
        receivers = [
            state[category_key(r)]
            for r in st.cat.overflow_to or ()
            if category_key(r) in state and category_key(r) != key
        ]
        leftover = [p for p in by_cat[key] if p.rem > _EPS]
        for rc in receivers:
            for p in sorted(leftover, key=lambda p: p.dist):  # classroom first (stable)
                t = rc.take(p, min(rc.free, rc.room))
                if t:
                    rc.book(p, t)
                    rc.free -= t
                    rc.received[st.cat.name] = rc.received.get(st.cat.name, 0.0) + t
                    st.sent[rc.cat.name] = st.sent.get(rc.cat.name, 0.0) + t
                    shares.append(
                        Share(p.credit, t, OVERFLOW, rc.cat.name, st.cat.name,
                              f"{why[p.credit]}: flows on to {rc.cat.name}")
                    )  # fmt: skip

    # 4. the free remainder (eligible hours only), 5. the rest
    minimums = sum(c.min_hours for c in cats)
    req = float(required or 0)
    target = max(req, minimums)
    remainder = target - minimums if target > 0 else _INF
    names = ", ".join(s.cat.name for s in state.values())
    filled_remainder = 0.0
    for p in pieces:
        if p.rem <= _EPS:
            continue
        st_or_none = state.get(p.key) if p.key is not None else None
        eligible = p.rem
        if st_or_none is not None:
            eligible = max(0.0, min(p.rem, st_or_none.max, st_or_none.dist if p.dist else _INF))
            st_or_none.max -= eligible
            if p.dist:
                st_or_none.dist -= eligible
        fill = min(eligible, remainder - filled_remainder)
        if fill > _EPS:
            filled_remainder += fill
            p.rem -= fill
            eligible -= fill
            note = (
                "no target: every hour counts"
                if target <= 0
                else "fills the free part of the target"
            )
            shares.append(Share(p.credit, fill, REMAINDER, None, _name(state, p.key), note))
        if p.rem <= _EPS:
            continue
        capped = p.rem - eligible
        if capped > _EPS and st_or_none is not None:
            c = st_or_none.cat
            st_or_none.capped += capped
            if p.dist and st_or_none.dist <= _EPS and c.distributive_max_hours is not None:
                reason, note = (
                    OVER_DISTRIBUTIVE_CAP,
                    (
                        f"self-paced hours over {c.name}'s distributive cap of {_h(c.distributive_max_hours)} h"
                    ),
                )
            else:
                reason, note = OVER_CATEGORY_CAP, f"over {c.name}'s cap of {_h(c.max_hours or 0)} h"
            shares.append(Share(p.credit, capped, reason, None, c.name, note))
        if eligible > _EPS:
            if st_or_none is not None:
                note = _surplus_note(st_or_none, p)
                shares.append(Share(p.credit, eligible, SURPLUS, None, st_or_none.cat.name, note))
            elif remainder > _EPS:
                shares.append(Share(p.credit, eligible, SURPLUS, None, None, "beyond the target"))
            else:
                what = f"category {p.raw!r} is" if p.raw else "hours without a category are"
                note = f"{what} not one of this requirement's ({names})"
                shares.append(Share(p.credit, eligible, NO_CATEGORY, None, None, note))

    fills = tuple(
        CategoryFill(
            name=st.cat.name,
            minimum=st.cat.min_hours,
            filled=round(st.cat.min_hours - st.room, 6),
            logged=round(st.logged, 6),
            topics=tuple(TopicFill(t, m, round(st.topic_filled[t], 6)) for t, m in st.cat.topics),
            distributive_cap=st.cat.distributive_max_hours,
            distributive_used=round(st.dist_used, 6),
            max_hours=st.cat.max_hours,
            received=tuple((k, round(v, 6)) for k, v in st.received.items()),
            sent=tuple((k, round(v, 6)) for k, v in st.sent.items()),
            capped=round(st.capped, 6),
        )
        for st in state.values()
    )
    filled = sum(st.cat.min_hours - st.room for st in state.values()) + filled_remainder
    pct = 0.0 if target <= 0 else _cap(100.0 * filled / target)
    shares.sort(key=lambda s: s.credit)  # stable: per credit, in the order decided
    return Allocation(
        required=req,
        target=target,
        value=round(filled, 4),
        percentage=pct,
        categories=fills,
        remainder=max(0.0, target - minimums),
        remainder_filled=round(filled_remainder, 6),
        shares=tuple(shares),
    )


def share_text(s: Share) -> str:
    """Where a share of a credit went, in words: '1.5 h national/airway',
    '3 h local (beyond national's minimums)', '23 h not counted: self-paced hours over
    local's distributive cap of 7 h'."""
    if s.reason == REVERSED:
        return f"{_h(s.hours)} h {s.note}"
    if not s.counted:
        return f"{_h(s.hours)} h not counted: {s.note}"
    if s.reason == OVERFLOW:
        return f"{_h(s.hours)} h {s.bucket} (beyond {s.source}'s minimums)"
    if s.reason == REMAINDER:
        return f"{_h(s.hours)} h other hours ({s.note})"
    return f"{_h(s.hours)} h {s.bucket}"


def share_record(s: Share) -> dict[str, Any]:
    """A share as JSON writes it (the keys are stable)."""
    return {"hours": round(s.hours, 6), "counted": s.counted, "reason": s.reason,
            "to": s.bucket, "category": s.source, "note": s.note}  # fmt: skip


def allocation_record(a: Allocation, credit_ids: Sequence[int]) -> dict[str, Any]:
    """Where every hour of an hours requirement with categories went, as JSON writes it:
    each category's minimum and fill (topics, what flowed in and on, self-paced hours used,
    what its caps stopped), the free remainder, and every hour not counted with its reason
    and credit id. `credit_ids[i]` is the id of the i-th credit given to `allocate_hours`."""
    lost = [s for s in a.shares if not s.counted and s.reason != REVERSED]
    return {
        "target": a.target,
        "value": a.value,
        "categories": [
            {"name": c.name, "minimum": c.minimum, "filled": c.filled, "logged": c.logged,
             "topics": [{"name": t.name, "minimum": t.minimum, "filled": t.filled} for t in c.topics],
             "distributive_cap": c.distributive_cap, "distributive_used": c.distributive_used,
             "max_hours": c.max_hours, "received": dict(c.received), "sent": dict(c.sent),
             "capped": c.capped}
            for c in a.categories
        ],
        "other_hours": {"target": a.remainder, "filled": a.remainder_filled},
        "not_counted_hours": round(sum(s.hours for s in lost), 6),
        "not_counted": [{"credit_id": credit_ids[s.credit], **share_record(s)} for s in lost],
    }


def category_lines(rec: Mapping[str, Any]) -> list[dict[str, str]]:
    """An `allocation_record` as table rows: one per category (and the free remainder):
    what it needs, what filled it and from where, what its caps stopped; then one row for
    the hours that did not count and why."""
    rows = []
    for c in rec["categories"]:
        detail = []
        if c["topics"]:
            detail.append(
                ", ".join(f"{t['name']} {_h(t['filled'])}/{_h(t['minimum'])}" for t in c["topics"])
            )
        detail += [f"{_h(h)} h from {src}" for src, h in c["received"].items()]
        detail += [f"{_h(h)} h on to {dst}" for dst, h in c["sent"].items()]
        if c["distributive_cap"] is not None:
            detail.append(
                f"self-paced {_h(c['distributive_used'])} of {_h(c['distributive_cap'])} h allowed"
            )
        if c["capped"]:
            detail.append(f"{_h(c['capped'])} h over its caps")
        rows.append({"category": c["name"], "hours": f"{_h(c['filled'])} / {_h(c['minimum'])} h",
                     "logged": f"{_h(c['logged'])} h", "detail": "; ".join(detail)})  # fmt: skip
    other = rec["other_hours"]
    if other["target"] > _EPS:
        rows.append({"category": "other hours", "hours": f"{_h(other['filled'])} / {_h(other['target'])} h",
                     "logged": "", "detail": "beyond the minimums, any category"})  # fmt: skip
    if rec["not_counted"]:
        reasons: dict[str, float] = {}
        for s in rec["not_counted"]:
            reasons[s["note"]] = reasons.get(s["note"], 0.0) + s["hours"]
        rows.append({"category": "not counted", "hours": f"{_h(rec['not_counted_hours'])} h",
                     "logged": "", "detail": "; ".join(f"{_h(h)} h {n}" for n, h in reasons.items())})  # fmt: skip
    return rows


def shortfall_note(a: Allocation, credits: Iterable[int]) -> str | None:
    """One line when the hours of `credits` (positions in the allocation's input) do not all
    count: how much did not, and why ('23 of 30 h not counted: self-paced hours over
    local's distributive cap of 7 h'). None when every hour counts."""
    wanted = set(credits)
    mine = [s for s in a.shares if s.credit in wanted and s.reason != REVERSED]
    lost = [s for s in mine if not s.counted]
    if not lost:
        return None
    total = sum(s.hours for s in mine)
    reasons: dict[str, float] = {}
    for s in lost:
        reasons[s.note] = reasons.get(s.note, 0.0) + s.hours
    merged: dict[tuple[str, str | None, str | None], Share] = {}  # several credits, one line
    for s in mine:
        if s.counted:
            key = (s.reason, s.bucket, s.source)
            prev = merged.get(key)
            merged[key] = s if prev is None else replace(prev, hours=prev.hours + s.hours)
    went = [share_text(s) for s in merged.values()]
    counted = f" ({', '.join(went)} counted)" if went else ""
    why = "; ".join(f"{_h(h)} h {n}" if len(reasons) > 1 else n for n, h in reasons.items())
    return f"{_h(sum(reasons.values()))} of {_h(total)} h not counted{counted}: {why}."


def _surplus_note(st: _Cat, p: _Piece) -> str:
    """Why hours of a category counted nowhere although nothing capped them."""
    c = st.cat
    if st.room <= _EPS:
        return f"beyond {c.name}'s minimum, and no other category takes them"
    raw_topic = (p.raw or "").partition("/")[2].strip() or None  # as written
    topics = ", ".join(t for t, _ in c.topics)
    if p.topic is None and raw_topic is not None:
        return f"topic {raw_topic!r} is not one of {c.name}'s ({topics}), and nothing else is left to fill"
    if p.topic is None and c.topics:
        return (
            f"no topic: {c.name}'s minimum is its topic minimums ({topics}), "
            "and nothing else is left to fill"
        )
    if p.topic is not None:
        return f"the {c.name}/{p.topic} minimum is full, and nothing else is left to fill"
    return "nothing left to fill"


def _name(state: Mapping[str, _Cat], key: str | None) -> str | None:
    return state[key].cat.name if key is not None and key in state else None


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
    return len(got), _cap(percent_of(len(got), len(req), PCT_PLACES))


def certification_percentage(held: Iterable[str], codes: Iterable[str]) -> float:
    """100 while a matching credential is held (explicit codes only, never a loose match)."""
    wanted = {c.strip().casefold() for c in codes if c}
    return 100.0 if wanted & {h.strip().casefold() for h in held} else 0.0


# The requirement columns a Target is made of (the read side selects them in this order).
TARGET_FIELDS = (
    "requirement_type", "required_hours", "required_shifts", "required_calls", "required_courses",
    "credential_code", "required_skills", "checklist_items", "hour_categories",
)  # fmt: skip
TARGET_JSON = ("required_courses", "required_skills", "checklist_items", "hour_categories")


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
    def of(cls, req: Any, *, local_content: bool = True) -> Target:
        """From a Requirement row (or anything with the same attributes). Hour categories
        shaped like the NREMT NCCP (national / local / individual) get its flow-on rule
        (`nccp_flow`); `local_content` is the department's setting (False: the department
        sets no local content, so local hours beyond the minimum flow on to individual)."""
        return cls.from_fields(
            *(getattr(req, name) for name in TARGET_FIELDS), local_content=local_content
        )

    @classmethod
    def from_fields(
        cls,
        requirement_type: str,
        required_hours: float | None,
        required_shifts: int | None,
        required_calls: int | None,
        required_courses: Iterable[Any] | None,
        credential_code: str | None,
        required_skills: Iterable[Any] | None,
        checklist_items: Iterable[Any] | None,
        hour_categories: Iterable[Any] | None,
        *,
        local_content: bool = True,
    ) -> Target:
        """From the requirement's columns in TARGET_FIELDS order (JSON already decoded);
        NCCP-shaped hour categories get the flow-on rule, as in `of`."""
        return cls(
            requirement_type=requirement_type,
            required_hours=required_hours,
            required_shifts=required_shifts,
            required_calls=required_calls,
            required_courses=tuple(str(c) for c in required_courses or ()),
            credential_code=credential_code,
            required_skills=tuple(item_names(required_skills or ())),
            checklist_items=tuple(item_names(checklist_items or ())),
            hour_categories=nccp_flow(
                parse_categories(hour_categories or ()), local_content=local_content
            ),
        )

    def over(self, periods: int) -> Target:
        """The target over `periods` recurrences (`periods_in_span`): hours, shifts and
        calls, and every hour category's minimum, caps and topic minimums, times
        `periods`. Set-valued requirements (courses, skills, checklist, certification)
        are done once whatever the span."""
        if periods == 1 or not self.is_numeric:
            return self

        return replace(
            self,
            required_hours=None if self.required_hours is None else self.required_hours * periods,
            required_shifts=None if self.required_shifts is None else self.required_shifts * periods,
            required_calls=None if self.required_calls is None else self.required_calls * periods,
            hour_categories=scale_categories(self.hour_categories, periods),
        )

    @property
    def is_numeric(self) -> bool:
        return self.requirement_type in NUMERIC_TYPES

    @property
    def numeric_target(self) -> float | None:
        kind = self.requirement_type  # (no dict made per call: the matrix asks 20,000 times)
        if kind == "hours":
            return self.required_hours
        if kind == "shifts":
            return self.required_shifts
        if kind == "calls":
            return self.required_calls
        return None

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
            return holding_codes(self.credential_code, self.required_courses)
        return ()

    @property
    def target_value(self) -> float | None:
        """The figure shown as 'value / target'."""
        if self.is_numeric:
            return self.numeric_target
        if self.requirement_type == "certification":
            return 1.0
        return float(len(self.items)) if self.items else None


# ------------------------------------------------------------- recurring, inside a program
def periods_in_span(frequency: str | None, start: date, end: date | None) -> int:
    """How many times a recurring requirement's figure falls due over an enrollment's span,
    from the day it starts up to its target date: the figure of a requirement inside a
    program is its per-period figure x this number (ISO company training, 16 h a month,
    in a 365-day program: 12 x 16 = 192 h, the ISO figure for a year).

    - monthly, quarterly, annual, biennial (1, 3, 12, 24 months): whole periods counted
      from the start date with domain/periods.py `add_months` (an anniversary of 31 January
      falls on 28/29 February, one of 29 February on 28 February in a common year); a
      trailing part of a period counts as one when it is at least half of it, so 365 and
      366 days are both 12 months and 380 days are still 12, 381 days are 13 (a part of
      at least half a month). Always at least 1.
    - one_time, rolling, or no target date (no span): 1, the figure as the requirement
      states it.
    """
    from trainctl.domain.periods import ALIASES, FREQUENCY_MONTHS, add_months

    key = (frequency or "").strip().casefold()
    months = FREQUENCY_MONTHS.get(ALIASES.get(key, key))
    if months is None or end is None or end <= start:
        return 1
    full = 0
    while add_months(start, (full + 1) * months) <= end:
        full += 1
    begun = add_months(start, full * months)
    length = (add_months(start, (full + 1) * months) - begun).days
    if (end - begun).days * 2 >= length:
        full += 1
    return max(1, full)


@dataclass(frozen=True)
class Credit:
    amount: float
    category: str | None = None
    item: str | None = None
    # a certification credit's card (or record) expiry: valid through that day
    expires_on: date | None = None
    # why this credit's record does not count in the member's window, as the compliance
    # evaluator judges it (queries.compliance.window_exclusions: a repeat of a course in
    # its NREMT cycle; after a one-time window closed); such a credit counts for nothing.
    repeat: str = ""
    # the source behind it (a void's reversal names its record's): a correction takes back
    # its own source's hours first, so `progress log` says which credit it reversed
    source: str | None = None


def measure(
    target: Target, credits: Iterable[Credit], *, today: date | None = None
) -> tuple[float, float]:
    """(progress value, percentage) of counted credits against the requirement's target.
    On `today` (the as-of date), a certification credit whose card expired before it no
    longer counts (DESIGN §3: 100 while a matching, unexpired certification exists)."""
    credits = [c for c in credits if not c.repeat]  # one course once per cycle (NCCP)
    if today is not None and target.requirement_type == "certification":
        credits = [c for c in credits if is_valid(c.expires_on, today)]  # domain/certs: through its expiry day
    if target.is_numeric:
        if target.requirement_type == "hours" and target.hour_categories:
            return category_hours(target.required_hours, target.hour_categories, credits)
        return sum_figure(target, [c.amount for c in credits])
    done = items_done(credits)
    if target.requirement_type == "certification":
        pct = certification_percentage(done, target.items)
        return (1.0 if pct else 0.0), pct
    count, pct = set_percentage(done, target.items)
    return float(count), pct


def sum_figure(target: Target, amounts: Sequence[float]) -> tuple[float, float]:
    """(value, percentage) of a numeric target without hour categories: the amounts' sum
    (to 4 decimals, never below zero) against the figure (`measure`, and the compliance
    matrix, which sums groups of records without making a credit of each)."""
    value = max(0.0, round(sum(amounts), 4))
    return value, ratio_percentage(value, target.numeric_target)


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


def verification_stands(status: str) -> bool:
    """Whether a row keeps its verification (who, when) at this derived status: while it
    holds credit that counts or an override, which is what was verified. A row back at
    not_started (its verified credit taken back, voided or expired) shows none: "0 / 2 h,
    verified by ..." read as a sign-off on nothing. The ledger keeps who verified each
    credit (`progress log`), the audit log the verification."""
    return status != "not_started"


def effective_percentage(percentage: float, override: str | None) -> float:
    """What a row contributes to rollups: an override counts as done."""
    return 100.0 if override in ("completed", "waived") else _cap(percentage)


PCT_UNITS = 10**PCT_PLACES  # percentages are kept to 4 decimals: whole ten-thousandths


def rollup(rows: Iterable[tuple[bool, float]]) -> float:
    """Enrollment progress: mean effective percentage over REQUIRED links, each counted once.

    `rows` are (is_required, effective percentage), one per program requirement link. The
    mean is taken in whole ten-thousandths of a percent and truncated, in integer arithmetic:
    - 100 means every required row is complete (99.9999 and 100 make 99.9999, never 100);
    - the set-based SQL (services/progress/rollup.py) computes the very same number on any
      engine. Rounding a float half (0.79785) differs between Python and SQLite: the
      property test in tests/test_progress_rollup_property.py found it.
    """
    required = [pct for is_required, pct in rows if is_required]
    if not required:
        return 0.0
    units = sum(int(half_up(pct * PCT_UNITS, 0)) for pct in required)  # (as the SQL's ROUND)
    return _cap(units // len(required) / PCT_UNITS)


def phase_progress(rows: Iterable[tuple[bool, str, float]]) -> float:
    """A phase's progress, on which its milestones cross: the rollup of its rows, given as
    (is_required, derived status, percentage), a completed or waived row counting 100."""
    return rollup((req, 100.0 if status in DONE else pct) for req, status, pct in rows)


def half_up(x: float, places: int) -> float:
    """`x` to `places` decimals, halves rounded up as on paper: 28.125 -> 28.13, where
    round() gives 28.12 (halves to even). Every percentage shown with fewer decimals than
    it is kept goes through here (`shown_percentage`, `pct_text`, `percent_of`), so a
    listing, a message, a letter and a report agree with a hand calculation."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def exact(x: float) -> Decimal:
    """A figure as written (6.1 h is 6.1, not the binary float nearest it), for sums and
    percentages that a half must not be decided by float noise in (`percent_of`)."""
    from decimal import Decimal

    return Decimal(repr(float(x)))


def percent_of(part: float | Decimal, whole: float | Decimal, places: int = 2) -> float:
    """part / whole x 100 to `places` decimals, halves up, from the exact figures (9 of
    32 h: 28.13): no float noise or earlier rounding decides a half. 0 when `whole` is 0.
    A sum of figures is best given as the `exact` sum of them."""
    from decimal import ROUND_HALF_UP, Decimal

    if not whole:
        return 0.0
    if type(part) is float and type(whole) is float and 0.0 <= part <= 1e6 and whole > 0.0:
        # a figure far from a half (below 1e9 units the float's error is under 1e-6 of one) rounds the
        # same either way: only one near a half needs the exact figures (a matrix's cells)
        scaled = part * 100.0 / whole * 10**places
        if scaled < 1e9 and abs(scaled - int(scaled) - 0.5) > 1e-6:
            return round(scaled) / 10**places
    p = part if isinstance(part, Decimal) else exact(part)
    w = whole if isinstance(whole, Decimal) else exact(whole)
    return float((p * 100 / w).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def shown_percentage(pct: float) -> float:
    """A percentage as listings and records show it: one decimal (the rollup keeps four)."""
    return half_up(pct, 1)


def pct_text(pct: float) -> str:
    """A percentage for messages: one decimal at most (91.6667 -> '91.7%', 50.0 -> '50%')."""
    return f"{half_up(pct, 1):g}%"


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
    """A requirement past its deadline and neither completed nor waived."""
    return deadline is not None and status not in DONE and today > deadline


def enrollment_overdue(status: str, target_date: date | None, today: date) -> bool:
    """An active enrollment past its target date (on hold, closed or complete: never)."""
    return status == "active" and target_date is not None and today > target_date


def phase_overdue(status: str, deadline: date | None, open_required: int, today: date) -> bool:
    """The current phase is past its deadline while a required item in it is still open."""
    return status == "active" and deadline is not None and today > deadline and open_required > 0


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
    started: Collection[int] | None = None,
) -> str | None:
    """Why the link `target_id` may not take credit now, or None when it may. `started`:
    `started_phases(phases, current_phase_id)` when the caller has it (a bulk feed asks
    for thousands of rows of a few programs).

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
        if started is None:
            started = started_phases(phases, current_phase_id)
        if target.phase_id not in started and not scope_complete(links, target.phase_id):
            by_id = {p.id: p for p in phases}
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


def idle_manual_advancement(phases: Sequence[Phase]) -> Phase | None:
    """The last phase of `phase_order` when it asks for manual advancement: nothing
    follows it, so an enrollment completes with its items and no officer advances it."""
    order = phase_order(phases)
    return order[-1] if order and order[-1].requires_manual_advancement else None


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
        nxt = next_phase(phases, current, done, visited)
        if nxt is None:
            break  # the last phase: nothing to advance to, the enrollment completes
        if current.requires_manual_advancement:
            return current.id, entered, current
        entered.append(nxt)
        visited.add(nxt.id)
        current = nxt
    return (current.id if current else current_id), entered, None


# ------------------------------------------------------------------------------- milestones
FELL_BELOW = "fell back below"


def milestone_state(reached: bool, requires_verification: bool, verified: bool, holds: bool = True) -> str:
    """not reached | reached | awaiting verification | verified | fell back below (reached,
    not verified, and the progress it crosses on is below it again: `milestone_holds`)."""
    if not reached:
        return "not reached"
    if verified and requires_verification:
        return "verified"
    if not holds:
        return FELL_BELOW
    return "reached" if not requires_verification else "awaiting verification"


def milestone_progress(enrollment_percentage: float, phase_rows: Iterable[tuple[bool, str, float]] | None) -> float:
    """The progress a milestone crosses on: the enrollment's, or for a phase milestone
    (`phase_rows` given: its phase's rows) the phase's (`phase_progress`)."""
    return enrollment_percentage if phase_rows is None else phase_progress(phase_rows)


def milestone_holds(threshold: float, percentage: float) -> bool:
    """A reached milestone still applies while the progress it crosses on
    (`milestone_progress`) is at or above its threshold: a void or an uncheck that takes
    it back below leaves it reached on file, but nothing is sent about it and there is
    nothing to verify until the progress is back (it never fires twice)."""
    return bool(crossed({0: threshold}, percentage, ()))


def refuse_verifying_before(
    what: str, since: date | None, today: date, *, department_day: date,
    rule: str = "a verification cannot be dated before what it verifies", verb: str = "Verify",
) -> None:  # fmt: skip
    """A verification (or another officer's ruling: a rejection) is dated `today` (the
    department's day or --as-of); `what` came on `since`. One rule for progress rows and
    milestones."""
    if since is not None and since > today:
        raise RefusedError(
            f"{what} on {since}, after {today}: {rule}.",
            later_day_hint(verb, since, department_day),
        )


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
