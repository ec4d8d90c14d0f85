"""Course input: CourseCreate / CourseUpdate (the CLI's options and `course import` rows).

- code: optional, at most 40 characters, unique (case and spaces aside);
- name: required; training_type, category (topic): optional text;
- duration_hours, credit_hours: 0 to MAX_RECORD_HOURS, plain decimals;
- prerequisites: course references (code, name or id), resolved by the service;
- expiration_months: 1 to 600 (what a record of it is valid for); self_paced: yes/no.
Text cells follow domain/text.py (no control characters, not only invisible characters).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from trainctl.domain import amounts, sheet
from trainctl.domain.records import MAX_RECORD_HOURS
from trainctl.schemas.text import clean_name


def _text(limit: int):
    def check(value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return sheet.check_text(value, limit=limit) if value else None
        return value

    return check


def _name(value: Any) -> Any:
    """A course's name, read as a member's or a requirement's is (schemas/text.clean_name:
    no zero-width space pasted from a web page, a no-break space as a space), then as
    every text cell: "Live\u00a0Fire\u200b" is the course "Live Fire", not a second one."""
    return _text(200)(clean_name(value))


def _hours(value: Any) -> Any:
    if isinstance(value, str):
        return sheet.parse_hours(value, maximum=MAX_RECORD_HOURS) if value.strip() else None
    return value


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        return sheet.parse_bool(value) if value.strip() else None
    return value


def _int(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:  # the one rule of a typed whole number: "١٢" (Arabic digits) was read as 12
            return amounts.read_whole(text)
        except amounts.NotANumber:
            raise ValueError("is not a whole number of months") from None
    return value


def _refs(value: Any) -> Any:
    if isinstance(value, str):
        return [p.strip() for p in value.replace(";", "|").replace(",", "|").split("|") if p.strip()]
    return value


Code = Annotated[str | None, BeforeValidator(_text(40))]
Name = Annotated[str, BeforeValidator(_name), Field(min_length=1)]
Label = Annotated[str | None, BeforeValidator(_text(100))]
Hours = Annotated[
    Annotated[float, Field(ge=0, le=MAX_RECORD_HOURS, allow_inf_nan=False)] | None,
    BeforeValidator(_hours),
]
Months = Annotated[Annotated[int, Field(ge=1, le=600)] | None, BeforeValidator(_int)]
Flag = Annotated[bool | None, BeforeValidator(_bool)]
Refs = Annotated[list[Annotated[str, BeforeValidator(_text(200))]], BeforeValidator(_refs)]

FIELDS = (
    "code", "name", "training_type", "category", "duration_hours", "credit_hours",
    "prerequisites", "expiration_months", "self_paced",
)  # fmt: skip


class CourseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code = None
    name: Name
    training_type: Label = None
    category: Label = None
    duration_hours: Hours = None
    credit_hours: Hours = None
    prerequisites: Refs = Field(default_factory=list)
    expiration_months: Months = None
    self_paced: Flag = False


class CourseUpdate(BaseModel):
    """Only the fields set change (`model_dump(exclude_unset=True)`); None clears."""

    model_config = ConfigDict(extra="forbid")

    code: Code = None
    name: Annotated[str | None, BeforeValidator(_name)] = None
    training_type: Label = None
    category: Label = None
    duration_hours: Hours = None
    credit_hours: Hours = None
    prerequisites: Refs | None = None
    expiration_months: Months = None
    self_paced: Flag = None
