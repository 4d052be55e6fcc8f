"""The pages in headless Chromium: they render without errors at 1280 and 390 px, draw their
graphs and charts, load nothing from other hosts, and run none of the markup in the data.

Screenshots of every page at both widths are kept in ``test-artifacts/pages/``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from browser_fixtures import WIDTHS, Visit, is_local
from servers import HOSTILE_CODE, HOSTILE_LAW, PWN, Server

from api.views.charts import number

Visits = Callable[[Server, str, int], Visit]


def real_pages(server: Server) -> list[str]:
    """The pages of the real data: each kind once (the first item's legal basis as article)."""
    with server.client() as c:
        trace = c.get("/api/items/I-1").json()
    article = trace["item"]["legal_basis"][0]["iri"].split("/law/", 1)[1]
    return ["/", "/items/I-1", "/statutes", f"/statutes/{article}", "/validation", "/changes",
            "/query", f"/query?q={quote('応答率')}", "/id/jlis/item/I-1",
            # last: the English pages (the language then sticks, by cookie)
            "/?lang=en", "/items/I-1?lang=en", "/changes?lang=en", "/id/jlis/item/I-2"]  # fmt: skip


HOSTILE_PAGES = [
    "/",
    f"/items/{quote(HOSTILE_CODE, safe='')}",
    "/statutes",
    f"/statutes/{HOSTILE_LAW.rsplit('/law/', 1)[1]}/art1",
    f"/statutes/{HOSTILE_LAW.rsplit('/law/', 1)[1]}",
    "/validation",
    "/query?q=window",
    "/id/test/x/item",
]


@pytest.fixture(scope="module")
def pages(server: Server) -> list[str]:
    return real_pages(server)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_renders_without_errors(
    server: Server, visits: Visits, pages: list[str], width: int
) -> None:
    english = False
    for path in pages:
        v = visits(server, path, width)
        english = english or "lang=en" in path
        assert v.status == 200, path
        assert v.console_errors == [] and v.page_errors == [], (path, v.console_errors,
                                                                v.page_errors)  # fmt: skip
        assert v.dialogs == [], path
        assert v.screenshot is not None and v.screenshot.stat().st_size > 5000
        # responsive: the page itself never scrolls sideways (wide tables scroll on their own)
        assert v.facts["scrollWidth"] <= width + 1, (path, v.facts["scrollWidth"])
        assert v.facts["lang"] == ("en" if english else "ja"), path


def test_no_page_violates_the_content_security_policy(
    server: Server, visits: Visits, pages: list[str]
) -> None:
    """Every page, and Swagger UI with its one inline script allowed by hash, runs under the
    service's Content-Security-Policy without a single violation (scripts from this server
    only, no inline script, no eval)."""
    for path in [*pages, "/sparql", "/downloads", "/ontology", "/docs"]:
        v = visits(server, path, 1280)
        assert v.status == 200, path
        assert v.facts["csp"] == [], (path, v.facts["csp"])
        assert not [e for e in v.console_errors if "Content Security Policy" in e], path


def test_no_request_leaves_127_0_0_1(server: Server, visits: Visits, pages: list[str]) -> None:
    every = [r for w in WIDTHS for p in pages for r in visits(server, p, w).requests]
    blocked = [r for w in WIDTHS for p in pages for r in visits(server, p, w).blocked]
    assert blocked == [] and all(is_local(r) for r in every)
    paths = {urlsplit(r).path for r in every}
    assert "/static/vis/vis-network.min.js" in paths and "/static/pages/graph.js" in paths


def test_trace_graph_is_drawn(server: Server, visits: Visits) -> None:
    for width in WIDTHS:
        canvases = visits(server, "/items/I-1", width).facts["canvases"]
        assert len(canvases) == 1 and canvases[0]["drawn"] == "true"
        assert canvases[0]["painted"] > 2000, canvases  # pixels the network painted


def test_impact_graph_is_drawn(server: Server, visits: Visits, pages: list[str]) -> None:
    article = next(p for p in pages if p.startswith("/statutes/"))
    canvases = visits(server, article, 1280).facts["canvases"]
    assert len(canvases) == 1 and canvases[0]["painted"] > 2000


def test_charts_show_target_and_every_observed_year(server: Server, visits: Visits) -> None:
    with server.client() as c:
        indicators = c.get("/api/items/I-1").json()["indicators"]
    charts = {ch["indicator"]: ch for ch in visits(server, "/items/I-1", 1280).facts["charts"]}
    expected = [i for i in indicators if i["quantitative"] and any(
        o["value"] is not None for o in i["observations"])]  # fmt: skip
    assert expected and set(charts) == {i["iri"] for i in expected}
    for i in expected:
        chart = charts[i["iri"]]
        observed = [o for o in i["observations"] if o["value"] is not None]
        assert {p["year"] for p in chart["points"]} == {o["year"] for o in observed}
        assert len(chart["points"]) == len(observed)  # one point per actual value
        titles = " ".join(p["title"] for p in chart["points"])
        for o in observed:
            assert number(Decimal(str(o["value"]))) in titles
        targets = [t for t in i["targets"] if t["value"] is not None]
        assert [t["value"] for t in chart["targets"]] == [
            number(Decimal(str(t["value"]))) for t in targets
        ]


def _node_point(page: Any, box: str, node_id: str) -> tuple[float, float]:
    """Where a graph node is on the screen."""
    page.locator(box).scroll_into_view_if_needed()
    xy = page.evaluate(
        """([box, id]) => {
          const el = document.querySelector(box);
          const net = el.plantraceNetwork;
          const pos = net.getPositions([id])[id];
          const dom = net.canvasToDOM(pos);
          const rect = el.querySelector('canvas').getBoundingClientRect();
          return [rect.left + dom.x, rect.top + dom.y];
        }""",
        [box, node_id],
    )
    return float(xy[0]), float(xy[1])


def _visible_node(page: Any, box: str, kind_prefix: str) -> str:
    """The id of a node whose URL starts with ``kind_prefix`` and that is on screen."""
    found: str = page.evaluate(
        """([box, prefix]) => {
          const el = document.querySelector(box);
          const net = el.plantraceNetwork;
          const rect = el.querySelector('canvas').getBoundingClientRect();
          const data = JSON.parse(el.getAttribute('data-graph'));
          for (const n of data.nodes) {
            if (!n.url.startsWith(prefix)) continue;
            const dom = net.canvasToDOM(net.getPositions([n.id])[n.id]);
            if (dom.x > 20 && dom.y > 20 && dom.x < rect.width - 20 && dom.y < rect.height - 20)
              return n.id;
          }
          return '';
        }""",
        [box, kind_prefix],
    )
    assert found, f"no {kind_prefix} node on screen"
    return found


def test_clicking_a_graph_node_opens_its_page(server: Server, open_page: Any) -> None:
    _, page = open_page(1280)
    page.goto(server.url + "/items/I-1")
    page.locator("#trace-graph").scroll_into_view_if_needed()  # vis-network loads when in view
    page.wait_for_selector("#trace-graph[data-drawn=true]")
    node = _visible_node(page, "#trace-graph", "/id/jlis/goal-clause/")
    x, y = _node_point(page, "#trace-graph", node)
    page.mouse.click(x, y)
    page.wait_for_url("**/id/jlis/goal-clause/**")
    assert page.url.endswith(node.split("/id/", 1)[1])
    page.close()


def test_query_page_runs_examples_against_sparql(server: Server, open_page: Any) -> None:
    _, page = open_page(1280)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "/query")
    page.click("button[data-example=matrix]")
    page.wait_for_selector("#sparql-results[data-state=done] #sparql-table")
    rows = page.locator("#sparql-table tr").count() - 1
    with server.client() as c:
        years = c.get("/api/evaluations").json()["years"]
    assert rows == sum(y["self_graded_items"] + y["ministerial_graded_items"] for y in years)
    assert any(r == server.url + "/sparql" for r in requests)  # the page's own origin
    page.click("button[data-example=impact]")
    page.wait_for_selector("#sparql-results[data-state=done] #sparql-table")
    assert "?code" in page.inner_text("#sparql-table")
    page.fill("textarea[name=query]", "SELECT * WHERE { ?s ?p }")  # malformed
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("#sparql-results[data-state=error] .error")
    assert "400" in page.inner_text("#sparql-results")
    page.fill("input[name=q]", "応答率")
    page.click("#search-form button")
    page.wait_for_selector("#search-hits")
    assert page.locator("#search-hits tr").count() > 1
    page.close()


def test_language_switch_sticks(server: Server, open_page: Any) -> None:
    _, page = open_page(390)
    page.goto(server.url + "/statutes")
    assert page.evaluate("document.documentElement.lang") == "ja"
    page.click("a.lang-switch")
    page.wait_for_url("**lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Statutes and their impact" in page.inner_text("h1")
    page.goto(server.url + "/validation")  # the cookie keeps English
    assert page.evaluate("document.documentElement.lang") == "en"
    nav = page.inner_text("header nav")
    assert "Dashboard" in nav and "Validation" in nav
    page.click("a.lang-switch")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert "ダッシュボード" in page.inner_text("header nav")
    page.close()


# --- hostile data ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_markup_in_the_data_never_runs(dataset_server: Server, visits: Visits, width: int) -> None:
    for path in HOSTILE_PAGES:
        v = visits(dataset_server, path, width)
        assert v.status == 200, path
        assert v.facts["pwned"] is None, (path, v.facts["pwned"])
        assert v.dialogs == [], path
        assert v.page_errors == [], (path, v.page_errors)
        assert v.facts["images"] == 0, path  # no <img> from the data became an element
        # only the pages' own script files: no inline script, none from the data
        assert all(s.startswith(dataset_server.url + "/static/") for s in v.facts["scripts"])
        assert v.blocked == []
    item = visits(dataset_server, HOSTILE_PAGES[1], 1280)
    assert PWN in item.facts["text"]  # shown as text, as published
    assert item.facts["canvases"] and item.facts["canvases"][0]["painted"] > 500
    [chart] = item.facts["charts"]
    assert {p["year"] for p in chart["points"]} == {2021, 2025}
    assert PWN in chart["points"][0]["title"]


def test_graph_tooltips_are_text(dataset_server: Server, open_page: Any) -> None:
    _, page = open_page(1280)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(dataset_server.url + HOSTILE_PAGES[1])
    page.locator("#trace-graph").scroll_into_view_if_needed()
    page.wait_for_selector("#trace-graph[data-drawn=true]")
    node = _visible_node(page, "#trace-graph", "/id/test/x/g1")
    x, y = _node_point(page, "#trace-graph", node)
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y)
    tip = page.wait_for_selector("div.vis-tooltip", state="visible")
    assert tip is not None
    assert PWN in tip.inner_text()
    assert page.locator("div.vis-tooltip img, div.vis-tooltip script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined" and dialogs == []
    page.close()
