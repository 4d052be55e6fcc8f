"""The ontology reference (kg.ontology_doc): every declared term, read from the files as they are,
with the shapes that use it; the page template escapes what the files say."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from starlette.requests import Request

from api.web import html
from kg import ontology_doc as od
from kg.config import SHAPES_DIR
from kg.ontology import ONTOLOGY_PATH, declared_terms, load_ontology

PT = "https://w3id.org/plantrace/ontology#"


@pytest.fixture(scope="module")
def doc() -> od.OntologyDoc:
    return od.load()


def test_every_declared_term_has_one_entry(doc: od.OntologyDoc) -> None:
    entries = [t.iri for s in doc.sections for t in s.terms]
    assert len(entries) == len(set(entries))
    assert set(entries) == {str(t) for t in declared_terms(load_ontology())}
    ids = [s.id for s in doc.sections]
    assert ids[:3] == ["classes", "object-properties", "datatype-properties"]
    assert doc.undeclared == ()
    assert doc.shape_files == tuple(sorted(p.name for p in SHAPES_DIR.glob("*.ttl")))


def test_entry_has_both_languages_domain_range_and_relations(doc: od.OntologyDoc) -> None:
    goal = doc.term("GoalClause")
    assert goal is not None and goal.name == "pt:GoalClause"
    assert (goal.label.ja, goal.label.en) == ("中期目標の記載事項", "goal clause")
    assert goal.comment.en and goal.comment.ja
    assert [r.name for r in goal.types] == ["owl:Class"]
    assert {r.name for r in goal.properties} >= {"pt:item", "pt:partOf", "pt:text"}
    assert {r.name for r in goal.range_of} >= {"pt:implements", "pt:measures"}

    text = doc.term("text")
    assert text is not None and len(text.domain) == 1
    assert {r.name for r in text.domain[0]} >= {"pt:GoalClause", "pt:Provision", "pt:Target"}
    assert [r.name for r in text.range[0]] == ["rdfs:Literal"]
    assert all(r.anchor == r.name[3:] for r in text.domain[0])  # pt: terms link on the page
    assert text.range[0][0].anchor is None  # rdfs:Literal links out

    evaluation = doc.term("Evaluation")
    assert evaluation is not None
    children = {r.name for r in evaluation.children}
    assert children == {"pt:SelfEvaluation", "pt:MinisterialEvaluation"}
    part_of = doc.term("partOf")
    assert part_of is not None and [r.name for r in part_of.parents] == ["dcterms:isPartOf"]


def test_grades_in_rank_order_with_definitions(doc: od.OntologyDoc) -> None:
    individuals = next(s for s in doc.sections if s.id == "individuals")
    assert [t.notation for t in individuals.terms] == ["S", "A", "B", "C", "D"]
    b = doc.term("GradeB")
    assert b is not None and b.definition.ja and "標準" in b.definition.ja


def test_shape_uses_by_role(doc: od.OntologyDoc) -> None:
    def roles(term: str, shape: str) -> tuple[str, ...]:
        entry = doc.term(term)
        assert entry is not None
        return next(u.roles for u in entry.shapes if u.name == f"pts:{shape}")

    assert roles("GoalClause", "GoalClauseImplementedShape") == ("target",)
    assert roles("GoalClause", "PlanClauseImplementsGoalShape") == ("value class",)
    assert roles("implements", "PlanClauseImplementsGoalShape") == ("path",)
    assert roles("importanceHigh", "EvaluationMarksShape") == ("path",)  # in sh:alternativePath
    assert roles("GradeS", "GradeShape") == ("value",)  # in sh:in
    assert roles("PlanClause", "GoalClauseImplementedShape") == ("SPARQL",)
    assert roles("enforces", "GoalAuthorizedShape") == ("annotation",)
    goal = doc.term("GoalClause")
    assert goal is not None
    use = next(u for u in goal.shapes if u.name == "pts:GoalClauseImplementedShape")
    assert (use.file, use.severity) == ("trace.ttl", "violation")
    assert use.label.en == "goal clause implemented by the plan"


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/shapes#> .
@prefix x: <https://w3id.org/plantrace/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<http://example.org/shapes> sh:declare [ sh:prefix "q" ;
    sh:namespace "https://w3id.org/plantrace/ontology#"^^xsd:anyURI ] .

ex:S a sh:NodeShape ;
    rdfs:label "規則"@ja , "rule <b>"@en ;
    sh:severity sh:Warning ;
    sh:targetSubjectsOf x:known ;
    sh:property [ sh:path [ sh:inversePath x:known ] ; sh:minCount 1 ] ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE { $this q:Thing ?o ; q:Typo ?t .
        ?o <https://w3id.org/plantrace/ontology#Full> ?z . ?z ptx:Not ?w }\"\"\" ] .
"""

ONTOLOGY = """
@prefix pt: <https://w3id.org/plantrace/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/plantrace/ontology> a owl:Ontology ; rdfs:label "t" .
pt:Thing a owl:Class ; rdfs:label "物"@ja , "<script>alert(1)</script>"@en .
pt:Full a owl:Class .
pt:known a owl:ObjectProperty ; rdfs:domain pt:Thing ; rdfs:range pt:Thing .
"""


def _graph(text: str) -> Graph:
    graph = Graph(bind_namespaces="none")
    graph.parse(data=text, format="turtle")
    return graph


def test_sparql_terms_under_any_prefix_and_undeclared_ones() -> None:
    doc = od.document(_graph(ONTOLOGY), {"a.ttl": _graph(SHAPES)})
    thing, known, full = doc.term("Thing"), doc.term("known"), doc.term("Full")
    assert thing is not None and known is not None and full is not None
    assert [(u.name, u.roles) for u in thing.shapes] == [("ex:S", ("SPARQL",))]
    assert [u.roles for u in known.shapes] == [("target", "path")]
    assert [u.roles for u in full.shapes] == [("SPARQL",)]
    assert doc.undeclared == ("pt:Typo",)
    assert known.shapes[0].severity == "warning" and known.shapes[0].file == "a.ttl"


def test_page_escapes_what_the_files_say() -> None:
    doc = od.document(_graph(ONTOLOGY), {"a.ttl": _graph(SHAPES)})
    scope = {"type": "http", "method": "GET", "path": "/ontology", "query_string": b"",
             "headers": [], "scheme": "http", "server": ("testserver", 80)}  # fmt: skip
    page = bytes(html.render(Request(scope), "ontology.html", doc=doc).body).decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "rule &lt;b&gt;" in page
    assert 'id="Thing"' in page and 'href="#Thing"' in page
    assert "pt:Typo" in page  # the undeclared term is shown


def test_load_rereads_a_changed_file(tmp_path: Path) -> None:
    ontology = tmp_path / "plantrace.ttl"
    shutil.copy(ONTOLOGY_PATH, ontology)
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "a.ttl").write_text(SHAPES, encoding="utf-8")
    first = od.load(ontology, shapes)
    assert od.load(ontology, shapes) is first  # cached while nothing changes
    text = ontology.read_text(encoding="utf-8").replace('"goal clause"@en', '"goal item"@en')
    ontology.write_text(text, encoding="utf-8")
    stat = ontology.stat()
    os.utime(ontology, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    again = od.load(ontology, shapes)
    goal = again.term("GoalClause")
    assert goal is not None and goal.label.en == "goal item"
    assert again.undeclared == ("pt:Full", "pt:Thing", "pt:Typo", "pt:known")
