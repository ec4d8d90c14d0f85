"""Last month's sheets name a member who retired this week: what they did while active is
recorded (records, cards, shifts, calls, skill checkoffs, by add or import), judged on the
day of what is recorded by the member's history; a day after they left is refused, naming
the member and the day, and writes nothing. The year end is the edge: inactive from
1 January 2027, a record of 31 December 2026 is theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

AS_OF = ("--as-of", "2027-01-15")
BEFORE, AFTER = "2026-12-31", "2027-01-01"


@pytest.fixture
def retired(cli):
    """Officer Olive; Ann (badge 0042) active from 2026-01-01, inactive from 2027-01-01."""
    cli("--as-of", "2026-01-01", "member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    cli("--as-of", "2026-01-01", "member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    cli(*AS_OF, "member", "edit", "ann@fd.org", "--status", "inactive", "--effective", AFTER)
    cli("skill", "add", "SCBA donning", "--category", "Firefighting")
    return cli


def _shift(day: str) -> tuple[str, ...]:
    return ("shift", "add", "0042", "--date", day, "--station", "S1", "--shift", "A",
            "--time-in", f"{day}T07:00-05:00", "--time-out", f"{day}T19:00-05:00")  # fmt: skip


def _call(day: str) -> tuple[str, ...]:
    return ("call", "add", f"F-{day}", "-m", "ann@fd.org", "--at", f"{day}T10:00-05:00", "--type", "EMS",
            "--shift-date", day)  # fmt: skip


ADDS = {
    "record": lambda day: ("record", "add", "ann@fd.org", "--course", "Ladder drill", "--date", day, "--hours", "2"),
    "card": lambda day: ("cert", "add", "0042", "BLS", "--issued", day),
    "shift": _shift,
    "call": _call,
    "checkoff": lambda day: ("--as", "olive@fd.org", "skill", "checkoff", "ann@fd.org", "SCBA donning",
                             "--result", "passed", "--date", day),
}  # fmt: skip


@pytest.mark.parametrize("kind", ADDS)
def test_an_add_is_judged_on_its_day(retired, snapshot, kind):
    retired(*AS_OF, *ADDS[kind](BEFORE))
    before = snapshot()
    r = retired(*AS_OF, *ADDS[kind](AFTER), ok=False)
    assert r.exit_code == 1 and snapshot() == before  # the same refusal, the same exit, in every add
    assert f"Ann Lee (ann@fd.org) was inactive on {AFTER}" in r.stderr
    # the hint reactivates her from that day: reactivated from today she would still be
    # inactive on it, and the add refused again
    assert f"--status active --effective {AFTER}`" in r.stderr, r.stderr


def test_an_import_takes_the_days_she_was_active_and_names_the_line_after(retired, tmp_path: Path, snapshot):
    sheet = tmp_path / "sign-in.csv"
    sheet.write_text(
        "email,course,date,hours\n"
        f"ann@fd.org,Ladder drill,{BEFORE},1\n"
        f"ANN@FD.ORG,Ladder drill,{AFTER},1\n",
        encoding="utf-8",
    )
    before = snapshot()
    r = retired(*AS_OF, "record", "import", sheet, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert f"sign-in.csv, line 3, field email: Ann Lee (ann@fd.org) was inactive on {AFTER}" in r.stderr
    assert "line 2" not in r.stderr
    sheet.write_text(f"email,course,date,hours\nann@fd.org,Ladder drill,{BEFORE},1\n", encoding="utf-8")
    assert "1 added" in retired(*AS_OF, "record", "import", sheet).stderr
    cards = tmp_path / "cards.csv"
    cards.write_text(f"badge,code,issued\n0042,BLS,{BEFORE}\n0042,ACLS,{AFTER}\n", encoding="utf-8")
    before = snapshot()
    r = retired(*AS_OF, "cert", "import", "--csv", cards, ok=False)
    assert r.exit_code == 65 and snapshot() == before and "line 3" in r.stderr and "line 2" not in r.stderr


def test_a_member_inactive_throughout_is_refused_as_before(retired, snapshot):
    retired("--as-of", "2026-01-01", "member", "add", "Bo Diaz", "--email", "bo@fd.org", "--status", "inactive")
    before = snapshot()
    r = retired(*AS_OF, "record", "add", "bo@fd.org", "--course", "Ladder drill", "--date", BEFORE, ok=False)
    assert "Bo Diaz (bo@fd.org) was inactive on 2026-12-31" in r.stderr and snapshot() == before


def test_a_retiree_row_with_another_problem_names_only_that_problem(retired, tmp_path: Path, snapshot):
    """Its day cannot be judged while the row is bad: the officer is not told that Ann
    cannot be recorded (she can, once the hours are fixed)."""
    sheet = tmp_path / "bad-hours.csv"
    sheet.write_text(f"email,course,date,hours\nann@fd.org,Ladder drill,{BEFORE},-3\n", encoding="utf-8")
    before = snapshot()
    r = retired(*AS_OF, "record", "import", sheet, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "field hours" in r.stderr and "inactive" not in r.stderr


def test_a_member_on_leave_then_is_refused_for_that_day_though_active_now(retired, snapshot):
    """Bo was on leave from 1 March to 31 May 2026: a sheet line of April is not his (the
    history says so), whatever his status today; the hint says how to correct the history
    if he came back earlier."""
    retired("--as-of", "2026-01-01", "member", "add", "Bo Diaz", "--email", "bo@fd.org", "--badge", "7")
    retired(*AS_OF, "member", "edit", "bo@fd.org", "--status", "inactive", "--effective", "2026-03-01")
    retired(*AS_OF, "member", "edit", "bo@fd.org", "--status", "active", "--effective", "2026-06-01")
    before = snapshot()
    r = retired(*AS_OF, "record", "add", "bo@fd.org", "--course", "Ladder drill", "--date", "2026-04-01",
                "--hours", "1", ok=False)  # fmt: skip
    assert "Bo Diaz (bo@fd.org) was inactive on 2026-04-01" in r.stderr and snapshot() == before
    r = retired(*AS_OF, *_shift("2026-04-01")[:2], "7", *_shift("2026-04-01")[3:], ok=False)
    assert "was inactive on 2026-04-01" in r.stderr and "--status active --effective DAY" in r.stderr
    assert snapshot() == before
    for day in ("2026-02-28", "2026-06-01"):
        retired(*AS_OF, "record", "add", "bo@fd.org", "--course", "Ladder drill", "--date", day, "--hours", "1")


def test_a_call_after_midnight_on_the_day_she_left_is_hers(retired):
    """Inactive from 1 January: a call at 00:30 that night belongs to the 31 December tour
    (no shift date given: the day before counts too)."""
    retired(*AS_OF, "shift", "add", "ann@fd.org", "--date", BEFORE, "--station", "S1", "--shift", "A",
            "--time-in", f"{BEFORE}T07:00-05:00", "--time-out", f"{AFTER}T07:00-05:00")  # fmt: skip
    r = retired(*AS_OF, "call", "add", "F-NY", "-m", "ann@fd.org", "--at", "2027-01-01T00:30-05:00", "--type", "EMS")
    assert "Recorded 1 response" in r.stderr
