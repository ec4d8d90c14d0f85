"""CLI conventions every command shares (DESIGN §4): help text, -h, cheap startup."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer

from trainctl.cli.main import app


def _walk(typer_app: typer.Typer, prefix: tuple[str, ...] = ()):
    """Every command, through the group API the CLI itself uses (sub-apps load lazily)."""
    group = typer.main.get_group(typer_app)

    def visit(cmd, path):
        yield path, cmd
        if hasattr(cmd, "list_commands"):
            ctx = typer.Context(cmd)
            for name in cmd.list_commands(ctx):
                yield from visit(cmd.get_command(ctx, name), (*path, name))

    yield from visit(group, prefix)


COMMANDS = [path for path, _ in _walk(app)]


def test_every_command_and_option_has_help_text():
    missing = []
    for path, cmd in _walk(app):
        if not (cmd.help or "").strip():
            missing.append(" ".join(path) or "trainctl")
        for param in cmd.params:
            if param.param_type_name == "option" and not (getattr(param, "help", "") or "").strip():
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "root")
def test_dash_h_works_everywhere(cli, path):
    r = cli(*path, "-h")
    assert "Usage:" in r.stdout


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "root")
def test_help_speaks_in_words_and_cuts_nothing(cli, monkeypatch, path):
    """MEMBER, DATE, FILE rather than <str>, <int>, <list[str]> or {program}; a group's
    command list shows each command's whole first sentence (issue 11, point 14)."""
    import re

    monkeypatch.setenv("COLUMNS", "80")
    out = cli(*path, "-h").stdout
    assert not re.search(r"<(str|int|float|path|list\[str\]|date)>", out), out
    assert not re.search(r"\{[a-z_]+\}", out), out
    commands = out.split("Commands:", 1)[1] if "Commands:" in out else ""
    assert "..." not in commands, commands
    # each command's line is a whole sentence: not cut at an "e.g." or inside brackets
    entries = re.split(r"\n  (?=\S)", "\n" + commands)
    for entry in filter(str.strip, entries):
        text = " ".join(entry.split())
        assert not re.search(r"\b(e\.g|i\.e)\.$", text), text
        assert text.count("(") == text.count(")"), text


def _unwrap(lines: list[str]) -> str:
    """Help lines joined as one text (a word cut after its hyphen is joined whole)."""
    text = ""
    for line in (ln.strip() for ln in lines):
        text += line if text.endswith("-") or not text else " " + line
    return text


def _help_of(out: str) -> tuple[str, dict[str, str]]:
    """A `--help`'s description (the paragraph under Usage) and its commands, name -> text."""
    lines = out.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Usage:")) + 2
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    commands: dict[str, list[str]] = {}
    if "Commands:" in lines:
        for line in lines[lines.index("Commands:") + 1 :]:
            if not line.strip():
                break
            if line.startswith("  ") and not line.startswith("   "):
                name, _, rest = line.strip().partition(" ")
                commands[name] = [rest]
            else:
                commands[list(commands)[-1]].append(line)
    return _unwrap(lines[start:end]), {n: _unwrap(t) for n, t in commands.items()}


def _listed(text: str, commands: set[str]) -> list[str] | None:
    """The commands a group's help lists after its colon, comma-separated, each item's first
    word (`Members: add, list, ...`; parentheses aside), or None when it lists none of them
    (`Department settings ...` with no colon, or a colon before words no command has)."""
    import re

    if ": " not in text:
        return None
    items = re.sub(r"\([^)]*\)", "", text.split(": ", 1)[1]).strip().rstrip(".").split(",")
    words = [item.split()[0].lower() for item in items if item.split()]
    return words if set(words) & commands else None


def test_every_group_help_that_lists_its_commands_lists_exactly_them(cli, monkeypatch):
    """`trainctl member --help` said "add, list, show, edit, deactivate, import" and left out
    positions and add-position; `db --help` named a `version` command (it is `current`) and
    not `copy`. Every group, as `trainctl --help` lists it and as its own --help says."""
    monkeypatch.setenv("COLUMNS", "80")
    wrong, checked = [], 0
    todo = [((), "")]
    while todo:
        path, as_listed = todo.pop(0)
        about, commands = _help_of(cli(*path, "--help").stdout)
        for name in commands:
            todo.append(((*path, name), commands[name]))
        if not commands or not path:
            continue  # a command, or the root (its own help lists no commands)
        for where, text in (("its --help", about), ("its parent's list", as_listed)):
            listed = _listed(text, set(commands))
            if listed is None:
                continue
            checked += 1
            missing = [c for c in commands if c not in listed]
            unknown = [w for w in listed if w not in commands]
            twice = sorted({w for w in listed if listed.count(w) > 1})
            if missing or unknown or twice:
                wrong.append(f"trainctl {' '.join(path)} ({where}): {text!r} leaves out "
                             f"{missing}, names {unknown} that do not exist, twice {twice}")  # fmt: skip
    assert wrong == []
    assert checked >= 2 * 16  # every top-level group lists its commands, in both places


def test_a_number_is_never_shown_as_a_date():
    """`progress update --set` takes a number: its help said `--set DATE` (the metavar
    rule read the name `set_to` as a "to" date)."""
    wrong = []
    for path, cmd in _walk(app):
        for param in cmd.params:
            kind = getattr(param.type, "name", "")
            if kind in ("float", "integer") and param.metavar == "DATE":
                wrong.append(f"{' '.join(path)} {param.opts[0]}")
    assert wrong == []


def test_every_limit_is_the_shared_one():
    """`record list --limit 9223372036854775808` crashed with an OverflowError (exit 70):
    the shared --limit (options.LimitOpt) had no maximum. Every --limit has one, the same.
    `reminders log` had its own: 100 rows in csv and json too, without a word, and
    `--limit 0` refused. Every --limit is the shared one: 0 shows all, no default (a
    table the newest TABLE_LIMIT, a file every row: `row_limit`)."""
    from trainctl.cli.options import LIMIT_MAX

    limits = {}
    for path, cmd in _walk(app):
        for param in cmd.params:
            if "--limit" in getattr(param, "opts", []):
                bounds = getattr(param.type, "func", param.type)  # (options.whole's parser)
                limits[" ".join(path)] = (
                    getattr(bounds, "min", None), getattr(bounds, "max", None),
                    param.default, param.help,
                )  # fmt: skip
    assert {"record list", "shift list", "call list", "reminders log"} <= set(limits)
    assert {(low, high, default) for low, high, default, _ in limits.values()} == {(0, LIMIT_MAX, None)}
    assert len({h for *_, h in limits.values()}) == 1, limits


def test_help_does_not_import_the_database_stack():
    code = (
        "import sys\n"
        "sys.argv = ['trainctl', '--help']\n"
        "from trainctl.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'pydantic', 'rich.table',"
        " 'rich.progress', 'trainctl.services', 'trainctl.models', 'trainctl.db',"
        " 'trainctl.cli.member', 'trainctl.cli.program', 'trainctl.cli.enroll', 'trainctl.cli.progress',"
        " 'trainctl.cli.requirement', 'trainctl.cli.import_', 'trainctl.cli.demo')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in r.stderr, r.stderr


# What an everyday read leaves unimported (bench/startup.py measures the start): the
# database stack and the write side; `demo` (a command of its own, built when run); the
# sheet reader (12 patterns, 8 dataclasses), which a report loaded for its two year bounds.
UNUSED_BY_READS = (
    "sqlalchemy", "sqlmodel", "pydantic", "alembic", "trainctl.models", "trainctl.db",
    "trainctl.services", "trainctl.cli.demo", "trainctl.domain.sheet",
)  # fmt: skip


# and, besides, what a listing of the catalog or the roster never needs: the credit rules
# and the progress arithmetic (domain/credit.py, domain/progress.py: 24 dataclasses)
NOT_FOR_LISTINGS = ("trainctl.domain.credit", "trainctl.domain.progress", "trainctl.domain.compliance")


READS = [
    (["member", "list"], NOT_FOR_LISTINGS),
    (["course", "list"], NOT_FOR_LISTINGS),  # (the credit rules: for --category only)
    (["requirement", "list"], NOT_FOR_LISTINGS),
    (["report", "compliance", "--format", "json"], ()),
    (["report", "compliance"], ()),
    (["report", "expiring"], ()),
    (["report", "nremt", "F-203"], ()),
    (["requirement", "explain", "F-203", "NREMT-EMT"], ()),
    (["reminders", "preview"], ()),
    # the schema revision, read with sqlite3 (it imported the ORM: 0.35 s)
    (["db", "current"], ("trainctl.queries.members", *NOT_FOR_LISTINGS)),
]


@pytest.mark.parametrize(
    ("args", "also_unused"), [pytest.param(*read, id=" ".join(read[0])) for read in READS]
)
def test_read_commands_import_only_what_they_use(demo_db, args, also_unused):
    """Each read, as its own process on the demo department: none of UNUSED_BY_READS (nor
    `also_unused`) is imported (a module list, not a timing: the machine is shared)."""
    unused = (*UNUSED_BY_READS, *also_unused)
    argv = ["trainctl", "--db", str(demo_db), "--as-of", "2025-06-02", *args]
    code = (
        "import sys\n"
        f"sys.argv = {argv!r}\n"
        "from trainctl.cli.main import app\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print('LOADED', [m for m in {unused!r} if m in sys.modules], file=sys.stderr)\n"
    )
    env = {**os.environ, "TRAINCTL_DEBUG": "1"}
    env.pop("TRAINCTL_DB", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and (r.stdout or "No courses" in r.stderr), r.stderr
    assert "LOADED []" in r.stderr, r.stderr


# What an everyday write leaves unimported or unbuilt (bench/writes.py measures them): alembic
# (the schema revision is read with sqlite3, dbfile.py); SQLAlchemy's PostgreSQL dialect
# on a SQLite file (every driver's module, 25-45 ms: the partial indexes' `postgresql_where`
# loaded it, models._where); the program schemas, which `enroll add` imported through
# services/programs (pydantic models it never uses); and the table classes' pydantic
# validators, built on first use (models._Table): all 27 at import cost every write about
# 20 ms, and no write below uses one.
UNUSED_BY_WRITES = ("alembic", "trainctl.cli.demo", "sqlalchemy.dialects.postgresql")
WRITES = [
    (["member", "add", "Write Test", "--email", "write.test@example.org"], ()),
    (["record", "add", "P-301", "--course", "Import drill", "--hours", "2", "--date", "2025-05-30"],
     ()),
    (["enroll", "add", "write.test@example.org", "Probationary Firefighter"],
     ("trainctl.schemas.programs", "trainctl.schemas.requirements")),
    (["config", "set", "timezone", "America/Chicago"], ()),
    (["cert", "add", "P-301", "CPR-BLS", "--issued", "2025-05-30", "--expires", "2027-05-30"], ()),
    (["shift", "add", "P-301", "--date", "2025-05-30", "--time-in", "2025-05-30T20:00-04:00",
      "--time-out", "2025-05-30T22:00-04:00", "--station", "Station 12", "--shift", "B"], ()),
    (["call", "add", "W-1", "--member", "P-301", "--at", "2025-05-30T21:00-04:00",
      "--shift-date", "2025-05-30"], ()),
    (["skill", "checkoff", "P-301", "1", "--result", "passed", "--date", "2025-05-30"], ()),
    (["record", "import", "{tmp}/sheet.csv"], ()),  # (the test writes the sheet)
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "also_unused"), [pytest.param(*w, id=" ".join(w[0][:2])) for w in WRITES]
)
def test_write_commands_import_only_what_they_use(demo_db, tmp_path, args, also_unused):
    """Each write, as its own process on a copy of the demo department: none of
    UNUSED_BY_WRITES (nor `also_unused`) is imported, and no table class has built its
    pydantic validator (a module list, not a timing: the machine is shared)."""
    import sqlite3

    db = tmp_path / "demo.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    if args[:2] == ["enroll", "add"]:  # a member to enroll: not in the demo
        add = [*WRITES[0][0], "--position", "probationary"]
        subprocess.run([sys.executable, "-m", "trainctl", "--db", str(db), *add], check=True)
    (tmp_path / "sheet.csv").write_text(
        "email,course,date,hours\nhbrooks@station12.example,Sheet drill,2025-05-30,2\n"
    )
    unused = (*UNUSED_BY_WRITES, *also_unused)
    argv = ["trainctl", "--db", str(db), "--as-of", "2025-06-02",
            *(a.format(tmp=tmp_path) for a in args)]  # fmt: skip
    code = (
        "import sys\n"
        f"sys.argv = {argv!r}\n"
        "from trainctl.cli.main import app\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "import trainctl.models as m\n"
        "built = [n for n, c in vars(m).items() if isinstance(c, type) and"
        " hasattr(c, '__table__') and c.__pydantic_complete__]\n"
        f"print('LOADED', [m for m in {unused!r} if m in sys.modules], file=sys.stderr)\n"
        "print('BUILT', built, file=sys.stderr)\n"
    )
    env = {**os.environ, "TRAINCTL_DEBUG": "1"}
    env.pop("TRAINCTL_DB", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "LOADED []" in r.stderr, r.stderr
    assert "BUILT []" in r.stderr, r.stderr


def test_a_write_loads_its_modules_before_the_collector_runs(demo_db, tmp_path):
    """The trainctl process loads a write's modules without the cyclic garbage collector
    (cli/state.py: its 226 collections walked SQLAlchemy's, pydantic's and the table
    classes' objects over and over, about 60 ms of a 0.6 s write), and resumes it when the
    command turns to its database, with what was loaded frozen: the first collection comes
    after the table classes are loaded, and the write still collects."""
    import sqlite3

    db = tmp_path / "demo.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    argv = ["trainctl", "--db", str(db), "--as-of", "2025-06-02", *WRITES[1][0]]
    code = (
        "import gc, sys\n"
        "from trainctl.cli.main import main\n"
        "def first(phase, info):\n"
        "    if phase == 'start':\n"
        "        print('FIRST', 'trainctl.models' in sys.modules, gc.get_freeze_count() > 0,"
        " file=sys.stderr)\n"
        "        gc.callbacks.remove(first)\n"
        "gc.callbacks.append(first)\n"
        f"sys.argv = {argv!r}\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TRAINCTL_DB"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "Recorded 1 record" in r.stderr + r.stdout
    assert "FIRST True True" in r.stderr, r.stderr


@pytest.mark.parametrize("schema", ["behind", "newer"])
@pytest.mark.parametrize("args", [WRITES[0][0], WRITES[3][0]], ids=["member add", "config set"])
def test_writes_refuse_a_database_not_at_head_without_alembic(demo_db, tmp_path, schema, args):
    """The write path reads the schema revision with sqlite3 (not alembic): a file behind
    the code still exits 78 with the hint to upgrade, a newer one is refused in its own
    words, and either way nothing is written."""
    import sqlite3

    from trainctl.dbfile import REVISIONS

    db = tmp_path / "demo.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    version = REVISIONS[-2] if schema == "behind" else "9999_future"
    with sqlite3.connect(db) as con:
        con.execute("UPDATE alembic_version SET version_num = ?", (version,))
    con.close()
    with sqlite3.connect(db) as con:
        before = list(con.iterdump())
    con.close()
    argv = ["trainctl", "--db", str(db), "--as-of", "2025-06-02", *args]
    code = (
        "import sys\n"
        f"sys.argv = {argv!r}\n"
        "from trainctl.cli.main import app\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print('LOADED', [m for m in ('alembic',) if m in sys.modules], file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TRAINCTL_DB"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if schema == "behind":
        assert r.returncode == 78, r.stderr
        assert f"The database schema is at {version}; this trainctl needs" in r.stderr
        # (the hint names the --db given: run as printed, it upgrades this file)
        assert f"`trainctl --db {db} db upgrade`" in r.stderr
    else:
        assert r.returncode == 1, r.stderr
        assert "(9999_future) is newer than this trainctl" in r.stderr
    assert "LOADED []" in r.stderr, r.stderr
    with sqlite3.connect(db) as con:
        assert list(con.iterdump()) == before
    con.close()


def test_the_root_help_names_demo_as_its_docstring_does(cli):
    """`demo` is imported only when run; its line in `trainctl --help` is written in
    cli/main.py COMMANDS: the first sentence of the command's own help, word for word. A
    close misspelling is still offered it, as when `demo` was built at start."""
    import importlib

    from trainctl.cli.main import COMMANDS, _first_sentence

    assert "demo" in COMMANDS
    for name, (module, function, line) in COMMANDS.items():
        command = getattr(importlib.import_module(module), function)
        assert line == _first_sentence(command.__doc__ or ""), name
        assert f" {name} {line}" in " ".join(cli("--help").stdout.split()), name
    r = cli("dmeo", ok=False)
    assert r.exit_code == 2 and "No such command 'dmeo'. Did you mean 'demo'?" in r.stderr, r


def test_errors_are_messages_not_tracebacks(cli):
    r = cli("--as-of", "2026-02-30", "db", "path", ok=False)
    assert r.exit_code == 2 and "'2026-02-30' is not a date: February 2026 has 28 days." in r.stderr
    r = cli("--as-of", "30.2.2026", "db", "path", ok=False)
    assert r.exit_code == 2 and "write it as YYYY-MM-DD" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_version(cli):
    assert cli("--version").stdout.startswith("trainctl ")


@pytest.mark.parametrize(
    "args",
    [("member", "list", "--bogus"), ("member", "add"), ("requirement", "add", "-f", "json"), ("db", "nope")],
)
def test_usage_errors_exit_2_not_70(cli, monkeypatch, args):
    monkeypatch.delenv("TRAINCTL_DEBUG")  # the catch-all for bugs must not swallow usage errors
    r = cli(*args, ok=False)
    assert r.exit_code == 2, r
    assert "failed unexpectedly" not in r.stderr and "Usage:" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("member", "list", "--format", "csv"),
        ("member", "list"),  # a Rich table
        ("member", "show", "F-1"),  # Rich key/value lines (Rich's own handler exited 1)
        ("member", "show", "F-1", "--format", "json"),
    ],
)
def test_a_closed_pipe_ends_quietly_with_exit_0(cli, db_url, args):
    # `trainctl member show F-1 | head -1`: the reader goes away before we write
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--badge", "F-1", "--position", "emt")
    env = {**os.environ, "TRAINCTL_DB": str(db_url)}
    env.pop("TRAINCTL_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "trainctl", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(60) == 0, err  # README: a reader that stops early is not a failure
    assert "Error" not in err and "Traceback" not in err and "BrokenPipe" not in err, err


def test_dash_f_means_format_everywhere(cli, snapshot, tmp_path):
    """-f is --format in every command (issue 11 #21); program apply takes --file, and an
    old `program apply -f FILE` is refused with the spelling to use, nothing written."""
    for args in (("member", "list"), ("program", "list"), ("requirement", "list"), ("enroll", "list")):
        assert cli(*args, "-f", "json").stdout.strip() == "[]"
        assert cli("-f", "json", *args).stdout.strip() == "[]"  # the global option too
    path = tmp_path / "p.toml"
    path.write_text('name = "P"\n')
    before = snapshot()
    r = cli("program", "apply", "-f", path, ok=False)
    assert r.exit_code == 2 and f"--file {path}" in r.stderr and r.stderr.startswith("Error: ")
    assert snapshot() == before
    read = cli("program", "apply", "--file", path, ok=False)  # the file is read (and judged)
    assert read.exit_code == 1 and "Program 'P' v1" in read.stderr


def test_dash_as_an_output_file_is_stdout_and_never_a_file_named_dash(cli, tmp_path, monkeypatch):
    """`program export NAME -o -` wrote a file named '-' ("Wrote ... to -."); '-' is
    standard output, as for every Unix tool. Where only a file or a folder will do (a
    backup, .eml files, the example files) '-' is refused (exit 2); nothing named '-' is
    made."""
    monkeypatch.chdir(tmp_path)
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4")
    cli("program", "create", "Drills")
    cli("program", "requirement", "add", "Drills", "Drill hours")
    r = cli("program", "export", "Drills", "-o", "-")
    assert r.stdout == cli("program", "export", "Drills").stdout and 'name = "Drills"' in r.stdout
    assert "Wrote" not in r.stderr
    for args, hint in [
        (("db", "backup", "-"), "Name the file to write"),
        (("reminders", "send", "--transport", "file", "-"), "`--transport stdout` prints the messages"),
        (("demo", "--files", "-"), "Name a folder"),
    ]:
        r = cli(*args, ok=False)
        assert r.exit_code == 2 and "cannot go to standard output ('-')" in r.stderr and hint in r.stderr, r
    assert not (tmp_path / "-").exists()


def test_text_is_printed_as_typed_never_as_emoji(cli):
    """`:fire:` in a name or a reference reaches the terminal as typed: Rich's emoji codes
    turned "No member ':fire:'" into "No member '🔥'" on stderr."""
    r = cli("member", "show", ":fire:", ok=False)
    assert ":fire:" in r.stderr and "\N{FIRE}" not in r.stderr
    r = cli("member", "add", "Sam :fire: Lee", "--email", "sl@x.example")
    assert "Sam :fire: Lee" in r.stderr + r.stdout
    assert "\N{FIRE}" not in r.stderr + r.stdout


@pytest.mark.parametrize(
    "args",
    [["program", "samples"], ["demo", "--files", "{tmp}"], ["enroll", "bulk", "X", "--csv", "{tmp}/nosuch.csv"]],
    ids=["program samples", "demo --files", "enroll bulk missing file"],
)  # fmt: skip
def test_commands_about_files_do_not_load_the_orm(tmp_path, args):
    """Listing the shipped files, copying them, refusing a missing file: no database and
    no ORM (a second and more on a slow machine; review). The schemas read the requirement
    vocabulary from domain/vocabulary.py, not models.py."""
    argv = ["trainctl", "--db", str(tmp_path / "t.db"), *(a.format(tmp=tmp_path) for a in args)]
    code = (
        "import sys\n"
        f"sys.argv = {argv!r}\n"
        "from trainctl.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'trainctl.models', 'trainctl.db')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in r.stderr, r.stderr


def test_call_and_shift_lists_at_80_columns_leave_out_a_column_rather_than_cut_words(cli, monkeypatch):
    """`call list --include-void` at 80 columns printed "Structu…" and "Date-ti…": neither
    list had a lesser column to leave out (README: lines break at spaces, never inside a
    word). The role goes first in a call list, the shift letter in a shift list."""
    cli("config", "set", "timezone", "America/New_York")
    cli("member", "add", "Bartholomew Fitzgerald", "--email", "bf@x.org", "--badge", "F-2",
        "--position", "firefighter", "--hire-date", "2020-01-01")  # fmt: skip
    cli("shift", "add", "F-2", "--date", "2026-11-20", "--station", "Station 12", "--shift", "A",
        "--time-in", "2026-11-20T07:00-05:00", "--time-out", "2026-11-21T07:00-05:00")  # fmt: skip
    cli("call", "add", "F26-0413", "--member", "F-2", "--at", "2026-11-20T14:00-05:00",
        "--type", "Structure Fire", "--role", "driver")  # fmt: skip
    cli("call", "void", "1", "--reason", "entered twice by mistake")
    cli("shift", "void", "1", "--reason", "entered twice by mistake")
    from trainctl.cli import render

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(render, "_consoles", {})  # Rich reads COLUMNS when a console is made
    for args in (("call", "list", "--include-void"), ("shift", "list", "--include-void")):
        out = cli(*args).stdout
        assert "…" not in out and max(map(len, out.splitlines())) <= 80, out
    out = cli("call", "list", "--include-void").stdout
    assert "Date-time" in out and "Structure" in out and "Bartholomew" in out and "Role" not in out, out


def test_a_csv_written_to_a_new_file_opens_in_excel_and_a_pipe_gets_plain_csv(cli, db_url, tmp_path):
    """`member list -f csv > members.csv`, double-clicked: Excel showed "JosÃ©", taking a
    UTF-8 file without a BOM for the local code page. A new file now starts with one (as a
    reject file does); a pipe (`| csvcut`), and a file appended to, get none."""
    cli("member", "add", "José Núñez", "--email", "jose@fd.org")
    cli("requirement", "add", "--name", "Señal drill", "--type", "hours", "--hours", "2")
    env = {**os.environ, "TRAINCTL_DB": str(db_url)}
    env.pop("TRAINCTL_DEBUG", None)

    def run(*args: str, out) -> None:  # type: ignore[no-untyped-def]
        subprocess.run([sys.executable, "-m", "trainctl", "--as-of", "2026-03-01", *args], stdout=out,
                       env=env, check=True, timeout=60)  # fmt: skip

    for args in (("member", "list", "-f", "csv"), ("report", "compliance", "-f", "csv"),
                 ("reminders", "preview", "-f", "csv")):  # fmt: skip
        target = tmp_path / f"{args[0]}.csv"
        with target.open("wb") as fh:  # `> members.csv`
            run(*args, out=fh)
        data = target.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1, (args, data[:40])
        if args[0] != "reminders":
            assert "José Núñez" in data.decode("utf-8-sig")
        again = tmp_path / f"{args[0]}-again.csv"
        again.write_bytes(data)
        with again.open("ab") as fh:  # `>> members.csv`: no BOM in mid-file
            run(*args, out=fh)
        assert again.read_bytes().count(b"\xef\xbb\xbf") == 1
        piped = subprocess.run([sys.executable, "-m", "trainctl", "--as-of", "2026-03-01", *args],
                               stdout=subprocess.PIPE, env=env, check=True, timeout=60).stdout  # fmt: skip
        assert not piped.startswith(b"\xef\xbb\xbf") and piped.split(b",")[0] in (b"id", b"member_id", b"to"), piped[:40]
    # the file imports back as it is (every import reads a BOM)
    cli("member", "import", "--csv", tmp_path / "member.csv")
