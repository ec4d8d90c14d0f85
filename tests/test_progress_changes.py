"""A progress change is a value: the flags of `progress update` become typed changes before
the database is touched, so a usage error is exit 2 whatever the database holds."""

from __future__ import annotations

import pytest

from trainctl.domain import changes as ch
from trainctl.errors import UsageError


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"add": 2.5, "category": "local", "note": "drill"},
         ch.Update(credit=ch.AddCredit(2.5, "local", False, "drill"))),
        ({"set_to": 10, "distributive": True}, ch.Update(credit=ch.SetTotal(10, None, True))),
        ({"check": "SCBA", "verify": True}, ch.Update(credit=ch.Check("SCBA"), verify=ch.Verify())),
        ({"uncheck": "SCBA", "note": "oops"}, ch.Update(credit=ch.Uncheck("SCBA", "oops"))),
        ({"status": "completed", "reason": "chief"},
         ch.Update(override=ch.Override("completed", "chief"))),
        ({"status": "auto"}, ch.Update(override=ch.Override(None))),
        ({"waive": True, "reason": "prior service"}, ch.Update(override=ch.Waive("prior service"))),
        ({"status": "waived", "reason": "x"}, ch.Update(override=ch.Waive("x"))),
        ({"note": "called"}, ch.Update(note=ch.Note("called"))),
        # a note with an override and no credit is kept on its own
        ({"status": "completed", "note": "n"},
         ch.Update(override=ch.Override("completed"), note=ch.Note("n"))),
    ],
)  # fmt: skip
def test_flags_become_typed_changes(flags, expected):
    assert ch.parse_update(**flags) == expected


def test_changes_apply_in_order_and_name_their_status():
    update = ch.parse_update(add=1, waive=True, reason="r", verify=True)
    assert [type(c) for c in update.changes] == [ch.AddCredit, ch.Waive, ch.Verify]
    assert update.status == "waived" and update.moves_figures
    assert ch.parse_update(status="auto").status == "auto"
    assert not ch.parse_update(note="n").moves_figures


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"add": 1, "set_to": 2}, "Give only one of --add, --set, --check and --uncheck."),
        ({"check": "a", "uncheck": "b"}, "Give only one of"),
        ({}, "Nothing to update."),
        ({"waive": True, "status": "completed"}, "--waive and --status disagree"),
        ({"waive": True}, "A waiver needs a reason."),
        ({"status": "waived", "reason": "  "}, "A waiver needs a reason."),
        ({"status": "in_progress"}, "follow from the credited value"),
    ],
)
def test_contradictions_are_usage_errors(flags, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        ch.parse_update(**flags)


@pytest.mark.parametrize(
    "args",
    [
        ("1", "--add", "1", "--set", "2"),
        ("1",),
        ("1", "--waive"),
        ("--member", "nobody", "--requirement", "x", "--status", "started"),
    ],
)
def test_usage_errors_come_before_the_database(cli, args):
    """On an empty database: exit 2 for the flags, not 'No progress row 1' (exit 1)."""
    r = cli("progress", "update", *args, ok=False)
    assert r.exit_code == 2, r
    assert "No progress row" not in r.stderr and "No member" not in r.stderr
