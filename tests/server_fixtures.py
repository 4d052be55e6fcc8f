"""Real servers for the API tests, started once per session on 127.0.0.1 and free ports.

A pytest plugin (``-p server_fixtures`` in pyproject.toml) rather than ``tests/api/conftest.py``:
a second module named ``conftest`` would shadow ``tests/conftest.py`` for the modules that
``from conftest import …``. Fixtures start nothing until a test asks for them.

* ``server``: ``plantrace serve --state-dir`` on a store built once from the real documents;
* ``remote_server``: ``oxigraph serve`` filled by ``plantrace build`` with ``PLANTRACE_STORE``,
  and ``plantrace serve`` on it (the same API, a remote store);
* ``virtuoso_stack``: Debian's Virtuoso 7.2 (``virtuoso-t``) in a temporary directory, built
  into with only ``PLANTRACE_STORE`` set (its dialect detected), and ``plantrace serve`` on it;
  skipped, saying so, where Virtuoso is not installed (``.ci/run`` installs it);
* ``dataset_server``: ``plantrace serve --dataset`` on a TriG file with the W3C protocol test
  graphs, a small graph of hostile text and a whole trace of one item whose every text is
  markup (for the escaping tests of the API and of the pages in a browser).

The servers run with a short time limit, a small row limit and body limit (``LIMITS``) so the
limit tests are quick. Each is one subprocess (plus its query workers), stopped at the end.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import (
    HOSTILE_CODE,
    HOSTILE_IRI,
    HOSTILE_LAW,
    HOSTILE_TEXT,
    JAPANESE_IRI,
    PWN,
    REPO,
    W3C,
    Server,
    clean_env,
    oxigraph_binary,
    serve,
    start,
    start_plantrace,
    start_virtuoso,
)

from bench import virtuoso as virtuoso_recipe
from kg.build import build
from kg.store import GraphStore


@pytest.fixture(scope="session")
def built_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real documents built once into a store on disk."""
    state = tmp_path_factory.mktemp("state")
    build(state)
    return state


@pytest.fixture(scope="session")
def built_store(built_state: Path) -> Iterator[GraphStore]:
    """The built store, opened read-only in the test process (to check answers against)."""
    opened = GraphStore.open(built_state)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def server(built_state: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    logs = tmp_path_factory.mktemp("logs")
    running = start_plantrace(
        serve("--state-dir", str(built_state)), clean_env(), logs / "serve.log"
    )
    yield running
    running.stop()


@dataclass
class Remote:
    """A triple store server, its SPARQL endpoint, and ``plantrace serve`` on it."""

    store: Server
    endpoint: str
    api: Server


@pytest.fixture(scope="session")
def remote_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    """``oxigraph serve`` on a free port, built into with ``plantrace build``, and served."""
    tmp = tmp_path_factory.mktemp("remote")
    oxi = start(
        [oxigraph_binary(), "serve", "--location", str(tmp / "db"), "--bind", "127.0.0.1:{port}"],
        clean_env(),
        tmp / "oxigraph.log",
        "/query?query=ASK%7B%7D",
    )
    remote = build_and_serve(oxi, f"{oxi.url}/query", clean_env(), tmp / "serve.log")
    yield remote
    remote.api.stop()
    remote.store.stop()  # the one running now (test_remote_outage.py restarts it)


def build_and_serve(store: Server, endpoint: str, env: dict[str, str], log: Path) -> Remote:
    """``plantrace build`` into the store at ``endpoint``, then ``plantrace serve`` on it (the
    store is stopped if either fails)."""
    env = {**env, "PLANTRACE_STORE": endpoint}
    try:
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "build"], env=env, cwd=REPO, check=True,
            capture_output=True, timeout=300,
        )  # fmt: skip
        return Remote(store, endpoint, start_plantrace(serve(), env, log))
    except BaseException:
        store.stop()
        raise


PATIENT = {"PLANTRACE_QUERY_TIMEOUT": "45", "PLANTRACE_EXPORT_TIMEOUT": "300"}
"""Time limits for servers whose answers are compared whole, validation included (which takes
minutes on a busy shared machine): the short limits of the other servers would cut them."""


@pytest.fixture(scope="session")
def virtuoso_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    """Virtuoso on free ports, ``plantrace build`` into it, and ``plantrace serve`` on it."""
    if virtuoso_recipe.binaries() is None:
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    tmp = tmp_path_factory.mktemp("virtuoso")
    virtuoso = start_virtuoso(tmp)
    remote = build_and_serve(
        virtuoso, f"{virtuoso.url}/sparql", clean_env(**PATIENT), tmp / "serve.log"
    )
    yield remote
    remote.api.stop()
    virtuoso.stop()


@pytest.fixture(scope="session")
def remote_server(remote_stack: Remote) -> Server:
    return remote_stack.api


@pytest.fixture(scope="session", params=["embedded", "remote"])
def any_server(request: pytest.FixtureRequest) -> Server:
    """The API tests run against both the embedded store and the remote one."""
    name = "server" if request.param == "embedded" else "remote_server"
    found: Server = request.getfixturevalue(name)
    return found


@pytest.fixture(scope="session")
def dataset_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TriG file: each W3C protocol data file as the named graph its test expects, and a graph
    holding hostile markup in a literal of a plantrace IRI."""
    out = tmp_path_factory.mktemp("dataset") / "dataset.trig"
    parts = []
    if W3C.is_dir():
        for n in (1, 2, 3):
            triples = (W3C / f"data{n}.nt").read_text(encoding="utf-8")
            parts.append(f"<http://kasei.us/2009/09/sparql/data/data{n}.rdf> {{\n{triples}}}\n")
    escaped = HOSTILE_TEXT.replace("\\", "\\\\").replace('"', '\\"')
    parts.append(
        f"<https://w3id.org/plantrace/id/graph/test> {{\n"
        f'<{HOSTILE_IRI}> <http://www.w3.org/2000/01/rdf-schema#label> "{escaped}"@ja .\n'
        f'<{HOSTILE_IRI}> <https://w3id.org/plantrace/ontology#text> "{escaped}" .\n'
        f'<{JAPANESE_IRI}> <http://www.w3.org/2000/01/rdf-schema#label> "日本語の IRI"@ja .\n}}\n'
    )
    parts.append(hostile_item_graph())
    out.write_text("".join(parts), encoding="utf-8")
    return out


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_item_graph() -> str:
    """A named graph with a whole trace (statute, article, item, goal, plan and annual clauses
    in two years, an indicator with target and actual values, grades, a source document) whose
    every text is markup that would run if a page did not escape it (:data:`servers.PWN`)."""
    law = HOSTILE_LAW
    t = "https://w3id.org/plantrace/id/test/x/"
    p = _literal(PWN)

    def text(label: str) -> str:
        return _literal(f"{label} {PWN}")

    return f"""@prefix pt: <https://w3id.org/plantrace/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/plantrace/id/graph/hostile> {{
<{law}> a pt:Statute ; dcterms:title {text("法律")}@ja ; skos:altLabel {p}@ja .
<{law}/art1> a pt:Provision ; dcterms:isPartOf <{law}> ; pt:articleLabel {text("第1条")} ;
    pt:caption {p} ; pt:text {text("条文")} .
<{t}doc> a pt:SourceDocument ; dcterms:title {text("文書")}@ja ; pt:fileName {p} .
<{t}doc/L1-L2> a pt:Span ; pt:document <{t}doc> ; pt:lineStart 1 ; pt:lineEnd 2 .
<{t}goal> a pt:MidTermGoal ; pt:authorizedBy <{law}/art1> .
<{t}fy2021> a pt:FiscalYear ; pt:year 2021 .
<{t}fy2025> a pt:FiscalYear ; pt:year 2025 .
<{t}item> a pt:EvaluationItem ; pt:code {_literal(HOSTILE_CODE)} ; rdfs:label {text("項目")}@ja ;
    pt:legalBasis <{law}/art1> ; pt:legalBasisText {p} ; pt:relatedPolicy {p} ;
    prov:wasDerivedFrom <{t}doc/L1-L2> .
<{t}g1> a pt:GoalClause ; pt:item <{t}item> ; pt:partOf <{t}goal> ; pt:sectionNumber {p} ;
    pt:text {text("目標")} ; prov:wasDerivedFrom <{t}doc/L1-L2> .
<{t}p1> a pt:PlanClause ; pt:item <{t}item> ; pt:implements <{t}g1> ; pt:text {text("計画")} .
<{t}a2021> a pt:AnnualPlanClause ; pt:item <{t}item> ; pt:implements <{t}p1> ;
    pt:fiscalYear <{t}fy2021> ; pt:text {text("令和3年度の年度計画")} .
<{t}a2025> a pt:AnnualPlanClause ; pt:item <{t}item> ; pt:implements <{t}p1> ;
    pt:fiscalYear <{t}fy2025> ; pt:text {text("令和7年度の年度計画、改め")} .
<{t}i1> a pt:Indicator, pt:QuantitativeIndicator ; pt:item <{t}item> ; rdfs:label {text("指標")} ;
    pt:measures <{t}a2021>, <{t}a2025> ; pt:target <{t}target> .
<{t}i2> a pt:Indicator, pt:EvaluationViewpoint ; pt:item <{t}item> ; rdfs:label {text("視点")} ;
    pt:measures <{t}a2021> .
<{t}target> a pt:Target ; pt:targetValue 95.0 ; pt:unit {p} ; pt:comparator ">=" ;
    pt:text {text("目標値")} ; prov:wasDerivedFrom <{t}doc/L1-L2> .
<{t}o2021> a pt:Observation ; pt:indicator <{t}i1> ; pt:fiscalYear <{t}fy2021> ;
    pt:value 97.5 ; pt:unit {p} ; pt:subject {p} ; pt:text {text("実績")} ;
    prov:wasDerivedFrom <{t}doc/L1-L2> .
<{t}o2025> a pt:Observation ; pt:indicator <{t}i1> ; pt:fiscalYear <{t}fy2025> ;
    pt:value 96.25 ; pt:subject {p} ; pt:text {text("実績")} .
<{t}e-self> a pt:Evaluation, pt:SelfEvaluation ; pt:evaluates <{t}item> ;
    pt:fiscalYear <{t}fy2021> ; pt:grade pt:GradeA ; pt:rationale {text("根拠")} ;
    pt:importanceHigh true ; prov:wasDerivedFrom <{t}doc/L1-L2> .
<{t}e-min> a pt:Evaluation, pt:MinisterialEvaluation ; pt:evaluates <{t}item> ;
    pt:fiscalYear <{t}fy2021> ; pt:grade pt:GradeB ; pt:difficultyHigh true .
}}
"""


@pytest.fixture(scope="session")
def dataset_server(
    dataset_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    logs = tmp_path_factory.mktemp("dataset-logs")
    running = start_plantrace(
        serve("--dataset", str(dataset_file)), clean_env(), logs / "serve.log"
    )
    yield running
    running.stop()
