"""Training records: `record add` (one member or a crew), `record import` (sign-in sheets as
people deliver them), `record void`. Writes need training.manage; nothing deletes a record.

Both ways in share one path: every value through domain/records.parse_record, members
and courses resolved from in-memory indexes (read once per command), rows written in
chunks with INSERT ... ON CONFLICT DO NOTHING on the natural key (member, course identity,
date; unique among records that are not void), and each chunk's new rows fed to the
credit feed (services/credit_feed.py), whose finish runs once at the end.

An import streams its files: memory holds one chunk of rows, the indexes and the problems,
however long the files are. Any bad row stops the writing (the rest of the files is still
checked, so every problem is reported) and the command's transaction rolls back: nothing
is written. With `skip_invalid` the good rows are written and the bad ones reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlmodel import Session, select

from trainctl.db import BulkInsert, chunks, insert_ignoring
from trainctl.domain import records as dr
from trainctl.domain import sheet
from trainctl.domain.certs import credential_code, held_through
from trainctl.domain.lookup import as_id
from trainctl.domain.text import code_text, echo, hours_text, plural, same_name, word_for
from trainctl.errors import BadInputError, NotFoundError, RefusedError, UsageError
from trainctl.models import AuditLog, Course, Member, TrainingRecord, utcnow
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.credit_feed import (
    CreditFeed,
    FeedResult,
    named_codes,
    resettle_cards,
    settle_renewals,
)
from trainctl.services.sheet_import import (
    IMPORT_HINT,
    ImportOutcome,
    MemberIndex,
    each_row,
    void_row,
    write_chunk,
)

# Rows per chunk (memory holds one): bench/records_import.py, a year of sheets, 80,000 rows,
# one pair of runs after another: 5,000 rows 6.9-7.9 s CPU, 20,000 rows 6.3-6.5 s (fewer
# passes of the feed's INSERT ... SELECT over the ledger's unique index); peak still flat.
CHUNK_ROWS = 20_000
NATURAL_KEY = ("member_id", "course_key", "completion_date")
NOT_VOID = "voided_at IS NULL"
COLUMNS = (
    "member_id", "course_id", "course_name", "course_code", "course_key", "training_type",
    "category", "topic", "completion_date", "expiration_date", "hours_completed", "status",
    "score", "passed", "instructor", "location", "self_paced", "source_file", "source_line",
    "created_at", "created_by",
)  # fmt: skip
SHEET_HINT = (
    "A sheet names the member (email, badge or member), the course (course or course_code), "
    "the date and the hours; optional: status, score, passed, topic, category, training_type, "
    "instructor, location, self_paced, expiration, name. Headers match without regard to case, "
    "spaces and punctuation, with the usual synonyms (E-mail, Badge #, Hrs, Self-Paced, ...); "
    "--course, --date, --hours fill what a sheet leaves out; other columns are refused unless "
    "--ignore-unknown-columns."
)


# ------------------------------------------------------------------------------- indexes
@dataclass(frozen=True, slots=True)
class _Course:
    id: int
    code: str | None
    name: str
    training_type: str | None
    category: str | None
    hours: float | None  # credit hours, else duration
    expiration_months: int | None
    self_paced: bool
    prerequisites: tuple[int, ...] = ()
    duration: float | None = None  # duration_hours, else credit hours (dr.hours_doubt)


def requirement_categories(session: Session) -> dr.Categories:
    """The categories the requirements name: what they count (a "national/airway" entry by
    its head) and their hour categories, as `dr.Categories`, with what each hours
    requirement counts (a record counted by its course or type is not said)."""
    from trainctl.domain.credit import Accepts
    from trainctl.models import Requirement

    names: list[str] = []
    topics: dict[str, list[str]] = {}
    counting: list[Accepts] = []
    for req in session.exec(select(Requirement)):
        counts, hours = req.counts_categories, req.hour_categories
        if req.requirement_type == "hours":
            counting.append(Accepts.of(req))
        names += [c.partition("/")[0] for c in counts or () if isinstance(c, str)]
        for c in hours or ():
            name = c if isinstance(c, str) else c.get("name") if isinstance(c, dict) else None
            if isinstance(name, str):
                names.append(name)
            if isinstance(name, str) and isinstance(c, dict):
                topics.setdefault(name, []).extend(
                    str(t["name"]) for t in c.get("topics") or () if isinstance(t, dict) and t.get("name")
                )
    return dr.Categories(names, topics, counting)


def _code_key(code: str) -> str:
    """A course code as the catalog's lookups match it (case, spaces, invisible characters
    and typographic dashes aside: domain.text.code_text)."""
    return dr.fold(code_text(code))


class CourseIndex:
    """The catalog by code and by name (case and spaces aside)."""

    def __init__(self, session: Session) -> None:
        self.by_code: dict[str, _Course] = {}
        self.by_name: dict[str, list[_Course]] = {}
        self.by_id: dict[int, _Course] = {}
        for c in session.exec(select(Course)):
            row = _Course(
                c.id, c.code, c.name, c.training_type, c.category,  # type: ignore[arg-type]
                c.credit_hours if c.credit_hours is not None else c.duration_hours,
                c.expiration_months, c.self_paced, tuple(c.prerequisites or ()),
                c.duration_hours if c.duration_hours is not None else c.credit_hours,
            )  # fmt: skip
            self.by_id[row.id] = row
            if c.code:
                self.by_code[_code_key(c.code)] = row
            self.by_name.setdefault(dr.fold(c.name), []).append(row)

    def closest(self, text: str) -> str | None:
        """The catalog course a free name is most likely a misspelling of, as 'CODE (Name)'."""
        import difflib

        # a name, or a code mistyped ("LF1" for LF-1)
        known = {**{k: cs[0] for k, cs in self.by_name.items()}, **self.by_code}
        found = difflib.get_close_matches(dr.fold(text), list(known), n=1, cutoff=0.8)
        if not found:
            return None
        c = known[found[0]]
        return f"{c.code} ({c.name})" if c.code else repr(c.name)

    def resolve(self, code: str, text: str) -> tuple[_Course | None, tuple[str, str] | None]:
        """A course code must be in the catalog; a course cell is a code, a name, or else a
        free course name (None, None). `code:X` and `id:N` say which is meant."""
        kind, sep, rest = text.partition(":")
        if not code and sep and kind.strip().lower() == "code":
            code, text = rest.strip(), ""
        elif not code and sep and kind.strip().lower() == "id":
            number = as_id(rest)
            found = self.by_id.get(number) if number is not None else None
            if found is None:
                return None, ("course", f"no course has the id {rest.strip()}")
            return found, None
        if code:
            found = self.by_code.get(_code_key(code))
            if found is None:
                return None, ("course_code", f"no course has the code {code!r}")
            if text.strip() and dr.fold(text) not in {dr.fold(found.code), dr.fold(found.name)}:
                # two columns that disagree: neither wins silently (as two member columns)
                return None, ("course", (
                    f"{text.strip()!r} is not the course of the code {code!r} ({found.name}); "
                    "make the two agree, or leave one of them empty"))  # fmt: skip
            return found, None
        found = self.by_code.get(_code_key(text))
        if found is not None:
            return found, None
        named = self.by_name.get(dr.fold(text), [])
        if len(named) > 1:
            codes = ", ".join(c.code or f"id:{c.id}" for c in named)
            return None, ("course", f"{text!r} names {len(named)} courses ({codes}); give its code")
        return (named[0] if named else None), None


# -------------------------------------------------------------------------- prerequisites
_MEMBER, _COURSE, _KEY, _ON, _STATUS, _PASSED = (
    COLUMNS.index(c) for c in ("member_id", "course_id", "course_key", "completion_date", "status", "passed")
)
PREREQ_HINT = (
    "Record the prerequisite course first (`trainctl record add MEMBER --course CODE --date DATE`), "
    "or, when loading history whose earlier records are not on file, add --skip-prereq-check."
)


def _counts(row: Sequence[Any]) -> bool:
    """A completed, not failed record: what counts as done (domain RecordValues.counts)."""
    return row[_STATUS] == "completed" and row[_PASSED] is not False and row[_ON] is not None


class Prerequisites:
    """The rule a training officer expects: a completed record of a course with
    prerequisite courses needs the member's completed record of each on or before its date
    (domain/records.missing_prerequisites): on file (not void) or in the same command.

    Rows of such courses are held back (`hold`) until the whole command has been read, so
    the order of the rows and files does not matter; `check` then refuses those whose
    prerequisites are missing, repeating until nothing changes (a refused row satisfies
    nothing: A needs B needs C). Rows already on file by their natural key are not checked
    again (re-importing a sheet stays idempotent)."""

    def __init__(self, session: Session, courses: CourseIndex) -> None:
        self.session, self.courses = session, courses
        self.needs = {c.id: c.prerequisites for c in courses.by_id.values() if c.prerequisites}
        self.wanted = {p for pre in self.needs.values() for p in pre}
        self.on_file: dict[tuple[int, int], date] = {}
        self.mine: dict[tuple[int, int], list[date]] = {}  # from this command's rows
        self.held: list[tuple[tuple[Any, ...], str | None, int | None]] = []
        if self.wanted:
            t = TrainingRecord.__table__  # type: ignore[attr-defined]
            for part in chunks(sorted(self.wanted)):
                for mid, cid, first in session.execute(
                    sa.select(t.c.member_id, t.c.course_id, sa.func.min(t.c.completion_date))
                    .where(t.c.course_id.in_(part), t.c.voided_at.is_(None), t.c.status == "completed",
                           t.c.passed.is_not(False),
                           t.c.completion_date.is_not(None))
                    .group_by(t.c.member_id, t.c.course_id)
                ):  # fmt: skip
                    self.on_file[(mid, cid)] = first

    def note(self, row: Sequence[Any]) -> None:
        """A row of this command that may satisfy a prerequisite."""
        if row[_COURSE] in self.wanted and _counts(row):
            self.mine.setdefault((row[_MEMBER], row[_COURSE]), []).append(row[_ON])

    def hold(self, row: tuple[Any, ...], source: str | None = None, line: int | None = None) -> bool:
        """Keep a row that needs checking (True); the caller writes the others at once."""
        if row[_COURSE] in self.needs and _counts(row):
            self.held.append((row, source, line))
            return True
        return False

    def _first_done(self, member: int, course: int) -> date | None:
        dates = [d for d in (self.on_file.get((member, course)), *self.mine.get((member, course), ())) if d]
        return min(dates) if dates else None

    def check(self) -> tuple[list[tuple[Any, ...]], list[tuple[tuple[Any, ...], str | None, int | None, list[int]]]]:
        """(rows to write, refused rows with the prerequisite course ids they miss)."""
        recorded = self._recorded({(r[_MEMBER], r[_KEY], r[_ON]) for r, _, _ in self.held})
        refused: dict[int, list[int]] = {}
        changed = True
        while changed:
            changed = False
            for k, (row, _, _) in enumerate(self.held):
                if k in refused or (row[_MEMBER], row[_KEY], row[_ON]) in recorded:
                    continue
                needs = self.needs[row[_COURSE]]
                done = {p: self._first_done(row[_MEMBER], p) for p in needs}
                missing = dr.missing_prerequisites(needs, done, row[_ON])
                if missing:
                    refused[k] = missing
                    mine = self.mine.get((row[_MEMBER], row[_COURSE]))
                    if mine and row[_ON] in mine:
                        mine.remove(row[_ON])
                    changed = True
        ok = [row for k, (row, _, _) in enumerate(self.held) if k not in refused]
        bad = [(*self.held[k], why) for k, why in sorted(refused.items())]
        return ok, bad

    def _recorded(self, keys: set[tuple[int, str, date]]) -> set[tuple[int, str, date]]:
        """Which of these natural keys are on file (not void)."""
        if not keys:
            return set()
        t = TrainingRecord.__table__  # type: ignore[attr-defined]
        found: set[tuple[int, str, date]] = set()
        for part in chunks(sorted({k[0] for k in keys})):
            found.update(
                (m, k, d)
                for m, k, d in self.session.execute(
                    sa.select(t.c.member_id, t.c.course_key, t.c.completion_date).where(
                        t.c.member_id.in_(part), t.c.course_id.in_(sorted(self.needs)),
                        t.c.voided_at.is_(None),
                    )
                )
            )  # fmt: skip
        return found & keys

    def why(self, row: Sequence[Any], missing: Sequence[int], members: MemberIndex) -> str:
        """'Ann Lee (ann@fd.org) has not completed the prerequisite course C01 (Pump basics)
        on or before 2026-03-01'."""
        who = members.by_id.get(row[_MEMBER])
        name = f"{who.name} ({who.email})" if who else f"member {row[_MEMBER]}"
        courses = [self.courses.by_id[p] for p in missing if p in self.courses.by_id]
        listed = ", ".join(f"{c.code} ({c.name})" if c.code else repr(c.name) for c in courses)
        course = self.courses.by_id[row[_COURSE]]
        what = "course" if len(courses) == 1 else "courses"
        return (
            f"{name} has not completed the prerequisite {what} {listed} on or before "
            f"{row[_ON]}, required for {course.code or course.name}"
        )


# ------------------------------------------------------------------------------- drafting
def draft(
    values: dr.RecordValues,
    member_id: int,
    course: _Course | None,
    *,
    source: tuple[str | None, int | None] = (None, None),
    actor: Actor,
    now: Any,
    categories: dr.Categories,
) -> tuple[tuple[Any, ...] | None, tuple[str, str] | None]:
    """One insert row (in COLUMNS order) from checked values, the course's defaults filled
    in (the category as the requirements spell it), or the problem."""
    name = course.name if course else (values.course or values.course_code)
    category, topic = categories.canon(
        values.category or (course.category if course else None), values.topic,
        course_code=course.code if course else None,
        training_type=values.training_type or (course.training_type if course else None),
    )  # fmt: skip
    hours = values.hours
    if hours is None:
        hours = course.hours if course is not None else None
    if hours is None:
        if values.counts:
            where = f"the course {course.code or course.name} has no credit hours" if course else "a free course name has no default"
            return None, ("hours", f"is required ({where})")
        hours = 0.0
    expiration = values.expiration
    if expiration is None and course is not None and course.expiration_months and values.on:
        # valid for the course's months as a card is for its renewal: through the day before
        # the same day that many months on (domain/certs, the one rule)
        expiration = held_through(values.on, None, course.expiration_months)
    return (
        member_id,
        course.id if course else None,
        name,
        course.code if course else None,
        dr.course_key(course.id if course else None, name),
        values.training_type or (course.training_type if course else None),
        category,
        topic,
        values.on,
        expiration,
        hours,
        values.status,
        values.score,
        values.passed,
        values.instructor,
        values.location,
        values.self_paced if values.self_paced is not None else bool(course and course.self_paced),
        source[0],
        source[1],
        now,
        actor.member_id,
    ), None


# -------------------------------------------------------------------------------- writing
@dataclass
class Outcome(ImportOutcome):
    """What a command did (or, in a dry run, would do): the shared import outcome, and the
    course names not in the catalog."""

    free_named: set[str] = field(default_factory=set)
    # a free course name -> the catalog course it is closest to ("Hazmat ops refreshr")
    close_to: dict[str, str] = field(default_factory=dict)
    # categories no requirement names (domain.records.Categories.notices)
    category_notices: list[str] = field(default_factory=list)
    # (rows dated before the hire date, names not the member's: ImportOutcome's, shared)

    @property
    def record_ids(self) -> list[int]:  # `record add` only
        return self.ids


_TEMPLATE_COLUMNS = tuple(c for c in COLUMNS if c not in ("member_id", "source_line"))
_TEMPLATE = sa.Table(
    "trainctl_record_template", sa.MetaData(),
    sa.Column("no", sa.Integer, primary_key=True),
    *(sa.Column(c, TrainingRecord.__table__.c[c].type) for c in _TEMPLATE_COLUMNS),  # type: ignore[attr-defined]
    prefixes=["TEMPORARY"],
)  # fmt: skip


_STAGE = sa.Table(
    "trainctl_record_stage", _TEMPLATE.metadata,
    sa.Column("k", sa.Integer, primary_key=True),  # the row's place in its chunk
    sa.Column("m", sa.Integer), sa.Column("l", sa.Integer), sa.Column("n", sa.Integer),
    prefixes=["TEMPORARY"],
)  # fmt: skip


class TemplateInsert:
    """INSERT ... ON CONFLICT (natural key) DO NOTHING of record rows, each row staged as
    (place, member, line, template) only: the rows of one session share every other value,
    which sits once in a temporary table (`_TEMPLATE`); one INSERT ... SELECT per chunk then
    joins the staged rows (`_STAGE`, written by BulkInsert: executemany on SQLite, COPY on
    PostgreSQL) to their templates, in the chunk's order, so ids follow the sheets. The
    database stores the very values a plain INSERT of the whole row would (same types).

    Why: a statement run per row is most of what an executemany costs (binding 21 values,
    the upsert's setup, a lookup of the template). Measured on the year of sign-in sheets
    of bench/records_import.py (80,000 rows, SQLite, three runs each on a loaded machine):
    raw executemany of the whole rows 2.0-2.5 s CPU; an INSERT ... SELECT per row from the
    template table 2.9-3.1 s; staged, one statement per chunk, 1.0-1.3 s."""

    def __init__(self, conn: sa.Connection, table: sa.Table) -> None:
        self.conn, self.table = conn, table
        for temp in (_TEMPLATE, _STAGE):
            temp.create(conn, checkfirst=True)
            conn.execute(temp.delete())
        self.numbers: dict[tuple[Any, ...], int] = {}
        self.last = 0  # the last template number given
        self.stage = BulkInsert(conn, _STAGE, ("k", "m", "l", "n"))
        tpl, st = _TEMPLATE.c, _STAGE.c
        select = (
            sa.select(st.m, st.l, *(tpl[c] for c in _TEMPLATE_COLUMNS))
            .where(tpl.no == st.n)
            .order_by(st.k)
        )
        self.insert = insert_ignoring(conn.dialect, table, NATURAL_KEY, NOT_VOID).from_select(
            ["member_id", "source_line", *_TEMPLATE_COLUMNS], select
        )

    def run(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert; returns how many rows were new (the others were already there)."""
        if not rows:
            return 0
        if len(self.numbers) > MEMO_LIMIT:  # bounded: start again (no row of a past chunk waits)
            self.numbers.clear()
            self.conn.execute(_TEMPLATE.delete())
        numbers, new = self.numbers, []
        staged = []
        for k, row in enumerate(rows):
            key = (*row[1:_LINE], *row[_LINE + 1 :])
            no = numbers.get(key)
            if no is None:
                self.last += 1
                no = numbers[key] = self.last
                new.append({"no": no, **dict(zip(_TEMPLATE_COLUMNS, key, strict=True))})
            staged.append((k, row[0], row[_LINE], no))
        if new:
            self.conn.execute(_TEMPLATE.insert(), new)
        self.conn.execute(_STAGE.delete())
        self.stage.execute(staged)
        # preserve_rowcount: psycopg's rowcount of an INSERT is gone once SQLAlchemy closes the cursor
        result = self.conn.execute(self.insert, execution_options={"preserve_rowcount": True})
        return max(0, result.rowcount or 0)


class _Writer:
    """Chunks of rows -> training_record (idempotent by the natural key) -> the feed."""

    def __init__(
        self, session: Session, actor: Actor, today: date, outcome: Outcome, *, keep_ids: bool
    ) -> None:
        self.session, self.outcome, self.keep_ids = session, outcome, keep_ids
        session.flush()
        table = TrainingRecord.__table__  # type: ignore[attr-defined]
        self.insert = TemplateInsert(session.connection(), table)
        self.feed = CreditFeed(session, actor, today=today)
        self.actor, self.today = actor, today
        self.since = int(session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one())
        self.members: set[int] = set()

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        self.members.update(r[0] for r in rows)
        write_chunk(self.session, self.insert, rows, self.outcome, self.feed, "training_record",  # type: ignore[arg-type]
                    keep_ids=self.keep_ids)  # fmt: skip

    def close(self) -> FeedResult:
        """The feed's finish; then a class record of a certification's course that renews a
        card or record (or that a later one renews) takes that one's credit back, as
        compliance judges (credit_feed.settle_renewals)."""
        result = self.feed.close()
        settled = settle_renewals(self.session, self.actor, self.members, today=self.today,
                                  reason="a later card or class record renews this one", since=self.since)  # fmt: skip
        result.events = [*settled.renewal_lines(), *result.events, *settled.feed.events]
        return result


# -------------------------------------------------------------------------------------- add
OPTION_OF = {
    "course": "COURSE", "course_code": "COURSE", "date": "--date", "hours": "--hours",
    "status": "--status", "score": "--score", "passed": "--passed", "topic": "--topic",
    "category": "--category", "training_type": "--type", "instructor": "--instructor",
    "location": "--location", "self_paced": "--self-paced", "expiration": "--expires",
}  # fmt: skip


@dataclass
class Crew:
    """The members a `record add` names; `by_position`: for each --position (its code),
    those who held it on the record's day as (id, name, e-mail), by name: the officer
    sees who was taken."""

    ids: list[int]
    by_position: list[tuple[str, list[tuple[int, str, str]]]] = field(default_factory=list)  # code, (id, name, email)
    day: date | None = None  # the record's day, parsed
    # members named or taken by position whose hire date is after the record's day:
    # (name, e-mail, hire date). Recorded as given (a pre-hire academy), and said.
    before_hire: list[tuple[str, str, date]] = field(default_factory=list)
    # references that named a member named before them (their name, the references): one
    # record each, and said (0042 and ann@... are one member, or a typo for another)
    twice: list[tuple[str, list[str]]] = field(default_factory=list)
    # the positions whose crew left the acting officer out (nobody records their own)
    left_out: list[str] = field(default_factory=list)
    # the members named (MEMBER, --members) as (reference, name, e-mail): a dry run says
    # whom each reference found, before anything is written
    named: list[tuple[str, str, str]] = field(default_factory=list)


def crew(
    session: Session, members: Sequence[str], positions: Sequence[str], on: str | None = None,
    *, leave_out: int | None = None,
) -> Crew:
    """Member ids for `--members a,b,c` and `--position P`; unknown or inactive members are
    refused, naming each. `on`: the record's date as given: a member named who was active
    that day, retired since, is taken, and a position's holders are those of that day
    (promoted since, or not yet in it, decides nothing; the roster of `member list --as-of`:
    a recruit added before their hire date is on it, taken and said in `Crew.before_hire`
    as a member named is). `leave_out`: a member (the acting
    officer) a position's crew does not take (`Crew.left_out`); named, they are kept, and
    `add_records` refuses them."""
    from trainctl.domain.positions import resolve_position
    from trainctl.queries import reader_of
    from trainctl.queries.members import find_members, get_member, not_found, offer_of
    from trainctl.services.members import position_codes

    try:
        day = sheet.parse_date(on) if on else None
    except ValueError as exc:  # before the crew: a crew of no day is no crew
        raise BadInputError(f"--date: {exc}", "Write the date as YYYY-MM-DD (or M/D/YYYY).") from None
    index = MemberIndex(session)
    ids: list[int] = []
    problems: list[str] = []
    unclear = False  # a reference two members fit (exit 2, as every command refuses one)
    before_hire: list[tuple[str, str, date]] = []
    refs_of: dict[int, list[str]] = {}
    texts = [t for t in (ref.strip() for ref in members) if t]
    # typed references: the one resolver's rule and words (queries.members, a bare "42" is
    # never badge 0042, only offered), then judged as the member was on the record's day
    rd = reader_of(session)
    found = find_members(rd, [("member", t) for t in texts])
    if len(texts) == 1 and not positions and found[0].problem is not None:
        get_member(rd, texts[0])  # one member named: refused as `cert add` refuses it
        raise found[0].problem  # (with its "Did you mean" too)
    for text, hit in zip(texts, found, strict=True):
        if hit.problem is not None or hit.member is None:
            why = hit.problem or not_found(text)
            unclear = unclear or isinstance(why, UsageError)
            offer = offer_of(why.hint)[0]
            problems.append(f"{text}: {why.message}" + (f" {offer}" if offer else ""))
            continue
        member, problem = index.resolve({"member": f"id:{hit.member.id}"}, day)
        if problem:
            problems.append(f"{text}: {problem[1]}")
            continue
        if member is not None:
            refs_of.setdefault(member.id, []).append(text)
        if member is not None and member.id not in ids:
            ids.append(member.id)
            hired = index.hired.get(member.id)
            if day is not None and hired is not None and hired > day:
                before_hire.append((member.name, member.email, hired))
    taken: list[tuple[str, list[tuple[int, str, str]]]] = []
    left_out: list[str] = []
    known = position_codes(session)
    typed = [p for given in positions for p in given.split(",") if p.strip()]  # as `member add -p`
    for code in dict.fromkeys(resolve_position(p, known) for p in typed):  # each once, as stored
        if code not in known:
            problems.append(f"--position {echo(code)}: unknown position (`trainctl member positions` lists them)")
            continue
        holders = index.holders(code, day)
        if not holders:
            when = f" on {day.isoformat()}" if day else ""
            problems.append(f"--position {code}: no active member held it{when}")
        if leave_out is not None and leave_out in holders:
            holders = [m for m in holders if m != leave_out]
            left_out.append(code)
            if not holders:
                problems.append(f"--position {code}: only you held it; nobody records their own training")
                continue
        taken.append((code, [(m, index.by_id[m].name, index.by_id[m].email) for m in holders]))
        for m in holders:  # on the day's roster before their hire date (a recruit added
            hired = index.hired.get(m)  # before it, a pre-hire academy): said, as named
            if m not in ids and day is not None and hired is not None and hired > day:
                before_hire.append((index.by_id[m].name, index.by_id[m].email, hired))
        ids += [m for m in holders if m not in ids]
    if problems:  # refused as every other add refuses an unknown or inactive member: exit 1
        back = (f" A member back by {day}: `trainctl member edit MEMBER --status active "
                f"--effective {day}`." if day is not None and any("inactive" in p for p in problems)
                else "")  # fmt: skip
        raise (UsageError if unclear else RefusedError)(
            f"{plural(len(problems), 'member reference')} cannot be used; nothing was recorded.",
            "`trainctl member list` shows members (id, e-mail, badge) and their positions; "
            "`trainctl member show MEMBER` their history." + back,
            details=problems,
        )
    if not ids:
        raise UsageError("Name the members: MEMBER, --members a,b,c or --position P.")
    twice = [(index.by_id[m].name, refs) for m, refs in refs_of.items() if len(refs) > 1]
    named = [(" / ".join(refs), index.by_id[m].name, index.by_id[m].email) for m, refs in refs_of.items()]
    return Crew(ids, taken, day, before_hire, twice, left_out, named)


def add_records(
    session: Session,
    actor: Actor,
    member_ids: Sequence[int],
    values: Mapping[str, str],
    *,
    today: date,
    dry_run: bool = False,
    check_prerequisites: bool = True,
) -> Outcome:
    """One record per member (a crew drill in one command), credited at once. A completed
    record of a course whose prerequisite courses a member has not completed on or before
    its date is refused (RefusedError naming each member), unless not `check_prerequisites`."""
    actor.require(MANAGE, "record training")
    checked, problems = dr.parse_record(values, today)
    if problems:
        raise BadInputError(
            "The record is not valid; nothing was recorded.",
            "Fix the values named above; `trainctl record add --help` lists the options.",
            details=[f"{OPTION_OF.get(f, f)}: {why}" for f, why in problems],
        )
    courses, categories = CourseIndex(session), requirement_categories(session)
    course, problem = courses.resolve(checked.course_code, checked.course)
    if problem:
        raise BadInputError(f"{OPTION_OF.get(problem[0], problem[0])}: {problem[1]}.",
                            "`trainctl course list` shows the catalog.")  # fmt: skip
    outcome = Outcome(rows=len(member_ids))
    if course is not None and (why := dr.hours_doubt(checked.hours, course.duration)):
        outcome.hours_doubts.append(f"{OPTION_OF.get('hours', 'hours')}: {why}.")
    if course is None:
        free = checked.course or checked.course_code
        outcome.free_named.add(free)
        if (near := courses.closest(free)) is not None:
            outcome.close_to[free] = near
    now = utcnow()
    drafted: list[tuple[Any, ...]] = []
    for mid in member_ids:
        actor.refuse_own(mid, "records their own training")
        row, problem = draft(checked, mid, course, actor=actor, now=now, categories=categories)
        if problem:
            near = outcome.close_to.get(free) if course is None else None
            raise BadInputError(
                f"{OPTION_OF.get(problem[0], problem[0])}: {problem[1]}.",
                f"Did you mean the catalog's {near}?" if near else None,
            )
        assert row is not None  # (drafted: no problem)
        drafted.append(row)
    rows = on_file_keys(session, drafted)
    _refuse_changed(session, rows)
    if check_prerequisites and course is not None and course.prerequisites:
        pre = Prerequisites(session, courses)
        for row in rows:
            pre.hold(row)
        _, refused = pre.check()
        if refused:
            members = MemberIndex(session)
            raise RefusedError(
                f"{len(refused)} of {plural(len(rows), 'member')} "
                f"{word_for(len(refused), 'lacks', 'lack')} a prerequisite; nothing was recorded.",
                PREREQ_HINT,
                details=[pre.why(row, missing, members) for row, _, _, missing in refused],
            )
    nested = session.begin_nested() if dry_run else None
    writer = _Writer(session, actor, today, outcome, keep_ids=True)
    writer.write(rows)
    outcome.feed = writer.close()
    outcome.category_notices = categories.notices()
    extra = {} if check_prerequisites else {"prerequisites": "not checked (--skip-prereq-check)"}
    _audit(session, actor, "record.add", outcome, course=checked.course or checked.course_code,
           date=str(checked.on), members=len(member_ids), **extra)  # fmt: skip
    if nested is not None:
        nested.rollback()
    else:
        outcome.written = True
    return outcome


_HOURS, _STATUS_COL = COLUMNS.index("hours_completed"), COLUMNS.index("status")
_SOURCE, _SOURCE_LINE = COLUMNS.index("source_file"), COLUMNS.index("source_line")
CHANGE_HINT = (
    "A record is kept as first entered; to change it, void it "
    "(`trainctl record void RECORD --reason TEXT`) and add it again."
)


def _differs(hours: Any, status: Any, row: Sequence[Any]) -> bool:
    return abs(float(hours or 0) - float(row[_HOURS] or 0)) > 1e-9 or status != row[_STATUS_COL]


def _values_text(hours: Any, status: Any) -> str:
    return f"{hours_text(float(hours or 0))} h, {status}"


def _changed(session: Session, rows: Sequence[tuple[Any, ...]]) -> list[tuple[tuple[Any, ...], str]]:
    """The rows whose natural key is on file (a record not void) with other hours or
    another status, each with what is on file: adding them would report "already
    recorded" and keep the old values (a completion entered after the scheduled row was
    lost, nothing credited). Nothing changes behind the officer's back, as for shifts and
    cards: such rows are refused."""
    if not rows:
        return []
    t = TrainingRecord.__table__  # type: ignore[attr-defined]
    given: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for r in rows:
        given.setdefault((r[_MEMBER], r[_KEY], r[_ON]), []).append(r)
    out = []
    keys = sorted({r[_KEY] for r in rows})
    days = [r[_ON] for r in rows if r[_ON] is not None]
    if not days:
        return []
    # the natural key's unique index (member, course key, date; not void): a range of
    # days, not every record of these members (a year's import read its own earlier chunks)
    for part in chunks(sorted({r[_MEMBER] for r in rows})):
        for key_part in chunks(keys):
            found = session.execute(
                sa.select(t.c.id, t.c.member_id, t.c.course_key, t.c.completion_date,
                          t.c.hours_completed, t.c.status, t.c.course_name)
                .where(t.c.member_id.in_(part), t.c.course_key.in_(key_part),
                       t.c.completion_date.between(min(days), max(days)),
                       t.c.voided_at.is_(None))
            )  # fmt: skip
            for rid, mid, key, on, had_hours, had_status, name in found:
                for row in given.get((mid, key, on), ()):
                    if _differs(had_hours, had_status, row):
                        out.append((row, (
                            f"record {rid} ({name}, {on}) is on file as "
                            f"{_values_text(had_hours, had_status)}; given "
                            f"{_values_text(row[_HOURS], row[_STATUS_COL])}"
                        )))  # fmt: skip
    return out


_NAME_COL, _CODE_COL = COLUMNS.index("course_name"), COLUMNS.index("course_code")


def on_file_keys(session: Session, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows, a catalog course's taking the key of a live record the member has that
    day under the course's name or code as a free name (recorded before the course was
    added to the catalog): the same record, so a sheet imported again after `course add`
    is "already recorded" (or refused for other values), not a second record counting
    the hours twice (review). One query per chunk of members, for catalog rows only."""
    t = TrainingRecord.__table__  # type: ignore[attr-defined]

    def names(r: tuple[Any, ...]) -> list[str]:
        if r[_COURSE] is None or r[_ON] is None:
            return []
        return [dr.course_key(None, n) for n in (r[_NAME_COL], r[_CODE_COL]) if n]

    keys = sorted({k for r in rows for k in names(r)})
    if not keys:
        return rows
    days = [r[_ON] for r in rows if names(r)]
    found: set[tuple[Any, ...]] = set()
    for part in chunks(sorted({r[_MEMBER] for r in rows if names(r)})):
        found.update(session.execute(
            sa.select(t.c.member_id, t.c.course_key, t.c.completion_date)
            .where(t.c.member_id.in_(part), t.c.course_id.is_(None), t.c.course_key.in_(keys),
                   t.c.completion_date.between(min(days), max(days)), t.c.voided_at.is_(None))
        ).all())  # fmt: skip
    if not found:
        return rows
    out = []
    for r in rows:
        key = next((k for k in names(r) if (r[_MEMBER], k, r[_ON]) in found), None)
        out.append(r if key is None else (*r[:_KEY], key, *r[_KEY + 1 :]))
    return out


def _refuse_changed(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """`record add`: `_changed` rows refused, naming each member (nothing written)."""
    problems = []
    for row, why in _changed(session, rows):
        who = session.get(Member, row[_MEMBER])
        problems.append(f"{who.name if who else f'member {row[_MEMBER]}'}: {why}")
    if problems:
        raise BadInputError(
            f"{plural(len(problems), 'record')} {word_for(len(problems), 'is', 'are')} on file with "
            "other values; nothing was recorded.",
            CHANGE_HINT, details=problems,
        )  # fmt: skip


# ----------------------------------------------------------------------------------- import
def import_records(
    session: Session,
    actor: Actor,
    files: Iterable[tuple[str, BinaryIO | Iterable[bytes]]],
    *,
    today: date,
    defaults: Mapping[str, str] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    ignore_unknown_columns: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    check_prerequisites: bool = True,
) -> Outcome:
    """Sign-in sheets -> records, credited. `defaults` fill a column a sheet leaves out or
    a blank cell (e.g. course, date, hours for a sheet of names). Raises BadInputError when
    any row is bad (nothing written) unless `skip_invalid`. A completed record whose course's
    prerequisites the member has not completed on or before its date (on file or in these
    sheets, in any order) is a bad row, unless not `check_prerequisites` (history loads)."""
    actor.require(MANAGE, "import training records")
    defaults = {k: v for k, v in (defaults or {}).items() if v not in (None, "")}
    _check_options(defaults, today)
    members, courses = MemberIndex(session), CourseIndex(session)
    voided = _voided_keys(session)
    outcome = Outcome()
    nested = session.begin_nested() if dry_run else None
    writer = _Writer(session, actor, today, outcome, keep_ids=False)
    now = utcnow()
    chunk: list[tuple[Any, ...]] = []
    categories = requirement_categories(session)
    rows_of = _Rows(today, members, courses, actor, now, outcome, categories)
    pre = Prerequisites(session, courses) if check_prerequisites else None
    gated = pre if pre is not None and pre.wanted else None  # a catalog with prerequisites
    reading = {"ignore_unknown": ignore_unknown_columns, "hint": SHEET_HINT, "ignored": (*dr.SHEET_IGNORED, *dr.SHEET_LISTED),
               "defaults": defaults, "check_header": _missing_columns}  # fmt: skip
    # a record given twice in these sheets with other hours or status: the second is
    # refused as a record on file would be. Within a chunk by natural key (`firsts`, kept
    # for one chunk: memory stays flat); a chunk written is on file for the next
    # (`_changed`, in this transaction).
    firsts: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def unchanged(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The rows, less those on file with other values (each a problem of its line)."""
        rows = on_file_keys(session, rows)
        bad = set()
        for row, why in _changed(session, rows):
            outcome.problem(row[_SOURCE], row[_SOURCE_LINE], "hours", why, OPTION_OF)
            bad.add(id(row))
        return [r for r in rows if id(r) not in bad] if bad else rows

    def write(rows: list[tuple[Any, ...]]) -> None:
        rows = unchanged(rows)
        if rows and not ((outcome.reasons or outcome.broken) and not skip_invalid):
            writer.write(rows)

    for name, line, values in each_row(files, dr.SHEET_FIELDS, outcome, **reading):
        row, problems = rows_of.row(values, line, name)
        if problems:
            for f, why in problems:
                outcome.problem(name, line, f, why, OPTION_OF)
            continue
        if voided and any(
            not _differs(hours, status, row)  # type: ignore[arg-type]
            for hours, status in voided.get((row[_MEMBER], row[_KEY], row[_ON]), ())  # type: ignore[index]
        ):  # the void row itself; a corrected one (other hours or status) is entered again
            outcome.voided += 1
            continue
        if gated is not None:
            gated.note(row)  # type: ignore[arg-type]
            if gated.hold(row, name, line):  # type: ignore[arg-type]
                continue  # checked once every row has been read
        key = (row[_MEMBER], row[_KEY], row[_ON])  # type: ignore[index]
        first = firsts.setdefault(key, row)  # type: ignore[arg-type]
        if first is not row and _differs(first[_HOURS], first[_STATUS_COL], row):  # type: ignore[arg-type]
            outcome.problem(name, line, "hours", (
                f"line {first[_SOURCE_LINE]}{'' if first[_SOURCE] == name else f' of {first[_SOURCE]}'} "
                f"gives this record as {_values_text(first[_HOURS], first[_STATUS_COL])}; this "
                f"line {_values_text(row[_HOURS], row[_STATUS_COL])}"  # type: ignore[index]
            ), OPTION_OF)  # fmt: skip
            continue
        if first is not row:  # the same record again in these sheets: one, said as such
            outcome.repeated += 1
            continue
        if (outcome.reasons or outcome.broken) and not skip_invalid:
            continue  # nothing will be written: keep checking, stop collecting
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            write(chunk)
            chunk = []
            firsts.clear()
    if pre is not None and pre.held:
        ready, refused = pre.check()
        for row, source, at, missing in refused:
            outcome.problem(source, at, "course", pre.why(row, missing, members), OPTION_OF)
        chunk += ready
        hint = f"{IMPORT_HINT} {PREREQ_HINT}" if refused else IMPORT_HINT
    else:
        hint = IMPORT_HINT
    chunk = unchanged(chunk)
    outcome.refuse("record", skip_invalid, hint)
    writer.write(chunk)
    outcome.feed = writer.close()
    outcome.category_notices = categories.notices()
    extra = {} if check_prerequisites else {"prerequisites": "not checked (--skip-prereq-check)"}
    _audit(session, actor, "record.import", outcome, files=outcome.files, rows=outcome.rows,
           rejected=outcome.rejected, already=outcome.already, **extra)  # fmt: skip
    if nested is not None:
        nested.rollback()
    else:
        outcome.written = True
    return outcome


def _check_options(defaults: Mapping[str, str], today: date) -> None:
    """The options that fill a sheet's blanks (--date, --hours, ...) checked once, as
    options: a bad --date was reported on every line of every sheet ("line 2, field date",
    "line 3, field date", ...) as if the sheets were wrong."""
    if not defaults:
        return
    # the rule needs a course; "scheduled" lets a future --date through (a sheet's rows may
    # be scheduled sessions: a completed row dated later is still refused as a row)
    probe = {"course": "-", "status": "scheduled", **defaults}
    _, problems = dr.parse_record(probe, today)
    bad = [(f, why) for f, why in problems if f in defaults]
    if bad:
        raise BadInputError(
            "The options are not valid; nothing was imported.",
            "Fix the options named above; `trainctl record import --help` lists them.",
            details=[f"{OPTION_OF.get(f, f)}: {why}" for f, why in bad],
        )


def _missing_columns(header: sheet.Header, defaults: Mapping[str, str]) -> list[str]:
    """The columns a sign-in sheet needs that neither it nor an option gives."""
    missing = [f for f in ("date",) if not header.has(f) and f not in defaults]
    if not header.has("course") and not header.has("course_code") and "course" not in defaults:
        missing.append("course (or course_code)")
    if missing:
        return [f"missing {word_for(len(missing), 'column')}: {', '.join(missing)} (or give --{missing[0].split()[0]})"]
    times = [h for h in header.ignored if sheet.header_key(h) in _TIME_KEYS]
    if times and not header.has("hours") and "hours" not in defaults:
        return [f"the sheet has {' and '.join(map(repr, times))} but no hours column: hours are not worked "
                "out from times (a course's default hours would be taken instead); add an "
                "hours column (Hrs: 3.5) or give --hours"]  # fmt: skip
    return []


_TIME_KEYS = frozenset(sheet.header_key(n) for n in ("time in", "time out"))


# The fields of a row other than who it is about: rows of one session share them, so a
# row's values are checked once per distinct combination (a bounded memo), not per row.
_SHARED = tuple(f.name for f in dr.SHEET_FIELDS if f.name not in (*dr.MEMBER_FIELDS, "name"))
_LINE = COLUMNS.index("source_line")
MEMO_LIMIT = 20_000


class _Rows:
    """Sheet rows -> insert rows or problems, for one import."""

    def __init__(
        self, today: date, members: MemberIndex, courses: CourseIndex, actor: Actor, now: Any,
        outcome: Outcome, categories: dr.Categories,
    ) -> None:  # fmt: skip
        self.today, self.members, self.courses = today, members, courses
        self.categories = categories
        self.actor, self.now, self.outcome = actor, now, outcome
        self.memo: dict[tuple[Any, ...], tuple[tuple[Any, ...] | None, list[tuple[str, str]]]] = {}
        self._names: dict[tuple[str, int], bool] = {}

    def named(self, written: str, member_id: int, name: str) -> bool:
        """Whether a row's name column writes its member's name (domain.text.same_name),
        once per spelling and member (a member signs many sheets)."""
        key = (written, member_id)
        found = self._names.get(key)
        if found is None:
            if len(self._names) >= MEMO_LIMIT:
                self._names.clear()
            found = self._names[key] = same_name(written, name)
        return found

    def shared(self, values: dict[str, str], source: str) -> tuple[tuple[Any, ...] | None, list[tuple[str, str]]]:
        key = (source, *map(values.get, _SHARED))  # C-level: no generator frame per row
        found = self.memo.get(key)
        if found is not None:
            return found
        checked, problems = dr.parse_record(values, self.today)
        course = None
        if checked.course or checked.course_code:
            course, problem = self.courses.resolve(checked.course_code, checked.course)
            if problem:
                problems.append(problem)
        template = None
        if not problems:
            # a free course name's closest catalog course (the name is said for the rows
            # kept: `row`)
            if course is None and checked.course not in self.outcome.close_to and (
                near := self.courses.closest(checked.course)
            ):
                self.outcome.close_to[checked.course] = near
            template, problem = draft(checked, 0, course, source=(source, 0), actor=self.actor,
                                      now=self.now, categories=self.categories)  # fmt: skip
            if problem:
                problems.append(problem)
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        self.memo[key] = (template, problems)
        return template, problems

    def row(
        self, values: dict[str, str], line: int, source: str
    ) -> tuple[tuple[Any, ...] | None, list[tuple[str, str]]]:
        """One sheet row: the insert row, or every problem it has (field, reason). The
        member is judged on the record's date (active then, though retired since)."""
        template, problems = self.shared(values, source)
        member, problem = self.members.resolve(
            values, None if problems else template[_ON], undated=bool(problems)  # type: ignore[index]
        )
        if problem is None and member is not None:
            problem = self.actor.own_line(member.id, "training")
        if problem:
            return None, [problem, *problems]
        if problems:
            return None, problems
        assert member is not None and template is not None
        hired, on = self.members.hired.get(member.id), template[_ON]
        if hired is not None and on is not None and hired > on:  # a typo, or a pre-hire academy
            self.outcome.before_hire.append((source, line, member.name, hired, on))
        if (written := values.get("name")) and not self.named(written, member.id, member.name):
            self.outcome.name_doubts.append((source, line, written, member.name))
        if template[_COURSE] is None:  # a free course name, said once the row is good
            self.outcome.free_named.add(template[_NAME_COL])
        elif (why := dr.hours_doubt(template[_HOURS], self.courses.by_id[template[_COURSE]].duration)):
            self.outcome.hours_doubts.append(f"{source}, line {line}, field hours: {why}.")
        return (member.id, *template[1:_LINE], line, *template[_LINE + 1 :]), []


def _voided_keys(session: Session) -> dict[tuple[int, str, date | None], list[tuple[float, str]]]:
    """The hours and status of void records (usually few) by natural key: an import never
    brings one back (the same sheet again), but a row with other hours or another status
    is the corrected sheet and is entered (as a shift's other times are: services/shifts)."""
    t = TrainingRecord.__table__  # type: ignore[attr-defined]
    out: dict[tuple[int, str, date | None], list[tuple[float, str]]] = {}
    for m, k, d, hours, status in session.execute(
        sa.select(t.c.member_id, t.c.course_key, t.c.completion_date, t.c.hours_completed, t.c.status)
        .where(t.c.voided_at.is_not(None))
    ):  # fmt: skip
        out.setdefault((m, k, d), []).append((hours, status))
    return out


def _audit(session: Session, actor: Actor, action: str, outcome: Outcome, **detail: Any) -> None:
    """One audit row per command that changed something (records carry who and when)."""
    if not outcome.added and not outcome.feed.credits:
        return
    session.execute(
        sa.insert(AuditLog),
        [{"at": utcnow(), "actor_id": actor.member_id, "action": action, "entity": "training_record",
          "entity_id": outcome.record_ids[0] if len(outcome.record_ids) == 1 else None,
          "detail": {**detail, "added": outcome.added, "credits": outcome.feed.credits}}],
    )  # fmt: skip


# ------------------------------------------------------------------------- free course names
@dataclass
class Adopted:
    """Records entered under a free course name that a new catalog course took in."""

    course: str  # the course as said: its code, else its name
    name: str  # the free name as entered (the first of its spellings)
    records: int = 0
    void: int = 0  # of them, void (kept with the course, so an import still leaves them out)
    left: int = 0  # live ones left under the free name: the member's record of that day is another


def adopt_free_named(
    session: Session, actor: Actor, course_ids: Sequence[int], *, today: date, dry_run: bool = False
) -> tuple[list[str], list[Adopted]]:
    """A course added to the catalog takes in the records entered under its name or code
    as a free course name (the import said "not in the course catalog; recorded under that
    name" and the officer added it): course id, code and name, and its type, category and
    expiry where the record has none; hours and everything else stay as entered. The live
    ones are then credited as any record of that course (credit_feed.resettle_records:
    program progress; compliance reads the records), and the renewals they make or meet
    settled (credit_feed.settle_renewals). A void one is taken in too (so the
    same sheet imported again still leaves it out). Two live records of one member and day
    (under the name and under the code) would be one record of the course: the first is
    taken in, the other left under its name and said. Returns the lines to say and what
    was taken in, per course."""
    t = TrainingRecord.__table__  # type: ignore[attr-defined]
    c = Course.__table__  # type: ignore[attr-defined]
    courses = session.execute(sa.select(c).where(c.c.id.in_(sorted(set(course_ids))))).all()
    categories = requirement_categories(session)
    said: list[Adopted] = []
    changed: list[tuple[int, int]] = []  # live (record id, member id): to credit
    for course in sorted(courses, key=lambda r: r.id):
        keys = sorted({dr.course_key(None, n) for n in (course.name, course.code) if n})
        found = session.execute(
            sa.select(t.c.id, t.c.member_id, t.c.completion_date, t.c.course_name, t.c.training_type,
                      t.c.category, t.c.topic, t.c.expiration_date, t.c.voided_at)
            .where(t.c.course_id.is_(None), t.c.course_key.in_(keys)).order_by(t.c.id)
        ).all()  # fmt: skip
        if not found:
            continue
        done = Adopted(course.code or course.name, found[0].course_name)
        taken: set[tuple[int, Any]] = set()
        updates = []
        for r in found:
            live = r.voided_at is None
            if live and (r.member_id, r.completion_date) in taken:
                done.left += 1
                continue
            if live:
                taken.add((r.member_id, r.completion_date))
                changed.append((r.id, r.member_id))
            else:
                done.void += 1
            category, topic = (r.category, r.topic) if r.category else categories.canon(course.category, r.topic)
            expires = r.expiration_date
            if expires is None and course.expiration_months and r.completion_date is not None:
                expires = held_through(r.completion_date, None, course.expiration_months)
            updates.append({
                "rid": r.id, "course_id": course.id, "course_code": course.code, "course_name": course.name,
                "course_key": dr.course_key(course.id, course.name),
                "training_type": r.training_type or course.training_type, "category": category,
                "topic": topic, "expiration_date": expires,
            })  # fmt: skip
            done.records += 1
        if updates:
            session.execute(
                t.update().where(t.c.id == sa.bindparam("rid")),
                updates,
                execution_options={"synchronize_session": False},
            )
            audit(session, actor, "record.course", "course", course.id, name=done.name,
                  records=[u["rid"] for u in updates])  # fmt: skip
        said.append(done)
    lines = []
    for a in said:
        now = "would belong" if dry_run else "now belong" + ("s" if a.records == 1 else "")
        void = f" ({a.void} of them void)" if a.void else ""
        lines.append(f"{plural(a.records, 'record')} entered under the name {a.name!r} {now} to {a.course}{void}.")
        if a.left:
            lines.append(
                f"{plural(a.left, 'record')} under the name {a.name!r} left as entered: the member's record "
                f"of that day under the other spelling is now {a.course}'s (one of them is a duplicate: void it)."
            )  # fmt: skip
    if changed:
        from trainctl.services.credit_feed import resettle_records

        recredit = resettle_records(session, actor, changed, today=today,
                                    reason="records entered under a free course name taken into its course")  # fmt: skip
        lines += recredit.lines("the requirements that count them")
        # a record now of a certification's course (with the course's expiry) can renew a
        # card or record before it, or be renewed, as the record writer's close settles
        settled = settle_renewals(session, actor, {m for _, m in changed}, today=today,
                                  reason="a later card or class record renews this one")  # fmt: skip
        lines += [*settled.renewal_lines(), *settled.feed.events]
    return lines, said


# ------------------------------------------------------------------------------------- void
def get_record(session: Session, ref: str | int) -> TrainingRecord:
    number = as_id(str(ref))
    record = session.get(TrainingRecord, number) if number is not None else None
    if record is None:
        raise NotFoundError(
            f"No training record {str(ref).strip()!r}.",
            "`trainctl record list` shows records with their ids.",
        )
    return record


def void_record(
    session: Session, actor: Actor, ref: str, *, reason: str, today: date
) -> tuple[TrainingRecord, FeedResult | None]:
    """Keep the record, stamp who/when/why, reverse its credit. Voiding a void record
    changes nothing (returns None for the feed)."""
    actor.require(MANAGE, "void training records")
    record, feed = void_row(session, actor, lambda: get_record(session, ref), reason=reason, today=today,
                            source_type="training_record", action="record.void", what="record",
                            dated=lambda r: r.completion_date if r.status == "completed" else None)  # fmt: skip
    if feed is not None and credential_code(record.course_code or "") in named_codes(session):
        # a void renewal no longer renews the card or record before it: that one credits again
        settled = resettle_cards(session, actor, [record.member_id], today=today,
                                 reason=f"void of record {record.id}: {reason.strip()}")  # fmt: skip
        feed.events = [*settled.renewal_lines(), *feed.events, *settled.feed.events]
    return record, feed


__all__ = [
    "COLUMNS", "Adopted", "CourseIndex", "MemberIndex", "Outcome", "RefusedError", "add_records",
    "adopt_free_named", "crew", "get_record", "import_records", "void_record",
]  # fmt: skip
