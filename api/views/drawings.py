"""Network drawings of the trace with pyvis (vis-network), served without any CDN.

pyvis builds the nodes, edges and options; its own HTML template is not used, because it loads
vis-network and Bootstrap from CDNs even with ``cdn_resources="local"``. Instead
:func:`network_json` hands the data to the page as JSON in a ``data-graph`` attribute (escaped
like any attribute) and ``static/pages/graph.js`` draws it with the vis-network files that ship
inside the pyvis package (mounted at ``/static/vis``, :func:`api.web.assets.vis_directory`).

The same facts are also given as a table (:func:`table_rows`, one row per arrow): a picture on a
canvas is no use to a screen reader or to a keyboard (WCAG 2.1 SC 1.1.1, 1.3.1).

Node and edge ``title`` (vis-network's tooltip) is plain text: ``graph.js`` puts it in an
element with ``textContent``, since vis-network would render a string title as HTML in some
versions. Labels are drawn on the canvas, as text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from api.views import models as m
from api.views.charts import number

COLORS = {
    "provision": "#6a3d9a",
    "statute": "#6a3d9a",
    "document": "#8c6d31",
    "item": "#17324d",
    "goal": "#1f77b4",
    "plan": "#2ca02c",
    "annual": "#98b83b",
    "indicator": "#ff7f0e",
    "viewpoint": "#f3c28f",
    "observation": "#d62728",
    "evaluation": "#9467bd",
    "group": "#9aa5b1",
}
"""Node colour by kind (the legend on the pages uses the same)."""

FONT_LIGHT = {"goal", "item", "provision", "statute", "document", "observation", "evaluation",
              "plan"}  # fmt: skip
LABEL_CHARS = 14
TITLE_CHARS = 400


def short(text: str | None, chars: int = LABEL_CHARS) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= chars else flat[: chars - 1] + "…"


def _sources(spans: list[m.SourceSpan]) -> str:
    out = []
    for s in spans[:3]:
        lines = f"L{s.line_start}" + (f"–{s.line_end}" if s.line_end != s.line_start else "")
        out.append(f"{s.file or s.document} {lines}")
    return ("\n出典 / source: " + ", ".join(out)) if out else ""


@dataclass
class Drawing:
    """Nodes and edges to draw (ids are IRIs; ``url`` is where a click goes)."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    layout: str = "tree"  # "tree": levels left to right; "force": a physics layout

    def node(self, iri: str, kind: str, label: str, title: str, url: str, level: int) -> None:
        if iri in self.nodes:
            return
        self.nodes[iri] = {
            "label": label,
            "title": short(title, TITLE_CHARS),
            "url": url,
            "level": level,
            "kind": kind,
        }

    def edge(self, a: str, b: str, title: str = "") -> None:
        if a in self.nodes and b in self.nodes and (a, b, title) not in self.edges:
            self.edges.append((a, b, title))


OPTIONS: dict[str, Any] = {
    "layout": {
        "hierarchical": {
            "enabled": True,
            "direction": "LR",
            "sortMethod": "directed",
            "levelSeparation": 250,
            "nodeSpacing": 58,
            "treeSpacing": 60,
        }
    },
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "color": "#8895a7",
              "smooth": {"enabled": True, "type": "cubicBezier", "roundness": 0.4}},
    "nodes": {"shape": "box", "margin": 6, "widthConstraint": {"maximum": 210},
              "font": {"size": 14, "face": "sans-serif"}},
}  # fmt: skip

FORCE_OPTIONS: dict[str, Any] = {
    **OPTIONS,
    "layout": {"randomSeed": 7, "improvedLayout": True},
    "physics": {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 70,
                             "avoidOverlap": 0.6},
        "stabilization": {"enabled": True, "iterations": 400, "fit": True},
    },
    "edges": {**OPTIONS["edges"], "smooth": False},
}  # fmt: skip
"""For star-shaped graphs (an article's impact): laid out by physics, then frozen."""


@dataclass(frozen=True)
class GraphEnd:
    """A node as the table of a drawing names it: its kind, label and page."""

    kind: str
    label: str
    url: str


@dataclass(frozen=True)
class GraphRow:
    """One arrow of a drawing (``target`` None: a node no arrow touches)."""

    source: GraphEnd
    relation: str
    target: GraphEnd | None


def table_rows(drawing: Drawing) -> list[GraphRow]:
    """The drawing as rows of a table, in the order it was built (goal to grade)."""

    def end(iri: str) -> GraphEnd:
        n = drawing.nodes[iri]
        return GraphEnd(n["kind"], " ".join(n["label"].split()), n["url"])

    rows = [GraphRow(end(a), title, end(b)) for a, b, title in drawing.edges]
    linked = {x for a, b, _ in drawing.edges for x in (a, b)}
    rows += [GraphRow(end(n), "", None) for n in drawing.nodes if n not in linked]
    return rows


def network_json(drawing: Drawing) -> str:
    """The drawing as JSON for ``graph.js``: pyvis's nodes and edges, and our options."""
    from pyvis.network import Network  # imported when first drawn: it pulls in IPython

    net = Network(directed=True, cdn_resources="local")
    for iri, n in drawing.nodes.items():
        color = COLORS.get(n["kind"], "#888")
        net.add_node(
            iri,
            label=n["label"],
            title=n["title"],
            color={"background": color, "border": color,
                   "highlight": {"background": color, "border": "#111"}},
            font={"color": "#fff" if n["kind"] in FONT_LIGHT else "#111"},
            level=n["level"],
            url=n["url"],
            shape="box",
        )  # fmt: skip
    for a, b, title in drawing.edges:
        net.add_edge(a, b, title=title)
    nodes, edges, *_ = net.get_network_data()
    options = FORCE_OPTIONS if drawing.layout == "force" else OPTIONS
    return json.dumps({"nodes": nodes, "edges": edges, "options": options}, ensure_ascii=False)


def _observations_id(indicator: str, year: int | None) -> str:
    """The node of an indicator's actual values in one year (drawn as one node)."""
    return f"{indicator}#actual-{year or 'unknown'}"


def _marks(e: m.Evaluation) -> str:
    named = [("重要度「高」", e.importance_high), ("困難度「高」", e.difficulty_high),
             ("重点化", e.priority)]  # fmt: skip
    return "".join(f" {name}" for name, on in named if on)


def _grade_label(e: m.Evaluation) -> str:
    who = "自" if e.by == "self" else "大"
    important = "○" if e.importance_high else ""
    return f"FY{e.year} {who} {important}{e.grade or '?'}{'重' if e.priority else ''}"


def trace_drawing(trace: m.Trace) -> Drawing:
    """An item's trace: goal → plan → annual clauses by year → indicators → actual values →
    grades. The actual values of an indicator in one year are one node (its click opens the
    first); they point at that year's grades."""
    d = Drawing()
    levels = {"goal": 0, "plan": 1, "annual": 2, "indicator": 3, "observation": 4, "grade": 5}
    for c in trace.goal_clauses:
        d.node(c.iri, "goal", f"目標 {short(c.section, 10)}\n{short(c.text)}",
               f"中期目標 / goal {c.section or ''}\n{c.text or ''}{_sources(c.sources)}",
               c.href, levels["goal"])  # fmt: skip
    for c in trace.plan_clauses:
        d.node(c.iri, "plan", f"計画 {short(c.section, 10)}\n{short(c.text)}",
               f"中期計画 / plan {c.section or ''}\n{c.text or ''}{_sources(c.sources)}",
               c.href, levels["plan"])  # fmt: skip
    for y in trace.years:
        for c in y.annual_clauses:
            d.node(c.iri, "annual", f"FY{y.year} 年度計画\n{short(c.text)}",
                   f"年度計画 / annual plan FY{y.year}\n{c.text or ''}{_sources(c.sources)}",
                   c.href, levels["annual"])  # fmt: skip
    for i in trace.indicators:
        kind = "indicator" if i.quantitative else "viewpoint"
        targets = "".join(f"\n目標 / target: {t.text or t.value}" for t in i.targets)
        d.node(i.iri, kind, short(i.label, 24),
               f"{'定量的指標' if i.quantitative else '評価の視点'} / indicator\n{i.label or ''}"
               f"{targets}{_sources(i.sources)}", i.href, levels["indicator"])  # fmt: skip
        by_year: dict[int | None, list[m.Observation]] = defaultdict(list)
        for o in i.observations:
            by_year[o.year].append(o)
        for year, group in by_year.items():
            values = ", ".join(
                short(f"{number(o.value)}{o.unit or ''}", 10) if o.value is not None
                else short(o.text, 10)
                for o in group[:3]
            ) + (" …" if len(group) > 3 else "")
            lines = "\n".join(f"・{o.text or o.value}{_sources(o.sources)}" for o in group)
            d.node(_observations_id(i.iri, year), "observation",
                   f"FY{year or '?'} 実績{f' ×{len(group)}' if len(group) > 1 else ''}\n{values}",
                   f"実績 / actual FY{year or '?'}\n{lines}", group[0].href,
                   levels["observation"])  # fmt: skip
    for y in trace.years:
        for e in (y.self_evaluation, y.ministerial_evaluation):
            if e is not None:
                d.node(e.iri, "evaluation", _grade_label(e),
                       f"評定 / grade {_grade_label(e)}{_marks(e)}\n{e.rationale or ''}"
                       f"{_sources(e.sources)}",
                       e.href, levels["grade"])  # fmt: skip
    for c in [*trace.plan_clauses, *(a for y in trace.years for a in y.annual_clauses)]:
        for up in c.implements:
            d.edge(up, c.iri, "implements")
    grades_of_year = {
        y.year: [e.iri for e in (y.self_evaluation, y.ministerial_evaluation) if e is not None]
        for y in trace.years
    }
    for i in trace.indicators:
        for clause in i.measures:
            d.edge(clause, i.iri, "measures")
        for year in {o.year for o in i.observations}:
            d.edge(i.iri, _observations_id(i.iri, year), "indicator")
            for g in grades_of_year.get(year or 0, []):
                d.edge(_observations_id(i.iri, year), g, "graded")
    return d


def impact_drawing(
    node: m.GraphNode,
    nodes: Iterable[m.GraphNode],
    items: dict[str, tuple[str, str, str | None]],
    direct: set[str],
    limit: int = 60,
) -> Drawing:
    """An article's impact: article → items → clauses. ``items`` maps code → (item IRI, page
    URL, label); ``direct`` are the codes whose legal basis is the article. With more than
    ``limit`` clauses, each item's clauses are drawn as one node per level (with a count)."""
    d = Drawing(layout="force")
    d.node(node.iri, "provision", short(node.label, 24), node.label or node.iri, node.href, 0)
    clauses = [n for n in nodes if n.kind in ("goal", "plan", "annual") and n.item_code]
    by_item: dict[str, list[m.GraphNode]] = defaultdict(list)
    for c in clauses:
        by_item[c.item_code or ""].append(c)
    names = {"goal": "中期目標", "plan": "中期計画", "annual": "年度計画"}
    for code, (iri, url, label) in items.items():
        d.node(iri, "item", f"{code} {short(label, 10)}", f"{code} {label or ''}", url, 1)
        how = "根拠法令 / legal basis" if code in direct else \
            f"計画 {len(by_item.get(code, []))} 件を通じて / through clauses"  # fmt: skip
        d.edge(node.iri, iri, how)
        if len(clauses) <= limit:
            for c in by_item.get(code, []):
                year = f"FY{c.year} " if c.year else ""
                d.node(c.iri, c.kind, f"{year}{names[c.kind]} {short(c.label, 8)}",
                       f"{names[c.kind]} {year}\n{c.label or ''}", c.href, 2)  # fmt: skip
                d.edge(iri, c.iri)
        else:
            for kind in ("goal", "plan", "annual"):
                group = [c for c in by_item.get(code, []) if c.kind == kind]
                if group:
                    gid = f"{iri}#{kind}"
                    d.node(gid, kind, f"{names[kind]} ×{len(group)}",
                           f"{code}: {names[kind]} {len(group)} 件 / clauses", f"{url}#clauses",
                           2)  # fmt: skip
                    d.edge(iri, gid)
    return d
