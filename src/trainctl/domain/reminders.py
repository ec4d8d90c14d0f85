"""Reminder rules (DESIGN §6, issue 10): pure functions, no database.

A reminder is identified by its KEY: (kind, item, recipient, threshold). `item` names what
it is about with ids (and the deadline it warns of, so a moved deadline gets fresh
warnings); `threshold` is which warning it is ("30d", "7d", "0d", "overdue", "reached").

A reminder is DUE once its threshold has been crossed and it was never sent. Crossing is
"on or after", never "on exactly": a run skipped for a week still finds every warning whose
day has passed. Of several thresholds of one item crossed since the last run only the
LATEST is sent (one message: the 14-day warning makes the missed 30-day one pointless),
and never one earlier than a warning of the same item already in the log (`overtaken`).
A reminder is STALE, and never sent, when what it warns of no longer applies: the item is
completed or waived, the enrollment is no longer active (completed, withdrawn, failed, on
hold), the member is inactive, the certification was renewed or voided, the phase was left,
or the news is old: a follow-up, an expiry "on the day", a milestone, an assignment or a
quiet stretch that came due more than FRESH_DAYS ago (the officers' digest keeps listing
who is behind).

Deadlines come from domain/progress.py (`phase_deadline`, `is_overdue`): this module
decides only which warning a deadline calls for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from trainctl.domain import progress as dp
from trainctl.domain.periods import add_months
from trainctl.domain.text import plural, spoken_name

FRESH_DAYS = 30  # follow-ups and one-off notices older than this are stale
CERT_LEAD_DAYS = (90, 60, 30, 7, 0)  # certification expiry: 90/60/30/7 days and on the day
OVERDUE = "overdue"
REACHED = "reached"
ASSIGNED = "assigned"
DIGEST = "digest"
DUE_SOON = "due_soon"
RECURRING = frozenset({"annual", "biennial", "biannual", "quarterly", "monthly", "rolling"})

# kind -> what the preview calls it
KINDS = {
    "program_deadline": "program deadline",
    "phase_deadline": "phase deadline",
    "requirement_deadline": "requirement deadline",
    "inactive": "no recent progress",
    "milestone": "milestone reached",
    "assigned": "new requirement",
    "cert_expiry": "certification expiry",
    "compliance": "compliance due soon / overdue",
    "digest": "officers' digest",
}


# reminder_log's status, as a reader is told it. A row still 'claimed' has no outcome: the
# run that claimed it stopped (killed, a power cut) between its claim and the server's
# answer, and the next run sends it again. Interrupted, not failed: no server refused it.
INTERRUPTED = "interrupted"
SENDING = "sending"


def log_state(status: str, *, running: bool = False) -> str:
    """sent | failed | interrupted (a claim with no outcome: its run stopped first) |
    sending (a claim with no outcome while a run holds the lock, `running`: it is being
    sent now). The one rule of an interrupted claim: `reminders preview` ("retry
    (interrupted)") and `reminders log`."""
    if status == "claimed":
        return SENDING if running else INTERRUPTED
    return status


# ------------------------------------------------------------------------------- dates
def shift(day: date, days: int) -> date:
    """`day` + `days`, held at the calendar's ends (an absurd --as-of never overflows)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def days_between(start: date, end: date) -> int:
    return (end - start).days


# --------------------------------------------------------------------------- schedules
def _days(value: Any) -> int | None:
    """A whole day count from stored JSON (booleans and strings are not day counts)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


@dataclass(frozen=True)
class Schedule:
    """A program's reminder rules: warning_days_before and its reminder_conditions."""

    lead_days: tuple[int, ...] = ()  # far to near, no repeats
    only_below_percent: float | None = None
    inactive_days: int | None = None

    @property
    def warns(self) -> bool:
        """Deadline reminders are opt-in: a program that sets no lead day sends none."""
        return bool(self.lead_days)

    @property
    def farthest(self) -> int:
        return self.lead_days[0] if self.lead_days else 0


def schedule_of(warning_days_before: int | None, conditions: Mapping[str, Any] | None) -> Schedule:
    """warning_days_before and each of reminder_conditions' lead_days are lead days."""
    rc = conditions or {}
    leads = {d for d in (_days(x) for x in rc.get("lead_days") or ()) if d is not None}
    if _days(warning_days_before) is not None:
        leads.add(warning_days_before)  # type: ignore[arg-type]
    below = rc.get("only_below_percent")
    below = float(below) if isinstance(below, int | float) and not isinstance(below, bool) else None
    inactive = _days(rc.get("inactive_days")) or None
    return Schedule(tuple(sorted(leads, reverse=True)), below, inactive)


# -------------------------------------------------------------------------- thresholds
@dataclass(frozen=True)
class Crossed:
    """A crossed threshold: its label and the day it was crossed."""

    threshold: str
    on: date


def lead_label(days: int) -> str:
    return f"{days}d"


def latest_crossed(
    deadline: date | None,
    today: date,
    lead_days: Sequence[int],
    *,
    status: str = "in_progress",
    follow_up: bool = True,
    fresh_days: int = FRESH_DAYS,
) -> Crossed | None:
    """The latest threshold of a deadline crossed by `today`, or None.

    - after the deadline (domain.progress.is_overdue): "overdue", crossed the day after,
      while that is less than `fresh_days` ago (older follow-ups are stale);
    - else the nearest lead day N with today >= deadline - N ("on or after": a skipped
      run is caught up; lead 0 is "on the day");
    - None when no lead day has come yet, the item is done, or there is no deadline.
    """
    if deadline is None or status in dp.DONE or not lead_days:
        return None
    if dp.is_overdue(deadline, status, today):
        if not follow_up:
            return None
        on = shift(deadline, 1)
        return Crossed(OVERDUE, on) if days_between(on, today) < fresh_days else None
    # lead N is crossed when today >= deadline - N, i.e. when N >= the days left
    left = days_between(today, deadline)
    nearest = min((n for n in lead_days if n >= left), default=None)
    if nearest is None:
        return None
    return Crossed(lead_label(nearest), shift(deadline, -nearest))


def threshold_order(threshold: str) -> int | None:
    """Where a warning falls among those of one item (a deadline), earliest first: a lead
    day N at -N ("30d" before "7d" before "0d", on the day), "due_soon" before "overdue".
    None for the thresholds that are no step towards a deadline: a quiet stretch
    ("since:..."), a milestone reached, an assignment, a digest."""
    if threshold == OVERDUE:
        return 1
    if threshold == DUE_SOON:
        return -1
    if threshold.endswith("d") and threshold[:-1].isdigit():
        return -int(threshold[:-1])
    return None


def overtaken(threshold: str, logged: Iterable[str]) -> bool:
    """Whether a warning at `threshold` comes after its time: the log already holds a later
    warning of the same item for the same recipient (`logged`: their thresholds). Of the
    thresholds an item crosses only the latest is sent, and time only moves on; a run of an
    earlier day (`--as-of` in the past) or a shorter list of lead days would otherwise mail
    the 14-day warning after the 1-day one, "due in 10 days" for a deadline of tomorrow.
    Sent or not (a failed one is retried while it is due): the earlier one is stale."""
    order = threshold_order(threshold)
    if order is None:
        return False
    return any((o := threshold_order(t)) is not None and o > order for t in logged)


def below(progress: float, schedule: Schedule) -> bool:
    """only_below_percent: deadline reminders only while progress is below it."""
    return schedule.only_below_percent is None or progress < schedule.only_below_percent


def deadline_due(
    deadline: date | None,
    today: date,
    schedule: Schedule,
    *,
    progress: float,
    status: str = "in_progress",
) -> Crossed | None:
    """A program, phase or requirement deadline under the program's schedule."""
    if not schedule.warns or not below(progress, schedule):
        return None
    return latest_crossed(deadline, today, schedule.lead_days, status=status)


def phase_due(
    started_on: date | None,
    time_limit_days: int | None,
    today: date,
    schedule: Schedule,
    *,
    progress: float,
    open_items: int,
) -> tuple[date | None, Crossed | None]:
    """The current phase's deadline (domain.progress.phase_deadline) and its warning; a
    phase whose required items are all done needs none (it waits to advance)."""
    deadline = dp.phase_deadline(started_on, time_limit_days)
    status = "in_progress" if open_items else "completed"
    return deadline, deadline_due(deadline, today, schedule, progress=progress, status=status)


def cert_due(
    expires_on: date | None, today: date, *, superseded: bool, fresh_days: int = FRESH_DAYS
) -> Crossed | None:
    """Certification expiry at 90/60/30/7 days and on the day. A card renewed by a later
    one (or with no expiry) needs no warning; "on the day" stays due for `fresh_days`."""
    if expires_on is None or superseded:
        return None
    left = days_between(today, expires_on)
    if -left >= fresh_days:
        return None
    # lead N is crossed when today >= expiry - N, i.e. when N >= the days left
    nearest = min((n for n in CERT_LEAD_DAYS if n >= left), default=None)
    if nearest is None:
        return None
    return Crossed(lead_label(nearest), shift(expires_on, -nearest))


def quiet_since(enrolled_on: date, last_activity: date | None) -> date:
    """The day an enrollment's quiet stretch counts from: its last activity (the effective
    date of its latest credit), or the enrollment date when there is none or it is later."""
    return last_activity if last_activity is not None and last_activity > enrolled_on else enrolled_on


def inactive_due(
    last_activity: date, today: date, inactive_days: int | None, fresh_days: int = FRESH_DAYS
) -> Crossed | None:
    """No progress recorded for `inactive_days`: one reminder per quiet stretch (the
    threshold names the last activity, so new progress starts a new stretch), due from the
    day the stretch reaches `inactive_days` and caught up for `fresh_days` after it."""
    if not inactive_days:
        return None
    on = shift(last_activity, inactive_days)
    if today < on or days_between(on, today) >= fresh_days:
        return None
    return Crossed(f"since:{last_activity.isoformat()}", on)


@dataclass(frozen=True)
class ComplianceDue:
    """A compliance cell that calls for a reminder: its key's item and threshold, and the
    day the threshold was crossed."""

    item: str
    threshold: str
    on: date


def standing_follow_up(
    followed_up: Sequence[tuple[date, str]], today: date
) -> tuple[date, str] | None:
    """Of a member's follow-ups of a rolling requirement, (day, item), the one that stands
    for today's: the latest on or before today less than a month old, else (a replay of
    an earlier day) the first after today within a month; None when a new one is due."""
    past = [f for f in followed_up if f[0] <= today < add_months(f[0], 1)]
    if past:
        return max(past)
    ahead = [f for f in followed_up if today < f[0] < add_months(today, 1)]
    return min(ahead) if ahead else None


def compliance_due(
    requirement_id: int,
    frequency: str,
    status: str,
    *,
    window: tuple[date | None, date | None] | None,
    due: date | None,
    today: date,
    due_soon_days: int,
    followed_up: Sequence[tuple[date, str]] = (),
) -> ComplianceDue | None:
    """The reminder a compliance evaluation (domain/compliance.py `evaluate`) calls for: its
    status `due_soon` or `overdue` is the threshold (met, expired cards, not yet due and
    not applicable call for none: a met requirement is never reminded of). The key's item
    names the requirement and the window being judged, so each window's warning and its
    overdue follow-up go out once, and the next window starts afresh; a rolling window
    moves every day, so its item is the due date of a new hire, else the day of the
    follow-up: a rolling requirement that stays short is followed up once a month, a
    month after the last one (`followed_up`: the member's reminders of it at this
    threshold near today, (day, item) from reminder_log; within a month of one its key is
    that one's (`standing_follow_up`), so nothing new goes out, and a failed one is
    retried). A calendar month would have sent one on 30 November and another on
    1 December.

    Whether a short previous window is held against the member at all (not when it closed
    before the requirement was entered: nobody was asked for it then) is the evaluator's
    rule, decided once there: its status is what is sent."""
    if status not in (DUE_SOON, OVERDUE):
        return None
    start, end = window or (None, None)
    month: date | None = None  # a rolling follow-up's day
    if frequency == "rolling":
        if due is not None:
            item = f"requirement:{requirement_id}/due:{due.isoformat()}"
        else:
            standing = standing_follow_up(followed_up, today)
            month, item = standing or (today, f"requirement:{requirement_id}/rolling:{today.isoformat()}")
    elif start is not None and end is not None:
        item = f"requirement:{requirement_id}/window:{start.isoformat()}..{end.isoformat()}"
    elif due is not None:
        item = f"requirement:{requirement_id}/due:{due.isoformat()}"
    else:
        return None
    if status == DUE_SOON:
        on = shift(due, -due_soon_days) if due is not None else month or today
        return ComplianceDue(item, DUE_SOON, min(max(on, start or on), today))
    on = start if start is not None and frequency != "rolling" else today
    if due is not None and due < today:
        on = shift(due, 1)
    elif month is not None:
        on = month
    return ComplianceDue(item, OVERDUE, min(on, today))


NEXT_STEPS = {  # what a member does about a short compliance figure, by requirement type
    "checklist": "ask your training officer to check off the items you have done (`trainctl "
    "checklist check`: it counts here and in your programs); "
    "`trainctl requirement explain` shows what counted.",
    "skills_evaluation": "ask your training officer for a skills evaluation (checkoff); "
    "`trainctl requirement explain` shows what counted.",
    "shifts": "work the shifts still missing; each counts once it is on file, and "
    "`trainctl requirement explain` shows what counted.",
    "calls": "respond to the calls still missing; each counts once it is on file, and "
    "`trainctl requirement explain` shows what counted.",
}
NEXT_STEP = (
    "record the training that is still missing (or ask your training officer to); "
    "`trainctl requirement explain` shows what counted."
)


def compliance_text(
    name: str, requirement: str, status: str, figure: str, due: date | None,
    window: str, today: date, reason: str = "", kind: str = "",
) -> tuple[str, str]:  # fmt: skip
    """(Subject, body) of a compliance reminder: the requirement, the window, the figure
    (the evaluator's arithmetic), the date and what to do next. `reason`: the evaluator's
    words for the status; an overdue one names the window that closed short (a month
    that has just begun is not what the member is behind on)."""
    when = f" ({when_text(due, today)})" if due is not None else ""
    if status == OVERDUE:
        title = f"Overdue: {requirement}"
        first = f'You are behind on "{requirement}"' + (f": {reason}." if reason else ".")
        window = f" ({window})" if window else ""
    else:
        # the window names which due date this is: a program may set its own, earlier
        # deadline for the same requirement, mailed on its own
        span = f" ({window})" if window else ""
        title = f"Reminder: {requirement} is due" + (f" {due.isoformat()}" if due else "") + span
        first = f'"{requirement}"{span} is due' + (f" on {day_text(due)}{when}." if due else ".")
    lines = [first]
    if status == OVERDUE and due is not None:
        lines.append(f"This window{window} ends on {day_text(due)}{when}.")
    lines += [f"Progress: {figure}.", f"What to do next: {NEXT_STEPS.get(kind, NEXT_STEP)}"]
    threshold = threshold_text(status)
    return title, _letter(name, lines, None, f"{requirement}, {threshold}")


def fresh(on: date, today: date, fresh_days: int = FRESH_DAYS) -> bool:
    """A one-off event (milestone reached, requirement assigned) is news for a while."""
    return 0 <= days_between(on, today) < fresh_days


def enrollment_open(status: str) -> bool:
    return status == "active"


# --------------------------------------------------------------------------- reminders
class Key(NamedTuple):
    """A reminder's unique key (a tuple: built for every candidate of a selection, tens of
    thousands, and looked up by hash; a frozen dataclass costs several times more)."""

    kind: str
    item: str
    recipient_id: int
    threshold: str

    def text(self) -> str:
        return f"{self.kind}|{self.item}|{self.recipient_id}|{self.threshold}"


class Person(NamedTuple):
    id: int
    name: str
    email: str


@dataclass(eq=False)
class Reminder:
    """One message to send: its key, who gets it, whom it is about, and its text.

    The text (why, Subject, body) is composed on first use: a selection weighs many
    candidates against the log, and only those still unsent are ever shown or sent.
    """

    key: Key
    recipient: Person
    member_id: int | None  # whom it is about (None: a digest)
    due_on: date  # the day its threshold was crossed
    about: str  # "Recruit Academy", "Live fire (Recruit Academy)"
    compose: Callable[[], tuple[str, str, str]]  # -> (why, Subject, body)
    log_status: str = "new"  # new | failed (a retry) | claimed (left by a killed run)
    attempts: int = 0
    last_error: str | None = None

    @cached_property
    def _text(self) -> tuple[str, str, str]:
        return self.compose()

    @property
    def why(self) -> str:
        """One line for the preview."""
        return self._text[0]

    @property
    def title(self) -> str:
        """The Subject line."""
        return self._text[1]

    @property
    def body(self) -> str:
        return self._text[2]

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def threshold(self) -> str:
        return self.key.threshold


_KIND_ORDER = {kind: n for n, kind in enumerate(KINDS)}


def run_order(r: Reminder) -> tuple[Any, ...]:
    """The one order of a run's reminders, as `reminders preview` lists them and `send`
    sends them: by kind (as KINDS lists them), the day due, the recipient (name case
    aside, then id), what it is about, then the rest of its unique key. Complete, so the
    same data prints the same rows in the same order on SQLite and PostgreSQL (whose
    queries return rows that tie on their ORDER BY in either order)."""
    k = r.key
    return (
        _KIND_ORDER.get(k.kind, len(_KIND_ORDER)), r.due_on, r.recipient.name.casefold(),
        r.recipient.id, r.about, k.item, k.threshold,
    )  # fmt: skip


# ------------------------------------------------------------------------------- words
@lru_cache(maxsize=4096)  # a selection formats the same few figures tens of thousands of times
def pct(value: float | None) -> str:
    if value is None:
        return "0%"
    return f"{float(value):.0f}%" if float(value) == int(value) else f"{dp.half_up(value, 1):.1f}%"


def day_text(day: date) -> str:
    """'Sunday 1 March 2026' (no locale: cron runs in C)."""
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
    return f"{names[day.weekday()]} {day.day} {months[day.month - 1]} {day.year}"


def when_text(deadline: date, today: date) -> str:
    """'in 14 days', 'tomorrow', 'today', '3 days ago'."""
    n = days_between(today, deadline)
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    if n > 1:
        return f"in {n} days"
    return "yesterday" if n == -1 else f"{-n} days ago"


def threshold_text(threshold: str) -> str:
    if threshold == OVERDUE:
        return "overdue follow-up"
    if threshold.endswith("d") and threshold[:-1].isdigit():
        n = int(threshold[:-1])
        return "on-the-day notice" if n == 0 else f"{n}-day warning"
    if threshold == DUE_SOON:
        return "due-soon warning"
    if threshold.startswith("since:"):
        return f"no progress since {threshold[6:]}"
    return threshold


def sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _letter(name: str, lines: Iterable[str], note: str | None, why: str) -> str:
    parts = [f"Hello {spoken_name(name)},", "", *lines]
    if note and note.strip():
        parts += ["", "Message from your training officer:", f"  {' '.join(note.split())}"]
    parts += [
        "",
        "-- ",
        "Sent by trainctl for your department's training officer.",
        f"You get this once ({why}).",
    ]
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class DeadlineFacts:
    """What a deadline message says: about what, by when, how far along, what next."""

    what: str  # 'the program "Recruit Academy"'
    short: str  # "Recruit Academy" (subject line)
    deadline: date
    progress: str  # "40% complete", "6 / 12 h (50%)"
    next_step: str
    note: str | None = None  # the stored notification message


def verify_step(*, late: bool) -> str:
    """What to do when the member's own report awaits an officer's verification."""
    rest = "as soon as you can" if late else "before the deadline"
    return (
        "ask your training officer to verify what you reported (it counts once verified), "
        f"and complete anything still missing {rest}."
    )


def reported_text(pending: int) -> str:
    """'2 entries you reported await your training officer's verification'."""
    return (
        f"{pending} entr{'y' if pending == 1 else 'ies'} you reported "
        f"await{'s' if pending == 1 else ''} your training officer's verification"
    )


def deadline_text(
    name: str, facts: DeadlineFacts, crossed: Crossed, today: date
) -> tuple[str, str]:
    """(Subject, body) of a program, phase or requirement deadline reminder."""
    when = when_text(facts.deadline, today)
    if crossed.threshold == OVERDUE:
        title = f"Overdue: {facts.short} was due {facts.deadline.isoformat()}"
        first = f"The deadline for {facts.what} was {day_text(facts.deadline)} ({when})."
    else:
        title = f"Reminder: {facts.short} is due {when} ({facts.deadline.isoformat()})"
        first = f"The deadline for {facts.what} is {day_text(facts.deadline)} ({when})."
    body = _letter(
        name,
        [first, f"Progress: {facts.progress}.", f"What to do next: {facts.next_step}"],
        facts.note,
        f"{facts.short}, {threshold_text(crossed.threshold)}",
    )
    return title, body


def cert_text(
    name: str, credential: str, expires_on: date, crossed: Crossed, today: date,
    assumed: str = "",
) -> tuple[str, str]:  # fmt: skip
    """`assumed`: why the last day is assumed (a card with no expiry on file, held a
    renewal from its issue), said after the first line."""
    when = when_text(expires_on, today)
    if today > expires_on:
        title = f"Expired: your {credential} certification ({expires_on.isoformat()})"
        first = (
            f"Your {credential} certification has expired: its last valid day was "
            f"{day_text(expires_on)} ({when})."
        )
    elif today == expires_on:
        title = f"Expires today: your {credential} certification"
        first = f"Your {credential} certification expires today, {day_text(expires_on)}."
    else:
        title = (
            f"Reminder: your {credential} certification expires {when} ({expires_on.isoformat()})"
        )
        first = f"Your {credential} certification expires on {day_text(expires_on)} ({when})."
    body = _letter(
        name,
        [
            first,
            *([assumed] if assumed else []),
            "What to do next: renew it, and give your training officer a copy of the new "
            "card so your record stays current.",
        ],
        None,
        f"{credential}, {threshold_text(crossed.threshold)}",
    )
    return title, body


def milestone_text(
    name: str, milestone: str, program: str, threshold: float, progress: float, note: str | None
) -> tuple[str, str]:
    title = f"Milestone reached: {milestone} ({program})"
    if progress >= 100:
        step = "nothing is left to train; your training officer confirms the completion."
    else:
        step = "keep going; your training officer can show you what is left."
    body = _letter(
        name,
        [
            f'You reached the milestone "{milestone}" ({pct(threshold)}) in "{program}".',
            f"Progress: {pct(progress)} complete.",
            f"What to do next: {step}",
        ],
        note,
        f"{program}, milestone {milestone}",
    )
    return title, body


def assigned_text(
    name: str, requirement: str, program: str, deadline: date | None, note: str | None
) -> tuple[str, str]:
    title = f"New requirement: {requirement} ({program})"
    lines = [f'"{requirement}" is now part of your training in "{program}".']
    if deadline is not None:
        lines.append(f"It is due on {day_text(deadline)}.")
    lines.append("What to do next: read the message below and plan it with your training officer.")
    return title, _letter(name, lines, note, f"{program}, {requirement} assigned")


def inactive_text(
    name: str, program: str, last_activity: date, progress: float, today: date,
    resumed: bool = False,
) -> tuple[str, str]:  # fmt: skip
    """`resumed`: the stretch counts from the day the enrollment was resumed after a hold
    (nothing was recorded since then, and maybe for longer: the hold was not theirs)."""
    days = days_between(last_activity, today)
    title = f"No progress on {program} since {last_activity.isoformat()}"
    since = (
        f"since it was resumed on {day_text(last_activity)}" if resumed
        else f"since {day_text(last_activity)}"
    )  # fmt: skip
    body = _letter(
        name,
        [
            f'Nothing has been recorded for "{program}" {since} ({days} days).',
            f"Progress: {pct(progress)} complete.",
            "What to do next: log your training (or ask your training officer to), or tell "
            "them what is holding you up.",
        ],
        None,
        f"{program}, {threshold_text('since:' + last_activity.isoformat())}",
    )
    return title, body


@dataclass
class Behind:
    """One enrollment that is behind, for the officers' digest."""

    member: str
    email: str
    program: str
    progress: float
    target_overdue: date | None = None
    phase_overdue: str | None = None  # "phase 2 (Apparatus), due 2026-02-10"
    requirements_overdue: int = 0
    earliest_overdue: date | None = None
    details: list[str] = field(default_factory=list)
    enrollment_id: int | None = None  # what `trainctl enroll show` takes
    first_overdue: str | None = None  # the requirement overdue longest
    pending: int = 0  # self-reported credits waiting for an officer's verification

    def line(self) -> str:
        """'Ann Lee <ann@x> - Academy (enrollment 12): 40%; Live fire overdue (due
        2026-12-15)': who, the enrollment to look at, and what is late."""
        parts = [f"{pct(self.progress)}"]
        if self.target_overdue is not None:
            parts.append(f"target date {self.target_overdue.isoformat()} passed")
        if self.phase_overdue:
            parts.append(self.phase_overdue)
        if self.requirements_overdue:
            due = f"due {self.earliest_overdue.isoformat()}" if self.earliest_overdue else ""
            first = self.first_overdue or "a requirement"
            if self.requirements_overdue == 1:
                parts.append(f"{first} overdue" + (f" ({due})" if due else ""))
            else:
                parts.append(
                    f"{self.requirements_overdue} requirements overdue, the first {first}"
                    + (f" ({due})" if due else "")
                )
        if self.pending:  # part of what is late may be the officer's to verify
            parts.append(
                f"{self.pending} self-reported entr{'y awaits' if self.pending == 1 else 'ies await'} "
                "verification (`trainctl progress pending`)"
            )
        which = f" (enrollment {self.enrollment_id})" if self.enrollment_id is not None else ""
        return f"{self.member} <{self.email}> - {self.program}{which}: " + "; ".join(parts)


DIGEST_LINES = 200


def digest_text(
    name: str, today: date, behind: Sequence[Behind], members: int, reminders: int,
    waiting: Sequence[str] = (),
) -> tuple[str, str]:  # fmt: skip
    """The officers' digest: `behind` holds the first DIGEST_LINES enrollments behind (by
    member name), `members` how many members are behind in all; `waiting` the lines of
    enrollments whose completed phase waits for an officer to advance it."""
    title = f"Training digest {today.isoformat()}: {plural(members, 'member')} behind"
    if waiting:
        title += f", {plural(len(waiting), 'enrollment')} waiting for you"
    lines = [f"{plural(members, 'member')} behind on {day_text(today)}:", ""]
    lines += [f"- {b.line()}" for b in behind[:DIGEST_LINES]]
    if len(behind) >= DIGEST_LINES:
        lines.append(
            f"... the first {DIGEST_LINES} enrollments are shown; "
            "`trainctl enroll list` shows them all."
        )
    if waiting:
        lines += ["", "Waiting for an officer (a completed phase to advance):", ""]
        lines += [f"- {w}" for w in waiting[:DIGEST_LINES]]
    lines += [
        "",
        f"This run also sends {reminders} reminder{'' if reminders == 1 else 's'} to members.",
        "What to do next: `trainctl enroll show ENROLLMENT` (the number in parentheses) shows "
        "a member's requirements; "
        "`trainctl reminders log` shows what was sent.",
    ]
    parts = [f"Hello {spoken_name(name)},", "", *lines, "", "-- ", "Sent by trainctl: one digest per run."]
    return title, "\n".join(parts) + "\n"
