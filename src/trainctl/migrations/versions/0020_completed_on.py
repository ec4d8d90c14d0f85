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

And the call a void response was voided under (review: correcting a call, which is allowed
once its responses are all void, made `call list --include-void` show its void responses
at the corrected time, shift date and type):

    call_response.void_shift_date, void_occurred_at, void_call_type

copied from the call when a response is voided. Existing void responses get the call's
values as they stood then: its values now, taken back through each `call.correct` audit
entry written after the void (newest first: each keeps the values it replaced).

Revision ID: 0020_completed_on
Revises: 0019_more_positions
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import trainctl.models

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


# call_response's copy of the call when voided: (its column, the call's, the audit's name)
VOID_COLUMNS = (
    ("void_shift_date", "shift_date", "shift_date"),
    ("void_occurred_at", "occurred_at", "at"),
    ("void_call_type", "call_type", "call_type"),
)


def _stored(name: str, value: Any, sqlite: bool) -> Any:
    """An audit log's JSON value (ISO text for dates and times) as the column stores it."""
    if value is None or name == "call_type":
        return value
    if name == "shift_date":
        day = date.fromisoformat(str(value)[:10])
        return day.isoformat() if sqlite else day
    at = _instant(value).astimezone(UTC)
    return at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at


def _void_responses() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.execute(
        "UPDATE call_response SET "
        + ", ".join(f'{col} = (SELECT c.{src} FROM "call" c WHERE c.id = call_response.call_id)'
                    for col, src, _ in VOID_COLUMNS)
        + " WHERE voided_at IS NOT NULL"
    )  # fmt: skip
    corrections: dict[int, list[tuple[datetime, dict[str, Any]]]] = {}
    for cid, at, detail in bind.execute(
        sa.text("SELECT entity_id, at, detail FROM audit_log WHERE action = 'call.correct' ORDER BY id DESC")
    ):
        before = (json.loads(detail) if isinstance(detail, str) else detail or {}).get("before") or {}
        corrections.setdefault(cid, []).append((_instant(at), before))
    if not corrections:
        return
    updates = []
    for rid, cid, voided_at in bind.execute(
        sa.text("SELECT id, call_id, voided_at FROM call_response WHERE voided_at IS NOT NULL")
    ):
        kept: dict[str, Any] = {}
        for at, before in corrections.get(cid, []):  # newest first: the oldest after the void wins
            if at > _instant(voided_at):
                kept.update(before)
        if kept:
            updates.append((rid, kept))
    for rid, kept in updates:
        sets = {col: _stored(name, kept[name], sqlite) for col, _, name in VOID_COLUMNS if name in kept}
        bind.execute(
            sa.text(f"UPDATE call_response SET {', '.join(f'{c} = :{c}' for c in sets)} WHERE id = :id"),
            {**sets, "id": rid},
        )


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("completed_on", sa.Date(), nullable=True))
    op.execute(_BY_CREDIT)
    _by_clock("requirement_progress")
    op.execute(_BY_ROWS)
    _by_clock("enrollment")
    op.add_column("call_response", sa.Column("void_shift_date", sa.Date(), nullable=True))
    op.add_column("call_response", sa.Column("void_occurred_at", trainctl.models.UTCDateTime(), nullable=True))
    op.add_column("call_response", sa.Column("void_call_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    _void_responses()


def downgrade() -> None:
    for col, _, _ in reversed(VOID_COLUMNS):
        op.drop_column("call_response", col)
    for table in reversed(TABLES):
        op.drop_column(table, "completed_on")  # SQLite 3.35+: ALTER TABLE DROP COLUMN, no rebuild
