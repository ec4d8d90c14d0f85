"""A registry import --update that changes figures of requirements in use (review 30 #1):
program progress follows them at once, as after `requirement edit`.

World: bench/compliance.py's department (500 members x 20 requirements, 50,000 training
records, cards, shifts, calls), its requirements made a registry's entries ("BENCH"), all
20 linked into one program, and every member enrolled in it a year before the as-of day
(so every record, card, shift and call of that year is credited). The update file raises
every target (hours x 2, shifts and calls + 1, a course more) and widens what four hours
entries count: 20 requirements x 500 enrollments re-measured, four re-credited.

Prints seconds (median of N runs, each on a fresh copy), in-process, through COMMIT, of
  - none:  the import as it was before program progress followed it (the writes alone);
  - set:   the import as it is (services/requirements.follow_changes: one re-measure and
           one re-credit pass for all the updated entries);
  - loop:  the same, following one requirement at a time (as 20 `requirement edit`s);
and the ratios.

    .venv/bin/python bench/registry_update.py [--members 500] [--records 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compliance import AS_OF, build

WIDER = {"Hazmat": ["hazmat", "rescue"], "Driver": ["driver", "officer"],
         "EMS CE": ["ems", "rescue"], "Officer CE": ["officer", "driver"]}  # fmt: skip


def entries(path: Path) -> list[dict[str, Any]]:
    """The requirements as registry entries (every field a RegistryEntry has)."""
    from sqlmodel import Session, col, select

    from trainctl.db import open_engine
    from trainctl.models import Requirement
    from trainctl.schemas.registry import RegistryEntry

    engine = open_engine(f"sqlite:///{path}")
    with Session(engine) as s:
        rows = s.exec(select(Requirement).order_by(col(Requirement.id))).all()
        out = []
        for r in rows:
            fields = {k: getattr(r, k) for k in RegistryEntry.model_fields}
            out.append(RegistryEntry.model_validate(fields).model_dump(mode="json"))
    engine.dispose()
    return out


def doc(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"registry": "BENCH", "description": "bench", "edition": "2026", "requirements": items}


def prepare(tmp: Path, members: int, records: int) -> tuple[Path, Path]:
    base = tmp / "base.db"
    build(base, members, records)
    con = sqlite3.connect(base)
    con.execute(
        "UPDATE requirement SET registry_name = 'BENCH', registry_code = 'B-' || id, "
        "source = 'state', source_document = 'bench rule 2026', is_editable = 0, "
        "description = name"
    )
    con.commit()
    con.close()
    first = entries(base)
    env = {**os.environ, "TRAINCTL_DB": str(base)}
    start = (AS_OF - timedelta(days=365)).isoformat()

    def run(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "trainctl", "--quiet", "--as-of", start, *args],
                       env=env, check=True, capture_output=True)  # fmt: skip

    (tmp / "first.json").write_text(json.dumps(doc(first)))
    run("import", "registry", str(tmp / "first.json"))  # the import of record: all unchanged
    links = "".join(f'[[requirements]]\nregistry = "BENCH"\ncode = "{e["registry_code"]}"\n' for e in first)
    (tmp / "p.toml").write_text('name = "Bench"\nversion = 1\ndescription = "d"\n'
                                f'structure_type = "flexible"\n{links}')  # fmt: skip
    run("program", "apply", "--file", str(tmp / "p.toml"))
    (tmp / "class.csv").write_text("badge\n" + "".join(f"{i:05d}\n" for i in range(1, members + 1)))
    run("enroll", "bulk", "Bench", "--csv", str(tmp / "class.csv"))
    changed = []
    for e in first:
        e = dict(e)
        if e["required_hours"]:
            e["required_hours"] *= 2
        for f in ("required_shifts", "required_calls"):
            if e[f]:
                e[f] += 1
        if e["required_courses"]:
            e["required_courses"] = [*e["required_courses"], "C4"]
        if e["name"] in WIDER:
            e["counts_categories"] = WIDER[e["name"]]
        changed.append(e)
    update = tmp / "update.json"
    update.write_text(json.dumps(doc(changed)))
    return base, update


def timed(path: Path, update: Path, mode: str) -> tuple[float, str]:
    from trainctl.db import open_engine, session_scope
    from trainctl.services import registry as reg
    from trainctl.services import requirements as rq
    from trainctl.services.auth import OWNER

    follow = rq.follow_changes

    def none(*_: Any, **__: Any) -> tuple[list[str], None]:
        return [], None

    def loop(session: Any, actor: Any, changes: Any, **kw: Any) -> tuple[list[str], Any]:
        lines: list[str] = []
        for one in changes:
            lines += follow(session, actor, [one], **kw)[0]
        return lines, None

    reg.follow_changes = {"none": none, "set": follow, "loop": loop}[mode]  # type: ignore[assignment]
    engine = open_engine(f"sqlite:///{path}")
    try:
        t = time.perf_counter()
        with session_scope(engine) as s:
            parsed = reg.read_registry(s, update)
            result = reg.import_registry(s, OWNER, parsed, update=True, today=AS_OF)
        took = time.perf_counter() - t
    finally:
        reg.follow_changes = follow
        engine.dispose()
    return took, " / ".join([result.summary(), *result.lines])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base, update = prepare(tmp, a.members, a.records)
        con = sqlite3.connect(base)
        n_rows = con.execute("SELECT count(*) FROM requirement_progress").fetchone()[0]
        n_credits = con.execute("SELECT count(*) FROM progress_credit").fetchone()[0]
        con.close()
        times: dict[str, list[float]] = {"none": [], "set": [], "loop": []}
        said = ""
        for i in range(a.runs):
            for mode in times:
                copy = tmp / f"run{i}-{mode}.db"
                shutil.copy(base, copy)
                took, text = timed(copy, update, mode)
                times[mode].append(took)
                said = text if mode == "set" else said
                copy.unlink()
        none, setb, loop = (statistics.median(times[m]) for m in ("none", "set", "loop"))
        print(f"{a.members} members, {n_rows} progress rows, {n_credits} credits; 20 entries updated")
        print(f"  import without following: {none:.3f} s")
        print(f"  import, progress follows (set-based): {setb:.3f} s ({setb - none:.3f} s to follow)")
        print(f"  import, following one requirement at a time: {loop:.3f} s ({loop - none:.3f} s)")
        print(f"  loop/set (following alone): {(loop - none) / max(setb - none, 1e-9):.1f}x")
        print(f"  said: {said}")


if __name__ == "__main__":
    main()
