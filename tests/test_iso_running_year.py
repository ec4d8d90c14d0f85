"""`report iso --year` in a year still running (session 34): the report marked an annual
item "short" in June, where `report compliance` for the same member and item said "not yet
due". An item below its figure is short once its window has closed (the year, as of its
last day or later; a monthly item's month that ended short); until then it reads as the
compliance report reads the same cell. Real SQLite files, the real CLI."""

from __future__ import annotations

import pytest


@pytest.fixture
def dept(cli):
    # the schedule entered the year before: 2025's windows are the requirements' own
    cli("--as-of", "2025-01-01", "import", "iso")
    for name, email in (("Half Hazmat", "half@fd.org"), ("Every Month", "every@fd.org"),
                        ("Skipped May", "may@fd.org"), ("Short Last Year", "last@fd.org")):
        cli("--as-of", "2025-01-01", "member", "add", name, "--email", email, "--position",
            "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    return cli


def record(cli, member: str, day: str, hours: float, category: str) -> None:
    cli("--as-of", "2030-01-01", "record", "add", member, "--course", f"{category} class", "--date",
        day, "--hours", str(hours), "--type", "class", "--category", category)  # fmt: skip


def iso(cli, as_of: str, year: int = 2026) -> tuple[dict, dict]:
    data = cli("report", "iso", "--year", str(year), "--as-of", as_of, "-f", "json").json
    return {i["item"]: i for i in data["items"]}, {(r["member"], r["item"]): r for r in data["rows"]}


def compliance(cli, as_of: str) -> dict:
    data = cli("report", "compliance", "--as-of", as_of, "-f", "json").json
    return {(c["member"], c["requirement"].partition(" — ")[0]): c["status"] for c in data["cells"]}


def test_an_annual_item_half_done_in_june_reads_as_compliance_reads_it(dept, snapshot):
    """3 of hazmat's 6 h by 15 June 2026 was "short" in the ISO report and "not yet due"
    in the compliance report; it is not yet due in both, still counted in the item's
    totals (owed 6 h, credited 50% so far), and due soon in December as compliance says."""
    record(dept, "half@fd.org", "2025-03-10", 6, "hazmat")  # 2025 met: nothing held over
    record(dept, "half@fd.org", "2026-03-10", 3, "hazmat")
    items, rows = iso(dept, "2026-06-15")
    half = rows[("Half Hazmat", "ISO-HAZMAT")]
    assert (half["value"], half["target"], half["percentage"], half["status"]) == (3, 6, 50, "not_yet_due")
    assert compliance(dept, "2026-06-15")[("Half Hazmat", "ISO-HAZMAT")] == "not_yet_due"
    hazmat = items["ISO-HAZMAT"]  # four members, each owes the year's 6 h
    assert (hazmat["members"], hazmat["met"], hazmat["target_hours"]) == (4, 0, 24)
    before = snapshot()
    table = " ".join(dept("report", "iso", "--year", "2026", "--as-of", "2026-06-15").stdout.split())
    line = next(x for x in dept("report", "iso", "--year", "2026", "--as-of", "2026-06-15").stdout
                .splitlines() if "Half Hazmat" in x and "ISO-HAZMAT" in x)  # fmt: skip
    assert "not yet due" in line and "short" not in line, line
    assert "Met so far" in table and "Credit so far" in table, table
    assert "short once the year has closed short" in table, table
    csv = dept("report", "iso", "--year", "2026", "--as-of", "2026-06-15", "-f", "csv").stdout
    assert "Half Hazmat,ISO-HAZMAT,Hazardous materials training,6 h a year,3,6,h,50,not_yet_due," in csv
    assert snapshot() == before  # a report writes nothing
    # within the compliance report's 30 days of the year's end: due soon, in both
    assert iso(dept, "2026-12-10")[1][("Half Hazmat", "ISO-HAZMAT")]["status"] == "due_soon"
    assert compliance(dept, "2026-12-10")[("Half Hazmat", "ISO-HAZMAT")] == "due_soon"


@pytest.mark.parametrize("as_of", ["2026-12-31", "2027-01-01", "2027-03-01"])
def test_a_closed_year_below_its_figure_is_short(dept, as_of):
    """As of the year's last day, or any later day, the year has closed: short."""
    record(dept, "half@fd.org", "2026-03-10", 3, "hazmat")
    items, rows = iso(dept, as_of)
    assert rows[("Half Hazmat", "ISO-HAZMAT")]["status"] == "short"
    assert (items["ISO-HAZMAT"]["members"], items["ISO-HAZMAT"]["met"]) == (4, 0)
    text = dept("report", "iso", "--year", "2026", "--as-of", as_of).stdout
    assert "so far" not in text.split("Per member")[0], text  # a complete year: no "so far"


def test_a_month_that_ended_short_is_short_and_the_month_running_is_not(dept):
    """Company training (16 h a month) as of 15 June: a member who trained every month to
    May and not yet in June is due soon (June ends in 15 days), as compliance says; one who
    skipped May ended a month short: short (compliance: overdue), as is one with no company
    training all year. On 1 June, May has ended; on 31 May it had not."""
    for month in range(1, 6):
        record(dept, "every@fd.org", f"2026-{month:02d}-05", 16, "structural_firefighting")
        if month < 5:
            record(dept, "may@fd.org", f"2026-{month:02d}-05", 16, "structural_firefighting")
    _, rows = iso(dept, "2026-06-15")
    status = {m: rows[(m, "ISO-COMPANY")]["status"] for m in ("Every Month", "Skipped May", "Half Hazmat")}
    assert status == {"Every Month": "due_soon", "Skipped May": "short", "Half Hazmat": "short"}
    said = compliance(dept, "2026-06-15")
    assert said[("Every Month", "ISO-COMPANY")] == "due_soon"
    assert said[("Skipped May", "ISO-COMPANY")] == "overdue"
    assert iso(dept, "2026-05-31")[1][("Skipped May", "ISO-COMPANY")]["status"] == "short"  # on its last day
    assert iso(dept, "2026-05-20")[1][("Skipped May", "ISO-COMPANY")]["status"] == "due_soon"
    table = dept("report", "iso", "--year", "2026", "--as-of", "2026-06-15").stdout
    (line,) = [x for x in table.splitlines() if "Every Month" in x and "ISO-COMPANY" in x]
    assert "due soon" in line and "5 of 6" in line, line


def test_an_annual_item_after_a_year_closed_short_reads_overdue_as_compliance(dept):
    """Short of 2025's 6 h hazmat and 2 h into 2026's: compliance says overdue (the
    previous window closed short); the 2026 report says so too, not "short" of a year
    still running, and the 2025 report says short."""
    record(dept, "last@fd.org", "2025-04-01", 2, "hazmat")
    record(dept, "last@fd.org", "2026-04-01", 2, "hazmat")
    assert compliance(dept, "2026-06-15")[("Short Last Year", "ISO-HAZMAT")] == "overdue"
    assert iso(dept, "2026-06-15")[1][("Short Last Year", "ISO-HAZMAT")]["status"] == "overdue"
    assert iso(dept, "2026-06-15", year=2025)[1][("Short Last Year", "ISO-HAZMAT")]["status"] == "short"
    line = next(x for x in dept("report", "iso", "--year", "2026", "--as-of", "2026-06-15").stdout
                .splitlines() if "Short Last Year" in x and "ISO-HAZMAT" in x)  # fmt: skip
    assert "OVERDUE" in line, line


def test_the_demo_year_to_date_never_contradicts_the_compliance_report(cli, demo_db):
    """On the demo's day (2 June 2025), every cell of an annual or monthly item the ISO
    report does not call met or short reads as the compliance report's cell, and no annual
    item is short before the year has closed."""
    day = "2025-06-02"
    data = cli("--db", demo_db, "report", "iso", "--year", "2025", "--as-of", day, "-f", "json").json
    said = {(c["member"], c["requirement"].partition(" — ")[0]): c["status"] for c in
            cli("--db", demo_db, "report", "compliance", "--as-of", day, "-f", "json").json["cells"]}  # fmt: skip
    annual = {"ISO-FACILITY", "ISO-HAZMAT", "ISO-DRIVER-EXISTING"}
    rows = [r for r in data["rows"] if r["item"] in annual and r["status"] != "not_applicable"]
    assert rows and not [r for r in rows if r["status"] == "short"], rows
    waiting = [r for r in data["rows"] if r["item"] in annual | {"ISO-COMPANY", "ISO-DRIVER-NEW"}
               and r["status"] in ("not_yet_due", "due_soon", "overdue")]  # fmt: skip
    assert waiting
    for r in waiting:
        assert said[(r["member"], r["item"])] == r["status"], r


def test_a_new_driver_short_of_60_h_in_a_year_still_running_reads_overdue_as_compliance(dept):
    """The new driver's 60 h (one time, no span of its own: owed each year until done),
    40 h done by June: `report compliance` said overdue, and the 2026 report, to 15 June,
    said "short", though its own legend says short only once the year has closed. It
    reads overdue, as compliance; as of 31 December the year has closed: short."""
    dept("--as-of", "2025-01-01", "member", "add", "New Driver", "--email", "nd@fd.org",
         "--position", "firefighter,driver_candidate", "--hire-date", "2020-01-01")  # fmt: skip
    record(dept, "nd@fd.org", "2026-03-10", 40, "driver")
    assert compliance(dept, "2026-06-15")[("New Driver", "ISO-DRIVER-NEW")] == "overdue"
    items, rows = iso(dept, "2026-06-15")
    row = rows[("New Driver", "ISO-DRIVER-NEW")]
    assert (row["value"], row["target"], row["status"]) == (40, 60, "overdue"), row
    assert (items["ISO-DRIVER-NEW"]["members"], items["ISO-DRIVER-NEW"]["met"]) == (1, 0)
    line = next(x for x in dept("report", "iso", "--year", "2026", "--as-of", "2026-06-15").stdout
                .splitlines() if "New Driver" in x and "ISO-DRIVER-NEW" in x)  # fmt: skip
    assert "OVERDUE" in line and "short" not in line, line
    assert iso(dept, "2026-12-31")[1][("New Driver", "ISO-DRIVER-NEW")]["status"] == "short"
    assert iso(dept, "2027-03-01", year=2025)[1][("New Driver", "ISO-DRIVER-NEW")]["status"] == "short"


def test_a_candidacy_that_ended_short_in_a_year_still_running_is_short(dept):
    """A candidate made driver on 1 May with 40 of the 60 h: the candidacy has closed
    short (what follows it never counts toward it), so the 2026 report to 15 June says
    short, though the year runs on; before the promotion, overdue, as compliance said."""
    dept("--as-of", "2025-01-01", "member", "add", "Made Driver", "--email", "md@fd.org",
         "--position", "firefighter,driver_candidate", "--hire-date", "2020-01-01")  # fmt: skip
    record(dept, "md@fd.org", "2026-03-10", 40, "driver")
    dept("--as-of", "2026-05-01", "member", "edit", "md@fd.org", "--remove-position",
         "driver_candidate", "--add-position", "driver")  # fmt: skip
    assert iso(dept, "2026-04-15")[1][("Made Driver", "ISO-DRIVER-NEW")]["status"] == "overdue"
    row = iso(dept, "2026-06-15")[1][("Made Driver", "ISO-DRIVER-NEW")]
    assert (row["value"], row["target"], row["status"]) == (40, 60, "short"), row


def test_a_member_who_owes_the_whole_year_shows_the_months_so_far_beside_the_figure(dept):
    """To 15 June, company training owes a member of the whole year 6 months (96 h): the
    per-member table said a bare "96 h" beside the item's "16 h a month (192 h a year)",
    where a recruit's row said "32 h (2 months so far of 8)". It says "96 h (6 months so
    far of 12)"; the closed year's row says "192 h", as before."""
    record(dept, "every@fd.org", "2026-01-05", 16, "structural_firefighting")
    table = dept("report", "iso", "--year", "2026", "--as-of", "2026-06-15").stdout
    (line,) = [x for x in table.splitlines() if "Every Month" in x and "ISO-COMPANY" in x]
    assert "96 h (6 months so far of 12)" in " ".join(line.split()), line
    closed = dept("report", "iso", "--year", "2026", "--as-of", "2026-12-31").stdout
    (line,) = [x for x in closed.splitlines() if "Every Month" in x and "ISO-COMPANY" in x]
    assert "192 h" in line and "so far" not in line, line
