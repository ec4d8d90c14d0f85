"""Enrollment rollup: percentage and status of many enrollments in ONE set-based UPDATE.

The rule is domain.progress.rollup (the mean effective percentage over required links, each
counted once, in whole ten-thousandths) and domain.progress.enrollment_status (auto-complete at 100, reopen below;
hold, withdraw and fail are left alone), written here in SQL for speed. A property test
(tests/test_progress_rollup_property.py) proves the two agree on random ledgers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import chunks, table
from trainctl.domain import progress as dp
from trainctl.models import Enrollment, ProgramRequirement, RequirementProgress, utcnow


def rollup_enrollments(
    session: Session, enrollment_ids: Sequence[int], now: datetime | None = None
) -> None:
    """ONE set-based UPDATE: enrollment % = mean effective % over REQUIRED links, each once;
    auto-complete at 100, reopen below (hold, withdraw and fail are left alone)."""
    if not enrollment_ids:
        return
    now = now or utcnow()
    e, rp, pr = table(Enrollment), table(RequirementProgress), table(ProgramRequirement)
    effective = sa.case((rp.c.status.in_(dp.DONE), 100.0), else_=rp.c.progress_percentage)
    # domain.progress.rollup in SQL: the mean in whole ten-thousandths by integer division
    # (truncated), so every engine computes what Python does.
    units = sa.cast(sa.func.round(effective * dp.PCT_UNITS), sa.Integer)
    mean_units = sa.func.sum(units) // sa.func.count()
    mean = (
        sa.select(sa.func.coalesce(mean_units / float(dp.PCT_UNITS), 0.0))
        .select_from(rp.join(pr, pr.c.id == rp.c.program_requirement_id))
        .where(rp.c.enrollment_id == e.c.id, pr.c.is_required.is_(True))
        .scalar_subquery()
    )
    completes = sa.and_(e.c.status == "active", mean >= 100)
    reopens = sa.and_(e.c.status == "completed", mean < 100)
    for part in chunks(list(enrollment_ids)):
        session.execute(
            sa.update(e)
            .where(e.c.id.in_(part))
            .values(
                progress_percentage=mean,
                status=sa.case((completes, "completed"), (reopens, "active"), else_=e.c.status),
                completed_at=sa.case((completes, now), (reopens, None), else_=e.c.completed_at),
                updated_at=now,
            ),
            execution_options={"synchronize_session": False},
        )
    ids = set(enrollment_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Enrollment) and obj.id in ids:
            session.expire(obj)
