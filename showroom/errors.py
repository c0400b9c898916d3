"""Expected failures that the user can act on.

A ``ShowroomError`` carries a stable ``code`` (used by the UI to pick a
translated message), the parameters of the message and a default Chinese
message. Anything that is not a ``ShowroomError`` is a bug and is reported as
such.
"""

from __future__ import annotations

from typing import Any


class ShowroomError(Exception):
    """A rule refused an action, or input was invalid.

    ``code`` is dotted and stable (``"phone.invalid"``); ``params`` fill the
    message; ``message`` is the default (Simplified Chinese) text.
    """

    def __init__(
        self, code: str, message: str, *, keep_changes: bool = False, **params: Any
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params
        # True when what the service wrote before refusing must be kept
        # (failed sign-in counters, audit entries); see ``Database.write``.
        self.keep_changes = keep_changes

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ShowroomError({self.code!r}, {self.message!r}, **{self.params!r})"


class ValidationError(ShowroomError):
    """User input does not have the required form."""


class NotFoundError(ShowroomError):
    """A record the user asked for does not exist (or was deleted)."""


class PermissionDenied(ShowroomError):
    """The signed-in staff member's role may not do this."""


class ConflictError(ShowroomError):
    """Someone else changed or holds the record (lock, version, uniqueness)."""


class DatabaseUnavailable(ShowroomError):
    """The database cannot be reached or is locked; the user may retry."""


class SchemaMismatch(ShowroomError):
    """The database schema is older or newer than this app; writes are refused."""
