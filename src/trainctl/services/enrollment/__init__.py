"""Enrollment on the write side (the read side is queries/enrollments.py).

One job per module (imports point down this list, never up):
- requests.py   who to enroll in bulk: an enrollment CSV or a --members list
- lifecycle.py  hold, resume, withdraw, fail; the officer's manual phase advancement
- enroll.py     the validator shared by single and bulk enrollment; the bulk inserts
- lookup.py     the enrollment resolver for writing (queries.enrollments' rule)
"""

from trainctl.services.enrollment.enroll import (
    CONCURRENT_MESSAGE,
    PREREQ_MESSAGE,
    BulkResult,
    Outcome,
    Request,
    bulk_enroll,
    completed_before,
    enroll_member,
    get_program,
    hire_note,
    program_label,
)
from trainctl.services.enrollment.lookup import enrollment_summary, get_enrollment

__all__ = [
    "CONCURRENT_MESSAGE",
    "PREREQ_MESSAGE",
    "BulkResult",
    "Outcome",
    "Request",
    "bulk_enroll",
    "completed_before",
    "enroll_member",
    "enrollment_summary",
    "get_enrollment",
    "get_program",
    "hire_note",
    "program_label",
]
