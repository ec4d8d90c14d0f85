"""`report iso --year`, the items a grader reads closely (session 33): officers are
certified as well as trained, a new driver's 60 h are the hours of their candidacy, and a
recruit who leaves part way through the recruit year owes the share of the year served.
Real SQLite files, the real CLI."""

from __future__ import annotations

import pytest


@pytest.fixture
def dept(cli):
    cli("--as-of", "2024-01-01", "import", "iso")
    cli("--as-of", "2024-01-01", "member", "add", "Olive Officer", "--email", "olive@fd.org",
        "--position", "officer", "--hire-date", "2015-01-10")  # fmt: skip
    return cli


def record(cli, member: str, day: str, hours: float, category: str, course: str = "Class") -> None:
    cli("--as-of", "2030-01-01", "record", "add", member, "--course", course, "--date", day,
        "--hours", str(hours), "--type", "class", "--category", category)  # fmt: skip


def iso(cli, year: int, as_of: str) -> tuple[dict, dict]:
    data = cli("report", "iso", "--year", str(year), "--as-of", as_of, "-f", "json").json
    rows = {(r["member"], r["item"]): r for r in data["rows"]}
    return {i["item"]: i for i in data["items"]}, rows


# ------------------------------------------------------------------------------ officers
def test_the_officer_item_credits_only_a_certified_officer(dept, snapshot):
    """ISO's officers: "certified, plus 12 h a year". Olive's 12 h of officer classes were
    full credit without any officer certification on file; now the item is short and says
    why, and counts her once a Pro Board Fire Officer I certificate is on file."""
    record(dept, "olive@fd.org", "2025-03-10", 12, "officer")
    items, rows = iso(dept, 2025, "2026-02-01")
    olive = rows[("Olive Officer", "ISO-OFFICER-CE")]
    assert (olive["value"], olive["target"], olive["status"], olive["certified"]) == (12, 12, "short", False)
    assert olive["note"] == "12 h, no officer certification on file (NFPA 1021 or PB-FO1 or PB-FO2)"
    item = items["ISO-OFFICER-CE"]
    assert (item["members"], item["met"], item["certified"], item["credit_percentage"]) == (1, 0, 0, 0)
    assert item["figure"] == "certified, and 12 h a year"
    assert items["ISO-HAZMAT"]["certified"] is None
    before = snapshot()
    table = dept("report", "iso", "--year", "2025", "--as-of", "2026-02-01").stdout
    assert "1 (0 certified)" in table
    assert "short: 12 h, no officer certification on file" in " ".join(table.split())
    csv = dept("report", "iso", "--year", "2025", "--as-of", "2026-02-01", "-f", "csv").stdout
    assert ",months_owed,certified,note," in csv.splitlines()[0]  # after the columns before them
    assert snapshot() == before  # a report writes nothing

    dept("--as-of", "2026-02-01", "cert", "add", "olive@fd.org", "PB-FO1", "--issued", "2019-05-01")
    items, rows = iso(dept, 2025, "2026-02-01")
    olive = rows[("Olive Officer", "ISO-OFFICER-CE")]
    assert (olive["status"], olive["certified"]) == ("met", True), olive
    assert olive["note"] == "certified: PB-FO1 held, no expiry"
    item = items["ISO-OFFICER-CE"]
    assert (item["met"], item["certified"], item["credit_percentage"]) == (1, 1, 100)
    # a certificate issued after the year's last day did not certify her in it
    items, rows = iso(dept, 2018, "2019-01-01")
    assert rows[("Olive Officer", "ISO-OFFICER-CE")]["certified"] is False


def test_an_officer_certification_that_ran_out_before_the_year_closed_does_not_count(dept):
    """The card in force on the year's last day decides (the latest expiry: an older card
    good through 2030 keeps her certified; one run out in June does not)."""
    record(dept, "olive@fd.org", "2025-03-10", 12, "officer")
    dept("--as-of", "2025-01-02", "cert", "add", "olive@fd.org", "NFPA 1021", "--issued",
         "2022-07-01", "--expires", "2025-06-30")  # fmt: skip
    _, rows = iso(dept, 2025, "2026-02-01")
    olive = rows[("Olive Officer", "ISO-OFFICER-CE")]
    assert (olive["status"], olive["certified"]) == ("short", False)
    assert olive["note"] == (
        "12 h, no valid officer certification on 2025-12-31 (NFPA 1021 expired: last valid "
        "day 2025-06-30)"
    )  # fmt: skip
    # judged on the as-of day of a year still running: valid then
    assert iso(dept, 2025, "2025-06-30")[1][("Olive Officer", "ISO-OFFICER-CE")]["certified"] is True


def test_an_officer_who_left_in_the_year_is_judged_on_their_last_day_as_officer(dept):
    """Olive left on 1 October; her card ran out on 30 November, after she left: she
    was certified while she was an officer, which is what the year's item asks."""
    record(dept, "olive@fd.org", "2025-03-10", 9, "officer")
    dept("--as-of", "2025-01-02", "cert", "add", "olive@fd.org", "PB-FO2", "--issued",
         "2020-12-01", "--expires", "2025-11-30")  # fmt: skip
    dept("--as-of", "2025-10-01", "member", "edit", "olive@fd.org", "--status", "inactive",
         "--effective", "2025-10-01")  # fmt: skip
    _, rows = iso(dept, 2025, "2026-02-01")
    olive = rows[("Olive Officer", "ISO-OFFICER-CE")]
    assert (olive["target"], olive["months_owed"], olive["status"]) == (9, "9 of 12", "met"), olive
    assert olive["certified"] is True
    assert olive["note"] == (
        "certified on 2025-09-30, the last day it applied to them in the year: PB-FO2 valid "
        "through 2025-11-30"
    )  # fmt: skip


def test_the_catalogs_nfpa_1021_decides_what_certifies_an_officer(dept):
    """A department that imported NFPA and added its state's Fire Officer course to NFPA
    1021 has officers certified by that course's record too."""
    dept("--as-of", "2024-01-01", "import", "nfpa")
    dept("--as-of", "2024-01-01", "requirement", "edit", "NFPA 1021", "--course", "PB-FO1",
         "--course", "PB-FO2", "--course", "ST-FO1")  # fmt: skip
    dept("course", "add", "--code", "ST-FO1", "--name", "State Fire Officer I", "--type", "class",
         "--hours", "40")  # fmt: skip
    record(dept, "olive@fd.org", "2025-03-10", 12, "officer")
    dept("--as-of", "2030-01-01", "record", "add", "olive@fd.org", "--course", "ST-FO1",
         "--date", "2021-04-01", "--hours", "40")  # fmt: skip
    _, rows = iso(dept, 2025, "2026-02-01")
    olive = rows[("Olive Officer", "ISO-OFFICER-CE")]
    assert (olive["status"], olive["certified"]) == ("met", True), olive


# ----------------------------------------------------------------------- new drivers
def test_a_new_driver_counts_only_the_training_of_their_candidacy(cli):
    """ISO-DRIVER-NEW (60 h once) is the new driver's: Dan was a driver candidate from 1
    March to 30 June 2024. The 2024 report counted every driver class on file, the 10 h
    he took as a firefighter in February and the 25 h of existing-driver training from 1
    July too: 75 h, met. It counts the 40 h of his candidacy, both end days in."""
    cli("--as-of", "2024-01-01", "import", "iso")
    cli("--as-of", "2024-01-01", "member", "add", "Dan Driver", "-e", "dd@x.org", "-b", "D1",
        "-p", "firefighter", "--hire-date", "2015-01-01")  # fmt: skip
    cli("--as-of", "2024-03-01", "member", "edit", "D1", "--add-position", "driver_candidate")
    cli("--as-of", "2024-07-01", "member", "edit", "D1", "--remove-position", "driver_candidate",
        "--add-position", "driver")  # fmt: skip
    for day, hours in (("2024-02-29", 10), ("2024-03-01", 30), ("2024-06-30", 10), ("2024-07-01", 25)):
        record(cli, "D1", day, hours, "driver", f"Pump ops {day}")
    items, rows = iso(cli, 2024, "2025-01-15")
    new, existing = rows[("Dan Driver", "ISO-DRIVER-NEW")], rows[("Dan Driver", "ISO-DRIVER-EXISTING")]
    assert (new["value"], new["target"], new["status"]) == (40, 60, "short"), new
    assert items["ISO-DRIVER-NEW"]["credit_percentage"] == round(100 * 40 / 60, 2)
    # the existing drivers' share (July to December) counts from the day he became one
    assert (existing["value"], existing["target"], existing["status"]) == (25, 6, "met"), existing
    # a year still running, during the candidacy: what he did as a candidate up to then
    _, rows = iso(cli, 2024, "2024-06-30")
    assert rows[("Dan Driver", "ISO-DRIVER-NEW")]["value"] == 40
    # and 2025, when he was no candidate, owes nothing of it
    _, rows = iso(cli, 2025, "2025-06-30")
    assert rows[("Dan Driver", "ISO-DRIVER-NEW")]["status"] == "not_applicable"


# --------------------------------------------------------------------------- recruits
def test_a_recruit_who_leaves_in_the_recruit_year_owes_the_share_served(cli):
    """Lee (hired 1 March 2025, gone from 1 September) and Kim (hired 1 March, gone from 2
    September) left short of 240 h: the report owed "none of the ISO year" for them, so a
    department whose recruits all left early showed no recruit item at all. A member who
    leaves part way through a window owes the months on whose first day they were a
    member (as a firefighter who retires in October owes January to September): Lee 6 of
    the 12 months (120 h), Kim 7 (140 h), in the report of the year they left."""
    cli("--as-of", "2024-01-01", "import", "iso")
    for badge, gone in (("L1", "2025-09-01"), ("K1", "2025-09-02")):
        cli("--as-of", "2025-03-01", "member", "add", f"Rec {badge}", "-e", f"{badge}@x.org", "-b",
            badge, "-p", "probationary", "--hire-date", "2025-03-01")  # fmt: skip
        record(cli, badge, "2025-04-15", 100, "recruit", "Academy")
        cli("--as-of", gone, "member", "edit", badge, "--status", "inactive")
    items, rows = iso(cli, 2025, "2026-01-15")
    lee, kim = rows[("Rec L1", "ISO-RECRUIT")], rows[("Rec K1", "ISO-RECRUIT")]
    assert (lee["status"], lee["value"], lee["target"], lee["months_owed"]) == ("short", 100, 120, "6 of 12"), lee
    assert (kim["status"], kim["value"], kim["target"], kim["months_owed"]) == ("short", 100, 140, "7 of 12"), kim
    item = items["ISO-RECRUIT"]
    assert (item["members"], item["met"], item["target_hours"]) == (2, 0, 260), item
    assert item["credit_percentage"] == round(100 * 200 / 260, 2)
    table = " ".join(cli("report", "iso", "--year", "2025", "--as-of", "2026-01-15").stdout.split())
    assert "Rec L1 │ ISO-RECRUIT │ 100 │ 120 h (6 of 12 months) │ │ short" in table, table
    # the year a recruit year would have closed in (2026) does not owe it again
    assert ("Rec L1", "ISO-RECRUIT") not in iso(cli, 2026, "2026-06-30")[1]


# --------------------------------------------------------------------------- editions
def test_a_figure_changed_in_the_year_is_named_with_the_days_it_was_in_force(cli, tmp_path):
    """The older edition (20 h a month of company training) imported with effect from 1
    July 2025: the year's report judged each month by the figure in force then (6 x 16 +
    6 x 20 = 216 h owed), but its title named the 1980 edition alone and its figure read
    "20 h a month (240 h a year)", beside 216 h owed. It names both editions and both
    figures, each with its days; a year with one figure is unchanged."""
    import json
    from pathlib import Path

    cli("--as-of", "2024-01-01", "import", "iso")
    doc = json.loads((Path(__file__).resolve().parents[1] / "registries" / "iso.json").read_text())
    doc["edition"] = "Fire Suppression Rating Schedule, 1980 edition"
    company = next(r for r in doc["requirements"] if r["registry_code"] == "ISO-COMPANY")
    company["required_hours"] = company["hour_categories"][0]["min_hours"] = 20
    f = tmp_path / "iso-1980.json"
    f.write_text(json.dumps(doc))
    cli("--as-of", "2025-07-01", "import", "registry", str(f), "--update")
    cli("--as-of", "2024-01-01", "member", "add", "Ann Lee", "--email", "ann@fd.org",
        "-p", "firefighter", "--hire-date", "2015-01-10")  # fmt: skip
    for month in range(1, 13):
        record(cli, "ann@fd.org", f"2025-{month:02d}-10", 16, "structural_firefighting", f"Drill {month}")
    data = cli("report", "iso", "--year", "2025", "--as-of", "2026-01-15", "-f", "json").json
    assert data["editions"] == [
        {"edition": "Fire Suppression Rating Schedule, 2012 edition", "from": None},
        {"edition": "Fire Suppression Rating Schedule, 1980 edition", "from": "2025-07-01"},
    ]  # fmt: skip
    said = "16 h a month (192 h a year) until 2025-06-30; 20 h a month (240 h a year) from 2025-07-01"
    item = next(i for i in data["items"] if i["item"] == "ISO-COMPANY")
    assert (item["figure"], item["target_hours"], item["hours"]) == (said, 216, 192), item
    (row,) = [r for r in data["rows"] if r["item"] == "ISO-COMPANY"]
    assert (row["figure"], row["periods_met"]) == (said, 6)
    hazmat = next(i for i in data["items"] if i["item"] == "ISO-HAZMAT")
    assert hazmat["figure"] == "6 h a year"
    table = " ".join(cli("report", "iso", "--year", "2025", "--as-of", "2026-01-15").stdout.split())
    assert ("ISO training 2025 (Fire Suppression Rating Schedule, 2012 edition; Fire Suppression "
            "Rating Schedule, 1980 edition from 2025-07-01)") in table, table  # fmt: skip
    # a year (or the part of one) with one figure names it alone
    for year, as_of, figure in (("2024", "2025-01-15", "16 h a month (192 h a year)"),
                                ("2025", "2025-06-30", "16 h a month (192 h a year)"),
                                ("2026", "2026-03-01", "20 h a month (240 h a year)")):  # fmt: skip
        data = cli("report", "iso", "--year", year, "--as-of", as_of, "-f", "json").json
        assert len(data["editions"]) == 1, (year, data["editions"])
        assert next(i for i in data["items"] if i["item"] == "ISO-COMPANY")["figure"] == figure, year
