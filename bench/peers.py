"""Benchmark: plantrace against the endpoints a user would pick instead, same data, same queries.

For each data size (the J-LIS build, then synthetic datasets of N bodies, from the cache of
:mod:`bench.datasets`) it starts, one after the other, on 127.0.0.1:

* plantrace (``plantrace serve --state-dir D``: the built store, or the cached synthetic store);
* the Oxigraph server (``oxigraph serve-read-only`` on the very same store directory, whose
  default graph is the union of the named graphs, as plantrace stores it);
* rdflib-endpoint (rdflib's SPARQL engine behind FastAPI) on the same data as N-Quads, where it
  can hold the data: a size is skipped when the resident memory per million quads measured at a
  smaller size, times this size, would not fit in three quarters of the machine's memory.

and measures start-up (time until the server answers, and until the first query answers; for
plantrace also until a page answers), latency (p50/p95) of a fixed set of SPARQL queries and,
for plantrace, its JSON endpoints and pages, throughput with 1, 4 and 16 concurrent clients,
and resident memory after start and after the queries. Not a test: numbers are recorded.

Run alone: ``.venv/bin/python bench/peers.py --sizes jlis,10,100 [--repeat 30] [--seconds 5]``
(writes ``--out``, default bench/RESULTS-peers.md); ``bench/run.py`` runs it with the rest.
Needs the bench extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench.common import (
    BIN,
    NO_CLIENT_LIMITS,
    REPO,
    Latency,
    Machine,
    Memory,
    Probe,
    free_port,
    latencies,
    mib,
    plantrace_env,
    ram_kib,
    say,
    started,
    table,
    throughput,
)
from bench.datasets import DEFAULT_CACHE, JLIS, Data, jlis, synthetic

PT = "PREFIX pt: <https://w3id.org/plantrace/ontology#>\n"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
PLANTRACE, OXIGRAPH, RDFLIB = "plantrace", "oxigraph", "rdflib-endpoint"
SYSTEMS = (PLANTRACE, OXIGRAPH, RDFLIB)
CLIENTS = (1, 4, 16)
READY, FIRST_QUERY, PAGE = "server answers", "first query", "page /"
PROBES = (READY, FIRST_QUERY, PAGE)
"""What start-up is timed until: the server answers a query at all (``ASK {}``, on each system),
the grade matrix is answered, a page (plantrace only) is answered. (Not plantrace's
``/status``: it counts every quad of the store, which takes a minute at 1000 bodies.)"""
QUIET_STARTS = 3
"""Launches that time start-up alone (:func:`quiet_startup`); their medians fill the first two
start-up columns. Not for rdflib-endpoint, which takes minutes to load 100 bodies: its start-up
comes from the measuring launch."""
ROW_LIMIT = 100_000_000
"""``PLANTRACE_ROW_LIMIT`` for the run: above any answer here, so that plantrace sends every row,
as the peers do (its default, 10,000, would cut the grade matrix of 100 bodies)."""
RDFLIB_SHARE = 0.75
"""rdflib-endpoint is given a size only if its estimated memory fits in this share of RAM."""
RDFLIB_UNMEASURED_MAX = 600_000
"""Without a measured figure, rdflib-endpoint is given at most this many quads."""


def queries(publisher: str) -> dict[str, str]:
    """The fixed queries; an item's trace and an article's impact are of one body's data.

    In the item's trace the fiscal year is a nested OPTIONAL: Oxigraph 0.5.13 evaluates
    ``OPTIONAL { ?annual pt:implements ?plan ; pt:fiscalYear/pt:year ?year }`` without the
    bindings of its left side, over the whole store (6.8 s at 1000 bodies; nested as here:
    2 ms, the same rows).
    """
    item = f"<https://w3id.org/plantrace/id/{publisher}/item/I-1>"
    return {
        "grade matrix": PT
        + SKOS
        + """SELECT ?code ?year ?grade WHERE {
  ?e a pt:MinisterialEvaluation ; pt:evaluates/pt:code ?code ;
     pt:fiscalYear/pt:year ?year ; pt:grade/skos:notation ?grade .
} ORDER BY ?code ?year""",
        "item trace": PT
        + f"""SELECT ?goal ?plan ?annual ?year ?ind ?value WHERE {{
  ?goal a pt:GoalClause ; pt:item {item} .
  ?plan pt:implements ?goal .
  OPTIONAL {{ ?annual pt:implements ?plan . OPTIONAL {{ ?annual pt:fiscalYear/pt:year ?year }} }}
  OPTIONAL {{ ?ind pt:measures ?plan . OPTIONAL {{ ?obs pt:indicator ?ind ; pt:value ?value }} }}
}}""",
        "provision impact": PT
        + f"""SELECT DISTINCT ?node WHERE {{
  {item} pt:legalBasis ?p .
  {{ ?i pt:legalBasis ?p . BIND(?i AS ?node) }}
  UNION {{ ?i pt:legalBasis ?p . ?node pt:item ?i }}
}}""",
        "text search": PT
        + """SELECT ?clause ?text WHERE {
  ?clause a pt:PlanClause ; pt:text ?text . FILTER(CONTAINS(?text, "稼働率"))
} LIMIT 50""",
    }


def endpoints(publisher: str) -> dict[str, str]:
    """plantrace's own endpoints timed: one body's grade matrix and item trace as JSON
    (``?body=``, the publisher the SPARQL queries ask about), a search of that body's texts and
    one over every body's texts, and the pages: the dashboard (on data of several bodies, the
    list of bodies), one body's dashboard and an item's page."""
    return {
        "GET /api/items?body=…": f"/api/items?body={publisher}",
        "GET /api/items/I-1?body=…": f"/api/items/I-1?body={publisher}",
        "GET /api/search?q=稼働率&body=…": f"/api/search?q=稼働率&body={publisher}",
        "GET /api/search?q=稼働率": "/api/search?q=稼働率",
        "page GET /": "/",
        "page GET /?body=…": f"/?body={publisher}",
        "page GET /items/I-1?body=…": f"/items/I-1?body={publisher}",
    }


ENDPOINTS = frozenset(endpoints(""))
"""Their names, as in the tables."""


@dataclass
class Spec:
    """How to start one system on one size."""

    name: str
    cmd: list[str]
    base: str
    ready: str
    query_path: str
    probes: dict[str, Probe] = field(default_factory=dict)
    env: dict[str, str] | None = None


@dataclass
class SystemRun:
    """One system's numbers at one size (or why it was not run)."""

    system: str
    first_answers: dict[str, float] = field(default_factory=dict)  # probe → s from launch
    memory_start: Memory | None = None
    memory_end: Memory | None = None
    latency: dict[str, Latency] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    throughput: dict[int, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # what → why it failed
    skipped: str | None = None


@dataclass
class SizeRun:
    """Everything measured at one size."""

    size: str
    quads: int
    file_bytes: int
    store_bytes: int
    made_s: float | None
    load_s: float | None
    load_peak_kib: int | None
    systems: list[SystemRun]

    @property
    def millions(self) -> float:
        return self.quads / 1e6

    def system(self, name: str) -> SystemRun | None:
        return next((s for s in self.systems if s.system == name and not s.skipped), None)


def specs(data: Data, query_timeout: float) -> dict[str, Spec]:
    """The command lines of the three systems for ``data`` (``{port}``: a free port)."""
    grade_matrix = {"query": queries(data.publisher)["grade matrix"]}
    commands: list[tuple[str, list[str], str, str, dict[str, Probe], dict[str, str] | None]] = [
        (
            PLANTRACE,
            ["plantrace", "serve", "--state-dir", str(data.state), "--port", "{port}",
             "--query-timeout", f"{query_timeout:g}"],
            "/sparql?query=ASK%7B%7D",
            "/sparql",
            {PAGE: ("GET", "/", None)},
            plantrace_env(row_limit=str(ROW_LIMIT), **NO_CLIENT_LIMITS),
        ),
        (
            OXIGRAPH,
            ["oxigraph", "serve-read-only", "--location", str(data.store_dir), "--bind",
             "127.0.0.1:{port}"],
            "/query?query=ASK%7B%7D",
            "/query",
            {},
            None,
        ),
        (
            RDFLIB,
            ["rdflib-endpoint", "serve", "--host", "127.0.0.1", "--port", "{port}",
             str(data.nquads)],
            "/?query=ASK%7B%7D",
            "/",
            {},
            None,
        ),
    ]  # fmt: skip
    out = {}
    for name, argv, ready, query, probes, env in commands:
        port = str(free_port())
        cmd = [str(BIN / argv[0]), *(a.replace("{port}", port) for a in argv[1:])]
        probes = {FIRST_QUERY: ("POST", query, grade_matrix), **probes}
        out[name] = Spec(name, cmd, f"http://127.0.0.1:{port}", ready, query, probes, env)
    return out


def ask(client: httpx.Client, url: str, query: str) -> int:
    """Run a SELECT; the number of rows of its answer."""
    r = client.post(
        url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    r.raise_for_status()
    return len(r.json()["results"]["bindings"])


def measure(
    spec: Spec, data: Data, repeat: int, seconds: float, budget: float, log: Path | None = None
) -> SystemRun:
    """Start ``spec``'s server; the queries (and plantrace's endpoints and pages), throughput,
    memory."""
    run = SystemRun(spec.name)
    starts = QUIET_STARTS if spec.name != RDFLIB else 0
    quiet = [quiet_startup(spec, data, log) for _ in range(starts)]
    with (
        started(
            spec.name, spec.cmd, spec.base, spec.ready, probes=spec.probes, env=spec.env, log=log
        ) as server,
        httpx.Client(timeout=600, trust_env=False) as client,
    ):
        run.first_answers = {READY: server.startup, **server.first_answers}
        if quiet:
            run.first_answers[READY] = statistics.median(ready for ready, _ in quiet)
            run.first_answers[FIRST_QUERY] = statistics.median(first for _, first in quiet)
        run.errors.update({f"start-up, {k}": v for k, v in server.probe_errors.items()})
        run.memory_start = server.memory()
        url = spec.base + spec.query_path
        for what, query in queries(data.publisher).items():
            _measure_one(run, what, partial(ask, client, url, query), repeat, budget)
        if spec.name == PLANTRACE:
            for what, path in endpoints(data.publisher).items():
                _measure_one(run, what, partial(get, client, spec.base + path), repeat, budget)
        query = queries(data.publisher)["grade matrix"]
        for clients in CLIENTS:
            rps, failed = throughput(partial(ask, url=url, query=query), clients, seconds)
            run.throughput[clients] = rps
            if failed:
                run.errors[f"throughput, {clients} clients"] = f"{failed} requests failed"
        run.memory_end = server.memory()
    return run


def quiet_startup(spec: Spec, data: Data, log: Path | None) -> tuple[float, float]:
    """Seconds from launch until ``ASK {}`` answers, polled alone, and until the grade matrix,
    sent then, answers. In the measuring launch every probe is polled at once, and plantrace
    answers as soon as one worker is ready: a page probe taking that worker would make
    ``ASK {}`` wait for the next one, which is not start-up."""
    with (
        started(spec.name, spec.cmd, spec.base, spec.ready, env=spec.env, log=log) as server,
        httpx.Client(timeout=600, trust_env=False) as client,
    ):
        sent = time.perf_counter()
        ask(client, spec.base + spec.query_path, queries(data.publisher)["grade matrix"])
        return server.startup, server.startup + time.perf_counter() - sent


def get(client: httpx.Client, url: str) -> int:
    """GET a JSON endpoint; 0 (its rows are not counted)."""
    client.get(url).raise_for_status()
    return 0


def _measure_one(
    run: SystemRun, what: str, fn: Callable[[], int], repeat: int, budget: float
) -> None:
    """Latency of ``fn`` into ``run``; a request that fails is recorded, not raised: one
    system's failure at one size (a time limit, a killed worker) must not end the run."""
    try:
        run.rows[what] = fn()  # also the warm-up
        run.latency[what] = Latency.of(latencies(fn, repeat, budget))
    except httpx.HTTPError as exc:
        status = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else None
        run.errors[what] = f"HTTP {status}" if status else f"{type(exc).__name__}: {exc}"[:200]


def rdflib_skip(quads: int, loaded: Sequence[SizeRun], ram: int) -> str | None:
    """Why rdflib-endpoint is not given ``quads`` quads, or None to run it.

    The estimate is the resident memory per million quads after loading, measured at the
    largest size it held in this run, times this size; it must fit in :data:`RDFLIB_SHARE` of
    the machine's memory (``ram``, KiB). Without a measured size, :data:`RDFLIB_UNMEASURED_MAX`.
    """
    measured = [(r, s) for r in loaded if (s := r.system(RDFLIB)) and s.memory_start]
    if not measured:
        if quads <= RDFLIB_UNMEASURED_MAX:
            return None
        return (
            f"not run: no smaller size measured in this run to estimate its memory from, "
            f"and {quads:,} quads > {RDFLIB_UNMEASURED_MAX:,}"
        )
    run, system = max(measured, key=lambda rs: rs[0].quads)
    assert system.memory_start is not None
    per_million = system.memory_start.total_kib / run.millions
    need = per_million * quads / 1e6
    if need <= RDFLIB_SHARE * ram:
        return None
    return (
        f"not run: at {run.size} ({run.millions:.2f} M quads) rdflib-endpoint held "
        f"{mib(system.memory_start.total_kib)} MiB after loading, {mib(per_million)} MiB per "
        f"million quads; {quads / 1e6:.2f} M quads would need about {need / 1024**2:.1f} GiB, "
        f"more than {RDFLIB_SHARE:.0%} of the machine's {ram / 1024**2:.1f} GiB"
    )


def run_size(
    data: Data,
    previous: Sequence[SizeRun],
    repeat: int,
    seconds: float,
    budget: float,
    query_timeout: float = 120,
    logs: Path | None = None,
    systems: Sequence[str] = SYSTEMS,
) -> SizeRun:
    """All systems on one size, one after the other (``previous``: smaller sizes already run,
    for the rdflib-endpoint estimate)."""
    out = SizeRun(
        data.size,
        data.quads,
        data.file_bytes,
        data.store_bytes,
        data.made.seconds if data.made else None,
        data.loaded.seconds if data.loaded else None,
        data.loaded.peak_rss_kib if data.loaded else None,
        [],
    )
    for name, spec in specs(data, query_timeout).items():
        if name not in systems:
            continue
        skip = rdflib_skip(data.quads, previous, ram_kib()) if name == RDFLIB else None
        if skip:
            out.systems.append(SystemRun(name, skipped=skip))
            continue
        say(f"{data.size}: {name}")
        log = logs / f"{name}-{data.size}.log" if logs else None
        out.systems.append(measure(spec, data, repeat, seconds, budget, log))
    return out


# --- rendering ---------------------------------------------------------------------------------


def ratios(run: SizeRun, a: str, b: str) -> dict[str, float]:
    """p50 of system ``a`` over p50 of system ``b``, per SPARQL query both answered."""
    sa, sb = run.system(a), run.system(b)
    out = {}
    for what in queries("x"):
        la, lb = (s.latency.get(what) if s else None for s in (sa, sb))
        if la is not None and lb is not None and lb.p50 > 0:
            out[what] = la.p50 / lb.p50
    return out


def speedup(x: float) -> str:
    """``x`` = the other's time over plantrace's, in words."""
    return f"{x:.1f}× faster" if x >= 1 else f"{1 / x:.1f}× slower"


def largest(runs: Sequence[SizeRun], system: str) -> SizeRun | None:
    """The largest size at which both plantrace and ``system`` ran."""
    both = [r for r in runs if r.system(PLANTRACE) and r.system(system)]
    return max(both, key=lambda r: r.quads, default=None)


def render(runs: Sequence[SizeRun]) -> str:
    """Latency, ratios, throughput, start-up and memory, one table each."""
    lines = ["### Latency (ms) of the fixed queries", ""]
    rows = []
    for r in runs:
        vs_oxi, vs_rdf = ratios(r, PLANTRACE, OXIGRAPH), ratios(r, RDFLIB, PLANTRACE)
        for what in queries("x"):
            cells = [_cell(r.system(n), what) for n in SYSTEMS]
            oxi = f"{vs_oxi[what]:.2f}×" if what in vs_oxi else "—"
            rdf = speedup(vs_rdf[what]) if what in vs_rdf else "—"
            rows.append([r.size, what, *cells, oxi, rdf])
    lines += table(
        [
            "size",
            "query",
            "plantrace p50 / p95 (rows)",
            "oxigraph p50 / p95 (rows)",
            "rdflib-endpoint p50 / p95 (rows)",
            "plantrace ÷ oxigraph (p50)",
            "plantrace vs rdflib (p50)",
        ],
        rows,
    )
    lines += ["", "### JSON endpoints and pages of plantrace (ms)", ""]
    lines += table(
        ["size", "endpoint", "p50", "p95", "n"],
        [
            [r.size, what, f"{lat.p50:.1f}", f"{lat.p95:.1f}", lat.n]
            for r in runs
            if (p := r.system(PLANTRACE))
            for what, lat in p.latency.items()
            if what in ENDPOINTS
        ],
    )
    lines += [
        "",
        "`…` is the body the SPARQL item trace asks about (`jlis`, or `body0001` on synthetic "
        "data); the search without `body` is over every body's texts.",
        "",
    ]
    lines += ["### Throughput (grade matrix, requests per second)", ""]
    lines += table(
        ["size", "system", *(f"{c} client{'s' if c > 1 else ''}" for c in CLIENTS)],
        [
            [r.size, s.system, *(f"{s.throughput.get(c, 0):.1f}" for c in CLIENTS)]
            for r in runs
            for s in r.systems
            if not s.skipped
        ],
    )
    lines += ["", "### Start-up (seconds from launch until the first 200)", ""]
    lines += table(
        ["size", "system", "server answers", "first query (grade matrix)", "page /"],
        [
            [r.size, s.system, *(_startup_cell(s, p) for p in PROBES)]
            for r in runs
            for s in r.systems
            if not s.skipped
        ],
    )
    lines += [
        "",
        f"'Server answers': `ASK {{}}` answered (on every system), polled every 20 ms from "
        f"the launch with nothing else asked; 'first query': the grade matrix, sent as soon as "
        f"`ASK {{}}` answered. Both the median of {QUIET_STARTS} launches (rdflib-endpoint: "
        "one, with the grade matrix polled alongside). 'page /': polled every 20 ms from the "
        "launch of the measuring run, alongside the others.",
        "",
        "### Memory",
        "",
    ]
    lines += table(
        [
            "size",
            "quads",
            "system",
            "RSS after start MiB",
            "RSS after queries MiB",
            "MiB per M quads (after queries)",
            "processes",
        ],
        [
            [
                r.size,
                f"{r.quads:,}",
                s.system,
                mib(s.memory_start.total_kib),
                mib(s.memory_end.total_kib),
                mib(s.memory_end.total_kib / r.millions),
                s.memory_end.processes,
            ]
            for r in runs
            for s in r.systems
            if s.memory_start and s.memory_end
        ],
    )
    lines += [
        "",
        "RSS is that of the server with all its child processes (plantrace: the "
        "server and its query workers).",
    ]
    failed = [f"- {r.size}, {s.system}, {what}: {why}" for r in runs for s in r.systems
              for what, why in s.errors.items()]  # fmt: skip
    if failed:
        lines += ["", "Failed (left out of the tables above):", "", *failed]
    skipped = [f"- {r.size}, {s.system}: {s.skipped}" for r in runs for s in r.systems if s.skipped]
    if skipped:
        lines += ["", "Not run:", "", *skipped]
    return "\n".join(lines) + "\n"


def _cell(system: SystemRun | None, what: str) -> str:
    if system is not None and what in system.errors:
        return "failed"
    if system is None or what not in system.latency:
        return "—"
    lat = system.latency[what]
    return f"{lat.p50:.1f} / {lat.p95:.1f} ({system.rows.get(what, 0)})"


def _startup_cell(system: SystemRun, probe: str) -> str:
    if f"start-up, {probe}" in system.errors:
        return "failed"
    x = system.first_answers.get(probe)
    return "—" if x is None else f"{x:.2f}"


# --- alone -------------------------------------------------------------------------------------


def prepare(sizes: Sequence[str], work: Path, seed: int, cache: Path) -> list[Data]:
    """The data of each size, smallest first (J-LIS built afresh, synthetic from the cache)."""
    ordered = sorted(sizes, key=lambda s: -1 if s == JLIS else int(s))
    return [jlis(work) if s == JLIS else synthetic(int(s), seed, cache) for s in ordered]


def run_all(
    data: Sequence[Data], repeat: int, seconds: float, budget: float, logs: Path | None = None
) -> list[SizeRun]:
    runs: list[SizeRun] = []
    for d in data:
        runs.append(run_size(d, runs, repeat, seconds, budget, logs=logs))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="jlis,10,100")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds at most per query's latency samples (at least 3)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS-peers.md")
    args = parser.parse_args()
    machine = Machine.now()
    with tempfile.TemporaryDirectory(prefix="plantrace-bench-") as tmp:
        data = prepare(args.sizes.split(","), Path(tmp), args.seed, args.cache)
        runs = run_all(data, args.repeat, args.seconds, args.budget)
    command = " ".join(["python bench/peers.py", *sys.argv[1:]])
    text = "\n".join(
        [
            "## Peers: plantrace, Oxigraph server, rdflib-endpoint",
            "",
            *machine.lines(),
            f"- command: `{command}`",
            "",
            render(runs),
        ]
    )
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
