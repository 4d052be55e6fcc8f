"""Downloads: the whole dataset (TriG, N-Quads, JSON-LD; named graphs kept), its VoID/DCAT
description, and the trace as a CSV table for spreadsheets.

Dataset dumps may take longer than a query: their jobs run under ``PLANTRACE_EXPORT_TIMEOUT``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import run
from api.views import formats
from api.views.dataset_description import DOWNLOADS, TRACE_CSV
from api.views.trace_csv import trace_csv as trace_table
from api.web import html
from api.workers import engine_jobs

router = APIRouter(tags=["downloads"])

VOID_OFFERS = [formats.TURTLE, formats.JSONLD, formats.NTRIPLES, formats.RDFXML]


def _attachment(body: bytes, media: str, name: str) -> Response:
    return Response(
        body,
        media_type=formats.media_type_header(media),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _dump(request: Request, name: str) -> Response:
    media = DOWNLOADS[name][0]
    body = await run(request, engine_jobs.dump, media=media)
    return _attachment(body, media, name)


@router.get("/downloads", include_in_schema=False)
async def downloads(request: Request) -> Response:
    """A page listing the downloads."""
    return html.render(request, "downloads.html", dumps=DOWNLOADS, csv=TRACE_CSV)


@router.get("/downloads/plantrace.trig", response_class=Response,
            responses={200: {"content": {formats.TRIG: {}}}})  # fmt: skip
async def dump_trig(request: Request) -> Response:
    """The whole dataset as TriG (one named graph per source document)."""
    return await _dump(request, "plantrace.trig")


@router.get("/downloads/plantrace.nq", response_class=Response,
            responses={200: {"content": {formats.NQUADS: {}}}})  # fmt: skip
async def dump_nquads(request: Request) -> Response:
    """The whole dataset as N-Quads."""
    return await _dump(request, "plantrace.nq")


@router.get("/downloads/plantrace.jsonld", response_class=Response,
            responses={200: {"content": {formats.JSONLD: {}}}})  # fmt: skip
async def dump_jsonld(request: Request) -> Response:
    """The whole dataset as JSON-LD (named graphs as @graph objects)."""
    return await _dump(request, "plantrace.jsonld")


@router.get("/downloads/trace.csv", response_class=Response,
            responses={200: {"content": {formats.CSV: {}}}})  # fmt: skip
async def trace_csv(request: Request) -> Response:
    """The trace as a table: one row per item, fiscal year and clause, with goal, plan, annual
    plan, indicator, target, actual, self grade, ministerial grade and source lines."""
    body = await run(request, trace_table)
    return _attachment(body, formats.CSV, TRACE_CSV)


async def _void(request: Request, media: str) -> Response:
    base = str(request.base_url)
    body = await run(request, engine_jobs.void, base_url=base, media=media)
    return Response(body, media_type=formats.media_type_header(media), headers={"Vary": "Accept"})


@router.get("/downloads/void.ttl", response_class=Response,
            responses={200: {"content": {formats.TURTLE: {}}}})  # fmt: skip
async def void_turtle(request: Request) -> Response:
    """The VoID and DCAT description of the dataset, in Turtle."""
    return await _void(request, formats.TURTLE)


@router.get("/downloads/void.jsonld", response_class=Response,
            responses={200: {"content": {formats.JSONLD: {}}}})  # fmt: skip
async def void_jsonld(request: Request) -> Response:
    """The VoID and DCAT description of the dataset, in JSON-LD."""
    return await _void(request, formats.JSONLD)


@router.get("/.well-known/void", response_class=Response,
            responses={200: {"content": {t: {} for t in VOID_OFFERS}}})  # fmt: skip
async def well_known_void(request: Request) -> Response:
    """The VoID description at its well-known address (RFC 8615), by ``Accept``."""
    media = formats.negotiate(request.headers.get("accept"), VOID_OFFERS)
    return await _void(request, media)
