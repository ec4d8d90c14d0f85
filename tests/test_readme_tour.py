"""The README tour runs as written (issue 11 #22): every trainctl command of its ```sh
blocks, in order, through the real CLI, on a fresh database in an empty folder, with the
example files `trainctl demo --files .` writes. Each must exit 0 (the README shows none
failing)."""

from __future__ import annotations

import re
import shlex

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
    assert not failed, "\n".join(failed)
    # the files it names were the shipped ones
    assert {p.name for p in folder.glob("*.csv")} >= {
        "roster.csv", "recruits.csv", "courses.csv", "sign-in-2026-03-11.csv", "sign-in-2026-03-18.csv",
    }  # fmt: skip


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
