"""The day a row or enrollment was completed (review: a requirement completed by a credit
entered `--as-of` an earlier day said "completed on" the day it was typed in, while its
last activity was the earlier day):

    requirement_progress.completed_on   the day of the credit that completed it
    enrollment.completed_on             the latest completion day of its required rows

`completed_at` keeps the real time of writing (audit); reads show `completed_on`.

Existing rows get the best day on file: a progress row the day (entered_on) of the credit
that completed it, the last counted credit written by the time it completed (entered_at
<= completed_at); an enrollment the latest day of its required rows'. Where neither is
found, the department's day of completed_at (its timezone: env TRAINCTL_TIMEZONE, else
the `timezone` setting), as 0008 filled the other dates. Set-based for the credits; the
remainder (rows without a credit, a few) in Python.

Revision ID: 0020_completed_on
Revises: 0019_more_positions
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0020_completed_on"
down_revision: str | None = "0019_more_positions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("requirement_progress", "enrollment")

# the completing credit: the last counted one written by the time the row completed
_BY_CREDIT = (
    "UPDATE requirement_progress SET completed_on = (SELECT c.entered_on FROM progress_credit c "
    "WHERE c.progress_id = requirement_progress.id AND c.state = 'counted' "
    "AND c.entered_on IS NOT NULL AND c.entered_at <= requirement_progress.completed_at "
    "ORDER BY c.id DESC LIMIT 1) WHERE completed_at IS NOT NULL"
)
# an enrollment: the day its last required row was completed
_BY_ROWS = (
    "UPDATE enrollment SET completed_on = (SELECT MAX(rp.completed_on) FROM requirement_progress rp "
    "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "WHERE rp.enrollment_id = enrollment.id AND pr.is_required IS TRUE) "
    "WHERE completed_at IS NOT NULL"
)


def _zone() -> ZoneInfo:
    from trainctl.queries.settings import department_zone
    from trainctl.services.store import Writer

    bind = op.get_bind()
    return department_zone(Writer(bind.connection.driver_connection, bind.dialect.name, sa_conn=bind))


def _instant(value: Any) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _by_clock(table: str) -> None:
    """The department's day of completed_at, where no better day was found."""
    bind = op.get_bind()
    rest = bind.execute(
        sa.text(f"SELECT id, completed_at FROM {table} WHERE completed_at IS NOT NULL AND completed_on IS NULL")
    ).all()
    if not rest:
        return
    zone, sqlite = _zone(), bind.dialect.name == "sqlite"

    def day(at: Any) -> date | str:
        on = _instant(at).astimezone(zone).date()
        return on.isoformat() if sqlite else on

    bind.execute(
        sa.text(f"UPDATE {table} SET completed_on = :on WHERE id = :id"),
        [{"id": rid, "on": day(at)} for rid, at in rest],
    )


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("completed_on", sa.Date(), nullable=True))
    op.execute(_BY_CREDIT)
    _by_clock("requirement_progress")
    op.execute(_BY_ROWS)
    _by_clock("enrollment")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "completed_on")  # SQLite 3.35+: ALTER TABLE DROP COLUMN, no rebuild
