"""NREMT NCCP allocation (domain/progress.py `allocate_hours`): where every credited hour
went, with the real EMT figures from registries/nremt.json; `category_hours` is a thin
wrapper over it and keeps the old results (a property against the old formula)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainctl.domain import progress as dp

C = dp.Credit
REGISTRY = json.loads((Path(__file__).parents[1] / "registries" / "nremt.json").read_text())


def nremt(code: str) -> dict:
    return next(r for r in REGISTRY["requirements"] if r["registry_code"] == code)


def emt_target(local_content: bool = True) -> dp.Target:
    class Row:  # what Target.of reads from a Requirement row
        requirement_type = "hours"
        required_hours = nremt("NREMT-EMT")["required_hours"]
        required_shifts = required_calls = credential_code = None
        required_courses = required_skills = checklist_items = ()
        hour_categories = nremt("NREMT-EMT")["hour_categories"]

    return dp.Target.of(Row, local_content=local_content)


EMT = emt_target()
TOPICS = {"airway": 1.5, "cardiovascular": 6, "trauma": 1.5, "medical": 6, "operations": 5}


def alloc(credits: Sequence[dp.Credit], target: dp.Target = EMT) -> dp.Allocation:
    return dp.allocate_hours(target.required_hours, target.hour_categories, credits)


def test_the_registry_figures_are_the_ones_the_tests_assume():
    cats = {c.name: c for c in EMT.hour_categories}
    assert EMT.required_hours == 40
    assert (cats["national"].min_hours, cats["local"].min_hours, cats["individual"].min_hours) == (
        20,
        10,
        10,
    )
    assert dict(cats["national"].topics) == TOPICS
    # distributive caps from the registry file, not from memory
    assert cats["national"].distributive_max_hours == 7
    assert cats["local"].distributive_max_hours == 7
    assert cats["individual"].distributive_max_hours is None
    # the NCCP flow-on rule is applied to NREMT-shaped categories
    assert cats["national"].overflow_to == ("local", "individual")
    assert cats["local"].overflow_to == ()
    assert emt_target(local_content=False).hour_categories[1].overflow_to == ("individual",)


def full_national() -> list[dp.Credit]:
    return [C(h, f"national/{t}") for t, h in TOPICS.items()]


def test_every_minimum_met_is_100_percent_with_each_hour_placed():
    a = alloc([*full_national(), C(10, "local"), C(10, "individual")])
    assert (a.value, a.percentage) == (40, 100)
    nat = a.category("national")
    assert nat is not None and nat.met and nat.filled == 20
    assert [(t.name, t.filled) for t in nat.topics] == list(TOPICS.items())
    assert all(s.counted for s in a.shares)
    assert {s.bucket for s in a.shares} == {f"national/{t}" for t in TOPICS} | {
        "local",
        "individual",
    }


def test_hours_beyond_a_topic_minimum_flow_on_to_local_then_individual():
    # cardiovascular 16 h: 6 fill its minimum, national has no free part (the topics are
    # all 20 h), so 10 flow on: 4 to local (6 logged there), then 6 to individual
    credits = [C(16, "national/cardiovascular"), C(6, "local"), C(4, "individual")]
    a = alloc(credits)
    nat, loc, ind = (a.category(n) for n in ("national", "local", "individual"))
    assert nat and loc and ind
    assert nat.filled == 6 and nat.sent == (("local", 4), ("individual", 6))
    assert loc.filled == 10 and loc.received == (("national", 4),)
    assert ind.filled == 10 and ind.received == (("national", 6),)
    assert (a.value, a.percentage) == (26, 65)
    flowed = [s for s in a.shares if s.reason == dp.OVERFLOW]
    assert [(s.bucket, s.hours) for s in flowed] == [("local", 4), ("individual", 6)]
    assert flowed[0].note == "beyond national's minimums: flows on to local"


def test_self_paced_hours_kept_out_by_the_cap_say_so_when_they_flow_on():
    """10 h of self-paced cardiology and 1.5 h of self-paced trauma: national takes 7 h
    self-paced (6 cardiology, 1 trauma); trauma's 0.5 h left flow on to local because of
    the cap, not because national's minimums were met (trauma's is not: 1 of 1.5 h). The
    note said 'beyond national's minimums'. Cardiology's 4 h flow on because its minimum
    is full (and national has no free part): the cap, used up by the trauma hours, is not
    why; the note said it was, once a later record used up the cap."""
    a = alloc([C(10, "national/cardiovascular", dp.DISTRIBUTIVE), C(1.5, "national/trauma", dp.DISTRIBUTIVE)])
    flowed = [(s.credit, s.hours, s.note) for s in a.shares if s.reason == dp.OVERFLOW]
    cap = "self-paced hours over national's distributive cap of 7 h: flows on to local"
    beyond = "beyond national's minimums: flows on to local"
    assert flowed == [(0, 4, beyond), (1, 0.5, cap)]
    # alone, cardiology's 4 h say the same: a later record does not change why they went
    alone = alloc([C(10, "national/cardiovascular", dp.DISTRIBUTIVE)])
    assert [(s.hours, s.note) for s in alone.shares if s.reason == dp.OVERFLOW] == [(4, beyond)]


def test_local_hours_flow_to_individual_only_without_local_content():
    credits = [*full_national(), C(20, "local")]
    with_content = alloc(credits)
    assert (with_content.value, with_content.percentage) == (30, 75)
    surplus = [s for s in with_content.shares if s.reason == dp.SURPLUS]
    assert [(s.source, s.hours) for s in surplus] == [("local", 10)]
    without = alloc(credits, emt_target(local_content=False))
    assert (without.value, without.percentage) == (40, 100)
    ind = without.category("individual")
    assert ind and ind.received == (("local", 10),)


def test_distributive_caps_come_from_the_registry_and_follow_hours_that_flow():
    # 7 h self-paced in national topics count (cap 7); 2 more self-paced topic hours do not
    national = [
        C(1.5, "national/airway", "distributive"),
        C(5.5, "national/medical", "distributive"),
    ]
    national += [C(2, "national/trauma", "distributive")]
    a = alloc([*national, C(10, "local"), C(10, "individual")])
    nat = a.category("national")
    assert nat and nat.distributive_used == 7 and nat.filled == 7
    capped = [s for s in a.shares if not s.counted]
    # the 2 trauma hours over national's cap flow on; local and individual are full
    assert sum(s.hours for s in capped) == 2
    assert {s.reason for s in capped} <= {dp.OVER_DISTRIBUTIVE_CAP, dp.SURPLUS}
    assert (a.value, a.percentage) == (27, 67.5)

    # local: 10 self-paced hours, only 7 count
    a = alloc([*full_national(), C(10, "local", "distributive"), C(10, "individual")])
    loc = a.category("local")
    assert loc and loc.filled == 7 and loc.distributive_used == 7
    over = [s for s in a.shares if s.reason == dp.OVER_DISTRIBUTIVE_CAP]
    assert [(s.source, s.hours) for s in over] == [("local", 3)]
    assert over[0].note == "self-paced hours over local's distributive cap of 7 h"
    assert (a.value, a.percentage) == (37, 92.5)

    # individual has no cap: 10 self-paced hours all count
    a = alloc([*full_national(), C(10, "local"), C(10, "individual", "distributive")])
    assert (a.value, a.percentage) == (40, 100)

    # self-paced national hours that flow into local count against local's cap
    a = alloc(
        [
            *full_national(),
            C(6, "national/medical", "distributive"),
            C(6, "local", "distributive"),
            C(10, "individual"),
        ]
    )
    loc = a.category("local")
    assert loc and loc.received == (("national", 1),) and loc.filled == 7
    assert loc.distributive_used == 7


def test_topic_minimums_use_classroom_hours_before_self_paced_ones():
    # airway: 1.5 classroom + 1.5 self-paced; cardiovascular: 6 self-paced. Taking the
    # classroom airway hours first leaves the whole 7 h distributive allowance for
    # cardiovascular, so both topics are met
    credits = [C(1.5, "national/airway", "distributive"), C(1.5, "national/airway"),
               C(6, "national/cardiovascular", "distributive")]  # fmt: skip
    a = alloc(credits)
    nat = a.category("national")
    assert nat and [t.filled for t in nat.topics[:2]] == [1.5, 6]


def test_untopiced_and_unknown_hours_say_why_they_do_not_count():
    a = alloc([C(3, "national"), C(2, "national/airwya"), C(4, "hazmat"), C(1, None)], EMT)
    by_credit = {s.credit: s for s in a.shares}
    # national hours without a topic flow on (national's minimum is all topics)
    assert by_credit[0].reason == dp.OVERFLOW and by_credit[0].bucket == "local"
    assert by_credit[2].reason == dp.NO_CATEGORY
    assert (
        by_credit[2].note
        == "category 'hazmat' is not one of this requirement's (national, local, individual)"
    )
    assert by_credit[3].note.startswith("hours without a category are not one of")

    # without somewhere to flow, the note says what is wrong
    plain = dp.HourCategory("national", 20, topics=tuple(TOPICS.items()))
    a = dp.allocate_hours(20, [plain], [C(3, "national"), C(2, "national/airwya")])
    notes = [s.note for s in a.shares]
    assert notes[0].startswith("no topic: national's minimum is its topic minimums (airway")
    assert notes[1].startswith("topic 'airwya' is not one of national's")


def test_iso_company_training_counts_only_structural_firefighting():
    cats = [dp.HourCategory("structural_firefighting", 16)]
    a = dp.allocate_hours(16, cats, [C(10, "structural_firefighting"), C(8, "hazmat")])
    assert (a.value, a.percentage) == (10, 62.5)
    assert a.shares[1].reason == dp.NO_CATEGORY


def test_corrections_take_hours_back():
    a = alloc([C(6, "national/cardiovascular"), C(-2, "national/cardiovascular")])
    assert a.value == 4
    reasons = [(s.credit, s.reason, s.hours) for s in a.shares]
    assert (0, dp.REVERSED, 2) in reasons and (1, dp.REVERSED, -2) in reasons


def test_category_hours_is_the_allocation_without_the_detail():
    credits = [*full_national(), C(4, "local")]
    a = alloc(credits)
    assert dp.category_hours(40, EMT.hour_categories, credits) == (a.value, a.percentage)
    assert dp.measure(EMT, credits) == (a.value, a.percentage)


def test_the_old_formula_overcounted_capped_self_paced_topic_hours():
    """The one deliberate change: the old formula filled topic minimums with self-paced
    hours beyond the distributive cap whenever other hours exceeded the minimums.
    12 self-paced hours in cardiovascular/medical with a 7 h cap leave medical 5 h short;
    5 classroom hours without a topic cannot fill a topic minimum."""
    cats = [dp.HourCategory("national", 20, distributive_max_hours=7, topics=tuple(TOPICS.items()))]
    credits = [C(6, "national/cardiovascular", "distributive"), C(6, "national/medical", "distributive"),
               C(1.5, "national/airway"), C(1.5, "national/trauma"), C(5, "national/operations"),
               C(5, "national")]  # fmt: skip
    assert old_category_hours(20, cats, credits) == (20, 100)
    assert dp.category_hours(20, cats, credits) == (15, 75)


# ------------------------------------------------------------- the old formula, verbatim
def old_category_hours(
    required: float | None, categories: Sequence[dp.HourCategory], credits: Iterable[dp.Credit]
) -> tuple[float, float]:
    known = {c.name.casefold(): c for c in categories}
    hours: dict[str, float] = {}
    distributive: dict[str, float] = {}
    topic_hours: dict[tuple[str, str], float] = {}
    other = 0.0
    for credit in credits:
        name, topic = dp.split_category(credit.category)
        if name not in known:
            other += credit.amount
            continue
        hours[name] = hours.get(name, 0.0) + credit.amount
        if (credit.item or "").casefold() == dp.DISTRIBUTIVE:
            distributive[name] = distributive.get(name, 0.0) + credit.amount
        if topic is not None:
            topic_hours[(name, topic)] = topic_hours.get((name, topic), 0.0) + credit.amount
    other = max(0.0, other)
    toward_min = 0.0
    excess = other
    total = other
    for key, cat in known.items():
        h = max(0.0, hours.get(key, 0.0))
        if cat.distributive_max_hours is not None:
            h -= max(0.0, distributive.get(key, 0.0) - cat.distributive_max_hours)
        if cat.max_hours is not None:
            h = min(h, cat.max_hours)
        h = max(0.0, h)
        total += h
        topic_min = sum(m for _, m in cat.topics)
        in_topics = min(
            h,
            sum(min(max(0.0, topic_hours.get((key, t.casefold()), 0.0)), m) for t, m in cat.topics),
        )
        met = min(
            cat.min_hours, in_topics + min(h - in_topics, max(0.0, cat.min_hours - topic_min))
        )
        toward_min += met
        excess += h - met
    minimums = sum(c.min_hours for c in categories)
    target = max(float(required or 0), minimums)
    if target <= 0:
        return round(total, 4), 0.0
    filled = toward_min + min(excess, target - minimums)
    return round(filled, 4), dp._cap(100.0 * filled / target)


halves = st.integers(min_value=0, max_value=60).map(lambda n: n / 2)


@st.composite
def category_sets(draw: st.DrawFn) -> list[dp.HourCategory]:
    out = []
    for name in draw(
        st.lists(st.sampled_from(["national", "local", "extra", "x"]), unique=True, max_size=3)
    ):
        topics = tuple(
            (t, draw(st.integers(0, 8).map(lambda n: n / 2)))
            for t in draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3))
        )
        low = sum(m for _, m in topics)
        minimum = low + draw(st.integers(0, 10).map(lambda n: n / 2))
        extra = draw(st.none() | st.integers(0, 30))
        cap = None if extra is None else minimum + extra / 2
        dcap = draw(st.none() | halves)
        out.append(dp.HourCategory(name, minimum, cap, dcap, topics))
    return out


@st.composite
def credit_lists(draw: st.DrawFn, *, distributive: bool = True) -> list[dp.Credit]:
    cats = st.sampled_from([None, "national", "local", "extra", "x", "other", "national/a",
                            "national/b", "local/c", "extra/zz", "x/a"])  # fmt: skip
    items = st.sampled_from([None, "distributive"] if distributive else [None])
    credits = []
    for _ in range(draw(st.integers(0, 12))):
        credit = C(draw(halves.filter(lambda h: h > 0)), draw(cats), draw(items))
        credits.append(credit)
        if draw(st.integers(0, 5)) == 0:  # a correction of (part of) that entry
            credits.append(
                C(-draw(st.integers(1, 4)) / 4 * credit.amount, credit.category, credit.item)
            )
    return credits


requireds = st.none() | st.integers(0, 100).map(lambda n: n / 2)


@given(requireds, category_sets(), credit_lists(distributive=False))
def test_same_results_as_the_old_formula_without_self_paced_hours(required, cats, credits):
    # identical (halves add up exactly in binary floating point)
    assert dp.category_hours(required, cats, credits) == old_category_hours(required, cats, credits)


@given(requireds, category_sets(), credit_lists())
def test_same_results_as_the_old_formula_unless_the_cap_binds_in_topics(required, cats, credits):
    new, old = (
        dp.category_hours(required, cats, credits),
        old_category_hours(required, cats, credits),
    )
    assert new[0] <= old[0] + 1e-4 and new[1] <= old[1] + 1e-4  # never more than before
    # the same unless self-paced hours needed by topic minimums exceed a distributive cap
    needed = {}
    for cat in cats:
        if cat.distributive_max_hours is None or not cat.topics:
            continue
        key = cat.name.casefold()
        for topic, minimum in cat.topics:
            mine = [c for c in credits if dp.split_category(c.category) == (key, topic)]
            classroom = sum(c.amount for c in mine if c.item is None)
            self_paced = sum(c.amount for c in mine if c.item is not None)
            needed[key] = needed.get(key, 0.0) + min(
                max(0.0, minimum - classroom), max(0.0, self_paced)
            )
        if needed[key] > cat.distributive_max_hours + 1e-9:
            return
    assert new == pytest.approx(old, abs=1e-4)


@given(requireds, category_sets(), credit_lists())
def test_the_shares_add_up_to_the_value(required, cats, credits):
    positive = [c for c in credits if c.amount > 0]
    a = dp.allocate_hours(required, cats, positive)
    counted = sum(s.hours for s in a.shares if s.counted)
    assert counted == pytest.approx(a.value, abs=1e-4)
    # every positive hour is accounted for exactly once
    assert sum(s.hours for s in a.shares) == pytest.approx(
        sum(c.amount for c in positive), abs=1e-6
    )
    for fill in a.categories:
        assert fill.filled <= fill.minimum + 1e-9
        if fill.distributive_cap is not None:
            assert fill.distributive_used <= fill.distributive_cap + 1e-9


@given(st.lists(st.tuples(halves, st.sampled_from(["national/airway", "national/cardiovascular",
       "national/trauma", "national/medical", "national/operations", "national", "local",
       "individual", None]), st.booleans()), max_size=15), st.booleans())  # fmt: skip
def test_nccp_flow_never_counts_more_than_logged_and_agrees_with_value(entries, local_content):
    credits = [C(h, cat, "distributive" if d else None) for h, cat, d in entries if h > 0]
    target = emt_target(local_content)
    a = alloc(credits, target)
    assert a.value <= sum(c.amount for c in credits) + 1e-9
    assert a.percentage == pytest.approx(min(100.0, 100 * a.value / 40), abs=1e-4)
    assert dp.measure(target, credits) == (a.value, a.percentage)
    # flowing on only ever adds: without it the figure is never higher
    plain = [dp.HourCategory(c.name, c.min_hours, c.max_hours, c.distributive_max_hours, c.topics, ())
             for c in target.hour_categories]  # fmt: skip
    assert dp.allocate_hours(40, plain, credits).value <= a.value + 1e-9
