"""Real servers for the API tests, started once per session on 127.0.0.1 and free ports.

A pytest plugin (``-p server_fixtures`` in pyproject.toml) rather than ``tests/api/conftest.py``:
a second module named ``conftest`` would shadow ``tests/conftest.py`` for the modules that
``from conftest import …``. Fixtures start nothing until a test asks for them.

* ``server``: ``plantrace serve --state-dir`` on a store built once from the real documents;
* ``remote_server``: ``oxigraph serve`` filled by ``plantrace build`` with ``PLANTRACE_STORE``,
  and ``plantrace serve`` on it (the same API, a remote store);
* ``dataset_server``: ``plantrace serve --dataset`` on a TriG file with the W3C protocol test
  graphs and a small graph of hostile text (for the escaping tests).

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
    HOSTILE_IRI,
    HOSTILE_TEXT,
    JAPANESE_IRI,
    REPO,
    W3C,
    Server,
    clean_env,
    oxigraph_binary,
    serve,
    start,
)

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
    running = start(
        serve("--state-dir", str(built_state)), clean_env(), logs / "serve.log", "/status"
    )
    yield running
    running.stop()


@dataclass
class Remote:
    oxigraph: Server
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
    endpoint = f"{oxi.url}/query"
    env = clean_env(PLANTRACE_STORE=endpoint)
    try:
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "build"], env=env, cwd=REPO, check=True,
            capture_output=True, timeout=300,
        )  # fmt: skip
        api = start(serve(), env, tmp / "serve.log", "/status")
    except BaseException:
        oxi.stop()
        raise
    yield Remote(oxi, endpoint, api)
    api.stop()
    oxi.stop()


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
    out.write_text("".join(parts), encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def dataset_server(
    dataset_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    logs = tmp_path_factory.mktemp("dataset-logs")
    running = start(
        serve("--dataset", str(dataset_file)), clean_env(), logs / "serve.log", "/status"
    )
    yield running
    running.stop()
