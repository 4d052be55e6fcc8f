"""Downloads: the dataset in three formats (named graphs kept), VoID/DCAT, the trace as CSV."""

from __future__ import annotations

import csv
import io

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from servers import Server

from api.views.trace_csv import COLUMNS
from kg.store import GraphStore

VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    return server.client()


def named_quads(built_store: GraphStore) -> set[ox.Quad]:
    return {q for q in built_store.oxigraph if not isinstance(q.graph_name, ox.DefaultGraph)}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("plantrace.trig", ox.RdfFormat.TRIG),
        ("plantrace.nq", ox.RdfFormat.N_QUADS),
        ("plantrace.jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_dataset_downloads_keep_every_graph(
    client: httpx.Client, built_store: GraphStore, name: str, fmt: ox.RdfFormat
) -> None:
    r = client.get(f"/downloads/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    assert name in r.headers["content-disposition"]
    assert set(ox.parse(r.content, fmt)) == named_quads(built_store)


def test_void_description(client: httpx.Client, built_store: GraphStore) -> None:
    r = client.get("/downloads/void.ttl")
    graph = Graph().parse(data=r.text, format="turtle")
    dataset = URIRef(f"{client.base_url}/downloads/void.ttl#dataset")
    triples = graph.value(dataset, URIRef(VOID + "triples"))
    assert triples is not None and int(triples) == sum(built_store.graph_sizes().values())
    assert graph.value(dataset, URIRef(VOID + "sparqlEndpoint")) == URIRef(
        f"{client.base_url}/sparql"
    )
    publishers = set(graph.objects(dataset, URIRef("http://purl.org/dc/terms/publisher")))
    assert publishers and set(graph.objects(dataset, URIRef(VOID + "rootResource"))) == publishers
    subsets = set(graph.objects(dataset, URIRef(VOID + "subset")))
    assert {str(s) for s in subsets} == set(built_store.graph_sizes())
    dumps = list(graph.objects(dataset, URIRef(VOID + "dataDump")))
    assert len(dumps) == 3
    for url in dumps:
        assert client.get(str(url)).status_code == 200
    well_known = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert well_known.headers["content-type"] == "application/ld+json"
    assert len(Graph().parse(data=well_known.text, format="json-ld")) == len(graph)


def test_trace_csv(client: httpx.Client) -> None:
    r = client.get("/downloads/trace.csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table and list(table[0]) == COLUMNS
    items = client.get("/api/items").json()["items"]
    assert {row["item_code"] for row in table} == {i["code"] for i in items}
    for item in items[:6]:
        trace = client.get(f"/api/items/{item['code']}").json()
        for year in trace["years"]:
            mine = [
                r
                for r in table
                if r["item_code"] == item["code"] and r["fiscal_year"] == str(year["year"])
            ]
            assert mine, (item["code"], year["year"])
            clauses = {r["clause"] for r in mine} - {""}
            if year["annual_clauses"]:  # one row per annual plan clause of the year
                assert clauses == {c["iri"] for c in year["annual_clauses"]}
            else:  # else one row per mid-term plan clause
                assert clauses == {c["iri"] for c in trace["plan_clauses"]}
            for r in mine:
                self_ev, min_ev = year["self_evaluation"], year["ministerial_evaluation"]
                assert r["self_grade"] == (self_ev["grade"] if self_ev else "")
                assert r["ministerial_grade"] == (min_ev["grade"] if min_ev else "")
                if r["clause"]:
                    assert r["source"], r
