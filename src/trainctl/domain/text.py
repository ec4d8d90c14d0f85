"""Text that is a name, and text that only looks like one (pure).

Real names keep every letter: accents, apostrophes, hyphens, non-Latin scripts, right-to-left
scripts, and the zero-width (non-)joiners some scripts need. Refused: NUL and other control
characters (an ESC sequence would reach the terminal raw), bidirectional overrides (they
reorder what a screen shows), and names made only of blank or invisible characters.
"""

from __future__ import annotations

import unicodedata

_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored as typed text, or None."""
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        if unicodedata.category(ch) == "Cc":
            return f"contains a control character (U+{ord(ch):04X}); retype it as plain text"
        if ch in _BIDI_CONTROLS:
            return f"contains a text-direction override (U+{ord(ch):04X}); retype it as plain text"
    if not visible(text):
        return "must not be blank (it has only blank or invisible characters)"
    return None


def visible(text: str) -> str:
    """The text as a reader sees it: invisible format characters dropped, spaces folded."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


def likeness_key(text: str) -> str:
    """Two names with the same key look the same on screen (case and invisibles aside)."""
    return visible(unicodedata.normalize("NFC", text)).casefold()
