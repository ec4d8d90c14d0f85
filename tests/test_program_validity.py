"""One validity check (domain.programs.program_problems) for program files, copies,
activation and edits of active programs: the same problems, in the same words."""

from __future__ import annotations

from pathlib import Path

from program_helpers import add_requirements

PHASED = (
    'name = "{name}"\nstructure_type = "phases"\n'
    '[[phases]]\nnumber = 1\nname = "Orientation"\n'
    '[[phases.requirements]]\ncode = "NFPA 1001"\nregistry = "NFPA"\nrequired = false\n'
    '[[phases]]\nnumber = 2\nname = "Skills"\nprerequisites = [1]\n'
)


def details(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines() if line.startswith("  ")]


def test_a_file_and_an_activation_report_the_same_problems(cli, db_url, tmp_path: Path):
    add_requirements(db_url)
    file = tmp_path / "p.toml"
    file.write_text(PHASED.format(name="From file"), encoding="utf-8")
    from_file = cli("program", "apply", "--file", str(file), ok=False)
    assert from_file.exit_code == 1
    cli("program", "create", "Built", "--structure", "phases")
    cli("program", "phase", "add", "Built", "1", "Orientation")
    cli("program", "phase", "add", "Built", "2", "Skills", "--after", "1")
    cli("program", "requirement", "add", "Built", "NFPA 1001", "--phase", "1", "--optional")
    activated = cli("program", "activate", "Built", ok=False)
    assert activated.exit_code == 1
    expected = [
        "it has no required requirement",
        "phase 1 holds no required requirement",
        "phase 2 holds no required requirement",
    ]
    assert details(from_file.stderr) == details(activated.stderr) == expected
    hint = "A program needs a required requirement (`trainctl program requirement add`)"
    assert hint in from_file.stderr and hint in activated.stderr


def test_a_phase_cycle_names_the_phases(cli, db_url, tmp_path: Path):
    add_requirements(db_url)
    body = (
        'name = "Loop"\nstructure_type = "phases"\n'
        '[[phases]]\nnumber = 1\nname = "Orientation"\nprerequisites = [2]\n'
        '[[phases.requirements]]\ncode = "NFPA 1001"\nregistry = "NFPA"\n'
        '[[phases]]\nnumber = 2\nname = "Skills"\nprerequisites = [1]\n'
        '[[phases.requirements]]\ncode = "NFPA 1002"\nregistry = "NFPA"\n'
    )
    file = tmp_path / "loop.toml"
    file.write_text(body, encoding="utf-8")
    r = cli("program", "apply", "--file", str(file), ok=False)
    assert details(r.stderr) == [
        "phase prerequisites form a cycle: phase 1 -> phase 2 -> phase 1 "
        "(Orientation → Skills → Orientation)"
    ]
    cli("program", "create", "P", "--structure", "phases")
    cli("program", "phase", "add", "P", "1", "Orientation")
    cli("program", "phase", "add", "P", "2", "Skills", "--after", "1")
    r = cli("program", "phase", "edit", "P", "1", "--after", "2", ok=False)
    assert r.exit_code == 1
    assert details(r.stderr) == [
        "phase 1 -> phase 2 -> phase 1 (Orientation → Skills → Orientation)"
    ]
    assert "could never be satisfied" in r.stderr
