"""The sample programs shipped in the package: listed, and applied by name."""

from __future__ import annotations

from pathlib import Path


def test_samples_are_listed_with_their_files(cli):
    rows = cli("program", "samples", "--format", "json").json
    names = {r["sample"] for r in rows}
    assert {"probationary-firefighter", "driver-operator-candidate", "emt-recertification"} <= names
    assert all(r["file"].endswith(".toml") for r in rows)


def test_apply_a_sample_by_name_after_its_registries(cli, snapshot):
    cli("db", "check")  # create the database, so the snapshot has something to compare
    before = snapshot()
    r = cli("program", "apply", "--sample", "emt-recertification", ok=False)
    assert r.exit_code != 0 and "trainctl import nremt" in r.stderr  # needs its registry first
    assert snapshot() == before
    cli("import", "nremt")
    cli("program", "apply", "--sample", "emt-recertification")
    assert (
        cli("program", "show", "EMT Recertification", "--format", "json").json["name"]
        == "EMT Recertification"
    )


def test_apply_needs_exactly_one_source(cli):
    r = cli("program", "apply", ok=False)
    assert r.exit_code == 2 and "--sample NAME" in r.stderr
    r = cli("program", "apply", "--sample", "no-such", ok=False)
    assert r.exit_code == 2 and "probationary-firefighter" in r.stderr


def test_the_command_a_sample_file_names_on_its_first_line_applies_it(cli, tmp_path):
    """Each sample's first line says how to apply it; that command must work as written
    (it said `program apply -f FILE`, and -f means --format)."""
    import re
    import shlex

    rows = cli("program", "samples", "--format", "json").json
    for name in ("nfpa", "nremt", "proboard", "iso"):
        cli("import", name)
    for row in rows:
        first = Path(row["file"]).read_text(encoding="utf-8").splitlines()[0]
        shown = re.search(r"`trainctl (program apply [^`]*)`", first)
        assert shown, first
        args = [row["file"] if a == "FILE" else a for a in shlex.split(shown.group(1))]
        r = cli(*args, "--dry-run", ok=False)
        assert r.exit_code == 0, (row["sample"], args, r.stderr)


def test_a_samples_own_requirements_apply_to_its_members_only():
    """A sample's department requirements name the positions they are for: the
    probationary program's 'Station orientation' applied to every member, and the demo's
    compliance report showed the fire chief OVERDUE on it (due 2003-07-02)."""
    import tomllib

    from trainctl.services.program_files import sample_programs

    for path in sample_programs():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for d in data.get("requirement_definitions", []):
            assert d.get("required_positions"), f"{path.name}: {d['name']} applies to every member"
