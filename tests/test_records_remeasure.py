"""After an import, only the progress rows its credits touched are re-measured, from sums
the database makes (services/progress/ledger.recompute): the figures must be exactly those
of measuring every row from each of its credits, one by one, as the domain's rules do
(dp.measure over the ledger), through a void and a re-import. Both backends."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from backends import engine_url

from trainctl.domain import progress as dp
from trainctl.queries import as_date
from trainctl.services.progress import recompute, rollup_enrollments
from trainctl.services.progress.rows import REQUIREMENT_COLUMNS, requirement_of
from trainctl.services.store import open_writer

AS_OF = ("--as-of", "2026-12-31")
TODAY = date(2026, 12, 31)
HOURS = ("0.1", "0,2", "0.3", "1.7", "2.25", "0.45")  # decimals that do not add up exactly in binary


def _world(cli) -> None:
    """Eight firefighters in a program that measures every way a record can count: hours by
    type, annual hours by category (recurring: the target times the periods), categorised
    hours with a category minimum (measured credit by credit), a set of courses, and a
    certification by course code whose records expire."""
    for i in range(1, 9):
        cli("member", "add", f"Fire Fighter {i}", "--email", f"ff{i}@fd.org", "--badge", f"{i:03d}")
    cli("course", "add", "--code", "D1", "--name", "Ladders", "--type", "drill", "--category", "ems")
    cli("course", "add", "--code", "E1", "--name", "Airway", "--type", "class", "--category", "ems")
    cli("course", "add", "--code", "CPR", "--name", "CPR", "--type", "class", "--expiration-months", "6")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "5", "--counts-type", "drill")
    cli("requirement", "add", "--name", "EMS yearly", "--type", "hours", "--hours", "2.5",
        "--counts-category", "ems", "--frequency", "annual")  # fmt: skip
    cli("requirement", "add", "--name", "CE hours", "--type", "hours", "--hours", "6",
        "--counts-type", "class", "--counts-type", "drill",
        "--hour-categories", json.dumps([{"name": "ems", "min_hours": 2, "distributive_max_hours": 1}]))  # fmt: skip
    cli("requirement", "add", "--name", "Core courses", "--type", "courses", "--course", "D1", "--course", "E1")
    cli("requirement", "add", "--name", "CPR card", "--type", "certification", "--course", "CPR")
    cli("program", "create", "Company training")
    for name in ("Drill hours", "EMS yearly", "CE hours", "Core courses", "CPR card"):
        cli("program", "requirement", "add", "1", name)
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Company training",
        "--members", ",".join(f"ff{i}@fd.org" for i in range(1, 9)))  # fmt: skip


def _sheet(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(["Badge #;Course;Date;Hours", *rows]) + "\n", encoding="utf-8")
    return path


def _rows(months: range) -> list[str]:
    out = []
    for m in months:
        for i in range(1, 9):
            if (i + m) % 3 == 0:
                continue  # not everyone comes to everything
            course = ("D1", "E1", "CPR")[(i - m) % 3]
            out.append(f"{i};{course};2026-{m:02d}-{(i % 27) + 1:02d};{HOURS[(i + m) % len(HOURS)]}")
    return out


def _measured_one_by_one(db, today: date = TODAY) -> dict[int, tuple[float, float, str]]:
    """Every progress row measured from each of its counted credits in entry order
    (dp.measure), its certification credits valid through their record's expiry."""
    spans = {
        pid: dp.periods_in_span(freq, as_date(start), as_date(end))
        for pid, freq, start, end in db.rows(
            "SELECT rp.id, r.frequency, e.enrolled_on, e.target_completion_date FROM requirement_progress rp "
            "JOIN enrollment e ON e.id = rp.enrollment_id JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            "JOIN requirement r ON r.id = pr.requirement_id"
        )
    }  # fmt: skip
    targets = {
        pid: dp.Target.of(requirement_of(rest)).over(spans[pid])
        for pid, *rest in db.rows(
            f"SELECT rp.id, {REQUIREMENT_COLUMNS} FROM requirement_progress rp "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            "JOIN requirement r ON r.id = pr.requirement_id"
        )
    }
    expiry = {str(rid): as_date(d) for rid, d in db.rows("SELECT id, expiration_date FROM training_record")}
    credits: dict[int, list[dp.Credit]] = {}
    for pid, amount, category, item, sid in db.rows(
        "SELECT progress_id, amount, category, item, source_id FROM progress_credit "
        "WHERE state = 'counted' ORDER BY id"
    ):
        credits.setdefault(pid, []).append(dp.Credit(amount, category, item, expiry.get(sid.split(":")[0])))
    out = {}
    for pid, override in db.rows("SELECT id, status_override FROM requirement_progress"):
        value, pct = dp.measure(targets[pid], credits.get(pid, []), today=today)
        out[pid] = (value, dp.effective_percentage(pct, override), dp.derive_status(pct, override, value))
    return out


def _stored(db) -> dict[int, tuple[float, float, str]]:
    return {
        pid: (value, pct, status)
        for pid, value, pct, status in db.rows(
            "SELECT id, progress_value, progress_percentage, status FROM requirement_progress"
        )
    }


def _check(db, url: str, today: date = TODAY) -> None:
    stored = _stored(db)
    assert stored == _measured_one_by_one(db, today)
    # ... and a full re-measure of every row, and rollup of every enrollment, moves nothing
    enrollments = "SELECT id, progress_percentage, status, completed_at FROM enrollment ORDER BY id"
    before = (db.rows("SELECT * FROM requirement_progress ORDER BY id"), db.rows(enrollments))
    with open_writer(engine_url(url)) as w:
        assert recompute(w, sorted(stored), today=today) == []
        rollup_enrollments(w, db.column("SELECT id FROM enrollment"))
    assert (db.rows("SELECT * FROM requirement_progress ORDER BY id"), db.rows(enrollments)) == before


def test_an_import_re_measures_exactly_as_measuring_every_credit(cli, db, db_url, tmp_path):
    _world(cli)
    first = _sheet(tmp_path, "jan-jun.csv", _rows(range(1, 7)))
    r = cli(*AS_OF, "record", "import", str(first))
    assert "Credited" in r.stderr
    assert {s for _, _, s in _stored(db).values()} >= {"in_progress", "completed"}  # a real mix
    # the categorised row holds more than its cap, and sums of HOURS that binary floats round
    assert db.scalar("SELECT COUNT(*) FROM progress_credit") > 50
    _check(db, db_url)

    cli(*AS_OF, "record", "void", "3", "--reason", "wrong member")
    _check(db, db_url)

    # the same sheet again with the rest of the year: only the new rows credit
    second = _sheet(tmp_path, "year.csv", _rows(range(1, 13)))
    r = cli(*AS_OF, "record", "import", str(second), str(first))
    assert "already recorded" in r.stderr and "Credited" in r.stderr
    _check(db, db_url)
    # CPR records of the first half-year had expired by the as-of date: only later ones hold the card
    expired = db.rows(
        "SELECT t.expiration_date < :d, COUNT(*) FROM progress_credit c "
        "JOIN training_record t ON c.source_id = CAST(t.id AS VARCHAR(20)) "
        "JOIN requirement_progress rp ON rp.id = c.progress_id "
        "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
        "JOIN requirement r ON r.id = pr.requirement_id "
        "WHERE r.name = 'CPR card' GROUP BY t.expiration_date < :d", {"d": TODAY})
    assert [bool(e) for e, _ in expired] == [False]
    assert db.scalar("SELECT COUNT(*) FROM training_record WHERE course_code = 'CPR' AND expiration_date < :d",
                     {"d": TODAY}) > 0  # fmt: skip


def test_a_card_that_expired_since_it_was_credited_no_longer_counts(cli, db, db_url, tmp_path):
    """Certification credits are measured one by one (each valid through its record's
    expiry), not summed: a void in December leaves only a card that expired in September."""
    _world(cli)
    june = ("--as-of", "2026-06-30")
    cli(*june, "record", "import", str(_sheet(tmp_path, "cpr.csv", ["1;CPR;2026-03-02;4", "1;CPR;2026-05-04;4"])))
    _check(db, db_url, date(2026, 6, 30))
    assert ("CPR card", 100.0) in _percentages(cli)
    cli(*AS_OF, "record", "void", "2", "--reason", "entered twice")
    _check(db, db_url)
    assert ("CPR card", 0.0) in _percentages(cli)


def _percentages(cli) -> list[tuple[str, float]]:
    rows = cli(*AS_OF, "--format", "json", "enroll", "show", "1").json["requirements"]
    return [(r["requirement"], r["percentage"]) for r in rows]
