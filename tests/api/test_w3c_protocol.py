"""The W3C SPARQL 1.1 Protocol test suite, every test, against ``plantrace serve --dataset``.

The manifest (``../shared/w3c-sparql11-protocol/manifest.ttl``) describes each test as HTTP
requests with expected status classes, result formats and booleans. The server serves a dataset
holding ``data1.nt`` … ``data3.nt`` as the named graphs the manifest names.

* Query tests and negative tests must give exactly what the manifest expects.
* Update tests expect a store that accepts updates; this endpoint is read-only, so each update
  request must get the refusal (403) and nothing may change: the manifest's follow-up queries,
  which would see the update's effect, must answer as they did before the update was sent.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import httpx
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.term import Node
from servers import W3C, Server

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

TABULAR = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
BOOLEAN = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # expected status classes: 2, 3, 4
    format: str | None
    boolean: bool | None

    @property
    def is_update(self) -> bool:
        ctype = self.headers.get("content-type", "")
        text = (self.body or b"").decode("utf-8", "replace") + self.path
        return ctype.startswith("application/sparql-update") or any(
            p in text for p in ("update=", "using-graph-uri=", "using-named-graph-uri=")
        )


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[Request] = field(default_factory=list)

    @property
    def is_update_test(self) -> bool:
        """A test of an update the manifest expects to succeed (2xx)."""
        return any(r.is_update and 2 in r.statuses for r in self.requests)


def _items(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def load_tests() -> list[ProtocolTest]:
    graph = Graph().parse(W3C / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in _items(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        test = ProtocolTest(str(entry).rsplit("#", 1)[-1], str(graph.value(entry, MF.name)))
        for req in _items(graph, graph.value(action, HT.requests)):
            headers = {
                str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
                for h in _items(graph, graph.value(req, HT.headers))
            }
            body_node = graph.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            resp = graph.value(req, HT.resp)
            statuses = {int(str(s)[len(HTS)]) for s in graph.objects(resp, MF.expectedStatus)}
            fmt = graph.value(resp, MF.expectedFormat)
            boolean = graph.value(resp, MF.expectedBoolean)
            test.requests.append(
                Request(
                    method=str(graph.value(req, HT.methodName)),
                    path=str(graph.value(req, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                    headers=headers,
                    body=body,
                    statuses=statuses,
                    format=str(fmt) if fmt is not None else None,
                    boolean=bool(boolean.toPython()) if boolean is not None else None,  # type: ignore[attr-defined]
                )
            )
        tests.append(test)
    return tests


TESTS = load_tests() if (W3C / "manifest.ttl").is_file() else []


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


def boolean_of(response: httpx.Response) -> bool:
    if media(response) == "application/sparql-results+xml":
        node = ET.fromstring(response.content).find(
            "{http://www.w3.org/2005/sparql-results#}boolean"
        )
        assert node is not None
        return node.text == "true"
    value: bool = json.loads(response.content)["boolean"]
    return value


def send(client: httpx.Client, request: Request) -> httpx.Response:
    return client.request(
        request.method, request.path, headers=request.headers, content=request.body
    )


def check(request: Request, response: httpx.Response) -> None:
    """The response is what the manifest expects of this request."""
    assert response.status_code // 100 in request.statuses, (response.status_code, response.text)
    if request.format == "boolean":
        assert media(response) in BOOLEAN
    elif request.format == "tabular":
        assert media(response) in TABULAR
    elif request.format == "RDF":
        assert media(response) in RDF
        Graph().parse(
            data=response.content, format="turtle" if media(response) == "text/turtle" else None
        )
    if request.boolean is not None:
        assert boolean_of(response) is request.boolean


@pytest.fixture(scope="module")
def client(dataset_server: Server) -> httpx.Client:
    return dataset_server.client()


def test_the_manifest_is_there() -> None:
    if not W3C.is_dir():
        pytest.skip(f"the W3C protocol tests are not at {W3C} (shared/ beside the repository)")
    assert len(TESTS) == 34


@pytest.mark.skipif(not TESTS, reason=f"the W3C protocol tests are not at {W3C}")
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(client: httpx.Client, test: ProtocolTest) -> None:
    if not test.is_update_test:
        for request in test.requests:
            check(request, send(client, request))
        return
    # An update test: the update is refused, the follow-up queries see no change.
    queries = [r for r in test.requests if not r.is_update]
    before = [send(client, r) for r in queries]
    size = quads(client)
    for request in test.requests:
        response = send(client, request)
        if request.is_update:
            assert response.status_code == 403, response.text
            assert "read-only" in response.text
        else:
            earlier = before[queries.index(request)]
            assert response.status_code == earlier.status_code == 200
            assert boolean_of(response) == boolean_of(earlier)
    assert quads(client) == size


def quads(client: httpx.Client) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])
