"""Nobody records their own training, cards, shifts or calls, nor voids them (review of
session 17): they count toward the officer's own programs and compliance, so another
officer enters them, as another verifies their progress (permissions.Actor.refuse_own).
A refusal writes nothing; the database owner and another officer may."""

from __future__ import annotations

import re

import pytest

AS_OF = ("--as-of", "2026-06-01")
OLIVE = ("--as", "olive@fd.org")


@pytest.fixture
def crew(cli):
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("member", "add", "Otto Officer", "--email", "otto@fd.org", "--role", "officer",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042", "--hire-date", "2020-01-01")
    return cli


SELF_ADDS = [
    ("record", "add", "olive@fd.org", "--course", "Ladder drill", "--hours", "2", "--date", "2026-05-30"),
    ("record", "add", "--members", "ann@fd.org,olive@fd.org", "--course", "Ladder drill", "--hours", "2",
     "--date", "2026-05-30"),
    ("cert", "add", "olive@fd.org", "CPR-BLS", "--issued", "2026-05-01", "--expires", "2028-05-31"),
    ("shift", "add", "olive@fd.org", "--date", "2026-05-30", "--time-in", "2026-05-30T07:00-04:00",
     "--time-out", "2026-05-31T07:00-04:00", "--station", "Station 1", "--shift", "A"),
    ("call", "add", "F26-0001", "--member", "ann@fd.org,olive@fd.org", "--at", "2026-05-30T10:00-04:00",
     "--shift-date", "2026-05-30", "--type", "fire"),
]  # fmt: skip


@pytest.mark.parametrize("args", SELF_ADDS, ids=lambda a: " ".join(a[:2]) + (" crew" if "," in " ".join(a) else ""))
def test_an_officer_cannot_record_their_own(crew, snapshot, args):
    before = snapshot()
    r = crew(*AS_OF, *OLIVE, *args, ok=False)
    assert r.exit_code == 77, r
    assert "Nobody records their own" in r.stderr and "Ask another training officer" in r.stderr
    assert snapshot() == before
    # another officer (or the owner) enters the same thing
    assert crew(*AS_OF, "--as", "otto@fd.org", *args).exit_code == 0


SHEETS = [
    ("record", "member,course,date,hours\nann@fd.org,Ladder drill,2026-05-30,2\nolive@fd.org,Ladder drill,2026-05-30,2\n",
     "training"),
    ("cert", "member,credential,issued,expires\nann@fd.org,CPR-BLS,2026-05-01,2028-05-31\n"
     "olive@fd.org,CPR-BLS,2026-05-01,2028-05-31\n", "certifications"),
    ("shift", "member,shift_date,station,shift,time_in,time_out\n"
     "ann@fd.org,2026-05-30,Station 1,A,2026-05-30T07:00-04:00,2026-05-31T07:00-04:00\n"
     "olive@fd.org,2026-05-30,Station 1,A,2026-05-30T07:00-04:00,2026-05-31T07:00-04:00\n", "shift attendance"),
    ("call", "incident,shift_date,at,call_type,member\nF26-1,2026-05-30,2026-05-30T10:00-04:00,fire,ann@fd.org\n"
     "F26-1,2026-05-30,2026-05-30T10:00-04:00,fire,olive@fd.org\n", "calls"),
]  # fmt: skip


@pytest.mark.parametrize(("group", "text", "noun"), SHEETS, ids=[s[0] for s in SHEETS])
def test_an_imported_line_about_oneself_is_a_bad_line(crew, snapshot, tmp_path, group, text, noun):
    path = tmp_path / "sheet.csv"
    path.write_text(text)
    before = snapshot()
    files = (str(path),) if group == "record" else ("--csv", str(path))
    r = crew(*AS_OF, *OLIVE, group, "import", *files, ok=False)
    assert r.exit_code == 65, r
    assert "line 3" in r.stderr and f"nobody records their own {noun}" in r.stderr, r.stderr
    assert snapshot() == before
    # --skip-invalid imports the others; the officer's own line is still refused
    r = crew(*AS_OF, *OLIVE, group, "import", *files, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and re.search(r"2 rows read, 1 added, .*1 rejected", r.stderr), r.stderr


def test_an_officer_cannot_void_their_own_record_and_another_can(crew, snapshot):
    crew(*AS_OF, "record", "add", "olive@fd.org", "--course", "Ladder drill", "--hours", "2", "--date", "2026-05-30")
    before = snapshot()
    r = crew(*AS_OF, *OLIVE, "record", "void", "1", "--reason", "a mistake", ok=False)
    assert r.exit_code == 77 and "Nobody voids a record of their own" in r.stderr, r
    assert snapshot() == before
    crew(*AS_OF, "--as", "otto@fd.org", "record", "void", "1", "--reason", "a mistake")


@pytest.mark.parametrize(
    "args",
    [("--hire-date", "2026-12-31"), ("--certification-date", "2026-05-01"), ("--position", "emt"),
     ("--status", "inactive")],
    ids=["hire date", "certification date", "positions", "status"],
)  # fmt: skip
def test_an_officer_cannot_change_what_they_owe(crew, snapshot, args):
    """Their hire and certification dates, positions and status decide what an officer owes
    and when (a hire date moved past a report's day took them off its roster; review):
    another officer changes them. Their own name or badge they may."""
    before = snapshot()
    r = crew(*OLIVE, "member", "edit", "olive@fd.org", *args, ok=False)
    assert r.exit_code == 77 and "Nobody changes their own" in r.stderr, r
    assert snapshot() == before
    crew(*OLIVE, "member", "edit", "olive@fd.org", "--badge", "O-1")  # (not what she owes)
    crew("--as", "otto@fd.org", "member", "edit", "olive@fd.org", *args)


def test_a_roster_line_changing_the_importing_officers_own_dates_is_a_bad_line(crew, snapshot, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,hire_date\nOlive Officer,olive@fd.org,2026-12-31\nAnn Lee,ann@fd.org,2020-01-01\n")
    before = snapshot()
    r = crew(*OLIVE, "member", "import", "--csv", roster, "--update", ok=False)
    assert r.exit_code == 65 and "line 2, field hire_date: this line is about you" in r.stderr, r
    assert snapshot() == before


def test_a_crew_by_position_leaves_the_acting_officer_out_and_says_so(crew, cli):
    """The instructor of a crew drill holds the position too: the crew is recorded without
    them, and said (second review: the whole crew was refused)."""
    crew("member", "edit", "olive@fd.org", "--position", "firefighter", "--effective", "2020-01-01")
    crew("member", "edit", "ann@fd.org", "--position", "firefighter", "--effective", "2020-01-01")
    r = crew(*AS_OF, *OLIVE, "--format", "json", "record", "add", "--position", "firefighter",
             "--course", "Ladder drill", "--hours", "2", "--date", "2026-05-30")  # fmt: skip
    assert "Recorded 1 record" in r.stderr and "You (Olive Officer) held firefighter" in r.stderr, r
    rows = crew("--format", "json", "record", "list").json
    assert [x["email"] for x in rows] == ["ann@fd.org"]
