"""Validation one body at a time (kg/bodies.py): a rule about body B never reads body A's data."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SH

from kg.bodies import split
from kg.namespaces import RDF
from kg.validate import PTS, union_graph, validate

ID = "https://w3id.org/plantrace/id/"
PREFIXES = """
@prefix pt:      <https://w3id.org/plantrace/ontology#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix fy:      <https://w3id.org/plantrace/id/fiscal-year/> .
"""


def goal(body: str) -> str:
    return PREFIXES + f"""
<{ID}{body}/doc/goal> a pt:SourceDocument ; dcterms:publisher <{ID}{body}> .
<{ID}{body}/mid-term-goal/1> a pt:MidTermGoal ;
    pt:authorizedBy <{ID}law/425AC0000000027/art38-8> ;
    pt:period [ time:hasBeginning [ time:inXSDDate "2021-04-01"^^xsd:date ] ;
                time:hasEnd [ time:inXSDDate "2026-03-31"^^xsd:date ] ] .
<{ID}{body}/item/I-1> a pt:EvaluationItem ; pt:code "I-1" ; pt:category "I" .
<{ID}{body}/item/I-2> a pt:EvaluationItem ; pt:code "I-2" ; pt:category "I" .
"""


def grade(body: str, code: str) -> str:
    """A ministerial evaluation document grading one item for FY2021."""
    return PREFIXES + f"""
<{ID}{body}/doc/grades> a pt:SourceDocument ; dcterms:publisher <{ID}{body}> .
<{ID}{body}/span> a pt:Span ; pt:document <{ID}{body}/doc/grades> ; pt:lineStart 1 ; pt:lineEnd 1 .
fy:2021 a pt:FiscalYear ; pt:year 2021 .
<{ID}{body}/ministerial-{code}-2021> a pt:MinisterialEvaluation ;
    pt:evaluates <{ID}{body}/item/{code}> ; pt:fiscalYear fy:2021 ; pt:grade pt:GradeB ;
    prov:wasDerivedFrom <{ID}{body}/span> .
"""


SHARED = PREFIXES + """
fy:2030 a pt:FiscalYear .
"""


def dataset(graphs: dict[str, str]) -> Dataset:
    ds = Dataset()
    for name, text in graphs.items():
        ds.graph(URIRef(name)).parse(data=text, format="turtle")
    return ds


def two_bodies() -> Dataset:
    """Body a graded I-1 but not I-2 for FY2021; body b has no ministerial evaluation at all."""
    return dataset({
        f"{ID}a/doc/goal": goal("a"),
        f"{ID}a/doc/grades": grade("a", "I-1"),
        f"{ID}b/doc/goal": goal("b"),
        f"{ID}graph/shared": SHARED,
    })  # fmt: skip


def missing_grades(findings: list) -> list[str]:
    return sorted(
        f.focus for f in findings if f.shape == str(PTS.MinisterialGradeEachYearShape)
    )


def test_one_part_per_publisher_each_with_the_shared_graphs() -> None:
    parts = split(two_bodies())
    assert [str(p.publisher) for p in parts] == [f"{ID}a", f"{ID}b"]
    for part in parts:
        names = {str(g.identifier) for g in part.graphs if len(g)}
        body = str(part.publisher)
        assert names == {f"{ID}graph/shared", f"{body}/doc/goal"} | (
            {f"{body}/doc/grades"} if body.endswith("a") else set()
        )


def test_one_part_for_a_plain_graph_or_a_single_publisher() -> None:
    assert len(split(Graph())) == 1
    one = dataset({f"{ID}a/doc/goal": goal("a"), f"{ID}a/doc/grades": grade("a", "I-1")})
    assert len(split(one)) == 1 and split(one)[0].reports_on(URIRef(f"{ID}anything"))


def test_a_rule_reads_one_body_at_a_time() -> None:
    """Body a's FY2021 grades oblige a's items only: b's ungraded items are not findings."""
    data = two_bodies()
    assert missing_grades(validate(data).findings) == [f"{ID}a/item/I-2"]
    # the same triples as one graph: body a's document made b's items miss a grade
    assert missing_grades(validate(union_graph(data)).findings) == [
        f"{ID}a/item/I-2", f"{ID}b/item/I-1", f"{ID}b/item/I-2"
    ]  # fmt: skip


def test_a_shared_node_is_reported_once() -> None:
    report = validate(two_bodies())
    about = [f for f in report.findings if f.focus == f"{ID}fiscal-year/2030"]
    assert len(about) == 1 and about[0].shape == str(PTS.FiscalYearShape)


def test_merged_report_is_one_standard_report() -> None:
    report = validate(two_bodies())
    g = report.graph
    (root,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(root, SH.conforms).toPython() is False
    results = set(g.objects(root, SH.result))
    assert len(results) == len(report.findings) > 1
    assert {str(g.value(r, SH.focusNode)) for r in results} == {f.focus for f in report.findings}
