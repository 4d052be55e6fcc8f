"""Validation for the pages, run once per store and body in a query worker of its own.

Validating takes seconds (pySHACL over the whole graph), so its result is computed once per
store and body — the store a worker would open now: a rebuild gives a new one; a remote store's
result is kept until its next publication, or for :data:`REMOTE_TTL` seconds where that cannot
be told — and shared by the requests waiting for it. It runs in a
:class:`~api.workers.pool.WorkerPool` of its own, at a lower CPU priority, under the export time
limit, so it never holds up the workers that answer queries and pages. On data of several
bodies it runs for one body at a time (``?body=``).

That worker is started for a run and stopped when no run is left: pySHACL and the graph it
validates would otherwise hold a hundred MiB or more between builds for nothing (the reports
are kept here, in the server).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

from api.views.validation_page import ValidationPage, validation_page
from api.workers.backend import Backend
from api.workers.http_errors import TimeLimit
from api.workers.pool import WorkerPool

log = logging.getLogger("plantrace.validation")

REMOTE_TTL = 300.0
"""Seconds a remote store's validation report is kept (another client may change the store)."""
VALIDATION_BODIES = 16
"""How many bodies' validation reports are kept (on data of several bodies)."""
VALIDATION_NICE = 10
"""Validation runs at a lower CPU priority than the query workers: started with the server,
it would otherwise take a core from the first requests for the seconds pySHACL needs."""


class ValidationCache:
    """The validation report of the store being served (of one body, on data of several),
    computed once per store and body.

    Requests that arrive while it runs wait for the same run.
    A run that failed is tried again on the next request, unless it was stopped at the time
    limit: on the same data it would only stop again, after taking a core for that long.
    """

    def __init__(self, backend: Backend, timeout: float) -> None:
        self.backend = backend
        self.timeout = timeout
        self.pool: WorkerPool | None = None  # while runs are under way
        self.running = 0
        self.key: tuple[str, str | float] | None = None
        self.tasks: dict[str | None, asyncio.Task[ValidationPage]] = {}
        self._lock = asyncio.Lock()

    def _key(self) -> tuple[str, str | float]:
        """The store, and for a remote store its publication when known (read by the request
        asking for the report before it asked, :class:`~api.workers.backend.RemoteGenerations`:
        a page kept under that publication must show its findings), else the time."""
        current = self.backend.spec.current()
        if self.backend.kind != "remote":
            return (current, 0.0)
        token = self.backend.stamps.token if self.backend.stamps else None
        return (current, token or time.monotonic() // REMOTE_TTL)

    async def _compute(self, body: str | None) -> ValidationPage:
        if self.backend.stamps is not None:  # (till then a worker may name the previous graphs)
            await self.backend.stamps.settled()
        return await self._run(body)

    async def _run(self, body: str | None) -> ValidationPage:
        async with self._lock:
            if self.pool is None:
                pool = WorkerPool(replace(self.backend.spec, nice=VALIDATION_NICE), 1)
                await pool.start()  # (closes itself if it cannot start)
                self.pool = pool
            pool = self.pool
            self.running += 1
        try:
            return await pool.run(validation_page, self.timeout, body=body)
        finally:
            async with self._lock:
                self.running -= 1
                if self.running == 0 and self.pool is pool:
                    self.pool = None
                    await pool.close()

    def refresh(self, body: str | None = None) -> asyncio.Task[ValidationPage]:
        """The run for the current store and ``body``: the one under way or done, else a new
        one."""
        key = self._key()
        if self.key != key:
            self.key = key
            self.tasks.clear()
        task = self.tasks.pop(body, None)  # (put back last: the most recently asked)
        if task is None or _failed(task):
            task = asyncio.ensure_future(self._compute(body))
            task.add_done_callback(_log_failure)
        self.tasks[body] = task
        for old in list(self.tasks)[: max(len(self.tasks) - VALIDATION_BODIES, 0)]:
            if self.tasks[old].done():
                del self.tasks[old]
        return task

    async def get(self, body: str | None = None) -> ValidationPage:
        return await asyncio.shield(self.refresh(body))

    async def close(self) -> None:
        for task in self.tasks.values():
            if not task.done():
                task.cancel()
        if self.pool is not None:
            await self.pool.close()


def _failed(task: asyncio.Task[ValidationPage]) -> bool:
    """Finished without a report, for a reason that asking again may remove."""
    if not task.done():
        return False
    return task.cancelled() or (
        task.exception() is not None and not isinstance(task.exception(), TimeLimit)
    )


def _log_failure(task: asyncio.Task[ValidationPage]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("validation failed: %s", task.exception())
