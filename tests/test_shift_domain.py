"""Shifts and calls as people write them (pure, table-driven): instants with their UTC
offset, durations from the instants across DST changes, Feb 29 and year ends, the shift
date a call after midnight belongs to."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from trainctl.domain import shifts as ds

EST, EDT = timezone(timedelta(hours=-5)), timezone(timedelta(hours=-4))
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-08T07:00-05:00", datetime(2026, 3, 8, 7, 0, tzinfo=EST)),
        ("2026-03-08 07:00-0500", datetime(2026, 3, 8, 7, 0, tzinfo=EST)),
        (" 2026-3-8T7:05:30 -05:00 ", datetime(2026, 3, 8, 7, 5, 30, tzinfo=EST)),
        ("2026-03-08T12:00Z", datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        ("2026-03-08T12:00:00.250+00:00", datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        ("2026-03-08T17:30+05:30", datetime(2026, 3, 8, 17, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
        ("2028-02-29T07:00-05:00", datetime(2028, 2, 29, 7, 0, tzinfo=EST)),
        ("2026-12-31T23:59+14:00", datetime(2026, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=14)))),
    ],
)
def test_instants_keep_their_offset(text, expected):
    got = ds.parse_instant(text)
    assert got == expected and got.astimezone(UTC) == expected.astimezone(UTC)
    assert got.utcoffset() == expected.utcoffset()  # the day as written stays the day


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-03-08T07:00", "no UTC offset"),
        ("2026-03-08", "not a date-time"),
        ("07:00-05:00", "not a date-time"),
        ("2026-02-29T07:00-05:00", "not a leap year"),
        ("2026-03-08T24:00-05:00", "not a time of day"),
        ("2026-03-08T07:60-05:00", "not a time of day"),
        ("2026-03-08T07:00+15:00", "not a real offset"),
        ("2026-03-08T07:00+05:75", "not a real offset"),
        ("9999-12-31T07:00-05:00", "out of range"),
        ("1e300", "not a date-time"),
        ("2026-03-08T07:00-05:00\x1b[31m", "not a date-time"),
    ],
)
def test_instants_refused_with_the_reason(text, why):
    with pytest.raises(ValueError, match=why):
        ds.parse_instant(text)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2028-02-29 07:00", datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),
        ("2028-12-31T23:59", datetime(2029, 1, 1, 4, 59, tzinfo=UTC)),  # the next year in UTC
        ("2026-03-08 01:59", datetime(2026, 3, 8, 6, 59, tzinfo=UTC)),  # EST, just before the gap
        ("2026-03-08 03:00", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # EDT, just after it
        ("2026-11-01 00:59", datetime(2026, 11, 1, 4, 59, tzinfo=UTC)),  # EDT, before the repeat
        ("2026-11-01 02:00", datetime(2026, 11, 1, 7, 0, tzinfo=UTC)),  # EST, after it
        ("2026-11-01 01:30-05:00", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),  # an offset decides
    ],
)
def test_a_time_without_an_offset_is_the_zones_clock(text, utc):
    got = ds.parse_instant(text, NEW_YORK)
    assert got == utc and got.utcoffset() == got.astimezone(NEW_YORK).utcoffset()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-03-08 02:00", "2026-03-08 02:00 did not happen in America/New_York"),
        ("2026-03-08T02:59", "2026-03-08 02:59 did not happen in America/New_York"),
        ("2026-11-01 01:00", "2026-11-01T01:00-04:00 (EDT, the first) or 2026-11-01T01:00-05:00 (EST, the second)"),
        ("2026-11-01 01:59", "happened twice in America/New_York"),
    ],
)
def test_a_time_the_clocks_skipped_or_repeated_is_refused(text, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        ds.parse_instant(text, NEW_YORK)


@pytest.mark.parametrize(
    ("time_in", "time_out", "hours"),
    [
        ("2026-03-07T07:00-05:00", "2026-03-08T07:00-04:00", 23),  # US spring-forward (02:00, 8 March)
        ("2026-10-31T07:00-04:00", "2026-11-01T07:00-05:00", 25),  # US fall-back (02:00, 1 November)
        ("2026-06-01T07:00-04:00", "2026-06-02T07:00-04:00", 24),
        ("2028-02-28T19:00-05:00", "2028-02-29T07:00-05:00", 12),  # into Feb 29
        ("2028-02-29T07:00-05:00", "2028-03-01T07:00-05:00", 24),  # across Feb 29
        ("2026-12-31T19:00-05:00", "2027-01-01T07:00-05:00", 12),  # across the year end
        ("2026-03-07T07:00-05:00", "2026-03-10T07:00-04:00", 71),  # a 72-hour tour over the change
    ],
)
def test_durations_come_from_the_instants(time_in, time_out, hours):
    minutes = ds.duration_minutes(ds.parse_instant(time_in), ds.parse_instant(time_out))
    assert minutes == hours * 60
    assert ds.hours(minutes) == hours


@pytest.mark.parametrize(
    ("time_in", "time_out", "why"),
    [
        ("2026-03-08T07:00-05:00", "2026-03-08T06:00-05:00", "not after the time in"),
        ("2026-03-08T07:00-05:00", "2026-03-08T07:00-05:00", "not after the time in"),
        ("2026-03-08T07:00-05:00", "2026-03-08T07:00-04:00", "not after the time in"),  # an hour earlier
        ("2026-03-08T07:00-05:00", "2026-03-12T07:00-05:00", "at most 72 hours"),
    ],
)
def test_impossible_durations(time_in, time_out, why):
    with pytest.raises(ValueError, match=why):
        ds.duration_minutes(ds.parse_instant(time_in), ds.parse_instant(time_out))


@pytest.mark.parametrize(
    ("shift_date", "at", "problem"),
    [
        (date(2026, 3, 8), "2026-03-08T23:59-04:00", None),
        (date(2026, 3, 8), "2026-03-09T00:30-04:00", None),  # after midnight: the shift before
        (date(2026, 12, 31), "2027-01-01T00:30-05:00", None),  # after midnight, a new year
        (date(2028, 2, 28), "2028-02-29T02:00-05:00", None),
        (date(2028, 2, 29), "2028-03-01T00:30-05:00", None),
        (date(2026, 3, 9), "2026-03-08T23:30-04:00", None),  # a night tour dated the next day
        (date(2026, 3, 10), "2026-03-08T23:30-04:00", "before its shift date"),
        (date(2026, 11, 20), "2026-11-21T02:00Z", None),  # 21:00 on the 20th in New York
        (date(2026, 11, 22), "2026-11-21T02:00Z", "before its shift date"),  # the 20th there
        (date(2026, 3, 8), "2026-03-12T00:30-04:00", "4 days after"),
    ],
)
def test_a_call_belongs_to_the_shift_date_it_was_worked_on(shift_date, at, problem):
    got = ds.call_day_problem(shift_date, ds.parse_instant(at), NEW_YORK)
    assert (got is None) if problem is None else (problem in (got or ""))


def test_the_shift_covering_a_call():
    a = (date(2026, 3, 8), ds.parse_instant("2026-03-08T07:00-05:00"), ds.parse_instant("2026-03-09T07:00-04:00"))
    b = (date(2026, 3, 9), ds.parse_instant("2026-03-09T07:00-04:00"), ds.parse_instant("2026-03-10T07:00-04:00"))
    assert ds.shift_dates_covering(ds.parse_instant("2026-03-09T00:30-04:00"), [a, b]) == {date(2026, 3, 8)}
    assert ds.shift_dates_covering(ds.parse_instant("2026-03-09T12:00-04:00"), [a, b]) == {date(2026, 3, 9)}
    assert ds.shift_dates_covering(ds.parse_instant("2026-03-11T12:00-04:00"), [a, b]) == set()


TODAY = date(2026, 12, 31)


def _att(**kw):
    base = {"shift_date": "2026-03-08", "station": "Station 1", "shift": "A",
            "time_in": "2026-03-08T07:00-05:00", "time_out": "2026-03-09T07:00-04:00"}  # fmt: skip
    return ds.parse_attendance({**base, **kw}, TODAY, NEW_YORK)


def test_an_attendance_row_checked_whole():
    got, problems = _att(station="  station   1 ")
    assert problems == [] and got is not None
    assert (got.minutes, got.station, got.key) == (23 * 60, "station 1", (date(2026, 3, 8), "station 1", "a"))


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"shift_date": ""}, ["shift_date"]),
        ({"shift_date": "2026-02-29"}, ["shift_date"]),
        ({"shift_date": "2027-01-01", "time_in": "2027-01-01T07:00-05:00",
          "time_out": "2027-01-01T19:00-05:00"}, ["shift_date", "time_out"]),
        ({"time_in": "2026-03-08T02:30"}, ["time_in"]),  # no offset, and the clocks skipped 02:30
        ({"time_out": "2026-03-08T06:00-05:00"}, ["time_out"]),
        ({"time_in": "2026-05-01T07:00-04:00", "time_out": "2026-05-01T19:00-04:00"}, ["time_in"]),
        ({"station": "St\x00ation"}, ["station"]),
        ({"shift": "A" * 200}, ["shift"]),
    ],
)  # fmt: skip
def test_attendance_problems_name_their_field(changes, fields):
    got, problems = _att(**changes)
    assert got is None
    assert [f for f, _ in problems] == fields


def test_a_call_row_checked_whole():
    got, problems = ds.parse_call(
        {"incident": "F26-1", "shift_date": "2026-03-08", "at": "2026-03-09T00:30-04:00", "call_type": "EMS"}, TODAY, NEW_YORK
    )
    assert problems == [] and got is not None and got.shift_date == date(2026, 3, 8)
    got, problems = ds.parse_call({"incident": "F26-1", "at": "2026-03-09T00:30-04:00"}, TODAY, NEW_YORK)
    assert problems == [] and got is not None and got.shift_date is None  # the service finds it
    got, problems = ds.parse_call(
        {"incident": "", "shift_date": "2026-03-11", "at": "2026-03-09T00:30-04:00"}, TODAY, NEW_YORK
    )
    assert [f for f, _ in problems] == ["incident", "at"]


@pytest.mark.parametrize(
    ("at", "says"),
    [
        ("2026-03-07T07:00-05:00", None),  # EST until 02:00 on 8 March
        ("2026-03-08T07:00-04:00", None),
        ("2026-03-08T07:00-05:00",  # the help's old example: 08:00 there
         "07:00-05:00 is 08:00 EDT in America/New_York; if the tour began at 07:00 there, give -04:00"),
        ("2026-07-04T07:00-05:00",
         "07:00-05:00 is 08:00 EDT in America/New_York; if the tour began at 07:00 there, give -04:00"),
        ("2026-07-04T23:30-05:00",
         "23:30-05:00 is 00:30 EDT on 2026-07-05 in America/New_York; if the tour began at 23:30 there, give -04:00"),
        ("2026-12-04T07:00-04:00",
         "07:00-04:00 is 06:00 EST in America/New_York; if the tour began at 07:00 there, give -05:00"),
        ("2026-07-04T11:00Z", None),  # UTC, as CAD exports give it
        ("2026-07-04T11:00+00:00", None),
        ("2026-11-01T01:30-04:00", None),  # the hour that happens twice: either offset is right
        ("2026-11-01T01:30-05:00", None),
        ("2026-03-08T02:30-05:00", "02:30 did not happen there"),  # the hour the clocks skipped
        # ... whatever offset it is written with: never "give -05:00", which is then called
        # impossible (a review)
        ("2026-03-08T02:30-04:00",
         "02:30-04:00 is 01:30 EST in America/New_York (02:30 did not happen there: the clocks went forward)"),
        ("2026-03-08T02:00-04:00", "02:00 did not happen there"),  # the first minute skipped
        ("2026-03-08T02:59-07:00", "02:59 did not happen there"),
        ("2026-03-08T03:00-05:00",  # the first minute after: it happened, at -04:00
         "03:00-05:00 is 04:00 EDT in America/New_York; if the tour began at 03:00 there, give -04:00"),
        ("2026-03-08T01:59-04:00",  # the last minute before: it happened, at -05:00
         "01:59-04:00 is 00:59 EST in America/New_York; if the tour began at 01:59 there, give -05:00"),
    ],
)  # fmt: skip
def test_an_offset_not_the_departments_clocks_is_said(at, says):
    got = ds.offset_doubt(ds.parse_instant(at), NEW_YORK, "the tour began")
    assert (got is None) if says is None else (says in (got or "")), got


@pytest.mark.parametrize(
    ("zone", "day"),  # spring-forward days: 1 h at 02:00, 1 h at 02:00, 30 min at 02:00
    [(NEW_YORK, date(2026, 3, 8)), (ZoneInfo("Europe/Berlin"), date(2026, 3, 29)),
     (ZoneInfo("Australia/Lord_Howe"), date(2026, 10, 4))],
)  # fmt: skip
def test_no_advice_names_an_offset_that_is_then_called_impossible(zone, day):
    """Every quarter hour of a spring-forward day, written with any offset from -12 to +14:
    whatever offset the doubt advises, that time written with it is taken without doubt."""
    for minutes in range(0, 24 * 60, 15):
        wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)
        for quarter in range(-48, 57, 2):
            off = timezone(timedelta(minutes=15 * quarter))
            got = ds.offset_doubt(wall.replace(tzinfo=off), zone, "the tour began")
            if got is None or "give " not in got:
                continue
            advised = got.rsplit("give ", 1)[1]
            again = ds.offset_doubt(ds.parse_instant(f"{wall:%Y-%m-%dT%H:%M}{advised}"), zone, "it")
            assert again is None, (wall, off, got, again)


def test_a_department_on_utc_doubts_no_offset():
    assert ds.offset_doubt(ds.parse_instant("2026-07-04T07:00-05:00"), ZoneInfo("UTC"), "the tour began") is None
    assert ds.offset_doubt(ds.parse_instant("2026-07-04T07:00-05:00"), UTC, "the tour began") is None
