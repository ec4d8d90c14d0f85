"""Versioned duplication: deep, independent copies with remapped phase prerequisites."""

from __future__ import annotations

import pytest
from backends import connect
from program_helpers import PROBIE, add_requirements, build_probie, doc_without_info


@pytest.fixture
def probie(cli, db_url):
    add_requirements(db_url)
    build_probie(cli)
    return PROBIE


def _content(doc):
    d = doc_without_info(doc)
    d.pop("name")
    d.pop("version")
    return d


def test_duplicating_v1_twice_gives_v2_and_v3_with_their_own_phases(cli, probie, db_url):
    original = cli("program", "show", probie, "--format", "json").json
    assert cli("program", "duplicate", probie, "--name", probie).stdout.strip() == "2"
    assert cli("program", "duplicate", f"{probie}@1", "--name", probie).stdout.strip() == "3"
    con = connect(db_url)
    rows = con.execute(
        "SELECT id, version, lineage_id, derived_from_id, status FROM program ORDER BY id"
    ).fetchall()
    assert rows == [(1, 1, 1, None, "active"), (2, 2, 1, 1, "draft"), (3, 3, 1, 1, "draft")]
    for pid in (2, 3):
        copy = cli("program", "show", str(pid), "--format", "json").json
        assert _content(copy) == _content(original)  # every field, phase, link, override, milestone
        assert copy["derived_from"] == f"{probie}@1" and copy["lineage"] == f"{probie}@1"
        # every phase prerequisite of the copy points at the copy's own phases
        pairs = con.execute(
            "SELECT a.program_id, b.program_id, a.phase_number, b.phase_number FROM phase_prerequisite pp "
            "JOIN program_phase a ON a.id = pp.phase_id JOIN program_phase b ON b.id = pp.prerequisite_phase_id "
            "WHERE a.program_id = ? ORDER BY 3, 4",
            (pid,),
        ).fetchall()
        assert pairs == [(pid, pid, 2, 1), (pid, pid, 3, 1), (pid, pid, 3, 2)]
        # links and milestones hang off the copy's phases, never the original's
        bad = con.execute(
            "SELECT count(*) FROM program_requirement r JOIN program_phase ph ON ph.id = r.phase_id "
            "WHERE r.program_id = ? AND ph.program_id <> ?",
            (pid, pid),
        ).fetchone()[0]
        bad += con.execute(
            "SELECT count(*) FROM program_milestone m JOIN program_phase ph ON ph.id = m.phase_id "
            "WHERE m.program_id = ? AND ph.program_id <> ?",
            (pid, pid),
        ).fetchone()[0]
        assert bad == 0
    # a third copy from v2 continues the lineage: v4
    cli("program", "duplicate", f"{probie}@2", "--name", probie)
    assert con.execute("SELECT version, derived_from_id FROM program WHERE id=4").fetchone() == (
        4,
        2,
    )


def test_changing_a_copy_leaves_the_original_byte_for_byte_the_same(cli, probie):
    v1 = f"{probie}@1"
    before = cli("program", "show", v1, "--format", "json").stdout
    before_tree = cli("program", "show", v1).stdout
    cli("program", "duplicate", probie, "--name", probie)
    copy = f"{probie}@2"
    cli(
        "program",
        "edit",
        copy,
        "--description",
        "Changed",
        "--reminders",
        '{"lead_days": [3]}',
        "--time-limit-days",
        "400",
    )
    cli(
        "program",
        "phase",
        "edit",
        copy,
        "2",
        "--name",
        "FF I academy",
        "--after",
        "1",
        "--time-limit-days",
        "90",
    )
    cli("program", "phase", "edit", copy, "3", "--no-prerequisites")
    cli("program", "phase", "add", copy, "4", "Driver intro", "--after", "3")
    cli("program", "requirement", "add", copy, "NFPA 1002", "--phase", "4")
    cli(
        "program",
        "requirement",
        "edit",
        copy,
        "NFPA 1582",
        "--phase",
        "1",
        "--deadline-days",
        "7",
        "-d",
        "New text",
    )
    cli("program", "requirement", "remove", copy, "Ride-along shifts", "--phase", "1")
    cli("program", "milestone", "add", copy, "Phase 4 done", "--phase", "4", "--threshold", "100")
    cli("program", "activate", copy)
    assert cli("program", "show", v1, "--format", "json").stdout == before
    assert cli("program", "show", v1).stdout == before_tree
    assert cli("program", "show", copy, "--format", "json").json["description"] == "Changed"


def test_keep_version_keeps_the_number_and_needs_a_new_name(cli, snapshot, probie, db_url):
    before = snapshot()
    r = cli("program", "duplicate", probie, "--name", probie, "--keep-version", ok=False)
    assert r.exit_code == 1 and "--keep-version needs a new name" in r.stderr
    assert snapshot() == before
    cli(
        "program",
        "duplicate",
        probie,
        "--name",
        "Probie (east station)",
        "--keep-version",
        "--activate",
    )
    doc = cli("program", "show", "Probie (east station)", "--format", "json").json
    assert (
        doc["version"] == 1 and doc["status"] == "active" and doc["derived_from"] == f"{probie}@1"
    )


def test_duplicate_refuses_a_taken_name_and_version(cli, snapshot, probie):
    cli("program", "create", "Taken")
    before = snapshot()
    # another program's name, with or without its version: never a version of that line
    for extra in (("--keep-version",), ()):
        r = cli("program", "duplicate", probie, "--name", "Taken", *extra, ok=False)
        assert r.exit_code == 1 and "'Taken' is the name of another program, 'Taken' v1" in r.stderr
    assert snapshot() == before
    cli("program", "duplicate", "Taken", "--name", "Taken")  # that line's own next version: v2


def test_create_from_template(cli, snapshot, probie, db_url):
    cli("program", "create", "Not a template")
    before = snapshot()
    r = cli("program", "create", "X", "--from-template", "Not a template", ok=False)
    assert r.exit_code == 1 and "is not a template" in r.stderr
    assert snapshot() == before
    cli(
        "program",
        "create",
        "Probie class 2026",
        "--from-template",
        probie,
        "--time-limit-days",
        "300",
    )
    doc = cli("program", "show", "Probie class 2026", "--format", "json").json
    assert (doc["version"], doc["status"], doc["is_template"], doc["time_limit_days"]) == (
        1,
        "draft",
        False,
        300,
    )
    assert doc["derived_from"] == f"{probie}@1" and doc["lineage"] == "Probie class 2026@1"
    original = cli("program", "show", probie, "--format", "json").json
    a, b = _content(doc), _content(original)
    for d in (a, b):
        d.pop("is_template")
        d.pop("time_limit_days")
    assert a == b
    cli("program", "activate", "Probie class 2026")


def test_duplication_is_set_based(cli, tmp_path, db_url):
    """Copying a program of 20 phases x 200 links takes a constant number of statements."""
    import sqlalchemy as sa
    from program_helpers import big_program_file

    counts = []
    for phases, links in ((2, 20), (20, 200)):
        name = f"Big {phases}"
        cli(
            "program",
            "apply",
            "--file",
            str(big_program_file(tmp_path / f"{name}.json", name, phases, links)),
        )
        seen: list[str] = []

        def count(conn, cursor, statement, *args, seen=seen):
            seen.append(statement)

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
        try:
            cli("program", "duplicate", name, "--name", f"{name} copy")
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_a_copy_under_a_new_name_is_a_program_of_its_own(cli, probie, db_url, snapshot):
    """A review: 'Wildland Academy' copied from the probie program came out as its v2, and
    a probie could not enroll in it ('already enrolled in ... v1; to move to v2, withdraw
    enrollment 1'). A new name starts a line of its own at v1; the same name, the next
    version of the line; another program's name (any case) is refused, naming it: the copy
    would have been that program's next version with this one's content."""
    cli("member", "add", "Pat Doe", "--email", "pat@example.org", "--position", "probationary")
    cli("program", "edit", probie, "--concurrent", "--no-template")
    cli("enroll", "add", "pat@example.org", probie)
    r = cli("program", "duplicate", probie, "--name", "Wildland Academy", "--activate")
    assert "to active program 'Wildland Academy' v1" in r.stderr
    cli("enroll", "add", "pat@example.org", "Wildland Academy")
    cli("program", "duplicate", probie, "--name", probie)  # v2 of the probie line
    before = snapshot()
    r = cli("program", "duplicate", f"{probie}@1", "--name", "WILDLAND academy", ok=False)
    assert r.exit_code == 1, r.stderr
    assert ("'WILDLAND academy' is the name of another program, 'Wildland Academy' v1: a copy under "
            f"it would be that program's next version, with the content of '{probie}' v1.") in " ".join(
        r.stderr.split())  # fmt: skip
    assert snapshot() == before
    rows = connect(db_url).execute(
        "SELECT name, version, lineage_id, derived_from_id FROM program ORDER BY id"
    ).fetchall()
    assert rows == [(probie, 1, 1, None), ("Wildland Academy", 1, 2, 1), (probie, 2, 1, 1)]
    doc = cli("program", "show", "Wildland Academy@1", "--format", "json").json
    assert doc["lineage"] == "Wildland Academy@1" and doc["derived_from"] == f"{probie}@1"
    # the same name still moves nobody: a second probie enrollment is refused as before
    cli("program", "activate", f"{probie}@2")
    r = cli("enroll", "add", "pat@example.org", f"{probie}@2", ok=False)
    assert r.exit_code == 1 and "already enrolled" in r.stderr


def test_a_name_is_one_program_whatever_its_versions_case(cli, probie):
    """v2 made as "PROBATIONARY firefighter" (the same line, case aside) and activated:
    `program activate` took v2 while `enroll add`, `program show` and every other command
    given the name as v1 spelled it took v1 (the exact spelling won), and another case
    took v2. One lookup, case aside: the newest active version, for every command."""
    cli("member", "add", "Pat Doe", "--email", "pat@example.org", "--position", "probationary")
    cli("program", "edit", probie, "--no-template")
    other = probie.upper()
    assert cli("program", "duplicate", probie, "--name", other).stdout.strip() == "2"
    assert f"Activated '{other}' v2." in cli("program", "activate", probie).stderr
    for name in (probie, other, probie.lower()):
        doc = cli("program", "show", name, "--format", "json").json
        assert (doc["name"], doc["version"]) == (other, 2), name
    assert f"in '{other}' v2" in cli("enroll", "add", "pat@example.org", probie).stderr


def test_a_name_with_a_draft_beside_its_live_version(cli, snapshot, probie):
    """A review: after `program duplicate NAME --name NAME`, commands naming NAME went to
    the live v1: `program activate NAME` said 'v1 is already active' (exit 0) and the v2
    draft stayed a draft; `program requirement add NAME ...` linked into v1, which members
    are in. Changes by the bare name are now refused naming both versions (exit 2), and
    activate takes the newest draft."""
    cli("member", "add", "Pat Doe", "--email", "pat@example.org", "--position", "probationary")
    cli("program", "edit", probie, "--no-template")
    cli("enroll", "add", "pat@example.org", probie)
    cli("program", "duplicate", probie, "--name", probie)  # v2, a draft
    before = snapshot()
    for args in (("requirement", "add", probie, "NFPA 1002", "--phase", "3"),
                 ("edit", probie, "--description", "Changed"),
                 ("phase", "add", probie, "4", "Driver intro", "--after", "3"),
                 ("milestone", "add", probie, "Done", "--threshold", "100")):  # fmt: skip
        r = cli("program", *args, ok=False)
        assert r.exit_code == 2, (args, r)
        assert (f"'{probie}' names more than one version: '{probie}@1' (active, 1 enrollment) and "
                f"'{probie}@2' (draft).") in r.stderr  # fmt: skip
        assert f"Name the version to change: '{probie}@2' (the draft" in r.stderr
    assert snapshot() == before
    # the live version named as such: its structure is fixed, and the hint says where to go
    r = cli("program", "phase", "add", f"{probie}@1", "4", "Driver intro", "--after", "3", ok=False)
    assert r.exit_code == 1 and f"Its next version is a draft: make the change in '{probie}@2'" in r.stderr
    assert snapshot() == before
    cli("program", "requirement", "add", f"{probie}@2", "NFPA 1002", "--phase", "3")
    r = cli("program", "activate", probie)
    assert f"Activated '{probie}' v2." in r.stderr
    rows = cli("program", "list", "-f", "json").json
    assert [(p["version"], p["status"]) for p in rows] == [(1, "active"), (2, "active")]
    # no draft any more: the bare name is the newest active version, as before
    cli("program", "edit", probie, "--description", "Changed")
    assert cli("program", "show", f"{probie}@2", "-f", "json").json["description"] == "Changed"
