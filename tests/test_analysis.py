"""kg.analysis on a small hand-made trace: coverage numbers, orphans, dead ends, impact sets and
shortest paths, each checked against what the graph was built to contain; then the real graph.

The small graph (Turtle below, loaded into an in-memory store so the analyses read it through
the same queries as the server):

* article ``art1`` authorizes the goal document; ``art3`` the plan document; ``art2`` is the
  legal basis of item A-1;
* A-1 has goal clauses g1, g2 (g2 has no plan clause), plan clauses p1 (implements g1) and p2
  (implements nothing), annual clauses a1 (FY2021) and a2 (FY2022) under p1, a quantitative
  indicator i1 measuring a1 with actual values in 2021 and 2022, a viewpoint i2 measuring a2, a
  quantitative indicator i3 measuring nothing and never observed, a self and a ministerial
  grade in 2021 and a ministerial grade in 2022;
* B-1 has goal clause g3, plan clause p3 (implements g3, no annual clause), an annual clause a3
  (FY2021) that implements nothing and no indicator, and no grade.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from api.views import graph_models
from kg import analysis as a
from kg.store import GraphStore

ID = "https://w3id.org/plantrace/id/t/"

TTL = """
@prefix pt: <https://w3id.org/plantrace/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix : <https://w3id.org/plantrace/id/t/> .

:law a pt:Statute ; dcterms:title "試験法"@ja .
:art1 a pt:Provision ; dcterms:isPartOf :law ; pt:articleLabel "第1条" .
:art2 a pt:Provision ; dcterms:isPartOf :law ; pt:articleLabel "第2条" .
:art3 a pt:Provision ; dcterms:isPartOf :law ; pt:articleLabel "第3条" .
:goal a pt:MidTermGoal ; pt:authorizedBy :art1 .
:plan a pt:MidTermPlan ; pt:authorizedBy :art3 .
:fy2021 a pt:FiscalYear ; pt:year 2021 .
:fy2022 a pt:FiscalYear ; pt:year 2022 .

:A a pt:EvaluationItem ; pt:code "A-1" ; rdfs:label "項目A"@ja ; pt:legalBasis :art2 .
:B a pt:EvaluationItem ; pt:code "B-1" ; rdfs:label "項目B"@ja .

:g1 a pt:GoalClause ; pt:item :A ; pt:partOf :goal ; pt:text "目標一" .
:g2 a pt:GoalClause ; pt:item :A ; pt:partOf :goal ; pt:text "目標二" .
:g3 a pt:GoalClause ; pt:item :B ; pt:partOf :goal ; pt:text "目標三" .
:p1 a pt:PlanClause ; pt:item :A ; pt:partOf :plan ; pt:implements :g1 .
:p2 a pt:PlanClause ; pt:item :A ; pt:partOf :plan .
:p3 a pt:PlanClause ; pt:item :B ; pt:partOf :plan ; pt:implements :g3 .
:a1 a pt:AnnualPlanClause ; pt:item :A ; pt:implements :p1 ; pt:fiscalYear :fy2021 .
:a2 a pt:AnnualPlanClause ; pt:item :A ; pt:implements :p1 ; pt:fiscalYear :fy2022 .
:a3 a pt:AnnualPlanClause ; pt:item :B ; pt:fiscalYear :fy2021 .

:i1 a pt:Indicator, pt:QuantitativeIndicator ; pt:item :A ; pt:measures :a1 ; pt:target :t1 .
:i2 a pt:Indicator, pt:EvaluationViewpoint ; pt:item :A ; pt:measures :a2 .
:i3 a pt:Indicator, pt:QuantitativeIndicator ; pt:item :A .
:t1 a pt:Target ; pt:targetValue 95.0 .
:o1 a pt:Observation ; pt:indicator :i1 ; pt:fiscalYear :fy2021 ; pt:value 97.0 .
:o2 a pt:Observation ; pt:indicator :i1 ; pt:fiscalYear :fy2022 ; pt:value 96.0 .

:e1 a pt:Evaluation, pt:SelfEvaluation ; pt:evaluates :A ; pt:fiscalYear :fy2021 .
:e2 a pt:Evaluation, pt:MinisterialEvaluation ; pt:evaluates :A ; pt:fiscalYear :fy2021 .
:e3 a pt:Evaluation, pt:MinisterialEvaluation ; pt:evaluates :A ; pt:fiscalYear :fy2022 .
"""


def n(name: str) -> str:
    return ID + name


@pytest.fixture(scope="module")
def small() -> a.TraceGraph:
    store = GraphStore.memory()
    store.replace_graph(Graph(identifier=URIRef(n("graph"))).parse(data=TTL, format="turtle"))
    return a.fetch(store.query)


def test_nodes_get_their_kind_code_year_and_label(small: a.TraceGraph) -> None:
    assert small.info(n("g1")) == a.NodeInfo(n("g1"), "goal", "A-1", None, "目標一")
    assert small.info(n("a1")).year == 2021 and small.info(n("a1")).code == "A-1"
    assert small.info(n("i1")).quantitative and not small.info(n("i2")).quantitative
    assert small.info(n("o2")).code == "A-1" and small.info(n("o2")).year == 2022
    assert small.info(n("t1")).code == "A-1"
    assert (small.info(n("e2")).kind, small.info(n("e2")).by) == ("evaluation", "ministerial")
    assert small.info(n("art1")).label == "第1条" and small.info(n("law")).kind == "statute"
    assert small.years() == [2021, 2022]


def test_coverage_counts_each_level(small: a.TraceGraph) -> None:
    rows = {(c.code, c.year): c for c in a.coverage(small)}
    assert set(rows) == {("A-1", 2021), ("A-1", 2022), ("B-1", 2021), ("B-1", 2022)}
    a21 = rows["A-1", 2021]
    assert a21.goal_plan == a.Ratio(1, 2)  # g1 has p1, g2 has nothing
    assert a21.plan_annual == a.Ratio(1, 2)  # p1 has a1 in 2021, p2 nothing
    assert a21.annual_indicator == a.Ratio(1, 1)  # a1 measured by i1
    assert a21.indicator_observation == a.Ratio(1, 2)  # i1 observed in 2021, i3 never
    assert a21.self_graded and a21.ministerial_graded
    a22 = rows["A-1", 2022]
    assert (a22.plan_annual, a22.annual_indicator) == (a.Ratio(1, 2), a.Ratio(1, 1))
    assert a22.indicator_observation == a.Ratio(1, 2)
    assert not a22.self_graded and a22.ministerial_graded
    b21 = rows["B-1", 2021]
    assert b21.goal_plan == a.Ratio(1, 1) and b21.plan_annual == a.Ratio(0, 1)
    assert b21.annual_indicator == a.Ratio(0, 1)  # a3 has no indicator
    assert b21.indicator_observation == a.Ratio(0, 0) and b21.indicator_observation.share is None
    assert not (b21.self_graded or b21.ministerial_graded)
    assert rows["B-1", 2022].annual_indicator == a.Ratio(0, 0)

    totals = {y.year: y for y in a.year_totals(list(rows.values()))}
    assert totals[2021].goal_plan == a.Ratio(2, 3)
    assert totals[2021].annual_indicator == a.Ratio(1, 2)
    assert totals[2021].items_self_graded == a.Ratio(1, 2)
    assert totals[2022].items_ministerial_graded == a.Ratio(1, 2)
    assert totals[2022].items_self_graded == a.Ratio(0, 2)
    assert [c.code for c in a.coverage(small, ["B-1"], [2021])] == ["B-1"]


def test_orphans_and_dead_ends(small: a.TraceGraph) -> None:
    orphans = {(g.node.iri, g.missing) for g in a.orphans(small)}
    assert orphans == {(n("p2"), "goal"), (n("a3"), "plan"), (n("i3"), "clause")}
    dead = {(g.node.iri, g.missing) for g in a.dead_ends(small)}
    assert dead == {
        (n("g2"), "plan"),
        (n("p2"), "annual"),
        (n("p3"), "annual"),
        (n("a3"), "indicator"),
        (n("i3"), "observation"),  # quantitative and never observed; the viewpoint i2 is not
        (n("B"), "evaluation"),
    }


def test_impact_set_of_an_article(small: a.TraceGraph) -> None:
    got = {i.iri for i in a.impact_set(small, n("art1"))}
    # art1 → goal document → goal clauses → plan clauses → annual clauses → indicators →
    # actual values, and the grades of A-1 (reached through its clauses)
    expected = {"goal", "g1", "g2", "g3", "p1", "p3", "a1", "a2", "i1", "i2", "t1", "o1", "o2",
                "e1", "e2", "e3"}  # fmt: skip
    assert got == {n(x) for x in expected}
    assert a.counts(a.impact_set(small, n("art1")))["evaluation"] == 3
    # the legal basis of A-1: the item and everything of it, and its grades
    basis = {i.iri for i in a.impact_set(small, n("art2"))}
    assert {n(x) for x in ("A", "g1", "g2", "p1", "p2", "a1", "a2", "i1", "i2", "i3", "o1",
                           "e1", "e2", "e3")} <= basis  # fmt: skip
    assert n("B") not in basis and n("g3") not in basis
    # the statute reaches everything its articles reach
    assert got | basis <= {i.iri for i in a.impact_set(small, n("law"))}
    assert a.impact_set(small, n("nowhere")) == []


def test_shortest_path_from_an_article_to_a_grade(small: a.TraceGraph) -> None:
    path = a.shortest_path(small, n("art1"))
    assert path is not None
    assert [s.node.iri for s in path] == [n("art1"), n("goal"), n("g1"), n("e3")]
    assert path[1].predicates == ("https://w3id.org/plantrace/ontology#authorizedBy",)
    assert path[-1].predicates == (a.GRADED,)  # the latest grade among the nearest
    direct = a.shortest_path(small, n("art2"), n("e1"))
    assert direct is not None and [s.node.iri for s in direct] == [n("art2"), n("A"), n("e1")]
    assert a.shortest_path(small, n("art1"), code="B-1") is None  # B-1 has no grade
    assert a.shortest_path(small, n("o1"), n("art1")) is None  # links only go downstream
    assert a.shortest_path(small, n("nowhere")) is None


def test_rows_of_unknown_classes_and_links_to_unknown_nodes() -> None:
    node = {"node": "x:1", "type": "x:Thing", "code": None, "year": None, "label": None}
    link = {"node": "x:2", "predicate": "https://w3id.org/plantrace/ontology#measures", "on": "x:1"}
    tg = a.TraceGraph.from_rows([{**node, "lang": None}], [link])
    assert tg.kind("x:1") == "other" and tg.kind("x:2") == "other"
    assert [s.node.iri for s in a.shortest_path(tg, "x:1", "x:2") or []] == ["x:1", "x:2"]


def test_api_models_of_the_analyses(small: a.TraceGraph) -> None:
    cov = graph_models.coverage_of(small)
    assert [(i.code, i.year) for i in cov.items][:2] == [("A-1", 2021), ("A-1", 2022)]
    assert cov.items[0].goal_plan.share == 0.5
    gaps = graph_models.gaps_of(small)
    assert gaps.counts["orphan plan"] == 1 and gaps.counts["dead end item"] == 1
    impact = graph_models.impact_of(small, n("art2"))
    assert impact.items == ["A-1"] and impact.node.kind == "provision"
    path = graph_models.path_of(small, n("art1"))
    assert path is not None and path.length == 3
    assert path.steps[1].via == ["pt:authorizedBy"]


def test_real_graph(real_graph: a.TraceGraph) -> None:
    """On the J-LIS documents: every item has a trace, and every item's grades are reachable
    from the article that authorizes the mid-term goal."""
    items = real_graph.nodes("item")
    assert len(items) == 19
    goal_authority = [
        d.iri for d in real_graph.nodes("provision")
        if any(real_graph.kind(x) == "document" for x in real_graph.graph.successors(d.iri))
        and any(p.kind == "goal" for p in a.impact_set(real_graph, d.iri))
    ]  # fmt: skip
    assert goal_authority
    impact = a.impact_set(real_graph, goal_authority[0])
    reached = {i.code for i in impact if i.kind == "evaluation"}
    assert reached == {i.code for i in items}
    rows = a.coverage(real_graph)
    assert len(rows) == 19 * len(real_graph.years())
    assert all(r.goal_plan.total >= 1 for r in rows)


@pytest.fixture(scope="module")
def real_graph(real_build: tuple[GraphStore, object]) -> a.TraceGraph:
    return a.fetch(real_build[0].query)
