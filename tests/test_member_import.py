"""`trainctl member import --csv`: every bad input names its line and field, exits non-zero
and leaves the database unchanged; good files import once and re-import as no change."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from backends import connect

HEADER = "name,email,badge,positions,role,status,hire_date,certification_date"
GOOD = [
    "Ann Lee,ann@fd.org,101,firefighter|emt,member,active,2024-02-29,",
    "Bob Roe,bob@fd.org,102,driver_candidate,officer,active,2019-07-01,2020-01-15",
    "Cy Dee,cy@fd.org,,probationary,,,,",
]


@pytest.fixture
def write(tmp_path: Path):
    def _write(text: str | bytes, name: str = "members.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    return _write


@pytest.fixture
def seeded(cli, write):
    """Three members imported; the database exists."""
    cli("member", "import", "--csv", write("\n".join([HEADER, *GOOD]) + "\n", "seed.csv"))


def members(db_url) -> list[tuple]:
    con = connect(db_url)
    try:
        return con.execute(
            "SELECT name, email, badge, positions, role, status, hire_date FROM member ORDER BY id"
        ).fetchall()
    finally:
        con.close()


def refused(cli, snapshot, path, *extra, code=65):
    before = snapshot()
    r = cli("member", "import", "--csv", path, *extra, ok=False)
    assert r.exit_code == code, r
    assert "Traceback" not in r.stderr + r.stdout
    assert snapshot() == before
    return r


# ------------------------------------------------------------------------------ happy paths
def test_import_adds_members_and_reports_on_stderr(cli, write, db_url):
    r = cli("member", "import", "--csv", write("\n".join([HEADER, *GOOD]) + "\n"))
    assert r.stdout == ""
    assert "members.csv: 3 added, 0 updated, 0 unchanged." in r.stderr
    assert members(db_url) == [
        (
            "Ann Lee",
            "ann@fd.org",
            "101",
            '["firefighter", "emt"]',
            "member",
            "active",
            "2024-02-29",
        ),
        ("Bob Roe", "bob@fd.org", "102", '["driver_candidate"]', "officer", "active", "2019-07-01"),
        ("Cy Dee", "cy@fd.org", None, '["probationary"]', "member", "active", None),
    ]
    bob = cli("member", "show", "102", "--format", "json").json
    assert bob["certification_date"] == "2020-01-15"


def test_reimport_changes_nothing(cli, write, seeded, snapshot):
    before = snapshot()
    r = cli("member", "import", "--csv", write("\n".join([HEADER, *GOOD]) + "\n"))
    assert "0 added, 0 updated, 3 unchanged." in r.stderr
    assert snapshot() == before


def test_reimport_of_a_dozen_is_all_unchanged(cli, write, snapshot):
    text = (
        "\n".join(["name,email,badge"] + [f"Member {i},m{i}@fd.org,B{i}" for i in range(12)]) + "\n"
    )
    assert "12 added" in cli("member", "import", "--csv", write(text)).stderr
    before = snapshot()
    assert (
        "0 added, 0 updated, 12 unchanged." in cli("member", "import", "--csv", write(text)).stderr
    )
    assert snapshot() == before


def test_bom_semicolons_loose_headers_and_blank_lines(cli, write, db_url):
    text = "\ufeffName ; E-Mail;Badge Number;Positions;Hire Date\r\n\r\nAnn Lee;ANN@FD.org;101;Firefighter, EMT;2024-02-29\r\n\r\n"
    r = cli("member", "import", "--csv", write(text))
    assert "1 added" in r.stderr
    assert members(db_url) == [
        ("Ann Lee", "ann@fd.org", "101", '["firefighter", "emt"]', "member", "active", "2024-02-29")
    ]


def test_tab_delimiter_and_positions_separated_by_semicolons_or_spaces(cli, write, db_url):
    text = "name\temail\tpositions\nAnn Lee\tann@fd.org\tfirefighter;emt\nBob Roe\tbob@fd.org\tDriver Candidate officer\n"
    cli("member", "import", "--csv", write(text))
    assert [m[3] for m in members(db_url)] == [
        '["firefighter", "emt"]',
        '["driver_candidate", "officer"]',
    ]


def test_multi_word_position_name_is_one_position(cli, write, db_url):
    cli("member", "add-position", "hazmat_tech", "--name", "Hazmat Tech")
    cli(
        "member",
        "import",
        "--csv",
        write("name,email,positions\nAnn,ann@fd.org,Hazmat Tech|Driver Candidate\n"),
    )
    assert members(db_url)[0][3] == '["hazmat_tech", "driver_candidate"]'


def test_positions_run_together_with_a_slash_say_to_separate_them(cli, write, seeded, snapshot):
    """A roster's "Firefighter/EMT" was refused as "'firefighter/emt' is not a position code
    (letters, digits and _ ...)": true, and no help to the officer whose spreadsheet wrote
    both positions so. The row is still refused (a slash is no separator: "Driver/operator"
    is one position), now saying what to write; `member add --position` says the same."""
    text = (
        "name,email,positions\n"
        "Dee Fox,dee@fd.org,Firefighter/EMT\n"
        "Eve Gil,eve@fd.org,Driver/operator\n"
    )
    r = refused(cli, snapshot, write(text))
    assert (
        "line 2, field positions: 'firefighter/emt' is 2 positions run together: "
        "separate them with | (firefighter|emt)"
    ) in r.stderr, r.stderr
    assert "line 3" not in r.stderr, r.stderr  # Driver/operator: one position, as before
    before = snapshot()
    r = cli("member", "add", "Dee Fox", "--email", "dee@fd.org", "--position", "FF+EMT", ok=False)
    assert r.exit_code == 65, r
    assert "run together" not in r.stderr, r.stderr  # FF is no position: not offered as two
    r = cli("member", "add", "Dee Fox", "--email", "dee@fd.org", "--position", "Firefighter/EMT", ok=False)
    assert r.exit_code == 65, r
    assert "separate them with | (firefighter|emt)" in r.stderr, r.stderr
    assert snapshot() == before


def test_duplicate_rows_are_imported_once_with_a_warning(cli, write, db_url):
    text = (
        "\n".join(
            [
                HEADER,
                GOOD[0],
                GOOD[1],
                GOOD[0],
                " Ann Lee , ANN@fd.org ,101,firefighter|emt,member,active,2024-02-29,",
            ]
        )
        + "\n"
    )
    r = cli("member", "import", "--csv", write(text))
    assert "line 4 repeats line 2; imported once." in r.stderr
    assert "line 5 repeats line 2; imported once." in r.stderr
    assert "2 added" in r.stderr
    assert len(members(db_url)) == 2


def test_a_roster_written_month_first_imports_as_a_sign_in_sheet_would(cli, write):
    """One rule for the dates of every file (domain.sheet.parse_date): a roster saved by a
    spreadsheet as 3/15/2024 was refused while a sign-in sheet took the same date."""
    cli("member", "import", "--csv", write(f"{HEADER}\nNew One,new@fd.org,,,,,3/15/2024,12/31/2024\n"))
    shown = cli("--format", "json", "member", "show", "new@fd.org").json
    assert (shown["hire_date"], shown["certification_date"]) == ("2024-03-15", "2024-12-31")


def test_update_changes_differing_members_only(cli, write, seeded, db_url):
    text = "\n".join([
        "name,email,badge,positions,role",
        "Ann Lee-Roe,ANN@fd.org,101,firefighter|paramedic,",  # empty role: left alone
        "Bob Roe,bob@fd.org,102,driver_candidate,officer",
        "Dee Eff,dee@fd.org,104,emt,member",
    ]) + "\n"  # fmt: skip
    r = cli("member", "import", "--csv", write(text), "--update")
    assert "1 added, 1 updated, 1 unchanged." in r.stderr
    ann = cli("member", "show", "ann@fd.org", "--format", "json").json
    assert ann["name"] == "Ann Lee-Roe" and ann["positions"] == ["firefighter", "paramedic"]
    assert ann["hire_date"] == "2024-02-29" and ann["role"] == "member"
    assert ann["updated_at"] is not None
    con = connect(db_url)
    actions = [
        r[0]
        for r in con.execute(
            "SELECT action FROM audit_log WHERE CAST(detail AS TEXT) LIKE '%members.csv%' ORDER BY id"
        )
    ]
    assert actions == ["member.add", "member.edit", "member.import"]
    assert (
        "0 added, 0 updated, 3 unchanged."
        in cli("member", "import", "--csv", write(text), "--update").stderr
    )


def test_dry_run_shows_the_plan_and_writes_nothing(cli, write, seeded, snapshot):
    text = "name,email,role\nAnn Lee,ann@fd.org,officer\nNew One,new@fd.org,\nCy Dee,cy@fd.org,\n"
    before = snapshot()
    r = cli("member", "import", "--csv", write(text), "--update", "--dry-run", "--format", "json")
    assert snapshot() == before
    assert "Dry run, nothing written: would be 1 added, 1 updated, 1 unchanged." in r.stderr
    plan = {row["email"]: row for row in r.json}
    assert plan["ann@fd.org"]["action"] == "update" and plan["ann@fd.org"]["changes"] == "role"
    assert plan["new@fd.org"]["action"] == "add"
    assert "cy@fd.org" not in plan


def test_import_is_set_based(cli, write, db_url, monkeypatch):
    """A few statements for the whole file, not one per row."""
    from sqlalchemy import event

    from trainctl.cli.state import AppState
    from trainctl.db import open_engine

    statements: list[str] = []

    def engine(self):
        if self._engine is None:
            self._engine = open_engine(self.url)
            event.listen(self._engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        return self._engine

    from trainctl.db import BulkInsert

    copy = BulkInsert._copy  # PostgreSQL: db.BulkInsert's COPY goes past the engine's events

    def copied(self, rows):
        statements.append(self.copy_sql)
        return copy(self, rows)

    cli("member", "list")
    monkeypatch.setattr(AppState, "engine", engine)
    monkeypatch.setattr(BulkInsert, "_copy", copied)
    n = 300
    rows = [f"M {i},m{i}@fd.org,B{i},firefighter|emt" for i in range(n)]
    cli("member", "import", "--csv", write("\n".join(["name,email,badge,positions", *rows]) + "\n"))
    assert len(members(db_url)) == n
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "COPY"))]
    assert len(statements) < 20, statements
    # member, audit_log (two shapes of row), and the members' history: one statement each
    # for the whole file (the history INSERT came with issue 9's "as of any date").
    assert len(writes) <= 4, writes
    assert sum("INTO member_history" in w or w.startswith("COPY member_history") for w in writes) == 1, writes


# ---------------------------------------------------------------------------- bad files
def test_non_utf8_is_refused_with_line_and_hint(cli, write, seeded, snapshot):
    path = write("name,email\nAnn Lee,ann@fd.org\nRené Marti,rene@fd.org\n".encode("latin-1"))
    r = refused(cli, snapshot, path)
    assert "line 3: the file is not UTF-8 (byte 0xe9)" in r.stderr
    assert "CSV UTF-8" in r.stderr


def test_a_bom_or_zero_width_space_inside_a_name_is_not_stored(cli, write):
    """Two files glued together leave the second one's BOM before its first name: the
    member was added as "\ufeffZed Zulu", and `member show "Zed Zulu"` said "No member
    'Zed Zulu'. Did you mean Zed Zulu?"."""
    path = write(b"name,email\n\xef\xbb\xbfZed Zulu,zed@x.org\nAl\xe2\x80\x8bma Ray,alma@x.org\n")
    assert "2 added" in cli("member", "import", "--csv", path).stderr
    assert cli("--format", "json", "member", "show", "Zed Zulu").json["email"] == "zed@x.org"
    assert cli("--format", "json", "member", "show", "Alma Ray").json["email"] == "alma@x.org"
    assert "0 added, 0 updated, 2 unchanged" in cli("member", "import", "--csv", path).stderr


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])  # the last with a BOM
def test_utf16_is_refused_as_utf16(cli, write, seeded, snapshot, encoding):
    """Saved without a BOM, UTF-16 is valid UTF-8 with a NUL in every other byte: each
    field was refused for "a control character (U+0000)", which said nothing of the cause."""
    r = refused(cli, snapshot, write("name,email\nZed Zulu,zed@x.org\n".encode(encoding)))
    assert "the file looks like UTF-16, not UTF-8" in r.stderr
    assert "CSV UTF-8" in r.stderr
    assert "U+0000" not in r.stderr


def test_missing_column_is_refused(cli, write, seeded, snapshot):
    r = refused(cli, snapshot, write("name,badge\nAnn Lee,101\n"))
    assert "line 1: missing column: email" in r.stderr
    assert "Columns: name (required), email (required), badge," in r.stderr


def test_unknown_column_is_refused(cli, write, seeded, snapshot):
    r = refused(cli, snapshot, write("name,email,shoe_size\nAnn Lee,ann@fd.org,9\n"))
    assert "line 1: unknown column: 'shoe_size'" in r.stderr
    assert "unless --ignore-unknown-columns" in r.stderr


def test_headers_match_as_in_training_sheets(cli, write, db_url):
    """Case, spaces and punctuation aside, with the usual synonyms (issue 11 #17): the same
    matcher (domain.sheet.match_header) as training-record imports."""
    path = write(
        "Full Name;E-Mail;Badge #;Position;ROLE;Hire Date\n"
        "Ann Lee;ann@fd.org;0101;firefighter|emt;officer;2020-03-01\n"
    )
    cli("member", "import", "--csv", path)
    ann = cli("member", "show", "ann@fd.org", "--format", "json").json
    assert (ann["name"], ann["badge"], ann["positions"], ann["role"], str(ann["hire_date"])) == (
        "Ann Lee", "0101", ["firefighter", "emt"], "officer", "2020-03-01",
    )


def test_a_name_in_first_and_last_name_columns_says_to_join_them(cli, write, seeded, snapshot, tmp_path):
    """A roster exported with "First Name" and "Last Name" columns, as many are, was refused
    with "unknown columns" and "missing column: name", leaving the officer to guess that the
    two must become one. The refusal now says so (a sign-in sheet: into its member column)."""
    r = refused(cli, snapshot, write("First Name,Last Name,Email\nAna,Reyes,ana@fd.org\n"))
    assert (
        "line 1: 'First Name' and 'Last Name' hold one name in two columns: join them into one "
        'column headed name ("Ana Reyes", or "Reyes, Ana") and leave the two out'
    ) in r.stderr, r.stderr
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Date,Course,FIRST,Surname,Hrs\n2026-03-01,Drill,Ann,Lee,2\n")
    before = snapshot()
    r = cli("record", "import", sheet, ok=False)
    assert r.exit_code == 65, r
    assert "'FIRST' and 'Surname' hold one name in two columns: join them into one column headed member" in r.stderr
    assert snapshot() == before


def test_unknown_column_is_skipped_when_asked(cli, write, seeded, snapshot):
    path = write("Name,Email,Shoe size,Badge No.\nZoe Park,zoe@fd.org,9,77\n")
    refused(cli, snapshot, path)
    cli("member", "import", "--csv", path, "--ignore-unknown-columns")
    assert cli("member", "show", "zoe@fd.org", "--format", "json").json["badge"] == "77"


def test_a_field_given_twice_is_refused(cli, write, seeded, snapshot):
    r = refused(cli, snapshot, write("name,email,E-mail\nAnn Lee,ann@fd.org,ann@fd.org\n"))
    assert "both mean email" in r.stderr


def test_empty_file_is_refused(cli, write, seeded, snapshot):
    r = refused(cli, snapshot, write("\n\n"))
    assert "members.csv is empty" in r.stderr


def test_row_with_too_many_values_names_the_line(cli, write, seeded, snapshot):
    r = refused(
        cli, snapshot, write("name,email,badge\nNew One,new@fd.org,9\nAnn, Lee,ann@fd.org,101\n")
    )
    assert "line 3: 4 values for 3 columns" in r.stderr
    assert "1 of 2 rows has problems; nothing was written." in r.stderr


def test_unknown_positions_name_line_field_and_value(cli, write, seeded, snapshot):
    r = refused(
        cli, snapshot, write("name,email,positions\nNew One,new@fd.org,firefighter|captain|chief\n")
    )
    assert (
        "line 2, field positions: unknown positions 'captain', 'chief' (got 'firefighter|captain|chief')"
        in r.stderr
    )
    assert "trainctl member add-position" in r.stderr


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "New One,new@fd,,,,,,",
            "line 2, field email: is not an email address (expected name@example.org) (got 'new@fd')",
        ),
        ("New One,new at fd.org,,,,,,", "line 2, field email: is not an email address"),
        ("New One,,,,,,,", "line 2, field email: must not be blank (got '')"),
        (",new@fd.org,,,,,,", "line 2, field name: must not be blank (got '')"),
        (
            "New One,new@fd.org,,,chief,,,",
            "line 2, field role: must be officer or member (got 'chief')",
        ),
        (
            "New One,new@fd.org,,,,retired,,",
            "line 2, field status: must be active or inactive (got 'retired')",
        ),
        (
            "New One,new@fd.org,,,,,2025-02-29,",
            "line 2, field hire_date: is not a date: 2025 is not a leap year, so February has 28 days (got '2025-02-29')",
        ),
        (
            "New One,new@fd.org,,,,,2100-02-29,",
            "line 2, field hire_date: is not a date: 2100 is not a leap year",
        ),
        (
            "New One,new@fd.org,,,,,,2024-11-31",
            "line 2, field certification_date: is not a date: November 2024 has 30 days (got '2024-11-31')",
        ),
        (
            "New One,new@fd.org,,,,,15/03/2024,",
            "line 2, field hire_date: is not a date: there is no month 15; dates here are read "
            "M/D/YYYY, so a file written day-first has its other slash dates misread as well "
            "(02/03 as 3 February): write its dates as YYYY-MM-DD (got '15/03/2024')",
        ),
        (
            "New One,new@fd.org,,,,,March 15 2024,",
            "line 2, field hire_date: is not a date (write it as YYYY-MM-DD or M/D/YYYY) (got 'March 15 2024')",
        ),
        (
            "New One,new@fd.org,,9th-grade,,,,",
            "line 2, field positions: '9th_grade' is not a position code",
        ),
    ],
)
def test_bad_values_name_line_field_and_value(cli, write, seeded, snapshot, row, expected):
    r = refused(cli, snapshot, write(f"{HEADER}\n{row}\n"))
    assert expected in r.stderr, r.stderr


def test_feb_29_in_a_leap_year_is_accepted(cli, write, db_url):
    cli(
        "member",
        "import",
        "--csv",
        write("name,email,hire_date,certification_date\nLeap,leap@fd.org,2028-02-29,2000-02-29\n"),
    )
    assert members(db_url)[0][6] == "2028-02-29"


def test_every_bad_row_is_reported_not_just_the_first(cli, write, seeded, snapshot):
    text = (
        "\n".join(
            [
                HEADER,
                "A,a@fd,,,,,,",
                "B,b@fd.org,,,,,2023-02-29,",
                "C,c@fd.org,,,,,,",
                "D,d@fd.org,,captain,,,,",
            ]
        )
        + "\n"
    )
    r = refused(cli, snapshot, write(text))
    assert "3 of 4 rows have problems" in r.stderr
    for line in ("line 2, field email", "line 3, field hire_date", "line 5, field positions"):
        assert line in r.stderr


def test_same_email_twice_with_different_data_names_both_lines(cli, write, seeded, snapshot):
    text = "name,email,badge\nNew One,new@fd.org,201\nNew Two,NEW@fd.org,202\n"
    r = refused(cli, snapshot, write(text))
    assert "line 2, field email: new@fd.org appears again with different data on line 3" in r.stderr
    # the line names the fields that differ, with both values (it said only "email")
    assert ("line 3, field name: new@fd.org is also on line 2 with different data (name: 'New Two' "
            "here, 'New One' there; badge: '202' here, '201' there)") in " ".join(r.stderr.split())  # fmt: skip


def test_rows_of_one_person_written_two_ways_are_one_row(cli, write, seeded, db_url):
    """Positions in another order, a badge without its leading zero, a name with a double
    space: the same person, as every other command reads them (they were refused as
    "different data")."""
    text = ("name,email,badge,positions\nHal Roy,halr@fd.org,0511,firefighter|emt\n"
            "Hal  Roy,HALR@fd.org,511,emt|firefighter\n")  # fmt: skip
    r = cli("member", "import", "--csv", write(text))
    assert "line 3 repeats line 2; imported once." in r.stderr, r
    hal = [m for m in members(db_url) if m[1] == "halr@fd.org"]
    assert len(hal) == 1 and hal[0][:3] == ("Hal Roy", "halr@fd.org", "0511")


def test_same_email_twice_where_one_row_is_also_invalid(cli, write, seeded, snapshot):
    text = "name,email,hire_date\nNew One,new@fd.org,2023-02-29\nNew One,new@fd.org,2023-03-01\n"
    r = refused(cli, snapshot, write(text))
    assert "line 2, field hire_date" in r.stderr
    assert "line 3, field email: new@fd.org is also on line 2 with different data" in r.stderr


def test_same_badge_for_two_emails_in_the_file(cli, write, seeded, snapshot):
    r = refused(
        cli, snapshot, write("name,email,badge\nNew One,one@fd.org,300\nNew Two,two@fd.org,300\n")
    )
    assert "line 2, field badge: 300 is also given to two@fd.org on line 3 (got '300')" in r.stderr
    assert "line 3, field badge: 300 is also given to one@fd.org on line 2 (got '300')" in r.stderr


def test_badge_held_by_another_member_in_the_database(cli, write, seeded, snapshot):
    r = refused(cli, snapshot, write("name,email,badge\nNew One,new@fd.org,101\n"), "--update")
    assert (
        "line 2, field badge: 101 already belongs to member 1 (Ann Lee, ann@fd.org) (got '101')"
        in r.stderr
    )


def test_existing_email_with_different_data_needs_update(cli, write, seeded, snapshot):
    r = refused(
        cli, snapshot, write("name,email,role,hire_date\nAnn Lee,ann@fd.org,officer,2024-03-01\n")
    )
    assert (
        "line 2, field role: member 1 (Ann Lee, ann@fd.org) has 'member'; add --update to change it (got 'officer')"
        in r.stderr
    )
    assert "line 2, field hire_date: member 1 (Ann Lee, ann@fd.org) has '2024-02-29'" in r.stderr


def test_missing_file_is_a_usage_error(cli, tmp_path):
    r = cli("member", "import", "--csv", tmp_path / "nope.csv", ok=False)
    assert r.exit_code == 2 and "does not exist" in r.stderr


# -------------------------------------------------------------------------- --skip-invalid
def test_skip_invalid_writes_good_rows_and_a_reject_file(cli, write, seeded, db_url, tmp_path):
    text = "\n".join([
        "name;email;badge;positions",
        "Good One;one@fd.org;201;firefighter",
        "Bad Email;bad@fd;202;",
        "Good Two;two@fd.org;;emt",
        "Too;Many;Values;x;y",
        "Clash;clash@fd.org;101;",
        "Bad Pos;pos@fd.org;;captain",
    ]) + "\n"  # fmt: skip
    source = write(text, "roster.csv")
    r = cli("member", "import", "--csv", source, "--skip-invalid", ok=False)
    assert r.exit_code == 65  # rows were left out: never exit 0 (one rule for every import)
    rejects = tmp_path / "roster.rejects.csv"
    assert (
        f"roster.csv: 2 added, 0 updated, 0 unchanged, 4 rejected; written to {rejects}."
        in r.stderr
    )
    assert "Warning: line 3, field email" in r.stderr
    assert {m[1] for m in members(db_url)} >= {"one@fd.org", "two@fd.org"}
    assert len(members(db_url)) == 5
    assert rejects.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh, delimiter=";"))
    assert got[0] == ["reason", "name", "email", "badge", "positions"]
    assert [row[1] for row in got[1:]] == ["Bad Email", "Too", "Clash", "Bad Pos"]
    assert got[1][0].startswith("line 3, field email: is not an email address")
    assert got[2][0].startswith("line 5: 5 values for 4 columns") and got[2][1:] == [
        "Too",
        "Many",
        "Values",
        "x",
        "y",
    ]
    assert "101 already belongs to member 1 (Ann Lee" in got[3][0]
    assert "unknown position 'captain'" in got[4][0]


def test_a_fixed_reject_file_imports_as_it_is(cli, write, seeded, db_url, tmp_path):
    source = write("name,email,badge\nGood,good@fd.org,\nBad,bad@fd,\n", "r.csv")
    assert cli("member", "import", "--csv", source, "--skip-invalid", ok=False).exit_code == 65
    rejects = tmp_path / "r.rejects.csv"
    rejects.write_text(
        rejects.read_text(encoding="utf-8").replace("bad@fd", "bad@fd.org"), encoding="utf-8"
    )
    r = cli("member", "import", "--csv", rejects)
    assert "1 added" in r.stderr
    assert "bad@fd.org" in {m[1] for m in members(db_url)}


def test_skip_invalid_with_dry_run_writes_no_file(cli, write, seeded, snapshot, tmp_path):
    before = snapshot()
    r = cli(
        "member",
        "import",
        "--csv",
        write("name,email\nA,a@fd\nB,b@fd.org\n", "x.csv"),
        "--skip-invalid",
        "--dry-run",
        ok=False,
    )
    assert r.exit_code == 65  # the same exit as the real run would have
    assert "would be 1 added, 0 updated, 0 unchanged, 1 rejected." in r.stderr
    assert not (tmp_path / "x.rejects.csv").exists()
    assert snapshot() == before


# ----------------------------------------------------------------------------- permissions
def test_member_role_actor_cannot_import(cli, write, seeded, snapshot):
    path = write("name,email\nNew One,new@fd.org\n")
    before = snapshot()
    r = cli("--as", "ann@fd.org", "member", "import", "--csv", path, ok=False)
    assert r.exit_code == 77 and "Ann Lee (member) may not import members" in r.stderr
    r = cli("--as", "ann@fd.org", "member", "import", "--csv", path, "--dry-run", ok=False)
    assert r.exit_code == 77
    assert snapshot() == before


def test_officer_import_records_who(cli, write, seeded, db_url):
    cli(
        "--as", "bob@fd.org", "member", "import", "--csv", write("name,email\nNew One,new@fd.org\n")
    )
    con = connect(db_url)
    assert con.execute("SELECT created_by FROM member WHERE email='new@fd.org'").fetchone() == (2,)
    assert con.execute(
        "SELECT actor_id FROM audit_log WHERE action='member.add' ORDER BY id DESC"
    ).fetchone() == (2,)


def test_a_member_list_csv_export_imports_back(cli, tmp_path):
    cli("member", "add", "Dana Whitfield", "--email", "dw@example.org", "--badge", "C-100")
    exported = cli("member", "list", "--format", "csv").stdout
    assert exported.startswith("id,")
    path = tmp_path / "export.csv"
    path.write_text(exported.replace("Dana Whitfield", "Dana M. Whitfield"))
    r = cli("member", "import", "--csv", str(path), "--update")
    assert "1 updated" in r.stderr
    assert cli("member", "show", "C-100", "--format", "json").json["name"] == "Dana M. Whitfield"


@pytest.mark.parametrize("cell", ["|", ";", " | , "])
def test_a_positions_cell_of_separators_alone_is_refused_not_read_as_none(cli, write, seeded, snapshot, cell):
    """'|' alone (a spreadsheet's leftover separator) named no position, and an --update
    wiped every position the member held, exit 0; now it is refused with its line."""
    path = write(f'{HEADER}\nAnn Lee,ann@fd.org,101,"{cell}",member,active,2024-02-29,\n')
    r = refused(cli, snapshot, path, "--update")
    assert "line 2, field positions" in r.stderr and "names no position" in r.stderr, r.stderr


def test_a_row_is_named_by_the_line_it_starts_on(cli, write, seeded, snapshot):
    """A quoted cell over two lines: the row starts on line 2 (Excel's row 2), and its
    problem was said to be on line 3, the line it ended on; the rows after it keep theirs."""
    path = write('name,email\n"Multi\nLine",ml@x.example\nAnn Lee,bad-address\n')
    r = refused(cli, snapshot, path)
    assert "line 2, field name" in r.stderr and "line 3, field name" not in r.stderr, r.stderr
    assert "line 4, field email" in r.stderr, r.stderr


def test_the_reject_file_keeps_the_rosters_own_header(cli, write, seeded, tmp_path):
    """Under the file's own header and delimiter, as every import's reject file (the
    roster's was rewritten as name,email,badge,...; a review), the right lines too past a
    BOM and a blank line."""
    text = ("\ufeffName;E-mail;Badge #;Hire Date\n"
            "Good One;one@fd.org;201;3/15/2019\n"
            "\n"
            "Bad Date;bad@fd.org;202;March 15 2019\n"
            "Good Two;two@fd.org;;2020-01-02\n")  # fmt: skip
    source = write(text, "roster.csv")
    assert cli("member", "import", "--csv", source, "--skip-invalid", ok=False).exit_code == 65
    with (tmp_path / "roster.rejects.csv").open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh, delimiter=";"))
    assert got[0] == ["reason", "Name", "E-mail", "Badge #", "Hire Date"]
    assert len(got) == 2 and got[1][1:] == ["Bad Date", "bad@fd.org", "202", "March 15 2019"]
    assert got[1][0].startswith("line 4, field hire_date: is not a date")



# ----------------------------------------------------------------------- a roster too long
def test_a_roster_longer_than_any_department_is_refused_before_its_rows_are_checked(
    cli, write, seeded, snapshot
):
    """2.5 million short rows (under the 64 MiB input limit) took 9.4 GB and more than 12
    minutes before they were killed: a file past MAX_ROWS is refused up front, naming the
    limit and how to split it, and nothing is written."""
    MAX_ROWS = 100_000  # (domain/csvfile.MAX_ROWS: a limit no department meets)
    rows = "".join(f"M {i},m{i}@fd.org\n" for i in range(MAX_ROWS + 1))
    r = refused(cli, snapshot, write("name,email\n\n" + rows, "state.csv"))
    assert f"state.csv, line {MAX_ROWS + 3}: more than {MAX_ROWS:,} rows" in r.stderr
    assert "nothing was written" in r.stderr
    assert f"split it into files of at most {MAX_ROWS:,} rows, each starting with the header line" in r.stderr


def test_the_row_limit_counts_rows_not_blank_lines():
    """Exactly max_rows rows pass, blank lines and the header aside; one more is refused on
    the line it starts on (repeated and malformed rows are rows)."""
    from trainctl.domain.csvfile import parse_csv
    from trainctl.errors import BadInputError

    three = b"name,email\n\na,a@x.org\n\nb,b@x.org\na,a@x.org\n\n"
    table = parse_csv(three, source="r.csv", required=("name", "email"), max_rows=3)
    assert [r.line for r in table.rows] == [3, 5] and table.duplicates == [(6, 3)]
    with pytest.raises(BadInputError) as exc:
        parse_csv(three + b"c,c@x.org,extra\n", source="r.csv", required=("name", "email"),
                  keep_malformed=True, max_rows=3)  # fmt: skip
    assert exc.value.message.startswith("r.csv, line 8: more than 3 rows")


@pytest.mark.parametrize("above", ["", "\r\n" * 5000, " ;\n" * 3000])
@pytest.mark.parametrize("sep", ["", "sep=;\r\n"])
def test_a_header_far_down_or_long_is_found_without_splitting_the_whole_file(above, sep):
    """The header is looked for in a growing slice of the file (csvfile._head), and the rows
    are read from the bytes a slice at a time: blank lines past the first slice, a header
    longer than it, a BOM, CRLF and Excel's sep= line read as before."""
    from trainctl.domain.csvfile import parse_csv

    long = "x" * 9000
    data = ("\ufeff" + sep + above + f"name;email;{long}\r\n" + f"Ann;ann@x.org;{long}\r\n").encode()
    table = parse_csv(data, source="r.csv", required=("name", "email"), optional=(long,))
    assert table.delimiter == ";"
    header = 1 + above.count("\n") + bool(sep)
    assert [(r.line, r.values["email"]) for r in table.rows] == [(header + 1, "ann@x.org")]
