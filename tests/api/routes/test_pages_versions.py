"""The pages of versions (issue 22): an item's clause history and ``/changes``, over HTTP on the
real documents (the III-3 plan clause and the I-1/I-2/I-9/I-11 viewpoints the FY2025 report
revised), and the suspect-link label written as text."""

from __future__ import annotations

import re

import httpx
import pytest
from servers import Server
from starlette.requests import Request

from api.views import models as m
from api.web import html

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    return server.client(headers={"Accept": BROWSER})


def test_changes_page_lists_what_each_document_changed(client: httpx.Client) -> None:
    data = client.get("/api/changes").json()
    page = client.get("/changes", params={"lang": "ja"}).text
    assert '<html lang="ja">' in page and "<h1>文書ごとの変更</h1>" in page
    assert 'href="/changes"' in page  # the navigation links it
    for d in data["documents"]:
        assert f'href="{d["document"]["href"]}"' in page
        for c in d["revised"] + d["added"] + d["dropped"]:
            assert f'href="{c["href"]}"' in page
            assert f'href="{c["item_href"]}#history"' in page
    heads = re.findall(r"<th( scope=\"(?:col|row)\")?>", page)
    assert heads and all(heads)  # every header cell says what it heads
    english = client.get("/changes", params={"lang": "en"}).text
    assert '<html lang="en">' in english and "<h1>What each document changed</h1>" in english
    assert ">Changes</a>" in english and "Revised (5)" in english
    assert client.get("/changes", params={"body": "no-such-body"}).status_code == 404


@pytest.mark.parametrize("code", ["III-3", "I-9"])
def test_item_page_shows_the_clause_history(client: httpx.Client, code: str) -> None:
    trace = client.get(f"/api/items/{code}").json()
    page = client.get(f"/items/{code}", params={"lang": "ja"}).text
    section = page.split('<h2 id="history">', 1)[1].split("<h2", 1)[0]
    chains = [h for h in trace["histories"] if len(h["versions"]) > 1]
    assert chains
    for h in chains:
        for v in h["versions"]:
            assert f'href="{v["href"]}"' in section
            assert f'{v["valid_from"] or "?"}–{v["valid_until"] or ""}' in section
            assert v["stated_in"]["title"] in section
    assert "<ins>" in section and "<del>" in section
    assert '<th scope="col">適用期間</th>' in section


def test_suspect_link_is_labelled_in_text() -> None:
    """A suspect link reads 要確認 / suspect as text, not only as a colour."""
    link = m.SuspectLink(
        lower="https://w3id.org/plantrace/id/jlis/annual-clause/III-3/2021/x",
        lower_href="/id/jlis/annual-clause/III-3/2021/x",
        link="implements",
        old="https://w3id.org/plantrace/id/jlis/plan-clause/III-3/old",
        old_href="/id/jlis/plan-clause/III-3/old",
        new="https://w3id.org/plantrace/id/jlis/plan-clause/III-3/new",
        new_href="/id/jlis/plan-clause/III-3/new",
        since="2026-06-23",
    )
    doc = m.DocumentRef(iri="https://w3id.org/plantrace/id/jlis/doc/d", href="/id/jlis/doc/d")
    page = m.ChangesResponse(documents=[m.DocumentChanges(
        document=doc, revised=[], added=[], dropped=[], suspect_links=[link])])  # fmt: skip
    for lang, label in (("ja", "要確認"), ("en", "suspect")):
        scope = {"type": "http", "method": "GET", "path": "/changes", "headers": [],
                 "query_string": f"lang={lang}".encode()}  # fmt: skip
        text = html.render(Request(scope), "changes.html", page=page).body.decode()
        item = text.split('data-suspect="', 1)[1].split("</li>", 1)[0]
        assert f'<strong class="mark suspect">{label}' in item
        assert 'href="/id/jlis/plan-clause/III-3/new"' in item
