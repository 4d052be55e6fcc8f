"""The one table from an error to the HTTP status and the one-line message a client gets.

A job that fails in a query worker sends ``(status, message)`` back (:func:`status_of`), and the
route's request fails with :class:`QueryError`; the application answers a :class:`QueryError`,
or an error a route raised itself, through the same table (:mod:`api.main`). Anything not in the
table is a bug: 500, with its traceback in the server's log.
"""

from __future__ import annotations

from api.views.formats import NotAcceptable
from api.workers.guard import Malformed, Refused
from kg.errors import Invalid, NoData, NotFound, PlantraceError, RemoteError


class QueryError(Exception):
    """A request that got no answer: the HTTP status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TimeLimit(QueryError):
    """A job stopped at its time limit: asked again of the same data, it would stop again."""


STATUSES: tuple[tuple[type[BaseException], int, str | None], ...] = (
    (Refused, 403, None),  # SPARQL Update, SERVICE, LOAD, FROM of a graph not held
    (Malformed, 400, None),
    (NotFound, 404, None),
    (NoData, 503, None),  # a remote store holding no plantrace data
    (Invalid, 400, None),
    (RecursionError, 400, "malformed request: it nests too deeply to be read"),
    (MemoryError, 503, "the query needed more memory than a query worker may use"),
    (PlantraceError, 400, None),  # any other error of the input (after its subclasses above)
)
"""Error class, status and message (``None``: the error's own) of the errors a request can
cause; the first class that matches wins. :class:`QueryError`, :class:`NotAcceptable` (406, or
400 for an unknown ``format=``) and :class:`RemoteError` carry or decide their own status
(:func:`status_of`)."""


def status_of(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and one-line message for ``exc``."""
    if isinstance(exc, QueryError):
        return exc.status, exc.message
    if isinstance(exc, NotAcceptable):
        return exc.status, str(exc)
    if isinstance(exc, RemoteError):
        if exc.status == 0:  # no answer: the store is down or restarting; ask to retry
            return 503, f"the triple store is not reachable; try again later ({exc})"
        return (400 if exc.status == 400 else 502), str(exc)
    for kind, status, message in STATUSES:
        if isinstance(exc, kind):
            return status, message or str(exc)
    return 500, f"internal error: {type(exc).__name__}: {exc}"
