"""The HTML pages for people: dashboard, trace pages, statutes, validation, changes, search and
query.

Each route runs its page's job in a query worker (the page data of :mod:`api.views`) and renders
the template with it (:mod:`api.web.html`); the event loop only waits and renders. The validation
report comes from the validation runner (:mod:`api.workers.validation_runner`), computed once per
store and body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import get_settings, get_validation, run, validation_report
from api.middleware.response_cache import do_not_store
from api.routes.params import BODY
from api.views.changes import changes as document_changes
from api.views.dashboard import dashboard_page
from api.views.grade_basis import disagreements, with_findings
from api.views.item_page import ItemChoice, item_page
from api.views.query_page import query_page
from api.views.statute_pages import provision_page, statutes_page
from api.views.validation_page import ValidationPage
from api.web import html
from api.workers.http_errors import QueryError
from kg.namespaces import PTID

log = logging.getLogger("plantrace.pages")

router = APIRouter(include_in_schema=False)

DASHBOARD_WAIT = 5.0
"""Seconds the dashboard waits for the validation summary; then it shows the grades without
it (validating a large dataset takes minutes, and the grades are what the page is for)."""


def _missing(request: Request, what: str) -> Response:
    return html.render(request, "missing.html", status=404, iri=what)


async def _of_body(
    request: Request, body: str | None, template: str, page: Awaitable[object]
) -> Response:
    """``template`` showing ``page``, the data of public body ``body``; the missing page when
    there is no such body (the view's 404)."""
    try:
        shown = await page
    except QueryError as exc:
        if exc.status == 404:
            return _missing(request, body or "")
        raise
    return html.render(request, template, page=shown)


@router.get("/")
async def dashboard(request: Request, body: str | None = BODY) -> Response:
    """Items × years grade matrix, overall grades, coverage and the validation summary; with
    several bodies in the data, the list of bodies, or one body's matrix (``?body=``)."""
    validation = asyncio.ensure_future(get_validation(request).get(body))
    try:
        page = await run(request, dashboard_page, body=body)
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
        do_not_store(request)
    except QueryError as exc:  # the grades are still worth showing
        log.warning("dashboard without validation summary: %s", exc.message)
        do_not_store(request)
    return html.render(request, "dashboard.html", page=page, validation=report,
                       validation_pending=pending, disagrees=disagreements(report))  # fmt: skip


@router.get("/items/{code}")
async def item(
    request: Request, code: str = Path(max_length=40), body: str | None = BODY
) -> Response:
    """An item's trace: graph, clauses by year, changes, charts, grades, quotes; of publisher
    ``body`` (or, when several bodies have the code, the list of them)."""
    sources_dir = str(get_settings(request).sources_dir)
    try:
        page = await run(request, item_page, code=code, sources_dir=sources_dir, body=body)
    except QueryError as exc:
        if exc.status == 404:
            return _missing(request, code)
        raise
    if isinstance(page, ItemChoice):
        return html.render(request, "bodies.html", code=page.code, bodies=page.bodies)
    report = await validation_report(request, page.body, DASHBOARD_WAIT)
    basis = with_findings(page.grade_basis, report)
    return html.render(request, "item.html", page=replace(page, grade_basis=basis))


@router.get("/statutes")
async def statutes(request: Request, body: str | None = BODY) -> Response:
    """Statutes and articles, with how much of the trace (of ``body``) rests on each."""
    return await _of_body(request, body, "statutes.html", run(request, statutes_page, body=body))


@router.get("/statutes/{path:path}")
async def provision(request: Request, path: str, body: str | None = BODY) -> Response:
    """A statute or article: text, impact graph, the items (of ``body``) resting on it."""
    iri = f"{PTID}law/{path}"
    try:
        page = await run(request, provision_page, iri=iri, body=body)
    except QueryError as exc:
        if exc.status in (400, 404):
            return _missing(request, iri)
        raise
    return html.render(request, "provision.html", page=page)


@router.get("/validation")
async def validation(request: Request, body: str | None = BODY) -> Response:
    """The SHACL findings, grouped, each linked to its node, article and sources (of one body:
    on data of several, without ``body`` the page lists them)."""
    return await _of_body(request, body, "validation.html", get_validation(request).get(body))


@router.get("/changes")
async def changes(request: Request, body: str | None = BODY) -> Response:
    """What each document changed, newest first: revised, added and dropped clauses and
    indicators, and the links its revisions made suspect (of ``body``)."""
    return await _of_body(request, body, "changes.html", run(request, document_changes, body=body))


@router.get("/query")
async def query(
    request: Request, q: str | None = Query(None, max_length=200)
) -> Response:
    """Search over clause texts, and SPARQL with examples (run by the page's script)."""
    text = q.strip() if q else None
    page = await run(request, query_page, text=text or None)
    return html.render(request, "query.html", page=page, q=text or "")
