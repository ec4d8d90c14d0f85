"""Shared fixtures: every test gets its own SQLite file in tmp_path, the real CLI in-process."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trainctl.cli.main import app


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "trainctl.db"
    monkeypatch.setenv("TRAINCTL_DB", str(db))
    monkeypatch.delenv("TRAINCTL_ACTOR", raising=False)
    monkeypatch.delenv("TRAINCTL_TIMEZONE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TRAINCTL_DEBUG", "1")  # a bug shows as a traceback in tests, not exit 70
    monkeypatch.setenv("COLUMNS", "200")
    # platformdirs' data dir (default and demo database) lands in tmp_path too
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return db


@pytest.fixture
def db_path(_isolated_env: Path) -> Path:
    return _isolated_env


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


def dump_db(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every row of every table (but the audit log and alembic's), for 'unchanged' checks."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )]
        return [(n, sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)) for n in names]
    finally:
        con.close()


@pytest.fixture
def snapshot(db_path: Path) -> Callable[[], list[tuple[str, list[tuple[Any, ...]]]]]:
    """Call to capture the whole database; compare two captures to prove nothing changed."""
    return lambda: dump_db(db_path)
