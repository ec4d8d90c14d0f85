"""`requirement explain` of ISO company training shows the arithmetic `report iso` uses, and
who ISO's per-member items hold (the second review of session 33)."""

from __future__ import annotations

import re


def _company(cli, badge: str, day: str, hours: float) -> None:
    cli("record", "add", badge, "--course", "Company drill", "--category", "structural_firefighting",
        "--date", day, "--hours", str(hours))  # fmt: skip


def _iso_row(cli, year: str, as_of: str, member: str, item: str) -> dict:
    data = cli("report", "iso", "--year", year, "--as-of", as_of, "--format", "json").json
    return next(r for r in data["rows"] if r["member"] == member and r["item"] == item)


def test_explain_shows_the_hours_report_iso_counts_month_by_month_and_for_the_year(cli):
    """16 h a month, 10 h in March, 22 h + 4 h in December. Explain capped each month line
    at 16 h (the twelve added to 186 h), listed the December 4 h record under "Not counted
    ... no other category takes them", and said "192 of 192 h" for the year, while
    `report iso` shows 196 h done. Now a month line shows the hours done (26 of 16 h), a
    record that counts toward the year is counted, and the year line says what was done and
    what is credited."""
    cli("import", "iso")
    cli("member", "add", "Fire One", "--email", "f1@x.example", "--badge", "F-1",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    for month in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11):
        _company(cli, "F-1", f"2024-{month:02d}-10", 16)
    _company(cli, "F-1", "2024-03-10", 10)
    _company(cli, "F-1", "2024-12-10", 22)
    _company(cli, "F-1", "2024-12-20", 4)
    row = _iso_row(cli, "2024", "2024-12-31", "Fire One", "ISO-COMPANY")
    assert (row["value"], row["target"], row["status"]) == (196, 192, "met")

    text = cli("--as-of", "2024-12-31", "requirement", "explain", "F-1", "ISO-COMPANY").stdout
    assert "Not counted" not in text, text
    assert "no other category takes them" not in text, text
    assert "4 h: 4 h beyond this month's 16 h: counts toward the year's hours" in text, text
    assert "Year 2024-01-01 – 2024-12-31: 196 h done, 192 of 192 h credited = 100%" in text, text
    assert "  December 2024: 26 of 16 h\n" in text, text
    assert "  March 2024: 10 of 16 h (short)\n" in text, text
    months = [float(x) for x in re.findall(r"^  \w+ 2024: (\d+(?:\.\d+)?) of 16 h", text, re.M)]
    assert len(months) == 12 and sum(months) == row["value"], months

    facts = cli("--as-of", "2024-12-31", "requirement", "explain", "F-1", "ISO-COMPANY", "-f", "json").json["facts"]
    december = [f for f in facts if f["date"] >= "2024-12-01"]
    assert [(f["counted"], f["amount"]) for f in december] == [(True, 22), (True, 4)], december


def test_a_mid_year_hire_is_shown_the_hours_done_and_credited_and_no_pre_hire_record(cli):
    """Hired 15 May: 4 h on 10 May (before the hire), 8 h on 20 May, 120 h in June. Explain's
    year said "112 of 112 h" where `report iso` shows 120 h done; and the May window counted
    the record of 10 May that the year (and README) leave out."""
    cli("import", "iso")
    cli("member", "add", "Dee Newhire", "--email", "dee@x.example", "--badge", "F-4",
        "--position", "firefighter", "--hire-date", "2024-05-15")  # fmt: skip
    _company(cli, "F-4", "2024-05-10", 4)
    _company(cli, "F-4", "2024-05-20", 8)
    _company(cli, "F-4", "2024-06-16", 112)
    row = _iso_row(cli, "2024", "2024-12-31", "Dee Newhire", "ISO-COMPANY")
    assert (row["value"], row["target"]) == (120, 112)
    text = cli("--as-of", "2024-12-31", "requirement", "explain", "F-4", "ISO-COMPANY").stdout
    assert "Year 2024-05-15 – 2024-12-31: 120 h done, 112 of 112 h credited = 100%" in text, text
    assert "  June 2024: 112 of 16 h\n" in text, text
    assert "  Days of the year in no month owed: 8 h\n" in text, text

    may = cli("--as-of", "2024-05-31", "requirement", "explain", "F-4", "ISO-COMPANY", "-f", "json").json
    by_date = {f["date"]: f for f in may["facts"]}
    assert not by_date["2024-05-10"]["counted"], by_date
    assert "before the hire" in by_date["2024-05-10"]["reason"], by_date
    assert by_date["2024-05-20"]["counted"], by_date
    assert may["value"] == 8, may
    text = cli("--as-of", "2024-05-31", "requirement", "explain", "F-4", "ISO-COMPANY").stdout
    assert "8 h of 16 h structural_firefighting = 8 h of 16 h = 50%" in text, text
    assert "Year 2024-05-15 – 2024-12-31: 8 of 112 h" in text, text


def test_report_iso_says_what_met_means(cli):
    cli("import", "iso")
    cli("member", "add", "Fire One", "--email", "f1@x.example", "--badge", "F-1",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    text = " ".join(cli("report", "iso", "--year", "2024", "--as-of", "2024-12-31").stdout.split())
    assert "Met: the members whose hours reach what they owed (a monthly item: the year's hours " \
           "against the year's figure, whichever month they fell in; not every month met)" in text, text


FIRE_ITEMS = ("ISO-COMPANY", "ISO-FACILITY", "ISO-HAZMAT")
FIRE = ["firefighter", "probationary", "driver", "driver_candidate", "officer", "chief_officer",
        "aerial_operator"]  # fmt: skip


def _members(cli, as_of: str) -> None:
    cli("--as-of", as_of, "member", "add", "Fire One", "--email", "f1@x.example", "--badge", "F-1",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", as_of, "member", "add", "Eve Ems", "--email", "eve@x.example", "--badge", "E-9",
        "--position", "emt", "--hire-date", "2020-01-01")  # fmt: skip
    for month in range(1, 13):
        _company(cli, "F-1", f"2024-{month:02d}-10", 16)


def test_the_iso_items_for_everyone_hold_the_fire_positions_not_ems_staff(cli):
    """ISO's figures are per member of the fire companies: an EMT-only member (a
    combination department's EMS staff) was charged 192 h of structural firefighting,
    halving the company credit."""
    cli("import", "iso")
    _members(cli, "2024-01-01")
    data = cli("report", "iso", "--year", "2024", "--as-of", "2024-12-31", "--format", "json").json
    for r in data["rows"]:
        if r["member"] == "Eve Ems":
            assert r["status"] == "not_applicable", r
    items = {i["item"]: i for i in data["items"]}
    assert (items["ISO-COMPANY"]["members"], items["ISO-COMPANY"]["credit_percentage"]) == (1, 100)
    for code in FIRE_ITEMS:
        shown = cli("requirement", "show", code, "--format", "json").json
        assert shown["required_positions"] == FIRE, shown


def test_an_update_from_a_file_that_held_everyone_is_dated_and_keeps_last_years_report(cli, tmp_path):
    """A database that imported the earlier iso.json (the three items for everyone) takes
    the fire positions with `import iso --update`. Within one edition an update reached
    every past report, so last year's report changed under the chief's feet (2 members,
    50% company credit, became 1 member, 100%); now the positions are dated from the
    import's day, in the requirement's history."""
    import json

    from trainctl.services.registry import registry_path

    old = json.loads(registry_path("iso").read_text())
    for entry in old["requirements"]:
        if entry["registry_code"] in FIRE_ITEMS:
            entry["required_positions"] = []
    older = tmp_path / "iso-older.json"
    older.write_text(json.dumps(old))
    cli("--as-of", "2024-01-01", "import", "registry", str(older))
    _members(cli, "2024-01-01")
    before = cli("report", "iso", "--year", "2024", "--as-of", "2024-12-31", "--format", "json").json
    items = {i["item"]: i for i in before["items"]}
    assert (items["ISO-COMPANY"]["members"], items["ISO-COMPANY"]["credit_percentage"]) == (2, 50)

    out = cli("--as-of", "2025-03-01", "import", "iso", "--update")
    assert "3 apply to other positions from 2025-03-01: reports of earlier days judge them " \
           "as they stood before" in " ".join(out.stderr.split()), out
    after = cli("report", "iso", "--year", "2024", "--as-of", "2024-12-31", "--format", "json").json
    assert after == before
    shown = cli("requirement", "show", "ISO-COMPANY", "--format", "json").json
    assert shown["required_positions"] == FIRE
    assert [(h["in_force_until"], h["required_positions"]) for h in shown["history"]] == [("2025-02-28", [])]
    # from the import's day on, the EMS member is held to none of the three
    cell = cli("report", "compliance", "--member", "E-9", "--requirement", "ISO-HAZMAT",
               "--as-of", "2025-12-31", "--format", "json").json["cells"]  # fmt: skip
    assert [c["status"] for c in cell] == ["not_applicable"], cell
    # importing it again changes nothing
    again = cli("--as-of", "2025-03-02", "import", "iso", "--update")
    assert "0 updated" in again.stderr, again


def test_report_iso_to_date_says_what_a_mid_year_hire_owes_so_far(cli):
    """Hired 15 May, as of 30 June: company training's "16 h (7 of 12 months)" read as
    seven months owed; 16 h is the one month owed so far of the seven."""
    cli("import", "iso")
    cli("member", "add", "Dee Newhire", "--email", "dee@x.example", "--badge", "F-4",
        "--position", "firefighter", "--hire-date", "2024-05-15")  # fmt: skip
    _company(cli, "F-4", "2024-06-16", 16)
    text = cli("report", "iso", "--year", "2024", "--as-of", "2024-06-30").stdout
    (line,) = [x for x in text.splitlines() if "Dee" in x and "ISO-COMPANY" in x]
    assert "16 h (1 month so far of 7)" in line, text
    (line,) = [x for x in text.splitlines() if "Dee" in x and "ISO-HAZMAT" in x]
    assert "3.5 h (7 of 12 months)" in line, text  # an annual item: the year's share
    text = cli("report", "iso", "--year", "2024", "--as-of", "2024-12-31").stdout
    (line,) = [x for x in text.splitlines() if "Dee" in x and "ISO-COMPANY" in x]
    assert "112 h (7 of 12 months)" in line, text


def test_report_iso_names_a_recruit_year_still_open_that_counts_later(cli):
    """A recruit hired in June 2024 with 200 h by December: the year's table showed
    ISO-RECRUIT "0 members, 0 h" and nothing else."""
    cli("import", "iso")
    cli("member", "add", "Rob Recruit", "--email", "rob@x.example", "--badge", "R-1",
        "--position", "probationary", "--hire-date", "2024-06-01")  # fmt: skip
    for month in range(6, 11):
        cli("record", "add", "R-1", "--course", "Academy", "--category", "recruit",
            "--date", f"2024-{month:02d}-10", "--hours", "40")  # fmt: skip
    data = cli("report", "iso", "--year", "2024", "--as-of", "2024-12-31", "--format", "json").json
    recruit = next(i for i in data["items"] if i["item"] == "ISO-RECRUIT")
    assert (recruit["members"], recruit["hours"], recruit["open"], recruit["open_hours"]) == (0, 0, 1, 200)
    text = " ".join(cli("report", "iso", "--year", "2024", "--as-of", "2024-12-31").stdout.split())
    assert "ISO-RECRUIT: 1 member still within the item's span on 2024-12-31, 200 h so far, is " \
           "in no total above: counted in a later year's report" in text, text
    data = cli("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "--format", "json").json
    recruit = next(i for i in data["items"] if i["item"] == "ISO-RECRUIT")
    assert (recruit["members"], recruit["hours"], recruit["open"]) == (1, 200, 0)


def _cards(cli) -> None:
    cli("import", "nremt")
    cli("member", "add", "Dee Newhire", "--email", "dee@x.example", "--badge", "F-4",
        "--position", "firefighter,emt", "--hire-date", "2020-05-15")  # fmt: skip
    cli("member", "add", "Ann Chief", "--email", "ann@x.example", "--badge", "A-1",
        "--position", "firefighter,officer", "--hire-date", "2010-03-01")  # fmt: skip
    cli("cert", "add", "F-4", "CPR-BLS", "--issued", "2023-01-10", "--expires", "2025-01-31")
    cli("cert", "add", "A-1", "CPR-BLS", "--issued", "2023-01-20", "--expires", "2025-01-20")


def test_the_compliance_summary_points_at_a_command_listing_exactly_its_cards(cli):
    """The CPR-BLS summary counted 1 card running out and pointed at `report expiring
    --within 30`, which listed 2: the other of a member CPR-BLS does not hold (an officer,
    no EMS position). The pointer names the requirement; the JSON summary has the count."""
    import shlex

    _cards(cli)
    line = cli("--as-of", "2025-01-05", "report", "compliance", "--requirement", "CPR-BLS").stderr
    assert "2 met" not in line and "1 runs out within 30 days" in line, line
    (command,) = [p for p in line.split("`") if p.startswith("trainctl ")]
    words = shlex.split(command)
    assert words == ["trainctl", "--as-of", "2025-01-05", "report", "expiring", "--within", "30",
                     "--requirement", "CPR-BLS"], words  # fmt: skip
    rows = cli(*words[1:], "--format", "json").json
    assert [(r["member"], r["expires_on"]) for r in rows] == [("Dee Newhire", "2025-01-31")]
    # without it, every active member's card, as before
    every = cli("--as-of", "2025-01-05", "report", "expiring", "--within", "30", "-f", "json").json
    assert len(every) == 2
    data = cli("--as-of", "2025-01-05", "report", "compliance", "-r", "CPR-BLS", "-f", "json").json
    assert [s["runs_out"] for s in data["summary"]] == [1]
    r = cli("--as-of", "2025-01-05", "report", "expiring", "--requirement", "NREMT-EMT", ok=False)
    # ("is an hours requirement", not "is a hours requirement")
    assert r.exit_code == 2 and "is an hours requirement: no card holds it" in r.stderr, r


def test_report_expiring_says_when_it_leaves_out_an_inactive_members_card(cli):
    """"No certification expires within 30 days" while a retired member's card did."""
    _cards(cli)
    cli("--as-of", "2024-12-01", "member", "deactivate", "A-1")
    r = cli("--as-of", "2025-01-05", "report", "expiring", "--within", "20")
    assert "No certification expires within 20 days of 2025-01-05 (1 card of a member not " \
           "active on 2025-01-05 is left out)." in " ".join(r.stderr.split()), r
    r = cli("--as-of", "2025-01-05", "report", "expiring", "--within", "30")
    assert "Dee Newhire" in r.stdout and "Ann" not in r.stdout, r
    assert "1 card of a member not active on 2025-01-05 is left out" in " ".join(r.stderr.split()), r
    r = cli("--as-of", "2025-01-05", "report", "expiring", "--within", "5")
    assert "left out" not in r.stderr, r  # (only when one is)


def test_report_nremt_before_the_hire_shows_the_components_and_its_csv_the_totals(cli):
    """A day before the hire the worksheet printed an empty Components table; the CSV
    carried only the records' hours (not the cycle, the components, required/counted or
    the status the JSON has)."""
    cli("import", "nremt")
    cli("member", "add", "Cal Medic", "--email", "cal@x.example", "--badge", "M-3",
        "--position", "emt", "--hire-date", "2024-05-15", "--certification-date", "2024-04-20")  # fmt: skip
    text = cli("--as-of", "2024-05-01", "report", "nremt", "M-3").stdout
    for comp in ("national", "local", "individual"):
        assert f"│ {comp}" in text, text
    assert "airway 0/1.5" in text, text
    cli("record", "add", "M-3", "--course", "Cardiology", "--category", "national/cardiovascular",
        "--date", "2024-06-01", "--hours", "4")  # fmt: skip
    import csv
    import io

    got = list(csv.DictReader(io.StringIO(cli("--as-of", "2024-12-31", "report", "nremt", "M-3", "-f", "csv").stdout)))
    data = cli("--as-of", "2024-12-31", "report", "nremt", "M-3", "-f", "json").json
    (record,) = [r for r in got if r["total"] == "no"]
    assert (record["date"], record["hours"], record["counted_hours"]) == ("2024-06-01", "4", "4")
    totals = [r for r in got if r["total"] == "yes"]
    assert [(r["category"], r["counted_hours"], r["minimum"]) for r in totals] == [
        ("national", "4", "20"), ("local", "0", "10"), ("individual", "0", "10"), ("", "4", "40"),
    ]  # fmt: skip
    assert totals[-1]["status"] == data["status"] and totals[-1]["short"] == "36"
    assert {(r["cycle_start"], r["cycle_end"]) for r in totals} == {(data["cycle_start"], data["cycle_end"])}
