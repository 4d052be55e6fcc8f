"""The graph analyses of :mod:`kg.analysis` as the JSON API's models (``/api/analysis/…``).

Each function fetches the trace graph (two queries) and analyses it; the analysis itself is
a few milliseconds of networkx on the J-LIS data, so nothing is cached.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.jobs import long_job
from api.views import models as m
from api.views.links import href, prefixed
from api.views.publishers import require_body
from api.views.rows import code_key
from kg import analysis as a
from kg.errors import NotFound
from kg.queries import QueryFn


def node(info: a.NodeInfo) -> m.GraphNode:
    return m.GraphNode(
        iri=info.iri,
        href=href(info.iri),
        kind=info.kind,  # type: ignore[arg-type]
        item_code=info.code,
        year=info.year,
        label=info.label,
        quantitative=info.quantitative,
        by=info.by,  # type: ignore[arg-type]
    )


def ratio(r: a.Ratio) -> m.Ratio:
    return m.Ratio(covered=r.covered, total=r.total, share=r.share)


def item_coverage(c: a.Coverage) -> m.ItemCoverage:
    return m.ItemCoverage(
        code=c.code,
        item=c.item,
        href=href(c.item),
        year=c.year,
        goal_plan=ratio(c.goal_plan),
        plan_annual=ratio(c.plan_annual),
        annual_indicator=ratio(c.annual_indicator),
        indicator_observation=ratio(c.indicator_observation),
        self_graded=c.self_graded,
        ministerial_graded=c.ministerial_graded,
    )


def year_coverage(y: a.YearCoverage) -> m.YearCoverage:
    return m.YearCoverage(
        year=y.year,
        goal_plan=ratio(y.goal_plan),
        plan_annual=ratio(y.plan_annual),
        annual_indicator=ratio(y.annual_indicator),
        indicator_observation=ratio(y.indicator_observation),
        items_self_graded=ratio(y.items_self_graded),
        items_ministerial_graded=ratio(y.items_ministerial_graded),
    )


def coverage_of(tg: a.TraceGraph, codes: Sequence[str] | None = None) -> m.CoverageResponse:
    rows = a.coverage(tg, codes)
    rows.sort(key=lambda c: (code_key(c.code), c.year))
    return m.CoverageResponse(
        years=tg.years(),
        items=[item_coverage(c) for c in rows],
        totals=[year_coverage(y) for y in a.year_totals(rows)],
    )


@long_job
def coverage(run: QueryFn, code: str | None = None, body: str | None = None) -> m.CoverageResponse:
    """Coverage of every item (or of the item ``code``; of publisher ``body``) in every year."""
    if body is not None:
        require_body(run, body)
    tg = a.fetch(run, body)
    if code is not None and not tg.nodes("item", code):
        raise NotFound(f"no evaluation item with code {code!r}")
    return coverage_of(tg, [code] if code is not None else None)


def gaps_of(tg: a.TraceGraph) -> m.GapsResponse:
    orphans = a.orphans(tg)
    dead_ends = a.dead_ends(tg)
    counts = {
        **{f"orphan {k}": n for k, n in a.counts(g.node for g in orphans).items()},
        **{f"dead end {k}": n for k, n in a.counts(g.node for g in dead_ends).items()},
    }
    return m.GapsResponse(
        orphans=[m.Gap(node=node(g.node), missing=g.missing) for g in orphans],
        dead_ends=[m.Gap(node=node(g.node), missing=g.missing) for g in dead_ends],
        counts=counts,
    )


@long_job
def gaps(run: QueryFn, body: str | None = None) -> m.GapsResponse:
    """Orphan and dead-end nodes of the trace (of publisher ``body``)."""
    if body is not None:
        require_body(run, body)
    return gaps_of(a.fetch(run, body))


def impact_of(tg: a.TraceGraph, iri: str) -> m.ImpactSet:
    if iri not in tg.graph:
        raise NotFound(f"{iri} is not a node of the trace graph")
    found = a.impact_set(tg, iri)
    return m.ImpactSet(
        node=node(tg.info(iri)),
        nodes=[node(i) for i in found],
        counts=a.counts(found),
        items=sorted({i.code for i in found if i.code}, key=code_key),
    )


@long_job
def impact(run: QueryFn, iri: str) -> m.ImpactSet:
    """Everything that rests on ``iri``, directly or through others."""
    return impact_of(a.fetch(run), iri)


def path_of(
    tg: a.TraceGraph, source: str, target: str | None = None, code: str | None = None
) -> m.PathResponse | None:
    steps = a.shortest_path(tg, source, target, code=code)
    if steps is None:
        return None
    return m.PathResponse(
        source=source,
        target=steps[-1].node.iri,
        length=len(steps) - 1,
        steps=[
            m.PathStep(node=node(s.node), via=[prefixed(p) for p in s.predicates]) for s in steps
        ],
    )


@long_job
def path(
    run: QueryFn, source: str, target: str | None = None, code: str | None = None
) -> m.PathResponse:
    """The shortest chain from ``source`` to ``target`` (default: the nearest grade, of the item
    ``code`` if given); :class:`NotFound` when there is none."""
    tg = a.fetch(run)
    for end in (source, target):
        if end is not None and end not in tg.graph:
            raise NotFound(f"{end} is not a node of the trace graph")
    found = path_of(tg, source, target, code)
    if found is None:
        to = target or (f"a grade of {code}" if code else "a grade")
        raise NotFound(f"no chain of links from {source} to {to}")
    return found
