"""The matrix's quick path (`evaluate(detail=False)`: bisected windows, one pass without the
words) decides every cell exactly as `requirement explain`'s full path (detail=True)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trainctl.domain import compliance as c
from trainctl.domain import progress as dp

SPECS = [
    c.RequirementSpec("Hours", "hours", frequency="annual", required_hours=6),
    c.RequirementSpec("Hazmat", "hours", frequency="quarterly", required_hours=3,
                      counts_categories=("hazmat",)),
    c.RequirementSpec("Shift hours", "hours", frequency="monthly", required_hours=24,
                      counts_attendance=True),
    c.RequirementSpec("Rolling", "hours", frequency="rolling", period_months=3, required_hours=4),
    c.RequirementSpec("Once", "hours", frequency="one_time", period_anchor="hire_date",
                      time_limit_days=90, required_hours=10),
    c.RequirementSpec("Shifts", "shifts", frequency="annual", required_shifts=3),
    c.RequirementSpec("EMS calls", "calls", frequency="quarterly", required_calls=2,
                      counts_call_types=("EMS",)),
    c.RequirementSpec("Courses", "courses", frequency="biennial", required_courses=("C1", "C2")),
    # hour categories (the allocation): ISO company training by month, an NCCP-like split
    c.RequirementSpec("Company", "hours", frequency="monthly", required_hours=4,
                      hour_categories=(dp.HourCategory("hazmat", 4),)),
    c.RequirementSpec("NCCP", "hours", frequency="biennial", required_hours=12,
                      hour_categories=dp.nccp_flow((
                          dp.HourCategory("national", 6, distributive_max_hours=2,
                                          topics=(("airway", 1.5), ("trauma", 2))),
                          dp.HourCategory("local", 3, distributive_max_hours=2),
                          dp.HourCategory("individual", 3)))),
    c.RequirementSpec("Typed", "hours", frequency="quarterly", required_hours=2,
                      counts_training_types=("drill",), counts_courses=("C3",)),
]
START = date(2024, 1, 1)

def _fact(kind, i, day, hours, status, passed, cat, code, call, topic, paced, ttype, bulk):
    values = {
        "kind": kind, "id": i, "date": START + timedelta(days=day), "hours": hours,
        "status": status, "passed": passed, "category": cat, "course_code": code,
        "call_type": call, "topic": topic, "self_paced": paced, "training_type": ttype,
    }  # fmt: skip
    # Fact.of (the bulk loads) shares one `sig` among facts alike, which the quick path
    # decides once per sig: both ways of making a fact must judge alike
    return c.Fact.of(values) if bulk else c.Fact(**values)


facts = st.lists(
    st.builds(
        _fact,
        st.sampled_from([c.TRAINING, c.SHIFT, c.CALL]),
        st.integers(1, 40),  # duplicates happen, and lists without them too
        st.integers(0, 800),
        st.sampled_from([0.0, 0.1, 0.7, 1.0, 1.5, 2.5, 8.0]),
        st.sampled_from([None, "completed", "failed", "scheduled"]),
        st.sampled_from([None, True, False]),
        st.sampled_from([None, "hazmat", "ems", "national", "local", "individual"]),
        st.sampled_from([None, "C1", "C2", "C3"]),
        st.sampled_from([None, "EMS", "Fire"]),
        st.sampled_from([None, "airway", "trauma"]),
        st.booleans(),
        st.sampled_from([None, "drill", "class"]),
        st.booleans(),
    ),
    max_size=25,
)


@settings(max_examples=600, deadline=None)
@given(facts, st.integers(0, 900), st.sampled_from(SPECS), st.integers(0, 400))
def test_the_quick_path_agrees_with_the_full_one(fs, day, spec, hired):
    member = c.MemberFacts(1, "M", hire_date=START + timedelta(days=hired), facts=tuple(fs))
    as_of = START + timedelta(days=day)
    full = c.evaluate(member, spec, as_of, detail=True)
    quick = c.evaluate(member, spec, as_of, detail=False)
    keys = ("status", "reason", "value", "target", "percentage", "window", "due", "good_through")
    assert {k: getattr(quick, k) for k in keys} == {k: getattr(full, k) for k in keys}
    if quick.previous is not None:  # (judged by the quick path only when not met)
        assert quick.previous == full.previous
    assert quick.verdicts == ()


CARD_SPECS = [
    c.RequirementSpec("BLS", "certification", frequency="biennial", credential_code="BLS"),
    c.RequirementSpec("ACLS", "certification", frequency="biennial", credential_code="ACLS",
                      required_courses=("ACLS-EP",)),
    c.RequirementSpec("FF1", "certification", frequency="one_time", period_anchor="hire_date",
                      time_limit_days=365, credential_code="FF1"),
]
cards = st.lists(
    st.builds(
        lambda kind, i, day, life, status, passed, cred, code: c.Fact(
            kind, i, START + timedelta(days=day), status=status, passed=passed,
            credential_code=cred, course_code=code,
            expires_on=None if life is None else START + timedelta(days=day + life),
        ),
        st.sampled_from([c.CERTIFICATION, c.TRAINING]),
        st.integers(1, 30),  # duplicates happen, and lists without them too
        st.integers(0, 800),
        st.sampled_from([None, 0, 30, 365, 730]),
        st.sampled_from([None, "completed", "failed", "scheduled"]),
        st.sampled_from([None, True, False]),
        st.sampled_from([None, "BLS", "bls ", "ACLS", "FF1", "HM-OPS"]),
        st.sampled_from([None, "BLS", "ACLS-EP", "acls-ep", "C1"]),
    ),
    max_size=20,
)


@settings(max_examples=600, deadline=None)
@given(cards, st.integers(0, 900), st.sampled_from(CARD_SPECS), st.integers(0, 400))
def test_the_quick_path_agrees_with_the_full_one_for_certifications(fs, day, spec, hired):
    """Cards, card-like training records (a credential code or an expiry) and plain records
    of a listed course: the matrix looks at the wanted codes only, and decides alike."""
    member = c.MemberFacts(1, "M", hire_date=START + timedelta(days=hired), facts=tuple(fs))
    as_of = START + timedelta(days=day)
    full = c.evaluate(member, spec, as_of, detail=True)
    quick = c.evaluate(member, spec, as_of, detail=False)
    keys = ("status", "reason", "value", "target", "percentage", "due", "good_through")
    assert {k: getattr(quick, k) for k in keys} == {k: getattr(full, k) for k in keys}
    assert quick.verdicts == ()


YEAR_SPECS = [s for s in SPECS if s.period.frequency in ("monthly", "quarterly")]


@settings(max_examples=400, deadline=None)
@given(facts, st.integers(0, 900), st.sampled_from(YEAR_SPECS), st.integers(0, 400))
def test_the_year_of_months_is_judged_alike_bisected_or_not(fs, day, spec, hired):
    """`report iso`'s year of a monthly (quarterly) item: a member whose facts are each
    listed once has every month judged on that month's facts alone (bisected); listing
    one of them twice takes the full pass over the year. A fact listed twice counts once,
    so both years are the same, month by month."""
    once = list({(f.kind, f.id): f for f in fs}.values())
    once.sort(key=lambda f: (f.date, f.id))
    as_of = START + timedelta(days=day)
    hire = START + timedelta(days=hired)
    member = c.MemberFacts(1, "M", hire_date=hire, facts=tuple(once))
    assert member.unique
    quick = c.evaluate(member, spec, as_of, detail=False, with_year=True)
    if not once:
        return
    twice = c.MemberFacts(1, "M", hire_date=hire, facts=(*once, once[0]))
    assert not twice.unique
    full = c.evaluate(twice, spec, as_of, detail=True, with_year=True)
    assert quick.year == full.year


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(1, 12), st.sampled_from(["a", "b", "10", "9"])),
            st.one_of(st.none(), st.integers(0, 5)),
        ),
        max_size=30,
    )
)
def test_facts_are_put_in_one_order_whatever_their_ids_and_dates(rows):
    """`_sorted` puts a bulk read's facts (whole-number ids, all dated) in order by two
    sorts on C-level keys, and anything else by `_order`: the order is `_order`'s either
    way (dates; on one day, ids in number order, then the text ids)."""
    fs = [
        c.Fact(c.TRAINING, i, None if d is None else START + timedelta(days=d)) for i, d in rows
    ]
    assert c._sorted(fs) == sorted(fs, key=c._order)
    dated = [f for f in fs if isinstance(f.id, int) and f.date is not None]
    assert c._sorted(dated) == sorted(dated, key=c._order)
