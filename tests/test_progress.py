"""Progress from the CLI: the ledger, derived status and rollups, the rules of DESIGN §3
(sequential, is_prerequisite, phases, deadlines, milestones) and the permissions."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def row(cli, progress_id: int | str) -> dict:
    data = cli("--format", "json", "enroll", "show", "1").json
    return next(r for r in data["requirements"] if r["progress_id"] == int(progress_id))


def enrollment(cli, eid: int = 1) -> dict:
    return cli("--format", "json", "enroll", "show", str(eid)).json


# ------------------------------------------------------------------------------- ledger
def test_credits_status_rollup_autocomplete_and_reopen(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("--format", "json", "progress", "update", "1", "--add", "4", "--note", "Tuesday drill")
    assert (r.json["value"], r.json["percentage"], r.json["status"]) == (4, 40, "in_progress")
    r = cli("progress", "update", "1", "--set", "10")  # a credit of the difference
    assert "is completed" in r.stderr and "Enrollment 1 is complete." in r.stderr
    assert enrollment(cli)["status"] == "completed"
    r = cli("progress", "update", "1", "--add", "-3", "--note", "entered twice")
    assert "reopened" in r.stderr and "Enrollment 1 reopened" in r.stderr
    e = enrollment(cli)
    assert (e["status"], e["progress"], e["completed_at"]) == ("active", 70, None)
    log = cli("--format", "json", "progress", "log", "1").json
    assert [c["amount"] for c in log] == [4, 6, -3]
    assert log[0]["note"] == "Tuesday drill" and log[0]["entered_by"] == "database owner"
    assert {c["state"] for c in log} == {"counted"}

    before = snapshot()
    r = cli("progress", "update", "1", "--add", "-20", ok=False)
    assert r.exit_code == 1 and "below zero" in r.stderr
    r = cli("progress", "update", "1", "--set", "7", ok=False)
    assert r.exit_code == 1 and "already at 7" in r.stderr
    r = cli("progress", "update", "1", ok=False)
    assert r.exit_code == 2 and "Nothing to update" in r.stderr
    r = cli("progress", "update", "1", "--add", "1", "--check", "x", ok=False)
    assert r.exit_code == 2
    r = cli("progress", "update", "99", "--add", "1", ok=False)
    assert r.exit_code == 1 and "No progress row 99" in r.stderr
    assert snapshot() == before


def test_set_valued_requirements_check_and_uncheck(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "checklist", "shifts", "certification")
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("--format", "json", "progress", "update", "1", "--check", "LOCKER")
    assert (r.json["value"], r.json["percentage"]) == (1, 33.3333)  # JSON keeps full precision (issue 11 #5)
    before = snapshot()
    assert cli("progress", "update", "1", "--check", "locker", ok=False).exit_code == 1
    r = cli("progress", "update", "1", "--check", "bunk", ok=False)
    assert r.exit_code == 65 and "uniform, locker, SCBA fit test" in r.stderr
    assert cli("progress", "update", "1", "--add", "1", ok=False).exit_code == 2
    assert cli("progress", "update", "2", "--check", "x", ok=False).exit_code == 2
    r = cli("progress", "update", "2", "--add", "1.5", ok=False)
    assert r.exit_code == 65 and "whole numbers" in r.stderr
    assert snapshot() == before
    r = cli("--format", "json", "progress", "update", "1", "--uncheck", "locker")
    assert (r.json["value"], r.json["status"]) == (0, "not_started")
    r = cli("--format", "json", "progress", "update", "3", "--check", "emt-b")
    assert (r.json["status"], r.json["percentage"]) == ("completed", 100)
    assert cli("progress", "log", "1").stdout.count("checklist_item") == 2


def test_rollup_is_the_mean_over_required_links_and_optional_ones_do_not_count(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit")
    hours, checklist, calls = (dept.requirement("H", "hours"), dept.requirement("C", "checklist"),
                               dept.requirement("K", "calls"))  # fmt: skip
    dept.link(pid, hours)
    dept.link(pid, checklist)
    dept.link(pid, calls, required=False)
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "3", "--set", "5")  # the optional one: complete, counts nothing
    assert enrollment(cli)["progress"] == 0
    cli("progress", "update", "1", "--set", "10")
    cli("progress", "update", "2", "--check", "uniform")
    assert enrollment(cli)["progress"] == pytest.approx(66.7, abs=0.05)  # (100 + 33.3) / 2


def test_waive_and_status_overrides(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    before = snapshot()
    r = cli("progress", "update", "1", "--waive", ok=False)
    assert r.exit_code == 2 and "needs a reason" in r.stderr
    r = cli("progress", "update", "1", "--status", "in_progress", ok=False)
    assert r.exit_code == 2 and "follow from the credited value" in r.stderr
    assert snapshot() == before
    r = cli("--format", "json", "progress", "update", "1", "--waive", "--reason", "prior service")
    assert (r.json["status"], r.json["percentage"], r.json["enrollment_progress"]) == (
        "waived",
        100,
        50,
    )
    r = cli("--format", "json", "progress", "update", "2", "--add", "2", "--status", "completed")
    assert (r.json["status"], r.json["enrollment_status"]) == ("completed", "completed")
    r = cli("--format", "json", "progress", "update", "2", "--status", "auto")
    assert (r.json["status"], r.json["percentage"], r.json["enrollment_status"]) == (
        "in_progress",
        20,
        "active",
    )
    notes = [c["note"] for c in cli("--format", "json", "progress", "log", "1").json]
    assert notes == ["waived: prior service"]


def test_member_and_requirement_addressing(cli, dept):
    ann = dept.member("Ann Lee", badge="A1")
    dept.simple_program("Recruit", "hours")
    pid2 = dept.program("Driver")
    dept.link(pid2, 1)  # the same requirement in a second program
    cli("enroll", "add", "A1", "Recruit")
    cli("progress", "update", "--member", "A1", "--requirement", "Recruit hours 1", "--add", "1")
    cli("enroll", "add", str(ann), "Driver")
    r = cli("progress", "update", "--member", "A1", "--requirement", "1", "--add", "1", ok=False)
    assert r.exit_code == 2 and "matches 2 progress rows" in r.stderr
    cli("progress", "update", "--enrollment", "2", "--requirement", "recruit HOURS 1", "--add", "1")
    r = cli(
        "progress", "update", "--enrollment", "2", "--requirement", "nope", "--add", "1", ok=False
    )
    assert r.exit_code == 1 and "No requirement 'nope'" in r.stderr


# -------------------------------------------------------------------------------- rules
def test_sequential_order_refuses_credit_out_of_order(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours", "checklist", "calls", structure="sequential")
    cli("enroll", "add", str(ann), "Recruit")
    before = snapshot()
    r = cli("progress", "update", "2", "--check", "uniform", ok=False)
    assert r.exit_code == 1
    assert (
        "This program is sequential: complete 'Recruit hours 1' before 'Recruit checklist 2'"
        in r.stderr
    )
    r = cli("progress", "update", "3", "--add", "1", ok=False)
    assert "'Recruit hours 1', 'Recruit checklist 2'" in r.stderr
    assert snapshot() == before
    cli("progress", "update", "1", "--set", "10")
    cli("progress", "update", "2", "--check", "uniform")
    cli("progress", "update", "1", "--add", "-1")  # corrections are always allowed
    r = cli("progress", "update", "3", "--add", "1", ok=False)
    assert r.exit_code == 1


def test_is_prerequisite_gates_its_scope(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit")
    dept.link(
        pid,
        dept.requirement("Safety briefing", "checklist", checklist_items=["done"]),
        prerequisite=True,
    )
    dept.link(pid, dept.requirement("Live fire", "hours"))
    cli("enroll", "add", str(ann), "Recruit")
    before = snapshot()
    r = cli("progress", "update", "2", "--add", "3", ok=False)
    assert r.exit_code == 1
    assert (
        "Prerequisite requirement 'Safety briefing' must be completed before 'Live fire'"
        in r.stderr
    )
    assert snapshot() == before
    cli("progress", "update", "1", "--check", "done")
    cli("progress", "update", "2", "--add", "3")


def _phased(dept: Dept) -> tuple[int, int, int, int]:
    pid = dept.program("Recruit", structure="phases")
    p1 = dept.phase(pid, 1, "Orientation", time_limit_days=30)
    p2 = dept.phase(pid, 2, "Skills", manual=True, time_limit_days=14)
    p3 = dept.phase(pid, 3, "Live fire")
    dept.link(pid, dept.requirement("H1", "hours"), phase_id=p1, custom_deadline_days=10)
    dept.link(pid, dept.requirement("H2", "hours", time_limit_days=7), phase_id=p2)
    dept.link(pid, dept.requirement("H3", "hours", time_limit_days=1), phase_id=p3)
    return pid, p1, p2, p3


def test_phases_gate_auto_advance_manual_stop_and_deadlines(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    _phased(dept)
    cli("--as-of", "2024-02-20", "enroll", "add", str(ann), "Recruit")
    e = enrollment(cli)
    assert (e["current_phase"], e["phase_deadline"]) == ("1. Orientation", "2024-03-21")
    due = {r["requirement"]: r["due_on"] for r in e["requirements"]}
    assert due == {"H1": "2024-03-01", "H2": None, "H3": None}  # 2024-02-20 + 10 days (leap year)

    before = snapshot()
    r = cli("progress", "update", "2", "--add", "1", ok=False)
    assert r.exit_code == 1 and "phase 2 (Skills), which has not started" in r.stderr
    assert snapshot() == before

    r = cli("--as-of", "2024-02-29", "progress", "update", "1", "--set", "10")
    assert "Advanced to phase 2 (Skills)." in r.stderr
    e = enrollment(cli)
    assert (e["current_phase"], e["phase_started_on"], e["phase_deadline"]) == (
        "2. Skills",
        "2024-02-29",
        "2024-03-14",
    )
    assert {r["requirement"]: r["due_on"] for r in e["requirements"]}["H2"] == "2024-03-07"

    before = snapshot()
    r = cli("enroll", "advance", "1", ok=False)
    assert (
        r.exit_code == 1
        and "Phase 2 (Skills) is not complete" in r.stderr
        and "H2 (not started)" in r.stderr
    )
    assert snapshot() == before

    r = cli("--as-of", "2024-03-05", "progress", "update", "2", "--set", "10")
    assert "needs an officer to advance it: `trainctl enroll advance 1`" in r.stderr
    assert enrollment(cli)["current_phase"] == "2. Skills"  # stopped at requires_manual_advancement
    r = cli("--as-of", "2024-12-31", "enroll", "advance", "1")
    assert "Advanced to phase 3 (Live fire)." in r.stderr
    e = enrollment(cli)
    assert e["current_phase"] == "3. Live fire"
    assert {r["requirement"]: r["due_on"] for r in e["requirements"]}[
        "H3"
    ] == "2025-01-01"  # year end
    cli("progress", "update", "3", "--set", "10")
    assert enrollment(cli)["status"] == "completed"
    r = cli("enroll", "advance", "1", ok=False)
    assert r.exit_code == 1


def test_phase_prerequisites_decide_the_next_phase(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1 = dept.phase(pid, 1, "One")
    p3 = dept.phase(pid, 3, "Three")
    p2 = dept.phase(pid, 2, "Two", prerequisites=(p3,))
    for name, ph in (("R1", p1), ("R2", p2), ("R3", p3)):
        dept.link(pid, dept.requirement(name, "calls"), phase_id=ph)
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("progress", "update", "--enrollment", "1", "--requirement", "R1", "--set", "5")
    assert "Advanced to phase 3 (Three)." in r.stderr  # phase 2 waits for phase 3
    r = cli(
        "progress", "update", "--enrollment", "1", "--requirement", "R2", "--add", "1", ok=False
    )
    assert "has not started" in r.stderr
    r = cli("progress", "update", "--enrollment", "1", "--requirement", "R3", "--set", "5")
    assert "Advanced to phase 2 (Two)." in r.stderr


def test_milestones_fire_once_and_wait_for_an_officer(cli, dept, snapshot):
    officer, other = (
        dept.member("Olga Chief", role="officer"),
        dept.member("Otto Capt", role="officer"),
    )
    pid, _ = dept.simple_program("Recruit", "hours", "hours")
    dept.milestone(pid, "Quarter", 25)
    dept.milestone(pid, "Half", 50, verify=True, message="Schedule the mid-term review.")
    cli("enroll", "add", str(officer), "Recruit")
    r = cli("progress", "update", "1", "--set", "10")
    assert "Milestone reached: Quarter (25%)." in r.stderr
    assert (
        "Milestone reached: Half (50%). Schedule the mid-term review. It waits for an officer"
        in r.stderr
    )
    cli("progress", "update", "1", "--add", "-6")  # fall below both ...
    r = cli("progress", "update", "1", "--add", "6")  # ... and cross again: nothing fires twice
    assert "Milestone" not in r.stderr
    assert dept.scalar("SELECT count(*) FROM milestone_event") == 2
    states = {
        m["milestone"]: m["state"]
        for m in cli("--format", "json", "progress", "milestones", "1").json
    }
    assert states == {"Quarter": "reached", "Half": "awaiting verification"}

    before = snapshot()
    r = cli("--as", str(officer), "progress", "verify-milestone", "1", "Half", ok=False)
    assert r.exit_code == 77 and "Nobody verifies their own progress" in r.stderr
    r = cli("progress", "verify-milestone", "1", "Unknown", ok=False)
    assert r.exit_code == 1
    assert snapshot() == before
    cli("--as", str(other), "progress", "verify-milestone", "1", "Half")
    m = {m["milestone"]: m for m in cli("--format", "json", "progress", "milestones", "1").json}
    assert (m["Half"]["state"], m["Half"]["verified_by"]) == ("verified", "Otto Capt")
    assert cli("progress", "verify-milestone", "1", "Half", ok=False).exit_code == 1


def test_a_milestone_fallen_back_below_waits_for_nothing_and_no_verification_predates_it(
    cli, dept, snapshot
):
    """Done (100%, verified by an officer) was reached on 2026-03-01, then a correction
    took the enrollment back to 50%: `progress milestones` still said "awaiting
    verification" and `verify-milestone` signed it off, even dated 2026-01-10, before it was
    reached. As the reminders judge it (dp.milestone_holds), it waits for nothing until the
    progress is back; and a verification is not dated before what it verifies."""
    officer, ann = dept.member("Olga Chief", role="officer"), dept.member("Ann Lee")
    pid, _ = dept.simple_program("Recruit", "hours")
    dept.milestone(pid, "Done", 100, verify=True)
    cli("--as-of", "2026-01-05", "enroll", "add", str(ann), "Recruit")
    cli("--as-of", "2026-03-01", "progress", "update", "1", "--set", "10")
    cli("--as-of", "2026-03-02", "progress", "update", "1", "--add", "-5", "--note", "entered twice")

    def state() -> tuple[str, str | None, str | None]:
        (m,) = cli("--format", "json", "progress", "milestones", "1").json
        return m["state"], m["reached_on"], m["verified_on"]

    assert state() == ("fell back below", "2026-03-01", None)
    before = snapshot()
    r = cli("--as", str(officer), "progress", "verify-milestone", "1", "Done", ok=False)
    assert r.exit_code == 1, r.stderr
    assert "enrollment 1 was reached on 2026-03-01, but the enrollment is at 50% now" in r.stderr
    assert snapshot() == before

    cli("--as-of", "2026-03-03", "progress", "update", "1", "--add", "5")  # back at 100%
    assert state() == ("awaiting verification", "2026-03-01", None)
    before = snapshot()
    r = cli("--as", str(officer), "--as-of", "2026-01-10", "progress", "verify-milestone", "1", "Done", ok=False)
    assert r.exit_code == 1, r.stderr
    assert ("Milestone 'Done' of enrollment 1 was reached on 2026-03-01, after 2026-01-10: a "
            "verification cannot be dated before what it verifies.") in " ".join(r.stderr.split())  # fmt: skip
    assert snapshot() == before
    cli("--as", str(officer), "--as-of", "2026-03-04", "progress", "verify-milestone", "1", "Done")
    assert state() == ("verified", "2026-03-01", "2026-03-04")


def test_a_phase_milestone_falls_back_below_on_its_phase_progress(cli, dept, snapshot):
    officer, ann = dept.member("Olga Chief", role="officer"), dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1, p2 = dept.phase(pid, 1), dept.phase(pid, 2)
    dept.link(pid, dept.requirement("A", "hours"), phase_id=p1)
    dept.link(pid, dept.requirement("B", "hours"), phase_id=p1)
    dept.link(pid, dept.requirement("C", "hours"), phase_id=p2)
    dept.milestone(pid, "Phase one half", 50, phase_id=p1, verify=True)
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--set", "10")  # phase 1 at 50%: reached
    cli("progress", "update", "1", "--add", "-6")  # phase 1 at 20%
    (m,) = cli("--format", "json", "progress", "milestones", "1").json
    assert m["state"] == "fell back below"
    before = snapshot()
    r = cli("--as", str(officer), "progress", "verify-milestone", "1", "Phase one half", ok=False)
    assert r.exit_code == 1 and "but its phase is at 20% now" in r.stderr, r.stderr
    assert snapshot() == before


def test_phase_milestones_use_the_phase_progress(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1, p2 = dept.phase(pid, 1), dept.phase(pid, 2)
    dept.link(pid, dept.requirement("A", "hours"), phase_id=p1)
    dept.link(pid, dept.requirement("B", "hours"), phase_id=p1)
    dept.link(pid, dept.requirement("C", "hours"), phase_id=p2)
    dept.link(pid, dept.requirement("D", "hours"), phase_id=p2)
    dept.milestone(pid, "Phase one half", 50, phase_id=p1)
    dept.milestone(pid, "Program half", 50)
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("progress", "update", "1", "--set", "10")  # phase 1 at 50%, program at 25%
    assert "Phase one half" in r.stderr and "Program half" not in r.stderr
    r = cli("progress", "update", "2", "--set", "10")
    assert "Program half" in r.stderr and "Advanced to phase 2" in r.stderr


def test_a_ruling_on_credit_dated_ahead_of_today_is_not_told_to_leave_out_as_of(cli, dept, snapshot):
    """A recruit self-reported a check under a later --as-of (the academy's Monday, entered
    on Saturday); the officer's `--verify` without --as-of was refused with "Verify it as of
    MONDAY or later (--as-of), or without --as-of." -- the very command just refused. The
    hint offers leaving --as-of out only when today is late enough; an uncheck alike."""
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    ahead = (today + timedelta(days=3)).isoformat()
    officer, ann = dept.member("Olga Chief", role="officer"), dept.member("Ann Lee")
    dept.simple_program("Recruit", "checklist")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "self-reporting", "on")
    cli("--as", str(ann), "--as-of", ahead, "progress", "update", "1", "--check", "locker")
    cli("--as-of", ahead, "progress", "update", "1", "--check", "uniform")
    before = snapshot()
    for args, verb in ((("--verify",), "Verify"), (("--uncheck", "uniform"), "Uncheck")):
        r = cli("--as", str(officer), "progress", "update", "1", *args, ok=False)
        text = " ".join(r.stderr.split())
        assert r.exit_code == 1 and f"{verb} it as of {ahead} or later (--as-of)." in text, text
        assert "without --as-of" not in text, text
    assert snapshot() == before
    # dated too early by an --as-of while today is late enough: leaving it out still works
    cli("--as", str(ann), "progress", "update", "1", "--check", "SCBA fit test")
    before = snapshot()
    r = cli("--as", str(officer), "--as-of", (today - timedelta(days=1)).isoformat(),
            "progress", "update", "1", "--verify", "--credit", "3", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "or without --as-of" in " ".join(r.stderr.split()), r.stderr
    assert snapshot() == before
    cli("--as", str(officer), "--as-of", ahead, "progress", "update", "1", "--verify")


# -------------------------------------------------------------------------- permissions
def test_self_reporting_is_pending_until_an_officer_verifies_and_never_self_verified(
    cli, dept, snapshot
):
    officer = dept.member("Olga Chief", role="officer")
    ann, bob = dept.member("Ann Lee"), dept.member("Bob Ray")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("enroll", "add", str(officer), "Recruit")
    before = snapshot()
    r = cli("--as", str(ann), "progress", "update", "1", "--add", "2", ok=False)
    assert r.exit_code == 77 and "Self-reporting is off" in r.stderr
    r = cli("--as", str(ann), "progress", "self-reporting", "on", ok=False)
    assert r.exit_code == 77
    assert snapshot() == before

    cli("--as", str(officer), "progress", "self-reporting", "on")
    assert cli("progress", "self-reporting").stdout.strip() == "on"
    r = cli(
        "--as",
        str(ann),
        "--format",
        "json",
        "progress",
        "update",
        "1",
        "--add",
        "2",
        "--note",
        "CE class",
    )
    # `pending`: the entries waiting, a count as in `enroll show` (it was true here, 0 there)
    assert r.json["pending"] == 1 and type(r.json["pending"]) is int and r.json["value"] == 0  # counts only once verified
    assert "counts once an officer verifies it" in r.stderr
    assert enrollment(cli)["progress"] == 0
    pending = cli("--format", "json", "--as", str(officer), "progress", "pending").json
    assert [(p["member"], p["amount"]) for p in pending] == [("Ann Lee", 2)]

    before = snapshot()
    assert cli("--as", str(ann), "progress", "update", "1", "--verify", ok=False).exit_code == 77
    assert (
        cli(
            "--as", str(ann), "progress", "update", "1", "--waive", "--reason", "x", ok=False
        ).exit_code
        == 77
    )
    assert cli("--as", str(ann), "progress", "update", "1", "--add", "-1", ok=False).exit_code == 77
    assert cli("--as", str(bob), "progress", "update", "1", "--add", "1", ok=False).exit_code == 77
    assert cli("--as", str(bob), "progress", "log", "1", ok=False).exit_code == 77
    assert cli("--as", str(bob), "progress", "pending", ok=False).exit_code == 77
    # an officer's own progress is self-reported too, and they cannot verify it
    r = cli("--as", str(officer), "progress", "update", "2", "--verify", ok=False)
    assert r.exit_code == 77 and "Nobody verifies their own progress" in r.stderr
    assert snapshot() == before
    # nor can a verification be dated before the report it verifies (review: 'verified on
    # 2020-01-01' for a credit entered today)
    r = cli("--as", str(officer), "--as-of", "2020-01-01", "progress", "update", "1", "--verify", ok=False)
    assert r.exit_code == 1 and "a verification cannot be dated before what it verifies" in r.stderr, r
    assert snapshot() == before

    r = cli("--as", str(officer), "--format", "json", "progress", "update", "1", "--verify")
    assert (r.json["value"], r.json["percentage"]) == (2, 20)
    log = cli("--as", str(ann), "--format", "json", "progress", "log", "1").json
    assert [(c["source"], c["state"], c["verified_by"]) for c in log] == [
        ("self_report", "counted", "Olga Chief")
    ]
    assert "verified by Olga Chief" in cli("--as", str(ann), "enroll", "show", "1").stdout


def test_an_officers_set_ends_at_n_and_pending_says_what_waits(cli, dept, snapshot):
    """A member reported 1 h; an officer's `--set 2` printed value 2, "pending no" (though
    `enroll show` said "1 pending"), and the verification then made it 3. The set is
    refused while the report waits (verify it first); `pending` in the output is the
    row's, not only this update's."""
    officer = dept.member("Olga Chief", role="officer")
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "self-reporting", "on")
    cli("--as", str(ann), "progress", "update", "1", "--add", "1")
    before = snapshot()
    for extra in ((), ("--verify",)):
        r = cli("--as", str(officer), "progress", "update", "1", "--set", "2", *extra, ok=False)
        assert r.exit_code == 1, r
        assert "has 1 h reported by the member and waiting for verification: --set 2 would end at 3" in r.stderr
        assert "`trainctl progress update 1 --verify`" in r.stderr
    assert snapshot() == before
    # an officer's --add beside the waiting report: the row still has credit pending
    r = cli("--as", str(officer), "--format", "json", "progress", "update", "1", "--add", "0.5")
    assert (r.json["value"], r.json["pending"]) == (0.5, 1) and type(r.json["pending"]) is int
    assert "Recorded as self-reported" not in r.stderr
    r = cli("--as", str(officer), "--format", "json", "progress", "update", "1", "--verify")
    assert (r.json["value"], r.json["pending"]) == (1.5, 0) and type(r.json["pending"]) is int
    r = cli("--as", str(officer), "--format", "json", "progress", "update", "1", "--set", "2")
    assert (r.json["value"], r.json["pending"]) == (2, False)
    # the member's own --set counts their waiting report: 3 once verified
    r = cli("--as", str(ann), "--format", "json", "progress", "update", "1", "--set", "3")
    assert (r.json["value"], r.json["pending"]) == (2, True)
    cli("--as", str(officer), "progress", "update", "1", "--verify")
    assert row(cli, 1)["value"] == 3


def test_a_verification_goes_with_the_credit_it_verified(cli, dept):
    """A member reported 2 h, an officer verified, then the hours were taken back ("wrong
    class"): `enroll show` read "0 / 10 h · not started · verified by Olga Chief", a
    sign-off on nothing. A row back at not started carries no verification; the ledger
    keeps who verified the credit."""
    officer = dept.member("Olga Chief", role="officer")
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "self-reporting", "on")
    cli("--as", str(ann), "progress", "update", "1", "--add", "2")
    cli("--as", str(officer), "progress", "update", "1", "--verify")
    assert row(cli, 1)["verified_by"] == "Olga Chief" and row(cli, 1)["verified_on"]
    # part of it taken back: what is left was verified, and still says so
    cli("progress", "update", "1", "--add", "-1", "--note", "one hour was a break")
    assert row(cli, 1)["verified_by"] == "Olga Chief"
    r = cli("--format", "json", "progress", "update", "1", "--add", "-1", "--note", "wrong class")
    assert (r.json["value"], r.json["verified_on"], r.json["verified_at"]) == (0, None, None)
    shown = row(cli, 1)
    assert (shown["status"], shown["verified_by"], shown["verified_on"]) == ("not_started", None, None)
    assert "verified by" not in cli("enroll", "show", "1").stdout
    log = cli("--format", "json", "progress", "log", "1").json
    assert [(c["amount"], c["verified_by"]) for c in log] == [(2, "Olga Chief"), (-1, None), (-1, None)]
    # new credit is not covered by the old verification
    cli("progress", "update", "1", "--add", "3")
    assert row(cli, 1)["verified_by"] is None
    # an override is what a verification of a row without credit signs
    cli("--as", str(officer), "progress", "update", "1", "--add", "-3")
    cli("progress", "update", "1", "--waive", "--reason", "prior service")
    cli("--as", str(officer), "progress", "update", "1", "--verify")
    assert (row(cli, 1)["status"], row(cli, 1)["verified_by"]) == ("waived", "Olga Chief")


def test_the_pending_queue_lists_what_an_officer_can_verify(cli, dept):
    """An officer saw a withdrawn recruit's self-reported credit in `progress pending`, and
    `progress update ID --verify` then refused it (the enrollment is closed). The queue
    lists credit of active enrollments; an enrollment on hold is counted on stderr with
    the way to resume it; a withdrawn or failed one is closed and not listed."""
    officer = dept.member("Olga Chief", role="officer")
    members = [dept.member(n) for n in ("Ann Lee", "Bob Ray", "Cy Orr", "Di Fox")]
    dept.simple_program("Recruit", "hours")
    for m in members:
        cli("enroll", "add", str(m), "Recruit")
    cli("progress", "self-reporting", "on")
    for m in members:
        cli("--as", str(m), "progress", "update", "--member", str(m), "-r", "Recruit hours 1", "--add", "2")
    queue = cli("--format", "json", "--as", str(officer), "progress", "pending")
    assert [p["enrollment_id"] for p in queue.json] == [1, 2, 3, 4] and "Not listed" not in queue.stderr
    cli("enroll", "hold", "2", "--reason", "medical leave")
    cli("enroll", "withdraw", "3", "--yes")
    cli("enroll", "fail", "4", "--yes", "--reason", "left the academy")
    queue = cli("--format", "json", "--as", str(officer), "progress", "pending")
    assert [(p["enrollment_id"], p["member"]) for p in queue.json] == [(1, "Ann Lee")]
    assert "Not listed: 1 self-reported credit of enrollment 2 on hold, verifiable once resumed " in queue.stderr
    assert "`trainctl enroll resume 2`" in queue.stderr, queue
    # every row listed takes the verification it waits for
    for p in queue.json:
        cli("--as", str(officer), "progress", "update", str(p["progress_id"]), "--verify")
    r = cli("--as", str(officer), "progress", "pending")
    assert "Nothing can be verified now." in r.stderr and "enrollment 2 on hold" in r.stderr
    assert r.stdout == ""
    cli("enroll", "resume", "2")
    queue = cli("--format", "json", "--as", str(officer), "progress", "pending")
    assert [p["enrollment_id"] for p in queue.json] == [2] and "Not listed" not in queue.stderr
    # the closed ones' credit is kept in their log, still unverified
    assert [c["state"] for c in cli("--format", "json", "progress", "log", "3").json] == ["pending"]


def test_rollup_is_one_update_statement(dept, db_url):
    """The enrollment rollup is set-based: one UPDATE for any number of enrollments."""
    from datetime import date

    import sqlalchemy as sa

    from trainctl.db import session_scope
    from trainctl.services.auth import OWNER
    from trainctl.services.enrollment import Request, bulk_enroll, get_program
    from trainctl.services.progress import rollup_enrollments

    for i in range(40):
        dept.member(f"M{i}", badge=f"X{i}")
    dept.simple_program("Recruit", "hours", "checklist")
    with session_scope(dept.engine) as s:
        bulk_enroll(s, OWNER, get_program(s, "Recruit"), [Request(f"i{i}", f"X{i}") for i in range(40)],
                    today=date(2026, 1, 1))  # fmt: skip
    with dept.engine.begin() as c:
        c.execute(
            sa.text(
                "UPDATE requirement_progress SET status = 'completed', progress_percentage = 100"
            )
        )
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    sa.event.listen(dept.engine, "before_cursor_execute", record)
    try:
        with session_scope(dept.engine) as s:
            rollup_enrollments(s, list(range(1, 41)))
    finally:
        sa.event.remove(dept.engine, "before_cursor_execute", record)
    updates = [st for st in statements if st.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "enrollment" in updates[0]
    assert (
        dept.scalar(
            "SELECT count(*) FROM enrollment WHERE status = 'completed' AND progress_percentage = 100"
        )
        == 40
    )


def test_a_passed_phase_takes_corrections_and_later_phases_stay_closed(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    _phased(dept)
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("progress", "update", "1", "--set", "10")
    assert "Advanced to phase 2 (Skills)." in r.stderr
    r = cli("progress", "update", "1", "--set", "2")  # a correction reopens the phase-1 item
    assert "'H1' reopened (in progress)." in r.stderr
    r = cli("--format", "json", "progress", "update", "1", "--add", "3")  # not locked out
    assert (r.json["value"], r.json["status"]) == (5, "in_progress")
    r = cli("progress", "update", "1", "--add", "5")
    assert "'H1' is completed." in r.stderr and "Advanced" not in r.stderr
    assert enrollment(cli)["current_phase"] == "2. Skills"  # no phase is entered twice
    before = snapshot()
    r = cli("progress", "update", "3", "--add", "1", ok=False)  # phase 3 has not started
    assert r.exit_code == 1 and "phase 3 (Live fire), which has not started" in r.stderr
    assert snapshot() == before


def test_a_phase_walked_before_its_lower_numbered_prerequisite_is_never_reentered(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1 = dept.phase(pid, 1, "One")
    p3 = dept.phase(pid, 3, "Three")
    p2 = dept.phase(pid, 2, "Two", prerequisites=(p3,))
    for name, ph in (("R1", p1), ("R2", p2), ("R3", p3)):
        dept.link(pid, dept.requirement(name, "calls"), phase_id=ph)
    # (enrolled before the dated entries below: credit is never dated before its enrollment)
    cli("--as-of", "2026-01-01", "enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--set", "5")  # -> phase 3
    cli("--as-of", "2026-03-01", "progress", "update", "3", "--set", "5")  # -> phase 2
    cli("progress", "update", "3", "--add", "-1")  # a correction in passed phase 3 ...
    cli("progress", "update", "3", "--add", "1")  # ... is accepted
    r = cli("--as-of", "2026-03-09", "progress", "update", "2", "--set", "5")
    assert "Advanced" not in r.stderr  # phase 3 was walked already: not entered again
    e = enrollment(cli)
    assert (e["current_phase"], e["phase_started_on"], e["status"]) == (
        "2. Two",
        "2026-03-01",
        "completed",
    )


def test_a_last_phase_asking_for_manual_advancement_completes_with_its_items(cli):
    """Nothing follows the last phase, so nothing waits for an officer there: the
    enrollment completes with its items, and activation says how to ask for a sign-off.
    It used to print 'complete' and then 'needs an officer to advance it', and `enroll
    advance` refused the completed enrollment."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    for name, kind in (("Drill A", "drill"), ("Drill B", "skills_day")):
        cli("requirement", "add", "--name", name, "--type", "hours", "--hours", "2", "--counts-type", kind)
    cli("program", "create", "P", "--structure", "phases")
    cli("program", "phase", "add", "P", "1", "One")
    cli("program", "phase", "add", "P", "2", "Sign-off", "--manual-advancement")
    cli("program", "requirement", "add", "P", "Drill A", "--phase", "1")
    cli("program", "requirement", "add", "P", "Drill B", "--phase", "2")
    r = cli("program", "activate", "P")
    assert "phase 2 (Sign-off) is the last and asks for manual advancement" in r.stderr, r
    assert "--threshold 100 --requires-verification" in r.stderr
    cli("--as-of", "2026-06-01", "enroll", "add", "ann@fd.org", "P")
    cli("--as-of", "2026-06-01", "record", "add", "ann@fd.org", "--course", "A", "--type", "drill",
        "--date", "2026-06-01", "--hours", "2")  # fmt: skip
    r = cli("--as-of", "2026-06-01", "record", "add", "ann@fd.org", "--course", "B", "--type",
            "skills_day", "--date", "2026-06-01", "--hours", "2")  # fmt: skip
    assert "needs an officer" not in r.stderr, r
    shown = cli("--format", "json", "enroll", "show", "1").json
    assert shown["status"] == "completed", shown


def test_an_item_the_member_reported_is_verified_not_checked_twice(cli, dept, snapshot):
    """Second review: a member's pending --check and an officer's --check of the same item
    made two checks; after --verify one --uncheck left it checked (the value wrong). The
    officer's check is refused, pointing at --verify, and nothing is written."""
    officer = dept.member("Olga Chief", role="officer")
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "checklist")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "self-reporting", "on")
    cli("--as", str(ann), "progress", "update", "1", "--check", "uniform")
    before = snapshot()
    r = cli("--as", str(officer), "progress", "update", "1", "--check", "uniform", ok=False)
    assert r.exit_code == 1 and "waits for verification" in r.stderr and "--verify" in r.stderr, r
    assert snapshot() == before
    cli("--as", str(officer), "progress", "update", "1", "--verify")
    assert enrollment(cli)["requirements"][0]["value"] == 1
    cli("--as", str(officer), "progress", "update", "1", "--uncheck", "uniform")
    assert enrollment(cli)["requirements"][0]["value"] == 0


def test_several_checks_in_one_command_check_every_item_or_none(cli, dept, snapshot):
    """`--check A --check B` had kept B alone, silently. Every item is checked, in one
    transaction: one bad item writes none of them."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "checklist")
    cli("enroll", "add", str(ann), "Recruit")
    before = snapshot()
    r = cli("progress", "update", "1", "--check", "uniform", "--check", "bunk", ok=False)
    assert r.exit_code == 65 and "bunk" in r.stderr
    assert snapshot() == before
    r = cli("--format", "json", "progress", "update", "1", "--check", "uniform", "--check", "locker")
    assert r.json["value"] == 2, r
    assert {c["item"] for c in cli("--format", "json", "progress", "log", "1").json} == {"uniform", "locker"}
    r = cli("--format", "json", "progress", "update", "1", "--uncheck", "uniform", "--uncheck", "locker")
    assert r.json["value"] == 0, r
    r = cli("progress", "update", "1", "--check", "uniform", "--uncheck", "locker", ok=False)
    assert r.exit_code == 2
    # the same item twice (a shell history edit) is one check, not "already checked"
    logged = len(cli("--format", "json", "progress", "log", "1").json)
    r = cli("--format", "json", "progress", "update", "1", "--check", "Uniform", "--check", " uniform")
    assert r.json["value"] == 1, r
    assert len(cli("--format", "json", "progress", "log", "1").json) == logged + 1


def test_progress_pending_keeps_the_checklist_item_at_80_columns(cli, dept, monkeypatch):
    """Three self-reported checklist items, no notes: at 80 columns `progress pending`
    left out the Item column and kept the empty Note column, so the three showed as three
    identical rows. An empty column gives way first, and the item outlives a note."""
    officer, ann = dept.member("Olga Chief", role="officer"), dept.member("Ann Lee", badge="F-1")
    dept.simple_program("Recruit", "checklist")
    cli("enroll", "add", str(ann), "Recruit")
    cli("--as", str(officer), "progress", "self-reporting", "on")
    for item in ("uniform", "locker", "SCBA fit test"):
        cli("--as", str(ann), "progress", "update", "1", "--check", item)
    from trainctl.cli import render

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(render, "_consoles", {})  # Rich reads COLUMNS when a console is made
    out = cli("progress", "pending").stdout
    assert max(len(line) for line in out.splitlines()) <= 80, out
    assert [line.split("│")[6].strip() for line in out.splitlines() if line.startswith("│")] == [
        "uniform", "", "locker", "", "SCBA fit", "test"]  # fmt: skip
    assert "Item" in out and "Note" not in out, out
    assert "Credit" in out, out  # each entry's id (`progress update --credit ID`) is kept too


# ------------------------------------------------------------------ one rounding rule: half up
def test_an_exact_half_is_kept_rounded_up_as_it_is_shown(cli, dept):
    """3.3 h of 320 h is exactly 1.03125%. The row kept 1.0312 (round(): halves to even)
    while every figure shown rounds halves up (28.125 -> 28.13) and the SQL rollup's ROUND
    takes halves away from zero: one figure, two rules. The row and the enrollment now
    both keep 1.0313, and the Python rollup agrees with the SQL one."""
    from trainctl.domain import progress as dp

    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit")
    dept.link(pid, dept.requirement("Paramedic hours", "hours", required_hours=320))
    cli("enroll", "add", str(ann), "Recruit")
    r = cli("--format", "json", "progress", "update", "1", "--add", "3.3")
    assert (r.json["percentage"], r.json["enrollment_progress"]) == (1.0313, 1.0313)
    assert dp.ratio_percentage(3.3, 320) == 1.0313 == dp.rollup([(True, 1.0313)])
    assert dp.set_percentage(["0"], [str(i) for i in range(3200)])[1] == 0.0313  # 1/32 %
    assert dp.ratio_percentage(1, 3) == 33.3333 and dp.ratio_percentage(2, 3) == 66.6667
