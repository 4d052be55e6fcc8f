"""The FastAPI application: :func:`create_app` builds it from settings, :func:`serve` runs it.

At start-up the app starts its pool of query workers on the prepared backend (:mod:`api.backend`);
at shutdown it stops them. Everything that touches the store runs in those workers; the event
loop only parses requests, waits and writes answers, so a slow query never blocks a page.

``/docs`` is Swagger UI served from the assets the ``fastapi-swagger`` package ships (no CDN:
the page works offline); ``/openapi.json`` is FastAPI's schema.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from api import models as m
from api.backend import Backend, prepare_backend
from api.deps import get_pool, get_settings, run_job
from api.pool import QueryError, WorkerPool
from api.routes import admin, downloads, items, ld, ontology, sparql, statutes
from api.routes import analysis as analysis_routes
from api.routes import pages as page_routes
from kg import __version__
from kg.config import Settings, load_settings

log = logging.getLogger("plantrace.api")

DESCRIPTION = """Trace of the plans and evaluations of a Japanese public body as a knowledge graph:
statute article → mid-term goal → mid-term plan → annual plan → indicator → actual value →
yearly grade, every fact with its source document and lines.

* `/api/…`: JSON (this page documents it)
* `/sparql`: SPARQL 1.1 Protocol, read-only, with time limit and row limit
* `/id/…`: every IRI of the dataset (HTML, Turtle, JSON-LD by `Accept`)
* `/ontology`: the vocabulary (a reference page, or the Turtle file by `Accept`)
* `/downloads/…`: the dataset (TriG, N-Quads, JSON-LD), its VoID description, the trace as CSV
"""

SWAGGER_ASSETS = "/static/swagger"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by Content-Length or while reading."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(
            f"request body larger than {self.limit} bytes", status_code=413
        )
        await response(scope, receive, send)


def _swagger_assets() -> Path:
    return Path(str(resources.files("fastapi_swagger") / "resources"))


def create_app(
    settings: Settings | None = None,
    backend: Backend | None = None,
    pool: WorkerPool | None = None,
) -> FastAPI:
    """The application serving ``backend`` (default: prepared from ``settings`` at start-up)
    with ``pool``'s query workers (default: started at start-up; a pool given here must be
    on ``backend``, and may have been launched already, see :mod:`api.server`)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepared = backend
        if prepared is None:
            prepared = await asyncio.to_thread(prepare_backend, settings)
        workers = pool or WorkerPool(prepared.spec, settings.workers)
        try:
            await workers.start()
            log.info("serving %s with %d query workers", prepared.description, settings.workers)
            app.state.pool = workers
            app.state.backend = prepared
            await page_routes.start(app)
            yield
        finally:
            await page_routes.stop(app)
            await workers.close()
            prepared.close()

    app = FastAPI(
        title="plantrace",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    for router in (items.router, statutes.router, sparql.router, ld.router, downloads.router):
        app.include_router(router)
    app.include_router(ontology.router)
    app.include_router(analysis_routes.router)
    app.include_router(page_routes.router)
    if settings.admin_token:  # off by default: without the token the path does not exist
        app.include_router(admin.router)
    page_routes.mount_static(app)
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=_swagger_assets()), name="swagger")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="plantrace API",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
        )

    @app.get("/status", response_model=m.Status, tags=["service"])
    async def status(request: Request) -> m.Status:
        """What is served, its size, and the query workers (for operators and tests)."""
        info = await run_job(request, "status")
        pool = get_pool(request)
        current = get_settings(request)
        backend_: Backend = request.app.state.backend
        return m.Status(
            backend=backend_.spec.kind,
            store=info["store"],
            triples=info["triples"],
            graphs=info["graphs"],
            workers=[m.WorkerInfo(pid=pid, store=store) for pid, store in pool.workers()],
            restarts=pool.restarts,
            query_timeout=current.query_timeout,
            row_limit=current.row_limit,
            max_body=current.max_body,
        )

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        headers = {"Retry-After": "1"} if exc.status == 503 else None
        if request.url.path.startswith(("/api/", "/status")):
            return JSONResponse({"detail": exc.message}, exc.status, headers=headers)
        return PlainTextResponse(exc.message, exc.status, headers=headers)

    app.add_middleware(BodyLimit, limit=settings.max_body)
    # Any site may read (GET) from a browser; no credentials, and no cross-site POST preflight
    # succeeds, so a page elsewhere cannot drive /admin or send what needs a preflight.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_credentials=False,
        expose_headers=["X-Plantrace-Truncated", "X-Plantrace-Row-Limit"],
    )
    return app
