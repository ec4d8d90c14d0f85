"""Member input and output: MemberCreate / MemberUpdate / MemberRead, position codes.

Everything a person types about a member (CLI options or a CSV cell) goes through these
models, so the rules hold everywhere:
- name: required, not blank; email: required, a plausible address, stored lower-case;
- badge: optional (blank = none), at most 40 characters;
- positions: codes such as ``firefighter`` or ``driver_candidate`` (checked against the
  ``position`` table by the service, since a department may add its own);
- role officer|member, status active|inactive;
- hire_date / certification_date: YYYY-MM-DD or M/D/YYYY, as every file's dates
  (domain.sheet.parse_date). Impossible dates are refused with the reason (2025-02-29:
  2025 is not a leap year).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
)

from trainctl.domain.periods import MAX_YEAR, MIN_YEAR
from trainctl.domain.positions import known_positions, position_code, split_positions
from trainctl.domain.sheet import parse_date as sheet_date
from trainctl.domain.text import problem as text_problem
from trainctl.errors import BadInputError
from trainctl.schemas.text import clean_name

Role = Literal["officer", "member"]
Status = Literal["active", "inactive"]

# An address as a roster writes it: dot-separated atoms of letters (any script), digits and
# RFC 5322's atom symbols before the @, dot-separated host labels after it. Nothing that
# would break a To: header or read as two addresses ("x@fd.example,", "<x@y.example>",
# quoted local parts); the mail server judges the rest.
_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
POSITION_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Separators between several positions in one cell or option value.


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value and (why := text_problem(value)) is not None:
        raise ValueError(why)
    return value


def _name(value: Any) -> Any:
    value = clean_name(value)  # (schemas/text: as a requirement's name is read)
    if isinstance(value, str) and not value:
        raise ValueError("must not be blank")
    return value


def email_text(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        if not value:
            raise ValueError("must not be blank")
        # judged with the marks of scripts that need them (Devanagari, Thai; an é that macOS
        # or Excel writes decomposed) read as letters; stored as given, as before (the
        # lookups compare what is stored)
        # (an ASCII address is its own probe: no marks, and NFC leaves it as it is; the
        # per-character walk cost 40 us a row, most of a 100,000-row roster's checking)
        probe = value if value.isascii() else "".join(
            "a" if unicodedata.category(ch).startswith("M") or ch in "\u200c\u200d" else ch
            for ch in unicodedata.normalize("NFC", value))  # fmt: skip
        if not _EMAIL.fullmatch(probe) or ".." in value:
            raise ValueError("is not an email address (expected name@example.org)")
        return value.lower()
    return value


def _badge(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    value = _text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and any(ch.isspace() for ch in value):
        raise ValueError("must not contain spaces")
    return value


def parse_date(value: Any) -> date | None:
    """A date in a roster, an enrollment file or an option: the rule of every file's dates
    (domain.sheet.parse_date: YYYY-MM-DD or M/D/YYYY, with the reason when the day does not
    exist). A blank is None."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date written YYYY-MM-DD")
    text = value.strip()
    if not text:
        return None
    try:  # an ISO day as it is (its range is the caller's to judge: enrollment_day)
        return date.fromisoformat(text) if len(text) == 10 else sheet_date(text)
    except ValueError:
        return sheet_date(text)  # M/D/YYYY, or why the day does not exist


def _check_code(code: str) -> str:
    if not POSITION_CODE.fullmatch(code):
        raise ValueError(
            f"{code!r} is not a position code (letters, digits and _, starting with a letter, at most 40)"
        )
    return code


def _positions(value: Any, info: ValidationInfo) -> Any:
    """Split and normalise; with context={"positions": known codes}, unknown codes are refused."""
    if value is None or isinstance(value, str | list | tuple):
        known = (info.context or {}).get("positions")
        split = split_positions(value, known or ())
        for c in split:  # "Firefighter/EMT": two positions, not a malformed code
            if known and not POSITION_CODE.fullmatch(c) and (parts := known_positions(known).run_together(c)):
                raise ValueError(
                    f"{c!r} is {len(parts)} positions run together: separate them with | "
                    f"({'|'.join(parts)})"
                )
        codes = [_check_code(c) for c in split]
        given = value if isinstance(value, str) else " ".join(map(str, value or ()))
        if not codes and given.strip():  # "|" alone: no position, not "none of them"
            raise ValueError(
                f"{given.strip()!r} names no position: give position codes, or leave it empty "
                "to keep the member's positions as they are"
            )
        if known is not None:
            unknown = [c for c in codes if c not in known]
            if unknown:
                near = known_positions(known)
                raise ValueError(
                    f"unknown position{'s' if len(unknown) > 1 else ''} "
                    + ", ".join(repr(c) + (f" (did you mean {m}?)" if (m := near.closest(c)) else "")
                                for c in unknown)
                )  # fmt: skip
        return codes
    return value


def _code(value: Any) -> Any:
    return _check_code(position_code(value)) if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    value = _text(value)
    return value.lower() if isinstance(value, str) else value


Name = Annotated[str, BeforeValidator(_name), Field(max_length=200)]
Email = Annotated[str, BeforeValidator(email_text), Field(max_length=254)]
Badge = Annotated[Annotated[str, Field(max_length=40)] | None, BeforeValidator(_badge)]
Positions = Annotated[list[str], BeforeValidator(_positions)]
RoleIn = Annotated[Role, BeforeValidator(_lower)]
StatusIn = Annotated[Status, BeforeValidator(_lower)]
def _member_day(value: date | None) -> date | None:
    """A hire or certification date the department's windows can be reckoned from: a
    placeholder such as 9999-12-31 would put a window past the last day there is."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(
            f"year {value.year} is out of range ({MIN_YEAR}-{MAX_YEAR}); leave it blank when "
            "the date is unknown"
        )
    return value


DateIn = Annotated[date | None, BeforeValidator(parse_date), AfterValidator(_member_day)]

M = TypeVar("M", bound=BaseModel)

FIELDS = (
    "name",
    "email",
    "badge",
    "positions",
    "role",
    "status",
    "hire_date",
    "certification_date",
)


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email
    badge: Badge = None
    positions: Positions = Field(default_factory=list)
    role: RoleIn = "member"
    status: StatusIn = "active"
    hire_date: DateIn = None
    certification_date: DateIn = None


class StatusSince(BaseModel):
    """A roster row's `status_since` (`member list -f csv` writes it): the day the row's
    status took effect, read as every file's dates."""

    model_config = ConfigDict(extra="forbid")

    status_since: DateIn = None


class MemberUpdate(BaseModel):
    """Only the fields that are set change (applied with model_dump(exclude_unset=True)).

    Setting badge, hire_date or certification_date to None (or "") clears it.
    """

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: Email | None = None
    badge: Badge = None
    positions: Positions | None = None
    role: RoleIn | None = None
    status: StatusIn | None = None
    hire_date: DateIn = None
    certification_date: DateIn = None


class MemberRead(BaseModel):
    """The stable JSON shape of a member (keys in this order, ISO dates)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    badge: str | None
    positions: list[str]
    role: str
    status: str
    hire_date: date | None
    certification_date: date | None
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None


class PositionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, BeforeValidator(_code)]
    name: Name


def validated(
    model: type[M],
    data: dict[str, Any],
    where: str,
    *,
    positions: Iterable[str] | None = None,
    what: str = "member data",
    options: Mapping[str, str] | None = None,
) -> M:
    """Validate `data` or raise BadInputError listing every problem as '<where>, field F: ...'
    (or '--option: ...' for a field in `options`, the command's option for it)."""
    context = {"positions": known_positions(positions)} if positions is not None else None
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        from trainctl.schemas import describe_errors

        details = describe_errors(exc, where, options)
        raise BadInputError(
            f"Invalid {what} ({len(details)} problem{'s' if len(details) > 1 else ''}).",
            " ".join([*member_hints(details), "Fix the values named above and run the command again."]),
            details=details,
        ) from None


def member_hints(details: Iterable[str]) -> list[str]:
    """A hint for each kind of problem among `details` that has one (positions, dates):
    a file with several kinds showed only the positions hint."""
    details = list(details)
    hints = [h for h in (position_hint(details),) if h]
    if any("is not a date" in d or "year " in d for d in details):
        hints.append("Write dates as YYYY-MM-DD (or M/D/YYYY, US).")
    return hints


def position_hint(details: Iterable[str]) -> str | None:
    if any("unknown position" in d for d in details):
        return (
            "`trainctl member positions` lists the positions; "
            "`trainctl member add-position CODE --name NAME` adds a department position."
        )
    return None
