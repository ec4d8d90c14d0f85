"""Members' positions and status over time (issue 9, "as of any date"): every report answers
for a past date with the positions and status members held then (table member_history,
queries/members.states_as_of), on both backends through the real CLI.

Dates stay before the machine's today: a change cannot take effect in the future.
"""

from __future__ import annotations

import json

import pytest

HIRED = "2015-01-10"


@pytest.fixture
def dept(cli):
    cli("member", "add", "Olive Officer", "--email", "olive@fd.org", "--role", "officer",
        "--position", "officer", "--hire-date", HIRED)  # fmt: skip
    cli("member", "add", "Sam Smoke", "--email", "sam@fd.org", "--badge", "42",
        "--position", "firefighter", "--hire-date", HIRED)  # fmt: skip
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--position", "firefighter,emt",
        "--hire-date", HIRED)  # fmt: skip
    cli("requirement", "add", "--name", "Officer development", "--type", "hours", "--hours",
        "12", "--frequency", "annual", "--position", "officer")  # fmt: skip
    cli("requirement", "add", "--name", "Annual drill", "--type", "hours", "--hours", "2",
        "--frequency", "annual")  # fmt: skip
    return cli


def matrix(cli, as_of: str, *args: str) -> dict[tuple[str, str], str]:
    data = cli("report", "compliance", "--as-of", as_of, "--format", "json", *args).json
    return {(c["member"], c["requirement"]): c["status"] for c in data["cells"]}


def roster(cli, as_of: str, *args: str) -> list[str]:
    return sorted({m for m, _ in matrix(cli, as_of, *args)})


def officer_dev(cli, member: str, as_of: str) -> dict:
    return cli("requirement", "explain", member, "Officer development", "--as-of", as_of,
               "--format", "json").json  # fmt: skip


def _listed(positions: object) -> list:
    """A positions column as a list: JSON text on SQLite, a list from PostgreSQL."""
    return json.loads(positions) if isinstance(positions, str) else list(positions)  # type: ignore[call-overload]


def history(db, email: str) -> list[tuple]:
    return db.rows(
        "SELECT h.effective_on, h.positions, h.status FROM member_history h "
        "JOIN member m ON m.id = h.member_id WHERE m.email = :e ORDER BY h.effective_on, h.id",
        {"e": email},
    )


# ------------------------------------------------------------------------ the two stories
def test_promoted_in_september_is_not_an_officer_in_june(dept):
    dept("member", "edit", "sam@fd.org", "--add-position", "officer", "--effective", "2025-09-01")
    june = matrix(dept, "2025-06-30")
    assert june[("Sam Smoke", "Officer development")] == "not_applicable"
    assert june[("Olive Officer", "Officer development")] != "not_applicable"
    assert matrix(dept, "2025-09-01")[("Sam Smoke", "Officer development")] != "not_applicable"
    # the position filter and the one-cell explanation agree with the matrix
    assert roster(dept, "2025-06-30", "--position", "officer") == ["Olive Officer"]
    assert roster(dept, "2025-10-01", "--position", "officer") == ["Olive Officer", "Sam Smoke"]
    e = officer_dev(dept, "sam@fd.org", "2025-06-30")
    assert e["status"] == "not_applicable"
    assert "firefighter" in e["reason"] and "officer" in e["reason"]
    assert officer_dev(dept, "sam@fd.org", "2025-09-01")["status"] != "not_applicable"
    # today's record is the latest value
    assert dept("member", "show", "sam@fd.org", "-f", "json").json["positions"] == [
        "firefighter", "officer"
    ]


def test_a_days_leave_after_a_window_closed_does_not_wipe_out_its_shortfall(dept):
    """Sam owed Annual drill for all of 2025 and did none: overdue in 2026. One day of
    leave in May 2026 must not forgive 2025 (he was subject to the whole of it); a member
    back from a leave that covered part of 2025 is held to the months she owed."""
    assert matrix(dept, "2026-05-01")[("Sam Smoke", "Annual drill")] == "overdue"
    dept("member", "edit", "sam@fd.org", "--status", "inactive", "--effective", "2026-05-02")
    dept("member", "edit", "sam@fd.org", "--status", "active", "--effective", "2026-05-03")
    assert matrix(dept, "2026-05-03")[("Sam Smoke", "Annual drill")] == "overdue"
    e = dept("requirement", "explain", "sam@fd.org", "Annual drill", "--as-of", "2026-05-03",
             "--format", "json").json  # fmt: skip
    assert e["status"] == "overdue" and not any("not held" in n for n in e["lines"])
    dept("member", "edit", "ann@fd.org", "--status", "inactive", "--effective", "2025-03-01")
    dept("member", "edit", "ann@fd.org", "--status", "active", "--effective", "2025-10-01")
    assert matrix(dept, "2026-05-03")[("Ann Lee", "Annual drill")] == "overdue"
    e = dept("requirement", "explain", "ann@fd.org", "Annual drill", "--as-of", "2026-05-03",
             "--format", "json").json  # fmt: skip
    assert any("5 of the previous window's 12 months" in n for n in e["lines"]), e["lines"]


def test_a_days_leave_inside_a_window_does_not_excuse_it(dept):
    """A day's leave on 12 May 2025 (no month begins in it): Sam owed all of 2025."""
    dept("member", "edit", "sam@fd.org", "--status", "inactive", "--effective", "2025-05-12")
    dept("member", "edit", "sam@fd.org", "--status", "active", "--effective", "2025-05-13")
    assert matrix(dept, "2026-02-01")[("Sam Smoke", "Annual drill")] == "overdue"
    e = dept("requirement", "explain", "sam@fd.org", "Annual drill", "--as-of", "2026-02-01",
             "--format", "json").json  # fmt: skip
    assert not any("months the member owed" in n for n in e["lines"]), e["lines"]


def test_a_retired_member_is_on_the_roster_of_days_they_were_active(dept):
    dept("member", "deactivate", "ann@fd.org", "--reason", "retired", "--effective", "2025-11-24")
    assert "Ann Lee" in roster(dept, "2025-10-31")
    assert "Ann Lee" in roster(dept, "2025-11-23")
    assert "Ann Lee" not in roster(dept, "2025-11-24")
    assert "Ann Lee" not in roster(dept, "2026-01-01")
    # named explicitly after retiring: on the matrix, judged not applicable (inactive)
    cells = matrix(dept, "2025-12-01", "--member", "ann@fd.org")
    assert set(cells.values()) == {"not_applicable"}
    assert set(matrix(dept, "2025-11-01", "--member", "ann@fd.org").values()) != {"not_applicable"}
    # the roster of today is unchanged: inactive members are not listed
    assert "ann@fd.org" not in [m["email"] for m in dept("member", "list", "-f", "json").json]


def test_the_iso_report_counts_the_members_of_its_year(dept):
    """The members who served in the year, each for the months they served: Ann, retired
    on 1 March 2025, owes January and February of 2025 (she had been left out of the year
    she trained in); Ned, retired on 1 January, owes 2025 nothing and is not in it."""
    dept("import", "iso")
    dept("member", "add", "Ned Gone", "--email", "ned@fd.org", "--position", "firefighter",
         "--hire-date", "2010-01-04")  # fmt: skip
    dept("member", "deactivate", "ann@fd.org", "--effective", "2025-03-01")
    dept("member", "deactivate", "ned@fd.org", "--effective", "2025-01-01")
    year_2024 = dept("report", "iso", "--year", "2024", "--as-of", "2025-06-01", "-f", "json").json
    assert {"Ann Lee", "Ned Gone"} <= {r["member"] for r in year_2024["rows"]}
    year_2025 = dept("report", "iso", "--year", "2025", "--as-of", "2025-12-31", "-f", "json").json
    rows = {(r["member"], r["item"]): r for r in year_2025["rows"]}
    assert "Ned Gone" not in {m for m, _ in rows}
    hazmat, company = rows[("Ann Lee", "ISO-HAZMAT")], rows[("Ann Lee", "ISO-COMPANY")]
    assert (hazmat["status"], hazmat["target"], hazmat["months_owed"]) == ("short", 1, "2 of 12")
    assert (company["target"], company["periods"], company["months_owed"]) == (32, 2, "2 of 12")


# ------------------------------------------------------------------- edges of the calendar
def test_feb_29_and_year_end_effective_dates(dept):
    dept("member", "edit", "sam@fd.org", "--add-position", "officer", "--effective", "2024-02-29")
    dept("member", "deactivate", "sam@fd.org", "--effective", "2024-12-31")
    dept("member", "edit", "sam@fd.org", "--status", "active", "--effective", "2025-01-01")
    key = ("Sam Smoke", "Officer development")
    assert matrix(dept, "2024-02-28")[key] == "not_applicable"
    assert matrix(dept, "2024-02-29")[key] != "not_applicable"
    assert "Sam Smoke" in roster(dept, "2024-12-30")
    assert "Sam Smoke" not in roster(dept, "2024-12-31")
    assert matrix(dept, "2025-01-01")[key] != "not_applicable"
    # a leap-day hire: history starts on it
    dept("member", "add", "Leap Day", "--email", "leap@fd.org", "--position", "officer",
         "--hire-date", "2024-02-29")  # fmt: skip
    assert matrix(dept, "2024-03-01")[("Leap Day", "Officer development")] != "not_applicable"


def test_history_rows_say_what_changed_and_when(dept, db):
    dept("member", "edit", "sam@fd.org", "--add-position", "officer", "--effective", "2025-09-01")
    dept("member", "edit", "sam@fd.org", "--name", "Sam Smoke Jr")  # no position or status
    dept("member", "deactivate", "sam@fd.org", "--effective", "2025-10-01")
    rows = history(db, "sam@fd.org")
    assert [(str(d)[:10], s) for d, _p, s in rows] == [
        (HIRED, "active"), ("2025-09-01", "active"), ("2025-10-01", "inactive")
    ]
    recorded = db.rows(
        "SELECT recorded_at, recorded_by FROM member_history ORDER BY id DESC LIMIT 1"
    )[0]
    assert recorded[0] is not None and recorded[1] is None  # written by the database owner
    shown = dept("member", "show", "sam@fd.org").stdout
    assert "Positions and status over time" in shown
    assert "2025-09-01" in shown and "2025-10-01" in shown and "inactive" in shown


def test_the_global_as_of_is_the_default_effective_day(dept, db):
    dept("--as-of", "2025-05-05", "member", "edit", "sam@fd.org", "--add-position", "officer")
    assert [str(d)[:10] for d, _p, _s in history(db, "sam@fd.org")] == [HIRED, "2025-05-05"]


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("effective", "code", "says"),
    [
        ("2025-02-29", 2, "not a date"),  # no leap day in 2025
        ("2025-13-01", 2, "not a date"),
        ("31/12/2025", 2, "not a date"),
        ("2999-01-01", 2, "is after today"),
        ("2010-01-01", 1, "before"),  # before the hire date, the first entry
    ],
)
def test_a_bad_effective_date_is_refused_naming_the_field(dept, snapshot, effective, code, says):
    before = snapshot()
    r = dept("member", "edit", "sam@fd.org", "--add-position", "officer", "--effective",
             effective, ok=False)  # fmt: skip
    assert r.exit_code == code, r
    assert "--effective" in r.stderr and says in r.stderr
    assert snapshot() == before


def test_a_change_before_the_last_recorded_one_is_refused(dept, snapshot):
    dept("member", "deactivate", "sam@fd.org", "--effective", "2025-10-01")
    before = snapshot()
    r = dept("member", "edit", "sam@fd.org", "--status", "active", "--effective", "2025-09-30",
             ok=False)  # fmt: skip
    assert r.exit_code == 1
    assert "2025-10-01" in r.stderr and "member show" in r.stderr
    r = dept("member", "deactivate", "ann@fd.org", "--effective", "2014-12-31", ok=False)
    assert r.exit_code == 1
    assert snapshot() == before


def test_a_member_back_earlier_than_recorded_is_moved_back_as_the_hint_says(dept, db, snapshot):
    """Sam left on 1 March and is recorded back on 1 May; he was back by 10 April: a record
    of that day is refused with a hint to record it effective that day, which was itself
    refused (before the last recorded change). Restating his present state earlier moves
    its start back (appended, not edited); nothing earlier than the stretch that states
    otherwise, and no inactive stretch over days with records, moves."""
    dept("--as-of", "2025-03-01", "member", "deactivate", "sam@fd.org")
    dept("--as-of", "2025-05-01", "member", "edit", "sam@fd.org", "--status", "active")
    drill = ("record", "add", "sam@fd.org", "--course", "Drill", "--date", "2025-04-10", "--hours", "2",
             "--type", "drill")  # fmt: skip
    r = dept("--as-of", "2025-06-01", *drill, ok=False)
    hint = "`trainctl member edit MEMBER --status active --effective 2025-04-10`"
    assert r.exit_code == 1 and hint in " ".join(r.stderr.split()), r
    assert ("Sam Smoke", "Annual drill") not in matrix(dept, "2025-04-15")
    before = snapshot()  # before the entry that says otherwise: it would undo it
    r = dept("--as-of", "2025-06-01", "member", "edit", "sam@fd.org", "--status", "active",
             "--effective", "2025-02-01", ok=False)  # fmt: skip
    assert r.exit_code == 1 and "2025-05-01" in r.stderr, r
    assert snapshot() == before
    # a position added since stays on its own day: the status alone moves back
    dept("--as-of", "2025-05-10", "member", "edit", "sam@fd.org", "--add-position", "driver")
    r = dept("--as-of", "2025-06-01", "member", "edit", "sam@fd.org", "--status", "active",
             "--effective", "2025-04-10")  # fmt: skip
    assert "Sam Smoke is now on record as active from 2025-04-10 (before: from 2025-05-01)" in " ".join(
        r.stderr.split()), r  # fmt: skip
    before = snapshot()  # said again, a few days later: already so, nothing written
    r = dept("--as-of", "2025-06-01", "member", "edit", "sam@fd.org", "--status", "active",
             "--effective", "2025-04-20")  # fmt: skip
    assert "nothing changed" in r.stderr and "on record as active from 2025-04-10 already" in r.stderr, r
    assert snapshot() == before
    dept("--as-of", "2025-06-01", *drill)
    assert ("Sam Smoke", "Annual drill") in matrix(dept, "2025-04-15")
    assert ("Sam Smoke", "Annual drill") not in matrix(dept, "2025-04-09")
    assert [(str(d)[:10], _listed(p), st) for d, p, st in history(db, "sam@fd.org")] == [
        (HIRED, ["firefighter"], "active"), ("2025-03-01", ["firefighter"], "inactive"),
        ("2025-04-10", ["firefighter"], "active"), ("2025-05-01", ["firefighter"], "active"),
        ("2025-05-10", ["firefighter", "driver"], "active")]  # fmt: skip
    assert matrix(dept, "2025-04-15").get(("Sam Smoke", "Officer development")) == "not_applicable"
    # a status restated while a position differed then does not move the position
    dept("--as-of", "2025-06-01", "member", "edit", "olive@fd.org", "--add-position", "driver")
    dept("--as-of", "2025-06-02", "member", "edit", "olive@fd.org", "--status", "active",
         "--effective", "2025-03-01")  # fmt: skip
    assert [_listed(p) for _d, p, _s in history(db, "olive@fd.org")] == [["officer"], ["officer", "driver"]]
    # a promotion recorded late moves back the same way; a different state does not
    dept("--as-of", "2025-06-01", "member", "edit", "ann@fd.org", "--add-position", "officer")
    dept("--as-of", "2025-06-05", "member", "edit", "ann@fd.org", "--add-position", "officer",
         "--effective", "2025-05-20")  # fmt: skip
    assert matrix(dept, "2025-05-25")[("Ann Lee", "Officer development")] != "not_applicable"
    before = snapshot()
    r = dept("--as-of", "2025-06-05", "member", "edit", "ann@fd.org", "--add-position", "driver",
             "--effective", "2025-05-25", ok=False)  # fmt: skip
    assert r.exit_code == 1 and snapshot() == before
    # an inactive stretch is not moved back over days that may hold records
    dept("--as-of", "2025-06-01", "member", "deactivate", "olive@fd.org")
    before = snapshot()
    r = dept("--as-of", "2025-06-05", "member", "edit", "olive@fd.org", "--status", "inactive",
             "--effective", "2025-05-01", ok=False)  # fmt: skip
    assert r.exit_code == 1 and snapshot() == before


# ---------------------------------------------------------------------------- imports
def test_an_import_records_history_set_based_with_its_effective_day(dept, db, tmp_path):
    path = tmp_path / "crew.csv"
    path.write_text(
        "name,email,positions,status,hire_date\n"
        "Sam Smoke,sam@fd.org,firefighter|officer,,\n"
        "Ann Lee,ann@fd.org,,inactive,\n"
        "Nia New,nia@fd.org,emt,,2025-07-01\n"
        "Olive Officer,olive@fd.org,,,\n"
    )
    dept("member", "import", "--csv", str(path), "--update", "--effective", "2025-08-01")
    assert [str(d)[:10] for d, _p, _s in history(db, "sam@fd.org")] == [HIRED, "2025-08-01"]
    assert history(db, "ann@fd.org")[-1][2] == "inactive"
    assert [str(d)[:10] for d, _p, _s in history(db, "nia@fd.org")] == ["2025-07-01"]
    assert len(history(db, "olive@fd.org")) == 1  # unchanged: no entry
    july = matrix(dept, "2025-07-31")
    assert july[("Sam Smoke", "Officer development")] == "not_applicable"
    assert ("Ann Lee", "Annual drill") in july
    august = matrix(dept, "2025-08-01")
    assert august[("Sam Smoke", "Officer development")] != "not_applicable"
    assert ("Ann Lee", "Annual drill") not in august


def test_an_import_dated_before_a_members_last_change_names_the_row(dept, snapshot, tmp_path):
    dept("member", "edit", "sam@fd.org", "--add-position", "officer", "--effective", "2025-09-01")
    path = tmp_path / "crew.csv"
    path.write_text("name,email,status\nSam Smoke,sam@fd.org,inactive\n")
    before = snapshot()
    r = dept("member", "import", "--csv", str(path), "--update", "--effective", "2025-08-01",
             ok=False)  # fmt: skip
    assert r.exit_code == 65
    assert "line 2, field status" in r.stderr and "2025-09-01" in r.stderr
    assert snapshot() == before


def test_a_member_added_without_a_hire_date_can_take_an_earlier_change(dept, db, snapshot):
    dept("member", "add", "Kim Nohire", "--email", "kim@fd.org", "--position", "firefighter")
    dept("member", "edit", "kim@fd.org", "--add-position", "officer", "--effective", "2025-09-01")
    # the entry from being added now starts on that day; the change follows it
    assert [(str(d)[:10], s) for d, _p, s in history(db, "kim@fd.org")] == [
        ("2025-09-01", "active"), ("2025-09-01", "active")
    ]
    key = ("Kim Nohire", "Officer development")
    assert matrix(dept, "2025-06-30")[key] == "not_applicable"  # as first known: firefighter
    assert matrix(dept, "2025-09-01")[key] != "not_applicable"
    assert matrix(dept, "2026-11-30")[key] != "not_applicable"
    # two entries now: an even earlier change would be undone by the later one, refused
    before = snapshot()
    r = dept("member", "deactivate", "kim@fd.org", "--effective", "2025-08-01", ok=False)
    assert r.exit_code == 1 and "2025-09-01" in r.stderr
    assert snapshot() == before


def test_member_show_names_who_changed_a_member(dept):
    """member show's history tables printed "By (member)" with a bare 3, which reads as a
    badge (review): they name the officer as "created by" does, and the database owner."""
    dept("--as", "olive@fd.org", "member", "edit", "42", "--add-position", "officer",
         "--effective", "2025-09-01")  # fmt: skip
    out = dept("member", "show", "42").stdout
    timeline, history = out.split("Positions and status over time")[1].split("History")
    assert "Olive Officer (id 1)" in timeline and "Olive Officer (id 1)" in history, out
    assert "database owner" in timeline and "database owner" in history, out  # the add
    assert "By (member)" not in out
    data = dept("--format", "json", "member", "show", "42").json  # a script keeps the id
    assert [h["recorded_by"] for h in data["history"]] == [1, None]


# ----------------------------------------- `member show`: the member's cards and enrollments
def _history_table(cli, member: str) -> str:
    out = cli("member", "show", member).stdout
    return out[out.index("History"):]


def test_member_show_history_lists_the_members_cards_and_enrollments(dept, db):
    """An officer asking `member show` what happened to Ann saw her member row's edits
    only: not the card she was given, its void, nor her enrollment and its withdrawal. The
    History lists them (card and enrollment named by id), and nothing of Sam's."""
    cli = dept
    cli("program", "create", "Recruit")
    cli("program", "requirement", "add", "1", "Annual drill")
    cli("program", "activate", "1")
    cli("enroll", "add", "ann@fd.org", "Recruit")
    cli("enroll", "withdraw", "1", "--reason", "moved away")
    cli("enroll", "add", "sam@fd.org", "Recruit")
    cli("cert", "add", "ann@fd.org", "BLS", "--issued", "2026-01-01", "--expires", "2028-01-01")
    cli("cert", "add", "sam@fd.org", "ACLS", "--issued", "2026-01-02")
    cli("cert", "void", "1", "--reason", "wrong expiry")
    cli("member", "edit", "ann@fd.org", "--add-position", "officer")

    ann = _history_table(cli, "ann@fd.org")
    for action in ("member.edit", "cert.void", "cert.add", "enrollment.withdraw",
                   "enrollment.add", "member.add"):  # fmt: skip
        assert action in ann, action
    assert "card 1:" in ann and "BLS" in ann and "wrong expiry" in ann
    assert "enrollment 1:" in ann and "moved away" in ann
    assert "ACLS" not in ann and "card 2" not in ann and "enrollment 2" not in ann
    # latest first: the void after the add, the withdrawal after the enrollment
    assert ann.index("cert.void") < ann.index("cert.add")
    assert ann.index("enrollment.withdraw") < ann.index("enrollment.add")
    sam = _history_table(cli, "sam@fd.org")
    assert "card 2:" in sam and "enrollment 2:" in sam and "BLS" not in sam


def test_card_audit_rows_name_the_member(dept, db):
    """A card's audit rows said "certification 1" and no member: the log could not say who
    got the card. `cert add` and `cert void` now name the member, as `enroll add` does."""
    cli = dept
    cli("cert", "add", "ann@fd.org", "BLS", "--issued", "2026-01-01")
    cli("cert", "void", "1", "--reason", "typo")
    ann = db.scalar("SELECT id FROM member WHERE email = 'ann@fd.org'")
    details = [json.loads(d) if isinstance(d, str) else d for (d,) in db.rows(
        "SELECT detail FROM audit_log WHERE entity = 'certification' ORDER BY id")]  # fmt: skip
    assert [d["member_id"] for d in details] == [ann, ann]
    assert (details[0]["credential"], details[0]["issued"]) == ("BLS", "2026-01-01")


def _audit(db, action: str) -> list[dict]:
    return [json.loads(d) if isinstance(d, str) else d
            for (d,) in db.rows("SELECT detail FROM audit_log WHERE action = :a ORDER BY id", {"a": action})]  # fmt: skip


def test_the_audit_log_and_history_name_the_day_a_change_takes_effect(dept, db, tmp_path):
    """Third review: `member edit --add-position officer --effective 2026-09-01` logged only
    "positions: firefighter -> firefighter, officer", while member.deactivate kept its
    effective_on. The entry keeps the day (an edit of a name, with no day, none), and
    member show's History prints it; a member import says it the same way."""
    dept("member", "edit", "42", "--add-position", "officer", "--effective", "2025-09-01")
    dept("member", "edit", "42", "--name", "Sam Smoke Jr")
    edits = _audit(db, "member.edit")
    assert edits[0]["effective_on"] == "2025-09-01" and "effective_on" not in edits[1]
    history = dept("--format", "json", "member", "show", "42").json
    out = dept("member", "show", "42").stdout.split("History")[-1]
    assert "(effective 2025-09-01)" in " ".join(out.split()), out
    assert history["name"] == "Sam Smoke Jr"
    path = tmp_path / "crew.csv"
    path.write_text("name,email,positions\nAnn Lee,ann@fd.org,firefighter|officer\n")
    dept("member", "import", "--csv", str(path), "--update", "--effective", "2025-08-01")
    assert _audit(db, "member.edit")[-1]["effective_on"] == "2025-08-01"


def test_the_audit_log_keeps_the_day_of_enrollments_progress_and_program_edits(dept, db):
    """Third review: enrollment.add and progress.update did not log the --as-of day they
    were dated, and program.edit logged {"changed": ["time_limit_days"]} without what it
    was and became. Each entry keeps them."""
    dept("program", "create", "Year", "--time-limit-days", "365")
    dept("program", "requirement", "add", "Year", "Annual drill")
    dept("program", "activate", "Year")
    dept("program", "edit", "Year", "--time-limit-days", "400")
    assert _audit(db, "program.edit")[-1]["changes"] == {"time_limit_days": {"from": 365, "to": 400}}
    dept("--as-of", "2025-06-01", "enroll", "add", "42", "Year")
    assert _audit(db, "enrollment.add")[-1]["on"] == "2025-06-01"
    dept("--as-of", "2025-06-03", "progress", "update", "--member", "42", "--requirement",
         "Annual drill", "--add", "1")  # fmt: skip
    assert _audit(db, "progress.update")[-1]["on"] == "2025-06-03"


def _history_rows(cli, member: str) -> list[str]:
    """The History table's lines of entries, latest first (one line each at COLUMNS=200)."""
    return [line for line in _history_table(cli, member).splitlines() if "." in line and "│" in line]


def test_member_show_history_lists_the_bulk_runs_that_made_the_members_cards_and_enrollments(
    dept, tmp_path
):
    """`cert import` of a sheet and `enroll bulk` write one audit entry per run, naming no
    single card or enrollment: an officer asking `member show` who imported Ann's card, or
    who enrolled her with the class and when, found nothing there. Each card and enrollment
    a run made now lists the run's entry (who, when, the file and counts), and a later run
    that did not make it is not listed."""
    cli = dept
    cli("program", "create", "Recruit")
    cli("program", "requirement", "add", "1", "Annual drill")
    cli("program", "activate", "1")
    cards = tmp_path / "cards.csv"
    cards.write_text("email,code,issued,expires\n"
                     "ann@fd.org,BLS,2026-01-02,2028-01-31\nsam@fd.org,BLS,2026-01-03,2028-01-31\n")  # fmt: skip
    cli("--as", "olive@fd.org", "cert", "import", "--csv", str(cards))  # cards 1 and 2
    cli("cert", "add", "ann@fd.org", "ACLS", "--issued", "2026-02-01")  # card 3: its own entry
    later = tmp_path / "later.csv"
    later.write_text("email,code,issued\nsam@fd.org,ACLS,2026-02-02\n")
    cli("cert", "import", "--csv", str(later))  # card 4, Sam's only
    klass = tmp_path / "class.csv"
    klass.write_text("email\nann@fd.org\nsam@fd.org\n")
    cli("--as", "olive@fd.org", "enroll", "bulk", "Recruit", "--csv", str(klass))

    ann = _history_rows(cli, "ann@fd.org")
    bulk = [line for line in ann if "enrollment.bulk" in line]
    assert len(bulk) == 1 and "Olive Officer (id 1)" in bulk[0] and "enrollment 1:" in bulk[0], ann
    assert "enrolled=2" in bulk[0]
    imported = [line for line in ann if "cert.import" in line]
    assert len(imported) == 1, ann  # the later run made no card of Ann's
    assert "Olive Officer (id 1)" in imported[0] and "card 1:" in imported[0]
    assert "files=cards.csv" in imported[0] and "added=2" in imported[0]
    added = [line for line in ann if "cert.add" in line]
    assert len(added) == 1 and "card 3:" in added[0] and "database owner" in added[0]
    # latest first: the enrollment, the card added, the import, the member added
    assert [line.split("│")[2].strip() for line in ann] == [
        "enrollment.bulk", "cert.add", "cert.import", "member.add"
    ]
    sam = _history_rows(cli, "sam@fd.org")
    assert [line.split("│")[2].strip() for line in sam] == [
        "enrollment.bulk", "cert.import", "cert.import", "member.add"
    ]
    assert "card 4:" in sam[1] and "files=later.csv" in sam[1] and "database owner" in sam[1]
    assert "card 2:" in sam[2] and "Olive Officer (id 1)" in sam[2]
    assert "enrollment 2:" in sam[0]


def test_a_bulk_run_is_linked_by_the_ids_it_made_not_by_its_time(dept, db, tmp_path):
    """Two `cert import`s and two `enroll bulk`s into one program by the same officer, at
    the same moment (two stations on a server, or clocks a second apart): the History
    joined a card or enrollment to the first entry of its kind at or after the row was
    made, so Sam's card and enrollment, made by the second run, listed the first run (Ann's
    file). Each run's entry keeps the ids it made, and the History follows them: Sam sees
    the run that made his, Ann hers, whatever the clocks said."""
    cli = dept
    cli("program", "create", "Recruit")
    cli("program", "requirement", "add", "1", "Annual drill")
    cli("program", "activate", "1")
    for who, name in (("ann", "ann-cards.csv"), ("sam", "sam-cards.csv")):
        sheet = tmp_path / name
        sheet.write_text(f"email,code,issued\n{who}@fd.org,BLS,2026-01-02\n{who}@fd.org,ACLS,2026-01-03\n")
        cli("--as", "olive@fd.org", "cert", "import", "--csv", str(sheet))
    for who in ("ann", "sam"):
        klass = tmp_path / f"{who}-class.csv"
        klass.write_text(f"email\n{who}@fd.org\n")
        cli("--as", "olive@fd.org", "enroll", "bulk", "Recruit", "--csv", str(klass))
    # the same instant for every row and entry (the second run's clock no later)
    for table, column in (("audit_log", "at"), ("certification", "created_at"),
                          ("enrollment", "enrolled_at")):  # fmt: skip
        db.execute(f"UPDATE {table} SET {column} = (SELECT min(at) FROM audit_log)")

    for who, other in (("ann", "sam"), ("sam", "ann")):
        rows = _history_rows(cli, f"{who}@fd.org")
        imported = [line for line in rows if "cert.import" in line]
        assert len(imported) == 2, rows  # one line per card, both cards of the one run
        assert all(f"files={who}-cards.csv" in line for line in imported), rows
        assert not any(f"{other}-" in line for line in rows), rows
        bulk = [line for line in rows if "enrollment.bulk" in line]
        assert len(bulk) == 1 and "enrolled=1" in bulk[0], rows
    ann_enrollment = db.scalar("SELECT e.id FROM enrollment e JOIN member m ON m.id = e.member_id "
                               "WHERE m.email = 'ann@fd.org'")  # fmt: skip
    sam_enrollment = db.scalar("SELECT e.id FROM enrollment e JOIN member m ON m.id = e.member_id "
                               "WHERE m.email = 'sam@fd.org'")  # fmt: skip
    assert f"enrollment {ann_enrollment}:" in _history_table(cli, "ann@fd.org")
    assert f"enrollment {sam_enrollment}:" in _history_table(cli, "sam@fd.org")


def test_a_bulk_run_logged_before_runs_kept_their_ids_is_still_found_by_its_time(dept, db, tmp_path):
    """An entry written by an earlier trainctl has no ids (a database upgraded to this one):
    the card and enrollment it made still list it, found as before by its time."""
    cli = dept
    cli("program", "create", "Recruit")
    cli("program", "requirement", "add", "1", "Annual drill")
    cli("program", "activate", "1")
    cards = tmp_path / "cards.csv"
    cards.write_text("email,code,issued\nann@fd.org,BLS,2026-01-02\nsam@fd.org,BLS,2026-01-03\n")
    cli("--as", "olive@fd.org", "cert", "import", "--csv", str(cards))
    klass = tmp_path / "class.csv"
    klass.write_text("email\nann@fd.org\nsam@fd.org\n")
    cli("--as", "olive@fd.org", "enroll", "bulk", "Recruit", "--csv", str(klass))
    assert all("first_id" in d and "last_id" in d for d in _audit(db, "cert.import") + _audit(db, "enrollment.bulk"))
    strip = ("(detail::jsonb - 'first_id' - 'last_id')::json" if db.postgres
             else "json_remove(detail, '$.first_id', '$.last_id')")  # fmt: skip
    db.execute(f"UPDATE audit_log SET detail = {strip} WHERE action IN ('cert.import', 'enrollment.bulk')")
    assert not any("first_id" in d for d in _audit(db, "cert.import") + _audit(db, "enrollment.bulk"))
    for who in ("ann", "sam"):
        rows = _history_rows(cli, f"{who}@fd.org")
        assert [line.split("│")[2].strip() for line in rows] == [
            "enrollment.bulk", "cert.import", "member.add"
        ], rows
        assert "files=cards.csv" in rows[1] and "Olive Officer (id 1)" in rows[1]


def test_the_cards_of_one_bulk_run_are_listed_in_the_same_order_on_both_backends(dept, tmp_path):
    """One `cert import` gave Ann eight cards: `member show` lists the run's one entry once
    per card, all at the same time. The History sorted by time and entry only, so the
    eight lines came in whatever order the database met them: card 1, 2, ... 8 on SQLite,
    card 8 first on PostgreSQL (the README tour's demo department, copied to a server).
    Ties now fall by the card's (or enrollment's) id, on both."""
    cli = dept
    codes = ["BLS", "ACLS", "PALS", "FF1", "FF2", "HM-OPS", "EVOC", "PHTLS"]
    cards = tmp_path / "cards.csv"
    cards.write_text("email,code,issued\n" + "".join(f"ann@fd.org,{c},2026-01-02\n" for c in codes))
    cli("cert", "import", "--csv", str(cards))
    rows = [line for line in _history_rows(cli, "ann@fd.org") if "cert.import" in line]
    assert [line.split("│")[4].split(":")[0].strip() for line in rows] == [
        f"card {n}" for n in range(1, 9)
    ], rows
