"""What a server serves: the built store, a dataset file, or a remote store.

:func:`prepare_backend` decides, before the server starts, what the query workers will open —
the built store under the state directory, a dataset file (loaded once into a temporary on-disk
store that workers open read-only), or a remote store — and fails with a one-line
:class:`~kg.errors.PlantraceError` when it cannot, so ``plantrace serve`` reports a missing store
or a broken file like every other command. It needs no web framework: ``plantrace serve``
prepares the backend and starts the query workers before it loads the web stack.

Which data is served — the :class:`Generation` the response cache keys answers by — is the store
the state directory's link names, or for a remote store the token of its last publication
(:class:`RemoteGenerations`).
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from api.workers.worker import WorkerSpec
from kg import queries
from kg.config import RemoteStore, Settings
from kg.dialects import GRAPHS_FRESH
from kg.errors import PlantraceError
from kg.store import STATS_FILE, STORE_LINK, GraphStore, StoreStats, locate, open_store

log = logging.getLogger("plantrace.api")

STAMP_TIMEOUT = 2.0
"""Seconds a request waits for a remote store's publication stamp (to connect, and for each
part of the answer); then it is answered without the cache."""
STAMP_THREADS = 4
"""Threads that read a remote store's publication stamp (each on a kept-alive connection)."""


@dataclass(frozen=True)
class Generation:
    """Which data is served (``token``: changes whenever the data may have) and when it was
    published (``published``, seconds since the epoch)."""

    token: str
    published: float


@dataclass(frozen=True)
class _Seen:
    token: str
    since: float
    """When this server first saw the token (``time.monotonic()``)."""
    wall: float
    """The same, as ``time.time()``."""


class RemoteGenerations:
    """A remote store's generation: the token of its publication stamp
    (:meth:`kg.remote.RemoteGraphStore.publish` writes it in the same update request as the
    graphs), read by one request to the store each time :meth:`read` is called: once per
    request that may be answered from the cache, before it is answered. The request is sent
    from a thread of its own, by :mod:`http.client` on a kept-alive connection, and the event
    loop awaits it without waiting on the store: about 0.6 ms on 127.0.0.1, where an
    ``httpx.AsyncClient`` request took 3.4 ms and a job in a query worker 2 ms (and would queue
    behind slow queries; bench/remote_cache.py). ``None`` (answer without the cache) when the
    store does not answer within ``timeout`` seconds, answers an error, or holds no stamp
    (built by an older plantrace), and:

    - for ``settle`` seconds after a token is first seen: a query worker reuses its list of
      plantrace's graphs (what a query names as its dataset) for up to
      :data:`kg.dialects.GRAPHS_FRESH` seconds, so an answer made meanwhile may still come from
      the previous publication's list, and must not be kept under the new token;
    - when a read answers after one that started later: what it saw may predate what that one
      saw.

    A generation's ``published`` is when this server could first use it (first seen, plus
    ``settle``), on this server's clock: later than every ``Last-Modified`` sent for an earlier
    generation, whatever the clock of the machine that built it.
    """

    def __init__(
        self, endpoint: str, settle: float = GRAPHS_FRESH, timeout: float = STAMP_TIMEOUT
    ) -> None:
        self.endpoint = endpoint
        self.settle = settle
        self.timeout = timeout
        self._where = urlsplit(endpoint)
        query = "&".join(
            filter(None, (self._where.query, urlencode({"query": queries.publication_stamp()})))
        )
        self._path = f"{self._where.path or '/'}?{query}"
        https = self._where.scheme == "https"
        self._connect = http.client.HTTPSConnection if https else http.client.HTTPConnection
        self._idle: list[http.client.HTTPConnection] = []  # kept-alive connections to the store
        self._threads = ThreadPoolExecutor(STAMP_THREADS, thread_name_prefix="plantrace-stamp")
        self._started = 0  # reads started
        self._answered = 0  # the number of the latest-started read that has answered
        self._seen: _Seen | None = None  # what that read saw (None: no stamp)
        self._why = ""  # why the last read gave no token ("": it gave one)

    async def read(self) -> Generation | None:
        """The store's generation now (read from the store)."""
        self._started += 1
        number = self._started
        token = await self._token()
        if number < self._answered:  # a later read answered first
            return None
        self._answered = number
        if token is None:
            self._seen = None
            return None
        if self._seen is None or self._seen.token != token:
            self._seen = _Seen(token, time.monotonic(), time.time())
        return self._usable(self._seen)

    @property
    def token(self) -> str | None:
        """The token the latest read saw, settled or not (no request to the store)."""
        return None if self._seen is None else self._seen.token

    async def settled(self) -> None:
        """Wait until the token the latest read saw is settled (at once if it is, or none)."""
        if self._seen is not None:
            await asyncio.sleep(max(self._seen.since + self.settle - time.monotonic(), 0.0))

    def _usable(self, seen: _Seen) -> Generation | None:
        if time.monotonic() - seen.since < self.settle:
            return None
        return Generation(seen.token, seen.wall + self.settle)

    async def _token(self) -> str | None:
        """The token; when reading it starts or stops failing, a log line says so (the server
        then answers without the cache, which is slower but never wrong)."""
        loop = asyncio.get_running_loop()
        token, why = await loop.run_in_executor(self._threads, self._read_token)
        if why != self._why:
            if why:
                log.warning("%s: answering without the cache: %s", self.endpoint, why)
            else:
                log.info("%s: the publication stamp is read again: caching", self.endpoint)
            self._why = why
        return token

    def _read_token(self, again: bool = True) -> tuple[str | None, str]:
        """The token, or None and why, read on a kept-alive connection (in one of
        :attr:`_threads`); a kept connection the store has closed meanwhile is replaced once."""
        try:
            connection: http.client.HTTPConnection | None = self._idle.pop()
        except IndexError:
            connection = None
        reused = connection is not None
        if connection is None:
            host, port = self._where.hostname or "", self._where.port
            connection = self._connect(host, port, timeout=self.timeout)
        try:
            connection.request("GET", self._path, headers={"Accept": queries.ACCEPT_STAMP})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            if reused and again:
                return self._read_token(again=False)
            return None, f"the store did not answer ({exc or type(exc).__name__})"
        if response.will_close:
            connection.close()
        else:
            self._idle.append(connection)
        if response.status != 200:
            return None, f"the store answered {response.status} {response.reason}"
        token = queries.read_stamp(body)
        return token, "" if token else "the store holds no stamp (built by an older plantrace?)"

    def close(self) -> None:
        self._threads.shutdown(wait=False)
        while self._idle:
            self._idle.pop().close()


@dataclass
class Backend:
    """The store the workers open, and how to clean up after the server stops."""

    kind: Literal["embedded", "dataset", "remote"]
    """The built store under a state directory, an RDF file's data (loaded into a temporary
    store: nothing to rebuild), or a remote store."""
    spec: WorkerSpec
    description: str
    cleanup: Callable[[], None] | None = None
    stamps: RemoteGenerations | None = None
    """A remote store's generations (None for the others)."""

    async def generation(self) -> Generation | None:
        """Which data the workers open now and when it was published (the response cache's
        key, :mod:`api.middleware.response_cache`): the store the state directory's link names
        and the time its build finished, or a remote store's publication
        (:class:`RemoteGenerations`); None while that cannot be told."""
        if self.stamps is not None:
            return await self.stamps.read()
        if not isinstance(self.spec.store, Path):
            return None
        store = self.spec.current()
        try:
            published = os.stat(os.path.join(store, STATS_FILE)).st_mtime
        except OSError:
            return None  # (a store being replaced: answer without the cache meanwhile)
        return Generation(os.path.basename(store), published)

    def close(self) -> None:
        if self.stamps is not None:
            self.stamps.close()
        if self.cleanup is not None:
            self.cleanup()
            self.cleanup = None


def load_dataset(path: Path, into: Path) -> int:
    """Load an RDF dataset file into a new on-disk store at ``into``; returns its size.

    TriG, N-Quads and JSON-LD keep their named graphs; Turtle, N-Triples and RDF/XML go to the
    default graph. When the file has named graphs and no default graph, the default graph is
    made their union, as in a built store.
    """
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise PlantraceError(
            f"{path}: expected an RDF file (.trig, .nq, .ttl, .nt, .jsonld or .rdf)"
        )
    if not path.is_file():
        raise PlantraceError(f"{path}: expected a readable {fmt.name} file")
    store = ox.Store(str(into))
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError) as exc:
        raise PlantraceError(f"{path}: expected valid {fmt.name} ({exc})") from exc
    except OSError as exc:
        raise PlantraceError(f"{path}: expected a readable {fmt.name} file ({exc})") from exc
    if not store.query("ASK { ?s ?p ?o }"):
        # The union of the named graphs as the default graph, read from the file a second
        # time and bulk-loaded (a store is a set, so a triple in two graphs is stored once):
        # an INSERT … WHERE over a large store is many times slower and holds it all in memory.
        triples = (
            ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=fmt)
        )
        store.bulk_extend(triples)
    store.flush()
    stats = StoreStats.count(GraphStore(store))
    stats.write(into)
    del store
    return stats.quads


def prepare_backend(settings: Settings, state_dir: Path | None = None) -> Backend:
    """The store to serve: ``settings.dataset`` if set, else the store :func:`kg.store.locate`
    names (``state_dir``, the remote store, or the built store), checked now."""
    limits: dict[str, Any] = {
        "memory_mib": settings.worker_memory_mib,
        "timeout": settings.query_timeout + 5,
    }
    if settings.dataset is not None:
        tmp = Path(tempfile.mkdtemp(prefix="plantrace-dataset-"))
        try:
            size = load_dataset(settings.dataset, tmp / STORE_LINK)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return Backend(
            "dataset",
            WorkerSpec(tmp, **limits),
            f"dataset {settings.dataset} ({size} quads)",
            lambda: shutil.rmtree(tmp, ignore_errors=True),
        )
    location = locate(settings, state_dir)
    store = open_store(location, timeout=settings.query_timeout)
    try:  # a one-line error now if there is no built store, or the remote one does not answer
        store.query("ASK { ?s ?p ?o }")
    finally:
        store.close()
    if isinstance(location, RemoteStore):
        return Backend(
            "remote",
            WorkerSpec(location, **limits),
            f"remote store {location.query}",
            stamps=RemoteGenerations(location.query),
        )
    return Backend("embedded", WorkerSpec(location, **limits), f"store under {location}")
