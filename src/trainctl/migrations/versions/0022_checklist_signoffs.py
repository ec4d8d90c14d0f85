"""Checklist sign-offs by member (table checklist_signoff): a checklist item (the NFPA 1582
annual medical, NFPA 1500's annual training) signed off for a member outside any program
(`trainctl checklist check`). Compliance owes such requirements to every member by
position; until now an item could only be checked on a program enrollment, so a member in
no program holding it stayed "not met" with no way to record the physical they had.

The table starts empty: the checks already made on enrollments stay in the progress ledger,
where compliance reads them as before. The downgrade drops the table (and its sign-offs).

Revision ID: 0022_checklist_signoffs
Revises: 0021_settled_renewals
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

revision: str = "0022_checklist_signoffs"
down_revision: str | None = "0021_settled_renewals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("checked_by", sa.Integer(), nullable=True),
        sa.Column("checked_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("unchecked_on", sa.Date(), nullable=True),
        sa.Column("unchecked_by", sa.Integer(), nullable=True),
        sa.Column("unchecked_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("uncheck_note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "unchecked_on IS NULL OR unchecked_on >= checked_on",
            name=op.f("ck_checklist_signoff_unchecked_after"),
        ),
        sa.CheckConstraint(
            "checked_by IS NULL OR checked_by <> member_id",
            name=op.f("ck_checklist_signoff_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"],
            name=op.f("fk_checklist_signoff_member_id_member"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"], ["requirement.id"],
            name=op.f("fk_checklist_signoff_requirement_id_requirement"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["checked_by"], ["member.id"],
            name=op.f("fk_checklist_signoff_checked_by_member"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unchecked_by"], ["member.id"],
            name=op.f("fk_checklist_signoff_unchecked_by_member"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_signoff")),
    )  # fmt: skip
    with op.batch_alter_table("checklist_signoff", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checklist_signoff_member", ["member_id", "requirement_id", "checked_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_checklist_signoff_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_checklist_signoff_checked_by"), ["checked_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_checklist_signoff_unchecked_by"), ["unchecked_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("checklist_signoff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_signoff_unchecked_by"))
        batch_op.drop_index(batch_op.f("ix_checklist_signoff_checked_by"))
        batch_op.drop_index(batch_op.f("ix_checklist_signoff_requirement_id"))
        batch_op.drop_index("ix_checklist_signoff_member")
    op.drop_table("checklist_signoff")
