"""Records → RDF: the triples of one document, in a named graph named after the document.

Node IRIs are built from *keys* the records carry (item code, fiscal year, the match key of a
text), never from where a fact was read, so two documents that describe the same clause, item or
evaluation produce the same IRI, each in its own named graph. Fiscal-year nodes and the publisher
are the same whichever document mentions them, so they go to one shared *reference* graph.

Each record type is turned into triples by one small emitter function listed in
:data:`EMITTERS`; adding a record type means writing one function and listing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.errors import ParseError
from kg.namespaces import DCTERMS, FOAF, PROV, PT, PTID, RDF, RDFS, TIME, XSD
from kg.records import (
    Clause,
    DocumentRecords,
    Evaluation,
    Indicator,
    Marks,
    Observation,
    OverallEvaluation,
    Span,
    Target,
)
from kg.sources import Publisher, SourceDocument
from kg.text import ERA_OFFSETS, match_key, nfkc, squash

REFERENCE_GRAPH = PTID["graph/reference"]
"""The graph shared by all documents: fiscal years and publishers."""

ONTOLOGY_GRAPH = PTID["graph/ontology"]
"""The graph the ontology is loaded into."""

GRADES = {g: PT["Grade" + g] for g in "SABCD"}
EVALUATION_CLASSES = {"self": PT.SelfEvaluation, "ministerial": PT.MinisterialEvaluation}
LABEL_LENGTH = 40
"""Clause labels are the first this many characters of the clause text."""

Value = Node | str | int | Decimal | bool | None
Props = Iterable[tuple[URIRef, Value]]


def short_hash(key: str) -> str:
    """First 10 hex digits of the SHA-1 of ``key``: the last IRI segment of keyed nodes."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def text_hash(text: str) -> str:
    """:func:`short_hash` of the match key of ``text``, so layout differences don't matter."""
    return short_hash(match_key(text))


def fiscal_year_iri(year: int) -> URIRef:
    """``.../id/fiscal-year/2021``: the same for every publisher."""
    return PTID[f"fiscal-year/{year}"]


def fiscal_year_label(year: int) -> str:
    """``2021`` → ``令和3年度``; ``2019`` → ``令和元年度``; before 2019, 平成."""
    eras = sorted(ERA_OFFSETS.items(), key=lambda kv: -kv[1])
    era, offset = next(((e, o) for e, o in eras if year > o), ("", 0))
    n = year - offset
    return f"{era}{'元' if era and n == 1 else n}年度"


def _segment(text: str) -> str:
    """``text`` made safe as one IRI path segment (only characters IRIs forbid are escaped)."""
    return "".join(f"%{ord(c):02X}" if c in ' %/?#<>"{}|\\^`' else c for c in text)


@dataclass(frozen=True)
class _Level:
    """How a clause level is named and which plan document it is part of."""

    cls: URIRef
    path: str  # IRI path below the body base; {year} and {item} are filled in
    plan_cls: URIRef
    plan_path: str


_LEVELS = {
    "goal": _Level(PT.GoalClause, "goal-clause/{item}", PT.MidTermGoal, "mid-term-goal/1"),
    "plan": _Level(PT.PlanClause, "plan-clause/{item}", PT.MidTermPlan, "mid-term-plan/1"),
    "annual": _Level(
        PT.AnnualPlanClause, "annual-plan-clause/{year}/{item}", PT.AnnualPlan, "annual-plan/{year}"
    ),
}


class Iris:
    """The IRI scheme of one publisher's nodes, under ``https://w3id.org/plantrace/id/{id}/``."""

    def __init__(self, publisher_id: str) -> None:
        self.base = Namespace(f"{PTID}{_segment(publisher_id)}/")

    def __call__(self, *segments: str | int) -> URIRef:
        return self.base["/".join(_segment(str(s)) for s in segments)]

    def doc(self, doc: str) -> URIRef:
        return self("doc", doc)

    def span(self, span: Span) -> URIRef:
        return self("doc", span.doc, f"L{span.start}-L{span.end}")

    def item(self, code: str) -> URIRef:
        return self("item", code)

    def staff(self, code: str, year: int) -> URIRef:
        return self("item", code, "staff", year)

    def clause(self, level: str, item: str, year: int | None, key: str) -> URIRef:
        path = _LEVELS[level].path.format(year=year, item=_segment(item or "unassigned"))
        return URIRef(f"{self.base}{path}/{short_hash(key)}")

    def plan_document(self, level: str, year: int | None) -> URIRef:
        return URIRef(f"{self.base}{_LEVELS[level].plan_path.format(year=year)}")

    def indicator(self, item: str, label: str) -> URIRef:
        return self("indicator", item or "unassigned", text_hash(label))

    def target(self, item: str, target: Target) -> URIRef:
        return self("target", item or "unassigned", text_hash(target.text))

    def observation(self, indicator: Indicator, obs: Observation) -> URIRef:
        parts = (indicator.label, obs.subject or "", obs.statistic or "", obs.text)
        key = short_hash("|".join(match_key(p) for p in parts))
        return self("observation", indicator.item or "unassigned", obs.year, key)

    def evaluation(self, ev: Evaluation) -> URIRef:
        return self("evaluation", ev.item, ev.year, ev.by)

    def overall(self, ov: OverallEvaluation) -> URIRef:
        return self("overall-evaluation", ov.year, ov.by)


def _object(value: Value) -> Node | None:
    """A Python value as an RDF object; ``None`` and empty strings state nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, Node):
        return value
    if isinstance(value, Decimal):
        return Literal(format(value, "f"), datatype=XSD.decimal)
    return Literal(value)  # str → xsd:string, bool → xsd:boolean, int → xsd:integer


def ja(text: str | None) -> Literal | None:
    """Japanese text as published, tagged ``@ja``."""
    return Literal(text, lang="ja") if text else None


@dataclass
class Emitter:
    """What an emitter function writes with: the records, the IRI scheme and the graphs."""

    records: DocumentRecords
    iris: Iris
    graph: Graph
    years: set[int] = field(default_factory=set)

    def node(self, iri: URIRef, types: Sequence[URIRef], span: Span | None, props: Props) -> URIRef:
        """Add ``iri`` with its types, properties and (if given) ``prov:wasDerivedFrom`` span."""
        for cls in types:
            self.graph.add((iri, RDF.type, cls))
        for pred, value in props:
            obj = _object(value)
            if obj is not None:
                self.graph.add((iri, pred, obj))
        if span is not None:
            self.graph.add((iri, PROV.wasDerivedFrom, self.span(span)))
        return iri

    def span(self, span: Span) -> URIRef:
        return self.node(
            self.iris.span(span),
            [PT.Span],
            None,
            [
                (PT.document, self.iris.doc(span.doc)),
                (PT.lineStart, span.start),
                (PT.lineEnd, span.end),
            ],
        )

    def year(self, year: int) -> URIRef:
        """The fiscal-year node (described once, in the reference graph)."""
        self.years.add(year)
        return fiscal_year_iri(year)

    def item(self, code: str) -> URIRef | None:
        return self.iris.item(code) if code else None

    def fail(self, span: Span, message: str) -> ParseError:
        return ParseError(self.records.doc, message, span.start)

    def grade(self, grade: str, span: Span) -> URIRef:
        try:
            return GRADES[nfkc(grade).strip()]
        except KeyError:
            raise self.fail(span, f"expected a grade S, A, B, C or D, found {grade!r}") from None

    def by(self, by: str, span: Span) -> str:
        if by not in EVALUATION_CLASSES:
            raise self.fail(span, f"expected an evaluation by 'self' or 'ministerial', got {by!r}")
        return by

    def clause_year(self, clause: Clause) -> int | None:
        if clause.level not in _LEVELS:
            raise self.fail(clause.span, f"expected a clause level {sorted(_LEVELS)}")
        if clause.level != "annual":
            return None
        year = clause.year or self.records.year
        if year is None:
            raise self.fail(clause.span, "expected the fiscal year of an annual plan clause")
        return year

    @cached_property
    def clause_iris(self) -> list[URIRef]:
        return [
            self.iris.clause(c.level, c.item, self.clause_year(c), c.key or match_key(c.text))
            for c in self.records.clauses
        ]

    @cached_property
    def indicator_iris(self) -> list[URIRef]:
        return [self.iris.indicator(i.item, i.label) for i in self.records.indicators]


def _items(e: Emitter) -> None:
    for item in e.records.items:
        staff = {year: e.iris.staff(item.code, year) for year in item.staff}
        e.node(
            e.iris.item(item.code),
            [PT.EvaluationItem],
            item.span,
            [
                (PT.code, item.code),
                (PT.category, item.category or item.code.split("-")[0]),
                (RDFS.label, ja(item.title)),
                (PT.relatedPolicy, ja(item.related_policy)),
                (PT.legalBasisText, ja(item.legal_basis)),
                *((PT.staff, iri) for iri in staff.values()),
            ],
        )
        for year, iri in staff.items():
            e.node(
                iri,
                [PT.StaffCount],
                item.span,
                [(PT.fiscalYear, e.year(year)), (PT["count"], item.staff[year])],
            )


def _clauses(e: Emitter) -> None:
    for clause, iri in zip(e.records.clauses, e.clause_iris, strict=True):
        level, year = _LEVELS[clause.level], e.clause_year(clause)
        fiscal_year = e.year(year) if year is not None else None
        plan = e.node(
            e.iris.plan_document(clause.level, year), [level.plan_cls], None,
            [(PT.fiscalYear, fiscal_year)],
        )  # fmt: skip
        label = squash(clause.text)
        label = label if len(label) <= LABEL_LENGTH else label[:LABEL_LENGTH] + "…"
        up = None if clause.implements is None else e.clause_iris[clause.implements]
        e.node(
            iri,
            [level.cls],
            clause.span,
            [
                (PT.text, ja(clause.text)),
                (PT.item, e.item(clause.item)),
                (PT.fiscalYear, fiscal_year),
                (PT.sectionNumber, clause.section),
                (RDFS.label, ja(label)),
                (PT.implements, up),
                (PT.partOf, plan),
            ],
        )


def _indicators(e: Emitter) -> None:
    for ind, iri in zip(e.records.indicators, e.indicator_iris, strict=True):
        targets = [
            e.node(
                e.iris.target(ind.item, t),
                [PT.Target],
                t.span,
                [
                    (PT.targetValue, t.value),
                    (PT.unit, t.unit),
                    (PT.comparator, t.comparator),
                    (PT.text, ja(t.text)),
                    (PT.approximate, t.approximate),
                ],
            )
            for t in ind.targets
        ]
        kind = PT.QuantitativeIndicator if ind.quantitative else PT.EvaluationViewpoint
        e.node(
            iri,
            [kind, PT.Indicator],
            ind.span,
            [
                (PT.item, e.item(ind.item)),
                (RDFS.label, ja(ind.label)),
                *((PT.measures, e.clause_iris[m]) for m in ind.measures),
                *((PT.target, t) for t in targets),
            ],
        )


def _observations(e: Emitter) -> None:
    for obs in e.records.observations:
        indicator = e.records.indicators[obs.indicator]
        e.node(
            e.iris.observation(indicator, obs),
            [PT.Observation],
            obs.span,
            [
                (PT.indicator, e.indicator_iris[obs.indicator]),
                (PT.fiscalYear, e.year(obs.year)),
                (PT.value, obs.value),
                (PT.unit, obs.unit),
                (PT.subject, obs.subject),
                (PT.statistic, obs.statistic),
                (PT.text, ja(obs.text)),
                (PT.approximate, obs.approximate),
            ],
        )


def _evaluations(e: Emitter) -> None:
    for ev in e.records.evaluations:
        cls = EVALUATION_CLASSES[e.by(ev.by, ev.span)]
        e.node(
            e.iris.evaluation(ev),
            [cls, PT.Evaluation],
            ev.span,
            [
                (PT.evaluates, e.iris.item(ev.item)),
                (PT.fiscalYear, e.year(ev.year)),
                (PT.grade, e.grade(ev.grade, ev.span)),
                (PT.rationale, ja(ev.rationale)),
                *_marks(ev.marks),
            ],
        )


def _marks(marks: Marks | None) -> Props:
    """The three marks as booleans; nothing when the document prints no marks for a grade."""
    if marks is None:
        return []
    return [
        (PT.importanceHigh, marks.importance_high),
        (PT.difficultyHigh, marks.difficulty_high),
        (PT.priority, marks.priority),
    ]


def _overall(e: Emitter) -> None:
    for ov in e.records.overall:
        e.by(ov.by, ov.span)
        e.node(
            e.iris.overall(ov),
            [PT.OverallEvaluation],
            ov.span,
            [(PT.fiscalYear, e.year(ov.year)), (PT.grade, e.grade(ov.grade, ov.span))],
        )


EMITTERS: list[Callable[[Emitter], None]] = [
    _items,
    _clauses,
    _indicators,
    _observations,
    _evaluations,
    _overall,
]
"""One function per record type; each reads ``e.records`` and writes with ``e.node``."""


@dataclass
class DocumentGraphs:
    """The triples read from one document.

    ``document`` (named after the document) is replaced when the document is re-ingested;
    ``reference`` is shared by all documents and only ever added to.
    """

    document: Graph
    reference: Graph

    def __len__(self) -> int:
        return len(self.document) + len(self.reference)

    def union(self) -> Graph:
        """All triples in one graph (for checks and for formats without named graphs)."""
        return self.document + self.reference


def to_graphs(source: SourceDocument, records: DocumentRecords | None = None) -> DocumentGraphs:
    """The RDF of ``source``: its description, and the facts of ``records`` if it was parsed."""
    iris = Iris(source.publisher.id)
    doc = iris.doc(source.id)
    graph = Graph(identifier=doc)
    reference = Graph(identifier=REFERENCE_GRAPH)
    e = Emitter(records or DocumentRecords(source.id, source.kind), iris, graph)
    _describe_source(e, source)
    if records is not None:
        for emit in EMITTERS:
            emit(e)
    _describe_publisher(reference, source.publisher)
    for year in sorted(e.years):
        _describe_fiscal_year(reference, year)
    return DocumentGraphs(graph, reference)


def _issued(issued: str | None) -> Literal | None:
    if issued is None:
        return None
    return Literal(issued, datatype=XSD.date if len(issued) == 10 else XSD.gYearMonth)


def _describe_source(e: Emitter, source: SourceDocument) -> None:
    e.node(
        e.iris.doc(source.id),
        [PT.SourceDocument],
        None,
        [
            (DCTERMS.title, ja(source.title_ja)),
            (DCTERMS.title, Literal(source.title_en, lang="en") if source.title_en else None),
            (DCTERMS.issued, _issued(source.issued)),
            (DCTERMS.publisher, PTID[_segment(source.publisher.id)]),
            (PT.sha256, source.sha256),
            (PT.fileName, source.file),
            (PT.documentKind, source.kind),
        ],
    )


def _describe_publisher(graph: Graph, publisher: Publisher) -> None:
    iri = PTID[_segment(publisher.id)]
    graph.add((iri, RDF.type, FOAF.Organization))
    for name, lang in ((publisher.name_ja, "ja"), (publisher.name_en, "en")):
        graph.add((iri, FOAF.name, Literal(name, lang=lang)))
        graph.add((iri, RDFS.label, Literal(name, lang=lang)))


def _describe_fiscal_year(graph: Graph, year: int) -> None:
    iri = fiscal_year_iri(year)
    graph.add((iri, RDF.type, PT.FiscalYear))
    graph.add((iri, PT.year, Literal(year)))
    graph.add((iri, RDFS.label, Literal(fiscal_year_label(year), lang="ja")))
    graph.add((iri, RDFS.label, Literal(f"FY{year}", lang="en")))
    bounds = (
        ("beginning", TIME.hasBeginning, f"{year}-04-01"),
        ("end", TIME.hasEnd, f"{year + 1}-03-31"),
    )
    for name, pred, date in bounds:
        instant = URIRef(f"{iri}/{name}")
        graph.add((iri, pred, instant))
        graph.add((instant, RDF.type, TIME.Instant))
        graph.add((instant, TIME.inXSDDate, Literal(date, datatype=XSD.date)))
