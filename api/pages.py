"""What the HTML pages show, computed in a query worker (like every view of the JSON API).

Each ``*_page`` function takes the :data:`~kg.queries.QueryFn` of the worker, runs its queries
through :mod:`api.views` (the JSON API's own shaping) and :mod:`api.analysis`, and returns one
picklable dataclass the template renders. Nothing here opens the store, and nothing runs in
the event loop.

:func:`validation_page` validates the whole graph with :func:`kg.validate.validate` (a few
seconds): the route caches its result per store (:mod:`api.routes.pages`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Dataset

from api import analysis as an
from api import charts, linked, textdiff, tracegraph, views
from api import models as m
from api.errors import NotFound
from api.views import LAW, code_key, href, item_url, statute_link
from kg import analysis as a
from kg import queries as q
from kg.namespaces import publisher_id
from kg.queries import QueryFn

if TYPE_CHECKING:
    from kg.validate import Finding



def span_href(document: str, start: int | None, end: int | None) -> str:
    """Where a document's lines are shown: the span node ``<document>/L<start>-L<end>``
    (minted so by :mod:`kg.rdf`), or the document when there are no lines."""
    if start is None:
        return href(document)
    return href(f"{document}/L{start}-L{end if end is not None else start}")


# --- dashboard ---------------------------------------------------------------------------------


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


def several_bodies(run: QueryFn) -> bool:
    """Whether the data holds the documents of more than one publisher. With one (J-LIS) the
    pages show every item as they always have; with several, item codes repeat across bodies,
    so a page shows one body's data (``?body=``) or asks which body."""
    return len(q.publishers(run)) > 1


def body_of(run: QueryFn, body: str) -> m.Body:
    """The body with id ``body``; :class:`NotFound` if no document of the data has it."""
    found = next((b for b in views.bodies(run) if b.id == body), None)
    if found is None:
        raise views.unknown_body(body)
    return found


def dashboard_page(run: QueryFn, body: str | None = None) -> Dashboard:
    """The grade matrix with marks and sources, overall grades, coverage and gaps: of every
    item, of publisher ``body``'s items, or — when the data holds several bodies and none is
    chosen — the list of bodies (merging them would mix items that share a code, and analysing
    them all takes minutes)."""
    chosen = None
    if body is not None:
        chosen = body_of(run, body)
    elif several_bodies(run):
        return Dashboard([], [], {}, [], {}, bodies=views.bodies(run))
    summary = views.items(run, body)
    by_year = {y: views.evaluations_of_year(run, y, body) for y in summary.years}
    grades = {
        (i.code, y): i for y, of_year in by_year.items() for i in of_year.items
    }
    rows = []
    for item in summary.items:
        cells = []
        for y in summary.years:
            g = grades.get((item.code, y))
            cells.append(
                Cell(y, g.self_evaluation if g else None, g.ministerial_evaluation if g else None)
            )
        rows.append(Row(item.code, item.label, item_url(item.code, body), item.href, cells))
    tg = a.fetch(run, body)
    cov = an.coverage_of(tg)
    return Dashboard(
        years=summary.years,
        rows=rows,
        overall={y: of_year.overall for y, of_year in by_year.items()},
        coverage=cov.totals,
        gaps={"orphans": len(a.orphans(tg)), "dead_ends": len(a.dead_ends(tg))},
        body=chosen,
    )


# --- the trace page ----------------------------------------------------------------------------


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
    clause_years: list[int]
    clause_rows: list[ClauseRow]
    unplanned_goals: list[m.Clause]
    changes: list[Change]
    charts: dict[str, charts.Chart]
    quotes: list[linked.Quote]
    paths: list[m.PathResponse] = field(default_factory=list)
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


def item_page(
    run: QueryFn, code: str, sources_dir: str = "", body: str | None = None
) -> ItemPage | ItemChoice:
    """Everything the trace page of item ``code`` (of publisher ``body``) shows; :class:`NotFound`
    if there is none. When the data holds several bodies and none is given: the item of the
    one body that has the code, or the bodies to choose from when several have it."""
    if body is None and several_bodies(run):
        publishers = q.item_publishers(run, code)
        if len(publishers) > 1:
            return ItemChoice(code, [b for b in views.bodies(run) if b.iri in publishers])
        if publishers:
            body = publisher_id(publishers[0])
    trace = views.trace(run, code, body)
    tg = a.fetch(run, body)
    coverage = an.coverage_of(tg, [code]).items
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
    quotes = linked.quotes(run, list(dict.fromkeys(spans))[:linked.QUOTE_SPANS],
                           Path(sources_dir)) if sources_dir else []  # fmt: skip
    paths = []
    for provision in trace.item.legal_basis:
        found = an.path_of(tg, provision.iri, code=code)
        if found is not None:
            paths.append(found)
    return ItemPage(
        trace=trace,
        coverage=coverage,
        graph=tracegraph.network_json(tracegraph.trace_drawing(trace)),
        clause_years=clause_years,
        clause_rows=rows,
        unplanned_goals=unplanned,
        changes=_changes(rows),
        charts=chart_of,
        quotes=quotes,
        paths=paths,
        body=body,
    )


# --- statutes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionImpact:
    counts: dict[str, int]
    items: list[str]


@dataclass(frozen=True)
class StatutesPage:
    statutes: list[m.Statute]
    impact: dict[str, ProvisionImpact]
    urls: dict[str, str]
    body: str | None = None
    per_body: bool = False
    """The data holds several bodies and none was chosen: impact is shown per body only."""


def _scope(run: QueryFn, body: str | None) -> tuple[a.TraceGraph, bool]:
    """The trace graph a statute page analyses: of ``body`` (:class:`NotFound` if unknown), of
    the whole data with one body, and none (an empty graph, ``True``) when the data holds several
    bodies and none is chosen: impact over every body at once would mix their items and take
    minutes."""
    if body is not None:
        body_of(run, body)
    elif several_bodies(run):
        return a.TraceGraph(), True
    return a.fetch(run, body), False


def _all_provisions(statutes: list[m.Statute]) -> list[m.Provision]:
    out: list[m.Provision] = []

    def walk(ps: list[m.Provision]) -> None:
        for p in ps:
            out.append(p)
            walk(p.paragraphs)

    for s in statutes:
        walk(s.provisions)
    return out


def statutes_page(run: QueryFn, body: str | None = None) -> StatutesPage:
    """Statutes, their articles, and how much of the trace (of ``body``) rests on each."""
    statutes = views.statutes(run).statutes
    tg, per_body = _scope(run, body)
    impact = {}
    urls = {}
    for iri in [s.iri for s in statutes] + [p.iri for p in _all_provisions(statutes)]:
        found = a.impact_set(tg, iri)
        impact[iri] = ProvisionImpact(
            a.counts(found), sorted({i.code for i in found if i.code}, key=code_key)
        )
        urls[iri] = statute_link(iri, body)
    return StatutesPage(statutes, impact, urls, body, per_body)


@dataclass(frozen=True)
class ItemImpact:
    code: str
    label: str | None
    url: str
    direct: bool
    counts: dict[str, int]
    path: m.PathResponse | None


@dataclass(frozen=True)
class ProvisionPage:
    iri: str
    href: str
    statute: m.Statute | None
    provision: m.Provision | None
    parents: list[tuple[str, str]]  # (label, url) from the statute down
    impact: m.ImpactSet
    graph: str
    items: list[ItemImpact]
    sources: list[m.SourceSpan]
    body: str | None = None
    per_body: bool = False
    """As on :class:`StatutesPage`: no body chosen on data of several."""


def provision_page(run: QueryFn, iri: str, body: str | None = None) -> ProvisionPage:
    """A statute or an article: its text, its impact graph and the items (of ``body``) resting
    on it."""
    statutes = views.statutes(run).statutes
    statute = next((s for s in statutes if s.iri == iri), None)
    provision = None
    parents: list[tuple[str, str]] = []
    for s in statutes:
        chain = _find(s.provisions, iri)
        if chain:
            statute, provision = s, chain[-1]
            parents = [(p.article_label or p.iri, statute_link(p.iri, body)) for p in chain[:-1]]
            break
    if statute is None:
        raise NotFound(f"{iri} is not a statute or provision in the data")
    tg, per_body = _scope(run, body)
    if iri not in tg.graph:
        tg.add_node(a.NodeInfo(iri, "provision", label=provision.article_label if provision
                               else statute.title))  # fmt: skip
    impact = an.impact_of(tg, iri)
    item_nodes = {n.item_code: n for n in impact.nodes if n.kind == "item"}
    codes = None if body is None else q.item_codes(run, body)
    direct = {
        str(r["code"]) for r in q.legal_basis(run, codes, body) if str(r["provision"]) == iri
    }
    item_rows = {} if per_body else {i.code: i for i in views.items(run, body).items}
    items = []
    drawn: dict[str, tuple[str, str, str | None]] = {}
    for code in impact.items:
        summary = item_rows.get(code)
        if summary is None:
            continue
        of_item = [n for n in impact.nodes if n.item_code == code]
        items.append(
            ItemImpact(
                code=code,
                label=summary.label,
                url=item_url(code, body),
                direct=code in direct,
                counts=a.counts(a.NodeInfo(n.iri, n.kind) for n in of_item),
                path=an.path_of(tg, iri, code=code),
            )
        )
        drawn[code] = (item_nodes[code].iri if code in item_nodes else summary.iri,
                       item_url(code, body), summary.label)  # fmt: skip
    node = impact.node.model_copy(update={
        "label": (f"{statute.short_name or statute.title or ''} "
                  f"{provision.article_label if provision else ''}").strip() or impact.node.label,
    })  # fmt: skip
    drawing = tracegraph.impact_drawing(node, impact.nodes, drawn, direct)
    return ProvisionPage(
        iri=iri,
        href=href(iri),
        statute=statute,
        provision=provision,
        parents=parents,
        impact=impact,
        graph=tracegraph.network_json(drawing),
        items=items,
        sources=views.Sources(run, [iri])(iri),
        body=body,
        per_body=per_body,
    )


def _find(provisions: list[m.Provision], iri: str) -> list[m.Provision]:
    for p in provisions:
        if p.iri == iri:
            return [p]
        below = _find(p.paragraphs, iri)
        if below:
            return [p, *below]
    return []


# --- validation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    focus: str
    focus_href: str
    focus_label: str
    item_code: str | None
    item_url: str | None
    year: int | None
    message_ja: str
    message_en: str
    value: str | None
    sources: list[tuple[str, str]]  # (label, href)


@dataclass(frozen=True)
class RuleGroup:
    shape: str
    label_ja: str
    label_en: str
    article: str | None
    article_href: str | None
    article_url: str | None
    findings: list[FindingView]


@dataclass(frozen=True)
class SeverityGroup:
    severity: str
    rules: list[RuleGroup]

    @property
    def count(self) -> int:
        return sum(len(r.findings) for r in self.rules)


@dataclass(frozen=True)
class ValidationPage:
    counts: dict[str, int]
    groups: list[SeverityGroup]
    gaps: m.GapsResponse
    body: m.Body | None = None
    """The body validated (``?body=``)."""
    bodies: list[m.Body] = field(default_factory=list)
    """The data holds several bodies and none was chosen: the bodies to validate, one at a
    time (all at once would take an hour at 1000 bodies)."""


def _finding_view(f: Finding, body: str | None) -> FindingView:
    sources = []
    for s in f.sources:
        lines = "" if s.line_start is None else f" L{s.line_start}" + (
            f"–{s.line_end}" if s.line_end not in (None, s.line_start) else ""
        )
        sources.append((f"{s.file or s.doc_id}{lines}",
                        span_href(s.document, s.line_start, s.line_end)))  # fmt: skip
    return FindingView(
        focus=f.focus,
        focus_href=href(f.focus),
        focus_label=f.focus_label,
        item_code=f.item_code,
        item_url=item_url(f.item_code, body) if f.item_code else None,
        year=f.fiscal_year,
        message_ja=f.message_ja,
        message_en=f.message_en,
        value=f.value,
        sources=sources,
    )


def data_graph(run: QueryFn, body: str | None = None) -> Dataset:
    """Every named graph as an rdflib Dataset (what ``plantrace validate`` checks), read
    through ``run`` so that it works on a remote store too; with ``body``, that body's graphs
    and the shared ones (:func:`kg.queries.graphs_of`: what :mod:`kg.bodies` validates as one
    body's part). The graph names tell one body's documents from another's; a store without
    named graphs gives its default graph."""
    only = "" if body is None else q.values("g", map(q.iri, q.graphs_of(run, body)))
    result = run(f"SELECT ?s ?p ?o ?g WHERE {{ {only} GRAPH ?g {{ ?s ?p ?o }} }}")
    rows = result.rows or [
        (*t, None) for t in run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").rows
    ]
    quads = [
        ox.Quad(s, p, o, g if isinstance(g, ox.NamedNode) else ox.DefaultGraph())
        for s, p, o, g in rows
        if isinstance(s, ox.NamedNode | ox.BlankNode)
        and isinstance(p, ox.NamedNode)
        and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
    ]
    dataset = Dataset()
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    dataset.parse(data=data, format="nquads")
    return dataset


def validation_page(run: QueryFn, body: str | None = None) -> ValidationPage:
    """The SHACL findings grouped by severity and rule, and the trace's gaps: of the data, of
    publisher ``body``'s data, or — when the data holds several bodies and none is chosen —
    the bodies to choose from."""
    from kg.validate import SEVERITIES, validate  # pySHACL: imported only when needed

    chosen = None
    if body is not None:
        chosen = body_of(run, body)
    elif several_bodies(run):
        return ValidationPage({}, [], m.GapsResponse(orphans=[], dead_ends=[], counts={}),
                              bodies=views.bodies(run))  # fmt: skip
    report = validate(data_graph(run, body))
    groups = []
    for severity in SEVERITIES:
        rules: dict[str, list[Finding]] = {}
        for f in report.findings:
            if f.severity == severity:
                rules.setdefault(f.shape, []).append(f)
        groups.append(
            SeverityGroup(
                severity,
                [
                    RuleGroup(
                        shape=shape,
                        label_ja=fs[0].shape_label_ja,
                        label_en=fs[0].shape_label,
                        article=fs[0].article,
                        article_href=href(fs[0].provision) if fs[0].provision else None,
                        article_url=(
                            statute_link(fs[0].provision, body) if fs[0].provision else None
                        ),
                        findings=[_finding_view(f, body) for f in fs],
                    )
                    for shape, fs in rules.items()
                ],
            )
        )
    counts: dict[str, int] = {str(k): n for k, n in report.counts.items()}
    return ValidationPage(counts, groups, an.gaps(run, body), chosen)


# --- the query page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryPage:
    examples: dict[str, str]
    search: m.SearchResponse | None


def query_page(run: QueryFn, text: str | None = None, limit: int = 30) -> QueryPage:
    """Example queries (filled with an item and an article of the data) and search hits."""
    basis = sorted(q.legal_basis(run), key=lambda r: (code_key(str(r["code"])),
                                                      str(r["provision"])))  # fmt: skip
    items = sorted((str(r["code"]) for r in q.items(run)), key=code_key)
    code = items[0] if items else "I-1"
    article = str(basis[0]["provision"]) if basis else f"{LAW}example"
    return QueryPage(examples(code, article), views.search(run, text, limit) if text else None)


def examples(code: str, article: str) -> dict[str, str]:
    """The query page's example SPARQL: the grade matrix, an item's trace, an article's impact."""
    return {
        "matrix": """SELECT ?code ?year ?by ?grade WHERE {
  ?e pt:evaluates/pt:code ?code ; pt:fiscalYear/pt:year ?year ;
     pt:grade/skos:notation ?grade .
  { ?e a pt:SelfEvaluation BIND("self" AS ?by) }
  UNION { ?e a pt:MinisterialEvaluation BIND("ministerial" AS ?by) }
} ORDER BY ?code ?year ?by""",
        "trace": f"""SELECT ?goal ?plan ?year ?annual ?indicator ?label WHERE {{
  ?item pt:code {q.literal(code)} .
  ?plan a pt:PlanClause ; pt:item ?item ; pt:implements ?goal .
  OPTIONAL {{
    ?annual pt:implements ?plan ; pt:fiscalYear/pt:year ?year .
    OPTIONAL {{ ?indicator pt:measures ?annual . OPTIONAL {{ ?indicator rdfs:label ?label }} }}
  }}
}} ORDER BY ?plan ?year""",
        "impact": f"""SELECT ?code ?kind (COUNT(DISTINCT ?node) AS ?nodes) WHERE {{
  ?item pt:legalBasis {q.iri(article)} ; pt:code ?code .
  ?node pt:item ?item ; a ?kind .
}} GROUP BY ?code ?kind ORDER BY ?code ?kind""",
    }
