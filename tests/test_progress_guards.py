"""Progress refusals found in review: absurd amounts, closed and held enrollments,
milestones without verification, permission before lookup, out-of-order overrides, and
the wording of messages."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def show(cli, eid: int = 1) -> dict:
    return cli("--format", "json", "enroll", "show", str(eid)).json


# ------------------------------------------------------------------------------ amounts
@pytest.mark.parametrize(
    ("args", "message"),
    [
        # refused as typed by the option's parser (cli/options.amount), never "got inf"
        (("--add", "inf"), "--add inf: not a number from -100,000 to 100,000"),
        (("--add", "-inf"), "--add -inf: not a number from -100,000 to 100,000"),
        (("--add", "nan"), "--add nan: not a number from -100,000 to 100,000"),
        (("--set", "nan"), "--set nan: not a number from -100,000 to 100,000"),
        (("--set", "1e308"), "--set 1e308: not a number from -100,000 to 100,000"),
        (("--add", "1e400"), "--add 1e400: not a number from -100,000 to 100,000"),
        (("--add", "100001"), "--add 100001: not a number from -100,000 to 100,000"),
        (("--add", "-1e9"), "--add -1e9: not a number from -100,000 to 100,000"),
    ],
)
def test_non_finite_and_absurd_hours_are_bad_input(cli, dept, snapshot, args, message):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--add", "3")
    before = snapshot()
    r = cli("progress", "update", "1", *args, ok=False)
    assert r.exit_code == 65, r
    assert message in r.stderr and "Hint:" in r.stderr and "Traceback" not in r.stderr
    assert snapshot() == before


def test_the_total_is_bounded_too(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--set", "100000")  # the bound itself is accepted
    before = snapshot()
    r = cli("progress", "update", "1", "--add", "1", ok=False)
    assert r.exit_code == 65 and "one progress row holds at most 100000" in r.stderr
    assert snapshot() == before


@pytest.mark.parametrize("args", [("--add", "nan"), ("--add", "1.5"), ("--set", "2.5")])
def test_shifts_and_calls_are_whole_finite_numbers(cli, dept, snapshot, args):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "shifts", "calls")
    cli("enroll", "add", str(ann), "Recruit")
    before = snapshot()
    for progress in ("1", "2"):
        r = cli("progress", "update", progress, *args, ok=False)
        assert r.exit_code == 65 and "Traceback" not in r.stderr
        if args[1] != "nan":
            assert "in whole numbers" in r.stderr and "Give a whole number" in r.stderr
    assert snapshot() == before
    cli("progress", "update", "1", "--add", "2.0")  # 2.0 is a whole number


# ----------------------------------------------------------------- held, closed enrollments
@pytest.mark.parametrize(
    "args",
    [
        ("--add", "1"),
        ("--waive", "--reason", "x"),
        ("--status", "completed"),
        ("--status", "auto"),
        ("--verify",),
    ],
)
def test_on_hold_takes_no_credit_overrides_or_verification(cli, dept, snapshot, args):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("enroll", "hold", "1")
    before = snapshot()
    r = cli("progress", "update", "1", *args, ok=False)
    assert r.exit_code == 1
    assert "Enrollment 1 is on hold" in r.stderr and "`trainctl enroll resume 1`" in r.stderr
    assert snapshot() == before
    cli("progress", "update", "1", "--note", "called about leave")  # a note is fine


@pytest.mark.parametrize("action", ["withdraw", "fail"])
@pytest.mark.parametrize(
    "args", [("--add", "1"), ("--waive", "--reason", "x"), ("--status", "completed")]
)
def test_withdrawn_and_failed_enrollments_are_closed(cli, dept, snapshot, action, args):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("enroll", action, "1")
    before = snapshot()
    r = cli("progress", "update", "1", *args, ok=False)
    word = {"withdraw": "withdrawn", "fail": "failed"}[action]
    assert r.exit_code == 1 and f"Enrollment 1 is {word}; its progress is closed" in r.stderr
    assert "enroll add" in r.stderr
    assert snapshot() == before
    assert show(cli)["progress"] == 0.0


def test_resume_catches_up_completion_phases_and_milestones(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1, p2 = dept.phase(pid, 1, "Orientation"), dept.phase(pid, 2, "Skills")
    dept.link(pid, dept.requirement("H1", "hours", required_hours=10), phase_id=p1)
    dept.link(pid, dept.requirement("H2", "hours"), phase_id=p2)
    dept.milestone(pid, "Half", 50)
    # (dated: the resume below is as of 2026-02-28, which must not precede the enrollment)
    cli("--as-of", "2026-02-01", "enroll", "add", str(ann), "Recruit")
    cli("--as-of", "2026-02-01", "progress", "update", "1", "--set", "5")
    cli("--as-of", "2026-02-02", "enroll", "hold", "1")
    cli("requirement", "edit", "H1", "--hours", "5", "--effective", "2026-02-03")  # complete while on hold
    e = show(cli)
    assert (e["status"], e["current_phase"], e["milestones"][0]["state"]) == (
        "on_hold",
        "1. Orientation",
        "not reached",
    )
    r = cli("--as-of", "2026-02-28", "enroll", "resume", "1")
    assert "Enrollment 1 is now active." in r.stderr
    assert "Advanced to phase 2 (Skills)." in r.stderr
    assert "Milestone reached: Half (50%)." in r.stderr
    e = show(cli)
    assert (e["status"], e["current_phase"], e["phase_started_on"]) == (
        "active",
        "2. Skills",
        "2026-02-28",
    )


def test_resume_completes_an_enrollment_that_reached_100_on_hold(cli, dept):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "shifts")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--set", "2")
    cli("enroll", "hold", "1")
    cli("requirement", "edit", "Recruit shifts 1", "--shifts", "2")
    assert show(cli)["status"] == "on_hold"
    r = cli("enroll", "resume", "1")
    assert "Enrollment 1 is complete." in r.stderr
    assert show(cli)["status"] == "completed"


# ---------------------------------------------------------------------------- milestones
def test_verifying_a_milestone_that_needs_no_verification_is_refused(cli, dept, snapshot):
    pid, _ = dept.simple_program("Recruit", "hours")
    dept.milestone(pid, "Half", 50)
    ann = dept.member("Ann Lee")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--set", "5")
    before = snapshot()
    r = cli("progress", "verify-milestone", "1", "Half", ok=False)
    assert r.exit_code == 1
    assert "Milestone 'Half' needs no verification" in r.stderr and "Hint:" in r.stderr
    assert "verified" not in r.stdout
    assert snapshot() == before


def test_milestone_message_punctuation_and_rounding(cli, dept):
    pid, _ = dept.simple_program("Recruit", "hours", "hours", "hours")
    dept.milestone(pid, "Third", 100 / 3, verify=True, message="Cleared")
    ann = dept.member("Ann Lee")
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("progress", "update", "1", "--set", "10")
    assert "Milestone reached: Third (33.3%). Cleared. It waits for an officer" in r.stderr


# ---------------------------------------------------------------------------- permission
@pytest.mark.parametrize(
    "where",
    [
        ("--member", "M1", "-r", "Recruit hours 1"),
        ("--member", "M1", "-r", "1"),  # ambiguous: would list progress ids
        ("--member", "M1", "-r", "nope"),
        ("--enrollment", "1", "-r", "nope"),
        ("1",),
    ],
)
@pytest.mark.parametrize("command", ["update", "log"])
def test_permission_is_checked_before_anything_is_listed(cli, dept, snapshot, where, command):
    dept.member("Ann Lee", badge="M1")
    bob = dept.member("Bob Ray", badge="M3")
    dept.simple_program("Recruit", "hours")
    driver = dept.program("Driver")
    dept.link(driver, 1)
    cli("enroll", "add", "M1", "Recruit")
    cli("enroll", "add", "M1", "Driver")
    before = snapshot()
    extra = ("--add", "1") if command == "update" else ()
    r = cli("--as", str(bob), "progress", command, *where, *extra, ok=False)
    assert r.exit_code == 77, r
    assert "may only see and record their own progress" in r.stderr
    assert "progress 1" not in r.stderr and "enrollment 2" not in r.stderr
    assert snapshot() == before


# ------------------------------------------------------------------ out-of-order overrides
def test_an_officer_may_sign_off_out_of_order_and_is_told_so(cli, dept):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours", "hours", structure="sequential")
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("progress", "update", "2", "--status", "completed", "--reason", "transfer")
    assert "'Recruit hours 2' is marked complete out of order (an officer's override)" in r.stderr
    assert "This program is sequential: complete 'Recruit hours 1'" in r.stderr
    assert "Recruit hours 2" in r.stderr
    r = cli("progress", "update", "1", "--add", "2")  # in order: nothing said
    assert "out of order" not in r.stderr
    assert show(cli)["requirements"][1]["status"] == "completed"


def test_waiving_past_a_phase_gate_says_so(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1, p2 = dept.phase(pid, 1, "Orientation"), dept.phase(pid, 2, "Skills")
    dept.link(pid, dept.requirement("H1", "hours"), phase_id=p1)
    dept.link(pid, dept.requirement("H2", "hours"), phase_id=p2)
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("progress", "update", "2", "--waive", "--reason", "prior service")
    assert "'H2' is waived out of order" in r.stderr and "which has not started" in r.stderr


def test_status_help_documents_out_of_order_overrides(cli):
    r = cli("progress", "update", "--help")
    assert "out of order" in r.stdout


# ------------------------------------------------------------------------------ messages
def test_reopened_message_rounds_to_one_decimal(cli, dept):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours", "hours", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    for p in ("1", "2", "3"):
        cli("progress", "update", p, "--set", "10")
    r = cli("progress", "update", "3", "--set", "7.5")
    assert "Enrollment 1 reopened (91.7%)." in r.stderr


# ------------------------------------------------------------------ verifying nothing
def test_verifying_a_row_with_nothing_recorded_or_pending_is_refused(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    before = snapshot()
    r = cli("progress", "update", "1", "--verify", ok=False)
    assert r.exit_code == 1, r
    assert "Error:" in r.stderr and "has nothing to verify" in r.stderr and "Hint:" in r.stderr
    assert snapshot() == before
    cli("progress", "update", "1", "--add", "2")
    cli("progress", "update", "1", "--verify")  # counted credit can be verified
    assert show(cli)["progress"] > 0


def test_credit_dated_before_the_enrollment_began_is_refused(cli, dept, snapshot):
    """An entry under an --as-of before the enrollment's start would date credit before it
    (`enroll show` then said 'last activity 183 days ago' of an enrollment begun today).
    Refused, nothing written; the day it began is fine, and a note is always allowed."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("--as-of", "2028-02-29", "enroll", "add", str(ann), "Recruit")
    before = snapshot()
    r = cli("--as-of", "2028-02-28", "progress", "update", "1", "--add", "2", ok=False)
    assert r.exit_code == 1 and snapshot() == before
    assert "Enrollment 1 began on 2028-02-29; progress dated 2028-02-28 would be before it." in r.stderr
    cli("--as-of", "2028-02-28", "progress", "update", "1", "--note", "called about the start date")
    cli("--as-of", "2028-02-29", "progress", "update", "1", "--add", "2")
    assert show(cli)["requirements"][0]["value"] == 2


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("--waive", "--reason", "light duty"), "a waiver"),
        (("--status", "completed", "--reason", "signed off"), "a sign-off"),
        (("--status", "auto"), "an override removal"),
    ],
)
def test_an_override_cannot_be_dated_before_the_enrollment(cli, dept, snapshot, args, what):
    """Third review: --add dated before the enrollment was refused, but a waiver, a
    sign-off and a removal dated 2025 on an enrollment begun 2026-06-01 were taken, and
    `enroll show` said 'last activity 2025-01-01 (702 days ago)'. Refused alike."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Year", "hours")
    cli("--as-of", "2026-06-01", "enroll", "add", str(ann), "Year")
    if what == "an override removal":
        cli("--as-of", "2026-06-01", "progress", "update", "1", "--waive", "--reason", "x")
    before = snapshot()
    r = cli("--as-of", "2025-01-01", "progress", "update", "1", *args, ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    assert f"Enrollment 1 began on 2026-06-01; {what} dated 2025-01-01 would be before it." in r.stderr
    cli("--as-of", "2026-06-01", "progress", "update", "1", *args)


def test_overrides_go_in_date_order(cli, dept, snapshot):
    """Third review: an override could be removed as of a day before it was given. A
    removal, or a change of override, is dated on or after the last override change (its
    day is the ledger's), as an uncheck is after the check it takes back."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Year", "hours")
    cli("--as-of", "2026-06-01", "enroll", "add", str(ann), "Year")
    cli("--as-of", "2026-07-01", "progress", "update", "1", "--waive", "--reason", "light duty")
    before = snapshot()
    r = cli("--as-of", "2026-06-15", "progress", "update", "1", "--status", "auto", ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    assert ("'Year hours 1' was waived on 2026-07-01; an override removal dated 2026-06-15 would be "
            "before it.") in r.stderr  # fmt: skip
    r = cli("--as-of", "2026-06-15", "progress", "update", "1", "--status", "completed",
            "--reason", "signed off", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "a sign-off dated 2026-06-15" in r.stderr and snapshot() == before
    cli("--as-of", "2026-07-01", "progress", "update", "1", "--status", "auto")  # the same day
    r = cli("--as-of", "2026-06-20", "progress", "update", "1", "--waive", "--reason", "x", ok=False)
    assert r.exit_code == 1
    assert "The override on 'Year hours 1' was removed on 2026-07-01; a waiver dated 2026-06-20" in r.stderr
    cli("--as-of", "2026-06-20", "progress", "update", "1", "--add", "1")  # credit is not an override


@pytest.mark.parametrize("action", ["resume", "advance"])
def test_a_resume_or_advance_cannot_be_dated_before_the_enrollment(cli, dept, snapshot, action):
    """Second review: `--as-of 2026-09-01 enroll advance` of a December enrollment set its
    phase deadlines in September, and a resume as of 2020 restarted its quiet stretch then.
    Both days are kept: refused, naming the earliest day; nothing written."""
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1, p2 = dept.phase(pid, 1, "Orientation"), dept.phase(pid, 2, "Skills")
    dept.link(pid, dept.requirement("H1", "hours", required_hours=1), phase_id=p1)
    dept.link(pid, dept.requirement("H2", "hours"), phase_id=p2)
    cli("--as-of", "2026-12-01", "enroll", "add", str(ann), "Recruit")
    if action == "resume":
        cli("--as-of", "2026-12-05", "enroll", "hold", "1")
    before = snapshot()
    r = cli("--as-of", "2026-09-01", "enroll", action, "1", ok=False)
    # a resume names the latest day it may not precede: the hold it ends
    began = "was put on hold on 2026-12-05" if action == "resume" else "began on 2026-12-01"
    assert r.exit_code == 1 and f"Enrollment 1 {began}" in r.stderr, r
    assert "would be before it" in r.stderr and snapshot() == before


@pytest.mark.parametrize(
    ("action", "doing"),
    [("hold", "a hold"), ("withdraw", "a withdrawal"), ("fail", "a failure")],
)
def test_a_hold_withdrawal_or_failure_cannot_be_dated_before_the_enrollment(
    cli, dept, snapshot, action, doing
):
    """Third review: hold, withdraw and fail took any --as-of day: a withdrawal dated 17
    months before the enrollment began was accepted, and `enroll bulk` then said the member
    "was withdrawn ... on 2025-01-01". Refused as a resume is, nothing written; the day
    it began is fine."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Year", "hours")
    cli("--as-of", "2026-06-01", "enroll", "add", str(ann), "Year")
    before = snapshot()
    yes = () if action == "hold" else ("--yes",)
    r = cli("--as-of", "2025-01-01", "enroll", action, "1", "--reason", "x", *yes, ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    assert (f"Enrollment 1 began on 2026-06-01; {doing} dated 2025-01-01 would be before it."
            in r.stderr)  # fmt: skip
    assert "Hint: Give --as-of 2026-06-01 or later" in r.stderr
    cli("--as-of", "2026-06-01", "enroll", action, "1", "--reason", "x", *yes)
    assert show(cli)["status"] == {"hold": "on_hold", "withdraw": "withdrawn", "fail": "failed"}[action]


def test_a_change_refused_before_an_enrollment_dated_ahead_is_not_told_to_leave_out_as_of(
    cli, dept, snapshot
):
    """Saturday night, the class was enrolled as of Monday's academy (`--as-of`, as `enroll
    bulk` advises for recruits hired on Monday). On Sunday an officer's `enroll withdraw`,
    without --as-of, was refused with "Give --as-of MONDAY or later, or leave --as-of out."
    -- the command just refused. Leaving --as-of out is offered only when today is late
    enough: a hold, withdrawal or failure, and an override alike; nothing is written."""
    from datetime import UTC, datetime, timedelta

    monday = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    ann, bo, cy = dept.member("Ann Lee"), dept.member("Bo Diaz"), dept.member("Cy Cole")
    dept.simple_program("Year", "hours")
    cli("--as-of", monday, "enroll", "add", str(ann), "Year")
    cli("--as-of", "2026-06-01", "enroll", "add", str(bo), "Year")
    cli("--as-of", monday, "progress", "update", "2", "--waive", "--reason", "light duty")
    cli("--as-of", "2026-06-01", "enroll", "add", str(cy), "Year")
    before = snapshot()
    for args in (("enroll", "withdraw", "1", "--reason", "x", "--yes"),
                 ("progress", "update", "2", "--status", "auto")):  # fmt: skip
        r = cli(*args, ok=False)
        text = " ".join(r.stderr.split())
        assert r.exit_code == 1 and f"Give --as-of {monday} or later." in text, text
        assert "leave --as-of out" not in text, text
    # dated too early by --as-of while today is late enough: leaving it out still works
    r = cli("--as-of", "2025-01-01", "enroll", "hold", "3", "--reason", "x", ok=False)
    assert "Give --as-of 2026-06-01 or later, or leave --as-of out." in " ".join(r.stderr.split()), r
    assert snapshot() == before


def test_a_completed_enrollment_is_not_withdrawn_before_the_day_it_was_completed(cli, dept, snapshot):
    """An officer may withdraw a completed enrollment, but a withdrawal dated before the day
    it was completed (enrollment.completed_on) was accepted: `enroll show` then held a
    withdrawal of something not yet complete that day. Refused, naming the completion day,
    nothing written; on that day or later it goes through. A completed enrollment is not
    held or failed at all."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Year", "hours")
    cli("--as-of", "2026-06-01", "enroll", "add", str(ann), "Year")
    cli("--as-of", "2026-07-01", "progress", "update", "1", "--set", "10")
    got = show(cli)
    assert (got["status"], got["completed_on"]) == ("completed", "2026-07-01")
    before = snapshot()
    r = cli("--as-of", "2026-06-15", "enroll", "withdraw", "1", "--reason", "x", "--yes", ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    assert ("Enrollment 1 was completed on 2026-07-01; a withdrawal dated 2026-06-15 would be "
            "before it.") in r.stderr  # fmt: skip
    assert "Hint: Give --as-of 2026-07-01 or later" in r.stderr
    for action in ("hold", "fail"):
        yes = () if action == "hold" else ("--yes",)
        r = cli("--as-of", "2026-07-02", "enroll", action, "1", "--reason", "x", *yes, ok=False)
        assert r.exit_code == 1 and "Enrollment 1 is completed; only active" in r.stderr, r
    assert snapshot() == before
    cli("--as-of", "2026-07-01", "enroll", "withdraw", "1", "--reason", "left the department", "--yes")
    assert show(cli)["status"] == "withdrawn"


def test_status_changes_go_in_date_order(cli, dept, snapshot):
    """Third review: a resume dated a month before the hold it ended was accepted, then a
    hold dated before the last resume. Each change is refused when dated before the last
    one (the hold's day is read from its audit row: no column keeps it), naming it."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Year", "hours")
    cli("--as-of", "2026-06-01", "enroll", "add", str(ann), "Year")
    cli("--as-of", "2026-11-01", "enroll", "hold", "1", "--reason", "deployment")
    before = snapshot()
    r = cli("--as-of", "2026-10-01", "enroll", "resume", "1", ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    assert ("Enrollment 1 was put on hold on 2026-11-01; a resume dated 2026-10-01 would be "
            "before it.") in r.stderr  # fmt: skip
    r = cli("--as-of", "2026-10-01", "enroll", "withdraw", "1", "--yes", ok=False)
    assert r.exit_code == 1 and "was put on hold on 2026-11-01; a withdrawal" in r.stderr
    assert snapshot() == before
    cli("--as-of", "2026-11-15", "enroll", "resume", "1")
    before = snapshot()
    r = cli("--as-of", "2026-11-10", "enroll", "hold", "1", ok=False)
    assert r.exit_code == 1 and snapshot() == before
    assert "Enrollment 1 was resumed on 2026-11-15; a hold dated 2026-11-10" in r.stderr
    cli("--as-of", "2026-11-15", "enroll", "hold", "1")  # the same day is fine
    r = cli("--as-of", "2026-11-14", "enroll", "fail", "1", "--reason", "x", ok=False)
    assert r.exit_code == 1 and "was put on hold on 2026-11-15; a failure dated" in r.stderr


# ------------------------------------------------------------- order rules on the credit's day
def test_a_prerequisite_is_judged_as_it_stood_on_the_credits_day(cli, dept, snapshot):
    """Review: a checklist credit dated 12-02 was taken although its prerequisite was only
    complete on 12-04 (the gate judged the prerequisite as it stands now), and the phase,
    and its milestone, then counted as complete on 12-02. Refused, naming the day the
    prerequisite was done; from that day it is taken; an officer's sign-off out of order
    stays possible (and says which rule it passed over)."""
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit")
    dept.link(pid, dept.requirement("Medical", "hours", required_hours=1), prerequisite=True)
    dept.link(pid, dept.requirement("Orientation", "hours", required_hours=2), sort_order=1)
    cli("--as-of", "2026-11-01", "enroll", "add", str(ann), "Recruit")
    cli("--as-of", "2026-12-04", "progress", "update", "1", "--add", "1")  # the prerequisite
    before = snapshot()
    r = cli("--as-of", "2026-12-02", "progress", "update", "2", "--add", "2", ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    assert (
        "Prerequisite requirement 'Medical' must be completed before 'Orientation'. 'Medical' "
        "was completed on 2026-12-04, after 2026-12-02, the day this credit takes effect."
    ) in " ".join(r.stderr.split())
    r = cli("--as-of", "2026-12-02", "progress", "update", "2", "--status", "completed",
            "--reason", "transfer")  # fmt: skip
    assert "'Orientation' is marked complete out of order (an officer's override)" in r.stderr
    cli("progress", "update", "2", "--status", "auto")
    cli("--as-of", "2026-12-04", "progress", "update", "2", "--add", "2")
    assert show(cli)["status"] == "completed"


def test_a_prerequisite_waived_later_does_not_open_an_earlier_day(cli, dept, snapshot):
    """An officer's override counts from the day it was given, as a credit does."""
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit")
    dept.link(pid, dept.requirement("Medical", "hours", required_hours=1), prerequisite=True)
    dept.link(pid, dept.requirement("Orientation", "hours", required_hours=2), sort_order=1)
    cli("--as-of", "2026-11-01", "enroll", "add", str(ann), "Recruit")
    cli("--as-of", "2026-12-04", "progress", "update", "1", "--waive", "--reason", "prior service")
    before = snapshot()
    r = cli("--as-of", "2026-12-02", "progress", "update", "2", "--add", "1", ok=False)
    assert "'Medical' was completed on 2026-12-04" in r.stderr and snapshot() == before
    cli("--as-of", "2026-12-05", "progress", "update", "2", "--add", "1")


def _manual_phases(dept, cli):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1 = dept.phase(pid, 1, "Orientation", manual=True)
    p2 = dept.phase(pid, 2, "Skills", time_limit_days=30)
    dept.link(pid, dept.requirement("Medical", "hours", required_hours=1), phase_id=p1)
    dept.link(pid, dept.requirement("Station", "hours", required_hours=1), phase_id=p1)
    dept.link(pid, dept.requirement("SCBA", "hours", required_hours=16), phase_id=p2)
    cli("--as-of", "2026-11-01", "enroll", "add", str(ann), "Recruit")


def test_an_advance_cannot_be_dated_before_the_phase_was_complete(cli, dept, snapshot):
    """Review: `--as-of 2026-11-20 enroll advance` of a phase complete only on 12-04
    started phase 2 on 11-20: its deadlines moved earlier, and a record of 11-25, when the
    member was still in phase 1, credited it. Refused, naming the day the phase was
    complete and the items done after the advance's day; nothing written."""
    _manual_phases(dept, cli)
    cli("--as-of", "2026-11-15", "progress", "update", "1", "--add", "1")
    r = cli("--as-of", "2026-12-04", "progress", "update", "2", "--add", "1")
    assert "needs an officer to advance it" in r.stderr
    before = snapshot()
    r = cli("--as-of", "2026-11-20", "enroll", "advance", "1", ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    assert (
        "Phase 1 (Orientation) was complete on 2026-12-04; an advance dated 2026-11-20 would "
        "start the next phase before it."
    ) in r.stderr
    assert "Station (completed 2026-12-04)" in r.stderr and "Medical (completed" not in r.stderr
    assert "Give --as-of 2026-12-04 or later" in r.stderr
    cli("--as-of", "2026-12-04", "enroll", "advance", "1")
    e = show(cli)
    assert (e["current_phase"], e["phase_started_on"], e["phase_deadline"]) == (
        "2. Skills", "2026-12-04", "2027-01-03",
    )  # fmt: skip


def test_a_phase_entered_by_a_backdated_credit_starts_when_it_was_complete(cli, dept):
    """A credit dated 12-02 that completes a phase whose other item was done on 12-04
    starts the next phase on 12-04, the day the phase was complete, not on 12-02."""
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1, p2 = dept.phase(pid, 1, "Orientation"), dept.phase(pid, 2, "Skills", time_limit_days=10)
    dept.link(pid, dept.requirement("Medical", "hours", required_hours=1), phase_id=p1)
    dept.link(pid, dept.requirement("Station", "hours", required_hours=1), phase_id=p1)
    dept.link(pid, dept.requirement("SCBA", "hours"), phase_id=p2)
    cli("--as-of", "2026-11-01", "enroll", "add", str(ann), "Recruit")
    cli("--as-of", "2026-12-04", "progress", "update", "1", "--add", "1")
    r = cli("--as-of", "2026-12-02", "progress", "update", "2", "--add", "1")
    assert "Advanced to phase 2 (Skills)." in r.stderr
    e = show(cli)
    assert (e["phase_started_on"], e["phase_deadline"]) == ("2026-12-04", "2026-12-14")


@pytest.mark.parametrize("typed", ["1e400", "-1e400", "nan", "inf", "1e300", "1e999999"])
@pytest.mark.parametrize(
    ("command", "option", "accepted"),
    [
        (("requirement", "add", "--name", "Big", "--type", "hours"), "--hours", "0 to 100,000"),
        (("progress", "update", "1"), "--add", "-100,000 to 100,000"),
        (("progress", "update", "1"), "--set", "-100,000 to 100,000"),
        (("program", "milestone", "add", "Recruit", "Half"), "--threshold", "0 to 100"),
        (("program", "milestone", "edit", "Recruit", "Start"), "--threshold", "0 to 100"),
        (("enroll", "list"), "--below", "0 to 100"),  # a read's filter: exit 2, as before
    ],
)
def test_every_amount_option_refuses_what_is_no_figure_naming_it_and_its_range(
    cli, dept, snapshot, command, option, accepted, typed
):
    """`requirement add --hours 1e400` said "got inf": Click had made the float first. Every
    number option (cli/options.amount) reads the text as typed and names the option, what
    was typed and the range it takes, exit 65 (2 for a read's filter), nothing written."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("program", "milestone", "add", "Recruit", "Start", "--threshold", "10")
    cli("enroll", "add", str(ann), "Recruit")
    before = snapshot()
    r = cli(*command, f"{option}={typed}", ok=False)
    assert r.exit_code == (2 if option == "--below" else 65), r
    assert f"Error: {option} {typed}: not a number from {accepted}." in r.stderr, r
    assert "Traceback" not in r.stderr and "got inf" not in r.stderr and "got nan" not in r.stderr
    assert snapshot() == before
