"""A reference that names nothing is offered the names that start with or contain the
words typed (domain.lookup.offered, the one rule of the program, course and requirement
lookups' "Did you mean"): `enroll add F-238 "EMT Recert"` and `requirement show Hazmat`
offered nothing, though the program is "EMT Recertification" and the requirement
"Hazmat Operations Refresher" (neither a whole word nor a near spelling reached them)."""

from __future__ import annotations

import pytest

NAMES = ["EMT Recertification", "Probationary Firefighter", "Hazmat Operations Refresher", "ISO-HAZMAT",
         "Fire Officer I", "Fire Officer II", "Firefighter I", "Firefighter II", "Señal drill"]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ("EMT Recert", ["EMT Recertification"]),  # starts with the text
        ("emt recert", ["EMT Recertification"]),  # case aside
        ("recert", ["EMT Recertification"]),  # a word starts with it
        ("certif", ["EMT Recertification"]),  # contains it
        ("Hazmat", ["Hazmat Operations Refresher", "ISO-HAZMAT"]),  # starting with it first
        ("hazmat refresher", ["Hazmat Operations Refresher"]),  # every word typed
        ("senal", ["Señal drill"]),  # accents aside
        ("Fire", []),  # four start with it: names nothing
        ("Fire Officer", ["Fire Officer I", "Fire Officer II"]),
        ("Probationary Firefightr", ["Probationary Firefighter"]),  # else a near spelling
        ("Zed", []),
        ("", []),
    ],
)
def test_offered_names_start_with_or_contain_the_words_typed(typed, wanted):
    from trainctl.domain.lookup import offered

    assert offered(typed, NAMES) == wanted


@pytest.fixture
def dept(cli):
    cli("import", "iso")
    cli("member", "add", "Sam Ortiz", "--email", "so@fd.org", "--badge", "F-238", "--position", "emt")
    cli("requirement", "add", "--name", "Hazmat Operations Refresher", "--type", "hours", "--hours", "6",
        "--frequency", "annual")  # fmt: skip
    cli("program", "create", "EMT Recertification")
    cli("program", "requirement", "add", "1", "Hazmat Operations Refresher")
    cli("program", "activate", "1")
    cli("course", "add", "--code", "HM-OPS", "--name", "Hazmat operations refresher", "--type", "class",
        "--hours", "8")  # fmt: skip
    return cli


def test_enroll_add_offers_the_program_starting_with_the_words(dept, snapshot):
    before = snapshot()
    r = dept("enroll", "add", "F-238", "EMT Recert", ok=False)
    assert r.exit_code == 1 and "Error: No program 'EMT Recert'." in r.stderr, r
    assert "Hint: Did you mean 'EMT Recertification'? Name it by id" in r.stderr, r
    assert snapshot() == before


def test_requirement_show_offers_the_names_containing_the_word(dept, snapshot):
    before = snapshot()
    r = dept("requirement", "show", "Hazmat", ok=False)
    assert r.exit_code == 1 and "Error: No requirement 'Hazmat'." in r.stderr, r
    assert "Hint: Did you mean 'Hazmat Operations Refresher' or 'ISO-HAZMAT'? Name a requirement" in r.stderr, r
    assert snapshot() == before


def test_course_show_offers_the_codes_and_names_containing_the_word(dept, snapshot):
    before = snapshot()
    r = dept("course", "show", "hazmat", ok=False)
    assert r.exit_code == 1 and "Error: No course 'hazmat'." in r.stderr, r
    assert "Hint: Did you mean 'Hazmat operations refresher'? Name a course by its code" in r.stderr, r
    r = dept("course", "show", "HM-OP", ok=False)
    assert "Hint: Did you mean 'HM-OPS'? Name a course" in r.stderr, r
    r = dept("course", "show", "Zed", ok=False)
    assert r.exit_code == 1 and "Did you mean" not in r.stderr, r
    assert snapshot() == before
