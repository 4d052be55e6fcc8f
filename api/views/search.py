"""Search over clause texts and indicator labels (``/api/search``, the query page).

Matching ignores width, case and white space (:mod:`api.views.matching`); texts are shown as
published. The store returns only texts that can match (a ``FILTER`` of ``CONTAINS``), and
each is scored here.
"""

from __future__ import annotations

from api.jobs import job
from api.views import models as m
from api.views.links import PT_NS, href
from api.views.matching import normalized, prefilter, search_terms
from api.views.publishers import require_body
from api.views.rows import as_int, as_str
from api.views.spans import Sources
from kg import queries as q
from kg.queries import QueryFn, Row

SNIPPET_BEFORE = 20


SNIPPET_AFTER = 60


def _score(text: str, terms: list[str]) -> tuple[float, str] | None:
    """Score of ``text`` for ``terms`` (None unless every term occurs) and its snippet.

    The score favours texts where the terms make up more of the text (a short clause about the
    subject beats a long one that mentions it) and where they occur early.
    """
    norm, where = normalized(text)
    if not norm:
        return None
    covered = 0
    first = len(norm)
    for term in terms:
        count = norm.count(term)
        if count == 0:
            return None
        covered += count * len(term)
        first = min(first, norm.find(term))
    coverage = min(covered / len(norm), 1.0)
    earliness = 1.0 / (1.0 + first / 20.0)
    score = round(10.0 * coverage + earliness, 4)
    start = where[first]
    lo, hi = max(0, start - SNIPPET_BEFORE), min(len(text), start + SNIPPET_AFTER)
    snippet = (
        ("…" if lo > 0 else "") + " ".join(text[lo:hi].split()) + ("…" if hi < len(text) else "")
    )
    return score, snippet


KINDS = {**q.CLAUSE_LEVELS, PT_NS + "Indicator": "indicator"}


@job
def search(run: QueryFn, query: str, limit: int, body: str | None = None) -> m.SearchResponse:
    """Clause texts and indicator labels (of publisher ``body``, by default every publisher's)
    containing every term of ``query``, best first.

    Matching ignores width, case and white space (NFKC); texts are shown as published.
    """
    terms = search_terms(query)
    best: dict[str, tuple[float, str, Row]] = {}
    needed = prefilter(terms)
    if terms and needed is not None:
        for row in q.searchable_texts(run, body, containing=needed):
            scored = _score(str(row["text"]), terms)
            if scored is None:
                continue
            node = str(row["node"])
            if node not in best or scored[0] > best[node][0]:
                best[node] = (scored[0], scored[1], row)
    if body is not None and not best:
        require_body(run, body)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], len(str(kv[1][2]["text"])), kv[0]))
    top = ranked[:limit]
    sources = Sources(run, [node for node, _ in top])
    hits = [
        m.SearchHit(
            iri=node,
            href=href(node),
            kind=KINDS[str(row["class"])],  # type: ignore[arg-type]
            item_code=as_str(row["code"]),
            year=as_int(row["year"]),
            text=str(row["text"]),
            snippet=snippet,
            score=score,
            sources=sources(node),
        )
        for node, (score, snippet, row) in top
    ]
    return m.SearchResponse(query=query, total=len(ranked), hits=hits)
