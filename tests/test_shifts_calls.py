"""Shifts and calls end to end through the CLI: hours from instants across DST changes,
calls after midnight on the shift before, Feb 29 and year ends, idempotent imports that
credit once, bad rows named with file, line and field (nothing written), permissions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from backends import connect

AS_OF = ("--as-of", "2026-12-31")


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _values(cli, enrollment: int = 1) -> dict[str, float]:
    rows = cli("--format", "json", "enroll", "show", str(enrollment)).json["requirements"]
    return {r["requirement"]: r["value"] for r in rows}


def _credits(db: Path | str) -> int:
    con = connect(db)
    try:
        return con.execute("SELECT count(*) FROM progress_credit").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def duty(cli):
    """An officer, Ann (badge 0042) and Bo, both enrolled on 2026-01-01 in a program that
    counts shifts, shift hours, EMS calls and every call. The department is in New York
    (the offsets these tests type are its clock's)."""
    cli("config", "set", "timezone", "America/New_York")
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org", "--badge", "7")
    cli("requirement", "add", "--name", "Shifts", "--type", "shifts", "--shifts", "10")
    cli("requirement", "add", "--name", "Shift hours", "--type", "hours", "--hours", "500", "--counts-attendance")
    cli("requirement", "add", "--name", "EMS calls", "--type", "calls", "--calls", "10", "--counts-call-type", "EMS")
    cli("requirement", "add", "--name", "All calls", "--type", "calls", "--calls", "10")
    cli("program", "create", "Duty")
    for name in ("Shifts", "Shift hours", "EMS calls", "All calls"):
        cli("program", "requirement", "add", "1", name)
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Duty", "--members", "ann@fd.org,bo@fd.org")
    return cli


DST_SHEET = (
    "E-mail,Shift Date,Station,Shift,Time In,Time Out\n"
    "ann@fd.org,2026-03-07,Station 1,A,2026-03-07T07:00-05:00,2026-03-08T07:00-04:00\n"
    "ANN@FD.ORG,2026-10-31,Station 1,B,2026-10-31T07:00-04:00,2026-11-01T07:00-05:00\n"
    "bo@fd.org,2026-06-01,station  1,a,2026-06-01T07:00-04:00,2026-06-02T07:00-04:00\n"
)


def test_dst_shifts_count_23_and_25_hours_and_a_reimport_credits_nothing(duty, tmp_path, db_url):
    sheet = _csv(tmp_path, "shifts.csv", DST_SHEET)
    r = duty(*AS_OF, "shift", "import", "--csv", sheet)
    assert "3 rows read, 3 added, 3 new shifts" in r.stderr and "Credited 4 progress rows for 2 members (6 credits)" in r.stderr
    rows = duty("--format", "json", "shift", "list", "--member", "ann@fd.org").json
    assert sorted((x["shift_date"], x["hours"]) for x in rows) == [("2026-03-07", 23), ("2026-10-31", 25)]
    assert rows[0]["time_in"] == "2026-10-31T11:00:00Z"  # stored as the UTC instant
    assert _values(duty, 1) == {"Shifts": 2, "Shift hours": 48, "EMS calls": 0, "All calls": 0}
    assert _values(duty, 2)["Shift hours"] == 24

    before = _credits(db_url)
    r = duty(*AS_OF, "shift", "import", "--csv", sheet)
    assert "3 rows read, 0 added, 3 already recorded" in r.stderr and "Credited" not in r.stderr
    assert _credits(db_url) == before and _values(duty, 1)["Shifts"] == 2
    totals = duty("--format", "json", "shift", "list", "--totals").json
    assert [(t["member"], t["shifts"], t["hours"]) for t in totals] == [("Ann Lee", 2, 48), ("Bo Diaz", 1, 24)]
    # one shift per date, station and shift name, whatever the spelling
    assert len({x["shift_id"] for x in duty("--format", "json", "shift", "list").json}) == 3


def test_an_overlapping_sheet_with_other_times_is_refused_and_writes_nothing(duty, tmp_path, snapshot):
    duty(*AS_OF, "shift", "import", "--csv", _csv(tmp_path, "a.csv", DST_SHEET))
    changed = _csv(tmp_path, "b.csv", (
        "email,shift_date,station,shift,time_in,time_out\n"
        "bo@fd.org,2026-06-03,Station 2,A,2026-06-03T07:00-04:00,2026-06-04T07:00-04:00\n"
        "ann@fd.org,2026-03-07,STATION 1,A,2026-03-07T07:00-05:00,2026-03-08T08:00-04:00\n"
    ))  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, "shift", "import", "--csv", changed, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "b.csv, line 3, field time_in: the member is on this shift on file with other times" in r.stderr


def test_one_member_is_on_one_shift_at_a_time(duty, tmp_path, snapshot):
    """Three stations at once made 36 h of credit out of 12: an attendance whose times
    overlap the member's attendance at another shift, on file or in the same file, is
    refused, naming it; back to back (07:00-19:00, then 19:00-07:00) is two shifts; another
    member at the same time is no overlap. Nothing written on a refusal."""
    day = ("--date", "2026-11-10")
    duty(*AS_OF, "shift", "add", "ann@fd.org", *day, "--station", "Station 1", "--shift", "A",
         "--time-in", "2026-11-10T07:00-05:00", "--time-out", "2026-11-10T19:00-05:00")  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, "shift", "add", "ann@fd.org", *day, "--station", "Station 2", "--shift", "A",
             "--time-in", "2026-11-10T08:00-05:00", "--time-out", "2026-11-10T10:00-05:00", ok=False)  # fmt: skip
    assert r.exit_code == 65 and snapshot() == before
    assert "the member is on shift A at Station 1 on 2026-11-10 on file at that time" in r.stderr
    duty(*AS_OF, "shift", "add", "ann@fd.org", *day, "--station", "Station 2", "--shift", "B",
         "--time-in", "2026-11-10T19:00-05:00", "--time-out", "2026-11-11T07:00-05:00")  # fmt: skip
    duty(*AS_OF, "shift", "add", "bo@fd.org", *day, "--station", "Station 2", "--shift", "A",
         "--time-in", "2026-11-10T07:00-05:00", "--time-out", "2026-11-10T19:00-05:00")  # fmt: skip
    sheet = _csv(tmp_path, "two.csv", (
        "email,shift_date,station,shift,time_in,time_out\n"
        "bo@fd.org,2026-11-12,S1,A,2026-11-12T07:00-05:00,2026-11-12T19:00-05:00\n"
        "bo@fd.org,2026-11-12,S2,A,2026-11-12T18:00-05:00,2026-11-13T06:00-05:00\n"
    ))  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, "shift", "import", "--csv", sheet, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "two.csv, line 3, field time_in: the member is on shift A at S1 on 2026-11-12 on line 2" in r.stderr
    totals = duty("--format", "json", "shift", "list", "--totals").json
    assert [(t["member"], t["shifts"], t["hours"]) for t in totals] == [("Ann Lee", 2, 24), ("Bo Diaz", 1, 12)]


def test_refusals_show_times_on_file_on_the_departments_clock(duty, tmp_path, snapshot):
    """The times of attendance and calls on file come back from the database in UTC; a
    refusal naming them shows them on the department's clock, as `shift list` does, not
    '12:00+00:00' for a shift that began at 07:00 (review)."""
    duty("config", "set", "timezone", "America/New_York")
    day = ("--date", "2026-11-10")
    duty(*AS_OF, "shift", "add", "ann@fd.org", *day, "--station", "Station 1", "--shift", "A",
         "--time-in", "2026-11-10T07:00-05:00", "--time-out", "2026-11-10T19:00-05:00")  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, "shift", "add", "ann@fd.org", *day, "--station", "Station 2", "--shift", "A",
             "--time-in", "2026-11-10T08:00-05:00", "--time-out", "2026-11-10T10:00-05:00", ok=False)  # fmt: skip
    assert r.exit_code == 65 and snapshot() == before
    assert "(2026-11-10T07:00-05:00 to 2026-11-10T19:00-05:00)" in r.stderr, r.stderr
    r = duty(*AS_OF, "shift", "add", "ann@fd.org", *day, "--station", "Station 1", "--shift", "A",
             "--time-in", "2026-11-10T07:00-05:00", "--time-out", "2026-11-10T20:00-05:00", ok=False)  # fmt: skip
    assert "on file with other times (2026-11-10T07:00-05:00 to 2026-11-10T19:00-05:00)" in r.stderr, r.stderr
    duty(*AS_OF, "call", "add", "F26-9", "-m", "ann@fd.org", "--type", "EMS", "--shift-date", "2026-11-10",
         "--at", "2026-11-10T10:00-05:00")  # fmt: skip
    r = duty(*AS_OF, "call", "add", "F26-9", "-m", "bo@fd.org", "--type", "EMS", "--shift-date", "2026-11-10",
             "--at", "2026-11-10T11:00-05:00", ok=False)  # fmt: skip
    assert "incident F26-9 is on file with time 2026-11-10T10:00-05:00 (got 2026-11-10T11:00-05:00)" in r.stderr, r.stderr
    assert snapshot() != before  # (the call was added)


def test_bad_shift_rows_are_named_with_file_line_and_field(duty, tmp_path, snapshot):
    sheet = _csv(tmp_path, "bad.csv", (
        "Badge #;Shift Date;Station;Shift;Time In;Time Out\n"
        "42;2026-06-01;1;A;2026-06-01T07:00-04:00;2026-06-02T07:00-04:00\n"
        "404;2026-06-02;1;A;2026-06-02T07:00-04:00;2026-06-03T07:00-04:00\n"
        "42;2026-02-29;1;A;2026-02-28T07:00-05:00;2026-02-29T07:00-05:00\n"
        "42;2026-03-08;1;A;2026-03-08T02:30;2026-03-09T07:00-04:00\n"
        "42;2026-06-05;1;A;2026-06-05T07:00-04:00;2026-06-05T06:00-04:00\n"
        "42;9999-12-31;1;A;9999-12-31T07:00-05:00;9999-12-31T08:00-05:00\n"
        "42;2026-06-07;1;A;2026-06-07T07:00-04:00;2026-06-12T07:00-04:00\n"
    ))  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, "shift", "import", "--csv", sheet, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "6 of 7 rows have problems; nothing was imported" in r.stderr
    for expected in (
        "bad.csv, line 3, field badge: no member has the badge '404'",
        "bad.csv, line 4, field shift_date: is not a date: 2026 is not a leap year",
        "bad.csv, line 5, field time_in: 2026-03-08 02:30 did not happen in America/New_York",
        "bad.csv, line 6, field time_out: 2026-06-05T06:00-04:00 is not after the time in",
        "bad.csv, line 7, field shift_date: year 9999 is out of range",
        "bad.csv, line 8, field time_out:",
    ):
        assert expected in r.stderr, (expected, r.stderr)
    r = duty(*AS_OF, "shift", "import", "--csv", sheet, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "7 rows read, 1 added" in r.stderr and "6 rejected" in r.stderr
    assert len(duty("--format", "json", "shift", "list").json) == 1


def test_times_without_an_offset_are_the_departments_clock(duty, tmp_path, snapshot):
    """A spreadsheet writes "2028-02-29 07:00", never an offset: the department's clock
    (here Chicago), stored as UTC, said once per command; Feb 29, and Dec 31 23:59 (the
    next year in UTC), and the DST nights: 23 and 25 hours."""
    duty("config", "set", "timezone", "America/Chicago")
    sheet = _csv(tmp_path, "tours.csv", (
        "Badge #,Shift Date,Station,Shift,Time In,Time Out\n"
        "42,2028-02-29,1,A,2028-02-29 07:00,2028-03-01 07:00\n"
        "42,2028-12-31,1,night,2028-12-31 19:00,2029-01-01 07:00\n"
        "7,2028-03-11,1,A,2028-03-11 07:00,2028-03-12 07:00\n"
        "7,2028-11-04,1,A,2028-11-04 07:00,2028-11-05T07:00-06:00\n"
    ))  # fmt: skip
    r = duty("--as-of", "2029-01-01", "shift", "import", "--csv", sheet)
    assert r.stderr.count("times without an offset read as America/Chicago") == 1, r.stderr
    got = {(s["shift_date"], s["time_in"], s["time_out"], s["hours"]) for s in duty("-f", "json", "shift", "list").json}
    assert got == {
        ("2028-02-29", "2028-02-29T13:00:00Z", "2028-03-01T13:00:00Z", 24),
        ("2028-12-31", "2029-01-01T01:00:00Z", "2029-01-01T13:00:00Z", 12),
        ("2028-03-11", "2028-03-11T13:00:00Z", "2028-03-12T12:00:00Z", 23),  # spring forward
        ("2028-11-04", "2028-11-04T12:00:00Z", "2028-11-05T13:00:00Z", 25),  # fall back
    }
    r = duty("--as-of", "2029-01-01", "call", "add", "F28-1", "-m", "ann@fd.org", "--type", "EMS",
             "--at", "2028-12-31T23:59")  # fmt: skip
    assert "times without an offset read as America/Chicago" in r.stderr
    duty("--as-of", "2029-01-01", "call", "add", "F28-2", "-m", "ann@fd.org", "--type", "EMS",
         "--shift-date", "2028-02-29", "--at", "2028-02-29 23:59")  # fmt: skip
    calls = {c["incident"]: (c["shift_date"], c["at"]) for c in duty("-f", "json", "call", "list").json}
    assert calls == {"F28-1": ("2028-12-31", "2029-01-01T05:59:00Z"), "F28-2": ("2028-02-29", "2028-03-01T05:59:00Z")}
    r = duty("--as-of", "2029-01-01", "call", "add", "F28-3", "-m", "bo@fd.org", "--shift-date", "2028-07-04",
             "--at", "2028-07-04T12:00-05:00")  # fmt: skip
    assert "without an offset" not in r.stderr  # (said only when it happened)

    # A time the clocks skipped or showed twice is refused, never shifted: nothing written.
    before = snapshot()
    r = duty("--as-of", "2029-01-01", "call", "add", "F28-4", "-m", "bo@fd.org", "--shift-date", "2028-03-11",
             "--at", "2028-03-12 02:30", ok=False)  # fmt: skip
    assert r.exit_code == 65 and snapshot() == before
    assert ("--at: 2028-03-12 02:30 did not happen in America/Chicago: the clocks went forward that night; check "
            "the time, or write it with the UTC offset you mean") in r.stderr, r.stderr
    bad = _csv(tmp_path, "dst.csv", (
        "Badge #,Shift Date,Station,Shift,Time In,Time Out\n"
        "7,2028-11-04,2,B,2028-11-04 19:00,2028-11-05 01:30\n"
        "7,2028-03-11,2,B,2028-03-11 19:00,2028-03-12 02:00\n"
    ))  # fmt: skip
    r = duty("--as-of", "2029-01-01", "shift", "import", "--csv", bad, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert ("dst.csv, line 2, field time_out: 2028-11-05 01:30 happened twice in America/Chicago (the clocks went "
            "back that night); give its UTC offset: 2028-11-05T01:30-05:00 (CDT, the first) or "
            "2028-11-05T01:30-06:00 (CST, the second)") in r.stderr, r.stderr
    assert "dst.csv, line 3, field time_out: 2028-03-12 02:00 did not happen in America/Chicago" in r.stderr


def test_call_list_shows_the_year_of_a_call_after_new_years_midnight(duty, monkeypatch):
    """A call at 00:30 on 1 January worked by the 31 December tour showed "01-01 00:30"
    under shift date 2024-12-31: which year? The table writes the call's whole date, and
    at 80 columns the time goes under it (nothing cut)."""
    duty("--as-of", "2025-01-01", "call", "add", "F25-1", "-m", "ann@fd.org", "--type", "Structure Fire",
         "--shift-date", "2024-12-31", "--at", "2025-01-01T00:30-05:00", "--role", "driver")  # fmt: skip
    out = duty("call", "list").stdout
    assert "2024-12-31" in out and "2025-01-01 00:30" in out, out
    from trainctl.cli import render

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(render, "_consoles", {})  # Rich reads COLUMNS when a console is made
    out = duty("call", "list").stdout
    assert "…" not in out and max(map(len, out.splitlines())) <= 80, out
    row = next(line for line in out.splitlines() if "F25-1" in line)
    assert "2025-01-01" in row and "Structure" in row and "00:30" in out, out


def test_shift_list_shows_the_year_of_a_time_in_and_out_as_call_list_does(duty, monkeypatch):
    """`shift list` wrote time in and out as "12-31 07:00" and "01-01 07:00": the New
    Year's Eve tour ended on "01-01" of no year, and a past year's list read as this
    year's. One rule with `call list` (cli.shift.local_dated): the whole date, and at 80
    columns the time goes under it (nothing cut)."""
    duty("--as-of", "2025-01-01", "shift", "add", "ann@fd.org", "--date", "2024-12-31", "--station", "1",
         "--shift", "A", "--time-in", "2024-12-31T07:00-05:00", "--time-out", "2025-01-01T07:00-05:00")  # fmt: skip
    out = duty("shift", "list").stdout
    row = next(line for line in out.splitlines() if "Ann Lee" in line)
    assert "2024-12-31 07:00" in row and "2025-01-01 07:00" in row, out
    from trainctl.cli import render

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(render, "_consoles", {})  # Rich reads COLUMNS when a console is made
    out = duty("shift", "list").stdout
    assert "…" not in out and max(map(len, out.splitlines())) <= 80, out
    row = next(line for line in out.splitlines() if "Ann" in line)
    assert "2024-12-31" in row and "2025-01-01" in row and "07:00" in out, out


def test_shift_totals_title_the_member_id_as_such(duty):
    """`shift list --totals` titled the member's id "ID", as `shift list` titles the
    attendance id that `shift void` takes: Bo's row read "3", which is no attendance of
    his. It is "Member ID" now; the CSV and JSON keep `member_id`."""
    duty(*AS_OF, "shift", "add", "bo@fd.org", "--date", "2026-06-01", "--time-in", "2026-06-01T07:00-04:00",
         "--time-out", "2026-06-01T19:00-04:00")  # fmt: skip
    out = duty("shift", "list", "--totals").stdout
    head = next(line for line in out.splitlines() if "Member" in line)
    assert "Member ID" in head and "┃ ID ┃" not in head, out
    assert duty("-f", "csv", "shift", "list", "--totals").stdout.lstrip("\ufeff").startswith("member_id,member,")
    assert [t["member_id"] for t in duty("-f", "json", "shift", "list", "--totals").json] == [3]


def test_a_sheet_without_a_member_column_or_with_unknown_columns(duty, tmp_path, snapshot):
    before = snapshot()
    r = duty(*AS_OF, "shift", "import", "--csv", _csv(tmp_path, "x.csv", "shift_date,time_in,time_out\n"), ok=False)
    assert r.exit_code == 65 and "no column names the member" in r.stderr
    r = duty(*AS_OF, "shift", "import", "--csv",
             _csv(tmp_path, "y.csv", "email,shift_date,time_in,time_out,mood\n"), ok=False)  # fmt: skip
    assert r.exit_code == 65 and "unknown column: 'mood'" in r.stderr
    assert snapshot() == before


def test_feb_29_and_the_year_end(duty, tmp_path):
    duty("--as-of", "2028-12-31", "shift", "add", "ann@fd.org", "--date", "2028-02-29", "--station", "1",
         "--time-in", "2028-02-29T07:00-05:00", "--time-out", "2028-03-01T07:00-05:00")  # fmt: skip
    duty("--as-of", "2027-01-01", "shift", "add", "ann@fd.org", "--date", "2026-12-31", "--station", "1",
         "--shift", "night", "--time-in", "2026-12-31T19:00-05:00", "--time-out", "2027-01-01T07:00-05:00")  # fmt: skip
    duty("--as-of", "2027-01-01", "call", "add", "F26-999", "--member", "ann@fd.org", "--type", "EMS",
         "--at", "2027-01-01T00:30-05:00")  # fmt: skip
    calls = duty("--format", "json", "call", "list").json
    assert [(c["incident"], c["shift_date"]) for c in calls] == [("F26-999", "2026-12-31")]
    shifts = {s["shift_date"]: s["hours"] for s in duty("--format", "json", "shift", "list").json}
    assert shifts == {"2028-02-29": 24, "2026-12-31": 12}
    # credited within the enrollment's window (from 2026-01-01, as of each command's day)
    assert _values(duty, 1) == {"Shifts": 2, "Shift hours": 36, "EMS calls": 1, "All calls": 1}


def test_a_call_after_midnight_belongs_to_the_shift_date_before(duty, tmp_path, snapshot):
    duty(*AS_OF, "shift", "import", "--csv", _csv(tmp_path, "s.csv", DST_SHEET))
    calls = _csv(tmp_path, "calls.csv", (
        "Incident #,Shift Date,Date-Time,Call Type,Badge #,Role\n"
        "F26-1,2026-03-07,2026-03-08T00:30-05:00,EMS,42,driver\n"
        "f26-2,,2026-03-08T03:30-04:00,Fire,0042,\n"
        "F26-3,2026-06-01,2026-06-01T09:00-04:00,ems,7,\n"
        "F26-3,,2026-06-01T09:00-04:00,EMS,42,\n"
    ))  # fmt: skip
    r = duty(*AS_OF, "call", "import", "--csv", calls)
    assert "4 rows read, 4 added, 3 new calls" in r.stderr
    got = {(c["incident"], c["member"]): c["shift_date"] for c in duty("--format", "json", "call", "list").json}
    assert got == {
        ("F26-1", "Ann Lee"): "2026-03-07",  # given
        ("F26-2", "Ann Lee"): "2026-03-07",  # blank: the shift Ann attended at 03:30
        ("F26-3", "Bo Diaz"): "2026-06-01", ("F26-3", "Ann Lee"): "2026-06-01",
    }  # fmt: skip
    assert _values(duty, 1) == {"Shifts": 2, "Shift hours": 48, "EMS calls": 2, "All calls": 3}
    assert _values(duty, 2)["EMS calls"] == 1

    before = snapshot()
    r = duty(*AS_OF, "call", "import", "--csv", calls)
    assert "4 rows read, 0 added, 4 already recorded" in r.stderr and "Credited" not in r.stderr
    assert snapshot() == before  # nothing twice (no audit row either: nothing changed)


def test_bad_call_rows_are_named_and_nothing_is_written(duty, tmp_path, snapshot):
    calls = _csv(tmp_path, "calls.csv", (
        "incident,shift_date,at,call_type,email\n"
        "F26-1,2026-03-10,2026-03-08T23:30-04:00,EMS,ann@fd.org\n"
        "F26-2,2026-03-08,2026-03-08T23:30-04:00,EMS,ann@fd.org\n"
        "F26-2,2026-03-08,2026-03-08T23:30-04:00,Fire,bo@fd.org\n"
        "F26-3,,2026-03-08T23:30-04:00,EMS,bo@fd.org\n"
        "F26-4,2026-10-31,2026-11-01T01:30,EMS,bo@fd.org\n"
    ))  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, "call", "import", "--csv", calls, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    for expected in (
        "calls.csv, line 2, field at: 2026-03-08T23:30-04:00 is before its shift date 2026-03-10",
        "calls.csv, line 4, field call_type: incident F26-2 is on line 3 with call type 'EMS' (got 'Fire')",
        "calls.csv, line 5, field shift_date: is needed: no shift attendance of the member covers",
        "calls.csv, line 6, field at: 2026-11-01 01:30 happened twice in America/New_York (the clocks went "
        "back that night); give its UTC offset: 2026-11-01T01:30-04:00 (EDT, the first) or "
        "2026-11-01T01:30-05:00 (EST, the second)",
    ):
        assert expected in r.stderr, (expected, r.stderr)


def test_an_incident_on_file_with_another_type_is_refused(duty, tmp_path, snapshot):
    duty(*AS_OF, "call", "add", "F26-7", "-m", "ann@fd.org", "--type", "EMS", "--shift-date", "2026-05-01",
         "--at", "2026-05-01T10:00-04:00")  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, "call", "add", "f26-7", "-m", "bo@fd.org", "--type", "Fire", "--shift-date", "2026-05-01",
             "--at", "2026-05-01T10:00-04:00", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "--type: incident F26-7 is on file with call type 'EMS'" in r.stderr
    assert snapshot() == before
    r = duty(*AS_OF, "call", "add", "F26-7", "-m", "ann@fd.org,bo@fd.org", "--type", "ems", "--shift-date", "2026-05-01",
             "--at", "2026-05-01T14:00Z")  # the same instant, written in UTC  # fmt: skip
    assert "Recorded 1 response to incident F26-7; 1 already recorded" in r.stderr


def test_single_adds_dry_run_and_repeat(duty, snapshot):
    args = ("shift", "add", "0042", "--date", "2026-03-08", "--station", "Station 1", "--shift", "A",
            "--time-in", "2026-03-08T07:00-04:00", "--time-out", "2026-03-09T07:00-04:00")  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, *args, "--dry-run")
    assert "Would record shift attendance" in r.stderr and "Dry run" in r.stderr and snapshot() == before
    assert "Would credit 2 progress rows" in r.stderr and "Credited" not in r.stderr
    # a dry run's JSON names no id (the rolled-back transaction's ids are no row's)
    r = duty(*AS_OF, "--format", "json", *args, "--dry-run")
    assert r.json == {"attendance_ids": [], "added": 1, "already": 0, "credits": 2, "dry_run": True}
    r = duty(*AS_OF, "--format", "json", "call", "add", "F26-1", "-m", "ann@fd.org", "--type", "EMS",
             "--at", "2026-03-08T09:00-05:00", "--shift-date", "2026-03-08", "--dry-run")  # fmt: skip
    assert r.json["response_ids"] == [] and r.json["added"] == 1 and r.json["dry_run"] is True
    assert snapshot() == before
    r = duty(*AS_OF, "--format", "json", *args)
    assert r.json["added"] == 1 and r.json["credits"] == 2 and r.json["dry_run"] is False
    assert len(r.json["attendance_ids"]) == 1
    assert "Already recorded" in duty(*AS_OF, *args).stderr
    r = duty(*AS_OF, "shift", "add", "ann@fd.org", "--date", "2026-03-08", "--time-in", "2026-03-08T07:00-04:00",
             "--time-out", "2026-03-08T06:00-04:00", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "--time-out: 2026-03-08T06:00-04:00 is not after the time in" in r.stderr


def test_permissions(duty, tmp_path, snapshot):
    duty(*AS_OF, "shift", "import", "--csv", _csv(tmp_path, "s.csv", DST_SHEET))
    before = snapshot()
    r = duty(*AS_OF, "--as", "bo@fd.org", "shift", "add", "bo@fd.org", "--date", "2026-06-05",
             "--time-in", "2026-06-05T07:00-04:00", "--time-out", "2026-06-06T07:00-04:00", ok=False)  # fmt: skip
    assert r.exit_code == 77 and snapshot() == before
    r = duty(*AS_OF, "--as", "bo@fd.org", "call", "import", "--csv",
             _csv(tmp_path, "c.csv", "incident,at,email\nX,2026-06-01T09:00-04:00,bo@fd.org\n"), ok=False)  # fmt: skip
    assert r.exit_code == 77 and snapshot() == before
    mine = duty("--as", "bo@fd.org", "--format", "json", "shift", "list").json
    assert {x["member"] for x in mine} == {"Bo Diaz"}
    r = duty("--as", "bo@fd.org", "shift", "list", "--member", "ann@fd.org", ok=False)
    assert r.exit_code == 77
    assert len(duty("--as", "olive@fd.org", "--format", "json", "shift", "list").json) == 3


def test_empty_listings_say_what_to_do(cli):
    assert "shift import --csv" in cli("shift", "list").stderr
    assert "call import --csv" in cli("call", "list").stderr


BIG = "99999999999999999999"  # beyond 64 bits
SHIFT_HEAD = b"email,shift_date,station,shift,time_in,time_out\n"
CALL_HEAD = b"incident,shift_date,at,call_type,email\n"
CARD_HEAD = b"email,credential,number,issued,expires\n"
OK_TIMES = b",2026-03-08T07:00-05:00,2026-03-09T07:00-04:00\n"
HOSTILE_FILES = [
    # (case, command, file body, text the message must contain)
    ("shift: NUL in a station", "shift", SHIFT_HEAD + b"ann@fd.org,2026-03-08,St\x00ation,A" + OK_TIMES,
     "line 2, field station"),
    ("shift: ESC in a shift name", "shift", SHIFT_HEAD + b"ann@fd.org,2026-03-08,1,A\x1b[2J" + OK_TIMES,
     "line 2, field shift"),
    ("shift: a 5 MB field", "shift", SHIFT_HEAD + b"ann@fd.org,2026-03-08," + b"S" * 5_000_000 + b",A" + OK_TIMES,
     "line 2"),
    ("shift: 1e300 as a time", "shift", SHIFT_HEAD + b"ann@fd.org,2026-03-08,1,A,1e300,2026-03-09T07:00-04:00\n",
     "line 2, field time_in"),
    ("shift: time out before time in", "shift",
     SHIFT_HEAD + b"ann@fd.org,2026-03-08,1,A,2026-03-08T07:00-05:00,2026-03-08T06:59-05:00\n", "line 2, field time_out"),
    ("shift: 9999-12-31", "shift",
     SHIFT_HEAD + b"ann@fd.org,9999-12-31,1,A,9999-12-31T07:00-05:00,9999-12-31T08:00-05:00\n", "out of range"),
    ("shift: not UTF-8", "shift", SHIFT_HEAD + b"ann@fd.org,2026-03-08,St\xe9,A" + OK_TIMES, "line 2"),
    ("shift: a badge beyond 64 bits", "shift",
     b"badge,shift_date,station,shift,time_in,time_out\n" + BIG.encode() + b",2026-03-08,1,A" + OK_TIMES,
     "line 2, field badge"),
    ("call: ESC in a call type", "call", CALL_HEAD + b"F1,2026-03-08,2026-03-08T09:00-05:00,EMS\x1b[31m,ann@fd.org\n",
     "line 2, field call_type"),
    ("call: an incident of 1 MB", "call", CALL_HEAD + b"F" * 1_000_000 + b",2026-03-08,2026-03-08T09:00-05:00,EMS,ann@fd.org\n",
     "line 2, field incident"),
    ("call: an offset of +99:99", "call", CALL_HEAD + b"F1,2026-03-08,2026-03-08T09:00+99:99,EMS,ann@fd.org\n",
     "line 2, field at"),
    ("call: year 0", "call", CALL_HEAD + b"F1,0000-01-01,0000-01-01T09:00Z,EMS,ann@fd.org\n", "line 2, field shift_date"),
    ("cert: NUL in a number", "cert", CARD_HEAD + b"ann@fd.org,ACLS,1\x002,2026-01-01,\n", "line 2, field number"),
    ("cert: 1e300 as an expiry", "cert", CARD_HEAD + b"ann@fd.org,ACLS,,2026-01-01,1e300\n", "line 2, field expires"),
    ("cert: a 200-character code", "cert", CARD_HEAD + b"ann@fd.org," + b"X" * 200 + b",,2026-01-01,\n",
     "line 2, field credential"),
]  # fmt: skip


@pytest.mark.parametrize(("command", "body", "text"), [c[1:] for c in HOSTILE_FILES], ids=[c[0] for c in HOSTILE_FILES])
def test_hostile_files_are_refused_by_line_and_field(cli, tmp_path, snapshot, monkeypatch, command, body, text):
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    monkeypatch.delenv("TRAINCTL_DEBUG")  # the catch-all for bugs is live: a crash would be exit 70
    sheet = tmp_path / "hostile.csv"
    sheet.write_bytes(body)
    before = snapshot()
    for extra in ((), ("--skip-invalid",)):
        r = cli(*AS_OF, command, "import", "--csv", sheet, *extra, ok=False)
        assert r.exit_code == 65, r
        assert text in r.stderr, r
        assert "failed unexpectedly" not in r.stderr
        assert snapshot() == before


def test_kill_9_mid_import_leaves_nothing_or_everything(cli, tmp_path, db_path):
    """A shift import killed at any point leaves either none of its rows and credits or all
    of them (one transaction), and a clean `db check`; importing again then completes it."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    members = 150
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\n" + "".join(f"M {i},m{i}@fd.org\n" for i in range(members)))
    cli("member", "import", "--csv", roster)
    cli("requirement", "add", "--name", "Shifts", "--type", "shifts", "--shifts", "100")
    cli("requirement", "add", "--name", "Shift hours", "--type", "hours", "--hours", "2000", "--counts-attendance")
    cli("program", "create", "Duty")
    cli("program", "requirement", "add", "1", "Shifts")
    cli("program", "requirement", "add", "1", "Shift hours")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Duty", "--members", ",".join(f"m{i}@fd.org" for i in range(members)))
    days = 40
    sheet = tmp_path / "year.csv"
    sheet.write_text("email,shift_date,station,shift,time_in,time_out\n" + "".join(
        f"m{i}@fd.org,2026-{d // 28 + 3:02d}-{d % 28 + 1:02d},{i % 5},A,"
        f"2026-{d // 28 + 3:02d}-{d % 28 + 1:02d}T07:00-05:00,2026-{d // 28 + 3:02d}-{d % 28 + 1:02d}T19:00-05:00\n"
        for d in range(days) for i in range(members)
    ))  # fmt: skip
    rows = members * days
    base = tmp_path / "base.db"
    shutil.copy(db_path, base)

    def counts(db: Path) -> tuple[int, int]:
        con = sqlite3.connect(db)
        try:
            return (con.execute("SELECT count(*) FROM shift_attendance").fetchone()[0],
                    con.execute("SELECT count(*) FROM progress_credit").fetchone()[0])  # fmt: skip
        finally:
            con.close()

    env = {k: v for k, v in os.environ.items() if k != "TRAINCTL_DEBUG"}

    def command(db: Path) -> list[str]:
        return [sys.executable, "-m", "trainctl", "--db", str(db), "--as-of", "2026-12-31",
                "shift", "import", "--csv", str(sheet)]  # fmt: skip

    # killed at a share of what a whole import takes on this machine now (a fixed delay
    # missed every run once writes started faster): start, reading, the transaction
    whole = tmp_path / "whole.db"
    shutil.copy(base, whole)
    t0 = time.monotonic()
    subprocess.run(command(whole), env=env, check=True, capture_output=True)
    took = time.monotonic() - t0
    killed = 0
    for n, share in enumerate((0.45, 0.7, 0.9)):
        db = tmp_path / f"k{n}.db"
        shutil.copy(base, db)
        cmd = command(db)
        delay = share * took
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(60)
        got = counts(db)
        assert got in ((0, 0), (rows, 2 * rows)), got
        check = subprocess.run([sys.executable, "-m", "trainctl", "--db", str(db), "db", "check"],
                               env=env, capture_output=True, text=True)  # fmt: skip
        assert check.returncode == 0, check.stderr
        if n == 0:
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            assert counts(db) == (rows, 2 * rows)  # the next run completes it, crediting once
    assert killed  # at least one run was cut short


def test_the_shift_table_fits_80_columns_and_says_its_zone_and_what_is_void(duty, tmp_path, monkeypatch):
    """The table's times are month-day and clock time in the department's zone (a file keeps
    the whole instant with its offset), so nine columns fit 80; the total says a void
    attendance is left out of it (review)."""
    from rich.cells import cell_len

    from trainctl.cli import render

    duty("config", "set", "timezone", "America/New_York")
    duty(*AS_OF, "shift", "import", "--csv", _csv(tmp_path, "shifts.csv", DST_SHEET))
    # as of the import's day: its credits took effect then, and a void is not dated before them
    duty(*AS_OF, "shift", "void", "1", "--reason", "entered twice by mistake")
    monkeypatch.setattr(render.console("out"), "width", 80)
    r = duty("shift", "list", "--include-void")
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= 80, r.stdout
    assert "03-07" in r.stdout and "03-08" in r.stdout and "T07:00" not in r.stdout  # (wrapped at the space)
    assert "07:00" in r.stdout and "11:00" not in r.stdout  # the zone's clock time, not UTC
    assert "2 shifts, 49 hours (1 void not counted); times in America/New_York." in r.stderr
    csv = duty("--format", "csv", "shift", "list").stdout
    assert "2026-06-01T07:00-04:00" in csv  # the whole instant, with its offset


def test_a_line_repeating_one_above_is_said_so_not_already_recorded(duty, tmp_path):
    """Nothing on file: a sheet's line 4 repeating line 2 is not 'already recorded'
    (review); it is counted once and said, as record import says it."""
    sheet = _csv(tmp_path, "shifts.csv", DST_SHEET + DST_SHEET.splitlines()[1] + "\n")
    r = duty(*AS_OF, "shift", "import", "--csv", sheet)
    assert "4 rows read, 3 added, 3 new shifts, 1 repeating a row above (same member, shift date, " \
           "station and shift)" in r.stderr, r.stderr  # fmt: skip
    assert "already recorded" not in r.stderr
    calls = _csv(tmp_path, "calls.csv", "incident,shift_date,at,call_type,member\n"
                 "F26-1,2026-03-08,2026-03-08T10:00-05:00,EMS,ann@fd.org\n"
                 "F26-1,2026-03-08,2026-03-08T10:00-05:00,EMS,ann@fd.org\n")  # fmt: skip
    r = duty(*AS_OF, "call", "import", "--csv", calls)
    assert "1 repeating a row above (same incident and member)" in r.stderr, r.stderr


def test_shift_hours_add_up_to_the_minute(duty):
    """Three tours of 12 h 20 min are 2,220 minutes: 37 h, not 36.9999 (each rounded to four
    decimals, a 37 h requirement was never met, in compliance nor in a program; review)."""
    duty("requirement", "add", "--name", "Shift 37", "--type", "hours", "--hours", "37",
         "--frequency", "quarterly", "--counts-attendance")  # fmt: skip
    duty("program", "create", "Probation")
    duty("program", "requirement", "add", "Probation", "Shift 37")
    duty("program", "activate", "Probation")
    duty("--as-of", "2026-01-02", "enroll", "add", "ann@fd.org", "Probation")
    for d in (14, 15, 16):
        duty("--as-of", "2026-03-25", "shift", "add", "ann@fd.org", "--date", f"2026-03-{d}", "--station", "S3",
             "--shift", "day", "--time-in", f"2026-03-{d}T07:00-04:00", "--time-out", f"2026-03-{d}T19:20-04:00")  # fmt: skip
    r = duty("--as-of", "2026-03-25", "--format", "json", "requirement", "explain", "ann@fd.org", "Shift 37")
    assert (r.json["status"], r.json["value"]) == ("met", 37), r.json
    cells = duty("--as-of", "2026-03-25", "--format", "json", "report", "compliance", "--requirement", "Shift 37").json
    assert [(c["member"], c["status"]) for c in cells["cells"] if c["member"] == "Ann Lee"] == [("Ann Lee", "met")]
    show = duty("--format", "json", "enroll", "show", "3").json
    assert [(x["value"], x["status"]) for x in show["requirements"]] == [(37, "completed")], show
    totals = duty("--format", "json", "shift", "list", "--totals").json
    assert [(t["member"], t["hours"]) for t in totals] == [("Ann Lee", 37)]
    assert "3 shifts, 37 hours" in duty("shift", "list").stderr


def test_rows_a_person_should_look_at_are_said_as_record_import_says_them(duty, tmp_path):
    """As for training records (review): a name column that is not the badge's member, a
    shift or call dated before the member's hire date, and one member named twice in an
    add are recorded as given and said, the row named."""
    duty("member", "edit", "bo@fd.org", "--hire-date", "2026-02-01")
    sheet = _csv(tmp_path, "names.csv", (
        "Name,Badge,Shift Date,Station,Shift,Time In,Time Out\n"
        "Ed Fox,0042,2026-03-11,S3,A,2026-03-11T07:00-04:00,2026-03-11T19:00-04:00\n"
        "bo  DIAZ,7,2026-03-12,S3,A,2026-03-12T07:00-04:00,2026-03-12T19:00-04:00\n"
        "Bo Diaz,7,2026-01-20,S3,A,2026-01-20T07:00-05:00,2026-01-20T19:00-05:00\n"
    ))  # fmt: skip
    r = duty(*AS_OF, "shift", "import", "--csv", sheet)
    assert "names.csv, line 2: the name 'Ed Fox' is not that of Ann Lee, whom the row's e-mail or badge " \
           "names: taken as theirs; check the row." in r.stderr, r.stderr  # fmt: skip
    assert "line 3" not in r.stderr  # the same name, case and spaces aside
    assert "names.csv, line 4: Bo Diaz was hired on 2026-02-01, after the shift date 2026-01-20: " \
           "recorded as given; check the date." in r.stderr, r.stderr  # fmt: skip
    assert "3 rows read, 3 added" in r.stderr
    r = duty(*AS_OF, "shift", "add", "7", "--date", "2025-12-30", "--station", "S3", "--shift", "A",
             "--time-in", "2025-12-30T07:00-05:00", "--time-out", "2025-12-30T19:00-05:00")  # fmt: skip
    assert "Bo Diaz was hired on 2026-02-01, after the shift date 2025-12-30" in r.stderr, r.stderr
    r = duty(*AS_OF, "call", "add", "F26-40", "-m", "ann@fd.org", "-m", "0042", "--type", "EMS",
             "--shift-date", "2026-03-11", "--at", "2026-03-11T09:00-04:00")  # fmt: skip
    assert "ann@fd.org and 0042 both name Ann Lee: recorded once" in r.stderr, r.stderr
    r = duty(*AS_OF, "call", "add", "F26-39", "-m", "7", "--type", "EMS", "--shift-date", "2026-01-20",
             "--at", "2026-01-20T09:00-05:00")  # fmt: skip
    assert "Bo Diaz was hired on 2026-02-01, after the call date 2026-01-20" in r.stderr, r.stderr
    assert "Recorded 1 response" in r.stderr
    calls = _csv(tmp_path, "calls.csv", "incident,at,call_type,name,badge\n"
                 "F26-41,2026-03-12T09:00-04:00,EMS,Cy Diaz,7\n")  # fmt: skip
    r = duty(*AS_OF, "call", "import", "--csv", calls)
    assert "calls.csv, line 2: the name 'Cy Diaz' is not that of Bo Diaz" in r.stderr, r.stderr


def test_a_tour_over_before_its_shift_date_is_refused(duty, snapshot):
    """Time in the evening before the shift date is a tour of that date (one that starts
    at midnight); a tour whose time out is before its date began is a typo (review)."""
    before = snapshot()
    r = duty(*AS_OF, "shift", "add", "0042", "--date", "2026-01-03", "--station", "S3", "--shift", "day",
             "--time-in", "2026-01-02T07:00-05:00", "--time-out", "2026-01-02T19:00-05:00", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "--time-out: 2026-01-02T19:00-05:00 is before the shift date 2026-01-03" in r.stderr
    assert snapshot() == before
    r = duty(*AS_OF, "shift", "add", "0042", "--date", "2026-01-03", "--station", "S3", "--shift", "night",
             "--time-in", "2026-01-02T23:00-05:00", "--time-out", "2026-01-03T07:00-05:00")  # fmt: skip
    assert "Recorded shift attendance" in r.stderr


def test_a_monthly_calls_year_reads_in_calls(duty):
    """The year line of a monthly count said 'every hour of the year counts', '1 shifts x
    3 months begun' and 'a month shows at most its target' above 'March: 3 of 1 shift'
    (review): it speaks the requirement's unit, in the singular where one is meant."""
    duty("requirement", "add", "--name", "Monthly EMS call", "--type", "calls", "--calls", "1",
         "--frequency", "monthly", "--counts-call-type", "EMS")  # fmt: skip
    for i, day in enumerate(("2026-03-02", "2026-03-03", "2026-03-04"), start=1):
        duty(*AS_OF, "call", "add", f"F26-5{i}", "-m", "0042", "--type", "EMS", "--shift-date", day,
             "--at", f"{day}T10:00-05:00")  # fmt: skip
    text = duty("--as-of", "2026-03-25", "requirement", "explain", "0042", "Monthly EMS call").stdout
    assert ("(every call of the year counts toward it, whichever month it fell in); 1 of 3 months met; "
            "on pace: 3 calls needed by now (1 call x 3 months begun)") in text, text  # fmt: skip
    assert "hour" not in text and "at most its target" not in text


def test_a_call_type_counts_as_people_type_it(duty):
    """"Structure Fire" and "structure-fire" are the structure_fire a requirement counts, as
    "Live Fire" is the live_fire training type (review: the calls stayed 0 of 2, overdue)."""
    duty("requirement", "add", "--name", "Fire calls", "--type", "calls", "--calls", "2",
         "--frequency", "annual", "--counts-call-type", "structure_fire")  # fmt: skip
    for i, (day, kind) in enumerate((("2026-03-02", "Structure Fire"), ("2026-03-03", "structure-fire")), start=1):
        duty(*AS_OF, "call", "add", f"F26-7{i}", "-m", "0042", "--type", kind, "--shift-date", day,
             "--at", f"{day}T10:00-05:00")  # fmt: skip
    cells = duty("--as-of", "2026-03-25", "--format", "json", "report", "compliance", "--member", "0042",
                 "--requirement", "Fire calls").json  # fmt: skip
    assert [c["status"] for c in cells["cells"]] == ["met"], cells
    r = duty("--as-of", "2026-03-25", "--format", "json", "requirement", "explain", "0042", "Fire calls")
    assert (r.json["status"], r.json["value"]) == ("met", 2), r.json


def test_call_list_type_finds_the_calls_a_requirement_of_that_type_counts(duty):
    """`call list --type` matches as the requirement counts (case, spaces, underscores and
    hyphens aside): `--type structure-fire` said "No calls match these filters." and
    "Structure Fire" left out the STRUCTURE_FIRE call that counted (it folded case only)."""
    duty("requirement", "add", "--name", "Fire calls", "--type", "calls", "--calls", "1",
         "--frequency", "annual", "--counts-call-type", "structure-fire")  # fmt: skip
    for i, (who, kind) in enumerate((("0042", "Structure Fire"), ("7", "STRUCTURE_FIRE"), ("7", "EMS")), start=1):
        duty(*AS_OF, "call", "add", f"S{i}", "-m", who, "--type", kind, "--shift-date", "2026-03-20",
             "--at", f"2026-03-20T1{i}:10-04:00")  # fmt: skip
    counted = sum(
        duty("--as-of", "2026-03-25", "-f", "json", "requirement", "explain", m, "Fire calls").json["value"]
        for m in ("0042", "7")
    )
    assert counted == 2
    for kind in ("structure-fire", "Structure Fire", "structure_fire", " structure  FIRE "):
        rows = duty("-f", "json", "call", "list", "--type", kind).json
        assert sorted(r["incident"] for r in rows) == ["S1", "S2"], kind
    assert [r["incident"] for r in duty("-f", "json", "call", "list", "--type", "ems").json] == ["S3"]
    r = duty("call", "list", "--type", "structure")
    assert "No calls match these filters." in r.stderr, r



def test_today_and_the_shift_date_are_the_departments_days(duty, snapshot, monkeypatch):
    """A time written in UTC (as CAD exports give it) was judged by its own calendar day:
    02:00Z on 21 November, 21:00 on the 20th in New York, was "after today (2026-11-20)",
    and a Moscow tour ending 00:00 on 5 December "before the shift date" (review)."""
    today = ("--as-of", "2026-11-20")
    r = duty(*today, "call", "add", "F26-0999", "-m", "0042", "--at", "2026-11-21T02:00Z", "--type", "EMS",
             "--shift-date", "2026-11-20")  # fmt: skip
    assert "Recorded 1 response to incident F26-0999" in r.stderr
    r = duty(*today, "shift", "add", "7", "--date", "2026-11-20", "--station", "Station 1", "--shift", "day",
             "--time-in", "2026-11-20T12:00Z", "--time-out", "2026-11-21T00:30Z")  # 07:00-19:30 there  # fmt: skip
    assert "Recorded shift attendance" in r.stderr
    # the day is still the department's: 05:00Z on the 21st is 00:00 on the 21st there
    before = snapshot()
    r = duty(*today, "call", "add", "F26-1000", "-m", "0042", "--at", "2026-11-21T05:00Z", "--type", "EMS",
             "--shift-date", "2026-11-20", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "--at: 2026-11-21 is after today (2026-11-20)" in r.stderr
    assert snapshot() == before
    monkeypatch.setenv("TRAINCTL_TIMEZONE", "Europe/Moscow")
    r = duty(*AS_OF, "shift", "add", "7", "--date", "2026-12-05", "--station", "Station 1", "--shift", "night",
             "--time-in", "2026-12-04T20:00Z", "--time-out", "2026-12-04T21:00Z")  # 23:00-00:00 there  # fmt: skip
    assert "Recorded shift attendance" in r.stderr


def test_a_night_tours_call_the_evening_before_its_shift_date(duty, tmp_path, fresh_url, monkeypatch):
    """A call at 23:30 during a night tour dated the next day was stored with that shift
    date when none was given, but refused "before its shift date" when the same date was
    given, so `call list -f csv` could not be imported back (review): one rule, the day
    before is the shift date's, as for a time in."""
    duty(*AS_OF, "shift", "add", "0042", "--date", "2026-11-24", "--station", "Station 1", "--shift", "N",
         "--time-in", "2026-11-23T23:00-05:00", "--time-out", "2026-11-24T07:00-05:00")  # fmt: skip
    duty(*AS_OF, "call", "add", "F26-1123", "-m", "0042", "--at", "2026-11-23T23:30-05:00", "--type", "EMS")
    r = duty(*AS_OF, "call", "add", "F26-1124", "-m", "0042", "--at", "2026-11-23T23:30-05:00", "--type", "EMS",
             "--shift-date", "2026-11-24")  # fmt: skip
    assert "Recorded 1 response to incident F26-1124" in r.stderr
    listed = duty("--format", "json", "call", "list").json
    assert {(c["incident"], c["shift_date"]) for c in listed} == {("F26-1123", "2026-11-24"), ("F26-1124", "2026-11-24")}

    # the listing, imported into another department, is the same calls
    sheet = _csv(tmp_path, "calls.csv", duty("call", "list", "-f", "csv").stdout)
    monkeypatch.setenv("TRAINCTL_DB", fresh_url)
    duty("config", "set", "timezone", "America/New_York")
    duty("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    r = duty(*AS_OF, "call", "import", "--csv", sheet)  # (its id column is skipped)
    assert "2 rows read, 2 added, 2 new calls" in r.stderr
    again = duty("--format", "json", "call", "list").json
    key = lambda c: (c["incident"], c["shift_date"], c["at"], c["call_type"], c["member"])  # noqa: E731
    assert sorted(map(key, again)) == sorted(map(key, listed))


def test_a_call_refused_for_a_member_on_leave_names_its_day_and_asks_the_shift_date_first(duty, tmp_path, snapshot):
    """A call at 10:00 on 20 July for a member inactive since June said "was inactive on
    2026-07-19" and hinted a history edit from the 19th; after it, the call was refused for
    its missing shift date (review): the shift date is asked first, the call's day named."""
    duty("member", "edit", "7", "--status", "inactive", "--effective", "2026-06-01")
    before = snapshot()
    r = duty(*AS_OF, "call", "add", "F26-0720", "-m", "7", "--at", "2026-07-20T10:00-04:00", "--type", "EMS",
             ok=False)  # fmt: skip
    assert r.exit_code == 65 and "--shift-date: is needed: no shift attendance of the member covers" in r.stderr
    assert "inactive" not in r.stderr and snapshot() == before
    r = duty(*AS_OF, "call", "add", "F26-0720", "-m", "7", "--at", "2026-07-20T10:00-04:00", "--type", "EMS",
             "--shift-date", "2026-07-20", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "Bo Diaz (bo@fd.org) was inactive on 2026-07-20" in r.stderr
    assert "--effective 2026-07-20" in r.stderr and snapshot() == before
    # an import row without its shift date names the call's day too
    sheet = _csv(tmp_path, "c.csv", "incident,at,call_type,badge\nF26-0720,2026-07-20T10:00-04:00,EMS,7\n")
    r = duty(*AS_OF, "call", "import", "--csv", sheet, ok=False)
    assert r.exit_code == 65 and "field badge: Bo Diaz (bo@fd.org) was inactive on 2026-07-20" in r.stderr
    assert snapshot() == before


def test_dst_tours_on_the_departments_clock_count_23_and_25_hours(duty):
    """Times kept on the department's clock (ZoneInfo) were subtracted by their wall
    clocks: 07:00 EST to 07:00 EDT counted 24 hours. They keep their fixed offset."""
    for who, day, time_in, time_out in (
        ("0042", "2026-03-07", "2026-03-07T07:00-05:00", "2026-03-08T07:00-04:00"),
        ("0042", "2026-10-31", "2026-10-31T07:00-04:00", "2026-11-01T07:00-05:00"),
        ("7", "2026-11-01", "2026-11-01T01:30-04:00", "2026-11-01T01:30-05:00"),  # the hour that repeats
    ):
        duty(*AS_OF, "shift", "add", who, "--date", day, "--station", "Station 1", "--shift", "A",
             "--time-in", time_in, "--time-out", time_out)  # fmt: skip
    rows = duty("--format", "json", "shift", "list").json
    assert sorted((x["shift_date"], x["hours"]) for x in rows) == [
        ("2026-03-07", 23), ("2026-10-31", 25), ("2026-11-01", 1)]  # fmt: skip


def test_the_helps_example_is_a_23_hour_tour_and_another_offset_is_said(duty, tmp_path):
    """The help's example (07:00-05:00 on 8 March, after the clocks went forward) was
    recorded as 23 hours from 08:00; a July time with the winter offset was taken without a
    word (review). The example is right on the department's clock, and a time written
    with an offset that is neither UTC nor the department's is taken and said."""
    import re

    empty = duty("shift", "list").stderr
    time_in, time_out = re.search(r"--time-in (\S+) --time-out ([^`\s]+)", empty).groups()
    r = duty(*AS_OF, "shift", "add", "0042", "--date", time_in[:10], "--station", "Station 1", "--shift", "A",
             "--time-in", time_in, "--time-out", time_out)  # fmt: skip
    assert "Warning" not in r.stderr
    row = duty("--format", "csv", "shift", "list").stdout.splitlines()[1].split(",")
    assert row[-3:] == [time_in, time_out, "23"], row  # 07:00 to 07:00 across the spring-forward night
    for command in (["shift", "-h"], ["shift", "add", "-h"], ["shift", "import", "-h"], ["call", "add", "-h"]):
        for example in re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d[-+]\d\d:\d\d", duty(*command).stdout):
            assert ds_doubt(example) is None, (command, example)

    r = duty(*AS_OF, "shift", "add", "7", "--date", "2026-07-04", "--station", "Station 1", "--shift", "A",
             "--time-in", "2026-07-04T07:00-05:00", "--time-out", "2026-07-05T07:00-05:00")  # fmt: skip
    assert "Warning: --time-in: 07:00-05:00 is 08:00 EDT in America/New_York; if the tour began at 07:00 " \
           "there, give -04:00." in r.stderr, r.stderr  # fmt: skip
    assert "Warning: --time-out: 07:00-05:00 is 08:00 EDT" in r.stderr and "Recorded shift attendance" in r.stderr
    r = duty(*AS_OF, "call", "add", "F26-0704", "-m", "7", "--at", "2026-07-04T10:00-05:00", "--type", "EMS")
    assert "Warning: --at: 10:00-05:00 is 11:00 EDT in America/New_York; if the call came in at 10:00 there" in r.stderr
    r = duty(*AS_OF, "call", "add", "F26-0705", "-m", "7", "--at", "2026-07-04T14:00Z", "--type", "EMS")
    assert "Warning" not in r.stderr  # UTC, as CAD exports give it
    sheet = _csv(tmp_path, "s.csv", "badge,shift_date,station,shift,time_in,time_out\n"
                 "7,2026-07-06,Station 1,A,2026-07-06T07:00-04:00,2026-07-07T07:00-05:00\n")  # fmt: skip
    r = duty(*AS_OF, "shift", "import", "--csv", sheet)
    assert "Warning: s.csv, line 2, field time_out: 07:00-05:00 is 08:00 EDT" in r.stderr, r.stderr
    assert "1 added" in r.stderr


def ds_doubt(example: str) -> str | None:
    from zoneinfo import ZoneInfo

    from trainctl.domain import shifts as ds

    return ds.offset_doubt(ds.parse_instant(example), ZoneInfo("America/New_York"), "it happened")


def test_record_shift_and_call_list_answer_as_of_the_day_alike(duty):
    """`--as-of` hid a later record from `record list` (then said "No training records yet",
    though there were), while `shift list --totals` still counted the 20 March shift as of
    1 March and `call list` still listed the 20 March call. The three now list what is dated
    on or before the day (a shift or call by its shift date, as it counts) and, empty, say
    that later ones are on file."""
    duty(*AS_OF, "record", "add", "0042", "--course", "Hose drill", "--date", "2026-03-20", "--hours", "2")
    duty(*AS_OF, "shift", "add", "0042", "--date", "2026-03-20", "--station", "1", "--shift", "A",
         "--time-in", "2026-03-20T07:00-04:00", "--time-out", "2026-03-21T07:00-04:00")  # fmt: skip
    duty(*AS_OF, "call", "add", "F26-1", "-m", "0042", "--type", "EMS", "--shift-date", "2026-03-20",
         "--at", "2026-03-20T14:10-04:00")  # fmt: skip
    early = ("--as-of", "2026-03-01")
    for noun, args in (("training records", ("record", "list")), ("shifts", ("shift", "list")),
                       ("shifts", ("shift", "list", "--totals")), ("calls", ("call", "list"))):  # fmt: skip
        r = duty(*early, *args)
        assert r.stdout == "", (args, r.stdout)
        assert f"No {noun} on or before 2026-03-01, the --as-of day (later ones are on file)." in r.stderr, r
        assert "yet" not in r.stderr, r
        assert duty(*early, "-f", "json", *args).json == [], args
        r = duty(*early, *args, "--member", "0042")
        assert f"No {noun} match these filters on or before 2026-03-01, the --as-of day (later ones do)." in r.stderr
        # as of the day itself (and with none later at all: the usual lines)
        assert len(duty("--as-of", "2026-03-20", "-f", "json", *args).json) == 1, args
        r = duty(*early, *args, "--member", "bo@fd.org")
        assert "match these filters." in r.stderr and "later" not in r.stderr, r
    totals = duty("--as-of", "2026-03-20", "-f", "json", "shift", "list", "--totals").json
    assert [(t["shifts"], t["hours"]) for t in totals] == [(1, 24)]
