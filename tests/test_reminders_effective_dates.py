"""Reminders judge quiet stretches and milestones by effective dates (issue 11 #25): the
day a credit or a milestone was entered for (the department's day, or the --as-of date it
was entered under), never the real time it was written. Feb 29 and year ends included."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept

ZOE = "zoe@fd.example"


def due(cli, as_of: str) -> list[tuple[str, str, str]]:
    got = cli("--format", "json", "reminders", "preview", "--as-of", as_of).json
    return sorted((d["kind"], d["threshold"], d["since"]) for d in got)


@pytest.fixture
def quiet(db_url: str) -> Dept:
    """A program that only watches for no progress in 10 days (no deadlines), with a 50%
    milestone: 'Live fire' 10 h is the only requirement."""
    d = Dept(db_url)
    d.member("Zoë Núñez", email=ZOE)
    pid = d.program("Academy", reminder_conditions={"inactive_days": 10})
    d.link(pid, d.requirement("Live fire", "hours", required_hours=10))
    d.milestone(pid, "Halfway", 50, message="Keep going!")
    return d


def test_no_progress_counts_from_the_day_a_credit_was_entered_for_feb_29(cli, quiet):
    cli("--as-of", "2028-02-01", "enroll", "add", ZOE, "Academy")
    # written today (real time), entered for Feb 29 2028: that is the last activity
    cli("--as-of", "2028-02-29", "progress", "update", "--member", ZOE,
        "--requirement", "Live fire", "--add", "2")  # fmt: skip
    # 10 days from Feb 29 is Mar 10 (leap year): quiet on Mar 10, not on Mar 9
    assert due(cli, "2028-03-09") == []
    assert due(cli, "2028-03-10") == [("inactive", "since:2028-02-29", "2028-03-10")]
    # a later entry starts a new stretch, from its own date
    cli("--as-of", "2028-03-12", "progress", "update", "--member", ZOE,
        "--requirement", "Live fire", "--add", "1")  # fmt: skip
    assert due(cli, "2028-03-21") == []
    assert due(cli, "2028-03-22") == [("inactive", "since:2028-03-12", "2028-03-22")]


def test_no_progress_across_the_year_end(cli, quiet):
    cli("--as-of", "2026-12-01", "enroll", "add", ZOE, "Academy")
    cli("--as-of", "2026-12-31", "progress", "update", "--member", ZOE,
        "--requirement", "Live fire", "--add", "1")  # fmt: skip
    assert due(cli, "2027-01-09") == []
    assert due(cli, "2027-01-10") == [("inactive", "since:2026-12-31", "2027-01-10")]
    # caught up for FRESH_DAYS (30) after the stretch came due, then stale
    assert due(cli, "2027-02-08") == [("inactive", "since:2026-12-31", "2027-01-10")]
    assert due(cli, "2027-02-09") == []
    # an entry dated after the as-of day is activity too: nothing is quiet before it
    assert due(cli, "2026-12-20") == []


def test_a_milestone_is_announced_from_the_day_it_was_reached_for(cli, quiet):
    cli("--as-of", "2026-12-01", "enroll", "add", ZOE, "Academy")
    cli("--as-of", "2026-12-31", "progress", "update", "--member", ZOE,
        "--requirement", "Live fire", "--add", "5")  # fmt: skip
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2027-01-01").json
    ms = [d for d in got if d["kind"] == "milestone"]
    assert [(d["since"], d["subject"]) for d in ms] == [
        ("2026-12-31", "Milestone reached: Halfway (Academy)")
    ]
    assert "reached 2026-12-31" in ms[0]["why"]
    # news for 30 days from Dec 31 (through Jan 29), not before it was reached
    assert ("milestone", "reached", "2026-12-31") in due(cli, "2027-01-29")
    assert "milestone" not in {k for k, _, _ in due(cli, "2027-01-30")}
    assert "milestone" not in {k for k, _, _ in due(cli, "2026-12-30")}


def test_a_milestone_reached_on_feb_29_is_sent_once(cli, quiet, tmp_path):
    cli("--as-of", "2028-02-01", "enroll", "add", ZOE, "Academy")
    cli("--as-of", "2028-02-29", "progress", "update", "--member", ZOE,
        "--requirement", "Live fire", "--add", "5")  # fmt: skip
    assert ("milestone", "reached", "2028-02-29") in due(cli, "2028-03-01")
    cli("reminders", "send", "--as-of", "2028-03-01", "--transport", "file", str(tmp_path / "out"))
    assert "milestone" not in {k for k, _, _ in due(cli, "2028-03-02")}
