"""Records and their sources: courses gain a category and self-paced flag; training records
gain topic, instructor, location, self-paced, void stamps, a natural key and their source
line; requirements gain explicit "what counts" fields; new tables certification,
skill_evaluation, skill_checkoff, shift, shift_attendance, call, call_response;
progress_credit accepts source type `certification`; its progress_id index goes (the unique
(progress_id, source_type, source_id) key leads with progress_id and serves every lookup).

Existing training records get their natural key (course:ID, else name:<folded name>);
rows that repeat an earlier record's key are kept, marked void with the reason.

Revision ID: 0005_records
Revises: 0004_progress_link_index
Create Date: 2026-11-30 19:36:55.050819
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

revision: str = "0005_records"
down_revision: str | None = "0004_progress_link_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy: the models' list may grow, this revision's constraint must not change.
CREDIT_SOURCES = (
    "manual", "training_record", "shift", "call", "skill_checkoff", "checklist_item",
    "waiver", "self_report", "course", "skill", "certification",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column("station", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("starts_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("ends_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("apparatus", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_shift_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["member.id"],
            name=op.f("fk_shift_officer_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
        sa.UniqueConstraint(
            "shift_date", "station", "name", name=op.f("uq_shift_shift_date_station_name")
        ),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_shift_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shift_shift_date"), ["shift_date"], unique=False)

    op.create_table(
        "skill_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("evaluation_criteria", sa.JSON(), nullable=False),
        sa.Column("passing_requirements", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("required_for_programs", sa.JSON(), nullable=False),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_skill_evaluation_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_evaluation")),
    )
    with op.batch_alter_table("skill_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_skill_evaluation_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_skill_evaluation_name"), ["name"], unique=True)

    op.create_table(
        "call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column("occurred_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("call_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_en_route", sa.Boolean(), nullable=False),
        sa.Column("medical_refusal", sa.Boolean(), nullable=False),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_call_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_call_shift_id_shift"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call")),
    )
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_created_by"), ["created_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_call_incident_number"), ["incident_number"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_call_shift_date"), ["shift_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("credential_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("voided_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= issued_on",
            name=op.f("ck_certification_expires_on"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_certification_course_id_course"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_certification_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_certification_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"],
            ["member.id"],
            name=op.f("fk_certification_voided_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification")),
    )
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certification_course_id"), ["course_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certification_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_certification_credential_code"), ["credential_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certification_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certification_voided_by"), ["voided_by"], unique=False)
        batch_op.create_index(
            "uq_certification_natural_key",
            ["member_id", "credential_code", "issued_on"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )

    op.create_table(
        "shift_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("checked_out_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("voided_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "duration_minutes >= 0", name=op.f("ck_shift_attendance_duration_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_shift_attendance_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_shift_attendance_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
            name=op.f("fk_shift_attendance_shift_id_shift"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"],
            ["member.id"],
            name=op.f("fk_shift_attendance_voided_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_attendance")),
        sa.UniqueConstraint(
            "shift_id", "member_id", name=op.f("uq_shift_attendance_shift_id_member_id")
        ),
    )
    with op.batch_alter_table("shift_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shift_attendance_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shift_attendance_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shift_attendance_shift_id"), ["shift_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shift_attendance_voided_by"), ["voided_by"], unique=False
        )

    op.create_table(
        "skill_checkoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("evaluation_results", sa.JSON(), nullable=False),
        sa.Column("evaluated_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("voided_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'passed', 'failed', 'needs_retest')",
            name=op.f("ck_skill_checkoff_status"),
        ),
        sa.CheckConstraint(
            "evaluator_id IS NULL OR evaluator_id <> member_id",
            name=op.f("ck_skill_checkoff_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_skill_checkoff_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"],
            ["member.id"],
            name=op.f("fk_skill_checkoff_evaluator_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_skill_checkoff_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill_evaluation.id"],
            name=op.f("fk_skill_checkoff_skill_id_skill_evaluation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"],
            ["member.id"],
            name=op.f("fk_skill_checkoff_voided_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_checkoff")),
    )
    with op.batch_alter_table("skill_checkoff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_skill_checkoff_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_skill_checkoff_evaluated_on"), ["evaluated_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_skill_checkoff_evaluator_id"), ["evaluator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_skill_checkoff_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_skill_checkoff_skill_id"), ["skill_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_skill_checkoff_voided_by"), ["voided_by"], unique=False
        )

    op.create_table(
        "call_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("created_at", trainctl.models.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("voided_at", trainctl.models.UTCDateTime(), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call.id"],
            name=op.f("fk_call_response_call_id_call"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
            name=op.f("fk_call_response_created_by_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_call_response_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"],
            ["member.id"],
            name=op.f("fk_call_response_voided_by_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_response")),
        sa.UniqueConstraint(
            "call_id", "member_id", name=op.f("uq_call_response_call_id_member_id")
        ),
    )
    with op.batch_alter_table("call_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_response_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_call_response_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_call_response_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_response_voided_by"), ["voided_by"], unique=False)

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("self_paced", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("updated_at", trainctl.models.UTCDateTime(), nullable=True))

    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counts_courses", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("counts_training_types", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("counts_categories", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("counts_call_types", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("counts_attendance", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "course_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("training_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("instructor", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("location", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("self_paced", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("source_line", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("voided_at", trainctl.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )

    _natural_keys()

    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_record_completion_date"), ["completion_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_record_voided_by"), ["voided_by"], unique=False
        )
        batch_op.create_index(
            "uq_training_record_natural_key",
            ["member_id", "course_key", "completion_date"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_training_record_voided_by_member"),
            "member",
            ["voided_by"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("progress_credit", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_progress_credit_source_type"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_progress_credit_source_type"), _in_list("source_type", CREDIT_SOURCES)
        )
        # the unique (progress_id, source_type, source_id) key serves lookups by row
        batch_op.drop_index("ix_progress_credit_progress_id")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _natural_keys() -> None:
    """course_key for existing records; a later row repeating an earlier row's key is kept
    and marked void (the unique key holds among records that are not void)."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, member_id, course_id, course_name, completion_date FROM training_record "
            "ORDER BY id"
        )
    ).all()
    seen: set[tuple[object, str, object]] = set()
    now = datetime.now(UTC).replace(tzinfo=None)
    for rid, member_id, course_id, course_name, completion_date in rows:
        key = (
            f"course:{course_id}"
            if course_id is not None
            else "name:" + " ".join((course_name or "").casefold().split())
        )
        repeat = completion_date is not None and (member_id, key, completion_date) in seen
        seen.add((member_id, key, completion_date))
        conn.execute(
            sa.text(
                "UPDATE training_record SET course_key = :key, voided_at = :at, void_reason = :why "
                "WHERE id = :id"
            ),
            {
                "key": key,
                "id": rid,
                "at": now if repeat else None,
                "why": "repeats an earlier record (same member, course and date); "
                "voided by the 0005 upgrade"
                if repeat
                else None,
            },
        )


def downgrade() -> None:
    op.execute("DELETE FROM progress_credit WHERE source_type = 'certification'")
    with op.batch_alter_table("progress_credit", schema=None) as batch_op:
        batch_op.create_index("ix_progress_credit_progress_id", ["progress_id"], unique=False)
        batch_op.drop_constraint(op.f("ck_progress_credit_source_type"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_progress_credit_source_type"), _in_list("source_type", CREDIT_SOURCES[:-1])
        )

    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_training_record_voided_by_member"), type_="foreignkey"
        )
        batch_op.drop_index(
            "uq_training_record_natural_key",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_training_record_voided_by"))
        batch_op.drop_index(batch_op.f("ix_training_record_completion_date"))
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("source_line")
        batch_op.drop_column("source_file")
        batch_op.drop_column("self_paced")
        batch_op.drop_column("location")
        batch_op.drop_column("instructor")
        batch_op.drop_column("topic")
        batch_op.drop_column("training_type")
        batch_op.drop_column("course_key")

    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_column("counts_attendance")
        batch_op.drop_column("counts_call_types")
        batch_op.drop_column("counts_categories")
        batch_op.drop_column("counts_training_types")
        batch_op.drop_column("counts_courses")

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("self_paced")
        batch_op.drop_column("category")

    with op.batch_alter_table("call_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_response_voided_by"))
        batch_op.drop_index(batch_op.f("ix_call_response_member_id"))
        batch_op.drop_index(batch_op.f("ix_call_response_created_by"))
        batch_op.drop_index(batch_op.f("ix_call_response_call_id"))

    op.drop_table("call_response")
    with op.batch_alter_table("skill_checkoff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_checkoff_voided_by"))
        batch_op.drop_index(batch_op.f("ix_skill_checkoff_skill_id"))
        batch_op.drop_index(batch_op.f("ix_skill_checkoff_member_id"))
        batch_op.drop_index(batch_op.f("ix_skill_checkoff_evaluator_id"))
        batch_op.drop_index(batch_op.f("ix_skill_checkoff_evaluated_on"))
        batch_op.drop_index(batch_op.f("ix_skill_checkoff_created_by"))

    op.drop_table("skill_checkoff")
    with op.batch_alter_table("shift_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_attendance_voided_by"))
        batch_op.drop_index(batch_op.f("ix_shift_attendance_shift_id"))
        batch_op.drop_index(batch_op.f("ix_shift_attendance_member_id"))
        batch_op.drop_index(batch_op.f("ix_shift_attendance_created_by"))

    op.drop_table("shift_attendance")
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certification_natural_key",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_certification_voided_by"))
        batch_op.drop_index(batch_op.f("ix_certification_member_id"))
        batch_op.drop_index(batch_op.f("ix_certification_credential_code"))
        batch_op.drop_index(batch_op.f("ix_certification_created_by"))
        batch_op.drop_index(batch_op.f("ix_certification_course_id"))

    op.drop_table("certification")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_shift_id"))
        batch_op.drop_index(batch_op.f("ix_call_shift_date"))
        batch_op.drop_index(batch_op.f("ix_call_incident_number"))
        batch_op.drop_index(batch_op.f("ix_call_created_by"))

    op.drop_table("call")
    with op.batch_alter_table("skill_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_evaluation_name"))
        batch_op.drop_index(batch_op.f("ix_skill_evaluation_created_by"))

    op.drop_table("skill_evaluation")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_shift_date"))
        batch_op.drop_index(batch_op.f("ix_shift_officer_id"))
        batch_op.drop_index(batch_op.f("ix_shift_created_by"))

    op.drop_table("shift")
