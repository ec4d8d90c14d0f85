"""Enrollment rollup: percentage, status and last activity of many enrollments in ONE
set-based UPDATE.

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
from trainctl.services.progress.ledger import LAPSE
from trainctl.services.store import writer_of

# domain.progress.rollup in SQL: the mean effective percentage over required links, in
# whole ten-thousandths by integer division (truncated), so every engine computes what
# Python does; no required link: 0. Each row's percentage is kept on that grid already
# (domain.progress._cap: four decimals, halves up, as every figure shown), so ROUND here
# only clears float noise (33.3333 x 10000 = 333332.99999999994) and never meets a half:
# SQLite's ROUND (halves away from zero) and PostgreSQL's on a double (halves to even)
# give the same units, and so does the Python rollup (half_up, as SQLite's).
_MEAN = (
    "(SELECT COALESCE((SUM(CAST(ROUND("
    f"(CASE WHEN rp.status IN ({', '.join(repr(s) for s in sorted(dp.DONE))}) THEN 100.0 "
    f"ELSE rp.progress_percentage END) * {dp.PCT_UNITS}) AS INTEGER)) / COUNT(*)) "
    f"/ {float(dp.PCT_UNITS)}, 0.0) "
    "FROM requirement_progress rp JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "WHERE rp.enrollment_id = enrollment.id AND pr.is_required IS TRUE)"
)
# enrollment.last_activity_on: the effective date of the latest credit on any of its
# progress rows, or the day it was last resumed when that is later (the inactivity
# reminders' "no progress since": the time on hold is not the member's quiet stretch;
# NULL: neither yet). Every credit written, and every resume, is followed by this rollup
# of its enrollment, so the column is never behind (credits are never deleted; a credit
# entered under an earlier --as-of date does not move it back). A card's credit taken back
# because the card ran out (ledger.LAPSE, written by the nightly run) is nobody's activity,
# nor is a report an officer rejected, or its rejection (domain/progress REJECT_SUFFIX).
# MAX over a union ignores the NULLs on both engines (SQLite's two-argument max() would not).
_LAST_ACTIVITY = (
    "(SELECT MAX(d) FROM (SELECT c.entered_on AS d FROM requirement_progress rp "
    "JOIN progress_credit c ON c.progress_id = rp.id WHERE rp.enrollment_id = enrollment.id "
    "AND c.source_id NOT LIKE :lapsed "  # bound: psycopg would read ':lapse' as a name
    "AND c.state <> 'rejected' "
    "UNION ALL SELECT enrollment.resumed_on) AS last_days)"
)

# enrollment.completed_on: the day its last required row was completed (their
# completed_on, set by ledger.recompute from the credit that completed each), not the day
# the rollup ran: a credit entered --as-of an earlier day completes it on that day.
_DONE_ON = (
    "(SELECT MAX(rp.completed_on) FROM requirement_progress rp "
    "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "WHERE rp.enrollment_id = enrollment.id AND pr.is_required IS TRUE)"
)


def rollup_enrollments(db: Any, enrollment_ids: Sequence[int], now: datetime | None = None) -> None:
    """ONE set-based UPDATE: enrollment % = mean effective % over REQUIRED links, each once;
    auto-complete at 100, reopen below (hold, withdraw and fail are left alone), completed
    at now (the audit's instant) on the day its last required row was completed; the last
    activity from the credits.
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
            f"completed_on = CASE WHEN {completes} THEN {_DONE_ON} WHEN {reopens} THEN NULL "
            "ELSE completed_on END, "
            f"last_activity_on = {_LAST_ACTIVITY}, updated_at = :now WHERE id IN {ids}",
            {**params, "now": now, "lapsed": f"%{LAPSE}%"},
        )
    w.sync()
