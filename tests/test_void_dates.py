"""A void takes effect on its day (the --as-of date, else the department's): never before
the row it voids happened, nor before a credit it takes back took effect. `record void`
under --as-of took a day before the record's date and before its credit ("+2 on
2026-03-01, then -2 on 2026-02-15" in `progress log`; a review): every void (record,
card, shift, call, checkoff) goes through one check (services/sheet_import.void_row)."""

from __future__ import annotations

import pytest


@pytest.fixture
def drills(cli):
    """Lee Park (F-118) enrolled on 2026-01-05 in a 4 h drill program; Dana Ruiz (F-203)."""
    cli("config", "set", "timezone", "America/New_York")
    cli("member", "add", "Lee Park", "--email", "lpark@x.example", "--badge", "F-118",
        "--position", "firefighter", "--hire-date", "2019-02-11")  # fmt: skip
    cli("member", "add", "Dana Ruiz", "--email", "druiz@x.example", "--badge", "F-203",
        "--position", "firefighter", "--hire-date", "2016-09-01")  # fmt: skip
    cli("course", "add", "--code", "LF-1", "--name", "Live fire", "--type", "drill", "--hours", "2")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--frequency", "annual", "--counts-type", "drill")  # fmt: skip
    cli("program", "create", "Drillprog", "--structure", "flexible")
    cli("program", "requirement", "add", "Drillprog", "Drill hours")
    cli("program", "activate", "Drillprog")
    cli("--as-of", "2026-01-05", "enroll", "add", "F-118", "Drillprog")
    return cli


def _log(cli):
    return [(c["entered_on"], c["amount"]) for c in cli("-f", "json", "progress", "log", "1").json]


def test_a_void_before_the_record_s_date_is_refused(drills, db):
    cli = drills
    cli("--as-of", "2026-02-01", "record", "add", "F-118", "--course", "LF-1", "--date", "2026-02-01")
    cli("--as-of", "2026-03-01", "record", "add", "F-118", "--course", "LF-1", "--date", "2026-03-01")
    before = db.dump()
    r = cli("--as-of", "2026-02-15", "record", "void", "2", "--reason", "x", ok=False)
    assert r.exit_code == 1, r
    assert "record 2 is dated 2026-03-01" in r.stderr
    assert "its credit took effect on 2026-03-01" in r.stderr
    assert "Nothing was changed" in r.stderr
    assert "Void it as of 2026-03-01 or later" in r.stderr
    assert db.dump() == before
    cli("--as-of", "2026-03-01", "record", "void", "2", "--reason", "x")
    assert _log(cli) == [("2026-02-01", 2.0), ("2026-03-01", 2.0), ("2026-03-01", -2.0)]


def test_a_void_before_the_credit_it_takes_back_is_refused(drills, db):
    """The record is dated before the void day, but it was entered (and credited) later."""
    cli = drills
    cli("--as-of", "2026-03-10", "record", "add", "F-118", "--course", "LF-1", "--date", "2026-02-01")
    before = db.dump()
    r = cli("--as-of", "2026-02-20", "record", "void", "1", "--reason", "x", ok=False)
    assert r.exit_code == 1, r
    assert "its credit took effect on 2026-03-10" in r.stderr and "is dated" not in r.stderr
    assert "Void it as of 2026-03-10 or later" in r.stderr
    assert db.dump() == before
    cli("--as-of", "2026-03-10", "record", "void", "1", "--reason", "x")
    assert _log(cli) == [("2026-03-10", 2.0), ("2026-03-10", -2.0)]


def test_a_scheduled_record_is_voided_before_its_day(drills):
    """A class not yet held is no fact yet: cancelling it ahead of its date is no back-dating."""
    cli = drills
    cli("--as-of", "2026-02-01", "record", "add", "F-118", "--course", "LF-1", "--date", "2026-04-01",
        "--status", "scheduled")  # fmt: skip
    cli("--as-of", "2026-02-02", "record", "void", "1", "--reason", "cancelled")


def test_a_call_response_is_not_voided_before_its_shift_date(drills, db):
    """Shifts, calls and checkoffs share the void: one check."""
    cli = drills
    cli("--as-of", "2026-03-21", "call", "add", "F26-0412", "--member", "F-203",
        "--at", "2026-03-20T14:10-04:00", "--type", "EMS", "--shift-date", "2026-03-20")  # fmt: skip
    before = db.dump()
    r = cli("--as-of", "2026-03-19", "call", "void", "1", "--reason", "r", ok=False)
    assert r.exit_code == 1 and "response 1 is dated 2026-03-20" in r.stderr, r
    assert db.dump() == before
    cli("--as-of", "2026-03-20", "call", "void", "1", "--reason", "r")


def test_a_card_credited_at_a_later_enrollment_start_is_reversed_at_that_start(cli, db):
    """A card entered --as-of before an enrollment began credits it dated its start; a void
    on a day between takes it back dated that start too (dc.credit_day), never before."""
    cli("member", "add", "Ann Lee", "--email", "ann@x.example", "--badge", "F-1")
    cli("requirement", "add", "--name", "CPR card", "--type", "certification", "--credential", "BLS")
    cli("program", "create", "Cards")
    cli("program", "requirement", "add", "Cards", "CPR card")
    cli("program", "activate", "Cards")
    cli("--as-of", "2026-05-01", "enroll", "add", "F-1", "Cards")
    cli("--as-of", "2026-04-01", "cert", "add", "F-1", "BLS", "--issued", "2026-03-01",
        "--expires", "2028-03-01")  # fmt: skip
    assert _log(cli) == [("2026-05-01", 1.0)]
    cli("--as-of", "2026-04-15", "cert", "void", "1", "--reason", "wrong member")
    assert _log(cli) == [("2026-05-01", 1.0), ("2026-05-01", -1.0)]
