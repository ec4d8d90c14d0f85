"""Domain errors. Each carries a message, an optional hint and a stable exit code.

The CLI translates them in one place (cli/main.py); services and domain code raise them.
Exit codes (DESIGN §4): 0 ok; 1 domain refusal; 2 usage; 65 bad input data; 69 mail server
unavailable; 75 another run holds the lock; 77 permission denied; 78 schema behind the code.
"""

from __future__ import annotations


class TrainctlError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str | None = None, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []


class RefusedError(TrainctlError):
    """A domain rule refuses the operation (prerequisite not met, not editable, ...)."""

    exit_code = 1


class NotFoundError(TrainctlError):
    exit_code = 1


class UsageError(TrainctlError):
    exit_code = 2


class BadInputError(TrainctlError):
    """Input data (a CSV, a registry or program file, a field value) is invalid."""

    exit_code = 65


class MailUnavailableError(TrainctlError):
    exit_code = 69


class DatabaseUnavailableError(TrainctlError):
    """The database server cannot be reached (EX_UNAVAILABLE, like the mail server)."""

    exit_code = 69


class LockedError(TrainctlError):
    exit_code = 75


class PermissionDeniedError(TrainctlError):
    exit_code = 77


class SchemaBehindError(TrainctlError):
    exit_code = 78


class DamagedDatabaseError(TrainctlError):
    """A SQLite file SQLite cannot read (dbfile.unreadable): a page cut off or overwritten;
    or a PostgreSQL database whose server reports damaged data or a damaged index
    (dbfile.damaged_server). `reason` is the database's own words ("database disk image is
    malformed", "invalid page in block 3 of relation base/16384/16402")."""

    exit_code = 1

    def __init__(self, message: str, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.reason = reason
