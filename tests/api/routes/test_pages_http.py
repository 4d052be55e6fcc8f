"""The HTML pages over HTTP (the browser tests are in tests/api/web): status, language, links to
sources, escaping of hostile data, static files. Page parts are unit-tested too: the character
diff and the chart geometry."""

from __future__ import annotations

import hashlib
import html
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from conftest import run_async
from servers import HOSTILE_CODE, HOSTILE_LAW, PWN, Server

from api.main import create_app
from api.routes import pages as page_routes
from api.views import models as m
from api.views.charts import indicator_chart, nice_ticks, number
from api.views.textdiff import char_diff
from api.workers.backend import Backend, prepare_backend
from api.workers.http_errors import QueryError, TimeLimit
from api.workers.validation_runner import ValidationCache
from api.workers.worker import WorkerSpec
from kg.config import load_settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    return server.client(headers={"Accept": BROWSER})


def test_dashboard_has_the_grade_matrix_and_validation_summary(client: httpx.Client) -> None:
    validation = client.get("/validation").text  # waits for the run the dashboard shows
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    items = client.get("/api/items").json()
    for item in items["items"]:
        assert f'href="/items/{item["code"]}"' in page.text
    letters = re.findall(r'data-grade="([SABCD])"', page.text)
    assert len(letters) == sum(
        (g["self_grade"] is not None) + (g["ministerial_grade"] is not None)
        for i in items["items"] for g in i["grades"]
    )  # fmt: skip
    assert "○" in page.text and "重" in page.text  # the marks of the ministerial grades
    # every grade links to its source lines
    assert re.search(r'class="grade-letter[^"]*" href="/id/jlis/doc/[^"]+/L\d+-L\d+"', page.text)
    for severity in ("violation", "warning", "info"):
        count = re.search(rf'data-severity="{severity}"><span class="n">(\d+)', page.text)
        again = re.search(rf'data-severity="{severity}"><span class="n">(\d+)', validation)
        assert count and again and count.group(1) == again.group(1)
    assert 'href="/validation' in page.text and 'id="validation-pending"' not in page.text


def test_the_dashboard_does_not_wait_for_a_long_validation(
    built_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validating a large dataset takes minutes: the dashboard shows the grades and says the
    validation is still running rather than keeping the browser waiting."""
    monkeypatch.setattr(page_routes, "DASHBOARD_WAIT", 0.0)
    settings = load_settings({})
    app = create_app(settings, prepare_backend(settings, built_state))

    async def scenario() -> httpx.Response:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                return await c.get("/", headers={"Accept": BROWSER})

    page = run_async(scenario())
    assert page.status_code == 200 and 'id="grade-matrix"' in page.text
    assert 'id="validation-pending"' in page.text and 'data-severity="violation"' not in page.text


def test_language_by_parameter_then_cookie(server: Server) -> None:
    with server.client(headers={"Accept": BROWSER}) as c:
        ja = c.get("/statutes")
        assert '<html lang="ja">' in ja.text and "法令と影響範囲" in ja.text
        en = c.get("/statutes", params={"lang": "en"})
        assert '<html lang="en">' in en.text and "Statutes and their impact" in en.text
        assert "plantrace_lang=en" in en.headers["set-cookie"]
        assert '<html lang="en">' in c.get("/validation").text  # the cookie
        assert '<html lang="ja">' in c.get("/validation", params={"lang": "ja"}).text
        assert '<html lang="ja">' in c.get("/query").text


def test_trace_page_links_facts_to_their_lines(client: httpx.Client) -> None:
    page = client.get("/items/I-1").text
    trace = client.get("/api/items/I-1").json()
    for clause in trace["plan_clauses"] + trace["goal_clauses"]:
        assert f'href="{clause["href"]}"' in page
        assert f'href="{clause["sources"][0]["href"]}"' in page
    assert "<ins>" in page and "<del>" in page  # FY2021 against FY2025
    assert page.count('<svg class="chart"') == sum(
        1 for i in trace["indicators"]
        if i["quantitative"] and any(o["value"] is not None for o in i["observations"])
    )  # fmt: skip
    assert 'data-graph="{' in page and "/static/vis/vis-network.min.js" in page
    assert client.get("/items/Z-99").status_code == 404
    assert client.get("/statutes/none/art1").status_code == 404


def test_static_files(client: httpx.Client) -> None:
    vis = client.get("/static/vis/vis-network.min.js")
    assert vis.status_code == 200 and "javascript" in vis.headers["content-type"]
    assert len(vis.content) > 100_000
    assert client.get("/static/vis/vis-network.css").status_code == 200
    for name in ("graph.js", "query.js", "pages.css", "swagger.css"):
        assert client.get(f"/static/pages/{name}").status_code == 200


def test_static_files_are_versioned_and_cached(client: httpx.Client) -> None:
    """Pages link static files with the digest of their content; such an address may be kept
    for a year, an address without it for an hour."""
    page = client.get("/items/I-1").text
    linked = dict(re.findall(r'"/static/(pages/pages\.css|vis/vis-network\.min\.js)\?v=(\w+)"',
                             page))  # fmt: skip
    assert set(linked) == {"pages/pages.css", "vis/vis-network.min.js"}
    for name, version in linked.items():
        answer = client.get(f"/static/{name}?v={version}")
        assert hashlib.sha256(answer.content).hexdigest().startswith(version)
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/pages/pages.css").headers["cache-control"] == "public, max-age=3600"


def test_pages_are_compressed_for_clients_that_accept_it(client: httpx.Client) -> None:
    raw = client.get("/items/I-1", headers={"Accept-Encoding": "identity"})
    packed = client.get("/items/I-1", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in raw.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"] and "Cookie" in packed.headers["vary"]
    assert packed.text == raw.text  # (httpx decompresses)
    assert int(packed.headers["content-length"]) < len(raw.content) / 4


def test_every_page_has_a_description(client: httpx.Client) -> None:
    for path in ("/", "/items/I-1", "/statutes", "/validation", "/query", "/sparql",
                 "/downloads", "/ontology", "/id/jlis/item/I-1", "/docs"):  # fmt: skip
        page = client.get(path).text
        found = re.search(r'<meta name="description" content="([^"]{20,})">', page)
        assert found, path
        assert re.search(r'<html lang="(ja|en)">', page), path


def test_grade_marks_are_in_the_text_of_the_grade(client: httpx.Client) -> None:
    """Every mark drawn on a grade of the matrix (○ importance, underline difficulty, 重
    priority) is also said in words in the grade's link, for screen readers; in English too."""
    for lang, words in (("ja", ("重要度「高」", "困難度「高」", "重点化")),
                        ("en", ("importance high", "difficulty high", "priority"))):  # fmt: skip
        page = client.get("/", params={"lang": lang}).text
        links = re.findall(r'<a class="grade-letter[^"]*"[^>]*data-grade="[SABCD]">(.*?)</a>',
                           page)  # fmt: skip
        assert links
        shown = [re.search(r'<span aria-hidden="true">(.*?)</span><span class="vh">', a)
                 for a in links]  # fmt: skip
        said = [re.search(r'<span class="vh">(.*?)</span>$', a) for a in links]
        for drawn, text in zip(shown, said, strict=True):
            assert drawn and text
            marks = ('<span class="mark">○</span>' in drawn.group(1), "hard" in drawn.group(1),
                     '<span class="mark">重</span>' in drawn.group(1))  # fmt: skip
            assert marks == tuple(w in text.group(1) for w in words), (drawn.group(1), text)
        assert any("hard" in d.group(1) for d in shown if d)  # the data has such grades


def test_the_trace_graph_has_the_same_facts_as_a_table(client: httpx.Client) -> None:
    """Each arrow of the drawn graph is a row of the table under it (node kinds, labels and
    pages), for those who cannot see the canvas."""
    page = client.get("/items/I-1", params={"lang": "ja"}).text
    attribute = re.search(r'data-graph="([^"]*)"', page)
    assert attribute
    data = json.loads(html.unescape(attribute.group(1)))
    table = page[page.index('id="trace-graph-table"'):]
    table = table[: table.index("</details>")]
    cell = r'<td class="text">(.*?)</td>'
    rows = re.findall(rf"<tr>{cell}<td>.*?</td>{cell}</tr>", table)
    urls = {n["id"]: n["url"] for n in data["nodes"]}
    drawn = sorted((urls[e["from"]], urls[e["to"]]) for e in data["edges"])

    def link(cell: str) -> str:
        found = re.search(r'href="([^"]+)"', cell)
        assert found, cell
        return found.group(1)

    listed = sorted((link(a), link(b)) for a, b in rows if "href" in b)
    assert drawn and listed == drawn
    assert 'role="img"' in page and 'aria-label="トレースグラフ: ' in page


def test_hostile_text_is_escaped_on_every_page(dataset_server: Server) -> None:
    law = HOSTILE_LAW.rsplit("/law/", 1)[1]
    escaped = PWN.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    with dataset_server.client(headers={"Accept": BROWSER}) as c:
        for path in ("/", f"/items/{quote(HOSTILE_CODE, safe='')}", "/statutes",
                     f"/statutes/{law}/art1", "/validation", "/query?q=window"):  # fmt: skip
            r = c.get(path)
            assert r.status_code == 200, path
            # no tag of the data survives: each "<" of it is written as &lt;
            assert "<script>window" not in r.text and "<img" not in r.text, path
        item = c.get(f"/items/{quote(HOSTILE_CODE, safe='')}").text
        assert escaped.split('"')[0] in item  # the text is there, as text


# --- page parts --------------------------------------------------------------------------------


def test_char_diff_marks_deletions_and_insertions() -> None:
    d = char_diff("令和3年度中に発送", "令和7年度中にも発送")
    assert "".join(s.text for s in d.old) == "令和3年度中に発送"
    assert "".join(s.text for s in d.new) == "令和7年度中にも発送"
    assert [(s.op, s.text) for s in d.old if s.op != "equal"] == [("delete", "3")]
    assert [(s.op, s.text) for s in d.new if s.op != "equal"] == [("insert", "7"), ("insert", "も")]
    assert [(s.op, s.text) for s in d.segments] == [
        ("equal", "令和"), ("delete", "3"), ("insert", "7"), ("equal", "年度中に"),
        ("insert", "も"), ("equal", "発送"),
    ]  # fmt: skip
    assert char_diff("同じ", "同じ").ratio == 1.0
    # long texts: the junk heuristic is off, so common characters still align
    long = "、".join(["マイナンバーカード"] * 40)
    assert [s.op for s in char_diff(long, long + "。").new] == ["equal", "insert"]


def _indicator(values: list[tuple[int, str, str | None]], target: str | None) -> m.Indicator:
    return m.Indicator(
        iri="https://w3id.org/plantrace/id/t/i", href="/id/t/i", label="稼働率", quantitative=True,
        targets=[m.Target(iri="t", value=Decimal(target), unit="%", comparator=">=")]
        if target else [],
        observations=[
            m.Observation(iri=f"o{i}", href=f"/id/o{i}", indicator="i", year=y,
                          value=Decimal(v), unit="%", subject=s)
            for i, (y, v, s) in enumerate(values)
        ],
    )  # fmt: skip


def test_chart_geometry() -> None:
    chart = indicator_chart(
        _indicator([(2021, "100", "A"), (2021, "99.92", "B"), (2025, "99.85", "B")], "99.9"),
        [2021, 2022, 2023, 2024, 2025],
    )
    assert chart is not None
    assert [t.label for t in chart.x_ticks] == [f"FY{y}" for y in range(2021, 2026)]
    assert [p.year for p in chart.points] == [2021, 2021, 2025]
    assert [p.value for p in chart.points] == ["100", "99.92", "99.85"]
    low, high = chart.top, chart.bottom
    assert all(low <= p.y <= high for p in chart.points)
    (target,) = chart.targets
    # the target is drawn between the values it separates: 99.85 below, 99.92 above
    assert chart.points[2].y > target.y > chart.points[1].y > chart.points[0].y
    assert "≥99.9%" in target.title
    assert chart.points[0].x < chart.points[1].x  # two values in one year, side by side
    assert [s.label for s in chart.series] == ["A", "B"] and chart.series[1].polyline
    assert not chart.series[0].polyline  # one year only: no line
    assert indicator_chart(_indicator([], "1"), [2021]) is None
    assert number(Decimal("4800000.0")) == "4,800,000" and number(Decimal("99.90")) == "99.9"
    assert nice_ticks(99.8, 100.1) == [99.8, 99.9, 100.0, 100.1]


def test_validation_is_computed_once_per_store(tmp_path: Path) -> None:
    """A second request for the same store shares the first run; a rebuild (the ``store`` link
    moved) starts a new one; a failed run is tried again, unless it was stopped at the time
    limit (regression: on data too large for the limit, every dashboard request started a
    run that took a core for the whole limit)."""
    for name in ("store-a", "store-b"):
        (tmp_path / name).mkdir()
    link = tmp_path / "store"
    link.symlink_to("store-a")
    backend = Backend("embedded", WorkerSpec(tmp_path), "test")
    runs: list[str] = []

    async def scenario() -> None:
        cache = ValidationCache(backend, timeout=5)

        async def compute(body: str | None) -> Any:
            runs.append(backend.spec.current())
            if len(runs) == 3:
                raise QueryError(503, "failed")
            if body == "slow":
                raise TimeLimit(503, "stopped at the time limit")
            return len(runs)

        cache._compute = compute  # type: ignore[method-assign]
        assert await cache.get() == 1 and await cache.get() == 1
        link.unlink()
        link.symlink_to("store-b")
        assert await cache.get() == 2 and await cache.get() == 2
        link.unlink()
        link.symlink_to("store-a")
        with pytest.raises(QueryError):
            await cache.get()
        assert await cache.get() == 4  # the failed run is not kept
        for _ in range(2):
            with pytest.raises(TimeLimit):
                await cache.get("slow")  # run once only
        assert await cache.get() == 4 and await cache.get("other") == 6  # one run per body
        await cache.close()

    run_async(scenario())
    assert [Path(r).name for r in runs] == ["store-a", "store-b", "store-a", "store-a"] + [
        "store-a"
    ] * 2
