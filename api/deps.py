"""What the routes depend on: the settings and the pool of query workers.

The store the workers open is prepared before the app starts (:mod:`api.backend`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.pool import WorkerPool
from kg.config import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.pool
    return pool


async def run_job(request: Request, name: str, timeout: float | None = None, **kwargs: Any) -> Any:
    """Run a worker job for ``request`` under the query time limit (or ``timeout``)."""
    settings = get_settings(request)
    return await get_pool(request).run(name, timeout or settings.query_timeout, **kwargs)
