"""`member list` and `member show` as of a date: positions and status as member_history has
them that day (the compliance matrix's rule, queries/members.states_as_of), through the real
CLI on both backends; `member show --format json` carries that history.

Dates stay before the machine's today: a change cannot take effect in the future.
"""

from __future__ import annotations

import csv
import io

import pytest

HIRED = "2023-01-10"


@pytest.fixture
def dept(cli):
    """Sam: firefighter from 2023-01-10, officer too from 29 Feb 2024, inactive from 31 Dec
    2024. Ann: firefighter throughout. Rae: hired 2025-03-01 (not on a 2024 roster). Cy:
    added today without a hire date (first known today)."""
    cli("member", "add", "Sam Smoke", "--email", "sam@fd.org", "--badge", "42",
        "--position", "firefighter", "--hire-date", HIRED)  # fmt: skip
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter",
        "--hire-date", HIRED)  # fmt: skip
    cli("member", "add", "Rae Recruit", "--email", "rae@fd.org", "--position", "probationary",
        "--hire-date", "2025-03-01")  # fmt: skip
    cli("member", "add", "Cy Nodate", "--email", "cy@fd.org", "--position", "emt")
    cli("member", "edit", "sam@fd.org", "--add-position", "officer", "--effective", "2024-02-29")
    cli("member", "deactivate", "sam@fd.org", "--effective", "2024-12-31", "--reason", "retired")
    return cli


def listed(cli, as_of: str | None, *args: str) -> dict[str, dict]:
    head = ("--as-of", as_of) if as_of else ()
    rows = cli(*head, "member", "list", "--format", "json", *args).json
    return {r["name"]: r for r in rows}


@pytest.mark.parametrize(
    ("day", "positions", "status"),
    [
        ("2024-02-28", ["firefighter"], "active"),
        ("2024-02-29", ["firefighter", "officer"], "active"),  # the promotion's own day
        ("2024-12-30", ["firefighter", "officer"], "active"),
        ("2024-12-31", ["firefighter", "officer"], "inactive"),  # the retirement's own day
    ],
)
def test_member_list_as_of_shows_positions_and_status_held_that_day(dept, day, positions, status):
    everyone = listed(dept, day, "--status", "all")
    sam = everyone["Sam Smoke"]
    assert (sam["positions"], sam["status"], sam["first_known"]) == (positions, status, None)
    # the default (active on that day) and the filters judge by that day too
    assert ("Sam Smoke" in listed(dept, day)) == (status == "active")
    assert ("Sam Smoke" in listed(dept, day, "--status", "inactive")) == (status == "inactive")
    officers = listed(dept, day, "--status", "all", "--position", "officer")
    assert list(officers) == (["Sam Smoke"] if "officer" in positions else [])
    # hired after the day: not on that day's roster
    assert "Rae Recruit" not in everyone


def test_member_list_without_as_of_is_today(dept):
    today = listed(dept, None, "--status", "all")
    assert today["Sam Smoke"]["status"] == "inactive"
    assert "first_known" not in today["Sam Smoke"]  # the JSON shape without --as-of is unchanged
    assert set(today) == {"Sam Smoke", "Ann Lee", "Rae Recruit", "Cy Nodate"}
    assert "Sam Smoke" not in listed(dept, None)


def test_a_member_first_known_after_the_day_is_listed_and_marked(dept):
    """Cy was added today without a hire date: a member before, as far as anyone knows (a
    roster entered when the department started using trainctl), so listed as first known,
    and marked with the day their history begins; Rae, hired later, is not listed."""
    rows = listed(dept, "2024-06-30", "--status", "all")
    assert set(rows) == {"Sam Smoke", "Ann Lee", "Cy Nodate"}
    cy = rows["Cy Nodate"]
    assert cy["first_known"] is not None and cy["first_known"] > "2024-06-30"
    assert rows["Ann Lee"]["first_known"] is None
    table = dept("--as-of", "2024-06-30", "member", "list").stdout
    assert "First known" in table and cy["first_known"] in table
    # CSV: the column is always there under --as-of
    text = dept("--as-of", "2024-06-30", "member", "list", "--format", "csv").stdout
    by_name = {r["name"]: r for r in csv.DictReader(io.StringIO(text))}
    assert by_name["Cy Nodate"]["first_known"] == cy["first_known"]
    assert by_name["Sam Smoke"]["positions"] == "firefighter;officer"
    assert by_name["Sam Smoke"]["first_known"] == ""
    # on the day Rae was hired she is on the roster
    assert "Rae Recruit" in listed(dept, "2025-03-01")
    assert "Rae Recruit" not in listed(dept, "2025-02-28")


def test_an_empty_as_of_roster_says_so(cli):
    cli("member", "add", "Rae Recruit", "--email", "rae@fd.org", "--hire-date", "2025-03-01")
    r = cli("--as-of", "2024-12-31", "member", "list")
    assert r.stdout == "" and "2024-12-31" in r.stderr


@pytest.mark.parametrize(
    ("day", "positions", "status"),
    [
        ("2024-02-29", ["firefighter", "officer"], "active"),
        ("2024-12-31", ["firefighter", "officer"], "inactive"),
        ("2023-12-31", ["firefighter"], "active"),
    ],
)
def test_member_show_as_of_shows_that_day(dept, day, positions, status):
    shown = dept("--as-of", day, "member", "show", "sam@fd.org", "--format", "json").json
    assert (shown["positions"], shown["status"], shown["first_known"]) == (positions, status, None)
    table = dept("--as-of", day, "member", "show", "42").stdout
    assert f"status              {status}" in table
    text = dept("--as-of", day, "member", "show", "42", "--format", "csv").stdout
    (row,) = csv.DictReader(io.StringIO(text))
    assert (row["positions"], row["status"]) == (";".join(positions), status)


def test_member_show_marks_a_member_not_yet_known(dept):
    shown = dept("--as-of", "2024-06-30", "member", "show", "rae@fd.org", "--format", "json").json
    assert shown["first_known"] == "2025-03-01" and shown["positions"] == ["probationary"]
    table = dept("--as-of", "2024-06-30", "member", "show", "rae@fd.org").stdout
    assert "first known" in table and "shown as first known" in table


def test_member_show_json_carries_the_history_latest_first_and_keeps_its_keys(dept):
    shown = dept("member", "show", "sam@fd.org", "--format", "json").json
    assert list(shown)[:12] == [
        "id", "name", "email", "badge", "positions", "role", "status", "hire_date",
        "certification_date", "created_at", "created_by", "updated_at",
    ]  # fmt: skip
    assert "first_known" not in shown  # only under --as-of
    assert [(h["effective_on"], h["positions"], h["status"]) for h in shown["history"]] == [
        ("2024-12-31", ["firefighter", "officer"], "inactive"),
        ("2024-02-29", ["firefighter", "officer"], "active"),
        (HIRED, ["firefighter"], "active"),
    ]  # fmt: skip
    assert all(h["recorded_at"].endswith("Z") and h["recorded_by"] is None for h in shown["history"])
    # the history is the whole story whatever the as-of day; only the record's values move
    dated = dept("--as-of", "2024-02-28", "member", "show", "sam@fd.org", "--format", "json").json
    assert dated["history"] == shown["history"] and dated["status"] == "active"
    # the CSV stays one row (a list of rows does not fit in it): no history column
    text = dept("member", "show", "sam@fd.org", "--format", "csv").stdout
    assert "history" not in text.splitlines()[0]


@pytest.mark.parametrize(
    ("day", "officers", "firefighters", "probationary"),
    [("2024-02-28", 0, 2, 0), ("2024-02-29", 1, 2, 0), ("2024-12-31", 0, 1, 0), (None, 0, 1, 1)],
)
def test_member_positions_counts_active_members_on_the_day(dept, day, officers, firefighters, probationary):
    head = ("--as-of", day) if day else ()
    rows = dept(*head, "member", "positions", "--format", "json").json
    counts = {r["code"]: r["active_members"] for r in rows}
    assert (counts["officer"], counts["firefighter"], counts["probationary"]) == (
        officers, firefighters, probationary,
    )  # fmt: skip
    assert counts["emt"] == 1  # Cy, first known today: counted on every day


def test_the_compliance_matrix_of_a_past_day_has_that_days_roster(dept):
    """The matrix lists the members `member list --as-of` lists (one rule,
    queries/members.not_yet_hired): Rae, hired 2025-03-01, is on no 2024 row or summary,
    and is from her hire date on."""
    dept("requirement", "add", "--name", "Annual drill hours", "--type", "hours", "--hours", "24",
         "--frequency", "annual")  # fmt: skip
    for day, rae in [("2024-06-30", False), ("2025-02-28", False), ("2025-03-01", True)]:
        got = dept("--as-of", day, "report", "compliance", "--format", "json").json
        assert {c["member"] for c in got["cells"]} == set(listed(dept, day)), day
        assert ("Rae Recruit" in {c["member"] for c in got["cells"]}) == rae, day
        (summary,) = got["summary"]
        assert summary["applicable"] == len(got["cells"]), day
    # a member named on the command line is still judged (not yet due), never hidden
    one = dept("--as-of", "2024-06-30", "report", "compliance", "--member", "rae@fd.org",
               "--format", "json").json  # fmt: skip
    assert [c["member"] for c in one["cells"]] == ["Rae Recruit"]


def _started(cli, who: str) -> str:
    return cli("member", "show", who, "--format", "json").json["history"][-1]["effective_on"]


def test_a_corrected_hire_date_moves_a_history_dated_by_the_old_one(cli, tmp_path):
    """Pia was added on 10 January with a hire date of 5 January, so her history started
    then; HR says she was hired on 2 March. The correction moves that start along: no
    roster, position count, crew or compliance matrix of February has her, as none has a
    recruit hired in March (before the fix all but compliance had her, an active
    firefighter). A start that is not the hire date (added before it) stays."""
    cli("--as-of", "2026-01-10", "member", "add", "Pia Recruit", "--email", "pia@x.org",
        "--badge", "201", "--position", "firefighter", "--hire-date", "2026-01-05")  # fmt: skip
    cli("--as-of", "2026-01-10", "member", "add", "Ann Lee", "--email", "ann@x.org",
        "--badge", "101", "--position", "firefighter", "--hire-date", "2020-01-05")  # fmt: skip
    cli("--as-of", "2026-01-10", "member", "add", "Zed Early", "--email", "zed@x.org",
        "--position", "firefighter", "--hire-date", "2026-01-12")  # added before the hire date
    assert _started(cli, "pia@x.org") == "2026-01-05"
    cli("--as-of", "2026-03-10", "member", "edit", "201", "--hire-date", "2026-03-02")
    cli("--as-of", "2026-03-10", "member", "edit", "zed@x.org", "--hire-date", "2026-01-20")
    assert _started(cli, "pia@x.org") == "2026-03-02"
    assert _started(cli, "zed@x.org") == "2026-01-10"  # on the roster from the day added
    assert set(listed(cli, "2026-02-01")) == {"Ann Lee", "Zed Early"}
    assert "Pia Recruit" in listed(cli, "2026-03-02")
    counts = {r["code"]: r["active_members"]
              for r in cli("--as-of", "2026-02-01", "member", "positions", "--format", "json").json}  # fmt: skip
    assert counts["firefighter"] == 2
    r = cli("record", "add", "--position", "firefighter", "--course", "Ladder drill", "--type", "drill",
            "--hours", "2", "--date", "2026-02-01", "--dry-run")  # fmt: skip
    assert "--position firefighter on 2026-02-01: 2 members: Ann Lee" in r.stderr and "Pia" not in r.stderr
    cli("--as-of", "2026-01-31", "requirement", "add", "--name", "Drills", "--type", "hours",
        "--hours", "4", "--frequency", "monthly", "--counts-type", "drill")  # fmt: skip
    got = cli("--as-of", "2026-02-01", "report", "compliance", "--format", "json").json
    assert {c["member"] for c in got["cells"]} == {"Ann Lee", "Zed Early"}
    # an earlier hire date takes the start back with it; so does a roster import's correction
    cli("--as-of", "2026-03-10", "member", "edit", "201", "--hire-date", "2026-02-20")
    assert _started(cli, "pia@x.org") == "2026-02-20"
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,positions,hire_date\nPia Recruit,pia@x.org,firefighter,2026-03-02\n",
                      encoding="utf-8")  # fmt: skip
    cli("--as-of", "2026-03-10", "member", "import", "--csv", str(roster), "--update")
    assert _started(cli, "pia@x.org") == "2026-03-02"
    assert "Pia Recruit" not in listed(cli, "2026-02-25")
