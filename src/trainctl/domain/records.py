"""Training records as people write them (pure): the sign-in sheet's columns, one row's
values checked and normalised, the natural key, expiry.

One rule for every way a record comes in: `record add` (options) and `record import`
(sheet rows) both go through `parse_record`, so a value is accepted or refused with the
same words. (No pydantic per row: an 80,000-row import would spend a second on it.)

Natural key: member + course identity + completion date. The course identity is
`course:ID` for a catalog course, else `name:` + the free course name folded (case and
spaces aside). Importing a sheet again, or one that overlaps, adds nothing twice; a row
matching a void record is not brought back (void it, then `record add` the right one).
Two sessions of the same course on the same day for the same member are one record.

Counting: only a *completed* record credits progress, and not when it says passed = no.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from trainctl.domain import sheet
from trainctl.domain.credit import Accepts, Fact, credit_of
from trainctl.domain.progress import category_key
from trainctl.domain.sheet import VOID, Field
from trainctl.domain.text import hours_text

MAX_RECORD_HOURS = 2_000.0  # one record: a long academy, never a career
MAX_SCORE = 1_000.0
STATUSES = ("scheduled", "in_progress", "completed", "cancelled", "failed")
_STATUS_WORDS = {
    "complete": "completed", "done": "completed", "attended": "completed", "present": "completed",
    "in progress": "in_progress", "inprogress": "in_progress", "canceled": "cancelled",
    "fail": "failed", "planned": "scheduled",
}  # fmt: skip

# The sign-in sheet's columns and the headers people give them (compared by header_key).
SHEET_FIELDS = (
    Field("email", ("e-mail", "email address", "e-mail address", "mail")),
    Field("badge", ("badge #", "badge no", "badge number", "badge num", "badge id")),
    Field("member", ("member id", "member ref")),
    Field("name", ("full name", "member name", "participant", "attendee", "first and last name")),
    Field("course_code", ("code", "course no", "course number", "course id")),
    Field("course", ("course name", "class", "class name", "training", "title", "drill", "session")),
    Field("date", ("completion date", "completed", "date completed", "completed on",
                   "training date", "day", "class date")),
    Field("hours", ("hrs", "hours completed", "duration", "credit hours", "contact hours", "time (h)")),
    Field("status", ()),
    Field("score", ("grade", "test score")),
    Field("passed", ("pass", "pass/fail", "result")),
    Field("topic", ("subject",)),
    Field("category", ("training category", "topic category")),
    Field("training_type", ("type", "training type", "kind")),
    Field("instructor", ("trainer", "instructed by", "lead instructor")),
    Field("location", ("place", "site", "station", "venue")),
    Field("self_paced", ("self-paced", "distributive", "online", "self study", "self-study")),
    Field("expiration", ("expires", "expiration date", "expires on", "expiry", "valid until")),
    Field(VOID),  # `record list --include-void`'s mark: such a row is left out (sheet.VOID)
)  # fmt: skip
# Columns a sign-in sheet carries that are not part of the record.
# `reason` is the column a reject file adds: a fixed reject file imports as it is.
SHEET_IGNORED = ("signature", "sign", "initials", "notes", "comments", "remarks", "time in",
                 "time out", "phone", "shift", "rank", "unit", "no", "row", "reason")  # fmt: skip
# Columns `record list --format csv` writes that a record is not made of (sheet.VOID).
SHEET_LISTED = ("id",)
MEMBER_FIELDS = ("email", "badge", "member")


def fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


class Categories:
    """The categories the requirements name (what counts, hour categories), by
    `category_key`: a record's or a course's category is stored as a requirement spells
    it, and one no requirement names is noted when its hours count toward none: when
    no hours requirement (`counting`: what each counts) takes the record by any of the
    ways requirements count (domain.credit.credit_of: its category or topic, its
    course, its training type), not when one counts its type or course."""

    def __init__(
        self,
        names: Iterable[str],
        topics: Mapping[str, Iterable[str]] | None = None,
        counting: Iterable[Accepts] = (),
    ) -> None:
        self.counting = [a for a in counting if a.requirement_type == "hours"]
        self.known: dict[str, str] = {}
        for name in names:
            if name and name.strip():
                self.known.setdefault(category_key(name), name.strip())
        # the topics a category's requirements name (NREMT national: airway, cardiology,
        # ...), by category key, then topic key: a topic of such a category that is none
        # of them earns no topic's minimum, and is noted (a typo, 'airwy')
        self.topics: dict[str, dict[str, str]] = {}
        for name, named in (topics or {}).items():
            mine = self.topics.setdefault(category_key(name), {})
            for t in named:
                if t and t.strip():
                    mine.setdefault(category_key(t), t.strip())
        self.unknown: set[str] = set()
        self.loose: set[str] = set()  # topics given without a category that names none
        self.stray: set[tuple[str, str]] = set()  # (category, topic) none of its topics

    def counted(
        self, category: str | None, topic: str | None, course_code: str | None, training_type: str | None
    ) -> bool:
        """Whether an hours requirement counts a record filed so (its hours aside)."""
        fact = Fact("training_record", "", 0, date.min, 1.0, course_code, training_type, category, topic)
        return any(credit_of(fact, a) is not None for a in self.counting)

    def canon(
        self,
        category: str | None,
        topic: str | None,
        *,
        course_code: str | None = None,
        training_type: str | None = None,
    ) -> tuple[str | None, str | None]:
        """(category, topic) as stored: the category in a requirement's spelling; a topic
        alone that names a category is that category (a sheet's Topic column holding
        'structural_firefighting'). One no requirement names is noted unless a requirement
        counts the record by its course (`course_code`) or `training_type`."""
        if category is None and topic is not None and category_key(topic) in self.known:
            return self.known[category_key(topic)], None
        if category is None or not self.known:
            if (category is None and topic is not None and category_key(topic) and self.known
                    and not self.counted(None, topic, course_code, training_type)):  # fmt: skip
                self.loose.add(topic.strip())  # a topic of no category counts toward none
            return category, topic
        head, sep, tail = category.partition("/")  # "national/trauma": the category's head
        found = self.known.get(category_key(head))
        if found is None:
            if not self.counted(category, topic, course_code, training_type):
                self.unknown.add(category)
            return category, topic
        named = self.topics.get(category_key(head))
        given = tail if sep and tail.strip() else topic
        if named and given and given.strip() and category_key(given) not in named:
            self.stray.add((found, given.strip()))
        return (f"{found}/{tail.strip()}" if sep else found), topic

    def notices(self) -> list[str]:
        """One sentence per category no requirement names, filed on hours that no
        requirement counts by their course or training type either."""
        import difflib

        names = ", ".join(sorted(self.known.values()))
        out = []
        for c in sorted(self.unknown):
            head = category_key(c.partition("/")[0])  # "nationl/trauma": its category
            close = difflib.get_close_matches(head, list(self.known), n=1, cutoff=0.75)
            fix = f"did you mean {self.known[close[0]]!r}?" if close else "check its spelling."
            out.append(
                f"The category {c!r} is named by no requirement, and none counts the course "
                f"or training type either, so its hours count toward none (the requirements "
                f"name the categories: {names}); {fix}"
            )
        for cat, t in sorted(self.stray, key=lambda ct: (category_key(ct[0]), category_key(ct[1]))):
            named = self.topics[category_key(cat)]
            close = difflib.get_close_matches(category_key(t), list(named), n=1, cutoff=0.6)
            fix = f"did you mean {named[close[0]]!r}?" if close else "check its spelling."
            out.append(
                f"The topic {t!r} is none of {cat}'s topics ({', '.join(sorted(named.values()))}), "
                f"so its hours fill no topic's minimum ({cat} hours beyond them); {fix}"
            )
        for t in sorted(self.loose, key=category_key):
            close = difflib.get_close_matches(category_key(t), list(self.known), n=1, cutoff=0.75)
            fix = (
                f"did you mean the category {self.known[close[0]]!r}?"
                if close
                else "give its category (--category, or 'category/topic' as `report nremt` "
                "shows it, e.g. 'national/cardiovascular')."
            )
            out.append(
                f"The topic {t!r} comes without a category and is no category a requirement "
                f"names, and none counts the course or training type either, so its hours "
                f"count toward none (the requirements name the categories: {names}); {fix}"
            )
        return out


def course_key(course_id: int | None, name: str) -> str:
    """The course identity in the natural key."""
    return f"course:{course_id}" if course_id is not None else "name:" + fold(name)


@dataclass(slots=True)
class RecordValues:
    """One record's values as given (course and member are resolved by the service)."""

    on: date | None = None
    hours: float | None = None  # None: the course's credit (or duration) hours
    status: str = "completed"
    score: float | None = None
    passed: bool | None = None
    topic: str | None = None
    category: str | None = None
    training_type: str | None = None
    instructor: str | None = None
    location: str | None = None
    self_paced: bool | None = None  # None: the course's
    expiration: date | None = None  # None: from the course's expiration_months
    course: str = ""  # the course as given: a code or a name (or a free name)
    course_code: str = ""

    @property
    def counts(self) -> bool:
        return self.status == "completed" and self.passed is not False


Problems = list[tuple[str, str]]  # (field, reason)


def missing_prerequisites(
    prerequisites: Sequence[int], first_done: Mapping[int, date | None], on: date
) -> list[int]:
    """The prerequisite courses (ids, in the course's order) a member has not completed on
    or before `on`, the date of a completed record of the course that requires them.
    `first_done`: course id -> the member's earliest counting completion (a completed,
    not failed, not void record), absent or None when there is none. The same day counts
    (a morning class before the afternoon practical)."""
    return [p for p in dict.fromkeys(prerequisites) if (d := first_done.get(p)) is None or d > on]


HOURS_DOUBT_FACTOR = 3  # hours past this many times a course's duration are said


def hours_doubt(hours: float | None, duration: float | None) -> str | None:
    """Why a record's hours look like a typo ("15" for "1.5"), or None: more than
    HOURS_DOUBT_FACTOR times its course's duration (else its credit hours), when the course
    has one. Recorded as
    given, and said (a multi-day academy recorded on its last day is no mistake)."""
    if hours is None or not duration or hours <= HOURS_DOUBT_FACTOR * duration:
        return None
    return (
        f"{hours_text(hours)} hours is more than {HOURS_DOUBT_FACTOR} times the course's "
        f"{hours_text(duration)} h (a typo, 15 for 1.5?); recorded as given"
    )


def parse_record(values: Mapping[str, str], today: date) -> tuple[RecordValues, Problems]:
    """Check one row's cells (or a command's options), trimmed strings by field name.
    Returns the values and the problems, each (field, reason)."""
    out = RecordValues()
    problems: Problems = []

    def get(name: str) -> str:
        return (values.get(name) or "").strip()

    def attempt(name: str, fn: Callable[..., Any], *args: Any) -> Any:
        text = get(name)
        if not text:
            return None
        try:
            return fn(text, *args)
        except ValueError as exc:
            problems.append((name, f"{exc} (got {_shown(text)})"))
            return None

    for name in ("topic", "category", "training_type", "instructor", "location"):
        setattr(out, name, attempt(name, sheet.check_text))
    problems.extend(split_topic(out))
    out.course = attempt("course", sheet.check_text) or ""
    out.course_code = attempt("course_code", sheet.check_text) or ""
    if not out.course and not out.course_code and not any(p[0].startswith("course") for p in problems):
        problems.append(("course", "is required (a course code or name)"))
    status = get("status")
    if status:
        key = fold(status).replace("-", " ").replace("_", " ")
        key = _STATUS_WORDS.get(key, key.replace(" ", "_"))
        if key in STATUSES:
            out.status = key
        else:
            problems.append(("status", f"is one of {', '.join(STATUSES)} (got {_shown(status)})"))
    out.on = attempt("date", sheet.parse_date)
    if out.on is None and not get("date"):
        problems.append(("date", "is required (YYYY-MM-DD)"))
    elif out.on is not None and out.on > today and out.status == "completed":
        problems.append(
            ("date", f"{out.on} is after today ({today}); a completed record cannot be in the future")
        )
    out.hours = attempt("hours", sheet.parse_hours, MAX_RECORD_HOURS)
    score = attempt("score", sheet.parse_number)
    if score is not None and not 0 <= score <= MAX_SCORE:
        problems.append(("score", f"must be between 0 and {MAX_SCORE:g} (got {score:g})"))
    out.score = score
    out.passed = attempt("passed", sheet.parse_bool)
    if out.passed and out.status == "failed":
        problems.append(("passed", "says passed, but the status is failed: give one of them"))
    out.self_paced = attempt("self_paced", sheet.parse_bool)
    out.expiration = attempt("expiration", sheet.parse_date)
    if out.expiration is not None and out.on is not None and out.expiration < out.on:
        problems.append(("expiration", f"{out.expiration} is before the record's date {out.on}"))
    return out, problems


def split_topic(out: RecordValues) -> Problems:
    """A topic written with its category ("national/cardiovascular", as the NREMT's
    worksheet and `report nremt` write it) is that category and topic: without a category
    of its own the record takes the head as its category (else it counted toward no NCCP
    component, shown as "?/national/cardiovascular"); with the same category the topic
    keeps its tail. A topic naming another category than the record's is a problem."""
    topic = out.topic or ""
    head, slash, tail = topic.partition("/")
    head, tail = head.strip(), tail.strip()
    if not slash:
        return []
    if not head or not tail:
        return [("topic", f"{_shown(topic)} has an empty part: write CATEGORY/TOPIC (e.g. national/airway) or the topic alone")]
    if out.category is None:
        out.category, out.topic = head, tail
    elif fold(out.category) == fold(head):
        out.topic = tail
    else:
        return [(
            "topic",
            f"{_shown(topic)} names category {_shown(head)} but the category is "
            f"{_shown(out.category)}: give the topic alone ({_shown(tail)}) or the category {_shown(head)}",
        )]  # fmt: skip
    return []


def _shown(text: str) -> str:
    """A cell in a message: quoted, control characters escaped, long ones cut."""
    shown = repr(text if len(text) <= 60 else text[:57] + "...")
    return shown
