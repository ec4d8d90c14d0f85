"""Department settings stored in the database (`setting` table) and the department's today."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from trainctl.errors import BadInputError
from trainctl.models import Setting

DEFAULTS = {
    "timezone": "UTC",
    "self_reporting": "off",
}


def get_setting(session: Session, key: str) -> str:
    row = session.get(Setting, key)
    return row.value if row is not None else DEFAULTS.get(key, "")


def set_setting(session: Session, key: str, value: str) -> None:
    if key == "timezone":
        zone(value)
    if key == "self_reporting" and value not in ("on", "off"):
        raise BadInputError("self_reporting is 'on' or 'off'.")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInputError(
            f"Unknown timezone {name!r}.", "Use an IANA name such as America/Chicago or Europe/Berlin."
        ) from None


def department_zone(session: Session) -> ZoneInfo:
    return zone(os.environ.get("TRAINCTL_TIMEZONE") or get_setting(session, "timezone"))


def today(session: Session, as_of: date | None = None) -> date:
    """The department's calendar date (its timezone), or the --as-of date."""
    if as_of is not None:
        return as_of
    return datetime.now(UTC).astimezone(department_zone(session)).date()


def self_reporting_enabled(session: Session) -> bool:
    return get_setting(session, "self_reporting") == "on"
