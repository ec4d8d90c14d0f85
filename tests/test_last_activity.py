"""An enrollment's last activity (enrollment.last_activity_on, migration 0012) is the
effective date of the latest credit on any of its progress rows, kept by the rollup that
follows every credit written: a crew's record, a sheet import, a progress update, a void.
The inactivity reminders read it; these tests hold it to the credits themselves, through
the CLI, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import Db

CREW = ["ff1@fd.org", "ff2@fd.org", "ff3@fd.org"]
# the credits' own answer, per enrollment: what the stored column must equal
FROM_CREDITS = (
    "SELECT e.id, (SELECT MAX(c.entered_on) FROM requirement_progress rp "
    "JOIN progress_credit c ON c.progress_id = rp.id WHERE rp.enrollment_id = e.id) "
    "FROM enrollment e ORDER BY e.id"
)


@pytest.fixture
def crew(cli):
    """Three firefighters enrolled on 2026-01-02 in a program that watches for 10 quiet
    days; 'Drill hours' counts drills."""
    for i, email in enumerate(CREW, 1):
        cli("member", "add", f"Fire Fighter {i}", "--email", email, "--position", "firefighter")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "40",
        "--counts-type", "drill")  # fmt: skip
    cli("program", "create", "Company training", "--reminders", '{"inactive_days": 10}')
    cli("program", "requirement", "add", "1", "Drill hours")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-02", "enroll", "bulk", "Company training", "--members", ",".join(CREW))
    return cli


def _last(db: Db) -> list[str | None]:
    rows = db.dicts("SELECT id, last_activity_on FROM enrollment ORDER BY id")
    assert [(r["id"], r["last_activity_on"]) for r in rows] == [
        (i, _iso(d)) for i, d in db.rows(FROM_CREDITS)
    ], "last_activity_on is not the latest credit's effective date"
    return [r["last_activity_on"] for r in rows]


def _iso(value: object) -> str | None:
    return None if value is None else str(value)[:10]


def _quiet(cli, as_of: str) -> list[tuple[str, str]]:
    got = cli("--format", "json", "reminders", "preview", "--as-of", as_of).json
    return sorted((d["to"], d["threshold"]) for d in got if d["kind"] == "inactive")


def test_every_credit_writer_moves_the_last_activity(crew, db: Db, tmp_path: Path):
    assert _last(db) == [None, None, None]  # enrolled, nothing credited yet
    # quiet since the enrollment date: 10 days later
    assert _quiet(crew, "2026-01-12") == [(f"Fire Fighter {i}", "since:2026-01-02") for i in (1, 2, 3)]

    # a crew drill (the set-based feed): every member, the day it was entered for
    crew("--as-of", "2026-02-28", "record", "add", "--members",
         ",".join(CREW), "--course", "Ladder drill", "--type", "drill", "--date", "2026-02-27",
         "--hours", "2")  # fmt: skip
    assert _last(db) == ["2026-02-28"] * 3

    # a progress update for one member
    crew("--as-of", "2026-03-05", "progress", "update", "--member", CREW[0],
         "--requirement", "Drill hours", "--add", "1")  # fmt: skip
    assert _last(db) == ["2026-03-05", "2026-02-28", "2026-02-28"]

    # one entered under an earlier --as-of date does not move it back
    crew("--as-of", "2026-03-01", "progress", "update", "--member", CREW[0],
         "--requirement", "Drill hours", "--add", "1")  # fmt: skip
    assert _last(db)[0] == "2026-03-05"

    # a sign-in sheet (the import's path)
    sheet = tmp_path / "drill.csv"
    sheet.write_text("email,course,date,hours,type\nff2@fd.org,Hose drill,2026-03-10,3,drill\n")
    crew("--as-of", "2026-03-11", "record", "import", str(sheet))
    assert _last(db) == ["2026-03-05", "2026-03-11", "2026-02-28"]

    # a void writes a reversal credit: activity on the day it was entered
    crew("--as-of", "2026-03-20", "record", "void", "1", "--reason", "wrong crew")
    assert _last(db) == ["2026-03-20", "2026-03-11", "2026-02-28"]

    # and the reminders read it: ff3 quiet since Feb 28 (10 days: Mar 10), ff2 since Mar 11
    assert _quiet(crew, "2026-03-21") == [("Fire Fighter 2", "since:2026-03-11"),
                                          ("Fire Fighter 3", "since:2026-02-28")]  # fmt: skip


def test_a_credit_that_moves_no_figure_is_activity_too(cli, db: Db):
    """A renewed card credits a certification row already at 1 of 1: the credit was
    written (progress log shows it) but the enrollment's last activity stayed at its
    start, and the no-progress reminder said "nothing since" the enrollment."""
    cli("member", "add", "Ana Reyes", "--email", "ana@fd.org", "--position", "emt")
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS")
    cli("requirement", "add", "--name", "CE hours", "--type", "hours", "--hours", "40", "--counts-type", "class")
    cli("program", "create", "Medic", "--reminders", '{"inactive_days": 60}')
    cli("program", "requirement", "add", "1", "BLS")
    cli("program", "requirement", "add", "1", "CE hours")
    cli("program", "activate", "1")
    cli("--as-of", "2027-09-01", "enroll", "add", "ana@fd.org", "Medic")
    cli("--as-of", "2027-09-01", "cert", "add", "ana@fd.org", "BLS", "--issued", "2025-11-07",
        "--expires", "2027-11-07")  # fmt: skip
    assert _last(db) == ["2027-09-01"]
    cli("--as-of", "2027-10-20", "cert", "add", "ana@fd.org", "BLS", "--issued", "2027-10-20",
        "--expires", "2029-10-31")  # fmt: skip
    assert _last(db) == ["2027-10-20"]
    assert _quiet(cli, "2027-12-01") == []  # 42 days after the renewal, not 91 after the start
    assert _quiet(cli, "2027-12-19") == [("Ana Reyes", "since:2027-10-20")]


def test_a_leap_day_and_a_year_end_are_last_activities(crew, db: Db):
    crew("--as-of", "2028-02-29", "progress", "update", "--member", CREW[0],
         "--requirement", "Drill hours", "--add", "1")  # fmt: skip
    crew("--as-of", "2026-12-31", "progress", "update", "--member", CREW[1],
         "--requirement", "Drill hours", "--add", "1")  # fmt: skip
    assert _last(db) == ["2028-02-29", "2026-12-31", None]
    assert ("Fire Fighter 1", "since:2028-02-29") in _quiet(crew, "2028-03-10")
    assert ("Fire Fighter 2", "since:2026-12-31") in _quiet(crew, "2027-01-10")
    assert ("Fire Fighter 2", "since:2026-12-31") not in _quiet(crew, "2027-01-09")


@pytest.mark.sqlite_only("SQLite's query plans")
def test_the_inactivity_scan_reads_the_last_activity_index(crew, db_path: Path):
    """SQLite uses a partial index only when the WHERE repeats its predicate: the scan's
    first branch must read ix_enrollment_active_program_activity."""
    import sqlite3
    from datetime import date

    from trainctl.queries import Reader
    from trainctl.queries.reminders import select_due

    con = sqlite3.connect(db_path, isolation_level=None)
    seen: list[str] = []
    con.set_trace_callback(seen.append)
    select_due(Reader(con, "sqlite"), date(2026, 3, 1))
    con.set_trace_callback(None)
    scans = [s for s in seen if "e.last_activity_on BETWEEN" in s]
    assert len(scans) == 1, seen
    plan = " ".join(str(r) for r in con.execute("EXPLAIN QUERY PLAN " + scans[0]))
    assert "ix_enrollment_active_program_activity" in plan, plan
    assert "ix_enrollment_active_program_enrolled" in plan, plan
    con.close()


def test_enroll_show_says_how_long_the_enrollment_has_been_quiet(crew, db: Db):
    """`enroll show` prints the stored last activity and the quiet days the inactivity
    reminder counts (as of the department's day or --as-of); JSON gives the date."""

    def head(as_of: str) -> str:
        out = crew("--as-of", as_of, "enroll", "show", "1").stdout
        return next(line for line in out.splitlines() if line.startswith("last activity"))

    assert "no progress logged yet" in head("2026-01-05")
    assert crew("--format", "json", "enroll", "show", "1").json["last_activity_on"] is None

    crew("--as-of", "2028-02-29", "progress", "update", "--member", CREW[0],
         "--requirement", "Drill hours", "--add", "1")  # fmt: skip
    assert "2028-02-29 (today)" in head("2028-02-29")
    assert "2028-02-29 (yesterday)" in head("2028-03-01")
    assert "2028-02-29 (306 days ago)" in head("2028-12-31")
    # a past --as-of, before the activity: refused (the figures shown are today's)
    r = crew("--as-of", "2028-02-01", "enroll", "show", "1", ok=False)
    assert r.exit_code == 2 and "(up to 2028-02-29)" in r.stderr, r
    assert crew("--format", "json", "enroll", "show", "1").json["last_activity_on"] == "2028-02-29"
    assert _last(db)[0] == "2028-02-29"


def test_enroll_list_sorts_the_longest_quiet_first(crew):
    """`enroll list --sort activity`: quiet since the later of the last credit and the
    enrollment date (as the reminders count), oldest first; the table then shows the
    column, JSON and CSV always carry it."""
    crew("--as-of", "2026-03-05", "progress", "update", "--member", CREW[0],
         "--requirement", "Drill hours", "--add", "1")  # fmt: skip
    crew("--as-of", "2026-02-28", "progress", "update", "--member",
         CREW[1], "--requirement", "Drill hours", "--add", "1")  # fmt: skip
    rows = crew("--format", "json", "enroll", "list", "--sort", "activity").json
    assert [(r["member"], r["last_activity_on"]) for r in rows] == [
        ("Fire Fighter 3", None), ("Fire Fighter 2", "2026-02-28"), ("Fire Fighter 1", "2026-03-05"),
    ]  # fmt: skip
    assert "Last activity" in crew("enroll", "list", "--sort", "activity").stdout
    assert "Last activity" not in crew("enroll", "list").stdout
    head = crew("--format", "csv", "enroll", "list").stdout.splitlines()[0]
    assert "last_activity_on" in head.split(",")
