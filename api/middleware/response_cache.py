"""Answers kept while the data cannot change, and validators on every answer that can be kept.

Between two builds the data served does not change: a build publishes a new store, it never
edits the one being read (docs/architecture.md, "Stores"), and on a remote store it stamps the
publication in the same update request. So an answer depends only on the request and on
*which* data is served — the generation (:class:`~api.workers.backend.Generation`: the embedded
store's directory, or a remote store's publication stamp, read by one request to the store that
the event loop awaits without waiting on it) — and:

- every cacheable answer carries a weak ``ETag`` (RFC 9110 §8.8.3), a digest of the generation,
  the server's start (new code may render the same data differently) and what the answer
  depends on in the request (method, path, query string, ``Accept``, ``Accept-Encoding`` (answers
  are kept compressed, :mod:`api.middleware.compression` runs inside), the language cookie, the
  forwarded host and prefix, and for ``POST /sparql`` the body), and a ``Last-Modified``
  (§8.8.2): when the data was published, or when this server started if later.
  ``Cache-Control: no-cache`` lets browsers and proxies keep the answer but ask each time;
- a conditional request (``If-None-Match``, §13.1.2; else ``If-Modified-Since``, §13.1.3) whose
  validator still holds is answered ``304 Not Modified`` before any work;
- ``200`` answers of ``GET`` (and ``POST /sparql``, whose body is a query) are kept in memory,
  least recently used first out, bounded in bytes (``PLANTRACE_CACHE_BYTES``; an answer larger
  than an eighth of that is not kept), and the same request is answered from memory until the
  generation changes. Then everything kept is dropped at once: nothing stale is ever served.

What is not cached: other methods and statuses, ``/status``, ``/healthz``, ``/readyz``,
``/admin`` (they report the service, not the data), ``/static`` (the files carry their own
validators), an answer with ``Cache-Control: no-store``, and one a route marked with
:func:`do_not_store` (a page shown before the validation report was ready). The generation is
read before the answer is made or looked up, once per request that could be answered from
memory; with none (a remote store that does not answer it in time, or holds no stamp, or whose
new stamp the workers may not have caught up with yet) nothing is cached and no validator is
sent. An answer made while another generation was seen is not kept: it may be of either. The
request's log line says ``cache``: ``hit``, ``miss`` or ``revalidated``.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from email.utils import formatdate, parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from typing import NamedTuple

from starlette.requests import HTTPConnection

from api.middleware.asgi import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    header,
    state,
)
from api.views.links import route_path
from api.workers.backend import Generation

UNCACHED = ("/status", "/healthz", "/readyz", "/admin", "/static")
"""Paths (and their subpaths) whose answers describe the service rather than the data."""
KEYED_HEADERS = (b"accept", b"accept-encoding", b"host", b"x-forwarded-proto",
                 b"x-forwarded-host", b"x-forwarded-prefix")  # fmt: skip
"""Request headers an answer may depend on, besides the path, query string and language."""
MAX_KEYED_BODY = 64 * 1024
"""A ``POST /sparql`` body larger than this is answered without the cache."""
POSTED = "/sparql"
"""The one path whose ``POST`` answers are kept: a query sent in the body reads the data only."""


REPLAYED_STATE = ("query_sha256", "query_form")
"""What a route learnt about a request (for its log line) that holds for the same request."""


class _Entry(NamedTuple):
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    learnt: dict[str, object]


def do_not_store(request: HTTPConnection) -> None:
    """Mark the answer to ``request`` as not to be kept nor validated: it shows a passing state
    of the service, not only the data."""
    state(request.scope)["no_store"] = True


class ResponseCache:
    """Validators and an in-memory store of answers, keyed by request and generation."""

    def __init__(
        self,
        app: ASGIApp,
        generation: Callable[[], Awaitable[Generation | None]],
        max_bytes: int,
        started: float,
        language_cookie: str,
    ) -> None:
        self.app = app
        self.generation = generation
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8
        self.started = started
        self.language_cookie = language_cookie
        self.entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self.size = 0
        self.token: str | None = None
        self.published = started
        self.last_modified = b""
        self.salt = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        path = route_path(scope)
        posted = method == "POST" and path == POSTED
        if (
            scope["type"] != "http"
            or (method not in ("GET", "HEAD") and not posted)
            or any(path == p or path.startswith(p + "/") for p in UNCACHED)
        ):
            await self.app(scope, receive, send)
            return
        generation = await self.generation()  # (read before the answer is made or looked up)
        if generation is None:
            await self.app(scope, receive, send)
            return
        if generation.token != self.token:
            self._start_generation(generation)
        body = b""
        if posted:
            body, receive = await _read_body(receive)
            if len(body) > MAX_KEYED_BODY:
                await self.app(scope, receive, send)
                return
        key = self._key(scope, body)
        etag = f'W/"{hashlib.sha256(self.salt + key).hexdigest()[:32]}"'
        validators = [(b"etag", etag.encode()), (b"last-modified", self.last_modified)]
        kept = self.entries.get(key)
        if not posted and _not_modified(scope, etag, self.published):
            state(scope)["cache"] = "revalidated"
            vary = [(k, v) for k, v in kept.headers if k == b"vary"] if kept else []
            headers = [*validators, (b"cache-control", b"no-cache"), *vary]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if kept is not None:
            state(scope).update(kept.learnt, cache="hit")
            self.entries.move_to_end(key)
            await send({"type": "http.response.start", "status": kept.status,
                        "headers": list(kept.headers)})  # fmt: skip
            await send({"type": "http.response.body",
                        "body": b"" if method == "HEAD" else kept.body})  # fmt: skip
            return
        state(scope)["cache"] = "miss"
        keeping = self._keeping(scope, key, generation.token, validators, send)
        await self.app(scope, receive, keeping)

    def _start_generation(self, generation: Generation) -> None:
        """Forget every answer kept (a new build) and work out, once, what the validators of
        this generation's answers share."""
        self.entries.clear()
        self.size = 0
        self.token = generation.token
        self.published = max(generation.published, self.started)
        self.last_modified = formatdate(self.published, usegmt=True).encode()
        self.salt = f"{self.started}:{generation.token}".encode()

    def _keeping(
        self, scope: Scope, key: bytes, token: str, validators: list[tuple[bytes, bytes]],
        send: Send,
    ) -> Send:  # fmt: skip
        """``send``, adding the validators to a cacheable answer and keeping its bytes — unless
        another generation (``token``: the one read before the answer was made) was seen
        meanwhile: the answer may be of either."""
        keep = False
        head: tuple[int, list[tuple[bytes, bytes]]] = (0, [])
        parts: list[bytes] = []
        size = 0

        async def keeping(message: Message) -> None:
            nonlocal keep, head, size
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                control = b",".join(v for k, v in headers if k.lower() == b"cache-control")
                keep = (
                    message["status"] == 200
                    and b"no-store" not in control
                    and not state(scope).get("no_store")
                )
                if keep:
                    headers += validators
                    if not control:
                        headers.append((b"cache-control", b"no-cache"))
                    message["headers"] = headers
                    head = (message["status"], list(headers))
                keep = keep and scope.get("method") != "HEAD"  # (validated, but no body to keep)
            elif message["type"] == "http.response.body" and keep:
                parts.append(message.get("body", b""))
                size += len(parts[-1])
                if size > self.max_entry:
                    keep, parts[:] = False, []
                elif not message.get("more_body", False) and self.token == token:
                    learnt = {k: v for k, v in state(scope).items() if k in REPLAYED_STATE}
                    self._put(key, _Entry(head[0], head[1], b"".join(parts), learnt))
            await send(message)

        return keeping

    def _key(self, scope: Scope, body: bytes) -> bytes:
        language = ""
        cookies = header(scope, b"cookie")
        if cookies:
            try:
                morsel = SimpleCookie(cookies).get(self.language_cookie)
            except CookieError:
                morsel = None
            language = morsel.value if morsel else ""
        method = "GET" if scope.get("method") == "HEAD" else str(scope.get("method"))
        parts = [method.encode(), scope.get("path", "").encode("utf-8"),
                 scope.get("query_string", b""), language.encode()]  # fmt: skip
        parts += [(header(scope, name) or "").encode("latin-1") for name in KEYED_HEADERS]
        if body:
            parts += [(header(scope, b"content-type") or "").encode("latin-1"), body]
        return b"\0".join(parts)

    def _put(self, key: bytes, entry: _Entry) -> None:
        if key in self.entries:
            self.size -= len(self.entries.pop(key).body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes and self.entries:
            self.size -= len(self.entries.popitem(last=False)[1].body)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read a request body up to just past :data:`MAX_KEYED_BODY` bytes; return what was read
    and a ``receive`` that hands the app the same messages again, then the rest."""
    messages: list[Message] = []
    read = 0
    while read <= MAX_KEYED_BODY:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    return body, replay


def _not_modified(scope: Scope, etag: str, published: float) -> bool:
    """Whether a conditional ``GET``/``HEAD`` can be answered 304: ``If-None-Match`` names the
    current tag (weak comparison, RFC 9110 §8.8.3.2), or, without it, ``If-Modified-Since`` is
    not before the publication (compared in whole seconds, as HTTP dates are)."""
    matches = header(scope, b"if-none-match")
    if matches is not None:
        tags = {t.strip().removeprefix("W/") for t in matches.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = header(scope, b"if-modified-since")
    if since is None:
        return False
    try:
        return int(published) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
