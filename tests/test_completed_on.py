"""The day a requirement row or an enrollment was completed (completed_on, migration 0020)
is the day of the credit that completed it, not the day it was typed in (review: a
credit entered `--as-of` an earlier day made `enroll show` say "completed on" today while
its last activity was the earlier day, and the bulk "completed before; enrolled again" note
gave the day of typing). completed_at stays the real instant (audit). Through the CLI, on
both backends."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from backends import Db

FF = "ff1@fd.org"


@pytest.fixture
def crew(cli):
    """Two firefighters enrolled on 2026-01-02 in a program of one 4-hour requirement that
    counts drills."""
    cli("member", "add", "Fire Fighter 1", "--email", FF, "--position", "firefighter")
    cli("member", "add", "Fire Fighter 2", "--email", "ff2@fd.org", "--position", "firefighter")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--counts-type", "drill")  # fmt: skip
    cli("program", "create", "Company training")
    cli("program", "requirement", "add", "1", "Drill hours")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-02", "enroll", "bulk", "Company training", "--members", f"{FF},ff2@fd.org")
    return cli


def _add(cli, as_of: str, hours: str, member: str = FF) -> None:
    cli("--as-of", as_of, "progress", "update", "--member", member, "--requirement", "Drill hours",
        "--add", hours)  # fmt: skip


def _days(db: Db, enrollment: int = 1) -> tuple[str | None, str | None]:
    """(the row's completed_on, the enrollment's)."""
    row = db.scalar(f"SELECT completed_on FROM requirement_progress WHERE enrollment_id = {enrollment}")
    whole = db.scalar(f"SELECT completed_on FROM enrollment WHERE id = {enrollment}")
    return tuple(None if d is None else str(d)[:10] for d in (row, whole))  # type: ignore[return-value]


def _head(cli, eid: int = 1) -> dict[str, str]:
    out = cli("--as-of", "2026-03-20", "enroll", "show", str(eid)).stdout.splitlines()
    return {k: line.split(None, 1)[1] for line in out if (k := line.split(" ", 1)[0]) in ("status", "last")}


def test_a_backdated_credit_completes_on_its_own_day(crew, db: Db):
    _add(crew, "2026-01-10", "4")  # typed in today, for January 10
    assert _days(db) == ("2026-01-10", "2026-01-10")
    head = _head(crew)
    assert head["status"].strip() == "completed on 2026-01-10", head
    assert head["last"].split()[1] == "2026-01-10"
    doc = crew("--format", "json", "enroll", "show", "1").json
    assert doc["completed_on"] == "2026-01-10"
    # completed_at stays the instant it was written (audit)
    at = datetime.fromisoformat(doc["completed_at"].replace("Z", "+00:00"))
    assert at.date() >= datetime.now(UTC).date() > date(2026, 1, 10)
    listed = crew("--format", "json", "enroll", "list").json
    assert [(r["id"], r["completed_on"]) for r in listed] == [(1, "2026-01-10"), (2, None)]
    (line, _) = csv.DictReader(io.StringIO(crew("--format", "csv", "enroll", "list").stdout))
    assert (line["completed_on"], line["completed_at"]) == ("2026-01-10", doc["completed_at"])


def test_the_day_is_the_ledgers_when_later_dated_credits_were_needed(crew, db: Db):
    """2 h dated Mar 5, then 2 h entered --as-of Mar 1: on Mar 1 the row held 2 of 4 h; it
    was complete on Mar 5. And 4 h --as-of Mar 1 beside 1 h of Mar 5: complete on Mar 1."""
    _add(crew, "2026-03-05", "2")
    _add(crew, "2026-03-01", "2")
    assert _days(db) == ("2026-03-05", "2026-03-05")
    _add(crew, "2026-03-05", "1", "ff2@fd.org")
    _add(crew, "2026-03-01", "4", "ff2@fd.org")
    assert _days(db, 2) == ("2026-03-01", "2026-03-01")
    # the enrollment's day stays once complete: more credit later moves nothing
    _add(crew, "2026-03-15", "1")
    assert _days(db) == ("2026-03-05", "2026-03-05")


def test_a_feed_credit_completes_on_its_day_and_a_void_clears_it(crew, db: Db, tmp_path: Path):
    sheet = tmp_path / "drill.csv"
    sheet.write_text(f"email,course,date,hours,type\n{FF},Hose drill,2026-02-10,4,drill\n")
    crew("--as-of", "2026-02-11", "record", "import", str(sheet))
    assert _days(db) == ("2026-02-11", "2026-02-11")
    crew("--as-of", "2026-02-20", "record", "void", "1", "--reason", "wrong member")
    assert _days(db) == (None, None)
    assert db.scalar("SELECT completed_at FROM enrollment WHERE id = 1") is None
    assert "completed" not in _head(crew)["status"]
    # completed again by a later credit: that credit's day
    _add(crew, "2026-02-25", "4")
    assert _days(db) == ("2026-02-25", "2026-02-25")


def test_the_enrolled_again_note_gives_the_day_the_work_was_done(crew):
    _add(crew, "2026-01-10", "4")
    r = crew("--as-of", "2026-03-20", "enroll", "add", FF, "Company training")
    assert "Fire Fighter 1 completed 'Company training' v1 on 2026-01-10 (enrollment 1)" in r.stderr, r


def test_a_waiver_given_as_of_a_day_completes_on_that_day(crew, db: Db):
    crew("--as-of", "2026-02-01", "progress", "update", "--member", FF, "--requirement",
         "Drill hours", "--status", "waived", "--reason", "transfer credit")  # fmt: skip
    assert _days(db) == ("2026-02-01", "2026-02-01")
