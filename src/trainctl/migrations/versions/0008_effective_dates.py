"""Effective dates (issue 11 #25): beside each timestamp of writing, the date the credit,
verification or milestone takes effect: the department's day, or the `--as-of` date the
command was given. Timestamps (`*_at`) keep the real time of writing; reads, reports and
windows use the dates (`*_on`).

    progress_credit.entered_on, progress_credit.verified_on
    requirement_progress.verified_on
    milestone_event.reached_on, milestone_event.verified_on

Existing rows get the department's day of their timestamp (its timezone: env
TRAINCTL_TIMEZONE, else the `timezone` setting). No `--as-of` was ever stored, so the day of
writing is all an old row knows; a credit from a training record also gets the day it was
written, as a feed credit written from now on does (the date the record's training happened
stays on the record). Set-based: a temporary table holds the UTC start of every local day
in the span of the timestamps (a few thousand rows for years of data), and each column is
filled by one UPDATE looking its day up by index (`starts <= ts ORDER BY starts DESC
LIMIT 1`), in SQL that SQLite and PostgreSQL both run. Measured (`python
bench/effective_dates.py --credits 500000 --repeat 1`, SQLite, 2-core machine under load):
500,000 credits over three years, a fifth verified: 6.8 s through COMMIT; the same dates
computed in Python row by row with one UPDATE per row take 32.7 s (4.8x).

The re-measure of rows stored before recurring-requirement scaling (issue 11, point 4)
is not here: it runs the living measuring code, so it is the upgrade's post-step
(services/progress/upgrade.py), once the schema is at head.

Revision ID: 0008_effective_dates
Revises: 0007_ci_unique
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0008_effective_dates"
down_revision: str | None = "0007_ci_unique"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, new date column, the timestamp it is backfilled from)
COLUMNS = [
    ("progress_credit", "entered_on", "entered_at"),
    ("progress_credit", "verified_on", "verified_at"),
    ("requirement_progress", "verified_on", "verified_at"),
    ("milestone_event", "reached_on", "reached_at"),
    ("milestone_event", "verified_on", "verified_at"),
]


def _zone() -> ZoneInfo:
    from trainctl.queries.settings import department_zone
    from trainctl.services.store import Writer

    bind = op.get_bind()
    return department_zone(Writer(bind.connection.driver_connection, bind.dialect.name, sa_conn=bind))


def _stamp(value: datetime, dialect: str) -> object:
    """A naive UTC instant as the column stores it (SQLite: text, whole seconds, so a stored
    '... 05:00:00' and '... 05:00:00.000000' both sort at or after it)."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if dialect == "sqlite" else value


def _backfill() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    spans = [
        bind.execute(sa.text(f"SELECT min({at}), max({at}) FROM {table}")).one()
        for table, _, at in COLUMNS
    ]
    values = [v for span in spans for v in span if v is not None]
    if not values:
        return
    days = [v if isinstance(v, datetime) else datetime.fromisoformat(str(v)) for v in values]
    zone = _zone()
    first = min(days).date() - timedelta(days=2)
    last = max(days).date() + timedelta(days=2)
    op.execute(
        "CREATE TEMPORARY TABLE effective_day (starts TIMESTAMP NOT NULL PRIMARY KEY, day DATE NOT NULL)"
    )
    rows = []
    d = first
    while d <= last:
        start = datetime.combine(d, time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        rows.append({"starts": _stamp(start, dialect), "day": d.isoformat() if dialect == "sqlite" else d})
        d += timedelta(days=1)
    bind.execute(sa.text("INSERT INTO effective_day (starts, day) VALUES (:starts, :day)"), rows)
    for table, on, at in COLUMNS:
        bind.execute(
            sa.text(
                f"UPDATE {table} SET {on} = (SELECT d.day FROM effective_day d "
                f"WHERE d.starts <= {table}.{at} ORDER BY d.starts DESC LIMIT 1) "
                f"WHERE {at} IS NOT NULL"
            )
        )
    op.execute("DROP TABLE effective_day")


def upgrade() -> None:
    for table, on, _ in COLUMNS:
        op.add_column(table, sa.Column(on, sa.Date(), nullable=True))
    _backfill()


def downgrade() -> None:
    for table, on, _ in reversed(COLUMNS):
        op.drop_column(table, on)  # SQLite 3.35+: ALTER TABLE DROP COLUMN, no rebuild
