"""Skills and checkoffs: `skill add`, `skill checkoff`, `skill void` (writes need training.manage).

A skill: name (unique, case and spaces aside), category (Firefighting, EMS, Driver, Officer
or the department's own), evaluation criteria, passing requirements, the programs that
require it. A checkoff is one evaluation of a member on a skill (passed, failed or
needs_retest) by an officer who is never the member; every checkoff is kept (a retest is a
new row), so the history is the record. A passed checkoff credits the `skills_evaluation`
requirements that list the skill, through the credit feed, until a later failed or
needs_retest evaluation takes it back (domain/skills: the latest evaluation decides;
credit_feed.resettle_checkoffs writes the reversing entry, and credits a pass again). A
checkoff recorded by mistake is voided (kept, with who, when and why; its credit
reversed, and a void failure gives back the passes it took back), never deleted.

Recording the very same evaluation twice (member, skill, date, result, evaluator and
results) adds nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from trainctl.domain import sheet
from trainctl.domain import text as dtext
from trainctl.domain.lookup import as_id
from trainctl.domain.structured import DataError, parse_json
from trainctl.errors import BadInputError, NotFoundError
from trainctl.models import Member, SkillCheckoff, SkillEvaluation, utcnow
from trainctl.queries import reader_of
from trainctl.queries import skills as q
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.credit_feed import FeedResult, resettle_checkoffs
from trainctl.services.sheet_import import active_member, void_row

CATEGORIES = ("Firefighting", "EMS", "Driver", "Officer")
RESULTS = q.RESULTS
MAX_NAME = 200
MAX_CRITERIA = 100  # criteria per skill
MAX_RESULTS_CHARS = 20_000  # --results JSON
MAX_RESULTS_DEPTH = 4


def category_of(text: str) -> str:
    """A built-in category in its usual spelling ("ems" -> "EMS"), else the department's
    own as typed. Raises ValueError for text that is not a name."""
    value = sheet.check_text(text, limit=MAX_NAME)
    return next((c for c in CATEGORIES if c.casefold() == value.casefold()), value)


def parse_results(text: str) -> dict[str, Any]:
    """--results: a JSON object of the evaluation's results (criterion -> score, note, ...).
    Raises ValueError: not JSON, not an object, NaN/Infinity, too big or deep, or text a
    screen would mis-read."""
    if len(text) > MAX_RESULTS_CHARS:
        raise ValueError(f"is {len(text):,} characters long; at most {MAX_RESULTS_CHARS:,} are allowed")

    try:
        value = parse_json(text)
    except DataError as exc:  # "--results: line 1, column 2: not valid JSON (...)"
        raise ValueError(str(exc)) from None
    if not isinstance(value, dict):
        raise ValueError('must be a JSON object, e.g. {"time_seconds": 58, "donned_correctly": true}')
    _check(value, 1)
    return value


def _check(value: Any, depth: int) -> None:
    if depth > MAX_RESULTS_DEPTH:
        raise ValueError(f"is nested too deeply (at most {MAX_RESULTS_DEPTH} levels)")
    if isinstance(value, dict):
        for k, v in value.items():
            _text(k)
            _check(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check(v, depth + 1)
    elif isinstance(value, str):
        _text(value, blank_ok=True)
    elif isinstance(value, float) and not (abs(value) <= 1e15):
        raise ValueError(f"has a number out of range ({value!r})")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        raise ValueError(f"has a number out of range ({value})")


def _text(value: str, *, blank_ok: bool = False) -> None:
    if blank_ok and not value.strip():
        return
    why = dtext.problem(value)
    if why is not None:
        raise ValueError(f"has a value that {why} (got {value[:40]!r})")


# ----------------------------------------------------------------------------- catalog
def get_skill(session: Session, ref: str) -> SkillEvaluation:
    """The skill named by name or id (the one resolver: queries.skills)."""
    session.flush()
    found = q.get_skill(reader_of(session), ref)
    skill = session.get(SkillEvaluation, found.id)
    assert skill is not None
    return skill


def _program_ids(session: Session, refs: Sequence[str]) -> list[int]:
    from trainctl.services.programs import get_program

    ids: list[int] = []
    for ref in refs:
        text = ref.strip()
        if text.isdigit() and as_id(text) is None:
            raise NotFoundError(f"No program with id {text} (--program).", "`trainctl program list` shows them.")
        pid = get_program(session, text, what="--program").id
        if pid is not None and pid not in ids:
            ids.append(pid)
    return ids


def add_skill(
    session: Session,
    actor: Actor,
    *,
    name: str,
    category: str | None = None,
    description: str | None = None,
    criteria: Sequence[str] = (),
    passing: str | None = None,
    programs: Sequence[str] = (),
) -> SkillEvaluation:
    """Add a skill to the catalog. Raises BadInputError naming the option."""
    actor.require(MANAGE, "add skills")
    problems: list[str] = []

    def checked(option: str, text: str | None, fn: Any = None) -> Any:
        if text is None or not text.strip():
            return None
        try:
            return (fn or (lambda t: sheet.check_text(t, limit=MAX_NAME)))(text)
        except ValueError as exc:
            problems.append(f"{option}: {exc} (got {text[:60]!r})")
            return None

    # read as every name is (domain.text.name_text): "SCBA donning" with a zero-width space
    # or a no-break space pasted in is the skill "SCBA donning", not a second one
    clean = checked("NAME", name, lambda t: dtext.name_text(sheet.check_text(t, limit=MAX_NAME)))
    if not name.strip():
        problems.append("NAME: is required")
    cat = checked("--category", category, category_of)
    desc = checked("--description", description, lambda t: _multiline(t))
    rule = checked("--passing", passing, lambda t: _multiline(t))
    items = [c for c in (checked("--criterion", c, lambda t: _multiline(t)) for c in criteria) if c]
    if len(items) > MAX_CRITERIA:
        problems.append(f"--criterion: at most {MAX_CRITERIA} criteria (got {len(items)})")
    if problems:
        raise BadInputError("The skill is not valid; nothing was added.",
                            "Fix the values named above; `trainctl skill add -h` lists the options.",
                            details=problems)  # fmt: skip
    key = q.fold(clean)
    for other in session.exec(select(SkillEvaluation)):
        if q.fold(other.name) == key or dtext.likeness_key(other.name) == dtext.likeness_key(clean):
            raise BadInputError(
                f"A skill named {other.name!r} exists already (skill {other.id}).",
                f"`trainctl skill show {other.id}` shows it; skill names are unique.",
            )
    skill = SkillEvaluation(
        name=clean, category=cat, description=desc, evaluation_criteria=items,
        passing_requirements=rule, required_for_programs=_program_ids(session, programs),
        created_by=actor.member_id,
    )  # fmt: skip
    session.add(skill)
    session.flush()
    audit(session, actor, "skill.add", "skill_evaluation", skill.id, name=skill.name)
    return skill


def _multiline(text: str) -> str:
    if len(text) > 2_000:
        raise ValueError(f"is {len(text):,} characters long; at most 2,000 are allowed")
    why = dtext.problem(text, multiline=True)
    if why is not None:
        raise ValueError(why)
    return text.strip()


# ---------------------------------------------------------------------------- checkoffs
@dataclass
class Checkoff:
    id: int
    member: str
    skill: str
    status: str
    evaluated_on: date
    already: bool
    feed: FeedResult
    reversed: int = 0  # credits of earlier passes this evaluation took back
    hired: date | None = None  # the member's hire date (an evaluation before it is said)


def checkoff(
    session: Session,
    actor: Actor,
    member_ref: str,
    skill_ref: str,
    *,
    result: str,
    results: str | None = None,
    on: str | None = None,
    notes: str | None = None,
    today: date,
) -> Checkoff:
    """Record one evaluation. The evaluator is the acting member (an officer with
    training.manage, never the member evaluated); the member's skill credit is then
    settled again (a pass credits, a failure takes back the passes before it). Raises
    BadInputError naming the option."""
    actor.require(MANAGE, "record skill checkoffs")
    problems: list[str] = []
    status = result.strip().lower().replace("-", "_").replace(" ", "_")
    if status not in RESULTS:
        problems.append(f"--result: is one of {', '.join(RESULTS)} (got {result[:40]!r})")
    data: dict[str, Any] = {}
    if results is not None and results.strip():
        try:
            data = parse_results(results)
        except ValueError as exc:
            problems.append(f"--results: {exc}")
    day = today
    if on is not None and on.strip():
        try:
            day = sheet.parse_date(on)
        except ValueError as exc:
            problems.append(f"--date: {exc} (got {on[:40]!r})")
        else:
            if day > today:
                problems.append(f"--date: {day} is after today ({today}); record evaluations once done")
    note = None
    if notes is not None and notes.strip():
        try:
            note = _multiline(notes)
        except ValueError as exc:
            problems.append(f"--notes: {exc}")
    if problems:
        raise BadInputError("The checkoff is not valid; nothing was recorded.",
                            "Fix the values named above; `trainctl skill checkoff -h` lists the options.",
                            details=problems)  # fmt: skip
    member_id, member_name = active_member(session, member_ref, on=day)
    actor.refuse_own(member_id, "evaluates their own skills")
    skill = get_skill(session, skill_ref)
    assert skill.id is not None
    repeat = _repeat_of(session, member_id, skill.id, day, status, actor.member_id, data)
    if repeat is not None:
        return Checkoff(repeat, member_name, skill.name, status, day, True, FeedResult())
    row = SkillCheckoff(
        member_id=member_id, skill_id=skill.id, evaluator_id=actor.member_id, status=status,
        evaluation_results=data, evaluated_on=day, notes=note, created_by=actor.member_id,
        evaluated_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    assert row.id is not None
    audit(session, actor, "skill.checkoff", "skill_checkoff", row.id, member_id=member_id,
          skill=skill.name, status=status, evaluated_on=str(day))  # fmt: skip
    # the latest evaluation decides (domain/skills): a pass credits, a failure takes back
    # the passes before it, through the ledger
    settled = resettle_checkoffs(session, actor, member_id, today=today,
                                 reason=f"checkoff {row.id}: {skill.name} {status.replace('_', ' ')} {day}")  # fmt: skip
    feed = settled.feed
    feed.already = 0  # (the member's other passes, fed again, are no news)
    member = session.get(Member, member_id)
    hired = member.hire_date if member is not None else None
    return Checkoff(row.id, member_name, skill.name, status, day, False, feed, settled.reversed, hired)


def _repeat_of(
    session: Session, member_id: int, skill_id: int, day: date, status: str, evaluator: int | None,
    data: dict[str, Any],
) -> int | None:
    """The checkoff that this evaluation would merely enter twice, else None. The new one
    would sit last on `day` (domain/skills: evaluated date, then entry order); a repeat is
    one of the live checkoffs just before it on that day with the same result, evaluator
    and results, with nothing different between them. A pass after a needs_retest on the
    same day is the retest, not a repeat of the pass before the failure."""
    t = SkillCheckoff.__table__  # type: ignore[attr-defined]
    before = session.execute(
        sa.select(t.c.id, t.c.status, t.c.evaluator_id, t.c.evaluation_results)
        .where(t.c.member_id == member_id, t.c.skill_id == skill_id, t.c.evaluated_on == day,
               t.c.voided_at.is_(None))
        .order_by(t.c.id.desc())
    ).all()  # fmt: skip
    for cid, was, by, stored in before:
        if was != status:
            return None
        if by == evaluator and (stored or {}) == data:
            return int(cid)
    return None


def get_checkoff(session: Session, ref: str) -> SkillCheckoff:
    number = as_id(ref)
    row = session.get(SkillCheckoff, number) if number is not None else None
    if row is None:
        raise NotFoundError(
            f"No skill checkoff {ref.strip()!r}.", "`trainctl skill history` shows the checkoffs with their ids."
        )
    return row


def void_checkoff(
    session: Session, actor: Actor, ref: str, *, reason: str, today: date
) -> tuple[SkillCheckoff, FeedResult | None]:
    """Keep the checkoff, stamp who/when/why, reverse its credit. Voiding a void checkoff
    changes nothing (returns None for the feed). Nobody voids an evaluation of themselves
    (a failed one undone is as good as evaluating oneself)."""
    actor.require(MANAGE, "void skill checkoffs")

    def find() -> SkillCheckoff:
        row = get_checkoff(session, ref)
        actor.refuse_own(row.member_id, "voids an evaluation of their own skills")
        return row

    row, feed = void_row(session, actor, find, reason=reason, today=today,
                         source_type="skill_checkoff", action="skill.void", what="checkoff",
                         dated=lambda r: r.evaluated_on)  # fmt: skip
    if feed is not None:
        # a void failure no longer takes back the passes before it (domain/skills)
        settled = resettle_checkoffs(session, actor, row.member_id, today=today,
                                     reason=f"void of checkoff {row.id}: {reason.strip()}")  # fmt: skip
        feed.events = [*settled.lines("the member's skills"), *feed.events]
    return row, feed


__all__ = [
    "CATEGORIES", "Checkoff", "add_skill", "category_of", "checkoff", "get_checkoff", "get_skill",
    "parse_results", "void_checkoff",
]  # fmt: skip
