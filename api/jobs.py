"""The job registry: the functions a query worker may run, and the time limit of each.

A *job* is a module-level function whose first parameter is the worker's store, given as a
:data:`~kg.queries.QueryFn` (views) or as the worker's :class:`~api.workers.worker.Engine` (jobs
that need the store itself: SPARQL requests, dumps, sizes). Decorating it registers it:

* :func:`job`: runs under the query time limit (``PLANTRACE_QUERY_TIMEOUT``): the JSON API;
* :func:`long_job`: runs under the export time limit (``PLANTRACE_EXPORT_TIMEOUT``): pages,
  analyses and downloads, which run fixed queries over the whole trace.

A route names the function it runs (``await run(request, traces.trace, code=code)``,
:func:`api.deps.run`); the function travels to the worker by reference (pickle sends its module
and name), the worker imports its module if it has not yet and runs it. So adding a JSON endpoint
or a page touches the route, its view and its query: decorating the view is what registers it.

This module imports nothing of the application, so every layer may import it (the views
register themselves here; the workers and the routes read it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

Limit = Literal["query", "export"]
"""Which time limit a job runs under (see the module doc)."""

F = TypeVar("F", bound=Callable[..., Any])

JOBS: dict[Callable[..., Any], Limit] = {}
"""Every registered job and its time limit (filled as the modules defining jobs are imported)."""


def job(function: F) -> F:
    """Register ``function`` as a job under the query time limit."""
    JOBS[function] = "query"
    return function


def long_job(function: F) -> F:
    """Register ``function`` as a job under the export time limit (pages, analyses, dumps)."""
    JOBS[function] = "export"
    return function
