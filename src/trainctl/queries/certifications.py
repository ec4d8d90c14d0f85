"""Certification cards on the read side. Which card decides, and that a card is valid
through its expiry day, is the one rule in domain/certs.py (re-exported here for callers
that read cards: `standing`, `credential_code`, `is_valid`)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from trainctl.domain.certs import (  # noqa: F401  (callers read the rule from here too)
    EXPIRED,
    NOT_YET,
    SUPERSEDED,
    VALID,
    VOID,
    Card,
    credential_code,
    is_valid,
    last_day,
    standing,
)
from trainctl.domain.lookup import as_id
from trainctl.errors import NotFoundError, PermissionDeniedError
from trainctl.permissions import VIEW_ALL, Actor
from trainctl.queries import Reader, as_date, as_utc, chunks, in_list
from trainctl.queries.shifts import required_date, required_utc

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "certification": (
        "id", "member_id", "credential_code", "name", "number", "issuer", "issued_on",
        "expires_on", "source_file", "source_line", "created_at", "created_by", "voided_at",
        "voided_by", "void_reason",
    ),
    "member": ("id", "name", "email"),
}  # fmt: skip

MAX_WITHIN_DAYS = 36_500  # --expiring-within: a century is plenty


@dataclass(frozen=True, slots=True)
class CardRow:
    """A card as every command shows it (the JSON shape, keys in this order)."""

    id: int
    member_id: int
    member: str
    email: str
    credential_code: str
    name: str | None
    number: str | None
    issuer: str | None
    issued_on: date
    expires_on: date | None
    # no expiry on file, and a renewing requirement names the credential: the last day it
    # holds, a renewal from its issue day (domain/certs `last_day`, as compliance judges)
    assumed_through: date | None
    status: str  # valid, expired, superseded, not yet issued, void (as of `today`)
    decides: bool  # the card with the latest expiry (or assumed last day) of its credential
    days_left: int | None  # deciding, valid cards with an expiry (or an assumed one): days until it
    source_file: str | None
    source_line: int | None
    created_at: datetime
    created_by: int | None
    voided_at: datetime | None
    voided_by: int | None
    void_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_SELECT = (
    "SELECT c.id, c.member_id, m.name, m.email, c.credential_code, c.name, c.number, c.issuer, "
    "c.issued_on, c.expires_on, c.source_file, c.source_line, c.created_at, c.created_by, "
    "c.voided_at, c.voided_by, c.void_reason FROM certification c JOIN member m ON m.id = c.member_id"
)


def _card(r: tuple[Any, ...]) -> CardRow:
    return CardRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], required_date(r[8]), as_date(r[9]), None,
        "", False, None, r[10], r[11], required_utc(r[12]), r[13], as_utc(r[14]), r[15], r[16],
    )


def _with_status(cards: list[CardRow], today: date, renew: dict[str, int]) -> list[CardRow]:
    """The cards' standing on `today` (domain/certs, with the renewals of `renewals`)."""
    states = standing(cards, today, renew)
    out = []
    for c in cards:
        status, decides = states[c.id]
        last = last_day(c, renew)
        assumed = last if c.expires_on is None else None
        left = (last - today).days if decides and status == VALID and last else None
        out.append(replace(c, assumed_through=assumed, status=status, decides=decides, days_left=left))
    return out


def list_cards(
    rd: Reader,
    actor: Actor,
    *,
    today: date,
    member_id: int | None = None,
    code: str | None = None,
    expiring_within: int | None = None,
    include_void: bool = False,
    active_only: bool = False,
) -> list[CardRow]:
    """Cards by member and credential, latest expiry first, each with its status as of
    `today`. `expiring_within`: only deciding, still valid cards expiring within that
    many days (today included). `active_only`: of members active on `today` (their
    history; `report expiring`: a retired member's card is nobody's renewal to plan).
    Members without training.view_all see their own."""
    if not actor.can(VIEW_ALL):
        if member_id is not None and not actor.is_self(member_id):
            raise PermissionDeniedError(
                f"{actor.name} ({actor.role}) may only see their own certifications.",
                "Leave out --member to list yours.",
            )
        member_id = actor.member_id
    conds: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if member_id is not None:
        conds.append("c.member_id = :member")
        params["member"] = member_id
    if code is not None:
        conds.append("c.credential_code = :code")
        params["code"] = credential_code(code)
    rows = rd.all(
        f"{_SELECT} WHERE {' AND '.join(conds)} "
        "ORDER BY m.name, c.member_id, c.credential_code, c.expires_on IS NULL DESC, "
        "c.expires_on DESC, c.issued_on DESC, c.id DESC",
        params,
    )
    cards = _with_status([_card(r) for r in rows], today, renewals(rd))
    # latest last day first (an assumed one for a card without an expiry, as it decides)
    cards.sort(key=lambda c: (c.member, c.member_id, c.credential_code,
                              -(c.expires_on or c.assumed_through or date.max).toordinal(),
                              -c.issued_on.toordinal(), -c.id))  # fmt: skip
    if not include_void:
        cards = [c for c in cards if c.status != VOID]
    if expiring_within is not None:
        until = today + timedelta(days=min(max(expiring_within, 0), MAX_WITHIN_DAYS))
        cards = [
            c for c in cards
            if c.decides and c.status == VALID and (c.expires_on or c.assumed_through or date.max) <= until
        ]  # fmt: skip
        cards.sort(key=lambda c: (c.expires_on or c.assumed_through or date.max, c.member, c.credential_code))
    if active_only and cards:
        active = _active_on(rd, {c.member_id for c in cards}, today)
        cards = [c for c in cards if c.member_id in active]
    return cards


def renewals(rd: Reader) -> dict[str, int]:
    """credential code -> the shortest renewal (months) of the certification requirements
    that name it and recur (domain/certs `renewal_months`): how long a card of it without
    an expiry on file holds them. A credential only one-time requirements name: absent."""
    from trainctl.domain.certs import renewal_months

    out: dict[str, int] = {}
    for code, frequency, months in rd.all(
        "SELECT credential_code, frequency, period_months FROM requirement "
        "WHERE requirement_type = 'certification' AND credential_code IS NOT NULL"
    ):
        n = renewal_months(frequency, months)
        key = credential_code(code) if code else ""
        if n is not None and key and (key not in out or n < out[key]):
            out[key] = n
    return out


def expiring(rd: Reader, actor: Actor, *, today: date, within: int) -> list[CardRow]:
    """`report expiring`: each active member's deciding card per credential still valid on
    `today` and running out within `within` days, soonest first: on its expiry on file,
    or on its assumed last day (`CardRow.assumed_through`), as compliance judges it (whose
    summary line counts these cards). A card without an expiry that nothing renews holds
    for good and is not listed."""
    return list_cards(rd, actor, today=today, expiring_within=within, active_only=True)


def _active_on(rd: Reader, ids: set[int], day: date) -> set[int]:
    """Which of these members were active on `day` (queries/members.states_as_of; a member
    without history rows: their current status)."""
    from trainctl.queries import members as qm

    wanted = sorted(ids)
    states = qm.states_as_of(rd, day, wanted if len(wanted) <= 500 else None)
    out = {m for m in wanted if m in states and states[m].status == "active"}
    rest = [m for m in wanted if m not in states]
    for part in chunks(rest):
        sql, params = in_list("m", part)
        out.update(rd.column(f"SELECT id FROM member WHERE status = 'active' AND id IN {sql}", params))
    return out


def get_card(rd: Reader, actor: Actor, ref: str, *, today: date) -> CardRow:
    """One card (with its status among the member's cards of the same credential)."""
    number = as_id(ref)
    row = rd.one(f"{_SELECT} WHERE c.id = :id", {"id": number}) if number is not None else None
    if row is None:
        raise NotFoundError(
            f"No certification card {ref.strip()!r}.", "`trainctl cert list` shows the cards with their ids."
        )
    card = _card(row)
    actor.require_self_or(
        card.member_id, VIEW_ALL, "see other members' certifications",
        "see their own certifications",
    )  # fmt: skip
    same = [
        _card(r)
        for r in rd.all(
            f"{_SELECT} WHERE c.member_id = :m AND c.credential_code = :code",
            {"m": card.member_id, "code": card.credential_code},
        )
    ]
    return next(c for c in _with_status(same, today, renewals(rd)) if c.id == card.id)
