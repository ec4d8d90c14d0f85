"""Certification cards on the read side. Which card decides, and that a card is valid
through its expiry day, is the one rule in domain/certs.py (re-exported here for callers
that read cards: `standing`, `credential_code`, `is_valid`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
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
from trainctl.queries import Reader, as_date, as_json, as_utc, by_text, chunks, in_list
from trainctl.queries.shifts import required_date, required_utc

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "certification": (
        "id", "member_id", "credential_code", "name", "number", "issuer", "issued_on",
        "expires_on", "source_file", "source_line", "created_at", "created_by", "voided_at",
        "voided_by", "void_reason",
    ),
    "member": ("id", "name", "email"),
    "enrollment": ("id", "member_id", "status", "enrolled_on"),
    "requirement_progress": ("enrollment_id", "program_requirement_id"),
    "program_requirement": ("id", "requirement_id"),
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


def _with_status(
    cards: list[CardRow], today: date, rules: CardRules, records: dict[tuple[int, str], RecordHold]
) -> list[CardRow]:
    """The cards' standing on `today` (domain/certs `standing` with the holders' renewals,
    as compliance judges them); a deciding card whose credential a class record decides
    over (`record_decides`) gives way to it: superseded."""
    states = standing(cards, today, rules)
    by_record = deciding_records(cards, records, rules, today)
    out = []
    for c in cards:
        status, decides = states[c.id]
        last = last_day(c, rules)
        if decides and (c.member_id, credential_code(c.credential_code)) in by_record:
            status, decides = SUPERSEDED, False
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
    judged_by: tuple[CardRules, dict[tuple[int, str], RecordHold]] | None = None,
) -> list[CardRow]:
    """Cards by member and credential, latest expiry first, each with its status as of
    `today`. `expiring_within`: only deciding, still valid cards expiring within that
    many days (today included), of members active on `today` (their history), as `report
    expiring` lists them: a retired member's card is nobody's renewal to plan, nor a lower
    level a higher card outlasts (`outlasted`, with `code` too). Without it every member's
    cards are listed (the history).
    Members without training.view_all see their own. `judged_by`: the day's CardRules
    and class records (`record_holds`) when the caller has read them already."""
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
        f"ORDER BY {by_text(rd.dialect, 'm.name')}, c.member_id, c.credential_code, c.expires_on IS NULL DESC, "
        "c.expires_on DESC, c.issued_on DESC, c.id DESC",
        params,
    )
    cards = [_card(r) for r in rows]
    holders = {c.member_id for c in cards}
    if judged_by is not None:
        rules, records = judged_by
    else:
        rules = card_rules(rd, today, holders)
        records = record_holds(rd, today, rules, holders) if cards else {}
    cards = _with_status(cards, today, rules, records)
    # latest last day first (an assumed one for a card without an expiry, as it decides)
    cards.sort(key=lambda c: (c.member, c.member_id, c.credential_code,
                              -(c.expires_on or c.assumed_through or date.max).toordinal(),
                              -c.issued_on.toordinal(), -c.id))  # fmt: skip
    if not include_void:
        cards = [c for c in cards if c.status != VOID]
    if expiring_within is not None:
        until = today + timedelta(days=min(max(expiring_within, 0), MAX_WITHIN_DAYS))
        # as `report expiring`: not a lower level a higher one including it holds longer
        # (with --code, its member's higher cards are read for it)
        higher = outlasted(rd, cards, records, rules, today)
        cards = [
            c for c in cards
            if c.decides and c.status == VALID and (c.expires_on or c.assumed_through or date.max) <= until
            and (c.member_id, credential_code(c.credential_code)) not in higher
        ]  # fmt: skip
        cards.sort(key=lambda c: (c.expires_on or c.assumed_through or date.max, c.member, c.credential_code))
        if cards:
            active = _active_on(rd, {c.member_id for c in cards}, today)
            cards = [c for c in cards if c.member_id in active]
    return cards


@dataclass(frozen=True)
class CardRules:
    """What the cards of a day are judged by (`card_rules`), as compliance judges them:
    the certification requirements as they stood that day, each by the codes it names
    (its credential code and listed course codes). `rules`: code -> (months, positions)
    of each renewing one (a one-time one renews nothing); `positions`: the holders'
    positions, folded, when a rule names any (a requirement naming none applies to all);
    `enrolled`: member -> code -> the shortest renewal of the renewing requirements of
    their creditable enrollments (a program holds its members to its requirements
    whatever their positions, as the progress ledger renews them)."""

    rules: dict[str, list[tuple[int, frozenset[str]]]]
    codes: frozenset[str]  # every code a certification requirement names
    positions: dict[int, frozenset[str]]
    # code -> the credentials a class record of it holds (domain/certs `held_under`)
    held_as: dict[str, frozenset[str]] = field(default_factory=dict)
    enrolled: dict[int, dict[str, int]] = field(default_factory=dict)

    def months(self, member_id: int, code: str) -> int | None:
        """How long a card of `code` without an expiry holds for this member: the shortest
        renewal of the renewing requirements that name it and apply to them (by their
        positions, or a program they are enrolled in); None: for good (domain/certs
        `held_through`)."""
        key = credential_code(code)
        held = self.positions.get(member_id, frozenset())
        found = [n for n, wanted in self.rules.get(key, ()) if not wanted or wanted & held]
        program = self.enrolled.get(member_id, {}).get(key)
        if program is not None:
            found.append(program)
        return min(found) if found else None

    def __call__(self, card: Any) -> int | None:  # domain/certs `Renewals`
        return self.months(card.member_id, card.credential_code)


def card_rules(rd: Reader, day: date, member_ids: Iterable[int] | None = None) -> CardRules:
    """The CardRules of `day` (requirements as they stood: queries/requirements.stood_on);
    the positions of `member_ids` (None: every member) on `day` (queries/members
    .states_as_of) are read only when a renewing requirement names positions."""
    from trainctl.domain.certs import held_under, holding_codes, renewal_months
    from trainctl.queries import requirements as qr

    rules: dict[str, list[tuple[int, frozenset[str]]]] = {}
    codes: set[str] = set()
    held_as: dict[str, set[str]] = {}
    renewing: dict[int, tuple[int, set[str]]] = {}  # requirement id -> (months, codes)
    for r in qr.stood_on(rd, qr.list_requirements(rd), day):
        if r.requirement_type != "certification":
            continue
        holding = holding_codes(r.credential_code, r.required_courses)
        named = {credential_code(c) for c in holding}
        codes |= named
        for code in named:
            held_as.setdefault(code, set()).add(held_under(r.credential_code, code, holding))
        n = renewal_months(r.frequency, r.period_months)
        if n is not None:
            renewing[r.id] = (n, named)
            wanted = frozenset(p.strip().casefold() for p in r.required_positions or () if p)
            for code in named:
                rules.setdefault(code, []).append((n, wanted))
    enrolled = _enrolled_renewals(rd, day, renewing, member_ids) if renewing else {}
    positions: dict[int, frozenset[str]] = {}
    if any(wanted for found in rules.values() for _, wanted in found):
        from trainctl.queries.members import states_as_of

        def folded(held: Iterable[Any]) -> frozenset[str]:
            return frozenset(str(p).strip().casefold() for p in held if p)

        ids = None if member_ids is None else sorted(set(member_ids))
        parts: list[Sequence[int] | None] = [None] if ids is None else list(chunks(ids))
        for part in parts:
            sql, params = ("", {}) if part is None else in_list("m", part)
            for mid, held in rd.all(
                "SELECT id, positions FROM member" + (f" WHERE id IN {sql}" if part is not None else ""),
                params,
            ):
                positions[mid] = folded(as_json(held) or ())
        # the positions held on `day`, as compliance judges that day (a member without
        # history rows keeps their current ones)
        for mid, state in states_as_of(rd, day, ids).items():
            positions[mid] = folded(state.positions)
    held = {code: frozenset(found) for code, found in held_as.items()}
    return CardRules(rules, frozenset(codes), positions, held, enrolled)


def _enrolled_renewals(
    rd: Reader, day: date, renewing: dict[int, tuple[int, set[str]]], member_ids: Iterable[int] | None
) -> dict[int, dict[str, int]]:
    """CardRules.enrolled: for the members (None: every member) enrolled on `day` in a
    creditable enrollment (active or completed) with a progress row on a renewing
    requirement, code -> its shortest renewal."""
    sql, params = in_list("r", sorted(renewing))
    where = f"pr.requirement_id IN {sql} AND e.status IN ('active', 'completed') AND e.enrolled_on <= :day"
    params["day"] = day
    ids = None if member_ids is None else sorted(set(member_ids))
    parts: list[Sequence[int] | None] = [None] if ids is None else list(chunks(ids))
    out: dict[int, dict[str, int]] = {}
    for part in parts:
        extra, more = ("", {}) if part is None else in_list("m", part)
        for mid, rid in rd.all(
            "SELECT DISTINCT e.member_id, pr.requirement_id FROM enrollment e "
            "JOIN requirement_progress rp ON rp.enrollment_id = e.id "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            f"WHERE {where}" + (f" AND e.member_id IN {extra}" if part is not None else ""),
            {**params, **more},
        ):
            n, named = renewing[rid]
            mine = out.setdefault(mid, {})
            for code in named:
                mine[code] = min(n, mine.get(code, n))
    return out


@dataclass(frozen=True, slots=True)
class RecordHold:
    """The class record of a credential's course that holds it longest for a member
    (`record_holds`): through `last` (date.max: for good); `assumed`: no expiry on file,
    `last` is a renewal from its completion day (domain/certs `held_through`) by the
    renewal of its course code `code`."""

    record_id: int
    course: str
    code: str
    completed_on: date
    last: date
    assumed: bool
    # every class record of the credential the member holds (this one among them): what
    # decides is judged over all of them and the member's cards at once (`record_decides`)
    rivals: tuple[RecordHold, ...] = ()

    @property
    def on_file(self) -> bool:
        """An expiry is on file (not assumed, not for good)."""
        return not self.assumed and self.last != date.max


def _holder_key(rules: CardRules) -> Any:
    """domain/certs `deciding`'s key for a card or a class record (RecordHold) of one
    credential, as compliance weighs them together: (last day, issue day, tie, expiry on
    file); on a full tie the card decides."""

    def key(h: Any) -> tuple[date | None, date | None, tuple[int, int], bool]:
        if isinstance(h, RecordHold):
            return (None if h.last == date.max else h.last), h.completed_on, (0, h.record_id), h.on_file
        return last_day(h, rules), h.issued_on, (1, h.id), h.expires_on is not None

    return key


def deciding_records(
    cards: Iterable[Card], holds: dict[tuple[int, str], RecordHold], rules: CardRules, today: date
) -> dict[tuple[int, str], RecordHold]:
    """(member, credential code) -> the class record that decides the credential over the
    member's `cards` of it (those not void and issued by `today` count; every card of the
    member and credential must be among `cards`), as compliance judges: domain/certs
    `deciding` over cards and records at once. A credential a card decides is not listed.
    What `cert list` calls such cards (superseded), what `report expiring` and the expiry
    warnings list in their place. `holds`: `record_holds`."""
    from trainctl.domain.certs import deciding

    if not holds:
        return {}
    mine: dict[tuple[int, str], list[Card]] = {}
    for c in cards:
        if c.voided_at is None and c.issued_on <= today:
            mine.setdefault((c.member_id, credential_code(c.credential_code)), []).append(c)
    order = _holder_key(rules)
    out = {}
    for key, hold in holds.items():
        best = deciding([*mine.get(key, ()), *(hold.rivals or (hold,))], order)
        if isinstance(best, RecordHold):
            out[key] = best
    return out


def _level_of(level: dict[int, str]) -> Any:
    """held_higher's `credential` for domain/certs `deciding`: the level a holder is of."""
    return lambda h: level[id(h)]


def held_higher(
    cards: Iterable[Card], holds: dict[tuple[int, str], RecordHold], rules: CardRules, today: date
) -> set[tuple[int, str]]:
    """The (member, credential code) pairs that a card or class record of a higher level
    including the credential decides (domain/certs `LEVELS`, `holds`): its cards, its
    records and the higher levels' weighed together by domain/certs `deciding`, as
    compliance weighs them for a requirement of the credential. A Firefighter I card
    running out while a Firefighter II card that lasts longer is in force is no renewal to
    plan (`report expiring`, `cert list --expiring-within`, the expiry warnings: through
    `outlasted` where `cards` may lack the higher levels'). `cards`: every card of the
    members (those not void and issued by `today` count); `holds`: `record_holds`."""
    from trainctl.domain.certs import deciding, higher_codes

    mine: dict[tuple[int, str], list[Any]] = {}
    for c in cards:
        if c.voided_at is None and c.issued_on <= today:
            mine.setdefault((c.member_id, credential_code(c.credential_code)), []).append(c)
    for key, hold in holds.items():
        mine.setdefault(key, []).extend(hold.rivals or (hold,))
    order = _holder_key(rules)
    out = set()
    for (mid, code), own in mine.items():
        above = {high: mine.get((mid, high), []) for high in higher_codes(code)}
        if any(above.values()):
            # each level renewed by its own cards only (domain/certs `renewed_as`)
            level = {id(h): c for c, held in ((code, own), *above.items()) for h in held}
            best = deciding([*own, *(h for held in above.values() for h in held)], order, _level_of(level))
            if id(best) not in {id(h) for h in own}:
                out.add((mid, code))
    return out


def outlasted(
    rd: Reader, cards: Sequence[Card], holds: dict[tuple[int, str], RecordHold], rules: CardRules, today: date
) -> set[tuple[int, str]]:
    """`held_higher` for `cards` that hold every card of their own (member, credential)
    pairs but perhaps not of the higher levels including them (`cert list --code PB-FF1`,
    the expiry warnings' candidates): those members' cards of the higher levels
    (domain/certs `higher_codes`) are read first: a statement per CHUNK members when a
    credential of theirs has a higher level, none otherwise."""
    from trainctl.domain.certs import higher_codes

    have = {(c.member_id, credential_code(c.credential_code)) for c in cards}
    wanted = {(mid, high) for mid, code in have for high in higher_codes(code)} - have
    extra: list[CardRow] = []
    if wanted:
        codes, params = in_list("h", sorted({high for _, high in wanted}))
        for part in chunks(sorted({mid for mid, _ in wanted})):
            ids, more = in_list("m", part)
            rows = rd.all(f"{_SELECT} WHERE c.member_id IN {ids} AND c.credential_code IN {codes}", {**params, **more})
            extra += [c for c in map(_card, rows) if (c.member_id, credential_code(c.credential_code)) in wanted]
    return held_higher([*cards, *extra], holds, rules, today)


def record_holds(
    rd: Reader, today: date, rules: CardRules, member_ids: Iterable[int] | None = None
) -> dict[tuple[int, str], RecordHold]:
    """(member, credential code) -> the member's class record of a credential's course
    that decides among them (domain/certs `deciding`: the longest held, unless a later one
    with an expiry on file renews it; `rivals`: all of them), as compliance takes a record
    of ACLS for an ACLS card (
    completed, not failed, not void, on or before `today`), for the codes a certification
    requirement names: a record of a course a requirement lists beside its credential
    (`--course ACLS-C` of `--credential ACLS`) holds that credential, as compliance counts
    it (domain/certs `holding_codes`, `held_under`)."""
    from trainctl.domain.certs import deciding, held_through

    if not rules.codes:
        return {}
    squeezed = {c.replace(" ", ""): c for c in rules.codes}
    # `+`: not through the date index on SQLite, which reads nearly every row out of table
    # order for "up to today" (queries/compliance._bounds; bench/compliance.py's 50,000
    # records: 65 -> 17 ms)
    plain = "+" if rd.dialect == "sqlite" else ""
    ins, params = in_list("c", sorted(squeezed))
    where = ""
    ids = None if member_ids is None else sorted(set(member_ids))
    every: dict[tuple[int, str], list[RecordHold]] = {}
    for part in [None] if ids is None else list(chunks(ids)):
        extra = dict(params)
        if part is not None:
            msql, mparams = in_list("m", part)
            where, extra = f" AND member_id IN {msql}", {**extra, **mparams}
        for rid, mid, code, name, on, expires, status, passed in rd.all(
            "SELECT id, member_id, course_code, course_name, completion_date, expiration_date, "
            f"status, passed FROM training_record WHERE voided_at IS NULL "
            f"AND {plain}completion_date <= :today "
            f"AND UPPER(REPLACE(course_code, ' ', '')) IN {ins}{where} ORDER BY id",
            {**extra, "today": today},
        ):
            key = credential_code(code or "")
            if key not in rules.codes or status != "completed" or passed in (False, 0):
                continue
            day = as_date(on)
            if day is None:
                continue
            until = as_date(expires)
            last = held_through(day, until, rules.months(mid, key)) or date.max
            hold = RecordHold(rid, name or code or "", key, day, last, until is None and last != date.max)
            for credential in rules.held_as.get(key, ()):
                every.setdefault((mid, credential), []).append(hold)
    order = _holder_key(rules)
    return {k: replace(deciding(found, order), rivals=tuple(found)) for k, found in every.items()}


@dataclass(frozen=True, slots=True)
class ExpiringRow:
    """A line of `report expiring`: what holds a member's credential and runs out soon, a
    card or a class record of the credential's course standing in for one (as compliance
    counts it: `held_by` "class record", `source_id` the record's id, `number` None)."""

    member_id: int
    member: str
    email: str
    credential_code: str
    name: str | None
    number: str | None
    issued_on: date
    expires_on: date | None
    assumed_through: date | None
    days_left: int
    held_by: str  # "card" or "class record"
    source_id: int


def expiring(
    rd: Reader, actor: Actor, *, today: date, within: int, left_out: list[int] | None = None,
    ran_out: list[int] | None = None,
) -> list[ExpiringRow]:
    """`report expiring`: for each member active on `today`, each credential still held
    that day and running out within `within` days, soonest first, by what decides it as
    compliance judges (whose summary line counts them): the deciding card, on its expiry
    on file or its assumed last day (`CardRow.assumed_through`); or, when a class record
    of the credential's course holds it longer than any card (or there is no card), that
    record. What holds for good (a card without an expiry that nothing renews) is not
    listed, nor a lower level that a higher one including it holds longer (`held_higher`:
    a Firefighter I card beside a Firefighter II card that outlasts it). `left_out`
    (given): the ids of the members not active on `today` whose cards (records) would have
    been listed, one per card, appended. `ran_out` (given): the ids of the members active
    on `today` whose deciding card of a credential had already expired then (as `cert
    list` marks it; not a lower level a higher one holds), one per card, appended: no
    renewal to plan, but a first look at a new department's cards should not read "none
    expires" as "all are valid"."""
    ids = None if actor.can(VIEW_ALL) else [actor.member_id or 0]
    rules = card_rules(rd, today, ids)
    holds = record_holds(rd, today, rules, ids)
    cards = list_cards(rd, actor, today=today, judged_by=(rules, holds))
    if ran_out is not None:
        gone = {(c.member_id, credential_code(c.credential_code)) for c in cards
                if c.decides and c.status == EXPIRED}  # fmt: skip
        if gone:
            gone -= held_higher(cards, holds, rules, today)
            active = _active_on(rd, {mid for mid, _ in gone}, today)
            ran_out += sorted(mid for mid, _ in gone if mid in active)
    until = today + timedelta(days=min(max(within, 0), MAX_WITHIN_DAYS))
    out = [
        ExpiringRow(c.member_id, c.member, c.email, c.credential_code, c.name, c.number, c.issued_on,
                    c.expires_on, c.assumed_through, c.days_left, "card", c.id)
        for c in cards
        if c.decides and c.status == VALID and c.days_left is not None
        and (c.expires_on or c.assumed_through or date.max) <= until
    ]  # fmt: skip
    # a record is listed under the credential it holds (`record_holds`): that of the
    # requirement listing its course, as compliance counts it, where it decides over the
    # member's cards (`_with_status` called them superseded)
    held = {k: h for k, h in deciding_records(cards, holds, rules, today).items() if today <= h.last <= until}
    if held:
        who: dict[int, tuple[str, str]] = {}
        for part in chunks(sorted({mid for mid, _ in held})):
            sql, params = in_list("m", part)
            who.update((r[0], (r[1], r[2])) for r in rd.all(f"SELECT id, name, email FROM member WHERE id IN {sql}", params))
        for (mid, code), h in held.items():
            name, email = who[mid]
            out.append(ExpiringRow(mid, name, email, code, h.course, None, h.completed_on,
                                   None if h.assumed else h.last, h.last if h.assumed else None,
                                   (h.last - today).days, "class record", h.record_id))  # fmt: skip
    if out:
        # a lower level a higher one that includes it holds longer: no renewal to plan
        higher = held_higher(cards, holds, rules, today)
        out = [r for r in out if (r.member_id, credential_code(r.credential_code)) not in higher]
    if out:
        active = _active_on(rd, {r.member_id for r in out}, today)
        if left_out is not None:
            left_out += [r.member_id for r in out if r.member_id not in active]
        out = [r for r in out if r.member_id in active]
    out.sort(key=lambda r: (r.expires_on or r.assumed_through or date.max, r.member, r.credential_code))
    return out


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
    rules = card_rules(rd, today, [card.member_id])
    records = record_holds(rd, today, rules, [card.member_id])
    return next(c for c in _with_status(same, today, rules, records) if c.id == card.id)
