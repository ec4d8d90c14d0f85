"""Enrolling credits what is already on file (issue 11, records gap): valid cards, passed
checkoffs, and records / shifts / calls dated on or after the enrollment start, through the
credit feed, one feed call for a whole class."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def _pct(cli, eid: int) -> list[float]:
    """The stored percentages, as they stand now (`enroll show` under a past --as-of is
    refused once something is dated after it, as a resume on the real today is)."""
    doc = cli("--format", "json", "enroll", "show", str(eid)).json
    return [r["percentage"] for r in doc["requirements"]]


def test_enroll_add_and_bulk_credit_what_is_on_file(cli, dept):
    ann = dept.member("Ann Lee")
    bob = dept.member("Bob Ray")
    cy = dept.member("Cy Dee")
    pid = dept.program("Medic")
    dept.link(pid, dept.requirement("EMT card", "certification", credential_code="EMT-B"))
    dept.link(pid, dept.requirement("Ride shifts", "shifts"), sort_order=1)
    for who in ("ann.lee", "bob.ray"):
        cli("--as-of", "2026-05-01", "cert", "add", f"{who}@example.org", "EMT-B",
            "--issued", "2025-01-01", "--expires", "2027-01-01")  # fmt: skip
    # a shift before the enrollment start does not count; one on the start day does
    for day in ("2026-05-20", "2026-06-01"):
        cli("--as-of", "2026-06-01", "shift", "add", "bob.ray@example.org", "--date", day,
            "--station", "1", "--time-in", f"{day}T07:00+00:00", "--time-out", f"{day}T19:00+00:00")  # fmt: skip

    cli("--as-of", "2026-06-01", "enroll", "add", str(ann), "Medic")
    assert _pct(cli, 1) == [100, 0]
    cli("--as-of", "2026-06-01", "enroll", "bulk", "Medic", "--members", f"{bob},{cy}")
    assert _pct(cli, 2) == [100, 25]  # card, and 1 of 4 shifts
    assert _pct(cli, 3) == [0, 0]
    credits = dept.rows(
        "SELECT rp.enrollment_id, c.source_type FROM progress_credit c "
        "JOIN requirement_progress rp ON rp.id = c.progress_id ORDER BY 1, 2"
    )
    assert credits == [(1, "certification"), (2, "certification"), (2, "shift")]


def test_bulk_enrollment_makes_one_feed_call_for_the_class(cli, dept, monkeypatch):
    from trainctl.services.enrollment import on_file

    calls: list[int] = []
    read: list[set[str]] = []
    real, real_read = on_file._credit, on_file.source_groups

    def spy(session, actor, groups, today, **kw):  # type: ignore[no-untyped-def]
        calls.append(sum(len(items) for _, items in groups))
        return real(session, actor, groups, today, **kw)

    def spy_read(session, kinds, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.append(set(kinds))
        return real_read(session, kinds, *args, **kwargs)

    monkeypatch.setattr(on_file, "_credit", spy)
    monkeypatch.setattr(on_file, "source_groups", spy_read)
    ids = [dept.member(f"M{i}") for i in range(30)]
    pid = dept.program("Medic")
    dept.link(pid, dept.requirement("EMT card", "certification", credential_code="EMT-B"))
    for i in range(30):
        cli("--as-of", "2026-05-01", "cert", "add", f"m{i}@example.org", "EMT-B", "--issued", "2025-01-01")
    cli("--as-of", "2026-06-01", "enroll", "bulk", "Medic", "--members", ",".join(map(str, ids)))
    assert calls == [30]
    # a certification requirement is credited by cards and class records, never by shifts,
    # calls or checkoffs: those are not read at all (a read as of 1 June, and one for what
    # is dated after it up to the real today)
    assert read and all(kinds == {"certification", "training_record"} for kinds in read)
    assert dept.scalar("SELECT count(*) FROM enrollment WHERE status = 'completed'") == 30


def test_a_certification_credit_lapses_when_the_card_expires_and_counts_again_when_renewed(cli, dept):
    # DESIGN §3: 100 while a matching, unexpired certification exists
    ann = dept.member("Ann Lee")
    pid = dept.program("Medic")
    dept.link(pid, dept.requirement("EMT card", "certification", credential_code="EMT-B"))
    cli("--as-of", "2026-01-01", "enroll", "add", str(ann), "Medic")
    cli("--as-of", "2026-02-01", "cert", "add", "ann.lee@example.org", "EMT-B",
        "--issued", "2026-02-01", "--expires", "2026-06-30")  # fmt: skip

    def pct(day: str) -> float:
        return cli("--as-of", day, "--format", "json", "enroll", "show", "1").json["progress"]

    assert pct("2026-02-01") == 100
    # valid through its expiry day: measuring then still counts it
    cli("--as-of", "2026-06-30", "progress", "update", "1", "--note", "card checked")
    assert pct("2026-06-30") == 100
    # the day after, the credit no longer counts when the row is measured
    r = cli("--as-of", "2026-07-01", "progress", "update", "1", "--note", "card checked again")
    assert pct("2026-07-01") == 0 and "reopened" in r.stderr
    # renewed: the new card counts, the expired one still does not
    cli("--as-of", "2026-07-02", "cert", "add", "ann.lee@example.org", "EMT-B",
        "--issued", "2026-07-02", "--expires", "2028-06-30")  # fmt: skip
    assert pct("2026-07-02") == 100
    log = cli("--format", "json", "progress", "log", "1").json
    assert [c["source"] for c in log if c["amount"]].count("certification") == 2


def test_a_card_entered_for_an_earlier_day_credits_no_enrollment_before_it_began(cli, dept):
    """Review: a recruit enrolled on 1 March; a card entered --as-of 20 February, expired
    28 February, read 'completed' (its credit dated 20 February, before the enrollment
    existed). The card never held during the enrollment: it credits nothing. A card that
    still holds when the enrollment begins credits it, dated the enrollment's start."""
    ann = dept.member("Ann Lee")
    pid = dept.program("Medic")
    dept.link(pid, dept.requirement("EMT card", "certification", credential_code="EMT-B"))
    cli("--as-of", "2026-03-01", "enroll", "add", str(ann), "Medic")
    r = cli("--as-of", "2026-02-20", "cert", "add", "ann.lee@example.org", "EMT-B",
            "--issued", "2024-11-01", "--expires", "2026-02-28")  # fmt: skip
    assert "Credited" not in r.stderr + r.stdout
    assert _pct(cli, 1) == [0] and cli("--format", "json", "progress", "log", "1").json == []
    cli("--as-of", "2026-02-21", "cert", "add", "ann.lee@example.org", "EMT-B",
        "--issued", "2026-02-21", "--expires", "2028-02-29")  # fmt: skip
    assert _pct(cli, 1) == [100]
    log = cli("--format", "json", "progress", "log", "1").json
    assert [(c["source_id"], c["entered_on"]) for c in log] == [("2", "2026-03-01")]


def test_the_nightly_run_takes_back_a_program_row_whose_card_ran_out(cli, dept, tmp_path):
    # DESIGN §3: a certification row holds while a matching card is valid. Nothing is written
    # on the day a card runs out; the nightly `reminders send` measures such rows again on
    # the department's real today (and only then: a run --as-of another day changes none).
    from datetime import UTC, datetime, timedelta

    cli("config", "set", "timezone", "UTC")
    today = datetime.now(UTC).date()

    def day(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    ann, bob = dept.member("Ann Lee"), dept.member("Bob Ray")
    pid = dept.program("Medic")
    dept.link(pid, dept.requirement("EMT card", "certification", credential_code="EMT-B"))
    cli("--as-of", day(-60), "cert", "add", "ann.lee@example.org", "EMT-B",
        "--issued", day(-400), "--expires", day(-1))  # fmt: skip
    cli("--as-of", day(-60), "cert", "add", "bob.ray@example.org", "EMT-B",
        "--issued", day(-400), "--expires", day(300))  # fmt: skip
    cli("--as-of", day(-60), "enroll", "bulk", "Medic", "--members", f"{ann},{bob}")

    def state() -> list[tuple[str, float]]:
        return [(r["status"], r["progress"]) for r in cli("--format", "json", "enroll", "list").json]

    assert state() == [("completed", 100), ("completed", 100)]
    out = tmp_path / "mail"
    r = cli("reminders", "send", "--as-of", day(-30), "--transport", "file", str(out))
    assert state() == [("completed", 100), ("completed", 100)] and "no longer met" not in r.stderr
    r = cli("reminders", "send", "--transport", "file", str(out))
    assert "1 program certification requirement no longer met" in r.stderr and "enrollment 1;" in r.stderr
    assert state() == [("active", 0), ("completed", 100)]
    assert dept.scalar("SELECT count(*) FROM audit_log WHERE action = 'progress.lapse'") == 1
    r = cli("reminders", "send", "--transport", "file", str(out))  # nothing more to take back
    assert "no longer met" not in r.stderr
    assert dept.scalar("SELECT count(*) FROM audit_log WHERE action = 'progress.lapse'") == 1


def test_a_card_that_ran_out_is_taken_back_in_the_ledger_and_the_log_says_why(cli, dept, tmp_path):
    """Review: after the nightly run took back Rita's CPR row ('1 program certification
    requirement no longer met'), `progress log` still showed card 1's +1, counted, and
    nothing taking it back; after a renewal two +1 entries counted against a value of 1.
    The run now writes the reversal, as a void does ("1:lapse:1", dated the first day the
    card no longer held), so the log sums to the value and says why; the renewal then adds
    up, and the member's last activity is not moved (nobody did anything)."""
    from datetime import UTC, datetime, timedelta

    cli("config", "set", "timezone", "UTC")
    today = datetime.now(UTC).date()

    def day(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    ann, cy = dept.member("Ann Lee"), dept.member("Cy Dee")
    pid = dept.program("Medic")
    dept.link(pid, dept.requirement("EMT card", "certification", credential_code="EMT-B"))
    for who in ("ann.lee", "cy.dee"):
        cli("--as-of", day(-60), "cert", "add", f"{who}@example.org", "EMT-B",
            "--issued", day(-400), "--expires", day(-2))  # fmt: skip
    cli("--as-of", day(-60), "enroll", "bulk", "Medic", "--members", f"{ann},{cy}")
    # Cy's row was measured again today by an update (it fell, its credit still standing)
    cli("progress", "update", "2", "--note", "card checked")

    def log(progress_id: int) -> list[tuple[str, str, float, float, str]]:
        return [(c["entered_on"], c["source_id"], c["amount"], c["counted"], c["note"])
                for c in cli("--format", "json", "progress", "log", str(progress_id)).json]  # fmt: skip

    r = cli("reminders", "send", "--transport", "file", str(tmp_path / "mail"))
    assert "1 program certification requirement no longer met" in r.stderr  # Ann's fell now
    gone = (day(-1), "1:lapse:1", -1.0, -1.0, f"card 1 ran out: valid through {day(-2)}")
    assert log(1)[1:] == [gone]
    def value(enrollment: int) -> float:
        return cli("--format", "json", "enroll", "show", str(enrollment)).json["requirements"][0]["value"]

    assert sum(c[3] for c in log(1)) == 0 == value(1)
    assert log(2)[-1] == (day(-1), "2:lapse:1", -1.0, -1.0, f"card 2 ran out: valid through {day(-2)}")
    shown = cli("--format", "json", "enroll", "show", "1").json
    assert shown["last_activity_on"] == day(-60)  # the lapse is nobody's activity
    cli("reminders", "send", "--transport", "file", str(tmp_path / "mail"))  # nothing more
    assert len(log(1)) == 2
    # renewed: the new card's credit adds up against the value
    cli("cert", "add", "ann.lee@example.org", "EMT-B", "--issued", day(0), "--expires", day(700))
    assert [c[1] for c in log(1)] == ["1", "1:lapse:1", "3"]
    assert sum(c[3] for c in log(1)) == 1 == value(1)


# ------------------------------------------------------------------------------- resume
def _on_hold_program(dept: Dept) -> int:
    pid = dept.program("Medic")
    dept.link(pid, dept.requirement("EMT card", "certification", credential_code="EMT-B"))
    dept.link(pid, dept.requirement("Airway hours", "hours", required_hours=4, counts_categories=["airway"]),
              sort_order=1)  # fmt: skip
    return pid


def _record_card_and_class(cli, who: str) -> None:
    cli("--as-of", "2026-06-10", "cert", "add", who, "EMT-B", "--issued", "2026-06-01", "--expires", "2028-06-01")
    cli("--as-of", "2026-06-10", "record", "add", who, "--course", "Airway class", "--hours", "2",
        "--date", "2026-06-02", "--topic", "national/airway")  # fmt: skip


def test_a_resumed_enrollment_is_credited_with_what_was_recorded_while_on_hold(cli, dept):
    """A review: a card and a class recorded while an enrollment was on hold never counted,
    even after `enroll resume` (which says it catches up): the member on hold stayed at 0
    where a classmate with the same facts was at the card and 2 of 4 h."""
    ann, bob = dept.member("Ann Lee"), dept.member("Bob Ray")
    _on_hold_program(dept)
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Medic")
    cli("--as-of", "2026-05-01", "enroll", "add", str(bob), "Medic")
    cli("--as-of", "2026-05-15", "enroll", "hold", "1")
    for who in ("ann.lee@example.org", "bob.ray@example.org"):
        _record_card_and_class(cli, who)
    assert _pct(cli, 1) == [0, 0] and _pct(cli, 2) == [100, 50]
    r = cli("--as-of", "2026-06-20", "enroll", "resume", "1")
    assert "Credited 2 progress rows with what is on file." in r.stderr
    assert _pct(cli, 1) == [100, 50]
    # the feed is idempotent: a second hold and resume credits nothing again
    credits = dept.scalar("SELECT count(*) FROM progress_credit")
    cli("--as-of", "2026-06-21", "enroll", "hold", "1")
    r = cli("--as-of", "2026-06-22", "enroll", "resume", "1")
    assert "Credited" not in r.stderr
    assert dept.scalar("SELECT count(*) FROM progress_credit") == credits


def test_a_resume_dated_earlier_credits_what_is_dated_up_to_the_real_today(cli, dept):
    """As at enrollment (`through`): a resume entered now as of an earlier day still credits
    a class dated between that day and today, which nothing else would ever credit."""
    ann = dept.member("Ann Lee")
    _on_hold_program(dept)
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Medic")
    cli("--as-of", "2026-05-15", "enroll", "hold", "1")
    cli("record", "add", "ann.lee@example.org", "--course", "Airway class", "--hours", "2",
        "--date", "2026-06-02", "--topic", "national/airway")  # fmt: skip
    cli("--as-of", "2026-05-20", "enroll", "resume", "1")
    assert _pct(cli, 1)[1] == 50


def test_a_resume_credits_only_the_resumed_enrollment(cli, dept):
    """What the program's order refused in the member's other enrollment credits it when
    its step opens (the orientation done), not through a resume of another enrollment."""
    ann = dept.member("Ann Lee")
    _on_hold_program(dept)
    seq = dept.program("Academy", structure="sequential")
    dept.link(seq, dept.requirement("Orientation", "hours", required_hours=2, counts_categories=["orientation"]))
    dept.link(seq, dept.requirement("Academy card", "certification", credential_code="EMT-B"), sort_order=1)
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Medic")
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Academy")
    cli("--as-of", "2026-05-15", "enroll", "hold", "1")
    r = cli("--as-of", "2026-06-10", "cert", "add", "ann.lee@example.org", "EMT-B", "--issued", "2026-06-01")
    assert "1 credit not given" in r.stderr  # the Academy's order: orientation first
    assert _pct(cli, 2) == [0, 0]
    cli("--as-of", "2026-06-20", "enroll", "resume", "1")
    assert _pct(cli, 1)[0] == 100 and _pct(cli, 2) == [0, 0]
    r = cli("--as-of", "2026-06-21", "progress", "update", "3", "--set", "2")  # orientation done
    assert "Credited 1 progress row with what is on file." in r.stderr
    assert _pct(cli, 2) == [100, 100]


def test_a_card_or_class_for_a_member_on_hold_says_it_counts_on_resume(cli, dept):
    """Recording for a member whose enrollment is on hold credited nothing and said
    nothing: the officer could not tell that resume would take it."""
    ann, bob = dept.member("Ann Lee"), dept.member("Bob Ray")
    _on_hold_program(dept)
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Medic")
    cli("--as-of", "2026-05-01", "enroll", "add", str(bob), "Medic")
    cli("--as-of", "2026-05-15", "enroll", "hold", "1")
    note = ("Note: enrollment 1 (Ann Lee, 'Medic' v1) is on hold and takes no credit now; "
            "`trainctl enroll resume 1` credits it with what is on file.")  # fmt: skip
    for args in (("cert", "add", "ann.lee@example.org", "EMT-B", "--issued", "2026-06-01"),
                 ("record", "add", "ann.lee@example.org", "--course", "Airway class", "--hours", "2",
                  "--date", "2026-06-02", "--topic", "national/airway")):  # fmt: skip
        r = cli("--as-of", "2026-06-10", *args)
        assert note in r.stderr, r
    r = cli("--as-of", "2026-06-10", "cert", "add", "bob.ray@example.org", "EMT-B", "--issued", "2026-06-01")
    assert "on hold" not in r.stderr


def test_a_resume_counts_the_rows_it_really_credited(cli, dept):
    """Review: a resume said "Credited 2 progress rows with what was recorded while it was
    on hold" when one row gained credit (the other's was in the ledger before the hold)
    and nothing was recorded during the hold. It counts the rows that gained an entry,
    and says what is on file."""
    ann = dept.member("Ann Lee")
    _on_hold_program(dept)
    cli("--as-of", "2026-05-01", "enroll", "add", str(ann), "Medic")
    cli("--as-of", "2026-06-10", "record", "add", "ann.lee@example.org", "--course", "Airway class",
        "--hours", "2", "--date", "2026-06-02", "--topic", "national/airway")  # fmt: skip
    cli("--as-of", "2026-06-12", "enroll", "hold", "1")
    cli("--as-of", "2026-06-13", "cert", "add", "ann.lee@example.org", "EMT-B", "--issued", "2026-06-01")
    r = cli("--as-of", "2026-06-20", "enroll", "resume", "1")
    assert "Credited 1 progress row with what is on file." in r.stderr, r
    assert "while it was on hold" not in r.stderr


# ----------------------------------------------------------------------- a step opens
def _pump_path(dept: Dept, structure: str = "sequential") -> None:
    pid = dept.program("Pump Path", structure=structure)
    dept.link(pid, dept.requirement("Driver hours", "hours", required_hours=4, counts_categories=["driver"]))
    dept.link(pid, dept.requirement("Pump card", "certification", credential_code="PUMP"), sort_order=1)


def _pump_credits(dept: Dept) -> list[tuple[str, str]]:
    return [(str(on), sid) for on, sid in dept.rows(
        "SELECT c.entered_on, c.source_id FROM progress_credit c "
        "JOIN requirement_progress rp ON rp.id = c.progress_id WHERE rp.id = 2 ORDER BY c.id"
    )]  # fmt: skip


def test_a_card_on_file_credits_its_step_when_a_record_opens_it(cli, dept):
    """Review: in a sequential program a Pump card entered before the driver hours were
    done was refused by the order and never credited its step once the hours were in
    (hold and resume then credited it: the same facts, two outcomes). The step takes it
    when it opens, dated that day (the program gave it no credit before: the order
    refused it, so an earlier day would date credit the gate did not allow)."""
    ann = dept.member("Ann Lee")
    _pump_path(dept)
    cli("--as-of", "2026-11-01", "enroll", "add", str(ann), "Pump Path")
    r = cli("--as-of", "2026-12-01", "cert", "add", "ann.lee@example.org", "PUMP", "--issued", "2026-12-01")
    assert "1 credit not given" in r.stderr and "credits the program when that step opens" in r.stderr
    r = cli("--as-of", "2026-12-03", "record", "add", "ann.lee@example.org", "--course", "Driver training",
            "--hours", "4", "--category", "driver")  # fmt: skip
    assert "Credited 2 progress rows for 1 member." in r.stderr, r
    assert _pct(cli, 1) == [100, 100]
    assert _pump_credits(dept) == [("2026-12-03", "1")]


def test_a_card_on_file_credits_its_step_when_a_progress_update_opens_it(cli, dept):
    ann = dept.member("Ann Lee")
    _pump_path(dept)
    cli("--as-of", "2026-11-01", "enroll", "add", str(ann), "Pump Path")
    cli("--as-of", "2026-12-01", "cert", "add", "ann.lee@example.org", "PUMP", "--issued", "2026-12-01")
    r = cli("--as-of", "2026-12-04", "progress", "update", "1", "--add", "4")
    assert "Credited 1 progress row with what is on file." in r.stderr, r
    assert "Enrollment 1 is complete." in r.stderr
    assert cli("--format", "json", "enroll", "show", "1").json["status"] == "completed"
    assert _pump_credits(dept) == [("2026-12-04", "1")]


def test_a_card_on_file_credits_the_phase_an_officer_advances_to(cli, dept):
    """The same when an officer advances a phased enrollment: the phase entered takes
    what is on file that counts for it."""
    ann = dept.member("Ann Lee")
    pid = dept.program("Driver", structure="phases")
    p1, p2 = dept.phase(pid, 1, "Driving", manual=True), dept.phase(pid, 2, "Pumping")
    dept.link(pid, dept.requirement("Driver hours", "hours", required_hours=4, counts_categories=["driver"]),
              phase_id=p1)  # fmt: skip
    dept.link(pid, dept.requirement("Pump card", "certification", credential_code="PUMP"), phase_id=p2)
    cli("--as-of", "2026-11-01", "enroll", "add", str(ann), "Driver")
    r = cli("--as-of", "2026-12-01", "cert", "add", "ann.lee@example.org", "PUMP", "--issued", "2026-12-01")
    assert "has not started" in r.stderr
    cli("--as-of", "2026-12-02", "progress", "update", "1", "--add", "4")
    assert _pct(cli, 1) == [100, 0]
    r = cli("--as-of", "2026-12-05", "enroll", "advance", "1")
    assert "Credited 1 progress row with what is on file." in r.stderr, r
    assert _pct(cli, 1) == [100, 100]
    assert _pump_credits(dept) == [("2026-12-05", "1")]
