"""Program schemas: create/update input, reminder conditions, and the program FILE format.

Reminder conditions (`reminder_conditions`, stored as JSON on the program) -- every key is
optional; an empty object means "only the program's warning_days_before applies":

    {"lead_days": [30, 14, 7], "only_below_percent": 80, "inactive_days": 21}

- lead_days: remind this many days before a deadline (each 1..3650, no repeats; kept
  sorted from far to near). A reminder job sends each lead day at most once, so a weekly
  run still catches every one that has passed.
- only_below_percent: send deadline reminders only while the member's progress is below
  this percentage (0 < p <= 100).
- inactive_days: also remind a member who has recorded no progress for this many days
  (1..3650).
Unknown keys are refused, so a typo never silently disables a reminder. Values are strict:
day counts must be whole JSON numbers (not `true`, `"30"` or `7.5`), the percentage a number.

The program file (TOML; JSON accepted) is one document, see `ProgramFile`. Keys that
`program show --format json` adds for reading (ids, status, lineage, timestamps) are
accepted and ignored, so the JSON form of `show` applies as a file.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from trainctl.schemas import figure
from trainctl.schemas.requirements import CycleEnd
from trainctl.schemas.requirements import Name as RequirementName
from trainctl.schemas.text import Line, Lines, clean_name

StructureType = Literal["flexible", "sequential", "phases"]
RequirementType = Literal[
    "hours", "courses", "certification", "shifts", "calls", "skills_evaluation", "checklist"
]
# A program's, phase's or milestone's name, read as a member's or a requirement's is
# (schemas/text.clean_name): "Driver Training" with a no-break space or a zero-width space
# pasted from a web page is the program "Driver Training", not a second one.
Name = Annotated[str, BeforeValidator(clean_name), StringConstraints(min_length=1, max_length=200), Line]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), Lines]
PositiveDays = Annotated[int, Field(gt=0, le=36500)]
# Bounds that keep every number within a database integer (never an OverflowError).
MAX_VERSION = 99_999
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
SortOrder = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
Count = Annotated[int, Field(gt=0, le=100_000)]
Months = Annotated[int, Field(gt=0, le=1_200)]
Threshold = Annotated[float, Field(ge=0, le=100), BeforeValidator(figure)]

_VERSION_SUFFIX = re.compile(r"@\d+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_program_name(value: str) -> str:
    if value.isdigit():
        raise ValueError("a program name cannot be only digits (digits name a program id)")
    if _VERSION_SUFFIX.search(value):
        raise ValueError("a program name cannot end in @<number> (that names a version)")
    return value


class ReminderConditions(_Strict):
    """Conditional reminder rules; see the module docstring for the format."""

    # Strict: `true` is not a day count and "30" is not a number (lax pydantic would take both).
    lead_days: list[Annotated[StrictInt, Field(ge=1, le=3650)]] | None = None
    only_below_percent: Annotated[StrictFloat, Field(gt=0, le=100)] | None = None
    inactive_days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = None

    @field_validator("lead_days")
    @classmethod
    def _lead_days(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("lead_days needs at least one number of days (or leave it out)")
        if len(set(value)) != len(value):
            raise ValueError("lead_days lists a day count twice")
        return sorted(value, reverse=True)

    def stored(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ProgramFields(_Strict):
    """The program's own fields (shared by create, update and the file)."""

    description: Text | None = None
    target_position: Name | None = None
    structure_type: StructureType = "flexible"
    allows_concurrent_enrollment: bool = True
    time_limit_days: PositiveDays | None = None
    warning_days_before: Annotated[int, Field(ge=0, le=36500)] | None = None
    reminder_conditions: ReminderConditions = Field(default_factory=ReminderConditions)
    is_template: bool = False


class ProgramCreate(ProgramFields):
    name: Name
    version: Version = 1
    prerequisites: list[str] = Field(default_factory=list)  # program references

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_program_name(value)


class ProgramUpdate(_Strict):
    """Only the fields that were given are changed (model_dump(exclude_unset=True))."""

    name: Name | None = None
    description: Text | None = None
    target_position: Name | None = None
    structure_type: StructureType | None = None
    allows_concurrent_enrollment: bool | None = None
    time_limit_days: PositiveDays | None = None
    warning_days_before: Annotated[int, Field(ge=0, le=36500)] | None = None
    reminder_conditions: ReminderConditions | None = None
    is_template: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_program_name(value)


class PhaseCreate(_Strict):
    phase_number: Annotated[int, Field(ge=1, le=999)]
    name: Name
    description: Text | None = None
    requires_manual_advancement: bool = False
    time_limit_days: PositiveDays | None = None


class PhaseUpdate(_Strict):
    phase_number: Annotated[int, Field(ge=1, le=999)] | None = None
    name: Name | None = None
    description: Text | None = None
    requires_manual_advancement: bool | None = None
    time_limit_days: PositiveDays | None = None


class LinkCreate(_Strict):
    is_required: bool = True
    is_prerequisite: bool = False
    sort_order: SortOrder | None = None  # None: after the last link of its scope
    program_specific_description: Text | None = None
    custom_deadline_days: PositiveDays | None = None
    notification_message: Text | None = None


class LinkUpdate(_Strict):
    is_required: bool | None = None
    is_prerequisite: bool | None = None
    sort_order: SortOrder | None = None
    program_specific_description: Text | None = None
    custom_deadline_days: PositiveDays | None = None
    notification_message: Text | None = None


class MilestoneCreate(_Strict):
    name: Name
    description: Text | None = None
    completion_percentage_threshold: Threshold
    notification_message: Text | None = None
    requires_verification: bool = False


class MilestoneUpdate(_Strict):
    name: Name | None = None
    description: Text | None = None
    completion_percentage_threshold: Threshold | None = None
    notification_message: Text | None = None
    requires_verification: bool | None = None


# -------------------------------------------------------------------------- program files
class FileLink(_Strict):
    """A requirement link. A registry requirement is named by `registry` + `code` (its
    `name` is then only for the reader); any other requirement by `name`."""

    id: int | None = None  # informational (show --format json); ignored
    registry: Name | None = None
    code: Name | None = None
    name: RequirementName | None = None  # as the requirement's name is stored
    required: bool = True
    prerequisite: bool = False
    sort_order: SortOrder | None = None
    description: Text | None = None  # program-specific description override
    deadline_days: PositiveDays | None = None  # custom deadline override
    notification_message: Text | None = None

    @model_validator(mode="after")
    def _ref(self) -> FileLink:
        if (self.registry is None) != (self.code is None):
            raise ValueError("a registry requirement needs both `registry` and `code`")
        if self.registry is None and self.name is None:
            raise ValueError("name the requirement: `registry` + `code`, or `name`")
        return self

    @property
    def label(self) -> str:
        if self.code and self.registry:
            same = self.code.lower().startswith(self.registry.lower())
            return self.code if same else f"{self.registry} {self.code}"
        return f"'{self.name}'"


class FileMilestone(_Strict):
    id: int | None = None  # informational; ignored
    name: Name
    threshold: Threshold
    description: Text | None = None
    notification_message: Text | None = None
    requires_verification: bool = False


class FilePhase(_Strict):
    id: int | None = None  # informational; ignored
    number: Annotated[int, Field(ge=1, le=999)]
    name: Name
    description: Text | None = None
    prerequisites: list[int] = Field(default_factory=list)  # phase numbers of this program
    requires_manual_advancement: bool = False
    time_limit_days: PositiveDays | None = None
    requirements: list[FileLink] = Field(default_factory=list)
    milestones: list[FileMilestone] = Field(default_factory=list)


class RequirementDefinition(_Strict):
    """A requirement without a registry code, carried in the file so that a new database
    can reproduce the program. Applied only when no requirement of that name exists."""

    id: int | None = None  # informational; ignored
    name: RequirementName
    description: Text | None = None
    requirement_type: RequirementType
    source: Literal["department", "state", "national"] = "department"
    source_document: Text | None = None
    aliases: list[str] = Field(default_factory=list)
    is_editable: bool = True
    required_hours: Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False), BeforeValidator(figure)] | None = None
    required_shifts: Count | None = None
    required_calls: Count | None = None
    required_courses: list[str] = Field(default_factory=list)
    credential_code: Name | None = None
    required_skills: list[Any] = Field(default_factory=list)
    checklist_items: list[Any] = Field(default_factory=list)
    hour_categories: list[Any] = Field(default_factory=list)
    frequency: Literal["annual", "biennial", "quarterly", "monthly", "one_time", "rolling"] = (
        "one_time"
    )
    period_months: Months | None = None
    period_anchor: Literal["calendar", "hire_date", "certification_date"] = "calendar"
    time_limit_days: PositiveDays | None = None
    required_positions: list[str] = Field(default_factory=list)
    # What counts (schemas.requirements.COUNTS_APPLY): without it an hours requirement the
    # file defines would take no training record in a new database (domain/credit.py).
    counts_courses: list[str] = Field(default_factory=list)
    counts_training_types: list[str] = Field(default_factory=list)
    counts_categories: list[str] = Field(default_factory=list)
    counts_call_types: list[str] = Field(default_factory=list)
    counts_attendance: bool = False
    # a fixed cycle end (MM-DD) and the card that places it (schemas.requirements)
    cycle_end: CycleEnd | None = None
    cycle_credential: Name | None = None

    @model_validator(mode="after")
    def _as_requirement(self) -> RequirementDefinition:
        """The definition is a requirement: checked by the one validation `requirement add`
        and a registry import apply (RequirementCreate's types, then check_requirement's
        rules), each problem at its field, and kept as that validation returns it (what
        `requirement add` would store)."""
        from trainctl.schemas.requirements import RequirementCreate, check_requirement

        fields = RequirementCreate.model_validate(self.model_dump(exclude={"id"})).model_dump()
        problems = [p.partition(": ") for p in check_requirement(fields)]
        if problems:
            raise ValidationError.from_exception_data(
                "RequirementDefinition",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("requirement", "{why}", {"why": why}),
                        loc=(name,),
                        input=None,
                    )
                    for name, _, why in problems
                ],
            )
        for name in type(self).model_fields:
            if name in fields:
                setattr(self, name, fields[name])
        return self


class ProgramFile(ProgramFields):
    """One program, as `program export` writes it and `program apply` reads it."""

    # informational keys written by `program show --format json`; ignored by apply, but for
    # the status (`program export` writes it too): what a program apply creates is given
    # (a draft stays a draft elsewhere); none: active
    id: int | None = None
    status: Literal["draft", "active", "archived"] | None = None
    lineage: str | None = None
    derived_from: str | None = None
    created_at: str | None = None

    name: Name
    version: Version = 1
    prerequisites: list[str] = Field(default_factory=list)  # "Name@version" references
    requirement_definitions: list[RequirementDefinition] = Field(default_factory=list)
    requirements: list[FileLink] = Field(default_factory=list)  # program-level links
    milestones: list[FileMilestone] = Field(default_factory=list)  # program-level
    phases: list[FilePhase] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_program_name(value)

    @model_validator(mode="after")
    def _consistent(self) -> ProgramFile:
        """Cross-entry rules, each reported at the entry that breaks it (file, field
        phases.1.number: Phase 1 already exists for this program)."""
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        seen: set[int] = set()
        for i, phase in enumerate(self.phases):
            if phase.number in seen:  # the spec's wording
                problems.append(
                    (
                        ("phases", i, "number"),
                        f"Phase {phase.number} already exists for this program",
                        phase.number,
                    )
                )
            seen.add(phase.number)
        known = {p.number for p in self.phases}
        for i, phase in enumerate(self.phases):
            for pre in phase.prerequisites:
                if pre not in known:
                    problems.append(
                        (
                            ("phases", i, "prerequisites"),
                            f"phase {phase.number} lists prerequisite phase {pre}, which the file does not define",
                            pre,
                        )
                    )
        names: set[str] = set()
        for i, d in enumerate(self.requirement_definitions):
            if d.name.casefold() in names:
                problems.append(
                    (
                        ("requirement_definitions", i, "name"),
                        f"requirement definition '{d.name}' appears twice",
                        d.name,
                    )
                )
            names.add(d.name.casefold())
        if problems:
            raise ValidationError.from_exception_data(
                "ProgramFile",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("program_file", msg), loc=loc, input=got
                    )
                    for loc, msg, got in problems
                ],
            )
        return self
