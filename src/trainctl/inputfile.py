"""A user's input file read whole, bounded: a roster, a class list, a registry, a program
file, an --hour-categories @FILE. `member import --csv /dev/zero` grew to gigabytes and
ended in a MemoryError (exit 70); the sheet imports read a line at a time
(domain/sheet.LINE_LIMIT), and these whole-file reads stop at INPUT_LIMIT.
"""

from __future__ import annotations

from typing import Any

from trainctl.errors import BadInputError

# a roster of 20,000 members is about 2 MB, the NFPA registry 40 kB: a file past this is
# not one of them (a device, a disk image, the wrong file)
INPUT_LIMIT = 64 * 1024 * 1024


def read_input(source: Any, label: str | None = None, limit: int = INPUT_LIMIT) -> bytes:
    """The bytes of `source` (a Path, or a package resource), refused past `limit` bytes
    (BadInputError, exit 65) after reading no more than one byte beyond it. An OSError
    (missing, a folder, no permission) is the caller's to word."""
    with source.open("rb") as fh:
        data: bytes = fh.read(limit + 1)
    if len(data) > limit:
        raise BadInputError(
            f"{label or source} is larger than {limit // (1024 * 1024)} MiB: not a file trainctl "
            "reads (a roster of 20,000 members is about 2 MB); nothing was written.",
            "Check the path: is it the file you meant?",
        )
    return data
