"""The live-record date index (0020): `record list` counts the live records up to its day
("the newest 100 of 50,000 records") from a partial index, on SQLite and PostgreSQL. The
upgrade carries the rows and adds the index; the downgrade drops it; on SQLite the count
`record list` runs is shown to read the index (its predicate must match word for word,
which nothing else would catch).

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, index_names, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

LIVE = next(r for r in REVISIONS if r.endswith("_live_record_dates"))
BEFORE = REVISIONS[REVISIONS.index(LIVE) - 1]
INDEX = "ix_training_record_live_date"

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO training_record (id, member_id, course_name, course_key, completion_date, "
    "hours_completed, status, created_at) VALUES "
    "(1, 1, 'Ladder drill', 'name:ladder drill', '2026-02-28', 2, 'completed', '2026-03-01 00:00:00'), "
    "(2, 1, 'Pump drill', 'name:pump drill', '2024-02-29', 2, 'completed', '2026-03-01 00:00:00')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def test_upgrade_carries_the_records_and_adds_the_index_downgrade_drops_it(cli, before: Db):
    assert INDEX not in index_names(before)
    rows = before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert INDEX in index_names(before)
    assert carried(before.dump()) == carried(rows)
    listed = cli("--db", before.url, "--as-of", "2026-06-01", "--format", "json", "record", "list").json
    assert sorted(r["completion_date"] for r in listed) == ["2024-02-29", "2026-02-28"]
    migrate(url_of(before), BEFORE, down=True)
    assert INDEX not in index_names(before)


def test_record_list_counts_from_the_partial_index(cli, db, monkeypatch):
    """The count `record list` runs when it shows fewer than match reads the index alone."""
    from trainctl.queries import Reader

    if db.postgres:
        pytest.skip("SQLite's query plan; PostgreSQL chooses by its statistics")
    cli("member", "add", "Ann Marsh", "--email", "ann@fd.example", "--badge", "42")
    for day in ("2026-01-05", "2026-01-06", "2026-01-07"):
        cli("--as-of", "2026-02-01", "record", "add", "42", "--course", "Drill", "--hours", "1", "--date", day)
    counted: list[tuple[str, dict[str, Any]]] = []
    real_one = Reader.one

    def one(self: Reader, sql: str, params: Any = None) -> Any:
        if "count(*)" in sql and "training_record" in sql:
            counted.append((self._sql(sql), dict(params or {})))
        return real_one(self, sql, params)

    monkeypatch.setattr(Reader, "one", one)
    r = cli("--as-of", "2026-02-01", "record", "list", "--limit", "2")
    assert "newest 2 of 3 records" in r.stderr, r.stderr
    (sql, params), = counted
    con = sqlite3.connect(db.url)
    plan = " ".join(str(row) for row in con.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert INDEX in plan, plan
