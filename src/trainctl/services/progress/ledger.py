"""The ledger's figures: progress rows re-measured from their counted credits.

Numeric progress is the sum of counted credits, never a number edited in place (DESIGN §2);
`recompute` derives value, percentage and status with the formulas of domain/progress.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from trainctl.db import chunks
from trainctl.domain import progress as dp
from trainctl.models import (
    ProgramRequirement,
    ProgressCredit,
    Requirement,
    RequirementProgress,
    utcnow,
)


def recompute(
    session: Session, progress_ids: Sequence[int], now: datetime | None = None
) -> list[int]:
    """Re-measure progress rows from their counted credits (a few queries, one flush).
    Returns the ids of the rows whose value, percentage or status changed."""
    changed: list[int] = []
    if not progress_ids:
        return changed
    now = now or utcnow()
    for part in chunks(list(progress_ids)):
        pairs = list(
            session.exec(
                select(RequirementProgress, Requirement)
                .join(
                    ProgramRequirement,
                    col(ProgramRequirement.id) == col(RequirementProgress.program_requirement_id),
                )
                .join(Requirement, col(Requirement.id) == col(ProgramRequirement.requirement_id))
                .where(col(RequirementProgress.id).in_(part))
            )
        )
        credits: dict[int, list[dp.Credit]] = {}
        for pid, amount, category, item in session.exec(
            select(
                ProgressCredit.progress_id,
                ProgressCredit.amount,
                ProgressCredit.category,
                ProgressCredit.item,
            )
            .where(col(ProgressCredit.progress_id).in_(part), ProgressCredit.state == "counted")
            .order_by(col(ProgressCredit.id))
        ):
            credits.setdefault(pid, []).append(dp.Credit(amount, category, item))
        for rp, req in pairs:
            assert rp.id is not None
            value, pct = dp.measure(dp.Target.of(req), credits.get(rp.id, []))
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
