"""kg.validate: the shapes' documentation, findings, renderers, exit policy, and real documents.

Each shape is exercised on its own minimal graphs in tests/shapes/test_shape_cases.py; here the
shapes are checked as documents (bilingual messages, severity, the article they enforce, and that
the article says what the rule assumes), and the validator on hand-made and real graphs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SOURCES
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from kg.build import BuildSummary, parse_document
from kg.config import SHAPES_DIR
from kg.errors import PlantraceError
from kg.namespaces import DCTERMS, PT, RDF, RDFS
from kg.ontology import load_ontology, undeclared_terms
from kg.rdf import to_graphs
from kg.sources import load_manifest
from kg.store import GraphStore
from kg.text import nfkc
from kg.validate import (
    PTS,
    Report,
    exit_code,
    load_shapes,
    render,
    render_html,
    render_json,
    render_text,
    render_turtle,
    store_graph,
    union_graph,
    validate,
)

SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
ARTICLE = re.compile(r"第\d+条")
STATUTE = URIRef("https://w3id.org/plantrace/id/law/425AC0000000027")
LAW = "https://w3id.org/plantrace/id/law/425AC0000000027/"
BOARD_MATERIAL = SOURCES / "004_5cd4bec260e2e85a.txt"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")

# What each cited provision says that a shape relies on, as printed in the 参照条文 of the board
# material (004); compared after NFKC, with line breaks and spaces removed.
STATUTE_QUOTES = {
    "art38-8/para1": "三年以上五年以下の期間において機構が達成すべき業務運営に関する目標",
    "art38-8/para2": "中期目標においては、次に掲げる事項について具体的に定めるものとする",
    "art38-9/para1": "中期目標に基づき",
    "art38-9/para2": "目標を達成するためとるべき措置",
    "art38-10": "毎事業年度の開始前に",
    "art38-11/para1": "中期目標の期間の最後の事業年度",
    "art38-11/para2": "各事業年度の終了後三月以内に",
    "art38-11/para3": "中期計画の実施状況の調査及び分析を行い、その結果を考慮して",
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def _shapes(g: Graph) -> list[URIRef]:
    return sorted({s for s in g.subjects(SH.severity, None) if isinstance(s, URIRef)}, key=str)


def _langs(g: Graph, s: Node, p: URIRef) -> list[str]:
    return sorted((o.language or "") for o in g.objects(s, p) if isinstance(o, Literal))


# ---- the shapes as documents ---------------------------------------------------------------


def test_one_file_per_concern() -> None:
    assert sorted(p.name for p in SHAPES_DIR.glob("*.ttl")) == [
        "grading.ttl", "integrity.ttl", "statute.ttl", "trace.ttl", "versions.ttl",
    ]  # fmt: skip


def test_enough_shapes_found(shapes: Graph) -> None:
    assert len(_shapes(shapes)) >= 40  # guards the checks below against passing vacuously


def test_every_shape_is_documented(shapes: Graph) -> None:
    problems = []
    for shape in _shapes(shapes):
        for pred in (SH.message, RDFS.label, RDFS.comment):
            if _langs(shapes, shape, pred) != ["en", "ja"]:
                problems.append(f"{shape}: {pred} languages {_langs(shapes, shape, pred)}")
        severities = list(shapes.objects(shape, SH.severity))
        if len(severities) != 1 or severities[0] not in SEVERITIES:
            problems.append(f"{shape}: severity {severities}")
        if not str(shape).startswith(str(PTS)):
            problems.append(f"{shape}: not in the pts: namespace")
    assert not problems, "\n".join(problems)


def test_shapes_naming_an_article_enforce_it(shapes: Graph) -> None:
    problems = []
    for shape in _shapes(shapes):
        comments = " ".join(str(c) for c in shapes.objects(shape, RDFS.comment))
        provisions = list(shapes.objects(shape, PT.enforces))
        if ARTICLE.search(comments) and len(provisions) != 1:
            problems.append(f"{shape}: comment names an article, enforces {provisions}")
        for provision in provisions:
            label = shapes.value(provision, PT.articleLabel)
            if (provision, RDF.type, PT.Provision) not in shapes or label is None:
                problems.append(f"{shape}: {provision} is not a described pt:Provision")
            elif str(label) not in comments:
                problems.append(f"{shape}: comment does not name {label}")
    assert not problems, "\n".join(problems)


def test_provisions_are_part_of_the_statute(shapes: Graph) -> None:
    assert (STATUTE, SKOS.altLabel, Literal("番号利用法", lang="ja")) in shapes
    for provision in shapes.subjects(RDF.type, PT.Provision):
        assert STATUTE in set(shapes.transitive_objects(provision, DCTERMS.isPartOf))
        assert str(provision).startswith(str(STATUTE) + "/art")


def test_cited_provisions_say_what_the_rules_assume(shapes: Graph) -> None:
    text = re.sub(r"\s+", "", nfkc(BOARD_MATERIAL.read_text(encoding="utf-8")))
    cited = {str(p).removeprefix(LAW) for p in shapes.objects(None, PT.enforces)}
    assert cited <= set(STATUTE_QUOTES) | {"art38-8", "art38-9"}
    for path, quote in STATUTE_QUOTES.items():
        label = str(shapes.value(URIRef(LAW + path), PT.articleLabel))
        assert ARTICLE.match(label)
        article = re.match(r"第\d+条の\d+", label)
        assert article is not None and article.group(0) in text, label
        assert quote in text, f"{label}: {quote}"


def test_shapes_use_only_declared_terms(shapes: Graph) -> None:
    assert undeclared_terms(shapes, load_ontology()) == set()


def test_grade_list_is_the_grade_scheme(shapes: Graph) -> None:
    head = shapes.value(PTS.GradeShape, SH["in"])
    assert head is not None
    listed = set(Collection(shapes, head))
    onto = load_ontology()
    assert listed == set(onto.subjects(SKOS.inScheme, PT.GradeScheme))


def test_advanced_mode_adds_only_targets(shapes: Graph) -> None:
    """kg.validate turns SHACL-AF on for SPARQL-based targets; no rule, function, expression
    or JavaScript in the shapes may ride along and change what the other shapes report."""
    advanced = (SH.rule, SH.expression, SH.js, SH.jsFunctionName)
    assert [p for p in advanced if any(shapes.triples((None, p, None)))] == []
    assert list(shapes.subjects(RDF.type, SH.SPARQLFunction)) == []
    targeted = set(shapes.subjects(SH.target, None))
    assert targeted == {PTS.SuspectPlanLinkShape, PTS.SuspectAnnualLinkShape,
                        PTS.SuspectMeasureLinkShape}  # fmt: skip


@pytest.mark.parametrize("path", sorted(SHAPES_DIR.glob("*.ttl")), ids=lambda p: p.name)
def test_each_file_works_on_its_own(path: Path) -> None:
    alone = Graph().parse(path, format="turtle")
    assert validate(Graph(), shapes=alone).findings == []


# ---- findings ------------------------------------------------------------------------------

TTL = """
@prefix pt:      <https://w3id.org/plantrace/ontology#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix fy:      <https://w3id.org/plantrace/id/fiscal-year/> .
@prefix item:    <https://w3id.org/plantrace/id/jlis/item/> .
@prefix doc:     <https://w3id.org/plantrace/id/jlis/doc/> .

doc:self-evaluation-fy2021 a pt:SourceDocument ; dcterms:title "令和3年度自己評価書"@ja ;
    pt:fileName "000_test.txt" ; pt:documentKind "self-evaluation-report" ;
    pt:fiscalYear fy:2021 ; dcterms:issued "2022-07-15"^^xsd:date .
<https://w3id.org/plantrace/id/jlis/doc/self-evaluation-fy2021/L10-L12> a pt:Span ;
    pt:document doc:self-evaluation-fy2021 ; pt:lineStart 10 ; pt:lineEnd 12 .
fy:2021 a pt:FiscalYear ; pt:year 2021 ; rdfs:label "令和3年度"@ja , "FY2021"@en .
item:I-1 a pt:EvaluationItem ; pt:code "I-1" ; pt:category "I" ; rdfs:label "カードの発行"@ja .
<https://w3id.org/plantrace/id/jlis/evaluation/I-1/2021/self> a pt:SelfEvaluation , pt:Evaluation ;
    pt:evaluates item:I-1 ; pt:fiscalYear fy:2021 ; pt:grade pt:GradeA ;
    prov:wasDerivedFrom <https://w3id.org/plantrace/id/jlis/doc/self-evaluation-fy2021/L10-L12> .
"""
DOC = "https://w3id.org/plantrace/id/jlis/doc/self-evaluation-fy2021"
EVAL = "https://w3id.org/plantrace/id/jlis/evaluation/I-1/2021/self"


@pytest.fixture(scope="module")
def report() -> Report:
    """A late report (violation), an A without rationale (warning)."""
    return validate(Graph().parse(data=TTL, format="turtle"))


def test_findings_are_described(report: Report) -> None:
    assert [(f.severity, f.shape) for f in report.findings] == [
        ("violation", str(PTS.SelfEvaluationReportDeadlineShape)),
        ("warning", str(PTS.HighGradeRationaleShape)),
    ]
    late, high = report.findings
    assert late.focus == DOC
    assert late.focus_label == "令和3年度自己評価書"
    assert late.fiscal_year == 2021
    assert late.value == "2022-07-15"
    assert late.article == "番号利用法第38条の11第2項"
    assert late.provision == LAW + "art38-11/para2"
    assert late.message_ja.startswith("自己評価書の発行日が期限")
    assert late.message_en.startswith("The self-evaluation report was issued after")
    assert late.shape_label == "self-evaluation report on time"
    assert late.shape_label_ja == "自己評価書の公表期限"
    assert [(s.doc_id, s.file, s.line_start) for s in late.sources] == [
        ("self-evaluation-fy2021", "000_test.txt", None)
    ]
    assert high.focus == EVAL
    assert high.focus_label == "自己評価 I-1 FY2021"
    assert (high.item_code, high.fiscal_year, high.value, high.article) == ("I-1", 2021, "A", None)
    (src,) = high.sources
    assert (src.doc_id, src.title, src.line_start, src.line_end) == (
        "self-evaluation-fy2021", "令和3年度自己評価書", 10, 12,
    )  # fmt: skip
    assert str(src) == "self-evaluation-fy2021 (000_test.txt) lines 10–12"


def test_conformance_per_severity(report: Report) -> None:
    assert report.counts == {"violation": 1, "warning": 1, "info": 0}
    assert report.conforms == {"violation": False, "warning": False, "info": True}
    assert not report.conforms_at("warning")
    assert report.conforms_at("info") is False


def test_report_graph_is_standard_with_tagged_messages(report: Report) -> None:
    g = report.graph
    (vr,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(vr, SH.conforms) == Literal(False)
    results = list(g.objects(vr, SH.result))
    assert len(results) == 2
    for r in results:
        assert _langs(g, r, SH.resultMessage) == ["en", "ja"]
        assert g.value(r, SH.focusNode) is not None


def test_exit_code(report: Report) -> None:
    assert exit_code(report) == 1
    assert exit_code(report, fail_on="warning") == 1
    warnings_only = Report([f for f in report.findings if f.severity != "violation"], report.graph)
    assert exit_code(warnings_only, fail_on="violation") == 0
    assert exit_code(warnings_only, fail_on="warning") == 1
    assert exit_code(Report([], report.graph), fail_on="info") == 0
    with pytest.raises(PlantraceError, match="expected fail-on one of violation, warning, info"):
        exit_code(report, fail_on="error")


# ---- renderers -----------------------------------------------------------------------------


def test_text_groups_by_severity_then_rule(report: Report) -> None:
    text = render_text(report)
    assert text.startswith("plantrace validate: 1 violation, 1 warning, 0 info\n")
    assert text.index("VIOLATION / 違反 (1)") < text.index("WARNING / 警告 (1)")
    for expected in (
        "self-evaluation report on time / 自己評価書の公表期限",
        "- 自己評価 I-1 FY2021  [I-1, FY2021]",
        "An A or S grade without a stated rationale.",
        "A または S の評定に根拠が記載されていない。",
        f"article: 番号利用法第38条の11第2項 <{LAW}art38-11/para2>",
        "source: self-evaluation-fy2021 (000_test.txt) lines 10–12",
        f"node: <{EVAL}>",
    ):
        assert expected in text
    assert "A または S" not in render_text(report, lang="en")


def test_json(report: Report) -> None:
    body = json.loads(render_json(report))
    assert body["counts"] == {"violation": 1, "warning": 1, "info": 0}
    assert body["conforms"]["violation"] is False
    first = body["findings"][0]
    assert first["article"] == "番号利用法第38条の11第2項"
    assert first["sources"][0]["doc_id"] == "self-evaluation-fy2021"
    assert "番号利用法" in render_json(report)  # not \\u-escaped


def test_turtle_is_the_standard_report(report: Report) -> None:
    g = Graph().parse(data=render_turtle(report), format="turtle")
    assert len(list(g.subjects(RDF.type, SH.ValidationResult))) == 2
    assert (None, SH.sourceShape, PTS.HighGradeRationaleShape) in g


def test_html_is_escaped_and_self_contained() -> None:
    hostile = TTL.replace('"カードの発行"@ja', '"<script>alert(1)</script>"@ja').replace(
        "pt:evaluates item:I-1 ;", 'pt:evaluates item:I-1 ; rdfs:label "<b>x</b> & y"@ja ;'
    )
    page = render_html(validate(Graph().parse(data=hostile, format="turtle")))
    assert page.startswith("<!DOCTYPE html>")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in page
    assert "<b>x</b>" not in page
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert "番号利用法第38条の11第2項" in page


def test_render_dispatch(report: Report) -> None:
    assert render(report, "json") == render_json(report)
    with pytest.raises(PlantraceError, match="expected a format text, json, turtle, html"):
        render(report, "xml")


def test_no_findings_renders() -> None:
    empty = validate(Graph())
    assert empty.findings == [] and exit_code(empty, "info") == 0
    assert "0 violations, 0 warnings, 0 info" in render_text(empty)
    assert "No findings." in render_html(empty)


# ---- inputs --------------------------------------------------------------------------------

GOAL = """
@prefix pt:   <https://w3id.org/plantrace/ontology#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/plantrace/id/jlis/mid-term-goal/1> a pt:MidTermGoal ;
    pt:authorizedBy <https://w3id.org/plantrace/id/law/425AC0000000027/art38-8> ;
    pt:period [ time:hasBeginning [ time:inXSDDate "2021-09-01"^^xsd:date ] ;
                time:hasEnd [ time:inXSDDate "2026-03-31"^^xsd:date ] ] .
"""
GRADES = """
@prefix pt:   <https://w3id.org/plantrace/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix fy:   <https://w3id.org/plantrace/id/fiscal-year/> .
@prefix item: <https://w3id.org/plantrace/id/jlis/item/> .
@prefix :     <https://w3id.org/plantrace/id/jlis/> .
:doc a pt:SourceDocument .
:span a pt:Span ; pt:document :doc ; pt:lineStart 1 ; pt:lineEnd 1 .
fy:2021 a pt:FiscalYear ; pt:year 2021 .
item:I-1 a pt:EvaluationItem ; pt:code "I-1" ; pt:category "I" .
item:I-2 a pt:EvaluationItem ; pt:code "I-2" ; pt:category "I" .
:ministerial-I-1-2021 a pt:MinisterialEvaluation ; pt:evaluates item:I-1 ;
    pt:fiscalYear fy:2021 ; pt:grade pt:GradeB ; prov:wasDerivedFrom :span .
"""


def test_dataset_graphs_are_validated_together() -> None:
    ds = Dataset()
    ds.graph(URIRef("https://w3id.org/plantrace/id/jlis/doc/a")).parse(data=GOAL, format="turtle")
    ds.graph(URIRef("https://w3id.org/plantrace/id/jlis/doc/b")).parse(data=GRADES, format="turtle")
    found = [(f.shape, f.focus, f.value) for f in validate(ds).findings]
    assert found == [
        (str(PTS.MinisterialGradeEachYearShape), "https://w3id.org/plantrace/id/jlis/item/I-2",
         "FY2021"),
    ]  # fmt: skip


def test_store_graph_round_trip() -> None:
    store = GraphStore.memory()
    doc = Graph(identifier=URIRef("https://w3id.org/plantrace/id/jlis/doc/a"))
    doc.parse(data=GOAL, format="turtle")
    grades = Graph(identifier=URIRef("https://w3id.org/plantrace/id/jlis/doc/b"))
    grades.parse(data=GRADES, format="turtle")
    store.replace_graph(doc)
    store.replace_graph(grades)
    found = [(f.shape, f.focus) for f in validate(store_graph(store)).findings]
    assert found == [
        (str(PTS.MinisterialGradeEachYearShape), "https://w3id.org/plantrace/id/jlis/item/I-2")
    ]


def test_typed_string_literals_count_as_strings() -> None:
    g = Graph().parse(data=GRADES, format="turtle")
    item = URIRef("https://w3id.org/plantrace/id/jlis/item/I-2")
    g.set((item, PT.category, Literal("I", datatype=XSD_STRING)))
    assert [f.shape for f in validate(g).findings] == []


def test_given_shapes_replace_the_defaults() -> None:
    g = Graph().parse(data=GRADES, format="turtle")
    g.remove((None, PT.code, None))
    only_codes = Graph()
    for shape in (PTS.ItemCodeShape,):
        for t in load_shapes().triples((shape, None, None)):
            only_codes.add(t)
    found = {f.shape for f in validate(g, shapes=only_codes).findings}
    assert found == {str(PTS.ItemCodeShape)}


# ---- the real documents --------------------------------------------------------------------

REPORT_2025 = "self-evaluation-fy2025"
MISSED = "公的個人認証システム（窓口向けサービス）：99.85%"


@pytest.fixture(scope="module")
def report_2025() -> Report:
    """The FY2025 report's graph alone, validated."""
    manifest = load_manifest(SOURCES / "manifest.json")
    source = next(d for d in manifest.documents if d.id == REPORT_2025)
    parsed = parse_document(source, source.read_text())
    return validate(to_graphs(source, parsed.records).union())


def test_real_findings_lead_back_to_sources(report_2025: Report) -> None:
    assert report_2025.findings
    for f in report_2025.findings:
        if re.search(r"/(evaluation|observation|indicator)/", f.focus):
            assert f.sources and f.sources[0].line_start is not None, f


def test_article_label_falls_back_to_the_provision_iri() -> None:
    g = Graph().parse(data=GRADES, format="turtle")
    g.remove((None, PT.code, None))
    shapes = Graph()
    for t in load_shapes().triples((PTS.ItemCodeShape, None, None)):
        shapes.add(t)
    shapes.add((PTS.ItemCodeShape, PT.enforces, URIRef(LAW + "art38-11/para1/item2")))
    articles = {f.article for f in validate(g, shapes=shapes).findings}
    assert articles == {"第38条の11第1項第2号"}


# --- the real graph, cut ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_graph(real_build: tuple[GraphStore, BuildSummary]) -> Graph:
    """The real graph as one rdflib graph, to edit (J-LIS alone: one part, kg/bodies.py)."""
    return union_graph(store_graph(real_build[0]))


def _violations(report: Report) -> set[tuple[str, str, int | None]]:
    return {
        (str(f.focus), str(f.shape).rsplit("#", 1)[-1], f.fiscal_year)
        for f in report.findings
        if f.severity == "violation"
    }


@pytest.fixture(scope="module")
def real_report(real_graph: Graph) -> Report:
    return validate(real_graph)


def test_real_graph_has_no_violation(real_report: Report) -> None:
    assert _violations(real_report) == set()


def test_real_grade_above_what_its_numbers_support(real_report: Report) -> None:
    """FY2025: one system's 99.85 % against 99.9 % or more is band C while I-1 is graded B."""
    text = SOURCES.joinpath("002_753d1335b09003db.txt").read_text(encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if MISSED in s)
    (finding,) = [f for f in real_report.findings if f.shape == str(PTS.GradeAboveNumbersShape)]
    assert (finding.item_code, finding.fiscal_year) == ("I-1", 2025)
    assert "/observation/I-1/2025/" in finding.focus and "99.85" in finding.focus_label
    assert finding.value is not None and finding.value.startswith("自己評価 I-1 FY2025: ")
    assert finding.article == "番号利用法第38条の11第3項"
    (src,) = finding.sources
    assert src.doc_id == REPORT_2025
    assert src.line_start is not None and src.line_end is not None
    assert src.line_start <= line <= src.line_end


def test_real_targets_are_nowhere_weaker_than_the_level_above(real_report: Report) -> None:
    weaker = [f for f in real_report.findings if "TargetWeaker" in f.shape]
    below = [f for f in real_report.findings if f.shape == str(PTS.GradeBelowNumbersShape)]
    assert weaker == [] and below == []


def test_cutting_a_goal_clause_from_its_plan_clauses_is_a_violation(real_graph: Graph) -> None:
    goal = next(
        g for g in real_graph.subjects(RDF.type, PT.GoalClause)
        if "ヘルプデスク" in str(real_graph.value(g, PT.text)) and "/I-1/" in str(g)
    )  # fmt: skip
    plans = set(real_graph.subjects(PT.implements, goal))
    cut = Graph()
    for triple in real_graph:
        if not (triple[1] == PT.implements and triple[2] == goal):
            cut.add(triple)
    # The goal clause is implemented by nothing, and the plan clauses that implemented it now
    # implement no goal clause: both ends of the cut link are reported, nothing else.
    assert plans and _violations(validate(cut)) == {
        (str(goal), "GoalClauseImplementedShape", None),
        *((str(p), "PlanClauseImplementsGoalShape", None) for p in plans),
    }


def test_deleting_one_grade_is_a_violation(real_graph: Graph) -> None:
    grade = URIRef("https://w3id.org/plantrace/id/jlis/evaluation/I-3/2022/ministerial")
    assert (grade, RDF.type, PT.MinisterialEvaluation) in real_graph
    cut = Graph()
    for triple in real_graph:
        if grade not in (triple[0], triple[2]):
            cut.add(triple)
    item = "https://w3id.org/plantrace/id/jlis/item/I-3"
    assert _violations(validate(cut)) == {(item, "MinisterialGradeEachYearShape", 2022)}
