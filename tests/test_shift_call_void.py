"""A shift attendance or call response entered by mistake can be corrected: `shift void` /
`call void` keep the row (who, when, why), reverse its credit, and the member can then be
entered on that shift or call again (the unique key holds among live rows, migration
0013). An import never brings a void row back. A refusal says how to change what is on
file, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import connect
from test_shifts_calls import AS_OF, _csv, _values, duty  # noqa: F401  (the fixture)

WRONG = ("shift", "add", "ann@fd.org", "--date", "2026-11-20", "--station", "Station 1", "--shift", "A",
         "--time-in", "2026-11-20T07:00-05:00", "--time-out", "2026-11-20T19:00-05:00")  # fmt: skip
RIGHT = (*WRONG[:-4], "--time-in", "2026-11-20T07:00-05:00", "--time-out", "2026-11-21T07:00-05:00")


def _audit(db: Path | str, action: str) -> list[str]:
    con = connect(db)
    try:
        rows = con.execute("SELECT detail FROM audit_log WHERE action = ?", (action,)).fetchall()
        return [str(r[0]) for r in rows]
    finally:
        con.close()


def test_a_shift_entered_with_the_wrong_times_is_voided_and_entered_again(duty, snapshot, db_url):  # noqa: F811
    duty(*AS_OF, *WRONG)
    assert _values(duty)["Shift hours"] == 12 and _values(duty)["Shifts"] == 1
    before = snapshot()
    r = duty(*AS_OF, *RIGHT, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "the member is on this shift on file with other times" in r.stderr
    assert "void it (`trainctl shift void ATTENDANCE --reason TEXT`" in r.stderr

    (att,) = duty("--format", "json", "shift", "list").json
    r = duty(*AS_OF, "shift", "void", str(att["id"]), "--reason", "was a 24-hour tour")
    assert f"Voided shift attendance {att['id']}; reversed 2 credits." in r.stderr
    assert _values(duty)["Shift hours"] == 0 and _values(duty)["Shifts"] == 0
    assert duty("--format", "json", "shift", "list").json == []
    assert any("was a 24-hour tour" in d for d in _audit(db_url, "shift.void"))

    r = duty(*AS_OF, *RIGHT)
    assert "Recorded shift attendance" in r.stderr
    assert _values(duty)["Shift hours"] == 24 and _values(duty)["Shifts"] == 1
    shown = duty("--format", "json", "shift", "list", "--include-void").json
    assert sorted((x["hours"], x["voided_at"] is not None) for x in shown) == [(12, True), (24, False)]
    assert "void" in duty("shift", "list", "--include-void").stdout

    # the same add again: already recorded (the live row), nothing written
    before = snapshot()
    assert "Already recorded" in duty(*AS_OF, *RIGHT).stderr and snapshot() == before


def test_an_import_never_brings_a_void_attendance_back(duty, tmp_path, snapshot):  # noqa: F811
    sheet = _csv(tmp_path, "s.csv", (
        "email,shift_date,station,shift,time_in,time_out\n"
        "ann@fd.org,2026-11-20,Station 1,A,2026-11-20T07:00-05:00,2026-11-20T19:00-05:00\n"
    ))  # fmt: skip
    duty(*AS_OF, "shift", "import", "--csv", sheet)
    (att,) = duty("--format", "json", "shift", "list").json
    duty(*AS_OF, "shift", "void", str(att["id"]), "--reason", "not on duty")
    before = snapshot()
    r = duty(*AS_OF, "shift", "import", "--csv", sheet)
    assert "1 match" in r.stderr and "not brought back" in r.stderr and snapshot() == before
    assert _values(duty)["Shifts"] == 0


def test_an_overlap_with_a_wrong_attendance_on_file_says_how_to_fix_it(duty, snapshot):  # noqa: F811
    duty(*AS_OF, *WRONG)  # entered at Station 1 by mistake: she was at Station 2
    other = ("shift", "add", "ann@fd.org", "--date", "2026-11-20", "--station", "Station 2", "--shift", "A",
             "--time-in", "2026-11-20T07:00-05:00", "--time-out", "2026-11-20T19:00-05:00")  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, *other, ok=False)
    assert r.exit_code == 65 and snapshot() == before and "trainctl shift void ATTENDANCE" in r.stderr
    (att,) = duty("--format", "json", "shift", "list").json
    duty(*AS_OF, "shift", "void", str(att["id"]), "--reason", "wrong station")
    duty(*AS_OF, *other)
    assert [x["station"] for x in duty("--format", "json", "shift", "list").json] == ["Station 2"]


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (("shift", "void", "1", "--reason", "   "), 2, "A void needs a reason."),
        (("shift", "void", "99", "--reason", "typo"), 1, "No shift attendance '99'."),
        (("shift", "void", "x", "--reason", "typo"), 1, "No shift attendance 'x'."),
        (("call", "void", "1", "--reason", ""), 2, "A void needs a reason."),
        (("call", "void", "42", "--reason", "typo"), 1, "No call response '42'."),
        (("--as", "bo@fd.org", "shift", "void", "1", "--reason", "mine"), 77, "void shift attendance"),
        (("--as", "bo@fd.org", "call", "void", "1", "--reason", "mine"), 77, "void call responses"),
    ],
)
def test_refused_voids_name_the_problem_and_write_nothing(duty, snapshot, args, code, text):  # noqa: F811
    duty(*AS_OF, *WRONG)
    duty(*AS_OF, "call", "add", "F26-9", "-m", "ann@fd.org", "--type", "EMS", "--shift-date", "2026-11-20",
         "--at", "2026-11-20T10:00-05:00")  # fmt: skip
    before = snapshot()
    r = duty(*AS_OF, *args, ok=False)
    assert r.exit_code == code and text in r.stderr and snapshot() == before


def test_voiding_twice_changes_nothing(duty, snapshot):  # noqa: F811
    duty(*AS_OF, *WRONG)
    duty(*AS_OF, "shift", "void", "1", "--reason", "typo")
    before = snapshot()
    assert "Attendance 1 was already void" in duty(*AS_OF, "shift", "void", "1", "--reason", "x").stderr
    assert snapshot() == before


def test_a_call_response_for_the_wrong_member_is_voided_and_the_right_one_added(duty, tmp_path, snapshot):  # noqa: F811
    call = ("call", "add", "F26-9", "--type", "EMS", "--shift-date", "2026-11-20", "--at", "2026-11-20T10:00-05:00")
    duty(*AS_OF, *call, "-m", "ann@fd.org", "--role", "driver")
    assert _values(duty, 1)["EMS calls"] == 1
    before = snapshot()
    r = duty(*AS_OF, *call, "-m", "ann@fd.org", "--role", "attendant", ok=False)
    assert r.exit_code == 65 and "on file with role 'driver'" in r.stderr and snapshot() == before
    assert "void it (`trainctl call void RESPONSE --reason TEXT`" in r.stderr

    (resp,) = duty("--format", "json", "call", "list").json
    r = duty(*AS_OF, "call", "void", str(resp["id"]), "--reason", "Bo drove, not Ann")
    assert f"Voided call response {resp['id']}; reversed 2 credits." in r.stderr
    assert _values(duty, 1)["EMS calls"] == 0 and _values(duty, 1)["All calls"] == 0
    duty(*AS_OF, *call, "-m", "bo@fd.org", "--role", "driver")
    duty(*AS_OF, *call, "-m", "ann@fd.org", "--role", "attendant")  # entered again, another role
    assert _values(duty, 1)["EMS calls"] == 1 and _values(duty, 2)["EMS calls"] == 1
    live = duty("--format", "json", "call", "list").json
    assert sorted((x["member"], x["role"]) for x in live) == [("Ann Lee", "attendant"), ("Bo Diaz", "driver")]

    # an import of the first sheet does not bring the void response back
    sheet = _csv(tmp_path, "c.csv", (
        "incident,shift_date,at,call_type,email,role\n"
        "F26-9,2026-11-20,2026-11-20T10:00-05:00,EMS,bo@fd.org,driver\n"
    ))  # fmt: skip
    before = snapshot()
    assert "1 already recorded" in duty(*AS_OF, "call", "import", "--csv", sheet).stderr
    assert snapshot() == before


def test_the_corrected_sheet_imported_after_a_void_is_entered(duty, tmp_path, snapshot):  # noqa: F811
    """The refusal says: void it and add it again. An officer who fixes the sheet and
    imports it gets the corrected row; the wrong sheet again does not bring the void one
    back. Calls alike, by role."""
    head = "email,shift_date,station,shift,time_in,time_out\n"
    wrong = _csv(tmp_path, "wrong.csv", head + "ann@fd.org,2026-11-20,S1,A,2026-11-20T07:00-05:00,2026-11-20T19:00-05:00\n")
    right = _csv(tmp_path, "right.csv", head + "ann@fd.org,2026-11-20,S1,A,2026-11-20T07:00-05:00,2026-11-21T07:00-05:00\n")
    duty(*AS_OF, "shift", "import", "--csv", wrong)
    r = duty(*AS_OF, "shift", "import", "--csv", right, ok=False)
    assert r.exit_code == 65 and "trainctl shift void ATTENDANCE" in r.stderr
    duty(*AS_OF, "shift", "void", "1", "--reason", "a 24-hour tour")
    assert "1 added" in duty(*AS_OF, "shift", "import", "--csv", right).stderr
    assert _values(duty)["Shift hours"] == 24
    before = snapshot()
    r = duty(*AS_OF, "shift", "import", "--csv", wrong, ok=False)  # the live row has other times
    assert r.exit_code == 65 and snapshot() == before
    assert "1 already recorded" in duty(*AS_OF, "shift", "import", "--csv", right).stderr

    head = "incident,shift_date,at,call_type,email,role\n"
    driver = _csv(tmp_path, "c1.csv", head + "F26-9,2026-11-20,2026-11-20T10:00-05:00,EMS,ann@fd.org,driver\n")
    attendant = _csv(tmp_path, "c2.csv", head + "F26-9,2026-11-20,2026-11-20T10:00-05:00,EMS,ann@fd.org,attendant\n")
    duty(*AS_OF, "call", "import", "--csv", driver)
    (resp,) = duty("--format", "json", "call", "list").json
    duty(*AS_OF, "call", "void", str(resp["id"]), "--reason", "she rode as attendant")
    before = snapshot()
    r = duty(*AS_OF, "call", "import", "--csv", driver)
    assert "not brought back" in r.stderr and snapshot() == before
    assert "1 added" in duty(*AS_OF, "call", "import", "--csv", attendant).stderr
    assert [x["role"] for x in duty("--format", "json", "call", "list").json] == ["attendant"]
    shown = duty("--format", "csv", "call", "list", "--include-void").stdout.splitlines()
    assert shown[0].endswith(",void")
    assert sorted(line.rsplit(",", 1)[1] for line in shown[1:]) == ["", "void: she rode as attendant"]
    # JSON says who voided it and why, as `record list` does
    voided = [x for x in duty("--format", "json", "call", "list", "--include-void").json if x["voided_at"]]
    assert [(x["void_reason"], x["voided_by"]) for x in voided] == [("she rode as attendant", None)]


CALL = ("call", "add", "F26-5", "--shift-date", "2026-11-20", "--at", "2026-11-20T10:00-05:00")


def test_a_call_entered_without_its_type_is_corrected_once_its_responses_are_void(duty, snapshot, db_url):  # noqa: F811
    """A call entered without --type never counted toward "EMS calls", and adding it again
    with its type was refused for ever ("on file with call type None"): the response could
    be voided, the call could not be corrected (review). While a response is live, the
    call's type is kept and the refusal says how to correct it; once every response is
    void, the call entered again takes the type, and the response counts under it."""
    duty(*AS_OF, *CALL, "-m", "ann@fd.org")  # --type forgotten
    assert _values(duty, 1)["EMS calls"] == 0 and _values(duty, 1)["All calls"] == 1
    before = snapshot()
    r = duty(*AS_OF, *CALL, "-m", "ann@fd.org", "--type", "EMS", ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "--type: incident F26-5 is on file with no call type (got 'EMS')" in r.stderr, r.stderr
    assert ("void its responses (`trainctl call void RESPONSE --reason TEXT`; `trainctl call list "
            "--incident F26-5` shows them) and add them again with the right values") in r.stderr  # fmt: skip
    assert "None" not in r.stderr

    (resp,) = duty("--format", "json", "call", "list", "--incident", "F26-5").json
    duty(*AS_OF, "call", "void", str(resp["id"]), "--reason", "type left out")
    before = snapshot()
    r = duty(*AS_OF, *CALL, "-m", "ann@fd.org", "--type", "EMS", "--dry-run")
    assert "Would correct incident F26-5: no call type -> call type 'EMS'" in r.stderr, r.stderr
    assert snapshot() == before
    r = duty(*AS_OF, "--format", "json", *CALL, "-m", "ann@fd.org", "--type", "EMS")
    assert "Corrected incident F26-5: no call type -> call type 'EMS'" in r.stderr, r.stderr
    assert "Recorded 1 response to incident F26-5." in r.stderr
    assert r.json["added"] == 1 and r.json["corrected"] == [
        "incident F26-5: no call type -> call type 'EMS' (its responses on file were void)"]
    assert _values(duty, 1)["EMS calls"] == 1 and _values(duty, 1)["All calls"] == 1
    shown = duty("--format", "json", "call", "list", "--include-void").json
    # the void response is listed as it was voided: under no type (the corrected call's is EMS)
    assert sorted((x["call_type"] or "-", x["void_reason"] or "") for x in shown) == [
        ("-", "type left out"), ("EMS", "")]  # fmt: skip
    (kept,) = _audit(db_url, "call.correct")  # what the call said before is kept
    assert "F26-5" in kept and "EMS" in kept

    # a late responder added without --type takes the call's type (was: "(got None)")
    r = duty(*AS_OF, "call", "add", "f26-5", "-m", "bo@fd.org", "--at", "2026-11-20T15:00Z")
    assert "Recorded 1 response to incident F26-5." in r.stderr and "Corrected" not in r.stderr
    assert _values(duty, 2)["EMS calls"] == 1
    # live responses again: the type is kept
    before = snapshot()
    r = duty(*AS_OF, *CALL, "-m", "ann@fd.org", "--type", "Fire", ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "--type: incident F26-5 is on file with call type 'EMS' (got 'Fire')" in r.stderr


def test_a_sheet_corrects_a_calls_time_and_shift_date_once_its_responses_are_void(duty, tmp_path, snapshot):  # noqa: F811
    """The time and shift date alike, by import: refused while any response is live (the
    sheet's rows name the call on file); once all are void, the corrected sheet corrects
    the call and is entered; the wrong sheet then is refused, the right one already
    recorded. A row that leaves out the type takes the incident's."""
    duty("config", "set", "timezone", "America/New_York")
    head = "incident,shift_date,at,call_type,email,role\n"
    wrong = _csv(tmp_path, "wrong.csv", head + (
        "F26-8,2026-11-20,2026-11-20T22:00-05:00,EMS,ann@fd.org,driver\n"
        "F26-8,2026-11-20,2026-11-20T22:00-05:00,,bo@fd.org,attendant\n"
    ))  # fmt: skip
    right = _csv(tmp_path, "right.csv", head + (
        "F26-8,,2026-11-22T03:15-05:00,,ann@fd.org,driver\n"
        "F26-8,2026-11-21,2026-11-22T03:15-05:00,ems,bo@fd.org,attendant\n"
    ))  # fmt: skip
    assert "2 added, 1 new call" in duty(*AS_OF, "call", "import", "--csv", wrong).stderr
    assert _values(duty, 1)["EMS calls"] == 1 and _values(duty, 2)["EMS calls"] == 1

    before = snapshot()
    r = duty(*AS_OF, "call", "import", "--csv", right, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    for expected in (
        "right.csv, line 2, field at: incident F26-8 is on file with time 2026-11-20T22:00-05:00 "
        "(got 2026-11-22T03:15-05:00)",
        "right.csv, line 3, field shift_date: incident F26-8 is on file with shift date 2026-11-20 (got 2026-11-21)",
        "`trainctl call list --incident F26-8` shows them",
    ):
        assert expected in r.stderr, (expected, r.stderr)
    assert "line 2, field shift_date" not in r.stderr  # (line 2 gives none: it takes the call's)

    ids = {x["member"]: x["id"] for x in duty("--format", "json", "call", "list").json}
    duty(*AS_OF, "call", "void", str(ids["Ann Lee"]), "--reason", "wrong time")
    before = snapshot()
    assert duty(*AS_OF, "call", "import", "--csv", right, ok=False).exit_code == 65  # Bo's is live
    assert snapshot() == before
    duty(*AS_OF, "call", "void", str(ids["Bo Diaz"]), "--reason", "wrong time")
    assert _values(duty, 1)["EMS calls"] == 0

    before = snapshot()
    r = duty(*AS_OF, "call", "import", "--csv", right, "--dry-run")
    assert ("Would correct incident F26-8: shift date 2026-11-20 -> shift date 2026-11-21; "
            "time 2026-11-20T22:00-05:00 -> time 2026-11-22T03:15-05:00") in r.stderr, r.stderr
    assert snapshot() == before
    r = duty(*AS_OF, "call", "import", "--csv", right)
    assert "2 rows read, 2 added." in r.stderr and "Corrected incident F26-8: shift date" in r.stderr, r.stderr
    live = duty("--format", "json", "call", "list").json
    assert sorted((x["member"], x["shift_date"], x["at"], x["call_type"], x["role"]) for x in live) == [
        ("Ann Lee", "2026-11-21", "2026-11-22T08:15:00Z", "EMS", "driver"),
        ("Bo Diaz", "2026-11-21", "2026-11-22T08:15:00Z", "EMS", "attendant"),
    ]
    assert _values(duty, 1)["EMS calls"] == 1 and _values(duty, 2)["EMS calls"] == 1
    shown = duty("--format", "json", "call", "list", "--include-void").json
    assert sorted(x["void_reason"] or "" for x in shown) == ["", "", "wrong time", "wrong time"]

    before = snapshot()
    r = duty(*AS_OF, "call", "import", "--csv", wrong, ok=False)  # the call has live responses
    assert r.exit_code == 65 and snapshot() == before
    assert "2 already recorded" in duty(*AS_OF, "call", "import", "--csv", right).stderr
    assert snapshot() == before


def test_a_void_response_is_listed_as_it_was_voided_after_the_call_is_corrected(duty):  # noqa: F811
    """The call's shift date, time and type live on the call, which a correction rewrites
    once its responses are all void: `call list --include-void` then showed the void
    response at the corrected time, shift date and type, as if it had been entered so
    (review). It keeps what the call said when it was voided, in every format, and the
    --as-of day and --type filters judge it by those."""
    duty(*AS_OF, "call", "add", "F26-9", "-m", "ann@fd.org", "--shift-date", "2026-11-20",
         "--at", "2026-11-20T22:00-05:00", "--type", "EMS", "--role", "driver")  # fmt: skip
    (resp,) = duty("--format", "json", "call", "list").json
    duty(*AS_OF, "call", "void", str(resp["id"]), "--reason", "wrong call")
    duty(*AS_OF, "call", "add", "F26-9", "-m", "ann@fd.org", "--shift-date", "2026-11-21",
         "--at", "2026-11-22T03:15-05:00", "--type", "Fire", "--role", "driver")  # fmt: skip
    listed = duty("--format", "json", "call", "list", "--include-void").json
    assert [(x["id"], x["shift_date"], x["at"], x["call_type"], x["void_reason"]) for x in listed] == [
        (resp["id"] + 1, "2026-11-21", "2026-11-22T08:15:00Z", "Fire", None),
        (resp["id"], "2026-11-20", "2026-11-21T03:00:00Z", "EMS", "wrong call"),
    ]  # fmt: skip
    table = duty("call", "list", "--include-void").stdout
    void_line = next(line for line in table.splitlines() if "void: wrong call" in line)
    assert "2026-11-20" in void_line and "11-20 22:00" in void_line and "EMS" in void_line, table
    csv_line = next(line for line in duty("--format", "csv", "call", "list", "--include-void").stdout.splitlines()
                    if "wrong call" in line)  # fmt: skip
    assert ",2026-11-20,2026-11-20T22:00-05:00,EMS," in csv_line, csv_line
    # filtered by what it was: the shift date before the corrected one, the type EMS
    day = duty("--as-of", "2026-11-20", "--format", "json", "call", "list", "--include-void").json
    assert [x["id"] for x in day] == [resp["id"]]
    ems = duty("--format", "json", "call", "list", "--include-void", "--type", "ems").json
    assert [x["id"] for x in ems] == [resp["id"]]
    assert duty("--format", "json", "call", "list", "--type", "ems").json == []


def test_a_corrected_time_must_fit_the_shift_date_on_file(duty, snapshot):  # noqa: F811
    """A correction that gives a time but no shift date keeps the shift date on file: a
    time days after it is refused (a call belongs to the shift it was worked on)."""
    duty(*AS_OF, *CALL, "-m", "ann@fd.org", "--type", "EMS")
    duty(*AS_OF, "call", "void", "1", "--reason", "wrong day")
    later = ("call", "add", "F26-5", "-m", "ann@fd.org", "--type", "EMS", "--at", "2026-11-25T10:00-05:00")
    before = snapshot()
    r = duty(*AS_OF, *later, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert ("--at: 2026-11-25T10:00-05:00 is 5 days after its shift date 2026-11-20; a call belongs to the "
            "shift it was worked on (at most 3 days later) (the call's shift date on file); give the shift "
            "date it was worked on") in r.stderr, r.stderr  # fmt: skip
    r = duty(*AS_OF, *later, "--shift-date", "2026-11-25")
    assert "Corrected incident F26-5: shift date 2026-11-20 -> shift date 2026-11-25; time" in r.stderr
    (live,) = duty("--format", "json", "call", "list").json
    assert (live["shift_date"], live["at"]) == ("2026-11-25", "2026-11-25T15:00:00Z")


def test_role_refusals_say_no_role_not_none(duty, tmp_path, snapshot):  # noqa: F811
    """Messages never show Python's None: "on file with no role", "(got no role)"."""
    duty(*AS_OF, *CALL, "-m", "ann@fd.org", "--type", "EMS")
    before = snapshot()
    r = duty(*AS_OF, *CALL, "-m", "ann@fd.org", "--type", "EMS", "--role", "driver", ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "--role: the member's response to incident F26-5 is on file with no role (got 'driver')" in r.stderr
    assert "`trainctl call list --incident F26-5` shows the ids" in r.stderr
    sheet = _csv(tmp_path, "c.csv", (
        "incident,shift_date,at,call_type,email,role\n"
        "F26-6,2026-11-20,2026-11-20T11:00-05:00,EMS,bo@fd.org,driver\n"
        "F26-6,2026-11-20,2026-11-20T11:00-05:00,EMS,bo@fd.org,\n"
    ))  # fmt: skip
    r = duty(*AS_OF, "call", "import", "--csv", sheet, ok=False)
    assert r.exit_code == 65 and snapshot() == before
    assert "c.csv, line 3, field role: the member responds to incident F26-6 on line 2 with role 'driver' (got no role)" in r.stderr
    assert "None" not in r.stderr


def test_call_list_with_every_response_void_counts_the_void_ones(duty):  # noqa: F811
    """`call list --include-void` with every response void said "0 responses to 0 calls",
    the three void rows above it unmentioned (review): the total says them as shift list
    does ("(1 void not counted)"), and a list with none void says nothing of voids."""
    call = ("call", "add", "F26-9", "--type", "EMS", "--shift-date", "2026-11-20", "--at", "2026-11-20T10:00-05:00")
    duty(*AS_OF, *call, "-m", "ann@fd.org", "--role", "driver")
    duty(*AS_OF, *call, "-m", "bo@fd.org", "--role", "attendant")
    assert "2 responses to 1 call; times in" in duty("call", "list").stderr
    for resp in (1, 2):
        duty(*AS_OF, "call", "void", str(resp), "--reason", "wrong incident")
    r = duty("call", "list", "--include-void")
    assert r.stdout.count("wrong incident") == 2, r.stdout
    assert "0 responses to 0 calls (2 void not counted); times in" in r.stderr, r.stderr
