"""NCCP-style hours: credit by category and topic; value and percentage always agree."""

from __future__ import annotations

import pytest

from trainctl.services.program_files import sample_programs


@pytest.fixture
def emt(cli):
    cli("import", "nremt")
    cli("import", "iso")
    path = next(p for p in sample_programs() if p.name == "emt-recertification.toml")
    cli("program", "apply", "--file", str(path))
    cli("member", "add", "Tom Kowalski", "--email", "tk@example.org", "--position", "emt")
    cli("enroll", "add", "tk@example.org", "EMT Recertification")
    return "tk@example.org"


def _line(cli, code_name: str):
    doc = cli("enroll", "show", "1", "--format", "json").json
    return next(r for r in doc["requirements"] if code_name in r["requirement"])


def test_hours_without_a_category_are_refused_when_they_could_never_count(cli, emt, snapshot):
    before = snapshot()
    r = cli("progress", "update", "--member", emt, "--requirement", "NREMT-EMT", "--add", "6", ok=False)
    assert r.exit_code == 65
    assert "counts hours by category" in r.stderr
    assert "national/airway" in r.stderr and "local" in r.stderr  # the hint lists them
    assert snapshot() == before


def test_unknown_category_is_refused_with_the_list(cli, emt, snapshot):
    before = snapshot()
    r = cli("progress", "update", "--member", emt, "--requirement", "NREMT-EMT",
            "--add", "2", "--category", "nationl", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "no hour category 'nationl'" in r.stderr
    assert snapshot() == before


def test_value_counts_only_hours_toward_the_target_and_matches_the_percentage(cli, emt):
    upd = ("progress", "update", "--member", emt, "--requirement", "NREMT-EMT")
    cli(*upd, "--add", "1.5", "--category", "national/airway")
    cli(*upd, "--add", "10", "--category", "local")
    cli(*upd, "--add", "14", "--category", "local")  # local's minimum is 10: 4 h fill nothing
    line = _line(cli, "NCCP")
    assert line["value"] == 11.5
    assert line["target"] == 40
    assert line["percentage"] == pytest.approx(100 * 11.5 / 40)
    log = cli("progress", "log", "--member", emt, "--requirement", "NREMT-EMT", "--format", "json").json
    assert sum(c["amount"] for c in log) == 25.5  # the ledger keeps every hour logged


def test_a_requirement_with_a_single_category_needs_no_category(cli, db_url):
    # issue 11 #21: `--add 8` on a requirement whose one category takes the whole target
    from enroll_helpers import Dept

    dept = Dept(db_url)
    ann = dept.member("Ann Lee")
    pid = dept.program("Structural")
    cats = [{"name": "structural_firefighting", "min_hours": 24}]
    dept.link(pid, dept.requirement("Structural FF", "hours", required_hours=24, hour_categories=cats))
    cli("enroll", "add", str(ann), "Structural")
    r = cli("--format", "json", "progress", "update", "1", "--add", "8")
    assert (r.json["value"], r.json["percentage"]) == (8, 33.3333)
    log = cli("--format", "json", "progress", "log", "1").json
    assert [(c["amount"], c["category"]) for c in log] == [(8, "structural_firefighting")]
    r = cli("--format", "json", "progress", "update", "1", "--set", "12")
    assert r.json["value"] == 12


def test_a_void_takes_back_its_own_records_hours_in_the_log(cli):
    """Two 5 h local records, the first voided: `progress log` said the void record's
    entry counted 5 and the live one was 'taken back by a correction' (the latest piece
    of the same category took it; review). A void reverses its own record."""
    cli("import", "nremt")
    path = next(p for p in sample_programs() if p.name == "emt-recertification.toml")
    cli("program", "apply", "--file", str(path))
    cli("member", "add", "Tom Kowalski", "--email", "tk@example.org", "--position", "emt",
        "--hire-date", "2020-01-01")  # fmt: skip
    emt = "tk@example.org"
    cli("--as-of", "2026-01-05", "enroll", "add", emt, "EMT Recertification")
    cli("--as-of", "2026-11-01", "record", "add", emt, "--course", "Local protocols", "--date",
        "2026-10-01", "--hours", "5", "--category", "local")  # fmt: skip
    cli("--as-of", "2026-11-01", "record", "add", emt, "--course", "Local protocols", "--date",
        "2026-10-08", "--hours", "5", "--category", "local")  # fmt: skip
    cli("--as-of", "2026-11-02", "record", "void", "1", "--reason", "wrong day")
    log = cli("progress", "log", "--member", emt, "--requirement", "NREMT-EMT", "--format", "json").json
    by = {(c["source_id"], c["amount"]): c["counted"] for c in log}
    assert by == {("1", 5): 0, ("2", 5): 5, ("1:void", -5): 0}, log
    assert _line(cli, "NCCP")["value"] == 5
