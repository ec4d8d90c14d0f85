"""Reminder rules (domain/reminders.py): which threshold is crossed, and what is stale.

Table-driven, with a property: whatever day a run happens, it sends the latest crossed
warning, and runs at most 7 days apart never miss a 30/14/7-day warning.
"""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainctl.domain import reminders as dr
from trainctl.domain.mail import build_message, parse_sender, wire_address
from trainctl.errors import BadInputError

D = date(2026, 3, 1)  # a deadline
LEADS = (30, 14, 7)


def days(n: int) -> date:
    return D + timedelta(days=n)


# (case, today, lead days, status, expected threshold or None)
CROSSED = [
    ("nothing before the farthest lead", days(-31), LEADS, "in_progress", None),
    ("30 days before: the 30-day warning", days(-30), LEADS, "in_progress", "30d"),
    ("a run skipped past the 30-day day still sends it", days(-20), LEADS, "in_progress", "30d"),
    ("14 days before", days(-14), LEADS, "in_progress", "14d"),
    ("between 14 and 7: still the 14-day one", days(-8), LEADS, "in_progress", "14d"),
    ("7 days before", days(-7), LEADS, "in_progress", "7d"),
    ("on the day, without lead 0: the nearest crossed (7)", days(0), LEADS, "in_progress", "7d"),
    ("on the day, with lead 0", days(0), (*LEADS, 0), "in_progress", "0d"),
    ("the day after: overdue", days(1), LEADS, "in_progress", "overdue"),
    ("overdue 29 days after the day it became overdue", days(30), LEADS, "in_progress", "overdue"),
    ("overdue for longer than FRESH_DAYS: stale", days(31), LEADS, "in_progress", None),
    ("completed: nothing", days(-7), LEADS, "completed", None),
    ("waived: nothing", days(2), LEADS, "waived", None),
    ("no lead days: deadline reminders are opt-in", days(-1), (), "in_progress", None),
]  # fmt: skip


@pytest.mark.parametrize(("today", "leads", "status", "want"), [c[1:] for c in CROSSED],
                         ids=[c[0] for c in CROSSED])  # fmt: skip
def test_latest_crossed(today, leads, status, want):
    got = dr.latest_crossed(D, today, leads, status=status)
    assert (got.threshold if got else None) == want
    if got is not None and want != "overdue":
        assert got.on == D - timedelta(days=int(want[:-1]))


# (case, threshold, the log's other thresholds of the item for the recipient, overtaken)
OVERTAKEN = [
    ("the 14-day warning after the 1-day one", "14d", ["1d"], True),
    ("the 30-day warning after the overdue follow-up", "30d", ["overdue"], True),
    ("on the day after the overdue follow-up", "0d", ["overdue"], True),
    ("due soon after overdue (compliance)", "due_soon", ["overdue"], True),
    ("the next warning after earlier ones", "7d", ["30d", "14d"], False),
    ("the overdue follow-up after the warnings", "overdue", ["30d", "0d"], False),
    ("nothing logged", "14d", [], False),
    ("a quiet stretch is no step towards a deadline", "since:2026-01-01", ["since:2026-02-01"], False),
    ("a milestone", "reached", ["overdue"], False),
]  # fmt: skip


@pytest.mark.parametrize(("threshold", "logged", "want"), [c[1:] for c in OVERTAKEN],
                         ids=[c[0] for c in OVERTAKEN])  # fmt: skip
def test_a_warning_the_log_holds_a_later_one_of_is_overtaken(threshold, logged, want):
    assert dr.overtaken(threshold, logged) is want


# Feb 29 and year ends: the crossing day is plain calendar arithmetic.
CALENDAR = [
    ("30 days before Feb 29", date(2028, 2, 29), 30, date(2028, 1, 30)),
    ("7 days before Mar 1 of a leap year", date(2028, 3, 1), 7, date(2028, 2, 23)),
    ("a deadline on Feb 29, lead 1", date(2028, 2, 29), 1, date(2028, 2, 28)),
    ("7 days before Jan 3 crosses the year", date(2027, 1, 3), 7, date(2026, 12, 27)),
    ("30 days before Jan 1", date(2027, 1, 1), 30, date(2026, 12, 2)),
    ("on the day: Dec 31", date(2026, 12, 31), 0, date(2026, 12, 31)),
]  # fmt: skip


@pytest.mark.parametrize(("deadline", "lead", "crossing"), [c[1:] for c in CALENDAR],
                         ids=[c[0] for c in CALENDAR])  # fmt: skip
def test_crossing_days_on_leap_days_and_year_ends(deadline, lead, crossing):
    before = dr.latest_crossed(deadline, crossing - timedelta(days=1), (lead,))
    assert before is None
    got = dr.latest_crossed(deadline, crossing, (lead,))
    assert got == dr.Crossed(f"{lead}d", crossing)


def test_overdue_is_the_day_after_the_deadline_across_a_leap_day():
    got = dr.latest_crossed(date(2028, 2, 28), date(2028, 2, 29), (7,))
    assert got == dr.Crossed("overdue", date(2028, 2, 29))
    got = dr.latest_crossed(date(2026, 12, 31), date(2027, 1, 1), (7,))
    assert got == dr.Crossed("overdue", date(2027, 1, 1))


SCHEDULES = [
    ("nothing set", None, {}, dr.Schedule()),
    ("warning_days_before alone", 14, {}, dr.Schedule((14,))),
    ("both, merged far to near", 14, {"lead_days": [7, 30]}, dr.Schedule((30, 14, 7))),
    ("a repeat counts once", 7, {"lead_days": [7]}, dr.Schedule((7,))),
    ("0 is on the day", 0, {}, dr.Schedule((0,))),
    ("the other conditions", None, {"only_below_percent": 80, "inactive_days": 21},
     dr.Schedule((), 80.0, 21)),
    ("junk in stored JSON is ignored", None, {"lead_days": [True, "30", 7.5, -1, 5]},
     dr.Schedule((5,))),
]  # fmt: skip


@pytest.mark.parametrize(("warn", "rc", "want"), [c[1:] for c in SCHEDULES], ids=[c[0] for c in SCHEDULES])
def test_schedule_of(warn, rc, want):
    assert dr.schedule_of(warn, rc) == want


def test_only_below_percent_silences_deadline_reminders_at_or_above_it():
    s = dr.Schedule((30, 7), only_below_percent=80)
    assert dr.deadline_due(D, days(-7), s, progress=79.9) is not None
    assert dr.deadline_due(D, days(-7), s, progress=80) is None
    assert dr.deadline_due(D, days(3), s, progress=95) is None  # the digest still lists it


PHASES = [
    ("open items, 7 days left", days(-60), 60, 2, days(-7), "7d"),
    ("every item done: waits to advance, no warning", days(-60), 60, 0, days(-7), None),
    ("no time limit: no deadline", date(2026, 1, 1), None, 2, days(-7), None),
    ("overdue phase", days(-60), 60, 1, days(2), "overdue"),
]  # fmt: skip


@pytest.mark.parametrize(("started", "limit", "open_items", "today", "want"), [c[1:] for c in PHASES],
                         ids=[c[0] for c in PHASES])  # fmt: skip
def test_phase_due(started, limit, open_items, today, want):
    deadline, got = dr.phase_due(started, limit, today, dr.Schedule(LEADS), progress=10,
                                 open_items=open_items)  # fmt: skip
    assert deadline == (None if limit is None else started + timedelta(days=limit))
    assert (got.threshold if got else None) == want


E = date(2026, 6, 30)  # a card's expiry day (valid through it)
CERTS = [
    ("91 days before", E - timedelta(days=91), False, None),
    ("90 days before", E - timedelta(days=90), False, "90d"),
    ("61 days before", E - timedelta(days=61), False, "90d"),
    ("60", E - timedelta(days=60), False, "60d"),
    ("30", E - timedelta(days=30), False, "30d"),
    ("7", E - timedelta(days=7), False, "7d"),
    ("on the day", E, False, "0d"),
    ("expired 10 days ago and never told: the on-the-day notice", E + timedelta(days=10), False, "0d"),
    ("expired long ago: stale", E + timedelta(days=dr.FRESH_DAYS), False, None),
    ("renewed: nothing", E - timedelta(days=7), True, None),
]  # fmt: skip


@pytest.mark.parametrize(("today", "renewed", "want"), [c[1:] for c in CERTS], ids=[c[0] for c in CERTS])
def test_cert_due(today, renewed, want):
    got = dr.cert_due(E, today, superseded=renewed)
    assert (got.threshold if got else None) == want


def test_inactivity_is_one_reminder_per_quiet_stretch():
    last = date(2026, 1, 10)
    assert dr.inactive_due(last, date(2026, 1, 30), 21) is None
    got = dr.inactive_due(last, date(2026, 1, 31), 21)
    assert got == dr.Crossed("since:2026-01-10", date(2026, 1, 31))
    assert dr.inactive_due(last, date(2026, 3, 1), 21) == got  # the same key all along
    assert dr.inactive_due(last, date(2026, 3, 2), 21) is None  # caught up for 30 days, then stale
    assert dr.inactive_due(date(2026, 2, 1), date(2026, 3, 1), 21).threshold == "since:2026-02-01"
    assert dr.inactive_due(last, date(2026, 2, 1), None) is None


@pytest.mark.parametrize(
    ("enrolled", "last", "want"),
    [
        ((2026, 1, 2), None, (2026, 1, 2)),  # nothing credited: since enrolling
        ((2026, 1, 2), (2026, 2, 28), (2026, 2, 28)),
        ((2028, 1, 2), (2028, 2, 29), (2028, 2, 29)),  # a leap day credit
        ((2026, 12, 31), (2026, 12, 31), (2026, 12, 31)),  # the same day
        ((2027, 1, 1), (2026, 12, 31), (2027, 1, 1)),  # a credit entered before: the enrollment
    ],
)
def test_a_quiet_stretch_counts_from_the_later_of_enrolling_and_the_last_credit(enrolled, last, want):
    assert dr.quiet_since(date(*enrolled), date(*last) if last else None) == date(*want)


def test_events_are_news_for_fresh_days_and_never_before_they_happen():
    assert dr.fresh(D, D) and dr.fresh(D, days(dr.FRESH_DAYS - 1))
    assert not dr.fresh(D, days(dr.FRESH_DAYS)) and not dr.fresh(D, days(-1))


@pytest.mark.parametrize("as_of", [date.min, date.max])
def test_absurd_dates_never_overflow(as_of):
    assert dr.shift(as_of, 90) <= date.max and dr.shift(as_of, -90) >= date.min
    dr.latest_crossed(date(2026, 3, 1), as_of, LEADS)
    dr.cert_due(date(2026, 3, 1), as_of, superseded=False)
    dr.inactive_due(date(2026, 3, 1), as_of, 21)


@given(
    deadline=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    first=st.integers(-60, 0),
    gap=st.integers(1, 7),
)
def test_runs_at_most_7_days_apart_send_every_warning_once(deadline, first, gap):
    """Simulate runs every `gap` days with an outbox: each 30/14/7 warning goes out once."""
    sent: list[str] = []
    day = deadline + timedelta(days=first - 40)
    while day <= deadline:
        got = dr.latest_crossed(deadline, day, LEADS)
        if got is not None and got.threshold not in sent:
            sent.append(got.threshold)
        day += timedelta(days=gap)
    assert sent == ["30d", "14d", "7d"]


# ---------------------------------------------------------------------------- messages
def test_a_message_encodes_non_ascii_names_and_keeps_its_message_id():
    sender = parse_sender("Training Office <training@fd.example>")
    msg = build_message(
        sender=sender, to_name="Zoë Núñez-Ørsted", to_addr="zoe@fd.example",
        title="Reminder: Çalışma is due in 7 days", body="Hello Zoë Núñez-Ørsted,\n\n李小龍 🚒\n",
        message_id="<trainctl.abc@fd.example>", now=__import__("datetime").datetime(2026, 3, 1, tzinfo=__import__("datetime").UTC),
        key="program_deadline|enrollment:1/due:2026-03-08|1|7d",
    )  # fmt: skip
    raw = msg.as_bytes()
    assert raw.isascii()  # 7-bit on the wire: encoded words and quoted-printable
    assert b"=?utf-8?" in raw and b"\r\n" in raw
    back = message_from_bytes(raw, policy=default)
    assert back["To"].addresses[0].display_name == "Zoë Núñez-Ørsted"
    assert back["Subject"] == "Reminder: Çalışma is due in 7 days"
    assert back["Message-ID"] == "<trainctl.abc@fd.example>"
    assert back["Date"] == "Sun, 01 Mar 2026 00:00:00 +0000"
    assert "李小龍 🚒" in back.get_content()


def test_a_non_ascii_address_is_written_as_utf8_never_as_an_encoded_word():
    """RFC 2047 §5 forbids encoded words inside an address: a client could not reply to
    '=?utf-8?q?=C3=A9mile?=@...'. Such a message is UTF-8 (RFC 6532), address and all."""
    sender = parse_sender("Training Office <training@fd.example>")
    msg = build_message(
        sender=sender, to_name="Émile Öst", to_addr="émile@station12.example", title="Reminder",
        body="Hello Émile Öst,\n", message_id="<trainctl.abc@fd.example>",
        now=__import__("datetime").datetime(2026, 3, 1, tzinfo=__import__("datetime").UTC), key="k|1",
    )  # fmt: skip
    raw = msg.as_bytes()
    assert "To: Émile Öst <émile@station12.example>".encode() in raw, raw
    back = __import__("email").message_from_string(raw.decode("utf-8"), policy=default)
    assert back["To"].addresses[0].addr_spec == "émile@station12.example"


@pytest.mark.parametrize(("email", "wire"), [
    ("bob@bücher.example", "bob@xn--bcher-kva.example"),
    ("bob@BÜCHER.example", "bob@xn--bcher-kva.example"),  # IDNA labels are lower case
    ("bob@xn--bcher-kva.example", "bob@xn--bcher-kva.example"),
    ("bob@faß.de", "bob@xn--fa-hia.de"),  # IDNA 2008: not fass.de, another domain
    ("bob@例え。テスト", "bob@xn--r8jz45g.xn--zckzah"),  # an ideographic full stop
    ("émile@station12.example", "émile@station12.example"),  # the local part is kept
    ("ann@fd.example", "ann@fd.example"),
])  # fmt: skip
def test_a_domain_goes_on_the_wire_in_its_idna_form(email, wire):
    assert wire_address(email) == wire


def test_a_message_to_a_non_ascii_domain_is_plain_ascii():
    msg = build_message(
        sender=parse_sender("Training <training@wache-süd.example>"), to_name="Bob Bücher",
        to_addr="bob@bücher.example", title="Reminder", body="Hello Bob,\n",
        message_id="<trainctl.abc@xn--wache-sd-d6a.example>",
        now=__import__("datetime").datetime(2026, 3, 1, tzinfo=__import__("datetime").UTC), key="k|1",
    )  # fmt: skip
    raw = msg.as_bytes()
    assert raw.isascii() and b"<bob@xn--bcher-kva.example>" in raw
    assert b"<training@xn--wache-sd-d6a.example>" in raw


@pytest.mark.parametrize("bad", ["", "nobody", "a@b, c@d", "two words@x"])
def test_a_sender_is_one_address(bad):
    with pytest.raises(BadInputError):
        parse_sender(bad)


def test_words():
    assert dr.when_text(D, days(-14)) == "in 14 days"
    assert dr.when_text(D, D) == "today" and dr.when_text(D, days(-1)) == "tomorrow"
    assert dr.when_text(D, days(3)) == "3 days ago"
    assert dr.day_text(date(2028, 2, 29)) == "Tuesday 29 February 2028"
    assert dr.threshold_text("0d") == "on-the-day notice"
    assert dr.threshold_text("14d") == "14-day warning"


def test_a_digest_line_names_the_enrollment_and_what_is_late():
    """The digest's 'what to do next' is `trainctl enroll show ENROLLMENT`: each line gives
    that number, and the requirement overdue longest by name (it said '1 requirement
    overdue' and left the officer to look both up)."""
    one = dr.Behind("Ann Lee", "ann@fd.org", "Academy", 40.0, requirements_overdue=1,
                   earliest_overdue=date(2028, 2, 29), enrollment_id=12, first_overdue="Live fire")  # fmt: skip
    assert one.line() == "Ann Lee <ann@fd.org> - Academy (enrollment 12): 40%; Live fire overdue (due 2028-02-29)"
    three = dr.Behind("Ann Lee", "ann@fd.org", "Academy", 40.0, requirements_overdue=3,
                     earliest_overdue=date(2026, 12, 31), enrollment_id=12, first_overdue="Live fire")  # fmt: skip
    assert three.line().endswith("3 requirements overdue, the first Live fire (due 2026-12-31)")


def test_a_milestone_at_100_percent_does_not_say_keep_going():
    _, done = dr.milestone_text("Ann", "Ready to submit", "EMT Recert", 100, 100, None)
    assert "keep going" not in done and "nothing is left to train" in done
    _, half = dr.milestone_text("Ann", "Halfway", "EMT Recert", 50, 55, None)
    assert "keep going" in half


def test_a_compliance_reminder_names_its_window_and_what_to_do_for_its_type():
    """A program's deadline and the standing requirement's window are two dates: the
    window says which one this is. A checklist is signed off by an officer, not recorded."""
    title, body = dr.compliance_text("Sam", "NFPA 1582", "due_soon", "0 of 5 items (0%)",
                                     date(2026, 12, 31), "calendar year 2026", date(2026, 12, 2),
                                     kind="checklist")  # fmt: skip
    assert title == "Reminder: NFPA 1582 is due 2026-12-31 (calendar year 2026)"
    assert "check off the items" in body and "record the training" not in body
    _, hours = dr.compliance_text("Sam", "Hazmat", "due_soon", "1 of 6 h (17%)",
                                  date(2026, 12, 31), "calendar year 2026", date(2026, 12, 2))  # fmt: skip
    assert "record the training that is still missing" in hours


def test_the_verification_step_does_not_speak_of_a_deadline_already_passed():
    assert dr.verify_step(late=False).endswith("before the deadline.")
    assert dr.verify_step(late=True).endswith("as soon as you can.")
