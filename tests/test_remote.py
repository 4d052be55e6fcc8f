"""The remote store (kg.remote) against a real ``oxigraph serve`` on 127.0.0.1: the same
interface as the embedded store, atomic replacement and builds, dumps, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import fake_parser
import pyoxigraph as ox
import pytest
from conftest import FAKE_TEXTS, write_sources
from rdflib import Graph, Literal, URIRef
from server_fixtures import Remote
from servers import REPO, Server, clean_env, oxigraph_binary, start

from kg.build import build
from kg.config import RemoteStore, load_settings
from kg.errors import PlantraceError, RemoteError
from kg.namespaces import ONTOLOGY_GRAPH, PTID
from kg.remote import STAGING, RemoteGraphStore
from kg.store import GraphStore, TripleStore

EX = "http://example.org/"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("oxigraph")
    server = start(
        [oxigraph_binary(), "serve", "--location", str(tmp / "db"), "--bind", "127.0.0.1:{port}"],
        clean_env(),
        tmp / "oxigraph.log",
        "/query?query=ASK%7B%7D",
    )
    yield server
    server.stop()


@pytest.fixture
def remote(oxigraph: Server) -> Iterator[RemoteGraphStore]:
    store = RemoteGraphStore(RemoteStore.at(f"{oxigraph.url}/query"))
    store.update("DROP SILENT ALL")
    yield store
    store.close()


def graph(name: str, *objects: str) -> Graph:
    g = Graph(identifier=URIRef(name))
    for o in objects:
        g.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal(o, lang="ja")))
    return g


def objects(store: TripleStore, name: str) -> set[str]:
    rows = store.query(f"SELECT ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").rows
    return {r[0].value for r in rows if isinstance(r[0], ox.Literal)}


def canonical(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    """The quads of ``data`` with blank nodes named canonically (dumps may rename them)."""
    dataset = ox.Dataset(ox.parse(data, fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


DOC = f"{PTID}test/doc/"


def built(*graphs: Graph) -> GraphStore:
    """An in-memory store holding ``graphs`` and the ontology, as a build leaves it."""
    store = GraphStore.memory()
    store.load_ontology()
    for g in graphs:
        store.replace_graph(g, refresh=False)
    store.refresh_default_graph()
    return store


def test_publish_replaces_graphs_and_keeps_the_union_default(remote: RemoteGraphStore) -> None:
    remote.publish(built(graph(DOC + "a", "一", "二"), graph(DOC + "b", "三")))
    remote.publish(built(graph(DOC + "a", "四"), graph(DOC + "b", "三")))
    assert objects(remote, DOC + "a") == {"四"}
    assert remote.graphs() == {DOC + "a", DOC + "b", str(ONTOLOGY_GRAPH)}
    union = remote.query(f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}").rows
    assert {r[0].value for r in union if r[0] is not None} == {"四", "三"}
    assert remote.query("ASK { pt:grade a ?t }").boolean is True
    assert not [g for g in remote.graphs() if g.startswith(STAGING)]


def test_a_failed_publish_changes_nothing(
    remote: RemoteGraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote.publish(built(graph(DOC + "a", "一")))
    before = remote.graph_sizes()
    put = remote.put_graph
    staged: list[str] = []

    def failing(name: str, data: bytes, media: str = "application/n-triples") -> None:
        staged.append(name)
        if len(staged) == 2:
            raise RemoteError(f"{name}: refused")
        put(name, data, media)

    monkeypatch.setattr(remote, "put_graph", failing)
    with pytest.raises(RemoteError, match="refused"):  # the first graph was staged already
        remote.publish(built(graph(DOC + "a", "三"), graph(DOC + "b", "四")))
    assert remote.graph_sizes() == before and objects(remote, DOC + "a") == {"一"}
    assert not [g for g in remote.graphs() if g.startswith(STAGING)]


def test_build_publishes_atomically_and_a_failed_build_changes_nothing(
    remote: RemoteGraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTRACE_STORE", remote.endpoints.query)
    remote.put_graph(EX + "other", graph(EX + "other", "他").serialize(format="nt").encode())
    # (not plantrace's: left alone)
    manifest = write_sources(tmp_path / "sources", FAKE_TEXTS)
    build(None, manifest, [fake_parser])
    sizes = remote.graph_sizes()
    assert any(g.endswith("/doc/report-a") for g in sizes) and EX + "other" in sizes
    assert remote.query("ASK { ?e a pt:SelfEvaluation ; pt:grade pt:GradeA }").boolean is True
    broken = dict(FAKE_TEXTS, **{"report-b": "FAKE-REPORT 2024\nGARBLED\n"})
    with pytest.raises(PlantraceError, match="expected EVAL or OVERALL"):
        build(None, write_sources(tmp_path / "broken", broken), [fake_parser])
    assert remote.graph_sizes() == sizes
    fewer = {k: v for k, v in FAKE_TEXTS.items() if k != "report-b"}
    build(None, write_sources(tmp_path / "fewer", fewer), [fake_parser])
    after = remote.graph_sizes()
    assert not any(g.endswith("/doc/report-b") for g in after)  # a dropped document is removed
    assert EX + "other" in after


def test_dump_and_len_match_the_embedded_store(
    remote: RemoteGraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = write_sources(tmp_path / "sources", FAKE_TEXTS)
    build(tmp_path / "state", manifest, [fake_parser])
    monkeypatch.setenv("PLANTRACE_STORE", remote.endpoints.query)
    build(None, manifest, [fake_parser])
    local = GraphStore.open(tmp_path / "state")
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES):
        assert canonical(remote.dump(fmt), fmt) == canonical(local.dump(fmt), fmt)
    assert len(remote) == len(local)
    out = tmp_path / "export.nq"
    remote.export(out)
    nq = ox.RdfFormat.N_QUADS
    assert canonical(out.read_bytes(), nq) == canonical(local.dump(nq), nq)


def test_cli_query_and_validate_use_the_remote_store(remote_stack: Remote, tmp_path: Path) -> None:
    """``plantrace build`` wrote the real documents into ``oxigraph serve`` (the fixture);
    ``query`` and ``validate`` read them from there, not from a state directory."""
    env = clean_env(PLANTRACE_STORE=remote_stack.endpoint, PLANTRACE_STATE=str(tmp_path / "none"))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kg.cli", *args],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    query = "SELECT (COUNT(*) AS ?n) WHERE { ?i a pt:EvaluationItem }"
    counted = cli("query", query, "--format", "csv")
    assert counted.returncode == 0, counted.stderr
    assert int(counted.stdout.splitlines()[1]) > 0
    validated = cli("validate", "--format", "json")
    assert validated.returncode in (0, 1), validated.stderr
    assert validated.stdout.lstrip().startswith("{")
    assert not (tmp_path / "none").exists()


def test_unreachable_store_is_a_one_line_error() -> None:
    store = RemoteGraphStore(RemoteStore.at("http://127.0.0.1:9/query"), timeout=2)
    with pytest.raises(PlantraceError, match="expected a reachable triple store"):
        store.query("ASK {}")
    settings = load_settings({"PLANTRACE_STORE": "http://127.0.0.1:9/query"})
    assert settings.store is not None
