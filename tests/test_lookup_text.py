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


# ------------------------------------------ names of programs, courses and skills on the way in
def _names(db, table: str) -> list[str]:
    return [n for (n,) in db.rows(f"SELECT name FROM {table} ORDER BY id")]


def test_program_course_and_skill_names_are_stored_clean_on_every_way_in(cli, db, tmp_path):
    """A program, course or skill name pasted with a no-break space and a zero-width space
    was stored as pasted: it printed as 'Driver Training', yet `program create 'Driver
    Training'` made a second program beside it. Every way in now stores it as members' and
    requirements' names are (domain.text.name_text), found by its plain spelling."""
    cli("requirement", "add", "--name", "Pump drill", "--type", "hours", "--hours", "2",
        "--frequency", "annual")  # fmt: skip
    cli("program", "create", f"Driver{NBSP}Training{ZWSP}")
    cli("program", "duplicate", "Driver Training", "--name", f"{BOM}Pump{NBSP}Ops{ZWSP}")
    assert _names(db, "program") == ["Driver Training", "Pump Ops"]
    cli("program", "edit", "Pump Ops", "--name", f"Pump{NBSP}Operations{WJ}")
    cli("program", "phase", "add", "Driver Training", "1", f"Classroom{ZWSP}")
    (tmp_path / "p.toml").write_text(
        f'name = "Aerial{NBSP}Ops{ZWSP}"\n[[requirements]]\nname = "Pump drill"\n', encoding="utf-8"
    )
    cli("program", "apply", "--file", str(tmp_path / "p.toml"))
    assert _names(db, "program") == ["Driver Training", "Pump Operations", "Aerial Ops"]
    assert _names(db, "program_phase") == ["Classroom"]
    cli("course", "add", "--code", "LF-1", "--name", f"Live{NBSP}fire{ZWSP}")
    cli("course", "add", "--code", "PO-1", "--name", "Pump ops")
    cli("course", "edit", "PO-1", "--name", f"Pump{NBSP}operations{ZWSP}")
    (tmp_path / "courses.csv").write_text(f"code,name\nRS-1,Rope{NBSP}rescue{ZWSP}\n", encoding="utf-8")
    cli("course", "import", "--csv", str(tmp_path / "courses.csv"))
    assert _names(db, "course") == ["Live fire", "Pump operations", "Rope rescue"]
    cli("skill", "add", f"Ladder{NBSP}raise{ZWSP}", "--category", "firefighting")
    assert _names(db, "skill_evaluation") == ["Ladder raise"]
    # found by the plain spelling, and by the pasted one
    assert cli("program", "show", "Driver Training", "-f", "json").json["id"] == 1
    assert cli("program", "show", "Aerial Ops", "-f", "json").json["id"] == 3
    assert cli("course", "show", "Rope rescue", "-f", "json").json["code"] == "RS-1"
    assert cli("skill", "show", "Ladder raise", "-f", "json").json["name"] == "Ladder raise"
    assert cli("skill", "show", f"Ladder{NBSP}raise{ZWSP}", "-f", "json").json["name"] == "Ladder raise"


def test_a_pasted_name_is_refused_as_the_duplicate_it_is(cli, snapshot, tmp_path):
    """The plain name, typed after the pasted one (or the other way round), is the same
    name: refused as a duplicate, nothing written."""
    cli("program", "create", f"Driver{NBSP}Training{ZWSP}")
    cli("program", "create", "Pump Ops")
    cli("course", "add", "--name", f"Live{NBSP}fire{ZWSP}")
    cli("skill", "add", "Ladder raise")
    before = snapshot()
    r = cli("program", "create", "Driver Training", ok=False)
    assert r.exit_code == 1 and "'Driver Training' version 1 already exists" in r.stderr
    r = cli("program", "edit", "Pump Ops", "--name", f"Driver Training{ZWSP}", ok=False)
    assert r.exit_code == 1 and "'Driver Training' version 1 already exists" in r.stderr
    r = cli("program", "duplicate", "Pump Ops", "--name", f"Driver{NBSP}Training", ok=False)
    assert r.exit_code == 1 and "another program" in r.stderr
    r = cli("course", "add", "--name", "Live fire", ok=False)
    assert r.exit_code == 65 and "course 1's" in r.stderr
    r = cli("skill", "add", f"Ladder{NBSP}raise{ZWSP}", ok=False)
    assert r.exit_code == 65 and "exists already (skill 1)" in r.stderr
    assert snapshot() == before


def test_a_typographic_apostrophe_names_the_member_stored_with_a_plain_one(cli, tmp_path):
    """'Sean O’Brien', as a phone, Word or a spreadsheet types it, named nobody beside the
    stored "Sean O'Brien" (review r1); and the other way round. Names stay as typed."""
    cli("member", "add", "Sean O'Brien", "--email", "sob@fd.example", "--badge", "7")
    cli("member", "add", "Ann O\u2019Hara", "--email", "aoh@fd.example", "--badge", "8")
    assert cli("--format", "json", "member", "show", "sean o\u2019brien").json["badge"] == "7"
    assert cli("--format", "json", "member", "show", "Ann O'Hara").json["name"] == "Ann O\u2019Hara"
    sheet = tmp_path / "s.csv"
    sheet.write_text("Date,Course,Member,Hrs\n2026-03-11,Drill,Sean O\u2019Brien,2\n"
                     "2026-03-11,Drill,Ann O'Hara,2\n", encoding="utf-8")  # fmt: skip
    r = cli("--as-of", "2026-04-01", "record", "import", str(sheet))
    assert "2 added" in r.stderr, r
    # a name cell beside the badge: the same name, not "not quite the member's"
    sheet.write_text("Date,Course,Badge,Name,Hrs\n2026-03-12,Drill,7,Sean O\u2019Brien,2\n", encoding="utf-8")
    r = cli("--as-of", "2026-04-01", "record", "import", str(sheet))
    assert "1 added" in r.stderr and "is not that of" not in r.stderr, r
