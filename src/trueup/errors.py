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


class ConnectionFailed(TrueupError):
    """The database server could not be reached or refused the login."""


class SourceError(TrueupError):
    """A schema source (file, folder, snapshot, URL) could not be read."""


class SnapshotError(SourceError):
    """A JSON snapshot is malformed or from an unsupported format version."""
