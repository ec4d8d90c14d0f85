"""A requirement can carry a fixed cycle end: a department copy of an NREMT NCCP level
(`requirement add --from NREMT-EMT`) keeps the 31 March cycle of its original.

    requirement.cycle_end          "MM-DD", the day every cycle ends (NULL: none)
    requirement.cycle_credential   the credential code whose card's expiry places the
                                   member's cycle (NULL: the certification date does)

Registry NREMT levels get both from code (domain/periods.cycle_end_for and their registry
code), as before. A copy has no registry identity, so before this revision it lost the
cycle: its windows ran two years from the certification anniversary (a medic certified on
1 June 2025 was shown due 31 May 2027, two months after the NREMT's 31 March 2027).

The upgrade adds the columns and gives the cycle back to the copies `requirement add
--from` made of the four NCCP levels, recognised by what it wrote and left unchanged: no
registry identity, the source document "department default (copied from NREMT-EMT)" word
for word, biennial from the certification date, and no cycle of their own. A copy whose
frequency or anchor an officer changed is left as it is. The downgrade drops the columns
(SQLite 3.35+: no table rebuild); the copies lose their cycle again.

Revision ID: 0014_cycle_end
Revises: 0013_void_again
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0014_cycle_end"
down_revision: str | None = "0013_void_again"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as domain/periods.NREMT_CYCLE_ENDS says today (a migration never imports what may change)
NCCP_CYCLE_ENDS = {"NREMT-EMR": "09-30", "NREMT-EMT": "03-31", "NREMT-AEMT": "03-31",
                   "NREMT-NRP": "03-31"}  # fmt: skip


def upgrade() -> None:
    op.add_column("requirement", sa.Column("cycle_end", AutoString(), nullable=True))
    op.add_column("requirement", sa.Column("cycle_credential", AutoString(), nullable=True))
    fix = sa.text(
        "UPDATE requirement SET cycle_end = :end, cycle_credential = :code "
        "WHERE registry_code IS NULL AND source = 'department' AND source_document = :doc "
        "AND frequency = 'biennial' AND period_anchor = 'certification_date' "
        "AND cycle_end IS NULL"
    )
    for code, end in NCCP_CYCLE_ENDS.items():
        doc = f"department default (copied from {code})"
        op.get_bind().execute(fix, {"end": end, "code": code, "doc": doc})


def downgrade() -> None:
    op.drop_column("requirement", "cycle_credential")
    op.drop_column("requirement", "cycle_end")
