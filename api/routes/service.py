"""The service itself: ``/status`` (what is served, its size, the query workers), ``/healthz``
and ``/readyz`` (for orchestrators and load balancers), and ``/docs`` (Swagger UI).

``/docs`` is Swagger UI served from the assets the ``fastapi-swagger`` package ships (mounted at
:data:`SWAGGER_ASSETS` by :mod:`api.main`; no CDN: the page works offline); its one inline script
is allowed by its hash in the page's Content-Security-Policy. The page is in English
(``lang="en"``) under a heading, operations are not deep
links (a link inside Swagger UI's expand button is a control inside a control, WCAG 4.1.2), and
``static/swagger.css`` brings Swagger UI's colours to 4.5:1 contrast (:func:`accessible`).
``/openapi.json`` is FastAPI's
schema.
"""

from __future__ import annotations

import asyncio
import re
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from api.deps import get_pool, get_settings, run
from api.middleware.security import content_security_policy
from api.views import models as m
from api.web.assets import asset_url
from api.workers.backend import Backend
from api.workers.engine_jobs import ready
from api.workers.engine_jobs import status as store_status
from api.workers.http_errors import QueryError

router = APIRouter()

SWAGGER_ASSETS = "/static/swagger"
READY_WAIT = 5.0
"""Seconds ``/readyz`` waits for a worker to answer before it says the service is not ready."""
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def swagger_assets() -> Path:
    """The Swagger UI files inside the installed ``fastapi-swagger`` package."""
    return Path(str(resources.files("fastapi_swagger") / "resources"))


def accessible(page: str) -> str:
    """Swagger UI's page with a language, a description, a heading and the contrast fixes of
    ``static/swagger.css`` (Swagger UI has its own ``main`` landmark)."""
    style = asset_url("pages/swagger.css")
    head = (f'<meta name="description" content="{DOCS_DESCRIPTION}">\n'
            f'<link rel="stylesheet" href="{style}">\n</head>')  # fmt: skip
    body = '<h1 class="vh">plantrace API</h1>\n<div id="swagger-ui"></div>'
    return (
        page.replace("<html>", '<html lang="en">', 1)
        .replace("</head>", head, 1)
        .replace('<div id="swagger-ui">\n    </div>', body, 1)
    )


DOCS_DESCRIPTION = "The plantrace JSON API: its operations, parameters and answers (OpenAPI)."


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=request.scope.get("root_path", "") + (request.app.openapi_url or ""),
        title="plantrace API",
        swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
        swagger_ui_parameters={"deepLinking": False},
    )
    text = accessible(bytes(page.body).decode("utf-8"))
    scripts = _INLINE_SCRIPT.findall(text)
    policy = content_security_policy(get_settings(request).frame_ancestors, scripts)
    return HTMLResponse(text, headers={"content-security-policy": policy})


@router.get("/healthz", tags=["service"], response_model=m.Health)
async def healthz() -> m.Health:
    """The process answers (liveness): nothing is asked of the store or the workers."""
    return m.Health(status="ok")


@router.get("/readyz", tags=["service"], response_model=m.Health,
            responses={503: {"model": m.Health, "description": "not ready"}})  # fmt: skip
async def readyz(request: Request) -> m.Health | JSONResponse:
    """The store is open and a query worker answers a query (readiness): 503 with the reason
    otherwise, so a load balancer sends requests elsewhere meanwhile."""
    try:
        await asyncio.wait_for(run(request, ready), READY_WAIT)
    except TimeoutError:
        reason = f"no query worker answered within {READY_WAIT:g} s"
    except QueryError as exc:
        reason = exc.message
    else:
        return m.Health(status="ready", workers=len(get_pool(request).workers()))
    not_ready = m.Health(status="not ready", detail=reason)
    return JSONResponse(not_ready.model_dump(exclude_none=True), 503, {"Retry-After": "1"})


@router.get("/status", response_model=m.Status, tags=["service"])
async def status(request: Request) -> m.Status:
    """What is served, its size, and the query workers (for operators and tests)."""
    info = await run(request, store_status)
    pool = get_pool(request)
    settings = get_settings(request)
    backend: Backend = request.app.state.backend
    return m.Status(
        backend=backend.kind,
        store=info["store"],
        triples=info["triples"],
        graphs=info["graphs"],
        workers=[m.WorkerInfo(pid=pid, store=store) for pid, store in pool.workers()],
        restarts=pool.restarts,
        query_timeout=settings.query_timeout,
        row_limit=settings.row_limit,
        max_body=settings.max_body,
    )
