"""Pure progress maths: table-driven cases and a property (status never disagrees with %)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainctl.domain import progress as dp


def target(kind: str, **kw) -> dp.Target:
    return dp.Target(requirement_type=kind, **kw)


C = dp.Credit


@pytest.mark.parametrize(
    ("tgt", "credits", "value", "pct"),
    [
        (target("hours", required_hours=40), [C(10), C(6)], 16, 40),
        (target("hours", required_hours=40), [C(30), C(30)], 60, 100),  # capped at 100
        (target("hours", required_hours=40), [C(10), C(-10)], 0, 0),  # a reversal
        (target("shifts", required_shifts=4), [C(1), C(1), C(1)], 3, 75),
        (target("calls", required_calls=3), [C(1)], 1, 33.3333),
        (target("hours", required_hours=None), [C(5)], 5, 0),  # no target: nothing to measure
        (target("courses", required_courses=("FF1", "FF2")), [C(1, item="ff1")], 1, 50),
        # the same course twice counts once; a course not required counts nothing
        (
            target("courses", required_courses=("FF1", "FF2")),
            [C(1, item="FF1"), C(1, item="FF1"), C(1, item="HAZ")],
            1,
            50,
        ),
        (
            target("checklist", checklist_items=("a", "b", "c", "d")),
            [C(1, item="a"), C(1, item="b"), C(-1, item="a")],
            1,
            25,
        ),
        (
            target("skills_evaluation", required_skills=("ladder", "hose")),
            [C(1, item="Ladder"), C(1, item="hose")],
            2,
            100,
        ),
        (target("certification", credential_code="EMT-B"), [C(1, item="emt-b")], 1, 100),
        # never a loose match: another credential does not count
        (target("certification", credential_code="EMT-B"), [C(1, item="EMT-P")], 0, 0),
        (target("checklist", checklist_items=()), [], 0, 0),
    ],
)
def test_measure_per_requirement_type(tgt, credits, value, pct):
    assert dp.measure(tgt, credits) == (value, pct)


NCCP_EMT = (
    dp.HourCategory("national", min_hours=20),
    dp.HourCategory("local", min_hours=10),
    dp.HourCategory("extra", min_hours=0, max_hours=10),
)


@pytest.mark.parametrize(
    ("by_cat", "pct"),
    [
        ({"national": 20, "local": 10, None: 10}, 100),
        ({"national": 40}, 75),  # 20 toward national's minimum + 10 free; local unmet
        ({None: 40}, 25),  # only the free remainder fills
        ({"national": 20, "local": 10, "extra": 30}, 100),  # the cap 10 fills the free part
        ({"national": 20, "local": 10, "extra": 5}, 87.5),
        ({"national": 20, "local": 5, "extra": 30}, 87.5),  # extra never replaces a minimum
    ],
)
def test_hour_categories_minimums_and_caps(by_cat, pct):
    _, got = dp.category_hours(40, NCCP_EMT, [C(h, cat) for cat, h in by_cat.items()])
    assert got == pct


def test_distributive_cap_and_topic_minimums():
    # EMT NCCP shape: national 20 (topics airway 1.5, cardio 6), distributive capped at 7
    national = dp.HourCategory(
        "national", min_hours=20, distributive_max_hours=7, topics=(("airway", 1.5), ("cardio", 6))
    )
    cats = (
        national,
        dp.HourCategory("local", min_hours=10),
        dp.HourCategory("individual", min_hours=10),
    )
    full = [C(1.5, "national/airway"), C(6, "national/cardio"), C(12.5, "national"),
            C(10, "local"), C(10, "individual")]  # fmt: skip
    assert dp.category_hours(40, cats, full) == (40, 100)
    # 20 national hours all distributive: only 7 count
    dist = [C(20, "national", "distributive"), C(10, "local"), C(10, "individual")]
    assert dp.category_hours(40, cats, dist) == (27, 67.5)
    # national reached without the airway topic: 1.5 h of the minimum stays unmet, so 38.5
    # of the 40 logged hours count (value and percentage agree)
    no_airway = [C(6, "national/cardio"), C(14, "national"), C(10, "local"), C(10, "individual")]
    assert dp.category_hours(40, cats, no_airway) == (38.5, 96.25)


def test_hour_category_credits_through_measure_and_capped_value():
    tgt = target("hours", required_hours=40, hour_categories=NCCP_EMT)
    value, pct = dp.measure(tgt, [C(30, "extra"), C(20, "National"), C(10, "local")])
    assert value == 40  # the cap leaves 10 of 30
    assert pct == 100


@pytest.mark.parametrize(
    ("pct", "override", "value", "status"),
    [
        (0, None, 0, "not_started"),
        (0, None, 1, "in_progress"),  # credit below a rounding step still counts as started
        (50, None, 5, "in_progress"),
        (99.9999, None, 9.99, "in_progress"),
        (100, None, 10, "completed"),
        (40, "completed", 4, "completed"),
        (40, "waived", 4, "waived"),
        (100, "waived", 10, "waived"),
    ],
)
def test_derive_status(pct, override, value, status):
    assert dp.derive_status(pct, override, value) == status


@given(
    pct=st.floats(min_value=0, max_value=100, allow_nan=False),
    override=st.sampled_from([None, "completed", "waived"]),
    value=st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
def test_status_never_disagrees_with_percentage(pct, override, value):
    status = dp.derive_status(pct, override, value)
    shown = dp.effective_percentage(pct, override)
    assert (status in dp.DONE) == (shown >= 100)
    if status == "not_started":
        assert shown == 0
    if override is None:  # judged on the shown (rounded) percentage: 99.99999999999999 is 100
        assert (status == "completed") == (shown >= 100)


@given(
    credits=st.lists(
        st.floats(min_value=-50, max_value=50, allow_nan=False).map(lambda x: round(x, 2)),
        max_size=30,
    ),
    required=st.floats(min_value=0.5, max_value=500, allow_nan=False),
)
def test_measured_hours_status_follows_percentage(credits, required):
    tgt = target("hours", required_hours=required)
    value, pct = dp.measure(tgt, [C(a) for a in credits])
    status = dp.derive_status(pct, None, value)
    assert 0 <= pct <= 100
    assert (status == "completed") == (pct >= 100)
    assert (status == "not_started") == (pct == 0 and value == 0)


def test_rollup_is_the_mean_over_required_links_only():
    assert dp.rollup([(True, 100), (True, 50), (False, 0)]) == 75
    assert dp.rollup([(False, 100)]) == 0
    assert dp.rollup([(True, 100), (True, 100), (True, 100)]) == 100
    assert dp.rollup([(True, 33.3333), (True, 33.3333), (True, 33.3334)]) == 33.3333


@pytest.mark.parametrize(
    ("current", "pct", "new"),
    [("active", 100, "completed"), ("completed", 99, "active"), ("on_hold", 100, "on_hold"),
     ("withdrawn", 100, "withdrawn"), ("active", 50, "active")],
)  # fmt: skip
def test_enrollment_auto_completes_and_reopens(current, pct, new):
    assert dp.enrollment_status(current, pct) == new


@pytest.mark.parametrize(
    ("enrolled", "days", "explicit", "expected"),
    [
        (date(2024, 2, 29), 365, None, date(2025, 2, 28)),  # leap day + a year of days
        (date(2024, 2, 28), 1, None, date(2024, 2, 29)),
        (date(2023, 2, 28), 1, None, date(2023, 3, 1)),
        (date(2026, 12, 31), 1, None, date(2027, 1, 1)),  # year end
        (date(2026, 12, 1), 31, None, date(2027, 1, 1)),
        (date(2026, 1, 1), None, None, None),  # no time limit
        (date(2026, 1, 1), 30, date(2026, 6, 30), date(2026, 6, 30)),  # explicit wins
    ],
)
def test_enrollment_target_dates(enrolled, days, explicit, expected):
    assert dp.enrollment_target(enrolled, days, explicit) == expected


def test_phase_and_requirement_deadlines():
    assert dp.phase_deadline(date(2028, 2, 29), 1) == date(2028, 3, 1)
    assert dp.phase_deadline(None, 30) is None
    # custom_deadline_days wins over the requirement's time_limit_days
    assert dp.requirement_deadline(date(2026, 12, 31), 10, 90) == date(2027, 1, 10)
    assert dp.requirement_deadline(date(2026, 12, 31), None, 90) == date(2027, 3, 31)
    assert dp.requirement_deadline(date(2026, 12, 31), None, None) is None
    assert dp.is_overdue(date(2026, 12, 31), "in_progress", date(2027, 1, 1))
    assert not dp.is_overdue(date(2026, 12, 31), "in_progress", date(2026, 12, 31))
    assert not dp.is_overdue(date(2026, 12, 31), "waived", date(2027, 1, 1))


def L(i, name, *, phase=None, order=0, req=True, pre=False, status="not_started"):
    return dp.Link(i, name, phase, order, req, pre, status)


def test_sequential_gate_follows_sort_order_of_required_links():
    links = [
        L(1, "A", order=1),
        L(2, "B", order=2),
        L(3, "C", order=3, req=False),
        L(4, "D", order=4),
    ]
    assert dp.credit_blocker(links, 1, structure_type="sequential", current_phase_id=None) is None
    assert "complete 'A' before 'B'" in dp.credit_blocker(
        links, 2, structure_type="sequential", current_phase_id=None
    )
    assert "'A', 'B'" in dp.credit_blocker(
        links, 4, structure_type="sequential", current_phase_id=None
    )
    assert dp.credit_blocker(links, 2, structure_type="flexible", current_phase_id=None) is None
    done = [
        L(1, "A", order=1, status="waived"),
        L(2, "B", order=2, status="completed"),
        links[2],
        links[3],
    ]
    assert dp.credit_blocker(done, 4, structure_type="sequential", current_phase_id=None) is None


def test_prerequisite_link_gates_its_scope():
    links = [
        L(1, "Safety", pre=True),
        L(2, "Hours"),
        L(3, "P2 pre", phase=20, pre=True),
        L(4, "P2 work", phase=20),
    ]
    assert "'Safety' must be completed before 'Hours'" in dp.credit_blocker(
        links, 2, structure_type="flexible", current_phase_id=None
    )
    assert dp.credit_blocker(links, 1, structure_type="flexible", current_phase_id=None) is None
    # the program-level prerequisite gates phases too; the phase's own gates only its phase
    msg = dp.credit_blocker(links, 4, structure_type="flexible", current_phase_id=None)
    assert "'Safety'" in msg and "'P2 pre'" in msg


def test_phase_gate_and_advancement_order():
    p1 = dp.Phase(10, 1, "Orientation")
    p2 = dp.Phase(20, 2, "Skills", prerequisite_ids=frozenset({30}))
    p3 = dp.Phase(30, 3, "Book work")
    phases = [p1, p2, p3]
    assert dp.initial_phase(phases) == p1
    # phase 2 waits for phase 3 (its prerequisite), so 3 comes next
    assert dp.next_phase(phases, p1, {10}) == p3
    assert dp.next_phase(phases, p3, {10, 30}) == p2
    assert dp.next_phase([p1, p3], p3, {10, 30}) is None  # the last phase
    links = [L(1, "x", phase=10), L(2, "y", phase=30)]
    assert "has not started" in dp.credit_blocker(
        links, 2, structure_type="phases", current_phase_id=10, phases=phases
    )


def test_auto_advance_stops_at_manual_phase():
    p1 = dp.Phase(1, 1, "One")
    p2 = dp.Phase(2, 2, "Two", requires_manual_advancement=True)
    p3 = dp.Phase(3, 3, "Three")
    assert dp.auto_advance([p1, p2, p3], 1, {1}) == (2, [p2], None)
    assert dp.auto_advance([p1, p2, p3], 1, {1, 2}) == (2, [p2], p2)
    assert dp.auto_advance([p1, p2, p3], 1, set()) == (1, [], None)
    assert dp.auto_advance([p1, p2, p3], 3, {1, 2, 3}) == (3, [], None)
    assert dp.idle_manual_advancement([p1, p2, p3]) is None


def test_a_last_phase_asking_for_manual_advancement_waits_for_nothing():
    """Nothing follows the last phase: its enrollment completes with its items. It used to
    say the phase 'needs an officer to advance it' while the enrollment had completed, and
    `enroll advance` then refused the completed enrollment."""
    p1 = dp.Phase(1, 1, "One")
    p2 = dp.Phase(2, 2, "Sign-off", requires_manual_advancement=True)
    assert dp.auto_advance([p1, p2], 1, {1, 2}) == (2, [p2], None)
    assert dp.auto_advance([p1, p2], 2, {1, 2}) == (2, [], None)
    assert dp.idle_manual_advancement([p1, p2]) == p2
    # the last by walk order, not by number: 2 needs 3, so 3 comes before it
    p3 = dp.Phase(3, 3, "Three", requires_manual_advancement=True)
    p2_after_3 = dp.Phase(2, 2, "Two", prerequisite_ids=frozenset({3}))
    assert dp.idle_manual_advancement([p1, p2_after_3, p3]) is None
    assert dp.auto_advance([p1, p2_after_3, p3], 3, {1, 3}) == (3, [], p3)


def test_milestones_fire_once():
    thresholds = {1: 25.0, 2: 50.0, 3: 100.0}
    assert dp.crossed(thresholds, 60, ()) == [1, 2]
    assert dp.crossed(thresholds, 60, (1, 2)) == []
    assert dp.crossed(thresholds, 100, (1, 2)) == [3]
    assert dp.crossed({4: 0.0}, 0, ()) == []  # nothing is crossed before any progress


def test_phase_order_and_started_phases():
    p1 = dp.Phase(10, 1, "One")
    p2 = dp.Phase(20, 2, "Two", prerequisite_ids=frozenset({30}))
    p3 = dp.Phase(30, 3, "Three")
    p4 = dp.Phase(40, 4, "Four")
    phases = [p4, p2, p3, p1]
    assert [p.id for p in dp.phase_order(phases)] == [10, 30, 40, 20]
    assert dp.started_phases(phases, 10) == {10}
    assert dp.started_phases(phases, 40) == {10, 30, 40}
    assert dp.started_phases(phases, 20) == {10, 20, 30, 40}
    assert dp.started_phases(phases, None) == set()
    # passed phases take credit (corrections); one not started does not
    links = [L(1, "a", phase=10), L(2, "b", phase=30), L(3, "c", phase=20)]
    kw = {"structure_type": "phases", "current_phase_id": 40, "phases": phases}
    assert dp.credit_blocker(links, 1, **kw) is None
    assert dp.credit_blocker(links, 2, **kw) is None
    assert "phase 2 (Two), which has not started" in dp.credit_blocker(links, 3, **kw)
    # the last phase walked is complete: nothing walked before it is entered again
    assert dp.auto_advance(phases, 20, {10, 20, 30, 40}) == (20, [], None)
    assert dp.auto_advance([p1, p2, p3], 20, {10, 20, 30}) == (20, [], None)
    assert dp.next_phase([p1, p2, p3], p2, {10, 20, 30}, {10, 30}) is None


def test_a_third_is_reached_at_the_rollup_precision():
    assert dp.crossed({1: 100 / 3}, dp.rollup([(True, 100.0), (True, 0.0), (True, 0.0)]), ()) == [1]


# A percentage shown with fewer decimals than it is kept rounds halves up, as a hand
# calculation does (round() rounds them to even: 28.125 -> 28.12), from the exact figures
@pytest.mark.parametrize(("part", "whole", "places", "shown"), [
    (9, 32, 2, 28.13),  # 28.125
    (1, 8, 2, 12.5),
    (1, 3, 2, 33.33),
    (2, 3, 2, 66.67),
    (0.49, 4, 2, 12.25),
    (0.245, 1, 1, 24.5),  # 24.5 exactly; as a float 0.245 x 100 is 24.499999999999996
    (0.2465, 1, 1, 24.7),
    (5, 0, 2, 0.0),
])  # fmt: skip
def test_percent_of_rounds_halves_up_from_the_exact_figures(part, whole, places, shown):
    assert dp.percent_of(part, whole, places) == shown


@pytest.mark.parametrize(("pct", "shown", "text"), [
    (12.25, 12.3, "12.3%"),  # round(): 12.2
    (0.05, 0.1, "0.1%"),  # round(): 0.1 by float luck; halves up, by rule
    (91.6667, 91.7, "91.7%"),
    (50.0, 50.0, "50%"),
    (99.95, 100.0, "100%"),
])  # fmt: skip
def test_every_shown_percentage_rounds_halves_up_alike(pct, shown, text):
    from trainctl.domain.reminders import pct as letter_pct

    assert dp.half_up(pct, 1) == dp.shown_percentage(pct) == shown
    assert dp.pct_text(pct) == text
    if pct < 99:  # (a reminder letter keeps one decimal unless the figure is whole)
        assert letter_pct(pct) == text


_HALF_UP_FIGURES = st.one_of(
    st.integers(0, 4000).map(lambda n: n / 8),  # quarters and eighths of an hour: halves
    st.integers(0, 40000).map(lambda n: n / 100),
    st.floats(0, 5000, allow_nan=False, allow_infinity=False),
)


@given(_HALF_UP_FIGURES, _HALF_UP_FIGURES.filter(lambda w: w >= 0.01), st.sampled_from([0, 1, 2, 4]))
def test_percent_of_is_the_exact_figure_rounded_half_up_whichever_way_it_is_worked_out(part, whole, places):
    """percent_of works a figure far from a half out in floats (a matrix has thousands of
    cells); it is the Decimal figure, halves up, either way."""
    from decimal import ROUND_HALF_UP, Decimal

    want = (dp.exact(part) * 100 / dp.exact(whole)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    assert dp.percent_of(part, whole, places) == float(want)
    assert dp.ratio_percentage(part, whole) == min(100.0, dp.percent_of(part, whole, dp.PCT_PLACES))
