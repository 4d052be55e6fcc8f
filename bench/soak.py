"""Load and soak: many clients against ``plantrace serve`` on 127.0.0.1 for a fixed time.

Run: ``.venv/bin/python bench/soak.py [--duration 60] [--clients 16] [--query-timeout 1]``.
It builds the store into a temporary directory (or uses ``--state-dir``), starts ``plantrace
serve`` on a free port of 127.0.0.1 with the given time limit, and runs ``--clients`` threads,
each sending requests until the time is up as a client of its own (``X-Forwarded-For``, as
behind a reverse proxy): HTML pages (``/``, an item's ``/id/…`` page), JSON
(``/api/items``, ``/api/items/I-1``, ``/api/search``), the grade matrix as SPARQL, and — from
``--slow-clients`` of the threads — a cross product that no time limit lets finish, so its
worker is killed and replaced again and again. Every request has a client timeout; the run
stops by itself. Nothing but 127.0.0.1 is contacted.

It reports latency percentiles per kind of request, answers by status, and the resident memory
(RSS) of the server and its worker processes after the warm-up and at the end, and writes them
into ``bench/RESULTS.md`` under their own heading (``--no-record`` to only print). It exits 1
when a request got a 5xx other than a time-limit 503 (the query was stopped, or every worker
stayed busy for the time limit) or when the server's memory grew past the margin.

:func:`soak` is also what ``tests/api/test_soak.py`` runs, briefly, in CI.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench.common import (
    BIN,
    REPO,
    Machine,
    Memory,
    free_port,
    mib,
    percentile,
    plantrace_env,
    started,
    table,
)

RESULTS = REPO / "bench" / "RESULTS.md"
HEADING = "## Load and soak of the HTTP service"

GRADE_MATRIX = """SELECT ?code ?year ?kind ?grade WHERE {
  ?e pt:evaluates/pt:code ?code ; pt:fiscalYear/pt:year ?year ; pt:grade/skos:notation ?grade ;
     a ?kind . FILTER(?kind IN (pt:SelfEvaluation, pt:MinisterialEvaluation))
} ORDER BY ?code ?year"""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A cross product of the whole store with itself, twice: never done within a time limit."""
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
WORDS = ["応答率", "マイナンバーカード", "システム", "交付", "研修", "セキュリティ", "目標"]

Request = tuple[str, str, dict[str, str], dict[str, str]]  # kind, path, params, headers


def _mix(rng: random.Random) -> Request:
    """One request of the ordinary mix (pages, JSON, SPARQL), chosen at random."""
    roll = rng.random()
    if roll < 0.15:
        return "page /", "/", {}, {"Accept": BROWSER}
    if roll < 0.30:
        code = f"I-{rng.randint(1, 7)}"
        return "page /id/item", f"/id/jlis/item/{code}", {}, {"Accept": BROWSER}
    if roll < 0.45:
        return "json /api/items", "/api/items", {}, {}
    if roll < 0.60:
        return "json /api/items/I-1", "/api/items/I-1", {}, {}
    if roll < 0.80:
        return "json /api/search", "/api/search", {"q": rng.choice(WORDS)}, {}
    return "sparql grade matrix", "/sparql", {"query": GRADE_MATRIX}, {}


def _slow(rng: random.Random) -> Request:
    return "sparql slow (killed)", "/sparql", {"query": SLOW}, {}


@dataclass
class Tally:
    """Latencies (s) by kind, answers by kind and status, and what broke the rules."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    status: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    bad: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: str, bad: str | None) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            self.status[kind][status] += 1
            if bad is not None and len(self.bad) < 20:
                self.bad.append(bad)


def classify(response: httpx.Response) -> tuple[str, str | None]:
    """``(status label, complaint)``: a 503 is fine when it is the time limit at work."""
    code = response.status_code
    if code == 503:
        text = response.text
        if "time limit" in text:
            return "503 time limit", None
        if "stayed busy" in text:
            return "503 all busy", f"503 (no free worker) is not a time limit: {text[:200]}"
        return "503 other", f"503 without a time-limit message: {text[:200]}"
    if code >= 500:
        return str(code), f"{code}: {response.text[:200]}"
    return str(code), None


def address(i: int) -> str:
    """The address client ``i`` claims (``X-Forwarded-For``, trusted from 127.0.0.1 as from a
    reverse proxy): each client is one, as real ones are, for the server's fair share."""
    return f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}"


def _client(base: str, deadline: float, pick: Callable[[random.Random], Request], seed: int,
            tally: Tally, timeout: float, claimed: str, pace: float = 0.0) -> None:  # fmt: skip
    """Send ``pick``'s requests as client ``claimed`` until ``deadline``: back to back, or one
    every ``pace`` seconds at most (as a person or a polite program does)."""
    rng = random.Random(seed)
    headers = {"X-Forwarded-For": claimed}
    with httpx.Client(base_url=base, timeout=timeout, trust_env=False, headers=headers) as client:
        while time.monotonic() < deadline:
            kind, path, params, headers = pick(rng)
            started = time.monotonic()
            try:
                response = client.get(path, params=params, headers=headers)
                label, bad = classify(response)
            except httpx.HTTPError as exc:
                label, bad = "no answer", f"{kind}: {type(exc).__name__}: {exc}"
            tally.add(kind, time.monotonic() - started, label, bad)
            time.sleep(max(0.0, started + pace - time.monotonic()))


@dataclass
class Report:
    duration: float
    clients: int
    slow_clients: int
    query_timeout: float
    tally: Tally
    warm: Memory
    end: Memory
    memory_margin: float
    load: float = 0.0  # the machine's 1-minute load average when the run began

    @property
    def requests(self) -> int:
        return sum(sum(c.values()) for c in self.tally.status.values())

    @property
    def memory_flat(self) -> bool:
        """The server process (where a leak would pile up; workers are replaced) grew by at
        most the margin (a fraction, plus 16 MiB for allocator noise)."""
        allowed = self.warm.server_kib * (1 + self.memory_margin) + 16 * 1024
        return self.end.server_kib <= allowed

    @property
    def ok(self) -> bool:
        return not self.tally.bad and self.memory_flat

    def render(self, command: str) -> str:
        """The section for bench/RESULTS.md: heading, machine, command, :meth:`body`."""
        machine = Machine.now()
        machine.load = self.load
        return "\n".join([HEADING, "", *machine.lines(), f"- command: `{command}`", "",
                          self.body()])  # fmt: skip

    def body(self) -> str:
        """Latency per kind of request, answers by status, memory, the verdict."""
        rows = []
        for kind in sorted(self.tally.latency):
            times = self.tally.latency[kind]
            answers = ", ".join(f"{s}: {n}" for s, n in sorted(self.tally.status[kind].items()))
            rows.append([kind, len(times),
                         *(f"{percentile(times, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99)),
                         answers])  # fmt: skip
        statuses: Counter[str] = Counter()
        for counts in self.tally.status.values():
            statuses.update(counts)
        lines = [
            f"{self.clients} clients ({self.slow_clients} sending only the slow query) for "
            f"{self.duration:g} s against `plantrace serve --query-timeout "
            f"{self.query_timeout:g}` (2 query workers): {self.requests} requests, "
            f"{self.requests / self.duration:.0f} per second; load average before: "
            f"{self.load:.2f} (the clients run on the same machine)",
            "",
            *table(["request", "count", "p50 ms", "p95 ms", "p99 ms", "answers"], rows),
            "",
            "answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())),
            "",
            *table(["resident memory (MiB)", "server", "server + workers", "processes"], [
                ["after warm-up", mib(self.warm.server_kib), mib(self.warm.total_kib),
                 self.warm.processes],
                ["at the end", mib(self.end.server_kib), mib(self.end.total_kib),
                 self.end.processes],
            ]),
            "",
            f"5xx other than time-limit 503s: {len(self.tally.bad)}; server memory "
            f"{'flat' if self.memory_flat else 'GREW'} (allowed: +{self.memory_margin:.0%} "
            "+ 16 MiB). Worker memory changes as slow queries get their workers killed and "
            "replaced.",
        ]  # fmt: skip
        if self.tally.bad:
            lines += ["", "first problems:", *(f"- {b}" for b in self.tally.bad)]
        return "\n".join(lines) + "\n"


def soak(base: str, server_pid: int, duration: float, clients: int, slow_clients: int,
         query_timeout: float, warm_up: float = 3.0, memory_margin: float = 0.10,
         seed: int = 0) -> Report:  # fmt: skip
    """Run the load against a server at ``base`` (its process ``server_pid``), in its steady
    state: once start-up's validation is done (until then the dashboard waits for it, up to
    5 s a page, and a validation worker takes a core), and the caches are warm."""
    timeout = max(30.0, query_timeout * 4)
    with httpx.Client(base_url=base, timeout=300, trust_env=False) as client:
        client.get("/validation")  # (answers when the report is ready, or at its time limit)
    load = os.getloadavg()[0]
    warm_tally = Tally()
    _run(base, warm_up, min(clients, 4), 0, warm_tally, timeout, seed)  # fill caches first
    warm = Memory.of(server_pid)
    tally = Tally()
    _run(base, duration, clients, slow_clients, tally, timeout, seed + 1, query_timeout)
    time.sleep(0.5)
    end = Memory.of(server_pid)
    return Report(duration, clients, slow_clients, query_timeout, tally, warm, end, memory_margin,
                  load)  # fmt: skip


def _run(base: str, duration: float, clients: int, slow_clients: int, tally: Tally,
         timeout: float, seed: int, slow_margin: float = 0.0) -> None:  # fmt: skip
    """``clients`` threads until ``duration`` is over; slow clients send their last query
    ``slow_margin`` seconds earlier (it takes that long to be stopped)."""
    deadline = time.monotonic() + duration
    threads = []
    for i in range(clients):
        slow = i < slow_clients
        end = deadline - slow_margin if slow else deadline
        args = (base, end, _slow if slow else _mix, seed * 1000 + i, tally, timeout, address(i))
        threads.append(threading.Thread(target=_client, args=args, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 10)


def record(section: str, path: Path = RESULTS, heading: str = HEADING) -> None:
    """Put ``section`` into ``path`` in place of the previous one under ``heading``."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    start = text.find(heading)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("" if end < 0 else text[end:])
    path.write_text(text, encoding="utf-8")


def serve_and_soak(state: Path, duration: float, clients: int, slow_clients: int,
                   query_timeout: float, log: Path | None = None) -> Report:  # fmt: skip
    """Start ``plantrace serve`` on the store under ``state`` (defaults but the time limit) and
    run :func:`soak` against it."""
    port = free_port()
    command = [str(BIN / "plantrace"), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--state-dir", str(state), "--query-timeout", f"{query_timeout:g}"]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with started("plantrace serve", command, base, "/status", env=plantrace_env(), log=log,
                 timeout=120) as server:  # fmt: skip
        return soak(base, server.process.pid, duration, clients, slow_clients, query_timeout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--slow-clients", type=int, default=1)
    parser.add_argument("--query-timeout", type=float, default=1.0)
    parser.add_argument("--state-dir", type=Path, help="a built store (default: build one)")
    parser.add_argument("--no-record", action="store_true", help="print, do not write RESULTS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plantrace-soak-") as tmp:
        state = args.state_dir
        if state is None:
            state = Path(tmp) / "state"
            subprocess.run([str(BIN / "plantrace"), "build", "--state-dir", str(state)],
                           cwd=REPO, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        report = serve_and_soak(state, args.duration, args.clients, args.slow_clients,
                                args.query_timeout, Path(tmp) / "serve.log")  # fmt: skip
    command = "python bench/soak.py " + " ".join(
        f"--{k.replace('_', '-')} {v:g}"
        for k, v in (("duration", args.duration), ("clients", args.clients),
                     ("slow_clients", args.slow_clients), ("query_timeout", args.query_timeout))
    )  # fmt: skip
    section = report.render(command)
    print(section)
    if not args.no_record:
        record(section)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
