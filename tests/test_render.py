"""Listings: large tables take the fast path and still show every value whole."""

from __future__ import annotations

import pytest

from trainctl.cli import render
from trainctl.cli.render import Col


def _rows(n: int):
    return [
        {"id": i, "name": f"Member Number {i}", "hired": "2020-03-01", "pct": 12.5}
        for i in range(1, n + 1)
    ]


COLS = [Col("id", "ID", numeric=True), Col("name"), Col("hired"), Col("pct", "%", numeric=True)]


def test_large_table_lists_every_row_in_the_box_style(capsys):
    render.table(_rows(500), COLS, "table")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("┏") and out[2].startswith("┡") and out[-1].startswith("└")
    body = out[3:-1]
    assert len(body) == 500
    assert body[0] == "│   1 │ Member Number 1   │ 2020-03-01 │ 12.5 │"
    assert body[-1].startswith("│ 500 │ Member Number 500 │ 2020-03-01 │")


def test_narrow_terminal_wraps_at_spaces_instead_of_cutting_values(capsys, monkeypatch):
    monkeypatch.setattr(render.console("out"), "width", 36)  # the console is shared: restore after
    render.table(_rows(150), COLS, "table")
    text = capsys.readouterr().out
    assert "…" not in text and max(map(len, text.splitlines())) <= 36
    assert text.count("2020-03-01") == 150  # dates are never cut or wrapped
    assert text.count("│ Member │") == 150 and "│ Number │" in text and "│ 150    │" in text


@pytest.mark.parametrize("rows", [3, 150])
def test_too_narrow_for_the_words_shortens_text_never_figures(capsys, monkeypatch, rows):
    monkeypatch.setattr(render.console("out"), "width", 30)
    render.table(_rows(rows), COLS, "table")
    text = capsys.readouterr().out
    assert text.count("2020-03-01") == rows and text.count("12.5") == rows
    assert "Mem…" in text and "Memb" not in text  # a word is shortened, never split over lines


def test_an_e_mail_gives_way_before_a_column_of_short_words(capsys, monkeypatch):
    """An e-mail address with digits is text, not a figure: `enroll bulk`'s Result column
    ('refused', 'already enrolled') kept 'refu…' while the e-mails stayed whole."""
    monkeypatch.setattr(render.console("out"), "width", 80)
    cols = [Col("where", "Where"), Col("member"), Col("result"),
            Col("enrollment_id", "Enrollment", numeric=True), Col("reason")]  # fmt: skip
    rows = [
        {"where": "line 3", "member": "Sam Okafor", "result": "already enrolled", "enrollment_id": 1},
        {"where": "line 5", "member": "ann@station12.example", "result": "refused",
         "reason": "The row names two members (email 'ann@station12.example' is Ann Marsh)."},
    ]  # fmt: skip
    render.table(rows, cols, "table")
    text = capsys.readouterr().out
    assert "│ refused  │" in text and "│ already  │" in text and "│ enrolled │" in text, text
    assert "Resu…" not in text and "refu…" not in text


def test_lesser_columns_are_left_out_first(capsys, monkeypatch):
    monkeypatch.setattr(render.console("out"), "width", 36)
    cols = [*COLS, Col("note", drop=1)]
    rows = [{**r, "note": "a-rather-long-unbreakable-note"} for r in _rows(3)]
    render.table(rows, cols, "table")
    text = capsys.readouterr().out
    assert "Note" not in text and "rather" not in text and "Member" in text


def test_small_table_and_empty_hint(capsys):
    render.table(_rows(3), COLS, "table")
    assert "Member Number 3" in capsys.readouterr().out
    render.table([], COLS, "table", empty="No members yet. Add one with `trainctl member add`.")
    captured = capsys.readouterr()
    assert captured.out == "" and "No members yet" in captured.err


@pytest.mark.parametrize("name", ["Bad [/b] name", "Hours [night]", "[bold]Loud[/bold]"])
def test_user_text_is_never_read_as_markup(cli, name):
    r = cli("requirement", "add", "-n", name, "-t", "hours", "--hours", "2")
    assert name in r.stderr  # the summary line
    assert name in _unboxed(cli("requirement", "list").stdout)
    assert cli("requirement", "show", name).stdout.splitlines()[0].strip() == name
    r = cli("enroll", "add", name, "Probie", ok=False)  # an error message quoting it
    assert r.exit_code == 1 and f"'{name}'" in r.stderr and "Traceback" not in r.stderr


def _unboxed(text: str) -> str:
    """Table text with borders and wrapping removed, to find a value that was wrapped."""
    import re

    return re.sub(r"[\s│┃]+", " ", text)


def test_non_finite_numbers_render_instead_of_crashing(capsys):
    rows = [{"id": 1, "name": "x", "hired": "2020-03-01", "pct": float("inf")}]
    render.table(rows, COLS, "table")
    assert "inf" in capsys.readouterr().out
    render.table(rows, COLS, "json")
    import json

    assert json.loads(capsys.readouterr().out)[0]["pct"] == "inf"


def test_json_timestamps_have_one_spelling(cli):
    cli("member", "add", "Ann Lee", "--email", "ann@example.org")
    cli("requirement", "add", "-n", "Pump ops", "-t", "hours", "--hours", "12")
    member = cli("member", "list", "--format", "json").json[0]["created_at"]
    requirement = cli("requirement", "show", "Pump ops", "--format", "json").json["created_at"]
    assert member.endswith("Z") and requirement.endswith("Z")


def test_a_csv_keeps_a_figure_exactly_and_a_table_never_writes_an_exponent(capsys):
    """A shift of 10 h 59 min is 10.983333333333333 h: the CSV keeps it (it read 10.9833,
    six digits, and 1234567.25 read 1.23457e+06); the table shows six digits."""
    import csv

    rows = [{"id": 1, "name": "x", "hired": "2020-03-01", "pct": 659 / 60},
            {"id": 2, "name": "y", "hired": "2020-03-01", "pct": 1234567.25}]  # fmt: skip
    render.table(rows, COLS, "csv")
    got = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [float(r["pct"]) for r in got] == [659 / 60, 1234567.25]
    render.table(rows, COLS, "table")
    out = capsys.readouterr().out
    assert "10.9833" in out and "1234567.25" in out and "e+06" not in out


@pytest.mark.parametrize(("value", "shown"), [
    (10451.75, "10451.75"),  # 431 shifts of 24.25 h: the summary line says 10451.75
    (99999.99, "99999.99"), (0.3333333, "0.333333"), (1.3333333, "1.33333"), (12.0, "12"),
    (24.25, "24.25"), (-0.0000001, "0"),
])  # fmt: skip
def test_a_table_figure_keeps_the_two_decimals_every_hours_figure_keeps(value, shown):
    """A table's figure had six significant digits: 10451.75 h read 10451.8 beside the
    summary line's and the CSV's 10451.75 (one command, two figures)."""
    assert render.cell(value) == shown
