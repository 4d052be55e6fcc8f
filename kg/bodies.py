"""The data of each public body apart, so that validation reads one body's graphs at a time.

Every rule in ``shapes/`` is about one body: its goal period, its items, its reports (番号利用法
第38条の8〜11 speak of *the* body's goal and evaluations). Checked over the union of several
bodies, a rule joins one body's nodes with every other body's (a self-evaluation report of body
A for FY2023 made body B's items "miss" a FY2023 self grade), which is wrong, and costs time
that grows with the square of the number of bodies. :func:`split` therefore groups the named
graphs by body.

A named graph holds one source document, and the document node, which names the graph, states
its publisher (``dcterms:publisher``; see docs/architecture.md, "Stores"). Graphs
without a publisher (the ontology, the statute reference, curated links) are *shared*: every
part gets them. A node is *claimed* by a body when it is the subject of a triple in one of the
body's graphs; a part reports on the nodes its body claims and on nodes no body claims (so a
shared node is checked once per part, and :func:`kg.validate.validate` keeps one finding per
rule, node and value).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import ConjunctiveGraph, Dataset, Graph
from rdflib.term import Node

from kg.namespaces import DCTERMS


@dataclass(frozen=True)
class Part:
    """The graphs to validate together, and the nodes whose findings this part reports."""

    graphs: tuple[Graph, ...]
    publisher: Node | None = None
    own: frozenset[Node] = frozenset()
    claimed: frozenset[Node] = frozenset()
    """Every node some body claims; empty when the data is one part (it reports on all)."""

    def reports_on(self, node: Node | None) -> bool:
        """True when a finding about ``node`` belongs to this part (see the module doc)."""
        return node in self.own or node not in self.claimed


def split(data: Graph) -> list[Part]:
    """One part per publisher, each with the shared graphs; one part (all of ``data``) when
    ``data`` is a plain graph or holds at most one publisher's documents."""
    if not isinstance(data, ConjunctiveGraph):  # also a Dataset
        return [Part((data,))]
    bodies: dict[Node, list[Graph]] = {}
    shared: list[Graph] = []
    for graph in data.graphs() if isinstance(data, Dataset) else data.contexts():
        publisher = graph.value(graph.identifier, DCTERMS.publisher)
        if publisher is None:
            shared.append(graph)
        else:
            bodies.setdefault(publisher, []).append(graph)
    if len(bodies) <= 1:
        return [Part((data,))]
    own = {
        publisher: frozenset(s for g in graphs for s in g.subjects(unique=True))
        for publisher, graphs in bodies.items()
    }
    claimed = frozenset().union(*own.values())
    return [
        Part((*shared, *bodies[publisher]), publisher, own[publisher], claimed)
        for publisher in sorted(bodies, key=str)
    ]
