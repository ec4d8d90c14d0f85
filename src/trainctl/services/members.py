"""Members: lookup, add, list, show, edit, deactivate, positions, and CSV import.

Permissions (DESIGN §4): writes need training.manage; listing everyone needs
training.view_all; any member may view their own record. Members are never deleted:
deactivating keeps their history. Every write records who made it (created_by, audit_log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.db import BulkInsert, chunks, table
from trainctl.domain.positions import KnownPositions
from trainctl.domain.sheet import badge_key, unlikely_hire
from trainctl.domain.text import echo
from trainctl.domain.text import visible as same_look
from trainctl.errors import BadInputError, RefusedError, UsageError
from trainctl.models import Member, MemberHistory, Position, utcnow
from trainctl.queries import members as q
from trainctl.queries import reader_of
from trainctl.schemas.members import (
    MemberCreate,
    MemberUpdate,
    PositionCreate,
    position_hint,
)
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor


# ---------------------------------------------------------------------------------- lookup
def member_list(session: Session, texts: Sequence[str], option: str) -> list[str]:
    """A list option's member references, split at commas (queries.members.split_list:
    a member's name that holds a comma is refused rather than split)."""
    return q.split_list(reader_of(session), texts, option)


def get_member(session: Session, ref: str | int, *, what: str = "member") -> Member:
    """The member named by id, email, badge or full name (the one resolver: queries.members)."""
    session.flush()
    found = q.get_member(reader_of(session), ref, what=what)
    member = session.get(Member, found.id)
    assert member is not None
    return member


def who(member: Member) -> str:
    return f"member {member.id} ({member.name}, {member.email})"


# ------------------------------------------------------------------------------- positions
def position_codes(session: Session) -> KnownPositions:
    session.flush()
    return q.position_codes(reader_of(session))


def add_position(session: Session, actor: Actor, data: PositionCreate) -> Position:
    """Add a department position (members and requirements can then name it)."""
    actor.require(MANAGE, "add positions")
    existing = session.get(Position, data.code)
    if existing is not None:
        raise BadInputError(
            f"Position {data.code!r} already exists ({existing.name}).",
            "`trainctl member positions` lists the positions.",
        )
    position = Position(code=data.code, name=data.name, is_builtin=False)
    session.add(position)
    session.flush()
    audit(session, actor, "position.add", "position", None, code=data.code, name=data.name)
    return position


# ------------------------------------------------------------------ positions over time
HISTORY_FIELDS = ("positions", "status")  # what member_history keeps over time


def effective_day(
    session: Session, effective: date | None, as_of: date | None = None, *, field: str = "--effective"
) -> date:
    """The department day a change of positions or status takes effect: `effective` (the
    command's --effective), else today (the global --as-of, else the department's today).
    A change cannot take effect after today: trainctl records what has happened."""
    from trainctl.services.settings import today

    now = today(session, as_of)
    if effective is None:
        return now
    if effective > now:
        raise UsageError(
            f"{field} {effective} is after today ({now}{'' if as_of else ' in the department timezone'}).",
            f"Record a change once it has happened: give {field} {now} or earlier.",
        )
    return effective


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a member's history holds: how many entries, the first and last effective day."""

    entries: int
    first: date
    last: date


def recorded(session: Session, member_ids: Sequence[int]) -> dict[int, Recorded]:
    """Each member's history in figures (one grouped SELECT per 500 members)."""
    out: dict[int, Recorded] = {}
    ids = sorted(set(member_ids))
    day = col(MemberHistory.effective_on)
    for i in range(0, len(ids), 500):
        query = (
            select(MemberHistory.member_id, sa.func.count(), sa.func.min(day), sa.func.max(day))
            .where(col(MemberHistory.member_id).in_(ids[i : i + 500]))
            .group_by(col(MemberHistory.member_id))
        )
        out.update({m: Recorded(n, a, b) for m, n, a, b in session.exec(query)})
    return out


def not_before(hire_date: date | None, day: date, rec: Recorded | None) -> date | None:
    """None when a change effective `day` can be recorded, else the day it may not precede.

    History is kept in date order: a change cannot take effect before the member's last
    recorded change (that later entry would undo it). One exception: a member whose only
    entry dates from being added, not from a known hire date, may take an earlier change;
    their first entry then starts on that day (`start_earlier`), the earliest known now."""
    if rec is None or day >= rec.last:
        return None
    if rec.entries == 1 and rec.first != hire_date:
        return None
    return rec.last


def refuse_before_last_change(
    member: Member, day: date, rec: Recorded | None, *, field: str = "--effective"
) -> None:
    """The refusal of `not_before`, naming the option and the day to give instead."""
    bound = not_before(member.hire_date, day, rec)
    if bound is not None:
        raise RefusedError(
            f"{field} {day} is before {who(member)}'s last recorded change of positions or "
            f"status, effective {bound}; nothing was changed.",
            f"`trainctl member show id:{member.id}` lists the history; record this change "
            f"effective {bound} or later.",
        )


def start_earlier(session: Session, moves: Sequence[tuple[int, date]]) -> None:
    """Move a member's only entry back to `day` (see `not_before`): one executemany."""
    if moves:
        table = sa.table(
            "member_history", sa.column("member_id", sa.Integer()), sa.column("effective_on", sa.Date())
        )  # Core: an UPDATE by member, not the ORM's by primary key
        session.connection().execute(
            table.update()
            .where(table.c.member_id == sa.bindparam("m"))
            .where(table.c.effective_on > sa.bindparam("day"))
            .values(effective_on=sa.bindparam("day")),
            [{"m": m, "day": day} for m, day in moves],
        )


def follow_hire_date(
    session: Session, moves: Sequence[tuple[int, date | None, date | None]], today: date
) -> None:
    """A corrected hire date moves the start of a history that was dated by the old one.

    `moves`: (member id, old hire date, new hire date). A member added after their hire
    date has their history start on it (`first_effective`): that start is the hire date,
    not a fact of its own, so a correction (HR: hired 2 March, not 5 January) takes it
    along, as if the member had been added with the right date (the new hire date, or
    `today` when that is earlier), never past their next recorded change. Without that the
    member stayed active on every roster and crew of the days between, while compliance
    judged them not yet hired. A history that starts on another day (a recruit added
    before their hire date, from the day added; a member added without one) is left as it
    is: editing the hire date never takes them off a roster. A cleared hire date moves
    nothing. One SELECT per 500 members, an UPDATE per moved start."""
    wanted = {m: (old, new) for m, old, new in moves if old is not None and new is not None and old != new}
    ids = sorted(wanted)
    days: dict[int, list[date]] = {}
    for i in range(0, len(ids), 500):
        rows = session.exec(
            select(col(MemberHistory.member_id), col(MemberHistory.effective_on))
            .where(col(MemberHistory.member_id).in_(ids[i : i + 500]))
            .distinct()
        )
        for m, d in rows:
            days.setdefault(m, []).append(d)
    table = sa.table(
        "member_history", sa.column("member_id", sa.Integer()), sa.column("effective_on", sa.Date())
    )
    for m, (old, new) in wanted.items():
        held = sorted(days.get(m, ()))
        if not held or held[0] != old:
            continue
        start = first_effective(new, today)
        if len(held) > 1:
            start = min(start, held[1])
        if start != old:
            session.connection().execute(
                table.update()
                .where(table.c.member_id == m, table.c.effective_on == old)
                .values(effective_on=start)
            )


def record_history(
    session: Session, actor: Actor, entries: Sequence[tuple[int, date, Sequence[str], str]]
) -> None:
    """Append (member id, effective day, positions, status) rows: one bulk INSERT
    (db.BulkInsert: plain tuples, COPY on PostgreSQL; a roster import writes one or two
    per member, and the ORM's bulk INSERT cost 6 s per 100,000 of them)."""
    if not entries:
        return
    now = utcnow()
    writer = BulkInsert(session.connection(), table(MemberHistory), _HISTORY_COLUMNS)
    for part in chunks(entries, 10_000):
        writer.execute(
            [(m, day, list(positions), status, now, actor.member_id) for m, day, positions, status in part]
        )


_HISTORY_COLUMNS = ("member_id", "effective_on", "positions", "status", "recorded_at", "recorded_by")


def first_effective(hire_date: date | None, day: date) -> date:
    """A new member's first history row: from their hire date when it is known and has
    come (the earliest known date), else from the day they were added."""
    return hire_date if hire_date is not None and hire_date < day else day


# ------------------------------------------------------------------------ add / edit / show
def _refuse_taken(
    session: Session, *, email: str | None, badge: str | None, exclude_id: int | None = None
) -> None:
    """A clear error naming the field and the member who holds it (not an IntegrityError)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if email is not None:  # unique ignoring case, as lookups fold it: straße@ = STRASSE@
        conditions.append(col(Member.email) == email)
        conditions.append(sa.func.trainctl_fold(Member.email) == email.casefold())
    if badge is not None:
        conditions.append(col(Member.badge) == badge)
        conditions.append(col(Member.id).in_(_holding_badge_key(session, badge)))
    if not conditions:
        return
    query = select(Member).where(sa.or_(*conditions))
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    for other in session.exec(query):
        if email is not None and other.email.casefold() == email.casefold():
            raise BadInputError(
                f"The email {email} already belongs to {who(other)}.",
                f"Each member has their own email; `trainctl member show id:{other.id}` shows that member.",
            )
        if other.badge == badge:
            raise BadInputError(
                f"The badge {badge} already belongs to {who(other)}.",
                f"Badge numbers are unique; free it first with `trainctl member edit id:{other.id} --badge ''`.",
            )
        raise BadInputError(
            f"The badge {badge} reads as {other.badge} on a sign-in sheet (case and leading "
            f"zeros aside), and {other.badge} belongs to {who(other)}.",
            f"Give another badge, or free {other.badge} first with `trainctl member edit "
            f"id:{other.id} --badge ''`.",
        )


def _holding_badge_key(session: Session, badge: str) -> list[int]:
    """The members whose badge is `badge` to a lookup (case, leading zeros aside)."""
    key = badge_key(badge)
    rows = session.exec(select(Member.id, Member.badge).where(col(Member.badge).is_not(None)))
    return [i for i, b in rows if b is not None and i is not None and badge_key(b) == key]


def lookalike_names(session: Session) -> dict[str, str]:
    """Every member name by how it looks on screen (invisible characters aside)."""
    return {same_look(n): n for n in session.exec(select(Member.name))}


def lookalike_problem(name: str, lookalikes: dict[str, str]) -> str | None:
    """A name that differs from an existing one only by invisible characters is a likely
    duplicate (a copy-paste artefact); the same name twice is allowed (two John Smiths)."""
    other = lookalikes.get(same_look(name))
    if other is not None and other != name:
        return (
            f"looks exactly like the existing member name {other!r} but differs in invisible "
            "characters; type the name again or use the existing member"
        )
    return None


def hire_warning(session: Session, hired: date | None, as_of: date | None = None) -> str | None:
    """What a hire date given to `member add` or `edit` looks like a typo for, if anything
    (domain.sheet.unlikely_hire, as of the department's today)."""
    if hired is None:
        return None
    why = unlikely_hire(hired, effective_day(session, None, as_of))
    return f"--hire-date: {why}." if why else None


def add_member(
    session: Session, actor: Actor, data: MemberCreate, *, as_of: date | None = None
) -> Member:
    """Add a member; their positions and status are on record from their hire date (else
    from today: `as_of`, else the department's today)."""
    actor.require(MANAGE, "add members")
    day = effective_day(session, None, as_of)
    _check_positions(session, data.positions)
    _refuse_taken(session, email=data.email, badge=data.badge)
    if (why := lookalike_problem(data.name, lookalike_names(session))) is not None:
        raise BadInputError(f"The name {data.name!r} {why}.", "Nothing was written.")
    member = Member(**data.model_dump(), created_by=actor.member_id)
    session.add(member)
    session.flush()
    assert member.id is not None
    record_history(
        session, actor,
        [(member.id, first_effective(member.hire_date, day), member.positions, member.status)],
    )  # fmt: skip
    audit(session, actor, "member.add", "member", member.id, email=member.email, name=member.name)
    return member


def _check_positions(session: Session, codes: Sequence[str]) -> None:
    unknown = sorted(set(codes) - position_codes(session).keys()) if codes else []
    if unknown:
        details = [f"field positions: unknown position {c!r}" for c in unknown]
        raise BadInputError(
            f"Unknown position{'s' if len(unknown) > 1 else ''}: {', '.join(map(echo, unknown))}.",
            position_hint(details),
        )


def _same(field_name: str, old: Any, new: Any) -> bool:
    if field_name == "positions":
        return sorted(old or []) == sorted(new or [])
    return bool(old == new)


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def diff_member(member: Member, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(member, name), value)
        for name, value in values.items()
        if not _same(name, getattr(member, name), value)
    }


@dataclass(frozen=True, slots=True)
class EarlierStart:
    """What `earlier_start` found: the entry to append at `day` (None: the member already
    stood so on `day`, nothing to write) and the day the restated fields were recorded
    from before (`was_from`)."""

    entry: tuple[list[str], str] | None
    was_from: date


def earlier_start(
    session: Session, member: Member, values: dict[str, Any], day: date
) -> EarlierStart | None:
    """A change effective `day`, before the member's last recorded change, that restates
    what the member is now in the fields it names (status, positions), where every entry
    of their history after `day` states those fields just so: it moves their start back
    (a member recorded back on 1 May who was back on 10 April: a record of 10 April is
    refused, and its hint says to do this), whatever else changed since (a position
    added on 10 May stays on 10 May). The entry appended at `day` is the one in force on
    that day with the named fields as they are now; the fields the change does not name
    keep their own dates. None when it is not such a change (refused,
    `refuse_before_last_change`), or when it would move an inactive stretch back over
    days that may hold records (record add refuses those). The history is appended to,
    never edited."""
    named = [name for name in HISTORY_FIELDS if name in values]
    if not named:
        return None

    def state(positions: Any, status: str) -> dict[str, Any]:
        return {"positions": sorted(positions or []), "status": status}

    now = state(member.positions, member.status)
    if state(values.get("positions", member.positions), values.get("status", member.status)) != now:
        return None  # a change, not a restatement
    if "status" in named and member.status != "active":
        return None
    rows = session.execute(
        sa.select(MemberHistory.effective_on, MemberHistory.positions, MemberHistory.status)  # type: ignore[call-overload]
        .where(MemberHistory.member_id == member.id)
        .order_by(MemberHistory.effective_on, MemberHistory.id)
    ).all()
    before = [state(p, s) for d, p, s in rows if d <= day]
    after = [(d, state(p, s)) for d, p, s in rows if d > day]
    if not before or not after or any(st[f] != now[f] for _, st in after for f in named):
        return None
    then = before[-1]  # in force on `day` (the latest written wins a tie)
    if any(then[f] != now[f] for f in named):
        moved = {**then, **{f: now[f] for f in named}}
        return EarlierStart((moved["positions"], moved["status"]), after[0][0])
    # already so on `day`: nothing to write; since when (the named fields' present stretch)
    since = rows[-1][0]
    for d, p, st in reversed(rows):
        if any(state(p, st)[f] != now[f] for f in named):
            break
        since = d
    return EarlierStart(None, since)


# The fields that decide what a member owes and from when: nobody edits their own.
OWED_FIELDS = frozenset({"positions", "status", "hire_date", "certification_date"})


def edit_member(
    session: Session,
    actor: Actor,
    ref: str,
    data: MemberUpdate,
    *,
    effective: date | None = None,
    as_of: date | None = None,
    notes: list[str] | None = None,
) -> tuple[Member, dict[str, tuple[Any, Any]]]:
    """Change the fields set in `data`. Returns the member and {field: (old, new)}. A
    change of positions or status is kept in the member's history, effective on
    `effective` (else today), which must not come before their last recorded change.
    `notes` gets what else happened (an enrollment re-measured for a moved hire date)."""
    actor.require(MANAGE, "edit members")
    member = get_member(session, ref)
    assert member.id is not None
    values = data.model_dump(exclude_unset=True)
    owed = sorted(set(values) & OWED_FIELDS)
    if owed and actor.is_self(member.id):
        # what decides what a member owes (and when): another officer changes it, as
        # another records their training (a hire date moved past a report day hid them)
        actor.refuse_own(member.id, f"changes their own {' or '.join(f.replace('_', ' ') for f in owed)}")
    day = effective_day(session, effective, as_of)
    rec = recorded(session, [member.id]).get(member.id)
    for required in ("name", "email", "role", "status"):
        if required in values and values[required] is None:
            raise BadInputError(f"A member's {required} cannot be cleared.")
    restated = (
        earlier_start(session, member, values, day)
        if rec is not None and day < rec.last and not_before(member.hire_date, day, rec) is not None
        else None
    )
    if restated is None:
        refuse_before_last_change(member, day, rec)
    changes = diff_member(member, values)
    moved: date | None = None
    if restated is not None:
        named = [f for f in HISTORY_FIELDS if f in values]
        held = " and ".join(
            f"{', '.join(member.positions) or 'no position'}" if f == "positions" else member.status
            for f in named
        )
        if restated.entry is None:
            if notes is not None:
                notes.append(f"{member.name} is on record as {held} from {restated.was_from} already.")
        else:
            moved = restated.was_from
            positions, status = restated.entry
            record_history(session, actor, [(member.id, day, positions, status)])
            if notes is not None:
                notes.append(
                    f"{member.name} is now on record as {held} from {day} (before: from "
                    f"{moved}); reports and records as of those days judge them so."
                )
            audit(session, actor, "member.history", "member", member.id, fields=named,
                  effective_on=day.isoformat(), was_from=moved.isoformat())  # fmt: skip
    if not changes:  # (a moved start alone: "history" in what is returned)
        return member, {"history": (moved, day)} if moved is not None else {}
    if "positions" in changes:
        _check_positions(session, values["positions"])
    _refuse_taken(
        session,
        email=values.get("email") if "email" in changes else None,
        badge=values.get("badge") if "badge" in changes else None,
        exclude_id=member.id,
    )
    for name, (_, new) in changes.items():
        setattr(member, name, new)
    member.updated_at = utcnow()
    session.add(member)
    session.flush()
    if "hire_date" in changes:
        was, now = changes["hire_date"]
        follow_hire_date(session, [(member.id, was, now)], effective_day(session, None, as_of))
    if any(name in changes for name in HISTORY_FIELDS):
        if rec is not None and day < rec.first:
            start_earlier(session, [(member.id, day)])
        record_history(session, actor, [(member.id, day, member.positions, member.status)])
        if changes.get("status", (None, None))[1] == "inactive" and notes is not None:
            note = inactive_facts_note(session, member, day, as_of)
            if note:
                notes.append(note)
    if "hire_date" in changes or "certification_date" in changes:
        said = remeasure_windows(session, [member.id], day)
        if notes is not None:
            notes += said
    audit(
        session,
        actor,
        "member.edit",
        "member",
        member.id,
        changes={k: [jsonable(o), jsonable(n)] for k, (o, n) in changes.items()},
        # the day positions or status take effect (--effective), as member.deactivate says
        **({"effective_on": day.isoformat()} if any(f in changes for f in HISTORY_FIELDS) else {}),
    )
    if moved is not None:
        changes["history"] = (moved, day)
    return member, changes


def remeasure_windows(session: Session, member_ids: list[int], today: date) -> list[str]:
    """A member date moved the members' own windows (the first year from the hire date,
    an NREMT cycle from the certification date): their program rows judged in them
    (credit_feed.window_rows) are measured again, as compliance follows. Returns what
    happened (an enrollment reopened or completed, a phase entered)."""
    from trainctl.queries import in_list
    from trainctl.services.credit_feed import window_rows
    from trainctl.services.progress.finish import refresh
    from trainctl.services.store import writer_of

    rows = window_rows(session, member_ids)
    if not rows:
        return []
    eids = sorted(set(rows.values()))
    w = writer_of(session)
    ins, params = in_list("e", eids)
    sql = f"SELECT id, status, progress_percentage FROM enrollment WHERE id IN {ins}"
    before = {eid: (st, pct) for eid, st, pct in w.all(sql, params)}
    events = refresh(session, sorted(rows), eids, today=today)
    out = []
    for eid, status, pct in w.all(sql, params):
        was = before.get(eid)
        if was is not None and (was[0], round(was[1] or 0, 2)) != (status, round(pct or 0, 2)):
            out.append(
                f"Enrollment {eid} re-measured for the member's dates: {was[0]} "
                f"{round(was[1] or 0, 2):g}% -> {status} {round(pct or 0, 2):g}%."
            )
    return out + [ev.message for ev in events]


# (what, table, its day, the day's table when not its own: (join column, table), the
# command that lists it for a member, whether that command takes --from DAY, the column
# that is set once it no longer counts: voided, or a sign-off taken back by `checklist
# uncheck`)
_DATED = (
    ("training record", "training_record", "completion_date", None, "record list", True, "voided_at"),
    ("certification card", "certification", "issued_on", None, "cert list", False, "voided_at"),
    ("skill checkoff", "skill_checkoff", "evaluated_on", None, "skill history", False, "voided_at"),
    ("shift attendance", "shift_attendance", "shift_date", ("shift_id", "shift"), "shift list", True,
     "voided_at"),
    ("call response", "call_response", "shift_date", ("call_id", "call"), "call list", True, "voided_at"),
    ("checklist sign-off", "checklist_signoff", "checked_on", None, "checklist list", False, "unchecked_on"),
)  # fmt: skip


def facts_from(session: Session, member: Member, day: date) -> list[tuple[int, str, str]]:
    """What is on file for the member dated on or after `day` (not void), by kind: (how
    many, what, the command that lists them: `trainctl shift list --member id:3 --from
    DAY`). A retroactive deactivation leaves them counting: they were entered while the
    member was on record as active."""
    rd = reader_of(session)
    out = []
    for what, tbl, column, parent, command, dated, gone in _DATED:
        if parent is None:
            sql = f"SELECT count(*) FROM {tbl} WHERE member_id = :m AND {gone} IS NULL AND {column} >= :d"
        else:
            key, ptbl = parent
            sql = (f"SELECT count(*) FROM {tbl} t JOIN {ptbl} p ON p.id = t.{key} "
                   f"WHERE t.member_id = :m AND t.{gone} IS NULL AND p.{column} >= :d")  # fmt: skip
        param = day.isoformat() if rd.dialect == "sqlite" else day  # as SQLAlchemy stores dates
        n = int(rd.scalar(sql, {"m": member.id, "d": param}) or 0)
        if n:
            since = f" --from {day}" if dated else ""
            out.append((n, what, f"trainctl {command} --member id:{member.id}{since}"))
    return out


def inactive_facts_note(session: Session, member: Member, day: date, as_of: date | None) -> str | None:
    """The note a deactivation dated before today gets when facts on file fall after it:
    how many of each kind, and the list command of each kind found, where to void them."""
    from trainctl.domain.text import plural
    from trainctl.services.settings import today

    if day >= today(session, as_of):
        return None
    found = facts_from(session, member, day)
    if not found:
        return None
    what = ", ".join(plural(n, kind) for n, kind, _ in found)
    stay = "stays on file and still counts" if sum(n for n, _, _ in found) == 1 else "stay on file and still count"
    where = ", ".join(f"`{command}`" for _, _, command in found)
    back = ("; take a sign-off back with `trainctl checklist uncheck`"
            if any(kind == "checklist sign-off" for _, kind, _ in found) else "")  # fmt: skip
    return (
        f"{what} of {member.name} dated on or after {day} {stay} (entered while they were "
        f"on record as active); void any that should not ({where}){back}."
    )


def deactivate_member(
    session: Session,
    actor: Actor,
    ref: str,
    *,
    reason: str | None = None,
    effective: date | None = None,
    as_of: date | None = None,
    notes: list[str] | None = None,
) -> tuple[Member, bool]:
    """Set status inactive (never deletes: records, enrollments and history stay), from
    `effective` (else today) on: reports as of an earlier day still count the member.

    Returns (member, changed); deactivating an inactive member changes nothing.
    """
    from trainctl.domain.text import check_reason

    actor.require(MANAGE, "deactivate members")
    reason = check_reason("--reason", reason)  # kept in the history member show prints
    member = get_member(session, ref)
    assert member.id is not None
    actor.refuse_own(member.id, "deactivates themselves")
    day = effective_day(session, effective, as_of)
    rec = recorded(session, [member.id]).get(member.id)
    refuse_before_last_change(member, day, rec)
    if member.status == "inactive":
        return member, False
    member.status = "inactive"
    member.updated_at = utcnow()
    session.add(member)
    session.flush()
    if rec is not None and day < rec.first:
        start_earlier(session, [(member.id, day)])
    record_history(session, actor, [(member.id, day, member.positions, member.status)])
    audit(session, actor, "member.deactivate", "member", member.id, reason=reason,
          effective_on=day.isoformat())  # fmt: skip
    note = inactive_facts_note(session, member, day, as_of)
    if note and notes is not None:
        notes.append(note)
    return member, True
