"""The store: named graphs, union default graph, atomic replace and atomic build, export."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import fake_parser
import pyoxigraph as ox
import pytest
from conftest import FAKE_TEXTS, write_sources
from rdflib import Graph, Literal, URIRef

from kg.build import build
from kg.errors import PlantraceError
from kg.namespaces import ONTOLOGY_GRAPH, PT, RDF, REFERENCE_GRAPH
from kg.store import (
    EXPORT_FORMATS,
    STATS_FILE,
    STORE_LINK,
    GraphStore,
    StoreStats,
    building,
    export_format,
)

EX = "http://example.org/"
DOC_A, DOC_B = URIRef(EX + "doc/a"), URIRef(EX + "doc/b")


def graph(name: URIRef, *objects: str) -> Graph:
    g = Graph(identifier=name)
    for o in objects:
        g.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal(o, lang="ja")))
    return g


def reference(*years: int) -> Graph:
    g = Graph(identifier=REFERENCE_GRAPH)
    for y in years:
        g.add((URIRef(EX + f"fy/{y}"), RDF.type, PT.FiscalYear))
    return g


def objects(store: GraphStore, name: URIRef) -> set[str]:
    rows = store.query(f"SELECT ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").rows
    return {r[0].value for r in rows if isinstance(r[0], ox.Literal)}


def count(store: GraphStore) -> int:
    (n,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]
    assert isinstance(n, ox.Literal)
    return int(n.value)


def test_ontology_graph_and_union_default_graph() -> None:
    store = GraphStore.memory()
    store.load_ontology()
    store.replace_graph(graph(DOC_A, "一"), reference(2025))
    sizes = store.graph_sizes()
    assert set(sizes) == {str(ONTOLOGY_GRAPH), str(DOC_A), str(REFERENCE_GRAPH)}
    assert str(ONTOLOGY_GRAPH) == "https://w3id.org/plantrace/id/graph/ontology"
    # No GRAPH clause needed: the default graph is the union of all named graphs.
    ask = store.query(f"ASK {{ <{EX}s> ?p ?o . <{EX}fy/2025> a pt:FiscalYear . pt:grade a ?t }}")
    assert ask.boolean is True
    store.load_ontology()  # reloading does not duplicate
    assert store.graph_sizes() == sizes


def test_replace_graph_replaces_one_graph_and_merges_reference() -> None:
    store = GraphStore.memory()
    store.replace_graph(graph(DOC_A, "一", "二"), reference(2024))
    store.replace_graph(graph(DOC_B, "三"), reference(2025))
    store.replace_graph(graph(DOC_A, "四"), reference(2024))
    assert objects(store, DOC_A) == {"四"}
    assert objects(store, DOC_B) == {"三"}
    assert store.graph_sizes()[str(REFERENCE_GRAPH)] == 2


def test_replace_graph_failing_midway_keeps_previous_graph() -> None:
    store = GraphStore.memory()
    store.replace_graph(graph(DOC_A, "一"), reference(2024))
    bad = graph(DOC_A, "二", "三")
    bad.add((URIRef(EX + "s"), URIRef(EX + "p"), URIRef("not an iri")))
    with pytest.raises(ValueError):
        store.replace_graph(bad, reference(2025))
    assert objects(store, DOC_A) == {"一"}
    assert store.graph_sizes()[str(REFERENCE_GRAPH)] == 1


def test_query_kinds_and_errors() -> None:
    store = GraphStore.memory()
    store.replace_graph(graph(DOC_A, "一", "二"))
    select = store.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    assert select.variables == ["o"] and len(select.rows) == 2
    assert store.query("ASK { ?s ?p 'x' }").boolean is False
    construct = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert construct.variables == ["subject", "predicate", "object"] and len(construct.rows) == 2
    with pytest.raises(PlantraceError, match=r"^q\.rq: expected a SPARQL 1\.1 query"):
        store.query("SELECT WHERE", source="q.rq")
    with pytest.raises(PlantraceError):
        store.query("INSERT DATA { <x:s> <x:p> <x:o> }")  # queries only


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A state directory with one successful build of the fake documents."""
    manifest = write_sources(tmp_path / "sources", FAKE_TEXTS)
    build(tmp_path / "state", manifest, [fake_parser])
    return tmp_path / "state"


def test_build_publishes_a_store(state: Path) -> None:
    link = state / STORE_LINK
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
    store = GraphStore.open(state)
    assert count(store) > 0
    ask = "ASK { ?e a pt:SelfEvaluation ; pt:grade pt:GradeA }"
    assert store.query(ask).boolean is True
    with pytest.raises(RuntimeError):  # read-only
        store.oxigraph.update("INSERT DATA { <x:s> <x:p> <x:o> }")


def test_a_build_records_the_store_s_sizes(state: Path) -> None:
    """``/status`` reads these instead of counting every quad (a minute at 19 M quads)."""
    recorded = StoreStats.read((state / STORE_LINK).resolve())
    store = GraphStore.open(state)
    assert recorded == StoreStats(len(store), store.graph_sizes()) and recorded.quads > 0


def test_unreadable_sizes_are_none(tmp_path: Path) -> None:
    assert StoreStats.read(tmp_path) is None
    for text in ("{", "[]", '{"quads": 1}', '{"quads": "x", "graphs": {}}'):
        (tmp_path / STATS_FILE).write_text(text)
        assert StoreStats.read(tmp_path) is None, text


def test_failed_build_leaves_previous_store(state: Path, tmp_path: Path) -> None:
    before = os.readlink(state / STORE_LINK)
    expected = count(GraphStore.open(state))
    broken = dict(FAKE_TEXTS, **{"report-b": "FAKE-REPORT 2024\nGARBLED\n"})
    manifest = write_sources(tmp_path / "broken", broken)
    with pytest.raises(PlantraceError, match=r"001_report-b\.txt:2: expected EVAL or OVERALL"):
        build(state, manifest, [fake_parser])
    assert os.readlink(state / STORE_LINK) == before
    assert count(GraphStore.open(state)) == expected
    assert sorted(p.name for p in state.glob("store-*")) == [before]


def test_interrupted_build_leaves_previous_store(state: Path) -> None:
    before = os.readlink(state / STORE_LINK)
    with pytest.raises(KeyboardInterrupt), building(state) as store:
        store.replace_graph(graph(DOC_A, "一"))
        raise KeyboardInterrupt
    assert os.readlink(state / STORE_LINK) == before
    assert sorted(p.name for p in state.glob("store-*")) == [before]


def test_killed_build_leaves_previous_store(state: Path, tmp_path: Path) -> None:
    before = os.readlink(state / STORE_LINK)
    expected = count(GraphStore.open(state))
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from kg.store import building
        with building(Path({str(state)!r})) as store:
            store.oxigraph.update("INSERT DATA {{ GRAPH <x:g> {{ <x:s> <x:p> <x:o> }} }}")
            store.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert proc.returncode == -9, proc.stderr
    assert len(list(state.glob("store-*"))) == 2  # the dead build's directory is left behind
    assert os.readlink(state / STORE_LINK) == before
    assert count(GraphStore.open(state)) == expected
    # The next successful build removes it, keeping only the new and the previous store.
    build(state, write_sources(tmp_path / "again", FAKE_TEXTS), [fake_parser])
    assert {p.name for p in state.glob("store-*")} == {before, os.readlink(state / STORE_LINK)}


def test_one_build_at_a_time(state: Path) -> None:
    with building(state), pytest.raises(PlantraceError, match="no other build"):  # noqa: SIM117
        with building(state):
            pass


def test_open_without_store(tmp_path: Path) -> None:
    with pytest.raises(PlantraceError, match="expected a built store"):
        GraphStore.open(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / STORE_LINK).symlink_to("empty")
    with pytest.raises(PlantraceError, match="expected a store made by"):
        GraphStore.open(tmp_path)


def _quads(path: Path) -> set[ox.Quad]:
    fmt = export_format(path)
    return set(ox.parse(path=str(path), format=fmt))


@pytest.mark.parametrize("suffix", sorted(EXPORT_FORMATS))
def test_export_round_trips(state: Path, tmp_path: Path, suffix: str) -> None:
    store = GraphStore.open(state)
    out = tmp_path / f"export{suffix}"
    store.export(out)
    quads = {q for q in store.oxigraph if not isinstance(q.graph_name, ox.DefaultGraph)}
    if EXPORT_FORMATS[suffix].supports_datasets:  # the named graphs, not the stored union
        assert _quads(out) == quads
    else:  # Turtle holds the union of the graphs
        assert {(q.subject, q.predicate, q.object) for q in _quads(out)} == {
            (q.subject, q.predicate, q.object) for q in quads
        }
    assert not list(tmp_path.glob(".export*"))  # no temporary file left


def test_export_format_unknown() -> None:
    with pytest.raises(PlantraceError, match=r"x\.rdf: expected a file name ending in one of"):
        export_format(Path("x.rdf"))
