"""Enrollment and progress: enrollments, progress rows, the credit ledger, milestone events.

Revision ID: 0003_enrollment
Revises: 0002_programs
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

revision: str = "0003_enrollment"
down_revision: str | None = "0002_programs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("program_version", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("enrolled_by", sa.Integer(), nullable=True),
        sa.Column("target_completion_date", sa.Date(), nullable=True),
        sa.Column("current_phase_id", sa.Integer(), nullable=True),
        sa.Column("phase_started_on", sa.Date(), nullable=True),
        sa.Column("progress_percentage", sa.Float(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("completed_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("deadline_warning_sent", sa.Boolean(), nullable=False),
        sa.Column("updated_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'completed', 'on_hold', 'withdrawn', 'failed')",
            name=op.f("ck_enrollment_status"),
        ),
        sa.CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100",
            name=op.f("ck_enrollment_progress_percentage"),
        ),
        sa.ForeignKeyConstraint(
            ["current_phase_id"],
            ["program_phase.id"],
            name=op.f("fk_enrollment_current_phase_id_program_phase"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_by"],
            ["member.id"],
            name=op.f("fk_enrollment_enrolled_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_enrollment_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_enrollment_program_id_program"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment")),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_current_phase_id"), ["current_phase_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enrollment_enrolled_by"), ["enrolled_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enrollment_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollment_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollment_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_enrollment_open",
            ["member_id", "program_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('active', 'on_hold')"),
            postgresql_where=sa.text("status IN ('active', 'on_hold')"),
        )

    op.create_table(
        "milestone_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("reached_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("progress_at_reach", sa.Float(), nullable=False),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.Column("verified_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_milestone_event_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["program_milestone.id"],
            name=op.f("fk_milestone_event_milestone_id_program_milestone"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["member.id"],
            name=op.f("fk_milestone_event_verified_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_event")),
        sa.UniqueConstraint(
            "enrollment_id",
            "milestone_id",
            name=op.f("uq_milestone_event_enrollment_id_milestone_id"),
        ),
    )
    with op.batch_alter_table("milestone_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_event_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_milestone_event_milestone_id"), ["milestone_id"], unique=False
        )

    op.create_table(
        "requirement_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("program_requirement_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status_override", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("progress_value", sa.Float(), nullable=False),
        sa.Column("progress_percentage", sa.Float(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("started_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("completed_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.Column("verified_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'completed', 'waived')",
            name=op.f("ck_requirement_progress_status"),
        ),
        sa.CheckConstraint(
            "status_override IS NULL OR status_override IN ('completed', 'waived')",
            name=op.f("ck_requirement_progress_status_override"),
        ),
        sa.CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100",
            name=op.f("ck_requirement_progress_progress_percentage"),
        ),
        sa.CheckConstraint(
            "progress_value >= 0", name=op.f("ck_requirement_progress_progress_value")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_requirement_progress_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_requirement_id"],
            ["program_requirement.id"],
            name=op.f("fk_requirement_progress_program_requirement_id_program_requirement"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["member.id"],
            name=op.f("fk_requirement_progress_verified_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_progress")),
        sa.UniqueConstraint(
            "enrollment_id",
            "program_requirement_id",
            name=op.f("uq_requirement_progress_enrollment_id_program_requirement_id"),
        ),
    )
    # No program_requirement_id index, on purpose: see models.RequirementProgress.
    with op.batch_alter_table("requirement_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_requirement_progress_due_on",
            ["due_on"],
            unique=False,
            sqlite_where=sa.text("due_on IS NOT NULL"),
            postgresql_where=sa.text("due_on IS NOT NULL"),
        )

    op.create_table(
        "progress_credit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("progress_id", sa.Integer(), nullable=False),
        sa.Column("source_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("entered_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.Column("verified_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "source_type IN ('manual', 'training_record', 'shift', 'call', 'skill_checkoff', 'checklist_item', 'waiver', 'self_report', 'course', 'skill')",
            name=op.f("ck_progress_credit_source_type"),
        ),
        sa.CheckConstraint(
            "state IN ('counted', 'pending', 'rejected')", name=op.f("ck_progress_credit_state")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"],
            ["member.id"],
            name=op.f("fk_progress_credit_entered_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["progress_id"],
            ["requirement_progress.id"],
            name=op.f("fk_progress_credit_progress_id_requirement_progress"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["member.id"],
            name=op.f("fk_progress_credit_verified_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_credit")),
        sa.UniqueConstraint(
            "progress_id",
            "source_type",
            "source_id",
            name=op.f("uq_progress_credit_progress_id_source_type_source_id"),
        ),
    )
    with op.batch_alter_table("progress_credit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_credit_progress_id"), ["progress_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("progress_credit")
    op.drop_table("requirement_progress")
    op.drop_table("milestone_event")
    op.drop_table("enrollment")
