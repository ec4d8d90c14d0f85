"""What `trainctl db upgrade` does once the schema is at head, for figures stored by an older
trainctl: the living measuring code re-measures them, in the upgrade's transaction.

Progress rows of a recurring requirement (monthly, quarterly, annual ...) linked into a
program kept the figure measured before issue 11 #4 (the per-period figure, not scaled over
the enrollment's span) until something touched them. An upgrade from a revision before
`REMEASURED_BY` re-measures every such row once, set-based (`recompute` over the ids, then
the rollup, phases and milestones of the enrollments that changed), exactly as editing the
requirement would (services/progress/finish.remeasure_requirement).

Why not in the migration: measuring is Python (domain/progress.py) that follows the living
schema; a migration runs frozen at its revision, and a later one may change the tables this
code reads. After the last migration, code and schema agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trainctl.dbfile import REVISIONS
from trainctl.queries import chunks
from trainctl.queries.settings import today as department_today
from trainctl.services.progress.finish import after_change
from trainctl.services.progress.ledger import recompute
from trainctl.services.progress.rollup import rollup_enrollments
from trainctl.services.store import Writer

# The first revision whose databases hold every recurring figure scaled: an upgrade from
# before it re-measures them (issue 11 #4 shipped beside it).
REMEASURED_BY = "0008_effective_dates"
BATCH = 2_000  # progress rows re-measured per recompute call (memory stays flat)

# Candidates only: a recurring frequency and a target date (a span to scale over); which of
# them scale and by how much is domain/progress.periods_in_span's rule, applied by recompute.
_CANDIDATES = (
    "SELECT rp.id, rp.enrollment_id FROM requirement_progress rp "
    "JOIN enrollment e ON e.id = rp.enrollment_id "
    "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "JOIN requirement r ON r.id = pr.requirement_id "
    "WHERE r.frequency IS NOT NULL AND lower(r.frequency) NOT IN ('one_time', 'rolling') "
    "AND e.target_completion_date IS NOT NULL ORDER BY rp.id"
)


def needs_remeasure(before: str | None) -> bool:
    """Whether an upgrade from revision `before` must re-measure recurring figures."""
    if before is None or before not in REVISIONS:
        return False  # a new database (created at head), or not ours (refused earlier)
    return REVISIONS.index(before) < REVISIONS.index(REMEASURED_BY)


def after_upgrade(conn: Any, before: str | None) -> list[str]:
    """Run on the upgrade's SQLAlchemy Connection once the schema is at head; returns what it
    did, in words (nothing when there was nothing to do)."""
    if not needs_remeasure(before):
        return []
    w = Writer(conn.connection.driver_connection, conn.dialect.name, sa_conn=conn)
    rows = w.all(_CANDIDATES)
    if not rows:
        return []
    now, today = datetime.now(UTC), department_today(w)
    enrollment_of = dict(rows)
    changed: list[int] = []
    for part in chunks([pid for pid, _ in rows], BATCH):
        changed += recompute(w, part, now, today=today)
    enrollment_ids = sorted({enrollment_of[pid] for pid in changed})
    rollup_enrollments(w, enrollment_ids, now)
    after_change(w, enrollment_ids, today=today, now=now)
    if not changed:
        return []
    return [
        f"Re-measured {len(changed)} progress row{'s' if len(changed) != 1 else ''} of recurring "
        f"requirements in {len(enrollment_ids)} enrollment{'s' if len(enrollment_ids) != 1 else ''}: "
        "a monthly or annual figure inside a program now counts once per period of the "
        "enrollment's span (issue 11 #4)."
    ]
