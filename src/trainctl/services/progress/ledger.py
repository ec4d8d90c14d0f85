"""The ledger's figures: progress rows re-measured from their counted credits.

Numeric progress is the sum of counted credits, never a number edited in place (DESIGN §2);
`recompute` derives value, percentage and status with the formulas of domain/progress.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from trainctl.domain import progress as dp
from trainctl.queries import as_date, chunks, in_list, required
from trainctl.queries.settings import nremt_local_content
from trainctl.services.progress.rows import REQUIREMENT_COLUMNS, progress_rows, requirement_of
from trainctl.services.store import Writer, writer_of


def _expiries(w: Writer, keys: set[tuple[str, str]]) -> dict[tuple[str, str], date]:
    """(source type, source id) -> the expiry of the card or record behind a certification
    credit; a void ("<id>:void") carries its source's expiry, so it reverses the same."""
    ids: dict[str, set[int]] = {"certification": set(), "training_record": set()}
    for source, sid in keys:
        head = sid.split(":", 1)[0]
        if source in ids and head.isdigit():
            ids[source].add(int(head))
    found: dict[tuple[str, int], date] = {}
    for source, tbl, column in (
        ("certification", "certification", "expires_on"),
        ("training_record", "training_record", "expiration_date"),
    ):
        for part in chunks(sorted(ids[source])):
            sql, params = in_list("s", part)
            for rid, expires in w.all(
                f"SELECT id, {column} FROM {tbl} WHERE id IN {sql} AND {column} IS NOT NULL",
                params,
            ):
                found[(source, rid)] = required(as_date(expires))
    out: dict[tuple[str, str], date] = {}
    for source, sid in keys:
        head = sid.split(":", 1)[0]
        if head.isdigit() and (source, int(head)) in found:
            out[(source, sid)] = found[(source, int(head))]
    return out


def recompute(
    db: Any,
    progress_ids: Sequence[int],
    now: datetime | None = None,
    *,
    today: date | None = None,
) -> list[int]:
    """Re-measure progress rows from their counted credits (a few queries, one UPDATE per
    changed row). Returns the ids of the rows whose value, percentage or status changed.
    Given `today` (the as-of date), certification credits whose card has expired no longer
    count. `db`: a Session or a Writer (services/store.py)."""
    changed: list[int] = []
    if not progress_ids:
        return changed
    w = writer_of(db)
    now = now or datetime.now(UTC)
    updates: list[dict[str, Any]] = []
    local = nremt_local_content(w)  # the department's NREMT setting, as compliance reads it
    for part in chunks(list(progress_ids)):
        rows = progress_rows(w, part)
        sql, params = in_list("p", part)
        reqs: dict[int, Any] = {}
        spans: dict[int, int] = {}
        for pid, enrolled_on, target_day, frequency, *rest in w.all(
            "SELECT rp.id, e.enrolled_on, e.target_completion_date, r.frequency, "
            f"{REQUIREMENT_COLUMNS} "
            "FROM requirement_progress rp "
            "JOIN enrollment e ON e.id = rp.enrollment_id "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            "JOIN requirement r ON r.id = pr.requirement_id "
            f"WHERE rp.id IN {sql}",
            params,
        ):
            reqs[pid] = requirement_of(rest)
            spans[pid] = dp.periods_in_span(
                frequency, required(as_date(enrolled_on)), as_date(target_day)
            )
        certs = {pid for pid, req in reqs.items() if req.requirement_type == "certification"}
        ledger = w.all(
            "SELECT progress_id, amount, category, item, source_type, source_id "
            f"FROM progress_credit WHERE progress_id IN {sql} AND state = 'counted' ORDER BY id",
            params,
        )
        expiries = (
            _expiries(w, {(st, sid) for pid, *_, st, sid in ledger if pid in certs})
            if today is not None and certs
            else {}
        )
        credits: dict[int, list[dp.Credit]] = {}
        for pid, amount, category, item, st, sid in ledger:
            credits.setdefault(pid, []).append(
                dp.Credit(float(amount), category, item, expiries.get((st, sid)))
            )
        for rp in rows:
            req = reqs[rp.id]
            # a recurring requirement counts its figure once per period of the enrollment's span
            target = dp.Target.of(req, local_content=local).over(spans[rp.id])
            value, pct = dp.measure(target, credits.get(rp.id, []), today=today)
            status = dp.derive_status(pct, rp.status_override, value)
            shown = dp.effective_percentage(pct, rp.status_override)
            if (rp.progress_value, rp.progress_percentage, rp.status) == (value, shown, status):
                continue
            changed.append(rp.id)
            started = rp.started_at or (now if status != "not_started" else None)
            completed = (rp.completed_at or now) if status in dp.DONE else None
            updates.append(
                {"id": rp.id, "value": value, "pct": shown, "status": status,
                 "started": started, "completed": completed}
            )  # fmt: skip
    w.execute_many(
        "UPDATE requirement_progress SET progress_value = :value, progress_percentage = :pct, "
        "status = :status, started_at = :started, completed_at = :completed WHERE id = :id",
        updates,
    )
    w.sync()
    return changed
