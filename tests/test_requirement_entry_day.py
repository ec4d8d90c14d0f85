"""A requirement entered inside a window is owed from the next month's first day, by the
"part of a window" rule that holds a member who comes under a requirement by a positions
edit (domain.compliance.months_owed_in, `owes_of`, `prorated`: one rule).

An annual 12 h requirement added on 2026-12-05 made everyone *overdue* on 1 January 2027
for the whole of 2026's 12 h, though it existed for 26 days of it (the `unasked` excuse
covered only windows that closed before the entry). Now: entered 5 December, 0 of 12
months, not owed for 2026; entered 10 March, April to December, 9 of 12 months, 9 h; a
list is owed whole when more than half of the months remain. A registry's entry (NFPA,
ISO, NREMT: a standard in force before it was imported) keeps its window whole. A report
of a day before the entry judges as if it had been entered long before (the replay rule
of `unasked` windows)."""

from __future__ import annotations

import pytest

HOURS = ("--type", "hours", "--hours", "12", "--counts-category", "hazmat")


@pytest.fixture
def ann(cli):
    cli("--as-of", "2015-01-01", "member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "A1",
        "--position", "firefighter", "--hire-date", "2015-01-01")  # fmt: skip
    return cli


def add(cli, day: str, name: str, *args: str) -> None:
    cli("--as-of", day, "requirement", "add", "--name", name, *args)


def record(cli, day: str, hours: float) -> None:
    cli("--as-of", day, "record", "add", "A1", "--course", "Hazmat drill", "--date", day,
        "--hours", str(hours), "--type", "drill", "--category", "hazmat")  # fmt: skip


def cell(cli, name: str, day: str) -> dict:
    data = cli(
        "--as-of", day, "--format", "json", "report", "compliance", "--requirement", name
    ).json
    (only,) = data["cells"]
    return only


def explain(cli, name: str, day: str) -> str:
    return " ".join(cli("--as-of", day, "requirement", "explain", "A1", name).stdout.split())


def test_an_annual_requirement_entered_on_5_december_is_owed_from_1_january(ann):
    cli = ann
    add(cli, "2026-12-05", "Hazmat", *HOURS, "--frequency", "annual")
    now = cell(cli, "Hazmat", "2026-12-10")
    assert (now["status"], now["months_owed"]) == ("not_yet_due", "0 of 12"), now
    assert now["reason"] == (
        "not owed: the requirement was entered on 2026-12-05, after this window's last month "
        "began; the next window, from 2027-01-01, is owed"
    ), now
    assert "owed from the next window: the requirement was entered on 2026-12-05" in explain(
        cli, "Hazmat", "2026-12-10"
    )
    # 2026 closed with nothing done: not held against her in 2027 (it was: overdue, 0 of 12 h)
    then = cell(cli, "Hazmat", "2027-01-01")
    assert then["status"] == "not_yet_due", then
    why = explain(cli, "Hazmat", "2027-01-01")
    assert ("owed 0 of the previous window's 12 months (2026-01-01 – 2026-12-31; the requirement "
            "was entered on 2026-12-05): it is not held against the member") in why, why  # fmt: skip
    summary = cli("--as-of", "2027-01-01", "--format", "json", "report", "compliance").json[
        "summary"
    ]
    assert summary[0]["overdue"] == 0, summary
    # a report of a day before the entry judges as if it had been entered long before (the
    # replay rule of README "Reminders"): the whole year, and 2025 closed short
    replay = cell(cli, "Hazmat", "2026-12-01")
    assert (replay["status"], replay["target"], replay["months_owed"]) == ("overdue", 12, None), (
        replay
    )


def test_an_annual_requirement_entered_on_10_march_is_owed_9_of_12_months(ann):
    cli = ann
    add(cli, "2026-03-10", "Hazmat", *HOURS, "--frequency", "annual")
    now = cell(cli, "Hazmat", "2026-03-12")
    assert (now["status"], now["target"], now["months_owed"]) == ("not_yet_due", 9, "9 of 12"), now
    why = explain(cli, "Hazmat", "2026-03-12")
    assert ("owed from 2026-04-01, the month after the requirement was entered (2026-03-10): "
            "9 of 12 months, 9 of 12 h") in why, why  # fmt: skip
    # the share counts from the entry day, as a position's share counts from its day
    record(cli, "2026-02-01", 4)
    record(cli, "2026-06-01", 8)
    closed = cell(cli, "Hazmat", "2027-01-05")
    assert closed["status"] == "overdue", closed
    assert "closed at 8 of 9 h" in closed["reason"], closed
    record(cli, "2026-11-01", 1)
    assert cell(cli, "Hazmat", "2027-01-05")["status"] == "not_yet_due"
    assert cell(cli, "Hazmat", "2026-12-31")["status"] == "met"
    # report compliance agrees with explain: the year's figure, from the same evaluator
    year = cli("--as-of", "2026-12-31", "--format", "json", "report", "compliance").json["cells"][0]
    assert (year["value"], year["target"], year["months_owed"]) == (9, 9, "9 of 12"), year


def test_a_list_entered_in_march_is_owed_whole_and_one_entered_in_august_not(ann):
    cli = ann
    items = ("--type", "checklist", "--item", "Pump", "--item", "Valves", "--frequency", "annual")
    add(cli, "2026-03-10", "Pump checks", *items)
    add(cli, "2026-08-10", "Hose checks", *items)
    march, august = cell(cli, "Pump checks", "2026-12-10"), cell(cli, "Hose checks", "2026-12-10")
    assert (march["status"], march["target"], march["months_owed"]) == ("due_soon", 2, "9 of 12"), (
        march
    )
    assert (august["status"], august["months_owed"]) == ("not_yet_due", "4 of 12"), august


def test_a_requirement_entered_on_1_january_is_owed_the_whole_year(ann):
    cli = ann
    add(cli, "2026-01-01", "Hazmat", *HOURS, "--frequency", "annual")
    now = cell(cli, "Hazmat", "2026-03-12")
    assert (now["status"], now["target"], now["months_owed"]) == ("not_yet_due", 12, None), now
    assert "owed from" not in explain(cli, "Hazmat", "2026-03-12")
    assert cell(cli, "Hazmat", "2027-01-01")["status"] == "overdue"


def test_a_requirement_entered_on_29_february_is_owed_from_1_march(ann):
    cli = ann
    add(cli, "2028-02-29", "Hazmat", *HOURS, "--frequency", "annual")
    now = cell(cli, "Hazmat", "2028-02-29")
    assert (now["status"], now["target"], now["months_owed"]) == ("not_yet_due", 10, "10 of 12"), (
        now
    )
    assert ("owed from 2028-03-01, the month after the requirement was entered (2028-02-29): "
            "10 of 12 months, 10 of 12 h") in explain(cli, "Hazmat", "2028-02-29")  # fmt: skip


def test_a_monthly_requirement_entered_mid_month_is_owed_from_the_next_month(ann):
    cli = ann
    add(cli, "2026-03-10", "Company hours", "--type", "hours", "--hours", "4",
        "--counts-category", "hazmat", "--frequency", "monthly")  # fmt: skip
    now = cell(cli, "Company hours", "2026-03-20")
    assert (now["status"], now["months_owed"]) == ("not_yet_due", "0 of 1"), now
    assert now["reason"] == (
        "not owed: the requirement was entered on 2026-03-10, after this window began "
        "(2026-03-01); the next window, from 2026-04-01, is owed"
    ), now
    # March closed with nothing: not held in April (it was: overdue); April is owed
    april = cell(cli, "Company hours", "2026-04-02")
    assert (april["status"], april["months_owed"]) == ("due_soon", None), april
    assert cell(cli, "Company hours", "2026-05-02")["status"] == "overdue"  # April closed short
    # the year: April to December owed, 9 months (36 h)
    data = cli("--as-of", "2026-12-31", "--format", "json", "requirement", "explain", "A1",
               "Company hours").json  # fmt: skip
    year = next(line for line in data["lines"] if line.startswith("Year "))
    assert "0 of 36 h" in year and "(4 h x 9 months owed of 12 begun)" in year, year


def test_a_one_time_requirement_keeps_its_time_limit_rule(ann):
    """Unchanged: a one-time time limit runs from the entry day when that is after the
    hire (README "Windows include both end days")."""
    cli = ann
    add(cli, "2026-03-10", "EVOC", "--type", "hours", "--hours", "8", "--counts-category", "hazmat",
        "--time-limit-days", "30")  # fmt: skip
    now = cell(cli, "EVOC", "2026-03-12")
    assert (now["status"], now["due"], now["months_owed"]) == ("due_soon", "2026-04-09", None), now
    assert cell(cli, "EVOC", "2026-04-10")["status"] == "overdue"


def test_a_registry_entry_imported_mid_year_is_owed_whole(ann):
    """A registry's entry is a standard in force before the import: the import's day is
    when trainctl learned of it. Its window is owed whole (ISO's year as the grader counts
    it); a window that closed before the import is held against nobody, as before."""
    cli = ann
    cli("--as-of", "2026-06-10", "import", "iso")
    now = cell(cli, "ISO-FACILITY", "2026-06-10")
    assert (now["target"], now["months_owed"]) == (18, None), now
    assert cell(cli, "ISO-FACILITY", "2027-01-05")["status"] == "overdue"


def test_a_registry_year_imported_in_december_says_its_earlier_months_count(ann):
    """Review: ISO company training imported on 1 December. `requirement explain` said the
    November window "is not held against the member" and then listed January to November
    "(short)" under a year owed 192 h: both by their rules (the status judges the month;
    the registry's year is owed whole), read by a chief as a contradiction. The year
    says which it is; a department's own monthly requirement (owed from its entry, not
    whole) and a year begun before the import do not get the line."""
    cli = ann
    cli("--as-of", "2026-12-01", "import", "iso")
    said = explain(cli, "ISO-COMPANY", "2026-12-20")
    assert "is not held against the member" in said, said
    assert ("The year is the registry's and owed whole, its months before the requirement was "
            "entered (2026-12-01) included; the status judges the current month alone") in said, said
    assert "owed whole" not in explain(cli, "ISO-COMPANY", "2027-02-10")
    add(cli, "2026-12-01", "Monthly hazmat", "--type", "hours", "--hours", "2", "--counts-category",
        "hazmat", "--frequency", "monthly")  # fmt: skip
    assert "owed whole" not in explain(cli, "Monthly hazmat", "2026-12-20")


@pytest.mark.parametrize(
    ("frequency", "entered", "begun"),
    [("quarterly", "2026-11-30", "2026-10-01"), ("monthly", "2026-03-10", "2026-03-01")],
)
def test_a_quarterly_or_monthly_window_entered_late_is_explained_as_the_report_says(
    ann, frequency, entered, begun
):
    """A quarterly 6 h entered on 30 November: `requirement explain` said "entered on
    2026-11-30, after this window's last month began (0 of 1 month, none of it)", though
    December, the quarter's last month, had not begun; the report's reason said rightly
    "after this window began (2026-10-01)". Both say the quarter (month) had begun."""
    cli = ann
    add(cli, entered, "EMS CE", *HOURS, "--frequency", frequency)
    day = "2026-12-04" if frequency == "quarterly" else "2026-03-15"
    now = cell(cli, "EMS CE", day)
    assert now["reason"].startswith(
        f"not owed: the requirement was entered on {entered}, after this window began ({begun})"
    ), now
    why = explain(cli, "EMS CE", day)
    assert (f"owed from the next window: the requirement was entered on {entered}, after this "
            f"window began ({begun})") in why, why  # fmt: skip
    assert "last month began" not in why and "0 of 1 month" not in why, why


def test_requirement_add_says_what_a_requirement_entered_inside_its_window_is_owed(ann):
    """A training officer installing trainctl on 30 November added an annual 12 h wildland
    requirement and read only "Added requirement 1": the report then held everyone to 1 h
    of 2026 (1 of 12 months), and the entry day is never moved back. `requirement add`
    says so at once, in `requirement explain`'s words, with how a requirement is held to
    the whole window; nothing is said when the whole window is owed, nor for a
    registry-like window of the member's own (a hire anniversary)."""
    cli = ann
    r = cli("--as-of", "2026-11-30", "requirement", "add", "--name", "Wildland hours", *HOURS,
            "--frequency", "annual")  # fmt: skip
    said = " ".join(r.stderr.split())
    assert ("Note: Wildland hours is owed from 2026-12-01, the month after the requirement was entered "
            "(2026-11-30): 1 of 12 months, 1 of 12 h, as the reports judge it. A requirement added as of "
            "its window's first day holds members to the whole window (`trainctl --as-of 2026-01-01 "
            "requirement add --name 'Wildland hours' ...`).") in said, r  # fmt: skip
    assert "owed from 2026-12-01, the month after the requirement was entered (2026-11-30): 1 of 12 months, " \
        "1 of 12 h" in explain(cli, "Wildland hours", "2026-12-04")  # the same words
    r = cli("--as-of", "2026-11-30", "requirement", "add", "--name", "EMS CE", *HOURS, "--frequency", "quarterly")
    assert ("EMS CE is owed from the next window: the requirement was entered on 2026-11-30, after this "
            "window began (2026-10-01), as the reports judge it") in " ".join(r.stderr.split()), r  # fmt: skip
    for name, day, more in (("Whole", "2026-01-01", ("--frequency", "annual")),
                            ("Anniversary", "2026-03-10", ("--frequency", "annual", "--anchor", "hire_date")),
                            ("Once", "2026-03-10", ())):  # fmt: skip
        r = cli("--as-of", day, "requirement", "add", "--name", name, *HOURS, *more)
        assert "Note:" not in r.stderr, (name, r)
    assert "Note:" not in cli("--as-of", "2026-11-30", "--quiet", "requirement", "add", "--name", "Quiet",
                              *HOURS, "--frequency", "annual").stderr  # fmt: skip
