"""What an import says when a row's member is not on file, or has changed (review r1, the
11 pm officer): a recruit not yet added is pointed to `member add`, a new e-mail to
`member edit`, and badge zeros a spreadsheet dropped are put back by a corrected roster."""

from __future__ import annotations

from pathlib import Path


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_enroll_bulk_says_a_row_names_nobody_and_how_to_add_them(cli, tmp_path, snapshot):
    cli("member", "add", "Sam Okafor", "--email", "sokafor@fd.example", "--badge", "P-301")
    cli("requirement", "add", "--name", "Orientation", "--type", "checklist", "--item", "locker")
    cli("program", "create", "Academy")
    cli("program", "requirement", "add", "Academy", "Orientation")
    cli("program", "activate", "Academy")
    csv = _file(tmp_path, "class.csv", "Name,Email,Badge\nSam Okafor,sokafor@fd.example,P-301\n"
                "Pat Newbie,pnewbie@fd.example,P-309\n")  # fmt: skip
    before = snapshot()
    r = cli("enroll", "bulk", "Academy", "--csv", str(csv), "--dry-run", ok=False)
    assert ("line 3: pnewbie@fd.example: No member 'pnewbie@fd.example'. The row's badge 'P-309' and "
            "name 'Pat Newbie' name nobody either.") in r.stderr, r  # fmt: skip
    assert ("a member not on file yet is added first (`trainctl member add 'Pat Newbie' --email "
            "pnewbie@fd.example --badge P-309`") in r.stderr  # fmt: skip
    # `--members` says what `enroll add` says (test_enroll_resolvers)
    r = cli("enroll", "bulk", "Academy", "--members", "pnewbie@fd.example", "--dry-run", ok=False)
    assert "not on file yet" not in r.stderr, r
    assert snapshot() == before
    # a typo close to a member's name keeps its "Did you mean"
    typo = _file(tmp_path, "typo.csv", "Member\nSam Okafr\n")
    r = cli("enroll", "bulk", "Academy", "--csv", str(typo), "--dry-run", ok=False)
    assert "Sam Okafor" in r.stderr and "not on file yet" not in r.stderr, r


def test_sheet_and_card_imports_point_to_member_add(cli, tmp_path, snapshot):
    cli("member", "add", "Lee Park", "--email", "lp@fd.example", "--badge", "F-118")
    sheet = _file(tmp_path, "s.csv", "Date,Course,Badge #,Hrs\n2026-03-11,Drill,P-999,2\n")
    cards = _file(tmp_path, "c.csv", "Member,Credential,Issued\nP-999,CPR-BLS,2026-02-10\n")
    before = snapshot()
    for args in (("record", "import", str(sheet)), ("cert", "import", "--csv", str(cards))):
        r = cli("--as-of", "2026-06-01", *args, ok=False)
        assert r.exit_code == 65 and "no member has the badge" in r.stderr, r
        assert "A member not on file yet is added first (`trainctl member add NAME --email EMAIL`" in r.stderr
    assert snapshot() == before
    # a row about a member on file but with another problem: no such hint
    bad = _file(tmp_path, "b.csv", "Date,Course,Badge #,Hrs\n2026-03-11,Drill,F-118,-2\n")
    r = cli("--as-of", "2026-06-01", "record", "import", str(bad), ok=False)
    assert "not on file yet" not in r.stderr, r


def test_a_sheet_row_naming_nobody_offers_the_closest_member_as_member_show_does(cli, tmp_path, snapshot):
    """The roster came from Excel as "Ruiz, Dana"; the sign-in sheet says "Dana Ruiz". The
    import said only "no member has the badge or name 'Dana Ruiz'", while `member show
    'Dana Ruiz'` offers "Did you mean Ruiz, Dana (badge F-203)?": each row now carries
    that offer (the first 20 spellings, as `enroll bulk`); nothing is written."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes("\ufeffname,email,badge\r\n\"Ruiz, Dana\",dr@fd.example,F-203\r\n"
                       "\"O'Brien, Sean\",so@fd.example,F-150\r\n,,\r\n".encode())  # fmt: skip
    cli("member", "import", "--csv", str(roster))
    sheet = _file(tmp_path, "s.csv", "Date,Course,Member,Hrs\n2026-03-11,Drill,Dana Ruiz,2\n"
                  "2026-03-11,Drill,\"OBrien, Sean\",2\n2026-03-11,Drill,Pat Newbie,2\n")  # fmt: skip
    cards = _file(tmp_path, "c.csv", "Member,Credential,Issued\nDana Ruiz,CPR-BLS,2026-02-10\n")
    before = snapshot()
    r = cli("--as-of", "2026-06-01", "record", "import", str(sheet), ok=False)
    text = " ".join(r.stderr.split())
    assert r.exit_code == 65, r
    assert ("line 2, field member: no member has the badge or name 'Dana Ruiz' (did you mean "
            "Ruiz, Dana (badge F-203)?)") in text, text  # fmt: skip
    assert "'OBrien, Sean' (did you mean O'Brien, Sean (badge F-150)?)" in text, text
    assert "'Pat Newbie' (did you mean" not in text and "not on file yet" in text, text
    r = cli("--as-of", "2026-06-01", "cert", "import", "--csv", str(cards), ok=False)
    assert "'Dana Ruiz' (did you mean Ruiz, Dana (badge F-203)?)" in " ".join(r.stderr.split()), r
    assert snapshot() == before


def test_a_roster_with_a_new_email_names_member_edit(cli, tmp_path, snapshot):
    cli("member", "import", "--csv", str(_file(tmp_path, "a.csv", "name,email,badge\nAnn Marsh,ann@fd.example,0077\n")))
    before = snapshot()
    moved = _file(tmp_path, "m.csv", "name,email,badge\nAnn Marsh,amarsh@fd.example,0077\n")
    r = cli("member", "import", "--csv", str(moved), "--update", ok=False)
    assert ("0077 already belongs to member 1 (Ann Marsh, ann@fd.example) (got '0077'); if Ann Marsh's "
            "e-mail is now amarsh@fd.example, change it first (`trainctl member edit 0077 --email "
            "amarsh@fd.example`) and import again") in r.stderr, r  # fmt: skip
    assert snapshot() == before
    cli("member", "edit", "0077", "--email", "amarsh@fd.example")
    r = cli("member", "import", "--csv", str(moved), "--update")
    assert "1 unchanged" in r.stderr, r
    # another person's badge: no such suggestion
    other = _file(tmp_path, "o.csv", "name,email,badge\nBo Diaz,bo@fd.example,0077\n")
    r = cli("member", "import", "--csv", str(other), ok=False)
    assert "already belongs to" in r.stderr and "change it first" not in r.stderr


def test_a_corrected_roster_puts_back_the_zeros_a_spreadsheet_dropped(cli, tmp_path):
    cli("member", "import", "--csv", str(_file(tmp_path, "a.csv", "name,email,badge\nJo Zero,jz@fd.example,42\n")))
    fixed = _file(tmp_path, "z.csv", "name,email,badge\nJo Zero,jz@fd.example,0042\n")
    r = cli("member", "import", "--csv", str(fixed), "--update")
    assert "1 updated" in r.stderr, r
    assert cli("--format", "json", "member", "show", "jz@fd.example").json["badge"] == "0042"
    # and the other way: a file that dropped them leaves the badge on file as it is
    dropped = _file(tmp_path, "d.csv", "name,email,badge\nJo Zero,jz@fd.example,42\n")
    r = cli("member", "import", "--csv", str(dropped), "--update")
    assert "1 unchanged" in r.stderr, r
    assert cli("--format", "json", "member", "show", "jz@fd.example").json["badge"] == "0042"


def test_a_note_on_two_lines_in_a_skipped_column_is_read_alike_in_every_import(cli, tmp_path, snapshot):
    """Review r1: a quoted two-line Notes cell went into `record import` with a warning but
    refused the whole roster in `member import --ignore-unknown-columns`. One rule now
    (sheet.line_breaks): a skipped column's line break refuses its row only when its lines
    read as rows (a quote left open that took the rows after it)."""
    two = _file(tmp_path, "m.csv", 'name,email,Notes\r\nA One,a1@fd.example,"arrived late\r\nleft 21:00"\r\n')
    r = cli("member", "import", "--csv", str(two), "--ignore-unknown-columns")
    assert "1 added" in r.stderr, r
    sheet = _file(tmp_path, "s.csv", 'Date,Course,Email,Hrs,Notes\r\n2026-03-13,Drill,a1@fd.example,2,"late\r\nleft 21:00"\r\n')
    r = cli("--as-of", "2026-04-01", "record", "import", str(sheet))
    assert "1 added" in r.stderr, r
    # a quote left open that took two roster rows into the note: refused, nothing written
    swallowed = _file(tmp_path, "m2.csv", 'name,email,Notes\r\nB One,b1@fd.example,"l1\r\n'
                      'C Two,c2@fd.example,x\r\nD Three,d3@fd.example,y"\r\n')  # fmt: skip
    before = snapshot()
    r = cli("member", "import", "--csv", str(swallowed), "--ignore-unknown-columns", ok=False)
    assert r.exit_code == 65 and "field Notes: contains a line break" in r.stderr, r
    assert snapshot() == before
    # a line break in a column the import reads is refused as before
    name = _file(tmp_path, "m3.csv", 'name,email\r\n"E\r\nOne",e1@fd.example\r\n')
    r = cli("member", "import", "--csv", str(name), ok=False)
    assert r.exit_code == 65 and "contains a line break" in r.stderr, r
    assert snapshot() == before
