"""Periods and windows for recurring requirements (DESIGN §3, issue 9): pure, no database.

For a requirement's frequency and anchor, a member's anchor dates and an as-of date this
module answers: the current window, the previous window and the due date.

Windows include BOTH end days: ``Window(2025-04-01, 2027-03-31)`` holds a record dated
2025-04-01 and one dated 2027-03-31, and a record dated 2027-04-01 belongs to the next
window. (Issue 9 supersedes DESIGN §3's half-open ``[start, end)`` wording; a closed window
is what a training officer reads on a report, so the code uses the same.) The as-of date
always lies inside its current window. A record dated after the as-of date never counts:
that is the evaluator's rule (domain/compliance.py), not the window's, because the current
window usually runs past the as-of date.

Frequencies (``biannual`` in imported files means biennial, as in the spec's data):

- ``monthly`` 1, ``quarterly`` 3, ``annual`` 12, ``biennial`` 24 months: windows that tile
  time without gap or overlap. Anchors:
  - ``calendar``: calendar months, quarters (Jan/Apr/Jul/Oct) and years; biennial windows
    are pairs of calendar years starting on 1 January of an EVEN year (2024-2025,
    2026-2027). In general a calendar window of N months starts on a month whose index
    counted from January 2000 is a multiple of N.
  - ``hire_date`` / ``certification_date``: anniversaries. Window k starts on
    ``add_months(anchor, k * N)`` (always computed from the anchor itself, never from the
    previous anniversary, so a 31 January anchor gives 28/29 February then 31 March) and
    ends the day before the next one. An anniversary of 29 February falls on 28 February
    in common years (month arithmetic clamps to the month's end), so the window that
    starts on 28 February 2025 ends on 27 February 2026, and the one starting on
    28 February 2027 ends on 28 February 2028 (the 2028 anniversary is 29 February).
  - ``cycle_end``: a fixed cycle end month-day (NREMT: 31 March for EMT, AEMT and
    Paramedic, 30 September for EMR; see ``NREMT_CYCLE_ENDS``). See ``cycle_end_reference``.
- ``rolling`` N months: the N months up to and including the as-of date:
  ``[add_months(as_of, -N) + 1 day, as_of]``. Rolling windows slide; they do not tile and
  have no due date.
- ``one_time``: one window from the member's anchor date (hire or certification date; no
  start when the anchor is the calendar or the date is unknown) with no end. The due date
  is the anchor date + the requirement's ``time_limit_days`` when both are known. With
  ``period_months`` N (anchored to a member's date only) the window closes after N months,
  ``[anchor, add_months(anchor, N) - 1 day]``, and is due on its last day (or earlier,
  by ``time_limit_days``): what is done later does not count (ISO recruit training: 240 h
  in the first year from the hire date).

A member's date that an anchor needs but that is unknown (no hire date on file) does not
stop the evaluation: the calendar windows (or, for a cycle, the cycles ending on the cycle
end of 2000 and every N months on) are used and ``Windows.assumed`` says so, so a report
can print it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

FREQUENCY_MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "annual": 12, "biennial": 24}
FREQUENCIES = ("annual", "biennial", "quarterly", "monthly", "one_time", "rolling")
ANCHORS = ("calendar", "hire_date", "certification_date", "cycle_end")
ALIASES = {"biannual": "biennial"}  # the spec's data says "biannual" and means every 2 years
ONE_DAY = timedelta(days=1)
# the years a date may have anywhere in trainctl (a file's cell, --as-of, a report's day):
# domain/sheet.py reads dates in them; kept here, beside the date arithmetic, so a report's
# check of its day does not load the sheet reader (12 patterns, 8 dataclasses) for two numbers
MIN_YEAR, MAX_YEAR = 1900, 2199
_EPOCH = date(2000, 1, 1)  # calendar windows are anniversaries of 1 January 2000


# ---------------------------------------------------------------------- month arithmetic
def add_months(d: date, months: int) -> date:
    """`d` moved by `months` calendar months, clamped to the end of the target month
    (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _anniversary_index(anchor: date, as_of: date, months: int) -> int:
    """The k with add_months(anchor, k*months) <= as_of < add_months(anchor, (k+1)*months)."""
    k = (_month_index(as_of) - _month_index(anchor)) // months
    while add_months(anchor, k * months) > as_of:
        k -= 1
    while add_months(anchor, (k + 1) * months) <= as_of:
        k += 1
    return k


# ------------------------------------------------------------------------------- values
@dataclass(frozen=True, order=True)
class MonthDay:
    """A cycle end that recurs every year on the same day: MonthDay(3, 31) is 31 March."""

    month: int
    day: int

    def __post_init__(self) -> None:
        if (
            not 1 <= self.month <= 12
            or not 1 <= self.day <= calendar.monthrange(2024, self.month)[1]
        ):
            raise ValueError(f"no such month-day: {self.month}-{self.day}")

    def in_year(self, year: int) -> date:
        """This month-day in `year` (29 February clamps to 28 February in a common year)."""
        return date(year, self.month, min(self.day, calendar.monthrange(year, self.month)[1]))

    def on_or_after(self, d: date) -> date:
        """The first date with this month-day on or after `d`."""
        here = self.in_year(d.year)
        return here if here >= d else self.in_year(d.year + 1)

    def __str__(self) -> str:
        return f"{self.day} {calendar.month_name[self.month]}"


# Registry facts (reference/registry-facts.md, "Expiry: March 31 (EMT, AEMT, Paramedic),
# September 30 (EMR)"), keyed by the registry codes of registries/nremt.json.
NREMT_CYCLE_ENDS: dict[str, MonthDay] = {
    "NREMT-EMR": MonthDay(9, 30),
    "NREMT-EMT": MonthDay(3, 31),
    "NREMT-AEMT": MonthDay(3, 31),
    "NREMT-NRP": MonthDay(3, 31),
}


# The NCCP levels, lowest first, each with the position registries/nremt.json names it by
# (tests/test_nremt_levels.py keeps them equal). NREMT keeps one certification per person,
# the highest level: recertifying a Paramedic recertifies nothing below, there is nothing
# below to recertify (domain/compliance `outranked`).
NREMT_LEVELS: tuple[tuple[str, str], ...] = (
    ("NREMT-EMR", "emr"),
    ("NREMT-EMT", "emt"),
    ("NREMT-AEMT", "aemt"),
    ("NREMT-NRP", "paramedic"),
)


def month_day(value: MonthDay | str | None) -> MonthDay | None:
    """A stored cycle end ("03-31") as a MonthDay; None stays None."""
    if value is None or isinstance(value, MonthDay):
        return value
    month, _, day = value.strip().partition("-")
    return MonthDay(int(month), int(day))


def cycle_of(
    registry_name: str | None, registry_code: str | None, cycle_end: MonthDay | str | None,
    cycle_credential: str | None,
) -> tuple[MonthDay | None, str | None, bool]:  # fmt: skip
    """A requirement's fixed cycle, the one rule (the evaluator, `requirement show`):
    (its end, the credential whose card's expiry places a member's cycle, and whether it is
    an NREMT NCCP level's, whose "one course once per cycle" rule then applies). The end is
    the requirement's own ("MM-DD": a department copy, migration 0014) or its registry's
    (`cycle_end_for`); the card: its own cycle credential, else its registry code. No end:
    (None, None, False)."""
    end = month_day(cycle_end) or cycle_end_for(registry_name, registry_code)
    if end is None:
        return None, None, False
    card = cycle_credential or registry_code
    nccp = cycle_end_for(registry_name, registry_code) is not None or (
        (card or "").strip().upper() in NREMT_CYCLE_ENDS
    )
    return end, card, nccp


def cycle_end_for(registry_name: str | None, registry_code: str | None) -> MonthDay | None:
    """The fixed cycle end of a registry requirement (NREMT NCCP levels), else None."""
    if (registry_name or "").strip().casefold() != "nremt" or not registry_code:
        return None
    return NREMT_CYCLE_ENDS.get(registry_code.strip().upper())


def normalize_frequency(frequency: str) -> str:
    """ "Biannual" -> "biennial"; refuses a frequency this module does not know."""
    key = frequency.strip().casefold().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    if key not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}: one of {', '.join(FREQUENCIES)}")
    return key


@dataclass(frozen=True)
class Period:
    """How a requirement recurs. Build it with `Period.of` (which checks and normalises)."""

    frequency: str  # one of FREQUENCIES (normalised)
    months: int | None  # window length; one_time: None, or N months from its anchor date
    anchor: str = "calendar"  # one of ANCHORS
    cycle_end: MonthDay | None = None  # for anchor "cycle_end"
    cycle_name: str = "cycle"  # "NREMT cycle" in labels
    time_limit_days: int | None = None  # one_time: due = anchor date + this
    nremt: bool = False  # an NREMT NCCP level's cycle: its first cycle by the NREMT's table

    @classmethod
    def of(
        cls,
        frequency: str,
        period_months: int | None = None,
        anchor: str = "calendar",
        *,
        cycle_end: MonthDay | None = None,
        cycle_name: str = "cycle",
        time_limit_days: int | None = None,
        nremt: bool = False,
    ) -> Period:
        freq = normalize_frequency(frequency)
        anchor = (anchor or "calendar").strip().casefold()
        if anchor not in ANCHORS:
            raise ValueError(f"unknown period anchor {anchor!r}: one of {', '.join(ANCHORS)}")
        if freq == "rolling":
            if not period_months or period_months <= 0:
                raise ValueError("a rolling period needs period_months > 0")
            months: int | None = int(period_months)
        elif freq == "one_time":
            # within N months of the member's date (ISO recruit training: the first year);
            # None: a window without an end (a late completion still completes). The
            # calendar has no date to count from: months there are refused on entry
            # (schemas.requirements.months_problems) and ignored here.
            months = int(period_months) if period_months and anchor != "calendar" else None
            if months is not None and months <= 0:
                raise ValueError("a one-time window of N months needs N > 0")
        else:
            months = FREQUENCY_MONTHS[freq]
        if anchor == "cycle_end":
            if cycle_end is None:
                raise ValueError("anchor 'cycle_end' needs the cycle end month-day")
            if freq not in FREQUENCY_MONTHS:
                raise ValueError(f"a fixed cycle end needs a recurring frequency, not {freq!r}")
        return cls(freq, months, anchor, cycle_end, cycle_name, time_limit_days, nremt)

    @property
    def tiles(self) -> bool:
        """Windows follow one another without gap or overlap (every frequency but rolling
        and one_time)."""
        return self.frequency in FREQUENCY_MONTHS


@dataclass(frozen=True)
class Anchors:
    """A member's dates that windows hang on.

    ``card_expires_on``: the expiry of the member's current card for a fixed-cycle
    requirement (e.g. the NREMT card), when the caller knows it. It decides the cycle."""

    hire_date: date | None = None
    certification_date: date | None = None
    card_expires_on: date | None = None


@dataclass(frozen=True)
class Window:
    """A span of days, both ends included; None means unbounded on that side."""

    start: date | None
    end: date | None

    def __contains__(self, d: object) -> bool:
        if not isinstance(d, date):
            return False
        return (self.start is None or self.start <= d) and (self.end is None or d <= self.end)

    @property
    def days(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        a = self.start.isoformat() if self.start else "…"
        b = self.end.isoformat() if self.end else "…"
        return f"{a} – {b}"


@dataclass(frozen=True)
class Windows:
    """The answer for one requirement, member and as-of date.

    ``due``: the last day to meet the requirement in the current window: its end for
    tiling windows, anchor + time limit for one_time, None otherwise (rolling; one_time
    without a time limit or anchor). ``anchor_date``: the member date the windows hang on
    (None for the calendar). ``previous`` is None when the member had no earlier window
    (the anchor date falls after it) or the frequency has none (one_time).
    """

    period: Period
    as_of: date
    current: Window
    previous: Window | None
    due: date | None
    label: str
    anchor_date: date | None = None
    assumed: str | None = None  # what was assumed when a needed member date was unknown


# --------------------------------------------------------------------------- fixed cycles
def first_cycle_end(certified_on: date, end: MonthDay, months: int, *, nremt: bool = False) -> date:
    """The first cycle end of a member certified on `certified_on`, without a card.

    - an NREMT NCCP level (`nremt`, 2-year cycles): the NREMT's published table
      (support.nremt.org, "Recertification Expiration Dates"): certified January-June, the
      cycle end two years on; July-December, three years on. EMT certified 15 June 2024
      -> 31 March 2026; 31 March 2025 -> 31 March 2027; 1 July 2024 -> 31 March 2027. The
      first cycle runs 21 to 33 months (EMR, 30 September: 27 to 39).
    - any other fixed cycle: the first date with the cycle's month-day at least half a
      cycle after certification (`_first_floor`): a 2-year cycle ending 30 June, certified
      15 June 2024 -> 30 June 2025; an annual one certified on 29 June 2024 -> 30 June 2025,
      not the next day (which would owe the year's hours on the third day).
    """
    if nremt and months == 24:
        return end.in_year(certified_on.year + (2 if certified_on.month <= 6 else 3))
    return end.on_or_after(_first_floor(certified_on, months))


def _first_floor(certified_on: date, months: int) -> date:
    """The earliest day a first cycle of any fixed cycle but an NREMT level's may end: half a
    cycle after certification, and never the certification day itself."""
    return max(certified_on + ONE_DAY, add_months(certified_on, months // 2))


def nremt_cycle(end: MonthDay | None, card: str | None) -> bool:
    """Whether a fixed cycle is an NREMT level's own: its card is a level's (NREMT-EMT) and
    it ends on that level's day. A department cycle ending 30 June placed by an NREMT card
    keeps the department rule for its first cycle."""
    return end is not None and NREMT_CYCLE_ENDS.get((card or "").strip().upper()) == end


def cycle_end_reference(
    anchors: Anchors, end: MonthDay, months: int, *, nremt: bool = False
) -> date | None:
    """One of the member's cycle ends (every other one is a multiple of N months away),
    or None when neither date is known. The rule, which a department can check against
    its members' cards:

    1. the expiry of the member's current card, when known (the caller passes it, or the
       evaluator finds the card among the member's certifications): the card is the
       authority, its expiry IS a cycle end;
    2. else from the certification date: `first_cycle_end`, then every N months;
    3. else the windows assume one fixed grid (the cycle end of 2000, then every N
       months: the calendar's rule), and `Windows.assumed` says so.

    The first cycle always runs from the certification date (`_first_end`).
    """
    if anchors.card_expires_on is not None:
        return anchors.card_expires_on
    if anchors.certification_date is not None:
        return first_cycle_end(anchors.certification_date, end, months, nremt=nremt)
    return None


def _grid_index(ref: date, day: date, months: int) -> int:
    """The least k with add_months(ref, k * months) >= day."""
    k = (_month_index(day) - _month_index(ref)) // months
    while add_months(ref, k * months) >= day:
        k -= 1
    while add_months(ref, k * months) < day:
        k += 1
    return k


def _first_end(period: Period, ref: date, certified_on: date, card: date | None) -> date:
    """The end of the member's first cycle, which starts on the certification date: the
    first end on the member's grid (`ref` and every N months from it) on or after the day
    the rule names (`first_cycle_end` for an NREMT level, the half-cycle floor for any
    other), but never after a card that expires after the certification date: that card's
    expiry ends the first cycle (the card is the authority, and shows the member certified
    to that day). Without a card that is the end `first_cycle_end` names. With one:
    - certified 31 March 2024, an NREMT-EMT card to 31 March 2026: one first cycle, 31 March
      2024 - 31 March 2026 (not a one-day cycle on 31 March 2024 owing the whole cycle's
      hours);
    - certified 30 June 2024 (the table: 31 March 2026) with a card to 31 March 2027: the
      first cycle ends with the card, 31 March 2027, never on 31 March 2025, which would
      show OVERDUE a member whose card is valid;
    - certified in 2019 with a card renewed to 31 March 2027: the first cycle ended on the
      table's 31 March 2021; the card's cycles follow it.
    """
    n, md = period.months, period.cycle_end
    assert n is not None and md is not None
    if period.nremt and n == 24:
        floor = first_cycle_end(certified_on, md, n, nremt=True)
    else:
        floor = _first_floor(certified_on, n)
    end = add_months(ref, _grid_index(ref, floor, n) * n)
    if card is not None and certified_on < card < end:
        end = card
    return end


def rolling_start(as_of: date, months: int) -> date:
    """The first day of the rolling window of N months up to `as_of`."""
    return add_months(as_of, -months) + ONE_DAY


def rolling_due(joined: date, months: int) -> date:
    """The last as-of day whose rolling window of N months starts on or before `joined`
    (the day a member became subject to it): the first full window, which is when its
    figure is due. `joined` + N months - 1 day, but for the month ends a short month
    clamps: joined 29 Feb 2028, 24 months: due 28 Feb 2030 (the window of that day is
    29 Feb 2028 - 28 Feb 2030), not 27 February."""
    due = add_months(joined, months) - ONE_DAY
    while rolling_start(due + ONE_DAY, months) <= joined:
        due += ONE_DAY
    while rolling_start(due, months) > joined:
        due -= ONE_DAY
    return due


def _cycle_windows(period: Period, as_of: date, anchors: Anchors) -> Windows:
    assert period.cycle_end is not None and period.months is not None
    n, md = period.months, period.cycle_end
    assumed = None
    ref = cycle_end_reference(anchors, md, n, nremt=period.nremt)
    if ref is None:
        # no date places the member's cycles: one fixed grid, as the calendar's (cycles
        # ending on the cycle end of 2000 and every N months on: 31 March of the even
        # years for NREMT's 24). It was the next cycle end on or after the as-of day, so a
        # 24-month cycle began every year: a record counted in two, and on 1 April the
        # cycle judged as the previous one had never been current (found by a review).
        ref = md.on_or_after(_EPOCH)
        assumed = f"certification date and card expiry unknown: the {period.cycle_name} is assumed"
    # the day the cycles end: the card's when it is known (it places them), else the rule's
    shown = MonthDay(ref.month, ref.day) if anchors.card_expires_on is not None else md
    label = f"{period.cycle_name} ending {shown}"
    cert = anchors.certification_date
    first = None
    if cert is not None and cert <= as_of:
        first = _first_end(period, ref, cert, anchors.card_expires_on)
        if as_of <= first:  # the first cycle: from the certification date, none before it
            return Windows(period, as_of, Window(cert, first), None, first, label, cert, assumed)
    # cycle k ends on add_months(ref, k*n): the first end on or after as_of
    k = _grid_index(ref, as_of, n)
    end = add_months(ref, k * n)
    start = add_months(ref, (k - 1) * n) + ONE_DAY
    prev_out = Window(add_months(ref, (k - 2) * n) + ONE_DAY, start - ONE_DAY)
    if first is not None and start - ONE_DAY <= first:
        prev_out = Window(cert, first)  # the previous cycle was the first
    if assumed:
        assumed += f" to run {start.isoformat()} to {end.isoformat()}; record either to place it"
    return Windows(period, as_of, Window(start, end), prev_out, end, label, cert, assumed)


# ------------------------------------------------------------------------------- windows
def _label(period: Period, w: Window, anchor: str) -> str:
    assert w.start is not None
    s = w.start
    if anchor == "calendar":
        if period.frequency == "monthly":
            return f"{calendar.month_name[s.month]} {s.year}"
        if period.frequency == "quarterly":
            return f"{s.year} Q{(s.month - 1) // 3 + 1}"
        if period.frequency == "annual":
            return f"calendar year {s.year}"
        return f"calendar years {s.year}–{s.year + 1}"
    what = {"monthly": "month", "quarterly": "quarter", "annual": "year", "biennial": "2 years"}
    since = "hire" if anchor == "hire_date" else "certification"
    return f"{what[period.frequency]} from the {since} anniversary {s.isoformat()}"


def windows(period: Period, as_of: date, anchors: Anchors | None = None) -> Windows:
    """The current window (containing `as_of`), the previous one and the due date."""
    anchors = anchors or Anchors()
    if period.anchor == "hire_date":
        anchor_date = anchors.hire_date
    elif period.anchor in ("certification_date", "cycle_end"):
        anchor_date = anchors.certification_date
    else:
        anchor_date = None

    if period.frequency == "one_time":
        base = anchor_date if period.anchor != "calendar" else anchors.hire_date
        due = (
            base + timedelta(days=period.time_limit_days)
            if base is not None and period.time_limit_days is not None
            else None
        )
        start = anchor_date if period.anchor != "calendar" else None
        if start is not None and start > as_of:
            start = None  # before the anchor the member's window has not opened
        end = None
        if start is not None and period.months:  # the first N months: closed, due at its end
            end = add_months(start, period.months) - ONE_DAY
            due = end if due is None else min(due, end)
        label = "one time" + (f", from {start.isoformat()}" if start else "")
        if end is not None:
            label = f"one time: the first {period.months} months from {start}, to {end}"
        assumed = None
        if period.months and anchor_date is None:
            what = "hire date" if period.anchor == "hire_date" else "certification date"
            assumed = (
                f"{what} unknown: the first {period.months} months cannot be placed, so "
                f"every record counts (give the member a {what})"
            )
        return Windows(period, as_of, Window(start, end), None, due, label, base, assumed)

    assert period.months is not None
    n = period.months
    if period.frequency == "rolling":
        start = rolling_start(as_of, n)
        prev = Window(add_months(as_of, -2 * n) + ONE_DAY, start - ONE_DAY)
        label = f"rolling {n} months to {as_of.isoformat()}"
        return Windows(period, as_of, Window(start, as_of), prev, None, label, anchor_date)

    if period.anchor == "cycle_end":
        return _cycle_windows(period, as_of, anchors)

    assumed = None
    anchor_kind = period.anchor
    ref = anchor_date
    if ref is None:
        if anchor_kind != "calendar":
            what = "hire date" if anchor_kind == "hire_date" else "certification date"
            assumed = f"{what} unknown: calendar windows are used"
        anchor_kind, ref = "calendar", _EPOCH
    k = _anniversary_index(ref, as_of, n)
    start, nxt = add_months(ref, k * n), add_months(ref, (k + 1) * n)
    current = Window(start, nxt - ONE_DAY)
    prev_start = add_months(ref, (k - 1) * n)
    previous: Window | None = Window(prev_start, start - ONE_DAY)
    if anchor_kind != "calendar" and ref <= as_of and prev_start < ref:
        previous = None  # the window before the anchor (hire, certification) is not the member's
    label = _label(period, current, anchor_kind)
    return Windows(
        period, as_of, current, previous, current.end, label,
        ref if anchor_kind != "calendar" else None, assumed,
    )  # fmt: skip


def windows_between(
    period: Period, first: date, last: date, anchors: Anchors | None = None
) -> list[Window]:
    """Consecutive windows of a tiling period covering `first` .. `last` (for the months of
    a year in a monthly requirement's annual judgement)."""
    if not period.tiles:
        raise ValueError(f"{period.frequency} windows do not tile")
    out: list[Window] = []
    day = first
    while day <= last:
        w = windows(period, day, anchors).current
        out.append(w)
        assert w.end is not None
        day = w.end + ONE_DAY
    return out
