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
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.errors import ParseError
from kg.namespaces import (
    CURATED_GRAPH,
    DCTERMS,
    FOAF,
    PROV,
    PT,
    PTID,
    RDF,
    RDFS,
    REFERENCE_GRAPH,
    SKOS,
    TIME,
    XSD,
    fiscal_year_iri,
    fiscal_year_label,
    item_iri,
    publisher_iri,
    segment,
)
from kg.records import (
    Clause,
    DocumentRecords,
    Indicator,
    Marks,
    Observation,
    OverallEvaluation,
    ProvisionRef,
    Span,
    Statute,
    Target,
)
from kg.sources import Publisher, SourceDocument
from kg.text import egov_law_id, match_key, nfkc, squash

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
        self.publisher_id = publisher_id
        self.base = Namespace(f"{publisher_iri(publisher_id)}/")

    def __call__(self, *segments: str | int) -> URIRef:
        return self.base["/".join(segment(str(s)) for s in segments)]

    def doc(self, doc: str) -> URIRef:
        return self("doc", doc)

    def span(self, span: Span) -> URIRef:
        return self("doc", span.doc, f"L{span.start}-L{span.end}")

    def item(self, code: str) -> URIRef:
        return URIRef(item_iri(self.publisher_id, code))

    def staff(self, code: str, year: int) -> URIRef:
        return self("item", code, "staff", year)

    def clause(self, level: str, item: str, year: int | None, key: str) -> URIRef:
        path = _LEVELS[level].path.format(year=year, item=segment(item or "unassigned"))
        return URIRef(f"{self.base}{path}/{short_hash(key)}")

    def plan_document(self, level: str, year: int | None) -> URIRef:
        return URIRef(f"{self.base}{_LEVELS[level].plan_path.format(year=year)}")

    def indicator(self, item: str, key: str) -> URIRef:
        return self("indicator", item or "unassigned", text_hash(key))

    def target(self, item: str, target: Target) -> URIRef:
        return self("target", item or "unassigned", text_hash(target.text))

    def clause_target(self, clause: URIRef, target: Target) -> URIRef:
        """``<clause>/target/<hash of the phrase>``: a clause read from several documents
        states its target once; a changed phrase is another target of the same clause."""
        return URIRef(f"{clause}/target/{text_hash(target.text)}")

    def observation(self, indicator: Indicator, obs: Observation) -> URIRef:
        parts = (indicator.label, obs.subject or "", obs.statistic or "", obs.text)
        key = short_hash("|".join(match_key(p) for p in parts))
        return self("observation", indicator.item or "unassigned", obs.year, key)

    def evaluation(self, item: str, year: int, by: str) -> URIRef:
        return self("evaluation", item, year, by)

    def overall(self, ov: OverallEvaluation) -> URIRef:
        return self("overall-evaluation", ov.year, ov.by)


EGOV_LAW_PAGE = "https://laws.e-gov.go.jp/law/{}"
"""The e-Gov page of a law by its law ID (linked with rdfs:seeAlso, never fetched)."""


def law_iri(title: str | None, law_number: str | None) -> URIRef:
    """``.../id/law/425AC0000000027``: by e-Gov law ID where the law number gives one, else by
    the law number, else by the title (hashed); the same for every publisher and document."""
    egov = egov_law_id(law_number) if law_number else None
    if egov:
        return PTID[f"law/{egov}"]
    return PTID[f"law/{short_hash(match_key(law_number or title or ''))}"]


def provision_iri(ref: ProvisionRef) -> URIRef:
    """``<law>/art38-8``, ``…/art18/para3``, ``…/art65/para1/item4``, ``…/suppl-art9-2``."""
    numbers = re.findall(r"\d+", nfkc(ref.article))
    path = ("suppl-" if ref.supplementary else "") + "art" + "-".join(numbers)
    if ref.paragraph is not None:
        path += f"/para{ref.paragraph}"
    if ref.item_number is not None:
        path += f"/item{ref.item_number}"
    return URIRef(f"{law_iri(ref.law_title, ref.law_number)}/{path}")


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
        return [self.iris.indicator(i.item, i.key or i.label) for i in self.records.indicators]


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
            e.node(e.iris.target(ind.item, t), [PT.Target], t.span, _target_props(t))
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


def _target_props(t: Target) -> Props:
    """What a target states, wherever it is stated (an indicator, a clause)."""
    return [
        (PT.targetValue, t.value),
        (PT.unit, t.unit),
        (PT.comparator, t.comparator),
        (PT.text, ja(t.text)),
        (PT.approximate, t.approximate),
        (PT.perPeriod, t.period),
    ]


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
            e.iris.evaluation(ev.item, ev.year, ev.by),
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


def _statute(e: Emitter, statute: Statute, span: Span | None) -> URIRef:
    egov = statute.egov_law_id or (egov_law_id(statute.law_number) if statute.law_number else None)
    return e.node(
        law_iri(statute.title, statute.law_number),
        [PT.Statute],
        span,
        [
            (DCTERMS.title, ja(statute.title)),
            (RDFS.label, ja(statute.short_title or statute.title)),
            (SKOS.altLabel, ja(statute.short_title)),
            (PT.lawNumber, statute.law_number),
            (PT.egovLawId, egov),
            (RDFS.seeAlso, URIRef(EGOV_LAW_PAGE.format(egov)) if egov else None),
        ],
    )


def _statutes(e: Emitter) -> None:
    """The statute excerpts: each law, each article shown, and each of its paragraphs."""
    for statute in e.records.statutes:
        _statute(e, statute, statute.citation_span or statute.span)
    for p in e.records.provisions:
        statute = e.records.statutes[p.statute]
        ref = ProvisionRef(nfkc(p.label), statute.title, statute.law_number,
                           supplementary=p.supplementary)  # fmt: skip
        article = e.node(
            provision_iri(ref),
            [PT.Provision],
            p.span,
            [
                (DCTERMS.isPartOf, law_iri(statute.title, statute.law_number)),
                (PT.articleLabel, ref.article),
                (RDFS.label, ja(f"{statute.short_title or statute.title} {p.label}")),
                (PT.caption, ja(p.caption)),
                (PT.text, ja(p.text)),
            ],
        )
        for para in p.paragraphs:
            e.node(
                provision_iri(replace(ref, paragraph=para.number)),
                [PT.Provision],
                para.span,
                [
                    (DCTERMS.isPartOf, article),
                    (PT.articleLabel, f"{ref.article}第{para.number}項"),
                    (PT.text, ja(para.text)),
                ],
            )


def cited_provision(e: Emitter, ref: ProvisionRef, span: Span | None) -> URIRef:
    """The node of a cited provision, with the law and article it is part of (a citation may
    name an article the excerpts do not print, or a law they do not include)."""
    law = _statute(
        e,
        Statute(
            ref.law_title or ref.short_title or "",
            span or _NO_SPAN,
            short_title=ref.short_title,
            law_number=ref.law_number,
        ),
        None,
    )
    article = replace(ref, paragraph=None, item_number=None)
    node = e.node(
        provision_iri(article),
        [PT.Provision],
        None,
        [(DCTERMS.isPartOf, law), (PT.articleLabel, ref.article)],
    )
    label = ref.article
    for level, number, unit in ((1, ref.paragraph, "項"), (2, ref.item_number, "号")):
        if number is None:
            continue
        label += f"第{number}{unit}"
        part = replace(ref, item_number=ref.item_number if level == 2 else None)
        node = e.node(
            provision_iri(part),
            [PT.Provision],
            None,
            [(DCTERMS.isPartOf, node), (PT.articleLabel, label)],
        )
    return node


_NO_SPAN = Span("-", 1, 1)


def _legal_basis(e: Emitter) -> None:
    for item in e.records.items:
        for ref in item.legal_basis_refs:
            e.graph.add((e.iris.item(item.code), PT.legalBasis, cited_provision(e, ref, None)))


def _authorizations(e: Emitter) -> None:
    """pt:authorizedBy from each plan document, and from this document's evaluations."""
    for auth in e.records.authorizations:
        provision = cited_provision(e, auth.ref, None)
        if auth.subject in _LEVELS:
            subjects = [e.iris.plan_document(auth.subject, auth.year)]
        else:
            subjects = [e.iris.evaluation(ev.item, ev.year, ev.by) for ev in e.records.evaluations]
            subjects += [e.iris.overall(ov) for ov in e.records.overall]
        for subject in subjects:
            e.graph.add((subject, PT.authorizedBy, provision))


def _periods(e: Emitter) -> None:
    """The goal period as a time:Interval (the first statement of it; later ones are spans)."""
    for period in e.records.periods:
        if period.subject not in _LEVELS:
            continue
        owner = e.iris.plan_document(period.subject, None)
        interval = URIRef(f"{owner}/period")
        bounds = ((TIME.hasBeginning, "beginning", period.start), (TIME.hasEnd, "end", period.end))
        e.node(owner, [_LEVELS[period.subject].plan_cls], None, [(PT.period, interval)])
        e.node(
            interval,
            [TIME.Interval],
            period.span,
            [(pred, URIRef(f"{interval}/{name}")) for pred, name, _ in bounds],
        )
        for _, name, day in bounds:
            e.node(
                URIRef(f"{interval}/{name}"),
                [TIME.Instant],
                None,
                [(TIME.inXSDDate, Literal(day.isoformat(), datatype=XSD.date))],
            )


def _opinions(e: Emitter) -> None:
    for n, op in enumerate(e.records.opinions, start=1):
        e.node(
            e.iris("doc", e.records.doc, "opinion", n),
            [PT.CommitteeOpinion],
            op.span,
            [
                (RDFS.label, ja(op.text.split("\n", 1)[0][:LABEL_LENGTH])),
                (DCTERMS.issued, Literal(op.issued.isoformat(), datatype=XSD.date)),
                (DCTERMS.isPartOf, e.iris.doc(e.records.doc)),
                (DCTERMS.creator, ja(op.issuer)),
                (PT.addressee, ja(op.addressee)),
                (PT.text, ja(op.text)),
            ],
        )


def _rubric(e: Emitter) -> None:
    """The grading rubric as printed: the criteria of each grade concept, with their source."""
    for r in e.records.rubric:
        e.node(
            e.grade(r.grade, r.span),
            [],
            r.span,
            [(PT.quantitativeCriterion, ja(r.quantitative)),
             (PT.qualitativeCriterion, ja(r.qualitative))],
        )  # fmt: skip


def _summary_grades(e: Emitter) -> None:
    """A grade repeated on a summary page is the same evaluation, read from one more place."""
    for sg in e.records.summary_grades:
        e.node(
            e.iris.evaluation(sg.item, sg.year, sg.by),
            [EVALUATION_CLASSES[e.by(sg.by, sg.span)], PT.Evaluation],
            sg.span,
            [(PT.evaluates, e.iris.item(sg.item)), (PT.fiscalYear, e.year(sg.year)),
             (PT.grade, e.grade(sg.grade, sg.span)), (PT.highlights, ja(sg.highlights))],
        )  # fmt: skip


def _references(e: Emitter) -> None:
    """A pointer to another document (詳細は…事業報告第3章三) on the item's evaluation."""
    for ref in e.records.references:
        year = ref.year or e.records.year
        if year is None:
            continue
        ev = e.iris.evaluation(ref.item, year, "self")
        target = e.iris.doc(ref.resolved) if ref.resolved else None
        e.node(ev, [], ref.span, [(DCTERMS.references, target), (PT.referenceText, ja(ref.text))])


def target_iris(e: Emitter) -> dict[int, URIRef]:
    """The node of every target of the records (clauses' and indicators'), by identity: a
    target refers to the targets it refines and an observation to the target it was compared
    with as objects of the same records."""
    iris = {
        id(t): e.iris.clause_target(iri, t)
        for clause, iri in zip(e.records.clauses, e.clause_iris, strict=True)
        for t in clause.targets
    }
    for ind in e.records.indicators:
        iris.update((id(t), e.iris.target(ind.item, t)) for t in ind.targets)
    return iris


def _targets(e: Emitter) -> None:
    """Clause targets (linked with pt:target), and for every target the targets of the level
    above it refines."""
    iris = target_iris(e)
    for clause, clause_iri in zip(e.records.clauses, e.clause_iris, strict=True):
        for t in clause.targets:
            target = e.node(iris[id(t)], [PT.Target], t.span, _target_props(t))
            e.graph.add((clause_iri, PT.target, target))
    stated = [t for c in e.records.clauses for t in c.targets]
    stated += [t for i in e.records.indicators for t in i.targets]
    for t in stated:
        for up in t.refines:
            if id(up) not in iris:
                raise e.fail(t.span, f"expected {t.text!r} to refine a target of this document")
            e.graph.add((iris[id(t)], PT.refines, iris[id(up)]))


def _achievements(e: Emitter) -> None:
    """Each observation's achievement against its target, its rubric band, or why not."""
    iris = target_iris(e)
    for obs in e.records.observations:
        found = obs.achievement
        if found is None:
            continue
        note = found.note
        e.node(
            e.iris.observation(e.records.indicators[obs.indicator], obs),
            [],
            None,
            [
                (PT.achievement, found.percent),
                (PT.achievementOf, iris[id(found.target)] if found.target else None),
                (PT.impliedGrade, e.grade(found.grade, obs.span) if found.grade else None),
                (PT.achievementNote, ja(note.ja) if note else None),
                (PT.achievementNote, Literal(note.en, lang="en") if note else None),
            ],
        )


def _rubric_bands(e: Emitter) -> None:
    """The percent bands of each grade, as the rubric of this document prints them."""
    for r in e.records.rubric:
        for b in r.bands:
            low, high = (
                (PT.achievementMinHighDifficulty, PT.achievementMaxHighDifficulty)
                if b.difficulty_high
                else (PT.achievementMin, PT.achievementMax)
            )
            e.node(
                e.grade(r.grade, r.span),
                [],
                None,
                [(low, b.minimum), (high, b.maximum), (PT.qualitativeCondition, ja(b.requires))],
            )


EMITTERS: list[Callable[[Emitter], None]] = [
    _items,
    _clauses,
    _indicators,
    _observations,
    _evaluations,
    _overall,
    _statutes,
    _legal_basis,
    _authorizations,
    _periods,
    _opinions,
    _rubric,
    _summary_grades,
    _references,
    _targets,
    _achievements,
    _rubric_bands,
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


def to_graphs(
    source: SourceDocument, records: DocumentRecords | None = None, store: str = "default"
) -> DocumentGraphs:
    """The RDF of ``source``: its description, and the facts of ``records`` if it was parsed.

    ``store`` names the rdflib store the document graph is held in: ``"SimpleMemory"`` (no
    context index) fills a third faster, for graphs that are only written out (:mod:`kg.synth`).
    """
    iris = Iris(source.publisher.id)
    graph = Graph(store=store, identifier=iris.doc(source.id))
    e = Emitter(records or DocumentRecords(source.id, source.kind), iris, graph)
    _describe_source(e, source)
    return _emit(e, source.publisher, records is not None)


def curated_graphs(publisher: Publisher, records: DocumentRecords) -> DocumentGraphs:
    """The RDF of hand-kept facts (:mod:`kg.curated`), in their own named graph."""
    e = Emitter(records, Iris(publisher.id), Graph(identifier=CURATED_GRAPH))
    return _emit(e, publisher, True)


def _emit(e: Emitter, publisher: Publisher, facts: bool) -> DocumentGraphs:
    if facts:
        for emit in EMITTERS:
            emit(e)
    reference = Graph(identifier=REFERENCE_GRAPH)
    _describe_publisher(reference, publisher)
    for year in sorted(e.years):
        _describe_fiscal_year(reference, year)
    return DocumentGraphs(e.graph, reference)


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
            (DCTERMS.publisher, URIRef(publisher_iri(source.publisher.id))),
            (PT.sha256, source.sha256),
            (PT.fileName, source.file),
            (PT.documentKind, source.kind),
            (PT.fiscalYear, e.year(source.fiscal_year) if source.fiscal_year else None),
            (
                PT.coversGoalPeriod,
                e.iris.plan_document("goal", None) if e.records.covers_goal_period else None,
            ),
        ],
    )


def _describe_publisher(graph: Graph, publisher: Publisher) -> None:
    iri = URIRef(publisher_iri(publisher.id))
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
