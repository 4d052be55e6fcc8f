"""A query worker: a separate process that opens the store and runs one job at a time.

pyoxigraph has no query timeout and a running query cannot be interrupted from Python
(docs/architecture.md, "Time limits"), so every query the server runs — SPARQL requests and the
JSON API's and pages' own queries alike — runs here, where :mod:`api.workers.pool` can kill the
whole process when the time limit passes and start a fresh one. Untrusted text is parsed here too
(:mod:`api.workers.guard`), so even a pathological parse is under the time limit.

The store is opened by :func:`kg.store.open_store`, like every command's: the embedded store (and
a served dataset file, loaded into a temporary store first) read-only, so a worker cannot write
whatever it is sent; a remote store over HTTP. Each worker limits its own address space
(``PLANTRACE_WORKER_MEMORY``), so a query that would exhaust memory fails in that worker alone.

A job is a registered function (:mod:`api.jobs`) and its arguments, sent over a pipe as a
:class:`Call` (the function by reference: the worker imports its module when it first needs it);
the answer is ``("ok", value)`` or ``("error", status, message)`` (:mod:`api.workers.http_errors`),
an answer over :data:`LARGE_ANSWER` bytes preceded by ``(LARGE, size)``.

A worker must be quick to start (``plantrace serve`` waits for its first worker, and a killed one
is replaced while requests queue). Workers are forked from a process that has loaded their code
once (:mod:`api.workers.preload`: pyoxigraph, the views, networkx, Jinja, the pydantic models),
so a start costs a fork and opening the store, not over a second of imports.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from api.jobs import JOBS
from api.workers.http_errors import status_of
from kg.store import Location, QueryResult, TripleStore, current, open_store


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker opens (a :data:`kg.store.Location`: a state directory, whose ``store`` link
    is followed when the worker starts, or a remote store) and the limits it runs under."""

    store: Location
    memory_mib: int = 0
    timeout: float = 60.0
    """Seconds a request of a worker to a remote store may take."""
    nice: int = 0
    """Added to the worker's nice value: > 0 yields the CPU to the other workers."""

    def current(self) -> str:
        """Which store a worker started now would open (to notice a rebuild)."""
        return current(self.store)


class Engine:
    """The store a worker runs jobs on. Calling it runs a query of the service's own: it is the
    :data:`kg.queries.QueryFn` the views take as their first argument."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.store: TripleStore = open_store(spec.store, timeout=spec.timeout)
        self.identity = self.store.name

    # Never test a store for truth (``if self.store``): a store is a sized container, so that
    # calls len(), which counts every quad in the store — it once cost 5 ms on every query of
    # the J-LIS graph and grew with the data.

    def __call__(self, sparql: str) -> QueryResult:
        return self.store.query(sparql)


@dataclass(frozen=True)
class Call:
    """A job (a function registered in :data:`api.jobs.JOBS`) and its arguments, as sent to a
    worker; the function travels by reference, so its module loads in the worker on first use."""

    job: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def handle(engine: Engine, call: Call) -> tuple[Any, ...]:
    """Run one job; errors a client caused become their HTTP status and a one-line message
    (:func:`api.workers.http_errors.status_of`), anything else a 500 with its traceback logged."""
    try:
        if call.job not in JOBS:
            raise LookupError(f"{call.job!r} is not a registered job")
        return ("ok", call.job(engine, *call.args, **call.kwargs))
    except Exception as exc:
        status, message = status_of(exc)
        if status == 500:
            traceback.print_exc(file=sys.stderr)
        return ("error", status, message)


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
        conn.send(("failed", f"{spec.current()}: cannot open the store ({exc})"))
        return
    conn.send(("ready", os.getpid(), engine.identity))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            call = pickle.loads(data)
        except Exception as exc:  # a job whose module cannot be imported here: a bug
            traceback.print_exc(file=sys.stderr)
            _answer(conn, ("error", 500, f"internal error: cannot read the job ({exc})"))
            continue
        _answer(conn, handle(engine, call))


LARGE = "large"
LARGE_ANSWER = 1 << 20
"""Bytes above which an answer is announced (``(LARGE, size)``) before it is sent: the pool
reads a small answer in its event loop and a large one in a thread (:mod:`api.workers.pool`)."""


def _answer(conn: Connection, answer: tuple[Any, ...]) -> None:
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)  # what conn.send does
    if len(data) > LARGE_ANSWER:
        conn.send((LARGE, len(data)))
    conn.send_bytes(data)
