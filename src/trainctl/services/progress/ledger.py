"""The ledger's figures: progress rows re-measured from their counted credits.

Numeric progress is the sum of counted credits, never a number edited in place (DESIGN §2);
`recompute` derives value, percentage and status with the formulas of domain/progress.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from trainctl.domain import certs
from trainctl.domain import progress as dp
from trainctl.queries import as_date, chunks, in_list, required
from trainctl.queries.enrollments import (
    WINDOW_COLUMNS,
    excluded_records,
    judged_in_window,
    source_of,
)
from trainctl.queries.settings import nremt_local_content
from trainctl.queries.settings import today as department_today
from trainctl.services.progress.rows import (
    REQUIREMENT_COLUMNS,
    ProgressRow,
    progress_rows,
    requirement_of,
)
from trainctl.services.store import Writer, writer_of


def card_days(w: Writer, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[date, date | None]]:
    """(source type, source id) -> (issued, expiry) of the card or record behind a
    certification credit (its completion day and expiry for a record); a void
    ("<id>:void") carries its source's, so it reverses the same."""
    ids: dict[str, set[int]] = {"certification": set(), "training_record": set()}
    for source, sid in keys:
        head = sid.split(":", 1)[0]
        if source in ids and head.isdigit():
            ids[source].add(int(head))
    found: dict[tuple[str, int], tuple[date, date | None]] = {}
    for source, tbl, issued, column in (
        ("certification", "certification", "issued_on", "expires_on"),
        ("training_record", "training_record", "completion_date", "expiration_date"),
    ):
        for part in chunks(sorted(ids[source])):
            sql, params = in_list("s", part)
            for rid, on, expires in w.all(
                f"SELECT id, {issued}, {column} FROM {tbl} WHERE id IN {sql}", params
            ):
                found[(source, rid)] = (required(as_date(on)), as_date(expires))
    out: dict[tuple[str, str], tuple[date, date | None]] = {}
    for source, sid in keys:
        head = sid.split(":", 1)[0]
        if head.isdigit() and (source, int(head)) in found:
            out[(source, sid)] = found[(source, int(head))]
    return out


# A card's credit taken back when the card (or class record) ran out: "<id>:lapse:<n>",
# numbered as a re-credit's entries are (n: the source's entries before it). The nightly
# run writes it (services/progress/lapse.py); it is nobody's activity (rollup.py).
LAPSE = ":lapse:"


@dataclass(frozen=True)
class RanOut:
    """A reversing entry for a card credit whose card no longer holds the row."""

    progress_id: int
    enrollment_id: int
    source_type: str
    source_id: str  # the new entry's: "<id>:lapse:<n>"
    amount: float  # the negative of what the source still held
    category: str | None
    item: str | None
    on: date  # the first day it no longer counts (the day after the card's last)
    note: str


def ran_out(w: Writer, credits: Sequence[Sequence[Any]], today: date) -> list[RanOut]:
    """The card credits among `credits` ((progress id, enrollment id, source type, source
    id, category, item, amount, state, requirement frequency, period months), a row's in
    entry order) whose source still holds net credit though its card or class record is
    not valid on `today`: the rule `recompute` measures by (domain/certs `held_through`,
    `is_valid`), so the ledger's sum says what the row's value says."""
    net: dict[tuple[int, str, str, str | None, str | None], float] = {}
    entries: dict[tuple[int, str, str], int] = {}
    enrollment_of: dict[int, int] = {}
    renewal: dict[int, int | None] = {}
    for pid, eid, stype, sid, category, item, amount, state, frequency, months in credits:
        base = sid.split(":", 1)[0]
        entries[(pid, stype, base)] = entries.get((pid, stype, base), 0) + 1
        enrollment_of[pid] = eid
        renewal[pid] = certs.renewal_months(frequency, months)
        if state == "counted":
            key = (pid, stype, base, category, item)
            net[key] = net.get(key, 0.0) + float(amount)
    cards = card_days(w, {(stype, base) for _, stype, base, _, _ in net})
    out = []
    for (pid, stype, base, category, item), amount in net.items():
        card = cards.get((stype, base))
        if amount < 1e-9 or card is None:
            continue
        last = certs.held_through(*card, renewal[pid])
        if last is None or certs.is_valid(last, today):
            continue
        n = entries[(pid, stype, base)]
        entries[(pid, stype, base)] = n + 1
        what = f"card {base}" if stype == "certification" else f"class record {base}"
        assumed = " (assumed: no expiry on file)" if card[1] is None else ""
        out.append(RanOut(pid, enrollment_of[pid], stype, f"{base}{LAPSE}{n}", -amount, category,
                          item, last + timedelta(days=1),
                          f"{what} ran out: valid through {last}{assumed}"))  # fmt: skip
    return out


def _per_credit(target: dp.Target) -> bool:
    """Whether measuring needs each credit on its own: a certification's credits carry
    their card's expiry, and hours with categories allocate credit by credit (corrections
    take back the latest entries first). Every other figure is a sum per (category, item):
    `measure` adds amounts and nets items, so a credit's sum stands for its credits."""
    return target.requirement_type == "certification" or (
        target.requirement_type == "hours" and bool(target.hour_categories)
    )


# Counted credits summed per (row, category, item) in the database, in first-entry order.
# bench/records_import.py (a year of sign-in sheets, 3,000 rows re-measured over 162,000
# credits): reading every credit back into Python took 0.7-1.0 s CPU; the sums, 0.1-0.2 s.
_SUMS = (
    "SELECT progress_id, category, item, SUM(amount) FROM progress_credit "
    "WHERE progress_id IN {ids} AND state = 'counted'{dated} "
    "GROUP BY progress_id, category, item ORDER BY progress_id, MIN(id)"
)
_EACH = (
    "SELECT progress_id, amount, category, item, source_type, source_id FROM progress_credit "
    "WHERE progress_id IN {ids} AND state = 'counted'{dated} ORDER BY id"
)


def _measured(
    w: Writer, progress_ids: Sequence[int], *, today: date | None, through: date | None = None
) -> Iterator[tuple[ProgressRow, float, float]]:
    """(row, value, percentage) of each row, measured from its counted credits: those
    dated on or before `through` when given (the row as it stood that day). The one
    measurement `recompute` and `done_on` share; see `recompute` for the rest."""
    local = nremt_local_content(w)  # the department's NREMT setting, as compliance reads it
    targets: dict[int, dp.Target] = {}  # per requirement (many rows share one)
    spans: dict[tuple[Any, ...], int] = {}
    renewal: dict[int, int | None] = {}  # certification rows: domain/certs renewal_months
    dated, day = ("", {}) if through is None else (" AND entered_on <= :through", {"through": through})
    for part in chunks(list(progress_ids)):
        rows = progress_rows(w, part)
        sql, params = in_list("p", part)
        target_of: dict[int, dp.Target] = {}
        # rows judged in the member's own window, as compliance judges them (an NREMT
        # NCCP level: one course once per cycle; a one-time window of N months)
        judged: dict[int, tuple[int, int]] = {}
        for pid, enrolled_on, target_day, frequency, months, member_id, *window_and_rest in w.all(
            "SELECT rp.id, e.enrolled_on, e.target_completion_date, r.frequency, r.period_months, "
            "e.member_id, "
            f"{WINDOW_COLUMNS}, {REQUIREMENT_COLUMNS} "
            "FROM requirement_progress rp "
            "JOIN enrollment e ON e.id = rp.enrollment_id "
            "JOIN program_requirement pr ON pr.id = rp.program_requirement_id "
            "JOIN requirement r ON r.id = pr.requirement_id "
            f"WHERE rp.id IN {sql}",
            params,
        ):
            window, rest = window_and_rest[:7], window_and_rest[7:]
            rid = rest[0]
            if judged_in_window(window):
                judged[pid] = (member_id, rid)
            if rid not in targets:
                targets[rid] = dp.Target.of(requirement_of(rest), local_content=local)
            span = (frequency, enrolled_on, target_day)
            if span not in spans:
                spans[span] = dp.periods_in_span(
                    frequency, required(as_date(enrolled_on)), as_date(target_day)
                )
            # a recurring requirement counts its figure once per period of the enrollment's span
            target_of[pid] = targets[rid].over(spans[span])
            if target_of[pid].requirement_type == "certification":
                # a card without an expiry holds one that renews for a renewal period
                renewal[pid] = certs.renewal_months(frequency, months)
        each = [pid for pid, t in target_of.items() if _per_credit(t) or pid in judged]
        summed = [pid for pid, t in target_of.items() if not (_per_credit(t) or pid in judged)]
        credits: dict[int, list[dp.Credit]] = {}
        for ids in (summed, each):
            if not ids:
                continue
            sql, params = in_list("p", ids)
            if ids is summed:
                for pid, category, item, amount in w.all(_SUMS.format(ids=sql, dated=dated), {**params, **day}):
                    credits.setdefault(pid, []).append(dp.Credit(float(amount), category, item))
                continue
            ledger = w.all(_EACH.format(ids=sql, dated=dated), {**params, **day})
            held_certs = {pid for pid in ids if target_of[pid].requirement_type == "certification"}
            cards = (
                card_days(w, {(st, sid) for pid, *_, st, sid in ledger if pid in held_certs})
                if today is not None and held_certs
                else {}
            )
            held: dict[int, list[tuple[float, str | None, str | None]]] = {
                pid: [] for pid in ids if pid in judged
            }
            for pid, amount, _, _, st, sid in ledger:
                if pid in held:
                    held[pid].append((amount, st, sid))
            excluded = excluded_records(w, judged, held, today=today) if held else {}
            for pid, amount, category, item, st, sid in ledger:
                key = source_of(st, sid)
                out = excluded.get(pid, {}).get(key) if key is not None else None
                why = out.reason if out is not None else ""
                card = cards.get((st, sid))
                expires = certs.held_through(*card, renewal.get(pid)) if card else None
                credits.setdefault(pid, []).append(dp.Credit(float(amount), category, item, expires, why))
        for rp in rows:
            yield (rp, *dp.measure(target_of[rp.id], credits.get(rp.id, []), today=today))


def recompute(
    db: Any,
    progress_ids: Sequence[int],
    now: datetime | None = None,
    *,
    today: date | None = None,
) -> list[int]:
    """Re-measure progress rows from their counted credits (a few queries per chunk of
    rows, one UPDATE per changed row). Returns the ids of the rows whose value, percentage
    or status changed. Given `today` (the as-of date), certification credits whose card has
    expired no longer count. `db`: a Session or a Writer (services/store.py).

    Set-based: the database sums the credits per (row, category, item) for every figure
    that is a sum (`_per_credit` says which are not: those read their credits one by one),
    so re-measuring the rows an import touched costs one aggregate per chunk, not a read of
    every credit they hold; the figures are those of `dp.measure` over the credits."""
    changed: list[int] = []
    if not progress_ids:
        return changed
    w = writer_of(db)
    now = now or datetime.now(UTC)
    updates: list[dict[str, Any]] = []
    for rp, value, pct in _measured(w, progress_ids, today=today):
        status = dp.derive_status(pct, rp.status_override, value)
        shown = dp.effective_percentage(pct, rp.status_override)
        if (rp.progress_value, rp.progress_percentage, rp.status) == (value, shown, status):
            continue
        changed.append(rp.id)
        started = rp.started_at or (now if status != "not_started" else None)
        done = status in dp.DONE
        # completed_at: when it was written (audit); completed_on: the day of the work
        updates.append(
            {"id": rp.id, "value": value, "pct": shown, "status": status,
             "started": started, "completed": (rp.completed_at or now) if done else None,
             "on": rp.completed_on if done else None, "keep": int(dp.verification_stands(status))}
        )  # fmt: skip
    newly = [u["id"] for u in updates if u["completed"] is not None and u["on"] is None]
    if newly:
        days = completion_days(w, newly, today if today is not None else department_today(w))
        for u in updates:
            if u["id"] in days and u["on"] is None:
                u["on"] = days[u["id"]]
    # (CASE without ELSE: NULL, so a verification that no longer stands is cleared)
    w.execute_many(
        "UPDATE requirement_progress SET progress_value = :value, progress_percentage = :pct, "
        "status = :status, started_at = :started, completed_at = :completed, completed_on = :on, "
        "verified_by = CASE WHEN :keep = 1 THEN verified_by END, "
        "verified_at = CASE WHEN :keep = 1 THEN verified_at END, "
        "verified_on = CASE WHEN :keep = 1 THEN verified_on END WHERE id = :id",
        updates,
    )
    w.sync()
    return changed


# The credit that completed a row: the last counted one written; and the row's latest day.
_LAST_WRITTEN = (
    "SELECT progress_id, entered_on FROM progress_credit WHERE id IN (SELECT MAX(id) "
    "FROM progress_credit WHERE progress_id IN {ids} AND state = 'counted' GROUP BY progress_id)"
)
_LATEST_DAY = (
    "SELECT progress_id, MAX(entered_on) FROM progress_credit WHERE progress_id IN {ids} "
    "AND state = 'counted' GROUP BY progress_id"
)


def completion_days(db: Any, progress_ids: Sequence[int], today: date) -> dict[int, date]:
    """The day each of these rows (done now, just completed) was completed, what reads show
    as "completed on" (requirement_progress.completed_on): the day (entered_on) of the
    credit that completed it, the last counted one written, not the day it was typed in;
    when the ledger shows the row not yet done that day (a credit entered `--as-of` an
    earlier day, which later-dated credits on file complete), the first later day it was
    done (`done_from`). A row without a dated credit: `today`. One query per chunk in
    the usual case (the credit is the row's latest day); a search only for a backdated one."""
    w = writer_of(db)
    last: dict[int, date] = {}
    latest: dict[int, date] = {}
    for part in chunks(list(progress_ids)):
        sql, params = in_list("p", part)
        for found, query in ((last, _LAST_WRITTEN), (latest, _LATEST_DAY)):
            found.update((pid, d) for pid, on in w.all(query.format(ids=sql), params)
                         if (d := as_date(on)) is not None)  # fmt: skip
    out = dict.fromkeys(progress_ids, today)
    backdated: dict[date, list[int]] = {}
    for pid, on in last.items():
        out[pid] = on
        if latest.get(pid, on) > on:
            backdated.setdefault(on, []).append(pid)
    for on, pids in backdated.items():
        later = sorted(set(pids) - done_on(w, pids, on))
        days = done_from(w, later, on) if later else {}
        out.update((pid, days.get(pid, latest[pid])) for pid in later)
    return out


# An officer's override (services/progress/changes.override) leaves a credit of nothing,
# dated the day it was given: a waiver ("waiver"), or a sign-off ("manual", noted "marked
# complete"); its removal ("manual", noted "override removed") likewise.
_OVERRIDE_DAYS = (
    "SELECT progress_id, MAX(entered_on) FROM progress_credit WHERE progress_id IN {ids} "
    "AND amount = 0 AND (source_type = 'waiver' OR (source_type = 'manual' "
    "AND (note LIKE 'marked complete%'{removals}))) GROUP BY progress_id"
)


def override_days(db: Any, progress_ids: Sequence[int], *, removals: bool = False) -> dict[int, date]:
    """{progress id: the day of its latest override in the ledger}: the one in force when
    the row has one (overrides go in date order: changes.override). `removals`: the day
    of its latest override change, a removal included (what the next change may not
    precede)."""
    w = writer_of(db)
    sql = _OVERRIDE_DAYS.replace("{removals}", " OR note LIKE 'override removed%'" if removals else "")
    days: dict[int, date] = {}
    for part in chunks(list(progress_ids)):
        ids, params = in_list("p", part)
        days.update((pid, required(as_date(on))) for pid, on in w.all(sql.format(ids=ids), params) if on)
    return days


def done_on(db: Any, progress_ids: Sequence[int], day: date) -> set[int]:
    """The rows among these that were complete (or waived) on `day`, as they stood then:
    measured from their credits dated on or before it, as of that day (a card valid then),
    an officer's override counting from the day it was given. What the order rules judge
    a credit or an advance dated `day` by (services/progress/links.py `link_states`)."""
    w = writer_of(db)
    given = override_days(w, progress_ids)
    done: set[int] = set()
    for rp, value, pct in _measured(w, progress_ids, today=day, through=day):
        since = given.get(rp.id)
        override = rp.status_override if since is None or since <= day else None
        if dp.derive_status(pct, override, value) in dp.DONE:
            done.add(rp.id)
    return done


def done_from(db: Any, progress_ids: Sequence[int], after: date) -> dict[int, date]:
    """For rows done now that were not on `after`: the first later day they were done, as
    their ledger shows it (the day of the entry that completed them; `done_on`)."""
    w = writer_of(db)
    days: set[date] = set()
    for part in chunks(list(progress_ids)):
        sql, params = in_list("p", part)
        later = w.column(
            f"SELECT DISTINCT entered_on FROM progress_credit WHERE progress_id IN {sql} "
            "AND entered_on > :after",
            {**params, "after": after},
        )
        days.update(required(as_date(d)) for d in later)
    found: dict[int, date] = {}
    for day in sorted(days):
        todo = [pid for pid in progress_ids if pid not in found]
        if not todo:
            break
        found.update((pid, day) for pid in done_on(w, todo, day))
    return found
