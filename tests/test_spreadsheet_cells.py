"""Imports fed files as Excel and Google Sheets write them (review 33): day-first dates,
a decimal comma that cuts a row in two, positions by display name, Excel's ="0042" and
scientific card numbers. Each refusal leaves the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

AS_OF = ("--as-of", "2026-12-31")


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode())
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def dept(cli):
    """Ann (badge 0042, firefighter), Bo (badge F-118) and a course of 1.5 h, in an active
    program to enroll in."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042", "--position", "firefighter")
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org", "--badge", "F-118", "--position", "firefighter")
    cli("course", "add", "--name", "EMS continuing education", "--code", "EMS-CE", "--hours", "1.5",
        "--duration", "1.5")  # fmt: skip
    cli("requirement", "add", "--name", "EMS hours", "--type", "hours", "--hours", "4")
    cli("program", "create", "Company training")
    cli("program", "requirement", "add", "1", "EMS hours")
    cli("program", "activate", "1")
    return cli


# ------------------------------------------------------------------ item 1: day-first dates
DAY_FIRST = "a slash date that reads only day-first"


@pytest.mark.parametrize(
    ("name", "text", "line", "field"),
    [  # one slash date that reads only day-first (13/3): the ambiguous 4/3 is not guessed
        ("eu.csv", "Date;Course;Badge #;Hrs\n13/3/2026;EMS-CE;F-118;1,5\n4/3/2026;EMS-CE;0042;1,5\n", 3, "date"),
        ("us.csv", "Date,Course,Badge #,Hrs\n4/3/2026,EMS-CE,0042,2\n13/3/2026,EMS-CE,F-118,2\n", 2, "date"),
        # a European locale (';' between cells) with no date over 12: not read month-first
        ("semi.csv", "Date;Course;Badge #;Hrs\n11/3/2026;EMS-CE;F-118;2\n", 2, "date"),
        # a decimal comma in a tab file
        ("tab.csv", "Date\tCourse\tBadge #\tHrs\n11/3/2026\tEMS-CE\tF-118\t1,5\n", 2, "date"),
    ],
)
def test_a_record_sheet_written_day_first_is_refused_with_its_ambiguous_dates(
    dept, tmp_path, snapshot, name, text, line, field
):
    """13/3/2026 was refused, and 4/3/2026 in the same file written as 2026-04-03 (meant
    4 March), even with --skip-invalid; a ';' file of days <= 12 imported with no word."""
    before = snapshot()
    for extra in ((), ("--skip-invalid",)):
        r = dept(*AS_OF, "record", "import", str(_file(tmp_path, name, text)), *extra, ok=False)
        assert r.exit_code == 65 and snapshot() == before, r
        err = _flat(r.stderr)
        assert f"{name}:" in err and "may be day-first" in err and "nothing was imported" in err, r
        assert f"line {line}, field {field}:" in err and "read month-first" in err, r
        assert "Write the dates as YYYY-MM-DD" in err, r


def test_every_line_of_a_day_first_refusal_names_its_file(dept, tmp_path, snapshot):
    """The refusal of a day-first sheet listed its ambiguous dates as "line 3, field date"
    and, below them, the rows' own problems as "eu2.csv, line 2, field date": one refusal
    naming its rows two ways (and, with two files given, not saying whose line 3 it was).
    Every line names the file now, in a record import as in a roster's."""
    before = snapshot()
    eu2 = _file(tmp_path, "eu2.csv", "Date,Course,Badge #,Hrs\n13/01/2026,EMS-CE,F-118,2\n"
                "02/03/2026,EMS-CE,F-118,2\n04/05/2026,EMS-CE,0042,2\n")  # fmt: skip
    eu3 = _file(tmp_path, "eu3.csv", "Date;Course;Badge #;Hrs\n02/03/2026;EMS-CE;0042;1,5\n")
    for files in ((eu2,), (eu2, eu3)):
        r = dept(*AS_OF, "record", "import", *map(str, files), ok=False)
        assert r.exit_code == 65 and snapshot() == before, r
        lines = [ln.strip() for ln in r.stderr.splitlines()[1:] if ln.startswith("  ")]
        rows = [ln for ln in lines if ", line " in ln.split(":")[0] or ln.startswith("line ")]
        assert len(rows) >= 3 and all(ln.startswith(("eu2.csv, line ", "eu3.csv, line ")) for ln in rows), r.stderr
        assert "eu2.csv, line 3, field date: '02/03/2026' is February 3 read month-first" in r.stderr, r.stderr
        assert "eu2.csv, line 2, field date: is not a date: there is no month 13" in r.stderr, r.stderr
    roster = _file(tmp_path, "ro.csv", "name;email;hire_date\nZoe Muller;zm@fd.org;15/3/2020\nJo Lind;jl@fd.org;1/7/2021\n")
    r = dept("member", "import", "--csv", str(roster), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert "  ro.csv, line 3, field hire_date: '1/7/2021' is January 7 read month-first" in r.stderr, r.stderr


def test_a_month_first_sheet_with_dates_over_12_imports_as_before(dept, tmp_path):
    """A US sheet (3/11 and 3/25: the second number over 12) is month-first, as read."""
    text = "Date,Course,Badge #,Hrs\n3/11/2026,EMS-CE,F-118,1.5\n3/25/2026,EMS-CE,0042,1.5\n"
    dept(*AS_OF, "record", "import", str(_file(tmp_path, "us.csv", text)))
    days = sorted(x["completion_date"] for x in dept("--format", "json", "record", "list").json)
    assert days == ["2026-03-11", "2026-03-25"]
    # day and month alike (5/5) read the same either way
    text = "Date;Course;Badge #;Hrs\n5/5/2026;EMS-CE;F-118;1,5\n"
    dept(*AS_OF, "record", "import", str(_file(tmp_path, "same.csv", text)))
    assert "2026-05-05" in {x["completion_date"] for x in dept("--format", "json", "record", "list").json}


def test_a_roster_written_day_first_is_refused(dept, tmp_path, snapshot):
    """Jo Lind was hired 2021-01-07 (meant 1 July) beside a refused 15/3/2020."""
    before = snapshot()
    roster = _file(tmp_path, "eu_roster.csv",
                   "name;email;hire_date\nZoe Muller;zm@fd.org;15/3/2020\nJo Lind;jl@fd.org;1/7/2021\n")  # fmt: skip
    for extra in ((), ("--skip-invalid",)):
        r = dept("member", "import", "--csv", str(roster), *extra, ok=False)
        assert r.exit_code == 65 and snapshot() == before, r
        err = _flat(r.stderr)
        assert "line 3, field hire_date: '1/7/2021' is January 7 read month-first, 7 July day-first" in err, r


def test_a_card_file_in_a_european_locale_is_refused(dept, tmp_path, snapshot):
    """10/2/2026..10/2/2028 in a ';' file became October."""
    before = snapshot()
    cards = _file(tmp_path, "cards.csv",
                  "badge;credential;number;issued;expires\nF-118;ACLS;1;10/2/2026;10/2/2028\n")  # fmt: skip
    r = dept(*AS_OF, "cert", "import", "--csv", str(cards), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    err = _flat(r.stderr)
    assert "line 2, field issued:" in err and "line 2, field expires:" in err and "European" in err, r


def test_an_enrollment_file_written_day_first_is_refused(dept, tmp_path, snapshot):
    before = snapshot()
    f = _file(tmp_path, "e.csv", "badge,target_date\nF-118,13/3/2027\n0042,4/3/2027\n")
    r = dept(*AS_OF, "enroll", "bulk", "Company training", "--csv", str(f), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert "line 3, field target_date: '4/3/2027' is April 3 read month-first" in _flat(r.stderr), r


# ---------------------------------------------- item 2: a decimal comma cuts a row in two
@pytest.mark.parametrize(
    "text",
    [  # the 5 lands in Signature (skipped), the 8th cell empty
        "Date,Course,Name,Badge #,Hrs,Signature,Notes\n3/11/2026,EMS-CE,Bo Diaz,F-118,1,5,,\n",
        # the 5 lands in Notes (read, not kept)
        "Date,Course,Badge #,Hrs,Notes\n3/11/2026,EMS-CE,F-118,1,5,\n",
    ],
)
def test_a_row_with_more_cells_than_its_header_is_refused_even_when_they_are_empty(
    dept, tmp_path, snapshot, text
):
    """Both were recorded as 1 h (the second said only "Notes: '5'")."""
    before = snapshot()
    r = dept(*AS_OF, "record", "import", str(_file(tmp_path, "hrs.csv", text)), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    err = _flat(r.stderr)
    assert "hrs.csv, line 2, field row:" in err and "cells under a header of" in err, r
    assert "1,5 for 1.5 hours" in err, r


def test_a_padded_header_takes_rows_as_wide_as_itself(dept, tmp_path):
    """Excel pads every row, the header too, to the widest: rows as wide as the header are
    read as before."""
    text = "Date,Course,Badge #,Hrs,,\n3/11/2026,EMS-CE,F-118,2,,\n"
    dept(*AS_OF, "record", "import", str(_file(tmp_path, "pad.csv", text)))
    assert [x["hours"] for x in dept("--format", "json", "record", "list").json] == [2]


def test_a_course_row_with_more_cells_than_its_header_is_refused(dept, tmp_path, snapshot):
    before = snapshot()
    f = _file(tmp_path, "c.csv", "code,name,credit_hours,duration_hours\nX-1,Test,1,5,\n")
    r = dept("course", "import", "--csv", str(f), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert "c.csv, line 2: 5 cells under a header of 4" in _flat(r.stderr), r


# ----------------------------------------------- item 3: a position's own display name
def test_a_positions_display_name_is_that_one_position(dept, tmp_path):
    """'Probationary firefighter' became probationary AND firefighter; 'Driver/operator'
    was refused as not a code."""
    f = _file(tmp_path, "pos.csv", "name,email,positions\n"
              "Pia Recruit,pia@fd.org,Probationary firefighter\n"
              "Dan Drive,dan@fd.org,Driver/operator|EMT\n")  # fmt: skip
    dept("member", "import", "--csv", str(f))
    held = {m["email"]: m["positions"] for m in dept("--format", "json", "member", "list").json}
    assert held["pia@fd.org"] == ["probationary"]
    assert held["dan@fd.org"] == ["driver", "emt"]
    dept("member", "add", "Al Bo", "--email", "al@fd.org", "--position", "Probationary firefighter",
         "--position", "driver/operator candidate")  # fmt: skip
    dept("member", "edit", "al@fd.org", "--add-position", "Chief Officer")
    held = {m["email"]: m["positions"] for m in dept("--format", "json", "member", "list").json}
    assert held["al@fd.org"] == ["probationary", "driver_candidate", "chief_officer"]
    # a crew by a position's display name
    r = dept(*AS_OF, "record", "add", "--position", "Probationary firefighter", "--course", "EMS-CE",
             "--date", "2026-03-04", "--hours", "1.5")  # fmt: skip
    assert "Recorded 2 records" in r.stderr, r


def test_an_unknown_position_offers_the_nearest(dept, snapshot, tmp_path):
    """'Fire Fighter' gave "unknown positions 'fire', 'fighter'" with no did-you-mean."""
    before = snapshot()
    r = dept("member", "add", "Al Bo", "--email", "al@fd.org", "--position", "firefigher", ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert "unknown position 'firefigher' (did you mean firefighter?)" in r.stderr, r
    f = _file(tmp_path, "pos.csv", "name,email,positions\nFay Fire,fay@fd.org,Fire Fighter\n")
    r = dept("member", "import", "--csv", str(f), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert "line 2, field positions: unknown position 'fire_fighter' (did you mean firefighter?)" in r.stderr, r


# ------------------------------------------------- item 4: ="0042" and 1.23457E+15
def test_excel_text_formula_cells_are_read_as_their_text(dept, tmp_path):
    """member import stored badge '="0077"'; sheets and enroll bulk found no member with
    the badge '="0042"'."""
    dept("member", "import", "--csv", str(_file(tmp_path, "m.csv", 'name,email,badge\nNew Guy,ng@fd.org,="0077"\n')))
    assert dept("--format", "json", "member", "show", "ng@fd.org").json["badge"] == "0077"
    sheet = _file(tmp_path, "s.csv", 'Date,Course,Badge #,Hrs\n2026-03-11,EMS-CE,="0042",1.5\n')
    dept(*AS_OF, "record", "import", str(sheet))
    assert [x["member"] for x in dept("--format", "json", "record", "list").json] == ["Ann Lee"]
    f = _file(tmp_path, "e.csv", 'badge\n="0042"\n')
    r = dept(*AS_OF, "enroll", "bulk", "Company training", "--csv", str(f))
    assert "Enrolled 1 member" in r.stderr, r


def test_a_card_number_excel_rounded_is_refused(dept, tmp_path, snapshot):
    before = snapshot()
    cards = _file(tmp_path, "cards.csv",
                  "badge,credential,number,issued,expires\nF-118,ACLS,1.23457E+15,2026-01-01,2028-01-01\n")  # fmt: skip
    r = dept(*AS_OF, "cert", "import", "--csv", str(cards), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    err = _flat(r.stderr)
    assert "cards.csv, line 2, field number:" in err and "Excel rounded" in err and "as Text" in err, r


# ------------------------------------- item 5: Excel day numbers, 2-digit years, timestamps
def test_a_date_excel_gave_as_a_number_or_with_a_short_year_says_so(dept, tmp_path, snapshot):
    """45658 and 1/5/26 were both "is not a date (write it as YYYY-MM-DD or M/D/YYYY)"."""
    before = snapshot()
    text = "Date,Course,Badge #,Hrs\n45658,EMS-CE,F-118,1.5\n1/5/26,EMS-CE,0042,1.5\n"
    r = dept(*AS_OF, "record", "import", str(_file(tmp_path, "n.csv", text)), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    err = _flat(r.stderr)
    assert "line 2, field date: is not a date: 45658 looks like an Excel date number (that day: 2025-01-01); " \
           "format the column as a date" in err, r  # fmt: skip
    assert "line 3, field date: is not a date: its year has 2 digits (26)" in err, r


def test_a_form_timestamp_is_its_date(dept, tmp_path):
    """A Google Forms timestamp (2026-03-11 09:00:00) was refused; 3/11/2026 0:00 was read."""
    text = "Date,Course,Badge #,Hrs\n2026-03-11 09:00:00,EMS-CE,F-118,1.5\n3/12/2026 17:30,EMS-CE,0042,1.5\n"
    dept(*AS_OF, "record", "import", str(_file(tmp_path, "form.csv", text)))
    days = sorted(x["completion_date"] for x in dept("--format", "json", "record", "list").json)
    assert days == ["2026-03-11", "2026-03-12"]


def test_a_roster_with_several_kinds_of_problems_gives_each_hint(dept, tmp_path, snapshot):
    """Only the positions hint was printed."""
    before = snapshot()
    f = _file(tmp_path, "r.csv", "name,email,positions,hire_date\nA B,ab@fd.org,wizard,2020-01-01\n"
              "C D,cd@fd.org,firefighter,45658\n")  # fmt: skip
    r = dept("member", "import", "--csv", str(f), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    hint = _flat(r.stderr.split("Hint:", 1)[1])
    assert "`trainctl member positions` lists the positions" in hint, r
    assert "Write dates as YYYY-MM-DD" in hint and "add --skip-invalid" in hint, r


# ------------------------------------------------------- item 6: title rows above the header
def test_title_rows_above_the_header_are_named(dept, tmp_path, snapshot):
    """"unknown column: 'Station 12 Training Sign-in'" did not say where the header was."""
    before = snapshot()
    text = ("Station 12 Training Sign-in,,,\nInstructor: Capt. Marsh,,,\n,,,\n"
            "Date,Course,Badge #,Hrs\n3/11/2026,EMS-CE,F-118,2\n")  # fmt: skip
    r = dept(*AS_OF, "record", "import", str(_file(tmp_path, "t.csv", text)), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert ("the column names must be on the first line; line 4 names the columns: delete the rows above "
            "it (line 1 'Station 12 Training Sign-in', line 2 'Instructor: Capt. Marsh')") in _flat(r.stderr), r  # fmt: skip
    f = _file(tmp_path, "m.csv", "Roster 2026,,\nname,email,badge\nX Y,xy@fd.org,9\n")
    r = dept("member", "import", "--csv", str(f), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert "line 2 names the columns: delete the row above it (line 1 'Roster 2026')" in _flat(r.stderr), r


# ---------------------------------------------------- item 7: typos that change reports
def test_a_hire_date_years_ahead_or_a_century_back_is_said(dept, tmp_path):
    f = _file(tmp_path, "h.csv", "name,email,hire_date\nQ Q,qq@fd.org,1/5/2062\nR R,rr@fd.org,1926-01-05\n"
              "S S,ss@fd.org,2026-06-01\n")  # fmt: skip
    r = dept(*AS_OF, "member", "import", "--csv", str(f))
    err = _flat(r.stderr)
    assert "h.csv, line 2, field hire_date: hired 2062-01-05 is more than a year after today (2026-12-31)" in err, r
    assert "h.csv, line 3, field hire_date: hired 1926-01-05 is before 1940" in err, r
    assert "line 4" not in err, r
    r = dept(*AS_OF, "member", "add", "T T", "--email", "tt@fd.org", "--hire-date", "2062-01-05")
    assert "--hire-date: hired 2062-01-05 is more than a year after today" in _flat(r.stderr), r
    r = dept(*AS_OF, "member", "edit", "tt@fd.org", "--hire-date", "1926-01-05")
    assert "--hire-date: hired 1926-01-05 is before 1940" in _flat(r.stderr), r
    assert dept("--format", "json", "member", "show", "tt@fd.org").json["hire_date"] == "1926-01-05"


def test_hours_far_above_the_courses_duration_are_said_and_kept(dept, tmp_path):
    """150 h of a 1.5-h course went in without a word."""
    text = "Date,Course,Badge #,Hrs\n3/11/2026,EMS-CE,F-118,150\n3/11/2026,EMS-CE,0042,4.5\n"
    r = dept(*AS_OF, "record", "import", str(_file(tmp_path, "h.csv", text)))
    err = _flat(r.stderr)
    assert "h.csv, line 2, field hours: 150 hours is more than 3 times the course's 1.5 h" in err, r
    assert "line 3" not in err, r  # 3 times: an academy day, not said
    r = dept(*AS_OF, "record", "add", "--members", "F-118", "--course", "EMS-CE", "--date", "2026-03-12",
             "--hours", "15")  # fmt: skip
    assert "--hours: 15 hours is more than 3 times the course's 1.5 h" in _flat(r.stderr), r
    assert sorted(x["hours"] for x in dept("--format", "json", "record", "list").json) == [4.5, 15, 150]
