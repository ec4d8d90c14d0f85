"""Training programs, the write side: one module per job.

- lookup.py     finding a program (the one resolver), a requirement, a phase
- tree.py       a program's content as a comparable Spec: read, diff, the validity check
- sync.py       writing the difference between two Specs, set-based
- rules.py      what a program must be and may become (complete, fixed once enrolled, ...)
- lifecycle.py  create, edit, status (draft / active / archived), duplicate, from-template
- phases.py, links.py, milestones.py   the parts of a program
Programs as files (export / apply) are services/program_files.py; reads are
queries/programs.py.

Lifecycle (DESIGN §3, "a program with no required requirement is rejected"):
- `program create` makes a *draft*: it is built step by step (phases, links, milestones)
  and cannot be enrolled in. `activate` checks it (program_problems, domain/programs.py)
  and makes it active. Programs from a file (`program apply`) are checked as a whole and
  are active at once; copies (`duplicate`, `create --from-template`) start as drafts unless
  `activate=True`.
- An active (or archived) program stays complete: a structural edit that would break
  completeness is refused, nothing written.
- Once members are enrolled (ENROLLED_RULE, the same for `edit`, the phase / requirement /
  milestone commands and `apply`): the descriptive and policy fields may change (name,
  description, target position, concurrent enrollment, time_limit_days,
  warning_days_before, reminder_conditions, prerequisite programs); existing enrollments
  keep the target dates pinned when they enrolled, so a new time limit applies to new
  enrollments only. The structure may not change: phases, requirement links, milestones
  (with all their fields), structure_type and is_template (a template cannot be enrolled
  in). Structural changes go into a new version (`duplicate`), which moves nobody.

Reads are a constant number of queries whatever the program's size (`load_tree`), and
copies are set-based (a handful of bulk INSERTs).
"""

from trainctl.domain.programs import problems_hint
from trainctl.queries.programs import LIST_HINT, LinkView, PhaseView, ProgramTree, label, ref_of
from trainctl.services.programs.lifecycle import (
    activation_notes,
    create_program,
    duplicate_program,
    next_version,
    set_status,
    update_program,
)
from trainctl.services.programs.links import add_link, edit_link, find_link, remove_link
from trainctl.services.programs.lookup import (
    find_requirement,
    get_phase,
    get_program,
    has_enrollments,
    newer_draft,
    program_to_activate,
    program_to_change,
    requirement_label,
    same_name,
)
from trainctl.services.programs.milestones import (
    add_milestone,
    edit_milestone,
    get_milestone,
    remove_milestone,
)
from trainctl.services.programs.phases import PhaseRemoval, add_phase, edit_phase, remove_phase
from trainctl.services.programs.rules import (
    ENROLLED_RULE,
    check_activation,
    check_name_free,
    check_position,
    check_program_prerequisite,
    guard_structure,
    recheck,
)
from trainctl.services.programs.sync import sync
from trainctl.services.programs.tree import (
    LINK_FIELDS,
    MILESTONE_FIELDS,
    PHASE_FIELDS,
    PROGRAM_FIELDS,
    Spec,
    diff,
    fixed_changes,
    load_tree,
    program_problems,
    spec_from_tree,
    spec_of,
)

__all__ = [
    "ENROLLED_RULE", "LINK_FIELDS", "LIST_HINT", "MILESTONE_FIELDS", "PHASE_FIELDS",
    "PROGRAM_FIELDS", "LinkView", "PhaseRemoval", "PhaseView", "ProgramTree", "Spec",
    "activation_notes", "add_link", "add_milestone", "add_phase", "check_activation", "check_name_free",
    "check_position", "check_program_prerequisite", "create_program", "diff",
    "duplicate_program", "edit_link", "edit_milestone", "edit_phase", "find_link",
    "find_requirement", "fixed_changes", "get_milestone", "get_phase", "get_program",
    "guard_structure", "has_enrollments", "label", "load_tree", "newer_draft", "next_version",
    "problems_hint", "program_problems", "program_to_activate", "program_to_change", "recheck",
    "ref_of", "remove_link",
    "remove_milestone", "remove_phase", "requirement_label", "same_name", "set_status",
    "spec_from_tree", "spec_of", "sync", "update_program",
]  # fmt: skip
