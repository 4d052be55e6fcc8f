"""What each document changed (``/changes``, ``/api/changes``): the clauses and indicators it
revised, added and dropped, and the links below them that became suspect — the change log a
requirements tool keeps, read from the version facts of ``kg.versions`` (docs/architecture.md,
"Versions").
"""

from __future__ import annotations

from collections import defaultdict

from api.jobs import job
from api.views import models as m
from api.views.histories import LEVELS, document_refs, suspect_link
from api.views.links import href, item_url
from api.views.publishers import require_body
from api.views.rows import all_values, as_int, as_str, column
from api.views.textdiff import text_diff
from kg import queries as q
from kg.queries import QueryFn, Row


def _node(iri: str, rows: list[Row], body: str | None) -> m.ChangedNode:
    code = str(rows[0]["code"])
    text = as_str(column(rows, "text")) or as_str(column(rows, "label"))
    was = all_values(rows, "was")
    was_text = as_str(column(rows, "wasText")) or as_str(column(rows, "wasLabel"))
    return m.ChangedNode(
        iri=iri,
        href=href(iri),
        level=LEVELS[str(rows[0]["class"])],  # type: ignore[arg-type]
        code=code,
        item_href=item_url(code, body),
        text=text,
        year=as_int(column(rows, "year")),
        revision_of=was,
        diff=text_diff(was_text, text or "") if len(was) == 1 and was_text is not None else None,
    )


@job
def changes(run: QueryFn, body: str | None = None) -> m.ChangesResponse:
    """Per document that changed anything (of publisher ``body``), newest first: what it
    revised, added and dropped, and the suspect links its revisions left; :class:`NotFound`
    for an unknown ``body``."""
    if body is not None:
        require_body(run, body)
    by_document: dict[str, dict[str, dict[str, list[Row]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for r in q.document_changes(run, body):
        by_document[str(r["document"])][str(r["change"])][str(r["node"])].append(r)
    codes = q.item_codes(run, body) if body is not None else None
    suspects = q.suspect_links(run, codes, body)
    iris = set(by_document) | {str(r["newDocument"]) for r in suspects if r["newDocument"]}
    documents = document_refs(run, iris)

    def nodes(iri: str, change: str) -> list[m.ChangedNode]:
        found = [_node(n, rows, body) for n, rows in by_document[iri][change].items()]
        return sorted(found, key=lambda c: (c.code, c.level, c.year or 0, c.iri))

    out = []
    for iri in iris:
        links = [suspect_link(r, documents) for r in suspects if str(r["newDocument"]) == iri]
        out.append(
            m.DocumentChanges(
                document=documents.get(iri) or m.DocumentRef(iri=iri, href=href(iri)),
                revised=nodes(iri, "revised"),
                added=nodes(iri, "added"),
                dropped=nodes(iri, "dropped"),
                suspect_links=sorted(links, key=lambda s: (s.lower, s.link, s.new)),
            )
        )
    out.sort(key=lambda d: (d.document.issued or "", d.document.iri), reverse=True)
    return m.ChangesResponse(documents=out)
