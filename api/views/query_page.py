"""What the query page (``/query``) shows: example SPARQL filled with an item and an article of
the data, and search hits.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.jobs import long_job
from api.views import models as m
from api.views import search as text_search
from api.views.links import LAW
from api.views.rows import code_key
from kg import queries as q
from kg.queries import QueryFn


@dataclass(frozen=True)
class QueryPage:
    examples: dict[str, str]
    search: m.SearchResponse | None


@long_job
def query_page(run: QueryFn, text: str | None = None, limit: int = 30) -> QueryPage:
    """Example queries (filled with an item and an article of the data) and search hits."""
    basis = sorted(q.legal_basis(run), key=lambda r: (code_key(str(r["code"])),
                                                      str(r["provision"])))  # fmt: skip
    items = sorted((str(r["code"]) for r in q.items(run)), key=code_key)
    code = items[0] if items else "I-1"
    article = str(basis[0]["provision"]) if basis else f"{LAW}example"
    return QueryPage(
        examples(code, article), text_search.search(run, text, limit) if text else None
    )


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
