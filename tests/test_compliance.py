"""The compliance evaluator (domain/compliance.py): applicability, windows, what counted
and why not, the figure through the progress arithmetic, the status, and the explain text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainctl.domain import compliance as c
from trainctl.domain import periods as pd
from trainctl.domain import progress as dp
from trainctl.domain.periods import MonthDay

D = date.fromisoformat
F = c.Fact
ROOT = Path(__file__).parents[1] / "registries"


def registry_spec(file: str, code: str, **kw) -> c.RequirementSpec:
    """A RequirementSpec built the way the services will: from a Requirement-like row."""
    doc = json.loads((ROOT / file).read_text())
    raw = next(r for r in doc["requirements"] if r["registry_code"] == code)
    row = {
        "id": 1, "registry_name": doc["registry"], "period_months": None, "time_limit_days": None,
        "period_anchor": "calendar", "required_hours": None, "required_shifts": None,
        "required_calls": None, "required_courses": [], "credential_code": None,
        "required_skills": [], "checklist_items": [], "hour_categories": [],
        "required_positions": [], "source_document": None, "counts_courses": [],
        "counts_training_types": [], "counts_categories": [], "counts_call_types": [],
        "counts_attendance": False,
    }  # fmt: skip
    row.update(
        {
            k: v
            for k, v in raw.items()
            if k in row or k in ("name", "requirement_type", "frequency", "registry_code")
        }
    )
    return c.RequirementSpec.of(SimpleNamespace(**row), **kw)


EMT = registry_spec("nremt.json", "NREMT-EMT")
EMR = registry_spec("nremt.json", "NREMT-EMR")
ACLS = registry_spec("nremt.json", "ACLS")
BLS = registry_spec("nremt.json", "CPR-BLS")
ISO_COMPANY = registry_spec("iso.json", "ISO-COMPANY")
ISO_RECRUIT = registry_spec("iso.json", "ISO-RECRUIT")
NFPA_1582 = registry_spec("nfpa.json", "NFPA 1582")
NFPA_1403 = registry_spec("nfpa.json", "NFPA 1403")


def member(*facts: c.Fact, positions=("emt",), **kw) -> c.MemberFacts:
    kw.setdefault("hire_date", D("2015-01-01"))
    return c.MemberFacts(id=7, name="Tom Kowalski", positions=tuple(positions), facts=facts, **kw)


# An hours requirement takes only what it names (domain/credit.py): the plain hours specs
# below count training type "class", which `hours` records carry unless told otherwise.
CLASS = {"counts_training_types": ("class",)}


def hours(i, day, h, category=None, **kw) -> c.Fact:
    kw.setdefault("training_type", "class")
    return F("training", i, D(day), h, category=category, **kw)


def card(i, code, issued, expires, **kw) -> c.Fact:
    return F(
        "certification",
        i,
        D(issued),
        credential_code=code,
        expires_on=D(expires) if expires else None,
        **kw,
    )


def verdicts(e: c.Evaluation) -> dict[object, tuple[bool, str]]:
    return {v.fact.id: (v.counted, v.code) for v in e.verdicts}


# --------------------------------------------------------------------------- the specs
def test_registry_rows_become_specs():
    assert (EMT.period_anchor, EMT.cycle_end, EMT.once_per_cycle) == (
        "cycle_end",
        MonthDay(3, 31),
        True,
    )
    assert EMR.cycle_end == MonthDay(9, 30)
    assert EMT.period.cycle_name == "NREMT cycle"
    nat = EMT.hour_categories[0]
    assert nat.overflow_to == ("local", "individual")  # the NCCP flow, as program progress
    assert (ISO_COMPANY.frequency, ISO_COMPANY.period_anchor, ISO_COMPANY.once_per_cycle) == (
        "monthly",
        "calendar",
        False,
    )
    assert (ISO_RECRUIT.period_months, ISO_RECRUIT.time_limit_days, ISO_RECRUIT.period_anchor) == (
        12, 365, "hire_date")  # the first year from hire (the window's end is the due date);
    # the limit gives a program row its deadline (enrollment + 365 days)
    no_local = registry_spec("nremt.json", "NREMT-EMT", local_content=False)
    assert no_local.hour_categories[1].overflow_to == ("individual",)


# ------------------------------------------------------------------------ applicability
def test_applicability_follows_positions_and_member_status():
    everyone = c.RequirementSpec("Hazmat refresher", "hours", frequency="annual", required_hours=6, **CLASS)
    assert c.evaluate(member(positions=()), everyone, D("2025-06-01")).applicable
    e = c.evaluate(member(positions=("firefighter",)), EMT, D("2025-06-01"))
    assert e.status == c.NOT_APPLICABLE
    assert e.reason == "applies to emt; the member holds firefighter"
    assert c.evaluate(member(positions=("EMT",)), EMT, D("2025-06-01")).applicable  # case
    e = c.evaluate(member(status="inactive"), everyone, D("2025-06-01"))
    assert (e.status, e.reason) == (c.NOT_APPLICABLE, "the member is inactive")
    e = c.evaluate(member(hire_date=D("2025-07-01")), everyone, D("2025-06-01"))
    assert e.status == c.NOT_YET_DUE


@pytest.mark.parametrize(
    ("entered", "as_of", "status"),
    [
        ("2026-01-20", "2026-01-20", c.NOT_YET_DUE),  # added in January: 2025 is held by nobody
        # entered on 2025's last day: owed from 2026 (it was held to the whole of 2025)
        ("2025-12-31", "2026-01-20", c.NOT_YET_DUE),
        ("2025-06-01", "2026-01-20", c.OVERDUE),  # June to December owed: 3.5 h, short
        ("2026-12-02", "2026-01-20", c.OVERDUE),  # a replay of a day before the entry
        (None, "2026-01-20", c.OVERDUE),  # the entry day unknown: held as always
        # entered in December: 2025 not held, and none of 2026's months owed (it was due
        # soon, the whole 6 h in 29 days)
        ("2026-12-02", "2026-12-02", c.NOT_YET_DUE),
        ("2026-11-20", "2026-11-20", c.NOT_YET_DUE),  # 41 days left
    ],
)  # fmt: skip
def test_a_window_that_closed_before_the_requirement_was_entered_is_held_by_nobody(
    entered, as_of, status
):
    """The one rule (`evaluate`; the reminders send what it says): nobody was asked for a
    window that closed before the requirement was written into trainctl, nor for the
    months of a window begun before it (`months_owed_in`)."""
    spec = c.RequirementSpec(
        "Hazmat refresher", "hours", frequency="annual", required_hours=6,
        entered=entered and D(entered), **CLASS,
    )  # fmt: skip
    e = c.evaluate(member(hire_date=D("2015-01-10")), spec, D(as_of))
    assert e.status == status, e.reason
    # a rolling requirement has no closed window to excuse: short is short
    rolling = replace(spec, frequency="rolling", period_months=12)
    assert c.evaluate(member(hire_date=D("2015-01-10")), rolling, D(as_of)).status == c.OVERDUE


def _stints(*rows: tuple[str, str, str]) -> tuple[c.Stint, ...]:
    return tuple(c.Stint(D(d), frozenset(p.split(",")) - {""}, st) for d, p, st in rows)


OFFICER_CE = c.RequirementSpec(
    "Officer CE", "hours", frequency="annual", required_hours=5,
    required_positions=("officer",), **CLASS,
)  # fmt: skip


@pytest.mark.parametrize(
    ("history", "as_of", "since"),
    [
        ((), "2026-03-31", None),  # no history: the hire date decides
        ((("2015-01-01", "officer", "active"),), "2026-03-31", None),  # always subject
        # promoted: from the promotion
        ((("2015-01-01", "firefighter", "active"), ("2025-09-01", "firefighter,officer", "active")),
         "2026-03-31", "2025-09-01"),
        # back from leave: from the return, not the first promotion
        ((("2015-01-01", "officer", "active"), ("2025-03-01", "officer", "inactive"),
          ("2025-10-01", "officer", "active")), "2026-03-31", "2025-10-01"),
        # a change that keeps the member subject does not restart the stretch
        ((("2015-01-01", "firefighter", "active"), ("2024-02-29", "officer", "active"),
          ("2025-12-31", "officer,driver", "active")), "2026-03-31", "2024-02-29"),
        # a change after the as-of date is not read
        ((("2015-01-01", "officer", "active"), ("2026-06-01", "officer", "inactive")),
         "2026-03-31", None),
    ],
)  # fmt: skip
def test_subject_since_is_the_start_of_the_unbroken_stretch(history, as_of, since):
    m = member(positions=("officer",), history=_stints(*history))
    assert c.subject_since(m, OFFICER_CE, D(as_of)) == (D(since) if since else None)


def test_a_window_the_member_owed_part_of_holds_them_to_that_share():
    """Promoted to officer on 1 September 2025: he owed four of 2025's twelve months of
    Officer CE (5 h a year), so 1.67 h; short of that he is overdue, at it he is not."""
    promoted = _stints(("2015-01-01", "firefighter", "active"),
                       ("2025-09-01", "firefighter,officer", "active"))  # fmt: skip
    always = _stints(("2015-01-01", "officer", "active"))
    as_of = D("2026-03-31")
    assert c.evaluate(member(positions=("officer",), history=always), OFFICER_CE, as_of).status == c.OVERDUE
    e = c.evaluate(member(positions=("officer",), history=promoted), OFFICER_CE, as_of)
    assert e.status == c.OVERDUE
    assert e.previous is not None and (e.previous.value, e.previous.target) == (0, 1.67)
    assert any("4 of the previous window's 12 months" in n and "1.67 of 5 h" in n for n in e.notes), e.notes
    m = member(hours(1, "2025-10-10", 1.67), positions=("officer",), history=promoted)
    e = c.evaluate(m, OFFICER_CE, as_of)
    assert e.status == c.NOT_YET_DUE and e.previous is not None and e.previous.met
    # 1.66 h is short of the share (rounded up to the hundredth, never down)
    m = member(hours(1, "2025-10-10", 1.66), positions=("officer",), history=promoted)
    assert c.evaluate(m, OFFICER_CE, as_of).status == c.OVERDUE
    # a year on, 2026 was all his: the whole 5 h
    e = c.evaluate(m, OFFICER_CE, D("2027-01-15"))
    assert e.status == c.OVERDUE and e.previous is not None and e.previous.target == 5


@pytest.mark.parametrize(
    ("history", "owed"),
    [
        ((("2015-01-01", "officer", "active"),), 12),
        # a day's leave on 10 May (no month begins in it): every month owed
        ((("2015-01-01", "officer", "active"), ("2025-05-10", "officer", "inactive"),
          ("2025-05-11", "officer", "active")), 12),
        # a leave across New Year: 2025 was owed whole
        ((("2015-01-01", "officer", "active"), ("2025-12-31", "officer", "inactive"),
          ("2026-01-05", "officer", "active")), 12),
        # 20 April to 10 July: May, June and July are not owed
        ((("2015-01-01", "officer", "active"), ("2025-04-20", "officer", "inactive"),
          ("2025-07-10", "officer", "active")), 9),
        # back on a month's first day: that month is owed
        ((("2015-01-01", "officer", "active"), ("2025-04-20", "officer", "inactive"),
          ("2025-07-01", "officer", "active")), 10),
        # an officer only from 2 December: no month of 2025
        ((("2015-01-01", "firefighter", "active"), ("2025-12-02", "officer", "active")), 0),
    ],
)  # fmt: skip
def test_the_months_owed_of_a_year(history, owed):
    m = member(positions=("officer",), history=_stints(*history))
    year = pd.Window(D("2025-01-01"), D("2025-12-31"))
    assert c.owed_months(m, OFFICER_CE, year, D("2026-03-31")) == (owed, 12)


@pytest.mark.parametrize(
    ("history", "spans"),
    [
        ((("2015-01-01", "officer", "active"),), ["2025-01-01 – 2025-12-31"]),
        # 20 April to 10 July: January to April, August to December (the notes name them)
        ((("2015-01-01", "officer", "active"), ("2025-04-20", "officer", "inactive"),
          ("2025-07-10", "officer", "active")), ["2025-01-01 – 2025-04-30", "2025-08-01 – 2025-12-31"]),
        # on leave from before the year until 1 September, then off again from 15 November
        ((("2015-01-01", "officer", "inactive"), ("2025-09-01", "officer", "active"),
          ("2025-11-15", "officer", "inactive")), ["2025-09-01 – 2025-11-30"]),
        ((("2015-01-01", "firefighter", "active"), ("2025-12-02", "officer", "active")), []),
    ],
)  # fmt: skip
def test_the_months_owed_of_a_year_as_spans_of_days(history, spans):
    m = member(positions=("officer",), history=_stints(*history))
    year = pd.Window(D("2025-01-01"), D("2025-12-31"))
    months = c.months_owed_in(m, OFFICER_CE, year, D("2026-03-31"))
    assert [str(w) for w in c.owed_spans(months, year)] == spans


@pytest.mark.parametrize(
    ("year", "hired", "owed"),
    [(2025, "2025-01-01", 12), (2025, "2025-01-02", 11), (2024, "2024-02-29", 10),
     (2024, "2024-03-01", 10), (2025, "2025-09-15", 3), (2025, "2025-12-01", 1),
     (2025, "2025-12-02", 0), (2025, "2025-12-31", 0), (2025, "2010-06-30", 12)],
)  # fmt: skip
def test_a_hire_owes_the_months_that_begin_on_or_after_it(year, hired, owed):
    m = member(hire_date=D(hired))
    spec = c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=6, **CLASS)
    window = pd.Window(date(year, 1, 1), date(year, 12, 31))
    assert c.owed_months(m, spec, window, date(year + 1, 1, 2)) == (owed, 12)


@pytest.mark.parametrize(("start", "end", "frequency", "n"), [
    ("2027-02-28", "2028-02-28", "annual", 12),  # a 29 February anniversary: a day longer
    ("2025-02-28", "2026-02-27", "annual", 12),
    ("2026-02-28", "2028-02-28", "biennial", 24),
    ("2025-01-01", "2025-12-31", "annual", 12),
])  # fmt: skip
def test_a_window_has_the_months_of_its_period_even_a_day_longer(start, end, frequency, n):
    spec = c.RequirementSpec("X", "hours", frequency=frequency, period_anchor="hire_date",
                             required_hours=6, **CLASS)  # fmt: skip
    firsts = c.month_starts(spec, pd.Window(D(start), D(end)))
    assert len(firsts) == n and firsts[0] == D(start) and firsts[-1] < D(end)


def test_a_29_february_anniversary_counts_its_months_from_the_29th():
    spec = c.RequirementSpec("X", "hours", frequency="annual", period_anchor="hire_date",
                             required_hours=6, **CLASS)  # fmt: skip
    firsts = c.month_starts(spec, pd.Window(D("2025-02-28"), D("2026-02-27")), D("2024-02-29"))
    assert firsts[:3] == [D("2025-02-28"), D("2025-03-29"), D("2025-04-29")] and len(firsts) == 12
    # back from leave on 29 March: March is owed (the month began that day)
    m = member(hire_date=D("2024-02-29"), history=_stints(
        ("2024-02-29", "firefighter", "active"), ("2025-03-10", "firefighter", "inactive"),
        ("2025-03-29", "firefighter", "active")))  # fmt: skip
    assert c.owed_months(m, spec, pd.Window(D("2025-02-28"), D("2026-02-27")), D("2025-06-01")) == (12, 12)


def test_a_share_rounds_up_hours_to_the_hundredth_and_counts_to_the_whole():
    spec = c.RequirementSpec("X", "hours", frequency="annual", required_hours=5, **CLASS)
    assert c.prorated(spec, 4, 12).required_hours == 1.67
    assert c.prorated(spec, 6, 12).required_hours == 2.5
    calls = c.RequirementSpec("Calls", "calls", frequency="annual", required_calls=12)
    assert c.prorated(calls, 5, 12).required_calls == 5
    assert c.prorated(calls, 1, 24).required_calls == 1  # never a target of none
    shifts = c.RequirementSpec("Shifts", "shifts", frequency="annual", required_shifts=24)
    assert c.prorated(shifts, 3, 12).required_shifts == 6
    assert c.prorated(shifts, 7, 12).required_shifts == 14


def test_the_current_window_is_prorated_too_and_none_owed_is_not_yet_due():
    spec = c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=6, **CLASS)
    # hired 15 September: October to December owed, 1.5 h; due soon in December
    m = member(hire_date=D("2025-09-15"))
    e = c.evaluate(m, spec, D("2025-12-05"))
    assert (e.status, e.target) == (c.DUE_SOON, 1.5)
    assert "0 of 1.5 h (3 of 12 months owed)" in e.reason
    m = member(hours(1, "2025-10-01", 1.5), hire_date=D("2025-09-15"))
    assert c.evaluate(m, spec, D("2025-12-05")).status == c.MET
    # hired 2 December: no month of 2025 owed; not due soon, and not overdue in January
    m = member(hire_date=D("2025-12-02"))
    e = c.evaluate(m, spec, D("2025-12-20"))
    assert e.status == c.NOT_YET_DUE and "the next window, from 2026-01-01" in e.reason
    assert c.evaluate(m, spec, D("2026-01-20")).status == c.NOT_YET_DUE


# A window owed in nothing is not yet due whatever was done in it: the full year's hours of
# a December hire are on file, not owed (the matrix, explain and the summary's counts agree)
@pytest.mark.parametrize("done", [0, 3, 6, 8])
@pytest.mark.parametrize("detail", [True, False])
def test_a_window_owed_in_nothing_is_not_yet_due_whatever_was_done(done, detail):
    spec = c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=6, **CLASS)
    m = member(hours(1, "2025-12-15", done), hire_date=D("2025-12-09"))
    e = c.evaluate(m, spec, D("2025-12-31"), detail=detail)
    assert (e.status, e.months_owed, e.value) == (c.NOT_YET_DUE, (0, 12), done)
    assert e.reason.startswith("not owed: hired on 2025-12-09") and e.good_through is None
    assert e.owes_nothing


# ... unless the previous window closed short: back from a year's leave on 16 December 2025
# with 2024 unmet, the member is held to 2025 (overdue), and its full hours meet it
@pytest.mark.parametrize(("done", "status"), [(0, c.OVERDUE), (3, c.OVERDUE), (6, c.MET)])
@pytest.mark.parametrize("detail", [True, False])
def test_a_window_owed_in_nothing_after_a_short_one_is_held(done, status, detail):
    spec = c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=6, **CLASS)
    history = _stints(("2015-01-01", "emt", "active"), ("2024-12-31", "emt", "on_leave"),
                      ("2025-12-16", "emt", "active"))  # fmt: skip
    m = member(hours(1, "2025-12-20", done), history=history)
    e = c.evaluate(m, spec, D("2025-12-31"), detail=detail)
    assert (e.status, e.months_owed) == (status, (0, 12))
    assert not e.owes_nothing  # counted in the summary, met or behind


# A list cannot be shared out: it is owed whole when more than half of the window's months
# are owed (three weeks' leave in February does not excuse the year's CPR), else not at all
@pytest.mark.parametrize(("hired", "owed", "december", "january"), [
    ("2025-03-01", 10, c.DUE_SOON, c.OVERDUE),
    ("2025-06-01", 7, c.DUE_SOON, c.OVERDUE),
    ("2025-06-02", 6, c.NOT_YET_DUE, c.NOT_YET_DUE),  # half: not more than half
    ("2025-07-02", 5, c.NOT_YET_DUE, c.NOT_YET_DUE),
])  # fmt: skip
def test_a_list_is_owed_whole_when_more_than_half_its_months_are(hired, owed, december, january):
    courses = c.RequirementSpec("Core", "courses", frequency="annual", required_courses=("FF1",))
    m = member(hire_date=D(hired))
    e = c.evaluate(m, courses, D("2025-12-20"))
    assert (e.status, e.target, e.months_owed) == (december, 1, (owed, 12))
    assert e.owes_nothing is (december == c.NOT_YET_DUE)
    if december == c.NOT_YET_DUE:
        assert e.reason == (
            f"not owed: hired on {hired}, so {owed} of this window's 12 months are owed, and it "
            "cannot be shared out: it is owed whole when more than half of its months are; the "
            "next window, from 2026-01-01, is owed"
        )
    else:
        assert "(11 days left)" in e.reason and "months owed" not in e.reason
    later = c.evaluate(m, courses, D("2026-01-20"))
    assert later.status == january and not later.owes_nothing


# ------------------------------------------------------------------------------ windows
@pytest.mark.parametrize(("as_of", "words"), [
    ("2025-12-31", "the window ends 2025-12-31 (today)"),
    ("2025-12-30", "the window ends 2025-12-31 (1 day left)"),
    ("2025-12-20", "the window ends 2025-12-31 (11 days left)"),
])  # fmt: skip
def test_the_last_day_of_a_window_reads_today(as_of, words):
    spec = c.RequirementSpec("Hours", "hours", frequency="annual", required_hours=6, **CLASS)
    assert words in c.evaluate(member(hire_date=D("2025-01-01")), spec, D(as_of)).reason


def test_a_biennial_requirement_counts_only_records_inside_the_window():
    spec = c.RequirementSpec("Driver refresher", "hours", frequency="biannual", required_hours=8, **CLASS)
    m = member(hours(1, "2023-12-31", 8), hours(2, "2024-01-01", 3), hours(3, "2025-12-31", 2),
               hours(4, "2026-01-01", 8))  # fmt: skip
    e = c.evaluate(m, spec, D("2025-12-31"))
    assert e.window == c.pd.Window(D("2024-01-01"), D("2025-12-31"))
    assert verdicts(e) == {1: (False, c.OUTSIDE_WINDOW), 2: (True, c.COUNTED), 3: (True, c.COUNTED),
                           4: (False, c.AFTER_AS_OF)}  # fmt: skip
    assert (e.value, e.percentage) == (5, 62.5)


def test_a_record_dated_after_the_as_of_date_never_counts_and_the_past_is_answered_as_then():
    spec = c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=6, **CLASS)
    m = member(hours(1, "2025-03-01", 4), hours(2, "2025-09-01", 4), hire_date=D("2025-01-01"))
    then = c.evaluate(m, spec, D("2025-06-30"))
    assert (then.value, then.status) == (4, c.NOT_YET_DUE)
    assert verdicts(then)[2] == (False, c.AFTER_AS_OF)
    assert c.evaluate(m, spec, D("2025-12-31")).status == c.MET


# ------------------------------------------------------------------------ certifications
def test_a_card_is_valid_through_its_expiry_day():
    m = member(card(1, "CPR-BLS", "2023-06-30", "2025-06-30"))
    on = c.evaluate(m, BLS, D("2025-06-30"))
    assert (on.status, on.good_through, on.percentage) == (c.MET, D("2025-06-30"), 100)
    after = c.evaluate(m, BLS, D("2025-07-01"))
    assert (after.status, after.reason) == (c.EXPIRED, "CPR-BLS expired: last valid day 2025-06-30")
    assert verdicts(after)[1] == (False, c.EXPIRED_RECORD)


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_the_latest_expiry_decides_whatever_the_entry_order(order):
    cards = {1: card(1, "CPR-BLS", "2024-05-01", "2026-05-31"),
             2: card(2, "CPR-BLS", "2022-05-01", "2024-05-31")}  # fmt: skip
    e = c.evaluate(member(*(cards[i] for i in order)), BLS, D("2025-01-10"))
    assert e.status == c.MET
    assert verdicts(e) == {1: (True, c.COUNTED), 2: (False, c.SUPERSEDED)}


@pytest.mark.parametrize("order", [(9, 10), (10, 9)])
def test_two_cards_alike_the_later_entry_decides_card_10_after_9(order):
    """Two cards of one day and one expiry: the tie goes to the later entry by number
    (card 10 after card 9, as the ledger orders), not by text ('9' > '10')."""
    cards = {i: card(i, "CPR-BLS", "2024-05-01", "2026-05-31") for i in (9, 10)}
    e = c.evaluate(member(*(cards[i] for i in order)), BLS, D("2025-01-10"))
    assert e.status == c.MET
    assert verdicts(e) == {10: (True, c.COUNTED), 9: (False, c.SUPERSEDED)}
    assert [v.fact.id for v in e.verdicts] == [9, 10]  # and listed so (requirement explain)


def test_bls_never_satisfies_acls():
    m = member(card(1, "CPR-BLS", "2024-05-01", "2026-05-31"), positions=("paramedic",))
    e = c.evaluate(m, ACLS, D("2025-01-10"))
    assert e.status == c.OVERDUE  # no ACLS card, and it applies now
    assert e.verdicts[0].code == c.WRONG_CREDENTIAL
    assert e.verdicts[0].reason == "CPR-BLS is not ACLS (codes must match exactly)"


def test_cards_issued_later_revoked_or_failed_do_not_count():
    m = member(card(1, "CPR-BLS", "2025-02-01", "2027-02-28"),
               card(2, "CPR-BLS", "2024-01-01", "2026-01-31", status="revoked"),
               card(3, "CPR-BLS", "2024-01-01", "2026-01-31", passed=False))  # fmt: skip
    e = c.evaluate(m, BLS, D("2025-01-10"))
    assert verdicts(e) == {
        1: (False, c.AFTER_AS_OF),
        2: (False, c.NOT_COMPLETED),
        3: (False, c.NOT_PASSED),
    }
    assert e.status == c.OVERDUE


def test_a_card_never_held_with_a_time_limit_is_due_from_the_hire_date():
    spec = c.RequirementSpec("FF1", "certification", credential_code="PB-FF1", time_limit_days=365)
    m = member(hire_date=D("2025-01-01"), positions=())
    assert c.evaluate(m, spec, D("2025-06-01")).status == c.NOT_YET_DUE
    assert c.evaluate(m, spec, D("2025-12-15")).status == c.DUE_SOON
    e = c.evaluate(m, spec, D("2026-01-05"))
    assert (e.status, e.due) == (c.OVERDUE, D("2026-01-01"))
    # a training record that issues the card counts as the card
    done = member(
        F("training", 9, D("2025-05-01"), 40, course_code="PB-FF1"), hire_date=D("2025-01-01")
    )
    assert c.evaluate(done, spec, D("2026-01-05")).status == c.MET



@pytest.mark.parametrize(
    ("issued", "as_of", "status", "due"),
    [
        ("2015-05-01", "2025-06-01", c.EXPIRED, "2017-04-30"),  # was: met, "held, no expiry"
        ("2015-05-01", "2017-04-30", c.MET, "2017-04-30"),  # 24 months, both ends
        ("2015-05-01", "2017-05-01", c.EXPIRED, "2017-04-30"),
        ("2024-02-29", "2026-02-28", c.MET, "2026-02-28"),  # the day before Feb 29, which 2026 lacks
        ("2024-02-29", "2026-03-01", c.EXPIRED, "2026-02-28"),
        ("2024-12-31", "2026-12-30", c.MET, "2026-12-30"),
    ],
)  # fmt: skip
def test_a_card_without_an_expiry_holds_a_recurring_requirement_one_renewal(issued, as_of, status, due):
    """ACLS is biennial: a card (or an ACLS class record) with no expiry on file holds it
    24 months from its issue, not for good: a class of 2015 is no current ACLS in 2025.
    The assumed day is the cell's due date but no good-through (`report expiring` lists
    recorded expiries); a one-time certification without an expiry still holds for good."""
    for fact in (card(1, "ACLS", issued, None),
                 F("training", 1, D(issued), 16, course_code="ACLS")):  # fmt: skip
        m = member(fact, positions=("paramedic",))
        e = c.evaluate(m, ACLS, D(as_of))
        assert (e.status, e.due) == (status, D(due)), (fact.kind, e.reason)
        assert e.good_through is None
        assert f"no expiry on file: 24 months from its issue on {issued}" in e.reason
    ff1 = c.RequirementSpec("FF1", "certification", credential_code="PB-FF1")
    e = c.evaluate(member(card(1, "PB-FF1", "2001-03-01", None), positions=()), ff1, D("2025-06-01"))
    assert (e.status, e.reason) == (c.MET, "PB-FF1 held, no expiry")
    # a recorded expiry decides over the assumed one of an older card without one
    m = member(card(1, "ACLS", "2024-01-10", None), card(2, "ACLS", "2023-01-10", "2026-01-31"),
               positions=("paramedic",))  # fmt: skip
    e = c.evaluate(m, ACLS, D("2025-12-01"))
    assert (e.status, e.good_through) == (c.MET, D("2026-01-31"))
    assert verdicts(e) == {1: (False, c.SUPERSEDED), 2: (True, c.COUNTED)}

# ------------------------------------------------------------------------------ NREMT
def national(i0: int, day: str, **kw) -> list[c.Fact]:
    mins = {"airway": 1.5, "cardiovascular": 6, "trauma": 1.5, "medical": 6, "operations": 5}
    return [
        hours(i0 + n, day, h, "national", topic=t, course_code=f"N-{t}", **kw)
        for n, (t, h) in enumerate(mins.items())
    ]


def test_nremt_emt_with_the_real_figures_is_met_inside_its_cycle():
    facts = [*national(1, "2025-05-01"), hours(10, "2025-06-01", 10, "local"),
             hours(11, "2026-02-01", 10, "individual", self_paced=True),
             card(20, "NREMT-EMT", "2025-04-01", "2027-03-31")]  # fmt: skip
    e = c.evaluate(member(*facts), EMT, D("2026-06-01"))
    assert e.window == c.pd.Window(D("2025-04-01"), D("2027-03-31"))
    assert e.window_label == "NREMT cycle ending 31 March"
    assert (e.status, e.value, e.target, e.percentage) == (c.MET, 40, 40, 100)
    assert e.good_through == D("2027-03-31")


def test_the_31_march_1_april_edge():
    facts = [hours(1, "2027-03-31", 6, "national/cardiovascular", course_code="ACLS-R"),
             hours(2, "2027-04-01", 6, "national/cardiovascular", course_code="ACLS-R"),
             card(20, "NREMT-EMT", "2025-04-01", "2027-03-31")]  # fmt: skip
    m = member(*facts)
    last_day = c.evaluate(m, EMT, D("2027-03-31"))
    assert verdicts(last_day) == {1: (True, c.COUNTED), 2: (False, c.AFTER_AS_OF)}
    # on 1 April a new cycle opens: the record of 1 April belongs to it, and the same
    # course counts again (once per cycle, not once ever)
    next_cycle = c.evaluate(m, EMT, D("2027-04-15"))
    assert next_cycle.window == c.pd.Window(D("2027-04-01"), D("2029-03-31"))
    assert verdicts(next_cycle) == {1: (False, c.OUTSIDE_WINDOW), 2: (True, c.COUNTED)}


def test_emr_cycles_end_on_30_september():
    m = member(hours(1, "2026-09-30", 2, "local"), hours(2, "2026-10-01", 2, "local"),
               positions=("emr",), certification_date=D("2024-06-01"))  # fmt: skip
    e = c.evaluate(m, EMR, D("2026-10-05"))
    assert e.window == c.pd.Window(D("2026-10-01"), D("2028-09-30"))
    assert e.window_label == "NREMT cycle ending 30 September"
    assert verdicts(e) == {1: (False, c.OUTSIDE_WINDOW), 2: (True, c.COUNTED)}
    # the first cycle ran from the certification date (June: two years on, by the NREMT's
    # table); certified in October it would run three years, to 30 September 2027
    assert e.previous_window == c.pd.Window(D("2024-06-01"), D("2026-09-30"))
    october = member(positions=("emr",), certification_date=D("2024-10-01"))
    assert c.evaluate(october, EMR, D("2026-10-05")).window == c.pd.Window(
        D("2024-10-01"), D("2027-09-30")
    )


def test_the_cycle_follows_the_card_given_by_the_caller_or_the_certification_date():
    m = member(certification_date=D("2024-06-15"))
    assert c.evaluate(m, EMT, D("2025-01-10")).window == c.pd.Window(
        D("2024-06-15"), D("2026-03-31")
    )
    # a card to 31 March 2027 (a year past the table's 2026) ends the first cycle: the
    # card shows the member certified to that day
    e = c.evaluate(m, EMT, D("2025-01-10"), card_expires_on=D("2027-03-31"))
    assert e.window == c.pd.Window(D("2024-06-15"), D("2027-03-31"))  # the first cycle
    assert e.previous_window is None
    # a card renewed since places the later cycles; the first one was the table's
    e = c.evaluate(m, EMT, D("2028-01-10"), card_expires_on=D("2028-03-31"))
    assert (e.window, e.previous_window) == (
        c.pd.Window(D("2026-04-01"), D("2028-03-31")), c.pd.Window(D("2024-06-15"), D("2026-03-31")))
    e = c.evaluate(member(), EMT, D("2025-01-10"), card_expires_on=D("2027-03-31"))
    assert e.window == c.pd.Window(D("2023-04-01"), D("2025-03-31"))
    unknown = c.evaluate(member(), EMT, D("2025-01-10"))
    assert unknown.notes and "assumed" in unknown.notes[0]
    later = c.evaluate(member(certification_date=D("2025-02-01")), EMT, D("2025-01-10"))
    assert (later.status, later.reason) == (
        c.NOT_YET_DUE,
        "certified on 2025-02-01, after the as-of date",
    )


def test_one_course_counts_once_per_cycle():
    facts = [hours(1, "2025-05-01", 4, "national/cardiovascular", course_code="ACLS-R"),
             hours(2, "2026-05-01", 4, "national/cardiovascular", course_code="acls-r"),
             card(20, "NREMT-EMT", "2025-04-01", "2027-03-31")]  # fmt: skip
    e = c.evaluate(member(*facts), EMT, D("2026-06-01"))
    assert verdicts(e) == {1: (True, c.COUNTED), 2: (False, c.REPEAT_IN_CYCLE)}
    assert e.verdicts[1].reason == (
        "a repeat of ACLS-R (counted on 2025-05-01): one course counts once per "
        "NREMT cycle ending 31 March"
    )
    # an ISO requirement counts a repeated drill every time
    drills = member(hours(1, "2025-03-03", 8, "structural_firefighting", course_code="D1"),
                    hours(2, "2025-03-17", 8, "structural_firefighting", course_code="D1"),
                    positions=("firefighter",))  # fmt: skip
    assert c.evaluate(drills, ISO_COMPANY, D("2025-03-31")).status == c.MET

def test_on_one_day_the_lower_record_id_counts_as_the_ledger_decides():
    """Ids in number order (9 before 10), as program progress orders records; text order
    put 10 first and the two calculators counted different records."""
    facts = [hours(10, "2025-05-01", 5, "national/medical", course_code="CE-1"),
             hours(9, "2025-05-01", 1, "national/medical", course_code="CE-1"),
             card(20, "NREMT-EMT", "2025-04-01", "2027-03-31")]  # fmt: skip
    e = c.evaluate(member(*facts), EMT, D("2026-06-01"))
    assert verdicts(e)[9] == (True, c.COUNTED) and verdicts(e)[10] == (False, c.REPEAT_IN_CYCLE)
    assert e.value == 1


def test_a_course_named_freely_counts_once_per_cycle_too():
    """Without a course code the record's course identity decides (`course_key`: the
    catalog course, or the name as written, case and spaces aside); the matrix (facts
    without names) and explain (with names) agree; a record naming nothing is never a
    repeat."""
    def rounds(i, day, **kw):
        return hours(i, day, 4, "national/cardiovascular", **kw)

    named = member(rounds(1, "2025-05-01", name="Grand rounds"),
                   rounds(2, "2025-06-01", name="grand  ROUNDS"),
                   rounds(3, "2025-07-01", name="Grand rounds II"),
                   rounds(4, "2025-08-01"), rounds(5, "2025-09-01"),
                   card(20, "NREMT-EMT", "2025-04-01", "2027-03-31"))  # fmt: skip
    e = c.evaluate(named, EMT, D("2026-06-01"))
    assert [v.code for v in e.verdicts if v.fact.kind == "training"] == [
        c.COUNTED, c.REPEAT_IN_CYCLE, c.COUNTED, c.COUNTED, c.COUNTED]
    assert e.verdicts[1].reason.startswith("a repeat of 'Grand rounds' (counted on 2025-05-01)")
    keyed = member(rounds(1, "2025-05-01", course_key="name:grand rounds"),
                   rounds(2, "2025-06-01", course_key="name:grand rounds"),
                   rounds(3, "2025-07-01", course_key="course:4"),
                   rounds(4, "2025-08-01", course_key="course:4", course_code=None),
                   card(20, "NREMT-EMT", "2025-04-01", "2027-03-31"))  # fmt: skip
    e = c.evaluate(keyed, EMT, D("2026-06-01"))
    assert [v.code for v in e.verdicts if v.fact.kind == "training"] == [
        c.COUNTED, c.REPEAT_IN_CYCLE, c.COUNTED, c.REPEAT_IN_CYCLE]
    assert e.value == 8
    # the matrix's path (no detail) reaches the same figure
    (cell,) = c.evaluate_all([keyed], [EMT], D("2026-06-01"))
    assert cell.value == 8 and cell.status == e.status
    # a catalog course whose code changed between two records is still one course
    renamed = member(rounds(1, "2025-05-01", course_key="course:4", course_code="CE-1"),
                     rounds(2, "2025-06-01", course_key="course:4", course_code="CE-1-2025"),
                     card(20, "NREMT-EMT", "2025-04-01", "2027-03-31"))  # fmt: skip
    e = c.evaluate(renamed, EMT, D("2026-06-01"))
    assert [v.code for v in e.verdicts if v.fact.kind == "training"] == [c.COUNTED, c.REPEAT_IN_CYCLE]


def test_self_paced_hours_beyond_the_distributive_cap_are_rejected_with_the_reason():
    facts = [*national(1, "2025-05-01"), hours(10, "2025-06-01", 7, "local", self_paced=True),
             hours(11, "2025-07-01", 3, "local", self_paced=True), hours(12, "2025-08-01", 10, "individual"),
             card(20, "NREMT-EMT", "2025-04-01", "2027-03-31")]  # fmt: skip
    e = c.evaluate(member(*facts, certification_date=D("2025-04-01")), EMT, D("2026-06-01"))
    v = next(v for v in e.verdicts if v.fact.id == 11)
    assert (v.counted, v.code) == (False, c.OVER_DISTRIBUTIVE_CAP)
    assert v.reason == "3 h self-paced hours over local's distributive cap of 7 h"
    assert (e.value, e.percentage, e.status) == (37, 92.5, c.NOT_YET_DUE)


def test_counted_hours_agree_with_program_progress_arithmetic():
    facts = [*national(1, "2025-05-01"), hours(10, "2025-06-01", 4, "national/medical"),
             hours(11, "2025-07-01", 6, "local"), card(20, "NREMT-EMT", "2025-04-01", "2027-03-31")]  # fmt: skip
    e = c.evaluate(member(*facts), EMT, D("2026-06-01"))
    credits = [dp.Credit(f.hours, f.credit_category) for f in facts if f.kind == "training"]
    assert dp.measure(EMT.target, credits) == (e.value, e.percentage) == (30, 75)
    assert sum(v.amount for v in e.counted) == e.value
    loc = e.allocation.category("local") if e.allocation else None
    assert loc and loc.received == (("national", 4),)


# ------------------------------------------------------------------------------- ISO
def test_iso_company_training_is_judged_per_month_and_for_the_year():
    sff = "structural_firefighting"
    m = member(hours(1, "2025-01-10", 16, sff), hours(2, "2025-02-10", 10, sff), hours(3, "2025-02-11", 8, "hazmat"),
               hours(4, "2025-03-10", 20, sff), positions=("firefighter",))  # fmt: skip
    e = c.evaluate(m, ISO_COMPANY, D("2025-03-31"))
    assert (e.status, e.value, e.target) == (c.MET, 16, 16)  # March
    assert verdicts(e)[4] == (True, c.COUNTED)
    y = e.year
    assert y is not None and y.window == c.pd.Window(D("2025-01-01"), D("2025-12-31"))
    assert [(f.value, f.met) for f in y.periods] == [(16, True), (10, False), (16, True)]
    assert (y.value, y.target, y.periods_met, y.pace) == (46, 192, 2, 48)  # hazmat never counts
    assert y.percentage == pytest.approx(100 * 46 / 192, abs=1e-4)
    # in April, February's shortfall is history; March was met, so April is just due
    april = c.evaluate(m, ISO_COMPANY, D("2025-04-05"))
    assert (april.status, april.previous.met if april.previous else None) == (c.DUE_SOON, True)
    # in March, February closed short: overdue until March is met
    mid_march = c.evaluate(
        member(*m.facts[:3], positions=("firefighter",)), ISO_COMPANY, D("2025-03-05")
    )
    assert mid_march.status == c.OVERDUE
    # a hazmat record in the month is not what company training counts (its category is
    # not within structural_firefighting; the credit feed's rule)
    feb = c.evaluate(m, ISO_COMPANY, D("2025-02-28"))
    assert verdicts(feb)[3] == (False, c.NOT_COUNTED_HERE)


def test_the_iso_year_counts_the_hire_month_hours_and_the_months_before_a_leave():
    """The year's hours are those from the hire date on (a member hired on 5 January who
    drilled 16 h on the 20th has 16 h for the year, though January, begun before the
    hire, is not owed); the months owed are those the member was subject to on their
    first day: a leave in March and April leaves ten, January and February among them."""
    sff = "structural_firefighting"
    hired = member(hours(1, "2026-01-20", 16, sff), positions=("firefighter",), hire_date=D("2026-01-05"))
    y = c.evaluate(hired, ISO_COMPANY, D("2026-12-31")).year
    assert y is not None and (y.value, y.target, len(y.periods)) == (16, 176, 11)
    assert y.window == c.pd.Window(D("2026-01-05"), D("2026-12-31"))
    ff = frozenset({"firefighter"})
    leave = member(
        hours(1, "2026-01-15", 16, sff), hours(2, "2026-06-10", 16, sff), positions=("firefighter",),
        hire_date=D("2026-01-01"),
        history=(c.Stint(D("2026-01-01"), ff, "active"), c.Stint(D("2026-03-01"), ff, "inactive"),
                 c.Stint(D("2026-05-01"), ff, "active")),
    )  # fmt: skip
    y = c.evaluate(leave, ISO_COMPANY, D("2026-12-31")).year
    assert y is not None and (y.value, y.target, y.periods_met) == (32, 160, 2)
    assert [p.window.start.month for p in y.periods] == [1, 2, 5, 6, 7, 8, 9, 10, 11, 12]


def test_a_member_hired_after_the_last_month_began_owes_no_month_of_the_year():
    """Hired on 31 December (or 2 December), no month of the year began with the member on
    the roster: the year holds them to nothing, and the ISO report leaves them out of the
    item's mean (hired on 1 December: December is owed, 16 h)."""
    from trainctl.queries.reports import iso_cell

    for hired, owed, target in (("2024-12-31", 0, 0), ("2024-12-02", 0, 0), ("2024-12-01", 1, 16)):
        m = member(positions=("firefighter",), hire_date=D(hired))
        e = c.evaluate(m, ISO_COMPANY, D("2024-12-31"))
        assert e.year is not None and (e.year.owed, e.year.target) == (owed, target), hired
        row = iso_cell(e)
        assert row["status"] == (c.NOT_APPLICABLE if not owed else "short"), hired
        assert row["target"] == (None if not owed else 16)
        said = "\n".join(c.explain_lines(e))
        assert ("no month of it is owed" in said) == (not owed), said


HIRED_LATER = [
    ISO_COMPANY,
    c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=8, **CLASS),
    c.RequirementSpec("Anniversary", "hours", frequency="annual", period_anchor="hire_date",
                      required_hours=12, **CLASS),
    c.RequirementSpec("Quarterly", "shifts", frequency="quarterly", required_shifts=3),
    c.RequirementSpec("Biennial", "calls", frequency="biennial", required_calls=12),
    c.RequirementSpec("Courses", "courses", frequency="annual", required_courses=("C1", "C2")),
]  # fmt: skip


@given(st.sampled_from(HIRED_LATER), st.dates(date(2023, 1, 1), date(2028, 12, 31)), st.integers(1, 800))
def test_a_member_hired_later_is_shown_what_the_hire_day_will_hold_them_to(spec, as_of, ahead):
    """Zoe, hired on 4 January, as of 29 December: her 8 h year said 0/8 h and her
    January company training 16 h, though from the hire day on the year holds her to
    7.34 h (11 of 12 months) and January to nothing. Before the hire the cell is not yet
    due with a figure of 0, and shows the window, due day, share and months owed that the
    hire day will; explain says so (the matrix's quick path agrees)."""
    hired = as_of + timedelta(days=ahead)
    m = member(positions=("firefighter",), hire_date=hired)
    e = c.evaluate(m, spec, as_of)
    then = c.evaluate(m, spec, hired)
    assert (e.status, e.value, e.percentage) == (c.NOT_YET_DUE, 0, 0)
    assert (e.window, e.due, e.target, e.months_owed) == (then.window, then.due, then.target, then.months_owed)
    assert e.owes_nothing == then.owes_nothing and not e.held and not e.behind
    quick = c.evaluate(m, spec, as_of, detail=False)
    assert (quick.reason, quick.target, quick.months_owed) == (e.reason, e.target, e.months_owed)
    said = c.explain_lines(e)
    assert said[-1].startswith(f"Status: NOT YET DUE — hired on {hired}, after the as-of date"), said
    assert [n for n in said if n.startswith("Note: owes")] == [n for n in c.explain_lines(then) if n.startswith("Note: owes")]


def test_a_member_hired_on_4_january_is_shown_the_share_of_the_year():
    m = member(positions=("firefighter",), hire_date=D("2027-01-04"))
    year = c.RequirementSpec("SCBA", "hours", frequency="annual", required_hours=8, **CLASS)
    e = c.evaluate(m, year, D("2026-12-29"))
    assert (e.target, e.months_owed, e.window) == (7.34, (11, 12), pd.Window(D("2027-01-01"), D("2027-12-31")))
    assert e.reason == "hired on 2027-01-04, after the as-of date; then owes 11 of this window's 12 months"
    january = c.evaluate(m, ISO_COMPANY, D("2026-12-29"))
    assert january.months_owed == (0, 1) and january.owes_nothing
    assert january.reason == ("hired on 2027-01-04, after the as-of date; owes none of this window: "
                              "the next, from 2027-02-01, is owed")  # fmt: skip


def test_iso_recruit_training_is_the_first_year_from_the_hire_date():
    """ISO item 570: 240 h of recruit training in the first year. The year is the 12
    months from the hire date (its last day is the day before the anniversary, Feb 29
    included); hours after it do not count, and a recruit who made it is met for good."""
    m = member(hours(1, "2025-02-01", 100, "recruit"), hours(2, "2025-02-02", 8),
               hours(3, "2026-01-01", 140, "recruit"),
               positions=("probationary",), hire_date=D("2025-01-01"))  # fmt: skip
    e = c.evaluate(m, ISO_RECRUIT, D("2025-06-01"))
    assert (e.status, e.due, e.value) == (c.NOT_YET_DUE, D("2025-12-31"), 100)
    assert e.window == c.pd.Window(D("2025-01-01"), D("2025-12-31"))
    assert c.evaluate(m, ISO_RECRUIT, D("2025-12-20")).status == c.DUE_SOON
    late = c.evaluate(m, ISO_RECRUIT, D("2026-01-02"))
    assert (late.status, late.value) == (c.OVERDUE, 100)
    assert verdicts(late)[3] == (False, c.OUTSIDE_WINDOW)
    assert late.window_label == "one time: the first 12 months from 2025-01-01, to 2025-12-31"
    leap = member(hours(1, "2025-02-28", 240, "recruit"), positions=("probationary",),
                  hire_date=D("2024-02-29"))  # fmt: skip
    e = c.evaluate(leap, ISO_RECRUIT, D("2027-06-01"))
    assert (e.window.end, e.status, e.good_through) == (D("2025-02-27"), c.OVERDUE, None)
    in_time = member(hours(1, "2025-02-27", 240, "recruit"), positions=("probationary",),
                     hire_date=D("2024-02-29"))  # fmt: skip
    e = c.evaluate(in_time, ISO_RECRUIT, D("2027-06-01"))
    assert (e.status, e.good_through) == (c.MET, None)


# ----------------------------------------------------------------- the other types
def test_skills_need_a_passed_checkoff_in_the_window():
    spec = c.RequirementSpec(
        "SCBA",
        "skills_evaluation",
        frequency="annual",
        required_skills=("SCBA donning", "Ladder raise"),
    )
    m = member(F("skill", 1, D("2024-12-31"), skill="SCBA donning", passed=True),
               F("skill", 2, D("2025-02-01"), skill="scba donning", passed=False),
               F("skill", 3, D("2025-03-01"), skill="SCBA Donning", passed=True),
               F("skill", 4, D("2025-03-02"), skill="Rope rescue", passed=True),
               F("skill", 5, D("2025-03-03"), skill="Ladder raise"))  # fmt: skip
    e = c.evaluate(m, spec, D("2025-06-01"))
    assert verdicts(e) == {1: (False, c.OUTSIDE_WINDOW), 2: (False, c.NOT_PASSED), 3: (True, c.COUNTED),
                           4: (False, c.WRONG_ITEM), 5: (False, c.NOT_PASSED)}  # fmt: skip
    assert (e.value, e.target, e.percentage) == (1, 2, 50)


def test_shifts_and_calls_count_in_the_window():
    spec = c.RequirementSpec("Ride time", "shifts", frequency="quarterly", required_shifts=3)
    m = member(F("shift", 1, D("2025-04-01")), F("shift", 2, D("2025-05-01")), F("shift", 3, D("2025-06-30"), status="cancelled"),
               F("shift", 4, D("2025-06-30")), F("shift", 4, D("2025-06-30")))  # fmt: skip
    e = c.evaluate(m, spec, D("2025-06-30"))
    assert (e.status, e.value) == (c.MET, 3)
    assert [v.code for v in e.rejected] == [c.NOT_COMPLETED, c.DUPLICATE]
    assert e.year is not None and e.year.target == 12
    calls = c.RequirementSpec(
        "Calls", "calls", frequency="rolling", period_months=12, required_calls=2
    )
    m = member(
        F("call", 1, D("2024-06-30")), F("call", 2, D("2025-01-15")), F("call", 3, D("2025-05-01"))
    )
    e = c.evaluate(m, calls, D("2025-06-30"))
    assert (e.status, e.value) == (c.MET, 2)
    assert verdicts(e)[1] == (False, c.OUTSIDE_WINDOW)
    # the 2025-01-15 call leaves the 12-month window on 2026-01-15; nothing replaces it
    assert e.good_through == D("2026-01-14")


def test_checklists_and_courses():
    m = member(*(F("checklist", i, D("2025-02-01"), skill=item) for i, item in enumerate(NFPA_1582.checklist_items)),
               F("checklist", 99, D("2025-03-01"), skill="Vision and hearing"))  # fmt: skip
    e = c.evaluate(m, NFPA_1582, D("2025-06-01"))
    assert (e.status, e.value, e.target) == (c.MET, 5, 5)
    assert verdicts(e)[99] == (False, c.ALREADY_COUNTED)
    assert c.evaluate(m, NFPA_1582, D("2026-01-02")).status == c.NOT_YET_DUE

    spec = c.RequirementSpec("Core courses", "courses", required_courses=("FF1", "HAZ-OPS"))
    m = member(F("training", 1, D("2020-01-01"), 40, course_code="ff1"),
               F("training", 2, D("2020-02-01"), 8, course_code="HAZ-OPS", expires_on=D("2023-02-01")),
               F("training", 3, D("2020-03-01"), 8, course_code="EVOC"))  # fmt: skip
    e = c.evaluate(m, spec, D("2025-06-01"))
    assert verdicts(e) == {
        1: (True, c.COUNTED),
        2: (False, c.EXPIRED_RECORD),
        3: (False, c.WRONG_COURSE),
    }
    assert (e.status, e.reason) == (
        c.OVERDUE,
        "not met: 1 of 2 courses; required now (no deadline set)",
    )
    # one of one reads in the singular, in the reason and the explanation
    one = c.RequirementSpec("FF1 course", "courses", required_courses=("FF1",))
    e = c.evaluate(member(), one, D("2025-06-01"))
    assert e.reason == "not met: 0 of 1 course; required now (no deadline set)"
    assert "0 of 1 course = 0%" in c.explain_lines(e)
    assert c.figure_text(e) == "0 of 1 course (0%)"


# ------------------------------------------------------------------------------ statuses
@pytest.mark.parametrize(
    ("hired", "logged", "as_of", "status"),
    [
        ("2015-01-01", {}, "2025-06-01", c.OVERDUE),  # 2024 closed short
        ("2015-01-01", {"2024-05-01": 6}, "2025-06-01", c.NOT_YET_DUE),
        ("2015-01-01", {"2024-05-01": 6}, "2025-12-01", c.DUE_SOON),  # 30 days left
        ("2015-01-01", {"2024-05-01": 6}, "2025-11-30", c.NOT_YET_DUE),  # 31 days left
        ("2024-03-01", {}, "2025-06-01", c.OVERDUE),  # hired 1 March 2024: owed 5 of 6 h
        ("2024-03-01", {"2024-05-01": 5}, "2025-06-01", c.NOT_YET_DUE),  # and did them
        ("2024-03-02", {"2024-05-01": 4.5}, "2025-06-01", c.NOT_YET_DUE),  # April on: 4.5 h
        ("2024-12-02", {}, "2025-06-01", c.NOT_YET_DUE),  # no month of 2024 owed
        ("2024-12-01", {}, "2025-06-01", c.OVERDUE),  # December owed: 0.5 h
        ("2015-01-01", {"2025-05-01": 6}, "2025-06-01", c.MET),
        ("2015-01-01", {"2024-05-01": 6}, "2025-12-31", c.DUE_SOON),  # the last day
    ],
)
def test_annual_statuses(hired, logged, as_of, status):
    spec = c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=6, **CLASS)
    m = member(*(hours(i, d, h) for i, (d, h) in enumerate(logged.items())), hire_date=D(hired))
    assert c.evaluate(m, spec, D(as_of)).status == status


def test_a_one_time_requirement_without_a_deadline_is_required_now():
    m = member(positions=("firefighter",))
    e = c.evaluate(m, NFPA_1403, D("2025-06-01"))
    assert (e.status, e.due) == (c.OVERDUE, None)
    assert e.reason.endswith("required now (no deadline set)")
    # the explanation names the window in words, not as '… – …'
    assert "Window any date (one time)" in c.explain_lines(e) and "…" not in "\n".join(c.explain_lines(e))


def test_a_one_time_window_from_the_hire_date_says_from():
    m = member(positions=("probationary",), hire_date=D("2025-01-01"))
    lines = c.explain_lines(c.evaluate(m, ISO_RECRUIT, D("2025-06-01")))
    assert any(line.startswith("Window 2025-01-01 – 2025-12-31 (one time: the first 12 months); due 2025-12-31")
               for line in lines), lines  # fmt: skip
    # a department's one-time requirement with a time limit only: no end (late still completes)
    orientation = c.RequirementSpec("Orientation", "hours", frequency="one_time", period_anchor="hire_date",
                                    time_limit_days=365, required_hours=8, **CLASS)  # fmt: skip
    lines = c.explain_lines(c.evaluate(m, orientation, D("2025-06-01")))
    assert "Window from 2025-01-01 (one time); due 2026-01-01" in lines, lines


def test_rolling_windows_give_new_members_time():
    spec = c.RequirementSpec(
        "Live fire", "hours", frequency="rolling", period_months=24, required_hours=4, **CLASS
    )
    recent = c.evaluate(member(hire_date=D("2025-01-01")), spec, D("2025-06-01"))
    assert (recent.status, recent.due) == (c.NOT_YET_DUE, D("2026-12-31"))
    assert c.evaluate(member(), spec, D("2025-06-01")).status == c.OVERDUE
    # due on 2026-12-31: due soon that day ("today"), as a one-time requirement on its due
    # day; overdue the day after (it was overdue on the due day it had printed)
    hired = member(hire_date=D("2025-01-01"))
    on_the_day = c.evaluate(hired, spec, D("2026-12-31"))
    assert (on_the_day.status, on_the_day.due) == (c.DUE_SOON, D("2026-12-31"))
    assert "(today)" in on_the_day.reason
    assert c.evaluate(hired, spec, D("2027-01-01")).status == c.OVERDUE
    leap = member(hire_date=D("2028-02-29"))  # 24 months on: 2030-02-28
    assert c.evaluate(leap, spec, D("2030-02-28")).status == c.DUE_SOON
    assert c.evaluate(leap, spec, D("2030-03-01")).status == c.OVERDUE


def test_due_soon_days_is_configurable():
    spec = c.RequirementSpec("Hazmat", "hours", frequency="annual", required_hours=6, **CLASS)
    m = member(hours(1, "2024-05-01", 6))
    assert c.evaluate(m, spec, D("2025-10-01")).status == c.NOT_YET_DUE
    assert c.evaluate(m, spec, D("2025-10-01"), due_soon_days=91).status == c.DUE_SOON


# ------------------------------------------------------------------------------ explain
def test_explain_shows_the_window_every_fact_the_arithmetic_and_the_status():
    facts = [hours(1, "2025-04-01", 1.5, "national/airway", name="Airway lab", course_code="AW"),
             hours(2, "2025-06-10", 10, "national/cardiovascular", name="Cardio day"),
             hours(3, "2025-03-31", 3, "national/medical", name="Old course"),
             hours(4, "2025-11-01", 5, "local", name="Protocols"),
             hours(5, "2027-04-01", 4, "individual", name="Next cycle"),
             card(20, "NREMT-EMT", "2025-04-01", "2027-03-31")]  # fmt: skip
    e = c.evaluate(member(*facts), EMT, D("2026-01-15"))
    lines = c.explain_lines(e)
    text = "\n".join(lines)
    assert lines[0] == "NREMT-EMT — Emergency Medical Technician (NCCP recertification)"
    assert "Window 2025-04-01 – 2027-03-31 (NREMT cycle ending 31 March); due 2027-03-31" in lines
    assert (
        "  2025-04-01  #1 Airway lab [AW]  national/airway  1.5 h: 1.5 h fills the national/airway minimum (1.5 h)"
        in lines
    )
    assert (
        "  2025-03-31  #3 Old course  national/medical  3 h: dated 2025-03-31, outside the window 2025-04-01 – 2027-03-31"
        in lines
    )
    assert "after the as-of date 2026-01-15" in text
    assert "4 h beyond national's minimums: flows on to local" in text
    assert (
        "  7.5 h of 20 h national + 9 h of 10 h local + 0 h of 10 h individual = 16.5 h of 40 h = 41.25%"
        in lines
    )
    # the card through 2027 says NREMT recertified the member: the 3 h cycle before is not
    # held against them (it was OVERDUE before cards cleared a cycle)
    assert ("Note: the member holds a NREMT-EMT card good through 2027-03-31, past the previous "
            "window's end: recertified then, so the previous window (2023-04-01 – 2025-03-31) is "
            "not held against them") in lines  # fmt: skip
    assert lines[-1] == "Status: NOT YET DUE — not met yet: 16.5 of 40 h; due 2027-03-31 (440 days left)"
    assert c.explain_lines(c.evaluate(member(positions=()), EMT, D("2026-01-15")))[-1] == (
        "Status: NOT APPLICABLE — applies to emt; the member holds no position"
    )
    sff = "structural_firefighting"
    m = member(hours(1, "2025-01-10", 16, sff), hours(2, "2025-02-10", 10, sff),
               hours(3, "2025-03-10", 20, sff), positions=("firefighter",))  # fmt: skip
    iso = c.explain_lines(c.evaluate(m, ISO_COMPANY, D("2025-03-31")))
    assert "Window 2025-03-01 – 2025-03-31 (March 2025); due 2025-03-31" in iso
    assert ("Year 2025-01-01 – 2025-12-31: 46 of 192 h = 23.96% (every hour of the year counts toward "
            "it, whichever month it fell in); 2 of 3 months met; on pace: 48 h needed by now (16 h x "
            "3 months begun)") in iso  # fmt: skip
    assert "  February 2025: 10 of 16 h (short)" in iso
    # a report of a past day: records dated after it are one line, not a list of them
    early = c.explain_lines(c.evaluate(m, ISO_COMPANY, D("2025-01-31")), every=False)
    assert "After the as-of date: 2 more, dated 2025-02-10 … 2025-03-10 (--all lists them)" in early
    assert not any("after the as-of date 2025-01-31" in line for line in early)
    late = c.explain_lines(c.evaluate(m, ISO_COMPANY, D("2025-02-28")), every=False)
    assert "After the as-of date: 1 more, dated 2025-03-10 (--all lists them)" in late
    assert "Previous window 2025-02-01 – 2025-02-28: 10 of 16 h (not met)" in iso
    bls = c.explain_lines(
        c.evaluate(member(card(1, "CPR-BLS", "2024-01-01", "2026-01-31")), BLS, D("2025-01-01"))
    )
    assert "Needs a valid CPR-BLS card on 2025-01-01" in bls
    assert bls[-1] == "Status: MET — CPR-BLS valid through 2026-01-31; good through 2026-01-31"


# --------------------------------------------------------------------------- properties
categories = st.sampled_from(["national/airway", "national/cardiovascular", "national/trauma", "national/medical",
                              "national/operations", "national", "local", "individual", "hazmat", None])  # fmt: skip
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def records(draw: st.DrawFn) -> tuple[c.Fact, ...]:
    out = []
    for i in range(draw(st.integers(0, 25))):
        out.append(F("training", i, draw(days), draw(st.integers(0, 16)) / 2, category=draw(categories),
                     course_code=draw(st.none() | st.sampled_from(["A", "B", "C"])),
                     self_paced=draw(st.booleans()),
                     status=draw(st.sampled_from([None, None, None, "scheduled", "failed"]))))  # fmt: skip
    return tuple(out)


specs = st.sampled_from([
    EMT, ISO_COMPANY,
    c.RequirementSpec("Annual", "hours", frequency="annual", period_anchor="hire_date", required_hours=12, **CLASS),
    c.RequirementSpec("Rolling", "hours", frequency="rolling", period_months=24, required_hours=10, **CLASS),
])  # fmt: skip


@given(specs, records(), days, st.none() | days)
def test_never_counted_after_the_as_of_date_or_outside_the_window(spec, facts, as_of, certified):
    m = member(
        *facts,
        positions=("emt", "firefighter"),
        certification_date=certified,
        hire_date=D("2010-01-01"),
    )
    e = c.evaluate(m, spec, as_of)
    if certified is not None and certified > as_of and spec.period.anchor in (
        "certification_date", "cycle_end"):  # fmt: skip
        # nothing owed yet; the window shown is the member's first, from the certification
        assert e.status == c.NOT_YET_DUE and e.value == 0 and not e.counted
        assert e.target == spec.target.target_value
        assert e.window is not None and e.window.start == certified and as_of not in e.window
        return
    assert as_of in e.window
    for v in e.counted:
        assert v.fact.date is not None and v.fact.date <= as_of and v.fact.date in e.window
    # every fact gets a verdict, and the counted hours are the figure
    assert len(e.verdicts) == len(facts)
    assert sum(v.amount for v in e.counted) == pytest.approx(e.value, abs=1e-4)
    # the matrix cell (no detail) agrees with explain
    quick = c.evaluate(m, spec, as_of, detail=False)
    assert (quick.status, quick.value, quick.percentage, quick.due, quick.window) == (
        e.status, e.value, e.percentage, e.due, e.window)  # fmt: skip
    assert c.explain_lines(e)[-1].startswith(f"Status: {c.STATUS_WORDS[e.status]} — ")
    # status never disagrees with the figure
    assert (e.status == c.MET) == (e.percentage >= 100)


@given(st.lists(st.tuples(days, days), max_size=6), days)
def test_a_card_decides_by_its_latest_expiry(pairs, as_of):
    cards = [
        card(i, "CPR-BLS", min(a, b).isoformat(), max(a, b).isoformat())
        for i, (a, b) in enumerate(pairs)
    ]
    e = c.evaluate(member(*cards), BLS, as_of)
    held = [f for f in cards if f.date <= as_of]
    if not held:
        assert e.status == c.OVERDUE
    else:
        latest = max(f.expires_on for f in held)
        assert e.status == (c.MET if latest >= as_of else c.EXPIRED)
        assert len(e.counted) == (1 if latest >= as_of else 0)


def test_evaluate_all_walks_the_matrix():
    members = [
        member(card(1, "CPR-BLS", "2024-01-01", "2026-01-31")),
        member(positions=("firefighter",)),
    ]
    cells = c.evaluate_all(members, [BLS, EMT], D("2025-06-01"))
    assert [x.status for x in cells] == [c.MET, c.OVERDUE, c.NOT_APPLICABLE, c.NOT_APPLICABLE]
    assert all(x.verdicts == () for x in cells)
    assert cells[0].good_through == D("2026-01-31")


def test_the_matrix_reads_all_history_in_table_order_and_a_window_through_the_index(cli, db_path):
    """SQLite keeps no statistics of dates and takes an index for any range: "up to the
    as-of date" alone (one-time requirements, cards) must be read in table order, not
    row by row through the date index (queries.compliance._bounds); a span with a first
    date keeps the index. Plans, not timings (bench/compliance.py has those)."""
    import sqlite3

    from trainctl.queries import compliance as qc

    cli("member", "add", "Ann Lee", "--email", "ann@example.org")  # makes the database
    con = sqlite3.connect(db_path)

    def plan(first: date | None) -> str:
        span = qc.Span(D("2026-06-15"), {c.TRAINING: first})
        params: dict[str, object] = {}
        sql = qc._facts_sql(c.TRAINING, span, params, names=False, dialect="sqlite")
        return " ".join(str(r) for r in con.execute("EXPLAIN QUERY PLAN " + sql, params))

    assert "ix_training_record_completion_date" not in plan(None), plan(None)
    assert "ix_training_record_completion_date" in plan(D("2024-01-01"))
    con.close()


_ROW_COLUMNS = [  # training rows as queries.compliance reads them: each column's values
    [7], [1, 2], ["2024-02-29", "2025-12-31", None], [None, 0, 0.0, 1.5, 8],
    [None, "CPR", "FF1"], [None, "CPR class"], [None, "drill", "class"], [None, "hazmat", "ems"],
    [None, "airway"], [0, 1, True, False], [None, "completed", "failed"],
    [None, 0, 1, True, False], [None, "2027-03-31"], [None, "course:3", "name:cpr class"],
]  # fmt: skip


def _fields(f: c.Fact) -> dict:
    """Every field of a fact, derived ones included (a field left unset raises)."""
    from dataclasses import fields

    assert type(f) is c.Fact
    return {x.name: getattr(f, x.name) for x in fields(c.Fact)}


@given(st.tuples(*(st.sampled_from(v) for v in _ROW_COLUMNS)))
def test_bulk_made_training_facts_are_fact_of_field_for_field(base):
    """queries.compliance makes alike records by copying the first (a fifth of a report's
    time saved): every field, derived ones included, is what Fact.of makes of the row,
    for the row and for each row that differs from it in one column (made after it, by
    the same maker)."""
    from trainctl.queries import as_date
    from trainctl.queries import compliance as qc

    rows = [base] + [
        (*base[:i], other, *base[i + 1 :])
        for i, values in enumerate(_ROW_COLUMNS) for other in values if other != base[i]
    ]  # fmt: skip
    make = qc._maker(c.TRAINING)
    for row in rows:
        _mid, rid, day, hours, code, name, ttype, cat, topic, paced, status, passed, exp, key = row
        want = c.Fact.of({
            "kind": c.TRAINING, "id": rid, "date": as_date(day), "hours": float(hours or 0),
            "course_code": code, "name": name, "training_type": ttype, "category": cat,
            "topic": topic, "self_paced": bool(paced), "status": status,
            "passed": None if passed is None else bool(passed), "expires_on": as_date(exp),
            "course_key": key,
        })  # fmt: skip
        assert _fields(make(row)) == _fields(want), row


def test_fact_of_refuses_what_is_no_field_and_keeps_each_facts_own_values():
    """Fact.of makes a fact like the first alike one: a name that is no field (or a
    derived one) is refused whether or not one alike was made before, and a value equal
    but not the same (1 and True) is the fact's own, not the first one's."""
    base = {"kind": c.TRAINING, "id": 1, "date": D("2024-02-29")}
    c.Fact.of(base)
    for extra in ({"bogus": 1}, {"sig": 3}, {"credit_category": "ems"}):
        with pytest.raises(TypeError, match="not fields of Fact"):
            c.Fact.of({**base, **extra})
    for field in ("self_paced", "passed"):
        one, true = c.Fact.of({**base, field: 1}), c.Fact.of({**base, field: True})
        assert (type(getattr(one, field)), type(getattr(true, field))) == (int, bool)
        assert _fields(one) | {"sig": 0} == _fields(c.Fact(**base, **{field: 1})) | {"sig": 0}


@given(st.lists(st.tuples(
    st.sampled_from([1, 2, 3]), st.sampled_from(["2024-02-29", "2025-12-31"]),
    st.sampled_from([None, 0, 30, 720, 1440]), st.sampled_from([None, "EMS", "Fire"]),
), min_size=1, max_size=8))  # fmt: skip
def test_bulk_made_shift_and_call_facts_are_fact_of_field_for_field(rows):
    """The matrix (names=False) makes a shift attendance or a call response by copying the
    first alike: every field, derived ones included, is what Fact.of makes of the row,
    whatever came before it through the same maker."""
    from trainctl.queries import as_date
    from trainctl.queries import compliance as qc

    shift, call = qc._maker(c.SHIFT, names=False), qc._maker(c.CALL, names=False)
    for rid, day, minutes, ctype in rows:
        want = c.Fact.of({
            "kind": c.SHIFT, "id": rid, "date": as_date(day), "hours": round((minutes or 0) / 60, 4),
        })  # fmt: skip
        assert _fields(shift((7, rid, day, minutes, None, None))) == _fields(want)
        want = c.Fact.of({"kind": c.CALL, "id": rid, "date": as_date(day), "call_type": ctype})
        assert _fields(call((7, rid, day, None, ctype))) == _fields(want)


@given(st.lists(st.tuples(
    st.sampled_from([c.TRAINING, c.SHIFT, c.CALL]), st.integers(1, 6),
    st.sampled_from([None, "2024-02-29", "2024-03-01", "2025-12-31"]),
), min_size=0, max_size=12, unique_by=lambda t: (t[0], t[1])))  # fmt: skip
def test_a_member_given_facts_by_kind_orders_them_as_one_given_them_all(made):
    """`MemberFacts.with_kinds` (the matrix's bulk read, kind by kind and in no order):
    the same facts, and each kind in the same date-then-id order, as the member given
    the facts all together."""
    facts = [F(kind, i, D(day) if day else None, hours=1) for kind, i, day in made]
    kinds: dict = {}
    for f in facts:
        kinds.setdefault(f.kind, []).append(f)
    whole = c.MemberFacts(facts=tuple(facts))
    given_kinds = c.MemberFacts().with_kinds(kinds, unique=True)
    def order(f):
        return c._order(f), f.kind

    assert sorted(given_kinds.facts, key=order) == sorted(whole.facts, key=order)
    assert given_kinds.by_kind == whole.by_kind
    assert given_kinds.unique and whole.unique


def test_a_record_without_hours_is_rejected_as_such_not_as_something_else():
    """A 0 h drill of the type the requirement counts: 'no hours recorded' (it read 'not
    what this requirement counts (training types class)' though it is one)."""
    spec = c.RequirementSpec("Drills", "hours", frequency="annual", required_hours=8, **CLASS)
    e = c.evaluate(member(hours(1, "2026-03-04", 0), hours(2, "2026-03-05", 2)), spec, D("2026-06-01"))
    assert verdicts(e) == {1: (False, c.NO_HOURS), 2: (True, c.COUNTED)}
    assert e.value == 2


def test_an_assumed_nremt_cycle_stays_put_from_day_to_day():
    """No certification date, no card: the assumed cycles are one fixed grid (31 March of
    the even years), so the cycle that closed on 31 March is the one judged as previous on
    1 April, and a record counts in one cycle only (it slid a year at a time)."""
    m = member()
    before = c.evaluate(m, EMT, D("2026-03-31"))
    after = c.evaluate(m, EMT, D("2026-04-01"))
    assert before.window == c.pd.Window(D("2024-04-01"), D("2026-03-31"))
    assert after.window == c.pd.Window(D("2026-04-01"), D("2028-03-31"))
    assert after.previous_window == before.window
    assert c.evaluate(m, EMT, D("2027-03-31")).window == after.window
    assert "assumed to run 2026-04-01 to 2028-03-31" in after.notes[0]
