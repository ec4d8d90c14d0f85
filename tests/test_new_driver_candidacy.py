"""ISO-DRIVER-NEW (the new driver/operator's 60 h, once, held by driver_candidate) counts
the training of the candidacy in every view: `report compliance`, `requirement explain`
and `report iso` ask the one evaluator (domain/compliance `_while_held`), and agree.
Real SQLite files, the real CLI."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trainctl.domain import compliance as c

NEW = "ISO-DRIVER-NEW"


def record(cli, day: str, hours: float, course: str) -> None:
    cli("--as-of", "2030-01-01", "record", "add", "D1", "--course", course, "--date", day,
        "--hours", str(hours), "--type", "class", "--category", "driver")  # fmt: skip


def cell(cli, as_of: str) -> dict:
    data = cli("report", "compliance", "--member", "D1", "--requirement", NEW, "--as-of", as_of,
               "-f", "json").json  # fmt: skip
    (only,) = data["cells"]
    return only


def explain(cli, as_of: str) -> str:
    return " ".join(cli("requirement", "explain", "D1", NEW, "--as-of", as_of).stdout.split())


def iso_row(cli, year: int, as_of: str) -> dict:
    data = cli("report", "iso", "--year", str(year), "--as-of", as_of, "-f", "json").json
    return next(r for r in data["rows"] if r["item"] == NEW)


def dan(cli, *positions: str) -> None:
    cli("--as-of", "2025-01-01", "import", "iso")
    cli("--as-of", "2025-01-01", "member", "add", "Dan Driver", "-e", "dd@x.org", "-b", "D1",
        "-p", ",".join(positions), "--hire-date", "2015-01-01")  # fmt: skip


def test_driver_class_taken_before_the_candidacy_counts_in_no_view(cli, snapshot):
    """Dan took 10 h of driver class as a firefighter (10 February) and 30 h as a driver
    candidate (from 1 March). `report iso` said 30 h, `report compliance` and `requirement
    explain` 40 h: two calculators. Now all three say 30 h, and explain lists the
    February class as not counted, saying why."""
    dan(cli, "firefighter")
    cli("--as-of", "2026-03-01", "member", "edit", "D1", "--add-position", "driver_candidate")
    record(cli, "2026-02-10", 10, "Pump ops")
    record(cli, "2026-03-01", 30, "Pump ops II")  # the candidacy's first day counts
    before = snapshot()
    got = cell(cli, "2026-06-01")
    assert (got["value"], got["target"], got["percentage"]) == (30, 60, 50), got
    text = explain(cli, "2026-06-01")
    assert "Counted (1): 2026-03-01 #2 Pump ops II driver 30 h: 30 h" in text, text
    assert (
        "Not counted (1): 2026-02-10 #1 Pump ops driver 10 h: dated 2026-02-10, before the "
        "member held driver_candidate (from 2026-03-01): only what is done while holding it counts"
    ) in text, text
    assert "30 of 60 h = 50%" in text, text
    row = iso_row(cli, 2026, "2026-06-01")
    assert (row["value"], row["target"]) == (30, 60), row
    assert snapshot() == before  # reads write nothing


def test_both_end_days_of_each_stint_count_and_the_days_between_do_not(cli):
    """A candidate from 1 March to 30 April, a firefighter again from 1 May, a candidate
    again from 1 September: what was done on the first and last day of each stint counts,
    what was done between them does not, in every view alike."""
    dan(cli, "firefighter")
    cli("--as-of", "2026-03-01", "member", "edit", "D1", "--add-position", "driver_candidate")
    cli("--as-of", "2026-05-01", "member", "edit", "D1", "--remove-position", "driver_candidate")
    cli("--as-of", "2026-09-01", "member", "edit", "D1", "--add-position", "driver_candidate")
    for day, hours in (("2026-02-28", 1), ("2026-03-01", 2), ("2026-04-30", 4),
                       ("2026-05-01", 8), ("2026-08-31", 16), ("2026-09-01", 32)):  # fmt: skip
        record(cli, day, hours, f"Pump ops {day}")
    got = cell(cli, "2026-10-01")
    assert got["value"] == 2 + 4 + 32, got
    text = explain(cli, "2026-10-01")
    assert "before the member held driver_candidate (from 2026-03-01)" in text, text
    for day in ("2026-05-01", "2026-08-31"):
        assert (f"dated {day}, before the member held driver_candidate again (from 2026-09-01)"
                in text), text  # fmt: skip
    assert "Counted (3):" in text and "Not counted (3):" in text, text
    assert iso_row(cli, 2026, "2026-10-01")["value"] == 38
    # during the first stint, the training of the stint so far
    assert cell(cli, "2026-04-30")["value"] == 6


def test_a_member_who_was_always_a_candidate_counts_everything_as_before(cli):
    """Positions never changed: every driver class counts, as it always did (before the
    day the member was entered too: they are as first known)."""
    dan(cli, "firefighter", "driver_candidate")
    record(cli, "2024-06-01", 10, "Pump ops")
    record(cli, "2026-03-01", 30, "Pump ops II")
    assert cell(cli, "2026-06-01")["value"] == 40
    assert "Not counted" not in explain(cli, "2026-06-01")
    assert iso_row(cli, 2026, "2026-06-01")["value"] == 40


def test_a_program_counts_from_its_enrollment_whatever_the_positions_held(cli):
    """Program progress is left as it was (a guard, not a fix): a program credits what is
    dated from its enrollment on, through the credit feed, and asks nothing of the
    member's positions. An academy for no position, with ISO-DRIVER-NEW, entered by a
    firefighter on 1 February: the 10 h of 10 February count there, while compliance
    counts the candidacy's 30 h."""
    dan(cli, "firefighter")
    cli("--as-of", "2026-03-01", "member", "edit", "D1", "--add-position", "driver_candidate")
    cli("--as-of", "2026-01-01", "program", "create", "Driver academy", "--structure", "flexible")
    cli("--as-of", "2026-01-01", "program", "requirement", "add", "Driver academy", NEW)
    cli("--as-of", "2026-01-01", "program", "activate", "Driver academy")
    cli("--as-of", "2026-02-01", "enroll", "add", "D1", "Driver academy")
    record(cli, "2026-01-20", 5, "Pump ops 0")  # before the enrollment: not the program's
    record(cli, "2026-02-10", 10, "Pump ops")
    record(cli, "2026-03-01", 30, "Pump ops II")
    (row,) = cli("enroll", "show", "1", "-f", "json").json["requirements"]
    assert (row["value"], row["target"]) == (40, 60), row
    assert cell(cli, "2026-06-01")["value"] == 30


# ------------------------------------------------------------------ the one evaluator
SPEC = c.RequirementSpec("New driver", "hours", frequency="one_time", required_hours=6,
                         required_positions=("driver_candidate",), counts_categories=("driver",))  # fmt: skip
START = date(2024, 1, 1)
stints = st.lists(
    st.tuples(st.integers(1, 700), st.booleans(), st.sampled_from(["active", "on_leave"])),
    max_size=4,
)
facts = st.lists(
    st.tuples(st.integers(0, 800), st.sampled_from([0.0, 1.0, 2.5]), st.sampled_from(["driver", "hazmat"])),
    max_size=20,
)


def _member(history, rows, hired: int) -> c.MemberFacts:
    days = sorted({d for d, _, _ in history})
    by_day = {d: (held, status) for d, held, status in history}
    stints_ = tuple(
        c.Stint(START + timedelta(days=d), frozenset({"firefighter", *(["driver_candidate"] if by_day[d][0] else [])}),
                by_day[d][1])
        for d in days
    )  # fmt: skip
    fs = tuple(
        c.Fact(c.TRAINING, i, START + timedelta(days=day), hours=h, category=cat)
        for i, (day, h, cat) in enumerate(rows, 1)  # one id each: the quick path
    )  # fmt: skip
    return c.MemberFacts(1, "M", ("firefighter", "driver_candidate"), "active",
                         START + timedelta(days=hired), facts=fs, history=stints_)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(stints, facts, st.integers(0, 900), st.integers(0, 400))
def test_the_matrix_and_explain_count_the_same_days_held(history, rows, day, hired):
    """The quick path (the matrix, facts bisected) counts the days held as the full path
    (explain) does; with a history, every fact that counted was dated on a day the member
    was subject to it (`_subject_on`), and every one left out for that reason was not."""
    member = _member(history, rows, hired)
    as_of = START + timedelta(days=day)
    full = c.evaluate(member, SPEC, as_of, detail=True)
    quick = c.evaluate(member, SPEC, as_of, detail=False)
    keys = ("status", "reason", "value", "target", "percentage")
    assert {k: getattr(quick, k) for k in keys} == {k: getattr(full, k) for k in keys}
    for v in full.verdicts if member.history else ():  # (none: as before, every day)
        if v.counted:
            assert c._subject_on(member, SPEC, v.fact.date)
        elif v.code == c.NOT_SUBJECT:
            assert not c._subject_on(member, SPEC, v.fact.date)


def test_a_member_without_a_history_counts_every_day():
    """No history on file: the current positions held throughout, as before."""
    member = _member([], [(10, 2.5, "driver"), (400, 2.5, "driver")], 0)
    assert not member.history
    e = c.evaluate(member, SPEC, START + timedelta(days=500))
    assert e.value == 5 and not e.rejected
