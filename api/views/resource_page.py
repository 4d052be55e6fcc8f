"""What an IRI of the dataset shows at ``/id/…``: its HTML page (properties, what points at it,
quoted source lines, an item's whole trace) and its RDF description.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from api.jobs import job
from api.views import formats
from api.views import models as m
from api.views.dataset_description import SD, VOID, integer
from api.views.links import PT_NS, href, prefixed
from api.views.quotes import QUOTE_SPANS, Quote, quotes
from api.views.traces import trace
from kg import queries as q
from kg.namespaces import RDF
from kg.queries import QueryFn
from kg.store import Term

INCOMING_LIMIT = 500
"""Most triples pointing at a resource that its page or description lists."""


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


@job
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


@job
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
            ox.Triple(node, ox.NamedNode(VOID + "triples"), integer(int(n.value))),
        ]
    return formats.triples(triples, media)
