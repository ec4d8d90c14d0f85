"""Taking a requirement out of the catalog: `requirement retire` and `requirement unretire`.

A retired requirement judges nobody from its retirement day on (queries/requirements
.retirement, applied once where the catalog is read: queries/compliance.specs_on), and a
report as of an earlier day judges it as before. Nothing is removed: records, cards,
sign-offs, credits and program progress stay. The day is stored on the requirement
(retired_on, retired_reason: migration 0024); `unretire` brings it back from a day, and the
days it was retired become a version of its history (requirement_history, as a dated edit
keeps what it replaced), so reports of those days still leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from trainctl.domain.text import check_reason, shell_word
from trainctl.errors import RefusedError, UsageError
from trainctl.models import Requirement, utcnow
from trainctl.queries import reader_of
from trainctl.queries import requirements as q
from trainctl.queries.programs import ref_of
from trainctl.schemas.requirements import RequirementCreate
from trainctl.services.audit import audit
from trainctl.services.auth import MANAGE, Actor
from trainctl.services.requirements import changed_since, get_requirement, keep_history


@dataclass(frozen=True)
class Retirement:
    """What `retire` or `unretire` did (or, with --dry-run, would do)."""

    requirement: Requirement
    day: date  # retired from / back from
    reason: str | None
    dry_run: bool
    undone: bool = False  # unretire from the retirement day or earlier: it never took effect


def entered_day(session: Session, req: Requirement) -> date:
    """The department day the requirement was entered (Requirement.entered_on; before
    migration 0018: the department's day of created_at, as queries/compliance.entered_days
    takes it)."""
    if req.entered_on is not None:
        return req.entered_on
    from trainctl.queries import settings as qs

    session.flush()
    return req.created_at.astimezone(qs.department_zone(reader_of(session))).date()


def open_programs(session: Session, requirement_id: int) -> list[tuple[str, int]]:
    """The programs (as a command line names them, with how many enrollments) that link
    the requirement, in a phase or not, and have active or on-hold enrollments: their
    members are still working toward it."""
    session.flush()
    rows = reader_of(session).all(
        "SELECT p.name, p.version, COUNT(DISTINCT e.id) FROM program_requirement pr "
        "JOIN program p ON p.id = pr.program_id "
        "JOIN enrollment e ON e.program_id = p.id AND e.status IN ('active', 'on_hold') "
        "WHERE pr.requirement_id = :r GROUP BY p.id, p.name, p.version ORDER BY p.name, p.version",
        {"r": requirement_id},
    )
    return [(ref_of(_Versioned(name, version)), int(n)) for name, version, n in rows]


@dataclass(frozen=True)
class _Versioned:
    name: str
    version: int


def retire(
    session: Session,
    actor: Actor,
    ref: str | int,
    *,
    effective: date | None,
    reason: str | None,
    today: date | None,
    dry_run: bool = False,
) -> Retirement:
    """Retire the requirement from `effective` (default `today`: the --as-of day, else the
    department's; a later day plans it). Refused, with nothing written: a requirement
    already retired; a day before it was entered, or before the last change of what it
    judges (that version would be in force on days it is retired); a requirement linked
    into a program whose members are still enrolled (active or on hold)."""
    from trainctl.services.settings import today as department_today

    actor.require(MANAGE, "retire requirements")
    reason = check_reason("--reason", reason)  # printed back by show, list and explain
    req = get_requirement(session, ref)
    assert req.id is not None
    day = effective or department_today(session, today)
    if req.retired_on is not None:
        raise RefusedError(
            f"{req.name} is already {q.retired_text(req.retired_on, req.retired_reason)}; "
            "nothing was changed.",
            f"To retire it from another day, bring it back first: "
            f"`trainctl requirement unretire {req.id}`, then retire it again.",
        )
    entered = entered_day(session, req)
    if day < entered:
        raise RefusedError(
            f"{req.name} was entered on {entered}: a retirement from {day} is before it "
            "existed; nothing was changed.",
            f"Retire it from {entered} or later (--effective {entered}); from its first day, "
            "no report of any day judges it.",
        )
    since = changed_since(session, req.id)
    if since is not None and day < since:
        raise RefusedError(
            f"A retirement from {day} is before the last change of what {req.name} judges, "
            f"effective {since}; nothing was changed.",
            f"`trainctl requirement show {req.id}` lists its history; retire it from {since} "
            "or later (--effective).",
        )
    enrolled = open_programs(session, req.id)
    if enrolled:
        named = ", ".join(f"{p} ({n} enrolled)" for p, n in enrolled)
        first = enrolled[0][0]
        raise RefusedError(
            f"{req.name} is linked into {'a program' if len(enrolled) == 1 else 'programs'} "
            f"with members still enrolled: {named}; nothing was changed.",
            "Their members are working toward it. Let those enrollments finish or withdraw "
            "them (`trainctl enroll list --program PROGRAM`, `trainctl enroll withdraw ID`); "
            f"for new classes, a version without it: `trainctl program duplicate {shell_word(first)} "
            f"--name NAME`, `trainctl program requirement remove NAME {req.id}`, "
            "`trainctl program activate NAME`.",
        )
    result = Retirement(req, day, reason, dry_run)
    if dry_run:
        return result
    req.retired_on, req.retired_reason = day, reason
    req.updated_at, req.updated_by = utcnow(), actor.member_id
    session.add(req)
    session.flush()
    audit(
        session, actor, "requirement.retire", "requirement", req.id,
        name=req.name, effective=day.isoformat(), reason=reason,
    )  # fmt: skip
    return result


def unretire(
    session: Session,
    actor: Actor,
    ref: str | int,
    *,
    effective: date | None,
    today: date | None,
    dry_run: bool = False,
) -> Retirement:
    """Bring a retired requirement back from `effective` (default `today`; not after it).
    From its retirement day or earlier, the retirement is undone (it never took effect:
    reports of every day judge it); from a later day, the days it was retired are kept as
    a version of its history, so reports of those days still leave it out."""
    from trainctl.services.settings import today as department_today

    actor.require(MANAGE, "bring back retired requirements")
    req = get_requirement(session, ref)
    assert req.id is not None
    if req.retired_on is None:
        raise RefusedError(
            f"{req.name} is not retired; nothing was changed.",
            "`trainctl requirement list --all` shows the retired requirements.",
        )
    now = department_today(session, today)
    day = effective or now
    if day > now:  # (the row as it stands says what `requirement list` shows today)
        raise UsageError(
            f"--effective {day} is after today ({now}): {req.name} is brought back from a day "
            "that has come; nothing was changed.",
            f"Give --effective {now} or earlier, or run it again on the day.",
        )
    retired_on, reason = req.retired_on, req.retired_reason
    undone = day <= retired_on
    result = Retirement(req, day, reason, dry_run, undone=undone)
    if dry_run:
        return result
    if not undone:
        values = {f: getattr(req, f) for f in RequirementCreate.model_fields}
        values.update(retired_on=retired_on, retired_reason=reason)
        keep_history(session, actor, [(req.id, day - timedelta(days=1), values)])
    req.retired_on, req.retired_reason = None, None
    req.updated_at, req.updated_by = utcnow(), actor.member_id
    session.add(req)
    session.flush()
    audit(
        session, actor, "requirement.unretire", "requirement", req.id,
        name=req.name, effective=day.isoformat(), was_retired_on=retired_on.isoformat(),
        reason=reason, undone=undone,
    )  # fmt: skip
    return result
