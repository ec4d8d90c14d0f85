"""Training records end to end through the CLI: a crew drill in one command credits the
crew's matching requirements; sheets as people deliver them; idempotent imports; voids;
permissions; dates at the edges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

AS_OF = ("--as-of", "2026-12-31")


def _sheet(tmp_path: Path, name: str, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    body = text.replace("\n", "\r\n") if crlf else text
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode())
    return path


@pytest.fixture
def crew(cli):
    """An officer, 20 firefighters (badges 0001-0020) and an inactive member, enrolled on
    2026-01-01 in a program whose 'Drill hours' counts drills and whose 'EMS hours' does not."""
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    for i in range(1, 21):
        cli("member", "add", f"Fire Fighter {i:02d}", "--email", f"ff{i:02d}@fd.org",
            "--badge", f"{i:04d}", "--position", "firefighter")  # fmt: skip
    cli("member", "add", "Cy Retired", "--email", "cy@fd.org", "--badge", "0099", "--status", "inactive")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--counts-type", "drill")  # fmt: skip
    cli("requirement", "add", "--name", "EMS hours", "--type", "hours", "--hours", "4",
        "--counts-category", "ems")  # fmt: skip
    cli("program", "create", "Company training")
    cli("program", "requirement", "add", "1", "Drill hours")
    cli("program", "requirement", "add", "1", "EMS hours")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Company training",
        "--members", ",".join(f"ff{i:02d}@fd.org" for i in range(1, 21)))  # fmt: skip
    return cli


def _drill_progress(cli, enrollment: int) -> tuple[float, float]:
    rows = cli("--format", "json", "enroll", "show", str(enrollment)).json["requirements"]
    by = {r["requirement"]: r["value"] for r in rows}
    return by["Drill hours"], by["EMS hours"]


def test_a_crew_drill_in_one_command_credits_once_and_a_void_takes_it_back(crew, tmp_path):
    r = crew(*AS_OF, "record", "add", "--position", "firefighter", "--course", "Ladder drill",
             "--type", "drill", "--date", "2026-03-04", "--hours", "2")  # fmt: skip
    assert "Recorded 20 records" in r.stderr and "Credited 20 progress rows for 20 members" in r.stderr
    assert all(_drill_progress(crew, e) == (2, 0) for e in (1, 10, 20))

    # the same drill again, and the same sheet imported: nothing twice
    r = crew(*AS_OF, "record", "add", "--members", "ff01@fd.org,0002", "--course", "ladder  DRILL",
             "--type", "drill", "--date", "2026-03-04", "--hours", "2")  # fmt: skip
    assert "2 already recorded" in r.stderr and "Credited" not in r.stderr
    sheet = _sheet(tmp_path, "drill.csv", "email,course,date,hours,type\n"
                   + "".join(f"ff{i:02d}@fd.org,Ladder drill,2026-03-04,2,drill\n" for i in range(1, 21)))  # fmt: skip
    r = crew(*AS_OF, "record", "import", str(sheet))
    assert "20 rows read, 0 added, 20 already recorded" in r.stderr
    assert _drill_progress(crew, 1) == (2, 0)

    # void takes the credit back; the record is kept
    crew(*AS_OF, "record", "void", "1", "--reason", "logged for the wrong crew")
    assert _drill_progress(crew, 1) == (0, 0)
    shown = crew("--format", "json", "record", "show", "1").json
    assert shown["void_reason"] == "logged for the wrong crew"
    assert [c["amount"] for c in shown["credits"]] == [2, -2]
    assert "already void" in crew("record", "void", "1", "--reason", "again").stderr

    # progress log shows the credit and its reversal; the repeat added nothing
    progress_id = crew("--format", "json", "enroll", "show", "1").json["requirements"][0]["progress_id"]
    log = crew("--format", "json", "progress", "log", str(progress_id)).json
    assert [(c["source"], c["source_id"], c["amount"]) for c in log] == [
        ("training_record", "1", 2), ("training_record", "1:void", -2),
    ]  # fmt: skip
    # a sheet naming the void record does not bring it back
    r = crew(*AS_OF, "record", "import", str(sheet))
    assert "1 match void records" in r.stderr and _drill_progress(crew, 1) == (0, 0)


def test_a_record_on_file_with_other_hours_or_status_is_refused_not_kept_silently(crew, snapshot):
    """A completion after the scheduled row, or the same drill with other hours, reported
    "1 already recorded" and kept the old row: the completion was lost, nothing credited.
    Refused, naming the record on file and how to change it; nothing written. The same
    values again are still "already recorded"."""
    base = (*AS_OF, "record", "add", "ff01@fd.org", "--course", "Ladder drill", "--type", "drill",
            "--date", "2026-03-04")  # fmt: skip
    crew(*base, "--hours", "2", "--status", "scheduled")
    before = snapshot()
    r = crew(*base, "--hours", "2", ok=False)
    assert r.exit_code == 65, r.stderr
    assert "on file as 2 h, scheduled; given 2 h, completed" in r.stderr
    assert "trainctl record void" in r.stderr
    assert snapshot() == before
    r = crew(*base, "--hours", "3", "--status", "scheduled", ok=False)
    assert r.exit_code == 65 and "on file as 2 h, scheduled; given 3 h, scheduled" in r.stderr
    assert snapshot() == before
    r = crew(*base, "--hours", "2", "--status", "scheduled")
    assert "1 already recorded" in r.stderr
    # void the scheduled row, add the completion: credited
    rid = crew("--format", "json", "record", "list", "--member", "ff01@fd.org").json[0]["id"]
    crew(*AS_OF, "record", "void", str(rid), "--reason", "held")
    r = crew(*base, "--hours", "2")
    assert "Recorded 1 record" in r.stderr and _drill_progress(crew, 1) == (2, 0)


def test_a_sheet_row_on_file_or_given_twice_with_other_values_is_refused(crew, tmp_path, snapshot):
    """The import side of the rule above: a sheet row whose record is on file with other
    hours or status, or given twice in the sheets with other values, is a problem of its
    line (nothing written); --skip-invalid writes the others and rejects it. The same
    values again are still 'already recorded'."""
    crew(*AS_OF, "record", "add", "ff01@fd.org", "--course", "Ladder drill", "--type", "drill",
         "--date", "2026-03-04", "--hours", "2")  # fmt: skip
    sheet = _sheet(tmp_path, "drill.csv", (
        "email,course,date,hours,type\n"
        "ff01@fd.org,Ladder drill,2026-03-04,4,drill\n"
        "ff02@fd.org,Ladder drill,2026-03-04,2,drill\n"
        "ff03@fd.org,Ladder drill,2026-03-04,2,drill\n"
        "ff03@fd.org,Ladder drill,2026-03-04,3,drill\n"
    ))  # fmt: skip
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(sheet), ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "drill.csv, line 2, field hours: record 1 (Ladder drill, 2026-03-04) is on file as 2 h, completed; given 4 h, completed" in r.stderr
    assert "drill.csv, line 5, field hours: line 4 gives this record as 2 h, completed; this line 3 h, completed" in r.stderr
    r = crew(*AS_OF, "record", "import", str(sheet), "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "4 rows read, 2 added" in r.stderr, r.stderr
    assert _drill_progress(crew, 1) == (2, 0) and _drill_progress(crew, 3) == (2, 0)
    same = _sheet(tmp_path, "same.csv", "email,course,date,hours,type\nff01@fd.org,Ladder drill,2026-03-04,2,drill\n")
    assert "1 already recorded" in crew(*AS_OF, "record", "import", str(same)).stderr


def test_a_crew_is_named_as_call_add_names_one(crew):
    """`--member` repeated, commas in it, `-m` and the positional member all add up to one
    crew (as `call add --member` does); a member named twice is recorded once."""
    r = crew(*AS_OF, "record", "add", "ff01@fd.org", "--member", "0002", "--member", "0003,0004",
             "-m", "ff04@fd.org", "--course", "Hose drill", "--type", "drill",
             "--date", "2026-03-05", "--hours", "1")  # fmt: skip
    assert "Recorded 4 records" in r.stderr, r.stderr
    assert [_drill_progress(crew, e) for e in (1, 2, 3, 4, 5)] == [(1, 0)] * 4 + [(0, 0)]


def test_a_messy_sign_in_sheet_imports_exactly_the_right_rows(crew, tmp_path, snapshot):
    text = (
        "Name;E-mail;Badge #;Course;Date;Hours;Self-Paced;;\n"
        "Fire Fighter 01;FF01@FD.Org ;;Ladder drill;2026-03-04;2;no;;\n"
        "Fire Fighter 02;;2;Ladder drill;2026-03-04;1,5;;;\n"
        " Fire Fighter 03 ; ;  0003 ;  Ladder drill ; 2026-03-04 ; 2.5 ;;;\n"
        "\n"
        "Cy Retired;cy@fd.org;;Ladder drill;2026-03-04;2;;;\n"
    )
    sheet = _sheet(tmp_path, "sign-in.csv", text, bom=True, crlf=True)
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(sheet), "--topic", "ladders", ok=False)
    assert r.exit_code == 65 and snapshot() == before  # nothing written without --skip-invalid
    assert "sign-in.csv, line 6, field email: Cy Retired (cy@fd.org) was inactive on 2026-03-04" in r.stderr

    r = crew(*AS_OF, "record", "import", str(sheet), "--topic", "ladders", "--skip-invalid", ok=False)
    assert r.exit_code == 65
    assert "4 rows read, 3 added" in r.stderr and "1 rejected" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("Hint:")
    rows = crew("--format", "json", "record", "list").json
    assert sorted((x["email"], x["hours"], x["topic"], x["source_line"]) for x in rows) == [
        ("ff01@fd.org", 2, "ladders", 2), ("ff02@fd.org", 1.5, "ladders", 3),
        ("ff03@fd.org", 2.5, "ladders", 4),
    ]  # fmt: skip


def test_a_sheet_naming_its_people_in_a_name_column_alone(crew, tmp_path, snapshot):
    """A sign-in sheet as people sign it: "Name" and the class, no e-mail or badge column.
    It was refused ("no column names the member"); the Name column names the member, as a
    member column does (a full name; a name nobody has is that row's problem, with an offer)."""
    sheet = _sheet(tmp_path, "names.csv", (
        "Name,Signature,Class,Date,Hrs\n"
        "Fire Fighter 01,FF,Ladder drill,2026-03-04,2\n"
        "fire fighter 02 ,x,Ladder drill,2026-03-04,1.5\n"
        "Fire Fightr 03,x,Ladder drill,2026-03-04,2\n"
    ), bom=True, crlf=True)  # fmt: skip
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(sheet), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r.stderr
    assert "names.csv, line 4, field member: no member has the badge or name 'Fire Fightr 03'" in r.stderr
    assert "Fire Fighter 03" in r.stderr  # the closest name offered
    fixed = _sheet(tmp_path, "names.csv", sheet.read_text(encoding="utf-8-sig").replace("Fightr", "Fighter"))
    crew(*AS_OF, "record", "import", str(fixed))
    rows = crew("--format", "json", "record", "list").json
    assert sorted((x["email"], x["hours"]) for x in rows) == [
        ("ff01@fd.org", 2), ("ff02@fd.org", 1.5), ("ff03@fd.org", 2)]


def test_sheet_problems_are_named_with_file_line_and_field(crew, tmp_path, snapshot):
    a = _sheet(tmp_path, "a.csv", "email,course,date,hours\nff01@fd.org,Drill,2026-03-04,2\n")
    b = _sheet(tmp_path, "b.csv", (
        "badge\tcourse\tdate\thours\n"
        "0404\tDrill\t2026-03-04\t2\n"
        "0005\tDrill\t2025-02-29\t2\n"
        "0006\tDrill\t2026-03-04\t-1\n"
        "0007\t\t2026-03-04\t2\n"
        "0008\tDrill\t2027-01-02\t2\n"
    ))  # fmt: skip
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(a), str(b), ok=False)
    assert r.exit_code == 65 and snapshot() == before
    for text in (
        "b.csv, line 2, field badge: no member has the badge '0404'",
        "b.csv, line 3, field date: is not a date: 2025 is not a leap year",
        "b.csv, line 4, field hours: must be 0 or more hours (got '-1')",
        "b.csv, line 5, field course: is required",
        "b.csv, line 6, field date: 2027-01-02 is after today",
    ):
        assert text in r.stderr, r.stderr
    r = crew(*AS_OF, "record", "import", str(_sheet(tmp_path, "c.csv", "who,course,date\nx,y,z\n")), ok=False)
    assert r.exit_code == 65 and "unknown column: 'who'" in r.stderr
    r = crew(*AS_OF, "record", "import", str(_sheet(tmp_path, "d.csv", "Signature,course,date\nx,y,2026-01-01\n")),
             ok=False)  # fmt: skip
    assert r.exit_code == 65 and "no column names the member" in r.stderr


def test_a_value_under_no_column_refuses_its_row(crew, tmp_path, snapshot):
    """ "1,5" hours in a comma sheet are two cells: the 5 under no column (past the header,
    or under an empty header cell) refuses the row, naming it; never 1 h kept silently.
    Quoted, or in a semicolon sheet, "1,5" is 1.5 h. Shift and call sheets read alike."""
    before = snapshot()
    for text in ("email,course,date,hours\nff01@fd.org,Drill,2026-03-04,1,5\n",
                 "email,course,date,hours,\nff01@fd.org,Drill,2026-03-04,1,5\n"):  # fmt: skip
        r = crew(*AS_OF, "record", "import", str(_sheet(tmp_path, "a.csv", text)), ok=False)
        assert r.exit_code == 65 and snapshot() == before
        assert ("a.csv, line 2, field row: '5' under no column: a comma inside a value? Write decimal "
                'hours with a point (1.5), or quote the value ("1,5"); a column of its own needs a '
                "header (e.g. notes)") in " ".join(r.stderr.split()), r  # fmt: skip
    for text in ('email,course,date,hours,\nff01@fd.org,Drill,2026-03-04,"1,5",\n',  # an empty trailing column
                 "email;course;date;hours\nff02@fd.org;Drill;2026-03-04;1,5\n"):  # fmt: skip
        crew(*AS_OF, "record", "import", str(_sheet(tmp_path, "b.csv", text)))
    hours = {x["member"]: x["hours"] for x in crew("--format", "json", "record", "list").json}
    assert hours == {"Fire Fighter 01": 1.5, "Fire Fighter 02": 1.5}
    sheet = _sheet(tmp_path, "shifts.csv", "email,shift_date,station,shift,time_in,time_out\n"
                   "ff03@fd.org,2026-03-04,Station 1,A,2026-03-04T07:00-05:00,2026-03-04T19:00-05:00,oops\n")  # fmt: skip
    r = crew(*AS_OF, "shift", "import", "--csv", str(sheet), ok=False)
    assert r.exit_code == 65 and "line 2, field row: 'oops' under no column" in " ".join(r.stderr.split()), r


def test_a_quote_left_open_in_a_signature_refuses_the_row_with_the_lines_it_took(crew, tmp_path, snapshot):
    """A stray quote in the Signature column (read by nobody) took the next line into that
    cell, up to the quote that closed it: ff02's row was gone without a word. Its row is
    refused, naming the column; with --skip-invalid the rows after it are imported and the
    reject file holds the row with what it took. A quote left open on the last line takes
    only the line's end: nothing is lost, and the row is imported."""
    sheet = _sheet(tmp_path, "s.csv", (
        "email,course,date,hours,Signature\n"
        'ff01@fd.org,Drill,2026-03-04,1,"F. One\n'
        'ff02@fd.org,Drill,2026-03-04,1,"F Two"\n'
        "ff03@fd.org,Drill,2026-03-04,1,F3\n"
        'ff04@fd.org,Drill,2026-03-04,1,"F. Four\n'
    ))  # fmt: skip
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(sheet), ok=False)
    err = " ".join(r.stderr.split())
    assert r.exit_code == 65 and snapshot() == before, r
    assert "s.csv, line 2, field Signature: contains a line break (U+000A)" in err, r
    assert "line 5" not in err
    r = crew(*AS_OF, "record", "import", str(sheet), "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "3 rows read, 2 added, 1 rejected" in " ".join(r.stderr.split()), r
    assert {x["member"] for x in crew("--format", "json", "record", "list").json} == {
        "Fire Fighter 03", "Fire Fighter 04"}  # fmt: skip
    rejects = (tmp_path / "s.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[1].startswith('"Signature: contains a line break (U+000A)')
    assert rejects[1].endswith(',ff01@fd.org,Drill,2026-03-04,1,"F. One') and len(rejects) == 3
    assert rejects[2] == 'ff02@fd.org,Drill,2026-03-04,1,F Two"""', rejects


def test_what_a_sheet_says_for_people_is_not_lost_without_a_word(crew, tmp_path, snapshot):
    """Columns kept for people are skipped, but: time in/out without hours is refused (the
    course default would be taken silently); a row's notes are shown with its line; a name
    that is not the member's whom the e-mail or badge names is said (case, order and
    accents aside), and the row stays theirs; a name that is another member's refuses the
    row (it names two members)."""
    before = snapshot()
    times = _sheet(tmp_path, "t.csv", "email,course,date,Time In,Time Out\nff01@fd.org,Drill,2026-03-04,18:00,21:30\n")
    r = crew(*AS_OF, "record", "import", str(times), ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "the sheet has 'Time In' and 'Time Out' but no hours column" in " ".join(r.stderr.split()), r
    crew(*AS_OF, "record", "import", str(times), "--hours", "3.5", "--dry-run")  # an hours option will do
    # a name that is another member's: the row names two members, refused as two member
    # columns that disagree (the e-mail typed one digit off credits someone else)
    wrong = _sheet(tmp_path, "w.csv", "email,name,course,date,hours\nff01@fd.org,fire fighter  02,Drill,2026-03-04,2\n")
    r = crew(*AS_OF, "record", "import", str(wrong), ok=False)
    err = " ".join(r.stderr.split())
    assert r.exit_code == 65 and snapshot() == before, r
    assert ("w.csv, line 2, field name: the row names two members (email is Fire Fighter 01; name 'fire fighter 02' "
            "is Fire Fighter 02 (ff02@fd.org)); correct the email if the row is about Fire Fighter 02, or the "
            "name if it is about Fire Fighter 01") in err, r  # fmt: skip
    sheet = _sheet(tmp_path, "n.csv", (
        "email,name,course,date,hours,notes\n"
        "ff01@fd.org,Fire Fighter 92,Drill,2026-03-04,2,left early - sick\n"
        "ff02@fd.org,\"FIGHTER 02, Fire\",Drill,2026-03-04,2,\n"
    ))  # fmt: skip
    r = crew(*AS_OF, "record", "import", str(sheet))
    err = " ".join(r.stderr.split())
    assert "n.csv, line 2: notes: 'left early - sick': notes are not kept; check that the row is right." in err, r
    assert ("n.csv, line 2: the name 'Fire Fighter 92' is not that of Fire Fighter 01, whom the row's e-mail "
            "or badge names: taken as theirs; check the row.") in err, r  # fmt: skip
    assert "line 3" not in err and "2 added" in err
    assert {x["member"] for x in crew("--format", "json", "record", "list").json} == {"Fire Fighter 01", "Fire Fighter 02"}


def test_a_row_whose_e_mail_names_nobody_says_whose_name_it_carries(crew, tmp_path, snapshot):
    """A sign-in form's e-mail typed wrong ("ff3@fd.org") or left blank beside a name that
    is one member's: the refusal said only "no member has the e-mail" or "is required", and
    the officer looked the name up by hand. It now says whose name the row carries and
    which cell to correct (as `enroll bulk` says it), and offers the closest to a name that
    names nobody; the rows are still refused, nothing written."""
    sheet = _sheet(tmp_path, "form.csv", (
        "email,name,course,date,hours\n"
        "ff3@fd.org,Fire Fighter 03,Drill,2026-03-04,2\n"
        ",fire fighter 04,Drill,2026-03-04,2\n"
        ",Fire Fightr 05,Drill,2026-03-04,2\n"
        "ff06@fd.org,Fire Fighter 06,Drill,2026-03-04,2\n"
    ))  # fmt: skip
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(sheet), ok=False)
    err = " ".join(r.stderr.split())
    assert r.exit_code == 65 and snapshot() == before, r
    assert ("form.csv, line 2, field email: no member has the e-mail 'ff3@fd.org'; the row's name is that of "
            "Fire Fighter 03 (ff03@fd.org): correct the e-mail, or the name if the row is about someone "
            "else") in err, r  # fmt: skip
    assert ("form.csv, line 3, field member: is required (an e-mail, badge or member column); the row's name "
            "is that of Fire Fighter 04 (ff04@fd.org): put their e-mail or badge in the row") in err, r  # fmt: skip
    assert ("form.csv, line 4, field member: is required (an e-mail, badge or member column); the row's name "
            "'Fire Fightr 05' names nobody (did you mean Fire Fighter 05 (badge 0005)?)") in err, r  # fmt: skip
    assert "line 5" not in err, r


def test_a_row_whose_name_is_written_last_name_first_is_that_member_as_enroll_bulk_reads_it(
    crew, tmp_path, snapshot
):
    """The roster's "Fire Fighter 03" written "Fighter 03, Fire" on a sign-in form beside a
    mistyped e-mail: `enroll bulk` says the row's name is Fire Fighter 03's (the words of
    a name, queries.members.NameIndex), but a sheet import matched the whole name only and
    said it "names nobody either (did you mean Fire Fighter 03 ...?)". One rule now: the
    same answer as enroll bulk's; the rows are still refused, nothing written."""
    sheet = _sheet(tmp_path, "form.csv", (
        "email,name,course,date,hours\n"
        "ff3@fd.org,\"Fighter 03, Fire\",Drill,2026-03-04,2\n"
        ",\"Fighter 04, Fire\",Drill,2026-03-04,2\n"
    ))  # fmt: skip
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(sheet), ok=False)
    err = " ".join(r.stderr.split())
    assert r.exit_code == 65 and snapshot() == before, r
    assert ("form.csv, line 2, field email: no member has the e-mail 'ff3@fd.org'; the row's name is that of "
            "Fire Fighter 03 (ff03@fd.org): correct the e-mail, or the name if the row is about someone "
            "else") in err, r  # fmt: skip
    assert ("form.csv, line 3, field member: is required (an e-mail, badge or member column); the row's name "
            "is that of Fire Fighter 04 (ff04@fd.org): put their e-mail or badge in the row") in err, r  # fmt: skip
    assert "names nobody" not in err, r


def test_many_rows_with_notes_show_the_first_five_and_how_many_more(crew, tmp_path):
    """A 40-row sheet whose every row has a note must not bury the summary: five lines,
    then how many more, each kind of warning counted on its own."""
    body = "".join(f"ff01@fd.org,Drill {i},2026-03-{i + 1:02d},1,note {i}\n" for i in range(7))
    sheet = _sheet(tmp_path, "many.csv", "email,course,date,hours,notes\n" + body)
    err = " ".join(crew(*AS_OF, "record", "import", str(sheet), "--dry-run").stderr.split())
    assert "many.csv, line 6: notes: 'note 4'" in err and "line 7: notes" not in err
    assert "... and 2 more rows with notes." in err
    assert "... and 2 more course names not in the catalog." in err  # 'Drill 0'.. are new names


def test_a_bad_option_is_named_once_as_the_option(crew, tmp_path, snapshot):
    """`--date 2026-02-29` (no such day) or `--hours -3` fills every blank of the sheets: it
    was reported on every line ("line 2, field date", "line 3, field date", ...) as if the
    sheets were wrong. One error naming the option; nothing written."""
    sheet = _sheet(tmp_path, "names.csv", "email\nff01@fd.org\nff02@fd.org\nff03@fd.org\n")
    before = snapshot()
    for option, value, says in (("--date", "2026-02-29", "--date: "), ("--hours", "-3", "--hours: ")):
        r = crew(*AS_OF, "record", "import", str(sheet), "--course", "Ladder drill", "--hours", "2",
                 option, value, ok=False)  # fmt: skip
        assert r.exit_code == 65 and says in r.stderr, r.stderr
        assert "line 2" not in r.stderr and "field" not in r.stderr
        assert snapshot() == before
    r = crew(*AS_OF, "record", "import", str(sheet), "--course", "Ladder drill", "--hours", "2",
             "--date", "2024-02-29")  # fmt: skip
    assert "3 added" in r.stderr


def test_badges_without_leading_zeros_unless_ambiguous(cli, tmp_path, db):
    cli("member", "add", "Ann", "--email", "ann@fd.org", "--badge", "042")
    # 0042 beside 042 is refused now (services.members: one badge to a sheet), but a
    # database from before holds such pairs: a sheet's 42 is then ambiguous, not a guess
    r = cli("member", "add", "Bo", "--email", "bo@fd.org", "--badge", "0042", ok=False)
    assert r.exit_code == 65 and "0042 reads as 042 on a sign-in sheet" in r.stderr
    cli("member", "add", "Bo", "--email", "bo@fd.org")
    db.execute("UPDATE member SET badge = '0042' WHERE email = 'bo@fd.org'")
    cli("member", "add", "Cy", "--email", "cy@fd.org", "--badge", "0007")
    sheet = _sheet(tmp_path, "s.csv", "badge,course,date,hours\n7,Drill,2026-03-04,1\n42,Drill,2026-03-04,1\n"
                   "0042,Drill,2026-03-05,1\n")  # fmt: skip
    r = cli(*AS_OF, "record", "import", str(sheet), "--skip-invalid", ok=False)
    assert "line 3, field badge: badge '42' matches badges 0042, 042" in r.stderr
    assert sorted(x["email"] for x in cli("--format", "json", "record", "list").json) == ["bo@fd.org", "cy@fd.org"]


@pytest.mark.parametrize("day", ["2024-02-29", "2025-12-31", "2026-01-01"])
def test_leap_days_and_year_ends(crew, day):
    crew("--as-of", "2027-01-01", "record", "add", "0001", "--course", "Night drill", "--type", "drill",
         "--date", day, "--hours", "1")  # fmt: skip
    rows = crew("--format", "json", "record", "list", "--from", day, "--to", day).json
    assert [r["completion_date"] for r in rows] == [day]
    # only a record on/after the enrollment (2026-01-01) credits it
    assert _drill_progress(crew, 1)[0] == (1 if day >= "2026-01-01" else 0)


def test_course_expiry_and_defaults_fill_the_record(cli):
    cli("member", "add", "Ann", "--email", "ann@fd.org")
    cli("course", "add", "--name", "CPR for providers", "--code", "CPR", "--hours", "4",
        "--expiration-months", "24", "--type", "class", "--topic", "ems", "--self-paced")  # fmt: skip
    cli("--as-of", "2026-12-31", "record", "add", "ann@fd.org", "--course", "cpr", "--date", "2024-03-15")
    cli("--as-of", "2026-12-31", "record", "add", "ann@fd.org", "--course", "cpr", "--date", "2024-02-29")
    recs = cli("--format", "json", "record", "list").json
    rec = recs[0]
    # valid for 24 months as a card without an expiry is (domain/certs.held_through): through
    # the day before the same day 24 months on (a leap day's, which 2026 lacks: 2026-02-28)
    assert [r["expiration_date"] for r in recs] == ["2026-03-14", "2026-02-28"]
    assert (rec["course_code"], rec["hours"], rec["training_type"],
            rec["category"], rec["self_paced"]) == ("CPR", 4, "class", "ems", True)  # fmt: skip


def test_permissions_and_what_a_member_sees(crew, snapshot):
    crew(*AS_OF, "record", "add", "0001", "--course", "Drill", "--type", "drill", "--date", "2026-03-04", "--hours", "1")
    crew(*AS_OF, "record", "add", "0002", "--course", "Drill", "--type", "drill", "--date", "2026-03-04", "--hours", "1")
    before = snapshot()
    r = crew("--as", "ff01@fd.org", *AS_OF, "record", "add", "0001", "--course", "Drill", "--date",
             "2026-03-05", "--hours", "9", ok=False)  # fmt: skip
    assert r.exit_code == 77 and "training.manage" in r.stderr and snapshot() == before
    r = crew("--as", "ff01@fd.org", "record", "void", "2", "--reason", "x", ok=False)
    assert r.exit_code == 77 and snapshot() == before
    mine = crew("--as", "ff01@fd.org", "--format", "json", "record", "list").json
    assert [m["email"] for m in mine] == ["ff01@fd.org"]
    assert crew("--as", "ff01@fd.org", "record", "list", "--member", "ff02@fd.org", ok=False).exit_code == 77
    assert crew("--as", "ff01@fd.org", "record", "show", "2", ok=False).exit_code == 77
    assert crew("--as", "olive@fd.org", "--format", "json", "record", "show", "2").json["id"] == 2
    r = crew("--as", "olive@fd.org", *AS_OF, "record", "add", "0001", "--course", "Drill", "--date",
             "2026-03-05", "--hours", "1")  # fmt: skip
    assert "Recorded 1" in r.stderr


def test_refusals_write_nothing(crew, snapshot):
    before = snapshot()
    for args, code, text in [
        # a member who cannot be recorded is refused as by every other add (exit 1); values are bad input (65)
        (["record", "add", "--members", "0001,nobody@fd.org", "--course", "Drill"], 1, "nobody@fd.org: No member 'nobody@fd.org'"),
        (["record", "add", "cy@fd.org", "--course", "Drill", "--hours", "1"], 1, "inactive"),
        (["record", "add", "0001", "--course", "Drill"], 65, "--hours: is required"),
        (["record", "add", "0001", "--course", "Drill", "--hours", "1", "--status", "done-ish"], 65, "--status"),
        (["record", "add", "0001", "--course", "Drill", "--hours", "1", "--status", "failed", "--passed"], 65,
         "says passed, but the status is failed"),
        (["record", "add", "0001", "--course", "code:NOPE", "--hours", "1"], 65, "no course has the code 'NOPE'"),
        (["record", "add", "0001", "--course", "id:77", "--hours", "1"], 65, "no course has the id 77"),
        (["record", "void", "99", "--reason", "x"], 1, "No training record '99'"),
        (["record", "void", "1", "--reason", " "], 2, "needs a reason"),
    ]:
        r = crew(*AS_OF, *args, ok=False)
        assert r.exit_code == code, (args, r)
        assert text in r.stderr and "Error:" in r.stderr, (args, r)
        assert snapshot() == before, args


def test_dry_runs_write_nothing(crew, tmp_path, snapshot):
    sheet = _sheet(tmp_path, "s.csv", "email,course,date,hours,type\nff01@fd.org,Drill,2026-03-04,2,drill\n")
    before = snapshot()
    r = crew(*AS_OF, "record", "import", str(sheet), "--dry-run")
    # a dry run says what it would do: no "Credited" for a credit that was never written
    assert "1 would add" in r.stderr and "Would credit 1 progress row" in r.stderr
    assert "Credited" not in r.stderr
    r = crew(*AS_OF, "record", "add", "--position", "firefighter", "--course", "Drill", "--hours", "1",
             "--type", "drill", "--dry-run")  # fmt: skip
    assert "Would record 20" in r.stderr and "Would credit 20 progress rows" in r.stderr
    # JSON of a dry run names no id: the ids a rolled-back transaction handed out are no row's
    r = crew(*AS_OF, "--format", "json", "record", "add", "ff01@fd.org", "--course", "Drill",
             "--hours", "1", "--dry-run")  # fmt: skip
    assert r.exit_code == 0, r
    assert r.json["record_ids"] == [] and r.json["added"] == 1 and r.json["dry_run"] is True
    assert snapshot() == before


def test_a_position_stands_for_its_holders_on_the_records_day(crew, snapshot, tmp_path):
    """A drill entered late is credited to who held the position that day (by the members'
    history), not to who holds it now; the command names them."""
    # ff01 was promoted to officer on 2026-03-10; ff02 retired on 2026-03-10; Nia joined the
    # firefighters on 2026-03-10 (she was an EMT before)
    crew("member", "edit", "ff01@fd.org", "--position", "officer", "--effective", "2026-03-10")
    crew("member", "edit", "ff02@fd.org", "--status", "inactive", "--effective", "2026-03-10")
    crew("member", "add", "Nia New", "--email", "nia@fd.org", "--position", "emt")
    crew("member", "edit", "nia@fd.org", "--position", "firefighter", "--effective", "2026-03-10")
    # Dan was hired on 2026-04-01: a drill of March is none of his
    crew("--as-of", "2026-04-01", "member", "add", "Dan Recruit", "--email", "dan@fd.org",
         "--position", "firefighter", "--hire-date", "2026-04-01")  # fmt: skip

    # the position as typed in any case, the date as a sheet writes it, the position twice:
    # the code and the ISO day are echoed, each position once
    r = crew(*AS_OF, "--format", "json", "record", "add", "--position", " FireFighter ", "-p", "firefighter",
             "--course", "Hose drill", "--type", "drill", "--date", "3/4/2026", "--hours", "2")  # fmt: skip
    assert r.exit_code == 0, r
    [taken] = r.json["positions"]
    assert taken["position"] == "firefighter" and taken["date"] == "2026-03-04"
    names = [m["name"] for m in taken["members"]]
    assert len(names) == 20 and names == sorted(names) and "Fire Fighter 01" in names
    assert "Fire Fighter 02" in names and "Nia New" not in names and "Dan Recruit" not in names
    assert {"id", "name", "email"} <= set(taken["members"][0])

    r = crew(*AS_OF, "record", "add", "--position", "firefighter", "--course", "Hose drill",
             "--type", "drill", "--date", "2026-03-11", "--hours", "2")  # fmt: skip
    assert r.exit_code == 0, r
    assert "Recorded 19 records" in r.stderr
    assert "--position firefighter on 2026-03-11: 19 members: " in r.stderr
    assert "Nia New <nia@fd.org>" in r.stderr and "ff01@" not in r.stderr and "ff02@" not in r.stderr
    assert "Dan Recruit" not in r.stderr
    listed = crew("--format", "json", "record", "list", "--course", "Hose drill").json
    on = {}
    for row in listed:
        on.setdefault(row["completion_date"], set()).add(row["member"])
    assert "Nia New" in on["2026-03-11"] and "Nia New" not in on["2026-03-04"]
    assert "Fire Fighter 01" in on["2026-03-04"] and "Fire Fighter 01" not in on["2026-03-11"]

    # named, Dan is taken for a day before his hire (a pre-hire academy), and the command
    # says so: a typo in --date would otherwise go unseen
    r = crew(*AS_OF, "record", "add", "dan@fd.org", "--course", "Academy day 1", "--date", "2026-03-30",
             "--hours", "8")  # fmt: skip
    assert r.exit_code == 0 and "Recorded 1 record (" in r.stderr and "(s)" not in r.stderr, r
    assert "Dan Recruit <dan@fd.org> was hired on 2026-04-01, after the record's date 2026-03-30" in r.stderr
    r = crew(*AS_OF, "record", "add", "dan@fd.org", "--course", "Academy day 2", "--date", "2026-04-01",
             "--hours", "8")  # fmt: skip
    assert r.exit_code == 0 and "was hired on" not in r.stderr, r
    # a sign-in sheet says it too, naming the file and line (the day before the hire, not
    # the hire day itself)
    sheet = tmp_path / "academy.csv"
    sheet.write_text("email,course,date,hours\ndan@fd.org,Academy day 0,3/31/2026,8\n"
                     "dan@fd.org,Academy day 3,2026-04-01,8\n", encoding="utf-8")  # fmt: skip
    r = crew(*AS_OF, "record", "import", str(sheet))
    assert "academy.csv, line 2: Dan Recruit was hired on 2026-04-01, after the record's date 2026-03-31" in r.stderr, r
    assert "line 3:" not in r.stderr and "2 added" in r.stderr

    # a position nobody held on the day is refused, naming the day; nothing is written
    before = snapshot()
    r = crew(*AS_OF, "record", "add", "--position", "officer", "--course", "Hose drill",
             "--date", "2026-03-04", "--hours", "2", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "--position officer: no active member held it on 2026-03-04" in r.stderr, r
    assert snapshot() == before
    # a position the department does not have is named as such; a bad date before any crew
    for args, code, text in [
        (["--position", "Fire-Fighter"], 1, "--position fire_fighter: unknown position (`trainctl member positions`"),
        (["--position", "paramedic", "--date", "2026-13-01"], 65, "--date: "),
    ]:  # fmt: skip
        r = crew(*AS_OF, "record", "add", *args, "--course", "Hose drill", "--hours", "2", ok=False)
        assert r.exit_code == code and text in r.stderr, (args, r)
        assert "no active member" not in r.stderr, r
        assert snapshot() == before


def test_course_catalog(cli, tmp_path, snapshot):
    courses = _sheet(tmp_path, "courses.csv", (
        "Course Code;Course Name;Type;Topic;Credit Hours;Prerequisites;Expiration (months);Self-Paced;\n"
        "FF1;Firefighter I;class;structural_firefighting;120;;;no;\n"
        "FF2;Firefighter II;class;structural_firefighting;80;FF1;;no;\n"
        "CPR;CPR for providers;class;ems;4;;24;yes;\n"
    ), bom=True)  # fmt: skip
    r = cli("course", "import", "--csv", str(courses))
    assert "3 added, 0 updated, 0 unchanged" in r.stderr
    assert "0 added, 0 updated, 3 unchanged" in cli("course", "import", "--csv", str(courses)).stderr
    shown = cli("--format", "json", "course", "show", "ff2").json
    assert shown["prerequisites"] == [1] and shown["credit_hours"] == 80
    assert [c["code"] for c in cli("--format", "json", "course", "list", "--topic", "EMS").json] == ["CPR"]
    cli("course", "edit", "CPR", "--hours", "4.5", "--clear", "expiration_months")
    assert cli("--format", "json", "course", "show", "CPR").json["expiration_months"] is None
    before = snapshot()
    for args, code in [
        (["course", "edit", "FF1", "--prerequisite", "FF2"], 1),  # a loop
        (["course", "add", "--name", "Dup", "--code", "cpr"], 65),
        (["course", "add", "--name", "X", "--hours", "1e300"], 65),
        (["course", "add", "--name", "X", "--expiration-months", "99999999999999999999"], 65),
        (["course", "show", "nope"], 1),
    ]:
        assert cli(*args, ok=False).exit_code == code, args
    assert snapshot() == before


def test_a_course_name_names_one_course_and_a_loop_is_found_by_the_dry_run(cli, tmp_path, snapshot):
    """Course names match case and spaces aside everywhere a sheet or a command names a
    course, so a second course under the same name (add, edit, import, or two rows of one
    file) is refused: it made every sheet that named it ambiguous. A prerequisite loop in a
    file is found by --dry-run too, as a problem of its line (exit 65), nothing written."""
    cli("course", "add", "--code", "LAD-1", "--name", "Ladder drill")
    cli("course", "add", "--code", "P1", "--name", "Pump")
    before = snapshot()
    r = cli("course", "add", "--code", "LAD-2", "--name", "ladder  DRILL", ok=False)
    assert r.exit_code == 65 and "is course 1's (LAD-1)" in r.stderr
    r = cli("course", "edit", "P1", "--name", "LADDER drill", ok=False)
    assert r.exit_code == 65 and "is course 1's (LAD-1)" in r.stderr
    sheet = _sheet(tmp_path, "c.csv", "code,name\nLAD-2,Ladder Drill\nS3,Pump ops\nS4,pump  OPS\n")
    r = cli("course", "import", "--csv", str(sheet), ok=False)
    assert r.exit_code == 65
    assert "c.csv, line 2, field name: 'Ladder Drill' is the name of course 1 (LAD-1)" in r.stderr
    assert "c.csv, line 4, field name: 'pump OPS' is also the name of S3 on line 3" in r.stderr
    loop = _sheet(tmp_path, "loop.csv", "code,name,prerequisites\nR1,R one,R2\nR2,R two,R1\nS2,S two,S2\n")
    for dry in (["--dry-run"], []):
        r = cli("course", "import", "--csv", str(loop), *dry, ok=False)
        assert r.exit_code == 65, (dry, r.stderr)
        assert "loop.csv, line 3, field prerequisites: Those prerequisites would make a loop: R1 → R2 → R1" in r.stderr
        assert "loop.csv, line 4, field prerequisites: A course cannot be its own prerequisite" in r.stderr
    assert snapshot() == before
    ok = _sheet(tmp_path, "ok.csv", "code,name,prerequisites\nR1,R one,\nR2,R two,R1\n")
    assert "would be 2 added" in cli("course", "import", "--csv", str(ok), "--dry-run").stderr
    assert snapshot() == before
    assert "2 added" in cli("course", "import", "--csv", str(ok)).stderr


def test_year_of_records_credit_set_based(crew, tmp_path):
    """Several sheets at once, each row credited once; a second import changes nothing."""
    lines = ["email;course;date;hours;type"]
    for month in range(1, 13):
        for i in range(1, 21):
            lines.append(f"ff{i:02d}@fd.org;Drill {month};2026-{month:02d}-15;0.5;drill")
    a = _sheet(tmp_path, "h1.csv", "\n".join(lines[:121]) + "\n")
    b = _sheet(tmp_path, "h2.csv", "\n".join([lines[0], *lines[121:]]) + "\n")
    r = crew(*AS_OF, "record", "import", str(a), str(b))
    assert "240 rows read, 240 added" in r.stderr and "Credited 20 progress rows for 20 members (240 credits)" in r.stderr
    assert _drill_progress(crew, 7) == (6, 0)
    r = crew(*AS_OF, "record", "import", str(b), str(a))
    assert "240 already recorded" in r.stderr and "Credited" not in r.stderr


def test_record_show_dates_credits_by_their_effective_day_like_progress_log(crew):
    """`record show` dates each credit by its effective day (the --as-of date it was entered
    under, else the department's day), as `progress log` does, not by the time of writing:
    logged on 29 February, voided on 31 December."""
    crew("--as-of", "2096-02-29", "record", "add", "--members", "ff01@fd.org", "--course",
         "Ladder drill", "--type", "drill", "--date", "2096-02-28", "--hours", "2")  # fmt: skip
    crew("--as-of", "2096-12-31", "record", "void", "1", "--reason", "wrong crew")
    shown = crew("--format", "json", "record", "show", "1").json
    assert [(c["entered_on"], c["amount"]) for c in shown["credits"]] == [
        ("2096-02-29", 2), ("2096-12-31", -2),
    ]  # fmt: skip
    # JSON keeps the time of writing too (today, not the effective day)
    assert all(not c["entered_at"].startswith("2096") for c in shown["credits"])
    table = crew("record", "show", "1").stdout
    assert "Date" in table and "2096-02-29" in table and "2096-12-31" in table
    progress_id = shown["credits"][0]["progress_id"]
    log = crew("--format", "json", "progress", "log", str(progress_id)).json
    assert [c["entered_on"] for c in log] == [c["entered_on"] for c in shown["credits"]]


def test_an_add_in_csv_prints_what_it_wrote_as_one_row(crew, snapshot):
    """`--format csv` on an add printed nothing on stdout; it is the JSON's summary as a row."""
    import csv
    import io

    r = crew(*AS_OF, "--format", "csv", "record", "add", "--members", "ff01@fd.org,ff02@fd.org",
             "--course", "Knots", "--type", "drill", "--date", "2026-03-04", "--hours", "1")  # fmt: skip
    assert r.exit_code == 0, r
    [row] = list(csv.DictReader(io.StringIO(r.stdout)))
    assert row == {"record_ids": "1 2", "added": "2", "already": "0", "credits": "2", "dry_run": "no"}
    before = snapshot()
    r = crew(*AS_OF, "--format", "csv", "cert", "add", "ff01@fd.org", "BLS", "--issued", "2026-03-04",
             "--dry-run")  # fmt: skip
    assert r.exit_code == 0, r
    [row] = list(csv.DictReader(io.StringIO(r.stdout)))
    assert row["card_ids"] == "" and row["added"] == "1" and row["dry_run"] == "yes"
    assert snapshot() == before


def test_a_dry_runs_events_are_what_a_real_run_would_bring():
    """A milestone reached in a dry run did not happen: its line says so."""
    from types import SimpleNamespace

    from trainctl.cli.sheet_import import feed_lines

    feed = SimpleNamespace(credits=2, members={1}, already=0, held=[], progress_ids={7, 8},
                           events=["Milestone reached: All done (100%). Well done."])  # fmt: skip
    assert feed_lines(feed, dry_run=True) == [
        "Would credit 2 progress rows for 1 member.",
        "On a real run: Milestone reached: All done (100%). Well done.",
    ]
    assert feed_lines(feed)[1] == "Milestone reached: All done (100%). Well done."


def test_a_row_repeated_in_a_sheet_is_not_said_to_be_on_file(crew, tmp_path):
    """A sheet that lists a member twice for one course and day records once; the summary
    says the row repeats one above (it said 'already recorded', which sends the officer
    looking for a record that was never there)."""
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("email,course,date,hours,type\n"
                     "ff01@fd.org,Hose drill,2026-03-04,2,drill\n"
                     "FF01@fd.org,Hose drill,2026-03-04,2,drill\n"
                     "ff02@fd.org,Hose drill,2026-03-04,2,drill\n", encoding="utf-8")  # fmt: skip
    r = crew(*AS_OF, "record", "import", str(sheet))
    assert "3 rows read, 2 added, 1 repeating a row above (same member, course and date)." in r.stderr, r
    assert "already recorded" not in r.stderr
    r = crew(*AS_OF, "record", "import", str(sheet))  # again: now they are on file
    assert "3 rows read, 0 added, 2 already recorded, 1 repeating a row above" in r.stderr, r


def test_the_credited_line_counts_rows_and_says_the_credits_when_they_differ(crew, tmp_path):
    sheet = _sheet(tmp_path, "week.csv", "email,course,date,hours,type\n"
                   "ff01@fd.org,Ladder drill,2026-03-02,1,drill\n"
                   "ff01@fd.org,Hose drill,2026-03-03,1,drill\n"
                   "ff01@fd.org,Pump drill,2026-03-04,1,drill\n")  # fmt: skip
    r = crew(*AS_OF, "record", "import", str(sheet))
    assert "Credited 1 progress row for 1 member (3 credits)." in r.stderr, r.stderr


def test_record_show_names_who_entered_and_voided_it(crew):
    """The audit trail in words: the member who entered it, the database owner who voided
    it (the table; JSON keeps the ids, the owner's as null)."""
    crew(*AS_OF, "--as", "olive@fd.org", "record", "add", "0001", "--course", "Drill", "--date", "2026-03-04",
         "--hours", "1")  # fmt: skip
    crew(*AS_OF, "record", "void", "1", "--reason", "wrong member")
    out = crew("record", "show", "1").stdout
    assert re.search(r"created by\s+Olive Officer \(id \d+\)", out), out
    assert re.search(r"voided by\s+database owner", out), out
    shown = crew("--format", "json", "record", "show", "1").json
    assert isinstance(shown["created_by"], int) and shown["voided_by"] is None


def test_course_show_names_who_added_it(crew):
    """`course show` left "created by" blank for a course the database owner added (and
    printed a bare id for a member), where `record show` and `member show` name them: it
    names them the same way now (JSON keeps the id, the owner's as null)."""
    crew("--as", "olive@fd.org", "course", "add", "--code", "RS-1", "--name", "Rope rescue", "--hours", "2")
    crew("course", "add", "--code", "LF-1", "--name", "Live fire", "--hours", "2")
    assert re.search(r"created by\s+Olive Officer \(id \d+\)", crew("course", "show", "RS-1").stdout)
    out = crew("course", "show", "LF-1").stdout
    assert re.search(r"created by\s+database owner", out), out
    assert crew("--format", "json", "course", "show", "LF-1").json["created_by"] is None
    assert isinstance(crew("--format", "json", "course", "show", "RS-1").json["created_by"], int)


def test_one_member_named_twice_in_members_is_recorded_once_and_said(crew):
    """0001 and its member's e-mail name one member: one record, and a warning (it may be a
    typo for someone else; review)."""
    r = crew(*AS_OF, "record", "add", "--members", "0001,ff01@fd.org,0002", "--course", "Drill",
             "--hours", "1", "--date", "2026-03-04")  # fmt: skip
    assert "Recorded 2 records" in r.stderr
    assert re.search(r"0001 and ff01@fd.org both name [^:]+: recorded once; check --members", r.stderr), r.stderr


def test_a_category_is_stored_as_the_requirements_spell_it_and_an_unknown_one_is_said(cli, tmp_path):
    """'Structural Firefighting' typed in Excel is the structural_firefighting a requirement
    counts (its hours had counted toward nothing, silently); a sheet's Topic column holding
    a category is that category; a category no requirement names is said, with the closest."""
    cli("member", "add", "Ann", "--email", "ann@fd.org", "--badge", "7")
    # (in force all year: entered on the real day, December 2026 was owed by nobody)
    cli("--as-of", "2026-01-01", "requirement", "add", "--name", "Company", "--type", "hours", "--hours", "16",
        "--frequency", "monthly", "--counts-category", "structural_firefighting")  # fmt: skip
    cli("requirement", "add", "--name", "Hazmat", "--type", "hours", "--hours", "6",
        "--counts-category", "hazmat")  # fmt: skip
    r = cli(*AS_OF, "record", "add", "7", "--course", "Hose drill", "--date", "2026-12-01",
            "--hours", "10", "--category", "Structural Firefighting")  # fmt: skip
    assert "category" not in r.stderr.lower(), r
    r = cli(*AS_OF, "record", "add", "7", "--course", "Spill drill", "--date", "2026-12-02",
            "--hours", "2", "--category", "Hazmatt")  # fmt: skip
    assert ("The category 'Hazmatt' is named by no requirement, and none counts the course or "
            "training type either, so its hours count toward none (the requirements name the "
            "categories: hazmat, structural_firefighting); did you mean 'hazmat'?") in r.stderr, r  # fmt: skip
    sheet = _sheet(tmp_path, "s.csv", "badge,course,date,hours,topic\n7,Ladder drill,2026-12-03,6,STRUCTURAL-firefighting\n")
    r = cli(*AS_OF, "record", "import", str(sheet))
    assert "category" not in r.stderr.lower(), r
    got = {x["course_name"]: (x["category"], x["topic"]) for x in cli("-f", "json", "record", "list").json}
    assert got == {"Hose drill": ("structural_firefighting", None), "Spill drill": ("Hazmatt", None),
                   "Ladder drill": ("structural_firefighting", None)}  # fmt: skip
    cell = cli("report", "compliance", "--as-of", "2026-12-31", "--requirement", "Company",
               "-f", "json").json["cells"][0]  # fmt: skip
    assert (cell["value"], cell["status"]) == (16, "met")
    # courses alike: add, edit, import
    cli("course", "add", "--code", "SF1", "--name", "SF one", "--category", "structural firefighting")
    r = cli("course", "edit", "SF1", "--category", "HazMat ")
    assert "named by no requirement" not in r.stderr, r
    courses = _sheet(tmp_path, "c.csv", "code,name,topic\nSF2,SF two,Structural_Firefighting\nSF3,SF three,Rescue\n")
    r = cli("course", "import", "--csv", str(courses))
    assert "The category 'Rescue' is named by no requirement" in r.stderr and "check its spelling." in r.stderr, r
    got = {c["code"]: c["category"] for c in cli("-f", "json", "course", "list").json}
    assert got == {"SF1": "hazmat", "SF2": "structural_firefighting", "SF3": "Rescue"}


def test_no_requirement_naming_categories_no_category_notice(cli):
    cli("member", "add", "Ann", "--email", "ann@fd.org", "--badge", "7")
    r = cli(*AS_OF, "record", "add", "7", "--course", "Drill", "--date", "2026-12-01",
            "--hours", "1", "--category", "Whatever We Like")  # fmt: skip
    assert "category" not in r.stderr.lower(), r
    assert cli("-f", "json", "record", "list").json[0]["category"] == "Whatever We Like"


def test_a_free_course_name_close_to_a_catalog_course_is_offered_it(cli, tmp_path):
    cli("member", "add", "Ann", "--email", "ann@fd.org", "--badge", "7")
    cli("course", "add", "--code", "HAZ-R", "--name", "Hazmat ops refresher", "--hours", "2")
    sheet = _sheet(tmp_path, "s.csv", "badge,course,date,hours\n7,Hazmat ops refreshr,2026-12-03,2\n")
    r = cli(*AS_OF, "record", "import", str(sheet), "--dry-run")
    assert ("'Hazmat ops refreshr' is not in the course catalog; recorded under that name (did "
            "you mean HAZ-R (Hazmat ops refresher)?).") in r.stderr, r  # fmt: skip
    r = cli(*AS_OF, "record", "add", "7", "--course", "Hazmat op refresher", "--date", "2026-12-03", "--hours", "2")
    assert "did you mean HAZ-R (Hazmat ops refresher)?" in r.stderr, r
    r = cli(*AS_OF, "record", "add", "7", "--course", "Night drill", "--date", "2026-12-03", "--hours", "1")
    assert "did you mean" not in r.stderr and "trainctl course add" in r.stderr, r


def test_a_course_and_a_code_that_disagree_refuse_the_row(crew, tmp_path, snapshot):
    """A sheet's Course 'Hose advance' beside Course Code LAD-1 (Ladder drill): the code
    won without a word. Refused now, naming both, as two member columns that disagree;
    the course's name (any case or spacing) or code beside its code still reads."""
    crew("course", "add", "--code", "LAD-1", "--name", "Ladder drill", "--type", "drill", "--hours", "2")
    before = snapshot()
    sheet = _sheet(tmp_path, "cc.csv", "Date,Course,Course Code,Badge,Hrs\n"
                   "2026-03-11,Hose advance,LAD-1,0001,2\n")  # fmt: skip
    r = crew(*AS_OF, "record", "import", str(sheet), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert ("cc.csv, line 2, field course: 'Hose advance' is not the course of the code 'LAD-1' "
            "(Ladder drill)") in " ".join(r.stderr.split()), r.stderr  # fmt: skip
    ok = _sheet(tmp_path, "ok.csv", "Date,Course,Course Code,Badge,Hrs\n"
                "2026-03-11,ladder  DRILL,LAD-1,0001,2\n2026-03-12,lad-1,LAD-1,0001,2\n"
                "2026-03-13,,LAD-1,0001,2\n")  # fmt: skip
    crew(*AS_OF, "record", "import", str(ok))
    codes = [x["course_code"] for x in crew("--format", "json", "record", "list").json]
    assert codes == ["LAD-1"] * 3, codes


def test_a_mistyped_course_code_is_offered_the_catalogs(crew, snapshot):
    """`--course LF1` when the catalog has LF-1: refused without hours, with the code it is
    closest to; with hours, recorded as a free name and said the same."""
    crew("course", "add", "--code", "LF-1", "--name", "Live fire 1", "--type", "live_fire", "--hours", "4")
    before = snapshot()
    r = crew(*AS_OF, "record", "add", "0001", "--course", "LF1", "--date", "2026-03-11", ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert "Did you mean the catalog's LF-1 (Live fire 1)?" in r.stderr, r.stderr
    r = crew(*AS_OF, "record", "add", "0001", "--course", "LF1", "--date", "2026-03-11", "--hours", "2")
    assert "did you mean LF-1 (Live fire 1)?" in r.stderr, r.stderr


def test_a_sheet_whose_lines_end_in_cr_alone_reads_as_any_other(crew, tmp_path):
    """Excel's "CSV (Macintosh)" ends lines with a bare CR: the import failed on line 1 with
    the csv module's "new-line character seen in unquoted field" (member import read it)."""
    sheet = _sheet(tmp_path, "mac.csv", "")
    sheet.write_bytes(b"Date,Course,Badge #,Hrs\r2026-03-11,EMS-CE,0001,2\r2026-03-12,EMS-CE,0002,1.5\r")
    r = crew(*AS_OF, "record", "import", str(sheet))
    assert "mac.csv: 2 rows read, 2 added" in r.stderr, r.stderr
    hours = {x["member"]: x["hours"] for x in crew("--format", "json", "record", "list").json}
    assert hours == {"Fire Fighter 01": 2, "Fire Fighter 02": 1.5}


def test_record_add_names_members_as_every_command_does(cli, snapshot):
    """A review found `record add` with a resolver of its own: "107" took badge 0107 (which
    `record list --member 107` then refused), a name two members share exited 1 (2
    elsewhere), and "Smith, John" given alone was refused as a list."""
    cli("member", "add", "Maria Gonzalez", "--email", "mg@fd.org", "--badge", "0107")
    cli("member", "add", "Kim Lee", "--email", "k1@fd.org", "--badge", "K1")
    cli("member", "add", "Kim Lee", "--email", "k2@fd.org", "--badge", "K2")
    cli("member", "add", "Smith, John", "--email", "sj@fd.org", "--badge", "S1")
    before = snapshot()
    drill = ("--course", "Drill", "--hours", "1", "--date", "2026-03-02")
    r = cli("record", "add", "107", *drill, ok=False)  # offered, never taken: as member show
    assert r.exit_code == 1 and "Did you mean Maria Gonzalez (badge 0107)?" in r.stderr
    assert r.exit_code == cli("member", "show", "107", ok=False).exit_code
    r = cli("record", "add", "Kim Lee", *drill, ok=False)
    assert r.exit_code == 2 and "2 members are named 'Kim Lee'" in r.stderr
    r = cli("record", "add", "--members", "K1,Kim Lee,nobody@fd.org", *drill, ok=False)
    assert r.exit_code == 2 and "Kim Lee: 2 members are named" in r.stderr  # unclear: 2
    assert "nobody@fd.org: No member 'nobody@fd.org'." in r.stderr
    r = cli("record", "add", "--members", "K1,S1,Smith, John", *drill, ok=False)  # in a list: refused
    assert r.exit_code == 2 and "a list is split at its commas" in r.stderr
    dry = cli("record", "add", "--members", "0107,S1", *drill, "--dry-run")  # who each found
    assert "0107: Maria Gonzalez <mg@fd.org>." in dry.stderr and "S1: Smith, John <sj@fd.org>." in dry.stderr
    assert snapshot() == before
    cli("record", "add", "Smith, John", *drill)  # alone: that member
    cli("record", "add", "0107", *drill)
    listed = cli("record", "list", "--format", "json").json
    assert sorted(x["member"] for x in listed) == ["Maria Gonzalez", "Smith, John"]


def test_a_long_listing_shows_the_newest_in_a_table_and_every_row_in_a_file(crew):
    """A department's years of records scrolled past for 17 s: a table shows the newest
    100 and says how many it left out and how to see them; csv and json keep every row
    unless --limit is given; --limit 0 shows all. Shift and call lists do the same."""
    for day in ("2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"):
        crew(*AS_OF, "record", "add", "--position", "firefighter", "--course", "Ladder drill",
             "--type", "drill", "--date", day, "--hours", "1")  # fmt: skip
    r = crew("record", "list")
    assert "Showing the newest 100 of 120 records; --limit 0 shows them all" in r.stderr, r.stderr
    ids = [int(m) for m in re.findall(r"^│\s+(\d+) │", r.stdout, re.M)]
    assert len(ids) == 100 and ids[0] > ids[-1] and "2026-03-09" in r.stdout
    assert len(crew("--format", "json", "record", "list").json) == 120
    assert len(crew("--format", "csv", "record", "list").stdout.splitlines()) == 121
    r = crew("--format", "json", "record", "list", "--limit", "5", "--member", "0001")
    assert [x["completion_date"] for x in r.json] == ["2026-03-09", "2026-03-08", "2026-03-07",
                                                      "2026-03-06", "2026-03-05"]  # fmt: skip
    assert "Showing the newest 5 of 6 records" in r.stderr
    r = crew("record", "list", "--limit", "0")
    assert "Showing" not in r.stderr and len(re.findall(r"^│\s+\d+ │", r.stdout, re.M)) == 120
    r = crew("record", "list", "--limit", "-1", ok=False)
    assert r.exit_code == 2 and "--limit" in r.stderr
    for i in range(1, 4):
        crew(*AS_OF, "shift", "add", f"{i:04d}", "--date", f"2026-05-0{i}", "--station", "S1", "--shift", "A",
             "--time-in", f"2026-05-0{i}T07:00-04:00", "--time-out", f"2026-05-0{i}T19:00-04:00")  # fmt: skip
    r = crew("shift", "list", "--limit", "2")
    assert "Showing the newest 2 of 3 attendance rows" in r.stderr and "3 shifts, 36 hours" in r.stderr
    assert "05-03" in r.stdout and "05-01" not in r.stdout
    crew(*AS_OF, "call", "add", "F26-1", "-m", "0001,0002", "--type", "EMS", "--shift-date", "2026-05-01",
         "--at", "2026-05-01T10:00-04:00")  # fmt: skip
    r = crew("call", "list", "--limit", "1")
    assert "Showing the newest 1 of 2 responses" in r.stderr and "2 responses to 1 call" in r.stderr


def test_a_sheet_imported_again_after_its_course_joins_the_catalog_is_already_recorded(crew, tmp_path, snapshot):
    """The warning for a free course name says `trainctl course add`; the sheet imported
    again after it had made a second record of the same class, the hours counted twice
    (review). The catalog course is the record on file under its name or code."""
    sheet = _sheet(tmp_path, "aw.csv", "Date,Course,Badge,Hours,Type\n2026-04-01,Airway class,0001,3,drill\n")
    crew(*AS_OF, "record", "import", sheet)
    crew("course", "add", "--code", "AW", "--name", "Airway class", "--hours", "3")
    before = snapshot()
    r = crew(*AS_OF, "record", "import", sheet)
    assert "1 row read, 0 added, 1 already recorded" in r.stderr, r.stderr
    by_code = _sheet(tmp_path, "aw2.csv", "Date,Course,Badge,Hours,Type\n2026-04-01,aw,0001,3,drill\n")
    r = crew(*AS_OF, "record", "import", by_code)
    assert "1 already recorded" in r.stderr, r.stderr
    r = crew(*AS_OF, "record", "add", "0001", "--course", "AW", "--date", "2026-04-01", "--type", "drill")
    assert "already recorded" in r.stderr, r.stderr
    assert snapshot() == before
    assert _drill_progress(crew, 1) == (3, 0)
    # other hours for that record: refused as for any record on file, naming it
    r = crew(*AS_OF, "record", "add", "0001", "--course", "AW", "--date", "2026-04-01", "--hours", "4", ok=False)
    assert r.exit_code == 65 and "(Airway class, 2026-04-01) is on file as 3 h, completed" in r.stderr, r.stderr
    assert snapshot() == before
    # another day, or another member, is another record
    r = crew(*AS_OF, "record", "add", "0002", "--course", "AW", "--date", "2026-04-01", "--type", "drill")
    assert "Recorded 1 record" in r.stderr


def test_records_entered_under_a_free_name_belong_to_the_course_added_for_it(crew, tmp_path):
    """The warning for a free course name says `trainctl course add`; once added, the sheet
    imported again said "1 already recorded" while the record still had no course:
    `record list --course` did not find it, compliance kept the member overdue, and program
    progress never counted it. The course takes those records in when it is added (or
    imported): course, code, and its type and category where the record has none; then
    they are credited as any record of the course, and the command says so."""
    crew("requirement", "add", "--name", "HM refresher", "--type", "hours", "--hours", "2",
         "--frequency", "annual", "--counts-course", "HM-R")  # fmt: skip
    sheet = _sheet(tmp_path, "hz.csv", "Date,Course,Badge,Hours\n2026-03-06,Hazmat ops refresher,0001,2\n")
    r = crew(*AS_OF, "record", "import", sheet)
    assert "not in the course catalog; recorded under that name" in r.stderr
    assert _drill_progress(crew, 1) == (0, 0)  # no type: no drill
    r = crew(*AS_OF, "course", "add", "--code", "HM-R", "--name", "Hazmat ops  REFRESHER", "--type", "drill",
             "--topic", "ems", "--hours", "2")  # fmt: skip
    assert "1 record entered under the name 'Hazmat ops refresher' now belongs to HM-R." in r.stderr, r.stderr
    assert "Re-credited" in r.stderr and "2 credits added" in r.stderr, r.stderr  # drill and EMS hours
    assert _drill_progress(crew, 1) == (2, 2)  # a drill (the course's type), on EMS (its category)
    rows = crew("--format", "json", "record", "list", "--course", "HM-R").json
    assert [(r["id"], r["course_code"], r["training_type"], r["category"]) for r in rows] == [(1, "HM-R", "drill", "ems")]
    cells = crew("--as-of", "2026-04-01", "--format", "json", "report", "compliance", "--member", "0001").json["cells"]
    assert [(c["status"], c["value"]) for c in cells if c["requirement"] == "HM refresher"] == [("met", 2.0)]
    r = crew(*AS_OF, "record", "import", sheet)  # the same sheet again: that record, credited once
    assert "1 already recorded" in r.stderr and "Credited" not in r.stderr
    assert _drill_progress(crew, 1) == (2, 2)
    # `course import` does the same; a void record under the name goes with it (the sheet
    # imported again still leaves it out)
    rope = _sheet(tmp_path, "rope.csv", "Date,Course,Badge,Hours\n2026-03-07,Rope rescue,0002,1\n"
                  "2026-03-07,Rope rescue,0003,1\n")  # fmt: skip
    crew(*AS_OF, "record", "import", rope)
    rows = crew("--format", "json", "record", "list", "--course", "Rope rescue").json
    gone = next(r["id"] for r in rows if r["email"] == "ff03@fd.org")  # (PostgreSQL's ids skip)
    crew(*AS_OF, "record", "void", gone, "--reason", "not there")
    courses = _sheet(tmp_path, "courses.csv", "code,name,training_type\nRR,Rope rescue,drill\n")
    r = crew(*AS_OF, "course", "import", "--csv", courses)
    assert "2 records entered under the name 'Rope rescue' now belong to RR (1 of them void)." in r.stderr
    assert _drill_progress(crew, 2) == (1, 0) and _drill_progress(crew, 3) == (0, 0)
    assert "1 match void records" in crew(*AS_OF, "record", "import", rope).stderr


def test_a_corrected_sheet_after_a_void_is_entered_the_same_sheet_is_not(crew, tmp_path):
    """A void record left early: the corrected sheet (1 h, not 2) said "1 match void records
    (not brought back)" and exit 0, the member's hour lost. Only the very row that was
    voided (same hours and status) is left out, as a shift's same times are."""
    sheet = _sheet(tmp_path, "lf.csv", "Date,Course,Badge,Hours,Type\n2026-03-11,Live fire,0001,2,drill\n")
    crew(*AS_OF, "record", "import", sheet)
    crew(*AS_OF, "record", "void", "1", "--reason", "left early: 1 h, not 2")
    assert "1 match void records (not brought back)" in crew(*AS_OF, "record", "import", sheet).stderr
    fixed = _sheet(tmp_path, "lf-fixed.csv", "Date,Course,Badge,Hours,Type\n2026-03-11,Live fire,0001,1,drill\n"
                   "2026-03-11,Live fire,0002,2,drill\n")  # fmt: skip
    r = crew(*AS_OF, "record", "import", fixed)
    assert "2 rows read, 2 added" in r.stderr and "void" not in r.stderr, r.stderr
    assert _drill_progress(crew, 1) == (1, 0)
    scheduled = _sheet(tmp_path, "lf-s.csv", "Date,Course,Badge,Hours,Type,Status\n"
                       "2026-03-11,Live fire,0001,2,drill,scheduled\n")  # fmt: skip
    crew(*AS_OF, "record", "void", "2", "--reason", "wrong again")
    assert "1 added" in crew(*AS_OF, "record", "import", scheduled).stderr  # another status: another row


def test_record_list_finds_a_free_course_name_case_and_spaces_aside(crew):
    crew(*AS_OF, "record", "add", "0001", "--course", "Local protocols", "--date", "2026-03-04", "--hours", "2")
    for typed in ("Local protocols", "local  PROTOCOLS", " Local protocols "):
        rows = crew("--format", "json", "record", "list", "--course", typed).json
        assert [r["course_name"] for r in rows] == ["Local protocols"], typed


def test_the_table_shows_what_a_record_was_filed_under(cli, monkeypatch):
    """`course add --topic national/airway` files the course under category
    national/airway: the table's Topic column, which showed the record's topic alone, was
    blank for every record of it. It shows what the record was filed under, category/topic
    or the category alone, as `record list --topic` matches it; CSV and JSON keep the two
    fields apart. At 80 columns, with the Void column only when a void row is shown."""
    from trainctl.cli import render

    monkeypatch.setattr(render.console("out"), "width", 80)
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "A1", "--hire-date", "2015-01-10")
    cli("course", "add", "--code", "AW", "--name", "Airway lab", "--type", "class",
        "--topic", "national/airway", "--hours", "2")  # fmt: skip
    cli("course", "add", "--code", "VT", "--name", "Vent", "--type", "drill", "--topic", "ventilation",
        "--hours", "2")  # fmt: skip
    cli("record", "add", "A1", "--course", "AW", "--date", "2026-03-01")
    cli("record", "add", "A1", "--course", "VT", "--date", "2026-03-02")
    cli("record", "add", "A1", "--course", "Free study", "--date", "2026-03-03", "--hours", "1",
        "--topic", "ems/airway")  # fmt: skip

    def table(*args: str) -> tuple[list[str], dict[int, dict[str, str]]]:
        out = cli("record", "list", *args).stdout
        assert all(len(line) <= 80 for line in out.splitlines()), out
        head = next(line for line in out.splitlines() if line.startswith("┃"))
        names = [c.strip() for c in head.strip("┃").split("┃")]
        rows = {}
        for line in out.splitlines():
            cells = [c.strip() for c in line.strip("│").split("│")]
            if line.startswith("│") and cells[0].isdigit():
                rows[int(cells[0])] = dict(zip(names, cells, strict=True))
        return names, rows

    names, rows = table()
    assert {rid: row["Topic"] for rid, row in rows.items()} == {
        1: "national/airway", 2: "ventilation", 3: "ems/airway"
    }
    assert "Void" not in names
    for rid, row in rows.items():  # what the table shows is what --topic finds
        found = cli("--format", "json", "record", "list", "--topic", row["Topic"]).json
        assert rid in [r["id"] for r in found], (row, found)
    data = {r["id"]: (r["category"], r["topic"]) for r in cli("-f", "json", "record", "list").json}
    assert data == {1: ("national/airway", None), 2: ("ventilation", None), 3: ("ems", "airway")}
    csv_rows = cli("-f", "csv", "record", "list").stdout.splitlines()
    # CSV keeps them apart too: the category had been left out (blank for the records
    # filed under a category alone, "airway" for ems/airway)
    assert csv_rows[0] == ("id,completion_date,member,email,course,hours,status,score,passed,training_type,"
                           "category,topic,instructor,location,self_paced,expiration_date,void")  # fmt: skip
    assert [tuple(line.split(",")[10:12]) for line in csv_rows[1:]] == [
        ("ems", "airway"), ("ventilation", ""), ("national/airway", ""),
    ]
    cli("record", "void", "2", "--reason", "wrong day")
    names, rows = table("--include-void")
    assert "Void" in names and rows[2]["Void"].startswith("void")


def test_record_list_as_of_a_day_lists_the_records_of_that_day_and_before(crew):
    """`trainctl --as-of 2026-03-01 record list` listed records dated in June and July
    (review); cert list marks a card not yet issued then. A listing as of a day holds
    what was on file by it, and says so."""
    for day in ("2026-02-28", "2026-03-01", "2026-06-30"):
        crew(*AS_OF, "record", "add", "0001", "--course", "Ladder drill", "--date", day, "--hours", "1")
    r = crew("--as-of", "2026-03-01", "--format", "json", "record", "list", "--member", "0001")
    assert [x["completion_date"] for x in r.json] == ["2026-03-01", "2026-02-28"], r.json
    assert "As of 2026-03-01: records dated after it are not listed." in r.stderr
    r = crew("--as-of", "2026-03-01", "--format", "json", "record", "list", "--to", "2026-02-28")
    assert [x["completion_date"] for x in r.json] == ["2026-02-28"]
    assert len(crew("--format", "json", "record", "list", "--member", "0001").json) == 3


def test_a_free_course_name_is_said_for_the_rows_kept_only(crew, tmp_path):
    """With --skip-invalid, "'Nonexistent course' is not in the course catalog; recorded
    under that name" was printed for a row rejected for its badge: nothing was recorded
    under that name (review)."""
    sheet = _sheet(tmp_path, "s.csv", "Date,Course,Badge,Hours\n"
                   "2026-03-04,Nonexistent course,0404,1\n"
                   "2026-03-04,Rope rescue,0001,1\n")  # fmt: skip
    r = crew(*AS_OF, "record", "import", sheet, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "2 rows read, 1 added" in r.stderr, r.stderr
    assert "'Rope rescue' is not in the course catalog" in r.stderr
    assert "Nonexistent course" not in r.stderr.replace("s.csv, line 2", ""), r.stderr


def test_course_list_type_and_topic_match_as_requirements_count_them(cli):
    """`course list --type` and `--topic` go by the rule requirements count by (they folded
    case and spaces only: `--topic structural-firefighting` found no course filed under
    structural_firefighting, `--type live-fire` none of type "Live Fire")."""
    cli("course", "add", "--code", "LF-1", "--name", "Live fire", "--type", "Live Fire",
        "--topic", "structural_firefighting")  # fmt: skip
    cli("course", "add", "--code", "AW", "--name", "Airway", "--type", "class", "--topic", "national/airway")

    def found(*args: str) -> list[str]:
        return [c["code"] for c in cli("-f", "json", "course", "list", *args).json]

    assert found("--topic", "structural-firefighting") == found("--type", "live_fire") == ["LF-1"]
    assert found("--topic", "Structural Firefighting", "--type", "LIVE-FIRE") == ["LF-1"]
    assert found("--topic", "national/airway") == ["AW"]
    assert found("--topic", "fire") == []


def test_no_category_notice_for_a_record_a_requirement_counts_by_its_type_or_course(cli, tmp_path):
    """A record of LF-1 (type drill, filed under structural_firefighting) said "The category
    'structural_firefighting' is named by no requirement, so its hours count toward none"
    though `--counts-type drill` counted it: the notice looked at category names only. It
    is said now only when no hours requirement counts the record by any of the ways
    requirements count (domain.credit.credit_of), in record add and import, course add,
    edit and import alike."""
    said = "is named by no requirement"
    cli("member", "add", "Lee Park", "--email", "lpark@x.example", "--badge", "F-118")
    cli("course", "add", "--code", "LF-1", "--name", "Live fire", "--type", "drill",
        "--topic", "structural_firefighting", "--hours", "2")  # fmt: skip
    cli("course", "add", "--code", "RR-1", "--name", "Rope rescue", "--type", "class", "--hours", "2")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--frequency", "annual", "--counts-type", "drill")  # fmt: skip
    cli("requirement", "add", "--name", "Rescue hours", "--type", "hours", "--hours", "4",
        "--frequency", "annual", "--counts-course", "RR-1")  # fmt: skip
    cli("requirement", "add", "--name", "EMS hours", "--type", "hours", "--hours", "4",
        "--frequency", "annual", "--counts-category", "ems")  # fmt: skip
    r = cli(*AS_OF, "record", "add", "F-118", "--course", "LF-1", "--date", "2026-03-04")
    assert said not in r.stderr and "count toward none" not in r.stderr, r.stderr
    r = cli(*AS_OF, "record", "add", "F-118", "--course", "RR-1", "--date", "2026-03-05",
            "--category", "technical rescue")  # fmt: skip
    assert said not in r.stderr, r.stderr
    r = cli(*AS_OF, "record", "add", "F-118", "--course", "Pump ops", "--date", "2026-03-06",
            "--hours", "1", "--type", "Drill", "--topic", "pumps")  # fmt: skip
    assert "count toward none" not in r.stderr, r.stderr
    sheet = _sheet(tmp_path, "s.csv", "badge,course,date,hours,category,type\n"
                   "F-118,LF-1,2026-03-07,,,\nF-118,Hose lay,2026-03-07,1,hose,drill\n"
                   "F-118,Knots,2026-03-07,1,ropes,class\n")  # fmt: skip
    r = cli(*AS_OF, "record", "import", str(sheet))
    assert "Recorded 3 records" in r.stderr or "3 added" in r.stderr, r.stderr
    assert "'ropes' is named by no requirement" in r.stderr, r.stderr  # a class: nothing counts it
    assert "'hose'" not in r.stderr and "structural_firefighting" not in r.stderr, r.stderr
    hours = {x["id"]: (x["course_name"], x["hours"]) for x in cli("-f", "json", "record", "list").json}
    value = sum(cli("--as-of", "2026-12-31", "-f", "json", "requirement", "explain", "F-118", name).json["value"]
                for name in ("Drill hours", "Rescue hours", "EMS hours"))  # fmt: skip
    # every record not said counts (6 h of drill, 2 of rescue): only the knots class does not
    assert value == sum(h for c, h in hours.values() if c != "Knots") == 8
    # courses alike
    r = cli("course", "add", "--code", "LF-2", "--name", "Live fire 2", "--type", "drill",
            "--topic", "structural firefighting")  # fmt: skip
    assert said not in r.stderr, r.stderr
    cli("course", "edit", "LF-2", "--type", "class")  # nothing counts a class
    r = cli("course", "edit", "LF-2", "--topic", "interior attack")
    assert "The category 'interior attack' is named by no requirement" in r.stderr, r.stderr
    courses = _sheet(tmp_path, "c.csv", "code,name,type,topic\nLF-3,Live fire 3,drill,interior\n")
    r = cli("course", "import", "--csv", str(courses))
    assert said not in r.stderr, r.stderr


def test_every_record_for_a_file_is_written_as_read_the_same_as_a_listing(crew, tmp_path):
    """`record list --format csv|json` without a limit writes every record as it reads it
    (half a million records were held as three lists: 1 GB); what it writes is what the
    listing with a limit large enough writes, byte for byte: past the 2,000-row blocks it
    is written in, with a void record, a comma and quotes, a formula-like text, and empty."""
    lines = "".join(
        f"ff{i:02d}@fd.org,Drill {d},2026-{1 + d % 12:02d}-{1 + d % 28:02d},1.5,drill,"
        f"{'=Chief' if d == 7 else 'Ann'}\n"
        for i in range(1, 21) for d in range(101)
    )  # fmt: skip
    sheet = _sheet(tmp_path, "year.csv", "email,course,date,hours,type,instructor\n" + lines)
    assert "2020 added" in crew(*AS_OF, "record", "import", str(sheet)).stderr
    crew(*AS_OF, "record", "void", "5", "--reason", "wrong crew, \"said\" twice")
    for extra in ((), ("--include-void",), ("--member", "ff03@fd.org"), ("--topic", "nowhere")):
        for fmt in ("csv", "json"):
            every = crew(*AS_OF, "--format", fmt, "record", "list", *extra)
            listed = crew(*AS_OF, "--format", fmt, "record", "list", "--limit", "100000", *extra)
            assert every.stdout == listed.stdout, (fmt, extra)
    every = crew(*AS_OF, "--format", "json", "record", "list", "--include-void").json
    assert len(every) == 2020 and every[0]["completion_date"] >= every[-1]["completion_date"]
    assert crew(*AS_OF, "--format", "json", "record", "list", "--topic", "nowhere").stdout == "[]\n"


def test_a_crew_by_position_says_a_member_taken_before_their_hire_date(cli):
    """Zoe, added on 22 December for an academy starting 4 January, is on the roster from
    the day she was added (README), so the firefighters' drill of 28 December takes her;
    the command says she was hired after the record's date, as `--members` says it (it
    said nothing before: a typo in --date went unseen). Once, when named as well."""
    cli("config", "set", "timezone", "America/Los_Angeles")
    cli("member", "add", "Ann Old", "--email", "ann@fd.example", "--badge", "F-1",
        "--position", "firefighter", "--hire-date", "2015-01-01")  # fmt: skip
    cli("--as-of", "2026-11-22", "member", "add", "Zoe Quinn", "--email", "zq@fd.example", "--badge", "P-2",
        "--position", "probationary", "--position", "firefighter", "--hire-date", "2027-01-04")  # fmt: skip
    cli("--as-of", "2026-01-02", "course", "add", "--code", "SCBA-R", "--name", "SCBA class", "--hours", "4")
    said = "Zoe Quinn <zq@fd.example> was hired on 2027-01-04, after the record's date 2026-11-28"
    for named in ((), ("--members", "P-2")):
        r = cli("--as-of", "2026-11-29", "record", "add", "--position", "firefighter", *named,
                "--course", "SCBA-R", "--date", "2026-11-28", "--dry-run")  # fmt: skip
        assert "2 members: Ann Old <ann@fd.example>, Zoe Quinn <zq@fd.example>" in r.stderr, r
        assert r.stderr.count(said) == 1 and "Ann Old <ann@fd.example> was hired" not in r.stderr, r


def test_void_again_names_the_department_day_of_the_void_not_utcs(cli):
    """"Record 12 was already void (since 2026-12-05)" was the UTC date of a void made at
    21:00 in New York on the 4th. The department's clock is chosen so that its day and
    UTC's differ now (14 h ahead from 10:00 UTC on, 11 h behind before it)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    name = "Pacific/Kiritimati" if datetime.now(UTC).hour >= 10 else "Pacific/Pago_Pago"
    cli("config", "set", "timezone", name)
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter")
    cli("record", "add", "ann@fd.org", "--course", "Ladder drill", "--hours", "1")
    cli("record", "void", "1", "--reason", "entered twice")
    day, utc = datetime.now(ZoneInfo(name)).date(), datetime.now(UTC).date()
    r = cli("record", "void", "1", "--reason", "entered twice")
    assert day != utc and f"Record 1 was already void (since {day}); nothing changed." in r.stderr, r


def test_the_record_listing_and_its_stream_take_one_filter_and_agree(crew, db_url):
    """`record list` reads a table page through `list_records` and a whole file through
    `each_record`: they repeated their eight filter parameters, so a filter added to one
    could be missed by the other. Both now take one RecordFilter; for every filter the
    stream lists what the page lists, in the same order, and it stays a stream (an
    iterator read as it goes, not a list built first)."""
    from collections.abc import Iterator
    from datetime import date

    from trainctl.queries import open_reader
    from trainctl.queries import records as q
    from trainctl.queries.members import resolve_actor

    crew(*AS_OF, "record", "add", "--position", "firefighter", "--course", "Ladder drill",
         "--type", "drill", "--date", "2026-03-04", "--hours", "2")  # fmt: skip
    crew(*AS_OF, "record", "add", "0001", "--course", "Airway", "--category", "ems",
         "--date", "2026-05-06", "--hours", "1")  # fmt: skip
    crew(*AS_OF, "record", "void", "2", "--reason", "wrong crew")
    filters = [
        q.EVERY, q.RecordFilter(member_id=2), q.RecordFilter(include_void=True),
        q.RecordFilter(start=date(2026, 4, 1)), q.RecordFilter(end=date(2026, 3, 4)),
        q.RecordFilter(topic="ems"), q.RecordFilter(course_name="ladder  drill"),
        q.RecordFilter(topic="no such topic"),
    ]  # fmt: skip
    with open_reader(db_url if "://" in db_url else f"sqlite:///{db_url}") as rd:
        actor = resolve_actor(rd, None)
        for f in filters:
            stream = q.each_record(rd, actor, f)
            assert isinstance(stream, Iterator) and not isinstance(stream, list)
            page, total = q.list_records(rd, actor, f)
            assert [r.id for r in stream] == [r.id for r in page] and total == len(page), f
            few, total = q.list_records(rd, actor, f, limit=3)
            assert [r.id for r in few] == [r.id for r in page][:3] and total == len(page), f
        assert [r.id for r in q.each_record(rd, actor, q.RecordFilter(topic="ems"))] == [21]
        assert len(list(q.each_record(rd, actor, q.RecordFilter(include_void=True), limit=5))) == 5
        assert 2 not in [r.id for r in q.each_record(rd, actor)]
        member = resolve_actor(rd, "ff01@fd.org")  # a member sees their own records only
        assert {r.member_id for r in q.each_record(rd, member)} == {2}
