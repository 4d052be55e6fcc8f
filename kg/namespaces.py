"""RDF namespaces used across plantrace (docs/architecture.md, "Vocabulary"), and the names that
are the same for every publisher: graph names and fiscal years.

``PT`` is the ontology namespace (classes and properties, declared in
``ontology/plantrace.ttl``); ``PTID`` is where instance IRIs live. Standard vocabularies are
re-exported from :mod:`rdflib.namespace` so the rest of the code imports them from one place.
"""

from __future__ import annotations

from urllib.parse import unquote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from kg.text import ERA_OFFSETS

PT = Namespace("https://w3id.org/plantrace/ontology#")
"""The plantrace ontology namespace (``pt:``)."""

PTID = Namespace("https://w3id.org/plantrace/id/")
"""The namespace of instance IRIs (J-LIS nodes live under ``.../id/jlis/``)."""

ELI = Namespace("http://data.europa.eu/eli/ontology#")
"""European Legislation Identifier ontology (``eli:``)."""


def segment(text: str) -> str:
    """``text`` made safe as one IRI path segment (only characters IRIs forbid are escaped)."""
    return "".join(f"%{ord(c):02X}" if c in ' %/?#<>"{}|\\^`' else c for c in text)


def publisher_iri(publisher_id: str) -> str:
    """A publisher's IRI, ``{PTID}{id}``; its nodes live below it (:class:`kg.rdf.Iris`)."""
    return f"{PTID}{segment(publisher_id)}"


def publisher_id(iri: str) -> str | None:
    """The id of the publisher whose IRI is ``iri`` (the inverse of :func:`publisher_iri`), or
    None for an IRI outside ``PTID`` or below a publisher (a node, not a publisher)."""
    if not iri.startswith(str(PTID)):
        return None
    tail = unquote(iri[len(str(PTID)) :])
    return tail if tail and "/" not in tail and publisher_iri(tail) == iri else None


def item_iri(publisher_id: str, code: str) -> str:
    """The IRI of a publisher's evaluation item: ``{PTID}{id}/item/{code}``."""
    return f"{publisher_iri(publisher_id)}/item/{segment(code)}"


# --- graph names and fiscal years: the same for every publisher --------------------------------

REFERENCE_GRAPH = PTID["graph/reference"]
"""The graph shared by all documents: fiscal years and publishers."""

ONTOLOGY_GRAPH = PTID["graph/ontology"]
"""The graph the ontology is loaded into."""

CURATED_GRAPH = PTID["graph/curated"]
"""The graph of hand-kept facts (``data/curated``)."""

PUBLICATION_GRAPH = PTID["graph/publication"]
"""Where a remote store keeps the stamp of its last publication (a ``pt:Publication``:
:meth:`kg.remote.RemoteGraphStore.publish`); not data: never in the union, a dump or a list of
plantrace's graphs (:func:`kg.dialects.own_graph`)."""


def fiscal_year_iri(year: int) -> URIRef:
    """``.../id/fiscal-year/2021``: the same for every publisher."""
    return PTID[f"fiscal-year/{year}"]


def fiscal_year_label(year: int) -> str:
    """``2021`` → ``令和3年度``; ``2019`` → ``令和元年度``; before 2019, 平成."""
    eras = sorted(ERA_OFFSETS.items(), key=lambda kv: -kv[1])
    era, offset = next(((e, o) for e, o in eras if year > o), ("", 0))
    n = year - offset
    return f"{era}{'元' if era and n == 1 else n}年度"


__all__ = [
    "CURATED_GRAPH",
    "DCTERMS",
    "ELI",
    "FOAF",
    "ONTOLOGY_GRAPH",
    "OWL",
    "PROV",
    "PT",
    "PTID",
    "PUBLICATION_GRAPH",
    "RDF",
    "RDFS",
    "REFERENCE_GRAPH",
    "SKOS",
    "TIME",
    "XSD",
    "fiscal_year_iri",
    "fiscal_year_label",
    "item_iri",
    "publisher_id",
    "publisher_iri",
    "segment",
]
