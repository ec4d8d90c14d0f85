"""Case-insensitive SQL by Python's str.casefold on PostgreSQL too: the function
trainctl_fold(text) (dbfile.postgres_fold_function). SQLite needs nothing in the file:
trainctl registers the same function on every SQLite connection (dbfile.register_fold).

Revision ID: 0010_casefold
Revises: 0009_member_history
"""

from collections.abc import Sequence

from alembic import op

from trainctl.dbfile import FOLD_FUNCTION, postgres_fold_function

revision: str = "0010_casefold"
down_revision: str | None = "0009_member_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(postgres_fold_function())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)")
