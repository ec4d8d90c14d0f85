"""The README tour runs as written (issue 11 #22): every trainctl command of its ```sh
blocks, in order, through the real CLI, on a fresh database in an empty folder, with the
example files `trainctl demo --files .` writes. Each must exit 0 (the README shows none
failing)."""

from __future__ import annotations

import re
import shlex

import pytest
import typer
from readme_tour import README, argv, every_command, tour_commands

from trainctl.cli.main import app

# trainctl's own options (cli/main.root), which a command takes after its name only when
# it has the option itself
ROOT_OPTIONS = {"--db", "--as", "--quiet", "-q", "--as-of", "--format", "-f"}


def test_the_tour_is_extracted_in_order():
    lines = tour_commands()
    assert lines[0] == "trainctl demo --files ."
    assert "trainctl import nfpa" in lines and "trainctl import iso" in lines  # && chains
    assert all(line.startswith("trainctl ") for line in lines)
    assert not any("pip install" in line for line in lines)  # the set-up blocks are left out
    assert len(lines) > 50


def test_the_readme_tour_runs_top_to_bottom_on_a_fresh_database(cli, tmp_path, monkeypatch, db_path):
    folder = tmp_path / "tour"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert not db_path.exists()
    failed = []
    for line in tour_commands():
        if line.startswith("trainctl record void"):
            # the id the README names is Kevin Osei's live fire, as its comment says (a crew
            # taken in another order once made it Lee Park's, and the tour voided his)
            rid = int(argv(line, folder)[2])
            kevin = cli("--format", "json", "record", "list", "--member", "F-238").json
            assert [r["course_code"] for r in kevin if r["id"] == rid] == ["LF-1"], (line, kevin)
        r = cli(*argv(line, folder), ok=False)
        if r.exit_code != 0:
            failed.append(f"{line}\n  exit {r.exit_code}: {r.stderr.strip()[:400]}")
        if "both name" in r.stderr:  # a crew naming one member twice records fewer than it shows
            failed.append(f"{line}\n  {r.stderr.strip()[:400]}")
    assert not failed, "\n".join(failed)
    # the files it names were the shipped ones
    assert {p.name for p in folder.glob("*.csv")} >= {
        "roster.csv", "recruits.csv", "courses.csv", "sign-in-2026-03-11.csv", "sign-in-2026-03-18.csv",
    }  # fmt: skip


@pytest.mark.parametrize("day", [None, "2031-04-15", "2044-02-29"])
def test_the_tours_class_file_enrolls_whatever_day_the_tour_is_run(cli, tmp_path, monkeypatch, day):
    """recruits.csv shipped a target date of 2026-12-31: from 1 January 2027 the tour's
    `enroll bulk` refused Rita Holm ("before the enrollment date") and exited 1. `demo
    --files` now dates it from the day it writes the files (the global --as-of, else
    today): the tour's own command line, run that day, enrolls both recruits."""
    monkeypatch.chdir(tmp_path)
    on = ["--as-of", day] if day else []
    cli(*on, "demo", "--files", ".")
    cli("member", "import", "--csv", "roster.csv")
    for registry in ("nfpa", "nremt", "proboard"):
        cli("import", registry)
    cli("program", "apply", "--sample", "probationary-firefighter")
    line = next(x for x in tour_commands() if x.startswith("trainctl enroll bulk"))
    r = cli(*on, "--format", "json", *argv(line, tmp_path))
    assert [(x["member"], x["result"]) for x in r.json] == [("Sam Okafor", "enrolled"), ("Rita Holm", "enrolled")]
    # Rita's target date is the file's, nine months on (a class deadline before the program's year)
    rita = cli("--format", "json", "enroll", "user", "P-302").json
    assert rita[0]["target_date"] > (day or "2026-12-31")


def test_a_target_date_before_the_enrollment_day_gets_its_row_hint(cli, tmp_path):
    """Every other refused row says what to do; a target date before the enrollment day
    said only the reason."""
    cli("member", "add", "Rita Holm", "--email", "rholm@example.org", "--badge", "P-302")
    cli("requirement", "add", "--name", "Orientation", "--type", "hours", "--hours", "4")
    cli("program", "create", "Academy")
    cli("program", "requirement", "add", "Academy", "Orientation")
    cli("program", "activate", "Academy")
    sheet = tmp_path / "class.csv"
    sheet.write_text("badge,target_date\nP-302,2026-12-31\n", encoding="utf-8")
    r = cli("--as-of", "2027-01-04", "enroll", "bulk", "Academy", "--csv", sheet, ok=False)
    err = " ".join(r.stderr.split())
    assert r.exit_code == 1 and "line 2: P-302: target date 2026-12-31 is before the enrollment date 2027-01-04." in err
    assert ("line 2: Give a target date on or after the enrollment date, or leave it out to use the program's "
            "time limit.") in err, r  # fmt: skip


def test_demo_files_writes_the_examples_and_leaves_existing_files_alone(cli, tmp_path):
    (tmp_path / "roster.csv").write_text("mine\n")
    r = cli("demo", "--files", str(tmp_path))
    assert "Left alone (already there): roster.csv" in r.stderr
    assert (tmp_path / "roster.csv").read_text() == "mine\n"
    assert (tmp_path / "recruits.csv").read_text().startswith("badge,")
    # a folder not there yet is made (parents too); a file is no folder
    r = cli("demo", "--files", str(tmp_path / "new" / "tour"))
    assert "roster.csv" in r.stderr and r.stderr.startswith("Wrote ")
    made = tmp_path / "new" / "tour"
    assert (made / "roster.csv").read_text().startswith("name,email,")
    assert (made / "recruits.csv").read_bytes() == (tmp_path / "recruits.csv").read_bytes()
    r = cli("demo", "--files", str(tmp_path / "roster.csv"), ok=False)
    assert r.exit_code == 2 and "is not a folder" in r.stderr
    assert (tmp_path / "roster.csv").read_text() == "mine\n"


def _misplaced(line: str) -> list[str]:
    """trainctl's own options that `line` gives after a command which has no such option
    (`trainctl member list --db FILE`: exit 2), by the command tree the CLI itself uses."""
    cmd, path, wrong = typer.main.get_command(app), [], []
    words = shlex.split(line)[1:]
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("-"):
            name = word.split("=")[0]
            param = next((p for p in cmd.params if name in p.opts), None)
            if param is None and path and name in ROOT_OPTIONS:
                wrong.append(f"{name} after `{' '.join(path)}`")
            takes_value = param is not None and not (param.is_flag or param.count)
            i += 2 if takes_value and "=" not in word else 1
            continue
        if hasattr(cmd, "list_commands"):
            sub = cmd.get_command(typer.Context(cmd), word)
            if sub is None:
                break
            cmd, path = sub, [*path, word]
        i += 1
    return wrong


def test_every_readme_command_gives_trainctls_own_options_before_the_command():
    lines = every_command()
    assert "trainctl --db demo.db report iso --year 2024" in lines  # a block
    assert any(line.startswith("trainctl --db DEMO reminders") for line in lines)  # a span
    assert _misplaced("trainctl member list --db demo.db") == ["--db after `member list`"]
    assert _misplaced("trainctl --db x report compliance --as-of 2025-01-15 -f csv") == []
    wrong = {line: found for line in lines if (found := _misplaced(line))}
    assert wrong == {}


def test_the_tour_says_where_db_goes_and_that_way_works(cli, tmp_path):
    """The tour said "add `--db FILE` to any command", and `member list --db demo.db` exits
    2: `--db` is an option of trainctl itself, given before the command."""
    tour = README.read_text(encoding="utf-8").split("## A short tour", 1)[1].split("**Members.**")[0]
    shown = re.findall(r"`(trainctl [^`]*--db FILE[^`]*)`", " ".join(tour.split()))
    assert shown, tour
    other = tmp_path / "other.db"
    for line in shown:
        cli(*[str(other) if w == "FILE" else w for w in shlex.split(line)[1:]])
    assert other.exists()
    r = cli("member", "list", "--db", str(other), ok=False)
    assert r.exit_code == 2 and "given before the command" in r.stderr
