"""`enroll edit --target-date`: an officer moves an open enrollment's target date (a class
pushed back; a date mistyped in the recruit file, which `enroll bulk` leaves as it is and
names this command for). Refusals write nothing."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept


@pytest.fixture
def world(db_url: str, cli) -> dict[str, int]:
    d = Dept(db_url)
    officer = d.member("Olga Chief", role="officer")
    ann = d.member("Ann Lee", email="ann@fd.example", badge="A1")
    pid = d.program("Academy", time_limit_days=90, warning_days_before=7)
    d.link(pid, d.requirement("Live fire", "hours", required_hours=10))
    cli("--as-of", "2026-01-10", "enroll", "add", "ann@fd.example", "Academy", "--target-date", "2026-03-31")
    return {"officer": officer, "ann": ann}


def target(cli) -> str:
    return cli("--format", "json", "enroll", "show", "1").json["target_date"]


def test_an_officer_moves_the_target_date_and_history_keeps_the_old_one(cli, world):
    r = cli("--as-of", "2026-02-01", "enroll", "edit", "1", "--target-date", "2026-06-30",
            "--reason", "class moved to spring")  # fmt: skip
    assert "Enrollment 1's target date is now 2026-06-30 (was 2026-03-31)." in r.stderr
    assert target(cli) == "2026-06-30"
    shown = " ".join(cli("member", "show", "A1").stdout.replace("│", " ").split())
    assert "enrollment.edit" in shown
    assert "target_completion_date: '2026-03-31' -> '2026-06-30'; reason: class moved to spring" in shown


def test_deadline_reminders_follow_the_new_date(cli, world):
    def warnings(day: str) -> list[str]:
        got = cli("--format", "json", "reminders", "preview", "--as-of", day).json
        return [g["threshold"] for g in got if g["kind"] == "program_deadline"]

    assert warnings("2026-03-25")  # a week before 31 March
    cli("--as-of", "2026-03-01", "enroll", "edit", "1", "--target-date", "2026-06-30")
    assert warnings("2026-03-25") == []  # the old date warns no more
    assert warnings("2026-06-25")  # a week before the new one


def test_refusals_write_nothing(cli, world, snapshot):
    before = snapshot()
    # the same date again: said, nothing written
    r = cli("enroll", "edit", "1", "--target-date", "2026-03-31")
    assert "target date is 2026-03-31 already; nothing changed" in r.stderr
    # before the enrollment date
    r = cli("enroll", "edit", "1", "--target-date", "2026-01-09", ok=False)
    assert r.exit_code == 65
    assert "The target date 2026-01-09 is before the enrollment date 2026-01-10." in r.stderr
    assert "Give a target date on or after 2026-01-10." in r.stderr
    # not a date; Feb 29 of a common year
    r = cli("enroll", "edit", "1", "--target-date", "2027-02-29", ok=False)
    assert r.exit_code == 2 and "2027 is not a leap year" in r.stderr
    # a member may not move dates, not even their own
    r = cli("--as", "A1", "enroll", "edit", "1", "--target-date", "2026-05-01", ok=False)
    assert r.exit_code == 77 and "needs training.manage" in r.stderr
    # no such enrollment
    r = cli("enroll", "edit", "9", "--target-date", "2026-05-01", ok=False)
    assert r.exit_code == 1 and "No enrollment '9'" in r.stderr
    assert snapshot() == before
    # a withdrawn enrollment has no target to move
    cli("--as-of", "2026-02-01", "enroll", "withdraw", "1", "--yes")
    before = snapshot()
    r = cli("enroll", "edit", "1", "--target-date", "2026-05-01", ok=False)
    assert r.exit_code != 0 and "Enrollment 1 is withdrawn; only an active or on-hold enrollment" in r.stderr
    assert snapshot() == before


def test_a_leap_day_target(cli, world):
    cli("enroll", "edit", "1", "--target-date", "2028-02-29")
    assert target(cli) == "2028-02-29"


def test_bulk_names_the_command_that_moves_an_enrolled_members_date(cli, world, tmp_path):
    """The recruit file's date corrected after the class was enrolled: the re-run leaves the
    enrollment as it is and names the command that moves it, with the file's date; run as
    named, the date is the file's."""
    csv = tmp_path / "class.csv"
    csv.write_text("email,target_date\nann@fd.example,2026-04-30\n", encoding="utf-8")
    r = cli("--as-of", "2026-02-01", "enroll", "bulk", "Academy", "--csv", str(csv))
    hint = "`trainctl enroll edit 1 --target-date 2026-04-30` moves it"
    assert hint in r.stderr, r
    cli("--as-of", "2026-02-01", "enroll", "edit", "1", "--target-date", "2026-04-30")
    assert target(cli) == "2026-04-30"
    r = cli("--as-of", "2026-02-01", "enroll", "bulk", "Academy", "--csv", str(csv))
    assert "left as it is" not in r.stderr  # the file and the enrollment agree now
