"""What the routes depend on: the settings, the pool of query workers, the validation runner,
and :func:`run`, which runs a job in a worker under its time limit.

The store the workers open is prepared before the app starts (:mod:`api.workers.backend`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from fastapi import Request

from api.jobs import JOBS
from api.middleware.response_cache import do_not_store
from api.views.validation_page import ValidationPage
from api.workers.http_errors import QueryError
from api.workers.pool import WorkerPool
from api.workers.validation_runner import ValidationCache
from api.workers.worker import Engine
from kg.config import Settings

log = logging.getLogger("plantrace.api")

P = ParamSpec("P")
R = TypeVar("R")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.pool
    return pool


def get_validation(request: Request) -> ValidationCache:
    """The validation runner the app started (:func:`api.main.create_app`)."""
    cache: ValidationCache = request.app.state.validation_cache
    return cache


async def run(
    request: Request,
    job: Callable[Concatenate[Engine, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Run ``job`` (a registered function, :mod:`api.jobs`) for ``request`` in a query worker,
    under the time limit the registry gives it; raises
    :class:`~api.workers.http_errors.QueryError`."""
    settings = get_settings(request)
    timeout = settings.export_timeout if JOBS[job] == "export" else settings.query_timeout
    return await get_pool(request).run(job, timeout, *args, **kwargs)


async def validation_report(
    request: Request, body: str | None, wait: float | None = None
) -> ValidationPage | None:
    """The validation report of the store (of ``body``) for a page or answer that shows
    findings beside other data: None when it is not ready within ``wait`` seconds (the run goes
    on), when it failed (the rest is still worth showing), or when the data holds several
    bodies and none was chosen. An answer made without a report that will come is not kept
    (:func:`~api.middleware.response_cache.do_not_store`)."""
    try:
        report = await asyncio.wait_for(asyncio.shield(get_validation(request).get(body)), wait)
    except TimeoutError:
        do_not_store(request)
        return None
    except QueryError as exc:
        log.warning("answered without the validation report: %s", exc.message)
        do_not_store(request)
        return None
    return None if report.bodies else report
