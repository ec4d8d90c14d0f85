"""Settings read from the environment (TRAINCTL_*). Cheap to import: stdlib only."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "trainctl"


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "trainctl.db"


def demo_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "demo.db"


def to_url(db: str | os.PathLike[str] | None) -> str:
    """Turn `--db PATH|URL` (or nothing) into a SQLAlchemy URL."""
    if db is None or str(db) == "":
        return f"sqlite:///{default_db_path()}"
    text = str(db)
    if "://" in text:
        # psycopg 3 is trainctl's PostgreSQL driver (the `postgres` extra); SQLAlchemy's
        # default for a bare postgresql:// is psycopg2, which is not a dependency
        url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", text)
        if url.startswith("postgresql") or (url.startswith("sqlite:///") and sqlite_path(url)):
            return url
        # mysql://, http://, sqlite:///:memory: reached psycopg as a PostgreSQL DSN and
        # crashed ("This is a bug", exit 70); an in-memory database would keep nothing
        raise _bad_db(text, "is neither a PostgreSQL URL nor a SQLite file")
    if text.startswith("file:"):
        # SQLite's URI form: it made a file literally named "file:x.db" beside the real one
        raise _bad_db(text, "is a SQLite URI; trainctl takes the file's path")
    return f"sqlite:///{Path(text).expanduser().absolute()}"


def _bad_db(text: str, why: str) -> Exception:
    from trainctl.errors import UsageError

    return UsageError(
        f"--db / TRAINCTL_DB {display_url(text)!r} {why}.",
        "Give a SQLite file path (--db training.db; opened read-only by itself where it "
        "cannot be written) or postgresql+psycopg://USER@HOST/DB.",
    )


def display_url(url: str) -> str:
    """A database URL fit to print: any password replaced by ***. A password typed without
    percent-encoding may hold @, / or ?, so it runs to the last @ before the query (an @ in
    `?application_name=a@b` leaves the host shown), else to the URL's last @: masking too
    much is safe, showing part of a password is not."""
    user = re.match(r"^\w[\w+]*://[^:/@]*:", url)
    if user is None:
        return url
    head = url.split("?", 1)[0]
    end = head.rfind("@") if head.rfind("@") >= user.end() else url.rfind("@")
    return url if end < user.end() else f"{url[: user.end()]}***{url[end:]}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite URL, or None for other engines and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest == ":memory:":
        return None
    return Path(rest.split("?", 1)[0])


@dataclass(frozen=True)
class Settings:
    db_url: str
    timezone: str | None = None  # None: the database's `timezone` setting, else UTC

    @classmethod
    def from_env(cls, db: str | None = None) -> Settings:
        return cls(
            db_url=to_url(db if db is not None else os.environ.get("TRAINCTL_DB")),
            timezone=os.environ.get("TRAINCTL_TIMEZONE") or None,
        )
