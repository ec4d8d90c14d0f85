"""A program in use can gain a requirement (issue 11 #7): `program requirement add` on a
version with enrollments gives every active, on-hold or completed enrollment its row in
one transaction; a required link reopens completed enrollments, an optional one does not;
--dry-run says how many would gain it and writes nothing."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept

STATUS = "SELECT status FROM enrollment WHERE id = :id"


@pytest.fixture
def dept(cli, db_path):
    d = Dept(db_path)
    d.simple_program("Company drills", "hours")
    d.requirement("Annual hazmat refresher", "hours", required_hours=2, time_limit_days=90)
    d.requirement("CPR card", "certification", credential_code="CPR-BLS")
    for i, name in enumerate(("Ann Active", "Ben Done", "Cy Hold", "Di Gone", "Ed Done")):
        d.member(name, badge=f"B-{i}")
        cli("--as-of", "2026-01-05", "enroll", "add", f"B-{i}", "Company drills")
    upd = ("--as-of", "2026-02-01", "progress", "update", "--requirement", "Company drills hours 1")
    cli(*upd, "--member", "B-1", "--add", "10")
    cli(*upd, "--member", "B-4", "--add", "10")
    cli("--as-of", "2026-02-01", "enroll", "hold", "3")
    cli("--as-of", "2026-02-01", "enroll", "withdraw", "4")
    assert [d.scalar(STATUS, id=i) for i in range(1, 6)] == [
        "active", "completed", "on_hold", "withdrawn", "completed",
    ]  # fmt: skip
    return d


def _rows(d, name):
    return d.rows(
        "SELECT rp.enrollment_id, rp.status, rp.due_on FROM requirement_progress rp "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
        "JOIN requirement r ON r.id = pr.requirement_id WHERE r.name = :n ORDER BY 1", n=name,
    )  # fmt: skip


def test_dry_run_counts_and_writes_nothing(cli, dept, snapshot):
    before = snapshot()
    r = cli("program", "requirement", "add", "Company drills", "Annual hazmat refresher", "--dry-run")
    assert "4 enrollments would gain it" in r.stderr
    assert "2 completed enrollments would reopen" in r.stderr
    assert snapshot() == before


def test_a_required_link_reaches_every_open_enrollment_and_reopens_completed_ones(cli, dept):
    r = cli("--as-of", "2026-06-10", "program", "requirement", "add", "Company drills",
            "Annual hazmat refresher")  # fmt: skip
    assert "4 enrollments gained it (4 progress rows); 2 completed enrollments reopened" in r.stderr
    rows = _rows(dept, "Annual hazmat refresher")
    # withdrawn (4) gains nothing; the due date counts from the day it was added (+90)
    assert [(e, s, str(d)) for e, s, d in rows] == [
        (e, "not_started", "2026-09-08") for e in (1, 2, 3, 5)
    ]
    assert [dept.scalar(STATUS, id=i) for i in range(1, 6)] == [
        "active", "active", "on_hold", "withdrawn", "active",
    ]  # fmt: skip
    doc = cli("enroll", "show", "2", "--format", "json").json
    assert doc["progress"] == 50 and doc["completed_at"] is None
    # the reopened enrollment completes again with the new item
    cli("progress", "update", "--member", "B-1", "--requirement", "Annual hazmat refresher", "--add", "2")
    assert dept.scalar(STATUS, id=2) == "completed"


def test_an_optional_link_never_reopens(cli, dept):
    r = cli("program", "requirement", "add", "Company drills", "Annual hazmat refresher", "--optional")
    assert "4 enrollments gained it" in r.stderr and "reopened" not in r.stderr
    assert [dept.scalar(STATUS, id=i) for i in (2, 5)] == ["completed", "completed"]
    assert len(_rows(dept, "Annual hazmat refresher")) == 4


def test_what_is_on_file_counts_for_the_new_link(cli, dept):
    cli("--as-of", "2026-03-01", "cert", "add", "B-1", "CPR-BLS", "--issued", "2026-01-10",
        "--expires", "2028-01-31")  # fmt: skip
    r = cli("--as-of", "2026-03-01", "program", "requirement", "add", "Company drills", "CPR card")
    assert "1 completed enrollment reopened" in r.stderr  # Ed (B-4) has no card; Ben stays done
    assert "1 credit from what is on file" in r.stderr
    assert dept.scalar(STATUS, id=2) == "completed"
    assert dept.scalar(STATUS, id=5) == "active"


def test_a_prerequisite_link_and_a_reordering_stay_refused(cli, dept, snapshot, db_path):
    before = snapshot()
    r = cli("program", "requirement", "add", "Company drills", "CPR card", "--prerequisite", ok=False)
    assert r.exit_code == 1 and "structure is fixed" in r.stderr and "program duplicate" in r.stderr
    r = cli("program", "requirement", "remove", "Company drills", "Company drills hours 1", ok=False)
    assert r.exit_code == 1 and "structure is fixed" in r.stderr
    assert snapshot() == before


def test_sequential_in_use_takes_a_new_link_only_last(cli, db_path, snapshot):
    d = Dept(db_path)
    d.simple_program("Seq", "hours", "hours", structure="sequential")
    d.requirement("Extra", "hours")
    d.member("Fay", badge="S-1")
    cli("enroll", "add", "S-1", "Seq")
    before = snapshot()
    r = cli("program", "requirement", "add", "Seq", "Extra", "--sort-order", "0", ok=False)
    assert r.exit_code == 1 and "goes after the others" in r.stderr
    assert snapshot() == before
    cli("program", "requirement", "add", "Seq", "Extra")
    assert d.scalar("SELECT count(*) FROM requirement_progress") == 3


def test_in_a_phased_program_only_the_current_phase_s_new_row_gets_a_deadline_now(cli, db_path):
    d = Dept(db_path)
    pid = d.program("Academy", structure="phases")
    p1, p2 = d.phase(pid, 1, "Basics"), d.phase(pid, 2, "Fireground")
    d.link(pid, d.requirement("Knots", "hours"), phase_id=p1)
    d.link(pid, d.requirement("Ladders", "hours"), phase_id=p2)
    d.requirement("Radio", "hours", time_limit_days=30)
    d.requirement("Ropes", "hours", time_limit_days=30)
    d.member("Gil", badge="A-1")
    cli("--as-of", "2028-02-01", "enroll", "add", "A-1", "Academy")
    cli("--as-of", "2028-02-29", "program", "requirement", "add", "Academy", "Radio", "--phase", "1")
    cli("--as-of", "2028-02-29", "program", "requirement", "add", "Academy", "Ropes", "--phase", "2")
    assert [(e, s, str(due)) for e, s, due in _rows(d, "Radio")] == [(1, "not_started", "2028-03-30")]
    assert [(e, s, due) for e, s, due in _rows(d, "Ropes")] == [(1, "not_started", None)]


def test_program_apply_adds_a_link_in_use_the_same_way(cli, dept, snapshot, tmp_path):
    """`program apply --file` with one more link: the path of `program requirement add`
    (every open or completed enrollment gains its row, completed ones reopen), shown first
    by --dry-run; a file that drops a link is still refused (that needs a new version)."""
    f = tmp_path / "drills.toml"
    cli("program", "export", "Company drills", "-o", str(f))
    exported = f.read_text()
    line = next(x for x in exported.splitlines() if "Company drills hours 1" in x and "required =" in x)
    f.write_text(exported.replace(line, line + '\n    { name = "Annual hazmat refresher", sort_order = 20 },'))
    before = snapshot()
    r = cli("program", "apply", "--file", str(f), "--dry-run")
    assert "+ requirement 'Annual hazmat refresher' (program level, required)" in r.stdout
    assert "4 enrollments gain it; 2 completed reopened (the link is required)" in r.stdout
    assert "Would apply 1 change" in r.stderr and "dry run: nothing written" in r.stderr
    assert snapshot() == before

    cli("--as-of", "2026-06-10", "program", "apply", "--file", str(f))
    assert [(e, s, str(d)) for e, s, d in _rows(dept, "Annual hazmat refresher")] == [
        (e, "not_started", "2026-09-08") for e in (1, 2, 3, 5)
    ]  # withdrawn (4) gains nothing; due 90 days from the day it was added
    assert [dept.scalar(STATUS, id=i) for i in range(1, 6)] == [
        "active", "active", "on_hold", "withdrawn", "active",
    ]  # fmt: skip
    assert "already matches" in cli("program", "apply", "--file", str(f)).stderr

    f.write_text(exported)  # without the new link: removing one still needs a new version
    before = snapshot()
    r = cli("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 1 and "cannot change its structure" in r.stderr
    assert snapshot() == before


def test_a_link_added_as_of_an_earlier_day_is_credited_through_today(cli, db_path):
    """Third review: `--as-of 2026-02-01 program requirement add Year "EMS calls"` left the
    new row at 0 / 3 while `requirement explain` counted the calls on file (dated March and
    May), and a later, unrelated link ("Any calls") then credited the EMS row silently and
    counted its credits as its own. A link added as of an earlier day is credited through
    the real today, as `enroll add --as-of` is; a link credits only its own rows."""
    d = Dept(db_path)
    bob = d.member("Bob Ray", badge="102")
    d.simple_program("Year", "hours")
    cli("requirement", "add", "--name", "EMS calls", "--type", "calls", "--calls", "3",
        "--frequency", "annual")  # fmt: skip
    cli("requirement", "add", "--name", "Any calls", "--type", "calls", "--calls", "5",
        "--frequency", "annual")  # fmt: skip
    cli("--as-of", "2026-01-05", "enroll", "add", str(bob), "Year")
    for call, day in (("C1", "2026-03-08"), ("C2", "2026-05-08")):
        cli("call", "add", call, "--member", "102", "--at", f"{day}T10:00-04:00",
            "--shift-date", day, "--type", "EMS")  # fmt: skip
    r = cli("--as-of", "2026-02-01", "program", "requirement", "add", "Year", "EMS calls")
    assert "1 enrollment gained it (1 progress row); 2 credits from what is on file." in r.stderr
    assert [(e, s) for e, s, _ in _rows(d, "EMS calls")] == [(1, "in_progress")]
    value = "SELECT progress_value FROM requirement_progress WHERE id = :id"
    ems_id = d.scalar("SELECT rp.id FROM requirement_progress rp JOIN program_requirement pr "
                      "ON pr.id = rp.program_requirement_id JOIN requirement r ON "
                      "r.id = pr.requirement_id WHERE r.name = 'EMS calls'")  # fmt: skip
    assert d.scalar(value, id=ems_id) == 2
    ledger = "SELECT count(*) FROM progress_credit WHERE progress_id = :id"
    credits = d.scalar(ledger, id=ems_id)
    r = cli("--as-of", "2026-02-01", "program", "requirement", "add", "Year", "Any calls")
    assert "2 credits from what is on file." in r.stderr  # its own row's, none of another's
    assert d.scalar(ledger, id=ems_id) == credits
