"""NREMT keeps one certification per person, the highest level: a paramedic who also holds
the emt position owes the Paramedic cycle, not the EMT one, in the matrix, `requirement
explain` and `report nremt` alike (domain/compliance `outranked`)."""

from __future__ import annotations

import json
from pathlib import Path

from trainctl.domain import periods as pd


def test_the_levels_are_the_registry_s_positions():
    doc = json.loads((Path(__file__).parents[1] / "registries" / "nremt.json").read_text())
    named = {r["registry_code"]: r["required_positions"] for r in doc["requirements"]}
    assert [(code, [position]) for code, position in pd.NREMT_LEVELS] == [
        (code, named[code]) for code, _ in pd.NREMT_LEVELS
    ]


def _cells(cli, as_of: str) -> dict[tuple[str, str], tuple[str, str]]:
    cells = cli("--as-of", as_of, "report", "compliance", "--format", "json").json["cells"]
    return {
        (c["member"], c["requirement"].split(" ")[0]): (c["status"], c.get("reason", ""))
        for c in cells
        if c["requirement"].startswith("NREMT-")
    }


def test_only_the_highest_level_a_member_holds_is_owed(cli, snapshot):
    """Two Level (emt and paramedic, recertified by NREMT as a Paramedic to 2027-03-31)
    showed NREMT-EMT overdue beside NREMT-NRP not yet due, while `report nremt` showed the
    Paramedic worksheet. Responder (emr and emt) owed the EMR cycle too."""
    cli("--as-of", "2022-01-01", "import", "nremt")
    cli("--as-of", "2022-01-01", "member", "add", "Two Level", "-e", "tl@x.org", "-b", "T1", "-p", "emt",
        "-p", "paramedic", "--hire-date", "2020-01-01", "--certification-date", "2019-05-01")  # fmt: skip
    cli("--as-of", "2022-01-01", "member", "add", "Responder", "-e", "r@x.org", "-b", "R1", "-p", "emr",
        "-p", "emt", "--hire-date", "2020-01-01", "--certification-date", "2019-05-01")  # fmt: skip
    cli("--as-of", "2025-12-01", "cert", "add", "T1", "NREMT-NRP", "--issued", "2025-03-01", "--expires",
        "2027-03-31")  # fmt: skip
    cells = _cells(cli, "2025-12-01")
    assert {k: v[0] for k, v in cells.items() if v[0] != "not_applicable" or k[1] != "NREMT-AEMT"} == {
        ("Two Level", "NREMT-EMR"): "not_applicable", ("Two Level", "NREMT-EMT"): "not_applicable",
        ("Two Level", "NREMT-NRP"): "not_yet_due",
        ("Responder", "NREMT-EMR"): "not_applicable", ("Responder", "NREMT-EMT"): "overdue",
        ("Responder", "NREMT-NRP"): "not_applicable",
    }  # fmt: skip
    explained = " ".join(cli("--as-of", "2025-12-01", "requirement", "explain", "T1", "NREMT-EMT").stdout.split())
    assert ("NOT APPLICABLE — the member holds paramedic, the higher NREMT level NREMT-NRP: NREMT keeps one "
            "certification, the highest, and recertifies that level only") in explained, explained  # fmt: skip
    sheet = cli("--as-of", "2025-12-01", "--format", "json", "report", "nremt", "T1").json
    assert sheet["level"] == "NREMT-NRP", sheet["level"]
    before = snapshot()
    refused = cli("--as-of", "2025-12-01", "report", "nremt", "T1", "--level", "NREMT-EMT", ok=False)
    assert refused.exit_code == 1
    assert "the higher NREMT level NREMT-NRP" in refused.stderr
    assert "Leave out --level for the worksheet of the highest level." in refused.stderr
    assert snapshot() == before


def test_a_member_made_paramedic_owes_the_emt_cycle_until_that_day(cli):
    """An EMT made paramedic on 2025-06-01 (keeping emt): the EMT cycle applies on
    2025-05-31 and not from 2025-06-01."""
    cli("--as-of", "2022-01-01", "import", "nremt")
    cli("--as-of", "2022-01-01", "member", "add", "Pat Up", "-e", "pu@x.org", "-b", "P1", "-p", "emt",
        "--hire-date", "2020-01-01", "--certification-date", "2019-05-01")  # fmt: skip
    cli("--as-of", "2025-06-01", "member", "edit", "P1", "--add-position", "paramedic")
    assert _cells(cli, "2025-05-31")[("Pat Up", "NREMT-EMT")][0] != "not_applicable"
    assert _cells(cli, "2025-05-31")[("Pat Up", "NREMT-NRP")][0] == "not_applicable"
    assert _cells(cli, "2025-06-01")[("Pat Up", "NREMT-EMT")][0] == "not_applicable"
    assert _cells(cli, "2025-06-01")[("Pat Up", "NREMT-NRP")][0] != "not_applicable"
