"""``/ontology``: the vocabulary's own page, where its namespace IRI is answered.

The namespace is ``https://w3id.org/plantrace/ontology#``; a client resolving a term such as
``pt:GoalClause`` drops the fragment and asks for ``…/ontology``, which this server answers at
``/ontology``. Content negotiation on ``Accept`` (or ``?format=``), as for ``/id/…``:

* a browser gets the reference page (:mod:`kg.ontology_doc`): every class, property and grade
  with labels in both languages, comments, domain, range and the SHACL shapes using it; each
  term's anchor is its local name, so ``/ontology#GoalClause`` opens that entry;
* ``text/turtle`` gets ``ontology/plantrace.ttl`` byte for byte (comments and layout kept);
* JSON-LD, N-Triples and RDF/XML are converted from it.

None of this touches the store, so the page is served by the web process itself, not by a
query worker.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response

from api.views import formats
from api.web import html
from kg import ontology_doc
from kg.ontology import ONTOLOGY_PATH

router = APIRouter(tags=["linked data"])

OFFERS = [formats.TURTLE, formats.HTML, formats.JSONLD, formats.NTRIPLES, formats.RDFXML]


@lru_cache(maxsize=8)
def _converted(path: Path, stamp: int, media: str) -> bytes:
    """The ontology file in another RDF format (cached until the file changes)."""
    triples = ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
    out = ox.serialize(triples, format=formats.RDF_FORMATS[media])
    assert out is not None
    return out


def ontology_body(media: str, path: Path = ONTOLOGY_PATH) -> bytes:
    """The ontology as ``media``: the Turtle file unchanged, other formats converted."""
    if media == formats.TURTLE:
        return path.read_bytes()
    return _converted(path, path.stat().st_mtime_ns, media)


@router.get(
    "/ontology",
    responses={
        200: {"content": {t: {} for t in OFFERS}},
        400: {"description": "unknown format= (text/plain message)"},
        406: {"description": "no acceptable format"},
    },
)
async def ontology(
    request: Request,
    format: str | None = Query(None, description="html, turtle, jsonld, ntriples or rdfxml"),
) -> Response:
    """The plantrace ontology: a reference page for a browser, the Turtle file by ``Accept``."""
    media = formats.choose(request.headers.get("accept"), format, OFFERS, rdf=True)
    if media == formats.HTML:
        doc = await asyncio.to_thread(ontology_doc.load)
        return html.render(request, "ontology.html", doc=doc)
    body = await asyncio.to_thread(ontology_body, media)
    return Response(body, media_type=formats.media_type_header(media), headers={"Vary": "Accept"})
