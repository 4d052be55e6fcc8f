"""``/docs`` works offline (every asset from this server) and the OpenAPI schema is precise."""

from __future__ import annotations

import re

import httpx
import pytest
from servers import Server


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    return server.client()


def test_docs_page_loads_only_local_assets(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", page.text)
    assert urls
    assert not [u for u in urls if re.match(r"(https?:)?//", u)], urls
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200 and r.content, url
    assert "SwaggerUIBundle" in client.get("/static/swagger/swagger-ui-bundle.js").text


def test_openapi_schema_is_precise(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/items", "/api/items/{code}", "/api/evaluations/{year}", "/api/differences",
                 "/api/search", "/api/statutes", "/api/impact", "/sparql", "/id/{path}",
                 "/downloads/trace.csv"):  # fmt: skip
        assert path in paths, path
    ok = paths["/api/items/{code}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/Trace")
    components = schema["components"]["schemas"]
    trace = components["Trace"]["properties"]
    assert {"item", "goal_clauses", "plan_clauses", "years", "indicators"} <= set(trace)
    evaluation = components["Evaluation"]["properties"]
    assert evaluation["by"]["enum"] == ["self", "ministerial"]
    assert "sources" in evaluation and "SourceSpan" in str(evaluation["sources"])
    changes = paths["/api/changes"]["get"]["responses"]["200"]["content"]["application/json"]
    assert changes["schema"]["$ref"].endswith("/ChangesResponse")
    for model in ("Version", "ChangedNode"):  # the character diff the item page shows
        assert "TextDiff" in str(components[model]["properties"]["diff"]), model
    segment = components["TextSegment"]["properties"]
    assert segment["op"]["enum"] == ["equal", "delete", "insert"]
    assert segment["op"]["description"] and components["TextDiff"]["description"]
