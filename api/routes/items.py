"""``/api/items``, ``/api/evaluations``, ``/api/differences``, ``/api/changes``, ``/api/search``:
the trace as JSON.

Each endpoint runs its view in a query worker under the time limit (:mod:`api.views.grades`,
:mod:`api.views.traces`, :mod:`api.views.changes`, :mod:`api.views.search`).
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request

from api.deps import run, validation_report
from api.routes.params import BODY, CODE, ERRORS
from api.views import changes, grade_basis, grades, traces
from api.views import models as m
from api.views import search as text_search

router = APIRouter(prefix="/api", tags=["items"])


@router.get("/items", response_model=m.ItemsResponse, responses=ERRORS)
async def items(request: Request, body: str | None = BODY) -> m.ItemsResponse:
    """Every evaluation item with its grade matrix: self and ministerial grade per fiscal year."""
    return await run(request, grades.items, body=body)


@router.get("/items/{code}", response_model=m.Trace, responses=ERRORS)
async def item_trace(
    request: Request, code: str = CODE, body: str | None = BODY
) -> m.Trace:
    """An item's full trace: goal → plan → annual plan clauses by year → indicators and targets
    → actual values → self and ministerial grades, each with its source lines."""
    return await run(request, traces.trace, code=code, body=body)


@router.get("/items/{code}/grade-basis", response_model=m.GradeBasis, responses=ERRORS)
async def item_grade_basis(
    request: Request, code: str = CODE, body: str | None = BODY
) -> m.GradeBasis:
    """Whether an item's grades are justified by its numbers, year by year: each actual value
    of its quantitative indicators with the target it was compared with (an indicator's own,
    else the target of the clause it measures) and the targets of the plans above it, its
    achievement (percent: actual ÷ target for ≥, target ÷ actual for ≤) and the band of the
    grading rubric it falls in, the self and ministerial grades, and the findings of the checks
    of grades and targets (``findings_checked`` false while validation is still running)."""
    basis = await run(request, grade_basis.grade_basis, code=code, body=body)
    return grade_basis.with_findings(basis, await validation_report(request, body))


@router.get("/evaluations", response_model=m.YearsResponse, responses=ERRORS)
async def evaluation_years(request: Request, body: str | None = BODY) -> m.YearsResponse:
    """The fiscal years that have grades, with the overall grade and how many items were graded."""
    return await run(request, grades.years, body=body)


@router.get("/evaluations/{year}", response_model=m.EvaluationsOfYear, responses=ERRORS)
async def evaluations(
    request: Request,
    year: int = Path(ge=1900, le=2200, examples=[2021]),
    body: str | None = BODY,
) -> m.EvaluationsOfYear:
    """Every item's self and ministerial evaluation in one fiscal year."""
    return await run(request, grades.evaluations_of_year, year=year, body=body)


@router.get("/differences", response_model=m.DifferencesResponse, responses=ERRORS)
async def differences(request: Request, body: str | None = BODY) -> m.DifferencesResponse:
    """Items and years where a body's self grade and the ministers' grade differ."""
    return await run(request, grades.differences, body=body)


@router.get("/changes", response_model=m.ChangesResponse, responses=ERRORS)
async def document_changes(request: Request, body: str | None = BODY) -> m.ChangesResponse:
    """What each document changed, newest first: the clauses and indicators it revised (a new
    version, ``prov:wasRevisionOf`` the old), added and dropped, each with its item, and the
    links written against a version it revised that no later version re-establishes (suspect
    links, as the shapes of ``shapes/versions.ttl`` report them: to review)."""
    return await run(request, changes.changes, body=body)


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
    return await run(request, text_search.search, query=q, limit=limit, body=body)
