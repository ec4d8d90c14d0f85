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
- finish.py          the shared finish: refresh, after_change, remeasure_requirements
- milestones.py      milestones fired once, verified by an officer
- phases.py          phases loaded, started, advanced; the credit gate
- links.py           the progress rows of enrollments as gates and milestones see them
- rollup.py          enrollment percentage and status in one UPDATE
- ledger.py          progress rows re-measured from their credits
"""

from trainctl.domain.progress import CREDITABLE
from trainctl.services.progress.finish import after_change, refresh, remeasure_requirements
from trainctl.services.progress.ledger import recompute
from trainctl.services.progress.links import Event, LinkState, link_states
from trainctl.services.progress.phases import gate, load_phases
from trainctl.services.progress.rollup import rollup_enrollments

# What the feeds (services/credit_feed.py: records, cards, checkoffs, shifts, calls) use.
__all__ = [
    "CREDITABLE",
    "Event",
    "LinkState",
    "after_change",
    "gate",
    "link_states",
    "load_phases",
    "recompute",
    "refresh",
    "remeasure_requirements",
    "rollup_enrollments",
]
