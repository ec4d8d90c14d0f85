"""The migrations build, on PostgreSQL and on SQLite, the schema a first use builds
(create_at_head from models.py): same tables, columns, indexes (with their definitions on
PostgreSQL) and constraints. SQLite does not reflect expression indexes, so a batch rebuild
could drop one unnoticed: the SQLite test compares index names from sqlite_master itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from backends import Db, create_database, drop_database
from postgres_helpers import migrate

from trainctl.db import open_engine
from trainctl.dbfile import REVISIONS, SCHEMA_HEAD


def _pg_schema(url: str) -> dict[str, Any]:
    db = Db(url)
    return {
        "columns": db.rows(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY 1, 2"
        ),
        "indexes": db.rows(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "ORDER BY 1, 2"
        ),
        "constraints": db.rows(
            "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class t ON t.oid = k.conrelid WHERE t.relnamespace = 'public'::regnamespace "
            "ORDER BY 1, 2"
        ),
    }


@pytest.fixture
def two_empty() -> Any:
    urls = (create_database(empty=True), create_database(empty=True))
    yield urls
    for url in urls:
        drop_database(url)


@pytest.mark.postgres_only("runs the migrations on a PostgreSQL server")
def test_migrations_on_postgres_build_what_create_at_head_builds(two_empty):
    migrated, created = two_empty
    migrate(migrated)
    open_engine(created).dispose()  # first use: create_at_head
    a, b = _pg_schema(migrated), _pg_schema(created)
    assert a["columns"] == b["columns"]
    assert a["indexes"] == b["indexes"]
    assert a["constraints"] == b["constraints"]
    names = {r[1] for r in a["indexes"]}
    assert {"uq_requirement_name_ci", "uq_requirement_registry_code_ci", "uq_member_email_ci"} <= names
    for url in two_empty:
        assert Db(url).scalar("SELECT version_num FROM alembic_version") == SCHEMA_HEAD
        assert Db(url).count("position") == Db(created).count("position") > 0


@pytest.mark.postgres_only("runs the migrations on a PostgreSQL server")
def test_every_revision_upgrades_and_downgrades_on_postgres(two_empty):
    url = two_empty[0]
    for revision in REVISIONS:
        migrate(url, revision)
        assert Db(url).scalar("SELECT version_num FROM alembic_version") == revision
    migrate(url, "base", down=True)
    assert Db(url).tables() == ["alembic_version"]


@pytest.mark.sqlite_only("SQLite's own catalog of indexes")
def test_migrations_on_sqlite_keep_every_index_create_at_head_makes(tmp_path: Path):
    migrated, created = tmp_path / "m.db", tmp_path / "c.db"
    migrate(f"sqlite:///{migrated}")
    open_engine(f"sqlite:///{created}").dispose()

    def indexes(path: Path) -> list[tuple[str, str]]:
        con = sqlite3.connect(path)
        try:
            return con.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' "
                "AND name NOT LIKE 'sqlite_autoindex%' ORDER BY 1, 2"
            ).fetchall()
        finally:
            con.close()

    assert indexes(migrated) == indexes(created)
    assert ("member", "uq_member_email_ci") in indexes(migrated)
