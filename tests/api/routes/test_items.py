"""The JSON API for items, traces, evaluations, differences and search, on real servers over the
embedded store and over a remote store (``any_server``), checked against the built store."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

import httpx
import pyoxigraph as ox
import pytest
from servers import Server

from kg.store import GraphStore

PT = "https://w3id.org/plantrace/ontology#"


def rows(db: GraphStore, sparql: str) -> list[tuple[str, ...]]:
    return [tuple(t.value if t is not None else "" for t in row) for row in db.query(sparql).rows]


def grades(built_store: GraphStore) -> dict[tuple[str, int, str], str]:
    """(item code, year, by) → grade, read directly from the store."""
    out = {}
    for code, year, cls, grade in rows(
        built_store,
        """SELECT ?code ?year ?cls ?grade WHERE {
          VALUES ?cls { pt:SelfEvaluation pt:MinisterialEvaluation }
          ?e a ?cls ; pt:evaluates/pt:code ?code ; pt:fiscalYear/pt:year ?year ;
             pt:grade/skos:notation ?grade }""",
    ):
        out[(code, int(year), "self" if cls.endswith("SelfEvaluation") else "ministerial")] = grade
    return out


@pytest.fixture(scope="module")
def api(any_server: Server) -> httpx.Client:
    return any_server.client()


def test_items_with_grade_matrix(api: httpx.Client, built_store: GraphStore) -> None:
    body = api.get("/api/items").json()
    items = "SELECT ?c WHERE { ?i a pt:EvaluationItem ; pt:code ?c }"
    codes = {c for (c,) in rows(built_store, items)}
    assert {i["code"] for i in body["items"]} == codes
    expected = grades(built_store)
    assert body["years"] == sorted({y for _, y, _ in expected})
    for item in body["items"]:
        assert item["href"] == "/id/" + item["iri"].split("/id/", 1)[1]
        assert [c["year"] for c in item["grades"]] == body["years"]
        for cell in item["grades"]:
            assert cell["self_grade"] == expected.get((item["code"], cell["year"], "self"))
            assert cell["ministerial_grade"] == expected.get(
                (item["code"], cell["year"], "ministerial")
            )


def _clauses(db: GraphStore, code: str, cls: str) -> set[str]:
    query = f'SELECT ?c WHERE {{ ?c a pt:{cls} ; pt:item/pt:code "{code}" }}'
    return {c for (c,) in rows(db, query)}


def test_every_item_trace(api: httpx.Client, built_store: GraphStore) -> None:
    expected = grades(built_store)
    items = [i["code"] for i in api.get("/api/items").json()["items"]]
    for code in items:
        r = api.get(f"/api/items/{code}")
        assert r.status_code == 200, r.text
        trace = r.json()
        assert trace["item"]["code"] == code
        db = built_store
        assert {c["iri"] for c in trace["goal_clauses"]} == _clauses(db, code, "GoalClause")
        assert {c["iri"] for c in trace["plan_clauses"]} == _clauses(db, code, "PlanClause")
        annual = {c["iri"] for y in trace["years"] for c in y["annual_clauses"]}
        assert annual == _clauses(built_store, code, "AnnualPlanClause")
        for year in trace["years"]:
            assert all(c["year"] == year["year"] for c in year["annual_clauses"])
            for by in ("self", "ministerial"):
                ev = year[f"{by}_evaluation"]
                assert (ev["grade"] if ev else None) == expected.get((code, year["year"], by))
                if ev:
                    assert ev["sources"], f"{code} {year['year']} {by} grade has no source"
        indicators = {
            i
            for (i,) in rows(
                built_store, f'SELECT ?i WHERE {{ ?i a pt:Indicator ; pt:item/pt:code "{code}" }}'
            )
        }
        assert {i["iri"] for i in trace["indicators"]} == indicators
        plan = {c["iri"] for c in trace["plan_clauses"]}
        goal = {c["iri"] for c in trace["goal_clauses"]}
        for clause in trace["plan_clauses"]:
            assert set(clause["implements"]) <= goal | _all_goal_clauses(built_store)
        for year in trace["years"]:
            for clause in year["annual_clauses"]:
                assert clause["sources"] and clause["sources"][0]["line_start"] >= 1
                assert set(clause["implements"]) <= plan | _all_plan_clauses(built_store)
        observed = {o["iri"] for i in trace["indicators"] for o in i["observations"]}
        by_year = {o["iri"] for y in trace["years"] for o in y["observations"]}
        assert observed == by_year


_cache: dict[str, set[str]] = {}


def _all_goal_clauses(built_store: GraphStore) -> set[str]:
    if "goal" not in _cache:
        _cache["goal"] = {c for (c,) in rows(built_store, "SELECT ?c { ?c a pt:GoalClause }")}
    return _cache["goal"]


def _all_plan_clauses(built_store: GraphStore) -> set[str]:
    if "plan" not in _cache:
        _cache["plan"] = {c for (c,) in rows(built_store, "SELECT ?c { ?c a pt:PlanClause }")}
    return _cache["plan"]


def test_unknown_item_is_404(api: httpx.Client) -> None:
    r = api.get("/api/items/Z-99")
    assert r.status_code == 404
    assert "Z-99" in r.json()["detail"]


def test_body_picks_the_publisher(api: httpx.Client) -> None:
    """``?body=`` (the publisher's id): the J-LIS data has one, so the answers are the same."""
    assert api.get("/api/items/I-1", params={"body": "jlis"}).json() == api.get(
        "/api/items/I-1"
    ).json()
    assert api.get("/api/items", params={"body": "jlis"}).json() == api.get("/api/items").json()
    r = api.get("/api/items/I-1", params={"body": "nobody"})
    assert r.status_code == 404 and "'nobody'" in r.json()["detail"]
    for path in ("/api/items", "/api/evaluations", "/api/evaluations/2021", "/api/differences",
                 "/api/analysis/gaps"):  # fmt: skip
        r = api.get(path, params={"body": "nobody"})
        assert r.status_code == 404, path
        assert r.json()["detail"] == "no documents published by 'nobody'"
        assert api.get(path, params={"body": "jlis"}).json() == api.get(path).json(), path
    for bad in ("../x", "a b", "x" * 61):
        assert api.get("/api/items/I-1", params={"body": bad}).status_code == 422
    # regression (found by the schema fuzzer): a code that makes no valid IRI was a 500
    assert api.get("/api/items/\x84x", params={"body": "jlis"}).status_code == 404


def test_evaluations_by_year(api: httpx.Client, built_store: GraphStore) -> None:
    expected = grades(built_store)
    years = api.get("/api/evaluations").json()["years"]
    assert [y["year"] for y in years] == sorted({y for _, y, _ in expected})
    for summary in years:
        year = summary["year"]
        assert summary["self_graded_items"] == sum(1 for k in expected if k[1:] == (year, "self"))
        body = api.get(f"/api/evaluations/{year}").json()
        assert body["label"].endswith("年度")
        got = {
            (i["code"], by): (i[f"{by}_evaluation"] or {}).get("grade")
            for i in body["items"]
            for by in ("self", "ministerial")
        }
        want = {(c, b): g for (c, y, b), g in expected.items() if y == year}
        assert {k: v for k, v in got.items() if v is not None} == want
    assert api.get("/api/evaluations/1900").status_code == 404


def test_differences(api: httpx.Client, built_store: GraphStore) -> None:
    expected = grades(built_store)
    want = {
        (code, year)
        for (code, year, by), grade in expected.items()
        if by == "self" and expected.get((code, year, "ministerial"), grade) != grade
    }
    body = api.get("/api/differences").json()
    assert {(d["code"], d["year"]) for d in body["differences"]} == want
    for d in body["differences"]:
        assert d["self_evaluation"]["grade"] != d["ministerial_evaluation"]["grade"]


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def test_search_finds_substrings_ranked(api: httpx.Client, built_store: GraphStore) -> None:
    texts = rows(
        built_store,
        """SELECT ?n ?t WHERE { { VALUES ?k { pt:GoalClause pt:PlanClause pt:AnnualPlanClause }
           ?n a ?k ; pt:text ?t } UNION { ?n a pt:Indicator ; rdfs:label ?t } }""",
    )
    term = "応答率"
    want = {n for n, t in texts if term in _norm(t)}
    assert want, "the data mentions 応答率"
    body = api.get("/api/search", params={"q": term, "limit": 200}).json()
    assert body["total"] == len(want)
    assert {h["iri"] for h in body["hits"]} == want
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert all(term in _norm(h["text"]) and term in _norm(h["snippet"]) for h in body["hits"])
    assert all(h["sources"] for h in body["hits"])
    top = api.get("/api/search", params={"q": term, "limit": 3}).json()
    assert [h["iri"] for h in top["hits"]] == [h["iri"] for h in body["hits"][:3]]


def test_search_ignores_width_and_needs_every_word(api: httpx.Client) -> None:
    full = api.get("/api/search", params={"q": "コールセンター", "limit": 200}).json()
    half = api.get("/api/search", params={"q": "ｺｰﾙｾﾝﾀｰ", "limit": 200}).json()
    assert full["total"] > 0 and full["hits"] == half["hits"]
    both = api.get("/api/search", params={"q": "コールセンター　応答率", "limit": 200}).json()
    assert 0 < both["total"] <= full["total"]
    assert all("応答率" in _norm(h["text"]) for h in both["hits"])
    assert api.get("/api/search", params={"q": "存在しない語句ｘｙｚ"}).json()["total"] == 0
    assert api.get("/api/search", params={"q": ""}).status_code == 422
    jlis = api.get("/api/search", params={"q": "応答率", "body": "jlis"}).json()
    assert jlis == api.get("/api/search", params={"q": "応答率"}).json() and jlis["total"] > 0
    assert api.get("/api/search", params={"q": "応答率", "body": "nobody"}).status_code == 404


def test_embedded_and_remote_agree(server: Server, remote_server: Server) -> None:
    """The same API answers the same on the embedded store and on the remote one."""
    paths = ["/api/items", "/api/items/I-1", "/api/evaluations", "/api/differences",
             "/api/statutes", "/api/search?q=%E3%82%AB%E3%83%BC%E3%83%89"]  # fmt: skip
    years = server.client().get("/api/evaluations").json()["years"]
    paths += [f"/api/evaluations/{y['year']}" for y in years]
    with server.client() as local, remote_server.client() as remote:
        for path in paths:
            assert local.get(path).json() == remote.get(path).json(), path
        for path in ("/downloads/trace.csv", "/id/jlis/item/I-1?format=ntriples"):
            assert sorted(local.get(path).text.splitlines()) == sorted(
                remote.get(path).text.splitlines()
            ), path
        nq = ox.RdfFormat.N_QUADS
        dumps = [
            ox.Dataset(ox.parse(c.get("/downloads/plantrace.nq").content, nq))
            for c in (local, remote)
        ]
        for dataset in dumps:
            dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        assert set(dumps[0]) == set(dumps[1])
    status = remote_server.client().get("/status").json()
    assert status["backend"] == "remote"
    assert status["graphs"] == server.client().get("/status").json()["graphs"]


def test_grade_matrix_covers_every_grade(api: httpx.Client, built_store: GraphStore) -> None:
    body = api.get("/api/items").json()
    cells: dict[str, int] = defaultdict(int)
    for item in body["items"]:
        for cell in item["grades"]:
            cells["self"] += cell["self_grade"] is not None
            cells["ministerial"] += cell["ministerial_grade"] is not None
    expected = grades(built_store)
    assert cells["self"] == sum(1 for k in expected if k[2] == "self")
    assert cells["ministerial"] == sum(1 for k in expected if k[2] == "ministerial")
