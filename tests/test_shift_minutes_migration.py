"""The shift-minutes revision (review): shift credits written before it were a shift's hours
rounded to four decimals, so three tours of 12 h 20 min made 36.9999 of a 37 h requirement,
never met. The upgrade rewrites them to minutes / 60 (a void's reversal too, keeping its
sign; a credit of other hours is left alone), then re-measures the rows they credit: the
requirement is met, the enrollment complete. On SQLite and on PostgreSQL. The downgrade
rounds them back.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_shift_minutes"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]

TOUR = 12 + 20 / 60  # 12 h 20 min
ATTENDANCE = ", ".join(
    f"({i}, {i}, 1, '2026-03-{10 + i} 11:00:00', '2026-03-{10 + i} 23:20:00', 740, "
    f"'2026-03-{10 + i} 23:30:00'{', ' + repr('2026-03-20 09:00:00') if i == 4 else ', NULL'})"
    for i in range(1, 5)
)
SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Di Evans', 'di@fd.example', '[]', 'member', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, counts_courses, counts_training_types, "
    "counts_categories, counts_call_types, counts_attendance, created_at) VALUES "
    "(1, 'Shift hours', 'hours', 'department', '[]', TRUE, 37, '[]', '[]', '[]', '[]', "
    "'one_time', 'calendar', '[]', '[]', '[]', '[]', '[]', TRUE, '2026-01-01 00:00:00')",
    "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
    "reminder_conditions, is_template, status, created_at) VALUES "
    "(1, 'Probation', 1, 'flexible', TRUE, '{}', FALSE, 'active', '2026-01-01 00:00:00')",
    "INSERT INTO program_requirement (id, program_id, requirement_id, is_required, "
    "is_prerequisite, sort_order) VALUES (1, 1, 1, TRUE, FALSE, 0)",
    "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, "
    "enrolled_on, progress_percentage, status, deadline_warning_sent) VALUES "
    "(1, 1, 1, 1, '2026-01-05 15:00:00', '2026-01-05', 99.9997, 'active', FALSE)",
    "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
    "progress_value, progress_percentage) VALUES (1, 1, 1, 'in_progress', 36.9999, 99.9997)",
    "INSERT INTO shift (id, shift_date, station, name, activities, created_at) VALUES "
    + ", ".join(f"({i}, '2026-03-{10 + i}', 'S3', 'day', '[]', '2026-03-{10 + i} 23:30:00')" for i in range(1, 5)),
    "INSERT INTO shift_attendance (id, shift_id, member_id, checked_in_at, checked_out_at, "
    f"duration_minutes, created_at, voided_at) VALUES {ATTENDANCE}",
    # three tours credited 12.3333 each; a fourth credited and voided; a manual 1 h
    "INSERT INTO progress_credit (id, progress_id, source_type, source_id, amount, state, "
    "entered_at, entered_on) VALUES "
    "(1, 1, 'shift', '1', 12.3333, 'counted', '2026-03-11 23:30:00', '2026-03-11'), "
    "(2, 1, 'shift', '2', 12.3333, 'counted', '2026-03-12 23:30:00', '2026-03-12'), "
    "(3, 1, 'shift', '3', 12.3333, 'counted', '2026-03-13 23:30:00', '2026-03-13'), "
    "(4, 1, 'shift', '4', 12.3333, 'counted', '2026-03-14 23:30:00', '2026-03-14'), "
    "(5, 1, 'shift', '4:void', -12.3333, 'counted', '2026-03-20 09:00:00', '2026-03-20'), "
    "(6, 1, 'manual', 'b1e6c0de-0000-4000-8000-000000000001', 0.5, 'counted', "
    "'2026-03-21 09:00:00', '2026-03-21'), "
    "(7, 1, 'manual', 'b1e6c0de-0000-4000-8000-000000000002', -0.5, 'counted', "
    "'2026-03-21 09:05:00', '2026-03-21')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before: 36.9999 of 37 h from three 12 h 20 min tours."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _amounts(db: Db) -> dict[int, float]:
    return {i: float(a) for i, a in db.rows("SELECT id, amount FROM progress_credit ORDER BY id")}


def test_upgrade_counts_shifts_to_the_minute_and_the_requirement_is_met(cli, before: Db):
    r = cli("--db", before.url, "db", "upgrade", "--no-backup")
    assert "Re-measured 1 progress row in 1 enrollment: shift hours now count to the minute" in r.stderr, r.stderr
    amounts = _amounts(before)
    assert [amounts[i] for i in (1, 2, 3, 4, 5)] == pytest.approx([TOUR] * 4 + [-TOUR], abs=1e-12)
    assert (amounts[6], amounts[7]) == (0.5, -0.5)  # not a shift's: as it was
    show = cli("--db", before.url, "--format", "json", "enroll", "show", "1").json
    row = show["requirements"][0]
    assert (row["value"], row["status"]) == (37, "completed"), row
    assert show["progress"] == 100
    r = cli("--db", before.url, "db", "upgrade", "--no-backup")
    assert "Re-measured" not in r.stderr  # once


def test_downgrade_rounds_them_back(before: Db):
    url = url_of(before)
    migrate(url, REV)
    migrate(url, BEFORE, down=True)
    assert [_amounts(before)[i] for i in (1, 4, 5, 6)] == [12.3333, 12.3333, -12.3333, 0.5]
