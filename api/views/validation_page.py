"""What the validation page (``/validation``) shows: the SHACL findings grouped by severity and
rule, each linked to its node, article and source lines, and the trace's gaps.

Validation takes seconds; :mod:`api.workers.validation_runner` runs it once per store and body
in a worker of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Dataset

from api.jobs import long_job
from api.views import graph_models
from api.views import models as m
from api.views.links import href, item_url, span_href, statute_link
from api.views.publishers import bodies, body_of, several_bodies
from kg import queries as q
from kg.queries import QueryFn

if TYPE_CHECKING:
    from kg.validate import Finding


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
    value_node: str | None
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
        value_node=f.value_node,
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


@long_job
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
                              bodies=bodies(run))  # fmt: skip
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
    return ValidationPage(counts, groups, graph_models.gaps(run, body), chosen)
