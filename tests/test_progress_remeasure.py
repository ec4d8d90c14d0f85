"""A requirement's target changes (`requirement edit`): every progress row linked to it is
re-measured and its enrollment rolled up, so status never disagrees with value / target."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def show(cli, eid: int) -> dict:
    return cli("--format", "json", "enroll", "show", str(eid)).json


def req_row(cli, eid: int, name: str) -> dict:
    return next(r for r in show(cli, eid)["requirements"] if r["requirement"] == name)


def test_raising_and_lowering_a_target_remeasures_rows_and_rollups(cli, dept):
    ann, bob = dept.member("Ann Lee"), dept.member("Bob Ray")
    shifts = dept.requirement("Shifts3", "shifts", required_shifts=4)
    check = dept.requirement("Check2", "checklist", checklist_items=["A", "B"])
    recruit = dept.program("Recruit")
    dept.link(recruit, shifts)
    dept.link(recruit, check)
    driver = dept.program("Driver")
    dept.link(driver, shifts)  # the same requirement in a second program
    cli("enroll", "add", str(ann), "Recruit")  # enrollment 1: progress 1 (shifts), 2 (check)
    cli("enroll", "add", str(bob), "Driver")  # enrollment 2: progress 3 (shifts)
    cli("progress", "update", "1", "--set", "4")
    cli("progress", "update", "2", "--check", "A")
    cli("progress", "update", "2", "--check", "B")
    cli("progress", "update", "3", "--set", "2")
    assert show(cli, 1)["status"] == "completed"

    # target up: the completed row and its enrollment reopen (no "completed below 100%"),
    # and the officer is told which
    r = cli("requirement", "edit", "Shifts3", "--shifts", "10")
    assert "Reopened 1 completed enrollment (1): 'Shifts3', as edited, is not met yet" in r.stderr
    r = req_row(cli, 1, "Shifts3")
    assert (r["value"], r["target"], r["percentage"], r["status"]) == (4, 10, 40, "in_progress")
    e = show(cli, 1)
    assert (e["status"], e["progress"], e["completed_at"]) == ("active", 70.0, None)
    r = req_row(cli, 2, "Shifts3")  # the other program's row too
    assert (r["value"], r["percentage"], r["status"]) == (2, 20, "in_progress")
    assert show(cli, 2)["progress"] == 20.0

    # target down: rows complete, and so does the enrollment
    r = cli("requirement", "edit", "Shifts3", "--shifts", "2")
    assert "Completed 2 enrollments (1, 2): 'Shifts3', as edited, is met." in r.stderr
    assert "Reopened" not in r.stderr
    r = req_row(cli, 1, "Shifts3")
    assert (r["percentage"], r["status"]) == (100, "completed")
    assert (show(cli, 1)["status"], show(cli, 1)["progress"]) == ("completed", 100.0)
    assert show(cli, 2)["status"] == "completed"

    # checklist items replaced: what was checked no longer counts
    cli("requirement", "edit", "Check2", "--item", "C")
    r = req_row(cli, 1, "Check2")
    assert (r["value"], r["target"], r["percentage"], r["status"]) == (0, 1, 0, "not_started")
    assert (show(cli, 1)["status"], show(cli, 1)["progress"]) == ("active", 50.0)
    cli("progress", "update", "2", "--check", "C")
    assert show(cli, 1)["status"] == "completed"


def test_an_override_survives_a_target_change(cli, dept):
    ann = dept.member("Ann Lee")
    _, (rid,) = dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--add", "2")
    cli("progress", "update", "1", "--waive", "--reason", "prior service")
    cli("requirement", "edit", str(rid), "--hours", "50")
    r = req_row(cli, 1, "Recruit hours 1")
    assert (r["value"], r["status"], r["percentage"]) == (2, "waived", 100)
    assert show(cli, 1)["status"] == "completed"


def test_lowering_a_phase_target_advances_the_phase_and_fires_milestones(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1, p2 = dept.phase(pid, 1, "Orientation"), dept.phase(pid, 2, "Skills")
    h1 = dept.requirement("H1", "hours", required_hours=10)
    dept.link(pid, h1, phase_id=p1)
    dept.link(pid, dept.requirement("H2", "hours"), phase_id=p2)
    dept.milestone(pid, "Half", 50)
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--set", "6")
    cli("requirement", "edit", "H1", "--hours", "5")
    e = show(cli, 1)
    assert (e["current_phase"], e["progress"]) == ("2. Skills", 50.0)
    states = {m["milestone"]: m["state"] for m in e["milestones"]}
    assert states == {"Half": "reached"}


def test_a_name_only_edit_changes_no_progress(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--add", "3")
    before = {t: rows for t, rows in snapshot() if t in ("requirement_progress", "enrollment")}
    cli("requirement", "edit", "1", "--description", "Live drills")
    after = {t: rows for t, rows in snapshot() if t in ("requirement_progress", "enrollment")}
    assert after == before


def test_edit_names_the_moves_left_once_what_counts_is_recredited(cli):
    """A new target and a new rule of what counts, in one edit: the enrollments named are
    those completed or reopened once both have run (the re-credit after the new target
    can undo its moves), and a counts-only edit names the ones it completes."""
    day = ("--as-of", "2025-03-01")
    cli(*day, "requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--counts-type", "drill")  # fmt: skip
    cli(*day, "requirement", "add", "--name", "Other hours", "--type", "hours", "--hours", "2",
        "--counts-type", "class")  # fmt: skip
    cli(*day, "program", "create", "P", "--structure", "flexible")
    for name in ("Drill hours", "Other hours"):
        cli(*day, "program", "requirement", "add", "P", name)
    cli(*day, "program", "activate", "P")
    for b in "ABC":
        cli(*day, "member", "add", f"M{b}", "-e", f"m{b}@x.org", "-b", b, "--hire-date", "2020-01-01")
        cli(*day, "enroll", "add", b, "P")
    rec = (*day, "record", "add", "--date", "2025-03-01", "--members")
    cli(*rec, "A,B", "--course", "D1", "--type", "drill", "--hours", "3")
    cli(*rec, "A,B,C", "--course", "C1", "--type", "class", "--hours", "2")
    cli(*rec, "C", "--course", "D2", "--type", "drill", "--hours", "4")
    statuses = lambda: [e["status"] for e in cli("-f", "json", "enroll", "list").json]  # noqa: E731
    assert statuses() == ["active", "active", "completed"]

    # 3 h of class: the 3 h drill of A and B would meet the new target alone, but drill
    # no longer counts; C's 2 h of class do not meet it either
    r = cli(*day, "requirement", "edit", "Drill hours", "--hours", "3", "--counts-type", "class")
    assert statuses() == ["active", "active", "active"]
    assert "Completed" not in r.stderr, r
    assert "Reopened 1 completed enrollment (3): 'Drill hours', as edited, is not met yet" in r.stderr, r

    # drill counts again, beside class: A, B (3 + 2 h) and C (4 + 2 h) all meet 3 h
    r = cli(*day, "requirement", "edit", "Drill hours", "--counts-type", "drill", "--counts-type", "class")
    assert statuses() == ["completed", "completed", "completed"]
    assert "Completed 3 enrollments (1, 2, 3): 'Drill hours', as edited, is met." in r.stderr, r
