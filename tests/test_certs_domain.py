"""domain/certs: which card decides and when a card is valid (table tests), the one rule
the read side (cert list), the credit feed and compliance use."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from trainctl.domain import certs


@pytest.mark.parametrize(
    ("expires", "today", "valid"),
    [
        (None, date(2026, 6, 1), True),
        (date(2026, 6, 1), date(2026, 6, 1), True),  # valid through its expiry day
        (date(2026, 5, 31), date(2026, 6, 1), False),
        (date(2028, 2, 29), date(2028, 2, 29), True),
        (date(2028, 2, 29), date(2028, 3, 1), False),
        (date(2026, 12, 31), date(2027, 1, 1), False),  # year end
        (date(2026, 12, 31), date(2026, 12, 31), True),
    ],
)
def test_a_card_is_valid_through_its_expiry_day(expires, today, valid):
    assert certs.is_valid(expires, today) is valid


@pytest.mark.parametrize(
    ("cards", "decides"),
    [
        ([(1, date(2026, 1, 1), date(2024, 1, 1)), (2, date(2028, 1, 1), date(2026, 1, 1))], 2),
        ([(1, date(2028, 1, 1), date(2026, 1, 1)), (2, date(2026, 1, 1), date(2024, 1, 1))], 1),  # any order
        ([(1, date(2030, 1, 1), date(2024, 1, 1)), (2, None, date(2026, 1, 1))], 2),  # no expiry is latest
        # ... unless a later card with an expiry on file renewed it, run out or not
        ([(1, date(2025, 1, 1), date(2024, 1, 1)), (2, None, date(2020, 1, 1))], 1),
        ([(1, date(2025, 1, 1), date(2024, 1, 1)), (2, None, date(2024, 1, 1))], 2),  # the same day: no
        ([(1, None, date(2019, 1, 1)), (2, date(2025, 1, 1), date(2022, 1, 1)), (3, None, date(2023, 1, 1))], 3),
        ([(1, date(2028, 1, 1), date(2024, 1, 1)), (2, date(2028, 1, 1), date(2026, 1, 1))], 2),  # then issued
        ([(3, date(2028, 1, 1), date(2026, 1, 1)), (2, date(2028, 1, 1), date(2026, 1, 1))], 3),  # then id
        ([(1, date(2028, 1, 1), None), (2, date(2028, 1, 1), date(2026, 1, 1))], 2),
    ],
)
def test_the_latest_expiry_decides(cards, decides):
    assert certs.deciding(cards, lambda c: (c[1], c[2], c[0], c[1] is not None))[0] == decides


def test_standing_and_codes():
    def card(i, expires, code="ACLS", issued=date(2024, 1, 1), void=None):
        return SimpleNamespace(id=i, member_id=1, credential_code=code, issued_on=issued, expires_on=expires,
                               voided_at=void)  # fmt: skip

    today = date(2026, 6, 1)
    got = certs.standing([card(1, date(2026, 6, 1), "acls "), card(2, date(2026, 1, 1)), card(3, None, "BLS"),
                          card(4, None, "BLS", date(2026, 6, 2)), card(5, None, void=today)], today)  # fmt: skip
    assert got == {1: ("valid", True), 2: ("superseded", False), 3: ("valid", True),
                   4: ("not yet issued", False), 5: ("void", False)}  # fmt: skip
    assert certs.credential_code("  acls  ep ") == "ACLS EP" != certs.credential_code("BLS")


@pytest.mark.parametrize(
    ("issued", "today", "status"),
    [
        (date(2024, 6, 1), date(2026, 5, 31), "valid"),  # through issue + 24 months - 1 day
        (date(2024, 6, 1), date(2026, 6, 1), "expired"),
        (date(2024, 2, 29), date(2026, 2, 28), "valid"),  # the day before Feb 29, which 2026 lacks
        (date(2024, 2, 29), date(2026, 3, 1), "expired"),
        (date(2025, 1, 1), date(2026, 12, 31), "valid"),  # over the year's end
        (date(2025, 1, 1), date(2027, 1, 1), "expired"),
    ],
)
def test_with_renewals_a_card_without_an_expiry_runs_out_a_renewal_from_its_issue(issued, today, status):
    """`standing` with the renewals (credential -> months): as compliance judges a card
    without an expiry; a credential no renewing requirement names still holds for good,
    and the latest last day decides (a renewed card with an expiry over an old one)."""
    card = SimpleNamespace(id=1, member_id=1, credential_code="BLS", issued_on=issued, expires_on=None,
                           voided_at=None)  # fmt: skip
    assert certs.standing([card], today, {"BLS": 24}) == {1: (status, True)}
    assert certs.standing([card], today, {"ACLS": 24}) == {1: ("valid", True)}
    assert certs.standing([card], today) == {1: ("valid", True)}
    renewed = SimpleNamespace(id=2, member_id=1, credential_code="BLS", issued_on=issued,
                              expires_on=date(2030, 1, 1), voided_at=None)  # fmt: skip
    assert certs.standing([card, renewed], today, {"BLS": 24}) == {1: ("superseded", False), 2: ("valid", True)}


@pytest.mark.parametrize(
    ("issued", "renewal", "through"),
    [
        (date(2024, 2, 29), 24, date(2026, 2, 28)),  # no 29 Feb in 2026: through the 28th
        (date(2024, 2, 29), 48, date(2028, 2, 28)),  # a leap year: the day before the 29th
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 28), 24, date(2026, 2, 27)),
        (date(2024, 3, 1), 24, date(2026, 2, 28)),
        (date(2023, 3, 1), 12, date(2024, 2, 29)),
        (date(2024, 12, 31), 24, date(2026, 12, 30)),
        (date(2025, 1, 1), 24, date(2026, 12, 31)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),  # no 31 April: through the 30th
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 2, 14), None, None),  # one-time: for good
    ],
)
def test_held_through_is_the_day_before_the_anniversary(issued, renewal, through):
    """A card without an expiry holds through the day before its issue day's anniversary a
    renewal on; an anniversary the month lacks (29 February in a common year) reads as the
    month's end, so a card issued on 29 February 2024 holds through 28 February 2026, as
    one issued on 1 March 2024 does (it was the 27th: 28 February less a day)."""
    assert certs.held_through(issued, None, renewal) == through
    assert certs.held_through(issued, date(2030, 1, 1), renewal) == date(2030, 1, 1)  # on file: as recorded


@pytest.mark.parametrize("renewal", [None, 1, 12, 24, 36])
@pytest.mark.parametrize(
    "today",
    [date(2026, 2, 28), date(2028, 2, 29), date(2028, 3, 1), date(2026, 12, 31), date(2027, 1, 1),
     date(2026, 3, 31), date(2026, 4, 30)],
)  # fmt: skip
def test_held_since_is_where_a_card_without_an_expiry_stops_holding(today, renewal):
    """`held_since` (what the credit feed's SQL compares completion days with) agrees with
    `held_through` for every issue day around the edge: Feb 29, month and year ends."""
    first = certs.held_since(today, renewal)
    for back in range(0, 2 * 366 + 400):
        issued = date.fromordinal(today.toordinal() - back)
        through = certs.held_through(issued, None, renewal)
        holds = through is None or through >= today
        assert holds is (first is None or issued >= first), (issued, through, first)
    if renewal is not None:
        assert certs.held_through(first, None, renewal) >= today


def test_the_levels_are_the_registry_s_codes_and_names():
    """certs.LEVELS names Pro Board entries by their registry codes and names; the NREMT
    levels stay out of it (NREMT owes the highest level only: domain/compliance
    `outranked`), as do the separate driver/operator qualifications."""
    import json
    from pathlib import Path

    from trainctl.domain import periods as pd

    doc = json.loads((Path(__file__).parents[1] / "registries" / "proboard.json").read_text())
    named = {r["registry_code"]: r["name"] for r in doc["requirements"]}
    for high, high_name, low, low_name in certs.LEVELS:
        assert (named[high], named[low]) == (high_name, low_name)
    codes = {c for level in certs.LEVELS for c in (level[0], level[2])}
    assert not codes & {code for code, _ in pd.NREMT_LEVELS}
    assert not codes & {"PB-DO-PUMPER", "PB-DO-AERIAL"}


def test_the_certificates_are_the_registries_own_cards():
    """certs.CERTIFICATES is every registry certification entry that lists no courses (a
    certificate of its own: Pro Board's, the NREMT provider cards), by code and name; not
    the NFPA standards listing the certificates that certify to them. Every LEVELS code is
    one (a higher level is a certificate of its own beside the lower one)."""
    import json
    from pathlib import Path

    found = set()
    for path in sorted((Path(__file__).parents[1] / "registries").glob("*.json")):
        for r in json.loads(path.read_text())["requirements"]:
            if r["requirement_type"] == "certification" and not r.get("required_courses"):
                found.add((r["credential_code"], r["name"]))
    assert set(certs.CERTIFICATES) == found
    assert len(certs.CERTIFICATES) == len(found)
    codes = {code for code, _ in certs.CERTIFICATES}
    assert {c for level in certs.LEVELS for c in (level[0], level[2])} <= codes
    assert {"PB-DO-PUMPER", "PB-DO-AERIAL"} <= codes
    assert not codes & {"NFPA 1001", "NFPA 1002", "NFPA 1021", "NFPA 1041"}


@pytest.mark.parametrize(
    ("credential", "code", "wanted", "held"),
    [
        ("ACLS", "ACLS-C", ("ACLS", "ACLS-C"), "ACLS"),  # a class of the card: the card
        ("NFPA 1002", "PB-DO-PUMPER", ("NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"), "PB-DO-PUMPER"),
        ("NFPA 1002", "pb-do-aerial", ("NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"), "PB-DO-AERIAL"),
        ("NFPA 1001", "PB-FF1", ("NFPA 1001", "PB-FF1", "PB-FF2"), "PB-FF1"),
        ("NFPA 1041", "PB-INST1", ("NFPA 1041", "PB-INST1"), "NFPA 1041"),
        (None, "X-1", ("X-1", "X-2"), "X-1"),  # courses only: the course itself
    ],
)
def test_a_class_record_is_listed_under_the_credential_it_renews(credential, code, wanted, held):
    """held_under follows renewed_as: a pumper class record NFPA 1002 lists was listed
    (`report expiring`, the warnings) as NFPA 1002, weighed with the aerial records."""
    assert certs.held_under(credential, code, wanted) == held


@pytest.mark.parametrize(
    ("card", "wanted", "held", "why"),
    [
        ("PB-FF2", ("PB-FF1",), "PB-FF1", "Firefighter II includes Firefighter I"),
        ("pb-ff2 ", ("PB-FF1",), "PB-FF1", "Firefighter II includes Firefighter I"),  # codes fold
        ("PB-FO2", ("PB-FO1",), "PB-FO1", "Fire Officer II includes Fire Officer I"),
        ("PB-FF1", ("PB-FF1",), "PB-FF1", None),  # the code itself
        ("PB-FF1", ("PB-FF2",), None, None),  # never downwards
        ("PB-DO-AERIAL", ("PB-DO-PUMPER",), None, None),  # separate qualifications
        ("PB-DO-PUMPER", ("PB-DO-AERIAL",), None, None),
        ("PB-FO1", ("PB-FF2",), None, None),  # a prerequisite is no level of it
        ("PB-FO2", ("PB-FF1",), None, None),
        ("NREMT-NRP", ("NREMT-EMT",), None, None),  # NREMT: the lower level is not owed instead
        ("ACLS", ("CPR-BLS",), None, None),
        ("PB-FF2", ("NFPA 1001", "PB-FF1", "PB-FF2"), "PB-FF2", None),  # named itself: exactly
        (None, ("PB-FF1",), None, None),
    ],
)
def test_a_higher_level_holds_the_lower_it_includes(card, wanted, held, why):
    assert certs.holds(card, wanted) == held
    assert certs.includes(card, held) == why


def test_the_codes_that_hold_a_requirement():
    assert certs.holding_with_levels("PB-FF1", None) == ("PB-FF1", "PB-FF2")
    assert certs.holding_with_levels("NFPA 1001", ["PB-FF1", "PB-FF2"]) == ("NFPA 1001", "PB-FF1", "PB-FF2")
    assert certs.holding_with_levels("PB-DO-PUMPER", None) == ("PB-DO-PUMPER",)
    assert certs.higher_codes("pb-fo1") == ("PB-FO2",)
    assert certs.higher_codes("PB-FF2") == ()


@pytest.mark.parametrize(
    ("wanted", "text"),
    [
        (["PB-FF1"], "PB-FF1 card (a PB-FF2 card includes it)"),
        (["pb-fo1"], "pb-fo1 card (a PB-FO2 card includes it)"),
        (["PB-FF2"], "PB-FF2 card"),
        (["ACLS", "ACLS-C"], "ACLS or ACLS-C card"),
        (["PB-FF1", "PB-FF2"], "PB-FF1 or PB-FF2 card"),  # the higher level is named already
        (["PB-FF1", "PB-FO1"], "PB-FF1 or PB-FO1 card (a PB-FF2 card includes PB-FF1; a PB-FO2 card includes PB-FO1)"),
        ([], "(no credential code) card"),
    ],
)
def test_what_explain_says_holds_a_certification_requirement(wanted, text):
    """`requirement explain`'s "Needs a valid ... card" names the higher levels that
    include a credential asked for (LEVELS), once, and nothing more where none does."""
    assert certs.card_text(wanted) == text


def test_a_higher_level_renews_no_lower_card():
    """in_force with `renewed_as`: each level gives way only to a later card of its own
    (an FF II card with an expiry renews no FF I card without one); the codes a
    requirement names renew each other (an ACLS class course beside the ACLS card)."""
    wanted = certs.holding_codes("PB-FF1", None)
    cards = [(1, None, date(2019, 5, 1), "PB-FF1"), (2, date(2025, 12, 31), date(2021, 5, 1), "PB-FF2")]

    def key(c):
        return c[1], c[2], c[0], c[1] is not None

    def renews(c):
        return certs.renewed_as(c[3], wanted)

    assert [c[0] for c in certs.in_force(cards, key, renews)] == [1, 2]
    assert certs.deciding(cards, key, renews)[0] == 1
    assert [c[0] for c in certs.in_force(cards, key)] == [2]  # one credential: the renewal
    assert certs.renewed_as("acls-c", certs.holding_codes("ACLS", ["ACLS-C"])) == "ACLS"
    assert certs.renewed_as("pb-ff2", wanted) == "PB-FF2"


@pytest.mark.parametrize(
    ("code", "wanted", "credential"),
    [
        # NFPA 1001 lists both Firefighter levels: each is renewed by its own cards only
        ("PB-FF1", ["NFPA 1001", "PB-FF1", "PB-FF2"], "PB-FF1"),
        ("pb-ff2", ["NFPA 1001", "PB-FF1", "PB-FF2"], "PB-FF2"),
        ("NFPA 1001", ["NFPA 1001", "PB-FF1", "PB-FF2"], "NFPA 1001"),
        ("PB-FO1", ["NFPA 1021", "PB-FO1", "PB-FO2"], "PB-FO1"),
        ("PB-FF2", ["PB-FF2", "PB-FF1"], "PB-FF2"),  # whichever is listed first
        # codes no level relates: the requirement's own group (a class course, the card)
        ("acls-c", ["ACLS", "ACLS-C"], "ACLS"),
        ("FF1-R", ["PB-FF1", "FF1-R"], "PB-FF1"),
        ("PB-FF1", ["PB-FF1", "FF1-R"], "PB-FF1"),
        # a code not listed (a higher level that holds the requirement): its own
        ("PB-FF2", ["PB-FF1"], "PB-FF2"),
        ("BLS", ["ACLS", "ACLS-C"], "BLS"),
        # NFPA 1002 lists two separate certificates (CERTIFICATES): each renewed by its own
        ("PB-DO-PUMPER", ["NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"], "PB-DO-PUMPER"),
        ("pb-do-aerial", ["NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"], "PB-DO-AERIAL"),
        ("NFPA 1002", ["NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"], "NFPA 1002"),
        ("PB-DO-AERIAL", ["PB-DO-PUMPER", "PB-DO-AERIAL"], "PB-DO-AERIAL"),
        ("ACLS", ["ACLS", "PALS"], "ACLS"),  # two provider cards
        ("PALS", ["ACLS", "PALS"], "PALS"),
        # one certificate and its course or refresher: one group, as ever
        ("ACLS-R", ["ACLS", "ACLS-R"], "ACLS"),
        ("PUMPER-R", ["PB-DO-PUMPER", "PUMPER-R"], "PB-DO-PUMPER"),
        ("ST-FO1", ["NFPA 1021", "PB-FO1", "PB-FO2", "ST-FO1"], "NFPA 1021"),
        ("PB-INST1", ["NFPA 1041", "PB-INST1"], "NFPA 1041"),  # the standard's one certificate
        # a refresher beside the first of two certificates: which one it renews is unknown
        ("DO-R", ["PB-DO-PUMPER", "PB-DO-AERIAL", "DO-R"], "DO-R"),
        ("PB-DO-PUMPER", ["PB-DO-PUMPER", "PB-DO-AERIAL", "DO-R"], "PB-DO-PUMPER"),
    ],
)
def test_renewed_as_keeps_each_listed_level_a_credential_of_its_own(code, wanted, credential):
    """A requirement listing two LEVELS-related codes (NFPA 1001: PB-FF1 and PB-FF2) made
    them one credential, so an FF II card renewed the FF I card there and NFPA 1001 was
    expired while PB-FF1 was met; each level now stays its own credential."""
    assert certs.renewed_as(code, wanted) == credential


@pytest.mark.parametrize(
    ("code", "wanted", "group"),
    [
        ("ACLS", ("ACLS",), {"ACLS"}),  # the registry's ACLS weighs the card alone
        ("acls", ("ACLS", "ACLS-R"), {"ACLS", "ACLS-R"}),  # a department's, with its refresher
        ("ACLS-R", ("ACLS", "ACLS-R"), {"ACLS", "ACLS-R"}),
        ("PB-FF1", ("NFPA 1001", "PB-FF1", "PB-FF2"), {"PB-FF1"}),
        ("NFPA 1001", ("NFPA 1001", "PB-FF1", "PB-FF2"), {"NFPA 1001"}),
        ("PB-FF1", ("PB-FF1",), {"PB-FF1"}),
        ("PB-FF2", ("PB-FF1",), {"PB-FF2"}),  # a higher level: its own
        ("PB-FF2", ("NFPA 1001", "PB-FF1", "PB-FF2"), {"PB-FF2"}),
        ("PB-DO-PUMPER", ("NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"), {"PB-DO-PUMPER"}),
        ("PB-DO-AERIAL", ("NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"), {"PB-DO-AERIAL"}),
        ("NFPA 1002", ("NFPA 1002", "PB-DO-PUMPER", "PB-DO-AERIAL"), {"NFPA 1002"}),
        ("PB-INST1", ("NFPA 1041", "PB-INST1"), {"NFPA 1041", "PB-INST1"}),
    ],
)
def test_renewal_group_is_judged_per_requirement(code, wanted, group):
    """The codes that renew each other for one requirement: two requirements naming the
    ACLS card group it differently, so a refresher renews it for one of them only."""
    assert certs.renewal_group(code, wanted) == frozenset(group)
