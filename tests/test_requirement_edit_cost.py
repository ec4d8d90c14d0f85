"""`requirement edit` re-measures progress only when what progress is measured against
changed (DESIGN §7: an edit of a description must not re-measure two million rows)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from enroll_helpers import Dept


@pytest.fixture
def enrolled(db_url: str) -> str:
    from trainctl.db import session_scope
    from trainctl.services.auth import OWNER
    from trainctl.services.enrollment import Request, bulk_enroll, get_program

    dept = Dept(db_url)
    for i in range(30):
        dept.member(f"M{i}", badge=f"X{i}")
    dept.simple_program("Recruit", "hours")
    with session_scope(dept.engine) as s:
        requests = [Request(f"i{i}", f"X{i}") for i in range(30)]
        bulk_enroll(s, OWNER, get_program(s, "Recruit"), requests, today=date(2026, 1, 1))
    dept.engine.dispose()
    return "Recruit hours 1"


def progress_statements(run) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if "requirement_progress" in statement:
            seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize(
    "change",
    [
        ("--description", "Read the SOP first"),
        ("--name", "Recruit drill hours"),
        ("--frequency", "annual"),
        ("--time-limit-days", "30"),
        ("--alias", "RDH"),
        ("--position", "firefighter"),
    ],
)
def test_an_edit_that_moves_no_figure_reads_no_progress_row(cli, enrolled, change):
    assert progress_statements(lambda: cli("requirement", "edit", enrolled, *change)) == []


@pytest.mark.parametrize(
    "change",
    [
        ("--hours", "20"),
        ("--hour-categories", '[{"name": "live", "min_hours": 2}]'),
        ("--type", "shifts", "--shifts", "3"),
    ],
)
def test_a_new_target_remeasures(cli, enrolled, change):
    assert progress_statements(lambda: cli("requirement", "edit", enrolled, *change)) != []
