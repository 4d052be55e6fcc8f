"""A fair share of the service between clients (api/middleware/fair_share.py): per-client
limits on requests per minute, and on concurrent and per-minute queries, 429 with Retry-After
beyond them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import run_async
from servers import Server, clean_env, serve, start_plantrace

from api.middleware.fair_share import FairShare

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def slow_app(seconds: float) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(seconds)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def ask(app: Any, requests: list[tuple[str, str]]) -> list[httpx.Response]:
    """Send ``(client address, path)`` requests to ``app`` all at once."""

    async def scenario() -> list[httpx.Response]:
        async def one(client: str, path: str) -> httpx.Response:
            transport = httpx.ASGITransport(app=app, client=(client, 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                return await c.get(path)

        return list(await asyncio.gather(*(one(c, p) for c, p in requests)))

    return run_async(scenario())


def test_one_client_s_queries_beyond_its_share_are_refused_others_are_not() -> None:
    app = FairShare(slow_app(0.3), concurrency=1, per_minute=0, hold=0)
    answers = ask(app, [("10.0.0.1", "/sparql"), ("10.0.0.1", "/api/items"),
                        ("10.0.0.2", "/sparql"), ("10.0.0.1", "/")])  # fmt: skip
    assert [a.status_code for a in answers] == [200, 429, 200, 200]  # pages are not limited
    refused = answers[1]
    assert refused.headers["retry-after"] == "1" and "at most 1" in refused.json()["detail"]
    assert app.running == {}  # nothing left counted once answered


def test_a_client_s_rate_per_minute() -> None:
    app = FairShare(slow_app(0), concurrency=0, per_minute=3, hold=0)
    answers = ask(app, [("10.0.0.1", "/sparql")] * 4 + [("10.0.0.2", "/sparql")])
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 200]
    assert answers[3].headers["content-type"].startswith("text/plain")
    assert int(answers[3].headers["retry-after"]) == 20  # one query every 60 / 3 s
    assert "3 a minute" in answers[3].text


def test_every_request_counts_toward_a_client_s_request_rate_but_the_probes() -> None:
    """Pages, static files and cached answers are requests too: past the request rate they get
    429 before any work; the orchestrator's probes are never refused."""
    app = FairShare(slow_app(0), concurrency=0, per_minute=0, requests_per_minute=2, hold=0)
    answers = ask(app, [("10.0.0.1", "/"), ("10.0.0.1", "/static/app.css"),
                        ("10.0.0.1", "/items/I-1"), ("10.0.0.1", "/healthz"),
                        ("10.0.0.1", "/readyz"), ("10.0.0.2", "/")])  # fmt: skip
    assert [a.status_code for a in answers] == [200, 200, 429, 200, 200, 200]
    assert int(answers[2].headers["retry-after"]) == 30
    assert "at most 2 a minute" in answers[2].text and "requests" in answers[2].text


def test_a_query_counts_toward_both_rates() -> None:
    app = FairShare(slow_app(0), concurrency=0, per_minute=1, requests_per_minute=3, hold=0)
    answers = ask(app, [("10.0.0.1", "/api/items"), ("10.0.0.1", "/api/items"),
                        ("10.0.0.1", "/"), ("10.0.0.1", "/")])  # fmt: skip
    assert [a.status_code for a in answers] == [200, 429, 200, 429]
    assert "queries" in answers[1].json()["detail"] and "requests" in answers[3].text


def test_a_refusal_is_held_before_it_is_sent() -> None:
    """A client retrying at once after a 429 is slowed down: the refusal waits ``hold``."""
    app = FairShare(slow_app(0), concurrency=0, per_minute=1, hold=0.4)

    async def timed(path: str) -> tuple[int, float]:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            started = time.monotonic()
            answer = await c.get(path)
            return answer.status_code, time.monotonic() - started

    (ok, quick), (refused, held) = [run_async(timed("/sparql")) for _ in range(2)]
    assert (ok, refused) == (200, 429)
    assert quick < 0.4 <= held and app.held == 0


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, built_state: Path) -> Iterator[Server]:
    """A server with the default share (2 workers: one query at a time per client)."""
    env = clean_env(PLANTRACE_CLIENT_CONCURRENCY="", PLANTRACE_CLIENT_RATE="",
                    PLANTRACE_CLIENT_REQUESTS="")
    log = tmp_path_factory.mktemp("fair") / "serve.log"
    running = start_plantrace(serve("--state-dir", str(built_state)), env, log)
    yield running
    running.stop()


def test_a_flooding_client_leaves_a_worker_to_the_others(shared: Server) -> None:
    """Client A (named by the proxy's X-Forwarded-For) runs a query that takes the whole time
    limit; its next query is refused at once, and client B is answered meanwhile."""

    def get(client: str, query: str) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        with shared.client(headers={"X-Forwarded-For": client}) as c:
            answer = c.get("/sparql", params={"query": query})
        return answer, time.monotonic() - started

    with ThreadPoolExecutor(1) as pool:
        runaway = pool.submit(get, "10.0.0.1", RUNAWAY)
        time.sleep(0.5)
        refused, _ = get("10.0.0.1", "ASK {}")
        answered, _ = get("10.0.0.2", "ASK {}")
        held = not runaway.done()  # B was answered while A's runaway still held its worker
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        assert answered.status_code == 200 and held
        assert runaway.result()[0].status_code == 503  # stopped at the time limit
