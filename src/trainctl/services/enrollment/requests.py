"""Who to enroll in bulk: the rows of an enrollment CSV or a `--members` list, as Requests.

The CSV is read like every file an officer writes (domain/csvfile.py: UTF-8 with or without
a BOM, `,` `;` or tab, loose headers, blank lines, duplicate rows counted once), and each
row is validated by schemas.enrollment.EnrollmentCsvRow. Any bad value: nothing is
written; BadInputError lists every one with its line and field.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from trainctl.domain.csvfile import MAX_ROWS, parse_csv
from trainctl.domain.records import SHEET_FIELDS
from trainctl.domain.sheet import Field
from trainctl.domain.text import plural
from trainctl.errors import BadInputError, UsageError
from trainctl.schemas import describe_errors
from trainctl.schemas.enrollment import CSV_COLUMNS, MEMBER_COLUMNS, EnrollmentCsvRow
from trainctl.services.enrollment.enroll import Request

# The columns and the headers people give them, as member and record imports match theirs
# (domain/sheet.py: case, spaces and punctuation aside; "E-Mail", "Badge #"; an empty
# trailing column, as spreadsheets write, is ignored).
_SHEET = {f.name: f for f in SHEET_FIELDS}
ENROLL_FIELDS = (
    _SHEET["member"], _SHEET["email"], _SHEET["badge"], Field("id", ()), _SHEET["name"],
    Field("target_date", ("target", "target date", "target completion date", "due date",
                          "complete by", "deadline")),
)  # fmt: skip
assert tuple(f.name for f in ENROLL_FIELDS) == CSV_COLUMNS


def requests_from_csv(
    data: bytes, *, source: str, ignore_unknown: bool = False
) -> tuple[list[Request], list[tuple[int, int]]]:
    """The file's requests and its duplicate rows as (line, same as line). An unknown
    column is refused (its hint names --ignore-unknown-columns) unless `ignore_unknown`; a
    file of more than MAX_ROWS rows is refused before its rows are checked."""
    table = parse_csv(data, source=source, required=(), fields=ENROLL_FIELDS, ignore_unknown=ignore_unknown,
                      max_rows=MAX_ROWS, use="enroll from")  # (as `member import`: one limit)
    if not any(c in table.columns for c in MEMBER_COLUMNS):
        raise BadInputError(
            f"{source}: no column names the members.",
            "Give a member, email, badge or id column (member takes any of them, or a name).",
        )
    requests: list[Request] = []
    problems: list[str] = []
    # each CSV row let go once its request is made: the file's rows and its requests are
    # not held side by side (a class of 100,000 rows)
    rows, table.rows = table.rows, []
    rows.reverse()
    while rows:
        row = rows.pop()
        try:
            parsed = EnrollmentCsvRow.model_validate(
                {k: v for k, v in row.values.items() if v != "" and k in CSV_COLUMNS}
            )
        except ValidationError as exc:
            problems.extend(describe_errors(exc, f"line {row.line}"))
            continue
        (kind, ref), *also = parsed.references() or [("member", "")]
        where = f"line {row.line}"
        requests.append(Request(where=where, ref=ref, kind=kind, target_date=parsed.target_date,
                                also=tuple(also), name=parsed.name))  # fmt: skip
    if problems:
        raise BadInputError(
            f"{source}: {plural(len(problems), 'bad value')}; nothing was written.",
            "Fix the lines named above and run the command again.",
            details=problems,
        )
    return requests, table.duplicates


def requests_from_list(refs: Sequence[str]) -> list[Request]:
    """`--members a,b,c`, split (queries.members.split_list): ids, e-mails, badges or names."""
    requests = [Request(where=f"item {i}", ref=r) for i, r in enumerate(refs, 1) if r]
    if not requests:
        raise UsageError(
            "--members names nobody.",
            "Give ids, e-mails, badges or names separated by commas.",
        )
    return requests
