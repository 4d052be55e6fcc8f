"""RDF namespaces used across plantrace (DESIGN.md, "Public vocabulary").

``PT`` is the ontology namespace (classes and properties, declared in
``ontology/plantrace.ttl``); ``PTID`` is where instance IRIs live. Standard vocabularies are
re-exported from :mod:`rdflib.namespace` so the rest of the code imports them from one place.
"""

from __future__ import annotations

from urllib.parse import unquote

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

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

__all__ = [
    "DCTERMS",
    "ELI",
    "FOAF",
    "OWL",
    "PROV",
    "PT",
    "PTID",
    "RDF",
    "RDFS",
    "SKOS",
    "TIME",
    "XSD",
    "item_iri",
    "publisher_id",
    "publisher_iri",
    "segment",
]
