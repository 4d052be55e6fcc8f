"""What an item's trace page (``/items/{code}``) shows: the trace graph, the clauses by year,
what changed from year to year, each changed clause's versions with the differences between
them, a chart per quantitative indicator, grades, the chain from its
legal basis to a grade, and quoted source lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from api.jobs import long_job
from api.views import charts, drawings, graph_models, quotes, textdiff, traces
from api.views import models as m
from api.views.grade_basis import basis_of
from api.views.publishers import bodies, several_bodies
from kg import analysis as a
from kg import queries as q
from kg.namespaces import publisher_id
from kg.queries import QueryFn


@dataclass(frozen=True)
class ClauseRow:
    """One plan clause with the goal clauses it implements and its annual clauses by year."""

    plan: m.Clause | None
    goals: list[m.Clause]
    annual: dict[int, list[m.Clause]]


@dataclass(frozen=True)
class Change:
    """The annual plan clauses under one plan clause in two years, compared."""

    plan: m.Clause | None
    year_a: int
    year_b: int
    clauses_a: list[m.Clause]
    clauses_b: list[m.Clause]
    diff: textdiff.Diff


@dataclass(frozen=True)
class ItemPage:
    trace: m.Trace
    coverage: list[m.ItemCoverage]
    graph: str  # JSON for graph.js
    graph_rows: list[drawings.GraphRow]  # the same, as a table
    clause_years: list[int]
    clause_rows: list[ClauseRow]
    unplanned_goals: list[m.Clause]
    changes: list[Change]
    charts: dict[str, charts.Chart]
    quotes: list[quotes.Quote]
    grade_basis: m.GradeBasis
    paths: list[m.PathResponse] = field(default_factory=list)
    version_diffs: dict[str, textdiff.Diff] = field(default_factory=dict)
    """Per version after the first of a clause history: what changed from the version before."""
    suspect: frozenset[str] = frozenset()
    """The nodes holding a suspect link (marked 要確認 in the clause table)."""
    body: str | None = None
    """The publisher whose item this is, when the data holds several."""


@dataclass(frozen=True)
class ItemChoice:
    """Several bodies have an item with this code: the page lists them to choose from."""

    code: str
    bodies: list[m.Body]


def _clause_rows(trace: m.Trace) -> tuple[list[int], list[ClauseRow], list[m.Clause]]:
    goals = {c.iri: c for c in trace.goal_clauses}
    annual = [(y.year, c) for y in trace.years for c in y.annual_clauses]
    years = sorted({y for y, _ in annual})
    rows = []
    placed: set[str] = set()
    for p in trace.plan_clauses:
        by_year: dict[int, list[m.Clause]] = defaultdict(list)
        for y, c in annual:
            if p.iri in c.implements:
                by_year[y].append(c)
                placed.add(c.iri)
        rows.append(ClauseRow(p, [goals[g] for g in p.implements if g in goals], dict(by_year)))
    loose: dict[int, list[m.Clause]] = defaultdict(list)
    for y, c in annual:
        if c.iri not in placed:
            loose[y].append(c)
    if loose:
        rows.append(ClauseRow(None, [], dict(loose)))
    implemented = {g for p in trace.plan_clauses for g in p.implements}
    unplanned = [g for g in trace.goal_clauses if g.iri not in implemented]
    return years, rows, unplanned


def _changes(rows: list[ClauseRow]) -> list[Change]:
    out = []
    for row in rows:
        years = sorted(y for y, cs in row.annual.items() if cs)
        for ya, yb in pairwise(years):
            a_clauses, b_clauses = row.annual[ya], row.annual[yb]
            old = "\n".join(c.text or "" for c in a_clauses)
            new = "\n".join(c.text or "" for c in b_clauses)
            out.append(Change(row.plan, ya, yb, a_clauses, b_clauses,
                              textdiff.char_diff(old, new)))  # fmt: skip
    return out


def _version_diffs(trace: m.Trace) -> dict[str, textdiff.Diff]:
    """The diffs the trace carries (``Version.diff``), for the template."""
    return {v.iri: textdiff.Diff.of(v.diff) for h in trace.histories for v in h.versions if v.diff}


@long_job
def item_page(
    run: QueryFn, code: str, sources_dir: str = "", body: str | None = None
) -> ItemPage | ItemChoice:
    """Everything the trace page of item ``code`` (of publisher ``body``) shows; :class:`NotFound`
    if there is none. When the data holds several bodies and none is given: the item of the
    one body that has the code, or the bodies to choose from when several have it."""
    if body is None and several_bodies(run):
        publishers = q.item_publishers(run, code)
        if len(publishers) > 1:
            return ItemChoice(code, [b for b in bodies(run) if b.iri in publishers])
        if publishers:
            body = publisher_id(publishers[0])
    trace = traces.trace(run, code, body)
    tg = a.fetch(run, body)
    coverage = graph_models.coverage_of(tg, [code]).items
    years = [y.year for y in trace.years]
    clause_years, rows, unplanned = _clause_rows(trace)
    chart_of = {}
    for i in trace.indicators:
        if i.quantitative:
            chart = charts.indicator_chart(i, years)
            if chart is not None:
                chart_of[i.iri] = chart
    spans: list[str] = [s.iri for s in trace.item.sources]
    for y in trace.years:
        for e in (y.self_evaluation, y.ministerial_evaluation):
            if e is not None and e.rationale:
                spans += [s.iri for s in e.sources]
    quoted = quotes.quotes(run, list(dict.fromkeys(spans))[:quotes.QUOTE_SPANS],
                           Path(sources_dir)) if sources_dir else []  # fmt: skip
    paths = []
    for provision in trace.item.legal_basis:
        found = graph_models.path_of(tg, provision.iri, code=code)
        if found is not None:
            paths.append(found)
    drawing = drawings.trace_drawing(trace)
    return ItemPage(
        trace=trace,
        coverage=coverage,
        graph=drawings.network_json(drawing),
        graph_rows=drawings.table_rows(drawing),
        clause_years=clause_years,
        clause_rows=rows,
        unplanned_goals=unplanned,
        changes=_changes(rows),
        charts=chart_of,
        quotes=quoted,
        grade_basis=basis_of(trace, q.grade_basis(run, [code], body)),
        paths=paths,
        version_diffs=_version_diffs(trace),
        suspect=frozenset(s.lower for s in trace.suspect_links),
        body=body,
    )
