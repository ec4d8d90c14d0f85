"""Certifications: `cert add | import | void` (writes need training.manage).

A card: member, credential code, number, issued, expires (blank: no expiry), optional
credential name and issuer. Which card decides, and that a card is valid through its
expiry day, is the one rule in domain/certs.py. Each card credits the
`certification` requirements whose credential code is its code (exactly: BLS never
satisfies ACLS) through the credit feed, while it is valid.

Natural key: member + credential code + issued date (unique among cards that are not
void). Importing the same file again adds and credits nothing twice; a card on file with
another expiry or number is refused (void it first: `trainctl cert void ID`); an import
never brings back a void card with the same values (`cert add` does, on purpose).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import chunks
from trainctl.domain import sheet
from trainctl.domain.certs import code_skeleton, credential_code
from trainctl.domain.lookup import as_id
from trainctl.errors import NotFoundError
from trainctl.models import Certification, Requirement, utcnow
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.credit_feed import (
    CreditFeed,
    FeedResult,
    InsertIgnoring,
    resettle_cards,
    settle_renewals,
)
from trainctl.services.sheet_import import (
    CHUNK_ROWS,
    MEMBER_FIELDS,
    ImportOutcome,
    SheetKind,
    add_one,
    audit_import,
    import_sheet,
    void_row,
    write_chunk,
)

MAX_CODE = 40
MAX_NUMBER = 100
CARD_FIELDS = (
    *MEMBER_FIELDS,
    sheet.Field("credential", ("credential code", "code", "certification", "certification code",
                               "cert", "cert code", "cert type", "credential type"), required=True),
    sheet.Field("number", ("card number", "card #", "card no", "cert number", "cert #",
                           "certificate number", "license number", "license #", "certification number")),
    sheet.Field("issued", ("issued on", "issue date", "date issued", "issued date", "certified on",
                           "certification date"), required=True),
    sheet.Field("expires", ("expiration", "expiration date", "expires on", "expiry", "expiry date",
                            "valid until", "valid through", "exp", "exp date")),
    sheet.Field("credential_name", ("credential name", "certification name", "cert name", "title")),
    sheet.Field("issuer", ("issued by", "agency", "issuing agency", "provider")),
    # `cert list`'s status: worked out, read only for its void mark (sheet.VOID)
    sheet.Field(sheet.VOID, ("status",)),
)  # fmt: skip
# Columns `cert list --format csv` writes that a card is not made of.
CARD_LISTED = ("id", "assumed_through", "days_left")
CARD_HINT = (
    "A certification sheet names the member (email, badge or member), the credential code, the "
    "card number (optional), the issued date and the expiry date (blank: no expiry); optional: "
    "credential_name, issuer. Headers match without regard to case and punctuation."
)
OPTIONS = {"credential": "CODE", "number": "--number", "issued": "--issued", "expires": "--expires",
           "credential_name": "--name", "issuer": "--issuer"}  # fmt: skip
COLUMNS = ("member_id", "credential_code", "name", "number", "issuer", "issued_on", "expires_on",
           "source_file", "source_line", "created_at", "created_by")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CardValues:
    code: str
    number: str | None
    issued: date
    expires: date | None
    name: str | None
    issuer: str | None


def parse_card(values: Mapping[str, str], today: date) -> tuple[CardValues | None, list[tuple[str, str]]]:
    """One card's cells (or a command's options) by field name; the values, or None and
    every problem as (field, reason)."""
    problems: list[tuple[str, str]] = []

    def get(name: str) -> str:
        return (values.get(name) or "").strip()

    def attempt(name: str, fn: Any) -> Any:
        text = get(name)
        if not text:
            return None
        try:
            return fn(text)
        except ValueError as exc:
            problems.append((name, f"{exc} (got {_cell(text)})"))
            return None

    code = attempt("credential", lambda t: sheet.check_text(t, limit=MAX_CODE))
    if not get("credential"):
        problems.append(("credential", "is required (a credential code, e.g. ACLS)"))
    number = attempt("number", lambda t: sheet.check_identifier(t, limit=MAX_NUMBER))
    name = attempt("credential_name", sheet.check_text)
    issuer = attempt("issuer", sheet.check_text)
    issued = attempt("issued", sheet.parse_date)
    if not get("issued"):
        problems.append(("issued", "is required (YYYY-MM-DD)"))
    elif issued is not None and issued > today:
        problems.append(("issued", f"{issued} is after today ({today}); record cards once issued"))
    expires = attempt("expires", sheet.parse_date)
    if expires is not None and issued is not None and expires < issued:
        problems.append(("expires", f"{expires} is before the card was issued ({issued})"))
    if problems:
        return None, problems
    return CardValues(credential_code(code), number, issued, expires, name, issuer), []


@dataclass(frozen=True, slots=True)
class _Card:
    source: str | None
    line: int | None
    member_id: int
    values: CardValues

    @property
    def key(self) -> tuple[int, str, date]:
        return self.member_id, self.values.code, self.values.issued


def _differences(values: CardValues, expires: date | None, number: str | None) -> list[tuple[str, str, str]]:
    """(field, on file, given) where a card with the same key differs; a blank number
    in the row says nothing about the number."""
    out = []
    if expires != values.expires:
        out.append(("expires", f"expiry {expires}" if expires else "no expiry",
                    str(values.expires or "no expiry")))  # fmt: skip
    if values.number is not None and (number or "") != values.number:
        out.append(("number", f"number {number!r}" if number else "no number", repr(values.number)))
    return out


def _store(
    session: Session,
    actor: Actor,
    rows: list[_Card],
    outcome: ImportOutcome,
    *,
    today: date,
    dry_run: bool,
    skip_invalid: bool,
) -> None:
    session.flush()
    conn = session.connection()
    named = _named_codes(conn) if rows else set()
    rows = _read_as_named(rows, named, outcome)
    # 1. Within the files: one card per member, credential and issue date.
    seen: dict[tuple[int, str, date], _Card] = {}
    kept: list[_Card] = []
    for row in rows:
        first = seen.get(row.key)
        if first is None:
            seen[row.key] = row
            kept.append(row)
            continue
        diff = _differences(row.values, first.values.expires, first.values.number)
        if not diff:
            outcome.repeated += 1  # (a line above gives it: not yet on file)
            outcome.same = "same member, credential and issue date"
        for f, theirs, mine in diff:
            outcome.problem(row.source, row.line, f,
                            f"the {row.values.code} card issued {row.values.issued} is also on line "
                            f"{first.line} with {theirs} (got {mine})", OPTIONS)  # fmt: skip

    # 2. Against the database: the members' cards.
    t = Certification.__table__  # type: ignore[attr-defined]
    active: dict[tuple[int, str, date], tuple[int, date | None, str | None]] = {}
    void: dict[tuple[int, str, date], list[tuple[date | None, str | None]]] = {}
    for part in chunks(sorted({r.member_id for r in kept})):
        for cid, mid, code, issued, expires, number, voided in conn.execute(
            sa.select(t.c.id, t.c.member_id, t.c.credential_code, t.c.issued_on, t.c.expires_on,
                      t.c.number, t.c.voided_at.is_not(None)).where(t.c.member_id.in_(part))
        ):  # fmt: skip
            key = (mid, credential_code(code), issued)
            if voided:
                void.setdefault(key, []).append((expires, number))
            else:
                active[key] = (cid, expires, number)
    todo: list[_Card] = []
    for row in kept:
        if (row.source, row.line) in outcome.bad:
            continue
        found = active.get(row.key)
        if found is not None:
            diff = _differences(row.values, found[1], found[2])
            if not diff:
                outcome.already += 1
            for f, theirs, mine in diff:
                outcome.problem(row.source, row.line, f,
                                f"the {row.values.code} card issued {row.values.issued} is on file "
                                f"(card {found[0]}) with {theirs}; void it first to replace it "
                                f"(`trainctl cert void {found[0]} --reason ...`) (got {mine})",
                                OPTIONS)  # fmt: skip
        elif row.source is not None and any(
            not _differences(row.values, e, n) for e, n in void.get(row.key, ())
        ):
            outcome.voided += 1
        else:
            todo.append(row)
    outcome.refuse("card", skip_invalid)
    todo = [r for r in todo if (r.source, r.line) not in outcome.bad]
    outcome.notices += _unmatched_codes(named, todo)

    # 3. Write in chunks; each chunk's new cards credited.
    adding = bool(rows) and all(r.source is None for r in rows)
    nested = session.begin_nested() if dry_run else None
    now = utcnow()
    insert = InsertIgnoring(conn, t, COLUMNS, ("member_id", "credential_code", "issued_on"),
                            "voided_at IS NULL")  # fmt: skip
    feed = CreditFeed(session, actor, today=today)
    for part in chunks(todo, CHUNK_ROWS):
        write_chunk(session, insert, [
            (r.member_id, r.values.code, r.values.name, r.values.number, r.values.issuer,
             r.values.issued, r.values.expires, r.source, r.line, now, actor.member_id)
            for r in part
        ], outcome, feed, "certification", keep_ids=adding)  # fmt: skip
    outcome.feed = feed.close()
    # a new card may renew one that credited a program row: that credit no longer stands
    # (domain/certs `in_force`, as compliance judges), taken back through the ledger. New
    # cards only ever renew more (a card in force again takes a void): only the members
    # with a renewed card are settled (2,000 new cards, none renewed: about 0.25 s CPU saved)
    settled = settle_renewals(session, actor, {r.member_id for r in todo}, today=today,
                              reason="a later card renews this one")  # fmt: skip
    if settled.members:
        outcome.feed.events = [*settled.renewal_lines(), *outcome.feed.events, *settled.feed.events]
    # the member the cards are of, as other audit rows name theirs (`enrollment.add`,
    # `skill.checkoff`): the log answers "who got that card", and `member show` lists it
    members = {r.member_id for r in todo}
    about: dict[str, Any] = {"member_id": next(iter(members))} if len(members) == 1 else {}
    if len(todo) == 1:
        about |= {"credential": todo[0].values.code, "issued": todo[0].values.issued.isoformat()}
    audit_import(session, actor, "cert.add" if adding else "cert.import", "certification", outcome, **about)
    if nested is not None:
        nested.rollback()
    else:
        outcome.written = True


def _named_codes(conn: sa.Connection) -> set[str]:
    """The credential codes requirements name (a certification's credential or the card
    that places an NREMT cycle), folded as cards' codes are."""
    from trainctl.domain.periods import cycle_of

    r = Requirement.__table__  # type: ignore[attr-defined]
    named: set[str] = set()
    for code, registry, rcode, end, cycle in conn.execute(sa.select(
        r.c.credential_code, r.c.registry_name, r.c.registry_code, r.c.cycle_end, r.c.cycle_credential
    )):  # fmt: skip
        # the card that places an NREMT cycle (periods.cycle_of, as the evaluator reads it:
        # NREMT-EMT for the imported NREMT-EMT)
        card = cycle_of(registry, rcode, end, cycle)[1]
        named |= {credential_code(c) for c in (code, card) if c}
    return named


def _lines(rows: Sequence[_Card], code: str) -> str:
    lines = [f"line {row.line}" for row in rows if row.values.code == code and row.line]
    return f" ({', '.join(lines[:3])}{', ...' if len(lines) > 3 else ''})" if lines else ""


def _read_as_named(rows: list[_Card], named: set[str], outcome: ImportOutcome) -> list[_Card]:
    """A card's code that no requirement names but that is one named code save for spaces
    and punctuation ('CPR BLS' for CPR-BLS) is read as that code, and said: written as
    typed, the card counted toward nothing, and a corrected file added a second card beside
    it (review r1). A skeleton two named codes share is left as typed (and warned about)."""
    by_skeleton: dict[str, list[str]] = {}
    for code in named:
        by_skeleton.setdefault(code_skeleton(code), []).append(code)
    read_as: dict[str, str] = {}
    for code in {row.values.code for row in rows} - named:
        match = by_skeleton.get(code_skeleton(code), [])
        if len(match) == 1:
            read_as[code] = match[0]
    for code, to in sorted(read_as.items()):
        outcome.notices.append(f"credential {code}{_lines(rows, code)} read as {to}, the code a requirement names.")
    if not read_as:
        return rows
    return [replace(r, values=replace(r.values, code=read_as[r.values.code])) if r.values.code in read_as else r
            for r in rows]  # fmt: skip


def _unmatched_codes(named: set[str], rows: Sequence[_Card]) -> list[str]:
    """A notice per credential code no requirement names: such a card is recorded and
    counts toward nothing, often a typo ('CPR-BL'). The closest code a requirement names
    is suggested."""
    if not rows:
        return []
    from difflib import get_close_matches

    out = []
    for code in sorted({row.values.code for row in rows} - named):
        close = get_close_matches(code, sorted(named), n=1)
        out.append(
            f"credential {code}{_lines(rows, code)}: no requirement names it, so the card counts toward "
            "none" + (f"; did you mean {close[0]}?" if close else "")
            + " (`trainctl requirement list --type certification` shows the codes)."
        )
    return out


CARDS = SheetKind(
    "card", "import certifications", "record certifications", CARD_FIELDS, CARD_HINT, OPTIONS,
    parse_card, _Card, _store, lambda v: v.issued, "the issue date", listed=CARD_LISTED,
)  # fmt: skip
# `cert import` and `cert add` (sheet_import.import_sheet / add_one for cards).
import_cards = partial(import_sheet, kind=CARDS)
add_card = partial(add_one, kind=CARDS)


def get_card(session: Session, ref: str) -> Certification:
    number = as_id(ref)
    card = session.get(Certification, number) if number is not None else None
    if card is None:
        raise NotFoundError(
            f"No certification card {ref.strip()!r}.", "`trainctl cert list` shows the cards with their ids."
        )
    return card


def void_card(
    session: Session, actor: Actor, ref: str, *, reason: str, today: date
) -> tuple[Certification, FeedResult | None]:
    """Keep the card, stamp who/when/why, reverse its credit. Voiding a void card changes
    nothing (returns None for the feed)."""
    actor.require(MANAGE, "void certifications")
    card, feed = void_row(session, actor, lambda: get_card(session, ref), reason=reason, today=today,
                          source_type="certification", action="cert.void", what="card",
                          dated=lambda r: r.issued_on)  # fmt: skip
    if feed is not None:
        # a void renewal no longer renews the card before it: that one credits again
        settled = resettle_cards(session, actor, [card.member_id], today=today,
                                 reason=f"void of card {card.id}: {reason.strip()}")  # fmt: skip
        feed.events = [*settled.renewal_lines(), *feed.events, *settled.feed.events]
    return card, feed


def _cell(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


__all__ = ["CARD_FIELDS", "CardValues", "add_card", "get_card", "import_cards", "parse_card", "void_card"]
