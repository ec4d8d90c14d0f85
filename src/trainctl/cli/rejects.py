"""Reject files: the rows an import with --skip-invalid left out, as they were, with a
`reason` column first, next to the input as NAME.rejects.csv (for NAME.csv; two inputs of
one run that would share it, w.csv and w.tsv, keep their extension: w.csv.rejects.csv and
w.tsv.rejects.csv). Fix them and import the reject file as it is (every import ignores a
`reason` column). A reject file that is itself an input of the run is never written over.

It is UTF-8 with a BOM (as Excel reads it). The file holds names and e-mails, so it is private (0600) like the database; it is never
written through a link and only replaces an earlier reject file (its first column is
`reason`). The command writes it before its transaction commits: no file, no import.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from trainctl.cli.render import csv_cell
from trainctl.domain import amounts
from trainctl.domain.sheet import REJECT_COLUMN
from trainctl.domain.text import unguarded
from trainctl.errors import BadInputError, UsageError


def require_files(sources: Sequence[Path]) -> None:
    """--skip-invalid writes each input's bad rows next to it, read again from it: an input
    that is no regular file (a pipe, /dev/stdin, <(...)) can be read only once and has no
    folder of its own: /dev/stdin redirected from a file is a regular file to stat(), but
    its reject file would go to /dev. And no input is another's reject file
    (`rejects_paths`). Refused before anything is read or written."""
    for source in sources:
        if not source.is_file() or _stream_path(source):
            raise UsageError(
                f"--skip-invalid needs the input as a file: {source} is a pipe or stream, and "
                "the bad rows go to a reject file next to the input (read again from it).",
                "Save the input as a file (e.g. roster.csv) and import that, or leave out "
                "--skip-invalid to import all rows or none.",
            )
    rejects_paths(sources)


def _stream_path(source: Path) -> bool:
    """/dev/stdin, /dev/fd/0, /proc/self/fd/0: a name for an open stream, whatever it reads."""
    where = os.path.abspath(source)
    return where.startswith(("/dev/", "/proc/"))


def rejects_path(source: Path) -> Path:
    """Where the reject file of `source`, imported alone, goes: roster.csv -> roster.rejects.csv."""
    return rejects_paths([source])[source]


def rejects_paths(sources: Sequence[Path]) -> dict[Path, Path]:
    """Where each input's reject file goes (one per file, however it is spelled):
    roster.csv -> roster.rejects.csv; inputs that would share one (w.csv and w.tsv: one
    file's rows lost under the other's) keep their extension, w.csv.rejects.csv and
    w.tsv.rejects.csv. A reject file that is one of the inputs (`record import
    sign-in-*.csv` after a run that wrote sign-in-3.rejects.csv, edited since) would be
    written over with the other input's rows: refused (UsageError), naming both, as two
    inputs that still share one are."""
    key = {s: _same_file(s) for s in sources}
    inputs = {k: s for s, k in key.items()}
    plain = {k: s.with_name(f"{s.stem}.rejects.csv") for k, s in inputs.items()}
    shared = Counter(_same_file(p) for p in plain.values())
    chosen = {k: p if shared[_same_file(p)] == 1 else inputs[k].with_name(f"{inputs[k].name}.rejects.csv")
              for k, p in plain.items()}  # fmt: skip
    of: dict[str, str] = {}
    for k, path in chosen.items():
        where = _same_file(path)
        if where in inputs:
            raise UsageError(
                f"{inputs[where]} is the reject file of {inputs[k]} (--skip-invalid would write "
                f"{inputs[k]}'s bad rows over it), and both are given to import.",
                "Import the fixed reject file on its own, or leave it out (e.g. move it away from "
                "the sheets a wildcard names); nothing was read or written.",
            )
        if where in of:
            raise UsageError(
                f"{inputs[of[where]]} and {inputs[k]} would both write their rejected rows to {path}.",
                "Rename one of them, or import them one at a time; nothing was read or written.",
            )
        of[where] = k
    return {s: chosen[k] for s, k in key.items()}


def _same_file(path: Path) -> str:
    """One key however a file is spelled (./w.csv, w.csv, a link to it)."""
    return os.path.realpath(path)


def input_names(sources: Sequence[Path]) -> list[str]:
    """The name each input goes by in messages and reject-file bookkeeping: its file name,
    or, where two inputs share one (a/s.csv and b/s.csv), the path as given (else one
    file's bad lines were written to the other's reject file, with rows that were good)."""
    count = Counter(s.name for s in {_same_file(s): s for s in sources}.values())
    return [s.name if count[s.name] == 1 else str(s) for s in sources]


def _guarded(text: str) -> str:
    """A cell of a reject file: a number as it was ('-1', a duration to fix), and Excel's
    text literal as it was (`="0042"`, a badge's leading zeros kept: a string, no formula
    to run, which every import reads as 0042: domain.text.unguarded); any other text as
    every CSV trainctl writes it (render.csv_cell: a formula behind an apostrophe)."""
    if amounts.NUMBER.fullmatch(text.strip()) or (text.startswith('="') and unguarded(text) != text):
        return text
    return csv_cell(text)


def write_rejects(
    path: Path, columns: Sequence[str], rows: Iterable[tuple[str, Sequence[str]]], delimiter: str = ","
) -> None:
    """Write (reason, cells) rows under the input's own header (a `reason` column of the
    input, as in a re-imported reject file, is replaced by the new reason)."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise BadInputError(
            f"{path} is a link or not a regular file; the reject file is not written there.",
            "Move it away and run the import again.",
        )
    if path.exists():
        with path.open("rb") as fh:
            head = fh.readline().lstrip(b"\xef\xbb\xbf")
        if not head.startswith(REJECT_COLUMN.encode()):
            raise BadInputError(
                f"{path} exists and is not a reject file written by trainctl; nothing was imported.",
                "Move or rename that file, then run the import again.",
            )
    keep = [i for i, c in enumerate(columns) if c.strip().lower() != REJECT_COLUMN]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    # with a BOM: Excel opens a UTF-8 file without one as the local code page ("JosÃ©"),
    # and the name would come back garbled when the fixed file is imported
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow([REJECT_COLUMN, *(columns[i] for i in keep)])
        for reason, cells in rows:
            kept = [cells[i] if i < len(cells) else "" for i in keep] if len(cells) <= len(columns) else list(cells)
            # opened in Excel to be fixed: a cell it would run as a formula ('=HYPERLINK(...)'
            # typed into a sign-in form) behind an apostrophe, the one rule of every CSV
            # trainctl writes, which every import reads back off; a number stays a number
            writer.writerow([_guarded(reason), *map(_guarded, kept)])


def write_sheet_rejects(
    source: Path, reasons: Mapping[int, Sequence[str]], path: Path | None = None
) -> Path | None:
    """The reject file of one imported sheet (at `path`, else `rejects_path`): its lines
    named in `reasons` (line -> the reasons, as the import reported them), read again from
    the file (so an import holds only the reasons in memory, however long the file), under
    its header and delimiter."""
    from trainctl.domain import sheet

    if not reasons:
        return None
    path = path or rejects_path(source)
    with source.open("rb") as fh:
        first = next((t for t in (raw.decode("utf-8", "replace") for raw in fh) if t.strip()), "")
        fh.seek(0)
        delimiter = sheet.detect_delimiter(first.lstrip("\ufeff"))
        lines = sheet.read_sheet(fh, source.name)
        head = next(lines)
        rows = (("; ".join(reasons[line.number]), line.cells) for line in lines if line.number in reasons)
        write_rejects(path, head.cells, rows, delimiter)
    return path


def write_import_rejects(
    files: Sequence[Path], reasons: Mapping[tuple[str | None, int | None], Sequence[str]]
) -> list[Path]:
    """One reject file per input file that had bad rows (`rejects_paths`); `reasons` by
    (file name as `input_names` gives it, line)."""
    by_file: dict[str, dict[int, Sequence[str]]] = {}
    for (name, line), why in reasons.items():
        if name is not None and line is not None:
            by_file.setdefault(name, {})[line] = why
    paths = rejects_paths(files)
    written: list[Path] = []
    for f, name in zip(files, input_names(files), strict=True):
        mine = by_file.pop(name, None)  # (a file given twice: once)
        if mine:
            out = write_sheet_rejects(f, mine, paths[f])
            if out is not None:
                written.append(out)
    return written
