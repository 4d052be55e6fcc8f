"""The pre-execution check of SPARQL text (api.workers.guard): what is refused, and what is not."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from servers import ESCAPED_SERVICE

from api.workers.guard import MAX_DEPTH, Checked, Malformed, Refused, check, depth, keywords
from kg.store import PREFIXES

BASE = "http://127.0.0.1/sparql"


def test_keywords_skip_strings_iris_comments_and_names() -> None:
    text = """PREFIX service: <http://x/SERVICE#> # SERVICE in a comment
    SELECT ?service ?load WHERE { ?s service:INSERT "DELETE 'LOAD'" ; <http://x/DROP> '''
    CLEAR ''' . ?s a ex:SERVICE . FILTER(?x < 3 && ?y > 2) } LIMIT 1"""
    words = set(keywords(text))
    assert {"PREFIX", "SELECT", "WHERE", "A", "FILTER", "LIMIT"} <= words
    assert not words & {"SERVICE", "INSERT", "DELETE", "LOAD", "DROP", "CLEAR"}


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
        "select * { optional { service silent ?endpoint { ?s ?p ?o } } }",
        "SELECT * {\n  SeRvIcE<http://x/>{?s ?p ?o}\n}",
        "LOAD <http://x/data.ttl>",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "CREATE GRAPH <urn:g>",
        "ADD <urn:a> TO <urn:b>",
        "SELECT * {} ; DROP ALL",
    ],
)
def test_refused(text: str) -> None:
    with pytest.raises(Refused):
        check(text, BASE, PREFIXES)


def test_queries_are_classified_and_from_resolved() -> None:
    assert check("SELECT * { ?s ?p ?o }", BASE, PREFIXES) == Checked("select")
    assert check("ASK {}", BASE, PREFIXES).form == "ask"
    assert check("CONSTRUCT WHERE { ?s ?p ?o }", BASE, PREFIXES).form == "construct"
    assert check("DESCRIBE <urn:x>", BASE, PREFIXES).form == "describe"
    got = check("PREFIX g: <urn:g:> SELECT * FROM g:one FROM NAMED <two> { }", BASE, PREFIXES)
    assert got.from_graphs == ("urn:g:one",) and got.from_named == ("http://127.0.0.1/two",)
    assert check("SELECT * FROM pt:x {}", BASE, PREFIXES).from_graphs == (PREFIXES["pt"] + "x",)


def test_text_only_pyoxigraph_reads_is_left_to_it() -> None:
    # RDF-star syntax, or a syntax error: without FROM nothing is left to check, so the form is
    # read from the keywords and pyoxigraph decides (and reports errors).
    assert check("SELECT * { << ?s ?p ?o >> ?q ?r }", BASE, PREFIXES).form == "select"
    assert check("ASK {", BASE, PREFIXES).form == "ask"
    assert check("PREFIX a: <http://x/> CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }",
                 BASE, PREFIXES).form == "construct"  # fmt: skip
    with pytest.raises(Refused, match="FROM"):
        check("SELECT * FROM <http://x/> { << ?s ?p ?o >> ?q ?r }", BASE, PREFIXES)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        "SELECT * { { SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
        "SELECT * { ?s ?p ?o } VALUES ?x { 1 } # ...\nSERVICE <http://127.0.0.1:9/> {}",
        "ASK { FILTER(?x < 3) SERVICE <http://127.0.0.1:9/> {} }",
        "ASK { FILTER(?x <?y) SERVICE <http://127.0.0.1:9/> {} }",
    ],
)
def test_refused_in_disguise(text: str) -> None:
    with pytest.raises(Refused):
        check(text, BASE, PREFIXES)



@pytest.mark.parametrize("text", ESCAPED_SERVICE)
def test_escaped_keywords_are_not_keywords_to_pyoxigraph(text: str) -> None:
    """Safe because pyoxigraph does not expand ``\\u`` outside strings and IRIs either: an
    escaped ``SERVICE`` is a syntax error (400), nothing is fetched (over HTTP, with a listener
    that counts connections: ``test_hostile.py``)."""
    with pytest.raises(SyntaxError):
        ox.Store().query(text.replace("{port}", "9"))


def test_nesting_depth() -> None:
    assert depth("SELECT * { ?s ?p ?o FILTER((1)) }") == 3
    assert depth('ASK { ?s ?p "{{{{((((" . <http://x/(> ?p ?o # {{{{\n}') == 1
    assert check("SELECT * " + "{" * MAX_DEPTH + "}" * MAX_DEPTH, BASE, PREFIXES).form == "select"
    for text in ("SELECT * " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1),
                 "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
                 "ASK { ?s " + "(" * 5000 + "<urn:p>" + ")" * 5000 + " ?o }"):  # fmt: skip
        with pytest.raises(Malformed, match=f"at most {MAX_DEPTH}"):
            check(text, BASE, PREFIXES)
