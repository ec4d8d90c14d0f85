"""Programs as files: export, apply (create / change / no-op / dry run), round trips, the
shipped samples, and refusals of bad files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from program_helpers import (
    PROBIE,
    REGISTRY_REQS,
    add_enrollment,
    add_member,
    add_requirements,
    build_probie,
    doc_without_info,
)


@pytest.fixture
def fresh(cli):
    """An empty database at head, so 'unchanged' compares against real tables."""
    cli("db", "check")


@pytest.fixture
def probie(cli, db_url):
    add_requirements(db_url)
    build_probie(cli)
    return PROBIE


def other_db(tmp_path: Path, name: str = "other.db", *, registry: bool = True) -> Path:
    path = tmp_path / name
    if registry:
        add_requirements(path, REGISTRY_REQS)
    return path


def test_export_then_apply_on_a_new_database_reproduces_the_program(cli, probie, tmp_path):
    f = tmp_path / "probie.toml"
    cli("program", "export", probie, "-o", str(f))
    data = tomllib.loads(f.read_text())
    assert data["phases"][0]["requirements"][1] == {
        "registry": "NFPA", "code": "NFPA 1582", "name": "Medical Fitness", "required": True,
        "prerequisite": False, "sort_order": 20, "deadline_days": 14,
    }  # fmt: skip
    assert {d["name"] for d in data["requirement_definitions"]} == {
        "Station orientation",
        "Ride-along shifts",
    }
    original = cli("program", "show", probie, "--format", "json").json
    new = other_db(tmp_path)
    r = cli("--db", str(new), "program", "apply", "--file", str(f))
    assert "+ program 'Probationary Firefighter' v1 (phases)" in r.stdout
    assert "+ requirement definition 'Station orientation' (checklist)" in r.stdout
    assert "+ phase 3 after phase 2" in r.stdout
    copy = cli("--db", str(new), "program", "show", probie, "--format", "json").json
    assert doc_without_info(copy) == doc_without_info(original)
    assert copy["status"] == "active"
    assert (
        cli("--db", str(new), "program", "show", probie).stdout.replace(" 1; ", " 1; ")
        == cli("program", "show", probie).stdout
    )


def test_show_json_round_trips_through_apply(cli, probie, tmp_path):
    f = tmp_path / "probie.json"
    f.write_text(cli("program", "show", probie, "--format", "json").stdout)
    assert "No changes" in cli("program", "apply", "--file", str(f)).stderr  # same database
    new = other_db(tmp_path)
    cli("--db", str(new), "program", "apply", "--file", str(f))
    again = cli("--db", str(new), "program", "show", probie, "--format", "json").json
    assert doc_without_info(again) == doc_without_info(json.loads(f.read_text()))


def test_applying_the_same_file_twice_changes_nothing(cli, probie, tmp_path, snapshot):
    f = tmp_path / "probie.toml"
    cli("program", "export", probie, "-o", str(f))
    before = snapshot()
    r = cli("program", "apply", "--file", str(f))
    assert (
        r.stdout == ""
        and "No changes: program 'Probationary Firefighter' v1 already matches" in r.stderr
    )
    assert snapshot() == before
    new = other_db(tmp_path)
    cli("--db", str(new), "program", "apply", "--file", str(f))
    from conftest import dump_db

    once = dump_db(new)
    assert cli("--db", str(new), "program", "apply", "--file", str(f)).stdout == ""
    assert dump_db(new) == once


def test_apply_reports_exactly_what_it_changes_and_dry_run_writes_nothing(
    cli, probie, tmp_path, snapshot
):
    f = tmp_path / "probie.toml"
    cli("program", "export", probie, "-o", str(f))
    text = f.read_text()
    text = text.replace("time_limit_days = 180", "time_limit_days = 200")
    text = text.replace('name = "Live fire"', 'name = "Live fire (NFPA 1403)"')
    text = text.replace("warning_days_before = 30", "warning_days_before = 21")
    text = text.replace("prerequisites = [\n    1,\n    2,\n]", "prerequisites = [\n    2,\n]")
    text += '\n[[phases.requirements]]\nregistry = "Pro Board"\ncode = "PB-FF1"\nrequired = false\n'
    text = text.replace(
        '[[milestones]]\nname = "Halfway"\nthreshold = 50.0',
        '[[milestones]]\nname = "Halfway"\nthreshold = 60.0',
    )
    f.write_text(text)
    expected = [
        "~ program warning_days_before 30 -> 21",
        "~ phase 2 time_limit_days 180 -> 200",
        "~ phase 3 name 'Live fire' -> 'Live fire (NFPA 1403)'",
        "- phase 3 after phase 1",
        "+ requirement PB-FF1 (phase 3, optional)",
        "~ milestone 'Halfway' (program level) completion_percentage_threshold 50.0 -> 60.0",
    ]
    before = snapshot()
    r = cli("program", "apply", "--file", str(f), "--dry-run")
    assert r.stdout.splitlines() == expected
    assert "Would apply 6 changes" in r.stderr and "dry run: nothing written" in r.stderr
    assert snapshot() == before
    r = cli("program", "apply", "--file", str(f))
    assert r.stdout.splitlines() == expected
    doc = cli("program", "show", probie, "--format", "json").json
    assert doc["phases"][2]["prerequisites"] == [2] and doc["warning_days_before"] == 21
    assert [lk["code"] for lk in doc["phases"][2]["requirements"]] == ["NFPA 1403", "PB-FF1"]
    # and removing things from the file removes them
    data = tomllib.loads(f.read_text())
    data["phases"] = data["phases"][:2]
    data["milestones"] = []
    g = tmp_path / "two.json"
    g.write_text(json.dumps(data))
    r = cli("program", "apply", "--file", str(g))
    assert r.stdout.splitlines() == [
        "- phase 3 'Live fire (NFPA 1403)' (with its links and milestones)",
        "- milestone 'Halfway' (program level)",
    ]
    assert [
        p["number"] for p in cli("program", "show", probie, "--format", "json").json["phases"]
    ] == [1, 2]


def test_apply_activates_a_draft_and_joins_a_lineage(cli, probie, tmp_path, db_url):
    f = tmp_path / "v2.toml"
    cli("program", "export", probie, "-o", str(f))
    f.write_text(f.read_text().replace("version = 1", "version = 2"))
    r = cli("program", "apply", "--file", str(f))
    assert "+ program 'Probationary Firefighter' v2 (phases)" in r.stdout
    doc = cli("program", "show", f"{probie}@2", "--format", "json").json
    assert doc["status"] == "active" and doc["lineage"] == f"{probie}@1"


def test_enrolled_programs_are_not_restructured_by_a_file(cli, probie, tmp_path, snapshot, db_url):
    add_enrollment(db_url, add_member(db_url, "Rec Ruit", "rec@example.org"), 1)
    f = tmp_path / "probie.toml"
    cli("program", "export", probie, "-o", str(f))
    cli("program", "apply", "--file", str(f))  # unchanged: fine
    f.write_text(f.read_text().replace("time_limit_days = 180", "time_limit_days = 200"))
    before = snapshot()
    r = cli("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 1
    assert "has enrollments, so" in r.stderr and "cannot change its structure" in r.stderr
    assert (
        "~ phase 2 time_limit_days 180 -> 200" in r.stderr
        and "Set `version = 2` in the file" in r.stderr
    )
    assert snapshot() == before


# ------------------------------------------------------------------------------ refusals
def write(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


def test_a_program_file_without_a_required_requirement_is_refused(cli, tmp_path, snapshot, db_url):
    add_requirements(db_url)
    f = write(
        tmp_path,
        'name = "Opt"\n[[requirements]]\nregistry = "NFPA"\ncode = "NFPA 1001"\nrequired = false\n',
    )
    before = snapshot()
    r = cli("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 1
    assert "Program 'Opt' v1 in" in r.stderr and "is not complete; nothing was written" in r.stderr
    assert "it has no required requirement" in r.stderr
    assert snapshot() == before
    r = cli("program", "create", "--from-file", str(f), ok=False)
    assert r.exit_code == 1 and snapshot() == before


def test_a_phases_program_file_without_phases_is_refused(cli, tmp_path, snapshot, db_url):
    add_requirements(db_url)
    f = write(
        tmp_path,
        'name = "P"\nstructure_type = "phases"\n[[requirements]]\nname = "Station orientation"\n',
    )
    before = snapshot()
    r = cli("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 1 and "it is a `phases` program without phases" in r.stderr
    f = write(
        tmp_path,
        'name = "P"\nstructure_type = "phases"\n[[phases]]\nnumber = 1\nname = "One"\n'
        '[[phases.requirements]]\nname = "Station orientation"\n[[phases]]\nnumber = 2\nname = "Two"\n',
    )
    r = cli("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 1 and "phase 2 holds no required requirement" in r.stderr
    assert snapshot() == before


def test_links_to_missing_requirements_are_refused_with_an_import_hint(
    cli, tmp_path, snapshot, fresh
):
    f = write(
        tmp_path,
        'name = "P"\n[[requirement_definitions]]\nname = "Drills"\nrequirement_type = "hours"\n'
        'required_hours = 4\n[[requirements]]\nregistry = "NFPA"\ncode = "NFPA 1001"\n'
        '[[requirements]]\nregistry = "Pro Board"\ncode = "PB-FF1"\n[[requirements]]\nname = "Drills"\n'
        '[[requirements]]\nname = "Nonexistent drill"\n',
    )
    before = snapshot()
    r = cli("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 1
    assert "The program links requirements that do not exist (3); nothing was written." in r.stderr
    for line in (
        "requirement NFPA 1001 does not exist",
        "requirement Pro Board PB-FF1 does not exist",
        "requirement 'Nonexistent drill' does not exist",
    ):
        assert line in r.stderr
    assert "`trainctl import nfpa`, `trainctl import proboard`" in r.stderr
    assert snapshot() == before  # not even the definition of "Drills"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name = \n", "not valid TOML"),
        (
            'name = "P"\nstructure_type = "spiral"\n',
            "field structure_type: must be flexible, sequential or phases",
        ),
        ('name = "P"\ncolour = "red"\n', "field colour: is not a field here"),
        (
            'name = "P"\n[reminder_conditions]\nlead_days = [0]\n',
            "field reminder_conditions.lead_days.0",
        ),
        (
            'name = "P"\n[reminder_conditions]\nlead_days = [true]\ninactive_days = "21"\n',
            "field reminder_conditions.lead_days.0: is not a whole number (got True)",
        ),
        (
            'name = "P"\n[reminder_conditions]\ninactive_days = "21"\n',
            "field reminder_conditions.inactive_days: is not a whole number (got '21')",
        ),
        ('name = "P"\n[[requirements]]\nregistry = "NFPA"\n', "needs both `registry` and `code`"),
        (
            'name = "P"\n[[phases]]\nnumber = 1\nname = "A"\nprerequisites = [2]\n',
            "phase 1 lists prerequisite phase 2, which the file does not define",
        ),
        (
            'name = "P"\n[[phases]]\nnumber = 1\nname = "A"\n[[phases]]\nnumber = 1\nname = "B"\n',
            "p.toml, field phases.1.number: Phase 1 already exists for this program",
        ),
        (
            'name = "P"\n[[requirement_definitions]]\nname = "D"\nrequirement_type = "hours"\n',
            "field requirement_definitions.0.required_hours: an hours requirement needs required_hours",
        ),
        (
            'name = "P"\n[[requirement_definitions]]\nname = "D"\nrequirement_type = "shifts"\n'
            'required_shifts = 2\ncounts_categories = ["scba"]\n',
            "field requirement_definitions.0.counts_categories: does not apply to a shifts requirement",
        ),
    ],
)
def test_invalid_files_are_refused_with_exit_65(cli, tmp_path, snapshot, fresh, text, says):
    before = snapshot()
    r = cli("program", "apply", "--file", str(write(tmp_path, text)), ok=False)
    assert r.exit_code == 65, r
    assert says in r.stderr
    assert snapshot() == before


_BAD = 'name = "P"\n[[requirement_definitions]]\nname = "D"\nrequirement_type = "{}"\n{}\n[[requirements]]\nname = "D"\n'
BAD_DEFINITIONS = [
    ("hours", 'required_hours = 10.0\nhour_categories = [{name = "ems", min_hours = "abc"}]',
     "field requirement_definitions.0.hour_categories.0.min_hours: is not a number (got 'abc')"),
    ("hours", "required_hours = 10.0\nhour_categories = [42]", "field requirement_definitions.0.hour_categories.0:"),
    ("hours", 'required_hours = 10.0\nhour_categories = [{name = "ems", min_hours = -5.0}]',
     "field requirement_definitions.0.hour_categories.0.min_hours: must be at least 0"),
    ("hours", 'required_hours = 10.0\nhour_categories = [{name = "ems", min_hours = 20.0}]',
     "field requirement_definitions.0.hour_categories: category 'ems': min_hours 20 exceeds required_hours 10"),
    ("checklist", "checklist_items = [1, {a=1}, [2]]", "field requirement_definitions.0.checklist_items.2: must be text"),
    ("checklist", 'checklist_items = ["Check SCBA", "check scba"]',
     "field requirement_definitions.0.checklist_items: checklist item 'check scba' is listed twice"),
    ("checklist", 'checklist_items = ["a\\u001b[31m"]', "field requirement_definitions.0.checklist_items.0: contains a control"),
    ("checklist", 'checklist_items = ["a"]\naliases = ["x\\u001b"]', "field requirement_definitions.0.aliases.0: contains a control"),
    ("hours", 'required_hours = 1.0\ncounts_categories = ["e\\u001b"]', "requirement_definitions.0.counts_categories.0: contains a"),
    ("courses", 'required_courses = ["C\\u001b"]', "field requirement_definitions.0.required_courses.0: contains a control"),
    ("hours", 'required_hours = 1.0\nhour_categories = [{name = "e\\u001b"}]',
     "field requirement_definitions.0.hour_categories.0.name: contains a control"),
    ("hours", 'required_hours = 1.0\nsource = "state"', "field requirement_definitions.0.source_document: a state requirement"),
]  # fmt: skip


@pytest.mark.parametrize(("rtype", "fields", "says"), BAD_DEFINITIONS)
def test_a_definition_is_checked_as_requirement_add_checks_it(cli, tmp_path, snapshot, fresh, rtype, fields, says):
    """A definition is a requirement like any other: a file once stored `min_hours = "abc"`
    unchecked, and `requirement list`, the reports and `requirement edit` then failed for good."""
    before = snapshot()
    r = cli("program", "apply", "--file", str(write(tmp_path, _BAD.format(rtype, fields))), ok=False)
    assert r.exit_code == 65, r
    assert says in r.stderr and "p.toml is not a valid program file" in r.stderr, r
    assert snapshot() == before


def test_a_definition_for_a_position_the_department_lacks_is_refused(cli, tmp_path, snapshot, fresh):
    """`requirement add --position astronaut` is refused; a file's definition was not."""
    body = _BAD.format("hours", 'required_hours = 1.0\nrequired_positions = ["emt", "astronaut"]')
    before = snapshot()
    r = cli("program", "apply", "--file", str(write(tmp_path, body)), ok=False)
    assert r.exit_code == 65, r
    assert "p.toml, field requirement_definitions.0.required_positions: unknown position astronaut (known: " in r.stderr
    assert snapshot() == before


def test_a_definitions_hour_categories_are_kept_as_requirement_add_keeps_them(cli, tmp_path):
    body = _BAD.format("hours", 'required_hours = 10.0\nhour_categories = [{name = "ems", min_hours = 2}]')
    cli("program", "apply", "--file", str(write(tmp_path, body)))
    cli("requirement", "add", "--name", "E", "--type", "hours", "--hours", "10",
        "--hour-categories", '[{"name": "ems", "min_hours": 2}]')  # fmt: skip
    kept = {r["name"]: r["hour_categories"] for r in cli("--format", "json", "requirement", "list").json}
    assert kept["D"] == kept["E"] == [
        {"name": "ems", "min_hours": 2.0, "max_hours": None, "distributive_max_hours": None, "topics": []}
    ]
    assert "exit" not in cli("requirement", "list").stderr
    r = cli("program", "apply", "--file", str(write(tmp_path, body)))  # the same file again
    assert "No changes" in r.stderr and "differs" not in r.stderr, r


def test_phase_cycles_and_duplicate_links_in_a_file_are_refused(cli, tmp_path, snapshot, db_url):
    add_requirements(db_url)
    body = (
        'name = "P"\nstructure_type = "phases"\n'
        '[[phases]]\nnumber = 1\nname = "A"\nprerequisites = [2]\n[[phases.requirements]]\ncode = "NFPA 1001"\nregistry = "NFPA"\n'
        '[[phases]]\nnumber = 2\nname = "B"\nprerequisites = [1]\n[[phases.requirements]]\ncode = "NFPA 1002"\nregistry = "NFPA"\n'
    )
    before = snapshot()
    r = cli("program", "apply", "--file", str(write(tmp_path, body)), ok=False)
    assert (
        r.exit_code == 1
        and "phase prerequisites form a cycle: phase 1 -> phase 2 -> phase 1" in r.stderr
    )
    hint = r.stderr.split("Hint:", 1)[1]
    assert "cycle of phase prerequisites could never be satisfied" in hint
    assert "required requirement" not in hint  # the file's links are fine: only the cycle is wrong
    dup = 'name = "P"\n[[requirements]]\nregistry = "NFPA"\ncode = "NFPA 1001"\n[[requirements]]\nregistry = "NFPA"\ncode = "nfpa 1001"\n'
    r = cli("program", "apply", "--file", str(write(tmp_path, dup)), ok=False)
    assert (
        r.exit_code == 1
        and "Requirement NFPA 1001 is linked twice at the program level" in r.stderr
    )
    assert snapshot() == before


def test_an_existing_department_requirement_is_kept_and_the_difference_reported(
    cli, probie, tmp_path
):
    f = tmp_path / "probie.toml"
    cli("program", "export", probie, "-o", str(f))
    f.write_text(f.read_text().replace("required_shifts = 6", "required_shifts = 8"))
    r = cli("program", "apply", "--file", str(f))
    assert (
        "requirement 'Ride-along shifts' exists and differs from the file in required_shifts"
        in r.stderr
    )
    assert "No changes" in r.stderr


# ---------------------------------------------------------------------------- samples
def test_sample_programs_apply_cleanly_after_the_imports(cli, snapshot):
    from trainctl.services.program_files import sample_programs

    paths = sample_programs()
    assert {p.name for p in paths} >= {
        "probationary-firefighter.toml",
        "driver-operator-candidate.toml",
        "emt-recertification.toml",
    }
    for registry in ("nfpa", "nremt", "proboard", "iso"):
        r = cli("import", registry, ok=False)
        if r.exit_code != 0:
            pytest.skip(
                f"`trainctl import {registry}` is not available yet: {r.stderr.strip()[:120]}"
            )
    for path in paths:
        cli("program", "apply", "--file", str(path))
    before = snapshot()
    for path in paths:
        assert cli("program", "apply", "--file", str(path)).stdout == ""
    assert snapshot() == before
    probie = cli("program", "show", "Probationary Firefighter", "--format", "json").json
    assert probie["structure_type"] == "phases" and probie["status"] == "active"
    assert [p["prerequisites"] for p in probie["phases"]] == [[], [1], [1, 2]]
    assert probie["phases"][0]["requires_manual_advancement"] is True
    assert probie["milestones"] and probie["phases"][0]["milestones"]
    emt = cli("program", "show", "EMT Recertification", "--format", "json").json
    assert emt["requirements"][0]["code"] == "NREMT-EMT"


def test_a_sample_without_its_registry_is_refused_with_the_import_hint(cli, snapshot, fresh):
    from trainctl.services.program_files import sample_programs

    emt = next(p for p in sample_programs() if p.name == "emt-recertification.toml")
    before = snapshot()
    r = cli("program", "apply", "--file", str(emt), ok=False)
    assert r.exit_code == 1 and "`trainctl import nremt`" in r.stderr
    assert snapshot() == before


def test_a_definition_says_what_counts_and_a_new_database_counts_the_same(cli, tmp_path):
    """An hours requirement defined in a program file carries its "what counts": without
    it a new database would count no training record toward it (domain/credit.py)."""
    f = write(
        tmp_path,
        'name = "SCBA"\n[[requirement_definitions]]\nname = "SCBA hours"\n'
        'requirement_type = "hours"\nrequired_hours = 4\ncounts_categories = ["scba"]\n'
        '[[requirements]]\nname = "SCBA hours"\n',
    )
    cli("program", "apply", "--file", str(f))
    (req,) = [r for r in cli("--format", "json", "requirement", "list").json if r["name"] == "SCBA hours"]
    shown = cli("requirement", "show", "SCBA hours").stdout
    assert "counts categories  scba" in shown, req
    out = tmp_path / "again.toml"
    cli("program", "export", "SCBA", "-o", str(out))
    (d,) = tomllib.loads(out.read_text())["requirement_definitions"]
    assert d["counts_categories"] == ["scba"]
    assert "counts_courses" not in d  # defaults stay out of the file


def test_a_draft_exported_and_applied_elsewhere_arrives_a_draft(cli, probie, tmp_path):
    """`program export` wrote no status: a draft v2 applied with `program apply --file` in
    another database arrived active (enrollable before it was finished). The file carries
    the status; a file without one (the samples, an older export) still applies active."""
    cli("program", "duplicate", probie, "--name", probie)  # v2, a draft
    f = tmp_path / "v2.toml"
    cli("program", "export", f"{probie}@2", "-o", str(f))
    assert tomllib.loads(f.read_text())["status"] == "draft"
    new = other_db(tmp_path)
    cli("program", "export", probie, "-o", str(tmp_path / "v1.toml"))
    cli("--db", str(new), "program", "apply", "--file", str(tmp_path / "v1.toml"))
    r = cli("--db", str(new), "program", "apply", "--file", str(f))
    assert "+ program 'Probationary Firefighter' v2 (phases), draft" in r.stdout, r
    shown = {d["version"]: d["status"] for d in cli("--db", str(new), "--format", "json", "program", "list").json
             if d["name"] == probie}  # fmt: skip
    assert shown == {1: "active", 2: "draft"}, shown
    assert "program status" not in cli("--db", str(new), "program", "apply", "--file", str(f)).stdout
    f.write_text(f.read_text().replace('status = "draft"\n', ""))  # no status: as before, active
    r = cli("--db", str(new), "program", "apply", "--file", str(f))
    assert "~ program status 'draft' -> 'active'" in r.stdout, r
