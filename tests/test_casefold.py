"""Case aside means str.casefold on both backends: SQLite's lower() folds only A-Z and
PostgreSQL's folds É and Ø but not ß, so before, "Émile" or "ÉQUIPE" was found on one backend
and not the other. SQL says trainctl_fold(x) (dbfile.FOLD_FUNCTION): a Python function on
every SQLite connection, an immutable SQL function on PostgreSQL. Through the real CLI, on
whichever backend the suite runs (TRAINCTL_TEST_BACKEND).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from trainctl.dbfile import postgres_fold_function
from trainctl.queries import open_reader

AS_OF = ("--as-of", "2026-12-31")
TRICKY = ["É", "Ø", "ß", "ẞ", "Σ", "ς", "ﬁ", "İ", "K", "ſ", "Ꭰ", "ǅ", "Ω", "µ", "ŉ", "ΐ"]


def test_the_sql_fold_is_python_casefold(cli, db_url):
    cli("member", "list")  # creates the database
    words = ["Émile ØSTERGÅRD", "STRAßE", "Straße", "ΣΊΣΥΦΟΣ", "ﬁre", "İstanbul", "plain", "ASCII Only, A-Z", *TRICKY]
    with open_reader(db_url if "://" in db_url else f"sqlite:///{db_url}") as rd:
        for word in words:
            assert rd.scalar("SELECT trainctl_fold(:w)", {"w": word}) == word.casefold(), word
        assert rd.scalar("SELECT trainctl_fold(NULL)") is None


def test_the_postgres_function_covers_every_code_point_python_folds():
    """The PostgreSQL function is generated from Python's own tables: every code point that
    str.casefold changes is in it, mapped to what casefold gives."""
    sql = postgres_fold_function()
    changed = [
        chr(c) for c in range(1, sys.maxunicode + 1)
        if not 0xD800 <= c <= 0xDFFF and chr(c).casefold() != chr(c)
    ]  # fmt: skip
    assert len(changed) > 1400 and all(c in sql for c in changed)
    assert "replace($1, 'ß', 'ss')" in sql or "'ß', 'ss')" in sql


@pytest.fixture
def people(cli):
    cli("member", "add", "Émile Ørsted", "--email", "ÉMILE.ØRSTED@fd.org", "--badge", "É-7")
    cli("member", "add", "Jörg Straße", "--email", "straße@fd.org")
    return cli


@pytest.mark.parametrize("ref", ["émile.ørsted@fd.org", "ÉMILE.ØRSTED@FD.ORG", "Émile.Ørsted@Fd.Org"])
def test_member_lookup_by_email_ignores_the_case_of_accented_letters(people, ref):
    shown = people("--format", "json", "member", "show", ref).json
    assert shown["email"] == "émile.ørsted@fd.org" and shown["name"] == "Émile Ørsted"


@pytest.mark.parametrize("ref", ["STRASSE@FD.ORG", "strasse@fd.org", "STRAẞE@fd.org"])
def test_an_email_names_its_member_by_casefold(people, ref):
    """ß folds to ss (str.casefold): the exact, indexed match misses, the fold finds her."""
    assert people("--format", "json", "member", "show", ref).json["name"] == "Jörg Straße"


def test_record_entry_and_import_match_emails_by_casefold(people, tmp_path: Path):
    people("requirement", "add", "--name", "Drill hours", "--type", "hours", "--hours", "4",
           "--counts-type", "drill")  # fmt: skip
    people("program", "create", "Équipe Ø")
    people("program", "requirement", "add", "ÉQUIPE ø", "Drill hours")
    people("program", "activate", "équipe Ø")
    people("--as-of", "2026-01-01", "enroll", "bulk", "ÉQUIPE Ø",
           "--members", "ÉMILE.ØRSTED@FD.ORG,STRASSE@fd.org")  # fmt: skip
    people(*AS_OF, "record", "add", "--members", "Émile.Ørsted@fd.org,STRAẞE@FD.ORG",
           "--course", "Échelle", "--type", "drill", "--date", "2026-03-04", "--hours", "2")  # fmt: skip
    sheet = tmp_path / "drill.csv"
    sheet.write_text(
        "email,course,date,hours,type\n"
        "ÉMILE.ØRSTED@FD.ORG,Échelle,2026-03-05,1,drill\n"
        "STRASSE@FD.ORG,Échelle,2026-03-05,1,drill\n",
        encoding="utf-8",
    )
    r = people(*AS_OF, "record", "import", str(sheet))
    assert "2 added" in r.stderr, r
    for enrollment in ("1", "2"):
        rows = people("--format", "json", "enroll", "show", enrollment).json["requirements"]
        assert rows[0]["value"] == 3
    # the record filters fold the same way
    for course in ("ÉCHELLE", "échelle"):
        listed = people("--format", "json", "record", "list", "--course", course).json
        assert len(listed) == 4, course


def test_requirement_and_program_names_match_by_casefold_and_stay_unique(people, snapshot):
    people("requirement", "add", "--name", "Évaluation Straße", "--type", "hours", "--hours", "2")
    for ref in ("ÉVALUATION STRASSE", "évaluation straße", "evaluation straße"[:0] + "ÉVALUATIONSTRAẞE"):
        assert people("--format", "json", "requirement", "show", ref).json["name"] == "Évaluation Straße"
    before = snapshot()
    r = people("requirement", "add", "--name", "ÉVALUATION STRASSE", "--type", "hours",
               "--hours", "2", ok=False)  # fmt: skip
    assert r.exit_code != 0 and "Évaluation Straße" in r.stderr, r
    assert snapshot() == before

    people("program", "create", "Équipe Ørsted")
    assert people("--format", "json", "program", "show", "ÉQUIPE ØRSTED").json["name"] == "Équipe Ørsted"
    before = snapshot()
    r = people("program", "create", "ÉQUIPE ØRSTED", ok=False)
    assert r.exit_code != 0, r
    assert snapshot() == before


def test_member_import_matches_existing_members_by_casefold(people, tmp_path: Path, snapshot):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,badge\nÉmile Ørsted,ÉMILE.ØRSTED@FD.ORG,É-7\nJörg Straße,straße@FD.ORG,\n",
        encoding="utf-8",
    )
    r = people("member", "import", "--csv", str(roster))
    assert "0 added, 0 updated, 2 unchanged" in r.stderr, r
    # ß spelled ss: the same member (not a second one), whose stored spelling differs
    roster.write_text("name,email\nJörg Straße,STRASSE@FD.ORG\n", encoding="utf-8")
    before = snapshot()
    r = people("member", "import", "--csv", str(roster), ok=False)
    assert r.exit_code == 65 and "member 2 (Jörg Straße, straße@fd.org)" in r.stderr, r
    assert "add --update" in r.stderr and snapshot() == before
    r = people("member", "import", "--csv", str(roster), "--update")
    assert "0 added, 1 updated" in r.stderr, r
    assert people("--format", "json", "member", "show", "2").json["email"] == "strasse@fd.org"
    assert len(people("--format", "json", "member", "list").json) == 2


@pytest.mark.parametrize("ref", ["Échelle", "ÉCHELLE", "échelle", "Fußweg", "FUSSWEG"])
def test_an_alias_with_letters_beyond_ascii_names_its_requirement(cli, ref):
    """Aliases are stored as JSON, which escapes É as \\u00c9: before, such an alias was
    never found, whatever its spelling."""
    cli("requirement", "add", "--name", "Ladder", "--type", "hours", "--hours", "2",
        "--alias", "Échelle", "--alias", "Fußweg")  # fmt: skip
    cli("requirement", "add", "--name", "Pump", "--type", "hours", "--hours", "2", "--alias", "pompe")
    assert cli("--format", "json", "requirement", "show", ref).json["name"] == "Ladder"
    assert cli("--format", "json", "requirement", "show", "POMPE").json["name"] == "Pump"


@pytest.mark.parametrize("email", ["strasse@fd.org", "STRASSE@FD.ORG", "STRAẞE@fd.org"])
def test_member_add_and_edit_refuse_an_email_another_member_holds_by_casefold(people, snapshot, email):
    """Lookups fold (STRASSE@ names straße@), so a second member whose e-mail folds the same
    would make a lookup name one or the other by spelling: refused, naming the holder, as
    `member import` matches them. Nothing written."""
    before = snapshot()
    r = people("member", "add", "Hans Strasse", "--email", email, ok=False)
    assert r.exit_code == 65 and "already belongs to member 2 (Jörg Straße" in r.stderr
    assert snapshot() == before
    r = people("member", "edit", "ÉMILE.ØRSTED@fd.org", "--email", email, ok=False)
    assert r.exit_code == 65 and "already belongs to member 2 (Jörg Straße" in r.stderr
    assert snapshot() == before
