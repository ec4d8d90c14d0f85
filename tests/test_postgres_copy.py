"""`trainctl db copy --to URL`: the demo department copied from its SQLite file into an
empty PostgreSQL database reads the same on both, keeps its ids, and goes on from there."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import Db, create_database, drop_database

AS_OF = "2026-11-30"
pytestmark = pytest.mark.postgres_only("copies into a PostgreSQL database")


@pytest.fixture
def demo(cli, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    cli("demo", "--path", str(path), "--as-of", AS_OF)  # its reads as of that day answer (enroll show
    # refuses a day before progress on file)
    return path


@pytest.fixture
def target() -> str:
    url = create_database(empty=True)
    yield url
    drop_database(url)


def test_copied_demo_gives_identical_reports_and_shows(cli, demo: Path, target: str):
    r = cli("--db", str(demo), "--format", "json", "db", "copy", "--to", target)
    counts = {row["table"]: (row["sqlite"], row["postgresql"], row["ok"]) for row in r.json}
    assert counts["member"] == (14, 14, True) and counts["enrollment"] == (12, 12, True)
    assert all(ok for _, _, ok in counts.values()) and len(counts) == len(Db(target).tables()) - 1
    assert counts["progress_credit"][0] > 20  # a real department, not an empty schema

    first_program = cli("--db", str(demo), "--format", "json", "program", "list").json[0]["name"]
    enrollments = [e["id"] for e in cli("--db", str(demo), "--format", "json", "enroll", "list").json]
    reads = [
        ("report", "compliance", "--as-of", AS_OF),
        ("member", "list"),
        ("program", "show", first_program),
        ("program", "list"),
        *[("enroll", "show", str(n)) for n in enrollments[:4]],
    ]
    for args in reads:
        on_file = cli("--db", str(demo), "--as-of", AS_OF, "--format", "json", *args)
        on_server = cli("--db", target, "--as-of", AS_OF, "--format", "json", *args)
        assert on_file.json, args  # real output, not two identical errors
        assert on_server.stdout == on_file.stdout, args

    # the schema is the one a first use makes: the foreign keys dropped for the copy are back
    fresh = create_database(empty=True)
    try:
        from trainctl.db import open_engine

        open_engine(fresh).dispose()
        assert _constraints(target) == _constraints(fresh)
    finally:
        drop_database(fresh)

    # the ids carried over and the sequences continue after them
    top = Db(target).scalar("SELECT max(id) FROM member")
    cli("--db", target, "member", "add", "New Hire", "--email", "new.hire@example.org")
    assert Db(target).scalar("SELECT id FROM member WHERE email = 'new.hire@example.org'") == top + 1


def _constraints(url: str) -> list[tuple[str, ...]]:
    return Db(url).rows(
        "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid), k.convalidated FROM pg_constraint k "
        "JOIN pg_class t ON t.oid = k.conrelid WHERE t.relnamespace = 'public'::regnamespace ORDER BY 1, 2"
    )


def test_copied_demo_previews_the_same_reminders_in_the_same_order(cli, tmp_path: Path, target: str):
    # a day when several members share a reminder's kind, day and requirement (overdue
    # follow-ups of one deadline, certification warnings): rows the queries tie on
    demo = tmp_path / "due.db"
    cli("demo", "--path", str(demo), "--as-of", "2025-06-02")
    cli("--db", str(demo), "db", "copy", "--to", target)
    for fmt in ("csv", "json", "table"):
        args = ("--format", fmt, "reminders", "preview", "--as-of", "2025-06-02")
        on_file = cli("--db", str(demo), *args)
        on_server = cli("--db", target, *args)
        assert on_file.stdout.count("Grace Nakamura") >= 2, fmt  # real rows, tied ones
        assert on_server.stdout == on_file.stdout, fmt


def test_a_target_that_is_not_empty_is_refused_and_left_alone(cli, demo: Path, target: str):
    cli("--db", str(demo), "db", "copy", "--to", target)
    before = Db(target).dump()
    r = cli("--db", str(demo), "db", "copy", "--to", target, ok=False)
    assert r.exit_code == 1 and "not empty" in r.stderr and "createdb" in r.stderr
    assert Db(target).dump() == before


def test_only_a_file_is_copied_and_only_into_postgresql(cli, demo: Path, target: str, tmp_path: Path):
    r = cli("--db", target, "db", "copy", "--to", target, ok=False)
    assert r.exit_code == 1 and "SQLite file" in r.stderr
    r = cli("--db", str(demo), "db", "copy", "--to", f"sqlite:///{tmp_path / 'x.db'}", ok=False)
    assert r.exit_code == 1 and "PostgreSQL" in r.stderr
    assert not (tmp_path / "x.db").exists()
    assert Db(target).tables() == []


def test_a_file_with_dangling_references_is_refused_and_the_target_left_empty(cli, demo: Path, target: str):
    import sqlite3

    con = sqlite3.connect(demo)  # foreign keys off, as a hand edit might leave them
    con.execute("UPDATE progress_credit SET progress_id = 99999 WHERE id = 1")
    con.commit()
    con.close()
    r = cli("--db", str(demo), "db", "copy", "--to", target, ok=False)
    assert r.exit_code == 1 and "point nowhere" in r.stderr and "progress_credit" in r.stderr
    assert "db check" in r.stderr and "Traceback" not in r.stderr
    assert Db(target).tables() == []


def test_names_one_on_the_server_but_two_in_the_file_are_refused(cli, demo: Path, target: str):
    import sqlite3

    con = sqlite3.connect(demo)  # SQLite's lower() folds only A-Z: two names in the file
    con.execute("UPDATE requirement SET name = 'ÉTÉ drill' WHERE id = 1")
    con.execute("UPDATE requirement SET name = 'été drill', registry_name = "
                "(SELECT registry_name FROM requirement WHERE id = 1) WHERE id = 2")
    con.commit()
    con.close()
    r = cli("--db", str(demo), "db", "copy", "--to", target, ok=False)
    assert r.exit_code == 1 and "PostgreSQL refuses a row of requirement" in r.stderr
    assert "uq_requirement_name_ci" in r.stderr and "Traceback" not in r.stderr
    assert Db(target).tables() == []
