"""One "what counts" rule for compliance and program progress (issue 9 with issue 8:
"what counts is explicit on the requirement"; domain/credit.py `credit_of`).

An hours requirement takes the records it names (`--counts-*`) and those whose category
falls within one of its hour categories (NREMT NCCP national / local / individual, ISO
company training's structural_firefighting); one naming nothing takes nothing, in
`report compliance` and in the credit feed alike, and `requirement explain` says how to
name what counts. The same records on the same requirement give the same figure in both.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from trainctl.domain import compliance as dcm
from trainctl.domain import credit as dc

AS_OF = "2026-01-15"
RECORDS = [  # (course, hours, category, topic)
    ("Airway", 1.5, "national", "airway"),
    ("Cardio", 6, "national", "cardiovascular"),
    ("Trauma", 1, "national", "trauma"),
    ("Protocols", 4, "local", None),
    ("Elective", 3, "individual", None),
    ("Company drill", 9, "structural_firefighting", None),  # no NCCP component: never counts
]


@pytest.fixture
def eve(cli):
    cli("import", "nremt")
    cli("member", "add", "Eve Emt", "--email", "eve@fd.org", "--position", "emt",
        "--hire-date", "2015-01-10")  # fmt: skip
    cli("--as-of", "2030-01-01", "cert", "add", "eve@fd.org", "NREMT-EMT", "--issued",
        "2025-04-01", "--expires", "2027-03-31")  # fmt: skip
    # one-time (the whole history), naming nothing it counts
    cli("requirement", "add", "--name", "Protocol review", "--type", "hours", "--hours", "2")
    cli("program", "create", "EMT Recert", "--time-limit-days", "730")
    cli("program", "requirement", "add", "EMT Recert", "NREMT-EMT")
    cli("program", "requirement", "add", "EMT Recert", "Protocol review")
    cli("program", "activate", "EMT Recert")
    cli("--as-of", "2025-04-01", "enroll", "add", "eve@fd.org", "EMT Recert")
    for n, (course, hours, category, topic) in enumerate(RECORDS):
        extra = ["--topic", topic] if topic else []
        cli("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", course,
            "--date", f"2025-05-{n + 1:02d}", "--hours", str(hours), "--category", category,
            *extra)  # fmt: skip
    return cli


def cell(cli, requirement: str) -> dict:
    return cli("report", "compliance", "--member", "eve@fd.org", "--requirement", requirement,
               "--as-of", AS_OF, "--format", "json").json["cells"][0]  # fmt: skip


def compliance(cli, requirement: str) -> float:
    return cell(cli, requirement)["value"]


def progress(cli, requirement: str) -> float:
    rid = cell(cli, requirement)["requirement_id"]
    lines = cli("enroll", "show", "1", "--format", "json").json["requirements"]
    (line,) = [x for x in lines if x["requirement_id"] == rid]
    return line["value"]


def test_an_nccp_row_fills_from_records_in_both_and_they_agree(eve):
    # national 1.5 airway + 6 cardiovascular + 1 trauma, local 4, individual 3; the
    # company drill is in no NCCP component
    value = compliance(eve, "NREMT-EMT")
    assert value == pytest.approx(15.5)
    assert progress(eve, "NREMT-EMT") == pytest.approx(value)
    e = eve("requirement", "explain", "eve@fd.org", "NREMT-EMT", "--as-of", AS_OF, "--format",
            "json").json  # fmt: skip
    codes = {f["what"].split(" ", 1)[1]: f["code"] for f in e["facts"]}
    assert codes["Company drill"] == "not_counted_here"
    assert sum(1 for c in codes.values() if c == "counted") == 5


def test_a_requirement_naming_nothing_counts_nothing_in_both_and_says_how_to_fix(eve):
    assert compliance(eve, "Protocol review") == 0
    assert progress(eve, "Protocol review") == 0
    out = eve("requirement", "explain", "eve@fd.org", "Protocol review", "--as-of", AS_OF).stdout
    assert "names nothing it counts" in out
    assert "trainctl requirement edit 'Protocol review' --counts-category" in out
    # naming what counts re-credits the program row, and compliance follows at once
    # (a correction: dated before the records, so that the report of AS_OF follows it too;
    # a change from today would leave that day judged as it stood, tests/test_requirement_history.py)
    eve("requirement", "edit", "Protocol review", "--counts-category", "local", "--effective", "2020-01-01")
    assert compliance(eve, "Protocol review") == 4  # local 4 h (no target cap on the value)
    assert progress(eve, "Protocol review") == compliance(eve, "Protocol review")


def _req(**kw):
    base = {
        "requirement_type": "hours", "required_shifts": None, "required_calls": None,
        "checklist_items": [], "required_hours": 40, "name": "NCCP", "frequency": "biennial",
        "period_anchor": "calendar", "counts_courses": [], "counts_training_types": [],
        "counts_categories": [], "counts_call_types": [], "counts_attendance": False,
        "required_skills": [], "required_courses": [], "credential_code": None,
        "hour_categories": [],
    }  # fmt: skip
    return SimpleNamespace(**{**base, **kw})


def _fact(category, topic=None, hours=2.0):
    from datetime import date

    return dc.Fact("training_record", "1", 1, date(2025, 5, 1), hours=hours,
                   category=category, topic=topic)  # fmt: skip


@pytest.mark.parametrize(
    ("category", "topic", "takes"),
    [
        ("national", "airway", True), ("NATIONAL ", None, True), ("national/airway", None, True),
        ("local", None, True), ("individual", None, True), ("structural_firefighting", None, False),
        (None, "airway", False), (None, None, False),
    ],
)  # fmt: skip
def test_hour_categories_name_what_falls_within_them(category, topic, takes):
    nccp = _req(hour_categories=[{"name": "national", "topics": [{"name": "airway"}]},
                                 {"name": "local"}, {"name": "individual"}])  # fmt: skip
    acc = dc.Accepts.of(nccp)
    assert acc.takes_anything and not acc.names_nothing
    assert (dc.credit_of(_fact(category, topic), acc) is not None) is takes
    # the compliance evaluator asks the same function
    spec = dcm.RequirementSpec.of(nccp)
    fact = dcm.Fact("training", 1, _fact(category).on, 2.0, category=category, topic=topic)
    assert spec.counts(fact) is takes


def test_naming_nothing_takes_nothing_and_the_hint_names_the_options():
    acc = dc.Accepts.of(_req())
    assert acc.names_nothing and not acc.takes_anything
    assert dc.credit_of(_fact("anything"), acc) is None
    for option in ("--counts-category", "--counts-type", "--counts-course", "--counts-attendance"):
        assert option in dc.FIX_HINT
    # a change of hour categories is a change of what counts (requirement edit re-credits)
    assert dc.Accepts.of(_req(hour_categories=[{"name": "local"}])) != acc


def test_a_record_marked_not_passed_counts_in_neither(eve):
    """'Only completed records count, and not one marked passed = no' (README): the hours
    of a failed attempt counted in compliance while program progress left them out."""
    before = compliance(eve, "NREMT-EMT")
    eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", "Medical", "--date",
        "2025-05-20", "--hours", "6", "--category", "national", "--topic", "medical", "--not-passed")  # fmt: skip
    assert compliance(eve, "NREMT-EMT") == pytest.approx(before)
    assert progress(eve, "NREMT-EMT") == pytest.approx(before)
    e = eve("requirement", "explain", "eve@fd.org", "NREMT-EMT", "--as-of", AS_OF, "--format",
            "json").json  # fmt: skip
    assert {f["code"] for f in e["facts"] if "Medical" in f["what"]} == {"not_passed"}


def test_one_course_counts_once_per_cycle_in_both(eve):
    """NREMT: a course counts once per recertification cycle. Compliance rejected a repeat
    while program progress counted it again (the origin's two calculators that disagreed);
    a course named freely is one course whatever its case and spacing; voiding the one that
    counted puts the repeat in its place, in both."""
    before = compliance(eve, "NREMT-EMT")
    for day, name in (("2025-05-20", "Grand rounds"), ("2025-05-21", "grand  ROUNDS")):
        r = eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", name, "--date", day,
                "--hours", "2", "--category", "local")  # fmt: skip
    assert "a repeat of 'Grand rounds' (counted on 2025-05-20)" in r.stderr, r
    assert compliance(eve, "NREMT-EMT") == pytest.approx(before + 2)
    assert progress(eve, "NREMT-EMT") == pytest.approx(before + 2)
    e = eve("requirement", "explain", "eve@fd.org", "NREMT-EMT", "--as-of", AS_OF, "--format",
            "json").json  # fmt: skip
    assert [f["code"] for f in e["facts"] if "rounds" in f["what"].casefold()] == [
        "counted", "repeat_in_cycle"]
    shown = eve("enroll", "show", "1", "--format", "json").json["requirements"]
    lost = [x for line in shown if line.get("allocation") for x in line["allocation"]["not_counted"]]
    assert [(x["hours"], x["reason"]) for x in lost] == [(2, "repeat_in_cycle")], lost
    (first,) = [f["id"] for f in e["facts"] if f["code"] == "counted" and "Grand" in f["what"]]
    eve("--as-of", "2025-06-01", "record", "void", str(first), "--reason", "entered twice")
    assert compliance(eve, "NREMT-EMT") == pytest.approx(before + 2)
    assert progress(eve, "NREMT-EMT") == pytest.approx(before + 2)


def test_a_topic_written_with_its_category_counts_toward_the_nccp(eve, snapshot):
    """'national/cardiovascular' in the Topic column (as `report nremt` writes it) is the
    category national and the topic cardiovascular: it counted toward a --counts-category
    requirement but toward no NCCP component ('?/national/cardiovascular'). A topic that
    names another category than the record's is refused; a topic alone is told to name
    its category."""
    before = compliance(eve, "NREMT-EMT")
    eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", "Cardio lab", "--date",
        "2025-05-22", "--hours", "2", "--topic", "national/cardiovascular")  # fmt: skip
    assert compliance(eve, "NREMT-EMT") == pytest.approx(before + 2)
    assert progress(eve, "NREMT-EMT") == pytest.approx(before + 2)
    shown = eve("record", "list", "--format", "json").json
    (lab,) = [r for r in shown if r["course_name"] == "Cardio lab"]
    assert (lab["category"], lab["topic"]) == ("national", "cardiovascular")
    state = snapshot()
    r = eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", "Cardio lab 2", "--date",
            "2025-05-23", "--hours", "2", "--topic", "national/cardiovascular", "--category", "local", ok=False)  # fmt: skip
    assert r.exit_code == 65 and "names category 'national' but the category is 'local'" in r.stderr, r
    assert snapshot() == state
    eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", "Trauma lab", "--date",
        "2025-05-24", "--hours", "2", "--topic", "trauma")  # fmt: skip
    out = eve("requirement", "explain", "eve@fd.org", "NREMT-EMT", "--as-of", AS_OF).stdout
    assert "the record has a topic but no category (e.g. national/trauma)" in out, out


def test_a_cycle_edit_remeasures_program_progress(cli):
    """Whether one course counts once follows the requirement's cycle (an NCCP level's, or
    a copy's with its NREMT card): an edit that changes it re-measures the program rows,
    as compliance follows at once."""
    cli("import", "nremt")
    cli("requirement", "add", "--from", "NREMT-EMT", "--name", "Dept EMT")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "emt",
        "--certification-date", "2024-05-15")  # fmt: skip
    cli("program", "create", "P")
    cli("program", "requirement", "add", "P", "Dept EMT")
    cli("program", "activate", "P")
    cli("--as-of", "2025-01-01", "enroll", "add", "ann@fd.org", "P")
    for day, name, hours in (("2025-02-01", "Peds", "2"), ("2025-02-15", "PEDS ", "3")):
        cli("--as-of", "2025-03-01", "record", "add", "ann@fd.org", "--course", name, "--date", day,
            "--hours", hours, "--category", "national/medical")  # fmt: skip

    def both() -> tuple[float, float]:
        c = cli("report", "compliance", "--member", "ann@fd.org", "--requirement", "Dept EMT",
                "--as-of", "2025-03-01", "--format", "json").json["cells"][0]["value"]  # fmt: skip
        (line,) = cli("enroll", "show", "1", "--format", "json").json["requirements"]
        return c, line["value"]

    assert both() == (2, 2)
    # corrections, dated before the records: the report as of 2025-03-01 follows them too
    cli("requirement", "edit", "Dept EMT", "--cycle-credential", "STATE-EMT", "--effective", "2024-01-01")
    assert both() == (5, 5)
    cli("requirement", "edit", "Dept EMT", "--cycle-credential", "NREMT-EMT", "--effective", "2024-01-01")
    assert both() == (2, 2)


def test_an_earlier_record_of_a_course_that_counted_says_what_drops_out(eve):
    """The first of a course in the cycle counts: a session entered late, dated before one
    that counted, takes its place and the row's figure may fall. The note says which
    record no longer counts (it fell silently)."""
    eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", "Big conference",
        "--date", "2025-05-20", "--hours", "3", "--category", "individual")  # fmt: skip
    eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", "big conference",
        "--date", "2025-05-25", "--hours", "2", "--category", "individual")  # fmt: skip (a repeat already)
    before = progress(eve, "NREMT-EMT")
    r = eve("--as-of", "2025-06-01", "record", "add", "eve@fd.org", "--course", "BIG  Conference",
            "--date", "2025-04-15", "--hours", "1", "--category", "individual")  # fmt: skip
    assert ("No longer counted: 'Big conference' of 2025-05-20 (3 h), now a repeat of the "
            "earlier record just added (NREMT counts one course once per cycle).") in r.stderr, r
    assert "2025-05-25" not in r.stderr  # it counted before no more than now
    assert progress(eve, "NREMT-EMT") == pytest.approx(before - 2)
    assert compliance(eve, "NREMT-EMT") == progress(eve, "NREMT-EMT")


def test_program_progress_judges_the_members_own_window_as_compliance_does(cli):
    """The evaluator decides, for a program row of an NCCP level or of a one-time window
    of N months, which credited records do not count: a repeat of a course taken before
    the enrollment (compliance rejected it, the program counted it), a course taken again
    in the NEXT NREMT cycle (it counts again: the program called it a repeat), and
    recruit hours after the first year (the program counted them)."""
    cli("import", "nremt")
    cli("import", "iso")
    cli("--as-of", "2024-12-01", "member", "add", "Ann Lee", "--email", "ann@fd.org", "--position",
        "emt,probationary", "--certification-date", "2024-05-15", "--hire-date", "2024-07-01")  # fmt: skip

    def record(day: str, course: str, hours: str, category: str, as_of: str = "2026-05-01"):
        return cli("--as-of", as_of, "record", "add", "ann@fd.org", "--course", course, "--date", day,
                   "--hours", hours, "--category", category)  # fmt: skip

    record("2024-12-10", "Cardiac conf", "1", "national/cardiovascular", as_of="2024-12-10")
    cli("program", "create", "P", "--time-limit-days", "1000")
    cli("program", "requirement", "add", "P", "NREMT-EMT")
    cli("program", "requirement", "add", "P", "ISO-RECRUIT")
    cli("program", "activate", "P")
    cli("--as-of", "2025-01-01", "enroll", "add", "ann@fd.org", "P")
    r = record("2025-02-10", "cardiac CONF", "4", "national/cardiovascular")
    assert "4 of 4 h not counted: a repeat of 'Cardiac conf' (counted on 2024-12-10)" in r.stderr, r
    for day in ("2026-03-15", "2026-04-15"):  # the cycle ends on 31 March 2026
        assert "not counted" not in record(day, "Trauma update", "2", "national/trauma").stderr
    record("2025-03-01", "Academy", "200", "recruit")
    r = record("2025-08-01", "Academy 2", "100", "recruit")
    assert "100 of 100 h not counted: dated 2025-08-01, outside the window 2024-07-01 – 2025-06-30" in r.stderr, r
    lines = {x["requirement"]: x["value"] for x in cli("enroll", "show", "1", "--format", "json").json["requirements"]}
    assert lines == {"Emergency Medical Technician (NCCP recertification)": 4, "Recruit training": 200}, lines
    cells = cli("--as-of", "2026-05-01", "report", "compliance", "--member", "ann@fd.org", "--requirement",
                "ISO-RECRUIT", "--format", "json").json["cells"]  # fmt: skip
    assert cells[0]["value"] == 200
    log = cli("progress", "log", "--enrollment", "1", "--requirement", "ISO-RECRUIT", "--format", "json").json
    rows = log["credits"] if isinstance(log, dict) else log
    assert sum(x["counted"] for x in rows) == 200  # the column sums to the row's value
    assert [x["went"] for x in rows if x["counted"] == 0] == [
        "not counted: dated 2025-08-01, outside the window 2024-07-01 – 2025-06-30"]
    # a corrected hire date moves the first year: the program follows at once
    cli("--as-of", "2026-05-01", "member", "edit", "ann@fd.org", "--hire-date", "2024-09-01")
    lines = {x["requirement"]: x["value"] for x in cli("enroll", "show", "1", "--format", "json").json["requirements"]}
    assert lines["Recruit training"] == 300, lines
    cells = cli("--as-of", "2026-05-01", "report", "compliance", "--member", "ann@fd.org", "--requirement",
                "ISO-RECRUIT", "--format", "json").json["cells"]  # fmt: skip
    assert cells[0]["value"] == 300


def _value(cli, requirement: str, member: str = "ann@fd.org") -> float:
    lines = cli("enroll", "show", "1", "--format", "json").json["requirements"]
    (line,) = [x for x in lines if x["requirement"].startswith(requirement)]
    return line["value"]


def _cell(cli, requirement: str, as_of: str, member: str = "ann@fd.org") -> float:
    return cli("report", "compliance", "--member", member, "--requirement", requirement, "--as-of",
               as_of, "--format", "json").json["cells"][0]["value"]  # fmt: skip


def test_what_a_window_row_hangs_on_moves_it_though_it_credits_it_nothing(cli, tmp_path):
    """A program row judged in the member's window follows every fact of the member, not
    only those credited to it: a card that merges two cycles, the void of a record from
    before the enrollment that counted first, a hire date moved by a member import, and
    records, shifts and calls before the hire date or after the first months."""
    cli("import", "nremt")
    cli("--as-of", "2024-01-01", "member", "add", "Ann Lee", "--email", "ann@fd.org", "--position",
        "emt", "--certification-date", "2024-03-01", "--hire-date", "2024-06-01")  # fmt: skip
    cli("requirement", "add", "--name", "Rookie shifts", "--type", "shifts", "--shifts", "10",
        "--frequency", "one_time", "--anchor", "hire_date", "--period-months", "12")  # fmt: skip
    cli("--as-of", "2024-12-01", "record", "add", "ann@fd.org", "--course", "Trauma X", "--date",
        "2024-12-01", "--hours", "3", "--category", "national/trauma")  # fmt: skip
    cli("program", "create", "P", "--time-limit-days", "1500")
    cli("program", "requirement", "add", "P", "NREMT-EMT")
    cli("program", "requirement", "add", "P", "Rookie shifts")
    cli("program", "activate", "P")
    cli("--as-of", "2025-01-01", "enroll", "add", "ann@fd.org", "P")
    for day in ("2025-05-01", "2026-05-01"):
        cli("--as-of", "2026-05-02", "record", "add", "ann@fd.org", "--course", "trauma x", "--date", day,
            "--hours", "3", "--category", "national/trauma")  # fmt: skip
    # 2025-05-01 repeats the record of 2024-12-01 (one cycle to 31 March 2026); 2026-05-01 is the next cycle's
    assert _value(cli, "Emergency") == 3
    # the void of the record from before the enrollment: the one of 2025-05-01 counts in its place
    cli("--as-of", "2026-05-02", "record", "void", "1", "--reason", "wrong member")
    assert _value(cli, "Emergency") == 6
    # a card to 31 March 2027 makes one cycle of 2024-03-01 .. 2027-03-31: the May 2026 one repeats
    cli("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "NREMT-EMT", "--issued", "2024-03-01",
        "--expires", "2027-03-31")  # fmt: skip
    assert _value(cli, "Emergency") == 3 == _cell(cli, "NREMT-EMT", "2026-06-01")
    # shifts: in the first 12 months from hire only; a member import moves the hire date
    for day in ("2025-02-01", "2025-07-01"):  # the first 12 months end on 2025-05-31
        cli("--as-of", "2026-06-01", "shift", "add", "ann@fd.org", "--date", day, "--station", "1",
            "--time-in", f"{day}T07:00+00:00", "--time-out", f"{day}T19:00+00:00")  # fmt: skip
    assert _value(cli, "Rookie") == 1 == _cell(cli, "Rookie shifts", "2026-06-01")
    csv = tmp_path / "members.csv"
    csv.write_text("name,email,hire_date\nAnn Lee,ann@fd.org,2024-08-01\n", encoding="utf-8")
    cli("--as-of", "2026-06-01", "member", "import", "--csv", str(csv), "--update")
    assert _value(cli, "Rookie") == 2 == _cell(cli, "Rookie shifts", "2026-06-01")
    # hired after the first shift: only the second counts (asked as of the shift's own day,
    # the evaluator said "hired later" and the program kept the first)
    r = cli("--as-of", "2026-06-01", "member", "edit", "ann@fd.org", "--hire-date", "2025-03-01")
    assert "Enrollment 1 re-measured for the member's dates: active" in r.stderr, r
    assert _value(cli, "Rookie") == 1 == _cell(cli, "Rookie shifts", "2026-06-01")


def test_record_list_finds_a_topic_written_with_its_category(cli):
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    cli("--as-of", "2026-05-01", "record", "add", "ann@fd.org", "--course", "Airway lab", "--date",
        "2026-04-01", "--hours", "2", "--topic", "national/airway")  # fmt: skip
    for wanted in ("national/airway", "National/Airway", "airway", "national"):
        rows = cli("record", "list", "--topic", wanted, "--format", "json").json
        assert [r["course_name"] for r in rows] == ["Airway lab"], wanted


def test_a_card_without_an_expiry_holds_program_and_compliance_alike(cli, tmp_path):
    """A biennial BLS (a card) and ACLS (a record of the class): with no expiry on file
    either holds it 24 months from its issue, in program progress as in compliance
    (domain/certs `held_through`, one rule): a 2023 card is no current BLS in 2026 in
    either. Every way credit reaches a program row: what is on file at enrollment, a card
    added after it (the feed per fact), and an import of records (the feed's SQL path)."""
    as_of = "2026-01-05"
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial")  # fmt: skip
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--course", "ACLS",
        "--frequency", "biennial")  # fmt: skip
    cli("course", "add", "--name", "ACLS class", "--code", "ACLS")  # no expiration months
    cli("program", "create", "Medic")
    for req in ("BLS", "ACLS"):
        cli("program", "requirement", "add", "Medic", req)
    cli("program", "activate", "Medic")
    people = {  # email -> issued (held through issued + 24 months - 1 day)
        "old1@fd.org": "2024-01-05", "new1@fd.org": "2024-01-06",  # the edge: 2026-01-04 or -05
        "old2@fd.org": "2023-03-01", "new2@fd.org": "2025-06-01",
    }  # fmt: skip
    for email in people:
        cli("member", "add", email.split("@")[0], "--email", email, "--hire-date", "2020-01-01")

    def cards(emails: list[str]) -> None:
        sheet = tmp_path / f"acls-{emails[0]}.csv"
        sheet.write_text("email,course,code,date,hours,type\n" + "".join(
            f"{e},ACLS class,ACLS,{people[e]},16,class\n" for e in emails))  # fmt: skip
        assert "added" in cli("--as-of", as_of, "record", "import", str(sheet)).stderr
        for e in emails:
            cli("--as-of", as_of, "cert", "add", e, "BLS", "--issued", people[e])

    cards(["old1@fd.org", "new1@fd.org"])  # on file before the enrollment
    cli("--as-of", as_of, "enroll", "bulk", "Medic", "--members", ",".join(people))
    cards(["old2@fd.org", "new2@fd.org"])  # after it
    cells = cli("--as-of", as_of, "report", "compliance", "--format", "json").json["cells"]
    judged = {(c["member"], c["requirement"]): c["status"] for c in cells}
    for n, email in enumerate(people, start=1):
        name = email.split("@")[0]
        rows = cli("--as-of", as_of, "enroll", "show", str(n), "--format", "json").json["requirements"]
        values = {r["requirement"]: r["value"] for r in rows}
        held = name.startswith("new")
        assert values == {"BLS": float(held), "ACLS": float(held)}, (email, values)
        for req in ("BLS", "ACLS"):
            assert judged[(name, req)] == ("met" if held else "expired"), (email, req, judged)
            # not credited at all, as a card past its recorded expiry is not
            log = cli("--as-of", as_of, "progress", "log", "--enrollment", str(n), "--requirement",
                      req, "--format", "json").json  # fmt: skip
            credits = log["credits"] if isinstance(log, dict) else log
            assert len(credits) == held, (email, req, credits)


def test_a_renewing_card_without_an_expiry_stops_counting_when_its_row_is_measured_again(cli):
    """A program row re-measured later (here: a void of another card on it) judges the
    credits it holds by the same rule: a card without an expiry, issued 2024-02-01, held
    a biennial BLS through 2026-01-31 and no longer, as compliance says."""
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial")  # fmt: skip
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "BLS")
    cli("program", "activate", "Medic")
    cli("member", "add", "Ann", "--email", "ann@fd.org", "--hire-date", "2020-01-01")
    for issued in ("2024-02-01", "2024-03-01"):
        cli("--as-of", "2026-01-05", "cert", "add", "ann@fd.org", "BLS", "--issued", issued)
    cli("--as-of", "2026-01-05", "enroll", "add", "ann@fd.org", "Medic")
    assert _value(cli, "BLS") == 1
    cli("--as-of", "2026-03-15", "cert", "void", "2", "--reason", "entered twice")
    assert _value(cli, "BLS") == 0  # card 1 held it through 2026-01-31
    cell = cli("--as-of", "2026-03-15", "report", "compliance", "--format", "json").json["cells"][0]
    assert (cell["status"], cell["value"]) == ("expired", 0), cell


def test_a_first_completion_that_credited_nothing_gives_way_to_the_retake_in_both(cli):
    """The self-paced 'Medical module' of August 2024 came over national's distributive
    cap (7 h) and credited 0 h, yet the classroom re-take of September 2025 was thrown out
    as "a repeat of 'Medical module' (counted on 2024-08-01)": national 7/20, 24 of 40 h.
    The course counts once per cycle: the completion that counts is the re-take (30 h,
    national 13/20), in compliance and in program progress alike."""
    cli("--as-of", "2024-01-01", "import", "nremt")
    cli("--as-of", "2024-01-01", "member", "add", "Dan Nccp", "--email", "d@x.org", "--badge", "D1",
        "-p", "emt", "--hire-date", "2020-01-06", "--certification-date", "2024-01-15")  # fmt: skip
    cli("--as-of", "2024-01-01", "program", "create", "EMT Recert", "--time-limit-days", "900")
    cli("--as-of", "2024-01-01", "program", "requirement", "add", "EMT Recert", "NREMT-EMT")
    cli("--as-of", "2024-01-01", "program", "activate", "EMT Recert")
    cli("--as-of", "2024-01-16", "enroll", "add", "D1", "EMT Recert")
    # a second program from 15 July: the self-paced records before it are not its own, so
    # the August module would fit under its cap there; still the re-take is the one counted
    cli("--as-of", "2024-01-01", "program", "create", "EMT Late", "--time-limit-days", "900")
    cli("--as-of", "2024-01-01", "program", "requirement", "add", "EMT Late", "NREMT-EMT")
    cli("--as-of", "2024-01-01", "program", "activate", "EMT Late")
    cli("--as-of", "2024-07-15", "enroll", "add", "D1", "EMT Late")
    for course, day, hours, cat, extra in (
        ("Cardio online", "2024-06-01", 6, "national", ["--topic", "cardiovascular", "--self-paced"]),
        ("Trauma online", "2024-07-01", 1, "national", ["--topic", "trauma", "--self-paced"]),
        ("Local online", "2024-07-02", 7, "local", ["--self-paced"]),
        ("Individual class", "2024-07-03", 10, "individual", []),
        ("Medical module", "2024-08-01", 6, "national", ["--topic", "medical", "--self-paced"]),
        ("Medical module", "2025-09-01", 6, "national", ["--topic", "medical"]),
    ):
        cli("--as-of", "2025-11-01", "record", "add", "D1", "--course", course, "--date", day,
            "--hours", str(hours), "--category", cat, *extra)  # fmt: skip
    e = cli("requirement", "explain", "D1", "NREMT-EMT", "--as-of", "2025-12-01", "--format",
            "json").json  # fmt: skip
    medical = [(f["date"], f["code"]) for f in e["facts"] if "Medical" in f["what"]]
    assert medical == [("2024-08-01", "over_distributive_cap"), ("2025-09-01", "counted")], e["facts"]
    assert not any("(counted on" in f["reason"] for f in e["facts"]), e["facts"]
    text = cli("requirement", "explain", "D1", "NREMT-EMT", "--as-of", "2025-12-01").stdout
    assert "national: 13 h of 20 h" in text and "= 30 h of 40 h = 75%" in text, text
    got = cli("report", "compliance", "--member", "D1", "--requirement", "NREMT-EMT", "--as-of",
              "2025-12-01", "--format", "json").json["cells"][0]  # fmt: skip
    assert got["value"] == pytest.approx(30)
    lines = cli("--as-of", "2025-12-01", "enroll", "show", "1", "--format", "json").json["requirements"]
    (line,) = lines
    assert line["value"] == pytest.approx(30), line
    (late,) = cli("--as-of", "2025-12-01", "enroll", "show", "2", "--format", "json").json["requirements"]
    assert late["value"] == pytest.approx(6), late  # the re-take's 6 h, not the course twice


def test_record_list_topic_finds_what_a_requirement_naming_it_counts(cli):
    """`record list --topic` matches a category as compliance does (case, spaces,
    underscores and hyphens aside): it had folded case only, so `structural-firefighting`
    found nothing and 'Structural Firefighting' missed the live fire filed under
    structural_firefighting that `requirement explain` counted."""
    cli("member", "add", "Dana Ruiz", "--email", "druiz@x.example", "--badge", "F-203")
    cli("course", "add", "--code", "LF-1", "--name", "Live fire", "--type", "drill",
        "--topic", "structural_firefighting", "--hours", "2")  # fmt: skip
    cli("--as-of", "2026-03-06", "record", "add", "F-203", "--course", "Vent class", "--date",
        "2026-03-05", "--hours", "1", "--category", "Structural Firefighting")  # fmt: skip
    cli("requirement", "add", "--name", "SF hours", "--type", "hours", "--hours", "4",
        "--frequency", "annual", "--counts-category", "structural_firefighting")  # fmt: skip
    cli("--as-of", "2026-03-06", "record", "add", "F-203", "--course", "LF-1", "--date", "2026-03-04")
    cli("--as-of", "2026-03-06", "record", "add", "F-203", "--course", "Hose lay", "--date",
        "2026-03-03", "--hours", "5", "--category", "hazmat")  # fmt: skip
    value = cli("report", "compliance", "--requirement", "SF hours", "--as-of", "2026-04-01",
                "-f", "json").json["cells"][0]["value"]  # fmt: skip
    assert value == 3
    for wanted in ("structural-firefighting", "Structural Firefighting", "STRUCTURAL_FIREFIGHTING"):
        rows = cli("record", "list", "--topic", wanted, "-f", "json").json
        assert sorted(r["id"] for r in rows) == [1, 2], wanted
        assert sum(r["hours"] for r in rows) == value
    # the table's total counts the same rows (a limit below them)
    r = cli("record", "list", "--topic", "structural firefighting", "--limit", "1")
    assert "Showing the newest 1 of 2 records" in r.stderr, r
    r = cli("record", "list", "--topic", "structural firefighting drill")
    assert "No records match these filters." in r.stderr, r
