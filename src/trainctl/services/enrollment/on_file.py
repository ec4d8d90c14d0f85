"""What is already on file for newly enrolled members, as credit-feed facts.

A new enrollment starts from what the department already knows: valid certification
cards, passed skill checkoffs, and training records, shift attendance and call responses
dated on or after the enrollment start. They go through the one credit feed
(services/credit_feed.py), which decides what each requirement accepts and when a fact
counts (domain/credit.py `counts_on`). Set-based: a few chunked queries per source for the
whole class, then ONE feed call, never a feed call per member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import chunks, table
from trainctl.domain import credit as dc
from trainctl.models import Requirement
from trainctl.permissions import Actor
from trainctl.services.credit_feed import CreditFeed, FeedResult, Group, source_groups


def kinds_crediting(session: Session, requirement_ids: Iterable[int]) -> set[str]:
    """The kinds of fact (training records, cards, ...) that can credit any of these
    requirements (domain/credit.py CREDITS_TYPES): what is on file of another kind is
    never read (a course link does not read 50,000 shift attendances)."""
    r = table(Requirement)
    types: set[str] = set()
    for part in chunks(sorted(set(requirement_ids))):
        types.update(session.execute(sa.select(r.c.requirement_type).distinct().where(r.c.id.in_(part))).scalars())
    return {kind for kind, credits in dc.CREDITS_TYPES.items() if credits & types}


def facts_on_file(
    session: Session, member_ids: Sequence[int], since: date, today: date,
    kinds: Iterable[str] = dc.SOURCE_TYPES,
) -> list[Group]:
    """Every stored fact of these kinds of these members that could credit an enrollment
    started `since`, grouped as the feed takes them (the feed filters exactly; these
    queries only leave out what can never count)."""
    return source_groups(session, kinds, member_ids, between=(since, today))


def credit_on_file(
    session: Session, actor: Actor, member_ids: Sequence[int], *, since: date, today: date,
    requirement_ids: Iterable[int], through: date | None = None,
    enrollment_ids: Iterable[int] | None = None, progress_ids: Iterable[int] | None = None,
) -> FeedResult:
    """Credit the new enrollments of these members with what is on file: one feed call.
    `through`: the department's real today when `today` is an earlier --as-of day (an
    enrollment entered now for an earlier start): what is dated after `today` and up to
    it is credited too, as of that day, in a second call; nothing else would ever credit
    it (the feed credits a fact when it is written, and these were written before).
    `requirement_ids`: what the new enrollments or rows are for; only the kinds of fact
    that can credit them are read. `enrollment_ids`: credit only these enrollments (a
    resumed one catching up with what was recorded while it was on hold), not the
    members' others. `progress_ids`: credit only these rows (a link's new rows: the
    members' other rows of the same kind were credited when the facts were written)."""
    kinds = kinds_crediting(session, requirement_ids)
    only = None if enrollment_ids is None else set(enrollment_ids)
    rows = None if progress_ids is None else set(progress_ids)
    result = _credit(session, actor, facts_on_file(session, member_ids, since, today, kinds), today,
                     enrollment_ids=only, progress_ids=rows)  # fmt: skip
    if through is not None and through > today:
        later = [
            (proto, kept)
            for proto, items in facts_on_file(session, member_ids, since, through, kinds)
            if (kept := [item for item in items if item[2] > today])  # dated after `today`
        ]
        if later:
            more = _credit(session, actor, later, through, enrollment_ids=only, progress_ids=rows)
            result.credits += more.credits
            result.already += more.already
            result.progress_ids |= more.progress_ids
            result.enrollment_ids |= more.enrollment_ids
            result.members |= more.members
            result.held += more.held
            result.events += more.events
    return result


def _credit(
    session: Session, actor: Actor, groups: list[Group], today: date, *,
    enrollment_ids: set[int] | None = None, progress_ids: set[int] | None = None,
) -> FeedResult:  # fmt: skip
    """One feed call for these facts (none: nothing to do)."""
    if not groups:
        return FeedResult()
    feed = CreditFeed(session, actor, today=today, enrollment_ids=enrollment_ids)
    feed.add_groups(groups, only=progress_ids)
    return feed.close()
