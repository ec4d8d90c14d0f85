"""Compliance reminders (issues 9 and 10): recurring requirements turning due soon or
overdue, from the compliance evaluator, mailed once per (requirement, member, window,
threshold) through a real SMTP server (aiosmtpd on 127.0.0.1); never once met.
"""

from __future__ import annotations

import pytest
from reminder_helpers import Server, configure

from trainctl.domain import reminders as dr


@pytest.fixture
def server():
    s = Server().start()
    yield s
    s.stop()


@pytest.fixture
def dept(cli, server):
    cli("member", "add", "Zoë Núñez", "--email", "zoe@fd.example", "--hire-date", "2015-01-10")
    cli("member", "add", "Bo Berg", "--email", "bo@fd.example", "--hire-date", "2015-01-10")
    cli("member", "add", "Cy Cole", "--email", "cy@fd.example", "--position", "driver",
        "--hire-date", "2015-01-10")  # fmt: skip
    # in force from 2024 on (entered without --as-of, it was entered on the real day, and
    # a report of a later day owed only the months after it)
    cli("--as-of", "2024-01-01", "requirement", "add", "--name", "Hazmat refresher", "--type", "hours",
        "--counts-type", "drill", "--hours", "6", "--frequency", "annual")  # fmt: skip
    # not recurring: a one-time requirement is a program's business, not a compliance reminder
    cli("requirement", "add", "--name", "Orientation", "--type", "hours", "--counts-type", "drill", "--hours", "2")
    configure(cli, server.port)
    return cli


def record(cli, member: str, day: str, hours: float) -> None:
    cli("--as-of", "2030-01-01", "record", "add", member, "--course", "Hazmat", "--date", day,
        "--hours", str(hours), "--type", "drill")  # fmt: skip


def preview(cli, as_of: str) -> list[tuple[str, str, str]]:
    rows = cli("--format", "json", "reminders", "preview", "--as-of", as_of).json
    return sorted((d["email"], d["kind"], d["threshold"]) for d in rows if d["kind"] == "compliance")


def sent(server) -> list[tuple[str, str]]:
    return sorted(
        (m["To"].addresses[0].addr_spec, " ".join(str(m["X-Trainctl-Reminder"]).split()))
        for m in server.handler.messages
    )


def test_due_soon_then_overdue_each_once_and_never_once_met(dept, server, db):
    record(dept, "zoe@fd.example", "2024-05-01", 6)  # 2024 met
    record(dept, "bo@fd.example", "2024-05-01", 6)
    record(dept, "cy@fd.example", "2024-05-01", 6)
    record(dept, "cy@fd.example", "2025-03-01", 6)  # Cy is met for 2025
    # 10 December 2025: 21 days left in the window; Zoë and Bo are short
    assert preview(dept, "2025-12-10") == [
        ("bo@fd.example", "compliance", "due_soon"),
        ("zoe@fd.example", "compliance", "due_soon"),
    ]
    dept("reminders", "send", "--as-of", "2025-12-10")
    first = sent(server)
    assert [k.split("|")[1] for _, k in first] == [
        "requirement:1/window:2025-01-01..2025-12-31"
    ] * 2
    zoe = next(m for m in server.handler.messages if m["To"].addresses[0].addr_spec == "zoe@fd.example")
    assert zoe["Subject"] == "Reminder: Hazmat refresher is due 2025-12-31 (calendar year 2025)"
    body = zoe.get_content()
    assert "Hello Zoë Núñez," in body and "Wednesday 31 December 2025" in body
    assert "Progress: 0 of 6 h (0%)." in body and "What to do next:" in body
    # a week later: the same window's warning is not sent again; Bo catches up meanwhile
    record(dept, "bo@fd.example", "2025-12-12", 6)
    dept("reminders", "send", "--as-of", "2025-12-17")
    assert sent(server) == first
    # 2026: the 2025 window closed short for Zoë: overdue, once; Bo and Cy are fine
    assert preview(dept, "2026-01-05") == [("zoe@fd.example", "compliance", "overdue")]
    dept("reminders", "send", "--as-of", "2026-01-05")
    dept("reminders", "send", "--as-of", "2026-02-05")
    late = [k for _, k in sent(server) if k not in dict(first).values()]
    assert late == ["compliance|requirement:1/window:2026-01-01..2026-12-31|1|overdue"]
    # once she is met again, nothing more (not even the due-soon warning at the year's
    # end, which Bo and Cy, with nothing in 2026, do get)
    record(dept, "zoe@fd.example", "2026-03-01", 6)
    assert preview(dept, "2026-12-10") == [
        ("bo@fd.example", "compliance", "due_soon"),
        ("cy@fd.example", "compliance", "due_soon"),
    ]
    kinds = db.rows("SELECT kind, status, COUNT(*) FROM reminder_log GROUP BY kind, status")
    assert ("compliance", "sent", 3) in kinds


def test_a_skipped_run_catches_up_once(dept, server):
    # No run in December: the first run of the new year sends the overdue follow-up alone
    dept("reminders", "send", "--as-of", "2026-01-20")
    keys = [k for _, k in sent(server)]
    assert sorted(k.split("|")[3] for k in keys if k.startswith("compliance")) == ["overdue"] * 3
    dept("reminders", "send", "--as-of", "2026-01-27")
    assert [k for _, k in sent(server)] == keys


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
@pytest.mark.parametrize("as_of", ["0001-01-01", "2024-02-29", "9999-12-31"])
def test_absurd_dates_never_crash(dept, monkeypatch, as_of, zone):
    monkeypatch.setenv("TRAINCTL_TIMEZONE", zone)
    for freq in ("monthly", "quarterly", "biennial"):
        dept("requirement", "add", "--name", f"Drill {freq}", "--type", "hours", "--counts-type", "drill", "--hours", "2",
             "--frequency", freq)  # fmt: skip
    dept("requirement", "add", "--name", "Rolling", "--type", "hours", "--counts-type", "drill", "--hours", "2",
         "--frequency", "rolling", "--period-months", "12")  # fmt: skip
    record(dept, "zoe@fd.example", "2024-02-29", 1)
    dept("--format", "json", "reminders", "preview", "--as-of", as_of)


@pytest.mark.parametrize(
    ("frequency", "status", "window", "due", "today", "item", "threshold", "on"),
    [
        ("annual", "due_soon", ("2025-01-01", "2025-12-31"), "2025-12-31", "2025-12-10",
         "requirement:4/window:2025-01-01..2025-12-31", "due_soon", "2025-12-01"),
        ("annual", "overdue", ("2026-01-01", "2026-12-31"), "2026-12-31", "2026-03-01",
         "requirement:4/window:2026-01-01..2026-12-31", "overdue", "2026-01-01"),
        ("monthly", "due_soon", ("2024-02-01", "2024-02-29"), "2024-02-29", "2024-02-29",
         "requirement:4/window:2024-02-01..2024-02-29", "due_soon", "2024-02-01"),
        ("rolling", "overdue", (None, None), None, "2026-03-15",
         "requirement:4/rolling:2026-03-15", "overdue", "2026-03-15"),
        ("rolling", "due_soon", ("2025-06-01", "2026-03-15"), "2026-04-01", "2026-03-15",
         "requirement:4/due:2026-04-01", "due_soon", "2026-03-02"),
        ("annual", "met", ("2025-01-01", "2025-12-31"), "2025-12-31", "2025-12-10", None, None, None),
        ("annual", "not_yet_due", ("2025-01-01", "2025-12-31"), "2025-12-31", "2025-06-10", None, None, None),
    ],
)  # fmt: skip
def test_compliance_keys(frequency, status, window, due, today, item, threshold, on):
    d = lambda s: None if s is None else dr.date.fromisoformat(s)  # noqa: E731
    got = dr.compliance_due(
        4, frequency, status, window=(d(window[0]), d(window[1])), due=d(due), today=d(today),
        due_soon_days=30,
    )  # fmt: skip
    if item is None:
        assert got is None
    else:
        assert got == dr.ComplianceDue(item, threshold, d(on))


@pytest.mark.parametrize(
    ("followed_up", "today", "day"),
    [
        ((), "2026-11-30", "2026-11-30"),  # the first follow-up
        (("2026-11-30",), "2026-11-30", "2026-11-30"),  # the same run again: the same key
        (("2026-11-30",), "2026-12-01", "2026-11-30"),  # the next day: no new one (was: December's)
        (("2026-11-30",), "2026-12-29", "2026-11-30"),
        (("2026-11-30",), "2026-12-30", "2026-12-30"),  # a month after: the next
        (("2026-10-30", "2026-11-30"), "2026-12-15", "2026-11-30"),  # the latest stands
        (("2026-01-31",), "2026-02-27", "2026-01-31"),  # 31 January + 1 month = 28 February
        (("2026-01-31",), "2026-02-28", "2026-02-28"),
        (("2024-01-31",), "2024-02-29", "2024-02-29"),  # a leap year
        (("2026-12-15",), "2027-01-14", "2026-12-15"),  # over the year's end
        (("2026-12-15",), "2027-01-15", "2027-01-15"),
        (("2026-12-15",), "2026-12-01", "2026-12-15"),  # a replay of an earlier day: that one's key
        (("2026-12-15",), "2026-11-15", "2026-11-15"),  # a month before it: its own
    ],
)  # fmt: skip
def test_a_rolling_requirement_that_stays_short_is_followed_up_a_month_after_the_last(
    followed_up, today, day
):
    d = dr.date.fromisoformat
    for status in ("overdue", "due_soon"):
        got = dr.compliance_due(
            4, "rolling", status, window=(None, None), due=None, today=d(today), due_soon_days=30,
            followed_up=[(d(f), f"requirement:4/rolling:{f}") for f in followed_up],
        )  # fmt: skip
        assert got == dr.ComplianceDue(f"requirement:4/rolling:{day}", status, min(d(day), d(today)))


def test_a_follow_up_keyed_by_its_month_before_the_upgrade_stands_for_its_month():
    """A database written when follow-ups were keyed by the calendar month: the one sent on
    3 November ("rolling:2026-11") stands until 3 December; no second one in November."""
    d = dr.date.fromisoformat
    old = [(d("2026-11-03"), "requirement:4/rolling:2026-11")]
    for today, item in (("2026-11-20", "requirement:4/rolling:2026-11"),
                        ("2026-12-02", "requirement:4/rolling:2026-11"),
                        ("2026-12-03", "requirement:4/rolling:2026-12-03")):  # fmt: skip
        got = dr.compliance_due(4, "rolling", "overdue", window=(None, None), due=None,
                                today=d(today), due_soon_days=30, followed_up=old)  # fmt: skip
        assert got is not None and got.item == item, (today, got)


def test_rolling_follow_ups_a_month_apart_across_a_month_end(dept, server):
    """Short on a rolling 12 months: followed up on 30 November, not again on 1 December
    (a calendar month's key sent both), next on 30 December; met, nothing."""
    dept("requirement", "add", "--name", "Rolling drill", "--type", "hours", "--counts-type", "pump",
         "--hours", "4", "--frequency", "rolling", "--period-months", "12")  # fmt: skip
    for who in ("bo@fd.example", "cy@fd.example"):  # the calendar requirement aside
        for day in ("2026-06-01", "2027-06-01"):
            record(dept, who, day, 6)
    dept("--as-of", "2030-01-01", "record", "add", "bo@fd.example", "--course", "Pump", "--date",
         "2026-06-01", "--hours", "4", "--type", "pump")  # fmt: skip
    record(dept, "zoe@fd.example", "2026-06-01", 6)

    def rolling_keys() -> list[str]:
        return [k for _, k in sent(server) if "/rolling:" in k]

    for day in ("2026-11-30", "2026-12-01", "2026-12-15", "2026-12-29"):
        dept("reminders", "send", "--as-of", day)
    assert sorted(rolling_keys()) == [
        "compliance|requirement:3/rolling:2026-11-30|1|overdue",
        "compliance|requirement:3/rolling:2026-11-30|3|overdue",
    ], sent(server)
    dept("reminders", "send", "--as-of", "2026-12-30")
    assert sorted(rolling_keys()) == sorted([
        "compliance|requirement:3/rolling:2026-11-30|1|overdue",
        "compliance|requirement:3/rolling:2026-11-30|3|overdue",
        "compliance|requirement:3/rolling:2026-12-30|1|overdue",
        "compliance|requirement:3/rolling:2026-12-30|3|overdue",
    ]), sent(server)  # fmt: skip


def test_a_database_with_month_keyed_follow_ups_sends_no_second_one_that_month(dept, server, db):
    """Follow-ups written before they were dated ("rolling:2026-11", sent 3 November)
    stand for a month from their day after the upgrade: none on 20 November, the next
    on 3 December."""
    dept("requirement", "add", "--name", "Rolling drill", "--type", "hours", "--counts-type", "pump",
         "--hours", "4", "--frequency", "rolling", "--period-months", "12")  # fmt: skip
    for who in ("zoe@fd.example", "bo@fd.example", "cy@fd.example"):
        record(dept, who, "2026-06-01", 6)  # the calendar requirement aside
    dept("reminders", "send", "--as-of", "2026-11-03")
    db.rows("UPDATE reminder_log SET item = 'requirement:3/rolling:2026-11' "
            "WHERE item LIKE '%/rolling:2026-11-03'")  # as the earlier version wrote it
    sent_before = len(server.handler.messages)
    dept("reminders", "send", "--as-of", "2026-11-20")
    dept("reminders", "send", "--as-of", "2026-12-02")
    assert len(server.handler.messages) == sent_before
    dept("reminders", "send", "--as-of", "2026-12-03")
    new = [k for _, k in sent(server) if "rolling:2026-12-03" in k]
    assert len(new) == 3, sent(server)



# A window that closed before the requirement was entered calls for no overdue mail: the
# evaluator's rule (tests/test_compliance.py
# test_a_window_that_closed_before_the_requirement_was_entered_is_held_by_nobody), sent as
# it decides (below, end to end).


def test_a_requirement_added_today_tells_nobody_they_failed_last_year(cli, server):
    """Run on the real day (no replay): everyone is short of last year's window of a
    requirement entered today; no overdue mail goes out about it. This year's window is
    owed from the next month's first day (*Part of a window*): the whole of it on 1
    January, none of it in December after the 1st."""
    from datetime import date

    cli("member", "add", "Bo Berg", "--email", "bo@fd.example", "--hire-date", "2015-01-10")
    cli("requirement", "add", "--name", "Hazmat refresher", "--type", "hours", "--counts-type",
        "drill", "--hours", "6", "--frequency", "annual")  # fmt: skip
    today = date.today()  # the requirement's entry day (the department's: UTC) is today's
    cell = cli("report", "compliance", "--as-of", today.isoformat(), "--format", "json").json["cells"][0]
    # last year closed short before the requirement existed: the matrix holds it against
    # nobody either (it said overdue while the mail said nothing)
    # owed in December only when entered on its first day (then the month is owed)
    soon = (date(today.year, 12, 31) - today).days <= 30 and today.day == 1
    assert cell["status"] == ("due_soon" if soon else "not_yet_due"), cell
    got = preview(cli, today.isoformat())
    assert [c for c in got if c[2] == "overdue"] == []
    # this year's window is what Bo owes: warned of like anyone's once it ends within 30 days
    assert got == ([("bo@fd.example", "compliance", "due_soon")] if soon else []), got


def test_an_overdue_reminder_names_the_window_that_closed_short(dept, server):
    """Overdue means the previous window closed short: the preview and the mail say so
    (the evaluator's reason), rather than 'behind on' a window that has just begun."""
    record(dept, "zoe@fd.example", "2025-03-01", 2)
    for who in ("bo@fd.example", "cy@fd.example"):
        record(dept, who, "2025-03-01", 6)
        record(dept, who, "2026-01-02", 6)
    why = dept("--format", "json", "reminders", "preview", "--as-of", "2026-01-05").json[0]["why"]
    assert why == (
        "the previous window (2025-01-01 – 2025-12-31) closed at 2 of 6 h, and this one is "
        "not met yet: 0 of 6 h (overdue follow-up)"
    )
    dept("reminders", "send", "--as-of", "2026-01-05")
    (zoe,) = server.handler.messages
    body = zoe.get_content()
    assert zoe["Subject"] == "Overdue: Hazmat refresher"
    assert 'You are behind on "Hazmat refresher": the previous window (2025-01-01 – 2025-12-31) ' \
           "closed at 2 of 6 h" in " ".join(body.split())  # fmt: skip
    assert "This window (calendar year 2026) ends on Thursday 31 December 2026" in body


def test_a_due_soon_warning_says_why_even_when_the_cell_is_overdue_on_an_older_window(cli):
    """A monthly requirement entered on a month's first day: last month closed short
    before it existed, so it is held against nobody (the cell is due soon, in the report
    as in the mail: it had been overdue in the report alone), and this month is warned
    of as due soon. The preview's why gives this month's figure and due date, not a bare
    threshold. (Entered later in a month, it is owed from the next one.)"""
    from datetime import date

    today = date.today().replace(day=1)
    cli("member", "add", "Bo Berg", "--email", "bo@fd.example", "--hire-date", "2015-01-10")
    cli("--as-of", today.isoformat(), "requirement", "add", "--name", "Company drill", "--type",
        "hours", "--counts-type", "drill", "--hours", "16", "--frequency", "monthly")  # fmt: skip
    (row,) = cli("--format", "json", "reminders", "preview", "--as-of", today.isoformat()).json
    assert row["threshold"] == "due_soon"
    assert row["why"].startswith("not met: 0 of 16 h; the window ends ") and row["why"].endswith("(due-soon warning)")
    (only,) = cli("report", "compliance", "--as-of", today.isoformat(), "-f", "json").json["cells"]
    assert only["status"] == "due_soon", only


def test_a_part_year_member_is_mailed_their_share_and_one_who_owes_nothing_is_not(dept, server):
    """Hired on 15 September 2025: the letter names the share (1.5 of Hazmat's 6 h for 3
    of 12 months). Hired on 15 December: no month of the year, nor December's drill, is
    owed: no letter at all."""
    dept("--as-of", "2025-01-01", "requirement", "add", "--name", "Monthly drill", "--type",
         "hours", "--counts-type", "drill", "--hours", "2", "--frequency", "monthly")  # fmt: skip
    dept("member", "add", "Sep Hire", "--email", "sep@fd.example", "--hire-date", "2025-09-15")
    dept("member", "add", "Dec Hire", "--email", "dec@fd.example", "--hire-date", "2025-12-15")
    assert not [r for r in preview(dept, "2025-12-20") if r[0] == "dec@fd.example"]
    dept("reminders", "send", "--as-of", "2025-12-20")
    to_sep = [m for m in server.handler.messages if m["To"].addresses[0].addr_spec == "sep@fd.example"]
    hazmat = next(m for m in to_sep if "Hazmat" in str(m["Subject"]))
    body = " ".join(hazmat.get_content().split())
    assert "0 of 1.5 h (0%), the share of 6 h for the 3 of 12 months you owe" in body, body
    assert not any(m["To"].addresses[0].addr_spec == "dec@fd.example" for m in server.handler.messages)


def test_a_checklist_reminder_names_the_sign_off_that_counts(cli):
    """Review: a member short on a checklist was told an officer "signs them off on a
    program enrollment that includes this requirement": a member in no program read that
    nothing could be done. `checklist check` counts in compliance and in programs alike;
    the letter names it."""
    cli("member", "add", "Bo Berg", "--email", "bo@fd.example", "--hire-date", "2015-01-10")
    cli("--as-of", "2024-01-01", "requirement", "add", "--name", "Annual physical", "--type",
        "checklist", "--item", "Medical evaluation", "--frequency", "annual")  # fmt: skip
    text = " ".join(cli("reminders", "send", "--as-of", "2026-12-10", "--transport", "stdout").stdout.split())
    assert "Annual physical" in text, text
    assert "`trainctl checklist check`: it counts here and in your programs" in text, text
    assert "program enrollment that includes" not in text
