"""``/status`` (what is served, its size, the query workers) and ``/docs`` (Swagger UI).

``/docs`` is Swagger UI served from the assets the ``fastapi-swagger`` package ships (mounted at
:data:`SWAGGER_ASSETS` by :mod:`api.main`; no CDN: the page works offline); ``/openapi.json`` is
FastAPI's schema.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.deps import get_pool, get_settings, run
from api.views import models as m
from api.workers.backend import Backend
from api.workers.engine_jobs import status as store_status

router = APIRouter()

SWAGGER_ASSETS = "/static/swagger"


def swagger_assets() -> Path:
    """The Swagger UI files inside the installed ``fastapi-swagger`` package."""
    return Path(str(resources.files("fastapi_swagger") / "resources"))


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="plantrace API",
        swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
    )


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
