"""`trainctl program show` on a program of 10 phases x 200 requirement links.

Builds the program in a temporary database (through `program apply`), then runs
`trainctl program show` in-process (table and JSON) and prints the median time and the
number of SQL queries per call. Target: under 400 ms, constant queries.

    .venv/bin/python bench/program_show.py [--phases 10] [--links 200] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phases", type=int, default=10)
    ap.add_argument("--links", type=int, default=200)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()

    import sqlalchemy as sa
    from program_helpers import big_program_file
    from typer.testing import CliRunner

    from trainctl.cli.main import app
    from trainctl.queries import Reader

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TRAINCTL_DB"] = str(Path(tmp) / "bench.db")
        os.environ["COLUMNS"] = "120"
        runner = CliRunner()

        def run(*argv: str) -> str:
            r = runner.invoke(app, list(argv), catch_exceptions=False)
            assert r.exit_code == 0, r.stderr
            return r.stdout

        f = big_program_file(Path(tmp) / "big.json", "Bench", args.phases, args.links)
        start = time.perf_counter()
        run("program", "apply", "-f", str(f))
        build = time.perf_counter() - start
        # program show runs on the read side (queries/, a plain DB-API connection): count
        # its queries there; SQLAlchemy statements too, should any creep back in.
        statements: list[str] = []
        sa.event.listen(
            sa.engine.Engine, "before_cursor_execute", lambda *a: statements.append(a[2])
        )
        original = Reader.all

        def counted(self: Reader, sql: str, params: Any = None) -> Any:
            statements.append(sql)
            return original(self, sql, params)

        Reader.all = counted  # type: ignore[method-assign]  # a bench's instrumentation
        print(
            f"program: {args.phases} phases x {args.links} links (apply took {build * 1000:.0f} ms)"
        )
        floor = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            run("db", "path")
            floor.append(time.perf_counter() - t0)
        print(
            f"floor (`trainctl db path`, same in-process runner): median {statistics.median(floor) * 1000:6.1f} ms"
        )
        for fmt in ("table", "json"):
            times = []
            for _ in range(args.runs):
                statements.clear()
                t0 = time.perf_counter()
                run("program", "show", "Bench", "--format", fmt)
                times.append(time.perf_counter() - t0)
            print(
                f"program show --format {fmt:5}: median {statistics.median(times) * 1000:6.1f} ms "
                f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}) over {args.runs} runs; "
                f"{len(statements)} SQL statements per call"
            )


if __name__ == "__main__":
    main()
