"""Last activity per enrollment (issue 10, the speed of `reminders send`): the effective
date (progress_credit.entered_on) of the latest credit on any of the enrollment's progress
rows, stored on the enrollment and kept by the rollup that follows every credit written
(services/progress/rollup.py); NULL while it has none.

    enrollment.last_activity_on                  the column, filled from the credits
    ix_enrollment_active_program_activity        (program_id, last_activity_on) WHERE
                                                 status = 'active'
    ix_progress_credit_entered_on                dropped: the inactivity check was the one
                                                 statement that read it (0011), and every
                                                 credit written paid for it

The inactivity reminders ("no progress in N days") then read the active enrollments of a
program whose last activity falls in a range of days from this index, instead of grouping
every credit of the last weeks by enrollment on every run, a cost that grew with the
credits (bench/reminders.py, 100,000 enrollments, 193,000 credits in the window: 0.25-0.37 s
CPU for that statement, 0.06 s from the index). The index's predicate is written in the
SQL both engines run, and the scan's WHERE repeats it word for word (SQLite uses a partial
index only then). The backfill is one UPDATE; on that bench database the whole upgrade
took 1.0 s.

Revision ID: 0012_last_activity
Revises: 0011_reminder_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_last_activity"
down_revision: str | None = "0011_reminder_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status = 'active'"
INDEX = "ix_enrollment_active_program_activity"
CREDITS_BY_DAY = "ix_progress_credit_entered_on"


def upgrade() -> None:
    op.add_column("enrollment", sa.Column("last_activity_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE enrollment SET last_activity_on = (SELECT MAX(c.entered_on) "
        "FROM requirement_progress rp JOIN progress_credit c ON c.progress_id = rp.id "
        "WHERE rp.enrollment_id = enrollment.id)"
    )
    op.create_index(
        INDEX, "enrollment", ["program_id", "last_activity_on"], unique=False,
        sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE),
    )  # fmt: skip
    op.drop_index(CREDITS_BY_DAY, table_name="progress_credit")


def downgrade() -> None:
    op.create_index(CREDITS_BY_DAY, "progress_credit", ["entered_on", "progress_id"], unique=False)
    op.drop_index(INDEX, table_name="enrollment", sqlite_where=sa.text(ACTIVE),
                  postgresql_where=sa.text(ACTIVE))  # fmt: skip
    op.drop_column("enrollment", "last_activity_on")  # SQLite 3.35+: no rebuild
