"""The completed_on migration (0020) upgrades a database that holds completed enrollments,
on SQLite and on PostgreSQL: the rows are carried, and each completed progress row and
enrollment gets the best day on file: the day of the credit that completed the row (the
last counted one written by its completion, not one written after), else the
department's day of completed_at. `enroll show` then gives that day. A void call
response gets the call's shift date, time and type as they stood when it was voided (the
call's now, taken back through the call.correct audit entries written after the void).
Downgrade drops the columns and keeps the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db, carried
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

NEW = next(r for r in REVISIONS if r.endswith("_completed_on"))
BEFORE = REVISIONS[REVISIONS.index(NEW) - 1]

SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Zoë Núñez', 'zoe@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00'), "
    "(2, 'Ann Lee', 'ann@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00'), "
    "(3, 'Bob Ray', 'bob@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, created_at) VALUES "
    "(1, 'Live fire', 'hours', 'department', '[]', TRUE, 4, '[]', '[]', '[]', '[]', 'one_time', "
    "'calendar', '[]', '2026-01-01 00:00:00')",
    "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
    "reminder_conditions, is_template, status, created_at) VALUES "
    "(1, 'Academy', 1, 'flexible', TRUE, '{}', FALSE, 'active', '2026-01-01 00:00:00')",
    "INSERT INTO program_requirement (id, program_id, requirement_id, is_required, "
    "is_prerequisite, sort_order) VALUES (1, 1, 1, TRUE, FALSE, 0)",
    # Zoë completed by a credit for Feb 10 typed in on Nov 30; Ann completed with no credit
    # on file (03:00 UTC on May 3: May 2 in Honolulu); Bob still working
    "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, "
    "enrolled_on, progress_percentage, status, completed_at, deadline_warning_sent) VALUES "
    "(1, 1, 1, 1, '2026-01-01 08:00:00', '2026-01-01', 100, 'completed', '2026-11-30 10:00:01', FALSE), "
    "(2, 2, 1, 1, '2026-01-01 08:00:00', '2026-01-01', 100, 'completed', '2026-05-03 03:00:00', FALSE), "
    "(3, 3, 1, 1, '2026-01-01 08:00:00', '2026-01-01', 50, 'active', NULL, FALSE)",
    "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
    "progress_value, progress_percentage, completed_at) VALUES "
    "(1, 1, 1, 'completed', 5, 100, '2026-11-30 10:00:01'), "
    "(2, 2, 1, 'completed', 4, 100, '2026-05-03 03:00:00'), "
    "(3, 3, 1, 'in_progress', 2, 50, NULL)",
    "INSERT INTO progress_credit (id, progress_id, source_type, source_id, amount, state, "
    "entered_at, entered_on) VALUES "
    "(1, 1, 'manual', 'a', 2, 'counted', '2026-01-20 10:00:00', '2026-01-20'), "
    "(2, 1, 'manual', 'b', 2, 'counted', '2026-11-30 10:00:00', '2026-02-10'), "
    "(3, 1, 'manual', 'c', 1, 'counted', '2026-12-01 09:00:00', '2026-12-01'), "
    "(4, 3, 'manual', 'd', 2, 'counted', '2026-01-20 10:00:00', '2026-01-20')",
]

# F26-1 was entered at 18:10 UTC on shift 2026-03-20 as EMS; its response voided at 20:00,
# the call corrected at 21:00 (and its time again at 22:00), a new response entered. F26-2's
# void response: the call never corrected.
CALLS = [
    'INSERT INTO "call" (id, incident_number, shift_date, occurred_at, call_type, cancelled_en_route, '
    "medical_refusal, created_at) VALUES "
    "(1, 'F26-1', '2026-03-21', '2026-03-20 19:45:00.000000', 'Fire', FALSE, FALSE, '2026-03-20 18:15:00'), "
    "(2, 'F26-2', '2026-03-22', NULL, NULL, FALSE, FALSE, '2026-03-22 10:00:00')",
    "INSERT INTO call_response (id, call_id, member_id, role, created_at, voided_at, void_reason) VALUES "
    "(1, 1, 1, 'driver', '2026-03-20 18:15:00', '2026-03-20 20:00:00', 'wrong call'), "
    "(2, 1, 1, 'driver', '2026-03-20 21:00:00', NULL, NULL), "
    "(3, 2, 2, NULL, '2026-03-22 10:00:00', '2026-03-22 11:00:00', 'wrong member')",
    "INSERT INTO audit_log (id, at, action, entity, entity_id, detail) VALUES "
    "(1, '2026-03-20 21:00:00', 'call.correct', 'call', 1, '{\"incident\": \"F26-1\", \"before\": "
    "{\"shift_date\": \"2026-03-20\", \"at\": \"2026-03-20T18:10:00+00:00\", \"call_type\": \"EMS\"}, "
    "\"after\": {\"shift_date\": \"2026-03-21\", \"at\": \"2026-03-20T19:30:00+00:00\", "
    "\"call_type\": \"Fire\"}}'), "
    "(2, '2026-03-20 22:00:00', 'call.correct', 'call', 1, '{\"incident\": \"F26-1\", \"before\": "
    "{\"at\": \"2026-03-20T19:30:00+00:00\"}, \"after\": {\"at\": \"2026-03-20T19:45:00+00:00\"}}')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    """A database at the revision before, holding two completed enrollments."""
    monkeypatch.setenv("TRAINCTL_TIMEZONE", "Pacific/Honolulu")
    with seeded_at(request.param, tmp_path, BEFORE, SEED + CALLS) as db:
        yield db


def _days(db: Db, table: str) -> list[tuple[int, str | None]]:
    rows = db.rows(f"SELECT id, completed_on FROM {table} ORDER BY id")
    return [(i, None if d is None else str(d)[:10]) for i, d in rows]


def test_upgrade_carries_the_data_and_fills_the_completion_days(cli, before: Db):
    columns, rows = before.schema(), before.dump()
    assert "completed_on" not in columns["enrollment"]
    cli("--db", before.url, "db", "upgrade")
    assert before.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert carried(before.dump(columns)) == carried(rows)  # (the positions 0019 added: both)
    # Zoë: the credit that completed the row (not the one written after it); Ann: the
    # department's day of completed_at; Bob: not completed
    assert _days(before, "requirement_progress") == [(1, "2026-02-10"), (2, "2026-05-02"), (3, None)]
    assert _days(before, "enrollment") == [(1, "2026-02-10"), (2, "2026-05-02"), (3, None)]
    out = cli("--db", before.url, "--as-of", "2026-12-02", "enroll", "show", "1").stdout
    assert "completed on 2026-02-10" in out, out
    assert cli("--db", before.url, "--format", "json", "enroll", "show", "2").json["completed_on"] == "2026-05-02"


def test_upgrade_keeps_each_void_response_as_its_call_stood_when_voided(cli, before: Db):
    cli("--db", before.url, "db", "upgrade")
    shown = cli("--db", before.url, "--format", "json", "call", "list", "--include-void").json
    assert sorted((x["id"], x["shift_date"], x["at"], x["call_type"]) for x in shown) == [
        (1, "2026-03-20", "2026-03-20T18:10:00Z", "EMS"),  # before both corrections
        (2, "2026-03-21", "2026-03-20T19:45:00Z", "Fire"),  # live: the call as it is
        (3, "2026-03-22", None, None),  # never corrected: the call's own
    ]


def test_downgrade_drops_the_columns_and_keeps_the_rows(before: Db):
    url = url_of(before)
    migrate(url, NEW)
    migrate(url, BEFORE, down=True)
    assert "completed_on" not in before.schema()["enrollment"]
    assert "completed_on" not in before.schema()["requirement_progress"]
    assert "void_call_type" not in before.schema()["call_response"]
    assert before.count("progress_credit") == 4
    migrate(url, NEW)
    assert _days(before, "enrollment")[0] == (1, "2026-02-10")
