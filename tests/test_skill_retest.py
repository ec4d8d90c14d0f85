"""The latest evaluation of a skill decides (domain/skills): a failed or needs_retest
checkoff after a pass takes the skill back until the member passes again, in compliance,
`requirement explain`, program progress (through the ledger) and `skill list`'s count.

An officer saw a probie who failed SCBA donning on 20 November still MET on the annual
SCBA checkoff, the failure listed as "not counted" under the March pass, and counted among
the members who passed."""

from __future__ import annotations

from datetime import date

import pytest

from trainctl.domain import skills as dsk

OFFICER = ("--as", "O-1")
REQ = "Annual SCBA checkoff"


@pytest.fixture
def dept(cli):
    """Officer Ann (O-1); Sam (P-1), enrolled on 2026-02-01 in Probie, which requires the
    annual SCBA checkoff (everyone's, by the calendar year)."""
    cli("member", "add", "Ann Officer", "--email", "ao@x.example", "--badge", "O-1", "--position", "officer",
        "--role", "officer", "--hire-date", "2010-01-01")  # fmt: skip
    cli("member", "add", "Sam Probie", "--email", "sp@x.example", "--badge", "P-1", "--position",
        "probationary", "--hire-date", "2026-01-05")  # fmt: skip
    cli("skill", "add", "SCBA donning", "-c", "Firefighting")
    cli("requirement", "add", "-n", REQ, "-t", "skills_evaluation", "--skill", "SCBA donning",
        "--frequency", "annual")  # fmt: skip
    cli("program", "create", "Probie")
    cli("program", "requirement", "add", "Probie", REQ)
    cli("program", "activate", "Probie")
    cli("--as-of", "2026-02-01", "enroll", "add", "P-1", "Probie")
    return cli


def checkoff(cli, result: str, day: str, as_of: str = "2026-12-04"):
    return cli("--as-of", as_of, *OFFICER, "skill", "checkoff", "P-1", "SCBA donning", "-r", result, "-d", day)


def explain(cli, as_of: str = "2026-12-04") -> dict:
    return cli("--as-of", as_of, "--format", "json", "requirement", "explain", "P-1", REQ).json


def cell(cli, as_of: str = "2026-12-04") -> dict:
    data = cli("--as-of", as_of, "--format", "json", "report", "compliance", "--member", "P-1",
               "--requirement", REQ).json  # fmt: skip
    (only,) = data["cells"]
    return only


def progress(cli) -> float:
    return cli("--format", "json", "enroll", "show", "1").json["requirements"][0]["value"]


def passed(cli) -> int:
    (skill,) = cli("--format", "json", "skill", "list").json
    return skill["passed"]


def ledger(cli) -> list[tuple[str, float]]:
    rows = cli("--format", "json", "progress", "log", "1").json
    return [(r["source_id"], r["amount"]) for r in rows if r["source"] == "skill_checkoff"]


@pytest.mark.parametrize("result", ["failed", "needs_retest"])
def test_a_later_failure_takes_the_skill_back_everywhere(dept, result):
    checkoff(dept, "passed", "2026-03-01")
    assert cell(dept)["status"] == "met" and progress(dept) == 1 and passed(dept) == 1
    r = checkoff(dept, result, "2026-11-20")
    assert "Took back 1 credit of an earlier pass" in r.stderr, r
    assert cell(dept)["status"] != "met" and cell(dept)["value"] == 0
    e = explain(dept)
    said = "failed" if result == "failed" else "marked needs retest"
    pass_fact = next(f for f in e["facts"] if f["date"] == "2026-03-01")
    assert not pass_fact["counted"] and pass_fact["code"] == "taken_back"
    assert pass_fact["reason"] == f"{said} on 2026-11-20 after this pass"
    assert progress(dept) == 0  # a reversing ledger entry, history kept
    assert passed(dept) == 0
    # a later pass gives the skill back
    r = checkoff(dept, "passed", "2026-12-01")
    assert "Credited 1 progress row" in r.stderr, r
    assert cell(dept)["status"] == "met" and progress(dept) == 1 and passed(dept) == 1
    assert [f["code"] for f in explain(dept)["facts"]] == ["taken_back", "not_passed", "counted"]


def test_the_ledger_takes_back_and_gives_back_with_entries(dept):
    checkoff(dept, "passed", "2026-03-01")
    checkoff(dept, "failed", "2026-11-20")
    assert ledger(dept) == [("1", 1.0), ("1:recredit:1", -1.0)]
    # the failure was entered by mistake: voided, the March pass stands again
    r = dept("--as-of", "2026-12-04", *OFFICER, "skill", "void", "2", "--reason", "wrong member")
    assert "1 credit added" in r.stderr, r
    assert progress(dept) == 1 and cell(dept)["status"] == "met" and passed(dept) == 1
    assert ledger(dept) == [("1", 1.0), ("1:recredit:1", -1.0), ("1:recredit:2", 1.0)]
    # then the pass itself is voided: exactly what is left is reversed
    dept("--as-of", "2026-12-04", *OFFICER, "skill", "void", "1", "--reason", "wrong member")
    assert progress(dept) == 0
    assert sum(a for _, a in ledger(dept)) == 0


def test_a_failure_before_the_pass_or_of_another_skill_takes_nothing_back(dept):
    dept("skill", "add", "Ladder raise", "-c", "Firefighting")
    checkoff(dept, "passed", "2026-03-01")
    checkoff(dept, "failed", "2026-02-20")  # entered late, dated before the pass
    dept("--as-of", "2026-12-04", *OFFICER, "skill", "checkoff", "P-1", "Ladder raise", "-r", "failed",
         "-d", "2026-11-20")  # fmt: skip
    assert cell(dept)["status"] == "met" and progress(dept) == 1
    assert [s["passed"] for s in dept("--format", "json", "skill", "list").json] == [0, 1]


def test_a_pass_entered_late_before_a_failure_credits_nothing(dept):
    checkoff(dept, "failed", "2026-11-20")
    r = checkoff(dept, "passed", "2026-03-01")
    assert "Credited" not in r.stderr, r
    assert progress(dept) == 0 and cell(dept)["value"] == 0 and passed(dept) == 0
    # a new enrollment takes only what stands on file
    dept("program", "create", "Refresher")
    dept("program", "requirement", "add", "Refresher", REQ)
    dept("program", "activate", "Refresher")
    dept("--as-of", "2026-02-01", "enroll", "add", "P-1", "Refresher")
    assert dept("--format", "json", "enroll", "show", "2").json["requirements"][0]["value"] == 0


def test_as_of_a_day_before_the_failure_the_pass_stands(dept):
    checkoff(dept, "passed", "2026-03-01")
    checkoff(dept, "failed", "2026-11-20")
    assert cell(dept, "2026-11-19")["status"] == "met"
    e = explain(dept, "2026-11-19")
    assert [(f["date"], f["code"]) for f in e["facts"] if f["counted"]] == [("2026-03-01", "counted")]
    assert cell(dept, "2026-11-20")["status"] != "met"


def test_a_failure_entered_as_of_an_earlier_day_takes_nothing_back_of_a_later_pass(dept):
    """The ledger judges as of the command's day: on 2026-06-01 a failure of that day takes
    back the March pass; the pass of 2026-07-01 gives it back."""
    checkoff(dept, "passed", "2026-03-01", as_of="2026-06-01")
    checkoff(dept, "failed", "2026-06-01", as_of="2026-06-01")
    assert progress(dept) == 0
    checkoff(dept, "passed", "2026-07-01", as_of="2026-07-01")
    assert progress(dept) == 1


def test_a_retest_passed_the_day_of_the_failure_is_recorded_and_counts(dept):
    """An academy day: pass, needs_retest, then the retest passed ten minutes later by the
    same evaluator. The retest was answered "recorded already (checkoff 1); nothing
    changed" and Sam stayed failed: it was matched with the pass before the failure."""
    checkoff(dept, "passed", "2026-12-04")
    checkoff(dept, "needs_retest", "2026-12-04")
    assert progress(dept) == 0
    r = checkoff(dept, "passed", "2026-12-04")
    assert "Recorded checkoff 3" in r.stderr and "recorded already" not in r.stderr, r
    history = dept("--format", "json", "skill", "history", "--member", "P-1").json
    assert sorted((h["id"], h["status"]) for h in history) == [(1, "passed"), (2, "needs_retest"), (3, "passed")]
    assert progress(dept) == 1 and cell(dept)["status"] == "met" and passed(dept) == 1
    # the retest entered twice by accident is still one evaluation
    r = checkoff(dept, "passed", "2026-12-04")
    assert "recorded already (checkoff 3)" in r.stderr, r
    # ... and so is a pass entered again for an earlier day that nothing superseded on that day
    checkoff(dept, "passed", "2026-03-01")
    r = checkoff(dept, "passed", "2026-03-01")
    assert "recorded already (checkoff 4)" in r.stderr, r
    assert len(dept("--format", "json", "skill", "history", "--member", "P-1").json) == 4


def test_the_rule():
    E = dsk.Evaluation
    d = date.fromisoformat
    p1, f1 = E(1, 7, "scba", d("2026-03-01"), "passed"), E(2, 7, "scba", d("2026-11-20"), "failed")
    p2 = E(3, 7, "scba", d("2026-11-20"), "passed")  # the same day, entered after: stands
    other = E(4, 8, "scba", d("2026-12-01"), "needs_retest")  # another member's
    ladder = E(5, 7, "ladder", d("2026-12-01"), "failed")  # another skill
    assert dsk.taken_back([p2, ladder, f1, p1, other]) == {1: f1}
    assert dsk.standing([p1, f1, p2, other, ladder]) == [p2]
    assert dsk.standing([p1, f1], as_of=d("2026-11-19")) == [p1]
    assert dsk.stands(f1, d("2026-11-19")) and not dsk.stands(f1, d("2026-11-20"))
    assert dsk.stands(None) and not dsk.stands(f1)
    # entry order decides within a day: a failure entered after a pass of its day
    assert dsk.taken_back([E(9, 7, "x", d("2026-01-01"), "passed"), E(10, 7, "x", d("2026-01-01"), "failed")])
    assert dsk.took_back(E(6, 7, "x", d("2026-11-20"), "needs_retest")) == (
        "marked needs retest on 2026-11-20 after this pass"
    )
