"""Programs built from the CLI: fields, phases, links, milestones, lookups, permissions, and
every refusal (message, exit code, database unchanged)."""

from __future__ import annotations

import pytest
from backends import connect
from program_helpers import PROBIE, add_enrollment, add_member, add_requirements, build_probie


@pytest.fixture
def reqs(db_url):
    return add_requirements(db_url)


@pytest.fixture
def probie(cli, reqs):
    build_probie(cli)
    return PROBIE


def refused(cli, snapshot, *args, code: int = 1, says: str):
    before = snapshot()
    r = cli(*args, ok=False)
    assert r.exit_code == code, r
    assert says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert snapshot() == before
    return r


# ----------------------------------------------------------------------------- building
def test_phased_program_built_from_the_cli_shows_as_a_readable_tree(cli, probie):
    out = cli("program", "show", probie).stdout
    lines = out.splitlines()
    assert lines[0].startswith("Probationary Firefighter v1 (id 1; phases, active, template)")
    # phases in order, requirements in sort order with marks, overrides and deadlines
    order = [next(i for i, line in enumerate(lines) if text in line) for text in (
        "Phase 1: Orientation", "Station orientation", "NFPA 1582", "Ride-along shifts",
        "Phase 2: Firefighter I", "NFPA 1001", "NFPA 1500", "Phase 3: Live fire", "NFPA 1403",
    )]  # fmt: skip
    assert order == sorted(order)
    assert "● Station orientation (required, prerequisite)" in out
    assert "NFPA 1582 Medical Fitness (required, deadline 14 days (override))" in out
    assert "○ Ride-along shifts (optional, deadline 60 days)" in out
    assert "Academy, all modules" in out and "message: Welcome aboard" in out
    assert "Phase 1: Orientation (deadline 30 days; manual advancement)" in out
    assert "Phase 3: Live fire (after phase 1, 2)" in out
    assert "◆ 100% Orientation signed (officer verifies)" in out
    assert "◆ 50% Halfway — Half done" in out
    assert "Reminders: lead days 30, 14, 7; only below 80%" in out
    assert "deadline 365 days" in out and "warn 30 days before" in out and "no concurrent" in out


def test_show_json_is_one_nested_document(cli, probie):
    doc = cli("program", "show", probie, "--format", "json").json
    assert doc["name"] == probie and doc["version"] == 1 and doc["status"] == "active"
    assert doc["reminder_conditions"] == {"lead_days": [30, 14, 7], "only_below_percent": 80}
    assert [p["number"] for p in doc["phases"]] == [1, 2, 3]
    assert doc["phases"][2]["prerequisites"] == [1, 2]
    ph1 = doc["phases"][0]
    assert [lk.get("code") or lk["name"] for lk in ph1["requirements"]] == [
        "Station orientation",
        "NFPA 1582",
        "Ride-along shifts",
    ]
    assert ph1["requirements"][1] | {"id": 0} == {
        "id": 0, "registry": "NFPA", "code": "NFPA 1582", "name": "Medical Fitness", "required": True,
        "prerequisite": False, "sort_order": 20, "description": None, "deadline_days": 14,
        "notification_message": None,
    }  # fmt: skip
    assert ph1["milestones"][0]["requires_verification"] is True
    assert doc["requirements"][0]["code"] == "CPR-BLS"
    assert {d["name"] for d in doc["requirement_definitions"]} == {
        "Station orientation",
        "Ride-along shifts",
    }


def test_every_program_field_is_stored_and_edited(cli, reqs, db_url):
    cli(
        "program",
        "create",
        "Driver",
        "--structure",
        "sequential",
        "--position",
        "driver_candidate",
        "--time-limit-days",
        "120",
        "--warning-days",
        "14",
        "--no-concurrent",
        "--template",
        "--version",
        "2",
        "--reminders",
        '{"inactive_days": 21}',
        "-d",
        "Pump and aerial",
    )
    p = cli("program", "show", "Driver@2", "--format", "json").json
    assert (
        p["structure_type"],
        p["target_position"],
        p["time_limit_days"],
        p["warning_days_before"],
    ) == ("sequential", "driver_candidate", 120, 14)
    assert (
        p["allows_concurrent_enrollment"] is False
        and p["is_template"] is True
        and p["status"] == "draft"
    )
    assert p["reminder_conditions"] == {"inactive_days": 21}
    cli(
        "program",
        "edit",
        "Driver",
        "--no-template",
        "--concurrent",
        "--clear",
        "time_limit_days",
        "--reminders",
        '{"lead_days": [14, 30]}',
        "--name",
        "Driver/Operator",
    )
    p = cli("program", "show", "Driver/Operator", "--format", "json").json
    assert p["is_template"] is False and p["allows_concurrent_enrollment"] is True
    assert p["time_limit_days"] is None and p["reminder_conditions"] == {"lead_days": [30, 14]}
    con = connect(db_url)
    actions = [
        r[0] for r in con.execute("SELECT action FROM audit_log WHERE entity='program' ORDER BY id")
    ]
    assert actions == ["program.create", "program.edit"]


def test_lookup_by_id_name_and_version_and_list_filters(cli, probie):
    cli("program", "duplicate", probie, "--name", probie)  # v2, a draft
    assert cli("program", "show", probie, "--format", "json").json["version"] == 1  # newest ACTIVE
    assert cli("program", "show", f"{probie}@2", "--format", "json").json["version"] == 2
    assert cli("program", "show", "2", "--format", "json").json["version"] == 2
    assert cli("program", "show", probie.lower(), "--format", "json").json["version"] == 1
    cli("program", "activate", f"{probie}@2")
    assert cli("program", "show", probie, "--format", "json").json["version"] == 2
    cli("program", "create", "Officer dev", "--position", "officer")
    rows = cli("program", "list", "--format", "json").json
    assert [(r["name"], r["version"]) for r in rows] == [
        ("Officer dev", 1),
        (probie, 1),
        (probie, 2),
    ]
    assert rows[1]["phases"] == 3 and rows[1]["requirements"] == 7
    assert [
        r["name"] for r in cli("program", "list", "--position", "officer", "--format", "json").json
    ] == ["Officer dev"]
    assert [r["name"] for r in cli("program", "list", "--template", "--format", "json").json] == [
        probie,
        probie,
    ]
    assert [
        r["status"] for r in cli("program", "list", "--status", "draft", "--format", "json").json
    ] == ["draft"]
    cli("program", "archive", f"{probie}@1")
    assert [
        r["version"] for r in cli("program", "list", "--format", "json").json if r["name"] == probie
    ] == [2]
    assert len(cli("program", "list", "--status", "all", "--format", "json").json) == 3
    r = cli("program", "show", "Nope", ok=False)
    assert r.exit_code == 1 and "No program 'Nope'" in r.stderr and "program list" in r.stderr


def test_empty_listings_say_what_to_do(cli):
    assert "Create one with `trainctl program create" in cli("program", "list").stderr


def test_writes_record_who_did_them(cli, reqs, db_url):
    officer = add_member(db_url, "Olga Officer", "olga@example.org", role="officer")
    cli("--as", "olga@example.org", "program", "create", "Recruit")
    cli("--as", "olga@example.org", "program", "requirement", "add", "Recruit", "NFPA 1001")
    con = connect(db_url)
    assert con.execute("SELECT created_by FROM program").fetchone() == (officer,)
    assert con.execute(
        "SELECT count(*) FROM audit_log WHERE actor_id=? AND action LIKE 'program.%'", (officer,)
    ).fetchone() == (2,)


# ------------------------------------------------------------------------------ refusals
def test_writes_need_training_manage(cli, snapshot, probie, db_url):
    add_member(db_url, "Pat Member", "pat@example.org")
    for args in (
        ("program", "create", "X"),
        ("program", "phase", "add", probie, "4", "Extra"),
        ("program", "requirement", "add", probie, "PB-FF1"),
        ("program", "duplicate", probie, "--name", "Y"),
        ("program", "archive", probie),
    ):
        refused(
            cli, snapshot, "--as", "pat@example.org", *args, code=77, says="needs training.manage"
        )
    assert "Probationary" in cli("--as", "pat@example.org", "program", "show", probie).stdout


def test_second_phase_with_the_same_number(cli, snapshot, probie):
    refused(
        cli,
        snapshot,
        "program",
        "phase",
        "add",
        probie,
        "2",
        "Again",
        says="Phase 2 already exists for this program",
    )
    refused(
        cli,
        snapshot,
        "program",
        "phase",
        "edit",
        probie,
        "3",
        "--number",
        "1",
        says="Phase 1 already exists for this program",
    )


def test_phase_prerequisite_cycles_are_refused(cli, snapshot, probie):
    r = refused(
        cli,
        snapshot,
        "program",
        "phase",
        "edit",
        probie,
        "1",
        "--after",
        "3",
        says="Phase 1 cannot come after phase 3: phase prerequisites would form a cycle",
    )
    assert (
        "phase 1 -> phase 3 -> phase 1" in r.stderr
        or "phase 1 -> phase 3 -> phase 2 -> phase 1" in r.stderr
    )
    refused(
        cli,
        snapshot,
        "program",
        "phase",
        "edit",
        probie,
        "2",
        "--after",
        "2",
        says="would form a cycle",
    )


def test_phase_prerequisite_from_another_program_is_refused(cli, snapshot, probie):
    cli("program", "create", "Other", "--structure", "phases")
    cli("program", "phase", "add", "Other", "1", "Only")
    other_phase = cli("program", "phase", "list", "Other", "--format", "json").json[0]["id"]
    refused(
        cli,
        snapshot,
        "program",
        "phase",
        "add",
        probie,
        "4",
        "Extra",
        "--after",
        f"id:{other_phase}",
        says="belongs to program 'Other' v1; a phase's prerequisites must be phases of the same program",
    )
    refused(
        cli,
        snapshot,
        "program",
        "phase",
        "add",
        probie,
        "4",
        "Extra",
        "--after",
        "9",
        says="has no phase 9",
    )


def test_program_prerequisite_cycles_are_refused(cli, snapshot, reqs):
    cli("program", "create", "A")
    cli("program", "create", "B", "--prerequisite", "A")
    cli("program", "create", "C", "--prerequisite", "B")
    r = refused(
        cli,
        snapshot,
        "program",
        "edit",
        "A",
        "--add-prerequisite",
        "C",
        says="Program 'A' v1 cannot require 'C' v1: prerequisites would form a cycle",
    )
    assert "A@1 -> C@1 -> B@1 -> A@1" in r.stderr
    refused(
        cli, snapshot, "program", "edit", "A", "--add-prerequisite", "A", says="would form a cycle"
    )
    cli("program", "edit", "C", "--remove-prerequisite", "B")
    cli("program", "edit", "A", "--add-prerequisite", "C")  # no cycle any more


def test_same_requirement_twice_in_one_scope_is_refused(cli, snapshot, probie):
    refused(
        cli,
        snapshot,
        "program",
        "requirement",
        "add",
        probie,
        "NFPA 1001",
        "--phase",
        "2",
        says="Requirement NFPA 1001 is already linked to 'Probationary Firefighter' v1 at phase 2",
    )
    refused(
        cli,
        snapshot,
        "program",
        "requirement",
        "add",
        probie,
        "CPR-BLS",
        says="already linked to 'Probationary Firefighter' v1 at the program level",
    )
    cli(
        "program", "requirement", "add", probie, "NFPA 1001", "--phase", "3", "--optional"
    )  # other scope: fine


def test_links_to_requirements_that_do_not_exist_are_refused(cli, snapshot, probie):
    r = refused(
        cli,
        snapshot,
        "program",
        "requirement",
        "add",
        probie,
        "NFPA 9999",
        says="No requirement 'NFPA 9999'",
    )
    assert "trainctl import" in r.stderr
    refused(
        cli,
        snapshot,
        "program",
        "requirement",
        "add",
        probie,
        "NFPA 1002",
        "--phase",
        "7",
        says="has no phase 7",
    )


def test_a_program_with_no_required_requirement_cannot_be_activated(cli, snapshot, reqs):
    cli("program", "create", "Optional only")
    cli("program", "requirement", "add", "Optional only", "NFPA 1002", "--optional")
    refused(
        cli,
        snapshot,
        "program",
        "activate",
        "Optional only",
        says="Program 'Optional only' v1 is not complete, so it cannot be activated",
    )
    assert (
        "it has no required requirement"
        in cli("program", "activate", "Optional only", ok=False).stderr
    )


def test_a_phases_program_needs_phases_each_with_a_required_requirement(cli, snapshot, reqs):
    cli("program", "create", "Phased", "--structure", "phases")
    cli("program", "requirement", "add", "Phased", "NFPA 1002")
    r = refused(cli, snapshot, "program", "activate", "Phased", says="is not complete")
    assert "it is a `phases` program without phases" in r.stderr
    cli("program", "phase", "add", "Phased", "1", "One")
    cli("program", "requirement", "add", "Phased", "NFPA 1001", "--phase", "1", "--optional")
    r = refused(cli, snapshot, "program", "activate", "Phased", says="is not complete")
    assert "phase 1 holds no required requirement" in r.stderr
    cli("program", "requirement", "edit", "Phased", "NFPA 1001", "--phase", "1", "--required")
    cli("program", "activate", "Phased")


def test_an_active_program_stays_complete(cli, snapshot, probie):
    r = refused(
        cli,
        snapshot,
        "program",
        "requirement",
        "remove",
        probie,
        "NFPA 1403",
        "--phase",
        "3",
        says="This would leave active program 'Probationary Firefighter' v1 incomplete",
    )
    assert "phase 3 holds no required requirement" in r.stderr and "program draft" in r.stderr
    refused(cli, snapshot, "program", "phase", "add", probie, "4", "Empty", says="incomplete")
    refused(cli, snapshot, "program", "edit", probie, "--structure", "flexible", says="incomplete")
    cli("program", "draft", probie)
    cli("program", "requirement", "remove", probie, "NFPA 1403", "--phase", "3")
    cli("program", "phase", "add", probie, "4", "Empty")
    refused(cli, snapshot, "program", "activate", probie, says="not complete")


def test_bad_reminder_rules_are_refused_when_saved(cli, snapshot, probie):
    for rules, says in (
        ('{"lead_days": [0]}', "must be at least 1"),
        ('{"lead_days": [7, 7]}', "lead_days lists a day count twice"),
        ('{"lead_days": []}', "needs at least one number of days"),
        ('{"only_below_percent": 150}', "must be at most 100"),
        ('{"inactive_days": -3}', "must be at least 1"),
        ('{"lead_dayz": [7]}', "lead_dayz: is not a field here"),
        ('{"lead_days": [true]}', "lead_days.0: is not a whole number"),
        ('{"lead_days": ["30"]}', "lead_days.0: is not a whole number"),
        ('{"lead_days": [7.5]}', "lead_days.0: is not a whole number"),
        ('{"inactive_days": true}', "inactive_days: is not a whole number"),
        ('{"only_below_percent": true}', "only_below_percent: is not a number"),
        ('{"only_below_percent": 0}', "must be more than 0"),
        ("[30, 14]", "must be a JSON object"),
        ("{lead_days: 30}", "not valid JSON"),
    ):
        refused(cli, snapshot, "program", "edit", probie, "--reminders", rules, code=65, says=says)
        refused(cli, snapshot, "program", "create", "New", "--reminders", rules, code=65, says=says)


def test_bad_field_values_are_refused(cli, snapshot, probie):
    refused(
        cli,
        snapshot,
        "program",
        "create",
        "X",
        "--time-limit-days",
        "0",
        code=65,
        says="field time_limit_days",
    )
    refused(cli, snapshot, "program", "create", "X@2", code=65, says="cannot end in @<number>")
    refused(
        cli,
        snapshot,
        "program",
        "create",
        "X",
        "--position",
        "astronaut",
        says="Unknown target position 'astronaut'",
    )
    refused(
        cli,
        snapshot,
        "program",
        "create",
        probie,
        says="Program 'Probationary Firefighter' version 1 already exists",
    )
    refused(
        cli,
        snapshot,
        "program",
        "milestone",
        "add",
        probie,
        "Over",
        "--threshold",
        "101",
        code=65,
        says="--threshold 101: not a number from 0 to 100.",
    )
    refused(
        cli,
        snapshot,
        "program",
        "milestone",
        "add",
        probie,
        "Halfway",
        "--threshold",
        "60",
        says="Milestone 'Halfway' already exists",
    )


def test_structure_is_fixed_once_members_are_enrolled(cli, snapshot, probie, db_url):
    add_enrollment(db_url, add_member(db_url, "Rec Ruit", "rec@example.org"), 1)
    for args in (
        ("program", "requirement", "remove", probie, "CPR-BLS"),
        # adding a link is allowed once enrolled (issue 11 #7); a prerequisite one is not
        ("program", "requirement", "add", probie, "PB-FF1", "--phase", "2", "--prerequisite"),
        ("program", "phase", "add", probie, "4", "More"),
        ("program", "milestone", "add", probie, "Late", "--threshold", "90"),
        ("program", "draft", probie),
    ):
        r = refused(cli, snapshot, *args, says="has enrollments, so its structure is fixed")
        assert "program duplicate" in r.stderr
    cli("program", "edit", probie, "--warning-days", "10")  # descriptive fields stay editable
