"""The words a requirement is described in, as stored (models.Requirement's columns) and as
the schemas accept them. Plain data: a schema checks a program file without the ORM."""

from __future__ import annotations

REQUIREMENT_TYPES = (
    "hours", "courses", "certification", "shifts", "calls", "skills_evaluation", "checklist",
)  # fmt: skip
REQUIREMENT_SOURCES = ("department", "state", "national")
FREQUENCIES = ("annual", "biennial", "quarterly", "monthly", "one_time", "rolling")
PERIOD_ANCHORS = ("calendar", "hire_date", "certification_date")
