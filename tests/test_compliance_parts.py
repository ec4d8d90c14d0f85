"""A large department's compliance report: the JSON is written a thousand cells at a time
(cli/report.py), so memory does not grow with the text (bench/compliance.py --members
5000). The report is the same, byte for byte."""

from __future__ import annotations

import io
import sys
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from trainctl.queries import compliance as qc


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from trainctl.cli.main import app

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    r = CliRunner().invoke(app, ["--quiet", "demo", "--path", str(path), "--as-of", "2025-06-02"])
    assert r.exit_code == 0, r.stderr
    return path


def test_the_json_is_written_a_thousand_cells_at_a_time(cli, demo_db, monkeypatch):
    """Byte for byte the JSON of every cell at once, without holding it all: 40 copies of
    the demo's cells (some 17,000) written while the peak of memory stays under half of
    the text written (at once it held the cells' dicts and their text twice over)."""
    import json

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
