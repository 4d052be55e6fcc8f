"""Descriptions of the dataset and the service: VoID and DCAT (``/downloads/void.*``,
``/.well-known/void``) and the SPARQL 1.1 Service Description (``/sparql`` without a query).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from api.views import formats
from api.views.links import PT_NS
from api.views.spans import documents
from kg import queries as q
from kg.namespaces import PTID, RDF
from kg.queries import QueryFn

SD = "http://www.w3.org/ns/sparql-service-description#"


VOID = "http://rdfs.org/ns/void#"


DCAT = "http://www.w3.org/ns/dcat#"


DCT = "http://purl.org/dc/terms/"


FORMATS = "http://www.w3.org/ns/formats/"


XSD = "http://www.w3.org/2001/XMLSchema#"


def integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


class Triples:
    def __init__(self) -> None:
        self.items: list[ox.Triple] = []

    def add(
        self, s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        self.items.append(ox.Triple(s, ox.NamedNode(p), o))


DOWNLOADS = {
    "plantrace.trig": (formats.TRIG, FORMATS + "TriG"),
    "plantrace.nq": (formats.NQUADS, FORMATS + "N-Quads"),
    "plantrace.jsonld": (formats.JSONLD, FORMATS + "JSON-LD"),
}
"""Whole-dataset downloads under ``/downloads/``: media type and W3C format IRI."""


TRACE_CSV = "trace.csv"


def graph_sizes_of(run: QueryFn) -> dict[str, int]:
    return {str(r["graph"]): int(r["triples"] or 0) for r in q.graph_sizes(run)}


def void(
    run: QueryFn, base_url: str, media: str, sizes: Mapping[str, int] | None = None
) -> bytes:
    """A VoID and DCAT description of the dataset served at ``base_url``; ``sizes`` are the
    triples of each named graph (default: counted, which reads every quad)."""
    base = base_url.rstrip("/")
    dataset = ox.NamedNode(f"{base}/downloads/void.ttl#dataset")
    t = Triples()
    t.add(dataset, str(RDF.type), ox.NamedNode(VOID + "Dataset"))
    t.add(dataset, str(RDF.type), ox.NamedNode(DCAT + "Dataset"))
    t.add(dataset, DCT + "title", ox.Literal("plantrace knowledge graph", language="en"))
    t.add(dataset, DCT + "title", ox.Literal("plantrace 計画・評価トレースグラフ", language="ja"))
    t.add(dataset, DCT + "description", ox.Literal(
        "Statute articles, mid-term goals, plans, annual plans, indicators, actual values and "
        "yearly grades read from published documents, each fact with its source lines.",
        language="en"))  # fmt: skip
    t.add(dataset, VOID + "sparqlEndpoint", ox.NamedNode(f"{base}/sparql"))
    t.add(dataset, VOID + "uriSpace", ox.Literal(str(PTID)))
    t.add(dataset, VOID + "vocabulary", ox.NamedNode(PT_NS))
    sizes = graph_sizes_of(run) if sizes is None else sizes
    t.add(dataset, VOID + "triples", integer(sum(sizes.values())))
    for row in q.publishers(run):  # each public body is where its part of the data starts
        t.add(dataset, DCT + "publisher", ox.NamedNode(str(row["publisher"])))
        t.add(dataset, VOID + "rootResource", ox.NamedNode(str(row["publisher"])))
    for doc in sorted(documents(run)):
        t.add(dataset, DCT + "source", ox.NamedNode(doc))
    for name, (media_type, fmt) in DOWNLOADS.items():
        url = ox.NamedNode(f"{base}/downloads/{name}")
        t.add(dataset, VOID + "dataDump", url)
        dist = ox.BlankNode()
        t.add(dataset, DCAT + "distribution", dist)
        t.add(dist, str(RDF.type), ox.NamedNode(DCAT + "Distribution"))
        t.add(dist, DCAT + "downloadURL", url)
        t.add(
            dist,
            DCAT + "mediaType",
            ox.NamedNode(f"https://www.iana.org/assignments/media-types/{media_type}"),
        )
        t.add(dist, DCT + "format", ox.NamedNode(fmt))
    csv_dist = ox.BlankNode()
    t.add(dataset, DCAT + "distribution", csv_dist)
    t.add(csv_dist, str(RDF.type), ox.NamedNode(DCAT + "Distribution"))
    t.add(csv_dist, DCAT + "downloadURL", ox.NamedNode(f"{base}/downloads/{TRACE_CSV}"))
    t.add(
        csv_dist,
        DCAT + "mediaType",
        ox.NamedNode("https://www.iana.org/assignments/media-types/text/csv"),
    )
    csv_note = "The trace as a table: one row per item, fiscal year and clause."
    t.add(csv_dist, DCT + "description", ox.Literal(csv_note, language="en"))
    service = ox.NamedNode(f"{base}/sparql")
    t.add(dataset, DCAT + "accessService", service)
    t.add(service, str(RDF.type), ox.NamedNode(DCAT + "DataService"))
    t.add(service, DCAT + "endpointURL", service)
    for graph, n in sorted(sizes.items()):
        subset = ox.NamedNode(graph)
        t.add(dataset, VOID + "subset", subset)
        t.add(subset, str(RDF.type), ox.NamedNode(SD + "NamedGraph"))
        t.add(subset, str(RDF.type), ox.NamedNode(VOID + "Dataset"))
        t.add(subset, VOID + "triples", integer(n))
    for row in sorted(q.class_sizes(run), key=lambda r: str(r["class"])):
        part = ox.BlankNode()
        t.add(dataset, VOID + "classPartition", part)
        t.add(part, VOID + "class", ox.NamedNode(str(row["class"])))
        t.add(part, VOID + "entities", integer(int(row["entities"] or 0)))
    return formats.triples(t.items, media, prefixes=formats.DESCRIPTION_PREFIXES)


def service_description(
    run: QueryFn, endpoint: str, media: str, sizes: Mapping[str, int] | None = None
) -> bytes:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``; ``sizes`` as for
    :func:`void`."""
    node = ox.NamedNode(endpoint)
    t = Triples()
    t.add(node, str(RDF.type), ox.NamedNode(SD + "Service"))
    t.add(node, SD + "endpoint", node)
    t.add(node, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query"))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):  # fmt: skip
        t.add(node, SD + "resultFormat", ox.NamedNode(FORMATS + fmt))
    t.add(node, SD + "feature", ox.NamedNode(SD + "UnionDefaultGraph"))
    t.add(node, DCT + "description", ox.Literal(
        "Read-only SPARQL 1.1 query endpoint: updates, SERVICE, LOAD and FROM of graphs the "
        "store does not hold are refused; queries are stopped at a time limit and answers are "
        "cut at a row limit (marked truncated).", language="en"))  # fmt: skip
    dataset = ox.BlankNode()
    t.add(node, SD + "defaultDataset", dataset)
    t.add(dataset, str(RDF.type), ox.NamedNode(SD + "Dataset"))
    default = ox.BlankNode()
    t.add(dataset, SD + "defaultGraph", default)
    t.add(default, str(RDF.type), ox.NamedNode(SD + "Graph"))
    t.add(default, DCT + "description", ox.Literal("the union of all named graphs", language="en"))
    for name, size in sorted((graph_sizes_of(run) if sizes is None else sizes).items()):
        named = ox.BlankNode()
        graph = ox.BlankNode()
        t.add(dataset, SD + "namedGraph", named)
        t.add(named, str(RDF.type), ox.NamedNode(SD + "NamedGraph"))
        t.add(named, SD + "name", ox.NamedNode(name))
        t.add(named, SD + "graph", graph)
        t.add(graph, str(RDF.type), ox.NamedNode(SD + "Graph"))
        t.add(graph, VOID + "triples", integer(size))
    return formats.triples(t.items, media, prefixes=formats.DESCRIPTION_PREFIXES)
