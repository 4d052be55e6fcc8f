"""The remote store (kg.remote) against a real ``oxigraph serve`` on 127.0.0.1: the same
interface as the embedded store, atomic replacement and builds, dumps, and the CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import fake_parser
import pyoxigraph as ox
import pytest
from conftest import FAKE_TEXTS, copies, write_sources
from rdflib import Graph, Literal, URIRef
from server_fixtures import Remote
from servers import (
    REPO,
    Server,
    cached_get,
    clean_env,
    get_until_kept,
    oxigraph_binary,
    serve,
    start,
    start_plantrace,
)
from store_proxy import faulty_proxy

from kg import queries
from kg.build import build
from kg.config import RemoteStore, load_settings
from kg.errors import PlantraceError, RemoteError
from kg.namespaces import ONTOLOGY_GRAPH, PTID, PUBLICATION_GRAPH
from kg.remote import GRAPHS_FRESH, STAGING, UNION_GRAPH, RemoteGraphStore
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
    store = RemoteGraphStore(RemoteStore(f"{oxigraph.url}/query"))
    store.update("DROP ALL")
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


def test_every_publication_is_stamped_outside_the_data(remote: RemoteGraphStore) -> None:
    """The stamp a server keys its answers by changes with every publication, the same data
    published again included, and is not data: not in the graphs, the union or a dump."""
    assert remote.publication() is None  # (an empty store)
    data = built(graph(DOC + "a", "一"))
    remote.publish(data)
    first = remote.publication()
    remote.publish(data)
    second = remote.publication()
    assert first and second and first != second
    assert str(PUBLICATION_GRAPH) in remote._graph_counts(str(PTID))  # (it is there)
    assert str(PUBLICATION_GRAPH) not in remote.graphs() | set(remote.graph_sizes())
    assert remote.query("ASK { ?s pt:publicationToken ?t }").boolean is False  # not the union
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        assert canonical(remote.dump(fmt), fmt) == canonical(data.dump(fmt), fmt)
    assert len(remote) == len(data)


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
    assert any(g.endswith("/doc/report-a") for g in sizes) and EX + "other" not in sizes
    assert remote.query("ASK { ?e a pt:SelfEvaluation ; pt:grade pt:GradeA }").boolean is True
    broken = dict(FAKE_TEXTS, **{"report-b": "FAKE-REPORT 2024\nGARBLED\n"})
    with pytest.raises(PlantraceError, match="expected EVAL or OVERALL"):
        build(None, write_sources(tmp_path / "broken", broken), [fake_parser])
    assert remote.graph_sizes() == sizes
    fewer = {k: v for k, v in FAKE_TEXTS.items() if k != "report-b"}
    build(None, write_sources(tmp_path / "fewer", fewer), [fake_parser])
    after = remote.graph_sizes()
    assert not any(g.endswith("/doc/report-b") for g in after)  # a dropped document is removed
    assert len(remote.get_graph(EX + "other")) == 1  # never read, never written


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
    store = RemoteGraphStore(RemoteStore("http://127.0.0.1:9/query"), timeout=2)
    with pytest.raises(PlantraceError, match="expected a reachable triple store"):
        store.query("ASK {}")
    settings = load_settings({"PLANTRACE_STORE": "http://127.0.0.1:9/query"})
    assert settings.store is not None


# --- nothing lost, ever (issue 19) ---------------------------------------------------------------

MISSED = "公的個人認証システム（窓口向けサービス）：99.85%"
"""self-evaluation-fy2025 line 140: an actual value (tests/test_achievement.py)."""


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def actual_values(store: TripleStore) -> set[str]:
    rows = store.query("SELECT DISTINCT ?v WHERE { ?o a pt:Observation ; pt:value ?v }").rows
    return {r[0].value for r in rows if isinstance(r[0], ox.Literal)}


def test_a_store_that_ignores_move_fails_the_build_and_keeps_the_data(
    remote: RemoteGraphStore, oxigraph: Server, tmp_path: Path
) -> None:
    """A store that acknowledges MOVE/ADD/COPY but does not carry them out (Fuseki 4.5): the
    build fails, saying what the store holds and what it answered, and the previous graphs
    are all there, with the previous values, the union as before, no staging graph left."""
    direct = clean_env(PLANTRACE_STORE=remote.endpoints.query)
    first = cli(direct, "build")
    assert first.returncode == 0, first.stderr
    before = remote.graph_sizes()
    values = actual_values(remote)
    length = len(remote)
    assert "99.85" in values and "79.9" not in values
    changed = copies(tmp_path / "changed", {"self-evaluation-fy2025": (MISSED, "：79.9%")}, "*")
    with faulty_proxy(oxigraph.url) as (proxy, dropped):
        env = clean_env(PLANTRACE_STORE=f"{proxy}/query", PLANTRACE_SOURCES=str(changed.parent))
        failed = cli(env, "build")
        assert dropped and dropped[0] >= len(before) - 1  # every MOVE of the switch
        # (the copy has no curated links: the DROP of that graph reached the store)
        queried = cli(env, "query", "ASK { ?o pt:value 99.85 }", "--format", "json")
    assert failed.returncode == 2, failed.stdout
    message = failed.stderr.strip()
    assert "\n" not in message and "did not keep what was published" in message, message
    assert "expected" in message and "answered '204'" in message and "put back" in message
    assert remote.graph_sizes() == before and len(remote) == length
    assert actual_values(remote) == values
    assert not [g for g in remote._own_graphs(fresh=True) if g.startswith(STAGING)]
    assert not remote._graph_counts(STAGING)
    assert queried.returncode == 0 and '"boolean":true' in queried.stdout.replace(" ", "")


def test_the_generic_dialect_publishes_without_move(
    remote: RemoteGraphStore, oxigraph: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``generic`` copies staged graphs with INSERT … WHERE instead of MOVE, so the same store
    behind the same faulty proxy takes the build; the union lives in its own graph and every
    query names plantrace's dataset, with the same answers as the embedded store."""
    manifest = write_sources(tmp_path / "sources", FAKE_TEXTS)
    build(tmp_path / "state", manifest, [fake_parser])
    local = GraphStore.open(tmp_path / "state")
    remote.put_graph(EX + "other", graph(EX + "other", "他").serialize(format="nt").encode())
    with faulty_proxy(oxigraph.url) as (proxy, dropped):
        monkeypatch.setenv("PLANTRACE_STORE", f"{proxy}/query")
        monkeypatch.setenv("PLANTRACE_STORE_DIALECT", "generic")
        monkeypatch.setenv("PLANTRACE_STORE_UPDATE", f"{proxy}/update")
        monkeypatch.setenv("PLANTRACE_STORE_GSP", f"{proxy}/store")
        build(None, manifest, [fake_parser])
        generic = RemoteGraphStore(load_settings().store)  # type: ignore[arg-type]
        assert not any(dropped)
        assert generic.dataset() == ([UNION_GRAPH], sorted(local.graphs()))
        assert generic.graph_sizes() == local.graph_sizes() and len(generic) == len(local)
        question = "SELECT ?g ?o { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?o)) } ORDER BY ?g ?o"
        assert generic.query(question).rows == local.query(question).rows  # "other" not seen
        nq = ox.RdfFormat.N_QUADS
        assert canonical(generic.dump(nq), nq) == canonical(local.dump(nq), nq)
        generic.close()


def test_a_store_without_plantrace_data_is_refused(
    remote: RemoteGraphStore, tmp_path: Path
) -> None:
    """``query``, ``validate``, ``export`` and ``serve`` on a store holding no plantrace graph
    (here: only someone else's) fail with one line, not with empty answers."""
    remote.put_graph(EX + "other", graph(EX + "other", "他").serialize(format="nt").encode())
    env = clean_env(PLANTRACE_STORE=remote.endpoints.query)
    runs = [
        cli(env, "query", "ASK { ?s ?p ?o }"),
        cli(env, "validate"),
        cli(env, "export", "-o", str(tmp_path / "out.nq")),
        cli(env, "serve", "--port", "0"),
    ]
    for run in runs:
        assert run.returncode == 2, (run.args, run.stdout, run.stderr)
        message = run.stderr.strip()
        assert "\n" not in message and "expected a store holding plantrace's graphs" in message
    assert not (tmp_path / "out.nq").exists()


def test_a_store_emptied_while_serving_answers_503(
    remote: RemoteGraphStore, tmp_path: Path
) -> None:
    manifest = write_sources(tmp_path / "sources", FAKE_TEXTS)
    remote.publish(built(graph(DOC + "a", "一")))
    env = clean_env(PLANTRACE_STORE=remote.endpoints.query, PLANTRACE_SOURCES=str(manifest.parent))
    api = start_plantrace(serve(), env, tmp_path / "serve.log")
    try:
        with api.client() as c:
            assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
            remote.update("DROP ALL")
            time.sleep(GRAPHS_FRESH + 0.5)
            for path in ("/api/items", "/sparql?query=ASK%7B%7D", "/"):
                r = c.get(path)
                assert r.status_code == 503, (path, r.status_code, r.text[:300])
                assert "expected a store holding plantrace's graphs" in r.text
            assert c.get("/readyz").status_code == 503
    finally:
        api.stop()


def test_an_endpoint_derived_for_the_wrong_store_says_what_to_set(
    oxigraph: Server, remote: RemoteGraphStore
) -> None:
    """Only PLANTRACE_STORE, and a store that keeps its Graph Store elsewhere than its dialect
    says (here: Oxigraph taken for Fuseki, so ``…/data``): the 404 says which settings to set."""
    wrong = RemoteGraphStore(RemoteStore(f"{oxigraph.url}/query", dialect="fuseki"))
    with pytest.raises(RemoteError) as caught:
        wrong.publish(built(graph(DOC + "a", "一")))
    message = str(caught.value)
    assert f"{oxigraph.url}/data: the store answered 404" in message
    assert "PLANTRACE_STORE_UPDATE and PLANTRACE_STORE_GSP" in message
    assert "for a fuseki store" in message and "PLANTRACE_STORE_DIALECT" in message
    wrong.close()


def test_moving_an_export_to_a_server_and_back(tmp_path: Path) -> None:
    """docs/integrators.md, "Moving between the embedded store and a server": export, load into
    a new Oxigraph server with the union made, read there, export back: the same quads."""
    manifest = write_sources(tmp_path / "sources", FAKE_TEXTS)
    build(tmp_path / "state", manifest, [fake_parser])
    env = clean_env()
    out = tmp_path / "plantrace.nq"
    exported = cli(env, "export", "-o", str(out), "--state-dir", str(tmp_path / "state"))
    assert exported.returncode == 0, exported.stderr
    oxigraph, db = oxigraph_binary(), str(tmp_path / "db")
    subprocess.run([oxigraph, "load", "--location", db, "--file", str(out)], check=True)
    union = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    subprocess.run([oxigraph, "update", "--location", db, "--update", union], check=True)
    server = start(
        [oxigraph, "serve", "--location", db, "--bind", "127.0.0.1:{port}"], env,
        tmp_path / "oxigraph.log", "/query?query=ASK%7B%7D",
    )  # fmt: skip
    try:
        remote = clean_env(PLANTRACE_STORE=f"{server.url}/query")
        asked = cli(remote, "query", "ASK { ?e a pt:SelfEvaluation ; pt:grade pt:GradeA }")
        assert asked.returncode == 0 and "true" in asked.stdout
        assert cli(remote, "export", "-o", str(tmp_path / "back.nq")).returncode == 0
    finally:
        server.stop()
    nq = ox.RdfFormat.N_QUADS
    assert canonical((tmp_path / "back.nq").read_bytes(), nq) == canonical(out.read_bytes(), nq)


def test_a_store_failing_half_way_through_the_switch_gets_its_graphs_back(
    remote: RemoteGraphStore, oxigraph: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The switch request fails after the store dropped the graph of a document no longer in
    the manifest (but moved nothing): that graph is put back, and the error is the store's."""
    manifest = write_sources(tmp_path / "all", FAKE_TEXTS)
    monkeypatch.setenv("PLANTRACE_STORE", remote.endpoints.query)
    build(None, manifest, [fake_parser])
    before, length, stamp = remote.graph_sizes(), len(remote), remote.publication()
    fewer = {k: v for k, v in FAKE_TEXTS.items() if k != "report-b"}
    with faulty_proxy(oxigraph.url, fail=True) as (proxy, dropped):
        monkeypatch.setenv("PLANTRACE_STORE", f"{proxy}/query")
        with pytest.raises(RemoteError, match=r"simulated failure.*previous \d+ graphs .*back"):
            build(None, write_sources(tmp_path / "fewer", fewer), [fake_parser])
        assert dropped and dropped[0] > 0
    assert remote.graph_sizes() == before and len(remote) == length
    assert not remote._graph_counts(STAGING)
    assert remote.publication() not in (None, stamp)  # (a server may have seen the new data)


# --- answers kept under the store's publication stamp (issue 21) ---------------------------------

GRADES = "/sparql?query=" + "SELECT ?g WHERE { ?e a pt:SelfEvaluation ; pt:grade ?g }"


def test_a_remote_store_is_cached_until_the_next_build_and_never_stale(
    remote: RemoteGraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``plantrace serve`` on a remote store keeps answers under its publication stamp: a
    repeated request is a hit, the first request after ``plantrace build`` published changed
    data shows them (its old validator no longer holds), and a store without a stamp (built by
    an older plantrace) is answered without the cache."""
    monkeypatch.setenv("PLANTRACE_STORE", remote.endpoints.query)
    build(None, write_sources(tmp_path / "before", FAKE_TEXTS), [fake_parser])
    api = start_plantrace(
        serve(), clean_env(PLANTRACE_STORE=remote.endpoints.query), tmp_path / "serve.log"
    )
    try:
        with api.client() as c:
            for path in (GRADES, "/api/items"):
                get_until_kept(api, c, path)
            before = get_until_kept(api, c, GRADES)
            assert "GradeA" in before.text and "GradeS" not in before.text
            assert before.headers["etag"].startswith('W/"')
            graded = FAKE_TEXTS["report-a"].replace("self A", "self S")
            changed = dict(FAKE_TEXTS, **{"report-a": graded})
            build(None, write_sources(tmp_path / "after", changed), [fake_parser])
            after, cache = cached_get(api, c, GRADES, **{"If-None-Match": before.headers["etag"]})
            assert after.status_code == 200 and cache != "hit"
            assert "GradeS" in after.text and "GradeA" not in after.text
            kept = get_until_kept(api, c, GRADES)
            assert kept.text == after.text and kept.headers["etag"] != before.headers["etag"]
            remote.update(queries.drop_graph(str(PUBLICATION_GRAPH)))
            for _ in range(2):
                bare, cache = cached_get(api, c, GRADES)
                assert (cache, "etag" in bare.headers) == ("-", False)
                assert bare.text == after.text
    finally:
        api.stop()
