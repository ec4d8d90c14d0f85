"""One rule, two spellings: the enrollment rollup runs as ONE SQL UPDATE for speed
(services/progress/rollup.py) and reads as Python in domain/progress.py (`rollup`,
`enrollment_status`, with `measure`, `derive_status` and `effective_percentage` for each
row). On random ledgers in a real SQLite file the two agree: the percentage and the
status the UPDATE writes are the ones the domain functions compute from the same credits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from trainctl.db import open_engine
from trainctl.domain import progress as dp
from trainctl.models import (
    Enrollment,
    Member,
    Program,
    ProgramRequirement,
    ProgressCredit,
    Requirement,
    RequirementProgress,
)
from trainctl.services.progress import recompute, rollup_enrollments


@dataclass(frozen=True)
class Row:
    """One progress row of an enrollment: its link and its ledger."""

    link: int  # index into the program's links
    credits: tuple[float, ...]
    override: str | None


@dataclass(frozen=True)
class Case:
    links: tuple[tuple[float, bool], ...]  # (required hours, is_required) per program link
    enrollments: tuple[tuple[str, tuple[Row, ...]], ...]  # (status before, rows)


amounts = st.integers(-40, 400).map(lambda q: q / 4)  # quarter hours, corrections included
overrides = st.sampled_from([None, None, None, "completed", "waived"])


@st.composite
def cases(draw: st.DrawFn) -> Case:
    links = tuple(
        draw(
            st.lists(
                st.tuples(st.integers(1, 400).map(lambda h: h / 2), st.booleans()),
                min_size=1,
                max_size=6,
            )
        )
    )
    enrollments = []
    for _ in range(draw(st.integers(1, 4))):
        status = draw(st.sampled_from(dp.ENROLLMENT_STATUSES))
        rows = tuple(
            Row(i, tuple(draw(st.lists(amounts, max_size=5))), draw(overrides))
            for i in range(len(links))
        )
        enrollments.append((status, rows))
    return Case(links, tuple(enrollments))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("rollup") / "rollup.db"
    engine = open_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _expected(case: Case, rows: tuple[Row, ...], status: str) -> tuple[float, str]:
    """The domain's answer: measure each row from its counted credits, then roll up."""
    effective = []
    for row in rows:
        hours, required = case.links[row.link]
        target = dp.Target(requirement_type="hours", required_hours=hours)
        _, pct = dp.measure(target, [dp.Credit(a) for a in row.credits])
        effective.append((required, dp.effective_percentage(pct, row.override)))
    pct = dp.rollup(effective)
    # and the rollup never disagrees with the rows: 100% only when every required one is done
    done = all(p >= 100 for required, p in effective if required) and any(r for r, _ in effective)
    assert (pct >= 100) == done, effective
    return pct, dp.enrollment_status(status, pct)


def _add(s: Session, row: Any) -> int:
    s.add(row)
    s.flush()
    assert row.id is not None
    return int(row.id)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_the_sql_rollup_agrees_with_the_domain_rules(engine: Engine, case: Case) -> None:
    with Session(engine) as s:
        program = _add(s, Program(name=f"P {uuid.uuid4().hex}", structure_type="flexible"))
        links = []
        for i, (hours, required) in enumerate(case.links):
            name = f"R {uuid.uuid4().hex}"
            req = _add(s, Requirement(name=name, requirement_type="hours", required_hours=hours))
            link = ProgramRequirement(
                program_id=program, requirement_id=req, is_required=required, sort_order=i
            )
            links.append(_add(s, link))
        enrollment_ids, progress_ids = [], []
        for status, rows in case.enrollments:
            member = _add(s, Member(name="M", email=f"{uuid.uuid4().hex}@example.org"))
            enrollment = Enrollment(
                member_id=member, program_id=program, program_version=1,
                enrolled_on=date(2026, 1, 1), status=status,
            )  # fmt: skip
            enrollment_ids.append(_add(s, enrollment))
            for row in rows:
                progress = RequirementProgress(
                    enrollment_id=enrollment_ids[-1], program_requirement_id=links[row.link],
                    status_override=row.override,
                )  # fmt: skip
                progress_ids.append(_add(s, progress))
                for amount in row.credits:
                    credit = ProgressCredit(
                        progress_id=progress_ids[-1], source_type="manual",
                        source_id=uuid.uuid4().hex, amount=amount,
                    )  # fmt: skip
                    s.add(credit)
        s.flush()
        recompute(s, progress_ids)
        rollup_enrollments(s, enrollment_ids)
        for eid, (status, rows) in zip(enrollment_ids, case.enrollments, strict=True):
            got = s.get(Enrollment, eid)
            assert got is not None
            pct, new_status = _expected(case, rows, status)
            assert (got.progress_percentage, got.status) == (pct, new_status), (status, rows)
        s.rollback()


ONCE_DISAGREED = [
    # the example hypothesis found: a mean of 0.79785 rounded 0.7978 in Python, 0.7979 in SQL
    Case(((94.0, True), (0.5, True)), (("active", (Row(0, (1.5,), None), Row(1, (), None))),)),
    # a hair below complete: 99.9999 and 100 are not 100
    Case(
        ((3.0, True), (1.0, True)),
        (("active", (Row(0, (2.9999967,), None), Row(1, (1.0,), None))),),
    ),
]


@pytest.mark.parametrize("case", ONCE_DISAGREED)
def test_the_cases_that_once_disagreed(engine: Engine, case: Case) -> None:
    test_the_sql_rollup_agrees_with_the_domain_rules.hypothesis.inner_test(engine, case)  # type: ignore[attr-defined]  # hypothesis adds it
