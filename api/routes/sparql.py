"""``/sparql``: the SPARQL 1.1 Protocol, query operation only.

Requests: ``GET ?query=…``, ``POST`` with ``application/x-www-form-urlencoded`` (``query=…``) or
with ``application/sparql-query`` (the query is the body), each with optional
``default-graph-uri`` / ``named-graph-uri`` (a protocol dataset replaces the query's ``FROM``)
and ``format=`` (a short name or media type, overriding ``Accept``). ``GET`` without a query
answers with the service description (HTML for a browser: a query form).

Refusals, all before anything runs: every update (``update=``, ``application/sparql-update``,
``using-graph-uri``, an update sent as ``query=``) → 403; ``SERVICE``, ``LOAD``, ``FROM`` of a
graph the store does not hold → 403; a malformed query → 400 with the parser's message; two
queries, a missing or wrong ``Content-Type``, a charset other than UTF-8 → 400/415; a body or
query string over ``PLANTRACE_MAX_BODY`` → 413/414. A query past ``PLANTRACE_QUERY_TIMEOUT`` is
killed → 503. Answers over ``PLANTRACE_ROW_LIMIT`` rows are cut: ``X-Plantrace-Truncated: true``.
"""

from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request, Response

from api.deps import get_settings, run
from api.routes.params import iri_or_refuse
from api.views import formats
from api.web import html
from api.workers.engine_jobs import SparqlRequest, service_description, sparql
from api.workers.guard import READ_ONLY
from api.workers.http_errors import QueryError

router = APIRouter(tags=["SPARQL"])

PATH = "/sparql"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
UPDATE_PARAMS = {"update", "using-graph-uri", "using-named-graph-uri"}

EXAMPLE = """PREFIX pt: <https://w3id.org/plantrace/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?code ?year ?grade WHERE {
  ?e a pt:MinisterialEvaluation ; pt:evaluates/pt:code ?code ;
     pt:fiscalYear/pt:year ?year ; pt:grade/skos:notation ?grade .
} ORDER BY ?code ?year"""

_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "query results (SELECT/ASK) or RDF (CONSTRUCT/DESCRIBE), by Accept",
        "content": {t: {} for t in [*formats.TABULAR, *formats.GRAPH]},
        "headers": {
            "X-Plantrace-Truncated": {"description": "true if the answer was cut at the row limit"},
            "X-Plantrace-Row-Limit": {"description": "the row limit"},
        },
    },
    400: {"description": "malformed query or request (text/plain message)"},
    403: {"description": "refused: update, SERVICE, LOAD or FROM of a graph not in the store"},
    406: {"description": "no acceptable result format"},
    413: {"description": "request body larger than the limit"},
    415: {"description": "unsupported Content-Type or charset"},
    503: {"description": "the query was stopped at the time limit"},
}


def _content_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type", "")
    fields = [f.strip() for f in raw.split(";")]
    charset = None
    for f in fields[1:]:
        name, _, value = f.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return fields[0].lower(), charset


def _utf8(charset: str | None) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise QueryError(415, f"expected a UTF-8 request body, got charset={charset}")


def _iris(values: list[str], name: str) -> tuple[str, ...]:
    return tuple(iri_or_refuse(v, 400, f"{name}: expected an absolute IRI, got {v!r}")
                 for v in values)  # fmt: skip


async def _params(request: Request) -> tuple[list[tuple[str, str]], str | None]:
    """All protocol parameters (query string and form body) and a directly posted query."""
    settings = get_settings(request)
    if len(request.url.query) > settings.max_body:
        raise QueryError(414, f"the query string is longer than {settings.max_body} bytes")
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params, None
    media, charset = _content_type(request)
    body = await request.body()
    if media == UPDATE:
        raise QueryError(403, READ_ONLY)
    if media == FORM:
        _utf8(charset)
        try:
            text = body.decode("utf-8")
            params += parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise QueryError(400, "expected a UTF-8 form body") from None
        return params, None
    if media == DIRECT:
        _utf8(charset)
        try:
            return params, body.decode("utf-8")
        except UnicodeDecodeError:
            raise QueryError(400, "expected the query as UTF-8 text") from None
    raise QueryError(
        415,
        f"expected Content-Type {FORM} or {DIRECT} (got {media or 'none'}); "
        f"{UPDATE} is refused: this endpoint is read-only",
    )


async def _sparql(request: Request) -> Response:
    params, direct = await _params(request)
    names = {k for k, _ in params}
    if names & UPDATE_PARAMS:
        raise QueryError(403, READ_ONLY)
    queries = [v for k, v in params if k == "query"]
    if direct is not None:
        if queries:
            raise QueryError(400, "expected the query either in the body or as query=, not both")
        queries = [direct]
    if len(queries) > 1:
        raise QueryError(400, f"expected one query, got {len(queries)}")
    fmt = next((v for k, v in reversed(params) if k == "format"), None)
    endpoint = f"{request.base_url}{PATH.lstrip('/')}"  # (url_for costs 0.1 ms a request)
    if not queries:
        if request.method == "POST":
            raise QueryError(400, "expected a query (query=…)")
        return await _service_description(request, fmt, endpoint)
    if not queries[0].strip():
        raise QueryError(400, "expected a query, got an empty text")
    # the request's log line names the query by its hash (api.middleware.request_log)
    request.state.query_sha256 = hashlib.sha256(queries[0].encode()).hexdigest()[:16]
    settings = get_settings(request)
    asked = SparqlRequest(
        query=queries[0],
        default_graphs=_iris(
            [v for k, v in params if k == "default-graph-uri"], "default-graph-uri"
        ),
        named_graphs=_iris([v for k, v in params if k == "named-graph-uri"], "named-graph-uri"),
        accept=request.headers.get("accept"),
        format=fmt,
        base_iri=endpoint,
        row_limit=settings.row_limit,
    )
    answer = await run(request, sparql, asked)
    request.state.query_form = answer.form
    headers = {
        "X-Plantrace-Truncated": "true" if answer.truncated else "false",
        "X-Plantrace-Row-Limit": str(settings.row_limit),
        "Vary": "Accept",
    }
    return Response(
        answer.body, media_type=formats.media_type_header(answer.media), headers=headers
    )


async def _service_description(request: Request, fmt: str | None, endpoint: str) -> Response:
    offers = [formats.TURTLE, formats.HTML, *formats.GRAPH[1:]]
    media = formats.choose(request.headers.get("accept"), fmt, offers, rdf=True)
    if media == formats.HTML:
        return html.render(request, "sparql.html", example=EXAMPLE, endpoint=endpoint)
    body = await run(request, service_description, endpoint=endpoint, media=media)
    return Response(body, media_type=formats.media_type_header(media), headers={"Vary": "Accept"})


@router.get(PATH, name="sparql_get", responses=_RESPONSES)
async def sparql_get(
    request: Request,
    query: Annotated[
        str | None, Query(description="the SPARQL query; without it: the service description")
    ] = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
    format: Annotated[
        str | None,
        Query(
            description="json, xml, csv, tsv, turtle, ntriples, rdfxml, jsonld (or a media "
            "type): overrides Accept"
        ),
    ] = None,
) -> Response:
    """Run a SPARQL 1.1 query (read-only), or describe the service."""
    return await _sparql(request)


@router.post(
    PATH,
    name="sparql_post",
    responses=_RESPONSES,
    openapi_extra={
        "requestBody": {
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["query"],
                    }
                },
                DIRECT: {"schema": {"type": "string"}},
            }
        }
    },
)
async def sparql_post(request: Request) -> Response:
    """Run a SPARQL 1.1 query sent as a form or directly (read-only)."""
    return await _sparql(request)
