"""Reminder indexes (issue 10, the speed of `reminders send`): the scans read the rows they
need from partial, covering indexes, and judge by the effective dates (issue 11 #25).

    requirement_progress  ix_requirement_progress_open_due (due_on, enrollment_id,
                          program_requirement_id) WHERE due_on IS NOT NULL AND status NOT IN
                          ('completed', 'waived'): the open rows with a due date, which both
                          the requirement deadlines and the officers' digest want. It
                          replaces ix_requirement_progress_due_on (every row with a due
                          date), which only those scans read; the digest read every progress
                          row instead (0.2-0.3 s on bench/reminders.py, 350,000 rows).
    progress_credit       ix_progress_credit_entered_on (entered_on, progress_id): the
                          credits of the last weeks by their effective date, index-only, for
                          the inactivity check; replaces ix_progress_credit_entered_at.
    milestone_event       ix_milestone_event_reached_on, ix_milestone_event_verified_on
                          (partial: verified ones): milestones announced by their effective
                          dates; replace the *_at ones.

Each replaced index was read by the reminder scans only (queries/reminders.py), so a
credit, a milestone or a progress row still pays for as many indexes as before. The
predicates are written in the SQL both SQLite and PostgreSQL accept, and each scan's WHERE
repeats its index's predicate word for word (SQLite uses a partial index only then).

Revision ID: 0011_reminder_indexes
Revises: 0010_casefold
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011_reminder_indexes"
down_revision: str | None = "0010_casefold"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_DUE = "due_on IS NOT NULL AND status NOT IN ('completed', 'waived')"
# (table, index, columns, partial-index predicate): new, and the ones they replace
NEW = [
    ("requirement_progress", "ix_requirement_progress_open_due",
     ["due_on", "enrollment_id", "program_requirement_id"], OPEN_DUE),
    ("progress_credit", "ix_progress_credit_entered_on", ["entered_on", "progress_id"], None),
    ("milestone_event", "ix_milestone_event_reached_on", ["reached_on"], None),
    ("milestone_event", "ix_milestone_event_verified_on", ["verified_on"],
     "verified_on IS NOT NULL"),
]  # fmt: skip
OLD = [
    ("requirement_progress", "ix_requirement_progress_due_on", ["due_on"], "due_on IS NOT NULL"),
    ("progress_credit", "ix_progress_credit_entered_at", ["entered_at", "progress_id"], None),
    ("milestone_event", "ix_milestone_event_reached_at", ["reached_at"], None),
    ("milestone_event", "ix_milestone_event_verified_at", ["verified_at"],
     "verified_at IS NOT NULL"),
]  # fmt: skip


def _where(predicate: str | None) -> dict[str, Any]:
    if predicate is None:
        return {}
    return {"sqlite_where": sa.text(predicate), "postgresql_where": sa.text(predicate)}


def upgrade() -> None:
    for table, name, _columns, predicate in OLD:
        op.drop_index(name, table_name=table, **_where(predicate))
    for table, name, columns, predicate in NEW:
        op.create_index(name, table, columns, unique=False, **_where(predicate))


def downgrade() -> None:
    for table, name, _columns, predicate in reversed(NEW):
        op.drop_index(name, table_name=table, **_where(predicate))
    for table, name, columns, predicate in reversed(OLD):
        op.create_index(name, table, columns, unique=False, **_where(predicate))
