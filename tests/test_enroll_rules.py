"""Enrollment rules found in review: one open enrollment per program LINE (all versions),
the spec's concurrency message with the blocking program named, phase deadlines flagged,
waived rows shown as waived, consistent JSON, and bulk ids found by key, not by clock."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from enroll_helpers import Dept

from trainctl.services.enrollment import CONCURRENT_MESSAGE


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def show(cli, eid: int = 1, *pre: str) -> dict:
    return cli(*pre, "--format", "json", "enroll", "show", str(eid)).json


# --------------------------------------------------------------------------------- lineage
def _two_versions(dept: Dept, *, lineage_on_first: bool) -> tuple[int, int]:
    """Seq v1 and its duplicate Seq v2 (same lineage). A first version may carry its own
    id as lineage_id, or none (older rows): both must count as the same line."""
    v1 = dept.program("Seq", version=1)
    if lineage_on_first:
        with dept.engine.begin() as c:
            c.execute(sa.text("UPDATE program SET lineage_id = id WHERE id = :i"), {"i": v1})
    v2 = dept.program("Seq", version=2, lineage_id=v1)
    rid = dept.requirement("Seq hours", "hours")
    dept.link(v1, rid)
    dept.link(v2, rid)
    return v1, v2


@pytest.mark.parametrize("lineage_on_first", [True, False])
def test_a_member_is_open_in_one_version_of_a_program_line_at_most(
    cli, dept, snapshot, lineage_on_first
):
    m3 = dept.member("Mia Three", badge="M3")
    _, v2 = _two_versions(dept, lineage_on_first=lineage_on_first)
    cli("enroll", "add", "M3", "Seq@1")
    before = snapshot()
    r = cli("enroll", "add", "M3", "Seq@2", ok=False)
    assert r.exit_code == 1
    assert "Mia Three is already enrolled in 'Seq' (v1, enrollment 1)." in r.stderr
    assert "withdraw enrollment 1 first" in r.stderr
    r = cli("enroll", "bulk", "Seq@2", "--members", "M3", ok=False)
    assert r.exit_code == 1
    assert "item 1: M3: Mia Three is already enrolled in 'Seq' (v1, enrollment 1)." in r.stderr
    assert snapshot() == before
    # once withdrawn from v1, v2 is open to them
    cli("enroll", "withdraw", "1")
    r = cli("--format", "json", "enroll", "add", str(m3), "Seq@2")
    assert (r.json["program_id"], r.json["program_version"]) == (v2, 2)


def test_other_program_lines_are_not_confused_with_the_same_line(cli, dept):
    dept.member("Mia Three", badge="M3")
    _two_versions(dept, lineage_on_first=False)
    dept.simple_program("Other")  # no lineage: a line of its own
    cli("enroll", "add", "M3", "Seq@1")
    cli("enroll", "add", "M3", "Other")


# ----------------------------------------------------------------------------- concurrency
def test_concurrency_refusal_keeps_the_spec_message_and_names_the_blocker(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Academy")
    dept.simple_program("Recruit", allows_concurrent_enrollment=False)
    cli("enroll", "add", str(ann), "Academy")
    before = snapshot()
    r = cli("enroll", "add", str(ann), "Recruit", ok=False)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == f"Error: {CONCURRENT_MESSAGE}"
    assert "Hint: Ann Lee is enrolled in 'Academy' v1 (enrollment 1)" in r.stderr
    r = cli("enroll", "bulk", "Recruit", "--members", str(ann), ok=False)
    assert f"item 1: {ann}: {CONCURRENT_MESSAGE} (enrolled in 'Academy' v1 (enrollment 1))" in (
        r.stderr
    )
    assert snapshot() == before


def test_an_exclusive_other_program_names_its_enrollment(cli, dept):
    ann = dept.member("Ann Lee")
    dept.simple_program("Academy", allows_concurrent_enrollment=False)
    dept.simple_program("Recruit")
    cli("enroll", "add", str(ann), "Academy")
    r = cli("enroll", "add", str(ann), "Recruit", ok=False)
    assert "which does not allow concurrent enrollment" in r.stderr
    assert "Hint: Ann Lee is in enrollment 1" in r.stderr


# -------------------------------------------------------------------------- phase deadline
def test_an_overdue_phase_is_flagged_in_show_and_json(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1 = dept.phase(pid, 1, "Orientation", time_limit_days=14, manual=True)
    p2 = dept.phase(pid, 2, "Skills")
    dept.link(pid, dept.requirement("H1", "hours"), phase_id=p1)
    dept.link(pid, dept.requirement("H2", "hours"), phase_id=p2)
    cli("--as-of", "2026-12-15", "enroll", "add", str(ann), "Recruit")
    on_time = show(cli, 1, "--as-of", "2026-12-29")  # the deadline day itself is on time
    assert (on_time["phase_deadline"], on_time["phase_overdue"]) == ("2026-12-29", False)
    late = show(cli, 1, "--as-of", "2027-01-15")  # across the year end
    assert late["phase_overdue"] is True
    table = cli("--as-of", "2027-01-15", "enroll", "show", "1").stdout
    assert "2026-12-29 OVERDUE" in table
    # its required items done (waiting for the officer's advance): no longer overdue
    cli("--as-of", "2027-01-15", "progress", "update", "1", "--set", "10")
    assert show(cli, 1, "--as-of", "2027-01-15")["phase_overdue"] is False
    assert "OVERDUE" not in cli("--as-of", "2027-01-15", "enroll", "show", "1").stdout


def test_a_leap_day_phase_deadline(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases")
    p1 = dept.phase(pid, 1, "Orientation", time_limit_days=1)
    dept.link(pid, dept.requirement("H1", "hours"), phase_id=p1)
    cli("--as-of", "2028-02-28", "enroll", "add", str(ann), "Recruit")
    assert show(cli, 1, "--as-of", "2028-02-29")["phase_deadline"] == "2028-02-29"
    assert show(cli, 1, "--as-of", "2028-02-29")["phase_overdue"] is False
    assert show(cli, 1, "--as-of", "2028-03-01")["phase_overdue"] is True


# --------------------------------------------------------------------------------- display
def test_waived_and_signed_off_rows_show_their_measured_value(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit")
    dept.link(pid, dept.requirement("Hours5", "hours", required_hours=5))
    dept.link(pid, dept.requirement("Calls4", "calls", required_calls=4))
    dept.link(pid, dept.requirement("Full", "hours", required_hours=1))
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--add", "2")
    cli("progress", "update", "1", "--waive", "--reason", "prior service")
    cli("progress", "update", "2", "--add", "1")
    cli("progress", "update", "2", "--status", "completed", "--reason", "transfer")
    cli("progress", "update", "3", "--set", "1")
    cli("progress", "update", "3", "--waive", "--reason", "x")  # waived at 100%: nothing to add
    rows = {r["requirement"]: r for r in show(cli)["requirements"]}
    assert (rows["Hours5"]["value"], rows["Hours5"]["percentage"]) == (2, 100)
    assert (rows["Hours5"]["override"], rows["Hours5"]["measured_percentage"]) == ("waived", 40)
    assert (rows["Calls4"]["override"], rows["Calls4"]["measured_percentage"]) == (
        "completed",
        25,
    )
    cells = {
        c[2]: c
        for line in cli("enroll", "show", "1").stdout.splitlines()
        if len(c := [x.strip() for x in line.split("│")]) > 3
    }
    # ID, requirement, bar, value / target, %, status
    assert cells["Hours5"][4:7] == ["2 / 5 h (waived)", "100", "waived"]
    assert cells["Calls4"][4:7] == ["1 / 4 calls (signed off)", "100", "completed (signed off)"]
    assert cells["Full"][4:7] == ["1 / 1 h", "100", "waived"]  # nothing hidden: 1 / 1 is 100%


def test_progress_is_written_alike_in_add_show_and_list_json(cli, dept):
    """One spelling of the figure in every JSON (README: a whole figure without a decimal
    point, render.figure); it was 0.0 here by its own rule, 12 and 12.0 elsewhere."""
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit")
    added = cli("--format", "json", "enroll", "add", str(ann), "Recruit").stdout
    shown = cli("--format", "json", "enroll", "show", "1").stdout
    listed = cli("--format", "json", "enroll", "list").stdout
    assert '"progress": 0,' in added and '"progress": 0,' in shown
    assert '"progress": 0,' in listed


# ----------------------------------------------------------------------------------- bulk
def test_bulk_finds_new_ids_by_member_and_program_not_by_the_clock(dept, monkeypatch):
    """An earlier enrollment stamped with the same instant is not mistaken for a new one."""
    from trainctl.db import session_scope
    from trainctl.models import Member, utcnow
    from trainctl.services.auth import OWNER
    from trainctl.services.enrollment import enroll as svc

    frozen = utcnow()
    monkeypatch.setattr(svc, "utcnow", lambda: frozen)
    old, a, b = (
        dept.member("Old One", badge="O"),
        dept.member("A", badge="A"),
        dept.member("B", badge="B"),
    )
    dept.simple_program("Recruit")
    with session_scope(dept.engine) as s:
        svc.enroll_member(s, OWNER, s.get(Member, old), svc.get_program(s, "Recruit"),
                          today=date(2026, 1, 1))  # fmt: skip
    with dept.engine.begin() as c:
        c.execute(sa.text("UPDATE enrollment SET status = 'withdrawn'"))
    with session_scope(dept.engine) as s:
        result = svc.bulk_enroll(
            s, OWNER, svc.get_program(s, "Recruit"), [svc.Request("i1", "A"), svc.Request("i2", "B")],
            today=date(2026, 1, 1),
        )  # fmt: skip
    assert [o.enrollment_id for o in result.enrolled] == [2, 3]
    assert dept.rows("SELECT id, member_id FROM enrollment ORDER BY id") == [
        (1, old),
        (2, a),
        (3, b),
    ]
    assert dept.scalar("SELECT count(*) FROM requirement_progress") == 3


def test_a_requirement_past_its_deadline_is_flagged_until_done(cli, dept):
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit")
    dept.link(pid, dept.requirement("H1", "hours"), custom_deadline_days=2)
    cli("--as-of", "2027-12-30", "enroll", "add", str(ann), "Recruit")
    line = show(cli, 1, "--as-of", "2028-01-01")["requirements"][0]
    assert (line["due_on"], line["overdue"]) == ("2028-01-01", False)
    line = show(cli, 1, "--as-of", "2028-01-02")["requirements"][0]
    assert line["overdue"] is True
    assert "2028-01-01 OVERDUE" in cli("--as-of", "2028-01-02", "enroll", "show", "1").stdout
    cli("--as-of", "2028-01-02", "progress", "update", "1", "--set", "10")
    assert show(cli, 1, "--as-of", "2028-01-02")["requirements"][0]["overdue"] is False


# ---------------------------------------------------------------------------- position fit
def test_members_without_the_programs_target_position_are_refused(cli, dept, snapshot):
    medic = dept.member("Mia Medic", positions=("firefighter", "emt"))
    ff = dept.member("Fred Fire", positions=("firefighter",))
    nobody = dept.member("Nora New")
    dept.simple_program("EMT Recertification", target_position="emt")
    before = snapshot()
    r = cli("enroll", "add", str(ff), "EMT Recertification", ok=False)
    assert r.exit_code == 1, r
    assert "Error: Fred Fire does not hold the position 'emt'" in r.stderr
    assert "(holds: firefighter)" in r.stderr and "Hint:" in r.stderr and "--any-position" in r.stderr
    # bulk: the reason per member, and a dry run counts only those who fit
    r = cli("--format", "json", "enroll", "bulk", "EMT Recertification", "--members",
            f"{medic},{ff},{nobody}", "--dry-run", ok=False)  # fmt: skip
    assert r.exit_code == 1
    assert [(x["member"], x["result"]) for x in r.json] == [
        ("Mia Medic", "would enroll"), ("Fred Fire", "refused"), ("Nora New", "refused")
    ]
    assert "does not hold the position 'emt'" in r.json[1]["reason"]
    assert "(holds: no position)" in r.json[2]["reason"]
    assert "Would enroll 1 member" in r.stderr and "2 refused" in r.stderr
    r = cli("enroll", "bulk", "EMT Recertification", "--members", f"{ff},{nobody}", ok=False)
    assert r.exit_code == 1 and "Fred Fire does not hold the position 'emt'" in r.stderr
    assert snapshot() == before

    cli("enroll", "bulk", "EMT Recertification", "--members", f"{medic},{nobody}", "--any-position")
    cli("enroll", "add", str(ff), "EMT Recertification", "--any-position")
    assert dept.scalar("SELECT count(*) FROM enrollment") == 3


# ------------------------------------------------------------------------- before the hire
def test_an_enrollment_dated_before_the_hire_date_is_made_as_given_and_said(cli, dept, snapshot):
    """Pia is hired on 2026-11-02; `--as-of 2026-10-15 enroll add` enrolled her with
    deadlines from 10-15 without a word (and `enroll bulk --dry-run` said nothing either).
    As a record, card, shift or call dated before the hire date: made as given (a pre-hire
    academy is real), judged as she is first known, and said, naming the hire date."""
    dept.simple_program("Recruit", "hours", time_limit_days=30)
    cli("member", "add", "Pia Recruit", "--email", "pia@fd.org", "--badge", "P-401",
        "--position", "probationary", "--hire-date", "2026-11-02")  # fmt: skip
    cli("member", "add", "Ned Hand", "--email", "ned@fd.org", "--hire-date", "2020-01-01")
    said = ("Pia Recruit was hired on 2026-11-02, after the enrollment day 2026-10-15: enrolled as "
            "given, deadlines counted from 2026-10-15; check --as-of.")  # fmt: skip
    before = snapshot()
    r = cli("--as-of", "2026-10-15", "enroll", "bulk", "Recruit", "--members", "P-401,ned@fd.org", "--dry-run")
    assert f"item 1: {said}" in " ".join(r.stderr.split()), r.stderr
    assert "Ned Hand was hired" not in r.stderr
    assert snapshot() == before
    rows = cli("--as-of", "2026-10-15", "--format", "csv", "enroll", "bulk", "Recruit", "--members", "P-401",
               "--dry-run").stdout  # fmt: skip
    assert said in rows
    r = cli("--as-of", "2026-10-15", "enroll", "add", "P-401", "Recruit")
    assert said in " ".join(r.stderr.split()), r.stderr
    assert show(cli)["target_date"] == "2026-11-14"
    r = cli("--as-of", "2026-11-02", "enroll", "add", "ned@fd.org", "Recruit")
    assert "was hired" not in r.stderr
