"""One graph, not three: the trace from a statute article to every year's grade, across documents.

These run SPARQL over the real documents built once (``real_build``); the expectations are what
the documents print, read by a person.
"""

from __future__ import annotations

import pytest
from conftest import SOURCES, write_sources

from kg.build import BuildSummary, fill, summarize
from kg.sources import load_manifest
from kg.store import GraphStore

CODES = [f"I-{n}" for n in range(1, 12)] + ["II-1", "II-2", "II-3"]
CODES += [f"III-{n}" for n in range(1, 6)]
ID = "https://w3id.org/plantrace/id/"
MY_NUMBER_ACT = f"{ID}law/425AC0000000027"
PKI_ACT = f"{ID}law/414AC0000000153"


def _values(store: GraphStore, sparql: str) -> list[tuple[str, ...]]:
    rows = store.query(sparql).rows
    return [tuple("" if t is None else str(t.value) for t in row) for row in rows]


def test_every_item_has_a_full_trace(real_build: tuple[GraphStore, BuildSummary]) -> None:
    """goal clause → plan clauses → FY2021 and FY2025 annual clauses, and grades of both years.

    The two years' annual clauses may implement different plan clauses of one goal clause
    (I-9's plan clause was reworded by FY2025).
    """
    store, _ = real_build
    rows = _values(
        store,
        """SELECT DISTINCT ?code WHERE {
          ?item a pt:EvaluationItem ; pt:code ?code .
          ?goal a pt:GoalClause ; pt:item ?item .
          ?a21 a pt:AnnualPlanClause ; pt:implements/pt:implements ?goal ;
               pt:fiscalYear/pt:year 2021 .
          ?a25 a pt:AnnualPlanClause ; pt:implements/pt:implements ?goal ;
               pt:fiscalYear/pt:year 2025 .
          ?s21 a pt:SelfEvaluation ; pt:evaluates ?item ; pt:fiscalYear/pt:year 2021 .
          ?s25 a pt:SelfEvaluation ; pt:evaluates ?item ; pt:fiscalYear/pt:year 2025 .
          ?m21 a pt:MinisterialEvaluation ; pt:evaluates ?item ; pt:fiscalYear/pt:year 2021 .
        }""",
    )
    assert sorted(r[0] for r in rows) == sorted(CODES)


def test_one_node_read_from_three_documents(real_build: tuple[GraphStore, BuildSummary]) -> None:
    """I-1's answer-rate goal clause is printed by the board material, FY2021 and FY2025, each
    in its own layout (full-width digits, spaces of a justified PDF line)."""
    store, _ = real_build
    rows = _values(
        store,
        """SELECT ?clause (COUNT(DISTINCT ?g) AS ?docs) WHERE {
          GRAPH <https://w3id.org/plantrace/id/jlis/doc/board-material-2021-09-01> {
            ?clause a pt:GoalClause ; pt:item ?item ; pt:text ?t
            FILTER(CONTAINS(?t, "ヘルプデスク")) }
          ?item pt:code "I-1" .
          GRAPH ?g { ?clause a pt:GoalClause }
        } GROUP BY ?clause""",
    )
    assert len(rows) == 1 and rows[0][1] == "3", rows


def test_observations_of_both_years_on_one_indicator(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    store, _ = real_build
    rows = _values(
        store,
        """SELECT ?year ?value ?target WHERE {
          ?ind a pt:QuantitativeIndicator ; pt:item/pt:code "I-1" ;
               pt:target/pt:targetValue ?target .
          ?obs pt:indicator ?ind ; pt:fiscalYear/pt:year ?year ; pt:value ?value ; pt:unit "%" .
          FILTER(?target = 99.9)
        } ORDER BY ?year ?value""",
    )
    years = {r[0] for r in rows}
    assert years == {"2021", "2025"}
    assert ("2025", "99.85", "99.9") in rows and ("2021", "99.92", "99.9") in rows


def test_legal_basis_resolves_to_provisions(real_build: tuple[GraphStore, BuildSummary]) -> None:
    store, _ = real_build
    basis = _values(
        store,
        """SELECT ?code ?p WHERE { ?i pt:code ?code ; pt:legalBasis ?p }""",
    )
    by_item: dict[str, set[str]] = {}
    for code, provision in basis:
        by_item.setdefault(code, set()).add(provision)
    assert f"{PKI_ACT}/art18/para3" in by_item["I-5"]
    assert f"{MY_NUMBER_ACT}/art16-2" in by_item["I-1"]
    assert {f"{PKI_ACT}/art16-2", f"{PKI_ACT}/art35-2"} <= by_item["I-6"]
    assert "I-9" not in by_item and "III-1" not in by_item  # printed as —, or no basis at all
    # A paragraph is part of its article, the article part of the statute, which links e-Gov.
    chain = _values(
        store,
        f"""SELECT ?label ?law ?egov ?see WHERE {{
          <{PKI_ACT}/art18/para3> dcterms:isPartOf ?article .
          ?article dcterms:isPartOf ?law ; pt:articleLabel ?label .
          ?law a pt:Statute ; pt:egovLawId ?egov ; rdfs:seeAlso ?see }}""",
    )
    assert chain == [("第18条", PKI_ACT, "414AC0000000153",
                      "https://laws.e-gov.go.jp/law/414AC0000000153")]  # fmt: skip


def test_article_outside_the_excerpts_is_created(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    """施行規則第65条第1項第4号 (I-4) is not in 参照条文, but its law is cited in full."""
    store, _ = real_build
    rows = _values(
        store,
        """SELECT ?number ?label WHERE {
          ?i pt:code "I-4" ; pt:legalBasis ?p . ?p pt:articleLabel ?label ;
             dcterms:isPartOf+ ?law . ?law a pt:Statute ; pt:lawNumber ?number }""",
    )
    assert rows == [("平成15年総務省令第120号", "第65条第1項第4号")]


def test_plans_and_evaluations_are_authorized(real_build: tuple[GraphStore, BuildSummary]) -> None:
    store, _ = real_build
    rows = set(
        _values(
            store,
            f"""SELECT ?kind ?p WHERE {{ ?s a ?kind ; pt:authorizedBy ?p .
              VALUES ?kind {{ pt:MidTermGoal pt:MidTermPlan pt:AnnualPlan pt:SelfEvaluation
                             pt:MinisterialEvaluation }}
              FILTER(STRSTARTS(STR(?p), "{MY_NUMBER_ACT}")) }}""",
        )
    )
    pt = "https://w3id.org/plantrace/ontology#"
    assert rows == {
        (f"{pt}MidTermGoal", f"{MY_NUMBER_ACT}/art38-8"),
        (f"{pt}MidTermPlan", f"{MY_NUMBER_ACT}/art38-9"),
        (f"{pt}AnnualPlan", f"{MY_NUMBER_ACT}/art38-10"),
        (f"{pt}SelfEvaluation", f"{MY_NUMBER_ACT}/art38-11"),
        (f"{pt}MinisterialEvaluation", f"{MY_NUMBER_ACT}/art38-11"),
    }


def test_goal_period_and_references(real_build: tuple[GraphStore, BuildSummary]) -> None:
    store, _ = real_build
    period = _values(
        store,
        """SELECT ?b ?e WHERE { ?g a pt:MidTermGoal ; pt:period ?p .
          ?p time:hasBeginning/time:inXSDDate ?b ; time:hasEnd/time:inXSDDate ?e }""",
    )
    assert period == [("2021-09-01", "2026-03-31")]
    refs = _values(
        store,
        """SELECT DISTINCT ?doc WHERE { ?e a pt:SelfEvaluation ; pt:fiscalYear/pt:year 2021 ;
          dcterms:references ?doc }""",
    )
    assert refs == [(f"{ID}jlis/doc/business-report-fy2021",)]


def test_build_reports_what_matched(real_build: tuple[GraphStore, BuildSummary]) -> None:
    linked = real_build[1].linked
    assert linked is not None
    assert linked.matched["clauses joined across documents"] > 100
    assert linked.matched["clauses placed under an item by their heading"] > 100
    assert linked.matched["authorizations"] >= 4
    text = linked.render()
    assert "not matched:" in text  # the documents really differ; the build says where


EDIT = (
    "率95％以上の確保を目指すとともに、マイナンバーカー",
    "率90％以上の確保を目指すとともに、マイナンバーカー",
)
"""I-1's answer-rate goal, as the board material's goal column prints it (line 1547)."""


@pytest.fixture(scope="module")
def edited_board(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """All five documents, with one number in the board material's goal column changed."""
    manifest = load_manifest(SOURCES / "manifest.json")
    texts = {d.id: d.read_text() for d in manifest.documents}
    board = "board-material-2021-09-01"
    assert texts[board].count(EDIT[0]) == 1
    texts[board] = texts[board].replace(*EDIT)
    folder = tmp_path_factory.mktemp("edited")
    store = GraphStore.memory()
    summarize(store, *fill(store, load_manifest(write_sources(folder, texts, publisher="jlis"))))
    return store


GOALS = """SELECT ?c ?t (COUNT(DISTINCT ?g) AS ?docs) WHERE {
  GRAPH <https://w3id.org/plantrace/id/jlis/doc/board-material-2021-09-01> {
    ?c a pt:GoalClause ; pt:text ?t }
  GRAPH ?g { ?c a pt:GoalClause } } GROUP BY ?c ?t"""


def test_edited_board_material_changes_the_graph(
    real_build: tuple[GraphStore, BuildSummary], edited_board: GraphStore
) -> None:
    before = {r[1]: r for r in _values(real_build[0], GOALS)}
    after = {r[1]: r for r in _values(edited_board, GOALS)}
    gone, new = set(before) - set(after), set(after) - set(before)
    assert len(gone) == 1 and len(new) == 1  # exactly the edited clause
    (old_text,), (new_text,) = gone, new
    assert "95％" in old_text and new_text == old_text.replace("95％", "90％")
    # Still one node with the FY2021 and FY2025 readings: a changed number is a changed text,
    # not a different clause.
    assert before[old_text][2] == after[new_text][2] == "3"
