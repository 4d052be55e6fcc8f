"""``/sparql`` on a real server: the protocol, the formats, and every safety rule."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from rdflib import Graph
from servers import LIMITS, Server

from kg.store import GraphStore

SELECT_GRADES = """SELECT ?code ?year ?grade WHERE {
  ?e a pt:MinisterialEvaluation ; pt:evaluates/pt:code ?code ;
     pt:fiscalYear/pt:year ?year ; pt:grade/skos:notation ?grade .
} ORDER BY ?code ?year"""
CONSTRUCT_ITEMS = "CONSTRUCT { ?i pt:code ?c } WHERE { ?i a pt:EvaluationItem ; pt:code ?c }"
ROW_LIMIT = int(LIMITS["PLANTRACE_ROW_LIMIT"])
TIMEOUT = float(LIMITS["PLANTRACE_QUERY_TIMEOUT"])
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A query that would run for hours on the real data: a triple cross product."""


def expected_grades(built_store: GraphStore) -> list[tuple[str, str, str]]:
    rows = built_store.query(SELECT_GRADES).rows
    return [tuple(t.value for t in row if t is not None) for row in rows]  # type: ignore[misc]


def triple_count(client: httpx.Client) -> int:
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    return server.client()


# --- the protocol ------------------------------------------------------------------------------


def json_rows(response: httpx.Response) -> list[tuple[str, ...]]:
    doc = response.json()
    names = doc["head"]["vars"]
    return [tuple(b[n]["value"] for n in names) for b in doc["results"]["bindings"]]


def test_get_post_form_and_post_direct_agree(client: httpx.Client, built_store: GraphStore) -> None:
    expected = expected_grades(built_store)
    assert expected, "the data has ministerial grades"
    got = client.get("/sparql", params={"query": SELECT_GRADES})
    form = client.post("/sparql", data={"query": SELECT_GRADES})
    direct = client.post(
        "/sparql", content=SELECT_GRADES.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )  # fmt: skip
    for r in (got, form, direct):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        assert json_rows(r) == expected
        assert r.headers["x-plantrace-truncated"] == "false"


def test_select_formats_by_accept_and_format_override(
    client: httpx.Client, built_store: GraphStore
) -> None:
    expected = expected_grades(built_store)
    r = client.get("/sparql", params={"query": SELECT_GRADES},
                   headers={"Accept": "application/sparql-results+xml"})  # fmt: skip
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    results = ET.fromstring(r.content).findall(".//r:result", ns)
    xml_rows = [
        tuple(b.find("r:literal", ns).text for b in res.findall("r:binding", ns))  # type: ignore[union-attr]
        for res in results
    ]
    assert xml_rows == expected
    r = client.get("/sparql", params={"query": SELECT_GRADES}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["code", "year", "grade"] and [tuple(x) for x in rows[1:]] == expected
    r = client.get("/sparql", params={"query": SELECT_GRADES},
                   headers={"Accept": "text/tab-separated-values"})  # fmt: skip
    lines = r.text.rstrip("\n").split("\n")
    assert lines[0] == "?code\t?year\t?grade"
    assert lines[1].split("\t")[0] == f'"{expected[0][0]}"'
    assert len(lines) == len(expected) + 1
    r = client.get("/sparql", params={"query": SELECT_GRADES, "format": "csv"},
                   headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/sparql", params={"query": SELECT_GRADES},
                   headers={"Accept": "text/html;q=0.9, application/xml;q=0.5"})  # fmt: skip
    assert r.headers["content-type"].startswith("application/sparql-results+xml")


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
    ],
)
def test_construct_formats(
    client: httpx.Client, built_store: GraphStore, accept: str, media: str, rdflib_format: str
) -> None:
    expected = {(s.value, o.value) for s, _, o in built_store.query(CONSTRUCT_ITEMS).rows}  # type: ignore[union-attr]
    r = client.post("/sparql", data={"query": CONSTRUCT_ITEMS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=r.content, format=rdflib_format)
    assert {(str(s), str(o)) for s, _, o in graph} == expected


def test_describe_and_ask(client: httpx.Client) -> None:
    r = client.get(
        "/sparql", params={"query": "DESCRIBE <https://w3id.org/plantrace/id/jlis/item/I-1>"}
    )
    assert r.headers["content-type"].startswith("text/turtle")
    assert "I-1" in r.text
    r = client.get("/sparql", params={"query": "ASK { ?i a pt:EvaluationItem }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": "ASK { ?i a pt:EvaluationItem }", "format": "xml"})
    assert "<boolean>true</boolean>" in r.text


def test_protocol_dataset_selects_graphs(client: httpx.Client, built_store: GraphStore) -> None:
    sizes = built_store.graph_sizes()
    ontology = "https://w3id.org/plantrace/id/graph/ontology"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = client.get("/sparql", params={"query": count, "default-graph-uri": ontology})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == sizes[ontology]
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": graphs, "named-graph-uri": ontology})
    assert json_rows(r) == [(ontology,)]
    r = client.get(
        "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> {{ ?s ?p ?o }}"}
    )
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == sizes[ontology]


def test_service_description(client: httpx.Client, built_store: GraphStore) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = {
        str(o) for o in graph.objects(predicate=graph.namespace_manager.expand_curie("rdf:type"))
    }
    assert f"{sd}Service" in names
    graph_names = {str(o) for _, p, o in graph if str(p) == f"{sd}name"}
    assert graph_names == set(built_store.graph_sizes())
    page = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and "<form" in page.text


# --- refusals ----------------------------------------------------------------------------------


UPDATE = "INSERT DATA { GRAPH <https://w3id.org/plantrace/id/graph/x> { <urn:a> <urn:b> <urn:c> } }"


@pytest.mark.parametrize(
    "how",
    [
        "update-param-post",
        "update-param-get",
        "sparql-update-body",
        "update-as-query",
        "using-graph",
    ],
)
def test_updates_are_refused_and_change_nothing(client: httpx.Client, how: str) -> None:
    before = triple_count(client)
    if how == "update-param-post":
        r = client.post("/sparql", data={"update": UPDATE})
    elif how == "update-param-get":
        r = client.get("/sparql", params={"update": UPDATE})
    elif how == "sparql-update-body":
        r = client.post("/sparql", content=UPDATE.encode(),
                        headers={"Content-Type": "application/sparql-update"})  # fmt: skip
    elif how == "update-as-query":
        r = client.post("/sparql", data={"query": UPDATE})
    else:
        r = client.post("/sparql", data={"query": "ASK {}", "using-graph-uri": "urn:g"})
    assert r.status_code == 403, r.text
    assert "read-only" in r.text
    assert triple_count(client) == before


@pytest.mark.parametrize(
    "query",
    [
        "CLEAR ALL",
        "DROP SILENT GRAPH <https://w3id.org/plantrace/id/graph/ontology>",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "PREFIX x: <urn:x#> INSERT { ?s x:p 1 } WHERE { ?s ?p ?o }",
    ],
)
def test_every_update_form_is_refused(client: httpx.Client, query: str) -> None:
    before = triple_count(client)
    assert client.get("/sparql", params={"query": query}).status_code == 403
    assert client.post("/sparql", data={"update": query}).status_code == 403
    assert triple_count(client) == before


class Listener:
    """A TCP listener on 127.0.0.1 that records whether anything connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.sock.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ service silent <http://127.0.0.1:{port}/>"
        " {{ ?s ?p ?o }} }} }}",
        "PREFIX r: <http://127.0.0.1:{port}/> SELECT * {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
        "LOAD <http://127.0.0.1:{port}/data.ttl>",
        "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <http://127.0.0.1:{port}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_outbound_requests_are_refused_before_execution(
    client: httpx.Client, template: str
) -> None:
    listener = Listener()
    try:
        query = template.format(port=listener.port)
        for r in (
            client.get("/sparql", params={"query": query}),
            client.post("/sparql", data={"query": query}),
        ):
            assert r.status_code == 403, r.text
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_malformed_query_gets_the_parser_message(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert r.text.startswith("malformed query: error at 1:")  # pyoxigraph's parser message
    r = client.post("/sparql", data={"query": "ASK {} ASK {}"})
    assert r.status_code == 400 and "error at" in r.text


def test_protocol_errors(client: httpx.Client) -> None:
    assert client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400
    r = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = client.post("/sparql", content=b"query=ASK%20%7B%7D")  # no Content-Type
    assert r.status_code == 415
    utf16 = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    r = client.post("/sparql", content="ASK {}".encode("utf-16"), headers=utf16)
    assert r.status_code == 415
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    r = client.get("/sparql", params={"query": "ASK {}", "format": "csv"})
    assert r.status_code == 400 and "format" in r.text
    r = client.put("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 405
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400


# --- limits ------------------------------------------------------------------------------------


def test_row_limit_cuts_and_says_so(client: httpx.Client, built_store: GraphStore) -> None:
    assert len(built_store) > ROW_LIMIT
    query = "SELECT * WHERE { ?s ?p ?o }"
    r = client.get("/sparql", params={"query": query})
    assert r.headers["x-plantrace-truncated"] == "true"
    assert r.headers["x-plantrace-row-limit"] == str(ROW_LIMIT)
    doc = r.json()
    assert doc["truncated"] is True and len(doc["results"]["bindings"]) == ROW_LIMIT
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert r.headers["x-plantrace-truncated"] == "true"
    assert len(r.text.strip().split("\r\n")) == ROW_LIMIT + 1
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.headers["x-plantrace-truncated"] == "true"
    assert r.text.startswith("# truncated")
    assert len(Graph().parse(data=r.text, format="turtle")) == ROW_LIMIT
    small = client.get(
        "/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {ROW_LIMIT}"}
    )
    assert small.headers["x-plantrace-truncated"] == "false" and "truncated" not in small.json()


def test_body_and_query_string_limits(client: httpx.Client) -> None:
    limit = int(LIMITS["PLANTRACE_MAX_BODY"])
    padding = "#" + "x" * limit + "\n"
    r = client.post("/sparql", content=(padding + "ASK {}").encode(),
                    headers={"Content-Type": "application/sparql-query"})  # fmt: skip
    assert r.status_code == 413

    def chunks() -> object:
        yield b"#"
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000
        yield b"\nASK {}"

    r = client.post("/sparql", content=chunks(),  # type: ignore[arg-type]
                    headers={"Content-Type": "application/sparql-query"})  # fmt: skip
    assert r.status_code == 413
    r = client.get("/sparql", params={"query": "ASK {} " + "#" * (limit + 10)})
    assert r.status_code in (413, 414, 431)
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def _workers(client: httpx.Client) -> list[int]:
    return [w["pid"] for w in client.get("/status").json()["workers"]]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_time_limit_stops_the_query_and_others_are_answered(server: Server) -> None:
    before = set(_workers(server.client()))
    restarts = server.client().get("/status").json()["restarts"]

    def runaway() -> httpx.Response:
        with server.client() as c:
            return c.get("/sparql", params={"query": RUNAWAY})

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(runaway)
        time.sleep(0.5)
        quick = []
        with server.client() as c:
            while not future.done():  # meanwhile the server keeps answering
                started = time.monotonic()
                assert c.get("/sparql", params={"query": "ASK { ?s a pt:EvaluationItem }"}).json()[
                    "boolean"
                ]
                assert c.get("/api/items").status_code == 200
                quick.append(time.monotonic() - started)
                time.sleep(0.2)
        r = future.result()
    assert r.status_code == 503
    assert "time limit" in r.text
    assert quick and max(quick) < TIMEOUT
    # The worker that ran it was killed (the work really stopped) and replaced.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = server.client().get("/status").json()
        if (
            len(status["workers"]) == int(LIMITS["PLANTRACE_WORKERS"])
            and status["restarts"] > restarts
        ):
            break
        time.sleep(0.2)
    after = set(_workers(server.client()))
    gone = before - after
    assert len(gone) == 1 and not any(_alive(pid) for pid in gone)
    assert len(after) == int(LIMITS["PLANTRACE_WORKERS"])


def test_store_is_unchanged_after_everything(client: httpx.Client, built_store: GraphStore) -> None:
    assert triple_count(client) == sum(built_store.graph_sizes().values())
    got = client.get("/status").json()
    assert got["graphs"] == built_store.graph_sizes()
    assert (
        json.loads(client.get("/sparql", params={"query": "ASK { <urn:a> ?p ?o }"}).text)["boolean"]
        is False
    )
