"""Security headers on every response of every route (api/middleware/security.py)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from servers import Server

from api.main import create_app
from kg.config import load_settings

SAMPLES = {"code": "I-1", "year": "2021", "path": "425AC0000000027/art38-8"}
"""A value for each path parameter (``/id/{path}`` gets an IRI path of its own below)."""

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "x-frame-options": "DENY",
}


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """The routes of the application, those of its included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI's wrapper of an included router
            yield from api_routes(route.original_router.routes)


def routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the application, its parameters filled in."""
    out = []
    for route in api_routes(create_app(load_settings({"PLANTRACE_ADMIN_TOKEN": "t"})).routes):
        path = route.path.replace("{path:path}", "{path}")
        if path.startswith("/id/"):
            path = "/id/jlis/item/I-1"
        path = re.sub(r"\{(\w+)\}", lambda m: SAMPLES[m.group(1)], path)
        out += [(method, path) for method in sorted(route.methods) if method != "HEAD"]
    return [*out, ("GET", "/static/pages/pages.css"), ("GET", "/no/such/page")]


def check(answer: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert answer.headers.get(name) == value, (answer.request.url, name)
    policy = answer.headers["content-security-policy"]
    scripts = re.search(r"script-src ([^;]+)", policy)
    assert scripts is not None and "unsafe-inline" not in scripts[1]
    assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
    assert "permissions-policy" in answer.headers
    assert "strict-transport-security" not in answer.headers  # not told it is served over HTTPS


@pytest.mark.parametrize(("method", "path"), routes(), ids=lambda x: x)
def test_every_route_carries_the_headers(server: Server, method: str, path: str) -> None:
    with server.client() as c:
        answer = c.request(method, path, data={"query": "ASK {}"} if method == "POST" else None)
    check(answer)


def test_swagger_ui_s_one_inline_script_is_allowed_by_its_hash(server: Server) -> None:
    with server.client() as c:
        page = c.get("/docs")
    (script,) = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]
    check(page)


def test_https_and_framing_settings() -> None:
    from api.middleware.security import SecurityHeaders

    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not called")

    framed = SecurityHeaders(app, "https://www.example.lg.jp", https=True)  # type: ignore[arg-type]
    headers = dict(framed.headers)
    assert headers[b"strict-transport-security"].startswith(b"max-age=")
    assert b"x-frame-options" not in headers
    assert b"frame-ancestors https://www.example.lg.jp" in headers[b"content-security-policy"]
