"""`report iso` at department scale (bench/iso.py): the year's cells are judged again from
the members' facts a part of the department at a time (queries/compliance.py `_matrix`
`each_part`, queries/reports.py `IsoCells`), each part's facts let go once shaped, and the
officers' item reads only the cards and class records that can certify an officer
(`holding_cards`), not every officer's whole training history. The report is the same,
byte for byte, whatever the parts."""

from __future__ import annotations

from datetime import date

from trainctl.queries import compliance as qc

# the demo's department (as of 2025-06-02): a whole year, and one still running
YEARS = (("2024", "2025-06-02"), ("2025", "2025-06-02"), ("2025", "2025-03-31"))


def _reports(cli, db) -> list[tuple[str, str]]:
    out = []
    for year, day in YEARS:
        for fmt in ("json", "csv", "table"):
            r = cli("--db", str(db), "report", "iso", "--year", year, "--as-of", day, "--format", fmt)
            out.append((r.stdout, r.stderr))
    return out


def test_a_year_judged_in_parts_gets_the_report_it_gets_at_once(cli, demo_db, monkeypatch):
    """The demo's 14 members two at a time (seven parts: a part's last member and the
    next part's first on either side of every boundary) against all of them at once."""
    at_once = _reports(cli, demo_db)
    monkeypatch.setattr(qc, "MEMBERS_AT_ONCE", 2)
    assert _reports(cli, demo_db) == at_once
    assert all(out.count("\n") > 20 for out, _ in at_once)


def test_each_part_is_shaped_while_its_facts_are_held_then_let_go(demo_db, monkeypatch):
    """A year's matrix with `each_part`: each part's cells given in order, with their
    members' facts (what from_its_start and while_subject judge again), and the members
    it keeps have none left; the report is the one `iso_report` makes of the cells kept
    whole (the matrix without `each_part`, read at once)."""
    from trainctl.permissions import OWNER
    from trainctl.queries import open_reader
    from trainctl.queries.reports import IsoCells, iso_report

    day, first = date(2025, 6, 2), date(2025, 1, 1)
    with open_reader(f"sqlite:///{demo_db}") as rd:
        rows = qc.iso_rows(rd)
        officers = qc.officer_certification(rd, day)
        whole = qc.matrix(rd, OWNER, as_of=day, rows=rows, with_year=True, year_from=first)
        monkeypatch.setattr(qc, "MEMBERS_AT_ONCE", 2)
        parts: list[list[int]] = []
        held: list[int] = []
        shaped = IsoCells(first, officers)

        def each(cells):
            parts.append(list(dict.fromkeys(e.member.id for e in cells)))  # in order
            held.append(sum(len(e.member.facts) for e in cells))
            shaped.add(cells)

        m = qc.matrix(rd, OWNER, as_of=day, rows=rows, with_year=True, year_from=first, each_part=each)
    assert len(whole.members) == 14 and len(parts) == 7 and all(len(p) == 2 for p in parts)
    ids = [x.id for x in whole.members]
    assert parts == [ids[i : i + 2] for i in range(0, 14, 2)]
    assert sum(held) > 100  # the facts were there to judge again
    assert all(x.facts == () for x in m.members) and all(e.member.facts == () for e in m.cells)
    assert iso_report(m, 2025, day, "ed", editions=(), shaped=shaped) == iso_report(
        whole, 2025, day, "ed", officers
    )


def test_the_officers_item_reads_only_what_can_certify_an_officer(cli, db_url):
    """Olive's officer certification is a class record of the Pro Board Fire Officer I
    course the department coded in lower case ("pb-fo1": folded as the evaluator folds
    codes); her other training, and Frank's, is none of the officers' item's business
    and is not read for it. She is certified, and the report says so."""
    cli("--as-of", "2024-01-01", "import", "iso")
    for name, email in (("Olive Officer", "olive@fd.org"), ("Frank Firefighter", "frank@fd.org")):
        cli("--as-of", "2024-01-01", "member", "add", name, "--email", email, "--position",
            "officer" if name.startswith("Olive") else "firefighter", "--hire-date", "2015-01-10")  # fmt: skip
    cli("course", "add", "--code", "pb-fo1", "--name", "Fire Officer I (state)", "--type", "class",
        "--hours", "40")  # fmt: skip
    cli("course", "add", "--code", "HM-1", "--name", "Hazmat", "--type", "class", "--hours", "6")
    cli("--as-of", "2030-01-01", "record", "add", "olive@fd.org", "--course", "pb-fo1", "--date",
        "2021-04-01")  # fmt: skip
    for who in ("olive@fd.org", "frank@fd.org"):
        cli("--as-of", "2030-01-01", "record", "add", who, "--course", "HM-1", "--date", "2025-03-01",
            "--category", "officer", "--hours", "12")  # fmt: skip
    cli("--as-of", "2025-01-02", "cert", "add", "frank@fd.org", "FF1", "--issued", "2019-01-01")
    from trainctl.queries import open_reader

    day = date(2025, 12, 31)
    with open_reader(db_url if "://" in db_url else f"sqlite:///{db_url}") as rd:
        _, cards = qc.officer_certification(rd, day)
    assert {mid: {k: [f.course_code or f.credential_code for f in fs] for k, fs in kinds.items()}
            for mid, kinds in cards.items()} == {1: {"training": ["pb-fo1"]}}  # fmt: skip
    data = cli("report", "iso", "--year", "2025", "--as-of", "2026-02-01", "-f", "json").json
    olive = next(r for r in data["rows"] if r["item"] == "ISO-OFFICER-CE" and r["member_id"] == 1)
    assert (olive["status"], olive["certified"], olive["note"]) == (
        "met", True, "certified: pb-fo1 held, no expiry"
    )


def test_the_rows_written_one_at_a_time_are_the_json_written_at_once(capsys):
    """`report iso --format json` writes its rows a batch at a time (render.py
    `emit_json_with_rows`): the text `emit_json` writes of the whole, byte for byte,
    whatever the values (text with quotes, accents and line breaks, whole and other
    floats, dates, none, nested lists and objects, an empty object), and with no rows."""
    from trainctl.cli import render

    rows = [
        {"member_id": i, "member": f'Zoë "Z" Ødegård\n{i}', "value": 12.0 + i / 8, "target": 16.0,
         "pct": float("inf") if i == 3 else 100, "window_start": date(2025, 1, i % 28 + 1),
         "certified": [None, True, False][i % 3], "note": None, "nested": [{"a": [1, 2]}, []] if i == 2 else {}}
        for i in range(4500)
    ]  # fmt: skip
    rows.insert(7, {})
    for data in ({"year": 2025, "items": [{"item": "X", "n": 1.5}], "rows": rows},
                 {"year": 2025, "editions": [], "rows": []}):  # fmt: skip
        render.emit_json(data)
        at_once = capsys.readouterr().out
        for batch in (2000, 7, 1):  # batches of rows, the last one short
            render.emit_json_with_rows(data, "rows", at_once=batch)
            assert capsys.readouterr().out == at_once, batch
