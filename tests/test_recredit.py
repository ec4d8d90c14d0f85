"""`requirement edit` of what counts re-derives the automatic credit, set-based, in the
same transaction: sources that no longer match are reversed (history kept), sources that
now match are credited, and a later void still takes back exactly what is left."""

from __future__ import annotations

import pytest

AS_OF = ("--as-of", "2026-12-31")


@pytest.fixture
def world(cli):
    """Two firefighters enrolled on 2026-01-01 in a program whose 'Drill hours' counts
    drills; a 2 h drill and a 3 h EMS class for each, and a drill after the as-of date."""
    for i in (1, 2):
        cli("member", "add", f"Fire Fighter {i}", "--email", f"ff{i}@fd.org")
    cli("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "10", "--counts-type", "drill")
    cli("program", "create", "Company training")
    cli("program", "requirement", "add", "1", "Drill hours")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Company training", "--members", "ff1@fd.org,ff2@fd.org")
    cli(*AS_OF, "record", "add", "--members", "ff1@fd.org,ff2@fd.org", "--course", "Ladder drill", "--type", "drill",
        "--date", "2026-03-04", "--hours", "2")  # fmt: skip
    cli(*AS_OF, "record", "add", "--members", "ff1@fd.org,ff2@fd.org", "--course", "Airway class", "--type", "class",
        "--category", "ems", "--date", "2026-04-01", "--hours", "3")  # fmt: skip
    return cli


def _value(cli, enrollment: int) -> float:
    return cli("--format", "json", "enroll", "show", str(enrollment)).json["requirements"][0]["value"]


def _log(cli, enrollment: int) -> list[tuple[str, float]]:
    pid = cli("--format", "json", "enroll", "show", str(enrollment)).json["requirements"][0]["progress_id"]
    return [(c["source_id"], c["amount"]) for c in cli("--format", "json", "progress", "log", str(pid)).json]


def test_editing_what_counts_recredits_and_a_void_still_balances(world):
    assert _value(world, 1) == 2 and _value(world, 2) == 2

    r = world(*AS_OF, "requirement", "edit", "Drill hours", "--counts-type", "class")
    assert "Re-credited Drill hours: 2 credits added for sources that now count, 2 reversed for " \
           "sources that no longer count (2 members)." in " ".join(r.stderr.split())  # fmt: skip
    assert _value(world, 1) == 3 and _value(world, 2) == 3
    assert _log(world, 1) == [("1", 2), ("1:recredit:1", -2), ("3", 3)]  # the reversal first

    # back again: the drill is credited anew under a fresh ledger id, the class reversed
    world(*AS_OF, "requirement", "edit", "Drill hours", "--counts-type", "drill")
    assert _value(world, 1) == 2
    assert _log(world, 1) == [("1", 2), ("1:recredit:1", -2), ("3", 3), ("3:recredit:1", -3), ("1:recredit:2", 2)]

    # a void takes back what is left (2, not 4), once
    world(*AS_OF, "record", "void", "1", "--reason", "wrong crew")
    assert _value(world, 1) == 0 and _value(world, 2) == 2
    assert _log(world, 1)[-1] == ("1:void", -2)
    shown = world("--format", "json", "record", "show", "1").json
    assert [c["amount"] for c in shown["credits"]] == [2, -2, 2, -2]

    # a filter that takes both; the void record stays out
    r = world(*AS_OF, "requirement", "edit", "Drill hours", "--counts-category", "ems")
    assert "2 credits added for sources that now count, 0 reversed" in " ".join(r.stderr.split())
    assert _value(world, 1) == 3 and _value(world, 2) == 5


def test_an_edit_that_leaves_what_counts_alone_recredits_nothing(world, snapshot):
    before = _log(world, 1)
    r = world(*AS_OF, "requirement", "edit", "Drill hours", "--description", "Company drills")
    assert "Re-credited" not in r.stderr and _log(world, 1) == before
    # the window still holds: a filter change as of March credits nothing dated later
    r = world("--as-of", "2026-03-31", "requirement", "edit", "Drill hours", "--counts-type", "class")
    assert "0 credits added" in r.stderr and "2 reversed" in r.stderr
    assert _value(world, 1) == 0


def test_a_refused_edit_changes_no_credit(world, snapshot):
    before = snapshot()
    r = world(*AS_OF, "requirement", "edit", "Drill hours", "--counts-type", "class", "--hours", "-1", ok=False)
    assert r.exit_code != 0 and snapshot() == before


def test_a_new_credential_code_recredits_cards_exactly(cli):
    """A certification requirement whose credential changes: the cards of the old code are
    reversed, those of the new code credited (codes still match exactly)."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org")
    cli("requirement", "add", "--name", "Life support", "--type", "certification", "--credential", "ACLS")
    cli("program", "create", "Medic")
    cli("program", "requirement", "add", "1", "Life support")
    cli("program", "activate", "1")
    cli("--as-of", "2026-01-01", "enroll", "bulk", "Medic", "--members", "ann@fd.org")
    cli(*AS_OF, "cert", "add", "ann@fd.org", "BLS", "--issued", "2026-02-01", "--expires", "2028-02-01")
    cli(*AS_OF, "cert", "add", "ann@fd.org", "ACLS-EP", "--issued", "2026-02-01", "--expires", "2028-02-01")

    def pct() -> float:
        return cli(*AS_OF, "--format", "json", "enroll", "show", "1").json["requirements"][0]["percentage"]

    assert pct() == 0  # neither BLS nor ACLS-EP is ACLS
    r = cli(*AS_OF, "requirement", "edit", "Life support", "--credential", "BLS")
    assert "1 credit added for sources that now count, 0 reversed" in " ".join(r.stderr.split())
    assert pct() == 100
    r = cli(*AS_OF, "requirement", "edit", "Life support", "--credential", "ACLS")
    assert "0 credits added for sources that now count, 1 reversed" in " ".join(r.stderr.split())
    assert pct() == 0
