"""Linked data, computed in a query worker: what an IRI's page shows, its RDF description, the
VoID/DCAT description of the dataset and the SPARQL service description.

A resource page quotes the source lines of every span it shows, read from the source documents
(``PLANTRACE_SOURCES``) only when the file's SHA-256 equals the one the graph records, so the
quote is the text the fact was read from. Quotes, like all document text, are escaped by the
HTML templates (:mod:`api.html`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from api import formats
from api import models as m
from api.views import documents, href, prefixed, trace
from kg import queries as q
from kg.namespaces import PT, PTID, RDF
from kg.queries import QueryFn
from kg.store import Term

INCOMING_LIMIT = 500
"""Most triples pointing at a resource that its page or description lists."""
QUOTE_LINES = 40
"""Most lines of one span quoted on a page."""
QUOTE_SPANS = 12
"""Most spans quoted on one page."""

PT_NS = str(PT)
SPAN = PT_NS + "Span"
ITEM = PT_NS + "EvaluationItem"
LEGAL = {PT_NS + "Provision", PT_NS + "Statute"}


@dataclass(frozen=True)
class TermView:
    """An RDF term ready to show: a link (with label) for an IRI, text for a literal."""

    kind: str  # "iri", "bnode", "literal"
    value: str
    label: str | None = None
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class PropertyView:
    predicate: TermView
    values: list[TermView]


@dataclass(frozen=True)
class Quote:
    """Lines of a source document, as published."""

    span: str
    href: str
    document: str
    title: str | None
    file: str | None
    start: int | None
    end: int | None
    lines: list[tuple[int, str]] = field(default_factory=list)
    note: str | None = None  # why there are no lines, or that they were cut


@dataclass(frozen=True)
class ResourcePage:
    iri: str
    label: str | None
    types: list[TermView]
    properties: list[PropertyView]
    incoming: list[tuple[TermView, TermView]]  # (subject, predicate)
    incoming_truncated: bool
    quotes: list[Quote]
    graph_triples: int | None = None
    trace: m.Trace | None = None
    legal: bool = False


def _labels(run: QueryFn, iris: Iterable[str]) -> dict[str, str]:
    """One label per IRI: Japanese first, then English, then any."""
    wanted = [i for i in set(iris) if not i.startswith("_:")]
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(wanted), 400):
        for row in q.labels(run, wanted[start : start + 400]):
            found[str(row["node"])].setdefault(str(row["lang"] or ""), str(row["label"]))
    return {
        node: by_lang.get("ja") or by_lang.get("en") or next(iter(by_lang.values()))
        for node, by_lang in found.items()
    }


def _view(term: Term, labels: dict[str, str]) -> TermView:
    if isinstance(term, ox.NamedNode):
        return TermView("iri", term.value, labels.get(term.value), href(term.value))
    if isinstance(term, ox.BlankNode):
        return TermView("bnode", f"_:{term.value}")
    if isinstance(term, ox.Literal):
        datatype = None if term.language else prefixed(term.datatype.value)
        if datatype in ("xsd:string", "rdf:langString"):
            datatype = None
        return TermView("literal", term.value, lang=term.language, datatype=datatype)
    return TermView("literal", str(term))


def resource_page(run: QueryFn, iri: str, sources_dir: Path) -> ResourcePage | None:
    """Everything the HTML page of ``iri`` shows; ``None`` if the data does not mention it."""
    if not q.exists(run, iri):
        return None
    out = q.outgoing(run, iri).rows
    inc = q.incoming(run, iri, INCOMING_LIMIT + 1).rows
    truncated = len(inc) > INCOMING_LIMIT
    inc = inc[:INCOMING_LIMIT]
    terms = [t for row in (*out, *inc) for t in row if isinstance(t, ox.NamedNode)]
    labels = _labels(run, [iri, *(t.value for t in terms)])
    types = [
        _view(o, labels)
        for p, o in out
        if isinstance(p, ox.NamedNode) and p.value == str(RDF.type) and o is not None
    ]
    grouped: dict[str, list[TermView]] = defaultdict(list)
    for p, o in out:
        if isinstance(p, ox.NamedNode) and o is not None and p.value != str(RDF.type):
            grouped[p.value].append(_view(o, labels))
    properties = [
        PropertyView(
            _view(ox.NamedNode(p), labels), sorted(vs, key=lambda v: (v.lang or "", v.value))
        )
        for p, vs in sorted(grouped.items(), key=lambda kv: prefixed(kv[0]))
    ]
    incoming = sorted(
        ((_view(s, labels), _view(p, labels)) for s, p in inc if s is not None and p is not None),
        key=lambda sp: (prefixed(sp[1].value), sp[0].value),
    )
    type_iris = {t.value for t in types}
    span_iris = [iri] if SPAN in type_iris else [
        v.value for p in properties if p.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"
        for v in p.values if v.kind == "iri"
    ]  # fmt: skip
    graph = run(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {q.iri(iri)} {{ ?s ?p ?o }} }}").rows
    triples = graph[0][0]
    count = int(triples.value) if isinstance(triples, ox.Literal) else 0
    return ResourcePage(
        iri=iri,
        label=labels.get(iri),
        types=types,
        properties=properties,
        incoming=incoming,
        incoming_truncated=truncated,
        quotes=quotes(run, span_iris[:QUOTE_SPANS], sources_dir),
        graph_triples=count or None,
        trace=_item_trace(run, properties) if ITEM in type_iris else None,
        legal=bool(LEGAL & type_iris),
    )


def _item_trace(run: QueryFn, properties: Sequence[PropertyView]) -> m.Trace | None:
    codes = [v.value for p in properties if p.predicate.value == PT_NS + "code" for v in p.values]
    return trace(run, codes[0]) if codes else None


def quotes(run: QueryFn, spans: Sequence[str], sources_dir: Path) -> list[Quote]:
    """The lines of each span, from the source file whose hash the graph records."""
    if not spans:
        return []
    rows = q.select(
        run,
        f"""SELECT ?span ?document ?start ?end WHERE {{
  {q.values("span", (q.iri(s) for s in spans))}
  ?span pt:document ?document .
  OPTIONAL {{ ?span pt:lineStart ?start }} OPTIONAL {{ ?span pt:lineEnd ?end }}
}}""",
    )
    docs = documents(run, {str(r["document"]) for r in rows})
    out = []
    for row in sorted(rows, key=lambda r: (str(r["document"]), r["start"] or 0)):
        span, doc_iri = str(row["span"]), str(row["document"])
        doc = docs.get(doc_iri)
        start = row["start"] if isinstance(row["start"], int) else None
        end = row["end"] if isinstance(row["end"], int) else start
        lines: list[tuple[int, str]] = []
        note = None
        text = _source_lines(str(sources_dir), doc.file, doc.sha256) if doc and doc.file else None
        if text is None:
            note = "the source file is not available here (or differs from the one read)"
        elif start is not None and end is not None:
            last = min(end, start + QUOTE_LINES - 1)
            lines = [(n, text[n - 1]) for n in range(start, last + 1) if 0 < n <= len(text)]
            if last < end:
                note = f"{end - last} more lines not shown"
        out.append(
            Quote(
                span=span, href=href(span), document=doc_iri,
                title=doc.title if doc else None, file=doc.file if doc else None,
                start=start, end=end, lines=lines, note=note,
            )
        )  # fmt: skip
    return out


@lru_cache(maxsize=16)
def _source_lines(sources_dir: str, file: str, sha256: str | None) -> list[str] | None:
    path = Path(sources_dir) / file
    if Path(file).name != file:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        return None
    try:
        return data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None


# --- RDF descriptions --------------------------------------------------------------------------


def describe(run: QueryFn, iri: str, media: str) -> bytes | None:
    """The triples about ``iri`` and pointing at it (and, for a graph name, its size) in
    ``media``; ``None`` if the data does not mention ``iri``."""
    if not q.exists(run, iri):
        return None
    result = q.description(run, iri, INCOMING_LIMIT)
    triples = [
        ox.Triple(s, p, o)
        for s, p, o in result.rows
        if isinstance(s, ox.NamedNode | ox.BlankNode)
        and isinstance(p, ox.NamedNode)
        and o is not None
    ]
    rows = run(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {q.iri(iri)} {{ ?s ?p ?o }} }}").rows
    n = rows[0][0]
    if isinstance(n, ox.Literal) and int(n.value) > 0:
        node = ox.NamedNode(iri)
        triples += [
            ox.Triple(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(SD + "NamedGraph")),
            ox.Triple(node, ox.NamedNode(VOID + "triples"), _integer(int(n.value))),
        ]
    return formats.triples(triples, media)


SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


class _Triples:
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


def _graph_sizes(run: QueryFn) -> dict[str, int]:
    return {str(r["graph"]): int(r["triples"] or 0) for r in q.graph_sizes(run)}


def void(
    run: QueryFn, base_url: str, media: str, sizes: Mapping[str, int] | None = None
) -> bytes:
    """A VoID and DCAT description of the dataset served at ``base_url``; ``sizes`` are the
    triples of each named graph (default: counted, which reads every quad)."""
    base = base_url.rstrip("/")
    dataset = ox.NamedNode(f"{base}/downloads/void.ttl#dataset")
    t = _Triples()
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
    sizes = _graph_sizes(run) if sizes is None else sizes
    t.add(dataset, VOID + "triples", _integer(sum(sizes.values())))
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
        t.add(subset, VOID + "triples", _integer(n))
    for row in sorted(q.class_sizes(run), key=lambda r: str(r["class"])):
        part = ox.BlankNode()
        t.add(dataset, VOID + "classPartition", part)
        t.add(part, VOID + "class", ox.NamedNode(str(row["class"])))
        t.add(part, VOID + "entities", _integer(int(row["entities"] or 0)))
    return formats.triples(t.items, media, prefixes=formats.DESCRIPTION_PREFIXES)


def service_description(
    run: QueryFn, endpoint: str, media: str, sizes: Mapping[str, int] | None = None
) -> bytes:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``; ``sizes`` as for
    :func:`void`."""
    node = ox.NamedNode(endpoint)
    t = _Triples()
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
    for name, size in sorted((_graph_sizes(run) if sizes is None else sizes).items()):
        named = ox.BlankNode()
        graph = ox.BlankNode()
        t.add(dataset, SD + "namedGraph", named)
        t.add(named, str(RDF.type), ox.NamedNode(SD + "NamedGraph"))
        t.add(named, SD + "name", ox.NamedNode(name))
        t.add(named, SD + "graph", graph)
        t.add(graph, str(RDF.type), ox.NamedNode(SD + "Graph"))
        t.add(graph, VOID + "triples", _integer(size))
    return formats.triples(t.items, media, prefixes=formats.DESCRIPTION_PREFIXES)
