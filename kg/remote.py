"""An existing triple store as plantrace's store, over SPARQL 1.1 Query, Update and the Graph
Store Protocol (``PLANTRACE_STORE``; docs/integrators.md, "An external triple store").

:class:`RemoteGraphStore` is a :class:`kg.store.TripleStore`, like the embedded store, so the
commands, the server and the query workers run the same code on either. Whatever differs between
stores (where the union of the graphs is kept, ``MOVE``, checksums, endpoints) is the store's
:class:`kg.dialects.Dialect`; tested against ``oxigraph serve`` and Virtuoso 7.2.

A build fills an embedded store in memory and :meth:`RemoteGraphStore.publish` makes its graphs
the remote store's. Nothing is ever lost (issue 19): graph contents travel by the Graph Store
Protocol into *staging* graphs (fresh names under ``…/id/graph/staging/``), each checked against
what was sent (size and, where the store allows, a checksum); one SPARQL Update request then puts
them in place (``MOVE``, or a copy where ``MOVE`` cannot be trusted), drops what a build no longer
produces and recomputes the union; and the store is read back: every graph must hold exactly what
was published. If it does not, the previous graphs (read before the switch) are put back and the
build fails with the store's own answer. A store applies one update request as one transaction,
so readers see the old graphs or the new.

The same request stamps the publication (:data:`~kg.namespaces.PUBLICATION_GRAPH`: a fresh
token and the time, :func:`kg.queries.stamp_publication`), and putting the previous graphs back
stamps it anew: the token changes whenever plantrace's graphs may have, so a server keys the
answers it keeps by it (:func:`kg.queries.read_stamp`, :mod:`api.middleware.response_cache`).
The stamp is not data: it is outside the union, dumps and the list of plantrace's graphs.

Reading refuses a store that holds no plantrace graph (:class:`kg.errors.NoData`): a store that
was never built, or lost its data, must not look like one whose answers are empty.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kg import queries
from kg.config import ENV_STORE_DIALECT, ENV_STORE_GSP, ENV_STORE_UPDATE, RemoteStore
from kg.dialects import GRAPHS_FRESH, STAGING, UNION_GRAPH, Dialect, detect, named, own_graph
from kg.errors import NoData, PlantraceError, RemoteError
from kg.namespaces import PTID, PUBLICATION_GRAPH
from kg.store import (
    PREFIXES,
    Answer,
    GraphStore,
    QueryResult,
    StoreStats,
    export_format,
    write_atomically,
)

__all__ = ["GRAPHS_FRESH", "STAGING", "UNION_GRAPH", "RemoteGraphStore", "building"]

ACCEPT_ANSWER = "application/sparql-results+json, application/n-triples;q=0.9"
_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

_STATES_DATASET = re.compile(r"\bFROM\s+(NAMED\s+)?(<|\w*:)", re.IGNORECASE)
"""A query that states its own dataset (``FROM``/``FROM NAMED``), which the SPARQL protocol's
dataset parameters would replace (a string that merely looks like one only loses the union)."""

_BNODE_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def relabel_blank_nodes(content: bytes) -> bytes:
    """SPARQL JSON results with every blank-node label that is not a valid N-Triples label
    (Virtuoso's ``nodeID://b10000``, which the format allows) replaced by one that is; the same
    label always gives the same replacement, so joins across rows hold."""
    data = json.loads(content)
    for binding in data.get("results", {}).get("bindings", []):
        for value in binding.values():
            label = value.get("value", "") if isinstance(value, dict) else ""
            if value.get("type") == "bnode" and not _BNODE_LABEL.fullmatch(label):
                value["value"] = "b" + hashlib.sha1(label.encode()).hexdigest()[:20]
    return json.dumps(data).encode()


def new_stamp() -> str:
    """The update that stamps a publication (:func:`kg.queries.stamp_publication`)."""
    issued = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return queries.stamp_publication(uuid.uuid4().hex, issued)


class RemoteGraphStore:
    """A triple store reached over HTTP, holding plantrace's named graphs (a
    :class:`kg.store.TripleStore`)."""

    def __init__(
        self, endpoints: RemoteStore, timeout: float = 60.0, client: httpx.Client | None = None
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._client = client or httpx.Client(timeout=timeout, trust_env=False)
        self._dialect: Dialect | None = named(endpoints.dialect) if endpoints.dialect else None
        self._graphs: tuple[float, list[str]] | None = None

    @property
    def name(self) -> str:
        """The store's query endpoint."""
        return self.endpoints.query

    def __repr__(self) -> str:
        return f"RemoteGraphStore({self.endpoints.query!r})"

    # --- the store's dialect and endpoints ------------------------------------------------------

    @property
    def dialect(self) -> Dialect:
        """``PLANTRACE_STORE_DIALECT``, else detected from the store's ``Server`` header (one
        request, the first time it is needed)."""
        if self._dialect is None:
            response = self._send(
                "GET", self.endpoints.query, params={"query": queries.probe()},
                headers={"Accept": ACCEPT_ANSWER},
            )  # fmt: skip
            self._dialect = detect(response.headers.get("server", ""), self.endpoints.query)
        return self._dialect

    @property
    def update_endpoint(self) -> str:
        """``PLANTRACE_STORE_UPDATE``, else where the dialect keeps it."""
        return self.endpoints.update or self.dialect.update_endpoint(self.endpoints.query)

    @property
    def gsp_endpoint(self) -> str:
        """``PLANTRACE_STORE_GSP``, else where the dialect keeps it."""
        return self.endpoints.gsp or self.dialect.gsp_endpoint(self.endpoints.query)

    def _hint(self, url: str) -> str:
        """What to set when an endpoint derived from ``PLANTRACE_STORE`` does not exist."""
        derived = {
            self.dialect.update_endpoint(self.endpoints.query): (self.endpoints.update, "update"),
            self.dialect.gsp_endpoint(self.endpoints.query): (self.endpoints.gsp, "Graph Store"),
        }
        given, role = derived.get(url, ("-", ""))
        if given:
            return ""
        return (
            f" (the {role} endpoint, derived from PLANTRACE_STORE for a {self.dialect.name}"
            f" store: set {ENV_STORE_UPDATE} and {ENV_STORE_GSP} to the store's SPARQL Update"
            f" and Graph Store endpoints, or {ENV_STORE_DIALECT}; see docs/integrators.md)"
        )

    # --- HTTP ----------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        try:
            response = self._client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise RemoteError(f"{url}: expected a reachable triple store ({exc})") from exc
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:500]
            hint = self._hint(url) if response.status_code in (404, 405) else ""
            raise RemoteError(
                f"{url}: the store answered {response.status_code}: {detail}{hint}",
                response.status_code,
            )
        return response

    def _run(
        self, sparql: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> Answer:  # fmt: skip
        """Send a query with these dataset parameters, read the answer."""
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
            content = response.content
            if b'"bnode"' in content:
                content = relabel_blank_nodes(content)
            return ox.parse_query_results(content, format=ox.QueryResultsFormat.JSON)
        if media == "application/sparql-results+xml":
            return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML)
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise RemoteError(f"{self.endpoints.query}: unexpected answer of type {media!r}")
        return [
            ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, fmt)
        ]

    def _rows(self, sparql: str) -> list[tuple[str | None, ...]]:
        """A query of the store's upkeep over the whole store (no dataset named), as rows of
        plain values."""
        result = QueryResult.of(self._run(sparql))
        return [tuple(t.value if t is not None else None for t in row) for row in result.rows]  # type: ignore[union-attr]

    def execute(
        self, sparql: str, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> Answer:  # fmt: skip
        """Run a query as it is (with the store's prefixes and ``base_iri`` declared first). The
        dataset parameters, when given, are passed on as the SPARQL protocol's; when not, the
        query reads plantrace's dataset (:meth:`dataset`)."""
        if not (default_graphs or named_graphs):
            default, named = self.dataset()
            if not _STATES_DATASET.search(sparql):  # the protocol's would override its FROM
                default_graphs, named_graphs = default, named
        return self._run(sparql, default_graphs, named_graphs, base_iri)

    def update(self, sparql: str) -> str:
        """Run a SPARQL Update request (one transaction in the store); the store's answer, as
        text, for messages."""
        response = self._send(
            "POST",
            self.update_endpoint,
            content=sparql.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        text = " ".join(response.text.split())[:300]
        return f"{response.status_code} {text}".strip()

    def put_graph(self, name: str, data: bytes, media: str = "application/n-triples") -> None:
        """Graph Store Protocol PUT: replace graph ``name`` with ``data``."""
        self._send(
            "PUT", self.gsp_endpoint, params={"graph": name}, content=data,
            headers={"Content-Type": media},
        )  # fmt: skip

    def publication(self) -> str | None:
        """The token of the store's last publication (:func:`kg.queries.read_stamp`)."""
        response = self._send(
            "GET", self.endpoints.query, params={"query": queries.publication_stamp()},
            headers={"Accept": queries.ACCEPT_STAMP},
        )  # fmt: skip
        return queries.read_stamp(response.content)

    def get_graph_data(self, name: str | None) -> bytes:
        """Graph Store Protocol GET of graph ``name`` (``None``: the default graph) as
        N-Triples."""
        params = {"graph": name} if name is not None else {"default": ""}
        response = self._send(
            "GET", self.gsp_endpoint, params=params, headers={"Accept": "application/n-triples"}
        )
        return response.content

    def get_graph(self, name: str | None) -> list[ox.Triple]:
        """Graph Store Protocol GET of graph ``name`` (``None``: the default graph)."""
        quads = ox.parse(self.get_graph_data(name), ox.RdfFormat.N_TRIPLES)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]

    # --- plantrace's graphs in the store -------------------------------------------------------

    def _graph_counts(self, prefix: str) -> dict[str, int]:
        """The store's non-empty graphs under ``prefix`` and their triples."""
        rows = self._rows(queries.graph_counts())
        return {str(g): int(n or 0) for g, n in rows if g and str(g).startswith(prefix)}

    def _own_graphs(self, fresh: bool = False) -> list[str]:
        """plantrace's graphs in the store (:func:`kg.dialects.own_graph`), read again when
        ``fresh`` or older than :data:`GRAPHS_FRESH` seconds."""
        now = time.monotonic()
        if fresh or self._graphs is None or now - self._graphs[0] > GRAPHS_FRESH:
            self._graphs = (now, sorted(g for g in self._graph_counts(str(PTID)) if own_graph(g)))
        return self._graphs[1]

    def dataset(self) -> tuple[list[str], list[str]]:
        """The ``default-graph-uri`` and ``named-graph-uri`` every query of plantrace's data
        names: none where the union is the store's default graph, else the union graph and
        plantrace's graphs. A store without plantrace's graphs is a :class:`NoData`."""
        graphs = self._own_graphs()
        if not graphs:
            raise NoData(
                f"{self.name}: expected a store holding plantrace's graphs, found none"
                " (run `plantrace build` with PLANTRACE_STORE set to it)"
            )
        if self.dialect.union_in_default:
            return [], []
        return [UNION_GRAPH], graphs

    # --- the TripleStore interface -------------------------------------------------------------

    def query(self, sparql: str, source: str = "<query>") -> QueryResult:
        """Run a SPARQL 1.1 query over the union of plantrace's graphs."""
        try:
            answer = self.execute(sparql)
        except RemoteError as exc:
            if exc.status == 400:
                raise PlantraceError(f"{source}: expected a SPARQL 1.1 query ({exc})") from exc
            raise
        return QueryResult.of(answer)

    def graphs(self) -> set[str]:
        """The names of plantrace's non-empty graphs in the store (never the store's others)."""
        return set(self._own_graphs(fresh=True))

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each of plantrace's graphs, by graph IRI."""
        self.dataset()  # refuses a store without plantrace's data
        return {g: n for g, n in self._graph_counts(str(PTID)).items() if own_graph(g)}

    def stats(self) -> StoreStats:
        """Counted each time: another client may change a remote store at any time."""
        return StoreStats.count(self)

    def _union_size(self) -> int:
        """Triples of the union of plantrace's graphs, where the store keeps it."""
        if self.dialect.union_in_default:
            ((n,),) = self._rows(queries.default_size())
        else:
            ((n, *_),) = self._rows(queries.graph_fingerprint(UNION_GRAPH, hashes=False))
        return int(n or 0)

    def __len__(self) -> int:
        """plantrace's quads, the union included (as the embedded store counts them)."""
        return sum(self.graph_sizes().values()) + self._union_size()

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """plantrace's graphs in ``fmt`` (never the store's other graphs), or for formats
        without named graphs their union."""
        self.dataset()  # refuses a store without plantrace's data
        if fmt.supports_datasets:
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
                for g in self._own_graphs(fresh=True)
                for t in self.get_graph(g)
            ]
            return ox.serialize(quads, format=fmt, prefixes=PREFIXES) or b""
        union = None if self.dialect.union_in_default else UNION_GRAPH
        return ox.serialize(self.get_graph(union), format=fmt, prefixes=PREFIXES) or b""

    def export(self, path: Path) -> None:
        """Write the dataset to ``path`` in the format its extension names, atomically."""
        write_atomically(path, self.dump(export_format(path)))

    def close(self) -> None:
        self._client.close()

    # --- publishing a build --------------------------------------------------------------------

    def _fingerprint(self, graph: str) -> tuple[str | None, ...]:
        (row,) = self._rows(queries.graph_fingerprint(graph, self.dialect.hashes))
        return row

    def publish(self, local: GraphStore) -> None:
        """Make the named graphs of ``local`` the store's plantrace graphs, checked.

        Graphs under ``https://w3id.org/plantrace/id/`` that ``local`` does not hold (documents
        dropped from the manifest) are removed; other graphs in the store are left alone. A
        store that does not keep what was sent fails the build with a
        :class:`~kg.errors.RemoteError` and keeps (or gets back) its previous graphs.
        """
        names = sorted(
            {q.graph_name.value for q in local.oxigraph if isinstance(q.graph_name, ox.NamedNode)}
        )
        expected = {n: _local_fingerprint(local, n, self.dialect.hashes) for n in names}
        ((union,),) = _local_rows(local, queries.default_size())
        previous = {g: self.get_graph_data(g) for g in self._own_graphs(fresh=True)}
        with self._staging() as stage:
            ops = []
            for name in names:
                data = local.oxigraph.dump(
                    format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)
                )
                staged = stage(data or b"")
                found = self._fingerprint(staged)
                if found != expected[name]:
                    raise RemoteError(
                        f"{self.gsp_endpoint}: expected the store to keep the {expected[name][0]}"
                        f" triples sent for {name}, it holds {_described(found)}"
                    )
                move = queries.move_graph if self.dialect.moves else queries.copy_graph_by_insert
                ops.append(move(staged, name))
            ops += [queries.drop_graph(g) for g in previous if g not in names]
            ops += [self._refresh_union(), new_stamp()]
            try:
                answer = self.update(" ;\n".join(ops))
            except RemoteError as exc:  # a store may fail half-way through a request
                problems = self._differences(expected, int(union or 0))
                restored = self._restore(previous) if problems else self._restamp()
                raise RemoteError(f"{exc}; {restored}", exc.status) from exc
            problems = self._differences(expected, int(union or 0))
            if problems:
                raise RemoteError(
                    f"{self.update_endpoint}: the store did not keep what was published"
                    f" ({'; '.join(problems[:3])}{' …' if len(problems) > 3 else ''});"
                    f" it answered {answer!r}; {self._restore(previous)}"
                )

    def _refresh_union(self) -> str:
        union = None if self.dialect.union_in_default else UNION_GRAPH
        return queries.refresh_union(union, str(PTID), STAGING, UNION_GRAPH, str(PUBLICATION_GRAPH))

    def _restamp(self) -> str:
        """After a switch that failed half-way yet left the new graphs in place: stamp them
        (the stamp may not have been written), and say so."""
        try:
            self.update(new_stamp())
        except PlantraceError as exc:
            return (
                f"it holds the new graphs, but stamping them failed ({exc}): restart servers"
                " reading it, or build again"
            )
        return "it holds the new graphs"

    def _differences(self, expected: dict[str, tuple[str | None, ...]], union: int) -> list[str]:
        """What the store holds that differs from what was published (empty: all of it)."""
        held = self._own_graphs(fresh=True)
        problems = [f"{g} was not removed" for g in held if g not in expected]
        for name, want in expected.items():
            found = self._fingerprint(name)
            if found != want:
                problems.append(f"{name} holds {_described(found)}, expected {_described(want)}")
        size = self._union_size()
        if not problems and size != union:
            problems.append(f"the union holds {size} triples, expected {union}")
        return problems

    def _restore(self, previous: dict[str, bytes]) -> str:
        """Put the graphs read before the switch back (by the Graph Store Protocol, which was
        just shown to work) and drop those that were not there; say how that went."""
        try:
            for graph, data in previous.items():
                self.put_graph(graph, data)
            now = self._own_graphs(fresh=True)
            ops = [queries.drop_graph(g) for g in now if g not in previous]
            self.update(" ;\n".join([*ops, self._refresh_union(), new_stamp()]))
            back = set(self._own_graphs(fresh=True)) == set(previous)
        except PlantraceError as exc:
            return f"putting the previous graphs back failed too ({exc})"
        if not back:
            return "putting the previous graphs back did not succeed: check the store"
        return f"the previous {len(previous)} graphs were put back"

    @contextmanager
    def _staging(self) -> Iterator[_Stager]:
        stager = _Stager(self)
        try:
            yield stager
        finally:  # the staging graphs still there (all of them if the switch failed)
            with suppress(PlantraceError):  # never hide the error being raised
                left = list(self._graph_counts(stager.prefix))
                if left:
                    self.update(" ;\n".join(queries.drop_graph(g) for g in left))


def _local_rows(local: GraphStore, sparql: str) -> list[tuple[str | None, ...]]:
    result = local.query(sparql)
    return [tuple(t.value if t is not None else None for t in row) for row in result.rows]  # type: ignore[union-attr]


def _local_fingerprint(local: GraphStore, graph: str, hashes: bool) -> tuple[str | None, ...]:
    ((*row,),) = _local_rows(local, queries.graph_fingerprint(graph, hashes))
    return tuple(row)


def _described(fingerprint: Sequence[str | None]) -> str:
    n, chars, *hashes = fingerprint
    checksum = f", checksum {hashes[0]}…{hashes[1]}" if hashes else ""
    return f"{n or 0} triples ({chars or 0} characters of text{checksum})"


class _Stager:
    """Puts graph contents into fresh staging graphs and remembers their names."""

    def __init__(self, store: RemoteGraphStore) -> None:
        self.store = store
        self.prefix = f"{STAGING}{uuid.uuid4().hex[:12]}/"
        self.count = 0

    def __call__(self, data: bytes) -> str:
        name = f"{self.prefix}{self.count}"
        self.count += 1
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
