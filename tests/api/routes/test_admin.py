"""``/admin/rebuild``: off without ``PLANTRACE_ADMIN_TOKEN``, 401 without the right bearer token,
and with it a rebuild from the sources that the workers then serve — or, when the build fails,
the old store still served and the build's one-line error reported."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import Rebuildable, Server, start_rebuildable

from kg.store import STORE_LINK

TOKEN = "s3cret-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def admin(built_state: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rebuildable]:
    """A server with the token, on a copy of the built store, whose sources are three small
    documents no registered parser reads (so a rebuild is quick and visibly different)."""
    running = start_rebuildable(built_state, tmp_path_factory.mktemp("admin"), TOKEN)
    yield running
    running.server.stop()


def test_off_by_default(server: Server) -> None:
    with server.client() as c:
        for headers in ({}, BEARER):
            assert c.post("/admin/rebuild", headers=headers).status_code == 404
            assert c.get("/admin/rebuild", headers=headers).status_code == 404
        assert "/admin" not in json.dumps(c.get("/openapi.json").json()["paths"])


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", f"Bearer  {TOKEN}x", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}",
     f"Basic {TOKEN}", f"Token {TOKEN}", TOKEN, f"Bearer {TOKEN.upper()}", "Bearer \u00e9"],
)  # fmt: skip
def test_wrong_or_missing_token_is_401(admin: Rebuildable, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization.encode("latin-1")}
    with admin.server.client() as c:
        for method in ("POST", "GET"):
            r = c.request(method, "/admin/rebuild", headers=headers)
            assert r.status_code == 401, (method, authorization)
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert "PLANTRACE_ADMIN_TOKEN" in r.json()["detail"]
            assert TOKEN not in r.text
    assert os.readlink(admin.state / STORE_LINK)  # nothing was started


def test_cross_site_pages_cannot_drive_it(admin: Rebuildable) -> None:
    preflight = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization"}  # fmt: skip
    with admin.server.client() as c:
        assert c.options("/admin/rebuild", headers=preflight).status_code == 400
        big = c.post("/admin/rebuild", headers=BEARER, content=b"x" * 20_000)
        assert big.status_code == 413


def _finished(c: httpx.Client) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status: dict[str, Any] = c.get("/admin/rebuild", headers=BEARER).json()
        if status["state"] != "running":
            return status
        time.sleep(0.2)
    raise AssertionError("the rebuild did not finish in 120 s")


def _items(c: httpx.Client) -> int:
    got = c.get("/api/items").json()
    assert "items" in got, got
    return len(got["items"])


def test_rebuild_failing_then_succeeding(admin: Rebuildable) -> None:
    link = admin.state / STORE_LINK
    before = os.readlink(link)
    with admin.server.client() as c:
        assert c.get("/admin/rebuild", headers=BEARER).json()["state"] == "idle"
        served = _items(c)
        assert served > 0
        # A source that no longer matches its manifest hash: the build fails, nothing changes.
        victim = next(admin.sources.glob("000_*.txt"))
        good = victim.read_bytes()
        victim.write_bytes(good + b"tampered\n")
        started = c.post("/admin/rebuild", headers=BEARER)
        assert started.status_code == 202 and started.json()["state"] == "running"
        failed = _finished(c)
        assert failed["state"] == "failed"
        assert "expected SHA-256" in failed["message"] and "\n" not in failed["message"]
        assert "previous store is still served" in failed["message"]
        assert os.readlink(link) == before and _items(c) == served
        # Put it right: the rebuild succeeds, and every worker serves the new store.
        victim.write_bytes(good)
        assert c.post("/admin/rebuild", headers=BEARER).status_code == 202
        again = c.post("/admin/rebuild", headers=BEARER)
        assert again.status_code in (202, 409)  # 409 while the first one runs
        done = _finished(c)
        assert done["state"] == "succeeded", done
        assert os.readlink(link) != before
        new_store = str(link.resolve())
        assert done["store"] == new_store
        assert _items(c) == 0  # the new sources hold no items
        deadline = time.monotonic() + 30
        while {w["store"] for w in c.get("/status").json()["workers"]} != {new_store}:
            assert time.monotonic() < deadline, c.get("/status").json()["workers"]
            time.sleep(0.2)


def test_the_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison is ``hmac.compare_digest`` (timing cannot be measured reliably in a test,
    so the test checks that every check goes through it)."""
    import hmac

    from fastapi import FastAPI, HTTPException
    from starlette.requests import Request

    from api.routes import admin as admin_routes
    from kg.config import load_settings

    app = FastAPI()
    app.state.settings = load_settings({"PLANTRACE_ADMIN_TOKEN": TOKEN})
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(admin_routes.hmac, "compare_digest", spy)
    for value, ok in ((f"Bearer {TOKEN}", True), (f"Bearer {TOKEN}!", False), ("", False)):
        headers = [(b"authorization", value.encode())] if value else []
        request = Request({"type": "http", "app": app, "headers": headers})
        if ok:
            admin_routes.authorize(request)
        else:
            with pytest.raises(HTTPException) as refused:
                admin_routes.authorize(request)
            assert refused.value.status_code == 401
    assert len(compared) == 3 and compared[0] == (TOKEN.encode(), TOKEN.encode())
