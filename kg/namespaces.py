"""RDF namespaces used across plantrace (DESIGN.md, "Public vocabulary").

``PT`` is the ontology namespace (classes and properties, declared in
``ontology/plantrace.ttl``); ``PTID`` is where instance IRIs live. Standard vocabularies are
re-exported from :mod:`rdflib.namespace` so the rest of the code imports them from one place.
"""

from __future__ import annotations

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
    "publisher_iri",
    "segment",
]
