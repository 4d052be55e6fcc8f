"""The validation runner's worker lives only while a run is under way
(api/workers/validation_runner.py)."""

from __future__ import annotations

import time
from pathlib import Path

from servers import Server

from bench.common import rss_kib


def _spawned(server: Server) -> set[int]:
    """The server's worker processes (started by multiprocessing's spawn: query workers and
    the validation worker; not its resource tracker)."""
    found = set()
    for pid in rss_kib(server.process.pid):
        try:
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.add(pid)
    return found


def test_the_validation_worker_stops_when_no_run_is_left(server: Server) -> None:
    with server.client(timeout=300) as c:
        assert c.get("/validation").status_code == 200
        queries = {w["pid"] for w in c.get("/status").json()["workers"]}
    assert len(queries) == 2
    deadline = time.monotonic() + 15
    while (left := _spawned(server) - queries) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes besides the query workers: {left}"
    with server.client(timeout=300) as c:  # the report is kept: no new run, no new worker
        assert c.get("/validation").status_code == 200
    assert _spawned(server) - queries == set()
