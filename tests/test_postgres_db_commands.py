"""`trainctl db ...` on PostgreSQL: path and messages without the password, backup through
pg_dump (or a refusal with a hint), check reports what applies to a server, upgrade notes
that it made no file backup, and an unreachable server is a message with exit 69."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, create_database, drop_database
from postgres_helpers import database_at_head, migrate

pytestmark = pytest.mark.postgres_only("the db commands on a PostgreSQL server")


@pytest.fixture
def pg() -> Iterator[str]:
    with database_at_head() as url:
        yield url




def _with_password(url: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


def test_db_path_and_current_never_show_the_password(cli, pg: str):
    url = _with_password(pg, "s3cr3t-pw")  # the test server trusts local users: any password works
    r = cli("--db", url, "db", "path")
    assert "s3cr3t-pw" not in r.stdout and r.stdout.strip() == _with_password(pg, "***")
    r = cli("--db", url, "--format", "json", "db", "current")
    assert r.json["database"] == _with_password(pg, "***") and r.json["status"] == "at head"
    r = cli("--db", url.rsplit("/", 1)[0] + "/no_such_db", "member", "list", ok=False)
    assert r.exit_code == 69 and "no_such_db" in r.stderr and "s3cr3t-pw" not in r.stderr


def test_backup_runs_pg_dump_into_a_private_file_that_restores(cli, pg: str, tmp_path: Path):
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not on PATH")
    cli("--db", pg, "member", "add", "Zoë Núñez", "--email", "zoe@example.org")
    dest = tmp_path / "dept.dump"
    r = cli("--db", _with_password(pg, "pw"), "db", "backup", str(dest))
    assert f"Backed up to {dest}" in r.stderr and "pg_restore" in r.stderr
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert dest.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    listing = subprocess.run(["pg_restore", "-l", str(dest)], capture_output=True, text=True, check=True)
    assert "TABLE DATA public member" in listing.stdout
    restored = create_database(empty=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", restored.replace("postgresql+psycopg", "postgresql"), str(dest)],
            check=True, capture_output=True,
        )  # fmt: skip
        assert Db(restored).column("SELECT name FROM member") == ["Zoë Núñez"]
        assert cli("--db", restored, "--format", "json", "member", "list").json[0]["email"] == "zoe@example.org"
    finally:
        drop_database(restored)
    r = cli("--db", pg, "db", "backup", str(dest), ok=False)  # never overwrites
    assert r.exit_code == 1 and "already exists" in r.stderr


def test_backup_without_pg_dump_refuses_with_a_hint(cli, pg: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    dest = tmp_path / "dept.dump"
    r = cli("--db", pg, "db", "backup", str(dest), ok=False)
    assert r.exit_code == 1 and "pg_dump" in r.stderr and "postgresql-client" in r.stderr
    assert not dest.exists()


def test_a_failed_pg_dump_leaves_no_file(cli, pg: str, tmp_path: Path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump: error: server version mismatch' >&2\nexit 1\n")
    (fake / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    dest = tmp_path / "dept.dump"
    r = cli("--db", pg, "db", "backup", str(dest), ok=False)
    assert r.exit_code == 1 and "server version mismatch" in r.stderr
    assert not dest.exists()


def test_check_reports_the_server_checks(cli, pg: str):
    r = cli("--db", pg, "--format", "json", "db", "check")
    checks = {c["check"]: c for c in r.json}
    assert set(checks) == {"schema at head", "indexes valid", "constraints validated", "amcheck", "server"}
    assert all(c["ok"] for c in r.json)
    assert "PRAGMA" not in r.stdout and "integrity_check" not in checks
    assert checks["amcheck"]["detail"].startswith("not run: the amcheck extension is not installed")
    # a constraint added NOT VALID (rows never checked) is a failure, named
    Db(pg).execute("ALTER TABLE member ADD CONSTRAINT ck_member_x CHECK (length(name) > 0) NOT VALID")
    r = cli("--db", pg, "--format", "json", "db", "check", ok=False)
    assert r.exit_code == 1
    bad = next(c for c in r.json if c["check"] == "constraints validated")
    assert not bad["ok"] and "member.ck_member_x" in bad["detail"]


def test_check_reads_every_page_with_amcheck_when_the_database_has_it(cli, pg: str):
    """A damaged page on the server that no command reads showed nowhere: `db check` looked
    only at the catalogs. With the amcheck extension installed (by the server's
    administrator: trainctl never installs it), `db check` has the server read every page
    of trainctl's tables (verify_heapam) and B-tree indexes (bt_index_check), read-only.
    A really damaged page cannot be made here (tried by hand on a stopped cluster: "amcheck
    no: damaged: index uq_member_email_ci: invalid page in block 0 of relation ...", exit 1,
    the damaged-database message; after REINDEX, ok)."""
    Db(pg).execute("CREATE EXTENSION amcheck")
    cli("--db", pg, "member", "add", "Ann Lee", "--email", "ann@fd.org")
    before = Db(pg).dump()
    r = cli("--db", pg, "--format", "json", "db", "check")
    amcheck = next(c for c in r.json if c["check"] == "amcheck")
    assert amcheck["ok"] is True and amcheck["detail"].startswith("ok ("), amcheck
    tables = int(Db(pg).scalar("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"))
    assert int(amcheck["detail"].removeprefix("ok (").split()[0]) > tables  # and their indexes
    assert Db(pg).dump() == before
    # amcheck's functions are the superuser's unless granted: a user who may not run them
    # is told so (it read as every table and index damaged, "permission denied")
    role = f"reader_{os.getpid()}"
    Db(pg).execute(f"CREATE ROLE {role} LOGIN")
    try:
        Db(pg).execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        scheme, rest = pg.split("://", 1)
        r = cli("--db", f"{scheme}://{role}@{rest.split('@', 1)[1]}", "--format", "json", "db", "check")
        amcheck = next(c for c in r.json if c["check"] == "amcheck")
        assert amcheck["ok"] is True and "may not run amcheck's functions" in amcheck["detail"], amcheck
    finally:
        Db(pg).execute(f"DROP OWNED BY {role}")
        Db(pg).execute(f"DROP ROLE {role}")


def test_upgrade_on_postgres_says_there_is_no_file_backup(cli, tmp_path: Path):
    from trainctl.dbfile import REVISIONS

    url = create_database(empty=True)
    try:
        migrate(url, REVISIONS[-2])
        r = cli("--db", url, "member", "list", ok=False)
        assert r.exit_code == 78
        r = cli("--db", url, "db", "upgrade")
        assert "No file backup on PostgreSQL" in r.stderr and f"-> {REVISIONS[-1]}" in r.stderr
        assert list(tmp_path.glob("*.bak")) == []
        assert cli("--db", url, "db", "upgrade").stderr.startswith("Already at")
        cli("--db", url, "db", "check")
    finally:
        drop_database(url)


