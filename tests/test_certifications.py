"""Certifications end to end: valid through the expiry day, the latest expiry decides in any
order, codes match exactly (BLS never satisfies ACLS), idempotent imports that credit once,
bad rows named with file, line and field, voids, permissions."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainctl.queries.certifications import standing


def _csv(tmp_path: Path, name: str, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def _acls(cli, enrollment: int = 1) -> float:
    rows = cli("--format", "json", "enroll", "show", str(enrollment)).json["requirements"]
    return {r["requirement"]: r["percentage"] for r in rows}["ACLS"]


def _cards(cli, *args: str, local: tuple[str, ...] = ()) -> list[tuple[str, str | None, str]]:
    rows = cli(*args, "--format", "json", "cert", "list", *local).json
    return [(c["credential_code"], c["expires_on"], c["status"]) for c in rows]


@pytest.fixture
def medics(cli):
    """An officer; Ann (badge 0042) and Bo enrolled on 2026-01-01 in a program requiring ACLS."""
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org")
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--credential", "ACLS")
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "1", "ACLS")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Medic", "--members", "ann@fd.org,bo@fd.org")
    return cli


def _card(i, expires, issued=date(2024, 1, 1), member=1, code="ACLS", void=None):
    return SimpleNamespace(id=i, member_id=member, credential_code=code, issued_on=issued,
                           expires_on=expires, voided_at=void)  # fmt: skip


TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("cards", "expected"),
    [
        ([_card(1, date(2026, 6, 1))], {1: ("valid", True)}),  # expires today: still valid
        ([_card(1, date(2026, 5, 31))], {1: ("expired", True)}),
        ([_card(1, None)], {1: ("valid", True)}),
        # the latest expiry decides, whatever order (id) the cards came in
        ([_card(1, date(2028, 1, 1), date(2026, 1, 1)), _card(2, date(2026, 1, 1), date(2024, 1, 1))],
         {1: ("valid", True), 2: ("superseded", False)}),
        ([_card(1, date(2026, 1, 1), date(2024, 1, 1)), _card(2, date(2028, 1, 1), date(2026, 1, 1))],
         {1: ("superseded", False), 2: ("valid", True)}),
        ([_card(1, date(2028, 1, 1)), _card(2, None)], {1: ("superseded", False), 2: ("valid", True)}),
        # codes are separate credentials; case and spaces aside they are one
        ([_card(1, date(2020, 1, 1), code="BLS"), _card(2, date(2028, 1, 1), code="ACLS")],
         {1: ("expired", True), 2: ("valid", True)}),
        ([_card(1, date(2020, 1, 1), code="acls"), _card(2, date(2028, 1, 1), code=" ACLS ")],
         {1: ("superseded", False), 2: ("valid", True)}),
        ([_card(1, date(2028, 1, 1), issued=date(2026, 7, 1))], {1: ("not yet issued", False)}),
        ([_card(1, date(2028, 1, 1), void=object()), _card(2, date(2026, 5, 1))],
         {1: ("void", False), 2: ("expired", True)}),
    ],
)  # fmt: skip
def test_which_card_decides(cards, expected):
    assert standing(cards, TODAY) == expected


def test_a_card_expiring_today_is_valid_and_credits(medics):
    medics("--as-of", "2026-06-30", "cert", "add", "ann@fd.org", "acls", "--number", "A-1",
           "--issued", "2024-06-30", "--expires", "2026-06-30")  # fmt: skip
    assert _acls(medics) == 100
    assert _cards(medics, "--as-of", "2026-06-30") == [("ACLS", "2026-06-30", "valid")]
    assert _cards(medics, "--as-of", "2026-07-01") == [("ACLS", "2026-06-30", "expired")]
    # entered the day after it expired: it credits nothing
    medics("--as-of", "2026-07-01", "cert", "add", "bo@fd.org", "ACLS", "--issued", "2024-06-30",
           "--expires", "2026-06-30")  # fmt: skip
    assert _acls(medics, 2) == 0


def test_bls_never_satisfies_acls(medics):
    r = medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "BLS", "--issued", "2026-01-01",
               "--expires", "2028-01-01")  # fmt: skip
    assert "Credited" not in r.stderr and _acls(medics) == 0
    medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", " acls ", "--issued", "2026-01-01")
    assert _acls(medics) == 100
    assert _cards(medics, "--as-of", "2026-06-01", local=("--code", "acls")) == [("ACLS", None, "valid")]


@pytest.mark.parametrize("order", [("new", "old"), ("old", "new")])
def test_the_latest_expiry_decides_in_any_order(medics, order):
    cards = {
        "new": ("--issued", "2026-05-01", "--expires", "2028-05-31"),
        "old": ("--issued", "2024-05-01", "--expires", "2026-05-31"),
    }
    for which in order:
        medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "ACLS", *cards[which])
    assert _cards(medics, "--as-of", "2026-06-01") == [
        ("ACLS", "2028-05-31", "valid"), ("ACLS", "2026-05-31", "superseded"),
    ]  # fmt: skip
    assert _acls(medics) == 100
    soon = medics("--as-of", "2026-06-01", "--format", "json", "cert", "list", "--expiring-within", "700").json
    assert soon == []  # the deciding card expires in 730 days
    soon = medics("--as-of", "2028-05-01", "--format", "json", "cert", "list", "--expiring-within", "30").json
    assert [(c["expires_on"], c["days_left"]) for c in soon] == [("2028-05-31", 30)]


SHEET = (
    "Name;E-mail;Badge #;Credential;Card #;Issued;Expires;;\n"
    "Ann Lee;ANN@fd.org;;ACLS;A-1;2026-01-15;2028-01-31;;\n"
    "Bo Diaz;bo@fd.org;;BLS;B-7;2025-02-01;;;\n"
    "Ann Lee;;42;BLS;B-8;2025-02-01;2027-02-28;;\n"
)


def test_import_is_idempotent_and_credits_once(medics, tmp_path, snapshot, db):
    sheet = _csv(tmp_path, "cards.csv", SHEET, bom=True)
    empty = snapshot()
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet, "--dry-run")
    assert "3 rows read, 3 would add" in r.stderr and "Dry run: nothing was written" in r.stderr
    assert snapshot() == empty
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    assert "3 rows read, 3 added" in r.stderr and "Credited 1 progress row for 1 member" in r.stderr
    assert _acls(medics) == 100 and _acls(medics, 2) == 0
    before = snapshot()
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    assert "3 rows read, 0 added, 3 already recorded" in r.stderr and "Credited" not in r.stderr
    assert snapshot() == before
    # the same card with another expiry is refused, naming the field; nothing is written
    changed = _csv(tmp_path, "changed.csv", SHEET.replace("2028-01-31", "2028-02-29"))
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", changed, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    # the card's id, not 1: a PostgreSQL sequence also counts the rolled-back dry run
    card = db.scalar("SELECT id FROM certification WHERE credential_code = 'ACLS' AND issued_on = '2026-01-15'")
    assert f"changed.csv, line 2, field expires: the ACLS card issued 2026-01-15 is on file (card {card}) with expiry 2028-01-31" in r.stderr


def test_bad_card_rows_are_named_and_nothing_is_written(medics, tmp_path, snapshot):
    sheet = _csv(tmp_path, "bad.csv", (
        "email,credential,number,issued,expires\n"
        "ann@fd.org,PALS,P-1,2026-01-01,2028-01-01\n"
        "nobody@fd.org,ACLS,,2026-01-01,\n"
        "ann@fd.org,,,2026-01-01,\n"
        "ann@fd.org,ACLS,,2026-02-29,\n"
        "ann@fd.org,ACLS,,2026-03-01,2026-02-01\n"
        "ann@fd.org,ACLS,,2027-01-01,\n"
        "ann@fd.org,AC\x1bLS,,2026-01-01,\n"
        "ann@fd.org,ACLS,,2026-01-01,9999-12-31\n"
    ))  # fmt: skip
    before = snapshot()
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    for expected in (
        "bad.csv, line 3, field email: no member has the e-mail 'nobody@fd.org'",
        "bad.csv, line 4, field credential: is required",
        "bad.csv, line 5, field issued: is not a date: 2026 is not a leap year",
        "bad.csv, line 6, field expires: 2026-02-01 is before the card was issued (2026-03-01)",
        "bad.csv, line 7, field issued: 2027-01-01 is after today (2026-06-01)",
        "bad.csv, line 8, field credential: contains a control character",
        "bad.csv, line 9, field expires: year 9999 is out of range",
    ):
        assert expected in r.stderr, (expected, r.stderr)
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "8 rows read, 1 added" in r.stderr and "7 rejected" in r.stderr
    assert _cards(medics, "--as-of", "2026-06-01") == [("PALS", "2028-01-01", "valid")]


def test_a_void_takes_the_credit_back_and_an_import_does_not_bring_it_back(medics, tmp_path):
    sheet = _csv(tmp_path, "cards.csv", SHEET)
    medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    r = medics("--as-of", "2026-06-01", "cert", "void", "1", "--reason", "wrong member")
    assert "reversed 1 credit" in r.stderr and _acls(medics) == 0
    assert "already void" in medics("cert", "void", "1", "--reason", "again").stderr
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    assert "1 match void rows (not brought back)" in r.stderr and _acls(medics) == 0
    shown = medics("--as-of", "2026-06-01", "--format", "json", "cert", "list", "--include-void").json
    assert [(c["id"], c["status"], c["void_reason"]) for c in shown if c["id"] == 1] == [(1, "void", "wrong member")]
    # the corrected card is added
    medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2026-01-15",
           "--expires", "2028-01-30")  # fmt: skip
    assert _acls(medics) == 100


def test_feb_29_and_year_end_expiry(medics):
    medics("--as-of", "2028-03-01", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2028-02-29",
           "--expires", "2030-02-28")  # fmt: skip
    medics("--as-of", "2026-06-01", "cert", "add", "bo@fd.org", "PALS", "--issued", "2024-12-31",
           "--expires", "2026-12-31")  # fmt: skip
    assert _cards(medics, "--as-of", "2026-12-31", local=("--member", "bo@fd.org")) == [("PALS", "2026-12-31", "valid")]
    assert _cards(medics, "--as-of", "2027-01-01", local=("--member", "bo@fd.org")) == [("PALS", "2026-12-31", "expired")]
    assert _cards(medics, "--as-of", "2028-03-01", local=("--member", "ann@fd.org")) == [("ACLS", "2030-02-28", "valid")]


def test_single_add_problems_name_the_option(medics, snapshot):
    before = snapshot()
    r = medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2026-02-30", ok=False)
    assert r.exit_code == 65 and "--issued: is not a date: February 2026 has 28 days" in r.stderr
    r = medics("--as-of", "2026-06-01", "cert", "add", "nobody@fd.org", "ACLS", "--issued", "2026-01-01", ok=False)
    assert r.exit_code == 1 and "No member 'nobody@fd.org'" in r.stderr
    assert snapshot() == before


def test_a_card_issued_before_the_hire_date_is_said_with_its_issue_date(medics, tmp_path):
    """A card issued before its holder was hired (a CPR card from the academy) is recorded
    and said; the note called the card's issue date "the shift date"."""
    medics("member", "edit", "ann@fd.org", "--hire-date", "2026-02-01")
    sheet = _csv(tmp_path, "cards.csv", "badge,credential,number,issued,expires\n0042,ACLS,A1,2026-01-20,2028-01-31\n")
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", str(sheet))
    assert ("cards.csv, line 2: Ann Lee was hired on 2026-02-01, after the issue date 2026-01-20: recorded "
            "as given; check the date.") in r.stderr, r.stderr  # fmt: skip
    r = medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2026-01-10")
    assert "Ann Lee was hired on 2026-02-01, after the issue date 2026-01-10" in r.stderr, r.stderr
    assert "shift date" not in r.stderr


def test_permissions(medics, snapshot):
    medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2026-01-01")
    medics("--as-of", "2026-06-01", "cert", "add", "bo@fd.org", "BLS", "--issued", "2026-01-01")
    before = snapshot()
    r = medics("--as", "bo@fd.org", "cert", "add", "bo@fd.org", "ACLS", "--issued", "2026-01-01", ok=False)
    assert r.exit_code == 77 and snapshot() == before
    assert _cards(medics, "--as", "bo@fd.org") == [("BLS", None, "valid")]
    assert medics("--as", "bo@fd.org", "cert", "list", "--member", "ann@fd.org", ok=False).exit_code == 77
    assert len(_cards(medics, "--as", "olive@fd.org")) == 2


def test_a_card_whose_code_no_requirement_names_is_recorded_with_a_notice(medics, tmp_path):
    """'ACL' for ACLS credits nothing: recorded as given (a card may be kept for its own
    sake), but said, with the line and the code it may have meant (review)."""
    r = medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "ACL", "--issued", "2026-01-15",
               "--expires", "2028-01-31")  # fmt: skip
    assert "credential ACL: no requirement names it, so the card counts toward none; did you mean ACLS?" in r.stderr
    assert "Recorded certification card" in r.stderr and _acls(medics) == 0
    sheet = _csv(tmp_path, "cards.csv", "member,credential,issued,expires\nbo@fd.org,ACLS,2026-01-15,2028-01-31\n"
                 "ann@fd.org,HAZMAT-OPS,2026-01-15,\n")  # fmt: skip
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    assert "credential HAZMAT-OPS (line 3): no requirement names it" in r.stderr, r.stderr
    assert "ACLS" not in r.stderr.split("Warning:")[1].split("\n")[0]


def test_a_code_that_is_a_named_one_save_spaces_and_punctuation_is_read_as_it(medics, tmp_path, snapshot):
    """'CPR BLS' typed in Excel for the registry's CPR-BLS (review r1): written as typed,
    the card counted toward nothing and a corrected file added a second card beside it.
    Read as the code a requirement names, and said, in a file and in `cert add`; a code
    whose skeleton two named codes share is left as typed."""
    medics("requirement", "add", "--name", "CPR", "--type", "certification", "--credential", "CPR-BLS")
    sheet = _csv(tmp_path, "cards.csv", "member,credential,issued,expires\n"
                 "ann@fd.org,CPR BLS,2/10/2026,2/10/2028\nbo@fd.org,acls ,2026-01-15,2028-01-31\n")  # fmt: skip
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    assert "credential CPR BLS (line 2) read as CPR-BLS, the code a requirement names." in r.stderr, r
    assert "no requirement names it" not in r.stderr
    assert ("CPR-BLS", "2028-02-10", "valid") in _cards(medics, "--as-of", "2026-06-01")
    # the corrected file is the same card: nothing more is written
    before = snapshot()
    sheet.write_text("member,credential,issued,expires\nann@fd.org,CPR-BLS,2026-02-10,2028-02-10\n")
    r = medics("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    assert "1 already" in r.stderr or "already recorded" in r.stderr, r
    assert snapshot() == before
    r = medics("--as-of", "2026-06-01", "cert", "add", "bo@fd.org", "A.C.L.S.", "--issued", "2026-02-01",
               "--expires", "2028-02-29")  # fmt: skip
    assert "credential A.C.L.S. read as ACLS" in r.stderr and _acls(medics, 2) == 100
    # two named codes with one skeleton: neither is guessed
    medics("requirement", "add", "--name", "Firefighter one", "--type", "certification", "--credential", "FF-1")
    medics("requirement", "add", "--name", "Firefighter I", "--type", "certification", "--credential", "FF1")
    r = medics("--as-of", "2026-06-01", "cert", "add", "ann@fd.org", "FF/1", "--issued", "2026-02-01")
    assert "read as" not in r.stderr and "credential FF/1: no requirement names it" in r.stderr, r


def test_an_nremt_card_that_places_a_cycle_is_no_unknown_code(cli):
    """NREMT-EMT names no certification requirement's credential, but it places the NCCP
    cycle of the imported NREMT-EMT (second review: it drew the 'counts toward none'
    notice, inviting an officer to void a card that matters)."""
    cli("-q", "import", "nremt")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    r = cli("cert", "add", "ann@fd.org", "NREMT-EMT", "--issued", "2026-05-01", "--expires", "2028-03-31")
    assert "no requirement names it" not in r.stderr, r.stderr


def _row(table: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is `first` (its first line)."""
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in\n{table}")


def test_the_compliance_report_says_expired_since_when_and_no_card(medics):
    """A card that ran out is due since its last valid day (JSON `due`, the table's Due);
    the Figure reads valid, expired or no card, never blank for a cell that applies."""
    medics("cert", "add", "ann@fd.org", "ACLS", "--issued", "2024-06-30", "--expires", "2026-06-30")
    cells = medics("--as-of", "2026-07-01", "--format", "json", "report", "compliance").json["cells"]
    got = {(c["member"], c["requirement"]): (c["status"], c["due"]) for c in cells}
    assert got[("Ann Lee", "ACLS")] == ("expired", "2026-06-30")
    assert got[("Bo Diaz", "ACLS")] == ("overdue", None)

    def row(day: str, member: str) -> list[str]:
        table = medics("--as-of", day, "report", "compliance", "--member", member).stdout
        return _row(table, "ACLS")[:4]  # requirement, status, figure, due

    assert row("2026-07-01", "Ann Lee") == ["ACLS", "EXPIRED", "expired", "2026-06-30"]
    assert row("2026-07-01", "bo diaz") == ["ACLS", "OVERDUE", "no card", ""]
    assert row("2026-06-30", "0042") == ["ACLS", "met", "valid", "2026-06-30"]


def test_what_an_import_sets_in_motion_says_whose_it_is(cli, tmp_path):
    """Two members' cards in one import: each line of what followed (a milestone reached)
    names its member (two identical "Milestone reached" lines named nobody; a review)."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    cli("member", "add", "Bo Diaz", "--email", "bo@fd.org")
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--credential", "ACLS")
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "ACLS")
    cli("program", "milestone", "add", "Medic", "Carded", "--threshold", "100")
    cli("program", "activate", "Medic")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Medic", "--members", "ann@fd.org,bo@fd.org")
    sheet = _csv(tmp_path, "cards.csv", "email,credential,issued,expires\n"
                 "ann@fd.org,ACLS,2026-01-15,2028-01-31\nbo@fd.org,ACLS,2026-02-01,2028-02-29\n")  # fmt: skip
    r = cli("--as-of", "2026-06-01", "cert", "import", "--csv", sheet)
    assert "Ann Lee: Milestone reached: Carded (100%)." in r.stderr, r.stderr
    assert "Bo Diaz: Milestone reached: Carded (100%)." in r.stderr


def test_report_expiring_lists_what_the_compliance_summary_counts(cli):
    """A BLS card without an expiry holds the biennial requirement 24 months from its
    issue: `report expiring` lists it on that day (assumed), as the compliance summary
    line counts it; a newer card with an expiry on file decides over an older one
    without (it was hidden behind it); a one-time FF1 without an expiry holds for good."""
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial")  # fmt: skip
    cli("requirement", "add", "--name", "FF1", "--type", "certification", "--credential", "FF1")
    for name in ("ann", "bo", "cy"):
        cli("member", "add", name, "--email", f"{name}@fd.org")
    as_of = ("--as-of", "2026-01-05")
    cli(*as_of, "cert", "add", "ann@fd.org", "BLS", "--issued", "2024-02-01")  # through 2026-01-31
    cli(*as_of, "cert", "add", "bo@fd.org", "BLS", "--issued", "2022-02-01")
    cli(*as_of, "cert", "add", "bo@fd.org", "BLS", "--issued", "2024-03-01", "--expires", "2026-02-28")
    cli(*as_of, "cert", "add", "cy@fd.org", "FF1", "--issued", "2001-02-01")
    cli(*as_of, "cert", "add", "cy@fd.org", "BLS", "--issued", "2025-02-01", "--expires", "2026-01-10")
    rows = cli(*as_of, "report", "expiring", "--within", "90", "--format", "json").json
    assert [(r["member"], r["expires_on"], r["days_left"], r["expiry_assumed"]) for r in rows] == [
        ("cy", "2026-01-10", 5, False), ("ann", "2026-01-31", 26, True), ("bo", "2026-02-28", 54, False),
    ]  # fmt: skip
    table = cli(*as_of, "report", "expiring", "--within", "30")
    assert "2026-01-31 (assumed)" in table.stdout and "bo" not in table.stdout
    assert "(assumed): no expiry on file; the card holds the renewing requirement" in " ".join(
        table.stderr.split())  # fmt: skip
    summary = cli(*as_of, "report", "compliance", "--requirement", "BLS").stderr
    assert "2 run out within 30 days (`trainctl --as-of 2026-01-05 report expiring --within 30 " \
           "--requirement BLS`)" in summary  # (the requirement's cards, as the line counts them)
    assert cli(*as_of, "report", "expiring", "--within", "30", "--format", "csv").stdout.count("\n") == 3


def test_cert_list_says_a_card_without_an_expiry_ran_out_when_compliance_does(cli):
    """`cert list` judged a 2022 BLS card without an expiry valid for good (and deciding
    over Bo's renewed card) while compliance called BLS expired: with a biennial BLS
    requirement the card is valid through its assumed last day, then expired, and the
    latest last day decides; --expiring-within finds it; FF1 (one-time) holds for good."""
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial")  # fmt: skip
    cli("requirement", "add", "--name", "FF1", "--type", "certification", "--credential", "FF1")
    for name in ("ann", "bo"):
        cli("member", "add", name, "--email", f"{name}@fd.org")
    cli("--as-of", "2026-01-05", "cert", "add", "ann@fd.org", "BLS", "--issued", "2024-02-01")
    cli("--as-of", "2026-01-05", "cert", "add", "ann@fd.org", "FF1", "--issued", "2001-02-01")
    cli("--as-of", "2026-01-05", "cert", "add", "bo@fd.org", "BLS", "--issued", "2022-02-01")
    cli("--as-of", "2026-01-05", "cert", "add", "bo@fd.org", "BLS", "--issued", "2024-03-01",
        "--expires", "2026-02-28")  # fmt: skip

    def cards(as_of: str, *more: str) -> list[tuple]:
        rows = cli("--as-of", as_of, "cert", "list", *more, "--format", "json").json
        return [(c["member"], c["credential_code"], c["issued_on"], c["assumed_through"], c["status"],
                 c["days_left"]) for c in rows]  # fmt: skip

    assert cards("2026-01-31") == [
        ("ann", "BLS", "2024-02-01", "2026-01-31", "valid", 0),
        ("ann", "FF1", "2001-02-01", None, "valid", None),
        ("bo", "BLS", "2024-03-01", None, "valid", 28),
        ("bo", "BLS", "2022-02-01", "2024-01-31", "superseded", None),
    ]  # fmt: skip
    first = cards("2026-02-01")[0]
    assert first[:2] + first[4:] == ("ann", "BLS", "expired", None)
    cell = cli("--as-of", "2026-02-01", "report", "compliance", "--member", "ann@fd.org",
               "--requirement", "BLS", "--format", "json").json["cells"][0]  # fmt: skip
    assert cell["status"] == "expired"
    assert [c[0] for c in cards("2026-01-20", "--expiring-within", "39")] == ["ann", "bo"]
    assert [c[0] for c in cards("2026-01-20", "--expiring-within", "38")] == ["ann"]
    table = cli("--as-of", "2026-01-20", "cert", "list", "--member", "ann@fd.org")
    assert "2026-01-31 (assumed)" in table.stdout and "(assumed): no expiry on file" in table.stderr
    csv = cli("--as-of", "2026-01-20", "cert", "list", "--member", "ann@fd.org", "--format", "csv").stdout
    assert csv.splitlines()[0].split(",")[8:11] == ["expires_on", "assumed_through", "status"]
    assert ",2026-01-31,valid,11" in csv


def _statuses(cli, as_of: str) -> list[tuple]:
    rows = cli("--as-of", as_of, "cert", "list", "--format", "json").json
    return [(c["member"], c["credential_code"], c["status"], c["assumed_through"]) for c in rows]


def test_a_card_is_held_to_the_renewing_requirements_that_apply_to_its_holder(cli):
    """BLS for everyone (one-time) and an annual BLS for paramedics: Ann (no paramedic)
    holds BLS for good with a card without an expiry; Pat (a paramedic) for 12 months.
    Compliance, cert list, report expiring and the warnings agree."""
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS")
    cli("requirement", "add", "--name", "Medic BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "annual", "--position", "paramedic")  # fmt: skip
    cli("member", "add", "ann", "--email", "ann@fd.org", "--hire-date", "2020-01-01")
    cli("member", "add", "pat", "--email", "pat@fd.org", "--position", "paramedic", "--hire-date", "2020-01-01")
    for who in ("ann@fd.org", "pat@fd.org"):
        cli("--as-of", "2026-01-10", "cert", "add", who, "BLS", "--issued", "2025-06-20")
    assert _statuses(cli, "2026-06-01") == [("ann", "BLS", "valid", None), ("pat", "BLS", "valid", "2026-06-19")]
    rows = cli("--as-of", "2026-06-01", "report", "expiring", "--within", "60", "--format", "json").json
    assert [(r["member"], r["expires_on"]) for r in rows] == [("pat", "2026-06-19")]
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-06-01").json
    assert [(d["email"], d["threshold"]) for d in got if d["kind"] == "cert_expiry"] == [("pat@fd.org", "30d")]
    cells = cli("--as-of", "2026-06-20", "report", "compliance", "--format", "json").json["cells"]
    assert {(c["member"], c["requirement"]): c["status"] for c in cells if c["status"] != "not_applicable"} == {
        ("ann", "BLS"): "met", ("pat", "BLS"): "met", ("pat", "Medic BLS"): "expired"}  # fmt: skip
    assert _statuses(cli, "2026-06-20")[1] == ("pat", "BLS", "expired", "2026-06-19")


def test_a_card_is_held_to_the_positions_its_holder_held_that_day(cli):
    """BLS renews every two years for EMTs: Kim (an EMT until 2026-12-01) holds a 2023
    card without an expiry through 2025-04-30, so as of 2025-06-01 it had run out, as
    compliance says for that day, also after Kim left EMS (cert list read today's
    positions: valid for good); Fred, an EMT since 2025-08-01, held it for good before."""
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial", "--position", "emt")  # fmt: skip
    cli("--as-of", "2024-01-01", "member", "add", "kim", "--email", "kim@fd.org", "--position", "firefighter,emt",
        "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2024-01-01", "member", "add", "fred", "--email", "fred@fd.org", "--position", "firefighter",
        "--hire-date", "2020-01-01")  # fmt: skip
    for who in ("kim@fd.org", "fred@fd.org"):
        cli("--as-of", "2024-01-01", "cert", "add", who, "BLS", "--issued", "2023-05-01")
    cli("--as-of", "2025-08-01", "member", "edit", "fred@fd.org", "--add-position", "emt", "--effective", "2025-08-01")
    cli("--as-of", "2026-12-01", "member", "edit", "kim@fd.org", "--remove-position", "emt", "--effective",
        "2026-12-01")  # fmt: skip
    assert _statuses(cli, "2025-06-01") == [("fred", "BLS", "valid", None), ("kim", "BLS", "expired", "2025-04-30")]
    cell = cli("--as-of", "2025-06-01", "report", "compliance", "--member", "kim@fd.org", "--format", "json").json
    assert cell["cells"][0]["status"] == "expired"
    rows = cli("--as-of", "2025-03-01", "report", "expiring", "--within", "90", "--format", "json").json
    assert [(r["member"], r["expires_on"]) for r in rows] == [("kim", "2025-04-30")]
    assert _statuses(cli, "2026-12-01") == [("fred", "BLS", "expired", "2025-04-30"), ("kim", "BLS", "valid", None)]


def test_a_card_is_held_to_the_requirement_as_it_stood_that_day(cli):
    """BLS was annual until 2025-12-31 and biennial since: as of 2025-07-01 a card of
    2024-06-01 without an expiry had run out (annual), as compliance judges that day."""
    cli("--as-of", "2024-01-01", "requirement", "add", "--name", "BLS", "--type", "certification",
        "--credential", "BLS", "--frequency", "annual")  # fmt: skip
    cli("member", "add", "ann", "--email", "ann@fd.org", "--hire-date", "2020-01-01")
    cli("--as-of", "2026-01-10", "requirement", "edit", "BLS", "--frequency", "biennial", "--effective",
        "2026-01-01")  # fmt: skip
    cli("--as-of", "2026-01-10", "cert", "add", "ann@fd.org", "BLS", "--issued", "2024-06-01")
    cell = cli("--as-of", "2025-07-01", "report", "compliance", "--format", "json").json["cells"][0]
    assert cell["status"] == "expired"
    assert _statuses(cli, "2025-07-01") == [("ann", "BLS", "expired", "2025-05-31")]
    assert _statuses(cli, "2026-01-10") == [("ann", "BLS", "valid", "2026-05-31")]


def test_a_requirement_naming_the_credential_as_a_course_code_renews_its_cards(cli):
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--course", "ACLS",
        "--frequency", "biennial")  # fmt: skip
    cli("member", "add", "ann", "--email", "ann@fd.org", "--hire-date", "2020-01-01")
    cli("--as-of", "2026-01-10", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2024-06-01")
    cell = cli("--as-of", "2026-07-15", "report", "compliance", "--format", "json").json["cells"][0]
    assert cell["status"] == "expired"
    assert _statuses(cli, "2026-07-15") == [("ann", "ACLS", "expired", "2026-05-31")]
    rows = cli("--as-of", "2026-05-15", "report", "expiring", "--within", "60", "--format", "json").json
    assert [r["expires_on"] for r in rows] == ["2026-05-31"]


def test_report_expiring_lists_the_class_record_that_holds_a_credential(cli):
    """Ann holds ACLS by a class record alone (2025-06-01, no expiry: through 2027-05-31);
    the compliance summary counted it as running out while `report expiring` said nothing
    ran out. It is listed in a card's place; Bo's card, which holds longer than his class,
    is listed as the card; both lists count the same."""
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--credential", "ACLS",
        "--frequency", "biennial")  # fmt: skip
    cli("course", "add", "--name", "ACLS class", "--code", "ACLS")
    cli("member", "add", "ann", "--email", "ann@fd.org", "--hire-date", "2020-01-01")
    cli("member", "add", "bo", "--email", "bo@fd.org", "--hire-date", "2020-01-01")
    for who in ("ann@fd.org", "bo@fd.org"):
        cli("--as-of", "2026-01-10", "record", "add", who, "--course", "ACLS", "--date", "2025-06-01",
            "--hours", "16", "--type", "class")  # fmt: skip
    cli("--as-of", "2026-01-10", "cert", "add", "bo@fd.org", "ACLS", "--issued", "2025-07-01",
        "--expires", "2027-07-31")  # fmt: skip
    as_of = ("--as-of", "2027-05-15")
    rows = cli(*as_of, "report", "expiring", "--within", "90", "--format", "json").json
    assert [(r["member"], r["credential_code"], r["expires_on"], r["days_left"], r["expiry_assumed"],
             r["held_by"], r["number"]) for r in rows] == [
        ("ann", "ACLS", "2027-05-31", 16, True, "class record", None),
        ("bo", "ACLS", "2027-07-31", 77, False, "card", None),
    ]  # fmt: skip
    assert rows[0]["source_id"] == 1 and rows[0]["issued_on"] == "2025-06-01"
    summary = cli(*as_of, "report", "compliance").stderr
    assert "2 met of 2 applicable; 1 runs out within 30 days" in summary, summary
    table = cli(*as_of, "report", "expiring", "--within", "30")
    assert "class record #1" in table.stdout and "bo" not in table.stdout
    assert "(assumed), class record: no expiry on file" in " ".join(table.stderr.split())
    assert "void the card" not in table.stderr
    # the day after its last day the record holds nothing: expired in both
    assert cli("--as-of", "2027-06-01", "report", "expiring", "--within", "30", "--format", "json").json == []
    cells = cli("--as-of", "2027-06-01", "report", "compliance", "--format", "json").json["cells"]
    assert [c["status"] for c in cells] == ["expired", "met"]


def test_a_class_record_that_holds_the_credential_longer_decides_over_a_card(cli):
    """An ACLS card without an expiry (2024-07-01: held through 2026-06-30) and an ACLS
    class on 2025-06-01 (held through 2027-05-31): compliance is met by the class; cert
    list says the card gave way, report expiring and the warnings leave it out, and a
    program credits the class as compliance counts it."""
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--credential", "ACLS",
        "--frequency", "biennial")  # fmt: skip
    cli("course", "add", "--name", "ACLS class", "--code", "ACLS")
    cli("member", "add", "ann", "--email", "ann@fd.org", "--hire-date", "2020-01-01")
    cli("--as-of", "2026-01-10", "cert", "add", "ann@fd.org", "ACLS", "--issued", "2024-07-01")
    cli("--as-of", "2026-01-10", "record", "add", "ann@fd.org", "--course", "ACLS", "--date", "2025-06-01",
        "--hours", "16", "--type", "class")  # fmt: skip
    cell = cli("--as-of", "2026-07-15", "report", "compliance", "--format", "json").json["cells"][0]
    assert cell["status"] == "met"
    assert _statuses(cli, "2026-07-15") == [("ann", "ACLS", "superseded", "2026-06-30")]
    assert cli("--as-of", "2026-06-01", "report", "expiring", "--within", "60", "--format", "json").json == []
    got = cli("--format", "json", "reminders", "preview", "--as-of", "2026-06-01").json
    assert [d for d in got if d["kind"] == "cert_expiry"] == []
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "ACLS")
    cli("program", "activate", "Medic")
    cli("--as-of", "2026-07-15", "enroll", "add", "ann@fd.org", "Medic")
    (row,) = cli("--as-of", "2026-07-15", "enroll", "show", "1", "--format", "json").json["requirements"]
    assert row["value"] == 1, row


def test_a_class_record_of_a_course_listed_beside_the_credential_holds_it_everywhere(cli):
    """"ACLS current" names the credential ACLS and the course ACLS-C (24 months). Dana's
    ACLS-C class of 2025-01-10 holds it through 2027-01-09: compliance counted it (met,
    "1 runs out within 30 days") while `report expiring` listed nothing, no warning was
    ever due, and her older ACLS card was called expired, not superseded. One rule
    (domain/certs.holding_codes): the class holds ACLS in every list."""
    cli("member", "add", "Dana Ruiz", "--email", "druiz@x.example", "--badge", "F-203", "--position", "emt",
        "--hire-date", "2016-09-01")  # fmt: skip
    cli("course", "add", "--code", "ACLS-C", "--name", "ACLS provider course", "--type", "class", "--hours", "16",
        "--expiration-months", "24")  # fmt: skip
    cli("requirement", "add", "--name", "ACLS current", "--type", "certification", "--credential", "ACLS",
        "--course", "ACLS-C", "--frequency", "biennial", "--position", "emt")  # fmt: skip
    cli("--as-of", "2025-02-01", "record", "add", "F-203", "--course", "ACLS-C", "--date", "2025-01-10")
    cli("--as-of", "2025-02-01", "cert", "add", "F-203", "ACLS", "--issued", "2023-01-01", "--expires", "2025-06-30")
    as_of = ("--as-of", "2026-12-20")
    summary = cli(*as_of, "report", "compliance").stderr
    assert "1 met of 1 applicable; 1 runs out within 30 days" in summary, summary
    rows = cli(*as_of, "report", "expiring", "--within", "30", "--format", "json").json
    assert [(r["member"], r["credential_code"], r["expires_on"], r["days_left"], r["held_by"], r["source_id"])
            for r in rows] == [("Dana Ruiz", "ACLS", "2027-01-09", 20, "class record", 1)]  # fmt: skip
    assert _statuses(cli, "2026-12-20") == [("Dana Ruiz", "ACLS", "superseded", None)]
    warned = []
    for day in ("2026-12-10", "2027-01-02", "2027-01-09"):
        got = cli("--format", "json", "reminders", "preview", "--as-of", day).json
        warned += [(d["email"], d["kind"], d["threshold"]) for d in got]
        if day == "2026-12-10":  # its expiry is on file (the course's 24 months): not assumed
            assert "held by class record ACLS provider course" in got[0]["why"], got
            assert "no expiry on file" not in got[0]["why"], got
        cli("reminders", "send", "--as-of", day, "--transport", "stdout")
    assert warned == [("druiz@x.example", "cert_expiry", t) for t in ("30d", "7d", "0d")]
    # the day after its last day: expired in compliance, nothing left to list
    assert cli("--as-of", "2027-01-10", "report", "expiring", "--within", "30", "--format", "json").json == []
    cell = cli("--as-of", "2027-01-10", "report", "compliance", "--format", "json").json["cells"][0]
    assert cell["status"] == "expired"


def test_a_class_record_of_a_course_with_months_lasts_as_long_as_a_card(cli):
    """ACLS (24 months) taken and carded on 2026-11-20: the card (no expiry on file) was
    assumed through 2028-11-19 while the class record's default expiry said 2028-11-20, a
    day longer, so `cert list` called the card superseded and `report expiring` listed the
    record. One rule (domain/certs.held_through): both last through 2028-11-19."""
    cli("import", "nremt")
    cli("member", "add", "Pam Medic", "--email", "pm@x.example", "--badge", "M-1", "--position", "paramedic",
        "--hire-date", "2015-01-01")  # fmt: skip
    cli("course", "add", "--name", "ACLS Provider", "--code", "ACLS", "--type", "class", "--hours", "12",
        "--expiration-months", "24")  # fmt: skip
    cli("--as-of", "2026-12-04", "record", "add", "M-1", "--course", "ACLS", "--date", "2026-11-20")
    cli("--as-of", "2026-12-04", "cert", "add", "M-1", "ACLS", "--issued", "2026-11-20")
    (rec,) = cli("--format", "json", "record", "list").json
    assert rec["expiration_date"] == "2028-11-19"
    (card,) = cli("--as-of", "2026-12-04", "--format", "json", "cert", "list", "-m", "M-1").json
    assert (card["assumed_through"], card["status"]) == ("2028-11-19", "valid")
    rows = cli("--as-of", "2026-12-04", "report", "expiring", "--within", "1000", "--format", "json").json
    assert [(r["expires_on"], r["held_by"]) for r in rows] == [("2028-11-19", "card")]


def test_cert_list_expiring_within_leaves_out_retired_members_as_report_expiring_does(cli):
    """Lee retired on 2026-10-01 holding a CPR-BLS card to 2027-02-28: `cert list
    --expiring-within 90` listed him for renewal while `report expiring` (the same cards,
    README) did not. Renewal planning is for active members, judged on the day; without
    --expiring-within `cert list` still lists every card (the history)."""
    cli("import", "nremt")
    cli("--as-of", "2025-01-01", "member", "add", "Lee Park", "--email", "lp@x.example", "--badge", "F-118",
        "--position", "emt", "--hire-date", "2019-01-01")  # fmt: skip
    cli("--as-of", "2025-02-10", "cert", "add", "F-118", "CPR-BLS", "--issued", "2025-02-10", "--expires",
        "2027-02-28")  # fmt: skip
    cli("--as-of", "2026-12-04", "member", "deactivate", "F-118", "--reason", "retired", "--effective",
        "2026-10-01")  # fmt: skip

    def both(as_of: str, within: str) -> tuple[list[str], list[str]]:
        listed = cli("--as-of", as_of, "--format", "json", "cert", "list", "--expiring-within", within).json
        report = cli("--as-of", as_of, "--format", "json", "report", "expiring", "--within", within).json
        return [c["member"] for c in listed], [r["member"] for r in report]

    assert both("2026-12-04", "90") == ([], [])
    assert both("2026-09-30", "200") == (["Lee Park"], ["Lee Park"])  # active that day
    assert [c["member"] for c in cli("--as-of", "2026-12-04", "--format", "json", "cert", "list").json] == [
        "Lee Park"
    ]


def test_an_enrolled_member_s_card_renews_with_the_program_s_requirement(cli):
    """Fay, a firefighter, holds an ACLS card of 2020 without an expiry. NREMT's ACLS
    (biennial) names paramedics, so `cert list` held it for good, valid; her program
    requires ACLS and its progress held the card for one renewal (through 2021-12-31): 0 of
    1. An enrolled member is held to the program's requirement whatever their positions:
    cert list and report expiring now judge the card by it too, as progress does."""
    cli("import", "nremt")
    cli("member", "add", "Fay Fire", "--email", "ff@x.example", "--badge", "F-1", "--position", "firefighter",
        "--hire-date", "2015-01-01")  # fmt: skip
    cli("member", "add", "Gus Fire", "--email", "gf@x.example", "--badge", "F-2", "--position", "firefighter",
        "--hire-date", "2015-01-01")  # fmt: skip
    for who in ("F-1", "F-2"):
        cli("--as-of", "2026-12-04", "cert", "add", who, "ACLS", "--issued", "2020-01-01")
    cli("program", "create", "ACLS check")
    cli("program", "requirement", "add", "ACLS check", "ACLS")
    cli("program", "activate", "ACLS check")
    cli("--as-of", "2026-12-04", "enroll", "add", "F-1", "ACLS check")
    (row,) = cli("--as-of", "2026-12-04", "--format", "json", "enroll", "show", "1").json["requirements"]
    assert row["value"] == 0
    # Gus, not enrolled, is held by his positions: nothing renews his card
    assert _statuses(cli, "2026-12-04") == [("Fay Fire", "ACLS", "expired", "2021-12-31"),
                                            ("Gus Fire", "ACLS", "valid", None)]  # fmt: skip
    # a card of hers issued 2025-01-10 runs out on 2027-01-09 for the program, and is listed
    cli("--as-of", "2026-12-04", "cert", "add", "F-1", "ACLS", "--issued", "2025-01-10")
    rows = cli("--as-of", "2026-12-04", "report", "expiring", "--within", "60", "--format", "json").json
    assert [(r["member"], r["expires_on"]) for r in rows] == [("Fay Fire", "2027-01-09")]


def test_a_shorter_renewal_re_measures_the_program_rows(cli):
    """BLS biennial -> annual: a card without an expiry of 2024-07-01 no longer holds it
    on 2026-01-10; the program row follows at once, as compliance does."""
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial")  # fmt: skip
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "Medic", "BLS")
    cli("program", "activate", "Medic")
    cli("member", "add", "ann", "--email", "ann@fd.org", "--hire-date", "2020-01-01")
    cli("--as-of", "2026-01-05", "cert", "add", "ann@fd.org", "BLS", "--issued", "2024-07-01")
    cli("--as-of", "2026-01-05", "enroll", "add", "ann@fd.org", "Medic")
    assert cli("enroll", "show", "1", "--format", "json").json["requirements"][0]["value"] == 1
    cli("--as-of", "2026-01-10", "requirement", "edit", "BLS", "--frequency", "annual")
    assert cli("enroll", "show", "1", "--format", "json").json["requirements"][0]["value"] == 0
    cell = cli("--as-of", "2026-01-10", "report", "compliance", "--format", "json").json["cells"][0]
    assert cell["status"] == "expired"


@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-02-01", "9999-12-31"])
def test_warnings_at_the_calendars_ends_with_a_renewing_certification(cli, as_of):
    cli("requirement", "add", "--name", "BLS", "--type", "certification", "--credential", "BLS",
        "--frequency", "biennial")  # fmt: skip
    cli("member", "add", "ann", "--email", "ann@fd.org")
    cli("--as-of", "2026-01-05", "cert", "add", "ann@fd.org", "BLS", "--issued", "2024-07-01")
    cli("--format", "json", "reminders", "preview", "--as-of", as_of)
    cli("--as-of", as_of, "cert", "list")


def test_a_renewal_with_its_expiry_on_file_decides_over_an_older_card_without_one(cli):
    """A 2019 Firefighter I certificate without an expiry (one-time: held for good) and the
    state's renewal of 2022 that ran out on 2025-02-01: the old card decided (MET, "held,
    no expiry"; the renewal "superseded"), so nobody was warned and nothing was owed. A card
    without an expiry on file gives way to a later card with one: EXPIRED in compliance,
    the explanation, `cert list`, `report expiring` and the warnings alike. The same for a
    renewing ACLS held by a card or a class record without an expiry (assumed 24 months)."""
    cli("requirement", "add", "--name", "FF1", "--type", "certification", "--credential", "FF1")
    cli("requirement", "add", "--name", "ACLS", "--type", "certification", "--credential", "ACLS",
        "--frequency", "biennial")  # fmt: skip
    cli("course", "add", "--name", "ACLS class", "--code", "ACLS")
    for name in ("ann", "bo", "cy"):
        cli("member", "add", name, "--email", f"{name}@fd.org", "--hire-date", "2018-01-01")
    cli("--as-of", "2024-12-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2019-02-01")
    cli("--as-of", "2024-12-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2022-02-01", "--expires", "2025-02-01")
    # Bo: an ACLS card without an expiry (assumed through 2026-02-28), renewed by a card to 2025-02-01
    cli("--as-of", "2024-12-01", "cert", "add", "bo@fd.org", "ACLS", "--issued", "2024-03-01")
    cli("--as-of", "2024-12-01", "cert", "add", "bo@fd.org", "ACLS", "--issued", "2024-06-01", "--expires", "2025-02-01")
    # Cy: an ACLS class without an expiry (assumed through 2026-02-28), then a card to 2025-02-01
    cli("--as-of", "2024-12-01", "record", "add", "cy@fd.org", "--course", "ACLS", "--date", "2024-03-01",
        "--hours", "16", "--type", "class")  # fmt: skip
    cli("--as-of", "2024-12-01", "cert", "add", "cy@fd.org", "ACLS", "--issued", "2024-06-01", "--expires", "2025-02-01")
    before = ("--as-of", "2025-01-10")
    rows = cli(*before, "report", "expiring", "--within", "30", "--format", "json").json
    assert [(r["member"], r["credential_code"], r["expires_on"], r["held_by"]) for r in rows] == [
        ("ann", "FF1", "2025-02-01", "card"), ("bo", "ACLS", "2025-02-01", "card"),
        ("cy", "ACLS", "2025-02-01", "card"),
    ]  # fmt: skip
    got = cli("--format", "json", "reminders", "preview", *before).json
    assert sorted((d["email"], d["kind"]) for d in got) == [
        (f"{n}@fd.org", "cert_expiry") for n in ("ann", "bo", "cy")
    ], got
    after = ("--as-of", "2025-06-01")
    cells = cli(*after, "report", "compliance", "--format", "json").json["cells"]
    assert {(c["member"], c["requirement"]): c["status"] for c in cells if c["status"] != "not_applicable"} == {
        ("ann", "FF1"): "expired", ("ann", "ACLS"): "overdue", ("bo", "FF1"): "overdue",
        ("bo", "ACLS"): "expired", ("cy", "FF1"): "overdue", ("cy", "ACLS"): "expired",
    }  # fmt: skip
    explained = " ".join(cli(*after, "requirement", "explain", "ann@fd.org", "FF1").stdout.split())
    assert "Status: EXPIRED — FF1 expired: last valid day 2025-02-01" in explained, explained
    assert ("#1 FF1: no expiry on file, and a later card with one renews it: the card issued 2022-02-01 "
            "decides") in explained  # fmt: skip
    assert _statuses(cli, "2025-06-01") == [
        ("ann", "FF1", "superseded", None), ("ann", "FF1", "expired", None),
        ("bo", "ACLS", "superseded", "2026-02-28"), ("bo", "ACLS", "expired", None),
        ("cy", "ACLS", "expired", None),
    ]  # fmt: skip
    # a card without an expiry issued after the renewal decides again (for good)
    cli("--as-of", "2025-06-01", "cert", "add", "ann@fd.org", "FF1", "--issued", "2025-05-01")
    cell = cli(*after, "report", "compliance", "--member", "ann@fd.org", "--requirement", "FF1",
               "--format", "json").json["cells"][0]  # fmt: skip
    assert cell["status"] == "met"


@pytest.mark.parametrize(
    ("issued", "last"),
    [("2024-02-29", "2026-02-28"), ("2024-02-28", "2026-02-27"), ("2024-03-01", "2026-02-28"),
     ("2024-12-31", "2026-12-30"), ("2025-01-01", "2026-12-31")],
)  # fmt: skip
def test_a_card_issued_on_feb_29_without_an_expiry_holds_through_feb_28(cli, issued, last):
    """An ACLS card issued 2024-02-29 with no expiry on file was assumed valid through
    2026-02-27 (29 February + 24 months clamped to the 28th, then a day less), so on
    2026-02-28 compliance called it expired a day before a card issued on 1 March 2024 ran
    out. It holds through the day before its anniversary, which a common year lacks: 28
    February, in `cert list`, `report compliance` and a class record's default expiry."""
    cli("import", "nremt")
    cli("member", "add", "Pam Medic", "--email", "pm@x.example", "--badge", "M-1", "--position", "paramedic",
        "--hire-date", "2015-01-01")  # fmt: skip
    cli("course", "add", "--name", "ACLS Provider", "--code", "ACLS-C", "--type", "class", "--hours", "12",
        "--expiration-months", "24")  # fmt: skip
    cli("--as-of", issued, "cert", "add", "M-1", "ACLS", "--issued", issued)
    cli("--as-of", issued, "record", "add", "M-1", "--course", "ACLS-C", "--date", issued)
    (card,) = cli("--as-of", issued, "--format", "json", "cert", "list", "-m", "M-1").json
    assert card["assumed_through"] == last
    (rec,) = cli("--format", "json", "record", "list").json
    assert rec["expiration_date"] == last
    after = date.fromisoformat(last).toordinal() + 1

    def acls(day: str) -> tuple[str, str]:
        cells = cli("--as-of", day, "report", "compliance", "--format", "json").json["cells"]
        (cell,) = [c for c in cells if c["requirement"].startswith("ACLS ")]
        return cell["status"], cell["due"]

    assert acls(last) == ("met", last)
    assert acls(date.fromordinal(after).isoformat()) == ("expired", last)


def test_report_expiring_says_how_many_cards_have_expired_already(cli):
    """A new department's first `report expiring` said "No certification expires within
    60 days" while 14 of its CPR cards had run out months before: read as "all valid".
    The cards already expired are still not listed (no renewal to plan), but the table
    says how many ran out, of active members, and where to see who is behind; not a lower
    level a higher card outlasts, not a retired member's, not to a member (their own
    cell says it), and nothing in JSON or CSV."""
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    for name in ("ann", "bo", "cy", "di"):
        cli("member", "add", name, "--email", f"{name}@fd.org")
    cli("--as-of", "2025-01-01", "cert", "add", "ann@fd.org", "CPR-BLS", "--issued", "2023-01-10",
        "--expires", "2025-01-09")  # fmt: skip
    cli("--as-of", "2025-01-01", "cert", "add", "bo@fd.org", "CPR-BLS", "--issued", "2023-03-10",
        "--expires", "2025-03-09")  # fmt: skip
    cli("--as-of", "2025-01-01", "cert", "add", "cy@fd.org", "PB-FF1", "--issued", "2020-01-01",
        "--expires", "2025-01-31")  # fmt: skip
    cli("--as-of", "2025-01-01", "cert", "add", "cy@fd.org", "PB-FF2", "--issued", "2021-01-01",
        "--expires", "2027-01-31")  # fmt: skip
    cli("--as-of", "2025-01-01", "cert", "add", "di@fd.org", "CPR-BLS", "--issued", "2023-01-10",
        "--expires", "2025-01-09")  # fmt: skip
    cli("--as-of", "2025-01-01", "member", "deactivate", "di@fd.org", "--reason", "moved away")
    as_of = ("--as-of", "2025-02-10")
    r = cli(*as_of, "report", "expiring")
    said = " ".join(r.stderr.split())
    assert "bo" in r.stdout and "ann" not in r.stdout, r  # bo's runs out on 2025-03-09
    assert ("Expired already, so not listed: 1 card of an active member ran out before 2025-02-10 "
            "(`trainctl --as-of 2025-02-10 report compliance --behind` lists who is behind).") in said, r  # fmt: skip
    r = cli(*as_of, "report", "expiring", "--within", "10")
    assert "No certification expires within 10 days of 2025-02-10." in " ".join(r.stderr.split()), r
    assert "1 card of an active member ran out before 2025-02-10" in " ".join(r.stderr.split()), r
    assert "Expired already" not in cli(*as_of, "--as", "ann@fd.org", "report", "expiring").stderr
    assert "Expired already" not in cli(*as_of, "report", "expiring", "-f", "json").stderr
    assert "Expired already" not in cli("--as-of", "2024-12-01", "report", "expiring").stderr
