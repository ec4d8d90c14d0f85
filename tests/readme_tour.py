"""The README's shell commands, in order, as argument lists (tests/test_readme_tour.py).

Every ```sh block after the two set-up commands at the top; in each line, what follows
`  #` is a comment; `&&` chains several commands; lines that are not trainctl commands
(`export ...`) are skipped; `*` globs are expanded in the working folder, as a shell would.
"""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def tour_commands(text: str | None = None) -> list[str]:
    """The trainctl command lines of the README, in order (set-up blocks left out)."""
    text = text if text is not None else README.read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)[2:]  # the first two are the set-up commands
    out = []
    for block in blocks:
        for raw in block.splitlines():
            line = re.split(r"\s{2,}#", raw, maxsplit=1)[0].strip()
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith("trainctl "):
                    out.append(part)
    return out


SPAN = re.compile(r"`(trainctl [^`]+)`")
CRON = re.compile(r"^```crontab\n(.*?)^```", re.S | re.M)


def every_command(text: str | None = None) -> list[str]:
    """Every trainctl command the README shows: its tour (`tour_commands`), the crontab
    lines, and the `trainctl ...` spans of its prose (placeholders such as FILE as they are)."""
    text = text if text is not None else README.read_text(encoding="utf-8")
    out = tour_commands(text)
    for block in CRON.findall(text):
        out += [line[line.index("trainctl ") :] for line in block.splitlines() if "/trainctl " in line]
    for span in SPAN.findall(" ".join(text.split())):  # a span may wrap across lines
        out += [part.strip() for part in span.split("&&") if part.strip().startswith("trainctl ")]
    return out


def argv(line: str, cwd: Path) -> list[str]:
    """A command line as the shell would pass it (quotes, globs), without 'trainctl'."""
    words = shlex.split(line)[1:]
    expanded: list[str] = []
    for w in words:
        if "*" in w:
            hits = sorted(glob.glob(w, root_dir=cwd))
            expanded.extend(hits or [w])
        else:
            expanded.append(w)
    return expanded
