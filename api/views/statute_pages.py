"""What the statute pages show: ``/statutes`` (every statute and article with how much of the
trace rests on each) and ``/statutes/{law}/{article}`` (an article's text, impact graph and the
items resting on it), of one body on data of several.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.jobs import long_job
from api.views import drawings, grades, graph_models, laws
from api.views import models as m
from api.views.links import href, item_url, statute_link
from api.views.publishers import body_of, several_bodies
from api.views.rows import code_key
from api.views.spans import Sources
from kg import analysis as a
from kg import queries as q
from kg.errors import NotFound
from kg.queries import QueryFn


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


@long_job
def statutes_page(run: QueryFn, body: str | None = None) -> StatutesPage:
    """Statutes, their articles, and how much of the trace (of ``body``) rests on each."""
    statutes = laws.statutes(run).statutes
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
    graph_rows: list[drawings.GraphRow]
    items: list[ItemImpact]
    sources: list[m.SourceSpan]
    body: str | None = None
    per_body: bool = False
    """As on :class:`StatutesPage`: no body chosen on data of several."""


@long_job
def provision_page(run: QueryFn, iri: str, body: str | None = None) -> ProvisionPage:
    """A statute or an article: its text, its impact graph and the items (of ``body``) resting
    on it."""
    statutes = laws.statutes(run).statutes
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
    impact = graph_models.impact_of(tg, iri)
    item_nodes = {n.item_code: n for n in impact.nodes if n.kind == "item"}
    codes = None if body is None else q.item_codes(run, body)
    direct = {
        str(r["code"]) for r in q.legal_basis(run, codes, body) if str(r["provision"]) == iri
    }
    item_rows = {} if per_body else {i.code: i for i in grades.items(run, body).items}
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
                path=graph_models.path_of(tg, iri, code=code),
            )
        )
        drawn[code] = (item_nodes[code].iri if code in item_nodes else summary.iri,
                       item_url(code, body), summary.label)  # fmt: skip
    node = impact.node.model_copy(update={
        "label": (f"{statute.short_name or statute.title or ''} "
                  f"{provision.article_label if provision else ''}").strip() or impact.node.label,
    })  # fmt: skip
    drawing = drawings.impact_drawing(node, impact.nodes, drawn, direct)
    return ProvisionPage(
        iri=iri,
        href=href(iri),
        statute=statute,
        provision=provision,
        parents=parents,
        impact=impact,
        graph=drawings.network_json(drawing),
        graph_rows=drawings.table_rows(drawing),
        items=items,
        sources=Sources(run, [iri])(iri),
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
