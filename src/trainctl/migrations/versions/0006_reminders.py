"""Reminders: the reminder log (the outbox that makes `reminders send` exactly-once), and
the indexes that make each kind of reminder an indexed range scan.

Revision ID: 0006_reminders
Revises: 0005_records
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

revision: str = "0006_reminders"
down_revision: str | None = "0005_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status <> 'sent'"
ACTIVE = "status = 'active'"
VERIFIED = "verified_at IS NOT NULL"
EXPIRING = "voided_at IS NULL AND expires_on IS NOT NULL"
# (table, index, columns, partial-index predicate)
SCAN_INDEXES = [
    ("enrollment", "ix_enrollment_active_target", ["target_completion_date"], ACTIVE),
    ("enrollment", "ix_enrollment_active_phase", ["current_phase_id", "phase_started_on"], ACTIVE),
    ("enrollment", "ix_enrollment_active_program_enrolled", ["program_id", "enrolled_on"], ACTIVE),
    ("progress_credit", "ix_progress_credit_entered_at", ["entered_at", "progress_id"], None),
    ("milestone_event", "ix_milestone_event_reached_at", ["reached_at"], None),
    ("milestone_event", "ix_milestone_event_verified_at", ["verified_at"], VERIFIED),
    ("certification", "ix_certification_expiring", ["expires_on"], EXPIRING),
]


def _where(predicate: str | None) -> dict[str, Any]:
    if predicate is None:
        return {}
    return {"sqlite_where": sa.text(predicate), "postgresql_where": sa.text(predicate)}


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "reminder_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", text(), nullable=False),
        sa.Column("item", text(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("threshold", text(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("to_addr", text(), nullable=False),
        sa.Column("title", text(), nullable=False),
        sa.Column("message_id", text(), nullable=False),
        sa.Column("status", text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_id", text(), nullable=True),
        sa.Column("claimed_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("sent_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("answer", text(), nullable=True),
        sa.Column("error", text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('claimed', 'sent', 'failed')", name=op.f("ck_reminder_log_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_reminder_log_attempts")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_reminder_log_member_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["member.id"],
            name=op.f("fk_reminder_log_recipient_id_member"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_log")),
        sa.UniqueConstraint(
            "kind",
            "item",
            "recipient_id",
            "threshold",
            name=op.f("uq_reminder_log_kind_item_recipient_id_threshold"),
        ),
    )
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_log_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reminder_log_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(
            "ix_reminder_log_open",
            ["status"],
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
    for table, name, columns, predicate in SCAN_INDEXES:
        op.create_index(name, table, columns, unique=False, **_where(predicate))


def downgrade() -> None:
    for table, name, _columns, predicate in reversed(SCAN_INDEXES):
        op.drop_index(name, table_name=table, **_where(predicate))
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_reminder_log_open", sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN)
        )
        batch_op.drop_index(batch_op.f("ix_reminder_log_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_log_member_id"))
    op.drop_table("reminder_log")
