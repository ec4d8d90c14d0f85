"""Enrollment input: one row of an enrollment CSV (`trainctl enroll bulk --csv`).

The member is named by the first non-empty of the columns member (id, email, badge or name),
email, badge and id, in that order; `name` is there for the reader and ignored;
`target_date` is an ISO date (YYYY-MM-DD), checked like every date a person types.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from trainctl.domain.periods import MAX_YEAR, MIN_YEAR
from trainctl.domain.sheet import check_text
from trainctl.domain.text import visible
from trainctl.schemas.members import email_text, parse_date

MEMBER_COLUMNS = ("member", "email", "badge", "id")  # the columns that name a member
CSV_COLUMNS = (*MEMBER_COLUMNS, "name", "target_date")


def enrollment_day(day: date | None) -> date | None:
    """The one check of an enrollment day or target date (the CSV's target_date column,
    `--target-date` and `--as-of` of `enroll add/bulk`): within the calendar trainctl
    reports on, so a deadline counted from it never falls off the calendar."""
    if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(
            f"{day} is out of range: enrollments fall between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31"
        )
    return day


def _cell(value: object) -> object:
    """A cell that names a member: typed text, as member and record imports take theirs
    (sheet.check_text): an ESC sequence or a direction override is refused with its line
    and column, never echoed to the terminal in the table of results."""
    return check_text(value) if isinstance(value, str) and value else value


Cell = Annotated[str | None, BeforeValidator(_cell)]

# an address as a mail program writes it: "Lee Park <lpark@fd.example>", "mailto:lpark@fd.example"
_WRITTEN_BY_MAIL = re.compile(r"(?:.*<\s*([^<>\s]+@[^<>\s]+?)\s*>|mailto:(\S+@\S+))\s*", re.IGNORECASE)


def _email_cell(value: object) -> object:
    """An email column's cell: an e-mail address, by the rule of a member's e-mail
    (schemas.members.email_text), kept as written (the lookup folds case). A cell that is
    no address was looked up, named nobody, and its hint offered `member add --email
    'Lee Park <lpark@fd.example>'` for a member on file; an address as a mail program
    writes it is refused naming the address to give."""
    value = _cell(value)
    if not isinstance(value, str) or not value.strip():
        return value
    try:
        email_text(visible(value))  # (a zero-width space pasted with it is no part of it)
    except ValueError:
        if found := _WRITTEN_BY_MAIL.fullmatch(visible(value)):
            raise ValueError(
                f"is not an email address alone: give the address, {found.group(1) or found.group(2)}"
            ) from None
        raise
    return value


EmailCell = Annotated[str | None, BeforeValidator(_email_cell)]


class EnrollmentCsvRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member: Cell = None
    email: EmailCell = None
    badge: Cell = None
    id: Cell = None
    name: Cell = None  # for whoever reads the file
    target_date: Annotated[
        date | None, BeforeValidator(parse_date), AfterValidator(enrollment_day)
    ] = None

    def reference(self) -> tuple[str, str]:
        """(column, value) of the first column that names the member; ("member", "") if none."""
        return next(iter(self.references()), ("member", ""))

    def references(self) -> list[tuple[str, str]]:
        """(column, value) of every column that names the member, in column order."""
        return [(c, v) for c in MEMBER_COLUMNS if (v := getattr(self, c))]
