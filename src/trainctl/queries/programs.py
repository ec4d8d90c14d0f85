"""Programs on the read side: the one program resolver, the program list, and a program's
whole tree (phases, requirement links, milestones, prerequisites) in a constant number of
queries whatever its size. The write side reads trees through the same `load_tree`
(services/programs/tree.py), so a program is read one way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Protocol

from trainctl.domain.lookup import MAX_ID, as_id, offered, ref_text
from trainctl.domain.text import echo
from trainctl.errors import NotFoundError
from trainctl.queries import Reader, as_bool, as_float, as_json, as_utc, by_text, in_list
from trainctl.queries.requirements import COLUMNS as REQUIREMENT_COLUMNS
from trainctl.queries.requirements import RequirementRow, requirement_row

# The columns this module reads, as models.py declares them (tests/test_queries_schema.py).
TABLES = {
    "program": (
        "id", "name", "description", "version", "lineage_id", "derived_from_id",
        "target_position", "structure_type", "allows_concurrent_enrollment", "time_limit_days",
        "warning_days_before", "reminder_conditions", "is_template", "status", "created_at",
        "created_by", "updated_at",
    ),
    "program_phase": (
        "id", "program_id", "phase_number", "name", "description", "requires_manual_advancement",
        "time_limit_days",
    ),
    "phase_prerequisite": ("phase_id", "prerequisite_phase_id"),
    "program_prerequisite": ("program_id", "prerequisite_id"),
    "program_requirement": (
        "id", "program_id", "phase_id", "requirement_id", "is_required", "is_prerequisite",
        "sort_order", "program_specific_description", "custom_deadline_days",
        "notification_message",
    ),
    "program_milestone": (
        "id", "program_id", "phase_id", "name", "description", "completion_percentage_threshold",
        "notification_message", "requires_verification",
    ),
    "enrollment": ("program_id", "status"),
}  # fmt: skip

LIST_HINT = "`trainctl program list` shows every program and version."


def _columns(table: str, alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in TABLES[table])


# ------------------------------------------------------------------------------------ rows
@dataclass(frozen=True, slots=True)
class ProgramRow:
    id: int
    name: str
    description: str | None
    version: int
    lineage_id: int | None
    derived_from_id: int | None
    target_position: str | None
    structure_type: str
    allows_concurrent_enrollment: bool
    time_limit_days: int | None
    warning_days_before: int | None
    reminder_conditions: dict[str, Any]
    is_template: bool
    status: str
    created_at: datetime
    created_by: int | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PhaseRow:
    id: int
    program_id: int
    phase_number: int
    name: str
    description: str | None
    requires_manual_advancement: bool
    time_limit_days: int | None


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A requirement linked to a program (program level: phase_id None) or one of its phases."""

    id: int
    program_id: int
    phase_id: int | None
    requirement_id: int
    is_required: bool
    is_prerequisite: bool
    sort_order: int
    program_specific_description: str | None
    custom_deadline_days: int | None
    notification_message: str | None


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    id: int
    program_id: int
    phase_id: int | None
    name: str
    description: str | None
    completion_percentage_threshold: float
    notification_message: str | None
    requires_verification: bool


def _program(r: tuple[Any, ...]) -> ProgramRow:
    created_at = as_utc(r[14])
    assert created_at is not None  # NOT NULL
    return ProgramRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10],
        as_json(r[11]) or {}, bool(r[12]), r[13], created_at, r[15], as_utc(r[16]),
    )  # fmt: skip


def _phase(r: tuple[Any, ...]) -> PhaseRow:
    return PhaseRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6])


def _link(r: tuple[Any, ...]) -> LinkRow:
    return LinkRow(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), r[6], r[7], r[8], r[9])


def _milestone(r: tuple[Any, ...]) -> MilestoneRow:
    threshold = as_float(r[5])
    assert threshold is not None  # NOT NULL
    return MilestoneRow(r[0], r[1], r[2], r[3], r[4], threshold, r[6], bool(as_bool(r[7])))


class Versioned(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int: ...


def label(program: Versioned) -> str:
    """How messages name a program: 'Recruit Academy' v2."""
    return f"'{program.name}' v{program.version}"


def ref_of(program: Versioned) -> str:
    """How a command line names a program: Recruit Academy@2."""
    return f"{program.name}@{program.version}"


# ---------------------------------------------------------------------------- the resolver
_PROGRAM_COLUMNS = _columns("program", "p")
_RANK = "CASE p.status WHEN 'active' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END"


def by_id(rd: Reader, program_id: int) -> ProgramRow | None:
    row = rd.one(f"SELECT {_PROGRAM_COLUMNS} FROM program p WHERE p.id = :id", {"id": program_id})
    return _program(row) if row else None


def get_program(rd: Reader, ref: str | int, *, what: str | None = None) -> ProgramRow:
    """The one program resolver: an id, "Name" (its newest active version; else the newest
    draft, else the newest archived) or "Name@2" (that version). Names match ignoring case
    (the database folds both sides, as for requirements): one rule whatever the case the
    versions were named with, so "EMT Recertification" is the newest active version even
    when that is a v2 spelled "EMT recertification". A program name is never only digits,
    so a number is always an id."""
    text = ref_text(ref)
    where_given = f" ({what})" if what else ""  # the option or role that named it
    if text.isdigit():
        ident = as_id(text)
        program = by_id(rd, ident) if ident is not None else None
        if program is not None:
            return program
        raise NotFoundError(f"No program with id {text}{where_given}.", LIST_HINT)
    name, version = _name_and_version(text)
    if version is None or version <= MAX_ID:
        where = "trainctl_fold(p.name) = trainctl_fold(:name)" + ("" if version is None else " AND p.version = :version")
        row = rd.one(
            f"SELECT {_PROGRAM_COLUMNS} FROM program p WHERE {where} ORDER BY {_RANK}, p.version DESC LIMIT 1",
            {"name": name, "version": version},
        )
        if row is None:  # a name stored with what a reference drops ("Recruit" + U+200B):
            stored = _stored_name(rd, name)  # the same rule on both sides, on a miss only
            row = rd.one(
                f"SELECT {_PROGRAM_COLUMNS} FROM program p WHERE {where} ORDER BY {_RANK}, p.version DESC LIMIT 1",
                {"name": stored, "version": version},
            ) if stored is not None else None
        if row is not None:
            return _program(row)
    # as typed, quoted; escaped when it holds what a terminal would act on (an ESC
    # sequence, a direction override), and by its start when long (domain.text.echo)
    shown = f"'{name}'" if echo(name) == name else echo(name)
    shown = f"{shown} version {version}" if version is not None else shown
    close = close_names(rd, name) if version is None else []
    offer = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise NotFoundError(
        f"No program {shown}{where_given}.", offer + 'Name it by id, "Name" or "Name@VERSION"; ' + LIST_HINT
    )


def _stored_name(rd: Reader, name: str) -> str | None:
    """The program name on file that `name` is once both are read as a reference
    (domain.lookup.ref_text), case aside; None when none is (or two differ only by that)."""
    key = ref_text(name).casefold()
    hits = {n_ for n_ in rd.column("SELECT DISTINCT name FROM program") if ref_text(n_).casefold() == key}
    return hits.pop() if len(hits) == 1 else None


def close_names(rd: Reader, text: str, n: int = 3) -> list[str]:
    """The program names `text` may have meant, as a member's name is offered
    (queries.members.close_names): every word of one in the other ("Probationary
    Firefighter Academy" for Probationary Firefighter), else the one rule of the lookups'
    offers (domain.lookup.offered: names starting with or containing the words typed, "EMT
    Recert" for EMT Recertification, else a near spelling); at most `n`, none when more
    fit. One read of the names, on a miss only."""
    from trainctl.domain.text import name_words, words_match

    words = name_words(text)
    if not words:
        return []
    names = sorted(set(rd.column("SELECT DISTINCT name FROM program")))
    fits = [n_ for n_ in names if words_match(words, name_words(n_))]
    if not fits:
        return offered(text, names, n)
    return fits if len(fits) <= n else []


def _name_and_version(text: str) -> tuple[str, int | None]:
    """"Name@2" -> ("Name", 2); "Name" -> ("Name", None)."""
    head, sep, tail = text.rpartition("@")
    if sep and tail.isdigit() and head:
        return head.strip(), int(tail)
    return text, None


def named_versions(
    rd: Reader, ref: str | int, *, what: str | None = None
) -> tuple[ProgramRow, list[ProgramRow]]:
    """get_program's program, and the versions the reference covers, oldest first: for a
    bare "Name", every version of that name (ignoring case, as the resolver); for an id
    or "Name@2", that one version."""
    program = get_program(rd, ref, what=what)
    text = ref_text(ref)
    if text.isdigit() or _name_and_version(text)[1] is not None:
        return program, [program]
    rows = rd.all(
        f"SELECT {_PROGRAM_COLUMNS} FROM program p WHERE trainctl_fold(p.name) = trainctl_fold(:name) "
        "ORDER BY p.version, p.id",
        {"name": program.name},
    )
    return program, [_program(r) for r in rows]


def program_versions(rd: Reader, ref: str | int, *, what: str | None = None) -> list[int]:
    """The ids of the programs a reference names as a listing filter: "Name" is every
    version of that name (a class enrolled in v1 is still there once v2 is active; a
    review), an id or "Name@2" that one version (named_versions)."""
    return [p.id for p in named_versions(rd, ref, what=what)[1]]


# ------------------------------------------------------------------------------- the list
@dataclass(frozen=True, slots=True)
class ProgramListRow:
    """A line of `program list` (the JSON shape, keys in this order)."""

    id: int
    name: str
    version: int
    status: str
    structure_type: str
    target_position: str | None
    is_template: bool
    phases: int
    requirements: int
    enrolled: int
    time_limit_days: int | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _count_per_program(rd: Reader, table: str, ids: list[int], extra: str = "") -> dict[int, int]:
    """{program id: number of rows} for one child table, in one grouped query."""
    if not ids:
        return {}
    sql, params = in_list("id", ids)
    rows = rd.all(
        f"SELECT program_id, count(*) FROM {table} WHERE program_id IN {sql}{extra} "
        "GROUP BY program_id",
        params,
    )
    return {int(pid): int(n) for pid, n in rows}


def list_programs(
    rd: Reader,
    *,
    position: str | None = None,
    template: bool | None = None,
    status: str | None = None,
) -> list[ProgramListRow]:
    """Programs by name and version with phase / link / open-enrollment counts, in four
    queries. `status` None: all but the archived versions nobody is still in (one with
    active or on-hold enrollments stays listed: its class is still running; a review);
    "all": every program."""
    conds: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if position is not None:
        conds.append("target_position = :position")
        params["position"] = position
    if template is not None:
        conds.append("is_template = :template")
        params["template"] = template
    if status is None:
        conds.append(
            "(status <> 'archived' OR EXISTS (SELECT 1 FROM enrollment e WHERE e.program_id = program.id "
            "AND e.status IN ('active', 'on_hold')))"
        )
    elif status != "all":
        conds.append("status = :status")
        params["status"] = status
    rows = rd.all(
        "SELECT id, name, version, status, structure_type, target_position, is_template, "
        f"time_limit_days FROM program WHERE {' AND '.join(conds)} ORDER BY {by_text(rd.dialect, 'name')}, version",
        params,
    )
    ids = [r[0] for r in rows]
    phases = _count_per_program(rd, "program_phase", ids)
    links = _count_per_program(rd, "program_requirement", ids)
    enrolled = _count_per_program(rd, "enrollment", ids, " AND status IN ('active', 'on_hold')")
    out = []
    for pid, name, version, st, structure, position_, tmpl, days in rows:
        counts = (phases.get(pid, 0), links.get(pid, 0), enrolled.get(pid, 0))
        out.append(
            ProgramListRow(pid, name, version, st, structure, position_, bool(tmpl), *counts, days)
        )
    return out


# ------------------------------------------------------------------------ the whole tree
@dataclass(frozen=True, slots=True)
class LinkView:
    link: LinkRow
    requirement: RequirementRow


@dataclass(frozen=True, slots=True)
class PhaseView:
    phase: PhaseRow
    prerequisites: list[int] = field(default_factory=list)  # phase numbers
    links: list[LinkView] = field(default_factory=list)
    milestones: list[MilestoneRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProgramTree:
    program: ProgramRow
    prerequisites: list[ProgramRow]
    lineage: ProgramRow | None
    derived_from: ProgramRow | None
    links: list[LinkView]  # program level
    milestones: list[MilestoneRow]  # program level
    phases: list[PhaseView]

    def all_links(self) -> list[tuple[int | None, LinkView]]:
        """Every link with its phase number (None: program level), program level first."""
        out: list[tuple[int | None, LinkView]] = [(None, lv) for lv in self.links]
        for pv in self.phases:
            out.extend((pv.phase.phase_number, lv) for lv in pv.links)
        return out

    def all_milestones(self) -> list[tuple[int | None, MilestoneRow]]:
        out: list[tuple[int | None, MilestoneRow]] = [(None, m) for m in self.milestones]
        for pv in self.phases:
            out.extend((pv.phase.phase_number, m) for m in pv.milestones)
        return out


def load_tree(rd: Reader, program: ProgramRow) -> ProgramTree:
    """Everything about one program in six queries, whatever its size."""
    pid = {"pid": program.id}
    phases = [
        _phase(r)
        for r in rd.all(
            f"SELECT {_columns('program_phase', 'ph')} FROM program_phase ph "
            "WHERE ph.program_id = :pid ORDER BY ph.phase_number",
            pid,
        )
    ]
    views = {p.id: PhaseView(p) for p in phases}
    number = {p.id: p.phase_number for p in phases}
    for phase_id, prerequisite_id in rd.all(
        "SELECT pp.phase_id, pp.prerequisite_phase_id FROM phase_prerequisite pp "
        "JOIN program_phase ph ON ph.id = pp.phase_id WHERE ph.program_id = :pid",
        pid,
    ):
        views[phase_id].prerequisites.append(number[prerequisite_id])
    for v in views.values():
        v.prerequisites.sort()
    links: list[LinkView] = []
    width = len(TABLES["program_requirement"])
    for r in rd.all(
        f"SELECT {_columns('program_requirement', 'l')}, {REQUIREMENT_COLUMNS} "
        "FROM program_requirement l JOIN requirement r ON r.id = l.requirement_id "
        "WHERE l.program_id = :pid ORDER BY l.sort_order, l.id",
        pid,
    ):
        link = _link(r[:width])
        view = LinkView(link, requirement_row(r[width:]))
        (views[link.phase_id].links if link.phase_id is not None else links).append(view)
    milestones: list[MilestoneRow] = []
    for r in rd.all(
        f"SELECT {_columns('program_milestone', 'm')} FROM program_milestone m "
        "WHERE m.program_id = :pid ORDER BY m.completion_percentage_threshold, m.id",
        pid,
    ):
        ms = _milestone(r)
        (views[ms.phase_id].milestones if ms.phase_id is not None else milestones).append(ms)
    prerequisites = [
        _program(r)
        for r in rd.all(
            f"SELECT {_PROGRAM_COLUMNS} FROM program p "
            "JOIN program_prerequisite pp ON pp.prerequisite_id = p.id "
            f"WHERE pp.program_id = :pid ORDER BY {by_text(rd.dialect, 'p.name')}, p.version",
            pid,
        )
    ]
    related_ids = sorted(
        {i for i in (program.lineage_id, program.derived_from_id) if i is not None}
    )
    related: dict[int, ProgramRow] = {}
    if related_ids:
        sql, params = in_list("id", related_ids)
        related = {
            row.id: row
            for row in map(
                _program,
                rd.all(f"SELECT {_PROGRAM_COLUMNS} FROM program p WHERE p.id IN {sql}", params),
            )
        }
    return ProgramTree(
        program=program,
        prerequisites=prerequisites,
        lineage=related.get(program.lineage_id) if program.lineage_id is not None else None,
        derived_from=(
            related.get(program.derived_from_id) if program.derived_from_id is not None else None
        ),
        links=links,
        milestones=milestones,
        phases=[views[p.id] for p in phases],
    )
