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
    "nremt.local_content": "on",
    "smtp.host": "",
    "smtp.port": "",
    "smtp.security": "starttls",
    "smtp.user": "",
    "smtp.sender": "",
    "smtp.cafile": "",
}
# What `trainctl config show` says about each setting.
DESCRIPTIONS = {
    "timezone": "the department's timezone: what 'today' is (env TRAINCTL_TIMEZONE wins)",
    "self_reporting": "on: members may report their own progress (an officer verifies it)",
    "nremt.local_content": "on: the department or state sets NREMT local content; off: local "
    "hours beyond the local minimum flow on to the individual component",
    "smtp.host": "mail server for `reminders send` (empty: not configured)",
    "smtp.port": "its port (empty: 587 for starttls, 465 for tls, 25 for none)",
    "smtp.security": "starttls, tls (implicit TLS) or none (a local relay only)",
    "smtp.user": "login name (empty: no login); the password only from TRAINCTL_SMTP_PASSWORD",
    "smtp.sender": "From address of reminders, e.g. Training Office <training@fd.example>",
    "smtp.cafile": "a CA bundle for a private mail server certificate (empty: the system's)",
}
SECURITY = ("starttls", "tls", "none")
PASSWORD_ENV = "TRAINCTL_SMTP_PASSWORD"


def get_setting(rd: Reader, key: str) -> str:
    value = rd.scalar("SELECT value FROM setting WHERE key = :key", {"key": key})
    return value if value is not None else DEFAULTS.get(key, "")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        near = _zones_named(name)
        offer = f" Did you mean {' or '.join(near)}?" if near else ""
        raise BadInputError(
            f"Unknown timezone {name!r}.{offer}", "Use an IANA name such as America/Chicago or Europe/Berlin."
        ) from None


def _zones_named(name: str) -> list[str]:
    """The IANA zones a name that is none means, as people type it: the city alone
    ("Denver": America/Denver, "new york": America/New_York) or the whole name in another
    case ("america/denver"). Read only when the name is refused."""
    from zoneinfo import available_timezones

    key = "_".join(name.split()).casefold()
    if not key:
        return []
    found = sorted(z for z in available_timezones() if key in (z.casefold(), z.rsplit("/", 1)[-1].casefold()))
    return found[:3]


def department_zone(rd: Reader) -> ZoneInfo:
    return zone(os.environ.get("TRAINCTL_TIMEZONE") or get_setting(rd, "timezone"))


def today(rd: Reader, as_of: date | None = None) -> date:
    """The department's calendar date (its timezone), or the --as-of date."""
    if as_of is not None:
        return as_of
    return day_of(rd, datetime.now(UTC))


def day_of(rd: Reader, instant: datetime) -> date:
    """The department's calendar date of a UTC instant (its timezone): a void at 21:00 in
    New York on 4 December is of the 4th, though UTC has it on the 5th."""
    return instant.astimezone(department_zone(rd)).date()


def nremt_local_content(rd: Reader) -> bool:
    """Whether the department (or its state) sets the NCCP local/state content: when it
    does not ("off"), local hours beyond the local minimum flow on to the individual
    component (domain/progress.py `nccp_flow`)."""
    return get_setting(rd, "nremt.local_content") != "off"


def self_reporting_enabled(rd: Reader) -> bool:
    return get_setting(rd, "self_reporting") == "on"


def all_settings(rd: Reader) -> list[tuple[str, str, bool, str]]:
    """(key, value, is the default, description) of every known setting, in order."""
    stored = dict(rd.all("SELECT key, value FROM setting"))
    return [
        (key, stored.get(key, default), key not in stored, DESCRIPTIONS.get(key, ""))
        for key, default in DEFAULTS.items()
    ]
