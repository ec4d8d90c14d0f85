"""Two built-in positions for the registries' higher levels (review: importing Pro Board
held every driver to both Driver/Operator Pumper and Aerial, and every officer to Fire
Officer I and II, overdue on the ones their department never asks of them):

    aerial_operator   Aerial operator: the Pro Board Driver/Operator - Aerial entry
    chief_officer     Chief officer: the Pro Board Fire Officer II entry

A department that made either code itself (`member add-position`) keeps its own row and
name. The downgrade removes the built-in rows (members' positions are codes in JSON: a
member holding one keeps the code, as with any position removed).

Revision ID: 0019_more_positions
Revises: 0018_requirement_entered_on
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_more_positions"
down_revision: str | None = "0018_requirement_entered_on"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy (models.POSITION_NAMES may grow): what this revision adds.
ADDED = {"aerial_operator": "Aerial operator", "chief_officer": "Chief officer"}


def upgrade() -> None:
    conn = op.get_bind()
    have = set(conn.execute(sa.text("SELECT code FROM position")).scalars())
    for code, name in ADDED.items():
        if code not in have:
            conn.execute(
                sa.text("INSERT INTO position (code, name, is_builtin) VALUES (:c, :n, :b)"),
                {"c": code, "n": name, "b": True},
            )


def downgrade() -> None:
    conn = op.get_bind()
    for code in ADDED:
        conn.execute(
            sa.text("DELETE FROM position WHERE code = :c AND is_builtin = :b"), {"c": code, "b": True}
        )
