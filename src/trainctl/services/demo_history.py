"""The demo department's year of history: training records, certification cards, skill
checkoffs, shifts and calls, so that `trainctl report ...` has something to show.

Everything is generated from the roster and the build date alone (no randomness), written
as the sheets an officer would import and taken in through the same import services
(records, cards, shifts, calls) and the skill checkoff use case. Members are told apart by
their badge; patterns differ on purpose: a member who never misses a drill, one who misses
every other week, a card that expires on the build date (still valid that day), an
expired one, a renewed one (the latest card decides), BLS held where ACLS is required.

The department is in New York (ZONE, the timezone the README's tour sets; services/demo.py
sets it): tours begin at 07:00 and calls come in at 14:30 on its clock, written with the
offset that clock has that day (EST in winter, EDT in summer).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from trainctl.domain.periods import MonthDay, add_months
from trainctl.services.auth import Actor

ONE_DAY = timedelta(days=1)
STATION = "Station 12"
ZONE = "America/New_York"  # the demo department's timezone


def _at(day: date, hour: int, minute: int = 0) -> str:
    """A time of day on the demo department's clock, with its offset that day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE)).isoformat(timespec="minutes")

# badge -> miss every k-th weekly drill (0: never misses)
MISSES = {
    "C-100": 0, "L-114": 5, "L-121": 4, "F-203": 0, "F-217": 3, "F-224": 6, "F-231": 2,
    "F-238": 4,
}  # fmt: skip
# badge -> share of the NREMT cycle's hours logged so far
EMS_SHARE = {"L-114": 0.7, "L-121": 1.0, "F-203": 0.95, "F-217": 0.45, "F-224": 0.3, "F-238": 0.15}
# NCCP national topic minimums (reference/registry-facts.md, 2016 model), by level total
TOPICS = {
    40: (("airway", 1.5), ("cardiovascular", 6), ("trauma", 1.5), ("medical", 6), ("operations", 5)),
    60: (("airway", 3.5), ("cardiovascular", 8.5), ("trauma", 3), ("medical", 8.5), ("operations", 6.5)),
}


def _sheet(header: Sequence[str], rows: Iterable[Sequence[object]]) -> io.BytesIO:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return io.BytesIO(buf.getvalue().encode())


def _days(first: date, last: date) -> Iterable[date]:
    d = first
    while d <= last:
        yield d
        d += ONE_DAY


def training_rows(
    hired: dict[str, date], positions: dict[str, tuple[str, ...]], today: date
) -> list[tuple[object, ...]]:
    """(badge, course, date, hours, category, topic, training_type, self_paced, location)."""
    rows: list[tuple[object, ...]] = []
    start = today - timedelta(days=365)
    crew = [b for b in hired if not b.startswith("P-")]
    # weekly company drills (Tuesdays), 3 h of structural firefighting at the station
    tuesdays = [d for d in _days(start, today) if d.weekday() == 1]
    for w, d in enumerate(tuesdays):
        for i, b in enumerate(crew):
            k = MISSES.get(b, 0)
            if d < hired[b] or (k and w % k == i % k):
                continue
            rows.append((b, "Company drill", d, 3, "structural_firefighting", None, "drill", None,
                         STATION))  # fmt: skip
    # monthly live-fire evolutions at the training center (first Saturday), 4 h
    month = date(start.year, start.month, 1)
    while month <= today:
        sat = next(d for d in _days(month, month + timedelta(days=6)) if d.weekday() == 5)
        if start <= sat <= today:
            for b in crew:
                if MISSES.get(b) == 2 and sat.month % 2:
                    continue
                rows.append((b, "Live-fire evolutions", sat, 4, "structural_firefighting", None,
                             "live_fire", None, "Regional training center"))  # fmt: skip
        month = add_months(month, 1)
    # hazardous materials: a 6 h refresher, or only a 3 h update
    for i, b in enumerate(crew):
        day = today - timedelta(days=120 + i)
        if i % 2 == 0:
            rows.append((b, "Hazmat operations refresher", day, 6, "hazmat", None, "class", None, None))
        else:
            rows.append((b, "Hazmat awareness update", day, 3, "hazmat", None, "class", "yes", None))
    # officer continuing education and driver/operator training
    for b, pos in positions.items():
        if "officer" in pos:
            for n in range(2 if b == "L-114" else 3):
                rows.append((b, f"Fire officer CE module {n + 1}", today - timedelta(days=20 + 60 * n),
                             4, "officer", None, "class", None, None))  # fmt: skip
        if "driver" in pos:
            for n in range(2):
                rows.append((b, f"Driver/operator refresher {n + 1}", today - timedelta(days=30 + 90 * n),
                             6, "driver", None, "class", None, None))  # fmt: skip
        if "driver_candidate" in pos:
            for n in range(5 if b == "F-224" else 2):
                rows.append((b, f"Driver/operator course day {n + 1}", today - timedelta(days=60 + 7 * n),
                             8, "driver", None, "class", None, None))  # fmt: skip
    # NREMT continuing education (national topics, local, individual): the current cycle
    # so far, and the previous cycle (complete but for one member, who carries a miss)
    cycle_end = MonthDay(3, 31).on_or_after(today)
    previous_end = add_months(cycle_end, -24)
    for b, share in EMS_SHARE.items():
        rows += _ems_rows(b, 0.5 if b == "F-238" else 1.0, positions[b], previous_end - timedelta(days=30))
        rows += _ems_rows(b, share, positions[b], today - timedelta(days=10))
    # the recruit academy: weekdays from the hire date, 8 h (two recruits missed days)
    for b in (b for b in hired if b.startswith("P-")):
        for n, d in enumerate(d for d in _days(hired[b], today) if d.weekday() < 5):
            if b in ("P-303", "P-306") and n % 5 in (1, 3):
                continue
            rows.append((b, "Recruit academy", d, 8, "recruit", None, "academy", None,
                         "Regional training center"))  # fmt: skip
    # SCBA proficiency for the recruits (the probationary program's SCBA hours), every other
    # Friday from the hire date, 2 h at the station
    for b in (b for b in hired if b.startswith("P-")):
        for d in [d for d in _days(hired[b], today) if d.weekday() == 4][::2]:
            rows.append((b, "SCBA proficiency", d, 2, "scba", None, "drill", None, STATION))
    # the county's EMS protocol review (the EMT recertification's local protocol hours)
    for i, b in enumerate(EMS_SHARE):
        rows.append((b, "County EMS protocol review", today - timedelta(days=40 + 3 * i), 2,
                     "protocols", None, "class", None, None))  # fmt: skip
    return rows


def _ems_rows(b: str, share: float, positions: tuple[str, ...], last: date) -> list[tuple[object, ...]]:
    """A member's NCCP hours (`share` of the level's total), one session every 23 days
    back from `last`; the medical topic of F-203 is self-paced (beyond the cap's room)."""
    rows: list[tuple[object, ...]] = []
    level = 60 if "paramedic" in positions else 40
    parts: list[tuple[str, str | None, float, bool]] = []
    for name, minimum in TOPICS[level]:
        h = round(minimum * share * 2) / 2
        if h > 0:
            paced = b == "F-203" and name == "medical"  # self-paced beyond the cap's room
            parts.append(("national", name, h, paced))
    for component in ("local", "individual"):
        h = round(level * 0.25 * share * 2) / 2
        if h > 0:
            parts.append((component, None, h, component == "individual"))
    for n, (cat, subject, h, paced) in enumerate(parts):
        day = last - timedelta(days=23 * n)
        name = f"EMS CE: {subject or cat}"
        rows.append((b, name, day, h, cat, subject, "ems_ce", "yes" if paced else None, None))
    return rows


def card_rows(positions: dict[str, tuple[str, ...]], today: date) -> list[tuple[object, ...]]:
    """(badge, credential, number, issued, expires, credential_name, issuer)."""
    d = lambda n: today + timedelta(days=n)  # noqa: E731
    rows: list[tuple[object, ...]] = [
        # CPR/BLS: due soon, valid a while, expired, renewed, expiring on the build date
        ("F-203", "CPR-BLS", "AHA-1001", d(-700), d(30), "BLS Provider", "AHA"),
        ("F-217", "CPR-BLS", "AHA-1002", d(-400), d(330), "BLS Provider", "AHA"),
        ("F-238", "CPR-BLS", "AHA-1003", d(-760), d(-30), "BLS Provider", "AHA"),
        ("L-114", "CPR-BLS", "AHA-0901", d(-1400), d(-670), "BLS Provider", "AHA"),
        ("L-114", "CPR-BLS", "AHA-1004", d(-669), d(61), "BLS Provider", "AHA"),
        ("F-224", "CPR-BLS", "AHA-1005", d(-730), d(0), "BLS Provider", "AHA"),
        ("L-121", "CPR-BLS", "AHA-1006", d(-330), d(400), "BLS Provider", "AHA"),
        ("P-302", "CPR-BLS", "AHA-1007", d(-50), d(680), "BLS Provider", "AHA"),
        # a paramedic's ACLS runs out soon; PALS has expired
        ("L-121", "ACLS", "AHA-2001", d(-710), d(20), "ACLS Provider", "AHA"),
        ("L-121", "PALS", "AHA-3001", d(-830), d(-100), "PALS Provider", "AHA"),
        ("L-121", "PHTLS", "NAEMT-11", d(-900), None, "PHTLS", "NAEMT"),
        ("F-203", "PHTLS", "NAEMT-12", d(-500), None, "PHTLS", "NAEMT"),
    ]
    # NREMT cards: they end on the cycle end (31 March; 30 September for EMR)
    march = MonthDay(3, 31).on_or_after(today)
    for b in ("L-114", "F-203", "F-217", "F-224", "F-238"):
        rows.append((b, "NREMT-EMT", f"E{b[-3:]}", add_months(march, -24) + timedelta(days=1),
                     march, "NREMT EMT", "NREMT"))  # fmt: skip
    rows.append(("L-121", "NREMT-NRP", "P121", add_months(march, -24) + timedelta(days=1), march,
                 "NREMT Paramedic", "NREMT"))  # fmt: skip
    # qualifications (no expiry)
    quals = {
        "C-100": ("NFPA 1001", "PB-FF1", "PB-FF2", "NFPA 1021", "PB-FO1", "PB-FO2"),
        "L-114": ("NFPA 1001", "PB-FF1", "PB-FF2", "NFPA 1021", "PB-FO1", "NFPA 1041", "PB-INST1"),
        "L-121": ("NFPA 1001", "PB-FF1", "PB-FF2"),
        "F-203": ("NFPA 1001", "PB-FF1", "PB-HM-OPS", "NFPA 1002", "PB-DO-PUMPER"),
        "F-217": ("NFPA 1001", "PB-FF1", "PB-HM-OPS"),
        "F-224": ("NFPA 1001", "PB-FF1"),
        "F-231": ("PB-FF1",),
        "F-238": ("NFPA 1001", "PB-FF1"),
    }
    for n, (b, codes) in enumerate(quals.items()):
        for code in codes:
            rows.append((b, code, None, d(-900 - 30 * n), None, None, None))
    return rows


def shift_rows(hired: dict[str, date], today: date) -> list[tuple[object, ...]]:
    """(badge, shift_date, station, shift, time_in, time_out): recruits' ride-alongs, every
    third day from the hire date (one recruit every sixth) until the academy began (the
    demo enrolls them 40 days before the build date; the program's ride-along progress is
    the officer's entries), and the crew's 24-hour shifts (three platoons) for the year."""
    rows: list[tuple[object, ...]] = []
    for b in (b for b in hired if b.startswith("P-")):
        step = 6 if b == "P-303" else 3
        day = hired[b] + timedelta(days=3)
        while day < today - timedelta(days=40):
            shift = "ABC"[day.toordinal() % 3]
            rows.append((b, day, STATION, shift, _at(day, 7), _at(day + ONE_DAY, 7)))
            day += timedelta(days=step)
    crew = [b for b in hired if not b.startswith("P-")]
    for day in _days(today - timedelta(days=365), today - ONE_DAY):
        shift = "ABC"[day.toordinal() % 3]  # each platoon works every third day
        for i, b in enumerate(crew):
            if i % 3 == day.toordinal() % 3 and day >= hired[b]:
                rows.append((b, day, STATION, shift, _at(day, 7), _at(day + ONE_DAY, 7)))
    return rows


def call_rows(hired: dict[str, date], today: date) -> list[tuple[object, ...]]:
    """(badge, incident, shift_date, at, call_type, role): 30 calls in the last 90 days."""
    crew = [b for b in hired if not b.startswith("P-")]
    kinds = ("EMS", "Structure fire", "MVA", "Alarm", "EMS", "EMS")
    rows: list[tuple[object, ...]] = []
    for n in range(30):
        day = today - timedelta(days=3 * n + 1)
        incident = f"{day.year}-{1000 + n:05d}"
        for k in range(2 + n % 3):
            b = crew[(n + 3 * k) % len(crew)]
            rows.append((b, incident, day, _at(day, 14, 30), kinds[n % len(kinds)],
                         "officer" if k == 0 else "crew"))  # fmt: skip
    return rows


def build_history(
    session: Session, actor: Actor, today: date, members: dict[str, tuple[date, tuple[str, ...]]]
) -> dict[str, int]:
    """Import the year of history; returns how many rows of each kind were written."""
    from trainctl.services import certifications as cs
    from trainctl.services import records as rs
    from trainctl.services import shifts as ss
    from trainctl.services import skills as ks

    hired = {b: h for b, (h, _) in members.items()}
    positions = {b: p for b, (_, p) in members.items()}
    out: dict[str, int] = {}
    records = training_rows(hired, positions, today)
    rs.import_records(session, actor, [("demo-training.csv", _sheet(
        ("badge", "course", "date", "hours", "category", "topic", "training_type", "self_paced",
         "location"), records))], today=today)  # fmt: skip
    out["training records"] = len(records)
    cards = card_rows(positions, today)
    cs.import_cards(session, actor, [("demo-cards.csv", _sheet(
        ("badge", "credential", "number", "issued", "expires", "credential_name", "issuer"),
        cards))], today=today)  # fmt: skip
    out["certifications"] = len(cards)
    shifts = shift_rows(hired, today)
    ss.import_shifts(session, actor, [("demo-shifts.csv", _sheet(
        ("badge", "shift_date", "station", "shift", "time_in", "time_out"), shifts))],
        today=today)  # fmt: skip
    out["shifts"] = len(shifts)
    calls = call_rows(hired, today)
    ss.import_calls(session, actor, [("demo-calls.csv", _sheet(
        ("badge", "incident", "shift_date", "at", "call_type", "role"), calls))], today=today)  # fmt: skip
    out["call responses"] = len(calls)
    ks.add_skill(session, actor, name="SCBA donning and doffing", category="Firefighting")
    ks.add_skill(session, actor, name="Search and rescue", category="Firefighting")
    checkoffs = 0
    for n, b in enumerate(b for b in hired if b.startswith("P-")):
        day = hired[b] + timedelta(days=14)
        result = "failed" if n == 4 else "passed" if n < 5 else "needs_retest"
        ks.checkoff(session, actor, b, "SCBA donning and doffing", result=result, on=str(day),
                    today=today)  # fmt: skip
        checkoffs += 1
        if n == 4:  # the retest passed a week later
            ks.checkoff(session, actor, b, "SCBA donning and doffing", result="passed",
                        on=str(day + timedelta(days=7)), today=today)  # fmt: skip
            checkoffs += 1
    out["skill checkoffs"] = checkoffs
    return out
