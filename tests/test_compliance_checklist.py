"""Checklist requirements in the compliance matrix (issue 9): the items are checked on
program progress rows (the ledger), and `report compliance`, `requirement explain` and
the evaluator read them from there, in the requirement's window, as of a date.

A check counts from its effective date (progress_credit.entered_on: the --as-of date it was
entered under, else the department's day, issue 11 #25); entered_at is the real moment it
was written, which orders checks of one day. The tests enter each check under --as-of and
move entered_at to a chosen moment with SQL on the real database.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

ITEMS = ("Medical exam", "Fitness assessment", "Vision and hearing")


@pytest.fixture
def dept(cli, db):
    cli.db = db
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org", "--position", "firefighter",
        "--hire-date", "2015-01-10")  # fmt: skip
    items = [a for i in ITEMS for a in ("--item", i)]
    cli("requirement", "add", "--name", "Annual physical", "--type", "checklist",
        "--frequency", "annual", *items)  # fmt: skip
    cli("requirement", "add", "--name", "Orientation", "--type", "checklist",
        "--item", "Medical exam", "--item", "Locker")  # fmt: skip
    cli("program", "create", "Wellness")
    cli("program", "requirement", "add", "Wellness", "Annual physical")
    cli("program", "requirement", "add", "Wellness", "Orientation")
    cli("program", "activate", "Wellness")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Wellness")
    cli("--as-of", "2025-01-02", "enroll", "add", "bo@fd.org", "Wellness")
    return cli


def enrollment(cli, email: str) -> str:
    rows = cli("enroll", "list", "--member", email, "--format", "json").json
    return str(rows[0]["id"])


def check(
    cli, email: str, requirement: str, item: str, at: str, *, un: bool = False,
    on: str | None = None,
) -> None:  # fmt: skip
    """Check (or uncheck) an item under --as-of `on` (default: the day of `at`), then move
    the new credit's time of writing to `at` (UTC, as stored)."""
    flag = "--uncheck" if un else "--check"
    cli("--as-of", on or at[:10], "progress", "update", "--enrollment", enrollment(cli, email),
        "--requirement", requirement, flag, item)  # fmt: skip
    db = cli.db
    # as each backend stores a UTC timestamp: naive UTC text on SQLite, timestamptz on PostgreSQL
    stamp = datetime.fromisoformat(at).replace(tzinfo=UTC) if db.postgres else at
    db.execute(
        "UPDATE progress_credit SET entered_at = :at "
        "WHERE id = (SELECT MAX(id) FROM progress_credit)",
        {"at": stamp},
    )


def cell(cli, email: str, requirement: str, as_of: str) -> dict:
    data = cli("report", "compliance", "--member", email, "--requirement", requirement,
               "--as-of", as_of, "--format", "json").json  # fmt: skip
    (only,) = data["cells"]
    return only


def explain(cli, email: str, requirement: str, as_of: str) -> dict:
    return cli("requirement", "explain", email, requirement, "--as-of", as_of,
               "--format", "json").json  # fmt: skip


def test_checked_items_count_in_their_window_and_the_matrix_agrees_with_explain(dept):
    for item in ITEMS:
        check(dept, "ann@fd.org", "Annual physical", item, "2025-03-01 10:00:00")
    c = cell(dept, "ann@fd.org", "Annual physical", "2025-06-01")
    assert (c["status"], c["value"], c["target"]) == ("met", 3, 3)
    assert c["good_through"] == "2025-12-31"
    e = explain(dept, "ann@fd.org", "Annual physical", "2025-06-01")
    assert e["status"] == "met" and sorted(f["code"] for f in e["facts"]) == ["counted"] * 3
    # Before the items were checked: nothing counted (as of a past date)
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-02-28")["value"] == 0
    # The next year's window starts empty: the items checked last year no longer count
    c = cell(dept, "ann@fd.org", "Annual physical", "2026-02-01")
    assert (c["value"], c["status"]) == (0, "not_yet_due")
    # Bo checked nothing: his cell is not met (and never was)
    assert cell(dept, "bo@fd.org", "Annual physical", "2025-06-01")["value"] == 0


def test_year_end_by_the_check_s_effective_date(dept):
    """Checked on 31 December (Chicago's day at 05:30 UTC on 1 January, or an --as-of):
    the check counts for 2025, whatever the UTC clock said."""
    dept("config", "set", "timezone", "America/Chicago")
    for item in ITEMS:
        check(dept, "ann@fd.org", "Annual physical", item, "2026-01-01 05:30:00", on="2025-12-31")
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-12-31")["status"] == "met"
    assert cell(dept, "ann@fd.org", "Annual physical", "2026-01-01")["value"] == 0


def test_a_check_entered_under_as_of_counts_from_that_day(dept):
    """Entered today (the real clock) under --as-of 2025-03-01: as of 15 March it is checked."""
    for item in ITEMS:
        dept("--as-of", "2025-03-01", "progress", "update", "--enrollment",
             enrollment(dept, "ann@fd.org"), "--requirement", "Annual physical", "--check", item)  # fmt: skip
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-03-15")["status"] == "met"
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-02-28")["value"] == 0


def test_an_uncheck_takes_the_item_back_from_then_on(dept):
    for item in ITEMS:
        check(dept, "ann@fd.org", "Annual physical", item, "2025-03-01 10:00:00")
    check(dept, "ann@fd.org", "Annual physical", "Vision and hearing", "2025-04-01 10:00:00", un=True)
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-03-15")["status"] == "met"
    c = cell(dept, "ann@fd.org", "Annual physical", "2025-04-15")
    assert (c["value"], c["status"]) == (2, "overdue")  # 2024 closed short too
    check(dept, "ann@fd.org", "Annual physical", "Vision and hearing", "2025-05-01 10:00:00")
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-05-02")["status"] == "met"


def test_an_uncheck_dated_before_the_check_is_refused(dept, snapshot):
    """Checked on 1 May, unchecked "as of" 1 March: accepted, the ledger netted it to 0 of
    3 while compliance, replaying by date, still counted the check (1 of 3), and a second
    uncheck was refused as "not checked": the two disagreed for good. Refused, nothing
    written; unchecked on or after the check's day it is taken back in both."""
    check(dept, "ann@fd.org", "Annual physical", "Medical exam", "2025-05-01 10:00:00")
    before = snapshot()
    r = dept("--as-of", "2025-03-01", "progress", "update", "--enrollment", enrollment(dept, "ann@fd.org"),
             "--requirement", "Annual physical", "--uncheck", "Medical exam", ok=False)  # fmt: skip
    assert r.exit_code == 1, r
    assert "checked for 'Annual physical' on 2025-05-01, after 2025-03-01: an uncheck cannot be dated" in " ".join(
        r.stderr.split())  # fmt: skip
    assert snapshot() == before
    check(dept, "ann@fd.org", "Annual physical", "Medical exam", "2025-05-02 10:00:00", un=True)
    rows = dept("enroll", "show", enrollment(dept, "ann@fd.org"), "--format", "json").json["requirements"]
    assert next(r["value"] for r in rows if r["requirement"] == "Annual physical") == 0
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-06-01")["value"] == 0


def test_an_item_of_the_same_name_on_another_checklist_is_not_this_ones(dept):
    check(dept, "ann@fd.org", "Orientation", "Medical exam", "2025-03-01 10:00:00")
    c = cell(dept, "ann@fd.org", "Annual physical", "2025-06-01")
    assert c["value"] == 0
    e = explain(dept, "ann@fd.org", "Annual physical", "2025-06-01")
    assert [f["code"] for f in e["facts"]] == ["wrong_item"]
    c = cell(dept, "ann@fd.org", "Orientation", "2025-06-01")
    assert (c["value"], c["target"]) == (1, 2)


def test_pending_self_reported_checks_do_not_count(dept, db):
    for item in ITEMS:
        check(dept, "ann@fd.org", "Annual physical", item, "2025-03-01 10:00:00")
    db.execute("UPDATE progress_credit SET state = 'pending'")
    assert cell(dept, "ann@fd.org", "Annual physical", "2025-06-01")["value"] == 0


def test_a_self_reported_check_counts_from_its_verification_as_of_a_date(dept):
    """A member's self-reported check counts once an officer verifies it: a report as of a
    day between the check and the verification answers as it did then (0), and after it
    the item counts, dated the day it was checked (issue 9, "as of any date")."""
    dept("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    dept("progress", "self-reporting", "on")
    dept("--as-of", "2025-03-01", "--as", "ann@fd.org", "progress", "update", "--member", "ann@fd.org",
         "--requirement", "Annual physical", "--check", "Medical exam")  # fmt: skip
    dept("--as-of", "2025-03-10", "--as", "olive@fd.org", "progress", "update", "--member", "ann@fd.org",
         "--requirement", "Annual physical", "--verify")  # fmt: skip
    for day, want in (("2025-03-05", 0), ("2025-03-10", 1), ("2025-12-31", 1)):
        assert cell(dept, "ann@fd.org", "Annual physical", day)["value"] == want, day
        assert explain(dept, "ann@fd.org", "Annual physical", day)["value"] == want, day


def test_a_time_limit_runs_from_the_day_the_requirement_was_entered_when_that_is_later(cli):
    """'Within 30 days' entered today is not 300 days overdue for a member hired in
    January: its time limit runs from its entry day (the real day it was written), as a
    program enrolling them today says; a report of a day before the entry replays it from
    the hire date (review). The matrix and explain agree."""
    from datetime import date, timedelta

    cli("member", "add", "Pat Roe", "--email", "pat@fd.org", "--hire-date", "2026-01-05")
    cli("requirement", "add", "--name", "Station orientation", "--type", "checklist", "--item", "Tour",
        "--time-limit-days", "30")  # fmt: skip
    report = cli("--format", "json", "report", "compliance").json
    entered = date.fromisoformat(report["as_of"])  # (no --as-of: today, the entry day)
    got = cli("--format", "json", "requirement", "explain", "pat@fd.org", "Station orientation").json
    assert (got["status"], got["due"]) == ("due_soon", str(entered + timedelta(days=30))), got
    text = cli("requirement", "explain", "pat@fd.org", "Station orientation").stdout
    assert f"due 30 days from {entered}, the day the requirement was entered" in text, text
    assert [(c["status"], c["due"]) for c in report["cells"]] == [("due_soon", got["due"])], report
    then = cli("--as-of", "2026-11-01", "--format", "json", "requirement", "explain", "pat@fd.org",
               "Station orientation").json  # fmt: skip
    assert (then["status"], then["due"]) == ("overdue", "2026-02-04"), then
