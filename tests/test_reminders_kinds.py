"""What `reminders preview` finds: every kind of reminder, what makes one stale, and that
the selection is set-based (the number of statements does not grow with the data)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from backends import connect
from enroll_helpers import Dept


def due(cli, as_of: str | None = None) -> list[tuple[str, str, str]]:
    args = ["--format", "json", "reminders", "preview"] + (["--as-of", as_of] if as_of else [])
    return sorted((d["email"], d["kind"], d["threshold"]) for d in cli(*args).json)


def sql(db: Path, statement: str, *params: object) -> None:
    con = connect(db)
    con.execute(statement, params)
    con.commit()
    con.close()


@pytest.fixture
def academy(db_url: str):
    """A phased program: phase 1 (30 days) holds 'Live fire' (due after 20 days, with a
    message), phase 2 (60 days) a checklist; warnings 14 and 7 days before, inactivity 10."""
    d = Dept(db_url)
    d.member("Olive Officer", email="olive@fd.example", role="officer")
    d.member("Zoë Núñez", email="zoe@fd.example")
    pid = d.program("Academy", structure="phases", warning_days_before=7,
                    reminder_conditions={"lead_days": [14], "inactive_days": 10})  # fmt: skip
    p1 = d.phase(pid, 1, "Basics", time_limit_days=30)
    p2 = d.phase(pid, 2, "Apparatus", time_limit_days=60)
    fire = d.requirement("Live fire", "hours", required_hours=10)
    d.link(pid, fire, phase_id=p1, custom_deadline_days=20)
    d.link(pid, d.requirement("Driver checklist", "checklist"), phase_id=p2)
    sql(db_url, "UPDATE program_requirement SET notification_message = 'Bring your turnout gear.' "
                 "WHERE requirement_id = ?", fire)  # fmt: skip
    d.milestone(pid, "Basics done", 50, message="Well done: the hard part is behind you.")
    return d


def test_each_kind_in_turn(cli, academy, db_url):
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    zoe = "zoe@fd.example"
    # the requirement's message goes out at once (its scope started today)
    assert due(cli, "2026-01-01") == [(zoe, "assigned", "assigned")]
    # 14 days before 'Live fire' (due Jan 21)
    assert due(cli, "2026-01-07") == [(zoe, "assigned", "assigned"), (zoe, "requirement_deadline", "14d")]
    # Jan 18: its 7-day warning, the phase's 14-day one (due Jan 31), no progress since Jan 1
    assert due(cli, "2026-01-18") == [
        (zoe, "assigned", "assigned"),
        (zoe, "inactive", "since:2026-01-01"),
        (zoe, "phase_deadline", "14d"),
        (zoe, "requirement_deadline", "7d"),
    ]
    # Jan 23: 'Live fire' is overdue; the officer's digest lists Zoë
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-01-23").json
    kinds = {(d["kind"], d["threshold"]) for d in got}
    assert ("requirement_deadline", "overdue") in kinds and ("digest", "digest") in kinds
    digest = next(d for d in got if d["kind"] == "digest")
    assert digest["email"] == "olive@fd.example" and digest["why"] == "1 member behind"
    overdue = next(d for d in got if d["threshold"] == "overdue")
    assert overdue["subject"] == "Overdue: Live fire (Academy) was due 2026-01-21"
    assert "0 / 10 h (0%)" in overdue["why"]
    # the digest names the enrollment to look at and what is late
    sent = cli("reminders", "send", "--as-of", "2026-01-23", "--transport", "stdout").stdout
    assert "Zoë Núñez <zoe@fd.example> - Academy (enrollment 1): 0%; Live fire overdue (due 2026-01-21)" in sent


def test_the_text_names_the_member_the_item_the_date_progress_next_step_and_message(cli, academy, tmp_path):
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    cli("progress", "update", "--member", "zoe@fd.example", "--requirement", "Live fire", "--add", "4")
    out = tmp_path / "out"
    cli("reminders", "send", "--as-of", "2026-01-14", "--transport", "file", str(out))
    from email import message_from_bytes
    from email.policy import default

    msgs = {m["X-Trainctl-Reminder"].split("|")[0]: m for m in
            (message_from_bytes(f.read_bytes(), policy=default) for f in out.glob("*.eml"))}  # fmt: skip
    text = msgs["requirement_deadline"].get_content()
    assert msgs["requirement_deadline"]["Subject"] == "Reminder: Live fire (Academy) is due in 7 days (2026-01-21)"
    for part in ("Hello Zoë Núñez,", '"Live fire" in "Academy"', "Wednesday 21 January 2026",
                 "Progress: 4 / 10 h (40%).", "record the remaining 6 h before the deadline",
                 "Bring your turnout gear."):  # fmt: skip
        assert part in text, text
    assigned = msgs["assigned"].get_content()
    assert "Bring your turnout gear." in assigned and "due on Wednesday 21 January 2026" in assigned
    # past the deadline, the next step does not say "before the deadline" (issue found by
    # a hostile review): the program's and the requirement's overdue letters alike
    late = tmp_path / "late"
    cli("reminders", "send", "--as-of", "2026-01-23", "--transport", "file", str(late))
    texts = [message_from_bytes(f.read_bytes(), policy=default).get_content() for f in late.glob("*.eml")]
    overdue = next(t for t in texts if "was Wednesday 21 January 2026" in t)
    assert "record the remaining 6 h as soon as you can, and talk to your training officer about the missed deadline" in overdue
    assert not any("before the deadline" in t or "before the date" in t for t in texts if "was " in t), texts


def test_a_real_send_lists_what_it_did_for_a_script(cli, academy, tmp_path):
    """`reminders send --format json` (or csv) lists each reminder the run tried, sent or
    failed, on stdout; with --transport stdout (the messages' own channel) it is refused."""
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    r = cli("--format", "json", "reminders", "send", "--as-of", "2026-01-14", "--transport", "file",
            str(tmp_path / "out"))  # fmt: skip
    rows = r.json
    assert rows and {x["status"] for x in rows} == {"sent"}
    assert len(rows) == len(list((tmp_path / "out").glob("*.eml")))
    assert {"to", "email", "kind", "threshold", "answer", "key"} <= set(rows[0])
    again = cli("--format", "csv", "reminders", "send", "--as-of", "2026-01-14", "--transport", "file",
                str(tmp_path / "out"))  # fmt: skip
    assert again.stdout.splitlines()[0].startswith("to,email,kind") and len(again.stdout.splitlines()) == 1
    r = cli("--format", "json", "reminders", "send", "--as-of", "2026-01-14", "--transport", "stdout", ok=False)
    assert r.exit_code == 2 and "--transport file DIR" in r.stderr


def test_stale_reminders_are_never_sent(cli, academy, db_url):
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    # completing 'Live fire' ends its warnings and its message; phase 2 starts (its own clock)
    cli("--as-of", "2026-01-16", "progress", "update", "--member", "zoe@fd.example",
        "--requirement", "Live fire", "--add", "10")  # fmt: skip
    kinds = {k for _, k, _ in due(cli, "2026-01-18")}
    assert "requirement_deadline" not in kinds and "assigned" not in kinds and "phase_deadline" not in kinds
    # withdrawn: nothing at all for the enrollment
    cli("enroll", "withdraw", "1", "--reason", "moved away")
    assert due(cli, "2026-03-10") == []


def test_a_member_waiting_for_an_officer_to_advance_their_phase_is_not_nagged(cli, academy, db_url):
    """Phase 1 done on Jan 2; phase 2 needs an officer to open it. Quiet since then is the
    officer's to end: no 'nothing recorded' mail to the member. Without manual advancement
    phase 2 opens at once and a quiet stretch is the member's again."""
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    sql(db_url, "UPDATE program_phase SET requires_manual_advancement = ? WHERE phase_number = 1", True)
    r = cli("--as-of", "2026-01-02", "progress", "update", "--member", "zoe@fd.example",
            "--requirement", "Live fire", "--add", "10")  # fmt: skip
    assert "needs an officer to advance it" in r.stdout + r.stderr
    assert "inactive" not in {k for _, k, _ in due(cli, "2026-01-15")}
    digest = cli("reminders", "send", "--as-of", "2026-01-15", "--transport", "stdout").stdout
    assert ("Zoë Núñez <zoe@fd.example> - Academy (enrollment 1): phase 1 (Basics) is complete; "
            "advance it: `trainctl enroll advance 1`") in digest  # fmt: skip
    cli("--as-of", "2026-01-03", "enroll", "advance", "1")  # phase 2 opens: the member's turn
    assert ("zoe@fd.example", "inactive", "since:2026-01-02") in due(cli, "2026-01-15")


def test_a_target_date_warning_to_a_member_waiting_for_an_officer_says_whose_move_it_is(cli, academy, db_url):
    """The program's target date comes near while phase 1 is done and waits for an officer:
    the member is not told to complete what is open (nothing is theirs to do); the letter
    says the phase waits for their officer (review)."""
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy", "--target-date", "2026-01-20")
    sql(db_url, "UPDATE program_phase SET requires_manual_advancement = ? WHERE phase_number = 1", True)
    cli("--as-of", "2026-01-02", "progress", "update", "--member", "zoe@fd.example",
        "--requirement", "Live fire", "--add", "10")  # fmt: skip
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-01-10").json
    (warning,) = [d for d in got if d["kind"] == "program_deadline"]
    assert "the phase waits for an officer to advance it" in warning["why"], warning
    text = cli("reminders", "send", "--as-of", "2026-01-10", "--transport", "stdout").stdout
    assert "waits for your training officer to move you on" in text
    assert "complete the requirements that are still open" not in text


def test_open_work_outside_the_phase_is_the_members_own_not_a_wait(cli, academy, db_url):
    """Phase 1 is complete and waits for an officer, but a required requirement of no
    phase is open: the member can work on it, so the quiet stretch is theirs; and the
    phase still waits for its officer, so the digest lists it (a review found such
    recruits missing from it: only the quiet member was told), without saying the member
    can do nothing."""
    cli("requirement", "add", "--name", "Orientation", "--type", "hours", "--hours", "1",
        "--counts-type", "class")  # fmt: skip
    cli("--as-of", "2026-01-01", "program", "requirement", "add", "Academy", "Orientation")
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    sql(db_url, "UPDATE program_phase SET requires_manual_advancement = ? WHERE phase_number = 1", True)
    cli("--as-of", "2026-01-02", "progress", "update", "--member", "zoe@fd.example",
        "--requirement", "Live fire", "--add", "10")  # fmt: skip
    assert ("zoe@fd.example", "inactive", "since:2026-01-02") in due(cli, "2026-01-15")
    digest = cli("reminders", "send", "--as-of", "2026-01-23", "--transport", "stdout").stdout
    assert "Waiting for an officer (a completed phase to advance):" in digest, digest
    assert "phase 1 (Basics) is complete; advance it: `trainctl enroll advance 1`" in digest
    assert "can do nothing" not in digest


def test_self_reported_work_waiting_for_verification_is_not_called_undone(cli, academy):
    """Zoë reported her 10 h herself; until an officer verifies them the row is open, and
    its warning says so instead of telling her to do the training."""
    cli("progress", "self-reporting", "on")
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    cli("--as-of", "2026-01-10", "--as", "zoe@fd.example", "progress", "update", "--member",
        "zoe@fd.example", "--requirement", "Live fire", "--add", "10")  # fmt: skip
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-01-15").json
    (warning,) = [d for d in got if d["kind"] == "requirement_deadline"]
    assert "1 entry you reported awaits your training officer's verification" in warning["why"]
    text = cli("reminders", "send", "--as-of", "2026-01-15", "--transport", "stdout").stdout
    assert "ask your training officer to verify what you reported" in " ".join(text.split())
    # once late, the officers' digest says part of it is theirs to verify
    digest = cli("reminders", "send", "--as-of", "2026-01-23", "--transport", "stdout").stdout
    assert ("Zoë Núñez <zoe@fd.example> - Academy (enrollment 1): 0%; Live fire overdue (due "
            "2026-01-21); 1 self-reported entry awaits verification (`trainctl progress pending`)"
            ) in digest  # fmt: skip


def test_time_on_hold_is_not_a_quiet_stretch_of_the_members(cli, academy, db):
    """Held on Jan 4 (injury leave), resumed on Jan 30: 'nothing recorded since Jan 1'
    on the day she returns would blame her for the leave. The stretch starts at the
    resume (enrollment.resumed_on, taken into the last activity by the rollup)."""
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    cli("--as-of", "2026-01-04", "enroll", "hold", "1", "--reason", "injury leave")
    cli("--as-of", "2026-01-30", "enroll", "resume", "1")
    assert db.scalar("SELECT resumed_on FROM enrollment WHERE id = 1") in ("2026-01-30", date(2026, 1, 30))
    assert "inactive" not in {k for _, k, _ in due(cli, "2026-01-30")}
    assert ("zoe@fd.example", "inactive", "since:2026-01-30") in due(cli, "2026-02-09")
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-02-09").json
    (quiet,) = [d for d in got if d["kind"] == "inactive"]
    assert quiet["why"].startswith("nothing recorded since resumed 2026-01-30 (10 days")
    text = cli("reminders", "send", "--as-of", "2026-02-09", "--transport", "stdout").stdout
    assert 'Nothing has been recorded for "Academy" since it was resumed on' in " ".join(text.split())
    # a credit after the resume is the last activity again
    cli("--as-of", "2026-02-05", "progress", "update", "--member", "zoe@fd.example",
        "--requirement", "Live fire", "--add", "2")  # fmt: skip
    assert "inactive" not in {k for _, k, _ in due(cli, "2026-02-09")}


def test_a_requirement_linked_into_a_program_in_use_is_announced_from_that_day(cli, academy):
    """Zoë enrolled on Jan 1; on Mar 10 the Academy gains 'Hazmat' with a message. Dated
    by her enrollment, the message would be two months old news and never sent (or, within
    30 days, misdated): it goes out from Mar 10, dated Mar 10."""
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    cli("requirement", "add", "--name", "Hazmat", "--type", "hours", "--hours", "2",
        "--counts-type", "drill")  # fmt: skip
    cli("--as-of", "2026-03-10", "program", "requirement", "add", "Academy", "Hazmat",
        "--deadline-days", "45", "--message", "Sign up for the April hazmat class.")  # fmt: skip
    assert ("zoe@fd.example", "assigned", "assigned") not in due(cli, "2026-03-09")
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-03-12").json
    (news,) = [d for d in got if d["kind"] == "assigned" and d["about"].startswith("Hazmat")]
    assert news["since"] == "2026-03-10" and "Sign up for the April hazmat class." in news["why"]


def test_a_requirement_linked_while_the_member_was_on_hold_is_news_from_the_resume(cli, academy):
    """Held in February, 'Hazmat' linked on Mar 1, resumed on Apr 20: nothing went out
    while she was on hold, and by April the link is more than 30 days back. Its message
    is dated the resume, once."""
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    cli("--as-of", "2026-02-01", "enroll", "hold", "1", "--reason", "deployment")
    cli("requirement", "add", "--name", "Hazmat", "--type", "hours", "--hours", "2",
        "--counts-type", "drill")  # fmt: skip
    cli("--as-of", "2026-03-01", "program", "requirement", "add", "Academy", "Hazmat",
        "--message", "Sign up for the April hazmat class.")  # fmt: skip
    assert due(cli, "2026-03-02") == []  # on hold: nothing
    cli("--as-of", "2026-04-20", "enroll", "resume", "1")
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-04-21").json
    news = [d for d in got if d["kind"] == "assigned" and d["about"].startswith("Hazmat")]
    assert [d["since"] for d in news] == ["2026-04-20"]


def test_on_hold_and_inactive_members_get_nothing(cli, academy):
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    cli("enroll", "hold", "1")
    assert due(cli, "2026-01-18") == []
    cli("enroll", "resume", "1")
    assert due(cli, "2026-01-18") != []
    cli("member", "deactivate", "zoe@fd.example")
    assert due(cli, "2026-01-18") == []


def test_an_enrollment_that_begins_after_the_as_of_date_warns_of_nothing(cli, academy, db_url):
    """Enrolled on 20 January with a target of 25 January: a preview as of the 15th (a
    past day, or a run that was late) has nothing about it; it had not begun. From the day
    it begins its program and requirement deadlines are warned of."""
    cli("--as-of", "2026-01-20", "enroll", "add", "zoe@fd.example", "Academy",
        "--target-date", "2026-01-25")  # fmt: skip
    sql(db_url, "UPDATE requirement_progress SET due_on = '2026-01-25' WHERE due_on IS NOT NULL")
    assert due(cli, "2026-01-15") == []
    kinds = {k for _, k, _ in due(cli, "2026-01-20")}
    assert {"program_deadline", "requirement_deadline"} <= kinds


def test_milestones_reached_are_announced_with_their_message(cli, academy):
    cli("enroll", "add", "zoe@fd.example", "Academy")  # today: milestones are stamped now
    cli("progress", "update", "--member", "zoe@fd.example", "--requirement", "Live fire", "--add", "10")
    got = cli("--format", "json", "reminders", "preview").json
    ms = [d for d in got if d["kind"] == "milestone"]
    assert len(ms) == 1 and ms[0]["subject"] == "Milestone reached: Basics done (Academy)"
    # a month on, it is old news
    later = date.today().replace(day=1).toordinal() + 62
    assert "milestone" not in {k for _, k, _ in due(cli, date.fromordinal(later).isoformat())}


def test_a_milestone_whose_progress_was_taken_back_is_not_announced(cli, academy):
    """Review: a card entered for the wrong member fired a milestone; voided, the progress
    was 0 and the mail still went out. Nothing is sent about what no longer applies."""
    cli("enroll", "add", "zoe@fd.example", "Academy")
    cli("progress", "update", "--member", "zoe@fd.example", "--requirement", "Live fire", "--add", "10")
    cli("progress", "update", "--member", "zoe@fd.example", "--requirement", "Live fire", "--set", "0")
    got = cli("--format", "json", "reminders", "preview").json
    assert [d for d in got if d["kind"] == "milestone"] == []
    cli("progress", "update", "--member", "zoe@fd.example", "--requirement", "Live fire", "--set", "10")
    got = cli("--format", "json", "reminders", "preview").json
    assert len([d for d in got if d["kind"] == "milestone"]) == 1  # back above it: it fired once


def test_a_phase_already_left_is_reminded_of_nothing(cli, academy, db_url):
    """Review: Rita finished phase 1 and moved on to phase 2; an item of phase 1 taken
    back after that was still warned of as due ('7-day warning', then 'overdue'), and the
    phase-1 milestone still announced though phase 1 fell back below it. Nothing is sent
    about a phase already left, nor about a milestone whose progress fell back."""
    academy.milestone(1, "Basics complete", 100, phase_id=1)  # phase 1's, at 100%
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    zoe = ["--member", "zoe@fd.example", "--requirement", "Live fire"]
    cli("--as-of", "2026-01-05", "progress", "update", *zoe, "--add", "10")  # phase 2 opens
    assert cli("--format", "json", "enroll", "show", "1").json["current_phase"] == "2. Apparatus"
    news = [d["about"] for d in cli("--format", "json", "reminders", "preview", "--as-of",
                                    "2026-01-06").json if d["kind"] == "milestone"]  # fmt: skip
    assert "Basics complete (Academy)" in news  # reached, and still so: news
    cli("--as-of", "2026-01-06", "progress", "update", *zoe, "--set", "5")  # phase 1: 50%
    for day in ("2026-01-14", "2026-01-22"):  # the 7-day warning, the overdue follow-up
        got = cli("--format", "json", "reminders", "preview", "--as-of", day).json
        assert [d for d in got if d["kind"] in ("requirement_deadline", "milestone")] == [], day


def test_a_program_without_lead_days_sends_no_deadline_reminders(cli, db_url):
    d = Dept(db_url)
    d.member("Ann Lee", email="ann@fd.example")
    d.simple_program("Quiet", "hours", time_limit_days=30)
    cli("--as-of", "2026-01-01", "enroll", "add", "ann@fd.example", "Quiet")
    assert due(cli, "2026-01-30") == [] and due(cli, "2026-02-05") == []


def test_only_below_percent(cli, db_url):
    d = Dept(db_url)
    d.member("Ann Lee", email="ann@fd.example")
    d.simple_program("Gated", "hours", time_limit_days=30,
                     reminder_conditions={"lead_days": [7], "only_below_percent": 50})  # fmt: skip
    cli("--as-of", "2026-01-01", "enroll", "add", "ann@fd.example", "Gated")
    assert due(cli, "2026-01-25") == [("ann@fd.example", "program_deadline", "7d")]
    cli("progress", "update", "--member", "ann@fd.example", "--requirement", "Gated hours 1", "--add", "5")
    assert due(cli, "2026-01-25") == []  # 50% is not below 50%


def _statements(db: Path, today: date) -> int:
    from zoneinfo import ZoneInfo

    from trainctl.queries import Reader
    from trainctl.queries.reminders import select_due

    con = sqlite3.connect(db, isolation_level=None)
    seen: list[str] = []
    con.set_trace_callback(seen.append)
    select_due(Reader(con, "sqlite"), today, ZoneInfo("UTC"))
    con.close()
    return len(seen)


@pytest.mark.sqlite_only("counts statements with sqlite3's trace callback")
def test_the_selection_is_set_based(cli, academy, db_url, tmp_path):
    """The same handful of statements for 1 enrollment as for 60."""
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    one = _statements(db_url, date(2026, 1, 23))
    roster = tmp_path / "class.csv"
    roster.write_text("name,email\n" + "".join(f"Member {i},m{i}@fd.example\n" for i in range(60)))
    cli("member", "import", "--csv", str(roster))
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Academy", "--csv", str(roster))
    many = _statements(db_url, date(2026, 1, 23))
    assert len(cli("--format", "json", "reminders", "preview", "--as-of", "2026-01-23").json) == 61 * 4 + 1
    # programs, phases, one per kind (7, with the assignment scopes), the log, the officers,
    # the digest (the oldest open enrollment, who is behind, details, who waits for an
    # officer, its log), the catalog's recurring requirements (compliance reminders; none
    # here), the certification requirements as they stood (a card without an expiry runs
    # out by their renewals: the catalog and its history): 20 in all
    assert many == one <= 20, (one, many)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Pacific/Kiritimati", "America/Adak"])
@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-02-01", "9999-12-31"])
def test_absurd_dates_in_any_timezone_never_crash(cli, academy, monkeypatch, as_of, zone):
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    cli("progress", "update", "--member", "zoe@fd.example", "--requirement", "Live fire", "--add", "10")
    monkeypatch.setenv("TRAINCTL_TIMEZONE", zone)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("reminders", "send", "--dry-run", "--as-of", as_of, ok=False)
    assert r.exit_code == 0, r


def test_certification_expiry_at_90_60_30_7_days_and_on_the_day(cli, db_url):
    Dept(db_url).member("Ann Lee", email="ann@fd.example")
    cli("cert", "add", "ann@fd.example", "ACLS", "--issued", "2024-06-30", "--expires", "2026-06-30",
        "--name", "Advanced Cardiac Life Support")  # fmt: skip
    cli("cert", "add", "ann@fd.example", "BLS", "--issued", "2024-01-01")  # no expiry: never due
    steps = [("2026-03-31", None), ("2026-04-01", "90d"), ("2026-05-20", "60d"), ("2026-06-01", "30d"),
             ("2026-06-23", "7d"), ("2026-06-30", "0d"), ("2026-07-15", None)]  # fmt: skip
    seen = []
    for day, want in steps:
        got = cli("--format", "json", "reminders", "preview", "--as-of", day).json
        assert [d["threshold"] for d in got] == ([want] if want else []), (day, got)
        if got:
            assert got[0]["about"] == "ACLS (Advanced Cardiac Life Support)"
            seen.append(got[0]["subject"])
        cli("reminders", "send", "--as-of", day, "--transport", "stdout")
    assert seen[0] == "Reminder: your ACLS (Advanced Cardiac Life Support) certification expires in 90 days (2026-06-30)"
    assert seen[-1] == "Expires today: your ACLS (Advanced Cardiac Life Support) certification"


def test_a_card_that_ran_out_before_the_first_run_is_said_to_have_expired(cli, db_url):
    """A new department's first `reminders preview` (30 November) lists the on-the-day
    notice of a card whose last day was 9 November: its Why read "CPR-BLS expires
    2026-11-09 (21 days ago)", a present tense of a past day, beside a letter titled
    "Expired". It says "expired: last valid day 2026-11-09 (21 days ago)", as the
    compliance report says it."""
    Dept(db_url).member("Ann Lee", email="ann@fd.example")
    cli("cert", "add", "ann@fd.example", "CPR-BLS", "--issued", "2024-11-10", "--expires", "2026-11-09")
    (row,) = cli("--format", "json", "reminders", "preview", "--as-of", "2026-11-30").json
    assert row["threshold"] == "0d", row
    assert row["why"] == "CPR-BLS expired: last valid day 2026-11-09 (21 days ago) (on-the-day notice)", row
    assert row["subject"] == "Expired: your CPR-BLS certification (2026-11-09)", row
    (today,) = cli("--format", "json", "reminders", "preview", "--as-of", "2026-11-09").json
    assert today["why"] == "CPR-BLS expires 2026-11-09 (today) (on-the-day notice)", today


def test_a_renewed_or_voided_card_is_not_warned_about(cli, db_url):
    Dept(db_url).member("Ann Lee", email="ann@fd.example")
    cli("cert", "add", "ann@fd.example", "ACLS", "--issued", "2024-06-30", "--expires", "2026-06-30")
    assert due(cli, "2026-06-10") == [("ann@fd.example", "cert_expiry", "30d")]
    cli("cert", "add", "ann@fd.example", "acls", "--issued", "2026-06-05", "--expires", "2028-06-30")
    assert due(cli, "2026-06-10") == []  # the renewal decides: it expires later
    cli("cert", "add", "ann@fd.example", "PALS", "--issued", "2024-06-30", "--expires", "2026-06-20")
    assert due(cli, "2026-06-10") == [("ann@fd.example", "cert_expiry", "30d")]
    pals = cli("--format", "json", "cert", "list", "--member", "ann@fd.example").json
    card = next(c for c in pals if c["credential_code"] == "PALS")
    cli("cert", "void", str(card["id"]), "--reason", "entered twice")
    assert due(cli, "2026-06-10") == []


def test_a_credential_held_by_a_class_record_is_warned_about_as_a_card_is(cli):
    """Compliance takes an ACLS class for an ACLS card; when the class is what holds the
    credential (no card, or none that holds it as long), its last day is warned about
    (it never was: only cards were), once a threshold; a card that holds longer, now or
    renewed later, ends the warnings."""
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--credential", "ACLS",
        "--frequency", "biennial")  # fmt: skip
    cli("course", "add", "--name", "ACLS class", "--code", "ACLS")
    for name in ("Ann Lee", "Bo Diaz"):
        email = f"{name.split()[0].lower()}@fd.example"
        cli("member", "add", name, "--email", email, "--hire-date", "2020-01-01")
        cli("--as-of", "2026-01-10", "record", "add", email, "--course", "ACLS", "--date", "2024-07-01",
            "--hours", "16", "--type", "class")  # fmt: skip
    cli("--as-of", "2026-03-01", "cert", "add", "bo@fd.example", "ACLS", "--issued", "2026-03-01",
        "--expires", "2028-05-31")  # fmt: skip
    assert due(cli, "2026-03-31") == []
    assert due(cli, "2026-04-01") == [("ann@fd.example", "cert_expiry", "90d")]
    sent = cli("reminders", "send", "--as-of", "2026-06-10", "--transport", "stdout").stdout
    assert "Subject: Reminder: your ACLS certification expires in 20 days (2026-06-30)" in sent
    assert ("It is held by your class record ACLS class of 2024-07-01 (no expiry is on file: it is "
            "taken to hold 24 months from that day, as the requirement renews).") in " ".join(sent.split())  # fmt: skip
    assert "bo@fd.example" not in sent
    assert due(cli, "2026-06-11") == []  # once a threshold
    assert due(cli, "2026-06-30") == [("ann@fd.example", "cert_expiry", "0d")]
    cli("--as-of", "2026-06-25", "cert", "add", "ann@fd.example", "ACLS", "--issued", "2026-06-25",
        "--expires", "2028-06-30")  # fmt: skip
    assert due(cli, "2026-06-30") == []


def test_a_recurring_requirement_in_a_program_shows_its_target_over_the_program(cli):
    """ISO company training (16 h a month) in a 365-day program asks for 192 h
    (domain.progress.periods_in_span), as the ledger and `enroll show` measure it: the
    reminder's figure is the same, never the monthly 16 h."""
    cli("import", "iso")
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "F-1")
    cli("program", "create", "Company year", "--time-limit-days", "365", "--warning-days", "30")
    cli("program", "requirement", "add", "Company year", "Company training at stations",
        "--deadline-days", "100")  # fmt: skip
    cli("program", "activate", "Company year")
    cli("--as-of", "2028-02-29", "enroll", "add", "F-1", "Company year")
    cli("--as-of", "2028-03-02", "progress", "update", "--member", "F-1", "--requirement",
        "Company training at stations", "--add", "48")  # fmt: skip
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2028-05-20").json
    line = next(d for d in got if d["kind"] == "requirement_deadline")
    assert "48 / 192 h (25%)" in line["why"], line["why"]
    sent = cli("reminders", "send", "--as-of", "2028-05-20", "--transport", "stdout").stdout
    assert "Progress: 48 / 192 h (25%)." in sent
    assert "record the remaining 144 h before the deadline" in sent


def test_stdout_shows_the_text_and_csv_is_the_json_made_safe(cli, academy, db_url):
    """--transport stdout: the body as readable UTF-8 (not quoted-printable); the CSV
    preview holds what the JSON holds, a name a spreadsheet would run as a formula quoted."""
    import csv
    import io

    sql(db_url, "UPDATE member SET name = '=HYPERLINK(\"x\")' WHERE email = 'olive@fd.example'")
    cli("--as-of", "2026-01-01", "enroll", "add", "zoe@fd.example", "Academy")
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-01-23").json
    table = list(csv.DictReader(io.StringIO(
        cli("--format", "csv", "reminders", "send", "--dry-run", "--as-of", "2026-01-23").stdout
    )))  # fmt: skip
    assert len(table) == len(got) and table[0].keys() == got[0].keys()
    for row, want in zip(table, got, strict=True):
        assert row == {k: ("'" + v if v.startswith("=") else v) for k, v in want.items()}
    assert any(row["to"] == "'=HYPERLINK(\"x\")" for row in table)
    out = cli("reminders", "send", "--as-of", "2026-01-23", "--transport", "stdout").stdout
    assert "Content-Transfer-Encoding: 8bit" in out and "Hello Zoë Núñez," in out
    assert "=C3" not in out  # no quoted-printable


def test_a_card_without_an_expiry_is_warned_of_when_a_renewing_requirement_says_it_runs_out(cli, db_url):
    """A biennial BLS requirement: a BLS card without an expiry holds it 24 months from its
    issue, as compliance judges it, so its holder is warned before that day like anyone
    (the mail says the day is assumed); a renewed card with its expiry on file decides
    over an old one without (it was hidden behind it: no warning at all)."""
    Dept(db_url).member("Ann Lee", email="ann@fd.example")
    Dept(db_url).member("Bo Diaz", email="bo@fd.example")
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial")  # fmt: skip
    cli("cert", "add", "ann@fd.example", "BLS", "--issued", "2024-07-01")  # through 2026-06-30
    cli("cert", "add", "bo@fd.example", "BLS", "--issued", "2020-01-01")
    cli("cert", "add", "bo@fd.example", "BLS", "--issued", "2024-07-10", "--expires", "2026-07-09")
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-06-01").json
    assert sorted((d["email"], d["threshold"]) for d in got) == [
        ("ann@fd.example", "30d"), ("bo@fd.example", "60d")], got  # fmt: skip
    ann = next(d for d in got if d["email"] == "ann@fd.example")
    assert ann["subject"] == "Reminder: your BLS certification expires in 29 days (2026-06-30)"
    assert "no expiry on file" in ann["why"]
    out = cli("reminders", "send", "--as-of", "2026-06-01", "--transport", "stdout").stdout
    assert "taken to hold 24 months from its issue on 2024-07-01" in " ".join(out.split())
    assert cli("--format", "json", "reminders", "preview", "--as-of", "2026-06-02").json == []
    # a credential only a one-time requirement names: a card without an expiry holds it
    # for good and is never due
    cli("requirement", "add", "--name", "FF1", "--type", "certification", "--credential", "FF1")
    cli("cert", "add", "ann@fd.example", "FF1", "--issued", "2001-01-01")
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-06-25").json
    assert sorted((d["email"], d["about"], d["threshold"]) for d in got) == [
        ("ann@fd.example", "BLS", "7d"), ("bo@fd.example", "BLS", "30d")], got  # fmt: skip


def test_a_letter_greets_a_last_first_roster_name_as_people_say_it(cli, tmp_path):
    """A roster saved from Excel writes names "Last, First" (kept as written, filed under
    the last name); a letter to that member says "Hello Ann Marsh,", not "Hello Marsh,
    Ann,". A comma before a suffix is no such name, and stays as written."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        "\ufeffname,email,badge,hire_date\r\n"
        '"Marsh, Ann",ann@fd.example,0042,5/14/2012\r\n'
        '"Luis Ortega, Jr.",luis@fd.example,F-7,5/14/2012\r\n'
        ",,,\r\n,,,\r\n".encode()
    )
    cli("member", "import", "--csv", str(roster))
    for member, number in (("0042", "A-1"), ("F-7", "A-2")):
        cli("cert", "add", member, "CPR-BLS", "--number", number, "--issued", "2024-12-31",
            "--expires", "2026-12-31")  # fmt: skip
    out = tmp_path / "out"
    cli("reminders", "send", "--as-of", "2026-12-05", "--transport", "file", str(out))
    from email import message_from_bytes
    from email.policy import default

    letters = {str(m["To"].addresses[0].addr_spec): m.get_content() for m in
               (message_from_bytes(f.read_bytes(), policy=default) for f in out.glob("*.eml"))}  # fmt: skip
    assert letters["ann@fd.example"].startswith("Hello Ann Marsh,"), letters["ann@fd.example"]
    assert letters["luis@fd.example"].startswith("Hello Luis Ortega, Jr.,\r\n"), letters["luis@fd.example"]
