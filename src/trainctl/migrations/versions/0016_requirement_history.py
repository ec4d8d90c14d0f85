"""Requirements over time (issue 9, "as of any date"): table requirement_history, one row
per change of what a requirement judges, holding the values it had and the last department
day they were in force, so a report as of a past day judges by the requirement as it stood
then (a target raised this year does not fail last year's members).

No row is made for existing requirements: a requirement never changed since has no
history, and the changes made before this revision are known only to the audit log
(whose times are the real clock, not the department's day), so the past stays judged by
the requirement as it stands, as it was before. The downgrade drops the table.

Revision ID: 0016_requirement_history
Revises: 0015_resumed_assigned
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trainctl.models

revision: str = "0016_requirement_history"
down_revision: str | None = "0015_resumed_assigned"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "requirement_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("in_force_until", sa.Date(), nullable=False),
        sa.Column("stood", sa.JSON(), nullable=False),
        sa.Column("recorded_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_requirement_history_requirement_id_requirement"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["member.id"],
            name=op.f("fk_requirement_history_recorded_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_history")),
    )
    with op.batch_alter_table("requirement_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_requirement_history_until", ["requirement_id", "in_force_until"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_requirement_history_recorded_by"), ["recorded_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("requirement_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_history_recorded_by"))
        batch_op.drop_index("ix_requirement_history_until")
    op.drop_table("requirement_history")
