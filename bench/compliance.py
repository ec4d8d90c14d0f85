"""The compliance matrix at department scale (issue 9): 500 members x 20 requirements x
50,000 training records (plus cards, shifts and calls), `report compliance --format json`
as a whole process, against one hand-written SQL aggregate that computes the hours cells
alone.

    .venv/bin/python bench/compliance.py [--members 500] [--records 50000] [--runs 5]

World: members with mixed positions and hire dates over 20 years; 20 requirements: hours
(annual by category, monthly ISO-style with a category, quarterly, biennial, rolling 12
months, one-time from the hire date; each names what it counts, as every hours requirement
must: the plain ones count the training type every record has, so they sum what the
floor's unfiltered cells sum), NREMT-style biennial hours with components and topic
minimums, certifications (BLS, ACLS, FF1, HM-OPS), courses, shifts, calls; 50,000 records
over the two years before the as-of date, 2,000 cards, 20,000 shift attendances and
10,000 call responses. Written with sqlite3.executemany into a database trainctl created.

Prints the median wall time (and CPU time) over N runs of:
  - report:   `trainctl --db DB --as-of D report compliance --format json > /dev/null`;
  - floor:    a Python process running one SQL aggregate (every hours cell of every
              member: the window sums by category, one GROUP BY member) and printing it
              as JSON: the same process start, the same output channel;
  - and the aggregate query alone, in-process;
then report / floor against the target (within 3x) and the target of 2 s. Then the
report's own phases in-process (load, evaluate, render) so a regression can be placed.
The report judges its cells in as many processes as there are cores (trainctl/fanout.py);
it is also timed in one process (TRAINCTL_WORKERS=1), and the ratio printed.
Timings are printed, never asserted (shared, noisy machines).
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

AS_OF = date(2026, 6, 15)
# The requirements are the department's of long standing, entered before any hire date and
# any window: a requirement entered inside a window is owed a share of it, counted from its
# entry (README "Part of a window"), which is not the window's sum the floor computes.
ENTERED = "2000-01-01 00:00:00"
POSITIONS = ("firefighter", "emt", "driver", "officer", "paramedic")
CATEGORIES = ("structural_firefighting", "hazmat", "ems", "driver", "officer", "rescue")
NCCP = [
    {"name": "national", "min_hours": 20, "distributive_max_hours": 7, "topics": [
        {"name": "airway", "min_hours": 1.5}, {"name": "cardiovascular", "min_hours": 6},
        {"name": "trauma", "min_hours": 1.5}, {"name": "medical", "min_hours": 6},
        {"name": "operations", "min_hours": 5}]},
    {"name": "local", "min_hours": 10, "distributive_max_hours": 7},
    {"name": "individual", "min_hours": 10},
]  # fmt: skip

# (name, type, frequency, period_months, anchor, positions, target fields)
REQUIREMENTS: list[tuple[str, str, str, int | None, str, list[str], dict[str, object]]] = [
    ("Company training", "hours", "monthly", None, "calendar", [], {
        "required_hours": 16, "hour_categories": [{"name": "structural_firefighting", "min_hours": 16}]}),
    ("Hazmat", "hours", "annual", None, "calendar", [], {"required_hours": 6, "counts_categories": ["hazmat"]}),
    ("EMS CE", "hours", "annual", None, "calendar", ["emt", "paramedic"],
     {"required_hours": 24, "counts_categories": ["ems"]}),
    ("Driver", "hours", "annual", None, "calendar", ["driver"], {"required_hours": 12, "counts_categories": ["driver"]}),
    ("Officer CE", "hours", "annual", None, "calendar", ["officer"],
     {"required_hours": 12, "counts_categories": ["officer"]}),
    ("Rescue quarterly", "hours", "quarterly", None, "calendar", ["firefighter"],
     {"required_hours": 3, "counts_categories": ["rescue"]}),
    ("Facility", "hours", "annual", None, "hire_date", [], {"required_hours": 18, "counts_training_types": ["class"]}),
    ("Biennial refresher", "hours", "biennial", None, "calendar", [], {
        "required_hours": 40, "counts_training_types": ["class"]}),
    ("Rolling drill", "hours", "rolling", 12, "calendar", [], {
        "required_hours": 48, "counts_categories": ["structural_firefighting"]}),
    ("Recruit", "hours", "one_time", None, "hire_date", [], {
        "required_hours": 240, "counts_training_types": ["class"]}),
    ("EMT NCCP", "hours", "biennial", None, "certification_date", ["emt"], {
        "required_hours": 40, "hour_categories": NCCP}),
    ("BLS", "certification", "biennial", None, "calendar", [], {"credential_code": "BLS"}),
    ("ACLS", "certification", "biennial", None, "calendar", ["paramedic"], {"credential_code": "ACLS"}),
    ("FF1", "certification", "one_time", None, "calendar", ["firefighter"], {"credential_code": "FF1"}),
    ("HM-OPS", "certification", "one_time", None, "calendar", ["firefighter"], {"credential_code": "HM-OPS"}),
    ("Core courses", "courses", "annual", None, "calendar", [], {"required_courses": ["C1", "C2", "C3"]}),
    ("Shifts", "shifts", "annual", None, "calendar", [], {"required_shifts": 24}),
    ("Calls", "calls", "annual", None, "calendar", [], {"required_calls": 12}),
    ("EMS calls", "calls", "quarterly", None, "calendar", ["emt"], {"required_calls": 3, "counts_call_types": ["EMS"]}),
    ("Quarterly drill", "hours", "quarterly", None, "calendar", [], {
        "required_hours": 6, "counts_training_types": ["class"]}),
]  # fmt: skip


def compiled() -> None:
    """Time trainctl as `pip install` leaves it, with its bytecode written: an editable
    checkout under PYTHONDONTWRITEBYTECODE (this machine sets it) would compile every
    module again in every process, about 0.15 s of each start."""
    import compileall

    import trainctl

    compileall.compile_dir(Path(trainctl.__file__).parent, quiet=1)


def build(path: Path, members: int, records: int) -> None:
    env = {**os.environ, "TRAINCTL_DB": str(path)}
    subprocess.run([sys.executable, "-m", "trainctl", "--quiet", "member", "list"], env=env,
                   check=True, capture_output=True)  # fmt: skip  (creates the file at head)
    rnd = random.Random(9)
    con = sqlite3.connect(path)
    now = "2026-06-01 00:00:00"
    con.executemany(
        "INSERT INTO member (id, name, email, badge, positions, role, status, hire_date, "
        "certification_date, created_at) VALUES (?, ?, ?, ?, ?, 'member', 'active', ?, ?, ?)",
        [
            (i, f"Member {i:04d}", f"m{i}@example.org", f"{i:05d}",
             json.dumps(sorted(set(rnd.sample(POSITIONS, rnd.randint(1, 3))))),
             (AS_OF - timedelta(days=rnd.randint(30, 7300))).isoformat(),
             (AS_OF - timedelta(days=rnd.randint(30, 1500))).isoformat(), now)
            for i in range(1, members + 1)
        ],
    )  # fmt: skip
    cols = ("name", "requirement_type", "frequency", "period_months", "period_anchor",
            "required_positions", "required_hours", "required_shifts", "required_calls",
            "required_courses", "credential_code", "hour_categories", "counts_categories",
            "counts_call_types", "counts_training_types")  # fmt: skip
    rows = []
    for name, rtype, freq, months, anchor, pos, t in REQUIREMENTS:
        rows.append((name, rtype, freq, months, anchor, json.dumps(pos), t.get("required_hours"),
                     t.get("required_shifts"), t.get("required_calls"),
                     json.dumps(t.get("required_courses", [])), t.get("credential_code"),
                     json.dumps(t.get("hour_categories", [])), json.dumps(t.get("counts_categories", [])),
                     json.dumps(t.get("counts_call_types", [])),
                     json.dumps(t.get("counts_training_types", [])), ENTERED))  # fmt: skip
    con.executemany(
        f"INSERT INTO requirement ({', '.join(cols)}, created_at, source, aliases, is_editable, "
        "required_skills, checklist_items, counts_courses, "
        f"counts_attendance) VALUES ({', '.join('?' * (len(cols) + 1))}, 'department', '[]', 1, "
        "'[]', '[]', '[]', 0)",
        rows,
    )
    start = AS_OF - timedelta(days=730)
    topics = ("airway", "cardiovascular", "trauma", "medical", "operations")
    recs = []
    for i in range(records):
        m = rnd.randint(1, members)
        day = start + timedelta(days=rnd.randint(0, 730))
        cat = rnd.choice((*CATEGORIES, "national", "local", "individual"))
        topic = rnd.choice(topics) if cat == "national" else None
        code = f"C{rnd.randint(1, 12)}"
        recs.append((m, f"Course {code}", code, f"name:course {code} {i}", "class", cat, topic,
                     day.isoformat(), rnd.choice((1, 2, 3, 4)), "completed",
                     int(rnd.random() < 0.1), now))  # fmt: skip
    con.executemany(
        "INSERT INTO training_record (member_id, course_name, course_code, course_key, "
        "training_type, category, topic, completion_date, hours_completed, status, self_paced, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        recs,
    )
    cards = []
    for m in range(1, members + 1):
        for code in rnd.sample(("BLS", "ACLS", "FF1", "HM-OPS"), 4):
            issued = AS_OF - timedelta(days=rnd.randint(0, 900))
            exp = None if code in ("FF1", "HM-OPS") else issued + timedelta(days=730)
            cards.append((m, code, issued.isoformat(), exp.isoformat() if exp else None, now))
    con.executemany(
        "INSERT INTO certification (member_id, credential_code, issued_on, expires_on, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        cards,
    )
    shifts = [(i + 1, (start + timedelta(days=i)).isoformat(), "S1", "A", now) for i in range(731)]
    con.executemany(
        "INSERT INTO shift (id, shift_date, station, name, activities, created_at) "
        "VALUES (?, ?, ?, ?, '[]', ?)", shifts
    )
    att = {(rnd.randint(1, 731), rnd.randint(1, members)) for _ in range(20_000)}
    con.executemany(
        "INSERT INTO shift_attendance (shift_id, member_id, checked_in_at, checked_out_at, "
        "duration_minutes, created_at) VALUES (?, ?, ?, ?, 1440, ?)",
        [(s, m, now, now, now) for s, m in sorted(att)],
    )
    calls = [(i + 1, f"I{i:06d}", (start + timedelta(days=i % 731)).isoformat(),
              rnd.choice(("EMS", "Fire", "MVA")), now) for i in range(4000)]  # fmt: skip
    con.executemany(
        'INSERT INTO "call" (id, incident_number, shift_date, call_type, created_at, '
        "cancelled_en_route, medical_refusal) VALUES (?, ?, ?, ?, ?, 0, 0)",
        calls,
    )
    resp = {(rnd.randint(1, 4000), rnd.randint(1, members)) for _ in range(10_000)}
    con.executemany(
        "INSERT INTO call_response (call_id, member_id, created_at) VALUES (?, ?, ?)",
        [(c, m, now) for c, m in sorted(resp)],
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


# The floor: every hours cell of every member in one GROUP BY (calendar windows as of
# AS_OF, each requirement's category filter), printed as JSON, from a fresh process. The
# as-of bound is `+completion_date`, as the report writes it (queries.compliance._bounds):
# through the date index, SQLite reads nearly every row out of table order (192 ms here
# before; the floor is the best such query, not a slow one).
def floor_sql() -> str:
    y0, y1 = f"{AS_OF.year}-01-01", f"{AS_OF.year}-12-31"
    m0, m1 = AS_OF.replace(day=1).isoformat(), "2026-06-30"
    q0, q1 = "2026-04-01", "2026-06-30"
    b0, b1 = "2026-01-01", "2027-12-31"
    r0 = (AS_OF.replace(year=AS_OF.year - 1) + timedelta(days=1)).isoformat()
    d = AS_OF.isoformat()

    def s(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN hours_completed ELSE 0 END)"

    cells = [
        s(f"category = 'structural_firefighting' AND completion_date BETWEEN '{m0}' AND '{m1}'"),
        s(f"category = 'hazmat' AND completion_date BETWEEN '{y0}' AND '{y1}'"),
        s(f"category = 'ems' AND completion_date BETWEEN '{y0}' AND '{y1}'"),
        s(f"category = 'driver' AND completion_date BETWEEN '{y0}' AND '{y1}'"),
        s(f"category = 'officer' AND completion_date BETWEEN '{y0}' AND '{y1}'"),
        s(f"category = 'rescue' AND completion_date BETWEEN '{q0}' AND '{q1}'"),
        s(f"completion_date BETWEEN '{y0}' AND '{y1}'"),
        s(f"completion_date BETWEEN '{b0}' AND '{b1}'"),
        s(f"category = 'structural_firefighting' AND completion_date BETWEEN '{r0}' AND '{d}'"),
        s(f"completion_date BETWEEN '{q0}' AND '{q1}'"),
    ]
    return (
        f"SELECT member_id, {', '.join(cells)} FROM training_record "
        f"WHERE voided_at IS NULL AND status = 'completed' AND +completion_date <= '{d}' "
        "GROUP BY member_id ORDER BY member_id"
    )


FLOOR = """
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute(sys.argv[2]).fetchall()
sys.stdout.write(json.dumps([list(r) for r in rows], indent=2) + "\\n")
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def phases(db: Path) -> dict[str, float]:
    """The report's phases in-process, as `queries.compliance.matrix` runs them (the cycle
    collector off, facts without display names): read (members, requirements, facts),
    evaluate (`evaluate_all`), JSON (the CLI's cells); then the matrix as one call."""
    from trainctl import fanout
    from trainctl.cli.report import cell_json, summary
    from trainctl.domain import compliance as dcm
    from trainctl.permissions import OWNER
    from trainctl.queries import compliance as qc
    from trainctl.queries import open_reader

    out: dict[str, float] = {}
    with open_reader(f"sqlite:///{db}") as rd, qc.no_cycle_collection():
        t0 = time.perf_counter()
        members = [qc._member(r) for r in rd.all(f"{qc._MEMBER_SQL} WHERE status = 'active'")]
        rows = qc.requirement_rows(rd, [])
        specs = [qc.spec_of(r) for r in rows]
        facts = qc.load_kinds(rd, None, qc.span_for(specs, AS_OF), names=False)
        full = [m.with_kinds(facts.get(m.id or 0, {}), unique=True) for m in members]
        out["read"] = time.perf_counter() - t0
        # split first: the evaluator's caches are cold for it, and warm for the one process
        # after it (which flatters the one process, not the split)
        t0 = time.perf_counter()
        fanout.split_map(lambda part: dcm.evaluate_all(part, specs, AS_OF), full,
                         shared=(full, specs), weight=len(specs))  # fmt: skip
        out[f"evaluate split over {fanout.workers()} processes"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        cells = dcm.evaluate_all(full, specs, AS_OF)
        out["evaluate in one process"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        m = qc.matrix(rd, OWNER, as_of=AS_OF)
        out["matrix (read + evaluate)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        json.dumps(summary(m))
        [json.dumps(cell_json(e), ensure_ascii=False) for e in cells]
        out["json"] = time.perf_counter() - t0
    return out


def bound(db: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """What any report that reads the facts and judges them in Python (one evaluator, in
    domain/) must spend before it judges a single cell, CPU seconds, medians:
      - start:  a process importing what `report compliance` imports (interpreter, Typer,
                the CLI, the compliance read side), doing nothing;
      - fetch:  the matrix's own fact queries (`load_kinds`' SQL, the same span and
                columns), rows fetched and dropped: no Fact is made;
      - json:   the report's 10,000 cells written as its JSON (from the evaluated cells).
    Their sum against the floor is the ratio no such implementation can beat; only
    judging the cells inside the SQL could (a second calculator, which issue 9 forbids)."""
    from trainctl.cli.report import cell_json
    from trainctl.domain import compliance as dcm
    from trainctl.queries import compliance as qc
    from trainctl.queries import open_reader

    start_cmd = [sys.executable, "-c", "import trainctl.cli.main, trainctl.cli.report, "
                 "trainctl.queries.compliance, trainctl.domain.compliance"]  # fmt: skip
    start = statistics.median(timed(start_cmd, env)[1] for _ in range(runs))
    fetch, dump = [], []
    with open_reader(f"sqlite:///{db}") as rd:
        specs = [qc.spec_of(r) for r in qc.requirement_rows(rd, [])]
        span = qc.span_for(specs, AS_OF)
        for _ in range(runs):
            t0 = time.process_time()
            for kind in span.first:
                if kind == dcm.CHECKLIST:
                    rows = rd.all(qc._CHECKLIST_SQL)
                else:
                    params: dict[str, object] = {}
                    rows = rd.all(qc._facts_sql(kind, span, params, names=False), params)
                del rows
            fetch.append(time.process_time() - t0)
        with qc.no_cycle_collection():
            members = [qc._member(r) for r in rd.all(f"{qc._MEMBER_SQL} WHERE status = 'active'")]
            facts = qc.load_kinds(rd, None, span, names=False)
            full = [m.with_kinds(facts.get(m.id or 0, {}), unique=True) for m in members]
            cells = dcm.evaluate_all(full, specs, AS_OF)
            encode = json.JSONEncoder(ensure_ascii=False).encode  # as the report does
            for _ in range(runs):
                t0 = time.process_time()
                "\n".join(encode(cell_json(e)) for e in cells)
                dump.append(time.process_time() - t0)
    return {"start": start, "fetch": statistics.median(fetch), "json": statistics.median(dump)}


def workers() -> int:
    from trainctl.fanout import workers

    return workers()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="build the world in this directory and keep it "
                    "(reused when it already holds one: profile the report against it)")
    args = ap.parse_args()
    compiled()
    with tempfile.TemporaryDirectory() as tmp:
        db = (args.keep or Path(tmp)) / "bench.db"
        t0 = time.perf_counter()
        if args.keep is None or not db.exists():
            db.parent.mkdir(parents=True, exist_ok=True)
            build(db, args.members, args.records)
            made = f"built in {time.perf_counter() - t0:.1f} s"
        else:
            made = f"reused from {db} (built with the sizes it was built with)"
        print(f"world: {args.members} members x {len(REQUIREMENTS)} requirements x "
              f"{args.records} records (+ cards, shifts, calls) {made}")  # fmt: skip
        env = {**os.environ, "TRAINCTL_DB": str(db)}
        env.pop("TRAINCTL_ACTOR", None)
        report_cmd = [sys.executable, "-m", "trainctl", "--as-of", AS_OF.isoformat(), "report",
                      "compliance", "--format", "json"]  # fmt: skip
        floor_cmd = [sys.executable, "-c", FLOOR, str(db), floor_sql()]
        out = subprocess.run(report_cmd, env=env, check=True, capture_output=True, text=True).stdout
        cells = len(json.loads(out)["cells"])
        report = [timed(report_cmd, env) for _ in range(args.runs)]
        alone = [timed(report_cmd, {**env, "TRAINCTL_WORKERS": "1"}) for _ in range(args.runs)]
        floor = [timed(floor_cmd, env) for _ in range(args.runs)]
        con = sqlite3.connect(db)
        query = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            con.execute(floor_sql()).fetchall()
            query.append(time.perf_counter() - t0)
        con.close()
        rw, rc = statistics.median(w for w, _ in report), statistics.median(c for _, c in report)
        fw, fc = statistics.median(w for w, _ in floor), statistics.median(c for _, c in floor)
        print(f"report compliance --format json: {cells} cells, median {rw:.3f} s wall, "
              f"{rc:.3f} s CPU (target: within 2 s), its cells judged by {workers()} "
              "processes (trainctl/fanout.py)")  # fmt: skip
        aw, ac = statistics.median(w for w, _ in alone), statistics.median(c for _, c in alone)
        print(f"  the same in one process (TRAINCTL_WORKERS=1): median {aw:.3f} s wall, "
              f"{ac:.3f} s CPU; split / one process: {rw / aw:.2f}x wall")  # fmt: skip
        print(f"floor (one SQL aggregate of the hours cells, as a process): median {fw:.3f} s wall, "
              f"{fc:.3f} s CPU; the query alone {statistics.median(query) * 1000:.0f} ms")  # fmt: skip
        print(f"ratio report / floor: {rw / fw:.2f}x wall, {rc / fc:.2f}x CPU (target: within 3x)")
        for name, secs in phases(db).items():
            print(f"  in-process {name}: {secs * 1000:.0f} ms")
        least = bound(db, env, args.runs)
        total = sum(least.values())
        print("the least a one-evaluator report spends before judging a cell (CPU): "
              + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in least.items())
              + f" = {total:.3f} s, {total / fc:.2f}x the floor")  # fmt: skip


if __name__ == "__main__":
    main()
