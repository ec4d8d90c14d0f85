"""Requirements over time (issue 9, "as of any date: every report answers for a past date
exactly as it would have then"): a change of what a requirement judges takes effect on a
day (`requirement edit --effective`, default today; `import --update` to a new edition),
and a report as of an earlier day judges by the requirement as it stood then (table
requirement_history, queries/requirements.in_force), on both backends through the CLI.

Dates stay before the machine's today: a change cannot take effect in the future. A
requirement's history starts on the day it was entered (a change in force from that day or
earlier replaces what it was entered as), so the stories enter theirs `--as-of` a day
before every change they date.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from registry_helpers import registry_doc, write

LAST_YEAR = "2025-12-31"
ENTERED = "2015-01-10"  # the day the stories' requirements were entered (--as-of)


@pytest.fixture
def dept(cli):
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org", "--position", "firefighter,emt",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("--as-of", ENTERED, "requirement", "add", "--name", "Hazmat refresher", "--type", "hours",
        "--hours", "6", "--frequency", "annual", "--counts-category", "hazmat")  # fmt: skip
    for member, day, hours in (("ann@fd.org", "2025-03-10", 8), ("bo@fd.org", "2025-03-10", 6),
                               ("ann@fd.org", "2026-03-10", 8), ("bo@fd.org", "2026-03-10", 6)):
        cli("--as-of", "2026-06-30", "record", "add", member, "--course", "Hazmat ops",
            "--date", day, "--hours", str(hours), "--category", "hazmat")  # fmt: skip
    return cli


def report(cli, as_of: str) -> dict:
    return cli("report", "compliance", "--as-of", as_of, "--format", "json").json


def statuses(cli, as_of: str) -> dict[tuple[str, str], str]:
    return {(c["member"], c["requirement"]): c["status"] for c in report(cli, as_of)["cells"]}


def explain(cli, member: str, as_of: str, ref: str = "Hazmat refresher") -> dict:
    return cli("requirement", "explain", member, ref, "--as-of", as_of, "--format", "json").json


def history_rows(db) -> list[tuple]:
    return db.rows("SELECT requirement_id, in_force_until, stood FROM requirement_history ORDER BY id")


# ------------------------------------------------------------------------------ stories
def test_a_raised_target_does_not_fail_last_year(dept, db):
    before = statuses(dept, LAST_YEAR)
    assert before == {("Ann Lee", "Hazmat refresher"): "met", ("Bo Diaz", "Hazmat refresher"): "met"}
    r = dept("--as-of", "2026-06-30", "requirement", "edit", "Hazmat refresher", "--hours", "8")
    assert "In force from 2026-06-30" in r.stderr and "requirement show" in r.stderr

    # last year, and the day before the change: judged at 6 h, as then
    assert statuses(dept, LAST_YEAR) == before
    june = report(dept, "2026-06-29")
    assert {c["member"]: (c["target"], c["status"]) for c in june["cells"]} == {
        "Ann Lee": (6, "met"), "Bo Diaz": (6, "met")
    }
    assert june["summary"][0]["as_stood_until"] == "2026-06-29"
    # from the day it takes effect: 8 h (Bo's 6 h no longer meets it)
    after = report(dept, "2026-06-30")
    assert {c["member"]: (c["target"], c["status"]) for c in after["cells"]} == {
        "Ann Lee": (8, "met"), "Bo Diaz": (8, "not_yet_due")
    }
    assert after["summary"][0]["as_stood_until"] is None

    # explain agrees with the matrix cell for cell, and says which version judged
    for as_of in (LAST_YEAR, "2026-06-29", "2026-06-30"):
        cells = {c["member"]: c for c in report(dept, as_of)["cells"]}
        for member, email in (("Ann Lee", "ann@fd.org"), ("Bo Diaz", "bo@fd.org")):
            e = explain(dept, email, as_of)
            assert (e["status"], e["target"]) == (cells[member]["status"], cells[member]["target"])
    text = dept("requirement", "explain", "bo@fd.org", "Hazmat refresher", "--as-of", LAST_YEAR).stdout
    assert "Judged as the requirement stood until 2026-06-29" in text
    text = dept("report", "compliance", "--as-of", LAST_YEAR).stderr
    assert "judged as it stood until 2026-06-29" in text
    ((_rid, until, stood),) = history_rows(db)
    assert str(until)[:10] == "2026-06-29"
    stood = json.loads(stood) if isinstance(stood, str) else stood
    assert stood["required_hours"] == 6 and stood["counts_categories"] == ["hazmat"]


def test_effective_in_the_past_and_a_correction_for_every_report(dept):
    dept("requirement", "edit", "Hazmat refresher", "--hours", "7", "--effective", "2026-01-01")
    assert statuses(dept, LAST_YEAR)[("Bo Diaz", "Hazmat refresher")] == "met"  # 6 of 6
    assert explain(dept, "bo@fd.org", "2026-05-01")["target"] == 7
    # a correction that should reach every past report: effective before the first record
    dept("requirement", "edit", "Hazmat refresher", "--hours", "8", "--effective", "2026-01-01")
    assert explain(dept, "ann@fd.org", "2026-05-01")["target"] == 8  # same day: the latest wins
    shown = dept("requirement", "show", "Hazmat refresher", "--format", "json").json
    # the 7 h version was replaced on the day it took effect: never in force, not listed
    assert [(h["in_force_until"], h["changed"]) for h in shown["history"]] == [
        ("2025-12-31", ["target 6 h"])
    ]
    table = dept("requirement", "show", "Hazmat refresher").stdout
    assert "until 2025-12-31" in table and "target 6 h" in table


def test_who_it_applies_to_and_its_window_stand_as_they_were(dept):
    dept("--as-of", "2026-06-30", "requirement", "edit", "Hazmat refresher", "--position", "emt",
         "--frequency", "biennial")  # fmt: skip
    then = report(dept, LAST_YEAR)
    cells = {c["member"]: c for c in then["cells"]}
    assert cells["Ann Lee"]["status"] == "met"  # a firefighter: it applied to everyone then
    assert (cells["Bo Diaz"]["window_start"], cells["Bo Diaz"]["window_end"]) == (
        "2025-01-01", "2025-12-31"
    )  # the calendar year, not a 24-month window
    now = {c["member"]: c["status"] for c in report(dept, "2026-06-30")["cells"]}
    assert now["Ann Lee"] == "not_applicable"
    shown = dept("requirement", "show", "Hazmat refresher").stdout
    assert "frequency annual" in shown and "required positions: -" in shown


def test_a_new_name_changes_every_report_and_keeps_no_history(dept, db):
    dept("requirement", "edit", "Hazmat refresher", "--name", "Hazmat annual")
    assert history_rows(db) == []
    assert {r for _, r in statuses(dept, LAST_YEAR)} == {"Hazmat annual"}
    assert report(dept, LAST_YEAR)["summary"][0]["as_stood_until"] is None


def test_a_report_as_of_today_reads_no_history(dept):
    dept("requirement", "edit", "Hazmat refresher", "--hours", "8", "--effective", "2026-01-01")
    assert "history" in dept("requirement", "show", "1", "--format", "json").json
    today = report(dept, "2026-11-01")
    assert today["summary"][0]["as_stood_until"] is None and today["cells"][0]["target"] == 8


# ----------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("--hours", "8", "--effective", "2999-01-01"), 2, "is after today"),
        (("--hours", "8", "--effective", "2025-02-29"), 2, "not a date"),
        (("--hours", "8", "--effective", "2026-02-01"), 1, "before the last change"),
        (("--name", "Hazmat annual", "--effective", "2026-05-01"), 2, "a new name has no date"),
    ],
)
def test_a_bad_effective_day_is_refused_and_writes_nothing(dept, snapshot, args, code, says):
    dept("requirement", "edit", "Hazmat refresher", "--hours", "7", "--effective", "2026-03-01")
    before = snapshot()
    r = dept("requirement", "edit", "Hazmat refresher", *args, ok=False)
    assert r.exit_code == code, r
    assert "--effective" in r.stderr and says in r.stderr, r.stderr
    assert snapshot() == before


# ----------------------------------------------------------------------------- registry
def test_a_new_edition_dates_its_figures_and_a_correction_does_not(cli, tmp_path, db):
    f = write(tmp_path / "state.json", registry_doc())
    cli("--as-of", "2025-01-01", "import", "registry", f)
    code = registry_doc()["requirements"][0]["registry_code"]
    old_hours = registry_doc()["requirements"][0]["required_hours"]
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--hire-date", "2015-01-10",
        "--position", "firefighter")  # fmt: skip

    def target(as_of: str) -> float:
        data = report(cli, as_of)
        return next(c["target"] for c in data["cells"] if c["requirement_id"] == 1)

    # the same edition, other hours: a correction, every past report follows it
    doc = registry_doc()
    doc["requirements"][0]["required_hours"] = old_hours + 2
    write(f, doc)
    r = cli("--as-of", "2026-02-01", "import", "registry", f, "--update")
    assert "new edition" not in r.stderr
    assert history_rows(db) == [] and target(LAST_YEAR) == old_hours + 2

    # a new edition: the figures it replaces stay for the days before it
    doc["edition"] = "2027"
    doc["requirements"][0]["required_hours"] = old_hours + 10
    write(f, doc)
    r = cli("--as-of", "2026-03-01", "import", "registry", f, "--update")
    assert "1 updated to a new edition from 2026-03-01" in r.stderr, r.stderr
    assert target("2026-02-28") == old_hours + 2 and target("2026-03-01") == old_hours + 10
    shown = cli("requirement", "show", code, "--format", "json").json
    assert shown["history"][0]["in_force_until"] == "2026-02-28"


def test_the_previous_window_is_judged_as_it_stood_when_it_closed(dept):
    dept("--as-of", "2026-06-30", "requirement", "edit", "Hazmat refresher", "--hours", "8")
    # Bo met 2025 at 6 h: not overdue in 2026 for falling short of a target set since
    e = explain(dept, "bo@fd.org", "2026-06-30")
    assert (e["status"], e["target"]) == ("not_yet_due", 8)
    text = dept("requirement", "explain", "bo@fd.org", "Hazmat refresher", "--as-of",
                "2026-06-30").stdout  # fmt: skip
    assert "Previous window 2025-01-01 – 2025-12-31: 6 of 6 h (met)" in text
    assert "judged as the requirement stood until 2026-06-29" in text
    # a new window rule starts afresh: the old year is not held against anyone
    dept("--as-of", "2026-07-30", "requirement", "edit", "Hazmat refresher", "--frequency", "biennial")
    text = dept("requirement", "explain", "bo@fd.org", "Hazmat refresher", "--as-of",
                "2027-01-05").stdout  # fmt: skip
    assert "the requirement's kind or window rule changed on 2026-07-30: the previous window" in text


def test_report_iso_of_a_past_year_names_the_edition_and_figure_in_force(cli, tmp_path):
    cli("--as-of", "2024-01-01", "import", "iso")
    doc = json.loads((Path(__file__).resolve().parents[1] / "registries" / "iso.json").read_text())
    doc["edition"] = "Fire Suppression Rating Schedule, 2025 edition"
    hazmat = next(r for r in doc["requirements"] if r["registry_code"] == "ISO-HAZMAT")
    hazmat["required_hours"] = 8
    f = write(tmp_path / "iso.json", doc)
    cli("--as-of", "2026-02-01", "import", "registry", f, "--update")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--hire-date", "2015-01-10")

    def item(year: str, as_of: str) -> tuple[str, float]:
        data = cli("report", "iso", "--year", year, "--as-of", as_of, "--format", "json").json
        row = next(i for i in data["items"] if i["item"] == "ISO-HAZMAT")
        return data["edition"], row["figure"]

    old, new = item("2025", "2026-06-01"), item("2026", "2026-06-01")
    assert "2012" in old[0] and "2025 edition" in new[0]
    assert old[1] != new[1]


def test_a_change_made_without_a_day_can_be_dated_afterwards(dept, db, snapshot):
    dept("--as-of", "2026-06-30", "requirement", "edit", "Hazmat refresher", "--hours", "8")
    assert explain(dept, "bo@fd.org", LAST_YEAR)["target"] == 6
    # it was a correction: the values it has, in force from before the first record
    r = dept("requirement", "edit", "Hazmat refresher", "--effective", "2020-01-01")
    assert "in force from 2020-01-01 (was 2026-06-30)" in r.stderr, r.stderr
    assert explain(dept, "bo@fd.org", LAST_YEAR)["target"] == 8
    assert statuses(dept, LAST_YEAR)[("Bo Diaz", "Hazmat refresher")] != "met"
    shown = dept("requirement", "show", "1", "--format", "json").json
    assert [(h["in_force_until"], h["changed"]) for h in shown["history"]] == [
        ("2019-12-31", ["target 6 h"])
    ]
    # or later than it was entered: the old values stand until the day before
    dept("requirement", "edit", "Hazmat refresher", "--hours", "8", "--effective", "2026-09-01")
    assert explain(dept, "bo@fd.org", "2026-08-31")["target"] == 6
    before = snapshot()
    r = dept("requirement", "edit", "Hazmat refresher", "--effective", "2026-09-01")
    assert "already in force from 2026-09-01; nothing was changed" in r.stderr
    assert snapshot() == before
    r = dept("requirement", "edit", "Hazmat refresher", "--effective", "2999-01-01", ok=False)
    assert r.exit_code == 2 and snapshot() == before


def test_dating_a_requirement_never_changed_changes_nothing(dept, snapshot):
    before = snapshot()
    r = dept("requirement", "edit", "Hazmat refresher", "--effective", "2020-01-01")
    assert "has not been changed" in r.stderr and snapshot() == before


# -------------------------------------------------------------- after the first review
def test_positions_named_since_hold_nobody_to_the_window_before(cli):
    cli("--as-of", "2024-01-01", "member", "add", "Ann EMT", "--email", "ann@x.org",
        "--position", "emt", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2024-01-01", "requirement", "add", "--name", "Hazmat", "--type", "hours",
        "--hours", "4", "--frequency", "annual", "--position", "firefighter",
        "--counts-type", "drill")  # fmt: skip
    cli("--as-of", "2026-03-01", "requirement", "edit", "Hazmat", "--position", "emt",
        "--effective", "2026-01-01")  # fmt: skip
    e = explain(cli, "ann@x.org", "2026-03-01", "Hazmat")
    assert e["status"] == "not_yet_due", e["reason"]
    cell = report(cli, "2026-03-01")["cells"][0]
    assert cell["status"] == "not_yet_due"


def test_a_promotion_after_the_window_closed_is_not_held_against_the_window(cli):
    cli("--as-of", "2024-01-01", "member", "add", "Ann", "--email", "ann@x.org",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2024-01-01", "requirement", "add", "--name", "EMS CE", "--type", "hours",
        "--hours", "4", "--frequency", "annual", "--position", "emt", "--counts-type", "drill")  # fmt: skip
    cli("--as-of", "2026-03-01", "member", "edit", "ann@x.org", "--position", "emt",
        "--effective", "2026-02-01")  # fmt: skip
    e = explain(cli, "ann@x.org", "2026-03-01", "EMS CE")
    assert e["status"] == "not_yet_due", e["reason"]
    assert report(cli, "2026-03-01")["cells"][0]["status"] == "not_yet_due"


def test_the_previous_window_reads_the_facts_its_version_counted(cli):
    cli("--as-of", "2024-01-01", "member", "add", "Ann", "--email", "ann@x.org",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2024-01-01", "requirement", "add", "--name", "Ride", "--type", "hours",
        "--hours", "10", "--frequency", "annual", "--counts-type", "drill", "--counts-attendance")  # fmt: skip
    cli("--as-of", "2025-06-01", "shift", "add", "ann@x.org", "--date", "2025-05-01",
        "--time-in", "2025-05-01T07:00-04:00", "--time-out", "2025-05-02T07:00-04:00",
        "--station", "S1", "--shift", "A")  # fmt: skip
    cli("--as-of", "2026-03-01", "requirement", "edit", "Ride", "--no-counts-attendance",
        "--effective", "2026-01-01")  # fmt: skip
    e = explain(cli, "ann@x.org", "2026-03-01", "Ride")
    cell = report(cli, "2026-03-01")["cells"][0]
    assert (cell["status"], cell["value"]) == (e["status"], e["value"]) == ("not_yet_due", 0)


def test_each_month_of_the_year_is_judged_as_it_stood(cli):
    cli("--as-of", "2024-01-01", "member", "add", "Ann", "--email", "ann@x.org",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2024-01-01", "requirement", "add", "--name", "MO", "--type", "hours",
        "--hours", "2", "--frequency", "monthly", "--counts-type", "drill")  # fmt: skip
    for day, hours in (("2026-01-10", "2"), ("2026-02-10", "4")):
        cli("--as-of", "2026-02-20", "record", "add", "ann@x.org", "--course", f"Drill {day}",
            "--type", "drill", "--hours", hours, "--date", day)  # fmt: skip
    cli("--as-of", "2026-02-20", "requirement", "edit", "MO", "--hours", "4", "--effective", "2026-02-01")
    text = cli("requirement", "explain", "ann@x.org", "MO", "--as-of", "2026-02-20").stdout
    # January at 2 h, the rest at 4 h; both months met as they stood
    assert "Year 2026-01-01 – 2026-12-31: 6 of 46 h" in text, text
    assert "2 of 2 months met; on pace: 6 h needed by now (2 + 4 h, 2 months begun" in text
    assert "January 2026: 2 of 2 h\n" in text and "February 2026: 4 of 4 h\n" in text


def test_an_import_without_update_does_not_hide_the_edition_its_entries_kept(cli, tmp_path, db):
    f = write(tmp_path / "state.json", registry_doc())
    cli("--as-of", "2025-01-01", "import", "registry", f)
    doc = registry_doc(edition="2027")
    doc["requirements"][0]["required_hours"] = 30
    doc["requirements"].append({**doc["requirements"][0], "registry_code": "ST-3", "name": "New one"})
    write(f, doc)
    cli("--as-of", "2026-03-01", "import", "registry", f)  # adds ST-3 only
    r = cli("--as-of", "2026-03-02", "import", "registry", f, "--update", "--dry-run")
    assert "1 to update to a new edition from 2026-03-02" in r.stderr, r.stderr
    r = cli("--as-of", "2026-03-02", "import", "registry", f, "--update")
    assert "1 updated to a new edition from 2026-03-02" in r.stderr, r.stderr
    assert [str(u)[:10] for _, u, _ in history_rows(db)] == ["2026-03-01"]


def test_a_backdated_import_before_a_kept_change_is_refused(cli, tmp_path, snapshot):
    f = write(tmp_path / "state.json", registry_doc())
    cli("--as-of", "2025-01-01", "import", "registry", f)
    cli("--as-of", "2026-03-01", "requirement", "edit", "ST-1", "--hours", "30")
    doc = registry_doc(edition="2027")
    doc["requirements"][0]["frequency"] = "biennial"
    write(f, doc)
    before = snapshot()
    r = cli("--as-of", "2026-01-15", "import", "registry", f, "--update", ok=False)
    assert r.exit_code == 1 and "effective 2026-03-01" in r.stderr, r
    assert snapshot() == before


def test_a_standards_entry_can_be_dated_though_not_edited(cli, tmp_path):
    f = write(tmp_path / "state.json", registry_doc())
    cli("--as-of", "2025-01-01", "import", "registry", f)
    doc = registry_doc(edition="2027")
    doc["requirements"][1]["credential_code"] = "ST-DRIVER-2"
    write(f, doc)
    cli("--as-of", "2026-03-01", "import", "registry", f, "--update")
    r = cli("requirement", "edit", "ST-2", "--effective", "2026-01-01")
    assert "in force from 2026-01-01 (was 2026-03-01)" in r.stderr, r.stderr
    r = cli("requirement", "edit", "ST-2", "--credential", "X", ok=False)
    assert r.exit_code == 1  # the standard's values stay the standard's


def test_a_change_and_its_undoing_on_one_day_leave_no_history(dept):
    dept("requirement", "edit", "Hazmat refresher", "--hours", "8", "--effective", "2026-01-01")
    dept("requirement", "edit", "Hazmat refresher", "--hours", "6", "--effective", "2026-01-01")
    assert "history" not in dept("requirement", "show", "1", "--format", "json").json
    assert report(dept, LAST_YEAR)["summary"][0]["as_stood_until"] is None


def test_a_change_dated_by_as_of_says_so_when_refused(dept):
    dept("requirement", "edit", "Hazmat refresher", "--hours", "8", "--effective", "2026-06-01")
    r = dept("--as-of", "2026-05-01", "requirement", "edit", "Hazmat refresher", "--hours", "7", ok=False)
    assert "This change, dated 2026-05-01 (--as-of)" in r.stderr, r.stderr


# ------------------------------------------------------------- after the second review
def test_a_one_time_requirement_met_under_the_old_figure_stays_met(cli):
    cli("member", "add", "Ann A", "--email", "a@x.org", "--badge", "A1", "--position", "driver",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("member", "add", "Rec R", "--email", "r@x.org", "--badge", "R1", "--position",
        "firefighter", "--hire-date", "2024-03-01")  # fmt: skip
    cli("--as-of", ENTERED, "requirement", "add", "--name", "NewDriver", "--type", "hours", "--hours", "60",
        "--counts-category", "driver", "--position", "driver")  # fmt: skip
    cli("--as-of", ENTERED, "requirement", "add", "--name", "Recruit", "--type", "hours", "--hours", "240",
        "--frequency", "one_time", "--anchor", "hire_date", "--period-months", "12",
        "--counts-category", "recruit", "--position", "firefighter")  # fmt: skip
    cli("record", "add", "A1", "--course", "D", "--date", "2021-05-01", "--hours", "60", "--category", "driver")
    cli("record", "add", "R1", "--course", "R", "--date", "2024-09-01", "--hours", "240", "--category", "recruit")
    for name, hours in (("NewDriver", "80"), ("Recruit", "300")):
        cli("requirement", "edit", name, "--hours", hours, "--effective", "2026-06-01")
    cells = {c["member"]: c for c in report(cli, "2026-11-01")["cells"] if c["status"] != "not_applicable"}
    assert {m: c["status"] for m, c in cells.items()} == {"Ann A": "met", "Rec R": "met"}
    e = explain(cli, "r@x.org", "2026-11-01", "Recruit")
    assert (e["status"], e["value"], e["target"]) == ("met", cells["Rec R"]["value"], cells["Rec R"]["target"])
    text = cli("requirement", "explain", "R1", "Recruit", "--as-of", "2026-11-01").stdout
    assert "met as the requirement stood until 2026-05-31" in text
    # a member who had not met it before the raise owes the new figure
    cli("member", "add", "Bo B", "--email", "b@x.org", "--position", "driver", "--hire-date", "2020-01-01")
    cli("record", "add", "b@x.org", "--course", "D", "--date", "2026-07-01", "--hours", "60", "--category", "driver")
    assert explain(cli, "b@x.org", "2026-11-01", "NewDriver")["status"] != "met"


def test_reminders_follow_the_requirement_as_it_stood_on_their_day(cli):
    cli("member", "add", "Ann", "--email", "ann@x.org", "--position", "firefighter", "--hire-date", "2020-01-01")
    cli("--as-of", ENTERED, "requirement", "add", "--name", "Hazmat", "--type", "hours", "--hours", "6",
        "--frequency", "one_time", "--counts-category", "hazmat")  # fmt: skip
    cli("requirement", "edit", "Hazmat", "--frequency", "annual", "--effective", "2025-01-01")
    cli("requirement", "edit", "Hazmat", "--frequency", "one_time", "--effective", "2026-12-01")
    # on 30 November 2026 it was annual, and Ann short in 2025 and 2026: overdue, as the
    # report says; a reminder follows (it used to look only at the requirement as it stands)
    assert report(cli, "2026-11-30")["cells"][0]["status"] == "overdue"
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-11-30").json
    assert [d for d in got if d["to"] == "Ann"], got


def test_each_period_of_the_year_counts_what_its_version_counted_and_owes_whom_it_named(cli):
    cli("member", "add", "Bob", "--email", "bob@x.org", "--position", "driver", "--hire-date", "2020-01-01")
    cli("--as-of", ENTERED, "requirement", "add", "--name", "Q", "--type", "hours", "--hours", "3", "--frequency",
        "quarterly", "--counts-category", "ems", "--position", "firefighter")  # fmt: skip
    cli("requirement", "edit", "Q", "--hours", "5", "--position", "firefighter,driver",
        "--effective", "2026-07-01")  # fmt: skip
    text = cli("requirement", "explain", "bob@x.org", "Q", "--as-of", "2026-08-15").stdout
    assert "of 10 h" in text and "0 of 1 quarter owed met" in text and "(5 h x 1 quarter owed of 3 begun)" in text, text  # Q3 and Q4 only
    # a monthly requirement that stopped counting shift hours in July
    cli("member", "add", "Ann", "--email", "ann@x.org", "--badge", "A1", "--position", "firefighter",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", ENTERED, "requirement", "add", "--name", "MonS", "--type", "hours", "--hours", "4", "--frequency",
        "monthly", "--counts-category", "ems", "--counts-attendance")  # fmt: skip
    for month in range(1, 7):
        day = f"2026-{month:02d}-10"
        cli("--as-of", "2026-07-01", "shift", "add", "A1", "--date", day, "--time-in", f"{day}T07:00-04:00",
            "--time-out", f"{day}T13:00-04:00", "--station", "S1", "--shift", "A")  # fmt: skip
    cli("--as-of", "2026-07-05", "requirement", "edit", "MonS", "--no-counts-attendance",
        "--effective", "2026-07-01")  # fmt: skip
    text = cli("requirement", "explain", "A1", "MonS", "--as-of", "2026-07-05").stdout
    assert "June 2026: 6 of 4 h\n" in text and "6 of 7 months met" in text, text
    assert "Year 2026-01-01 – 2026-12-31: 36 of 48 h" in text, text


def test_effective_alone_says_what_it_did_with_no_blank_line_first(cli):
    """`requirement edit R --effective DAY` alone began stderr with an empty line (a review)."""
    cli("requirement", "add", "--name", "Haz", "--type", "hours", "--hours", "2", "--counts-type", "drill")
    r = cli("requirement", "edit", "Haz", "--effective", "2026-01-01")
    assert r.stderr.startswith("Haz has not been changed"), repr(r.stderr)


# -------------------------------------------------------------- the day it was entered
def test_a_change_on_the_day_it_was_entered_replaces_what_it_was_entered_as(cli, db):
    """Added and edited on one day, it kept a version "until" the day before it existed:
    `requirement show` listed it, and explain judged a window by it beside "the requirement
    was entered on" the next day."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--hire-date", "2015-01-10")
    cli("requirement", "add", "--name", "SCBA refresher", "--type", "hours", "--hours", "8",
        "--frequency", "annual")  # fmt: skip
    r = cli("requirement", "edit", "SCBA refresher", "--counts-type", "drill")
    assert "replaces what it was entered as" in r.stderr and "In force from" not in r.stderr, r.stderr
    assert history_rows(db) == []
    shown = cli("requirement", "show", "SCBA refresher")
    assert "until" not in shown.stdout, shown.stdout
    assert "history" not in cli("requirement", "show", "SCBA refresher", "-f", "json").json
    text = cli("requirement", "explain", "ann@fd.org", "SCBA refresher").stdout
    assert "as the requirement stood" not in text and "was entered on" in text, text


def test_a_change_dated_before_it_was_entered_replaces_what_it_was_entered_as(cli, db, snapshot):
    cli("--as-of", "2026-03-01", "requirement", "add", "--name", "Haz", "--type", "hours",
        "--hours", "6", "--frequency", "annual", "--counts-category", "hazmat")  # fmt: skip
    r = cli("requirement", "edit", "Haz", "--hours", "8", "--effective", "2026-01-01")
    assert "Haz was entered on 2026-03-01: this change, in force from 2026-01-01, replaces" in r.stderr
    assert history_rows(db) == []
    assert report(cli, LAST_YEAR)["summary"][0]["as_stood_until"] is None
    # dated on the entry day by --as-of: the same
    cli("--as-of", "2026-03-01", "requirement", "edit", "Haz", "--hours", "7")
    assert history_rows(db) == []
    # a day after it: the version it replaces is kept, from the day it was entered
    cli("--as-of", "2026-03-02", "requirement", "edit", "Haz", "--hours", "9")
    ((_, until, stood),) = history_rows(db)
    stood = json.loads(stood) if isinstance(stood, str) else stood
    assert (str(until)[:10], stood["required_hours"]) == ("2026-03-01", 7)
    # and the versions a day on or before the entry day would end early are replaced too:
    # `--effective DAY` alone, the requirement as it stands in force from DAY
    r = cli("requirement", "edit", "Haz", "--effective", "2026-02-01")
    assert "on or before the day it was entered (2026-03-01): it replaces its earlier versions" in r.stderr
    assert history_rows(db) == []
    ((detail,),) = db.rows("SELECT detail FROM audit_log WHERE action = 'requirement.redate'")
    detail = json.loads(detail) if isinstance(detail, str) else detail  # (PostgreSQL: a dict)
    assert [v["in_force_until"] for v in detail["replaced"]] == ["2026-03-01"], detail
    before = snapshot()
    r = cli("requirement", "edit", "Haz", "--effective", "2026-02-01")
    assert "has not been changed" in r.stderr and snapshot() == before


def test_an_import_updated_to_a_new_edition_on_its_own_day_keeps_no_history(cli, tmp_path, db):
    f = write(tmp_path / "state.json", registry_doc())
    cli("--as-of", "2026-03-01", "import", "registry", f)
    doc = registry_doc()
    doc["edition"] = "2027"
    doc["requirements"][0]["required_hours"] += 10
    write(f, doc)
    r = cli("--as-of", "2026-03-01", "import", "registry", f, "--update")
    assert "1 updated" in r.stderr and "new edition" not in r.stderr, r.stderr
    assert history_rows(db) == []
    doc["edition"] = "2028"
    doc["requirements"][0]["required_hours"] += 10
    write(f, doc)
    r = cli("--as-of", "2026-03-05", "import", "registry", f, "--update")
    assert "1 updated to a new edition from 2026-03-05" in r.stderr, r.stderr
    assert [str(until)[:10] for _, until, _ in history_rows(db)] == ["2026-03-04"]


def test_a_year_counts_from_the_day_its_window_rule_began(cli):
    """Third review: SCBA annual 8 h, an 8 h drill on 2026-04-10, then quarterly 2 h from
    2026-07-01: `requirement explain` listed "2026 Q1: 0 of 2 h (short)", "1 of 4 quarters
    met" and "8 h needed by now", while the report as of 2026-06-30 said met (8 of 8 h).
    The quarters before the rule began were not quarters of it: the year counts from its
    day (as for a member hired then), says so, and the matrix judges as explain does."""
    cli("--as-of", "2025-01-01", "member", "add", "Ann Lee", "--email", "ann@x.org",
        "--badge", "101", "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2025-01-01", "requirement", "add", "--name", "SCBA", "--type", "hours",
        "--hours", "8", "--frequency", "annual", "--counts-type", "drill")  # fmt: skip
    cli("--as-of", "2026-11-20", "record", "add", "--members", "101", "--course", "SCBA drill",
        "--type", "drill", "--hours", "8", "--date", "2026-04-10")  # fmt: skip
    cli("--as-of", "2026-11-20", "record", "add", "--members", "101", "--course", "SCBA drill",
        "--type", "drill", "--hours", "2", "--date", "2026-08-10")  # fmt: skip
    cli("--as-of", "2026-11-20", "requirement", "edit", "SCBA", "--frequency", "quarterly",
        "--hours", "2", "--effective", "2026-07-01")  # fmt: skip
    text = cli("requirement", "explain", "101", "SCBA", "--as-of", "2026-11-20").stdout
    flat = " ".join(text.split())
    assert "Q1" not in text and "Q2" not in text, text
    assert "Year 2026-07-01 – 2026-12-31: 2 of 4 h" in flat, text
    assert "1 of 2 quarters met; on pace: 4 h needed by now (2 h x 2 quarters begun)" in flat
    assert "2026 Q3: 2 of 2 h" in text and "2026 Q4: 0 of 2 h (short)" in text
    assert ("the requirement's kind or window rule changed on 2026-07-01: the quarters before it "
            "were not quarters of this requirement and are left out of the year; `--as-of "
            "2026-06-30` judges them as it stood") in flat  # fmt: skip
    shown = cli("requirement", "explain", "101", "SCBA", "--as-of", "2026-11-20", "--format", "json").json
    cell = next(c for c in cli("report", "compliance", "--as-of", "2026-11-20", "--format", "json").json["cells"]
                if c["requirement"] == "SCBA")  # fmt: skip
    assert (cell["status"], cell["value"]) == (shown["status"], shown["value"]) == ("not_yet_due", 0)
    old = cli("requirement", "explain", "101", "SCBA", "--as-of", "2026-06-30").stdout
    assert "MET — met: 8 of 8 h" in old  # as it stood then
