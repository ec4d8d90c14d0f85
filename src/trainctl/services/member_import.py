"""`trainctl member import`: members from a CSV, validated whole before anything is written.

Order of checks: the file (encoding, delimiter, header, value counts: domain/csvfile.py), then
every row through MemberCreate, then within the file (one email = one person, one badge =
one email), then against the database (email exists with other data, badge held by someone
else). Any problem: nothing is written (BadInputError lists every row), unless
`skip_invalid`, which writes the good rows and hands the bad ones back for a reject file.

Set-based: two SELECTs for the whole file (chunked IN lists), one bulk INSERT ... RETURNING,
one bulk UPDATE by primary key, one bulk INSERT of audit rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.db import BulkInsert, chunks, table
from trainctl.domain.sheet import REJECT_COLUMN, Field, badge_key, unlikely_hire
from trainctl.domain.text import plural, shell_word, word_for
from trainctl.errors import BadInputError
from trainctl.models import AuditLog, Member, utcnow
from trainctl.queries.members import name_key
from trainctl.schemas.members import FIELDS, MemberCreate, StatusSince, member_hints
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.members import (
    HISTORY_FIELDS,
    OWED_FIELDS,
    diff_member,
    effective_day,
    first_effective,
    follow_hire_date,
    jsonable,
    lookalike_names,
    lookalike_problem,
    not_before,
    position_codes,
    record_history,
    recorded,
    start_earlier,
    who,
)

IMPORT_REQUIRED = ("name", "email")
IMPORT_OPTIONAL = (
    "badge", "positions", "role", "status", "hire_date", "certification_date", "status_since",
)  # fmt: skip
# Columns `member list --format csv` writes that a member is not made of (export, edit,
# import back): `id` (members are matched by email, never by id) and, with --as-of,
# `first_known` (the day a member's history begins).
MEMBER_LISTED = ("id", "first_known")
# `reason` is the column a reject file adds (a fixed reject file can be imported as it is).
IMPORT_IGNORED = (REJECT_COLUMN, *MEMBER_LISTED)
# The header matcher of training-record sheets (domain/sheet.py): case, spaces and
# punctuation do not count ("Badge #", "E-mail", "Hire Date"), and these synonyms do.
MEMBER_FIELDS = (
    Field("name", ("full name", "member", "member name", "first and last name"), required=True),
    Field("email", ("e-mail", "email address", "e-mail address", "mail"), required=True),
    Field("badge", ("badge #", "badge no", "badge number", "badge num", "badge id")),
    Field("positions", ("position", "positions held")),
    Field("role", ("member role",)),
    Field("status", ("member status",)),
    Field("hire_date", ("hired", "hire", "date hired", "hired on", "start date")),
    Field("certification_date", ("cert date", "certified", "date certified", "certified on")),
    # the day the row's status took effect (`member list -f csv` writes it): a member added
    # as inactive since 2025-12-31 was active from their hire date until then
    Field("status_since", ("status date",)),
)
_IN_CHUNK = 500  # values per IN (...) list: well under every engine's parameter limit
_WRITE_CHUNK = 10_000  # rows per executemany: the processed parameters of one slice at a time
_MEMBER_COLUMNS = tuple(MemberCreate.model_fields)  # the columns a roster row writes


@dataclass
class PlannedRow:
    line: int
    action: str  # "add", "update" or "unchanged"
    email: str
    name: str
    member_id: int | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class RejectedRow:
    line: int
    cells: list[str]
    problems: list[str]


@dataclass
class MemberImport:
    source: str
    columns: list[str]
    delimiter: str
    plan: list[PlannedRow] = field(default_factory=list)
    rejects: list[RejectedRow] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (line, same as line)
    written: bool = False
    warnings: list[str] = field(default_factory=list)  # values taken as given, said (a hire date years ahead)

    def count(self, action: str) -> int:
        return sum(1 for p in self.plan if p.action == action)

    @property
    def added(self) -> int:
        return self.count("add")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def _members_where(session: Session, column: Any, values: Iterable[Any]) -> list[Member]:
    wanted = sorted(set(values))
    found: list[Member] = []
    for chunk in chunks(wanted, _IN_CHUNK):
        found.extend(session.exec(select(Member).where(column.in_(chunk))))
    return found


def import_members(
    session: Session,
    actor: Actor,
    data: bytes,
    *,
    source: str,
    update: bool = False,
    skip_invalid: bool = False,
    dry_run: bool = False,
    ignore_unknown_columns: bool = False,
    effective: date | None = None,
    as_of: date | None = None,
) -> MemberImport:
    """Import members from CSV bytes, matched by email. Headers as in training-record
    sheets (MEMBER_FIELDS); an unknown column is refused unless `ignore_unknown_columns`.

    Every row is validated (schema, then within the file, then against the database) before
    anything is written. Without `skip_invalid` any bad row raises BadInputError listing every
    problem and nothing is written; with it the good rows are written and the bad ones come
    back in `rejects`. An email already in the database with the same data is "unchanged";
    with different data it is an error unless `update`. Empty cells leave stored values alone.
    Set-based: a few SELECTs for the whole file, one bulk INSERT, one bulk UPDATE.
    Changes of positions and status go into the members' history, effective on `effective`
    (else today, `as_of` or the department's; new members from their hire date): one more SELECT and one bulk INSERT.
    """
    from pydantic import ValidationError

    from trainctl.domain.csvfile import MAX_ROWS, parse_csv
    from trainctl.schemas import describe_errors
    from trainctl.services.settings import today

    actor.require(MANAGE, "import members")
    table = parse_csv(
        data,
        source=source,
        required=IMPORT_REQUIRED,
        keep_malformed=True,
        fields=MEMBER_FIELDS,
        ignored=IMPORT_IGNORED,
        ignore_unknown=ignore_unknown_columns,
        max_rows=MAX_ROWS,
    )
    result = MemberImport(source=source, columns=table.columns, delimiter=table.delimiter)
    result.duplicates = list(table.duplicates)
    problems: dict[int, list[str]] = {}
    cells: dict[int, list[str]] = {}
    for line, raw, problem in table.malformed:
        problems[line] = [problem]
        cells[line] = raw

    # 1. Every row through the schema (positions checked against the table's codes).
    #    Empty optional cells are "not given": they leave stored values alone.
    day = effective_day(session, effective, as_of)
    now = today(session, as_of)
    known = position_codes(session)  # by code or display name (domain.positions)
    models: dict[int, MemberCreate | None] = {}
    since_of: dict[int, date] = {}  # a row's status_since
    for row in table.rows:
        given = {
            k: v for k, v in row.values.items() if k in FIELDS and (v != "" or k in IMPORT_REQUIRED)
        }
        try:
            models[row.line] = MemberCreate.model_validate(given, context={"positions": known})
        except ValidationError as exc:
            models[row.line] = None
            problems[row.line] = describe_errors(exc, f"line {row.line}")
        if not row.values.get("status_since"):
            continue  # (an empty cell is no status_since: StatusSince reads it as None)
        try:
            stated = StatusSince.model_validate({"status_since": row.values["status_since"]})
        except ValidationError as exc:
            problems.setdefault(row.line, []).extend(describe_errors(exc, f"line {row.line}"))
            continue
        if stated.status_since is not None and stated.status_since > now:
            problems.setdefault(row.line, []).append(
                f"line {row.line}, field status_since: {stated.status_since} is after today ({now}); "
                f"a status takes effect once it has happened (got {row.values['status_since']!r})"
            )
        elif stated.status_since is not None:
            since_of[row.line] = stated.status_since

    for line, model in models.items():
        if model is not None and model.hire_date is not None and (why := unlikely_hire(model.hire_date, now)):
            result.warnings.append(f"{source}, line {line}, field hire_date: {why}.")

    # 2. Within the file: one email = one person, one badge = one email. Rows with problems
    #    take part too (by their raw cells), so fixing one problem does not reveal another.
    def note(line: int, problem: str) -> None:
        problems.setdefault(line, []).append(problem)

    by_email: dict[str, list[int]] = {}
    by_badge: dict[str, list[int]] = {}
    badge_of: dict[int, str] = {}
    for row in table.rows:
        model = models[row.line]
        email = model.email if model else row.values.get("email", "").strip().lower()
        badge = model.badge if model else row.values.get("badge", "").strip() or None
        if email:
            by_email.setdefault(email, []).append(row.line)
        if badge:  # 42 and 0042, F-7 and f-7: one badge to a sign-in sheet
            by_badge.setdefault(badge_key(badge), []).append(row.line)
            badge_of[row.line] = badge
    rows: list[tuple[int, MemberCreate]] = []
    for email, lines in by_email.items():
        first_line, first = lines[0], models[lines[0]]
        differing: list[tuple[int, list[str]]] = []
        for ln in lines[1:]:
            m = models[ln]
            if first is not None and m is not None and not (fields := _differing(first, m)):
                result.duplicates.append((ln, first_line))  # the same person, written differently
            else:
                differing.append((ln, fields if first is not None and m is not None else []))
        if differing:
            note(
                first_line,
                f"line {first_line}, field email: {email} appears again with different data "
                f"on line {', '.join(str(ln) for ln, _ in differing)} (got {email!r})",
            )
            for ln, fields in differing:
                m, said = models[ln], ""
                if fields and first is not None and m is not None:
                    said = "; ".join(
                        f"{f}: {_stated(m, f)} here, {_stated(first, f)} there" for f in fields
                    )
                note(
                    ln,
                    f"line {ln}, field {fields[0] if fields else 'email'}: {email} is also on line "
                    f"{first_line} with different data" + (f" ({said})" if said else f" (got {email!r})"),
                )
        elif first is not None:
            rows.append((first_line, first))
    email_of = {ln: e for e, lines in by_email.items() for ln in lines if ln in badge_of}  # (badges' lines)
    for lines in by_badge.values():
        owners = {email_of.get(ln) for ln in lines}
        if len(owners) > 1:
            for ln in lines:
                badge = badge_of[ln]
                others = ", ".join(
                    f"{email_of.get(o) or '(no email)'} on line {o}"
                    + (f" as {badge_of[o]}" if badge_of[o] != badge else "")
                    for o in lines
                    if email_of.get(o) != email_of.get(ln)
                )
                note(
                    ln, f"line {ln}, field badge: {badge} is also given to {others} (got {badge!r})"
                )
    rows = sorted((ln, m) for ln, m in rows if ln not in problems)

    # 3. Against the database: two SELECTs for the whole file (chunked IN lists).
    emails = [m.email for _, m in rows]
    existing = {m.email: m for m in _members_where(session, Member.email, emails)}
    folded = {e.casefold(): e for e in emails if e not in existing}
    if folded:  # the case fold for what the exact match missed (queries.members._by_email)
        for hit in _members_where(session, sa.func.trainctl_fold(Member.email), folded):
            existing.setdefault(folded[hit.email.casefold()], hit)
    holders = {
        badge_key(m.badge): m
        for m in _members_where(session, Member.badge, [m.badge for _, m in rows if m.badge])
        if m.badge is not None
    }
    if any(m.badge and badge_key(m.badge) not in holders for _, m in rows):
        # another spelling of a badge on file (case, leading zeros): all the badges, once
        for i, b in session.exec(select(Member.id, Member.badge).where(col(Member.badge).is_not(None))):
            if b is not None and badge_key(b) not in holders:
                holders[badge_key(b)] = session.get_one(Member, i)
    lookalikes = lookalike_names(session)
    for line, model in rows:
        member = existing.get(model.email)
        if (member is None or member.name != model.name) and (
            why := lookalike_problem(model.name, lookalikes)
        ):
            problems.setdefault(line, []).append(f"line {line}, field name: {why} (got {model.name!r})")
            continue
        holder = holders.get(badge_key(model.badge)) if model.badge else None
        if holder is not None and (member is None or holder.id != member.id):
            same = "" if holder.badge == model.badge else (
                f" as {holder.badge} (a sign-in sheet reads them alike: case and leading zeros aside)"
            )
            moved = ""
            if member is None and name_key(holder.name) == name_key(model.name):
                # the same person under a new e-mail (a department changed its mail domain):
                # the import goes by e-mail, so the e-mail is changed first (review r1)
                moved = (f"; if {holder.name}'s e-mail is now {model.email}, change it first "
                         f"(`trainctl member edit {shell_word(holder.badge)} --email {shell_word(model.email)}`) and import again")  # fmt: skip
            problems.setdefault(line, []).append(
                f"line {line}, field badge: {model.badge} already belongs to {who(holder)}{same} "
                f"(got {model.badge!r}){moved}"
            )
            continue
        if member is None:
            result.plan.append(PlannedRow(line, "add", model.email, model.name))
            continue
        given = _given(model)
        if _same_badge_unpadded(member.badge, model.badge) and len(model.badge or "") < len(member.badge or ""):
            # "42" for "0042": a spreadsheet dropped the zeros (the sheet imports read it
            # so, domain.sheet.BadgeIndex); the badge on file stands. The other way round,
            # "0042" for a "42" on file, is a corrected roster putting the zeros back: an
            # update (review r1: --update said "unchanged")
            given.pop("badge", None)
        changes = diff_member(member, given)
        mine = sorted(set(changes) & OWED_FIELDS) if actor.is_self(member.id) else []
        if mine:  # (services.members.edit_member refuses the same change)
            problems.setdefault(line, []).append(
                f"line {line}, field {mine[0]}: this line is about you ({actor.name}): nobody "
                f"changes their own {' or '.join(f.replace('_', ' ') for f in mine)}; another "
                "training officer (or the database owner) imports it"
            )
            continue
        if not changes:
            result.plan.append(PlannedRow(line, "unchanged", model.email, model.name, member.id))
        elif update:
            result.plan.append(
                PlannedRow(line, "update", model.email, model.name, member.id, changes)
            )
        else:
            problems.setdefault(line, []).extend(
                f"line {line}, field {name}: {who(member)} has {_shown(old)}; "
                f"add --update to change it (got {_shown(new)})"
                for name, (old, new) in changes.items()
            )

    # 4. History is kept in date order (services/members.not_before): an update of positions
    #    or status cannot take effect before the member's last recorded change (one grouped
    #    SELECT for the file).
    #    A change of status takes effect on the row's status_since when it gives one.
    moving = [p for p in result.plan if p.action == "update" and set(p.changes) & set(HISTORY_FIELDS)]
    days = {p.line: since_of[p.line] for p in moving if "status" in p.changes and p.line in since_of}
    recs = recorded(session, [p.member_id for p in moving if p.member_id is not None])
    for p in moving:
        hire = existing[p.email].hire_date
        when = days.get(p.line, day)
        since = not_before(hire, when, recs.get(p.member_id or 0))
        if since is not None:
            name = "status_since" if p.line in days else next(f for f in HISTORY_FIELDS if f in p.changes)
            fix = f"a status_since of {since} or later" if p.line in days else f"--effective {since} or later"
            problems.setdefault(p.line, []).append(
                f"line {p.line}, field {name}: the change would take effect {when}, before the "
                f"member's last recorded change of positions or status ({since}); import it "
                f"with {fix}"
            )

    if problems:
        details = [p for line in sorted(problems) for p in problems[line]]
        total = len(table.rows) + len(table.malformed)
        if not skip_invalid:
            raise BadInputError(
                f"{source}: {len(problems)} of {plural(total, 'row')} "
                f"{word_for(len(problems), 'has', 'have')} problems; nothing was written.",
                " ".join([*member_hints(details),  # each kind of problem's own hint, then the fix
                          "Fix the rows named above and run the command again, or add --skip-invalid "
                          "to import the good rows and write the others to a reject file."]),
                details=details,
            )
        # the cells of a row with problems (only theirs: a copy of every row's cells was
        # kept for this before)
        cells.update((r.line, [r.values[c] for c in table.columns]) for r in table.rows if r.line in problems)
        result.rejects = [
            RejectedRow(line, cells.get(line, []), problems[line]) for line in sorted(problems)
        ]
        result.plan = [p for p in result.plan if p.line not in problems]
    result.duplicates.sort()
    result.plan.sort(key=lambda p: p.line)
    if dry_run:
        return result
    earlier = [
        (p.member_id, when) for p in moving
        if p.member_id is not None and p.line not in problems
        and (rec := recs.get(p.member_id)) is not None and (when := days.get(p.line, day)) < rec.first
    ]  # fmt: skip
    start_earlier(session, earlier)
    added = {p.line: since_of[p.line] for p in result.plan if p.action == "add" and p.line in since_of}
    _write_import(session, actor, result, dict(rows), day, added | days)
    return result


def _first_history(
    member_id: int, model: MemberCreate, day: date, since: date | None
) -> list[tuple[int, date, list[str], str]]:
    """A new member's first history rows: from their hire date (`first_effective`, or
    `status_since` when that is earlier) in the row's status; an inactive member whose
    `status_since` is later served until then (exported retired on 2025-12-31, hired in
    2015: active from 2015). An active member is active from the start: a leave they are
    back from is not in one row, and years of service weigh more than its months.
    Positions are the row's throughout: one row holds no history of them."""
    start = first_effective(model.hire_date, day)
    if since is not None and since <= start:
        return [(member_id, since, model.positions, model.status)]
    if since is None or model.status == "active":
        return [(member_id, start, model.positions, model.status)]
    return [(member_id, start, model.positions, "active"), (member_id, since, model.positions, model.status)]


def _same_badge_unpadded(stored: str | None, given: str | None) -> bool:
    """Two different spellings of one badge of digits, leading zeros aside."""
    return bool(
        stored and given and stored != given and stored.isdigit() and given.isdigit()
        and stored.lstrip("0") == given.lstrip("0")
    )


def _given(model: MemberCreate) -> dict[str, Any]:
    """The fields a row states (empty cells leave stored values alone)."""
    return model.model_dump(include=model.model_fields_set)


def _alike(field_name: str, value: Any) -> Any:
    """A stated value as two rows of one person compare it: positions as a set, a badge
    as a sign-in sheet reads it (0511 and 511), a name as it looks (case and spacing
    aside)."""
    from trainctl.domain.text import likeness_key

    if value is None:
        return None
    if field_name == "positions":
        return frozenset(value)
    if field_name == "badge":
        return badge_key(str(value))
    if field_name == "name":
        return likeness_key(str(value))
    return value


def _differing(a: MemberCreate, b: MemberCreate) -> list[str]:
    """The fields two rows of one e-mail state differently (a field one row leaves empty
    is no difference: it leaves the value alone)."""
    ga, gb = _given(a), _given(b)
    return [f for f in ga if f in gb and _alike(f, ga[f]) != _alike(f, gb[f])]


def _stated(model: MemberCreate, field_name: str) -> str:
    return _shown(_given(model).get(field_name))


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return repr("|".join(value))
    return repr(jsonable(value))


def _write_import(
    session: Session, actor: Actor, result: MemberImport, models: dict[int, MemberCreate],
    day: date, since_of: dict[int, date],
) -> None:
    """`since_of`: a row's status_since: a new member's first history rows follow it
    (`_first_history`); an update's change of status takes effect on it (checked by the
    caller)."""
    now = utcnow()
    adds = [p for p in result.plan if p.action == "add"]
    updates = [p for p in result.plan if p.action == "update"]
    audit_rows: list[tuple[Any, ...]] = []
    history: list[tuple[int, date, list[str], str]] = []
    conn = session.connection()
    if adds:
        # plain tuples through executemany (COPY on PostgreSQL), then the new ids by e-mail
        # (unique): the ORM's bulk INSERT ... RETURNING built and kept a parameter dict per
        # row, 5 s and most of the peak memory of a 100,000-row roster (bench/member_import.py)
        writer = BulkInsert(conn, table(Member), (*_MEMBER_COLUMNS, "created_at", "created_by"))
        audits = BulkInsert(conn, table(AuditLog), _AUDIT_COLUMNS)
        member_t = table(Member)
        for part in chunks(adds, _WRITE_CHUNK):  # a slice's parameters and audit rows at a time
            writer.execute([
                (*(getattr(models[p.line], c) for c in _MEMBER_COLUMNS), now, actor.member_id)
                for p in part
            ])  # fmt: skip
            ids: dict[str, int] = {}
            for emails in chunks([p.email for p in part], _IN_CHUNK):
                ids.update(
                    (email, member_id)
                    for member_id, email in conn.execute(
                        sa.select(member_t.c.id, member_t.c.email).where(member_t.c.email.in_(emails))
                    )
                )
            for planned in part:
                planned.member_id = member_id = ids[planned.email]
                history += _first_history(member_id, models[planned.line], day, since_of.get(planned.line))
            audits.execute([
                _audit_row(actor, now, "member.add", p.member_id, source=result.source, line=p.line)
                for p in part
            ])  # fmt: skip
    if updates:
        moved = [p for p in updates if set(p.changes) & set(HISTORY_FIELDS)]
        # Before the UPDATE: each moved member's other history field (one SELECT)
        held = {m.id: m for m in _members_where(session, Member.id, [p.member_id for p in moved])}
        session.execute(
            sa.update(Member),
            [
                {
                    "id": p.member_id,
                    **{k: new for k, (_, new) in p.changes.items()},
                    "updated_at": now,
                }
                for p in updates
            ],
        )
        audit_rows.extend(
            _audit_row(
                actor,
                now,
                "member.edit",
                p.member_id,
                source=result.source,
                line=p.line,
                changes={k: [jsonable(o), jsonable(n)] for k, (o, n) in p.changes.items()},
                # the day positions or status take effect, as `member edit` says it
                **({"effective_on": since_of.get(p.line, day).isoformat()}
                   if set(p.changes) & set(HISTORY_FIELDS) else {}),
            )
            for p in updates
        )
        for p in moved:
            before = held[p.member_id]
            assert before.id is not None
            values = {k: new for k, (_, new) in p.changes.items()}
            history.append(
                (before.id, since_of.get(p.line, day), values.get("positions", before.positions),
                 values.get("status", before.status))
            )  # fmt: skip
    record_history(session, actor, history)
    follow_hire_date(session, [(p.member_id, *p.changes["hire_date"]) for p in updates
                               if p.member_id is not None and "hire_date" in p.changes], day)  # fmt: skip
    dated = [p.member_id for p in updates if p.member_id is not None and {"hire_date", "certification_date"} & set(p.changes)]
    if dated:  # the members' own windows moved: their window rows are measured again
        from trainctl.services.members import remeasure_windows

        remeasure_windows(session, dated, day)
    if adds or audit_rows:
        audit_rows.append(
            _audit_row(
                actor,
                now,
                "member.import",
                None,
                source=result.source,
                added=len(adds),
                updated=len(updates),
                unchanged=result.unchanged,
                rejected=len(result.rejects),
            )
        )
        writer = BulkInsert(conn, table(AuditLog), _AUDIT_COLUMNS)
        for part in chunks(audit_rows, _WRITE_CHUNK):
            writer.execute(part)
    result.written = True


_AUDIT_COLUMNS = ("at", "actor_id", "action", "entity", "entity_id", "detail")


def _audit_row(
    actor: Actor, at: Any, action: str, entity_id: int | None, **detail: Any
) -> tuple[Any, ...]:
    """An audit row in the order of _AUDIT_COLUMNS (written by db.BulkInsert)."""
    return (at, actor.member_id, action, "member", entity_id, detail)
