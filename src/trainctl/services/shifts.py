"""Shifts and calls: `shift add | import`, `call add | import` (writes need training.manage).

These tables are the one source for shift and call counts: a `shifts` requirement counts
attendance rows (1 each), an `hours` requirement that counts attendance takes each
attendance's duration, a `calls` requirement counts responses (of its call types), all
through the credit feed (services/credit_feed.py), never from a figure typed elsewhere.

Natural keys (importing the same file twice, or an overlapping one, adds and credits
nothing twice):
- a shift: shift date + station + shift name (case and spaces aside; "" when not given);
- an attendance: member + shift (so member + shift date + station + shift name);
- a call: its incident number (upper case, spaces folded);
- a response: incident number + member.
A row whose key is on file with the same values is "already recorded"; with other values
(another time out, another call type) it is a problem naming the field: nothing is
changed behind the officer's back. A call's shift date, time and type are kept while it
has a live response; once every response is void (entered with the wrong call), a row
giving other values corrects the call (audited as call.correct, said in
ImportOutcome.corrected) and is entered under them. A call row that leaves out the type or
shift date takes the incident's (another row's, or the call's on file).

Every import checks the whole of every file first (domain/shifts.py per row, then within
the files, then against the database) and writes nothing when any row is bad, unless
`skip_invalid`, which writes the good rows (the command still exits 65). The writes are
set-based: a few SELECTs, INSERT ... ON CONFLICT DO NOTHING in chunks, and each chunk's
new rows fed to the credit feed, whose finish runs once.

The sheet scaffolding (reading, checking, the outcome, chunked writes with credit) is
services/sheet_import.py, shared with records and certifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import chunks
from trainctl.domain import sheet
from trainctl.domain import shifts as ds
from trainctl.domain.lookup import as_id
from trainctl.domain.text import shell_word
from trainctl.errors import NotFoundError
from trainctl.models import Call, CallResponse, Shift, ShiftAttendance, utcnow
from trainctl.queries import required
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.credit_feed import CreditFeed, FeedResult, InsertIgnoring
from trainctl.services.settings import department_zone
from trainctl.services.sheet_import import (
    CHUNK_ROWS,
    MEMBER_FIELDS,
    ImportOutcome,
    SheetKind,
    add_one,
    audit_import,
    each_row,
    import_sheet,
    read_rows,
    void_row,
    write_chunk,
)

SHIFT_FIELDS = (
    *MEMBER_FIELDS,
    sheet.Field("shift_date", ("date", "shift day", "tour date", "work date"), required=True),
    sheet.Field("station", ("stn", "house", "firehouse", "station name", "station number")),
    sheet.Field("shift", ("shift name", "platoon", "tour", "crew", "watch")),
    sheet.Field("time_in", ("in", "check in", "checked in", "clock in", "start", "start time",
                            "arrived", "on duty"), required=True),
    sheet.Field("time_out", ("out", "check out", "checked out", "clock out", "end", "end time",
                             "left", "off duty"), required=True),
    sheet.Field(sheet.VOID),  # `shift list --include-void`'s mark: such a row is left out
)  # fmt: skip
# Columns `shift list --format csv` writes that an attendance is not made of (its hours
# are worked out from the times).
SHIFT_LISTED = ("id", "hours")
CALL_FIELDS = (
    *MEMBER_FIELDS,
    sheet.Field("incident", ("incident number", "incident #", "incident no", "incident id",
                             "run number", "run #", "call number", "call #"), required=True),
    sheet.Field("shift_date", ("shift day", "tour date", "worked on")),
    sheet.Field("at", ("date-time", "date time", "datetime", "time", "dispatched", "dispatch time",
                       "call time", "alarm time", "occurred at", "received"), required=True),
    sheet.Field("call_type", ("type", "nature", "incident type", "call nature")),
    sheet.Field("role", ("position", "riding", "seat")),
    sheet.Field(sheet.VOID),  # `call list --include-void`'s mark: such a row is left out
)  # fmt: skip
CALL_LISTED = ("id",)  # what `call list --format csv` writes that a response is not made of
SHIFT_HINT = (
    "A shift sheet names the member (email, badge or member), the shift date, the station and "
    "shift (optional), and the time in and time out, e.g. "
    f"{ds.INSTANT_EXAMPLE} (without an offset: the department's timezone). Headers match without regard to case, spaces and punctuation; "
    "other columns are refused unless --ignore-unknown-columns."
)
CALL_HINT = (
    "A call sheet has one row per responding member: incident, shift date (blank: the shift "
    "the member attended at that time), date-time (e.g. "
    f"{ds.INSTANT_EXAMPLE}; without an offset: the department's timezone), call type, and the member (email, badge or member); optional: role."
)
# an attendance or response is kept as first entered (the hint of a refusal that says so)
SHIFT_CHANGE_HINT = (
    "An attendance on file is kept as first entered: to change it, void it (`trainctl shift "
    "void ATTENDANCE --reason TEXT`; `trainctl shift list` shows the ids) and add it again."
)
CALL_CHANGE_HINT = (
    "A response on file is kept as first entered: to change it, void it (`trainctl call void "
    "RESPONSE --reason TEXT`; `trainctl call list --incident {incident}` shows the ids) and add it again."
)
# a call's shift date, time and type follow its live responses (the hint of a refusal)
CALL_FIX_HINT = (
    "A call's shift date, time and type are kept while it has live responses: to correct them, "
    "void its responses (`trainctl call void RESPONSE --reason TEXT`; `trainctl call list "
    "--incident {incident}` shows them) and add them again with the right values; once every "
    "response is void, the call takes the values they are added with."
)
NOT_VOID = "voided_at IS NULL"  # the unique keys' predicate (models.py, migration 0013)
SHIFT_OPTIONS = {"shift_date": "--date", "station": "--station", "shift": "--shift",
                 "time_in": "--time-in", "time_out": "--time-out", "member": "MEMBER"}  # fmt: skip
CALL_OPTIONS = {"incident": "INCIDENT", "shift_date": "--shift-date", "at": "--at",
                "call_type": "--type", "role": "--role", "member": "--member"}  # fmt: skip


# ---------------------------------------------------------------------------- attendance
@dataclass(frozen=True, slots=True)
class _Att:
    source: str | None
    line: int | None
    member_id: int
    values: ds.AttendanceValues


def _where(row: _Att | _Resp, other: _Att | _Resp | tuple[str | None, int | None]) -> str:
    source, line = (other.source, other.line) if not isinstance(other, tuple) else other
    if source is None:
        return "on file"
    return f"on line {line}" if source == row.source else f"in {source}, line {line}"


def _store_attendance(
    session: Session,
    actor: Actor,
    rows: list[_Att],
    outcome: ImportOutcome,
    *,
    today: date,
    dry_run: bool,
    skip_invalid: bool,
) -> None:
    _say_doubts(session, rows, outcome, SHIFT_OPTIONS)
    # 1. Within the files: one member once per shift.
    seen: dict[tuple[int, tuple[date, str, str]], _Att] = {}
    kept: list[_Att] = []
    for row in rows:
        key = (row.member_id, row.values.key)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            kept.append(row)
        elif (first.values.time_in, first.values.time_out) == (row.values.time_in, row.values.time_out):
            outcome.repeated += 1  # (a line above gives it: not yet on file)
            outcome.same = "same member, shift date, station and shift"
        else:
            outcome.problem(row.source, row.line, "time_in",
                            f"the member is on this shift {_where(row, first)} with other times "
                            f"({ds.shown(first.values.time_in)} to {ds.shown(first.values.time_out)})",
                            SHIFT_OPTIONS)  # fmt: skip

    # 1b. One member on one shift at a time: attendance whose times overlap another
    # shift's (three stations at once made 36 h of credit out of 12) is refused.
    by_member: dict[int, list[_Att]] = {}
    for row in kept:
        by_member.setdefault(row.member_id, []).append(row)
    for mine in by_member.values():
        mine.sort(key=lambda r: r.values.time_in)
        latest: _Att | None = None  # the row that ends last so far
        for row in mine:
            v = row.values
            if latest is not None and ds.overlap((v.time_in, v.time_out),
                                                 (latest.values.time_in, latest.values.time_out)):  # fmt: skip
                outcome.problem(row.source, row.line, "time_in", _overlap_text(
                    latest.values.station, latest.values.shift, latest.values.shift_date,
                    latest.values.time_in, latest.values.time_out, _where(row, latest),
                ), SHIFT_OPTIONS)  # fmt: skip
                continue
            if latest is None or v.time_out > latest.values.time_out:
                latest = row

    # 2. Against the database: the shifts of these dates, their attendance.
    session.flush()
    conn = session.connection()
    s_t = Shift.__table__  # type: ignore[attr-defined]
    a_t = ShiftAttendance.__table__  # type: ignore[attr-defined]
    shift_ids = _shift_ids(conn, {r.values.shift_date for r in kept})
    zone = department_zone(session)  # on-file times are shown on the department's clock
    # a row refused for what is on file (the hint then says how to change that)
    changed = _refuse_overlapping(conn, [r for r in kept if (r.source, r.line) not in outcome.bad],
                                  shift_ids, outcome, zone)  # fmt: skip
    # per member and shift: the live attendance, and the times of void ones (the unique
    # key holds among live rows only: a void attendance may be entered again, 0013)
    existing: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    void: dict[tuple[int, int], set[tuple[datetime, datetime]]] = {}
    for part in chunks(sorted(set(shift_ids.values()))):
        for sid, mid, t_in, t_out, voided in conn.execute(
            sa.select(a_t.c.shift_id, a_t.c.member_id, a_t.c.checked_in_at, a_t.c.checked_out_at,
                      a_t.c.voided_at.is_not(None)).where(a_t.c.shift_id.in_(part))
        ):  # fmt: skip
            times = (_aware(t_in), _aware(t_out))
            if voided:
                void.setdefault((sid, mid), set()).add(times)
            else:
                existing[(sid, mid)] = times
    adding = bool(rows) and all(r.source is None for r in rows)
    todo: list[_Att] = []
    for row in kept:
        if (row.source, row.line) in outcome.bad:
            continue
        sid = shift_ids.get(row.values.key)
        found = existing.get((sid, row.member_id)) if sid is not None else None
        times = (row.values.time_in, row.values.time_out)
        if found is None:
            # an import never brings a void attendance back (the same times); `shift add`
            # after a void, or other times (the corrected sheet), enter the member again
            if not adding and times in void.get((sid, row.member_id), ()):  # type: ignore[arg-type]
                outcome.voided += 1
            else:
                todo.append(row)
        elif found == times:
            outcome.already += 1
        else:
            changed = True
            outcome.problem(row.source, row.line, "time_in",
                            f"the member is on this shift on file with other times "
                            f"({ds.shown(found[0], zone)} to {ds.shown(found[1], zone)}); nothing is changed "
                            "behind your back", SHIFT_OPTIONS)  # fmt: skip
    outcome.refuse("shift", skip_invalid, also=SHIFT_CHANGE_HINT if changed else "")
    todo = [r for r in todo if (r.source, r.line) not in outcome.bad]

    # 3. Write: the new shifts, then attendance in chunks, each chunk credited.
    nested = session.begin_nested() if dry_run else None
    now = utcnow()
    new_shifts: dict[tuple[date, str, str], list[Any]] = {}
    for row in todo:
        v = row.values
        if v.key in shift_ids:
            continue
        spot = new_shifts.get(v.key)
        if spot is None:
            new_shifts[v.key] = [v.shift_date, v.station, v.shift, v.time_in, v.time_out,
                                 [], now, actor.member_id]  # fmt: skip
        else:
            spot[3], spot[4] = min(spot[3], v.time_in), max(spot[4], v.time_out)
    if new_shifts:
        writer = InsertIgnoring(
            conn, s_t,
            ("shift_date", "station", "name", "starts_at", "ends_at", "activities", "created_at", "created_by"),
            ("shift_date", "station", "name"),
        )  # fmt: skip
        outcome.created = writer.run([tuple(v) for v in new_shifts.values()])
        shift_ids = _shift_ids(conn, {k[0] for k in new_shifts}) | shift_ids
    columns = ("shift_id", "member_id", "checked_in_at", "checked_out_at", "duration_minutes",
               "source_file", "source_line", "created_at", "created_by")  # fmt: skip
    insert = InsertIgnoring(conn, a_t, columns, ("shift_id", "member_id"), NOT_VOID)
    feed = CreditFeed(session, actor, today=today)
    for part in chunks(todo, CHUNK_ROWS):
        write_chunk(session, insert, [
            (shift_ids[r.values.key], r.member_id, r.values.time_in, r.values.time_out,
             r.values.minutes, r.source, r.line, now, actor.member_id)
            for r in part
        ], outcome, feed, "shift", keep_ids=adding)  # fmt: skip
    outcome.feed = feed.close()
    audit_import(session, actor, "shift.add" if adding else "shift.import", "shift_attendance", outcome)
    if nested is not None:
        nested.rollback()
    else:
        outcome.written = True


def _say_doubts(
    session: Session, rows: list[_Att] | list[_Resp], outcome: ImportOutcome, options: dict[str, str]
) -> None:
    """The times taken whose written offset is not the department's clock's (a summer tour
    typed with the winter offset is an hour late): said, row by row (ds.offset_doubt); and,
    once, that times written without an offset were read on the department's clock."""
    if any(row.values.local for row in rows):
        zone = department_zone(session)
        outcome.clock_note = (f"Note: times without an offset read as {getattr(zone, 'key', zone)} "
                              "(the department's timezone, `trainctl config set timezone`).")  # fmt: skip
    said: set[tuple[str | None, int | None]] = set()
    for row in rows:
        if (row.source, row.line) in said:  # an add's members share one set of values
            continue
        said.add((row.source, row.line))
        for name, why in row.values.doubts:
            outcome.doubt(row.source, row.line, name, why, options)


def _aware(value: Any) -> datetime:
    from trainctl.queries import as_utc

    out = as_utc(value)
    assert out is not None
    return out


def _overlap_text(station: str | None, shift: str | None, day: date, time_in: datetime,
                  time_out: datetime, where: str, zone: tzinfo | None = None) -> str:  # fmt: skip
    return (
        f"the member is on {ds.where_text(station, shift, day)} {where} at that time "
        f"({ds.shown(time_in, zone)} to {ds.shown(time_out, zone)}); one member is on one shift "
        "at a time"
    )


def _refuse_overlapping(
    conn: sa.Connection, rows: list[_Att], shift_ids: dict[tuple[date, str, str], int],
    outcome: ImportOutcome, zone: tzinfo,
) -> bool:  # fmt: skip
    """A problem for each row whose times overlap the member's attendance on file at
    another shift (not void). The attendance of shifts within a day of the rows' dates,
    of these members, of shifts near the rows' dates (a tour is at most MAX_SHIFT_HOURS).
    True when a row was refused."""
    if not rows:
        return False
    refused = False
    s_t = Shift.__table__  # type: ignore[attr-defined]
    a_t = ShiftAttendance.__table__  # type: ignore[attr-defined]
    # a time in is at most a day before its shift date and a tour at most MAX_SHIFT_HOURS:
    # shifts further apart than this cannot overlap
    reach = timedelta(days=2 * ds.CALL_DAYS_AFTER + 2)
    first = min(r.values.shift_date for r in rows) - reach
    last = max(r.values.shift_date for r in rows) + reach
    on_file: dict[int, list[tuple[int, datetime, datetime, date, str, str]]] = {}
    for part in chunks(sorted({r.member_id for r in rows})):
        for mid, sid, t_in, t_out, day, station, name in conn.execute(
            sa.select(a_t.c.member_id, a_t.c.shift_id, a_t.c.checked_in_at, a_t.c.checked_out_at,
                      s_t.c.shift_date, s_t.c.station, s_t.c.name)
            .join(s_t, s_t.c.id == a_t.c.shift_id)
            .where(a_t.c.member_id.in_(part), a_t.c.voided_at.is_(None),
                   s_t.c.shift_date.between(first, last))
        ):  # fmt: skip
            on_file.setdefault(mid, []).append((sid, _aware(t_in), _aware(t_out), day, station, name))
    for row in rows:
        v, sid = row.values, shift_ids.get(row.values.key)
        for other, t_in, t_out, day, station, name in on_file.get(row.member_id, ()):
            if other != sid and ds.overlap((v.time_in, v.time_out), (t_in, t_out)):
                outcome.problem(row.source, row.line, "time_in", _overlap_text(
                    station, name, day, t_in, t_out, "on file", zone), SHIFT_OPTIONS)  # fmt: skip
                refused = True
                break
    return refused


def _shift_ids(conn: sa.Connection, dates: set[date]) -> dict[tuple[date, str, str], int]:
    """Shifts on these dates by their natural key (case and spaces aside); the first
    spelling on file wins."""
    s_t = Shift.__table__  # type: ignore[attr-defined]
    out: dict[tuple[date, str, str], int] = {}
    for part in chunks(sorted(dates)):
        for sid, day, station, name in conn.execute(
            sa.select(s_t.c.id, s_t.c.shift_date, s_t.c.station, s_t.c.name)
            .where(s_t.c.shift_date.in_(part)).order_by(s_t.c.id)
        ):  # fmt: skip
            out.setdefault((day, ds.fold(station), ds.fold(name)), sid)
    return out


# ---------------------------------------------------------------------------------- calls
@dataclass(frozen=True, slots=True)
class _Resp:
    source: str | None
    line: int | None
    member_id: int
    values: ds.CallValues

    @property
    def incident(self) -> str:
        return incident_key(self.values.incident)


def incident_key(text: str) -> str:
    """How incident numbers are stored and compared: upper case, spaces folded."""
    return " ".join(text.split()).upper()


_CALL_FIELDS = ("shift_date", "at", "call_type")  # a call's own fields (a response's: role)
_LABELS = {"shift_date": "shift date", "at": "time", "call_type": "call type", "role": "role"}
_COLUMNS = {"shift_date": "shift_date", "at": "occurred_at", "call_type": "call_type"}


def _same(name: str, a: Any, b: Any) -> bool:
    """Whether two values of a call's field (or a response's role) are the same: a type or
    role case and spaces aside, a time as the instant it is (whatever its offset)."""
    if name in ("call_type", "role"):
        return ds.fold(a) == ds.fold(b)
    return bool(a == b)


def _shown(name: str, value: Any, zone: tzinfo | None = None) -> str:
    """A field's value as a message shows it ('EMS', 2026-03-14, a time; `zone` for one read
    back from the file); none is "no call type", "no time", "no role", never None."""
    if value is None:
        return f"no {_LABELS[name]}"
    if isinstance(value, datetime):
        return ds.shown(value, zone)
    return repr(value) if isinstance(value, str) else str(value)


def _with(name: str, value: Any, zone: tzinfo | None = None) -> str:
    """"call type 'EMS'", "time 2026-03-14T09:00-04:00", or "no call type"."""
    return _shown(name, value, zone) if value is None else f"{_LABELS[name]} {_shown(name, value, zone)}"


def _kept(value: Any) -> Any:
    """A field's value as the audit log keeps it (JSON)."""
    return value.isoformat() if isinstance(value, date) else value


def _named(incidents: set[str]) -> str:
    """The incident a hint names: the one refused, else INCIDENT."""
    return shell_word(next(iter(incidents))) if len(incidents) == 1 else "INCIDENT"


def _store_calls(
    session: Session,
    actor: Actor,
    rows: list[_Resp],
    outcome: ImportOutcome,
    *,
    today: date,
    dry_run: bool,
    skip_invalid: bool,
) -> None:
    _say_doubts(session, rows, outcome, CALL_OPTIONS)
    # 1. Within the files: an incident's rows agree on the shift date, time and type they
    #    give (a row that leaves one out takes the incident's); a member responds once per
    #    incident.
    given: dict[str, dict[str, _Resp]] = {}  # per incident, the first good row giving each field
    seen: dict[tuple[str, int], _Resp] = {}
    kept: list[_Resp] = []
    for row in rows:
        inc = row.incident
        mine = given.setdefault(inc, {})
        bad = False
        for name in _CALL_FIELDS:
            value, other = getattr(row.values, name), mine.get(name)
            if value is None or other is None or _same(name, getattr(other.values, name), value):
                continue
            bad = True
            outcome.problem(row.source, row.line, name,
                            f"incident {inc} is {_where(row, other)} with "
                            f"{_with(name, getattr(other.values, name))} (got {_shown(name, value)})",
                            CALL_OPTIONS)  # fmt: skip
        if bad:
            continue
        key = (inc, row.member_id)
        first = seen.get(key)
        if first is not None and not _same("role", first.values.role, row.values.role):
            outcome.problem(row.source, row.line, "role",
                            f"the member responds to incident {inc} {_where(row, first)} "
                            f"with {_with('role', first.values.role)} (got {_shown('role', row.values.role)})",
                            CALL_OPTIONS)  # fmt: skip
            continue
        for name in _CALL_FIELDS:
            if getattr(row.values, name) is not None:
                mine.setdefault(name, row)
        if first is not None:
            outcome.repeated += 1  # (a line above gives it: not yet on file)
            outcome.same = "same incident and member"
            continue
        seen[key] = row
        kept.append(row)

    # 2. Against the database: calls on file by incident number, their responses.
    session.flush()
    conn = session.connection()
    c_t = Call.__table__  # type: ignore[attr-defined]
    r_t = CallResponse.__table__  # type: ignore[attr-defined]
    calls = _calls(conn, {r.incident for r in kept})
    zone = department_zone(session)  # on-file times are shown on the department's clock
    # per member and call: the live response's role, and the roles of void ones (0013)
    responses: dict[tuple[int, int], str | None] = {}
    void_roles: dict[tuple[int, int], set[str | None]] = {}
    for part in chunks(sorted(cid for cid, *_ in calls.values())):
        for cid, mid, role, voided in conn.execute(
            sa.select(r_t.c.call_id, r_t.c.member_id, r_t.c.role, r_t.c.voided_at.is_not(None))
            .where(r_t.c.call_id.in_(part))
        ):  # fmt: skip
            if voided:
                void_roles.setdefault((cid, mid), set()).add(ds.fold(role))
            else:
                responses[(cid, mid)] = role
    live = {cid for cid, _ in responses}  # the calls with a live response
    shift_date: dict[str, date] = {}
    for inc, mine in given.items():
        if "shift_date" in mine and (day := mine["shift_date"].values.shift_date) is not None:
            shift_date[inc] = day
    by_incident: dict[str, list[_Resp]] = {}
    for r in kept:
        by_incident.setdefault(r.incident, []).append(r)
    # A call on file keeps its shift date, time and type while it has a live response: a
    # row giving another is refused. Once every response is void (entered with the wrong
    # call), the rows correct the call (step 3). A field a row leaves out is the call's.
    corrections: dict[str, dict[str, tuple[Any, Any]]] = {}  # incident: field: (on file, new)
    fixing: set[str] = set()  # incidents refused for their call on file (the hint names them)
    for inc, (cid, day, at, call_type) in calls.items():
        mine = given.get(inc, {})
        on_file = dict(zip(_CALL_FIELDS, (day, at, call_type), strict=True))
        differ = {name: (on_file[name], getattr(mine[name].values, name)) for name in _CALL_FIELDS
                  if name in mine and not _same(name, on_file[name], getattr(mine[name].values, name))}  # fmt: skip
        shift_date.setdefault(inc, day)
        if not differ:
            continue
        if cid in live:
            fixing.add(inc)
            for r in by_incident.get(inc, ()):
                for name, (stored, _) in differ.items():
                    if getattr(r.values, name) is not None:
                        outcome.problem(r.source, r.line, name,
                                        f"incident {inc} is on file with {_with(name, stored, zone)} "
                                        f"(got {_shown(name, getattr(r.values, name))})", CALL_OPTIONS)  # fmt: skip
            continue
        new_at = differ["at"][1] if "at" in differ else at
        why = ds.call_day_problem(day, new_at, zone) if "shift_date" not in differ and new_at is not None else None
        if why is not None:  # a new time the shift date on file cannot have
            for r in by_incident.get(inc, ()):
                outcome.problem(r.source, r.line, "at", f"{why} (the call's shift date on file); give the "
                                "shift date it was worked on", CALL_OPTIONS)  # fmt: skip
            continue
        corrections[inc] = differ
    _derive_shift_dates(conn, kept, shift_date, outcome)
    adding = bool(rows) and all(r.source is None for r in rows)
    changed: set[str] = set()  # incidents of responses refused for their role on file (the hint)
    todo: list[_Resp] = []
    for row in kept:
        if (row.source, row.line) in outcome.bad:
            continue
        call = calls.get(row.incident)
        rkey = (call[0], row.member_id) if call else None
        if rkey is None or rkey not in responses:
            # an import never brings a void response back (the same role, or none given, to
            # the call as it is); `call add` after a void, another role, or a corrected call
            # (the corrected sheet) enter it again
            gone = void_roles.get(rkey, set()) if rkey else set()
            if (
                not adding and gone and row.incident not in corrections
                and (row.values.role is None or ds.fold(row.values.role) in gone)
            ):  # fmt: skip
                outcome.voided += 1
            else:
                todo.append(row)
            continue
        found = responses[rkey]
        if _same("role", found, row.values.role) or row.values.role is None:
            outcome.already += 1
        else:
            changed.add(row.incident)
            outcome.problem(row.source, row.line, "role",
                            f"the member's response to incident {row.incident} is on file with "
                            f"{_with('role', found)} (got {_shown('role', row.values.role)})", CALL_OPTIONS)  # fmt: skip
    hints = ([CALL_FIX_HINT.format(incident=_named(fixing))] if fixing else []) + (
        [CALL_CHANGE_HINT.format(incident=_named(changed))] if changed else [])  # fmt: skip
    outcome.refuse("call", skip_invalid, also=" ".join(hints))
    todo = [r for r in todo if (r.source, r.line) not in outcome.bad]

    # 3. Write: the corrected calls, the new calls, then responses in chunks, each chunk
    #    credited (under the call's values as they now are).
    nested = session.begin_nested() if dry_run else None
    now = utcnow()
    writing = {r.incident for r in todo}
    for inc, differ in corrections.items():
        if inc not in writing:
            continue
        cid = calls[inc][0]
        conn.execute(sa.update(c_t).where(c_t.c.id == cid)
                     .values({_COLUMNS[name]: new for name, (_, new) in differ.items()}))  # fmt: skip
        audit(session, actor, "call.correct", "call", cid, incident=inc,
              before={name: _kept(old) for name, (old, _) in differ.items()},
              after={name: _kept(new) for name, (_, new) in differ.items()})  # fmt: skip
        outcome.corrected.append(f"incident {inc}: " + "; ".join(
            f"{_with(name, old, zone)} -> {_with(name, new)}" for name, (old, new) in differ.items()
        ) + " (its responses on file were void)")  # fmt: skip
    new_calls: dict[str, tuple[Any, ...]] = {}
    for row in todo:
        inc = row.incident
        if inc not in calls and inc not in new_calls:
            mine = given[inc]
            call_type = mine["call_type"].values.call_type if "call_type" in mine else None
            new_calls[inc] = (inc, shift_date[inc], mine["at"].values.at, call_type, False, False, now,
                              actor.member_id)  # fmt: skip
    if new_calls:
        writer = InsertIgnoring(
            conn, c_t,
            ("incident_number", "shift_date", "occurred_at", "call_type", "cancelled_en_route",
             "medical_refusal", "created_at", "created_by"),
            ("incident_number",),
        )  # fmt: skip
        outcome.created = writer.run(list(new_calls.values()))
        calls |= _calls(conn, set(new_calls))
    insert = InsertIgnoring(
        conn, r_t,
        ("call_id", "member_id", "role", "source_file", "source_line", "created_at", "created_by"),
        ("call_id", "member_id"), NOT_VOID,
    )  # fmt: skip
    feed = CreditFeed(session, actor, today=today)
    for part in chunks(todo, CHUNK_ROWS):
        write_chunk(session, insert, [
            (calls[r.incident][0], r.member_id, r.values.role, r.source, r.line, now, actor.member_id)
            for r in part
        ], outcome, feed, "call", keep_ids=adding)  # fmt: skip
    outcome.feed = feed.close()
    audit_import(session, actor, "call.add" if adding else "call.import", "call_response", outcome)
    if nested is not None:
        nested.rollback()
    else:
        outcome.written = True


def _calls(conn: sa.Connection, incidents: set[str]) -> dict[str, tuple[int, date, datetime | None, str | None]]:
    """Calls on file by incident number: (id, shift date, instant, call type)."""
    c_t = Call.__table__  # type: ignore[attr-defined]
    out: dict[str, tuple[int, date, datetime | None, str | None]] = {}
    for part in chunks(sorted(incidents)):
        for cid, inc, day, at, call_type in conn.execute(
            sa.select(c_t.c.id, c_t.c.incident_number, c_t.c.shift_date, c_t.c.occurred_at,
                      c_t.c.call_type).where(c_t.c.incident_number.in_(part))
        ):  # fmt: skip
            out[inc] = (cid, day, _aware(at) if at is not None else None, call_type)
    return out


def _derive_shift_dates(
    conn: sa.Connection, rows: list[_Resp], shift_date: dict[str, date], outcome: ImportOutcome
) -> None:
    """An incident no row dates: the shift its responders attended at the call's time (a
    row whose shift date cannot be found is a problem of its field shift_date)."""
    missing = [r for r in rows if r.incident not in shift_date and (r.source, r.line) not in outcome.bad]
    for r, why in _undated(conn, missing, shift_date):
        outcome.problem(r.source, r.line, "shift_date", why, CALL_OPTIONS)


def _undated(conn: sa.Connection, missing: list[_Resp], shift_date: dict[str, date]) -> list[tuple[_Resp, str]]:
    """Fill `shift_date` for the incidents of `missing` (rows that give none) from the
    shifts their responders attended at the call's time; (row, why) for each row of an
    incident it cannot be found for."""
    if not missing:
        return []
    a_t = ShiftAttendance.__table__  # type: ignore[attr-defined]
    s_t = Shift.__table__  # type: ignore[attr-defined]
    low = min(r.values.at for r in missing)
    high = max(r.values.at for r in missing)
    attended: dict[int, list[tuple[date, datetime, datetime]]] = {}
    for part in chunks(sorted({r.member_id for r in missing})):
        for mid, day, t_in, t_out in conn.execute(
            sa.select(a_t.c.member_id, s_t.c.shift_date, a_t.c.checked_in_at, a_t.c.checked_out_at)
            .select_from(a_t.join(s_t, s_t.c.id == a_t.c.shift_id))
            .where(a_t.c.member_id.in_(part), a_t.c.voided_at.is_(None),
                   a_t.c.checked_in_at <= high, a_t.c.checked_out_at >= low)
        ):  # fmt: skip
            attended.setdefault(mid, []).append((day, _aware(t_in), _aware(t_out)))
    found: dict[str, set[date]] = {}
    for r in missing:
        found.setdefault(r.incident, set()).update(
            ds.shift_dates_covering(r.values.at, attended.get(r.member_id, ()))
        )
    problems: list[tuple[_Resp, str]] = []
    for r in missing:
        dates = found[r.incident]
        if len(dates) == 1:
            shift_date[r.incident] = next(iter(dates))
            continue
        why = (
            f"is needed: no shift attendance of the member covers {ds.shown(r.values.at)}"
            if not dates
            else f"is needed: the responders' shifts at that time are on {', '.join(map(str, sorted(dates)))}"
        )
        problems.append((r, why + "; give the shift date it was worked on"))
    return problems


def _settle_call(session: Session, v: ds.CallValues, member_ids: list[int]) -> tuple[date | None, ds.Problems]:
    """`call add` without --shift-date: the shift date the call will take (the call's on
    file, else the shift its responders attended at that time), or why it is needed."""
    if v.shift_date is not None:
        return None, []
    session.flush()
    conn = session.connection()
    incident = incident_key(v.incident)
    shift_date = {inc: day for inc, (_, day, *_) in _calls(conn, {incident}).items()}
    if incident not in shift_date:
        problems = _undated(conn, [_Resp(None, None, m, v) for m in member_ids], shift_date)
        if problems:
            return None, [("shift_date", problems[0][1])]
    return shift_date.get(incident), []


def _call_days(v: ds.CallValues) -> date | tuple[date, ...]:
    """The day a responder is judged on (their status then): the call's shift date, else
    the days it may belong to (ds.call_day_problem), the call's own day first (the day a
    refusal names), then the day before (a call at 00:30: the last tour's) and the day
    after (a night tour that began that evening)."""
    if v.shift_date is not None:
        return v.shift_date
    day = v.at.date()  # the department's day (parse_call)
    return day, day - timedelta(days=1), day + timedelta(days=1)


ATTENDANCE = SheetKind(
    "shift", "import shift attendance", "record shift attendance", SHIFT_FIELDS, SHIFT_HINT,
    SHIFT_OPTIONS, ds.parse_attendance, _Att, _store_attendance, lambda v: v.shift_date, "the shift date",
    zoned=True, listed=SHIFT_LISTED,
)  # fmt: skip
RESPONSES = SheetKind(
    "call", "import calls", "record calls", CALL_FIELDS, CALL_HINT, CALL_OPTIONS, ds.parse_call,
    _Resp, _store_calls, _call_days, "the call date", zoned=True, settle=_settle_call, listed=CALL_LISTED,
)  # fmt: skip
# `shift import | add`, `call import | add` (sheet_import.import_sheet / add_one).
import_shifts = partial(import_sheet, kind=ATTENDANCE)
add_attendance = partial(add_one, kind=ATTENDANCE)
import_calls = partial(import_sheet, kind=RESPONSES)
add_call = partial(add_one, kind=RESPONSES, what="--member")


# ----------------------------------------------------------------------------------- voids
def get_attendance(session: Session, ref: str) -> ShiftAttendance:
    number = as_id(ref)
    row = session.get(ShiftAttendance, number) if number is not None else None
    if row is None:
        raise NotFoundError(f"No shift attendance {ref.strip()!r}.",
                            "`trainctl shift list` shows the attendance with its ids.")  # fmt: skip
    return row


def void_attendance(
    session: Session, actor: Actor, ref: str, *, reason: str, today: date
) -> tuple[ShiftAttendance, FeedResult | None]:
    """Keep the attendance, stamp who/when/why, reverse its credit; the member may then be
    entered on that shift again (`shift add`). Voiding a void one changes nothing (None)."""
    actor.require(MANAGE, "void shift attendance")
    return void_row(session, actor, lambda: get_attendance(session, ref), reason=reason, today=today,
                    source_type="shift", action="shift.void", what="attendance",
                    dated=lambda r: _shift_date(session.get(Shift, r.shift_id)))  # fmt: skip


def _shift_date(row: Shift | Call | None) -> date | None:
    """The shift date of the shift or call an attendance or response belongs to: the day
    it was worked on (a void is not dated before it: sheet_import.void_row)."""
    return row.shift_date if row is not None else None


def get_response(session: Session, ref: str) -> CallResponse:
    number = as_id(ref)
    row = session.get(CallResponse, number) if number is not None else None
    if row is None:
        raise NotFoundError(f"No call response {ref.strip()!r}.",
                            "`trainctl call list` shows the responses with their ids.")  # fmt: skip
    return row


def void_response(
    session: Session, actor: Actor, ref: str, *, reason: str, today: date
) -> tuple[CallResponse, FeedResult | None]:
    """Keep the response, stamp who/when/why, reverse its credit; the member may then be
    entered on that call again (`call add`). Voiding a void one changes nothing (None)."""
    actor.require(MANAGE, "void call responses")
    row, feed = void_row(session, actor, lambda: get_response(session, ref), reason=reason, today=today,
                         source_type="call", action="call.void", what="response",
                         dated=lambda r: _shift_date(session.get(Call, r.call_id)))  # fmt: skip
    if feed is not None:  # voided now: keep what the call said, as a correction may change it
        call = required(session.get(Call, row.call_id))  # FK: a call with responses stays
        row.void_shift_date, row.void_occurred_at, row.void_call_type = (
            call.shift_date, call.occurred_at, call.call_type)  # fmt: skip
        session.add(row)
        session.flush()
    return row, feed


__all__ = [
    "CALL_FIELDS", "SHIFT_FIELDS", "ImportOutcome", "add_attendance", "add_call", "each_row",
    "get_attendance", "get_response", "import_calls", "import_shifts", "incident_key",
    "read_rows", "void_attendance", "void_response",
]  # fmt: skip
