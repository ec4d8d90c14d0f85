"""Golden files: every read command's output (table, json, csv), byte for byte.

Each case runs one read command in-process against one of the databases of
tests/golden_data.py (empty, demo, big) with a fixed --as-of, and compares the exit code,
stdout and stderr with tests/golden/<case>.txt. After an intended change of output:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden_reads.py

rewrites the files; review the diff before committing it.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import golden_data as g
import pytest

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
IDS = g.IDS


@dataclass(frozen=True)
class Case:
    name: str
    db: str  # "empty", "demo" or "big"
    args: tuple[str, ...]
    actor: str | None = None
    columns: int = 200
    as_of: str = g.AS_OF


CASES: list[Case] = []


def case(name: str, db: str, *args: object, actor: str | None = None, columns: int = 200,
         as_of: str = g.AS_OF) -> None:  # fmt: skip
    assert all(c.name != name for c in CASES), name
    CASES.append(Case(name, db, tuple(map(str, args)), actor, columns, as_of))


def formats(name: str, db: str, *args: object, **kw: object) -> None:
    """The case in table, json and csv (the command's own --format)."""
    case(name, db, *args, **kw)  # type: ignore[arg-type]
    for fmt in ("json", "csv"):
        case(f"{name}-{fmt}", db, *args, "--format", fmt, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- empty: the "No ... yet" hints
formats("empty-member-list", "empty", "member", "list")
case("empty-member-list-filtered", "empty", "member", "list", "--status", "inactive")
case("empty-member-positions", "empty", "member", "positions")
case("empty-requirement-list", "empty", "requirement", "list")
case("empty-requirement-list-csv", "empty", "requirement", "list", "--format", "csv")
case("empty-requirement-list-filtered", "empty", "requirement", "list", "--registry", "NFPA")
case("empty-program-list", "empty", "program", "list")
case("empty-enroll-list", "empty", "enroll", "list")
case("empty-progress-pending", "empty", "progress", "pending")
case("empty-progress-self-reporting", "empty", "progress", "self-reporting")
case("empty-member-show-nosuch", "empty", "member", "show", "nosuch")
case("empty-requirement-show-nosuch", "empty", "requirement", "show", "NFPA 1001")
case("empty-program-show-nosuch", "empty", "program", "show", "Probationary Firefighter")
case("empty-enroll-show-99999", "empty", "enroll", "show", "99999")
case("empty-import-nremt-dry-run", "empty", "import", "nremt", "--dry-run")

# ------------------------------------------------------------------------ the demo department
case("demo-member-list", "demo", "member", "list")
case("demo-member-list-json", "demo", "member", "list", "--format", "json")
case("demo-member-show", "demo", "member", "show", "P-301")
case("demo-requirement-list", "demo", "requirement", "list")
case("demo-requirement-show", "demo", "requirement", "show", "NREMT-EMT")
case("demo-program-list", "demo", "program", "list")
formats("demo-program-show", "demo", "program", "show", "Probationary Firefighter")
case("demo-program-show-80", "demo", "program", "show", "Probationary Firefighter", columns=80)
case("demo-program-export", "demo", "program", "export", "Probationary Firefighter")
formats("demo-program-phase-list", "demo", "program", "phase", "list", "Probationary Firefighter")
case("demo-program-requirement-list", "demo", "program", "requirement", "list", "Probationary Firefighter")
case("demo-program-milestone-list", "demo", "program", "milestone", "list", "Probationary Firefighter")
case("demo-enroll-list", "demo", "enroll", "list")
case("demo-enroll-show", "demo", "enroll", "show", "1")
case("demo-enroll-show-80", "demo", "enroll", "show", "1", columns=80)
case("demo-enroll-me", "demo", "enroll", "me", actor="hbrooks@station12.example")
case("demo-progress-log", "demo", "progress", "log", "--enrollment", "9", "--requirement", "NREMT-EMT")
case("demo-progress-milestones", "demo", "progress", "milestones", "1")
# compliance reports (issue 9) on the demo's year of history
EMS = ("--requirement", "NREMT-EMT", "--requirement", "CPR-BLS", "--requirement", "ISO-COMPANY")
formats("demo-report-compliance", "demo", "report", "compliance", *EMS)
case("demo-report-compliance-member", "demo", "report", "compliance", "--member", "F-203")
case("demo-report-compliance-behind-csv", "demo", "report", "compliance", "--behind", "--position",
     "paramedic", "--format", "csv")  # fmt: skip
case("demo-report-compliance-as-member", "demo", "report", "compliance", "--format", "json",
     actor="areyes@station12.example")  # fmt: skip
case("demo-requirement-explain", "demo", "requirement", "explain", "F-203", "NREMT-EMT")
case("demo-requirement-explain-monthly", "demo", "requirement", "explain", "C-100", "ISO-COMPANY")
case("demo-requirement-explain-card-json", "demo", "requirement", "explain", "F-238", "CPR-BLS",
     "--format", "json")  # fmt: skip
case("demo-requirement-explain-other-refused", "demo", "requirement", "explain", "F-203", "CPR-BLS",
     actor="areyes@station12.example")  # fmt: skip
formats("demo-report-expiring", "demo", "report", "expiring", "--within", "90")
formats("demo-report-iso", "demo", "report", "iso", "--year", "2024")
formats("demo-report-nremt", "demo", "report", "nremt", "F-203")
case("demo-report-nremt-80", "demo", "report", "nremt", "F-203", columns=80)

# ----------------------------------------------------------------- the 500-member department
# members
formats("big-member-list", "big", "member", "list")  # > 100 rows: the fast table
case("big-member-list-80", "big", "member", "list", columns=80)
case("big-member-list-global-csv", "big", "--format", "csv", "member", "list", "--role", "officer")
case("big-member-list-inactive", "big", "member", "list", "--status", "inactive")
case("big-member-list-all-probationary-json", "big", "member", "list", "--status", "all", "-p", "probationary", "--format", "json")
case("big-member-list-officers", "big", "member", "list", "--role", "officer", actor=g.LIEUTENANT)
case("big-member-list-hazmat", "big", "member", "list", "--position", "hazmat_tech")
case("big-member-list-two-positions", "big", "member", "list", "-p", "aemt", "-p", "aic")
case("big-member-list-position-words", "big", "member", "list", "--position", "Driver Candidate")
case("big-member-list-position-nobody", "big", "member", "list", "--position", "rescue_diver")
case("big-member-list-unknown-position", "big", "member", "list", "--position", "astronaut")
case("big-member-list-as-member", "big", "member", "list", actor=g.RECRUIT)
case("big-member-list-as-inactive", "big", "member", "list", actor=g.RETIRED)
formats("big-member-show", "big", "member", "show", g.MEDIC)  # edits in its history
case("big-member-show-added-by-officer", "big", "member", "show", "P-501")
case("big-member-show-deactivated", "big", "member", "show", "id:13")
case("big-member-show-long-name-80", "big", "member", "show", "max.fw@dept.example", columns=80)
case("big-member-show-markup-name", "big", "member", "show", "bobby@dept.example")
case("big-member-show-zero-padded-badge", "big", "member", "show", "0555")
case("big-member-show-badge-padded", "big", "member", "show", "0221")
case("big-member-show-badge-wins", "big", "member", "show", "12")
case("big-member-show-badge-prefix", "big", "member", "show", "badge:12")
case("big-member-show-nosuch", "big", "member", "show", "nosuch@dept.example")
case("big-member-show-own", "big", "member", "show", g.RECRUIT, actor=g.RECRUIT)
case("big-member-show-other-refused", "big", "member", "show", g.MEDIC, actor=g.RECRUIT)
formats("big-member-positions", "big", "member", "positions")

# requirements
formats("big-requirement-list", "big", "requirement", "list")
case("big-requirement-list-80", "big", "requirement", "list", columns=80)
case("big-requirement-list-department", "big", "requirement", "list", "--registry", "department")
case("big-requirement-list-proboard-json", "big", "requirement", "list", "--registry", "proboard", "--format", "json")
case("big-requirement-list-hazmat", "big", "requirement", "list", "--position", "hazmat_tech")
case("big-requirement-list-unknown-position", "big", "requirement", "list", "--position", "astronaut")
formats("big-requirement-show", "big", "requirement", "show", "Annual drill hours")  # edited
case("big-requirement-show-alias", "big", "requirement", "show", "State FF cert")
case("big-requirement-show-copy", "big", "requirement", "show", "Annual medical (department)")
case("big-requirement-show-checklist", "big", "requirement", "show", "nfpa 1403")
case("big-requirement-show-skills-json", "big", "requirement", "show", "Rope rescue skills", "--format", "json")
case("big-requirement-show-ambiguous", "big", "requirement", "show", "Fire Fighter I & II")
case("big-requirement-show-nosuch", "big", "requirement", "show", "NFPA 1010")

# programs
formats("big-program-list", "big", "program", "list")
case("big-program-list-all", "big", "program", "list", "--status", "all")
case("big-program-list-archived", "big", "program", "list", "--status", "archived")
case("big-program-list-drafts-json", "big", "program", "list", "--status", "draft", "--format", "json")
case("big-program-list-emt", "big", "program", "list", "--position", "emt")
case("big-program-list-templates", "big", "program", "list", "--template")
case("big-program-show", "big", "program", "show", "Hazmat Technician Refresher")
case("big-program-show-csv", "big", "program", "show", "Hazmat Technician Refresher", "--format", "csv")
case("big-program-show-sequential", "big", "program", "show", "Driver/Operator Candidate")
case("big-program-show-version-2-json", "big", "program", "show", "EMT Recertification@2", "--format", "json")
case("big-program-show-empty-draft", "big", "program", "show", "Officer Development")
case("big-program-show-no-version", "big", "program", "show", "EMT Recertification@3")
case("big-program-export", "big", "program", "export", "Hazmat Technician Refresher")
case("big-program-phase-list-none", "big", "program", "phase", "list", "Officer Development")
formats("big-program-requirement-list", "big", "program", "requirement", "list", "Hazmat Technician Refresher")
case("big-program-requirement-list-phase", "big", "program", "requirement", "list", "Probationary Firefighter", "--phase", "2")
case("big-program-requirement-list-none", "big", "program", "requirement", "list", "Officer Development")
formats("big-program-milestone-list", "big", "program", "milestone", "list", "Driver/Operator Candidate")
case("big-program-milestone-list-none", "big", "program", "milestone", "list", "Legacy Pump Course")
# shipped files: their absolute paths are replaced with <SAMPLES> (see normalise); the
# table is left out because its column widths follow the length of the checkout's path
case("big-program-samples-json", "big", "program", "samples", "--format", "json")
case("big-program-samples-csv", "big", "program", "samples", "--format", "csv")

# enrollments
formats("big-enroll-list", "big", "enroll", "list")  # > 100 rows: the fast table
case("big-enroll-list-program", "big", "enroll", "list", "--program", "Probationary Firefighter")
case("big-enroll-list-on-hold", "big", "enroll", "list", "--status", "on_hold")
case("big-enroll-list-withdrawn-csv", "big", "enroll", "list", "--status", "withdrawn", "--format", "csv")
case("big-enroll-list-failed-json", "big", "enroll", "list", "--status", "failed", "--format", "json")
case("big-enroll-list-completed", "big", "enroll", "list", "--status", "completed")
case("big-enroll-list-member", "big", "enroll", "list", "--member", g.MEDIC)
case("big-enroll-list-bad-status", "big", "enroll", "list", "--status", "paused")
case("big-enroll-list-as-member", "big", "enroll", "list", actor=g.RECRUIT)
case("big-enroll-list-as-member-other", "big", "enroll", "list", "--member", g.MEDIC, actor=g.RECRUIT)
case("big-enroll-me", "big", "enroll", "me", actor=g.MEDIC)
case("big-enroll-me-csv", "big", "enroll", "me", "--format", "csv", actor=g.MEDIC)
case("big-enroll-me-none", "big", "enroll", "me", actor=g.CHIEF)
case("big-enroll-me-no-actor", "big", "enroll", "me")
case("big-enroll-user", "big", "enroll", "user", g.DRIVER)
case("big-enroll-user-as-member-refused", "big", "enroll", "user", g.MEDIC, actor=g.RECRUIT)
case("big-enroll-user-nosuch", "big", "enroll", "user", "nosuch@dept.example")
formats("big-enroll-show", "big", "enroll", "show", IDS["recruit"])  # phase 2, pending credit
case("big-enroll-show-80", "big", "enroll", "show", IDS["recruit"], columns=80)
case("big-enroll-show-later", "big", "enroll", "show", IDS["recruit"], as_of="2026-07-01")
case("big-enroll-show-waived", "big", "enroll", "show", IDS["recruit2"])
case("big-enroll-show-overdue", "big", "enroll", "show", IDS["overdue"])
case("big-enroll-show-held", "big", "enroll", "show", IDS["held"])
case("big-enroll-show-withdrawn-json", "big", "enroll", "show", IDS["withdrawn"], "--format", "json")
case("big-enroll-show-categories", "big", "enroll", "show", IDS["medic"])
case("big-enroll-show-categories-json", "big", "enroll", "show", IDS["medic"], "--format", "json")
case("big-enroll-show-sequential", "big", "enroll", "show", IDS["driver"])
case("big-enroll-show-department-program", "big", "enroll", "show", IDS["hazmat"])
case("big-enroll-show-own", "big", "enroll", "show", IDS["recruit"], actor=g.RECRUIT)
case("big-enroll-show-other-refused", "big", "enroll", "show", IDS["medic"], actor=g.RECRUIT)
case("big-enroll-show-99999", "big", "enroll", "show", "99999")

# progress
formats("big-progress-log", "big", "progress", "log", IDS["scba_row"])  # a correction
case("big-progress-log-categories", "big", "progress", "log", "--enrollment", IDS["medic"], "--requirement", "NREMT-EMT")
case("big-progress-log-by-member", "big", "progress", "log", "--member", g.RECRUIT2, "--requirement", "Probationary ride-along shifts")
case("big-progress-log-checklist", "big", "progress", "log", "--enrollment", IDS["driver"], "--requirement", "Emergency vehicle operations course")
case("big-progress-log-none", "big", "progress", "log", IDS["untouched_row"])
case("big-progress-log-own", "big", "progress", "log", IDS["rides_row"], actor=g.RECRUIT2)
case("big-progress-log-other-refused", "big", "progress", "log", IDS["emt_row"], actor=g.RECRUIT)
case("big-progress-log-no-row", "big", "progress", "log")
case("big-progress-log-requirement-not-in-enrollment", "big", "progress", "log", "--enrollment", IDS["medic"], "--requirement", "NFPA 1582")
formats("big-progress-pending", "big", "progress", "pending")
case("big-progress-pending-as-member", "big", "progress", "pending", actor=g.RECRUIT)
case("big-progress-milestones", "big", "progress", "milestones", IDS["driver"])
case("big-progress-milestones-json", "big", "progress", "milestones", IDS["driver"], "--format", "json")
case("big-progress-milestones-phases", "big", "progress", "milestones", IDS["recruit"])
case("big-progress-milestones-other-refused", "big", "progress", "milestones", IDS["medic"], actor=g.RECRUIT)
case("big-progress-self-reporting", "big", "progress", "self-reporting")

# the database file, and dry-run imports (they read: nothing is written)
case("big-db-check", "big", "db", "check")
case("big-db-current-json", "big", "--format", "json", "db", "current")
case("big-import-nfpa-dry-run", "big", "import", "nfpa", "--dry-run")
case("big-import-iso-dry-run-json", "big", "import", "iso", "--dry-run", "--format", "json")

case("big-progress-self-reporting-json", "big", "--format", "json", "progress", "self-reporting")

# listings people sort and filter (#20)
formats("big-enroll-list-overdue", "big", "enroll", "list", "--overdue")
case("big-enroll-list-below-by-progress", "big", "enroll", "list", "--below", "10", "--sort", "progress",
     "--program", "Driver/Operator Candidate")  # fmt: skip
case("big-enroll-list-sort-target", "big", "enroll", "list", "--status", "active", "--sort", "target",
     "--program", "Hazmat Technician Refresher", "--format", "csv")  # fmt: skip
case("big-enroll-list-bad-sort", "big", "enroll", "list", "--sort", "age")
case("big-enroll-list-bad-below", "big", "enroll", "list", "--below", "120")
case("big-enroll-list-overdue-none", "big", "enroll", "list", "--overdue", "--member", g.MEDIC)


# ---------------------------------------------------------------------------------- running
@pytest.fixture(scope="module")
def golden_dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("golden")
    dbs = g.build_all(root)
    return {**dbs, "root": root}


def normalise(text: str, dbs: dict[str, Path]) -> str:
    """Paths that differ between checkouts and runs become placeholders."""
    from trainctl.services.program_files import sample_programs

    samples = sample_programs()[0].parent
    text = text.replace(str(samples), "<SAMPLES>")
    for name in ("empty", "demo", "big"):
        text = text.replace(str(dbs[name]), f"<{name}.db>")
    return text


def command(c: Case) -> list[str]:
    return ["--db", f"<{c.db}.db>", "--as-of", c.as_of, *(["--as", c.actor] if c.actor else []), *c.args]


def section(text: str) -> str:
    if text and not text.endswith("\n"):
        return text + "\n[no newline at end]\n"
    return text


def document(c: Case, exit_code: int, stdout: str, stderr: str) -> str:
    return (
        f"$ COLUMNS={c.columns} trainctl {shlex.join(command(c))}\n"
        f"exit code: {exit_code}\n"
        f"----- stdout -----\n{section(stdout)}"
        f"----- stderr -----\n{section(stderr)}"
        "----- end -----\n"
    )


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_golden(c: Case, golden_dbs: dict[str, Path]) -> None:
    argv = [a.replace(f"<{c.db}.db>", str(golden_dbs[c.db])) for a in command(c)]
    with g.cli_env(golden_dbs["root"] / "home", c.columns):
        run = g.invoke(argv)
    actual = normalise(document(c, run.exit_code, run.stdout, run.stderr), golden_dbs)
    assert str(golden_dbs["root"]) not in actual and "pytest-of" not in actual, actual
    path = GOLDEN / f"{c.name}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        if not path.exists() or path.read_bytes() != actual.encode("utf-8"):
            path.write_bytes(actual.encode("utf-8"))
        return
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to write it"
    expected = path.read_bytes().decode("utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"golden/{c.name}.txt",
                "actual",
            )
        )
        pytest.fail(f"output differs from golden/{c.name}.txt:\n{diff}", pytrace=False)


def test_every_golden_file_has_a_case() -> None:
    names = {c.name for c in CASES}
    orphans = sorted(p.name for p in GOLDEN.glob("*.txt") if p.stem not in names)
    if UPDATE:
        for name in orphans:
            (GOLDEN / name).unlink()
        return
    assert not orphans, f"golden files without a case (remove them): {orphans}"


# ------------------------------------------------------------- 80 columns: no word split (#13)
NARROW = [
    ("big", ("program", "list")),
    ("big", ("requirement", "list")),
    ("big", ("enroll", "show", IDS["recruit"])),
    ("big", ("enroll", "show", IDS["medic"])),
    ("big", ("enroll", "list")),  # more than 100 rows: the fast table
    ("big", ("member", "list")),
    ("big", ("progress", "log", "--enrollment", IDS["medic"], "--requirement", "NREMT-EMT")),
    ("big", ("progress", "log", IDS["scba_row"])),
    ("big", ("progress", "milestones", IDS["driver"])),
    ("big", ("program", "milestone", "list", "Driver/Operator Candidate")),
    ("demo", ("program", "show", "Probationary Firefighter")),
    ("demo", ("enroll", "show", "1")),
]


def _cells(text: str) -> list[str]:
    """The words inside a table's cells and the lines of a two-column record."""
    words = []
    for line in text.splitlines():
        if line[:1] in "┏┡└":
            continue  # a rule
        for part in re.split(r"[│┃]", line):
            words += part.split()
    return words


@pytest.mark.parametrize(("db", "args"), NARROW, ids=[" ".join(map(str, a)) for _, a in NARROW])
def test_80_columns_never_split_a_word(db: str, args: tuple[object, ...], golden_dbs: dict[str, Path]) -> None:
    """Each word (name, date, number) of the 80-column table is a whole word of the same
    table drawn 400 wide, or one shortened with "…"; nothing passes the 80th column."""
    argv = ["--db", str(golden_dbs[db]), "--as-of", g.AS_OF, *map(str, args)]
    with g.cli_env(golden_dbs["root"] / "home", 400):
        wide = g.invoke(argv)
    with g.cli_env(golden_dbs["root"] / "home", 80):
        narrow = g.invoke(argv)
    assert wide.exit_code == narrow.exit_code == 0, narrow
    known = set(_cells(wide.stdout))
    for line in narrow.stdout.splitlines():
        assert len(line) <= 80, line
    split = [w for w in _cells(narrow.stdout)
             if w not in known and not (w.endswith("…") and any(k.startswith(w[:-1]) for k in known))]  # fmt: skip
    assert not split, f"words split at 80 columns: {split[:20]}\n{narrow.stdout}"


# Listings whose every word fits 80 columns once their lesser columns are left out (README:
# "at 80 columns lesser columns are left out"): no word may be shortened with "…" here.
WHOLE = [
    ("demo", ("member", "list")),
    ("demo", ("requirement", "list")),
    ("demo", ("record", "list")),
    ("demo", ("cert", "list")),
    ("demo", ("skill", "list")),
    ("demo", ("shift", "list")),
    ("demo", ("call", "list")),
    ("demo", ("program", "list")),
    ("demo", ("program", "phase", "list", "Probationary Firefighter")),
    *(("demo", ("program", kind, "list", name))
      for kind in ("requirement", "milestone")
      for name in ("Probationary Firefighter", "EMT Recertification", "Driver/Operator Candidate")),
    ("demo", ("enroll", "list")),
    ("demo", ("progress", "log", "--enrollment", "9", "--requirement", "NREMT-EMT")),
    ("demo", ("progress", "milestones", "1")),
    ("big", ("progress", "pending")),
    ("big", ("progress", "log", IDS["emt_row"])),
    # "national/ope…" (review): the category gives way to where its hours went, which names it
    ("demo", ("report", "nremt", "F-203")),
]  # fmt: skip


def _cut(stdout: str) -> list[str]:
    """The words of a table shortened with "…", and any line past the 80th column."""
    return [w for w in _cells(stdout) if "…" in w] + [ln for ln in stdout.splitlines() if len(ln) > 80]


@pytest.mark.parametrize(("db", "args"), WHOLE, ids=[" ".join(map(str, a)) for _, a in WHOLE])
def test_80_columns_leave_out_a_lesser_column_before_cutting_a_word(
    db: str, args: tuple[object, ...], golden_dbs: dict[str, Path]
) -> None:
    """At 80 columns course list printed "EMS-…" and "certi…", cert list "PB-DO-PUMP…" and
    "Credent…", progress pending "Okaf…", program requirement list "Requ…" and program
    phase list "Orient…" (review): the lesser columns (a count, a note, a description)
    give way first, so each word, code and header is whole."""
    argv = ["--db", str(golden_dbs[db]), "--as-of", g.AS_OF, *map(str, args)]
    with g.cli_env(golden_dbs["root"] / "home", 80):
        r = g.invoke(argv)
    assert r.exit_code == 0, r
    assert r.stdout.count("\n") > 3, r  # a table, not an empty listing's hint
    assert not _cut(r.stdout), f"cut at 80 columns: {_cut(r.stdout)[:20]}\n{r.stdout}"


def test_course_list_keeps_its_codes_whole_at_80_columns(cli, tmp_path, monkeypatch) -> None:
    """The README tour's courses at 80 columns: "EMS-…", "certi…", "renew…" (review); the
    self-paced flag, the count of records and the topic give way instead."""
    from trainctl.cli import render

    cli("demo", "--files", str(tmp_path))
    cli("course", "import", "--csv", str(tmp_path / "courses.csv"))
    monkeypatch.setattr(render.console("out"), "width", 80)
    out = cli("course", "list").stdout
    assert not _cut(out), out
    assert "EMS-CE" in out and "certification" in out and "Self-paced" not in out


def test_files_have_one_spelling_of_time_and_one_figure_a_cell() -> None:
    """CSV and JSON write instants as ISO 8601 with Z (#19), never a table's
    "2025-03-08 08:13 UTC" or "+00:00"; CSV carries no progress bars and no "5 / 40 h"."""
    files = [p for p in GOLDEN.glob("*.txt") if p.stem.endswith(("-csv", "-json"))]
    assert len(files) > 20
    for p in files:
        out = p.read_text(encoding="utf-8").split("----- stdout -----\n")[1].split("----- stderr -----")[0]
        assert not re.search(r"\d\d:\d\d UTC|\+00:00", out), p.name
        if p.stem.endswith("-csv"):
            assert not re.search(r"[█░]|\d / \d", out), p.name
    assert '"self_reporting": true' in (GOLDEN / "big-progress-self-reporting-json.txt").read_text()


def test_rosters_sort_by_last_name() -> None:
    """member list and enroll list: last name, then first name, then id (#20)."""
    import json

    from trainctl.domain.text import roster_key

    for name in ("big-member-list-json", "big-enroll-list-json"):
        text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
        rows = json.loads(text.split("----- stdout -----\n")[1].split("----- stderr -----")[0])
        names = [(r.get("name") or r["member"], r.get("member_id", r["id"])) for r in rows]
        assert len(names) > 100
        keys = [roster_key(n, i) for n, i in names]
        assert keys == sorted(keys), name
        assert names[0][0].split()[-1] < names[-1][0].split()[-1]


@pytest.mark.parametrize(("name", "key"), [
    ("José Núñez-García", ("nunez-garcia", "jose")),
    ("Luis Ortega Jr.", ("ortega", "luis jr.")),
    ("van der Berg, Anna", ("van der berg", "anna")),
    ("Cher", ("cher", "")),
])  # fmt: skip
def test_roster_key_finds_the_last_name(name: str, key: tuple[str, str]) -> None:
    from trainctl.domain.text import roster_key

    assert roster_key(name, 7) == (*key, 7)


# ------------------------------------------------------------- JSON numbers: one rule
JSON_READS = [
    ("record", "list", "--format", "json"),
    ("report", "compliance", "--format", "json"),
    ("enroll", "show", "1", "--format", "json"),
    ("enroll", "show", "9", "--format", "json"),
    ("requirement", "explain", "F-203", "NREMT-EMT", "--format", "json"),
    ("report", "iso", "--year", "2024", "--format", "json"),
    ("report", "nremt", "F-203", "--format", "json"),
    ("progress", "log", "--enrollment", "9", "--requirement", "NREMT-EMT", "--format", "json"),
    ("shift", "list", "--format", "json"),
    ("program", "show", "EMT Recertification", "--format", "json"),
]


@pytest.mark.parametrize("args", JSON_READS, ids=[" ".join(a[:2]) for a in JSON_READS])
def test_json_writes_a_whole_figure_without_a_decimal_point(args: tuple[str, ...], golden_dbs: dict[str, Path]) -> None:
    """Hours were 12 in one JSON and 12.0 in another (`record list` 8.0, `report iso`'s
    hours 0 beside 768.0, an enrollment's target 12 beside 1.0): review. One rule for every
    JSON output (render.figure): a whole figure is an integer, any other keeps its
    fraction, as tables and CSV write them."""
    import json

    argv = ["--db", str(golden_dbs["demo"]), "--as-of", g.AS_OF, *args]
    with g.cli_env(golden_dbs["root"] / "home", 200):
        r = g.invoke(argv)
    assert r.exit_code == 0, r.stderr
    fractions: list[str] = []
    json.loads(r.stdout, parse_float=lambda text: fractions.append(text) or float(text))
    whole = [t for t in fractions if float(t).is_integer()]
    assert not whole, f"whole figures written with a decimal point: {whole[:10]}"
