"""The query worker (api/workers/worker.py) on its own, in this process: what it costs to start and
to answer."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import fake_parser
import pytest
from conftest import FAKE_TEXTS, write_sources

from api.views import matching
from api.views.traces import trace
from api.workers.engine_jobs import import_views, service_description, status, void
from api.workers.worker import Call, Engine, WorkerSpec, handle
from kg.build import build
from kg.store import STATS_FILE, STORE_LINK, GraphStore, StoreStats

HEAVY = ["api.views.models", "api.views.item_page", "api.views.graph_models", "networkx", "jinja2",
         "pydantic", "rdflib.plugins.sparql", "pyshacl", "httpx", "fastapi"]  # fmt: skip


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_a_worker_starts_without_the_views() -> None:
    """Regression: each worker imported the views, pages and networkx before it could answer
    (3 s of `plantrace serve`'s start-up); they now load after start, or on first use."""
    assert _loaded_after("import kg.cli, api.workers.worker, api.workers.engine_jobs") == []


def test_serve_launches_workers_before_loading_the_web_stack() -> None:
    """``api.server`` (what ``plantrace serve`` imports first) starts the workers; FastAPI and
    the pages load only after that (see api/server.py)."""
    assert _loaded_after("import api.server") == []


def test_queries_never_count_the_store(
    built_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: ``self.local or self.remote`` called GraphStore.__len__, which counts every
    quad, on every query a view ran (5 ms each on J-LIS, growing with the data)."""
    engine = Engine(WorkerSpec(built_state))

    def counted(store: GraphStore) -> int:
        raise AssertionError("the store was counted")

    monkeypatch.setattr(GraphStore, "__len__", counted)
    answer = handle(engine, Call(trace, kwargs={"code": "I-1"}))
    assert answer[0] == "ok" and answer[1].item.code == "I-1" and answer[1].goal_clauses
    assert handle(engine, Call(print))[:2] == ("error", 500)


def test_the_preload_builds_the_search_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: each worker's first search built the table of what NFKC changes (0.1 s:
    the p95 of a body's search in bench/RESULTS.md was 100 ms against a p50 of 8 ms)."""
    monkeypatch.setattr(matching, "_changed", functools.cache(matching._changed.__wrapped__))
    import_views()
    assert matching._changed.cache_info().currsize == 1


def test_status_reads_the_store_s_recorded_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/status`` reports the sizes recorded when the store was made (counting 19 M quads
    took a minute); a store without a record is counted, once per worker."""
    state = tmp_path / "state"
    build(state, write_sources(tmp_path / "sources", FAKE_TEXTS), [fake_parser])
    directory = (state / STORE_LINK).resolve()
    store = GraphStore.open(state)
    real = (len(store), store.graph_sizes())
    store.close()
    spec = WorkerSpec(state)
    assert handle(Engine(spec), Call(status))[1]["triples"] == real[0]
    StoreStats(7, {"urn:g": 7}).write(directory)  # a record that differs: it is what shows
    engine = Engine(spec)
    recorded = handle(engine, Call(status))[1]
    assert (recorded["triples"], recorded["graphs"]) == (7, {"urn:g": 7})
    described = handle(engine, Call(void, ("http://x", "application/n-triples")))
    assert '"7"^^<http://www.w3.org/2001/XMLSchema#integer>' in described[1].decode()  # no count
    described = handle(engine, Call(service_description, ("http://x/sparql",
                                                          "application/n-triples")))
    assert "<urn:g>" in described[1].decode()
    (directory / STATS_FILE).unlink()
    engine = Engine(spec)
    assert handle(engine, Call(status))[1]["triples"] == real[0]
    monkeypatch.setattr(GraphStore, "__len__", lambda _: 0)
    assert handle(engine, Call(status))[1]["graphs"] == real[1]  # counted once, kept
    assert handle(engine, Call(status))[1]["triples"] == real[0]
