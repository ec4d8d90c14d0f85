"""Cards that run out: a program's certification row holds while a matching card is valid
(DESIGN §3: "100 while a matching, unexpired certification exists; 0 otherwise"). The
ledger measures that whenever a row's credits change; nothing changes on the day a card
runs out, so the nightly `reminders send` calls `lapse_cards` for the department's today:
each card credit whose card (or class record) is no longer valid gets its reversing ledger
entry ("<id>:lapse:<n>", dated the first day it no longer counted: the ledger's sum says
what the row's value says, and `progress log` says why it fell), every certification row
still counting a card is measured again as of that day (the one calculator, `recompute`),
and the enrollments whose rows fell are rolled up (a completed enrollment reopens). Rows
an officer waived or marked complete are left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from trainctl.services.progress.finish import after_change
from trainctl.services.progress.ledger import ran_out, recompute
from trainctl.services.progress.rollup import rollup_enrollments
from trainctl.services.store import writer_of

# Certification rows of enrollments that go on (withdrawn and failed enrollments keep what
# they had when they ended), that no officer overrode.
_JOINS = (
    "JOIN enrollment e ON e.id = rp.enrollment_id "
    "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
    "JOIN requirement r ON r.id = pr.requirement_id "
)
_CERT_ROWS = (
    "r.requirement_type = 'certification' AND rp.status_override IS NULL "
    "AND e.status IN ('active', 'on_hold', 'completed')"
)
# ... those that count a card now
_HOLDING = (
    f"SELECT rp.id, rp.enrollment_id FROM requirement_progress rp {_JOINS}"
    f"WHERE {_CERT_ROWS} AND rp.progress_percentage > 0 ORDER BY rp.id"
)
# ... and the card credits of them all, in entry order (a row measured as of another day
# may have fallen already, its credit still standing in the ledger)
_CARD_CREDITS = (
    "SELECT c.progress_id, rp.enrollment_id, c.source_type, c.source_id, c.category, c.item, "
    "c.amount, c.state, r.frequency, r.period_months FROM progress_credit c "
    f"JOIN requirement_progress rp ON rp.id = c.progress_id {_JOINS}"
    f"WHERE {_CERT_ROWS} AND c.source_type IN ('certification', 'training_record') "
    "ORDER BY c.progress_id, c.id"
)


@dataclass
class Lapsed:
    """What a sweep took back: progress rows and the enrollments they belong to."""

    rows: list[int] = field(default_factory=list)
    enrollments: list[int] = field(default_factory=list)


def lapse_cards(
    db: Any, *, today: date, now: datetime | None = None, by: int | None = None
) -> Lapsed:
    """Reverse the card credits that ran out before `today` (the department's date; `by`:
    the member running it, None for the owner), measure every certification row that
    counts a card, or whose credit was reversed, as of `today`; roll up the enrollments of
    the rows that fell. Set-based: one query for the rows, one for their card credits, one
    INSERT of the reversals, `recompute` over the rows (a few queries per chunk), one
    rollup UPDATE."""
    w = writer_of(db)
    now = now or datetime.now(UTC)
    rows = dict(w.all(_HOLDING))
    gone = ran_out(w, w.all(_CARD_CREDITS), today)
    w.execute_many(
        "INSERT INTO progress_credit (progress_id, source_type, source_id, amount, category, "
        "item, note, state, entered_by, entered_at, entered_on) VALUES (:progress, :source, "
        ":sid, :amount, :category, :item, :note, 'counted', :by, :at, :on)",
        [{"progress": g.progress_id, "source": g.source_type, "sid": g.source_id,
          "amount": g.amount, "category": g.category, "item": g.item, "note": g.note,
          "by": by, "at": now, "on": g.on} for g in gone],
    )  # fmt: skip
    rows |= {g.progress_id: g.enrollment_id for g in gone}
    if not rows:
        return Lapsed()
    changed = set(recompute(w, sorted(rows), now, today=today))
    out = Lapsed(rows=sorted(changed), enrollments=sorted({rows[pid] for pid in changed}))
    # the reversals' enrollments too: their ledger changed (last activity is not moved)
    rollup_enrollments(w, sorted(set(out.enrollments) | {g.enrollment_id for g in gone}), now)
    # a fall advances no phase and fires no milestone; a row found behind the ledger rises
    after_change(w, out.enrollments, today=today, now=now)
    w.sync()
    return out
