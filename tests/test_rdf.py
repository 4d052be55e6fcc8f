"""Records → RDF: exact IRIs and triples from hand-made records, and the real FY2025 report."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SOURCES
from rdflib import Graph, Literal, URIRef

from kg import namespaces as ns
from kg.errors import ParseError
from kg.ingest import selfeval_md
from kg.namespaces import DCTERMS, PROV, PT, RDF, RDFS, REFERENCE_GRAPH, fiscal_year_label
from kg.ontology import load_ontology, undeclared_terms
from kg.rdf import DocumentGraphs, short_hash, to_graphs
from kg.records import (
    Clause,
    DocumentRecords,
    Evaluation,
    Indicator,
    Item,
    Marks,
    Observation,
    OverallEvaluation,
    Span,
    Target,
)
from kg.sources import Publisher, SourceDocument, load_manifest
from kg.text import match_key

DOC = "doc-x"
B = "https://w3id.org/plantrace/id/jlis/"
FY = "https://w3id.org/plantrace/id/fiscal-year/"
PUBLISHER = Publisher("jlis", "地方公共団体情報システム機構", "J-LIS")
GOAL = "○ カードの 交付を 円滑に行う。"
PLAN = "交付体制を整備する。"
ANNUAL = "令和7年度は交付窓口を拡充し、申請から交付までの期間を短縮するための取組を進める。"


def h(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def span(start: int, end: int | None = None, doc: str = DOC) -> Span:
    return Span(doc, start, end or start)


def source(doc: str = DOC, issued: str | None = "2026-06-23") -> SourceDocument:
    return SourceDocument(
        id=doc, file="002_x.txt", title_ja="自己評価書", title_en="Self-evaluation", issuer="機構",
        issued=issued, kind="self-evaluation-report", form="Markdown", fiscal_year=2025,
        sha256="ab" * 32, publisher=PUBLISHER, path=Path("002_x.txt"),
    )  # fmt: skip


def records(doc: str = DOC) -> DocumentRecords:
    recs = DocumentRecords(doc=doc, kind="self-evaluation-report", year=2025)
    recs.items.append(
        Item("I-1", "カードの交付", span(10, 12, doc), related_policy="重点計画",
             legal_basis="番号利用法第38条の8", staff={2024: 30, 2025: 32})
    )  # fmt: skip
    recs.clauses += [
        Clause("goal", "I-1", GOAL, span(20, 21, doc), section="Ⅲ．１．①"),
        Clause("plan", "I-1", PLAN, span(22, doc=doc), implements=0),
        Clause("annual", "I-1", ANNUAL, span(23, doc=doc), year=2025, implements=1),
        Clause("plan", "", "項目不明の計画。", span(24, doc=doc), key="linker-key"),
    ]
    target = Target(Decimal("99.9"), "%", ">=", "99.9%以上", span(30, doc=doc))
    recs.indicators += [
        Indicator("I-1", "稼働率", True, span(30, doc=doc), measures=[0, 1], targets=[target]),
        Indicator("I-1", "円滑な交付", False, span(31, doc=doc), measures=[2]),
    ]
    recs.observations.append(
        Observation(0, 2025, Decimal("4.8E+6"), "枚", "最大約480万枚", span(40, doc=doc),
                    subject="カード管理システム", statistic="max", approximate=True)
    )  # fmt: skip
    recs.evaluations += [
        Evaluation("I-1", 2025, "A", "self", span(50, doc=doc), rationale="目標を上回った。"),
        Evaluation("I-1", 2024, "Ｂ", "ministerial", span(51, doc=doc),
                   marks=Marks(importance_high=True, priority=True)),
    ]  # fmt: skip
    recs.overall.append(OverallEvaluation(2024, "B", "ministerial", span(60, doc=doc)))
    return recs


@pytest.fixture(scope="module")
def graphs() -> DocumentGraphs:
    return to_graphs(source(), records())


@pytest.fixture(scope="module")
def g(graphs: DocumentGraphs) -> Graph:
    return graphs.document


def iri(path: str) -> URIRef:
    return URIRef(B + path)


GOAL_IRI = iri(f"goal-clause/I-1/{h(match_key(GOAL))}")
PLAN_IRI = iri(f"plan-clause/I-1/{h(match_key(PLAN))}")
ANNUAL_IRI = iri(f"annual-plan-clause/2025/I-1/{h(match_key(ANNUAL))}")
QI_IRI = iri(f"indicator/I-1/{h(match_key('稼働率'))}")


def test_short_hash() -> None:
    assert short_hash("abc") == "a9993e3647"
    assert len(GOAL_IRI.rsplit("/", 1)[1]) == 10


def test_graph_is_named_after_document(graphs: DocumentGraphs) -> None:
    assert graphs.document.identifier == iri(f"doc/{DOC}")
    assert graphs.reference.identifier == REFERENCE_GRAPH
    assert str(REFERENCE_GRAPH) == "https://w3id.org/plantrace/id/graph/reference"


def test_source_document(g: Graph) -> None:
    doc = iri(f"doc/{DOC}")
    assert (doc, RDF.type, PT.SourceDocument) in g
    assert (doc, DCTERMS.title, Literal("自己評価書", lang="ja")) in g
    assert (doc, DCTERMS.title, Literal("Self-evaluation", lang="en")) in g
    assert (doc, DCTERMS.issued, Literal("2026-06-23", datatype=ns.XSD.date)) in g
    assert (doc, DCTERMS.publisher, URIRef("https://w3id.org/plantrace/id/jlis")) in g
    assert (doc, PT.sha256, Literal("ab" * 32)) in g
    assert (doc, PT.fileName, Literal("002_x.txt")) in g
    assert (doc, PT.documentKind, Literal("self-evaluation-report")) in g


@pytest.mark.parametrize(
    ("issued", "expected"),
    [("2022-06", Literal("2022-06", datatype=ns.XSD.gYearMonth)), (None, None)],
)
def test_issued_forms(issued: str | None, expected: Literal | None) -> None:
    g = to_graphs(source(issued=issued)).document
    assert g.value(iri(f"doc/{DOC}"), DCTERMS.issued) == expected


def test_span(g: Graph) -> None:
    s = iri(f"doc/{DOC}/L20-L21")
    assert (s, RDF.type, PT.Span) in g
    assert (s, PT.document, iri(f"doc/{DOC}")) in g
    assert (s, PT.lineStart, Literal(20)) in g
    assert g.value(s, PT.lineEnd) == Literal(21, datatype=ns.XSD.integer)
    assert (GOAL_IRI, PROV.wasDerivedFrom, s) in g


def test_item_and_staff(g: Graph) -> None:
    item = iri("item/I-1")
    assert (item, RDF.type, PT.EvaluationItem) in g
    assert (item, PT.code, Literal("I-1")) in g
    assert (item, PT.category, Literal("I")) in g
    assert (item, RDFS.label, Literal("カードの交付", lang="ja")) in g
    assert (item, PT.relatedPolicy, Literal("重点計画", lang="ja")) in g
    assert (item, PT.legalBasisText, Literal("番号利用法第38条の8", lang="ja")) in g
    staff = iri("item/I-1/staff/2025")
    assert (item, PT.staff, staff) in g
    assert (staff, RDF.type, PT.StaffCount) in g
    assert (staff, PT.fiscalYear, URIRef(FY + "2025")) in g
    assert (staff, PT["count"], Literal(32)) in g
    assert (staff, PROV.wasDerivedFrom, iri(f"doc/{DOC}/L10-L12")) in g


def test_clauses(g: Graph) -> None:
    assert (GOAL_IRI, RDF.type, PT.GoalClause) in g
    assert (GOAL_IRI, PT.text, Literal(GOAL, lang="ja")) in g  # as published
    assert (GOAL_IRI, PT.sectionNumber, Literal("Ⅲ．１．①")) in g
    assert (GOAL_IRI, PT.item, iri("item/I-1")) in g
    assert (GOAL_IRI, PT.partOf, iri("mid-term-goal/1")) in g
    assert (iri("mid-term-goal/1"), RDF.type, PT.MidTermGoal) in g
    assert (PLAN_IRI, PT.implements, GOAL_IRI) in g
    assert (PLAN_IRI, PT.partOf, iri("mid-term-plan/1")) in g
    assert (iri("mid-term-plan/1"), RDF.type, PT.MidTermPlan) in g
    assert (ANNUAL_IRI, RDF.type, PT.AnnualPlanClause) in g
    assert (ANNUAL_IRI, PT.implements, PLAN_IRI) in g
    assert (ANNUAL_IRI, PT.fiscalYear, URIRef(FY + "2025")) in g
    assert (ANNUAL_IRI, PT.partOf, iri("annual-plan/2025")) in g
    assert (iri("annual-plan/2025"), RDF.type, PT.AnnualPlan) in g
    assert (iri("annual-plan/2025"), PT.fiscalYear, URIRef(FY + "2025")) in g


def test_clause_label_is_first_40_characters(g: Graph) -> None:
    label = str(g.value(ANNUAL_IRI, RDFS.label))
    assert label == ANNUAL[:40] + "…"
    assert str(g.value(PLAN_IRI, RDFS.label)) == PLAN


def test_clause_key_and_unassigned_item(g: Graph) -> None:
    node = iri(f"plan-clause/unassigned/{h('linker-key')}")
    assert (node, RDF.type, PT.PlanClause) in g
    assert g.value(node, PT.item) is None


def test_indicators_and_target(g: Graph) -> None:
    assert (QI_IRI, RDF.type, PT.QuantitativeIndicator) in g
    assert (QI_IRI, RDF.type, PT.Indicator) in g
    assert (QI_IRI, RDFS.label, Literal("稼働率", lang="ja")) in g
    assert set(g.objects(QI_IRI, PT.measures)) == {GOAL_IRI, PLAN_IRI}
    target = iri(f"target/I-1/{h(match_key('99.9%以上'))}")
    assert (QI_IRI, PT.target, target) in g
    assert (target, RDF.type, PT.Target) in g
    assert (target, PT.targetValue, Literal("99.9", datatype=ns.XSD.decimal)) in g
    assert (target, PT.unit, Literal("%")) in g
    assert (target, PT.comparator, Literal(">=")) in g
    assert (target, PT.approximate, Literal(False)) in g
    vp = iri(f"indicator/I-1/{h(match_key('円滑な交付'))}")
    assert (vp, RDF.type, PT.EvaluationViewpoint) in g
    assert (vp, PT.measures, ANNUAL_IRI) in g


def test_observation(g: Graph) -> None:
    key = "|".join([match_key("稼働率"), "カード管理システム", "max", match_key("最大約480万枚")])
    obs = iri(f"observation/I-1/2025/{h(key)}")
    assert (obs, RDF.type, PT.Observation) in g
    assert (obs, PT.indicator, QI_IRI) in g
    assert (obs, PT.fiscalYear, URIRef(FY + "2025")) in g
    assert (obs, PT.value, Literal("4800000", datatype=ns.XSD.decimal)) in g  # no exponent
    assert (obs, PT.unit, Literal("枚")) in g
    assert (obs, PT.subject, Literal("カード管理システム")) in g
    assert (obs, PT.statistic, Literal("max")) in g
    assert (obs, PT.approximate, Literal(True)) in g
    assert (obs, PT.text, Literal("最大約480万枚", lang="ja")) in g


def test_evaluations(g: Graph) -> None:
    own = iri("evaluation/I-1/2025/self")
    assert (own, RDF.type, PT.SelfEvaluation) in g
    assert (own, RDF.type, PT.Evaluation) in g
    assert (own, PT.evaluates, iri("item/I-1")) in g
    assert (own, PT.grade, PT.GradeA) in g
    assert (own, PT.rationale, Literal("目標を上回った。", lang="ja")) in g
    assert g.value(own, PT.importanceHigh) is None  # no marks printed: none stated
    ministers = iri("evaluation/I-1/2024/ministerial")
    assert (ministers, RDF.type, PT.MinisterialEvaluation) in g
    assert (ministers, PT.grade, PT.GradeB) in g  # full-width Ｂ read as B
    assert (ministers, PT.importanceHigh, Literal(True)) in g
    assert (ministers, PT.difficultyHigh, Literal(False)) in g
    assert (ministers, PT.priority, Literal(True)) in g
    overall = iri("overall-evaluation/2024/ministerial")
    assert (overall, RDF.type, PT.OverallEvaluation) in g
    assert (overall, PT.grade, PT.GradeB) in g
    assert (overall, PT.fiscalYear, URIRef(FY + "2024")) in g


def test_every_fact_is_derived_from_a_span(g: Graph) -> None:
    fact_types = [
        PT.EvaluationItem, PT.StaffCount, PT.GoalClause, PT.PlanClause, PT.AnnualPlanClause,
        PT.Indicator, PT.Target, PT.Observation, PT.Evaluation, PT.OverallEvaluation,
    ]  # fmt: skip
    facts = {s for t in fact_types for s in g.subjects(RDF.type, t)}
    assert len(facts) == 14
    for node in facts:
        spans = list(g.objects(node, PROV.wasDerivedFrom))
        assert spans and all((s, RDF.type, PT.Span) in g for s in spans), node


def test_fiscal_years_only_in_reference_graph(graphs: DocumentGraphs) -> None:
    ref, fy = graphs.reference, URIRef(FY + "2025")
    assert not list(graphs.document.triples((fy, None, None)))
    assert set(ref.subjects(RDF.type, PT.FiscalYear)) == {URIRef(FY + "2024"), fy}
    assert (fy, PT.year, Literal(2025)) in ref
    assert (fy, RDFS.label, Literal("令和7年度", lang="ja")) in ref
    assert (fy, RDFS.label, Literal("FY2025", lang="en")) in ref
    begin, end = URIRef(FY + "2025/beginning"), URIRef(FY + "2025/end")
    assert (fy, ns.TIME.hasBeginning, begin) in ref
    assert (begin, RDF.type, ns.TIME.Instant) in ref
    assert (begin, ns.TIME.inXSDDate, Literal("2025-04-01", datatype=ns.XSD.date)) in ref
    assert (end, ns.TIME.inXSDDate, Literal("2026-03-31", datatype=ns.XSD.date)) in ref


@pytest.mark.parametrize(
    ("year", "label"), [(2019, "令和元年度"), (2021, "令和3年度"), (2018, "平成30年度")]
)
def test_fiscal_year_label(year: int, label: str) -> None:
    assert fiscal_year_label(year) == label


def test_same_node_from_two_documents() -> None:
    other = to_graphs(source("doc-y"), records("doc-y")).document
    assert other.identifier == iri("doc/doc-y")
    assert (GOAL_IRI, RDF.type, PT.GoalClause) in other
    assert (GOAL_IRI, PROV.wasDerivedFrom, iri("doc/doc-y/L20-L21")) in other


def test_every_pt_term_is_declared(graphs: DocumentGraphs) -> None:
    assert undeclared_terms(graphs.union(), load_ontology()) == set()


def test_unparsed_document_is_only_registered() -> None:
    graphs = to_graphs(source())
    assert set(graphs.document.subjects()) == {iri(f"doc/{DOC}")}
    # Only the year the document reports on is described.
    years = set(graphs.reference.subjects(RDF.type, PT.FiscalYear))
    assert years == set(graphs.document.objects(iri(f"doc/{DOC}"), PT.fiscalYear))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: setattr(r.evaluations[0], "grade", "Z"), "expected a grade S, A, B, C or D"),
        (lambda r: setattr(r.overall[0], "by", "board"), "expected an evaluation by"),
        (lambda r: setattr(r.clauses[2], "year", None) or setattr(r, "year", None),
         "expected the fiscal year of an annual plan clause"),
        (lambda r: setattr(r.clauses[0], "level", "vision"), "expected a clause level"),
    ],
)  # fmt: skip
def test_bad_records_raise_parse_error(change: object, message: str) -> None:
    recs = records()
    change(recs)  # type: ignore[operator]
    with pytest.raises(ParseError, match=message) as err:
        to_graphs(source(), recs)
    assert err.value.doc == DOC and err.value.line is not None


@pytest.fixture(scope="module")
def fy2025_graphs() -> DocumentGraphs:
    manifest = load_manifest(SOURCES / "manifest.json")
    doc = next(d for d in manifest.documents if d.kind == selfeval_md.KIND)
    return to_graphs(doc, selfeval_md.parse(doc.read_text(), doc.id))


def test_real_report_uses_only_declared_terms(fy2025_graphs: DocumentGraphs) -> None:
    assert undeclared_terms(fy2025_graphs.union(), load_ontology()) == set()


def test_real_report_facts_have_spans(fy2025_graphs: DocumentGraphs) -> None:
    g = fy2025_graphs.document
    for cls in (PT.Evaluation, PT.GoalClause, PT.PlanClause, PT.AnnualPlanClause, PT.Indicator):
        nodes = set(g.subjects(RDF.type, cls))
        assert nodes, cls
        for node in nodes:
            assert g.value(node, PROV.wasDerivedFrom) is not None, node
