"""Skills and checkoffs end to end: the catalog, checkoffs by an officer who is never the
member, history kept, a passed checkoff credits once, hostile --results refused."""

from __future__ import annotations

import pytest

from trainctl.services.skills import category_of, parse_results

AS_OF = ("--as-of", "2026-06-01")


@pytest.fixture
def crew(cli):
    """Two officers, Ann and Bo; Ann enrolled on 2026-01-01 in a program requiring two skills."""
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    cli("member", "add", "Pat Officer", "--email", "pat@fd.org", "--role", "officer")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org")
    cli("requirement", "add", "--name", "Skills", "--type", "skills_evaluation",
        "--skill", "SCBA donning", "--skill", "Ladder raise")  # fmt: skip
    cli("program", "create", "Recruit")
    cli("program", "requirement", "add", "1", "Skills")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Recruit", "--members", "ann@fd.org,olive@fd.org")
    cli("skill", "add", "SCBA donning", "--category", "firefighting", "--criterion", "Mask on under 60 s",
        "--criterion", "Seal check", "--passing", "Every criterion met", "--program", "Recruit")  # fmt: skip
    cli("skill", "add", "Ladder raise", "--category", "Firefighting")
    cli("skill", "add", "Patient assessment", "--category", "ems")
    return cli


def _skills_progress(cli, enrollment: int = 1) -> float:
    return cli("--format", "json", "enroll", "show", str(enrollment)).json["requirements"][0]["value"]


def test_the_catalog(crew):
    skills = crew("--format", "json", "skill", "list").json
    assert [(s["name"], s["category"]) for s in skills] == [
        ("Patient assessment", "EMS"), ("Ladder raise", "Firefighting"), ("SCBA donning", "Firefighting"),
    ]  # fmt: skip
    shown = crew("--format", "json", "skill", "show", "scba  DONNING").json
    assert shown["evaluation_criteria"] == ["Mask on under 60 s", "Seal check"]
    assert shown["passing_requirements"] == "Every criterion met"
    assert shown["programs"] == ["Recruit v1"] and shown["checkoffs"] == []
    assert [s["name"] for s in crew("--format", "json", "skill", "list", "--category", "EMS").json] == [
        "Patient assessment"
    ]
    r = crew("skill", "add", "Scba Donning", ok=False)
    assert r.exit_code == 65 and "exists already" in r.stderr
    assert crew("skill", "show", "id:99", ok=False).exit_code == 1


def test_a_checkoff_by_an_officer_credits_and_history_is_kept(crew):
    r = crew(*AS_OF, "--as", "olive@fd.org", "skill", "checkoff", "ann@fd.org", "SCBA donning",
             "--result", "failed", "--results", '{"time_seconds": 75}', "--date", "2026-05-01")  # fmt: skip
    assert "Recorded checkoff 1" in r.stderr and "Credited" not in r.stderr
    assert _skills_progress(crew) == 0
    r = crew(*AS_OF, "--as", "pat@fd.org", "skill", "checkoff", "0042", "1", "--result", "needs_retest")
    r = crew(*AS_OF, "--as", "olive@fd.org", "skill", "checkoff", "ann@fd.org", "scba donning",
             "--result", "passed", "--results", '{"time_seconds": 52, "seal": true}', "--notes", "Clean")  # fmt: skip
    assert "Credited 1 progress row for 1 member" in r.stderr
    assert _skills_progress(crew) == 1
    # the very same evaluation again adds nothing
    r = crew(*AS_OF, "--as", "olive@fd.org", "skill", "checkoff", "ann@fd.org", "scba donning",
             "--result", "passed", "--results", '{"seal": true, "time_seconds": 52}', "--notes", "Clean")  # fmt: skip
    assert "recorded already (checkoff 3)" in r.stderr
    history = crew("--format", "json", "skill", "show", "SCBA donning").json["checkoffs"]
    assert [(h["status"], h["evaluator"], str(h["evaluated_on"])) for h in history] == [
        ("passed", "Olive Officer", "2026-06-01"), ("needs_retest", "Pat Officer", "2026-06-01"),
        ("failed", "Olive Officer", "2026-05-01"),
    ]  # fmt: skip
    assert history[0]["evaluation_results"] == {"time_seconds": 52, "seal": True}
    passed = crew("--format", "json", "skill", "history", "--result", "passed").json
    assert [(h["member"], h["skill"]) for h in passed] == [("Ann Lee", "SCBA donning")]
    assert crew("--format", "json", "skill", "list").json[2]["passed"] == 1


def test_an_evaluator_is_refused_on_their_own_checkoff(crew, snapshot):
    before = snapshot()
    r = crew(*AS_OF, "--as", "olive@fd.org", "skill", "checkoff", "olive@fd.org", "Ladder raise",
             "--result", "passed", ok=False)  # fmt: skip
    assert r.exit_code == 77 and "Nobody evaluates their own skills" in r.stderr
    assert snapshot() == before
    # another officer may
    crew(*AS_OF, "--as", "pat@fd.org", "skill", "checkoff", "olive@fd.org", "Ladder raise", "--result", "passed")
    assert _skills_progress(crew, 2) == 1


def test_members_may_not_record_checkoffs_and_see_only_their_own(crew, snapshot):
    crew(*AS_OF, "skill", "checkoff", "bo@fd.org", "Ladder raise", "--result", "passed")  # the owner
    crew(*AS_OF, "skill", "checkoff", "ann@fd.org", "Ladder raise", "--result", "failed")
    before = snapshot()
    r = crew(*AS_OF, "--as", "bo@fd.org", "skill", "checkoff", "ann@fd.org", "Ladder raise",
             "--result", "passed", ok=False)  # fmt: skip
    assert r.exit_code == 77 and snapshot() == before
    mine = crew("--as", "bo@fd.org", "--format", "json", "skill", "history").json
    assert [(h["member"], h["evaluator"], h["evaluator_id"]) for h in mine] == [("Bo Diaz", None, None)]
    assert crew("--as", "bo@fd.org", "skill", "history", "--member", "ann@fd.org", ok=False).exit_code == 77
    assert crew("--as", "bo@fd.org", "skill", "add", "Knots", ok=False).exit_code == 77


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("--result", "great"), "--result: is one of passed, failed, needs_retest"),
        (("--result", "passed", "--results", "[1, 2]"), "--results: must be a JSON object"),
        (("--result", "passed", "--results", "{bad"), "--results: line 1, column 2: not valid JSON"),
        (("--result", "passed", "--results", '{"t": NaN}'), "--results: NaN is not a number JSON allows"),
        (("--result", "passed", "--results", '{"t": 1e999}'), "--results: has a number out of range"),
        (("--result", "passed", "--results", '{"a": ' * 50 + "1" + "}" * 50), "--results: is nested too deeply"),
        (("--result", "passed", "--results", '{"a": "\\u001b[31m"}'), "--results: has a value that contains a control"),
        (("--result", "passed", "--date", "2026-06-02"), "--date: 2026-06-02 is after today"),
        (("--result", "passed", "--date", "9999-12-31"), "--date: year 9999 is out of range"),
    ],
)  # fmt: skip
def test_bad_checkoff_input_is_refused_and_writes_nothing(crew, snapshot, args, text):
    before = snapshot()
    r = crew(*AS_OF, "skill", "checkoff", "ann@fd.org", "Ladder raise", *args, ok=False)
    assert r.exit_code == 65 and text in r.stderr, r
    assert snapshot() == before


def test_a_checkoff_dated_before_the_hire_date_is_recorded_and_said(crew):
    """A recruit added tonight for Monday's academy, evaluated "--date" a day before the
    hire date (a typo, or a pre-hire academy): recorded as given and said, as `record`,
    `cert`, `shift` and `call` say it; nothing said for a date on or after the hire."""
    crew("--as-of", "2026-03-01", "member", "add", "Pia Recruit", "--email", "pia@fd.org",
         "--hire-date", "2026-03-02")  # fmt: skip
    r = crew("--as", "olive@fd.org", "--as-of", "2026-03-05", "skill", "checkoff", "pia@fd.org",
             "SCBA donning", "--result", "passed", "--date", "2026-03-01")  # fmt: skip
    assert ("Pia Recruit was hired on 2026-03-02, after the evaluation date 2026-03-01: recorded as "
            "given; check --date.") in " ".join(r.stderr.split()), r.stderr  # fmt: skip
    r = crew("--as", "olive@fd.org", "--as-of", "2026-03-05", "skill", "checkoff", "pia@fd.org",
             "Ladder raise", "--result", "passed", "--date", "2026-03-02")  # fmt: skip
    assert "was hired on" not in r.stderr, r.stderr


def test_pure_helpers():
    assert category_of("  officer ") == "Officer" and category_of("Hazmat") == "Hazmat"
    assert parse_results('{"time": 58.5, "notes": ["ok", ""]}') == {"time": 58.5, "notes": ["ok", ""]}
    with pytest.raises(ValueError, match="at most"):
        parse_results('{"a": "' + "x" * 30_000 + '"}')
