"""Upgrading a database that holds data to the effective-dates revision (issue 11 #25), and
the upgrade's one-time re-measure of recurring figures stored before issue 11 #4.

Backend-neutral: the database is brought to the revision before (head, then down), seeded
with plain SQL as an older trainctl left it, then upgraded by `trainctl db upgrade`. The
revision id lives in its file and in dbfile.REVISIONS only; this test finds it there."""

from __future__ import annotations

import pytest
from backends import engine_url
from postgres_helpers import migrate as _migrate

from trainctl.dbfile import REVISIONS

EFFECTIVE = next(r for r in REVISIONS if r.endswith("_effective_dates"))
BEFORE = REVISIONS[REVISIONS.index(EFFECTIVE) - 1]

# A department on America/Chicago (UTC-6, UTC-5 in summer), its sample at the revision
# before: Ann in a 365-day program of one monthly requirement (16 h a month: 192 h over the
# span), 16 h credited and stored as an older trainctl measured it: 16 / 16 h, complete.
SEED = [
    "INSERT INTO setting (key, value) VALUES ('timezone', 'America/Chicago')",
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Ann Lee', 'ann@example.org', '[]', 'member', 'active', '2026-01-01 00:00:00'), "
    "(2, 'Olga Chief', 'olga@example.org', '[]', 'officer', 'active', '2026-01-01 00:00:00')",
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
    "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
    "frequency, period_anchor, required_positions, counts_courses, counts_training_types, "
    "counts_categories, counts_call_types, counts_attendance, created_at) VALUES "
    "(1, 'Company training', 'hours', 'department', '[]', TRUE, 16, '[]', '[]', '[]', '[]', "
    "'monthly', 'calendar', '[]', '[]', '[]', '[]', '[]', FALSE, '2026-01-01 00:00:00')",
    "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
    "reminder_conditions, is_template, status, created_at, time_limit_days) VALUES "
    "(1, 'Company year', 1, 'flexible', TRUE, '{}', FALSE, 'active', '2026-01-01 00:00:00', 365)",
    "INSERT INTO program_milestone (id, program_id, name, completion_percentage_threshold, "
    "requires_verification) VALUES (1, 1, 'Done', 100, TRUE)",
    "INSERT INTO program_requirement (id, program_id, requirement_id, is_required, "
    "is_prerequisite, sort_order) VALUES (1, 1, 1, TRUE, FALSE, 0)",
    "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, "
    "enrolled_on, target_completion_date, progress_percentage, status, completed_at, "
    "deadline_warning_sent) VALUES (1, 1, 1, 1, '2026-01-05 15:00:00', '2026-01-05', "
    "'2027-01-05', 100, 'completed', '2027-01-01 04:00:00', FALSE)",
    "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
    "progress_value, progress_percentage, started_at, completed_at, verified_by, verified_at) "
    "VALUES (1, 1, 1, 'completed', 16, 100, '2026-03-01 03:00:00', '2027-01-01 04:00:00', 2, "
    "'2027-01-01 04:00:00')",
    # entered 03:00 UTC on 1 March 2026 = 21:00 on 28 February in Chicago; 05:30 UTC on
    # 1 March 2028 = 23:30 on 29 February; 05:30 UTC on 8 March 2026 = 23:30 CST on the 7th,
    # hours before clocks go forward (08:00 UTC); 04:00 UTC on 1 January 2027 = 31 December
    "INSERT INTO progress_credit (id, progress_id, source_type, source_id, amount, state, "
    "entered_by, entered_at, verified_by, verified_at) VALUES "
    "(1, 1, 'manual', 'a', 4, 'counted', 2, '2026-03-01 03:00:00', NULL, NULL), "
    "(2, 1, 'self_report', 'b', 4, 'counted', 1, '2028-03-01 05:30:00', 2, '2026-03-08 05:30:00'), "
    "(3, 1, 'manual', 'c', 4, 'counted', 2, '2026-07-01 04:59:59.999999', NULL, NULL), "
    "(4, 1, 'manual', 'd', 4, 'counted', 2, '2027-01-01 04:00:00', NULL, NULL)",
    "INSERT INTO milestone_event (id, enrollment_id, milestone_id, reached_at, "
    "progress_at_reach, verified_by, verified_at) VALUES "
    "(1, 1, 1, '2027-01-01 04:00:00', 100, 2, '2027-01-01 06:00:00')",
]


def migrate(db_url: str, revision: str, *, down: bool = False) -> None:
    _migrate(engine_url(db_url), revision, down=down)


@pytest.fixture
def at_before(db_url, db):
    migrate(db_url, "head")  # a new SQLite file, or the server's template (already at head)
    migrate(db_url, BEFORE, down=True)
    for sql in SEED:
        db.execute(sql)
    return db


def _days(db, sql):
    return [None if v is None else str(v)[:10] for (v,) in db.rows(sql)]


def test_upgrade_backfills_effective_dates_in_the_department_s_timezone(cli, at_before):
    db = at_before
    r = cli("db", "upgrade", "--no-backup")
    assert f"-> {REVISIONS[-1]}" in r.stderr
    assert _days(db, "SELECT entered_on FROM progress_credit ORDER BY id") == [
        "2026-02-28", "2028-02-29", "2026-06-30", "2026-12-31"
    ]  # 04:59:59 UTC on 1 July is 23:59:59 CDT on 30 June
    assert _days(db, "SELECT verified_on FROM progress_credit ORDER BY id") == [
        None, "2026-03-07", None, None
    ]
    assert _days(db, "SELECT verified_on FROM requirement_progress") == ["2026-12-31"]
    assert _days(db, "SELECT reached_on FROM milestone_event") == ["2026-12-31"]
    assert _days(db, "SELECT verified_on FROM milestone_event") == ["2027-01-01"]  # 00:00 CST
    # the times of writing are kept as they were
    assert str(db.scalar("SELECT entered_at FROM progress_credit WHERE id = 2"))[:19] == (
        "2028-03-01 05:30:00"
    )
    # reads show the dates
    log = cli("--format", "json", "progress", "log", "1").json
    assert {c["id"]: c["entered_on"] for c in log}[2] == "2028-02-29"
    (m,) = cli("--format", "json", "progress", "milestones", "1").json
    assert (m["reached_on"], m["verified_on"]) == ("2026-12-31", "2027-01-01")


def test_upgrade_remeasures_recurring_figures_stored_before_scaling(cli, at_before):
    """The row stored 16 / 16 h (complete); measured over the 365-day span it is 16 / 192 h.
    The upgrade re-measures it once, in its own transaction, and says so."""
    db = at_before
    r = cli("db", "upgrade", "--no-backup")
    assert "Re-measured 1 progress row in 1 enrollment: a monthly or annual figure inside a program" in r.stderr
    value, pct, status = db.one(
        "SELECT progress_value, progress_percentage, status FROM requirement_progress"
    )
    assert (value, round(pct, 4), status) == (16, 8.3333, "in_progress")
    # the enrollment follows its figure, as a raised target reopens it (DESIGN §2)
    e = cli("--format", "json", "enroll", "show", "1").json
    assert (e["status"], round(e["progress"], 4)) == ("active", 8.3333)
    assert e["requirements"][0]["target"] == 192
    # one-time: a second upgrade has nothing to do, and re-measures nothing
    r = cli("db", "upgrade", "--no-backup")
    assert "nothing to do" in r.stderr and "Re-measured" not in r.stderr


def test_downgrade_drops_only_the_dates(db_url, at_before):
    db = at_before
    migrate(db_url, EFFECTIVE)
    migrate(db_url, BEFORE, down=True)
    assert db.scalar("SELECT count(*) FROM progress_credit") == 4
    migrate(db_url, EFFECTIVE)
    assert db.scalar("SELECT count(*) FROM progress_credit WHERE entered_on IS NULL") == 0
