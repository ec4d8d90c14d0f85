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
