"""A name put into a command a message suggests survives the shell it is pasted into.

Hints wrapped a program in literal single quotes: `trainctl program activate 'O'Brien
Academy@1'` ends the quoted word at the apostrophe, so the copy named another program or
left the shell waiting for a closing quote; `trainctl enroll add id:7 "Station $2 `x`@1"`
had the shell expand $2 and run `x`. Every value put into a suggested command now goes
through one rule (domain.text.shell_word, the quoting requirement hints already had), and
these tests copy each command as printed, split it as a POSIX shell does (shlex, and a
real `sh` printing its words) and check the words are exactly the names given.
"""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
from program_helpers import add_enrollment, add_member, add_requirements, build_probie

NAMES = ["O'Brien Academy", "Station $2 `x`"]


def split(command: str) -> list[str]:
    """`command` as the shell splits it when pasted: shlex's words, which a real POSIX shell
    agrees with (it expands $ and backticks where shlex does not: "…$2…" in double quotes)."""
    words = shlex.split(command)
    shown = subprocess.run(["sh", "-c", f"printf '%s\\0' {command}"], capture_output=True, text=True, check=False)
    assert shown.stdout.split("\0")[:-1] == words, (command, shown)
    return words


def commands(text: str) -> list[list[str]]:
    """Each `trainctl ...` command in `text`, split as pasted: from its opening backtick to
    the first backtick that is not inside a quoted word (a name may hold one)."""
    out = []
    for start in re.finditer(r"`(?=trainctl )", text):
        rest = text[start.end() :]
        ends = [i for i, c in enumerate(rest) if c == "`"]
        for end in ends:
            try:
                shlex.split(rest[:end])
            except ValueError:  # a backtick inside a quoted word: not the end of the command
                continue
            out.append(split(rest[:end]))
            break
        else:
            out.append(["<not a command the shell reads>", rest])
    return out


def hint_of(text: str) -> str:
    return text[text.index("Hint:") :]


@pytest.fixture
def enrolled(cli, db_url):
    """Both programs (phased, active, not templates), each with one enrolled member."""
    add_requirements(db_url)
    ids = {}
    for i, name in enumerate(NAMES):
        build_probie(cli, name)
        cli("program", "edit", name, "--no-template")
        program = cli("program", "show", name, "--format", "json").json["id"]
        member = add_member(db_url, f"Rec Ruit {i}", f"rec{i}@example.org")
        add_enrollment(db_url, member, program)
        ids[name] = member
    return ids


@pytest.mark.parametrize("name", NAMES)
def test_a_new_program_and_its_empty_lists_name_it_for_the_shell(cli, name):
    r = cli("program", "create", name)
    assert commands(r.stderr) == [["trainctl", "program", "activate", f"{name}@1"]], r
    r = cli("program", "phase", "list", name)
    assert commands(r.stdout + r.stderr) == [["trainctl", "program", "phase", "add", name, "1", "NAME"]], r
    r = cli("program", "milestone", "list", name)
    assert commands(r.stdout + r.stderr) == [
        ["trainctl", "program", "milestone", "add", name, "NAME", "--threshold", "50"]
    ], r
    r = cli("program", "requirement", "list", name)
    assert commands(r.stdout + r.stderr) == [["trainctl", "program", "requirement", "add", name, "REQUIREMENT"]], r
    # the copy runs: it names this program (not "No program 'O'")
    add = commands(r.stdout + r.stderr)[0]
    r = cli(*add[1:], ok=False)
    assert f"No program {name!r}" not in r.stderr and "REQUIREMENT" in r.stderr, r


@pytest.mark.parametrize("name", NAMES)
def test_refusals_of_an_enrolled_program_name_it_for_the_shell(cli, snapshot, enrolled, name):
    before = snapshot()
    r = cli("program", "phase", "edit", name, "9", "--name", "Later", ok=False)
    assert r.exit_code != 0 and snapshot() == before
    (listing,) = commands(hint_of(r.stderr))
    assert listing == ["trainctl", "program", "phase", "list", f"{name}@1"], r
    assert "Orientation" in cli(*listing[1:]).stdout  # run as printed, it lists this program's phases

    r = cli("program", "edit", name, "--template", ok=False)
    assert r.exit_code == 1 and snapshot() == before
    assert commands(hint_of(r.stderr)) == [
        ["trainctl", "program", "duplicate", f"{name}@1", "--name", f"{name} template"],
        ["trainctl", "program", "edit", f"{name} template", "--template"],
        ["trainctl", "program", "create", "NAME", "--from-template", f"{name} template"],
    ], r

    r = cli("program", "phase", "add", name, "4", "More", ok=False)
    assert r.exit_code == 1 and snapshot() == before
    (duplicate,) = commands(hint_of(r.stderr))
    assert duplicate == ["trainctl", "program", "duplicate", f"{name}@1", "--name", name], r
    cli(*duplicate[1:])  # run as printed: the next version, a draft
    r = cli("program", "phase", "add", name, "4", "More", ok=False)  # the name is both versions now
    assert r.exit_code == 2
    assert commands(hint_of(r.stderr)) == [["trainctl", "program", "activate", f"{name}@2"]], r
    # the versions it names in words are as typed too: "Name the version to change: X"
    said = re.search(r"Name the version to change: (.+) \(the draft", r.stderr)
    assert said is not None and split(said[1]) == [f"{name}@2"], r


@pytest.mark.parametrize("name", NAMES)
def test_a_bulk_run_skipping_a_withdrawn_member_names_the_program_for_the_shell(cli, db, enrolled, name):
    member = enrolled[name]
    enrollment = db.scalar("SELECT id FROM enrollment WHERE member_id = :m", {"m": member})
    cli("enroll", "withdraw", str(enrollment), "--reason", "moved away", "--yes")
    r = cli("enroll", "bulk", name, "--members", f"id:{member}")
    (again,) = commands(r.stderr)
    assert again == ["trainctl", "enroll", "add", f"id:{member}", f"{name}@1"], r
    cli(*again[1:], "--any-position")  # run as printed, it enrolls them again in this program
    assert db.scalar("SELECT count(*) FROM enrollment WHERE member_id = :m AND status = 'active'", {"m": member}) == 1


def test_commands_keep_their_quoting_when_the_hint_adds_the_db(cli, db_url, monkeypatch):
    """`--db X` typed: the hint carries it (cli/state.hint), and the name as quoted."""
    monkeypatch.delenv("TRAINCTL_DB")
    name = NAMES[1]
    cli("--db", db_url, "program", "create", name)
    r = cli("--db", db_url, "program", "phase", "list", name)
    assert commands(r.stdout + r.stderr) == [
        ["trainctl", "--db", db_url, "program", "phase", "add", name, "1", "NAME"]
    ], r


def test_a_member_import_hint_quotes_an_email_with_an_apostrophe(cli, snapshot, tmp_path):
    """A department moved its mail domain and a member's new address has an apostrophe:
    `trainctl member edit F-006 --email s.o'brien@new.example` left the shell waiting for
    a closing quote."""
    cli("member", "add", "Siobhan Obrien", "--email", "s.obrien@dept.example", "--badge", "F-006")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,badge\nSiobhan Obrien,s.o'brien@new.example,F-006\n", encoding="utf-8")
    before = snapshot()
    r = cli("member", "import", "--csv", str(roster), ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    (edit,) = commands(r.stderr)
    assert edit == ["trainctl", "member", "edit", "F-006", "--email", "s.o'brien@new.example"], r
    cli(*edit[1:])
    cli("member", "import", "--csv", str(roster))  # "and import again"


def test_a_file_given_as_f_is_named_for_the_shell(cli, snapshot):
    before = snapshot()
    r = cli("program", "apply", "-f", "O'Brien $2.toml", ok=False)
    assert r.exit_code == 2 and snapshot() == before
    line = hint_of(r.stderr).removeprefix("Hint:").strip()
    assert split(line) == ["trainctl", "program", "apply", "--file", "O'Brien $2.toml"], r
