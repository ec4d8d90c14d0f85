"""`trainctl demo`: the README's first command. A sample department in its own file."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def _count(path: Path, sql: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_demo_builds_a_department_in_its_own_file_and_shows_it(cli, db_path: Path, tmp_path: Path):
    r = cli("demo")
    demo = tmp_path / "xdg" / "trainctl" / "demo.db"
    assert demo.exists()
    assert not db_path.exists(), "the user's database must not be created or touched"
    assert _count(demo, "SELECT count(*) FROM requirement WHERE registry_name = 'NFPA'") == 8  # 7 standards; NFPA 1500 has two rules
    assert _count(demo, "SELECT count(*) FROM requirement WHERE registry_name = 'NREMT'") == 8
    assert _count(demo, "SELECT count(*) FROM requirement WHERE registry_name = 'Pro Board'") == 8
    assert _count(demo, "SELECT count(*) FROM member") == 14
    assert _count(demo, "SELECT count(*) FROM program WHERE status = 'active'") == 3
    assert _count(demo, "SELECT count(*) FROM enrollment") == 12
    assert _count(demo, "SELECT count(*) FROM progress_credit") > 20
    # real output for a newcomer: the programs, the enrollments, one member's progress
    assert "Probationary Firefighter" in r.stdout
    assert "Hannah Brooks" in r.stdout
    assert "Milestones" in r.stdout
    assert f"--db {demo}" in r.stderr
    # progress is derived from the ledger and the rollup agrees with it
    assert _count(demo, "SELECT count(*) FROM enrollment WHERE progress_percentage > 0") >= 8


def test_demo_runs_again_from_scratch(cli, tmp_path: Path):
    cli("demo", "--path", str(tmp_path / "d.db"))
    cli("demo", "--path", str(tmp_path / "d.db"))
    assert _count(tmp_path / "d.db", "SELECT count(*) FROM member") == 14


def test_demo_never_writes_the_users_database(cli, db_path: Path, snapshot):
    cli("member", "add", "Real Person", "--email", "real@example.org")
    before = snapshot()
    r = cli("demo", "--path", str(db_path), ok=False)
    assert r.exit_code == 2 and "never writes there" in r.stderr
    assert snapshot() == before


def test_demo_leaves_a_foreign_file_alone(cli, tmp_path: Path):
    other = tmp_path / "notes.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    r = cli("demo", "--path", str(other), ok=False)
    assert r.exit_code == 2 and "not a trainctl demo database" in r.stderr
    assert _count(other, "SELECT count(*) FROM sqlite_master") == 1


def test_demo_quiet_prints_data_only(cli, tmp_path: Path):
    r = cli("--quiet", "demo", "--path", str(tmp_path / "q.db"))
    assert r.stderr.strip() == ""
    assert "Probationary Firefighter" in r.stdout


def test_demo_members_are_hired_before_they_enroll(cli, tmp_path: Path):
    cli("demo", "--path", str(tmp_path / "h.db"))
    late = _count(
        tmp_path / "h.db",
        "SELECT count(*) FROM enrollment e JOIN member m ON m.id = e.member_id WHERE m.hire_date > e.enrolled_on",
    )
    assert late == 0


def test_a_demo_built_as_of_a_past_day_suggests_commands_about_that_day(cli, tmp_path: Path):
    """Built as of 2025-06-02, its year of history is long over today: the commands it
    suggests ask about its day (as the README's tour does)."""
    r = cli("demo", "--path", str(tmp_path / "d.db"), "--as-of", "2025-06-02")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip().startswith("trainctl --db")]
    assert lines and all(f"--db {tmp_path / 'd.db'} --as-of 2025-06-02 " in ln for ln in lines)
    r = cli("demo", "--path", str(tmp_path / "e.db"))
    assert "--as-of" not in r.stderr


def test_a_demo_built_as_of_a_past_day_enters_its_catalog_on_its_years_first_day(
    cli, tmp_path: Path
):
    """Its registries and its sample programs' own requirements are entered on its year's
    first day, both in the demo's year, never the real day (entered on the real day, a
    report of the demo's day judged every window as a replay of a day before the catalog
    existed). In force all year: entered on the demo's day, the department's own would be
    owed only from the next month (README "Part of a window"), and a registry's window
    that closed before it (May's ISO company hours) held against nobody, though `report
    iso` calls it short (test_the_demos_iso_report_and_compliance_agree_on_each_month)."""
    demo = tmp_path / "d.db"
    cli("demo", "--path", str(demo), "--as-of", "2025-06-02")
    con = sqlite3.connect(demo)
    try:
        days = dict(con.execute("SELECT DISTINCT source, entered_on FROM requirement").fetchall())
    finally:
        con.close()
    assert days == {"national": "2025-01-01", "department": "2025-01-01"}, days


def _iso_company(cli, demo: Path, as_of: str) -> dict[str, tuple[int, int]]:
    """member -> (months met, months owed) of ISO-COMPANY in `report iso --year 2025`."""
    rows = cli("--db", demo, "--as-of", as_of, "report", "iso", "--year", "2025", "-f", "json").json
    return {r["member"]: (r["periods_met"], r["periods"]) for r in rows["rows"]
            if r["item"] == "ISO-COMPANY"}  # fmt: skip


def test_the_demos_iso_report_and_compliance_agree_on_each_month(cli, demo_db: Path):
    """The demo (as of 2025-06-02) entered its ISO registry on its own day: `report iso
    --year 2025` called May's company hours short (13 of 16 h) while `report compliance`
    of the same day let them off ("due soon": a window closed before the registry was
    entered is held against nobody). For each member and each month of the demo's year
    that has ended, the two now agree: compliance on the next month's first day (for May,
    the demo's own day) is overdue exactly when `report iso` counts the month owed and not
    met (its months met and owed, as of the month's last day and the one before). On those
    days the new month cannot be met yet (16 h; at most one 4 h session that day)."""
    demo = str(demo_db)
    ends = ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31"]
    asked = ["2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01", "2025-06-02"]
    iso = [{}, *(_iso_company(cli, demo, d) for d in ends)]  # none met or owed before January
    short_months = 0
    for n, day in enumerate(asked):
        cells = cli("--db", demo, "--as-of", day, "report", "compliance", "-r", "ISO-COMPANY",
                    "-f", "json").json["cells"]  # fmt: skip
        status = {c["member"]: c["status"] for c in cells}
        for member, (met, owed) in iso[n + 1].items():
            before_met, before_owed = iso[n].get(member, (0, 0))
            owes, was_met = owed - before_owed, met - before_met
            short = owes == 1 and was_met == 0
            short_months += short
            assert (status[member] == "overdue") == short, (member, ends[n], status[member],
                                                            owes, was_met)  # fmt: skip
    assert short_months > 20  # the demo has members short in most months (a real check)


def test_the_demo_department_keeps_new_yorks_clock(cli, tmp_path: Path):
    """The demo had no timezone and wrote its history at a fixed -05:00: every tour was
    listed from 12:00 and every call at 19:30, "times in UTC" (review). It is in New York,
    as the README's tour sets, and its times are written on that clock, EDT in summer."""
    demo = str(tmp_path / "d.db")
    cli("demo", "--path", demo, "--as-of", "2025-06-02")
    at = ("--db", demo, "--as-of", "2025-06-02")
    r = cli(*at, "shift", "list", "--limit", "3")
    assert "07:00" in r.stdout and "12:00" not in r.stdout and "times in America/New_York" in r.stderr
    r = cli(*at, "call", "list", "--limit", "3")
    assert "14:30" in r.stdout and "19:30" not in r.stdout and "times in America/New_York" in r.stderr
    summer = cli(*at, "shift", "list", "--from", "2025-06-01", "--to", "2025-06-01", "-f", "csv").stdout
    winter = cli(*at, "shift", "list", "--from", "2025-01-10", "--to", "2025-01-10", "-f", "csv").stdout
    assert ",2025-06-01T07:00-04:00,2025-06-02T07:00-04:00,24" in summer
    assert ",2025-01-10T07:00-05:00,2025-01-11T07:00-05:00,24" in winter
    spring = cli(*at, "shift", "list", "--from", "2025-03-08", "--to", "2025-03-08", "-f", "csv").stdout
    assert ",2025-03-08T07:00-05:00,2025-03-09T07:00-04:00,23" in spring  # the clocks went forward


def test_the_demo_is_dated_on_new_yorks_day_in_a_us_evening(cli, tmp_path: Path, monkeypatch):
    """Run at 20:30 in New York (01:30 UTC the next day), the demo was dated on the UTC day:
    its progress and milestones said "tomorrow", and a record for that day was refused as
    after today (review). Its clock is set before anything asks for the day."""
    from datetime import UTC, datetime

    import trainctl.queries.settings as qs

    class _Evening(datetime):
        @classmethod
        def now(cls, tz=None):  # the machine's clock at 2026-07-05T01:30Z
            return datetime(2026, 7, 5, 1, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(qs, "datetime", _Evening)
    demo = tmp_path / "d.db"
    cli("demo", "--path", str(demo))
    assert _count(demo, "SELECT count(*) FROM progress_credit WHERE entered_on > '2026-07-04'") == 0
    assert _count(demo, "SELECT count(*) FROM progress_credit WHERE entered_on = '2026-07-04'") > 0
    assert _count(demo, "SELECT count(*) FROM milestone_event WHERE reached_on > '2026-07-04'") == 0
