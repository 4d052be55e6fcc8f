"""Errors a user can cause and fix: bad input, a garbled document, a bad query.

The CLI prints these as one line and exits 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class PlantraceError(Exception):
    """An error caused by input: the message is one line that says what was expected."""


class ParseError(PlantraceError):
    """A document does not have the structure its parser expects."""

    def __init__(self, doc: str, message: str, line: int | None = None) -> None:
        where = f"{doc}:{line}" if line is not None else doc
        super().__init__(f"{where}: {message}")
        self.doc = doc
        self.line = line
        self.message = message


class RemoteError(PlantraceError):
    """The remote store refused a request or could not be reached; ``status`` is its HTTP
    status (0 when there was no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class NotFound(PlantraceError):
    """What a request or a command names is not in the data (HTTP 404)."""


class Invalid(PlantraceError):
    """What a request names is in the data but of the wrong kind (HTTP 400)."""


class NoData(PlantraceError):
    """The store answers but holds no plantrace data (never built, or emptied since): reading
    it would give empty answers that look like real ones (HTTP 503)."""
