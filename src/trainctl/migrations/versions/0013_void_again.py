"""A member's attendance at a shift and response to a call can be voided and entered again:
the unique key (shift, member) and (call, member) holds among the rows that are not void,
as the natural keys of training records and cards already do. The unique constraints
become partial unique indexes (WHERE voided_at IS NULL), the same on SQLite and PostgreSQL:

    uq_shift_attendance_shift_id_member_id  ->  uq_shift_attendance_natural_key
    uq_call_response_call_id_member_id      ->  uq_call_response_natural_key

Before, `shift void` and `call void` did not exist, and a void row would have kept its
member off that shift or call for good: an attendance entered with the wrong times could
never be corrected. SQLite drops a constraint by rebuilding the table (Alembic's batch
mode copies every row, its CHECK and FOREIGN KEY constraints and indexes).

A downgrade puts the constraints back; a database where a member has a void row and a
live one for the same shift or call is refused, naming them, before anything changes.

Revision ID: 0013_void_again
Revises: 0012_last_activity
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from trainctl.errors import TrainctlError

revision: str = "0013_void_again"
down_revision: str | None = "0012_last_activity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_VOID = "voided_at IS NULL"
# table -> (the key's columns, the old constraint, the new index)
KEYS = {
    "shift_attendance": (
        ("shift_id", "member_id"), "uq_shift_attendance_shift_id_member_id",
        "uq_shift_attendance_natural_key",
    ),
    "call_response": (
        ("call_id", "member_id"), "uq_call_response_call_id_member_id",
        "uq_call_response_natural_key",
    ),
}  # fmt: skip


@contextmanager
def _rebuilt(table: str) -> Iterator[BatchOperations]:
    """Batch mode, quietly: its reflection meets member's expression index (0007), which it
    need not copy (another table) and would warn about on the user's terminal."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table(table, schema=None) as batch_op:
            yield batch_op


def upgrade() -> None:
    for table, (columns, constraint, index) in KEYS.items():
        with _rebuilt(table) as batch_op:
            batch_op.drop_constraint(constraint, type_="unique")
        op.create_index(
            index, table, list(columns), unique=True,
            sqlite_where=sa.text(NOT_VOID), postgresql_where=sa.text(NOT_VOID),
        )  # fmt: skip


def downgrade() -> None:
    problems = []
    for table, (columns, _constraint, _index) in KEYS.items():
        keys = ", ".join(columns)
        for row in op.get_bind().execute(
            sa.text(f"SELECT {keys}, count(*) FROM {table} GROUP BY {keys} HAVING count(*) > 1")
        ):
            problems.append(f"{table} {', '.join(f'{c} {v}' for c, v in zip(columns, row, strict=False))}: "
                            f"{row[-1]} rows (a void one and one entered again)")  # fmt: skip
    if problems:
        raise TrainctlError(
            "Cannot downgrade: a member has several rows for one shift or call, which the "
            "older schema cannot hold; nothing was changed.",
            "Keep this version of trainctl, or restore a backup taken before the upgrade.",
            details=problems[:20],
        )
    for table, (columns, constraint, index) in KEYS.items():
        op.drop_index(index, table_name=table, sqlite_where=sa.text(NOT_VOID),
                      postgresql_where=sa.text(NOT_VOID))  # fmt: skip
        with _rebuilt(table) as batch_op:
            batch_op.create_unique_constraint(constraint, list(columns))
