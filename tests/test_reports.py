"""Compliance reports end to end (issue 9): `report compliance`, `requirement explain`,
`report expiring`, `report iso`, `report nremt`, on real SQLite files through the CLI.

The rules under test (domain/compliance.py, domain/periods.py): windows include both end
days; a fact dated after the as-of date never counts; a card is valid through its expiry
day and the latest card decides; credential codes match exactly; NREMT cycles end on
31 March (30 September for EMR).
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

HIRED = "2015-01-10"


@pytest.fixture
def dept(cli):
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer",
        "--position", "officer", "--hire-date", HIRED)  # fmt: skip
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "42",
        "--position", "firefighter,emt", "--hire-date", HIRED)  # fmt: skip
    cli("member", "add", "Pat Medic", "--email", "pat@fd.org", "--position", "paramedic",
        "--hire-date", HIRED)  # fmt: skip
    return cli


def record(cli, member: str, day: str, hours: float, course: str = "Drill", *extra: str) -> None:
    cli("--as-of", "2030-01-01", "record", "add", member, "--course", course, "--date", day,
        "--hours", str(hours), "--type", "drill", *extra)  # fmt: skip


def cells(cli, *args: str, as_of: str) -> dict[tuple[str, str], dict]:
    data = cli("report", "compliance", "--as-of", as_of, "--format", "json", *args).json
    return {(c["member"], c["requirement"]): c for c in data["cells"]}


def cell(cli, member: str, requirement: str, as_of: str) -> dict:
    data = cli("report", "compliance", "--member", member, "--requirement", requirement,
               "--as-of", as_of, "--format", "json").json  # fmt: skip
    (only,) = data["cells"]
    return only


def explain(cli, member: str, requirement: str, as_of: str, *extra: str) -> dict:
    return cli("requirement", "explain", member, requirement, "--as-of", as_of, "--format",
               "json", *extra).json  # fmt: skip


# ------------------------------------------------------------------------------ windows
def test_a_biennial_requirement_counts_only_records_inside_the_members_current_window(dept):
    dept("requirement", "add", "--name", "Driver refresher", "--type", "hours", "--counts-type", "drill", "--hours", "8",
         "--frequency", "biennial")  # fmt: skip
    record(dept, "ann@fd.org", "2021-05-05", 40)  # a lifetime of hours never counts
    record(dept, "ann@fd.org", "2024-03-01", 3)
    record(dept, "ann@fd.org", "2025-12-31", 6)
    record(dept, "ann@fd.org", "2026-01-01", 5)
    record(dept, "ann@fd.org", "2027-12-31", 9)  # after the as-of date below
    c = cell(dept, "ann@fd.org", "Driver refresher", "2026-06-30")
    assert (c["window_start"], c["window_end"]) == ("2026-01-01", "2027-12-31")
    assert c["value"] == 5 and c["target"] == 8 and c["status"] == "not_yet_due"
    assert c["due"] == "2027-12-31"
    # the previous window (2024-2025) held 9 of 8 h: met then, with both end days inside
    c = cell(dept, "ann@fd.org", "Driver refresher", "2025-12-31")
    assert c["value"] == 9 and c["status"] == "met" and c["good_through"] == "2025-12-31"
    e = explain(dept, "ann@fd.org", "Driver refresher", "2026-06-30")
    codes = {f["date"]: f["code"] for f in e["facts"]}
    assert codes == {
        "2021-05-05": "outside_window", "2024-03-01": "outside_window",
        "2025-12-31": "outside_window", "2026-01-01": "counted", "2027-12-31": "after_as_of",
    }  # fmt: skip


def test_a_short_previous_window_makes_the_current_one_overdue(dept):
    dept("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--counts-type", "drill", "--hours", "6",
         "--frequency", "annual")  # fmt: skip
    record(dept, "ann@fd.org", "2025-03-01", 4)
    record(dept, "pat@fd.org", "2025-03-01", 6)
    got = cells(dept, "--requirement", "Hazmat refresher", as_of="2026-02-01")
    assert got[("Ann Lee", "Hazmat refresher")]["status"] == "overdue"
    assert got[("Pat Medic", "Hazmat refresher")]["status"] == "not_yet_due"
    got = cells(dept, "--requirement", "Hazmat refresher", "--due-soon-days", "400", as_of="2026-02-01")
    assert got[("Pat Medic", "Hazmat refresher")]["status"] == "due_soon"


def test_year_ends_and_feb_29(dept):
    # in force long before the days judged (entered on the real day, a window the suite
    # runs inside would be owed only from the next month: README "Part of a window")
    dept("--as-of", "2020-01-01", "requirement", "add", "--name", "Annual drill", "--type", "hours",
         "--counts-type", "drill", "--hours", "2", "--frequency", "annual")  # fmt: skip
    dept("--as-of", "2020-01-01", "requirement", "add", "--name", "Monthly drill", "--type", "hours",
         "--counts-type", "drill", "--hours", "2", "--frequency", "monthly")  # fmt: skip
    dept("member", "add", "Leap Day", "--email", "leap@fd.org", "--hire-date", "2024-02-29")
    dept("--as-of", "2020-01-01", "requirement", "add", "--name", "Anniversary check", "--type", "hours",
         "--counts-type", "drill", "--hours", "1", "--frequency", "annual", "--anchor", "hire_date")  # fmt: skip
    record(dept, "ann@fd.org", "2025-12-31", 2)
    assert cell(dept, "ann@fd.org", "Annual drill", "2025-12-31")["status"] == "met"
    c = cell(dept, "ann@fd.org", "Annual drill", "2026-01-01")
    assert c["value"] == 0 and c["window_start"] == "2026-01-01"
    # a leap month: 29 February is inside February's window
    record(dept, "ann@fd.org", "2028-02-29", 2)
    c = cell(dept, "ann@fd.org", "Monthly drill", "2028-02-29")
    assert (c["window_start"], c["window_end"], c["status"]) == ("2028-02-01", "2028-02-29", "met")
    assert cell(dept, "ann@fd.org", "Monthly drill", "2028-03-01")["value"] == 0
    # hired on 29 February: the anniversary falls on 28 February in a common year
    record(dept, "leap@fd.org", "2025-02-27", 1)
    c = cell(dept, "leap@fd.org", "Anniversary check", "2025-02-28")
    assert (c["window_start"], c["window_end"]) == ("2025-02-28", "2026-02-27")
    assert c["value"] == 0
    c = cell(dept, "leap@fd.org", "Anniversary check", "2025-02-27")
    assert (c["window_start"], c["window_end"], c["value"]) == ("2024-02-29", "2025-02-27", 1)


def test_the_nremt_cycle_ends_on_31_march_and_1_april_starts_the_next(dept):
    dept("import", "nremt")
    dept("member", "add", "Eve Emt", "--email", "eve@fd.org", "--position", "emt",
         "--hire-date", HIRED)  # fmt: skip
    dept("--as-of", "2030-01-01", "cert", "add", "eve@fd.org", "NREMT-EMT", "--issued",
         "2023-04-01", "--expires", "2025-03-31")  # fmt: skip
    dept("--as-of", "2030-01-01", "cert", "add", "eve@fd.org", "NREMT-EMT", "--issued",
         "2025-04-01", "--expires", "2027-03-31")  # fmt: skip
    record(dept, "eve@fd.org", "2025-03-31", 10, "Protocols 2025", "--category", "local")
    record(dept, "eve@fd.org", "2025-04-01", 4, "Protocols update", "--category", "local")
    before = cell(dept, "eve@fd.org", "NREMT-EMT", "2025-03-31")
    assert (before["window_start"], before["window_end"]) == ("2023-04-01", "2025-03-31")
    assert before["value"] == 10
    after = cell(dept, "eve@fd.org", "NREMT-EMT", "2025-04-01")
    assert (after["window_start"], after["window_end"]) == ("2025-04-01", "2027-03-31")
    assert after["value"] == 4
    e = explain(dept, "eve@fd.org", "NREMT-EMT", "2025-04-01")
    assert {f["date"]: f["code"] for f in e["facts"]} == {
        "2025-03-31": "outside_window", "2025-04-01": "counted"
    }
    sheet = dept("report", "nremt", "eve@fd.org", "--as-of", "2025-04-01", "--format", "json").json
    assert sheet["level"] == "NREMT-EMT" and sheet["cycle_end"] == "2027-03-31"
    local = next(c for c in sheet["components"] if c["name"] == "local")
    assert local["minimum"] == 10 and local["filled"] == 4
    assert [f["date"] for f in sheet["facts"]] == ["2025-04-01"]


# -------------------------------------------------------------------------- certificates
def test_cards_expire_bls_never_satisfies_acls_and_a_card_is_valid_on_its_expiry_day(dept):
    dept("import", "nremt")
    w = ("--as-of", "2030-01-01", "cert", "add", "pat@fd.org")
    dept(*w, "CPR-BLS", "--issued", "2025-01-01", "--expires", "2027-01-31")
    c = cell(dept, "pat@fd.org", "ACLS", "2026-06-30")
    assert c["status"] == "overdue" and "no ACLS card" in c["reason"]
    e = explain(dept, "pat@fd.org", "ACLS", "2026-06-30")
    assert [f["code"] for f in e["facts"]] == ["wrong_credential"]
    dept(*w, "ACLS", "--issued", "2024-06-30", "--expires", "2026-06-30")
    c = cell(dept, "pat@fd.org", "ACLS", "2026-06-30")
    assert c["status"] == "met" and c["good_through"] == "2026-06-30"
    assert cell(dept, "pat@fd.org", "ACLS", "2026-07-01")["status"] == "expired"
    # a renewal entered later but expiring later decides; as of before its issue it does not count
    dept(*w, "ACLS", "--issued", "2026-07-15", "--expires", "2028-07-31")
    assert cell(dept, "pat@fd.org", "ACLS", "2026-07-10")["status"] == "expired"
    assert cell(dept, "pat@fd.org", "ACLS", "2026-07-15")["status"] == "met"
    # expiring: the deciding card only, soonest first, the as-of day included
    rows = dept("report", "expiring", "--within", "30", "--as-of", "2028-07-01", "--format",
                "json").json  # fmt: skip
    assert [(r["credential_code"], r["expires_on"], r["days_left"]) for r in rows] == [
        ("ACLS", "2028-07-31", 30)
    ]
    rows = dept("report", "expiring", "--within", "0", "--as-of", "2027-01-31", "--format",
                "json").json  # fmt: skip
    assert [(r["credential_code"], r["days_left"]) for r in rows] == [("CPR-BLS", 0)]


# ------------------------------------------------------------------------ what counts
def test_an_hours_requirement_counts_only_what_it_names(dept):
    dept("requirement", "add", "--name", "Hazmat hours", "--type", "hours", "--hours", "6",
         "--frequency", "annual", "--counts-category", "hazmat")  # fmt: skip
    record(dept, "ann@fd.org", "2026-03-01", 4, "Hazmat ops", "--category", "hazmat")
    record(dept, "ann@fd.org", "2026-03-02", 8, "Ladder drill", "--category", "ladders")
    c = cell(dept, "ann@fd.org", "Hazmat hours", "2026-06-30")
    assert c["value"] == 4
    e = explain(dept, "ann@fd.org", "Hazmat hours", "2026-06-30")
    assert {f["what"].split(" ", 1)[1]: f["code"] for f in e["facts"]} == {
        "Hazmat ops": "counted", "Ladder drill": "not_counted_here"
    }


# ------------------------------------------------------------------------------ as of
def test_a_past_as_of_answers_exactly_as_then(dept):
    dept("import", "nremt")
    dept("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--counts-type", "drill", "--hours", "6",
         "--frequency", "annual")  # fmt: skip
    record(dept, "ann@fd.org", "2026-02-01", 3)
    args = ("report", "compliance", "--as-of", "2026-03-01", "--format", "json")
    then = dept(*args).stdout
    record(dept, "ann@fd.org", "2026-03-02", 3)
    dept("--as-of", "2030-01-01", "cert", "add", "ann@fd.org", "CPR-BLS", "--issued", "2026-03-02")
    assert dept(*args).stdout == then
    assert dept(*args[:3], "2026-03-02", "--format", "json").stdout != then


def test_a_card_running_out_stays_met_and_says_when(dept):
    """A valid card is met through its expiry day; its cell's due date is the expiry, the
    member's table says so, and the summary line counts the cards that run out within
    --due-soon-days (a chief sees them before the grader does)."""
    dept("import", "nremt")
    dept("cert", "add", "ann@fd.org", "CPR-BLS", "--issued", "2024-12-02", "--expires", "2026-12-02")
    dept("cert", "add", "pat@fd.org", "CPR-BLS", "--issued", "2025-06-01", "--expires", "2027-06-01")
    r = dept("report", "compliance", "-r", "CPR-BLS", "--as-of", "2026-11-15")
    assert "2 met of 2 applicable; 1 runs out within 30 days" in r.stderr, r
    r = dept("report", "compliance", "-r", "CPR-BLS", "--as-of", "2026-11-15", "--due-soon-days", "7")
    assert "2 met of 2 applicable" in r.stderr and "expire" not in r.stderr, r
    cells = dept("report", "compliance", "-r", "CPR-BLS", "--as-of", "2026-12-02", "--format", "json").json["cells"]
    ann = next(c for c in cells if c["member"] == "Ann Lee")
    assert (ann["status"], ann["due"], ann["good_through"]) == ("met", "2026-12-02", "2026-12-02")
    out = dept("report", "compliance", "-m", "ann@fd.org", "-r", "CPR-BLS", "--as-of", "2026-12-02").stdout
    assert "valid" in out and "2026-12-02" in out
    # a card without an expiry on file holds a renewal's worth (24 months): its last day
    # is counted alike (it lapsed in the matrix with no warning before)
    dept("member", "add", "Cy New", "--email", "cy@fd.org", "--position", "emt", "--hire-date", HIRED)
    dept("--as-of", "2030-01-01", "cert", "add", "cy@fd.org", "CPR-BLS", "--issued", "2024-12-10")
    r = dept("report", "compliance", "-r", "CPR-BLS", "--as-of", "2026-11-15")
    assert "3 met of 3 applicable; 2 run out within 30 days" in r.stderr, r


def test_the_hint_to_report_expiring_answers_as_the_summary_did(dept, db_url):
    """The summary line counted a card running out within 30 days of 1 June 2025 and
    pointed at `trainctl report expiring --within 30`, which, run as printed, answered for
    today ("No certification expires within 30 days"). The hint carries the day asked for
    (global --as-of or the report's own), and --db and --as when given on the command line;
    run as printed, it lists the card."""
    import shlex
    from datetime import date, timedelta

    dept("import", "nremt")
    dept("cert", "add", "ann@fd.org", "CPR-BLS", "--issued", "2023-06-10", "--expires", "2025-06-20")

    def hint(*args: str) -> list[str]:
        line = dept(*args).stderr
        (command,) = [p for p in line.split("`") if p.startswith("trainctl ")]
        return shlex.split(command)

    # (--requirement: the cards the summary line counts, of the members it holds)
    expected = ["trainctl", "--as-of", "2025-06-01", "report", "expiring", "--within", "30",
                "--requirement", "CPR-BLS"]  # fmt: skip
    assert hint("--as-of", "2025-06-01", "report", "compliance", "-r", "CPR-BLS") == expected
    assert hint("report", "compliance", "-r", "CPR-BLS", "--as-of", "2025-06-01") == expected
    got = hint("--db", db_url, "--as", "ann@fd.org", "report", "compliance", "-r", "CPR-BLS",
               "--as-of", "2025-06-01")  # fmt: skip
    assert got[:5] == ["trainctl", "--db", db_url, "--as", "ann@fd.org"], got
    rows = dept(*got[1:], "--format", "json").json
    assert [(r["member"], r["expires_on"]) for r in rows] == [("Ann Lee", "2025-06-20")]
    # TRAINCTL_DB (how these tests name the database) is there for the next command too,
    # and a report of today needs no day
    soon = date.today() + timedelta(days=10)
    dept("cert", "add", "pat@fd.org", "CPR-BLS", "--issued", "2024-01-01", "--expires", soon.isoformat())
    assert hint("report", "compliance", "-r", "CPR-BLS")[1:] == ["report", "expiring", "--within", "30",
                                                                "--requirement", "CPR-BLS"]  # fmt: skip


def test_a_member_hired_later_counts_nowhere_and_an_empty_day_says_why(dept):
    """`--member` for a day before their hire shows what they will owe but counts them in
    no summary (no roster of that day has them); a position or a day with nobody says so,
    not "add some members"; an unknown position is a usage error, as in member list."""
    dept("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--counts-type", "drill",
         "--hours", "6", "--frequency", "annual")  # fmt: skip
    dept("member", "add", "Rex New", "--email", "rex@fd.org", "--position", "firefighter",
         "--hire-date", "2026-08-01")  # fmt: skip
    r = dept("report", "compliance", "-m", "rex@fd.org", "--as-of", "2026-06-30")
    said = "Rex New is hired on 2026-08-01, after 2026-06-30: nothing is owed before then"
    assert said in " ".join(r.stderr.split()), r
    assert "applicable" not in r.stderr
    data = dept("report", "compliance", "-m", "rex@fd.org", "--as-of", "2026-06-30", "--format", "json").json
    assert [s["applicable"] for s in data["summary"]] == [0]
    r = dept("report", "compliance", "-p", "firefighter", "--as-of", "2000-01-01")
    assert "No active member held the position firefighter on 2000-01-01." in r.stderr, r
    r = dept("report", "compliance", "--as-of", "2000-01-01")
    assert "No member was active on 2000-01-01." in r.stderr, r
    r = dept("report", "compliance", "-p", "wizard", ok=False)
    assert r.exit_code == 2 and "Unknown position: wizard" in r.stderr


def test_a_member_named_with_a_position_they_did_not_hold_is_said_of_them(dept):
    """`--member Ann --position officer` said "No active member held the position officer",
    though Olive held it: the report is about Ann, and says she did not (and what she
    held that day); so does a member's own row (--as) asked with a position."""
    dept("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--counts-type", "drill",
         "--hours", "6", "--frequency", "annual")  # fmt: skip
    dept("--as-of", "2026-03-01", "member", "edit", "ann@fd.org", "--add-position", "officer")
    for who in (("-m", "ann@fd.org"), ("-m", "Ann Lee")):
        r = dept("report", "compliance", *who, "-p", "Officer", "--as-of", "2026-02-01")
        said = " ".join(r.stderr.split())
        assert said == "Ann Lee did not hold the position officer on 2026-02-01 (they held firefighter, emt).", r
        assert r.stdout == ""
    r = dept("--as", "ann@fd.org", "report", "compliance", "-p", "officer", "--as-of", "2026-02-01")
    assert "Ann Lee did not hold the position officer on 2026-02-01" in r.stderr, r
    r = dept("report", "compliance", "-m", "ann@fd.org", "-p", "paramedic", "--as-of", "2026-02-01")
    assert "Ann Lee did not hold the position paramedic" in r.stderr and "No active" not in r.stderr
    # promoted on 1 March: then the report is her row
    r = dept("report", "compliance", "-m", "ann@fd.org", "-p", "officer", "--as-of", "2026-03-02")
    assert "Compliance of Ann Lee as of 2026-03-02" in r.stdout, r
    # the whole department by position still speaks of the position
    r = dept("report", "compliance", "-p", "officer", "--as-of", "2000-01-01")
    assert "No active member held the position officer on 2000-01-01." in r.stderr, r


def test_a_recruit_entered_ahead_of_the_hire_date_is_told_one_thing(cli):
    """Frank, entered on 20 June for an academy starting 1 July, holds probationary: the
    report of 25 June for him and ISO-RECRUIT said "applies to none of these members (it
    is for probationary)" under a table showing it, and "on no roster of that day" while
    `member list` of that day lists him. Now one message: hired on 1 July, nothing owed
    before then. The whole roster of that day names the requirement owed by nobody yet
    for the same reason; one for officers still applies to none."""
    cli("--as-of", "2024-01-01", "import", "iso")
    cli("--as-of", "2025-06-20", "member", "add", "Frank Recruit", "-e", "frank@x.org", "-b",
        "F1", "-p", "probationary,firefighter", "--hire-date", "2025-07-01")  # fmt: skip
    assert "Frank Recruit" in cli("--as-of", "2025-06-25", "member", "list").stdout
    r = cli("--as-of", "2025-06-25", "report", "compliance", "-m", "F1", "-r", "ISO-RECRUIT")
    said = " ".join(r.stderr.split())
    assert said == (
        "Frank Recruit is hired on 2025-07-01, after 2025-06-25: nothing is owed before then; "
        "the table shows what they will owe."
    ), r
    assert "ISO-RECRUIT" in r.stdout and "not yet due" in r.stdout
    r = cli("--as-of", "2025-06-25", "report", "compliance", "-r", "ISO-RECRUIT", "-r", "ISO-OFFICER-CE")
    said = " ".join(r.stderr.split())
    assert "applies to none of these members (it is for probationary)" not in said, r
    assert ("ISO-RECRUIT — Recruit training: owed by none of these members yet (1 member hired "
            "after 2025-06-25).") in said, r  # fmt: skip
    assert "ISO-OFFICER-CE — Officer continuing education: applies to none of these members (it is for officer)." in said


def test_a_recruit_entered_ahead_of_the_hire_date_is_not_behind(cli):
    """Zoe, entered on 22 December with a 4 January hire date: the summary of 29 December
    left her out ("0 met of 1 applicable"), but `--behind` listed her "not_yet_due" beside
    Ann, who is behind. One rule decides both: she owes nothing yet, so she is in neither
    (her own row, asked for, still shows what she will owe)."""
    cli("config", "set", "timezone", "America/Los_Angeles")
    cli("--as-of", "2026-01-02", "requirement", "add", "--name", "SCBA refresher", "--type",
        "hours", "--hours", "8", "--frequency", "annual", "--counts-category", "scba")  # fmt: skip
    cli("member", "add", "Ann Old", "--email", "ann@fd.example", "--badge", "F-1", "--position",
        "firefighter", "--hire-date", "2015-01-01")  # fmt: skip
    cli("--as-of", "2026-12-22", "member", "add", "Zoe Quinn", "--email", "zq@fd.example",
        "--badge", "P-2", "--position", "probationary", "--position", "firefighter",
        "--hire-date", "2027-01-04")  # fmt: skip
    day = ("--as-of", "2026-12-29", "report", "compliance")
    r = cli(*day, "--behind", "--format", "csv")
    assert [row.split(",")[1] for row in r.stdout.splitlines()[1:]] == ["Ann Old"], r
    data = cli(*day, "--behind", "--format", "json").json
    assert [c["member"] for c in data["cells"]] == ["Ann Old"]
    assert data["summary"][0]["applicable"] == 1
    r = cli(*day, "--behind")
    assert "Ann Old" in r.stdout and "Zoe Quinn" not in r.stdout, r
    assert "SCBA refresher: 0 met of 1 applicable (1 due soon)" in r.stderr, r
    r = cli(*day, "--behind", "--member", "P-2")
    assert r.stdout == "" and "Nothing is behind." in r.stderr, r
    assert "not yet due" in cli(*day, "--member", "P-2").stdout
    # hired: her cell is behind like anyone's
    r = cli("--as-of", "2027-01-05", "report", "compliance", "--behind", "--format", "csv")
    assert [row.split(",")[1] for row in r.stdout.splitlines()[1:]] == ["Ann Old", "Zoe Quinn"], r


def test_a_recruit_entered_ahead_of_the_hire_date_is_shown_the_share_they_will_owe(cli):
    """Zoe is hired on 4 January. As of 29 December her row showed "0/8 h" for 2027 and
    January's 16 h of company training, under "the table shows what they will owe"; hired,
    the same cells say 7.34 h (11 of 12 months owed) and January not owed. The cell before
    the hire now shows what the hire day will: the share, the months owed, none of January;
    `requirement explain` says the same."""
    cli("--as-of", "2026-01-02", "import", "iso")
    cli("--as-of", "2026-01-02", "requirement", "add", "--name", "SCBA refresher", "--type",
        "hours", "--hours", "8", "--frequency", "annual", "--counts-category", "scba")  # fmt: skip
    cli("--as-of", "2026-12-22", "member", "add", "Zoe Quinn", "--email", "zq@fd.example",
        "--badge", "P-2", "--position", "probationary", "--position", "firefighter",
        "--hire-date", "2027-01-04")  # fmt: skip

    def cells(day: str) -> dict[str, dict]:
        data = cli("--as-of", day, "report", "compliance", "--member", "P-2", "--format", "json").json
        return {c["requirement"].partition(" — ")[0]: c for c in data["cells"]}

    keys = ("target", "window_start", "window_end", "due", "months_owed")
    before, hired = cells("2026-12-29"), cells("2027-01-12")
    for code in ("SCBA refresher", "ISO-HAZMAT", "ISO-COMPANY"):
        assert before[code]["status"] == "not_yet_due" and before[code]["value"] == 0
        assert {k: before[code][k] for k in keys} == {k: hired[code][k] for k in keys}, code
    assert (before["SCBA refresher"]["target"], before["SCBA refresher"]["months_owed"]) == (7.34, "11 of 12")
    assert before["ISO-COMPANY"]["months_owed"] == "0 of 1"
    table = " ".join(cli("--as-of", "2026-12-29", "report", "compliance", "--member", "P-2").stdout.split())
    assert "0/7.34 h" in table and "0/8 h" not in table and "none owed" in table, table
    said = cli("--as-of", "2026-12-29", "requirement", "explain", "P-2", "SCBA refresher").stdout
    assert "0 of 7.34 h = 0%" in said and "owes 11 of this window's 12 months" in said, said


# ---------------------------------------------------------------------------- output
def test_behind_csv_and_summary(dept):
    dept("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--counts-type", "drill", "--hours", "6",
         "--frequency", "annual")  # fmt: skip
    dept("requirement", "add", "--name", "Officer CE", "--type", "hours", "--counts-type", "drill", "--hours", "12",
         "--frequency", "annual", "--position", "officer")  # fmt: skip
    record(dept, "ann@fd.org", "2026-01-05", 6)
    data = dept("report", "compliance", "--as-of", "2026-06-30", "--format", "json").json
    summary = {s["requirement"]: s for s in data["summary"]}
    assert summary["Hazmat refresher"]["applicable"] == 3 and summary["Hazmat refresher"]["met"] == 1
    assert summary["Officer CE"]["applicable"] == 1
    behind = dept("report", "compliance", "--as-of", "2026-06-30", "--behind", "--format", "json").json
    assert {(c["member"], c["requirement"]) for c in behind["cells"]} == {
        ("Olive Officer", "Hazmat refresher"), ("Olive Officer", "Officer CE"),
        ("Pat Medic", "Hazmat refresher"),
    }  # fmt: skip
    out = dept("report", "compliance", "--as-of", "2026-06-30", "--format", "csv").stdout
    lines = out.splitlines()
    assert lines[0].startswith("member_id,member,requirement_id,requirement,status,value,target,unit")
    assert len(lines) == 1 + 3 * 2  # one row per cell
    table = dept("report", "compliance", "--as-of", "2026-06-30")
    assert "Hazmat refresher: 1 met of 3 applicable" in table.stderr
    assert "Ann Lee" in table.stdout and "\x1b[" not in table.stdout  # no colour off a terminal
    # a requirement asked for by name that applies to none of the members shown is said,
    # not left out without a word
    r = dept("report", "compliance", "--as-of", "2026-06-30", "-r", "Hazmat refresher", "-r", "Officer CE",
             "--position", "paramedic")  # fmt: skip
    assert "Officer CE: applies to none of these members (it is for officer)." in r.stderr, r
    assert "Hazmat refresher: 0 met of 1 applicable" in r.stderr


def test_permissions_a_member_sees_their_own(dept):
    dept("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--counts-type", "drill", "--hours", "6",
         "--frequency", "annual")  # fmt: skip
    own = dept("--as", "ann@fd.org", "report", "compliance", "--as-of", "2026-06-30", "--format",
               "json").json  # fmt: skip
    assert {c["member"] for c in own["cells"]} == {"Ann Lee"}
    r = dept("--as", "ann@fd.org", "report", "compliance", "--member", "pat@fd.org", ok=False)
    assert r.exit_code == 77 and "training.view_all" in r.stderr
    dept("--as", "ann@fd.org", "requirement", "explain", "ann@fd.org", "Hazmat refresher")
    r = dept("--as", "ann@fd.org", "requirement", "explain", "pat@fd.org", "Hazmat refresher", ok=False)
    assert r.exit_code == 77
    r = dept("--as", "ann@fd.org", "report", "iso", "--year", "2026", ok=False)
    assert r.exit_code == 77
    officer = dept("--as", "olive@fd.org", "report", "compliance", "--as-of", "2026-06-30",
                   "--format", "json").json  # fmt: skip
    assert len({c["member"] for c in officer["cells"]}) == 3


def test_report_iso_per_member_and_in_total(dept):
    dept("import", "iso")
    for month in range(1, 13):
        record(dept, "ann@fd.org", f"2025-{month:02d}-10", 16, "Company drill", "--category",
               "structural_firefighting")  # fmt: skip
    record(dept, "olive@fd.org", "2025-03-10", 16, "Company drill", "--category",
           "structural_firefighting")  # fmt: skip
    data = dept("report", "iso", "--year", "2025", "--as-of", "2026-02-01", "--format", "json").json
    assert data["edition"] == "Fire Suppression Rating Schedule, 2012 edition"
    assert data["complete_year"] is True
    rows = {(r["member"], r["item"]): r for r in data["rows"]}
    ann = rows[("Ann Lee", "ISO-COMPANY")]
    assert (ann["value"], ann["target"], ann["periods_met"], ann["status"]) == (192, 192, 12, "met")
    olive = rows[("Olive Officer", "ISO-COMPANY")]
    assert (olive["value"], olive["periods_met"], olive["status"]) == (16, 1, "short")
    items = {i["item"]: i for i in data["items"]}
    # (Pat, a paramedic only, is no member of a fire company: ISO holds him to none of it)
    assert items["ISO-COMPANY"]["members"] == 2 and items["ISO-COMPANY"]["met"] == 1
    assert items["ISO-COMPANY"]["figure"] == "16 h a month (192 h a year)"
    assert items["ISO-OFFICER-CE"]["members"] == 1
    assert rows[("Ann Lee", "ISO-OFFICER-CE")]["status"] == "not_applicable"
    table = dept("report", "iso", "--year", "2025", "--as-of", "2026-02-01")
    assert "2012 edition" in table.stdout and "ISO-HAZMAT" in table.stdout
    # the schedule's per-building figure is named as left out, not silently missing (review r2)
    assert "Pre-fire planning" in table.stdout and "not in this report" in " ".join(table.stdout.split())
    r = dept("report", "iso", "--year", "2027", "--as-of", "2026-02-01", ok=False)
    assert r.exit_code == 2 and "has not begun" in r.stderr


def test_report_iso_csv_carries_the_item_totals_the_table_shows(dept):
    """`report iso -f csv` had the member rows only: a chief handing the spreadsheet on had
    to rebuild each item's members, met, hours, owed and credit (review). Each item's total
    follows the member rows, with no member and `total` yes; the member rows keep their
    columns, in their order, and are marked `total` no."""
    dept("import", "iso")
    for month in range(1, 13):
        record(dept, "ann@fd.org", f"2025-{month:02d}-10", 16, "Company drill", "--category",
               "structural_firefighting")  # fmt: skip
    args = ("report", "iso", "--year", "2025", "--as-of", "2026-02-01")
    data = dept(*args, "--format", "json").json
    text = dept(*args, "--format", "csv").stdout
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text)))
    head = text.splitlines()[0].split(",")
    assert head[:15] == ["member_id", "member", "item", "name", "figure", "value", "target", "unit",
                         "percentage", "status", "periods_met", "periods", "window_start", "window_end",
                         "months_owed"], head  # fmt: skip
    assert head[-3:] == ["total", "members", "met"], head  # after every member column
    members = [r for r in rows if r["total"] == "no"]
    totals = [r for r in rows if r["total"] == "yes"]
    assert len(members) == len(data["rows"]) and rows[: len(members)] == members
    assert all(r["members"] == r["met"] == "" for r in members)
    assert [r["item"] for r in totals] == [i["item"] for i in data["items"]]
    for r, item in zip(totals, data["items"], strict=True):
        assert r["member_id"] == r["member"] == r["status"] == "", r
        assert (int(r["members"]), int(r["met"])) == (item["members"], item["met"]), r
        assert (float(r["value"]), float(r["target"])) == (item["hours"], item["target_hours"]), r
        credit = item["credit_percentage"]
        assert r["percentage"] == "" if credit is None else float(r["percentage"]) == credit, r
    company = next(r for r in totals if r["item"] == "ISO-COMPANY")
    # (Pat, a paramedic only, owes no company training: the fire companies' item)
    assert (company["members"], company["met"], company["value"], company["unit"]) == ("2", "1", "192", "h")


def test_errors_name_what_to_do(cli, dept):
    r = dept("report", "iso", "--year", "2025", ok=False)
    assert r.exit_code == 1 and "trainctl import iso" in r.stderr
    r = dept("report", "nremt", "ann@fd.org", ok=False)
    assert r.exit_code == 1 and "trainctl import nremt" in r.stderr
    dept("import", "nremt")
    r = dept("report", "nremt", "olive@fd.org", ok=False)
    assert r.exit_code == 1 and "No NREMT level applies" in r.stderr
    # a level named for a member who does not hold it: said at once (it printed an empty
    # worksheet of cycle "None - None" and exited 0)
    r = dept("report", "nremt", "olive@fd.org", "--level", "NREMT-EMT", ok=False)
    assert r.exit_code == 1
    assert "NREMT-EMT" in r.stderr and "does not apply to Olive Officer" in r.stderr
    assert "applies to emt; the member holds officer" in r.stderr and "Cycle" not in r.stdout
    r = dept("requirement", "explain", "ann@fd.org", "No such thing", ok=False)
    assert r.exit_code == 1 and "No requirement" in r.stderr


# ------------------------------------------------------------------ the demo, every cell
KEYS = ("status", "value", "target", "percentage", "window_start", "window_end", "due",
        "good_through", "reason")  # fmt: skip


def test_explain_and_the_matrix_agree_for_every_cell_of_the_demo(cli, demo_db):
    db = ("--db", str(demo_db))
    # that day's roster: all 14 in June; in January without the six recruits hired in April
    for as_of, members in (("2025-06-02", 14), ("2025-01-15", 8)):
        data = cli(*db, "report", "compliance", "--as-of", as_of, "--format", "json").json
        roster = cli(*db, "--as-of", as_of, "member", "list", "--format", "json").json
        assert len(roster) == members
        assert {c["member_id"] for c in data["cells"]} == {m["id"] for m in roster}
        assert len(data["cells"]) == members * len(data["summary"])
        statuses = {c["status"] for c in data["cells"]}
        assert {"met", "overdue", "not_applicable", "not_yet_due"} <= statuses
        if as_of == "2025-06-02":
            assert {"expired", "due_soon"} <= statuses
        for c in data["cells"]:
            e = cli(*db, "requirement", "explain", f"id:{c['member_id']}", str(c["requirement_id"]),
                    "--as-of", as_of, "--format", "json").json  # fmt: skip
            assert {k: e[k] for k in KEYS} == {k: c[k] for k in KEYS}, (c["member"], c["requirement"])
            assert e["lines"][-1].startswith("Status: ")


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_the_report_as_its_own_process_prints_all_of_it_and_exits_0(cli, demo_db, fmt):
    """`report compliance` ends its process once it has printed (render.done: the matrix is
    not freed): every byte of stdout and stderr is out first, and the exit is 0, as under
    the test runner (where the command returns instead)."""
    import os
    import subprocess
    import sys

    args = ["--db", str(demo_db), "--as-of", "2025-06-02", "report", "compliance", "--format", fmt]
    want = cli(*args)
    env = {**os.environ, "COLUMNS": "80"}
    for name in ("TRAINCTL_DEBUG", "PYTHONUNBUFFERED"):  # (buffered, as in a user's shell)
        env.pop(name, None)
    proc = subprocess.run([sys.executable, "-m", "trainctl", *args], capture_output=True,
                          env=env, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode() == want.stderr
    if fmt == "table":  # (a table as wide as the runner's terminal or the process's)
        assert proc.stdout.decode().endswith("┘\n") and want.stdout.endswith("┘\n")
        assert "met of" in want.stderr
    else:
        assert proc.stdout.decode() == want.stdout and want.stdout.count("\n") > 100


def test_demo_reports_show_the_history(cli, demo_db):
    db = ("--db", str(demo_db), "--as-of", "2025-06-02")
    rows = cli(*db, "report", "expiring", "--within", "60", "--format", "json").json
    assert rows[0]["days_left"] == 0 and rows[0]["credential_code"] == "CPR-BLS"
    assert [r["expires_on"] for r in rows] == sorted(r["expires_on"] for r in rows)
    sheet = cli(*db, "report", "nremt", "F-203", "--format", "json").json
    national = next(c for c in sheet["components"] if c["name"] == "national")
    assert national["distributive_cap"] == 7 and national["topics"]
    assert sheet["status"] == "not_yet_due" and 0 < sheet["hours_counted"] < 40
    iso = cli(*db, "report", "iso", "--year", "2024", "--format", "json").json
    assert iso["complete_year"] and any(r["status"] == "met" for r in iso["rows"])
    json.dumps(iso)


def test_the_nremt_worksheet_right_justifies_its_hours(cli, demo_db):
    """The NCCP worksheet a chief hands an auditor wrote its hours flush left ("│ 10      │
    9.5     │"), unlike every other report's figures: its Minimum, Counted and Short, and
    each record's Hours and Counted, are right-justified now, so the decimals line up."""
    out = cli("--db", str(demo_db), "--as-of", "2025-06-02", "report", "nremt", "F-203").stdout
    local = next(line for line in out.splitlines() if line.startswith("│ local "))
    assert re.search(r"│ +10 │ +9\.5 │ +0\.5 │", local), local
    first = next(line for line in out.splitlines() if line.startswith("│ 2025-01-05 "))
    assert re.search(r"│ +9\.5 │ +9\.5 │ 9\.5 h fills", first), first


def test_a_cell_that_does_not_apply_has_no_figure_in_json_and_csv(cli, demo_db):
    """The table shows a cell that does not apply as "—" with no figure, and `report iso`
    writes such a row with empty value and percentage; `report compliance` JSON and CSV
    wrote value 0 and percentage 0 there, so a spreadsheet's average of the column counted
    every other position's requirement as a 0%. They are null (empty in CSV) now, as the
    target already was; `requirement explain` JSON, the same cell, alike."""
    db = ("--db", str(demo_db), "--as-of", "2025-06-02")
    cells = cli(*db, "report", "compliance", "--member", "F-203", "-f", "json").json["cells"]
    na = [c for c in cells if c["status"] == "not_applicable"]
    assert na and all(c["value"] is None and c["percentage"] is None and c["target"] is None for c in na)
    assert all(isinstance(c["percentage"], int | float) for c in cells if c["status"] != "not_applicable")
    rows = list(csv.DictReader(io.StringIO(cli(*db, "report", "compliance", "--member", "F-203", "-f", "csv").stdout)))
    assert {(r["value"], r["percentage"]) for r in rows if r["status"] == "not_applicable"} == {("", "")}
    explained = cli(*db, "requirement", "explain", "F-203", "NFPA 1021", "-f", "json").json
    assert explained["status"] == "not_applicable" and explained["value"] is None, explained


# ------------------------------------------- subject to a requirement for part of a window
def test_a_member_promoted_or_reactivated_mid_window_owes_the_months_they_were_subject(dept):
    """A window is owed month by month: the months on whose first day the member was
    subject to the requirement (hired, active, in a position it names), and the target
    is that share. Promoted to officer on 1 September 2025: four months of Officer CE
    (5 h a year: 1.67 h), which Pat did. Inactive from 1 March to 1 October 2025: five
    months of All annual (2.09 h), which Quin did not. A member subject all year owes the
    whole figure."""
    dept("member", "add", "Pat Promo", "--email", "promo@fd.org", "--position", "firefighter",
         "--hire-date", "2020-01-01")  # fmt: skip
    dept("member", "add", "Quin Back", "--email", "quin@fd.org", "--position", "firefighter",
         "--hire-date", "2020-01-01")  # fmt: skip
    # (in force long before: entered without --as-of they would be entered on the real
    # day, and a report of a later year would owe only the months after it)
    dept("--as-of", "2020-01-01", "requirement", "add", "--name", "Officer CE", "--type", "hours", "--hours", "5",
         "--frequency", "annual", "--counts-type", "drill", "--position", "officer")  # fmt: skip
    dept("--as-of", "2020-01-01", "requirement", "add", "--name", "All annual", "--type", "hours", "--hours", "5",
         "--frequency", "annual", "--counts-type", "drill")  # fmt: skip
    dept("--as-of", "2025-10-01", "member", "edit", "promo@fd.org", "--add-position", "officer",
         "--effective", "2025-09-01")  # fmt: skip
    dept("--as-of", "2025-03-01", "member", "deactivate", "quin@fd.org", "--effective", "2025-03-01")
    dept("--as-of", "2025-10-01", "member", "edit", "quin@fd.org", "--status", "active",
         "--effective", "2025-10-01")  # fmt: skip
    record(dept, "promo@fd.org", "2025-10-15", 1.67, "Officer drill")
    got = cells(dept, "--requirement", "Officer CE", "--requirement", "All annual",
                as_of="2026-03-31")  # fmt: skip
    assert got[("Pat Promo", "Officer CE")]["status"] == "not_yet_due"
    assert got[("Pat Promo", "All annual")]["status"] == "overdue"  # a firefighter all 2025
    assert got[("Quin Back", "All annual")]["status"] == "overdue"
    assert got[("Olive Officer", "Officer CE")]["status"] == "overdue"  # an officer all 2025
    why = explain(dept, "promo@fd.org", "Officer CE", "2026-03-31")
    assert why["status"] == "not_yet_due"
    assert any("4 of the previous window's 12 months" in line and "1.67 of 5 h" in line for line in why["lines"]), why["lines"]
    why = explain(dept, "quin@fd.org", "All annual", "2026-03-31")
    assert any("5 of the previous window's 12 months" in line and "2.09 of 5 h" in line for line in why["lines"]), why["lines"]
    assert "0 of 2.09 h" in why["reason"], why["reason"]
    # a year later the promotion is history: the whole of 2026 counts against him
    later = cells(dept, "--requirement", "Officer CE", as_of="2027-03-31")
    assert later[("Pat Promo", "Officer CE")]["status"] == "overdue"


def test_report_iso_holds_a_member_hired_in_the_year_to_the_months_they_owed(dept):
    """An annual ISO item is owed month by month, as company training is: hired on 15
    September, Rae owed October to December, a quarter of the facility (18 h) and hazmat
    (6 h) figures; hired on 2 December, Dee owed no month and is left out of every item."""
    dept("import", "iso")
    dept("member", "add", "Rae Recruit", "--email", "rae@fd.org", "--position", "firefighter",
         "--hire-date", "2025-09-15")  # fmt: skip
    dept("member", "add", "Dee Late", "--email", "dee@fd.org", "--position", "firefighter",
         "--hire-date", "2025-12-02")  # fmt: skip
    record(dept, "rae@fd.org", "2025-11-03", 1.5, "Hazmat25", "--category", "hazmat")
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    rows = {(r["member"], r["item"]): r for r in data["rows"]}
    assert (rows[("Rae Recruit", "ISO-FACILITY")]["target"], rows[("Rae Recruit", "ISO-FACILITY")]["status"]) == (4.5, "short")
    assert (rows[("Rae Recruit", "ISO-HAZMAT")]["target"], rows[("Rae Recruit", "ISO-HAZMAT")]["status"]) == (1.5, "met")
    assert rows[("Rae Recruit", "ISO-COMPANY")]["target"] == 48  # 3 months x 16 h
    assert rows[("Rae Recruit", "ISO-HAZMAT")]["months_owed"] == "3 of 12"
    assert rows[("Pat Medic", "ISO-HAZMAT")]["months_owed"] is None  # the whole year
    text = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31").stdout
    assert "1.5 h (3 of 12 months)" in text, text
    for item in ("ISO-FACILITY", "ISO-HAZMAT", "ISO-COMPANY"):
        assert rows[("Dee Late", item)]["status"] == "not_applicable", item
    # the chief's matrix says the same of Rae
    assert cell(dept, "rae@fd.org", "ISO-HAZMAT", "2025-12-31")["status"] == "met"
    assert cell(dept, "dee@fd.org", "ISO-HAZMAT", "2025-12-31")["status"] == "not_yet_due"


def test_report_iso_judges_a_closed_year_alike_for_everyone(dept):
    """0 of 6 h in a closed year is short, whatever the member did the year before (an
    annual item's due-soon window was read as a one-time item's 'not yet due')."""
    dept("import", "iso")
    record(dept, "olive@fd.org", "2024-06-01", 6, "Hazmat24", "--category", "hazmat")
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    rows = {(r["member"], r["item"]): r for r in data["rows"]}
    assert rows[("Olive Officer", "ISO-HAZMAT")]["status"] == "short"
    # (Pat, a paramedic only, is no member of a fire company: ISO holds him to none of it)
    assert rows[("Pat Medic", "ISO-HAZMAT")]["status"] == "not_applicable"
    assert rows[("Ann Lee", "ISO-HAZMAT")]["status"] == "short"


def test_iso_company_training_counts_the_months_of_the_members_year(dept):
    """A member hired on 1 March owes the months from March: 10 months, 160 h (not 12 and
    192); the months before were not theirs to meet."""
    dept("import", "iso")
    dept("member", "add", "Di Four", "--email", "di@fd.org", "--position", "probationary",
         "--hire-date", "2025-03-01")  # fmt: skip
    for month in range(3, 13):
        record(dept, "di@fd.org", f"2025-{month:02d}-10", 16, "Company drill", "--category",
               "structural_firefighting")  # fmt: skip
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    di = {r["item"]: r for r in data["rows"] if r["member"] == "Di Four"}["ISO-COMPANY"]
    assert (di["value"], di["target"], di["periods_met"], di["periods"], di["status"]) == (
        160, 160, 10, 10, "met",
    )  # fmt: skip
    why = explain(dept, "di@fd.org", "ISO-COMPANY", "2025-12-31")
    assert any("160 of 160 h" in line and "10 of 10 months" in line for line in why["lines"]), (
        why["lines"]
    )


def test_a_member_no_longer_active_is_not_on_the_expiring_list_and_says_why_not_applicable(dept):
    """`report expiring` plans renewals: a card of a member retired on the day (their
    history) is left out, and is listed for a day they were active. `report compliance
    --member` of an inactive member says why nothing applies (the table said only 'No
    requirement applies to these members')."""
    dept("--as-of", "2026-01-01", "cert", "add", "pat@fd.org", "CPR-BLS", "--issued",
         "2025-01-01", "--expires", "2027-01-15")  # fmt: skip
    dept("--as-of", "2026-11-20", "member", "deactivate", "pat@fd.org", "--effective", "2026-11-15")
    dept("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--hours", "6",
         "--frequency", "annual", "--counts-type", "drill")  # fmt: skip

    def expiring(as_of: str) -> list[str]:
        rows = dept("report", "expiring", "--within", "90", "--as-of", as_of, "--format", "json").json
        return [r["member"] for r in rows]

    assert expiring("2026-12-01") == []
    assert expiring("2026-11-01") == ["Pat Medic"]
    r = dept("report", "compliance", "--member", "pat@fd.org", "--as-of", "2026-12-01")
    assert "No requirement applies to Pat Medic on 2026-12-01: the member is inactive." in r.stderr


@pytest.mark.parametrize(
    "args",
    [("report", "iso", "--year", "2024"), ("report", "compliance", "--member", "F-203"),
     ("report", "nremt", "F-203"), ("report", "compliance")],
    ids=["iso", "member", "nremt", "matrix"],
)  # fmt: skip
def test_report_tables_fit_80_columns_and_never_split_a_code(cli, demo_db, monkeypatch, args):
    """DESIGN §4: lines break at spaces, never inside a word: ISO-DRIVER-EXISTING read
    'ISO-DRIVER-EXISTIN' / 'G' at 80 columns (review)."""
    from rich.cells import cell_len

    from trainctl.cli import render

    monkeypatch.setattr(render.console("out"), "width", 80)  # the console is shared: restored after
    out = cli("--db", str(demo_db), "--as-of", "2025-06-02", *args).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80, out
    # and nothing was cropped at the edge: every line of a table ends with its border
    cut = [ln for ln in out.splitlines() if ln[:1] in "┏┃┡│└" and ln.rstrip()[-1:] not in "┓┃┩│┘"]
    assert not cut, cut[:3]
    known = {r["registry_code"] for r in cli("--db", str(demo_db), "--format", "json", "requirement", "list").json
             if r["registry_code"]}  # fmt: skip
    shown = {w.strip(",.:;()") for w in out.split() if w.startswith(("ISO-", "NREMT-", "CPR-"))}
    assert shown and shown <= known, shown - known  # each one whole, none cut in two


def test_a_window_owed_in_nothing_is_not_yet_due_and_counts_nowhere(dept):
    """Hired on 15 December 2025: December's monthly drill, the fourth quarter and the
    2025 course list began before him; none is due soon, none is behind, the summary leaves
    him out, and the JSON says which months he owes."""
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Monthly drill", "--type",
         "hours", "--counts-type", "drill", "--hours", "2", "--frequency", "monthly")  # fmt: skip
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Quarterly drill", "--type",
         "hours", "--counts-type", "drill", "--hours", "3", "--frequency", "quarterly")  # fmt: skip
    dept("--as-of", "2025-01-01", "course", "add", "--code", "CPR", "--name", "CPR",
         "--type", "class", "--hours", "4")  # fmt: skip
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Course list", "--type",
         "courses", "--course", "CPR", "--frequency", "annual")  # fmt: skip
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Annual drill", "--type",
         "hours", "--counts-type", "drill", "--hours", "6", "--frequency", "annual")  # fmt: skip
    dept("member", "add", "Dee Late", "--email", "dee@fd.org", "--hire-date", "2025-12-15")
    dept("member", "add", "Sam Sept", "--email", "sam@fd.org", "--hire-date", "2025-09-15")
    names = ("Monthly drill", "Quarterly drill", "Course list", "Annual drill")
    args = [a for n in names for a in ("--requirement", n)]
    got = cells(dept, *args, as_of="2025-12-20")
    for n in names:
        assert got[("Dee Late", n)]["status"] == "not_yet_due", n
    assert got[("Dee Late", "Annual drill")]["months_owed"] == "0 of 12"
    assert got[("Sam Sept", "Annual drill")]["months_owed"] == "3 of 12"
    assert got[("Sam Sept", "Annual drill")]["target"] == 1.5
    assert got[("Olive Officer", "Annual drill")]["months_owed"] is None
    assert got[("Sam Sept", "Course list")]["status"] == "not_yet_due"  # a list: owed whole
    why = explain(dept, "dee@fd.org", "Quarterly drill", "2025-12-20")
    assert "after this window began (2025-10-01); the next window, from 2026-01-01, is owed" in " ".join(why["lines"])
    data = dept("report", "compliance", "--as-of", "2025-12-20", "--format", "json", *args).json
    summary = {s["requirement"]: s for s in data["summary"]}
    # Olive, Ann, Pat and Sam owe the year's drill; Dee owes none of it
    assert summary["Annual drill"]["applicable"] == 4
    behind = dept("report", "compliance", "--as-of", "2025-12-20", "--behind", "--format",
                  "json", *args).json["cells"]  # fmt: skip
    assert not [c for c in behind if c["member"] == "Dee Late"]
    csv = dept("report", "compliance", "--as-of", "2025-12-20", "--format", "csv", *args).stdout
    assert csv.splitlines()[0].endswith(",months_owed")


def test_a_promotion_entered_for_a_member_without_a_hire_date_owes_from_it(dept):
    """Added without a hire date, promoted 'effective 1 September 2025': both rows are dated
    that day; before it he was the firefighter first known, not the officer."""
    dept("member", "add", "Kevin Osei", "--email", "k@fd.org", "--badge", "F-238",
         "--position", "firefighter,emt")  # fmt: skip
    dept("member", "edit", "F-238", "--add-position", "officer", "--effective", "2025-09-01")
    dept("--as-of", "2024-01-01", "requirement", "add", "--name", "Officer CE", "--type", "hours",
         "--hours", "12", "--frequency", "annual", "--counts-type", "drill", "--position", "officer")  # fmt: skip
    c = cell(dept, "F-238", "Officer CE", "2025-12-01")
    assert (c["status"], c["target"], c["months_owed"]) == ("due_soon", 4, "4 of 12")
    assert cell(dept, "F-238", "Officer CE", "2026-01-05")["status"] == "overdue"  # 0 of 4 h


def test_positions_named_mid_year_owe_from_the_change(dept):
    """Officer CE named firefighters from 15 July 2025: a firefighter owes August to
    December (5 of 12 months: 5 of 12 h); a course list named so owes nothing of 2025."""
    dept("--as-of", "2024-01-01", "requirement", "add", "--name", "Pos CE", "--type", "hours",
         "--hours", "12", "--frequency", "annual", "--counts-type", "drill", "--position", "emt")  # fmt: skip
    dept("--as-of", "2024-01-01", "course", "add", "--code", "CPR", "--name", "CPR",
         "--type", "class", "--hours", "4")  # fmt: skip
    dept("--as-of", "2024-01-01", "requirement", "add", "--name", "Pos list", "--type",
         "courses", "--course", "CPR", "--frequency", "annual", "--position", "emt")  # fmt: skip
    dept("member", "add", "Fay Fire", "--email", "fay@fd.org", "--position", "firefighter",
         "--hire-date", "2020-01-01")  # fmt: skip
    for name in ("Pos CE", "Pos list"):
        dept("--as-of", "2025-07-15", "requirement", "edit", name, "--position", "emt,firefighter",
             "--effective", "2025-07-15")  # fmt: skip
    c = cell(dept, "fay@fd.org", "Pos CE", "2025-12-15")
    assert (c["status"], c["target"], c["months_owed"]) == ("due_soon", 5, "5 of 12")
    assert cell(dept, "fay@fd.org", "Pos list", "2025-12-15")["status"] == "not_yet_due"
    later = explain(dept, "fay@fd.org", "Pos CE", "2026-02-01")
    assert later["status"] == "overdue" and "0 of 5 h" in later["reason"], later["reason"]
    assert cell(dept, "fay@fd.org", "Pos list", "2026-02-01")["status"] != "overdue"


def test_a_report_of_a_past_day_does_not_know_a_leave_entered_after_it(dept):
    """On 1 March 2025 the leave from 20 April to 10 July was not on file: a member hired
    on 2 January owed 11 of 2025's months as that day's report saw it."""
    dept("--as-of", "2025-01-02", "member", "add", "Jan Two", "--email", "j2@fd.org",
         "--hire-date", "2025-01-02")  # fmt: skip
    dept("--as-of", "2024-01-01", "requirement", "add", "--name", "Yearly", "--type", "hours",
         "--hours", "6", "--frequency", "annual", "--counts-type", "drill")  # fmt: skip
    dept("--as-of", "2025-04-20", "member", "deactivate", "j2@fd.org", "--effective", "2025-04-20")
    dept("--as-of", "2025-07-10", "member", "edit", "j2@fd.org", "--status", "active",
         "--effective", "2025-07-10")  # fmt: skip
    assert cell(dept, "j2@fd.org", "Yearly", "2025-03-01")["target"] == 5.5  # 11 of 12
    assert cell(dept, "j2@fd.org", "Yearly", "2025-12-01")["target"] == 4  # 8 of 12


def test_an_overdue_cell_counts_and_is_behind_whatever_the_current_window_owes(dept):
    """Back from leave on 5 December: December's drill is not owed, but November's was and
    closed short. The cell is overdue, so the summary counts it and --behind lists it, as
    the reminder letter already does (the summary had left the member out)."""
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Monthly drill", "--type",
         "hours", "--counts-type", "drill", "--hours", "4", "--frequency", "monthly")  # fmt: skip
    dept("--as-of", "2025-12-20", "member", "edit", "ann@fd.org", "--status", "inactive",
         "--effective", "2025-11-20")  # fmt: skip
    dept("--as-of", "2025-12-20", "member", "edit", "ann@fd.org", "--status", "active",
         "--effective", "2025-12-05")  # fmt: skip
    args = ("report", "compliance", "--as-of", "2025-12-20", "--requirement", "Monthly drill")
    data = dept(*args, "--format", "json").json
    ann = next(c for c in data["cells"] if c["member"] == "Ann Lee")
    assert (ann["status"], ann["months_owed"]) == ("overdue", "0 of 1")
    (line,) = data["summary"]
    assert (line["applicable"], line["overdue"]) == (3, 3), line
    behind = dept(*args, "--behind", "--format", "json").json
    assert {c["member"] for c in behind["cells"]} == {"Ann Lee", "Olive Officer", "Pat Medic"}


def test_report_iso_judges_a_monthly_item_by_its_year_not_the_last_month(dept):
    """Back from leave on 5 December, Bea met every month she owed: the ISO company item
    holds her to 11 months (176 h), not out of the item for the one month she did not owe."""
    dept("import", "iso")
    dept("--as-of", "2024-01-01", "member", "add", "Bea Back", "--email", "bea@fd.org",
         "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    dept("--as-of", "2025-12-20", "member", "edit", "bea@fd.org", "--status", "inactive",
         "--effective", "2025-11-20")  # fmt: skip
    dept("--as-of", "2025-12-20", "member", "edit", "bea@fd.org", "--status", "active",
         "--effective", "2025-12-05")  # fmt: skip
    for month in range(1, 12):
        record(dept, "bea@fd.org", f"2025-{month:02d}-02", 16, "Company drill", "--category",
               "structural_firefighting")  # fmt: skip
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    bea = {r["item"]: r for r in data["rows"] if r["member"] == "Bea Back"}["ISO-COMPANY"]
    assert (bea["status"], bea["value"], bea["target"], bea["months_owed"]) == ("met", 176, 176, "11 of 12")
    company = next(i for i in data["items"] if i["item"] == "ISO-COMPANY")
    assert company["members"] == 3 and company["met"] == 1  # (Pat, a paramedic only: not held)


def test_report_iso_judges_a_monthly_item_to_date_in_a_year_still_running(dept):
    """As of 30 June: Fay trained 16 h in each of the six months begun and owed the whole
    year's 192 h (short, 50%), while Lea, on leave since April, owed the four months she
    served (met): the department's credit read 62.5% for a company that met every month.
    To date, each owes the months begun that they owe (96 h, 64 h); a recruit hired on 15
    June owes none yet (not yet due, in no total); the year closed, the year's figure."""
    dept("import", "iso")
    for name, email in (("Fay One", "fay@fd.org"), ("Lea Leave", "lea@fd.org")):
        dept("--as-of", "2027-12-01", "member", "add", name, "--email", email, "--position", "firefighter",
             "--hire-date", "2020-01-01")  # fmt: skip
    dept("--as-of", "2028-04-25", "member", "edit", "lea@fd.org", "--status", "inactive", "--effective", "2028-04-20")
    dept("--as-of", "2028-06-20", "member", "add", "Rex New", "--email", "rex@fd.org", "--position",
         "firefighter", "--hire-date", "2028-06-15")  # fmt: skip
    for month in range(1, 7):
        record(dept, "fay@fd.org", f"2028-{month:02d}-05", 16, "Company drill", "--category", "structural_firefighting")
        if month <= 4:
            record(dept, "lea@fd.org", f"2028-{month:02d}-05", 16, "Company drill", "--category",
                   "structural_firefighting")  # fmt: skip
    data = dept("report", "iso", "--year", "2028", "--as-of", "2028-06-30", "--format", "json").json
    rows = {r["member"]: r for r in data["rows"] if r["item"] == "ISO-COMPANY"}
    got = {m: (r["value"], r["target"], r["periods_met"], r["periods"], r["status"]) for m, r in rows.items()}
    assert got["Fay One"] == (96, 96, 6, 6, "met")
    assert got["Lea Leave"] == (64, 64, 4, 4, "met")
    assert rows["Rex New"]["status"] == "not_yet_due"
    company = next(i for i in data["items"] if i["item"] == "ISO-COMPANY")
    # (the department's two others in a fire company, active all year with no company
    # training, owe 96 h each; Pat, a paramedic only, owes none of it)
    assert (company["members"], company["met"], company["hours"], company["target_hours"],
            company["credit_percentage"]) == (4, 2, 160, 160 + 2 * 96, 45.45)  # fmt: skip
    why = " ".join(explain(dept, "fay@fd.org", "ISO-COMPANY", "2028-06-30")["lines"])
    assert "96 h needed by now" in why, why
    text = " ".join(dept("report", "iso", "--year", "2028", "--as-of", "2028-06-30").stdout.split())
    assert "(a monthly item: the months begun so far)" in text
    closed = dept("report", "iso", "--year", "2028", "--as-of", "2029-01-05", "--format", "json").json
    fay = next(r for r in closed["rows"] if r["member"] == "Fay One" and r["item"] == "ISO-COMPANY")
    assert (fay["value"], fay["target"], fay["status"]) == (96, 192, "short")


def test_a_list_is_owed_across_a_leave_over_new_year_and_the_missed_year_is_held(dept):
    """A fortnight's leave from 20 December to 5 January misses 1 January alone: 11 of
    2026's 12 months owed, more than half, so the year's fit test is owed whole, and a
    year closed without it is overdue in 2027 (it had been excused, with a reason that
    said the leave ended after the year's last month began)."""
    dept("--as-of", "2025-01-01", "course", "add", "--code", "FIT", "--name", "SCBA fit test",
         "--type", "class", "--hours", "1")  # fmt: skip
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Fit test", "--type",
         "courses", "--course", "FIT", "--frequency", "annual")  # fmt: skip
    record(dept, "ann@fd.org", "2025-06-01", 1, "FIT")  # 2025 met
    dept("--as-of", "2026-02-01", "member", "edit", "ann@fd.org", "--status", "inactive",
         "--effective", "2025-12-20")  # fmt: skip
    dept("--as-of", "2026-02-01", "member", "edit", "ann@fd.org", "--status", "active",
         "--effective", "2026-01-05")  # fmt: skip
    now = cell(dept, "ann@fd.org", "Fit test", "2026-12-20")
    assert (now["status"], now["months_owed"]) == ("due_soon", "11 of 12")
    assert cell(dept, "ann@fd.org", "Fit test", "2027-01-15")["status"] == "overdue"
    why = " ".join(explain(dept, "ann@fd.org", "Fit test", "2026-12-20")["lines"])
    assert "owes 11 of this window's 12 months" in why and "all of it" in why, why


def test_the_notes_of_a_member_back_from_leave_name_the_months_owed(dept):
    """Inactive from 1 June to 1 September: January to May and September to December are
    owed, 9 of 12 months. The notes said "owes 9 of this window's 12 months" beside
    "subject to it since 2026-09-01", which leaves 4: they now name the months owed, and
    that the member is subject to it again since September."""
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Drill hours", "--type",
         "hours", "--hours", "6", "--frequency", "annual", "--counts-type", "drill")  # fmt: skip
    dept("--as-of", "2026-10-01", "member", "edit", "ann@fd.org", "--status", "inactive",
         "--effective", "2026-06-01")  # fmt: skip
    dept("--as-of", "2026-10-01", "member", "edit", "ann@fd.org", "--status", "active",
         "--effective", "2026-09-01")  # fmt: skip
    e = explain(dept, "ann@fd.org", "Drill hours", "2026-12-04")
    assert e["months_owed"] == "9 of 12", e
    notes = [ln for ln in e["lines"] if ln.startswith("Note:")]
    assert notes == [
        "Note: owes 9 of this window's 12 months (2026-01-01 – 2026-05-31 and 2026-09-01 – "
        "2026-12-31: those on whose first day the member was subject to it): 4.5 of 6 h",
        "Note: subject to it again since 2026-09-01 (positions or status)",
    ], notes
    # on leave from before the window began: one stretch owed, "since" as before
    dept("--as-of", "2026-10-01", "member", "edit", "pat@fd.org", "--status", "inactive",
         "--effective", "2025-12-01")  # fmt: skip
    dept("--as-of", "2026-10-01", "member", "edit", "pat@fd.org", "--status", "active",
         "--effective", "2026-09-01")  # fmt: skip
    lines = explain(dept, "pat@fd.org", "Drill hours", "2026-12-04")["lines"]
    assert "Note: subject to it since 2026-09-01 (positions or status)" in lines, lines
    assert any("(2026-09-01 – 2026-12-31: those on" in ln for ln in lines), lines


def test_a_quarter_begun_before_the_hire_says_so(dept):
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Quarterly drill", "--type",
         "hours", "--counts-type", "drill", "--hours", "3", "--frequency", "quarterly")  # fmt: skip
    dept("member", "add", "Apr Two", "--email", "a2@fd.org", "--hire-date", "2025-04-02")
    got = cell(dept, "a2@fd.org", "Quarterly drill", "2025-05-10")
    assert got["status"] == "not_yet_due"
    assert got["reason"] == (
        "not owed: hired on 2025-04-02, after this window began (2025-04-01); the next "
        "window, from 2025-07-01, is owed"
    )


def test_report_iso_counts_each_position_held_in_the_year_for_its_months(dept):
    """Ray drove until he was made officer on 1 September: the existing-driver item holds
    him to January to August (8 h of 12), the officer item to September to December (4 h);
    on 31 December he drives no more, and had been left out of the drivers' item."""
    dept("import", "iso")
    dept("--as-of", "2024-01-01", "member", "add", "Ray Cole", "--email", "ray@fd.org",
         "--position", "firefighter,driver", "--hire-date", "2015-01-01")  # fmt: skip
    dept("--as-of", "2025-09-01", "member", "edit", "ray@fd.org", "--position",
         "firefighter,officer", "--effective", "2025-09-01")  # fmt: skip
    record(dept, "ray@fd.org", "2025-05-05", 9, "Pump ops", "--category", "driver")
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    rows = {r["item"]: r for r in data["rows"] if r["member"] == "Ray Cole"}
    driver, officer = rows["ISO-DRIVER-EXISTING"], rows["ISO-OFFICER-CE"]
    assert (driver["status"], driver["value"], driver["target"], driver["months_owed"]) == ("met", 9, 8, "8 of 12")
    assert (officer["status"], officer["target"], officer["months_owed"]) == ("short", 4, "4 of 12")
    # the matrix of 31 December judges the day: he is an officer, not a driver
    assert cell(dept, "ray@fd.org", "ISO-DRIVER-EXISTING", "2025-12-31")["status"] == "not_applicable"


def test_a_card_for_this_nremt_cycle_clears_the_previous_one(dept):
    """Recertified: NREMT issued Eve's card through 2027, which it does only once the
    2023-2025 cycle was met. Her 10 h on file for that cycle do not make it overdue; Sam,
    whose card ran out in 2025 with no new one, carries the miss."""
    dept("import", "nremt")
    for name, email in (("Eve Emt", "eve@fd.org"), ("Sam Emt", "sam@fd.org")):
        dept("member", "add", name, "--email", email, "--position", "emt", "--hire-date", HIRED)
        dept("--as-of", "2030-01-01", "cert", "add", email, "NREMT-EMT", "--issued",
             "2023-04-01", "--expires", "2025-03-31")  # fmt: skip
        record(dept, email, "2024-05-01", 10, "Protocols 2024", "--category", "local")
    dept("--as-of", "2030-01-01", "cert", "add", "eve@fd.org", "NREMT-EMT", "--issued",
         "2025-04-01", "--expires", "2027-03-31")  # fmt: skip
    eve = cell(dept, "eve@fd.org", "NREMT-EMT", "2025-05-01")
    assert (eve["status"], eve["window_start"]) == ("not_yet_due", "2025-04-01"), eve
    why = " ".join(explain(dept, "eve@fd.org", "NREMT-EMT", "2025-05-01")["lines"])
    assert "holds a NREMT-EMT card good through 2027-03-31, past the previous window's end: recertified then" in why
    assert cell(dept, "sam@fd.org", "NREMT-EMT", "2025-05-01")["status"] == "overdue"


def test_a_card_past_this_nremt_cycle_means_it_is_done(dept):
    """NREMT issued Bob's card through 2028 on 15 March 2026, before his cycle ends on 31
    March: he has recertified for it (by exam, with 0 h on file). The matrix said "due
    soon, 0 of 40 h" beside a note that said recertified; it is met, and requirement
    explain and report nremt say why. Before the card, due soon; Sam without one, due soon."""
    dept("import", "nremt")
    for name, email in (("Bob Emt", "bob@fd.org"), ("Sam Emt", "sam@fd.org")):
        dept("--as-of", "2024-01-01", "member", "add", name, "--email", email, "--position", "emt",
             "--hire-date", "2020-01-01", "--certification-date", "2022-02-10")  # fmt: skip
        dept("--as-of", "2024-04-02", "cert", "add", email, "NREMT-EMT", "--issued", "2024-04-01",
             "--expires", "2026-03-31")  # fmt: skip
    dept("--as-of", "2026-03-20", "cert", "add", "bob@fd.org", "NREMT-EMT", "--issued", "2026-03-15",
         "--expires", "2028-03-31")  # fmt: skip
    bob = cell(dept, "bob@fd.org", "NREMT-EMT", "2026-03-20")
    assert (bob["status"], bob["window_end"], bob["good_through"]) == ("met", "2026-03-31", "2026-03-31"), bob
    assert "recertified, a NREMT-EMT card good through 2028-03-31, past this cycle's end (2026-03-31)" in bob["reason"]
    assert cell(dept, "bob@fd.org", "NREMT-EMT", "2026-03-14")["status"] == "due_soon"
    assert cell(dept, "sam@fd.org", "NREMT-EMT", "2026-03-20")["status"] == "due_soon"
    why = " ".join(explain(dept, "bob@fd.org", "NREMT-EMT", "2026-03-20")["lines"])
    assert "Status: MET — met: recertified" in why, why
    sheet = dept("--as-of", "2026-03-20", "report", "nremt", "bob@fd.org", "--format", "json").json
    assert sheet["status"] == "met", sheet


def test_a_window_closed_before_the_requirement_was_entered_is_held_against_nobody(dept):
    """Entered on 1 March 2026: 2025 closed short before anyone was asked for it, so the
    report says not yet due, as the reminders always did (it said overdue while no mail
    went out). A replay of a day before the entry judges as if it had been; 2026, the
    window it was entered in, is held in 2027."""
    dept("--as-of", "2026-03-01", "requirement", "add", "--name", "SCBA", "--type", "hours",
         "--counts-type", "drill", "--hours", "6", "--frequency", "annual")  # fmt: skip
    got = cell(dept, "ann@fd.org", "SCBA", "2026-03-01")
    assert got["status"] == "not_yet_due", got
    why = " ".join(explain(dept, "ann@fd.org", "SCBA", "2026-03-01")["lines"])
    assert ("the requirement was entered on 2026-03-01, after the previous window (2025-01-01 – "
            "2025-12-31) closed: its shortfall is not held against the member") in why, why  # fmt: skip
    data = dept("report", "compliance", "--as-of", "2026-03-01", "-f", "json").json
    assert {c["status"] for c in data["cells"]} == {"not_yet_due"}
    assert data["summary"][0]["overdue"] == 0
    assert cell(dept, "ann@fd.org", "SCBA", "2026-01-10")["status"] == "overdue"  # a replay
    assert cell(dept, "ann@fd.org", "SCBA", "2027-01-05")["status"] == "overdue"


def test_a_requirement_entered_as_of_an_earlier_day_was_asked_from_that_day(dept, db):
    """Written on 1 March 2026 (the real time) under `--as-of 2025-06-01`: its history
    starts on 1 June 2025 (requirement.entered_on), so 2025 closed short is overdue, with
    no note that it was entered after 2025 closed. It had been judged by the time of
    writing: "not yet due" and a note that contradicted the stored entry day. Entered
    inside 2025, it is owed for the months after the entry: June to December, 3.5 of 6 h
    (it was held to the whole 6 h, months before it existed among them)."""
    dept("--as-of", "2025-06-01", "requirement", "add", "--name", "SCBA", "--type", "hours",
         "--counts-type", "drill", "--hours", "6", "--frequency", "annual")  # fmt: skip
    db.execute("UPDATE requirement SET created_at = '2026-03-01 12:00:00.000000'")
    record(dept, "ann@fd.org", "2025-11-10", 2)
    got = cell(dept, "ann@fd.org", "SCBA", "2026-03-10")
    assert got["status"] == "overdue", got
    why = " ".join(explain(dept, "ann@fd.org", "SCBA", "2026-03-10")["lines"])
    assert "closed at 2 of 3.5 h" in why and "was entered on 2025-06-01, after" not in why, why
    data = dept("report", "compliance", "--as-of", "2026-03-10", "-f", "json").json
    assert data["summary"][0]["overdue"] == 3, data["summary"]


def test_a_requirement_entered_before_its_day_was_stored_is_judged_by_its_writing_day(dept, db):
    """A requirement written before migration 0018 has no stored entry day: the
    department's day of its writing time is the one known, as before."""
    dept("requirement", "add", "--name", "SCBA", "--type", "hours",
         "--counts-type", "drill", "--hours", "6", "--frequency", "annual")  # fmt: skip
    db.execute("UPDATE requirement SET entered_on = NULL, created_at = '2026-03-01 12:00:00.000000'")
    assert cell(dept, "ann@fd.org", "SCBA", "2026-03-01")["status"] == "not_yet_due"
    assert cell(dept, "ann@fd.org", "SCBA", "2026-01-10")["status"] == "overdue"  # a replay


def test_report_iso_keeps_a_member_known_only_from_a_later_entry(dept):
    """A roster entered in January 2026, last year's sheets imported: the member is on the
    2025 report as the matrix of 31 December 2025 has them (as first known)."""
    dept("import", "iso")
    dept("--as-of", "2026-01-10", "member", "add", "First Known", "--email", "fk@fd.org",
         "--position", "firefighter")  # fmt: skip
    record(dept, "fk@fd.org", "2025-06-01", 6, "Hazmat ops", "--category", "hazmat")
    assert cell(dept, "fk@fd.org", "ISO-HAZMAT", "2025-12-31")["status"] == "met"
    data = dept("report", "iso", "--year", "2025", "--as-of", "2026-01-10", "--format", "json").json
    rows = {r["item"]: r for r in data["rows"] if r["member"] == "First Known"}
    assert (rows["ISO-HAZMAT"]["status"], rows["ISO-HAZMAT"]["value"]) == ("met", 6)


def test_a_category_counts_whatever_spelling_each_requirement_gives_it(dept):
    """Two requirements spell one category two ways; a record counts toward both (the
    record is stored in one spelling; matching is case, space, underscore and hyphen aside)."""
    dept("requirement", "add", "--name", "Live A", "--type", "hours", "--hours", "4",
         "--counts-category", "Live Fire")  # fmt: skip
    dept("requirement", "add", "--name", "Live B", "--type", "hours", "--hours", "4",
         "--counts-category", "live_fire")  # fmt: skip
    record(dept, "ann@fd.org", "2026-05-01", 4, "Burn", "--category", "LIVE-FIRE")
    got = cells(dept, "--member", "ann@fd.org", as_of="2026-06-01")
    assert got[("Ann Lee", "Live A")]["status"] == got[("Ann Lee", "Live B")]["status"] == "met"


def test_a_member_who_owes_nothing_but_met_it_is_left_out_of_the_counts(dept):
    """Hired on 2 June: half of 2025's months, so the fit test is not owed; doing it anyway
    does not add the member to the summary's met and applicable."""
    dept("--as-of", "2025-01-01", "course", "add", "--code", "FIT", "--name", "Fit test",
         "--type", "class", "--hours", "1")  # fmt: skip
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Annual fit", "--type",
         "courses", "--course", "FIT", "--frequency", "annual")  # fmt: skip
    dept("member", "add", "June Two", "--email", "j2@fd.org", "--hire-date", "2025-06-02")
    record(dept, "j2@fd.org", "2025-12-10", 1, "FIT")
    data = dept("report", "compliance", "--as-of", "2025-12-15", "--requirement", "Annual fit",
                "-f", "json").json  # fmt: skip
    (line,) = data["summary"]
    assert (line["met"], line["applicable"]) == (0, 3), line
    # and the cell says what the counts say: not owed, so not yet due (not "met")
    got = {c["member"]: c for c in data["cells"]}["June Two"]
    assert (got["status"], got["months_owed"]) == ("not_yet_due", "6 of 12"), got


def test_the_full_year_done_in_a_window_owed_in_nothing_is_not_yet_due_everywhere(dept):
    """Hired on 9 December 2025, Nia trained 8 h of hazmat on the 15th: no month of 2025
    was owed, so her 2025 hazmat is not yet due, as it is with less, in the matrix (where the
    column showed 'met' beside a summary of '1 met'), its JSON and `requirement explain`."""
    dept("--as-of", "2025-01-01", "import", "iso")
    dept("--as-of", "2025-12-09", "member", "add", "Nia New", "--email", "nia@fd.org",
         "--position", "firefighter", "--hire-date", "2025-12-09")  # fmt: skip
    record(dept, "nia@fd.org", "2025-12-15", 8, "Hazmat awareness", "--category", "hazmat")
    record(dept, "ann@fd.org", "2025-12-15", 6, "Hazmat awareness", "--category", "hazmat")
    data = dept("report", "compliance", "--as-of", "2025-12-31", "-r", "ISO-HAZMAT", "-f", "json").json
    got = {c["member"]: c for c in data["cells"]}
    nia, ann = got["Nia New"], got["Ann Lee"]
    assert (nia["status"], nia["months_owed"], nia["good_through"]) == ("not_yet_due", "0 of 12", None)
    assert ann["status"] == "met"
    (line,) = data["summary"]
    assert (line["met"], line["applicable"]) == (1, 2), line  # (Pat, a paramedic only: not held)
    met = sum(c["status"] == "met" for c in data["cells"])
    assert met == line["met"]  # the column and the summary line agree
    why = explain(dept, "nia@fd.org", "ISO-HAZMAT", "2025-12-31")
    assert (why["status"], why["reason"]) == ("not_yet_due", nia["reason"])
    assert why["lines"][-1].startswith("Status: NOT YET DUE — not owed: hired on 2025-12-09")
    table = dept("report", "compliance", "--as-of", "2025-12-31", "-r", "ISO-HAZMAT").stdout
    (row,) = [x for x in table.splitlines() if "Nia New" in x]
    assert "not yet due" in row and "met" not in row, table


def test_report_iso_credit_is_the_hours_owed_that_were_trained(dept):
    """An item's credit weighs each member by what they owed (a recruit hired in
    September owed a quarter of the year), and caps each at it: Ann's 12 h of hazmat do not
    make up Olive's 0. 2025 hazmat: Olive, Ann and Pat owe 6 h each, Rae 1.5 h (October to
    December); credited 6 (Ann, capped) + 1.5 (Rae) of 19.5 h owed = 38.46%, where the mean
    of the members' percentages would say 50% (Rae's quarter year weighing a whole one)."""
    dept("import", "iso")
    dept("member", "add", "Rae Recruit", "--email", "rae@fd.org", "--position", "firefighter",
         "--hire-date", "2025-09-15")  # fmt: skip
    dept("member", "edit", "pat@fd.org", "--position", "paramedic,firefighter", "--effective",
         "2025-01-01")  # fmt: skip  # (ISO holds the fire companies)
    record(dept, "ann@fd.org", "2025-04-03", 12, "Hazmat25", "--category", "hazmat")
    record(dept, "rae@fd.org", "2025-11-03", 1.5, "Hazmat25", "--category", "hazmat")
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    hazmat = {i["item"]: i for i in data["items"]}["ISO-HAZMAT"]
    assert (hazmat["members"], hazmat["met"], hazmat["hours"], hazmat["target_hours"]) == (4, 2, 13.5, 19.5)
    assert hazmat["credit_percentage"] == 38.46
    text = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31").stdout
    assert "38.46%" in text


def test_report_iso_credit_rounds_a_half_up_from_the_hours_themselves(dept):
    """9 h credited of 32 h owed is 28.125%: a grader writes 28.13, the report said 28.12
    (round() takes halves to even, and the hours were rebuilt from percentages already
    rounded). Olive, Ann, Pat, Sid and Val owe 2025's 6 h of hazmat; Ret, retired on
    15 April, owes January to April (2 h); Ann did 6 h, Olive 3 h."""
    dept("import", "iso")
    for name, email in (("Sid Four", "sid@fd.org"), ("Val Five", "val@fd.org"), ("Ret Iree", "ret@fd.org")):
        dept("--as-of", "2025-01-01", "member", "add", name, "--email", email, "--position",
             "firefighter", "--hire-date", HIRED)  # fmt: skip
    dept("member", "edit", "pat@fd.org", "--position", "paramedic,firefighter", "--effective",
         "2025-01-01")  # fmt: skip  # (ISO holds the fire companies)
    dept("--as-of", "2025-04-15", "member", "edit", "ret@fd.org", "--status", "inactive")
    record(dept, "ann@fd.org", "2025-02-28", 6, "Hazmat25", "--category", "hazmat")
    record(dept, "olive@fd.org", "2025-03-03", 3, "Hazmat25", "--category", "hazmat")
    for as_of in ("2025-05-15", "2025-12-31"):
        data = dept("report", "iso", "--year", "2025", "--as-of", as_of, "--format", "json").json
        hazmat = {i["item"]: i for i in data["items"]}["ISO-HAZMAT"]
        assert (hazmat["members"], hazmat["hours"], hazmat["target_hours"]) == (6, 9, 32), hazmat
        assert hazmat["credit_percentage"] == 28.13, hazmat
    text = dept("report", "iso", "--year", "2025", "--as-of", "2025-05-15").stdout
    assert "28.13%" in text and "28.12" not in text


def test_report_iso_hours_are_the_hours_done_for_every_item_alike(dept):
    """The Hours column ("done by the members an item applies to") capped company training
    at what was owed and nothing else: Ann's 202 h of structural firefighting showed as
    192 h (the year is judged through its hour category, whose allocation counts up to
    the 192 h minimum), her 10 h of hazmat as 10 of 6 h. Both show what was done now; the
    status and the credit still follow what counts (met, 100%; Olive's 16 h short)."""
    dept("import", "iso")
    record(dept, "ann@fd.org", "2025-01-10", 26, "Company drill", "--category", "structural_firefighting")
    for month in range(2, 13):
        record(dept, "ann@fd.org", f"2025-{month:02d}-10", 16, "Company drill", "--category",
               "structural_firefighting")  # fmt: skip
    record(dept, "ann@fd.org", "2025-01-10", 10, "Hazmat25", "--category", "hazmat")
    record(dept, "olive@fd.org", "2025-03-10", 16, "Company drill", "--category",
           "structural_firefighting")  # fmt: skip
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    rows = {(r["member"], r["item"]): r for r in data["rows"]}
    ann = rows[("Ann Lee", "ISO-COMPANY")]
    assert (ann["value"], ann["target"], ann["percentage"], ann["status"]) == (202, 192, 100, "met")
    assert (rows[("Ann Lee", "ISO-HAZMAT")]["value"], rows[("Ann Lee", "ISO-HAZMAT")]["status"]) == (10, "met")
    items = {i["item"]: i for i in data["items"]}
    company = items["ISO-COMPANY"]
    # Ann 202 h done, Olive 16 (Pat, a paramedic only, owes none); owed 2 x 192; credited
    # 192 + 16 (each up to what they owed)
    assert (company["hours"], company["target_hours"]) == (218, 384)
    assert company["credit_percentage"] == round(100 * (192 + 16) / 384, 2)
    assert items["ISO-HAZMAT"]["hours"] == 10
    # a year still running, judged to date: the hours done all the same
    data = dept("report", "iso", "--year", "2025", "--as-of", "2025-06-30", "--format", "json").json
    ann = next(r for r in data["rows"] if r["member"] == "Ann Lee" and r["item"] == "ISO-COMPANY")
    assert (ann["value"], ann["target"], ann["percentage"], ann["status"]) == (106, 96, 100, "met")
    text = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31").stdout
    (line,) = [x for x in text.splitlines() if "Ann Lee" in x and "ISO-COMPANY" in x]
    assert "202" in line and "192 h" in line, line


def test_a_window_the_member_owes_none_of_shows_no_figure_or_due_to_meet(dept):
    """Hired on 2 December: the month's company training and the year's hazmat owe nothing
    (the reason says the next window is owed). The table does not show "0/6 h due
    2025-12-31", which reads as work to finish by New Year's Eve."""
    dept("import", "iso")
    dept("member", "add", "Dee Late", "--email", "dee@fd.org", "--position", "firefighter",
         "--hire-date", "2025-12-02")  # fmt: skip
    table = dept("report", "compliance", "--member", "dee@fd.org", "--as-of", "2025-12-10").stdout
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0]:
            rows[cells[0]] = cells
    for item in ("ISO-COMPANY", "ISO-HAZMAT"):
        assert rows[item][1:4] == ["not yet due", "none owed", ""], (item, table)
    # the JSON keeps the requirement's figure and says how much of it is owed
    got = cell(dept, "dee@fd.org", "ISO-HAZMAT", "2025-12-10")
    assert (got["target"], got["months_owed"], got["due"]) == (6, "0 of 12", "2025-12-31")


def test_a_narrow_matrix_keeps_its_title_on_one_line(dept):
    dept("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS")
    out = dept("report", "compliance", "--requirement", "BLS", "--behind", "--as-of", "2026-02-01").stdout
    assert out.splitlines()[0] == "Compliance as of 2026-02-01 (not met)", out


def test_report_iso_leaves_out_a_member_not_yet_hired_on_its_last_day(cli):
    """A recruit entered on 20 December with a hire date of 5 January served no day of the
    year: the 2025 report listed them "short" of 16 h company, 18 h facility and 6 h
    hazmat, and halved the department's credit. Nor is one hired on 15 July on the report
    of 30 June; one hired on 15 June owes no month begun yet ("none yet", not "0 h")."""
    cli("--as-of", "2025-01-01", "import", "iso")
    cli("--as-of", "2025-01-01", "member", "add", "Vet Member", "--email", "v@x.org", "--badge",
        "V1", "-p", "firefighter", "--hire-date", "2010-01-01")  # fmt: skip
    for month in range(1, 13):
        cli("record", "add", "V1", "--course", "Company drill", "--date", f"2025-{month:02d}-05",
            "--hours", "16", "--category", "structural_firefighting")  # fmt: skip
    cli("record", "add", "V1", "--course", "Tower", "--date", "2025-05-05", "--hours", "18", "--type", "facility")
    cli("record", "add", "V1", "--course", "Hazmat", "--date", "2025-05-06", "--hours", "6", "--category", "hazmat")
    cli("--as-of", "2025-12-20", "member", "add", "Recruit Jan", "--email", "rj@x.org", "--badge",
        "RJ", "-p", "probationary", "--hire-date", "2026-01-05")  # fmt: skip
    data = cli("--as-of", "2026-01-02", "report", "iso", "--year", "2025", "-f", "json").json
    assert {r["member"] for r in data["rows"]} == {"Vet Member"}
    items = {i["item"]: i for i in data["items"]}
    for item in ("ISO-COMPANY", "ISO-FACILITY", "ISO-HAZMAT"):
        assert (items[item]["members"], items[item]["credit_percentage"]) == (1, 100), items[item]
    assert "short" not in cli("--as-of", "2026-01-02", "report", "iso", "--year", "2025").stdout
    # a year still running: not hired by the as-of day, not on the report
    cli("--as-of", "2025-06-20", "member", "add", "Recruit Jul", "--email", "rj2@x.org",
        "-p", "probationary", "--hire-date", "2025-07-15")  # fmt: skip
    cli("--as-of", "2025-06-01", "member", "add", "Recruit Jun", "--email", "rj3@x.org",
        "-p", "probationary", "--hire-date", "2025-06-15")  # fmt: skip
    data = cli("report", "iso", "--year", "2025", "--as-of", "2025-06-30", "-f", "json").json
    assert {r["member"] for r in data["rows"]} == {"Vet Member", "Recruit Jun"}
    assert {i["item"]: i for i in data["items"]}["ISO-COMPANY"]["credit_percentage"] == 100
    table = cli("report", "iso", "--year", "2025", "--as-of", "2025-06-30").stdout
    (line,) = [x for x in table.splitlines() if "Recruit Jun" in x and "ISO-COMPANY" in x]
    assert "none yet (6 of 12 months)" in line and "0 of 0" not in line, line


def test_report_iso_of_a_year_no_member_served_says_so_and_where_members_start(cli):
    """`report iso --year 1950` printed a grid of zeros and an empty "Per member" table,
    exit 0 and not a word: it says nobody served that year and from which year the
    department's members are on file; JSON and CSV stay the same shape, with no rows."""
    cli("--as-of", "2025-01-01", "import", "iso")
    assert "No members to report on" in cli("--as-of", "2025-01-01", "report", "iso", "--year", "1950").stderr
    cli("--as-of", "2025-01-01", "member", "add", "Old Hand", "--email", "o@x.org", "-p",
        "firefighter", "--hire-date", "2015-03-01")  # fmt: skip
    cli("--as-of", "2025-01-01", "member", "add", "New Hand", "--email", "n@x.org", "-p",
        "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    r = cli("--as-of", "2025-06-01", "report", "iso", "--year", "1950")
    assert r.stdout == ""
    said = "No member served in 1950: the first hire date on file is 2015-03-01. Give a --year from 2015 on."
    assert " ".join(r.stderr.split()) == said, r
    # the year of the first hire, up to the day before it
    r = cli("--as-of", "2015-02-28", "report", "iso", "--year", "2015")
    assert "No member served in 2015 up to 2015-02-28: the first hire date" in r.stderr, r
    data = cli("--as-of", "2025-06-01", "report", "iso", "--year", "1950", "-f", "json").json
    assert data["rows"] == [] and {i["members"] for i in data["items"]} == {0}
    assert all(i["credit_percentage"] is None for i in data["items"])
    csv = cli("--as-of", "2025-06-01", "report", "iso", "--year", "1950", "-f", "csv").stdout
    assert csv.splitlines()[0].startswith("member_id,member,item") and len(csv.splitlines()) == 1
    # members on file then, none active that year
    cli("--as-of", "2025-01-01", "member", "edit", "o@x.org", "--status", "inactive")
    cli("--as-of", "2025-01-01", "member", "edit", "n@x.org", "--status", "inactive")
    r = cli("--as-of", "2026-06-01", "report", "iso", "--year", "2025")
    assert "No member was active in 2025." in r.stderr and r.stdout == "", r
    assert "Per member" in cli("--as-of", "2025-06-01", "report", "iso", "--year", "2016").stdout


def test_the_nremt_worksheet_lists_only_the_cycles_records_up_to_the_as_of_day(cli):
    """Cycle 2024-06-15 – 2026-03-31 as of 31 March: "Every hour" listed the cardio class
    of 1 April (the next cycle, after the as-of day), and "1 other training records in the
    cycle" was the drill of November 2026. A drill inside the cycle is one other record."""
    cli("--as-of", "2024-01-01", "import", "nremt")
    cli("--as-of", "2024-01-01", "member", "add", "Alice Emt", "--email", "a@x.org", "--badge", "A1",
        "-p", "emt", "--hire-date", "2020-01-06", "--certification-date", "2024-06-15")  # fmt: skip
    for course, day, hours, extra in (
        ("Airway class", "2026-03-31", 2, ["--category", "national", "--topic", "airway"]),
        ("Cardio class", "2026-04-01", 3, ["--category", "national", "--topic", "cardiovascular"]),
        ("Pump ops", "2026-11-01", 3, ["--type", "drill"]),
    ):
        cli("--as-of", "2026-12-01", "record", "add", "A1", "--course", course, "--date", day,
            "--hours", str(hours), *extra)  # fmt: skip
    data = cli("--as-of", "2026-03-31", "report", "nremt", "A1", "-f", "json").json
    assert (data["cycle_start"], data["cycle_end"]) == ("2024-06-15", "2026-03-31")
    assert [f["date"] for f in data["facts"]] == ["2026-03-31"], data["facts"]
    assert data["other_records"] == 0
    text = cli("--as-of", "2026-03-31", "report", "nremt", "A1").stdout
    assert "2026-04-01" not in text and "other training" not in text, text
    cli("--as-of", "2026-12-01", "record", "add", "A1", "--course", "Hose", "--date", "2025-03-01",
        "--hours", "2", "--type", "drill")  # fmt: skip
    assert cli("--as-of", "2026-03-31", "report", "nremt", "A1", "-f", "json").json["other_records"] == 1
    text = cli("--as-of", "2026-03-31", "report", "nremt", "A1").stdout
    assert "1 other training record in the cycle carries no NCCP category" in text, text


def test_a_later_record_does_not_change_why_an_earlier_ones_hours_flowed_on(cli):
    """Online A: 10 self-paced hours of cardiovascular, whose 8.5 h minimum they fill; 1.5 h
    flow on to local, "beyond national's minimums". Course B (5 self-paced hours of
    medical) then used up national's 10 h distributive cap, and the worksheet and `requirement
    explain` said Online A's 1.5 h had gone "over national's distributive cap": only 8.5 h of
    the cap were used when they went, and the cardiovascular minimum was full. Course B's
    own 3.5 h are the ones the cap kept out."""
    cli("--as-of", "2024-01-01", "import", "nremt")
    cli("member", "add", "Pam Para", "-e", "pam@x.org", "-b", "PP", "-p", "paramedic",
        "--hire-date", "2020-01-01", "--certification-date", "2021-01-10")  # fmt: skip
    for course, day, hours, topic in (("Online A", "2025-05-01", 10, "national/cardiovascular"),
                                      ("Course B", "2025-06-01", 5, "national/medical")):  # fmt: skip
        cli("--as-of", "2025-12-01", "record", "add", "PP", "--course", course, "--date", day,
            "--hours", str(hours), "--topic", topic, "--type", "class", "--self-paced")  # fmt: skip
    beyond = "1.5 h beyond national's minimums: flows on to local"
    cap = "3.5 h self-paced hours over national's distributive cap of 10 h: flows on to local"
    sheet = cli("--as-of", "2025-12-01", "report", "nremt", "PP", "-f", "json").json
    where = {f["course"]: f["where"] for f in sheet["facts"]}
    assert where["Online A"].endswith(beyond) and where["Course B"].endswith(cap), where
    told = cli("--as-of", "2025-12-01", "requirement", "explain", "PP", "NREMT-NRP", "-f", "json").json
    why = {f["what"]: f["reason"] for f in told["facts"]}
    assert why["#1 Online A"] == where["Online A"] and why["#2 Course B"] == where["Course B"]
    text = cli("--as-of", "2025-12-01", "requirement", "explain", "PP", "NREMT-NRP").stdout
    (line,) = [x for x in text.splitlines() if "Online A" in x]
    assert "distributive cap" not in line, line


def test_national_hours_without_a_topic_say_why_they_flowed_on(cli, snapshot):
    """5 h filed as national with no topic, national at 0 of 20 h: the worksheet and
    `requirement explain` said they flowed on to local as "beyond national's minimums",
    as if national were met. Every national hour is a topic's (the EMT's 20 h are all
    topic minimums): they say so."""
    cli("--as-of", "2024-01-01", "import", "nremt")
    cli("member", "add", "Ned Emt", "-e", "ned@x.org", "-b", "NE", "-p", "emt",
        "--hire-date", "2020-01-01", "--certification-date", "2024-06-15")  # fmt: skip
    cli("--as-of", "2025-12-01", "record", "add", "NE", "--course", "EMS update", "--date",
        "2025-05-01", "--hours", "5", "--category", "national", "--type", "class")  # fmt: skip
    before = snapshot()
    sheet = cli("--as-of", "2025-12-01", "report", "nremt", "NE", "-f", "json").json
    (fact,) = sheet["facts"]
    said = "5 h in no national topic (its 20 h are all topic minimums): flows on to local"
    assert fact["where"] == said, fact
    assert [(c["name"], c["filled"]) for c in sheet["components"]] == [
        ("national", 0), ("local", 5), ("individual", 0)]  # fmt: skip
    text = " ".join(cli("--as-of", "2025-12-01", "requirement", "explain", "NE", "NREMT-EMT").stdout.split())
    assert said in text and "beyond national's minimums" not in text, text
    assert snapshot() == before


def test_report_nremt_of_an_inactive_member_says_so_and_since_when(cli, snapshot):
    """An EMT deactivated on 1 May: the worksheet of 1 June said "No NREMT level applies to
    X (positions: emt)" and hinted to add a position they hold."""
    cli("--as-of", "2024-01-01", "import", "nremt")
    cli("--as-of", "2024-01-01", "member", "add", "Xen Emt", "--email", "x@x.org", "--badge", "X1",
        "-p", "emt", "--certification-date", "2024-01-10")  # fmt: skip
    cli("--as-of", "2026-05-01", "member", "deactivate", "X1")
    state = snapshot()
    for extra in ([], ["--level", "NREMT-EMT"]):
        r = cli("--as-of", "2026-06-01", "report", "nremt", "X1", *extra, ok=False)
        assert r.exit_code == 1, r
        assert "the member is inactive (since 2026-05-01)" in r.stderr, r
        assert "--add-position" not in r.stderr and "--status active" in r.stderr, r
    assert snapshot() == state
    assert cli("--as-of", "2026-04-30", "report", "nremt", "X1", "-f", "json").json["level"] == "NREMT-EMT"


def test_hours_figures_are_printed_exactly_not_to_six_digits(cli):
    """`report iso` showed 10995.2 h for 61 members x 180.25 h, and 1,000,000 h as 1e+06:
    hours printed to six significant digits. Every figure is exact to the hundredth."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--hire-date", "2015-01-10")
    cli("requirement", "add", "--name", "Career", "--type", "hours", "--hours", "12345.75",
        "--counts-type", "drill")  # fmt: skip
    for n in range(6):
        record(cli, "ann@fd.org", f"2025-0{n + 1}-01", 1999.25, f"Academy {n}")
    text = cli("requirement", "explain", "ann@fd.org", "Career", "--as-of", "2025-12-31").stdout
    assert "11995.5 of 12345.75 h" in text, text
    assert "12345.8" not in text and "e+" not in text, text
    assert "12345.75 h" in cli("requirement", "show", "Career").stdout
    table = cli("report", "compliance", "--member", "ann@fd.org", "--as-of", "2025-12-31").stdout
    assert "11995.5/12345.75 h" in table, table


def test_the_year_line_tells_months_owed_from_months_begun(cli):
    """A leave from 20 April to 10 July: by 31 December twelve months have begun and nine
    are owed; explain said "144 h needed by now (16 h x 9 months begun)". A member hired on
    15 June, as of 30 June, owes six months none of which has begun: it said "0 of 0 months
    met ... (0 h x 0 months begun)"."""
    cli("--as-of", "2025-01-01", "import", "iso")
    cli("--as-of", "2025-01-01", "member", "add", "Tess Leave", "--email", "t@x.org", "--badge", "T1",
        "-p", "firefighter", "--hire-date", "2010-01-01")  # fmt: skip
    cli("--as-of", "2025-01-01", "member", "add", "Mid June", "--email", "m@x.org", "--badge", "M1",
        "-p", "firefighter", "--hire-date", "2025-06-15")  # fmt: skip
    for month in (1, 2, 3, 8, 9, 10, 11, 12):
        cli("record", "add", "T1", "--course", "Company drill", "--date", f"2025-{month:02d}-05",
            "--hours", "16", "--category", "structural_firefighting")  # fmt: skip
    cli("--as-of", "2025-12-31", "member", "edit", "T1", "--status", "inactive", "--effective", "2025-04-20")
    cli("--as-of", "2025-12-31", "member", "edit", "T1", "--status", "active", "--effective", "2025-07-10")
    text = cli("requirement", "explain", "T1", "ISO-COMPANY", "--as-of", "2025-12-31").stdout
    assert "8 of 9 months owed met" in text, text
    assert "144 h needed by now (16 h x 9 months owed of 12 begun)" in text, text
    text = cli("requirement", "explain", "M1", "ISO-COMPANY", "--as-of", "2025-06-30").stdout
    assert "none of the 6 months owed has begun yet; on pace: nothing needed by now" in text, text
    assert "0 of 0" not in text and "x 0 months" not in text, text
    text = cli("requirement", "explain", "M1", "ISO-COMPANY", "--as-of", "2025-09-30").stdout
    assert "0 of 3 months owed met; on pace: 48 h needed by now (16 h x 3 months owed of 9 begun)" in text, text
    # every month begun owed: the wording stays as it was
    text = cli("requirement", "explain", "T1", "ISO-COMPANY", "--as-of", "2025-03-31").stdout
    assert "3 of 3 months met; on pace: 48 h needed by now (16 h x 3 months begun)" in text, text
