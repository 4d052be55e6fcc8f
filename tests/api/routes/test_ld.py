"""Linked data: every kind of IRI under ``/id/`` dereferences, by content negotiation; the HTML
escapes document text and quotes the source lines."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from servers import HOSTILE_IRI, HOSTILE_TEXT, JAPANESE_IRI, REPO, Server

from api.routes.ld import uri_to_iri
from kg.store import GraphStore

PTID = "https://w3id.org/plantrace/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def path_of(iri: str) -> str:
    return "/id/" + iri[len(PTID) :]


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    return server.client()


def every_kind(built_store: GraphStore) -> list[str]:
    """One IRI of each IRI shape under /id/ (the path without its last segment), and every
    graph name."""
    result = built_store.query(
        f"""SELECT DISTINCT ?x WHERE {{
          {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} UNION {{ GRAPH ?x {{ ?a ?b ?c }} }}
          FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{PTID}")) }}"""
    )
    shapes: dict[str, str] = {}
    for (x,) in result.rows:
        assert x is not None
        shape = re.sub(r"[^/]+$", "", re.sub(r"\d+", "N", x.value))
        shapes.setdefault(shape, x.value)
    return sorted(set(shapes.values()) | set(built_store.graph_sizes()))


def test_every_kind_of_iri_dereferences(client: httpx.Client, built_store: GraphStore) -> None:
    iris = every_kind(built_store)
    assert len(iris) > 20
    for iri in iris:
        r = client.get(path_of(iri), headers={"Accept": "text/turtle"})
        assert r.status_code == 200, (iri, r.text)
        graph = Graph().parse(data=r.text, format="turtle")
        assert (URIRef(iri), None, None) in graph or (None, None, URIRef(iri)) in graph, iri
        page = client.get(path_of(iri), headers={"Accept": BROWSER})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_turtle_and_jsonld_hold_the_node(client: httpx.Client, built_store: GraphStore) -> None:
    iri = f"{PTID}jlis/item/I-1"
    outgoing = {
        (p.value, o.value)
        for p, o in built_store.query(f"SELECT ?p ?o {{ <{iri}> ?p ?o }}").rows  # type: ignore[union-attr]
    }
    negotiated = [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ]
    for accept, fmt in negotiated:
        r = client.get(path_of(iri), headers={"Accept": accept})
        assert r.headers["content-type"].split(";")[0] == accept
        assert "Accept" in r.headers["vary"].split(", ")  # and Origin (CORS)
        graph = Graph().parse(data=r.content, format=fmt)
        assert {(str(p), str(o)) for p, o in graph.predicate_objects(URIRef(iri))} == outgoing
    assert (
        client.get(path_of(iri), params={"format": "jsonld"}).headers["content-type"]
        == "application/ld+json"
    )


def test_item_page_shows_trace_and_source_lines(
    client: httpx.Client, built_store: GraphStore
) -> None:
    page = client.get("/id/jlis/item/I-1", headers={"Accept": BROWSER}).text
    label = built_store.query(f"SELECT ?l {{ <{PTID}jlis/item/I-1> rdfs:label ?l }}").rows[0][0]
    assert label is not None and label.value in page
    assert "<h2>トレース</h2>" in page and "主務大臣評価" in page
    # Each quoted line is the line of the source file, as published (escaped).
    spans = built_store.query(
        f"""SELECT ?file ?start WHERE {{ <{PTID}jlis/item/I-1> prov:wasDerivedFrom ?s .
            ?s pt:document/pt:fileName ?file ; pt:lineStart ?start }}"""
    ).rows
    assert spans
    for file, start in spans:
        assert file is not None and start is not None
        lines = (REPO / "data" / "sources" / file.value).read_text(encoding="utf-8").split("\n")
        assert escape(lines[int(start.value) - 1]) in page


def escape(text: str) -> str:
    """As Jinja2's autoescape writes it."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&#34;").replace("'", "&#39;")


def test_span_page_quotes_its_lines(client: httpx.Client, built_store: GraphStore) -> None:
    span, file, start, end = (
        t.value  # type: ignore[union-attr]
        for t in built_store.query(
            """SELECT ?s ?f ?a ?b WHERE { ?s a pt:Span ; pt:document/pt:fileName ?f ;
               pt:lineStart ?a ; pt:lineEnd ?b FILTER(?b > ?a) } ORDER BY ?s LIMIT 1"""
        ).rows[0]
    )
    page = client.get(path_of(span), headers={"Accept": BROWSER}).text
    lines = (REPO / "data" / "sources" / file).read_text(encoding="utf-8").split("\n")
    for n in range(int(start), min(int(end), int(start) + 5) + 1):
        assert f"{n:5d}" in page and escape(lines[n - 1]) in page


def test_unknown_iri_is_404(client: httpx.Client) -> None:
    assert client.get("/id/jlis/item/Z-99", headers={"Accept": "text/turtle"}).status_code == 404
    r = client.get("/id/jlis/item/Z-99", headers={"Accept": BROWSER})
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert client.get("/id/jlis/item/I-1", headers={"Accept": "image/png"}).status_code == 406


def test_html_escapes_document_text(dataset_server: Server) -> None:
    with dataset_server.client() as c:
        page = c.get(path_of(HOSTILE_IRI), headers={"Accept": BROWSER})
        assert page.status_code == 200
        assert "<script>" not in page.text and "<b>太字</b>" not in page.text
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;太字&lt;/b&gt;"
            in page.text
        )
        turtle = c.get(path_of(HOSTILE_IRI), headers={"Accept": "text/turtle"}).text
        graph = Graph().parse(data=turtle, format="turtle")
        assert HOSTILE_TEXT in {str(o) for o in graph.objects()}


def test_non_ascii_iris(dataset_server: Server) -> None:
    assert uri_to_iri("test/%E9%A0%85%E7%9B%AE%201") == "test/項目%201"
    assert uri_to_iri("a%2Fb%FF") == "a%2Fb%FF"
    with dataset_server.client() as c:
        r = c.get("/id/test/%E9%A0%85%E7%9B%AE%201", headers={"Accept": "text/turtle"})
        assert r.status_code == 200
        assert JAPANESE_IRI in {
            str(s) for s in Graph().parse(data=r.text, format="turtle").subjects()
        }


def test_home_page_lists_items(client: httpx.Client) -> None:
    page = client.get("/", headers={"Accept": BROWSER}).text
    items = client.get("/api/items").json()["items"]
    for item in items:
        assert f'href="{item["href"]}"' in page


def test_dataset_server_keeps_named_graphs(dataset_server: Server, tmp_path: Path) -> None:
    with dataset_server.client() as c:
        r = c.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
        graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert f"{PTID}graph/test" in graphs
