"""Department settings on the write side: reads go through queries/settings.py (one rule)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from trainctl.errors import BadInputError
from trainctl.models import Setting
from trainctl.queries import reader_of
from trainctl.queries import settings as q
from trainctl.queries.settings import DEFAULTS, zone  # noqa: F401  (re-exported)


def get_setting(session: Session, key: str) -> str:
    session.flush()
    return q.get_setting(reader_of(session), key)


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


def department_zone(session: Session) -> ZoneInfo:
    session.flush()
    return q.department_zone(reader_of(session))


def today(session: Session, as_of: date | None = None) -> date:
    """The department's calendar date (its timezone), or the --as-of date."""
    if as_of is not None:
        return as_of
    session.flush()
    return q.today(reader_of(session))


def self_reporting_enabled(session: Session) -> bool:
    return get_setting(session, "self_reporting") == "on"
