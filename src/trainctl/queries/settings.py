"""Department settings (`setting` table) and the department's "today", on the read side.

The write side reads them through the same functions (services/settings.py).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trainctl.errors import BadInputError
from trainctl.queries import Reader

TABLES = {"setting": ("key", "value")}
DEFAULTS = {
    "timezone": "UTC",
    "self_reporting": "off",
}


def get_setting(rd: Reader, key: str) -> str:
    value = rd.scalar("SELECT value FROM setting WHERE key = :key", {"key": key})
    return value if value is not None else DEFAULTS.get(key, "")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInputError(
            f"Unknown timezone {name!r}.", "Use an IANA name such as America/Chicago or Europe/Berlin."
        ) from None


def department_zone(rd: Reader) -> ZoneInfo:
    return zone(os.environ.get("TRAINCTL_TIMEZONE") or get_setting(rd, "timezone"))


def today(rd: Reader, as_of: date | None = None) -> date:
    """The department's calendar date (its timezone), or the --as-of date."""
    if as_of is not None:
        return as_of
    return datetime.now(UTC).astimezone(department_zone(rd)).date()


def self_reporting_enabled(rd: Reader) -> bool:
    return get_setting(rd, "self_reporting") == "on"
