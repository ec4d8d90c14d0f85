"""A large department's compliance matrix in parts (queries/compliance.py `_matrix`): the
members are read and judged MEMBERS_AT_ONCE at a time and each part's facts let go once
judged, and the JSON is written a thousand cells at a time (cli/report.py), so memory
stays that of one part (bench/compliance.py --members 5000). The report is the same,
byte for byte, whatever the parts."""

from __future__ import annotations

import io
import json
import sys
import tracemalloc
from datetime import date
from pathlib import Path

from trainctl.queries import compliance as qc

DAYS = ("2025-06-02", "2025-01-15")


def _reports(cli, db: Path) -> list[tuple[str, str]]:
    out = []
    for day in DAYS:
        for args in (("--format", "json"), ("--format", "csv"), (), ("--behind",),
                     ("--position", "firefighter", "--format", "json")):  # fmt: skip
            r = cli("--db", str(db), "report", "compliance", "--as-of", day, *args)
            out.append((r.stdout, r.stderr))
    return out


def test_a_department_judged_in_parts_gets_the_report_it_gets_at_once(cli, demo_db, monkeypatch):
    at_once = _reports(cli, demo_db)
    monkeypatch.setattr(qc, "MEMBERS_AT_ONCE", 3)  # the demo's 14 members in five parts
    assert _reports(cli, demo_db) == at_once
    assert any(out.count("\n") > 100 for out, _ in at_once)


def test_each_parts_facts_are_let_go_once_judged(demo_db, monkeypatch):
    """The cells keep the members as read (no facts): a part's facts are freed before the
    next part is read. A year's report (`report iso`, which judges cells again from the
    facts) keeps them."""
    from trainctl.permissions import OWNER
    from trainctl.queries import open_reader

    day = date(2025, 6, 2)
    with open_reader(f"sqlite:///{demo_db}") as rd:
        whole = qc.matrix(rd, OWNER, as_of=day)
        monkeypatch.setattr(qc, "MEMBERS_AT_ONCE", 3)
        parts = qc.matrix(rd, OWNER, as_of=day)
        year = qc.matrix(rd, OWNER, as_of=day, with_year=True, year_from=date(2025, 1, 1))
    assert len(parts.members) == 14 and len(parts.cells) == len(whole.cells)
    assert all(m.facts == () for m in parts.members)
    assert all(any(e.member is m for m in parts.members) for e in parts.cells)
    assert [(e.member.id, e.requirement.id, e.status, e.reason, e.value, e.due) for e in parts.cells] == [
        (e.member.id, e.requirement.id, e.status, e.reason, e.value, e.due) for e in whole.cells
    ]
    assert sum(len(m.facts) for m in year.members) > 100


def test_the_member_index_leads_when_members_are_listed(demo_db):
    """A part's facts by its members' ids: the member index, not a date index probed for
    every member of the list (0.93 s for 5,000 members' call responses, against 0.03)."""
    from trainctl.domain import compliance as dcm
    from trainctl.queries import in_list, open_reader

    span = qc.Span(date(2025, 6, 2), dict.fromkeys(qc._KINDS, date(2024, 1, 1)))
    with open_reader(f"sqlite:///{demo_db}") as rd:
        for kind in (dcm.TRAINING, dcm.SHIFT, dcm.CALL):
            params: dict[str, object] = {}
            sql = qc._facts_sql(kind, span, params, names=False, by_member=True)
            ins, more = in_list("m", list(range(1, 40)))
            plan = rd.all(f"EXPLAIN QUERY PLAN {sql} AND {qc._ALIAS[kind]}.member_id IN {ins}",
                          {**params, **more})  # fmt: skip
            first = plan[0][3]
            assert "member_id" in first, (kind, plan)


def test_the_json_is_written_a_thousand_cells_at_a_time(cli, demo_db, monkeypatch):
    """Byte for byte the JSON of every cell at once, without holding it all: 40 copies of
    the demo's cells (some 17,000) written while the peak of memory stays under half of
    the text written (at once it held the cells' dicts and their text twice over)."""
    from trainctl.cli import report
    from trainctl.permissions import OWNER
    from trainctl.queries import open_reader

    day = date(2025, 6, 2)
    with open_reader(f"sqlite:///{demo_db}") as rd:
        m = qc.matrix(rd, OWNER, as_of=day)
    sums = report.summary(m)
    cells = m.cells * 40

    class Counted:  # a stdout that keeps nothing: the peak is the report's own
        n = 0

        def write(self, text: str) -> None:
            self.n += len(text)

    sink = Counted()
    monkeypatch.setattr(sys, "stdout", sink)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        report._emit_matrix_json(day, 30, sums, cells)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert sink.n > 5_000_000 and peak < sink.n / 2, (peak, sink.n)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    report._emit_matrix_json(day, 30, sums, cells)
    text = out.getvalue()
    assert len(text) == sink.n
    data = json.loads(text)
    assert data["summary"] == json.loads(json.dumps(sums))
    assert data["cells"] == [json.loads(json.dumps(report.cell_json(e))) for e in cells]
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def block(items: list[dict]) -> str:  # the whole list at once, as it was written before
        return "[\n" + ",\n".join("    " + encode(i) for i in items) + "\n  ]"

    assert text == (
        '{\n  "as_of": "2025-06-02",\n  "due_soon_days": 30,\n'
        f'  "summary": {block(sums)},\n  "cells": {block([report.cell_json(e) for e in cells])}\n}}\n'
    )


def test_the_departments_own_database_judged_in_parts(cli, monkeypatch):
    """On the configured backend (SQLite, or PostgreSQL under TRAINCTL_TEST_BACKEND):
    members read by lists of ids, a part at a time, as at once."""
    for i, pos in enumerate(("firefighter", "emt", "firefighter,emt")):
        cli("member", "add", f"M{i}", "--email", f"m{i}@fd.org", "--position", pos,
            "--hire-date", "2020-01-10")  # fmt: skip
    cli("requirement", "add", "--name", "Drill", "--type", "hours", "--counts-type", "drill",
        "--hours", "6", "--frequency", "annual")  # fmt: skip
    cli("requirement", "add", "--name", "EMS", "--type", "hours", "--counts-type", "drill",
        "--hours", "4", "--frequency", "quarterly", "--position", "emt")  # fmt: skip
    for i, (day, hours) in enumerate((("2025-02-01", 4), ("2025-05-05", 7), ("2024-12-31", 8))):
        cli("--as-of", "2026-01-01", "record", "add", f"m{i}@fd.org", "--course", "Drill",
            "--date", day, "--hours", str(hours), "--type", "drill")  # fmt: skip
    args = ("report", "compliance", "--as-of", "2025-06-02", "--format", "json")
    at_once = cli(*args).stdout
    monkeypatch.setattr(qc, "MEMBERS_AT_ONCE", 1)
    assert cli(*args).stdout == at_once
    cells = json.loads(at_once)["cells"]
    assert len(cells) == 6 and {c["status"] for c in cells} >= {"met", "not_applicable"}
