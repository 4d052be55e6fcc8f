"""``/api/statutes`` and ``/api/impact``: the laws the plans rest on, and what depends on them
(:mod:`api.views.laws`)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from api.deps import run
from api.routes.params import ERRORS, iri_or_refuse
from api.views import laws
from api.views import models as m
from kg.namespaces import PTID

router = APIRouter(prefix="/api", tags=["statutes"])


@router.get("/statutes", response_model=m.StatutesResponse, responses=ERRORS)
async def statutes(request: Request) -> m.StatutesResponse:
    """Every statute in the data with its articles and their paragraphs."""
    return await run(request, laws.statutes)


def checked_iri(value: str) -> str:
    """A full IRI, or a path under ``/id/`` (``/id/law/…`` or ``law/…``) as the IRI it names;
    400 if that is no IRI."""
    text = value.strip()
    if text.startswith(("http://", "https://", "urn:")):
        full = text
    else:
        path = text.lstrip("/")
        full = f"{PTID}{path[3:] if path.startswith('id/') else path}"
    return iri_or_refuse(full, 400, f"expected an IRI, got {value!r}")


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
    return await run(request, laws.impact, node=checked_iri(iri))
