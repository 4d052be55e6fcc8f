"""plantrace on Virtuoso 7.2 (Debian's ``virtuoso-opensource``), end to end (issue 19): built
with only ``PLANTRACE_STORE`` set, it gives the same answers as the embedded store — queries,
validation, the export (only plantrace's graphs, never Virtuoso's own), the JSON API and the
pages — although Virtuoso has no plain default graph, counts a triple once per graph in its
implicit one and labels blank nodes ``nodeID://…``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from server_fixtures import PATIENT, Remote
from servers import (
    REPO,
    Server,
    clean_env,
    get_until_kept,
    serve,
    start_plantrace,
)

from bench import virtuoso as recipe
from kg.config import RemoteStore
from kg.dialects import UNION_GRAPH
from kg.namespaces import PTID, PUBLICATION_GRAPH
from kg.remote import RemoteGraphStore
from kg.store import GraphStore

DESIGN = """SELECT ?code ?year ?grade WHERE {
  ?e a pt:MinisterialEvaluation ; pt:evaluates/pt:code ?code ;
     pt:fiscalYear/pt:year ?year ; pt:grade/skos:notation ?grade .
} ORDER BY ?code ?year"""
"""The query of DESIGN.md: 76 rows on the embedded store (tests/test_build.py)."""


@pytest.fixture(scope="module")
def virtuoso(virtuoso_stack: Remote) -> RemoteGraphStore:
    store = RemoteGraphStore(RemoteStore(virtuoso_stack.endpoint))
    yield store  # type: ignore[misc]
    store.close()


def cli(store: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``plantrace`` on the embedded store under ``store`` or, for a URL, the remote one."""
    env = clean_env(PLANTRACE_EXPORT_TIMEOUT="180")
    if store.startswith("http"):
        env["PLANTRACE_STORE"] = store
    else:
        args = (*args, "--state-dir", store)
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], env=env, cwd=REPO, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


def test_virtuoso_is_detected_and_holds_the_same_graphs(
    virtuoso: RemoteGraphStore, built_store: GraphStore
) -> None:
    assert virtuoso.dialect.name == "virtuoso" and not virtuoso.dialect.union_in_default
    assert virtuoso.graphs() == built_store.graphs()
    assert virtuoso.graph_sizes() == built_store.graph_sizes()
    assert len(virtuoso) == len(built_store)
    everything = virtuoso._graph_counts("")
    assert any("openlinksw" in g for g in everything)  # Virtuoso's own are there
    assert everything[UNION_GRAPH] < sum(virtuoso.graph_sizes().values())  # a set: no repeats


def test_the_publication_is_stamped_and_answers_are_kept(
    virtuoso: RemoteGraphStore, virtuoso_stack: Remote
) -> None:
    """The build stamped its publication (in a graph of its own, not plantrace's data), and
    the server keeps its answers under that stamp."""
    assert virtuoso.publication()
    assert str(PUBLICATION_GRAPH) in virtuoso._graph_counts(str(PTID))
    assert str(PUBLICATION_GRAPH) not in virtuoso.graphs()
    with virtuoso_stack.api.client(timeout=120) as c:
        kept = get_until_kept(virtuoso_stack.api, c, "/api/items", within=120)
    assert kept.status_code == 200 and kept.json()["items"]


def test_design_query_gives_the_same_rows(
    virtuoso: RemoteGraphStore, built_store: GraphStore
) -> None:
    embedded = built_store.query(DESIGN).rows
    assert len(embedded) == 76
    assert virtuoso.query(DESIGN).rows == embedded


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/plantrace/id/graph/ontology>"
        " WHERE { ?s ?p ?o }",
        "SELECT ?g (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/plantrace/id/graph/ontology>"
        " WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    ],
)
def test_the_dataset_is_the_embedded_stores(
    sparql: str, virtuoso: RemoteGraphStore, built_store: GraphStore
) -> None:
    """The union once, plantrace's graphs only, and a query's own FROM respected."""
    assert virtuoso.query(sparql).rows == built_store.query(sparql).rows


def test_blank_nodes_labelled_by_virtuoso_are_read(virtuoso: RemoteGraphStore) -> None:
    """The ontology's OWL lists are blank nodes: Virtuoso sends them as ``nodeID://…``."""
    sparql = "SELECT ?list WHERE { ?c owl:unionOf ?list } LIMIT 5"
    raw = virtuoso._client.post(
        virtuoso.endpoints.query,
        data={"query": f"PREFIX owl: <http://www.w3.org/2002/07/owl#> {sparql}"},
        headers={"Accept": "application/sparql-results+json"},
    ).text
    assert "nodeID://" in raw
    rows = virtuoso.query(sparql).rows
    assert rows and all(isinstance(r[0], ox.BlankNode) for r in rows)


def test_validate_gives_the_same_report(virtuoso_stack: Remote, built_state: Path) -> None:
    on_virtuoso = cli(virtuoso_stack.endpoint, "validate", "--format", "json")
    embedded = cli(str(built_state), "validate", "--format", "json")
    assert on_virtuoso.returncode == embedded.returncode, on_virtuoso.stderr
    assert on_virtuoso.stdout == embedded.stdout
    assert json.loads(embedded.stdout)["counts"]["warning"] > 0


def test_export_holds_only_plantrace_graphs(
    virtuoso_stack: Remote, built_state: Path, tmp_path: Path
) -> None:
    nq = ox.RdfFormat.N_QUADS
    assert cli(virtuoso_stack.endpoint, "export", "-o", str(tmp_path / "v.nq")).returncode == 0
    assert cli(str(built_state), "export", "-o", str(tmp_path / "e.nq")).returncode == 0
    exported = ox.Dataset(ox.parse(path=str(tmp_path / "v.nq"), format=nq))
    graphs = {q.graph_name.value for q in exported if isinstance(q.graph_name, ox.NamedNode)}
    assert all(g.startswith(str(PTID)) and g != UNION_GRAPH for g in graphs)
    embedded = ox.Dataset(ox.parse(path=str(tmp_path / "e.nq"), format=nq))
    for dataset in (exported, embedded):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert set(exported) == set(embedded)


@pytest.fixture(scope="module")
def validated(
    virtuoso_stack: Remote, built_state: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    """The Virtuoso server and one on the embedded store with the same settings, both once
    their validation report is ready (the item answers and pages include its findings then)."""
    log = tmp_path_factory.mktemp("embedded") / "serve.log"
    embedded = start_plantrace(serve("--state-dir", str(built_state)), clean_env(**PATIENT), log)
    try:
        for running in (virtuoso_stack.api, embedded):
            with running.client(timeout=400) as c:
                page = c.get("/validation")
                assert page.status_code == 200, (running.url, page.text[:300])
        yield virtuoso_stack.api, embedded
    finally:
        embedded.stop()


JSON_API = [
    "/api/items",
    "/api/items/I-1",
    "/api/items/I-1/grade-basis",
    "/api/evaluations",
    "/api/evaluations/2021",
    "/api/statutes",
    "/api/analysis/coverage",
    "/api/analysis/gaps",
    "/downloads/trace.csv",
]


@pytest.mark.parametrize("path", JSON_API)
def test_api_answers_are_byte_for_byte_the_same(
    path: str, validated: tuple[Server, Server]
) -> None:
    virtuoso, server = validated
    with virtuoso.client() as v, server.client() as e:
        on_virtuoso, embedded = v.get(path), e.get(path)
    assert on_virtuoso.status_code == embedded.status_code == 200, on_virtuoso.text[:300]
    assert on_virtuoso.content == embedded.content


@pytest.mark.parametrize("path", ["/", "/items/I-1", "/validation", "/statutes"])
def test_pages_are_the_same(path: str, validated: tuple[Server, Server]) -> None:
    """The dashboard, an item (its articles with their labels, not "その他" and a raw IRI),
    validation and the statutes: the same page on either store."""
    virtuoso, server = validated
    with virtuoso.client(timeout=240) as v, server.client(timeout=240) as e:
        on_virtuoso, embedded = v.get(path), e.get(path)
    assert on_virtuoso.status_code == embedded.status_code == 200, on_virtuoso.text[:300]
    assert on_virtuoso.text == embedded.text


def test_the_documented_recipe_is_the_tested_one() -> None:
    """docs/integrators.md tells Virtuoso users the grant and the row limit the tests use."""
    text = (REPO / "docs" / "integrators.md").read_text(encoding="utf-8")
    section = text[text.index("### Virtuoso") : text.index("### Apache Jena Fuseki")]
    assert recipe.GRANTS in section
    assert "ResultSetMaxRows" in section and "ResultSetMaxRows = 1000000" in recipe.INI
