"""ISO training items count only the training they are about (issue 9; registries/iso.json,
reference/registry-facts.md): hazmat hours toward hazardous materials, officer classes
toward officers, driver/operator classes toward drivers, training-facility sessions toward
facility use, structural firefighting toward company training. `import iso --update`
brings a database that imported the earlier file (no filters) along.
"""

from __future__ import annotations

import pytest

AS_OF = "2025-12-31"


@pytest.fixture
def dept(cli):
    cli("import", "iso")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--hire-date", "2015-01-10",
        "--position", "officer,driver")  # fmt: skip
    for course, hours, extra in (
        ("Hazmat refresher", 6, ("--category", "hazmat", "--type", "class")),
        ("Company drill", 10, ("--category", "structural_firefighting", "--type", "drill")),
        ("Officer CE", 4, ("--category", "officer", "--type", "class")),
        ("Pump ops", 5, ("--category", "driver", "--type", "class")),
        ("Live-fire evolutions", 4, ("--category", "structural_firefighting", "--type", "live_fire")),
        ("Tower day", 3, ("--category", "rescue", "--type", "facility")),
    ):
        cli("--as-of", "2030-01-01", "record", "add", "ann@fd.org", "--course", course,
            "--date", "2025-05-06", "--hours", str(hours), *extra)  # fmt: skip
    return cli


def values(cli) -> dict[str, float]:
    data = cli("report", "compliance", "--member", "ann@fd.org", "--as-of", AS_OF,
               "--format", "json").json  # fmt: skip
    return {c["requirement"].split(" — ")[0]: c["value"] for c in data["cells"]}


EXPECTED = {
    "ISO-HAZMAT": 6,  # hazmat only (32 h of training in all)
    "ISO-OFFICER-CE": 4,
    "ISO-DRIVER-EXISTING": 5,
    "ISO-FACILITY": 7,  # live_fire 4 + facility 3
}


def test_each_iso_item_counts_only_its_own_training(dept):
    got = values(dept)
    for code, value in EXPECTED.items():
        assert got[code] == value, (code, got)
    e = dept("requirement", "explain", "ann@fd.org", "ISO-HAZMAT", "--as-of", AS_OF,
             "--format", "json").json  # fmt: skip
    codes = sorted(f["code"] for f in e["facts"])
    assert codes == ["counted"] + ["not_counted_here"] * 5


def test_import_iso_update_brings_an_older_database_along(dept, db):
    # the earlier file had no filters: an hours item that names nothing it counts counts
    # nothing (domain/credit.py), and explain says how to name it
    db.execute(
        "UPDATE requirement SET counts_categories = '[]', counts_training_types = '[]' "
        "WHERE registry_name = 'ISO'"
    )
    before = values(dept)
    assert before["ISO-HAZMAT"] == 0
    e = dept("requirement", "explain", "ann@fd.org", "ISO-HAZMAT", "--as-of", AS_OF)
    assert "names nothing it counts" in e.stdout and "--counts-category" in e.stdout
    r = dept("import", "iso")
    assert "differ from the file" in r.stderr
    r = dept("import", "iso", "--update")
    assert "6 updated" in r.stderr  # the five filtered items and recruit training
    got = values(dept)
    for code, value in EXPECTED.items():
        assert got[code] == value, (code, got)
    assert "0 updated" in dept("import", "iso", "--update").stderr  # twice changes nothing
