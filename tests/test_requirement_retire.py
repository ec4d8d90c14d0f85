"""Taking a requirement out of the catalog (`requirement retire` / `unretire`): from its
day nobody is judged by it (report compliance and its summary, explain, reminders,
report iso), a report as of an earlier day judges it exactly as before (issue 9, "as of
any date"), everything on file stays; refusals write nothing; an import of its registry
leaves it retired and says so. Through the real CLI, on both backends.
"""

from __future__ import annotations

import csv
import io

import pytest

ENTERED = "2024-01-01"  # the day the requirements were entered (--as-of)
RETIRED = "2026-06-01"


@pytest.fixture
def dept(cli):
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org", "--position", "firefighter",
        "--hire-date", "2015-01-10")  # fmt: skip
    for name, category in (("Hazmat refresher", "hazmat"), ("Wildland hours", "wildland")):
        cli("--as-of", ENTERED, "requirement", "add", "--name", name, "--type", "hours",
            "--hours", "6", "--frequency", "annual", "--counts-category", category)  # fmt: skip
    for member, category, day, hours in (
        ("ann@fd.org", "hazmat", "2026-03-10", 6), ("ann@fd.org", "wildland", "2026-03-10", 6),
        ("bo@fd.org", "hazmat", "2026-03-10", 6), ("bo@fd.org", "wildland", "2025-03-10", 6),
    ):  # Bo is short of wildland hours this year
        cli("--as-of", "2026-04-01", "record", "add", member, "--course", "Drill", "--date", day,
            "--hours", str(hours), "--category", category)  # fmt: skip
    return cli


def report(cli, as_of: str, *extra: str) -> dict:
    return cli("report", "compliance", "--as-of", as_of, "--format", "json", *extra).json


def judged(doc: dict) -> set[str]:
    return {c["requirement"] for c in doc["cells"]} | {s["requirement"] for s in doc["summary"]}


def test_retired_from_its_day_and_earlier_reports_judge_it_exactly_as_before(dept, db):
    before = {day: report(dept, day) for day in ("2025-12-31", "2026-05-31")}
    assert "Wildland hours" in judged(before["2026-05-31"])
    records = db.count("training_record")

    r = dept("--as-of", RETIRED, "requirement", "retire", "Wildland hours", "--reason", "added by mistake")
    assert "Retired requirement 2 (Wildland hours) from 2026-06-01 (added by mistake)" in r.stderr

    # as of any earlier day: the same report, cell for cell, summary line for line
    for day, doc in before.items():
        assert report(dept, day) == doc
    # from its day: judged by nobody, nor in the summary lines
    for day in (RETIRED, "2026-12-31"):
        assert judged(report(dept, day)) == {"Hazmat refresher"}
    table = dept("report", "compliance", "--as-of", RETIRED).stdout
    assert "Wildland" not in table and "Hazmat" in table
    # explain says when and why instead of a status; before it, the status as before
    said = dept("requirement", "explain", "bo@fd.org", "Wildland hours", "--as-of", "2026-07-01")
    assert "retired on 2026-06-01 (added by mistake)" in said.stdout
    doc = dept("requirement", "explain", "bo@fd.org", "Wildland hours", "--as-of", "2026-07-01",
               "--format", "json").json  # fmt: skip
    assert (doc["status"], doc["retired_on"], doc["retired_reason"]) == ("retired", RETIRED, "added by mistake")
    earlier = dept("requirement", "explain", "bo@fd.org", "Wildland hours", "--as-of", "2026-05-31",
                   "--format", "json").json  # fmt: skip
    cell = next(c for c in before["2026-05-31"]["cells"]
                if (c["member"], c["requirement"]) == ("Bo Diaz", "Wildland hours"))  # fmt: skip
    assert earlier["status"] == cell["status"]
    # naming it alone: said, not an empty report
    named = dept("report", "compliance", "--requirement", "Wildland hours", "--as-of", "2026-07-01", ok=False)
    assert named.exit_code == 1 and "retired on 2026-06-01" in named.stderr
    both = dept("report", "compliance", "--requirement", "Wildland hours", "--requirement", "Hazmat refresher",
                "--as-of", "2026-07-01")  # fmt: skip
    assert "Wildland hours is not in the report: retired on 2026-06-01 (added by mistake)." in both.stderr
    assert "Hazmat" in both.stdout and "Wildland" not in both.stdout
    # the catalog: left out of the list unless --all (marked), shown with when and why
    listed = dept("--as-of", "2026-07-01", "requirement", "list", "--format", "json").json
    assert [r["name"] for r in listed] == ["Hazmat refresher"]
    every = dept("--as-of", "2026-07-01", "requirement", "list", "--all").stdout
    assert "retired on" in every and "2026-06-01" in every
    rows = dept("--as-of", "2026-07-01", "requirement", "list", "--all", "--format", "csv").stdout
    assert {(r["name"], r["retired_on"], r["retired_reason"]) for r in csv.DictReader(io.StringIO(rows))} == {
        ("Hazmat refresher", "", ""), ("Wildland hours", RETIRED, "added by mistake"),
    }  # fmt: skip
    shown = dept("requirement", "show", "Wildland hours").stdout
    assert "retired on 2026-06-01 (added by mistake)" in " ".join(shown.split())
    # everything on file stays, and the audit log has it
    assert db.count("training_record") == records
    assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'requirement.retire'") == 1


def test_a_retirement_planned_for_a_later_day_judges_until_then(dept):
    dept("--as-of", "2026-04-01", "requirement", "retire", "Wildland hours", "--effective", "2027-01-01")
    assert "Wildland hours" in judged(report(dept, "2026-12-31"))
    assert judged(report(dept, "2027-01-01")) == {"Hazmat refresher"}
    listed = dept("--as-of", "2026-04-01", "requirement", "list").stdout
    assert "retires on" in listed


def test_dry_run_writes_nothing(dept, snapshot):
    before = snapshot()
    r = dept("--as-of", RETIRED, "requirement", "retire", "Wildland hours", "--dry-run")
    assert "Would retire" in r.stderr and "nothing written" in r.stderr
    assert snapshot() == before


def refused(cli, snapshot, *args: str, code: int = 1) -> str:
    before = snapshot()
    r = cli(*args, ok=False)
    assert r.exit_code == code, r
    assert snapshot() == before
    return " ".join(r.stderr.split())


def test_refusals_write_nothing(dept, snapshot):
    # before the day it was entered
    why = refused(dept, snapshot, "--as-of", RETIRED, "requirement", "retire", "Wildland hours",
                  "--effective", "2023-12-31")  # fmt: skip
    assert "entered on 2024-01-01" in why and "--effective 2024-01-01" in why
    # before its last dated change
    dept("--as-of", "2026-04-01", "requirement", "edit", "Wildland hours", "--hours", "8")
    why = refused(dept, snapshot, "--as-of", RETIRED, "requirement", "retire", "Wildland hours",
                  "--effective", "2026-03-01")  # fmt: skip
    assert "last change" in why and "2026-04-01" in why
    # by a member without training.manage
    dept("member", "add", "Cy Cole", "--email", "cy@fd.org")
    refused(dept, snapshot, "--as", "cy@fd.org", "requirement", "retire", "Wildland hours", code=77)
    # a bad reason
    refused(dept, snapshot, "requirement", "retire", "Wildland hours", "--reason", "a\x07b", code=65)
    # twice; and a retired requirement is not edited
    dept("--as-of", RETIRED, "requirement", "retire", "Wildland hours")
    why = refused(dept, snapshot, "--as-of", RETIRED, "requirement", "retire", "Wildland hours")
    assert "already retired on 2026-06-01" in why and "unretire" in why
    why = refused(dept, snapshot, "requirement", "edit", "Wildland hours", "--hours", "4")
    assert "retired on 2026-06-01" in why and "requirement unretire 2" in why
    refused(dept, snapshot, "requirement", "unretire", "Hazmat refresher")
    # brought back from a day still to come: refused (the list shows the row as it stands)
    why = refused(dept, snapshot, "--as-of", "2026-07-01", "requirement", "unretire", "Wildland hours",
                  "--effective", "2026-08-01", code=2)  # fmt: skip
    assert "after today (2026-07-01)" in why


def test_refused_while_a_program_linking_it_has_members_enrolled(dept, snapshot, db):
    dept("program", "create", "Wildland Academy", "--time-limit-days", "90")
    dept("program", "requirement", "add", "Wildland Academy", "Wildland hours")
    dept("program", "activate", "Wildland Academy")
    dept("--as-of", "2026-04-01", "enroll", "add", "ann@fd.org", "Wildland Academy")
    dept("--as-of", "2026-04-01", "enroll", "add", "bo@fd.org", "Wildland Academy")
    dept("--as-of", "2026-04-02", "enroll", "hold", "2")
    why = refused(dept, snapshot, "--as-of", RETIRED, "requirement", "retire", "Wildland hours")
    assert "Wildland Academy@1 (2 enrolled)" in why
    assert "enroll withdraw" in why and "program requirement remove" in why
    # once those enrollments are over, it may go; the program's progress rows stay
    rows = db.count("requirement_progress")
    dept("--as-of", RETIRED, "enroll", "withdraw", "1", "--yes")
    dept("--as-of", RETIRED, "enroll", "withdraw", "2", "--yes")
    dept("--as-of", RETIRED, "requirement", "retire", "Wildland hours")
    assert db.count("requirement_progress") == rows
    # and a retired requirement is not linked into a program again
    dept("program", "create", "Wildland Refresher")
    why = refused(dept, snapshot, "program", "requirement", "add", "Wildland Refresher", "Wildland hours")
    assert "retired on 2026-06-01" in why and "not linked into a program" in why and "unretire" in why


def test_unretire_from_a_later_day_keeps_the_days_it_was_retired(dept):
    dept("--as-of", RETIRED, "requirement", "retire", "Wildland hours", "--reason", "county dropped it")
    r = dept("--as-of", "2026-08-01", "requirement", "unretire", "Wildland hours")
    assert "from 2026-08-01" in r.stderr
    assert "Wildland hours" in judged(report(dept, "2026-05-31"))
    assert judged(report(dept, "2026-07-31")) == {"Hazmat refresher"}
    assert "Wildland hours" in judged(report(dept, "2026-08-01"))
    shown = " ".join(dept("requirement", "show", "Wildland hours").stdout.split())
    assert "until 2026-07-31 retired on 2026-06-01 (county dropped it)" in shown
    # in force again: it may be edited, from then on
    dept("--as-of", "2026-08-02", "requirement", "edit", "Wildland hours", "--hours", "8")
    assert judged(report(dept, "2026-07-31")) == {"Hazmat refresher"}


def test_unretire_from_its_day_undoes_it(dept, db):
    dept("--as-of", RETIRED, "requirement", "retire", "Wildland hours")
    r = dept("--as-of", RETIRED, "requirement", "unretire", "Wildland hours")
    assert "undone" in r.stderr
    assert "Wildland hours" in judged(report(dept, "2026-07-01"))
    assert db.count("requirement_history") == 0


def test_no_compliance_reminder_for_a_retired_requirement(dept):
    def previewed(as_of: str) -> set[str]:
        rows = dept("--format", "json", "reminders", "preview", "--as-of", as_of).json
        return {d["about"] for d in rows if d["kind"] == "compliance"}

    assert "Wildland hours" in previewed("2026-12-10")  # Bo is short: due soon
    dept("--as-of", "2026-11-01", "requirement", "retire", "Wildland hours")
    assert "Wildland hours" not in previewed("2026-12-10")


def test_a_registry_entry_retired_stays_retired_through_an_import(cli):
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("--as-of", "2025-01-01", "import", "iso")
    cli("--as-of", "2026-01-01", "requirement", "retire", "ISO-HAZMAT", "--reason", "not graded")

    def items(year: str, as_of: str) -> set[str]:
        out = cli("report", "iso", "--year", year, "--as-of", as_of).stdout
        return {w for w in out.split() if w.startswith("ISO-")}

    assert "ISO-HAZMAT" in items("2025", "2025-12-31")
    assert "ISO-HAZMAT" not in items("2026", "2026-03-01") and "ISO-COMPANY" in items("2026", "2026-03-01")
    for extra in ((), ("--update",), ("--dry-run",)):
        r = cli("--as-of", "2026-02-01", "import", "iso", *extra)
        assert "1 left retired (ISO-HAZMAT" in r.stderr and "unretire" in r.stderr
    listed = cli("--as-of", "2026-02-01", "requirement", "list", "--registry", "ISO", "--format", "json").json
    assert "ISO-HAZMAT" not in {r["registry_code"] for r in listed}
    doc = cli("requirement", "show", "ISO-HAZMAT", "--format", "json").json
    assert (doc["retired_on"], doc["retired_reason"]) == ("2026-01-01", "not graded")
    # a department not graded at all: every item retired, said (not an empty report)
    for row in listed:
        cli("--as-of", "2026-01-01", "requirement", "retire", row["registry_code"])
    r = cli("report", "iso", "--year", "2026", "--as-of", "2026-03-01", ok=False)
    assert r.exit_code == 1 and "retired on 2026-01-01" in r.stderr
    assert "ISO-HAZMAT" in items("2025", "2025-12-31")


def test_a_retired_nremt_level_is_said_retired_in_the_worksheet(cli):
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "emt",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("--as-of", "2024-01-01", "import", "nremt")
    cli("--as-of", "2026-01-01", "requirement", "retire", "NREMT-EMT", "--reason", "state card")
    assert "NREMT-EMT" in cli("report", "nremt", "ann@fd.org", "--as-of", "2025-12-31").stdout
    for level in ((), ("--level", "NREMT-EMT")):
        r = cli("report", "nremt", "ann@fd.org", "--as-of", "2026-02-01", *level, ok=False)
        assert r.exit_code == 1 and "retired on 2026-01-01 (state card)" in r.stderr


def test_a_program_file_linking_a_retired_requirement_is_refused(dept, snapshot, tmp_path):
    """Review: `program requirement add` refused a retired requirement, while `program apply
    --file` linked it (the file's links are resolved apart): a new program's members
    worked toward what nobody is judged by. Refused the same way, nothing written."""
    dept("--as-of", RETIRED, "requirement", "retire", "Wildland hours", "--reason", "dropped")
    path = tmp_path / "wildland.toml"
    path.write_text('name = "Wildland Academy"\nversion = 1\nstructure_type = "flexible"\n'
                    '[[requirements]]\nname = "Hazmat refresher"\nrequired = true\n'
                    '[[requirements]]\nname = "Wildland hours"\nrequired = true\n')  # fmt: skip
    why = refused(dept, snapshot, "program", "apply", "--file", str(path))
    assert "The program links requirements that are retired (1); nothing was written." in why, why
    assert "Wildland hours is retired on 2026-06-01 (dropped)" in why, why
    assert "requirement unretire" in why
