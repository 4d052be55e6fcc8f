"""The triple store: one interface (:class:`TripleStore`), two implementations, one way to open.

:class:`GraphStore` is the embedded store (pyoxigraph, on disk under the state directory or in
memory for tests); :class:`kg.remote.RemoteGraphStore` is an existing triple store reached over
HTTP (``PLANTRACE_STORE``). Both hold one named graph per source document, one for the ontology
and one shared reference graph, and the default graph of every query is their union. Which store
a command, the server or a query worker uses is a :data:`Location` (a state directory or a
remote store's endpoints), decided by :func:`locate` and opened by :func:`open_store`; a build
writes a fresh store and publishes it with :func:`building`.

Two kinds of atomicity keep readers safe:

* :meth:`GraphStore.replace_graph` drops and refills a document's graph in one SPARQL update,
  which pyoxigraph applies as one transaction: readers see the old graph or the new, never half.
* :func:`building` writes a whole new store into a fresh directory ``<state>/store-*`` and only
  when it is complete points the symlink ``<state>/store`` at it (``os.replace`` of a symlink is
  atomic). A build that fails or is killed leaves the previous store exactly as it was. Readers
  open the directory the link points to read-only, so a build never writes under a reader.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.config import RemoteStore, Settings
from kg.errors import PlantraceError
from kg.namespaces import (
    DCTERMS,
    FOAF,
    ONTOLOGY_GRAPH,
    OWL,
    PROV,
    PT,
    PTID,
    RDF,
    RDFS,
    SKOS,
    TIME,
    XSD,
)
from kg.ontology import ONTOLOGY_PATH

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]
"""A query's answer as the engine gives it: solutions, a boolean or triples, not yet read."""

STORE_LINK = "store"
"""Name of the symlink, inside the state directory, to the current store directory."""

STATS_FILE = "plantrace-stats.json"
"""The store's sizes (:class:`StoreStats`), written into the store's directory when it is made
(:func:`building`, :func:`api.workers.backend.load_dataset`). A store directory is never
written after that, so the figures stay true, and ``/status`` need not count every quad (a
minute at 19 M)."""

PREFIXES = {
    "pt": str(PT),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "skos": str(SKOS),
    "time": str(TIME),
    "foaf": str(FOAF),
}
"""Prefixes predeclared in queries and used when writing Turtle/TriG.

Instance IRIs (``https://w3id.org/plantrace/id/...``) have slashes in their paths, which a prefixed
name cannot hold unescaped, so they are written in full; only tables shorten them
(:data:`DISPLAY_PREFIXES`).
"""

DISPLAY_PREFIXES = {**PREFIXES, "ptid": str(PTID)}
"""Prefixes for showing IRIs to people (tables, summaries)."""

EXPORT_FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


def export_format(path: Path) -> ox.RdfFormat:
    """The RDF format a file name asks for, by its extension."""
    try:
        return EXPORT_FORMATS[path.suffix.lower()]
    except KeyError:
        known = " ".join(EXPORT_FORMATS)
        raise PlantraceError(f"{path}: expected a file name ending in one of {known}") from None


@dataclass
class QueryResult:
    """A query's answer, read in full: SELECT rows, an ASK boolean, or CONSTRUCT triples.

    Triples are given as rows of ``subject``, ``predicate``, ``object`` so that every result
    renders the same way.
    """

    variables: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None

    @classmethod
    def of(cls, answer: Answer) -> QueryResult:
        """An engine's answer, read in full."""
        if isinstance(answer, ox.QueryBoolean):
            return cls([], boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            return cls(names, [tuple(s) for s in answer])  # values in the order of names
        return cls(
            ["subject", "predicate", "object"], [(t.subject, t.predicate, t.object) for t in answer]
        )


def to_oxigraph(node: Node) -> Term:
    """An rdflib term as the pyoxigraph term of the same value."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")


def _graph_block(graph: Graph) -> str:
    name = graph.identifier
    if not isinstance(name, URIRef):
        raise TypeError(f"graph {name!r} is not named by an IRI")
    lines = (" ".join(str(to_oxigraph(t)) for t in triple) + " ." for triple in graph)
    return f"GRAPH {to_oxigraph(name)} {{\n" + "\n".join(lines) + "\n}"


REFRESH_DEFAULT = "DROP DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
"""Makes the default graph the union of the named graphs
(:meth:`GraphStore.refresh_default_graph`)."""


class TripleStore(Protocol):
    """What every store offers the commands, the server and the query workers: queries over
    the union default graph, the SPARQL protocol's own queries, sizes, and dumps.

    Writing is not part of it: a build fills a fresh embedded store and :func:`building`
    publishes it (on disk by moving a link, to a remote store in one update request).
    """

    @property
    def name(self) -> str:
        """Which store this is: an embedded store's directory (what :func:`current` gives for
        its location), a remote store's query endpoint."""
        ...

    def query(self, sparql: str, source: str = "<query>") -> QueryResult:
        """Run a SPARQL 1.1 query over the union of all graphs, read in full; a malformed
        query is a :class:`~kg.errors.PlantraceError` naming ``source``."""
        ...

    def execute(
        self, sparql: str, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> Answer:  # fmt: skip
        """Run a query as a client sent it (SPARQL 1.1 Protocol, section 2.1): the dataset
        parameters, when given, replace the default dataset; a malformed query raises
        :class:`SyntaxError` (embedded) or :class:`~kg.errors.RemoteError` (remote)."""
        ...

    def graphs(self) -> set[str]:
        """The names of the store's named graphs."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph, by graph IRI."""
        ...

    def __len__(self) -> int:
        """Every quad, the union default graph included (reads every quad: never test a store
        for truth, which calls this)."""
        ...

    def stats(self) -> StoreStats:
        """The store's sizes, as cheaply as the store allows (see the implementations)."""
        ...

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """The whole dataset in ``fmt``: its named graphs, or for formats without named graphs
        their union."""
        ...

    def export(self, path: Path) -> None:
        """Write the dataset to ``path`` in the format its extension names, atomically."""
        ...

    def close(self) -> None:
        """Release the store (files and lock, or connections)."""
        ...


@dataclass(frozen=True)
class StoreStats:
    """How big a store is: every quad (the union default graph included) and the triples of
    each named graph."""

    quads: int
    graphs: dict[str, int]

    @classmethod
    def count(cls, store: TripleStore) -> StoreStats:
        """Count ``store``'s quads and each named graph's triples (reads every quad)."""
        return cls(len(store), store.graph_sizes())

    def write(self, directory: Path) -> None:
        """Record these figures in the store directory ``directory``."""
        data = {"quads": self.quads, "graphs": self.graphs}
        write_atomically(directory / STATS_FILE, json.dumps(data, sort_keys=True).encode())

    @classmethod
    def read(cls, directory: Path) -> StoreStats | None:
        """The figures recorded in ``directory``; None if there are none (a store made before
        they were recorded) or they cannot be read."""
        try:
            data = json.loads((directory / STATS_FILE).read_bytes())
            return cls(int(data["quads"]), {str(g): int(n) for g, n in data["graphs"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


class GraphStore:
    """The embedded store: a pyoxigraph store holding plantrace's named graphs (a
    :class:`TripleStore`, and the one a build writes)."""

    def __init__(self, store: ox.Store, directory: Path | None = None) -> None:
        self._store: ox.Store | None = store
        self.directory = directory
        """The store's directory when it was opened read-only from disk (it never changes
        then, so its recorded sizes hold)."""
        self._stats: StoreStats | None = None

    @classmethod
    def memory(cls) -> GraphStore:
        """An empty store kept in memory."""
        return cls(ox.Store())

    @classmethod
    def open(cls, state_dir: Path) -> GraphStore:
        """The current store under ``state_dir``, read-only."""
        link = state_dir / STORE_LINK
        if not link.exists():
            raise PlantraceError(f"{state_dir}: expected a built store (run `plantrace build`)")
        directory = Path(current(state_dir))
        try:
            return cls(ox.Store.read_only(str(directory)), directory)
        except OSError as exc:
            raise PlantraceError(f"{link}: expected a store made by `plantrace build`") from exc

    @property
    def name(self) -> str:
        """The store's directory (``:memory:`` for one being built or in memory)."""
        return str(self.directory) if self.directory is not None else ":memory:"

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        if self._store is None:
            raise RuntimeError("the store is closed")
        return self._store

    def close(self) -> None:
        """Release the store (on disk: its lock and files)."""
        self._store = None

    def __len__(self) -> int:
        return len(self.oxigraph)

    def load_ontology(self, path: Path = ONTOLOGY_PATH) -> None:
        """(Re)load the ontology into its own named graph."""
        graph = to_oxigraph(ONTOLOGY_GRAPH)
        assert isinstance(graph, ox.NamedNode)
        self.oxigraph.remove_graph(graph)
        self.oxigraph.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)

    def replace_graph(self, replaced: Graph, *merged: Graph, refresh: bool = True) -> None:
        """Replace the named graph ``replaced`` and add the triples of ``merged``, atomically.

        Every graph's ``identifier`` is the IRI of the named graph it goes to. Graphs in
        ``merged`` (such as the shared reference graph) are added to, not replaced. With
        ``refresh`` the default graph is recomputed in the same transaction (see
        :meth:`refresh_default_graph`); a build that replaces many graphs refreshes once at
        the end instead.
        """
        name = to_oxigraph(replaced.identifier)
        update = f"DELETE WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }} ;\nINSERT DATA {{\n"
        update += "\n".join(_graph_block(g) for g in (replaced, *merged)) + "\n}"
        self.oxigraph.update(update + (f" ;\n{REFRESH_DEFAULT}" if refresh else ""))

    def refresh_default_graph(self) -> None:
        """Make the default graph the RDF merge (a set) of all named graphs.

        Queries see the union of all graphs as their default graph (docs/architecture.md, "Stores").
        The union is stored, not computed per query, because pyoxigraph's
        ``use_default_graph_as_union`` counts a triple once per graph that holds it (oxigraph issue
        #1919, fixed after 0.5.13): two documents describing the same item would make every query
        that reaches it return duplicate rows.
        """
        self.oxigraph.update(REFRESH_DEFAULT)

    def query(self, sparql: str, source: str = "<query>") -> QueryResult:
        """Run a SPARQL 1.1 query over the union of all graphs; ``source`` names it in errors."""
        try:
            answer = self.oxigraph.query(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise PlantraceError(f"{source}: expected a SPARQL 1.1 query ({exc})") from exc
        return QueryResult.of(answer)

    def execute(
        self, sparql: str, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> Answer:  # fmt: skip
        """Run a query as a client sent it (see :meth:`TripleStore.execute`)."""
        if not (default_graphs or named_graphs):
            return self.oxigraph.query(sparql, prefixes=PREFIXES, base_iri=base_iri)
        return self.oxigraph.query(
            sparql,
            prefixes=PREFIXES,
            base_iri=base_iri,
            default_graph=[ox.NamedNode(g) for g in default_graphs],
            named_graphs=[ox.NamedNode(g) for g in named_graphs],
        )

    def graphs(self) -> set[str]:
        """The names of the store's named graphs."""
        return {g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode)}

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph, by graph IRI."""
        return graph_sizes(self)

    def stats(self) -> StoreStats:
        """Opened from disk: the sizes recorded when the store was made (else counted once: a
        store directory never changes); in memory: counted."""
        if self.directory is None:
            return StoreStats.count(self)
        if self._stats is None:
            self._stats = StoreStats.read(self.directory) or StoreStats.count(self)
        return self._stats

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """The whole dataset in ``fmt``: its named graphs, or for formats without named graphs
        their union (the stored default graph is that union, so it is not written twice)."""
        if fmt.supports_datasets:
            named = (q for q in self.oxigraph if not isinstance(q.graph_name, ox.DefaultGraph))
            return ox.serialize(named, format=fmt, prefixes=PREFIXES) or b""
        union = self.oxigraph.dump(format=fmt, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
        return union or b""

    def export(self, path: Path) -> None:
        """Write the dataset to ``path`` in the format its extension names (written atomically)."""
        write_atomically(path, self.dump(export_format(path)))

    def flush(self) -> None:
        self.oxigraph.flush()


def graph_sizes(store: TripleStore) -> dict[str, int]:
    """Number of triples in each named graph of ``store``, by graph IRI (one query)."""
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {
        str(g.value): int(n.value)
        for g, n in result.rows
        if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal)
    }


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling, so readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise PlantraceError(f"{path}: expected a writable file ({exc.strerror})") from exc
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: Path) -> None:
    """Remove a temporary file if it is there (on a read-only file system even a missing
    file's unlink fails: that must not hide the error being reported)."""
    with suppress(OSError):
        tmp.unlink(missing_ok=True)


def unwritable(state_dir: Path, exc: OSError) -> PlantraceError:
    """The one-line error for a state directory a build cannot write: not a directory,
    read-only, full, or not ours."""
    reason = " ".join(str(exc.strerror or exc).split())
    return PlantraceError(
        f"{state_dir}: expected a writable directory with free space for the store ({reason})"
    )


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    try:
        lock = open(lock_path, "a")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise unwritable(lock_path.parent, exc) from exc
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PlantraceError(
                f"{lock_path.parent}: expected no other build to be running"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- which store, opening it, building it ------------------------------------------------------

Location = Path | RemoteStore
"""Where a store is: a state directory (the embedded store its ``store`` link points to) or the
endpoints of a remote store."""


def locate(settings: Settings, state_dir: Path | None = None) -> Location:
    """The store a command uses: the embedded store under ``state_dir`` if given (a command
    line option wins over the environment), else the remote store if ``PLANTRACE_STORE`` is
    set, else the embedded store under ``PLANTRACE_STATE``."""
    if state_dir is not None:
        return state_dir
    return settings.store if settings.store is not None else settings.state_dir


def current(location: Location) -> str:
    """Which store ``location`` names now: the directory the state directory's link points to
    (a build moves it), or the remote query endpoint. Query workers compare it to notice a
    rebuild, and the server asks it on every request (:mod:`api.middleware.response_cache`),
    so it reads the link (one system call, 2 µs) rather than resolving the path (a call per
    component, 30–50 µs): the same directory as long as the state directory is not moved
    while the server runs."""
    if isinstance(location, RemoteStore):
        return location.query
    link = os.path.join(location, STORE_LINK)
    try:
        target = os.readlink(link)
    except OSError:  # no link (nothing built yet), or a directory in its place
        return str(Path(link).resolve())
    return os.path.normpath(os.path.join(os.path.abspath(location), target))


def open_store(location: Location, timeout: float = 60.0) -> TripleStore:
    """The store at ``location``, to read: the embedded store read-only (a one-line
    :class:`~kg.errors.PlantraceError` if none was built), or the remote store (``timeout``:
    seconds a request to it may take). Used by the CLI, the server and the query workers."""
    if isinstance(location, RemoteStore):
        from kg.remote import RemoteGraphStore  # httpx loads for a remote store only

        return RemoteGraphStore(location, timeout=timeout)
    return GraphStore.open(location)


@contextmanager
def building(location: Location) -> Iterator[GraphStore]:
    """A fresh store to fill, published at ``location`` only if the block completes: on disk
    by moving the state directory's link (:func:`_building_on_disk`), to a remote store in one
    update request (:func:`kg.remote.building`)."""
    if isinstance(location, RemoteStore):
        from kg import remote

        with remote.building(location) as store:
            yield store
    else:
        with _building_on_disk(location) as store:
            yield store


@contextmanager
def _building_on_disk(state_dir: Path) -> Iterator[GraphStore]:
    """A fresh on-disk store that becomes ``<state_dir>/store`` only if the block completes.

    If the block raises (or the process dies), the fresh directory is discarded and the current
    store is left as it was. After a successful swap the previous store directory is kept (a
    reader may still have it open) and older ones are removed.

    A state directory that cannot be written (a file, read-only, full: an :class:`OSError`
    from the store, since sources and parsers raise :class:`PlantraceError`) is a one-line
    :class:`PlantraceError` naming it.
    """
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable(state_dir, exc) from exc
    with _exclusive(state_dir / "build.lock"):
        fresh = state_dir / f"store-{uuid.uuid4().hex[:12]}"
        try:
            fresh.mkdir()
            store = GraphStore(ox.Store(str(fresh)))
        except OSError as exc:
            shutil.rmtree(fresh, ignore_errors=True)
            raise unwritable(state_dir, exc) from exc
        try:
            yield store
            store.flush()
            StoreStats.count(store).write(fresh)
        except BaseException as exc:
            store.close()
            shutil.rmtree(fresh, ignore_errors=True)
            if isinstance(exc, OSError):
                raise unwritable(state_dir, exc) from exc
            raise
        store.close()
        try:
            _publish(state_dir, fresh)
        except OSError as exc:
            if (state_dir / STORE_LINK).resolve() != fresh.resolve():  # not switched: discard
                shutil.rmtree(fresh, ignore_errors=True)
            raise unwritable(state_dir, exc) from exc


def _publish(state_dir: Path, fresh: Path) -> None:
    link = state_dir / STORE_LINK
    previous = link.resolve().name if link.is_symlink() else None
    tmp = state_dir / f".{STORE_LINK}.{fresh.name}"
    os.symlink(fresh.name, tmp)  # relative, so the state directory can be moved
    os.replace(tmp, link)
    dir_fd = os.open(state_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    for old in state_dir.glob("store-*"):
        if old.name not in (fresh.name, previous):
            shutil.rmtree(old, ignore_errors=True)
