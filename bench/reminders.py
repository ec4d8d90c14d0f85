"""Finding what reminders are due, on 100,000 active enrollments (issue 10, DESIGN §7).

    python bench/reminders.py [--members 50000] [--repeat 3] [--keep DIR]

Builds a department with raw sqlite3 (the schema from trainctl itself): MEMBERS members,
each enrolled in two programs (2 x MEMBERS active enrollments): a flexible academy
(warnings 30/14/7 days, only below 80%, three requirements, one with its own deadline and a
notification message, a 50% milestone) and a phased driver program (phase time limits,
inactivity reminders after 21 days). Progress rows (most work done by its due date),
credits, milestone events, a BLS card per member (a tenth renewed) and a reminder log
holding last week's run and 200,000 older rows make the data realistic.

Prints, as medians of --repeat runs:
  - select:  trainctl's selection in-process (queries.reminders.select_due: every kind,
             the officers' digest, and the log lookup), on one read transaction;
  - dry-run: `trainctl --format csv reminders send --dry-run` as a whole process
             (wall time and CPU, output to /dev/null);
  - floor:   the same selection as ONE raw SQL statement in plain sqlite3 (thresholds
             worked out in SQL, the log anti-joined), without the digest;
and the ratios. Target: finding what is due in under 2 s here. Figures only, never a
pass/fail; the two reminder counts are printed side by side (they must agree).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

TODAY = date(2026, 6, 1)
NOW = "2026-06-01 02:15:00"
ACADEMY = {"lead_days": [30, 14, 7], "only_below_percent": 80}
DRIVER = {"lead_days": [14], "inactive_days": 21}


def iso(d: date) -> str:
    return d.isoformat()


def compiled() -> None:
    """Time trainctl as `pip install` leaves it, with its bytecode written: an editable
    checkout under PYTHONDONTWRITEBYTECODE (this machine sets it) would compile every
    module again in every process, about 0.15 s of each start."""
    import compileall

    import trainctl

    compileall.compile_dir(Path(trainctl.__file__).parent, quiet=1)


def build(path: Path, members: int, seed: int = 7) -> None:
    from trainctl.db import open_engine

    open_engine(f"sqlite:///{path}").dispose()  # the schema at head, as trainctl makes it
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    ts = "2025-01-01 00:00:00"
    con.executemany(
        "INSERT INTO member (id, name, email, positions, role, status, created_at) "
        "VALUES (?, ?, ?, '[]', ?, 'active', ?)",
        [(i, f"Member {i:06d}", f"m{i}@fd.example", "officer" if i <= 5 else "member", ts)
         for i in range(1, members + 1)],
    )  # fmt: skip
    req = (
        "INSERT INTO requirement (id, name, requirement_type, source, aliases, is_editable, "
        "required_hours, required_courses, required_skills, checklist_items, hour_categories, "
        "frequency, period_anchor, required_positions, created_at, time_limit_days, "
        "counts_courses, counts_training_types, counts_categories, counts_call_types, "
        "counts_attendance) VALUES (?, ?, 'hours', 'department', '[]', 1, 10, '[]', '[]', "
        "'[]', '[]', 'one_time', 'calendar', '[]', ?, ?, '[]', '[]', '[]', '[]', 0)"
    )
    con.executemany(
        req, [(i, f"Requirement {i}", ts, 120 if i == 2 else None) for i in range(1, 8)]
    )
    con.executemany(
        "INSERT INTO program (id, name, version, structure_type, allows_concurrent_enrollment, "
        "time_limit_days, warning_days_before, reminder_conditions, is_template, status, "
        "created_at) VALUES (?, ?, 1, ?, 1, 365, ?, ?, 0, 'active', ?)",
        [(1, "Recruit Academy", "flexible", 14, json.dumps(ACADEMY), ts),
         (2, "Driver", "phases", None, json.dumps(DRIVER), ts)],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO program_phase (id, program_id, phase_number, name, "
        "requires_manual_advancement, time_limit_days) VALUES (?, 2, ?, ?, 0, ?)",
        [(1, 1, "Classroom", 90), (2, 2, "Road", 120)],
    )
    # links: academy 1-3 (2 has its own deadline and a message), driver phase 1: 4-5, phase 2: 6-7
    con.executemany(
        "INSERT INTO program_requirement (id, program_id, phase_id, requirement_id, is_required, "
        "is_prerequisite, sort_order, custom_deadline_days, notification_message) "
        "VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?)",
        [(1, 1, None, 1, 0, None, None), (2, 1, None, 2, 1, 60, "Bring your turnout gear."),
         (3, 1, None, 3, 2, None, None), (4, 2, 1, 4, 0, 45, None), (5, 2, 1, 5, 1, None, None),
         (6, 2, 2, 6, 0, None, None), (7, 2, 2, 7, 1, None, None)],
    )  # fmt: skip
    con.execute(
        "INSERT INTO program_milestone (id, program_id, name, completion_percentage_threshold, "
        "notification_message, requires_verification) VALUES (1, 1, 'Halfway', 50, 'Keep going!', 0)"
    )
    enrollments, progress, credits, events = [], [], [], []
    eid = pid = cid = 0

    def done_by(start: date, due: date | None) -> bool:
        """Most work is done by its due date; before it, in proportion to the time spent."""
        if due is not None and due < TODAY:
            return rnd.random() < 0.9
        span = max(1, ((due or start + timedelta(days=365)) - start).days)
        return rnd.random() < 0.8 * max(0, (TODAY - start).days) / span

    for m in range(1, members + 1):
        for program in (1, 2):
            eid += 1
            enrolled = TODAY - timedelta(days=rnd.randrange(0, 380))
            target = enrolled + timedelta(days=365)
            phase, started = (None, None)
            links: list[tuple[int, date | None, date]] = []  # (link, due, scope start)
            if program == 1:
                links = [(1, None, enrolled), (2, enrolled + timedelta(days=60), enrolled),
                         (3, None, enrolled)]  # fmt: skip
            else:
                p1 = [(4, enrolled + timedelta(days=45)), (5, enrolled + timedelta(days=120))]
                first = [(link, due, done_by(enrolled, due)) for link, due in p1]
                phase = 2 if all(d for _, _, d in first) else 1
                started = enrolled
                if phase == 2:
                    started = min(TODAY, enrolled + timedelta(days=rnd.randrange(40, 130)))
                links = [(4, p1[0][1], enrolled), (5, p1[1][1], enrolled)]
                due2 = started + timedelta(days=120) if phase == 2 else None
                links += [(6, due2, started), (7, due2, started)]
            done_count = 0
            for link, due, start in links:
                pid += 1
                if program == 2 and link in (4, 5):
                    done = next(d for lk, _, d in first if lk == link)
                elif program == 2 and phase == 1:
                    done = False
                else:
                    done = done_by(start, due)
                done_count += done
                progress.append((pid, eid, link, "completed" if done else "in_progress",
                                 10 if done else 3, 100 if done else 30,
                                 None if due is None else iso(due)))  # fmt: skip
                for _ in range(rnd.choice((0, 1, 2, 3)) if (done or rnd.random() < 0.6) else 0):
                    cid += 1
                    days = max(1, (min(TODAY, due or TODAY) - start).days)
                    at = start + timedelta(days=rnd.randrange(0, days))
                    on = iso(min(at, TODAY))  # the effective date, as every writer stores it
                    credits.append((cid, pid, "manual", f"c{cid}", 3, f"{on} 12:00:00", on))
            pct = round(100 * done_count / len(links) * 0.95, 1)
            enrollments.append((eid, m, program, iso(enrolled), iso(target), phase,
                                started and iso(started), pct))  # fmt: skip
            if program == 1 and pct >= 50:
                reached = TODAY - timedelta(days=rnd.randrange(0, 120))
                events.append((eid, 1, f"{iso(reached)} 09:00:00", iso(reached), pct))
    con.executemany(
        "INSERT INTO enrollment (id, member_id, program_id, program_version, enrolled_at, "
        "enrolled_on, target_completion_date, current_phase_id, phase_started_on, "
        "progress_percentage, status, deadline_warning_sent) "
        "VALUES (?, ?, ?, 1, '2025-01-01 00:00:00', ?, ?, ?, ?, ?, 'active', 0)",
        enrollments,
    )
    con.executemany(
        "INSERT INTO requirement_progress (id, enrollment_id, program_requirement_id, status, "
        "progress_value, progress_percentage, due_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
        progress,
    )
    con.executemany(
        "INSERT INTO progress_credit (id, progress_id, source_type, source_id, amount, state, "
        "entered_at, entered_on) VALUES (?, ?, ?, ?, ?, 'counted', ?, ?)",
        credits,
    )
    # each enrollment's last activity, as trainctl's rollup keeps it after every credit
    # (services/progress/rollup.py); the floor below works it out from the credits again
    con.execute(
        "UPDATE enrollment SET last_activity_on = (SELECT MAX(c.entered_on) "
        "FROM requirement_progress rp JOIN progress_credit c ON c.progress_id = rp.id "
        "WHERE rp.enrollment_id = enrollment.id)"
    )
    con.executemany(
        "INSERT INTO milestone_event (enrollment_id, milestone_id, reached_at, reached_on, "
        "progress_at_reach) VALUES (?, ?, ?, ?, ?)",
        events,
    )
    # one BLS card per member (expiring from 200 days ago to 600 days ahead); a tenth renewed
    cards, cert_id = [], 0
    for m in range(1, members + 1):
        expires = TODAY + timedelta(days=rnd.randrange(-200, 600))
        cert_id += 1
        cards.append((cert_id, m, "BLS", iso(expires - timedelta(days=730)), iso(expires)))
        if rnd.random() < 0.1 and expires < TODAY + timedelta(days=60):
            cert_id += 1
            cards.append((cert_id, m, "BLS", iso(expires - timedelta(days=20)),
                          iso(expires + timedelta(days=710))))  # fmt: skip
    con.executemany(
        "INSERT INTO certification (id, member_id, credential_code, issued_on, expires_on, "
        "created_at) VALUES (?, ?, ?, ?, ?, '2025-01-01 00:00:00')",
        cards,
    )
    # 200,000 older log rows (a year of nightly runs) to give the unique key its real size
    con.executemany(
        "INSERT INTO reminder_log (kind, item, recipient_id, threshold, member_id, due_on, "
        "to_addr, title, message_id, status, attempts, claimed_at, sent_at) VALUES "
        "('requirement_deadline', ?, ?, '7d', ?, '2025-06-01', 'x', 't', ?, 'sent', 1, ?, ?)",
        [(f"progress:{10_000_000 + i}/due:2025-06-08", 1 + i % members, 1 + i % members,
          f"<old{i}@fd.example>", ts, ts) for i in range(200_000)],
    )  # fmt: skip
    con.commit()
    con.close()
    _log_last_week(path)


def _log_last_week(path: Path) -> None:
    """What a run a week ago sent, as 'sent' rows: this run must skip those."""
    from trainctl.queries import open_reader
    from trainctl.queries.reminders import select_due

    with open_reader(f"sqlite:///{path}") as rd:
        week_ago = select_due(rd, TODAY - timedelta(days=7)).reminders
    con = sqlite3.connect(path)
    con.executemany(
        "INSERT INTO reminder_log (kind, item, recipient_id, threshold, member_id, due_on, "
        "to_addr, title, message_id, status, attempts, claimed_at, sent_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', 1, ?, ?)",
        [(r.key.kind, r.key.item, r.key.recipient_id, r.key.threshold, r.member_id, iso(r.due_on),
          r.recipient.email, r.title, f"<w{i}@fd.example>", NOW, NOW)
         for i, r in enumerate(week_ago)],
    )  # fmt: skip
    con.commit()
    con.execute("ANALYZE")
    con.close()


# The same selection as one statement: every threshold worked out in SQL, the log anti-joined.
FLOOR = """
WITH leads(program_id, lead) AS (
    SELECT p.id, CAST(j.value AS INTEGER) FROM program p,
           json_each(COALESCE(json_extract(p.reminder_conditions, '$.lead_days'), '[]')) j
    UNION SELECT id, warning_days_before FROM program WHERE warning_days_before IS NOT NULL),
sched(program_id, farthest, below, inactive) AS (
    SELECT p.id, (SELECT MAX(lead) FROM leads l WHERE l.program_id = p.id),
           json_extract(p.reminder_conditions, '$.only_below_percent'),
           json_extract(p.reminder_conditions, '$.inactive_days') FROM program p),
due(kind, item, mid, threshold) AS (
    -- program deadlines
    SELECT 'program_deadline', 'enrollment:' || e.id || '/due:' || e.target_completion_date,
           e.member_id,
           CASE WHEN :today > e.target_completion_date THEN
                CASE WHEN julianday(:today) - julianday(e.target_completion_date) <= 30
                     THEN 'overdue' END
           ELSE (SELECT MIN(l.lead) FROM leads l WHERE l.program_id = e.program_id
                 AND date(e.target_completion_date, '-' || l.lead || ' days') <= :today) || 'd' END
    FROM enrollment e JOIN member m ON m.id = e.member_id JOIN sched s ON s.program_id = e.program_id
    WHERE e.status = 'active' AND m.status = 'active' AND s.farthest IS NOT NULL
      AND e.enrolled_on <= :today AND (s.below IS NULL OR e.progress_percentage < s.below)
      AND e.target_completion_date <= date(:today, '+' || s.farthest || ' days')
    UNION ALL
    -- the current phase's deadline, while a required item of it is open
    SELECT 'phase_deadline', 'enrollment:' || x.id || '/phase:' || x.phase || '/due:' || x.deadline,
           x.member_id,
           CASE WHEN :today > x.deadline THEN
                CASE WHEN julianday(:today) - julianday(x.deadline) <= 30 THEN 'overdue' END
           ELSE (SELECT MIN(l.lead) FROM leads l WHERE l.program_id = x.program_id
                 AND date(x.deadline, '-' || l.lead || ' days') <= :today) || 'd' END
    FROM (SELECT e.id, e.member_id, e.program_id, ph.id AS phase,
                 date(e.phase_started_on, '+' || ph.time_limit_days || ' days') AS deadline,
                 e.progress_percentage AS pct
          FROM enrollment e JOIN program_phase ph ON ph.id = e.current_phase_id
          JOIN member m ON m.id = e.member_id
          WHERE e.status = 'active' AND m.status = 'active' AND ph.time_limit_days IS NOT NULL
            AND EXISTS (SELECT 1 FROM requirement_progress rp JOIN program_requirement pr
                        ON pr.id = rp.program_requirement_id WHERE rp.enrollment_id = e.id
                        AND pr.phase_id = ph.id AND pr.is_required = 1
                        AND rp.status NOT IN ('completed', 'waived'))) x
    JOIN sched s ON s.program_id = x.program_id
    WHERE s.farthest IS NOT NULL AND (s.below IS NULL OR x.pct < s.below)
      AND x.deadline <= date(:today, '+' || s.farthest || ' days')
    UNION ALL
    -- requirement deadlines
    SELECT 'requirement_deadline', 'progress:' || rp.id || '/due:' || rp.due_on, e.member_id,
           CASE WHEN :today > rp.due_on THEN
                CASE WHEN julianday(:today) - julianday(rp.due_on) <= 30 THEN 'overdue' END
           ELSE (SELECT MIN(l.lead) FROM leads l WHERE l.program_id = e.program_id
                 AND date(rp.due_on, '-' || l.lead || ' days') <= :today) || 'd' END
    FROM requirement_progress rp JOIN enrollment e ON e.id = rp.enrollment_id
    JOIN member m ON m.id = e.member_id
    JOIN program_requirement pr ON pr.id = rp.program_requirement_id
    JOIN sched s ON s.program_id = e.program_id
    WHERE rp.due_on IS NOT NULL AND rp.due_on >= date(:today, '-31 days') AND e.enrolled_on <= :today
      AND rp.due_on <= date(:today, '+' || s.farthest || ' days')
      AND rp.status NOT IN ('completed', 'waived') AND e.status = 'active'
      AND m.status = 'active' AND pr.is_required = 1
      AND (s.below IS NULL OR e.progress_percentage < s.below)
    UNION ALL
    -- no progress for inactive_days (worked out from the credits, not read from the
    -- enrollment's stored last activity: a check that the rollup kept it)
    SELECT 'inactive', 'enrollment:' || y.id, y.member_id, 'since:' || y.last
    FROM (SELECT e.id, e.member_id, s.inactive,
                 MAX(e.enrolled_on, COALESCE((SELECT MAX(c.entered_on) FROM
                     requirement_progress rp JOIN progress_credit c ON c.progress_id = rp.id
                     WHERE rp.enrollment_id = e.id), e.enrolled_on)) AS last
          FROM enrollment e JOIN member m ON m.id = e.member_id
          JOIN sched s ON s.program_id = e.program_id
          WHERE s.inactive IS NOT NULL AND e.status = 'active' AND m.status = 'active'
            -- not while a completed phase waits for an officer: the member can act
            AND (e.current_phase_id IS NULL OR EXISTS (SELECT 1 FROM requirement_progress rp
                 JOIN program_requirement pr ON pr.id = rp.program_requirement_id
                 WHERE rp.enrollment_id = e.id AND pr.is_required = 1
                   AND (pr.phase_id = e.current_phase_id OR pr.phase_id IS NULL)
                   AND rp.status NOT IN ('completed', 'waived')))) y
    WHERE date(y.last, '+' || y.inactive || ' days') <= :today
      AND julianday(:today) - julianday(date(y.last, '+' || y.inactive || ' days')) < 30
    UNION ALL
    -- milestones reached in the last 30 days
    SELECT 'milestone', 'enrollment:' || ev.enrollment_id || '/milestone:' || ev.milestone_id,
           e.member_id, 'reached'
    FROM milestone_event ev JOIN program_milestone pm ON pm.id = ev.milestone_id
    JOIN enrollment e ON e.id = ev.enrollment_id JOIN member m ON m.id = e.member_id
    WHERE CASE WHEN pm.requires_verification THEN ev.verified_on ELSE ev.reached_on END
          BETWEEN date(:today, '-29 days') AND :today
      AND e.status IN ('active', 'completed') AND m.status = 'active'
    UNION ALL
    -- requirements with a message, assigned in the last 30 days
    SELECT 'assigned', 'progress:' || rp.id, e.member_id, 'assigned'
    FROM enrollment e JOIN member m ON m.id = e.member_id
    JOIN requirement_progress rp ON rp.enrollment_id = e.id
    JOIN program_requirement pr ON pr.id = rp.program_requirement_id
    WHERE e.status = 'active' AND m.status = 'active' AND pr.notification_message <> ''
      AND rp.status NOT IN ('completed', 'waived')
      AND CASE WHEN pr.phase_id IS NULL THEN e.enrolled_on
               WHEN pr.phase_id = e.current_phase_id THEN e.phase_started_on END
          BETWEEN date(:today, '-29 days') AND :today
    UNION ALL
    -- certification cards: the latest expiry of a credential decides; 90/60/30/7/0 days
    SELECT 'cert_expiry', 'certification:' || c.id || '/expires:' || c.expires_on, c.member_id,
           (SELECT MIN(column1) FROM (VALUES (90), (60), (30), (7), (0))
            WHERE date(c.expires_on, '-' || column1 || ' days') <= :today) || 'd'
    FROM certification c JOIN member m ON m.id = c.member_id
    WHERE c.voided_at IS NULL AND m.status = 'active' AND c.issued_on <= :today
      AND c.expires_on BETWEEN date(:today, '-29 days') AND date(:today, '+90 days')
      AND NOT EXISTS (
          SELECT 1 FROM certification n WHERE n.member_id = c.member_id
          AND n.credential_code = c.credential_code AND n.voided_at IS NULL
          AND n.issued_on <= :today AND n.id <> c.id
          AND (n.expires_on IS NULL OR n.expires_on > c.expires_on
               OR (n.expires_on = c.expires_on AND (n.issued_on > c.issued_on
                   OR (n.issued_on = c.issued_on AND n.id > c.id))))))
SELECT d.kind, d.item, d.mid, d.threshold FROM due d
WHERE d.threshold IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM reminder_log l WHERE l.kind = d.kind AND l.item = d.item
    AND l.recipient_id = d.mid AND l.threshold = d.threshold AND l.status = 'sent')
"""


def time_select(path: Path) -> tuple[float, float, int, int]:
    from trainctl.queries import open_reader
    from trainctl.queries.reminders import select_due

    t0, c0 = time.perf_counter(), time.process_time()
    with open_reader(f"sqlite:///{path}") as rd:
        sel = select_due(rd, TODAY)
        for r in sel.reminders:  # what the preview shows of each
            r.why, r.title  # noqa: B018
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    digests = sum(1 for r in sel.reminders if r.kind == "digest")
    return elapsed, cpu, len(sel.reminders) - digests, digests


def time_floor(path: Path) -> tuple[float, float, int]:
    con = sqlite3.connect(path)
    t0, c0 = time.perf_counter(), time.process_time()
    rows = con.execute(FLOOR, {"today": iso(TODAY)}).fetchall()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    con.close()
    return elapsed, cpu, len(rows)


def time_process(path: Path) -> tuple[float, float]:
    env = {**os.environ, "TRAINCTL_DB": str(path), "TRAINCTL_TIMEZONE": "UTC"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "trainctl", "--format", "csv", "reminders", "send", "--dry-run",
         "--as-of", iso(TODAY)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=50_000, help="members (2 enrollments each)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the database in this folder and keep it")
    args = ap.parse_args()
    compiled()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="trainctl-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "reminders.db"
    if not path.exists():
        t0 = time.perf_counter()
        build(path, args.members)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    con = sqlite3.connect(path)
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in
              ("enrollment", "requirement_progress", "progress_credit", "milestone_event",
               "certification", "reminder_log")}  # fmt: skip
    con.close()
    print(f"data: {counts['enrollment']:,} active enrollments, {counts['requirement_progress']:,} "
          f"progress rows, {counts['progress_credit']:,} credits, {counts['milestone_event']:,} "
          f"milestone events, {counts['certification']:,} cards, {counts['reminder_log']:,} log rows; "
          f"as of {iso(TODAY)}")  # fmt: skip

    time_floor(path)  # warm the page cache for everyone
    load0 = os.getloadavg()[0]
    sel = [time_select(path) for _ in range(args.repeat)]
    floor = [time_floor(path) for _ in range(args.repeat)]
    proc = [time_process(path) for _ in range(args.repeat)]
    load1 = os.getloadavg()[0]
    med = statistics.median

    def fig(runs: list[tuple[float, ...]], i: int) -> str:
        """median (best) of one measure over the runs"""
        return f"{med(x[i] for x in runs):6.3f} ({min(x[i] for x in runs):5.3f})"

    s_wall, f_wall, p_wall = (med(x[0] for x in r) for r in (sel, floor, proc))
    s_cpu, f_cpu, p_cpu = (med(x[1] for x in r) for r in (sel, floor, proc))
    agree = "they agree" if sel[0][2] == floor[0][2] else "THEY DIFFER"
    print(f"reminders due on {iso(TODAY)}: trainctl {sel[0][2]:,} (+{sel[0][3]} officers' "
          f"digests), one raw SQL statement {floor[0][2]:,}: {agree}")  # fmt: skip
    print(f"machine: load {load0:.2f} -> {load1:.2f} (1 min) on {os.cpu_count()} cores; "
          f"median (best) of {args.repeat} runs; seconds")  # fmt: skip
    print("                                                          wall             CPU")
    print(f"raw SQL  one statement, plain sqlite3 (no digest)     {fig(floor, 0)}  {fig(floor, 1)}")
    print(f"select   trainctl in-process (every kind, digest,     {fig(sel, 0)}  {fig(sel, 1)}")
    print("         log lookup, each reminder's text)")
    print(f"dry-run  `trainctl --format csv reminders send        {fig(proc, 0)}  {fig(proc, 1)}")
    print("         --dry-run`, whole process, to /dev/null")
    print(f"ratios (medians): select / raw SQL {s_wall / f_wall:.2f}x wall, {s_cpu / f_cpu:.2f}x CPU; "
          f"dry-run / raw SQL {p_wall / f_wall:.2f}x wall, {p_cpu / f_cpu:.2f}x CPU; "
          f"dry-run / select {p_wall / s_wall:.2f}x wall")  # fmt: skip
    verdict = "met" if p_wall < 2 else "NOT met"
    print(f"target: --dry-run finds what is due in under 2 s: {verdict} "
          f"({p_wall:.2f} s wall, {p_cpu:.2f} s CPU, median)")  # fmt: skip
    if load0 > (os.cpu_count() or 1) * 0.75:
        print("note: the machine was busy; wall times include waiting for a core (CPU is "
              "the steadier figure)")


if __name__ == "__main__":
    main()
