"""The settled-renewals revision (data only): a database written by an older trainctl held a
program credit of a Firefighter I card of 2019 without an expiry that the state's card of
2022 (run out 2025-02-01) renews, and of an ACLS card without an expiry that an ACLS-R
refresher class with an expiry renews: `report compliance` said EXPIRED while the program
rows stood at 100%, until the member's next card. `trainctl db upgrade` now settles them
at once (services/progress/upgrade, the living credit feed): the credits are taken back
in the ledger, the enrollment reopens, and it says so; an upgrade again changes nothing.
On SQLite and on PostgreSQL.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_settled_renewals"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]

_REQ = (
    "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, credential_code, "
    "required_courses, required_skills, checklist_items, hour_categories, frequency, period_anchor, "
    "required_positions, counts_courses, counts_training_types, counts_categories, counts_call_types, "
    "counts_attendance, created_at) VALUES "
)
SEED = [
    "INSERT INTO member (id, name, email, positions, role, status, created_at) VALUES "
    "(1, 'Di Evans', 'di@fd.example', '[]', 'member', 'active', '2018-01-01 00:00:00'), "
    "(2, 'Al Ng', 'al@fd.example', '[]', 'member', 'active', '2018-01-01 00:00:00')",
    _REQ + "(1, 'FF1', 'certification', 'department', '[]', TRUE, 'FF1', '[]', '[]', '[]', '[]', "
    "'one_time', 'calendar', '[]', '[]', '[]', '[]', '[]', FALSE, '2018-01-01 00:00:00'), "
    "(2, 'ACLS', 'certification', 'department', '[]', TRUE, 'ACLS', '[\"ACLS-R\"]', '[]', '[]', '[]', "
    "'one_time', 'calendar', '[]', '[]', '[]', '[]', '[]', FALSE, '2018-01-01 00:00:00')",
    "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
    "reminder_conditions, is_template, status, created_at) VALUES "
    "(1, 'Line', 1, 'flexible', TRUE, '{}', FALSE, 'active', '2018-01-01 00:00:00'), "
    "(2, 'Medic', 1, 'flexible', TRUE, '{}', FALSE, 'active', '2018-01-01 00:00:00')",
    "INSERT INTO program_requirement (id, program_id, requirement_id, is_required, "
    "is_prerequisite, sort_order) VALUES (1, 1, 1, TRUE, FALSE, 0), (2, 2, 2, TRUE, FALSE, 0)",
    "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, enrolled_on, "
    "progress_percentage, status, completed_at, completed_on, deadline_warning_sent) VALUES "
    "(1, 1, 1, 1, '2025-01-02 15:00:00', '2025-01-02', 100, 'completed', '2025-01-02 15:00:00', "
    "'2025-01-02', FALSE), "
    "(2, 2, 2, 1, '2025-01-02 15:00:00', '2025-01-02', 100, 'completed', '2025-01-02 15:00:00', "
    "'2025-01-02', FALSE)",
    "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
    "progress_value, progress_percentage, completed_at, completed_on) VALUES "
    "(1, 1, 1, 'completed', 1, 100, '2025-01-02 15:00:00', '2025-01-02'), "
    "(2, 2, 2, 'completed', 1, 100, '2025-01-02 15:00:00', '2025-01-02')",
    "INSERT INTO certification (id, member_id, credential_code, issued_on, expires_on, created_at) VALUES "
    "(1, 1, 'FF1', '2019-02-01', NULL, '2025-01-01 10:00:00'), "
    "(2, 1, 'FF1', '2022-02-01', '2025-02-01', '2025-06-01 10:00:00'), "
    "(3, 2, 'ACLS', '2019-02-01', NULL, '2025-01-01 10:00:00')",
    "INSERT INTO training_record (id, member_id, course_name, course_code, completion_date, "
    "expiration_date, hours_completed, status, self_paced, created_at) VALUES "
    "(1, 2, 'ACLS refresher', 'ACLS-R', '2022-02-01', '2024-02-01', 8, 'completed', FALSE, "
    "'2025-06-01 10:00:00')",
    # what the older trainctl wrote: the old cards' credit, standing
    # (ids by the table's own sequence: the upgrade writes more)
    "INSERT INTO progress_credit (progress_id, source_type, source_id, amount, item, state, "
    "entered_at, entered_on) VALUES "
    "(1, 'certification', '1', 1, 'FF1', 'counted', '2025-01-02 15:00:00', '2025-01-02'), "
    "(2, 'certification', '3', 1, 'ACLS', 'counted', '2025-01-02 15:00:00', '2025-01-02')",
]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, with the two wrong credits."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _net(db: Db) -> dict[str, float]:
    net: dict[str, float] = {}
    for sid, amount in db.rows("SELECT source_id, amount FROM progress_credit"):
        net[sid.split(":", 1)[0]] = net.get(sid.split(":", 1)[0], 0) + float(amount)
    return net


def test_upgrade_takes_back_the_credit_of_renewed_cards_and_reopens(cli, before: Db):
    r = cli("--db", before.url, "db", "upgrade", "--no-backup")
    assert "Took back 2 program credits of cards or class records that a later one renews (2 members" in r.stderr, r.stderr
    assert _net(before) == {"1": 0.0, "3": 0.0}
    assert before.column("SELECT source_id FROM progress_credit ORDER BY id") == ["1", "3", "1:recredit:1", "3:recredit:1"]
    for eid in (1, 2):
        show = cli("--db", before.url, "--format", "json", "enroll", "show", str(eid)).json
        assert (show["status"], show["requirements"][0]["percentage"]) == ("active", 0), show
    cells = cli("--db", before.url, "report", "compliance", "--format", "json").json["cells"]
    got = {(c["member"], c["requirement"]): c["status"] for c in cells}
    assert (got[("Di Evans", "FF1")], got[("Al Ng", "ACLS")]) == ("expired", "expired")  # as the rows say
    r = cli("--db", before.url, "db", "upgrade", "--no-backup")
    assert "Took back" not in r.stderr  # once
    assert len(before.rows("SELECT id FROM progress_credit")) == 4


def test_downgrade_keeps_the_ledger(before: Db):
    url = url_of(before)
    migrate(url, REV)
    migrate(url, BEFORE, down=True)
    assert before.scalar("SELECT version_num FROM alembic_version") == BEFORE
    assert len(before.rows("SELECT id FROM progress_credit")) == 2
