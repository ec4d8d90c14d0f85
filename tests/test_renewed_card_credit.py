"""Program progress follows the card that decides, as compliance does (issue 9: one
arithmetic). A 2019 Firefighter I certificate without an expiry (held for good) and the
state's renewal of 2022 that ran out on 2025-02-01: compliance says EXPIRED (the renewal
decides: domain/certs `in_force`), and the program row the old card credited stayed at
1 of 1, the enrollment completed. A card a later card renews credits no program row: its
credit is taken back through the ledger (a reversing entry dated the day the renewal is
recorded), the enrollment reopens, and a void of the renewal credits the old card again."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def academy(cli):
    """FF1 (one-time certification) in the program Academy; Ann and Bo, hired 2018."""
    cli("requirement", "add", "--name", "FF1", "--type", "certification", "--credential", "FF1")
    cli("program", "create", "Academy")
    cli("program", "requirement", "add", "Academy", "FF1")
    cli("program", "activate", "Academy")
    for name in ("ann", "bo"):
        cli("member", "add", name, "--email", f"{name}@fd.org", "--hire-date", "2018-01-01")
    return cli


def _shown(cli, enrollment: int, day: str) -> tuple[str, float, float]:
    got = cli("--as-of", day, "--format", "json", "enroll", "show", str(enrollment)).json
    (row,) = got["requirements"]
    return got["status"], row["value"], got["progress"]


def _net(db) -> dict[str, float]:
    """card id -> the net credit its ledger entries hold ("1", "1:recredit:1", ... -> "1")."""
    net: dict[str, float] = {}
    for sid, amount in db.rows("SELECT source_id, amount FROM progress_credit"):
        base = sid.split(":", 1)[0]
        net[base] = net.get(base, 0) + amount
    return net


def _cell(cli, who: str, day: str) -> str:
    cells = cli("--as-of", day, "report", "compliance", "--member", who, "--format", "json").json["cells"]
    return cells[0]["status"]


def test_a_renewal_recorded_after_the_enrollment_takes_the_old_card_s_credit_back(academy, db):
    cli = academy
    cli("--as-of", "2025-01-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2019-02-01")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Academy")
    assert _shown(cli, 1, "2025-01-02") == ("completed", 1, 100)
    r = cli("--as-of", "2025-06-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2022-02-01",
            "--expires", "2025-02-01")  # fmt: skip
    assert "Took back 1 credit of a card or class record that a later one renews" in r.stderr
    assert _cell(cli, "ann@fd.org", "2025-06-01") == "expired"
    # the enrollment is no longer complete: the certification it stood on has lapsed
    assert _shown(cli, 1, "2025-06-01") == ("active", 0, 0)
    assert db.scalar("SELECT completed_on FROM enrollment WHERE id = 1") is None
    # history kept: the credit and its reversal, dated the day the renewal was recorded
    log = [(e["amount"], e["entered_on"]) for e in
           cli("--as-of", "2025-06-01", "--format", "json", "progress", "log", "1").json]  # fmt: skip
    assert log == [(1, "2025-01-02"), (-1, "2025-06-01")], log
    # the renewal voided (entered for the wrong member): the old card decides again
    r = cli("--as-of", "2025-07-01", "cert", "void", "2", "--reason", "wrong member")
    assert "Credited 1 card or class record in force again" in r.stderr
    assert _cell(cli, "ann@fd.org", "2025-07-01") == "met"
    assert _shown(cli, 1, "2025-07-01") == ("completed", 1, 100)
    # recording it again takes the credit back again, once
    cli("--as-of", "2025-08-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2022-02-01",
        "--expires", "2025-02-01")  # fmt: skip
    assert _shown(cli, 1, "2025-08-01") == ("active", 0, 0)
    assert _net(db) == {"1": 0}


def test_a_renewal_on_file_before_the_enrollment_leaves_the_old_card_uncredited(academy, db):
    cli = academy
    cli("--as-of", "2025-06-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2019-02-01")
    cli("--as-of", "2025-06-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2022-02-01",
        "--expires", "2025-02-01")  # fmt: skip
    cli("--as-of", "2025-06-02", "enroll", "add", "ann@fd.org", "Academy")
    assert _cell(cli, "ann@fd.org", "2025-06-02") == "expired"
    assert _shown(cli, 1, "2025-06-02") == ("active", 0, 0)
    assert db.scalar("SELECT COUNT(*) FROM progress_credit") == 0


def test_a_valid_renewal_holds_the_row_in_the_old_card_s_place(academy, db):
    """A renewal still valid credits the row itself; the old card's credit is taken back
    and the row stays complete (the renewal's own expiry decides from now on)."""
    cli = academy
    cli("--as-of", "2025-01-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2019-02-01")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Academy")
    cli("--as-of", "2025-06-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2025-05-01",
        "--expires", "2028-04-30")  # fmt: skip
    assert _shown(cli, 1, "2025-06-01") == ("completed", 1, 100)
    assert _net(db) == {"1": 0, "2": 1}


def test_a_card_import_judges_every_member_s_cards_as_compliance_does(academy, tmp_path: Path, db):
    """Bulk `cert import`: Ann's old card and its run-out renewal in one file credit
    nothing; Bo's lone old card credits his row; a second import changes nothing."""
    cli = academy
    cli("--as-of", "2025-01-02", "enroll", "bulk", "Academy", "--members", "ann@fd.org,bo@fd.org")
    sheet = tmp_path / "cards.csv"
    sheet.write_text(
        "email,credential,issued,expires\n"
        "ann@fd.org,FF1,2019-02-01,\n"
        "ann@fd.org,FF1,2022-02-01,2025-02-01\n"
        "bo@fd.org,FF1,2019-02-01,\n"
    )
    cli("--as-of", "2025-06-01", "cert", "import", "--csv", str(sheet))
    assert _shown(cli, 1, "2025-06-01") == ("active", 0, 0)
    assert _shown(cli, 2, "2025-06-01") == ("completed", 1, 100)
    assert [_cell(cli, w, "2025-06-01") for w in ("ann@fd.org", "bo@fd.org")] == ["expired", "met"]
    before = db.dump()
    cli("--as-of", "2025-06-01", "cert", "import", "--csv", str(sheet))
    assert db.dump() == before


def test_the_reversal_is_never_dated_before_the_enrollment_began(academy):
    """An enrollment that begins 2026-12-01, cards entered --as-of earlier days: the old
    card's credit takes effect on the enrollment's start (domain/credit `credit_day`), and
    so does its reversal, as a void's would; dated 2026-06-15 it stood before the credit it
    took back, and before the enrollment."""
    cli = academy
    cli("--as-of", "2026-12-01", "enroll", "add", "ann@fd.org", "Academy")
    cli("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2019-02-01")
    cli("--as-of", "2026-06-15", "cert", "add", "ann@fd.org", "FF1", "--issued", "2022-02-01",
        "--expires", "2025-02-01")  # fmt: skip
    log = [(e["amount"], e["entered_on"]) for e in
           cli("--as-of", "2026-12-01", "--format", "json", "progress", "log", "1").json]  # fmt: skip
    assert log == [(1, "2026-12-01"), (-1, "2026-12-01")], log
