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
WIDTHS = (1280, 390)
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
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      locale="ja-JP")  # fmt: skip
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
        fresh.wait_for_function(DRAWN_JS)  # the graphs have been drawn (physics has settled)
        found.facts = fresh.evaluate(FACTS_JS)
        prefix = "hostile-" if "dataset" in str(server.log) else ""
        shot = ARTIFACTS / f"{prefix}{artifact_name(path)}-{width}.png"
        fresh.screenshot(path=str(shot), full_page=True)
        found.screenshot = shot
        fresh.close()
        cache[key] = found
        return found

    return visit


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
