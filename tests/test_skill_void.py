"""`skill void`: a checkoff recorded by mistake is kept (who, when, why), leaves the history,
and its credit is reversed, both on program progress and in the compliance matrix; a second
void, a missing reason, an unknown id and a plain member change nothing."""

from __future__ import annotations

import json

import pytest

AS_OF = ("--as-of", "2026-06-01")
OLIVE = ("--as", "olive@fd.org")


@pytest.fixture
def crew(cli, db):
    """Officer Olive; Ann enrolled on 2026-01-01 in Recruit (requires SCBA donning and Ladder
    raise); an annual skills_evaluation requirement on SCBA donning for everyone."""
    cli.db = db
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org")
    cli("requirement", "add", "--name", "Skills", "--type", "skills_evaluation",
        "--skill", "SCBA donning", "--skill", "Ladder raise")  # fmt: skip
    cli("requirement", "add", "--name", "SCBA annual", "--type", "skills_evaluation",
        "--skill", "SCBA donning", "--frequency", "annual")  # fmt: skip
    cli("program", "create", "Recruit")
    cli("program", "requirement", "add", "1", "Skills")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "add", "ann@fd.org", "Recruit")
    cli("skill", "add", "SCBA donning", "--category", "Firefighting")
    cli("skill", "add", "Ladder raise", "--category", "Firefighting")
    return cli


def _progress(cli) -> float:
    return cli("--format", "json", "enroll", "show", "1").json["requirements"][0]["value"]


def _cell(cli) -> dict:
    data = cli("report", "compliance", "--member", "ann@fd.org", "--requirement", "SCBA annual",
               *AS_OF, "--format", "json").json  # fmt: skip
    (only,) = data["cells"]
    return only


def _history(cli) -> list[tuple[int, str, str]]:
    rows = cli("--format", "json", "skill", "history", "--member", "ann@fd.org").json
    return [(h["id"], h["skill"], h["status"]) for h in rows]


def _checkoff(cli, result: str = "passed", skill: str = "SCBA donning"):
    return cli(*AS_OF, *OLIVE, "skill", "checkoff", "ann@fd.org", skill, "--result", result)


def test_a_void_reverses_the_program_credit_and_the_compliance_cell(crew):
    _checkoff(crew)
    assert _progress(crew) == 1 and _cell(crew)["status"] == "met"
    r = crew(*AS_OF, *OLIVE, "skill", "void", "1", "--reason", "wrong member")
    assert "Voided checkoff 1; reversed 1 credit." in r.stderr, r
    assert _progress(crew) == 0
    cell = _cell(crew)
    assert (cell["status"], cell["value"]) == ("overdue", 0), cell
    # kept, stamped, audited; gone from the history and the catalog's count
    olive = crew.db.scalar("SELECT id FROM member WHERE email = 'olive@fd.org'")
    row = crew.db.dicts("SELECT voided_by, void_reason, voided_at FROM skill_checkoff WHERE id = 1")
    assert [(d["voided_by"], d["void_reason"]) for d in row] == [(olive, "wrong member")]
    assert row[0]["voided_at"] is not None
    audits = crew.db.dicts("SELECT actor_id, entity, entity_id, detail FROM audit_log WHERE action = 'skill.void'")
    assert [(a["actor_id"], a["entity"], a["entity_id"]) for a in audits] == [(olive, "skill_checkoff", 1)]
    ann = crew.db.scalar("SELECT id FROM member WHERE email = 'ann@fd.org'")  # named, as a card's void
    assert json.loads(audits[0]["detail"]) == {"member_id": ann, "reason": "wrong member", "reversed": 1}
    assert _history(crew) == []
    # ... and found again with --include-void, marked
    kept = crew("--format", "json", "skill", "history", "--member", "ann@fd.org", "--include-void").json
    assert [h["id"] for h in kept] == [1] and kept[0]["voided_at"]
    assert (kept[0]["void_reason"], kept[0]["voided_by"]) == ("wrong member", olive)
    shown = crew("skill", "history", "--include-void", "--format", "csv").stdout
    assert shown.splitlines()[0].endswith(",void") and shown.splitlines()[1].endswith(",void: wrong member")
    assert crew("--format", "json", "skill", "show", "SCBA donning").json["checkoffs"] == []
    assert [s["passed"] for s in crew("--format", "json", "skill", "list").json] == [0, 0]
    # the same evaluation recorded again is a new checkoff (the void one does not count) and credits again
    r = _checkoff(crew)
    assert "Recorded checkoff 2" in r.stderr and "recorded already" not in r.stderr
    assert _progress(crew) == 1 and _cell(crew)["status"] == "met"


def test_voiding_twice_changes_nothing(crew, snapshot):
    _checkoff(crew)
    crew(*AS_OF, "skill", "void", "1", "--reason", "wrong member")
    before = snapshot()
    r = crew(*AS_OF, "skill", "void", "1", "--reason", "again")
    assert "Checkoff 1 was already void (since " in r.stderr and "nothing changed" in r.stderr, r
    assert snapshot() == before
    assert crew("-q", *AS_OF, "skill", "void", "1", "--reason", "again").stderr == ""
    assert snapshot() == before
    assert crew.db.scalar("SELECT count(*) FROM audit_log WHERE action = 'skill.void'") == 1


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        ((), 2, "Missing option '--reason'"),
        (("--reason", ""), 2, "A void needs a reason."),
        (("--reason", "   "), 2, "A void needs a reason."),
        (("--reason", "bad\x1b[31m"), 65, "--reason"),
    ],
)
def test_a_void_needs_a_reason(crew, snapshot, args, code, text):
    _checkoff(crew)
    before = snapshot()
    r = crew(*AS_OF, "skill", "void", "1", *args, ok=False)
    assert r.exit_code == code and text in r.stderr, r
    assert snapshot() == before and _progress(crew) == 1


@pytest.mark.parametrize("ref", ["99", "abc", "0", "99999999999999999999999"])
def test_an_unknown_checkoff_is_named(crew, snapshot, ref):
    _checkoff(crew)
    before = snapshot()
    r = crew(*AS_OF, "skill", "void", ref, "--reason", "typo", ok=False)
    assert r.exit_code == 1 and f"No skill checkoff {ref!r}." in r.stderr, r
    assert "`trainctl skill history` shows the checkoffs with their ids." in r.stderr
    assert snapshot() == before


def test_a_plain_member_may_not_void(crew, snapshot):
    _checkoff(crew)
    before = snapshot()
    for who in ("bo@fd.org", "ann@fd.org"):  # another member, and the member evaluated
        r = crew(*AS_OF, "--as", who, "skill", "void", "1", "--reason", "I disagree", ok=False)
        assert r.exit_code == 77 and "may not void skill checkoffs" in r.stderr, r
    assert snapshot() == before and _progress(crew) == 1


def test_a_wrong_failed_checkoff_is_voided_and_recorded_again_as_passed(crew):
    r = _checkoff(crew, "failed")
    assert "Recorded checkoff 1" in r.stderr and _progress(crew) == 0
    r = crew(*AS_OF, *OLIVE, "skill", "void", "1", "--reason", "entered the wrong result")
    assert "Voided checkoff 1; reversed 0 credits." in r.stderr, r
    r = _checkoff(crew, "passed")
    assert "Recorded checkoff 2" in r.stderr and "Credited 1 progress row" in r.stderr, r
    assert _history(crew) == [(2, "SCBA donning", "passed")]
    assert _progress(crew) == 1 and _cell(crew)["status"] == "met"


def test_nobody_voids_an_evaluation_of_themselves(crew, snapshot):
    """Olive failed her SCBA donning, evaluated by another officer: voiding it herself would
    be as good as evaluating herself (which `skill checkoff` refuses)."""
    crew("member", "add", "Pat Officer", "--email", "pat@fd.org", "--role", "officer")
    crew(*AS_OF, "--as", "pat@fd.org", "skill", "checkoff", "olive@fd.org", "SCBA donning", "--result", "failed")
    before = snapshot()
    r = crew(*AS_OF, *OLIVE, "skill", "void", "1", "--reason", "bad day", ok=False)
    assert r.exit_code == 77 and "Nobody voids an evaluation of their own skills." in r.stderr, r
    assert snapshot() == before
    assert "Voided checkoff 1" in crew(*AS_OF, "--as", "pat@fd.org", "skill", "void", "1", "--reason", "typo").stderr
