"""An existing triple store as plantrace's store, over SPARQL 1.1 Query, Update and the Graph
Store Protocol (``PLANTRACE_STORE``; DESIGN.md, "Store").

:class:`RemoteGraphStore` has the interface of :class:`kg.store.GraphStore` that builds, queries,
exports and the server use (``query``, ``graph_sizes``, ``load_ontology``, ``replace_graph``,
``refresh_default_graph``, ``dump``, ``export``, ``len``), so the same code runs on either.
Tested against ``oxigraph serve``; nothing in it is specific to Oxigraph except the default
endpoint layout (:class:`kg.config.RemoteStore`).

Atomicity, as for the embedded store: graph contents travel by the Graph Store Protocol into
*staging* graphs (fresh names under ``…/id/graph/staging/``), and one SPARQL Update request then
moves them into place (``MOVE``), drops what a build no longer produces and recomputes the
default graph. A store applies one update request as one transaction, so readers see the old
graphs or the new, never a mix; a build that fails before that request leaves the store as it
was (its staging graphs are dropped).

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
from rdflib import Graph

from kg.config import RemoteStore
from kg.errors import PlantraceError, RemoteError
from kg.namespaces import PTID
from kg.ontology import ONTOLOGY_PATH
from kg.rdf import ONTOLOGY_GRAPH
from kg.store import PREFIXES, GraphStore, QueryResult

STAGING = f"{PTID}graph/staging/"
"""Prefix of the names of staging graphs (never left behind by a finished build)."""

REFRESH_DEFAULT = "DROP SILENT DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
"""Makes the default graph the union of the named graphs."""

ACCEPT_ANSWER = "application/sparql-results+json, application/n-triples;q=0.9"
_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


Answer = ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]


def _nt(term: ox.NamedNode | str) -> str:
    return str(term if isinstance(term, ox.NamedNode) else ox.NamedNode(term))


class RemoteGraphStore(GraphStore):
    """A triple store reached over HTTP, holding plantrace's named graphs.

    A :class:`GraphStore` (so code typed for one takes either) whose every method goes over
    HTTP; only :attr:`oxigraph`, the embedded store's engine, does not exist here.
    """

    def __init__(
        self, endpoints: RemoteStore, timeout: float = 60.0, client: httpx.Client | None = None
    ) -> None:
        self._store = None
        self.endpoints = endpoints
        self.timeout = timeout
        self._client = client or httpx.Client(timeout=timeout, trust_env=False)

    def __repr__(self) -> str:
        return f"RemoteGraphStore({self.endpoints.query!r})"

    @property
    def oxigraph(self) -> ox.Store:
        raise PlantraceError(f"{self.endpoints.query}: a remote store has no embedded engine")

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
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        prefixes: bool = True,
    ) -> Answer:
        """Run a query as it is (with the store's prefixes and ``base_iri`` declared first);
        the dataset parameters are passed on as the SPARQL protocol's."""
        prologue = (f"BASE <{base_iri}>\n" if base_iri else "") + (_PROLOGUE if prefixes else "")
        form: list[tuple[str, str]] = [("query", prologue + sparql)]
        form += [("default-graph-uri", g) for g in default_graphs or ()]
        form += [("named-graph-uri", g) for g in named_graphs or ()]
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

    # --- the GraphStore interface --------------------------------------------------------------

    def query(self, sparql: str, source: str = "<query>") -> QueryResult:
        """Run a SPARQL 1.1 query over the default graph (the union of all graphs)."""
        try:
            answer = self.execute(sparql)
        except RemoteError as exc:
            if exc.status == 400:
                raise PlantraceError(f"{source}: expected a SPARQL 1.1 query ({exc})") from exc
            raise
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult([], boolean=bool(answer))
        if isinstance(answer, list):
            return QueryResult(
                ["subject", "predicate", "object"],
                [(t.subject, t.predicate, t.object) for t in answer],
            )
        names = [v.value for v in answer.variables]
        return QueryResult(names, [tuple(s) for s in answer])  # values in the order of names

    def graphs(self) -> list[str]:
        """The names of the store's non-empty named graphs."""
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(g.value for (g,) in result.rows if isinstance(g, ox.NamedNode))

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph, by graph IRI."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {
            g.value: int(n.value)
            for g, n in result.rows
            if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal)
        }

    def __len__(self) -> int:
        result = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
        )
        (n,) = result.rows[0]
        return int(n.value) if isinstance(n, ox.Literal) else 0

    def load_ontology(self, path: Path = ONTOLOGY_PATH) -> None:
        """(Re)load the ontology into its own named graph."""
        self.put_graph(str(ONTOLOGY_GRAPH), path.read_bytes(), "text/turtle")

    def replace_graph(self, replaced: Graph, *merged: Graph, refresh: bool = True) -> None:
        """Replace the named graph ``replaced`` and add the triples of ``merged``, atomically
        (as :meth:`kg.store.GraphStore.replace_graph`)."""
        with self._staging() as stage:
            first = stage(str(replaced.identifier), _ntriples(replaced))
            ops = [f"MOVE SILENT GRAPH {_nt(first)} TO GRAPH {_nt(str(replaced.identifier))}"]
            for g in merged:
                s = stage(str(g.identifier), _ntriples(g))
                ops.append(f"ADD SILENT GRAPH {_nt(s)} TO GRAPH {_nt(str(g.identifier))}")
                ops.append(f"DROP SILENT GRAPH {_nt(s)}")
            if refresh:
                ops.append(REFRESH_DEFAULT)
            self.update(" ;\n".join(ops))

    def refresh_default_graph(self) -> None:
        """Make the default graph the union of all named graphs."""
        self.update(REFRESH_DEFAULT)

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
                g for g in self.graphs()
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
                for g in self.graphs()
                for t in self.get_graph(g)
            ]
            return ox.serialize(quads, format=fmt, prefixes=PREFIXES) or b""
        return ox.serialize(self.get_graph(None), format=fmt, prefixes=PREFIXES) or b""

    def flush(self) -> None:
        """Nothing to do: each request is committed by the store."""

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


def _ntriples(graph: Graph) -> bytes:
    return graph.serialize(format="nt", encoding="utf-8")


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
