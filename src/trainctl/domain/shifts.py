"""Shifts and calls as people write them (pure): instants with their UTC offset, durations
from the instants, the shift date a call belongs to, one row's values checked.

Instants: a time in, a time out and a call's date-time, as `2026-03-07T07:00-05:00` (a
space instead of the T, seconds, `Z` and `+0530` are fine). A time without an offset, as
a spreadsheet writes it (`2026-03-07 07:00`), is the department's clock (the zone passed
in), stored as the instant it was there; one the clocks skipped (spring forward) or
showed twice (fall back) is refused, naming the offsets that say which instant is meant:
it is never shifted silently. A time written with its offset is
taken as written; an offset that is neither UTC (as CAD exports give) nor the
department's clock's at that instant is said (`offset_doubt`): 07:00-05:00 on a July
morning is 08:00 EDT in New York, the tour most likely began at 07:00-04:00.

Durations come from the instants, never from the wall clock: in New York a 24-hour tour
from 2026-03-07T07:00-05:00 to 2026-03-08T07:00-04:00 (US spring-forward, 02:00 on 8
March) is 23 hours, and from 2026-10-31T07:00-04:00 to 2026-11-01T07:00-05:00 (fall-back,
02:00 on 1 November) 25 hours.

The shift date is the day the shift was worked on (its natural key, with station and
shift name). A call belongs to the shift date it was worked on: a call at 00:30 belongs to
the shift that started the day before, one at 23:30 may belong to a night tour that began
that evening and is dated the next day. So a call's date-time may fall on the day before
its shift date (as a time in may), on it, or up to CALL_DAYS_AFTER days later.

Days are the department's: a row's values are checked and kept on the department's clock
(the zone is passed in), so an instant's day is the day it was there, whatever offset it
was written with: 2026-11-21T02:00Z is 21:00 on 20 November in New York.

Every parser returns a value or raises ValueError with the reason; `parse_attendance` and
`parse_call` check a whole row and return its problems as (field, reason), which the
caller reports with file, line and field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import TypeVar

from trainctl.domain import sheet
from trainctl.domain.text import hours_text

T = TypeVar("T")
MAX_SHIFT_HOURS = 72  # the longest tour a department works (24, 48 and 72-hour tours)
CALL_DAYS_AFTER = MAX_SHIFT_HOURS // 24  # a call may fall this many days after its shift date
MAX_OFFSET = timedelta(hours=14)  # the widest UTC offset in use (Kiribati, +14:00)
MAX_CODE = 100  # characters in an incident number, station, shift name or call type
INSTANT_EXAMPLE = "2026-03-07T07:00-05:00"  # right in New York (EST until 8 March 2026)

_INSTANT = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})[Tt ]\s*(?P<h>\d{1,2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,]\d+)?)?\s*(?P<off>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
)


@functools.lru_cache(maxsize=8192)
def parse_instant(text: str, zone: tzinfo | None = None) -> datetime:
    """A date-time -> an aware datetime with a fixed offset (so its `.date()` is the
    calendar day as written): the offset written, else the offset of `zone` (the
    department's clock) at that wall-clock time. Without an offset, a time the clocks of
    `zone` skipped or showed twice is refused, saying which offsets to give; with no zone
    (no clock to read it by) every time without an offset is refused. Memoised: a sheet
    repeats its times."""
    value = text.strip()
    m = _INSTANT.fullmatch(value)
    if m is None:
        raise ValueError(f"is not a date-time (write it like {INSTANT_EXAMPLE})")
    if m["off"] is None and zone is None:
        raise ValueError(
            f"has no UTC offset; write it like {INSTANT_EXAMPLE} (the offset says which "
            "instant is meant around a DST change)"
        )
    day = sheet.parse_date(m["date"])
    hour, minute, second = int(m["h"]), int(m["m"]), int(m["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"is not a time of day ({hour:02d}:{minute:02d})")
    wall = datetime(day.year, day.month, day.day, hour, minute, second)
    if m["off"] is None:
        assert zone is not None  # (refused above)
        return _on_wall_clock(wall, zone)
    return wall.replace(tzinfo=timezone(_offset(m["off"])))


def offset_given(text: str) -> bool:
    """Whether a date-time is written with its UTC offset (else parse_instant reads it on
    the department's clock)."""
    m = _INSTANT.fullmatch(text.strip())
    return m is not None and m["off"] is not None


def _on_wall_clock(wall: datetime, zone: tzinfo) -> datetime:
    """The instant the naive `wall` time was in `zone`, with that moment's fixed offset;
    a time the clocks skipped (spring forward) or showed twice (fall back) is refused with
    the offsets that say which instant is meant, never shifted."""
    name = getattr(zone, "key", str(zone))
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    clock = f"{wall:%Y-%m-%d %H:%M}"
    if _skipped(wall, zone):
        before, after = first.utcoffset(), second.utcoffset()
        offsets = ""
        if before is not None and after is not None:
            offsets = (f" ({wall:%Y-%m-%dT%H:%M}{_offset_text(before)} is "
                       f"{wall.replace(tzinfo=timezone(before)).astimezone(zone):%H:%M} there)")  # fmt: skip
        raise ValueError(
            f"{clock} did not happen in {name}: the clocks went forward that night; check the "
            f"time, or write it with the UTC offset you mean{offsets}"
        )
    early, late = first.utcoffset(), second.utcoffset()
    if early is not None and late is not None and early != late:
        raise ValueError(
            f"{clock} happened twice in {name} (the clocks went back that night); give its UTC "
            f"offset: {wall:%Y-%m-%dT%H:%M}{_offset_text(early)} ({first.tzname()}, the first) or "
            f"{wall:%Y-%m-%dT%H:%M}{_offset_text(late)} ({second.tzname()}, the second)"
        )
    return wall.replace(tzinfo=timezone(early or timedelta(0)))


def _offset(text: str) -> timedelta:
    if text.upper() in ("Z", "UTC", "GMT"):
        return timedelta(0)
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes > 59:
        raise ValueError(f"has a UTC offset {text} that is not a real offset")
    offset = timedelta(hours=hours, minutes=minutes)
    if offset > MAX_OFFSET:
        raise ValueError(f"has a UTC offset {text} that is not a real offset (at most ±14:00)")
    return -offset if text[0] == "-" else offset


def shown(instant: datetime, zone: tzinfo | None = None) -> str:
    """An instant as people write it: 2026-03-07T07:00-05:00; in `zone` when given (an
    instant read back from the database is UTC: the department reads its own clock)."""
    return (instant.astimezone(zone) if zone is not None else instant).isoformat(timespec="minutes")


def duration_minutes(time_in: datetime, time_out: datetime) -> int:
    """Whole minutes between the two instants (a DST change counts as it happened)."""
    if time_out <= time_in:
        raise ValueError(f"{shown(time_out)} is not after the time in {shown(time_in)}")
    minutes = int((time_out - time_in).total_seconds() // 60)
    if minutes > MAX_SHIFT_HOURS * 60:
        raise ValueError(
            f"{shown(time_out)} is {hours_text(minutes / 60)} hours after the time in; a shift lasts "
            f"at most {MAX_SHIFT_HOURS} hours"
        )
    return minutes


def _offset_text(offset: timedelta) -> str:
    """-05:00, +05:30, or Z."""
    if not offset:
        return "Z"
    sign, rest = ("-", -offset) if offset < timedelta(0) else ("+", offset)
    hours, seconds = divmod(int(rest.total_seconds()), 3600)
    return f"{sign}{hours:02d}:{seconds // 60:02d}"


def offset_doubt(instant: datetime, zone: tzinfo, what: str) -> str | None:
    """Why the offset an instant is written with is worth a look, or None. The instant is
    unambiguous, so it is taken: this only says what it is on the department's clock when
    its offset is neither UTC (Z, +00:00: as CAD exports give times) nor the department
    zone's offset at that instant ("07:00-05:00 is 08:00 EDT in America/New_York; if the
    tour began at 07:00 there, give -04:00"). `what`: "the tour began", "the call came in".
    A department whose clock is UTC (no timezone set) doubts no offset: it has said none."""
    offset = instant.utcoffset()
    if not offset or getattr(zone, "key", str(zone)) in ("UTC", "Etc/UTC"):
        return None
    local = instant.astimezone(zone)
    if local.utcoffset() == offset:
        return None
    clock = f"{instant:%H:%M}"
    day = f" on {local.date()}" if local.date() != instant.date() else ""
    said = (f"{clock}{_offset_text(offset)} is {local:%H:%M} {local.tzname()}{day} in "
            f"{getattr(zone, 'key', zone)}")  # fmt: skip
    meant = instant.replace(tzinfo=zone).utcoffset()  # that wall-clock time there
    if meant is None or _skipped(instant.replace(tzinfo=None), zone):
        # a time the clocks skipped that night, whichever offset it is written with: no
        # offset gives it there (advising one, 02:30-04:00 -> "give -05:00", only led to
        # "02:30 did not happen there" for 02:30-05:00)
        return f"{said} ({clock} did not happen there: the clocks went forward); check the time"
    return f"{said}; if {what} at {clock} there, give {_offset_text(meant)}"


def _skipped(wall: datetime, zone: tzinfo) -> bool:
    """Whether the naive wall-clock time `wall` never happened in `zone` (the hour the
    clocks went forward): taken there and back through UTC, it comes out another time."""
    there = wall.replace(tzinfo=zone)
    return there.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall


def hours(minutes: int) -> float:
    """A shift's hours, unrounded: three tours of 12 h 20 min add up to 37 h (rounded to four
    decimals each, they made 36.9999 and a 37 h requirement was never met; 0017)."""
    return minutes / 60


def call_day_problem(shift_date: date, at: datetime, zone: tzinfo) -> str | None:
    """Why a call at `at` cannot belong to `shift_date`, or None. The call's day in the
    department's `zone` is the day before the shift date (a night tour that began that
    evening, as its time in may), the shift date, or up to CALL_DAYS_AFTER days later."""
    days = (at.astimezone(zone).date() - shift_date).days
    if days < -1:
        return (
            f"{shown(at, zone)} is before its shift date {shift_date}; a call belongs to the "
            "shift it was worked on (from the evening before, when a tour begins then)"
        )
    if days > CALL_DAYS_AFTER:
        return (
            f"{shown(at, zone)} is {days} days after its shift date {shift_date}; a call belongs to "
            f"the shift it was worked on (at most {CALL_DAYS_AFTER} days later)"
        )
    return None


def shift_dates_covering(
    at: datetime, attended: Iterable[tuple[date, datetime, datetime]]
) -> set[date]:
    """The shift dates of the attendances (shift date, time in, time out) that cover the
    instant: the shift a call was worked on, when its row gives none."""
    return {day for day, start, end in attended if start <= at <= end}


# ------------------------------------------------------------------------------- rows
Problems = list[tuple[str, str]]  # (field, reason)


@dataclass(frozen=True, slots=True)
class AttendanceValues:
    """One shift attendance as given (the member is resolved by the service)."""

    shift_date: date
    station: str
    shift: str
    time_in: datetime
    time_out: datetime
    minutes: int
    doubts: tuple[tuple[str, str], ...] = ()  # (field, offset_doubt): taken, and said
    local: bool = False  # a time was written without an offset: read on the department's clock

    @property
    def key(self) -> tuple[date, str, str]:
        """The shift's natural key: date, station, shift name (case and spaces aside)."""
        return self.shift_date, fold(self.station), fold(self.shift)


@dataclass(frozen=True, slots=True)
class CallValues:
    """One responder's row of a call (the member is resolved by the service)."""

    incident: str
    shift_date: date | None  # None: the shift the responder attended at `at`
    at: datetime
    call_type: str | None
    role: str | None
    doubts: tuple[tuple[str, str], ...] = ()  # (field, offset_doubt): taken, and said
    local: bool = False  # its time was written without an offset: read on the department's clock


def overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Whether two spans of time share an instant (back to back, 07:00-19:00 then
    19:00-07:00, do not): one member is on one shift at a time."""
    return a[0] < b[1] and b[0] < a[1]


def where_text(station: str | None, shift: str | None, day: date) -> str:
    """'shift A at Station 1 on 2026-03-08' (what a message names a shift by)."""
    name = f"shift {shift}" if shift else "a shift"
    return f"{name}{f' at {station}' if station else ''} on {day.isoformat()}"


def fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _get(values: Mapping[str, str], name: str) -> str:
    return (values.get(name) or "").strip()


@functools.lru_cache(maxsize=8192)
def _date(text: str) -> date:
    return sheet.parse_date(text)  # memoised: a sheet repeats its dates


@functools.lru_cache(maxsize=8192)
def _code(text: str) -> str:
    return sheet.check_text(text, limit=MAX_CODE)  # stations, shifts, call types repeat


def _text(values: Mapping[str, str], name: str, problems: Problems, *, required: bool = False) -> str:
    text = _get(values, name)
    if not text:
        if required:
            problems.append((name, "is required"))
        return ""
    try:
        return _code(text)
    except ValueError as exc:
        problems.append((name, f"{exc} (got {_cell(text)})"))
        return ""


def _parsed(
    values: Mapping[str, str], name: str, parse: Callable[[str], T], problems: Problems, what: str
) -> T | None:
    text = _get(values, name)
    if not text:
        problems.append((name, f"is required ({what})"))
        return None
    try:
        return parse(text)
    except ValueError as exc:
        problems.append((name, f"{exc} (got {_cell(text)})"))
        return None


def _not_future(day: date | None, name: str, today: date, problems: Problems) -> None:
    if day is not None and day > today:
        problems.append((name, f"{day} is after today ({today}); record what has happened"))


_DOING = {"time_in": "the tour began", "time_out": "the tour ended", "at": "the call came in"}


def _instant(
    values: Mapping[str, str], name: str, problems: Problems, zone: tzinfo, doubts: Problems
) -> datetime | None:
    """A row's instant on the department's clock (its day is the department's day); its
    written offset's doubt, if any, goes to `doubts` (offset_doubt). A time without an
    offset is read on that clock (parse_instant)."""
    instant = _parsed(values, name, functools.partial(parse_instant, zone=zone), problems, INSTANT_EXAMPLE)
    if instant is None:
        return None
    if why := offset_doubt(instant, zone, _DOING[name]):
        doubts.append((name, why))
    return on_clock(instant, zone)


def on_clock(instant: datetime, zone: tzinfo) -> datetime:
    """The instant on the clock of `zone`, with that moment's fixed offset. Not `zone`
    itself: Python subtracts and compares two datetimes of the same tzinfo by their wall
    clocks, so a tour from 07:00 EST to 07:00 EDT would count 24 hours, not 23."""
    local = instant.astimezone(zone)
    return local.replace(tzinfo=timezone(local.utcoffset() or timedelta(0)))


def parse_attendance(
    values: Mapping[str, str], today: date, zone: tzinfo
) -> tuple[AttendanceValues | None, Problems]:
    """A shift row's cells (or a command's options) by field name: shift_date, station,
    shift, time_in, time_out. Returns the values (times on the clock of `zone`, the
    department's), or None and every problem."""
    problems: Problems = []
    day = _parsed(values, "shift_date", _date, problems, "YYYY-MM-DD")
    station = _text(values, "station", problems)
    shift = _text(values, "shift", problems)
    doubts: Problems = []
    time_in = _instant(values, "time_in", problems, zone, doubts)
    time_out = _instant(values, "time_out", problems, zone, doubts)
    _not_future(day, "shift_date", today, problems)
    minutes = 0
    if time_in is not None and time_out is not None:
        try:
            minutes = duration_minutes(time_in, time_out)
        except ValueError as exc:
            problems.append(("time_out", str(exc)))
        if time_out.date() > today:
            problems.append(("time_out", f"{shown(time_out)} is after today ({today})"))
    if day is not None and time_in is not None:
        days = (time_in.date() - day).days
        if not -1 <= days <= CALL_DAYS_AFTER - 1:
            problems.append(
                ("time_in", f"{shown(time_in)} is not on the shift date {day} (nor the day "
                 "before, nor within the tour)")
            )  # fmt: skip
    if day is not None and time_out is not None and time_out.date() < day:
        # time in the evening before (a tour that starts at midnight) is a tour of that
        # date; one that is over before its date begins is not (review)
        problems.append(("time_out", f"{shown(time_out)} is before the shift date {day}: the tour "
                         "must end on or after its date"))  # fmt: skip
    if problems or day is None or time_in is None or time_out is None:
        return None, problems
    local = not (offset_given(_get(values, "time_in")) and offset_given(_get(values, "time_out")))
    return AttendanceValues(day, station, shift, time_in, time_out, minutes, tuple(doubts), local), []


def parse_call(
    values: Mapping[str, str], today: date, zone: tzinfo
) -> tuple[CallValues | None, Problems]:
    """A call row's cells (or a command's options): incident, shift_date (may be blank),
    at, call_type, role. Returns the values (the time on the clock of `zone`, the
    department's), or None and every problem."""
    problems: Problems = []
    incident = _text(values, "incident", problems, required=True)
    day = None
    if _get(values, "shift_date"):
        day = _parsed(values, "shift_date", _date, problems, "YYYY-MM-DD")
    doubts: Problems = []
    at = _instant(values, "at", problems, zone, doubts)
    call_type = _text(values, "call_type", problems) or None
    role = _text(values, "role", problems) or None
    _not_future(day, "shift_date", today, problems)
    if at is not None:
        _not_future(at.date(), "at", today, problems)
        if day is not None and (why := call_day_problem(day, at, zone)):
            problems.append(("at", why))
    if problems or at is None:
        return None, problems
    local = not offset_given(_get(values, "at"))
    return CallValues(incident, day, at, call_type, role, tuple(doubts), local), []


def _cell(text: str) -> str:
    """A cell in a message: quoted (control characters escaped), long ones cut."""
    return repr(text if len(text) <= 60 else text[:57] + "...")
