"""The HTML pages on data holding several public bodies (synthetic, ``kg.synth``): the dashboard
lists the bodies, ``?body=`` shows one body's grades and trace analysis, an item code several
bodies share asks which body, an unknown body is not found.

Item codes repeat across bodies (every body has an ``I-1``), so a page that merged bodies would
mix their items; these tests check each body's page holds its own data and nothing else. The
page functions run on an in-memory store; the routes run in the app over the same dataset.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import run_async

from api.main import create_app
from api.views.dashboard import Dashboard, dashboard_page
from api.views.item_page import ItemChoice, ItemPage, item_page
from api.views.statute_pages import provision_page, statutes_page
from api.views.validation_page import data_graph, validation_page
from api.workers.backend import prepare_backend
from kg import analysis as a
from kg.config import load_settings
from kg.errors import NotFound
from kg.namespaces import PTID
from kg.store import GraphStore
from kg.synth import Years, make_body, write_dataset

YEARS = Years(2021, 2023)
SEED = 7
BODIES = ("body0001", "body0002")
BROWSER = "text/html,application/xhtml+xml"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bodies") / "two.trig"
    write_dataset(path, len(BODIES), SEED, YEARS)
    return path


def _load(dataset: Path) -> GraphStore:
    store = GraphStore.memory()
    store.oxigraph.load(path=str(dataset), format=ox.RdfFormat.TRIG)
    store.refresh_default_graph()
    return store


@pytest.fixture(scope="module")
def store(dataset: Path) -> GraphStore:
    return _load(dataset)


def _bodies_in(text: str) -> set[str]:
    return set(re.findall(r"/id/(body\d+)/", text))


def _grades(page: Dashboard) -> dict[tuple[str, int, str], str]:
    return {
        (row.code, cell.year, by): e.grade
        for row in page.rows
        for cell in row.cells
        for by, e in (("self", cell.self_evaluation), ("ministerial", cell.ministerial_evaluation))
        if e is not None and e.grade is not None
    }


def test_the_dashboard_of_several_bodies_lists_them(store: GraphStore) -> None:
    page = dashboard_page(store.query)
    assert [b.id for b in page.bodies] == list(BODIES)
    assert all(b.items == 19 and b.label_ja and b.label_en for b in page.bodies)
    assert page.rows == [] and page.body is None


def test_a_body_s_dashboard_holds_its_grades_only(store: GraphStore) -> None:
    for number, body in enumerate(BODIES, 1):
        page = dashboard_page(store.query, body)
        assert page.body is not None and page.body.id == body and page.bodies == []
        assert _grades(page) == make_body(SEED, number, YEARS).grades
        assert all(row.url.endswith(f"?body={body}") for row in page.rows)
        assert _bodies_in(repr(page)) == {body}
        (first,) = [c for c in page.coverage if c.year == YEARS.first]
        assert first.items_self_graded.total == 19  # one body's items, not both bodies'
        assert all(o.iri.startswith(f"{PTID}{body}/") for os in page.overall.values() for o in os)


def test_a_changed_grade_shows_in_its_body_only(dataset: Path, store: GraphStore) -> None:
    copy = _load(dataset)
    before = {b: _grades(dashboard_page(store.query, b)) for b in BODIES}
    key = ("I-1", YEARS.first, "self")
    new = "S" if before["body0002"][key] != "S" else "D"
    copy.oxigraph.update(
        f"""PREFIX pt: <https://w3id.org/plantrace/ontology#>
        DELETE {{ GRAPH ?g {{ ?e pt:grade ?old }} }}
        INSERT {{ GRAPH ?g {{ ?e pt:grade pt:Grade{new} }} }}
        WHERE {{ GRAPH ?g {{ ?e a pt:SelfEvaluation ; pt:evaluates <{PTID}body0002/item/I-1> ;
                 pt:fiscalYear ?fy ; pt:grade ?old }} ?fy pt:year {YEARS.first} }}"""
    )  # fmt: skip
    copy.refresh_default_graph()
    after = {b: _grades(dashboard_page(copy.query, b)) for b in BODIES}
    assert after["body0001"] == before["body0001"]
    assert after["body0002"] == {**before["body0002"], key: new}


def test_a_body_s_trace_graph_holds_its_nodes_and_the_statutes(store: GraphStore) -> None:
    tg = a.fetch(store.query, "body0001")
    owners = {re.match(rf"{PTID}([^/]+)/", n).group(1) for n in tg.graph.nodes}  # type: ignore[union-attr]
    assert owners == {"body0001", "law"}
    assert len(tg.nodes("item")) == 19
    whole = a.fetch(store.query)
    assert len(whole.nodes("item")) == 38
    # the same nodes and links as the whole graph has of that body (of the trace's classes)
    def own(graph: a.TraceGraph) -> tuple[set[str], set[tuple[str, str]]]:
        nodes = {i.iri for i in graph.nodes() if i.iri.startswith(f"{PTID}body0001/")
                 and i.kind != "other"}  # fmt: skip
        return nodes, {(x, y) for x, y in graph.graph.edges if x in nodes and y in nodes}

    assert own(tg) == own(whole)


def test_item_page_by_body_and_the_chooser(store: GraphStore) -> None:
    page = item_page(store.query, "I-1", body="body0002")
    assert isinstance(page, ItemPage) and page.body == "body0002"
    assert page.trace.item.iri == f"{PTID}body0002/item/I-1"
    assert _bodies_in(page.graph) == {"body0002"}
    assert {c.year for c in page.coverage} == set(YEARS)
    choice = item_page(store.query, "I-1")
    assert isinstance(choice, ItemChoice)
    assert [b.id for b in choice.bodies] == list(BODIES)
    with pytest.raises(NotFound):
        item_page(store.query, "I-1", body="body0003")
    with pytest.raises(NotFound):
        dashboard_page(store.query, "body0003")


def test_the_routes(dataset: Path) -> None:
    settings = load_settings({"PLANTRACE_DATASET": str(dataset)})
    app = create_app(settings, prepare_backend(settings))
    paths = ["/", "/?body=body0002", "/?body=body0003", "/items/I-1", "/items/I-1?body=body0001",
             "/items/I-1?body=body0003", "/?body=..%2F", "/statutes", "/statutes?body=body0001",
             "/statutes?body=body0003", "/validation", "/validation?body=body0002",
             "/validation?body=body0003"]  # fmt: skip

    async def scenario() -> dict[str, httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                # the validation report first: the dashboard waits for it only a while, which
                # a busy machine can exceed
                assert (await c.get("/validation")).status_code == 200
                got = {p: await c.get(p, headers={"Accept": BROWSER}) for p in paths}
                # the first article the body's statutes page links: a provision page
                cited = re.search(r'href="(/statutes/[^"?]+\?body=body0001)"',
                                  got["/statutes?body=body0001"].text)  # fmt: skip
                assert cited is not None
                got["provision"] = await c.get(cited[1], headers={"Accept": BROWSER})
                return got

    got = run_async(scenario())
    assert [got[p].status_code for p in paths] == [
        200, 200, 404, 200, 200, 404, 422, 200, 200, 404, 200, 200, 404
    ]  # fmt: skip
    assert 'id="per-body"' in got["/statutes"].text
    assert "?body=body0001" in got["/statutes?body=body0001"].text
    listing = got["/"].text
    assert 'href="/?body=body0001"' in listing and 'href="/?body=body0002"' in listing
    assert 'id="grade-matrix"' not in listing
    one = got["/?body=body0002"].text
    assert 'id="grade-matrix"' in one and 'href="/items/I-1?body=body0002"' in one
    assert _bodies_in(one) == {"body0002"} and 'href="/validation?body=body0002"' in one
    assert 'id="validation-per-body"' in listing
    assert 'href="/validation?body=body0001"' in got["/validation"].text
    report = got["/validation?body=body0002"].text
    assert 'data-severity="violation"' in report and _bodies_in(report) == {"body0002"}
    chooser = got["/items/I-1"].text
    assert 'href="/items/I-1?body=body0001"' in chooser and 'id="trace-graph"' not in chooser
    item = got["/items/I-1?body=body0001"].text
    assert 'id="trace-graph"' in item and _bodies_in(item) == {"body0001"}
    # a reader stays in the body they chose: every statute link of its pages keeps ?body=
    provision = got["provision"]
    assert provision.status_code == 200 and 'href="/statutes?body=body0001"' in provision.text
    for page in (item, report, provision.text):
        links = re.findall(r'href="(/statutes[^"]*)"', page)
        assert links and all(re.search(r"[?;]body=body000[12]\b", link) for link in links)


def test_statutes_impact_per_body(store: GraphStore) -> None:
    every = statutes_page(store.query)
    assert every.per_body and not any(i.counts for i in every.impact.values())
    page = statutes_page(store.query, "body0001")
    assert not page.per_body
    cited = [iri for iri, i in page.impact.items() if i.items]
    assert cited and all(page.urls[iri].endswith("?body=body0001") for iri in cited)
    one = provision_page(store.query, cited[0], "body0001")
    assert one.items and all(i.url.endswith("?body=body0001") for i in one.items)
    assert {n.iri.split("/id/")[1].split("/")[0] for n in one.impact.nodes} <= {"body0001", "law"}
    assert provision_page(store.query, cited[0]).items == []  # per body only


def test_a_body_is_validated_with_its_graphs_and_the_shared_ones(store: GraphStore) -> None:
    """What kg.bodies makes one body's part: its documents' graphs and the graphs without a
    publisher; nothing of the other body."""
    whole = {str(g.identifier) for g in data_graph(store.query).graphs()}
    one = {str(g.identifier) for g in data_graph(store.query, "body0002").graphs()}
    assert one < whole and any("/body0001/" in g for g in whole - one)
    assert not any("/body0001/" in g for g in one) and any("/body0002/" in g for g in one)
    shared = {g for g in whole if "/body000" not in g and g != "urn:x-rdflib:default"}
    assert shared and shared <= one
    assert validation_page(store.query).bodies  # several bodies: choose one
    with pytest.raises(NotFound, match="body0003"):
        validation_page(store.query, "body0003")

