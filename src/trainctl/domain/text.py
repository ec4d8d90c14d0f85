"""Text that is a name, and text that only looks like one (pure).

Real names keep every letter: accents, apostrophes, hyphens, non-Latin scripts, right-to-left
scripts, and the zero-width (non-)joiners some scripts need. Refused: NUL and other control
characters (an ESC sequence would reach the terminal raw), bidirectional overrides (they
reorder what a screen shows), and names made only of blank or invisible characters.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache

_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored as typed text, or None."""
    if text.isascii() and text.isprintable():  # most of a roster: no control, no override
        return None if text.strip() else "must not be blank (it has only blank or invisible characters)"
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        if ch in "\r\n":
            return line_break(ch)
        if unicodedata.category(ch) == "Cc":
            return f"contains a control character (U+{ord(ch):04X}); retype it as plain text"
        if ch in _BIDI_CONTROLS:
            return f"contains a text-direction override (U+{ord(ch):04X}); retype it as plain text"
    if not visible(text):
        return "must not be blank (it has only blank or invisible characters)"
    return None


REASON_LIMIT = 500  # characters in a typed reason or note (domain/sheet.MAX_TEXT for cells)


def reason_problem(text: str) -> str | None:
    """Why a reason or note typed on the command line (--reason of a void, a hold, a
    withdrawal, a waiver, a deactivation; --note in the ledger) cannot be kept, or None.
    It is printed back to every later reader (`enroll show`, `progress log`, `member
    show`): one line of plain text, not a page."""
    if len(text) > REASON_LIMIT:
        return f"is {len(text):,} characters long; at most {REASON_LIMIT} are allowed"
    return problem(text)


def check_reason(option: str, text: str | None) -> str | None:
    """`text` stripped, or a BadInputError (exit 65) naming the option: the one check of
    every typed reason and note. A blank one is None: a command that needs a reason says so."""
    if text is None or not text.strip():
        return None
    why = reason_problem(text.strip())
    if why is not None:
        from trainctl.errors import BadInputError

        raise BadInputError(f"{option} {why}.", f"Give {option} again as one line of plain text.")
    return text.strip()


def echo(text: str, limit: int = 60) -> str:
    """A value read from a file, as a message names it: as typed when it is plain text of a
    readable length, else escaped (repr: an ESC sequence or a direction override never
    reaches the terminal) and cut to its start with its length ("'9999…' (100,000
    characters)": an error does not print a 100 KB cell back)."""
    if len(text) > limit:
        return f"{text[:limit]!r}… ({len(text):,} characters)"
    return text if problem(text) is None else repr(text)


def quoted(text: str, limit: int = 60) -> str:
    """`echo`, always quoted: 'F-999', or its start and length when long."""
    return f"{text[:limit]!r}… ({len(text):,} characters)" if len(text) > limit else repr(text)


def shell_word(value: object) -> str:
    """`value` as one word of a command a message suggests (`trainctl program activate
    "O'Brien Academy@1"`): the one rule for a name, code, file or URL put into a hint, so
    that the line copied into a shell gives the command exactly that argument. Plain words
    stay bare (EMT@2, F-006); anything else is quoted as shlex.quote quotes it ('Recruit
    Academy@2', 'Station $2 `x`'), except a value with an apostrophe and nothing a shell
    reads inside double quotes ($ ` \\ " !), which reads better in double quotes than as
    '\\''-splices."""
    import shlex

    text = str(value)
    if "'" in text and not any(c in text for c in '"$`\\!'):
        return f'"{text}"'
    return shlex.quote(text)


def line_break(text: str) -> str | None:
    """Why a one-line value holding a line break cannot be kept, or None. In a file the
    break is, more often than not, a quote opened in the value and never closed: the csv
    reader took the lines after it into the value. `problem` applies it to typed text; the
    sheet readers to every cell of a row, read or not (domain/sheet.line_breaks), so that a
    column nobody reads never swallows the rows below it without a word."""
    for ch in text:
        if ch in "\r\n":
            return (
                f"contains a line break (U+{ord(ch):04X}); retype it on one line (in a CSV file, "
                "a quote opened in this value and not closed takes in the lines after it: close "
                'it, or write "" for a quote inside a value)'
            )
    return None


def visible(text: str) -> str:
    """The text as a reader sees it: invisible format characters dropped, spaces folded."""
    if text.isascii():  # (ASCII has no format characters)
        return " ".join(text.split())
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


# A CSV cell a spreadsheet would run as a formula (OWASP "CSV injection"): trainctl writes
# text starting with one of these behind an apostrophe (cli/render.csv_cell), and reads the
# apostrophe back off (`unguarded`), so a listing imports back as it was.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unguarded(text: str) -> str:
    """A cell as it was before a CSV writer guarded it: "'+Plus Name" is "+Plus Name",
    "'-5" is "-5"; an apostrophe before anything else ("'Tis") is the text's own. A cell
    that is exactly `="..."` is its inner text: Excel's way to keep a badge's leading
    zeros (`="0042"` is 0042), stored as the formula otherwise."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    if text.startswith('="') and len(text) >= 3 and text.endswith('"') and '"' not in text[2:-1]:
        return text[2:-1].strip()
    return text


# Invisible characters no name needs, which a copy from a web page or a file glued after
# another (its BOM mid-file) leaves in: zero width no-break space (BOM), zero width space,
# word joiner. Kept: the zero width (non-)joiners some scripts need (U+200C, U+200D).
_INVISIBLE = str.maketrans(dict.fromkeys("\ufeff\u200b\u2060"))


def name_text(text: str) -> str:
    """A name (a member's, a requirement's) as it is stored: without the invisible
    characters no name needs ("\ufeffZed Zulu" could be found by no one typing "Zed Zulu",
    and "CPR" + U+200B was a second requirement beside CPR), spaces folded, composed (NFC:
    "José" typed as e + a combining accent is the same name)."""
    if text.isascii():
        return " ".join(text.split())
    return unicodedata.normalize("NFC", " ".join(text.translate(_INVISIBLE).split()))


# Dashes a word processor or a phone types for '-' (hyphen, non-breaking hyphen, figure,
# en and em dash, minus sign, small and full-width hyphen-minus).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"))


def code_text(text: str) -> str:
    """A code (a badge, a course or credential code) as lookups read it: invisible format
    characters dropped (a zero-width space pasted after LAD-1 made a free course name no
    requirement counts; review), a typographic dash read as '-', full-width letters and
    digits as plain ones (NFKC). A code is no name: it needs none of them."""
    if text.isascii():
        return text
    kept = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return kept.translate(_DASHES)


def likeness_key(text: str) -> str:
    """Two names with the same key look the same on screen (case and invisibles aside)."""
    return visible(unicodedata.normalize("NFC", text)).casefold()


# Words after a surname that are not the surname ("Luis Ortega Jr.").
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "esq"})


def _sort_text(text: str) -> str:
    """Case and accents aside ("Núñez" files with "Nunez")."""
    decomposed = unicodedata.normalize("NFKD", visible(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def word_list(name: str) -> list[str]:
    """The words of a name in order, case and accents aside, anything but a letter or a
    digit a break ("ISO-HAZMAT": iso, hazmat)."""
    plain = _sort_text(name)
    return "".join(ch if ch.isalnum() else " " for ch in plain).split()


def name_words(name: str) -> frozenset[str]:
    """The words of a name, case and accents aside (Zoë, Zoe and Zoe + U+0308 are one;
    "Holm, Rita" has Rita Holm's words): `word_list`, as a set."""
    return frozenset(word_list(name))


def words_match(x: frozenset[str], y: frozenset[str]) -> bool:
    """Two names' words (`name_words`) write one person's name: every word of the shorter
    in the longer, in any order ("Holm, Rita" and "Rita M. Holm" are Rita Holm)."""
    return bool(x and y) and (x <= y or y <= x)


def same_name(a: str, b: str) -> bool:
    """`words_match` for two names as written."""
    return words_match(name_words(a), name_words(b))


def roster_key(name: str, member_id: int = 0) -> tuple[str, str, int]:
    """How rosters sort: last name, then first names, then id. A member's name is one
    field, so the last name is found as people write it: "Last, First" when there is a
    comma, else the last word that is not a suffix (Jr., Sr., II, III, IV, PhD), so
    "José Núñez-García" files under N and "Luis Ortega Jr." under O. Case and accents
    do not count."""
    if "," in name:
        last, _, first = name.partition(",")
        return _sort_text(last), _sort_text(first), member_id
    words = name.split()
    cut = len(words) - 1
    while cut > 0 and words[cut].rstrip(".").casefold() in NAME_SUFFIXES:
        cut -= 1
    if cut < 0:
        return "", "", member_id
    last = words[cut]
    first = " ".join(words[:cut] + words[cut + 1 :])
    return _sort_text(last), _sort_text(first), member_id


def spoken_name(name: str) -> str:
    """A name as a letter greets its member: "Last, First", as a roster exported from a
    spreadsheet writes it (and `roster_key` files it), is "First Last" ("Marsh, Ann" is
    Ann Marsh); a comma before a suffix ("Luis Ortega, Jr."), more than one comma or an
    empty side leave the name as written."""
    last, comma, first = name.partition(",")
    if not comma or "," in first or not last.strip() or not first.strip():
        return name
    if first.strip().rstrip(".").casefold() in NAME_SUFFIXES:
        return name
    return f"{' '.join(first.split())} {' '.join(last.split())}"


# ------------------------------------------------------------------------------- counts
def word_for(n: float, word: str, many: str | None = None) -> str:
    """`word` as a count of `n` takes it: "record" for 1, "records" otherwise (`many` for
    a plural not made with an s)."""
    return word if n == 1 else (many or f"{word}s")


def a_or_an(word: str) -> str:
    """ "an hours", "a certification", "an annual": a requirement type, frequency or source
    with its article (an "h" takes "an" only in "hours"; a "u" sounds as in "unit")."""
    w = word.lower()
    return f"{'an' if w[:1] in 'aeio' or w == 'hours' else 'a'} {word}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 record", "0 records", "3 records": what every summary line counts with (never
    "record(s)")."""
    return f"{n} {word_for(n, word, many)}"


@lru_cache(maxsize=4096)
def hours_text(x: float) -> str:
    """An hours figure (or any figure shown like one) as every report writes it: to two
    decimals at most, without trailing zeros, never in exponent form ("10995.25", not
    "10995.2"; "1000000", not "1e+06"; "1.5"; "0"). Remembered: a report writes the same
    few figures over and over (the compliance matrix, 19,000 times for 10,000 cells)."""
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def later_day_hint(verb: str | None, since: date, department_day: date) -> str:
    """The hint of a change refused as dated before `since`: give a later --as-of; and
    leave --as-of out only when the department's own day (`department_day`, today
    without --as-of) is late enough: something dated ahead of today (entered under a
    later --as-of: an enrollment made on Saturday night as of Monday's academy) is not
    reached by leaving it out. `verb` names the change ("Verify it as of ..."); without
    one, "Give --as-of ... or later"."""
    later = since <= department_day
    if verb is None:
        return f"Give --as-of {since} or later{', or leave --as-of out' if later else ''}."
    return f"{verb} it as of {since} or later (--as-of){', or without --as-of' if later else ''}."


def hired_after(name: str, hired: date | None, day_word: str, day: date | None, done: str, check: str) -> str | None:
    """The notice for something dated before its member's hire date (a typo in the date, or
    a pre-hire academy): kept as given, and said. `day_word` names the day ("the record's
    date"), `done` what was done ("recorded as given"), `check` what to look at. None when
    it is not before. One wording for records, cards, shifts, calls and enrollments."""
    if hired is None or day is None or not hired > day:
        return None
    return f"{name} was hired on {hired}, after {day_word} {day}: {done}; {check}."
