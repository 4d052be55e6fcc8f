"""One log line per request and a request id on every answer (api/middleware/request_log.py)."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import httpx
import pytest
from conftest import run_async
from servers import Server, log_lines

from api.middleware.request_log import RequestLog

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_sparql_request_is_logged_with_its_query_s_hash_and_form(server: Server) -> None:
    query = "SELECT ?s WHERE { ?s a pt:EvaluationItem } LIMIT 3"
    with server.client() as c:
        answer = c.get("/sparql", params={"query": query}, headers={"X-Request-ID": "log-test-1"})
    assert answer.headers["x-request-id"] == "log-test-1"
    (line,) = log_lines(server, "log-test-1")
    assert line["method"] == "GET" and line["path"] == "/sparql" and line["status"] == 200
    assert line["query_sha256"] == hashlib.sha256(query.encode()).hexdigest()[:16]
    assert line["query_form"] == "select" and line["bytes"] == len(answer.content)
    assert line["client"] == "127.0.0.1" and line["ms"] >= 0 and "time" in line
    assert query not in json.dumps(line)  # the text itself is not logged


def test_a_time_limit_is_logged(server: Server) -> None:
    with server.client() as c:
        answer = c.get("/sparql", params={"query": RUNAWAY}, headers={"X-Request-ID": "slow-1"})
    assert answer.status_code == 503
    (line,) = log_lines(server, "slow-1")
    assert line["status"] == 503 and line["time_limit"] is True and "query_form" not in line


def test_a_request_id_is_made_when_none_or_a_bad_one_is_sent(server: Server) -> None:
    with server.client() as c:
        made = c.get("/healthz").headers["x-request-id"]
        bad = c.get("/healthz", headers={"X-Request-ID": "a b" * 60}).headers["x-request-id"]
    assert len(made) == 32 and len(bad) == 32 and made != bad
    assert log_lines(server, made)[0]["path"] == "/healthz"


def test_the_plain_format(caplog: pytest.LogCaptureFixture) -> None:
    async def hello(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def scenario() -> httpx.Response:
        transport = httpx.ASGITransport(app=RequestLog(hello, "plain"))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await c.get("/x", headers={"X-Request-ID": "plain-1"})

    with caplog.at_level(logging.INFO, logger="plantrace.access"):
        answer = run_async(scenario())
    assert answer.headers["x-request-id"] == "plain-1"
    (record,) = [r for r in caplog.records if r.name == "plantrace.access"]
    assert '"GET /x" 204 0' in record.getMessage() and "id=plain-1" in record.getMessage()
    assert not record.getMessage().startswith("{")
