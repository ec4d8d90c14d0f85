"""A listing's own CSV imports back as it is (`NOUN list -f csv`, then `NOUN import --csv`
into another department's database): an officer moving records between databases, or
fixing a listing in a spreadsheet, was told the listing's `id` column (and the columns it
works out: a card's status, a tour's hours, a course's record count) was unknown. Each
import skips those by name; a row the listing marks void is not brought back."""

from __future__ import annotations

from pathlib import Path

import pytest

AS_OF = ("--as-of", "2026-06-30")
# every listing that has an import, in the order a department is built again
KINDS = ("member", "course", "record", "cert", "shift", "call")
VOIDABLE = ("record", "cert", "shift", "call")


@pytest.fixture
def dept(cli):
    """Ann (badge 0042) and Bo, a course, and one record, card, tour and call each, with a
    void one of each besides (void rows are listed only with --include-void); then Eva and
    two John Smiths, with what a record, card or course counts by besides."""
    cli("config", "set", "timezone", "America/New_York")
    cli(*AS_OF, "member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042", "--hire-date", "2020-01-06")
    cli(*AS_OF, "member", "add", "Bo Diaz", "--email", "bo@fd.org", "--badge", "7", "--position", "emt")
    cli("course", "add", "--code", "LF-1", "--name", "Live fire", "--type", "live_fire", "--hours", "2",
        "--expiration-months", "24")  # fmt: skip
    cli("course", "add", "--name", "Ladder drill", "--type", "drill")
    cli(*AS_OF, "record", "add", "--members", "ann@fd.org,bo@fd.org", "--course", "LF-1",
        "--date", "2026-03-04", "--instructor", "Capt. Reyes")  # fmt: skip
    cli(*AS_OF, "record", "add", "--members", "bo@fd.org", "--course", "Ladder drill", "--date", "2026-04-01",
        "--hours", "1.5")  # fmt: skip
    cli(*AS_OF, "cert", "add", "ann@fd.org", "CPR-BLS", "--number", "AHA-1", "--issued", "2025-05-01",
        "--expires", "2027-05-01")  # fmt: skip
    cli(*AS_OF, "cert", "add", "bo@fd.org", "CPR-BLS", "--number", "AHA-2", "--issued", "2024-01-10",
        "--expires", "2026-01-10")  # an expired card  # fmt: skip
    cli(*AS_OF, "shift", "add", "0042", "--date", "2026-03-20", "--station", "Station 1", "--shift", "A",
        "--time-in", "2026-03-20T07:00-04:00", "--time-out", "2026-03-21T07:00-04:00")  # fmt: skip
    cli(*AS_OF, "shift", "add", "7", "--date", "2026-03-22", "--station", "Station 1", "--shift", "C",
        "--time-in", "2026-03-22T07:00-04:00", "--time-out", "2026-03-23T07:00-04:00")  # fmt: skip
    cli(*AS_OF, "call", "add", "F26-0412", "-m", "0042", "--at", "2026-03-20T14:10-04:00", "--type", "EMS",
        "--role", "driver")  # fmt: skip
    cli(*AS_OF, "call", "add", "F26-0413", "-m", "0042", "--at", "2026-03-20T18:00-04:00", "--type", "Fire")
    for noun in VOIDABLE:  # the last one of each: void
        listed = cli("--format", "json", noun, "list").json
        cli(noun, "void", str(max(row["id"] for row in listed)), "--reason", "entered in error")
    # what a record, card, course and member count by besides (an NREMT worksheet's figures:
    # passed, self-paced, the certification date), and two members of one name (badges 101, 102)
    cli(*AS_OF, "member", "add", "Eva Lind", "--email", "eva@fd.org", "--badge", "E-1", "--position", "emt",
        "--hire-date", "2020-01-01", "--certification-date", "2024-05-01")  # fmt: skip
    cli(*AS_OF, "member", "add", "John Smith", "--email", "js1@fd.org", "--badge", "101")
    cli(*AS_OF, "member", "add", "John Smith", "--email", "js2@fd.org", "--badge", "102")
    cli("course", "add", "--code", "LF-2", "--name", "Live fire II", "--type", "live_fire", "--hours", "3",
        "--duration", "4", "--prerequisite", "LF-1")  # fmt: skip
    cli(*AS_OF, "record", "add", "E-1", "--course", "Airway online", "--date", "2026-01-10", "--hours", "10",
        "--category", "national", "--topic", "airway", "--self-paced")  # fmt: skip
    cli(*AS_OF, "record", "add", "E-1", "--course", "Trauma class", "--date", "2026-02-10", "--hours", "8",
        "--category", "national/trauma", "--not-passed", "--location", "Station 2", "--score", "61.5")  # fmt: skip
    cli(*AS_OF, "record", "add", "102", "--course", "LF-1", "--date", "2026-02-11")
    cli(*AS_OF, "cert", "add", "101", "ACLS", "--number", "A-9", "--issued", "2025-02-01", "--expires",
        "2027-02-01", "--name", "Advanced Cardiac Life Support", "--issuer", "AHA")  # fmt: skip
    cli(*AS_OF, "shift", "add", "102", "--date", "2026-03-24", "--station", "Station 2", "--shift", "B",
        "--time-in", "2026-03-24T07:00-04:00", "--time-out", "2026-03-24T19:00-04:00")  # fmt: skip
    cli(*AS_OF, "call", "add", "F26-0420", "-m", "101", "--at", "2026-03-24T09:00-04:00", "--type", "EMS",
        "--shift-date", "2026-03-24")  # fmt: skip
    return cli


def _rows(cli, noun: str, *extra: str) -> list[tuple[str, ...]]:
    """The listing's CSV rows without their id (ids are each database's own), sorted."""
    lines = cli(*extra, *AS_OF, "--format", "csv", noun, "list").stdout.splitlines()
    assert lines[0].startswith("id,"), lines[0]
    return sorted(tuple(line.split(",")[1:]) for line in lines)


def _listings(cli, tmp_path: Path, *extra: str) -> dict[str, Path]:
    files = {}
    for noun in KINDS:
        files[noun] = tmp_path / f"{noun}{''.join(extra)}.csv"
        given = extra if noun in VOIDABLE else ()
        files[noun].write_text(cli(*AS_OF, "--format", "csv", noun, "list", *given).stdout, encoding="utf-8")
    return files


def test_each_listing_imports_back_into_another_department_as_the_same_rows(dept, tmp_path, fresh_url):
    before = {noun: _rows(dept, noun) for noun in KINDS}
    assert all(len(rows) >= 2 for rows in before.values()), before  # the header and a row at least
    files = _listings(dept, tmp_path)
    fresh = ("--db", fresh_url)
    dept(*fresh, "config", "set", "timezone", "America/New_York")
    for noun in KINDS:  # no --ignore-unknown-columns: the listing's own columns are known
        dept(*fresh, *AS_OF, noun, "import", "--csv", str(files[noun]))
    for noun in KINDS:  # (a course's record count: once the records are in)
        assert _rows(dept, noun, *fresh) == before[noun], noun


# what each database numbers or stamps for itself (the listings' rows are compared without them)
OWN = ("id", "member_id", "course_id", "shift_id", "call_id", "source_file", "source_line", "created_at", "created_by",
       "updated_at", "voided_at", "voided_by", "void_reason")  # fmt: skip


def _json(cli, noun: str, *extra: str) -> list[str]:
    """The listing's JSON rows without what each database gives itself (a course's
    prerequisites by code), each row as sorted JSON text, sorted."""
    import json

    listed = cli(*extra, *AS_OF, "--format", "json", noun, "list").json
    codes = {row["id"]: row["code"] for row in listed} if noun == "course" else {}
    rows = []
    for row in listed:
        if noun == "course":
            row["prerequisites"] = sorted(codes[i] for i in row["prerequisites"])
        rows.append(json.dumps({k: v for k, v in row.items() if k not in OWN}, sort_keys=True))
    return sorted(rows)


def test_every_listing_taken_to_another_database_lists_the_same_in_json(dept, tmp_path, fresh_url):
    """The CSV listings wrote only the table's columns: a record's passed, self-paced and
    location, a member's certification date, a card's issuer, a course's duration and
    prerequisites were lost on the way (a failed class counted, an NREMT worksheet read
    18 h and OVERDUE where it had read 10 h, DUE SOON); and the rows named a member only by
    name, so two John Smiths could not be imported back. Every field JSON lists arrives."""
    before = {noun: _json(dept, noun) for noun in KINDS}
    files = _listings(dept, tmp_path)
    for noun in ("member", *VOIDABLE):  # a member by e-mail too, not only by name
        assert ",email," in files[noun].read_text().splitlines()[0], noun
    fresh = ("--db", fresh_url)
    dept(*fresh, "config", "set", "timezone", "America/New_York")
    for noun in KINDS:
        dept(*fresh, *AS_OF, noun, "import", "--csv", str(files[noun]))
    for noun in KINDS:
        assert _json(dept, noun, *fresh) == before[noun], noun
    smiths = [row for row in dept(*fresh, "--format", "json", "record", "list").json if row["member"] == "John Smith"]
    assert [row["email"] for row in smiths] == ["js2@fd.org"], smiths  # badge 102's, not 101's


def test_rows_a_listing_marks_void_are_not_brought_back(dept, tmp_path, fresh_url):
    live = {noun: _rows(dept, noun) for noun in KINDS}
    files = _listings(dept, tmp_path, "--include-void")
    for noun in VOIDABLE:
        assert "void" in files[noun].read_text(), noun  # the listing shows its void row
    fresh = ("--db", fresh_url)
    dept(*fresh, "config", "set", "timezone", "America/New_York")
    for noun in KINDS:
        r = dept(*fresh, *AS_OF, noun, "import", "--csv", str(files[noun]))
        if noun in VOIDABLE:
            assert "1 match void" in r.stderr, r
    for noun in KINDS:
        assert _rows(dept, noun, *fresh) == live[noun], noun


def test_a_column_the_listing_does_not_write_is_still_refused(cli, tmp_path, snapshot):
    """Only the listing's own columns are skipped: another unknown column is refused."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    sheet = tmp_path / "calls.csv"
    sheet.write_text("id,incident,at,member,seat_belt\n1,F1,2026-03-20T14:10-04:00,ann@fd.org,yes\n",
                     encoding="utf-8")  # fmt: skip
    before = snapshot()
    r = cli(*AS_OF, "call", "import", "--csv", str(sheet), ok=False)
    assert r.exit_code == 65 and "unknown column: 'seat_belt'" in r.stderr and "'id'" not in r.stderr, r
    assert snapshot() == before


def test_the_apostrophe_before_a_formula_like_text_is_read_back_off(cli, tmp_path, fresh_url, snapshot):
    """The CSV writer puts an apostrophe before text a spreadsheet would run as a formula
    ("+Plus Name", badge "-5", instructor "@jlee"); the importers took it as part of the
    name, and a re-import into the same database was refused as a renamed member."""
    cli(*AS_OF, "member", "add", "+Plus Name", "--email", "plus@fd.org", "--badge", "-5")
    cli(*AS_OF, "member", "add", "'Tis Ann", "--email", "tis@fd.org")  # an apostrophe of its own
    cli(*AS_OF, "record", "add", "plus@fd.org", "--course", "Hose drill", "--date", "2026-03-01",
        "--hours", "2", "--instructor", "@jlee")  # fmt: skip
    members, records = tmp_path / "m.csv", tmp_path / "r.csv"
    members.write_text(cli(*AS_OF, "--format", "csv", "member", "list").stdout, encoding="utf-8")
    records.write_text(cli(*AS_OF, "--format", "csv", "record", "list").stdout, encoding="utf-8")
    assert "'+Plus Name" in members.read_text() and "'@jlee" in records.read_text()  # still guarded
    before = snapshot()
    r = cli(*AS_OF, "member", "import", "--csv", str(members))
    assert "0 added, 0 updated, 2 unchanged" in r.stderr, r
    assert snapshot() == before
    fresh = ("--db", fresh_url)
    cli(*fresh, *AS_OF, "member", "import", "--csv", str(members))
    cli(*fresh, *AS_OF, "record", "import", "--csv", str(records))
    people = {(m["name"], m["badge"]) for m in cli(*fresh, "--format", "json", "member", "list").json}
    assert people == {("+Plus Name", "-5"), ("'Tis Ann", None)}, people
    [record] = cli(*fresh, "--format", "json", "record", "list").json
    assert (record["member"], record["instructor"]) == ("+Plus Name", "@jlee"), record


def test_a_name_two_members_share_is_settled_by_the_rows_email_or_badge(cli, tmp_path, snapshot):
    """Two John Smiths (badges 101, 102): a row naming "John Smith" beside an e-mail or badge
    is that member's; the name alone is still refused, naming both, with nothing written."""
    cli(*AS_OF, "member", "add", "John Smith", "--email", "js1@fd.org", "--badge", "101")
    cli(*AS_OF, "member", "add", "John Smith", "--email", "js2@fd.org", "--badge", "102")
    sheet = tmp_path / "r.csv"
    sheet.write_text("member,email,badge,course,date,hours\nJohn Smith,js2@fd.org,,Hose drill,2026-03-01,2\n"
                     "John Smith,,101,Hose drill,2026-03-02,2\n", encoding="utf-8")  # fmt: skip
    cli(*AS_OF, "record", "import", "--csv", str(sheet))
    got = {(r["email"], str(r["completion_date"])) for r in cli("--format", "json", "record", "list").json}
    assert got == {("js2@fd.org", "2026-03-01"), ("js1@fd.org", "2026-03-02")}, got
    sheet.write_text("member,course,date,hours\nJohn Smith,Hose drill,2026-03-03,2\n", encoding="utf-8")
    before = snapshot()
    r = cli(*AS_OF, "record", "import", "--csv", str(sheet), ok=False)
    assert r.exit_code == 65 and "2 members are named 'John Smith'" in r.stderr, r
    assert snapshot() == before


def _history(cli, db: str, email: str) -> tuple[object, ...]:
    """`member show -f json` as another database holds it too: the member and their history
    (effective day, positions, status), not when or by whom each row was written."""
    shown = cli("--db", db, "--format", "json", "member", "show", email).json
    mine = {k: v for k, v in shown.items() if k not in ("id", "created_at", "created_by", "updated_at")}
    history = [(h["effective_on"], h["positions"], h["status"]) for h in mine.pop("history")]
    return mine, history


def test_a_retired_members_status_history_survives_the_member_csv_round_trip(cli, tmp_path, db_url, fresh_url):
    """A retired member's CSV (`member list -f csv` -> `member import --csv`) arrived in the
    new database inactive since their hire date in 2015: every roster and report of the
    years they served lost them (review). The listing writes `status_since`, the day the
    member's status took effect, and the import keeps it: active from the hire date, retired
    on 31 December; one never changed alike. One row holds one status: a member back from
    leave arrives active from their hire date (the leave is not carried, README), and
    positions over time are not carried either (these members kept theirs)."""
    cli(*AS_OF, "member", "add", "Ret Iree", "--email", "r@x.org", "--position", "firefighter",
        "--hire-date", "2015-03-01")  # fmt: skip
    cli(*AS_OF, "member", "deactivate", "r@x.org", "--effective", "2025-12-31", "--reason", "retired")
    cli(*AS_OF, "member", "add", "Lee Ave", "--email", "l@x.org", "--position", "emt", "--hire-date", "2018-05-01")
    cli(*AS_OF, "member", "edit", "l@x.org", "--status", "inactive", "--effective", "2026-01-05")
    cli(*AS_OF, "member", "edit", "l@x.org", "--status", "active", "--effective", "2026-04-01")
    cli(*AS_OF, "member", "add", "Ned Ew", "--email", "n@x.org", "--hire-date", "2024-02-01")
    listing = tmp_path / "members.csv"
    listing.write_text(cli(*AS_OF, "member", "list", "--status", "all", "-f", "csv").stdout, encoding="utf-8")
    assert "r@x.org,,firefighter,member,inactive,2015-03-01,,2025-12-31" in listing.read_text(), listing.read_text()
    cli("--db", fresh_url, *AS_OF, "member", "import", "--csv", str(listing))
    for email in ("r@x.org", "n@x.org"):
        assert _history(cli, fresh_url, email) == _history(cli, db_url, email), email
    back = _history(cli, fresh_url, "l@x.org")
    assert back[0] == _history(cli, db_url, "l@x.org")[0] and back[1] == [("2018-05-01", ["emt"], "active")]
    assert _history(cli, fresh_url, "r@x.org")[1] == [
        ("2025-12-31", ["firefighter"], "inactive"), ("2015-03-01", ["firefighter"], "active")]  # fmt: skip
    # a roster of a year the retiree served has them, in the new database too
    then = cli("--db", fresh_url, "--as-of", "2025-06-01", "--format", "json", "member", "list").json
    assert {m["name"] for m in then} == {"Ret Iree", "Lee Ave", "Ned Ew"}, then
    # and the file imports back into the first database as it is: nothing changes
    assert "0 added, 0 updated, 3 unchanged" in cli(*AS_OF, "member", "import", "--csv", str(listing)).stderr


def test_status_since_dates_a_change_of_status_and_a_bad_one_writes_nothing(cli, tmp_path, snapshot):
    """`member import --update` of a row that retires a member takes the change on the row's
    `status_since` (as `--effective` does for the whole file); one after today, before the
    member's last change, or not a date, is refused naming the line and field."""
    cli(*AS_OF, "member", "add", "Ret Iree", "--email", "r@x.org", "--hire-date", "2015-03-01")
    cli(*AS_OF, "member", "edit", "r@x.org", "--position", "firefighter", "--effective", "2026-02-01")
    head = "name,email,status,status_since\n"
    bad = {
        "2026-07-01": "line 2, field status_since: 2026-07-01 is after today (2026-06-30)",
        "2026-01-15": "line 2, field status_since: the change would take effect 2026-01-15, before the "
                      "member's last recorded change of positions or status (2026-02-01); import it "
                      "with a status_since of 2026-02-01 or later",
        "31/12/2025": "line 2, field status_since: ",
    }  # fmt: skip
    for since, said in bad.items():
        sheet = tmp_path / "retire.csv"
        sheet.write_text(f"{head}Ret Iree,r@x.org,inactive,{since}\n", encoding="utf-8")
        before = snapshot()
        r = cli(*AS_OF, "member", "import", "--csv", str(sheet), "--update", ok=False)
        assert r.exit_code == 65 and said in " ".join(r.stderr.split()), r
        assert snapshot() == before
    sheet.write_text(f"{head}Ret Iree,r@x.org,inactive,2026-05-31\n", encoding="utf-8")
    cli(*AS_OF, "member", "import", "--csv", str(sheet), "--update")
    history = cli("--format", "json", "member", "show", "r@x.org").json["history"]
    assert [(h["effective_on"], h["status"]) for h in history][:2] == [("2026-05-31", "inactive"), ("2026-02-01", "active")]
    # a status_since beside an unchanged status dates nothing: the row is unchanged
    sheet.write_text(f"{head}Ret Iree,r@x.org,inactive,2026-06-15\n", encoding="utf-8")
    assert "0 updated, 1 unchanged" in cli(*AS_OF, "member", "import", "--csv", str(sheet), "--update").stderr
