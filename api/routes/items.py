"""``/api/items``, ``/api/evaluations``, ``/api/differences``, ``/api/search``: the trace as JSON.

Each endpoint runs its queries in a query worker under the time limit (:mod:`api.views`).
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request

from api import models as m
from api.deps import run_job

router = APIRouter(prefix="/api", tags=["items"])

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"description": "not in the data", "model": m.ErrorMessage},
    503: {"description": "stopped at the time limit", "model": m.ErrorMessage},
}


BODY = Query(
    None,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$",
    description="the publisher's id, as in its IRI `/id/{body}` (`jlis`); default: every "
    "publisher's items, merged by code (one body in the J-LIS data)",
    examples=["jlis"],
)
"""The ``body`` parameter: which public body's items, when the data holds several."""


@router.get("/items", response_model=m.ItemsResponse, responses=ERRORS)
async def items(request: Request, body: str | None = BODY) -> m.ItemsResponse:
    """Every evaluation item with its grade matrix: self and ministerial grade per fiscal year."""
    result: m.ItemsResponse = await run_job(request, "items", body=body)
    return result


@router.get("/items/{code}", response_model=m.Trace, responses=ERRORS)
async def item_trace(
    request: Request,
    code: str = Path(description="item code", examples=["I-1"], max_length=40),
    body: str | None = BODY,
) -> m.Trace:
    """An item's full trace: goal → plan → annual plan clauses by year → indicators and targets
    → actual values → self and ministerial grades, each with its source lines."""
    result: m.Trace = await run_job(request, "trace", code=code, body=body)
    return result


@router.get("/evaluations", response_model=m.YearsResponse, responses=ERRORS)
async def evaluation_years(request: Request, body: str | None = BODY) -> m.YearsResponse:
    """The fiscal years that have grades, with the overall grade and how many items were graded."""
    result: m.YearsResponse = await run_job(request, "years", body=body)
    return result


@router.get("/evaluations/{year}", response_model=m.EvaluationsOfYear, responses=ERRORS)
async def evaluations(
    request: Request,
    year: int = Path(ge=1900, le=2200, examples=[2021]),
    body: str | None = BODY,
) -> m.EvaluationsOfYear:
    """Every item's self and ministerial evaluation in one fiscal year."""
    result: m.EvaluationsOfYear = await run_job(request, "evaluations", year=year, body=body)
    return result


@router.get("/differences", response_model=m.DifferencesResponse, responses=ERRORS)
async def differences(request: Request, body: str | None = BODY) -> m.DifferencesResponse:
    """Items and years where a body's self grade and the ministers' grade differ."""
    result: m.DifferencesResponse = await run_job(request, "differences", body=body)
    return result


@router.get("/search", response_model=m.SearchResponse, responses=ERRORS)
async def search(
    request: Request,
    q: str = Query(
        min_length=1,
        max_length=200,
        description="words to find (all must occur)",
        examples=["応答率"],
    ),
    limit: int = Query(20, ge=1, le=200),
    body: str | None = BODY,
) -> m.SearchResponse:
    """Clause texts and indicator labels containing every word of ``q``, best match first.

    Matching is by substring after NFKC normalization (full- and half-width alike, case and
    white space ignored); texts are returned as published. With ``body``, only that public
    body's texts are searched: on a store of many bodies that is the fast way to search.
    """
    result: m.SearchResponse = await run_job(request, "search", query=q, limit=limit, body=body)
    return result
