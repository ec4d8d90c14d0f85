"""Enrollment and progress reads run on the read side (queries/): no ORM, no services."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

from enroll_helpers import Dept

READS = [
    ["enroll", "list"],
    ["enroll", "list", "--program", "Recruit", "--member", "M1", "-f", "json"],
    ["enroll", "user", "M1", "-f", "csv"],
    ["--as", "M1", "enroll", "me"],
    ["enroll", "show", "1"],
    ["enroll", "show", "1", "-f", "json"],
    ["progress", "log", "1"],
    ["progress", "log", "--member", "M1", "--requirement", "Recruit hours 1"],
    ["progress", "pending"],
    ["progress", "milestones", "1"],
    ["progress", "self-reporting"],
]


def test_read_commands_import_no_orm_and_no_services(cli, db_url: str):
    dept = Dept(db_url)
    dept.member("Ann Lee", badge="M1")
    pid, _ = dept.simple_program("Recruit", "hours", "checklist")
    dept.milestone(pid, "Halfway", 50)
    cli("enroll", "add", "M1", "Recruit")
    cli("progress", "update", "1", "--add", "6")
    code = (
        "import sys\n"
        "from trainctl.cli.main import main\n"
        f"for args in {READS!r}:\n"
        f"    sys.argv = ['trainctl', '--db', {str(db_url)!r}, *args]\n"
        "    try:\n        main()\n    except SystemExit as exc:\n"
        "        assert not exc.code, (args, exc.code)\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'trainctl.models',"
        " 'trainctl.services', 'trainctl.db') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stderr, r.stderr


def test_json_keeps_the_enrollment_percentage_in_full_tables_round(cli, db_url):
    # issue 11 #5: the enrollment's percentage was rounded to one decimal in JSON
    from enroll_helpers import Dept

    dept = Dept(db_url)
    ann = dept.member("Ann Lee")
    dept.simple_program("Recruit", "checklist", "hours", "hours")
    cli("enroll", "add", str(ann), "Recruit")
    cli("progress", "update", "1", "--check", "locker")  # 1 of 3 items: 33.3333% of a third
    r = cli("--format", "json", "progress", "update", "2", "--set", "10")
    assert r.json["enrollment_progress"] == 44.4444 and r.json["percentage"] == 100
    assert cli("--format", "json", "enroll", "show", "1").json["progress"] == 44.4444
    assert cli("--format", "json", "enroll", "list").json[0]["progress"] == 44.4444
    assert cli("--format", "json", "enroll", "user", str(ann)).json[0]["progress"] == 44.4444
    assert "44.4%" in cli("enroll", "show", "1").stdout
    assert "44.4444" not in cli("enroll", "list").stdout
    assert "44.4444" not in cli("--format", "csv", "enroll", "list").stdout


def test_a_completed_enrollment_says_the_day_it_completed_and_no_phase_deadline(cli, db_url, monkeypatch):
    """`enroll show` of a completed enrollment printed "status completed" with no date
    (completed_at was in JSON only) and still its current phase's deadline; `enroll list
    -f csv` had no completion column (review). The day is the department's: at 03:00 UTC
    in Honolulu it is still the day before."""
    import csv
    import io
    from datetime import UTC, datetime

    import sqlalchemy as sa

    monkeypatch.setenv("TRAINCTL_TIMEZONE", "Pacific/Honolulu")
    dept = Dept(db_url)
    dept.member("Ann Lee", badge="M1")
    pid = dept.program("Recruit", structure="phases")
    ph = dept.phase(pid, 1, "Orientation", time_limit_days=30)
    dept.link(pid, dept.requirement("Recruit hours", "hours"), phase_id=ph)
    cli("--as-of", "2026-05-01", "enroll", "add", "M1", "Recruit")
    open_head = cli("--as-of", "2026-05-02", "enroll", "show", "1").stdout
    assert "phase deadline" in open_head and "2026-05-31" in open_head  # (while it runs)
    cli("--as-of", "2026-05-02", "progress", "update", "1", "--add", "10")

    (done,) = cli("-f", "json", "enroll", "list").json
    assert done["status"] == "completed"
    at = datetime.fromisoformat(done["completed_at"].replace("Z", "+00:00"))
    assert at.tzinfo is not None and at <= datetime.now(UTC)
    # the real time of completion, moved to 03:00 UTC: the evening before in Honolulu
    with dept.engine.begin() as c:
        c.execute(sa.text("UPDATE enrollment SET completed_at = :at"), {"at": datetime(2026, 5, 3, 3, 0, tzinfo=UTC)})
    (done,) = cli("-f", "json", "enroll", "list").json
    assert done["completed_at"] == "2026-05-03T03:00:00Z"
    (line,) = csv.DictReader(io.StringIO(cli("-f", "csv", "enroll", "list").stdout))
    assert line["completed_at"] == done["completed_at"]
    assert cli("-f", "json", "enroll", "show", "1").json["completed_at"] == done["completed_at"]

    head = cli("--as-of", "2026-05-02", "enroll", "show", "1").stdout
    assert "completed on 2026-05-02" in head, head
    assert "phase deadline" not in head and "2026-05-31" not in head, head
    assert "Completed" not in cli("enroll", "list").stdout  # a table's status says it


def test_a_program_name_lists_the_enrollments_of_every_version(cli, db_url):
    """A review: once v2 was active, `enroll list --program NAME` said "No enrollments match
    these filters." though the class was active in v1 (the name resolved to v2 alone)."""
    dept = Dept(db_url)
    for badge in ("M1", "M2", "M3"):
        dept.member(f"Member {badge}", badge=badge)
    v1, _ = dept.simple_program("Recruit", "hours")
    dept.simple_program("Recruit", "hours", version=2, lineage_id=v1)
    dept.simple_program("Other", "hours")
    cli("enroll", "add", "M1", "Recruit@1")
    cli("enroll", "add", "M2", "Recruit@1")
    cli("enroll", "add", "M3", "Recruit")  # v2, the newest active
    cli("enroll", "add", "M3", "Other")

    def listed(ref: str) -> list[tuple[str, int]]:
        rows = cli("enroll", "list", "--program", ref, "-f", "json").json
        return [(r["member"], r["version"]) for r in rows]

    assert listed("Recruit") == [("Member M1", 1), ("Member M2", 1), ("Member M3", 2)]
    assert listed("recruit") == listed("Recruit")
    assert listed("Recruit@1") == [("Member M1", 1), ("Member M2", 1)]
    assert listed(str(v1)) == listed("Recruit@1")  # an id: that version
    # the table says which version each row is in, whatever the terminal's width
    table = cli("enroll", "list", "--program", "Recruit").stdout
    assert table.count("Recruit v1") == 2 and table.count("Recruit v2") == 1
    assert "v1" not in cli("enroll", "list", "--program", "Other").stdout


def test_program_list_shows_an_archived_version_members_are_still_in(cli, db_url):
    """A review: archiving v1 once v2 was live hid it from `program list` while its class
    was still running; an archived version nobody is in stays hidden."""
    dept = Dept(db_url)
    dept.member("Ann Lee", badge="M1")
    v1, _ = dept.simple_program("Recruit", "hours")
    dept.simple_program("Recruit", "hours", version=2, lineage_id=v1)
    dept.simple_program("Old", "hours")
    cli("enroll", "add", "M1", "Recruit@1")
    cli("program", "archive", "Recruit@1")
    cli("program", "archive", "Old")

    def listed(*args: str) -> list[tuple[str, int, str, int]]:
        rows = cli("program", "list", *args, "-f", "json").json
        return [(r["name"], r["version"], r["status"], r["enrolled"]) for r in rows]

    assert listed() == [("Recruit", 1, "archived", 1), ("Recruit", 2, "active", 0)]
    assert ("Old", 1, "archived", 0) in listed("--status", "all")
    cli("enroll", "withdraw", "1")
    assert listed() == [("Recruit", 2, "active", 0)]


def test_enroll_show_and_list_as_of_a_day_before_later_progress_are_refused(cli, snapshot):
    """`enroll show` and `enroll list` print the stored figures, today's. As of 15 February,
    with both checklist items checked on 1 May, they showed 2/2, completed and a last
    activity of 1 May; as of June 2025, an enrollment begun in January 2026. Now an
    enrollment not begun by the day is left out of the list, and one with anything dated
    after it is refused (exit 2), naming what answers for that day; as of a day after
    everything on file they answer as before."""
    cli("config", "set", "timezone", "America/New_York")
    cli("--as-of", "2026-01-01", "member", "add", "Bob Ray", "--email", "bob@x.org", "--badge", "102",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2026-01-01", "requirement", "add", "--name", "Orientation", "--type", "checklist",
        "--item", "Tour", "--item", "Radio")  # fmt: skip
    cli("--as-of", "2026-01-05", "program", "create", "Year", "--time-limit-days", "365")
    cli("--as-of", "2026-01-05", "program", "requirement", "add", "Year", "Orientation", "--deadline-days", "60")
    cli("--as-of", "2026-01-05", "program", "activate", "Year")
    cli("--as-of", "2026-01-05", "enroll", "add", "102", "Year")
    assert cli("--as-of", "2026-02-15", "enroll", "show", "1").exit_code == 0  # nothing later yet
    cli("--as-of", "2026-05-01", "progress", "update", "--member", "102", "--requirement", "Orientation",
        "--check", "Tour", "--check", "Radio")  # fmt: skip
    before = snapshot()
    for args in (("enroll", "show", "1"), ("enroll", "list"), ("enroll", "list", "-f", "json")):
        r = cli("--as-of", "2026-02-15", *args, ok=False)
        assert r.exit_code == 2 and r.stdout == "", r
        assert "enrollment 1 has progress, a verification or its start dated after --as-of 2026-02-15 " \
               "(up to 2026-05-01)" in r.stderr, r
        # `enroll show` names its own member (test below); a list, every member
        who = "id:1" if args[1] == "show" else "MEMBER"
        assert f"`trainctl --as-of 2026-02-15 report compliance --member {who}`" in r.stderr, r
    assert cli("--as-of", "2025-06-01", "enroll", "list", "-f", "json").json == []
    assert "No enrollment had begun by 2025-06-01" in cli("--as-of", "2025-06-01", "enroll", "list").stderr
    r = cli("--as-of", "2025-06-01", "enroll", "show", "1", ok=False)
    assert r.exit_code == 2 and "(up to 2026-05-01)" in r.stderr, r
    (row,) = cli("--as-of", "2026-05-01", "enroll", "list", "-f", "json").json
    assert row["status"] == "completed"
    assert cli("--as-of", "2026-05-01", "enroll", "show", "1").exit_code == 0
    assert snapshot() == before


def test_the_commands_a_past_enroll_show_names_instead_run_as_given(cli, snapshot):
    """`--as-of 2026-02-15 enroll show 1` is refused (figures of 1 May are on file), and
    its hint named `progress log --member MEMBER`, which is itself refused (exit 2: a
    member needs --requirement) and left the officer to find who enrollment 1 is. Now
    every command it names is that member's and runs once REQUIREMENT is filled in; the
    day's report shows the checklist as it stood (0 of 2), the ledger the day of each
    credit."""
    cli("--as-of", "2026-01-01", "member", "add", "Bob Ray", "--email", "bob@x.org", "--badge", "102",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("--as-of", "2026-01-01", "requirement", "add", "--name", "Orientation", "--type", "checklist",
        "--item", "Tour", "--item", "Radio")  # fmt: skip
    cli("--as-of", "2026-01-05", "program", "create", "Year", "--time-limit-days", "365")
    cli("--as-of", "2026-01-05", "program", "requirement", "add", "Year", "Orientation", "--deadline-days", "60")
    cli("--as-of", "2026-01-05", "program", "activate", "Year")
    cli("--as-of", "2026-01-05", "enroll", "add", "102", "Year")
    cli("--as-of", "2026-05-01", "progress", "update", "--member", "102", "--requirement", "Orientation",
        "--check", "Tour", "--check", "Radio")  # fmt: skip
    before = snapshot()
    r = cli("--as-of", "2026-02-15", "enroll", "show", "1", ok=False)
    assert r.exit_code == 2 and "statuses, phases and milestones are kept as they stand now" in " ".join(r.stderr.split())
    hint = " ".join(r.stderr[r.stderr.index("Hint:"):].split())
    commands = re.findall(r"`trainctl ([^`]+)`", hint)
    assert len(commands) == 4, hint
    outputs = []
    for command in commands:
        args = shlex.split(command.replace("REQUIREMENT", "Orientation"))
        if args == ["enroll", "show", "1"]:
            continue  # today's figures (the hint's last advice)
        outputs.append(cli(*args).stdout)
    report, explain, ledger = outputs
    assert "Bob Ray" in report and "0/2" in report.replace(" ", ""), report
    assert "Bob Ray" in explain and "2026-02-15" in explain
    assert "2026-05-01" in ledger
    assert snapshot() == before
