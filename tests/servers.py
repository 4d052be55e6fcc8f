"""Servers for tests: start a command on 127.0.0.1 and a free port, wait until it answers.

Used by ``tests/api`` (the plantrace servers, ``oxigraph serve``) and ``tests/test_remote.py``.
Every server is a subprocess of the test run; :meth:`Server.stop` ends it (and, for
``plantrace serve``, its query workers, which the server stops on shutdown).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import virtuoso

REPO = Path(__file__).resolve().parents[1]
W3C = REPO.parent / "shared" / "w3c-sparql11-protocol"
"""The W3C SPARQL 1.1 protocol tests: ``../shared`` beside the repository (as in CI)."""

LIMITS = {
    "PLANTRACE_QUERY_TIMEOUT": "3",
    "PLANTRACE_ROW_LIMIT": "500",
    "PLANTRACE_MAX_BODY": "8192",
    "PLANTRACE_WORKERS": "2",
    # the test client is one address sending many requests at once: no fair-share limits
    # (tests/api/middleware/test_fair_share.py runs its own server with them)
    "PLANTRACE_CLIENT_CONCURRENCY": "0",
    "PLANTRACE_CLIENT_RATE": "0",
    "PLANTRACE_CLIENT_REQUESTS": "0",
}
HOSTILE_IRI = "https://w3id.org/plantrace/id/test/hostile"
HOSTILE_TEXT = '<script>alert("x")</script> & <b>太字</b>'
JAPANESE_IRI = "https://w3id.org/plantrace/id/test/項目%201"
"""An IRI with non-ASCII characters (and an escaped space), as kg.rdf makes them."""
PWN = (
    '<script>window.__pwned="script";alert(1)</script>'
    '<img src=x onerror="window.__pwned=\'img\'">'
)
"""Markup that sets ``window.__pwned`` (or opens a dialog) if a page ever runs it."""
HOSTILE_CODE = 'X"<img src=x onerror=window.__pwned=9>'
"""An item code that is markup (it ends up in URLs, tables and graph labels)."""
HOSTILE_LAW = "https://w3id.org/plantrace/id/law/TEST"
ESCAPED_SERVICE = [
    r"SELECT * { \u0053ERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    r"SELECT * { SERVIC\U00000045 <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    r"SELECT * { << ?s ?p ?o >> ?q ?r . \u0053ERVICE <http://127.0.0.1:{port}/> {} }",
]
"""SPARQL's ``\\u`` escapes spelling ``SERVICE``: the keyword scan does not expand them."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANTRACE_")}
    env.update(LIMITS)
    env.update(extra)
    return env


@dataclass
class Server:
    """A running server: its base URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, **kwargs: object) -> httpx.Client:
        options: dict[str, Any] = {"timeout": 30, **kwargs}
        return httpx.Client(base_url=self.url, trust_env=False, **options)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def log_lines(server: Server, request_id: str) -> list[dict[str, Any]]:
    """The JSON request-log lines of ``request_id`` in the server's log (written once it
    answered: waits up to 5 s for them)."""
    deadline = time.monotonic() + 5
    while True:
        found = [
            json.loads(line)
            for line in server.log.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.startswith("{") and f'"request_id": "{request_id}"' in line
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def cached_get(
    server: Server, c: httpx.Client, path: str, **headers: str
) -> tuple[httpx.Response, str]:
    """GET ``path`` and what its request-log line says of the response cache (``-``: the
    answer was neither kept nor looked up)."""
    answer = c.get(path, headers={"X-Request-ID": uuid.uuid4().hex, **headers})
    (line,) = log_lines(server, answer.headers["x-request-id"])
    return answer, str(line.get("cache", "-"))


def get_until_kept(
    server: Server, c: httpx.Client, path: str, within: float = 15
) -> httpx.Response:
    """GET ``path`` until it is answered from the response cache (on a remote store, a new
    publication is used a few seconds after it is first seen), at most ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        answer, cache = cached_get(server, c, path)
        if cache == "hit":
            return answer
        assert time.monotonic() < deadline, f"{path}: never answered from the cache"
        time.sleep(0.2)


def start(
    args: list[str], env: dict[str, str], log: Path, ready: str, timeout: float = 90,
    port: int | None = None, cwd: Path = REPO,
) -> Server:  # fmt: skip
    """Start ``args`` (``{port}`` in them: ``port``, else a free one), wait until ``GET ready``
    answers 200."""
    port = port or free_port()
    args = [a.replace("{port}", str(port)) for a in args]
    out = open(log, "wb")  # noqa: SIM115 - the server writes to it until it stops
    process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{args} exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + ready, timeout=2, trust_env=False).status_code == 200:
                return Server(url, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{args} did not answer in {timeout} s:\n{log.read_text()}")


def start_plantrace(args: list[str], env: dict[str, str], log: Path) -> Server:
    """Start ``plantrace serve`` and wait until every query worker is up: the first one serves
    at once, the others join in the background (api/workers/pool.py), and tests compare worker
    lists."""
    running = start(args, env, log, "/status")
    want = int(env.get("PLANTRACE_WORKERS", "2"))
    deadline = time.monotonic() + 60
    with running.client() as c:
        while len(c.get("/status").json()["workers"]) != want:
            if time.monotonic() > deadline:
                running.stop()
                raise RuntimeError(f"{args}: {want} query workers not up in 60 s")
            time.sleep(0.1)
    return running


@dataclass
class Rebuildable:
    """A server that rebuilds on ``POST /admin/rebuild`` (``token``), on a copy of a built
    state directory (``state``) whose sources (``sources``) are three small documents no parser
    reads: a rebuild is quick and leaves no items."""

    server: Server
    state: Path
    sources: Path
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def start_rebuildable(built_state: Path, tmp: Path, token: str) -> Rebuildable:
    from conftest import FAKE_TEXTS, write_sources

    state = tmp / "state"
    shutil.copytree(built_state, state, symlinks=True)
    sources = tmp / "sources"
    write_sources(sources, FAKE_TEXTS)
    # (a longer time limit: these test rebuilds, and a busy machine must not fail them)
    env = clean_env(PLANTRACE_ADMIN_TOKEN=token, PLANTRACE_SOURCES=str(sources),
                    PLANTRACE_QUERY_TIMEOUT="30")  # fmt: skip
    running = start_plantrace(serve("--state-dir", str(state)), env, tmp / "serve.log")
    return Rebuildable(running, state, sources, token)


def serve(*options: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1", "--port", "{port}",
            *options]  # fmt: skip


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if found is None:
        raise RuntimeError(
            "the `oxigraph` command (PyPI package oxigraph, a dev dependency) is missing"
        )
    return found



def start_virtuoso(directory: Path) -> Server:
    """Virtuoso on free ports with its database in ``directory``, updates granted
    (:mod:`bench.virtuoso`); its SPARQL endpoint is ``{url}/sparql``."""
    http_port, sql_port = free_port(), free_port()
    running = start(
        virtuoso.configure(directory, sql_port, http_port), clean_env(), directory / "out.log",
        "/sparql?query=ASK%7B%7D", timeout=180, port=http_port, cwd=directory,
    )  # fmt: skip
    try:
        virtuoso.grant(sql_port)
    except BaseException:
        running.stop()
        raise
    return running
