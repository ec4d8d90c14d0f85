"""One rule for a number a person types (domain/amounts.read_number), in every place one is
typed: an option (`--hours`, `--add`, `--set`, `--threshold`, `--below`, `--duration`) and
a cell of a sheet. Found by a hostile-input check: the options used float(), so
`progress update --add 1_000` credited 1,000 hours, Arabic and full-width digits were
taken, `requirement add --hours 1e-320` was kept and shown as "0 h", and `--add 8,5` was
"not a number" while `record add --hours 8,5` recorded 8.5 (as a sheet's "1,5" is)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from enroll_helpers import Dept

from trainctl.domain import amounts, sheet


@pytest.fixture
def dept(db_url: str, cli) -> Dept:
    d = Dept(db_url)
    ann = d.member("Ann Lee", email="ann@fd.org")
    d.simple_program("Recruit", "hours")
    d.simple_program("Spare", "hours")  # no enrollments: its milestones may change
    cli("program", "milestone", "add", "Recruit", "Start", "--threshold", "10")
    cli("enroll", "add", str(ann), "Recruit")
    return d


def _sheet(tmp_path: Path, value: str) -> list[str]:
    path = tmp_path / "sheet.csv"
    path.write_text(f'member,course,date,hours\nann@fd.org,Drill,2026-01-06,"{value}"\n', encoding="utf-8")
    return ["record", "import", str(path)]


# (place, the command typing `value`, exit code of a refusal, what the refusal names)
PLACES: list[tuple[str, Callable[[str, Path], list[str]], int, str]] = [
    ("requirement add --hours", lambda v, _: ["requirement", "add", "--name", "Big", "--type", "hours", "--hours", v], 65, "--hours"),
    ("progress update --add", lambda v, _: ["progress", "update", "1", "--add", v], 65, "--add"),
    ("progress update --set", lambda v, _: ["progress", "update", "1", "--set", v], 65, "--set"),
    ("program milestone add --threshold", lambda v, _: ["program", "milestone", "add", "Spare", "Half", "--threshold", v], 65, "--threshold"),
    ("enroll list --below", lambda v, _: ["enroll", "list", "--below", v], 2, "--below"),  # a read's filter
    ("record add --hours", lambda v, _: ["record", "add", "ann@fd.org", "--course", "Drill", "--date", "2026-01-05", "--hours", v], 65, "--hours"),
    ("course add --duration", lambda v, _: ["course", "add", "--name", "Pump ops", "--duration", v], 65, "--duration"),
    ("record import, an hours cell", lambda v, tmp: _sheet(tmp, v), 65, "line 2, field hours"),
]  # fmt: skip

# (typed, why it is refused: a word of the reason)
REFUSED = [
    ("1_000", "'_'"),  # float() read it as 1000
    ("\u0661\u0662", "0-9 (12)"),  # Arabic-Indic 12
    ("\uff11\uff12", "0-9 (12)"),  # full-width 12
    ("1e-320", "not a number"),  # kept, and shown as 0 h
    ("1e2", "not a number"),
    ("0.004", "smallest figure shown, 0.01"),  # shown as 0 h
    ("1,500", "ambiguous"),  # 1.5 or 1500?
    ("nan", "not a number"),
]


@pytest.mark.parametrize(("typed", "why"), REFUSED)
def test_a_number_typed_any_other_way_is_refused_in_every_place(cli, dept, snapshot, tmp_path, typed, why):
    for place, command, code, names in PLACES:
        before = snapshot()
        r = cli(*command(typed, tmp_path), ok=False)
        assert r.exit_code == code, (place, r)
        assert names in r.stderr and why in r.stderr and "Hint:" in r.stderr, (place, r.stderr)
        assert "Traceback" not in r.stderr, (place, r.stderr)
        assert snapshot() == before, place


def test_a_decimal_comma_is_read_alike_in_every_place(cli, dept, tmp_path):
    """ "8,5" is 8.5 in an option as in a sheet's cell (README: Decimal hours, "1.5" or "1,5")."""
    for place, command, _, _ in PLACES:
        r = cli(*command("8,5", tmp_path), ok=False)
        if place == "progress update --set":  # after --add 8,5: the row holds 8.5
            assert r.exit_code == 1 and "is already at 8.5; nothing recorded" in r.stderr, r
        else:
            assert r.exit_code == 0, (place, r)
    assert "8.5 h" in cli("requirement", "show", "Big").stdout
    records = cli("--format", "json", "record", "list").json
    assert [r["hours"] for r in records] == [8.5, 8.5]
    assert cli("--format", "json", "course", "show", "Pump ops").json["duration_hours"] == 8.5


@pytest.mark.parametrize(
    ("typed", "value"),
    [("2", 2.0), ("1.5", 1.5), ("1,5", 1.5), (".5", 0.5), ("5.", 5.0), ("+3", 3.0), ("-2.25", -2.25),
     ("1.500", 1.5), (" 7 ", 7.0), ("0.01", 0.01),
     ("0.333", 0.333), ("0.125", 0.125)],  # an e-learning export's 20 minutes: kept, shown 0.33
)  # fmt: skip
def test_the_rule_reads_plain_decimals(typed, value):
    assert amounts.read_number(typed) == value
    assert sheet.parse_number(typed) == value


@pytest.mark.parametrize(
    ("typed", "error", "why"),
    [("abc", amounts.NotANumber, "is not a number"), ("1.5.2", amounts.NotANumber, "is not a number"),
     ("", amounts.NotANumber, "is not a number"), ("1 5", amounts.NotANumber, "is not a number"),
     ("inf", amounts.NotPlain, "no exponent"), ("1E3", amounts.NotPlain, "no exponent"),
     ("1_0.5", ValueError, "write the digits alone (10.5)"), ("\u00b2", ValueError, "0-9 (2)"),
     ("0.001", ValueError, "is less than the smallest figure shown, 0.01 (a report would show it as 0)"),
     ("-0.004", ValueError, "smallest figure shown, 0.01")],
)  # fmt: skip
def test_the_rule_says_why(typed, error, why):
    with pytest.raises(error) as exc:
        amounts.read_number(typed)
    assert why in str(exc.value)


# ------------------------------------------------------------------------- files and JSON
PROGRAM = """name = "Pump school"
structure_type = "flexible"

[[requirement_definitions]]
name = "Pump hours"
requirement_type = "hours"
required_hours = {hours}

[[requirements]]
name = "Pump hours"

[[milestones]]
name = "Half"
threshold = {threshold}
"""


def _registry(hours: str) -> str:
    return (
        '{"registry": "R", "description": "d", "edition": "1", "sources": ["https://x.org"], "requirements": '
        '[{"name": "X", "description": "d", "registry_code": "X-1", "requirement_type": "hours", '
        '"frequency": "annual", "required_positions": [], "is_editable": false, "source": "national", '
        f'"source_document": "Std 1", "aliases": [], "required_hours": {hours}}}]}}'
    )


FILE_PLACES: list[tuple[str, Callable[[str, Path], list[str]], str]] = [
    ("program file, required_hours", lambda v, tmp: _file(tmp, "p.toml", PROGRAM.format(hours=v, threshold=50), "program", "apply", "--file"), "required_hours"),
    ("program file, threshold", lambda v, tmp: _file(tmp, "p.toml", PROGRAM.format(hours=2, threshold=v), "program", "apply", "--file"), "threshold"),
    ("registry file, required_hours", lambda v, tmp: _file(tmp, "r.json", _registry(v), "import", "registry"), "required_hours"),
    ("--hour-categories, min_hours", lambda v, _: ["requirement", "add", "--name", "N", "--type", "hours", "--hours", "40",
                                                   "--hour-categories", f'[{{"name": "national", "min_hours": {v}}}]'], "min_hours"),
]  # fmt: skip


def _file(tmp: Path, name: str, text: str, *command: str) -> list[str]:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return [*command, str(path)]


@pytest.mark.parametrize(
    ("typed", "why"),
    [("1e-320", "the smallest figure shown, 0.01"), ("0.001", "the smallest figure shown, 0.01"), ('"1_000"', "'_'"),
     ('"\u0661\u0662"', "0-9 (12)")],
)  # fmt: skip
def test_a_figure_in_a_file_or_json_option_is_read_by_the_same_rule(cli, dept, snapshot, tmp_path, typed, why):
    """A number of a program or registry file, or of --hour-categories, was taken as
    Pydantic read it: 1e-320 kept (shown as 0 h), "1_000" as 1000 (a registry, read
    strictly, still takes no number written as text: "8,5" there is not a number)."""
    for place, command, field in FILE_PLACES:
        before = snapshot()
        r = cli(*command(typed, tmp_path), ok=False)
        assert r.exit_code == 65, (place, r)
        assert field in r.stderr and why in r.stderr, (place, r.stderr)
        assert snapshot() == before, place


def test_a_figure_on_file_from_before_the_rule_stays_editable(cli, dept):
    """A requirement of 12.333 h is checked again as a whole when edited: more decimals
    than are shown are kept as given."""
    dept.requirement("Legacy", "hours", required_hours=12.333)
    cli("requirement", "edit", "Legacy", "--description", "kept as it was")
    assert cli("--format", "json", "requirement", "show", "Legacy").json["required_hours"] == 12.333


# --------------------------------------------------------------------------- whole numbers
WHOLE_PLACES: list[tuple[str, list[str], str]] = [
    ("record list --limit", ["record", "list", "--limit"], "--limit"),
    ("requirement add --shifts", ["requirement", "add", "--name", "Tours", "--type", "shifts", "--shifts"], "--shifts"),
    ("program create --time-limit-days", ["program", "create", "Long", "--time-limit-days"], "--time-limit-days"),
    ("report iso --year", ["report", "iso", "--year"], "--year"),
    ("progress update --credit", ["progress", "update", "1", "--verify", "--credit"], "--credit"),
    ("program phase remove NUMBER", ["program", "phase", "remove", "Recruit"], "NUMBER"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "why"),
    [("1_000", "write the digits alone (1000)"), ("\u0661\u0662", "0-9 (12)"), ("\uff11\uff12", "0-9 (12)"),
     ("2.5", "is not a whole number"), ("1e3", "is not a whole number"), ("twelve", "is not a whole number")],
)  # fmt: skip
def test_a_whole_number_typed_any_other_way_is_refused_in_every_place(cli, dept, snapshot, typed, why):
    """Click's int() took "1_000" as 1000 and Arabic or full-width digits: `requirement add
    --shifts ١٢` asked for 12 shifts. Every whole-number option reads by amounts.read_whole:
    a usage error naming the option (exit 2, as Click's refusals were), nothing written."""
    for place, command, names in WHOLE_PLACES:
        before = snapshot()
        r = cli(*command, typed, ok=False)
        assert r.exit_code == 2, (place, r)
        assert r.stderr.startswith(f"Error: {names} ") and why in r.stderr and "Hint:" in r.stderr, (place, r.stderr)
        assert snapshot() == before, place


def test_a_whole_number_still_reads_as_it_did(cli, dept):
    cli("requirement", "add", "--name", "Tours", "--type", "shifts", "--shifts", "12")
    assert cli("--format", "json", "requirement", "show", "Tours").json["required_shifts"] == 12
    assert cli("record", "list", "--limit", "0").exit_code == 0
    r = cli("record", "list", "--limit", "-1", ok=False)
    assert r.exit_code == 2 and "--limit -1: not a whole number from 0 to 1,000,000." in r.stderr


@pytest.mark.parametrize(
    ("typed", "why"),
    [("\u0661\u0662", "has digits other than 0-9; type it with 0-9 (12)"),
     ("1_2", "has '_' in it; write the digits alone (12)"), ("2.5", "is not a whole number")],
)  # fmt: skip
def test_a_whole_number_in_a_sheet_cell_is_read_by_the_same_rule(cli, dept, snapshot, tmp_path, typed, why):
    """A course list's expiration_months of Arabic digits was read as 12 months (str.isdigit)."""
    path = tmp_path / "courses.csv"
    path.write_text(f"code,name,expiration_months\nC1,Course one,{typed}\n", encoding="utf-8")
    before = snapshot()
    r = cli("course", "import", "--csv", str(path), ok=False)
    assert r.exit_code == 65 and f"line 2, field expiration_months: {why}" in r.stderr, r
    assert snapshot() == before
