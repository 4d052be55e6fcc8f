"""What a server serves: the built store, a dataset file, or a remote store.

:func:`prepare_backend` decides, before the server starts, what the query workers will open —
the built store under the state directory, a dataset file (loaded once into a temporary on-disk
store that workers open read-only), or a remote store — and fails with a one-line
:class:`~kg.errors.PlantraceError` when it cannot, so ``plantrace serve`` reports a missing store
or a broken file like every other command. It needs no web framework: ``plantrace serve``
prepares the backend and starts the query workers before it loads the web stack.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

from api.workers.worker import WorkerSpec
from kg.config import RemoteStore, Settings
from kg.errors import PlantraceError
from kg.store import STATS_FILE, STORE_LINK, GraphStore, StoreStats, locate, open_store


@dataclass(frozen=True)
class Generation:
    """Which data is served (``token``: changes whenever the data may have) and when it was
    published (``published``, seconds since the epoch)."""

    token: str
    published: float


@dataclass
class Backend:
    """The store the workers open, and how to clean up after the server stops."""

    kind: Literal["embedded", "dataset", "remote"]
    """The built store under a state directory, an RDF file's data (loaded into a temporary
    store: nothing to rebuild), or a remote store."""
    spec: WorkerSpec
    description: str
    cleanup: Callable[[], None] | None = None

    def generation(self) -> Generation | None:
        """Which data the workers open now and when it was published (the response cache's
        key, :mod:`api.middleware.response_cache`): the store the state directory's link names
        and the time its build finished; None for a remote store, which may change without
        the server knowing."""
        if not isinstance(self.spec.store, Path):
            return None
        store = self.spec.current()
        try:
            published = os.stat(os.path.join(store, STATS_FILE)).st_mtime
        except OSError:
            return None  # (a store being replaced: answer without the cache meanwhile)
        return Generation(os.path.basename(store), published)

    def close(self) -> None:
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
        return Backend("remote", WorkerSpec(location, **limits), f"remote store {location.query}")
    return Backend("embedded", WorkerSpec(location, **limits), f"store under {location}")
