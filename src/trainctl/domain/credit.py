"""What a source fact credits on a requirement (pure; DESIGN §2 "the progress ledger").

A *fact* is one thing that happened to one member: a completed training record, a
certification card, a passed skill checkoff, a shift attended, a call responded to. A
requirement says explicitly what counts toward it (models.Requirement.counts_* and its
targets); nothing is matched loosely by a type or a name:

| requirement       | what counts                                                             | credit            |
|-------------------|-------------------------------------------------------------------------|-------------------|
| hours             | training records whose course code, training type, or topic/category is | the record's hours |
|                   | listed (counts_courses / counts_training_types / counts_categories), or | (category/topic,  |
|                   | whose category is one of the requirement's hour categories (NREMT NCCP  | distributive)     |
|                   | national/local/individual, ISO company training's category); shift      |                   |
|                   | attendance when counts_attendance. Naming none of these: nothing counts |                   |
| courses           | training records of a listed course code (required_courses)              | item = the code   |
| certification     | a card or a class record whose code is credential_code or one of the     | item = the code   |
|                   | listed course codes (required_courses), exactly, or a higher level that  | (the one it holds)|
|                   | includes one (domain/certs LEVELS); valid through its expiry             |                   |
| skills_evaluation | a passed checkoff of a listed skill (required_skills)                    | item = the skill  |
| shifts            | shift attendance                                                         | 1                 |
| calls             | call responses, of the listed call types when counts_call_types is set   | 1                 |
| checklist         | a sign-off of one of its items for the member (`checklist check`) made   | item = the item   |
|                   | for this requirement (Fact.requirement_id), not unchecked                |                   |

One rule for program progress (the credit feed) and compliance (domain/compliance.py asks
`credit_of` too): an hours requirement takes exactly what it names, and its hour categories
name what falls within them ("national/airway" falls within "national"). One that names
nothing at all takes nothing (`Accepts.names_nothing`; `FIX_HINT` says how to name it): a
requirement never silently counts every record.

Codes, types, topics and skills compare without regard to case and surrounding or repeated
spaces. A topic/category entry matches the fact's category, its topic, or "category/topic".

When: a fact counts for an enrollment when it happened on or after the enrollment's start
and not after today (the as-of date). A certification fact (a card, or a record toward a
certification requirement) counts while it is valid: issued on or before today and not
expired before the day its credit takes effect (`credit_day`: today, or the enrollment's
start when that is later: no credit is dated before its enrollment, and a card that ran
out before an enrollment began credits it nothing), whenever it was issued. A card with no expiry on file holds a
requirement that renews (BLS, biennial) for one renewal period from its issue day, and a
one-time one for good (domain/certs `held_through`: the rule compliance judges by). A card
or a class record that a later one of its credential renews (domain/certs `in_force`,
`renewed_as`) credits no certification requirement that weighs the two together
(`Fact.renewed`, `renewed_for`: judged per requirement, as compliance does).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from trainctl.domain.certs import (
    held_through,
    holding_codes,
    holds,
    is_valid,
    renewal_group,
    renewal_months,
)
from trainctl.domain.progress import DISTRIBUTIVE, category_key, item_names

SOURCE_TYPES = ("training_record", "certification", "skill_checkoff", "shift", "call", "checklist_signoff")
# Which requirement types each source can ever credit (the feed reads only these rows).
CREDITS_TYPES = {
    "training_record": frozenset({"hours", "courses", "certification"}),
    "certification": frozenset({"certification"}),
    "skill_checkoff": frozenset({"skills_evaluation"}),
    "shift": frozenset({"shifts", "hours"}),
    "call": frozenset({"calls"}),
    "checklist_signoff": frozenset({"checklist"}),
}


def fold(text: str | None) -> str:
    """The key names and codes compare by: case and spaces aside ("  Ladder  drill")."""
    return " ".join((text or "").casefold().split())


@dataclass(frozen=True, slots=True)
class Fact:
    """One source fact for the credit feed.

    `source_type` + `source_id` identify it in the ledger (one credit per progress row and
    source). `on` is the day it happened (record completion date, shift date, call's shift
    date, evaluation date, card issue date). `hours` is what an hours requirement gets (a
    record's hours, an attendance's duration). The rest is what requirements match on.
    """

    source_type: str
    source_id: str
    member_id: int
    on: date
    hours: float = 0.0
    course_code: str | None = None
    training_type: str | None = None
    category: str | None = None
    topic: str | None = None
    self_paced: bool = False
    credential: str | None = None
    expires_on: date | None = None  # a card's or a record's expiry (valid through that day)
    skill: str | None = None
    call_type: str | None = None
    note: str | None = None  # shown in `progress log`
    # a checklist sign-off: the item (as the checklist spells it) and the requirement it
    # was signed off for (an item of the same name on another checklist is another item)
    item: str | None = None
    requirement_id: int | None = None
    # the renewal groups (domain/certs `renewal_group`) in which a later card or class
    # record renews this card or class record (`in_force`): it credits no certification
    # requirement that weighs it in one of them (hours and courses as ever)
    renewed: frozenset[frozenset[str]] = frozenset()

    @property
    def credit_category(self) -> str | None:
        """The ledger category: "category/topic", "category", or None."""
        if self.category and self.topic:
            return f"{self.category}/{self.topic}"
        return self.category or None


@dataclass(frozen=True, slots=True)
class Accepts:
    """A requirement's "what counts", folded for matching (built once per requirement)."""

    requirement_type: str
    courses: frozenset[str] = frozenset()
    training_types: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    call_types: frozenset[str] = frozenset()
    attendance: bool = False
    hour_categories: frozenset[str] = frozenset()  # hours: the categories' names, folded
    items: tuple[tuple[str, str], ...] = ()  # (folded, as the requirement spells it)
    credential: str | None = None  # folded
    # certification: how many months a card without an expiry holds it (None: for good)
    renewal: int | None = None
    # certification: the codes that hold it, as the requirement spells them (domain/certs
    # `holding_codes`), which a card of a higher level holds too (`holds`)
    wanted: tuple[str, ...] = ()
    # the requirement's id (a checklist takes only its own items' sign-offs); None when
    # built from fields without one
    requirement_id: int | None = None

    @classmethod
    def of(cls, req: Any) -> Accepts:
        """From a Requirement row (or anything with the same attributes)."""

        def folded(values: Iterable[str] | None) -> frozenset[str]:
            return frozenset(f for f in (fold(str(v)) for v in values or ()) if f)

        rtype = req.requirement_type
        if rtype == "skills_evaluation":
            names = item_names(req.required_skills)
        elif rtype in ("courses", "certification"):
            names = [str(c) for c in req.required_courses or ()]
        elif rtype == "checklist":
            names = item_names(getattr(req, "checklist_items", None) or ())
        else:
            names = []
        return cls(
            requirement_type=rtype,
            hour_categories=(
                frozenset(category_names(getattr(req, "hour_categories", None)))
                if rtype == "hours"
                else frozenset()
            ),
            courses=folded(req.counts_courses),
            # a type as people type it ("Live Fire", "live-fire"): as categories are
            training_types=frozenset(
                k for k in (category_key(str(v)) for v in req.counts_training_types or ()) if k
            ),
            categories=frozenset(
                k for k in (category_key(str(v)) for v in req.counts_categories or ()) if k
            ),
            # as calls are typed ("Structure Fire", "structure-fire"): as types are
            call_types=frozenset(k for k in (category_key(str(v)) for v in req.counts_call_types or ()) if k),
            attendance=bool(req.counts_attendance),
            items=tuple((fold(n), n) for n in names if fold(n)),
            credential=fold(req.credential_code) or None,
            renewal=(
                renewal_months(getattr(req, "frequency", None), getattr(req, "period_months", None))
                if rtype == "certification"
                else None
            ),
            wanted=holding_codes(req.credential_code, names) if rtype == "certification" else (),
            requirement_id=getattr(req, "id", None),
        )

    @property
    def takes_anything(self) -> bool:
        """False when no fact could ever credit it (the feed skips such rows early)."""
        t = self.requirement_type
        if t == "hours":
            return bool(
                self.courses or self.training_types or self.categories or self.attendance
                or self.hour_categories
            )  # fmt: skip
        if t in ("courses", "skills_evaluation", "checklist"):
            return bool(self.items)
        if t == "certification":
            return bool(self.items or self.credential)
        return t in ("shifts", "calls")

    @property
    def names_nothing(self) -> bool:
        """An hours requirement that names nothing it counts (no counts_* filter, no hour
        category): no record counts toward it until it does (`FIX_HINT`)."""
        return self.requirement_type == "hours" and not self.takes_anything

    def _item(self, value: str | None) -> str | None:
        key = fold(value)
        return next((name for k, name in self.items if k == key), None) if key else None


Credit = tuple[float, str | None, str | None]  # (amount, category, item)

FIX_HINT = (
    "say what counts: trainctl requirement edit {name} --counts-category CATEGORY "
    "(or --counts-type TYPE, --counts-course CODE, --counts-attendance)"
)


def course_identity(code: str | None, key: str | None, name: str | None = None) -> str:
    """The course a training record is of, for NREMT's "one course counts once per cycle":
    its catalog course (`course_key` "course:ID": a code changed or given since does not
    make it another course), else its course code (case and spaces aside), else its
    stored name identity ("name:<folded name>": "Grand rounds" and "grand  ROUNDS" are one
    course), else its name. "" when nothing names it (a record naming no course is never
    a repeat)."""
    if key and key.startswith("course:"):
        return key
    if fold(code):
        return "code:" + fold(code)
    if key:
        return key
    return "name:" + fold(name) if fold(name) else ""


def course_label(code: str | None, name: str | None, key: str | None = None) -> str:
    """How a report names the course of `course_identity`: its code, else its name quoted."""
    if code and code.strip():
        return code.strip()
    if name and name.strip():
        return f"'{name.strip()}'"
    return (key or "").partition(":")[2] or "this course"


def category_names(raw: Iterable[Any] | None) -> list[str]:
    """The folded names of a requirement's hour categories: the stored JSON (a list of
    objects with "name", or of names) or domain/progress HourCategory values."""
    out = []
    for c in raw or ():
        name = c if isinstance(c, str) else (c.get("name") if isinstance(c, dict) else getattr(c, "name", None))
        key = category_key(str(name)) if name else ""
        if key:
            out.append(key)
    return out


def files_under(category: str | None, topic: str | None, keys: Collection[str]) -> bool:
    """Whether what a record (or course) is filed under is one of `keys` (each a
    `category_key`: a requirement's counts_categories, `record list --topic`): its
    category, its topic, or "category/topic". The one rule both go by."""
    c, t = category_key(category), category_key(topic)
    return bool(
        (c and c in keys) or (t and t in keys) or (c and t and f"{c}/{t}" in keys)
    )


def credit_of(fact: Fact, acc: Accepts) -> Credit | None:
    """What `fact` credits on a requirement that accepts `acc`, or None (see the table)."""
    t, src = acc.requirement_type, fact.source_type
    if src == "training_record":
        if t == "hours":
            if fact.hours <= 0:
                return None
            category = category_key(fact.category)
            if (
                fold(fact.course_code) in acc.courses
                or category_key(fact.training_type) in acc.training_types
                or files_under(fact.category, fact.topic, acc.categories)
                # within one of its hour categories ("national/airway" within "national")
                or (category and category.partition("/")[0].strip() in acc.hour_categories)
            ):
                return (
                    fact.hours,
                    fact.credit_category,
                    DISTRIBUTIVE if fact.self_paced else None,
                )
            return None
        if t == "certification" and renewed_for(fact, fact.course_code, acc):
            return None
        if t in ("courses", "certification"):
            item = acc._item(fact.course_code)
            if item is None and t == "certification" and acc.credential and fold(fact.course_code) == acc.credential:
                item = (fact.course_code or "").strip()  # a class record of the credential's course
            if item is None and t == "certification":
                item = holds(fact.course_code, acc.wanted)  # a class of a higher level (certs.LEVELS)
            return (1.0, None, item) if item else None
        return None
    if src == "certification":
        if t == "certification" and renewed_for(fact, fact.credential, acc):
            return None
        # its credential code, or a course code the requirement lists (as compliance matches)
        if t == "certification" and ((acc.credential and fold(fact.credential) == acc.credential)
                                     or acc._item(fact.credential)):  # fmt: skip
            return 1.0, None, fact.credential.strip() if fact.credential else None
        # a card of a higher level that includes it (a Firefighter II card: certs.LEVELS),
        # credited as the code it holds
        held = holds(fact.credential, acc.wanted) if t == "certification" else None
        return (1.0, None, held) if held else None
    if src == "skill_checkoff":
        if t == "skills_evaluation":
            item = acc._item(fact.skill)
            return (1.0, None, item) if item else None
        return None
    if src == "shift":
        if t == "shifts":
            return 1.0, None, None
        if t == "hours" and acc.attendance and fact.hours > 0:
            return fact.hours, None, None
        return None
    if src == "call":
        if t == "calls" and (not acc.call_types or category_key(fact.call_type) in acc.call_types):
            return 1.0, None, None
        return None
    if src == "checklist_signoff":
        if t == "checklist" and fact.requirement_id is not None and fact.requirement_id == acc.requirement_id:
            item = acc._item(fact.item)
            return (1.0, None, item) if item else None
        return None
    return None


def renewed_for(fact: Fact, code: str | None, acc: Accepts) -> bool:
    """Whether a later card or class record renews `fact` (of `code`) as the certification
    requirement `acc` weighs it: in the group its holding codes put it in (domain/certs
    `renewal_group`), as compliance judges per requirement. The registry's ACLS weighs
    the ACLS card alone, so an ACLS-R refresher that a department requirement lists
    renews the card for that requirement only."""
    return bool(fact.renewed) and renewal_group(code, acc.wanted) in fact.renewed


def credit_day(enrolled_on: date, today: date) -> date:
    """The day a credit to an enrollment takes effect (progress_credit.entered_on): today
    (the department's day or --as-of), or the enrollment's start when it began after that
    day (a card entered --as-of an earlier day for a member enrolled since)."""
    return max(enrolled_on, today)


def counts_on(
    fact: Fact, requirement_type: str, enrolled_on: date, today: date, renewal: int | None = None
) -> bool:
    """Whether the fact falls in the enrollment's window (see the module docstring);
    `renewal`: the certification requirement's (`Accepts.renewal`)."""
    if requirement_type == "certification":
        day = credit_day(enrolled_on, today)
        return fact.on <= today and is_valid(held_through(fact.on, fact.expires_on, renewal), day)
    return enrolled_on <= fact.on <= today
