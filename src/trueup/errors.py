"""User-facing errors: one line, an optional hint, never a traceback."""

from __future__ import annotations


class TrueupError(Exception):
    """An error caused by input or environment that the user can fix.

    The CLI prints ``message`` (and ``hint`` when given) on one line each and exits 2.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class DatabaseError(TrueupError):
    """A database refused a login or a statement. ``sqlstate`` is the server's code for it and
    ``cause`` says in plain words what it means; the message names the database and ends with
    ``(SQLSTATE code: cause)``, the hint says what to do."""

    def __init__(self, message: str, hint: str | None = None, *, sqlstate: str | None = None,
                 cause: str | None = None) -> None:
        super().__init__(message, hint)
        self.sqlstate = sqlstate
        self.cause = cause


class ConnectionFailed(DatabaseError):
    """The database server could not be reached or refused the login."""


class StatementFailed(DatabaseError):
    """One statement of a plan failed (its transaction rolled back); ``message`` is the
    server's own, without the database."""

    def __init__(self, statement: str, message: str, hint: str | None = None, *, sqlstate: str | None = None,
                 cause: str | None = None, attempts: int = 1) -> None:
        super().__init__(message, hint, sqlstate=sqlstate, cause=cause)
        self.statement = statement
        self.attempts = attempts


class SourceError(TrueupError):
    """A schema source (file, folder, snapshot, URL) could not be read."""


class SnapshotError(SourceError):
    """A JSON snapshot is malformed or from an unsupported format version."""


class TrueupWarning(UserWarning):
    """Worth a line on stderr, but not a reason to stop (an empty ``.sql`` source)."""
