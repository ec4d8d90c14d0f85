"""The day a requirement was entered (review: a requirement added and edited on one day
showed a version "until" the day before it existed):

    requirement.entered_on   the department day it was entered: the --as-of day of the
                             command that wrote it (requirement add, import, program
                             apply), else the department's today

Its history (requirement_history) starts there: a change in force from that day or earlier
replaces what the requirement was entered as, and no version is kept for the days before
it (services/requirements.keep_history).

Requirements written before this revision keep NULL: the day they were entered under is
not known (created_at is the real clock, and a command's --as-of day was not stored), so
their history is kept as written, as before. The downgrade drops the column (SQLite
3.35+: no table rebuild).

Revision ID: 0018_requirement_entered_on
Revises: 0017_shift_minutes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_requirement_entered_on"
down_revision: str | None = "0017_shift_minutes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("requirement", sa.Column("entered_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("requirement", "entered_on")
