"""An officer turns down a member's self-reported credit (`progress update --reject
--reason`): an officer found a member had reported 8 h of a class they never attended, and
could only verify it and then --set the total back. The report is kept in the ledger,
marked rejected beside its reversing entry (who, when, why); it leaves `progress pending`,
the member's own figures and the enrollment's last activity; nothing counted moves."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def show(cli, eid: int = 1) -> dict:
    return cli("--format", "json", "enroll", "show", str(eid)).json


def reported(cli, dept, kind: str = "hours") -> tuple[int, int]:
    """Ann (member) reports on progress row 1; returns (officer, ann)."""
    officer = dept.member("Olga Chief", role="officer")
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", kind)
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Recruit")
    cli("progress", "self-reporting", "on")
    return officer, ann


def test_an_officer_rejects_a_report_and_the_ledger_keeps_both_entries(cli, dept):
    officer, ann = reported(cli, dept)
    cli("--as-of", "2026-05-02", "progress", "update", "1", "--add", "2")  # counted, the officer's
    cli("--as", str(ann), "--as-of", "2026-05-03", "progress", "update", "1", "--add", "8",
        "--note", "CE class")  # fmt: skip
    assert show(cli)["requirements"][0]["pending"] == 1

    r = cli("--as", str(officer), "--as-of", "2026-05-04", "--format", "json", "progress",
            "update", "1", "--reject", "--reason", "never attended the class")  # fmt: skip
    assert (r.json["value"], r.json["status"], r.json["pending"]) == (2, "in_progress", False)
    assert "Rejected what the member reported for 'Recruit hours 1' (8 h)" in r.stderr, r
    # nothing waits any more
    assert cli("--format", "json", "--as", str(officer), "progress", "pending").json == []
    e = show(cli)
    assert (e["requirements"][0]["pending"], e["requirements"][0]["value"], e["progress"]) == (0, 2, 20)
    assert e["last_activity_on"] == "2026-05-02"  # a rejected report is nobody's activity
    # the ledger keeps the report and its rejection: who, when, why
    log = cli("--format", "json", "progress", "log", "1").json
    assert [(c["amount"], c["state"], c["entered_by"], c["entered_on"], c["counted"]) for c in log] == [
        (2, "counted", "database owner", "2026-05-02", 2),
        (8, "rejected", "Ann Lee", "2026-05-03", 0),
        (-8, "rejected", "Olga Chief", "2026-05-04", 0),
    ]
    assert log[1]["note"] == "CE class"
    assert log[1]["went"] == "not counted: rejected by Olga Chief on 2026-05-04"
    assert log[2]["note"] == "rejected: never attended the class"
    assert log[2]["source_id"] == log[1]["source_id"] + ":reject"
    table = cli("progress", "log", "1").stdout
    assert "rejected by Olga Chief on 2026-05-04" in table and "never attended the class" in table
    # the member's own figures fall back: their --set 3 now means 1 more (pending)
    r = cli("--as", str(ann), "--format", "json", "progress", "update", "1", "--set", "3")
    assert (r.json["value"], r.json["pending"]) == (2, True)
    cli("--as", str(officer), "progress", "update", "1", "--verify")
    assert show(cli)["requirements"][0]["value"] == 3


def test_a_rejected_check_no_longer_waits_and_may_be_reported_again(cli, dept):
    officer, ann = reported(cli, dept, "checklist")
    cli("--as", str(ann), "progress", "update", "1", "--check", "uniform")
    r = cli("--as", str(officer), "progress", "update", "1", "--reject", "--reason", "no uniform issued")
    assert "('uniform')" in r.stderr, r
    # the officer may now check it; nothing is counted twice
    cli("--as", str(officer), "progress", "update", "1", "--check", "uniform")
    assert show(cli)["requirements"][0]["value"] == 1
    log = cli("--format", "json", "progress", "log", "1").json
    assert [(c["item"], c["amount"], c["state"]) for c in log] == [
        ("uniform", 1, "rejected"), ("uniform", -1, "rejected"), ("uniform", 1, "counted"),
    ]
    # a rejected check is not the check an uncheck takes back: dated before it, it is
    # the officer's own check (of the day before) that the uncheck follows
    cli("--as", str(ann), "--as-of", "2026-05-10", "progress", "update", "1", "--check", "locker")
    cli("--as", str(officer), "--as-of", "2026-05-10", "progress", "update", "1", "--reject",
        "--reason", "no locker yet")  # fmt: skip
    cli("--as", str(officer), "--as-of", "2026-05-05", "progress", "update", "1", "--check", "locker")
    cli("--as", str(officer), "--as-of", "2026-05-06", "progress", "update", "1", "--uncheck", "locker")
    assert show(cli)["requirements"][0]["value"] == 1


def test_nothing_pending_is_refused_and_nothing_changes(cli, dept, snapshot):
    officer, ann = reported(cli, dept)
    cli("progress", "update", "1", "--add", "2")
    before = snapshot()
    r = cli("--as", str(officer), "progress", "update", "1", "--reject", "--reason", "x", ok=False)
    assert r.exit_code == 1, r
    assert "Error: 'Recruit hours 1' has no self-reported credit waiting for verification; nothing to reject." in r.stderr
    assert "Hint:" in r.stderr and "trainctl progress log 1" in r.stderr
    # a report rejected once is not rejected again
    cli("--as", str(ann), "progress", "update", "1", "--add", "8")
    cli("--as", str(officer), "progress", "update", "1", "--reject", "--reason", "x")
    again = snapshot()
    r = cli("--as", str(officer), "progress", "update", "1", "--reject", "--reason", "x", ok=False)
    assert r.exit_code == 1 and "nothing to reject" in r.stderr
    assert snapshot() == again
    assert before != again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--reject",), "A rejection needs a reason."),
        (("--reject", "--reason", "  "), "A rejection needs a reason."),
        (("--reject", "--reason", "x", "--verify"), "--reject goes alone"),
        (("--reject", "--reason", "x", "--add", "1"), "--reject goes alone"),
        (("--reject", "--reason", "x", "--note", "n"), "--reject goes alone"),
    ],
)
def test_a_rejection_needs_a_reason_and_goes_alone(cli, dept, snapshot, args, message):
    officer, ann = reported(cli, dept)
    cli("--as", str(ann), "progress", "update", "1", "--add", "8")
    before = snapshot()
    r = cli("--as", str(officer), "progress", "update", "1", *args, ok=False)
    assert r.exit_code == 2 and message in r.stderr, r
    assert snapshot() == before


def test_officers_only_and_never_their_own(cli, dept, snapshot):
    officer, ann = reported(cli, dept)
    bob = dept.member("Bob Ray")
    cli("--as-of", "2026-05-01", "enroll", "add", str(officer), "Recruit")
    cli("--as", str(ann), "progress", "update", "1", "--add", "8")
    cli("--as", str(officer), "progress", "update", "2", "--add", "8")  # the officer's own report
    before = snapshot()
    r = cli("--as", str(ann), "progress", "update", "1", "--reject", "--reason", "x", ok=False)
    assert r.exit_code == 77 and "Nobody rejects their own progress." in r.stderr, r
    r = cli("--as", str(bob), "progress", "update", "1", "--reject", "--reason", "x", ok=False)
    assert r.exit_code == 77, r
    r = cli("--as", str(officer), "progress", "update", "2", "--reject", "--reason", "x", ok=False)
    assert r.exit_code == 77 and "Nobody rejects their own progress." in r.stderr, r
    # nor dated before the report it turns down
    r = cli("--as", str(officer), "--as-of", "2026-05-01", "progress", "update", "1", "--reject",
            "--reason", "x", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "a rejection cannot be dated before what it rejects" in r.stderr, r
    assert snapshot() == before
    # another officer (here the database owner) rejects the officer's own report
    cli("progress", "update", "2", "--reject", "--reason", "x")


def test_on_hold_a_report_is_rejected_once_resumed(cli, dept, snapshot):
    officer, ann = reported(cli, dept)
    cli("--as", str(ann), "progress", "update", "1", "--add", "8")
    cli("enroll", "hold", "1")
    before = snapshot()
    r = cli("--as", str(officer), "progress", "update", "1", "--reject", "--reason", "x", ok=False)
    assert r.exit_code == 1 and "Enrollment 1 is on hold" in r.stderr, r
    assert snapshot() == before
    cli("enroll", "resume", "1")
    cli("--as", str(officer), "progress", "update", "1", "--reject", "--reason", "x")


# ------------------------------------------------- one entry: `--credit ID` from the listing
def two_reports(cli, dept) -> tuple[int, int, list[int]]:
    """Ann reports 3 h (right) and 8 h (wrong) on row 1; returns (officer, ann, credit ids)."""
    officer, ann = reported(cli, dept)
    cli("--as", str(ann), "--as-of", "2026-05-03", "progress", "update", "1", "--add", "3")
    cli("--as", str(ann), "--as-of", "2026-05-03", "progress", "update", "1", "--add", "8",
        "--note", "CE class")  # fmt: skip
    queue = cli("--format", "json", "--as", str(officer), "progress", "pending").json
    assert [(p["progress_id"], p["amount"]) for p in queue] == [(1, 3), (1, 8)]
    return officer, ann, [p["credit_id"] for p in queue]


def test_an_officer_rejects_one_of_two_pending_entries_by_its_id(cli, dept):
    """Two entries waited on one row, one right and one wrong: --reject turned down both.
    `progress pending` shows each entry's id; `--reject --credit ID` turns down that one,
    the other still waits, and verifying it then counts it and verifies the row."""
    officer, _, (right, wrong) = two_reports(cli, dept)
    table = cli("--as", str(officer), "progress", "pending").stdout
    assert "Credit" in table and str(wrong) in table
    r = cli("--as", str(officer), "--as-of", "2026-05-04", "--format", "json", "progress", "update",
            "1", "--reject", "--credit", str(wrong), "--reason", "never attended")  # fmt: skip
    assert (r.json["value"], r.json["pending"]) == (0, True)
    assert "(8 h)" in r.stderr and "1 other entry of the row still waits" in r.stderr, r
    queue = cli("--format", "json", "--as", str(officer), "progress", "pending").json
    assert [(p["credit_id"], p["amount"]) for p in queue] == [(right, 3)]
    log = {c["id"]: c for c in cli("--format", "json", "progress", "log", "1").json}
    assert (log[right]["state"], log[wrong]["state"]) == ("pending", "rejected")

    r = cli("--as", str(officer), "--as-of", "2026-05-04", "--format", "json", "progress", "update",
            "1", "--verify", "--credit", str(right))  # fmt: skip
    assert (r.json["value"], r.json["pending"], r.json["verified_on"]) == (3, False, "2026-05-04")
    assert cli("--format", "json", "--as", str(officer), "progress", "pending").json == []


def test_verify_one_entry_leaves_the_other_waiting_and_the_row_unverified(cli, dept):
    officer, _, (right, wrong) = two_reports(cli, dept)
    r = cli("--as", str(officer), "--as-of", "2026-05-04", "--format", "json", "progress", "update",
            "1", "--verify", "--credit", str(right))  # fmt: skip
    assert (r.json["value"], r.json["pending"], r.json["verified_on"]) == (3, True, None)
    assert "1 other entry of the row still waits" in r.stderr, r
    queue = cli("--format", "json", "--as", str(officer), "progress", "pending").json
    assert [p["credit_id"] for p in queue] == [wrong]
    # the whole-row default still rules on everything that waits
    cli("--as", str(officer), "--as-of", "2026-05-04", "progress", "update", "1", "--reject",
        "--reason", "never attended")  # fmt: skip
    assert show(cli)["requirements"][0]["value"] == 3


@pytest.mark.parametrize("args, code, said", [
    (["--credit", "1"], 2, "--credit names a pending entry"),  # no --verify / --reject
    (["--add", "1", "--verify", "--credit", "1"], 2, "not with --add"),
    (["--reject", "--credit", "99", "--reason", "x"], 1, "Credit 99 is not an entry of this row"),
])  # fmt: skip
def test_a_credit_id_that_names_no_waiting_entry_is_refused(cli, dept, snapshot, args, code, said):
    officer, _, _ = two_reports(cli, dept)
    before = snapshot()
    r = cli("--as", str(officer), "progress", "update", "1", *args, ok=False)
    assert r.exit_code == code and said in r.stderr, r
    assert snapshot() == before


def test_a_credit_already_ruled_on_or_of_another_row_is_refused(cli, dept, snapshot):
    officer, ann, (right, wrong) = two_reports(cli, dept)
    cli("--as", str(officer), "progress", "update", "1", "--verify", "--credit", str(right))
    before = snapshot()
    r = cli("--as", str(officer), "progress", "update", "1", "--reject", "--credit", str(right),
            "--reason", "x", ok=False)  # fmt: skip
    assert r.exit_code == 1 and f"Credit {right} is counted, not waiting" in r.stderr, r
    assert snapshot() == before
    # nobody rules on their own entry, one at a time either
    r = cli("--as", str(ann), "progress", "update", "1", "--verify", "--credit", str(wrong), ok=False)
    assert r.exit_code == 77, r
    assert snapshot() == before
