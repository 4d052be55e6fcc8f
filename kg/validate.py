"""SHACL validation of the graph against the shapes in ``shapes/``, with findings people can act on.

:func:`validate` runs pySHACL and turns each ``sh:ValidationResult`` into a :class:`Finding` that
names the node (with a label, item code and fiscal year), the rule (shape, with its Japanese and
English message), the statute article the rule comes from (``pt:enforces`` on the shape) and the
source document and lines the node was read from (``prov:wasDerivedFrom``). The standard
``sh:ValidationReport`` graph is kept beside the findings for tools that want SHACL as is.

Choices, and why:

* **No inference; the ontology is mixed in instead.** RDFS inference would type nodes from
  ``rdfs:domain`` (anything with ``pt:evaluates`` would become a ``pt:Evaluation``), hiding exactly
  the missing-type errors the shapes look for, and would add many triples for nothing. SHACL's
  ``sh:targetClass`` and ``sh:class`` already follow ``rdfs:subClassOf`` triples that are *in the
  data graph* (a "SHACL instance"), so the ontology's ``rdfs:subClassOf`` triples are added to
  (a copy of) the data graph, as pySHACL's ``ont_graph`` would add the whole ontology: a shape
  targeting ``pt:Evaluation`` then reaches a node typed only ``pt:SelfEvaluation``. The rest of
  the ontology (labels, grade notations) is only read when describing findings.
* **One union graph per body.** Given a Dataset, pySHACL validates each named graph on its own;
  plantrace keeps one named graph per document, so a ministerial grade (one document) would
  never meet the goal period (another). :func:`validate` therefore validates the union of a
  body's graphs with the shared ones, one body at a time (:mod:`kg.bodies`): the rules are
  about one body, and the time grows with the data, not with its square.
* **Plain string literals.** ``"I"`` and ``"I"^^xsd:string`` are the same RDF 1.1 literal, but
  rdflib compares them as different, so ``sh:in ("I" "II" "III")`` would reject a value read back
  from a store that writes the datatype. The union graph drops the redundant ``xsd:string``.
* **Prepared queries.** pySHACL runs a SPARQL constraint once per focus node with the same
  text (``$this`` is passed as a binding), and rdflib parses the text on every call: parsing, not
  evaluation, took nine tenths of the time. The data graph handed to pySHACL therefore prepares
  each query text once (:class:`_PreparedQueryGraph`); on the real documents that is ten times
  faster.
* **SHACL Advanced Features on, for targets only.** pySHACL runs with ``advanced=True`` so that
  a shape can name its focus nodes with a SPARQL query (SHACL-AF, W3C Note 2017, "SPARQL-based
  Targets" and "SPARQL-based Target Types", ``#SPARQLTarget``, ``#SPARQLTargetType``): the
  suspect-link shapes (shapes/versions.ttl) target only the nodes linking to a revised version
  instead of every instance of their classes, so their SPARQL constraint, run once per focus
  node (SHACL 1.0, 5.3 "Validation with SPARQL-based Constraints"), no longer doubles the time
  of a validation. Advanced mode also reads SHACL rules (``sh:rule``), functions
  (``sh:SPARQLFunction``) and expression constraints (``sh:expression``); the shapes declare
  none (``tests/test_validate.py`` checks it), so nothing else changes. Without advanced mode a
  shape whose only target is ``sh:target`` would silently target nothing.
* **Messages from the shapes.** pySHACL drops the language tag of a message when it fills in a
  SPARQL constraint's variables. A shape's messages are static, so the report graph gets the
  shape's tagged ``sh:message`` literals back; a SPARQL constraint's own messages name what
  the finding is about (``{?old}``, ``{?new}``: shapes/versions.ttl), so each filled message
  gets the tag of the template it fills.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pyoxigraph as ox
from rdflib import BNode, ConjunctiveGraph, Dataset, Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import SH
from rdflib.term import Node

from kg.bodies import Part, split
from kg.config import SHAPES_DIR
from kg.errors import PlantraceError
from kg.namespaces import DCTERMS, PROV, PT, PTID, RDF, RDFS, SKOS, TIME, XSD
from kg.ontology import load_ontology
from kg.store import TripleStore

if TYPE_CHECKING:  # pySHACL and rdflib's SPARQL engine load when validating, not on import
    from rdflib.plugins.sparql.sparql import Query


PTS = Namespace("https://w3id.org/plantrace/shapes#")
"""The namespace of the shapes (``pts:``)."""

Severity = Literal["violation", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("violation", "warning", "info")
"""Most severe first."""

_SEVERITY_OF: dict[Node, Severity] = {
    SH.Violation: "violation",
    SH.Warning: "warning",
    SH.Info: "info",
}
_RANK: dict[str, int] = {"violation": 3, "warning": 2, "info": 1}
_FISCAL_YEAR_IRI = re.compile(re.escape(str(PTID)) + r"fiscal-year/(\d{4})$")
_PROVISION_IRI = re.compile(r"/law/[^/]+/art(\d+)(?:-(\d+))?(?:/para(\d+))?(?:/item(\d+))?$")
_LABEL_LENGTH = 40


@dataclass(frozen=True)
class SourceRef:
    """Where a node was read from: a document and, if known, a line range (1-based)."""

    document: str
    doc_id: str
    title: str | None = None
    file: str | None = None
    line_start: int | None = None
    line_end: int | None = None

    def __str__(self) -> str:
        name = self.doc_id + (f" ({self.file})" if self.file else "")
        if self.line_start is None:
            return name
        if self.line_end is None or self.line_end == self.line_start:
            return f"{name} line {self.line_start}"
        return f"{name} lines {self.line_start}–{self.line_end}"


@dataclass(frozen=True)
class Finding:
    """One validation result, described for a person."""

    severity: Severity
    shape: str
    shape_label: str
    shape_label_ja: str
    message_ja: str
    message_en: str
    focus: str
    focus_label: str
    item_code: str | None = None
    fiscal_year: int | None = None
    value: str | None = None
    value_node: str | None = None
    """The IRI of the value when it is a node (``value`` shows it to a person)."""
    path: str | None = None
    article: str | None = None
    provision: str | None = None
    sources: tuple[SourceRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """The findings of one validation run and the standard ``sh:ValidationReport`` graph."""

    findings: list[Finding]
    graph: Graph = field(repr=False)

    @property
    def counts(self) -> dict[Severity, int]:
        """Number of findings per severity."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    @property
    def conforms(self) -> dict[Severity, bool]:
        """Per severity: True when there is no finding of that severity."""
        return {s: n == 0 for s, n in self.counts.items()}

    def conforms_at(self, level: Severity) -> bool:
        """True when no finding is at or above ``level`` (``"warning"`` also counts violations)."""
        return not any(_RANK[f.severity] >= _RANK[level] for f in self.findings)


@lru_cache(maxsize=1)
def _default_shapes() -> Graph:
    return load_shapes()


def load_shapes(directory: Path = SHAPES_DIR) -> Graph:
    """Every ``*.ttl`` file of ``directory`` parsed into one shapes graph."""
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise PlantraceError(f"{directory}: expected SHACL shapes (*.ttl), found none")
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def _default_ontology() -> Graph:
    return load_ontology()


@lru_cache(maxsize=256)
def _prepared(query: str) -> Query:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query)


class _PreparedQueryGraph(Graph):
    """A graph whose string queries are parsed once per distinct text (see the module doc)."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def union_graph(*graphs: Graph) -> Graph:
    """All triples of ``graphs`` (every named graph of a Dataset among them) in one new graph.

    ``xsd:string`` literals become plain literals (the same RDF 1.1 term; see the module doc).
    """
    union = _PreparedQueryGraph()
    for data in graphs:
        triples: Iterable[tuple[Node, Node, Node]]
        if isinstance(data, ConjunctiveGraph):  # also a Dataset
            triples = ((s, p, o) for s, p, o, _ in data.quads((None, None, None, None)))
        else:
            triples = data.triples((None, None, None))
        for s, p, o in triples:
            if isinstance(o, RdfLiteral) and o.datatype == XSD.string:
                o = RdfLiteral(str(o))
            union.add((s, p, o))
    return union


def store_graph(store: TripleStore) -> Dataset:
    """The store's named graphs as an rdflib Dataset (through N-Quads), ready for :func:`validate`.

    pySHACL works on rdflib graphs; the store is pyoxigraph, so the data is copied once. The
    graph names say which body each document belongs to (:mod:`kg.bodies`).
    """
    dataset = Dataset()
    dataset.parse(data=store.dump(ox.RdfFormat.N_QUADS), format="nquads")
    return dataset


def validate(data: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None) -> Report:
    """Validate ``data``: a Graph, or a Dataset whose graphs are taken together, one body at a
    time (:func:`kg.bodies.split`).

    ``shapes`` defaults to ``shapes/*.ttl`` and ``ontology`` to ``ontology/plantrace.ttl``.
    """
    shapes_graph = _default_shapes() if shapes is None else shapes
    ontology_graph = _default_ontology() if ontology is None else ontology
    parts = split(data)
    reports = [_validate_part(part, shapes_graph, ontology_graph) for part in parts]
    if len(reports) == 1:
        findings, report_graph = [f for f, _ in reports[0][0]], reports[0][1]
    else:
        kept: dict[tuple[str, str, str | None, str | None], tuple[Finding, Graph, Node]] = {}
        for described, graph in reports:
            for finding, result in described:
                key = (finding.shape, finding.focus, finding.value, finding.path)
                kept.setdefault(key, (finding, graph, result))
        findings = [f for f, _, _ in kept.values()]
        report_graph = _merged_report([(g, r) for _, g, r in kept.values()])
    findings.sort(key=_sort_key)
    return Report(findings, report_graph)


def _validate_part(
    part: Part, shapes: Graph, ontology: Graph
) -> tuple[list[tuple[Finding, Node]], Graph]:
    """pySHACL on one part: its findings (with their result nodes) and its report graph."""
    from pyshacl import validate as shacl_validate

    data_graph = union_graph(*part.graphs)
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        data_graph.add(triple)
    result = shacl_validate(
        data_graph,
        shacl_graph=shapes,
        inference="none",
        advanced=True,  # SPARQL-based targets (shapes/versions.ttl; module doc)
        inplace=True,  # data_graph is our own copy, with the ontology mixed in
    )
    if not isinstance(result[1], Graph):  # pySHACL returns the failure instead of a report
        raise PlantraceError(f"expected valid SHACL shapes: {result[2]}")
    report_graph = result[1]
    _restore_messages(report_graph, shapes)
    look = _Lookup(data_graph, ontology, shapes)
    described = [
        (_finding(report_graph, r, look), r)
        for r in _results(report_graph)
        if part.reports_on(report_graph.value(r, SH.focusNode))
    ]
    return described, report_graph


def _merged_report(results: list[tuple[Graph, Node]]) -> Graph:
    """One ``sh:ValidationReport`` holding ``results`` (each with the blank nodes it refers
    to) taken from the parts' reports."""
    merged = Graph()
    for prefix, namespace in results[0][0].namespaces() if results else ():
        merged.bind(prefix, namespace)
    report = BNode()
    merged.add((report, RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, RdfLiteral(not results)))
    for graph, result in results:
        merged.add((report, SH.result, result))
        todo = [result]
        while todo:
            node = todo.pop()
            for p, o in graph.predicate_objects(node):
                merged.add((node, p, o))
                if isinstance(o, BNode):
                    todo.append(o)
    return merged


def exit_code(report: Report, fail_on: str = "violation") -> int:
    """0 when no finding is at or above ``fail_on`` ("violation", "warning" or "info"), else 1."""
    if fail_on not in _RANK:
        raise PlantraceError(f"expected fail-on one of {', '.join(SEVERITIES)}, got {fail_on!r}")
    return 0 if report.conforms_at(cast(Severity, fail_on)) else 1


# --------------------------------------------------------------------------------------------
# From sh:ValidationResult to Finding
# --------------------------------------------------------------------------------------------


def _results(report: Graph) -> Iterator[Node]:
    return iter(report.subjects(RDF.type, SH.ValidationResult))


def _restore_messages(report: Graph, shapes: Graph) -> None:
    """Each result's messages in their languages: the SPARQL constraint's own messages filled
    in by pySHACL (which drops their tags) where the constraint has some, else the shape's."""
    for result in list(_results(report)):
        shape = report.value(result, SH.sourceShape)
        constraint = report.value(result, SH.sourceConstraint)
        filled = [str(m) for m in report.objects(result, SH.resultMessage)]
        templates = [m for m in shapes.objects(constraint, SH.message)
                     if isinstance(m, RdfLiteral) and m.language] if constraint else []  # fmt: skip
        tagged = [_filled(t, filled) for t in templates]
        if not templates:
            tagged = [m for m in shapes.objects(shape, SH.message) if isinstance(m, RdfLiteral)]
        if tagged:
            report.remove((result, SH.resultMessage, None))
            for message in tagged:
                report.add((result, SH.resultMessage, message))


_PLACEHOLDER = re.compile(r"\{[?$]\w+\}")


def _filled(template: RdfLiteral, filled: list[str]) -> RdfLiteral:
    """The message of ``filled`` that is ``template`` with its placeholders ({?name}) filled
    in, tagged with the template's language (the template itself if none is)."""
    parts = [re.escape(p) for p in _PLACEHOLDER.split(str(template))]
    pattern = re.compile("(?s)" + "(.*?)".join(parts))
    found = next((m for m in filled if pattern.fullmatch(m)), str(template))
    return RdfLiteral(found, lang=template.language)


class _Lookup:
    """Reads facts about nodes from the data, the ontology and the shapes graph."""

    def __init__(self, data: Graph, ontology: Graph, shapes: Graph) -> None:
        self.graphs = (data, ontology, shapes)
        self.data = data

    def objects(self, s: Node, p: URIRef) -> list[Node]:
        found: list[Node] = []
        for g in self.graphs:
            found.extend(o for o in g.objects(s, p) if o not in found)
        return sorted(found, key=str)

    def value(self, s: Node, p: URIRef) -> Node | None:
        found = self.objects(s, p)
        return found[0] if found else None

    def text(self, s: Node, p: URIRef, lang: str | None = None) -> str | None:
        """A literal of ``s`` via ``p``: in language ``lang`` when given and present."""
        literals = [o for o in self.objects(s, p) if isinstance(o, RdfLiteral)]
        preferred = [o for o in literals if lang is None or o.language == lang]
        chosen = preferred or literals
        return str(chosen[0]) if chosen else None

    def types(self, s: Node) -> set[Node]:
        return set(self.objects(s, RDF.type))

    def path(self, s: Node, *preds: URIRef) -> list[Node]:
        nodes = [s]
        for p in preds:
            nodes = [o for n in nodes for o in self.objects(n, p)]
        return nodes


def _finding(report: Graph, result: Node, look: _Lookup) -> Finding:
    shape = report.value(result, SH.sourceShape)
    focus = report.value(result, SH.focusNode)
    value = report.value(result, SH.value)
    if focus is None or shape is None:
        raise PlantraceError("expected every SHACL result to have a focus node and a shape")
    if value == focus:
        value = None  # pySHACL reports a SPARQL result without ?value as the focus node
    path = report.value(result, SH.resultPath)
    severity = _SEVERITY_OF.get(
        report.value(result, SH.resultSeverity) or SH.Violation, "violation"
    )
    provision = look.value(shape, PT.enforces)
    return Finding(
        severity=severity,
        shape=str(shape),
        shape_label=look.text(shape, RDFS.label, "en") or _tail(shape),
        shape_label_ja=look.text(shape, RDFS.label, "ja") or _tail(shape),
        message_ja=_message(report, result, "ja"),
        message_en=_message(report, result, "en"),
        focus=str(focus),
        focus_label=_label(focus, look),
        item_code=_item_code(focus, look) or (_item_code(value, look) if value else None),
        fiscal_year=_fiscal_year(focus, value, look),
        value=None if value is None else _show(value, look),
        value_node=str(value) if isinstance(value, URIRef) else None,
        path=None if path is None or isinstance(path, BNode) else str(path),
        article=None if provision is None else _article(provision, look),
        provision=None if provision is None else str(provision),
        sources=_sources(focus, value, look),
    )


def _message(report: Graph, result: Node, lang: str) -> str:
    messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, RdfLiteral)]
    chosen = [m for m in messages if m.language == lang] or messages
    return str(sorted(chosen, key=str)[0]) if chosen else ""


def _tail(node: Node) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), or the node as text."""
    text = str(node)
    return re.split(r"[#/]", text.rstrip("/"))[-1] if isinstance(node, URIRef) else text


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _LABEL_LENGTH else flat[:_LABEL_LENGTH] + "…"


def _label(node: Node, look: _Lookup) -> str:
    """A name a person recognises: a label, title, code or text, else class, item and year."""
    for pred in (RDFS.label, DCTERMS.title, SKOS.prefLabel):
        text = look.text(node, pred, "ja")
        if text:
            return _short(text)
    for pred in (PT.code, PT.articleLabel, PT.text):
        text = look.text(node, pred)
        if text:
            return _short(text)
    if PT.Span in look.types(node):
        doc = look.value(node, PT.document)
        lines = [look.value(node, p) for p in (PT.lineStart, PT.lineEnd)]
        return f"{_tail(doc) if doc else '?'} L{lines[0]}–L{lines[1]}"
    parts = [_class_label(node, look)]
    code = _item_code(node, look)
    year = _fiscal_year(node, None, look)
    parts += [p for p in (code, f"FY{year}" if year else None) if p]
    return " ".join(p for p in parts if p) or _tail(node)


def _class_label(node: Node, look: _Lookup) -> str:
    types = {t for t in look.types(node) if str(t).startswith(str(PT))}
    supers = {s for t in types for s in look.data.transitive_objects(t, RDFS.subClassOf) if s != t}
    specific = sorted(types - supers, key=str)
    if not specific:
        return ""
    return look.text(specific[0], RDFS.label, "ja") or _tail(specific[0])


def _item_code(node: Node | None, look: _Lookup) -> str | None:
    if node is None or isinstance(node, RdfLiteral):
        return None
    routes: tuple[tuple[URIRef, ...], ...] = (
        (PT.code,),
        (PT.item, PT.code),
        (PT.evaluates, PT.code),
        (PT.indicator, PT.item, PT.code),
    )
    for route in routes:
        found = look.path(node, *route)
        if found:
            return str(found[0])
    for indicator in look.data.subjects(PT.target, node):  # a target: its indicator's item
        return _item_code(indicator, look)
    return None


def _year_of(node: Node, look: _Lookup) -> int | None:
    """The year of a fiscal-year node, from ``pt:year`` or from its IRI."""
    year = look.value(node, PT.year)
    if isinstance(year, RdfLiteral) and isinstance(year.toPython(), int):
        return int(year.toPython())
    match = _FISCAL_YEAR_IRI.match(str(node)) if isinstance(node, URIRef) else None
    return int(match.group(1)) if match else None


def _fiscal_year(focus: Node, value: Node | None, look: _Lookup) -> int | None:
    candidates: list[Node] = [focus]
    if value is not None and not isinstance(value, RdfLiteral):
        candidates.append(value)
    candidates += look.objects(focus, PT.fiscalYear)
    if value is not None and not isinstance(value, RdfLiteral):
        candidates += look.objects(value, PT.fiscalYear)
    for node in candidates:
        if PT.FiscalYear in look.types(node) or _FISCAL_YEAR_IRI.match(str(node)):
            year = _year_of(node, look)
            if year is not None:
                return year
    return None


def _show(value: Node, look: _Lookup) -> str:
    if isinstance(value, RdfLiteral):
        return str(value)
    notation = look.value(value, SKOS.notation)
    if notation is not None:
        return str(notation)
    year = _year_of(value, look)
    if year is not None:
        return f"FY{year}"
    dates = [look.path(value, p, TIME.inXSDDate) for p in (TIME.hasBeginning, TIME.hasEnd)]
    if all(dates):
        return f"{dates[0][0]} – {dates[1][0]}"  # a period
    grade = look.path(value, PT.grade, SKOS.notation)
    if grade:  # an evaluation: who graded what, and the grade
        return f"{_label(value, look)}: {grade[0]}"
    if isinstance(value, BNode) or look.types(value):
        return _label(value, look)
    return str(value)


def provision_label(provision: Node, graph: Graph) -> str:
    """``番号利用法第38条の11第2項`` for a provision described in ``graph`` (e.g. the shapes)."""
    return _article(provision, _Lookup(graph, Graph(), Graph()))


def _article(provision: Node, look: _Lookup) -> str:
    """``番号利用法第38条の11第2項``: statute short name and article label, else from the IRI."""
    label = look.text(provision, PT.articleLabel)
    if label is None:
        match = _PROVISION_IRI.search(str(provision))
        if match is None:
            return _tail(provision)
        article, sub, para, item = match.groups()
        label = f"第{article}条" + (f"の{sub}" if sub else "") + (f"第{para}項" if para else "")
        label += f"第{item}号" if item else ""
    node: Node | None = provision
    seen: set[Node] = set()
    while node is not None and node not in seen:
        seen.add(node)
        if PT.Statute in look.types(node):
            name = look.text(node, SKOS.altLabel, "ja") or look.text(node, DCTERMS.title, "ja")
            return f"{name}{label}" if name else label
        node = look.value(node, DCTERMS.isPartOf)
    return label


def _sources(focus: Node, value: Node | None, look: _Lookup) -> tuple[SourceRef, ...]:
    """Spans of the focus node; else of the value node; else of the node's item; else the
    document itself when the focus is a source document or a span."""
    related: list[Node] = [focus]
    if value is not None and not isinstance(value, RdfLiteral):
        related.append(value)
    related += look.path(focus, PT.item) + look.path(focus, PT.evaluates)
    for node in related:
        spans = [
            s for s in look.objects(node, PROV.wasDerivedFrom) if not isinstance(s, RdfLiteral)
        ]
        refs = [ref for ref in (_span_ref(s, look) for s in spans) if ref is not None]
        if refs:
            return tuple(sorted(refs, key=lambda r: (r.doc_id, r.line_start or 0)))
    if PT.Span in look.types(focus):
        ref = _span_ref(focus, look)
        return (ref,) if ref else ()
    if PT.SourceDocument in look.types(focus):
        return (_doc_ref(focus, look),)
    return ()


def _span_ref(span: Node, look: _Lookup) -> SourceRef | None:
    doc = look.value(span, PT.document)
    if doc is None:
        return None
    ref = _doc_ref(doc, look)
    lines = [look.value(span, p) for p in (PT.lineStart, PT.lineEnd)]
    start, end = (int(v.toPython()) if isinstance(v, RdfLiteral) else None for v in lines)
    return SourceRef(ref.document, ref.doc_id, ref.title, ref.file, start, end)


def _doc_ref(doc: Node, look: _Lookup) -> SourceRef:
    return SourceRef(
        document=str(doc),
        doc_id=_tail(doc),
        title=look.text(doc, DCTERMS.title, "ja"),
        file=look.text(doc, PT.fileName),
    )


def _sort_key(f: Finding) -> tuple[int, str, str, int, str, str]:
    return (-_RANK[f.severity], f.shape_label, f.focus_label, f.fiscal_year or 0, f.value or "",
            f.focus)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------

_HEADINGS: dict[Severity, tuple[str, str]] = {
    "violation": ("違反", "VIOLATION"),
    "warning": ("警告", "WARNING"),
    "info": ("情報", "INFO"),
}


def _by_rule(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    rules: dict[str, list[Finding]] = {}
    for f in findings:
        rules.setdefault(f.shape, []).append(f)
    return rules


def _summary(report: Report) -> str:
    counts = report.counts
    return ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
                     for s in SEVERITIES)  # fmt: skip


def _where(f: Finding) -> str:
    return ", ".join(p for p in (f.item_code, f"FY{f.fiscal_year}" if f.fiscal_year else None) if p)


def render_text(report: Report, lang: str = "both") -> str:
    """Plain text grouped by severity, then rule; ``lang`` is "ja", "en" or "both"."""
    out = [f"plantrace validate: {_summary(report)}"]
    for severity in SEVERITIES:
        group = [f for f in report.findings if f.severity == severity]
        if not group:
            continue
        ja, en = _HEADINGS[severity]
        out += ["", f"{en} / {ja} ({len(group)})"]
        for rule in _by_rule(group).values():
            first = rule[0]
            out += ["", f"  {first.shape_label} / {first.shape_label_ja}  <{first.shape}>"]
            for f in rule:
                where = _where(f)
                out.append(f"  - {f.focus_label}" + (f"  [{where}]" if where else ""))
                if lang in ("ja", "both"):
                    out.append(f"      {f.message_ja}")
                if lang in ("en", "both"):
                    out.append(f"      {f.message_en}")
                if f.value:
                    out.append(f"      value: {f.value}")
                if f.article:
                    out.append(f"      article: {f.article} <{f.provision}>")
                for src in f.sources[:3]:
                    out.append(f"      source: {src}")
                if len(f.sources) > 3:
                    out.append(f"      (+{len(f.sources) - 3} more sources)")
                out.append(f"      node: <{f.focus}>")
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    """JSON: conformance per severity, counts and the findings (UTF-8, not escaped)."""
    body = {
        "conforms": report.conforms,
        "counts": report.counts,
        "findings": [f.to_dict() for f in report.findings],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def render_turtle(report: Report) -> str:
    """The standard ``sh:ValidationReport`` graph as Turtle."""
    report.graph.bind("sh", SH)
    report.graph.bind("pts", PTS)
    report.graph.bind("pt", PT)
    return report.graph.serialize(format="turtle")


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;line-height:1.5;color:#222}
h1{font-size:1.4rem}h2{margin-top:2rem;font-size:1.2rem}h3{font-size:1rem;margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin-bottom:1rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.violation h2{color:#a00}.warning h2{color:#a60}.info h2{color:#06a}
code{font-size:.85em;word-break:break-all}.en{color:#555}
"""


def render_html(report: Report) -> str:
    """A self-contained HTML page (no scripts, no external resources); every text is escaped."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        "<title>plantrace validation report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>検証結果 / Validation report</h1>",
        f"<p>{e(_summary(report))}</p>",
    ]
    for severity in SEVERITIES:
        group = [f for f in report.findings if f.severity == severity]
        if not group:
            continue
        ja, en = _HEADINGS[severity]
        parts.append(f'<section class="{severity}"><h2>{e(ja)} / {e(en)} ({len(group)})</h2>')
        for rule in _by_rule(group).values():
            first = rule[0]
            article = (f"<br>{e(first.article)} <code>{e(first.provision or '')}</code>"
                       if first.article else "")  # fmt: skip
            parts.append(
                f"<h3>{e(first.shape_label_ja)} / {e(first.shape_label)}</h3>"
                f"<p><code>{e(first.shape)}</code>{article}</p>"
                "<table><tr><th>対象 / node</th><th>項目 / item</th><th>年度 / year</th>"
                "<th>内容 / message</th><th>出典 / source</th></tr>"
            )
            for f in rule:
                sources = "<br>".join(e(str(s)) for s in f.sources)
                value = f"<br>value: {e(f.value)}" if f.value else ""
                parts.append(
                    f"<tr><td>{e(f.focus_label)}<br><code>{e(f.focus)}</code></td>"
                    f"<td>{e(f.item_code or '')}</td>"
                    f"<td>{e(f'FY{f.fiscal_year}' if f.fiscal_year else '')}</td>"
                    f"<td>{e(f.message_ja)}<br>"
                    f'<span class="en">{e(f.message_en)}</span>{value}</td>'
                    f"<td>{sources}</td></tr>"
                )
            parts.append("</table>")
        parts.append("</section>")
    if not report.findings:
        parts.append("<p>問題は見つからなかった。 / No findings.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "turtle": render_turtle,
    "html": render_html,
}
"""Output formats for ``plantrace validate --format``."""


def render(report: Report, fmt: str = "text") -> str:
    """The report in format ``fmt`` (one of :data:`RENDERERS`)."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise PlantraceError(f"expected a format {', '.join(RENDERERS)}, got {fmt!r}") from None
    return renderer(report)
