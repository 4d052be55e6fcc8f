"""The worker pool on its own: a job that kills its worker gets 503, and the pool recovers."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import fake_parser
import jobs_for_tests
import pyoxigraph as ox
import pytest
from conftest import FAKE_TEXTS, run_async, write_sources

from api.views.traces import trace
from api.workers.engine_jobs import SparqlRequest, dump, sparql, status
from api.workers.http_errors import QueryError
from api.workers.pool import LOW_PRIORITY, WorkerPool, _Worker
from api.workers.worker import LARGE_ANSWER, WorkerSpec
from kg.build import build
from kg.store import GraphStore


def test_a_dead_worker_is_replaced(built_state: Path) -> None:
    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(built_state), 1)
        await pool.start()
        try:
            ((pid, _),) = pool.workers()
            with pytest.raises(QueryError) as raised:
                await pool.run(jobs_for_tests.crash, 10)
            assert raised.value.status == 503
            answer = await pool.run(status, 30)  # waits for the replacement
            assert answer["triples"] > 0
            assert pool.restarts == 1 and [p for p, _ in pool.workers()] != [pid]
            with pytest.raises(QueryError) as missing:
                await pool.run(trace, 10, code="Z-99")
            assert missing.value.status == 404
        finally:
            await pool.close()

    run_async(scenario())


def test_a_store_that_cannot_be_opened_fails_at_start(tmp_path: Path) -> None:
    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(tmp_path / "missing"), 1)
        with pytest.raises(QueryError, match="cannot open the store"):
            await pool.start()

    run_async(scenario())


def test_workers_follow_a_rebuild(tmp_path: Path) -> None:
    """After ``plantrace build`` moves the store link, the next job runs on the new store."""
    first = {k: v for k, v in FAKE_TEXTS.items() if k != "report-b"}
    build(tmp_path / "state", write_sources(tmp_path / "one", first), [fake_parser])

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(tmp_path / "state"), 1)
        await pool.start()
        try:
            before = await pool.run(status, 30)
            build(tmp_path / "state", write_sources(tmp_path / "two", FAKE_TEXTS), [fake_parser])
            after = await pool.run(status, 30)
            assert after["store"] != before["store"]
            assert after["triples"] > before["triples"]
            assert pool.restarts == 1
        finally:
            await pool.close()

    run_async(scenario())


def test_a_worker_killed_from_several_threads_at_once(built_state: Path) -> None:
    """Regression: the server stopping while a start-up thread gave up on the same worker
    closed its pipe twice (OSError: Bad file descriptor at shutdown)."""
    worker = _Worker.start(WorkerSpec(built_state))
    with ThreadPoolExecutor(8) as threads:
        for done in [threads.submit(worker.kill) for _ in range(8)]:
            done.result()  # raises what kill() raised
    assert not worker.process.is_alive() and worker.conn.closed


def test_start_waits_for_one_worker_and_the_others_join(built_state: Path) -> None:
    """Start-up costs one worker's start: the others are started after it and join when ready."""

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(built_state), 3)
        await pool.start()
        try:
            assert len(pool.workers()) == 1  # the others need a second to import: not yet
            assert (await pool.run(status, 30))["triples"] > 0
            deadline = asyncio.get_running_loop().time() + 60
            while len(pool.workers()) < 3:
                assert asyncio.get_running_loop().time() < deadline, pool.workers()
                await asyncio.sleep(0.1)
            assert len({pid for pid, _ in pool.workers()}) == 3 and pool.restarts == 0
        finally:
            await pool.close()

    run_async(scenario())


def test_a_large_answer_arrives_whole_while_small_ones_go_on(built_state: Path) -> None:
    """An answer over LARGE_ANSWER bytes (the dataset as N-Quads) is read in a thread: it
    arrives intact, and the other worker's answers are not held up meanwhile."""
    nquads = "application/n-quads"
    store = GraphStore.open(built_state)
    expected = store.dump(ox.RdfFormat.N_QUADS)
    assert len(expected) > LARGE_ANSWER

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(built_state), 2)
        await pool.start()
        try:
            while len(pool.workers()) < 2:
                await asyncio.sleep(0.05)
            big = asyncio.ensure_future(pool.run(dump, 60, media=nquads))
            small = [await pool.run(sparql, 10, _ask()) for _ in range(5)]
            assert all(a.body for a in small)
            assert await big == expected
            assert pool.restarts == 0
        finally:
            await pool.close()

    run_async(scenario())


def _ask() -> SparqlRequest:
    return SparqlRequest("ASK {}", (), (), "application/sparql-results+json", None, "http://x/", 10)


class _NonBlockingLoop(asyncio.SelectorEventLoop):
    """An event loop that, like uvloop, makes the descriptors it watches non-blocking."""

    def add_reader(self, fd: Any, callback: Any, *args: Any) -> None:
        os.set_blocking(fd, False)
        super().add_reader(fd, callback, *args)


def test_answers_arrive_whole_on_a_loop_that_sets_non_blocking(built_state: Path) -> None:
    """Regression: under uvloop an answer larger than the pipe's buffer was read from a
    non-blocking pipe before the worker had written all of it (BlockingIOError: 503)."""
    job = SparqlRequest("SELECT * { ?s ?p ?o } LIMIT 3000", (), (),
                        "application/sparql-results+json", None, "http://x/", 3000)  # fmt: skip

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(built_state), 1)
        await pool.start()
        try:
            for _ in range(10):
                answer = await pool.run(sparql, 30, job)
                assert answer.count == 3000 and len(answer.body) > 200_000
        finally:
            await pool.close()

    run_async(scenario(), _NonBlockingLoop)


def test_a_long_job_yields_the_cpu_and_its_worker_is_replaced(built_state: Path) -> None:
    """A job still running after ``long_query`` seconds runs at the lowest priority (short
    requests keep the CPU); its worker, which cannot be raised back, is replaced once it
    answers. A short job's worker keeps its priority and stays."""

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(built_state), 1, long_query=0.3)
        await pool.start()
        try:
            ((pid, _),) = pool.workers()
            assert await pool.run(jobs_for_tests.niceness_after, 10, 0.0) == os.nice(0)
            assert [p for p, _ in pool.workers()] == [pid] and pool.restarts == 0
            assert await pool.run(jobs_for_tests.niceness_after, 10, 1.0) == LOW_PRIORITY
            assert await pool.run(jobs_for_tests.niceness_after, 10, 0.0) == os.nice(0)
            assert [p for p, _ in pool.workers()] != [pid] and pool.restarts == 1
        finally:
            await pool.close()

    run_async(scenario())


def test_workers_start_with_their_code_loaded(built_state: Path) -> None:
    """Workers are forked from a process that loaded the views once (api.workers.preload): the
    first page a worker serves does not wait for imports, and a replacement starts at once."""

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec(built_state), 1)
        await pool.start()
        try:
            views = await pool.run(jobs_for_tests.loaded, 10, "api.views.")
            assert {"api.views.item_page", "api.views.dashboard", "api.views.search"} <= set(views)
            assert "networkx" in await pool.run(jobs_for_tests.loaded, 10, "networkx")
        finally:
            await pool.close()

    run_async(scenario())
