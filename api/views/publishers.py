"""The public bodies whose documents the data holds, and the ``?body=`` choice of one.

Item codes repeat across bodies, so on data of several bodies a view shows one body's data
(the publisher id of ``/id/{body}/``) or asks which; an unknown id is a 404, not an empty list.
"""

from __future__ import annotations

from api.views import models as m
from api.views.links import href
from api.views.rows import grouped
from kg import queries as q
from kg.errors import NotFound
from kg.namespaces import publisher_id
from kg.queries import QueryFn


def bodies(run: QueryFn) -> list[m.Body]:
    """The public bodies whose documents the data holds, by id, with their item counts."""
    out = []
    for publisher, rows in grouped(q.bodies(run), "publisher").items():
        labels = {str(r["lang"] or ""): str(r["label"]) for r in rows if r["label"] is not None}
        out.append(
            m.Body(
                iri=publisher,
                href=href(publisher),
                id=publisher_id(publisher),
                label_ja=labels.get("ja") or labels.get("") or labels.get("en"),
                label_en=labels.get("en") or labels.get("") or labels.get("ja"),
                items=int(rows[0]["items"] or 0),
            )
        )
    return sorted(out, key=lambda b: (b.id is None, b.id or b.iri))


def unknown_body(body: str) -> NotFound:
    """The error for a ``body`` that no document of the data has as its publisher."""
    return NotFound(f"no documents published by {body!r}")


def require_body(run: QueryFn, body: str) -> None:
    """:class:`NotFound` unless some document of the data is published by ``body``: a
    mistyped id answers 404, not an empty list. Callers ask it when ``body`` found nothing (or
    before an analysis that would build an empty graph), so a known body costs nothing more."""
    if body not in {publisher_id(str(r["publisher"])) for r in q.publishers(run)}:
        raise unknown_body(body)


def several_bodies(run: QueryFn) -> bool:
    """Whether the data holds the documents of more than one publisher. With one (J-LIS) the
    pages show every item as they always have; with several, item codes repeat across bodies,
    so a page shows one body's data (``?body=``) or asks which body."""
    return len(q.publishers(run)) > 1


def body_of(run: QueryFn, body: str) -> m.Body:
    """The body with id ``body``; :class:`NotFound` if no document of the data has it."""
    found = next((b for b in bodies(run) if b.id == body), None)
    if found is None:
        raise unknown_body(body)
    return found
