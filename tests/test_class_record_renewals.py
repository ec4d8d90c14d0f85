"""A class record of a certification's course (a refresher that renews the card) is weighed
as a card is, in program credit as in the reports (domain/certs `in_force`, the credit
feed's `renewed_sources`): a card without an expiry gives way to a later refresher with
one, and a class record without an expiry to a later card with one. Compliance called
the requirement EXPIRED while the program row kept the old card's (or record's) credit
at 100%; now both say the same, recording or voiding the renewal settles the ledger, and
an enrollment begun later takes no credit from what was renewed."""

from __future__ import annotations

import pytest

DAY = "2025-06-01"


@pytest.fixture
def acls(cli):
    """ACLS, one-time, held by the ACLS card or the ACLS-R refresher class, in program
    Medic; Ann and Bo enrolled on 2025-01-02."""
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--credential", "ACLS",
        "--course", "ACLS-R")  # fmt: skip
    cli("course", "add", "--name", "ACLS refresher", "--code", "ACLS-R", "--type", "class", "--hours", "8")
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "ACLS")
    cli("program", "activate", "Medic")
    for name in ("ann", "bo"):
        cli("member", "add", name, "--email", f"{name}@fd.org", "--hire-date", "2018-01-01")
    return cli


def _pct(cli, member: str) -> float:
    (e,) = [e for e in cli("--format", "json", "enroll", "list").json if e["member"] == member]
    (row,) = cli("--as-of", DAY, "--format", "json", "enroll", "show", str(e["id"])).json["requirements"]
    return row["percentage"]


def _cell(cli, member: str) -> str:
    cells = cli("--as-of", DAY, "report", "compliance", "--member", f"{member}@fd.org", "--format", "json").json
    return cells["cells"][0]["status"]


def _net(db) -> dict[tuple[str, str], float]:
    net: dict[tuple[str, str], float] = {}
    for stype, sid, amount in db.rows("SELECT source_type, source_id, amount FROM progress_credit"):
        key = (stype, sid.split(":", 1)[0])
        net[key] = net.get(key, 0) + amount
    return net


def test_a_refresher_class_renews_the_card_in_program_credit_too(acls, db):
    """Ann's ACLS card of 2019 (no expiry) credited the program; the ACLS-R refresher of
    2022, valid to 2024-02-01, renews it: compliance EXPIRED, and the program row now
    0% too (the card's credit taken back the day the refresher is recorded); voiding the
    refresher credits the card again."""
    cli = acls
    cli("--as-of", "2025-01-01", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2019-02-01")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Medic")
    assert _pct(cli, "ann") == 100.0
    r = cli("--as-of", DAY, "record", "add", "ann@fd.org", "-c", "ACLS-R", "--date", "2022-02-01",
            "--hours", "8", "--expires", "2024-02-01")  # fmt: skip
    assert "Took back 1 credit of a card or class record that a later one renews" in r.stderr, r.stderr
    assert _cell(cli, "ann") == "expired"
    assert _pct(cli, "ann") == 0.0
    assert _net(db) == {("certification", "1"): 0.0}
    (log,) = [e for e in cli("progress", "log", "-m", "ann@fd.org", "-r", "ACLS", "--format", "json").json
              if e["source_id"] == "1:recredit:1"]  # fmt: skip
    assert log["amount"] == -1
    r = cli("--as-of", DAY, "record", "void", "1", "--reason", "wrong member")
    assert "Credited 1 card or class record in force again" in r.stderr, r.stderr
    assert _cell(cli, "ann") == "met"
    assert _pct(cli, "ann") == 100.0


def test_a_card_renews_an_older_class_record_and_a_later_enrollment_takes_neither(acls, db):
    """Bo's ACLS-R class of 2019 (no expiry) credited the program; his ACLS card of 2022
    ran out on 2024-02-01 and renews it: both sides EXPIRED / 0%. Ann, enrolled after
    the same two are on file, is never credited the old class."""
    cli = acls
    cli("--as-of", "2025-01-01", "record", "add", "bo@fd.org", "-c", "ACLS-R", "--date", "2019-02-01", "--hours", "8")
    cli("--as-of", "2025-01-02", "enroll", "add", "bo@fd.org", "Medic")
    assert _pct(cli, "bo") == 100.0
    cli("--as-of", DAY, "cert", "add", "bo@fd.org", "ACLS", "--issued", "2022-02-01", "--expires", "2024-02-01")
    assert _cell(cli, "bo") == "expired"
    assert _pct(cli, "bo") == 0.0
    cli("--as-of", "2025-01-01", "record", "add", "ann@fd.org", "-c", "ACLS-R", "--date", "2019-02-01", "--hours", "8")
    cli("--as-of", "2025-01-01", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2022-02-01", "--expires", "2024-02-01")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Medic")
    assert _cell(cli, "ann") == "expired"
    assert _pct(cli, "ann") == 0.0
    ann = db.scalar("SELECT id FROM member WHERE email = 'ann@fd.org'")
    assert db.scalar(
        "SELECT COUNT(*) FROM progress_credit c JOIN requirement_progress rp ON rp.id = c.progress_id "
        f"JOIN enrollment e ON e.id = rp.enrollment_id WHERE e.member_id = {ann}"
    ) == 0


def test_an_old_class_imported_after_its_renewal_is_settled_at_once(acls, db, tmp_path):
    """A sign-in sheet of Bo's 2019 ACLS-R class (no expiry), imported after his 2022 card
    that ran out is on file: the import credits it nothing that stands (0%, as compliance
    says expired)."""
    cli = acls
    cli("--as-of", "2025-01-01", "cert", "add", "bo@fd.org", "ACLS", "--issued", "2022-02-01", "--expires", "2024-02-01")
    cli("--as-of", "2025-01-02", "enroll", "add", "bo@fd.org", "Medic")
    sheet = tmp_path / "old.csv"
    sheet.write_text("member,course,date,hours\nbo@fd.org,ACLS-R,2019-02-01,8\n")
    cli("--as-of", DAY, "record", "import", str(sheet))
    assert _cell(cli, "bo") == "expired"
    assert _pct(cli, "bo") == 0.0
