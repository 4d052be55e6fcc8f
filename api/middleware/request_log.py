"""One log line per request, and a request id on every answer.

The line is JSON (``PLANTRACE_LOG_FORMAT=json``, the default) or plain text (``plain``), on the
``plantrace.access`` logger: time, method, path, status, bytes sent, duration, client, request
id, and what the route learnt (:func:`api.middleware.asgi.state`): for ``/sparql`` the query's
SHA-256 (``query_sha256``, the first 16 hex digits; the text itself is not logged) and form, and
whether the request hit a time limit, and how the response cache answered (``cache``: ``hit``,
``miss`` or ``revalidated``, :mod:`api.middleware.response_cache`). A request's
``X-Request-ID`` is kept when it is a short token (letters, digits, ``._:-``, at most 128), else
a new one is made; either is sent back in ``X-Request-ID``, so a client's report of a 503 can be
found in the log.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from api.middleware.asgi import ASGIApp, Message, Receive, Scope, Send, header, state

log = logging.getLogger("plantrace.access")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
LOGGED_STATE = ("query_sha256", "query_form", "time_limit", "refused", "cache")
"""What routes and the other middleware may add to a request's line (through its state)."""


class RequestLog:
    """Log each HTTP request once it is answered; give it a request id."""

    def __init__(self, app: ASGIApp, log_format: str = "json") -> None:
        self.app = app
        self.plain = log_format == "plain"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = header(scope, b"x-request-id")
        request_id = given if given and REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        state(scope)["request_id"] = request_id
        started = time.perf_counter()
        status = 500  # unless an answer starts: the app failed
        sent = 0

        async def tracked(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (b"x-request-id", request_id.encode())]  # fmt: skip
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            self._write(scope, request_id, status, sent, time.perf_counter() - started)

    def _write(self, scope: Scope, request_id: str, status: int, sent: int, took: float) -> None:
        client = scope.get("client")
        line: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status,
            "bytes": sent,
            "ms": round(took * 1000, 1),
            "client": client[0] if client else None,
            "request_id": request_id,
        }
        learnt = state(scope)
        line.update({k: learnt[k] for k in LOGGED_STATE if k in learnt})
        if self.plain:
            extra = " ".join(f"{k}={line[k]}" for k in LOGGED_STATE if k in line)
            log.info('%s "%s %s" %s %s %.1fms id=%s %s', line["client"], line["method"],
                     line["path"], status, sent, line["ms"], request_id, extra)  # fmt: skip
        else:
            log.info(json.dumps(line, ensure_ascii=False))
