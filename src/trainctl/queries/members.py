"""Members on the read side: the one member resolver, the acting member, listings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from itertools import combinations
from typing import Any, Generic, TypeVar

from trainctl.domain.lookup import MAX_ID, as_id, nearest, ref_text
from trainctl.domain.positions import KnownPositions
from trainctl.domain.text import code_text, roster_key, visible
from trainctl.errors import NotFoundError, PermissionDeniedError, TrainctlError, UsageError
from trainctl.permissions import OWNER, VIEW_ALL, Actor
from trainctl.queries import Reader, as_date, as_json, as_utc, chunks, in_list, json_int, required

M = TypeVar("M")

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "member": (
        "id", "name", "email", "badge", "positions", "role", "status", "hire_date",
        "certification_date", "created_at", "created_by", "updated_at",
    ),
    "position": ("code", "name", "is_builtin"),
    "audit_log": ("id", "at", "actor_id", "action", "entity", "entity_id", "detail"),
    "certification": ("id", "member_id"),
    "enrollment": ("id", "member_id"),
    "member_history": (
        "id", "member_id", "effective_on", "positions", "status", "recorded_at", "recorded_by",
    ),
}  # fmt: skip

LOOKUP_HINT = (
    "Name a member by badge number, email, id or full name (a bare number is a badge when a "
    "member has that badge; write id:12 or #12 for an id); `trainctl member list` shows them."
)


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A member as every command shows it (the JSON shape, keys in this order)."""

    id: int
    name: str
    email: str
    badge: str | None
    positions: list[str]
    role: str
    status: str
    hire_date: date | None
    certification_date: date | None
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def who(self) -> str:
        return f"member {self.id} ({self.name}, {self.email})"


_COLUMNS = ", ".join(TABLES["member"])


def _member(r: tuple[Any, ...]) -> MemberRow:
    return MemberRow(
        r[0], r[1], r[2], r[3], as_json(r[4]) or [], r[5], r[6], as_date(r[7]), as_date(r[8]),
        required(as_utc(r[9])), r[10], as_utc(r[11]),
    )


def _where(rd: Reader, where: str, **params: Any) -> MemberRow | None:
    row = rd.one(f"SELECT {_COLUMNS} FROM member WHERE {where}", params)
    return _member(row) if row else None


def by_id(rd: Reader, member_id: int) -> MemberRow | None:
    if not 0 < member_id <= MAX_ID:
        return None
    return _where(rd, "id = :id", id=member_id)


OWNER_NAME = "database owner"  # who acts without --as


def signed_by(name: str | None, signed: Any) -> str | None:
    """Who signed what was signed (a verification, when `signed`, its time, is set): the
    member's name, or the database owner, who has no member row; None when unsigned."""
    return (name or OWNER_NAME) if signed is not None else None


def who(rd: Reader, member_id: int | None) -> str:
    """Who did something, as a show command prints it: "Olive Officer (id 1)", or the
    database owner (no member: the default actor)."""
    if member_id is None:
        return OWNER_NAME
    m = by_id(rd, member_id)
    return f"{m.name} (id {m.id})" if m else f"member {member_id}"


def _by_email(rd: Reader, email: str) -> MemberRow | None:
    """The member an e-mail names (`email_match`): indexed exact matches, then, only on a
    miss, the case fold, which scans the member table."""
    return email_match(
        email.strip(),
        lambda e: _where(rd, "email = :email", email=e),
        lambda key: [_member(r) for r in rd.all(
            f"SELECT {_COLUMNS} FROM member WHERE trainctl_fold(email) = :key ORDER BY id LIMIT 7",
            {"key": key},
        )],
    )  # fmt: skip


def email_match(
    text: str, exact: Lookup, folded: Callable[[str], Sequence[MemberRow]]
) -> MemberRow | None:
    """The one rule for an e-mail reference: the member whose stored e-mail it is as
    written, else as lower-case (trainctl stores e-mails lower-case, schemas/members), else
    the one member whose e-mail it is by the case fold (str.casefold on both backends:
    "STRASSE@x.org" names "straße@x.org"). Several members by the fold (a database written
    around trainctl) are refused, named, never a pick. `exact`: a stored e-mail's member;
    `folded`: the members whose folded e-mail is the given key."""
    found = exact(text) or (exact(text.lower()) if text.lower() != text else None)
    if found is not None:
        return found
    members = folded(text.casefold())
    if len(members) > 1 and not _OTHERS_SHOWN.get():
        raise UsageError(
            f"{text!r} is, case aside, the e-mail of {len(members)} members.",
            "Write the e-mail exactly as on file, or name the member by badge or id:N.",
        )
    if len(members) > 1:
        listed = "; ".join(f"{m.name} (id {m.id}, {m.email})" for m in members[:6])
        raise UsageError(
            f"{text!r} is, case aside, the e-mail of {len(members)} members: {listed}.",
            "Write the e-mail exactly as on file, or name the member by badge or id:N.",
        )
    return members[0] if members else None


def _by_folded(rd: Reader, column: str, values: Iterable[str]) -> dict[str, MemberRow]:
    """{value as given: member} for values whose case fold names exactly one member's
    `column` (email, badge): what an exact, indexed match missed ("p-301" names P-301, as
    sign-in sheets match badges)."""
    keys: dict[str, list[str]] = {}
    for e in values:
        keys.setdefault(e.casefold(), []).append(e)
    out: dict[str, MemberRow] = {}
    for key, members in _fold_hits(rd, column, keys, str.casefold).items():
        if len(members) == 1:
            out.update(dict.fromkeys(keys.get(key, ()), members[0]))
    return out


def _fold_hits(
    rd: Reader, column: str, keys: Iterable[str], key_of: Callable[[str], str]
) -> dict[str, list[MemberRow]]:
    """{key: the members whose `column` reads as it}: `keys` already folded as `key_of`
    folds a stored value (the SQL side folds it by trainctl_fold), one query per chunk."""
    hits: dict[str, list[MemberRow]] = {}
    for part in chunks(sorted(set(keys))):
        sql, params = in_list("k", part)
        for r in rd.all(
            f"SELECT {_COLUMNS} FROM member WHERE trainctl_fold({column}) IN {sql} ORDER BY id",
            params,
        ):
            m = _member(r)
            hits.setdefault(key_of(getattr(m, column) or ""), []).append(m)
    return hits


def badge_text(text: str) -> str:
    """A badge as every lookup reads it: a code, not a name (domain.text.code_text), so a
    zero-width space pasted before P-301, or P‐301 with a word processor's dash, is P-301
    (as the sign-in sheet imports read it: domain.sheet.badge_key)."""
    return code_text(text).strip()


def _by_badge(rd: Reader, badge: str) -> MemberRow | None:
    """The badge as stored (read as a code: `badge_text`), else (on a miss) the one badge
    equal to it case aside."""
    text = badge_text(badge)
    return _where(rd, "badge = :badge", badge=text) or _by_folded(rd, "badge", [text]).get(text)


# the apostrophes a phone, Word or a spreadsheet types for ' (review r1: "Sean O’Brien"
# named nobody beside the stored "Sean O'Brien"); compared alike, stored as typed
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})


def name_key(text: str) -> str:
    """A full name as a reference compares with a member's: read as names are stored
    (domain.lookup.ref_text: spaces collapsed, the invisible characters no name needs
    dropped, in Unicode's composed form, as a terminal may send "é" as e and a combining
    accent), case aside (trainctl_fold), and a typographic apostrophe as ' (a name stored
    with either is found by the other: `_by_names` compares in Python what SQL missed)."""
    return ref_text(text).casefold().translate(_APOSTROPHES)


def _by_names(rd: Reader, texts: Iterable[str]) -> dict[str, list[MemberRow]]:
    """{text: the members whose full name it is, case and spacing aside}: one scan of the
    member table (a name has no index; this runs only for what no badge matched)."""
    keys: dict[str, list[str]] = {}
    for t in texts:
        if k := name_key(t):
            keys.setdefault(k, []).append(t)
    hits = _fold_hits(rd, "name", keys, name_key)
    if any(k not in hits for k in keys):  # a name stored decomposed (NFD), or spaced oddly,
        for m in _everyone(rd):  # before names were stored composed: compared in Python
            k = name_key(m.name)
            if k in keys and m not in hits.get(k, ()):
                hits.setdefault(k, []).append(m)
    return {t: hits[k] for k, ts in keys.items() if k in hits for t in ts}


def exactly_named(rd: Reader, texts: Iterable[str]) -> dict[str, list[MemberRow]]:
    """{text: the members whose full name it is, as reports print it} (`_by_names`), for a
    batch of a CSV's name cells (`other_named`)."""
    return _by_names(rd, texts)


def other_named(written: str | None, member_id: int, namesakes: Sequence[Any]) -> list[Any]:
    """The one rule for a row's name cell beside the cell that named its member (an e-mail,
    a badge): when the name is, as reports print names (`name_key`), the full name of other
    members and not this member's, the row names two people, and is refused as two member
    columns that disagree are (a badge typo must not enroll or credit the wrong person).
    `namesakes`: the members (with .id and .name) whose name the cell is. Returns those
    other members; empty when the name is this member's too, or nobody's (a nickname or a
    typo naming nobody is only pointed out: `domain.text.same_name`)."""
    if not written or not written.strip() or any(m.id == member_id for m in namesakes):
        return []
    return list(namesakes)


def _unprefixed(text: str) -> str:
    """A reference without its `kind:` prefix ("name:Smith" -> "Smith")."""
    head, sep, rest = text.partition(":")
    return rest if sep and head.strip().lower() in REF_KINDS else text


def split_list(rd: Reader, texts: Iterable[str], option: str) -> list[str]:
    """The member references of a list option, split at its commas ("F-118,F-203", or the
    option repeated). A member whose name holds a comma ("John Smith, Jr.", "Smith, John")
    would be split into pieces, one of which may be another member's name or badge: a list
    that writes such a name out is refused, rather than resolved piece by piece; a value
    that is that name and nothing else ("Smith, John" alone) names that member, unless a
    piece of it names a member too (`_pieces_name_anyone`: refused, never a guess)."""
    given = list(texts)
    whole: list[str] = []  # a value that is, all of it, one such name: that member
    if any("," in t for t in given):
        commas = [n for (n,) in rd.all("SELECT name FROM member WHERE name LIKE '%,%'")]
        keys = {name_key(n) for n in commas}
        for t in given:
            if name_key(_unprefixed(t)) in keys and not _pieces_name_anyone(rd, t):
                whole.append(t)
                continue
            parts = [name_key(_unprefixed(p)) for p in t.split(",")]
            for name in commas:
                want = [name_key(p) for p in name.split(",")]
                k = len(want)
                if any(parts[i : i + k] == want for i in range(len(parts) - k + 1)):
                    raise UsageError(
                        f"{option}: {name!r} is a member's name, and a list is split at its "
                        "commas.",
                        "Name that member by badge, e-mail or id:N in the list.",
                    )
    return [p.strip() for t in given for p in ([t] if t in whole else t.split(",")) if p.strip()]


def _pieces_name_anyone(rd: Reader, text: str) -> bool:
    """Whether a piece of a comma name names a member of its own ("John Smith" of "John
    Smith, Jr."; "Smith" and "John" beside "Smith, John"): then the value may be a list as
    well as that name, and is refused rather than guessed."""
    pieces = [p.strip() for p in _unprefixed(text).split(",") if p.strip()]
    found = find_members(rd, [("member", p) for p in pieces])
    return any(f.member is not None or isinstance(f.problem, UsageError) for f in found)


def one_named(text: str, members: Sequence[MemberRow]) -> MemberRow | None:
    """The member a full name names: the one member of that name; two or more are refused
    with their badges and ids (a name is not unique the way a badge is)."""
    if len(members) > 1 and not _OTHERS_SHOWN.get():
        raise UsageError(
            f"{len(members)} members are named {' '.join(text.split())!r}.",
            "Name the member by badge, email or id:N instead.",
        )
    if len(members) > 1:
        listed = "; ".join(
            f"{m.name} ({'badge ' + m.badge + ', ' if m.badge else ''}id {m.id}, {m.email})"
            for m in members[:6]
        )
        raise UsageError(
            f"{len(members)} members are named {' '.join(text.split())!r}: {listed}.",
            "Name the member by badge, email or id:N instead.",
        )
    return members[0] if members else None


def _by_name(rd: Reader, text: str) -> MemberRow | None:
    return one_named(text, _by_names(rd, [text]).get(text, []))


REF_KINDS = ("id", "email", "badge", "name")

# May the resolver's messages name members the reference did not (two members of a name,
# the closest names, the member whose id a number also is)? Only to an actor who may see
# everyone (`resolve_actor` sets it): a member refused `member list` must not list the
# roster by probing names.
_OTHERS_SHOWN: ContextVar[bool] = ContextVar("trainctl_others_shown", default=True)


def _zeros_aside(rd: Reader, numbers: Iterable[str]) -> dict[str, list[MemberRow]]:
    """{number: the members whose badge of digits reads as it once leading zeros are
    dropped ("42" and "042" for 0042)}, one query for them all."""
    keys: dict[str, list[str]] = {}
    for n in numbers:
        keys.setdefault(n.lstrip("0"), []).append(n)
    out: dict[str, list[MemberRow]] = {}
    for part in chunks(sorted(keys)):
        sql, params = in_list("k", part)
        rows = rd.all(
            f"SELECT {_COLUMNS} FROM member WHERE ltrim(badge, '0') IN {sql} ORDER BY badge", params
        )
        for m in map(_member, rows):
            if m.badge and m.badge.isdigit():
                for n in keys.get(m.badge.lstrip("0"), ()):
                    out.setdefault(n, []).append(m)
    return out


def _by_unpadded(rd: Reader, numbers: Sequence[str]) -> tuple[dict[str, MemberRow], dict[str, list[str]]]:
    """Badges of digits that read as `numbers` once leading zeros are dropped: {number:
    member} where one badge fits, {number: [badges]} where several do."""
    hits = _zeros_aside(rd, numbers)
    one = {n: ms[0] for n, ms in hits.items() if len(ms) == 1}
    several = {n: sorted(m.badge or "" for m in ms) for n, ms in hits.items() if len(ms) > 1}
    return one, several


def _digits(text: str) -> bool:
    """0-9 only (str.isdigit takes "٤", "４" and "²", which no badge column or id holds)."""
    return text.isascii() and text.isdigit()


def classify(ref: str | int, kind: str = "member") -> tuple[str, str]:
    """What a member reference names: (kind, text), kind "id", "email", "badge", "name",
    "number" or "text".

    `id:12`, `#12`, `email:...`, `badge:12` and `name:...` say which one is meant. Badges are
    what officers type: a number with a leading zero ("0199") is only ever a badge; another
    bare number is a badge or an id ("number": the badge wins, see `choose`). Text with an
    @ is an email; anything else a badge or a full name ("text": the badge wins, as a
    report prints the name). A `kind` other than "member" (a CSV's email, badge or id
    column) names the kind outright.
    """
    text = ref_text(ref)
    if kind == "id":  # an id column takes id:12 and #12 too, as the hints write them
        head, sep, rest = text.partition(":")
        if sep and head.strip().lower() == "id":
            text = rest.strip()
        elif text.startswith("#"):
            text = text[1:].strip()
    if kind != "member":
        return kind, text
    head, sep, rest = text.partition(":")
    head = head.strip().lower()
    if sep and head in REF_KINDS:
        return head, rest.strip()
    if text.startswith("#") and _digits(text[1:].strip()):
        return "id", text[1:].strip()
    if _digits(text):
        return ("badge" if text.startswith("0") else "number"), text
    return ("email" if "@" in text else "text"), text


Lookup = Callable[[Any], "MemberRow | None"]


def choose(
    kind: str, text: str, *, by_id: Lookup, by_email: Lookup, by_badge: Lookup,
    by_name: Lookup, zeros_aside: Callable[[str], Sequence[MemberRow]] = lambda _: (),
    what: str = "member",
) -> MemberRow | None:  # fmt: skip
    """The member a classified reference names, given the lookups (one query each for a
    single reference, or dicts filled set-based for a batch). A bare number ("number") is
    the member with that badge when there is one, otherwise the member with that id; other
    text ("text") the member with that badge, otherwise the one member of that full name:
    the badge wins (write id:N or #N for the id, name:... for the name). `by_name` refuses
    a name two members share (`one_named`). A number that is one member's id and, leading
    zeros aside, another's badge (`zeros_aside`: "201" beside badge 0201) is refused with
    both: never a silent pick of the wrong person."""
    if kind == "id":
        number = as_id(text) if _digits(text) else None
        return by_id(number) if number is not None else None
    if kind == "email":
        return by_email(text.strip())
    if kind == "badge":
        return by_badge(badge_text(text))
    if kind == "name":
        return by_name(text)
    if kind == "text":
        return by_badge(badge_text(text)) or by_name(text)
    badge = by_badge(text)
    if badge is not None:
        return badge
    number = as_id(text)
    member = by_id(number) if number is not None else None
    padded = [m for m in zeros_aside(text) if member is None or m.id != member.id]
    if member is not None and padded and not _OTHERS_SHOWN.get():
        raise UsageError(
            f"{text!r} is a member's id and, leading zeros aside, another member's badge.",
            f"Write the badge as it is on file, or id:{number} for the id.",
        )
    if member is not None and padded:
        badges = ", ".join(f"badge {m.badge} ({m.name})" for m in padded)
        first = padded[0].badge
        raise UsageError(
            f"{text!r} is the id of {member.name} and, leading zeros aside, {badges}.",
            f"Write the badge as it is on file ({first}), or id:{number} for the id.",
        )
    return member


def not_found(
    ref: str | int, what: str = "member", close: Sequence[MemberRow] = ()
) -> NotFoundError:
    """The one message for a member reference that names nobody; `close`: members whose
    name it may have meant (`close_names`), offered first."""
    role = "" if what == "member" else f" ({what})"
    hint = LOOKUP_HINT
    if close:
        hint = f"Did you mean {offered_names(close)}? " + hint
    return NotFoundError(f"No member {str(ref).strip()!r}{role}.", hint)


def offered_names(close: Sequence[MemberRow]) -> str:
    """Members offered for a reference that named nobody, each by name and badge (else
    id): "Ana Lucia Reyes (badge F-217) or Ana Reyes (id:9)"."""
    return " or ".join(f"{m.name} ({'badge ' + m.badge if m.badge else f'id:{m.id}'})" for m in close)


def closest_members(rd: Reader) -> Callable[[str], list[MemberRow]] | None:
    """`close_names` for many names of one file (every member read once), or None when
    the actor may not be shown other members."""
    if not _OTHERS_SHOWN.get():
        return None
    near = _Near(_everyone(rd))
    return near.close


def offer_of(hint: str | None) -> tuple[str, str]:
    """A `not_found` hint split into its offer ("Did you mean Ana Lucia Reyes (badge
    F-217)?", or "") and the rest: a file's refusal shows each row's offer beside the row,
    and the general advice once."""
    hint = hint or ""
    if not hint.startswith("Did you mean") or "?" not in hint:
        return "", hint
    offer, rest = hint.split("?", 1)
    return offer + "?", rest.strip()


def close_names(rd: Reader, text: str, n: int = 3) -> list[MemberRow]:
    """Members whose name `text` may have meant: every word of one name in the other ("Ana
    Reyes", "reyes" for Ana Lucia Reyes: domain.text.words_match), else a near spelling
    ("Anna Lucia Reyes"); at most `n`, none when more fit (a first name alone names half
    the roster). One read of the member table, on a miss only."""
    from trainctl.domain.text import name_words

    if not name_words(text):
        return []
    return _Near(_everyone(rd)).close(text, n)


def _everyone(rd: Reader) -> list[MemberRow]:
    return [_member(r) for r in rd.all(f"SELECT {_COLUMNS} FROM member ORDER BY id")]


class _Near:
    """`close_names` among members already read: each name's words and key worked out once,
    not once per name looked for (2,000 misspelled names against 2,000 members took two
    minutes when every row re-read every name)."""

    def __init__(self, everyone: Sequence[MemberRow]) -> None:
        from trainctl.domain.text import name_words

        self.words = [(name_words(m.name), m) for m in everyone]
        self.by_key: dict[str, list[MemberRow]] = {}
        for m in everyone:  # namesakes: each offered, by badge or id
            self.by_key.setdefault(name_key(m.name), []).append(m)

    def close(self, text: str, n: int = 3) -> list[MemberRow]:
        from trainctl.domain.text import name_words, words_match

        words = name_words(text)
        if not words:
            return []
        fits = [m for w, m in self.words if words_match(words, w)]
        if not fits:
            fits = [m for k in nearest(list(self.by_key), name_key(text), n) for m in self.by_key[k]]
        return fits if len(fits) <= n else []


def find_member(rd: Reader, ref: str | int, *, what: str = "member") -> MemberRow | None:
    """The member named by id, email or badge number, or None (see `classify`, `choose`)."""
    kind, text = classify(ref)
    return choose(
        kind, text, what=what,
        by_id=lambda n: by_id(rd, n), by_email=lambda e: _by_email(rd, e),
        by_badge=lambda b: _by_badge(rd, b), by_name=lambda t: _by_name(rd, t),
        zeros_aside=lambda n: _zeros_aside(rd, [n]).get(n, []),
    )  # fmt: skip


def get_member(rd: Reader, ref: str | int, *, what: str = "member") -> MemberRow:
    """The one member resolver: one message and exit code for not found and ambiguous."""
    member = find_member(rd, ref, what=what)
    if member is None:
        kind, text = classify(ref)
        close: Sequence[MemberRow] = ()
        if not _OTHERS_SHOWN.get():
            pass  # (no guesses at other members for an actor who may not list them)
        elif kind in ("text", "name"):
            close = close_names(rd, text)
        elif kind == "number":  # badge 0042 for "42": offered, never taken (`choose`)
            close = _zeros_aside(rd, [text]).get(text, [])[:3]
        raise not_found(ref, what, close)
    return member


# How many names of a batch that name nobody are given the closest members: an error
# shows the first 20 rows and the first eight hints, so a file of 2,000 misspellings is not
# compared 2,000 times with the whole roster for suggestions nobody sees (the rows after
# them are refused all the same, with the general hint).
SUGGESTED = 20


@dataclass(frozen=True, slots=True)
class Found:
    """A batch lookup's answer for one reference: the member, or why there is none."""

    member: MemberRow | None
    problem: TrainctlError | None = None


def find_members(
    rd: Reader, refs: Sequence[tuple[str, str]], *, what: str = "member"
) -> list[Found]:
    """The batch form of `get_member` for (kind, reference) pairs (kind "member" unless a
    CSV column says otherwise): three set-based queries for the whole batch, then the
    same rule (`classify`, `choose`) and the same messages per reference."""
    parsed = [classify(ref, kind) for kind, ref in refs]
    ids = sorted(
        {n for k, t in parsed if k in ("id", "number") and _digits(t) and (n := as_id(t))}
    )
    written = {t.strip() for k, t in parsed if k == "email"}  # as written, and lower-case
    emails = sorted(written | {e.lower() for e in written})  # (`email_match`)
    badges = sorted({b for k, t in parsed if k in ("badge", "number", "text") and (b := badge_text(t))})
    found: dict[str, dict[Any, MemberRow]] = {"id": {}, "email": {}, "badge": {}}
    for column, values in (("id", ids), ("email", emails), ("badge", badges)):
        for part in chunks(values):
            sql, params = in_list("v", part)
            for r in rd.all(f"SELECT {_COLUMNS} FROM member WHERE {column} IN {sql}", params):
                m = _member(r)
                found[column][getattr(m, column)] = m
    folded: dict[str, list[MemberRow]] = {}
    missing = [e for e in written if e not in found["email"] and e.lower() not in found["email"]]
    if missing:  # the case fold, for what the indexed exact match missed (`email_match`)
        folded = _fold_hits(rd, "email", {e.casefold() for e in missing}, str.casefold)
    missing = [b for b in badges if b not in found["badge"]]
    if missing:  # and for badges (`_by_badge`)
        found["badge"].update(_by_folded(rd, "badge", missing))
    # a badge column's number whose leading zeros a spreadsheet dropped ("42" for "0042"),
    # as the sign-in sheet imports read it (domain.sheet.BadgeIndex): when one badge fits
    # (a CSV badge column only: a member column's bare number stays as typed)
    unpadded = sorted({t for k, t in ((k, badge_text(r)) for k, r in refs) if k == "badge"
                       and _digits(t) and t.lstrip("0") and t not in found["badge"]})  # fmt: skip
    loose: dict[str, MemberRow] = {}
    several: dict[str, list[str]] = {}
    if unpadded:
        loose, several = _by_unpadded(rd, unpadded)
    # numbers that are also a badge once its leading zeros are dropped (`choose`)
    padded = _zeros_aside(rd, {t for k, t in parsed if k == "number" and t not in found["badge"]})
    # full names, for what no badge matched (`choose`): one scan for the batch
    names = _by_names(rd, {t for k, t in parsed if (k == "name" or (
        k == "text" and badge_text(t) not in found["badge"])) and t.strip()})  # fmt: skip
    out = []
    near: _Near | None = None
    offered = 0  # names given the closest members: the first SUGGESTED (what a report shows)
    for (kind, text), (given, ref) in zip(parsed, refs, strict=True):
        if given == "badge" and badge_text(ref) in loose:
            out.append(Found(loose[badge_text(ref)], None))
            continue
        if given == "badge" and badge_text(ref) in several:
            out.append(Found(None, UsageError(
                f"Badge {text.strip()!r} matches badges {', '.join(several[badge_text(ref)])} once "
                "leading zeros are ignored.", "Write the badge with its leading zeros, as on file.",
            )))  # fmt: skip
            continue
        try:
            member = choose(
                kind, text, what=what, by_id=found["id"].get, by_email=lambda e: email_match(
                    e, found["email"].get, lambda key: folded.get(key, [])
                ),
                by_badge=found["badge"].get, by_name=lambda t: one_named(t, names.get(t, [])),
                zeros_aside=lambda n: padded.get(n, []),
            )  # fmt: skip
        except UsageError as exc:
            out.append(Found(None, exc))
            continue
        if member is None and kind == "number" and _OTHERS_SHOWN.get():  # badge 0042 for "42",
            out.append(Found(None, not_found(ref, what, padded.get(text, [])[:3])))  # as `get_member`
            continue
        if member is None and kind in ("text", "name") and _OTHERS_SHOWN.get() and offered < SUGGESTED:
            if near is None:  # the closest names, as the single form offers them
                near = _Near(_everyone(rd))
            offered += 1
            out.append(Found(None, not_found(ref, what, near.close(text))))
            continue
        out.append(Found(member, None if member else not_found(ref, what)))
    return out


def named(rd: Reader, names: Iterable[str]) -> dict[str, list[MemberRow]]:
    """The members each name (as a CSV row's name column writes it) may be, by
    domain.text.words_match, for a row whose e-mail, badge or id named nobody: a name of
    two words or more, members named with two or more (one word alone names too many).
    Every member is read once, and only when asked (`NameIndex`)."""
    from trainctl.domain.text import name_words

    wanted = [n for n in names if len(name_words(n)) >= 2]
    if not wanted:
        return {}
    index = NameIndex(map(_member, rd.all(f"SELECT {_COLUMNS} FROM member ORDER BY id")))
    return {n: index.matches(n) for n in wanted}


class NameIndex(Generic[M]):
    """The one rule of whose name a row's name cell is (`named`; sheet imports too): the
    members (anything with .name, in the order given) whose name's words and the cell's
    write one person's name (domain.text.words_match: "Holm, Rita" and "Rita M. Holm"), a
    name of two words or more against members named with two or more."""

    def __init__(self, members: Iterable[M]) -> None:
        from trainctl.domain.text import name_words

        self.everyone = [(w, m) for m in members if len(w := name_words(m.name)) >= 2]  # type: ignore[attr-defined]
        # indexed by word and by word set, not every name against every member: a class
        # file of 20,000 new recruits, none on file, against 20,000 members took 100 s
        # here (400 million comparisons); 100,000 of each would have taken hours
        self.by_word: dict[str, set[int]] = {}
        self.by_words: dict[frozenset[str], list[int]] = {}
        for i, (mw, _) in enumerate(self.everyone):
            self.by_words.setdefault(mw, []).append(i)
            for word in mw:
                self.by_word.setdefault(word, set()).add(i)

    def matches(self, name: str) -> list[M]:
        """The members `name` may be (none for a name of fewer than two words)."""
        from trainctl.domain.text import name_words, words_match

        w = name_words(name)
        if len(w) < 2:
            return []
        return [self.everyone[i][1] for i in sorted(_word_matches(w, self.by_word, self.by_words))
                if words_match(w, self.everyone[i][0])]  # fmt: skip


def _word_matches(
    w: frozenset[str], by_word: dict[str, set[int]], by_words: dict[frozenset[str], list[int]]
) -> set[int]:
    """The members (by index) whose words hold every word of `w`, or whose words (two or
    more) are all in `w`: `words_match`'s two cases, found through the indexes of `named`."""
    postings = sorted((by_word.get(word, set()) for word in w), key=len)
    found = set(postings[0]).intersection(*postings[1:])  # every word of w in theirs
    if len(w) <= 12:  # theirs all in w: the word sets of two or more of w's words
        words = sorted(w)
        for k in range(2, len(words)):
            for part in combinations(words, k):
                found.update(by_words.get(frozenset(part), ()))
    else:  # (a cell of many words: members sharing a word with it, each counted)
        counts: dict[int, int] = {}
        for p in postings:
            for i in p:
                counts[i] = counts.get(i, 0) + 1
        found.update(i for i, c in counts.items() if c >= 2)
    return found


def resolve_actor(rd: Reader, ref: str | None) -> Actor:
    """The acting member (None: --as not given, the database owner). Whether the
    resolver's messages may name other members (`_OTHERS_SHOWN`) follows: only to an actor
    who may see everyone, and not while --as itself is being looked up.

    An --as given empty or blank is refused, never the owner: `--as "$OFFICER"` with
    OFFICER unset would otherwise run with every right and be recorded as the database
    owner. (An empty TRAINCTL_ACTOR is unset: Click reads it as None, as shells do.)"""
    if ref is None:
        _OTHERS_SHOWN.set(True)
        return OWNER
    if not visible(ref):
        raise UsageError(
            f"--as is {'empty' if not ref else 'blank'}: it names no member; nothing was done.",
            "Give the member to act as (id, e-mail, badge or name), or leave --as out to act "
            'as the database owner (in a script, `--as "$VAR"` with VAR unset or empty is this).',
        )
    _OTHERS_SHOWN.set(False)
    member = get_member(rd, ref, what="--as / TRAINCTL_ACTOR")
    if member.status != "active":
        raise PermissionDeniedError(
            f"{member.name} is inactive and cannot act in trainctl.",
            "Reactivate the member with `trainctl member edit ... --status active`.",
        )
    actor = Actor.of_member(member.id, member.name, member.role)
    _OTHERS_SHOWN.set(actor.can(VIEW_ALL))
    return actor


# ---------------------------------------------------------------------------- listings
@dataclass(frozen=True, slots=True)
class Listed:
    """A member as a listing shows them: on the as-of day when there is one (positions and
    status from member_history), and `first_known`, the day their history begins when that
    is after the as-of day (shown as first known: added to trainctl later, without a hire
    date on or before that day); None otherwise."""

    member: MemberRow
    first_known: date | None = None


def on_day(member: MemberRow, timeline: Sequence[MemberState], day: date) -> Listed | None:
    """`member` as they were on `day` (the `states_as_of` rule, `state_on`). None when the
    member was not yet hired then: their history starts after the day and their hire date
    is after it too (a recruit hired in March is not on January's roster). A member whose
    history starts later without such a hire date (a veteran entered when the department
    started using trainctl) is taken as first known and marked. Without history rows
    (written outside trainctl) the member keeps their current values."""
    state = state_on(timeline, day)
    if state is None:
        return Listed(member)
    if not_yet_hired(member.hire_date, state, day):
        return None
    then = replace(member, positions=list(state.positions), status=state.status)
    return Listed(then, state.effective_on if state.effective_on > day else None)


def not_yet_hired(hire_date: date | None, state: MemberState, day: date) -> bool:
    """Whether a member was not yet with the department on `day`: `state` (their state
    on the day, `state_on`) starts after it, and so does their hire date. The one rule for
    every roster of a past day: `member list --as-of`, the compliance matrix."""
    return state.effective_on > day and hire_date is not None and hire_date > day


def show_member(
    rd: Reader, actor: Actor, ref: str, as_of: date | None = None
) -> tuple[Listed, list[MemberState]]:
    """A member's record (as of a day when given: `on_day`, never hidden, a lookup names
    them) and their positions and status over time, oldest first. Members may view their
    own, others need training.view_all."""
    member = get_member(rd, ref)
    actor.require_self_or(member.id, VIEW_ALL, "view other members", "view their own record")
    timeline = member_timeline(rd, member.id)
    if as_of is None:
        return Listed(member), timeline
    found = on_day(member, timeline, as_of)
    if found is None:  # not yet hired on the day: shown as first known, and marked so
        first = timeline[0]
        found = Listed(replace(member, positions=list(first.positions), status=first.status),
                       first.effective_on)  # fmt: skip
    return found, timeline


def list_members(
    rd: Reader,
    actor: Actor,
    *,
    status: str | None = "active",
    positions: Iterable[str] = (),
    role: str | None = None,
    as_of: date | None = None,
) -> list[Listed]:
    """Members as a roster: by last name, then first name, then id (domain.text.roster_key).
    status None = everyone; positions: holding any of them. With `as_of`, the members as
    they were on that day (`on_day`): status and positions then, those hired later left
    out; role is today's (it has no history)."""
    if not actor.can(VIEW_ALL):
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role}) may not list members: it needs {VIEW_ALL}.",
            "A member may see their own record with `trainctl member show <your email>`.",
        )
    conds, params = ["1 = 1"], {}
    if status is not None and as_of is None:
        conds.append("status = :status")
        params["status"] = status
    if role is not None:
        conds.append("role = :role")
        params["role"] = role
    rows = rd.all(
        f"SELECT {_COLUMNS} FROM member WHERE {' AND '.join(conds)} ORDER BY name, id", params
    )
    listed = [Listed(_member(r)) for r in rows]
    if as_of is not None:  # one more query: every history row (a handful per member)
        history = timelines(rd, None)
        listed = [
            x for m in listed if (x := on_day(m.member, history.get(m.member.id, ()), as_of))
        ]
        if status is not None:
            listed = [x for x in listed if x.member.status == status]
    wanted = set(positions)
    if wanted:
        listed = [x for x in listed if wanted.intersection(x.member.positions)]
    listed.sort(key=lambda x: roster_key(x.member.name, x.member.id))
    return listed


def has_members(rd: Reader) -> bool:
    """Whether the department has any member at all (what an empty listing suggests next)."""
    return rd.one("SELECT id FROM member LIMIT 1", {}) is not None


def first_hired(rd: Reader) -> date | None:
    """The earliest hire date on file (None: no member has one): where the department's
    members start, for a report of a year before it (`report iso`)."""
    return as_date(rd.scalar("SELECT min(hire_date) FROM member", {}))


def names(rd: Reader, ids: Iterable[int | None]) -> dict[int, str]:
    """Member names by id, for "by" columns."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    sql, params = in_list("id", wanted)
    rows = rd.all(f"SELECT id, name FROM member WHERE id IN {sql}", params)
    return {row[0]: row[1] for row in rows}


def position_codes(rd: Reader) -> KnownPositions:
    """The department's positions (code -> display name), found by code or display name."""
    return KnownPositions({str(r[0]): str(r[1]) for r in rd.rows("SELECT code, name FROM position")})


@dataclass(frozen=True, slots=True)
class PositionInfo:
    code: str
    name: str
    builtin: bool
    active_members: int


def list_positions(rd: Reader, as_of: date | None = None) -> list[PositionInfo]:
    """Every position with the number of active members holding it (built-ins first); with
    `as_of`, active members holding it on that day (`on_day`, as `member list` counts)."""
    counts: dict[str, int] = {}
    if as_of is None:
        held = [
            as_json(p) or []
            for (p,) in rd.all("SELECT positions FROM member WHERE status = 'active'")
        ]
    else:
        history = timelines(rd, None)
        then = (
            on_day(m, history.get(m.id, ()), as_of)
            for m in map(_member, rd.all(f"SELECT {_COLUMNS} FROM member"))
        )
        held = [x.member.positions for x in then if x and x.member.status == "active"]
    for positions in held:
        for code in positions:
            counts[code] = counts.get(code, 0) + 1
    rows = rd.all("SELECT code, name, is_builtin FROM position ORDER BY is_builtin DESC, code")
    return [PositionInfo(c, n, bool(b), counts.get(c, 0)) for c, n, b in rows]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: datetime
    action: str
    actor_id: int | None
    detail: dict[str, Any]
    entity: str = "member"  # what the entry is about: the member, one of their cards or enrollments
    entity_id: int | None = None


def member_history(rd: Reader, member_id: int, limit: int = 20) -> list[HistoryRow]:
    """The latest audit entries about this member: their own row (adds, edits,
    deactivation) and their certification cards and enrollments (added, voided;
    enrolled, held, resumed, withdrawn, failed, advanced), found by the card's or the
    enrollment's id, so entries written before they named the member are found too; and
    the one entry of the bulk run that made a card or an enrollment (`cert import`,
    `enroll bulk`: it names no single card or enrollment), once per card or enrollment of
    the member it made (`_runs_of`). One query."""
    run_of_card, run_of_enrollment = _runs_of(rd.dialect)
    rows = rd.all(
        "SELECT at, action, actor_id, detail, entity, entity_id, id FROM audit_log "
        "WHERE (entity = 'member' AND entity_id = :id) "
        "OR (entity = 'certification' AND entity_id IN "
        "(SELECT c.id FROM certification c WHERE c.member_id = :id)) "
        "OR (entity = 'enrollment' AND entity_id IN "
        "(SELECT e.id FROM enrollment e WHERE e.member_id = :id)) "
        "UNION ALL "
        "SELECT a.at, a.action, a.actor_id, a.detail, 'certification', c.id, a.id "
        f"FROM certification c JOIN audit_log a ON a.id = ({run_of_card}) "
        "WHERE c.member_id = :id AND a.entity_id IS NULL "
        "UNION ALL "
        "SELECT a.at, a.action, a.actor_id, a.detail, 'enrollment', e.id, a.id "
        f"FROM enrollment e JOIN audit_log a ON a.id = ({run_of_enrollment}) "
        "WHERE e.member_id = :id AND a.action = 'enrollment.bulk' "
        # one bulk run's entry is listed once per card or enrollment it made, all at one
        # time: those ties fall by the card's or enrollment's id, the same on both backends
        "ORDER BY at DESC, id DESC, entity, entity_id LIMIT :limit",
        {"id": member_id, "limit": limit},
    )
    return [HistoryRow(required(as_utc(a)), b, c, as_json(d) or {}, e, i) for a, b, c, d, e, i, _ in rows]


# The ids of the rows a bulk run made, kept in its audit entry's detail (`first_id`,
# `last_id`: services/sheet_import.audit_import, services/enrollment/enroll.bulk_enroll):
# writes take turns (BEGIN IMMEDIATE; PostgreSQL's write lock), so no other command's row
# has an id between the first and the last a run made.
RUN_IDS = ("first_id", "last_id")


def _runs_of(dialect: str) -> tuple[str, str]:
    """SQL for the audit entry of the command that made card `c` / enrollment `e`: the
    entry that names it (`cert add`, `enroll add`), or the bulk run (`cert import`; `enroll
    bulk` in its program) whose ids include it. Entries written before runs kept their ids
    have only their time: the first entry of the kind by the same member at or after the
    row was made (a command writes its rows, then its entry, in one transaction); on
    equal times or clocks that disagree (two machines on one server) that is a guess, so it
    is only taken for such an entry."""
    first, last = (json_int(dialect, "r.detail", key) for key in RUN_IDS)
    by_ids = f"{first} IS NOT NULL AND {{row}} BETWEEN {first} AND {last}"
    by_time = f"{first} IS NULL AND r.at >= {{made}} AND (r.actor_id = {{by}} OR (r.actor_id IS NULL AND {{by}} IS NULL))"
    card_runs = "r.entity = 'certification' AND r.action IN ('cert.add', 'cert.import')"
    card = (
        f"SELECT r.id FROM audit_log r WHERE {card_runs} AND (r.entity_id = c.id "
        f"OR (r.entity_id IS NULL AND {by_ids.format(row='c.id')})) ORDER BY r.id LIMIT 1"
    )
    card_then = (
        f"SELECT r.id FROM audit_log r WHERE {card_runs} AND r.entity_id IS NULL AND "
        f"{by_time.format(made='c.created_at', by='c.created_by')} ORDER BY r.at, r.id LIMIT 1"
    )
    bulk = "r.entity = 'program' AND r.entity_id = e.program_id AND r.action = 'enrollment.bulk'"
    enrollment = (
        "SELECT r.id FROM audit_log r WHERE (r.entity = 'enrollment' AND r.entity_id = e.id "
        f"AND r.action = 'enrollment.add') OR ({bulk} AND {by_ids.format(row='e.id')}) "
        "ORDER BY r.id LIMIT 1"
    )
    enrollment_then = (
        f"SELECT r.id FROM audit_log r WHERE {bulk} AND "
        f"{by_time.format(made='e.enrolled_at', by='e.enrolled_by')} ORDER BY r.at, r.id LIMIT 1"
    )
    return (f"COALESCE(({card}), ({card_then}))", f"COALESCE(({enrollment}), ({enrollment_then}))")


# ------------------------------------------------------------------ positions over time
@dataclass(frozen=True, slots=True)
class MemberState:
    """A member's positions and status from a department day on (table member_history)."""

    member_id: int
    effective_on: date
    positions: list[str]
    status: str
    recorded_at: datetime
    recorded_by: int | None


_STATE_SQL = (
    "SELECT member_id, effective_on, positions, status, recorded_at, recorded_by FROM member_history"
)


def timelines(rd: Reader, ids: Sequence[int] | None) -> dict[int, list[MemberState]]:
    """Every history row of the members (all members when `ids` is None), per member in
    effective order, the latest written last among rows of one day."""
    rows: list[tuple[Any, ...]] = []
    order = " ORDER BY member_id, effective_on, id"
    if ids is None:
        rows = rd.all(_STATE_SQL + order)
    else:
        for part in chunks(sorted(set(ids))):
            sql, params = in_list("m", part)
            rows += rd.all(f"{_STATE_SQL} WHERE member_id IN {sql}{order}", params)
    out: dict[int, list[MemberState]] = {}
    for m, day, positions, status, at, by in rows:
        out.setdefault(m, []).append(
            MemberState(m, required(as_date(day)), as_json(positions) or [], status,
                        required(as_utc(at)), by)
        )  # fmt: skip
    return out


def status_since(timeline: Sequence[MemberState], day: date | None = None) -> date | None:
    """The day since which the member has held their status of `day` (else their latest):
    the first row of the run of rows with that status that holds on the day (`state_on`).
    A member CSV carries it (`status_since`), so an import dates a retirement as it was
    (positions over time are not carried: one row holds one state). None without rows."""
    if not timeline:
        return None
    at = 0  # the row that holds on the day (before the first: the first, as state_on)
    for i, state in enumerate(timeline):
        if day is not None and state.effective_on > day:
            break
        at = i
    while at > 0 and timeline[at - 1].status == timeline[at].status:
        at -= 1
    return timeline[at].effective_on


def state_on(timeline: Sequence[MemberState], day: date) -> MemberState | None:
    """The member as of `day`: the latest row effective on or before it; before the first
    row, the first row (the earliest that is known: a member added to trainctl this year
    was a member before); None without any row."""
    found = timeline[0] if timeline else None
    for state in timeline:
        if state.effective_on > day:
            break
        found = state
    return found


def states_as_of(
    rd: Reader, day: date, ids: Sequence[int] | None = None
) -> dict[int, MemberState]:
    """The one read of members' positions and status as of a day (issue 9, "as of any
    date"), for the members named (all when None): the compliance matrix, `requirement
    explain` and the reports judge a past day by who held what then. A member without
    history rows (written outside trainctl) is missing here: callers keep their current
    values. One query, ordered; each history is a handful of rows."""
    return {
        m: state
        for m, timeline in timelines(rd, ids).items()
        if (state := state_on(timeline, day)) is not None
    }


def member_timeline(rd: Reader, member_id: int) -> list[MemberState]:
    """One member's positions and status over time, oldest first (`member show`)."""
    return timelines(rd, [member_id]).get(member_id, [])
