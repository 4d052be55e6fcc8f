"""Versions over the JSON API on the real documents (issue 22): the III-3 plan clause the
FY2025 report revised from the 2021 board material, the evaluation viewpoints of I-1, I-2, I-9
and I-11 it rewrote, each item's history in ``/api/items/{code}`` and ``/api/changes``,
checked against the built store."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
from servers import Server

from kg.store import GraphStore
from kg.validate import store_graph, validate


def revisions(db: GraphStore) -> dict[str, tuple[str, str, str, str]]:
    """new version → (old version, item code, new validFrom, old validUntil), from the store."""
    found = db.query(
        """SELECT DISTINCT ?new ?old ?code ?from ?until WHERE {
          ?new prov:wasRevisionOf ?old ; pt:item/pt:code ?code ; pt:validFrom ?from .
          ?old pt:validUntil ?until }"""
    ).rows
    return {r[0].value: (r[1].value, r[2].value, r[3].value, r[4].value) for r in found}


@pytest.fixture(scope="module")
def api(server: Server) -> httpx.Client:
    return server.client()


def test_the_fy2025_report_revises_iii3_plan_and_four_viewpoints(
    api: httpx.Client, built_store: GraphStore
) -> None:
    expected = revisions(built_store)
    body = api.get("/api/changes").json()
    by_title = {d["document"]["title"]: d for d in body["documents"]}
    report = next(d for t, d in by_title.items() if t.startswith("令和7年度自己評価書"))
    assert report["document"]["issued"] == "2026-06-23"
    revised = {(c["code"], c["level"]) for c in report["revised"]}
    assert {("III-3", "plan"), ("I-1", "indicator"), ("I-2", "indicator"),
            ("I-9", "indicator"), ("I-11", "indicator")} <= revised  # fmt: skip
    assert {c["iri"] for c in report["revised"]} == set(expected)
    for c in report["revised"]:
        assert c["revision_of"] == [expected[c["iri"]][0]]
        assert c["item_href"] == f"/items/{c['code']}"
        assert c["href"] == "/id/" + c["iri"].split("/id/", 1)[1]
        assert c["text"]
    added = built_store.query("SELECT ?n WHERE { ?n pt:addedIn ?d }").rows
    dropped = built_store.query("SELECT ?n WHERE { ?n pt:droppedIn ?d }").rows
    assert sum(len(d["added"]) for d in body["documents"]) == len(added)
    assert sum(len(d["dropped"]) for d in body["documents"]) == len(dropped)
    issued = [d["document"]["issued"] or "" for d in body["documents"]]
    assert issued == sorted(issued, reverse=True)


@pytest.mark.parametrize("code", ["III-3", "I-1", "I-2", "I-9", "I-11"])
def test_an_items_trace_shows_its_history(
    api: httpx.Client, built_store: GraphStore, code: str
) -> None:
    expected = {n: v for n, v in revisions(built_store).items() if v[1] == code}
    trace = api.get(f"/api/items/{code}").json()
    chains = [h for h in trace["histories"] if len(h["versions"]) > 1]
    assert {h["versions"][-1]["iri"] for h in chains} == set(expected)
    for h in chains:
        old, new = h["versions"][-2], h["versions"][-1]
        assert expected[new["iri"]][0] == old["iri"]
        assert new["valid_from"] == expected[new["iri"]][2] == "2026-06-23"
        assert old["valid_until"] == expected[new["iri"]][3] == "2026-06-22"
        assert new["stated_in"]["title"].startswith("令和7年度自己評価書")
        assert old["text"] != new["text"]
    nodes = [*trace["plan_clauses"], *trace["indicators"]]
    for n in nodes:
        if n["iri"] in expected:
            assert n["revision_of"] == [expected[n["iri"]][0]]
            assert n["valid_from"] == "2026-06-23"
            assert n["first_stated_in"].endswith("/doc/self-evaluation-fy2025")


def test_iii3_plan_history_from_the_board_material(api: httpx.Client) -> None:
    """The 2021 board material stated the プライバシーマーク clause; FY2025 states its successor."""
    trace = api.get("/api/items/III-3").json()
    (history,) = [h for h in trace["histories"] if h["level"] == "plan"]
    first, last = history["versions"]
    assert first["valid_from"] == "2021-09-01" and "プライバシーマーク" in first["text"]
    assert first["stated_in"]["title"].startswith("経営審議委員会資料")
    assert last["valid_until"] is None and "プライバシーマーク" in last["text"]


def _side(diff: dict[str, Any], left_out: str) -> str:
    """One side of a diff of the API: its segments but ``left_out`` ("insert" for the earlier
    text, "delete" for the later one), joined."""
    assert {s["op"] for s in diff["segments"]} <= {"equal", "delete", "insert"}
    return "".join(s["text"] for s in diff["segments"] if s["op"] != left_out)


@pytest.mark.parametrize(("code", "level"), [("III-3", "plan"), ("I-9", "indicator")])
def test_histories_carry_the_character_diff(api: httpx.Client, code: str, level: str) -> None:
    """Each version after the first carries the diff the page shows, whose segments give back
    the earlier and the later text exactly (III-3's プライバシーマーク plan clause, I-9's
    evaluation viewpoint, as the FY2025 report rewrote them)."""
    trace = api.get(f"/api/items/{code}").json()
    chains = [h for h in trace["histories"] if len(h["versions"]) > 1]
    assert any(h["level"] == level for h in chains)
    for h in chains:
        assert h["versions"][0]["diff"] is None
        for old, new in itertools.pairwise(h["versions"]):
            diff = new["diff"]
            assert _side(diff, "insert") == old["text"]
            assert _side(diff, "delete") == new["text"]
            assert {"delete", "insert"} & {s["op"] for s in diff["segments"]}
            assert 0 < diff["similarity"] < 1


def test_changes_carry_the_character_diff(api: httpx.Client, built_store: GraphStore) -> None:
    """Every revised clause or indicator of ``/api/changes`` carries the diff from the version
    it revises, which gives back both texts as the store holds them."""
    texts: dict[str, set[str]] = {}
    for r in built_store.query(
        "SELECT ?n ?x WHERE { ?m prov:wasRevisionOf ?n { ?n pt:text ?x } UNION "
        "{ ?n rdfs:label ?x } }"
    ).rows:
        texts.setdefault(r[0].value, set()).add(r[1].value)
    revised = [c for d in api.get("/api/changes").json()["documents"] for c in d["revised"]]
    assert revised
    for c in revised:
        (was,) = c["revision_of"]
        # a node two documents state in nearly the same words has both texts (kg.link)
        assert _side(c["diff"], "insert") in texts[was]
        assert _side(c["diff"], "delete") == c["text"]


def test_suspect_links_match_the_validation_report(
    api: httpx.Client, built_store: GraphStore
) -> None:
    """Every suspect link the API lists is a suspect-link warning of the shapes, and back."""
    warned = {
        (f.focus, f.path, f.value_node)
        for f in validate(store_graph(built_store)).findings
        if f.shape.endswith("#SuspectPlanLinkShape")
        or f.shape.endswith("#SuspectAnnualLinkShape")
        or f.shape.endswith("#SuspectMeasureLinkShape")
    }
    listed = {
        (s["lower"], "https://w3id.org/plantrace/ontology#" + s["link"], s["new"])
        for d in api.get("/api/changes").json()["documents"]
        for s in d["suspect_links"]
    }
    assert listed == warned


def test_unknown_body_is_a_404(api: httpx.Client) -> None:
    answer = api.get("/api/changes", params={"body": "no-such-body"})
    assert answer.status_code == 404
    assert answer.json()["detail"]
