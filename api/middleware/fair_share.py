"""A fair share of the query workers between clients: per-client limits on ``/sparql`` and the
JSON API.

A few query workers answer everyone, so one client sending many slow queries at once (or very
many quick ones) would keep the others waiting. Each client — the address the request comes
from, or the one a trusted proxy names in ``X-Forwarded-For`` (``PLANTRACE_TRUSTED_PROXIES``,
applied by uvicorn before this runs) — may have at most ``PLANTRACE_CLIENT_CONCURRENCY`` queries
running at once (by default one less than the workers, so a worker is always left for the
others) and send ``PLANTRACE_CLIENT_RATE`` per minute (a token bucket: that many at once, then
one every ``60 / rate`` seconds). Past either, the request gets 429 with ``Retry-After`` and a
message, before it takes a worker or a place in the queue. The pages, ``/status``, ``/healthz``
and ``/readyz`` are not limited.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from api.middleware.asgi import ASGIApp, Receive, Scope, Send, state
from api.views.links import route_path

LIMITED = ("/sparql", "/api/")
"""The paths whose requests run a client's queries."""
FORGET_AFTER = 120.0
"""Seconds after which an idle client's bucket is full again and is forgotten."""


@dataclass
class _Bucket:
    tokens: float
    checked: float


class FairShare:
    """Refuse a client's query beyond its concurrency or rate (0: no such limit)."""

    def __init__(self, app: ASGIApp, concurrency: int, per_minute: int) -> None:
        self.app = app
        self.concurrency = concurrency
        self.per_minute = per_minute
        self.running: dict[str, int] = defaultdict(int)
        self.buckets: dict[str, _Bucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        if scope["type"] != "http" or scope.get("method") == "OPTIONS" or not (
            path == LIMITED[0] or path.startswith(LIMITED[1])
        ):
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "?"
        refusal = self._refusal(client)
        if refusal is not None:
            reason, retry, message = refusal
            state(scope)["refused"] = reason
            await _refuse(scope, send, retry, message)
            return
        self.running[client] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running[client] -= 1
            if not self.running[client]:
                del self.running[client]

    def _refusal(self, client: str) -> tuple[str, int, str] | None:
        """Why ``client``'s request must wait (reason, seconds, message), or None to take it."""
        if self.concurrency and self.running.get(client, 0) >= self.concurrency:
            message = (f"too many queries at once: at most {self.concurrency} of one client run "
                       "together; send the next when one has been answered")  # fmt: skip
            return ("concurrency", 1, message)
        if not self.per_minute:
            return None
        now = time.monotonic()
        rate = self.per_minute / 60.0
        bucket = self.buckets.get(client) or _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.checked) * rate)
        bucket.checked = now
        self.buckets[client] = bucket
        if len(self.buckets) > 4096:
            self._forget(now)
        if bucket.tokens < 1.0:
            wait = math.ceil((1.0 - bucket.tokens) / rate)
            return ("rate", wait, f"too many queries: at most {self.per_minute} a minute from "
                    f"one client; try again in {wait} s")  # fmt: skip
        bucket.tokens -= 1.0
        return None

    def _forget(self, now: float) -> None:
        for client in [c for c, b in self.buckets.items() if now - b.checked > FORGET_AFTER]:
            del self.buckets[client]


async def _refuse(scope: Scope, send: Send, retry: int, message: str) -> None:
    """429 with ``Retry-After``: JSON for the JSON API, text for ``/sparql``."""
    if route_path(scope).startswith("/api/"):
        body, media = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, media = message.encode(), b"text/plain; charset=utf-8"
    await send({
        "type": "http.response.start",
        "status": 429,
        "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
