"""The void-again migration (0013) upgrades a database that holds data, on SQLite and on
PostgreSQL: every row is carried, the unique constraints on (shift, member) and (call,
member) become partial unique indexes over the rows that are not void (so a void
attendance or response can be entered again), the other constraints survive SQLite's table
rebuild, and a downgrade puts the constraints back, or refuses (naming the rows) when a
member has a void row and a live one for the same shift or call.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS
from trainctl.errors import TrainctlError

LAST = next(r for r in REVISIONS if r.endswith("_void_again"))
BEFORE = REVISIONS[REVISIONS.index(LAST) - 1]
OLD = {"uq_shift_attendance_shift_id_member_id", "uq_call_response_call_id_member_id"}
NEW = {"uq_shift_attendance_natural_key", "uq_call_response_natural_key"}

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'officer', 'active', '2026-01-01 00:00:00'), "
    "(2, 'Ann Lee', 'ann@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO shift (id, shift_date, station, name, activities, created_at) VALUES "
    "(1, '2026-11-20', 'Station 1', 'A', '[]', '2026-11-21 00:00:00')",
    # Ann on shift 1, entered with the wrong times and voided; Zoë on it
    "INSERT INTO shift_attendance (id, shift_id, member_id, checked_in_at, checked_out_at, "
    "duration_minutes, created_at, voided_at, void_reason) VALUES "
    "(1, 1, 2, '2026-11-20 12:00:00', '2026-11-21 00:00:00', 720, '2026-11-21 00:00:00', "
    "'2026-11-22 00:00:00', 'wrong times'), "
    "(2, 1, 1, '2026-11-20 12:00:00', '2026-11-21 12:00:00', 1440, '2026-11-21 00:00:00', NULL, NULL)",
    "INSERT INTO call (id, incident_number, shift_date, call_type, cancelled_en_route, "
    "medical_refusal, created_at) VALUES (1, 'F26-9', '2026-11-20', 'ems', FALSE, FALSE, "
    "'2026-11-21 00:00:00')",
    "INSERT INTO call_response (id, call_id, member_id, role, created_at) VALUES "
    "(1, 1, 2, 'driver', '2026-11-21 00:00:00')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _keys(db: Db) -> set[str]:
    """Unique constraints and indexes of the two tables, by name."""
    if db.postgres:
        return set(db.column(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('shift_attendance', 'call_response')"
        ))  # fmt: skip
    return set(db.column(
        "SELECT name FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name IN ('shift_attendance', 'call_response')"
    )) | {  # SQLite names a table constraint's index sqlite_autoindex_*: read the DDL
        name for name in OLD
        if name in (db.scalar("SELECT group_concat(sql) FROM sqlite_master WHERE type = 'table' "
                              "AND name IN ('shift_attendance', 'call_response')") or "")
    }  # fmt: skip


def test_upgrade_carries_the_rows_and_lets_a_void_attendance_be_entered_again(cli, before: Db):
    assert _keys(before) >= OLD and not NEW & _keys(before)
    columns, rows = before.schema(), before.dump()
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == [
        t for t in rows if t[0] != "alembic_version"
    ]
    assert _keys(before) >= NEW and not OLD & _keys(before)
    # the rebuilt table kept its CHECK and FOREIGN KEY constraints, and the live key holds
    for bad in (
        "INSERT INTO shift_attendance (shift_id, member_id, checked_in_at, checked_out_at, "
        "duration_minutes, created_at) VALUES (1, 2, '2026-11-20 12:00:00', '2026-11-21 12:00:00', "
        "-5, '2026-11-22 00:00:00')",
        "INSERT INTO shift_attendance (shift_id, member_id, checked_in_at, checked_out_at, "
        "duration_minutes, created_at) VALUES (1, 99, '2026-11-20 12:00:00', '2026-11-21 12:00:00', "
        "60, '2026-11-22 00:00:00')",
        "INSERT INTO shift_attendance (shift_id, member_id, checked_in_at, checked_out_at, "
        "duration_minutes, created_at) VALUES (1, 1, '2026-11-20 12:00:00', '2026-11-21 12:00:00', "
        "60, '2026-11-22 00:00:00')",
    ):
        with pytest.raises(before.IntegrityError):
            before.execute(bad)
    # Ann's void attendance: she is entered on that shift again, with the right times
    r = cli("--db", before.url, "--as-of", "2026-11-30", "shift", "add", "ann@fd.example",
            "--date", "2026-11-20", "--station", "Station 1", "--shift", "A",
            "--time-in", "2026-11-20T07:00-05:00", "--time-out", "2026-11-21T07:00-05:00")  # fmt: skip
    assert "Recorded shift attendance" in r.stderr
    got = before.rows("SELECT duration_minutes, voided_at IS NULL FROM shift_attendance "
                      "WHERE member_id = 2 ORDER BY id")  # fmt: skip
    assert [(m, bool(live)) for m, live in got] == [(720, False), (1440, True)]


def test_downgrade_restores_the_constraints_or_refuses_naming_the_rows(before: Db):
    migrate(url_of(before), LAST)
    before.execute("UPDATE call_response SET voided_at = '2026-11-22 00:00:00' WHERE id = 1")
    before.execute("INSERT INTO call_response (id, call_id, member_id, role, created_at) VALUES "
                   "(2, 1, 2, 'attendant', '2026-11-22 00:00:00')")  # fmt: skip
    rows = before.dump()
    with pytest.raises(TrainctlError) as refused:
        migrate(url_of(before), BEFORE, down=True)
    assert "call_response call_id 1, member_id 2: 2 rows" in " ".join(refused.value.details)
    assert before.dump() == rows and before.scalar("SELECT version_num FROM alembic_version") == LAST

    before.execute("DELETE FROM call_response WHERE id = 2")
    migrate(url_of(before), BEFORE, down=True)
    assert _keys(before) >= OLD and not NEW & _keys(before)
    assert before.count("shift_attendance") == 2 and before.count("call_response") == 1
    with pytest.raises(before.IntegrityError):  # the old key again: void rows count too
        before.execute("INSERT INTO call_response (call_id, member_id, created_at) VALUES "
                       "(1, 2, '2026-11-23 00:00:00')")  # fmt: skip
