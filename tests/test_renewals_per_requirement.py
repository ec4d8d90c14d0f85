"""A renewal is judged one requirement at a time, in program credit as in compliance
(domain/certs `renewed_as`, `renewal_group`; the credit feed's `renewed_sources`;
domain/credit `renewed_for`), with the registries loaded as the demo loads them.

- NFPA 1001 lists PB-FF1 and PB-FF2: each level is renewed by its own cards only there
  too, so a Firefighter I certificate without an expiry stays held for NFPA 1001 and
  PB-FF1 when a later Firefighter II card runs out.
- A refresher course one requirement lists (a department's ACLS with ACLS-R) renews the
  ACLS card for that requirement only, not for the registry's ACLS naming the card alone.
- Whatever makes a record one of a certification's course (`course add` taking in
  free-named records, `requirement edit --course`) settles the renewals it makes.
For every (member, certification requirement) the program row and `report compliance`
say the same."""

from __future__ import annotations

import pytest

AS_OF = ("--as-of", "2026-06-01")
START = ("--as-of", "2019-01-01")
ACLS = "Advanced Cardiovascular Life Support"  # the registry's ACLS, as a program row names it


def _rows(cli, member: str) -> dict[str, float]:
    """requirement name -> percentage of the member's enrollment rows, on AS_OF."""
    (e,) = [e for e in cli("--format", "json", "enroll", "list").json if e["member"] == member]
    show = cli(*AS_OF, "--format", "json", "enroll", "show", str(e["id"])).json
    return {r["requirement"]: r["percentage"] for r in show["requirements"]}


def _cells(cli, requirement: str) -> dict[str, str]:
    cells = cli(*AS_OF, "report", "compliance", "--requirement", requirement, "--format", "json").json["cells"]
    return {c["member"]: c["status"] for c in cells}


def _explain(cli, badge: str, requirement: str) -> str:
    return " ".join(cli(*AS_OF, "requirement", "explain", badge, requirement).stdout.split())


# member: (badge, cards (code, issued, expires)), then on AS_OF: NFPA 1001's and PB-FF1's status
FIREFIGHTERS = {
    # FF I held for good; the FF II card issued later ran out: both requirements held
    "Ann": ("A1", [("PB-FF1", "2019-05-01", None), ("PB-FF2", "2022-05-01", "2025-05-01")], "met", "met"),
    # the same code renewed: the FF I card of 2022 that ran out renews the 2019 one, for both
    "Dan": ("D1", [("PB-FF1", "2019-05-01", None), ("PB-FF1", "2022-05-01", "2025-05-01")], "expired", "expired"),
    # FF II held for good, renewed by an FF II card that ran out: expired for both
    "Eli": ("E1", [("PB-FF2", "2019-05-01", None), ("PB-FF2", "2022-05-01", "2025-05-01")], "expired", "expired"),
}  # fmt: skip


@pytest.fixture
def firefighters(cli):
    cli(*START, "import", "nfpa")
    cli(*START, "import", "proboard")
    cli("program", "create", "Line")
    cli("program", "requirement", "add", "Line", "PB-FF1")
    cli("program", "requirement", "add", "Line", "NFPA 1001")
    cli("program", "activate", "Line")
    for name, (badge, cards, *_) in FIREFIGHTERS.items():
        cli(*START, "member", "add", name, "-e", f"{badge}@fd.org", "-b", badge, "--hire-date", "2018-01-01",
            "-p", "firefighter")  # fmt: skip
        cli(*START, "enroll", "add", badge, "Line")
        for code, issued, expires in cards:
            cli(*AS_OF, "cert", "add", badge, code, "--issued", issued, *(("--expires", expires) if expires else ()))
    return cli


def test_nfpa_1001_weighs_each_level_by_its_own_renewals(firefighters):
    """Ann (FF I of 2019 for good, FF II of 2022 run out): `requirement explain` said
    NFPA 1001 EXPIRED ("a later card with one renews it": PB-FF2 taken as the FF I card's
    renewal, as NFPA 1001 lists both) while PB-FF1 was MET. Now both are met; the same
    level renewed still expires (Dan, Eli)."""
    cli = firefighters
    nfpa, ff1 = _cells(cli, "NFPA 1001"), _cells(cli, "PB-FF1")
    assert {name: (nfpa[name], ff1[name]) for name in FIREFIGHTERS} == {
        name: (case[2], case[3]) for name, case in FIREFIGHTERS.items()
    }
    ann = _explain(cli, "A1", "NFPA 1001")
    assert "Status: MET — PB-FF1 held, no expiry" in ann, ann
    assert "renews it" not in ann
    assert "no expiry on file, and a later card with one renews it" in _explain(cli, "D1", "NFPA 1001")


def test_program_rows_agree_with_compliance_for_both_requirements(firefighters):
    """Ann's enrollment said Firefighter I 0/1 not started (her FF I card was left out of
    every requirement because NFPA 1001 took it as renewed) while `requirement explain`
    said MET. Now every (member, requirement) row says what the matrix says."""
    cli = firefighters
    nfpa, ff1 = _cells(cli, "NFPA 1001"), _cells(cli, "PB-FF1")
    for name in FIREFIGHTERS:
        rows = _rows(cli, name)
        got = (rows["Fire Fighter I & II"], rows["Firefighter I"])
        assert got == tuple(100.0 if s == "met" else 0.0 for s in (nfpa[name], ff1[name])), (name, rows)
