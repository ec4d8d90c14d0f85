"""How people name things, as one rule each (pure). The SQL resolvers in queries/ and the
in-memory matching on the write side both follow these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trainctl.domain.text import name_text

MAX_ID = 2**63 - 1  # beyond a 64-bit integer no row can match: "no such ..."


def ref_text(ref: str | int) -> str:
    """A reference as every lookup reads it: cleaned by the rule names are stored with
    (domain.text.name_text), so what was dropped on the way in is dropped on the way out.
    "CPR" with a zero-width space pasted after it, a no-break space between two words, a
    trailing space, or "José" typed with a combining accent name what "CPR", "SCBA
    refresher" and "José" name. The resolvers of requirements, programs, courses, skills,
    members and positions start here."""
    return name_text(str(ref))


def as_id(text: str | int) -> int | None:
    """The id a reference names when it is a plain number that fits a database integer."""
    value = str(text).strip()
    if value.startswith("#"):
        value = value[1:]
    if not (value.isascii() and value.isdigit()):  # "٤", "４" and "²" are digits too
        return None
    if len(value.lstrip("0")) > len(str(MAX_ID)):  # and int() of 4,301 digits raises
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def norm(text: str) -> str:
    """Names and codes compare without regard to case and spaces ("nfpa 1001" = "NFPA1001"),
    case by str.casefold ("Straße" = "STRASSE"), as SQL's trainctl_fold (dbfile.FOLD_FUNCTION)."""
    return text.replace(" ", "").casefold()


def requirement_matches(
    ref: str, *, id: int | None, name: str, registry_code: str | None, aliases: Iterable[str] = ()
) -> bool:
    """A requirement reference: its id, registry code, name or one of its aliases."""
    text = ref_text(ref)
    if id is not None and as_id(text) == id:
        return True
    key = norm(text)
    return key in {norm(name), norm(registry_code or ""), *(norm(a) for a in aliases)} - {""}


def nearest(keys: Sequence[str], text: str, n: int, cutoff: float = 0.8) -> list[str]:
    """The keys spelled near `text` (difflib's ratio, as difflib.get_close_matches, best
    first). When more than `n` are near (a numbered roster: "Recruit 0001 Persn" is near
    every "Recruit 00.. Person"), only the nearest: the one spelling it is a letter away
    from, rather than none at all."""
    import difflib  # (on a miss only: not on every command's start)

    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(text)
    scored: list[tuple[float, str]] = []
    for key in keys:
        matcher.set_seq1(key)
        if (matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff
                and (score := matcher.ratio()) >= cutoff):  # fmt: skip
            scored.append((score, key))
    if len(scored) > n:
        best = max(score for score, _ in scored)
        scored = [(score, key) for score, key in scored if score == best]
    return [key for _, key in sorted(scored, reverse=True)]



def offered(text: str, names: Iterable[str], n: int = 3, cutoff: float = 0.8) -> list[str]:
    """The names a reference that named nothing may have meant, best first: the one rule
    the "Did you mean" of the program, course and requirement lookups follows.

    1. Names that START with or CONTAIN the words typed, case and accents aside: "EMT
       Recert" offers EMT Recertification, "hazmat" Hazmat Operations Refresher and
       ISO-HAZMAT. Those starting with the text come first, then those with a word
       starting with each word typed, then those containing each. At most `n`; when more
       fit, the first of those groups if it is no larger, else none (a word half the
       catalog holds names nothing).
    2. Else the `n` names spelled nearest the text (`nearest`, `cutoff`), case and spacing
       aside: "Probationary Firefightr", "NFPA 1010" (NFPA 1500, 1041, 1021).
    On a miss only: one pass over the names."""
    from trainctl.domain.text import word_list

    typed = word_list(text)
    if not typed:
        return []
    names = list(dict.fromkeys(names))
    whole = " ".join(typed)
    starts: list[str] = []
    word_starts: list[str] = []
    contains: list[str] = []
    for name in names:
        words = word_list(name)
        joined = " ".join(words)
        if joined.startswith(whole):
            starts.append(name)
        elif all(any(w.startswith(t) for w in words) for t in typed):
            word_starts.append(name)
        elif all(t in joined for t in typed):
            contains.append(name)
    fits = starts + word_starts + contains
    if fits:
        if len(fits) > n:
            fits = next(group for group in (starts, word_starts, contains) if group)
        return fits if len(fits) <= n else []
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(" ".join(name.split()).casefold(), name)
    return [by_key[k] for k in nearest(list(by_key), " ".join(text.split()).casefold(), n, cutoff)][:n]
