"""Requirement schemas: RequirementCreate / RequirementUpdate / RequirementRead.

Every field of the spec's TrainingRequirement, as modelled in models.Requirement. Shapes of
the JSON fields (other areas rely on them):

- `required_courses`: course codes (strings) for `courses`; for `certification` they are
  the course codes that also satisfy it, next to `credential_code`.
- `required_skills`, `checklist_items`: distinct non-empty strings.
- `hour_categories` (hours only): a list of
  `{"name", "min_hours", "max_hours", "distributive_max_hours", "topics": [{"name", "min_hours"}]}`
  e.g. the NREMT NCCP national / local / individual components with topic minimums and
  distributive-education caps. `min_hours`, `max_hours` and `distributive_max_hours` may
  be null (no minimum / no cap).
- What counts (the credit feed; domain/credit.py has the table): `counts_courses`,
  `counts_training_types`, `counts_categories` (hours: training records that count),
  `counts_attendance` (hours: shift hours; shifts requirements always count attendance),
  `counts_call_types` (calls: only these call types; empty = every call).
- `frequency`: annual | biennial | quarterly | monthly | one_time | rolling; "biannual" is
  accepted as an alias of biennial (every 24 months, as in the spec's data) and stored as
  "biennial". `period_months` is required for rolling; on a one-time requirement anchored
  to a member's date it closes the window after that many months; refused otherwise.

Cross-field rules (per requirement type) live in `check_requirement`, shared by create,
update (after merging) and the registry import.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from trainctl.domain.amounts import MAX_AMOUNT
from trainctl.domain.text import a_or_an, code_text
from trainctl.domain.vocabulary import (
    FREQUENCIES,
    PERIOD_ANCHORS,
    REQUIREMENT_SOURCES,
    REQUIREMENT_TYPES,
)
from trainctl.schemas import figure
from trainctl.schemas.text import Line, Lines, clean_name

RequirementType = Literal[
    "hours", "courses", "certification", "shifts", "calls", "skills_evaluation", "checklist"
]  # fmt: skip
Source = Literal["department", "state", "national"]
Frequency = Literal["annual", "biennial", "quarterly", "monthly", "one_time", "rolling"]
PeriodAnchor = Literal["calendar", "hire_date", "certification_date"]

assert set(RequirementType.__args__) == set(REQUIREMENT_TYPES)  # type: ignore[attr-defined]
assert set(Source.__args__) == set(REQUIREMENT_SOURCES)  # type: ignore[attr-defined]
assert set(Frequency.__args__) == set(FREQUENCIES)  # type: ignore[attr-defined]
assert set(PeriodAnchor.__args__) == set(PERIOD_ANCHORS)  # type: ignore[attr-defined]

FREQUENCY_ALIASES = {
    "biannual": "biennial",
    "one-time": "one_time",
    "onetime": "one_time",
    "yearly": "annual",
}

# The target field(s) each type uses; any other target field is refused for that type.
TYPE_TARGETS: dict[str, tuple[str, ...]] = {
    "hours": ("required_hours", "hour_categories"),
    "shifts": ("required_shifts",),
    "calls": ("required_calls",),
    "courses": ("required_courses",),
    "certification": ("credential_code", "required_courses"),
    "skills_evaluation": ("required_skills",),
    "checklist": ("checklist_items",),
}
# The "what counts" fields and the requirement types they apply to.
COUNTS_APPLY: dict[str, tuple[str, ...]] = {
    "counts_courses": ("hours",),
    "counts_training_types": ("hours",),
    "counts_categories": ("hours",),
    "counts_attendance": ("hours",),
    "counts_call_types": ("calls",),
}
TARGET_FIELDS = (
    "required_hours", "required_shifts", "required_calls", "required_courses",
    "credential_code", "required_skills", "checklist_items", "hour_categories",
)  # fmt: skip
# Upper bounds: sane figures that also keep every number within a database integer.
UPPER_LIMITS = {"required_hours": MAX_AMOUNT, "required_shifts": MAX_AMOUNT, "required_calls": MAX_AMOUNT, "time_limit_days": 36_500,
                "period_months": 1_200}  # fmt: skip
_EMPTY: dict[str, Any] = {
    "required_courses": [], "required_skills": [], "checklist_items": [], "hour_categories": [],
}  # fmt: skip


def _frequency(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip().lower()
        return FREQUENCY_ALIASES.get(v, v)
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _code(value: Any) -> Any:
    """A registry's name or an entry's code, read as every code is (domain.text.code_text:
    no zero-width space pasted from a web page, a typographic dash as '-'): "NFPA" and
    "NFPA" + U+200B are one registry, as they print the same."""
    return code_text(value).strip() if isinstance(value, str) else value


FrequencyIn = Annotated[Frequency, BeforeValidator(_frequency)]
# Lengths as the other catalogs have them (a member's, course's, program's or skill's name
# 200, a course or card code 40, a program's description 4,000): a requirement's name heads
# a column of the compliance matrix and a reminder's subject line. Registries' longest:
# a name of 64, a code of 19, a source document of 235, a description of 329.
Text = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=500), Line]
LongText = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=4000), Line]  # a registry's own
# A requirement's name, read as a member's is (schemas/text.clean_name): "CPR" and "CPR" +
# a zero-width space pasted from a web page are one requirement.
Name = Annotated[str, BeforeValidator(clean_name), Field(min_length=1, max_length=200), Line]
Code = Annotated[str, BeforeValidator(_code), Field(min_length=1, max_length=40), Line]
Description = Annotated[str, Field(max_length=4000), Lines]
PositionCode = Annotated[str, BeforeValidator(_lower), Field(min_length=1, max_length=40)]
# a figure of hours, read by the one rule of a typed number (schemas.figure)
Figure = BeforeValidator(figure)
Hours = Annotated[float, Field(ge=0, allow_inf_nan=False), Figure]


def _distinct(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for v in values:
        key = v.casefold()
        if key in seen:
            raise ValueError(f"{what} {v!r} is listed twice")
        seen.add(key)
    return values


class HourTopic(BaseModel):
    """A topic minimum inside a category (e.g. NREMT national component: airway 1.5 h)."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    min_hours: Annotated[float, Field(gt=0, allow_inf_nan=False), Figure]


class HourCategory(BaseModel):
    """A component of an hours requirement with an optional minimum, cap and distributive cap."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    min_hours: Hours | None = None
    max_hours: Annotated[float, Field(gt=0, allow_inf_nan=False), Figure] | None = None
    distributive_max_hours: Hours | None = None
    topics: list[HourTopic] = Field(default_factory=list)

    @field_validator("topics")
    @classmethod
    def _topics_distinct(cls, topics: list[HourTopic]) -> list[HourTopic]:
        _distinct([t.name for t in topics], "topic")
        return topics

    def problems(self) -> list[str]:
        out = []
        if (
            self.min_hours is not None
            and self.max_hours is not None
            and self.min_hours > self.max_hours
        ):
            out.append(
                f"category {self.name!r}: min_hours {self.min_hours:g} exceeds max_hours {self.max_hours:g}"
            )
        topics = sum(t.min_hours for t in self.topics)
        if self.topics and self.min_hours is not None and topics > self.min_hours + 1e-9:
            out.append(
                f"category {self.name!r}: topic minimums add up to {topics:g} h, more than the "
                f"category's min_hours {self.min_hours:g}"
            )
        if self.topics and self.max_hours is not None and topics > self.max_hours + 1e-9:
            out.append(
                f"category {self.name!r}: topic minimums add up to {topics:g} h, more than max_hours {self.max_hours:g}"
            )
        ceiling = self.max_hours if self.max_hours is not None else None
        if (
            self.distributive_max_hours is not None
            and ceiling is not None
            and self.distributive_max_hours > ceiling
        ):
            out.append(
                f"category {self.name!r}: distributive_max_hours {self.distributive_max_hours:g} "
                f"exceeds max_hours {ceiling:g}"
            )
        return out


Positions = list[PositionCode]
Names = list[Text]


def _month_day(value: Any) -> Any:
    """A cycle end as stored, "MM-DD" ("3-31" and " 03-31 " too); a day that exists in a
    leap year (29 February ends on 28 February in a common year)."""
    if not isinstance(value, str):
        return value
    from trainctl.domain.periods import MonthDay

    text = value.strip()
    month, sep, day = text.partition("-")
    try:
        if not sep or not (month.isascii() and day.isascii() and month.isdigit() and day.isdigit()):
            raise ValueError
        md = MonthDay(int(month), int(day))
    except ValueError:
        raise ValueError("must be a month and day as MM-DD, e.g. 03-31") from None
    if (md.month, md.day) == (2, 29):  # a cycle ends on the same day every year
        raise ValueError("29 February is not in every year: end the cycle on 02-28 or 03-01")
    return f"{md.month:02d}-{md.day:02d}"


CycleEnd = Annotated[str, BeforeValidator(_month_day)]


class _Fields(BaseModel):
    """Shared field definitions (all optional here; Create makes some required)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator(
        "aliases", "required_courses", "required_skills", "checklist_items", "counts_courses",
        "counts_training_types", "counts_categories", "counts_call_types", check_fields=False,
    )
    @classmethod
    def _no_repeats(cls, values: list[str] | None, info: Any) -> list[str] | None:
        if values is not None:
            _distinct(values, info.field_name.rstrip("s").replace("_", " "))
        return values

    @field_validator("required_positions", check_fields=False)
    @classmethod
    def _positions_distinct(cls, values: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(values)) if values is not None else None

    @field_validator("hour_categories", check_fields=False)
    @classmethod
    def _categories_distinct(cls, values: list[HourCategory] | None) -> list[HourCategory] | None:
        if values is not None:
            _distinct([c.name for c in values], "hour category")
        return values


class RequirementCreate(_Fields):
    """Input for a new requirement (CLI `requirement add`, registry entries).

    Field types are checked here; cross-field rules by `check_requirement` (the caller runs
    it, so that each problem can be reported with its field)."""

    name: Name
    description: Description | None = None
    requirement_type: RequirementType
    source: Source = "department"
    registry_name: Code | None = None
    registry_code: Code | None = None
    source_document: Text | None = None
    aliases: Names = Field(default_factory=list)
    is_editable: bool = True
    required_hours: Annotated[float, Field(allow_inf_nan=False), Figure] | None = None
    required_shifts: int | None = None
    required_calls: int | None = None
    required_courses: Names = Field(default_factory=list)
    credential_code: Text | None = None
    required_skills: Names = Field(default_factory=list)
    checklist_items: Names = Field(default_factory=list)
    hour_categories: list[HourCategory] = Field(default_factory=list)
    frequency: FrequencyIn = "one_time"
    period_months: int | None = None
    period_anchor: PeriodAnchor = "calendar"
    time_limit_days: int | None = None
    required_positions: Positions = Field(default_factory=list)
    counts_courses: Names = Field(default_factory=list)
    counts_training_types: Names = Field(default_factory=list)
    counts_categories: Names = Field(default_factory=list)
    counts_call_types: Names = Field(default_factory=list)
    counts_attendance: bool = False
    cycle_end: CycleEnd | None = None
    cycle_credential: Text | None = None


class RequirementUpdate(_Fields):
    """A partial change: only the fields set are applied (`model_dump(exclude_unset=True)`).

    Cross-field checks run on the merged result (see services.requirements.edit)."""

    name: Name | None = None
    description: Description | None = None
    requirement_type: RequirementType | None = None
    source: Source | None = None
    registry_name: Code | None = None
    registry_code: Code | None = None
    source_document: Text | None = None
    aliases: Names | None = None
    is_editable: bool | None = None
    required_hours: Annotated[float, Field(allow_inf_nan=False), Figure] | None = None
    required_shifts: int | None = None
    required_calls: int | None = None
    required_courses: Names | None = None
    credential_code: Text | None = None
    required_skills: Names | None = None
    checklist_items: Names | None = None
    hour_categories: list[HourCategory] | None = None
    frequency: FrequencyIn | None = None
    period_months: int | None = None
    period_anchor: PeriodAnchor | None = None
    time_limit_days: int | None = None
    required_positions: Positions | None = None
    counts_courses: Names | None = None
    counts_training_types: Names | None = None
    counts_categories: Names | None = None
    counts_call_types: Names | None = None
    counts_attendance: bool | None = None
    cycle_end: CycleEnd | None = None
    cycle_credential: Text | None = None


class RequirementRead(BaseModel):
    """The stable JSON shape of a requirement (`requirement list/show --format json`)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    requirement_type: str
    source: str
    source_document: str | None
    registry_name: str | None
    registry_code: str | None
    aliases: list[str]
    is_editable: bool
    required_hours: float | None
    required_shifts: int | None
    required_calls: int | None
    required_courses: list[str]
    credential_code: str | None
    required_skills: list[str]
    checklist_items: list[str]
    hour_categories: list[dict[str, Any]]
    frequency: str
    period_months: int | None
    period_anchor: str
    time_limit_days: int | None
    required_positions: list[str]
    counts_courses: list[str]
    counts_training_types: list[str]
    counts_categories: list[str]
    counts_call_types: list[str]
    counts_attendance: bool
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None
    updated_by: int | None
    cycle_end: str | None
    cycle_credential: str | None
    retired_on: date | None = None
    retired_reason: str | None = None


def _num(value: Any) -> int | float | None:
    """A number as given: an int stays an int (float() of a 400-digit --time-limit-days
    raised OverflowError, exit 70, and 10**23 was shown as 1e+23)."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _shown(value: int | float) -> str:
    """A number in a message: a whole number with its digits as typed (its start and length
    when it is long, schemas.echo), a fraction as %g."""
    from trainctl.schemas import echo

    return echo(value) if isinstance(value, int) else f"{value:g}"


def check_requirement(data: dict[str, Any]) -> list[str]:
    """Cross-field rules on a complete requirement (a dict of RequirementCreate fields).

    Returns one message per problem, each naming the field it is about ("field: message")."""
    problems: list[str] = []
    rtype = data.get("requirement_type")

    def bad(field: str, message: str) -> None:
        problems.append(f"{field}: {message}")

    for field in (
        "required_hours",
        "required_shifts",
        "required_calls",
        "time_limit_days",
        "period_months",
    ):
        value = _num(data.get(field))
        if value is not None and value <= 0:
            bad(field, f"must be greater than 0 (got {_shown(value)})")
        elif value is not None and value > UPPER_LIMITS.get(field, math.inf):
            bad(field, f"must be at most {UPPER_LIMITS[field]} (got {_shown(value)})")

    wanted = {
        "hours": ("required_hours", "an hours requirement needs required_hours > 0 (--hours)"),
        "shifts": ("required_shifts", "a shifts requirement needs required_shifts > 0 (--shifts)"),
        "calls": ("required_calls", "a calls requirement needs required_calls > 0 (--calls)"),
        "courses": (
            "required_courses",
            "a courses requirement needs at least one course code (--course)",
        ),
        "skills_evaluation": (
            "required_skills",
            "a skills_evaluation requirement needs at least one skill (--skill)",
        ),
        "checklist": (
            "checklist_items",
            "a checklist requirement needs at least one item (--item)",
        ),
    }
    if rtype in wanted:
        field, message = wanted[rtype]
        flagged = any(p.startswith(f"{field}: ") for p in problems)  # "must be greater than 0"
        if data.get(field) in (None, [], 0) and not flagged:
            bad(field, message)
    if (
        rtype == "certification"
        and not data.get("credential_code")
        and not data.get("required_courses")
    ):
        bad(
            "credential_code",
            "a certification requirement needs a credential code (--credential) or a course code (--course)",
        )

    if rtype in TYPE_TARGETS:
        for field in TARGET_FIELDS:
            if field not in TYPE_TARGETS[rtype] and data.get(field) not in (None, []):
                bad(
                    field,
                    f"does not apply to {a_or_an(rtype)} requirement (it uses {', '.join(TYPE_TARGETS[rtype])})",
                )

    categories = [
        c if isinstance(c, HourCategory) else HourCategory.model_validate(c)
        for c in data.get("hour_categories") or []
    ]
    hours = _num(data.get("required_hours"))
    for c in categories:
        problems.extend(f"hour_categories: {p}" for p in c.problems())
    if categories and hours is not None and hours > 0:
        minimums = sum(c.min_hours or 0 for c in categories)
        if minimums > hours + 1e-9:
            bad(
                "hour_categories",
                f"category minimums add up to {minimums:g} h, more than required_hours {hours:g}",
            )
        for c in categories:
            if c.min_hours is not None and c.min_hours > hours + 1e-9:
                bad(
                    "hour_categories",
                    f"category {c.name!r}: min_hours {c.min_hours:g} exceeds required_hours {hours:g}",
                )
        caps = [c.max_hours for c in categories if c.max_hours is not None]
        if len(caps) == len(categories) and sum(caps) < hours - 1e-9:
            bad(
                "hour_categories",
                f"category caps add up to {sum(caps):g} h, so required_hours {hours:g} can never be met",
            )

    for field, types in COUNTS_APPLY.items():
        if rtype in TYPE_TARGETS and rtype not in types and data.get(field) not in (None, [], False):
            bad(
                field,
                f"does not apply to {a_or_an(rtype)} requirement (it applies to {' and '.join(types)})",
            )

    frequency = data.get("frequency")
    if frequency == "rolling" and not data.get("period_months"):
        bad("period_months", "a rolling requirement needs period_months (--period-months), e.g. 24")
    problems.extend(f"period_months: {m}" for m in months_problems(data))

    if data.get("source") in ("state", "national") and not data.get("source_document"):
        bad(
            "source_document",
            f"{a_or_an(data['source'])} requirement must name its source document and edition (--source-document)",
        )
    if data.get("registry_code") and not data.get("registry_name"):
        bad("registry_name", "a registry_code needs the registry it belongs to (--registry)")
    problems.extend(cycle_problems(data))
    return problems


def months_problems(data: dict[str, Any]) -> list[str]:
    """The rules of `period_months` beyond rolling's need of it, for a requirement however
    it comes (add, edit, a program file): the months of a one-time window are counted from
    a member's date; no other frequency takes them."""
    frequency, months = data.get("frequency"), data.get("period_months")
    if months is None or frequency in (None, "rolling"):
        return []
    if frequency != "one_time":
        return [
            "only applies to rolling requirements, and to one-time ones within N months of "
            f"a member's date (frequency is {frequency}); an edit drops it with "
            "--clear period_months"
        ]
    if (data.get("period_anchor") or "calendar") == "calendar":
        return [
            "a one-time requirement takes period_months only from a member's date: add "
            "--anchor hire_date (e.g. recruit training within 12 months of hire), or on an "
            "edit drop the months with --clear period_months"
        ]
    return []


def cycle_problems(data: dict[str, Any]) -> list[str]:
    """The rules of a fixed cycle ("field: message" each), for a requirement however it
    comes (add, edit, a program file): the cycle recurs, is placed by the member's card or
    certification date, and is a window's, which a certification requirement has not."""
    out = []
    end, frequency, anchor = data.get("cycle_end"), data.get("frequency"), data.get("period_anchor")
    if end and frequency not in (None, "annual", "biennial", "quarterly", "monthly"):
        out.append(f"cycle_end: a fixed cycle end needs a recurring frequency such as biennial "
                   f"(frequency is {frequency}); give one, or no cycle end")  # fmt: skip
    if end and anchor not in (None, "certification_date"):
        out.append(f"cycle_end: a fixed cycle is placed by the member's card or certification date: "
                   f"it needs --anchor certification_date (it is {anchor}), or no cycle end")  # fmt: skip
    if end and data.get("requirement_type") == "certification":
        out.append("cycle_end: does not apply to a certification requirement (the card's expiry decides)")
    if data.get("cycle_credential") and not end:
        out.append("cycle_credential: the card that places a cycle needs the cycle end (--cycle-end MM-DD)")
    return out


def blank_other_targets(data: dict[str, Any], requirement_type: str) -> dict[str, Any]:
    """Targets that do not belong to `requirement_type`, reset (used when the type changes)."""
    keep = TYPE_TARGETS.get(requirement_type, ())
    out = {
        f: _EMPTY.get(f) for f in TARGET_FIELDS if f not in keep and data.get(f) not in (None, [])
    }
    for f, types in COUNTS_APPLY.items():  # what counts goes with the type too
        if requirement_type not in types and data.get(f) not in (None, [], False):
            out[f] = False if f == "counts_attendance" else []
    return out
