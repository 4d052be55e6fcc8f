"""Serving under a public base URL, behind a reverse proxy (``PLANTRACE_BASE_URL``).

A public body puts the service under a path of its own site, ``https://www.example.lg.jp/
plantrace/``, its web server forwarding ``/plantrace/…`` to ``plantrace serve`` (with the prefix
or without it: both work). Told that URL, two middlewares:

- :class:`PublicURL` (outside the fair share and the cache, which read the path within the
  service) sets the request's ``root_path`` (ASGI, "HTTP Connection Scope") to its path, and
  its scheme and host to the URL's, so ``request.base_url`` — from which the SPARQL service
  description, VoID and DCAT name the endpoint and the downloads — is the public URL, and
  routes match with the prefix in the path or without it;
- :class:`PublicLinks` (inside the cache and the compression, so a kept answer is rewritten
  and compressed once) prefixes every root-relative URL of an answer: the pages and the JSON
  API are written with links such as ``/items/I-1`` and ``/static/…``; in an HTML answer every
  ``href``, ``src``, ``action`` and ``data-…`` attribute starting with one ``/``, in a JSON
  answer of ``/api/…`` every ``…href`` value, and a ``Location`` header. One place, so no
  template or view can forget it; the pages' scripts read the prefix from ``<html data-root>``.

Without the setting (or with a URL whose path is ``/``) both pass everything through untouched.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from api.middleware.asgi import ASGIApp, Message, Receive, Scope, Send
from api.views.links import route_path

_HTML_URL = re.compile(rb"""(\s(?:href|src|action|data-(?!root=)[a-z-]+)=["'])/(?![/\\])""")
"""A root-relative URL in an attribute (not ``data-root``: the prefix itself, for scripts)."""
_JSON_HREF = re.compile(rb'("[A-Za-z_]*href"\s*:\s*")/(?![/\\])')


class PublicURL:
    """Make the request name the service by its public ``base_url`` (root path, scheme, host)."""

    def __init__(self, app: ASGIApp, base_url: str | None) -> None:
        self.app = app
        parts = urlsplit(base_url or "")
        self.prefix = parts.path.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.netloc.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.prefix or self.host):
            await self.app(scope, receive, send)
            return
        scope["root_path"] = self.prefix
        path = str(scope.get("path", ""))
        if self.prefix and not (path == self.prefix or path.startswith(self.prefix + "/")):
            # a proxy that strips the prefix: put it back, as ASGI has it (``path`` includes
            # ``root_path``) and Starlette's mounts expect; the middleware inside reads the
            # path within the service with :func:`~api.middleware.asgi.route_path`
            scope["path"] = self.prefix + path
            scope["raw_path"] = self.prefix.encode() + scope.get("raw_path", path.encode())
        if self.scheme:
            scope["scheme"] = self.scheme
        if self.host:
            scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k != b"host"]
            scope["headers"].append((b"host", self.host))
        await self.app(scope, receive, send)


class PublicLinks:
    """Prefix the root-relative URLs of HTML and JSON API answers with the request's
    ``root_path`` (set by :class:`PublicURL`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = str(scope.get("root_path", "")) if scope["type"] == "http" else ""
        if not prefix:
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _rewriting(scope, send, prefix.encode()))


def _rewriting(scope: Scope, send: Send, prefix: bytes) -> Send:
    """``send``, with the root-relative URLs of an HTML or JSON API answer prefixed."""
    pattern: re.Pattern[bytes] | None = None
    start: Message | None = None
    parts: list[bytes] = []

    async def rewriting(message: Message) -> None:
        nonlocal pattern, start
        if message["type"] == "http.response.start":
            headers = [(k, prefix + v if k == b"location" and _rooted(v) else v)
                       for k, v in message.get("headers", [])]  # fmt: skip
            message["headers"] = headers
            kind = dict(headers).get(b"content-type", b"").split(b";")[0].strip()
            if kind == b"text/html":
                pattern = _HTML_URL
            elif kind == b"application/json" and route_path(scope).startswith("/api/"):
                pattern = _JSON_HREF
            if pattern is None:
                await send(message)
            else:
                start = message  # sent with the length of the rewritten body
            return
        if message["type"] != "http.response.body" or pattern is None or start is None:
            await send(message)
            return
        parts.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = pattern.sub(lambda m: m[1] + prefix + b"/", b"".join(parts))
        start["headers"] = [(k, v) for k, v in start["headers"] if k != b"content-length"]
        start["headers"].append((b"content-length", str(len(body)).encode()))
        await send(start)
        await send({"type": "http.response.body", "body": body})

    return rewriting


def _rooted(value: bytes) -> bool:
    return value.startswith(b"/") and not value.startswith((b"//", b"/\\"))
