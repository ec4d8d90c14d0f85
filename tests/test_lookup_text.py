"""A name typed or pasted into a lookup is read by the rule names are stored with
(domain.text.name_text through domain.lookup.ref_text): "CPR" with a zero-width space after
it was "No requirement 'CPR\\u200b'" though "CPR\\u200b" had been stored as CPR."""

from __future__ import annotations

import pytest

ZWSP, NBSP, WJ, BOM = "\u200b", "\u00a0", "\u2060", "\ufeff"


@pytest.fixture
def dept(cli):
    cli("member", "add", "José Núñez", "--email", "jn@fd.org", "--badge", "F-3",
        "--position", "firefighter,emt")  # fmt: skip
    cli("requirement", "add", "--name", "CPR", "--type", "hours", "--hours", "4",
        "--frequency", "annual", "--counts-category", "ems")  # fmt: skip
    cli("requirement", "add", "--name", "SCBA refresher", "--type", "hours", "--hours", "8",
        "--frequency", "annual", "--counts-category", "scba")  # fmt: skip
    cli("course", "add", "--code", "LF-1", "--name", "Live fire", "--type", "drill", "--hours", "2")
    cli("skill", "add", "Ladder raise", "--category", "firefighting")
    cli("program", "create", "Recruit Academy")
    cli("program", "requirement", "add", "1", "CPR")
    cli("program", "activate", "1")
    return cli


def test_ref_text_is_the_rule_names_are_stored_with():
    from trainctl.domain.lookup import ref_text

    assert ref_text(f" CPR{ZWSP} ") == "CPR"
    assert ref_text(f"SCBA{NBSP}refresher{WJ}") == "SCBA refresher"
    assert ref_text(f"{BOM}Jose\u0301  Nu\u0301n\u0303ez") == "José Núñez"
    assert ref_text("Zoë\u200d") == "Zoë\u200d"  # the joiners some scripts need stay


@pytest.mark.parametrize("typed", [
    f"CPR{ZWSP}", f"{BOM}CPR", f"cpr{WJ}", "CPR  ", f"CPR{NBSP}",
])  # fmt: skip
def test_requirement_show_finds_the_name_with_invisible_characters(dept, typed):
    assert dept("--format", "json", "requirement", "show", typed).json["name"] == "CPR"


@pytest.mark.parametrize("typed", [f"SCBA{NBSP}refresher", f"SCBA refresher{ZWSP}", f"scba{ZWSP} refresher "])
def test_requirement_show_two_words(dept, typed):
    assert dept("--format", "json", "requirement", "show", typed).json["name"] == "SCBA refresher"


def test_members_programs_courses_skills_and_positions(dept, snapshot):
    cli = dept
    for typed in (f"José{ZWSP} Núñez", f"Jose\u0301{NBSP}Nu\u0301n\u0303ez ", f"{BOM}josé núñez"):
        assert cli("member", "show", typed, "-f", "json").json["badge"] == "F-3"
    assert cli("program", "show", f"Recruit{NBSP}Academy{ZWSP}", "-f", "json").json["name"] == "Recruit Academy"
    assert cli("program", "show", f"recruit academy{WJ}@1", "-f", "json").json["version"] == 1
    for typed in (f"LF-1{ZWSP}", f"Live fire{ZWSP}", f"live{NBSP}fire"):
        assert cli("course", "show", typed, "-f", "json").json["code"] == "LF-1"
    assert cli("skill", "show", f"Ladder raise{ZWSP}", "-f", "json").json["name"] == "Ladder raise"
    listed = cli("member", "list", "--position", f"emt{ZWSP}", "-f", "json").json
    assert [m["badge"] for m in listed] == ["F-3"]
    # a write names them the same way
    cli("enroll", "add", f"José Núñez{ZWSP}", f"Recruit Academy{NBSP}")
    assert cli("enroll", "user", "F-3", "-f", "json").json[0]["program_id"] == 1


def test_a_name_stored_before_names_were_cleaned_is_found_either_way(dept, db):
    """A requirement or program name written with a zero-width space by an earlier
    trainctl is found by the name as it prints, and by the name as it was typed."""
    db.execute("UPDATE requirement SET name = :n WHERE name = 'SCBA refresher'", {"n": f"SCBA refresher{ZWSP}"})
    db.execute("UPDATE program SET name = :n", {"n": f"Recruit Academy{ZWSP}"})
    for typed in ("SCBA refresher", f"SCBA refresher{ZWSP}"):
        assert dept("--format", "json", "requirement", "show", typed).json["id"] == 2
    for typed in ("Recruit Academy", f"Recruit Academy{ZWSP}"):
        assert dept("--format", "json", "program", "show", typed).json["id"] == 1


def test_not_found_is_still_not_found(dept, snapshot):
    before = snapshot()
    r = dept("requirement", "show", f"CPX{ZWSP}", ok=False)
    assert r.exit_code == 1 and "No requirement 'CPX'" in r.stderr
    assert dept("enroll", "add", f"Nobody{ZWSP}", "Recruit Academy", ok=False).exit_code == 1
    assert snapshot() == before
