"""Real SPARQL clients against the live servers: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from servers import Server
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.store import GraphStore

PT = "https://w3id.org/plantrace/ontology#"
CODES = f"PREFIX pt: <{PT}> SELECT ?code WHERE {{ ?i a pt:EvaluationItem ; pt:code ?code }}"


def codes(built_store: GraphStore) -> set[str]:
    return {row[0].value for row in built_store.query(CODES).rows}  # type: ignore[union-attr]


def test_sparqlwrapper(any_server: Server, built_store: GraphStore) -> None:
    sparql = SPARQLWrapper(f"{any_server.url}/sparql")
    sparql.setQuery(CODES)
    sparql.setReturnFormat(JSON)
    result = sparql.queryAndConvert()
    assert {b["code"]["value"] for b in result["results"]["bindings"]} == codes(built_store)  # type: ignore[index]
    sparql.setMethod(POST)
    sparql.setReturnFormat(XML)
    document = sparql.queryAndConvert()
    assert len(document.getElementsByTagName("result")) == len(codes(built_store))  # type: ignore[union-attr]
    sparql.setReturnFormat(CSV)
    text = sparql.queryAndConvert().decode()  # type: ignore[union-attr]
    assert text.splitlines()[0] == "code"
    sparql.setQuery(f"PREFIX pt: <{PT}> CONSTRUCT {{ ?i pt:code ?c }} WHERE {{ ?i pt:code ?c }}")
    sparql.setReturnFormat(TURTLE)
    graph = Graph().parse(data=sparql.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert {str(o) for o in graph.objects()} >= codes(built_store)
    sparql.setQuery("ASK { ?s ?p ?o }")
    sparql.setReturnFormat(JSON)
    assert sparql.queryAndConvert()["boolean"] is True  # type: ignore[index]


def test_sparqlwrapper_update_is_refused(server: Server) -> None:
    sparql = SPARQLWrapper(f"{server.url}/sparql")
    sparql.setMethod(POST)
    sparql.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((SPARQLWrapperException, Exception)) as raised:
        sparql.query()
    assert "403" in str(raised.value) or "read-only" in str(raised.value)


def test_rdflib_sparqlstore(any_server: Server, built_store: GraphStore) -> None:
    graph = Graph(store=SPARQLStore(f"{any_server.url}/sparql", returnFormat="json"))
    found = {str(row[0]) for row in graph.query(CODES)}  # type: ignore[index]
    assert found == codes(built_store)
    items = set(graph.subjects(RDF.type, URIRef(PT + "EvaluationItem")))
    assert len(items) == len(found)
    item = URIRef("https://w3id.org/plantrace/id/jlis/item/I-1")
    assert Literal("I-1") in set(graph.objects(item, URIRef(PT + "code")))
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


def test_rdflib_update_store_is_refused(server: Server) -> None:
    endpoint = f"{server.url}/sparql"
    updates = SPARQLUpdateStore(endpoint, endpoint)
    with pytest.raises(Exception) as raised:
        updates.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert "403" in str(raised.value)
    with pytest.raises(Exception) as raised:
        updates.add((URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")))
    assert "403" in str(raised.value)
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    assert not graph.query("ASK { <urn:a> ?p ?o }").askAnswer
