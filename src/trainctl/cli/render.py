"""Rendering: Rich tables on stdout, JSON and CSV for scripts, messages on stderr.

stdout carries data only; messages, warnings and progress bars go to stderr.
JSON output is a list of objects (or one object for `show`), keys in the column order,
dates as ISO 8601 strings, numbers as numbers by one rule (`figure`): a whole figure
without a decimal point (12, not 12.0), any other as kept (12.5), as tables and CSV
write them. It is stable: scripts may rely on it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from trainctl.domain.text import FORMULA_START

if TYPE_CHECKING:
    from rich.console import Console

    out: Console  # data: stdout
    err: Console  # messages, warnings, progress bars: stderr

_consoles: dict[str, Any] = {}


def console(name: str = "out") -> Console:
    """The stdout ("out") or stderr ("err") console, created on first use."""
    if name not in _consoles:
        from rich.console import Console

        class Quiet(Console):
            def on_broken_pipe(self) -> None:
                # `trainctl member show X | head -1`: Rich's own exits 1, saying nothing;
                # TrainctlGroup ends a reader that stopped early as every command does: 0
                self.quiet = True
                raise BrokenPipeError

            def print(self, *objects: Any, **kwargs: Any) -> None:
                if self.stderr:  # a message: the commands it shows name this run's --db
                    from trainctl.cli.state import hint

                    markup = kwargs.get("markup")
                    markup = self._markup if markup is None else markup
                    objects = tuple(hint(o, markup=markup) if isinstance(o, str) else o for o in objects)
                super().print(*objects, **kwargs)

        # emoji=False: a name or a value typed as ":fire:" is printed as typed, not as 🔥
        _consoles[name] = Quiet(stderr=(name == "err"), soft_wrap=(name == "err"), emoji=False)
    return _consoles[name]


def __getattr__(name: str) -> Any:
    """`render.out` / `render.err` for callers (Rich costs startup time, so lazily)."""
    if name in ("out", "err"):
        return console(name)
    raise AttributeError(name)


@dataclass(frozen=True)
class Col:
    key: str
    header: str | None = None
    numeric: bool = False
    style: str | None = None
    # Narrow terminals: a column with drop > 0 is left out when the words of the table do not
    # fit otherwise, the highest first (a lesser column, e.g. a template flag or a source).
    drop: int = 0

    @property
    def title(self) -> str:
        return self.header or self.key.replace("_", " ").title()


def iso_time(value: datetime) -> str:
    """An instant as files write it: ISO 8601, UTC spelled Z (as Pydantic writes it), so
    JSON and CSV have one spelling. Stored times are UTC; a naive one is read as UTC."""
    if value.tzinfo is None or value.utcoffset() == timedelta(0):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def figure(value: Any) -> Any:
    """A number as every JSON output writes it: a whole float as an integer (hours 12, not
    12.0 in one listing and 12 in another: sums of integers and of floats met in one
    document), any other value as it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def jsonable(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)  # JSON has no Infinity/NaN; a string keeps the output parseable
        return int(value) if value.is_integer() else value  # (`figure`)
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n")


def emit_json_with_rows(data: dict[str, Any], key: str, at_once: int = 2000) -> None:
    """`emit_json(data)`, byte for byte, where `data[key]`, its last entry, is a long list
    (`report iso`'s rows): written `at_once` elements at a time, each batch's text nested
    as json.dumps nests it (JSON escapes a line break inside a string, so indenting each
    line of the batch's own text is the same text; `emit_json_rows`). bench/iso.py
    --members 5000 (35,000 rows): the whole text was held at once beside a copy of every
    row, 228 MB peak (149 MB for the table) -> 141 MB; the same CPU (0.5 s)."""
    rows = data[key]
    assert list(data)[-1] == key
    head = json.dumps(jsonable({**data, key: []}), indent=2, ensure_ascii=False)
    if not rows:
        sys.stdout.write(head + "\n")
        return
    out = sys.stdout
    out.write(head[: -len("[]\n}")] + "[\n")
    for i in range(0, len(rows), at_once):
        text = json.dumps(jsonable(rows[i : i + at_once]), indent=2, ensure_ascii=False)
        # "[\n  {...},\n  {...}\n]" two deeper, without its brackets
        out.write(("" if i == 0 else ",\n") + text.replace("\n", "\n  ")[2:-4])
    out.write("\n  ]\n}\n")


def emit_json_rows(rows: Iterable[Any]) -> None:
    """A JSON list written an element at a time, as the rows come (a listing of every
    record, read as it is written: no list of them all in memory): the same text as
    `emit_json(list(rows))`, byte for byte (JSON escapes a line break inside a string, so
    indenting each line of an element's own text nests it as json.dumps would)."""
    out, buf, n = sys.stdout, io.StringIO(), 0
    for n, row in enumerate(rows, 1):
        text = json.dumps(jsonable(row), indent=2, ensure_ascii=False)
        buf.write(("[\n  " if n == 1 else ",\n  ") + text.replace("\n", "\n  "))
        if n % 2000 == 0:
            out.write(buf.getvalue())
            buf.seek(0)
            buf.truncate()
    buf.write("\n]\n" if n else "[]\n")
    out.write(buf.getvalue())


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value):
            return str(int(value))
        # six significant digits, but never fewer than the two decimals every hours figure
        # keeps (domain.text.hours_text): 10451.75 h, not 10451.8 beside a summary line
        # saying 10451.75; 0.333333 h; never in exponent form
        whole = len(str(int(abs(value)))) if abs(value) >= 1 else 0
        shown = f"{value:.{max(2, 6 - whole)}f}".rstrip("0").rstrip(".")
        return "0" if shown == "-0" else shown
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value: Any) -> str:
    """A CSV field: as in a table, but an instant in ISO 8601 with Z (tables may keep
    "2026-11-30 17:19 UTC"; files have one spelling of time). A text a spreadsheet would
    run as a formula (OWASP "CSV injection", domain.text.FORMULA_START) is written behind an
    apostrophe, which the importers read back off (domain.text.unguarded). Numbers are
    numbers and stay as they are."""
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, float) and math.isfinite(value) and value != int(value):
        return repr(value)  # a file keeps the figure exactly (a table shows six digits)
    if isinstance(value, list):
        text = ";".join(cell(v) for v in value)
    else:
        text = cell(value)
    if text.startswith(FORMULA_START) and not isinstance(value, int | float):
        return "'" + text
    return text


def csv_bom() -> str:
    """What a CSV on stdout starts with: a UTF-8 BOM when stdout is a new file (`-f csv >
    members.csv`), so Excel, opening it with a double-click, shows "José" and not "JosÃ©"
    (it takes a UTF-8 file without one for the local code page), as the reject files are
    written; nothing into a pipe (`| csvcut`, `| head`: a BOM there is three stray bytes
    before the first column's name), a terminal, or a file that already has content
    (`>>` after it: mid-file; `>>` to an empty file is a new file).
    Every CSV trainctl writes to stdout starts with this (render.emit_csv, reminders)."""
    import stat

    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
        st = os.fstat(fd)
        new = stat.S_ISREG(st.st_mode) and st.st_size == 0 and os.lseek(fd, 0, os.SEEK_CUR) == 0
        return "\ufeff" if new else ""
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation: a test's stdout
        return ""


def emit_csv(rows: Iterable[dict[str, Any]], cols: Sequence[Col]) -> None:
    """The rows as CSV, written to stdout as they come, a block of rows at a time (an
    unbuffered stdout, as PYTHONUNBUFFERED leaves it, would cost a system call a row)."""
    out, buf = sys.stdout, io.StringIO()
    buf.write(csv_bom())
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in cols])
    for n, row in enumerate(rows, 1):
        writer.writerow([csv_cell(row.get(c.key)) for c in cols])
        if n % 2000 == 0:
            out.write(buf.getvalue())
            buf.seek(0)
            buf.truncate()
    out.write(buf.getvalue())


def file_cols(row_type: Any, *, leave_out: Sequence[str] = ()) -> list[Col]:
    """The columns of a CSV listing: every field of the row (a query's dataclass), as JSON
    writes it, not only what the table shows (e.g. `entered_at`, the real time of writing,
    beside `entered_on`); `leave_out`: fields a line of CSV cannot hold (a nested list)."""
    from dataclasses import fields

    return [Col(f.name) for f in fields(row_type) if f.name not in leave_out]


# Whether the acting member may manage training (set when the command resolves its actor):
# the next step an empty listing suggests (`trainctl enroll add ...`) is for them only.
ACTOR_MANAGES = True


def empty_hint(text: str) -> str:
    """An empty listing's message for the acting member: an officer (or the database
    owner) is told what to run next; a member who may not run it, whom to ask."""
    if ACTOR_MANAGES or "`trainctl" not in text:
        return text
    first = text.split(". ", 1)[0].rstrip(".") + "."
    return f"{first} A training officer adds them."


def table(
    rows: Sequence[dict[str, Any]],
    cols: Sequence[Col],
    fmt: str,
    *,
    title: str | None = None,
    empty: str = "Nothing to show.",
    json_rows: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Print a listing in the chosen format. An empty table prints the next step instead."""
    if fmt == "json":
        emit_json(list(json_rows if json_rows is not None else rows))
        return
    if fmt == "csv":
        emit_csv(rows, cols)
        return
    if not rows:
        console("err").print(empty_hint(empty), markup=False, highlight=False)
        return
    if len(rows) > FAST_TABLE_ROWS:
        fast_table(rows, cols, title=title)
        return
    from rich.table import Table

    body = [[cell(row.get(c.key)) for c in cols] for row in rows]
    shown, widths = fit(cols, body, console("out").width)
    t = Table(title=_plain(title), title_justify="left", header_style="bold")
    for i, w in zip(shown, widths, strict=True):
        c = cols[i]
        # "ellipsis" wraps at spaces and shortens a word longer than the column with "…":
        # a word, date or number is never split over two lines.
        t.add_column(c.title, justify="right" if c.numeric else "left", style=c.style, overflow="ellipsis", width=w)
    from rich.text import Text

    for r in body:
        t.add_row(*(Text(r[i]) for i in shown))
    out = console("out")
    needed = sum(widths) + 3 * len(widths) + 1
    if needed <= out.width:
        out.print(t)
        return
    # Figures that do not fit make the table wider than the terminal rather than cut
    # (Rich squeezes a table to the console's width, so widen the console for it).
    saved = out._width
    out.width = needed
    try:
        out.print(t)
    finally:
        out._width = saved


def width_of(text: str) -> int:
    """Terminal cells `text` takes: its length when printable ASCII (nearly every cell of a
    listing), else Rich's measure (wide CJK characters take two, combining marks and
    control characters none)."""
    if text.isascii() and text.isprintable():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _longest_word(text: str) -> int:
    return max(map(width_of, text.split()), default=0)


def _longest_figure(text: str) -> int:
    """The longest word of `text` that holds a digit (a date, a number, an id, a badge), an
    e-mail address aside (ann@station12.example is text: shortened before a column of
    short words such as 'refused' is cut to 'refu…')."""
    return max(
        (len(w) for w in text.split() if "@" not in w and any(ch.isdigit() for ch in w)), default=0
    )


def fit(cols: Sequence[Col], body: Sequence[Sequence[str]], width: int) -> tuple[list[int], list[int]]:
    """Which columns to show and how wide, for a table `width` characters wide (borders and
    padding take 3 a column and 1): columns keep their longest word whole, so text wraps
    at spaces only. When the words do not fit, the lesser columns (`Col.drop`) are left
    out, those empty in every row first (an empty Note says nothing), then highest first; when they still do not fit, the widest text columns give way and
    their long words are shortened with "…" (numbers and dates last)."""
    n = len(cols)
    # each column's distinct texts, measured once: a 2,000-card list repeats its codes,
    # dates and statuses (`cert list` on bench/compliance.py's world: measuring every cell
    # took 0.24 s of the command's 0.41 s)
    texts = [{r[i] for r in body} for i in range(n)]
    natural = [max([width_of(cols[i].title), *map(width_of, texts[i])]) for i in range(n)]
    words = [max([_longest_word(cols[i].title), *map(_longest_word, texts[i])]) for i in range(n)]
    shown = list(range(n))

    def room() -> int:
        return width - (3 * len(shown) + 1)

    while sum(words[i] for i in shown) > room():
        droppable = [i for i in shown if cols[i].drop > 0]
        if not droppable:
            break
        shown.remove(max(droppable, key=lambda i: (not any(texts[i]), cols[i].drop, i)))
    widths = {i: natural[i] for i in shown}
    while sum(widths.values()) > room():
        wrappable = [i for i in shown if widths[i] > words[i]]
        if not wrappable:
            break
        widths[max(wrappable, key=lambda i: widths[i])] -= 1
    # The words themselves do not fit: text words give way ("Recertific…"); a number or a
    # date is never shortened (the table is then wider than the terminal).
    hard = [max([4, *map(_longest_figure, texts[i])]) for i in range(n)]
    while sum(widths.values()) > room():
        shorten = [i for i in shown if widths[i] > hard[i] and not cols[i].numeric]
        if not shorten:
            break
        widths[max(shorten, key=lambda i: widths[i])] -= 1
    return shown, [widths[i] for i in shown]


def keep_words(table: Any, width: int | None = None, *, drop: Sequence[int] = ()) -> Any:
    """A Rich table laid out by `fit`'s rule, as `table` lays out a listing: lines break at
    spaces, never inside a word (a code such as ISO-DRIVER-EXISTING, a date, a figure);
    each column as wide as its longest word while the words fit the terminal, else the
    lesser columns (`drop`: each column's `Col.drop`, in order) are left out, then the
    widest text gives way, shortened with "…". The widths are set on the columns (Rich's
    own layout folds a long word across lines, or keeps a minimum it cannot fit).
    Returns the table, to print."""
    cols = table.columns
    width = width or console("out").width
    body = [[str(getattr(c, "plain", c)) for c in col.cells] for col in cols]
    rows = [list(r) for r in zip(*body, strict=True)] if body and body[0] else []
    lesser = [*drop, *[0] * (len(cols) - len(drop))]
    spec = [Col(str(i), str(col.header), numeric=col.justify == "right", drop=lesser[i])
            for i, col in enumerate(cols)]  # fmt: skip
    shown, widths = fit(spec, rows, width)
    cols = table.columns = [cols[i] for i in shown]  # (a Rich column holds its own cells)
    for col, n in zip(cols, widths, strict=True):
        col.width = n
        col.overflow = "ellipsis"
    return table


def wrap_words(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width`, broken at spaces only; a longer word is
    shortened with "…" (as Rich's overflow="ellipsis" does)."""
    from rich.cells import set_cell_size

    out: list[str] = []
    line = ""
    for word in text.split():
        if width_of(word) > width:
            word = set_cell_size(word, max(width - 1, 0)) + "…"
        if line and width_of(line) + 1 + width_of(word) <= width:
            line += " " + word
        else:
            if line:
                out.append(line)
            line = word
    out.append(line)
    return out


# Rich lays out every cell of a table (wrapping, measuring): about 1.5 ms a row for an
# 8-column table, so 500 members took ~700 ms. Past this many rows we draw the same box
# ourselves, in a few milliseconds, truncating instead of wrapping.
FAST_TABLE_ROWS = 100


def fast_table(rows: Sequence[dict[str, Any]], cols: Sequence[Col], *, title: str | None = None) -> None:
    """A large listing in Rich's default box style, fitted to the terminal as `table` is
    (see `fit`): lines break at spaces, lesser columns give way first."""
    full = [[" ".join(cell(row.get(c.key)).split()) for c in cols] for row in rows]
    shown, widths = fit(cols, full, console("out").width)
    cols = [cols[i] for i in shown]
    body = [[r[i] for i in shown] for r in full]
    heads = [c.title for c in cols]

    right = [c.numeric for c in cols]

    def lines(values: Sequence[str], bar: str) -> list[str]:
        sizes = list(map(width_of, values))
        if all(m <= w for m, w in zip(sizes, widths, strict=True)):  # one line: most rows
            return [bar + bar.join(
                f" {' ' * (w - m)}{v} " if r else f" {v}{' ' * (w - m)} "
                for v, m, w, r in zip(values, sizes, widths, right, strict=True)
            ) + bar]  # fmt: skip
        cells = [wrap_words(v, w) if m > w else [v] for v, m, w in zip(values, sizes, widths, strict=True)]
        out = []
        for k in range(max(len(c) for c in cells)):
            parts = []
            for c, w, col in zip(cells, widths, cols, strict=True):
                text = c[k] if k < len(c) else ""
                pad = " " * max(0, w - width_of(text))
                parts.append(f" {pad + text if col.numeric else text + pad} ")
            out.append(bar + bar.join(parts) + bar)
        return out

    def rule(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    out = [title] if title else []
    out += [rule("┏", "┳", "┓", "━"), *lines(heads, "┃"), rule("┡", "╇", "┩", "━")]
    for r in body:
        out += lines(r, "│")
    out.append(rule("└", "┴", "┘", "─"))
    sys.stdout.write("\n".join(out) + "\n")


def _plain(title: str | None) -> Any:
    """A title as literal text (it often carries a name)."""
    from rich.text import Text

    return Text(title, style="bold") if title else None


def record(data: dict[str, Any], fmt: str, *, title: str | None = None) -> None:
    """One object: a two-column table, or JSON / CSV."""
    if fmt == "json":
        emit_json(data)
        return
    if fmt == "csv":
        emit_csv([data], [Col(k) for k in data])
        return
    from rich.table import Table

    t = Table(title=_plain(title), title_justify="left", show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold")
    t.add_column()
    from rich.text import Text

    for key, value in data.items():
        t.add_row(key.replace("_", " "), Text(cell(value)))
    console("out").print(t)


SHOWN_PROBLEMS = 20


def first_of(lines: Sequence[str], limit: int = SHOWN_PROBLEMS, what: str = "") -> list[str]:
    """A long list of problems: the first `limit`, then how many more (a 302-row roster
    must not bury the hint under 302 lines), e.g. '... and 12 more rows with notes.' with
    `what` 'rows with notes'."""
    if len(lines) <= limit + 1:
        return list(lines)
    more = f"... and {len(lines) - limit} more"
    return [*lines[:limit], f"{more} {what}." if what else more]


# Set by cli.main.main(), the process's own entry: a command that has printed everything
# may end the process (`done`). Under a test's CliRunner it stays False: commands return.
ENDS_PROCESS = False


def done(*built: object) -> None:
    """Everything is printed: end the process now, without freeing what the command built
    (`built`: held until here, so not freed before; mypy's `hard_exit` does the same).
    `report compliance` holds some 80,000 facts and 10,000 cells: freeing them one by one
    is a twentieth of the report's time (bench/compliance.py: 0.10 s of 2.2 s) and serves
    nothing. Both streams are flushed first (a closed pipe raises here, as it would at
    exit, and the command ends as it always does then)."""
    if not ENDS_PROCESS:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def more_rows(shown: int, total: int, noun: str, *, quiet: bool = False) -> None:
    """Under a table cut at --limit: how many rows it left out, and how to see them."""
    if shown < total:
        info(f"Showing the newest {shown:,} of {total:,} {noun}; --limit 0 shows them all "
             "(--format csv writes them to a file).", quiet=quiet)  # fmt: skip


def info(message: str, *, quiet: bool = False) -> None:
    """A summary line on stderr (silent under --quiet)."""
    if not quiet:
        console("err").print(message, highlight=False, markup=False)


def interactive() -> bool:
    """Whether a person is at the keyboard (stdin is a terminal) to answer a question."""
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool) -> None:
    """Ask before a write that cannot be undone: at a terminal, `question` [y/N]; `--yes`
    answers it in advance (a script, cron). "No" changes nothing (exit 1)."""
    if yes or not interactive():
        return
    import typer

    if not typer.confirm(question, default=False, err=True):
        from trainctl.errors import RefusedError

        raise RefusedError("Nothing changed.", "Answer y to go ahead, or give --yes.")


def warn(message: str) -> None:
    from rich.markup import escape

    console("err").print(f"[yellow]Warning:[/yellow] {escape(message)}", highlight=False)
