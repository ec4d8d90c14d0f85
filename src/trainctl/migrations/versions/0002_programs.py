"""Programs: phases, phase and program prerequisites, requirement links, milestones.

Revision ID: 0002_programs
Revises: 0001_catalog
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

revision: str = "0002_programs"
down_revision: str | None = "0001_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lineage_id", sa.Integer(), nullable=True),
        sa.Column("derived_from_id", sa.Integer(), nullable=True),
        sa.Column("target_position", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("structure_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("allows_concurrent_enrollment", sa.Boolean(), nullable=False),
        sa.Column("time_limit_days", sa.Integer(), nullable=True),
        sa.Column("warning_days_before", sa.Integer(), nullable=True),
        sa.Column("reminder_conditions", sa.JSON(), nullable=False),
        sa.Column("is_template", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'archived')", name=op.f("ck_program_status")
        ),
        sa.CheckConstraint(
            "structure_type IN ('flexible', 'sequential', 'phases')",
            name=op.f("ck_program_structure_type"),
        ),
        sa.CheckConstraint(
            "time_limit_days IS NULL OR time_limit_days > 0",
            name=op.f("ck_program_time_limit_days"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_program_version")),
        sa.CheckConstraint(
            "warning_days_before IS NULL OR warning_days_before >= 0",
            name=op.f("ck_program_warning_days_before"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_program_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["program.id"],
            name=op.f("fk_program_derived_from_id_program"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lineage_id"],
            ["program.id"],
            name=op.f("fk_program_lineage_id_program"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_program_name_version")),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_program_created_by"), ["created_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_program_derived_from_id"), ["derived_from_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_lineage_id"), ["lineage_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_program_name"), ["name"], unique=False)

    op.create_table(
        "program_phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("phase_number", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("requires_manual_advancement", sa.Boolean(), nullable=False),
        sa.Column("time_limit_days", sa.Integer(), nullable=True),
        sa.CheckConstraint("phase_number >= 1", name=op.f("ck_program_phase_phase_number")),
        sa.CheckConstraint(
            "time_limit_days IS NULL OR time_limit_days > 0",
            name=op.f("ck_program_phase_time_limit_days"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_program_phase_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_phase")),
        sa.UniqueConstraint(
            "program_id", "phase_number", name=op.f("uq_program_phase_program_id_phase_number")
        ),
    )
    with op.batch_alter_table("program_phase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_phase_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "program_prerequisite",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("prerequisite_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "program_id <> prerequisite_id", name=op.f("ck_program_prerequisite_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_id"],
            ["program.id"],
            name=op.f("fk_program_prerequisite_prerequisite_id_program"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_program_prerequisite_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "program_id", "prerequisite_id", name=op.f("pk_program_prerequisite")
        ),
    )
    with op.batch_alter_table("program_prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_prerequisite_prerequisite_id"), ["prerequisite_id"], unique=False
        )

    op.create_table(
        "phase_prerequisite",
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("prerequisite_phase_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "phase_id <> prerequisite_phase_id", name=op.f("ck_phase_prerequisite_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"],
            ["program_phase.id"],
            name=op.f("fk_phase_prerequisite_phase_id_program_phase"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_phase_id"],
            ["program_phase.id"],
            name=op.f("fk_phase_prerequisite_prerequisite_phase_id_program_phase"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "phase_id", "prerequisite_phase_id", name=op.f("pk_phase_prerequisite")
        ),
    )
    with op.batch_alter_table("phase_prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phase_prerequisite_prerequisite_phase_id"),
            ["prerequisite_phase_id"],
            unique=False,
        )

    op.create_table(
        "program_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("completion_percentage_threshold", sa.Float(), nullable=False),
        sa.Column("notification_message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("requires_verification", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "completion_percentage_threshold >= 0 AND completion_percentage_threshold <= 100",
            name=op.f("ck_program_milestone_threshold"),
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"],
            ["program_phase.id"],
            name=op.f("fk_program_milestone_phase_id_program_phase"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_program_milestone_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_milestone")),
    )
    with op.batch_alter_table("program_milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_milestone_phase_id"), ["phase_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_program_milestone_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "program_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("is_prerequisite", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column(
            "program_specific_description", sqlmodel.sql.sqltypes.AutoString(), nullable=True
        ),
        sa.Column("custom_deadline_days", sa.Integer(), nullable=True),
        sa.Column("notification_message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "custom_deadline_days IS NULL OR custom_deadline_days > 0",
            name=op.f("ck_program_requirement_custom_deadline_days"),
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"],
            ["program_phase.id"],
            name=op.f("fk_program_requirement_phase_id_program_phase"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_program_requirement_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_program_requirement_requirement_id_requirement"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_requirement")),
    )
    with op.batch_alter_table("program_requirement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_requirement_phase_id"), ["phase_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_program_requirement_program_id"), ["program_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_program_requirement_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(
            "uq_program_requirement_phase_scope",
            ["phase_id", "requirement_id"],
            unique=True,
            sqlite_where=sa.text("phase_id IS NOT NULL"),
            postgresql_where=sa.text("phase_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_program_requirement_program_scope",
            ["program_id", "requirement_id"],
            unique=True,
            sqlite_where=sa.text("phase_id IS NULL"),
            postgresql_where=sa.text("phase_id IS NULL"),
        )


def downgrade() -> None:
    op.drop_table("program_requirement")
    op.drop_table("program_milestone")
    op.drop_table("phase_prerequisite")
    op.drop_table("program_prerequisite")
    op.drop_table("program_phase")
    op.drop_table("program")
