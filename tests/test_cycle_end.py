"""A department copy of an NREMT NCCP level keeps the NREMT's fixed cycle (31 March; 30
September for EMR). Before migration 0014 `requirement add --from NREMT-EMT` lost it: the
copy's windows ran two years from the certification anniversary, and a medic certified on
1 June 2025 was shown due 31 May 2027, two months after the NREMT's 31 March 2027.

The copy and its original agree cell for cell (status, figure, window) on the days around
the cycle's end, and at the year end; `--cycle-end` and `--cycle-credential` set a cycle
on a requirement of the department's own (a state license that ends on 30 June);
migration 0014 gives the cycle back to the copies made before it, on SQLite and
PostgreSQL, and leaves alone a copy an officer changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

LAST = next(r for r in REVISIONS if r.endswith("_cycle_end"))
BEFORE = REVISIONS[REVISIONS.index(LAST) - 1]


@pytest.fixture
def medics(cli):
    """NREMT imported; a copy of NREMT-EMT; Ann (EMT, certified 1 June 2025, card to 31
    March 2027) and Bo (EMT, certified 15 April 2021, no card on file), with hours in the
    last days of a cycle and the first of the next."""
    cli("import", "nremt")
    cli("requirement", "add", "--from", "NREMT-EMT", "--name", "EMT recert (ours)")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "emt",
        "--certification-date", "2025-06-01")  # fmt: skip
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org", "--position", "emt",
        "--certification-date", "2021-04-15")  # fmt: skip
    cli("cert", "add", "ann@fd.org", "NREMT-EMT", "--issued", "2025-06-01", "--expires", "2027-03-31")
    for who in ("ann@fd.org", "bo@fd.org"):
        for day in ("2025-03-31", "2025-04-01", "2027-03-31", "2027-04-01"):
            cli("--as-of", "2028-12-31", "record", "add", who, "--course", f"Airway {day}", "--date", day, "--hours", "2",
                "--category", "national/airway")  # fmt: skip
    return cli


def _cell(cli, member: str, requirement: str, as_of: str) -> dict:
    data = cli("--as-of", as_of, "--format", "json", "report", "compliance", "--member", member,
               "--requirement", requirement).json  # fmt: skip
    (cell,) = data["cells"]
    return {k: cell[k] for k in ("status", "value", "target", "window_start", "window_end", "due")}


@pytest.mark.parametrize("as_of", ["2025-03-31", "2025-04-01", "2026-12-31", "2027-01-01",
                                   "2027-03-31", "2027-04-01", "2028-02-29"])  # fmt: skip
@pytest.mark.parametrize("member", ["ann@fd.org", "bo@fd.org"])
def test_the_copy_and_its_original_agree_cell_for_cell(medics, member, as_of):
    copy = _cell(medics, member, "EMT recert (ours)", as_of)
    assert copy == _cell(medics, member, "NREMT-EMT", as_of)


def test_the_copy_ends_its_cycle_on_31_march_and_says_so(medics):
    ann = _cell(medics, "ann@fd.org", "EMT recert (ours)", "2026-12-02")
    assert (ann["window_start"], ann["window_end"]) == ("2025-06-01", "2027-03-31")
    # a record on 1 April belongs to the next cycle
    assert _cell(medics, "bo@fd.org", "EMT recert (ours)", "2027-04-01")["window_start"] == "2027-04-01"
    shown = medics("requirement", "show", "EMT recert (ours)").stdout
    assert "ends 31 March (every 24 months)" in " ".join(shown.split())
    data = medics("--format", "json", "requirement", "show", "EMT recert (ours)").json
    assert (data["cycle_end"], data["cycle_credential"]) == ("03-31", "NREMT-EMT")
    # the registry levels' rows say the same as their copies (their cycle is the registry's)
    levels = {r["registry_code"]: (r["cycle_end"], r["cycle_credential"])
              for r in medics("--format", "json", "requirement", "list", "--registry", "NREMT").json}  # fmt: skip
    assert levels["NREMT-EMT"] == data_of_original(medics) == ("03-31", "NREMT-EMT")
    assert levels["NREMT-EMR"] == ("09-30", "NREMT-EMR") and levels["CPR-BLS"] == (None, None)
    out = medics("--as-of", "2026-12-02", "requirement", "explain", "ann@fd.org", "EMT recert (ours)").stdout
    assert "Window 2025-06-01 – 2027-03-31" in out and "due 2027-03-31" in out


def data_of_original(cli) -> tuple[str, str]:
    data = cli("--format", "json", "requirement", "show", "NREMT-EMT").json
    return data["cycle_end"], data["cycle_credential"]


def test_a_copy_given_windows_of_its_own_has_no_cycle(medics):
    medics("requirement", "add", "--from", "NREMT-EMT", "--name", "EMT calendar", "--anchor", "calendar")
    medics("requirement", "add", "--from", "NREMT-EMR", "--name", "EMR once", "--frequency", "one_time")
    for name in ("EMT calendar", "EMR once"):
        data = medics("--format", "json", "requirement", "show", name).json
        assert (data["cycle_end"], data["cycle_credential"]) == (None, None), name
    assert _cell(medics, "ann@fd.org", "EMT calendar", "2026-12-02")["window_end"] == "2027-12-31"
    emr = medics("--format", "json", "requirement", "show", "NREMT-EMR").json
    copy = medics("--format", "json", "requirement", "add", "--from", "NREMT-EMR", "--name", "EMR ours").json
    # the registry's cycle is in code, and its row says it as the copy's does
    assert emr["cycle_end"] == copy["cycle_end"] == "09-30"


def test_a_cycle_of_the_departments_own_and_bad_values(cli, snapshot):
    """A state license that ends every other 30 June, placed by the member's license card."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--certification-date", "2024-03-01")
    cli("cert", "add", "ann@fd.org", "ST-EMT", "--issued", "2024-07-01", "--expires", "2026-06-30")
    cli("requirement", "add", "--name", "State EMT CE", "--type", "hours", "--hours", "24",
        "--frequency", "biennial", "--cycle-end", "6-30", "--cycle-credential", "ST-EMT",
        "--counts-type", "class")  # fmt: skip
    cell = _cell(cli, "ann@fd.org", "State EMT CE", "2026-12-02")
    assert (cell["window_start"], cell["window_end"]) == ("2026-07-01", "2028-06-30")
    assert cli("--format", "json", "requirement", "show", "State EMT CE").json["cycle_end"] == "06-30"
    before = snapshot()
    for args, text in [
        (["--cycle-end", "13-01"], "--cycle-end: must be a month and day as MM-DD, e.g. 03-31 (got '13-01')"),
        (["--cycle-end", "02-30"], "--cycle-end: must be a month and day as MM-DD"),
        (["--cycle-end", "02-29"], "--cycle-end: 29 February is not in every year"),
        (["--cycle-end", "٠٣-٣١"], "--cycle-end: must be a month and day as MM-DD"),
        (["--anchor", "hire_date"], "cycle_end: a fixed cycle is placed by the member's card or certification date"),
        (["--cycle-end", "June 30"], "--cycle-end: must be a month and day as MM-DD"),
        (["--frequency", "one_time"], "cycle_end: a fixed cycle end needs a recurring frequency"),
        (["--clear", "cycle_end", "--cycle-credential", "ST-EMT"], "cycle_credential: the card that places a cycle needs the cycle end"),
    ]:  # fmt: skip
        r = cli("requirement", "edit", "State EMT CE", *args, ok=False)
        assert r.exit_code == 65 and text in r.stderr, (args, r)
        assert snapshot() == before, args
    # clearing the cycle takes its card with it
    cli("requirement", "edit", "State EMT CE", "--clear", "cycle_end")
    data = cli("--format", "json", "requirement", "show", "State EMT CE").json
    assert (data["cycle_end"], data["cycle_credential"]) == (None, None)
    # a cycle on a certification requirement, or one a program file brings without a
    # recurring frequency, is refused as `requirement add` refuses it
    r = cli("requirement", "add", "--name", "Card", "--type", "certification", "--credential", "X",
            "--frequency", "biennial", "--cycle-end", "06-30", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "cycle_end: does not apply to a certification requirement" in r.stderr


def test_a_departments_first_cycle_is_at_least_half_a_cycle(cli):
    """A department's own fixed cycle (not an NREMT level's, even when an NREMT card places
    it) first ends at least half a cycle after certification: a member certified on 29
    June is not OVERDUE on 1 July for an annual cycle ending 30 June."""
    cli("requirement", "add", "--name", "State annual", "--type", "hours", "--hours", "12",
        "--counts-type", "class", "--frequency", "annual", "--cycle-end", "06-30")  # fmt: skip
    cli("requirement", "add", "--name", "State lic", "--type", "hours", "--hours", "24",
        "--counts-type", "class", "--frequency", "biennial", "--cycle-end", "06-30",
        "--cycle-credential", "NREMT-EMT")  # fmt: skip
    for who, certified in (("x@fd.org", "2024-06-29"), ("y@fd.org", "2024-04-01"), ("z@fd.org", "2024-01-01")):
        cli("member", "add", who.split("@")[0], "--email", who, "--certification-date", certified)
    for who, start in (("x@fd.org", "2024-06-29"), ("y@fd.org", "2024-04-01")):
        cell = _cell(cli, who, "State annual", "2024-07-01")
        assert (cell["window_start"], cell["window_end"], cell["status"]) == (
            start, "2025-06-30", "not_yet_due"), (who, cell)
    # the NREMT's table is for the NREMT's own cycle (31 March); this one ends 30 June
    cell = _cell(cli, "z@fd.org", "State lic", "2024-07-01")
    assert (cell["window_start"], cell["window_end"]) == ("2024-01-01", "2025-06-30"), cell


def test_a_member_certified_after_the_as_of_date_is_shown_the_first_cycle(medics):
    """Nothing is owed before certification; what will be (40 h, the first cycle) is said,
    not 'the requirement sets no target' and a 'Cycle None - None' worksheet."""
    medics("member", "add", "Lu Tran", "--email", "lu@fd.org", "--position", "emt",
           "--certification-date", "2024-07-01")  # fmt: skip
    out = medics("--as-of", "2024-06-30", "requirement", "explain", "lu@fd.org", "NREMT-EMT").stdout
    assert "Window 2024-07-01 – 2027-03-31 (NREMT cycle ending 31 March)" in out, out
    assert "0 of 40 h = 0%" in out and "NOT YET DUE — certified on 2024-07-01, after the as-of date" in out
    sheet = medics("--as-of", "2024-06-30", "report", "nremt", "lu@fd.org").stdout
    assert "Cycle 2024-07-01 – 2027-03-31 (NREMT cycle ending 31 March)" in sheet and "None" not in sheet


def test_a_cycle_card_no_one_holds_is_named(cli):
    """A mistyped --cycle-credential matches no card, and the certification dates then
    place the cycle without a word: the command says so (and stores what it was told)."""
    warning = "no card with credential code 'ST-EMTT' is on file"
    cli("requirement", "add", "--name", "State EMT CE", "--type", "hours", "--hours", "24",
        "--frequency", "biennial", "--cycle-end", "06-30", "--counts-type", "class")  # fmt: skip
    r = cli("requirement", "edit", "State EMT CE", "--cycle-credential", "ST-EMTT")
    assert r.exit_code == 0 and warning in r.stderr and "`trainctl cert list`" in r.stderr, r
    assert cli("--format", "json", "requirement", "show", "State EMT CE").json["cycle_credential"] == "ST-EMTT"
    # a code on a card (any case), an NREMT level's, or a certification requirement's: known
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    cli("cert", "add", "ann@fd.org", "ST-EMT", "--issued", "2024-07-01", "--expires", "2026-06-30")
    cli("requirement", "add", "--name", "Medic card", "--type", "certification", "--credential", "ST-MED")
    for code in ("st-emt", "NREMT-EMT", "ST-MED"):
        r = cli("requirement", "edit", "State EMT CE", "--cycle-credential", code)
        assert "Warning" not in r.stderr, (code, r)
    r = cli("requirement", "add", "--name", "County CE", "--type", "hours", "--hours", "12",
            "--counts-type", "class", "--frequency", "annual", "--cycle-end", "12-31",
            "--cycle-credential", "CTY-1")  # fmt: skip
    assert "no card with credential code 'CTY-1' is on file" in r.stderr, r
    # unchanged fields do not repeat it
    assert "Warning" not in cli("requirement", "edit", "County CE", "--hours", "10").stderr


def test_a_program_file_with_a_cycle_on_a_one_time_requirement_is_refused(cli, tmp_path, snapshot):
    """It would have been stored, and every compliance report would then have failed."""
    path = tmp_path / "p.toml"
    path.write_text(
        'name = "P"\nversion = 1\nstructure_type = "flexible"\n[[requirement_definitions]]\n'
        'name = "R b"\nrequirement_type = "hours"\nrequired_hours = 10.0\ncounts_categories = ["x"]\n'
        'frequency = "one_time"\ncycle_end = "03-31"\n[[requirements]]\nname = "R b"\nrequired = true\n',
        encoding="utf-8",
    )
    before = snapshot()
    r = cli("program", "apply", "--file", str(path), ok=False)
    assert r.exit_code == 65 and "a fixed cycle end needs a recurring frequency" in r.stderr, r
    assert snapshot() == before


def test_a_departments_own_cycle_is_not_an_nccp_level(cli):
    """"One course counts once per cycle" is the NCCP's rule, not every fixed cycle's; and
    `report nremt --level` takes NCCP levels (and copies of them) only."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--certification-date", "2025-06-01")
    cli("requirement", "add", "--name", "Pump", "--type", "hours", "--hours", "8", "--counts-type", "drill",
        "--frequency", "biennial", "--cycle-end", "06-30")  # fmt: skip
    for day in ("2025-07-10", "2025-08-10"):
        cli("--as-of", "2025-09-01", "record", "add", "ann@fd.org", "--course", "Pump refresher",
            "--type", "drill", "--date", day, "--hours", "4")  # fmt: skip
    cell = _cell(cli, "ann@fd.org", "Pump", "2025-09-01")
    assert (cell["status"], cell["value"]) == ("met", 8), cell
    r = cli("--as-of", "2025-09-01", "report", "nremt", "ann@fd.org", "--level", "Pump", ok=False)
    assert r.exit_code == 1 and "is not an NREMT NCCP level" in r.stderr, r


def test_what_a_copy_keeps_and_drops(medics):
    """The original's anchor given again keeps the cycle; another cycle end drops the
    NREMT card (its expiry would contradict the new day); another anchor is refused on an
    edit while the cycle stands; a copy is an NCCP level for `report nremt`."""
    medics("requirement", "add", "--from", "NREMT-EMT", "--name", "Same", "--anchor", "certification_date")
    medics("requirement", "add", "--from", "NREMT-EMT", "--name", "June", "--cycle-end", "06-30")
    shown = {n: medics("--format", "json", "requirement", "show", n).json for n in ("Same", "June")}
    assert (shown["Same"]["cycle_end"], shown["Same"]["cycle_credential"]) == ("03-31", "NREMT-EMT")
    assert (shown["June"]["cycle_end"], shown["June"]["cycle_credential"]) == ("06-30", None)
    r = medics("requirement", "edit", "Same", "--anchor", "hire_date", ok=False)
    assert r.exit_code == 65 and "it needs --anchor certification_date (it is hire_date), or no cycle end" in r.stderr
    data = medics("--as-of", "2026-12-02", "--format", "json", "report", "nremt", "ann@fd.org",
                  "--level", "EMT recert (ours)").json  # fmt: skip
    assert data["level"] == "NREMT-EMT"


def test_a_program_file_carries_the_cycle(medics, tmp_path):
    medics("program", "create", "EMT upkeep")
    medics("program", "requirement", "add", "1", "EMT recert (ours)")
    out = tmp_path / "upkeep.toml"
    medics("program", "export", "1", "--output", str(out))
    text = out.read_text(encoding="utf-8")
    assert 'cycle_end = "03-31"' in text and 'cycle_credential = "NREMT-EMT"' in text
    # applied to a new database without the NREMT registry, the copy is the member's NCCP
    # level: `report nremt` finds it without --level, with the NREMT's first cycle
    new = ("--db", str(tmp_path / "new.db"))
    medics(*new, "program", "apply", "--file", str(out))
    medics(*new, "member", "add", "Cy Medic", "--email", "cy@fd.org", "--position", "emt",
           "--certification-date", "2025-01-15")  # fmt: skip
    sheet = medics(*new, "--as-of", "2026-12-02", "--format", "json", "report", "nremt", "cy@fd.org").json
    assert (sheet["level"], sheet["requirement"], sheet["cycle"]) == (
        "NREMT-EMT", "EMT recert (ours)", "NREMT cycle ending 31 March")
    assert (sheet["cycle_start"], sheet["cycle_end"]) == ("2025-01-15", "2027-03-31")
    # two copies of the level that apply: named, to choose with --level
    medics(*new, "requirement", "add", "--from", "EMT recert (ours)", "--name", "EMT (county)")
    r = medics(*new, "--as-of", "2026-12-02", "report", "nremt", "cy@fd.org", ok=False)
    assert r.exit_code == 2 and "2 department copies of NREMT-EMT apply to Cy Medic: " in r.stderr, r
    assert "'EMT (county)'" in r.stderr and "Name one with --level" in r.stderr


# ------------------------------------------------------------------------- the migration
SEED = [
    # the four NCCP copies `requirement add --from` made before 0014 look like this (one per
    # level here: EMT as made, EMR with its frequency changed by an officer), and the
    # registry row itself
    "INSERT INTO requirement (id, name, requirement_type, source, source_document, aliases, "
    "is_editable, required_hours, required_courses, required_skills, checklist_items, "
    "hour_categories, frequency, period_anchor, required_positions, created_at, "
    "counts_courses, counts_training_types, counts_categories, counts_call_types, "
    "counts_attendance, registry_name, registry_code) VALUES "
    "(1, 'EMT (ours)', 'hours', 'department', 'department default (copied from NREMT-EMT)', "
    "'[]', TRUE, 40, '[]', '[]', '[]', '[]', 'biennial', 'certification_date', '[]', "
    "'2026-01-01 00:00:00', '[]', '[]', '[]', '[]', FALSE, NULL, NULL), "
    "(2, 'EMR (ours)', 'hours', 'department', 'department default (copied from NREMT-EMR)', "
    "'[]', TRUE, 16, '[]', '[]', '[]', '[]', 'annual', 'certification_date', '[]', "
    "'2026-01-01 00:00:00', '[]', '[]', '[]', '[]', FALSE, NULL, NULL), "
    "(3, 'Paramedic (ours)', 'hours', 'department', 'department default (copied from NREMT-NRP)', "
    "'[]', TRUE, 60, '[]', '[]', '[]', '[]', 'biennial', 'certification_date', '[]', "
    "'2026-01-01 00:00:00', '[]', '[]', '[]', '[]', FALSE, NULL, NULL), "
    "(4, 'Emergency Medical Technician', 'hours', 'national', 'NREMT NCCP', "
    "'[]', FALSE, 40, '[]', '[]', '[]', '[]', 'biennial', 'certification_date', '[]', "
    "'2026-01-01 00:00:00', '[]', '[]', '[]', '[]', FALSE, 'NREMT', 'NREMT-EMT')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def test_the_upgrade_gives_the_copies_their_cycle_back_and_the_downgrade_drops_it(before: Db):
    rows = before.rows("SELECT * FROM requirement ORDER BY id")
    migrate(url_of(before), LAST)
    got = before.rows("SELECT id, cycle_end, cycle_credential FROM requirement ORDER BY id")
    assert [tuple(r) for r in got] == [
        (1, "03-31", "NREMT-EMT"),  # as `add --from` made it
        (2, None, None),  # its frequency changed: left as the officer made it
        (3, "03-31", "NREMT-NRP"),
        (4, None, None),  # the registry's own: its cycle is in code
    ]
    migrate(url_of(before), BEFORE, down=True)
    assert before.rows("SELECT * FROM requirement ORDER BY id") == rows
