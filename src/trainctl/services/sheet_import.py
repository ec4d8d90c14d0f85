"""What every sheet import shares (records, cards, shifts, calls): the member index rows
are resolved through, reading sheets as people deliver them, checking each row, the
outcome with its problems (and the reasons a reject file carries), the refusal rule,
writing in chunks with each chunk's new rows credited, and the audit row.

One rule for all of them (README "Partial imports"): every row of every file is checked;
any bad row and nothing is written (BadInputError, exit 65) unless `skip_invalid`, which
writes the good rows; a file that cannot be read stops the import whatever the flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.domain import records as dr
from trainctl.domain import sheet
from trainctl.domain.lookup import as_id
from trainctl.domain.text import plural, quoted, same_name, unguarded, word_for
from trainctl.errors import BadInputError, RefusedError
from trainctl.models import AuditLog, Member, utcnow
from trainctl.queries.members import RUN_IDS, NameIndex, name_key, other_named
from trainctl.services.auth import Actor
from trainctl.services.credit_feed import CreditFeed, FeedResult, InsertIgnoring, source_groups

CHUNK_ROWS = 5_000
MEMO_LIMIT = 20_000  # answers remembered per index (bounded memory on any import)
MEMBER_FIELDS = tuple(f for f in dr.SHEET_FIELDS if f.name in ("email", "badge", "member", "name"))
SHEET_IGNORED = ("signature", "initials", "notes", "comments", "remarks", "rank", "phone", "no", "row",
                 sheet.REJECT_COLUMN)  # fmt: skip
IMPORT_HINT = (
    "Fix the rows named above and run the command again, or add --skip-invalid to import "
    "the good rows (the command then exits 65 to say rows were left out)."
)

# how a row whose member cell names nobody is said ("no member has the badge 'P-999'"), and
# what the refusal's hint then adds: the member may not be on file yet (review r1)
NOBODY = "no member has the"
REQUIRED = "is required (an e-mail, badge or member column)"
NOT_ON_FILE = (
    "A member not on file yet is added first (`trainctl member add NAME --email EMAIL`, or a "
    "roster with `trainctl member import --csv FILE`)."
)

V = TypeVar("V")
Problems = list[tuple[str, str]]  # (field, reason)


# ------------------------------------------------------------------------------- members
@dataclass(frozen=True, slots=True)
class _Member:
    id: int
    name: str
    email: str
    status: str


class MemberIndex:
    """Every member, by id, e-mail (case aside) and badge (leading zeros aside)."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            sa.select(Member.id, Member.name, Member.email, Member.badge, Member.status, Member.positions,  # type: ignore[call-overload]
                      Member.hire_date)
        ).all()
        self.hired = {r[0]: r[6] for r in rows}
        self.by_id = {r[0]: _Member(r[0], r[1], r[2], r[4]) for r in rows}
        self.by_email = {r[2].casefold(): r[0] for r in rows}
        self.badges = sheet.BadgeIndex({r[3]: r[0] for r in rows if r[3]})
        self.by_name: dict[str, list[int]] = {}  # a member column's full name (queries.members)
        for r in rows:
            self.by_name.setdefault(name_key(r[1]), []).append(r[0])
        self.positions = {r[0]: set(r[5] or []) for r in rows}
        self._memo: dict[tuple[str | None, ...], tuple[_Member | None, tuple[str, str] | None]] = {}
        self._session = session
        self._history: dict[int, list[Any]] | None = None  # every member's, read once
        self._then: dict[tuple[int, Days], tuple[date, str | None]] = {}  # per member and day
        self._steady: set[int] = set()  # members whose history never had another status
        self._close: Callable[[str], list[Any]] | None = None  # closest names, read on a miss
        self._offered = 0  # member cells offered the closest names (the first SUGGESTED)
        self._name_index: NameIndex[_Member] | None = None  # the members by the words of their names (`_names`)

    def resolve(
        self, values: Mapping[str, str], on: Days = None, *, undated: bool = False
    ) -> tuple[_Member | None, tuple[str, str] | None]:
        """The member a row names (email, badge, or a member reference), or the problem.
        A member signs many sheets: the answer is remembered per spelling (bounded). `on`:
        the row's date (or the days it may belong to): the member is judged as they were
        then, by their history (a sheet of last month names a member who retired this
        week; a member on leave then is refused). `undated`: the row has other problems
        (its date among them, maybe): a member inactive now is not held against it (the
        row is refused for those; once fixed, its day decides)."""
        key = tuple(map(values.get, _MEMO_FIELDS))
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = self._resolve(values)
        member, problem = found
        if member is None:
            return found
        if on is None:
            if problem is not None and undated:
                return member, None
            return found if problem is None else (None, problem)
        history = self.history()
        if member.id in self._steady and problem is None:
            return found
        judged = self._then.get((member.id, on))
        if judged is None:  # a member signs many lines of a day: judged once (bounded)
            if len(self._then) >= MEMO_LIMIT:
                self._then.clear()
            judged = self._then[(member.id, on)] = _judged(history.get(member.id), on, member.status)
        day, then = judged
        if then == "active":
            return member, None
        field_name = problem[0] if problem else next(
            (n for n in dr.MEMBER_FIELDS if (values.get(n) or "").strip()), "member"
        )  # fmt: skip
        return None, (field_name, inactive_text(member.name, member.email, day, then))

    def history(self) -> dict[int, list[Any]]:
        """Every member's history (queries/members.timelines), read once, not once per row."""
        if self._history is None:
            self._history = _timelines(self._session)
            # members whose history never had another status than today's: any day is
            # today (most of a roster; 80,000 lines judged in 0.10 s instead of 0.33-0.39)
            self._steady = {mid for mid, m in self.by_id.items()
                            if all(s.status == m.status for s in self._history.get(mid, ()))}  # fmt: skip
        return self._history

    def holders(self, code: str, on: date | None) -> list[int]:
        """The members who held position `code` and were active on `on`, by their history
        (queries/members.state_on and not_yet_hired: the roster of `member list --as-of`):
        a drill entered late is credited to the crew of its day, not to who holds the
        position now, nor to a member hired since. Without a day, or for a member without
        history, today's positions and status. By name."""
        from trainctl.queries import members as qm

        history = self.history() if on is not None else {}
        out = []
        for mid, m in self.by_id.items():
            timeline = history.get(mid)
            state = qm.state_on(timeline, on) if timeline and on is not None else None
            if state is not None and on is not None and qm.not_yet_hired(self.hired.get(mid), state, on):
                continue
            positions, status = (self.positions[mid], m.status) if state is None else (
                set(state.positions), state.status)  # fmt: skip
            if status == "active" and code in positions:
                out.append(mid)
        return sorted(out, key=lambda i: (self.by_id[i].name.casefold(), i))

    def _named(self, text: str) -> tuple[int | None, str]:
        """The one member of that full name (case and spacing aside), or why not."""
        ids = self.by_name.get(name_key(text), [])
        if len(ids) == 1:
            return ids[0], ""
        if not ids:
            return None, f"no member is named {quoted(text.strip())}"
        who = "; ".join(f"{self.by_id[i].name} ({self.by_id[i].email})" for i in ids[:6])
        return None, (
            f"{len(ids)} members are named {quoted(text.strip())} ({who}); name the member by "
            "badge, e-mail or id:N"
        )

    def _offer(self, text: str) -> str:
        """" (did you mean Dana Ruiz (badge F-203)?)" for a member cell naming nobody, as
        `member show` offers it: a sign-in sheet's "Dana Ruiz" beside a roster's "Ruiz,
        Dana". For the first SUGGESTED such cells of a run (each spelling once), as `enroll
        bulk` offers them; never to an actor who may not be shown other members."""
        from trainctl.queries import members as qm
        from trainctl.queries import reader_of

        if self._offered >= qm.SUGGESTED:
            return ""
        if self._close is None:
            self._close = qm.closest_members(reader_of(self._session)) or (lambda _: [])
        self._offered += 1
        close = self._close(text)
        return f" (did you mean {qm.offered_names(close)}?)" if close else ""

    def _resolve(self, values: Mapping[str, str]) -> tuple[_Member | None, tuple[str, str] | None]:
        member, problem = self._resolve_cells(values)
        if member is None and problem is not None and problem[0] in dr.MEMBER_FIELDS:
            problem = (problem[0], problem[1] + self._name_says(values, problem))
        return member, problem

    def _name_says(self, values: Mapping[str, str], problem: tuple[str, str]) -> str:
        """What the row's name cell says of a row whose member cells name nobody, or that
        leaves them empty (a sign-in form's mistyped or blank e-mail beside "Paula Dunn"):
        whose name it is, and which cell to correct, as `enroll bulk` says it; a name that
        names nobody either is offered the closest. Nothing for a name the member cell
        itself gave, or for a row refused for another reason (two members, a badge that
        looks like two)."""
        written = (values.get("name") or "").strip()
        cell, why = problem
        required = why == REQUIRED
        if not written or not (required or why.startswith(NOBODY)):
            return ""
        if any(name_key(values.get(f) or "") == name_key(written) for f in dr.MEMBER_FIELDS):
            return ""
        ids = self.by_name.get(name_key(written), [])
        if not ids:  # "Lee, Ann" is Ann Lee's name, as `enroll bulk` reads it (one rule)
            ids = [m.id for m in self._names().matches(written)]
        if len(ids) == 1:
            m = self.by_id[ids[0]]
            if required:
                return f"; the row's name is that of {m.name} ({m.email}): put their e-mail or badge in the row"
            what = "e-mail" if cell == "email" else cell
            return (f"; the row's name is that of {m.name} ({m.email}): correct the {what}, or the name "
                    "if the row is about someone else")  # fmt: skip
        if ids:
            return ""
        offer = self._offer(written)
        either = "" if required else " either"
        return f"; the row's name {quoted(written)} names nobody{either}{offer}" if offer else ""

    def _names(self) -> NameIndex[_Member]:
        """The members by the words of their names (queries.members.NameIndex), made on
        the first row that needs it."""
        if self._name_index is None:
            self._name_index = NameIndex(sorted(self.by_id.values(), key=lambda m: m.id))
        return self._name_index

    def _resolve_cells(self, values: Mapping[str, str]) -> tuple[_Member | None, tuple[str, str] | None]:
        found: dict[str, int] = {}
        for name in dr.MEMBER_FIELDS:
            text = (values.get(name) or "").strip()
            if not text:
                continue
            if name in ("member", "email") and text.lower().startswith("email:"):
                text = text.split(":", 1)[1].strip()  # (record add passes "email:..." as one)
            if name == "email" or (name == "member" and "@" in text):
                mid = self.by_email.get(text.casefold())
                if mid is None:
                    return None, (name, f"{NOBODY} e-mail {quoted(text)}")
            elif name == "member" and (text.lower().startswith("id:") or text.startswith("#")):
                mid = as_id(text.split(":", 1)[-1])
                if mid not in self.by_id:
                    return None, (name, f"{NOBODY} id {quoted(text)}")
            elif name == "member" and text.lower().startswith("name:"):
                mid, why = self._named(text.split(":", 1)[1])
                if mid is None:
                    return None, (name, why)
            else:
                says_badge = name == "member" and text.lower().startswith("badge:")
                if says_badge:
                    text = text.split(":", 1)[1].strip()
                mid, ambiguous = self.badges.find(text)
                if ambiguous:
                    return None, (name, f"badge {quoted(text)} {ambiguous}; write the badge as it is stored")
                # a member column's bare number may be an id (a badge column's never is)
                bare = name == "member" and not says_badge and not text.startswith("0")
                number = as_id(text) if bare else None
                if (
                    mid is not None and number in self.by_id and number != mid
                    and text not in self.badges.exact
                ):  # fmt: skip
                    # "21": badge 0021 once its zeros are dropped, and another member's id
                    # (queries.members.choose refuses it alike): never a guess between two
                    return None, (name, (
                        f"{quoted(text)} is the id of {self.by_id[number].name} and, leading zeros "
                        f"aside, the badge of {self.by_id[mid].name}; write the badge as it is "
                        f"on file, or id:{number} for the id"
                    ))  # fmt: skip
                if mid is None and number in self.by_id:
                    mid = number
                if mid is None and name == "member" and not says_badge and not text.isdigit():
                    # a member's full name, as the one resolver takes it (queries.members)
                    mid, why = self._named(text)
                    namesakes = self.by_name.get(name_key(text), [])
                    settled = [i for i in found.values() if i in namesakes]
                    if why and settled:  # two of that name: the row's e-mail or badge says which
                        mid = settled[0]
                    elif why and namesakes:  # two members of that name
                        return None, (name, why)
                if mid is None:
                    what = "badge or name" if name == "member" else "badge"
                    offer = self._offer(text) if name == "member" and not text.isdigit() else ""
                    return None, (name, f"{NOBODY} {what} {quoted(text)}{offer}")
            found[name] = mid  # type: ignore[assignment]
        if not found:
            return None, ("member", REQUIRED)
        ids = set(found.values())
        if len(ids) > 1:
            who = "; ".join(f"{k} is {self.by_id[v].name}" for k, v in found.items())
            return None, (next(iter(found)), f"the row names two members ({who})")
        member = self.by_id[ids.pop()]
        written = values.get("name") or ""
        others = other_named(written, member.id, [self.by_id[i] for i in self.by_name.get(name_key(written), [])])
        if others:  # the name cell is another member's (queries.members.other_named)
            them = " and ".join(f"{m.name} ({m.email})" for m in others[:3])
            cell = next(iter(found))
            return None, ("name", (
                f"the row names two members ({cell} is {member.name}; name {written.strip()!r} is "
                f"{them}); correct the {cell} if the row is about {others[0].name}, or the name "
                f"if it is about {member.name}"
            ))  # fmt: skip
        if member.status != "active":  # the member with the problem: `resolve` looks at the day
            return member, (next(iter(found)), inactive_text(member.name, member.email))
        return member, None


# what `MemberIndex.resolve` remembers a row's member by: its member cells and its name
# (a name cell that is another member's refuses the row: `other_named`)
_MEMO_FIELDS = (*dr.MEMBER_FIELDS, "name")


# a row's day, or the days it may belong to (a call without its shift date: its own day
# first, the day before, the day after)
Days = date | tuple[date, ...] | None


def _timelines(session: Session, ids: Sequence[int] | None = None) -> dict[int, list[Any]]:
    from trainctl.queries import members as qm
    from trainctl.queries import reader_of

    return qm.timelines(reader_of(session), ids)


def _judged(timeline: Sequence[Any] | None, on: date | tuple[date, ...], now: str) -> tuple[date, str | None]:
    """(the day judged, the member's status then): by their history (queries/members.
    state_on, the one rule of every as-of answer), active on any of the days if it can be;
    without history, today's status (`now`) held throughout."""
    from trainctl.queries import members as qm

    days = on if isinstance(on, tuple) else (on,)
    if not timeline:
        return days[0], "active" if now == "active" else None
    first: tuple[date, str | None] | None = None
    for day in days:
        state = qm.state_on(timeline, day)
        status = None if state is None else state.status
        if status == "active":
            return day, status
        first = first or (day, status)
    assert first is not None
    return first


def inactive_text(name: str, email: str, on: date | None = None, then: str | None = None) -> str:
    """Why a member is refused: inactive now, or (`then`, from their history) on the day."""
    if on is None or then is None:
        return f"{name} ({email}) is inactive; records are kept for active members"
    return f"{name} ({email}) was {then} on {on}; records are kept for the days a member was active"


# --------------------------------------------------------------------- sheet scaffolding
@dataclass
class ImportOutcome:
    """What an import or add did (or, in a dry run, would do)."""

    rows: int = 0  # data rows read (import) / members named (add)
    added: int = 0
    already: int = 0  # on file with the same values (or repeated in the files)
    repeated: int = 0  # the same row again in the files: counted once
    same: str = "same member, course and date"  # what makes a row the same as one above
    voided: int = 0  # matching a void row, or marked void by a listing: not brought back
    created: int = 0  # shifts or calls created along the way
    corrected: list[str] = field(default_factory=list)  # calls corrected along the way (shifts.py)
    problems: list[str] = field(default_factory=list)
    reasons: dict[tuple[str | None, int | None], list[str]] = field(default_factory=dict)  # for a reject file
    broken: list[BadInputError] = field(default_factory=list)  # files that cannot be read
    unread: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, its notes)
    ids: list[int] = field(default_factory=list)  # new row ids (`add` forms)
    made: tuple[int, int] | None = None  # the first and last id of the new rows (the audit entry)
    feed: FeedResult = field(default_factory=FeedResult)
    files: list[str] = field(default_factory=list)
    written: bool = False
    notices: list[str] = field(default_factory=list)  # worth a look; refuse nothing (stderr)
    # rows dated before their member's hire date: (file, line, name, hire date, row's day;
    # file and line None for an add). Recorded as given (a pre-hire academy), and said.
    before_hire: list[tuple[str | None, int | None, str, date, date]] = field(default_factory=list)
    # rows whose name column is not their member's (file, line, name as written, member):
    # the e-mail or badge decides, and the row is said (a wrong badge credits someone else)
    name_doubts: list[tuple[str, int, str, str]] = field(default_factory=list)
    # times whose written offset is not the department's clock's (domain.shifts.offset_doubt):
    # "FILE, line N, field F: why." or "--option: why."; taken as the instants they are, and said
    clock_doubts: list[str] = field(default_factory=list)
    # said once (stderr, not under --quiet) when a time without an offset was read on the
    # department's clock: "Note: times without an offset read as America/Chicago (...)"
    clock_note: str = ""
    # hours far above their course's duration (domain.records.hours_doubt: 15 for 1.5), as
    # clock_doubts are written; recorded as given (an academy recorded on its last day), and said
    hours_doubts: list[str] = field(default_factory=list)
    # references of an add naming one member: (the member's name, the references)
    twice: list[tuple[str, list[str]]] = field(default_factory=list)
    day_word: str = "the record's date"  # what the rows' day is called in those notes

    @property
    def bad(self) -> Mapping[tuple[str | None, int | None], list[str]]:
        """The rows with problems, by (file, line)."""
        return self.reasons

    @property
    def rejected(self) -> int:
        return len(self.reasons)

    def problem(
        self, source: str | None, line: int | None, name: str, why: str, options: Mapping[str, str]
    ) -> None:
        """Record a problem: "FILE, line N, field F: why", or "--option: why" for an add."""
        self.reasons.setdefault((source, line), []).append(f"{name}: {why}")
        if source is None:
            self.problems.append(f"{options.get(name, name)}: {why}")
        else:
            self.problems.append(f"{source}, line {line}, field {name}: {why}")

    def doubt(
        self, source: str | None, line: int | None, name: str, why: str, options: Mapping[str, str]
    ) -> None:
        """Note a value taken as given that a person should look at (`clock_doubts`)."""
        where = options.get(name, name) if source is None else f"{source}, line {line}, field {name}"
        self.clock_doubts.append(f"{where}: {why}.")

    def refuse(self, what: str, skip_invalid: bool, hint: str = IMPORT_HINT, also: str = "") -> None:
        """Raise when a file is unreadable, or when rows are bad (unless skip_invalid).
        `also`: a sentence the hint ends with (how to change a row on file)."""
        more = f" {also}" if also else ""
        if any(f": {NOBODY} " in p for p in self.problems):
            more += f" {NOT_ON_FILE}"
        if self.broken:
            first = self.broken[0]
            many = len(self.broken) > 1
            raise BadInputError(
                f"{len(self.broken)} files cannot be imported; nothing was imported." if many else first.message,
                first.hint,
                details=[*(d for e in self.broken for d in ([e.message] if many else []) + e.details),
                         *self.problems],
            )  # fmt: skip
        if self.bad and (not skip_invalid or all(s is None for s, _ in self.bad)):
            if all(s is None for s, _ in self.bad):
                raise BadInputError(
                    f"The {what} is not valid; nothing was recorded.",
                    "Fix the values named above; -h lists the options." + more,
                    details=self.problems,
                )
            raise BadInputError(
                f"{self.rejected} of {plural(self.rows, 'row')} "
                f"{word_for(self.rejected, 'has', 'have')} problems; nothing was imported.",
                hint + more,
                details=self.problems,
            )


HeaderCheck = Callable[[sheet.Header, Mapping[str, str]], list[str]]


def read_rows(
    name: str,
    stream: BinaryIO | Iterable[bytes],
    fields: Sequence[sheet.Field],
    *,
    ignore_unknown: bool,
    hint: str,
    ignored: Sequence[str] = SHEET_IGNORED,
    defaults: Mapping[str, str] | None = None,
    check_header: HeaderCheck | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {field: trimmed cell}) for every data row of a sheet (blank cells left out;
    `defaults` fill what a row leaves blank or a sheet has no column for; a row with a line
    break in any cell comes as `BROKEN` alone). A file that cannot be read (encoding, a
    broken line, the header) raises BadInputError.
    `check_header(header, defaults)`: more problems with the header (a missing column)."""
    defaults = defaults or {}
    try:
        dates = sheet.DateOrder(name)  # a day-first file's slash dates are not guessed
        lines = sheet.read_sheet(stream, name, dates)
        head = next(lines)
        header, problems = sheet.match_header(head.cells, fields, ignore_unknown=ignore_unknown, ignored=ignored)
        names = {f.name for f in fields}
        members = [f for f in dr.MEMBER_FIELDS if f in names]
        if members and not any(header.has(f) for f in members) and not problems:
            if "member" in names and header.has("name"):
                # a sign-in sheet naming its people in a Name column alone: that column is
                # the member's (a full name, as a member column takes it; namesakes refused)
                header.columns = {i: "member" if f == "name" else f for i, f in header.columns.items()}
            else:
                problems.append("no column names the member: give an e-mail, badge, member or name column")
        if check_header is not None:
            problems += check_header(header, defaults)
        if problems and (titled := sheet.header_below(head, lines, fields, ignore_unknown=ignore_unknown,
                                                      ignored=ignored)):  # fmt: skip
            problems = [titled]
        if problems:
            raise sheet.SheetError(
                f"{name}, line {head.number}: the header does not match; nothing was imported.",
                hint,
                problems,
            )
        columns = [(i, f) for i, f in header.columns.items() if i is not None]
        last = max((i for i, _ in columns), default=-1)  # a row this long has every column
        width = len(head.cells)
        unnamed = [i for i, h in enumerate(head.cells) if not h.strip()]  # empty trailing columns
        noted = [(i, h.strip()) for i, h in enumerate(head.cells) if sheet.header_key(h) in NOTE_KEYS]
        # (sheet.cell inlined below: the apostrophe a CSV writer put before a formula-like text
        # is read back off, domain.text.unguarded)
        for number, cells, end in lines:  # sheet.cell inlined: this loop runs once per cell of the import
            if end != number and (broken := sheet.line_breaks(cells, header.names, header.columns)):
                yield number, {BROKEN: "\n".join(f"{column}\t{why}" for column, why in broken)}
                continue
            values = dict(defaults) if defaults else {}
            if (len(cells) > width or unnamed) and (spilled := sheet.extra_cells(cells, width, unnamed)):
                values[SPILLED] = spilled
            if noted and (said := _noted(cells, noted)):
                values[NOTED] = said
            if len(cells) > last:
                for i, field_name in columns:
                    if text := cells[i].strip():
                        values[field_name] = text = text if text[0] not in "'=" else unguarded(text)
                        if "/" in text or "," in text:
                            dates.note(number, field_name, text)
            else:
                n = len(cells)
                for i, field_name in columns:
                    if i < n and (text := cells[i].strip()):
                        values[field_name] = text = text if text[0] not in "'=" else unguarded(text)
                        if "/" in text or "," in text:
                            dates.note(number, field_name, text)
            yield number, values
        if (refusal := dates.problem()) is not None:
            raise refusal
    except sheet.SheetError as exc:
        raise BadInputError(exc.message, exc.hint, details=exc.details) from None


# A row with a line break in a cell, read or not (sheet.line_breaks: a quote never closed
# took the lines after it into that cell): read_rows yields it as this alone, one
# "column<TAB>why" line per such cell (the names fold a header's spaces and line breaks);
# each_row refuses it.
BROKEN = "\0broken"


# A row with more cells than its header, or values under an empty header cell
# (sheet.extra_cells). "1,5" hours in a comma sheet are two cells, 1 and 5: the 5 would
# be dropped (or land in Notes) and the record kept at 1 h without a word. read_rows marks
# such a row with the problem; each_row refuses it.
SPILLED = "\0spilled"


# Notes columns are skipped (a record keeps no notes), but what a row says there may
# change what it means ("left early - sick"): read_rows marks it; each_row keeps it for a
# warning (ImportOutcome.unread).
NOTED = "\0noted"
NOTE_KEYS = frozenset(sheet.header_key(n) for n in ("notes", "note", "comments", "comment", "remarks"))


def _noted(cells: Sequence[str], noted: Sequence[tuple[int, str]]) -> str:
    """"Notes: 'left early - sick'" for a row's non-empty notes cells ('' when none)."""
    n = len(cells)
    return "; ".join(f"{h}: {cells[i].strip()!r}" for i, h in noted if i < n and cells[i].strip())


def spilled_cells(head: Sequence[str], cells: Sequence[str]) -> str:
    """The problem of a row with more cells than its header, or with values under an
    empty header cell (sheet.extra_cells; '' when none)."""
    unnamed = [i for i, h in enumerate(head) if not h.strip()]
    return sheet.extra_cells(cells, len(head), unnamed) if len(cells) > len(head) or unnamed else ""


def each_row(
    files: Iterable[tuple[str, BinaryIO | Iterable[bytes]]],
    fields: Sequence[sheet.Field],
    outcome: ImportOutcome,
    **reading: Any,
) -> Iterator[tuple[str, int, dict[str, str]]]:
    """Every data row of every file (read_rows' options); an unreadable file is noted in
    `outcome.broken` and the other files are still read (every problem reported at once).
    A row with a line break in a cell, or with values under no column, is a problem of its
    line, never yielded."""
    for name, stream in files:
        outcome.files.append(name)
        try:  # only read_rows raises here: the caller's errors never enter this generator
            for line, values in read_rows(name, stream, fields, **reading):
                outcome.rows += 1
                broken = values.pop(BROKEN, None)
                if broken:
                    for column, why in (b.split("\t", 1) for b in broken.split("\n")):
                        outcome.problem(name, line, column, why, {})
                    continue
                if sheet.is_void_mark(values.pop(sheet.VOID, "")):  # a listing's void row
                    outcome.voided += 1
                    continue
                said = values.pop(NOTED, None)
                if said:
                    outcome.unread.append((name, line, said))
                spilled = values.pop(SPILLED, None)
                if spilled:
                    outcome.problem(name, line, "row", spilled, {})
                    continue
                yield name, line, values
        except BadInputError as exc:
            outcome.broken.append(exc)


def checked_rows(
    files: Iterable[tuple[str, BinaryIO | Iterable[bytes]]],
    fields: Sequence[sheet.Field],
    outcome: ImportOutcome,
    members: MemberIndex,
    parse: Callable[[Mapping[str, str]], tuple[V | None, list[tuple[str, str]]]],
    options: Mapping[str, str],
    day: Callable[[V], Days] | None = None,
    own: Callable[[int], tuple[str, str] | None] | None = None,
    **reading: Any,
) -> Iterator[tuple[str, int, int, V]]:
    """(file, line, member id, parsed values) for every good row: each row's values through
    `parse` and its member through the index; a bad row's problems (all of them, the
    member's first) go to `outcome` instead. `own`: the problem of a line about the acting
    member (Actor.own_line), if any."""
    names: dict[tuple[str, int], bool] = {}  # (name as written, member): the same? (memo)
    for name, line, values in each_row(files, fields, outcome, **reading):
        checked, problems = parse(values)
        on = day(checked) if day and checked is not None else None
        member, problem = members.resolve(values, on, undated=bool(problems))
        if problem is None and member is not None and own is not None:
            problem = own(member.id)
        if problem:
            problems.insert(0, problem)
        if problems or checked is None or member is None:
            for f, why in problems:
                outcome.problem(name, line, f, why, options)
            continue
        hire_note(outcome, name, line, member.name, members.hired.get(member.id), on)
        if written := values.get("name"):
            same = names.get((written, member.id))
            if same is None:
                same = names[(written, member.id)] = same_name(written, member.name)
            if not same:
                outcome.name_doubts.append((name, line, written, member.name))
        yield name, line, member.id, checked


def hire_note(
    outcome: ImportOutcome, source: str | None, line: int | None, name: str, hired: date | None, on: Days
) -> None:
    """A row dated before its member's hire date (a typo in the date, or a pre-hire
    academy) is recorded as given, and said: `outcome.before_hire`. `on`: the row's day, or
    the days it may be (a call without its shift date): the last decides."""
    last = max(on) if isinstance(on, tuple) else on
    if hired is not None and last is not None and hired > last:
        outcome.before_hire.append((source, line, name, hired, last))


def write_chunk(
    session: Session,
    insert: InsertIgnoring,
    rows: Sequence[tuple[Any, ...]],
    outcome: ImportOutcome,
    feed: CreditFeed,
    source_type: str,
    *,
    keep_ids: bool,
) -> None:
    """Insert one chunk (INSERT ... ON CONFLICT DO NOTHING on the natural key), count what
    was new, and credit the new rows (credit_feed.source_groups: the one way a row of each
    kind becomes a fact). `keep_ids`: the new row ids go to `outcome.ids` (`add` forms)."""
    if not rows:
        return
    table = insert.table
    last = _new_since(insert.conn, table)
    added = insert.run(rows)
    outcome.added += added
    outcome.already += len(rows) - added
    if not added:
        return
    if keep_ids:
        outcome.ids += list(
            insert.conn.execute(sa.select(table.c.id).where(table.c.id > last).order_by(table.c.id)).scalars()
        )
    low, high = insert.conn.execute(
        sa.select(sa.func.min(table.c.id), sa.func.max(table.c.id)).where(table.c.id > last)
    ).one()
    outcome.made = (outcome.made[0] if outcome.made else int(low), int(high))
    if source_type == "training_record":
        feed.add_new_records(last)
    else:
        # a card a later one renews credits no requirement weighing the two together, judged
        # on the feed's day (`Fact.renewed`)
        day = feed.today if source_type == "certification" else None
        feed.add_groups(source_groups(session, [source_type], since=last, as_of=day))


def active_member(
    session: Session, ref: str, *, what: str = "member", on: Days = None
) -> tuple[int, str]:
    """(id, name) of the member a command names (the one resolver), judged as they were
    `on` the day of what is recorded (by their history; without a day, today): inactive
    then is refused."""
    from trainctl.services.members import get_member

    member = get_member(session, ref, what=what)
    assert member.id is not None
    day: date | None = None
    then: str | None = "active" if member.status == "active" else None
    if on is not None:
        day, then = _judged(_timelines(session, [member.id]).get(member.id), on, member.status)
    if then != "active":
        if member.status == "active":
            fix = (f"If they came back earlier, record it: `trainctl member edit id:{member.id} "
                   "--status active --effective DAY`")  # fmt: skip
        elif day is not None:  # reactivated today, they would still be inactive on the day
            fix = (f"If they were back by then, record it: `trainctl member edit id:{member.id} "
                   f"--status active --effective {day}`")  # fmt: skip
        else:
            fix = f"Reactivate them with `trainctl member edit id:{member.id} --status active` first"
        raise RefusedError(
            inactive_text(member.name, member.email, day, then) + ".",
            fix + (", or check the date." if day is not None and then is not None else "."),
        )
    return member.id, member.name


def audit_import(session: Session, actor: Actor, action: str, entity: str, outcome: ImportOutcome,
                 **detail: Any) -> None:  # fmt: skip
    """One audit row per command that changed something (the rows carry who and when), with
    the first and last id of the rows it made (queries/members.RUN_IDS: `member show` finds
    the run that made a card by them, not by the time)."""
    if not outcome.added and not outcome.feed.credits:
        return
    if outcome.made is not None:
        detail |= dict(zip(RUN_IDS, outcome.made, strict=True))
    session.execute(
        sa.insert(AuditLog),
        [{"at": utcnow(), "actor_id": actor.member_id, "action": action, "entity": entity,
          "entity_id": outcome.ids[0] if len(outcome.ids) == 1 else None,
          "detail": {**detail, "files": outcome.files, "added": outcome.added,
                     "already": outcome.already, "rejected": outcome.rejected,
                     "credits": outcome.feed.credits}}],
    )  # fmt: skip


def _new_since(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one())




# ----------------------------------------------------------------------- one kind of sheet
@dataclass(frozen=True)
class SheetKind:
    """What differs between the sheet imports of cards, shifts and calls; the rest is
    `import_sheet` and `add_one`.

    `parse(values, today)` checks a row's cells (or a command's options); a `zoned` kind's
    takes the department's zone too, `parse(values, today, zone)` (times of day, checked and
    kept on the department's clock); `row(source, line, member id, checked)` makes the kind's
    row; `store(session, actor, rows, outcome, *, today, dry_run, skip_invalid)` checks the
    rows against each other and the database, then writes and credits them."""

    what: str  # "card", "shift", "call": in messages
    imports: str  # the permission wording: "import certifications"
    adds: str  # "record certifications"
    fields: tuple[sheet.Field, ...]
    hint: str
    options: Mapping[str, str]
    parse: Callable[..., tuple[Any, Problems]]
    row: Callable[[str | None, int | None, int, Any], Any]
    store: Callable[..., None]
    day: Callable[[Any], Days] | None = None  # a row's date (a member's status then)
    day_word: str = "the record's date"  # what that date is called in notes: "the issue date"
    zoned: bool = False  # `parse` takes the department's zone (shifts and calls)
    # `settle(session, checked, member ids)`: the day an add leaves to the database (a
    # call's shift date: the call's on file, else the shift its responders attended), or
    # the problems why it cannot be found; asked before the members are judged on the day
    # (a refusal for their status would otherwise send the officer to edit a history that
    # was right, only to be told next that the shift date is needed)
    settle: Callable[[Session, Any, list[int]], tuple[date | None, Problems]] | None = None
    # the columns the kind's listing (`NOUN list --format csv`) writes that its rows are not
    # made of: skipped by name, so that the listing imports back as it is (sheet.VOID)
    listed: tuple[str, ...] = ()

    def parser(self, session: Session, today: Any) -> Callable[[Mapping[str, str]], tuple[Any, Problems]]:
        """`parse` with the day (and, for a zoned kind, the department's zone) given."""
        if not self.zoned:
            return lambda values: self.parse(values, today)
        from trainctl.services.settings import department_zone

        zone = department_zone(session)
        return lambda values: self.parse(values, today, zone)

    @property
    def own(self) -> str:
        """What a member may not record of their own: "certifications", "calls", ..."""
        return self.adds.removeprefix("record ")


def import_sheet(
    session: Session,
    actor: Actor,
    files: Iterable[tuple[str, BinaryIO | Iterable[bytes]]],
    kind: SheetKind,
    *,
    today: Any,
    dry_run: bool = False,
    skip_invalid: bool = False,
    ignore_unknown_columns: bool = False,
) -> ImportOutcome:
    """Sheets of one kind -> its rows, credited. Raises BadInputError when any row is bad
    (nothing written) unless `skip_invalid`."""
    from trainctl.services.auth import MANAGE

    actor.require(MANAGE, kind.imports)
    outcome = ImportOutcome(day_word=kind.day_word)
    rows = [
        kind.row(name, line, member_id, checked)
        for name, line, member_id, checked in checked_rows(
            files, kind.fields, outcome, MemberIndex(session), kind.parser(session, today), kind.options,
            kind.day, lambda m: actor.own_line(m, kind.own), ignore_unknown=ignore_unknown_columns,
            hint=kind.hint, ignored=(*SHEET_IGNORED, *kind.listed),
        )
    ]  # fmt: skip
    kind.store(session, actor, rows, outcome, today=today, dry_run=dry_run, skip_invalid=skip_invalid)
    return outcome


def add_one(
    session: Session,
    actor: Actor,
    member_refs: str | Sequence[str],
    values: Mapping[str, str],
    kind: SheetKind,
    *,
    today: Any,
    dry_run: bool = False,
    what: str = "member",
) -> ImportOutcome:
    """The `add` form: one set of values (options) for one or more members, credited; a
    bad value or member refuses the whole command."""
    from trainctl.services.auth import MANAGE

    actor.require(MANAGE, kind.adds)
    if isinstance(member_refs, str):
        member_refs = [member_refs]
    outcome = ImportOutcome(rows=len(member_refs), day_word=kind.day_word)
    checked, problems = kind.parser(session, today)(values)
    for f, why in problems:
        outcome.problem(None, None, f, why, kind.options)
    outcome.refuse(kind.what, skip_invalid=False)
    ids: list[int] = []
    on = kind.day(checked) if kind.day is not None and checked is not None else None
    if kind.settle is not None:
        from trainctl.services.members import get_member

        named = [get_member(session, ref, what=what).id for ref in member_refs]
        settled, problems = kind.settle(session, checked, [m for m in named if m is not None])
        for f, why in problems:
            outcome.problem(None, None, f, why, kind.options)
        outcome.refuse(kind.what, skip_invalid=False)
        on = settled or on
    refs_of: dict[int, list[str]] = {}
    for ref in member_refs:
        member_id, name = active_member(session, ref, what=what, on=on)
        actor.refuse_own(member_id, f"records their own {kind.own}")
        if member_id not in ids:
            ids.append(member_id)
            member = session.get(Member, member_id)
            hire_note(outcome, None, None, name, member.hire_date if member else None, on)
        refs_of.setdefault(member_id, []).append(ref.strip())
    # one member named twice (0042 and ann@...): one row, and said (a typo for another?)
    outcome.twice = [(session.get(Member, m).name, r) for m, r in refs_of.items() if len(r) > 1]  # type: ignore[union-attr]
    rows = [kind.row(None, None, m, checked) for m in ids]
    kind.store(session, actor, rows, outcome, today=today, dry_run=dry_run, skip_invalid=False)
    return outcome


# ----------------------------------------------------------------------------------- voids
def void_refusal(what: str, row_id: Any, today: date, happened: date | None, credited: date | None) -> None:
    """Refuse a void dated `today` before the row `happened` or before a credit it would
    take back took effect (`credited`), naming the day and the day to give instead."""
    why = []
    if happened is not None and today < happened:
        why.append(f"{what} {row_id} is dated {happened}")
    if credited is not None and today < credited:
        why.append(f"its credit took effect on {credited} (`trainctl progress log` shows it)")
    if not why:
        return
    bound = max(d for d in (happened, credited) if d is not None and today < d)
    raise RefusedError(
        f"A void as of {today} would take back the {what} before it counted: "
        f"{'; '.join(why)}. Nothing was changed.",
        f"Void it as of {bound} or later: `trainctl --as-of {bound} ...`.",
    )


def void_row(
    session: Session,
    actor: Actor,
    find: Callable[[], Any],
    *,
    reason: str,
    today: Any,
    source_type: str,
    action: str,
    what: str,
    dated: Callable[[Any], date | None],
) -> tuple[Any, FeedResult | None]:
    """A void of a record, card, ...: keep the row, stamp who/when/why, reverse its credit
    (credit_feed.reverse_sources), audit. `find()` loads the row once the reason is
    checked; `dated(row)` is the day it happened (None: a row that need not have, a
    scheduled class). Voiding a void row changes nothing (None for the feed).

    The void takes effect `today` (the department's day or --as-of): it is refused on a day
    before the row happened or before a credit it takes back took effect, as a member's or
    requirement's change is refused before what it corrects (`void_refusal`)."""
    from trainctl.domain.text import check_reason
    from trainctl.errors import UsageError

    why = " ".join((check_reason("--reason", reason) or "").split())
    if not why:
        raise UsageError("A void needs a reason.", f'Add --reason "..." (it is kept with the {what}).')
    row = find()
    actor.refuse_own(row.member_id, f"voids a {what} of their own")  # (as none adds one)
    if row.voided_at is not None:
        return row, None
    from trainctl.services.credit_feed import credited_after, reverse_sources

    void_refusal(what, row.id, today, dated(row), credited_after(session, source_type, str(row.id), row.member_id, today))
    row.voided_at = utcnow()
    row.voided_by = actor.member_id
    row.void_reason = why
    session.add(row)
    session.flush()
    feed = reverse_sources(session, actor, source_type, [(str(row.id), row.member_id)], today=today, reason=why)
    session.add(
        AuditLog(actor_id=actor.member_id, action=action, entity=row.__tablename__, entity_id=row.id,
                 detail={"member_id": row.member_id, "reason": why, "reversed": feed.credits})
    )  # fmt: skip
    session.flush()
    return row, feed
