"""Index requirement_progress(program_requirement_id).

Deleting a program requirement link checks its foreign key from requirement_progress; with
no index on program_requirement_id that check scanned the whole table (191 ms at 2M rows,
issue 7), and so did re-measuring the rows of one requirement. The index costs each bulk
enrollment row one more B-tree insert (figures in the commit that added this revision).

Revision ID: 0004_progress_link_index
Revises: 0003_enrollment
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_progress_link_index"
down_revision: str | None = "0003_enrollment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX (no batch rebuild of a table that may hold millions of rows).
    op.create_index(
        op.f("ix_requirement_progress_program_requirement_id"),
        "requirement_progress",
        ["program_requirement_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_requirement_progress_program_requirement_id"), table_name="requirement_progress"
    )
