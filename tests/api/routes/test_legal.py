"""Statutes and the impact of a provision, on real servers (embedded and remote store)."""

from __future__ import annotations

import httpx
import pytest
from servers import Server

from kg.store import GraphStore


def rows(db: GraphStore, sparql: str) -> list[tuple[str, ...]]:
    return [tuple(t.value if t is not None else "" for t in row) for row in db.query(sparql).rows]


@pytest.fixture(scope="module")
def api(any_server: Server) -> httpx.Client:
    return any_server.client()


def test_statutes_with_their_provisions(api: httpx.Client, built_store: GraphStore) -> None:
    body = api.get("/api/statutes").json()
    statutes = {s for (s,) in rows(built_store, "SELECT ?s { ?s a pt:Statute }")}
    assert {s["iri"] for s in body["statutes"]} == statutes
    listed = set()

    def walk(provisions: list[dict[str, object]]) -> None:
        for p in provisions:
            listed.add(p["iri"])
            walk(p["paragraphs"])  # type: ignore[arg-type]

    for s in body["statutes"]:
        walk(s["provisions"])
    query = "SELECT ?p { ?p a pt:Provision ; dcterms:isPartOf ?x }"
    parts = {p for (p,) in rows(built_store, query)}
    assert listed == parts


def _authorizing_article(db: GraphStore) -> tuple[str, str]:
    found = rows(db, "SELECT ?p ?goal WHERE { ?goal a pt:MidTermGoal ; pt:authorizedBy ?p }")
    assert found, "the J-LIS data links the mid-term goal to 番号利用法 第38条の8"
    return found[0][0], found[0][1]


def test_impact_of_the_article_behind_the_goal(api: httpx.Client, built_store: GraphStore) -> None:
    article, goal = _authorizing_article(built_store)
    r = api.get("/api/impact", params={"iri": article})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["iri"] == article and "pt:Provision" in body["types"]
    depth = {d["iri"]: d["depth"] for d in body["dependents"]}
    assert depth[goal] == 1
    goal_clauses = {c for (c,) in rows(built_store, f"SELECT ?c {{ ?c pt:partOf <{goal}> }}")}
    assert goal_clauses and goal_clauses <= set(depth)
    plan_clauses = {
        c for (c,) in rows(built_store, f"SELECT ?c {{ ?c pt:implements/pt:partOf <{goal}> }}")
    }
    assert plan_clauses <= set(depth)
    for d in body["dependents"]:
        assert d["depends_on"] and len(d["depends_on"]) == len(d["via"])
        for on in d["depends_on"]:
            assert on == article or depth[on] == d["depth"] - 1
    assert sum(body["counts"].values()) >= len(body["dependents"])
    assert body["truncated"] is False
    by_path = api.get("/api/impact", params={"iri": "/id/" + article.split("/id/", 1)[1]}).json()
    assert by_path == body


def test_impact_of_a_statute_includes_its_provisions(
    api: httpx.Client, built_store: GraphStore
) -> None:
    article, _ = _authorizing_article(built_store)
    query = f"SELECT ?s {{ <{article}> dcterms:isPartOf+ ?s . ?s a pt:Statute }}"
    (statute,) = rows(built_store, query)[0]
    body = api.get("/api/impact", params={"iri": statute}).json()
    dependents = {d["iri"] for d in body["dependents"]}
    assert article in dependents
    article_impact = {
        d["iri"] for d in api.get("/api/impact", params={"iri": article}).json()["dependents"]
    }
    assert article_impact <= dependents


def test_impact_errors(api: httpx.Client) -> None:
    item = "https://w3id.org/plantrace/id/jlis/item/I-1"
    assert api.get("/api/impact", params={"iri": item}).status_code == 400
    r = api.get("/api/impact", params={"iri": "https://w3id.org/plantrace/id/law/none/art1"})
    assert r.status_code == 404
    assert api.get("/api/impact", params={"iri": "not an iri"}).status_code == 400
