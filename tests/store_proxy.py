"""A fault-injecting HTTP proxy in front of a real triple store, for the "nothing lost" tests
(issue 19).

It passes every request through to the store, except that in a SPARQL Update request it drops
the ``MOVE``, ``ADD`` and ``COPY`` operations and still answers success: the way Fuseki 4.5
acknowledged a ``MOVE`` from a named graph that it did not carry out. With ``fail`` it answers
such a request 500 instead, after the rest of it has been carried out (a store that fails
half-way through a request). Runs in a thread of the test process on 127.0.0.1 and a free
port.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

IGNORED = re.compile(r"^\s*(MOVE|ADD|COPY)\b", re.IGNORECASE)
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def without_ignored(update: str) -> tuple[str, int]:
    """``update`` without its MOVE/ADD/COPY operations (split at ``;`` ending a line), and how
    many were dropped."""
    operations = re.split(r";\s*\n", update)
    kept = [op for op in operations if not IGNORED.match(op)]
    return " ;\n".join(kept), len(operations) - len(kept)


class _Handler(BaseHTTPRequestHandler):
    upstream = ""
    fail = False
    dropped: list[int]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
        media = self.headers.get("content-type", "").split(";")[0].strip()
        if self.command == "POST" and media == "application/sparql-update":
            text, dropped = without_ignored(body.decode())
            body = text.encode()
            self.dropped.append(dropped)
            if not text.strip() or (self.fail and dropped):
                if text.strip():
                    self._relay(body, forward=False)
                self.send_response(500 if self.fail and dropped else 204)
                self.end_headers()
                if self.fail and dropped:
                    self.wfile.write(b"simulated failure half-way through the update")
                return
        elif self.command == "POST" and media == "application/x-www-form-urlencoded":
            form = parse_qsl(body.decode(), keep_blank_values=True)
            if any(k == "update" for k, _ in form):
                form = [(k, without_ignored(v)[0] if k == "update" else v) for k, v in form]
                body = urlencode(form).encode()
        self._relay(body)

    def _relay(self, body: bytes, forward: bool = True) -> None:
        """Send the request with ``body`` to the store; with ``forward``, its answer back."""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP | {"host"}}
        target = self.upstream + urlsplit(self.path)._replace(scheme="", netloc="").geturl()
        with httpx.Client(timeout=120, trust_env=False) as client:
            answer = client.request(self.command, target, content=body, headers=headers)
        if not forward:
            return
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in HOP:
                self.send_header(key, value)
        self.send_header("content-length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


@contextmanager
def faulty_proxy(upstream: str, fail: bool = False) -> Iterator[tuple[str, list[int]]]:
    """A proxy to ``upstream`` (``http://host:port``) that ignores MOVE/ADD/COPY (and with
    ``fail`` answers 500 to a request that had some): its base URL, and the number of
    operations it dropped from each update request."""
    dropped: list[int] = []
    fields = {"upstream": upstream.rstrip("/"), "dropped": dropped, "fail": fail}
    handler = type("Handler", (_Handler,), fields)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", dropped
    finally:
        server.shutdown()
        server.server_close()
