"""The HTML pages for people: dashboard, trace pages, statutes, validation, search and query.

Every page's data is computed by one job in a query worker (:mod:`api.pages`); the event loop
only waits and renders the template. Validation takes seconds, so its result is computed once
per store and body (the store a worker would open now: a rebuild gives a new one; a remote
store's result is kept for :data:`REMOTE_TTL` seconds) and shared by the requests waiting for
it (:class:`ValidationCache`, started with the app by :func:`start`). On data of several
bodies it runs for one body at a time (``?body=``).

Static files: ``/static/pages`` (the stylesheet and the scripts of these pages) and
``/static/vis`` (vis-network as shipped inside the pyvis package, :mod:`api.tracegraph`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response
from fastapi.staticfiles import StaticFiles

from api import html
from api.backend import Backend
from api.deps import get_settings, run_job
from api.pool import QueryError, TimeLimit, WorkerPool
from api.routes.items import BODY
from api.tracegraph import vis_directory
from kg.config import Settings
from kg.namespaces import PTID

if TYPE_CHECKING:
    from api.pages import Dashboard, ValidationPage

log = logging.getLogger("plantrace.pages")

router = APIRouter(include_in_schema=False)

STATIC = FsPath(__file__).resolve().parent.parent / "static"
REMOTE_TTL = 300.0
DASHBOARD_WAIT = 5.0
"""Seconds the dashboard waits for the validation summary; then it shows the grades without
it (validating a large dataset takes minutes, and the grades are what the page is for)."""
VALIDATION_BODIES = 16
"""How many bodies' validation reports are kept (on data of several bodies)."""
VALIDATION_NICE = 10
"""Validation runs at a lower CPU priority than the query workers: started with the server,
it would otherwise take a core from the first requests for the seconds pySHACL needs."""


def mount_static(app: FastAPI) -> None:
    """Serve the pages' own static files and the vis-network files of pyvis."""
    app.mount("/static/pages", StaticFiles(directory=STATIC), name="pages-static")
    app.mount("/static/vis", StaticFiles(directory=vis_directory()), name="vis-network")


class ValidationCache:
    """The validation report of the store being served (of one body, on data of several),
    computed once per store and body.

    Validation runs in a query worker of its own (a :class:`~api.pool.WorkerPool` of one,
    under ``PLANTRACE_EXPORT_TIMEOUT``), so the seconds it takes never hold up the workers
    that answer queries and pages. Requests that arrive while it runs wait for the same run.
    A run that failed is tried again on the next request, unless it was stopped at the time
    limit: on the same data it would only stop again, after taking a core for that long.
    """

    def __init__(self, backend: Backend, timeout: float) -> None:
        self.backend = backend
        self.timeout = timeout
        self.pool = WorkerPool(replace(backend.spec, nice=VALIDATION_NICE), 1)
        self.key: tuple[str, float] | None = None
        self.tasks: dict[str | None, asyncio.Task[ValidationPage]] = {}
        self._started = False
        self._lock = asyncio.Lock()

    def _key(self) -> tuple[str, float]:
        remote = self.backend.spec.kind == "remote"
        return (self.backend.spec.current(), time.monotonic() // REMOTE_TTL if remote else 0.0)

    async def _compute(self, body: str | None) -> ValidationPage:
        async with self._lock:
            if not self._started:
                await self.pool.start()
                self._started = True
        page: ValidationPage = await self.pool.run("page_validation", self.timeout, body=body)
        return page

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


async def start(app: FastAPI) -> None:
    """At start-up: begin validating the served store, so the first page need not wait."""
    settings: Settings = app.state.settings
    cache = ValidationCache(app.state.backend, settings.export_timeout)
    app.state.validation_cache = cache
    cache.refresh()


async def stop(app: FastAPI) -> None:
    cache: ValidationCache | None = getattr(app.state, "validation_cache", None)
    if cache is not None:
        await cache.close()


def _cache(request: Request) -> ValidationCache:
    cache: ValidationCache | None = getattr(request.app.state, "validation_cache", None)
    if cache is None:  # an app whose lifespan did not call start()
        cache = ValidationCache(request.app.state.backend, get_settings(request).export_timeout)
        request.app.state.validation_cache = cache
    return cache


async def page_job(request: Request, name: str, **kwargs: object) -> Any:
    """Run a page's job. Pages run fixed queries over the whole trace (no query a client
    wrote), so they get the time limit of the downloads, ``PLANTRACE_EXPORT_TIMEOUT``."""
    return await run_job(request, name, get_settings(request).export_timeout, **kwargs)


def _missing(request: Request, what: str) -> Response:
    return html.render(request, "missing.html", status=404, iri=what)


@router.get("/")
async def dashboard(request: Request, body: str | None = BODY) -> Response:
    """Items × years grade matrix, overall grades, coverage and the validation summary; with
    several bodies in the data, the list of bodies, or one body's matrix (``?body=``)."""
    validation = asyncio.ensure_future(_cache(request).get(body))
    try:
        page: Dashboard = await page_job(request, "page_dashboard", body=body)
    except BaseException as exc:
        validation.cancel()
        if isinstance(exc, QueryError) and exc.status == 404:  # an unknown body
            return _missing(request, body or "")
        raise
    report: ValidationPage | None = None
    pending = False
    try:
        report = await asyncio.wait_for(validation, DASHBOARD_WAIT)  # (the run goes on)
    except TimeoutError:
        pending = True
    except QueryError as exc:  # the grades are still worth showing
        log.warning("dashboard without validation summary: %s", exc.message)
    return html.render(request, "dashboard.html", page=page, validation=report,
                       validation_pending=pending)  # fmt: skip


@router.get("/items/{code}")
async def item(
    request: Request, code: str = Path(max_length=40), body: str | None = BODY
) -> Response:
    """An item's trace: graph, clauses by year, changes, charts, grades, quotes; of publisher
    ``body`` (or, when several bodies have the code, the list of them)."""
    sources_dir = str(get_settings(request).sources_dir)
    try:
        page = await page_job(request, "page_item", code=code, sources_dir=sources_dir,
                              body=body)  # fmt: skip
    except QueryError as exc:
        if exc.status == 404:
            return _missing(request, code)
        raise
    from api.pages import ItemChoice  # (loaded already: the answer was unpickled)

    if isinstance(page, ItemChoice):
        return html.render(request, "bodies.html", code=page.code, bodies=page.bodies)
    return html.render(request, "item.html", page=page)


@router.get("/statutes")
async def statutes(request: Request, body: str | None = BODY) -> Response:
    """Statutes and articles, with how much of the trace (of ``body``) rests on each."""
    try:
        page = await page_job(request, "page_statutes", body=body)
    except QueryError as exc:
        if exc.status == 404:  # an unknown body
            return _missing(request, body or "")
        raise
    return html.render(request, "statutes.html", page=page)


@router.get("/statutes/{path:path}")
async def provision(request: Request, path: str, body: str | None = BODY) -> Response:
    """A statute or article: text, impact graph, the items (of ``body``) resting on it."""
    iri = f"{PTID}law/{path}"
    try:
        page = await page_job(request, "page_provision", iri=iri, body=body)
    except QueryError as exc:
        if exc.status in (400, 404):
            return _missing(request, iri)
        raise
    return html.render(request, "provision.html", page=page)


@router.get("/validation")
async def validation(request: Request, body: str | None = BODY) -> Response:
    """The SHACL findings, grouped, each linked to its node, article and sources (of one body:
    on data of several, without ``body`` the page lists them)."""
    try:
        report = await _cache(request).get(body)
    except QueryError as exc:
        if exc.status == 404:  # an unknown body
            return _missing(request, body or "")
        raise
    return html.render(request, "validation.html", page=report)


@router.get("/query")
async def query(
    request: Request, q: str | None = Query(None, max_length=200)
) -> Response:
    """Search over clause texts, and SPARQL with examples (run by the page's script)."""
    text = q.strip() if q else None
    page = await page_job(request, "page_query", text=text or None)
    return html.render(request, "query.html", page=page, q=text or "")
