"""domain/text.py's name rules, table-tested: when two ways of writing a name are one
person's (the name column of an enrollment file is checked, and names a lost row)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainctl.domain.text import (
    hours_text,
    name_words,
    plural,
    problem,
    same_name,
    shell_word,
    spoken_name,
    visible,
    word_for,
    words_match,
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Rita Holm", "Rita Holm", True),
        ("Holm, Rita", "Rita Holm", True),  # surname first
        ("RITA HOLM", "rita holm", True),  # case
        ("Rita M. Holm", "Rita Holm", True),  # a middle initial
        ("Zoë Núñez", "Zoe Nunez", True),  # accents
        ("Zoe\u0308 Nun\u0303ez", "Zoë Núñez", True),  # combining marks
        ("José Núñez-García", "Jose Nunez Garcia", True),  # a hyphen is a word break
        ("Rita Holm", "Rita Holmes", False),
        ("Sam Okafor", "Eve Stone", False),
        ("", "Rita Holm", False),  # no words: nothing to match
        ("---", "Rita Holm", False),
    ],
)
def test_same_name(a, b, same):
    assert same_name(a, b) is same
    assert same_name(b, a) is same  # symmetric


@given(st.text(max_size=30), st.text(max_size=30))
def test_words_match_is_the_rule_of_same_name(a, b):
    assert same_name(a, b) == words_match(name_words(a), name_words(b))
    if name_words(a):
        assert same_name(a, a)


@pytest.mark.parametrize(
    ("n", "word", "many", "text"),
    [
        (1, "record", None, "1 record"),
        (0, "record", None, "0 records"),
        (2, "progress row", None, "2 progress rows"),  # the last word takes the s
        (1, "new shift", None, "1 new shift"),
        (3, "category", "categories", "3 categories"),
        (1, "category", "categories", "1 category"),
    ],
)
def test_counts_read_as_english_never_record_s(n, word, many, text):
    assert plural(n, word, many) == text
    assert word_for(n, word, many) == text.split(" ", 1)[1]


def test_a_fractional_count_is_plural():
    assert word_for(1.0, "hour") == "hour" and word_for(0.5, "hour") == "hours"


def _visible_by_the_letter(text: str) -> str:
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cf").split())


def _problem_by_the_letter(text: str, multiline: bool) -> str | None:
    """The rule character by character, as problem() judged every name before its ASCII
    shortcut (a roster of 100,000 rows spent 3 s of 13 s here)."""
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        if ch in "\r\n" or unicodedata.category(ch) == "Cc":
            return "control"
        if 0x202A <= ord(ch) < 0x202F or 0x2066 <= ord(ch) < 0x206A:
            return "override"
    return None if _visible_by_the_letter(text) else "blank"


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=20) | st.text(max_size=20), st.booleans())
def test_the_ascii_shortcut_judges_as_the_rule_does(text, multiline):
    got = problem(text, multiline=multiline)
    want = _problem_by_the_letter(text, multiline)
    assert (got is None) == (want is None), (text, got, want)
    if want == "blank":
        assert got is not None and "blank" in got
    assert visible(text) == _visible_by_the_letter(text)


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (10995.25, "10995.25"),  # 61 members x 180.25 h (`:g` wrote 10995.2)
        (1_000_000, "1000000"),  # never 1e+06
        (12345.756, "12345.76"),
        (1.5, "1.5"),
        (2.0, "2"),
        (0.1 + 0.2, "0.3"),
        (0, "0"),
        (-0.001, "0"),  # no "-0"
    ],
)
def test_hours_print_to_two_decimals_at_most_and_never_as_an_exponent(x, text):
    assert hours_text(x) == text


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("Marsh, Ann", "Ann Marsh"),  # a spreadsheet's "Last, First"
        ("Ortega Jr.,  Luis", "Luis Ortega Jr."),
        ("Luis Ortega, Jr.", "Luis Ortega, Jr."),  # a suffix after the comma: as written
        ("Ann Marsh", "Ann Marsh"),
        ("Smith, John, Jr.", "Smith, John, Jr."),  # two commas: as written
        ("Marsh,", "Marsh,"),
    ],
)
def test_spoken_name(name, spoken):
    assert spoken_name(name) == spoken


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("EMT@2", "EMT@2"),  # a plain word stays bare
        ("Recruit Academy@2", "'Recruit Academy@2'"),
        ("O'Brien Academy@1", '"O\'Brien Academy@1"'),  # an apostrophe reads best in double quotes
        ("Station $2 `x`@1", "'Station $2 `x`@1'"),  # $ and ` never inside double quotes
        ("O'Brien $2", "'O'\"'\"'Brien $2'"),  # both: shlex.quote's splice
        ("Go!", "'Go!'"),  # (bash expands ! inside double quotes at a prompt)
        ("", "''"),
    ],
)
def test_a_value_in_a_suggested_command_is_one_shell_word(value, word):
    import shlex
    import subprocess

    assert shell_word(value) == word
    assert shlex.split(f"x {word}") == ["x", value]
    shown = subprocess.run(["sh", "-c", f"printf '%s' {word}"], capture_output=True, text=True, check=True)
    assert shown.stdout == value


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_any_text_is_one_shell_word(value):
    import shlex

    assert shlex.split(shell_word(value)) == [value]
