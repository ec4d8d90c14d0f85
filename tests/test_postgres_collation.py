"""The same data gives the same output on PostgreSQL as on SQLite, rows in the same order
(README), whatever collation the county's database was created with."""

from __future__ import annotations

import uuid

import pytest
from backends import PG_ADMIN, _dsn, drop_database, pg_url, psycopg

pytestmark = pytest.mark.postgres_only("a database created with an ICU collation")


def test_the_compliance_report_lists_members_in_the_same_order_whatever_the_collation(cli, tmp_path):
    """A county's database made with its server's usual locale (here ICU en-US; a Debian
    server's en_US.UTF-8 sorts alike) ordered `report compliance` and `report iso` by that
    locale's rules: "anna lower" beside "Ana Reyes" and "Émile Zola" among the E's, where
    the same department's SQLite file (and the suite's C.UTF-8 server) lists them after
    every capital. The README promises the same rows in the same order on both: the
    members are ordered in code point order now (queries.by_text), whatever the collation."""
    names = ["Ana Reyes", "anna lower", "DeLuca Bo", "de la Cruz", "Émile Zola", "Ethan Walsh", "van Dyke", "Vance Cy"]
    url = pg_url("icu_" + uuid.uuid4().hex[:12])
    with psycopg.connect(_dsn(PG_ADMIN), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}" TEMPLATE template0 ENCODING \'UTF8\' '
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")  # fmt: skip
    file = tmp_path / "same.db"
    try:
        for db in (url, str(file)):
            for i, name in enumerate(names):
                cli("--db", db, "member", "add", name, "--email", f"m{i}@fd.org", "--hire-date", "2020-01-06")
            cli("--db", db, "requirement", "add", "--name", "Annual drill", "--type", "hours", "--hours", "2",
                "--frequency", "annual")  # fmt: skip
            cli("--db", db, "import", "iso")
        expected = sorted(names)  # code point order, as SQLite's file gives it
        for args in (("report", "compliance"), ("report", "iso", "--year", "2025")):
            listed = {}
            for db in (url, str(file)):
                data = cli("--db", db, "--as-of", "2025-06-02", "--format", "json", *args).json
                cells = data["cells"] if "cells" in data else data["rows"]  # compliance / iso
                listed[db] = list(dict.fromkeys(c["member"] for c in cells))
            assert listed[str(file)] == expected, listed
            assert listed[url] == listed[str(file)], args
    finally:
        drop_database(url)


def test_the_listings_sort_text_the_same_way_on_both(cli, tmp_path):
    """The rest of the listings that order by a name, a code or a station in SQL (program,
    course, card, shift and enrollment lists; queries.by_text): the same rows in the same
    order on an ICU en-US database as on the SQLite file."""
    url = pg_url("icu_" + uuid.uuid4().hex[:12])
    with psycopg.connect(_dsn(PG_ADMIN), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}" TEMPLATE template0 ENCODING \'UTF8\' '
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")  # fmt: skip
    file = str(tmp_path / "same.db")
    people = [("Ana Reyes", "ana@fd.org"), ("anna lower", "anna@fd.org"), ("Émile Zola", "emile@fd.org"),
              ("Ethan Walsh", "ethan@fd.org")]  # fmt: skip
    listings = [("program", "list"), ("course", "list"), ("cert", "list"), ("shift", "list"),
                ("enroll", "list")]  # fmt: skip
    try:
        out: dict[str, list[str]] = {}
        for db in (url, file):
            run = lambda *a, db=db: cli("--db", db, "--as-of", "2026-03-02", *a)  # noqa: E731
            for name, email in people:
                run("member", "add", name, "--email", email, "--hire-date", "2020-01-06")
            run("requirement", "add", "--name", "Annual drill", "--type", "hours", "--hours", "2",
                "--frequency", "annual")  # fmt: skip
            for program in ("alpha drills", "Zulu", "Bravo", "Écho"):
                run("program", "create", program)
                run("program", "requirement", "add", program, "Annual drill")
                run("program", "activate", program)
            for code in ("lc-1", "LF-2", "éq-3", "Z-9"):
                run("course", "add", "--code", code, "--name", f"course {code}", "--type", "drill", "--hours", "1")
            for _, email in people:
                run("cert", "add", email, "CPR-BLS", "--issued", "2026-01-05", "--expires", "2028-01-31")
                run("enroll", "add", email, "Bravo")
                for j, station in enumerate(("station 2", "Station 1", "Éast")):  # a day each
                    day = f"2026-02-1{j}"
                    run("shift", "add", email, "--date", day, "--station", station, "--shift", "A",
                        "--time-in", f"{day}T07:00-05:00", "--time-out", f"{day}T09:00-05:00")  # fmt: skip
            out[db] = [cli("--db", db, "--format", "csv", *args).stdout for args in listings]
        for args, on_server, on_file in zip(listings, out[url], out[file], strict=True):
            assert on_server == on_file, args
    finally:
        drop_database(url)


def test_the_requirement_catalog_and_the_report_columns_sort_alike_on_both(cli, tmp_path):
    """`requirement list`, and the compliance report's requirements (its columns, in the
    catalog's order), ordered their names by the database's collation on PostgreSQL: on
    an ICU en-US database "alpha drill" came first and "Écho check" among the E's, where
    the SQLite file lists them in code point order (queries.by_text)."""
    url = pg_url("icu_" + uuid.uuid4().hex[:12])
    with psycopg.connect(_dsn(PG_ADMIN), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}" TEMPLATE template0 ENCODING \'UTF8\' '
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")  # fmt: skip
    file = str(tmp_path / "same.db")
    names = ["alpha drill", "Zulu hours", "Bravo hours", "Écho check", "echo hours"]
    try:
        out: dict[str, tuple[list[str], list[str]]] = {}
        for db in (url, file):
            cli("--db", db, "member", "add", "Ana Reyes", "--email", "ana@fd.org", "--hire-date", "2020-01-06")
            for name in names:
                cli("--db", db, "--as-of", "2025-01-01", "requirement", "add", "--name", name, "--type", "hours",
                    "--hours", "2", "--frequency", "annual")  # fmt: skip
            listed = [r["name"] for r in cli("--db", db, "--format", "json", "requirement", "list").json]
            cells = cli("--db", db, "--as-of", "2025-06-02", "--format", "json", "report", "compliance").json["cells"]
            out[db] = (listed, list(dict.fromkeys(c["requirement"] for c in cells)))
        assert out[file][0] == sorted(names), out  # code point order, as SQLite gives it
        assert out[url] == out[file]
    finally:
        drop_database(url)


def test_the_officers_digest_names_the_same_first_overdue_requirement_on_both(cli, tmp_path):
    """Two requirements of an enrollment overdue since the same day: the officers' digest
    names "the first" by name. On an ICU en-US database it named 'alpha drill' where the
    SQLite file names 'Bravo drill' (code point order): the same department's digest said
    two different things (queries.by_text)."""
    url = pg_url("icu_" + uuid.uuid4().hex[:12])
    with psycopg.connect(_dsn(PG_ADMIN), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}" TEMPLATE template0 ENCODING \'UTF8\' '
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")  # fmt: skip
    file = str(tmp_path / "same.db")
    try:
        said = {}
        for db in (url, file):
            cli("--db", db, "member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
            cli("--db", db, "member", "add", "Ana Reyes", "--email", "ana@fd.org", "--hire-date", "2020-01-06")
            cli("--db", db, "program", "create", "Academy")
            for name in ("alpha drill", "Bravo drill"):
                cli("--db", db, "requirement", "add", "--name", name, "--type", "hours", "--hours", "2")
                cli("--db", db, "program", "requirement", "add", "Academy", name, "--deadline-days", "10")
            cli("--db", db, "program", "activate", "Academy")
            cli("--db", db, "--as-of", "2026-01-01", "enroll", "add", "ana@fd.org", "Academy")
            sent = cli("--db", db, "reminders", "send", "--as-of", "2026-01-23", "--transport", "stdout").stdout
            said[db] = [line for line in sent.splitlines() if "requirements overdue" in line]
        assert said[file] == [
            "- Ana Reyes <ana@fd.org> - Academy (enrollment 1): 0%; 2 requirements overdue, the first "
            "Bravo drill (due 2026-01-11)"
        ]
        assert said[url] == said[file]
    finally:
        drop_database(url)
