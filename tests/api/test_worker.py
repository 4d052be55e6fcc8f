"""The query worker (api/worker.py) on its own, in this process: what it costs to start and
to answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api.worker import Engine, WorkerSpec, handle
from kg.store import STORE_LINK, GraphStore

HEAVY = ["api.views", "api.pages", "api.analysis", "networkx", "jinja2", "pydantic",
         "rdflib.plugins.sparql", "pyshacl", "httpx", "fastapi"]  # fmt: skip


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_a_worker_starts_without_the_views() -> None:
    """Regression: each worker imported the views, pages and networkx before it could answer
    (3 s of `plantrace serve`'s start-up); they now load after start, or on first use."""
    assert _loaded_after("import kg.cli, api.worker") == []


def test_serve_launches_workers_before_loading_the_web_stack() -> None:
    """``api.server`` (what ``plantrace serve`` imports first) starts the workers; FastAPI and
    the pages load only after that (see api/server.py)."""
    assert _loaded_after("import api.server") == []


def test_queries_never_count_the_store(
    built_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: ``self.local or self.remote`` called GraphStore.__len__, which counts every
    quad, on every query a view ran (5 ms each on J-LIS, growing with the data)."""
    engine = Engine(WorkerSpec("embedded", path=str(built_state / STORE_LINK)))

    def counted(store: GraphStore) -> int:
        raise AssertionError("the store was counted")

    monkeypatch.setattr(GraphStore, "__len__", counted)
    answer = handle(engine, "trace", {"code": "I-1"})
    assert answer[0] == "ok" and answer[1].item.code == "I-1" and answer[1].goal_clauses
    assert handle(engine, "no-such-job", {})[:2] == ("error", 500)


def test_warm_up_is_answered_at_once(built_state: Path) -> None:
    engine = Engine(WorkerSpec("embedded", path=str(built_state / STORE_LINK)))
    assert handle(engine, "warm_up", {}) == ("ok", None)
