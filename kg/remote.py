"""An existing triple store as plantrace's store, over SPARQL 1.1 Query, Update and the Graph
Store Protocol (``PLANTRACE_STORE``; docs/architecture.md, "Stores").

:class:`RemoteGraphStore` is a :class:`kg.store.TripleStore`, like the embedded store, so the
commands, the server and the query workers run the same code on either. Tested against
``oxigraph serve``; nothing in it is specific to Oxigraph except the default endpoint layout
(:class:`kg.config.RemoteStore`).

A build fills an embedded store in memory and :meth:`RemoteGraphStore.publish` makes its graphs
the remote store's. Atomicity, as for the embedded store: graph contents travel by the Graph Store
Protocol into *staging* graphs (fresh names under ``…/id/graph/staging/``), and one SPARQL Update
request then moves them into place (``MOVE``), drops what a build no longer produces and
recomputes the default graph. A store applies one update request as one transaction, so readers
see the old graphs or the new, never a mix; a build that fails before that request leaves the
store as it was (its staging graphs are dropped).

The default graph is kept as the union of the named graphs, as in the embedded store, so queries
read the same data without dataset parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kg.config import RemoteStore
from kg.errors import PlantraceError, RemoteError
from kg.namespaces import PTID
from kg.store import (
    PREFIXES,
    REFRESH_DEFAULT,
    Answer,
    GraphStore,
    QueryResult,
    StoreStats,
    export_format,
    graph_sizes,
    write_atomically,
)

STAGING = f"{PTID}graph/staging/"
"""Prefix of the names of staging graphs (never left behind by a finished build)."""


ACCEPT_ANSWER = "application/sparql-results+json, application/n-triples;q=0.9"
_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())



def _nt(term: ox.NamedNode | str) -> str:
    return str(term if isinstance(term, ox.NamedNode) else ox.NamedNode(term))


class RemoteGraphStore:
    """A triple store reached over HTTP, holding plantrace's named graphs (a
    :class:`kg.store.TripleStore`)."""

    def __init__(
        self, endpoints: RemoteStore, timeout: float = 60.0, client: httpx.Client | None = None
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._client = client or httpx.Client(timeout=timeout, trust_env=False)

    @property
    def name(self) -> str:
        """The store's query endpoint."""
        return self.endpoints.query

    def __repr__(self) -> str:
        return f"RemoteGraphStore({self.endpoints.query!r})"

    # --- HTTP ----------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        try:
            response = self._client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise RemoteError(f"{url}: expected a reachable triple store ({exc})") from exc
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:500]
            raise RemoteError(
                f"{url}: the store answered {response.status_code}: {detail}",
                response.status_code,
            )
        return response

    def execute(
        self, sparql: str, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> Answer:  # fmt: skip
        """Run a query as it is (with the store's prefixes and ``base_iri`` declared first);
        the dataset parameters are passed on as the SPARQL protocol's."""
        prologue = (f"BASE <{base_iri}>\n" if base_iri else "") + _PROLOGUE
        form: list[tuple[str, str]] = [("query", prologue + sparql)]
        form += [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        response = self._send(
            "POST",
            self.endpoints.query,
            content=urlencode(form).encode(),
            headers={"Accept": ACCEPT_ANSWER, "Content-Type": "application/x-www-form-urlencoded"},
        )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/sparql-results+json":
            return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        if media == "application/sparql-results+xml":
            return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML)
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise RemoteError(f"{self.endpoints.query}: unexpected answer of type {media!r}")
        return [
            ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, fmt)
        ]

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update request (one transaction in the store)."""
        self._send(
            "POST",
            self.endpoints.update,
            content=sparql.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )

    def put_graph(self, name: str, data: bytes, media: str = "application/n-triples") -> None:
        """Graph Store Protocol PUT: replace graph ``name`` with ``data``."""
        self._send(
            "PUT", self.endpoints.gsp, params={"graph": name}, content=data,
            headers={"Content-Type": media},
        )  # fmt: skip

    def get_graph(self, name: str | None) -> list[ox.Triple]:
        """Graph Store Protocol GET of graph ``name`` (``None``: the default graph)."""
        params = {"graph": name} if name is not None else {"default": ""}
        response = self._send(
            "GET", self.endpoints.gsp, params=params, headers={"Accept": "application/n-triples"}
        )
        quads = ox.parse(response.content, ox.RdfFormat.N_TRIPLES)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]

    # --- the TripleStore interface -------------------------------------------------------------

    def query(self, sparql: str, source: str = "<query>") -> QueryResult:
        """Run a SPARQL 1.1 query over the default graph (the union of all graphs)."""
        try:
            answer = self.execute(sparql)
        except RemoteError as exc:
            if exc.status == 400:
                raise PlantraceError(f"{source}: expected a SPARQL 1.1 query ({exc})") from exc
            raise
        return QueryResult.of(answer)

    def graphs(self) -> set[str]:
        """The names of the store's non-empty named graphs."""
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {g.value for (g,) in result.rows if isinstance(g, ox.NamedNode)}

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph, by graph IRI."""
        return graph_sizes(self)

    def stats(self) -> StoreStats:
        """Counted each time: another client may change a remote store at any time."""
        return StoreStats.count(self)

    def __len__(self) -> int:
        result = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
        )
        (n,) = result.rows[0]
        return int(n.value) if isinstance(n, ox.Literal) else 0

    def publish(self, local: GraphStore) -> None:
        """Make the named graphs of ``local`` the store's plantrace graphs, in one transaction.

        Graphs under ``https://w3id.org/plantrace/id/`` that ``local`` does not hold (documents
        dropped from the manifest) are removed; other graphs in the store are left alone.
        """
        names = sorted(
            {q.graph_name.value for q in local.oxigraph if isinstance(q.graph_name, ox.NamedNode)}
        )
        with self._staging() as stage:
            ops = []
            for name in names:
                data = local.oxigraph.dump(
                    format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)
                )
                ops.append(
                    f"MOVE SILENT GRAPH {_nt(stage(name, data or b''))} TO GRAPH {_nt(name)}"
                )
            stale = [
                g for g in sorted(self.graphs())
                if g.startswith(str(PTID)) and not g.startswith(STAGING) and g not in names
            ]  # fmt: skip
            ops += [f"DROP SILENT GRAPH {_nt(g)}" for g in stale]
            ops.append(REFRESH_DEFAULT)
            self.update(" ;\n".join(ops))

    @contextmanager
    def _staging(self) -> Iterator[_Stager]:
        stager = _Stager(self)
        try:
            yield stager
        finally:
            if stager.names:  # after a successful MOVE these are gone already: SILENT
                with suppress(PlantraceError):
                    self.update(" ;\n".join(f"DROP SILENT GRAPH {_nt(n)}" for n in stager.names))

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """The whole dataset in ``fmt``: its named graphs, or for formats without named graphs
        the default graph (their union)."""
        if fmt.supports_datasets:
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
                for g in sorted(self.graphs())
                for t in self.get_graph(g)
            ]
            return ox.serialize(quads, format=fmt, prefixes=PREFIXES) or b""
        return ox.serialize(self.get_graph(None), format=fmt, prefixes=PREFIXES) or b""

    def export(self, path: Path) -> None:
        """Write the dataset to ``path`` in the format its extension names, atomically."""
        write_atomically(path, self.dump(export_format(path)))

    def close(self) -> None:
        self._client.close()


class _Stager:
    """Puts graph contents into fresh staging graphs and remembers their names."""

    def __init__(self, store: RemoteGraphStore) -> None:
        self.store = store
        self.run = uuid.uuid4().hex[:12]
        self.names: list[str] = []

    def __call__(self, target: str, data: bytes) -> str:
        name = f"{STAGING}{self.run}/{len(self.names)}"
        self.names.append(name)
        self.store.put_graph(name, data)
        return name


@contextmanager
def building(endpoints: RemoteStore) -> Iterator[GraphStore]:
    """A fresh in-memory store whose graphs replace the remote store's plantrace graphs, in one
    transaction, only if the block completes (the remote counterpart of
    :func:`kg.store.building`)."""
    local = GraphStore.memory()
    yield local
    remote = RemoteGraphStore(endpoints)
    try:
        remote.publish(local)
    finally:
        remote.close()
