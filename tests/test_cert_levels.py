"""A card of a higher certification level holds the lower one it includes (domain/certs
LEVELS: Firefighter II holds Firefighter I, Fire Officer II holds Fire Officer I), with its
own expiry deciding as a lower card's would: in the compliance matrix, `requirement
explain`, a program's progress (the credit feed) and `report expiring` alike."""

from __future__ import annotations

import pytest

AS_OF = ("--as-of", "2026-06-01")


@pytest.fixture
def crew(cli):
    """Pro Board imported; Fay holds FF II (to 2027-05-01) and an FF I card running out
    2026-08-01, and FO II; Gus holds an FF II card that ran out 2025-12-31 and an FF I card
    to 2026-07-01; Hal only an expired FF II; Ida an FF II without an expiry; Dee, a driver
    and aerial operator, an aerial card only."""
    start = ("--as-of", "2020-01-01")
    cli(*start, "import", "proboard")
    for name, badge, *positions in (
        ("Fay", "F1", "firefighter", "officer"), ("Gus", "G1", "firefighter"), ("Hal", "H1", "firefighter"),
        ("Ida", "I1", "firefighter"), ("Dee", "D1", "driver", "aerial_operator"),
    ):
        cli(*start, "member", "add", name, "-e", f"{badge}@fd.org", "-b", badge, "--hire-date", "2019-01-01",
            *[a for p in positions for a in ("-p", p)])  # fmt: skip
    for badge, code, issued, expires in (
        ("F1", "PB-FF2", "2021-05-01", "2027-05-01"), ("F1", "PB-FF1", "2019-05-01", "2026-08-01"),
        ("F1", "PB-FO2", "2022-01-01", "2028-01-01"),
        ("G1", "PB-FF2", "2020-06-01", "2025-12-31"), ("G1", "PB-FF1", "2019-06-01", "2026-07-01"),
        ("H1", "PB-FF2", "2020-06-01", "2025-12-31"), ("I1", "PB-FF2", "2010-03-01", None),
        ("D1", "PB-DO-AERIAL", "2021-01-01", "2027-01-01"),
    ):
        cli(*AS_OF, "cert", "add", badge, code, "--issued", issued, *(("--expires", expires) if expires else ()))
    return cli


def _cells(cli, *codes: str) -> dict[tuple[str, str], tuple[str, str]]:
    cells = cli(*AS_OF, "report", "compliance", "--format", "json").json["cells"]
    return {
        (c["member"], c["requirement"].split(" ")[0]): (c["status"], c.get("reason", ""))
        for c in cells
        if c["requirement"].split(" ")[0] in codes
    }


def _explained(cli, badge: str, code: str) -> str:
    return " ".join(cli(*AS_OF, "requirement", "explain", badge, code).stdout.split())


def test_a_higher_card_meets_the_lower_requirement_in_the_matrix_and_explain_alike(crew):
    """Fay's FF II card showed Firefighter I overdue (and her FO II card Fire Officer I):
    now met, and `requirement explain` says why; an expired FF II card makes nothing
    current (Hal: expired, as an FF I card with that expiry would be), an FF II held for
    good holds FF I for good (Ida), and an aerial card holds no pumper requirement (Dee)."""
    cells = _cells(crew, "PB-FF1", "PB-FO1", "PB-DO-PUMPER")
    assert {k: v[0] for k, v in cells.items() if v[0] != "not_applicable"} == {
        ("Fay", "PB-FF1"): "met", ("Fay", "PB-FO1"): "met", ("Gus", "PB-FF1"): "met",
        ("Hal", "PB-FF1"): "expired", ("Ida", "PB-FF1"): "met", ("Dee", "PB-DO-PUMPER"): "overdue",
    }  # fmt: skip
    assert cells[("Fay", "PB-FF1")][1] == (
        "PB-FF2 valid through 2027-05-01; Firefighter II includes Firefighter I"
    )
    assert cells[("Fay", "PB-FO1")][1] == "PB-FO2 valid through 2028-01-01; Fire Officer II includes Fire Officer I"
    assert cells[("Gus", "PB-FF1")][1] == "PB-FF1 valid through 2026-07-01"  # his own card outlasts the FF II
    assert cells[("Hal", "PB-FF1")][1] == (
        "PB-FF2 expired: last valid day 2025-12-31; Firefighter II includes Firefighter I"
    )
    assert cells[("Ida", "PB-FF1")][1] == "PB-FF2 held, no expiry; Firefighter II includes Firefighter I"
    fay = _explained(crew, "F1", "PB-FF1")
    assert "#1 PB-FF2 expires 2027-05-01: valid through 2027-05-01; Firefighter II includes Firefighter I" in fay
    assert "#2 PB-FF1 expires 2026-08-01: the card expiring 2027-05-01 decides (latest expiry)" in fay
    assert "Status: MET — PB-FF2 valid through 2027-05-01; Firefighter II includes Firefighter I" in fay
    hal = _explained(crew, "H1", "PB-FF1")
    assert "Status: EXPIRED — PB-FF2 expired: last valid day 2025-12-31; Firefighter II includes Firefighter I" in hal
    assert "Status: OVERDUE" in _explained(crew, "D1", "PB-DO-PUMPER")


def test_a_program_counts_the_higher_card_as_compliance_does(crew):
    """A program requiring Firefighter I credited Fay's FF II card nothing: now 100%, as
    the matrix says; Hal's expired FF II credits nothing (0%, as the matrix's expired)."""
    crew("program", "create", "Line")
    crew("program", "requirement", "add", "Line", "PB-FF1")
    crew("program", "activate", "Line")
    crew(*AS_OF, "enroll", "bulk", "Line", "--members", "F1@fd.org,H1@fd.org,I1@fd.org")
    got = {}
    for e in crew("--format", "json", "enroll", "list").json:
        rows = crew("--format", "json", "enroll", "show", str(e["id"])).json["requirements"]
        got[e["member"]] = [r["percentage"] for r in rows]
    assert got == {"Fay": [100.0], "Hal": [0.0], "Ida": [100.0]}, got
    log = crew("progress", "log", "-m", "I1", "-r", "PB-FF1", "--format", "json").json
    assert [(e["source"], e["item"], e["note"]) for e in log] == [
        ("certification", "PB-FF1", "card 7: PB-FF2, issued 2010-03-01, no expiry")
    ]


def test_report_expiring_leaves_out_a_lower_card_a_higher_one_outlasts(crew):
    """Fay's FF I card running out 2026-08-01 was listed for renewal though her FF II card,
    in force to 2027-05-01, holds Firefighter I: left out now (from `cert list
    --expiring-within` too); Gus's FF I card, which outlasts his expired FF II, is listed."""
    rows = crew(*AS_OF, "report", "expiring", "--within", "120", "--format", "json").json
    assert [(r["member"], r["credential_code"], r["expires_on"]) for r in rows] == [("Gus", "PB-FF1", "2026-07-01")]
    listed = crew(*AS_OF, "cert", "list", "--expiring-within", "120", "--format", "json").json
    assert [(c["member"], c["credential_code"]) for c in listed] == [("Gus", "PB-FF1")]
    # the compliance summary counts the same: one Firefighter I card runs out within 60 days
    summary = crew(*AS_OF, "report", "compliance", "--requirement", "PB-FF1", "--due-soon-days", "60").stderr
    assert "1 runs out within 60 days" in " ".join(summary.split()), summary
    # the higher card itself is listed when it runs out
    later = crew(*AS_OF, "report", "expiring", "--within", "400", "--format", "json").json
    assert ("Fay", "PB-FF2") in {(r["member"], r["credential_code"]) for r in later}
    assert ("Fay", "PB-FF1") not in {(r["member"], r["credential_code"]) for r in later}


def test_the_expiry_warnings_leave_out_a_lower_card_a_higher_one_outlasts(crew, snapshot):
    """`reminders send` warned Fay that her FF I card runs out on 2026-08-01 though her FF
    II card, in force to 2027-05-01, holds Firefighter I (and `report expiring` lists no
    such renewal): now only Gus, whose FF I card outlasts his expired FF II, is warned, in
    the --dry-run preview and by mail. Joe's FF I class record running out 2026-07-31
    beside his FF II card to 2029-01-01 is no warning either."""
    from reminder_helpers import Server, configure

    crew(*AS_OF, "member", "add", "Joe", "-e", "J1@fd.org", "-b", "J1", "--hire-date", "2019-01-01",
         "-p", "firefighter")  # fmt: skip
    crew(*AS_OF, "cert", "add", "J1", "PB-FF2", "--issued", "2020-01-01", "--expires", "2029-01-01")
    crew("course", "add", "--name", "Firefighter I class", "--code", "PB-FF1", "--expiration-months", "60")
    crew(*AS_OF, "record", "add", "J1", "--course", "PB-FF1", "--date", "2021-08-01", "--hours", "40",
         "--type", "class")  # fmt: skip
    rows = crew(*AS_OF, "report", "expiring", "--within", "90", "--format", "json").json
    assert [(r["member"], r["credential_code"]) for r in rows] == [("Gus", "PB-FF1")]
    before = snapshot()
    dry = crew("reminders", "send", *AS_OF, "--dry-run", "--format", "json")
    assert [(d["email"], d["kind"], d["about"], d["threshold"]) for d in dry.json] == [
        ("g1@fd.org", "cert_expiry", "PB-FF1", "30d")
    ]
    table = crew("reminders", "send", *AS_OF, "--dry-run").stdout
    assert "Gus" in table and "Fay" not in table and "Joe" not in table, table
    assert snapshot() == before
    server = Server().start()
    try:
        configure(crew, server.port)
        crew("reminders", "send", *AS_OF)
        sent = [(str(m["To"].addresses[0].addr_spec), str(m["Subject"])) for m in server.handler.messages]
    finally:
        server.stop()
    assert sent == [("g1@fd.org", "Reminder: your PB-FF1 certification expires in 30 days (2026-07-01)")], sent


def test_cert_list_of_the_lower_code_expiring_leaves_out_what_a_higher_card_outlasts(crew):
    """`cert list --code PB-FF1 --expiring-within 120` listed Fay's FF I card (the same
    listing without --code, and `report expiring`, left it out: her FF II card outlasts
    it): now the same answer with or without --code; the listing without a window still
    shows every card, hers too (the record)."""
    def listed(*args: str) -> list[tuple[str, str]]:
        got = crew(*AS_OF, "cert", "list", *args, "--format", "json").json
        return [(c["member"], c["credential_code"]) for c in got]

    assert listed("--code", "PB-FF1", "--expiring-within", "120") == [("Gus", "PB-FF1")]
    assert listed("--code", "pb-ff1", "--expiring-within", "120", "--member", "F1") == []
    assert listed("--code", "PB-FF1", "--expiring-within", "120", "--member", "G1") == [("Gus", "PB-FF1")]
    assert listed("--code", "PB-FF1") == [("Fay", "PB-FF1"), ("Gus", "PB-FF1")]
    # the higher card itself, when it runs out, is listed under its own code
    assert ("Fay", "PB-FF2") in listed("--code", "PB-FF2", "--expiring-within", "400")


def test_explain_says_a_higher_card_includes_the_credential_asked_for(crew):
    """`requirement explain` said "Needs a valid PB-FF1 card" to Fay, whose FF II card is
    what holds it: now the line names the higher card that includes it, for everyone
    (Gus's own FF I card decides); the JSON keeps its field names. A requirement no level
    includes reads as before."""
    for badge in ("F1", "G1"):
        assert "Needs a valid PB-FF1 card (a PB-FF2 card includes it) on 2026-06-01" in _explained(crew, badge, "PB-FF1")
    assert "Needs a valid PB-FO1 card (a PB-FO2 card includes it) on 2026-06-01" in _explained(crew, "F1", "PB-FO1")
    assert "Needs a valid PB-FF2 card on 2026-06-01" in _explained(crew, "F1", "PB-FF2")
    data = crew(*AS_OF, "requirement", "explain", "F1", "PB-FF1", "--format", "json").json
    assert data["window"] == "a valid PB-FF1 card (a PB-FF2 card includes it) on 2026-06-01"
    assert data["status"] == "met"
    assert data["reason"] == "PB-FF2 valid through 2027-05-01; Firefighter II includes Firefighter I"
