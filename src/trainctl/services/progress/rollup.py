"""Enrollment rollup: percentage and status of many enrollments in ONE set-based UPDATE.

The rule is domain.progress.rollup (the mean effective percentage over required links, each
counted once, in whole ten-thousandths) and domain.progress.enrollment_status (auto-complete at 100, reopen below;
hold, withdraw and fail are left alone), written here in SQL for speed. A property test
(tests/test_progress_rollup_property.py) proves the two agree on random ledgers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from trainctl.domain import progress as dp
from trainctl.queries import chunks, in_list
from trainctl.services.store import writer_of

# domain.progress.rollup in SQL: the mean effective percentage over required links, in
# whole ten-thousandths by integer division (truncated), so every engine computes what
# Python does; no required link: 0.
_MEAN = (
    "(SELECT COALESCE((SUM(CAST(ROUND("
    f"(CASE WHEN rp.status IN ({', '.join(repr(s) for s in sorted(dp.DONE))}) THEN 100.0 "
    f"ELSE rp.progress_percentage END) * {dp.PCT_UNITS}) AS INTEGER)) / COUNT(*)) "
    f"/ {float(dp.PCT_UNITS)}, 0.0) "
    "FROM requirement_progress rp JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "WHERE rp.enrollment_id = enrollment.id AND pr.is_required IS TRUE)"
)


def rollup_enrollments(db: Any, enrollment_ids: Sequence[int], now: datetime | None = None) -> None:
    """ONE set-based UPDATE: enrollment % = mean effective % over REQUIRED links, each once;
    auto-complete at 100, reopen below (hold, withdraw and fail are left alone).
    `db`: a Session or a Writer (services/store.py)."""
    if not enrollment_ids:
        return
    w = writer_of(db)
    now = now or datetime.now(UTC)
    completes = f"(status = 'active' AND {_MEAN} >= 100)"
    reopens = f"(status = 'completed' AND {_MEAN} < 100)"
    for part in chunks(list(enrollment_ids)):
        ids, params = in_list("e", part)
        w.execute(
            f"UPDATE enrollment SET progress_percentage = {_MEAN}, "
            f"status = CASE WHEN {completes} THEN 'completed' WHEN {reopens} THEN 'active' "
            "ELSE status END, "
            f"completed_at = CASE WHEN {completes} THEN :now WHEN {reopens} THEN NULL "
            "ELSE completed_at END, "
            f"updated_at = :now WHERE id IN {ids}",
            {**params, "now": now},
        )
    w.sync()
