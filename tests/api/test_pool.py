"""The worker pool on its own: a job that kills its worker gets 503, and the pool recovers."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fake_parser
import pytest
from conftest import FAKE_TEXTS, write_sources

from api.pool import QueryError, WorkerPool, _Worker
from api.worker import WorkerSpec
from kg.build import build
from kg.store import STORE_LINK


def test_a_dead_worker_is_replaced(built_state: Path) -> None:
    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec("embedded", path=str(built_state / STORE_LINK)), 1)
        await pool.start()
        try:
            ((pid, _),) = pool.workers()
            with pytest.raises(QueryError) as raised:
                await pool.run("crash", 10)
            assert raised.value.status == 503
            answer = await pool.run("status", 30)  # waits for the replacement
            assert answer["triples"] > 0
            assert pool.restarts == 1 and [p for p, _ in pool.workers()] != [pid]
            with pytest.raises(QueryError) as missing:
                await pool.run("trace", 10, code="Z-99")
            assert missing.value.status == 404
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_store_that_cannot_be_opened_fails_at_start(tmp_path: Path) -> None:
    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec("embedded", path=str(tmp_path / "missing")), 1)
        with pytest.raises(QueryError, match="cannot open the store"):
            await pool.start()

    asyncio.run(scenario())


def test_workers_follow_a_rebuild(tmp_path: Path) -> None:
    """After ``plantrace build`` moves the store link, the next job runs on the new store."""
    first = {k: v for k, v in FAKE_TEXTS.items() if k != "report-b"}
    build(tmp_path / "state", write_sources(tmp_path / "one", first), [fake_parser])

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec("embedded", path=str(tmp_path / "state" / STORE_LINK)), 1)
        await pool.start()
        try:
            before = await pool.run("status", 30)
            build(tmp_path / "state", write_sources(tmp_path / "two", FAKE_TEXTS), [fake_parser])
            after = await pool.run("status", 30)
            assert after["store"] != before["store"]
            assert after["triples"] > before["triples"]
            assert pool.restarts == 1
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_worker_killed_from_several_threads_at_once(built_state: Path) -> None:
    """Regression: the server stopping while a start-up thread gave up on the same worker
    closed its pipe twice (OSError: Bad file descriptor at shutdown)."""
    worker = _Worker.start(WorkerSpec("embedded", path=str(built_state / STORE_LINK)))
    with ThreadPoolExecutor(8) as threads:
        for done in [threads.submit(worker.kill) for _ in range(8)]:
            done.result()  # raises what kill() raised
    assert not worker.process.is_alive() and worker.conn.closed


def test_start_waits_for_one_worker_and_the_others_join(built_state: Path) -> None:
    """Start-up costs one worker's start: the others are started after it and join when ready."""

    async def scenario() -> None:
        pool = WorkerPool(WorkerSpec("embedded", path=str(built_state / STORE_LINK)), 3)
        await pool.start()
        try:
            assert len(pool.workers()) == 1  # the others need a second to import: not yet
            assert (await pool.run("status", 30))["triples"] > 0
            deadline = asyncio.get_running_loop().time() + 60
            while len(pool.workers()) < 3:
                assert asyncio.get_running_loop().time() < deadline, pool.workers()
                await asyncio.sleep(0.1)
            assert len({pid for pid, _ in pool.workers()}) == 3 and pool.restarts == 0
        finally:
            await pool.close()

    asyncio.run(scenario())
