"""Reading CSV files the way a training officer writes them (DESIGN §5).

- UTF-8 with or without a BOM; anything else is refused with the line and a hint.
- The delimiter is detected from the header: `,` `;` or tab.
- Headers are matched loosely: case, surrounding spaces, and spaces/dashes vs underscores;
  given `fields`, with the training-record matcher (domain/sheet.py) and its synonyms.
- Blank lines are ignored; unknown and missing columns are reported; a row repeated
  exactly is kept once (and reported as a duplicate of the first).
- A line break in a cell the import reads is a problem of its line, and in a column it
  skips (an ignored unknown column: Notes) when its lines read as rows (domain/sheet.py
  `line_breaks`: a quote never closed, which took the lines after it), as in the sheet
  imports: a note typed on two lines is no refusal.

Pure: takes bytes, returns rows with their line numbers, raises BadInputError.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from trainctl.domain.sheet import (
    NO_ROWS_HINT,
    UTF16_PROBLEM,
    DateOrder,
    Field,
    Line,
    describe,
    excel_separator,
    header_below,
    line_breaks,
    looks_like_utf16,
    match_header,
)
from trainctl.domain.text import plural, unguarded, word_for
from trainctl.errors import BadInputError

DELIMITERS = (",", ";", "\t")
# Rows a file of members may have (`member import`, `enroll bulk --csv`: `parse_csv`'s
# `max_rows`). The largest departments count about 15,000 members (FDNY's uniformed force)
# and a state's roster tens of thousands; the whole file is checked, row against row,
# before anything is written, which holds every row in memory (about 1.5 KB each) and took
# 9.4 GB and more than 12 minutes for 2.5 million short rows before it was killed. A longer
# file is refused before its rows are checked, with how to split it (`too_many_rows`).
MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)  # (no __dict__: a roster holds 100,000 of them)
class CsvRow:
    line: int  # 1-based line number in the file (the header is line 1)
    values: dict[str, str]


@dataclass
class CsvTable:
    columns: list[str]
    rows: list[CsvRow]
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (line, same as line)
    delimiter: str = ","
    # Only with keep_malformed=True: lines whose value count does not match the header,
    # as (line, raw cells, problem), for callers that reject rows one by one (--skip-invalid).
    malformed: list[tuple[int, list[str], str]] = field(default_factory=list)


def _name_the_columns(
    required: Iterable[str], optional: Iterable[str], fields: Sequence[Field] | None
) -> str:
    named = list(required) or ([f.name for f in fields] if fields else sorted(set(optional)))
    return f"The first line must name the columns: {', '.join(named)}."


def normalize_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


CSV_UTF8_HINT = "Save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8), then run the command again."


def decode(data: bytes, source: str, *, hint: str = CSV_UTF8_HINT, outcome: str = "") -> str:
    """UTF-8 text of a file, with or without a BOM. Anything else raises BadInputError naming
    the line and byte; `outcome` is added to the message (e.g. "; nothing was imported")."""
    if looks_like_utf16(data):
        raise BadInputError(f"{source}: {UTF16_PROBLEM}{outcome}.", hint)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(
            f"{source}, line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x}){outcome}.",
            hint,
        ) from None


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _records(reader: Any, source: str) -> Iterator[list[str]]:
    """The reader's records; a line the csv module cannot read (a field over its 128 KiB
    limit, a NUL byte) is bad input naming the line, never a crash."""
    try:
        yield from reader
    except csv.Error as exc:
        why = str(exc)
        if "field larger than field limit" in why:
            why = f"a value longer than {csv.field_size_limit():,} characters (not a name, e-mail or date)"
        raise BadInputError(
            f"{source}, line {reader.line_num}: {why}; nothing was written.",
            "Check that the file is the CSV you meant, and fix that line.",
        ) from None


def _later(reader: Any, source: str, end: int) -> Iterator[Line]:
    """The non-blank records after the one that ended on line `end` (a header to look
    past: header_below)."""
    for record in _records(reader, source):
        line, end = end + 1, reader.line_num
        if any(cell.strip() for cell in record):
            yield Line(line, record, end)


def _head(text: str) -> list[str]:
    """The lines of `text` (as `str.splitlines` reads them) up to its first non-blank one,
    or all of them when it has none: the header is found without a list of every line."""
    size = 4096
    while True:
        lines = text[:size].splitlines()
        if size >= len(text):
            return lines
        if any(ln.strip() for ln in lines[:-1]):  # the last line of the slice may be cut
            return lines[:-1]
        size *= 4


def too_many_rows(source: str, line: int, max_rows: int, use: str = "import") -> BadInputError:
    """The refusal of a file longer than its import takes (`parse_csv(max_rows=...)`);
    `use`: what the command does with the file ("import", "enroll from")."""
    return BadInputError(
        f"{source}, line {line}: more than {max_rows:,} rows, more than any department's "
        "file of this kind holds; nothing was written.",
        f"Check that it is the file you meant. To {use} it anyway, split it into files of at "
        f"most {max_rows:,} rows, each starting with the header line, and {use} them one "
        "after another.",
    )


def parse_csv(
    data: bytes,
    *,
    source: str,
    required: Iterable[str],
    optional: Iterable[str] = (),
    aliases: dict[str, str] | None = None,
    keep_malformed: bool = False,
    fields: Sequence[Field] | None = None,
    ignored: Iterable[str] = (),
    ignore_unknown: bool = False,
    offers_ignore: bool = True,
    max_rows: int | None = None,
    use: str = "import",
) -> CsvTable:
    """Parse and check the header; rows keep only known columns, values stripped.
    With `fields` the header is matched as training-record sheets match theirs
    (domain.sheet.match_header: case, spaces and punctuation aside, with each field's
    synonyms; `ignored` headers are known and skipped; an unknown column is refused unless
    `ignore_unknown`, an option the hint names when the command `offers_ignore` it);
    `required`, `optional` and `aliases` are then not used. A column
    that is not a field keeps its header text as its key.

    A line with the wrong number of values, or with a line break in a cell (a quote never
    closed), raises BadInputError (with every such line), or,
    with keep_malformed=True, is returned in `CsvTable.malformed` for the caller to report.

    With `max_rows`, a file with more rows (blank lines aside) than that is refused as soon
    as its row after the limit is read, before any row is checked (`too_many_rows`, whose
    hint says to `use` the parts one after another: "import", "enroll from").
    """
    text = decode(data, source)
    lines = _head(text)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise BadInputError(f"{source} is empty.", _name_the_columns(required, optional, fields))
    delimiter = excel_separator(lines[first])
    stream: io.TextIOBase
    if delimiter is not None:  # Excel's "sep=;" above the header: a blank line here
        parts = text.splitlines(keepends=True)
        parts[first] = "\n"
        text = "".join(parts)
        lines = _head(text)
        first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        if first is None:
            raise BadInputError(f"{source} is empty.", _name_the_columns(required, optional, fields))
        stream = io.StringIO(text, newline="")
    else:
        delimiter = detect_delimiter(lines[first])
        # the bytes decoded a slice at a time (checked whole by `decode` above): a StringIO
        # of the text holds 4 bytes a character once read, 240 MB for a 60 MB roster
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    dates = DateOrder(source, delimiter)  # a day-first file's slash dates are not guessed
    required = list(required)
    known = set(required) | set(optional)
    aliases = aliases or {}

    header: list[str] | None = None
    read: set[int] | None = None  # with `fields`: the columns read; else all are
    unnamed: list[int] = []  # header cells left empty (with `fields`)
    rows: list[CsvRow] = []
    seen: dict[tuple[str, ...], int] = {}
    duplicates: list[tuple[int, int]] = []
    problems: list[str] = []
    malformed: list[tuple[int, list[str], str]] = []
    end = 0  # the line the previous record ended on: a record starts on the next one
    count = 0  # the rows under the header (blank lines aside)
    for record in _records(reader, source):
        line, end = end + 1, reader.line_num  # (a quoted cell may span lines)
        if not any(cell.strip() for cell in record):
            continue
        if header is not None and max_rows is not None and (count := count + 1) > max_rows:
            raise too_many_rows(source, line, max_rows, use)
        if header is None and fields is not None:
            head, wrong = match_header(record, fields, ignore_unknown=ignore_unknown, ignored=ignored)
            if wrong and (titled := header_below(Line(line, record, end), _later(reader, source, end), fields,
                                                 ignore_unknown=ignore_unknown, ignored=ignored)):  # fmt: skip
                wrong = [titled]
            if wrong:
                raise BadInputError(
                    f"{source}: the header does not match.",
                    f"Columns: {describe(fields)}. Headers are matched without regard to case and "
                    "punctuation; an unknown column is refused"
                    + (" unless --ignore-unknown-columns." if offers_ignore else "."),
                    details=[f"line {line}: {w}" for w in wrong],
                )
            header = head.names
            read = set(head.columns)  # the columns the import reads (line_breaks)
            unnamed = [i for i, h in enumerate(header) if not h]
            continue
        if header is None:
            header = [aliases.get(normalize_header(h), normalize_header(h)) for h in record]
            unknown = [h for h in header if h not in known]
            missing = [c for c in required if c not in header]
            repeated = sorted({h for h in header if header.count(h) > 1})
            if unknown:
                problems.append(f"line {line}: unknown {word_for(len(unknown), 'column')}: {', '.join(unknown)}")
            if missing:
                problems.append(f"line {line}: missing {word_for(len(missing), 'column')}: {', '.join(missing)}")
            if repeated:
                problems.append(f"line {line}: {word_for(len(repeated), 'column')} given twice: {', '.join(repeated)}")
            if problems:
                raise BadInputError(
                    f"{source}: the header does not match.",
                    f"Columns: {', '.join(required)} (required)"
                    + (f"; {', '.join(sorted(set(optional)))} (optional)" if optional else "")
                    + ".",
                    details=problems,
                )
            continue
        if end != line and (broken := line_breaks(record, header, read)):
            # a quote never closed took the lines after it into one cell: before its count
            # of values (the lines taken in make it wrong too), and in any column, read or not
            problem = f"line {line}, " + "; ".join(f"field {column}: {why}" for column, why in broken)
            if keep_malformed:
                malformed.append((line, record, problem))
            else:
                problems.append(problem)
            continue
        if len(record) != len(header):
            problem = (
                f"line {line}: {len(record)} values for {len(header)} columns"
                " (a missing or extra delimiter, or a comma inside an unquoted value?)"
            )
            if keep_malformed:
                malformed.append((line, record, problem))
            else:
                problems.append(problem)
            continue
        if unnamed and (spilled := [(i, v) for i in unnamed if (v := record[i].strip())]):
            # an empty header cell (a heading deleted in Excel): its values were dropped
            problem = f"line {line}: " + "; ".join(
                f"{v!r} in column {i + 1}, whose header is empty: give the column its name in the "
                "header (e.g. badge), or empty it" for i, v in spilled
            )
            if keep_malformed:
                malformed.append((line, record, problem))
            else:
                problems.append(problem)
            continue
        values = {h: unguarded(v.strip()) for h, v in zip(header, record, strict=True)}
        for h, v in values.items():
            if "/" in v or "," in v:
                dates.note(line, h, v)
        key = tuple(values[h] for h in header)
        if key in seen:
            duplicates.append((line, seen[key]))
            continue
        seen[key] = line
        rows.append(CsvRow(line=line, values=values))
    if problems:
        raise BadInputError(
            f"{source}: {plural(len(problems), 'malformed line')}; nothing was written.",
            "Fix the lines named above and run the command again.",
            details=problems,
        )
    if header is None:
        raise BadInputError(f"{source} is empty.", _name_the_columns(required, optional, fields))
    if (refusal := dates.problem("nothing was written")) is not None:
        raise BadInputError(refusal.message, refusal.hint, details=refusal.details)
    if not rows and not duplicates and not malformed:
        raise BadInputError(f"{source} has column names and no rows under them.", NO_ROWS_HINT)
    return CsvTable(
        columns=header, rows=rows, duplicates=duplicates, delimiter=delimiter, malformed=malformed
    )
