"""The credit feed: training records, certifications, skill checkoffs, shift attendance,
call responses and checklist sign-offs credit the matching progress rows of each member's
enrollments, through the ledger (DESIGN §2), set-based for a whole import.

API (the caller checks permissions and owns the transaction):

    credit_facts(session, actor, facts, *, today) -> FeedResult
        For each Fact (domain/credit.py), find the progress rows of the member's creditable
        enrollments (active or completed) whose requirement accepts it (its explicit "what
        counts") and whose window holds it (on/after the enrollment's start, not after
        `today`; certifications while valid), and insert one `progress_credit` per
        (progress row, source) with INSERT ... ON CONFLICT DO NOTHING on the unique key
        (progress_id, source_type, source_id): the same source never credits twice, so a
        re-import or an overlapping sheet credits nothing again. Rows a gate holds back
        (sequential order, a prerequisite requirement, a phase not started) get the credit
        once the same feed has opened the gate, else it is reported in `held`. Then the
        shared finish of services/progress.py runs for the touched rows only: `recompute`,
        `rollup_enrollments`, `after_change` (re-measure, rollup, phase advancement,
        milestones).

    reverse_sources(session, actor, source_type, sources, *, today, reason) -> FeedResult
        A void of (source id, member id) pairs: for every progress row a source credited
        (found through the member's progress rows), a reversing entry (the negative
        of its net amount, same category and item) under source id "<id>:void", then the
        same finish. Idempotent like the credits (voiding twice reverses once).

A few queries per import whatever its size: the members' progress rows and requirements
(chunked IN lists), one executemany of credits (an import's new training records: one
INSERT ... SELECT per chunk, CreditFeed.add_new_records), then the finish over the touched ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from trainctl.db import BulkInsert, chunks, insert_ignoring
from trainctl.domain import credit as dc
from trainctl.domain import progress as dp
from trainctl.domain.certs import held_since
from trainctl.domain.credit import Fact
from trainctl.domain.skills import Evaluation, standing
from trainctl.domain.text import hours_text, plural
from trainctl.models import (
    Enrollment,
    Member,
    Program,
    ProgramRequirement,
    ProgressCredit,
    Requirement,
    RequirementProgress,
    utcnow,
)
from trainctl.queries import as_date
from trainctl.services.auth import Actor
from trainctl.services.progress import (
    CREDITABLE,
    after_change,
    link_states,
    load_phases,
    recompute,
    rollup_enrollments,
)
from trainctl.services.store import Writer

__all__ = [
    "VOID_SUFFIX", "CreditFeed", "Fact", "FeedResult", "Recredit", "Renewed", "card_fact", "credit_facts",
    "credit_opened", "recredit_requirements", "renewed_sources", "resettle_cards", "resettle_checkoffs", "reverse_sources", "settle_renewals",
    "source_facts", "source_groups",
]  # fmt: skip

VOID_SUFFIX = ":void"
FINISH_BATCH = 200  # progress rows re-measured per recompute call
FINISH_CREDITS = 4_000  # ... and credits read back per call (about)
_CREDIT_COLUMNS = (
    "progress_id", "source_type", "source_id", "amount", "category", "item", "note", "state",
    "entered_by", "entered_at", "entered_on",
)  # fmt: skip


@dataclass
class Held:
    """A credit a gate held back: which source, which progress row, and why."""

    source_type: str
    source_id: str
    progress_id: int
    reason: str


@dataclass
class FeedResult:
    credits: int = 0  # ledger entries written (credits, or reversing entries for a void)
    already: int = 0  # entries that were in the ledger already (re-import, second void)
    progress_ids: set[int] = field(default_factory=set)  # rows that received an entry
    enrollment_ids: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)  # members credited
    held: list[Held] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # phases entered, milestones reached
    # the on-hold enrollments of the members whose facts came in that such facts could
    # credit: (enrollment id, member name, program name, version); resume credits them
    on_hold: list[tuple[int, str, str, int]] = field(default_factory=list)


# --------------------------------------------------------------------------- candidates
@dataclass(frozen=True, slots=True)
class _Row:
    progress_id: int
    enrollment_id: int
    enrolled_on: date
    requirement_id: int


def _candidates(
    session: Session,
    member_ids: Iterable[int],
    source_types: set[str],
    requirement_ids: set[int] | None = None,
    enrollment_ids: set[int] | None = None,
) -> tuple[dict[int, list[_Row]], dict[int, dc.Accepts]]:
    """The progress rows of the members' creditable enrollments whose requirement could take
    one of these sources (only these requirements, and only these enrollments, when given),
    by member; and each such requirement's Accepts."""
    wanted_types = set().union(*(dc.CREDITS_TYPES[s] for s in source_types))
    rp = RequirementProgress.__table__  # type: ignore[attr-defined]
    e = Enrollment.__table__  # type: ignore[attr-defined]
    pr = ProgramRequirement.__table__  # type: ignore[attr-defined]
    r = Requirement.__table__  # type: ignore[attr-defined]
    rows: list[Any] = []
    for part in chunks(sorted(set(member_ids))):
        rows.extend(
            session.execute(
                sa.select(rp.c.id, rp.c.enrollment_id, e.c.member_id, e.c.enrolled_on, r.c.id)
                .select_from(
                    rp.join(e, e.c.id == rp.c.enrollment_id)
                    .join(pr, pr.c.id == rp.c.program_requirement_id)
                    .join(r, r.c.id == pr.c.requirement_id)
                )
                .where(
                    e.c.member_id.in_(part),
                    e.c.status.in_(CREDITABLE),
                    r.c.requirement_type.in_(sorted(wanted_types)),
                    *([] if requirement_ids is None else [r.c.id.in_(sorted(requirement_ids))]),
                    *([] if enrollment_ids is None else [e.c.id.in_(sorted(enrollment_ids))]),
                )
            )
        )
    accepts: dict[int, dc.Accepts] = {}
    for part in chunks(sorted({row[4] for row in rows})):
        for req in session.execute(sa.select(r).where(r.c.id.in_(part))):
            acc = dc.Accepts.of(req)
            if acc.takes_anything:
                accepts[req.id] = acc
    by_member: dict[int, list[_Row]] = {}
    for pid, eid, mid, enrolled_on, rid in rows:
        if rid in accepts:
            by_member.setdefault(mid, []).append(_Row(pid, eid, enrolled_on, rid))
    return by_member, accepts


def _signature(fact: Fact) -> tuple[Any, ...]:
    """What matching looks at (member, id, date and note aside): many facts share it."""
    return (
        fact.source_type, fact.hours, fact.course_code, fact.training_type, fact.category,
        fact.topic, fact.self_paced, fact.credential, fact.skill, fact.call_type, fact.renewed,
        fact.item, fact.requirement_id,
    )  # fmt: skip


# What differs between the facts of one signature: (source id, member id, on, expires_on, note).
Item = tuple[str, int, date, "date | None", "str | None"]
# A group of facts that share a signature: one Fact (the prototype: its signature fields) and
# the items. A year of sign-in sheets is a few dozen groups of thousands of items.
Group = tuple[Fact, list[Item]]
# A match: (source type, source id, member id, note, progress row, credit).
Match = tuple[str, str, int, "str | None", "_Row", dc.Credit]


def group_facts(facts: Iterable[Fact]) -> list[Group]:
    """Facts grouped by signature (the first of each group is its prototype)."""
    groups: dict[tuple[Any, ...], Group] = {}
    for f in facts:
        sig = _signature(f)
        group = groups.get(sig)
        if group is None:
            group = groups[sig] = (f, [])
        group[1].append((f.source_id, f.member_id, f.on, f.expires_on, f.note))
    return list(groups.values())


def fact_of(proto: Fact, item: Item) -> Fact:
    """The fact an item of a group stands for."""
    sid, mid, on, expires, note = item
    return replace(proto, source_id=sid, member_id=mid, on=on, expires_on=expires, note=note)


_MISSING = object()
MEMO_LIMIT = 20_000  # signatures remembered per feed (bounded memory on any import)
PAIRS_LIMIT = 100_000  # (signature, member) answers remembered per feed


@dataclass
class _Memo:
    """What a feed has worked out: per signature, what each requirement takes from it
    (`hits`); per (signature, member), the member's progress rows that take it (`pairs`)."""

    hits: dict[tuple[Any, ...], dict[int, Any]] = field(default_factory=dict)
    # the row, its credit, and its requirement's Accepts when it is a certification (validity)
    pairs: dict[tuple[Any, ...], list[tuple[_Row, dc.Credit, dc.Accepts | None]]] = field(
        default_factory=dict
    )

    def clear(self) -> None:
        self.hits.clear()
        self.pairs.clear()


def _match(
    groups: Iterable[Group],
    by_member: dict[int, list[_Row]],
    accepts: dict[int, dc.Accepts],
    today: date,
    memo: _Memo | None = None,
) -> list[Match]:
    """Every (fact, progress row, credit) that counts. What a requirement takes from a fact
    is worked out once per kind of fact (its signature), and which of a member's rows take
    it once per (signature, member), not once per fact and row: per fact only the window
    is checked (counts_on)."""
    memo = _Memo() if memo is None else memo
    out: list[Match] = []
    append = out.append
    credit_of, counts_on = dc.credit_of, dc.counts_on
    for proto, items in groups:
        sig = _signature(proto)
        hits = memo.hits.get(sig)
        if hits is None:
            if len(memo.hits) >= MEMO_LIMIT:
                memo.clear()
            hits = memo.hits[sig] = {}
        st = proto.source_type
        for item in items:
            sid, mid, on, _, note = item
            key = (sig, mid)
            pairs = memo.pairs.get(key)
            if pairs is None:
                pairs = []
                for row in by_member.get(mid, ()):
                    rid = row.requirement_id
                    got = hits.get(rid, _MISSING)
                    if got is _MISSING:
                        got = hits[rid] = credit_of(proto, accepts[rid])
                    if got is not None:
                        acc = accepts[rid]
                        pairs.append((row, got, acc if acc.requirement_type == "certification" else None))
                if len(memo.pairs) >= PAIRS_LIMIT:
                    memo.pairs.clear()
                memo.pairs[key] = pairs
            for row, got, cert in pairs:
                # counts_on, its common case inline (this loop runs per fact and progress row)
                if (counts_on(fact_of(proto, item), "certification", row.enrolled_on, today, cert.renewal)
                        if cert is not None else row.enrolled_on <= on <= today):  # fmt: skip
                    append((st, sid, mid, note, row, got))
    return out


# -------------------------------------------------------------------------------- gates
def _blockers(
    session: Session, enrollment_ids: Iterable[int], on: date | None = None
) -> dict[int, dict[int, str]]:
    """enrollment -> {progress id: why it takes no credit now} (sequential, prerequisite,
    phase), the rows it waits for judged as they stood `on` (the feed's day: its credits
    take effect then); rows of flexible programs without prerequisites are never held."""
    e = Enrollment.__table__  # type: ignore[attr-defined]
    p = Program.__table__  # type: ignore[attr-defined]
    info: dict[int, tuple[int, str, int | None]] = {}
    for part in chunks(sorted(set(enrollment_ids))):
        for eid, program_id, structure, phase_id in session.execute(
            sa.select(e.c.id, e.c.program_id, p.c.structure_type, e.c.current_phase_id)
            .select_from(e.join(p, p.c.id == e.c.program_id))
            .where(e.c.id.in_(part))
        ):
            info[eid] = (program_id, structure, phase_id)
    if not info:
        return {}
    # A flexible program without a prerequisite link holds nothing back: only the others'
    # progress rows are read (an import into flexible programs reads none).
    pr = ProgramRequirement.__table__  # type: ignore[attr-defined]
    flexible = sorted({program for program, structure, _ in info.values() if structure == "flexible"})
    gated: set[int] = set()
    for part in chunks(flexible):
        gated.update(session.execute(
            sa.select(pr.c.program_id).where(pr.c.program_id.in_(part), pr.c.is_prerequisite.is_(True)).distinct()
        ).scalars())  # fmt: skip
    states = link_states(
        session, [eid for eid, (program, structure, _) in info.items() if structure != "flexible" or program in gated],
        on=on,
    )
    phases: dict[int, list[dp.Phase]] = {}
    walked: dict[tuple[int, int], set[int]] = {}
    out: dict[int, dict[int, str]] = {eid: {} for eid in info}
    for eid, (program_id, structure, phase_id) in info.items():
        mine = states.get(eid, [])
        links = [s.link for s in mine]
        if structure == "flexible" and not any(link.is_prerequisite for link in links):
            continue
        if structure == "phases" and program_id not in phases:
            phases[program_id] = load_phases(session, program_id)
        started = None
        if structure == "phases" and phase_id is not None:
            key = (program_id, phase_id)
            if key not in walked:  # one walk of a program's phases, not one a row
                walked[key] = dp.started_phases(phases[program_id], phase_id)
            started = walked[key]
        for s in mine:
            why = dp.credit_blocker(
                links,
                s.link.id,
                structure_type=structure,
                current_phase_id=phase_id,
                phases=phases.get(program_id, ()),
                started=started,
            )
            if why is not None:
                out[eid][s.progress_id] = why
    return out


# ------------------------------------------------------------------------------- writing
class InsertIgnoring(BulkInsert):
    """BulkInsert's executemany path, for INSERT ... ON CONFLICT (key) DO NOTHING."""

    def __init__(
        self,
        conn: sa.Connection,
        table: sa.Table,
        columns: Sequence[str],
        key: Sequence[str],
        where: str | None = None,
    ) -> None:
        super().__init__(conn, table, columns)
        self.table = table
        stmt = insert_ignoring(conn.dialect, table, key, where).values(
            {c: sa.bindparam(c) for c in self.columns}
        )
        compiled = stmt.compile(dialect=conn.dialect)
        self.sql = compiled.string
        order = list(compiled.positiontup or []) if self.positional else self.columns
        self.order = [self.columns.index(k) for k in order]

    def run(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert; returns how many rows were new (the others were already there).

        Type processors run once per distinct value of a column (dates, flags, a shared
        timestamp repeat across an import), column by column, not once per cell."""
        if not rows:
            return 0
        if self.procs:
            cols = list(zip(*rows, strict=True))
            for i, proc in self.procs:
                cols[i] = tuple(_memoised(proc, cols[i]))
            rows = list(zip(*cols, strict=True))
        if self.order != list(range(len(self.columns))):
            rows = [tuple(r[i] for i in self.order) for r in rows]
        if self.positional:
            result = self.conn.exec_driver_sql(self.sql, list(rows))
        else:
            result = self.conn.exec_driver_sql(
                self.sql, [dict(zip(self.columns, r, strict=True)) for r in rows]
            )
        return max(0, result.rowcount or 0)


def _memoised(proc: Any, values: Sequence[Any]) -> Iterable[Any]:
    """proc over a column, run once per distinct value: the distinct values are converted,
    then the column is mapped through the dict in C (no Python call per cell)."""
    try:
        memo = {v: proc(v) for v in set(values)}
    except TypeError:  # unhashable (JSON): no memo
        return map(proc, values)
    return map(memo.__getitem__, values)


def _write(session: Session, rows: list[tuple[Any, ...]], on: date) -> int:
    """Insert credits (tuples of _CREDIT_COLUMNS but the last); each takes effect `on` (the
    department's day or --as-of: progress_credit.entered_on, issue 11 #25)."""
    session.flush()
    rows = [(*r, on) for r in rows]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))  # the unique key's order: local B-tree inserts
    table = ProgressCredit.__table__  # type: ignore[attr-defined]
    writer = InsertIgnoring(
        session.connection(), table, _CREDIT_COLUMNS, ("progress_id", "source_type", "source_id")
    )
    written = 0
    for part in chunks(rows, 20_000):
        written += writer.run(part)
    return written


def _batches(w: Writer, ids: list[int]) -> Iterable[list[int]]:
    """`ids` in batches of at most FINISH_BATCH rows and FINISH_CREDITS credits (a single
    row with more is a batch of its own)."""
    from trainctl.queries import in_list

    sizes: dict[int, int] = {}
    for part in chunks(ids):
        sql, params = in_list("p", part)
        sizes.update(w.all(f"SELECT progress_id, COUNT(*) FROM progress_credit WHERE progress_id IN {sql} "
                           "GROUP BY progress_id", params))  # fmt: skip
    batch: list[int] = []
    held = 0
    for pid in ids:
        n = sizes.get(pid, 0)
        if batch and (len(batch) >= FINISH_BATCH or held + n > FINISH_CREDITS):
            yield batch
            batch, held = [], 0
        batch.append(pid)
        held += n
    if batch:
        yield batch


def _finish(
    session: Session, progress_ids: Iterable[int], enrollment_of: dict[int, int], today: date
) -> list[str]:
    """The shared finish (services/progress.py) for the touched rows only."""
    now = utcnow()
    changed: list[int] = []
    # Re-measuring reads the rows' credits (summed per category and item by the database,
    # or one by one for certification and categorised hours: ledger.recompute) on the DB-API
    # connection itself, in the session's transaction, not through SQLAlchemy's result rows.
    session.flush()
    conn = session.connection()
    w = Writer(conn.connection.driver_connection, conn.dialect.name, session=session)
    # In batches of at most FINISH_BATCH rows and about FINISH_CREDITS credits (a row with a
    # year of sessions has hundreds; those measured one by one sit in memory per batch),
    # which keeps the peak flat in the row count.
    touched = sorted(set(progress_ids))
    for part in _batches(w, touched):
        changed += recompute(w, part, now, today=today)
    # every enrollment a credit was written to (or reversed in): its last activity is the
    # latest credit's day even when no figure moved (a renewed card on a row already at
    # 1 of 1 left it at the enrollment's start, and the no-progress reminder said so)
    rollup_enrollments(session, sorted({enrollment_of[pid] for pid in touched if pid in enrollment_of}), now)
    enrollment_ids = sorted({enrollment_of[pid] for pid in changed})
    if not enrollment_ids:
        return []
    events = after_change(session, enrollment_ids, today=today, now=now)
    if not events:
        return []
    # a record or card import touches many members: each line says whose it is (two
    # identical "Milestone reached: Halfway" lines named nobody; a review)
    e, m = Enrollment.__table__, Member.__table__  # type: ignore[attr-defined]
    whose: dict[int, str] = {}
    for some in chunks(sorted({ev.enrollment_id for ev in events})):
        whose.update(conn.execute(
            sa.select(e.c.id, m.c.name).select_from(e.join(m, m.c.id == e.c.member_id))
            .where(e.c.id.in_(some))
        ).tuples().all())  # fmt: skip
    return [f"{whose[ev.enrollment_id]}: {ev.message}" if ev.enrollment_id in whose else ev.message
            for ev in events]  # fmt: skip


# The set-based path's working tables (CreditFeed.add_new_records), per connection.
_TEMP = sa.MetaData()
_FEED_ROW = sa.Table(
    "trainctl_feed_row", _TEMP,
    sa.Column("progress_id", sa.Integer), sa.Column("member_id", sa.Integer),
    sa.Column("enrolled_on", sa.Date), sa.Column("requirement_id", sa.Integer),
    # covering, by (member, requirement): the INSERT ... SELECT finds a record's progress row
    # in the index alone, after its signature's matches (below)
    sa.Index("trainctl_feed_row_member", "member_id", "requirement_id", "enrolled_on", "progress_id"),
    prefixes=["TEMPORARY"],
)  # fmt: skip
_FEED_MATCH = sa.Table(
    "trainctl_feed_match", _TEMP,
    sa.Column("hours", sa.Float), sa.Column("course_code", sa.String), sa.Column("training_type", sa.String),
    sa.Column("category", sa.String), sa.Column("topic", sa.String), sa.Column("self_paced", sa.Boolean),
    sa.Column("requirement_id", sa.Integer), sa.Column("amount", sa.Float),
    sa.Column("credit_category", sa.String), sa.Column("item", sa.String), sa.Column("window", sa.String),
    # a certification requirement that renews: the earliest completion day of a record with
    # no expiry that still holds it today (domain/certs `held_since`); NULL: any
    sa.Column("valid_from", sa.Date),
    # by signature: a record finds the few requirements that take it, then each one's row
    # above. bench/records_import.py (80,000 records, 3,000 rows, 60 matches): the SELECT of
    # the INSERT took 0.33 s CPU through (member, then requirement and signature), 0.14 s so.
    sa.Index("trainctl_feed_match_key", "course_code", "training_type", "category", "topic", "hours", "self_paced"),
    prefixes=["TEMPORARY"],
)  # fmt: skip


# ----------------------------------------------------------------------------------- API
class CreditFeed:
    """A feed for one import: `add` facts in chunks as they are read (a few queries per
    chunk, members' rows cached), then `close` once: the shared finish for every touched
    row, and the credits a gate held back retried once the finish has opened it."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        *,
        today: date,
        requirement_ids: set[int] | None = None,
        rename: dict[tuple[int, str, str], str] | None = None,
        enrollment_ids: set[int] | None = None,
    ) -> None:
        """`requirement_ids`: credit only these requirements (a re-credit); `rename`:
        (progress id, source type, source id) -> the ledger source id to write instead
        (a source whose earlier credit was reversed by a re-credit); `enrollment_ids`:
        credit only these enrollments (a resumed one catching up)."""
        self.session, self.actor, self.today = session, actor, today
        self._requirement_ids = requirement_ids
        self._enrollment_ids = enrollment_ids
        self._rename = rename or {}
        self.result = FeedResult()
        self.now = utcnow()
        self._rows: dict[int, list[_Row]] = {}
        self._accepts: dict[int, dc.Accepts] = {}
        self._loaded: set[int] = set()
        self._source_types: set[str] = set()
        self._blocked: dict[int, dict[int, str]] = {}  # enrollment -> progress -> why
        self._held: list[Match] = []
        self._enrollment_of: dict[int, int] = {}
        self._touched: set[int] = set()
        self._memo = _Memo()
        self._row_of: dict[int, _Row] = {}  # progress id -> its candidate row
        self._member_of: dict[int, int] = {}  # progress id -> member
        self._pushed: set[int] = set()  # members whose rows are in _FEED_ROW (set-based path)
        self._seen: set[int] = set()  # members whose facts came in (their window rows: close)

    def _load(self, types: set[str], member_ids: set[int]) -> None:
        self._seen |= member_ids
        unknown = types - set(dc.SOURCE_TYPES)
        if unknown:
            raise ValueError(f"unknown credit source type(s): {sorted(unknown)}")
        if not types <= self._source_types:  # a new kind of source: read every member again
            self._source_types |= types
            self._loaded.clear()
            self._memo.clear()  # its (signature, member) answers name the rows read before
            self._pushed.clear()
        members = member_ids - self._loaded
        if members:
            rows, accepts = _candidates(
                self.session, members, self._source_types, self._requirement_ids, self._enrollment_ids
            )
            for m in members:
                self._rows[m] = mine = rows.get(m, [])
                for row in mine:
                    self._row_of[row.progress_id] = row
                    self._member_of[row.progress_id] = m
            self._accepts.update(accepts)
            self._loaded |= members

    def _blockers(self, enrollment_ids: Iterable[int]) -> dict[int, str]:
        missing = set(enrollment_ids) - set(self._blocked)
        if missing:
            found = _blockers(self.session, missing, self.today)
            for eid in missing:
                self._blocked[eid] = found.get(eid, {})
        return {pid: why for eid in enrollment_ids for pid, why in self._blocked[eid].items()}

    def add(self, facts: Sequence[Fact]) -> None:
        """Credit these facts now where no gate holds them back."""
        if facts:
            self.add_groups(group_facts(facts))

    def add_groups(self, groups: Sequence[Group], only: set[int] | None = None) -> None:
        """`add` for facts already grouped by signature (an import's new rows: source_groups);
        `only`: credit only these progress rows (steps just opened: `_open`)."""
        groups = [g for g in groups if g[1]]
        if not groups:
            return
        self._load({proto.source_type for proto, _ in groups}, {i[1] for _, items in groups for i in items})
        matches = _match(groups, self._rows, self._accepts, self.today, self._memo)
        if only is not None:
            matches = [m for m in matches if m[4].progress_id in only]
        if not matches:
            return
        enrollment_of = self._enrollment_of
        for m in matches:
            enrollment_of[m[4].progress_id] = m[4].enrollment_id
        blocked = self._blockers({m[4].enrollment_id for m in matches})
        if blocked:
            ready = [m for m in matches if m[4].progress_id not in blocked]
            self._held += [m for m in matches if m[4].progress_id in blocked]
        else:
            ready = matches
        self._credit(ready)

    def add_new_records(self, since: int) -> None:
        """Credit the training records with an id above `since` (a writer's new rows).

        Set-based where it can be: the matching is worked out in Python once per
        (signature, requirement) and per member's progress rows (a few hundred rows in two
        temporary tables), then one INSERT ... SELECT joins the new records to them inside
        the database, so no credit row crosses the driver. Measured for a year of sign-in
        sheets (bench/records_import.py, 80,000 records, 162,000 credits, SQLite): the
        credits' executemany from Python took 2.7-3.4 s CPU, the INSERT ... SELECT of the
        same rows 0.9-1.0 s. Where a gate may hold credits back (a program in order or
        phases, a prerequisite requirement), or the feed re-credits one requirement, the
        rows go through `add_groups` instead (the same rules, per fact)."""
        from trainctl.models import TrainingRecord

        t = TrainingRecord.__table__  # type: ignore[attr-defined]
        session = self.session
        # both ends of the id range: SQLite then walks the new rows by id, not the date index
        until = session.execute(sa.select(sa.func.max(t.c.id))).scalar_one() or 0
        new = [t.c.voided_at.is_(None), t.c.id > since, t.c.id <= until, *_record_counts(t)]
        members = set(session.execute(sa.select(t.c.member_id).where(*new).distinct()).scalars())
        if not members:
            return
        self._load({"training_record"}, members)
        eids = {row.enrollment_id for m in members for row in self._rows[m]}
        # an enrollment begun after today takes its credit dated its start (dc.credit_day)
        later = any(row.enrolled_on > self.today for m in members for row in self._rows[m])
        if self._requirement_ids is not None or self._rename or later or self._blockers(eids):
            self.add_groups(source_groups(session, ["training_record"], since=since, as_of=self.today))
            return
        sig_cols = (t.c.hours_completed, t.c.course_code, t.c.training_type, t.c.category, t.c.topic,
                    t.c.self_paced)  # fmt: skip
        matches = []
        for hours, code, ttype, cat, topic, paced in session.execute(sa.select(*sig_cols).where(*new).distinct()):
            proto = Fact("training_record", "", 0, date.min, hours=hours or 0.0, course_code=code,
                         training_type=ttype, category=cat, topic=topic, self_paced=bool(paced))  # fmt: skip
            for rid, acc in self._accepts.items():
                got = dc.credit_of(proto, acc)
                if got is not None:
                    cert = acc.requirement_type == "certification"
                    window = "valid" if cert else "enrolled"
                    matches.append({"hours": hours, "course_code": code, "training_type": ttype,
                                    "category": cat, "topic": topic, "self_paced": paced,
                                    "requirement_id": rid, "amount": got[0], "credit_category": got[1],
                                    "item": got[2], "window": window,
                                    "valid_from": held_since(self.today, acc.renewal) if cert else None})  # fmt: skip
        if not matches:
            return
        conn = session.connection()
        if not self._pushed:
            for temp in (_FEED_ROW, _FEED_MATCH):
                temp.create(conn, checkfirst=True)
                conn.execute(temp.delete())
        conn.execute(_FEED_MATCH.delete())
        conn.execute(_FEED_MATCH.insert(), matches)
        fresh = members - self._pushed
        rows = [{"progress_id": row.progress_id, "member_id": m, "enrolled_on": row.enrolled_on,
                 "requirement_id": row.requirement_id} for m in sorted(fresh) for row in self._rows[m]]  # fmt: skip
        if rows:
            conn.execute(_FEED_ROW.insert(), rows)
        self._pushed |= fresh
        r, m = _FEED_ROW.c, _FEED_MATCH.c
        today = sa.bindparam("today", self.today, type_=sa.Date)
        sql = (
            sa.select(r.progress_id, sa.literal("training_record"), sa.cast(t.c.id, sa.String), m.amount,
                      m.credit_category, m.item, sa.null(), sa.literal("counted"),
                      sa.bindparam("by", self.actor.member_id, type_=sa.Integer),
                      sa.bindparam("now", self.now, type_=ProgressCredit.__table__.c.entered_at.type),  # type: ignore[attr-defined]
                      today)  # entered_on: the department's day or --as-of (issue 11 #25)
            .select_from(
                t.join(_FEED_ROW, r.member_id == t.c.member_id).join(_FEED_MATCH, sa.and_(
                    m.requirement_id == r.requirement_id, m.hours == t.c.hours_completed,
                    m.self_paced == t.c.self_paced, *(m[c.name].is_not_distinct_from(c) for c in sig_cols[1:5]),
                ))
            )
            # dc.counts_on, as SQL: on/after the enrollment's start and not after today; a
            # certification requirement: not after today and valid (through its expiry day;
            # without one, for a renewal period from its completion: `valid_from`)
            .where(*new, t.c.completion_date <= today, sa.or_(
                sa.and_(m.window == "enrolled", r.enrolled_on <= t.c.completion_date),
                sa.and_(m.window == "valid", sa.or_(
                    t.c.expiration_date >= today,
                    sa.and_(t.c.expiration_date.is_(None),
                            sa.or_(m.valid_from.is_(None), t.c.completion_date >= m.valid_from)),
                )),
            ))
            .order_by(r.progress_id, sa.cast(t.c.id, sa.String))  # the unique key's order
        )  # fmt: skip
        c = ProgressCredit.__table__  # type: ignore[attr-defined]
        before = conn.execute(sa.select(sa.func.coalesce(sa.func.max(c.c.id), 0))).scalar_one()
        insert = insert_ignoring(conn.dialect, c, ("progress_id", "source_type", "source_id")).from_select(
            list(_CREDIT_COLUMNS), sql
        )
        conn.execute(insert)
        # What was written, by progress row (the statement's rowcount is not given on every driver)
        counts = conn.execute(
            sa.select(c.c.progress_id, sa.func.count()).where(c.c.id > before).group_by(c.c.progress_id)
        ).all()
        # No `already` here: a new record's id has no ledger entry (ids only grow and nothing
        # deletes a record); ON CONFLICT keeps the ledger's rule all the same.
        res = self.result
        res.credits += sum(n for _, n in counts)
        touched = {p for p, _ in counts}
        if touched:
            res.progress_ids |= touched
            res.enrollment_ids.update(self._row_of[p].enrollment_id for p in touched)
            res.members.update(self._member_of[p] for p in touched)
            self._touched |= touched
            for p in touched:
                self._enrollment_of[p] = self._row_of[p].enrollment_id

    def _credit(self, ready: list[Match]) -> int:
        if not ready:
            return 0
        rename = self._rename
        by, now = self.actor.member_id, self.now
        # each takes effect on dc.credit_day: today, but never before its enrollment began
        by_day: dict[date, list[tuple[Any, ...]]] = {}
        for st, sid, _, note, row, (amount, category, item) in ready:
            by_day.setdefault(dc.credit_day(row.enrolled_on, self.today), []).append((
                row.progress_id, st,
                rename.get((row.progress_id, st, sid), sid) if rename else sid,
                amount, category, item, note, "counted", by, now,
            ))  # fmt: skip
        rows = [r for day_rows in by_day.values() for r in day_rows]
        c = ProgressCredit.__table__  # type: ignore[attr-defined]
        last = self.session.execute(sa.select(sa.func.coalesce(sa.func.max(c.c.id), 0))).scalar_one()
        written = sum(_write(self.session, day_rows, day) for day, day_rows in by_day.items())
        r = self.result
        r.credits += written
        r.already += len(rows) - written
        if written:
            # the rows that gained an entry, not every row matched ("Credited 2 progress rows"
            # of a resume that credited one: the other's credit was in the ledger already)
            gained = set(self.session.execute(
                sa.select(c.c.progress_id).where(c.c.id > last).distinct()
            ).scalars())  # fmt: skip
            r.progress_ids |= gained
            r.enrollment_ids.update(m[4].enrollment_id for m in ready if m[4].progress_id in gained)
            r.members.update(m[2] for m in ready if m[4].progress_id in gained)
            self._touched |= gained
        return written

    def _open(self, progress_ids: set[int]) -> int:
        """Steps just opened (a gate held them back before this feed's finish: the step
        before completed, a prerequisite done, a phase entered) take what is already on
        file that counts for them (a valid card, records since the enrollment began), as
        a resume does (services/enrollment/on_file.py `facts_on_file`), dated the feed's
        day: the day they opened, as the program gave them no credit before it."""
        if not progress_ids:
            return 0
        from trainctl.services.enrollment.on_file import facts_on_file, kinds_crediting

        rp = RequirementProgress.__table__  # type: ignore[attr-defined]
        e = Enrollment.__table__  # type: ignore[attr-defined]
        pr = ProgramRequirement.__table__  # type: ignore[attr-defined]
        rows: list[Any] = []
        for part in chunks(sorted(progress_ids)):
            rows += self.session.execute(
                sa.select(e.c.member_id, e.c.enrolled_on, pr.c.requirement_id)
                .select_from(rp.join(e, e.c.id == rp.c.enrollment_id)
                             .join(pr, pr.c.id == rp.c.program_requirement_id))
                .where(rp.c.id.in_(part), e.c.status.in_(CREDITABLE))
            ).all()  # fmt: skip
        if not rows:
            return 0
        kinds = kinds_crediting(self.session, {rid for _, _, rid in rows})
        since = min(on for _, on, _ in rows)
        groups = facts_on_file(self.session, sorted({m for m, _, _ in rows}), since, self.today, kinds)
        before = self.result.credits
        self.add_groups(groups, only=progress_ids)
        return self.result.credits - before

    def close(self) -> FeedResult:
        """The shared finish for the touched rows (and the window rows of every member whose
        facts came in, `window_rows`); held credits retried as gates open."""
        r = self.result
        r.on_hold = on_hold(self.session, self._seen, self._source_types)
        judged = window_rows(self.session, self._seen)
        self._enrollment_of.update(judged)
        self._touched |= set(judged)
        while True:
            if self._touched:
                r.events += _finish(self.session, self._touched, self._enrollment_of, self.today)
                self._touched = set()
            # the rows a gate held back before the finish (the feed's own facts, or none)
            before = {pid for rows in self._blocked.values() for pid in rows}
            if not before:
                break
            watched = {eid for eid, rows in self._blocked.items() if rows}
            self._blocked.clear()
            blocked = self._blockers(watched | {m[4].enrollment_id for m in self._held})
            ready = [m for m in self._held if m[4].progress_id not in blocked]
            self._held = [m for m in self._held if m[4].progress_id in blocked]
            written = self._credit(ready)
            written += self._open(before - set(blocked))
            if not written:
                break
        if self._held:
            blocked = self._blockers({m[4].enrollment_id for m in self._held})
            r.held = [
                Held(st, sid, row.progress_id, blocked.get(row.progress_id, ""))
                for st, sid, _, _, row, _ in self._held
            ]
        return r


def credit_facts(
    session: Session, actor: Actor, facts: Sequence[Fact], *, today: date
) -> FeedResult:
    """Credit the facts to every progress row that accepts them, then the shared finish
    (see the module docstring). The caller has checked permissions; `today` is the
    department's date or --as-of. For an import read in chunks, use CreditFeed."""
    feed = CreditFeed(session, actor, today=today)
    feed.add(facts)
    return feed.close()


def credit_opened(
    session: Session, actor: Actor, progress_ids: Iterable[int], *, today: date
) -> FeedResult:
    """Steps that just opened (`progress_ids`: a progress update completed the step
    before them, or a prerequisite) take what is on file that counts for them, as the
    feed's own opened steps do (CreditFeed `_open`), then the shared finish."""
    feed = CreditFeed(session, actor, today=today)
    feed._open(set(progress_ids))
    return feed.close()


def reverse_sources(
    session: Session,
    actor: Actor,
    source_type: str,
    sources: Sequence[tuple[str, int]],
    *,
    today: date,
    reason: str,
) -> FeedResult:
    """Reverse every credit these sources gave (a void). `sources` are (source id, member
    id) pairs: the credits are found through the member's progress rows (the ledger's
    unique key), so a void costs the same however large the ledger. History stays: each
    reversal is a negative ledger entry under "<source id>:void", then the finish runs."""
    result = FeedResult()
    if not sources:
        return result
    session.flush()
    c = ProgressCredit.__table__  # type: ignore[attr-defined]
    rp = RequirementProgress.__table__  # type: ignore[attr-defined]
    e = Enrollment.__table__  # type: ignore[attr-defined]
    net: dict[tuple[int, str, str | None, str | None], float] = {}
    enrollment_of: dict[int, int] = {}
    day_of: dict[int, date] = {}  # progress row -> the day its reversal takes effect
    for part in chunks(sorted(set(sources))):
        members = sorted({m for _, m in part})
        ids = sorted({sid for sid, _ in part})
        for pid, eid, enrolled_on, sid, category, item, amount in session.execute(
            sa.select(
                c.c.progress_id, rp.c.enrollment_id, e.c.enrolled_on, c.c.source_id, c.c.category,
                c.c.item, sa.func.sum(c.c.amount),
            )
            .select_from(
                e.join(rp, rp.c.enrollment_id == e.c.id).join(c, c.c.progress_id == rp.c.id)
            )
            .where(e.c.member_id.in_(members))
            .where(c.c.source_type == source_type)
            # the source's own entry and those derived from it (a re-credit's "<id>:recredit:<n>")
            .where(_derived_from(c, ids))
            .where(c.c.state == "counted")
            .group_by(c.c.progress_id, rp.c.enrollment_id, e.c.enrolled_on, c.c.source_id,
                      c.c.category, c.c.item)
        ):  # fmt: skip
            key = (pid, base_source(sid), category, item)
            net[key] = net.get(key, 0.0) + amount
            enrollment_of[pid] = eid
            # as the credit took effect: today, never before its enrollment began (a credit
            # dated the start of an enrollment begun since is not taken back before it)
            day_of[pid] = dc.credit_day(enrolled_on, today)
    now = utcnow()
    note = f"void: {reason}"
    by_day: dict[date, list[tuple[Any, ...]]] = {}
    for (pid, sid, category, item), amount in sorted(net.items(), key=lambda kv: kv[0][:2]):
        if abs(amount) >= 1e-9:
            by_day.setdefault(day_of[pid], []).append(
                (pid, source_type, sid + VOID_SUFFIX, -amount, category, item, note, "counted",
                 actor.member_id, now)
            )  # fmt: skip
    rows = [r for day_rows in by_day.values() for r in day_rows]
    written = sum(_write(session, day_rows, day) for day, day_rows in by_day.items())
    result.credits, result.already = written, len(rows) - written
    if written:
        result.progress_ids = {row[0] for row in rows}
        result.enrollment_ids = {enrollment_of[pid] for pid in result.progress_ids}
    # a voided fact may have been what a window row's judgement hung on (the first of a
    # course in its cycle, a card placing the cycle), credited to that row or not
    judged = window_rows(session, {m for _, m in sources})
    enrollment_of.update(judged)
    if written or judged:
        result.events = _finish(session, result.progress_ids | set(judged), enrollment_of, today)
    return result


def _derived_from(c: Any, ids: Sequence[str]) -> Any:
    """The ledger entries of these sources: each one's own and those derived from it (a
    re-credit's "<id>:recredit:<n>", a void's "<id>:void")."""
    return sa.or_(c.c.source_id.in_(ids), *(c.c.source_id.like(f"{i}:%") for i in ids))


def credited_after(
    session: Session, source_type: str, source_id: str, member_id: int, today: date
) -> date | None:
    """The latest day a credit of this source took effect, when a void of it on `today`
    would be dated before it (the reversal takes effect on `today`, or on its enrollment's
    start when that is later: dc.credit_day); None when none is. A void is refused then:
    a reversal dated before the credit it takes back (a credit entered --as-of a later
    day) would make `progress log` and every earlier day's figure wrong."""
    c, rp = ProgressCredit.__table__, RequirementProgress.__table__  # type: ignore[attr-defined]
    e = Enrollment.__table__  # type: ignore[attr-defined]
    day = session.execute(
        sa.select(sa.func.max(c.c.entered_on))
        .select_from(e.join(rp, rp.c.enrollment_id == e.c.id).join(c, c.c.progress_id == rp.c.id))
        .where(e.c.member_id == member_id, c.c.source_type == source_type,
               _derived_from(c, [source_id]), c.c.state == "counted",
               c.c.entered_on > today, c.c.entered_on > e.c.enrolled_on)
    ).scalar_one()  # fmt: skip
    return as_date(day)


def on_hold(
    session: Session, member_ids: Iterable[int], source_types: Iterable[str]
) -> list[tuple[int, str, str, int]]:
    """(enrollment id, member name, program name, version) of the members' enrollments on
    hold with a requirement of a type these kinds of fact can credit: the feed passes them
    by, and `enroll resume` credits them with what is on file. One query per chunk."""
    types = set().union(*(dc.CREDITS_TYPES[s] for s in source_types))
    ids = sorted(set(member_ids))
    if not types or not ids:
        return []
    e, m, p = Enrollment.__table__, Member.__table__, Program.__table__  # type: ignore[attr-defined]
    rp, pr = RequirementProgress.__table__, ProgramRequirement.__table__  # type: ignore[attr-defined]
    r = Requirement.__table__  # type: ignore[attr-defined]
    creditable = (
        sa.select(rp.c.id)
        .select_from(rp.join(pr, pr.c.id == rp.c.program_requirement_id).join(r, r.c.id == pr.c.requirement_id))
        .where(rp.c.enrollment_id == e.c.id, r.c.requirement_type.in_(sorted(types)))
    )  # fmt: skip
    out: list[tuple[int, str, str, int]] = []
    for part in chunks(ids):
        out += [(eid, who, program, version) for eid, who, program, version in session.execute(
            sa.select(e.c.id, m.c.name, p.c.name, p.c.version)
            .select_from(e.join(m, m.c.id == e.c.member_id).join(p, p.c.id == e.c.program_id))
            .where(e.c.member_id.in_(part), e.c.status == "on_hold", creditable.exists())
        )]  # fmt: skip
    return sorted(out)


def window_rows(session: Session, member_ids: Iterable[int]) -> dict[int, int]:
    """progress id -> enrollment id for the members' rows judged in their own window
    (queries.enrollments.judged_in_window: an NREMT NCCP level, a one-time window of N
    months), in creditable enrollments: what a new or voided fact of the member may move
    although it credits none of them (an earlier first of a course in the cycle, a card
    placing the cycle, a record before the enrollment). One query per chunk of members."""
    from trainctl.queries import in_list
    from trainctl.queries.enrollments import WINDOW_COLUMNS, judged_in_window

    ids = sorted(set(member_ids))
    if not ids:
        return {}
    session.flush()
    conn = session.connection()
    w = Writer(conn.connection.driver_connection, conn.dialect.name, session=session)
    out: dict[int, int] = {}
    for part in chunks(ids):
        ins, params = in_list("m", list(part))
        for pid, eid, *window in w.all(
            f"SELECT rp.id, e.id, {WINDOW_COLUMNS} FROM requirement_progress rp "
            "JOIN enrollment e ON e.id = rp.enrollment_id "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            "JOIN requirement r ON r.id = pr.requirement_id "
            f"WHERE e.member_id IN {ins} AND e.status IN ('active', 'completed')",
            params,
        ):
            if judged_in_window(window):
                out[pid] = eid
    return out


# ------------------------------------------------------------------------------ sources
def source_facts(
    session: Session, source_types: Iterable[str], member_ids: Iterable[int] | None, *, since: int = 0,
    between: tuple[date, date] | None = None, as_of: date | None = None,
    renewals: dict[tuple[int, ...] | None, Renewed] | None = None,
) -> list[Fact]:
    """The facts on file (not void) of these kinds for these members (None: every member),
    as the feed credits them: completed, not failed training records and cards, each
    marked with the renewal groups in which a later one of the member's renews it as of
    `as_of` (else `between`'s today; `renewed_sources`, read once per chunk of members for
    both kinds; `renewals`: a memo by chunk the caller shares); passed
    checkoffs that stand as of `as_of` (else `between`'s today; domain/skills: no later
    failed / needs_retest evaluation on or before it); attendance; call responses; checklist
    sign-offs not unchecked (`_signoff_facts`).
    `since`: only rows with a greater id (a writer's new rows). `between` (start, today):
    only what could credit an enrollment started on `start`, as of `today` (the feed
    filters exactly; this leaves out what can never count): nothing dated after today, no
    card expired by then, and before the start only a still-valid record. The one place a
    row of each kind becomes a Fact."""
    from trainctl.domain.shifts import hours as shift_hours
    from trainctl.models import (
        Call,
        CallResponse,
        Certification,
        Shift,
        ShiftAttendance,
        SkillCheckoff,
        SkillEvaluation,
        TrainingRecord,
    )

    tables = {
        "training_record": TrainingRecord, "certification": Certification,
        "skill_checkoff": SkillCheckoff, "shift": ShiftAttendance, "call": CallResponse,
    }  # fmt: skip
    kinds = set(source_types)
    day = as_of if as_of is not None else (between[1] if between is not None else None)
    memo: dict[tuple[int, ...] | None, Renewed] = {} if renewals is None else renewals

    def renewed(part: Sequence[int] | None, members: set[int] | None = None) -> Renewed:
        """renewed_sources of a chunk of members, read once for its cards and class records
        alike; every member's (None) only where their records are read too (else those
        with a card here)."""
        key = None if part is None else tuple(part)
        if key not in memo:
            if key is None and members is not None and "training_record" not in kinds:
                return renewed_sources(session, members, day)
            memo[key] = renewed_sources(session, part, day)
        return memo[key]

    out: list[Fact] = []
    for kind in sorted(kinds):
        if kind == "checklist_signoff":
            out += [f for part in _parts(member_ids) for f in _signoff_facts(session, part, since, between)]
            continue
        t = tables[kind].__table__  # type: ignore[attr-defined]
        for part in _parts(member_ids):
            where = _where(kind, t, part, since, between)
            if kind == "training_record":
                groups = _record_groups(session, where, _of_kind(renewed(part), kind))
                facts = [fact_of(proto, item) for proto, items in groups for item in items]
                out += sorted(facts, key=lambda f: int(f.source_id))  # id order, as the rows are
            elif kind == "certification":
                cards = session.execute(
                    sa.select(t.c.id, t.c.member_id, t.c.credential_code, t.c.issued_on, t.c.expires_on)
                    .where(*where).order_by(t.c.id)
                ).all()
                # a card a later one renews credits no requirement weighing the two together
                # (domain/certs `in_force`, per requirement: `Fact.renewed`), as compliance
                # judges it: judged over all the member's cards, not only `where`'s
                gone = _of_kind(renewed(part, {c[1] for c in cards}), kind) if cards else {}
                out += [card_fact(cid, mid, code, issued, expires, gone.get(cid, frozenset()))
                        for cid, mid, code, issued, expires in cards]  # fmt: skip
            elif kind == "skill_checkoff":
                # every evaluation of the members (a pass is judged against the later ones,
                # whatever `since` leaves out), then the passes that stand
                sk = SkillEvaluation.__table__  # type: ignore[attr-defined]
                every = [t.c.voided_at.is_(None), *([] if part is None else [t.c.member_id.in_(part)])]
                evaluations = session.execute(
                    sa.select(t.c.id, t.c.member_id, t.c.skill_id, t.c.evaluated_on, t.c.status, sk.c.name)
                    .select_from(t.join(sk, sk.c.id == t.c.skill_id)).where(*every)
                ).all()
                day = as_of if as_of is not None else (between[1] if between is not None else None)
                stand = {e.id for e in standing((Evaluation(*row[:5]) for row in evaluations), day)}
                out += [
                    Fact(kind, str(cid), mid, on, skill=name, note=f"checkoff {cid}: {name} passed {on}")
                    for cid, mid, _, on, _, name in sorted(evaluations)
                    if cid in stand and cid > since
                ]
            elif kind == "shift":
                s_t = Shift.__table__  # type: ignore[attr-defined]
                rows = session.execute(
                    sa.select(t.c.id, t.c.member_id, s_t.c.shift_date, s_t.c.station, s_t.c.name,
                              t.c.duration_minutes)
                    .select_from(t.join(s_t, s_t.c.id == t.c.shift_id)).where(*where).order_by(t.c.id)
                )  # fmt: skip
                out += [
                    Fact(kind, str(aid), mid, on, hours=shift_hours(minutes),
                         note=f"shift {on} {' / '.join(p for p in (station, name) if p) or 'shift'} "
                              f"({hours_text(shift_hours(minutes))} h)")
                    for aid, mid, on, station, name, minutes in rows
                ]  # fmt: skip
            else:
                c_t = Call.__table__  # type: ignore[attr-defined]
                rows = session.execute(
                    sa.select(t.c.id, t.c.member_id, c_t.c.incident_number, c_t.c.shift_date, c_t.c.call_type)
                    .select_from(t.join(c_t, c_t.c.id == t.c.call_id)).where(*where).order_by(t.c.id)
                )
                out += [
                    Fact(kind, str(rid), mid, on, call_type=call_type,
                         note=f"call {inc}" + (f" ({call_type})" if call_type else "") + f", shift {on}")
                    for rid, mid, inc, on, call_type in rows
                ]  # fmt: skip
    return out


def _signoff_facts(
    session: Session, part: Sequence[int] | None, since: int, between: tuple[date, date] | None
) -> list[Fact]:
    """Checklist sign-offs (`checklist check`) of these members (None: everyone's) that
    stand, as the feed credits them: the item of the requirement it was signed off for,
    dated the day signed off. An unchecked one is not read: its credit was taken back on
    the day of its uncheck (services/checklists.uncheck, `reverse_sources`). `since`,
    `between`: as source_facts."""
    from trainctl.models import ChecklistSignoff

    t = ChecklistSignoff.__table__  # type: ignore[attr-defined]
    where = [t.c.unchecked_on.is_(None), t.c.id > since]
    if part is not None:
        where.append(t.c.member_id.in_(part))
    if between is not None:
        where += [t.c.checked_on >= between[0], t.c.checked_on <= between[1]]
    rows = session.execute(
        sa.select(t.c.id, t.c.member_id, t.c.requirement_id, t.c.item, t.c.checked_on).where(*where).order_by(t.c.id)
    )
    out = []
    for sid, mid, rid, item, on in rows:
        day = as_date(on)
        assert day is not None
        out.append(Fact("checklist_signoff", str(sid), mid, day, item=item, requirement_id=rid,
                        note=f"sign-off {sid}: {item}, {day}"))  # fmt: skip
    return out


# (source type, id) -> (member id, the renewal groups it is renewed in: domain/certs
# `renewal_group`)
Renewed = dict[tuple[str, int], tuple[int, frozenset[frozenset[str]]]]


def _of_kind(renewed: Renewed, kind: str) -> dict[int, frozenset[frozenset[str]]]:
    """The sources of one kind among `renewed` (`renewed_sources`): id -> the renewal
    groups in which a later card or class record renews it."""
    return {sid: groups for (k, sid), (_, groups) in renewed.items() if k == kind}


def named_codes(session: Session) -> dict[str, set[frozenset[str]]]:
    """code -> the renewal groups a card or class record of it is weighed in (domain/certs
    `renewal_group`: the codes that renew each other for a requirement), for every code a
    certification requirement names or holds it by (`holding_with_levels`): the
    requirements as they are now, as the feed credits."""
    from trainctl.domain.certs import (
        credential_code,
        holding_codes,
        holding_with_levels,
        renewal_group,
    )

    r = Requirement.__table__  # type: ignore[attr-defined]
    out: dict[str, set[frozenset[str]]] = {}
    for credential, courses in session.execute(
        sa.select(r.c.credential_code, r.c.required_courses).where(r.c.requirement_type == "certification")
    ):
        wanted = holding_codes(credential, courses)
        for code in holding_with_levels(credential, courses):
            out.setdefault(credential_code(code), set()).add(renewal_group(code, wanted))
    return out


def renewed_sources(session: Session, member_ids: Iterable[int] | None, day: date | None) -> Renewed:
    """(source type, id) -> (member id, renewal groups) of the members' cards and class
    records (None: every member's) that a later one of the same credential renews on `day`
    (None: any day): one without an expiry on file issued before one with an expiry
    (domain/certs `in_force`), judged in each renewal group the requirements naming the
    code weigh it in (`renewal_group`: the rule compliance and `cert list` judge by, per
    requirement; a class record of a course a certification requirement names is weighed
    as a card is, a higher level's card renews no lower one). Such a source credits no
    certification requirement weighing it in one of those groups: source_facts marks it
    (`Fact.renewed`, domain/credit `renewed_for`), and `resettle_cards` takes that credit back. Void
    sources, those dated after `day`, and records not completed or failed renew nothing.
    Two queries per chunk of members."""
    from trainctl.domain.certs import credential_code, in_force
    from trainctl.models import Certification, TrainingRecord

    named = named_codes(session)
    t = Certification.__table__  # type: ignore[attr-defined]
    tr = TrainingRecord.__table__  # type: ignore[attr-defined]
    squeezed = sorted({c.replace(" ", "") for c in named})
    groups: dict[tuple[int, frozenset[str]], list[tuple[str, int, date, date | None]]] = {}

    def add(kind: str, sid: int, mid: int, code: str | None, on: date, expires: date | None) -> None:
        key = credential_code(code or "")
        for group in named.get(key, {frozenset({key})} if kind == "certification" else set()):
            groups.setdefault((mid, group), []).append((kind, sid, on, expires))

    for part in _parts(member_ids):
        where = [t.c.voided_at.is_(None), *([] if part is None else [t.c.member_id.in_(part)])]
        if day is not None:
            where.append(t.c.issued_on <= day)
        for cid, mid, code, issued, expires in session.execute(
            sa.select(t.c.id, t.c.member_id, t.c.credential_code, t.c.issued_on, t.c.expires_on).where(*where)
        ):
            add("certification", cid, mid, code, issued, expires)
        if not squeezed:
            continue
        where = [tr.c.voided_at.is_(None), *_record_counts(tr),
                 sa.func.upper(sa.func.replace(tr.c.course_code, " ", "")).in_(squeezed),
                 *([] if part is None else [tr.c.member_id.in_(part)])]  # fmt: skip
        if day is not None:
            where.append(tr.c.completion_date <= day)
        for rid, mid, code, on, expires in session.execute(
            sa.select(tr.c.id, tr.c.member_id, tr.c.course_code, tr.c.completion_date, tr.c.expiration_date)
            .where(*where)
        ):
            add("training_record", rid, mid, code, as_date(on) or date.min, as_date(expires))
    gone: dict[tuple[str, int], tuple[int, set[frozenset[str]]]] = {}
    for (mid, group), found in groups.items():
        if len(found) > 1:
            kept = {c[:2] for c in in_force(found, lambda c: (c[3], c[2], c[:2], c[3] is not None))}
            for c in found:
                if c[:2] not in kept:
                    gone.setdefault(c[:2], (mid, set()))[1].add(group)
    return {source: (mid, frozenset(found)) for source, (mid, found) in gone.items()}


def _parts(member_ids: Iterable[int] | None) -> list[Sequence[int] | None]:
    return [None] if member_ids is None else list(chunks(sorted(set(member_ids))))


def _where(
    kind: str, t: sa.Table, part: Sequence[int] | None, since: int, between: tuple[date, date] | None
) -> list[Any]:
    """source_facts' selection of one kind's rows (see there)."""
    where = [t.c.voided_at.is_(None), t.c.id > since]
    if part is not None:
        where.append(t.c.member_id.in_(part))
    return where if between is None else where + _dated(kind, t, *between)


def _dated(kind: str, t: sa.Table, start: date, today: date) -> list[Any]:
    """source_facts' `between` filter for one kind (see there)."""
    if kind == "training_record":
        return [t.c.completion_date <= today,
                sa.or_(t.c.completion_date >= start, t.c.expiration_date.is_(None), t.c.expiration_date >= today)]  # fmt: skip
    if kind == "certification":
        return [t.c.issued_on <= today, sa.or_(t.c.expires_on.is_(None), t.c.expires_on >= today)]
    if kind in ("shift", "call"):
        from trainctl.models import Call, Shift

        parent = (Shift if kind == "shift" else Call).__table__  # type: ignore[union-attr]
        return [parent.c.shift_date >= start]  # the query joins its shift or call
    return []  # a passed checkoff counts whenever it was passed (the feed judges the day)


def source_groups(
    session: Session, source_types: Iterable[str], member_ids: Iterable[int] | None = None, *,
    since: int = 0, between: tuple[date, date] | None = None, as_of: date | None = None,
) -> list[Group]:
    """source_facts(session, source_types, member_ids, since=..., between=..., as_of=...),
    grouped by signature, as the feed's add_groups takes them. Training records (an
    import's or a class's tens of thousands) are grouped as they are read, no Fact per row."""
    kinds = set(source_types)
    out: list[Group] = []
    memo: dict[tuple[int, ...] | None, Renewed] = {}  # renewals by chunk, for cards too
    if "training_record" in kinds:
        from trainctl.models import TrainingRecord

        t = TrainingRecord.__table__  # type: ignore[attr-defined]
        day = as_of if as_of is not None else (between[1] if between is not None else None)
        for part in _parts(member_ids):
            key = None if part is None else tuple(part)
            renewed = memo[key] = renewed_sources(session, part, day)
            out += _record_groups(session, _where("training_record", t, part, since, between),
                                  _of_kind(renewed, "training_record"))  # fmt: skip
    if kinds - {"training_record"}:
        out += group_facts(source_facts(session, kinds - {"training_record"}, member_ids, since=since,
                                        between=between, as_of=as_of, renewals=memo))
    return out


def _record_counts(t: sa.Table) -> list[Any]:
    """The training records the feed credits: completed, not failed, dated (not void: the
    callers' `where`)."""
    return [t.c.status == "completed", t.c.passed.is_not(False), t.c.completion_date.is_not(None)]


def _record_groups(
    session: Session, where: list[Any], renewed: Mapping[int, frozenset[frozenset[str]]] | None = None
) -> list[Group]:
    """The training records on file that count (completed, not failed, dated) among those
    `where` selects, as facts grouped by signature, in id order within a group: the one
    place a record becomes a Fact. `renewed`: record id -> the renewal groups in which a
    later card or record renews it (`renewed_sources`), marked so (`Fact.renewed`)."""
    renewed = renewed or {}
    from trainctl.models import TrainingRecord

    t = TrainingRecord.__table__  # type: ignore[attr-defined]
    # Dates come back as the driver gives them and are parsed once per distinct day (`day`).
    rows = session.execute(
        sa.select(t.c.hours_completed, t.c.course_code, t.c.training_type, t.c.category, t.c.topic,
                  t.c.self_paced, t.c.id, t.c.member_id, sa.type_coerce(t.c.completion_date, sa.String),
                  sa.type_coerce(t.c.expiration_date, sa.String))
        .where(*where, *_record_counts(t))
        .order_by(t.c.id)
    )  # fmt: skip
    day = _day_parser()
    groups: dict[tuple[Any, ...], Group] = {}
    for hours, code, ttype, cat, topic, paced, rid, mid, on, expires in rows:
        gone = renewed.get(rid, frozenset())
        key = (hours, code, ttype, cat, topic, paced, gone)
        group = groups.get(key)
        if group is None:
            proto = Fact("training_record", "", 0, date.min, hours=hours or 0.0, course_code=code,
                         training_type=ttype, category=cat, topic=topic, self_paced=bool(paced),
                         renewed=gone)  # fmt: skip
            group = groups[key] = (proto, [])
        group[1].append((str(rid), mid, day(on), day(expires), None))
    return list(groups.values())


def _day_parser() -> Any:
    """A date from a date column as the driver returns it (an ISO string on SQLite, a date
    on PostgreSQL), memoised by value."""
    memo: dict[Any, date | None] = {None: None}

    def day(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            out = memo[value] = date.fromisoformat(value[:10]) if isinstance(value, str) else value
            return out

    return day


def card_fact(
    cid: int, member_id: int, code: str, issued: date, expires: date | None,
    renewed: frozenset[frozenset[str]] = frozenset(),
) -> Fact:
    """A certification card as the feed credits it (`renewed`: see `Fact.renewed`)."""
    return Fact(
        "certification", str(cid), member_id, issued, credential=code, expires_on=expires,
        note=f"card {cid}: {code}, issued {issued}, " + (f"valid through {expires}" if expires else "no expiry"),
        renewed=renewed,
    )  # fmt: skip


# ----------------------------------------------------------------------------- re-credit
RECREDIT = ":recredit:"


@dataclass
class Recredit:
    """What re-deriving requirements' credit did."""

    added: int = 0  # credits written for sources that now count
    reversed: int = 0  # reversing entries for sources that no longer count
    members: set[int] = field(default_factory=set)
    feed: FeedResult = field(default_factory=FeedResult)

    def add(self, other: Recredit) -> None:
        """Count what `other` (another pass of the same re-derivation) did too."""
        self.added += other.added
        self.reversed += other.reversed
        self.members |= other.members
        self.feed.held += other.feed.held
        self.feed.events += other.feed.events

    def renewal_lines(self) -> list[str]:
        """What settling renewals did (a card or class record recorded or voided), for the
        command's summary; the feed's own events follow them."""
        out = []
        if self.reversed:
            out.append(f"Took back {plural(self.reversed, 'credit')} of a card or class record that a later "
                       "one renews (the renewal decides, as compliance judges).")  # fmt: skip
        if self.added:
            out.append(f"Credited {plural(self.added, 'card or class record', 'cards or class records')} "
                       "in force again (the one that renewed it is void).")  # fmt: skip
        if self.feed.held:
            out.append(f"{plural(len(self.feed.held), 'credit')} not given: the program's order does not take them.")
        return out

    def lines(self, name: str) -> list[str]:
        if not self.added and not self.reversed:
            return []
        out = [
            f"Re-credited {name}: {plural(self.added, 'credit')} added for sources that now count, "
            f"{self.reversed} reversed for sources that no longer count ({plural(len(self.members), 'member')})."
        ]
        if self.feed.held:
            out.append(f"{plural(len(self.feed.held), 'credit')} not given: the program's order does not take them.")
        return out + self.feed.events


def base_source(source_id: str) -> str:
    """The source a ledger entry belongs to: "812", "812:void", "812:recredit:2" -> "812"."""
    return source_id.split(":", 1)[0]


def recredit_requirements(
    session: Session, actor: Actor, requirement_ids: Sequence[int], *, today: date, reason: str
) -> Recredit:
    """Re-derive, set-based, the automatic credit on requirements whose "what counts"
    changed (`requirement edit`, a registry import --update), in the caller's transaction:
    every source on file of the members with a progress row on them (creditable
    enrollments) is matched again; a source credited before that no longer matches gets a
    reversing entry ("<id>:recredit:<n>", history kept), a source that now matches and
    holds no net credit is credited through the feed (gates, windows, idempotency as for an
    import; a source reversed earlier gets "<id>:recredit:<n>" as its new ledger id). Then
    the shared finish for the touched rows. One pass per kind of source the requirements
    take (a requirement's type decides which), however many requirements."""
    session.flush()
    r = Requirement.__table__  # type: ignore[attr-defined]
    rp = RequirementProgress.__table__  # type: ignore[attr-defined]
    e = Enrollment.__table__  # type: ignore[attr-defined]
    pr = ProgramRequirement.__table__  # type: ignore[attr-defined]
    wanted = sorted(set(requirement_ids))
    accepts = {
        req.id: dc.Accepts.of(req)
        for part in chunks(wanted)
        for req in session.execute(sa.select(r).where(r.c.id.in_(part)))
    }
    # the requirements that take the same kinds of source are re-derived together
    groups: dict[frozenset[str], dict[int, dc.Accepts]] = {}
    for rid, acc in accepts.items():
        kinds = frozenset(s for s, types in dc.CREDITS_TYPES.items() if acc.requirement_type in types)
        groups.setdefault(kinds, {})[rid] = acc
    rows_of = {
        kinds: [
            row
            for part in chunks(sorted(group))
            for row in session.execute(
                sa.select(rp.c.id, rp.c.enrollment_id, e.c.member_id, pr.c.requirement_id)
                .select_from(rp.join(e, e.c.id == rp.c.enrollment_id).join(pr, pr.c.id == rp.c.program_requirement_id))
                .where(pr.c.requirement_id.in_(part), e.c.status.in_(CREDITABLE))
            )
        ]
        for kinds, group in groups.items()
    }  # fmt: skip
    # what is on file is read once for every pass (one read of the records, not one a pass)
    members = {row[2] for rows in rows_of.values() for row in rows}
    kinds_read = set().union(*(kinds for kinds, rows in rows_of.items() if rows))
    facts = source_facts(session, kinds_read, members, as_of=today) if members else []
    out = Recredit()
    for kinds, group in sorted(groups.items(), key=lambda g: min(g[1])):
        rows = rows_of[kinds]
        if not rows:
            continue
        theirs = {row[2] for row in rows}
        mine = [f for f in facts if f.source_type in kinds and f.member_id in theirs]
        out.add(_resettle(session, actor, rows, group, set(kinds), mine, today=today,
                          note=f"re-credit: {reason}", gone=False))  # fmt: skip
    return out


def resettle_checkoffs(
    session: Session, actor: Actor, member_id: int, *, today: date, reason: str
) -> Recredit:
    """After a checkoff of the member is recorded or voided: the member's skill credit as
    the passes that stand decide (domain/skills: a later failed / needs_retest evaluation
    takes a pass back, a later pass credits again). A credited pass that no longer stands
    gets a reversing entry ("<id>:recredit:<n>"), a standing pass with no net credit is
    credited through the feed (windows and gates as ever), then the finish. Only the
    member's rows on skills requirements of creditable enrollments are read."""
    rows, accepts = _members_rows(session, "skill_checkoff", [member_id])
    if not rows:
        return Recredit()
    kinds = {"skill_checkoff"}
    facts = source_facts(session, kinds, [member_id], as_of=today)
    return _resettle(session, actor, rows, accepts, kinds, facts, today=today, note=reason, gone=True)


def resettle_cards(
    session: Session, actor: Actor, member_ids: Iterable[int], *, today: date, reason: str,
    renewed: Renewed | None = None,
) -> Recredit:
    """After cards or class records of these members are recorded or voided: their program
    credit on certification requirements as the cards and class records in force decide
    (`renewed_sources`, domain/certs `in_force`, as compliance judges: one without an
    expiry gives way to a later one of its credential with one, run out or not). A
    credited card or record that a later one renews gets a reversing entry
    ("<id>:recredit:<n>", dated `today`, the day the renewal is recorded); one in force
    again (its renewal voided) that holds no net credit is credited through the feed
    (windows and gates as ever), then the finish. Only the members' rows on certification
    requirements of creditable enrollments are read. `renewed`: `renewed_sources` on
    `today` of these members or more, when the caller has read it (not read again)."""
    members = sorted(set(member_ids))
    rows, accepts = _members_rows(session, "certification", members) if members else ([], {})
    if not rows:
        return Recredit()
    kinds = {"certification", "training_record"}
    memo: dict[tuple[int, ...] | None, Renewed] = {}
    for part in _parts(members) if renewed is not None else ():
        mine = set(part or ())
        memo[tuple(part or ())] = {k: v for k, v in (renewed or {}).items() if v[0] in mine}
    facts = source_facts(session, kinds, members, as_of=today, renewals=memo)
    return _resettle(session, actor, rows, accepts, kinds, facts, today=today, note=reason, gone=True)


def settle_renewals(
    session: Session, actor: Actor, member_ids: Iterable[int], *, today: date, reason: str,
    since: int | None = None,
) -> Recredit:
    """After cards or class records of these members were recorded: `resettle_cards` for
    those with a card or class record a later one renews on `today` (`renewed_sources`);
    nothing for the others (new sources only ever renew more: a source in force again
    takes a void, which resettles its member). `since`: only the members with a class
    record of a certification requirement's code above that id (an import's new rows;
    other records renew nothing). About one query a chunk of members when none is renewed."""
    members = set(member_ids)
    if since is not None and members:
        from trainctl.models import TrainingRecord

        named = named_codes(session)
        tr = TrainingRecord.__table__  # type: ignore[attr-defined]
        squeezed = sorted({c.replace(" ", "") for c in named})
        members = set() if not squeezed else {
            mid for part in chunks(sorted(members)) for mid in session.execute(
                sa.select(tr.c.member_id).distinct().where(
                    tr.c.id > since, tr.c.member_id.in_(part), tr.c.voided_at.is_(None),
                    sa.func.upper(sa.func.replace(tr.c.course_code, " ", "")).in_(squeezed))
            ).scalars()
        }  # fmt: skip
    found = renewed_sources(session, members, today) if members else {}
    renewed = {mid for mid, _ in found.values()}
    return resettle_cards(session, actor, renewed, today=today, reason=reason, renewed=found) if renewed else Recredit()


def resettle_records(
    session: Session, actor: Actor, records: Sequence[tuple[int, int]], *, today: date, reason: str
) -> Recredit:
    """After training records on file changed what they are (a record entered under a free
    course name taken into the course of that name: services/records.adopt_free_named):
    their credit as they now stand. `records` are (record id, member id). A credited record
    its row's requirement no longer takes gets a reversing entry ("<id>:recredit:<n>"); one
    that now counts and holds no net credit is credited through the feed (windows, gates
    and idempotency as for an import); other sources are left alone. Only the members'
    rows on requirements that take records are read."""
    members = sorted({m for _, m in records})
    rows, accepts = _members_rows(session, "training_record", members)
    if not rows:
        return Recredit()
    kinds = {"training_record"}
    ids = {str(rid) for rid, _ in records}
    facts = [f for f in source_facts(session, kinds, members, as_of=today) if f.source_id in ids]
    return _resettle(session, actor, rows, accepts, kinds, facts, today=today, note=reason, gone=False)


def _members_rows(
    session: Session, kind: str, member_ids: Sequence[int]
) -> tuple[list[Any], dict[int, dc.Accepts]]:
    """The members' progress rows (progress id, enrollment id, member id, requirement id)
    of creditable enrollments on requirements a source of `kind` can credit, with what
    each requirement accepts."""
    session.flush()
    rp = RequirementProgress.__table__  # type: ignore[attr-defined]
    e = Enrollment.__table__  # type: ignore[attr-defined]
    pr = ProgramRequirement.__table__  # type: ignore[attr-defined]
    r = Requirement.__table__  # type: ignore[attr-defined]
    rows: list[Any] = []
    for part in chunks(sorted(set(member_ids))):
        rows += session.execute(
            sa.select(rp.c.id, rp.c.enrollment_id, e.c.member_id, r.c.id)
            .select_from(rp.join(e, e.c.id == rp.c.enrollment_id)
                         .join(pr, pr.c.id == rp.c.program_requirement_id).join(r, r.c.id == pr.c.requirement_id))
            .where(e.c.member_id.in_(part), e.c.status.in_(CREDITABLE),
                   r.c.requirement_type.in_(sorted(dc.CREDITS_TYPES[kind])))
        ).all()  # fmt: skip
    if not rows:
        return [], {}
    accepts = {
        req.id: dc.Accepts.of(req)
        for part in chunks(sorted({row[3] for row in rows}))
        for req in session.execute(sa.select(r).where(r.c.id.in_(part)))
    }
    return rows, accepts


def _resettle(
    session: Session,
    actor: Actor,
    rows: Sequence[Any],
    accepts: dict[int, dc.Accepts],
    kinds: set[str],
    facts: Sequence[Fact],
    *,
    today: date,
    note: str,
    gone: bool,
) -> Recredit:
    """Bring the ledger of these progress rows ((progress id, enrollment id, member id,
    requirement id)) in line with `facts`, the sources of `kinds` that count now: a source
    holding net credit that its row's requirement no longer takes (or, with `gone`, that
    is no longer among `facts`) gets a reversing entry "<id>:recredit:<n>"; a fact that
    counts and holds no net credit is credited through the feed ("<id>:recredit:<n>" when
    the source had entries before). Then the shared finish for the touched rows."""
    out = Recredit()
    c = ProgressCredit.__table__  # type: ignore[attr-defined]
    enrollment_of = {pid: eid for pid, eid, _, _ in rows}
    member_of = {pid: mid for pid, _, mid, _ in rows}
    acc_of = {pid: accepts[rid] for pid, _, _, rid in rows}
    # The ledger as it stands: net amount and entry count per (row, source).
    net: dict[tuple[int, str, str, str | None, str | None], float] = {}
    entries: dict[tuple[int, str, str], int] = {}
    for part in chunks(sorted(enrollment_of)):
        for pid, stype, sid, category, item, amount in session.execute(
            sa.select(c.c.progress_id, c.c.source_type, c.c.source_id, c.c.category, c.c.item, c.c.amount)
            .where(c.c.progress_id.in_(part), c.c.source_type.in_(sorted(kinds)), c.c.state == "counted")
        ):  # fmt: skip
            base = base_source(sid)
            key = (pid, stype, base, category, item)
            net[key] = net.get(key, 0.0) + amount
            entries[(pid, stype, base)] = entries.get((pid, stype, base), 0) + 1
    by_id = {(f.source_type, f.source_id): f for f in facts}
    # 1. Reverse what no longer counts (a void source has no net credit left), each as a
    # void's reversal takes effect: today, never before its enrollment began (dc.credit_day:
    # the credit it takes back was dated so)
    e = Enrollment.__table__  # type: ignore[attr-defined]
    began: dict[int, date] = {}
    for part in chunks(sorted(set(enrollment_of.values()))):
        began.update(session.execute(sa.select(e.c.id, e.c.enrolled_on).where(e.c.id.in_(part))).tuples().all())
    now = utcnow()
    reversals = []
    for (pid, stype, base, category, item), amount in sorted(net.items(), key=lambda kv: kv[0][:3]):
        fact = by_id.get((stype, base))
        if abs(amount) < 1e-9 or (fact is None and not gone):
            continue
        acc = acc_of[pid]
        if fact is not None and acc.takes_anything and dc.credit_of(fact, acc) is not None:
            continue
        n = entries[(pid, stype, base)]
        entries[(pid, stype, base)] = n + 1
        reversals.append((pid, stype, f"{base}{RECREDIT}{n}", -amount, category, item, note, "counted",
                          actor.member_id, now))  # fmt: skip
    by_day: dict[date, list[tuple[Any, ...]]] = {}
    for row in reversals:
        by_day.setdefault(dc.credit_day(began[enrollment_of[row[0]]], today), []).append(row)
    out.reversed = sum(_write(session, day_rows, day) for day, day_rows in by_day.items())
    out.members |= {member_of[row[0]] for row in reversals}
    # 2. Credit what counts and holds no net credit, through the feed.
    credited = {(pid, stype, base) for (pid, stype, base, _, _), amount in net.items() if abs(amount) >= 1e-9}
    rename = {k: f"{k[2]}{RECREDIT}{n}" for k, n in entries.items() if k not in credited}
    feed = CreditFeed(session, actor, today=today, requirement_ids=set(accepts), rename=rename)
    takers = [a for a in accepts.values() if a.takes_anything]
    feed.add([f for f in facts if any(dc.credit_of(f, a) is not None for a in takers)])
    feed._touched |= {row[0] for row in reversals}
    feed._enrollment_of.update(enrollment_of)
    out.feed = feed.close()
    out.added = out.feed.credits
    out.members |= out.feed.members
    return out
