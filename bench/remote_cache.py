"""The response cache on a remote store (issue 21): what reading the store's publication stamp
costs a request, three ways — what the server does (:class:`api.workers.backend.
RemoteGenerations`: :mod:`http.client` in a thread, awaited by the event loop), an
``httpx.AsyncClient`` request, or a job in a query worker that sends one query to the store
(``ready``: ``ASK {}``), each awaited on uvloop as in the server — and a warm item page of
``plantrace serve`` on ``oxigraph serve`` with the cache (a hit, after the stamp read) and
without it (``PLANTRACE_CACHE_BYTES=0``: made again each time, after the stamp read), and on
the embedded store (a hit) by the same client.

Run: ``.venv/bin/python bench/remote_cache.py [--repeat 200] [--pages 21]``; prints the
numbers (p50 / p95 in ms) for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from api.workers.backend import RemoteGenerations
from api.workers.engine_jobs import ready
from api.workers.pool import WorkerPool
from api.workers.worker import WorkerSpec
from bench.common import (
    BIN,
    Latency,
    Machine,
    free_port,
    latencies,
    plantrace_env,
    served,
    started,
)
from kg import queries
from kg.config import RemoteStore
from kg.dialects import GRAPHS_FRESH

PAGE = "/items/I-1"


async def _stamp_reads(endpoint: str, repeat: int) -> list[float]:
    stamps = RemoteGenerations(endpoint)
    out = []
    try:
        for _ in range(repeat):
            t = time.perf_counter()
            await stamps.read()
            out.append(time.perf_counter() - t)
    finally:
        stamps.close()
    return out


async def _httpx_reads(endpoint: str, repeat: int) -> list[float]:
    params = {"query": queries.publication_stamp()}
    headers = {"Accept": queries.ACCEPT_STAMP}
    out = []
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(repeat):
            t = time.perf_counter()
            queries.read_stamp((await client.get(endpoint, params=params, headers=headers)).content)
            out.append(time.perf_counter() - t)
    return out


async def _worker_jobs(endpoint: str, repeat: int) -> list[float]:
    pool = WorkerPool(WorkerSpec(RemoteStore(endpoint)), 1)
    await pool.start()
    out = []
    try:
        await pool.run(ready, 30)  # (the worker's first query reads the store's dialect)
        for _ in range(repeat):
            t = time.perf_counter()
            await pool.run(ready, 30)
            out.append(time.perf_counter() - t)
    finally:
        await pool.close()
    return out


def _page(endpoint: str, tmp: Path, cache_bytes: str, repeat: int) -> Latency:
    """``PAGE`` on ``plantrace serve`` with ``PLANTRACE_CACHE_BYTES=cache_bytes``, warm."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [str(BIN / "plantrace"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = plantrace_env(store=endpoint, cache_bytes=cache_bytes)
    with started("plantrace serve", serve, base, "/readyz", env=env,
                 log=tmp / f"serve-{cache_bytes}.log", timeout=300):  # fmt: skip
        return _warm(base, repeat)


def _warm(base: str, repeat: int) -> Latency:
    """``PAGE`` at ``base``, once a publication is used (kept, where the cache keeps it)."""
    with httpx.Client(base_url=base, timeout=120, trust_env=False) as client:

        def get() -> None:
            if client.get(PAGE).status_code != 200:
                raise RuntimeError(f"{PAGE} did not answer 200")

        get()
        time.sleep(GRAPHS_FRESH + 0.5)  # (a publication is used once the workers caught up)
        get()
        return Latency.of(latencies(get, repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--pages", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plantrace-remote-cache-") as name:
        tmp = Path(name)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        oxigraph = [str(BIN / "oxigraph"), "serve", "--location", str(tmp / "db"),
                    "--bind", f"127.0.0.1:{port}"]  # fmt: skip
        with started("oxigraph", oxigraph, base, "/query?query=ASK%7B%7D",
                     log=tmp / "oxigraph.log"):  # fmt: skip
            endpoint = f"{base}/query"
            subprocess.run([str(BIN / "plantrace"), "build"], env=plantrace_env(store=endpoint),
                           check=True, capture_output=True)  # fmt: skip
            stamp = Latency.of(uvloop.run(_stamp_reads(endpoint, args.repeat)))
            async_httpx = Latency.of(uvloop.run(_httpx_reads(endpoint, args.repeat)))
            job = Latency.of(uvloop.run(_worker_jobs(endpoint, args.repeat)))
            cached = _page(endpoint, tmp, str(32 * 1024 * 1024), args.pages)
            uncached = _page(endpoint, tmp, "0", args.pages)
    with served(None) as base:
        embedded = _warm(base, args.pages)
    print("\n".join(Machine.now().lines()))
    rows = [
        (f"stamp read as the server does it (n={stamp.n})", stamp),
        (f"stamp read by httpx.AsyncClient (n={async_httpx.n})", async_httpx),
        (f"one query in a query worker (`ready`, n={job.n})", job),
        (f"`{PAGE}` on the Oxigraph server, cached (n={cached.n})", cached),
        (f"`{PAGE}` on the Oxigraph server, PLANTRACE_CACHE_BYTES=0 (n={uncached.n})", uncached),
        (f"`{PAGE}` on the embedded store, cached (n={embedded.n})", embedded),
    ]
    for label, latency in rows:
        print(f"- {label}: p50 {latency.p50:.2f} ms, p95 {latency.p95:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
