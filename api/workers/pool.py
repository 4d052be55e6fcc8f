"""A small pool of query worker processes, each job under a time limit.

:meth:`WorkerPool.run` hands a job to an idle worker and waits at most the time limit. A worker
that has not answered by then is killed (``SIGKILL``: the query really stops, no core is left
burning) and a fresh one is started in its place; the request gets HTTP 503 with a message.
Other requests go on being answered by the other workers meanwhile, and the event loop never
waits on a worker: it watches each worker's pipe, and reads a large answer in a thread.

Workers are forked from a fork server (:mod:`api.workers.preload`), a clean process that has
loaded their code once: no state of the server process (threads, open stores, sockets) is
inherited, as with ``spawn``, but a worker starts in milliseconds. For the embedded store a
worker opens whatever the state directory's ``store`` link points to when it starts; when a
rebuild moves the link, idle workers that still hold the old store are replaced before they
take a job, so every request after a rebuild sees the new data. :meth:`WorkerPool.reopen`
(after ``POST /admin/rebuild``) moves them without a gap: it starts the fresh workers first and
lets the old ones answer meanwhile.

A job still running after ``long_query`` seconds (``PLANTRACE_LONG_QUERY``) is moved to the
lowest CPU priority (``nice 19``, :data:`LOW_PRIORITY`): on a machine of few cores one long or
runaway query would otherwise take a core from every short request, the event loop's included,
until its time limit. It still runs on whatever CPU is left over, and is answered as before.
Its worker cannot raise its priority back (that needs privileges), so it is replaced once it
answers; only queries that took that long pay for the fresh process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, ForkServerProcess
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from api.workers.http_errors import QueryError, TimeLimit
from api.workers.worker import LARGE, Call, Engine, WorkerSpec, main

log = logging.getLogger("plantrace.pool")

START_TIMEOUT = 60.0
"""Seconds a new worker may take to open the store."""
LOW_PRIORITY = 19
"""The nice value of a worker whose job has run for longer than the pool's ``long_query``."""


P = ParamSpec("P")
R = TypeVar("R")


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


def _forked_from() -> ForkServerContext:
    """Workers are forked from a clean process that has loaded their code once
    (:mod:`api.workers.preload`): nothing of the server's state is inherited, as with
    ``spawn``, but a worker starts in milliseconds and shares that code's memory."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])
    return ctx


PRELOAD = "api.workers.preload"


def start_fork_server() -> None:
    """Start the process workers are forked from now: it loads their code (about a second)
    while the caller goes on with its own start-up."""
    _forked_from()
    multiprocessing.forkserver.ensure_running()


@dataclass
class _Worker:
    process: ForkServerProcess
    conn: Connection
    pid: int = 0
    store: str = ""
    lowered: bool = False
    """Its job ran long and it was moved to :data:`LOW_PRIORITY`: replace it when it answers."""
    _killing: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def start(cls, spec: WorkerSpec) -> _Worker:
        """Start a worker and wait until it has opened the store (raises QueryError if not)."""
        return cls.launch(spec).wait_ready()

    @classmethod
    def launch(cls, spec: WorkerSpec) -> _Worker:
        """Start a worker process without waiting for it."""
        ctx = _forked_from()
        parent, child = ctx.Pipe()
        process = ctx.Process(target=main, args=(child, spec), daemon=True, name="plantrace-query")
        process.start()
        child.close()
        return cls(process, parent)

    def wait_ready(self) -> _Worker:
        """Wait until the worker has opened the store (raises QueryError if it does not)."""
        try:
            message = self._receive()
            if message[0] != "ready":
                self.kill()
                raise QueryError(503, str(message[1]))
            self.pid, self.store = message[1], message[2]
        except (EOFError, OSError):
            self.kill()
            raise QueryError(503, "a query worker died while starting") from None
        return self

    def _receive(self) -> tuple[Any, ...]:
        if not self.conn.poll(START_TIMEOUT):
            self.kill()
            raise QueryError(503, "a query worker did not start in time")
        message: tuple[Any, ...] = self.conn.recv()
        return message

    async def call(self, job: Call, timeout: float, threads: ThreadPoolExecutor) -> tuple[Any, ...]:
        """Send ``job`` and wait for the answer; kill the worker if it takes longer.

        The event loop itself watches the pipe (no thread per job: a thread's hand-offs cost
        0.4 ms a request, a tenth of a small query's time); an answer larger than
        :data:`~api.workers.worker.LARGE_ANSWER` is announced first and read in one of ``threads``,
        so the loop never waits for a big transfer."""
        loop = asyncio.get_running_loop()
        try:
            # (pickled here rather than by conn.send, whose ForkingPickler costs twice as much)
            self.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            if not await _readable(loop, self.conn.fileno(), timeout):
                self.kill()
                raise _Timeout
            answer: tuple[Any, ...] = self.conn.recv()
            if answer[0] == LARGE:
                answer = await loop.run_in_executor(threads, self.conn.recv)
            return answer
        except (EOFError, OSError):
            self.kill()
            raise _Died from None

    def lower(self) -> None:
        """Move the worker to :data:`LOW_PRIORITY` (a worker that has just ended is left be).

        Every thread of it: on Linux a nice value is a thread's (``setpriority(2)``, "Bugs"),
        and jobs run in a thread of their own (:func:`api.workers.worker.main`)."""
        try:
            threads = [int(t.name) for t in Path(f"/proc/{self.pid}/task").iterdir()]
        except FileNotFoundError:  # no /proc (one priority per process), or it has just ended
            threads = [self.pid]
        for thread in threads:
            try:
                os.setpriority(os.PRIO_PROCESS, thread, LOW_PRIORITY)
            except (ProcessLookupError, PermissionError):
                continue
            self.lowered = True

    def kill(self) -> None:
        """Stop the process and close the pipe. Safe from several threads at once (the pool
        stopping while a start-up thread gives up on the same worker): two unguarded closes
        of one pipe close its descriptor twice (EBADF)."""
        with self._killing:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
            self.conn.close()


async def _readable(loop: asyncio.AbstractEventLoop, fd: int, timeout: float) -> bool:
    """Wait until ``fd`` can be read (an answer or end of file), at most ``timeout`` seconds.

    A timer settles the same future as the reader (``asyncio.wait_for`` would wrap the wait in
    a task of its own: a fifth of a small query's time on the event loop)."""
    ready: asyncio.Future[bool] = loop.create_future()
    blocking = os.get_blocking(fd)  # (uvloop makes a watched descriptor non-blocking)

    def settle(readable: bool) -> None:
        if not ready.done():
            ready.set_result(readable)

    loop.add_reader(fd, settle, True)
    timer = loop.call_later(timeout, settle, False)
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        os.set_blocking(fd, blocking)  # the answer is then read whole, however it arrives


QUEUE_WAIT = 30.0
"""How long a request may wait for a free worker. Under a burst, requests queue rather than
fail: a short wait would answer most of a burst with 503 although every query in it is quick."""


class WorkerPool:
    """``size`` workers opened on ``spec``, running registered jobs (:mod:`api.jobs`); a job
    running for more than ``long_query`` seconds (0: none) is moved to the lowest priority."""

    def __init__(self, spec: WorkerSpec, size: int, queue_wait: float = QUEUE_WAIT,
                 long_query: float = 0.0) -> None:  # fmt: skip
        self.spec = spec
        self.size = size
        self.queue_wait = queue_wait
        self.long_query = long_query
        self.restarts = 0
        self._workers: list[_Worker] = []
        self._launched: list[_Worker] = []  # processes started by launch(), not yet ready
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._waiting = 0  # requests waiting for an idle worker
        self._threads = ThreadPoolExecutor(
            max_workers=size + 2, thread_name_prefix="plantrace-pool"
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._warming = False  # reopen() is starting fresh workers: old ones may still answer
        self._starting = 0  # replacements being started

    def launch(self) -> None:
        """Start the first worker process without waiting for it: it imports and opens the store
        while the caller goes on (``plantrace serve`` loads the web stack meanwhile). The others
        start in :meth:`start`: launched together on a machine of two cores, they and the
        server would share the CPU and the first answer would wait for all of them."""
        if not self._launched and not self._workers:
            self._launched.append(_Worker.launch(self.spec))

    async def start(self) -> None:
        """Wait until the first worker has opened the store (raises :class:`QueryError` if it
        cannot), then start the others in the background: each serves as soon as it is ready,
        so start-up costs one worker's, not every worker's."""
        self.launch()
        launched, self._launched = self._launched, []
        loop = asyncio.get_running_loop()
        try:
            for worker in launched:
                self._add(await loop.run_in_executor(self._threads, worker.wait_ready))
        except BaseException:
            for worker in launched:
                worker.kill()
            await self.close()
            raise
        for _ in range(self.size - len(self._workers)):
            self._start_later()

    def workers(self) -> list[tuple[int, str]]:
        """``(pid, store)`` of each live worker."""
        return [(w.pid, w.store) for w in self._workers]

    async def run(
        self,
        job: Callable[Concatenate[Engine, P], R],
        timeout: float,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run ``job(engine, *args, **kwargs)`` in a worker, within ``timeout`` seconds of work.

        A request waits for a free worker up to :data:`QUEUE_WAIT` seconds (or ``timeout`` if
        longer) before it is refused with 503. Raises :class:`QueryError`.
        """
        worker = await self._acquire(max(timeout, self.queue_wait))
        started = time.monotonic()
        # (shielded: a request that goes away leaves the job to finish, then frees the worker)
        call = Call(job, args, kwargs)
        future = asyncio.ensure_future(worker.call(call, timeout, self._threads))
        if self.long_query and self.long_query < timeout:
            lowering = asyncio.get_running_loop().call_later(self.long_query, worker.lower)
            future.add_done_callback(lambda _: lowering.cancel())
        future.add_done_callback(lambda f: self._release(worker, f))
        try:
            answer = await asyncio.shield(future)
        except _Timeout:
            raise TimeLimit(
                503,
                f"the query was stopped after {timeout:g} s, the time limit; "
                "simplify it or add LIMIT",
            ) from None
        except _Died:
            raise QueryError(
                503, "the query worker died (out of memory?); try a simpler query"
            ) from None
        log.debug("%s took %.3f s", job.__name__, time.monotonic() - started)
        if answer[0] == "ok":
            return cast(R, answer[1])
        raise QueryError(int(answer[1]), str(answer[2]))

    async def _acquire(self, timeout: float) -> _Worker:
        deadline = time.monotonic() + timeout
        current = self.spec.current()
        while True:
            worker = await self._next_idle(deadline - time.monotonic(), timeout)
            if worker.process.is_alive() and (worker.store == current or self._warming):
                return worker
            self._retire(worker)  # the store was rebuilt (or the worker died): replace it

    async def _next_idle(self, left: float, timeout: float) -> _Worker:
        """The next idle worker: at once if one is idle and no request waits before this one
        (first come, first served), else within ``left`` seconds or a 503."""
        if not self._waiting and not self._idle.empty():
            return self._idle.get_nowait()
        self._waiting += 1
        try:
            return await asyncio.wait_for(self._idle.get(), max(left, 0.001))
        except TimeoutError:
            raise QueryError(
                503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again"
            ) from None
        finally:
            self._waiting -= 1

    async def reopen(self) -> int:
        """Move every worker to the store the spec names now (after a rebuild), without a gap:
        fresh workers are started first while the old ones go on answering; then the old ones
        are stopped (idle ones at once, busy ones when they finish). Returns how many moved."""
        current = self.spec.current()
        stale = [w for w in self._workers if w.store != current]
        if not stale:
            return 0
        loop = asyncio.get_running_loop()
        self._warming = True
        try:
            started = await asyncio.gather(
                *(loop.run_in_executor(self._threads, _Worker.start, self.spec) for _ in stale),
                return_exceptions=True,
            )
        finally:
            self._warming = False
        fresh = [w for w in started if isinstance(w, _Worker)]
        if self._closed:
            for worker in fresh:
                worker.kill()
            return 0
        self._workers.extend(fresh)
        idle = []
        while not self._idle.empty():
            idle.append(self._idle.get_nowait())
        for worker in [*fresh, *(w for w in idle if w not in stale)]:
            self._idle.put_nowait(worker)
        for worker in idle:
            if worker in stale:
                self._retire(worker)  # replaced only if a fresh one failed to start
        return len(fresh)

    def _release(self, worker: _Worker, future: asyncio.Future[Any]) -> None:
        failed = future.cancelled() or future.exception() is not None  # (retrieved: no warning)
        if self._closed:
            return
        if failed or worker.lowered:
            self._retire(worker)
        else:
            self._idle.put_nowait(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        if worker in self._workers:
            self._workers.remove(worker)
        self.restarts += 1
        if len(self._workers) + self._starting >= self.size:
            return  # a fresh worker took its place already (reopen)
        self._start_later()

    def _start_later(self) -> None:
        """Start one more worker in the background; it joins the idle ones when ready."""
        self._starting += 1
        task = asyncio.ensure_future(self._replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _add(self, worker: _Worker) -> None:
        self._workers.append(worker)
        self._idle.put_nowait(worker)

    async def _replace(self) -> None:
        try:
            await self._start_one()
        finally:
            self._starting -= 1

    async def _start_one(self) -> None:
        loop = asyncio.get_running_loop()
        delay = 0.5
        while not self._closed:
            try:
                worker = await loop.run_in_executor(self._threads, _Worker.start, self.spec)
            except QueryError as exc:
                log.error("cannot start a query worker: %s", exc.message)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if self._closed:
                worker.kill()
                return
            self._add(worker)
            return

    async def close(self) -> None:
        self.kill()

    def kill(self) -> None:
        """Stop every worker process now (also those :meth:`launch` started); idempotent."""
        if self._closed:
            return
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in [*self._launched, *self._workers]:
            worker.kill()
        self._launched.clear()
        self._workers.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)
