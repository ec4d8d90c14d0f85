"""Identity ignoring case as real constraints: requirement names and registry codes are
unique within their registry (or among department requirements) ignoring case and spaces,
and a member's email is unique ignoring case. Unique expression indexes, the same on SQLite
and PostgreSQL (models.CI_INDEXES). The services refused such duplicates before; the index
makes the database refuse them too (two writers, a hand-edited file, a copied database).

An existing database that already holds such duplicates is refused, naming them, before
anything changes: merge or rename them, then upgrade again.

Revision ID: 0007_ci_unique
Revises: 0006_reminders
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from trainctl.errors import TrainctlError

revision: str = "0007_ci_unique"
down_revision: str | None = "0006_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here as written at this revision (models.CI_INDEXES is the living copy; the schema
# tests keep the two equal).
def _key(column: str) -> str:
    return f"lower(replace({column}, ' ', ''))"


CI_INDEXES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "uq_requirement_name_ci": (
        "requirement", (_key("coalesce(registry_name, '')"), _key("name")), None,
    ),
    "uq_requirement_registry_code_ci": (
        "requirement", (_key("coalesce(registry_name, '')"), _key("registry_code")),
        "registry_code IS NOT NULL",
    ),
    "uq_member_email_ci": ("member", ("lower(email)",), None),
}  # fmt: skip

# What a duplicate of each index looks like to a person, and how to fix it
LABEL = {
    "uq_requirement_name_ci": ("requirement names", "name", "trainctl requirement edit ID --name ..."),
    "uq_requirement_registry_code_ci": (
        "registry codes", "registry_code", "trainctl requirement edit ID --code ...",
    ),
    "uq_member_email_ci": ("member emails", "email", "trainctl member edit ID --email ..."),
}  # fmt: skip


def _duplicates(name: str) -> list[str]:
    """Groups of rows that the index would refuse: 'ids 3, 7 (name 'Live Fire')'."""
    table, exprs, where = CI_INDEXES[name]
    _, column, _ = LABEL[name]
    keys = ", ".join(exprs)
    cond = f"WHERE {where}" if where else ""
    groups = op.get_bind().execute(
        sa.text(
            f"SELECT {keys}, count(*) FROM {table} {cond} GROUP BY {keys} HAVING count(*) > 1"
        )
    ).fetchall()
    out = []
    for group in groups[:20]:
        match = " AND ".join(f"{e} = :k{i}" for i, e in enumerate(exprs))
        params = {f"k{i}": v for i, v in enumerate(group[: len(exprs)])}
        members = op.get_bind().execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE {match} ORDER BY id"), params
        ).fetchall()
        out.append(
            f"{table} ids {', '.join(str(r[0]) for r in members)}: "
            + " / ".join(repr(r[1]) for r in members)
        )
    return out


def upgrade() -> None:
    problems: list[str] = []
    for name in CI_INDEXES:
        found = _duplicates(name)
        if found:
            what, _, fix = LABEL[name]
            problems += [f"{what} differ only in case or spaces: {f} (fix: {fix})" for f in found]
    if problems:
        raise TrainctlError(
            f"Cannot upgrade: {len(problems)} group{'s' if len(problems) != 1 else ''} of rows "
            "would break the new rule that names, registry codes and emails are unique ignoring "
            "case; nothing was changed.",
            "Rename or merge the rows named above with the trainctl you upgraded from (it still "
            "opens this database), then run `trainctl db upgrade` again.",
            details=problems,
        )
    for name, (table, exprs, where) in CI_INDEXES.items():
        pred: dict[str, Any] = {} if where is None else {
            "sqlite_where": sa.text(where), "postgresql_where": sa.text(where)
        }  # fmt: skip
        op.create_index(name, table, [sa.text(e) for e in exprs], unique=True, **pred)


def downgrade() -> None:
    for name, (table, _exprs, _where) in reversed(CI_INDEXES.items()):
        op.drop_index(name, table_name=table)
