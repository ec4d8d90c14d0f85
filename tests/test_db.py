"""The database file: creation at head, mode 0600, pragmas, version check, upgrade, backup."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from trainctl.db import REVISIONS, SCHEMA_HEAD, make_engine, read_schema_version


def test_first_use_creates_file_at_head_with_mode_0600(cli, db_path: Path):
    assert not db_path.exists()
    cli("db", "check")
    assert db_path.exists()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert read_schema_version(f"sqlite:///{db_path}") == SCHEMA_HEAD
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM position WHERE is_builtin").fetchone()[0] == 13


def test_db_path_honours_option_env_and_default(cli, tmp_path: Path, db_url: str, monkeypatch):
    assert cli("db", "path").stdout.strip() == str(db_url)
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "db", "path").stdout.strip() == str(other)
    monkeypatch.delenv("TRAINCTL_DB")
    default = cli("db", "path").stdout.strip()
    assert default.startswith(str(tmp_path / "xdg")) and default.endswith("trainctl.db")


def test_engine_pragmas(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_schema_head_constant_matches_the_migration_scripts():
    from alembic.script import ScriptDirectory

    from trainctl.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [SCHEMA_HEAD]
    ordered = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert tuple(ordered) == REVISIONS


def _make_old(path: Path, revision: str) -> None:
    from alembic import command

    from trainctl.db import alembic_config

    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    engine.dispose()


def test_file_behind_code_exits_78_then_upgrade_backs_up_and_upgrades(cli, db_path: Path):
    _make_old(db_path, REVISIONS[0])
    con = sqlite3.connect(db_path)
    con.execute("INSERT INTO member (name, email, positions, role, status, created_at) "
                "VALUES ('Ann Lee', 'ann@example.org', '[\"firefighter\"]', 'member', 'active', '2026-01-01 00:00:00')")
    con.commit()
    con.close()
    r = cli("member", "list", ok=False)
    assert r.exit_code == 78
    assert "trainctl db upgrade" in r.stderr
    r = cli("db", "upgrade")
    assert "Backup:" in r.stderr
    # every connection closed, the last one read-write: the .db file alone holds the upgrade
    assert sorted(p.name for p in db_path.parent.glob("trainctl.db-*")) == []
    backups = list(db_path.parent.glob("trainctl.db.0001_catalog.*.bak"))
    assert len(backups) == 1
    assert read_schema_version(f"sqlite:///{backups[0]}") == REVISIONS[0]
    assert read_schema_version(f"sqlite:///{db_path}") == SCHEMA_HEAD
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT name FROM member").fetchall() == [("Ann Lee",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    cli("db", "check")


def test_newer_or_foreign_database_is_refused(cli, db_path: Path):
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE stuff (x)")
    con.commit()
    con.close()
    r = cli("member", "list", ok=False)
    assert r.exit_code == 1 and "not a trainctl database" in r.stderr
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    con.execute("INSERT INTO alembic_version VALUES ('9999_future')")
    con.commit()
    con.close()
    r = cli("member", "list", ok=False)
    assert "newer than this trainctl" in r.stderr


@pytest.mark.sqlite_only("VACUUM INTO a copy of the file; PostgreSQL backups run pg_dump")
def test_backup_is_consistent_and_never_overwrites(cli, tmp_path: Path):
    dest = tmp_path / "copy.db"
    cli("db", "backup", str(dest))
    assert read_schema_version(f"sqlite:///{dest}") == SCHEMA_HEAD
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    r = cli("db", "backup", str(dest), ok=False)
    assert r.exit_code == 1 and "already exists" in r.stderr


@pytest.mark.sqlite_only("VACUUM INTO a copy of the file; PostgreSQL backups run pg_dump")
def test_backup_into_a_missing_folder_names_the_backup_not_the_db(cli, tmp_path: Path):
    """`db backup /nonexist/x.db` said "Cannot create the database file ..." with the hint
    to check --db for a typo: the path is the backup's, and --db was right."""
    dest = tmp_path / "nonexist" / "x.db"
    cli("member", "list")
    r = cli("db", "backup", str(dest), ok=False)
    assert r.exit_code == 1, r
    assert f"Cannot create the backup file {dest}: the folder {dest.parent} does not exist" in r.stderr
    assert "--db" not in r.stderr and "backup's path" in r.stderr
    assert not dest.parent.exists()


def test_check_reports_a_damaged_file_in_its_table(cli, db_path: Path, monkeypatch):
    """A damaged page made PRAGMA integrity_check itself raise "database disk image is
    malformed"; `db check` then showed no table, only an error whose hint was to run
    `trainctl db check`. The failure is the check's answer: integrity_check no, with
    SQLite's words, and exit 1."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    con = sqlite3.connect(db_path)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'member'").fetchone()[0]
    con.close()
    with db_path.open("r+b") as fh:  # the member table's page, overwritten
        fh.seek((root - 1) * size)
        fh.write(b"\xff" * size)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("--format", "json", "db", "check", ok=False)
    assert r.exit_code == 1 and "failed a check" in r.stderr, r
    checks = {c["check"]: c for c in r.json}
    assert checks["schema at head"]["ok"] is True
    assert checks["integrity_check"]["ok"] is False
    assert "malformed" in checks["integrity_check"]["detail"]
    assert "Run `trainctl db check`" not in r.stderr


def test_timestamps_are_timezone_aware_utc(tmp_path: Path):
    from datetime import UTC, datetime

    from sqlmodel import Session

    from trainctl.db import open_engine
    from trainctl.models import Member

    engine = open_engine(f"sqlite:///{tmp_path / 'tz.db'}")
    with Session(engine) as s:
        s.add(Member(name="A", email="a@x.org"))
        s.commit()
    with Session(engine) as s:
        m = s.get(Member, 1)
        assert m.created_at.tzinfo is UTC
        assert abs((datetime.now(UTC) - m.created_at).total_seconds()) < 60


def test_migrations_and_first_use_seed_the_same_positions(tmp_path: Path):
    from trainctl.db import open_engine

    migrated, created = tmp_path / "migrated.db", tmp_path / "created.db"
    _make_old(migrated, SCHEMA_HEAD)
    open_engine(f"sqlite:///{created}").dispose()
    rows = [sqlite3.connect(p).execute("SELECT code, name, is_builtin FROM position ORDER BY code").fetchall()
            for p in (migrated, created)]  # fmt: skip
    assert rows[0] == rows[1]
    assert ("aemt", "AEMT (advanced EMT)", 1) in rows[0]
