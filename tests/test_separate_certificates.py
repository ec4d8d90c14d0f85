"""Two registry certificates one requirement lists are two credentials: neither card renews
the other (domain/certs `CERTIFICATES`, `renewed_as`). NFPA 1002 lists PB-DO-PUMPER and
PB-DO-AERIAL, separate Pro Board certifications; a pumper certificate without an expiry
does not lapse because a later aerial card ran out. Compliance (`report compliance`,
`requirement explain`), program credit (`enroll show`), `report expiring` and the expiry
warnings judge it the same way, for cards and for class records of the certificates."""

from __future__ import annotations

import pytest

AS_OF = ("--as-of", "2026-06-01")
START = ("--as-of", "2019-01-01")
NFPA_1002 = "Fire Apparatus Driver/Operator"  # the registry's NFPA 1002, as a program row names it

# member: (badge, cards (code, issued, expires)), then on AS_OF: NFPA 1002's status, its reason
DRIVERS = {
    # pumper held for good; the aerial card issued later ran out: the pumper card holds
    "Pat": ("P1", [("PB-DO-PUMPER", "2019-05-01", None), ("PB-DO-AERIAL", "2022-05-01", "2025-12-31")],
            "met", "PB-DO-PUMPER held, no expiry"),
    # aerial only, run out: expired
    "Ann": ("A1", [("PB-DO-AERIAL", "2022-05-01", "2025-12-31")],
            "expired", "PB-DO-AERIAL expired: last valid day 2025-12-31"),
    # pumper only, for good: met
    "Bo": ("B1", [("PB-DO-PUMPER", "2019-05-01", None)], "met", "PB-DO-PUMPER held, no expiry"),
    # the same certificate renewed: the pumper card of 2022 that ran out renews the 2019 one
    "Dan": ("D1", [("PB-DO-PUMPER", "2019-05-01", None), ("PB-DO-PUMPER", "2022-05-01", "2025-12-31")],
            "expired", "PB-DO-PUMPER expired: last valid day 2025-12-31"),
}  # fmt: skip


@pytest.fixture
def drivers(cli):
    cli(*START, "import", "nfpa")
    cli(*START, "import", "proboard")
    cli("program", "create", "Driver")
    cli("program", "requirement", "add", "Driver", "NFPA 1002")
    cli("program", "activate", "Driver")
    for name, (badge, cards, *_) in DRIVERS.items():
        cli(*START, "member", "add", name, "-e", f"{badge}@fd.org", "-b", badge, "--hire-date", "2018-01-01",
            "-p", "driver")  # fmt: skip
        cli(*START, "enroll", "add", badge, "Driver")
        for code, issued, expires in cards:
            cli(*AS_OF, "cert", "add", badge, code, "--issued", issued, *(("--expires", expires) if expires else ()))
    return cli


def _explain(cli, badge: str) -> str:
    return " ".join(cli(*AS_OF, "requirement", "explain", badge, "NFPA 1002").stdout.split())


def test_nfpa_1002_weighs_pumper_and_aerial_each_by_its_own_renewals(drivers):
    """Pat (pumper of 2019 without an expiry, aerial of 2022 run out in 2025): the matrix
    said NFPA 1002 EXPIRED and `requirement explain` "no expiry on file, and a later card
    with one renews it" (the aerial card taken as the pumper card's renewal). Now both say
    met by the pumper card; aerial only, pumper only and a renewed pumper keep their answers."""
    cells = drivers(*AS_OF, "report", "compliance", "--requirement", "NFPA 1002", "--format", "json").json["cells"]
    got = {c["member"]: (c["status"], c.get("reason", "")) for c in cells}
    assert got == {name: (case[2], case[3]) for name, case in DRIVERS.items()}
    pat = _explain(drivers, "P1")
    assert "Status: MET — PB-DO-PUMPER held, no expiry" in pat, pat
    assert "#1 PB-DO-PUMPER: valid, no expiry" in pat, pat
    assert "renews it" not in pat
    assert "Status: EXPIRED — PB-DO-AERIAL expired: last valid day 2025-12-31" in _explain(drivers, "A1")
    assert "Status: MET — PB-DO-PUMPER held, no expiry" in _explain(drivers, "B1")
    assert "no expiry on file, and a later card with one renews it" in _explain(drivers, "D1")


def test_program_rows_agree_with_compliance(drivers):
    """Pat's Driver enrollment said NFPA 1002 0% (the pumper card's credit was taken back
    as renewed by the aerial card) while the pumper certificate never ran out: now every
    row says what the matrix says."""
    for name, case in DRIVERS.items():
        (e,) = [e for e in drivers("--format", "json", "enroll", "list").json if e["member"] == name]
        show = drivers(*AS_OF, "--format", "json", "enroll", "show", str(e["id"])).json
        rows = {r["requirement"]: r["percentage"] for r in show["requirements"]}
        assert rows == {NFPA_1002: 100.0 if case[2] == "met" else 0.0}, (name, rows)


def test_class_records_of_the_two_certificates_are_listed_each_under_its_own(cli, snapshot):
    """Class records of the pumper (2019, no expiry) and aerial (2022, to 2026-07-01)
    courses: compliance called NFPA 1002 held by the aerial record, running out, and
    `report expiring` and the expiry warnings listed that record twice (as NFPA 1002 and
    as PB-DO-AERIAL). Now NFPA 1002 is held for good by the pumper record (nothing of it
    runs out) and the aerial record is listed once, as what it is: PB-DO-AERIAL."""
    cli(*START, "import", "nfpa")
    cli(*START, "import", "proboard")
    cli(*START, "member", "add", "Pat", "-e", "p1@fd.org", "-b", "P1", "--hire-date", "2018-01-01", "-p", "driver")
    cli("course", "add", "--name", "Pumper class", "--code", "PB-DO-PUMPER", "--type", "class", "--hours", "40")
    cli("course", "add", "--name", "Aerial class", "--code", "PB-DO-AERIAL", "--type", "class", "--hours", "40")
    cli(*AS_OF, "record", "add", "P1", "--course", "PB-DO-PUMPER", "--date", "2019-05-01")
    cli(*AS_OF, "record", "add", "P1", "--course", "PB-DO-AERIAL", "--date", "2022-05-01", "--expires", "2026-07-01")
    (cell,) = cli(*AS_OF, "report", "compliance", "--requirement", "NFPA 1002", "--format", "json").json["cells"]
    assert (cell["status"], cell["reason"]) == ("met", "PB-DO-PUMPER held, no expiry")
    rows = cli(*AS_OF, "report", "expiring", "--within", "60", "--format", "json").json
    assert [(r["credential_code"], r["held_by"], r["expires_on"]) for r in rows] == [
        ("PB-DO-AERIAL", "class record", "2026-07-01")
    ]
    assert cli(*AS_OF, "report", "expiring", "--within", "60", "--requirement", "NFPA 1002",
               "--format", "json").json == []  # fmt: skip
    before = snapshot()
    dry = cli("reminders", "send", *AS_OF, "--dry-run", "--format", "json").json
    assert [(d["about"], d["threshold"]) for d in dry if d["kind"] == "cert_expiry"] == [("PB-DO-AERIAL", "30d")]
    assert snapshot() == before
