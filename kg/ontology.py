"""The plantrace OWL ontology (``ontology/plantrace.ttl``) and checks against it.

The ontology declares every ``pt:`` class, property and grade concept. :func:`undeclared_terms`
lets tests and validation catch a ``pt:`` term that a parser or query made up (a typo or a term
that was never added to the ontology).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeGuard

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import PT, RDF

ONTOLOGY_PATH: Path = Path(__file__).resolve().parent.parent / "ontology" / "plantrace.ttl"
"""Where the ontology lives: ``<repo>/ontology/plantrace.ttl``."""

_PT_PREFIX = str(PT)


def _is_pt_term(node: Node | None) -> TypeGuard[URIRef]:
    """True if ``node`` is an IRI in the ``pt:`` ontology namespace."""
    return isinstance(node, URIRef) and str(node).startswith(_PT_PREFIX)


def load_ontology(path: Path = ONTOLOGY_PATH) -> Graph:
    """Parse the ontology (Turtle) into a new rdflib graph."""
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def declared_terms(ontology: Graph) -> set[URIRef]:
    """Every ``pt:`` IRI that is the subject of an ``rdf:type`` triple in ``ontology``."""
    return {s for s in ontology.subjects(RDF.type, None) if _is_pt_term(s)}


def undeclared_terms(data: Graph, ontology: Graph) -> set[URIRef]:
    """Every ``pt:`` IRI used in ``data`` that ``ontology`` does not declare.

    A term counts as used when it appears anywhere in a triple of ``data`` (subject, predicate
    or object, including the object of ``rdf:type``) or as the datatype of a literal. Instance
    IRIs (under ``https://w3id.org/plantrace/id/``) are not ``pt:`` terms and are never reported.
    """
    used: set[URIRef] = set()
    for triple in data:
        for node in triple:
            if _is_pt_term(node):
                used.add(URIRef(str(node)))
            elif isinstance(node, Literal) and _is_pt_term(node.datatype):
                used.add(URIRef(str(node.datatype)))
    return used - declared_terms(ontology)
