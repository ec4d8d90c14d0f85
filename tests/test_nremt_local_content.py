"""NREMT NCCP: local hours when the department sets no local content flow on to the
individual component (issue 9; reference/registry-facts.md). A department setting,
`trainctl config set nremt.local_content off`, read by the one evaluator for
`report compliance`, `requirement explain` and `report nremt` alike.
"""

from __future__ import annotations

import pytest

AS_OF = "2026-01-15"


@pytest.fixture
def eve(cli):
    cli("import", "nremt")
    cli("member", "add", "Eve Emt", "--email", "eve@fd.org", "--position", "emt",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("--as-of", "2030-01-01", "cert", "add", "eve@fd.org", "NREMT-EMT", "--issued",
        "2025-04-01", "--expires", "2027-03-31")  # fmt: skip
    return add_records(cli)


def add_records(cli):
    rows = [  # the national component exactly: 20 h, every topic at its minimum
        ("Airway", 1.5, "national", "airway"), ("Cardio", 6, "national", "cardiovascular"),
        ("Trauma", 1.5, "national", "trauma"), ("Medical", 6, "national", "medical"),
        ("Ops", 5, "national", "operations"),
        ("Protocols", 15, "local", None),  # 5 h beyond the local minimum of 10
        ("Elective", 5, "individual", None),  # 5 h short of the individual minimum of 10
    ]  # fmt: skip
    for n, (course, hours, category, topic) in enumerate(rows):
        extra = ["--topic", topic] if topic else []
        cli("--as-of", "2030-01-01", "record", "add", "eve@fd.org", "--course", course,
            "--date", f"2025-05-{n + 1:02d}", "--hours", str(hours), "--category", category,
            *extra)  # fmt: skip
    return cli


def figures(cli) -> tuple[float, str, dict[str, float]]:
    cell = cli("report", "compliance", "--member", "eve@fd.org", "--requirement", "NREMT-EMT",
               "--as-of", AS_OF, "--format", "json").json["cells"][0]  # fmt: skip
    sheet = cli("report", "nremt", "eve@fd.org", "--as-of", AS_OF, "--format", "json").json
    filled = {c["name"]: c["filled"] for c in sheet["components"]}
    explain = cli("requirement", "explain", "eve@fd.org", "NREMT-EMT", "--as-of", AS_OF,
                  "--format", "json").json  # fmt: skip
    assert explain["value"] == cell["value"]  # one evaluator
    return cell["value"], cell["status"], filled


def test_local_hours_stay_local_while_the_department_sets_local_content(eve):
    assert eve("config", "show", "--format", "json").json  # the setting is listed
    value, status, filled = figures(eve)
    assert value == 35 and status != "met"
    assert filled == {"national": 20, "local": 10, "individual": 5}


def test_without_local_content_local_hours_flow_on_to_the_individual_component(eve):
    eve("config", "set", "nremt.local_content", "off")
    value, status, filled = figures(eve)
    assert (value, status) == (40, "met")
    assert filled == {"national": 20, "local": 10, "individual": 10}
    eve("config", "set", "nremt.local_content", "")  # back to the default: on
    assert figures(eve)[0] == 35


def test_the_setting_is_on_or_off(cli, snapshot):
    cli("config", "set", "nremt.local_content", "off")
    before = snapshot()
    r = cli("config", "set", "nremt.local_content", "maybe", ok=False)
    assert r.exit_code == 65 and "nremt.local_content is 'on' or 'off'" in r.stderr
    assert snapshot() == before


def test_program_progress_follows_the_setting_and_is_remeasured_at_once(cli):
    """Program progress uses the same NCCP flow-on rule (domain/progress.py), and changing
    the setting re-measures enrollments in the same command."""
    cli("import", "nremt")
    cli("member", "add", "Eve Emt", "--email", "eve@fd.org", "--position", "emt")
    cli("program", "create", "EMT Recert", "--time-limit-days", "730")
    cli("program", "requirement", "add", "EMT Recert", "NREMT-EMT")
    cli("program", "activate", "EMT Recert")
    cli("--as-of", "2025-04-01", "enroll", "add", "eve@fd.org", "EMT Recert")
    for hours, category in [(1.5, "national/airway"), (6, "national/cardiovascular"),
                            (1.5, "national/trauma"), (6, "national/medical"),
                            (5, "national/operations"), (15, "local"), (5, "individual")]:  # fmt: skip
        cli("--as-of", "2025-06-01", "progress", "update", "--member", "eve@fd.org",
            "--requirement", "NREMT-EMT", "--add", str(hours), "--category", category)  # fmt: skip

    def enrolled() -> float:
        (line,) = cli("enroll", "show", "1", "--format", "json").json["requirements"]
        return line["value"]

    assert enrolled() == 35
    cli("config", "set", "nremt.local_content", "off")
    assert enrolled() == 40
    cli("config", "set", "nremt.local_content", "")
    assert enrolled() == 35
