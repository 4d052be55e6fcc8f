"""Where pages and answers link: the URL this server answers for an IRI, an item, a statute.

Every view that puts a link in an answer or a page builds it here, so the URL scheme of the
service (``/id/…``, ``/items/{code}``, ``/statutes/…``, ``/ontology#Term``) is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from kg.namespaces import PT, PTID
from kg.store import DISPLAY_PREFIXES

PT_NS = str(PT)
"""The ontology namespace, as a string to compare IRIs with."""
PTID_NS = str(PTID)
"""The namespace of instance IRIs, as a string."""
LAW = f"{PTID}law/"
"""Where statute and provision IRIs live."""


def route_path(scope: Mapping[str, Any]) -> str:
    """The path of a request (its ASGI ``scope``) within the service: without the prefix the
    service is served under (``root_path``, set from ``PLANTRACE_BASE_URL`` by
    :mod:`api.middleware.public_url`). What the pages link is relative to the service, so
    links made from a request's path start from this."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


def item_url(code: str, body: str | None = None) -> str:
    """The trace page of item ``code`` (of publisher ``body``, when the data holds several)."""
    url = f"/items/{quote(code, safe='')}"
    return url if body is None else f"{url}?body={quote(body, safe='')}"


def statute_link(iri: str, body: str | None = None) -> str:
    """Where a page links ``iri``: for a statute or provision of this dataset its page
    ``/statutes/<law id>/<article>`` (with ``body``, the impact on that body's trace, so a
    reader stays within the body they chose), else :func:`href`."""
    if not iri.startswith(LAW):
        return href(iri)
    url = f"/statutes/{iri[len(LAW):]}"
    return url if body is None else f"{url}?body={quote(body, safe='')}"


def href(iri: str) -> str:
    """Where this server answers for ``iri``: ``/id/…`` for plantrace's IRIs, the ontology page
    (``/ontology#GoalClause``) for its terms, an ``http(s)`` IRI itself, and for any other
    scheme a ``DESCRIBE`` at ``/sparql`` (so no data can make a ``javascript:`` link)."""
    if iri.startswith(PTID_NS):
        return "/id/" + iri[len(PTID_NS) :]
    if iri.startswith(PT_NS):
        return "/ontology#" + iri[len(PT_NS) :]
    if not iri.lower().startswith(("http://", "https://")):
        # never a javascript:, data: … link from a served dataset: ask the endpoint instead
        return "/sparql?query=" + quote(f"DESCRIBE <{iri}>", safe="")
    return iri


def prefixed(iri: str) -> str:
    """``pt:GoalClause`` for an IRI in a known namespace, else the IRI."""
    for prefix, ns in sorted(DISPLAY_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def span_href(document: str, start: int | None, end: int | None) -> str:
    """Where a document's lines are shown: the span node ``<document>/L<start>-L<end>``
    (minted so by :mod:`kg.rdf`), or the document when there are no lines."""
    if start is None:
        return href(document)
    return href(f"{document}/L{start}-L{end if end is not None else start}")
