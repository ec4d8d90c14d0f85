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
