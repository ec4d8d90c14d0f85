"""Changing programs after the fact: one rule for what may change once members are enrolled
(the same for `program edit` and `program apply`), removing phases and milestones, editing
milestones, and every refusal (message, exit code, database unchanged)."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import connect
from program_helpers import PROBIE, add_enrollment, add_member, add_requirements, build_probie

STRUCTURE_FIXED = "has enrollments, so its structure is fixed"


@pytest.fixture
def probie(cli, db_url):
    add_requirements(db_url)
    build_probie(cli)
    return PROBIE


@pytest.fixture
def enrolled(cli, probie, db_url):
    """Probie v1 as members meet it: not a template, one member enrolled with a pinned
    target date (a Feb 29 anchor: 2028-02-29 + 365 days)."""
    cli("program", "edit", probie, "--no-template")
    add_enrollment(db_url, add_member(db_url, "Rec Ruit", "rec@example.org"), 1)
    con = connect(db_url)
    con.execute(
        "UPDATE enrollment SET enrolled_on='2028-02-29', target_completion_date='2029-02-28'"
    )
    con.commit()
    con.close()
    return probie


def refused(cli, snapshot, *args, code: int = 1, says: str):
    before = snapshot()
    r = cli(*args, ok=False)
    assert r.exit_code == code, r
    assert says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert snapshot() == before
    return r


def target_dates(db_url: str) -> list[tuple[str, str]]:
    con = connect(db_url)
    try:
        return con.execute("SELECT enrolled_on, target_completion_date FROM enrollment").fetchall()
    finally:
        con.close()


def export(cli, program: str, tmp_path: Path) -> Path:
    f = tmp_path / "probie.toml"
    cli("program", "export", program, "-o", str(f))
    return f


# ---------------------------------------------------------------- 1. templates, enrolled
def test_an_enrolled_program_cannot_be_marked_as_a_template(cli, snapshot, enrolled):
    r = refused(
        cli,
        snapshot,
        "program",
        "edit",
        enrolled,
        "--template",
        says=f"Program 'Probationary Firefighter' v1 {STRUCTURE_FIXED} (marking it as a template refused).",
    )
    hint = r.stderr.split("Hint:", 1)[1]
    assert "A template cannot be enrolled in" in hint
    assert "program duplicate 'Probationary Firefighter@1'" in hint and "--from-template" in hint
    # the hinted route works: a copy becomes the template, the enrolled program stays as it is
    cli("program", "duplicate", enrolled, "--name", "Probie template")
    cli("program", "edit", "Probie template", "--template")
    assert cli("program", "show", f"{enrolled}@1", "--format", "json").json["is_template"] is False


def test_a_program_without_enrollments_can_be_marked_as_a_template(cli, probie):
    cli("program", "edit", probie, "--no-template")
    cli("program", "edit", probie, "--template")
    assert cli("program", "show", probie, "--format", "json").json["is_template"] is True


# ------------------------------------------------ 2. one rule for edit and apply, enrolled
def test_time_limit_and_reminders_change_the_same_way_by_edit_and_by_file(
    cli, enrolled, tmp_path, db_url
):
    pinned = target_dates(db_url)
    cli("program", "edit", f"{enrolled}@1", "--time-limit-days", "300")
    assert cli("program", "show", enrolled, "--format", "json").json["time_limit_days"] == 300
    f = export(cli, enrolled, tmp_path)
    text = f.read_text()
    assert "time_limit_days = 300\n" in text and "warning_days_before = 30\n" in text
    f.write_text(
        text.replace("time_limit_days = 300\n", "time_limit_days = 400\n")
        .replace("warning_days_before = 30\n", "warning_days_before = 10\n")
        .replace('description = "First year on the line"', 'description = "Year one"')
        .replace("only_below_percent = 80", "only_below_percent = 90")
    )
    r = cli("program", "apply", "--file", str(f))
    assert r.stdout.splitlines() == [
        "~ program description 'First year on the line' -> 'Year one'",
        "~ program time_limit_days 300 -> 400",
        "~ program warning_days_before 30 -> 10",
        "~ program reminder_conditions {'lead_days': [30, 14, 7], 'only_below_percent': 80.0} -> "
        "{'lead_days': [30, 14, 7], 'only_below_percent': 90.0}",
    ]
    doc = cli("program", "show", enrolled, "--format", "json").json
    assert (doc["time_limit_days"], doc["warning_days_before"]) == (400, 10)
    assert doc["reminder_conditions"]["only_below_percent"] == 90
    assert target_dates(db_url) == pinned == [("2028-02-29", "2029-02-28")]  # pinned


def test_prerequisite_programs_change_the_same_way_by_edit_and_by_file(cli, enrolled, tmp_path):
    cli("program", "create", "Pre-hire")
    cli("program", "edit", enrolled, "--add-prerequisite", "Pre-hire")
    f = export(cli, enrolled, tmp_path)
    assert 'prerequisites = [\n    "Pre-hire@1",\n]' in f.read_text()
    f.write_text(f.read_text().replace('    "Pre-hire@1",\n', ""))
    r = cli("program", "apply", "--file", str(f))
    assert r.stdout.splitlines() == ["- prerequisite program Pre-hire@1"]


@pytest.mark.parametrize(
    ("args", "doing"),
    [
        (("--structure", "flexible"), "changing the structure type"),
        (("--template",), "marking it as a template"),
    ],
)
def test_structure_fields_are_refused_by_edit_when_enrolled(cli, snapshot, enrolled, args, doing):
    refused(cli, snapshot, "program", "edit", enrolled, *args, says=f"({doing} refused)")


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("is_template = false", "is_template = true", "~ program is_template False -> True"),
        (
            'name = "Live fire"',
            'name = "Burn building"',
            "~ phase 3 name 'Live fire' -> 'Burn building'",
        ),
        (
            "threshold = 50.0",
            "threshold = 60.0",
            "~ milestone 'Halfway' (program level) completion_percentage_threshold 50.0 -> 60.0",
        ),
        (
            "deadline_days = 14",
            "deadline_days = 21",
            "~ requirement NFPA 1582 (phase 1) custom_deadline_days 14 -> 21",
        ),
    ],
)
def test_structure_changes_are_refused_by_a_file_when_enrolled(
    cli, snapshot, enrolled, tmp_path, old, new, line
):
    # (a file changing structure_type alone is refused as incomplete first: phases and
    # structure go together; `edit --structure` covers the enrolled refusal)
    f = export(cli, enrolled, tmp_path)
    assert old in f.read_text()
    # an allowed change rides along: the whole file is refused, nothing written
    f.write_text(
        f.read_text()
        .replace(old, new)
        .replace("warning_days_before = 30\n", "warning_days_before = 10\n")
    )
    r = refused(
        cli,
        snapshot,
        "program",
        "apply",
        "--file",
        str(f),
        says="has enrollments, so",
    )
    details = r.stderr.split("Hint:", 1)[0]
    assert line in details
    assert "warning_days_before" not in details  # only what the rule refuses is listed
    assert "Set `version = 2` in the file" in r.stderr
    assert "time_limit_days, warning_days_before, reminder_conditions" in r.stderr


def test_the_rule_is_in_both_help_texts(cli):
    edit = " ".join(cli("program", "edit", "--help").stdout.split())
    apply = " ".join(cli("program", "apply", "--help").stdout.split())
    for text, allowed, fixed in (
        (edit, "--time-limit-days", "--structure and --template may not"),
        (apply, "time_limit_days", "structure_type and is_template may not"),
    ):
        assert "Once members are enrolled" in text
        assert allowed in text and "pinned target dates" in text and fixed in text
        assert "phases" in text and "milestones" in text


# ------------------------------------------------------------------- 3. removing phases
def test_removing_an_empty_phase_from_a_draft(cli, probie, db_url):
    cli("program", "draft", probie)
    cli("program", "phase", "add", probie, "4", "Mistake")
    r = cli("program", "phase", "remove", probie, "4")
    assert "Removed phase 4 'Mistake' from 'Probationary Firefighter' v1." in r.stderr
    assert [
        p["number"] for p in cli("program", "show", probie, "--format", "json").json["phases"]
    ] == [1, 2, 3]
    con = connect(db_url)
    assert con.execute(
        "SELECT count(*) FROM audit_log WHERE action='program.phase.remove'"
    ).fetchone() == (1,)


def test_a_phase_holding_links_needs_with_requirements(cli, snapshot, probie, db_url):
    r = refused(
        cli,
        snapshot,
        "program",
        "phase",
        "remove",
        probie,
        "3",
        says="Phase 3 of 'Probationary Firefighter' v1 holds 1 requirement link.",
    )
    assert "--with-requirements" in r.stderr
    r = cli("program", "phase", "remove", probie, "3", "--with-requirements")
    assert (
        "Removed phase 3 'Live fire' from 'Probationary Firefighter' v1 with its 1 requirement link."
        in r.stderr
    )
    doc = cli("program", "show", probie, "--format", "json").json
    assert [p["number"] for p in doc["phases"]] == [1, 2] and doc["status"] == "active"
    con = connect(db_url)
    assert con.execute("SELECT count(*) FROM program_requirement").fetchone() == (6,)
    assert con.execute("SELECT count(*) FROM phase_prerequisite").fetchone() == (1,)  # 2 after 1


def test_milestones_go_with_their_phase_only_with_with_requirements(cli, snapshot, reqs_db):
    cli("program", "create", "P", "--structure", "phases")
    cli("program", "phase", "add", "P", "1", "One")
    cli("program", "milestone", "add", "P", "Half", "--threshold", "50", "--phase", "1")
    refused(cli, snapshot, "program", "phase", "remove", "P", "1", says="holds 1 milestone")
    r = cli("program", "phase", "remove", "P", "1", "--with-requirements")
    assert "with its 1 milestone" in r.stderr
    assert cli("program", "milestone", "list", "P", "--format", "json").json == []


def test_a_phase_others_depend_on_is_refused(cli, snapshot, probie):
    r = refused(
        cli,
        snapshot,
        "program",
        "phase",
        "remove",
        probie,
        "1",
        "--with-requirements",
        says="Phase 1 is a prerequisite of phase 2, 3; removing it would change when those phases start.",
    )
    assert "program phase edit 'Probationary Firefighter@1' 2 --after N" in r.stderr


def test_removing_must_not_leave_an_active_program_incomplete(cli, snapshot, reqs_db):
    cli("program", "create", "Solo", "--structure", "phases")
    cli("program", "phase", "add", "Solo", "1", "Only")
    cli("program", "requirement", "add", "Solo", "NFPA 1001", "--phase", "1")
    cli("program", "activate", "Solo")
    r = refused(
        cli,
        snapshot,
        "program",
        "phase",
        "remove",
        "Solo",
        "1",
        "--with-requirements",
        says="This would leave active program 'Solo' v1 incomplete",
    )
    assert "it is a `phases` program without phases" in r.stderr and "program draft" in r.stderr


def test_removing_an_unknown_phase(cli, snapshot, probie):
    refused(cli, snapshot, "program", "phase", "remove", probie, "9", says="has no phase 9")


# ------------------------------------------------------------ 3. editing/removing milestones
def test_milestones_are_edited_and_removed(cli, probie, db_url):
    r = cli(
        "program", "milestone", "edit", probie, "halfway", "--threshold", "60", "--name",
        "Most of the way", "--message", "Keep going", "--requires-verification",
    )  # fmt: skip
    assert "Updated milestone 'halfway': name, completion_percentage_threshold" in r.stderr
    cli(
        "program",
        "milestone",
        "edit",
        probie,
        "Orientation signed",
        "--phase",
        "1",
        "--no-verification",
    )
    rows = cli("program", "milestone", "list", probie, "--format", "json").json
    assert [(m["phase"], m["name"], m["threshold"], m["requires_verification"]) for m in rows] == [
        (None, "Most of the way", 60.0, True),
        (1, "Orientation signed", 100.0, False),
    ]
    assert (
        "No changes to milestone"
        in cli(
            "program", "milestone", "edit", probie, "Most of the way", "--threshold", "60"
        ).stderr
    )
    r = cli("program", "milestone", "remove", probie, "Orientation signed", "--phase", "1")
    assert "Removed milestone 'Orientation signed'" in r.stderr
    assert [
        m["name"] for m in cli("program", "milestone", "list", probie, "--format", "json").json
    ] == ["Most of the way"]
    con = connect(db_url)
    assert [
        a
        for (a,) in con.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'program.milestone.%' ORDER BY id"
        )
    ][-3:] == ["program.milestone.edit", "program.milestone.edit", "program.milestone.remove"]


def test_milestone_refusals(cli, snapshot, probie):
    cli("program", "milestone", "add", probie, "Late", "--threshold", "90")
    refused(
        cli, snapshot, "program", "milestone", "edit", probie, "Late", "--name", "HALFWAY",
        says="Milestone 'HALFWAY' already exists at the program level",
    )  # fmt: skip
    refused(
        cli, snapshot, "program", "milestone", "edit", probie, "Nope", "--threshold", "10",
        says="No milestone 'Nope' at the program level of 'Probationary Firefighter' v1.",
    )  # fmt: skip
    refused(
        cli, snapshot, "program", "milestone", "remove", probie, "Halfway", "--phase", "1",
        says="No milestone 'Halfway' at phase 1",
    )  # fmt: skip
    refused(
        cli, snapshot, "program", "milestone", "edit", probie, "Late", "--threshold", "101",
        code=65, says="--threshold 101: not a number from 0 to 100.",
    )  # fmt: skip
    refused(
        cli, snapshot, "program", "milestone", "remove", probie, "Late", "--phase", "9",
        says="has no phase 9",
    )  # fmt: skip


def test_removals_and_milestone_edits_are_refused_once_enrolled(cli, snapshot, enrolled):
    cases = (
        (("phase", "remove", enrolled, "3", "--with-requirements"), "removing a phase"),
        (("milestone", "edit", enrolled, "Halfway", "--threshold", "40"), "editing a milestone"),
        (("milestone", "remove", enrolled, "Halfway"), "removing a milestone"),
    )
    for args, doing in cases:
        r = refused(cli, snapshot, "program", *args, says=f"{STRUCTURE_FIXED} ({doing} refused)")
        assert "program duplicate" in r.stderr


def test_removals_need_training_manage(cli, snapshot, probie, db_url):
    add_member(db_url, "Pat Member", "pat@example.org")
    for args in (
        ("phase", "remove", probie, "3", "--with-requirements"),
        ("milestone", "edit", probie, "Halfway", "--threshold", "40"),
        ("milestone", "remove", probie, "Halfway"),
    ):
        refused(
            cli, snapshot, "--as", "pat@example.org", "program", *args, code=77,
            says="needs training.manage",
        )  # fmt: skip


@pytest.fixture
def reqs_db(db_url):
    return add_requirements(db_url)
