"""Effective dates (issue 11 #25): a credit, a verification and a milestone keep the real
time they were written (`*_at`) and carry the date they take effect (`*_on`): the --as-of
date when one was given, else the department's day. Reads show the effective date.

Both writers set it: the progress writer (plain SQL, `progress update`) and the credit feed
(the ORM session's connection, `record import`); both fire milestones through one function."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from enroll_helpers import Dept


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def _real(stamp: str, start: datetime) -> None:
    """A *_at timestamp is the real time of writing (during this test), whatever --as-of said."""
    at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert start <= at <= datetime.now(UTC), stamp


@pytest.mark.parametrize("as_of", ["2026-06-01", "2028-02-29", "2026-12-31"])
def test_a_verification_under_as_of_takes_effect_that_day(cli, dept, as_of):
    start = datetime.now(UTC).replace(microsecond=0)
    ann, olga = dept.member("Ann Lee"), dept.member("Olga Chief", role="officer")
    dept.simple_program("Recruit", "hours")
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Recruit")  # (credit is never dated before it)
    cli("progress", "self-reporting", "on")
    cli("--as", str(ann), "--as-of", "2026-05-30", "progress", "update", "1", "--add", "2")
    r = cli("--as", str(olga), "--as-of", as_of, "--format", "json", "progress", "update", "1", "--verify")
    assert r.json["verified_on"] == as_of
    _real(r.json["verified_at"], start)

    (credit,) = cli("--format", "json", "progress", "log", "1").json
    assert (credit["entered_on"], credit["verified_on"]) == ("2026-05-30", as_of)
    _real(credit["entered_at"], start)
    log = cli("progress", "log", "1").stdout
    assert "2026-05-30" in log and start.strftime("%Y-%m-%d %H") not in log  # the date, not the clock

    (line,) = cli("--format", "json", "enroll", "show", "1").json["requirements"]
    assert (line["verified_by"], line["verified_on"]) == ("Olga Chief", as_of)
    _real(line["verified_at"], start)
    assert f"verified by Olga Chief on {as_of}" in cli("enroll", "show", "1").stdout


@pytest.mark.parametrize("as_of", ["2026-06-01", "2028-02-29", "2026-12-31"])
def test_a_milestone_reached_under_as_of_is_reached_that_day(cli, dept, as_of):
    start = datetime.now(UTC).replace(microsecond=0)
    ann, olga = dept.member("Ann Lee"), dept.member("Olga Chief", role="officer")
    pid, _ = dept.simple_program("Recruit", "hours")
    dept.milestone(pid, "Half", 50, verify=True)
    cli("--as-of", "2026-01-05", "enroll", "add", str(ann), "Recruit")
    r = cli("--as-of", as_of, "progress", "update", "1", "--add", "6")
    assert "Milestone reached: Half" in r.stderr
    (m,) = cli("--format", "json", "progress", "milestones", "1").json
    assert (m["reached_on"], m["verified_on"]) == (as_of, None)
    _real(m["reached_at"], start)
    assert as_of in cli("progress", "milestones", "1").stdout

    r = cli("--as", str(olga), "--as-of", "2029-01-01", "progress", "verify-milestone", "1", "Half")
    assert "Milestone verified on 2029-01-01." in r.stderr
    (m,) = cli("--format", "json", "enroll", "show", "1").json["milestones"]
    assert (m["reached_on"], m["verified_on"], m["verified_by"]) == (as_of, "2029-01-01", "Olga Chief")
    _real(m["verified_at"], start)
    r = cli("progress", "verify-milestone", "1", "Half", ok=False)
    assert "already verified on 2029-01-01" in r.stderr


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_csv_carries_the_real_times_json_does(cli, dept):
    """README: `entered_at`, `verified_at`, `reached_at` "in JSON and CSV". The CSV of
    progress log, progress pending and progress milestones wrote the table's columns only:
    no entered_at, no verified_on, no reached_at (review); progress log's JSON had no
    verified_at either. Each CSV now has the fields of its JSON (allocation aside)."""
    from trainctl.cli.render import csv_cell

    start = datetime.now(UTC).replace(microsecond=0)
    ann, olga = dept.member("Ann Lee"), dept.member("Olga Chief", role="officer")
    pid, _ = dept.simple_program("Recruit", "hours")
    dept.milestone(pid, "Half", 50, verify=True)
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Recruit")
    cli("progress", "self-reporting", "on")
    cli("--as", str(ann), "--as-of", "2026-05-30", "progress", "update", "1", "--add", "6")

    (waiting,) = _csv(cli("--format", "csv", "progress", "pending").stdout)
    assert waiting["entered_on"] == "2026-05-30"
    _real(waiting["entered_at"], start)

    cli("--as", str(olga), "--as-of", "2026-06-01", "progress", "update", "1", "--verify")
    cli("--as", str(olga), "--as-of", "2026-06-02", "progress", "verify-milestone", "1", "Half")
    (credit,) = cli("--format", "json", "progress", "log", "1").json
    _real(credit["verified_at"], start)
    (line,) = _csv(cli("--format", "csv", "progress", "log", "1").stdout)
    assert line == {k: csv_cell(v) for k, v in credit.items() if k != "allocation"}  # JSON's fields
    assert (line["entered_on"], line["verified_on"]) == ("2026-05-30", "2026-06-01")
    _real(line["entered_at"], start)
    _real(line["verified_at"], start)

    (m,) = _csv(cli("--format", "csv", "progress", "milestones", "1").stdout)
    (mj,) = cli("--format", "json", "progress", "milestones", "1").json
    assert (m["reached_on"], m["verified_on"], m["verified_by"]) == ("2026-06-01", "2026-06-02", "Olga Chief")
    assert (m["reached_at"], m["verified_at"]) == (mj["reached_at"], mj["verified_at"])
    _real(m["reached_at"], start)
    _real(m["verified_at"], start)


def test_a_verification_by_the_database_owner_is_signed_by_the_owner(cli, dept):
    """Verified without --as: milestones and requirement lines said nobody ('Verified by'
    blank, JSON null) where the ledger says 'database owner'."""
    ann = dept.member("Ann Lee")
    pid, _ = dept.simple_program("Recruit", "hours")
    dept.milestone(pid, "Half", 50, verify=True)
    cli("--as-of", "2026-01-05", "enroll", "add", str(ann), "Recruit")
    cli("--as-of", "2026-02-01", "progress", "update", "1", "--add", "6")
    (m,) = cli("--format", "json", "progress", "milestones", "1").json
    assert m["verified_by"] is None  # reached, not yet verified: nobody signed
    cli("--as-of", "2026-02-02", "progress", "verify-milestone", "1", "Half")
    (m,) = cli("--format", "json", "progress", "milestones", "1").json
    assert (m["verified_by"], m["verified_on"]) == ("database owner", "2026-02-02")
    assert "database owner" in cli("progress", "milestones", "1").stdout
    cli("--as-of", "2026-02-03", "progress", "update", "1", "--verify")
    (line,) = cli("--format", "json", "enroll", "show", "1").json["requirements"]
    assert (line["verified_by"], line["verified_on"]) == ("database owner", "2026-02-03")

def test_feed_credits_take_the_import_s_as_of_date(cli, tmp_path):
    """The ORM path (credit feed): a record import under --as-of; the credit's date is the
    day it was credited, and the milestone it crosses is reached that day too."""
    start = datetime.now(UTC).replace(microsecond=0)
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "F-1")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--counts-type", "drill")  # fmt: skip
    cli("program", "create", "Drills")
    cli("program", "requirement", "add", "Drills", "Drill hours")
    cli("program", "activate", "Drills")
    cli("--as-of", "2028-02-01", "enroll", "add", "F-1", "Drills")
    cli("course", "add", "--code", "LD", "--name", "Ladder drill", "--type", "drill", "--hours", "3")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("date,course,badge,hours\n2028-02-27,LD,F-1,3\n")
    cli("--as-of", "2028-02-29", "record", "import", str(sheet))
    (credit,) = cli("--format", "json", "progress", "log", "1").json
    assert credit["entered_on"] == "2028-02-29"
    _real(credit["entered_at"], start)


def test_without_as_of_the_effective_date_is_the_department_s_day(cli, dept, monkeypatch):
    """Kiritimati is UTC+14: most of the UTC day is already tomorrow there."""
    zone = ZoneInfo("Pacific/Kiritimati")
    monkeypatch.setenv("TRAINCTL_TIMEZONE", zone.key)
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "hours")
    before = datetime.now(zone).date().isoformat()
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--add", "1")
    after = datetime.now(zone).date().isoformat()
    (credit,) = cli("--format", "json", "progress", "log", "1").json
    assert credit["entered_on"] in (before, after)
    assert dept.scalar("SELECT count(*) FROM progress_credit WHERE entered_on IS NULL") == 0
