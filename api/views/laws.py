"""The statutes the plans rest on, and what depends on a provision (``/api/statutes``,
``/api/impact``).

The impact of a provision is walked over the store, one query per level
(:func:`kg.queries.dependents`), by the one impact analysis of :func:`kg.analysis.reach`: on
data of many bodies that reads only what depends on the provision, where the trace graph of
the pages (:func:`kg.analysis.fetch`) would read every body's trace first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from api.jobs import job
from api.views import models as m
from api.views.links import PT_NS, href, prefixed
from api.views.rows import all_values, as_int, as_str, code_key, column, grouped
from kg import analysis as a
from kg import queries as q
from kg.errors import Invalid, NotFound
from kg.queries import QueryFn


@job
def statutes(run: QueryFn) -> m.StatutesResponse:
    """Every statute with its articles (and their paragraphs)."""
    statute_rows = grouped(q.statutes(run), "statute")
    provision_rows = grouped(q.provisions(run), "provision")
    children: dict[str, list[str]] = defaultdict(list)
    for iri, rows in provision_rows.items():
        for parent in all_values(rows, "partOf"):
            children[parent].append(iri)

    def provision(iri: str) -> m.Provision:
        rows = provision_rows[iri]
        return m.Provision(
            iri=iri,
            href=href(iri),
            article_label=as_str(column(rows, "articleLabel")),
            caption=as_str(column(rows, "caption")),
            text=as_str(column(rows, "text")),
            paragraphs=[provision(c) for c in sorted(children.get(iri, []), key=_article_key)],
        )

    out = []
    for iri, rows in statute_rows.items():
        out.append(
            m.Statute(
                iri=iri,
                href=href(iri),
                title=as_str(column(rows, "title") or column(rows, "label")),
                short_name=as_str(column(rows, "shortName")),
                law_number=as_str(column(rows, "lawNumber")),
                egov_law_id=as_str(column(rows, "egovLawId")),
                provisions=[
                    provision(c)
                    for c in sorted(children.get(iri, []), key=_article_key)
                    if c in provision_rows
                ],
            )
        )
    return m.StatutesResponse(statutes=sorted(out, key=lambda s: (s.title or "", s.iri)))


def _article_key(iri: str) -> tuple[tuple[int, ...], str]:
    """Provisions in article order: ``art16-2`` after ``art16``, paragraphs by number."""
    tail = iri.rsplit("/", 1)[-1]
    return (tuple(int(n) for n in re.findall(r"\d+", tail)), iri)


IMPACT_LIMIT = 5000
"""The most dependents an impact analysis collects before it stops (and says so)."""


@job
def impact(run: QueryFn, node: str, limit: int = IMPACT_LIMIT) -> m.Impact:
    """Everything that depends on ``node`` (a provision or statute), breadth first.

    ``depth`` is the length of the shortest chain of dependencies back to ``node``.
    """
    summary = _summaries(run, [node])
    if node not in summary:
        raise NotFound(f"{node} is not in the data")
    types = summary[node]["types"]
    if not {PT_NS + "Provision", PT_NS + "Statute"} & set(types):
        raise Invalid(f"{node} is not a pt:Provision or pt:Statute")

    def level(frontier: list[str]) -> list[tuple[str, str, str]]:
        rows = q.dependents(run, frontier)
        return [(str(r["node"]), str(r["predicate"]), str(r["on"])) for r in rows]

    walk = a.reach(node, level, limit)
    dependents_ = [n for n in walk.depth if n != node]
    info = _summaries(run, dependents_)
    out = []
    for child in dependents_:
        s = info.get(child, {"types": [], "label": None, "code": None, "year": None})
        links = sorted((on, prefixed(p)) for on, p in walk.links[child])
        out.append(
            m.Dependent(
                iri=child,
                href=href(child),
                types=[prefixed(t) for t in s["types"]],
                label=s["label"],
                item_code=s["code"],
                year=s["year"],
                depth=walk.depth[child],
                depends_on=[on for on, _ in links],
                via=[p for _, p in links],
            )
        )
    out.sort(key=lambda d: (d.depth, d.types, code_key(d.item_code or ""), d.year or 0, d.iri))
    counts: dict[str, int] = defaultdict(int)
    for d in out:
        for t in d.types:
            counts[t] += 1
    return m.Impact(
        iri=node,
        href=href(node),
        types=[prefixed(t) for t in types],
        label=summary[node]["label"],
        dependents=out,
        counts=dict(sorted(counts.items())),
        truncated=walk.truncated,
    )


def _summaries(run: QueryFn, nodes: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    chunk = 400
    for start in range(0, len(nodes), chunk):
        for node, rows in grouped(
            q.node_summaries(run, nodes[start : start + chunk]), "node"
        ).items():
            if all(r["type"] is None and r["label"] is None for r in rows) and not _exists(
                run, node
            ):
                continue
            out[node] = {
                "types": all_values(rows, "type"),
                "label": as_str(column(rows, "label")),
                "code": as_str(column(rows, "code")),
                "year": as_int(column(rows, "year")),
            }
    return out


def _exists(run: QueryFn, node: str) -> bool:
    return q.exists(run, node)
