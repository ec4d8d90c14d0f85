"""Progress changes, applied: one small use case per kind of change (domain/changes.py),
then the one shared finish (re-measure, roll up, phases, milestones, audit).

`apply_update` runs them in order on a located progress row:
1. who may change it: an officer (training.manage) on anyone's row; a member on their own
   row when self-reporting is on (the credit waits for an officer: "pending"); nobody
   verifies, signs off or waives their own row;
2. whether the enrollment takes changes (on hold, withdrawn, failed: only a note);
3. each change's use case (`add_credit`, `set_total`, `check`, `uncheck`, `override`,
   `verify`, `reject`, `note`), each writing to the ledger;
4. `finish`: services.progress.finish.refresh, the messages, the audit entry.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from trainctl.domain import amounts
from trainctl.domain import changes as ch
from trainctl.domain import progress as dp
from trainctl.domain.text import a_or_an, later_day_hint, plural, shell_word
from trainctl.errors import BadInputError, PermissionDeniedError, RefusedError, UsageError
from trainctl.permissions import MANAGE, UPDATE, Actor
from trainctl.queries import as_date, in_list, required
from trainctl.queries import progress as q
from trainctl.queries.settings import nremt_local_content, self_reporting_enabled
from trainctl.queries.settings import today as department_today
from trainctl.services.audit import audit
from trainctl.services.progress.finish import refresh
from trainctl.services.progress.ledger import override_days
from trainctl.services.progress.phases import blocked_rows, gate
from trainctl.services.progress.rows import (
    REQUIREMENT_COLUMNS,
    EnrollmentRow,
    ProgressRow,
    RequirementRow,
    enrollment_row,
    progress_row,
    requirement_of,
)
from trainctl.services.store import Writer, writer_of

# The largest hours / shifts / calls one update may give, and one progress row may hold:
# beyond any career (50 years of full-time work is about 100,000 h). A bigger figure is a
# typo or a broken feed; refusing it keeps Inf and absurd totals out of the ledger.
MAX_AMOUNT = float(amounts.MAX_AMOUNT)
UNIT_WORDS = {"hours": "h", "shifts": "shifts", "calls": "calls"}
ITEM_SOURCES = {"checklist": "checklist_item", "courses": "course", "skills_evaluation": "skill"}


# ------------------------------------------------------------------------------ locating
@dataclass
class Located:
    """A progress row for writing, with its enrollment, requirement and program link."""

    progress: ProgressRow
    enrollment: EnrollmentRow
    requirement: RequirementRow
    link_id: int

    @property
    def progress_id(self) -> int:
        return self.progress.id

    @property
    def enrollment_id(self) -> int:
        return self.enrollment.id


def locate(
    db: Any,
    actor: Actor,
    progress: str | None = None,
    *,
    enrollment: str | None = None,
    requirement: str | None = None,
    member: str | None = None,
) -> Located:
    """The progress row named by PROGRESS, --enrollment/--member with --requirement: the
    read side's resolver (queries.progress.locate), then its rows for writing.
    `db`: a Session or a Writer (services/store.py)."""
    w = writer_of(db)
    found = q.locate(
        w, actor, progress, enrollment=enrollment, requirement=requirement, member=member
    )
    rp = progress_row(w, found.progress_id)
    link_id, *req = required(
        w.one(
            f"SELECT pr.id, {REQUIREMENT_COLUMNS} FROM program_requirement pr "
            "JOIN requirement r ON r.id = pr.requirement_id WHERE pr.id = :link",
            {"link": rp.program_requirement_id},
        )
    )
    return Located(rp, enrollment_row(w, rp.enrollment_id), requirement_of(req), link_id)


# ------------------------------------------------------------------------------- applying
@dataclass(frozen=True)
class Credit:
    """A ledger entry as the change rules see it."""

    id: int | None
    source_type: str
    amount: float
    category: str | None
    item: str | None
    state: str
    entered_on: date | None = None  # the day it took effect (a verification cannot precede it)
    source_id: str | None = None  # its key in the ledger (a rejection's reversal names it)


@dataclass
class UpdateResult:
    progress: ProgressRow
    enrollment: EnrollmentRow
    requirement: RequirementRow
    credits: list[Credit] = field(default_factory=list)
    pending: bool = False  # this update's credit is self-reported and waits for an officer
    waiting: int = 0  # entries of the row waiting for verification after this update
    events: list[str] = field(default_factory=list)
    # progress rows of the enrollment a gate held back before this update and no longer
    # does (a step completed, a prerequisite done, a phase entered): what is on file for
    # them is credited by the caller (services/credit_feed.py `credit_opened`)
    opened: set[int] = field(default_factory=set)


@dataclass
class _Row:
    """A progress row being changed, and who changes it."""

    w: Writer
    actor: Actor
    located: Located
    result: UpdateResult
    ledger: list[Credit]  # the row's credits before this update
    now: datetime  # the real time of writing (the *_at timestamps)
    today: date  # the effective date (the department's day or --as-of: the *_on dates)
    is_self: bool  # the acting member's own row: credit is self-reported, waits for an officer
    ruled: set[int] = field(default_factory=set)  # pending entries verified or rejected here

    @property
    def rp(self) -> ProgressRow:
        return self.located.progress

    @property
    def link_id(self) -> int:
        return self.located.link_id

    @property
    def req(self) -> RequirementRow:
        return self.located.requirement

    @cached_property
    def target(self) -> dp.Target:
        return dp.Target.of(self.req, local_content=nremt_local_content(self.w))

    @property
    def source(self) -> str:
        return "self_report" if self.is_self else "manual"

    def states(self) -> tuple[str, ...]:
        """The credit states the actor's own figures start from (theirs include pending)."""
        return ("counted", "pending") if self.is_self else ("counted",)

    def credit(
        self, amount: float, source: str, *, state: str | None = None,
        category: str | None = None, item: str | None = None, note: str | None = None,
        source_id: str | None = None,
    ) -> None:  # fmt: skip
        state = state or ("pending" if self.is_self else "counted")
        key = {"progress": self.located.progress_id, "source": source,
               "sid": source_id or uuid.uuid4().hex}  # fmt: skip
        self.w.execute(
            "INSERT INTO progress_credit (progress_id, source_type, source_id, amount, category, "
            "item, note, state, entered_by, entered_at, entered_on) VALUES (:progress, :source, "
            ":sid, :amount, :category, :item, :note, :state, :by, :at, :on)",
            {**key, "amount": amount, "category": category, "item": item, "note": note,
             "state": state, "by": self.actor.member_id, "at": self.now, "on": self.today},
        )  # fmt: skip
        # its id, by the unique (progress, source type, source id) key: the stderr note on
        # hours that do not count names the credits this update wrote (issue 11 #3)
        new_id = self.w.scalar(
            "SELECT id FROM progress_credit WHERE progress_id = :progress "
            "AND source_type = :source AND source_id = :sid",
            key,
        )
        self.result.credits.append(Credit(new_id, source, amount, category, item, state))

    def refuse_if_gated(self) -> None:
        """Credit only where the program's order allows it (sequential, prerequisite, phase)."""
        blocker = gate(self.w, self.located.enrollment, self.link_id, on=self.today)
        if blocker is not None:
            raise RefusedError(blocker, "Nothing was recorded. `trainctl enroll show "
                               f"{self.located.enrollment.id}` shows the order of requirements; "
                               "an officer may sign it off out of order (--status completed).")  # fmt: skip


def apply_update(
    db: Any, actor: Actor, located: Located, update: ch.Update, *, today: date
) -> UpdateResult:
    """One progress update: its changes in order, then the shared finish.
    `db`: a Session or a Writer (services/store.py)."""
    w = writer_of(db)
    enrollment = located.enrollment
    row = _Row(
        w=w,
        actor=actor,
        located=located,
        result=UpdateResult(located.progress, enrollment, located.requirement),
        ledger=[
            Credit(cid, source, float(amount), category, item, state, as_date(on), sid)
            for cid, source, amount, category, item, state, on, sid in w.all(
                "SELECT id, source_type, amount, category, item, state, entered_on, source_id "
                "FROM progress_credit WHERE progress_id = :p ORDER BY id",
                {"p": located.progress_id},
            )
        ],
        now=datetime.now(UTC),
        today=today,
        is_self=actor.is_self(enrollment.member_id),
    )
    _authorize(row, update)
    _require_open(row, update)
    _require_begun(row, update)
    before = (located.progress.status, enrollment.status)
    held = blocked_rows(w, enrollment) if update.moves_figures else set()
    for change in update.changes:
        APPLY[type(change)](row, change)
    result = finish(row, update, before, today=today)
    if held:
        result.opened = held - blocked_rows(w, result.enrollment)
    w.sync()
    return result


@dataclass
class UpdateRun:
    """What one `progress update` did: its last row's result, every change's events, and
    the note when hours just credited do not all count."""

    result: UpdateResult
    events: list[str]
    shortfall: str | None


class StepOpened(Exception):
    """An update on plain SQL opened a step: it is done again with an ORM session, which the
    credit feed needs to credit what is on file for it (`run_updates`)."""


def apply_updates(
    w: Any, actor: Actor, updates: list[ch.Update], *, today: Callable[[Any], date],
    progress: str | None, enrollment: str | None, requirement: str | None,
    member: str | None, session: Any = None,
) -> UpdateRun:  # fmt: skip
    """Every update of one command (several --check items: one each), in the caller's
    transaction. When one opens a step (the step before completed, a prerequisite done, a
    phase entered), what is on file for it (a card, records) is credited through the feed
    (`credit_opened`); without an ORM `session` that raises StepOpened instead."""
    credits: list[Credit] = []
    events: list[str] = []
    for update in updates:
        located = locate(w, actor, progress, enrollment=enrollment, requirement=requirement, member=member)
        result = apply_update(w, actor, located, update, today=today(w))
        credits += result.credits
        events += result.events
        if result.opened and session is None:
            raise StepOpened
        if result.opened:
            from trainctl.services.credit_feed import credit_opened

            fed = credit_opened(session, actor, result.opened, today=today(w))
            if fed.credits:
                events.append(f"Credited {plural(len(fed.progress_ids), 'progress row')} "
                              "with what is on file.")  # fmt: skip
            events += fed.events
            result.progress = progress_row(w, result.progress.id)
            was, result.enrollment = result.enrollment, enrollment_row(w, result.enrollment.id)
            if was.status != "completed" and result.enrollment.status == "completed":
                events.append(f"Enrollment {was.id} is complete.")
    added = [c.id for c in credits if c.amount > 0 and c.id is not None]
    shortfall = q.shortfall(w, result.progress.id, added) if result.progress.id is not None and added else None
    return UpdateRun(result, events, shortfall)


def run_updates(
    writer: Callable[[], Any], session: Callable[[], Any], updates: list[ch.Update], *,
    today: Callable[[Any], date], progress: str | None, enrollment: str | None,
    requirement: str | None, member: str | None,
) -> UpdateRun:  # fmt: skip
    """`progress update`'s transaction: on plain SQL, no ORM on the everyday write
    (bench/writes.py); only when an update opens a step is it rolled back and done again
    in one ORM session with the credit feed. `writer()` and `session()` open the two kinds
    of transaction, each yielding (its handle, the acting member)."""
    from trainctl.services.store import writer_of

    named = {"progress": progress, "enrollment": enrollment, "requirement": requirement, "member": member}
    try:
        with writer() as (w, actor):
            return apply_updates(w, actor, updates, today=today, **named)
    except StepOpened:  # rolled back: the same updates again, in one transaction with the feed
        with session() as (orm, actor):
            return apply_updates(writer_of(orm), actor, updates, today=today, session=orm, **named)


def _authorize(row: _Row, update: ch.Update) -> None:
    actor, member_id = row.actor, row.located.enrollment.member_id
    if update.verify:
        actor.refuse_own(member_id)
    if update.reject:  # an officer's ruling on a report, as a verification is
        actor.refuse_own(member_id, "rejects their own progress")
    if update.override:
        actor.refuse_own(member_id, "marks their own requirements complete or waived")
    if not row.is_self:
        actor.require(MANAGE, "record progress for other members")
        return
    actor.require(UPDATE, "report their own progress")
    if not self_reporting_enabled(row.w):
        raise PermissionDeniedError(
            "Self-reporting is off in this department: members cannot record their own progress.",
            "Ask a training officer to record it (or to run `trainctl progress self-reporting on`).",
        )


def _require_open(row: _Row, update: ch.Update) -> None:
    """On hold: nothing moves until resumed. Withdrawn / failed: the record is closed.
    A note is always allowed (it changes no figure)."""
    e = row.located.enrollment
    if not update.moves_figures or e.status in dp.CREDITABLE:
        return
    what = (
        "credit" if update.credit else "rejection" if update.reject
        else "verification" if update.override is None else "overrides"
    )  # fmt: skip
    if e.status == "on_hold":
        raise RefusedError(
            f"Enrollment {e.id} is on hold; it takes no {what} (credit, overrides "
            "or verification) until it is resumed.",
            f"Resume it first: `trainctl enroll resume {e.id}`.",
        )
    raise RefusedError(
        f"Enrollment {e.id} is {e.status.replace('_', ' ')}; its progress "
        f"is closed and takes no {what} (credit, overrides or verification).",
        "Enroll the member again to continue: `trainctl enroll add MEMBER PROGRAM`.",
    )


def _require_begun(row: _Row, update: ch.Update) -> None:
    """Progress is dated the day it is entered (--as-of, else the department's today): a
    day before the enrollment began would date credit before it (`enroll show` then
    said 'last activity 183 days ago' of an enrollment begun today). So would a waiver,
    a sign-off or its removal (third review: a waiver as of 2025 on an enrollment begun in
    2026 was taken, and `enroll show` said 'last activity 702 days ago'). A note is
    allowed; a verification or rejection has its own rule, after what it rules on
    (`_not_before_reported`)."""
    e = row.located.enrollment
    began = e.enrolled_on
    if not (update.credit or update.override) or began is None or row.today >= began:
        return
    what = "progress" if update.credit else _overriding(update.status)
    raise RefusedError(
        f"Enrollment {e.id} began on {began}; {what} dated {row.today} would be before it.",
        f"Enter it as of {began} or later (`trainctl --as-of DATE progress update ...`), or "
        "enroll the member from the earlier day (`trainctl --as-of DATE enroll add ...`).",
    )


def _overriding(status: str | None) -> str:
    """An override change as a refusal names it (`--status` / `--waive`'s word)."""
    return {"waived": "a waiver", "completed": "a sign-off"}.get(status or "", "an override removal")


# ------------------------------------------------------------------ numeric credit: add, set
def _fmt(n: float) -> str:
    return f"{n:g}"


def _categories(target: dp.Target) -> str:
    """'national, national/airway, ..., local, individual' for hints."""
    return ", ".join(
        c.name + "".join(f", {c.name}/{t}" for t, _ in c.topics) for c in target.hour_categories
    )


def _numeric(
    row: _Row, option: str, value: float, category: str | None, distributive: bool, *,
    adds_hours: bool,
) -> str | None:  # fmt: skip
    """Checks shared by --add and --set; returns the category as the requirement spells it."""
    req, target = row.req, row.target
    if not target.is_numeric:
        raise UsageError(
            f"'{req.name}' is {a_or_an(req.requirement_type.replace('_', ' '))} requirement: it is measured by items, not a number.",
            f"Use --check ITEM (items: {', '.join(target.items) or 'none defined'}).",
        )
    _check_amount(req, option, value)
    if (
        category is None
        and len(target.hour_categories) == 1
        and dp.free_hours(target.required_hours, target.hour_categories) <= 0
    ):
        # one category that takes the whole target: every hour is in it, no need to say so
        category = target.hour_categories[0].name
    if category is not None and target.hour_categories:
        head, topic = dp.split_category(category)
        cat = next((c for c in target.hour_categories if dp.category_key(c.name) == head), None)
        topics = {dp.category_key(t): t for t, _ in cat.topics} if cat else {}
        if cat is None or (topic is not None and topic not in topics):
            raise BadInputError(
                f"'{req.name}' has no hour category {category!r}.",
                f"Categories: {_categories(target)}.",
            )
        category = cat.name + (f"/{topics[topic]}" if topic else "")
    elif (
        category is None
        and target.hour_categories
        and adds_hours
        and dp.free_hours(target.required_hours, target.hour_categories) <= 0
    ):
        raise BadInputError(
            f"'{req.name}' counts hours by category, and its categories take up the whole "
            f"{_fmt(target.required_hours or 0)} h: hours without a category could never count.",
            f"Give --category: {_categories(target)}.",
        )
    if distributive and req.requirement_type != "hours":
        raise UsageError("--distributive applies to hours.")
    return category


def _check_amount(req: RequirementRow, option: str, value: float) -> None:
    """A figure for --add / --set: finite, within MAX_AMOUNT, whole for shifts and calls."""
    kind = req.requirement_type
    if not math.isfinite(value):
        raise BadInputError(
            f"{option} {value}: not a number of {kind}.",
            "Give a finite number, e.g. --add 2.5 (negative to correct).",
        )
    if abs(value) > MAX_AMOUNT:
        raise BadInputError(
            f"{option} {value:g}: more than {MAX_AMOUNT:,.0f} {kind} is not a plausible figure.",
            "Check the number (a typo?); one update may give at most "
            f"{_fmt(MAX_AMOUNT)} {UNIT_WORDS[kind]}.",
        )
    if kind in ("shifts", "calls") and value != int(value):
        raise BadInputError(
            f"{option} {value:g}: '{req.name}' counts {kind} in whole numbers.",
            f"Give a whole number of {kind}, e.g. {option} {max(1, int(abs(value)))}.",
        )


def _credit_amount(
    row: _Row, amount: float, category: str | None, distributive: bool, note: str | None
) -> None:
    """Write a numeric credit within the ledger's bounds; a positive one passes the gate."""
    req, rp = row.req, row.rp
    if row.is_self and amount < 0:
        raise PermissionDeniedError(
            "Self-reported credit cannot be negative.", "Ask a training officer to correct it."
        )
    counted = sum(c.amount for c in row.ledger if c.state == "counted")
    if counted + amount < 0:
        raise RefusedError(
            f"That would take '{req.name}' to {_fmt(counted + amount)}; progress cannot go below zero.",
            f"It stands at {_fmt(counted)}. `trainctl progress log {rp.id}` shows the ledger.",
        )
    total = sum(c.amount for c in row.ledger if c.state in ("counted", "pending")) + amount
    if total > MAX_AMOUNT:
        raise BadInputError(
            f"That would take '{req.name}' to {_fmt(total)} {UNIT_WORDS[req.requirement_type]}; "
            f"one progress row holds at most {_fmt(MAX_AMOUNT)}.",
            f"Check the figure. `trainctl progress log {rp.id}` shows the ledger.",
        )
    row.credit(
        amount, row.source, category=category, note=note,
        item=dp.DISTRIBUTIVE if distributive else None,
    )  # fmt: skip
    if amount > 0:
        row.refuse_if_gated()


def add_credit(row: _Row, change: ch.AddCredit) -> None:
    """`--add N`: N more (or fewer) hours, shifts or calls."""
    category = _numeric(
        row, "--add", change.amount, change.category, change.distributive,
        adds_hours=change.amount > 0,
    )  # fmt: skip
    if change.amount == 0:
        raise BadInputError(
            "--add 0 records nothing.", "Give a non-zero amount (negative to correct)."
        )
    _credit_amount(row, float(change.amount), category, change.distributive, change.note)


def set_total(row: _Row, change: ch.SetTotal) -> None:
    """`--set N`: the total becomes N (in the category, if given): a credit of the difference."""
    category = _numeric(
        row, "--set", change.total, change.category, change.distributive, adds_hours=True
    )
    def scoped(c: Credit) -> bool:
        return category is None or (c.category or "").casefold() == category.casefold()

    current = sum(c.amount for c in row.ledger if c.state in row.states() and scoped(c))
    if change.total < 0:
        raise BadInputError(f"--set {change.total:g}: progress cannot be negative.")
    waiting = sum(c.amount for c in row.ledger if c.state == "pending" and scoped(c))
    if waiting and not row.is_self:
        # an officer's total counts what counts now; the member's report, verified later,
        # would come on top of it ("set to 2" ending at 3)
        unit = UNIT_WORDS[row.req.requirement_type]
        unit = unit[:-1] if waiting == 1 and unit != "h" else unit
        raise RefusedError(
            f"'{row.req.name}' has {_fmt(waiting)} {unit} reported by the member and waiting for "
            f"verification: --set {_fmt(change.total)} would end at {_fmt(change.total + waiting)} once "
            "it is verified.",
            f"Nothing was recorded. Verify the report first (`trainctl progress update {row.rp.id} "
            "--verify`), or reject it if it is wrong (--reject --reason ...), then set the total; "
            "or give what was not reported with --add.",
        )
    amount = round(change.total - current, 6)
    if amount == 0:
        raise RefusedError(f"'{row.req.name}' is already at {_fmt(change.total)}; nothing recorded.")
    _credit_amount(row, amount, category, change.distributive, change.note)


# ---------------------------------------------------------------- set credit: check, uncheck
def _item(row: _Row, wanted: str) -> tuple[str, bool]:
    """The requirement's item named `wanted`, and whether it is done (for the actor)."""
    req, target = row.req, row.target
    if target.is_numeric:
        raise UsageError(
            f"'{req.name}' is {a_or_an(req.requirement_type.replace('_', ' '))} requirement: use --add N or --set N.",
        )
    item = dp.match_item(target.items, wanted)
    if item is None:
        raise BadInputError(
            f"'{req.name}' has no item {wanted!r}.",
            f"Items: {', '.join(target.items) or 'none defined'}.",
        )
    done = dp.items_done(
        dp.Credit(c.amount, c.category, c.item) for c in row.ledger if c.state in row.states()
    )
    return item, dp.match_item(done, item) is not None


def _item_source(row: _Row) -> str:
    return row.source if row.is_self else ITEM_SOURCES.get(row.req.requirement_type, "manual")


def check(row: _Row, change: ch.Check) -> None:
    """`--check ITEM`: one item done (+1); it passes the gate like any credit. An item the
    member reported, waiting for verification, is verified, not checked a second time
    (the two would count as two, and one --uncheck take back only one)."""
    item, done = _item(row, change.item)
    if done:
        signed = any(c.source_type == SIGNOFF and c.item and dp.match_item([c.item], item) for c in row.ledger)
        raise RefusedError(
            f"{item!r} is already checked for '{row.req.name}'"
            + (" (signed off for the member: `trainctl checklist list --member "
               f"id:{row.located.enrollment.member_id}` shows it)." if signed else ".")
        )  # fmt: skip
    if not row.is_self and dp.match_item(dp.items_done(
        dp.Credit(c.amount, c.category, c.item) for c in row.ledger if c.state == "pending"
    ), item) is not None:  # fmt: skip
        raise RefusedError(
            f"{item!r} was reported by the member for '{row.req.name}' and waits for "
            "verification; checking it again would count it twice.",
            f"Verify it: `trainctl progress update {row.rp.id} --verify`.",
        )
    row.credit(1.0, _item_source(row), item=item, note=change.note)
    row.refuse_if_gated()


SIGNOFF = "checklist_signoff"  # the credit of a member's sign-off (`checklist check`)


def uncheck(row: _Row, change: ch.Uncheck) -> None:
    """`--uncheck ITEM`: take a checked item back (-1); officers only. What a sign-off
    credited (`checklist check`, the credit feed) is taken back by unchecking the sign-off,
    never here: the enrollment and the sign-off would disagree (the program unchecked, the
    sign-off and compliance checked). A hand check beside it is taken back as ever."""
    item, done = _item(row, change.item)
    if not done:
        raise RefusedError(f"{item!r} is not checked for '{row.req.name}'; nothing to uncheck.")
    if row.is_self:
        raise PermissionDeniedError(
            "Members cannot uncheck items.", "Ask a training officer to correct it."
        )
    mine = [c for c in row.ledger if c.state in row.states() and c.item and dp.match_item([c.item], item)]
    if any(c.source_type == SIGNOFF for c in mine) and not dp.items_done(
        dp.Credit(c.amount, c.category, c.item) for c in mine if c.source_type != SIGNOFF
    ):  # fmt: skip
        member = f"id:{row.located.enrollment.member_id}"
        raise RefusedError(
            f"{item!r} of '{row.req.name}' is signed off for the member (`checklist check`), not "
            "checked on this enrollment: the sign-off credits it here and counts in compliance; "
            "nothing was recorded.",
            f"Take the sign-off back, and the enrollment with it: `trainctl checklist uncheck {member} "
            f"{shell_word(row.req.name)} {shell_word(item)}` (--as-of the day it no longer counts).",
        )
    # an uncheck takes the item back from its day on: dated before the check it has
    # nothing to take back (compliance replays them in date order; the ledger would net
    # them to zero, and the two would disagree for good). A check that counts: a rejected
    # report was never checked
    checked = max(
        (c.entered_on for c in row.ledger
         if c.amount > 0 and c.state in row.states() and c.entered_on and c.item
         and dp.match_item([c.item], item) is not None),
        default=None,
    )  # fmt: skip
    if checked is not None and checked > row.today:
        raise RefusedError(
            f"{item!r} was checked for '{row.req.name}' on {checked}, after {row.today}: an "
            "uncheck cannot be dated before the check it takes back.",
            later_day_hint("Uncheck", checked, department_today(row.w)),
        )
    row.credit(-1.0, _item_source(row), item=item, note=change.note)


# ------------------------------------------------------------------ override, verify, note
OVERRIDE_LABELS = {"waived": "waived", "completed": "marked complete", None: "override removed"}


def override(row: _Row, change: ch.Override | ch.Waive) -> None:
    """`--status completed|auto`, `--waive`: an officer's override, kept in the ledger. An
    officer may sign off or waive out of order; the update then says which rule it passed."""
    status = "waived" if isinstance(change, ch.Waive) else change.status
    rp = row.rp
    if status == rp.status_override:
        return
    _not_before_override(row, status)
    if status is not None:
        passed_over = gate(row.w, row.located.enrollment, row.link_id, on=row.today)
        if passed_over is not None:
            verb = "waived" if status == "waived" else "marked complete"
            row.result.events.append(
                f"'{row.req.name}' is {verb} out of order (an officer's override): {passed_over}"
            )
    rp.status_override = status
    rp.override_reason = change.reason if status else None
    row.w.execute(
        "UPDATE requirement_progress SET status_override = :status, override_reason = :reason "
        "WHERE id = :id",
        {"status": rp.status_override, "reason": rp.override_reason, "id": rp.id},
    )
    label = OVERRIDE_LABELS[status]
    row.credit(
        0.0,
        "waiver" if status == "waived" else "manual",
        note=f"{label}: {change.reason}" if change.reason else label,
        state="counted",
    )


def _entries(row: _Row, entries: tuple[int, ...], verb: str) -> list[Credit]:
    """The row's pending entries an officer rules on: all of them, or those `--credit`
    names (each must be one of this row's entries waiting, or the update is refused)."""
    waiting = [c for c in row.ledger if c.state == "pending"]
    if not entries:
        return waiting
    by_id = {c.id: c for c in row.ledger}
    for entry in entries:
        c = by_id.get(entry)
        if c is None or c.state != "pending":
            why = ("is not an entry of this row" if c is None
                   else f"is {c.state}, not waiting for verification")  # fmt: skip
            raise RefusedError(
                f"Credit {entry} {why} (progress row {row.rp.id}, '{row.req.name}'); nothing "
                f"was {verb}.",
                "`trainctl progress pending` lists the entries waiting, each with its progress "
                f"row and credit id; `trainctl progress log {row.rp.id}` shows this row's ledger.",
            )
    return [by_id[e] for e in entries]


def _not_before_override(row: _Row, status: str | None) -> None:
    """Overrides go in date order: one given, replaced or removed is dated on or after the
    last override change (third review: a removal dated before the waiver it removed was
    taken; the ledger then held the removal before the waiver), as an uncheck is after the
    check it takes back. The day is the ledger's (ledger.override_days)."""
    rp = row.rp
    last = override_days(row.w, [rp.id], removals=True).get(rp.id)
    if last is None or row.today >= last:
        return
    was = (f"'{row.req.name}' was {OVERRIDE_LABELS[rp.status_override]}" if rp.status_override
           else f"The override on '{row.req.name}' was removed")  # fmt: skip
    raise RefusedError(
        f"{was} on {last}; {_overriding(status)} dated {row.today} would be before it.",
        f"{later_day_hint(None, last, department_today(row.w))} `trainctl progress log {rp.id}` "
        "shows the ledger.",
    )


def verify(row: _Row, change: ch.Verify) -> None:
    """`--verify`: pending self-reported credit counts from now; the row is verified.
    `--verify --credit ID`: only that entry counts from now; the row is stamped verified
    when nothing else of it waits."""
    row.actor.require(MANAGE, "verify progress")
    chosen = _entries(row, change.entries, "verified")
    pending = bool(chosen)
    recorded = any(c.amount for c in row.ledger if c.state == "counted") or any(
        c.amount for c in row.result.credits
    )
    if not pending and not recorded and row.rp.status_override is None:
        rp = row.rp
        raise RefusedError(
            f"'{row.req.name}' has nothing to verify: no credit is recorded and none is "
            "waiting for verification.",
            f"Verify once credit is recorded or reported. `trainctl progress log {rp.id}` "
            "shows the ledger.",
        )
    _not_before_reported(row, "a verification cannot be dated before what it verifies", "Verify", chosen)
    waiting = [c.id for c in chosen if c.id is not None]
    row.ruled.update(waiting)
    if waiting:
        ids, params = in_list("c", waiting)
        row.w.execute(
            "UPDATE progress_credit SET state = 'counted', verified_by = :by, verified_at = :at, "
            f"verified_on = :on WHERE id IN {ids}",
            {**params, "by": row.actor.member_id, "at": row.now, "on": row.today},
        )
    left = _still_waiting(row)
    if left:  # (--credit: some entries, not the row: it is verified once none waits)
        row.result.events.append(
            f"Verified {plural(len(waiting), 'entry', 'entries')} of '{row.req.name}'; "
            f"{plural(left, 'other entry', 'other entries')} of the row still "
            f"{'waits' if left == 1 else 'wait'} (`trainctl progress pending`)."
        )
        return
    row.w.execute(
        "UPDATE requirement_progress SET verified_by = :by, verified_at = :at, verified_on = :on "
        "WHERE id = :id",
        {"by": row.actor.member_id, "at": row.now, "on": row.today, "id": row.rp.id},
    )


def _named_entries(update: ch.Update) -> tuple[int, ...]:
    """The entries `--credit` named for a verification or a rejection (none: the row's)."""
    return (update.verify.entries if update.verify else ()) + (update.reject.entries if update.reject else ())


def _still_waiting(row: _Row) -> int:
    """How many of the row's pending entries this update did not rule on."""
    return sum(c.state == "pending" and c.id not in row.ruled for c in row.ledger)


def _not_before_reported(row: _Row, rule: str, verb: str, ruled: list[Credit]) -> None:
    """A ruling on reported credit (a verification, a rejection) is dated on or after it."""
    later = max((c.entered_on for c in ruled if c.entered_on), default=None)
    dp.refuse_verifying_before(
        f"'{row.req.name}' has credit reported", later, row.today, rule=rule, verb=verb,
        department_day=department_today(row.w),
    )  # fmt: skip


def reject(row: _Row, change: ch.Reject) -> None:
    """`--reject --reason`: the member's pending self-reported credit is turned down. It
    never counted, so no counted figure moves; what the member reported stops waiting
    (`progress pending`, their own totals). History stays, as a void or a card's lapse
    keeps it: each reported entry is kept, marked rejected, beside its reversing entry
    (the negative, same category and item, under "<source id>:reject") that says who
    rejected it, on which day and why."""
    row.actor.require(MANAGE, "reject progress")
    waiting = _entries(row, change.entries, "rejected")
    if not waiting:
        raise RefusedError(
            f"'{row.req.name}' has no self-reported credit waiting for verification; "
            "nothing to reject.",
            f"`trainctl progress pending` lists what waits; `trainctl progress log {row.rp.id}` "
            "shows this row's ledger (an officer corrects counted credit with --add -N).",
        )
    _not_before_reported(row, "a rejection cannot be dated before what it rejects", "Reject", waiting)
    row.ruled.update(c.id for c in waiting if c.id is not None)
    ids, params = in_list("c", [c.id for c in waiting])
    row.w.execute(f"UPDATE progress_credit SET state = 'rejected' WHERE id IN {ids}", params)
    for c in waiting:
        row.credit(
            -c.amount, c.source_type, state="rejected", category=c.category, item=c.item,
            note=f"rejected: {change.reason}", source_id=f"{c.source_id}{dp.REJECT_SUFFIX}",
        )  # fmt: skip
    if row.target.is_numeric:
        total = sum(c.amount for c in waiting)
        unit = UNIT_WORDS[row.req.requirement_type]
        what = f"{_fmt(total)} {unit[:-1] if total == 1 and unit != 'h' else unit}"
    else:
        what = ", ".join(repr(c.item) for c in waiting if c.item)
    left = _still_waiting(row)
    still = (f" {plural(left, 'other entry', 'other entries')} of the row still "
             f"{'waits' if left == 1 else 'wait'}." if left else "")  # fmt: skip
    row.result.events.append(
        f"Rejected what the member reported for '{row.req.name}' ({what}): it never counted "
        f"and no longer waits. `trainctl progress log {row.rp.id}` keeps it, with the reason.{still}"
    )


def note(row: _Row, change: ch.Note) -> None:
    """`--note` with no credit to carry it: a credit of nothing, kept in the ledger."""
    row.credit(0.0, row.source, note=change.text, state="counted")


APPLY: dict[type, Callable[[_Row, Any], None]] = {
    ch.AddCredit: add_credit,
    ch.SetTotal: set_total,
    ch.Check: check,
    ch.Uncheck: uncheck,
    ch.Override: override,
    ch.Waive: override,
    ch.Verify: verify,
    ch.Reject: reject,
    ch.Note: note,
}


# --------------------------------------------------------------------------------- finish
def finish(
    row: _Row, update: ch.Update, before: tuple[str, str], *, today: date
) -> UpdateResult:
    """The shared finish: re-measure, roll up, phases and milestones, messages, audit."""
    w, result = row.w, row.result
    req = result.requirement
    result.pending = any(c.state == "pending" for c in result.credits)
    # a verification counts the pending credit it rules on (every entry, or those named);
    # nothing else changes one
    # (as `enroll show` counts a row's `pending`: the entries in state pending)
    result.waiting = sum(c.state == "pending" for c in result.credits) + _still_waiting(row)
    events = refresh(w, [row.located.progress_id], [row.located.enrollment_id], today=today)
    rp = result.progress = progress_row(w, row.located.progress_id)
    enrollment = result.enrollment = enrollment_row(w, row.located.enrollment_id)
    before_status, before_enrollment = before
    if rp.status != before_status:
        if rp.status in dp.DONE:
            result.events.append(f"'{req.name}' is {rp.status}.")
        elif before_status in dp.DONE:
            result.events.append(f"'{req.name}' reopened ({rp.status.replace('_', ' ')}).")
    if enrollment.status != before_enrollment:
        if enrollment.status == "completed":
            result.events.append(f"Enrollment {enrollment.id} is complete.")
        elif before_enrollment == "completed":
            result.events.append(
                f"Enrollment {enrollment.id} reopened ({dp.pct_text(enrollment.progress_percentage)})."
            )
    result.events.extend(ev.message for ev in events)
    audit(
        w, row.actor, "progress.update", "requirement_progress", rp.id,
        credits=[(c.source_type, c.amount, c.item) for c in result.credits],
        status=update.status, verify=update.verify is not None, pending=result.pending,
        **({"reject": update.reject.reason} if update.reject else {}),
        **({"entries": sorted(row.ruled)} if _named_entries(update) else {}),
        on=today.isoformat(),  # the day it takes effect (--as-of): the entries' entered_on
    )  # fmt: skip
    return result
