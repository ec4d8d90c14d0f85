"""The ledger's figures: progress rows re-measured from their counted credits.

Numeric progress is the sum of counted credits, never a number edited in place (DESIGN §2);
`recompute` derives value, percentage and status with the formulas of domain/progress.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.db import chunks, table
from trainctl.domain import progress as dp
from trainctl.models import (
    Certification,
    Enrollment,
    ProgramRequirement,
    ProgressCredit,
    Requirement,
    RequirementProgress,
    TrainingRecord,
    utcnow,
)


def _expiries(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], date]:
    """(source type, source id) -> the expiry of the card or record behind a certification
    credit; a void ("<id>:void") carries its source's expiry, so it reverses the same."""
    ids: dict[str, set[int]] = {"certification": set(), "training_record": set()}
    for source, sid in keys:
        head = sid.split(":", 1)[0]
        if source in ids and head.isdigit():
            ids[source].add(int(head))
    found: dict[tuple[str, int], date] = {}
    cards, records = table(Certification), table(TrainingRecord)
    for source, t, column in (
        ("certification", cards, cards.c.expires_on),
        ("training_record", records, records.c.expiration_date),
    ):
        for part in chunks(sorted(ids[source])):
            for rid, expires in session.execute(
                sa.select(t.c.id, column).where(t.c.id.in_(part), column.is_not(None))
            ):
                found[(source, rid)] = expires
    out: dict[tuple[str, str], date] = {}
    for source, sid in keys:
        head = sid.split(":", 1)[0]
        if head.isdigit() and (source, int(head)) in found:
            out[(source, sid)] = found[(source, int(head))]
    return out


def recompute(
    session: Session,
    progress_ids: Sequence[int],
    now: datetime | None = None,
    *,
    today: date | None = None,
) -> list[int]:
    """Re-measure progress rows from their counted credits (a few queries, one flush).
    Returns the ids of the rows whose value, percentage or status changed. Given `today`
    (the as-of date), certification credits whose card has expired no longer count."""
    changed: list[int] = []
    if not progress_ids:
        return changed
    now = now or utcnow()
    for part in chunks(list(progress_ids)):
        found = list(
            session.exec(
                select(
                    RequirementProgress,
                    Requirement,
                    Enrollment.enrolled_on,
                    Enrollment.target_completion_date,
                )
                .join(Enrollment, col(Enrollment.id) == col(RequirementProgress.enrollment_id))
                .join(
                    ProgramRequirement,
                    col(ProgramRequirement.id) == col(RequirementProgress.program_requirement_id),
                )
                .join(Requirement, col(Requirement.id) == col(ProgramRequirement.requirement_id))
                .where(col(RequirementProgress.id).in_(part))
            )
        )
        pairs = [(rp, req) for rp, req, *_ in found]
        # a recurring requirement counts its figure once per period of the enrollment's span
        spans = {rp.id: dp.periods_in_span(req.frequency, on, end) for rp, req, on, end in found}
        certs = {rp.id for rp, req in pairs if req.requirement_type == "certification"}
        pc = table(ProgressCredit)
        rows = list(
            session.execute(
                sa.select(
                    pc.c.progress_id, pc.c.amount, pc.c.category, pc.c.item, pc.c.source_type,
                    pc.c.source_id,
                )
                .where(pc.c.progress_id.in_(part), pc.c.state == "counted")
                .order_by(pc.c.id)
            )
        )  # fmt: skip
        expiries = (
            _expiries(session, {(st, sid) for pid, *_, st, sid in rows if pid in certs})
            if today is not None and certs
            else {}
        )
        credits: dict[int, list[dp.Credit]] = {}
        for pid, amount, category, item, st, sid in rows:
            credits.setdefault(pid, []).append(
                dp.Credit(amount, category, item, expiries.get((st, sid)))
            )
        for rp, req in pairs:
            assert rp.id is not None
            target = dp.Target.of(req).over(spans[rp.id])
            value, pct = dp.measure(target, credits.get(rp.id, []), today=today)
            status = dp.derive_status(pct, rp.status_override, value)
            shown = dp.effective_percentage(pct, rp.status_override)
            if (rp.progress_value, rp.progress_percentage, rp.status) == (value, shown, status):
                continue
            changed.append(rp.id)
            rp.progress_value = value
            rp.progress_percentage = shown
            rp.status = status
            if status != "not_started" and rp.started_at is None:
                rp.started_at = now
            if status in dp.DONE:
                rp.completed_at = rp.completed_at or now
            else:
                rp.completed_at = None
            session.add(rp)
    session.flush()
    return changed
