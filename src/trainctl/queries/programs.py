"""Programs on the read side: the program resolver the read commands need.

The rule is services.programs.get_program's (id; "Name": its newest active version, else the
newest draft, else the newest archived; "Name@2": that version; names exactly, then ignoring
case), with its messages, on a plain connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainctl.domain.lookup import as_id
from trainctl.errors import NotFoundError
from trainctl.queries import Reader

TABLES = {"program": ("id", "name", "version", "status")}

LIST_HINT = "`trainctl program list` shows every program and version."


@dataclass(frozen=True, slots=True)
class ProgramRef:
    id: int
    name: str
    version: int
    status: str


_SELECT = "SELECT id, name, version, status FROM program"
_RANK = "CASE status WHEN 'active' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END"


def get_program(rd: Reader, ref: str | int, *, what: str = "program") -> ProgramRef:
    """A program by id, "Name" or "Name@VERSION" (NotFoundError otherwise)."""
    text = str(ref).strip()
    if text.isdigit():
        number = as_id(text)
        row = rd.one(f"{_SELECT} WHERE id = :id", {"id": number}) if number else None
        if row is not None:
            return ProgramRef(*row)
        raise NotFoundError(f"No program with id {text} ({what}).", LIST_HINT)
    name, version = text, None
    head, sep, tail = text.rpartition("@")
    if sep and tail.isdigit() and head:
        name, version = head.strip(), int(tail)
    only = " AND version = :version" if version is not None else ""
    attempts: tuple[tuple[str, str], ...] = (
        ("name = :name", name),
        ("lower(name) = :name", name.lower()),
    )
    if version is not None and as_id(version) is None:
        attempts = ()  # beyond 64 bits: no such version
    for cond, value in attempts:
        row = rd.one(
            f"{_SELECT} WHERE {cond}{only} ORDER BY {_RANK}, version DESC LIMIT 1",
            {"name": value, "version": version},
        )
        if row is not None:
            return ProgramRef(*row)
    shown = f"'{name}' version {version}" if version is not None else f"'{name}'"
    raise NotFoundError(
        f"No program {shown} ({what}).", 'Name it by id, "Name" or "Name@VERSION"; ' + LIST_HINT
    )
