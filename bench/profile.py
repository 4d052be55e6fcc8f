"""Benchmark: where the time of a request and of ``plantrace serve``'s start-up goes.

The targets of issue 7 compare plantrace with the Oxigraph server; this splits plantrace's time
into its layers, on the J-LIS build, so a miss can be traced to its cause:

* a SPARQL request: the query in pyoxigraph alone → the worker's job in this process (guard,
  query, JSON writing) → the same job through the worker pool (pickling, a pipe, a worker
  process) → the whole HTTP request to ``plantrace serve`` (uvicorn, FastAPI, the route) — and
  the same request to ``oxigraph serve-read-only`` on the same data;
* an item's trace as the JSON API computes it, profiled with pyinstrument (the call tree);
* start-up: the imports of each process (``python -X importtime``'s totals) and the time from
  launch to the first answers.

Run: ``.venv/bin/python bench/profile.py [--repeat 200]`` (needs the bench extra); prints a
Markdown section (``--out FILE`` writes it).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from api.views.traces import trace
from api.workers.engine_jobs import SparqlRequest, sparql
from api.workers.pool import WorkerPool
from api.workers.worker import Engine, WorkerSpec
from bench.common import (
    BIN,
    NO_CLIENT_LIMITS,
    Machine,
    free_port,
    latencies,
    percentile,
    plantrace_env,
    started,
    table,
    timed,
)
from bench.floor import STORE as FLOOR_STORE
from bench.peers import queries
from kg.build import build
from kg.store import PREFIXES, STORE_LINK

JSON = "application/sparql-results+json"
HEADERS = ["query", "pyoxigraph", "job", "pool", "HTTP", "FastAPI floor", "oxigraph HTTP",
           "HTTP vs oxigraph", "floor vs oxigraph"]  # fmt: skip
IMPORTS = {
    "command line (`kg.cli`)": "import kg.cli",
    "query worker (`kg.cli`, `api.workers.worker`)": "import kg.cli, api.workers.worker",
    "worker after warm-up (+ views, pages, analysis)": "import kg.cli, api.workers.worker; "
    "import api.workers.engine_jobs as j; j.import_views()",
    "server (`kg.cli`, `api.main`, uvicorn)": "import kg.cli, api.main, uvicorn",
}


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    return percentile(latencies(fn, repeat), 0.5) * 1000


def pool_ms(spec: WorkerSpec, request: SparqlRequest, repeat: int) -> float:
    """Median ms of the job through a one-worker pool (the process hop included)."""

    async def measure() -> float:
        pool = WorkerPool(spec, 1)
        await pool.start()
        try:
            await asyncio.sleep(2)  # let the warm-up finish
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                await pool.run(sparql, 30, request)
                samples.append(time.perf_counter() - start)
            return statistics.median(samples) * 1000
        finally:
            await pool.close()

    return asyncio.run(measure())


def http_ms(client: httpx.Client, url: str, query: str, repeat: int) -> float:
    """Median ms of POSTing ``query`` with a comment line never sent before: the path of a
    query plantrace has not answered yet (a repeated one comes from its response cache, which
    ``bench/request_cost.py`` times)."""
    sent = itertools.count()

    def one() -> None:
        text = f"{query}\n# never seen {next(sent)}"
        client.post(url, data={"query": text}, headers={"Accept": JSON}).raise_for_status()

    return median_ms(one, repeat)


def import_seconds(statement: str, repeat: int = 5) -> float:
    """Median wall time of a fresh interpreter running ``statement``."""
    run = partial(subprocess.run, [sys.executable, "-c", statement], check=True)
    return statistics.median(timed(run, repeat))


def trace_profile(engine: Engine) -> str:
    """pyinstrument's call tree of the JSON API's trace of item I-1, run in this process."""
    from pyinstrument import Profiler

    trace(engine, code="I-1")  # warm
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(20):
        trace(engine, code="I-1")
    profiler.stop()
    return str(profiler.output_text(unicode=False, color=False, show_all=False))


def _alone(store: ox.Store, text: str) -> object:
    """The query in pyoxigraph, every row read (an ASK answer as it is)."""
    answer = store.query(text, prefixes=PREFIXES)
    return list(answer) if isinstance(answer, ox.QuerySolutions) else answer


def layers(state: Path, repeat: int) -> list[list[object]]:
    """One row per query: the median ms of each layer."""
    spec = WorkerSpec(state)
    engine = Engine(spec)
    oxi = (state / STORE_LINK).resolve()  # the same store directory, opened read-only by all
    store = ox.Store.read_only(str(oxi))
    port, oport, fport = free_port(), free_port(), free_port()
    serve = [str(BIN / "plantrace"), "serve", "--state-dir", str(state), "--port", str(port)]
    oxigraph = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(oxi), "--bind",
                f"127.0.0.1:{oport}"]  # fmt: skip
    floor = [str(BIN / "uvicorn"), "bench.floor:app", "--port", str(fport), "--log-level",
             "warning"]  # fmt: skip
    base, obase = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{oport}"
    fbase = f"http://127.0.0.1:{fport}"
    texts = {"ASK {}": "ASK {}", **queries("jlis")}
    requests = {w: SparqlRequest(t, (), (), JSON, None, f"{base}/sparql", 100_000)
                for w, t in texts.items()}  # fmt: skip
    # the layers in this process first, with no server running: a server's start-up (its
    # workers' warm-up, the dashboard's validation) would be measured with them
    inner = {
        what: (
            median_ms(partial(_alone, store, text), repeat),
            median_ms(partial(sparql, engine, requests[what]), repeat),
            pool_ms(spec, requests[what], repeat),
        )
        for what, text in texts.items()
    }
    rows: list[list[object]] = []
    with (
        started("plantrace", serve, base, "/sparql?query=ASK%7B%7D",
                env=plantrace_env(**NO_CLIENT_LIMITS)),
        started("oxigraph", oxigraph, obase, "/query?query=ASK%7B%7D"),
        started("floor", floor, fbase, "/ready", env={**os.environ, FLOOR_STORE: str(oxi)}),
        httpx.Client(timeout=60, trust_env=False) as client,
    ):
        client.get(f"{base}/validation").raise_for_status()  # start-up's validation is done
        time.sleep(1)
        for what, text in texts.items():
            alone, job, pooled = inner[what]
            full = http_ms(client, f"{base}/sparql", text, repeat)
            least = http_ms(client, f"{fbase}/sparql", text, repeat)
            reference = http_ms(client, f"{obase}/query", text, repeat)
            rows.append([what, f"{alone:.2f}", f"{job:.2f}", f"{pooled:.2f}", f"{full:.2f}",
                         f"{least:.2f}", f"{reference:.2f}", f"{full / reference:.2f}×",
                         f"{least / reference:.2f}×"])  # fmt: skip
    return rows


HEADING = "## Where the time goes (profile)"


def section(state: Path, repeat: int) -> str:
    """Measure on the built store under ``state`` and write the section's body (Markdown)."""
    rows = layers(state, repeat)
    profile = trace_profile(Engine(WorkerSpec(state)))
    imports = {label: import_seconds(statement) for label, statement in IMPORTS.items()}
    lines = [
        f"Median milliseconds of {repeat} requests per layer, on the J-LIS build; each layer "
        "includes the ones to its left. `pyoxigraph`: the query alone, in process; `job`: the "
        "worker's job in process (guard, query, JSON writing); `pool`: the job through a worker "
        "process; `HTTP`: `plantrace serve` over HTTP (uvicorn, FastAPI); `FastAPI floor`: "
        "the least any endpoint on this stack costs (`bench/floor.py`: one FastAPI route on "
        "uvicorn running the query in process, written by pyoxigraph; no guard, limits or "
        "worker process); `oxigraph`: `oxigraph serve-read-only` on the same data.",
        "",
        *table(HEADERS, rows),
        "",
        "Start-up: wall time of a fresh interpreter importing what each process needs "
        "(median of 5):",
        "",
        *table(["process", "s"], [[k, f"{v:.2f}"] for k, v in imports.items()]),
        "",
        "<details><summary>pyinstrument: the JSON API's trace of item I-1 (20 calls, in the "
        "worker's code)</summary>",
        "",
        "```",
        profile.strip(),
        "```",
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    command = "python bench/profile.py " + " ".join(sys.argv[1:])
    machine = Machine.now()
    with tempfile.TemporaryDirectory(prefix="plantrace-profile-") as tmp:
        state = Path(tmp)
        build(state)
        body = section(state, args.repeat)
    text = "\n".join([HEADING, "", *machine.lines(), f"- command: `{command.strip()}`", "", body])
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
