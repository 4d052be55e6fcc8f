"""Answers kept until the next build, validators and 304s (api/middleware/response_cache.py):
on the running server for every kind of GET, then the middleware alone for its bounds."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import run_async
from servers import Rebuildable, Server, log_lines, start_rebuildable

from api.middleware.asgi import Message, Receive, Scope, Send, state
from api.middleware.response_cache import MAX_KEYED_BODY, ResponseCache
from api.workers.backend import Generation

CACHED = [
    "/",
    "/items/I-1",
    "/statutes",
    "/validation",
    "/api/items",
    "/api/items/I-1/grade-basis",
    "/sparql?query=ASK%7B%7D",
    "/ontology",
    "/downloads/void.ttl",
    "/downloads/trace.csv",
]


def _request(c: httpx.Client, path: str, **headers: str) -> httpx.Response:
    """GET ``path`` with a fresh request id (to find its log line)."""
    return c.get(path, headers={"X-Request-ID": uuid.uuid4().hex, **headers})


def _cache(server: Server, answer: httpx.Response) -> str:
    (line,) = log_lines(server, answer.headers["x-request-id"])
    return str(line.get("cache"))


@pytest.fixture(scope="module")
def validated(server: Server) -> Server:
    """The shared server once its validation report is ready (pages made before it are not
    kept: they lack the findings)."""
    with server.client(timeout=300) as c:  # (validation takes a while on a busy machine)
        assert c.get("/validation").status_code == 200
    return server


@pytest.mark.parametrize("path", CACHED)
def test_a_repeated_get_is_answered_from_memory_with_validators(
    validated: Server, path: str
) -> None:
    with validated.client() as c:
        first, again = _request(c, path), _request(c, path)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == "no-cache"
    assert parsedate_to_datetime(first.headers["last-modified"]).timestamp() <= time.time()
    assert _cache(validated, again) == "hit"


@pytest.mark.parametrize("path", CACHED)
def test_a_conditional_get_is_answered_304_while_the_data_is_the_same(
    validated: Server, path: str
) -> None:
    with validated.client() as c:
        first = _request(c, path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        unchanged = _request(c, path, **{"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged.headers["etag"] == etag
        assert _cache(validated, unchanged) == "revalidated"
        assert _request(c, path, **{"If-None-Match": f'"x", {etag}'}).status_code == 304
        assert _request(c, path, **{"If-Modified-Since": modified}).status_code == 304
        other = _request(c, path, **{"If-None-Match": 'W/"another"'})
        assert other.status_code == 200 and other.content == first.content
        earlier = formatdate(parsedate_to_datetime(modified).timestamp() - 60, usegmt=True)
        assert _request(c, path, **{"If-Modified-Since": earlier}).status_code == 200
        # If-None-Match decides when both are sent (RFC 9110 §13.2.2)
        both = _request(c, path, **{"If-None-Match": '"x"', "If-Modified-Since": modified})
        assert both.status_code == 200


def test_what_an_answer_depends_on_is_in_its_key(validated: Server) -> None:
    with validated.client() as c:
        ja = _request(c, "/items/I-1")
        en = _request(c, "/items/I-1?lang=en")
        by_cookie = _request(c, "/items/I-1", Cookie="plantrace_lang=en")
        turtle = _request(c, "/ontology", Accept="text/turtle")
        html = _request(c, "/ontology", Accept="text/html")
    assert ja.headers["etag"] != en.headers["etag"] and ja.content != en.content
    assert by_cookie.content == en.content and by_cookie.headers["etag"] != ja.headers["etag"]
    assert turtle.headers["etag"] != html.headers["etag"]
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_an_answer_is_kept_compressed_and_plain(validated: Server) -> None:
    """Compression runs inside the cache: a hit is sent as it was kept, gzip to a client that
    accepts it, plain to one that does not, each under its own validator."""
    with validated.client() as c:
        gzip, plain = ({"Accept-Encoding": e} for e in ("gzip", "identity"))
        zipped, zipped_again = _request(c, "/items/I-1", **gzip), _request(c, "/items/I-1", **gzip)
        whole, whole_again = _request(c, "/items/I-1", **plain), _request(c, "/items/I-1", **plain)
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in whole.headers
    assert _cache(validated, zipped_again) == _cache(validated, whole_again) == "hit"
    assert zipped_again.content == zipped.content == whole.content == whole_again.content
    assert zipped.headers["etag"] != whole.headers["etag"]
    assert "Accept-Encoding" in zipped_again.headers["vary"]


def test_a_posted_query_is_kept_by_its_body(validated: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a pt:EvaluationItem }"
    with validated.client() as c:
        answers = [
            c.post("/sparql", data={"query": q}, headers={"X-Request-ID": uuid.uuid4().hex})
            for q in (query, query, query + " ")
        ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [_cache(validated, a) for a in answers] == ["miss", "hit", "miss"]
    logged = [log_lines(validated, a.headers["x-request-id"])[0] for a in answers[:2]]
    assert logged[0]["query_sha256"] == logged[1]["query_sha256"]  # a hit's line says it too
    assert answers[0].content == answers[1].content == answers[2].content


@pytest.mark.parametrize("path", ["/status", "/healthz", "/readyz", "/static/pages/pages.css"])
def test_answers_about_the_service_are_never_kept(validated: Server, path: str) -> None:
    with validated.client() as c:
        answer = _request(c, path)
    assert answer.status_code == 200
    assert "cache" not in log_lines(validated, answer.headers["x-request-id"])[0]
    assert path.startswith("/static") or "etag" not in answer.headers


# --- a rebuild starts a new generation ---------------------------------------------------------

@pytest.fixture(scope="module")
def rebuildable(
    built_state: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Rebuildable]:
    running = start_rebuildable(built_state, tmp_path_factory.mktemp("cache"), "cache-token")
    yield running
    running.server.stop()


def test_nothing_stale_is_served_after_a_rebuild(rebuildable: Rebuildable) -> None:
    served, bearer = rebuildable.server, rebuildable.bearer
    with served.client() as c:
        before = _request(c, "/api/items")
        assert before.json()["items"] and _cache(served, _request(c, "/api/items")) == "hit"
        assert c.post("/admin/rebuild", headers=bearer).status_code == 202
        deadline = time.monotonic() + 120
        while c.get("/admin/rebuild", headers=bearer).json()["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        done = c.get("/admin/rebuild", headers=bearer).json()
        assert done["state"] == "succeeded", done
        after = _request(c, "/api/items", **{"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.json()["items"] == []
        assert after.headers["etag"] != before.headers["etag"]
        assert _cache(served, after) == "miss"
        assert _cache(served, _request(c, "/api/items")) == "hit"


# --- the middleware alone ------------------------------------------------------------------------


class _App:
    """An ASGI app answering ``/<status>/<size>`` with that status and that many bytes, in
    chunks of 100 (``/sparql``: 200, 10 bytes); ``/no-store/…`` marks the answer as not to be
    kept."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        parts = scope["path"].strip("/").split("/")
        if parts == ["sparql"]:
            parts = ["200", "10"]
        if parts[0] == "no-store":
            state(scope)["no_store"] = True
            parts = parts[1:]
        while (await receive()).get("more_body"):
            pass
        body = b"x" * int(parts[1])
        await send({"type": "http.response.start", "status": int(parts[0]), "headers": []})
        for at in range(0, len(body), 100):
            chunk = body[at : at + 100]
            await send({"type": "http.response.body", "body": chunk,
                        "more_body": at + 100 < len(body)})  # fmt: skip
        if not body:
            await send({"type": "http.response.body", "body": b""})


def _call(cache: ResponseCache, path: str, method: str = "GET", body: bytes = b"") -> Any:
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path, "headers": []}
    chunks = [body[at : at + 1000] for at in range(0, len(body), 1000)] or [b""]
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                for i, c in enumerate(chunks)]  # fmt: skip
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    run_async(cache(scope, receive, send))
    status = sent[0]["status"]
    headers = dict(sent[0]["headers"])
    return status, headers, b"".join(m.get("body", b"") for m in sent[1:]), scope.get("state", {})


def _cache_of(app: _App, max_bytes: int, generation: list[str]) -> ResponseCache:
    async def current() -> Generation | None:
        return Generation(generation[0], 1.0) if generation[0] else None

    return ResponseCache(app, current, max_bytes, started=2.0, language_cookie="lang")


def test_bounded_in_bytes_least_recently_used_out_first() -> None:
    app = _App()
    cache = _cache_of(app, 8000, ["g1"])
    for path in ("/200/900", "/200/900", "/200/1001", "/200/1001"):  # 1001 > 8000 / 8: not kept
        _call(cache, path)
    assert app.calls == 3
    for n in range(9):  # nine answers of 900 bytes in 8000: the first one goes
        _call(cache, f"/200/{900 + n}")
    assert cache.size <= 8000
    calls = app.calls
    _call(cache, "/200/901")  # kept
    _call(cache, "/200/900")  # the least recently used: gone
    assert app.calls == calls + 1


def test_only_whole_200_answers_of_the_same_generation_are_served() -> None:
    app = _App()
    generation = ["g1"]
    cache = _cache_of(app, 80_000, generation)
    for path in ("/404/10", "/404/10", "/no-store/200/10", "/no-store/200/10"):
        status, headers, body, _ = _call(cache, path)
        assert b"etag" not in headers and len(body) == 10
    assert app.calls == 4
    _, first, _, _ = _call(cache, "/200/250")
    status, again, body, seen = _call(cache, "/200/250", method="HEAD")
    assert (status, body, seen["cache"], app.calls) == (200, b"", "hit", 5)
    assert again[b"etag"] == first[b"etag"]
    generation[0] = "g2"  # a rebuild
    _, moved, body, seen = _call(cache, "/200/250")
    assert seen["cache"] == "miss" and len(body) == 250 and moved[b"etag"] != first[b"etag"]
    generation[0] = ""  # no generation (a remote store): nothing kept, no validators
    _, bare, _, seen = _call(cache, "/200/250")
    assert b"etag" not in bare and "cache" not in seen and cache.size == 250


def test_a_large_posted_body_passes_through_whole() -> None:
    app = _App()
    cache = _cache_of(app, 80_000, ["g1"])
    big = b"q" * (MAX_KEYED_BODY + 5000)
    for _ in range(2):
        status, _, body, seen = _call(cache, "/sparql", method="POST", body=big)
        assert (status, len(body), seen.get("cache")) == (200, 10, None)
    small = [_call(cache, "/sparql", method="POST", body=b"query=ASK{}")[3] for _ in range(2)]
    assert app.calls == 3 and [s["cache"] for s in small] == ["miss", "hit"]
    assert _call(cache, "/200/10", method="POST")[3].get("cache") is None  # other POSTs
