"""What is already on file for newly enrolled members, as credit-feed facts.

A new enrollment starts from what the department already knows: valid certification
cards, passed skill checkoffs, and training records, shift attendance and call responses
dated on or after the enrollment start. They go through the one credit feed
(services/credit_feed.py), which decides what each requirement accepts and when a fact
counts (domain/credit.py `counts_on`). Set-based: a few chunked queries per source for the
whole class, then ONE feed call, never a feed call per member.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import chunks, table
from trainctl.domain import shifts as ds
from trainctl.domain.credit import Fact
from trainctl.models import (
    Call,
    CallResponse,
    Certification,
    Shift,
    ShiftAttendance,
    SkillCheckoff,
    SkillEvaluation,
    TrainingRecord,
)
from trainctl.permissions import Actor
from trainctl.services.credit_feed import FeedResult, credit_facts


def facts_on_file(session: Session, member_ids: Sequence[int], since: date, today: date) -> list[Fact]:
    """Every stored fact of these members that could credit an enrollment started `since`
    (the feed filters exactly; these queries only leave out what can never count)."""
    facts: list[Fact] = []
    t, c = table(TrainingRecord), table(Certification)
    k, s = table(SkillCheckoff), table(SkillEvaluation)
    a, sh = table(ShiftAttendance), table(Shift)
    r, ca = table(CallResponse), table(Call)
    for part in chunks(sorted(set(member_ids))):
        for rid, mid, on, hours, code, ttype, cat, topic, paced, expires in session.execute(
            sa.select(
                t.c.id, t.c.member_id, t.c.completion_date, t.c.hours_completed, t.c.course_code,
                t.c.training_type, t.c.category, t.c.topic, t.c.self_paced, t.c.expiration_date,
            ).where(
                t.c.member_id.in_(part), t.c.voided_at.is_(None), t.c.status == "completed",
                sa.or_(t.c.passed.is_(None), t.c.passed.is_(True)),
                t.c.completion_date.is_not(None), t.c.completion_date <= today,
                # on or after the start; before it only a still-valid (certification) record
                sa.or_(t.c.completion_date >= since, t.c.expiration_date.is_(None),
                       t.c.expiration_date >= today),
            )
        ):  # fmt: skip
            facts.append(Fact(
                "training_record", str(rid), mid, on, hours=hours, course_code=code,
                training_type=ttype, category=cat, topic=topic, self_paced=bool(paced),
                expires_on=expires,
            ))  # fmt: skip
        for cid, mid, code, issued, expires in session.execute(
            sa.select(c.c.id, c.c.member_id, c.c.credential_code, c.c.issued_on, c.c.expires_on)
            .where(c.c.member_id.in_(part), c.c.voided_at.is_(None), c.c.issued_on <= today)
            .where(sa.or_(c.c.expires_on.is_(None), c.c.expires_on >= today))
        ):
            facts.append(Fact(
                "certification", str(cid), mid, issued, credential=code, expires_on=expires,
                note=f"card {cid}: {code}, issued {issued}, "
                + (f"valid through {expires}" if expires else "no expiry"),
            ))  # fmt: skip
        for kid, mid, day, skill in session.execute(
            sa.select(k.c.id, k.c.member_id, k.c.evaluated_on, s.c.name)
            .select_from(k.join(s, s.c.id == k.c.skill_id))
            .where(k.c.member_id.in_(part), k.c.voided_at.is_(None), k.c.status == "passed")
        ):
            facts.append(Fact("skill_checkoff", str(kid), mid, day, skill=skill,
                              note=f"checkoff {kid}: {skill} passed {day}"))  # fmt: skip
        for aid, mid, on, minutes in session.execute(
            sa.select(a.c.id, a.c.member_id, sh.c.shift_date, a.c.duration_minutes)
            .select_from(a.join(sh, sh.c.id == a.c.shift_id))
            .where(a.c.member_id.in_(part), a.c.voided_at.is_(None), sh.c.shift_date >= since)
        ):
            facts.append(Fact("shift", str(aid), mid, on, hours=ds.hours(minutes),
                              note=f"shift {on} ({ds.hours(minutes):g} h)"))  # fmt: skip
        for rid, mid, incident, on, call_type in session.execute(
            sa.select(r.c.id, r.c.member_id, ca.c.incident_number, ca.c.shift_date, ca.c.call_type)
            .select_from(r.join(ca, ca.c.id == r.c.call_id))
            .where(r.c.member_id.in_(part), r.c.voided_at.is_(None), ca.c.shift_date >= since)
        ):
            facts.append(Fact(
                "call", str(rid), mid, on, call_type=call_type,
                note=f"call {incident}" + (f" ({call_type})" if call_type else "") + f", shift {on}",
            ))  # fmt: skip
    return facts


def credit_on_file(
    session: Session, actor: Actor, member_ids: Sequence[int], *, since: date, today: date,
    through: date | None = None,
) -> FeedResult:
    """Credit the new enrollments of these members with what is on file: one feed call.
    `through`: the department's real today when `today` is an earlier --as-of day (an
    enrollment entered now for an earlier start): what is dated after `today` and up to
    it is credited too, as of that day, in a second call; nothing else would ever credit
    it (the feed credits a fact when it is written, and these were written before)."""
    facts = facts_on_file(session, member_ids, since, today)
    result = credit_facts(session, actor, facts, today=today) if facts else FeedResult()
    if through is not None and through > today:
        later = [f for f in facts_on_file(session, member_ids, since, through) if f.on > today]
        if later:
            more = credit_facts(session, actor, later, today=through)
            result.credits += more.credits
            result.already += more.already
            result.progress_ids |= more.progress_ids
            result.enrollment_ids |= more.enrollment_ids
            result.members |= more.members
            result.held += more.held
            result.events += more.events
    return result
