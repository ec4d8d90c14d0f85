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
    # the option typed, not the schema's field ('input, field credit_hours')
    (("course", "add", "--name", "Pump ops", "--hours", "-1"), 65, "--hours: must be 0 or more hours (got '-1')"),
    (("member", "edit", "ann@fd.org", "--status", "retired"), 65, "--status: must be active or inactive (got 'retired')"),
    (("member", "edit", "ann@fd.org", "--add-position", "nosuch"), 65, "--add-position: unknown position 'nosuch'"),
    (("member", "add", "Bo Yee", "--email", "bo@fd"), 65, "--email: "),
    # a reference is named as typed, not as an option it was not given with
    (("record", "add", "nobody@fd.org", "--course", "Drill", "--hours", "1"), 1,
     "No member 'nobody@fd.org'."),  # not found: 1, in the words of every other add
    # a date written as YYYY-MM-DD that does not exist says why, as a sheet's date does
    (("--as-of", "2025-02-29", "member", "list"), 2, "--as-of: '2025-02-29' is not a date: 2025 is not a leap year"),
    (("report", "expiring", "--as-of", "2026-04-31"), 2, "'2026-04-31' is not a date: April 2026 has 30 days."),
    (("report", "expiring", "--as-of", "26-4-1"), 2, "'26-4-1' is not a date; write it as YYYY-MM-DD or M/D/YYYY."),
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


def test_a_crew_given_as_member_is_a_crew_and_a_card_on_file_is_described(cli, dept):
    """`record add "A,B"` names two members (as --members does); a card on file without a
    number is 'no number', not 'None'."""
    r = cli("--as-of", "2026-06-01", "record", "add", "ann@fd.org,olive@fd.org", "--course", "Drill",
            "--hours", "1", "--date", "2026-05-01")  # fmt: skip
    assert "Recorded 2 records" in r.stderr
    cli("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "BLS", "--issued", "2026-01-01")
    r = cli("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "BLS", "--issued", "2026-01-01",
            "-n", "5", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "is on file (card 1) with no number" in r.stderr and "None" not in r.stderr


def test_a_root_option_after_the_command_says_where_it_goes(cli, dept):
    r = cli("cert", "list", "--as-of", "2026-01-01", ok=False)
    assert r.exit_code == 2
    assert ("--as-of is an option of trainctl itself, given before the command: "
            "`trainctl --as-of DATE cert list ...`") in r.stderr  # fmt: skip
    r = cli("member", "list", "-q", ok=False)
    assert r.exit_code == 2 and "`trainctl -q member list ...`" in r.stderr
    # another unknown option keeps Click's words; the global option in its place works
    assert "No such option: --nope" in cli("member", "list", "--nope", ok=False).stderr
    assert cli("--as-of", "2026-01-01", "cert", "list").exit_code == 0
    # --format: listings take it after the command too; `db current` only before it
    r = cli("db", "current", "--format", "json", ok=False)
    assert r.exit_code == 2 and "`trainctl --format json db current ...`" in r.stderr, r.stderr
    assert cli("member", "list", "--format", "json").exit_code == 0


def test_a_root_option_after_the_command_names_python_m_trainctl_whole(dept, snapshot):
    """Run as `python -m trainctl member list --db FILE` (as __main__.py allows), the hint
    was "--db is an option of python itself ...: `python --db PATH -m trainctl member list
    ...`", a command python refuses. The program is named as it was run."""
    from typer.testing import CliRunner

    from trainctl.cli.main import app

    before = snapshot()
    r = CliRunner().invoke(app, ["member", "list", "--db", "x.db"], prog_name="python -m trainctl")
    assert r.exit_code == 2, r.output
    assert ("--db is an option of python -m trainctl itself, given before the command: "
            "`python -m trainctl --db PATH member list ...`") in r.stderr, r.stderr  # fmt: skip
    assert snapshot() == before


def test_as_of_given_twice_with_two_dates_is_refused(cli, dept):
    """`trainctl --as-of A report expiring --as-of B` answered for B without a word."""
    r = cli("--as-of", "2025-01-01", "report", "expiring", "--as-of", "2025-06-02", ok=False)
    assert r.exit_code == 2
    assert "--as-of: given twice: 2025-01-01 before the command and 2025-06-02 after it; give one date." in r.stderr
    assert cli("--as-of", "2025-06-02", "report", "expiring", "--as-of", "2025-06-02").exit_code == 0
    r = cli("--as-of", "2025-01-01", "reminders", "preview", "--as-of", "2025-06-02", ok=False)
    assert r.exit_code == 2 and "given twice" in r.stderr


def test_a_date_option_takes_m_d_yyyy_as_every_file_does(cli, dept):
    r = cli("report", "expiring", "--as-of", "3/15/2025")
    assert "2025-03-15" in r.stderr + r.stdout, r
    r = cli("member", "edit", "ann@fd.org", "--add-position", "emt", "--effective", "12/31/2025", ok=False)
    assert "is not a date" not in r.stderr, r
