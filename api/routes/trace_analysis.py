"""``/api/analysis/…``: graph analyses of the trace (:mod:`kg.analysis`, networkx) as JSON
(:mod:`api.views.graph_models`).

Coverage of each level of the trace per item and year, orphan and dead-end nodes, the impact
set of a node (an article, usually) and the shortest chain of links from a node to a grade.
Each answer is computed in a query worker; the analyses run fixed queries over the whole
trace, so their jobs run under the time limit of the pages and downloads
(``PLANTRACE_EXPORT_TIMEOUT``).
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from api.deps import run
from api.routes.legal import checked_iri
from api.routes.params import BODY, ERRORS
from api.views import graph_models
from api.views import models as m

router = APIRouter(prefix="/api/analysis", tags=["analysis"])

BAD = {**ERRORS, 400: {"description": "not an IRI", "model": m.ErrorMessage}}


@router.get("/coverage", response_model=m.CoverageResponse, responses=ERRORS)
async def coverage(
    request: Request,
    code: str | None = Query(None, max_length=40, description="one item only", examples=["I-1"]),
    body: str | None = BODY,
) -> m.CoverageResponse:
    """Coverage of each level of the trace, per item and fiscal year: goal clauses with a plan
    clause, plan clauses with an annual plan clause that year, annual plan clauses with an
    indicator, quantitative indicators with an actual value that year, and whether the item has
    a self and a ministerial grade; ``totals`` adds the items up per year."""
    return await run(request, graph_models.coverage, code=code, body=body)


@router.get("/gaps", response_model=m.GapsResponse, responses=ERRORS)
async def gaps(request: Request, body: str | None = BODY) -> m.GapsResponse:
    """Orphans (trace nodes without their link one level up: a plan clause implementing no goal
    clause, an indicator measuring nothing …) and dead ends (nothing one level down: a goal
    clause no plan clause implements, a quantitative indicator with no actual value …)."""
    return await run(request, graph_models.gaps, body=body)


@router.get("/impact", response_model=m.ImpactSet, responses=BAD)
async def impact(
    request: Request,
    iri: str = Query(
        max_length=2000,
        description="a node: its IRI, or its path under /id/",
        examples=["https://w3id.org/plantrace/id/law/425AC0000000027/art16-2"],
    ),
) -> m.ImpactSet:
    """Every node that rests on ``iri`` directly or through others: the descendants of the node
    in the trace graph (the dependents of ``/api/impact``, plus the grades reached through the
    items' clauses)."""
    return await run(request, graph_models.impact, iri=checked_iri(iri))


@router.get("/path", response_model=m.PathResponse, responses=BAD)
async def path(
    request: Request,
    source: str = Query(
        max_length=2000,
        description="where the chain starts (an article, usually): IRI or path under /id/",
        examples=["https://w3id.org/plantrace/id/law/425AC0000000027/art38-8"],
    ),
    target: str | None = Query(
        None, max_length=2000, description="where it ends; default: the nearest grade"
    ),
    code: str | None = Query(
        None, max_length=40, description="without target: the nearest grade of this item"
    ),
) -> m.PathResponse:
    """The shortest chain of links from ``source`` down to ``target`` (or to the nearest
    grade): e.g. article → mid-term goal → goal clause → evaluation. 404 when there is none."""
    return await run(
        request,
        graph_models.path,
        source=checked_iri(source),
        target=checked_iri(target) if target else None,
        code=code,
    )
