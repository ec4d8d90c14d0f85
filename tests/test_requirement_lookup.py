"""One requirement resolver (queries.requirements.get_requirement) for every command that
names a requirement: the catalog's `requirement show/edit` and a program's links agree on
what a reference means, on "not found" (exit 1) and on "ambiguous" (exit 2)."""

from __future__ import annotations

import pytest
from backends import connect


def add(cli, *args: str):
    return cli("--format", "json", "requirement", "add", *args)


@pytest.fixture
def catalog(cli):
    cli("import", "nfpa")
    add(cli, "-n", "Drill hours", "-t", "hours", "--hours", "24", "--alias", "Company drills")
    add(cli, "-n", "Ünïcode drill", "-t", "hours", "--hours", "2")
    cli("program", "create", "P")


@pytest.mark.parametrize(
    "ref", ["NFPA 1001", "nfpa1001", "Fire Fighter I & II", "company DRILLS", "Ünïcode drill", "#1"]
)
def test_show_and_program_links_resolve_the_same_references(cli, catalog, ref):
    shown = cli("requirement", "show", ref, "-f", "json").json["id"]
    cli("program", "requirement", "add", "P", ref)
    links = cli("program", "requirement", "list", "P", "-f", "json").json
    assert [link["requirement_id"] for link in links] == [shown]


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        (("requirement", "show"), ()),
        (("requirement", "edit"), ("--hours", "3")),
        (("requirement", "add", "--from"), ()),
        (("program", "requirement", "add", "P"), ()),
        (("program", "requirement", "remove", "P"), ()),
    ],
)
def test_one_message_and_exit_code_for_not_found_and_ambiguous(cli, catalog, snapshot, head, tail):
    add(cli, "-n", "Fire Fighter I & II", "-t", "certification", "--credential", "FF")
    before = snapshot()
    for ref, code, says in (
        ("fire fighter i & ii", 2, "'fire fighter i & ii' names 2 requirements."),
        ("NFPA 9999", 1, "No requirement 'NFPA 9999'."),
        ("99999999999999999999", 1, "No requirement '99999999999999999999'."),
        ("0", 1, "No requirement '0'."),
    ):
        r = cli(*head, ref, *tail, ok=False)
        assert r.exit_code == code, (ref, r)
        assert r.stderr.splitlines()[0] == f"Error: {says}", r.stderr
        assert "Traceback" not in r.stderr
    assert snapshot() == before


def test_a_program_file_names_requirements_by_the_same_rule(cli, catalog, tmp_path, db_url):
    """The batch form (program apply) matches codes and names as the single lookup does:
    case and spaces aside, so an exported file applies back without redefining anything."""

    cli("program", "requirement", "add", "P", "Ünïcode drill")
    cli("program", "requirement", "add", "P", "NFPA 1001")
    text = cli("program", "export", "P").stdout
    text = text.replace("version = 1", "version = 2").replace('"NFPA 1001"', '"nfpa1001"')
    text = text.replace('name = "Ünïcode drill"', 'name = "Ünïcode  DRILL"')
    file = tmp_path / "p.toml"
    file.write_text(text, encoding="utf-8")
    before = connect(db_url).execute("SELECT count(*) FROM requirement").fetchone()
    r = cli("program", "apply", "--file", str(file))
    assert "requirement definition" not in r.stdout
    assert connect(db_url).execute("SELECT count(*) FROM requirement").fetchone() == before
    links = cli("program", "requirement", "list", "P@2", "-f", "json").json
    assert sorted(link["name"] for link in links) == ["Fire Fighter I & II", "Ünïcode drill"]


def test_a_miss_offers_the_close_code_whatever_its_case(cli, snapshot):
    """`requirement explain F-203 "iso company"` offered nothing: the suggestions compared
    the reference with the codes as typed, and the capitals of ISO-COMPANY kept it below the
    cutoff. They are compared case and spacing aside, as the lookup reads a reference."""
    cli("import", "iso")
    before = snapshot()
    for ref in ("iso company", "Iso Hazmat"):
        r = cli("requirement", "show", ref, ok=False)
        assert r.exit_code == 1, r
        assert r.stderr.splitlines()[0] == f"Error: No requirement {ref!r}.", r.stderr
        wanted = "ISO-COMPANY" if ref == "iso company" else "ISO-HAZMAT"
        assert f"Hint: Did you mean {wanted!r}" in r.stderr, r.stderr
    assert snapshot() == before
