"""The triple store: pyoxigraph, on disk under the state directory or in memory for tests.

One named graph per source document, one for the ontology, one shared reference graph; the
default graph of every query is their union.

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
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import PlantraceError
from kg.namespaces import DCTERMS, FOAF, OWL, PROV, PT, PTID, RDF, RDFS, SKOS, TIME, XSD
from kg.ontology import ONTOLOGY_PATH
from kg.rdf import ONTOLOGY_GRAPH

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

STORE_LINK = "store"
"""Name of the symlink, inside the state directory, to the current store directory."""

STATS_FILE = "plantrace-stats.json"
"""The store's sizes (:class:`StoreStats`), written into the store's directory when it is made
(:func:`building`, :func:`api.backend.load_dataset`). A store directory is never written after
that, so the figures stay true, and ``/status`` need not count every quad (a minute at 19 M)."""

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


_REFRESH_DEFAULT = "DROP SILENT DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class Countable(Protocol):
    """A store that can be counted: :class:`GraphStore` or :class:`kg.remote.RemoteGraphStore`."""

    def __len__(self) -> int: ...

    def graph_sizes(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class StoreStats:
    """How big a store is: every quad (the union default graph included) and the triples of
    each named graph."""

    quads: int
    graphs: dict[str, int]

    @classmethod
    def count(cls, store: Countable) -> StoreStats:
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
    """A pyoxigraph store holding plantrace's named graphs."""

    def __init__(self, store: ox.Store) -> None:
        self._store: ox.Store | None = store

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
        try:
            return cls(ox.Store.read_only(str(link.resolve())))
        except OSError as exc:
            raise PlantraceError(f"{link}: expected a store made by `plantrace build`") from exc

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
        update = f"DROP SILENT GRAPH {to_oxigraph(replaced.identifier)} ;\nINSERT DATA {{\n"
        update += "\n".join(_graph_block(g) for g in (replaced, *merged)) + "\n}"
        self.oxigraph.update(update + (f" ;\n{_REFRESH_DEFAULT}" if refresh else ""))

    def refresh_default_graph(self) -> None:
        """Make the default graph the RDF merge (a set) of all named graphs.

        Queries see the union of all graphs as their default graph (DESIGN.md, "Store"). The
        union is stored, not computed per query, because pyoxigraph's
        ``use_default_graph_as_union`` counts a triple once per graph that holds it (oxigraph
        issue #1919, fixed after 0.5.13): two documents describing the same item would make
        every query that reaches it return duplicate rows.
        """
        self.oxigraph.update(_REFRESH_DEFAULT)

    def query(self, sparql: str, source: str = "<query>") -> QueryResult:
        """Run a SPARQL 1.1 query over the union of all graphs; ``source`` names it in errors."""
        try:
            answer = self.oxigraph.query(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise PlantraceError(f"{source}: expected a SPARQL 1.1 query ({exc})") from exc
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult([], boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            rows = [(t.subject, t.predicate, t.object) for t in answer]
            return QueryResult(["subject", "predicate", "object"], list(rows))
        names = [v.value for v in answer.variables]
        return QueryResult(names, [tuple(s) for s in answer])  # values in the order of names

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph, by graph IRI."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {
            str(g.value): int(n.value)
            for g, n in result.rows
            if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal)
        }

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


@contextmanager
def building(state_dir: Path) -> Iterator[GraphStore]:
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
