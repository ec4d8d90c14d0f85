"""Enrolling members: one validator shared by single and bulk enrollment.

The spec's seven steps (program exists, prerequisites, concurrency, target date, initial
phase, enrollment, one progress row per program requirement) run set-based: a few queries
for the whole batch and bulk INSERTs, whether the batch holds one member or five thousand.
`enroll_member` is the same validator for a batch of one, then the ORM (it returns the
objects the CLI shows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from trainctl.db import BulkInsert, chunks, table
from trainctl.domain import progress as dp
from trainctl.domain.positions import position_code
from trainctl.domain.text import hired_after, same_name, shell_word
from trainctl.errors import (
    BadInputError,
    NotFoundError,
    RefusedError,
    TrainctlError,
    UsageError,
)
from trainctl.models import (
    Enrollment,
    Program,
    ProgramPrerequisite,
    ProgramRequirement,
    Requirement,
    RequirementProgress,
    utcnow,
)
from trainctl.permissions import MANAGE, Actor
from trainctl.queries import as_date, reader_of
from trainctl.queries.members import (
    RUN_IDS,
    exactly_named,
    find_members,
    name_key,
    named,
    not_found,
    other_named,
)
from trainctl.services.audit import audit
from trainctl.services.programs import get_program as _get_program
from trainctl.services.programs import ref_of
from trainctl.services.progress.phases import load_phases

OPEN = ("active", "on_hold")

PREREQ_MESSAGE = "User has not completed prerequisite program"
_WRITE_CHUNK = 10_000  # enrollment rows per executemany (member import's slice)
CONCURRENT_MESSAGE = "User is already enrolled in another program. This program does not allow concurrent enrollment."


class Enrollee(Protocol):
    """A member as the validator needs it (an ORM Member or a read-side MemberRow)."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def positions(self) -> list[str]: ...
    @property
    def hire_date(self) -> date | None: ...


def hire_note(member: Enrollee, day: date) -> str | None:
    """An enrollment dated before the member's hire date (a pre-hire academy, or a typo in
    --as-of) is made as given and said, as a record, card, shift or call dated before it
    is (domain/text `hired_after`): the member is judged as first known (their history's
    first entry, their state on the hire day), and the deadlines run from that day."""
    return hired_after(member.name, member.hire_date, "the enrollment day", day,
                       f"enrolled as given, deadlines counted from {day}", "check --as-of")  # fmt: skip


# ------------------------------------------------------------------------------- programs
def get_program(session: Session, ref: str | int) -> Program:
    """id, "Name" (its newest active version) or "Name@2" (services.programs owns the rules)."""
    return _get_program(session, ref)


def program_label(program: Program) -> str:
    return f"'{program.name}' v{program.version}"


def check_program_enrollable(program: Program, session: Session | None = None) -> None:
    label = f"'{program.name}' v{program.version}"
    if program.is_template:
        raise RefusedError(
            f"Program {label} is a template; members enroll in programs, not templates.",
            f"Duplicate it first: `trainctl program duplicate {program.id} --name ...`.",
        )
    if program.status == "archived":
        newer = None
        if session is not None:  # the version members enroll in now, when there is one
            newer = session.exec(
                select(Program)
                .where(Program.name == program.name, Program.status == "active")
                .where(col(Program.is_template).is_(False))
                .order_by(col(Program.version).desc())
            ).first()
        raise RefusedError(
            f"Program {label} is archived and takes no new enrollments.",
            f"Enroll members in v{newer.version}, its active version (program {newer.id})."
            if newer is not None
            else f"No version of it is active: `trainctl program activate {program.id}` brings "
            "it back (`trainctl program list --status all` lists its versions).",
        )
    if program.status != "active":
        raise RefusedError(
            f"Program {label} is a {program.status}; it takes enrollments once activated.",
            f"Activate it: `trainctl program activate {program.id}`.",
        )


# ------------------------------------------------------------------------------ validator
@dataclass(slots=True)  # (no __dict__: a class file holds 100,000 of them)
class Request:
    """One member to enroll: where it came from (for messages) and how it was named."""

    where: str  # "line 4", "item 2", "member"
    ref: str
    kind: str = "member"  # member (id, email or badge) | email | badge | id
    target_date: date | None = None
    member: Enrollee | None = None  # found by `resolve_members` (or given, for one member)
    problem: TrainctlError | None = None  # why no member was found (not found, ambiguous)
    also: tuple[tuple[str, str], ...] = ()  # a CSV row's other member columns (kind, value)
    name: str | None = None  # a CSV row's name column, as written (checked, never looked up)


@dataclass(slots=True)  # (one a row of the file, kept for the report)
class Outcome:
    where: str
    ref: str
    member_id: int | None = None
    member_name: str | None = None
    enrollment_id: int | None = None
    refused: str | None = None  # the reason, when refused
    hint: str | None = None  # ... and what to do about it (the hint `enroll add` would give)
    duplicate_of: str | None = None  # "line 2", when the row repeats an earlier one
    already: bool = False  # already open in this program (enrollment_id): left as it is
    ended: str | None = None  # withdrawn | failed: their last one in the program's line
    # (enrollment_id), an officer's decision a re-run does not undo: skipped, and said (note)
    completed: Completed | None = None  # their last one in the line was completed: enrolled
    # again (a recertification is taken again on purpose; an academy, most likely not), and said
    note: str | None = None  # a doubt worth a look that refuses nothing (a name that differs)
    target_date: date | None = None  # the member's target date: given, or the program's limit

    @property
    def ok(self) -> bool:
        return self.refused is None and self.duplicate_of is None and not self.already and not self.ended


@dataclass
class BulkResult:
    program: Program
    outcomes: list[Outcome] = field(default_factory=list)
    progress_rows: int = 0
    written: bool = False

    @property
    def enrolled(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.refused is not None]

    @property
    def already(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.already and o.duplicate_of is None]

    @property
    def ended(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ended and o.duplicate_of is None]

    @property
    def again(self) -> list[Outcome]:
        """Enrolled (or to be) though they completed the program before (any version)."""
        return [o for o in self.enrolled if o.completed is not None]


def resolve_members(session: Session, requests: Sequence[Request]) -> None:
    """Set-based: every named member in three queries, by the one member rule
    (queries.members.find_members); a reference that names nobody, or two members, keeps
    the resolver's message as its problem."""
    session.flush()
    pairs = [(r.kind, r.ref) for r in requests] + [p for r in requests for p in r.also]
    found = find_members(reader_of(session), pairs)
    others = iter(found[len(requests):])
    for r, f in zip(requests, found[: len(requests)], strict=True):
        r.member, r.problem = f.member, f.problem
        also = [(kind, ref, next(others)) for kind, ref in r.also]
        if not r.ref.strip():
            r.member, r.problem = None, UsageError(
                "The row names no member: its member, email, badge and id cells are empty.",
                "Give the member's e-mail, badge or id, or remove the row.",
            )
        elif also and _disagree([f, *(g for *_, g in also)]):
            # the columns disagree (as record and cert imports refuse the row)
            who = "; ".join(
                f"{kind} {ref!r} is {g.member.name}" if g.member else f"{kind} {ref!r} names no member"
                for kind, ref, g in [(r.kind, r.ref, f), *also]
            )
            r.member, r.problem = None, UsageError(
                f"The row's member columns disagree ({who}).", "Correct the column that is wrong."
            )
    _name_another(session, requests)
    _name_the_lost(session, requests)


def _name_another(session: Session, requests: Sequence[Request]) -> None:
    """A row whose name cell is another member's full name (queries.members.other_named):
    refused as columns that disagree, naming both members and which cell to correct (a
    badge typed one digit off enrolled the wrong recruit with exit 0)."""
    asked = [r for r in requests if r.member is not None and r.member.id is not None and r.name
             and name_key(r.name) != name_key(r.member.name)]  # fmt: skip
    if not asked:
        return
    namesakes = exactly_named(reader_of(session), {r.name for r in asked if r.name})
    for r in asked:
        assert r.member is not None and r.member.id is not None and r.name is not None
        others = other_named(r.name, r.member.id, namesakes.get(r.name, []))
        if not others:
            continue
        them = " and ".join(f"{m.name} ({'badge ' + m.badge if m.badge else f'id:{m.id}'})"
                            for m in others[:3])  # fmt: skip
        who = f"{r.kind} {r.ref.strip()!r} is {r.member.name}; name {r.name.strip()!r} is {them}"
        r.problem = UsageError(
            f"The row's member columns disagree ({who}).",
            f"Correct the row's {r.kind} cell if the row is about {others[0].name}, or its "
            f"name if it is about {r.member.name}.",
        )
        r.member = None


def _name_the_lost(session: Session, requests: Sequence[Request]) -> None:
    """A row whose e-mail, badge or id names nobody (or that leaves them empty), but whose
    name column is that of one member: the refusal says who, and which cell to correct (a
    mistyped e-mail at 11 pm)."""
    lost = [r for r in requests if r.member is None and r.problem is not None
            and (isinstance(r.problem, NotFoundError) or not r.ref.strip())]  # fmt: skip
    if not lost:
        return
    could = named(reader_of(session), [r.name for r in lost if r.name])
    listed: dict[int, str] = {}  # member id -> the first row that names them
    for r in requests:
        if r.member is not None and r.member.id is not None:
            listed.setdefault(r.member.id, r.where)
    for r in lost:
        found = could.get(r.name or "", [])
        if (not found and r.where.startswith("line ") and r.ref.strip() and isinstance(r.problem, NotFoundError)
                and "Did you mean" not in str(r.problem.hint)):  # fmt: skip
            r.problem = _nobody(r, r.problem)
        if len(found) != 1 or r.problem is None or not r.name:
            continue
        m = found[0]
        known = ", ".join(x for x in (f"badge {m.badge}" if m.badge else "", m.email) if x)
        message = f"{r.problem.message} The row's name is that of {m.name} ({known})."
        if (first := listed.get(m.id)) is not None:
            # the member is in the file already: the row repeats them with a typo, and
            # correcting it would only make it "same member as" that row
            fix = f"correct its {r.kind} cell" if r.ref.strip() else "give their e-mail or badge"
            kind = NotFoundError if r.ref.strip() else UsageError
            r.problem = kind(
                f"{message[:-1]}, whom {first} names.",
                f"Remove the row if it is {m.name} ({first} names them), or {fix} if it is about "
                "someone else.",
            )
        elif r.ref.strip():
            hint = f"Correct the row's {r.kind} cell, or its name if the row is about someone else."
            r.problem = NotFoundError(message, hint)
        else:
            hint = f"Put {m.name}'s e-mail or badge in the row, or correct the name."
            r.problem = UsageError(message, hint)


def _nobody(r: Request, problem: NotFoundError) -> NotFoundError:
    """A file's row whose every member cell, and its name, name nobody, with no close name
    to offer: a typo, or a recruit not on file yet (review r1: the generic "name a member by
    badge, e-mail ..." sent the officer looking for a typo in a row about a new member).
    The resolver's message stands (`enroll add` and `--members` say the same), with what
    the row's other cells name, and a hint that says both."""
    cells = [(kind, ref.strip()) for kind, ref in r.also if ref.strip()]
    said = [f"{kind} {ref!r}" for kind, ref in cells]
    if r.name and r.name.strip():
        said.append(f"name {r.name.strip()!r}")
    either = ""
    if said:
        listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
        either = f" The row's {listed} name{'s' if len(said) == 1 else ''} nobody either."
    given = [(r.kind, r.ref.strip()), *cells]
    email = next((ref for kind, ref in given if kind == "email" or "@" in ref), None)
    badge = next((ref for kind, ref in given if kind == "badge"), None)
    add = " ".join(["trainctl member add", shell_word(r.name.strip()) if r.name and r.name.strip() else "NAME",
                    "--email", shell_word(email) if email else "EMAIL",
                    *(["--badge", shell_word(badge)] if badge else [])])  # fmt: skip
    return NotFoundError(
        f"{problem.message}{either}",
        "Check the row for a typo (`trainctl member list` shows who is on file); a member not on file "
        f"yet is added first (`{add}`, or a roster with `trainctl member import --csv FILE`), then run "
        "this again.",
    )


def _disagree(found: Sequence[Any]) -> bool:
    """A row's member columns name two members, or one and nobody (all nobody: not found)."""
    ids = {f.member.id for f in found if f.member is not None}
    return len(ids) > 1 or (bool(ids) and any(f.member is None for f in found))


def name_doubt(r: Request) -> str | None:
    """A CSV row's name that is not its member's, or None (domain.text.same_name). The
    member is the one the row's e-mail, badge or id names; the name is only checked."""
    if r.member is None or not r.name or not r.name.strip() or same_name(r.name, r.member.name):
        return None
    return (f"the name {r.name.strip()!r} is not that of {r.member.name}, whom {r.kind} "
            f"{r.ref!r} names; check the row.")  # fmt: skip


def _accepted_prerequisites(session: Session, program: Program) -> dict[int, tuple[str, set[int]]]:
    """prerequisite program id -> (label, ids of every version in its line that counts)."""
    prereq_ids = list(
        session.exec(
            select(ProgramPrerequisite.prerequisite_id).where(
                ProgramPrerequisite.program_id == program.id
            )
        )
    )
    if not prereq_ids:
        return {}
    prereqs = list(session.exec(select(Program).where(col(Program.id).in_(prereq_ids))))
    lines = {p.lineage_id or p.id for p in prereqs}
    family = list(
        session.exec(
            select(Program.id, Program.lineage_id).where(
                sa.or_(col(Program.id).in_(lines), col(Program.lineage_id).in_(lines))
            )
        )
    )
    out: dict[int, tuple[str, set[int]]] = {}
    for p in prereqs:
        assert p.id is not None  # a stored program
        line = p.lineage_id or p.id
        ids = {pid for pid, lid in family if pid is not None and line in (pid, lid)} | {p.id}
        out[p.id] = (f"'{p.name}'", ids)
    return out


@dataclass(frozen=True)
class Refusal:
    """Why a member may not enroll: the message (the spec's wording where it has one), the
    hint for a single enrollment, and the detail a bulk report adds to the message."""

    reason: str
    hint: str
    detail: str = ""
    enrolled: int | None = None  # already open in this very program: that enrollment's id
    target: date | None = None  # ... and its target date

    @property
    def line(self) -> str:
        """The reason as one line of a bulk report."""
        return f"{self.reason} {self.detail}".strip()


def position_refusal(member: Enrollee, program: Program) -> Refusal | None:
    """A program for a position (target_position) takes members who hold it."""
    wanted = position_code(program.target_position or "")
    if not wanted or wanted in {position_code(p) for p in member.positions or []}:
        return None
    holds = ", ".join(member.positions or []) or "no position"
    return Refusal(
        f"{member.name} does not hold the position '{wanted}' that '{program.name}' is for "
        f"(holds: {holds}).",
        f"Give the member the position first (`trainctl member edit id:{member.id} "
        f"--add-position {shell_word(wanted)}`), or enroll anyway with --any-position.",
        detail="(use --any-position to enroll anyway)",
    )


@dataclass(frozen=True)
class _Then:
    """A member as they were on the enrollment day (their status and positions then)."""

    id: int | None
    name: str
    status: str
    positions: list[str]
    hire_date: date | None


def _as_on(session: Session, requests: Sequence[Request], day: date | None) -> dict[int, _Then]:
    """The members' status and positions on `day` (queries/members: their history, the one
    rule of every as-of answer); members without history keep their current values."""
    from trainctl.queries import members as qm

    ids = sorted({m.id for r in requests if (m := r.member) and m.id is not None})
    if day is None or not ids:
        return {}
    out: dict[int, _Then] = {}
    timelines = qm.timelines(reader_of(session), ids)
    for r in requests:
        m = r.member
        if m is None or m.id is None or m.id in out:
            continue
        state = qm.state_on(timelines.get(m.id, ()), day)
        if state is not None:
            out[m.id] = _Then(m.id, m.name, state.status, list(state.positions), m.hire_date)
    return out


def validate(
    session: Session, program: Program, requests: Sequence[Request], *, any_position: bool = False,
    day: date | None = None,
) -> dict[int, Refusal]:
    """The one validator for single and bulk enrollment, set-based over the batch.

    Returns {index in requests: Refusal} for every refused request; members must be
    resolved. A program with a target position takes only members who hold it, unless
    `any_position`. "Already enrolled" compares program lines, not ids: a member open in any
    version of the program (same lineage) is refused. `day`: the enrollment day; status
    and positions are the member's on that day (an --as-of enrollment of a member active
    then, retired since, is theirs to load).
    """
    refused: dict[int, Refusal] = {}
    then = _as_on(session, requests, day)
    member_ids = sorted({m.id for r in requests if (m := r.member) and m.id is not None})
    e, p = table(Enrollment), table(Program)
    columns = (
        e.c.member_id, e.c.id, e.c.program_id, p.c.name, p.c.version,
        p.c.allows_concurrent_enrollment, p.c.lineage_id, e.c.target_completion_date,
    )  # fmt: skip
    # member -> [(enrollment id, program id, name, version, allows concurrent, lineage)]
    open_by_member: dict[int, list[tuple[int, int, str, int, bool, int]]] = {}
    targets: dict[int, date | None] = {}  # enrollment id -> its target date
    for part in chunks(member_ids):
        for mid, eid, pid, name, version, concurrent, lineage, target in session.execute(
            sa.select(*columns)
            .join(p, p.c.id == e.c.program_id)
            .where(e.c.status.in_(OPEN), e.c.member_id.in_(part))
        ):
            open_by_member.setdefault(mid, []).append(
                (eid, pid, name, version, concurrent, lineage or pid)
            )
            targets[eid] = as_date(target)
    line = program.lineage_id or program.id

    prereqs = _accepted_prerequisites(session, program)
    completed: dict[int, set[int]] = {}
    if prereqs:
        accepted = sorted(set().union(*(ids for _, ids in prereqs.values())))
        for part in chunks(member_ids):
            for mid, pid in session.exec(
                select(Enrollment.member_id, Enrollment.program_id).where(
                    Enrollment.status == "completed",
                    col(Enrollment.program_id).in_(accepted),
                    col(Enrollment.member_id).in_(part),
                )
            ):
                completed.setdefault(mid, set()).add(pid)

    for i, r in enumerate(requests):
        m = r.member
        if m is None:
            problem = r.problem or not_found(r.ref)
            refused[i] = Refusal(
                problem.message,
                problem.hint or "",
                # an ambiguous reference says how to name the one meant
                detail=(problem.hint or "") if isinstance(problem, UsageError) else "",
            )
            continue
        assert m.id is not None  # a stored member
        mine = open_by_member.get(m.id, [])
        here = [o for o in mine if o[1] == program.id]
        if here:  # open in this very program: whatever changed since, nothing to do
            eid, _pid, name, version = here[0][:4]
            refused[i] = Refusal(
                f"{m.name} is already enrolled in '{name}' (v{version}, enrollment {eid}).",
                f"`trainctl enroll user id:{m.id}` lists {m.name}'s enrollments.",
                enrolled=eid, target=targets.get(eid),
            )
            continue
        was = then.get(m.id, m)
        if was.status != "active" and m.status == "active":  # then, not now
            refused[i] = Refusal(
                f"{m.name} was inactive on {day}; only active members can enroll.",
                "Enroll them as of a day they were active (`trainctl --as-of DATE enroll ...`).",
            )
            continue
        if was.status != "active":
            refused[i] = Refusal(
                f"{m.name} is inactive; only active members can enroll.",
                f"Reactivate the member first: `trainctl member edit id:{m.id} --status active`.",
            )
            continue
        misfit = None if any_position else position_refusal(was, program)
        if misfit is not None:
            refused[i] = misfit
            continue
        same = [o for o in mine if o[5] == line]
        if same:  # another version of the program (this one is above)
            eid, pid, name, version = same[0][:4]
            hint = (
                f"Enrollments stay on the version they were made on; to move {m.name} to "
                f"v{program.version}, withdraw enrollment {eid} first (`trainctl enroll withdraw {eid}`)."
            )
            refused[i] = Refusal(
                f"{m.name} is already enrolled in '{name}' (v{version}, enrollment {eid}).", hint,
            )
            continue
        missing = [
            label for label, ids in prereqs.values() if not completed.get(m.id, set()) & ids
        ]
        if missing:
            refused[i] = Refusal(
                f"{PREREQ_MESSAGE} {', '.join(missing)}.",
                f"Complete the prerequisite program first (`trainctl enroll user id:{m.id}` shows "
                f"{m.name}'s enrollments).",
            )
            continue
        others = [o for o in mine if o[5] != line]
        if others and not program.allows_concurrent_enrollment:
            names = ", ".join(f"'{o[2]}' v{o[3]} (enrollment {o[0]})" for o in others)
            refused[i] = Refusal(
                CONCURRENT_MESSAGE,
                f"{m.name} is enrolled in {names}: withdraw or complete it first, or allow "
                f"concurrent enrollment on '{program.name}'.",
                detail=f"(enrolled in {names})",
            )
            continue
        exclusive = [o for o in others if not o[4]]
        if exclusive:
            o = exclusive[0]
            refused[i] = Refusal(
                f"User is enrolled in '{o[2]}' v{o[3]}, which does not allow concurrent enrollment.",
                f"{m.name} is in enrollment {o[0]}: withdraw or complete it first "
                f"(`trainctl enroll show {o[0]}`).",
            )
            continue
    return refused


ENDED = ("withdrawn", "failed")


@dataclass(frozen=True)
class Ended:
    """A member's latest enrollment in a program's line (any version), when it was
    withdrawn or failed: the officer's decision a bulk run leaves as it is."""

    enrollment_id: int
    status: str  # withdrawn | failed
    version: int
    reason: str | None
    on: date | None  # the day it ended (the --as-of day it was given), when on record


@dataclass(frozen=True)
class Completed:
    """A member's latest enrollment in a program's line (any version), when it completed:
    a bulk run or `enroll add` enrolls them again, and says so."""

    enrollment_id: int
    version: int
    on: date | None  # the day it completed (enrollment.completed_on, as `enroll show`)


def _latest_in_line(
    session: Session, program: Program, member_ids: Sequence[int]
) -> dict[int, tuple[int, str, int, str | None, Any]]:
    """{member id: (enrollment id, status, version, status reason, completed_on)} of each
    member's latest enrollment in the program's line (same lineage, as "already enrolled"
    compares): the officer's latest decision about them and this program."""
    e, p = table(Enrollment), table(Program)
    line = program.lineage_id or program.id
    latest: dict[int, tuple[int, str, int, str | None, Any]] = {}
    for part in chunks(sorted(set(member_ids))):
        for mid, eid, status, version, reason, completed_on in session.execute(
            sa.select(e.c.member_id, e.c.id, e.c.status, p.c.version, e.c.status_reason,
                      e.c.completed_on)
            .join(p, p.c.id == e.c.program_id)
            .where(sa.func.coalesce(p.c.lineage_id, p.c.id) == line, e.c.member_id.in_(part))
        ):  # fmt: skip
            if mid not in latest or eid > latest[mid][0]:
                latest[mid] = (eid, status, version, reason, completed_on)
    return latest


def completed_in_line(
    session: Session, program: Program, member_ids: Sequence[int]
) -> dict[int, Completed]:
    """{member id: Completed} for the members whose latest enrollment in the program's line
    is completed (`_latest_in_line`, the lookup `ended_in_line` makes). Looked up before
    the new enrollment is written (it would be the latest then)."""
    done = {mid: x for mid, x in _latest_in_line(session, program, member_ids).items()
            if x[1] == "completed"}  # fmt: skip
    if not done:
        return {}
    return {mid: Completed(eid, version, as_date(completed_on))
            for mid, (eid, _, version, _, completed_on) in done.items()}  # fmt: skip


def completed_note(name: str, program: Program, done: Completed, *, written: bool = True) -> str:
    """What bulk and single enrollment say of a member who completed the program before."""
    when = f" on {done.on.isoformat()}" if done.on else ""
    return (f"{name} completed '{program.name}' v{done.version}{when} (enrollment "
            f"{done.enrollment_id}); {'enrolled' if written else 'would be enrolled'} again.")  # fmt: skip


def completed_before(session: Session, program: Program, member: Enrollee) -> str | None:
    """`enroll add`: the line to say when the member completed the program before (None:
    they did not), looked up before `enroll_member` writes the new enrollment."""
    assert member.id is not None  # a stored member
    done = completed_in_line(session, program, [member.id]).get(member.id)
    return None if done is None else completed_note(member.name, program, done)


def ended_in_line(session: Session, program: Program, member_ids: Sequence[int]) -> dict[int, Ended]:
    """{member id: Ended} for the members whose latest enrollment in the program's line
    (same lineage, as "already enrolled" compares) is withdrawn or failed. A later
    enrollment (an `enroll add` since, completed or open) is the newer decision: not
    ended. The day is the withdrawal's or failure's, from its audit row."""
    latest = {mid: x[:4] for mid, x in _latest_in_line(session, program, member_ids).items()}
    ended = {mid: x for mid, x in latest.items() if x[1] in ENDED}
    if not ended:
        return {}
    from trainctl.queries.enrollments import last_status_change

    changes = last_status_change(reader_of(session), [x[0] for x in ended.values()], ("withdraw", "fail"))
    days = {eid: change.on for eid, change in changes.items()}
    return {mid: Ended(eid, status, version, reason, days.get(eid))
            for mid, (eid, status, version, reason) in ended.items()}  # fmt: skip


def ended_note(name: str, member_id: int, program: Program, ended: Ended) -> str:
    """What a bulk run says of a member it skips because their enrollment was ended."""
    when = f" on {ended.on.isoformat()}" if ended.on else ""
    why = f": {ended.reason}" if ended.reason else ""
    verb = "was withdrawn from" if ended.status == "withdrawn" else "failed"
    return (f"{name} {verb} '{program.name}' v{ended.version}{when} (enrollment "
            f"{ended.enrollment_id}{why}): skipped, not enrolled again. To enroll them again "
            f"on purpose: `trainctl enroll add id:{member_id} {shell_word(ref_of(program))}`.")  # fmt: skip


# -------------------------------------------------------------------------------- shaping
# (link id, requirement id, phase id, custom_deadline_days, requirement time_limit_days)
Link = tuple[int, int, int | None, int | None, int | None]


@dataclass(frozen=True)
class Plan:
    """What every enrollment in `program` starts with (computed once per batch)."""

    program: Program
    links: list[Link]
    initial_phase_id: int | None


def plan(session: Session, program: Program) -> Plan:
    assert program.id is not None  # a stored program
    pr, r = table(ProgramRequirement), table(Requirement)
    columns = (pr.c.id, pr.c.requirement_id, pr.c.phase_id, pr.c.custom_deadline_days)
    links: list[Link] = [
        (lid, rid, phase, custom, limit)
        for lid, rid, phase, custom, limit in session.execute(
            sa.select(*columns, r.c.time_limit_days)
            .join(r, r.c.id == pr.c.requirement_id)
            .where(pr.c.program_id == program.id)
            .order_by(pr.c.sort_order, pr.c.id)
        )
    ]
    if not links:
        raise RefusedError(
            f"Program '{program.name}' has no requirements; there is nothing to enroll in.",
            f"Add one: `trainctl program requirement add {program.id} REQUIREMENT`.",
        )
    initial = None
    if program.structure_type == "phases":
        initial_p = dp.initial_phase(load_phases(session, program.id))
        initial = initial_p.id if initial_p else None
    return Plan(program=program, links=links, initial_phase_id=initial)


def _due(plan_: Plan, link: Link, enrolled_on: date) -> date | None:
    """Due date of a link at enrollment: program-level and initial-phase links start now."""
    _, _, phase_id, custom, limit = link
    if phase_id is not None and phase_id != plan_.initial_phase_id:
        return None  # starts when its phase starts
    return dp.requirement_deadline(enrolled_on, custom, limit)


TARGET_HINT = "Give a target date on or after the enrollment date, or leave it out to use the program's time limit."


def check_target(enrolled_on: date, explicit: date | None, hint: str = TARGET_HINT) -> None:
    """A target date is on or after the enrollment date (enroll add, and enroll edit's)."""
    if explicit is not None and explicit < enrolled_on:
        raise BadInputError(
            f"The target date {explicit.isoformat()} is before the enrollment date {enrolled_on.isoformat()}.",
            hint,
        )


def target_date_for(program: Program, enrolled_on: date, explicit: date | None) -> date | None:
    check_target(enrolled_on, explicit)
    return dp.enrollment_target(enrolled_on, program.time_limit_days, explicit)


# --------------------------------------------------------------------------- single enroll
def enroll_member(
    session: Session,
    actor: Actor,
    member: Enrollee,
    program: Program,
    *,
    today: date,
    target_date: date | None = None,
    any_position: bool = False,
    credit_through: date | None = None,
) -> Enrollment:
    """Enroll one member: the shared validator for a batch of one, then the ORM.
    `credit_through`: the department's real today when `today` is an earlier --as-of day
    (on_file.credit_on_file `through`)."""
    actor.require(MANAGE, "enroll members")
    check_program_enrollable(program, session)
    target = target_date_for(program, today, target_date)
    request = Request(where="member", ref=str(member.id), member=member)
    refused = validate(session, program, [request], any_position=any_position, day=today)
    if refused:
        raise RefusedError(refused[0].reason, refused[0].hint)
    p = plan(session, program)
    now = utcnow()
    assert member.id is not None and program.id is not None  # stored rows
    enrollment = Enrollment(
        member_id=member.id,
        program_id=program.id,
        program_version=program.version,
        enrolled_at=now,
        enrolled_on=today,
        enrolled_by=actor.member_id,
        target_completion_date=target,
        current_phase_id=p.initial_phase_id,
        phase_started_on=today if p.initial_phase_id is not None else None,
    )
    session.add(enrollment)
    session.flush()
    assert enrollment.id is not None  # flushed
    session.add_all(
        RequirementProgress(
            enrollment_id=enrollment.id,
            program_requirement_id=link[0],
            due_on=_due(p, link, today),
        )
        for link in p.links
    )
    audit(
        session,
        actor,
        "enrollment.add",
        "enrollment",
        enrollment.id,
        member_id=member.id,
        program_id=program.id,
        on=today.isoformat(),  # the day it is dated (--as-of), as the status changes say
    )
    session.flush()
    from trainctl.services.enrollment.on_file import credit_on_file

    credit_on_file(session, actor, [member.id], since=today, today=today,
                   requirement_ids=[link[1] for link in p.links], through=credit_through)  # fmt: skip
    session.refresh(enrollment)
    return enrollment


# ----------------------------------------------------------------------------- bulk enroll
def bulk_enroll(
    session: Session,
    actor: Actor,
    program: Program,
    requests: Sequence[Request],
    *,
    today: date,
    target_date: date | None = None,
    all_or_nothing: bool = False,
    dry_run: bool = False,
    any_position: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    credit_through: date | None = None,
) -> BulkResult:
    """Validate the whole batch set-based, then bulk INSERT enrollments and progress rows.

    Never a query or a commit per member: members are resolved in a few IN queries, the
    validator runs once for the batch, enrollments go in one executemany, their ids come
    back by (member, program) in chunked SELECTs, and progress rows go in by INSERT ... SELECT.
    """
    actor.require(MANAGE, "enroll members")
    check_program_enrollable(program, session)
    _one_target_date(requests, target_date)
    default_target = target_date_for(program, today, target_date)
    result = BulkResult(program=program)
    resolve_members(session, requests)
    refused = validate(session, program, requests, any_position=any_position, day=today)
    # withdrawn or failed from this program (any version): the officer's decision stands
    # (a re-run of the corrected file enrolled a resigned recruit again, exit 0)
    named = [m.id for r in requests if (m := r.member) and m.id is not None]
    ended = ended_in_line(session, program, named)
    # completed it before (any version): enrolled again, and said (most likely a mistake in
    # a recruit class's file; a recertification is taken again on purpose)
    completed = completed_in_line(session, program, named)
    # a member named on several rows is one member: their first row decides, the others
    # are counted once; rows that give them two target dates name no date to use
    rows_of: dict[int, list[Request]] = {}
    for r in requests:
        if r.member is not None and r.member.id is not None:
            rows_of.setdefault(r.member.id, []).append(r)
    dates_of = {mid: sorted({x.target_date for x in rs if x.target_date is not None})
                for mid, rs in rows_of.items()}  # fmt: skip
    seen: dict[int, Request] = {}
    accepted: list[tuple[int, Request]] = []  # (member id, request)
    for i, r in enumerate(requests):
        name = r.member.name if r.member else None
        mid = r.member.id if r.member else None
        outcome = Outcome(where=r.where, ref=r.ref, member_id=mid, member_name=name)
        outcome.note = name_doubt(r)
        first = seen.get(mid) if mid is not None else None
        dates = dates_of.get(mid, []) if mid is not None else []
        target = dates[0] if len(dates) == 1 else None  # the one date the member's rows give
        # ... and the rows that give it, when not this row alone (a later row of the member)
        given = [x.where for x in rows_of[mid] if x.target_date is not None] if mid is not None else []
        from_ = ", ".join(given) if given and given != [r.where] else None
        if mid is not None and first is None:
            seen[mid] = r
        if first is not None:
            outcome.duplicate_of = first.where
        elif len(dates) > 1:
            lines = ", ".join(x.where for x in rows_of[mid] if x.target_date is not None)  # type: ignore[index]
            outcome.refused = (f"{lines} give {name} two target dates ("
                               f"{', '.join(d.isoformat() for d in dates)}); give one.")  # fmt: skip
        elif mid in ended and not (i in refused and refused[i].enrolled is not None):
            assert mid is not None and name is not None
            gone = ended[mid]
            outcome.ended, outcome.enrollment_id = gone.status, gone.enrollment_id
            outcome.note = "; ".join(x for x in (outcome.note, ended_note(name, mid, program, gone)) if x)
        elif i in refused and refused[i].enrolled is None:
            outcome.target_date = target
            outcome.refused = refused[i].line
            hint = refused[i].hint
            outcome.hint = hint if hint and hint not in outcome.refused else None
        elif i in refused:  # open in this very program: a run again after a fix skips them
            outcome.already, outcome.enrollment_id = True, refused[i].enrolled
            outcome.target_date = refused[i].target  # the enrollment's, left as it is
            wanted = target or target_date
            if wanted is not None and wanted != refused[i].target:
                # the command that moves it, for a date it would take (not before today)
                move = (f" (`trainctl enroll edit {refused[i].enrolled} --target-date {wanted}` moves it)"
                        if wanted >= today else "")  # fmt: skip
                outcome.note = (f"{name} is enrolled already with target date {refused[i].target or 'none'}, "
                                f"not {wanted}{f' ({from_})' if from_ and target else ''}: left as it is"
                                f"{move}.")  # fmt: skip
        elif target is not None and target < today:
            outcome.target_date = target
            if from_ is None:
                outcome.refused = f"target date {target.isoformat()} is before the enrollment date {today.isoformat()}."
                outcome.hint = TARGET_HINT  # (the row's own hint, as for every other refusal)
            else:  # the member's date comes from a later row: that is the row to fix
                verb = "gives" if len(given) == 1 else "give"
                outcome.refused = (f"{from_} {verb} {name} target date {target.isoformat()}, before the "
                                   f"enrollment date {today.isoformat()}.")  # fmt: skip
                outcome.hint = (f"Give {from_} a target date on or after the enrollment date, or leave "
                                "it empty to use the program's time limit.")  # fmt: skip
        else:
            assert mid is not None and r.member is not None  # validate refuses every request without a member
            r.target_date = target
            outcome.target_date = target or default_target
            outcome.completed = completed.get(mid)
            outcome.note = "; ".join(x for x in (outcome.note, hire_note(r.member, today)) if x) or None
            accepted.append((mid, r))
        result.outcomes.append(outcome)
    p = plan(session, program)
    result.progress_rows = len(accepted) * len(p.links)
    writes = not (dry_run or not accepted or (all_or_nothing and result.refused))
    for o in result.again:
        assert o.completed is not None and o.member_name is not None
        again = completed_note(o.member_name, program, o.completed, written=writes)
        o.note = "; ".join(x for x in (o.note, again) if x)
    if not writes:
        return result

    now = utcnow()
    cols = (
        "member_id", "program_id", "program_version", "enrolled_at", "enrolled_on", "enrolled_by",
        "target_completion_date", "current_phase_id", "phase_started_on", "progress_percentage",
        "status", "deadline_warning_sent",
    )  # fmt: skip
    phase_start = today if p.initial_phase_id is not None else None
    conn = session.connection()
    enrollment_t = table(Enrollment)
    insert = BulkInsert(conn, enrollment_t, cols)
    # one row as the database takes it (dates and timestamps processed) per target date,
    # whose values every row of that date shares: a class of 100,000 made three new date
    # strings and two tuples a row, all at once, to write it
    shared: dict[date | None, tuple[Any, ...]] = {}
    for part in chunks(accepted, _WRITE_CHUNK):
        rows = []
        for mid, r in part:
            target = r.target_date or default_target
            if target not in shared:
                shared[target] = insert.process(
                    (0, program.id, program.version, now, today, actor.member_id, target,
                     p.initial_phase_id, phase_start, 0.0, "active", False)
                )  # fmt: skip
            rows.append((mid, *shared[target][1:]))
        insert.execute(rows, processed=True)
    # The new ids by the key the partial unique index enforces: one open enrollment per
    # (member, program). The validator refused every member already open in the program,
    # so each open row found here is one just inserted (no reliance on the clock).
    # INSERT ... RETURNING through insertmanyvalues would also do, but measured 2.5-3x
    # slower than this executemany for the enrollment rows (bench/bulk_enroll.py sizes).
    new_ids: dict[int, int] = {}
    for part in chunks([mid for mid, _ in accepted]):
        new_ids.update(
            (mid, eid)
            for mid, eid in conn.execute(
                sa.select(enrollment_t.c.member_id, enrollment_t.c.id).where(
                    enrollment_t.c.program_id == program.id,
                    enrollment_t.c.member_id.in_(part),
                    enrollment_t.c.status.in_(OPEN),
                )
            )
        )
    if len(new_ids) != len(accepted):  # pragma: no cover - the partial unique index guards this
        raise RefusedError(
            "Bulk enrollment lost track of the new enrollments; nothing was written."
        )
    insert_progress_rows(conn, p, [new_ids[mid] for mid, _ in accepted], today, on_progress)
    for o in result.outcomes:
        if o.ok and o.member_id is not None:
            o.enrollment_id = new_ids[o.member_id]
    audit(
        session,
        actor,
        "enrollment.bulk",
        "program",
        program.id,
        enrolled=len(accepted),
        refused=len(result.refused),
        progress_rows=result.progress_rows,
        on=today.isoformat(),  # the day they are dated (--as-of)
        # the enrollments it made, by id (`member show` finds the run by them, not by time)
        **dict(zip(RUN_IDS, (min(new_ids.values()), max(new_ids.values())), strict=True)),
    )
    from trainctl.services.enrollment.on_file import credit_on_file

    # what the class already has on file: one feed call for all of them
    credit_on_file(session, actor, [mid for mid, _ in accepted], since=today, today=today,
                   requirement_ids=[link[1] for link in p.links], through=credit_through)  # fmt: skip
    result.written = True
    return result


def _one_target_date(requests: Sequence[Request], target_date: date | None) -> None:
    """--target-date is the target date for everyone: a file whose target date column says
    otherwise on some row leaves it unclear which one the officer meant, so the command is
    refused, naming those rows (a row with an empty cell takes --target-date)."""
    if target_date is None:
        return
    other = [r for r in requests if r.target_date is not None and r.target_date != target_date]
    if other:
        shown = ", ".join(f"{r.where}: {r.target_date}" for r in other[:5])
        more = f" and {len(other) - 5} more" if len(other) > 5 else ""
        raise UsageError(
            f"--target-date {target_date} is for everyone, and the file's target date column "
            f"gives others ({shown}{more}).",
            "Give the dates in the file or --target-date, not both (rows with an empty cell "
            "take --target-date).",
        )


def insert_progress_rows(
    conn: sa.Connection,
    p: Plan,
    enrollment_ids: Sequence[int],
    enrolled_on: date,
    on_progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = 40_000,
) -> int:
    """One progress row per (new enrollment, program link), made inside the database.

    INSERT ... SELECT crosses the new enrollments with the program's links, each link's
    due date given as a CASE on its id, so SQLite builds the rows itself: about twice the
    speed of handing it the same rows through executemany (bench/bulk_enroll.py). Chunked
    by enrollment so a progress bar can follow; rows go in (enrollment, link) order, the
    order of the unique key.
    """
    if not enrollment_ids or not p.links:
        return 0
    e, pr, rp = table(Enrollment), table(ProgramRequirement), table(RequirementProgress)
    dues = {link[0]: _due(p, link, enrolled_on) for link in p.links}
    due_on = (
        sa.case(
            *(
                (pr.c.id == lid, sa.literal(d, rp.c.due_on.type))
                for lid, d in dues.items()
                if d is not None
            ),
            else_=sa.null(),
        )
        if any(d is not None for d in dues.values())
        else sa.null()
    )
    per_chunk = max(1, chunk_rows // len(p.links))
    ids = sorted(enrollment_ids)
    total = len(ids) * len(p.links)
    done = 0
    for part in chunks(ids, per_chunk):
        rows = (
            sa.select(
                e.c.id,
                pr.c.id,
                sa.literal("not_started"),
                sa.literal(0.0),
                sa.literal(0.0),
                due_on,
            )
            .select_from(e.join(pr, sa.true()))
            .where(e.c.id.between(part[0], part[-1]), e.c.id.in_(part), pr.c.id.in_(list(dues)))
            .order_by(e.c.id, pr.c.id)
        )
        conn.execute(
            rp.insert().from_select(
                ["enrollment_id", "program_requirement_id", "status", "progress_value",
                 "progress_percentage", "due_on"],
                rows,
            )
        )  # fmt: skip
        done += len(part) * len(p.links)
        if on_progress:
            on_progress(done, total)
    return done


