"""Registry import: shipped files, idempotence, --update, --dry-run, and every bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from registry_helpers import REPO, SHIPPED, audit_rows, registry_doc, requirement_rows, write


# ------------------------------------------------------------------------- shipped files
@pytest.mark.parametrize("name", list(SHIPPED))
def test_import_shipped_registry_lists_every_entry_with_its_source(cli, name):
    registry, codes = SHIPPED[name]
    r = cli("import", name)
    assert f"{registry}: {len(codes)} added, 0 updated, 0 unchanged" in r.stderr
    assert r.stdout == ""  # data only on stdout; the summary is a message
    rows = cli("requirement", "list", "--registry", registry, "--format", "json").json
    assert sorted(x["registry_code"] for x in rows) == sorted(codes)
    for x in rows:
        assert x["registry_name"] == registry
        assert x["source"] in ("national", "state")
        assert x["source_document"] and x["source_document"] != "department default"
        assert x["created_by"] is None  # the database owner


def test_spec_counts_nfpa_7_nremt_8_proboard_8(cli):
    for name in ("nfpa", "nremt", "proboard"):
        cli("import", name)
    count = {reg: len(cli("requirement", "list", "--registry", reg, "--format", "json").json)
             for reg in ("NFPA", "NREMT", "Pro Board")}  # fmt: skip
    assert count == {"NFPA": 8, "NREMT": 8, "Pro Board": 8}  # 7 NFPA standards, 1500 with two rules
    assert len(cli("requirement", "list", "--registry", "proboard", "--format", "json").json) == 8


def test_second_import_adds_nothing_and_leaves_the_database_identical(cli, snapshot):
    for name in SHIPPED:
        cli("import", name)
    before = snapshot()
    for name, (registry, codes) in SHIPPED.items():
        r = cli("import", name)
        assert f"{registry}: 0 added, 0 updated, {len(codes)} unchanged" in r.stderr
    assert snapshot() == before  # not even an audit row


@pytest.mark.parametrize(
    ("code", "total", "parts", "caps", "topics", "position"),
    [
        ("NREMT-EMR", 16, (8, 4, 4), (3, 3), (1, 2.5, 0.5, 3, 1), "emr"),
        ("NREMT-EMT", 40, (20, 10, 10), (7, 7), (1.5, 6, 1.5, 6, 5), "emt"),
        ("NREMT-AEMT", 50, (25, 12.5, 12.5), (8, 8), (2.5, 7, 3, 7.5, 5), "aemt"),
        ("NREMT-NRP", 60, (30, 15, 15), (10, 10), (3.5, 8.5, 3, 8.5, 6.5), "paramedic"),
    ],
)
def test_nremt_nccp_levels_are_biennial_hours_with_components_and_topic_minimums(
    cli, code, total, parts, caps, topics, position
):
    cli("import", "nremt")
    req = cli("requirement", "show", code, "--format", "json").json
    assert req["requirement_type"] == "hours"
    assert req["required_hours"] == total
    assert req["frequency"] == "biennial"
    assert req["period_anchor"] == "certification_date"
    assert req["required_positions"] == [position]
    assert req["is_editable"] is False
    cats = {c["name"]: c for c in req["hour_categories"]}
    assert list(cats) == ["national", "local", "individual"]
    assert tuple(cats[n]["min_hours"] for n in cats) == parts
    assert (
        cats["national"]["distributive_max_hours"],
        cats["local"]["distributive_max_hours"],
    ) == caps
    assert cats["individual"]["distributive_max_hours"] is None
    names = [t["name"] for t in cats["national"]["topics"]]
    assert names == ["airway", "cardiovascular", "trauma", "medical", "operations"]
    assert tuple(t["min_hours"] for t in cats["national"]["topics"]) == topics
    assert "NREMT" in req["source_document"] and "2016" in req["source_document"]


def test_certifications_carry_a_credential_code(cli):
    for name in SHIPPED:
        cli("import", name)
    certs = cli("requirement", "list", "--type", "certification", "--format", "json").json
    assert len(certs) == 4 + 4 + 8  # NFPA 1001/1002/1021/1041, CPR-BLS/ACLS/PALS/PHTLS, Pro Board
    assert all(c["credential_code"] for c in certs)


def test_iso_figures_and_edition_are_pinned(cli):
    cli("import", "iso")
    rows = {
        x["registry_code"]: x for x in cli("requirement", "list", "-r", "ISO", "-f", "json").json
    }
    expected = {
        "ISO-COMPANY": (16, "monthly"), "ISO-FACILITY": (18, "annual"), "ISO-OFFICER-CE": (12, "annual"),
        "ISO-DRIVER-NEW": (60, "one_time"), "ISO-DRIVER-EXISTING": (12, "annual"),
        "ISO-HAZMAT": (6, "annual"), "ISO-RECRUIT": (240, "one_time"),
    }  # fmt: skip
    assert {k: (v["required_hours"], v["frequency"]) for k, v in rows.items()} == expected
    assert all("2012 edition" in v["source_document"] for v in rows.values())
    assert rows["ISO-RECRUIT"]["period_anchor"] == "hire_date"
    assert rows["ISO-OFFICER-CE"]["required_positions"] == ["officer"]
    assert [c["name"] for c in rows["ISO-COMPANY"]["hour_categories"]] == [
        "structural_firefighting"
    ]


def test_imported_entries_apply_to_the_positions_they_name(cli):
    for name in SHIPPED:
        cli("import", name)
    emt = {
        x["registry_code"]
        for x in cli("requirement", "list", "--position", "emt", "-f", "json").json
    }
    assert {"NREMT-EMT", "CPR-BLS", "PHTLS", "NFPA 1582"} <= emt
    # ISO's per-member items hold the fire companies' positions, not EMS staff
    assert not {"NREMT-NRP", "NFPA 1021", "ISO-OFFICER-CE", "ACLS", "ISO-HAZMAT"} & emt
    officer = {
        x["registry_code"] for x in cli("requirement", "list", "-p", "officer", "-f", "json").json
    }
    assert {"NFPA 1021", "PB-FO1", "ISO-OFFICER-CE", "NFPA 1582"} <= officer
    assert not {"NREMT-EMT", "PB-FO2"} & officer  # Fire Officer II: chief officers


def test_a_pro_board_card_holds_the_nfpa_entry_and_a_pumper_driver_owes_no_aerial(cli):
    """Review: importing Pro Board held every driver to Pumper and Aerial, and a Pro Board
    card did not hold the NFPA entry it certifies to (two cards for one certificate)."""
    cli("import", "nfpa")
    cli("import", "proboard")
    cli("member", "add", "Dee Driver", "--email", "dd@x.example", "--badge", "D-1", "--position", "driver",
        "--hire-date", "2015-01-01")  # fmt: skip
    cli("cert", "add", "D-1", "PB-DO-PUMPER", "--issued", "2018-01-01")
    cells = cli("--format", "json", "report", "compliance", "--member", "D-1").json["cells"]
    status = {c["requirement"].split(" — ")[0]: c["status"] for c in cells}
    assert (status["NFPA 1002"], status["PB-DO-PUMPER"], status["PB-DO-AERIAL"]) == ("met", "met", "not_applicable")
    cli("member", "edit", "D-1", "--add-position", "aerial_operator")
    cells = cli("--format", "json", "report", "compliance", "--member", "D-1").json["cells"]
    assert {c["requirement"].split(" — ")[0]: c["status"] for c in cells}["PB-DO-AERIAL"] == "overdue"


# ------------------------------------------------------------------------ update, dry run
def test_dry_run_shows_the_plan_and_writes_nothing(cli, snapshot):
    cli("requirement", "list")  # creates the database
    before = snapshot()
    r = cli("import", "nfpa", "--dry-run", "--format", "json")
    plan = r.json
    assert [p["action"] for p in plan] == ["add"] * 8
    assert "NFPA: 8 to add, 0 to update, 0 unchanged (dry run: nothing written)" in r.stderr
    assert snapshot() == before


def test_update_keeps_the_departments_change_to_an_editable_default(cli, snapshot, db_url):
    cli("import", "nremt")
    cli(
        "requirement", "edit", "PHTLS", "--frequency", "annual", "--position", "paramedic"
    )  # editable: a department default
    before = snapshot()
    r = cli("import", "nremt")
    assert "NREMT: 0 added, 0 updated, 7 unchanged, 1 with your changes kept" in r.stderr
    assert snapshot() == before

    plan = cli("import", "nremt", "--update", "--dry-run", "-f", "json").json
    phtls = next(p for p in plan if p["registry_code"] == "PHTLS")
    assert phtls == {"registry_code": "PHTLS", "name": phtls["name"], "action": "kept",
                     "fields": [], "kept": ["frequency", "required_positions"]}  # fmt: skip
    assert snapshot() == before

    r = cli("import", "nremt", "--update")
    assert "NREMT: 0 added, 0 updated, 7 unchanged, 1 with your changes kept" in r.stderr
    assert "PHTLS: kept your change to frequency (the file has one_time)" in r.stderr
    assert (
        'PHTLS: kept your change to required_positions (the file has ["emt", "aemt", "paramedic"])'
        in r.stderr
    )
    assert snapshot() == before  # nothing to write
    row = next(x for x in requirement_rows(db_url, "NREMT") if x["registry_code"] == "PHTLS")
    assert row["frequency"] == "annual" and json.loads(row["required_positions"]) == ["paramedic"]


def test_update_refreshes_what_the_department_did_not_change(cli, db_url, tmp_path, snapshot):
    f = write(tmp_path / "state.json", registry_doc())
    cli("import", "registry", f)
    cli("requirement", "edit", "ST-1", "--frequency", "quarterly")  # the department's change
    doc = registry_doc()
    doc["requirements"][0]["required_hours"] = 36  # a new edition changes the hours ...
    doc["requirements"][0]["frequency"] = "monthly"  # ... and the frequency
    write(f, doc)
    r = cli("import", "registry", f)
    assert "State: 0 added, 0 updated, 1 unchanged, 1 differ from the file" in r.stderr
    assert "1 with your changes kept" in r.stderr

    r = cli("import", "registry", f, "--update")
    assert "State: 0 added, 1 updated, 1 unchanged, 1 with your changes kept" in r.stderr
    assert "updated ST-1: required_hours" in r.stderr
    assert "ST-1: kept your change to frequency (the file has monthly)" in r.stderr
    row = requirement_rows(db_url, "State")[0]
    assert (row["required_hours"], row["frequency"]) == (36, "quarterly")
    log = json.loads(audit_rows(db_url)[-1]["detail"])
    assert log["updated"] == {"ST-1": ["required_hours"]} and log["kept"] == {"ST-1": ["frequency"]}

    # importing again changes nothing, and the department's frequency still stands
    after = snapshot()
    r = cli("import", "registry", f, "--update")
    assert "kept your change to frequency" in r.stderr
    assert snapshot() == after

    # a field the import wrote last is the import's again: the department may edit it later
    cli("requirement", "edit", "ST-1", "--hours", "40")
    doc["requirements"][0]["required_hours"] = 48
    write(f, doc)
    r = cli("import", "registry", f, "--update")
    assert "kept your change to required_hours (the file has 48" in r.stderr
    assert requirement_rows(db_url, "State")[0]["required_hours"] == 40


def test_import_matches_registry_and_code_ignoring_case_and_spaces(
    cli, snapshot, tmp_path, db_url
):
    cli("import", "nfpa")
    doc = json.loads((REPO / "registries" / "nfpa.json").read_text())
    doc["registry"] = "Nfpa"
    doc["requirements"][0]["registry_code"] = "nfpa 1001"
    doc["requirements"][1]["registry_code"] = "NFPA1002"
    doc["requirements"][2]["registry_name"] = "NFPA"
    f = write(tmp_path / "nfpa-lower.json", doc)
    before = snapshot()
    r = cli("import", "registry", f)
    assert "NFPA: 0 added, 0 updated, 8 unchanged" in r.stderr
    assert snapshot() == before
    r = cli("import", "registry", f, "--update")
    assert "NFPA: 0 added, 0 updated, 8 unchanged" in r.stderr
    assert snapshot() == before  # the spelling already there stays

    assert len(cli("requirement", "list", "--registry", "NFPA", "-f", "json").json) == 8
    assert (
        cli("requirement", "show", "NFPA 1001", "-f", "json").json["registry_code"] == "NFPA 1001"
    )

    # a new entry in that file joins the registry under the spelling it already has
    doc["requirements"].append({**doc["requirements"][0], "registry_code": "nfpa 9", "name": "New"})
    write(f, doc)
    assert "NFPA: 1 added" in cli("import", "registry", f).stderr
    assert {r["registry_name"] for r in requirement_rows(db_url)} == {"NFPA"}


def test_a_new_entry_may_not_take_an_existing_name(cli, snapshot, tmp_path):
    f = write(tmp_path / "state.json", registry_doc())
    cli("import", "registry", f)
    doc = registry_doc()
    doc["requirements"].append({**doc["requirements"][0], "registry_code": "ST-3"})
    doc["requirements"][0]["name"] = "Renamed hours"  # frees the name only with --update
    write(f, doc)
    before = snapshot()
    r = cli("import", "registry", f, ok=False)
    assert r.exit_code == 65
    assert f"{f}: 1 name already used in State; nothing was imported." in r.stderr
    assert (
        "entry 3 (ST-3), field name: 'Annual hours' is already the name of id 1 (ST-1)" in r.stderr
    )
    assert snapshot() == before
    r = cli("import", "registry", f, "--update")  # ST-1 is renamed in the same import
    assert "State: 1 added, 1 updated, 1 unchanged" in r.stderr


def test_registry_header_problems_name_no_field_row(cli, snapshot, tmp_path):
    cli("requirement", "list")
    f = write(tmp_path / "h.json", {k: v for k, v in registry_doc().items() if k != "edition"})
    before = snapshot()
    r = cli("import", "registry", f, ok=False)
    assert r.exit_code == 65
    assert f"  {f}: give the registry's edition or last_updated" in r.stderr
    assert "(row)" not in r.stderr
    assert snapshot() == before


def test_update_from_a_newer_file_touches_only_differing_rows(cli, db_url, tmp_path):
    f = write(tmp_path / "state.json", registry_doc())
    cli("import", "registry", f)
    first = {r["registry_code"]: r for r in requirement_rows(db_url, "State")}
    doc = registry_doc()
    doc["requirements"][0]["required_hours"] = 36
    doc["requirements"].append(
        {**doc["requirements"][0], "registry_code": "ST-3", "name": "More hours"}
    )
    write(f, doc)
    r = cli("import", "registry", f, "--update")
    assert "State: 1 added, 1 updated, 1 unchanged" in r.stderr
    rows = {r["registry_code"]: r for r in requirement_rows(db_url, "State")}
    assert rows["ST-1"]["required_hours"] == 36 and rows["ST-1"]["updated_at"] is not None
    assert rows["ST-2"] == first["ST-2"]  # untouched
    assert rows["ST-2"]["frequency"] == "biennial"  # "biannual" in the file means every 24 months


def test_member_cannot_import(cli, snapshot):
    cli("member", "add", "Pat Member", "--email", "pat@example.org", "--role", "member")
    before = snapshot()
    r = cli("--as", "pat@example.org", "import", "nfpa", ok=False)
    assert r.exit_code == 77
    assert "training.manage" in r.stderr
    assert snapshot() == before


def test_officer_import_records_who(cli, db_url):
    cli("member", "add", "Olga Officer", "--email", "olga@example.org", "--role", "officer")
    cli("--as", "olga@example.org", "import", "iso")
    rows = requirement_rows(db_url, "ISO")
    assert {r["created_by"] for r in rows} == {1}
    assert audit_rows(db_url)[-1]["actor_id"] == 1


# ------------------------------------------------------------------------------ bad files
def _entry(i: int = 0, **changes):
    doc = registry_doc()
    doc["requirements"][i].update(changes)
    return doc


def _without(field: str, i: int = 0):
    doc = registry_doc()
    del doc["requirements"][i][field]
    return doc


BAD = {
    "wrong type: hours as text": (
        _entry(required_hours="forty"),
        ["entry 1 (ST-1)", "field required_hours"],
    ),
    "wrong type: number as string": (
        _entry(required_hours="24"),
        ["entry 1 (ST-1)", "field required_hours"],
    ),
    "wrong type: editable as yes": (
        _entry(is_editable="yes"),
        ["entry 1 (ST-1)", "field is_editable"],
    ),
    "wrong type: positions as a string": (
        _entry(required_positions="firefighter"),
        ["entry 1 (ST-1)", "field required_positions"],
    ),
    "negative hours": (
        _entry(required_hours=-5),
        ["entry 1 (ST-1)", "field required_hours", "greater than 0"],
    ),
    "zero hours": (
        _entry(required_hours=0),
        ["entry 1 (ST-1)", "field required_hours", "greater than 0"],
    ),
    "unknown position": (
        _entry(required_positions=["firefighter", "astronaut"]),
        ["entry 1 (ST-1)", "field required_positions", "astronaut", "known: aemt"],
    ),
    "unknown type": (
        _entry(requirement_type="vibes"),
        ["entry 1 (ST-1)", "field requirement_type"],
    ),
    "unknown frequency": (_entry(frequency="fortnightly"), ["entry 1 (ST-1)", "field frequency"]),
    "missing registry_code": (
        _without("registry_code"),
        ["entry 1 (Annual hours)", "field registry_code", "required"],
    ),
    "missing name": (_without("name", 1), ["entry 2 (ST-2)", "field name"]),
    "missing source_document": (
        _without("source_document"),
        ["entry 1 (ST-1)", "field source_document"],
    ),
    "missing target": (_without("required_hours"), ["entry 1 (ST-1)", "field required_hours"]),
    "certification without credential": (
        _without("credential_code", 1),
        ["entry 2 (ST-2)", "field credential_code"],
    ),
    "target of another type": (
        _entry(required_shifts=3),
        ["entry 1 (ST-1)", "field required_shifts", "does not apply"],
    ),
    "unknown field (typo)": (
        _entry(required_hour=3),
        ["entry 1 (ST-1)", "field required_hour", "is not a field here"],
    ),
    "duplicate codes": (
        _entry(1, registry_code="ST-1"),
        ["entry 2 (ST-1)", "field registry_code", "also entry 1"],
    ),
    "duplicate codes but for case and spaces": (
        _entry(1, registry_code="st - 1".replace(" ", "")),
        ["entry 2 (st-1)", "field registry_code", "'st-1' is also entry 1", "ignoring case"],
    ),
    "duplicate names": (
        _entry(1, name="annual HOURS"),
        ["entry 2 (ST-2)", "field name", "'annual HOURS' is also entry 1", "names are unique"],
    ),
    "category minimums above total": (
        _entry(hour_categories=[{"name": "a", "min_hours": 20}, {"name": "b", "min_hours": 10}]),
        ["entry 1 (ST-1)", "field hour_categories", "add up to 30"],
    ),
    "topic minimums above category": (
        _entry(
            hour_categories=[
                {"name": "a", "min_hours": 5, "topics": [{"name": "x", "min_hours": 6}]}
            ]
        ),
        ["entry 1 (ST-1)", "field hour_categories", "topic minimums"],
    ),
    "negative category hours": (
        _entry(hour_categories=[{"name": "a", "min_hours": -1}]),
        ["entry 1 (ST-1)", "field hour_categories.0.min_hours"],
    ),
    "registry_name differs": (
        _entry(registry_name="NFPA"),
        ["entry 1 (ST-1)", "field registry_name"],
    ),
    "rolling without period": (
        _entry(frequency="rolling"),
        ["entry 1 (ST-1)", "field period_months"],
    ),
    "entry not an object": (registry_doc(requirements=["ST-1"]), ["entry 1", "JSON object"]),
    "no requirements": (registry_doc(requirements=[]), ["field requirements"]),
    "blank registry name": (
        registry_doc(registry="   "),
        ["field registry: must not be blank (it has only blank or invisible characters)"],
    ),
    "registry name only invisible": (registry_doc(registry="\u200b"), ["field registry: must not be blank"]),
    "missing registry name": (
        {k: v for k, v in registry_doc().items() if k != "registry"},
        ["field registry"],
    ),
    "no edition": (
        {k: v for k, v in registry_doc().items() if k != "edition"},
        ["edition or last_updated"],
    ),
    "top level is a list": ([registry_doc()], ["one JSON object"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_registry_file_is_refused_naming_entry_and_field(cli, snapshot, tmp_path, case):
    cli("import", "nfpa")  # existing data must survive untouched
    doc, expected = BAD[case]
    f = write(tmp_path / "bad.json", doc)
    before = snapshot()
    r = cli("import", "registry", f, ok=False)
    assert r.exit_code == 65, r
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("Error: ") and "Hint: " in r.stderr
    assert str(f) in r.stderr
    for text in expected:
        assert text in r.stderr, (text, r.stderr)
    assert snapshot() == before


def test_every_problem_is_listed_not_just_the_first(cli, snapshot, tmp_path):
    cli("requirement", "list")  # creates the database
    doc = registry_doc()
    doc["requirements"][0]["required_hours"] = -1
    doc["requirements"][1]["required_positions"] = ["astronaut"]
    doc["requirements"][1]["frequency"] = "sometimes"
    f = write(tmp_path / "bad.json", doc)
    before = snapshot()
    r = cli("import", "registry", f, ok=False)
    assert r.exit_code == 65
    assert "3 problems; nothing was imported" in r.stderr
    assert "entry 1 (ST-1), field required_hours" in r.stderr
    assert "entry 2 (ST-2), field frequency" in r.stderr
    assert snapshot() == before


def test_malformed_json_names_line_and_column(cli, snapshot, tmp_path):
    cli("requirement", "list")  # creates the database
    f = tmp_path / "broken.json"
    f.write_text(
        '{\n  "registry": "X",\n  "requirements": [\n    {"name": "a",}\n  ]\n}\n', encoding="utf-8"
    )
    before = snapshot()
    r = cli("import", "registry", f, ok=False)
    assert r.exit_code == 65
    assert f"{f}, line 4, column" in r.stderr and "not valid JSON" in r.stderr
    assert snapshot() == before


def test_non_utf8_file_is_refused_with_its_line(cli, snapshot, tmp_path):
    cli("requirement", "list")  # creates the database
    f = tmp_path / "latin1.json"
    f.write_bytes(
        json.dumps(registry_doc(description="Caf\u00e9"), indent=2, ensure_ascii=False).encode(
            "latin-1"
        )
    )
    before = snapshot()
    r = cli("import", "registry", f, ok=False)
    assert r.exit_code == 65
    assert f"{f}, line 3: the file is not UTF-8 (byte 0xe9); nothing was imported." in r.stderr
    assert "Hint: Save the registry file as UTF-8 and run the import again." in r.stderr
    assert snapshot() == before


def test_utf8_bom_is_accepted(cli, tmp_path, db_url):
    f = tmp_path / "bom.json"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps(registry_doc()).encode())
    r = cli("import", "registry", f)
    assert "State: 2 added" in r.stderr
    assert len(requirement_rows(db_url, "State")) == 2


def test_missing_file_is_a_usage_error(cli, tmp_path):
    r = cli("import", "registry", tmp_path / "nope.json", ok=False)
    assert r.exit_code == 2
    assert "No such file" in r.stderr


# ---------------------------------------------------------------------------- packaging
def test_registry_path_finds_every_shipped_file():
    from trainctl.services.registry import registry_path

    for name in SHIPPED:
        path = registry_path(name)
        assert path.is_file()
        assert json.loads(path.read_bytes())["registry"] == SHIPPED[name][0]


def test_unknown_shipped_registry_is_a_usage_error():
    from trainctl.errors import UsageError
    from trainctl.services.registry import registry_path

    with pytest.raises(UsageError, match="No shipped registry"):
        registry_path("osha")


def test_shipped_files_validate_and_name_their_sources():
    from trainctl.models import BUILTIN_POSITIONS
    from trainctl.services.registry import parse_registry

    for name, (registry, codes) in SHIPPED.items():
        path = REPO / "registries" / f"{name}.json"
        parsed = parse_registry(path.read_bytes(), path.name, list(BUILTIN_POSITIONS))
        assert parsed.registry == registry
        assert [e["registry_code"] for e in parsed.entries] == codes
        assert parsed.header.sources, name
        for e in parsed.entries:
            # A figure no standard sets is editable and says "department default".
            if "department default" in e["source_document"]:
                assert e["is_editable"], e["registry_code"]
            assert e["description"], e["registry_code"]


def test_iso_leaves_out_pre_fire_planning_and_says_why():
    doc = json.loads((REPO / "registries" / "iso.json").read_text())
    assert not any("plan" in e["name"].lower() for e in doc["requirements"])
    assert "Pre-fire planning" in doc["description"]


def test_pyproject_ships_registries_inside_the_wheel():
    import tomllib

    conf = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert (
        conf["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["registries"]
        == "trainctl/registries"
    )


def test_registry_help_documents_the_file_format(cli):
    r = cli("import", "registry", "--help")
    assert "registry_code" in r.stdout and "source_document" in r.stdout


def test_path_argument_may_be_relative(cli, tmp_path, monkeypatch):
    write(tmp_path / "rel.json", registry_doc())
    monkeypatch.chdir(tmp_path)
    r = cli("import", "registry", Path("rel.json"))
    assert "State: 2 added" in r.stderr


# ------------------------------------------------------- program progress follows --update
def _ems(code: str, name: str, **changes: object) -> dict[str, object]:
    return {"name": name, "description": "d", "registry_code": code, "requirement_type": "hours",
            "required_hours": 5, "frequency": "one_time", "required_positions": [],
            "is_editable": False, "source": "state", "source_document": "state rule 2025",
            "counts_categories": ["ems"], **changes}  # fmt: skip


def test_update_moves_program_progress_as_requirement_edit_does(cli, tmp_path, snapshot):
    """A figure an import --update changes is a figure program progress follows at once,
    as after `requirement edit`: the completed enrollment reopens (and says so), a new rule
    of what counts re-credits, for every updated entry in one pass; --dry-run writes
    nothing."""
    f = write(tmp_path / "st.json", registry_doc(requirements=[_ems("ST-A", "EMS A"), _ems("ST-B", "EMS B")]))
    cli("import", "registry", f)
    (tmp_path / "p.toml").write_text(
        'name = "State EMS"\nversion = 1\ndescription = "d"\nstructure_type = "flexible"\n'
        '[[requirements]]\nregistry = "State"\ncode = "ST-A"\n'
        '[[requirements]]\nregistry = "State"\ncode = "ST-B"\n'
    )
    cli("program", "apply", "--file", tmp_path / "p.toml")
    cli("member", "add", "Bob Member", "--email", "b@x.example", "--badge", "2")
    cli("enroll", "add", "2", "State EMS")
    cli("record", "add", "--members", "2", "--course", "EMS class", "--category", "ems",
        "--hours", "5")  # fmt: skip

    def progress() -> tuple[str, float, list[tuple[str, float, int, str]]]:
        e = cli("--format", "json", "enroll", "show", "1").json
        rows = [(r["requirement"], r["value"], r["percentage"], r["status"]) for r in e["requirements"]]
        return e["status"], e["progress"], rows

    assert progress() == ("completed", 100.0, [("EMS A", 5, 100, "completed"), ("EMS B", 5, 100, "completed")])

    # both targets raised: the enrollment reopens, as `requirement edit --hours 10` reopens it
    write(f, registry_doc(requirements=[_ems("ST-A", "EMS A", required_hours=10),
                                        _ems("ST-B", "EMS B", required_hours=10)]))  # fmt: skip
    before = snapshot()
    cli("import", "registry", f, "--update", "--dry-run")
    assert snapshot() == before
    r = cli("import", "registry", f, "--update")
    assert ("Reopened 1 completed enrollment (1): 'EMS A', 'EMS B', as updated, are not all "
            "met yet") in r.stderr  # fmt: skip
    assert progress() == ("active", 50.0, [("EMS A", 5, 50, "in_progress"), ("EMS B", 5, 50, "in_progress")])
    compliance = cli("--format", "json", "report", "compliance", "--member", "2").json
    assert {c["status"] for c in compliance["cells"]} == {"overdue"}  # as compliance says

    # what counts changes for one: its credit is reversed, through the ledger
    write(f, registry_doc(requirements=[_ems("ST-A", "EMS A", required_hours=10, counts_categories=["fire"]),
                                        _ems("ST-B", "EMS B", required_hours=10)]))  # fmt: skip
    r = cli("import", "registry", f, "--update")
    assert ("Re-credited EMS A: 0 credits added for sources that now count, 1 reversed for "
            "sources that no longer count (1 member).") in r.stderr  # fmt: skip
    assert progress() == ("active", 25.0, [("EMS A", 0, 0, "not_started"), ("EMS B", 5, 50, "in_progress")])

    # and back to the first file: credited again, met again, completed again
    write(f, registry_doc(requirements=[_ems("ST-A", "EMS A"), _ems("ST-B", "EMS B")]))
    r = cli("import", "registry", f, "--update")
    assert "Re-credited EMS A: 1 credit added for sources that now count" in r.stderr
    assert "Completed 1 enrollment (1): 'EMS A', 'EMS B', as updated, are met." in r.stderr
    assert progress()[:2] == ("completed", 100.0)


def test_a_registry_name_with_an_invisible_character_is_that_registry(cli, tmp_path, db_url):
    """"NFPA" + a zero-width space prints as NFPA: it is NFPA (read as a code is), not a
    second registry that `requirement list --registry NFPA` leaves out; so is its code."""
    cli("import", "nfpa")
    doc = registry_doc(registry="NFPA\u200b", requirements=[_ems("ST-\u200bEMS", "State EMS hours")])
    r = cli("import", "registry", write(tmp_path / "z.json", doc))
    assert "NFPA: 1 added" in r.stderr
    listed = cli("--format", "json", "requirement", "list", "--registry", "NFPA").json
    assert "ST-EMS" in [x["registry_code"] for x in listed]
    assert {x["registry_name"] for x in requirement_rows(db_url)} == {"NFPA"}
    cli("requirement", "add", "--name", "Pump hours", "--type", "hours", "--hours", "2",
        "--frequency", "annual", "--counts-category", "pump", "--registry", "\u200bState",
        "--code", "P\u20131")  # fmt: skip  (a typographic dash, as a code is read)
    row = next(x for x in requirement_rows(db_url) if x["name"] == "Pump hours")
    assert (row["registry_name"], row["registry_code"]) == ("State", "P-1")


def test_a_requirement_name_with_an_invisible_character_is_that_requirement(cli, tmp_path, db_url, snapshot):
    """A requirement's name is cleaned as a member's is (domain.text.name_text): "CPR" + a
    zero-width space pasted from a web page was a second requirement beside "CPR", the
    same on screen. add, edit, a registry import and a program file store it without."""
    cli("requirement", "add", "--name", "CPR\u200b", "--type", "hours", "--hours", "2")
    cli("requirement", "add", "--name", "Ladder\u2060 drill", "--type", "hours", "--hours", "2")
    assert [x["name"] for x in requirement_rows(db_url)] == ["CPR", "Ladder drill"]
    before = snapshot()
    r = cli("requirement", "add", "--name", "CPR", "--type", "hours", "--hours", "4", ok=False)
    assert r.exit_code == 65 and "already has a requirement named 'CPR' (id 1)" in r.stderr, r
    r = cli("requirement", "edit", "Ladder drill", "--name", "\ufeffCPR", ok=False)
    assert r.exit_code == 65 and "already has a requirement named 'CPR' (id 1)" in r.stderr, r
    assert snapshot() == before
    cli("requirement", "edit", "Ladder drill", "--name", "Ladder\u200b  drills")
    assert cli("--format", "json", "requirement", "show", "CPR").json["id"] == 1
    doc = registry_doc(requirements=[_ems("ST-A", "\u200bState EMS hours")])
    cli("import", "registry", write(tmp_path / "st.json", doc))
    assert sorted(x["name"] for x in requirement_rows(db_url)) == ["CPR", "Ladder drills", "State EMS hours"]
