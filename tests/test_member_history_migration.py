"""The member-history migration upgrades a database that holds members: one history row
per member from their current positions and status, effective from their hire date (else
the day they were added), and reports as of a past day work on the carried data.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there,
so renumbering the migration at a merge touches no test.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from trainctl.db import alembic_config, make_engine
from trainctl.dbfile import REVISIONS

HISTORY = next(r for r in REVISIONS if r.endswith("_member_history"))
BEFORE = REVISIONS[REVISIONS.index(HISTORY) - 1]


def _migrate(path: Path, revision: str, *, down: bool = False) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{path}", enforce_fk=False)
    with engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)
    engine.dispose()


def _seed(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO member (id, name, email, positions, role, status, hire_date, created_at)
          VALUES (1, 'Zoë Núñez', 'zoe@example.org', '["firefighter", "officer"]', 'officer',
                  'active', '2016-02-29', '2026-01-05 10:00:00'),
                 (2, 'Ray Retired', 'ray@example.org', '["firefighter"]', 'member', 'inactive',
                  NULL, '2025-03-01 00:00:00'),
                 (3, 'Nia New', 'nia@example.org', '[]', 'member', 'active', '2026-12-31',
                  '2025-12-31 23:30:00');
        INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, required_hours,
            required_courses, required_skills, checklist_items, hour_categories, frequency, period_anchor,
            required_positions, created_at)
          VALUES (1, 'Officer development', 'hours', 'department', '[]', 1, 12, '[]', '[]', '[]', '[]',
                  'annual', 'calendar', '["officer"]', '2026-01-01 00:00:00');
        """
    )
    con.commit()
    con.close()


def test_upgrade_gives_every_member_one_row_from_the_earliest_known_date(cli, db_path: Path):
    _migrate(db_path, BEFORE)
    _seed(db_path)
    _migrate(db_path, HISTORY)

    con = sqlite3.connect(db_path)
    assert con.execute("SELECT name FROM member ORDER BY id").fetchall() == [
        ("Zoë Núñez",), ("Ray Retired",), ("Nia New",)
    ]
    rows = con.execute(
        "SELECT member_id, effective_on, positions, status, recorded_by FROM member_history ORDER BY member_id"
    ).fetchall()
    assert [(m, d, s, by) for m, d, _p, s, by in rows] == [
        (1, "2016-02-29", "active", None),  # the hire date
        (2, "2025-03-01", "inactive", None),  # no hire date: the day added
        (3, "2025-12-31", "active", None),  # hired later than added: the earlier date
    ]
    assert [p.replace(" ", "") for _m, _d, p, _s, _b in rows] == [
        '["firefighter","officer"]', '["firefighter"]', "[]"
    ]
    assert all(r[0] for r in con.execute("SELECT recorded_at FROM member_history"))
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

    _migrate(db_path, "head")
    # the carried data answers as of a past day, and new changes append to it
    cli("member", "edit", "zoe@example.org", "--remove-position", "officer", "--effective", "2026-06-01")
    data = cli("report", "compliance", "--as-of", "2026-05-31", "--format", "json").json
    by = {c["member"]: c["status"] for c in data["cells"]}
    assert by["Zoë Núñez"] != "not_applicable" and "Ray Retired" not in by
    data = cli("report", "compliance", "--as-of", "2026-06-01", "--format", "json").json
    assert {c["member"]: c["status"] for c in data["cells"]}["Zoë Núñez"] == "not_applicable"
    assert "2016-02-29" in cli("member", "show", "zoe@example.org").stdout


def test_downgrade_drops_only_the_history(db_path: Path):
    _migrate(db_path, BEFORE)
    _seed(db_path)
    _migrate(db_path, HISTORY)
    _migrate(db_path, BEFORE, down=True)
    con = sqlite3.connect(db_path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "member_history" not in tables
    assert con.execute("SELECT count(*) FROM member").fetchone() == (3,)
    con.close()
    _migrate(db_path, HISTORY)
