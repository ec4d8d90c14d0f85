"""Case-insensitive SQL by Python's str.casefold on PostgreSQL too: the function
trainctl_fold(text) (dbfile.postgres_fold_function). SQLite needs nothing in the file:
trainctl registers the same function on every SQLite connection (dbfile.register_fold).

From this revision on "ignoring case" means str.casefold, where 0007_ci_unique checked
with SQL's lower() (on SQLite A-Z only): a database holding e-mails, requirement names or
registry codes that differ only by such a fold ("émile@" and "ÉMILE@", "straße@" and
"STRASSE@") is refused, naming the rows, before anything changes, as 0007 refuses the
A-Z ones. Otherwise one member's own e-mail would name the other, or nobody.

Revision ID: 0010_casefold
Revises: 0009_member_history
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from trainctl.dbfile import FOLD_FUNCTION, postgres_fold_function
from trainctl.errors import TrainctlError

revision: str = "0010_casefold"
down_revision: str | None = "0009_member_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _norm(text: str | None) -> str:
    """Frozen here as written at this revision (domain.lookup.norm is the living copy)."""
    return (text or "").replace(" ", "").casefold()


# What must be unique by the fold: (what, table, its rows (id, the
# value shown, ...), their key, how to fix)
RULES: list[tuple[str, str, str, Callable[[Any], Any], str]] = [
    ("member emails differ only in case", "member",
     "SELECT id, email FROM member ORDER BY id",
     lambda r: r[1].casefold(), "trainctl member edit ID --email ..."),
    ("requirement names differ only in case or spaces", "requirement",
     "SELECT id, name, registry_name FROM requirement ORDER BY id",
     lambda r: (_norm(r[2]), _norm(r[1])), "trainctl requirement edit ID --name ..."),
    ("registry codes differ only in case or spaces", "requirement",
     "SELECT id, registry_code, registry_name FROM requirement "
     "WHERE registry_code IS NOT NULL ORDER BY id",
     lambda r: (_norm(r[2]), _norm(r[1])), "trainctl requirement edit ID --code ..."),
]  # fmt: skip


def _collisions() -> list[str]:
    """Groups of rows equal by the fold: 'member emails differ only in case: member
    ids 4, 5: 'straße@fd.org' / 'STRASSE@fd.org' (fix: ...)', at most 20 per rule."""
    problems: list[str] = []
    for what, table, sql, key, fix in RULES:
        groups: dict[Any, list[Any]] = {}
        for row in op.get_bind().execute(sa.text(sql)):
            groups.setdefault(key(row), []).append(row)
        found = [rows for rows in groups.values() if len(rows) > 1]
        problems += [
            f"{what}: {table} ids "
            f"{', '.join(str(r[0]) for r in rows)}: {' / '.join(repr(r[1]) for r in rows)} "
            f"(fix: {fix})"
            for rows in found[:20]
        ]
    return problems


def upgrade() -> None:
    problems = _collisions()
    if problems:
        raise TrainctlError(
            f"Cannot upgrade: {len(problems)} group{'s' if len(problems) != 1 else ''} of rows "
            "would break the rule that names, registry codes and emails are unique ignoring "
            "case, which from this version means Unicode case folding ('STRASSE' = 'straße', "
            "'ÉMILE' = 'émile'); nothing was changed.",
            "Rename or merge the rows named above with the trainctl you upgraded from (it still "
            "opens this database), then run `trainctl db upgrade` again.",
            details=problems,
        )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(postgres_fold_function())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)")
