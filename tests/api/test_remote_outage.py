"""A remote store that goes down and comes back: while it is down every request that needs it
gets 503 with a message (JSON for the API, text elsewhere) and a ``Retry-After``; when it is back
on the same address, requests succeed again without restarting ``plantrace serve``.

Uses the session's ``oxigraph serve`` (``remote_stack``): it is stopped, then started again on
the same port and data directory, and the fixture is pointed at the new process, so the tests
that run later use it as before.
"""

from __future__ import annotations

import subprocess
import time
from urllib.parse import urlsplit

import httpx
from server_fixtures import Remote
from servers import REPO, Server

QUERY = "ASK { ?i a pt:EvaluationItem }"


def _restart_oxigraph(old: Server) -> Server:
    """The same command (same port, same --location) again; wait until it answers."""
    args = [str(a) for a in old.process.args]
    deadline = time.monotonic() + 60
    with open(old.log, "ab") as log:
        while True:
            process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
            server = Server(old.url, process, old.log)
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    if httpx.get(f"{old.url}/query?query=ASK%7B%7D", timeout=2,
                                 trust_env=False).status_code == 200:  # fmt: skip
                        return server
                except httpx.HTTPError:
                    time.sleep(0.1)
            assert time.monotonic() < deadline, "oxigraph did not come back"
            time.sleep(0.5)  # it exited (the port not free yet?): try again


def test_store_down_gives_503_and_recovery_needs_no_restart(remote_stack: Remote) -> None:
    api = remote_stack.api
    with api.client() as c:
        assert c.get("/sparql", params={"query": QUERY}).json()["boolean"] is True
        workers = [w["pid"] for w in c.get("/status").json()["workers"]]
        remote_stack.store.stop()
        try:
            for path, params, json_body in [
                ("/api/items", None, True),
                ("/status", None, True),
                ("/sparql", {"query": QUERY}, False),
                ("/id/jlis/item/I-1", {"format": "turtle"}, False),
            ]:
                r = c.get(path, params=params)
                assert r.status_code == 503, (path, r.status_code, r.text)
                assert r.headers["retry-after"] == "1"
                message = r.json()["detail"] if json_body else r.text
                assert "not reachable" in message and "\n" not in message, message
            assert urlsplit(remote_stack.endpoint).port == urlsplit(remote_stack.store.url).port
        finally:
            remote_stack.store = _restart_oxigraph(remote_stack.store)
        assert c.get("/sparql", params={"query": QUERY}).json()["boolean"] is True
        assert c.get("/api/items").status_code == 200
        status = c.get("/status").json()
        assert [w["pid"] for w in status["workers"]] == workers  # the same workers, recovered
        assert api.process.poll() is None
