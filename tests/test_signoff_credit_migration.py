"""The sign-off credit revision (progress_credit.source_type 'checklist_signoff') on the
suite's backend: before it, the ledger refuses a sign-off's credit, and a sign-off on file
counted in compliance only; `db upgrade` widens the check and its post-step credits the
programs with the sign-offs on file that stand, each dated its own day (an unchecked one
credits nothing). Downgrade takes the sign-offs' credit out and narrows the check again.

The revision id lives in its file and in dbfile.REVISIONS only; this test finds it there.
"""

from __future__ import annotations

import pytest
from postgres_helpers import migrate, url_of

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_signoff_credit"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]
REQ = "Annual physical"


def _credit(db, source: str) -> None:
    db.execute(
        "INSERT INTO progress_credit (progress_id, source_type, source_id, amount, state, entered_at) "
        f"VALUES (1, '{source}', 'x', 1, 'counted', '2025-03-12 10:00:00')"
    )


def _ledger(db) -> list[tuple]:
    return [tuple(r) for r in db.rows(
        "SELECT source_type, source_id, amount, item, entered_on FROM progress_credit ORDER BY id"
    )]  # fmt: skip


@pytest.fixture
def department(cli, db):
    """Ann in Wellness (since 2025-01-02), which links an annual physical; two items signed
    off for her, one since unchecked."""
    cli("member", "add", "Ann Lee", "--email", "ann@fd.org", "--hire-date", "2015-01-10")
    cli("--as-of", "2024-01-02", "requirement", "add", "--name", REQ, "--type", "checklist",
        "--frequency", "annual", "--item", "Medical exam", "--item", "Fitness")  # fmt: skip
    cli("program", "create", "Wellness")
    cli("program", "requirement", "add", "Wellness", REQ)
    cli("program", "activate", "Wellness")
    cli("--as-of", "2025-01-02", "enroll", "add", "ann@fd.org", "Wellness")
    cli("checklist", "check", "ann@fd.org", REQ, "Medical exam", "--as-of", "2025-03-12")
    cli("checklist", "check", "ann@fd.org", REQ, "Fitness", "--as-of", "2025-03-12")
    cli("checklist", "uncheck", "ann@fd.org", REQ, "Fitness", "--as-of", "2025-04-01")
    return db


def _value(cli) -> float:
    shown = cli("enroll", "show", "1", "--format", "json").json
    return shown["requirements"][0]["value"]


def test_upgrade_credits_the_sign_offs_on_file_and_downgrade_takes_it_out(cli, department):
    db = department
    at_head = _ledger(db)
    assert [(t, s, a) for t, s, a, _, _ in at_head] == [
        ("checklist_signoff", "1", 1), ("checklist_signoff", "2", 1), ("checklist_signoff", "2:void", -1),
    ]  # fmt: skip
    migrate(url_of(db), BEFORE, down=True)
    assert db.count("progress_credit") == 0
    assert db.count("checklist_signoff") == 2  # the sign-offs stay
    with pytest.raises(Exception, match=r"(?i)check"):
        _credit(db, "checklist_signoff")
    r = cli("db", "upgrade")
    assert db.scalar("SELECT version_num FROM alembic_version") == REVISIONS[-1]
    assert "Credited 1 program item signed off with `checklist check` (1 member)" in r.stderr
    # the standing sign-off, dated its day; the unchecked one credits nothing
    assert [(t, s, a, i, str(on)) for t, s, a, i, on in _ledger(db)] == [
        ("checklist_signoff", "1", 1, "Medical exam", "2025-03-12"),
    ]
    assert _value(cli) == 1
    # upgraded again: nothing more to do
    migrate(url_of(db), REV)
    assert db.count("progress_credit") == 1
