"""A requirement linked into a program version that members are enrolled in (issue 11 #7).

Officers add a new annual item mid-year and expect everyone enrolled to get it. So a link
may be ADDED to a version with enrollments (never removed or edited: that still needs a
new version), and in the same transaction:

- every enrollment that is active, on hold or completed gains its progress row, made by
  ONE INSERT ... SELECT inside the database (withdrawn and failed enrollments are closed
  history and gain nothing);
- the due date counts from the day the link is added (the member could not have started
  it earlier): program-level links, and links of the phase the enrollment is in now;
  a link of a phase the enrollment has not reached gets its date when the phase starts,
  as at enrollment; a phase already left gets none;
- the enrollments are rolled up in one UPDATE: a REQUIRED link reopens a completed
  enrollment (it now has something left to do); an optional one never does, as it never
  counts toward completion;
- what is already on file (cards, records, checkoffs, shifts, calls since each enrollment
  started) credits the new rows, and only them, through the one credit feed, so a member
  who holds the card is complete again at once; a link added as of an earlier day (--as-of)
  is credited through the real today, as `enroll add --as-of` is.

Measured (`python bench/link_add.py`, 2-core machine under load, SQLite, median of 3):
linking a required requirement into a program with 5,000 enrollments (1,000 of them
completed) takes 0.40 s through COMMIT: the rows (one INSERT ... SELECT), the rollup (one
UPDATE) and about 0.22 s looking up what is on file for the 5,000 members (none here); the
same rows made one enrollment at a time through the ORM take 3.4 s (8.4x). Phases and
milestones are not re-run over all of them: a new row at 0% can only lower a percentage
(before that cut, 0.75 s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import chunks, table
from trainctl.domain import progress as dp
from trainctl.models import Enrollment, ProgramRequirement, Requirement, RequirementProgress
from trainctl.permissions import Actor

GAINING = ("active", "on_hold", "completed")  # enrollments that gain a new link's row


@dataclass
class Extension:
    """What linking a requirement does to the enrollments already on the version."""

    by_status: dict[str, int] = field(default_factory=dict)  # enrollments gaining the row
    rows: int = 0  # progress rows written (0 on a dry run)
    reopened: int = 0  # completed enrollments reopened (a required link)
    credited: int = 0  # credits from what was on file

    @property
    def enrollments(self) -> int:
        return sum(self.by_status.values())


def gaining(session: Session, program_id: int) -> dict[str, int]:
    """Enrollments per status that would gain a link added now (one GROUP BY)."""
    e = table(Enrollment)
    return {
        status: int(n)
        for status, n in session.execute(
            sa.select(e.c.status, sa.func.count())
            .where(e.c.program_id == program_id, e.c.status.in_(GAINING))
            .group_by(e.c.status)
        )
    }


def extend_enrollments(
    session: Session, actor: Actor, link: ProgramRequirement, *, today: date,
    through: date | None = None,
) -> Extension:  # fmt: skip
    """Give every enrollment of the link's program (active, on hold, completed) its row for
    the new link, set-based, then roll up and credit what is on file (module docstring).
    `through`: the department's real today when `today` is an earlier --as-of day: what is
    on file dated after `today` credits the new rows too, as at `enroll add --as-of`
    (on_file.credit_on_file); nothing else would ever credit it."""
    from trainctl.services.enrollment.on_file import credit_on_file
    from trainctl.services.progress import rollup_enrollments

    assert link.id is not None
    ext = Extension(by_status=gaining(session, link.program_id))
    if not ext.enrollments:
        return ext
    e, rp, r = table(Enrollment), table(RequirementProgress), table(Requirement)
    limit = session.execute(
        sa.select(r.c.time_limit_days).where(r.c.id == link.requirement_id)
    ).scalar()
    due = dp.requirement_deadline(today, link.custom_deadline_days, limit)
    # the row's scope starts today where it is open now: at the program level, or in the
    # enrollment's current phase (a later phase's row starts with that phase)
    started = sa.true() if link.phase_id is None else e.c.current_phase_id == link.phase_id
    due_on: sa.ColumnElement[Any] = sa.null()
    if due is not None:
        due_on = sa.case((started, sa.literal(due, rp.c.due_on.type)), else_=sa.null())
    assigned_on = sa.case((started, sa.literal(today, rp.c.assigned_on.type)), else_=sa.null())
    rows = sa.select(
        e.c.id, sa.literal(link.id), sa.literal("not_started"), sa.literal(0.0),
        sa.literal(0.0), due_on, assigned_on,
    ).where(e.c.program_id == link.program_id, e.c.status.in_(GAINING)).order_by(e.c.id)  # fmt: skip
    session.execute(
        rp.insert().from_select(
            ["enrollment_id", "program_requirement_id", "status", "progress_value",
             "progress_percentage", "due_on", "assigned_on"],
            rows,
        )
    )  # fmt: skip
    ext.rows = ext.enrollments
    found = list(
        session.execute(
            sa.select(e.c.id, e.c.member_id, e.c.enrolled_on, e.c.status).where(
                e.c.program_id == link.program_id, e.c.status.in_(GAINING)
            )
        )
    )
    ids = [eid for eid, *_ in found]
    completed = {eid for eid, _, _, status in found if status == "completed"}
    # a new row at 0% only lowers percentages: no phase advances and no milestone fires
    # (what is on file, below, goes through the feed's own finish, which does both)
    rollup_enrollments(session, ids)
    # what is on file since the earliest start; the feed applies each enrollment's window.
    # Only the new rows: the members' other rows that take the same facts were credited
    # when the facts were written (third review: linking "Any calls" credited an "EMS
    # calls" row an --as-of link had left short, and counted its credits as the link's)
    since = min(on for _, _, on, _ in found)
    new_rows = session.execute(sa.select(rp.c.id).where(rp.c.program_requirement_id == link.id)).scalars()
    ext.credited = credit_on_file(
        session, actor, sorted({mid for _, mid, _, _ in found}), since=since, today=today,
        requirement_ids=[link.requirement_id], through=through, progress_ids=new_rows,
    ).credits
    if completed:
        still = 0
        for part in chunks(sorted(completed)):
            still += int(
                session.execute(
                    sa.select(sa.func.count()).where(
                        e.c.id.in_(part), e.c.status == "completed"
                    )
                ).scalar_one()
            )
        ext.reopened = len(completed) - still
    return ext
