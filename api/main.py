"""The FastAPI application: :func:`create_app` builds it from settings.

At start-up the app starts its pool of query workers on the prepared backend
(:mod:`api.workers.backend`) and the validation runner; at shutdown it stops them. Everything
that touches the store runs in those workers; the event loop only parses requests, waits and
writes answers, so a slow query never blocks a page. docs/architecture.md follows a request
through the layers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse

from api.middleware.body_limit import BodyLimit
from api.middleware.compression import Compression
from api.middleware.fair_share import FairShare
from api.middleware.public_url import PublicLinks, PublicURL
from api.middleware.request_log import RequestLog
from api.middleware.response_cache import ResponseCache
from api.middleware.security import SecurityHeaders
from api.routes import (
    admin,
    downloads,
    items,
    ld,
    legal,
    pages,
    service,
    sparql,
    trace_analysis,
    vocabulary,
)
from api.views.formats import NotAcceptable
from api.views.links import route_path
from api.web import i18n
from api.web.assets import CachedStaticFiles, mount_static
from api.workers.backend import Backend, Generation, prepare_backend
from api.workers.http_errors import QueryError, TimeLimit, status_of
from api.workers.pool import WorkerPool
from api.workers.validation_runner import ValidationCache
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
        workers = pool or WorkerPool(prepared.spec, settings.workers,
                                     long_query=settings.long_query)
        validation = ValidationCache(prepared, settings.export_timeout)
        try:
            await workers.start()
            log.info("serving %s with %d query workers", prepared.description, settings.workers)
            app.state.pool = workers
            app.state.backend = prepared
            app.state.validation_cache = validation
            await prepared.generation()  # (a remote store's publication: what validation is of)
            validation.refresh()  # begin validating now, so the first page need not wait
            yield
        finally:
            await validation.close()
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
    # /sparql first: routes are matched in order, and other systems' queries are most requests
    for module in (sparql, items, legal, ld, downloads, vocabulary, trace_analysis, pages,
                   service):  # fmt: skip
        app.include_router(module.router)
    if settings.admin_token:  # off by default: without the token the path does not exist
        app.include_router(admin.router)
    mount_static(app)
    app.mount(service.SWAGGER_ASSETS, CachedStaticFiles(directory=service.swagger_assets()),
              name="swagger")  # fmt: skip

    async def refused(request: Request, exc: Exception) -> Response:
        """A request the service cannot answer: its status and message from the one table
        (:mod:`api.workers.http_errors`), as JSON for the JSON API, else as text."""
        status, message = status_of(exc)
        if isinstance(exc, TimeLimit):  # (for the request's log line)
            request.state.time_limit = True
        headers = {"Retry-After": "1"} if status == 503 else None
        if route_path(request.scope).startswith(("/api/", "/status")):
            return JSONResponse({"detail": message}, status, headers=headers)
        return PlainTextResponse(message, status, headers=headers)

    for error in (QueryError, NotAcceptable):  # what routes and workers raise for a request
        app.add_exception_handler(error, refused)

    # Middleware, innermost first (each add_middleware wraps what is there; see api.middleware).
    app.add_middleware(BodyLimit, limit=settings.max_body)
    app.add_middleware(PublicLinks)
    app.add_middleware(Compression)  # (inside the cache: a kept answer is compressed once)

    async def generation() -> Generation | None:
        served: Backend | None = getattr(app.state, "backend", None)
        return await served.generation() if served is not None else None

    app.add_middleware(ResponseCache, generation=generation, max_bytes=settings.cache_bytes,
                       started=time.time(), language_cookie=i18n.COOKIE)  # fmt: skip
    # outside the cache: a client past its share is refused before any work, a cache hit too
    app.add_middleware(FairShare, concurrency=settings.concurrency_per_client,
                       per_minute=settings.client_rate,
                       requests_per_minute=settings.client_requests)  # fmt: skip
    app.add_middleware(PublicURL, base_url=settings.base_url)
    # Any site may read (GET) from a browser; no credentials, and no cross-site POST preflight
    # succeeds, so a page elsewhere cannot drive /admin or send what needs a preflight.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_credentials=False,
        expose_headers=["X-Plantrace-Truncated", "X-Plantrace-Row-Limit", "X-Request-ID"],
    )
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors,
                       https=settings.https)  # fmt: skip
    app.add_middleware(RequestLog, log_format=settings.log_format)
    return app
