"""A short soak in CI: ``bench/soak.py``'s load (pages, JSON, SPARQL and a query that always
runs into the time limit) from 8 clients for 6 s against the session's server. No 5xx but
time-limit 503s, every kind of ordinary request answered, the server's memory flat. The long
run (60 s, 16 clients, ``--query-timeout 1``) is ``python bench/soak.py``; its numbers are in
``bench/RESULTS.md``."""

from __future__ import annotations

import time

from servers import LIMITS, Server

from bench.soak import soak


def test_short_soak(server: Server) -> None:
    timeout = float(LIMITS["PLANTRACE_QUERY_TIMEOUT"])
    report = soak(server.url, server.process.pid, duration=6, clients=8, slow_clients=1,
                  query_timeout=timeout, warm_up=1)  # fmt: skip
    print(report.render("tests/api/test_soak.py"))
    assert not report.tally.bad, report.tally.bad
    assert report.memory_flat, (report.warm, report.end)
    for kind, answers in report.tally.status.items():
        if "slow" in kind:
            assert set(answers) <= {"503 time limit"}, answers
            assert answers["503 time limit"] >= 1, answers
        else:
            assert answers["200"] >= 1, (kind, answers)
    deadline = time.monotonic() + 30  # the killed workers are replaced
    with server.client() as c:
        while len(c.get("/status").json()["workers"]) != int(LIMITS["PLANTRACE_WORKERS"]):
            assert time.monotonic() < deadline
            time.sleep(0.2)
