"""A recurring requirement inside a program (issue 11 #4): its figure counts once per
period of the enrollment's span (enrolled day up to the target date), so ISO company
training (16 h a month) in a 365-day program is 192 h, the ISO figure for a year."""

from __future__ import annotations

from datetime import date

import pytest

from trainctl.domain import progress as dp

D = date


@pytest.mark.parametrize(
    ("frequency", "start", "end", "periods"),
    [
        ("monthly", D(2026, 1, 5), D(2027, 1, 5), 12),  # 365 days
        ("monthly", D(2028, 1, 1), D(2028, 12, 31), 12),  # 365 days in a leap year
        ("monthly", D(2027, 1, 1), D(2028, 1, 2), 12),  # 366 days: a day over is no month
        ("monthly", D(2026, 1, 1), D(2027, 1, 16), 12),  # 15 of 31 days: under half
        ("monthly", D(2026, 1, 1), D(2027, 1, 17), 13),  # 16 of 31 days: at least half
        ("monthly", D(2028, 2, 29), D(2029, 2, 28), 12),  # Feb 29: its anniversary is Feb 28
        ("monthly", D(2028, 1, 31), D(2028, 2, 29), 1),  # 31 Jan + a month = 29 Feb (leap)
        ("monthly", D(2026, 12, 15), D(2027, 1, 15), 1),  # across a year end
        ("monthly", D(2026, 12, 1), D(2027, 3, 1), 3),  # Dec, Jan, Feb over a year end
        ("quarterly", D(2026, 11, 1), D(2027, 11, 1), 4),
        ("annual", D(2026, 1, 5), D(2027, 1, 5), 1),
        ("annual", D(2026, 7, 1), D(2028, 7, 1), 2),
        ("annual", D(2028, 2, 29), D(2030, 2, 28), 2),
        ("biennial", D(2026, 1, 1), D(2027, 1, 1), 1),  # half the cycle counts as one
        ("biennial", D(2026, 1, 1), D(2026, 6, 1), 1),  # never fewer than one
        ("biannual", D(2026, 1, 1), D(2030, 1, 1), 2),  # the spec's spelling of biennial
        ("one_time", D(2026, 1, 1), D(2027, 1, 1), 1),
        ("rolling", D(2026, 1, 1), D(2027, 1, 1), 1),
        ("monthly", D(2026, 1, 1), None, 1),  # no target date: the figure as stated
        (None, D(2026, 1, 1), D(2027, 1, 1), 1),
    ],
)
def test_periods_in_span(frequency, start, end, periods):
    assert dp.periods_in_span(frequency, start, end) == periods


def test_the_target_scales_hours_and_every_category_figure():
    t = dp.Target.from_fields(
        "hours", 16, None, None, None, None, None, None,
        [{"name": "structural_firefighting", "min_hours": 16, "distributive_max_hours": 4,
          "topics": [{"name": "ladders", "min_hours": 2}]}],
    )  # fmt: skip
    y = t.over(12)
    assert y.target_value == 192
    (c,) = y.hour_categories
    assert (c.min_hours, c.distributive_max_hours, c.topics) == (192, 48, (("ladders", 24),))
    assert t.over(1) is t
    checklist = dp.Target.from_fields("checklist", None, None, None, None, None, None, ["a", "b"], None)
    assert checklist.over(12).target_value == 2  # done once, whatever the span


def test_iso_company_training_in_a_365_day_program_is_192_hours(cli):
    cli("import", "iso")
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "F-1")
    cli("program", "create", "Company year", "--time-limit-days", "365")
    cli("program", "requirement", "add", "Company year", "Company training at stations")
    cli("program", "activate", "Company year")
    cli("--as-of", "2028-02-29", "enroll", "add", "F-1", "Company year")
    line = cli("enroll", "show", "1", "--format", "json").json["requirements"][0]
    assert (line["value"], line["target"], line["unit"]) == (0, 192, "h")
    cli("--as-of", "2028-03-02", "progress", "update", "--member", "F-1", "--requirement",
        "Company training at stations", "--add", "48")  # fmt: skip
    doc = cli("enroll", "show", "1", "--format", "json").json
    line = doc["requirements"][0]
    assert (line["value"], line["target"], line["percentage"]) == (48, 192, 25)
    assert doc["progress"] == 25
    assert line["allocation"]["categories"][0]["minimum"] == 192
    assert "48 / 192 h" in cli("enroll", "show", "1").stdout


def test_without_a_target_date_the_figure_is_the_period_s(cli):
    cli("import", "iso")
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "F-1")
    cli("program", "create", "Open-ended")
    cli("program", "requirement", "add", "Open-ended", "Company training at stations")
    cli("program", "activate", "Open-ended")
    cli("enroll", "add", "F-1", "Open-ended")
    line = cli("enroll", "show", "1", "--format", "json").json["requirements"][0]
    assert line["target"] == 16
