"""Errors a view raises for a request it cannot answer, mapped to HTTP statuses by
:func:`api.worker.handle`. Kept apart from :mod:`api.views` so a query worker can tell them
apart without loading the views (which it imports only when a first job needs them)."""


class NotFound(LookupError):
    """The thing a request names is not in the data (HTTP 404)."""


class Invalid(ValueError):
    """The request names something of the wrong kind (HTTP 400)."""
