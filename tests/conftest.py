"""Shared fixtures: every test gets its own database (a SQLite file in tmp_path, or a fresh
PostgreSQL database with TRAINCTL_TEST_BACKEND=postgres; see tests/backends.py) and the real
CLI in-process."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import (
    PG_ADMIN,
    POSTGRES,
    Db,
    create_database,
    drop_database,
    drop_template,
    make_template,
)
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from trainctl.cli.main import app

# Timings never decide a test (the machines are shared and noisy): Hypothesis's 200 ms
# deadline per example, and its "input generation is slow" health check, each failed a
# property test once under load, with nothing wrong.
settings.register_profile("trainctl", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("trainctl")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite files; skipped on PostgreSQL"
    )
    config.addinivalue_line(
        "markers", "postgres_only(reason): needs a PostgreSQL server (TRAINCTL_TEST_PG)"
    )
    if PG_ADMIN and not hasattr(config, "workerinput"):
        make_template()


def pytest_unconfigure(config: pytest.Config) -> None:
    if PG_ADMIN and not hasattr(config, "workerinput"):
        drop_template()


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("sqlite_only"):
        if POSTGRES:
            pytest.skip(f"SQLite only: {mark.kwargs.get('reason') or mark.args[0]}")
    for mark in item.iter_markers("postgres_only"):
        if not PG_ADMIN:
            pytest.skip(f"PostgreSQL only: {mark.kwargs.get('reason') or mark.args[0]}")


def _own_database(file: Path) -> Iterator[str]:
    """A new database on the backend the suite runs on: a PostgreSQL database dropped after
    the test, or `file`."""
    if POSTGRES:
        url = create_database()
        yield url
        drop_database(url)
    else:
        yield str(file)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """The URL of this test's own database (TRAINCTL_DB points at it)."""
    yield from _own_database(tmp_path / "trainctl.db")


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """A second department's database, empty (on the backend the suite runs on)."""
    yield from _own_database(tmp_path / "fresh.db")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> str:
    monkeypatch.setenv("TRAINCTL_DB", db_url)
    monkeypatch.delenv("TRAINCTL_ACTOR", raising=False)
    monkeypatch.delenv("TRAINCTL_TIMEZONE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TRAINCTL_DEBUG", "1")  # a bug shows as a traceback in tests, not exit 70
    monkeypatch.setenv("COLUMNS", "200")
    # platformdirs' data dir (default and demo database) lands in tmp_path too
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return db_url


@pytest.fixture
def db_path(_isolated_env: str, request: pytest.FixtureRequest) -> Path:
    """The SQLite file itself, for tests about files. On PostgreSQL such a test is skipped:
    a test that checks rows takes `db` (backend-neutral) instead."""
    if POSTGRES:
        pytest.skip(f"SQLite file test ({request.node.name} uses db_path)")
    return Path(_isolated_env)


@pytest.fixture
def db(_isolated_env: str) -> Db:
    """Backend-neutral access to this test's database (rows, scalars, writes, dump)."""
    return Db(_isolated_env)


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:
        return f"<Result exit={self.exit_code}\nstdout={self.stdout}\nstderr={self.stderr}>"


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run `trainctl ARGS...` in-process. `ok=True` (default) asserts exit 0."""
    runner = CliRunner()

    def run(*args: str, ok: bool = True, input: str | None = None) -> Result:
        r = runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
        res = Result(r.exit_code, r.stdout, r.stderr)
        if ok:
            assert r.exit_code == 0, res
        return res

    return run


def dump_db(path: Path | str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every row of every table, for 'unchanged' checks (a file path or a database URL)."""
    return Db(str(path)).dump()


@pytest.fixture
def snapshot(db: Db) -> Callable[[], list[tuple[str, list[tuple[Any, ...]]]]]:
    """Call to capture the whole database; compare two captures to prove nothing changed."""
    return db.dump


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo department as of 2025-06-02, built once per test module (a SQLite file,
    whatever the backend: `trainctl demo --path`); tests read it with --db."""
    from typer.testing import CliRunner

    from trainctl.cli.main import app

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    r = CliRunner().invoke(app, ["--quiet", "demo", "--path", str(path), "--as-of", "2025-06-02"])
    assert r.exit_code == 0, r.stderr
    return path
