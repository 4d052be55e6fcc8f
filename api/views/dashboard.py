"""What the dashboard (``/``) shows: the grade matrix with marks and sources, overall grades,
trace coverage and gaps; on data of several bodies, the list of bodies.

Like every page's data, computed by one job in a query worker; the route only renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.jobs import long_job
from api.views import grades, graph_models
from api.views import models as m
from api.views.links import item_url
from api.views.publishers import bodies, body_of, several_bodies
from kg import analysis as a
from kg.queries import QueryFn


@dataclass(frozen=True)
class Cell:
    year: int
    self_evaluation: m.Evaluation | None
    ministerial_evaluation: m.Evaluation | None


@dataclass(frozen=True)
class Row:
    code: str
    label: str | None
    url: str
    ld_href: str
    cells: list[Cell]


@dataclass(frozen=True)
class Dashboard:
    years: list[int]
    rows: list[Row]
    overall: dict[int, list[m.OverallGrade]]
    coverage: list[m.YearCoverage]
    gaps: dict[str, int]
    body: m.Body | None = None
    """The body chosen with ``?body=``."""
    bodies: list[m.Body] = field(default_factory=list)
    """The bodies to choose from: the data holds several and none was chosen."""


@long_job
def dashboard_page(run: QueryFn, body: str | None = None) -> Dashboard:
    """The grade matrix with marks and sources, overall grades, coverage and gaps: of every
    item, of publisher ``body``'s items, or — when the data holds several bodies and none is
    chosen — the list of bodies (merging them would mix items that share a code, and analysing
    them all takes minutes)."""
    chosen = None
    if body is not None:
        chosen = body_of(run, body)
    elif several_bodies(run):
        return Dashboard([], [], {}, [], {}, bodies=bodies(run))
    summary = grades.items(run, body)
    by_year = {y: grades.evaluations_of_year(run, y, body) for y in summary.years}
    graded = {(i.code, y): i for y, of_year in by_year.items() for i in of_year.items}
    rows = []
    for item in summary.items:
        cells = []
        for y in summary.years:
            g = graded.get((item.code, y))
            cells.append(
                Cell(y, g.self_evaluation if g else None, g.ministerial_evaluation if g else None)
            )
        rows.append(Row(item.code, item.label, item_url(item.code, body), item.href, cells))
    tg = a.fetch(run, body)
    cov = graph_models.coverage_of(tg)
    return Dashboard(
        years=summary.years,
        rows=rows,
        overall={y: of_year.overall for y, of_year in by_year.items()},
        coverage=cov.totals,
        gaps={"orphans": len(a.orphans(tg)), "dead_ends": len(a.dead_ends(tg))},
        body=chosen,
    )
