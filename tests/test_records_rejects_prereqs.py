"""Reject files for sheet imports (record, shift) and course prerequisites enforced on
`record add` and `record import`."""

from __future__ import annotations

import csv
import os
import stat
from datetime import date

import pytest

from trainctl.domain.records import missing_prerequisites

AS_OF = ("--as-of", "2026-12-31")


@pytest.fixture
def crew(cli):
    """Three active firefighters, one inactive; courses PUMP1 <- PUMP2 <- PUMP3 (each
    requires the one before) and a free-standing DRILL."""
    for i in range(1, 4):
        cli("member", "add", f"Fire Fighter {i:02d}", "--email", f"ff{i:02d}@fd.org", "--badge", f"{i:04d}")
    cli("member", "add", "Cy Retired", "--email", "cy@fd.org", "--status", "inactive")
    cli("course", "add", "--name", "Pump basics", "--code", "PUMP1", "--hours", "4")
    cli("course", "add", "--name", "Pump operations", "--code", "PUMP2", "--hours", "8", "--prerequisite", "PUMP1")
    cli("course", "add", "--name", "Pump certification", "--code", "PUMP3", "--hours", "2", "--prerequisite", "PUMP2")
    cli("course", "add", "--name", "Ladder drill", "--code", "DRILL", "--hours", "2")
    return cli


def _records(cli) -> list[tuple[str, str, str]]:
    rows = cli("--format", "json", "record", "list").json
    return sorted((r["email"], r["course_code"], r["completion_date"]) for r in rows)


# ---------------------------------------------------------------------------- reject files
SHEET = (
    "E-mail;Course;Date;Hours;Notes;;\n"
    "ff01@fd.org;DRILL;2026-03-04;2;;;\n"
    "cy@fd.org;DRILL;2026-03-04;2;late;;\n"
    "ff02@fd.org;DRILL;2026-02-30;2;;;\n"
    "ff03@fd.org;DRILL;2026-03-04;2;;;\n"
)


def test_skip_invalid_writes_a_private_reject_file_that_imports_once_fixed(crew, tmp_path, snapshot):
    sheet = tmp_path / "sign-in.csv"
    sheet.write_bytes(b"\xef\xbb\xbf" + SHEET.replace("\n", "\r\n").encode())
    rejects = tmp_path / "sign-in.rejects.csv"

    before = snapshot()
    r = crew(*AS_OF, "record", "import", sheet, ok=False)  # without --skip-invalid: no file, nothing written
    assert r.exit_code == 65 and snapshot() == before and not rejects.exists()
    r = crew(*AS_OF, "record", "import", sheet, "--skip-invalid", "--dry-run", ok=False)
    assert r.exit_code == 65 and snapshot() == before and not rejects.exists()

    r = crew(*AS_OF, "record", "import", sheet, "--skip-invalid", ok=False)
    assert r.exit_code == 65
    assert f"4 rows read, 2 added, 2 rejected; written to {rejects}" in r.stderr
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["reason", "E-mail", "Course", "Date", "Hours", "Notes", "", ""]
    assert rows[1][1:] == ["cy@fd.org", "DRILL", "2026-03-04", "2", "late", "", ""]
    assert rows[1][0].startswith("email: Cy Retired (cy@fd.org) was inactive on 2026-03-04")
    assert rows[2][1:4] == ["ff02@fd.org", "DRILL", "2026-02-30"] and rows[2][0].startswith("date: ")
    assert len(rows) == 3

    # fix the date, drop the inactive member's row: the reject file imports as it is
    rejects.write_text("\r\n".join(";".join(r) for r in (rows[0], [rows[2][0], *rows[2][1:3], "2026-02-28", *rows[2][4:]])),
                       encoding="utf-8")  # fmt: skip
    r = crew(*AS_OF, "record", "import", rejects)
    assert "1 row read, 1 added" in r.stderr
    assert [e for e, _, _ in _records(crew)] == ["ff01@fd.org", "ff02@fd.org", "ff03@fd.org"]


def test_a_reject_file_is_never_written_through_a_link_or_over_a_foreign_file(crew, tmp_path, snapshot):
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    rejects = tmp_path / "s.rejects.csv"
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    os.symlink(target, rejects)
    before = snapshot()
    r = crew(*AS_OF, "record", "import", sheet, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "is a link or not a regular file" in r.stderr
    assert snapshot() == before and target.read_text() == "keep me\n"  # no file, no import

    rejects.unlink()
    rejects.write_text("name,email\nAnn,ann@fd.org\n")
    r = crew(*AS_OF, "record", "import", sheet, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "is not a reject file written by trainctl" in r.stderr
    assert snapshot() == before and rejects.read_text() == "name,email\nAnn,ann@fd.org\n"

    rejects.unlink()  # an earlier reject file of ours is replaced
    rejects.write_text("reason,email\nold,x\n")
    crew(*AS_OF, "record", "import", sheet, "--skip-invalid", ok=False)
    assert rejects.read_text(encoding="utf-8-sig").startswith("reason;E-mail")


def test_shift_import_writes_its_reject_file_too(crew, tmp_path):
    sheet = tmp_path / "shifts.csv"
    sheet.write_text(
        "email,shift_date,station,time_in,time_out\n"
        "ff01@fd.org,2026-03-08,1,2026-03-08T07:00-05:00,2026-03-09T07:00-04:00\n"
        "nobody@fd.org,2026-03-08,1,2026-03-08T07:00-05:00,2026-03-09T07:00-04:00\n",
        encoding="utf-8",
    )
    r = crew(*AS_OF, "shift", "import", "--csv", sheet, "--skip-invalid", ok=False)
    rejects = tmp_path / "shifts.rejects.csv"
    assert r.exit_code == 65 and f"1 rejected; written to {rejects}" in r.stderr
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "reason,email,shift_date,station,time_in,time_out"
    assert lines[1].startswith("email: no member has the e-mail 'nobody@fd.org',nobody@fd.org,2026-03-08")
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("command", "body"),
    [(("member", "import", "--csv"), "name,email\nGood,g@x.org\nBad,nope\n"),
     (("record", "import"), SHEET),
     (("cert", "import", "--csv"), "email,credential,issued\nff01@fd.org,EMT,2026-01-05\nx,EMT,nope\n"),
     (("course", "import", "--csv"), "code,name,duration_hours\nC1,Good,2\nC2,Bad,-1\n")],
    ids=["member", "record", "cert", "course"],
)  # fmt: skip
def test_skip_invalid_from_a_pipe_is_refused_before_anything_is_read(crew, snapshot, command, body):
    """`... | trainctl member import --csv /dev/stdin --skip-invalid` read the rows, then
    failed to read them again for the reject file: exit 1 "File or stream is not seekable"
    with a hint about permissions. Now exit 2, saying why a file is needed, nothing written.
    A child process: /dev/stdin must be a real pipe."""
    import subprocess
    import sys

    before = snapshot()
    r = subprocess.run(
        [sys.executable, "-m", "trainctl", *AS_OF, *command, "/dev/stdin", "--skip-invalid"],
        input=body.encode(), capture_output=True,
        timeout=60, check=False, env={**os.environ, "TRAINCTL_DEBUG": ""},
    )  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert "--skip-invalid needs the input as a file: /dev/stdin is a pipe or stream" in err
    assert "reject file next to the input" in err and "Traceback" not in err
    assert snapshot() == before


@pytest.mark.parametrize("name", ["/dev/stdin", "/dev/fd/0"])
def test_skip_invalid_from_stdin_redirected_from_a_file_is_refused(crew, snapshot, tmp_path, name):
    """`trainctl course import --csv /dev/stdin --skip-invalid < courses.csv`: stdin is then
    the file itself (a regular file to stat()), so the pipe check let it through and the
    reject file went to /dev/stdin.rejects.csv (into /dev, as root). Refused as a pipe is."""
    import subprocess
    import sys

    source = tmp_path / "courses.csv"
    source.write_text("code,name,duration_hours\nC1,Good,2\nC2,Bad,-1\n")
    before = snapshot()
    with source.open("rb") as stdin:
        r = subprocess.run(
            [sys.executable, "-m", "trainctl", *AS_OF, "course", "import", "--csv", name, "--skip-invalid"],
            stdin=stdin, capture_output=True, timeout=60, check=False,
            env={**os.environ, "TRAINCTL_DEBUG": ""},
        )  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert f"--skip-invalid needs the input as a file: {name} is a pipe or stream" in err
    assert snapshot() == before
    assert not os.path.exists(f"{name}.rejects.csv")


def test_course_import_skip_invalid_writes_a_reject_file_that_imports_once_fixed(crew, tmp_path):
    """`course import --skip-invalid` listed the bad rows and wrote no reject file (every
    other import writes NAME.rejects.csv). Now the bad rows go there as they were, with
    their reasons, and the fixed file imports as it is (its `reason` column skipped)."""
    source = tmp_path / "courses.csv"
    source.write_text("code;name;duration_hours\nC1;Good;2\nC2;Bad;-1\nC1;Again;1\n")
    dry = crew(*AS_OF, "course", "import", "--csv", str(source), "--skip-invalid", "--dry-run", ok=False)
    rejects = tmp_path / "courses.rejects.csv"
    assert dry.exit_code == 65 and not rejects.exists(), dry.stderr  # a dry run writes no file
    r = crew(*AS_OF, "course", "import", "--csv", str(source), "--skip-invalid", ok=False)
    assert r.exit_code == 65, r.stderr
    assert f"1 added, 0 updated, 0 unchanged, 2 rejected; written to {rejects}" in r.stderr
    assert "fix them in courses.rejects.csv" in r.stderr
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "reason;code;name;duration_hours",
        "line 3, field duration_hours: must be 0 or more hours (got '-1');C2;Bad;-1",
        "line 4, field code: 'C1' is also on line 2;C1;Again;1",
    ]
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    rejects.write_text("\n".join([lines[0], lines[1].replace(";-1", ";1")]) + "\n", encoding="utf-8-sig")
    again = crew(*AS_OF, "course", "import", "--csv", str(rejects))
    assert "1 added" in again.stderr
    codes = {c["code"] for c in crew("--format", "json", "course", "list").json}
    assert {"C1", "C2"} <= codes


def test_no_rejected_row_is_lost_and_no_input_is_written_over(crew, tmp_path, snapshot):
    """w.csv and w.tsv both wrote w.rejects.csv: the second replaced the first, F-998's row
    lost. a/s.csv and b/s.csv kept their bad lines under one name: each reject file got the
    other's line numbers (good rows among them, bad ones missing). And `record import
    sign-in-*.csv --skip-invalid` after a run that wrote sign-in-3.rejects.csv read the
    officer's edited reject file as input and wrote the sheet's unfixed rows over it. Now
    every input has its own reject file, and an input is never written over (refused
    before anything is read)."""
    head = "Date,Course,Badge,Hours\n"
    (tmp_path / "w.csv").write_text(head + "2026-03-12,DRILL,F-998,2\n")
    (tmp_path / "w.tsv").write_text(head.replace(",", "\t") + "2026-03-13\tDRILL\tF-997\t2\n")
    r = crew(*AS_OF, "record", "import", "--csv", tmp_path / "w.csv", "--csv", tmp_path / "w.tsv",
             "--skip-invalid", ok=False)  # fmt: skip
    assert r.exit_code == 65 and not (tmp_path / "w.rejects.csv").exists(), r.stderr
    assert "F-998" in (tmp_path / "w.csv.rejects.csv").read_text(encoding="utf-8-sig")
    assert "F-997" in (tmp_path / "w.tsv.rejects.csv").read_text(encoding="utf-8-sig")
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "s.csv").write_text(head + "2026-03-12,DRILL,F-998,2\n2026-03-14,DRILL,0001,2\n")
    (tmp_path / "b" / "s.csv").write_text(head + "2026-03-15,DRILL,0001,2\n2026-03-13,DRILL,F-997,2\n")
    r = crew(*AS_OF, "record", "import", tmp_path / "a" / "s.csv", tmp_path / "b" / "s.csv", "--skip-invalid",
             ok=False)  # fmt: skip
    assert f"{tmp_path / 'b' / 's.csv'}, line 3, field badge" in r.stderr, r.stderr
    assert "2 added, 2 rejected" in r.stderr
    a_rows = (tmp_path / "a" / "s.rejects.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    b_rows = (tmp_path / "b" / "s.rejects.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [x.split(",")[-2] for x in a_rows] == ["F-998"] and [x.split(",")[-2] for x in b_rows] == ["F-997"]
    # the glob names the sheet and its (edited) reject file
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "sign-in-3.csv").write_text(head + "2026-03-12,DRILL,F-998,2\n")
    crew(*AS_OF, "record", "import", tmp_path / "g" / "sign-in-3.csv", "--skip-invalid", ok=False)
    edited = tmp_path / "g" / "sign-in-3.rejects.csv"
    edited.write_text("reason,Date,Course,Badge,Hours\nfixed,2026-03-12,DRILL,0002,2\n", encoding="utf-8-sig")
    before = snapshot()
    r = crew(*AS_OF, "record", "import", *sorted((tmp_path / "g").glob("sign-in-*.csv")), "--skip-invalid",
             ok=False)  # fmt: skip
    assert r.exit_code == 2, r.stderr
    assert f"{edited} is the reject file of {tmp_path / 'g' / 'sign-in-3.csv'}" in r.stderr
    assert "0002" in edited.read_text(encoding="utf-8-sig") and snapshot() == before
    assert not (tmp_path / "g" / "sign-in-3.rejects.rejects.csv").exists()
    assert "1 added" in crew(*AS_OF, "record", "import", edited).stderr  # as the README says


def test_course_import_skip_invalid_leaves_out_a_prerequisite_loop_and_imports_the_rest(crew, tmp_path):
    """A loop in a file imported nothing and wrote no reject file, whatever --skip-invalid
    said: it was found only once the courses were written. It is found first now: every row
    of the loop goes to the reject file with the loop, and so does a row needing one of
    them; the other rows are imported. A course on file with other values is refused in
    the product's words, not Python's ("has None ... got 2.0")."""
    source = tmp_path / "loop.csv"
    source.write_text("code,name,prerequisites\nY1,Loop A,Y2\nY2,Loop B,Y1\nY3,Fine course,\nY4,Needs A,Y1\n")
    r = crew(*AS_OF, "course", "import", "--csv", source, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "1 added, 0 updated, 0 unchanged, 3 rejected" in r.stderr, r.stderr
    lines = (tmp_path / "loop.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    loop = "field prerequisites: Those prerequisites would make a loop: Y1 → Y2 → Y1."
    assert lines == [
        "reason,code,name,prerequisites",
        f'"line 2, {loop}",Y1,Loop A,Y2',
        f'"line 3, {loop}",Y2,Loop B,Y1',
        "\"line 5, field prerequisites: 'Y1' is line 2, which is not imported\",Y4,Needs A,Y1",
    ]
    codes = {c["code"] for c in crew("--format", "json", "course", "list").json}
    assert "Y3" in codes and not codes & {"Y1", "Y2", "Y4"}
    other = tmp_path / "other.csv"
    other.write_text("code,name,duration_hours,credit_hours,expiration_months\nDRILL,Ladder drill,3,1.5,24\n")
    r = crew(*AS_OF, "course", "import", "--csv", other, ok=False)
    assert r.exit_code == 65
    assert "field duration_hours: course DRILL has no duration; add --update to change it (got a duration of 3 h)" in r.stderr
    assert "field credit_hours: course DRILL has 2 credit hours; add --update to change it (got 1.5 credit hours)" in r.stderr
    assert "field expiration_months: course DRILL has no expiry; add --update to change it (got an expiry of 24 months)" in r.stderr
    assert "None" not in r.stderr


# ---------------------------------------------------------------------------- prerequisites
@pytest.mark.parametrize(
    ("needs", "done", "on", "missing"),
    [
        ((), {}, date(2026, 3, 1), []),
        ((1,), {}, date(2026, 3, 1), [1]),
        ((1,), {1: None}, date(2026, 3, 1), [1]),
        ((1,), {1: date(2026, 3, 1)}, date(2026, 3, 1), []),  # the same day counts
        ((1,), {1: date(2026, 3, 2)}, date(2026, 3, 1), [1]),  # the day after does not
        ((1, 2), {2: date(2024, 2, 29)}, date(2024, 12, 31), [1]),
        ((2, 1, 2), {}, date(2026, 1, 1), [2, 1]),  # course order, each once
        ((1,), {1: date(2025, 12, 31)}, date(2026, 1, 1), []),  # across the year end
    ],
)
def test_missing_prerequisites_table(needs, done, on, missing):
    assert missing_prerequisites(needs, done, on) == missing


def test_record_add_refuses_a_course_whose_prerequisite_is_missing(crew, snapshot):
    before = snapshot()
    r = crew(*AS_OF, "record", "add", "--members", "ff01@fd.org,ff02@fd.org", "--course", "PUMP2",
             "--date", "2026-03-04", ok=False)  # fmt: skip
    assert r.exit_code == 1 and snapshot() == before
    assert "2 of 2 members lack a prerequisite; nothing was recorded." in r.stderr
    assert ("Fire Fighter 01 (ff01@fd.org) has not completed the prerequisite course PUMP1 (Pump basics) "
            "on or before 2026-03-04, required for PUMP2") in " ".join(r.stderr.split())  # fmt: skip
    assert "--skip-prereq-check" in r.stderr

    crew(*AS_OF, "record", "add", "ff01@fd.org", "--course", "PUMP1", "--date", "2026-03-04")
    r = crew(*AS_OF, "record", "add", "--members", "ff01@fd.org,ff02@fd.org", "--course", "PUMP2",
             "--date", "2026-03-04", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "1 of 2 members" in r.stderr and "Fire Fighter 02" in r.stderr
    crew(*AS_OF, "record", "add", "ff01@fd.org", "--course", "PUMP2", "--date", "2026-03-04")  # same day: fine

    # a prerequisite completed later, failed, or void does not count
    crew(*AS_OF, "record", "add", "ff02@fd.org", "--course", "PUMP1", "--date", "2026-03-05")
    crew(*AS_OF, "record", "add", "ff03@fd.org", "--course", "PUMP1", "--date", "2026-03-01", "--not-passed")
    before = snapshot()
    for who in ("ff02@fd.org", "ff03@fd.org"):
        r = crew(*AS_OF, "record", "add", who, "--course", "PUMP2", "--date", "2026-03-04", ok=False)
        assert r.exit_code == 1 and snapshot() == before
    void_id = next(x["id"] for x in crew("--format", "json", "record", "list").json if x["course_code"] == "PUMP1"
                   and x["email"] == "ff01@fd.org")  # fmt: skip
    crew("record", "void", str(void_id), "--reason", "wrong member")
    r = crew(*AS_OF, "record", "add", "ff01@fd.org", "--course", "PUMP2", "--date", "2026-06-01", ok=False)
    assert r.exit_code == 1

    # a scheduled class is not checked; history loads skip the check on purpose
    crew(*AS_OF, "record", "add", "ff03@fd.org", "--course", "PUMP3", "--date", "2026-03-04", "--status", "scheduled")
    crew(*AS_OF, "record", "add", "ff03@fd.org", "--course", "PUMP2", "--date", "2026-03-04", "--skip-prereq-check")


def test_import_checks_prerequisites_in_any_row_order_and_names_the_rows(crew, tmp_path, snapshot):
    # PUMP3 before PUMP2 before PUMP1 in the file: all on one day, all fine
    good = tmp_path / "good.csv"
    good.write_text("email,course,date\nff01@fd.org,PUMP3,2026-03-04\nff01@fd.org,PUMP2,2026-03-04\n"
                    "ff01@fd.org,PUMP1,2026-03-04\n", encoding="utf-8")  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("email,course,date\n"
                   "ff02@fd.org,PUMP3,2026-03-04\n"  # PUMP2 refused below, so this too
                   "ff02@fd.org,PUMP2,2026-03-04\n"  # PUMP1 only after
                   "ff02@fd.org,PUMP1,2026-03-05\n"
                   "ff03@fd.org,DRILL,2026-03-04\n", encoding="utf-8")  # fmt: skip
    before = snapshot()
    r = crew(*AS_OF, "record", "import", good, bad, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    text = " ".join(r.stderr.split())
    assert ("bad.csv, line 3, field course: Fire Fighter 02 (ff02@fd.org) has not completed the prerequisite "
            "course PUMP1 (Pump basics) on or before 2026-03-04, required for PUMP2") in text  # fmt: skip
    assert "bad.csv, line 2, field course: Fire Fighter 02 (ff02@fd.org) has not completed the prerequisite course PUMP2" in text
    assert "2 of 7 rows have problems" in text

    r = crew(*AS_OF, "record", "import", good, bad, "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "5 added, 2 rejected" in r.stderr
    assert _records(crew) == [
        ("ff01@fd.org", "PUMP1", "2026-03-04"), ("ff01@fd.org", "PUMP2", "2026-03-04"),
        ("ff01@fd.org", "PUMP3", "2026-03-04"), ("ff02@fd.org", "PUMP1", "2026-03-05"),
        ("ff03@fd.org", "DRILL", "2026-03-04"),
    ]  # fmt: skip
    assert (tmp_path / "bad.rejects.csv").exists() and not (tmp_path / "good.rejects.csv").exists()

    # re-importing is idempotent; a history load skips the check
    r = crew(*AS_OF, "record", "import", good)
    assert "0 added, 3 already recorded" in r.stderr
    r = crew(*AS_OF, "record", "import", bad, "--skip-prereq-check")
    assert "4 rows read, 2 added, 2 already recorded" in r.stderr
