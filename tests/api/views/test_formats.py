"""Content negotiation and the result writers (api.views.formats)."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.views import formats as f
from kg.results import json_term

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_negotiate_by_quality_and_specificity() -> None:
    offers = f.TABULAR
    assert f.negotiate(None, offers) == f.JSON
    assert f.negotiate("*/*", offers) == f.JSON
    assert f.negotiate("text/csv", offers) == f.CSV
    assert f.negotiate("text/*;q=0.5, application/sparql-results+xml;q=0.4", offers) == f.CSV
    assert f.negotiate("application/json", offers) == f.JSON
    assert f.negotiate("application/xml", offers) == f.XML
    assert f.negotiate("text/csv;q=0, */*;q=0.1", offers) == f.JSON
    with pytest.raises(f.NotAcceptable):
        f.negotiate("image/png", offers)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert f.negotiate(browser, [f.TURTLE, f.HTML, f.JSONLD]) == f.HTML


def test_format_override() -> None:
    assert f.choose("text/csv", "json", f.TABULAR, rdf=False) == f.JSON
    assert f.choose(None, "json", f.GRAPH, rdf=True) == f.JSONLD
    assert f.choose(None, "xml", f.GRAPH, rdf=True) == f.RDFXML
    assert f.choose(None, "text/turtle", f.GRAPH, rdf=True) == f.TURTLE
    with pytest.raises(f.NotAcceptable) as raised:
        f.choose(None, "csv", f.GRAPH, rdf=True)
    assert raised.value.status == 400


ROWS = [
    (ox.NamedNode("urn:a"), ox.Literal('言葉 "引用"\tタブ', language="ja")),
    (
        ox.BlankNode("b1"),
        ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ),
    (None, ox.Literal("a,b\nc")),
]


def test_writers() -> None:
    doc = json.loads(f.select_json(["x", "y"], ROWS, True))
    assert doc["truncated"] is True
    assert doc["results"]["bindings"][0]["y"] == {
        "type": "literal",
        "value": '言葉 "引用"\tタブ',
        "xml:lang": "ja",
    }
    assert doc["results"]["bindings"][2] == {"y": {"type": "literal", "value": "a,b\nc"}}
    table = list(csv.reader(io.StringIO(f.select_csv(["x", "y"], ROWS, False).decode())))
    assert table == [["x", "y"], ["urn:a", '言葉 "引用"\tタブ'], ["_:b1", "3"], ["", "a,b\nc"]]
    tsv = f.select_tsv(["x", "y"], ROWS, False).decode().split("\n")
    assert tsv[0] == "?x\t?y" and tsv[1].count("\t") == 1 and "\\t" in tsv[1]
    xml = f.select_xml(["x", "y"], ROWS, True).decode()
    assert "<!-- truncated" in xml and 'xml:lang="ja"' in xml and "<bnode>b1</bnode>" in xml
    assert json.loads(f.boolean(True, f.JSON)) == {"head": {}, "boolean": True}


_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
_TERM = st.one_of(
    st.builds(lambda s: ox.NamedNode("urn:x:" + s.encode().hex()), _TEXT),
    st.builds(lambda s: ox.BlankNode("b" + s.encode().hex()), _TEXT),
    st.builds(ox.Literal, _TEXT),
    st.builds(lambda s: ox.Literal(s, language="ja"), _TEXT),
    st.builds(lambda n: ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer")), st.integers()),
    st.builds(
        lambda s: ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(s)), _TEXT
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.none() | _TERM, st.none() | _TERM), max_size=8), st.booleans())
def test_select_json_writes_what_json_term_says(rows: list[tuple], truncated: bool) -> None:
    """select_json writes its text by hand (for speed); it must parse to the objects of
    kg.results.json_term, a repeated term included (written once, reused)."""
    rows = rows + rows[:2]
    doc = json.loads(f.select_json(["x", "y"], rows, truncated))
    assert doc["head"] == {"vars": ["x", "y"]} and doc.get("truncated", False) is truncated
    want = [
        {v: json_term(t) for v, t in zip("xy", row, strict=True) if t is not None} for row in rows
    ]
    assert doc["results"]["bindings"] == want
