"""Shared test helpers: the repository layout and small hand-made source folders."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kg.build import BuildSummary, fill, summarize
from kg.sources import load_manifest
from kg.store import GraphStore

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "data" / "sources"


def write_sources(folder: Path, texts: dict[str, str], publisher: str = "test") -> Path:
    """A manifest and one file per ``{doc id: text}`` in ``folder``; returns the manifest path."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = []
    for i, (doc, text) in enumerate(texts.items()):
        name = f"{i:03d}_{doc}.txt"
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        documents.append(
            {
                "id": doc,
                "file": name,
                "title_ja": f"文書{i}",
                "title_en": f"document {i}",
                "issuer": "試験機構",
                "issued": "2026-06-23" if i % 2 == 0 else "2022-06",
                "kind": "fake-report",
                "form": "text",
                "fiscal_year": 2025,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    manifest = {
        "publisher": {"id": publisher, "name_ja": "試験機構", "name_en": "Test Agency"},
        "documents": documents,
    }
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


FAKE_TEXTS = {
    "report-a": "FAKE-REPORT 2025\nEVAL I-1 2025 self A\nEVAL I-1 2024 ministerial B\n",
    "report-b": "FAKE-REPORT 2024\nOVERALL 2024 ministerial B\n",
    "other": "not a report of any known kind\n",
}
"""Two documents the fake parser reads and one no parser accepts."""


def copies(folder: Path, edits: dict[str, tuple[str, str]], *also: str) -> Path:
    """The real documents ``edits`` names (each with its one ``old → new`` replacement) and
    those ``also`` names (all, for ``*``), unchanged, copied under ``folder``; their manifest."""
    texts = {}
    for doc in load_manifest(SOURCES / "manifest.json").documents:
        if doc.id in edits or doc.id in also or "*" in also:
            text = doc.read_text()
            if doc.id in edits:
                old, new = edits[doc.id]
                assert text.count(old) == 1, old
                text = text.replace(old, new)
            texts[doc.id] = text
    return write_sources(folder, texts, publisher="jlis")


def build_copies(folder: Path, edits: dict[str, tuple[str, str]], *also: str) -> GraphStore:
    """:func:`copies` built into a memory store."""
    store = GraphStore.memory()
    fill(store, load_manifest(copies(folder, edits, *also)))
    return store


@pytest.fixture
def fake_manifest(tmp_path: Path) -> Path:
    return write_sources(tmp_path / "sources", FAKE_TEXTS)


@pytest.fixture(scope="session")
def real_build() -> tuple[GraphStore, BuildSummary]:
    """The real documents with the registered parsers, linked and built once in memory."""
    store = GraphStore.memory()
    manifest = load_manifest(SOURCES / "manifest.json")
    return store, summarize(store, *fill(store, manifest))


def run_async(
    scenario: Coroutine[Any, Any, T],
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> T:
    """Run ``scenario`` to completion on an event loop of its own, in a thread of its own: the
    session's browser (playwright) keeps an event loop running in the main thread once the page
    tests have started, and ``asyncio.run`` refuses to start another one there."""

    def run() -> T:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(scenario)

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(run).result()


def board_parts() -> dict[str, str]:
    """The 中期計画 (議案第１号) and 年度計画 (議案第２号) parts of the board material as
    published, by the kind of a plan published on its own: from the plan's title to the
    annual plan's, and from there to the first reference material."""
    lines = (SOURCES / "004_5cd4bec260e2e85a.txt").read_text(encoding="utf-8").split("\n")

    def first(prefix: str, after: int = 0) -> int:
        return next(i for i, x in enumerate(lines) if i > after and x.strip().startswith(prefix))

    start = first("中期計画（第１期）", 60) - 1
    annual = first("個人番号カード関係事務に係る年度計画")
    end = max(i for i in range(start, annual) if lines[i].strip().startswith("地方公共団体情報"))
    stop = first("個人番号カード関係事務に係る中期目標の概要")
    return {
        "mid-term-plan": "\n".join(lines[start:end]),
        "annual-plan": "\n".join(lines[end:stop]),
    }
