"""Linked data: every IRI under ``https://w3id.org/plantrace/id/`` answers at ``/id/…``.

Content negotiation on ``Accept`` (or ``?format=``): a browser gets an HTML page (the node's
properties, what points at it, and the quoted source lines of its spans; an item's page shows its
whole trace), other clients get Turtle, JSON-LD, N-Triples or RDF/XML. The pages for people (the
dashboard at ``/``, trace pages, …) are in :mod:`api.routes.pages`; what an IRI's page shows is
computed by :mod:`api.views.resource_page`.

Request paths are URIs and the graph's names are IRIs (RFC 3987): percent-escapes of non-ASCII
characters in the path are decoded to find the IRI, escapes of ASCII characters are kept.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Query, Request, Response

from api.deps import get_settings, run
from api.routes.params import iri_or_refuse
from api.views import formats
from api.views.resource_page import describe, resource_page
from api.web import html
from api.workers.http_errors import QueryError
from kg.namespaces import PTID

router = APIRouter(tags=["linked data"])

OFFERS = [formats.TURTLE, formats.HTML, formats.JSONLD, formats.NTRIPLES, formats.RDFXML]
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def uri_to_iri(path: str) -> str:
    """Decode the percent-escapes that stand for non-ASCII characters (RFC 3987, 3.2)."""

    def decode(match: re.Match[str]) -> str:
        raw = bytes.fromhex(match.group(0).replace("%", ""))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)
        return "".join(c if ord(c) > 127 else f"%{ord(c):02X}" for c in text)

    return _ESCAPES.sub(decode, path)


def requested_iri(request: Request) -> str:
    """The IRI a ``/id/…`` request names."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root + "/"):  # (served under a prefix: PLANTRACE_BASE_URL)
        path = path[len(root) :]
    iri = f"{PTID}{uri_to_iri(path[len('/id/') :])}"
    return iri_or_refuse(iri, 404, f"{path}: not an IRI of this dataset")


@router.get(
    "/id/{path:path}",
    responses={
        200: {"content": {t: {} for t in OFFERS}},
        400: {"description": "unknown format= (text/plain message)"},
        404: {"description": "not in the data"},
        406: {"description": "no acceptable format"},
    },
)
async def resource(
    request: Request,
    path: str,
    format: str | None = Query(None, description="html, turtle, jsonld, ntriples or rdfxml"),
) -> Response:
    """Dereference a plantrace IRI: HTML for a browser, RDF by ``Accept``."""
    iri = requested_iri(request)
    media = formats.choose(request.headers.get("accept"), format, OFFERS, rdf=True)
    if media == formats.HTML:
        sources_dir = get_settings(request).sources_dir
        page = await run(request, resource_page, iri=iri, sources_dir=sources_dir)
        if page is None:
            return html.render(request, "missing.html", status=404, iri=iri)
        return html.render(request, "resource.html", page=page)
    body = await run(request, describe, iri=iri, media=media)
    if body is None:
        raise QueryError(404, f"{iri} is not in the data")
    return Response(body, media_type=formats.media_type_header(media), headers={"Vary": "Accept"})
