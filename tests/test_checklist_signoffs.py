"""Checklist items signed off for a member outside any program (`trainctl checklist check`,
table checklist_signoff, migration 0022).

The NFPA 1582 annual medical is owed by every member by position, in a program or not:
`report compliance` held a member in no program "not met" with no way to record the
physical he had on 12 March (an item could be checked only on an enrollment's progress
row). An officer now signs the items off for the member, dated the day it was done
(--as-of, else the department's day); `report compliance` and `requirement explain` read
them through the one fact loader with the items checked on enrollments, and agree.
"""

from __future__ import annotations

import pytest

ITEMS = (
    "Occupational medical evaluation", "Fitness assessment", "Vision and hearing",
    "Cardiovascular", "Respiratory",
)  # fmt: skip
NFPA_1582 = "NFPA 1582"


@pytest.fixture
def dept(cli):
    """The NFPA registry in the catalog since 2024; Ann and the officer Cy, in no program."""
    cli("--as-of", "2024-01-02", "import", "nfpa")
    cli("--as-of", "2024-01-02", "import", "iso")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("member", "add", "Cy Ruiz", "--email", "cy@fd.org", "--position", "officer",
        "--hire-date", "2010-01-10", "--role", "officer")  # fmt: skip
    return cli


def cell(cli, email: str, as_of: str) -> dict:
    data = cli("report", "compliance", "--member", email, "--requirement", NFPA_1582,
               "--as-of", as_of, "--format", "json").json  # fmt: skip
    (only,) = data["cells"]
    return only


def explain(cli, email: str, as_of: str) -> dict:
    return cli("requirement", "explain", email, NFPA_1582, "--as-of", as_of, "--format", "json").json


def agreeing(cli, email: str, as_of: str) -> tuple[str, float]:
    """The cell's status and figure, checked equal to `requirement explain`'s."""
    c, e = cell(cli, email, as_of), explain(cli, email, as_of)
    assert (c["status"], c["value"]) == (e["status"], e["value"]), (c, e)
    return c["status"], c["value"]


def sign_off(cli, email: str, day: str, items=ITEMS) -> None:
    for item in items:
        cli("checklist", "check", email, NFPA_1582, item, "--as-of", day)


def test_a_member_in_no_program_turns_met_from_the_day_of_the_physical(dept):
    assert dept("enroll", "list", "--member", "ann@fd.org", "--format", "json").json == []
    assert agreeing(dept, "ann@fd.org", "2025-06-01")[0] != "met"
    sign_off(dept, "ann@fd.org", "2025-03-12")
    assert agreeing(dept, "ann@fd.org", "2025-06-01") == ("met", 5)
    e = explain(dept, "ann@fd.org", "2025-06-01")
    assert sorted(f["what"].split(" ", 1)[1] for f in e["facts"] if f["counted"]) == sorted(ITEMS)
    assert {f["date"] for f in e["facts"]} == {"2025-03-12"}
    # as of the day before the physical: not yet; the next year's window starts empty
    assert agreeing(dept, "ann@fd.org", "2025-03-11")[1] == 0
    assert agreeing(dept, "ann@fd.org", "2026-02-01")[1] == 0
    # a global --as-of dates it the same way; the item is matched case aside
    dept("--as-of", "2026-03-02", "checklist", "check", "ann@fd.org", NFPA_1582, "fitness ASSESSMENT")
    rows = dept("checklist", "list", "--member", "ann@fd.org", "--format", "json").json
    assert (rows[0]["item"], rows[0]["checked_on"], rows[0]["checked_by"]) == (
        "Fitness assessment", "2026-03-02", "database owner",
    )  # fmt: skip
    assert agreeing(dept, "ann@fd.org", "2026-06-01")[1] == 1
    assert len(rows) == 6


def test_sign_offs_and_checks_on_an_enrollment_count_together(dept):
    """A program's checklist credit keeps working, and the two sources add up: two items
    checked on the member's enrollment, three signed off for the member."""
    dept("program", "create", "Wellness")
    dept("program", "requirement", "add", "Wellness", NFPA_1582)
    dept("program", "activate", "Wellness")
    dept("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Wellness")
    eid = str(dept("enroll", "list", "--member", "ann@fd.org", "--format", "json").json[0]["id"])
    for item in ITEMS[:2]:
        dept("--as-of", "2025-03-12", "progress", "update", "--enrollment", eid,
             "--requirement", NFPA_1582, "--check", item)  # fmt: skip
    assert agreeing(dept, "ann@fd.org", "2025-06-01")[1] == 2
    sign_off(dept, "ann@fd.org", "2025-03-14", ITEMS[2:])
    assert agreeing(dept, "ann@fd.org", "2025-06-01") == ("met", 5)


def test_an_uncheck_takes_the_item_back_from_its_day_on(dept):
    sign_off(dept, "ann@fd.org", "2025-03-12")
    r = dept("checklist", "uncheck", "ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2025-04-01",
             "--note", "entered for the wrong member")  # fmt: skip
    assert "Unchecked 'Cardiovascular'" in r.stderr and "from 2025-04-01 on" in r.stderr
    assert agreeing(dept, "ann@fd.org", "2025-03-20") == ("met", 5)  # before the uncheck
    status, value = agreeing(dept, "ann@fd.org", "2025-04-20")
    assert (status != "met", value) == (True, 4)
    # kept: `list` leaves it out, --all shows it with the day and why
    assert len(dept("checklist", "list", "--format", "json").json) == 4
    every = dept("checklist", "list", "--all", "--format", "json").json
    (gone,) = [r for r in every if r["unchecked_on"]]
    assert (gone["item"], gone["unchecked_on"], gone["uncheck_note"]) == (
        "Cardiovascular", "2025-04-01", "entered for the wrong member",
    )  # fmt: skip
    # signed off again on the day it was done again: met again from then
    sign_off(dept, "ann@fd.org", "2025-05-02", ["Cardiovascular"])
    assert agreeing(dept, "ann@fd.org", "2025-05-02") == ("met", 5)
    # an uncheck dated the day of the sign-off: it never counted
    dept("checklist", "uncheck", "ann@fd.org", NFPA_1582, "Respiratory", "--as-of", "2025-03-12")
    assert agreeing(dept, "ann@fd.org", "2025-03-12")[1] == 4


REFUSALS = [
    (["nobody@fd.org", NFPA_1582, "Cardiovascular"], 1, "No member 'nobody@fd.org'"),
    (["ann@fd.org", "NFPA 1001", "Cardiovascular"], 65,
     "REQUIREMENT: 'NFPA 1001 — Fire Fighter I & II' is a certification requirement, not a checklist"),
    # the one article rule (domain/text.a_or_an): "an hours requirement", not "a hours"
    (["ann@fd.org", "ISO-COMPANY", "Cardiovascular"], 65,
     "REQUIREMENT: 'ISO-COMPANY — Company training at stations' is an hours requirement, not a checklist"),
    (["ann@fd.org", NFPA_1582, "Eyes"], 65, "ITEM: 'NFPA 1582 — Medical and Fitness Evaluation' has no item 'Eyes'"),
    (["ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2999-01-01"], 2, "--as-of 2999-01-01 is after today"),
    # signed off on that day already (the fixture's sign-off below)
    (["ann@fd.org", NFPA_1582, "cardiovascular", "--as-of", "2025-03-12"], 1,
     "'Cardiovascular' of 'NFPA 1582 — Medical and Fitness Evaluation' is signed off for Ann Lee on "
     "2025-03-12 already"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "message"), REFUSALS, ids=lambda v: str(v)[:30])
def test_refusals_name_the_field_and_write_nothing(dept, snapshot, args, code, message):
    sign_off(dept, "ann@fd.org", "2025-03-12", ["Cardiovascular"])
    before = snapshot()
    r = dept("checklist", "check", *args, ok=False)
    assert r.exit_code == code, r
    assert message in " ".join(r.stderr.split()), r.stderr
    assert "Hint:" in r.stderr
    assert snapshot() == before


def test_an_uncheck_of_an_item_not_signed_off_is_refused(dept, snapshot):
    sign_off(dept, "ann@fd.org", "2025-03-12", ["Cardiovascular"])
    before = snapshot()
    for item, day in (("Respiratory", "2025-06-01"), ("Cardiovascular", "2025-03-11")):
        r = dept("checklist", "uncheck", "ann@fd.org", NFPA_1582, item, "--as-of", day, ok=False)
        assert r.exit_code == 1, r
        assert f"'{item}' of 'NFPA 1582 — Medical and Fitness Evaluation' is not signed off for Ann Lee on {day}" in (
            " ".join(r.stderr.split())
        )  # fmt: skip
    assert snapshot() == before


def test_nobody_signs_off_their_own_items_and_members_need_an_officer(dept, snapshot):
    before = snapshot()
    r = dept("--as", "cy@fd.org", "checklist", "check", "cy@fd.org", NFPA_1582, "Cardiovascular", ok=False)
    assert r.exit_code == 77 and "Nobody signs off their own checklist items" in r.stderr, r
    r = dept("--as", "ann@fd.org", "checklist", "check", "cy@fd.org", NFPA_1582, "Cardiovascular", ok=False)
    assert r.exit_code == 77 and "training.manage" in r.stderr, r
    assert snapshot() == before
    dept("--as", "cy@fd.org", "checklist", "check", "ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2025-03-12")
    rows = dept("--as", "ann@fd.org", "checklist", "list", "--format", "json").json
    assert [(r["member"], r["checked_by"]) for r in rows] == [("Ann Lee", "Cy Ruiz")]  # her own


def test_an_uncheck_says_when_an_earlier_sign_off_still_counts_the_item(dept):
    """Two sign-offs of the item standing (12 March, and again 2 May): `checklist uncheck
    --as-of 2025-06-01` took back the May one, said "Unchecked ... from 2025-06-01 on", and
    compliance still held the item met by the March one without a word. It now says that
    the March sign-off still counts it; a second uncheck takes that one back too."""
    sign_off(dept, "ann@fd.org", "2025-03-12")
    sign_off(dept, "ann@fd.org", "2025-05-02", ["Cardiovascular"])
    r = dept("checklist", "uncheck", "ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2025-06-01")
    said = " ".join(r.stderr.split())
    assert "(sign-off 6 of 2025-05-02)" in said, said
    assert agreeing(dept, "ann@fd.org", "2025-06-10") == ("met", 5)  # the March one stands
    assert ("'Cardiovascular' still counts for Ann Lee from 2025-03-12: sign-off 4 of that day stands, "
            "and only the latest was taken back") in said, said  # fmt: skip
    r = dept("checklist", "uncheck", "ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2025-06-01")
    said = " ".join(r.stderr.split())
    assert "(sign-off 4 of 2025-03-12)" in said and "still counts" not in said, said
    assert agreeing(dept, "ann@fd.org", "2025-06-10")[1] == 4


def test_a_sign_off_dated_before_the_hire_date_is_recorded_and_said(dept):
    """A pre-hire physical, or a typo in --as-of: kept as given, and said in the words a
    record, card, shift, call or skill checkoff dated so uses (domain/text.hired_after);
    the sign-off was recorded without a word."""
    r = dept("checklist", "check", "ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2015-01-09")
    said = " ".join(r.stderr.split())
    assert ("Ann Lee was hired on 2015-01-10, after the sign-off date 2015-01-09: recorded as given; "
            "check --as-of.") in said, said  # fmt: skip
    assert [x["checked_on"] for x in dept("checklist", "list", "--format", "json").json] == ["2015-01-09"]
    r = dept("checklist", "check", "ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2015-01-10")
    assert "hired" not in r.stderr, r.stderr


@pytest.mark.parametrize("note", ["x" * 600, "seen by Dr. Holm\nrecheck in May"], ids=["600 characters", "two lines"])
@pytest.mark.parametrize("verb", ["check", "uncheck"])
def test_a_note_takes_the_one_rule_of_every_typed_note(dept, snapshot, verb, note):
    """A sign-off's --note is shown in `checklist list` as every reason and note is shown
    by later readers: one line of plain text, at most 500 characters (domain/text
    check_reason, the one check). checklist carried its own (2,000 characters, line
    breaks kept)."""
    sign_off(dept, "ann@fd.org", "2025-03-12", ["Cardiovascular"])
    before = snapshot()
    r = dept("checklist", verb, "ann@fd.org", NFPA_1582, "Cardiovascular", "--as-of", "2025-04-01",
             "--note", note, ok=False)  # fmt: skip
    assert r.exit_code == 65, r
    said = " ".join(r.stderr.split())
    assert "Error: --note" in said and ("at most 500" in said or "line break" in said), said
    assert snapshot() == before


def test_a_deactivation_dated_back_names_the_sign_offs_after_it(dept):
    """Review: Ann's physical was signed off on 1 November; deactivated on 4 December from
    15 October, the note of what still counts after that day named records, cards, shifts
    and calls, and not the sign-offs, which count as well. Named with where to take them
    back; one taken back is not named."""
    sign_off(dept, "ann@fd.org", "2026-11-01", ITEMS[:2])
    dept("--as-of", "2026-11-02", "checklist", "uncheck", "ann@fd.org", NFPA_1582, ITEMS[1])
    ann = dept("member", "show", "ann@fd.org", "-f", "json").json["id"]
    r = dept("--as-of", "2026-12-04", "member", "deactivate", "ann@fd.org", "--effective", "2026-10-15")
    said = " ".join(r.stderr.split())
    assert ("1 checklist sign-off of Ann Lee dated on or after 2026-10-15 stays on file and still "
            "counts") in said, said  # fmt: skip
    assert f"`trainctl checklist list --member id:{ann}`" in said
    assert "`trainctl checklist uncheck`" in said
