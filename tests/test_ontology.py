"""The ontology parses, documents every term, declares the public vocabulary, and aligns."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg import namespaces as ns
from kg.namespaces import DCTERMS, ELI, OWL, PROV, PT, PTID, RDF, RDFS, SKOS
from kg.ontology import ONTOLOGY_PATH, declared_terms, load_ontology, undeclared_terms

# The public vocabulary (docs/architecture.md, "Vocabulary"): a stable contract.
DESIGN_CLASSES = [
    "Statute", "Provision", "MidTermGoal", "MidTermPlan", "AnnualPlan", "EvaluationItem",
    "GoalClause", "PlanClause", "AnnualPlanClause", "Indicator", "QuantitativeIndicator",
    "EvaluationViewpoint", "Target", "Observation", "Evaluation", "SelfEvaluation",
    "MinisterialEvaluation", "OverallEvaluation", "FiscalYear", "Grade", "SourceDocument",
]  # fmt: skip
DESIGN_PROPERTIES = [
    "lawNumber", "egovLawId", "articleLabel", "text", "authorizedBy", "period", "fiscalYear",
    "code", "category", "legalBasis", "item", "partOf", "sectionNumber", "implements",
    "measures", "target", "targetValue", "unit", "comparator", "indicator", "value", "subject",
    "statistic", "evaluates", "grade", "rationale", "importanceHigh", "difficultyHigh",
    "priority", "year", "sha256", "fileName", "document", "lineStart", "lineEnd",
    "validFrom", "validUntil",
]  # fmt: skip
DESIGN_INDIVIDUALS = ["GradeS", "GradeA", "GradeB", "GradeC", "GradeD", "GradeScheme"]

# Extensions the code uses beyond that table.
EXTENSION_CLASSES = ["Span", "StaffCount", "CommitteeOpinion", "Publication"]
EXTENSION_PROPERTIES = [
    "approximate", "relatedPolicy", "legalBasisText", "staff", "count", "documentKind", "rank",
    "caption", "addressee", "quantitativeCriterion", "qualitativeCriterion", "highlights",
    "referenceText",
    "enforces", "coversGoalPeriod",
    "refines", "perPeriod", "achievement", "achievementOf", "impliedGrade", "achievementNote",
    "achievementMin", "achievementMax", "achievementMinHighDifficulty",
    "achievementMaxHighDifficulty", "qualitativeCondition",
    "firstStatedIn", "addedIn", "droppedIn", "publicationToken",
]  # fmt: skip

GRADES = {"S": 5, "A": 4, "B": 3, "C": 2, "D": 1}
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load_ontology()


def _pt_subjects_of_type(g: Graph, rdf_type: URIRef) -> set[Node]:
    return {s for s in g.subjects(RDF.type, rdf_type) if str(s).startswith(str(PT))}


def _classes_and_properties(g: Graph) -> set[Node]:
    terms = _pt_subjects_of_type(g, OWL.Class)
    for t in PROPERTY_TYPES:
        terms |= _pt_subjects_of_type(g, t)
    return terms


def _langs(g: Graph, s: Node, p: URIRef) -> set[str | None]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal)}


def test_file_parses_and_has_header(onto: Graph) -> None:
    assert ONTOLOGY_PATH.is_file()
    ont = URIRef("https://w3id.org/plantrace/ontology")
    assert (ont, RDF.type, OWL.Ontology) in onto
    assert {"ja", "en"} <= _langs(onto, ont, DCTERMS.title)
    assert onto.value(ont, OWL.versionInfo) == Literal("0.1.0")
    assert onto.value(ont, DCTERMS.description) is not None
    assert onto.value(ont, DCTERMS.created) is not None


def test_no_equivalent_property(onto: Graph) -> None:
    assert not list(onto.triples((None, OWL.equivalentProperty, None)))


def test_enough_terms_found(onto: Graph) -> None:
    # Guards the checks below against passing vacuously.
    terms = _classes_and_properties(onto)
    assert len(terms) >= len(DESIGN_CLASSES) + len(DESIGN_PROPERTIES)


def test_every_term_has_ja_en_label_comment_and_is_defined_by(onto: Graph) -> None:
    ont = URIRef("https://w3id.org/plantrace/ontology")
    problems = []
    for term in sorted(
        _classes_and_properties(onto) | _pt_subjects_of_type(onto, PT.Grade), key=str
    ):
        langs = _langs(onto, term, RDFS.label)
        if not {"ja", "en"} <= langs:
            problems.append(f"{term}: rdfs:label languages {langs}")
        if "en" not in _langs(onto, term, RDFS.comment):
            problems.append(f"{term}: no @en rdfs:comment")
        if (term, RDFS.isDefinedBy, ont) not in onto:
            problems.append(f"{term}: no rdfs:isDefinedBy")
    assert not problems, "\n".join(problems)


def test_every_property_has_domain_and_range(onto: Graph) -> None:
    problems = []
    for t in PROPERTY_TYPES:
        for prop in sorted(_pt_subjects_of_type(onto, t), key=str):
            if onto.value(prop, RDFS.domain) is None:
                problems.append(f"{prop}: no rdfs:domain")
            if onto.value(prop, RDFS.range) is None:
                problems.append(f"{prop}: no rdfs:range")
    assert not problems, "\n".join(problems)


def test_union_domains_are_well_formed(onto: Graph) -> None:
    for prop, dom in onto.subject_objects(RDFS.domain):
        if isinstance(dom, BNode):
            union = onto.value(dom, OWL.unionOf)
            assert union is not None, f"{prop}: blank domain without owl:unionOf"
            members = list(onto.items(union))
            assert len(members) >= 2, f"{prop}: blank domain without owl:unionOf"
            for m in members:
                assert (m, RDF.type, OWL.Class) in onto, f"{prop}: {m} is not a pt: class"


@pytest.mark.parametrize("name", DESIGN_CLASSES + EXTENSION_CLASSES)
def test_class_declared(onto: Graph, name: str) -> None:
    assert (PT[name], RDF.type, OWL.Class) in onto


@pytest.mark.parametrize("name", DESIGN_PROPERTIES + EXTENSION_PROPERTIES)
def test_property_declared(onto: Graph, name: str) -> None:
    assert any((PT[name], RDF.type, t) in onto for t in PROPERTY_TYPES)


@pytest.mark.parametrize("name", DESIGN_INDIVIDUALS)
def test_individual_declared(onto: Graph, name: str) -> None:
    assert PT[name] in declared_terms(onto)


@pytest.mark.parametrize(
    ("prop", "range_"),
    [
        ("targetValue", ns.XSD.decimal),
        ("value", ns.XSD.decimal),
        ("importanceHigh", ns.XSD.boolean),
        ("difficultyHigh", ns.XSD.boolean),
        ("priority", ns.XSD.boolean),
        ("approximate", ns.XSD.boolean),
        ("year", ns.XSD.integer),
        ("rank", ns.XSD.integer),
        ("lineStart", ns.XSD.integer),
        ("lineEnd", ns.XSD.integer),
        ("count", ns.XSD.integer),
        ("code", ns.XSD.string),
        ("comparator", ns.XSD.string),
        ("grade", PT.Grade),
        ("fiscalYear", PT.FiscalYear),
        ("period", ns.TIME.ProperInterval),
        ("document", PT.SourceDocument),
        ("evaluates", PT.EvaluationItem),
    ],
)
def test_ranges(onto: Graph, prop: str, range_: URIRef) -> None:
    assert onto.value(PT[prop], RDFS.range) == range_


def test_fiscal_year_domain_is_the_union(onto: Graph) -> None:
    dom = onto.value(PT.fiscalYear, RDFS.domain)
    union = onto.value(dom, OWL.unionOf)
    assert union is not None
    members = set(onto.items(union))
    assert members == {
        PT.AnnualPlan, PT.AnnualPlanClause, PT.Observation, PT.Evaluation,
        PT.OverallEvaluation, PT.StaffCount, PT.SourceDocument,
    }  # fmt: skip


def test_grades(onto: Graph) -> None:
    assert (PT.GradeScheme, RDF.type, SKOS.ConceptScheme) in onto
    for notation, rank in GRADES.items():
        g = PT["Grade" + notation]
        assert (g, RDF.type, PT.Grade) in onto
        assert (g, RDF.type, SKOS.Concept) in onto
        assert (g, SKOS.inScheme, PT.GradeScheme) in onto
        assert onto.value(g, SKOS.notation) == Literal(notation)
        assert onto.value(g, PT.rank) == Literal(rank)
        assert {"ja", "en"} <= _langs(onto, g, SKOS.prefLabel)
        assert {"ja", "en"} <= _langs(onto, g, SKOS.definition)
    b_def = {str(o) for o in onto.objects(PT.GradeB, SKOS.definition)}
    assert any("standard" in d for d in b_def)


def test_undeclared_terms_finds_made_up_term(onto: Graph) -> None:
    data = Graph()
    e = PTID["jlis/evaluation/I-1/2021/ministerial"]
    data.add((e, RDF.type, PT.MinisterialEvaluation))
    data.add((e, PT.noSuchTerm, Literal("x")))
    data.add((e, PT.grade, PT.GradeZ))
    assert undeclared_terms(data, onto) == {PT.noSuchTerm, PT.GradeZ}


def test_undeclared_terms_empty_for_declared_terms(onto: Graph) -> None:
    data = Graph()
    e = PTID["jlis/evaluation/I-1/2021/ministerial"]
    item = PTID["jlis/item/I-1"]
    fy = PTID["fy/2021"]
    span = BNode()
    data.add((e, RDF.type, PT.MinisterialEvaluation))
    data.add((e, PT.evaluates, item))
    data.add((e, PT.fiscalYear, fy))
    data.add((e, PT.grade, PT.GradeA))
    data.add((e, PT.importanceHigh, Literal(True)))
    data.add((e, PROV.wasDerivedFrom, span))
    data.add((span, RDF.type, PT.Span))
    data.add((span, PT.lineStart, Literal(10)))
    data.add((item, PT.code, Literal("I-1")))
    data.add((fy, PT.year, Literal(2021)))
    data.add((fy, RDFS.label, Literal("令和3年度", lang="ja")))
    assert undeclared_terms(data, onto) == set()


def test_instance_iris_are_not_pt_terms(onto: Graph) -> None:
    data = Graph()
    data.add((PTID["jlis/noSuchTerm"], RDF.type, PT.EvaluationItem))
    assert undeclared_terms(data, onto) == set()


@pytest.mark.parametrize(
    ("sub", "sup", "rel"),
    [
        (PT.Statute, ELI.LegalResource, RDFS.subClassOf),
        (PT.Provision, ELI.LegalResourceSubdivision, RDFS.subClassOf),
        (PT.FiscalYear, ns.TIME.ProperInterval, RDFS.subClassOf),
        (PT.SourceDocument, PROV.Entity, RDFS.subClassOf),
        (PT.Span, PROV.Entity, RDFS.subClassOf),
        (PT.Evaluation, PROV.Entity, RDFS.subClassOf),
        (PT.Observation, PROV.Entity, RDFS.subClassOf),
        (PT.Grade, SKOS.Concept, RDFS.subClassOf),
        (PT.SelfEvaluation, PT.Evaluation, RDFS.subClassOf),
        (PT.QuantitativeIndicator, PT.Indicator, RDFS.subClassOf),
        (PT.partOf, DCTERMS.isPartOf, RDFS.subPropertyOf),
    ],
)
def test_alignments(onto: Graph, sub: URIRef, sup: URIRef, rel: URIRef) -> None:
    assert (sub, rel, sup) in onto


def test_standard_terms_not_redeclared(onto: Graph) -> None:
    for s in onto.subjects(RDF.type, None):
        if isinstance(s, URIRef) and str(s) != "https://w3id.org/plantrace/ontology":
            assert str(s).startswith(str(PT)), f"{s} is declared but not a pt: term"


def test_loads_into_pyoxigraph() -> None:
    ox = pytest.importorskip("pyoxigraph")
    store = ox.Store()
    store.load(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE)
    assert len(store) > 0
