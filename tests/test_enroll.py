"""Enrollment from the CLI: single and bulk, the shared validator, views, lifecycle."""

from __future__ import annotations

import pytest
from enroll_helpers import Dept

from trainctl.services.enrollment import CONCURRENT_MESSAGE, PREREQ_MESSAGE


@pytest.fixture
def dept(db_url: str) -> Dept:
    return Dept(db_url)


def test_spec_integration_example_prerequisite_program_end_to_end(cli):
    """Enrolling without the prerequisite fails with the spec's message; after the
    prerequisite is completed through progress updates, the same command succeeds."""
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "101")
    cli("requirement", "add", "--name", "Recruit hours", "--type", "hours", "--hours", "10")
    cli("requirement", "add", "--name", "Driver hours", "--type", "hours", "--hours", "20")
    cli("program", "create", "Recruit Academy")
    cli("program", "requirement", "add", "Recruit Academy", "Recruit hours")
    cli("program", "activate", "Recruit Academy")
    cli("program", "create", "Driver Training", "--prerequisite", "Recruit Academy")
    cli("program", "requirement", "add", "Driver Training", "Driver hours")
    cli("program", "activate", "Driver Training")

    r = cli("enroll", "add", "ann@example.org", "Driver Training", ok=False)
    assert r.exit_code == 1
    assert "User has not completed prerequisite program" in r.stderr
    assert "Traceback" not in r.stderr

    cli("enroll", "add", "ann@example.org", "Recruit Academy")
    r = cli("progress", "update", "--member", "101", "--requirement", "Recruit hours", "--add", "6")
    assert "complete" not in r.stderr
    r = cli("progress", "update", "--member", "101", "--requirement", "Recruit hours", "--add", "4")
    assert "Enrollment 1 is complete." in r.stderr

    r = cli("--format", "json", "enroll", "add", "ann@example.org", "Driver Training")
    assert r.json["program"] == "Driver Training" and r.json["status"] == "active"


def test_enroll_add_pins_version_records_enrolled_by_and_creates_one_row_per_link(cli, dept):
    officer = dept.member("Olga Chief", role="officer")
    ann = dept.member("Ann Lee")
    pid = dept.program("Recruit", structure="phases", version=3, time_limit_days=365)
    p1, p2 = dept.phase(pid, 1), dept.phase(pid, 2)
    shared = dept.requirement("SCBA", "hours")
    dept.link(pid, shared, phase_id=p1)
    dept.link(pid, shared, phase_id=p2)  # the same requirement twice: two rows, never mixed up
    dept.link(pid, dept.requirement("Orientation", "checklist"))
    r = cli(
        "--as",
        str(officer),
        "--as-of",
        "2024-02-29",
        "--format",
        "json",
        "enroll",
        "add",
        str(ann),
        "Recruit",
    )
    e = r.json
    assert e["program_version"] == 3
    assert e["enrolled_by"] == "Olga Chief"
    assert e["enrolled_on"] == "2024-02-29"
    assert e["target_date"] == "2025-02-28"  # Feb 29 + 365 days
    assert e["current_phase"] == "1. Phase 1"
    rows = dept.rows(
        "SELECT rp.program_requirement_id, pr.requirement_id FROM requirement_progress rp "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id ORDER BY 1"
    )
    assert len(rows) == 3 and len({r[0] for r in rows}) == 3
    assert dept.scalar("SELECT enrolled_by FROM enrollment") == officer


def test_explicit_target_date_and_year_end(cli, dept):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", time_limit_days=1)
    r = cli("--as-of", "2026-12-31", "--format", "json", "enroll", "add", str(ann), "Recruit")
    assert r.json["target_date"] == "2027-01-01"
    cli("--as-of", "2026-12-31", "enroll", "withdraw", "1")  # not before it began
    r = cli(
        "--as-of",
        "2026-12-31",
        "--format",
        "json",
        "enroll",
        "add",
        str(ann),
        "Recruit",
        "--target-date",
        "2027-06-30",
    )
    assert r.json["target_date"] == "2027-06-30"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("template", "is a template"),
        ("archived", "is archived"),
        ("draft", "is a draft"),
        ("enrolled", "is already enrolled in 'Recruit'"),
        ("on_hold", "is already enrolled in 'Recruit'"),
        ("prerequisite", PREREQ_MESSAGE),
        ("concurrent", CONCURRENT_MESSAGE),
        ("other_exclusive", "which does not allow concurrent enrollment"),
        ("inactive", "is inactive"),
    ],
)
def test_enroll_add_refusals_leave_the_database_unchanged(cli, dept, snapshot, setup, message):
    ann = dept.member("Ann Lee", status="inactive" if setup == "inactive" else "active")
    kw: dict = {}
    if setup in ("template", "archived", "draft"):
        kw = {"is_template": True} if setup == "template" else {"status": setup}
    if setup == "prerequisite":
        pre, _ = dept.simple_program("Academy")
        kw = {"prerequisites": (pre,)}
    if setup == "concurrent":
        kw = {"allows_concurrent_enrollment": False}
    dept.simple_program("Recruit", **kw)
    if setup in ("enrolled", "on_hold"):
        cli("enroll", "add", str(ann), "Recruit")
        if setup == "on_hold":
            cli("enroll", "hold", "1")
    if setup in ("concurrent", "other_exclusive"):
        dept.simple_program("Other", allows_concurrent_enrollment=setup == "concurrent")
        cli("enroll", "add", str(ann), "Other")
    before = snapshot()
    r = cli("enroll", "add", str(ann), "Recruit", ok=False)
    assert r.exit_code == 1, r
    assert message in r.stderr
    assert "Hint:" in r.stderr
    assert snapshot() == before


def test_prerequisite_met_by_an_earlier_version_of_the_same_line(cli, dept):
    ann = dept.member("Ann Lee")
    v1, _ = dept.simple_program("Academy")
    v2, _ = dept.simple_program("Academy", version=2, lineage_id=v1)
    dept.simple_program("Driver", prerequisites=(v2,))
    cli("enroll", "add", str(ann), "Academy@1")
    cli("progress", "update", "1", "--set", "10")
    cli("enroll", "add", str(ann), "Driver")


def test_target_date_before_enrollment_is_bad_input(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit")
    before = snapshot()
    r = cli(
        "--as-of",
        "2026-05-01",
        "enroll",
        "add",
        str(ann),
        "Recruit",
        "--target-date",
        "2026-04-30",
        ok=False,
    )
    assert r.exit_code == 65 and "before the enrollment date" in r.stderr
    assert snapshot() == before


def test_member_cannot_enroll_anyone(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit")
    before = snapshot()
    r = cli("--as", str(ann), "enroll", "add", str(ann), "Recruit", ok=False)
    assert r.exit_code == 77 and "training.manage" in r.stderr
    assert snapshot() == before


# --------------------------------------------------------------------------------- bulk
def _bulk_world(dept: Dept, cli) -> dict[str, int]:
    ids = {
        "ann": dept.member("Ann Lee", email="ann@example.org", badge="B1"),
        "bob": dept.member("Bob Ray", email="bob@example.org", badge="B2"),
        "cat": dept.member("Cat Diaz", email="cat@example.org", badge="B3"),
        "dan": dept.member("Dan Wu", email="dan@example.org", badge="B4"),
    }
    academy, _ = dept.simple_program("Academy")
    dept.simple_program("Driver", "hours", "checklist", prerequisites=(academy,))
    for who in ("ann", "bob", "cat"):
        cli("enroll", "add", str(ids[who]), "Academy")
        cli(
            "progress",
            "update",
            "--member",
            str(ids[who]),
            "--requirement",
            "Academy hours 1",
            "--set",
            "10",
        )
    cli("enroll", "add", str(ids["cat"]), "Driver")  # already enrolled
    return ids


@pytest.mark.parametrize("how", ["add", "bulk"])
def test_an_enrollment_backdated_with_as_of_takes_what_is_on_file_since_its_start(cli, how):
    """`--as-of 2020-01-01 enroll add` (the refusal of early progress suggests it): the
    drill of 10 March 2020, the shift and the passed checkoff already on file were left
    out, as dated after that "today", and nothing ever credited them later (the feed
    credits a fact when it is written): the program stayed below compliance for good.
    What is on file from the start to the real today is credited."""
    cli("member", "add", "Fiona Fire", "--email", "ff@fd.org", "--position", "firefighter",
        "--hire-date", "2018-01-01")  # fmt: skip
    cli("member", "add", "Olivia Captain", "--email", "cap@fd.org", "--role", "officer")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--counts-type", "drill")  # fmt: skip
    cli("requirement", "add", "--name", "Shift minimum", "--type", "shifts", "--shifts", "4")
    cli("skill", "add", "SCBA donning")
    cli("requirement", "add", "--name", "SCBA skills", "--type", "skills_evaluation", "--skill", "SCBA donning")
    cli("program", "create", "P")
    for name in ("Drill hours", "Shift minimum", "SCBA skills"):
        cli("program", "requirement", "add", "P", name)
    cli("program", "activate", "P")
    cli("record", "add", "ff@fd.org", "--course", "Ladder drill", "--type", "drill", "--hours", "2",
        "--date", "2020-03-10")  # fmt: skip
    cli("shift", "add", "ff@fd.org", "--date", "2020-03-09", "--station", "S1", "--shift", "B",
        "--time-in", "2020-03-09T07:00+00:00", "--time-out", "2020-03-09T19:00+00:00")  # fmt: skip
    cli("--as", "cap@fd.org", "skill", "checkoff", "ff@fd.org", "SCBA donning", "--result", "passed",
        "--date", "2020-03-11")  # fmt: skip
    cli("record", "add", "ff@fd.org", "--course", "Old drill", "--type", "drill", "--hours", "3",
        "--date", "2019-12-01")  # before the start: not the enrollment's
    if how == "add":
        cli("--as-of", "2020-01-01", "enroll", "add", "ff@fd.org", "P")
    else:
        cli("--as-of", "2020-01-01", "enroll", "bulk", "P", "--members", "ff@fd.org")
    rows = cli("enroll", "show", "1", "--format", "json").json["requirements"]
    assert [(r["requirement"], r["value"]) for r in rows] == [
        ("Drill hours", 2), ("Shift minimum", 1), ("SCBA skills", 1)]  # fmt: skip


def test_a_certification_date_after_a_credited_record_does_not_hang(cli, db_url):
    """Dana's NCCP cycle moved to begin on 25 February 2026 (her new certification date),
    after the airway class of June 2025 credited to her row: re-measuring the row looked
    for the window before her first one by stepping back to the day before it, which gave
    the same day again, for ever, holding the write lock (a reviewer found a 500-row
    enroll bulk stuck for 13 CPU minutes). A real process, so a hang fails the test."""
    import os
    import subprocess
    import sys

    cli("import", "nremt")
    cli("program", "apply", "--sample", "emt-recertification")
    cli("member", "add", "Dana Ruiz", "--email", "d@fd.org", "--badge", "F-1", "--position", "emt",
        "--hire-date", "2015-01-05", "--certification-date", "2024-03-31")  # fmt: skip
    cli("--as-of", "2025-01-10", "enroll", "add", "F-1", "EMT Recertification")
    cli("--as-of", "2025-06-01", "record", "add", "F-1", "--course", "Airway class", "--hours", "2",
        "--category", "national", "--topic", "airway", "--date", "2025-06-01")  # fmt: skip
    env = {**os.environ, "TRAINCTL_DB": str(db_url)}
    done = subprocess.run([sys.executable, "-m", "trainctl", "member", "edit", "F-1", "--certification-date",
                           "2026-02-25"], env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Updated member" in done.stderr


def test_bulk_csv_enrolls_exactly_the_valid_members_and_names_each_refusal(cli, dept, tmp_path):
    ids = _bulk_world(dept, cli)
    csv = tmp_path / "class.csv"
    csv.write_text(
        "email,name\n"
        "ann@example.org,Ann Lee\n"  # line 2: valid
        "nobody@example.org,Nobody\n"  # line 3: unknown member
        "bob@example.org,Bob Ray\n"  # line 4: valid
        "ann@example.org,Ann Lee\n"  # line 5: duplicate row of line 2
        "cat@example.org,Cat Diaz\n"  # line 6: already enrolled
        "dan@example.org,Dan Wu\n",  # line 7: missing the prerequisite
        encoding="utf-8",
    )
    r = cli("enroll", "bulk", "Driver", "--csv", str(csv), ok=False)
    assert r.exit_code == 1
    assert "line 3: nobody@example.org: No member 'nobody@example.org'" in r.stderr
    # Cat is enrolled in this very program: left as she is, not refused (a run again after
    # a fix must not fail on the members the first run enrolled)
    assert "line 6: cat@example.org" not in r.stderr and "already enrolled" in r.stdout
    assert f"line 7: dan@example.org: {PREREQ_MESSAGE} 'Academy'" in r.stderr
    assert "2 members refused" in r.stderr and "1 already enrolled, left as they are" in r.stderr
    assert "duplicate of line 2" in r.stdout
    enrolled = dept.rows(
        "SELECT member_id FROM enrollment e JOIN program p ON p.id = e.program_id "
        "WHERE p.name = 'Driver' ORDER BY member_id"
    )
    assert [m for (m,) in enrolled] == sorted([ids["ann"], ids["bob"], ids["cat"]])
    # two new enrollments with two progress rows each (plus cat's earlier one)
    assert (
        dept.scalar(
            "SELECT count(*) FROM requirement_progress rp JOIN enrollment e ON e.id = rp.enrollment_id "
            "JOIN program p ON p.id = e.program_id WHERE p.name = 'Driver'"
        )
        == 6
    )


def test_bulk_run_again_after_a_fix_and_rows_that_disagree(cli, dept, tmp_path, snapshot):
    """The 11 pm officer: a class file with a bad row enrolls the rest (exit 1, 'run the
    command again'); the row fixed, the same command skips who is enrolled and exits 0.
    Rows whose columns name two members, rows that name nobody, and one member given two
    target dates are refused; a name that is not the member's is said."""
    ids = _bulk_world(dept, cli)
    csv = tmp_path / "class.csv"
    csv.write_text("email,name\nann@example.org,Ann Lee\nnobody@example.org,Nobody\n"
                   "bob@example.org,Bob Ray\n", encoding="utf-8")  # fmt: skip
    r = cli("enroll", "bulk", "Driver", "--csv", str(csv), ok=False)
    assert r.exit_code == 1 and "Fix or remove the rows named above and run the command again" in r.stderr
    csv.write_text("email,name\nann@example.org,Ann Lee\nbob@example.org,Bob Ray\n", encoding="utf-8")
    before = snapshot()
    r = cli("enroll", "bulk", "Driver", "--csv", str(csv))
    assert r.exit_code == 0, r
    assert "Enrolled 0 members" in r.stderr and "2 already enrolled, left as they are" in r.stderr
    rows = cli("--format", "json", "enroll", "bulk", "Driver", "--csv", str(csv)).json
    assert [(x["result"], bool(x["enrollment_id"])) for x in rows] == [("already enrolled", True)] * 2
    assert snapshot() == before  # nothing written by either run

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "email,badge,name,target_date\n"
        "ann@example.org,B2,,\n"  # line 2: Ann's e-mail, Bob's badge
        ",,Blank,\n"  # line 3: nobody named
        ",B4,Dan Wu,2027-01-01\n"  # line 4: Dan (the prerequisite refuses him)
        "cat@example.org,,Cat Diaz,2027-01-01\n"  # line 5: Cat (enrolled already)
        "CAT@example.org,,,2027-02-01\n",  # line 6: Cat again, another target date
        encoding="utf-8",
    )
    r = cli("enroll", "bulk", "Driver", "--csv", str(bad), ok=False)
    assert r.exit_code == 1
    assert ("line 2: ann@example.org: The row's member columns disagree (email 'ann@example.org' is Ann "
            "Lee; badge 'B2' is Bob Ray)") in r.stderr  # fmt: skip
    assert "line 3: (empty): The row names no member: its member, email, badge and id cells are empty" in r.stderr
    # Cat's two rows give two dates: refused once (the second row counts as the same member)
    assert "line 5: cat@example.org: line 5, line 6 give Cat Diaz two target dates (2027-01-01, 2027-02-01); give one." in r.stderr
    assert "4 members refused" in r.stderr and "1 naming a member already listed, counted once" in r.stderr
    assert "the members enrolled stay enrolled" not in r.stderr  # nobody was
    assert snapshot() == before
    # a column naming nobody next to one naming a member disagrees too
    one = tmp_path / "one.csv"
    one.write_text("email,badge\nnobody@example.org,B2\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Driver", "--csv", str(one), ok=False)
    assert "email 'nobody@example.org' names no member; badge 'B2' is Bob Ray" in r.stderr, r

    # enrolled already, then no longer fitting the program (another position, on leave):
    # still 'already enrolled', exit 0; a target date other than the enrollment's is said
    cli("member", "edit", "bob@example.org", "--status", "inactive")
    before = snapshot()
    again = tmp_path / "again.csv"
    # (a target date still ahead whatever day the suite runs: the note names `enroll edit`)
    again.write_text("email,target_date\nbob@example.org,\ncat@example.org,2099-03-01\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Driver", "--csv", str(again))
    assert r.exit_code == 0 and "2 already enrolled, left as they are" in r.stderr, r
    assert "line 3: Cat Diaz is enrolled already with target date " in r.stderr and ", not 2099-03-01: left as it is (`trainctl enroll edit " in r.stderr
    assert snapshot() == before
    # a name that is not the member's: enrolled by the badge, and said
    cli("member", "add", "Eve Stone", "--email", "eve@example.org", "--badge", "B9")
    named = tmp_path / "named.csv"
    named.write_text("badge,name\nB9,Sam Okafor\nB9,\"Stone, Eve\"\nB9,E\u0301ve STONE\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Academy", "--csv", str(named))
    assert "line 2: the name 'Sam Okafor' is not that of Eve Stone, whom badge 'B9' names" in r.stderr, r
    assert "line 3: the name" not in r.stderr and "line 4: the name" not in r.stderr  # case, order, accents aside
    data = cli("--format", "json", "enroll", "bulk", "Academy", "--csv", str(named)).json
    assert data[0]["note"].startswith("the name 'Sam Okafor' is not that of Eve Stone")
    assert ids["ann"]  # the world's members are untouched by the refusals above


def test_a_bulk_run_again_skips_who_was_withdrawn_or_failed_in_any_version(cli, dept, tmp_path, snapshot):
    """Sam resigned and was withdrawn; the class file, fixed, ran again and enrolled him
    afresh with exit 0 and not a word. A member whose latest enrollment in the program's
    line (any version: the same program, as "already enrolled" counts it) was withdrawn
    or failed is skipped, exit 0, naming the enrollment, the day and reason, and the
    deliberate way back (`enroll add`); a dry run says the same. Someone enrolled again
    since by hand is the newer decision: already enrolled."""
    ids = {who: dept.member(name, badge=badge) for who, name, badge in
           [("ann", "Ann Lee", "B1"), ("bob", "Bob Ray", "B2"), ("cat", "Cat Diaz", "B3"), ("dan", "Dan Wu", "B4")]}  # fmt: skip
    v1, _ = dept.simple_program("Academy")
    dept.simple_program("Academy", version=2, lineage_id=v1)
    cli("--as-of", "2026-03-01", "enroll", "add", str(ids["ann"]), "Academy@1")  # enrollment 1
    cli("--as-of", "2026-03-02", "enroll", "withdraw", "1", "--reason", "moved away", "--yes")
    cli("--as-of", "2026-03-01", "enroll", "add", str(ids["bob"]), "Academy@2")  # 2
    cli("--as-of", "2026-03-03", "enroll", "fail", "2", "--yes")
    cli("--as-of", "2026-03-01", "enroll", "add", str(ids["cat"]), "Academy@2")  # 3
    cli("--as-of", "2026-03-02", "enroll", "withdraw", "3", "--yes")
    cli("--as-of", "2026-03-04", "enroll", "add", str(ids["cat"]), "Academy@2")  # 4: back on purpose
    csv = tmp_path / "class.csv"
    csv.write_text("badge\nB1\nB2\nB3\nB4\n", encoding="utf-8")
    before = snapshot()
    for extra in (("--dry-run",), ()):
        r = cli("--as-of", "2026-03-10", "enroll", "bulk", "Academy@2", "--csv", str(csv), *extra)
        assert r.exit_code == 0, r
        assert (f"line 2: Ann Lee was withdrawn from 'Academy' v1 on 2026-03-02 (enrollment 1: moved "
                f"away): skipped, not enrolled again. To enroll them again on purpose: `trainctl enroll "
                f"add id:{ids['ann']} Academy@2`.") in r.stderr  # fmt: skip
        assert "line 3: Bob Ray failed 'Academy' v2 on 2026-03-03 (enrollment 2): skipped" in r.stderr
        assert "line 4: Cat" not in r.stderr
        assert "1 already enrolled, left as they are; 2 withdrawn or failed before, skipped" in r.stderr
        if extra:
            assert "Would enroll 1 member" in r.stderr and snapshot() == before
    assert "Enrolled 1 member" in r.stderr
    open_ = dept.rows("SELECT member_id, id FROM enrollment WHERE status IN ('active', 'on_hold') ORDER BY id")
    assert [tuple(x) for x in open_] == [(ids["cat"], 4), (ids["dan"], 5)]
    rows = cli("--as-of", "2026-03-10", "--format", "json", "enroll", "bulk", "Academy@2", "--csv", str(csv)).json
    assert [(x["result"], x["enrollment_id"]) for x in rows] == [
        ("skipped: withdrawn", 1), ("skipped: failed", 2), ("already enrolled", 4), ("already enrolled", 5)]
    # the hint's command enrolls Ann again; a bulk run then finds her enrolled
    cli("--as-of", "2026-03-10", "enroll", "add", f"id:{ids['ann']}", "Academy@2")
    r = cli("--as-of", "2026-03-10", "enroll", "bulk", "Academy@2", "--csv", str(csv))
    assert "3 already enrolled, left as they are; 1 withdrawn or failed before, skipped" in r.stderr


def test_a_member_who_completed_the_program_before_is_enrolled_again_and_told(cli, dept, tmp_path, snapshot):
    """A recruit class's CSV at 11 pm held a member who had finished the academy; bulk
    enrollment enrolled them again without a word. They are still enrolled (a
    recertification is taken again on purpose), but a run, its dry run and `enroll add`
    say so, naming the version, the day and the enrollment; the summary counts them."""
    for name, badge in [("Ann Lee", "F-203"), ("Bob Ray", "F-204"), ("Cat Diaz", "F-205")]:
        dept.member(name, badge=badge)
    v1, _ = dept.simple_program("Academy")
    dept.simple_program("Academy", version=2, lineage_id=v1)
    cli("--as-of", "2026-03-01", "enroll", "add", "F-203", "Academy@1")  # enrollment 1
    cli("--as-of", "2026-03-01", "progress", "update", "-e", "1", "-r", "Academy hours 1", "--add", "10")
    cli("--as-of", "2026-03-01", "enroll", "add", "F-204", "Academy@2")  # 2
    cli("--as-of", "2026-03-01", "progress", "update", "-e", "2", "-r", "Academy hours 1 v2", "--add", "10")

    def completed_on(eid: int) -> str:  # the day `enroll show` gives (the department's clock)
        return cli("enroll", "show", str(eid)).stdout.split("completed on ", 1)[1][:10]

    # enroll add of a member who completed the program (another version counts too)
    r = cli("--as-of", "2026-03-02", "enroll", "add", "F-204", "Academy@2")  # 3
    assert (f"Bob Ray completed 'Academy' v2 on {completed_on(2)} (enrollment 2); enrolled again."
            in r.stderr), r  # fmt: skip
    cli("enroll", "withdraw", "3", "--yes")  # his latest: withdrawn, so skipped as before
    csv = tmp_path / "class.csv"
    csv.write_text("badge\nF-203\nF-204\nF-205\n", encoding="utf-8")
    note = f"line 2: Ann Lee completed 'Academy' v1 on {completed_on(1)} (enrollment 1); "
    before = snapshot()
    r = cli("--as-of", "2026-03-10", "enroll", "bulk", "Academy@2", "--csv", str(csv), "--dry-run")
    assert note + "would be enrolled again." in r.stderr, r
    assert "Bob Ray completed" not in r.stderr and "line 4: Cat" not in r.stderr
    assert ("Would enroll 2 members in 'Academy' v2 (2 progress rows); 1 of them again, having "
            "completed it before;") in r.stderr  # fmt: skip
    assert snapshot() == before
    r = cli("--as-of", "2026-03-10", "--format", "json", "enroll", "bulk", "Academy@2", "--csv", str(csv))
    assert note + "enrolled again." in r.stderr, r
    assert ("Enrolled 2 members in 'Academy' v2 (2 progress rows); 1 of them again, having "
            "completed it before; 1 withdrawn or failed before, skipped.") in r.stderr  # fmt: skip
    assert [(x["result"], x["note"]) for x in r.json] == [
        ("enrolled", f"Ann Lee completed 'Academy' v1 on {completed_on(1)} (enrollment 1); enrolled again."),
        ("skipped: withdrawn", r.json[1]["note"]),
        ("enrolled", None),
    ]


def test_a_target_date_from_a_later_row_of_the_member_names_that_row(cli, dept, tmp_path, snapshot):
    """Sam on line 2 with no date and again on line 4 with a date before the enrollment
    day: the refusal said "line 2: target date ... is before the enrollment date", with a
    hint to leave out a date line 2 does not give. It names line 4, the row to fix; and
    the note of an enrolled member's other target date names its row too."""
    dept.member("Sam Okafor", badge="P-301")
    dept.member("Rita Holm", badge="P-302")
    dept.simple_program("Academy")
    csv = tmp_path / "c.csv"
    csv.write_text("badge,name,target_date\nP-301,Sam Okafor,\nP-302,Rita Holm,\nP-301,Sam O,2025-01-01\n",
                   encoding="utf-8")  # fmt: skip
    before = snapshot()
    r = cli("--as-of", "2026-12-04", "enroll", "bulk", "Academy", "--csv", str(csv), "--all-or-nothing", ok=False)
    assert r.exit_code == 1
    assert ("line 2: P-301: line 4 gives Sam Okafor target date 2025-01-01, before the enrollment date "
            "2026-12-04.") in r.stderr  # fmt: skip
    assert ("Give line 4 a target date on or after the enrollment date, or leave it empty to use the "
            "program's time limit.") in r.stderr  # fmt: skip
    assert "leave it out" not in r.stderr
    assert snapshot() == before
    cli("--as-of", "2026-12-04", "enroll", "add", "P-301", "Academy")
    r = cli("--as-of", "2026-12-04", "enroll", "bulk", "Academy", "--csv", str(csv))
    assert ("line 2: Sam Okafor is enrolled already with target date none, not 2025-01-01 (line 4): left "
            "as it is.") in r.stderr, r  # fmt: skip


def test_a_row_whose_name_is_another_members_is_refused_naming_both(cli, dept, tmp_path, snapshot):
    """A badge typed one digit off (P-310 for P-301) beside the intended recruit's name
    enrolled the badge's holder with exit 0 and a warning. A name cell that is, as reports
    print it, another member's full name makes the row name two members: refused like an
    e-mail and a badge that disagree, naming both and the cell to correct; nothing is
    written. A name that only differs (a nickname, a typo naming nobody) is still a note."""
    dept.member("Sam Okafor", email="sokafor@example.org", badge="P-301")
    dept.member("José Núñez", email="jnunez@example.org", badge="P-310")
    dept.simple_program("Academy")
    before = snapshot()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("badge,name\nP-310,sam  OKAFOR\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Academy", "--csv", str(wrong), ok=False)
    err = " ".join(r.stderr.split())
    assert r.exit_code == 1 and snapshot() == before, r
    assert ("line 2: P-310: The row's member columns disagree (badge 'P-310' is José Núñez; name "
            "'sam OKAFOR' is Sam Okafor (badge P-301)). Correct the row's badge cell if the row is "
            "about Sam Okafor, or its name if it is about José Núñez.") in err, r  # fmt: skip
    data = cli("--format", "json", "enroll", "bulk", "Academy", "--csv", str(wrong), "--dry-run", ok=False).json
    assert data[0]["result"] == "refused" and data[0]["member_id"] is None
    # the member's own name (another spelling), or a name that is nobody's: enrolled
    fine = tmp_path / "fine.csv"
    fine.write_text("badge,name\nP-310,\"Nunez, Jose\"\nP-301,Sammy Okafor\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Academy", "--csv", str(fine))
    assert "Enrolled 2 members" in r.stderr, r
    assert "line 3: the name 'Sammy Okafor' is not that of Sam Okafor" in r.stderr, r


def test_bulk_shows_each_target_date_and_refuses_two_that_disagree(cli, dept, tmp_path, snapshot):
    """The results never said which target date each member got, and a file's target
    date cell silently beat --target-date ("for everyone"). Each row now shows its target
    date (table, JSON, CSV): the file's, else --target-date, else the program's limit; an
    enrollment left as it is shows its own. --target-date beside a file that gives another
    date is refused (exit 2, nothing written), naming the rows; empty cells take it."""
    dept.member("Sam Okafor", email="sam@example.org", badge="P-301")
    dept.member("Rita Holm", email="rita@example.org", badge="P-302")
    dept.simple_program("Academy", time_limit_days=365)
    sheet = tmp_path / "class.csv"
    sheet.write_text("badge,Due Date\nP-301,2027-05-01\nP-302,\n", encoding="utf-8")
    before = snapshot()
    r = cli("--as-of", "2027-01-04", "--format", "json", "enroll", "bulk", "Academy", "--csv", sheet, "--dry-run")
    assert [(x["member"], x["target_date"]) for x in r.json] == [("Sam Okafor", "2027-05-01"), ("Rita Holm", "2028-01-04")]
    r = cli("--as-of", "2027-01-04", "enroll", "bulk", "Academy", "--csv", sheet, "--target-date", "2027-06-01", ok=False)
    assert r.exit_code == 2 and snapshot() == before, r
    assert ("--target-date 2027-06-01 is for everyone, and the file's target date column gives others "
            "(line 2: 2027-05-01).") in " ".join(r.stderr.split()), r  # fmt: skip
    sheet.write_text("badge,target_date\nP-301,2027-06-01\nP-302,\n", encoding="utf-8")  # the same date: fine
    r = cli("--as-of", "2027-01-04", "enroll", "bulk", "Academy", "--csv", sheet, "--target-date", "2027-06-01")
    assert "Target date" in r.stdout and r.stdout.count("2027-06-01") == 2, r
    r = cli("--as-of", "2027-01-05", "--format", "csv", "enroll", "bulk", "Academy", "--csv", sheet)
    assert r.stdout.splitlines()[0] == "where,member,result,enrollment_id,target_date,reason,note"
    assert ",already enrolled,1,2027-06-01," in r.stdout and ",already enrolled,2,2027-06-01," in r.stdout, r


def test_bulk_refusals_say_what_to_do_and_who_a_lost_row_names(cli, dept, tmp_path, snapshot):
    """Each refused row gets the hint `enroll add` would give, once per hint with its lines;
    a row whose e-mail or badge names nobody (or is empty) but whose name is one member's
    says who, and which cell to correct. A one-word name, or one two members share, names
    no one. Nothing is written."""
    _bulk_world(dept, cli)
    dept.member("Ann Lee", email="ann2@example.org")  # a second Ann Lee
    csv = tmp_path / "class.csv"
    csv.write_text(
        "email,name\n"
        "bob@exmaple.org,Bob Ray\n"  # line 2: a typo; the name is Bob's
        "nobody@example.org,Nobody\n"  # line 3: one word: no guess
        ",\"Diaz, Cat\"\n"  # line 4: no e-mail; the name is Cat's
        "ghost@example.org,Ann Lee\n"  # line 5: two Ann Lees: no guess
        "other@example.org,\n",  # line 6
        encoding="utf-8",
    )
    before = snapshot()
    r = cli("enroll", "bulk", "Academy", "--csv", str(csv), ok=False)
    assert r.exit_code == 1
    err = " ".join(r.stderr.split())
    assert ("line 2: bob@exmaple.org: No member 'bob@exmaple.org'. The row's name is that of Bob Ray "
            "(badge B2, bob@example.org).") in err, err  # fmt: skip
    # the name names nobody either: a typo, or someone to add first (review r1)
    assert "line 3: nobody@example.org: No member 'nobody@example.org'. The row's name 'Nobody' names nobody either. line 4" in err
    assert "The row's name is that of Cat Diaz (badge B3, cat@example.org). Put Cat Diaz's e-mail or badge in the row" in err
    assert "line 5: ghost@example.org: No member 'ghost@example.org'. line 6" in err
    hint = r.stderr[r.stderr.index("Hint:"):]
    assert "line 2: Correct the row's email cell, or its name if the row is about someone else." in hint
    # the lookup hint once, for every row it is for
    assert hint.count("Name a member by badge number, email, id or full name") == 1
    assert "line 5: Name a member by badge number" in hint, hint  # two Ann Lees: the lookup's hint
    # a row naming nobody: a typo, or a member to add first, with the command for that row
    assert "line 3: Check the row for a typo (`trainctl member list` shows who is on file)" in hint, hint
    assert "(`trainctl member add Nobody --email nobody@example.org`" in hint
    assert "line 6: Check the row for a typo" in hint and "(`trainctl member add NAME --email other@example.org`" in hint
    assert snapshot() == before
    # a refusal of another kind carries its own hint (Dan lacks the prerequisite)
    one = tmp_path / "one.csv"
    one.write_text("badge\nB4\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Driver", "--csv", str(one), ok=False)
    assert "line 2: Complete the prerequisite program first (`trainctl enroll user" in r.stderr, r


def test_bulk_json_output_lists_every_row(cli, dept, tmp_path):
    _bulk_world(dept, cli)
    csv = tmp_path / "c.csv"
    csv.write_bytes("\ufeffbadge;name\nB1;Ann\nB4;Dan\n".encode())  # BOM + semicolons
    r = cli("--format", "json", "enroll", "bulk", "Driver", "--csv", str(csv), ok=False)
    rows = {row["where"]: row for row in r.json}
    assert rows["line 2"]["result"] == "enrolled" and rows["line 2"]["enrollment_id"]
    assert rows["line 3"]["result"] == "refused" and PREREQ_MESSAGE in rows["line 3"]["reason"]


def test_bulk_all_or_nothing_and_dry_run_write_nothing(cli, dept, tmp_path, snapshot):
    _bulk_world(dept, cli)
    csv = tmp_path / "c.csv"
    csv.write_text("member\nann@example.org\nB4\n")
    before = snapshot()
    r = cli("enroll", "bulk", "Driver", "--csv", str(csv), "--all-or-nothing", ok=False)
    assert r.exit_code == 1 and "nothing was written (--all-or-nothing)" in r.stderr
    assert snapshot() == before
    r = cli("enroll", "bulk", "Driver", "--csv", str(csv), "--dry-run", ok=False)
    assert r.exit_code == 1 and "would enroll" in r.stdout and "dry run" in r.stderr
    assert snapshot() == before
    r = cli("enroll", "bulk", "Driver", "--members", "ann@example.org,B2", "--dry-run")
    assert "Would enroll 2 members" in r.stderr
    assert snapshot() == before


def test_bulk_members_option_and_same_member_named_twice(cli, dept):
    ids = _bulk_world(dept, cli)
    r = cli(
        "enroll",
        "bulk",
        "Driver",
        "--members",
        f"ann@example.org, B1, id:{ids['bob']}, {ids['bob']}",
    )
    assert "Enrolled 2 members" in r.stderr
    assert "same member as item 1" in r.stdout
    r = cli("enroll", "bulk", "Driver", "--members", "ann@example.org", "--dry-run")
    assert "Would enroll 0 members" in r.stderr and "(s)" not in r.stderr  # ann: enrolled
    assert (
        dept.scalar("SELECT count(*) FROM enrollment WHERE status = 'active' AND program_id = 2")
        == 3
    )


def test_bulk_members_repeated_as_member_name_one_list_in_order(cli, dept):
    """`--member` repeated (commas inside too) is the same list as one `--members`: items
    numbered across the options, the same member twice refused by its item number."""
    ids = _bulk_world(dept, cli)
    r = cli("enroll", "bulk", "Driver", "--member", "ann@example.org", "--member",
            f"B1,id:{ids['bob']}", "--members", str(ids["bob"]))  # fmt: skip
    assert "Enrolled 2 members" in r.stderr
    assert "same member as item 3" in r.stdout, r.stdout


def test_bulk_accounts_for_every_row_in_the_files_order(cli, dept, tmp_path):
    """Every row is in the summary: a row naming a member listed before under another
    spelling ("b2" for B2: badges match case aside, as sheets match them) was left out of
    it; duplicate rows were listed last with no member. The dry run shows no empty
    Enrollment column."""
    _bulk_world(dept, cli)
    csv = tmp_path / "class.csv"
    csv.write_text("badge\nB2\nb2\nB2\nX9\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Driver", "--csv", str(csv), "--dry-run", ok=False)
    assert "Would enroll 1 member" in r.stderr and "1 refused" in r.stderr
    assert "2 naming a member already listed, counted once" in r.stderr
    lines = [ln for ln in r.stdout.splitlines() if "line " in ln]
    assert [ln.split()[2] for ln in lines] == ["2", "3", "4", "5"]  # the file's order
    assert "Bob Ray" in lines[1] and "same member as line 2" in lines[1]
    assert "Bob Ray" in lines[2] and "duplicate of line 2" in lines[2]
    assert "Enrollment" not in r.stdout
    assert cli("--format", "json", "member", "show", "b2").json["name"] == "Bob Ray"


def test_bulk_csv_headers_match_as_member_and_record_imports_match_theirs(cli, dept, tmp_path):
    """"E-Mail", "Badge #", "Target Date" and the empty trailing columns a spreadsheet
    writes: accepted, as `member import` and `record import` accept them (they were refused
    as unknown columns 'e_mail', 'badge_#' and ''). An empty file names the columns."""
    ids = _bulk_world(dept, cli)
    sheet = tmp_path / "academy.csv"
    sheet.write_bytes("\ufeffE-Mail;Badge #;Target Date;;\r\ndan@example.org;;2030-06-30;;\r\n"
                      ";B3;;;\r\n".encode())  # fmt: skip
    r = cli("enroll", "bulk", "Academy", "--csv", str(sheet))
    assert "Enrolled 2 members" in r.stderr, r.stderr  # Dan by e-mail, Cat (done) by badge
    rows = cli("--format", "json", "enroll", "list", "--program", "Academy").json
    dan = next(e for e in rows if e["member_id"] == ids["dan"])
    assert dan["target_date"] == "2030-06-30"
    (tmp_path / "empty.csv").write_text("")
    r = cli("enroll", "bulk", "Academy", "--csv", str(tmp_path / "empty.csv"), ok=False)
    assert r.exit_code == 65 and "member, email, badge, id, name, target_date" in r.stderr


def test_bulk_refuses_values_under_an_empty_header_cell(cli, dept, tmp_path, snapshot):
    """A heading deleted in Excel ("email,,target_date"): the value under it was dropped
    without a word and the member enrolled; refused by line and column, nothing written
    (the empty trailing columns a spreadsheet writes stay accepted)."""
    _bulk_world(dept, cli)
    sheet = tmp_path / "academy.csv"
    sheet.write_text("email,,target_date\ndan@example.org,B9,2030-06-30\n")
    before = snapshot()
    r = cli("enroll", "bulk", "Academy", "--csv", str(sheet), ok=False)
    assert r.exit_code == 65, r
    assert "line 2: 'B9' in column 2, whose header is empty" in " ".join(r.stderr.split()), r.stderr
    assert snapshot() == before


def test_bulk_skips_a_rosters_other_columns_when_asked(cli, dept, tmp_path, snapshot):
    """HR rosters carry Phone and Notes: refused (nothing written, the hint names the
    option), then read with --ignore-unknown-columns, as every other import offers."""
    ids = _bulk_world(dept, cli)
    sheet = tmp_path / "roster.csv"
    sheet.write_text("Email,Phone,Notes\ndan@example.org,555-0100,night shift\n")
    before = snapshot()
    r = cli("enroll", "bulk", "Academy", "--csv", str(sheet), ok=False)
    assert r.exit_code == 65 and "'Phone', 'Notes'" in r.stderr and "--ignore-unknown-columns" in r.stderr, r
    assert snapshot() == before
    r = cli("enroll", "bulk", "Academy", "--csv", str(sheet), "--ignore-unknown-columns")
    assert "Enrolled 1 member" in r.stderr, r.stderr
    rows = cli("--format", "json", "enroll", "list", "--program", "Academy").json
    assert any(e["member_id"] == ids["dan"] for e in rows)


def test_bulk_bad_files_are_refused_with_exit_65(cli, dept, tmp_path, snapshot):
    _bulk_world(dept, cli)
    before = snapshot()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,shoe_size\nAnn,9\n")
    r = cli("enroll", "bulk", "Driver", "--csv", str(bad), ok=False)
    assert r.exit_code == 65 and "shoe_size" in r.stderr
    bad.write_text("name\nAnn\n")
    r = cli("enroll", "bulk", "Driver", "--csv", str(bad), ok=False)
    assert r.exit_code == 65 and "no column names the members" in r.stderr
    bad.write_bytes("email\nj\xf6rg@example.org\n".encode("latin-1"))
    r = cli("enroll", "bulk", "Driver", "--csv", str(bad), ok=False)
    assert r.exit_code == 65 and "not UTF-8" in r.stderr
    r = cli("enroll", "bulk", "Driver", ok=False)
    assert r.exit_code == 2
    assert snapshot() == before


def test_bulk_refuses_a_class_list_longer_than_any_department_before_its_rows_are_checked(
    cli, dept, tmp_path, snapshot
):
    """`member import` refuses a file of more than MAX_ROWS rows up front; `enroll bulk
    --csv` read any length, every row checked and held (a state's export given by mistake
    at 11 pm). The same limit, the same words, from the one rule (domain/csvfile.MAX_ROWS):
    refused on the row past it, exit 65, nothing written, dry run or not."""
    MAX_ROWS = 100_000  # (domain/csvfile.MAX_ROWS, member import's limit too)
    _bulk_world(dept, cli)
    big = tmp_path / "state.csv"
    big.write_text("email\n\n" + "".join(f"m{i}@fd.org\n" for i in range(MAX_ROWS + 1)))
    before = snapshot()
    for extra in ((), ("--dry-run",)):
        r = cli("enroll", "bulk", "Academy", "--csv", str(big), *extra, ok=False)
        assert r.exit_code == 65, r
        said = " ".join(r.stderr.split())
        assert f"state.csv, line {MAX_ROWS + 3}: more than {MAX_ROWS:,} rows" in said, said
        assert "nothing was written" in said and "Traceback" not in said
        assert (f"split it into files of at most {MAX_ROWS:,} rows, each starting with the header "
                "line, and enroll from them one after another") in said  # fmt: skip
        assert snapshot() == before
    # exactly MAX_ROWS rows are read (and refused by member, not by length)
    big.write_text("email\n" + "".join(f"m{i}@fd.org\n" for i in range(MAX_ROWS)))
    r = cli("enroll", "bulk", "Academy", "--csv", str(big), "--dry-run", ok=False)
    assert r.exit_code == 1 and f"; {MAX_ROWS} refused" in r.stderr, r.stderr[-500:]


_PAUSE_MID_WRITE = """
import sys, time
from pathlib import Path
import trainctl.services.enrollment.enroll as enroll
READY, DB, SHEET = sys.argv[1:4]
real = enroll.insert_progress_rows
def paused(*args, **kwargs):  # the enrollments and their progress rows are in, not committed
    done = real(*args, **kwargs)
    Path(READY).write_text("writing")
    time.sleep(60)  # Ctrl-C lands here
    return done
enroll.insert_progress_rows = paused
from trainctl.__main__ import run
sys.argv = ["trainctl", "--db", DB, "enroll", "bulk", "Academy", "--csv", SHEET]
run()
"""


def test_ctrl_c_half_way_through_a_bulk_enrollment_writes_nothing_and_says_so(dept, db_url, tmp_path, snapshot):
    """The officer presses Ctrl-C while the class is being written (a real process, sent
    SIGINT from outside while it is inside the write transaction): exit 130, one line
    saying nothing was written, no traceback, and the database as it was."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    for i in range(30):
        dept.member(f"Recruit {i}", email=f"r{i}@example.org")
    dept.simple_program("Academy", "hours", "checklist")
    sheet = tmp_path / "class.csv"
    sheet.write_text("email\n" + "".join(f"r{i}@example.org\n" for i in range(30)))
    ready = tmp_path / "ready"
    before = snapshot()
    src = Path(__file__).resolve().parents[1] / "src"  # this checkout's trainctl
    proc = subprocess.Popen([sys.executable, "-c", _PAUSE_MID_WRITE, str(ready), db_url, str(sheet)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(src)})  # fmt: skip
    deadline = time.monotonic() + 60
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists(), proc.communicate()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err == "Interrupted before the changes were saved: nothing was written.\n", err
    assert out == ""
    assert snapshot() == before


def test_the_class_file_given_where_the_program_goes_says_which_goes_where(cli, dept, tmp_path, snapshot):
    """`trainctl enroll bulk recruits.csv`, the program left out: "Give --csv FILE or
    --members a,b,c" told an officer who had given the file to give a file. Now it says
    the file is where the program goes and writes the command in order (exit 2)."""
    _bulk_world(dept, cli)
    sheet = tmp_path / "recruits.csv"
    sheet.write_text("badge\nB4\n")
    before = snapshot()
    r = cli("enroll", "bulk", str(sheet), ok=False)
    assert r.exit_code == 2, r
    said = " ".join(r.stderr.split())
    assert f"{sheet} is a file, given where the program goes; nothing was written." in said, said
    assert f"`trainctl enroll bulk PROGRAM --csv {sheet}`" in said and "`trainctl program list`" in said
    assert snapshot() == before
    r = cli("enroll", "bulk", "Academy", ok=False)  # a program and no file: as before
    assert r.exit_code == 2 and "Give --csv FILE or --members a,b,c (one of them)." in r.stderr


def test_a_class_enrolled_when_utc_has_another_day_starts_on_the_departments_day(cli, dept, tmp_path):
    """The officer's roster at 11 pm in New York is 04:00 the next day in UTC: the class
    starts on the department's day (its timezone), its target dates count from that day,
    and a target date of the department's today is not "before the enrollment date".
    The clock is the real one; the department's zone is chosen on the side of UTC where
    its date differs from UTC's right now."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC)
    zone = "Pacific/Kiritimati" if now.hour >= 10 else "Etc/GMT+12"  # UTC+14, or UTC-12
    day = now.astimezone(ZoneInfo(zone)).date()
    if day == now.date():  # (within a second of the hour the zones turn over)
        now = datetime.now(UTC)
        day = now.astimezone(ZoneInfo(zone)).date()
    assert day != now.date()
    for name in ("Ann Lee", "Bob Ray"):
        dept.member(name, email=f"{name.split()[0].lower()}@example.org")
    dept.simple_program("Academy", time_limit_days=30)
    cli("config", "set", "timezone", zone)
    sheet = tmp_path / "recruits.csv"
    sheet.write_text(f"email,target_date\nann@example.org,\nbob@example.org,{day}\n")
    r = cli("enroll", "bulk", "Academy", "--csv", str(sheet))
    assert "Enrolled 2 members" in r.stderr, r
    rows = {e["member"]: e for e in cli("--format", "json", "enroll", "list").json}
    assert rows["Ann Lee"]["enrolled_on"] == rows["Bob Ray"]["enrolled_on"] == day.isoformat()
    assert rows["Ann Lee"]["target_date"] == (day + timedelta(days=30)).isoformat()
    assert rows["Bob Ray"]["target_date"] == day.isoformat()


def test_an_email_cell_as_a_mail_program_writes_it_is_refused_naming_the_address(cli, dept, tmp_path, snapshot):
    """Addresses pasted from Outlook ("Dan Wu <dan@example.org>", "mailto:...") in the
    email column named nobody, and the hint offered `member add NAME --email 'Dan Wu
    <dan@example.org>'` for a member on file (a command member add refuses). The email
    column is read by the e-mail rule of members: such a cell is bad input naming the
    address to give, nothing written (dry run or not); an address with a zero-width space
    pasted along, or in capitals, is still the member's."""
    ids = _bulk_world(dept, cli)
    sheet = tmp_path / "academy.csv"
    sheet.write_text("email\nDan Wu <dan@example.org>\nmailto:dan@example.org\nno-at-sign\n")
    before = snapshot()
    for extra in ((), ("--dry-run",)):
        r = cli("enroll", "bulk", "Academy", "--csv", str(sheet), *extra, ok=False)
        assert r.exit_code == 65, r
        said = " ".join(r.stderr.split())
        assert ("line 2, field email: is not an email address alone: give the address, dan@example.org "
                "(got 'Dan Wu <dan@example.org>')") in said, said
        assert "line 3, field email: is not an email address alone: give the address, dan@example.org" in said
        assert "line 4, field email: is not an email address (expected name@example.org)" in said
        assert "member add" not in said and snapshot() == before
    sheet.write_text("email\ndan@example.org\u200b\nCAT@EXAMPLE.ORG\n", encoding="utf-8")
    r = cli("enroll", "bulk", "Academy", "--csv", str(sheet))
    assert "Enrolled 2 members" in r.stderr, r
    enrolled = {e["member_id"] for e in cli("--format", "json", "enroll", "list", "--program", "Academy").json}
    assert {ids["dan"], ids["cat"]} <= enrolled


def test_a_lost_row_naming_a_member_another_row_names_says_to_remove_it(cli, dept, tmp_path, snapshot):
    """The same recruit twice in the class list, once with a typo in the e-mail: the typo's
    row said "Correct the row's email cell", and corrected it only became "same member as
    line 2". Now it says which row names that member already and to remove it (or to
    correct the cell if it is someone else); an empty row the same."""
    _bulk_world(dept, cli)
    sheet = tmp_path / "academy.csv"
    sheet.write_text("name,email\nDan Wu,dan@example.org\nDan Wu,dan@exmaple.org\nDan Wu,\n")
    before = snapshot()
    r = cli("enroll", "bulk", "Academy", "--csv", str(sheet), "--dry-run", ok=False)
    assert r.exit_code == 1 and snapshot() == before, r
    said = " ".join(r.stderr.split())
    assert ("line 3: dan@exmaple.org: No member 'dan@exmaple.org'. The row's name is that of Dan Wu "
            "(badge B4, dan@example.org), whom line 2 names.") in said, said
    assert ("line 3: Remove the row if it is Dan Wu (line 2 names them), or correct its email cell if "
            "it is about someone else.") in said, said
    assert ("The row's name is that of Dan Wu (badge B4, dan@example.org), whom line 2 names. Remove the row if it "
            "is Dan Wu (line 2 names them), or give their e-mail or badge if it is about someone else.") in said
    assert "Correct the row's email cell" not in said


def test_bulk_refuses_escape_sequences_and_direction_overrides_in_cells(cli, dept, tmp_path, snapshot):
    """Such cells were echoed raw into the table of results (an ESC sequence reached the
    terminal: cleared it, recoloured it); member and record imports refuse them by line and
    column, and so does enroll bulk now, even in a dry run."""
    _bulk_world(dept, cli)
    before = snapshot()
    bad = tmp_path / "esc.csv"
    bad.write_bytes(b"badge,name\n\x1b[2J\x1b[31mP-301,Ann\nP-3\xe2\x80\xae103,Bo\nB1,Cy\x07\n")
    for extra in (("--dry-run",), ()):
        r = cli("enroll", "bulk", "Driver", "--csv", str(bad), *extra, ok=False)
        assert r.exit_code == 65, r
        assert "line 2, field badge: contains a control character (U+001B)" in r.stderr
        assert "line 3, field badge: contains a text-direction override (U+202E)" in r.stderr
        assert "line 4, field name: contains a control character (U+0007)" in r.stderr
        assert "\x1b" not in r.stdout + r.stderr and "\u202e" not in r.stdout + r.stderr
        assert snapshot() == before


def test_bulk_is_set_based_the_query_count_does_not_grow_with_members(dept, db_url):
    """A few queries for the whole batch: 10 members and 300 members take the same number."""
    from datetime import date

    import sqlalchemy as sa

    from trainctl.db import session_scope
    from trainctl.services.auth import OWNER
    from trainctl.services.enrollment import Request, bulk_enroll, get_program

    for i in range(310):
        dept.member(f"M{i:03d}", badge=f"X{i}")
    dept.simple_program("Small", "hours", "checklist", "calls")
    dept.simple_program("Large", "hours", "checklist", "calls")
    counts = []
    for name, refs in (("Small", range(10)), ("Large", range(10, 310))):
        statements: list[str] = []

        def record(conn, cursor, statement, params, context, executemany, _out=statements):
            _out.append(statement)

        sa.event.listen(dept.engine, "before_cursor_execute", record)
        try:
            with session_scope(dept.engine) as s:
                requests = [Request(f"item {i}", f"X{i}") for i in refs]
                res = bulk_enroll(s, OWNER, get_program(s, name), requests, today=date(2026, 1, 1))
                assert len(res.enrolled) == len(refs)
        finally:
            sa.event.remove(dept.engine, "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] < 25
    assert dept.scalar("SELECT count(*) FROM requirement_progress") == 310 * 3


# -------------------------------------------------------------------------------- views
def test_views_and_what_a_member_may_see(cli, dept):
    officer = dept.member("Olga Chief", role="officer")
    ann, bob = dept.member("Ann Lee", badge="A1"), dept.member("Bob Ray", badge="B1")
    dept.simple_program("Recruit", "hours", "checklist")
    dept.simple_program("Driver")
    cli("enroll", "bulk", "Recruit", "--members", "A1,B1")
    cli("enroll", "add", "A1", "Driver")
    assert len(cli("--format", "json", "enroll", "list").json) == 3
    assert len(cli("--format", "json", "enroll", "list", "--program", "Recruit").json) == 2
    assert [
        e["member"] for e in cli("--format", "json", "enroll", "list", "--member", "A1").json
    ] == ["Ann Lee"] * 2
    assert cli("--format", "json", "enroll", "list", "--status", "completed").json == []
    assert "No enrollments match these filters" in cli("enroll", "list", "--status", "failed").stderr
    assert len(cli("--format", "json", "--as", str(officer), "enroll", "user", "B1").json) == 1

    # a member sees only their own
    mine = cli("--format", "json", "--as", str(ann), "enroll", "list").json
    assert {e["member_id"] for e in mine} == {ann}
    assert len(cli("--format", "json", "--as", str(ann), "enroll", "me").json) == 2
    r = cli("--as", str(ann), "enroll", "user", "B1", ok=False)
    assert r.exit_code == 77
    r = cli("--as", str(ann), "enroll", "list", "--member", "B1", ok=False)
    assert r.exit_code == 77
    bob_enrollment = cli("--format", "json", "enroll", "user", str(bob)).json[0]["id"]
    r = cli("--as", str(ann), "enroll", "show", str(bob_enrollment), ok=False)
    assert r.exit_code == 77
    r = cli("enroll", "me", ok=False)
    assert r.exit_code == 2 and "--as" in r.stderr


def test_show_is_the_progress_table(cli, dept):
    ann = dept.member("Ann Lee")
    pid, _ = dept.simple_program(
        "Recruit", "hours", "checklist", time_limit_days=30
    )
    dept.milestone(pid, "Half way", 50, verify=True)
    cli("--as-of", "2026-12-20", "enroll", "add", str(ann), "Recruit")
    cli("--as-of", "2026-12-21", "progress", "update", "1", "--add", "5")  # (not before the start)
    r = cli("--as-of", "2027-01-25", "enroll", "show", "1")
    out = r.stdout
    assert "█████░░░░░" in out  # the 50% bar of the hours row
    assert "5 / 10 h" in out and "0 / 3 items" in out
    assert "in progress" in out and "not started" in out
    assert "25%" in out  # overall: (50 + 0) / 2
    assert "2027-01-19 OVERDUE" in out  # target date = 2026-12-20 + 30 days
    data = cli("--format", "json", "enroll", "show", "1").json
    assert data["progress"] == 25 and data["target_date"] == "2027-01-19"
    assert [x["status"] for x in data["requirements"]] == ["in_progress", "not_started"]
    assert data["milestones"][0]["state"] == "not reached"


# ---------------------------------------------------------------------------- lifecycle
def test_lifecycle_hold_resume_withdraw_fail_and_reenroll(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit")
    cli("enroll", "add", str(ann), "Recruit")
    cli("enroll", "hold", "1", "--reason", "injury")
    before = snapshot()
    r = cli("progress", "update", "1", "--add", "2", ok=False)
    assert r.exit_code == 1 and "on hold" in r.stderr and "enroll resume 1" in r.stderr
    r = cli("enroll", "hold", "1", ok=False)
    assert r.exit_code == 1 and "only active enrollments can be put on hold" in r.stderr
    assert snapshot() == before
    cli("enroll", "resume", "1")
    cli("progress", "update", "1", "--add", "2")
    cli("enroll", "withdraw", "1", "--reason", "moved away")
    r = cli("enroll", "resume", "1", ok=False)
    assert r.exit_code == 1
    cli("enroll", "add", str(ann), "Recruit")  # a withdrawn enrollment is not open
    cli("enroll", "fail", "2")
    statuses = dept.rows("SELECT id, status, status_reason FROM enrollment ORDER BY id")
    assert statuses == [(1, "withdrawn", "moved away"), (2, "failed", None)]


# ------------------------------------------------------------------------- withdrawal
def test_withdraw_and_fail_ask_first_at_a_terminal(cli, dept, snapshot, monkeypatch):
    """Review: one mistyped id withdrew a recruit at once, for good (a withdrawn enrollment
    is never resumed; a new one loses its manual entries). At a terminal it asks; "no"
    changes nothing; --yes answers in advance (a script, where nobody is asked)."""
    from trainctl.cli import render

    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit")
    dept.simple_program("Driver")
    cli("enroll", "add", str(ann), "Recruit")  # 1
    cli("enroll", "add", str(ann), "Driver")  # 2
    monkeypatch.setattr(render, "interactive", lambda: True)
    before = snapshot()
    for action in ("withdraw", "fail"):
        r = cli("enroll", action, "1", input="n\n", ok=False)
        assert r.exit_code == 1 and "Nothing changed" in r.stderr, r
        assert "Ann Lee from 'Recruit' v1 (enrollment 1, active, 0%)? It cannot be undone" in r.stderr, r
    assert snapshot() == before
    r = cli("enroll", "withdraw", "1", input="y\n")
    assert "Enrollment 1 is now withdrawn" in r.stderr
    r = cli("enroll", "fail", "2", "--yes")
    assert "cannot be undone" not in r.stderr and "Enrollment 2 is now failed" in r.stderr
    assert dept.rows("SELECT id, status FROM enrollment ORDER BY id") == [(1, "withdrawn"), (2, "failed")]


def test_withdrawal_rules_own_active_finalized_and_already_withdrawn(cli, dept, snapshot):
    ann = dept.member("Ann Lee")
    bob = dept.member("Bob Ray")
    officer = dept.member("Olga Chief", role="officer")
    dept.simple_program("Recruit")
    dept.simple_program("Driver")
    cli("enroll", "add", str(ann), "Recruit")  # 1
    cli("enroll", "add", str(ann), "Driver")  # 2
    cli("enroll", "add", str(bob), "Recruit")  # 3
    cli("progress", "update", "--enrollment", "2", "--requirement", "Driver hours 1", "--set", "10")
    assert dept.scalar("SELECT status FROM enrollment WHERE id = 2") == "completed"

    before = snapshot()
    # another member's enrollment: not theirs
    r = cli("--as", str(ann), "enroll", "withdraw", "3", ok=False)
    assert r.exit_code == 77 and "Error:" in r.stderr and "Hint:" in r.stderr
    # a finalized (completed) enrollment: only an officer
    r = cli("--as", str(ann), "enroll", "withdraw", "2", ok=False)
    assert r.exit_code == 77, r
    assert "Not authorized to withdraw a finalized enrollment" in r.stderr and "Hint:" in r.stderr
    # members still may not hold or fail
    assert cli("--as", str(ann), "enroll", "hold", "1", ok=False).exit_code == 77
    assert snapshot() == before

    # their own active enrollment: yes
    r = cli("--as", str(ann), "enroll", "withdraw", "1", "--reason", "moved away")
    assert "Enrollment 1 is now withdrawn" in r.stderr
    # an officer withdraws the completed one
    cli("--as", str(officer), "enroll", "withdraw", "2")
    statuses = dept.rows("SELECT id, status FROM enrollment ORDER BY id")
    assert statuses == [(1, "withdrawn"), (2, "withdrawn"), (3, "active")]

    # again: a no-op that says so and writes nothing (not even the audit log)
    audits = dept.scalar("SELECT count(*) FROM audit_log")
    before = snapshot()
    for who in (str(ann), str(officer)):
        r = cli("--as", who, "enroll", "withdraw", "1")
        assert "already withdrawn; nothing changed" in r.stderr and "is now" not in r.stderr
    assert snapshot() == before and dept.scalar("SELECT count(*) FROM audit_log") == audits


def test_an_as_of_enrollment_judges_the_member_as_they_were_that_day(cli, tmp_path):
    """A member active on 10 November and retired on the 15th enrolls as of the 10th
    (loading history) and not as of the 20th; a member inactive until their return on 1
    October cannot be enrolled as of September, and the message says when. Positions too:
    promoted to officer on 1 September, he was not one in August. Through the CLI (the
    history comes from `member edit/deactivate --effective`)."""
    cli("member", "add", "Rita Holm", "--email", "rita@fd.org", "--position", "probationary",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("member", "add", "Quin Back", "--email", "quin@fd.org", "--position", "probationary",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("member", "add", "Pat Promo", "--email", "pat@fd.org", "--position", "firefighter",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2026-11-20", "member", "deactivate", "rita@fd.org", "--effective", "2026-11-15")
    cli("--as-of", "2026-03-01", "member", "deactivate", "quin@fd.org", "--effective", "2026-03-01")
    cli("--as-of", "2026-10-01", "member", "edit", "quin@fd.org", "--status", "active", "--effective", "2026-10-01")
    cli("--as-of", "2026-09-01", "member", "edit", "pat@fd.org", "--add-position", "officer", "--effective", "2026-09-01")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4", "--counts-type", "drill")
    for name, position in (("Academy", "probationary"), ("Officer school", "officer")):
        cli("program", "create", name, "--position", position)
        cli("program", "requirement", "add", name, "Drill hours")
        cli("program", "activate", name)
    r = cli("--as-of", "2026-11-20", "enroll", "add", "rita@fd.org", "Academy", ok=False)
    assert r.exit_code == 1 and "Rita Holm is inactive" in r.stderr
    cli("--as-of", "2026-11-10", "enroll", "add", "rita@fd.org", "Academy")
    r = cli("--as-of", "2026-09-15", "enroll", "add", "quin@fd.org", "Academy", ok=False)
    assert r.exit_code == 1 and "Quin Back was inactive on 2026-09-15" in r.stderr
    r = cli("--as-of", "2026-08-15", "enroll", "bulk", "Officer school", "--members", "pat@fd.org", ok=False)
    assert "does not hold the position 'officer'" in r.stdout + r.stderr
    cli("--as-of", "2026-09-15", "enroll", "bulk", "Officer school", "--members", "pat@fd.org,quin@fd.org",
        ok=False)  # fmt: skip
    enrolled = cli("--format", "json", "enroll", "list", "--program", "Officer school").json
    assert [e["member"] for e in enrolled] == ["Pat Promo"]


def test_an_archived_version_points_at_the_active_one_or_at_activate(cli):
    """The hint names what to do: v2 when it is active, else `program activate`."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    cli("requirement", "add", "--name", "Drill", "--type", "hours", "--hours", "4",
        "--counts-type", "drill")  # fmt: skip
    cli("program", "create", "Recruit")
    cli("program", "requirement", "add", "Recruit", "Drill")
    cli("program", "activate", "Recruit")
    cli("program", "archive", "Recruit@1")
    r = cli("enroll", "add", "ann@fd.org", "Recruit@1", ok=False)
    assert r.exit_code == 1 and "No version of it is active: `trainctl program activate 1`" in r.stderr, r
    cli("program", "duplicate", "Recruit@1", "--name", "Recruit", "--activate")
    r = cli("enroll", "add", "ann@fd.org", "Recruit@1", ok=False)
    assert r.exit_code == 1 and "Enroll members in v2, its active version (program 2)." in r.stderr, r
