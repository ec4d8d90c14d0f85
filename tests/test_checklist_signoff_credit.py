"""One checklist sign-off counts everywhere: `checklist check` credits the member's programs.

An officer signed Ann's annual physical off with `checklist check` and compliance counted
it, but her enrollment in a program linking the same checklist still showed the item
unchecked (`enroll show`, progress), and the README told the officer to check it on the
enrollment too. A sign-off is now a source of the credit feed (services/credit_feed.py),
as a skill checkoff is:

- a check credits the item on the member's enrollments holding that checklist, dated the
  sign-off's day, in the same command; an uncheck reverses that credit alone (an item
  checked by hand on the enrollment stays);
- a new enrollment takes the sign-offs on file from its start, as it takes records;
- a requirement edit that removes an item takes its credit back (re-credit, as for the
  other sources), and putting the item back credits it again;
- `progress update --uncheck` refuses an item that only a sign-off checks (the program
  would say unchecked while the sign-off and compliance say checked): the sign-off is
  taken back with `checklist uncheck`, and the enrollment follows;
- compliance counts the sign-off once (not again as the program credit it gave).
"""

from __future__ import annotations

import pytest

ITEMS = ("Medical exam", "Fitness assessment", "Vision and hearing")
REQ = "Annual physical"


@pytest.fixture
def dept(cli):
    """Ann (enrolled in Wellness since 2025-01-02, which links the annual physical and an
    orientation checklist naming an item of the same name) and Bo (in no program yet)."""
    for name, email in (("Ann Lee", "ann@fd.org"), ("Bo Diaz", "bo@fd.org")):
        cli("member", "add", name, "--email", email, "--position", "firefighter", "--hire-date", "2015-01-10")
    items = [a for i in ITEMS for a in ("--item", i)]
    cli("--as-of", "2024-01-02", "requirement", "add", "--name", REQ, "--type", "checklist",
        "--frequency", "annual", *items)  # fmt: skip
    cli("--as-of", "2024-01-02", "requirement", "add", "--name", "Orientation", "--type", "checklist",
        "--item", "Medical exam", "--item", "Locker")  # fmt: skip
    cli("program", "create", "Wellness")
    cli("program", "requirement", "add", "Wellness", REQ)
    cli("program", "requirement", "add", "Wellness", "Orientation")
    cli("program", "activate", "Wellness")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Wellness")
    return cli


def row(cli, email: str, requirement: str = REQ) -> dict:
    """The member's Wellness progress row on `requirement`, as `enroll show` gives it."""
    (e,) = cli("enroll", "list", "--member", email, "--format", "json").json
    shown = cli("enroll", "show", str(e["id"]), "--format", "json").json
    (found,) = [r for r in shown["requirements"] if r["requirement"] == requirement]
    return {**found, "enrollment": str(e["id"])}


def log(cli, email: str, requirement: str = REQ) -> list[tuple[str, str, str, float, str]]:
    """The row's ledger: (entered_on, source, source_id, amount, item)."""
    r = row(cli, email, requirement)
    rows = cli("progress", "log", "--enrollment", r["enrollment"], "--requirement", requirement,
               "--format", "json").json  # fmt: skip
    return [(c["entered_on"], c["source"], c["source_id"], c["amount"], c["item"]) for c in rows]


def compliance(cli, email: str, as_of: str) -> tuple[str, float, list[str]]:
    """The matrix cell (status, value), checked equal to `requirement explain`'s, and the
    facts explain counts."""
    (c,) = cli("report", "compliance", "--member", email, "--requirement", REQ, "--as-of", as_of,
               "--format", "json").json["cells"]  # fmt: skip
    e = cli("requirement", "explain", email, REQ, "--as-of", as_of, "--format", "json").json
    assert (c["status"], c["value"]) == (e["status"], e["value"]), (c, e)
    return c["status"], c["value"], sorted(f["what"] for f in e["facts"])


def test_a_sign_off_credits_the_enrollment_dated_its_day_and_counts_once(dept):
    r = dept("checklist", "check", "ann@fd.org", REQ, "Medical exam", "--as-of", "2025-03-12")
    assert "Credited 1 progress row for 1 member." in r.stderr
    got = row(dept, "ann@fd.org")
    assert (got["value"], got["target"], got["status"]) == (1, 3, "in_progress")
    assert log(dept, "ann@fd.org") == [("2025-03-12", "checklist_signoff", "1", 1, "Medical exam")]
    # the orientation checklist's item of the same name is another item: not credited
    assert row(dept, "ann@fd.org", "Orientation")["value"] == 0
    # compliance reads the sign-off once, not again as the program credit it gave
    assert compliance(dept, "ann@fd.org", "2025-06-01")[1:] == (1, ["#signoff:1 Medical exam"])
    for item in ITEMS[1:]:
        r = dept("checklist", "check", "ann@fd.org", REQ, item, "--as-of", "2025-03-14", "--format", "json")
        assert r.json["credits"] == 1
    got = row(dept, "ann@fd.org")
    assert (got["value"], got["status"]) == (3, "completed")
    assert compliance(dept, "ann@fd.org", "2025-06-01")[:2] == ("met", 3)


def test_an_uncheck_reverses_the_sign_offs_credit_and_never_a_hand_check(dept):
    eid = row(dept, "ann@fd.org")["enrollment"]
    # Vision checked by hand on the enrollment, then signed off too
    dept("--as-of", "2025-03-01", "progress", "update", "--enrollment", eid, "--requirement", REQ,
         "--check", "Vision and hearing")  # fmt: skip
    for item in ("Medical exam", "Vision and hearing"):
        dept("checklist", "check", "ann@fd.org", REQ, item, "--as-of", "2025-03-12")
    assert row(dept, "ann@fd.org")["value"] == 2
    r = dept("checklist", "uncheck", "ann@fd.org", REQ, "Medical exam", "--as-of", "2025-04-01", "--format", "json")
    assert r.json["reversed"] == 1 and "Took back 1 program credit it gave." in r.stderr
    # the hand check of Vision stays when its sign-off is taken back
    r = dept("checklist", "uncheck", "ann@fd.org", REQ, "Vision and hearing", "--as-of", "2025-04-01")
    got = row(dept, "ann@fd.org")
    assert (got["value"], got["status"]) == (1, "in_progress")
    entries = log(dept, "ann@fd.org")
    assert ("2025-04-01", "checklist_signoff", "1:void", -1, "Medical exam") in entries
    assert ("2025-04-01", "checklist_signoff", "2:void", -1, "Vision and hearing") in entries
    assert [e for e in entries if e[1] == "checklist_item"] == [
        ("2025-03-01", "checklist_item", entries[0][2], 1, "Vision and hearing")
    ]
    # and compliance agrees with the program: the hand check alone counts
    assert compliance(dept, "ann@fd.org", "2025-06-01")[1] == 1


def test_progress_update_never_unchecks_what_a_sign_off_checks(dept, snapshot):
    """The choice: the enrollment never says unchecked while the sign-off stands (and
    compliance counts it). `progress update --uncheck` of an item only a sign-off checks
    is refused, naming the `checklist uncheck` that takes it back everywhere; nothing is
    written. A hand check beside a sign-off is taken back as ever (the item stays checked:
    the sign-off still counts, in the program and in compliance alike)."""
    eid = row(dept, "ann@fd.org")["enrollment"]
    dept("checklist", "check", "ann@fd.org", REQ, "Medical exam", "--as-of", "2025-03-12")
    before = snapshot()
    r = dept("--as-of", "2025-04-01", "progress", "update", "--enrollment", eid, "--requirement", REQ,
             "--uncheck", "Medical exam", ok=False)  # fmt: skip
    assert r.exit_code == 1
    assert "'Medical exam' of 'Annual physical' is signed off for the member" in r.stderr
    assert "checklist uncheck id:1 'Annual physical' 'Medical exam'" in r.stderr
    assert snapshot() == before
    # checking it by hand again is refused too: it is checked, by the sign-off
    r = dept("--as-of", "2025-04-01", "progress", "update", "--enrollment", eid, "--requirement", REQ,
             "--check", "medical EXAM", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "already checked" in r.stderr and "signed off for the member" in r.stderr
    assert snapshot() == before
    # a hand check made before the sign-off: its uncheck takes the hand check back only
    dept("--as-of", "2025-03-01", "progress", "update", "--enrollment", eid, "--requirement", REQ,
         "--check", "Fitness assessment")  # fmt: skip
    dept("checklist", "check", "ann@fd.org", REQ, "Fitness assessment", "--as-of", "2025-03-12")
    dept("--as-of", "2025-04-01", "progress", "update", "--enrollment", eid, "--requirement", REQ,
         "--uncheck", "Fitness assessment")  # fmt: skip
    assert row(dept, "ann@fd.org")["value"] == 2
    assert compliance(dept, "ann@fd.org", "2025-06-01")[1] == 2


def test_a_new_enrollment_takes_the_sign_offs_on_file_from_its_start(dept):
    """As records: a sign-off dated on or after the enrollment's start credits it (dated
    that day); one before the enrollment began counts in compliance, not in the program;
    an unchecked one credits nothing."""
    dept("checklist", "check", "bo@fd.org", REQ, "Medical exam", "--as-of", "2025-02-10")
    dept("checklist", "check", "bo@fd.org", REQ, "Fitness assessment", "--as-of", "2025-03-12")
    dept("checklist", "check", "bo@fd.org", REQ, "Vision and hearing", "--as-of", "2025-03-12")
    dept("checklist", "uncheck", "bo@fd.org", REQ, "Vision and hearing", "--as-of", "2025-03-13")
    dept("--as-of", "2025-03-01", "enroll", "add", "bo@fd.org", "Wellness")
    got = row(dept, "bo@fd.org")
    assert (got["value"], got["status"]) == (1, "in_progress")
    assert [(e[1], e[2], e[4]) for e in log(dept, "bo@fd.org")] == [("checklist_signoff", "2", "Fitness assessment")]
    assert compliance(dept, "bo@fd.org", "2025-06-01")[1] == 2


def test_an_item_removed_from_the_checklist_takes_its_credit_back(dept, snapshot):
    """As for every source when what counts changes (credit_feed.recredit_requirements):
    the credit of an item no longer listed is reversed, history kept; the item listed
    again is credited again (dated the edit's day)."""
    dept("checklist", "check", "ann@fd.org", REQ, "Medical exam", "--as-of", "2025-03-12")
    dept("checklist", "check", "ann@fd.org", REQ, "Fitness assessment", "--as-of", "2025-03-12")
    dept("requirement", "edit", REQ, "--item", "Fitness assessment", "--item", "Vision and hearing")
    got = row(dept, "ann@fd.org")
    assert (got["value"], got["target"]) == (1, 2)
    assert [(e[2], e[3]) for e in log(dept, "ann@fd.org") if e[4] == "Medical exam"] == [("1", 1), ("1:recredit:1", -1)]
    dept("requirement", "edit", REQ, *[a for i in ITEMS for a in ("--item", i)])
    assert row(dept, "ann@fd.org")["value"] == 2
    assert ("1:recredit:2", 1) in [(e[2], e[3]) for e in log(dept, "ann@fd.org")]
    # an uncheck dated before that credit took effect is refused, nothing written
    before = snapshot()
    r = dept("checklist", "uncheck", "ann@fd.org", REQ, "Medical exam", "--as-of", "2025-06-01", ok=False)
    assert r.exit_code == 1 and "an uncheck cannot be dated before the credit it takes back" in r.stderr
    assert snapshot() == before
    # one dated today takes back exactly what is left
    dept("checklist", "uncheck", "ann@fd.org", REQ, "Medical exam")
    assert row(dept, "ann@fd.org")["value"] == 1


def test_a_sign_off_waits_for_its_step_in_a_sequential_program(cli):
    """The program's order holds a sign-off back as it holds a record: the step before
    done, the sign-off on file credits the checklist that day (CreditFeed `_open`)."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--hire-date", "2015-01-10")
    cli("--as-of", "2024-01-02", "requirement", "add", "--name", "Drill", "--type", "hours", "--hours", "2",
        "--counts-category", "drill")  # fmt: skip
    cli("--as-of", "2024-01-02", "requirement", "add", "--name", REQ, "--type", "checklist", "--item", "Medical exam")
    cli("program", "create", "Academy", "--structure", "sequential")
    cli("program", "requirement", "add", "Academy", "Drill")
    cli("program", "requirement", "add", "Academy", REQ)
    cli("program", "activate", "Academy")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Academy")
    r = cli("checklist", "check", "ann@fd.org", REQ, "Medical exam", "--as-of", "2025-03-12")
    assert "1 credit not given: the program's order does not take them" in r.stderr
    assert row(cli, "ann@fd.org")["value"] == 0
    cli("--as-of", "2025-03-20", "progress", "update", "--enrollment", "1", "--requirement", "Drill", "--add", "2")
    assert log(cli, "ann@fd.org") == [("2025-03-20", "checklist_signoff", "1", 1, "Medical exam")]
    assert row(cli, "ann@fd.org")["status"] == "completed"
