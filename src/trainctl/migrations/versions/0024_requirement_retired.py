"""A requirement can be retired (`trainctl requirement retire`): from a day on, nobody is
judged by it, and reports as of earlier days judge it as before:

    requirement.retired_on       the first department day it judges nobody (NULL: in force)
    requirement.retired_reason   why, as the officer gave it (NULL: none given)

The catalog's dated history (requirement_history) holds what a requirement judged until a
day, and the row itself what it judges now: a retirement is a fact of the row as it
stands, so it needs columns of its own. A retirement undone from a later day
(`requirement unretire --effective`) is kept in requirement_history like any other
version: its `stood` holds retired_on and retired_reason (a JSON column: no schema change).
Nothing is removed by a retirement (records, cards, sign-offs and progress stay).

Existing requirements get NULL: all in force, as before. The downgrade drops the columns
(the requirements retired until then are in force again).

Revision ID: 0024_requirement_retired
Revises: 0023_signoff_credit
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_requirement_retired"
down_revision: str | None = "0023_signoff_credit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("requirement", sa.Column("retired_on", sa.Date(), nullable=True))
    op.add_column("requirement", sa.Column("retired_reason", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("requirement", "retired_reason")
    op.drop_column("requirement", "retired_on")
