"""plantrace on each store it is tested with: the embedded store, ``oxigraph serve`` and
Virtuoso 7.2 (issue 19). For each: ``plantrace build`` and ``plantrace validate`` (wall time and
peak memory of the command), then ``plantrace serve`` on it and the main pages and a JSON
answer (p50/p95 of sequential requests, after one warm-up request each).

Run: ``.venv/bin/python bench/stores.py [--repeat 7] [--no-record]``. Virtuoso is skipped,
saying so, where Debian's ``virtuoso-opensource`` is not installed. The section is written into
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench import virtuoso
from bench.common import (
    BIN,
    Latency,
    Machine,
    Measured,
    free_port,
    latencies,
    mib,
    plantrace_env,
    run_measured,
    started,
    table,
)
from bench.soak import record

HEADING = "## Stores: embedded, Oxigraph server, Virtuoso"
PAGES = ["/", "/items/I-1", "/statutes", "/validation", "/api/items", "/api/items/I-1"]
"""The main pages (``/validation`` waits for the report the first time) and JSON answers."""


@dataclass
class StoreRun:
    """What was measured on one store."""

    name: str
    build: Measured
    validate: Measured
    pages: dict[str, Latency]


@contextmanager
def _store(name: str, tmp: Path) -> Iterator[tuple[dict[str, str], list[str]]]:
    """The environment and the ``--state-dir`` option that point plantrace at store ``name``,
    with its server running for the block."""
    if name == "embedded":
        yield plantrace_env(), ["--state-dir", str(tmp / "state")]
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if name == "oxigraph":
        command = [str(BIN / "oxigraph"), "serve", "--location", str(tmp / "oxigraph"),
                   "--bind", f"127.0.0.1:{port}"]  # fmt: skip
        with started(name, command, base, "/query?query=ASK%7B%7D", log=tmp / "oxigraph.log"):
            yield plantrace_env(store=f"{base}/query"), []
        return
    sql_port = free_port()
    directory = tmp / "virtuoso"
    directory.mkdir()
    command = virtuoso.configure(directory, sql_port, port)
    with started(name, command, base, "/sparql?query=ASK%7B%7D", log=directory / "out.log"):
        virtuoso.grant(sql_port)
        yield plantrace_env(store=f"{base}/sparql"), []


def measure(name: str, tmp: Path, repeat: int) -> StoreRun:
    """Build into store ``name``, validate it, serve it and time the pages."""
    plantrace = str(BIN / "plantrace")
    with _store(name, tmp) as (env, state):
        quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        built = run_measured([plantrace, "build", *state], **quiet)
        checked = run_measured([plantrace, "validate", *state], **quiet)  # no violations: 0
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [plantrace, "serve", "--host", "127.0.0.1", "--port", str(port), *state]
        serving = {**env, "PLANTRACE_EXPORT_TIMEOUT": "600"}
        pages: dict[str, Latency] = {}
        with started("plantrace serve", serve, base, "/readyz", env=serving,
                     log=tmp / f"serve-{name}.log", timeout=300),  \
                httpx.Client(base_url=base, timeout=600, trust_env=False) as client:  # fmt: skip

            def get(path: str) -> None:
                answer = client.get(path)
                if answer.status_code != 200:
                    raise RuntimeError(f"{name}: {path} answered {answer.status_code}")

            for path in PAGES:
                get(path)  # warm up (and, for /validation, wait for the report)
                pages[path] = Latency.of(latencies(partial(get, path), repeat))
    return StoreRun(name, built, checked, pages)


def render(runs: Sequence[StoreRun], skipped: Sequence[str], command: str) -> str:
    """The section for RESULTS.md."""
    lines = [HEADING, "", *Machine.now().lines(), f"- command: `{command}`",
             "- data: the J-LIS documents (about 10,500 triples in 8 graphs); each store local,"
             " on 127.0.0.1; plantrace's defaults (2 query workers)", ""]  # fmt: skip
    lines += table(
        ["store", "build (s)", "build peak (MiB)", "validate (s)", "validate peak (MiB)"],
        [
            (r.name, f"{r.build.seconds:.1f}", mib(r.build.peak_rss_kib),
             f"{r.validate.seconds:.1f}", mib(r.validate.peak_rss_kib))
            for r in runs
        ],
    )
    lines += ["", "Pages and JSON answers of `plantrace serve` on each store, p50 / p95 in ms:", ""]
    lines += table(
        ["path", *(r.name for r in runs)],
        [
            (f"`{p}`", *(f"{r.pages[p].p50:.0f} / {r.pages[p].p95:.0f}" for r in runs))
            for p in PAGES
        ],
    )
    if skipped:
        lines += ["", f"Not measured: {', '.join(skipped)}."]
    return "\n".join([*lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    names = ["embedded", "oxigraph"]
    skipped = []
    if virtuoso.binaries() is None:
        skipped.append("virtuoso (not installed: apt-get install virtuoso-opensource)")
    else:
        names.append("virtuoso")
    runs = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"plantrace-{name}-") as tmp:
            runs.append(measure(name, Path(tmp), args.repeat))
            print(f"{name}: done", file=sys.stderr)
    section = render(runs, skipped, f"python bench/stores.py --repeat {args.repeat}")
    print(section)
    if not args.no_record:
        record(section, heading=HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
