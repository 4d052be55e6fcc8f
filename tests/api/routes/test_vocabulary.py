"""``/ontology``: the reference page for a browser, the Turtle file as is for an RDF client."""

from __future__ import annotations

import re

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from servers import Server

from kg.ontology import ONTOLOGY_PATH

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    return server.client()


@pytest.fixture(scope="module")
def page(client: httpx.Client) -> str:
    r = client.get("/ontology", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]
    return r.text


def test_page_lists_every_term_with_labels_and_shapes(page: str) -> None:
    ontology = Graph().parse(ONTOLOGY_PATH, format="turtle")
    prefix = "https://w3id.org/plantrace/ontology#"
    terms = {str(s)[len(prefix) :] for s in ontology.subjects() if str(s).startswith(prefix)}
    anchors = set(re.findall(r'<section id="([^"]+)"', page))
    assert terms <= anchors, terms - anchors
    links = set(re.findall(r'href="#([^"]+)"', page))
    assert links <= set(re.findall(r'id="([^"]+)"', page)), "every in-page link has its target"
    entry = page[page.index('<section id="GoalClause"') :]
    entry = entry[: entry.index("</section>")]
    for text in ("中期目標の記載事項", "goal clause", "pts:GoalClauseImplementedShape",
                 "trace.ttl", "target", 'href="#implements"'):  # fmt: skip
        assert text in entry, text


def test_page_loads_nothing_from_other_hosts(page: str) -> None:
    loads = re.findall(r"""<(?:script|img|link|iframe)[^>]*(?:src|href)=["']([^"']+)""", page)
    assert not [u for u in loads if re.match(r"(https?:)?//", u)], loads


@pytest.mark.parametrize("accept", ["text/turtle", None, "*/*"])
def test_turtle_is_the_file_as_is(client: httpx.Client, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/ontology", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert r.content == ONTOLOGY_PATH.read_bytes()


@pytest.mark.parametrize(
    ("fmt", "media", "parser"),
    [
        ("jsonld", "application/ld+json", "json-ld"),
        ("ntriples", "application/n-triples", "nt"),
        ("rdfxml", "application/rdf+xml", "xml"),
    ],
)
def test_other_rdf_formats_hold_the_same_triples(
    client: httpx.Client, fmt: str, media: str, parser: str
) -> None:
    expected = Graph().parse(ONTOLOGY_PATH, format="turtle")
    for r in (client.get("/ontology", params={"format": fmt}),
              client.get("/ontology", headers={"Accept": media})):  # fmt: skip
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        assert isomorphic(Graph().parse(data=r.content, format=parser), expected)


def test_unavailable_formats(client: httpx.Client) -> None:
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/ontology", params={"format": "csv"}).status_code == 400


def test_resource_pages_link_terms_to_the_ontology_page(client: httpx.Client) -> None:
    r = client.get("/id/fiscal-year/2021", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert 'href="/ontology#FiscalYear"' in r.text
