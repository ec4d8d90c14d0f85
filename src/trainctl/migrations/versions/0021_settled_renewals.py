"""Program credit of renewed cards and class records (data only; no table changes).

A database written by an older trainctl may hold program credit that no longer stands: a
card without an expiry that a later card renewed before trainctl took such credit back
(then only when the member's next card was recorded or voided), or a card or class record
that a class record of the credential's course renews (program credit judged renewals
among cards only). Compliance calls such a certification expired; the program row said
100%.

This revision marks the databases that hold settled credit. The settling itself is the
living credit feed's (services/credit_feed.resettle_cards, domain/certs `in_force`), so it
runs in `trainctl db upgrade`'s post-step once the schema is at head
(services/progress/upgrade.after_upgrade, for an upgrade from before this revision), in
the upgrade's transaction: a migration runs frozen at its revision, and the feed reads the
living tables. Downgrade: nothing to undo (a reversing ledger entry is history, kept).

Revision ID: 0021_settled_renewals
Revises: 0020_completed_on
"""

from collections.abc import Sequence

revision: str = "0021_settled_renewals"
down_revision: str | None = "0020_completed_on"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing in the schema: `db upgrade`'s post-step settles the credit (see above)."""


def downgrade() -> None:
    """Nothing to undo."""
