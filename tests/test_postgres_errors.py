"""What PostgreSQL refuses reaches the user as SQLite's refusals do: a constraint the
services did not catch first is exit 1 "The database refused the change", not exit 70; the
write lock's timeout is exit 75 (cli/main.py `_translate`)."""

from __future__ import annotations

import pytest
from backends import Db
from postgres_helpers import database_at_head

pytestmark = pytest.mark.postgres_only("a real PostgreSQL server refuses the rows")


def test_a_constraint_violation_is_a_refusal_not_a_crash():
    import psycopg

    from trainctl.cli.main import _translate

    with database_at_head() as url:
        db = Db(url)
        db.execute("INSERT INTO member (name, email, positions, role, status, created_at) "
                   "VALUES ('Ann Lee', 'ann@fd.org', '[]', 'member', 'active', now())")  # fmt: skip
        with pytest.raises(psycopg.errors.UniqueViolation) as caught:
            db.execute("INSERT INTO member (name, email, positions, role, status, created_at) "
                       "VALUES ('Ann Lee', 'ANN@fd.org', '[]', 'member', 'active', now())")  # fmt: skip
        error = _translate(caught.value, url)
        assert error is not None and error.exit_code == 1
        assert str(error).startswith("The database refused the change: duplicate key value")


def test_the_write_lock_timeout_is_busy_exit_75():
    import psycopg

    from trainctl.cli.main import _translate
    from trainctl.queries import WRITE_LOCK

    with database_at_head() as url, Db(url).connect() as holder, Db(url).connect() as other:
        holder.execute(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        other.execute("SET lock_timeout = '50ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable) as caught:
            other.execute(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        error = _translate(caught.value, url)
        assert error is not None and error.exit_code == 75 and "busy" in str(error)
