"""Two days the reminders need and could not know (issue 10):

    enrollment.resumed_on              the department's day of the last `enroll resume`
                                       (NULL: never resumed). The rollup takes it into the
                                       last activity, so a member back from injury leave is
                                       not mailed 'nothing recorded for 28 days' on the day
                                       they return: the time on hold was not theirs.
    requirement_progress.assigned_on   the day a requirement linked into a program in use
                                       reached this enrollment (NULL: its scope's start,
                                       the enrollment or its phase, as before). The
                                       requirement's notification message is mailed from
                                       that day, not dated the day the member enrolled,
                                       nor lost because the enrollment is older than the
                                       reminders' 30 days of news.
    ix_requirement_progress_assigned   (assigned_on) WHERE assigned_on IS NOT NULL: the few
                                       rows a later link made, one index range per run
    ix_enrollment_resumed              (resumed_on) WHERE resumed_on IS NOT NULL: the
                                       enrollments resumed lately, whose rows linked while
                                       they were on hold are news from the resume

Both columns start NULL: nothing recorded before this revision says when an enrollment
was resumed (the audit log's times are the real clock, not the department's day that
--as-of writes), and a row made by a later link before it is dated by its scope, as it
was. The downgrade drops the indexes and the columns (SQLite 3.35+: no table rebuild).

Revision ID: 0015_resumed_assigned
Revises: 0014_cycle_end
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_resumed_assigned"
down_revision: str | None = "0014_cycle_end"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSIGNED = "assigned_on IS NOT NULL"
INDEX = "ix_requirement_progress_assigned"
RESUMED = "resumed_on IS NOT NULL"
RESUMED_INDEX = "ix_enrollment_resumed"


def upgrade() -> None:
    op.add_column("enrollment", sa.Column("resumed_on", sa.Date(), nullable=True))
    op.add_column("requirement_progress", sa.Column("assigned_on", sa.Date(), nullable=True))
    op.create_index(
        INDEX, "requirement_progress", ["assigned_on"], unique=False,
        sqlite_where=sa.text(ASSIGNED), postgresql_where=sa.text(ASSIGNED),
    )  # fmt: skip
    op.create_index(
        RESUMED_INDEX, "enrollment", ["resumed_on"], unique=False,
        sqlite_where=sa.text(RESUMED), postgresql_where=sa.text(RESUMED),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index(RESUMED_INDEX, table_name="enrollment", sqlite_where=sa.text(RESUMED),
                  postgresql_where=sa.text(RESUMED))  # fmt: skip
    op.drop_index(INDEX, table_name="requirement_progress", sqlite_where=sa.text(ASSIGNED),
                  postgresql_where=sa.text(ASSIGNED))  # fmt: skip
    op.drop_column("requirement_progress", "assigned_on")
    op.drop_column("enrollment", "resumed_on")
