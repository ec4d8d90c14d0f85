"""Alembic environment for trainctl.

trainctl runs migrations itself (`trainctl db upgrade`) and passes a Connection; pytest-alembic
passes an Engine; the `alembic` command line passes neither and uses sqlalchemy.url from
alembic.ini (or TRAINCTL_DB). fileConfig() is only called from the alembic command line, so
trainctl's own logging is left alone.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import trainctl.models  # (registers the tables)
from trainctl.config import to_url
from trainctl.db import make_engine

config = context.config
target_metadata = SQLModel.metadata
# models.py names a partial index's condition for SQLite only (startup: no PostgreSQL
# dialect on a SQLite write); autogenerate writes it for both backends
trainctl.models.postgres_partial_indexes(target_metadata)


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if isinstance(given, sa.Connection):
        _configure(given)
        return
    if isinstance(given, sa.Engine):
        with given.connect() as connection:
            _configure(connection)
            connection.commit()
        return
    if config.config_file_name is not None:
        from logging.config import fileConfig

        fileConfig(config.config_file_name)
    url = os.environ.get("TRAINCTL_DB") or config.get_main_option("sqlalchemy.url") or None
    engine = make_engine(to_url(url), enforce_fk=False)
    with engine.connect() as connection:
        _configure(connection)
        connection.commit()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
