"""``/api/statutes`` and ``/api/impact``: the laws the plans rest on, and what depends on them."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request

from api import models as m
from api.deps import run_job
from api.pool import QueryError
from api.routes.items import ERRORS
from kg.namespaces import PTID

router = APIRouter(prefix="/api", tags=["statutes"])


@router.get("/statutes", response_model=m.StatutesResponse, responses=ERRORS)
async def statutes(request: Request) -> m.StatutesResponse:
    """Every statute in the data with its articles and their paragraphs."""
    result: m.StatutesResponse = await run_job(request, "statutes")
    return result


def node_iri(value: str) -> str:
    """A full IRI, or a path under ``/id/`` (``/id/law/…`` or ``law/…``) as the IRI it names."""
    value = value.strip()
    if value.startswith(("http://", "https://", "urn:")):
        return value
    path = value.lstrip("/")
    path = path[3:] if path.startswith("id/") else path
    return f"{PTID}{path}"


@router.get(
    "/impact", response_model=m.Impact, responses={**ERRORS, 400: {"model": m.ErrorMessage}}
)
async def impact(
    request: Request,
    iri: str = Query(
        max_length=2000,
        description="a provision or statute: its IRI, or its path under /id/",
        examples=["https://w3id.org/plantrace/id/law/425AC0000000027/art38-8"],
    ),
) -> m.Impact:
    """Everything that depends on a provision (or on any provision of a statute): plan
    documents it authorizes, their clauses, the clauses implementing those, indicators measuring
    them, their actual values, items resting on it and their evaluations — breadth first, each
    with how it depends (``depends_on``, ``via``)."""
    full = node_iri(iri)
    try:
        ox.NamedNode(full)
    except ValueError:
        raise QueryError(400, f"expected an IRI, got {iri!r}") from None
    result: m.Impact = await run_job(request, "impact", node=full)
    return result
