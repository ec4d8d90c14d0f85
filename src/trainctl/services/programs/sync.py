"""Writing a program's content: the difference between what the database holds and the
wanted Spec, in a few set-based statements (bulk INSERT, DELETE ... WHERE id IN) whatever
the program's size. `program apply`, `duplicate` and `create --from-template` write this
way."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from trainctl.models import (
    PhasePrerequisite,
    Program,
    ProgramMilestone,
    ProgramPhase,
    ProgramPrerequisite,
    ProgramRequirement,
    utcnow,
)
from trainctl.services.programs.tree import PROGRAM_FIELDS, Spec


def sync(session: Session, program: Program, old: Spec, new: Spec) -> None:
    """Write the difference between `old` (what the DB holds) and `new`: a few set-based
    statements (bulk INSERT, DELETE ... WHERE id IN), whatever the program's size."""
    pid = program.id
    assert pid is not None
    for f in PROGRAM_FIELDS:
        if getattr(program, f) != new.fields[f]:
            setattr(program, f, new.fields[f])
    if old.fields != new.fields:
        program.updated_at = utcnow()
    session.flush()
    # removals first (links and milestones of removed phases go with them by cascade)
    gone_links = [old.link_ids[k] for k in old.links.keys() - new.links.keys()]
    if gone_links:
        session.execute(
            sa.delete(ProgramRequirement).where(col(ProgramRequirement.id).in_(gone_links))
        )
    gone_ms = [old.milestone_ids[k] for k in old.milestones.keys() - new.milestones.keys()]
    if gone_ms:
        session.execute(sa.delete(ProgramMilestone).where(col(ProgramMilestone.id).in_(gone_ms)))
    for n, q in old.phase_prereqs - new.phase_prereqs:
        session.execute(
            sa.delete(PhasePrerequisite).where(
                col(PhasePrerequisite.phase_id) == old.phase_ids[n],
                col(PhasePrerequisite.prerequisite_phase_id) == old.phase_ids[q],
            )
        )
    gone_phases = [old.phase_ids[n] for n in old.phases.keys() - new.phases.keys()]
    if gone_phases:
        session.execute(sa.delete(ProgramPhase).where(col(ProgramPhase.id).in_(gone_phases)))
    gone_pre = old.prerequisite_ids - new.prerequisite_ids
    if gone_pre:
        session.execute(
            sa.delete(ProgramPrerequisite).where(
                col(ProgramPrerequisite.program_id) == pid,
                col(ProgramPrerequisite.prerequisite_id).in_(gone_pre),
            )
        )
    # updates (few; by primary key)
    for n in new.phases.keys() & old.phases.keys():
        if new.phases[n] != old.phases[n]:
            session.execute(
                sa.update(ProgramPhase)
                .where(col(ProgramPhase.id) == old.phase_ids[n])
                .values(**new.phases[n])
            )
    for k in new.links.keys() & old.links.keys():
        if new.links[k] != old.links[k]:
            session.execute(
                sa.update(ProgramRequirement)
                .where(col(ProgramRequirement.id) == old.link_ids[k])
                .values(**new.links[k])
            )
    for m in new.milestones.keys() & old.milestones.keys():
        if new.milestones[m] != old.milestones[m]:
            session.execute(
                sa.update(ProgramMilestone)
                .where(col(ProgramMilestone.id) == old.milestone_ids[m])
                .values(**new.milestones[m])
            )
    # additions: one bulk INSERT per table
    phase_ids = {n: i for n, i in old.phase_ids.items() if n in new.phases}
    added = sorted(new.phases.keys() - old.phases.keys())
    if added:
        rows = session.execute(
            sa.insert(ProgramPhase).returning(col(ProgramPhase.id), col(ProgramPhase.phase_number)),
            [{"program_id": pid, "phase_number": n, **new.phases[n]} for n in added],
        )
        phase_ids.update({number: ident for ident, number in rows})
    pre_rows = [
        {"phase_id": phase_ids[n], "prerequisite_phase_id": phase_ids[q]}
        for n, q in sorted(new.phase_prereqs - old.phase_prereqs)
    ]
    if pre_rows:
        session.execute(sa.insert(PhasePrerequisite), pre_rows)
    link_rows = [
        {
            "program_id": pid,
            "phase_id": None if ph is None else phase_ids[ph],
            "requirement_id": rid,
            **new.links[(ph, rid)],
        }
        for ph, rid in sorted(
            new.links.keys() - old.links.keys(),
            key=lambda k: (k[0] or 0, new.links[k]["sort_order"], k[1]),
        )
    ]
    if link_rows:
        session.execute(sa.insert(ProgramRequirement), link_rows)
    ms_rows = [
        {
            "program_id": pid,
            "phase_id": None if ph is None else phase_ids[ph],
            "name": name,
            **new.milestones[(ph, name)],
        }
        for ph, name in sorted(
            new.milestones.keys() - old.milestones.keys(), key=lambda k: (k[0] or 0, k[1])
        )
    ]
    if ms_rows:
        session.execute(sa.insert(ProgramMilestone), ms_rows)
    new_pre = [
        {"program_id": pid, "prerequisite_id": q}
        for q in sorted(new.prerequisite_ids - old.prerequisite_ids)
    ]
    if new_pre:
        session.execute(sa.insert(ProgramPrerequisite), new_pre)
    session.flush()
    session.expire_all()
