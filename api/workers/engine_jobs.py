"""Jobs that need the worker's store itself, not only its query function: SPARQL protocol
requests, the service's status, whole-dataset dumps, the dataset and service descriptions with
the store's recorded sizes, and the warm-up after a worker starts.

They are ordinary registered jobs (:mod:`api.jobs`) whose first parameter is the worker's
:class:`~api.workers.worker.Engine`; this module is imported by the worker when a first such
job arrives (a SPARQL request, usually), so it imports only what a SPARQL request needs.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox

from api.jobs import job, long_job
from api.views import formats
from api.workers import guard
from api.workers.worker import Engine
from kg.store import PREFIXES


@dataclass(frozen=True)
class SparqlRequest:
    """A SPARQL 1.1 Protocol query request, as the route parsed it."""

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
    form: str | None = None  # select, ask, construct, describe (for the request log)


def _offers(form: str) -> tuple[list[str], bool]:
    if form == "select":
        return formats.TABULAR, False
    if form == "ask":
        return formats.BOOLEAN, False
    return formats.GRAPH, True


@job
def sparql(engine: Engine, request: SparqlRequest) -> SparqlAnswer:
    """Check, run and write one SPARQL protocol request (nothing runs that the guard refuses)."""
    checked = guard.check(request.query, request.base_iri, PREFIXES)
    if checked.form is not None:  # refuse an unacceptable format before running anything
        offers, rdf = _offers(checked.form)
        formats.choose(request.accept, request.format, offers, rdf)
    named = [*checked.from_graphs, *checked.from_named]
    if named:
        held = engine.store.graphs()
        foreign = [g for g in named if g not in held]
        if foreign:
            raise guard.Refused(
                f"FROM <{foreign[0]}> names no graph in this store; this endpoint never "
                "fetches remote data (graphs held: see the service description at /sparql)"
            )
    try:
        answer = engine.store.execute(
            request.query,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            base_iri=request.base_iri,
        )
    except SyntaxError as exc:
        raise guard.Malformed(f"malformed query: {exc}") from None
    limit = request.row_limit
    if isinstance(answer, ox.QueryBoolean):
        media = formats.choose(request.accept, request.format, formats.BOOLEAN, False)
        return SparqlAnswer(media, formats.boolean(bool(answer), media), False, None, "ask")
    if isinstance(answer, ox.QuerySolutions):
        media = formats.choose(request.accept, request.format, formats.TABULAR, False)
        names = [v.value for v in answer.variables]
        rows = [tuple(s) for s in islice(answer, limit + 1)]  # values in the order of names
        truncated = len(rows) > limit
        rows = rows[:limit]
        body = formats.SELECT_WRITERS[media](names, rows, truncated)
        return SparqlAnswer(media, body, truncated, len(rows), checked.form or "select")
    media = formats.choose(request.accept, request.format, formats.GRAPH, True)
    triples = list(islice(answer, limit + 1))
    truncated = len(triples) > limit
    triples = triples[:limit]
    body = formats.triples(triples, media, truncated)
    return SparqlAnswer(media, body, truncated, len(triples), checked.form)


@job
def status(engine: Engine) -> dict[str, Any]:
    """Which store the worker serves and its sizes (recorded, for a store on disk)."""
    stats = engine.store.stats()
    return {"store": engine.identity, "triples": stats.quads, "graphs": stats.graphs}


@job
def ready(engine: Engine) -> bool:
    """Whether the worker's store answers a query (``/readyz``)."""
    return engine.store.query("ASK {}").boolean is not None


@long_job
def dump(engine: Engine, media: str) -> bytes:
    """The whole dataset as ``media`` (a download)."""
    return engine.store.dump(formats.RDF_FORMATS[media])


@job
def void(engine: Engine, base_url: str, media: str) -> bytes:
    """The VoID and DCAT description (:func:`api.views.dataset_description.void`) with the
    store's recorded sizes rather than a count of every quad."""
    from api.views import dataset_description

    sizes = engine.store.stats().graphs
    return dataset_description.void(engine, base_url, media, sizes)


@job
def service_description(engine: Engine, endpoint: str, media: str) -> bytes:
    """The SPARQL service description (:func:`api.views.dataset_description.service_description`)
    with the store's recorded sizes."""
    from api.views import dataset_description

    sizes = engine.store.stats().graphs
    return dataset_description.service_description(engine, endpoint, media, sizes)


def import_views() -> None:
    """Import every module of :mod:`api.views` (registering their jobs), and build search's
    table of what NFKC changes (it took 0.1 s of each worker's first search): done once, in the
    process workers are forked from (:mod:`api.workers.preload`)."""
    import api.views
    from api.views.matching import sources

    for module in pkgutil.iter_modules(api.views.__path__, "api.views."):
        importlib.import_module(module.name)
    sources("a")
