"""The read side's idea of each table (queries/*.TABLES) matches models.py, and the read
side never imports the ORM."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import trainctl.queries


def _query_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(trainctl.queries.__path__)]
    return [f"trainctl.queries.{n}" for n in sorted(names)]


@pytest.mark.parametrize("module", _query_modules())
def test_each_query_modules_tables_match_the_models(module: str) -> None:
    from sqlmodel import SQLModel

    import trainctl.models  # noqa: F401  (registers the tables)

    tables = getattr(importlib.import_module(module), "TABLES", {})
    for table, columns in tables.items():
        assert table in SQLModel.metadata.tables, f"{module}: no table {table!r} in models.py"
        declared = set(SQLModel.metadata.tables[table].columns.keys())
        unknown = [c for c in columns if c not in declared]
        assert not unknown, f"{module}: {table} has no column(s) {unknown}"


def test_the_read_side_imports_no_orm() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in _query_modules())
        + "import trainctl.cli.state, trainctl.dbfile, trainctl.permissions\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'trainctl.models',"
        " 'trainctl.services', 'trainctl.db') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the read side imported {out.stdout.strip()}"
