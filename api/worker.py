"""A query worker: a separate process that opens the store and runs one job at a time.

pyoxigraph has no query timeout and a running query cannot be interrupted from Python
(DESIGN.md, "Store"), so every query the server runs — SPARQL requests and the JSON API's own
queries alike — runs here, where :mod:`api.pool` can kill the whole process when the time limit
passes and start a fresh one. Untrusted text is parsed here too (:mod:`api.guard`), so even a
pathological parse is under the time limit.

The embedded store (and a served dataset file, loaded into a temporary store first) is opened
with ``Store.read_only``: a worker cannot write, whatever it is sent. A remote store is reached
over HTTP (:class:`kg.remote.RemoteGraphStore`). Each worker limits its own address space
(``PLANTRACE_WORKER_MEMORY``), so a query that would exhaust memory fails in that worker alone.

Jobs and answers are plain picklable values sent over a pipe: ``(name, kwargs)`` in,
``("ok", value)`` or ``("error", status, message)`` out (an answer over :data:`LARGE_ANSWER`
bytes preceded by ``(LARGE, size)``).

A worker must be quick to start (``plantrace serve`` waits for its workers, and a killed one is
replaced while requests queue), so this module imports only what a SPARQL request needs; the
views, pages and graph analysis (networkx, Jinja, pydantic models: over a second of imports)
load in a background thread when the pool sends the ``warm_up`` job (:func:`warm_up`; the pool
does so once the worker is ready, after the server's own imports), or on the first job that
needs them, whichever comes first.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyoxigraph as ox

from api import formats, guard
from api.errors import Invalid, NotFound
from api.formats import NotAcceptable
from kg.config import RemoteStore
from kg.errors import PlantraceError, RemoteError
from kg.store import PREFIXES, GraphStore, QueryResult, StoreStats

if TYPE_CHECKING:
    from kg.remote import RemoteGraphStore


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker opens: an on-disk store (``path``; for ``embedded`` the state directory's
    ``store`` link, followed when the worker starts) or a remote store."""

    kind: Literal["embedded", "dataset", "remote"]
    path: str | None = None
    remote: RemoteStore | None = None
    sources_dir: str = ""
    memory_mib: int = 0
    timeout: float = 60.0
    nice: int = 0  # added to the worker's nice value: >0 yields the CPU to the other workers

    def current(self) -> str:
        """Which store a worker started now would open (to notice a rebuild)."""
        if self.kind == "embedded" and self.path:
            return str(Path(self.path).resolve())
        if self.kind == "remote" and self.remote:
            return self.remote.query
        return self.path or ""


class Engine:
    """The store a worker runs queries on, embedded or remote, behind one interface."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.identity = spec.current()
        self.remote: RemoteGraphStore | None = None
        self._stats: StoreStats | None = None
        self.store: GraphStore
        if spec.kind == "remote":
            from kg.remote import RemoteGraphStore  # httpx loads for a remote store only

            assert spec.remote is not None
            self.store = self.remote = RemoteGraphStore(spec.remote, timeout=spec.timeout)
        else:
            self.store = GraphStore(ox.Store.read_only(self.identity))

    # Never test a store for truth (``self.local or self.remote``): a GraphStore is a sized
    # container, so that calls len(), which counts every quad in the store — it once cost
    # 5 ms on every query of the J-LIS graph and grew with the data.

    def query(self, sparql: str) -> QueryResult:
        """A query of the service's own (the :data:`kg.queries.QueryFn` of the views)."""
        return self.store.query(sparql)

    def graphs(self) -> set[str]:
        if self.remote is not None:
            return set(self.remote.graphs())
        return {g.value for g in self.store.oxigraph.named_graphs() if isinstance(g, ox.NamedNode)}

    def execute(
        self,
        text: str,
        default_graphs: tuple[str, ...],
        named_graphs: tuple[str, ...],
        base_iri: str,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]:
        """Run a checked SPARQL request; a protocol dataset replaces the default one."""
        if self.remote is not None:
            return self.remote.execute(
                text, default_graphs=default_graphs, named_graphs=named_graphs, base_iri=base_iri
            )
        if not (default_graphs or named_graphs):
            return self.store.oxigraph.query(text, prefixes=PREFIXES, base_iri=base_iri)
        return self.store.oxigraph.query(
            text,
            prefixes=PREFIXES,
            base_iri=base_iri,
            default_graph=[ox.NamedNode(g) for g in default_graphs],
            named_graphs=[ox.NamedNode(g) for g in named_graphs],
        )

    def dump(self, media: str) -> bytes:
        return self.store.dump(formats.RDF_FORMATS[media])

    def stats(self) -> StoreStats:
        """The store's sizes: for a store on disk, as recorded when it was made (else counted
        once: a worker's store never changes); a remote store is counted each time."""
        if self.remote is not None:
            return StoreStats.count(self.remote)
        if self._stats is None:
            self._stats = StoreStats.read(Path(self.identity)) or StoreStats.count(self.store)
        return self._stats


# --- jobs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparqlRequest:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    accept: str | None
    format: str | None
    base_iri: str
    row_limit: int


@dataclass(frozen=True)
class SparqlAnswer:
    media: str
    body: bytes
    truncated: bool
    count: int | None  # rows or triples written; None for ASK


def _offers(form: str) -> tuple[list[str], bool]:
    if form == "select":
        return formats.TABULAR, False
    if form == "ask":
        return formats.BOOLEAN, False
    return formats.GRAPH, True


def sparql(engine: Engine, request: SparqlRequest) -> SparqlAnswer:
    """Check, run and write one SPARQL protocol request."""
    checked = guard.check(request.query, request.base_iri, PREFIXES)
    if checked.form is not None:  # refuse an unacceptable format before running anything
        offers, rdf = _offers(checked.form)
        formats.choose(request.accept, request.format, offers, rdf)
    named = [*checked.from_graphs, *checked.from_named]
    if named:
        held = engine.graphs()
        foreign = [g for g in named if g not in held]
        if foreign:
            raise guard.Refused(
                f"FROM <{foreign[0]}> names no graph in this store; this endpoint never "
                "fetches remote data (graphs held: see the service description at /sparql)"
            )
    try:
        answer = engine.execute(
            request.query, request.default_graphs, request.named_graphs, request.base_iri
        )
    except SyntaxError as exc:
        raise guard.Malformed(f"malformed query: {exc}") from None
    limit = request.row_limit
    if isinstance(answer, ox.QueryBoolean):
        media = formats.choose(request.accept, request.format, formats.BOOLEAN, False)
        return SparqlAnswer(media, formats.boolean(bool(answer), media), False, None)
    if isinstance(answer, ox.QuerySolutions):
        media = formats.choose(request.accept, request.format, formats.TABULAR, False)
        names = [v.value for v in answer.variables]
        rows = [tuple(s) for s in islice(answer, limit + 1)]  # values in the order of names
        truncated = len(rows) > limit
        rows = rows[:limit]
        body = formats.SELECT_WRITERS[media](names, rows, truncated)
        return SparqlAnswer(media, body, truncated, len(rows))
    media = formats.choose(request.accept, request.format, formats.GRAPH, True)
    triples = list(islice(answer, limit + 1))
    truncated = len(triples) > limit
    triples = triples[:limit]
    return SparqlAnswer(media, formats.triples(triples, media, truncated), truncated, len(triples))


def status(engine: Engine) -> dict[str, Any]:
    stats = engine.stats()
    return {"store": engine.identity, "triples": stats.quads, "graphs": stats.graphs}


JOBS: dict[str, tuple[str, str]] = {
    "items": ("api.views", "items"),
    "trace": ("api.views", "trace"),
    "years": ("api.views", "years"),
    "evaluations": ("api.views", "evaluations_of_year"),
    "differences": ("api.views", "differences"),
    "statutes": ("api.views", "statutes"),
    "impact": ("api.views", "impact"),
    "search": ("api.views", "search"),
    "trace_csv": ("api.tracecsv", "trace_csv"),
    "void": ("api.linked", "void"),
    "service_description": ("api.linked", "service_description"),
    "describe": ("api.linked", "describe"),
    "analysis_coverage": ("api.analysis", "coverage"),
    "analysis_gaps": ("api.analysis", "gaps"),
    "analysis_impact": ("api.analysis", "impact"),
    "analysis_path": ("api.analysis", "path"),
    "page_dashboard": ("api.pages", "dashboard_page"),
    "page_item": ("api.pages", "item_page"),
    "page_statutes": ("api.pages", "statutes_page"),
    "page_provision": ("api.pages", "provision_page"),
    "page_validation": ("api.pages", "validation_page"),
    "page_query": ("api.pages", "query_page"),
}
"""Jobs that are a function of the query function and keyword arguments: the module and the
function's name, imported when first used (see the module doc)."""


SIZED = frozenset({"void", "service_description"})
"""Jobs that report each graph's size: they are given the store's recorded sizes
(:meth:`Engine.stats`) rather than count every quad."""


def job_function(name: str) -> Callable[..., Any]:
    """The function of job ``name`` (KeyError if there is none)."""
    module, function = JOBS[name]
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


def warm_up() -> None:
    """Import every job's module now, and build search's table of what NFKC changes, so the
    first page or API request does not wait for them (the table took 0.1 s of each worker's
    first search)."""
    for module in dict.fromkeys(m for m, _ in JOBS.values()):
        importlib.import_module(module)
    from api.matching import sources

    sources("a")


def handle(engine: Engine, name: str, kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Run one job; errors a client caused become their HTTP status and a one-line message."""
    try:
        if name == "sparql":
            value: Any = sparql(engine, kwargs["job"])
        elif name == "status":
            value = status(engine)
        elif name == "dump":
            value = engine.dump(kwargs["media"])
        elif name == "page":
            from api.linked import resource_page

            value = resource_page(engine.query, kwargs["iri"], Path(engine.spec.sources_dir))
        elif name in SIZED:
            value = job_function(name)(engine.query, sizes=engine.stats().graphs, **kwargs)
        elif name == "warm_up":
            threading.Thread(target=warm_up, name="plantrace-warm-up", daemon=True).start()
            value = None
        elif name == "crash":  # for tests of the pool: the worker dies mid-job
            os._exit(3)
        else:
            value = job_function(name)(engine.query, **kwargs)
        return ("ok", value)
    except guard.Refused as exc:
        return ("error", 403, str(exc))
    except guard.Malformed as exc:
        return ("error", 400, str(exc))
    except NotAcceptable as exc:
        return ("error", exc.status, str(exc))
    except NotFound as exc:
        return ("error", 404, str(exc))
    except Invalid as exc:
        return ("error", 400, str(exc))
    except RemoteError as exc:
        if exc.status == 0:  # no answer: the store is down or restarting; ask to retry
            return ("error", 503, f"the triple store is not reachable; try again later ({exc})")
        return ("error", 400 if exc.status == 400 else 502, str(exc))
    except RecursionError:
        return ("error", 400, "malformed request: it nests too deeply to be read")
    except MemoryError:
        return ("error", 503, "the query needed more memory than a query worker may use")
    except PlantraceError as exc:
        return ("error", 400, str(exc))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return ("error", 500, f"internal error: {type(exc).__name__}: {exc}")


STACK_MIB = 256
"""Stack of the thread that runs jobs. pyoxigraph parses and evaluates recursively: on the
default 8 MiB a long chain (``?a && ?b && …``, ``{ } UNION { } UNION …``) of a few ten
kilobytes overflows it and kills the process; with this much such a query is answered or
stopped at the time limit. Address space only: pages are touched as the recursion goes."""


def main(conn: Connection, spec: WorkerSpec) -> None:
    """The worker process: open the store, say ready, then answer jobs until the pipe closes
    (in a thread with a :data:`STACK_MIB` stack)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    if spec.nice:
        os.nice(spec.nice)
    if spec.memory_mib > 0:
        limit = spec.memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stack = STACK_MIB if spec.memory_mib <= 0 else max(8, min(STACK_MIB, spec.memory_mib // 4))
    threading.stack_size(stack * 1024 * 1024)
    runner = threading.Thread(target=_serve, args=(conn, spec), name="plantrace-jobs")
    runner.start()
    threading.stack_size(0)  # only the job thread needs the deep stack (not the warm-up's)
    runner.join()


def _serve(conn: Connection, spec: WorkerSpec) -> None:
    try:
        engine = Engine(spec)
    except Exception as exc:
        conn.send(("failed", f"{spec.path or spec.kind}: cannot open the store ({exc})"))
        return
    conn.send(("ready", os.getpid(), engine.identity))
    while True:
        try:
            name, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        _answer(conn, handle(engine, name, kwargs))


LARGE = "large"
LARGE_ANSWER = 1 << 20
"""Bytes above which an answer is announced (``(LARGE, size)``) before it is sent: the pool
reads a small answer in its event loop and a large one in a thread (:mod:`api.pool`)."""


def _answer(conn: Connection, answer: tuple[Any, ...]) -> None:
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)  # what conn.send does
    if len(data) > LARGE_ANSWER:
        conn.send((LARGE, len(data)))
    conn.send_bytes(data)
