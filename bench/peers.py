"""Benchmark: plantrace against the endpoints a user would pick instead, same data, same queries.

For each data size (the J-LIS build, then synthetic datasets of N bodies from ``plantrace
synth``) it starts, on 127.0.0.1:

* plantrace (``plantrace serve``: the built store, or ``--dataset FILE``);
* the Oxigraph server (``oxigraph serve-read-only`` on a store loaded from the same file, with
  the union of the named graphs materialised as its default graph, as plantrace stores it);
* rdflib-endpoint (rdflib's SPARQL engine behind FastAPI), where it can load the data;

and measures start-up time, latency (p50/p95) of a fixed set of SPARQL queries and JSON
endpoints, and throughput with 1, 4 and 16 concurrent clients. Results are written as Markdown
(``--out``, default bench/RESULTS-peers.md) and printed. Not a test: numbers are recorded.

Run: ``.venv/bin/python bench/peers.py --sizes jlis,10,100 [--repeat 30] [--seconds 5]``
(needs the bench extra: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
PT = "PREFIX pt: <https://w3id.org/plantrace/ontology#>\n"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def queries(publisher: str) -> dict[str, str]:
    """The fixed queries; an item's trace and an article's impact are of one body's data."""
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
  OPTIONAL {{ ?annual pt:implements ?plan ; pt:fiscalYear/pt:year ?year }}
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


JSON_ENDPOINTS = {
    "GET /api/items": "/api/items",
    "GET /api/items/I-1": "/api/items/I-1",
    "GET /api/search?q=稼働率": "/api/search?q=稼働率",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    sparql: str  # query endpoint URL
    base: str
    process: subprocess.Popen[bytes]
    startup: float
    rss: Callable[[], int] = field(default=lambda: 0)


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (KiB), from /proc."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids] + [g for k in kids for g in _children(int(k))]


@contextmanager
def started(name: str, cmd: list[str], sparql: str, base: str, ready: str) -> Iterator[Server]:
    """Start ``cmd``; wait until ``ready`` answers 200; stop it (and its workers) at the end."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    try:
        deadline = t0 + 1800
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}: {' '.join(cmd)}")
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.05)
        yield Server(name, sparql, base, proc, time.perf_counter() - t0, lambda: _rss_kib(proc.pid))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def ask(client: httpx.Client, server: Server, query: str) -> int:
    r = client.post(server.sparql, data={"query": query},
                    headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    r.raise_for_status()
    return len(r.json()["results"]["bindings"])


def latencies(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def throughput(fn: Callable[[], object], clients: int, seconds: float) -> float:
    """Requests per second that ``clients`` threads complete in ``seconds``."""
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        while time.perf_counter() < stop:
            fn()
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


@dataclass
class Row:
    size: str
    system: str
    what: str
    p50: float
    p95: float
    rows: int


def dataset_for(size: str, work: Path) -> tuple[Path | None, Path | None, str]:
    """(state dir, dataset file, publisher id) for a size: the J-LIS build or a synth file."""
    if size == "jlis":
        state = work / "jlis-state"
        subprocess.run([str(BIN / "plantrace"), "build", "--state-dir", str(state)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        out = work / "jlis.nq"
        subprocess.run([str(BIN / "plantrace"), "export", "--state-dir", str(state), "-o",
                        str(out)], check=True)  # fmt: skip
        return state, out, "jlis"
    out = work / f"synth-{size}.nq"
    subprocess.run([str(BIN / "plantrace"), "synth", "--bodies", size, "--seed", "1", "-o",
                    str(out)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return None, out, "body0001"


def systems(
    size: str, state: Path | None, data: Path, work: Path, rdflib_max: int
) -> list[Callable[[], AbstractContextManager[Server]]]:
    """The servers to compare for this size, as context-manager factories."""
    out = []
    port = free_port()
    source = ["--state-dir", str(state)] if state else ["--dataset", str(data)]
    cmd = [str(BIN / "plantrace"), "serve", "--port", str(port), "--query-timeout", "120", *source]
    base = f"http://127.0.0.1:{port}"
    out.append(lambda: started("plantrace", cmd, f"{base}/sparql", base, f"{base}/status"))

    oxi = work / f"oxi-{size}"
    if not oxi.exists():
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(oxi), "--file",
                        str(data)], check=True, stderr=subprocess.DEVNULL)  # fmt: skip
        union = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
        subprocess.run([str(BIN / "oxigraph"), "update", "--location", str(oxi), "--update",
                        union], check=True)  # fmt: skip
    oport = free_port()
    ocmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(oxi), "--bind",
            f"127.0.0.1:{oport}"]  # fmt: skip
    obase = f"http://127.0.0.1:{oport}"
    out.append(lambda: started("oxigraph", ocmd, f"{obase}/query", obase,
                               f"{obase}/query?query=ASK%7B%7D"))  # fmt: skip

    triples = sum(1 for _ in data.open("rb"))
    if triples <= rdflib_max:
        rport = free_port()
        rcmd = [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port",
                str(rport), str(data)]  # fmt: skip
        rbase = f"http://127.0.0.1:{rport}"
        out.append(lambda: started("rdflib-endpoint", rcmd, f"{rbase}/", rbase,
                                   f"{rbase}/?query=ASK%7B%7D"))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="jlis,10,100")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rdflib-max", type=int, default=600_000,
                        help="largest dataset (quads) given to rdflib-endpoint")  # fmt: skip
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS-peers.md"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plantrace-bench-"))
    rows: list[Row] = []
    notes: list[str] = []
    try:
        for size in args.sizes.split(","):
            state, data, publisher = dataset_for(size, work)
            assert data is not None
            quads = sum(1 for _ in data.open("rb"))
            notes.append(f"- {size}: {quads} quads ({data.stat().st_size / 1e6:.1f} MB N-Quads)")
            for factory in systems(size, state, data, work, args.rdflib_max):
                with factory() as server, httpx.Client(timeout=600) as client:
                    notes.append(f"  - {server.name}: start-up {server.startup:.2f} s, "
                                 f"RSS {server.rss() / 1024:.0f} MiB after start")  # fmt: skip
                    for what, q in queries(publisher).items():
                        n = ask(client, server, q)
                        lat = latencies(lambda q=q: ask(client, server, q), args.repeat)
                        rows.append(Row(size, server.name, what, pct(lat, 0.5), pct(lat, 0.95), n))
                    if server.name == "plantrace":
                        for what, path in JSON_ENDPOINTS.items():

                            def get(path: str = path) -> None:
                                client.get(server.base + path).raise_for_status()

                            lat = latencies(get, args.repeat)
                            rows.append(
                                Row(size, server.name, what, pct(lat, 0.5), pct(lat, 0.95), 0)
                            )
                    q = queries(publisher)["grade matrix"]
                    for clients in (1, 4, 16):

                        def one(q: str = q) -> None:
                            with httpx.Client(timeout=600) as c:
                                ask(c, server, q)

                        rps = throughput(one, clients, args.seconds)
                        notes.append(f"  - {server.name}: grade matrix, {clients} clients: "
                                     f"{rps:.1f} req/s")  # fmt: skip
                    notes.append(f"  - {server.name}: RSS {server.rss() / 1024:.0f} MiB at end")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(render(rows, notes, args))
    Path(args.out).write_text(render(rows, notes, args), encoding="utf-8")


def render(rows: list[Row], notes: list[str], args: argparse.Namespace) -> str:
    lines = [
        "## Peers: plantrace, Oxigraph server, rdflib-endpoint",
        "",
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"command: `.venv/bin/python bench/peers.py --sizes {args.sizes} --repeat {args.repeat} "
        f"--seconds {args.seconds}`",
        "",
        "| size | what | system | p50 ms | p95 ms | rows | p50 vs oxigraph | p50 vs rdflib |",
        "|---|---|---|---|---|---|---|---|",
    ]
    index = {(r.size, r.what, r.system): r for r in rows}
    for r in rows:
        oxi = index.get((r.size, r.what, "oxigraph"))
        rdf = index.get((r.size, r.what, "rdflib-endpoint"))
        vs_oxi = f"{r.p50 / oxi.p50:.2f}×" if oxi and r.system == "plantrace" else ""
        vs_rdf = f"{rdf.p50 / r.p50:.1f}× faster" if rdf and r.system == "plantrace" else ""
        lines.append(f"| {r.size} | {r.what} | {r.system} | {r.p50:.1f} | {r.p95:.1f} | "
                     f"{r.rows} | {vs_oxi} | {vs_rdf} |")  # fmt: skip
    return "\n".join([*lines, "", *notes, ""])


if __name__ == "__main__":
    main()
