"""Cards that run out: a program's certification row holds while a matching card is valid
(DESIGN §3: "100 while a matching, unexpired certification exists; 0 otherwise"). The
ledger measures that whenever a row's credits change; nothing changes on the day a card
runs out, so the nightly `reminders send` calls `lapse_cards` for the department's today:
every certification row still counting a card is measured again as of that day (the one
calculator, `recompute`), and the enrollments whose rows fell are rolled up (a completed
enrollment reopens). Rows an officer waived or marked complete are left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from trainctl.services.progress.finish import after_change
from trainctl.services.progress.ledger import recompute
from trainctl.services.progress.rollup import rollup_enrollments
from trainctl.services.store import writer_of

# Certification rows that count a card now, in enrollments that go on (withdrawn and failed
# enrollments keep what they had when they ended).
_HOLDING = (
    "SELECT rp.id, rp.enrollment_id FROM requirement_progress rp "
    "JOIN enrollment e ON e.id = rp.enrollment_id "
    "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "JOIN requirement r ON r.id = pr.requirement_id "
    "WHERE r.requirement_type = 'certification' AND rp.progress_percentage > 0 "
    "AND rp.status_override IS NULL AND e.status IN ('active', 'on_hold', 'completed') "
    "ORDER BY rp.id"
)


@dataclass
class Lapsed:
    """What a sweep took back: progress rows and the enrollments they belong to."""

    rows: list[int] = field(default_factory=list)
    enrollments: list[int] = field(default_factory=list)


def lapse_cards(db: Any, *, today: date, now: datetime | None = None) -> Lapsed:
    """Measure every certification row that counts a card as of `today` (the department's
    date); roll up the enrollments of the rows that fell. Set-based: one query for the
    rows, `recompute` over all of them (a few queries per chunk), one rollup UPDATE."""
    w = writer_of(db)
    now = now or datetime.now(UTC)
    rows = w.all(_HOLDING)
    if not rows:
        return Lapsed()
    changed = set(recompute(w, [pid for pid, _ in rows], now, today=today))
    out = Lapsed(
        rows=sorted(changed), enrollments=sorted({eid for pid, eid in rows if pid in changed})
    )
    rollup_enrollments(w, out.enrollments, now)
    # a fall advances no phase and fires no milestone; a row found behind the ledger rises
    after_change(w, out.enrollments, today=today, now=now)
    w.sync()
    return out
