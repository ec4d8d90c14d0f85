"""Department settings on the write side: reads go through queries/settings.py (one rule)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from trainctl.errors import BadInputError
from trainctl.models import Setting
from trainctl.queries import reader_of
from trainctl.queries import settings as q
from trainctl.queries.settings import DEFAULTS, zone


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


def day_of(session: Session, instant: datetime) -> date:
    """The department's calendar date of a UTC instant (queries/settings.day_of)."""
    session.flush()
    return q.day_of(reader_of(session), instant)


def today(session: Session, as_of: date | None = None) -> date:
    """The department's calendar date (its timezone), or the --as-of date."""
    if as_of is not None:
        return as_of
    session.flush()
    return q.today(reader_of(session))


def self_reporting_enabled(session: Session) -> bool:
    return get_setting(session, "self_reporting") == "on"


# ------------------------------------------------------------------------- trainctl config
def check_setting(key: str, value: str) -> str:
    """The value `trainctl config set KEY VALUE` stores (normalised), or an error naming
    the field. An empty value returns the setting to its default."""
    from trainctl.domain.text import problem
    from trainctl.errors import UsageError
    from trainctl.queries.settings import PASSWORD_ENV, SECURITY

    if key == "smtp.password":
        raise BadInputError(
            "trainctl never stores the mail server password.",
            f"Set it in the environment of the cron job: {PASSWORD_ENV}=... .",
        )
    if key not in DEFAULTS:
        raise UsageError(
            f"Unknown setting {key!r}.", "`trainctl config show` lists the settings."
        )
    value = value.strip()
    if not value:
        return ""
    why = problem(value)
    if why:
        raise BadInputError(f"{key}: the value {why}.")
    if key == "timezone":
        zone(value)
    elif key in ("self_reporting", "nremt.local_content") and value not in ("on", "off"):
        raise BadInputError(f"{key} is 'on' or 'off'.")
    elif key == "smtp.port" and not (value.isascii() and value.isdigit() and 0 < int(value) < 65536):
        raise BadInputError(
            f"smtp.port: {value!r} is not a port number.", "Give a number from 1 to 65535, e.g. 587."
        )
    elif key == "smtp.security" and value not in SECURITY:
        raise BadInputError(
            f"smtp.security: {value!r} is not one of {', '.join(SECURITY)}.",
            "starttls (port 587) or tls (port 465) verify the server's certificate; none is for "
            "a relay on this machine.",
        )
    elif key == "smtp.host":
        _check_host(value)
    elif key == "smtp.sender":
        from trainctl.domain.mail import parse_sender

        parse_sender(value)
    elif key == "smtp.cafile":
        from pathlib import Path

        if not Path(value).expanduser().is_file():
            raise BadInputError(f"smtp.cafile: no file {value!r}.", "Give the path of a PEM file.")
        value = str(Path(value).expanduser().absolute())
    return value


def _check_host(value: str) -> None:
    """A host name or address, nothing else: a login typed into it (user:password@host)
    would store a secret in the database and print it in `config show`; a port or a URL
    scheme would be looked up as part of the name and fail at 2 a.m. in cron."""
    from trainctl.queries.settings import PASSWORD_ENV

    if "@" in value:
        raise BadInputError(
            "smtp.host: give the server's name alone; the login does not go in it.",
            f"Set the login name with `trainctl config set smtp.user NAME` and the password in "
            f"the environment ({PASSWORD_ENV}); trainctl never stores it.",
        )
    name, colon, port = value.rpartition(":")
    bracketed = name.startswith("[") and name.endswith("]")  # [2001:db8::25]:587
    if colon and port.isascii() and port.isdigit() and (name.count(":") == 0 or bracketed):
        host = name.strip("[]") if bracketed else name
        raise BadInputError(
            f"smtp.host: {value!r} names a port.",
            f"Set the host alone{f' ({host})' if host else ''} and the port with "
            f"`trainctl config set smtp.port {port}`.",
        )
    if value.endswith(":") and not value.endswith("::"):  # 'localhost:': a port left out
        raise BadInputError(f"smtp.host: {value!r} is not a host name.", "e.g. smtp.example.org")
    if any(c.isspace() for c in value) or "/" in value:
        raise BadInputError(f"smtp.host: {value!r} is not a host name.", "e.g. smtp.example.org")
    # the parts between dots as the resolver takes them (the socket module encodes the name
    # with the "idna" codec before it looks it up, and raised UnicodeError on each send)
    from trainctl.schemas import echo

    shown = echo(value)
    for label in value.removesuffix(".").split("."):
        if not label:
            raise BadInputError(
                f"smtp.host: {shown} has an empty part between dots.", "e.g. smtp.example.org"
            )
        if len(label) > 63:
            raise BadInputError(
                f"smtp.host: {shown} has a part of {len(label)} characters between dots; a "
                "host name's parts are at most 63.",
                "e.g. smtp.example.org",
            )
    try:
        value.encode("idna")
    except UnicodeError as exc:  # a name that is not ASCII and cannot be looked up
        raise BadInputError(
            f"smtp.host: {shown} is not a host name ({exc}).", "e.g. smtp.example.org"
        ) from None


def configure(session: Session, key: str, value: str) -> str:
    """`trainctl config set`: validated, stored (empty: back to the default)."""
    value = check_setting(key, value)
    if value == "":
        row = session.get(Setting, key)
        if row is not None:
            session.delete(row)
        session.flush()
        if key == "nremt.local_content":
            _remeasure_hours(session)
        return DEFAULTS[key]
    set_setting(session, key, value)
    if key == "nremt.local_content":
        _remeasure_hours(session)
    return value


def _remeasure_hours(session: Session) -> None:
    """The NCCP flow-on rule changed: program progress re-measures every hours requirement
    linked into a program, in this transaction, so enrollments agree with compliance at
    once (only rows whose figure moved are rolled up: services/progress remeasure)."""
    from trainctl.queries import reader_of
    from trainctl.services.progress import remeasure_requirements

    session.flush()
    ids = reader_of(session).column(
        "SELECT DISTINCT pr.requirement_id FROM program_requirement pr "
        "JOIN requirement r ON r.id = pr.requirement_id WHERE r.requirement_type = 'hours' "
        "ORDER BY pr.requirement_id"
    )
    remeasure_requirements(session, ids)
