"""Checklist sign-offs by member: `checklist check`, `checklist uncheck` (training.manage).

A checklist requirement that applies by position (the NFPA 1582 annual medical, NFPA
1500's annual training) is owed by every member it names, in a program or not. An officer
signs an item off for the member (a member's record, as a skill checkoff is, not an
enrollment's): one row of checklist_signoff, dated the day it was done (--as-of, else the
department's day), which compliance and `requirement explain` count with the items checked
on the member's enrollments (queries/compliance `load_kinds`, the one fact loader). An
uncheck takes the item back from its day on (a report of an earlier day still counts it);
the row is kept. One sign-off counts everywhere: it is a source of the credit feed
(services/credit_feed.py, as a skill checkoff is), so the member's enrollments whose
program links the requirement are credited the item in the same transaction, dated the
sign-off's day (within the enrollment's window and the program's order, as any fact); an
uncheck reverses that credit alone ("<id>:void", dated the uncheck's day), never an item
an officer checked on the enrollment by hand (`progress update --check`).

Nobody signs off their own items. Refused, with nothing written: an unknown or inactive
member, a requirement that is not a checklist, an item it does not list, a day after
today, a second sign-off of the item on the same day, an uncheck of an item not standing, an uncheck dated before the day its program credit
took effect (an enrollment begun later took it then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from trainctl.domain import progress as dp
from trainctl.domain import text as dtext
from trainctl.errors import BadInputError, RefusedError
from trainctl.models import ChecklistSignoff, Member, utcnow
from trainctl.queries import checklists as q
from trainctl.queries import reader_of
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.credit_feed import (
    FeedResult,
    credit_facts,
    credited_after,
    reverse_sources,
    source_facts,
)
from trainctl.services.members import effective_day
from trainctl.services.requirements import get_requirement
from trainctl.services.settings import today as department_today
from trainctl.services.sheet_import import active_member

SOURCE = "checklist_signoff"  # the credit feed's source type (domain/credit.py)


@dataclass(frozen=True)
class Signed:
    """What `checklist check` / `uncheck` did: the sign-off, whose, which item, which day."""

    id: int
    member: str
    requirement: str
    item: str
    day: date
    checked_on: date  # (an uncheck: the day the item was signed off)
    # (an uncheck: the item's other sign-offs still standing that day, latest first, (id,
    # day): an earlier sign-off still counts the item, and the officer is told so)
    still: tuple[tuple[int, date], ...] = ()
    hired: date | None = None  # the member's hire date (a sign-off dated before it is said)
    # what the credit feed did on the member's enrollments (a check: credits; an uncheck:
    # reversing entries)
    feed: FeedResult | None = None


def _target(
    session: Session, member_ref: str, requirement_ref: str, item: str, day: date
) -> tuple[int, str, int, str, str]:
    """(member id, member name, requirement id, its label, the item as it spells it)."""
    member_id, member_name = active_member(session, member_ref, on=day)
    req = get_requirement(session, requirement_ref)
    assert req.id is not None
    label = f"{req.registry_code} — {req.name}" if req.registry_code else req.name
    if req.requirement_type != "checklist":
        raise BadInputError(
            f"REQUIREMENT: {label!r} is {dtext.a_or_an(req.requirement_type.replace('_', ' '))} requirement, not a checklist; "
            "only checklist items are signed off.",
            "Name a checklist (`trainctl requirement list --type checklist` lists them); other "
            "requirements count training records, cards, skill checkoffs, shifts or calls.",
        )
    items = dp.item_names(req.checklist_items)
    found = dp.match_item(items, item)
    if found is None:
        raise BadInputError(
            f"ITEM: {label!r} has no item {item.strip()!r}.",
            f"Its items: {', '.join(repr(i) for i in items) or 'none defined'}.",
        )
    return member_id, member_name, req.id, label, found


def check(
    session: Session,
    actor: Actor,
    member_ref: str,
    requirement_ref: str,
    item: str,
    *,
    on: date | None,
    note: str | None = None,
) -> Signed:
    """Sign `item` off for the member on `on` (None: the department's day)."""
    actor.require(MANAGE, "sign off checklist items")
    day = effective_day(session, on, field="--as-of")
    text = dtext.check_reason("--note", note)  # the one check of a typed note
    member_id, member_name, rid, label, found = _target(session, member_ref, requirement_ref, item, day)
    actor.refuse_own(member_id, "signs off their own checklist items")
    session.flush()
    twice = [sid for sid, checked in q.standing(reader_of(session), member_id, rid, found, day)
             if checked == day]  # fmt: skip
    if twice:
        raise RefusedError(
            f"{found!r} of {label!r} is signed off for {member_name} on {day} already "
            f"(sign-off {twice[0]}); nothing was recorded.",
            f"`trainctl checklist list --member id:{member_id}` shows the sign-offs; sign it off "
            "again on the day it was done again (--as-of).",
        )
    row = ChecklistSignoff(
        member_id=member_id, requirement_id=rid, item=found, checked_on=day, note=text,
        checked_by=actor.member_id, checked_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    assert row.id is not None
    audit(session, actor, "checklist.check", "checklist_signoff", row.id, member_id=member_id,
          requirement_id=rid, item=found, checked_on=str(day))  # fmt: skip
    # the one sign-off counts in the member's programs too (module docstring)
    facts = source_facts(session, [SOURCE], [member_id], since=row.id - 1)
    feed = credit_facts(session, actor, facts, today=day)
    member = session.get(Member, member_id)
    hired = member.hire_date if member is not None else None
    return Signed(row.id, member_name, label, found, day, day, hired=hired, feed=feed)


def uncheck(
    session: Session,
    actor: Actor,
    member_ref: str,
    requirement_ref: str,
    item: str,
    *,
    on: date | None,
    note: str | None = None,
) -> Signed:
    """Take back the member's latest sign-off of `item` standing on `on` (None: the
    department's day), from that day on. An earlier sign-off of the item standing that day
    still counts it: returned in `still` (the CLI says so; another uncheck takes it back)."""
    actor.require(MANAGE, "uncheck checklist items")
    day = effective_day(session, on, field="--as-of")
    text = dtext.check_reason("--note", note)  # the one check of a typed note
    member_id, member_name, rid, label, found = _target(session, member_ref, requirement_ref, item, day)
    actor.refuse_own(member_id, "unchecks their own checklist items")
    session.flush()
    standing = q.standing(reader_of(session), member_id, rid, found, day)
    if not standing:
        raise RefusedError(
            f"{found!r} of {label!r} is not signed off for {member_name} on {day}; nothing to uncheck.",
            f"`trainctl checklist list --member id:{member_id} --all` shows the sign-offs and "
            "their days (an uncheck is dated on or after the day it takes back).",
        )
    sid, checked = standing[0]
    later = credited_after(session, SOURCE, str(sid), member_id, day)
    if later is not None:
        raise RefusedError(
            f"Sign-off {sid} of {found!r} credited {member_name}'s program on {later}, after {day} "
            "(an enrollment that began then): an uncheck cannot be dated before the credit it "
            "takes back; nothing was recorded.",
            dtext.later_day_hint("Uncheck", later, department_today(session)),
        )
    row = session.get(ChecklistSignoff, sid)
    assert row is not None
    row.unchecked_on, row.unchecked_by, row.unchecked_at = day, actor.member_id, utcnow()
    row.uncheck_note = text
    session.add(row)
    session.flush()
    audit(session, actor, "checklist.uncheck", "checklist_signoff", sid, member_id=member_id,
          requirement_id=rid, item=found, unchecked_on=str(day))  # fmt: skip
    # its program credit goes with it (and only its own: a hand check stays)
    feed = reverse_sources(session, actor, SOURCE, [(str(sid), member_id)], today=day,
                           reason=f"checklist uncheck of sign-off {sid}" + (f": {text}" if text else ""))  # fmt: skip
    return Signed(sid, member_name, label, found, day, checked, tuple(standing[1:]), feed=feed)


__all__ = ["Signed", "check", "uncheck"]
