"""A program's content as a comparable value (Spec): read from the database (through the
read side's tree), built from a file or copied, compared (`diff`), and checked as a whole
(`program_problems`, the one validity check). Writing a difference is sync.py's job."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from trainctl.domain import programs as rules
from trainctl.models import Program
from trainctl.queries import programs as read
from trainctl.queries import reader_of
from trainctl.queries.programs import ProgramTree
from trainctl.services.programs.lookup import requirement_label

PROGRAM_FIELDS = (
    "description", "target_position", "structure_type", "allows_concurrent_enrollment",
    "time_limit_days", "warning_days_before", "reminder_conditions", "is_template",
)  # fmt: skip
PHASE_FIELDS = ("name", "description", "requires_manual_advancement", "time_limit_days")
LINK_FIELDS = (
    "is_required", "is_prerequisite", "sort_order", "program_specific_description",
    "custom_deadline_days", "notification_message",
)  # fmt: skip
MILESTONE_FIELDS = (
    "description", "completion_percentage_threshold", "notification_message", "requires_verification",
)  # fmt: skip
# Program fields that are part of the structure: fixed once members are enrolled.
FIXED_WHEN_ENROLLED = ("structure_type", "is_template")


def load_tree(session: Session, program: Program) -> ProgramTree:
    """The program's tree as the read side reads it (queries.programs.load_tree), on this
    session's transaction: six queries whatever its size."""
    session.flush()
    rd = reader_of(session)
    row = read.by_id(rd, program.id) if program.id is not None else None
    assert row is not None, "a program is flushed before its tree is read"
    return read.load_tree(rd, row)


@dataclass
class Spec:
    """A program's content keyed by natural keys, so two states can be compared and one
    turned into the other (apply, duplicate). Ids are filled in when read from the DB."""

    fields: dict[str, Any]
    prerequisite_ids: set[int] = field(default_factory=set)
    phases: dict[int, dict[str, Any]] = field(default_factory=dict)  # number -> fields
    phase_prereqs: set[tuple[int, int]] = field(default_factory=set)  # (number, prereq number)
    links: dict[tuple[int | None, int], dict[str, Any]] = field(
        default_factory=dict
    )  # (phase, req id)
    milestones: dict[tuple[int | None, str], dict[str, Any]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)  # requirement id -> how to name it
    phase_ids: dict[int, int] = field(default_factory=dict)
    link_ids: dict[tuple[int | None, int], int] = field(default_factory=dict)
    milestone_ids: dict[tuple[int | None, str], int] = field(default_factory=dict)

    def copy(self) -> Spec:
        """The content alone (no ids): what a deep copy of the program writes."""
        return Spec(
            fields=dict(self.fields),
            prerequisite_ids=set(self.prerequisite_ids),
            phases={n: dict(f) for n, f in self.phases.items()},
            phase_prereqs=set(self.phase_prereqs),
            links={k: dict(f) for k, f in self.links.items()},
            milestones={k: dict(f) for k, f in self.milestones.items()},
        )


def spec_from_tree(tree: ProgramTree) -> Spec:
    p = tree.program
    spec = Spec(
        fields={f: getattr(p, f) for f in PROGRAM_FIELDS},
        prerequisite_ids={q.id for q in tree.prerequisites},
    )
    for pv in tree.phases:
        n = pv.phase.phase_number
        spec.phases[n] = {f: getattr(pv.phase, f) for f in PHASE_FIELDS}
        spec.phase_ids[n] = pv.phase.id
        spec.phase_prereqs.update((n, q) for q in pv.prerequisites)
    for phase, lv in tree.all_links():
        link_key = (phase, lv.requirement.id)
        spec.links[link_key] = {f: getattr(lv.link, f) for f in LINK_FIELDS}
        spec.link_ids[link_key] = lv.link.id
        spec.labels[lv.requirement.id] = requirement_label(lv.requirement)
    for phase, ms in tree.all_milestones():
        spec.milestones[(phase, ms.name)] = {f: getattr(ms, f) for f in MILESTONE_FIELDS}
        spec.milestone_ids[(phase, ms.name)] = ms.id
    return spec


def spec_of(session: Session, program: Program) -> Spec:
    """What the database holds for `program`."""
    return spec_from_tree(load_tree(session, program))


def program_problems(spec: Spec) -> list[str]:
    """The one validity check (domain.programs.program_problems), for a file, a copy, an
    activation and an edit of an active program alike."""
    return rules.program_problems(
        spec.fields["structure_type"],
        {n: f["name"] for n, f in spec.phases.items()},
        spec.phase_prereqs,
        ((phase, f["is_required"]) for (phase, _), f in spec.links.items()),
    )


def _scope(phase: int | None) -> str:
    return "program level" if phase is None else f"phase {phase}"


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [
        f"{k} {_show(old.get(k))} -> {_show(new.get(k))}" for k in new if old.get(k) != new.get(k)
    ]


def diff(old: Spec, new: Spec, names: dict[int, str] | None = None) -> list[str]:
    """What turning `old` into `new` changes, one line each ('+' add, '-' remove, '~' change)."""
    names = names or {}
    lines = [f"~ program {c}" for c in _field_changes(old.fields, new.fields)]
    for pid in sorted(new.prerequisite_ids - old.prerequisite_ids):
        lines.append(f"+ prerequisite program {names.get(pid, pid)}")
    for pid in sorted(old.prerequisite_ids - new.prerequisite_ids):
        lines.append(f"- prerequisite program {names.get(pid, pid)}")
    for n in sorted(new.phases.keys() - old.phases.keys()):
        lines.append(f"+ phase {n} {new.phases[n]['name']!r}")
    for n in sorted(old.phases.keys() - new.phases.keys()):
        lines.append(f"- phase {n} {old.phases[n]['name']!r} (with its links and milestones)")
    for n in sorted(new.phases.keys() & old.phases.keys()):
        lines.extend(f"~ phase {n} {c}" for c in _field_changes(old.phases[n], new.phases[n]))
    for n, q in sorted(new.phase_prereqs - old.phase_prereqs):
        lines.append(f"+ phase {n} after phase {q}")
    for n, q in sorted(old.phase_prereqs - new.phase_prereqs):
        if n in new.phases and q in new.phases:
            lines.append(f"- phase {n} after phase {q}")

    def key(k: tuple[Any, Any]) -> tuple[int, Any]:
        return (-1 if k[0] is None else k[0], k[1])

    labels = {**old.labels, **new.labels}
    for k in sorted(new.links.keys() - old.links.keys(), key=key):
        req = "required" if new.links[k]["is_required"] else "optional"
        lines.append(f"+ requirement {labels.get(k[1], k[1])} ({_scope(k[0])}, {req})")
    for k in sorted(old.links.keys() - new.links.keys(), key=key):
        if k[0] is None or k[0] in new.phases:
            lines.append(f"- requirement {labels.get(k[1], k[1])} ({_scope(k[0])})")
    for k in sorted(new.links.keys() & old.links.keys(), key=key):
        lines.extend(
            f"~ requirement {labels.get(k[1], k[1])} ({_scope(k[0])}) {c}"
            for c in _field_changes(old.links[k], new.links[k])
        )
    for m in sorted(new.milestones.keys() - old.milestones.keys(), key=key):
        lines.append(
            f"+ milestone {m[1]!r} ({_scope(m[0])}, {new.milestones[m]['completion_percentage_threshold']:g}%)"
        )
    for m in sorted(old.milestones.keys() - new.milestones.keys(), key=key):
        if m[0] is None or m[0] in new.phases:
            lines.append(f"- milestone {m[1]!r} ({_scope(m[0])})")
    for m in sorted(new.milestones.keys() & old.milestones.keys(), key=key):
        lines.extend(
            f"~ milestone {m[1]!r} ({_scope(m[0])}) {c}"
            for c in _field_changes(old.milestones[m], new.milestones[m])
        )
    return lines


def fixed_changes(old: Spec, new: Spec, names: dict[int, str] | None = None) -> list[str]:
    """The part of diff(old, new) that a program with enrollments refuses (ENROLLED_RULE):
    everything but the fields and prerequisite programs that may change."""
    open_fields = {k: v for k, v in new.fields.items() if k not in FIXED_WHEN_ENROLLED}
    same = replace(
        old, fields={**old.fields, **open_fields}, prerequisite_ids=set(new.prerequisite_ids)
    )
    return diff(same, new, names)
