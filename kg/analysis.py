"""Graph analyses of the trace with networkx: coverage, gaps, impact sets and paths.

The graph is built from two queries of :mod:`kg.queries` (:func:`~kg.queries.trace_nodes` and
:func:`~kg.queries.dependency_links`), so the analyses run the same on the embedded store, a
remote store or a test's hand-made rows (:meth:`TraceGraph.from_rows`).

**Edges.** An edge ``a → b`` means *b rests on a*: the dependency links of the impact analysis
(:data:`kg.queries.DEPENDENCY_PREDICATES`) turned around — an article points at the plan
document it authorizes and at the items whose legal basis it is, a document at its clauses, a
goal clause at the plan clauses implementing it, a clause at the indicators measuring it, an
indicator at its targets and actual values, an item at its evaluations (and, as in the impact
analysis, at its clauses and indicators). So the impact set of a node (its descendants) holds
every dependent :func:`api.views.laws.impact` lists. One more kind of edge, ``graded``, goes from a
clause, indicator or actual value to the evaluations of its item (of the same fiscal year, for a
node that has one): a grade is given to the item as a whole, and this is how a chain that
starts at an article reaches a grade (article → goal document → goal clause → evaluation).

**Coverage** of an item in a fiscal year is the share at each level of the trace that has the
next level: goal clauses with a plan clause implementing them, plan clauses with an annual plan
clause of that year, annual plan clauses of that year with an indicator, quantitative
indicators with an actual value of that year, and whether the item has a self and a
ministerial grade that year.

**Gaps.** An *orphan* is a trace node without its link one level up (a plan clause that
implements no goal clause, an indicator that measures nothing, an evaluation of no item); a
*dead end* is one with nothing one level down (a goal clause no plan clause implements, a plan
clause with no annual plan clause in any year, an annual plan clause no indicator measures, a
quantitative indicator with no actual value, an item with no grade).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise
from types import ModuleType
from typing import TYPE_CHECKING

from kg import queries as q
from kg.namespaces import PT
from kg.queries import QueryFn, Row

if TYPE_CHECKING:
    import networkx as nx

PT_NS = str(PT)
GRADED = "graded"


def _networkx() -> ModuleType:
    """networkx, imported when an analysis first runs: the web server names the views that
    use this module but never runs them (its query workers do), and networkx is 12 MiB of
    the server's memory (bench/RESULTS.md, "Request cost")."""
    import networkx

    module: ModuleType = networkx
    return module


def _digraph() -> nx.DiGraph:
    graph: nx.DiGraph = _networkx().DiGraph()
    return graph
"""The name of the edges from a clause, indicator or actual value to its item's evaluations."""
_GRADED_KINDS = ("goal", "plan", "annual", "indicator", "observation")

KIND_OF_CLASS: dict[str, str] = {
    PT_NS + "Statute": "statute",
    PT_NS + "Provision": "provision",
    PT_NS + "MidTermGoal": "document",
    PT_NS + "MidTermPlan": "document",
    PT_NS + "AnnualPlan": "document",
    PT_NS + "GoalClause": "goal",
    PT_NS + "PlanClause": "plan",
    PT_NS + "AnnualPlanClause": "annual",
    PT_NS + "Indicator": "indicator",
    PT_NS + "QuantitativeIndicator": "indicator",
    PT_NS + "Target": "target",
    PT_NS + "Observation": "observation",
    PT_NS + "EvaluationItem": "item",
    PT_NS + "SelfEvaluation": "evaluation",
    PT_NS + "MinisterialEvaluation": "evaluation",
    PT_NS + "OverallEvaluation": "overall",
    PT_NS + "StaffCount": "staff",
}
"""The kind of a node, by its class (the trace's levels, in the order of :data:`KINDS`)."""

KINDS = ("statute", "provision", "document", "goal", "plan", "annual", "indicator", "target",
         "observation", "item", "evaluation", "overall", "staff")  # fmt: skip

_PRED = {
    "implements": PT_NS + "implements",
    "measures": PT_NS + "measures",
    "indicator": PT_NS + "indicator",
    "item": PT_NS + "item",
    "evaluates": PT_NS + "evaluates",
    "partOf": PT_NS + "partOf",
}


@dataclass(frozen=True)
class NodeInfo:
    """What the analyses know of a node: its kind, item code, fiscal year and a label."""

    iri: str
    kind: str
    code: str | None = None
    year: int | None = None
    label: str | None = None
    quantitative: bool = False
    by: str | None = None  # "self" or "ministerial" for an evaluation


@dataclass(frozen=True)
class Ratio:
    """``covered`` of ``total``; ``share`` is None when there is nothing to cover."""

    covered: int
    total: int

    @property
    def share(self) -> float | None:
        return self.covered / self.total if self.total else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.covered + other.covered, self.total + other.total)


@dataclass(frozen=True)
class Coverage:
    """How complete one item's trace is in one fiscal year (see the module doc)."""

    item: str
    code: str
    year: int
    goal_plan: Ratio
    plan_annual: Ratio
    annual_indicator: Ratio
    indicator_observation: Ratio
    self_graded: bool
    ministerial_graded: bool


@dataclass(frozen=True)
class YearCoverage:
    """Coverage of every item in one fiscal year, added up."""

    year: int
    goal_plan: Ratio
    plan_annual: Ratio
    annual_indicator: Ratio
    indicator_observation: Ratio
    items_self_graded: Ratio
    items_ministerial_graded: Ratio


@dataclass(frozen=True)
class Gap:
    """An orphan or dead-end node and what it lacks."""

    node: NodeInfo
    missing: str  # "goal", "plan", … the kind of node it has no link to


@dataclass(frozen=True)
class Step:
    """One node of a path, with the link that led to it from the previous node."""

    node: NodeInfo
    predicates: tuple[str, ...] = ()  # empty for the first node


@dataclass
class TraceGraph:
    """The trace as a networkx directed graph (edge ``a → b``: b rests on a)."""

    graph: nx.DiGraph = field(default_factory=_digraph)

    # --- building --------------------------------------------------------------------------

    @classmethod
    def from_rows(cls, nodes: Iterable[Row], links: Iterable[Row]) -> TraceGraph:
        """From rows shaped like :func:`kg.queries.trace_nodes` (``node``, ``type``, ``code``,
        ``year``, ``label``, ``lang``) and :func:`kg.queries.dependency_links` (``node``,
        ``predicate``, ``on``)."""
        infos: dict[str, dict[str, object]] = {}
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in nodes:
            iri = str(row["node"])
            info = infos.setdefault(iri, {"types": set(), "code": None, "year": None})
            types = info["types"]
            assert isinstance(types, set)
            types.add(str(row["type"]))
            # where a node has several, the least code and year and the shortest label of a
            # language: the same whatever order a store returns its rows in
            if row.get("code") is not None:
                info["code"] = min(str(row["code"]), str(info["code"] or row["code"]))
            year = row.get("year")
            if isinstance(year, int) and not isinstance(year, bool):
                info["year"] = min(year, info["year"] if isinstance(info["year"], int) else year)
            if row.get("label") is not None:
                lang, label = str(row.get("lang") or ""), str(row["label"])
                seen = labels[iri].get(lang)
                if seen is None or (len(label), label) < (len(seen), seen):
                    labels[iri][lang] = label
        out = cls()
        for iri, info in infos.items():
            types = info["types"]
            assert isinstance(types, set)
            out.add_node(_node_info(iri, types, info["code"], info["year"], labels.get(iri, {})))
        for row in links:
            out.add_link(str(row["on"]), str(row["predicate"]), str(row["node"]))
        out.link_grades()
        return out

    def add_node(self, info: NodeInfo) -> None:
        self.graph.add_node(info.iri, info=info)

    def add_link(self, on: str, predicate: str, dependent: str) -> None:
        """``dependent`` depends on ``on`` through ``predicate`` (as in the data)."""
        for node in (on, dependent):
            if node not in self.graph:
                self.graph.add_node(node, info=NodeInfo(node, "other"))
        self._edge(on, dependent, predicate)

    def link_grades(self) -> None:
        """Add the ``graded`` edges (see the module doc) once nodes and links are in."""
        evaluations: dict[str, list[NodeInfo]] = defaultdict(list)
        for info in self.nodes("evaluation"):
            if info.code:
                evaluations[info.code].append(info)
        for kind in _GRADED_KINDS:
            for info in self.nodes(kind):
                for e in evaluations.get(info.code or "", []):
                    if info.year is None or info.year == e.year:
                        self._edge(info.iri, e.iri, GRADED)

    def _edge(self, a: str, b: str, predicate: str) -> None:
        if self.graph.has_edge(a, b):
            preds: set[str] = self.graph.edges[a, b]["predicates"]
            preds.add(predicate)
        else:
            self.graph.add_edge(a, b, predicates={predicate})

    # --- reading ---------------------------------------------------------------------------

    def info(self, node: str) -> NodeInfo:
        found: NodeInfo = self.graph.nodes[node]["info"]
        return found

    def kind(self, node: str) -> str:
        return self.info(node).kind if node in self.graph else "other"

    def nodes(self, kind: str | None = None, code: str | None = None) -> list[NodeInfo]:
        """Nodes of ``kind`` (and item ``code``), sorted by IRI."""
        found = [
            self.info(n)
            for n in self.graph.nodes
            if (kind is None or self.kind(n) == kind)
            and (code is None or self.info(n).code == code)
        ]
        return sorted(found, key=lambda i: i.iri)

    def _linked(self, node: str, predicate: str, kind: str, *, down: bool) -> list[str]:
        """Nodes of ``kind`` linked to ``node`` by ``predicate``: below it (``down``: they rest
        on it) or above it (it rests on them)."""
        edges = self.graph.out_edges(node, data="predicates") if down else \
            self.graph.in_edges(node, data="predicates")  # fmt: skip
        out = []
        for a, b, preds in edges:
            other = b if down else a
            if predicate in preds and self.kind(other) == kind:
                out.append(other)
        return out

    def below(self, node: str, predicate: str, kind: str) -> list[str]:
        return self._linked(node, _PRED.get(predicate, predicate), kind, down=True)

    def above(self, node: str, predicate: str, kind: str) -> list[str]:
        return self._linked(node, _PRED.get(predicate, predicate), kind, down=False)

    def dependents(self, nodes: list[str]) -> Iterator[tuple[str, str, str]]:
        """Every link by which a node rests directly on one of ``nodes`` (a step of
        :func:`reach`): ``(dependent, predicate, node)``."""
        for node in nodes:
            for _, child, predicates in self.graph.out_edges(node, data="predicates"):
                for predicate in sorted(predicates):
                    yield child, predicate, node

    def years(self) -> list[int]:
        """The fiscal years of annual plan clauses, actual values and grades."""
        return sorted(
            {
                i.year
                for i in (self.info(n) for n in self.graph.nodes)
                if i.year is not None and i.kind in ("annual", "observation", "evaluation")
            }
        )


def _node_info(
    iri: str, types: set[str], code: object, year: object, labels: dict[str, str]
) -> NodeInfo:
    kinds = [KIND_OF_CLASS[t] for t in types if t in KIND_OF_CLASS]
    kind = min(kinds, key=KINDS.index) if kinds else "other"
    by = None
    if PT_NS + "SelfEvaluation" in types:
        by = "self"
    elif PT_NS + "MinisterialEvaluation" in types:
        by = "ministerial"
    label = labels.get("ja") or labels.get("") or labels.get("en") or next(
        iter(labels.values()), None
    )
    return NodeInfo(
        iri=iri,
        kind=kind,
        code=code if isinstance(code, str) else None,
        year=year if isinstance(year, int) else None,
        label=label,
        quantitative=PT_NS + "QuantitativeIndicator" in types,
        by=by,
    )


def fetch(run: QueryFn, body: str | None = None) -> TraceGraph:
    """The trace graph of the data ``run`` queries: of every body's nodes, or of publisher
    ``body``'s nodes and the statutes and provisions (:func:`kg.queries.trace_nodes`). Item
    codes repeat across bodies and the graded edges join nodes by code, so an analysis of
    one body must not see another's nodes; and a body's graph is built in a fraction of a
    second whatever the number of bodies. (Links of nodes outside the trace's classes, such as
    a committee's opinion on a document, are left out of a body's graph.)"""
    if body is None:
        return TraceGraph.from_rows(q.trace_nodes(run), q.dependency_links(run))
    nodes = q.trace_nodes(run, body)
    return TraceGraph.from_rows(nodes, q.dependency_links(run, {str(r["node"]) for r in nodes}))


# --- coverage ----------------------------------------------------------------------------------


def coverage(
    tg: TraceGraph, codes: Sequence[str] | None = None, years: Sequence[int] | None = None
) -> list[Coverage]:
    """Coverage of each item (``codes``, default all) in each year (default :meth:`years`),
    in item then year order."""
    wanted_years = list(years) if years is not None else tg.years()
    items = [i for i in tg.nodes("item") if i.code and (codes is None or i.code in codes)]
    out = []
    for item in items:
        code = item.code or ""
        goals = [n.iri for n in tg.nodes("goal", code)]
        plans = [n.iri for n in tg.nodes("plan", code)]
        annuals = tg.nodes("annual", code)
        quantitative = [n.iri for n in tg.nodes("indicator", code) if n.quantitative]
        goal_plan = Ratio(sum(1 for g in goals if tg.below(g, "implements", "plan")), len(goals))
        evaluations = [tg.info(e) for e in tg.below(item.iri, "evaluates", "evaluation")]
        for year in wanted_years:
            of_year = [a.iri for a in annuals if a.year == year]
            plan_annual = sum(
                1
                for p in plans
                if any(tg.info(a).year == year for a in tg.below(p, "implements", "annual"))
            )
            measured = sum(1 for a in of_year if tg.below(a, "measures", "indicator"))
            observed = sum(
                1
                for i in quantitative
                if any(tg.info(o).year == year for o in tg.below(i, "indicator", "observation"))
            )
            out.append(
                Coverage(
                    item=item.iri,
                    code=code,
                    year=year,
                    goal_plan=goal_plan,
                    plan_annual=Ratio(plan_annual, len(plans)),
                    annual_indicator=Ratio(measured, len(of_year)),
                    indicator_observation=Ratio(observed, len(quantitative)),
                    self_graded=any(e.year == year and e.by == "self" for e in evaluations),
                    ministerial_graded=any(
                        e.year == year and e.by == "ministerial" for e in evaluations
                    ),
                )
            )
    return out


def year_totals(rows: Sequence[Coverage]) -> list[YearCoverage]:
    """The coverage rows of each year added up over the items."""
    by_year: dict[int, list[Coverage]] = defaultdict(list)
    for row in rows:
        by_year[row.year].append(row)
    out = []
    zero = Ratio(0, 0)
    for year, group in sorted(by_year.items()):
        out.append(
            YearCoverage(
                year=year,
                goal_plan=sum((r.goal_plan for r in group), zero),
                plan_annual=sum((r.plan_annual for r in group), zero),
                annual_indicator=sum((r.annual_indicator for r in group), zero),
                indicator_observation=sum((r.indicator_observation for r in group), zero),
                items_self_graded=Ratio(sum(r.self_graded for r in group), len(group)),
                items_ministerial_graded=Ratio(
                    sum(r.ministerial_graded for r in group), len(group)
                ),
            )
        )
    return out


# --- gaps --------------------------------------------------------------------------------------

_UP: dict[str, tuple[str, str]] = {
    "goal": ("partOf", "document"),
    "plan": ("implements", "goal"),
    "annual": ("implements", "plan"),
    "indicator": ("measures", ""),  # any clause
    "observation": ("indicator", "indicator"),
    "evaluation": ("evaluates", "item"),
}
"""Kind → the link one level up that a node of that kind should have (predicate, kind)."""

_DOWN: dict[str, tuple[str, str]] = {
    "goal": ("implements", "plan"),
    "plan": ("implements", "annual"),
    "annual": ("measures", "indicator"),
    "indicator": ("indicator", "observation"),  # quantitative ones only
    "item": ("evaluates", "evaluation"),
}
"""Kind → the link one level down a node of that kind should have (predicate, kind)."""

_CLAUSES = ("goal", "plan", "annual")


def orphans(tg: TraceGraph) -> list[Gap]:
    """Trace nodes without their link one level up (see the module doc)."""
    out = []
    for kind, (predicate, up_kind) in _UP.items():
        for node in tg.nodes(kind):
            kinds = _CLAUSES if kind == "indicator" else (up_kind,)
            if not any(tg.above(node.iri, predicate, k) for k in kinds):
                out.append(Gap(node, "clause" if kind == "indicator" else up_kind))
    return _sorted(out)


def dead_ends(tg: TraceGraph) -> list[Gap]:
    """Trace nodes with nothing one level down (see the module doc)."""
    out = []
    for kind, (predicate, down_kind) in _DOWN.items():
        for node in tg.nodes(kind):
            if kind == "indicator" and not node.quantitative:
                continue
            if not tg.below(node.iri, predicate, down_kind):
                out.append(Gap(node, down_kind))
    return _sorted(out)


def _sorted(gaps: list[Gap]) -> list[Gap]:
    return sorted(gaps, key=lambda g: (KINDS.index(g.node.kind), g.node.code or "",
                                       g.node.year or 0, g.node.iri))  # fmt: skip


# --- impact and paths --------------------------------------------------------------------------


@dataclass
class Reach:
    """What a breadth-first walk down the dependency links from a node reached."""

    depth: dict[str, int]
    """Each node reached (the start at 0) and the length of its shortest chain from the start."""
    links: dict[str, set[tuple[str, str]]]
    """Each node reached and the links of its shortest chains: (the node it rests on, predicate)."""
    truncated: bool = False
    """The walk stopped at its limit: there is more."""


Dependents = Callable[[list[str]], Iterable[tuple[str, str, str]]]
"""One step of a walk: for the nodes of a level, every ``(dependent, predicate, on)`` link by
which a node rests directly on one of them."""


def reach(start: str, dependents: Dependents, limit: int | None = None) -> Reach:
    """Everything that rests on ``start``, level by level: the one impact analysis, walked over
    the trace graph (:func:`impact_set`) or over the store, one query per level (the JSON API's
    ``/api/impact``). Stops, ``truncated``, once more than ``limit`` nodes are reached."""
    out = Reach({start: 0}, defaultdict(set))
    frontier = [start]
    level = 0
    while frontier and not out.truncated:
        level += 1
        found = []
        for child, predicate, on in dependents(frontier):
            if out.depth.get(child, level) < level:
                continue  # reached by a shorter chain
            out.links[child].add((on, predicate))
            if child not in out.depth:
                if limit is not None and len(out.depth) > limit:
                    out.truncated = True
                    break
                out.depth[child] = level
                found.append(child)
        frontier = found
    return out


def impact_set(tg: TraceGraph, node: str) -> list[NodeInfo]:
    """Every node that rests on ``node``, directly or through others (empty if unknown)."""
    if node not in tg.graph:
        return []
    walk = reach(node, tg.dependents)
    found = [tg.info(n) for n in walk.depth if n != node]
    return sorted(found, key=lambda i: (KINDS.index(i.kind) if i.kind in KINDS else 99,
                                        i.code or "", i.year or 0, i.iri))  # fmt: skip


def counts(nodes: Iterable[NodeInfo]) -> dict[str, int]:
    """How many nodes of each kind, in :data:`KINDS` order."""
    found: dict[str, int] = defaultdict(int)
    for n in nodes:
        found[n.kind] += 1
    return {k: found[k] for k in (*KINDS, "other") if found.get(k)}


def shortest_path(
    tg: TraceGraph,
    source: str,
    target: str | None = None,
    *,
    kind: str = "evaluation",
    code: str | None = None,
) -> list[Step] | None:
    """The shortest chain of links from ``source`` down to ``target`` — or, without a target,
    to the nearest node of ``kind`` (of item ``code``; ties: the latest year, then the IRI).
    None when there is no such chain."""
    if source not in tg.graph:
        return None
    if target is not None:
        if target not in tg.graph:
            return None
        if not _networkx().has_path(tg.graph, source, target):
            return None
        path = _first_path(tg, source, target)
    else:
        paths: dict[str, list[str]] = _networkx().single_source_shortest_path(tg.graph, source)
        candidates = [
            n
            for n in paths
            if n != source and tg.kind(n) == kind and (code is None or tg.info(n).code == code)
        ]
        if not candidates:
            return None
        best = min(candidates, key=lambda n: (len(paths[n]), -(tg.info(n).year or 0), n))
        path = _first_path(tg, source, best)
    steps = [Step(tg.info(path[0]))]
    for a, b in pairwise(path):
        steps.append(Step(tg.info(b), tuple(sorted(tg.graph.edges[a, b]["predicates"]))))
    return steps


PATHS_COMPARED = 1000
"""At most this many shortest paths are compared to pick the first (see :func:`_first_path`)."""


def _first_path(tg: TraceGraph, source: str, target: str) -> list[str]:
    """Of the shortest paths from ``source`` to ``target``, the first by its nodes' IRIs: the
    same answer whatever order the data came in."""
    found: list[list[str]] = list(
        islice(_networkx().all_shortest_paths(tg.graph, source, target), PATHS_COMPARED)
    )
    return min(found)
