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


@pytest.fixture
def medics(cli):
    """The registries as the demo loads them; 'ACLS dept' (copied from ACLS) also held by
    the ACLS-R refresher class; program Medic with the registry's ACLS and ACLS dept."""
    for registry in ("nfpa", "nremt", "proboard"):
        cli(*START, "import", registry)
    cli("requirement", "add", "--from", "ACLS", "--name", "ACLS dept", "--course", "ACLS-R")
    cli("course", "add", "--name", "ACLS refresher", "--code", "ACLS-R", "--type", "class", "--hours", "8")
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "ACLS")
    cli("program", "requirement", "add", "Medic", "ACLS dept")
    cli("program", "activate", "Medic")
    cli(*START, "member", "add", "Mo", "-e", "mo@fd.org", "-b", "M1", "--hire-date", "2018-01-01", "-p", "paramedic")
    cli(*START, "enroll", "add", "M1", "Medic")
    return cli


def test_a_refresher_one_requirement_lists_renews_the_card_for_that_one_only(medics, db):
    """Mo's ACLS card of 2025 (no expiry) and a later ACLS-R refresher valid to 2027: the
    record add took the card's credit back on every row, and the registry ACLS row dropped
    to 0%, while compliance says ACLS met (the registry's ACLS weighs the card alone). Now
    the card's credit is taken back on ACLS dept only (the refresher decides there and
    credits it): both rows 100%, both cells met."""
    cli = medics
    cli(*AS_OF, "cert", "add", "M1", "ACLS", "--issued", "2025-01-10")
    r = cli(*AS_OF, "record", "add", "M1", "-c", "ACLS-R", "--date", "2025-03-01", "--hours", "8",
            "--expires", "2027-03-01")  # fmt: skip
    assert "Took back 1 credit of a card or class record that a later one renews" in r.stderr, r.stderr
    assert (_cells(cli, "ACLS")["Mo"], _cells(cli, "ACLS dept")["Mo"]) == ("met", "met")
    rows = _rows(cli, "Mo")
    assert rows == {ACLS: 100.0, "ACLS dept": 100.0}, rows
    taken = db.rows(
        "SELECT r.name, c.source_type, c.source_id FROM progress_credit c "
        "JOIN requirement_progress rp ON rp.id = c.progress_id "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
        "JOIN requirement r ON r.id = pr.requirement_id WHERE c.amount < 0"
    )
    assert [tuple(t) for t in taken] == [("ACLS dept", "certification", "1:recredit:1")]


def test_a_refresher_that_ran_out_expires_the_card_for_its_requirement_only(medics):
    """The mirror: the ACLS-R refresher ran out on 2026-03-01. ACLS dept is expired (the
    refresher renews the card there) and its row 0%; the registry's ACLS stays met on the
    card (biennial: held to 2027-01-09) and its row 100%."""
    cli = medics
    cli(*AS_OF, "cert", "add", "M1", "ACLS", "--issued", "2025-01-10")
    r = cli(*AS_OF, "record", "add", "M1", "-c", "ACLS-R", "--date", "2025-03-01", "--hours", "8",
            "--expires", "2026-03-01")  # fmt: skip
    assert "Took back 1 credit of a card or class record that a later one renews" in r.stderr, r.stderr
    assert (_cells(cli, "ACLS")["Mo"], _cells(cli, "ACLS dept")["Mo"]) == ("met", "expired")
    assert _rows(cli, "Mo") == {ACLS: 100.0, "ACLS dept": 0.0}


def test_requirement_edit_naming_the_refresher_settles_the_renewal(cli, db):
    """ACLS dept held by the ACLS card alone: Mo's card of 2025 (no expiry) credits it;
    his ACLS-R class ran out on 2026-03-01. `requirement edit --course ACLS-R` makes the
    class the card's renewal there: compliance says expired, and the row, left at 100%,
    now falls to 0% (the registry's ACLS row, which names no refresher, stays 100%)."""
    for registry in ("nfpa", "nremt", "proboard"):
        cli(*START, "import", registry)
    cli("requirement", "add", "--from", "ACLS", "--name", "ACLS dept")
    cli("course", "add", "--name", "ACLS refresher", "--code", "ACLS-R", "--type", "class", "--hours", "8")
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "ACLS")
    cli("program", "requirement", "add", "Medic", "ACLS dept")
    cli("program", "activate", "Medic")
    cli(*START, "member", "add", "Mo", "-e", "mo@fd.org", "-b", "M1", "--hire-date", "2018-01-01", "-p", "paramedic")
    cli(*START, "enroll", "add", "M1", "Medic")
    cli(*AS_OF, "cert", "add", "M1", "ACLS", "--issued", "2025-01-10")
    cli(*AS_OF, "record", "add", "M1", "-c", "ACLS-R", "--date", "2025-03-01", "--hours", "8",
        "--expires", "2026-03-01")  # fmt: skip
    assert _rows(cli, "Mo") == {ACLS: 100.0, "ACLS dept": 100.0}
    cli(*AS_OF, "requirement", "edit", "ACLS dept", "--course", "ACLS-R")
    assert (_cells(cli, "ACLS")["Mo"], _cells(cli, "ACLS dept")["Mo"]) == ("met", "expired")
    assert _rows(cli, "Mo") == {ACLS: 100.0, "ACLS dept": 0.0}


def test_course_add_taking_in_a_free_named_refresher_settles_the_renewal(cli):
    """Mo's ACLS card of 2025 (no expiry) completed the program; a class entered under the
    free name "ACLS" (no such course yet) with an expiry of 2026-03-01. `course add --code
    ACLS` takes the class in: compliance says expired (the class renews the card), and the
    enrollment, left completed at 100%, now reopens at 0%."""
    for registry in ("nfpa", "nremt", "proboard"):
        cli(*START, "import", registry)
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "ACLS")
    cli("program", "activate", "Medic")
    cli(*START, "member", "add", "Mo", "-e", "mo@fd.org", "-b", "M1", "--hire-date", "2018-01-01", "-p", "paramedic")
    cli(*START, "enroll", "add", "M1", "Medic")
    cli(*AS_OF, "cert", "add", "M1", "ACLS", "--issued", "2025-01-10")
    assert _rows(cli, "Mo") == {ACLS: 100.0}
    cli(*AS_OF, "record", "add", "M1", "-c", "ACLS", "--date", "2025-03-01", "--hours", "8",
        "--expires", "2026-03-01")  # fmt: skip
    assert _rows(cli, "Mo") == {ACLS: 100.0}  # a free-named class is no ACLS class yet
    r = cli(*AS_OF, "course", "add", "--name", "ACLS", "--code", "ACLS", "--expiration-months", "12")
    assert "Took back 1 credit of a card or class record that a later one renews" in r.stderr, r.stderr
    assert _cells(cli, "ACLS")["Mo"] == "expired"
    assert _rows(cli, "Mo") == {ACLS: 0.0}
    (e,) = cli("--format", "json", "enroll", "list").json
    assert e["status"] != "completed"


def test_settling_a_renewal_reads_the_renewals_once_per_chunk(medics, monkeypatch):
    """`record add` of a refresher that renews a card: settle_renewals finds the member
    (one read), then resettling their credit read the renewals again for the cards and
    again for the class records. Now the one read serves all three."""
    from trainctl.services import credit_feed

    calls = []
    real = credit_feed.renewed_sources

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(credit_feed, "renewed_sources", counted)
    cli = medics
    cli(*AS_OF, "cert", "add", "M1", "ACLS", "--issued", "2025-01-10")
    calls.clear()
    r = cli(*AS_OF, "record", "add", "M1", "-c", "ACLS-R", "--date", "2025-03-01", "--hours", "8",
            "--expires", "2026-03-01")  # fmt: skip
    assert "Took back 1 credit" in r.stderr, r.stderr
    assert len(calls) == 1, calls
    assert _rows(cli, "Mo") == {ACLS: 100.0, "ACLS dept": 0.0}
