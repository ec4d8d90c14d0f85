"""What `trainctl db upgrade` does once the schema is at head, for figures stored by an older
trainctl: the living measuring code re-measures them, in the upgrade's transaction.

Progress rows of a recurring requirement (monthly, quarterly, annual ...) linked into a
program kept the figure measured before issue 11 #4 (the per-period figure, not scaled over
the enrollment's span) until something touched them. An upgrade from a revision before
`REMEASURED_BY` re-measures every such row once, set-based (`recompute` over the ids, then
the rollup, phases and milestones of the enrollments that changed), exactly as editing the
requirement would (services/progress/finish.remeasure_requirements).

An upgrade from a revision before `SETTLED_RENEWALS` settles the program credit of every
member holding a card or class record that a later one renews (credit_feed.resettle_cards,
as `cert add` does for one member): credit an older trainctl gave such a source, or left
standing until the member's next card, is taken back ("<id>:recredit:<n>", dated the
department's today), as compliance judges (domain/certs `in_force`).

An upgrade from a revision before `SIGNOFF_CREDIT` credits the programs with the checklist
sign-offs on file that stand (credit_feed.credit_facts, as `checklist check` does for a
new one): before it, a sign-off counted in compliance only. Each credits the enrollments
it falls in (signed off on or after the enrollment began), dated its own day.

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


# The first revision whose shift credits are a shift's minutes / 60 (it rewrote the older
# ones, rounded to four decimals): an upgrade from before it re-measures the rows they credit.
SHIFT_MINUTES = "0017_shift_minutes"
_SHIFT_CREDITED = (
    "SELECT DISTINCT rp.id, rp.enrollment_id FROM requirement_progress rp "
    "JOIN progress_credit c ON c.progress_id = rp.id WHERE c.source_type = 'shift' ORDER BY rp.id"
)


def _before(before: str | None, revision: str) -> bool:
    if before is None or before not in REVISIONS:
        return False  # a new database (created at head), or not ours (refused earlier)
    return REVISIONS.index(before) < REVISIONS.index(revision)


def needs_remeasure(before: str | None) -> bool:
    """Whether an upgrade from revision `before` must re-measure recurring figures."""
    return _before(before, REMEASURED_BY)


# The first revision whose databases hold no program credit of a renewed card or class
# record (credit_feed.renewed_sources): an upgrade from before it settles them once.
SETTLED_RENEWALS = "0021_settled_renewals"
# The first revision whose checklist sign-offs credit program progress: an upgrade from
# before it credits those on file once.
SIGNOFF_CREDIT = "0023_signoff_credit"


def after_upgrade(conn: Any, before: str | None) -> list[str]:
    """Run on the upgrade's SQLAlchemy Connection once the schema is at head; returns what it
    did, in words (nothing when there was nothing to do)."""
    notes = _remeasure(conn, before)
    if _before(before, SETTLED_RENEWALS):
        notes += _settle_renewals(conn)
    if _before(before, SIGNOFF_CREDIT):
        notes += _credit_signoffs(conn)
    return notes


def _credit_signoffs(conn: Any) -> list[str]:
    """Credit the programs with the standing checklist sign-offs on file (module
    docstring), each as of its own day, through the living credit feed."""
    from sqlmodel import Session

    from trainctl.domain.text import plural
    from trainctl.permissions import OWNER
    from trainctl.services.credit_feed import credit_facts, source_facts

    with Session(bind=conn) as session:
        facts = source_facts(session, ["checklist_signoff"], None)
        credits, members = 0, set()
        for day in sorted({f.on for f in facts}):
            fed = credit_facts(session, OWNER, [f for f in facts if f.on == day], today=day)
            credits += fed.credits
            members |= fed.members
        session.flush()
    if not credits:
        return []
    return [
        f"Credited {plural(credits, 'program item')} signed off with `checklist check` "
        f"({plural(len(members), 'member')}): a sign-off now counts in the member's programs too."
    ]


def _settle_renewals(conn: Any) -> list[str]:
    """Take back the program credit of renewed cards and class records (module docstring),
    through the living credit feed on a Session joined to the upgrade's transaction."""
    from sqlmodel import Session

    from trainctl.domain.text import plural
    from trainctl.permissions import OWNER
    from trainctl.services.credit_feed import renewed_sources, resettle_cards

    today = department_today(Writer(conn.connection.driver_connection, conn.dialect.name, sa_conn=conn))
    with Session(bind=conn) as session:
        members = {mid for mid, _ in renewed_sources(session, None, today).values()}
        if not members:
            return []
        settled = resettle_cards(session, OWNER, members, today=today,
                                 reason="db upgrade: a later card or class record renews this one")  # fmt: skip
        session.flush()
    if not settled.reversed and not settled.added:
        return []
    return [
        f"Took back {plural(settled.reversed, 'program credit')} of cards or class records that a "
        f"later one renews ({plural(len(settled.members), 'member')}; the renewal decides, as "
        "compliance judges)."
        + (f" Credited {settled.added} in force." if settled.added else "")
    ]


def _remeasure(conn: Any, before: str | None) -> list[str]:
    """The recurring figures and shift hours of an older trainctl, re-measured (module docstring)."""
    recurring, shifts = needs_remeasure(before), _before(before, SHIFT_MINUTES)
    if not (recurring or shifts):
        return []
    w = Writer(conn.connection.driver_connection, conn.dialect.name, sa_conn=conn)
    rows = sorted(set((w.all(_CANDIDATES) if recurring else []) + (w.all(_SHIFT_CREDITED) if shifts else [])))
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
    why = []
    if recurring:
        why.append("a monthly or annual figure inside a program now counts once per period of "
                   "the enrollment's span (issue 11 #4)")  # fmt: skip
    if shifts:
        why.append("shift hours now count to the minute (three tours of 12 h 20 min are 37 h, "
                   "not 36.9999)")  # fmt: skip
    return [
        f"Re-measured {len(changed)} progress row{'s' if len(changed) != 1 else ''} in "
        f"{len(enrollment_ids)} enrollment{'s' if len(enrollment_ids) != 1 else ''}: "
        + "; ".join(why) + "."
    ]
