"""A higher level's card holds the lower requirement (domain/certs LEVELS) but renews no
lower card: it is a certification of its own (domain/certs `renewed_as`). An FF I
certificate without an expiry does not lapse because an FF II card issued after it did
(Pro Board sets no expiry: registries/proboard.json, reference/registry-facts.md).
Compliance (`report compliance`, `requirement explain`) and program credit (`enroll
show`) follow the same rule (domain/certs `in_force`), in this case and its mirrors."""

from __future__ import annotations

import pytest

AS_OF = ("--as-of", "2026-06-01")

# member: (badge, cards (code, issued, expires)), and what both sides must say on AS_OF
CASES = {
    # FF I held for good; the FF II card issued later ran out: FF I still held
    "Ann": ("A1", [("PB-FF1", "2019-05-01", None), ("PB-FF2", "2021-05-01", "2025-12-31")],
            "met", "PB-FF1 held, no expiry", 100.0),
    # FF II still valid beside FF I held for good: met (FF I for good decides)
    "Bea": ("B1", [("PB-FF1", "2019-05-01", None), ("PB-FF2", "2021-05-01", "2027-05-01")],
            "met", "PB-FF1 held, no expiry", 100.0),
    # both ran out, each by its own expiry: the latest (FF II's) decides, expired
    "Cal": ("C1", [("PB-FF1", "2019-05-01", "2024-05-01"), ("PB-FF2", "2021-05-01", "2025-12-31")],
            "expired", "PB-FF2 expired: last valid day 2025-12-31; Firefighter II includes Firefighter I", 0.0),
    # the same code renewed: the FF I card of 2022 that ran out renews the 2019 one
    "Dan": ("D1", [("PB-FF1", "2019-05-01", None), ("PB-FF1", "2022-05-01", "2025-12-31")],
            "expired", "PB-FF1 expired: last valid day 2025-12-31", 0.0),
}  # fmt: skip


@pytest.fixture
def crew(cli):
    start = ("--as-of", "2019-01-01")
    cli(*start, "import", "proboard")
    cli("program", "create", "Line")
    cli("program", "requirement", "add", "Line", "PB-FF1")
    cli("program", "activate", "Line")
    for name, (badge, cards, *_) in CASES.items():
        cli(*start, "member", "add", name, "-e", f"{badge}@fd.org", "-b", badge, "--hire-date", "2018-01-01",
            "-p", "firefighter")  # fmt: skip
        cli(*start, "enroll", "add", badge, "Line")
        for code, issued, expires in cards:
            cli(*AS_OF, "cert", "add", badge, code, "--issued", issued, *(("--expires", expires) if expires else ()))
    return cli


def test_compliance_and_explain_judge_each_level_by_its_own_renewals(crew):
    """Ann's FF I (2019, no expiry) was EXPIRED in the matrix because her FF II card of
    2021 ran out: the FF II card was taken as FF I's renewal. Now FF I is held; the
    mirrors keep their answers (Bea met, Cal and Dan expired)."""
    cells = crew(*AS_OF, "report", "compliance", "--requirement", "PB-FF1", "--format", "json").json["cells"]
    got = {c["member"]: (c["status"], c.get("reason", "")) for c in cells}
    assert got == {name: (case[2], case[3]) for name, case in CASES.items()}
    ann = " ".join(crew(*AS_OF, "requirement", "explain", "A1", "PB-FF1").stdout.split())
    assert "Status: MET — PB-FF1 held, no expiry" in ann
    # (it said "the card expiring never decides (latest expiry)": as if no expiring card
    # ever decided; it names the card without an expiry that does)
    assert "PB-FF2 expires 2025-12-31: the card with no expiry decides (#1 PB-FF1: no card outlasts it)" in ann, ann
    dan = " ".join(crew(*AS_OF, "requirement", "explain", "D1", "PB-FF1").stdout.split())
    assert "no expiry on file, and a later card with one renews it" in dan


def test_program_progress_agrees_with_compliance(crew):
    """The program row requiring FF I says what the matrix says, member by member."""
    got = {}
    for e in crew("--format", "json", "enroll", "list").json:
        (row,) = crew(*AS_OF, "--format", "json", "enroll", "show", str(e["id"])).json["requirements"]
        got[e["member"]] = row["percentage"]
    assert got == {name: case[4] for name, case in CASES.items()}


def test_report_expiring_lists_the_lower_card_that_outlasts_the_higher_one(cli):
    """A department renewing FF I every two years: Eve's FF I card of 2025 without an
    expiry holds to 2026-12-31, longer than her FF II card (to 2026-07-01), and the matrix
    says so; `report expiring` left FF I out (the FF II card was taken as its renewal, so
    FF II "outlasted" it). Now both are listed, each on its own last day."""
    cli("--as-of", "2019-01-01", "import", "proboard")
    cli("requirement", "add", "--from", "PB-FF1", "--name", "FF1 state", "--frequency", "biennial")
    cli("--as-of", "2019-01-01", "member", "add", "Eve", "-e", "e1@fd.org", "-b", "E1", "--hire-date",
        "2018-01-01", "-p", "firefighter")  # fmt: skip
    cli(*AS_OF, "cert", "add", "E1", "PB-FF1", "--issued", "2025-01-01")
    cli(*AS_OF, "cert", "add", "E1", "PB-FF2", "--issued", "2025-06-01", "--expires", "2026-07-01")
    cells = cli(*AS_OF, "report", "compliance", "--requirement", "FF1 state", "--format", "json").json["cells"]
    assert [(c["status"], c["reason"][:31]) for c in cells] == [("met", "PB-FF1 valid through 2026-12-31")]
    rows = cli(*AS_OF, "report", "expiring", "--within", "365", "--format", "json").json
    assert [(r["credential_code"], r["expires_on"] or r["assumed_through"]) for r in rows] == [
        ("PB-FF2", "2026-07-01"), ("PB-FF1", "2026-12-31"),
    ]
