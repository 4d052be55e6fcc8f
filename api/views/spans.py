"""Where each fact was read: the source documents and the line spans of the nodes a view shows.

Every fact the JSON API or a page shows carries its ``sources`` (docs/architecture.md, "every
fact shown to a person links back to its source document and lines").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from api.views import models as m
from api.views.links import href
from api.views.rows import as_int, column, first, grouped
from kg import queries as q
from kg.queries import QueryFn


@dataclass(frozen=True)
class DocumentInfo:
    iri: str
    title: str | None
    file: str | None
    sha256: str | None


def documents(run: QueryFn, iris: Iterable[str] | None = None) -> dict[str, DocumentInfo]:
    """Source documents (those of ``iris``; default: all) by IRI; the Japanese title is
    preferred."""
    out = {}
    for doc, rows in grouped(q.documents(run, iris), "document").items():
        titles = {str(r["lang"]): str(r["title"]) for r in rows if r["title"] is not None}
        title = titles.get("ja") or titles.get("en") or first(titles.values())
        out[doc] = DocumentInfo(doc, title, column(rows, "file"), column(rows, "sha256"))
    return out


class Sources:
    """Source spans of many nodes, fetched with one query."""

    def __init__(self, run: QueryFn, nodes: Iterable[str]) -> None:
        rows = q.spans(run, nodes)
        docs = documents(run, {str(r["document"]) for r in rows})
        found: dict[str, dict[str, m.SourceSpan]] = defaultdict(dict)
        for row in rows:
            doc = docs.get(str(row["document"]))
            span = str(row["span"])
            found[str(row["node"])][span] = m.SourceSpan(
                iri=span,
                href=href(span),
                document=str(row["document"]),
                title=doc.title if doc else None,
                file=doc.file if doc else None,
                line_start=as_int(row["start"]),
                line_end=as_int(row["end"]),
            )
        self._spans = {
            node: sorted(spans.values(), key=lambda s: (s.document, s.line_start or 0, s.iri))
            for node, spans in found.items()
        }

    def __call__(self, node: str) -> list[m.SourceSpan]:
        return self._spans.get(node, [])
