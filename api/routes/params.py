"""What several routes share: the ``body`` parameter, the documented error answers, and the
check of an IRI a request names."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Path, Query

from api.views import models as m
from api.workers.http_errors import QueryError

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"description": "not in the data", "model": m.ErrorMessage},
    503: {"description": "stopped at the time limit", "model": m.ErrorMessage},
}
"""The error answers of the JSON API, for its OpenAPI description."""

BODY = Query(
    None,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$",
    description="the publisher's id, as in its IRI `/id/{body}` (`jlis`); default: every "
    "publisher's items, merged by code (one body in the J-LIS data)",
    examples=["jlis"],
)
"""The ``body`` parameter: which public body's items, when the data holds several."""

CODE = Path(description="item code", examples=["I-1"], max_length=40)
"""The ``code`` of an item in a JSON API path."""


def iri_or_refuse(iri: str, status: int, message: str) -> str:
    """``iri`` if it is an IRI (RFC 3987); else the request is refused with ``status`` and
    ``message``, before anything runs."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise QueryError(status, message) from None
    return iri
