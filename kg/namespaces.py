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
]
