"""Messages in the department's words, never the library's (issue 11 #15): Click's and
Pydantic's wording is translated where it arises (option parsing, the schema error
formatter); an empty listing's next step depends on what the acting member may do."""

from __future__ import annotations

import pytest

LIBRARY_WORDS = ("Invalid value for", "Input should be", "unable to parse", "Value error,",
                 "is not a valid float", "is not a valid integer", "(member).")  # fmt: skip


def refused(cli, snapshot, *args: str, code: int):
    before = snapshot()
    r = cli(*args, ok=False)
    assert r.exit_code == code, r
    assert r.stderr.startswith("Error: ") and "\nHint: " in r.stderr, r.stderr
    assert not any(w in r.stderr for w in LIBRARY_WORDS), r.stderr
    assert snapshot() == before
    return r


@pytest.fixture
def dept(cli):
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")


@pytest.mark.parametrize(("args", "code", "says"), [
    (("--format", "xml", "member", "list"), 2, "--format 'xml' is not one of table, json, csv."),
    (("member", "list", "-f", "xml"), 2, "--format 'xml' is not one of table, json, csv."),
    (("requirement", "add", "-n", "X", "-t", "hours", "--hours", "abc"), 2, "--hours 'abc' is not a number."),
    (("member", "add", "Bo Yee", "--email", "bo@fd.org", "--role", "chief"), 65, "must be officer or member"),
    (("member", "show", "x"), 1, "No member 'x'."),
])  # fmt: skip
def test_refusals_speak_plainly(cli, snapshot, dept, args, code, says):
    assert says in refused(cli, snapshot, *args, code=code).stderr


def test_a_bad_cell_in_a_roster_is_described_plainly(cli, snapshot, dept, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("name,email,role,badge\nBo Yee,bo@fd.org,chief,1\n")
    r = refused(cli, snapshot, "member", "import", "--csv", roster, code=65)
    assert "field role: must be officer or member (got 'chief')" in r.stderr


@pytest.mark.parametrize("listing", [("enroll", "list"), ("program", "list"), ("requirement", "list"),
                                     ("record", "list")])  # fmt: skip
def test_a_member_is_not_told_to_run_officer_commands(cli, dept, listing):
    as_member = cli("--as", "ann@fd.org", *listing).stderr
    assert "`trainctl" not in as_member and "A training officer adds them." in as_member
    assert "`trainctl" in cli("--as", "olive@fd.org", *listing).stderr  # an officer: the next step
    assert "`trainctl" in cli(*listing).stderr  # the database owner
