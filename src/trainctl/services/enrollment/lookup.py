"""The write side's enrollment lookups, through the read side's one resolver
(queries.enrollments): a command that changes an enrollment names it the way `enroll show`
does, with the same message when it names none."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from trainctl.models import Enrollment
from trainctl.queries import enrollments as q
from trainctl.queries import reader_of


def get_enrollment(session: Session, ref: str | int) -> Enrollment:
    """The enrollment named by `ref`, for writing."""
    session.flush()
    found = q.get_enrollment(reader_of(session), ref)
    enrollment = session.get(Enrollment, found.id)
    assert enrollment is not None  # found in this same transaction
    return enrollment


def enrollment_summary(session: Session, enrollment: Enrollment, today: date) -> dict[str, Any]:
    """What `enroll show` prints at the top, for an enrollment just written."""
    assert enrollment.id is not None
    session.flush()
    return q.enrollment_summary(reader_of(session), enrollment.id, today).as_dict()
