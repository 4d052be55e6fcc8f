"""Hostile requests and hostile data: every one is refused or neutralised with a 4xx and a
message, never a 5xx, and nothing outside the dataset is read or shown.

The query-text checks of ``/sparql`` (updates, ``SERVICE``, ``LOAD``, ``FROM``) are in
``test_guard.py`` and ``test_sparql.py``; this module adds what reaches the server from the
wire: raw request paths that a client library would normalise, malformed UTF-8, oversize and
deeply nested input, CORS, and a served dataset whose text, IRIs and file names are markup or
paths out of the sources folder.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_async
from servers import ESCAPED_SERVICE, LIMITS, Server, clean_env, serve, start_plantrace

from api.workers.engine_jobs import SparqlRequest, sparql
from api.workers.guard import MAX_DEPTH
from api.workers.pool import WorkerPool
from api.workers.worker import WorkerSpec

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LIMIT = int(LIMITS["PLANTRACE_MAX_BODY"])
PASSWD = Path("/etc/passwd")
DIRECT = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"


def raw(server: Server, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, bytes]:  # fmt: skip
    """Send ``path`` exactly as given (httpx would resolve ``..`` and re-encode)."""
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _no_secrets(body: bytes) -> None:
    assert b"root:" not in body and b"/bin/" not in body


# --- paths -------------------------------------------------------------------------------------

TRAVERSALS = [
    "/id/../../etc/passwd",
    "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/id/..%2f..%2f..%2fetc%2fpasswd",
    "/id/jlis/item/I-1/../../../../../../etc/passwd",
    "/id/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd",  # overlong UTF-8 dots
    "/id//etc/passwd",
    "/id/%00/etc/passwd",
    "/downloads/../../../etc/passwd",
    "/downloads/..%2f..%2f..%2fetc%2fpasswd",
    "/downloads/plantrace.trig/../../../etc/passwd",
    "/static/swagger/../../../../../../etc/passwd",
    "/static/swagger/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/swagger/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/swagger/..%5c..%5c..%5c..%5cetc%5cpasswd",
    "//etc/passwd",
    "/api/items/..%2f..%2f..%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_reads_nothing_outside(server: Server, path: str) -> None:
    for accept in (BROWSER, "text/turtle"):
        status, body = raw(server, "GET", path, headers={"Accept": accept})
        assert 400 <= status < 500, (path, status)
        _no_secrets(body)


# --- malformed UTF-8, oversize, nesting --------------------------------------------------------


def test_malformed_utf8_in_query_strings_and_bodies(server: Server) -> None:
    cases = [
        ("GET", "/sparql?query=%FF%FE%C0%AF", None, {}),
        ("GET", "/api/search?q=%FF%FE", None, {}),
        ("GET", "/api/items/%FF%FE", None, {}),
        ("GET", "/api/impact?iri=%FF", None, {}),
        ("GET", "/id/%FF%FE?format=%FF", None, {"Accept": BROWSER}),
        ("GET", "/id/jlis/item/I-1?format=%FF", None, {}),
        ("POST", "/sparql", b"query=%FF%FE", {"Content-Type": FORM}),
        ("POST", "/sparql", b"query=\xff\xfe", {"Content-Type": FORM}),
        ("POST", "/sparql", b"\xff\xfeASK {}", {"Content-Type": DIRECT}),
        ("POST", "/sparql", b"ASK {}", {"Content-Type": "application/sparql-query; charset=\xff"}),
    ]
    for method, path, body, headers in cases:
        status, text = raw(server, method, path, body, headers)
        assert status < 500, (path, body, status, text)
        assert status == 200 or text.strip(), (path, "a refusal says why")
    # Undecodable bytes become U+FFFD: a search for them simply finds nothing.
    status, text = raw(server, "GET", "/api/search?q=%FF%FE")
    assert status == 200 and b'"total":0' in text


def test_long_inputs_are_refused_by_size(server: Server) -> None:
    # A request line past 64 KiB is refused by the HTTP parser (httptools: 400 "Invalid HTTP
    # request received."); shorter ones reach the routes' own limits.
    for path in ("/id/", "/api/search?q="):
        status, text = raw(server, "GET", path + "a" * 100_000)
        assert status in (400, 414, 431) and text, (path, status)
    assert raw(server, "GET", "/id/" + "a" * 60_000)[0] in (404, 414)
    assert raw(server, "GET", "/api/search?q=" + "a" * 60_000)[0] in (414, 422)
    assert raw(server, "GET", "/api/items/" + "I" * 10_000)[0] in (404, 422)
    assert raw(server, "GET", "/api/impact?iri=" + "x" * 10_000)[0] in (414, 422)
    # A huge header block: uvicorn (h11) refuses it ("Invalid HTTP request") and closes the
    # connection, which the client may see as a reset while still sending; never a 5xx.
    try:
        status = raw(server, "GET", "/status", headers={"X-Padding": "a" * 200_000})[0]
    except ConnectionError:
        status = 400
    assert status in (200, 400, 431)
    assert raw(server, "GET", "/status")[0] == 200
    big = b"x" * (LIMIT * 4)
    for path in ("/sparql", "/api/items", "/id/jlis/item/I-1", "/status"):
        status, text = raw(server, "POST", path, big, {"Content-Type": "application/json"})
        assert status in (405, 413), (path, status, text)


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def test_deeply_nested_queries_are_malformed(server: Server) -> None:
    with server.client() as c:
        ok = c.post("/sparql", content=_nested(20), headers={"Content-Type": DIRECT})
        assert ok.status_code == 200
        for query in (
            _nested(MAX_DEPTH + 1),
            _nested(2000),
            "ASK { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
            "ASK { ?s " + "(" * 3000 + "<urn:p>" + ")" * 3000 + " ?o }",
        ):
            r = c.post("/sparql", content=query, headers={"Content-Type": DIRECT})
            assert r.status_code == 400, r.text
            assert "nest" in r.text


LONG_CHAINS = {
    # ~10-80 KB, no brackets to count: before the worker's big stack each killed its worker
    # (pyoxigraph overflows the default 8 MiB stack, the process dies: a 503, not an answer).
    "negations": "ASK { FILTER(" + "!" * 20_000 + "true) }",
    "conjunction": "ASK { FILTER(" + " && ".join(["true"] * 12_000) + ") }",
}


def test_long_chains_are_answered_not_crashed(built_state: Path) -> None:
    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(built_state), 1)
        await pool.start()
        try:
            for name, query in LONG_CHAINS.items():
                job = SparqlRequest(query, (), (), None, "json", "http://127.0.0.1/sparql", 10)
                answer = await pool.run(sparql, 30, job)
                assert b'"boolean": true' in answer.body, name
            assert pool.restarts == 0
        finally:
            await pool.close()

    run_async(scenario())


def test_escaped_service_reaches_nothing(server: Server) -> None:
    """``SERVICE`` spelled with SPARQL ``\\u`` escapes, which the keyword scan does not expand:
    refused or malformed, and nothing connects to the named endpoint."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        with server.client() as c:
            for template in ESCAPED_SERVICE:
                query = template.replace("{port}", str(port))
                for r in (c.get("/sparql", params={"query": query}),
                          c.post("/sparql", content=query, headers={"Content-Type": DIRECT})):
                    assert r.status_code in (400, 403), r.text  # fmt: skip
        time.sleep(0.3)
        with pytest.raises(BlockingIOError):
            listener.accept()


# --- CORS --------------------------------------------------------------------------------------


def test_cors_allows_reading_only(server: Server) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    with server.client() as c:
        r = c.get("/api/items", headers=origin)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in r.headers
        assert "x-plantrace-truncated" in r.headers.get("access-control-expose-headers", "").lower()
        ok = c.options("/sparql", headers={**origin, "Access-Control-Request-Method": "GET"})
        assert ok.status_code == 200 and "GET" in ok.headers["access-control-allow-methods"]
        for path in ("/sparql", "/api/items", "/admin/rebuild"):
            for method in ("POST", "PUT", "DELETE"):
                r = c.options(path, headers={**origin, "Access-Control-Request-Method": method})
                assert r.status_code == 400, (path, method)
                assert method not in r.headers.get("access-control-allow-methods", "")
                assert "Disallowed CORS method" in r.text


# --- a dataset of markup and paths -------------------------------------------------------------

T = "https://w3id.org/plantrace/id/t/"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
QUOTED = ['<script>alert("quoted")</script>', '<b onmouseover="alert(2)">太字</b> & "', "三行目"]
ODD_IRI = T + "x'onmouseover='alert(3)"
"""An IRI may hold quotes and parentheses (not ``<>"``): it ends up inside attributes."""


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_dataset(folder: Path) -> Path:
    """A TriG file of markup and paths, and a sources folder with one quoted file."""
    quote = "\n".join(QUOTED) + "\n"
    (folder / "sources").mkdir()
    (folder / "sources" / "quote.txt").write_text(quote, encoding="utf-8")
    digest = hashlib.sha256(quote.encode()).hexdigest()
    docs = {"doc": ("quote.txt", digest), "up": ("../../../../../../etc/passwd", None),
            "abs": (str(PASSWD), None), "dots": ("..", None)}  # fmt: skip
    lines = []
    for name, (file, sha) in docs.items():
        hashed = f" ; pt:sha256 {_lit(sha)} ." if sha else " ."
        lines.append(f"<{T}{name}> a pt:SourceDocument ; dcterms:title {_lit(MARKUP)}@ja ;"
                     f" pt:fileName {_lit(file)}{hashed}")  # fmt: skip
        lines.append(f"<{T}{name}/L1-L3> a pt:Span ; pt:document <{T}{name}> ;"
                     " pt:lineStart 1 ; pt:lineEnd 3 .")  # fmt: skip
    spans = ", ".join(f"<{T}{name}/L1-L3>" for name in docs)
    lines.append(
        f"<{T}node> rdfs:label {_lit(MARKUP)}@ja ; pt:text {_lit(MARKUP)} ;"
        f" rdfs:seeAlso <javascript:alert(4)>, <data:text/html;base64,PHNjcmlwdD4=>,"
        f" <{ODD_IRI}> ; prov:wasDerivedFrom {spans} ."
    )
    lines.append(f"<{ODD_IRI}> rdfs:label {_lit(MARKUP)} .")
    out = folder / "hostile.trig"
    out.write_text(
        "@prefix pt: <https://w3id.org/plantrace/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        f"<{T}graph> {{\n" + "\n".join(lines) + "\n}\n",
        encoding="utf-8",
    )
    return out


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hostile")
    dataset = hostile_dataset(folder)
    env = clean_env(PLANTRACE_SOURCES=str(folder / "sources"))
    running = start_plantrace(serve("--dataset", str(dataset)), env, folder / "serve.log")
    yield running
    running.stop()


def test_pages_escape_markup_and_link_nothing_active(hostile_server: Server) -> None:
    for iri in (f"{T}node", ODD_IRI, f"{T}doc", f"{T}doc/L1-L3", f"{T}up/L1-L3"):
        with hostile_server.client() as c:
            page = c.get("/id/" + iri[len("https://w3id.org/plantrace/id/") :],
                         headers={"Accept": BROWSER})  # fmt: skip
        assert page.status_code == 200, iri
        html = page.text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<b onmouseover" not in html and "onmouseover='" not in html
        # no link or source runs a script ("data:," is the page's own empty icon)
        assert not re.search(r'(href|src)="\s*(javascript:|data:(?!,"))', html, re.I), iri
        _no_secrets(page.content)
    with hostile_server.client() as c:
        node = c.get("/id/t/node", headers={"Accept": BROWSER}).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in node
    # The quoted source lines are shown, escaped; files outside the sources folder are not.
    assert "&lt;script&gt;alert(&#34;quoted&#34;)&lt;/script&gt;" in node
    assert "&lt;b onmouseover=&#34;alert(2)&#34;&gt;太字&lt;/b&gt; &amp; &#34;" in node
    assert node.count("the source file is not available here") == 3
    # A link to a foreign scheme becomes a DESCRIBE at the endpoint, which answers it.
    assert "/sparql?query=DESCRIBE%20%3Cjavascript%3Aalert%284%29%3E" in node


def test_missing_page_escapes_the_requested_iri(hostile_server: Server) -> None:
    status, body = raw(hostile_server, "GET", "/id/%3Cscript%3Ealert(5)%3C/script%3E%22%27",
                       headers={"Accept": BROWSER})  # fmt: skip
    assert status == 404
    assert b"<script>alert" not in body
