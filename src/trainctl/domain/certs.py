"""Which certification card decides, and when a card is valid (pure; one rule for the
read side, the credit feed and compliance).

- Credential codes match exactly (case and spaces aside; they are stored upper case):
  BLS never satisfies ACLS.
- Of a member's cards of the same credential, the one with the latest expiry decides (no
  expiry is the latest of all; ties: the later issue date, then the larger id), whatever
  order the cards were entered in; a card issued after today does not count yet, and a
  void card never does. But a card without an expiry on file gives way to a card with one
  issued after its issue day (`in_force`): that renewal is what is known of the
  credential since, so an old certificate without an expiry (held "for good", or for an
  assumed renewal) never hides a later card that has run out.
- A card is valid THROUGH its expiry day: on the expiry date it is still valid, the day
  after it is expired.
- A card with no expiry on file holds a requirement that renews (BLS, biennial) for one
  renewal from its issue day (`held_through`), and a one-time one for good; the card
  lists and warnings judge it so too where a renewing requirement names its credential
  (`last_day`, `standing` with the renewals).

- A card of a higher level holds a requirement of the lower level it includes (`LEVELS`:
  Firefighter II holds Firefighter I, Fire Officer II holds Fire Officer I), weighed as a
  card of the lower credential would be (`holds`); but it is a certification of its own,
  no renewal of the lower card (`renewed_as`): an FF I certificate without an expiry does
  not run out because an FF II card issued after it did (Pro Board sets no expiry; a
  certification lapses only by its own renewal running out), even where a requirement
  lists both levels (NFPA 1001: PB-FF1 and PB-FF2). So with any two registry
  certificates a requirement lists (`CERTIFICATES`: NFPA 1002's PB-DO-PUMPER and
  PB-DO-AERIAL, separate qualifications): an aerial card that ran out does not expire a
  pumper certificate without an expiry. A renewal is judged per requirement
  (`renewal_group`): a refresher course one requirement lists renews the card for it,
  not for another requirement naming the card alone.

Each card's standing: `valid` or `expired` (the deciding card), `superseded` (another
card of the same credential decides: it expires later, or renewed this one), `not yet issued`, or `void`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol, TypeVar

VALID, EXPIRED, SUPERSEDED, NOT_YET, VOID = "valid", "expired", "superseded", "not yet issued", "void"

T = TypeVar("T")


@lru_cache(maxsize=4096)  # a list compares the same few codes thousands of times
def credential_code(text: str) -> str:
    """How credential codes are stored and compared: upper case, spaces folded, invisible
    characters dropped and typographic dashes read as '-' (text.code_text)."""
    from trainctl.domain.text import code_text

    return " ".join(code_text(text).split()).upper()


def code_skeleton(text: str) -> str:
    """A credential code's letters and digits alone: 'CPR BLS', 'cpr/bls' and 'CPR-BLS' are
    one skeleton. A card's code that no requirement names is read as the one code a
    requirement names with the same skeleton (services/certifications `_read_as_named`):
    Excel users type the space, the registries the hyphen."""
    return "".join(ch for ch in credential_code(text) if ch.isalnum())


def holding_codes(credential: str | None, courses: Iterable[Any] | None) -> tuple[str, ...]:
    """The codes that hold a certification requirement, as given: its credential code and
    the course codes it lists (`--course`). A card of any of them, or a completed class
    record of any of them, holds it, and of those the latest last day decides. One rule for
    compliance, program credit, the card lists, `report expiring` and the expiry warnings."""
    return tuple(str(c) for c in (credential, *(courses or ())) if c)


# Cumulative certification levels, by registry code (registries/proboard.json; the test
# keeps codes and names equal to it): (higher code, its name, lower code, its name). Only
# where the standard makes the higher level contain the lower: NFPA 1001 Fire Fighter II
# requires Fire Fighter I, NFPA 1021 Fire Officer II requires Fire Officer I. Not the
# driver/operator's pumper and aerial (separate qualifications of NFPA 1002), not Fire
# Officer I over Fire Fighter II (a prerequisite of another standard's qualification, a
# card of its own), and not the NREMT levels: NREMT keeps one certification per person,
# the highest, and a lower level is not owed at all (domain/compliance `outranked`,
# periods.NREMT_LEVELS); no registry requirement asks for an NREMT level's card.
LEVELS: tuple[tuple[str, str, str, str], ...] = (
    ("PB-FF2", "Firefighter II", "PB-FF1", "Firefighter I"),
    ("PB-FO2", "Fire Officer II", "PB-FO1", "Fire Officer I"),
)


# Registry certificates, by code (registries/proboard.json and registries/nremt.json; the
# test keeps codes and names equal to them): each registry certification entry that lists
# no courses names a certificate of its own, issued on its own card: (code, name). A
# requirement listing two of them (NFPA 1002: PB-DO-PUMPER and PB-DO-AERIAL, separate
# qualifications; NFPA 1001: PB-FF1 and PB-FF2, every LEVELS code is here) asks for either
# certificate, and neither card renews the other (`renewed_as`). Not the NFPA standards'
# own codes (NFPA 1001, 1002, 1021, 1041: entries listing the certificates that certify
# to them), nor a department's course or refresher of one credential (ACLS-R beside ACLS).
CERTIFICATES: tuple[tuple[str, str], ...] = (
    ("PB-FF1", "Firefighter I"),
    ("PB-FF2", "Firefighter II"),
    ("PB-DO-PUMPER", "Driver/Operator - Pumper"),
    ("PB-DO-AERIAL", "Driver/Operator - Aerial"),
    ("PB-FO1", "Fire Officer I"),
    ("PB-FO2", "Fire Officer II"),
    ("PB-HM-OPS", "Hazardous Materials Operations"),
    ("PB-INST1", "Instructor I"),
    ("CPR-BLS", "CPR / Basic Life Support"),
    ("ACLS", "Advanced Cardiovascular Life Support"),
    ("PALS", "Pediatric Advanced Life Support"),
    ("PHTLS", "Prehospital Trauma Life Support"),
)
_CERTIFICATE_CODES = frozenset(code for code, _ in CERTIFICATES)


def higher_codes(code: str | None) -> tuple[str, ...]:
    """The codes above `code` whose card holds it (`LEVELS`, through every step), folded
    as `credential_code`; () for a code no level includes."""
    out: list[str] = []
    todo = [credential_code(code or "")]
    while todo:
        lower = todo.pop()
        for high, _, low, _ in LEVELS:
            if low == lower and high not in out:
                out.append(high)
                todo.append(high)
    return tuple(out)


def holds(code: str | None, wanted: Iterable[str]) -> str | None:
    """Which of `wanted` (a requirement's `holding_codes`) a card or class record of
    `code` holds, as given: the one it is (codes match exactly, case and spaces aside),
    else one a higher level includes (`LEVELS`: a Firefighter II card holds Firefighter
    I); None: none. The one rule compliance and program credit match a card to a
    certification requirement by (`report expiring`, `cert list --expiring-within` and
    the expiry warnings weigh the same LEVELS: queries/certifications `held_higher`)."""
    if not code:
        return None
    key = credential_code(code)
    wanted = [w for w in wanted if w]
    exact = next((w for w in wanted if credential_code(w) == key), None)
    if exact is not None:
        return exact
    return next((w for w in wanted if key in higher_codes(w)), None)


def includes(code: str | None, held: str | None) -> str | None:
    """Why a card of `code` holds `held` when it is not that code: "Firefighter II
    includes Firefighter I" (`LEVELS`); None when it is the same code or no level
    includes it."""
    key, lower = credential_code(code or ""), credential_code(held or "")
    if key == lower or key not in higher_codes(lower):
        return None
    names = {c: n for high, hn, low, ln in LEVELS for c, n in ((high, hn), (low, ln))}
    return f"{names[key]} includes {names[lower]}"


def card_text(wanted: Iterable[str]) -> str:
    """What holds a certification requirement, as `requirement explain` says it needs one
    (`wanted`: its `holding_codes`): "ACLS or ACLS-C card", and the higher levels whose
    card includes it (`LEVELS`): "PB-FF1 card (a PB-FF2 card includes it)"."""
    wanted = [w for w in wanted if w]
    if not wanted:
        return "(no credential code) card"
    folded = {credential_code(w) for w in wanted}
    above: dict[str, str] = {}  # higher code -> the wanted code it includes
    for w in wanted:
        for high in higher_codes(w):
            if high not in folded:
                above.setdefault(high, w)
    text = f"{' or '.join(wanted)} card"
    if not above:
        return text
    if len(wanted) == 1:
        return f"{text} (a {' or '.join(above)} card includes it)"
    return f"{text} ({'; '.join(f'a {high} card includes {low}' for high, low in above.items())})"


def holding_with_levels(credential: str | None, courses: Iterable[Any] | None) -> tuple[str, ...]:
    """`holding_codes` and the higher levels that hold each of them (`higher_codes`): every
    code whose card or class record holds the requirement (`holds`)."""
    return _with_levels(credential, tuple(str(c) for c in courses or ()))


@lru_cache(maxsize=1024)  # once per requirement, not per member and requirement
def _with_levels(credential: str | None, courses: tuple[str, ...]) -> tuple[str, ...]:
    named = holding_codes(credential, courses)
    folded = {credential_code(c) for c in named}
    return (*named, *dict.fromkeys(h for c in named for h in higher_codes(c) if h not in folded))


def held_under(credential: str | None, code: str, wanted: Iterable[str]) -> str:
    """The credential a class record of `code`, a course a certification requirement
    naming `credential` lists (`wanted`: its `holding_codes`), holds for its member,
    folded as `credential_code`: the one it is renewed as there (`renewed_as`: the
    requirement's credential for an ACLS class, a pumper class of its own beside the
    aerial one NFPA 1002 lists), else, a requirement naming courses only, the course
    itself. Where the card lists, `report expiring` and the expiry warnings put such a
    record in a card's place."""
    if not credential:
        return credential_code(code)
    return renewed_as(code, wanted)


def renewal_months(frequency: str | None, period_months: int | None = None) -> int | None:
    """How long a card without a recorded expiry holds a certification requirement that
    recurs (ACLS, biennial: 24 months from its issue day); None for a one-time one (a
    Pro Board certificate without an expiry holds for good). One rule for compliance and
    program credit."""
    from trainctl.domain import periods as pd

    try:
        freq = pd.normalize_frequency(frequency or "one_time")
    except ValueError:
        return None
    if freq == "one_time":
        return None
    if freq == "rolling":
        return int(period_months) if period_months and period_months > 0 else None
    return pd.FREQUENCY_MONTHS.get(freq)


def held_through(issued: date | None, expires_on: date | None, renewal: int | None) -> date | None:
    """The last day a card holds a requirement: its recorded expiry, else (a requirement
    that renews every `renewal` months) the day before its issue day's anniversary that
    many months on, else None (for good). An anniversary the month lacks reads as that
    month's last day (periods `rolling_due`, the same rule): a card issued 29 February
    2024 holds through 28 February 2026, as one issued on 1 March does, not 27 February."""
    if expires_on is not None or renewal is None or issued is None:
        return expires_on
    from trainctl.domain.periods import rolling_due

    return rolling_due(issued, renewal)


def held_since(today: date, renewal: int | None) -> date | None:
    """The earliest issue day of a card without a recorded expiry that still holds, on
    `today`, a requirement renewing every `renewal` months (`held_through` that day is
    today or later; every later issue day holds too); None when any does (one-time).
    What a query compares issue dates with, so SQL and `held_through` agree."""
    if renewal is None:
        return None
    from datetime import timedelta

    from trainctl.domain.periods import add_months

    day = add_months(today, -renewal) - timedelta(days=3)  # just before: step to the first
    while (held := held_through(day, None, renewal)) is not None and held < today:
        day += timedelta(days=1)
    return day


def is_valid(expires_on: date | None, today: date) -> bool:
    """Valid through its expiry day; no expiry: always."""
    return expires_on is None or expires_on >= today


# key(card) -> (last day: None = for good, issue day, tie-break, expiry on file)
Key = Callable[[T], tuple[date | None, date | None, Any, bool]]


def renewed_as(code: str | None, wanted: Iterable[str]) -> str:
    """The credential a card or class record of `code` is renewed as (`in_force`), weighed
    for a certification requirement holding `wanted` (its `holding_codes`, as given): one of
    them, the requirement's own group (the first: an ACLS class record renews the ACLS
    card, and the card the record), unless the requirement lists it beside another
    registry certificate (`CERTIFICATES`): then each certificate is a credential of its
    own (NFPA 1002 lists PB-DO-PUMPER and PB-DO-AERIAL, and an aerial card renews no
    pumper card; NFPA 1001 lists PB-FF1 and PB-FF2, and a Firefighter II card renews no
    Firefighter I card), and a code the requirement's first one cannot take in (a course
    listed beside the first certificate: which certificate it renews is not known) is its
    own too. Any code not listed, its own credential: a higher level that holds the
    requirement is a certification of its own, which neither renews a lower card nor is
    renewed by one. The one rule compliance, program credit (`renewal_group`, the credit
    feed's `renewed_sources`) and the card lists (`held_under`) group renewals by."""
    key = credential_code(code or "")
    named = [credential_code(w) for w in wanted if w]
    if key not in named or _beside_another(key, named):
        return key
    return key if _beside_another(named[0], named) else named[0]


def _beside_another(code: str, named: list[str]) -> bool:
    """Whether `code` is a registry certificate that `named` lists beside another one
    (`CERTIFICATES`): a credential of its own there."""
    return code in _CERTIFICATE_CODES and any(w != code and w in _CERTIFICATE_CODES for w in named)


@lru_cache(maxsize=1024)  # once per (code, requirement), not per card
def renewal_group(code: str | None, wanted: tuple[str, ...]) -> frozenset[str]:
    """The codes whose cards and class records renew a card or record of `code` (and are
    renewed by it) for a certification requirement holding `wanted` (its `holding_codes`):
    the codes that hold it (`holding_with_levels`) that `renewed_as` puts with `code`, and
    `code` itself. Two requirements naming a credential can group it differently (the
    registry's ACLS alone, a department's ACLS with its ACLS-R refresher): a renewal is
    judged per requirement, and this set names the group it is judged in (the credit
    feed's `renewed_sources`, domain/credit `credit_of`)."""
    mine = renewed_as(code, wanted)
    return frozenset(
        {credential_code(code or ""), *(credential_code(c) for c in holding_with_levels(None, wanted)
                                         if renewed_as(c, wanted) == mine)}
    )  # fmt: skip


def in_force(cards: Iterable[T], key: Key[T], credential: Callable[[T], str] | None = None) -> list[T]:
    """The cards of one credential that no later card supersedes: all but those without
    an expiry on file issued before a card with one (its renewal: a Pro Board certificate
    of 2019 without an expiry gives way to the state card of 2022 that ran out in 2025;
    issued the same day, neither renews the other). Of these the latest last day decides
    (`deciding`). A class record of the credential's course is weighed as a card is.
    `credential(card)`: what each is a card of, where cards of several credentials are
    weighed together (`renewed_as`: a Firefighter II card beside Firefighter I's): a card
    gives way only to a later one of its own; None: all of one."""
    cards = list(cards)
    if credential is not None:
        groups: dict[str, list[T]] = {}
        for c in cards:
            groups.setdefault(credential(c), []).append(c)
        if len(groups) > 1:
            kept = {id(c) for group in groups.values() for c in in_force(group, key)}
            return [c for c in cards if id(c) in kept]
    renewed = [issued for _, issued, _, on_file in map(key, cards) if on_file and issued is not None]
    if not renewed:
        return cards
    latest = max(renewed)
    return [c for c, (_, issued, _, on_file) in zip(cards, map(key, cards), strict=True)
            if on_file or (issued is not None and issued >= latest)]  # fmt: skip


def deciding(cards: Iterable[T], key: Key[T], credential: Callable[[T], str] | None = None) -> T:
    """The card that decides among cards of one credential (or, with `credential`, of
    several weighed together: `in_force`): of those in force, the latest last day (None =
    no expiry, the latest of all), then the latest issue date, then the tie-break (an id).
    `key(card)` gives (last day, issued_on, tie-break, whether an expiry is on file)."""

    def order(card: T) -> tuple[date, date, Any]:
        expires, issued, tie, _ = key(card)
        return (expires or date.max, issued or date.min, tie)

    return max(in_force(cards, key, credential), key=order)


class Card(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def member_id(self) -> int: ...
    @property
    def credential_code(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def expires_on(self) -> date | None: ...
    @property
    def voided_at(self) -> datetime | None: ...


# How long a card without an expiry holds, by card: a credential code -> months mapping,
# or a function of the card (its holder's renewing requirements: queries/certifications).
Renewals = Mapping[str, int] | Callable[[Any], int | None]


def last_day(card: Card, renewals: Renewals | None = None) -> date | None:
    """The last day a card holds: its expiry on file, else, when `renewals` gives its
    credential a renewal (months), the day before its issue day's anniversary that renewal
    on (`held_through`),
    else None (for good)."""
    months = None
    if card.expires_on is None and renewals:
        if callable(renewals):
            months = renewals(card)
        else:
            months = renewals.get(credential_code(card.credential_code))
    return held_through(card.issued_on, card.expires_on, months)


def standing(
    cards: Iterable[Card], today: date, renewals: Renewals | None = None
) -> dict[int, tuple[str, bool]]:
    """card id -> (status, decides) for every card (see the module docstring). With
    `renewals`, a card without an expiry on file of a renewing credential runs out on its
    `last_day`, as compliance judges it (and the latest last day decides)."""
    groups: dict[tuple[int, str], list[Card]] = {}
    out: dict[int, tuple[str, bool]] = {}
    for card in cards:
        if card.voided_at is not None:
            out[card.id] = (VOID, False)
        elif card.issued_on > today:
            out[card.id] = (NOT_YET, False)
        else:
            groups.setdefault((card.member_id, credential_code(card.credential_code)), []).append(card)
    for group in groups.values():
        best = deciding(group, lambda c: (last_day(c, renewals), c.issued_on, c.id, c.expires_on is not None))
        for card in group:
            if card is best:
                out[card.id] = (VALID if is_valid(last_day(card, renewals), today) else EXPIRED, True)
            else:
                out[card.id] = (SUPERSEDED, False)
    return out
