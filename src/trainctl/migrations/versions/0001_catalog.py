"""Catalog: members, positions, courses, training records, requirements, audit log, settings.

Revision ID: 0001_catalog
Revises: None
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

revision: str = "0001_catalog"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy: the models' list may grow, this revision's seed must not change.
POSITION_NAMES = {
    "probationary": "Probationary firefighter",
    "firefighter": "Firefighter",
    "driver_candidate": "Driver/operator candidate",
    "driver": "Driver/operator",
    "officer": "Officer",
    "aic": "AIC (attendant in charge)",
    "emr": "EMR (emergency medical responder)",
    "emt": "EMT",
    "aemt": "AEMT (advanced EMT)",
    "paramedic": "Paramedic",
    "instructor": "Instructor",
}


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("badge", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("hire_date", sa.Date(), nullable=True),
        sa.Column("certification_date", sa.Date(), nullable=True),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('officer', 'member')", name=op.f("ck_member_role")),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_member_status")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_member_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_badge"), ["badge"], unique=True)
        batch_op.create_index(batch_op.f("ix_member_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_email"), ["email"], unique=True)

    op.create_table(
        "position",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("is_builtin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_position")),
    )

    op.create_table(
        "setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["member.id"],
            name=op.f("fk_audit_log_actor_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("training_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("duration_hours", sa.Float(), nullable=True),
        sa.Column("credit_hours", sa.Float(), nullable=True),
        sa.Column("prerequisites", sa.JSON(), nullable=False),
        sa.Column("expiration_months", sa.Integer(), nullable=True),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "credit_hours IS NULL OR credit_hours >= 0", name=op.f("ck_course_credit_hours")
        ),
        sa.CheckConstraint(
            "duration_hours IS NULL OR duration_hours >= 0", name=op.f("ck_course_duration_hours")
        ),
        sa.CheckConstraint(
            "expiration_months IS NULL OR expiration_months > 0",
            name=op.f("ck_course_expiration_months"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_course_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_course_created_by"), ["created_by"], unique=False)

    op.create_table(
        "requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("requirement_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("registry_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("registry_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_document", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("is_editable", sa.Boolean(), nullable=False),
        sa.Column("required_hours", sa.Float(), nullable=True),
        sa.Column("required_shifts", sa.Integer(), nullable=True),
        sa.Column("required_calls", sa.Integer(), nullable=True),
        sa.Column("required_courses", sa.JSON(), nullable=False),
        sa.Column("credential_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("checklist_items", sa.JSON(), nullable=False),
        sa.Column("hour_categories", sa.JSON(), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=True),
        sa.Column("period_anchor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("time_limit_days", sa.Integer(), nullable=True),
        sa.Column("required_positions", sa.JSON(), nullable=False),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "frequency IN ('annual', 'biennial', 'quarterly', 'monthly', 'one_time', 'rolling')",
            name=op.f("ck_requirement_frequency"),
        ),
        sa.CheckConstraint(
            "period_anchor IN ('calendar', 'hire_date', 'certification_date')",
            name=op.f("ck_requirement_period_anchor"),
        ),
        sa.CheckConstraint(
            "requirement_type IN ('hours', 'courses', 'certification', 'shifts', 'calls', 'skills_evaluation', 'checklist')",
            name=op.f("ck_requirement_requirement_type"),
        ),
        sa.CheckConstraint(
            "source IN ('department', 'state', 'national')", name=op.f("ck_requirement_source")
        ),
        sa.CheckConstraint(
            "period_months IS NULL OR period_months > 0", name=op.f("ck_requirement_period_months")
        ),
        sa.CheckConstraint(
            "required_calls IS NULL OR required_calls > 0",
            name=op.f("ck_requirement_required_calls"),
        ),
        sa.CheckConstraint(
            "required_hours IS NULL OR required_hours > 0",
            name=op.f("ck_requirement_required_hours"),
        ),
        sa.CheckConstraint(
            "required_shifts IS NULL OR required_shifts > 0",
            name=op.f("ck_requirement_required_shifts"),
        ),
        sa.CheckConstraint(
            "time_limit_days IS NULL OR time_limit_days > 0",
            name=op.f("ck_requirement_time_limit_days"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_requirement_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["member.id"],
            name=op.f("fk_requirement_updated_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement")),
    )
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirement_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_requirement_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_requirement_registry_name"), ["registry_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_requirement_updated_by"), ["updated_by"], unique=False)
        batch_op.create_index(
            "uq_requirement_registry_code",
            ["registry_name", "registry_code"],
            unique=True,
            sqlite_where=sa.text("registry_code IS NOT NULL"),
            postgresql_where=sa.text("registry_code IS NOT NULL"),
        )

    op.create_table(
        "training_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("course_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("course_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("completion_date", sa.Date(), nullable=True),
        sa.Column("expiration_date", sa.Date(), nullable=True),
        sa.Column("hours_completed", sa.Float(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('scheduled', 'in_progress', 'completed', 'cancelled', 'failed')",
            name=op.f("ck_training_record_status"),
        ),
        sa.CheckConstraint("hours_completed >= 0", name=op.f("ck_training_record_hours_completed")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_training_record_course_id_course"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_training_record_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_training_record_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_record")),
    )
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_record_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_record_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_record_member_id"), ["member_id"], unique=False
        )

    positions = sa.table(
        "position",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("is_builtin", sa.Boolean),
    )
    op.bulk_insert(
        positions,
        [
            {"code": c, "name": n, "is_builtin": True}
            for c, n in POSITION_NAMES.items()
        ],
    )


def downgrade() -> None:
    op.drop_table("training_record")
    op.drop_table("requirement")
    op.drop_table("course")
    op.drop_table("audit_log")
    op.drop_table("setting")
    op.drop_table("position")
    op.drop_table("member")
