"""A fair share of the service between clients: per-client limits on every request, and on
the queries of ``/sparql`` and the JSON API.

A few query workers and one event loop answer everyone, so one client sending many slow queries
at once, or very many quick requests, would keep the others waiting. Each client — the address
the request comes from, or the one a trusted proxy names in ``X-Forwarded-For``
(``PLANTRACE_TRUSTED_PROXIES``, applied by uvicorn before this runs) — may

- send ``PLANTRACE_CLIENT_REQUESTS`` requests of any kind per minute (pages, static files,
  downloads, answers from the cache as well);
- have at most ``PLANTRACE_CLIENT_CONCURRENCY`` queries (``/sparql``, ``/api/…``) running at
  once (by default one less than the workers, so a worker is always left for the others), and
  send ``PLANTRACE_CLIENT_RATE`` of them per minute.

A rate is a token bucket: that many at once, then one every ``60 / rate`` seconds. Past any
limit, the request gets 429 with ``Retry-After`` and a message before any other work is done
for it: this middleware sits outside the response cache, so a refusal costs less than a cache
hit. The refusal is held for :data:`HOLD` seconds first (as nginx's ``limit_req`` delays
excess requests): a client that waits as ``Retry-After`` asks loses nothing, and one that
retries at once is slowed to a request a second per connection, instead of costing the event
loop the others share hundreds of refusals a second. At most :data:`MAX_HELD` refusals are
held at a time; past that they are answered at once. ``/healthz`` and ``/readyz`` (the load
balancer's probes, all from one address) are never limited.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from api.middleware.asgi import ASGIApp, Receive, Scope, Send, state
from api.views.links import route_path

QUERIES = ("/sparql", "/api/")
"""The paths whose requests run a client's queries (``/sparql`` itself, and what starts with
``/api/``)."""
PROBES = ("/healthz", "/readyz")
"""Never limited: an orchestrator's probes."""
FORGET_AFTER = 120.0
"""Seconds after which an idle client's bucket is full again and is forgotten."""
MANY_CLIENTS = 4096
"""Buckets kept before the idle ones are forgotten."""
HOLD = 1.0
"""Seconds a refusal waits before it is sent."""
MAX_HELD = 256
"""Refusals held at once (each is a waiting connection; past this, they are sent at once)."""


@dataclass
class _Bucket:
    tokens: float
    checked: float


class _Rate:
    """A token bucket per client: ``per_minute`` at once, then one every ``60 / per_minute`` s."""

    def __init__(self, per_minute: int, what: str) -> None:
        self.per_minute = per_minute
        self.what = what
        self.buckets: dict[str, _Bucket] = {}

    def take(self, client: str, now: float) -> tuple[int, str] | None:
        """Take a token for ``client``; without one, (seconds to wait, message)."""
        rate = self.per_minute / 60.0
        bucket = self.buckets.get(client) or _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.checked) * rate)
        bucket.checked = now
        self.buckets[client] = bucket
        if len(self.buckets) > MANY_CLIENTS:
            for idle in [c for c, b in self.buckets.items() if now - b.checked > FORGET_AFTER]:
                del self.buckets[idle]
        if bucket.tokens < 1.0:
            wait = math.ceil((1.0 - bucket.tokens) / rate)
            return wait, (f"too many {self.what}: at most {self.per_minute} a minute from one "
                          f"client; try again in {wait} s")  # fmt: skip
        bucket.tokens -= 1.0
        return None


class FairShare:
    """Refuse a client's request beyond its request rate, or its query beyond its concurrency
    or query rate (0: no such limit)."""

    def __init__(self, app: ASGIApp, concurrency: int, per_minute: int,
                 requests_per_minute: int = 0, hold: float = HOLD) -> None:  # fmt: skip
        self.app = app
        self.hold = hold
        self.held = 0
        self.concurrency = concurrency
        self.queries = _Rate(per_minute, "queries") if per_minute else None
        self.requests = _Rate(requests_per_minute, "requests") if requests_per_minute else None
        self.running: dict[str, int] = defaultdict(int)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        if scope["type"] != "http" or path in PROBES:
            await self.app(scope, receive, send)
            return
        query = scope.get("method") != "OPTIONS" and (
            path == QUERIES[0] or path.startswith(QUERIES[1])
        )
        client = scope["client"][0] if scope.get("client") else "?"
        refusal = self._refusal(client, query)
        if refusal is not None:
            reason, retry, message = refusal
            state(scope)["refused"] = reason
            if self.hold and self.held < MAX_HELD:
                self.held += 1
                try:
                    await asyncio.sleep(self.hold)
                finally:
                    self.held -= 1
            await _refuse(scope, send, retry, message)
            return
        if not query:
            await self.app(scope, receive, send)
            return
        self.running[client] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running[client] -= 1
            if not self.running[client]:
                del self.running[client]

    def _refusal(self, client: str, query: bool) -> tuple[str, int, str] | None:
        """Why ``client``'s request must wait (reason, seconds, message), or None to take it."""
        if query and self.concurrency and self.running.get(client, 0) >= self.concurrency:
            message = (f"too many queries at once: at most {self.concurrency} of one client run "
                       "together; send the next when one has been answered")  # fmt: skip
            return ("concurrency", 1, message)
        now = time.monotonic()
        limits = [("requests", self.requests), ("rate", self.queries if query else None)]
        for reason, rate in limits:
            refused = rate.take(client, now) if rate is not None else None
            if refused is not None:
                return (reason, *refused)
        return None


async def _refuse(scope: Scope, send: Send, retry: int, message: str) -> None:
    """429 with ``Retry-After``: JSON for the JSON API, text for the rest."""
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
