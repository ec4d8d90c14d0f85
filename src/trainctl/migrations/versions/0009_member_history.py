"""Members' positions and status over time (issue 9, "as of any date"): table
member_history, one row per change with the department day it took effect and the UTC time
it was written, so a report as of a past day judges each member by what they held then.

Every existing member gets one row from their current positions and status, effective from
the earliest date known for them (hire date, else the day they were added).

Revision ID: 0009_member_history
Revises: 0008_effective_dates
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

revision: str = "0009_member_history"
down_revision: str | None = "0008_effective_dates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _day(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    history = op.create_table(
        "member_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("status", text(), nullable=False),
        sa.Column("recorded_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'inactive')", name=op.f("ck_member_history_status")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_member_history_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["member.id"],
            name=op.f("fk_member_history_recorded_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_history")),
    )
    with op.batch_alter_table("member_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_history_member_effective", ["member_id", "effective_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_member_history_recorded_by"), ["recorded_by"], unique=False
        )

    # One row per member from their current values (the JSON column typed, so both
    # backends hand back lists); one SELECT and one bulk INSERT.
    member = sa.table(
        "member",
        sa.column("id", sa.Integer()),
        sa.column("positions", sa.JSON()),
        sa.column("status", sa.String()),
        sa.column("hire_date", sa.Date()),
        sa.column("created_at", trainctl.models.UTCDateTime()),
    )
    now = datetime.now(UTC)
    rows = op.get_bind().execute(
        sa.select(member.c.id, member.c.positions, member.c.status, member.c.hire_date,
                  member.c.created_at).order_by(member.c.id)
    ).all()  # fmt: skip
    seed = []
    for member_id, positions, status, hired, created in rows:
        known = [d for d in (_day(hired), _day(created)) if d is not None]
        seed.append({
            "member_id": member_id, "effective_on": min(known) if known else now.date(),
            "positions": list(positions or []), "status": status, "recorded_at": now,
            "recorded_by": None,
        })  # fmt: skip
    if seed:
        op.bulk_insert(history, seed)


def downgrade() -> None:
    with op.batch_alter_table("member_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_history_recorded_by"))
        batch_op.drop_index("ix_member_history_member_effective")
    op.drop_table("member_history")
