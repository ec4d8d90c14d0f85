"""A bad --db gets 'Error: ... / Hint: ...' and a non-zero exit, never a traceback, and
trainctl never writes into a file that is not its own."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest


def _no_traceback(r) -> None:
    assert "Traceback" not in r.stdout + r.stderr
    assert r.stderr.startswith("Error:"), r.stderr
    assert "Hint:" in r.stderr


def test_text_file_as_database(cli, tmp_path: Path):
    junk = tmp_path / "notes.db"
    junk.write_text("shopping list\n" * 200)
    for cmd in (("member", "list"), ("db", "check"), ("db", "upgrade"), ("db", "current")):
        r = cli("--db", str(junk), *cmd, ok=False)
        assert r.exit_code == 1, (cmd, r)
        assert "not a SQLite database" in r.stderr
        _no_traceback(r)
    assert junk.read_text() == "shopping list\n" * 200


def test_directory_as_database(cli, tmp_path: Path):
    r = cli("--db", str(tmp_path), "member", "list", ok=False)
    assert r.exit_code == 1 and "is a directory" in r.stderr
    _no_traceback(r)


@pytest.mark.sqlite_only("about --db files")
def test_a_fifo_as_database_is_refused_at_once(tmp_path: Path):
    """A FIFO is "empty" to stat: it was taken for a new database, and opening it to create
    one blocked forever. In a child process with a timeout, so a regression fails, not hangs."""
    import os
    import stat
    import subprocess

    fifo = tmp_path / "f.db"
    os.mkfifo(fifo)
    fifo.chmod(0o644)
    for cmd in (("member", "list"), ("db", "upgrade"), ("reminders", "send")):
        r = subprocess.run(
            [sys.executable, "-m", "trainctl", "--db", str(fifo), *cmd],
            capture_output=True, text=True, timeout=30, check=False,
            env={**os.environ, "TRAINCTL_DEBUG": ""},
        )  # fmt: skip
        assert r.returncode == 1, (cmd, r)
        assert f"{fifo} is not a regular file" in r.stderr and "not a database file" in r.stderr
        assert r.stderr.startswith("Error:") and "Traceback" not in r.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_IMODE(fifo.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.db"]  # no -journal, no -wal


@pytest.mark.sqlite_only("about --db files")
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
def test_a_device_as_database_is_neither_chmodded_nor_written_beside(cli, tmp_path: Path):
    """`--db /dev/null` made /dev/null mode 0600 and wrote /dev/null-journal. Tried on a
    private node of the same device in tmp_path, never on /dev/null itself."""
    import stat

    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    node.chmod(0o666)  # as /dev/null is (mknod applies the umask)
    r = cli("--db", str(node), "member", "list", ok=False)
    assert r.exit_code == 1 and "is not a regular file" in r.stderr
    _no_traceback(r)
    assert stat.S_IMODE(node.stat().st_mode) == 0o666
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_unwritable_location(cli):
    r = cli("--db", "/proc/nope/x.db", "member", "list", ok=False)
    assert r.exit_code == 1 and "Cannot create the database file" in r.stderr
    _no_traceback(r)


def test_server_url_without_its_driver(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if trainctl[postgres] were not installed
    r = cli("--db", "postgresql://officer@localhost/training", "member", "list", ok=False)
    assert r.exit_code == 1 and "pip install 'trainctl[postgres]'" in r.stderr
    _no_traceback(r)


@pytest.mark.parametrize(
    "url",
    ["mysql://x:pw@y/z", "sqlite:///:memory:", "sqlite://", "http://example.com/x.db", "file:x.db?mode=ro"],
)
@pytest.mark.parametrize("command", [("member", "list"), ("db", "current"), ("member", "add", "Ann Lee", "--email", "a@fd.org")])
def test_a_db_that_is_neither_a_file_nor_postgresql_is_a_usage_error(cli, tmp_path: Path, monkeypatch, url, command):
    """mysql://, http:// and sqlite:///:memory: reached psycopg as a PostgreSQL DSN: exit 70,
    "This is a bug"; `file:x.db?mode=ro` made a file literally named `file:x.db` (review)."""
    monkeypatch.chdir(tmp_path)
    r = cli("--db", url, *command, ok=False)
    assert r.exit_code == 2, r
    assert "neither a PostgreSQL URL nor a SQLite file" in r.stderr or "SQLite URI" in r.stderr
    assert "pw" not in r.stderr
    _no_traceback(r)
    assert list(tmp_path.iterdir()) == [] or all(not p.name.startswith("file:") for p in tmp_path.iterdir())


@pytest.mark.parametrize("command", [("member", "list"), ("member", "add", "Ann Lee", "--email", "a@fd.org")])
def test_an_unreachable_server_is_exit_69_and_never_shows_the_password(cli, command):
    from reminder_helpers import free_port  # a port nothing listens on

    url = f"postgresql://officer:s3cret@127.0.0.1:{free_port()}/training"
    r = cli("--db", url, *command, ok=False)
    assert r.exit_code == 69, r
    assert "Cannot connect to the database server at postgresql+psycopg://officer:***@127.0.0.1" in r.stderr
    assert "s3cret" not in r.stderr + r.stdout
    _no_traceback(r)


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    return path


def _tables(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'"))
    finally:
        con.close()


def test_upgrade_never_takes_over_a_foreign_file(cli, foreign: Path):
    r = cli("--db", str(foreign), "db", "upgrade", ok=False)
    assert r.exit_code == 1 and "not a trainctl database" in r.stderr
    assert _tables(foreign) == ["t"]
    assert list(foreign.parent.glob("*.bak")) == []
    r = cli("--db", str(foreign), "--format", "json", "db", "current")
    assert r.json["status"] == "not a trainctl database"


@pytest.mark.sqlite_only("about --db files")
@pytest.mark.parametrize("revision", ["3f2a9c1b7d4e", "0005_other_app", "head_plus"])
def test_another_applications_alembic_database_is_not_called_newer(cli, tmp_path: Path, revision):
    """Another application's Alembic database was "newer than this trainctl: upgrade
    trainctl", which no upgrade would ever fix. trainctl's revisions are NNNN_words: only a
    number after the head can be a later trainctl's."""
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    con.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    con.execute("CREATE TABLE users (id INTEGER)")
    con.commit()
    con.close()
    for cmd in (("member", "list"), ("db", "upgrade")):
        r = cli("--db", str(other), *cmd, ok=False)
        assert r.exit_code == 1 and "not a trainctl database" in r.stderr, (cmd, r)
        assert f"its schema version '{revision}' is no trainctl revision" in r.stderr
        assert "newer" not in r.stderr
        _no_traceback(r)
    r = cli("--db", str(other), "--format", "json", "db", "current")
    assert r.json["status"] == "not a trainctl database"
    assert _tables(other) == ["alembic_version", "users"]
    assert list(tmp_path.glob("*.bak")) == []


def test_upgrade_refuses_a_newer_schema_without_a_backup(cli, db_path: Path):
    from trainctl.dbfile import SCHEMA_HEAD

    cli("db", "check")
    con = sqlite3.connect(db_path)
    later = f"{int(SCHEMA_HEAD[:4]) + 6:04d}_future"  # as a later trainctl would name it
    con.execute("UPDATE alembic_version SET version_num = ?", (later,))
    con.commit()
    con.close()
    r = cli("db", "upgrade", ok=False)
    assert r.exit_code == 1 and "newer than this trainctl" in r.stderr
    _no_traceback(r)
    assert list(db_path.parent.glob("*.bak")) == []
    assert "newer than this trainctl" in cli("--format", "json", "db", "current").json["status"]


def test_file_operations_refuse_an_acting_member(cli, db_url: str, tmp_path: Path):
    cli("member", "add", "Ann Lee", "--email", "ann@example.org", "--role", "officer")
    for cmd in (("db", "upgrade"), ("db", "backup", str(tmp_path / "b.db"))):
        r = cli("--as", "ann@example.org", *cmd, ok=False)
        assert r.exit_code == 77, r
    assert not (tmp_path / "b.db").exists()


def test_an_unexpected_failure_is_a_message_with_exit_70(cli, monkeypatch, db_url: str):
    import trainctl.queries.members as members

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.delenv("TRAINCTL_DEBUG")
    monkeypatch.setattr(members, "list_members", boom)
    r = cli("member", "list", ok=False)
    assert r.exit_code == 70
    assert "failed unexpectedly: ZeroDivisionError" in r.stderr and "TRAINCTL_DEBUG=1" in r.stderr
    assert "Traceback" not in r.stderr


# ------------------------------------------------------------------------ a damaged file
def _department(cli, db: Path) -> None:
    """A small department on file: members, a requirement, a week of drills."""
    for i in range(1, 31):
        cli("--db", str(db), "member", "add", f"Fire Fighter {i:02d}", "--email", f"ff{i:02d}@fd.org",
            "--position", "firefighter", "--hire-date", "2020-01-06")  # fmt: skip
    cli("--db", str(db), "requirement", "add", "--name", "Drill hours", "--type", "hours",
        "--hours", "4", "--frequency", "annual", "--counts-type", "drill")  # fmt: skip
    for day in range(1, 8):
        cli("--db", str(db), "--as-of", "2026-03-31", "record", "add", "--position", "firefighter",
            "--course", "Ladder drill", "--type", "drill", "--date", f"2026-03-0{day}", "--hours", "1")  # fmt: skip


def _damaged_answer(cli, db: Path, *command: str) -> str:
    """`command` on the damaged `db`: exit 1, nothing on stdout, one line on stderr that
    names the file and what to do, and no traceback (TRAINCTL_DEBUG lets a stray one out)."""
    r = cli("--db", str(db), *command, ok=False)
    assert r.exit_code == 1, (command, r)
    assert r.stdout == "", (command, r)
    assert r.stderr.splitlines() == [
        f"Error: {db} is damaged (database disk image is malformed): restore it from a backup; "
        f"`trainctl --db {db} db check` shows what SQLite finds wrong with it. Nothing was written."
    ], (command, r)  # (the check of this file: the --db given, as every hint names it)
    return r.stderr


READS = [("member", "list"), ("--as-of", "2026-03-31", "report", "compliance"), ("record", "list"),
         ("-f", "csv", "record", "list", "--limit", "0")]  # fmt: skip


def test_a_database_file_cut_short_is_named_as_damaged(cli, tmp_path: Path):
    """A copy of the database cut off in the middle (a full disk, a copy stopped half way)
    was called "not a SQLite database", with the hint to point --db at another file. Every
    command names the file as damaged and says to restore a backup; `db check` answers in
    its table; nothing is written to the file."""
    db = tmp_path / "cut.db"
    _department(cli, db)
    with db.open("r+b") as fh:
        fh.truncate(db.stat().st_size // 2)
    before = db.read_bytes()
    for command in [*READS, ("db", "current"), ("db", "backup", str(tmp_path / "copy.db")),
                    ("member", "add", "Ann Lee", "--email", "ann@fd.org")]:  # fmt: skip
        _damaged_answer(cli, db, *command)
    r = cli("--db", str(db), "-f", "json", "db", "check", ok=False)
    assert r.exit_code == 1 and "failed a check" in r.stderr, r
    checks = {c["check"]: c for c in r.json}
    assert checks["schema at head"]["ok"] is False and "malformed" in checks["schema at head"]["detail"]
    assert checks["integrity_check"]["ok"] is False
    assert db.read_bytes() == before
    assert not (tmp_path / "copy.db").exists()  # no backup of it either
    # (SQLite's read-only open leaves an empty -wal beside a file in WAL mode)
    assert all(p.stat().st_size == 0 for p in tmp_path.glob("cut.db-wal"))


def test_a_page_overwritten_with_garbage_fails_every_read_of_it(cli, tmp_path: Path):
    """A page of the member and of the record table overwritten (a disk fault): `record
    list` and `report compliance` said "The database file is damaged or not a SQLite file",
    naming no file, with a hint to run a check; now the file and what to do, and never a
    listing of what could be read."""
    db = tmp_path / "hit.db"
    _department(cli, db)
    con = sqlite3.connect(db)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    roots = [r for (r,) in con.execute(
        "SELECT rootpage FROM sqlite_master WHERE name IN ('member', 'training_record')")]  # fmt: skip
    con.close()
    with db.open("r+b") as fh:
        for root in roots:
            fh.seek((root - 1) * size)
            fh.write(bytes(range(256)) * (size // 256))
    before = db.read_bytes()
    for command in READS:
        _damaged_answer(cli, db, *command)
    assert db.read_bytes() == before


def test_a_damaged_page_no_command_reads_is_found_by_db_check(cli, tmp_path: Path):
    """A damaged page of an index no everyday command reads (records by who voided them)
    goes unnoticed: listings and reports still work. `db check` is where it shows, and it
    said only "The database failed a check" with a hint to upgrade, and "SQLite stopped the
    check: database disk image is malformed". Now its table says where (quick_check's page,
    the table), and the error is the damaged file's: the file, restore a backup."""
    db = tmp_path / "quiet.db"
    _department(cli, db)
    con = sqlite3.connect(db)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    (root,) = con.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_training_record_voided_by'").fetchone()  # fmt: skip
    con.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(bytes(range(256)) * (size // 256))
    before = db.read_bytes()
    for command in READS:  # nothing reads that page
        assert cli("--db", str(db), *command).exit_code == 0
    r = cli("--db", str(db), "-f", "json", "db", "check", ok=False)
    assert r.exit_code == 1, r
    checks = {c["check"]: c for c in r.json}
    assert checks["schema at head"]["ok"] is True and checks["foreign_key_check"]["ok"] is True
    detail = checks["integrity_check"]["detail"]
    assert checks["integrity_check"]["ok"] is False, detail
    assert f"quick_check: Page {root}:" in detail, detail
    assert "damaged: table training_record (or its indexes)" in detail, detail
    assert r.stderr.splitlines() == [
        f"Error: {db} is damaged (it failed a check: integrity_check, see above): restore it "
        "from a backup; until then, a command that reads a damaged page stops with an error. "
        "Nothing was written."
    ], r
    assert db.read_bytes() == before


def test_an_index_that_disagrees_with_its_table_is_rebuilt_not_restored(cli, tmp_path: Path):
    """An entry of an index page changed (a bit flipped on disk: ff07's e-mail in the
    case-blind e-mail index) leaves every page readable; `db check` found it ("row 7 missing
    from index uq_member_email_ci") and said to restore the file from a backup, losing
    whatever was written since. An index is rebuilt from its table: the error names the
    index and the REINDEX line that rebuilds it, changing no row; run as given, the check
    passes and every member is still there."""
    db = tmp_path / "index.db"
    _department(cli, db)
    con = sqlite3.connect(db)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'uq_member_email_ci'").fetchone()
    (ff07,) = con.execute("SELECT id FROM member WHERE email = 'ff07@fd.org'").fetchone()
    members = con.execute("SELECT * FROM member ORDER BY id").fetchall()
    con.close()
    with db.open("r+b") as fh:  # the index's one page (30 e-mails): one key, still in order
        fh.seek((root - 1) * size)
        page = fh.read(size)
        assert page.count(b"ff07@fd.org") == 1
        fh.seek((root - 1) * size + page.index(b"ff07@fd.org"))
        fh.write(b"ff07@fd.orh")
    before = db.read_bytes()
    for command in READS:  # every page reads
        assert cli("--db", str(db), *command).exit_code == 0
    r = cli("--db", str(db), "-f", "json", "db", "check", ok=False)
    assert r.exit_code == 1, r
    checks = {c["check"]: c for c in r.json}
    assert checks["integrity_check"]["detail"] == f"row {ff07} missing from index uq_member_email_ci", checks
    assert checks["foreign_key_check"]["ok"] is True and checks["schema at head"]["ok"] is True
    line = f"sqlite3 {db} 'REINDEX uq_member_email_ci'"
    assert r.stderr.splitlines() == [
        f"Error: {db} is damaged (it failed a check: integrity_check, see above): its index "
        f"uq_member_email_ci can be rebuilt from its table, changing no row: `{line}`, then "
        f"`trainctl --db {db} db check` again; if it still fails, restore the file from a backup. "
        "Nothing was written."
    ], r
    assert "restore it from a backup" not in r.stderr
    assert db.read_bytes() == before
    con = sqlite3.connect(db)  # the line as given (the sqlite3 shell runs the same SQL)
    con.execute("REINDEX uq_member_email_ci")
    con.commit()
    assert con.execute("SELECT * FROM member ORDER BY id").fetchall() == members
    con.close()
    r = cli("--db", str(db), "-f", "json", "db", "check")
    assert all(c["ok"] for c in r.json), r


@pytest.mark.parametrize(("rows", "indexes"), [
    (["ok"], ()),
    ([], ()),
    (["row 7 missing from index ix_a", "wrong # of entries in index ix_a",
      "non-unique entry in index uq_b"], ("ix_a", "uq_b")),
    (["row 7 missing from index ix_a", "Page 56: btreeInitPage() returns error code 11"], ()),
    (["NULL value in member.email"], ()),
])  # fmt: skip
def test_only_an_integrity_check_of_index_entries_is_mended_by_reindex(rows, indexes):
    """dbfile.index_faults: the indexes to rebuild when that is all integrity_check found;
    a damaged page or a table's own fault beside it is a backup's."""
    from trainctl.dbfile import index_faults

    assert index_faults(rows) == indexes


def test_a_file_that_is_not_sqlite_is_still_not_called_damaged(cli, tmp_path: Path):
    """Only a file that begins as every SQLite file does is damaged; a text file named .db
    is not a database (and gets its own hint)."""
    junk = tmp_path / "notes.db"
    junk.write_text("SQLite notes\n" * 400)
    r = cli("--db", str(junk), "member", "list", ok=False)
    assert r.exit_code == 1 and "is not a SQLite database" in r.stderr and "damaged" not in r.stderr


# ------------------------------------------------------- a damaged PostgreSQL database
# A damaged page on a PostgreSQL server cannot be made from a test (it needs the server
# stopped and its files overwritten), so the server's answer is put where the driver gives
# it: psycopg's own error classes (SQLSTATE XX001 data_corrupted, XX002 index_corrupted),
# raised by the read side's connection, or wrapped by SQLAlchemy as the ORM's write gets
# them. Only the mapping to a message is tested so; the database is the test's real one.
def _damaged_server_answer(r, sqlstate: str, reason: str) -> None:
    assert r.exit_code == 1, r
    assert r.stdout == "", r
    lines = r.stderr.splitlines()
    assert lines[0].startswith("Error: The PostgreSQL database "), r
    assert lines[0].endswith(f"is damaged ({'data' if sqlstate == 'XX001' else 'index'}_corrupted, "
                             f"SQLSTATE {sqlstate}: {reason}). Nothing was written."), r  # fmt: skip
    assert lines[1].startswith("Hint: ") and len(lines) == 2, r
    assert "backup" in lines[1] and "REINDEX" in lines[1] and "amcheck" in lines[1], r
    assert "Traceback" not in r.stderr and "bug" not in r.stderr and "[SQL:" not in r.stderr


def test_a_postgresql_report_of_damaged_data_is_named_with_what_to_do(cli, monkeypatch, snapshot):
    """PostgreSQL's "invalid page in block 0 of relation base/16384/16402" (data_corrupted)
    and "index "uq_member_email_ci" contains unexpected zero page" (index_corrupted) were
    "trainctl failed unexpectedly ... This is a bug", with the SQL statement and its
    parameters, exit 70 (a traceback with TRAINCTL_DEBUG). Now: the database is damaged,
    the server's words, nothing written, and the hint: restore a backup, REINDEX an
    index (the catalog query that names the file's relation), amcheck for the rest."""
    errors = pytest.importorskip("psycopg.errors")
    import sqlalchemy as sa

    import trainctl.queries

    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    before = snapshot()
    monkeypatch.delenv("TRAINCTL_DEBUG")

    page = "invalid page in block 0 of relation base/16384/16402"

    def damaged_read(self, sql, params=None):
        raise errors.DataCorrupted(page)

    with monkeypatch.context() as m:  # a read command (plain driver connection)
        m.setattr(trainctl.queries.Reader, "all", damaged_read)
        r = cli("member", "list", ok=False)
    _damaged_server_answer(r, "XX001", page)
    assert "relfilenode = 16402" in r.stderr

    index = 'index "uq_member_email_ci" contains unexpected zero page at block 1'

    def damaged_write(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            raise sa.exc.InternalError(statement, parameters, errors.IndexCorrupted(index))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", damaged_write)
    try:  # a write through the ORM: SQLAlchemy's InternalError around psycopg's error
        r = cli("member", "add", "Sam Smoke", "--email", "sam@fd.org", ok=False)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", damaged_write)
    _damaged_server_answer(r, "XX002", index)
    assert "REINDEX INDEX" in r.stderr
    assert snapshot() == before
    assert cli("member", "list", "-f", "json").json[0]["email"] == "ann@fd.org"
