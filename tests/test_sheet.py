"""domain/sheet.py and domain/records.py: headers, cells and rows as people write them
(pure, table-driven)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from trainctl.domain import records as dr
from trainctl.domain import sheet


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-mail", "email"), ("EMAIL", "email"), (" e_mail ", "email"), ("Email Address", "email"),
        ("Badge #", "badge"), ("badge no.", "badge"), ("Badge Number", "badge"),
        ("Self-Paced", "self_paced"), ("self paced", "self_paced"), ("Hours", "hours"),
        ("HRS", "hours"), ("Date Completed", "date"), ("Course Name", "course"),
        ("Course No.", "course_code"), ("Training Type", "training_type"), ("\ufeffName", "name"),
    ],
)  # fmt: skip
def test_headers_match_without_case_spaces_or_punctuation(header, field):
    h, problems = sheet.match_header([header], dr.SHEET_FIELDS)
    assert problems == [] and h.columns == {0: field}


def test_no_two_fields_share_a_header():
    seen: dict[str, str] = {}
    for f in dr.SHEET_FIELDS:
        for key in f.header_keys():
            assert seen.setdefault(key, f.name) == f.name, key
    assert not {sheet.header_key(n) for n in dr.SHEET_IGNORED} & set(seen)


def test_header_problems_and_what_is_ignored():
    h, problems = sheet.match_header(
        ["Email", "Who", "", "  ", "Signature", "E-Mail"], dr.SHEET_FIELDS, ignored=dr.SHEET_IGNORED
    )
    assert problems == [
        "unknown column: 'Who'",
        "column given twice: 'Email' and 'E-Mail' both mean email",
    ]
    h, problems = sheet.match_header(["Email", "Who"], dr.SHEET_FIELDS, ignore_unknown=True)
    assert problems == [] and h.columns == {0: "email"} and h.ignored == ["Who"]


def _lines(data: bytes) -> list[tuple[int, list[str]]]:
    return [(ln.number, ln.cells) for ln in sheet.read_sheet(io.BytesIO(data), "s.csv")]


class _Endless(io.RawIOBase):
    """A file that never ends (/dev/zero, or one byte repeated): counts what it served."""

    def __init__(self, byte: bytes) -> None:
        self.byte, self.served = byte, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = len(buffer)
        buffer[:n] = self.byte * n
        self.served += n
        return n


@pytest.mark.parametrize(
    ("byte", "why"),
    [(b"\x00", "s.csv is not a text file (it holds NUL bytes)"),
     (b"a", f"s.csv, line 1: a line longer than {sheet.LINE_LIMIT:,} bytes")],
)  # fmt: skip
def test_a_line_that_never_ends_is_refused_after_a_bounded_read(byte, why):
    """`record import /dev/zero` grew to 1.4 GB in 5 s: the first line was read whole, and
    it has no end. A line is read up to LINE_LIMIT bytes; NUL bytes are no text file."""
    source = _Endless(byte)
    with pytest.raises(sheet.SheetError) as caught:
        next(sheet.read_sheet(io.BufferedReader(source), "s.csv"))
    assert caught.value.message.startswith(why)
    assert source.served <= sheet.LINE_LIMIT + io.DEFAULT_BUFFER_SIZE


def test_reading_bom_delimiters_crlf_blank_lines_and_quoted_newlines():
    data = b'\xef\xbb\xbf\r\nname;hours\r\n"Ann\r\nLee";1,5\r\n\r\n;;\r\nBo;2\r\n'
    assert _lines(data) == [(2, ["name", "hours"]), (3, ["Ann\r\nLee", "1,5"]), (7, ["Bo", "2"])]
    assert _lines(b"a\tb\n1\t2\n") == [(1, ["a", "b"]), (2, ["1", "2"])]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", "is empty"),
        (b"a,b\n\xff,1\n", "line 2: the file is not UTF-8 (byte 0xff)"),
        (b"a,b\n" + b"x" * (sheet.FIELD_LIMIT + 1) + b",1\n", "line 2: a value longer than"),
    ],
)
def test_unreadable_files_name_the_line(data, text):
    with pytest.raises(sheet.SheetError) as exc:
        _lines(data)
    assert text in exc.value.message


@pytest.mark.parametrize(
    ("text", "value"),
    [("2", 2.0), ("1.5", 1.5), ("1,5", 1.5), (" .5 ", 0.5), ("2 h", 2.0), ("2hrs", 2.0), ("0", 0.0)],
)
def test_hours(text, value):
    assert sheet.parse_hours(text, 24) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("inf", "not a number"), ("nan", "not a number"), ("1e300", "not a number"),
        ("-1", "0 or more"), ("25", "not a plausible"), ("1.5.2", "not a number"), ("", "not a number"),
        # a space inside is no thousands gap (was closed up: "1 5" stored as 15 h), and
        # "1,500" is one and a half or fifteen hundred (was stored as 1.5 h)
        ("1 5", "not a number"), ("1\u00a05", "not a number"), ("1,500", "ambiguous"),
        ("12,250", r"12.25 or 12250\?"),
    ],
)  # fmt: skip
def test_bad_hours(text, why):
    with pytest.raises(ValueError, match=why):
        sheet.parse_hours(text, 24)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2024-02-29", date(2024, 2, 29)), ("2025-12-31", date(2025, 12, 31)),
        ("2026-01-01 00:00:00", date(2026, 1, 1)), ("3/4/2026", date(2026, 3, 4)),
        ("12/31/2025", date(2025, 12, 31)),
        # Excel's US export of a date cell: midnight, as the ISO one is taken (review)
        ("3/15/2019 0:00", date(2019, 3, 15)), ("2/29/2028 00:00:00", date(2028, 2, 29)),
        # a timestamp (Google Forms "2026-03-11 09:00:00"): its date (review 33; a time other
        # than midnight was refused, the form's every row with it)
        ("2026-03-11 09:00:00", date(2026, 3, 11)), ("2026-01-01 13:45", date(2026, 1, 1)),
        ("3/15/2019 13:45", date(2019, 3, 15)),
    ],
)  # fmt: skip
def test_dates(text, value):
    assert sheet.parse_date(text) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-02-29", "2025 is not a leap year"), ("2026-04-31", "April 2026 has 30 days"),
        ("2026-13-01", "no month 13"), ("9999-12-31", "out of range"), ("0000-01-01", "out of range"),
        ("31.12.2025", r"not a date \(write it as YYYY-MM-DD or M/D/YYYY\)"),
        ("2026-01-01 25:00", "not a date"), ("3/15/2019 13:61", "not a date"),
        # what a spreadsheet gives by mistake, named (review 33)
        ("45658", r"looks like an Excel date number \(that day: 2025-01-01\); format the column as a date"),
        ("1/5/26", r"its year has 2 digits \(26\)"),
        # day-first: the file's other slash dates are misread too; said (review)
        ("13/01/2026", r"no month 13; dates here are read M/D/YYYY, so a file written day-first"),
        ("13/13/2026", r"no month 13$"),
    ],
)  # fmt: skip
def test_bad_dates(text, why):
    with pytest.raises(ValueError, match=why):
        sheet.parse_date(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [("A\x00B", "control character"), ("\x1b[31m", "control character"), ("\u200b\u200b", "blank"),
     ("A" * 501, "at most 500"), ("Ann \u202eeeL", "text-direction")],
)  # fmt: skip
def test_text_that_is_not_a_name(text, why):
    with pytest.raises(ValueError, match=why):
        sheet.check_text(text)


def test_real_text_is_kept():
    assert sheet.check_text("  Zoë  O'Brien-Ñúñez ") == "Zoë O'Brien-Ñúñez"
    assert sheet.check_text("می\u200cخواهم") == "می\u200cخواهم"


def test_badges_with_and_without_leading_zeros():
    index = sheet.BadgeIndex({"0042": 1, "042": 2, "0007": 3, "F-203": 4})
    assert index.find("0042") == (1, None)
    assert index.find("7") == (3, None)
    assert index.find("f-203") == (4, None)
    assert index.find("9") == (None, None)
    member, why = index.find("42")
    assert member is None and "0042, 042" in why


def test_parse_record_normalises_and_names_each_problem():
    values, problems = dr.parse_record(
        {"course": " Ladder  drill ", "date": "2026-03-04", "hours": "1,5", "status": "Complete",
         "self_paced": "yes", "passed": "x"}, date(2026, 12, 31),
    )  # fmt: skip
    assert problems == []
    assert (values.course, values.hours, values.status, values.self_paced, values.passed) == (
        "Ladder drill", 1.5, "completed", True, True,
    )  # fmt: skip
    _, problems = dr.parse_record(
        {"date": "2027-01-01", "hours": "x", "status": "maybe", "score": "2000", "expiration": "2026-01-01"},
        date(2026, 12, 31),
    )  # fmt: skip
    assert [p[0] for p in problems] == ["course", "status", "date", "hours", "score", "expiration"]
    _, problems = dr.parse_record(
        {"course": "X", "date": "2026-02-01", "expiration": "2026-01-01"}, date(2026, 12, 31)
    )
    assert problems == [("expiration", "2026-01-01 is before the record's date 2026-02-01")]


@pytest.mark.parametrize(
    ("topic", "category", "expected"),
    [
        ("national/airway", None, ("national", "airway")),
        ("National / Airway", "national", ("national", "Airway")),
        ("airway", None, (None, "airway")),
        ("airway", "national", ("national", "airway")),
        ("national/airway", "local", "names category 'national' but the category is 'local'"),
        ("/airway", None, "has an empty part"),
        ("national/", None, "has an empty part"),
    ],
)
def test_a_topic_may_carry_its_category(topic, category, expected):
    row = {"course": "X", "date": "2026-02-01", "topic": topic, "category": category or ""}
    values, problems = dr.parse_record(row, date(2026, 12, 31))
    if isinstance(expected, tuple):
        assert problems == [] and (values.category, values.topic) == expected
    else:
        assert [p[0] for p in problems] == ["topic"] and expected in problems[0][1], problems


def test_natural_key_course_identity():
    assert dr.course_key(12, "Whatever") == "course:12"
    assert dr.course_key(None, "  Ladder   DRILL ") == dr.course_key(None, "ladder drill") == "name:ladder drill"


@pytest.mark.parametrize(("category", "topic", "stored", "unknown", "loose"), [
    ("Structural Firefighting", None, ("structural_firefighting", None), False, False),
    ("  HAZMAT ", "spills", ("hazmat", "spills"), False, False),
    (None, "structural-firefighting", ("structural_firefighting", None), False, False),
    # a topic that names no category stays a topic, and is said: it earns no category's hours
    (None, "airway", (None, "airway"), False, True),
    ("national", "airway", ("national", "airway"), False, False),
    ("National/Trauma", None, ("national/Trauma", None), False, False),  # a category with its topic
    ("Hazmatt", None, ("Hazmatt", None), True, False),
    (None, None, (None, None), False, False),
])  # fmt: skip
def test_a_category_is_stored_as_a_requirement_spells_it(category, topic, stored, unknown, loose):
    from trainctl.domain.records import Categories

    cats = Categories(["structural_firefighting", "hazmat", "national", "hazmat"])
    assert cats.canon(category, topic) == stored
    assert bool(cats.unknown) is unknown
    assert bool(cats.loose) is loose
    assert len(cats.notices()) == int(unknown) + int(loose)
    assert Categories([]).canon(category, topic) == (category, topic)  # none named: as typed


def test_a_misspelt_category_with_its_topic_is_offered_the_closest_category():
    from trainctl.domain.records import Categories

    cats = Categories(["national", "local"])
    assert cats.canon("nationl/trauma", None) == ("nationl/trauma", None)
    (notice,) = cats.notices()
    assert notice.endswith("did you mean 'national'?"), notice


@pytest.mark.parametrize(
    ("category", "topic", "stray"),
    [
        ("national/airway", None, None),
        ("National/Airway", None, None),
        ("national/airwy", None, "airwy"),  # a typo: its hours would fill no topic's minimum
        ("national/air-way", None, "air-way"),
        ("national", "trauma", None),
        ("national", "traumma", "traumma"),
        ("national", None, None),  # no topic: the category's free hours, as it says
        ("local/anything", None, None),  # local names no topics
        ("hazmat/decon", None, None),
    ],
)
def test_a_topic_none_of_its_categorys_topics_is_said_with_the_closest(category, topic, stray):
    """NREMT national names its topics; 'national/airwy' was taken without a word and its
    1.5 h flowed on past the airway minimum (review). Stored as typed, and said."""
    from trainctl.domain.records import Categories

    cats = Categories(["national", "local", "hazmat"],
                      {"national": ["airway", "cardiovascular", "trauma"], "local": []})  # fmt: skip
    cats.canon(category, topic)
    notices = cats.notices()
    if stray is None:
        assert notices == []
    else:
        (notice,) = notices
        assert notice.startswith(f"The topic {stray!r} is none of national's topics (airway, "
                                 "cardiovascular, trauma)"), notice  # fmt: skip
        assert notice.endswith(f"did you mean {'trauma' if 'tr' in stray else 'airway'!r}?"), notice


def test_a_topic_without_a_category_is_said_with_the_closest_category():
    """A sign-in sheet's Topic 'hazmt' (no category): stored as typed, and said, with the
    category it is closest to; a topic of no close category is told how to give one."""
    from trainctl.domain.records import Categories

    cats = Categories(["hazmat", "national"])
    assert cats.canon(None, "hazmt") == (None, "hazmt")
    assert cats.canon(None, "cardiovascular") == (None, "cardiovascular")
    hazmt, cardio = sorted(cats.notices(), key=lambda n: "hazmt" not in n)
    assert "'hazmt'" in hazmt and "did you mean the category 'hazmat'?" in hazmt
    assert "'cardiovascular'" in cardio and "national/cardiovascular" in cardio
