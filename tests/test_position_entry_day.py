"""The entry-day policy for a requirement that reaches a member by a positions edit: a
firefighter of ten years made driver on 2026-03-10 (`member edit --add-position driver
--effective 2026-03-10`), with three driver requirements entered on 1 January.

- an annual figure (12 h) is owed month by month from the next month's first day: April
  to December, 9 of 12 months, 9 h ("not yet due" until the year ends short);
- an annual list (a checklist) cannot be shared out: 9 of 12 months is more than half,
  owed whole;
- a one-time requirement with a time limit (EVOC, 90 days) runs from the day the member
  came to hold the position: due 2026-06-08. It ran from the requirement's entry day
  (2026-04-01, 22 days after the promotion), and a requirement entered years before the
  promotion was overdue on the day of it."""

from __future__ import annotations

import pytest


@pytest.fixture
def driver(cli):
    cli("--as-of", "2026-01-01", "member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "A1",
        "--position", "firefighter", "--hire-date", "2015-01-01")  # fmt: skip
    hours = ("--counts-category", "driver")
    for args in (("--name", "Driver hours", "--type", "hours", "--hours", "12", "--frequency", "annual", *hours),
                 ("--name", "EVOC", "--type", "hours", "--hours", "8", "--time-limit-days", "90", *hours),
                 ("--name", "Pump checks", "--type", "checklist", "--item", "Pump", "--item", "Valves",
                  "--frequency", "annual")):  # fmt: skip
        cli("--as-of", "2026-01-01", "requirement", "add", *args, "--position", "driver")
    cli("--as-of", "2026-03-12", "member", "edit", "A1", "--add-position", "driver", "--effective", "2026-03-10")
    return cli


def _cells(cli, day: str) -> dict[str, dict]:
    report = cli("--as-of", day, "--format", "json", "report", "compliance").json
    return {c["requirement"]: c for c in report["cells"]}


def test_a_member_made_driver_owes_the_driver_requirements_from_that_day(driver):
    cli = driver
    before = _cells(cli, "2026-03-09")
    assert {c["status"] for c in before.values()} == {"not_applicable"}
    cells = _cells(cli, "2026-03-10")
    hours, evoc, checks = cells["Driver hours"], cells["EVOC"], cells["Pump checks"]
    assert (hours["status"], hours["target"], hours["months_owed"]) == ("not_yet_due", 9, "9 of 12"), hours
    assert (checks["status"], checks["target"], checks["months_owed"]) == ("not_yet_due", 2, "9 of 12"), checks
    assert (evoc["status"], evoc["due"]) == ("not_yet_due", "2026-06-08"), evoc
    text = cli("--as-of", "2026-03-12", "requirement", "explain", "A1", "EVOC").stdout
    assert "due 90 days from 2026-03-10, the day the member came to hold driver" in " ".join(text.split()), text
    # due soon on its last day, overdue the day after; the year closes short: overdue then
    assert _cells(cli, "2026-06-08")["EVOC"]["status"] == "due_soon"
    assert _cells(cli, "2026-06-09")["EVOC"]["status"] == "overdue"
    assert _cells(cli, "2027-01-01")["Driver hours"]["status"] == "overdue"


def test_a_requirement_entered_long_before_the_promotion_is_not_overdue_on_its_day(cli):
    """EVOC entered in 2020: for a member made driver in 2026 it ran from the hire date
    (or its entry day), overdue on the day of the promotion."""
    cli("--as-of", "2020-01-01", "member", "add", "Bo Diaz", "--email", "bo@fd.org", "--badge", "B1",
        "--position", "firefighter", "--hire-date", "2015-01-01")  # fmt: skip
    cli("--as-of", "2020-01-01", "requirement", "add", "--name", "EVOC", "--type", "hours", "--hours", "8",
        "--time-limit-days", "90", "--position", "driver", "--counts-category", "driver")  # fmt: skip
    cli("--as-of", "2026-03-10", "member", "edit", "B1", "--add-position", "driver", "--effective", "2026-03-10")
    evoc = _cells(cli, "2026-03-10")["EVOC"]
    assert (evoc["status"], evoc["due"]) == ("not_yet_due", "2026-06-08"), evoc
    # a driver from the first day on file keeps the hire-date rule (and the entry day's)
    cli("--as-of", "2020-01-01", "member", "add", "Cy Dunn", "--email", "cy@fd.org", "--badge", "C1",
        "--position", "driver", "--hire-date", "2015-01-01")  # fmt: skip
    report = cli("--as-of", "2026-03-10", "--format", "json", "report", "compliance", "--member", "C1").json
    (cy,) = [c for c in report["cells"] if c["requirement"] == "EVOC"]
    assert (cy["status"], cy["due"]) == ("overdue", "2020-03-31"), cy
