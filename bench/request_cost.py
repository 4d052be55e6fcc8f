"""Benchmark: what a request costs once the work is done — repeated and never-seen queries, warm
pages against static files, mixed-load throughput and memory (the targets of issue 21).

Per data size (J-LIS, or N synthetic bodies from the cache of :mod:`bench.datasets`), one system
after the other on 127.0.0.1, the same requests (plantrace with the fair share off, as every
request comes from one address, and its row limit and time limit lifted as :mod:`bench.peers`
lifts them, so it sends every row as the Oxigraph server does):

* **repeated query**: the same text again and again (plantrace answers it from its response
  cache, :mod:`api.middleware.response_cache`), p50 against the Oxigraph server's on the same
  store directory;
* **never-seen query**: each request a text not sent before (the same query with a different
  comment line, so neither system can reuse an answer), p50 against the Oxigraph server's — the
  four fixed queries of :mod:`bench.peers` and ``ASK {}`` (the bare cost of a request);
* **pages**: ``/`` and an item's page, warm, against the same bytes served as static files by
  the least server on this stack (:mod:`bench.floor`: uvicorn and Starlette's ``StaticFiles``);
* **throughput** of the mixed load of :mod:`bench.soak` (pages, JSON, SPARQL, one client
  sending runaway queries) with 16 clients, against the figure recorded before caching
  (:data:`BEFORE_RPS`);
* **memory**: resident memory of the server and its workers after all that, in total (PSS:
  a page shared by the forked workers counted once) and as the sum of their RSS.

Run alone: ``.venv/bin/python bench/request_cost.py [--sizes jlis] [--repeat 200]`` (writes its
section into bench/RESULTS.md); ``bench/run.py`` runs it with the rest.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shlex
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench.common import (
    BIN,
    NO_CLIENT_LIMITS,
    Latency,
    Machine,
    free_port,
    latencies,
    mib,
    plantrace_env,
    say,
    started,
    table,
)
from bench.datasets import DEFAULT_CACHE, JLIS, Data
from bench.floor import STATIC as FLOOR_STATIC
from bench.peers import ROW_LIMIT, prepare, queries
from bench.soak import record, serve_and_soak

HEADING = "## Request cost: repeated work, the fixed cost of a request, memory (issue 21)"
ASK = "ASK {}"
REPEATED_FACTOR = 1.0
NEW_FACTOR = 1.5
ASK_FACTOR = 2.5
PAGE_FACTOR = 3.0
THROUGHPUT_FACTOR = 10.0
BEFORE_RPS = 8.0
"""Requests per second of bench/soak.py's mixed load with 16 clients before issue 21 (the
figure the issue quotes: its runaway queries included)."""
MEMORY_MIB = 200.0
SOAK_SECONDS = 30.0
QUERY_TIMEOUT = 120.0
"""plantrace's time limit for the run, as :mod:`bench.peers` gives it: with every row sent, the
grade matrix of 1000 bodies (76,000 rows) takes longer than the default limit."""
PLANTRACE, OXIGRAPH, STATIC = "plantrace", "oxigraph", "static files"


@dataclass
class CostRun:
    """The numbers of one size."""

    size: str
    quads: int
    repeated: dict[str, dict[str, Latency]] = field(default_factory=dict)  # query → system → p
    fresh: dict[str, dict[str, Latency]] = field(default_factory=dict)
    pages: dict[str, dict[str, Latency]] = field(default_factory=dict)  # path → system → p
    memory_kib: int = 0
    memory_pss_kib: int = 0
    processes: int = 0
    rps: float | None = None
    errors: list[str] = field(default_factory=list)


def _sender(client: httpx.Client, url: str, query: str, fresh: Iterator[int] | None) -> Callable[
    [], None
]:
    """A function POSTing ``query`` (with a comment line never sent before, if ``fresh``)."""

    def send() -> None:
        text = query if fresh is None else f"{query}\n# never seen {next(fresh)}"
        answer = client.post(url, data={"query": text},
                             headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        answer.raise_for_status()

    return send


def _getter(client: httpx.Client, url: str) -> Callable[[], None]:
    def get() -> None:
        client.get(url).raise_for_status()

    return get


def _queries(data: Data) -> dict[str, str]:
    return {**queries(data.publisher), ASK: ASK}


def _pages(data: Data) -> list[str]:
    """The dashboard and an item's page; of one body on data of several."""
    if data.size == JLIS:
        return ["/", "/items/I-1"]
    return [f"/?body={data.publisher}", f"/items/I-1?body={data.publisher}"]


def _time_queries(run: CostRun, system: str, url: str, data: Data, repeat: int) -> None:
    fresh = itertools.count()
    with httpx.Client(timeout=600, trust_env=False) as client:
        for what, query in _queries(data).items():
            try:
                _sender(client, url, query, None)()  # warm-up
                same = latencies(_sender(client, url, query, None), repeat)
                new = latencies(_sender(client, url, query, fresh), repeat)
            except httpx.HTTPError as exc:
                run.errors.append(f"{system}, {what}: {exc}"[:200])
                continue
            run.repeated.setdefault(what, {})[system] = Latency.of(same)
            run.fresh.setdefault(what, {})[system] = Latency.of(new)


def _time_pages(run: CostRun, system: str, base: str, paths: dict[str, str], repeat: int) -> None:
    """p50 of GET ``base + paths[page]`` for each page (warm: one GET first)."""
    with httpx.Client(timeout=600, trust_env=False) as client:
        for page, path in paths.items():
            _getter(client, base + path)()
            run.pages.setdefault(page, {})[system] = Latency.of(
                latencies(_getter(client, base + path), repeat)
            )


def measure(data: Data, repeat: int, logs: Path, static: Path) -> CostRun:
    """Every number of :class:`CostRun` at one size, one system after the other."""
    run = CostRun(data.size, data.quads)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "plantrace"), "serve", "--state-dir", str(data.state), "--port", str(port),
               "--query-timeout", f"{QUERY_TIMEOUT:g}"]  # fmt: skip
    say(f"request cost, {data.size}: plantrace")
    env = plantrace_env(row_limit=str(ROW_LIMIT), **NO_CLIENT_LIMITS)  # every row, as Oxigraph
    with started(PLANTRACE, command, base, "/readyz", env=env,
                 log=logs / f"cost-plantrace-{data.size}.log") as server:  # fmt: skip
        with httpx.Client(timeout=600, trust_env=False) as client:
            client.get(base + "/validation").raise_for_status()  # pages then show findings
            for i, path in enumerate(_pages(data)):
                (static / f"page{i}.html").write_bytes(client.get(base + path).content)
        _time_queries(run, PLANTRACE, base + "/sparql", data, repeat)
        _time_pages(run, PLANTRACE, base, {p: p for p in _pages(data)}, repeat)
        memory = server.memory()
        run.memory_kib, run.processes = memory.total_kib, memory.processes
        run.memory_pss_kib = memory.pss_total_kib
    say(f"request cost, {data.size}: the Oxigraph server")
    port = free_port()
    oxigraph = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(data.store_dir),
                "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    with started(OXIGRAPH, oxigraph, f"http://127.0.0.1:{port}", "/query?query=ASK%7B%7D"):
        _time_queries(run, OXIGRAPH, f"http://127.0.0.1:{port}/query", data, repeat)
    say(f"request cost, {data.size}: static files")
    port = free_port()
    floor = [str(BIN / "uvicorn"), "bench.floor:app", "--port", str(port), "--log-level",
             "warning"]  # fmt: skip
    with started(STATIC, floor, f"http://127.0.0.1:{port}", "/ready",
                 env={**os.environ, FLOOR_STATIC: str(static)}):  # fmt: skip
        files = {p: f"/static/page{i}.html" for i, p in enumerate(_pages(data))}
        _time_pages(run, STATIC, f"http://127.0.0.1:{port}", files, repeat)
    say(f"request cost, {data.size}: mixed load, 16 clients, {SOAK_SECONDS:g} s")
    soaked = serve_and_soak(data.state, SOAK_SECONDS, 16, 1, 1.0, logs / "cost-soak.log")
    run.rps = soaked.requests / soaked.duration
    return run


# --- verdicts ----------------------------------------------------------------------------------


@dataclass
class Verdict:
    target: str
    measured: str
    met: bool

    @property
    def label(self) -> str:
        return "met" if self.met else "**missed**"


def _ratios(rows: dict[str, dict[str, Latency]], a: str, b: str) -> dict[str, float]:
    return {what: by[a].p50 / by[b].p50 for what, by in rows.items() if a in by and b in by}


def verdicts(run: CostRun) -> list[Verdict]:
    """The targets of issue 21 against one size's numbers."""
    at = "J-LIS" if run.size == JLIS else f"{run.size} bodies"
    repeated = _ratios(run.repeated, PLANTRACE, OXIGRAPH)
    fresh = _ratios(run.fresh, PLANTRACE, OXIGRAPH)
    fixed = {k: v for k, v in fresh.items() if k != ASK}
    pages = _ratios(run.pages, PLANTRACE, STATIC)

    def listed(ratios: dict[str, float]) -> str:
        return ", ".join(f"{k} {v:.2f}×" for k, v in ratios.items()) or "not measured"

    out = [
        Verdict(f"a repeated query's p50 at most the Oxigraph server's ({at})", listed(repeated),
                bool(repeated) and max(repeated.values()) <= REPEATED_FACTOR),
        Verdict(f"a never-seen fixed query's p50 within {NEW_FACTOR:g}× of the Oxigraph "
                f"server's ({at})", listed(fixed),
                bool(fixed) and max(fixed.values()) <= NEW_FACTOR),
        Verdict(f"a never-seen `ASK {{}}` within {ASK_FACTOR:g}× ({at})",
                listed({ASK: fresh[ASK]} if ASK in fresh else {}),
                fresh.get(ASK, float("inf")) <= ASK_FACTOR),
        Verdict(f"warm pages within {PAGE_FACTOR:g}× of the same bytes as static files ({at})",
                listed(pages), bool(pages) and max(pages.values()) <= PAGE_FACTOR),
    ]  # fmt: skip
    if run.rps is not None:
        out.append(Verdict(
            f"mixed load, 16 clients: at least {THROUGHPUT_FACTOR:g}× the {BEFORE_RPS:g} "
            f"requests/s before ({at})", f"{run.rps:.0f} requests/s "
            f"({run.rps / BEFORE_RPS:.1f}×)", run.rps >= THROUGHPUT_FACTOR * BEFORE_RPS))
    if run.size == JLIS:
        total = run.memory_pss_kib / 1024
        out.append(Verdict(f"server and workers at most {MEMORY_MIB:g} MiB resident in total "
                           "(J-LIS; PSS: each page once)",
                           f"{total:.0f} MiB in {run.processes} processes (sum of their RSS, "
                           f"shared pages once per process: {run.memory_kib / 1024:.0f} MiB)",
                           total <= MEMORY_MIB))
    return out  # fmt: skip


def render(runs: Sequence[CostRun]) -> str:
    """The section's body: the verdicts, then the latencies they come from."""
    rows = [[v.target, v.measured, v.label] for r in runs for v in verdicts(r)]
    lines = [*table(["target", "measured", "verdict"], rows), ""]
    for r in runs:
        lines += [f"### {r.size} ({r.quads:,} quads): p50 / p95 ms", ""]
        body = []
        for what in r.repeated:
            cells = [f"{r.repeated[what][s].p50:.2f} / {r.repeated[what][s].p95:.2f}"
                     if s in r.repeated[what] else "—" for s in (PLANTRACE, OXIGRAPH)]
            cells += [f"{r.fresh[what][s].p50:.2f} / {r.fresh[what][s].p95:.2f}"
                      if s in r.fresh[what] else "—" for s in (PLANTRACE, OXIGRAPH)]
            body.append([what, *cells])  # fmt: skip
        lines += table(["query", "plantrace repeated", "oxigraph repeated",
                        "plantrace never-seen", "oxigraph never-seen"], body)  # fmt: skip
        lines += [""]
        pages = [[p, *(f"{by[s].p50:.2f} / {by[s].p95:.2f}" if s in by else "—"
                       for s in (PLANTRACE, STATIC))] for p, by in r.pages.items()]  # fmt: skip
        lines += [*table(["page", "plantrace (warm)", "static file (bench/floor.py)"], pages), ""]
        lines += [f"resident memory after the run: {mib(r.memory_pss_kib)} MiB in total (PSS; "
                  f"server, fork server and workers, {r.processes} processes; their RSS adds "
                  f"up to {mib(r.memory_kib)} MiB)", ""]  # fmt: skip
        if r.errors:
            lines += ["failed: " + "; ".join(r.errors), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=JLIS, help="jlis and/or numbers of bodies")
    parser.add_argument("--repeat", type=int, default=200, help="samples per request")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--no-record", action="store_true", help="print, do not write RESULTS")
    args = parser.parse_args(argv)
    machine = Machine.now()
    command = shlex.join([".venv/bin/python", "bench/request_cost.py", *sys.argv[1:]])
    with tempfile.TemporaryDirectory(prefix="plantrace-cost-") as tmp:
        work = Path(tmp)
        logs = args.cache / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        runs = []
        for data in prepare(args.sizes.split(","), work, args.seed, args.cache):
            static = work / f"static-{data.size}"
            static.mkdir()
            runs.append(measure(data, args.repeat, logs, static))
    section = "\n".join([HEADING, "", *machine.lines(), f"- command: `{command}`", "",
                         render(runs)])  # fmt: skip
    print(section)
    if not args.no_record:
        record(section, heading=HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
