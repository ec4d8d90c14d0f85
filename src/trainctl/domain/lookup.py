"""How people name things, as one rule each (pure). The SQL resolvers in queries/ and the
in-memory matching on the write side both follow these."""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2**63 - 1  # beyond a 64-bit integer no row can match: "no such ..."


def as_id(text: str | int) -> int | None:
    """The id a reference names when it is a plain number that fits a database integer."""
    value = str(text).strip()
    if value.startswith("#"):
        value = value[1:]
    if not (value.isascii() and value.isdigit()):  # "٤", "４" and "²" are digits too
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
    text = ref.strip()
    if id is not None and as_id(text) == id:
        return True
    key = norm(text)
    return key in {norm(name), norm(registry_code or ""), *(norm(a) for a in aliases)} - {""}
