"""pytest-alembic's standard tests, plus upgrades that carry data from each revision."""

from __future__ import annotations

import pytest
from pytest_alembic.tests import (  # noqa: F401
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from trainctl.db import make_engine


@pytest.fixture
def alembic_config():
    from pytest_alembic.config import Config

    return Config(config_options={"script_location": "trainctl:migrations"})


@pytest.fixture
def alembic_engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'alembic.db'}", enforce_fk=False)


def test_autogenerate_writes_a_partial_index_for_both_backends(tmp_path):
    """README: a new migration starts from `alembic revision --autogenerate`. models.py
    names a partial index's condition once (models._where: SQLite's keyword, so that a
    write on SQLite does not load the PostgreSQL dialect); the migrations' env.py gives it
    to PostgreSQL as well, so the script creates the index partial on both backends, as
    every migration before it does (PostgreSQL would otherwise build it whole)."""
    import shutil
    import sqlite3
    from pathlib import Path

    from alembic import command

    import trainctl.migrations
    from trainctl.db import alembic_config, open_engine

    scripts = tmp_path / "migrations"  # a copy: the new script is written there
    shutil.copytree(Path(trainctl.migrations.__file__).parent, scripts,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    db = tmp_path / "dev.db"
    open_engine(f"sqlite:///{db}").dispose()  # at head
    with sqlite3.connect(db) as con:  # as if models.py had just declared it
        con.execute("DROP INDEX uq_enrollment_open")
    con.close()
    engine = make_engine(f"sqlite:///{db}", enforce_fk=False)
    cfg = alembic_config(engine)
    cfg.set_main_option("script_location", str(scripts))
    command.revision(cfg, message="open enrollments", autogenerate=True, rev_id="9999_test")
    engine.dispose()
    script = next((scripts / "versions").glob("9999_test*.py")).read_text()
    create = next(line for line in script.splitlines() if "uq_enrollment_open" in line and "create_index" in line)
    assert "sqlite_where=sa.text(\"status IN ('active', 'on_hold')\")" in create, script
    assert "postgresql_where=sa.text(\"status IN ('active', 'on_hold')\")" in create, script
