"""Headless Chromium for the page tests (``tests/api/web``), one browser for the whole session.

A pytest plugin (``-p browser_fixtures`` in pyproject.toml), like ``server_fixtures``, so the
fixtures are shared by every module and the browser starts once. The browser is Debian's
``chromium`` driven by playwright (never ``playwright install``: nothing is downloaded); without
``chromium`` the page tests are skipped, saying so (``.ci/run`` installs it).

:func:`visits` loads each (server, path, width) once and keeps what happened: console errors,
page errors, dialogs, every request the page made, and a screenshot under ``test-artifacts/``.
Every request goes through a route that lets only 127.0.0.1 (and ``data:``) through: anything
else is aborted — so nothing leaves the machine even if a page tried — and recorded, for the
test that fails on it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from servers import REPO, Server

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = REPO / "test-artifacts" / "pages"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, installed from the npm registry by ``npm ci`` (package.json, .ci/run)."""
WIDTHS = (1280, 390)
PHONE = 640
"""Narrower contexts are phones: a touch screen, and a layout viewport that widens to fit
content wider than the screen (as a phone's browser does), so overflow shows."""


def screen(width: int) -> dict[str, Any]:
    """The browser context options of a screen ``width`` px wide."""
    phone = width < PHONE
    return {"viewport": {"width": width, "height": 900}, "is_mobile": phone, "has_touch": phone}
TIMEOUT_MS = 90_000  # the dashboard may wait for the first validation run of a new server


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws") and parts.hostname == "127.0.0.1"


@dataclass
class Visit:
    """What loading one page did."""

    url: str
    width: int
    status: int | None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # values read from the page


class Recorder:
    """Attach to a page: record console errors, page errors, dialogs and requests."""

    def __init__(self, page: Any, visit: Visit) -> None:
        self.visit = visit
        page.on("console", lambda m: visit.console_errors.append(m.text)
                if m.type == "error" else None)  # fmt: skip
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)
        page.add_init_script(CSP_JS)

    def _dialog(self, dialog: Any) -> None:
        self.visit.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.visit.requests.append(url)
        if is_local(url):
            route.continue_()
        else:
            self.visit.blocked.append(url)
            route.abort()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = chromium_path()
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); the page "
                    "tests need it (.ci/run installs it)")  # fmt: skip
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def open_page(browser: Any) -> Iterator[Callable[[int], tuple[Any, Any]]]:
    """``open_page(width)`` → (context, page): a fresh context (no cookies) at that width."""
    contexts: list[Any] = []

    def make(width: int) -> tuple[Any, Any]:
        context = browser.new_context(**screen(width), locale="ja-JP")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context, context.new_page()

    yield make
    for context in contexts:
        context.close()


def artifact_name(path: str) -> str:
    name = path.strip("/")
    name = ("dashboard" + name if not name or name.startswith("?") else name)
    name = name.replace("/", "_").replace("?", "_").replace("=", "-")
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]


@pytest.fixture(scope="session")
def visits(
    open_page: Callable[[int], tuple[Any, Any]],
) -> Callable[[Server, str, int], Visit]:
    """``visits(server, path, width)``: the page loaded once (cached), with what it did."""
    cache: dict[tuple[str, str, int], Visit] = {}
    contexts: dict[int, Any] = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def visit(server: Server, path: str, width: int = 1280) -> Visit:
        key = (server.url, path, width)
        if key in cache:
            return cache[key]
        if width not in contexts:
            contexts[width] = open_page(width)[0]
        found = Visit(server.url + path, width, None)
        fresh = contexts[width].new_page()
        Recorder(fresh, found)
        response = fresh.goto(server.url + path, wait_until="load")
        found.status = response.status if response else None
        settle(fresh)
        found.facts = fresh.evaluate(FACTS_JS)
        prefix = "hostile-" if "dataset" in str(server.log) else ""
        shot = ARTIFACTS / f"{prefix}{artifact_name(path)}-{width}.png"
        fresh.screenshot(path=str(shot), full_page=True)
        found.screenshot = shot
        fresh.close()
        cache[key] = found
        return found

    return visit


def settle(page: Any) -> None:
    """Wait until the page is complete: its graphs drawn (they load vis-network when they come
    into view: each is scrolled to, then physics has settled), Swagger UI's operations shown."""
    page.evaluate("document.querySelectorAll('.graph[data-graph]')"
                  ".forEach(g => g.scrollIntoView())")  # fmt: skip
    page.wait_for_function(DRAWN_JS)
    page.evaluate("window.scrollTo(0, 0)")
    if page.locator("#swagger-ui").count():
        page.wait_for_selector("#swagger-ui .opblock")


@dataclass
class Audit:
    """What axe-core and the language check found on one page."""

    url: str
    status: int | None
    violations: list[dict[str, Any]]
    wrong_language: list[str]

    def serious(self) -> list[str]:
        """The critical and serious violations, one line each (rule, how many, where)."""
        return [
            f"{self.url} [{v['impact']}] {v['id']} ×{len(v['nodes'])}: "
            + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
            for v in self.violations
            if v["impact"] in ("critical", "serious")
        ]


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
"""The rule sets run: WCAG 2.0, 2.1 and 2.2 A and AA (JIS X 8341-3:2016 is WCAG 2.0), and
axe's best practices."""


@pytest.fixture(scope="session")
def audits(browser: Any) -> Iterator[Callable[[Server, str, int, str], Audit]]:
    """``audits(server, path, width, lang)``: axe-core run on the page (in a context whose
    language cookie is ``lang``), and the text in the wrong language (:data:`LANG_JS`)."""
    if not AXE.is_file():
        message = f"{AXE} is missing: run `npm ci` (package.json; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    axe = AXE.read_text(encoding="utf-8")
    contexts: dict[tuple[str, int, str], Any] = {}

    def audit(server: Server, path: str, width: int, lang: str) -> Audit:
        key = (server.url, width, lang)
        if key not in contexts:
            context = browser.new_context(**screen(width))
            context.set_default_timeout(TIMEOUT_MS)
            context.add_cookies([{"name": "plantrace_lang", "value": lang, "url": server.url}])
            contexts[key] = context
        page = contexts[key].new_page()
        try:
            response = page.goto(server.url + path, wait_until="load")
            settle(page)
            # lay out what the page leaves for later (content-visibility: auto), so that axe
            # sees every element rendered, not only those on the first screen
            page.add_style_tag(content="* { content-visibility: visible !important; }")
            page.evaluate(axe)  # run in the page by the test driver: the page's CSP is kept
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                " resultTypes: ['violations']})",
                AXE_TAGS,
            )
            wrong = [] if page.locator("#swagger-ui").count() else page.evaluate(LANG_JS)
        finally:
            page.close()
        status = response.status if response else None
        return Audit(server.url + path, status, result["violations"], wrong)

    yield audit
    for context in contexts.values():
        context.close()


LANG_JS = """() => {
  // WCAG 2.1 SC 3.1.1 and 3.1.2: every text is under its language. A text mostly Japanese
  // under a language other than ja, or mostly English prose (four words in a row) under ja,
  // outside code and what assistive technology skips. (A Japanese name inside an English
  // sentence is part of it: 3.1.2 exempts proper names.)
  const JA = /[\\u3040-\\u30ff\\u3400-\\u9fff\\uff01-\\uff5e]/g;
  const LATIN = /[A-Za-z]/g;
  const PROSE = /[A-Za-z]{2,}(?:[ ,;:'\\u2019-]+[A-Za-z]{2,}){3}/;
  const SKIP = 'script, style, code, pre, textarea, .iri, [aria-hidden=true]';
  const wrong = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    if (!text || !el || el.closest(SKIP)) continue;
    const lang = (el.closest('[lang]') || document.documentElement).getAttribute('lang');
    const ja = (text.match(JA) || []).length, latin = (text.match(LATIN) || []).length;
    const what = text.slice(0, 50);
    if (!lang.startsWith('ja') && ja > 0 && ja >= latin) wrong.push(`ja under ${lang}: ${what}`);
    if (lang.startsWith('ja') && PROSE.test(text) && latin > ja) wrong.push(`en under ja: ${what}`);
  }
  return wrong;
}"""

CSP_JS = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"""
"""Records every Content-Security-Policy violation of the page (``facts["csp"]``)."""

DRAWN_JS = """() => Array.from(document.querySelectorAll('.graph[data-graph]'))
  .every(g => g.getAttribute('data-drawn') === 'true')"""

FACTS_JS = """() => {
  const canvases = Array.from(document.querySelectorAll('.graph canvas')).map(c => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) painted++; }
    return { painted: painted, width: c.width, height: c.height,
             drawn: c.closest('.graph').getAttribute('data-drawn') };
  });
  const charts = Array.from(document.querySelectorAll('svg.chart')).map(svg => ({
    indicator: svg.getAttribute('data-indicator'),
    targets: Array.from(svg.querySelectorAll('line.target')).map(l => ({
      value: l.getAttribute('data-value'), title: l.querySelector('title').textContent })),
    points: Array.from(svg.querySelectorAll('circle.obs')).map(c => ({
      year: Number(c.getAttribute('data-year')), value: c.getAttribute('data-value'),
      title: c.querySelector('title').textContent })),
  }));
  return {
    pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
    lang: document.documentElement.lang,
    title: document.title,
    text: document.body.innerText,
    scrollWidth: document.documentElement.scrollWidth,
    canvases: canvases,
    charts: charts,
    images: document.querySelectorAll('main img').length,
    scripts: Array.from(document.scripts).map(s => s.src || '(inline)'),
    csp: window.__csp || [],
  };
}"""
