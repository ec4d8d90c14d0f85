"""Progress on the write side (DESIGN §2-§3): the credit ledger, derived status, rollups,
phase advancement, milestones, verification and self-reporting.

Numeric progress is the sum of counted credits; nothing edits a value in place. After any
change the affected progress rows are re-measured (`recompute`), enrollments are rolled up
with ONE set-based UPDATE (`rollup_enrollments`), and `after_change` advances phases and
fires milestones; `refresh` runs the three. Feeds from other areas (training records,
shifts, checkoffs) call them from here with many ids at once.

The package, one job per module (imports point down this list, never up):
- changes.py         a progress change applied: one use case per kind, one shared finish
- self_reporting.py  the department's self-reporting switch
- finish.py          the shared finish: refresh, after_change, remeasure_requirement
- milestones.py      milestones fired once, verified by an officer
- phases.py          phases loaded, started, advanced; the credit gate
- links.py           the progress rows of enrollments as gates and milestones see them
- rollup.py          enrollment percentage and status in one UPDATE
- ledger.py          progress rows re-measured from their credits
"""

from trainctl.services.progress.finish import after_change, refresh, remeasure_requirement
from trainctl.services.progress.ledger import recompute
from trainctl.services.progress.links import Event
from trainctl.services.progress.rollup import rollup_enrollments

__all__ = [
    "Event",
    "after_change",
    "recompute",
    "refresh",
    "remeasure_requirement",
    "rollup_enrollments",
]
