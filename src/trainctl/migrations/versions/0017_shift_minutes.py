"""Shift hours to the minute (review): a shift credited its hours rounded to four decimals,
so three tours of 12 h 20 min (2,220 minutes, 37 h) added up to 36.9999 h and a 37 h
requirement was never met. trainctl now credits a shift its minutes / 60; this revision
rewrites the credits written before it the same way:

    progress_credit.amount   of source_type 'shift' (source id '<attendance id>', or
                             '<attendance id>:void' for a void's reversal): the
                             attendance's duration_minutes / 60, keeping its sign. A
                             credit whose amount is not its attendance's rounded hours (no
                             writer makes one) is left as it is.

No column changes. The figures these credits add up to are re-measured once the schema is
at head (services/progress/upgrade.py: measuring is the living code's, not a frozen
revision's). Python, not one UPDATE: the source id is text and the attendance id an
integer; a join on a cast would scan the attendance per credit, and PostgreSQL may cast the
uuid source ids of other credits. The downgrade rounds them back to four decimals.

Revision ID: 0017_shift_minutes
Revises: 0016_requirement_history
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_shift_minutes"
down_revision: str | None = "0016_requirement_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VOID = ":void"
BATCH = 5_000


def _rewrite(exact: bool) -> None:
    conn = op.get_bind()
    minutes: dict[int, int] = dict(conn.execute(sa.text("SELECT id, duration_minutes FROM shift_attendance")).all())
    changes: list[dict[str, object]] = []
    for cid, source_id, amount in conn.execute(
        sa.text("SELECT id, source_id, amount FROM progress_credit WHERE source_type = 'shift'")
    ):
        key = source_id[: -len(VOID)] if source_id.endswith(VOID) else source_id
        if not key.isdigit() or int(key) not in minutes:
            continue
        hours = minutes[int(key)] / 60
        if abs(abs(float(amount)) - hours) >= 0.0001:
            continue  # not a shift's hours: nobody wrote it so; left alone
        new = hours if exact else round(hours, 4)
        changes.append({"id": cid, "amount": new if float(amount) > 0 else -new})
    update = sa.text("UPDATE progress_credit SET amount = :amount WHERE id = :id")
    for start in range(0, len(changes), BATCH):
        conn.execute(update, changes[start : start + BATCH])


def upgrade() -> None:
    _rewrite(exact=True)


def downgrade() -> None:
    _rewrite(exact=False)
