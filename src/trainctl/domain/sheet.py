"""Sheets as people deliver them: sign-in sheets, rosters, course lists (pure, streaming).

Reading (`read_sheet`):
- UTF-8 with or without a BOM; a byte that is not UTF-8 is refused with its line.
- `,` `;` or tab, detected from the header line; CRLF or LF; blank lines ignored.
- Streams: one line at a time, so memory stays flat however long the file is; a line is
  read up to LINE_LIMIT bytes (a longer one is refused), and a file that starts with NUL
  bytes (/dev/zero, a workbook) is refused as no text.
- A field longer than the csv module's limit (128 KiB) is bad input naming its line.

Headers (`match_header`): compared without regard to case, spaces and punctuation
("E-mail", "e_mail", "EMAIL" and "E mail" are all `email`; "Badge #" is `badge`), with the
synonyms each field lists (`Field.names`). Empty trailing (or unnamed, empty) columns are
ignored; unknown columns are refused unless the caller ignores them; a field given twice
is refused.

Cells: trimmed (`cell`); the value parsers (`parse_hours`, `parse_date`, `parse_bool`,
`parse_number`, `check_text`) return a value or raise ValueError with the reason, which the
caller reports with file, line and field. `BadgeIndex` finds a member's badge even when a
spreadsheet dropped its leading zeros ("42" for "0042"), unless two badges then look alike.
"""

from __future__ import annotations

import calendar
import csv
import itertools
import math
import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import BinaryIO, NamedTuple

from trainctl.domain import amounts
from trainctl.domain import text as dtext
from trainctl.domain.periods import MAX_YEAR, MIN_YEAR
from trainctl.domain.text import hours_text, word_for
from trainctl.errors import BadInputError

DELIMITERS = (",", ";", "\t")
REJECT_COLUMN = "reason"  # a reject file's first column; every import skips it (the file imports as it is)
MAX_TEXT = 500  # characters in a name, course, instructor, location ... cell
FIELD_LIMIT = 4 * 1024 * 1024  # a cell longer than this is refused for its line
# bytes in one physical line: a cell of FIELD_LIMIT characters of up to 4 bytes each. A
# longer line (a stream of NUL bytes with no newline, /dev/zero) is refused once this much
# is read, instead of being read whole into memory (it grew to 1.4 GB in 5 s)
LINE_LIMIT = 4 * FIELD_LIMIT
NO_ROWS_HINT = (
    "Check that it is the file you meant (a sheet saved before anyone signed it, or the "
    "wrong tab of a workbook?): add its rows, or leave the file out."
)
UTF8_HINT = "Save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8), then run the command again."


class SheetError(ValueError):
    """The file itself cannot be read (encoding, a broken line, the header): file-level."""

    def __init__(self, message: str, hint: str | None = None, details: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = list(details)


# ---------------------------------------------------------------------------------- header
def header_key(text: str) -> str:
    """'E-mail' -> 'email', 'Badge #' -> 'badge', 'Self-Paced' -> 'selfpaced'."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@dataclass(frozen=True)
class Field:
    """A column a sheet may carry: its canonical name and the headers that mean it."""

    name: str
    names: tuple[str, ...] = ()  # synonyms as people write them; compared by header_key
    required: bool = False

    def header_keys(self) -> set[str]:
        return {header_key(n) for n in (self.name, *self.names)}


@dataclass
class Header:
    """Column index -> field name, for the columns that are used."""

    columns: dict[int, str]
    ignored: list[str] = field(default_factory=list)  # unknown columns, when allowed
    width: int = 0  # how many cells the header line has
    # every column's name, in messages: its field, else its header as written (spaces folded)
    names: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.columns.values()


UNKNOWN_SHOWN = 20  # unknown columns a refusal names (then how many more)


def match_header(
    cells: Sequence[str],
    fields: Sequence[Field],
    *,
    ignore_unknown: bool = False,
    ignored: Iterable[str] = (),
) -> tuple[Header, list[str]]:
    """Map header cells to fields. Returns the header and the problems (empty when it is
    usable). `ignored` names headers that are known and deliberately skipped (e.g. a
    sign-in sheet's "Signature")."""
    by_key: dict[str, str] = {}
    for f in fields:
        for k in f.header_keys():
            by_key[k] = f.name
    skip = {header_key(n) for n in ignored}
    columns: dict[int, str] = {}
    unknown: list[str] = []
    skipped: list[str] = []
    seen: dict[str, str] = {}
    repeated: list[str] = []
    for i, raw in enumerate(cells):
        text = raw.strip().lstrip("\ufeff").strip()
        key = header_key(text)
        if not key:
            continue  # an empty (usually trailing) column: its cells are ignored
        if key in skip:
            skipped.append(text)
            continue
        name = by_key.get(key)
        if name is None:
            unknown.append(text)
            continue
        if name in seen:
            repeated.append(f"{dtext.quoted(seen[name])} and {dtext.quoted(text)} both mean {name}")
            continue
        seen[name] = text
        columns[i] = name
    problems = []
    if unknown and not ignore_unknown:
        # each by its start when long, and the first few when many: a 100 KB header cell, or
        # a file of 100,000 columns (not a sheet at all), is not printed back whole
        shown = ", ".join(map(dtext.quoted, unknown[:UNKNOWN_SHOWN]))
        more = f" and {len(unknown) - UNKNOWN_SHOWN:,} more" if len(unknown) > UNKNOWN_SHOWN else ""
        problems.append(f"unknown {word_for(len(unknown), 'column')}: {shown}{more}")
    if repeated:
        problems.append(f"{word_for(len(repeated), 'column')} given twice: " + "; ".join(repeated))
    missing = [f.name for f in fields if f.required and f.name not in seen]
    if missing:
        problems.append(f"missing {word_for(len(missing), 'column')}: {', '.join(missing)}")
    if unknown and not ignore_unknown and (split := split_name(unknown, fields, seen)):
        problems.append(split)
    names = [columns.get(i) or " ".join(h.strip().lstrip("\ufeff").split()) for i, h in enumerate(cells)]
    header = Header(columns, ignored=[*skipped, *(unknown if ignore_unknown else [])], width=len(cells),
                    names=names)  # fmt: skip
    return header, problems


_FIRST_NAME = {"firstname", "first", "givenname", "fname"}
_LAST_NAME = {"lastname", "last", "surname", "familyname", "lname"}


def split_name(unknown: Sequence[str], fields: Sequence[Field], seen: Container[str]) -> str | None:
    """The problem of a roster or sheet that writes the name in two columns ("First Name",
    "Last Name"), as many spreadsheets do, where the import reads one column (a roster's
    `name`, a sheet's `member`); None otherwise."""
    given = {f.name for f in fields}
    column = "member" if "member" in given else "name" if "name" in given else None
    if column is None or column in seen:
        return None
    first = next((u for u in unknown if header_key(u) in _FIRST_NAME), None)
    last = next((u for u in unknown if header_key(u) in _LAST_NAME), None)
    if first is None or last is None:
        return None
    return (
        f"{dtext.quoted(first)} and {dtext.quoted(last)} hold one name in two columns: join them into one column "
        f"headed {column} (\"Ana Reyes\", or \"Reyes, Ana\") and leave the two out"
    )


TITLE_ROWS = 5  # lines below a header that does not match, looked at for the real one


def header_below(
    head: Line, lines: Iterable[Line], fields: Sequence[Field], *, ignore_unknown: bool = False,
    ignored: Iterable[str] = (),
) -> str | None:
    """When a header does not match and one of the next few lines does (a sheet with a
    title, an instructor's name ... above its column names), the problem saying so, naming
    the title rows; None otherwise. `head`: the line read as the header."""
    ignored = list(ignored)
    titles = [head]
    later = iter(lines)
    for _ in range(TITLE_ROWS):
        try:
            line = next(later)
        except (StopIteration, SheetError, BadInputError):  # the end, or a line that cannot be
            return None  # read: the header's own problems are the ones to tell
        header, wrong = match_header(line.cells, fields, ignore_unknown=ignore_unknown, ignored=ignored)
        if not wrong and len(header.columns) >= 2:
            named = ", ".join(
                f"line {t.number} {' '.join(c.strip() for c in t.cells if c.strip())[:60]!r}" for t in titles
            )
            return (
                f"the column names must be on the first line; line {line.number} names the columns: "
                f"delete the {word_for(len(titles), 'row')} above it ({named}) and save the file again"
            )
        titles.append(line)
    return None


def under_no_column(spilled: str) -> str:
    """The problem of a row with values no header names: beyond the header's last cell,
    or under an empty header cell (`spilled`: those values, as text)."""
    return (
        f"{spilled} under no column: a comma inside a value? Write decimal hours with a "
        'point (1.5), or quote the value ("1,5"); a column of its own needs a header (e.g. notes)'
    )


def extra_cells(cells: Sequence[str], width: int, unnamed: Container[int]) -> str:
    """The problem of a row with more cells than its header has (the header's own empty
    trailing cells count: Excel pads every row, the header too, to the widest), or with a
    value under an empty header cell; '' when none. More cells than the header, even empty
    ones, means a value was cut in two (an unquoted "1,5" in a comma sheet): every cell
    after it moved one column on, the 5 perhaps into a column read and not kept (Notes,
    Signature), and the hours would be kept as 1 without a word."""
    extra = [c.strip() for i, c in enumerate(cells) if (i >= width or i in unnamed) and c.strip()]
    if extra:
        return under_no_column(", ".join(map(repr, extra)))
    if len(cells) > width:
        return (
            f"{len(cells)} cells under a header of {width}: a comma inside a value (1,5 for 1.5 "
            "hours?) moved every cell after it one column on. Write decimal hours with a point "
            '(1.5), or quote the value ("1,5"); a column of its own needs a header (e.g. notes)'
        )
    return ""


# A listing's own CSV imports back as it is (`record list -f csv`, then `record import`):
# each import names the columns its listing adds and it does not use (an id, a figure
# worked out) in a list of its own, skipped by name. The one it must read is the void
# mark (`--include-void`: "void" or "void: REASON"; `cert list` says it in its status): a
# row it marks is left out (an import never brings a void row back, `is_void_mark`).
VOID = "void"


def is_void_mark(text: str) -> bool:
    """Whether a listing's void column (or a card's status) marks its row void."""
    word = text.strip().casefold()
    return word == VOID or word.startswith(VOID + ":")


def describe(fields: Sequence[Field]) -> str:
    """'name (required), code, training_type, ...' for hints."""
    return ", ".join(f.name + (" (required)" if f.required else "") for f in fields)


# --------------------------------------------------------------------------------- reading
class Line(NamedTuple):  # a tuple: made once per row of an import, cheaply
    number: int  # the line the record starts on (the header is usually line 1)
    cells: list[str]
    end: int  # the line it ends on: past `number` only when a quoted cell holds a line break


# After a carriage return that ends a line alone ("CSV (Macintosh)", old Mac exports): the
# file's lines, as the csv module reads CRLF and LF ones (a quoted cell still spans them).
_AFTER_BARE_CR = re.compile(r"(?<=\r)(?!\n)")


def looks_like_utf16(head: bytes) -> bool:
    """Whether a file that starts with `head` is UTF-16 text (Excel's "Unicode Text", a
    PowerShell export): its byte order mark, or, saved without one, a NUL in every other
    byte, as the letters of a header are in UTF-16LE or BE. Such a file without a BOM is
    valid UTF-8, and each value read from it would be refused for its NULs instead."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:512]
    evens, odds = sample[0::2], sample[1::2]
    return len(sample) >= 4 and (odds.count(0) * 2 > len(odds) or evens.count(0) * 2 > len(evens))


UTF16_PROBLEM = "the file looks like UTF-16, not UTF-8"


def looks_binary(head: bytes) -> bool:
    """Whether a file that starts with `head` is no text at all: NUL bytes in most of both
    the even and the odd bytes (UTF-16 text has them in one of the two; /dev/zero, an image
    or a zip file in both)."""
    sample = head[:512]
    evens, odds = sample[0::2], sample[1::2]
    return len(sample) >= 4 and evens.count(0) * 2 > len(evens) and odds.count(0) * 2 > len(odds)


def _lines(stream: BinaryIO | Iterable[bytes], source: str) -> Iterator[bytes]:
    """The file's physical lines, each read up to LINE_LIMIT bytes: memory stays bounded
    however long a line is (a file object; an iterable of lines is taken as it comes). A
    first line of NUL bytes is left to `_decoded`, which names it as no text file."""
    readline = getattr(stream, "readline", None)
    if readline is None:
        yield from stream
        return
    number = 0
    while raw := readline(LINE_LIMIT):
        number += 1
        cut = len(raw) >= LINE_LIMIT and not raw.endswith(b"\n")
        if cut and not (number == 1 and looks_binary(raw)):
            raise SheetError(
                f"{source}, line {number}: a line longer than {LINE_LIMIT:,} bytes; "
                "nothing was imported.",
                "Check that the file is the sheet you meant (a CSV file, not a workbook or an "
                "export of something else).",
            )
        yield raw


def _decoded(stream: BinaryIO | Iterable[bytes], source: str) -> Iterator[str]:
    for number, raw in enumerate(_lines(stream, source), start=1):
        if number == 1 and looks_binary(raw):
            raise SheetError(
                f"{source} is not a text file (it holds NUL bytes); nothing was imported.",
                "Give the CSV file itself (a sheet saved as 'CSV UTF-8'), not a workbook, an "
                "image or a device.",
            )
        if number == 1 and looks_like_utf16(raw):
            raise SheetError(f"{source}: {UTF16_PROBLEM}; nothing was imported.", UTF8_HINT)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
            if "\r" in text[:-2]:  # bare CRs inside: several lines in one
                yield from (t for t in _AFTER_BARE_CR.split(text) if t)
            else:
                yield text
        except UnicodeDecodeError as exc:
            raise SheetError(
                f"{source}, line {number}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x}); "
                "nothing was imported.",
                UTF8_HINT,
            ) from None


# Excel's own "sep=;"; "SEP=;"; and "\"sep=;\"" or "\"sep=;\";;;" as a tool that read it as a
# cell wrote it back (quoted, as it holds the delimiter; padded to the width of the sheet)
_EXCEL_SEP = re.compile(r'\s*("?)sep=(.)\1(?:\2)*\s*', re.IGNORECASE)


def excel_separator(line: str) -> str | None:
    """The delimiter Excel's "sep=;" first line names (a hint some exports write above the
    header; in any case, quoted or not), or None when the line is not one."""
    found = _EXCEL_SEP.fullmatch(line.lstrip("\ufeff"))
    return found.group(2) if found and found.group(2) in DELIMITERS else None


def detect_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_sheet(
    stream: BinaryIO | Iterable[bytes], source: str, dates: DateOrder | None = None
) -> Iterator[Line]:
    """Every non-blank record of a CSV file with the line it starts on, the header first.
    Streams; raises SheetError for a line that cannot be read. `dates`: told the file's
    delimiter (DateOrder.separated_by)."""
    lines = _decoded(stream, source)
    number = 0

    def first_text() -> str:
        """The next line that is not blank (`number`: the lines read so far)."""
        nonlocal number
        for text in lines:
            number += 1
            if text.strip():
                return text
        raise SheetError(f"{source} is empty.", "The first line must name the columns.")

    first = first_text()
    delimiter = excel_separator(first)
    if delimiter is not None:  # Excel's "sep=;" above the header: the header is next
        first = first_text()
    else:
        delimiter = detect_delimiter(first)
    if dates is not None:
        dates.separated_by(delimiter)

    reader = csv.reader(itertools.chain((first,), lines), delimiter=delimiter)
    start = number
    offset = number - 1  # blank lines before the header
    records = 0
    while True:
        # A long cell is read whole (up to FIELD_LIMIT) so that the caller can name its
        # field; the csv module's limit is process-wide, so it is set only while reading.
        saved = csv.field_size_limit(FIELD_LIMIT)
        try:
            record = next(reader)
        except StopIteration:
            if records == 0:  # only separators (",,,"): no header either, as `member import` says
                raise SheetError(f"{source} is empty.", "The first line must name the columns.") from None
            if records == 1:  # the header alone: an unsigned sheet, or the wrong file
                raise SheetError(
                    f"{source} has column names and no rows under them; nothing was imported.",
                    NO_ROWS_HINT,
                ) from None
            return
        except csv.Error as exc:
            why = str(exc)
            if "field larger than field limit" in why:
                why = f"a value longer than {FIELD_LIMIT:,} characters"
            raise SheetError(
                f"{source}, line {offset + reader.line_num}: {why}; nothing was imported.",
                "Check that the file is the sheet you meant, and fix that line.",
            ) from None
        finally:
            csv.field_size_limit(saved)
        end = offset + reader.line_num
        if "".join(record).strip():  # not blank (every cell empty or spaces)
            records += 1
            yield Line(start, record, end)
        start = end + 1


def swallowed_rows(value: str, width: int) -> bool:
    """Whether a cell's lines after its first read as rows of a sheet `width` cells wide
    (as many delimiters as a row has between its cells, give or take a trailing empty
    one): a quote never closed took them in. A note typed on two lines (Alt+Enter in
    Excel, its quotes closed) has a comma or two at most."""
    need = max(1, width - 2)
    return any(
        max(line.count(d) for d in DELIMITERS) >= need for line in value.splitlines()[1:]
    )


def line_breaks(
    cells: Sequence[str], names: Sequence[str], read: Container[int] | None = None
) -> list[tuple[str, str]]:
    """(column, why) for each cell of a record whose value (trimmed) holds a line break:
    the one rule of typed text (domain/text.line_break), in every cell, read or not. A
    quote left open in a Signature or Notes cell takes the rows after it into that cell;
    a column nobody reads would lose them without a word. `names`: the columns' names
    (by index; a cell past them is "column N"). `read`: the columns the import reads
    (None: all); a cell of another column (Notes, Signature) with a line break counts only
    when its lines read as rows (`swallowed_rows`): a note typed on two lines is no
    refusal. A reader asks only of a record that spans lines (`Line.end`,
    csvfile.parse_csv): a one-line record holds no line break."""
    found = []
    for i, value in enumerate(cells):
        value = value.strip()
        why = dtext.line_break(value)  # (a break at either end only ended a line)
        if why is not None and read is not None and i not in read and not swallowed_rows(value, len(names)):
            continue
        if why is not None:
            name = names[i] if i < len(names) and names[i] else f"column {i + 1}"
            found.append((name, why))
    return found


# ---------------------------------------------------------------------------------- values
def cell(cells: Sequence[str], index: int | None) -> str:
    """The trimmed cell at `index` ('' when the row is short or the column absent), with
    the apostrophe a CSV writer puts before a formula-like text read back off."""
    if index is None or index >= len(cells):
        return ""
    return dtext.unguarded(cells[index].strip())


def check_text(value: str, *, limit: int = MAX_TEXT) -> str:
    """A name-like cell: no control characters, not only invisible characters, not huge."""
    if len(value) > limit:
        raise ValueError(f"is {len(value):,} characters long; at most {limit} are allowed")
    why = dtext.problem(value)
    if why is not None:
        raise ValueError(why)
    return " ".join(value.split())


# how Excel shows a long number in a General column, and writes it to CSV: 1.23457E+15
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?E[+-]?\d+", re.IGNORECASE)


def check_identifier(value: str, *, limit: int = MAX_TEXT) -> str:
    """A card or license number: check_text, and never a number Excel rounded to its
    scientific notation (a 16-digit card number is 1.23457E+15 in a General column; the
    digits after the sixth are lost, and two cards would read alike)."""
    text = check_text(value, limit=limit)
    if _SCIENTIFIC.fullmatch(text):
        raise ValueError(
            "is a number Excel rounded and wrote in scientific notation, so its digits are lost: "
            "format the column as Text in Excel, type the numbers again, and save the file again"
        )
    return text


def parse_number(text: str, *, what: str = "a number") -> float:
    """A plain decimal ("1.5", "1,5", ".5") by the one rule of a typed figure
    (amounts.read_number): never inf, nan, exponents, underscores or digits other than
    0-9, a figure shown as 0. A space inside ("1 5") is refused, not closed up into 15;
    so is "1,500", a decimal comma or a thousands separator as the sheet's author meant it."""
    return amounts.read_number(text, what=what)


_HOURS_SUFFIX = re.compile(r"\s*(h|hr|hrs|hour|hours)\.?\s*$", re.IGNORECASE)


def parse_hours(text: str, maximum: float) -> float:
    """Hours as a decimal ("2", "1.5", "1,5", "2 h"); 0 <= hours <= maximum."""
    value = parse_number(_HOURS_SUFFIX.sub("", text), what="a number of hours")
    if not math.isfinite(value) or value < 0:
        raise ValueError("must be 0 or more hours")
    if value > maximum:
        raise ValueError(f"{hours_text(value)} hours is not a plausible figure (at most {hours_text(maximum)})")
    return value


# a time after the date, as a spreadsheet exports a date cell ("3/15/2019 0:00",
# "2019-03-15 00:00:00") or a form its timestamp ("2026-03-11 09:00:00", Google Forms): the
# date is the day; the time is checked as a time, and not kept
_TIME = r"(?:[ T]([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME)
_US_SHORT = re.compile(r"\d{1,2}/\d{1,2}/(\d{2})" + _TIME)  # 1/5/26
_SERIAL = re.compile(r"\d{5}(\.\d+)?")  # Excel's day number: 45658 is 2025-01-01
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its day 60, 1900-02-29, never was)
NOT_A_DATE = "is not a date (write it as YYYY-MM-DD or M/D/YYYY)"


def _not_a_date(value: str) -> str:
    """Why a cell is not a date, for the shapes a spreadsheet gives by mistake."""
    if _SERIAL.fullmatch(value):
        try:
            day = EXCEL_EPOCH + timedelta(days=int(float(value)))
        except OverflowError:
            day = None
        if day is not None and MIN_YEAR <= day.year <= MAX_YEAR:
            return (
                f"is not a date: {value} looks like an Excel date number (that day: {day}); "
                "format the column as a date (Format Cells > Date, or yyyy-mm-dd) and save again"
            )
    if m := _US_SHORT.fullmatch(value):
        return (
            f"is not a date: its year has 2 digits ({m.group(1)}), which could be 19{m.group(1)} "
            f"or 20{m.group(1)}; write the year in full (M/D/YYYY) or the date as YYYY-MM-DD"
        )
    return NOT_A_DATE


def parse_date(text: str) -> date:
    """YYYY-MM-DD or M/D/YYYY (US), either with a time after it (a spreadsheet's "YYYY-MM-DD
    00:00:00", a form's timestamp: the date part); the reason when the day does not exist
    (2025-02-29: 2025 is not a leap year), and for an Excel day number (45658) or a 2-digit
    year (1/5/26)."""
    value = text.strip()
    if m := _ISO.fullmatch(value):
        year, month, day = (int(g) for g in m.groups()[:3])
    elif m := _US.fullmatch(value):
        month, day, year = (int(g) for g in m.groups()[:3])
    else:
        raise ValueError(_not_a_date(value))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is out of range ({MIN_YEAR}-{MAX_YEAR})")
    if not 1 <= month <= 12:
        if m.re is _US and 1 <= day <= 12:
            # 13/01/2026: a day-first file; its other dates (02/03/2026) read as M/D too
            raise ValueError(
                f"is not a date: there is no month {month}; dates here are read M/D/YYYY, so "
                "a file written day-first has its other slash dates misread as well (02/03 as "
                "3 February): write its dates as YYYY-MM-DD"
            )
        raise ValueError(f"is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        if month == 2 and day == 29:
            raise ValueError(f"is not a date: {year} is not a leap year, so February has 28 days")
        raise ValueError(f"is not a date: {calendar.month_name[month]} {year} has {last} days")
    return date(year, month, day)


# A slash date as a cell starts with it ("4/3/2026", "4/3/2026 0:00", "4/3/26"): the two
# first numbers, whichever order the file meant.
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
# a decimal comma, as a European locale writes hours ("1,5", "2,25"; "1,500" is another
# thing: parse_number asks which)
_DECIMAL_COMMA = re.compile(r"\d*,(\d{1,2}|\d{4,})\s*[a-z.]*", re.IGNORECASE)
DATE_ORDER_SHOWN = 10  # lines named in a refusal; the rest are counted


class DateOrder:
    """A file's slash dates, judged as one file: parse_date reads each as M/D/YYYY, but a
    file that shows itself day-first (a slash date whose first number cannot be a month,
    13/3/2026) or written in a European locale (`;` between cells, a decimal comma in
    1,5 hours) means 4/3/2026 as 4 March, and it would be written as 3 April. Such a file
    with a slash date that reads both ways is refused whole (`problem`), naming the lines:
    a date is never guessed. The readers (read_sheet callers, csvfile.parse_csv) `note`
    every value they read; memory stays flat (the first lines are kept, the rest counted)."""

    __slots__ = ("_kinds", "ambiguous", "count", "day_first", "european", "source")

    def __init__(self, source: str, delimiter: str = ",") -> None:
        self.source = source
        self.european: str | None = None
        self.separated_by(delimiter)
        self.day_first: str | None = None
        self.ambiguous: list[tuple[int, str, str]] = []  # (line, field, text)
        self.count = 0
        self._kinds: dict[str, int] = {}  # text -> its kind (a sheet repeats its dates)

    def separated_by(self, delimiter: str) -> None:
        """The file's delimiter (read_sheet tells it once it has read the header)."""
        if delimiter == ";":
            self.european = "its cells are separated by ';' (a European locale)"

    _PLAIN, _DAY_FIRST, _BOTH_WAYS, _DECIMAL = range(4)

    @classmethod
    def _kind(cls, text: str) -> int:
        if "/" in text:
            m = _SLASH.match(text)
            if m is None:
                return cls._PLAIN
            first, second = int(m.group(1)), int(m.group(2))
            if 12 < first <= 31 and 1 <= second <= 12:
                return cls._DAY_FIRST
            if 1 <= first <= 12 and 1 <= second <= 12 and first != second:
                return cls._BOTH_WAYS
            return cls._PLAIN
        return cls._DECIMAL if "," in text and _DECIMAL_COMMA.fullmatch(text) else cls._PLAIN

    def note(self, line: int, name: str, text: str) -> None:
        """A value the reader read (any column: a date is told by its shape)."""
        kind = self._kinds.get(text)
        if kind is None:
            kind = self._kind(text)
            if len(self._kinds) < 4096:  # bounded memory: a sheet has few distinct dates
                self._kinds[text] = kind
        if kind == self._PLAIN:
            return
        if kind == self._BOTH_WAYS:
            self.count += 1
            if len(self.ambiguous) < DATE_ORDER_SHOWN:
                self.ambiguous.append((line, name, text))
        elif kind == self._DAY_FIRST:
            if self.day_first is None:
                self.day_first = f"line {line} has {text!r}, which reads only day-first"
        elif self.european is None:
            self.european = f"line {line} writes {text!r} with a decimal comma (a European locale)"

    def problem(self, outcome: str = "nothing was imported") -> SheetError | None:
        """The refusal of the file, or None when its slash dates read one way only."""
        why = self.day_first or self.european
        if not self.ambiguous or why is None:
            return None
        details = []
        for line, name, text in self.ambiguous:
            m = _SLASH.match(text)
            assert m is not None
            a, b = int(m.group(1)), int(m.group(2))
            details.append(  # named as a row's problem is (FILE, line N, field F): the refusal
                # lists these beside the rows' own problems (services/sheet_import.ImportOutcome)
                f"{self.source}, line {line}, field {name}: {text!r} is {calendar.month_name[a]} {b} read "
                f"month-first, {b} {calendar.month_name[b]} day-first"
            )
        if self.count > len(self.ambiguous):
            details.append(f"... and {self.count - len(self.ambiguous)} more")
        return SheetError(
            f"{self.source}: {why}, so its slash dates may be day-first, and "
            f"{both_ways(self.count)} both ways (month-first or day-first); {outcome}.",
            "Write the dates as YYYY-MM-DD (in Excel: select the date column, Format Cells > "
            "Custom > yyyy-mm-dd, and save again), then run the command again.",
            details,
        )


def both_ways(n: int) -> str:
    return "1 date reads" if n == 1 else f"{n:,} dates read"


HIRED_FROM = 1940  # a hire date before this is a typo (1926 for 2026), said
HIRED_AHEAD_DAYS = 366  # a hire date more than a year ahead is a typo (2062 for 2026), said


def unlikely_hire(day: date, today: date) -> str | None:
    """Why a hire date looks like a typo, or None. Taken as given (a warning, not a
    refusal), but said: a date years ahead makes every requirement "not yet due" for the
    member, and one a century back makes them owe every cycle since."""
    if day.year < HIRED_FROM:
        return f"hired {day} is before {HIRED_FROM}: a typo for the century? Kept as given"
    if (day - today).days > HIRED_AHEAD_DAYS:
        return (
            f"hired {day} is more than a year after today ({today}): a typo? Until then the member "
            "owes nothing (every requirement reads not yet due). Kept as given"
        )
    return None


_TRUE = {"y", "yes", "true", "t", "1", "x", "✓", "✔", "ja", "oui", "si", "sí"}
_FALSE = {"n", "no", "false", "f", "0", "-", "nein", "non"}


def parse_bool(text: str) -> bool:
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("is not yes or no")


# ---------------------------------------------------------------------------------- badges
def badge_key(badge: str) -> str:
    """A badge as the lookups match it: case aside, and a badge of digits without its
    leading zeros (a spreadsheet shows 0042 as 42). Two badges with one key are one badge
    to a sign-in sheet, so no two members may hold them (services.members)."""
    key = dtext.code_text(badge).strip().casefold()
    return key.lstrip("0") or "0" if key.isdigit() else key


class BadgeIndex:
    """Badges as typed, and as a spreadsheet shows them after dropping leading zeros."""

    def __init__(self, badges: Mapping[str, int]) -> None:
        self.exact = dict(badges)
        self.loose: dict[str, list[str]] = {}
        for badge in badges:
            self.loose.setdefault(self._loose(badge), []).append(badge)

    _loose = staticmethod(badge_key)

    def find(self, text: str) -> tuple[int | None, str | None]:
        """(member id, None), (None, why it is ambiguous) or (None, None) when unknown."""
        value = text.strip()
        if value in self.exact:
            return self.exact[value], None
        found = self.loose.get(self._loose(value), [])
        if len(found) == 1:
            return self.exact[found[0]], None
        if len(found) > 1:
            return None, f"matches badges {', '.join(sorted(found))} once leading zeros are ignored"
        return None, None
