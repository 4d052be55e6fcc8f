"""What differs between triple stores, decided in one place: the store's *dialect*
(``PLANTRACE_STORE_DIALECT``, else detected; docs/integrators.md, "An external triple store").

Everything else in :mod:`kg.remote` is plain SPARQL 1.1 Query, Update and the Graph Store
Protocol. The differences that matter to plantrace (issue 19):

* **the default graph.** plantrace's queries read the union of its graphs as the default graph.
  Oxigraph and Fuseki (without ``unionDefaultGraph``) have a plain, writable default graph, and a
  build keeps the union there. Virtuoso's default graph is every graph in the store, its own
  system graphs included, with a triple counted once per graph that holds it (and
  ``CLEAR DEFAULT`` "requires declaration of a plain default graph"); so the union is kept in a
  named graph of its own (:data:`UNION_GRAPH`) and every query names its dataset by the SPARQL
  protocol's ``default-graph-uri`` (that graph) and ``named-graph-uri`` (plantrace's graphs), which
  also keeps the store's other graphs out of every answer.
* **MOVE.** Fuseki 4.5 loses a graph on ``MOVE``/``ADD``/``COPY`` from a named graph (fixed in
  4.6); a dialect that cannot trust ``MOVE`` copies with ``INSERT … WHERE`` and drops instead.
  Either way :meth:`kg.remote.RemoteGraphStore.publish` checks what the store holds afterwards.
* **checksums.** Virtuoso's ``MD5`` of stored non-ASCII text is not the MD5 of its UTF-8 (it
  hashes its internal form), so there a graph is checked by its size and the characters of its
  literals only.
* **endpoints.** Where the update and Graph Store endpoints are when only ``PLANTRACE_STORE`` is
  set (Virtuoso: updates at the query endpoint, the Graph Store at ``/sparql-graph-crud``).
* **blank nodes.** Virtuoso labels them ``nodeID://b10000`` in SPARQL JSON results, which the
  format allows and pyoxigraph's parser does not; :mod:`kg.remote` relabels any such label for
  every dialect, so that needs no setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit, urlunsplit

from kg.errors import PlantraceError
from kg.namespaces import PTID, PUBLICATION_GRAPH

UNION_GRAPH = f"{PTID}graph/union"
"""Where a store without a plain default graph keeps the union of plantrace's graphs."""

STAGING = f"{PTID}graph/staging/"
"""Prefix of the names of staging graphs (never left behind by a finished build)."""

GRAPHS_FRESH = 2.0
"""Seconds the list of plantrace's graphs (the dataset every query names, and the test for a
store without data) is reused before it is read again: a build by another process shows within
that time."""


@dataclass(frozen=True)
class Dialect:
    """How plantrace talks to one kind of store."""

    name: str
    union_in_default: bool
    """True: the union of plantrace's graphs is kept in the store's default graph; False: in
    :data:`UNION_GRAPH`, and queries name their dataset."""
    moves: bool
    """Whether ``MOVE GRAPH`` may be used to put a staged graph in place."""
    hashes: bool
    """Whether ``MD5`` of stored text is the standard one (a checksum of each graph)."""
    update_path: str
    """The update endpoint, relative to the query endpoint (``""``: the query endpoint)."""
    gsp_path: str
    """The Graph Store endpoint, relative to the query endpoint (``""``: the query endpoint)."""

    def update_endpoint(self, query: str) -> str:
        """The update endpoint when only the query endpoint is set."""
        return _beside(query, self.update_path)

    def gsp_endpoint(self, query: str) -> str:
        """The Graph Store endpoint when only the query endpoint is set."""
        return _beside(query, self.gsp_path)


DIALECTS = {
    d.name: d
    for d in (
        Dialect("oxigraph", union_in_default=True, moves=True, hashes=True,
                update_path="update", gsp_path="store"),
        Dialect("fuseki", union_in_default=True, moves=True, hashes=True,
                update_path="update", gsp_path="data"),
        Dialect("virtuoso", union_in_default=False, moves=True, hashes=False,
                update_path="", gsp_path="/sparql-graph-crud"),
        Dialect("generic", union_in_default=False, moves=False, hashes=False,
                update_path="", gsp_path=""),
    )
}  # fmt: skip
"""The known dialects by name. ``generic`` assumes the least: no writable default graph, no
trusted ``MOVE``, no checksum beyond sizes."""

FUSEKI_MOVE_FIXED = (4, 6)
"""The first Fuseki version whose ``MOVE`` from a named graph keeps the data."""


def _beside(query: str, path: str) -> str:
    """``path`` resolved against the query endpoint: ``""`` is the endpoint itself, ``/x`` is
    ``x`` at the server's root, ``x`` replaces the endpoint's last path segment."""
    if not path:
        return query
    parts = urlsplit(query)
    if path.startswith("/"):
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    base = parts.path.rstrip("/").rpartition("/")[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{path}", "", ""))


def named(name: str) -> Dialect:
    """The dialect ``name`` (a ``PLANTRACE_STORE_DIALECT`` value)."""
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(DIALECTS)
        raise PlantraceError(
            f"PLANTRACE_STORE_DIALECT: expected one of {known}, got {name!r}"
        ) from None


def detect(server: str, query: str) -> Dialect:
    """The dialect of a store from its ``Server`` header (``server``) and, failing that, the
    layout of its query endpoint: Virtuoso, Fuseki (before 4.6 without ``MOVE``), Oxigraph, or
    ``generic``."""
    if "virtuoso" in server.lower():
        return DIALECTS["virtuoso"]
    if "fuseki" in server.lower():
        version = re.search(r"(\d+)\.(\d+)", server)
        fuseki = DIALECTS["fuseki"]
        if version and (int(version[1]), int(version[2])) < FUSEKI_MOVE_FIXED:
            return replace(fuseki, moves=False)
        return fuseki
    if "oxigraph" in server.lower():
        return DIALECTS["oxigraph"]
    last = urlsplit(query).path.rstrip("/").rpartition("/")[2]
    return DIALECTS["oxigraph"] if last == "query" else DIALECTS["generic"]


def own_graph(name: str) -> bool:
    """Whether graph ``name`` holds plantrace's data (not a staging graph, not the union, not
    the publication stamp)."""
    return (
        name.startswith(str(PTID))
        and not name.startswith(STAGING)
        and name not in (UNION_GRAPH, str(PUBLICATION_GRAPH))
    )
