"""Hours never vanish silently (issue 11 #3): `progress log` and `enroll show` say where
every credited hour went, and `progress update` says on stderr when an amount does not
count in full."""

from __future__ import annotations

import pytest

from trainctl.domain import progress as dp
from trainctl.services.program_files import sample_programs


@pytest.fixture
def emt(cli):
    cli("import", "nremt")
    path = next(p for p in sample_programs() if p.name == "emt-recertification.toml")
    cli("program", "apply", "--file", str(path))
    cli("member", "add", "Tom Kowalski", "--email", "tk@example.org", "--badge", "F-203",
        "--position", "emt")  # fmt: skip
    cli("enroll", "add", "F-203", "EMT Recertification")
    return ("progress", "update", "--member", "F-203", "--requirement", "NREMT-EMT")


def _log(cli):
    return cli("progress", "log", "--member", "F-203", "--requirement", "NREMT-EMT",
               "--format", "json").json  # fmt: skip


def test_topic_overflow_is_shown_credit_by_credit_and_sums_to_the_value(cli, emt):
    r = cli(*emt, "--add", "2", "--category", "national/airway")
    assert "not counted" not in r.stderr  # every hour counts: no note
    log = _log(cli)
    (c,) = log
    # 1.5 h fill the airway topic minimum, 0.5 h flow on to local (NCCP)
    assert c["counted"] == 2
    assert [(s["reason"], s["to"], s["hours"]) for s in c["allocation"]] == [
        (dp.TOPIC_MINIMUM, "national/airway", 1.5),
        (dp.OVERFLOW, "local", 0.5),
    ]
    assert "1.5 h national/airway" in c["went"] and "0.5 h local" in c["went"]
    table = cli("progress", "log", "--member", "F-203", "--requirement", "NREMT-EMT").stdout
    assert "Counted as" in table and "national/airway" in table


def test_capped_hours_are_named_on_stderr_in_the_log_and_in_enroll_show(cli, emt):
    r = cli(*emt, "--add", "9", "--category", "local", "--distributive")
    note = [line for line in r.stderr.splitlines() if line.startswith("Note:")]
    assert note == [
        "Note: 2 of 9 h not counted (7 h local counted): self-paced hours over local's "
        "distributive cap of 7 h."
    ]
    assert r.stdout.count("7") >= 1
    (c,) = _log(cli)
    assert c["amount"] == 9 and c["counted"] == 7
    lost = [s for s in c["allocation"] if not s["counted"]]
    assert [(s["reason"], s["hours"]) for s in lost] == [(dp.OVER_DISTRIBUTIVE_CAP, 2)]

    doc = cli("enroll", "show", "1", "--format", "json").json
    line = next(x for x in doc["requirements"] if "NCCP" in x["requirement"])
    a = line["allocation"]
    assert line["value"] == a["value"] == 7
    local = next(c for c in a["categories"] if c["name"] == "local")
    assert (local["filled"], local["logged"], local["capped"], local["distributive_used"]) == (7, 9, 2, 7)
    assert a["not_counted_hours"] == 2
    assert a["not_counted"][0]["credit_id"] == c["id"]
    assert a["not_counted"][0]["reason"] == dp.OVER_DISTRIBUTIVE_CAP
    # the other requirements carry no allocation
    assert all(x["allocation"] is None for x in doc["requirements"] if x is not line)

    table = cli("enroll", "show", "1").stdout
    assert "Where the hours went" in table and "not counted" in table
    assert "distributive cap of 7 h" in table
    csv = cli("enroll", "show", "1", "--format", "csv").stdout.splitlines()
    assert csv[0].endswith(",not_counted")
    assert any(row.endswith(",2") for row in csv[1:])


def test_hours_beyond_a_full_minimum_are_surplus_with_the_reason(cli, emt):
    cli(*emt, "--add", "10", "--category", "individual")
    r = cli(*emt, "--add", "4", "--category", "individual")
    assert "Note: 4 of 4 h not counted: beyond individual's minimum, and no other category takes them." in r.stderr
    log = _log(cli)
    assert [c["counted"] for c in log] == [10, 0]
    assert sum(c["counted"] for c in log) == cli("enroll", "show", "1", "--format", "json").json[
        "requirements"][0]["value"]  # fmt: skip


def test_a_correction_shows_what_it_took_back_and_the_column_still_sums(cli, emt):
    cli(*emt, "--add", "6", "--category", "national/cardiovascular")
    r = cli(*emt, "--add", "-2", "--category", "national/cardiovascular")
    assert "Note:" not in r.stderr  # a correction is not hours lost
    log = _log(cli)
    assert [c["counted"] for c in log] == [4, 0]
    assert "2 h taken back by a correction" in log[0]["went"]
    assert sum(c["counted"] for c in log) == 4


def test_pending_credit_is_not_counted_until_verified(cli, emt):
    cli("progress", "self-reporting", "on")
    cli("--as", "F-203", *emt, "--add", "3", "--category", "individual")
    (c,) = _log(cli)
    assert c["state"] == "pending" and c["counted"] == 0
    assert "verifies" in c["went"]


def test_plain_hours_count_whole_and_say_nothing(cli, db_path):
    cli("requirement", "add", "--name", "SCBA refresher", "--type", "hours", "--hours", "8",
        "--frequency", "annual")  # fmt: skip
    cli("program", "create", "SCBA", "--structure", "flexible")
    cli("program", "requirement", "add", "SCBA", "SCBA refresher")
    cli("program", "activate", "SCBA")
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "F-1")
    cli("enroll", "add", "F-1", "SCBA")
    r = cli("progress", "update", "--member", "F-1", "--requirement", "SCBA refresher", "--add", "12")
    assert "Note:" not in r.stderr
    (c,) = cli("progress", "log", "--member", "F-1", "--requirement", "SCBA refresher",
               "--format", "json").json  # fmt: skip
    assert c["counted"] == 12 and c["allocation"] is None and c["went"] == ""


def test_shortfall_note_table():
    cats = dp.nccp_flow(dp.parse_categories([
        {"name": "national", "min_hours": 2, "topics": [{"name": "airway", "min_hours": 1}]},
        {"name": "local", "min_hours": 2, "distributive_max_hours": 1},
        {"name": "individual", "min_hours": 2},
    ]))  # fmt: skip
    a = dp.allocate_hours(6, cats, [dp.Credit(3, "local", "distributive"), dp.Credit(1, "elsewhere")])
    assert dp.shortfall_note(a, [0]) == (
        "2 of 3 h not counted (1 h local counted): self-paced hours over local's distributive cap of 1 h."
    )
    assert dp.shortfall_note(a, [1]) == (
        "1 of 1 h not counted: category 'elsewhere' is not one of this requirement's "
        "(national, local, individual)."
    )
    assert dp.shortfall_note(a, []) is None
    rec = dp.allocation_record(a, [10, 11])
    assert {s["credit_id"] for s in rec["not_counted"]} == {10, 11}
    assert rec["not_counted_hours"] == 3
    rows = dp.category_lines(rec)
    assert rows[-1]["category"] == "not counted" and rows[-1]["hours"] == "3 h"


def test_record_add_says_when_its_hours_do_not_count_in_full(cli):
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "F-1")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--hour-categories", '[{"name": "structural_firefighting", "min_hours": 4}]',
        "--counts-type", "drill")  # fmt: skip
    cli("program", "create", "Drills")
    cli("program", "requirement", "add", "Drills", "Drill hours")
    cli("program", "activate", "Drills")
    cli("enroll", "add", "F-1", "Drills")
    cli("course", "add", "--code", "LD", "--name", "Ladder drill", "--type", "drill",
        "--topic", "structural_firefighting", "--hours", "6")  # fmt: skip
    r = cli("record", "add", "F-1", "--course", "LD")
    notes = [line for line in r.stderr.splitlines() if line.startswith("Note:")]
    assert notes == [
        "Note: Ann Lee, Drill hours: 2 of 6 h not counted (4 h structural_firefighting counted): "
        "beyond structural_firefighting's minimum, and no other category takes them."
    ]


def test_record_import_says_when_hours_do_not_count_in_full(cli, tmp_path):
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--badge", "F-1")
    cli("member", "add", "Bo Ng", "--email", "bo@example.org", "--badge", "F-2")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
        "--hour-categories", '[{"name": "structural_firefighting", "min_hours": 4}]',
        "--counts-type", "drill")  # fmt: skip
    cli("program", "create", "Drills")
    cli("program", "requirement", "add", "Drills", "Drill hours")
    cli("program", "activate", "Drills")
    cli("--as-of", "2026-03-01", "enroll", "bulk", "Drills", "--members", "F-1,F-2")
    cli("course", "add", "--code", "LD", "--name", "Ladder drill", "--type", "drill",
        "--topic", "structural_firefighting", "--hours", "3")  # fmt: skip
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("date,course,badge,hours\n2026-03-04,LD,F-1,3\n2026-03-11,LD,F-1,3\n2026-03-04,LD,F-2,3\n")
    r = cli("--as-of", "2026-03-20", "record", "import", str(sheet))
    notes = [line for line in r.stderr.splitlines() if line.startswith("Note:")]
    assert notes == [  # Ann: 6 h for a 4 h minimum; Bo's 3 h all count
        "Note: Ann Lee, Drill hours: 2 of 6 h not counted (4 h structural_firefighting counted): "
        "beyond structural_firefighting's minimum, and no other category takes them."
    ]
    r = cli("--as-of", "2026-03-20", "record", "import", str(sheet))  # again: nothing new
    assert "Note:" not in r.stderr
