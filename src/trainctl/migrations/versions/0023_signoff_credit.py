"""Checklist sign-offs credit program progress (progress_credit.source_type
'checklist_signoff').

`trainctl checklist check` (0022) signed an item off for a member and compliance counted
it, but a member enrolled in a program linking the same checklist saw the item unchecked
there. A sign-off is now a source of the credit feed, as a skill checkoff is: its credit is
a ledger entry of its own source type, so an uncheck reverses it alone (an item checked by
hand on the enrollment, source 'checklist_item', stays) and compliance, which reads the
sign-off itself, does not count it twice. This revision widens the ledger's source type
check to take it.

The sign-offs already on file credit the programs in `trainctl db upgrade`'s post-step
(services/progress/upgrade.after_upgrade, for an upgrade from before this revision),
through the living credit feed: a migration runs frozen at its revision. Downgrade: the
check as it was, without the sign-offs' credit (the sign-offs stay).

Revision ID: 0023_signoff_credit
Revises: 0022_checklist_signoffs
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_signoff_credit"
down_revision: str | None = "0022_checklist_signoffs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ledger's source types as 0005 left them; this revision adds the last.
CREDIT_SOURCES = (
    "manual", "training_record", "shift", "call", "skill_checkoff", "checklist_item",
    "waiver", "self_report", "course", "skill", "certification", "checklist_signoff",
)  # fmt: skip


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("progress_credit", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_progress_credit_source_type"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_progress_credit_source_type"), _in_list("source_type", CREDIT_SOURCES)
        )


def downgrade() -> None:
    op.execute("DELETE FROM progress_credit WHERE source_type = 'checklist_signoff'")
    with op.batch_alter_table("progress_credit", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_progress_credit_source_type"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_progress_credit_source_type"), _in_list("source_type", CREDIT_SOURCES[:-1])
        )
