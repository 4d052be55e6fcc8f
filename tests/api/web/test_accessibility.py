"""Every page passes axe-core (WCAG 2.0/2.1/2.2 A and AA, and best practices) with no critical
and no serious violation, at 1280 and 390 px, in Japanese and in English; and every text is
marked with its language (Japanese data on English pages under ``lang="ja"``, no English prose
under ``lang="ja"``). The test behind the accessibility statement (docs/accessibility.md).

A page added to the service belongs in :data:`PAGES` (a fixed address) or
:func:`audited_pages` (an address from the data). Every page is audited in all four ways but the
pages of the items after the first: the same template on other data, each is audited in one of
the four, in turn (axe's contrast check takes seconds a page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from browser_fixtures import WIDTHS, Audit
from servers import Server

Audits = Callable[[Server, str, int, str], Audit]

PAGES = ["/", "/statutes", "/validation", "/query", f"/query?q={quote('応答率')}", "/sparql",
         "/downloads", "/ontology", "/docs", "/changes"]  # fmt: skip
"""The pages with a fixed address; :func:`audited_pages` adds those of the data."""


WAYS = [(width, lang) for width in WIDTHS for lang in ("ja", "en")]


def audited_pages(server: Server) -> tuple[list[str], list[str]]:
    """Every page of the service: the fixed ones, the first item's page, an article (its
    legal basis) and the statute, linked-data pages of the item and of a clause; and the
    pages of the other items."""
    with server.client() as c:
        codes = [i["code"] for i in c.get("/api/items").json()["items"]]
        trace = c.get(f"/api/items/{quote(codes[0], safe='')}").json()
    article = trace["item"]["legal_basis"][0]["iri"].split("/law/", 1)[1]
    item = trace["item"]["iri"].split("/id/", 1)[1]
    clause = trace["goal_clauses"][0]["iri"].split("/id/", 1)[1]
    items = [f"/items/{quote(code, safe='')}" for code in codes]
    every_way = [*PAGES, items[0], f"/statutes/{article}", f"/statutes/{article.split('/')[0]}",
                 f"/id/{item}", f"/id/{clause}"]  # fmt: skip
    return every_way, items[1:]


@pytest.fixture(scope="module")
def pages(server: Server) -> tuple[list[str], list[str]]:
    return audited_pages(server)


@pytest.mark.parametrize(("width", "lang"), WAYS)
def test_no_page_has_a_serious_accessibility_violation(
    server: Server, audits: Audits, pages: tuple[list[str], list[str]], width: int, lang: str
) -> None:
    every_way, in_turn = pages
    mine = in_turn[WAYS.index((width, lang)) :: len(WAYS)]
    found = [audits(server, path, width, lang) for path in [*every_way, *mine]]
    assert [a.url for a in found if a.status != 200] == []
    serious = [line for a in found for line in a.serious()]
    assert serious == [], "\n".join(serious)
    wrong = [f"{a.url}: {w}" for a in found for w in a.wrong_language]
    assert wrong == [], "\n".join(wrong)


def test_keyboard_skips_to_the_content_and_every_stop_shows_its_focus(
    server: Server, open_page: Callable[[int], tuple[Any, Any]]
) -> None:
    """The first Tab reaches the skip link, which moves the focus to the content; from there
    each Tab stop has a visible focus ring, and the grade matrix's scrolling box is one of them
    (WCAG 2.4.1, 2.4.7, 2.1.1)."""
    _, page = open_page(1280)
    page.goto(server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0  # shown
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_JS))
    assert all(s["outline"] != "none" and s["width"] >= 2 for s in stops), stops
    assert any(s["role"] == "region" and s["label"] for s in stops), stops
    page.close()


FOCUS_JS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {tag: e.tagName, role: e.getAttribute('role'), label: e.getAttribute('aria-label'),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
}"""


def test_on_a_phone_the_graph_lets_the_page_scroll_until_switched_on(
    server: Server, open_page: Callable[[int], tuple[Any, Any]]
) -> None:
    """On a touch screen the trace graph does not take the swipes meant for the page: a
    button switches it on (and off); its labels are drawn at a readable scale."""
    _, page = open_page(390)  # a phone: touch screen
    page.goto(server.url + "/items/I-1")
    page.locator("#trace-graph").scroll_into_view_if_needed()
    page.wait_for_selector("#trace-graph[data-drawn=true]")
    button = page.locator("#trace-graph ~ .graph-activate")
    canvas = "getComputedStyle(document.querySelector('#trace-graph .graph-canvas')).pointerEvents"
    assert button.is_visible() and button.get_attribute("aria-pressed") == "false"
    assert page.evaluate(canvas) == "none"
    box = page.locator("#trace-graph").bounding_box()
    assert box is not None
    before = page.evaluate("window.scrollY")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 400)
    # the page scrolled over the graph (a function: the page's CSP refuses eval of a string)
    page.wait_for_function("y => window.scrollY > y", arg=before)
    scale = page.evaluate("document.querySelector('#trace-graph').plantraceNetwork.getScale()")
    assert scale * 14 >= 11.5  # node labels (14 px) at least ~12 px on screen
    button.tap()
    assert button.get_attribute("aria-pressed") == "true" and page.evaluate(canvas) == "auto"
    button.tap()
    assert page.evaluate(canvas) == "none"
    page.close()
