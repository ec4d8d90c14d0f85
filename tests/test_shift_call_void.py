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
