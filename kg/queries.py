"""The SPARQL the service runs on its own behalf: one place for every query of the JSON API, the
linked-data pages, the downloads and the CSV trace.

Queries are written against the public vocabulary (docs/architecture.md, "Vocabulary"), never
against what today's documents happen to contain, and they read the default graph, which is the
union of all named graphs (:mod:`kg.store`). Each function takes a :data:`QueryFn`
(``GraphStore.query`` or ``RemoteGraphStore.query``: the same code runs on the embedded and on a
remote store) and returns rows as dictionaries of plain Python values (:func:`python_value`), which
:mod:`api.views` shapes into the API's models.

Values that come from a request (an item code, an IRI) enter a query only as an escaped RDF term
(:func:`literal`, :func:`iri`), so no request can change a query's structure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox

from kg.config import SHAPES_DIR
from kg.errors import PlantraceError
from kg.namespaces import (
    CURATED_GRAPH,
    DCTERMS,
    PT,
    PUBLICATION_GRAPH,
    item_iri,
    publisher_iri,
)
from kg.store import QueryResult, Term

QueryFn = Callable[[str], QueryResult]
"""Runs one SPARQL query over the union of all graphs (prefixes of ``kg.store.PREFIXES``)."""

Value = str | int | Decimal | bool | None
Row = dict[str, Value]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    f"{XSD}{t}"
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
        "unsignedByte",
    )
}  # fmt: skip


def python_value(term: Term | None) -> Value:
    """An RDF term as a Python value: IRIs and strings as ``str``, numbers and booleans typed."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype == f"{XSD}decimal":
                return Decimal(term.value)
            if datatype == f"{XSD}boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    return str(term)


def select(run: QueryFn, sparql: str) -> list[Row]:
    """The rows of a SELECT query as dictionaries (unbound variables are ``None``)."""
    result = run(sparql)
    return [
        {name: python_value(term) for name, term in zip(result.variables, row, strict=True)}
        for row in result.rows
    ]


def iri(value: str) -> str:
    """``value`` as a SPARQL IRI term; raises ``ValueError`` if it is not a valid IRI."""
    return str(ox.NamedNode(value))


def literal(value: str) -> str:
    """``value`` as an escaped SPARQL string literal."""
    return str(ox.Literal(value))


def values(var: str, terms: Iterable[str]) -> str:
    """A ``VALUES ?var { … }`` block of already-escaped terms."""
    return f"VALUES ?{var} {{ {' '.join(terms)} }}"


def optional(var: str, **attributes: str) -> str:
    """One ``OPTIONAL { ?var <path> ?name }`` line per attribute (``name=path``): the optional
    properties of the nodes a query lists."""
    return "\n  ".join(f"OPTIONAL {{ ?{var} {path} ?{name} }}" for name, path in attributes.items())


def _codes(codes: Sequence[str] | None, body: str | None = None) -> str:
    """The items a query is about: ``codes`` (default: all; needed with ``body``, see
    :func:`item_codes`) of publisher ``body`` (its id, as in ``/id/{body}/``; default: every
    publisher's). With ``body`` the items are bound by IRI, so the query starts from those few
    nodes rather than from every body's items; the query binds ``?code`` itself."""
    if body is None:
        return values("code", (literal(c) for c in codes)) if codes is not None else ""
    if codes is None:  # inside a larger query they would be planned over every body's items
        raise ValueError("a body's items are asked for by code: see item_codes()")
    # ``?item`` alone: every query using this binds ``?code`` by ``?item pt:code ?code``, and
    # Virtuoso 7.2 fails to compile a one-row VALUES of two variables followed by an OPTIONAL
    # ("ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED")
    return values("item", (term for c in codes if (term := _item_term(body, c))))


def _item_term(body: str, code: str) -> str | None:
    """The item's IRI as a SPARQL term; None when ``body`` and ``code`` make no valid IRI
    (then no such item can exist)."""
    try:
        return iri(item_iri(body, code))
    except ValueError:
        return None


# --- items and grades --------------------------------------------------------------------------


def _documents_of(body: str) -> str:
    """Binds ``?document`` to the documents of publisher ``body``: each names the graph that
    holds what it states (docs/architecture.md, "Stores"), so a body's data is read from those few
    graphs rather than picked out of every body's."""
    return f"?document dcterms:publisher {iri(publisher_iri(body))} ."


def bodies(run: QueryFn) -> list[Row]:
    """The publishers of the documents with how many items their documents type, and their
    labels (one row per label). Starts from the documents' ``dcterms:publisher`` and reads only
    their graphs, so it stays cheap however many triples the store holds."""
    return select(
        run,
        """SELECT ?publisher ?items ?label ?lang WHERE {
  { SELECT ?publisher (COUNT(DISTINCT ?item) AS ?items) WHERE {
      ?document dcterms:publisher ?publisher .
      OPTIONAL { GRAPH ?document { ?item a pt:EvaluationItem } }
    } GROUP BY ?publisher }
  OPTIONAL { ?publisher rdfs:label ?label BIND(LANG(?label) AS ?lang) }
}""",
    )


def item_publishers(run: QueryFn, code: str) -> list[str]:
    """The publishers whose documents type an item with ``code`` (item codes repeat across
    bodies: ``I-1`` is every body's first item)."""
    rows = select(
        run,
        f"""SELECT DISTINCT ?publisher WHERE {{
  ?item pt:code {literal(code)} .
  GRAPH ?document {{ ?item a pt:EvaluationItem }}
  ?document dcterms:publisher ?publisher .
}}""",
    )
    return sorted(str(r["publisher"]) for r in rows)


def item_codes(run: QueryFn, body: str) -> list[str]:
    """The codes of the items typed in the documents of publisher ``body`` (one named graph
    each): a query of its own, since inside a larger one it is planned over every body's
    items."""
    rows = select(
        run,
        f"""SELECT DISTINCT ?code WHERE {{
  {_documents_of(body)}
  GRAPH ?document {{ ?item a pt:EvaluationItem ; pt:code ?code }}
}}""",
    )
    return sorted(str(r["code"]) for r in rows)


def items(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """Every evaluation item (``pt:EvaluationItem``) with its code, category and labels."""
    return select(
        run,
        f"""SELECT ?item ?code ?category ?label ?legalBasisText ?relatedPolicy WHERE {{
  {_codes(codes, body)}
  ?item a pt:EvaluationItem ; pt:code ?code .
  {optional("item", category="pt:category", label="rdfs:label",
             legalBasisText="pt:legalBasisText", relatedPolicy="pt:relatedPolicy")}
}}""",
    )


def evaluations(
    run: QueryFn,
    codes: Sequence[str] | None = None,
    year: int | None = None,
    body: str | None = None,
) -> list[Row]:
    """Item grades: one row per evaluation (and per value of its optional properties)."""
    year_filter = f"FILTER(?year = {int(year)})" if year is not None else ""
    return select(
        run,
        f"""SELECT ?e ?by ?code ?year ?grade ?gradeIri ?importanceHigh ?difficultyHigh ?priority
       ?rationale WHERE {{
  {_codes(codes, body)}
  ?e pt:evaluates ?item ; pt:fiscalYear ?fy ; pt:grade ?gradeIri .
  ?item pt:code ?code . ?fy pt:year ?year .
  {year_filter}
  {{ ?e a pt:SelfEvaluation BIND("self" AS ?by) }}
  UNION {{ ?e a pt:MinisterialEvaluation BIND("ministerial" AS ?by) }}
  OPTIONAL {{ ?gradeIri skos:notation ?grade }}
  {optional("e", importanceHigh="pt:importanceHigh", difficultyHigh="pt:difficultyHigh",
             priority="pt:priority", rationale="pt:rationale")}
}}""",
    )


def overall_evaluations(
    run: QueryFn, year: int | None = None, body: str | None = None
) -> list[Row]:
    """Overall grades (``pt:OverallEvaluation``) by year (of publisher ``body``: those typed in
    its documents, found first and then bound by IRI, as in :func:`trace_nodes`); ``?type``
    lists each node's types."""
    year_filter = f"FILTER(?year = {int(year)})" if year is not None else ""
    own = ""
    if body is not None:
        found = select(
            run,
            f"""SELECT DISTINCT ?e WHERE {{
  {_documents_of(body)} GRAPH ?document {{ ?e a pt:OverallEvaluation }}
}}""",
        )
        if not found:
            return []
        own = values("e", sorted(iri(str(r["e"])) for r in found))
    return select(
        run,
        f"""SELECT ?e ?year ?grade ?gradeIri ?type WHERE {{
  {own}
  ?e a pt:OverallEvaluation ; pt:fiscalYear/pt:year ?year ; pt:grade ?gradeIri .
  {year_filter}
  OPTIONAL {{ ?gradeIri skos:notation ?grade }}
  OPTIONAL {{ ?e a ?type }}
}}""",
    )


def grade_ranks(run: QueryFn) -> list[Row]:
    """The grade concepts with their notation and rank (from the ontology)."""
    return select(
        run,
        """SELECT ?grade ?notation ?rank WHERE {
  ?grade a pt:Grade . OPTIONAL { ?grade skos:notation ?notation }
  OPTIONAL { ?grade pt:rank ?rank }
}""",
    )


# --- the trace ---------------------------------------------------------------------------------


CLAUSE_LEVELS = {
    "https://w3id.org/plantrace/ontology#GoalClause": "goal",
    "https://w3id.org/plantrace/ontology#PlanClause": "plan",
    "https://w3id.org/plantrace/ontology#AnnualPlanClause": "annual",
}
"""Clause classes and the level names the API uses for them."""


def clauses(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """Goal, plan and annual plan clauses of items, with text, section, year and what they
    implement (one row per implemented clause)."""
    return select(
        run,
        f"""SELECT ?clause ?class ?code ?text ?label ?section ?year ?implements WHERE {{
  {_codes(codes, body)}
  VALUES ?class {{ pt:GoalClause pt:PlanClause pt:AnnualPlanClause }}
  ?clause a ?class ; pt:item ?item . ?item pt:code ?code .
  {optional("clause", text="pt:text", label="rdfs:label", section="pt:sectionNumber",
             year="pt:fiscalYear/pt:year", implements="pt:implements")}
}}""",
    )


def indicators(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """Indicators of items: label, whether quantitative, and what they measure (one row each)."""
    return select(
        run,
        f"""SELECT ?indicator ?code ?label ?quantitative ?measures WHERE {{
  {_codes(codes, body)}
  ?indicator a pt:Indicator ; pt:item ?item . ?item pt:code ?code .
  OPTIONAL {{ ?indicator rdfs:label ?label }}
  BIND(EXISTS {{ ?indicator a pt:QuantitativeIndicator }} AS ?quantitative)
  OPTIONAL {{ ?indicator pt:measures ?measures }}
}}""",
    )


def observations(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """Actual values of the items' indicators, by fiscal year, with how far each reached its
    target (``?achievement``, percent) and the rubric band that puts it in (``?impliedGrade``)."""
    return select(
        run,
        f"""SELECT ?observation ?indicator ?year ?value ?unit ?subject ?statistic ?text
       ?approximate ?achievement ?impliedGrade WHERE {{
  {_codes(codes, body)}
  ?observation pt:indicator ?indicator . ?indicator pt:item ?item . ?item pt:code ?code .
  {optional("observation", year="pt:fiscalYear/pt:year", value="pt:value", unit="pt:unit",
             subject="pt:subject", statistic="pt:statistic", text="pt:text",
             approximate="pt:approximate", achievement="pt:achievement",
             impliedGrade="pt:impliedGrade/skos:notation")}
}}""",
    )


def legal_basis(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """The provisions items rest on (``pt:legalBasis``), with their statute."""
    return select(
        run,
        f"""SELECT ?code ?provision WHERE {{
  {_codes(codes, body)}
  ?item pt:code ?code ; pt:legalBasis ?provision .
}}""",
    )


def provision_refs(run: QueryFn, nodes: Iterable[str]) -> list[Row]:
    """Article labels of provisions and the statute each belongs to (through its articles)."""
    terms = sorted({iri(n) for n in nodes})
    if not terms:
        return []
    return select(
        run,
        f"""SELECT ?provision ?articleLabel ?label ?statute ?statuteLabel WHERE {{
  {values("provision", terms)}
  OPTIONAL {{ ?provision pt:articleLabel ?articleLabel }}
  OPTIONAL {{ ?provision rdfs:label ?label }}
  OPTIONAL {{
    ?provision dcterms:isPartOf+ ?statute . ?statute a pt:Statute .
    OPTIONAL {{ ?statute skos:altLabel|rdfs:label|dcterms:title ?statuteLabel }}
  }}
}}""",
    )


def spans(run: QueryFn, nodes: Iterable[str]) -> list[Row]:
    """The source spans (``prov:wasDerivedFrom``) of ``nodes``: document and lines."""
    terms = sorted({iri(n) for n in nodes})
    if not terms:
        return []
    return select(
        run,
        f"""SELECT ?node ?span ?document ?start ?end WHERE {{
  {values("node", terms)}
  ?node prov:wasDerivedFrom ?span .
  ?span pt:document ?document .
  OPTIONAL {{ ?span pt:lineStart ?start }}
  OPTIONAL {{ ?span pt:lineEnd ?end }}
}}""",
    )


def documents(run: QueryFn, iris: Iterable[str] | None = None) -> list[Row]:
    """Source documents (those of ``iris``; default: all): titles by language, file, hash,
    issue date, kind."""
    chosen = "" if iris is None else values("document", sorted({iri(d) for d in iris}))
    return select(
        run,
        f"""SELECT ?document ?title ?lang ?file ?sha256 ?issued ?kind WHERE {{
  {chosen}
  ?document a pt:SourceDocument .
  OPTIONAL {{ ?document dcterms:title ?title BIND(LANG(?title) AS ?lang) }}
  {optional("document", file="pt:fileName", sha256="pt:sha256", issued="dcterms:issued",
             kind="pt:documentKind")}
}}""",
    )


# --- statutes and impact -----------------------------------------------------------------------


def statutes(run: QueryFn) -> list[Row]:
    """Statutes with title, short name, law number and e-Gov law ID."""
    return select(
        run,
        f"""SELECT ?statute ?title ?label ?shortName ?lawNumber ?egovLawId WHERE {{
  ?statute a pt:Statute .
  {optional("statute", title="dcterms:title", label="rdfs:label", shortName="skos:altLabel",
             lawNumber="pt:lawNumber", egovLawId="pt:egovLawId")}
}}""",
    )


def provisions(run: QueryFn) -> list[Row]:
    """Provisions with the node they are part of (a statute, or an article for a paragraph)."""
    return select(
        run,
        f"""SELECT ?provision ?partOf ?articleLabel ?caption ?text ?label WHERE {{
  ?provision a pt:Provision .
  {optional("provision", partOf="dcterms:isPartOf", articleLabel="pt:articleLabel",
             caption="pt:caption", text="pt:text", label="rdfs:label")}
}}""",
    )


DEPENDENCY_PREDICATES = (
    "pt:authorizedBy",
    "pt:legalBasis",
    "pt:partOf",
    "pt:implements",
    "pt:item",
    "pt:measures",
    "pt:indicator",
    "pt:evaluates",
    "dcterms:isPartOf",
)
"""``?x P ?y`` means *x depends on y*: a plan document on the article that authorizes it, a clause
on the plan it is part of and the clause it implements, an indicator on the clause it measures,
an observation on its indicator, an evaluation on its item, a paragraph on its article."""

REVERSE_DEPENDENCY_PREDICATES = ("pt:target", "pt:staff")
"""``?y P ?x`` means *x depends on y*: a target depends on its indicator, a staff count on its
item."""


def dependents(run: QueryFn, nodes: Iterable[str]) -> list[Row]:
    """Nodes that depend directly on one of ``nodes`` (one step of an impact analysis).

    Besides the dependency predicates, anything that points at a provision or statute with any
    other predicate (except ``rdf:type`` and provenance) is counted as depending on it, so a
    future property citing a provision is not missed.
    """
    terms = sorted({iri(n) for n in nodes})
    if not terms:
        return []
    forward = " ".join(DEPENDENCY_PREDICATES)
    reverse = " ".join(REVERSE_DEPENDENCY_PREDICATES)
    excluded = ", ".join(DEPENDENCY_PREDICATES)
    return select(
        run,
        f"""SELECT DISTINCT ?node ?predicate ?on WHERE {{
  {values("on", terms)}
  {{ VALUES ?predicate {{ {forward} }} ?node ?predicate ?on . }}
  UNION {{ VALUES ?predicate {{ {reverse} }} ?on ?predicate ?node . }}
  UNION {{
    ?on a ?legal . VALUES ?legal {{ pt:Provision pt:Statute }}
    ?node ?predicate ?on .
    FILTER(?predicate NOT IN (rdf:type, prov:wasDerivedFrom, rdfs:seeAlso, {excluded}))
  }}
  FILTER(isIRI(?node))
}}""",
    )


def dependency_links(run: QueryFn, nodes: Iterable[str] | None = None) -> list[Row]:
    """Every dependency link of the graph at once (``?node`` depends on ``?on`` through
    ``?predicate``), by the rules of :func:`dependents`: for analyses of the whole trace.

    With ``nodes``, the links of those nodes only (one body's trace, :func:`trace_nodes`). They
    are bound as (node, predicate) pairs: with the nodes and the predicates in two ``VALUES``
    blocks, pyoxigraph joins the predicates with every body's triples first (a minute and
    more on 1000 bodies); with the pairs each link is one index lookup."""
    excluded = ", ".join(DEPENDENCY_PREDICATES)
    if nodes is None:
        forward = f"VALUES ?predicate {{ {' '.join(DEPENDENCY_PREDICATES)} }}"
        reverse = f"VALUES ?predicate {{ {' '.join(REVERSE_DEPENDENCY_PREDICATES)} }}"
        legal = "VALUES ?legal { pt:Provision pt:Statute } ?on a ?legal ."
    else:
        terms = sorted({iri(n) for n in nodes})
        if not terms:
            return []

        def pairs(predicates: Sequence[str]) -> str:
            bound = " ".join(f"({n} {p})" for n in terms for p in predicates)
            return f"VALUES (?node ?predicate) {{ {bound} }}"

        forward = pairs(DEPENDENCY_PREDICATES)
        reverse = pairs(REVERSE_DEPENDENCY_PREDICATES)
        legal = f"{values('node', terms)} ?on a ?legal FILTER(?legal IN (pt:Provision, pt:Statute))"
    return select(
        run,
        f"""SELECT DISTINCT ?node ?predicate ?on WHERE {{
  {{ {forward} ?node ?predicate ?on . }}
  UNION {{ {reverse} ?on ?predicate ?node . }}
  UNION {{
    {legal}
    ?node ?predicate ?on .
    FILTER(?predicate NOT IN (rdf:type, prov:wasDerivedFrom, rdfs:seeAlso, {excluded}))
  }}
  FILTER(isIRI(?node) && isIRI(?on))
}}""",
    )


TRACE_CLASSES = (
    "pt:Statute", "pt:Provision", "pt:MidTermGoal", "pt:MidTermPlan", "pt:AnnualPlan",
    "pt:GoalClause", "pt:PlanClause", "pt:AnnualPlanClause", "pt:Indicator",
    "pt:QuantitativeIndicator", "pt:Target", "pt:Observation", "pt:EvaluationItem",
    "pt:SelfEvaluation", "pt:MinisterialEvaluation", "pt:OverallEvaluation", "pt:StaffCount",
)  # fmt: skip
"""The classes of the trace, from the law to the grades (see :mod:`kg.analysis`)."""


_NODE_ATTRIBUTES = """OPTIONAL { ?node (pt:code|pt:item/pt:code|pt:evaluates/pt:code
                    |pt:indicator/pt:item/pt:code|^pt:target/pt:item/pt:code|^pt:staff/pt:code)
                    ?code }
  OPTIONAL { ?node pt:fiscalYear/pt:year ?year }
  OPTIONAL { ?node rdfs:label|pt:articleLabel|dcterms:title|pt:text ?label
             BIND(LANG(?label) AS ?lang) }"""
"""The item code, year and labels of a trace node (``?node``)."""


def trace_nodes(run: QueryFn, body: str | None = None) -> list[Row]:
    """Nodes of the :data:`TRACE_CLASSES`: one row per type, item code, year and label
    (labels in every language, ``?lang`` their tag; a clause's label is its text).

    With ``body``, the nodes of publisher ``body``'s trace: those its documents type (read from
    their graphs), those of the curated facts under its IRIs, and the statutes and provisions
    every body shares. Two queries — the nodes and their types, then the attributes of those
    nodes by IRI — since one query joining them is planned over every body's nodes (seconds
    on 100 bodies, minutes on 1000)."""
    classes = " ".join(TRACE_CLASSES)
    if body is None:
        return select(
            run,
            f"""SELECT ?node ?type ?code ?year ?label ?lang WHERE {{
  VALUES ?type {{ {classes} }}
  ?node a ?type .
  {_NODE_ATTRIBUTES}
}}""",
        )
    below = literal(publisher_iri(body) + "/")
    typed = select(
        run,
        f"""SELECT DISTINCT ?node ?type WHERE {{
  VALUES ?type {{ {classes} }}
  {{ {_documents_of(body)} GRAPH ?document {{ ?node a ?type }} }}
  UNION {{ GRAPH {iri(str(CURATED_GRAPH))} {{ ?node a ?type }}
          FILTER(STRSTARTS(STR(?node), {below})) }}
  UNION {{ VALUES ?type {{ pt:Statute pt:Provision }} ?node a ?type }}
}}""",
    )
    type_of = {str(r["node"]): r["type"] for r in typed}
    if not type_of:
        return []
    attributes = select(
        run,
        f"""SELECT ?node ?code ?year ?label ?lang WHERE {{
  {values("node", sorted(iri(n) for n in type_of))}
  {_NODE_ATTRIBUTES}
}}""",
    )
    blank = {"code": None, "year": None, "label": None, "lang": None}
    return [{**r, **blank} for r in typed] + [
        {**r, "type": type_of[str(r["node"])]} for r in attributes
    ]


def node_summaries(run: QueryFn, nodes: Iterable[str]) -> list[Row]:
    """Types, labels, codes and years of ``nodes``, for listing them to people."""
    terms = sorted({iri(n) for n in nodes})
    if not terms:
        return []
    return select(
        run,
        f"""SELECT ?node ?type ?label ?code ?year WHERE {{
  {values("node", terms)}
  OPTIONAL {{ ?node a ?type }}
  OPTIONAL {{ ?node rdfs:label|pt:articleLabel|dcterms:title ?label }}
  OPTIONAL {{ ?node (pt:code|pt:item/pt:code|pt:evaluates/pt:code|pt:indicator/pt:item/pt:code)
                    ?code }}
  OPTIONAL {{ ?node pt:fiscalYear/pt:year ?year }}
}}""",
    )


# --- search ------------------------------------------------------------------------------------


def searchable_texts(
    run: QueryFn, body: str | None = None, containing: Sequence[Sequence[str]] = ()
) -> list[Row]:
    """The texts search looks at: clause texts and indicator labels, with item and year; of
    publisher ``body`` only if given (the texts its documents' named graphs hold); only texts
    that hold, for each group of ``containing``, one of its strings."""
    condition = " && ".join(
        "(" + " || ".join(f"CONTAINS(?text, {literal(s)})" for s in group) + ")"
        for group in containing
    )
    test = f"FILTER({condition})" if condition else ""
    clause_texts = f"?node pt:text ?text . {test}"
    if body is None:
        # Every body's clause texts are filtered before their class is looked up: Oxigraph
        # would join every clause in the store with its class first (8 s at 1000 bodies, not
        # 2.6 s). Inside one body's graphs the plain pattern is the fast one (a sub-select
        # there is evaluated over every graph: 12 s, not 60 ms).
        clause_texts = f"{{ SELECT ?node ?text WHERE {{ {clause_texts} }} }}"
    texts = f"""{{
    {clause_texts}
    VALUES ?class {{ pt:GoalClause pt:PlanClause pt:AnnualPlanClause }}
    ?node a ?class .
  }} UNION {{
    ?node a pt:Indicator ; rdfs:label ?text . {test} BIND(pt:Indicator AS ?class)
  }}"""
    if body is not None:
        texts = f"""{_documents_of(body)}
  GRAPH ?document {{
  {texts}
  }}"""
    return select(
        run,
        f"""SELECT ?node ?class ?text ?code ?year WHERE {{
  {texts}
  OPTIONAL {{ ?node pt:item/pt:code ?code }}
  OPTIONAL {{ ?node pt:fiscalYear/pt:year ?year }}
}}""",
    )


# --- linked data -------------------------------------------------------------------------------


def exists(run: QueryFn, node: str) -> bool:
    """Whether ``node`` occurs in the data, as a subject, an object or a graph name."""
    term = iri(node)
    result = run(
        f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }}"
        f" UNION {{ GRAPH {term} {{ ?s ?p ?o }} }} }}"
    )
    return bool(result.boolean)


def outgoing(run: QueryFn, node: str) -> QueryResult:
    """``(predicate, object)`` of every triple about ``node`` (raw terms, for rendering)."""
    return run(f"SELECT ?p ?o WHERE {{ {iri(node)} ?p ?o }}")


def incoming(run: QueryFn, node: str, limit: int) -> QueryResult:
    """``(subject, predicate)`` of triples pointing at ``node``, at most ``limit``."""
    return run(f"SELECT ?s ?p WHERE {{ ?s ?p {iri(node)} }} LIMIT {int(limit)}")


def description(run: QueryFn, node: str, incoming_limit: int) -> QueryResult:
    """The triples about ``node`` and (at most ``incoming_limit``) triples pointing at it."""
    term = iri(node)
    return run(
        f"""CONSTRUCT {{ {term} ?p ?o . ?s ?q {term} }} WHERE {{
  {{ {term} ?p ?o }} UNION {{ SELECT ?s ?q WHERE {{ ?s ?q {term} }} LIMIT {int(incoming_limit)} }}
}}"""
    )


def labels(run: QueryFn, nodes: Iterable[str]) -> list[Row]:
    """Labels (any language) of ``nodes``, for showing IRIs to people."""
    terms = sorted({iri(n) for n in nodes})
    if not terms:
        return []
    return select(
        run,
        f"""SELECT ?node ?label ?lang WHERE {{
  {values("node", terms)}
  ?node rdfs:label|skos:prefLabel|dcterms:title|skos:notation|pt:code ?label .
  BIND(LANG(?label) AS ?lang)
}}""",
    )


def graph_sizes(run: QueryFn) -> list[Row]:
    """Triples per named graph (not counting a remote store's publication stamp, which is not
    data: :func:`stamp_publication`)."""
    return select(
        run,
        f"""SELECT ?graph (COUNT(*) AS ?triples) WHERE {{ GRAPH ?graph {{ ?s ?p ?o }}
  FILTER(?graph != {iri(str(PUBLICATION_GRAPH))}) }} GROUP BY ?graph""",
    )


def class_sizes(run: QueryFn) -> list[Row]:
    """Distinct instances per class (over the union of graphs)."""
    return select(
        run, "SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s a ?class } GROUP BY ?class"
    )


def publishers(run: QueryFn) -> list[Row]:
    """Publishers of the source documents."""
    return select(
        run,
        """SELECT DISTINCT ?publisher WHERE { ?document a pt:SourceDocument ;
  dcterms:publisher ?publisher }""",
    )


def graphs_of(run: QueryFn, body: str) -> list[str]:
    """The named graphs of publisher ``body``'s documents and the shared ones (whose graph
    states no publisher: the ontology, the statutes, curated links), grouped as
    :func:`kg.bodies.split` groups them: what validating that one body reads."""
    rows = select(
        run,
        f"""SELECT DISTINCT ?g WHERE {{
  {{ GRAPH ?g {{ ?g dcterms:publisher {iri(publisher_iri(body))} }} }}
  UNION {{ GRAPH ?g {{ }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?g dcterms:publisher ?any }} }} }}
}}""",
    )
    return sorted(str(r["g"]) for r in rows)


# --- targets and achievements ------------------------------------------------------------------

TARGET_LEVELS = {"https://w3id.org/plantrace/ontology#Indicator": "indicator", **CLAUSE_LEVELS}
"""The classes that state targets and the level names the API uses for them."""

_TARGET_OWNER = """VALUES (?ownerClass ?level) { (pt:Indicator "indicator") (pt:GoalClause "goal")
      (pt:PlanClause "plan") (pt:AnnualPlanClause "annual") }
    ?owner pt:target ?target ; a ?ownerClass .
    OPTIONAL { ?owner pt:fiscalYear/pt:year ?ownerYear }"""
"""Binds ``?owner``, the indicator or clause stating ``?target``, its ``?level`` and, for an
annual plan clause, its ``?ownerYear``. Virtuoso 7.2 fails to compile a query where this
follows a one-row ``VALUES`` directly ("no SPART_VARR_FIXED"): join the owner to its item
first."""


def grade_basis(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """What a grade can be held against: each actual value of the items' indicators with its
    year, its ``?achievement`` (percent) and ``?impliedGrade`` (notation of the rubric band),
    the target it was compared with (``?target``, value, unit, comparator, text, period) and
    where that target is stated (``?level`` "indicator", "goal", "plan" or "annual", ``?owner``
    the indicator or clause, ``?ownerYear`` an annual plan's year), and the notes saying why
    an achievement or band is missing (``?noteJa``, ``?noteEn``). One row per observation (and
    per value of its optional properties: a target read from two documents has two texts)."""
    return select(
        run,
        f"""SELECT ?code ?year ?indicator ?indicatorLabel ?observation ?value ?unit ?subject
       ?statistic ?achievement ?impliedGrade ?target ?targetValue ?targetUnit ?comparator
       ?targetText ?period ?level ?owner ?ownerYear ?noteJa ?noteEn WHERE {{
  {_codes(codes, body)}
  ?observation pt:indicator ?indicator . ?indicator pt:item ?item . ?item pt:code ?code .
  {optional("observation", year="pt:fiscalYear/pt:year", value="pt:value", unit="pt:unit",
             subject="pt:subject", statistic="pt:statistic", achievement="pt:achievement",
             impliedGrade="pt:impliedGrade/skos:notation")}
  OPTIONAL {{ ?indicator rdfs:label ?indicatorLabel }}
  OPTIONAL {{ ?observation pt:achievementNote ?noteJa FILTER(LANG(?noteJa) = "ja") }}
  OPTIONAL {{ ?observation pt:achievementNote ?noteEn FILTER(LANG(?noteEn) = "en") }}
  OPTIONAL {{
    ?observation pt:achievementOf ?target .
    {_TARGET_OWNER}
    FILTER(?level != "indicator" || ?owner = ?indicator)
    {optional("target", targetValue="pt:targetValue", targetUnit="pt:unit",
               comparator="pt:comparator", targetText="pt:text", period="pt:perPeriod")}
  }}
}}""",
    )


def target_chain(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """Every target the items' indicators and clauses state, with where it is stated
    (``?level``, ``?owner``, ``?ownerYear`` as in :func:`grade_basis`), its value, unit,
    comparator, text, period and ``?refines``, the target of the level above it elaborates:
    one row per refined target, so following ``?refines`` to its own row walks the chain
    (indicator → annual plan → plan → goal)."""
    return select(
        run,
        f"""SELECT ?code ?target ?level ?owner ?ownerYear ?value ?unit ?comparator ?text
       ?period ?approximate ?refines WHERE {{
  {_codes(codes, body)}
  ?owner pt:item ?item . ?item pt:code ?code .
  {_TARGET_OWNER}
  {optional("target", value="pt:targetValue", unit="pt:unit", comparator="pt:comparator",
             text="pt:text", period="pt:perPeriod", approximate="pt:approximate",
             refines="pt:refines")}
}}""",
    )


# --- the remote store's own upkeep (kg.remote) --------------------------------------------------
# Plain SPARQL 1.1, without SILENT anywhere: a store's error must reach the user (issue 19).


def _own(var: str, prefix: str, *excluded: str) -> str:
    """A filter keeping ``?var`` to graphs under ``prefix`` other than ``excluded`` prefixes."""
    tests = [f"STRSTARTS(STR(?{var}), {literal(prefix)})"]
    tests += [f"!STRSTARTS(STR(?{var}), {literal(e)})" for e in excluded]
    return f"FILTER({' && '.join(tests)})"


def graph_counts() -> str:
    """Every non-empty named graph and its triples. Graphs are picked by name afterwards, not
    by a FILTER: Virtuoso answers this grouping at once, but takes a third of a second for
    ``DISTINCT ?g`` with a FILTER on ``?g``, and never answers ``DISTINCT ?g`` without one."""
    return "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graph_fingerprint(graph: str, hashes: bool) -> str:
    """What a graph holds, in one row: its triples, the characters of its literals and, with
    ``hashes``, the least and greatest MD5 of its triples without blank nodes. The same query
    on the store and on the embedded store that was published must give the same row."""
    digest = " (MIN(?h) AS ?low) (MAX(?h) AS ?high)" if hashes else ""
    bind = (
        """
  BIND(IF(isBlank(?s) || isBlank(?o), "", MD5(CONCAT(STR(?s), " ", STR(?p), " ",
    IF(isLiteral(?o), CONCAT(STR(?o), "@", LANG(?o), "^", STR(DATATYPE(?o))), STR(?o)))))
    AS ?h)"""
        if hashes
        else ""
    )
    return f"""SELECT (COUNT(*) AS ?n) (SUM(?len) AS ?chars){digest} WHERE {{
  GRAPH {iri(graph)} {{ ?s ?p ?o }}
  BIND(IF(isLiteral(?o), STRLEN(STR(?o)), 0) AS ?len){bind}
}}"""


def default_size() -> str:
    """The triples of the default graph (the union, where the store keeps it there)."""
    return "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def move_graph(source: str, target: str) -> str:
    """Replace graph ``target`` by graph ``source``, which is then gone."""
    return f"MOVE GRAPH {iri(source)} TO GRAPH {iri(target)}"


def copy_graph_by_insert(source: str, target: str) -> str:
    """What :func:`move_graph` does, for stores whose ``MOVE`` cannot be trusted: empty
    ``target``, copy ``source`` into it, drop ``source``."""
    return (
        f"{clear_graph(target)} ;\n"
        f"INSERT {{ GRAPH {iri(target)} {{ ?s ?p ?o }} }}"
        f" WHERE {{ GRAPH {iri(source)} {{ ?s ?p ?o }} }}"
        f" ;\n{drop_graph(source)}"
    )


def drop_graph(graph: str) -> str:
    """Remove graph ``graph``, which exists (an error otherwise)."""
    return f"DROP GRAPH {iri(graph)}"


def clear_graph(graph: str) -> str:
    """Empty graph ``graph``, whether it exists or not (no error either way, no SILENT)."""
    return f"DELETE WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"


def refresh_union(union: str | None, prefix: str, *excluded: str) -> str:
    """Make the default graph (``union`` None) or graph ``union`` the RDF merge of the named
    graphs under ``prefix`` but not under ``excluded`` (the union every query reads)."""
    where = f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_own('g', prefix, *excluded)} }}"
    if union is None:
        return f"DROP DEFAULT ;\nINSERT {{ ?s ?p ?o }} {where}"
    return f"{clear_graph(union)} ;\nINSERT {{ GRAPH {iri(union)} {{ ?s ?p ?o }} }} {where}"


def stamp_publication(token: str, issued: str) -> str:
    """Replace the publication stamp (:data:`kg.namespaces.PUBLICATION_GRAPH`) with one saying
    ``token`` (new with every publication) and ``issued`` (an ``xsd:dateTime``): a remote
    store's generation, which a server keys its answers by. Sent in the same update request as
    the graphs it stamps, so a reader sees the new stamp exactly when it sees the new graphs."""
    g = iri(str(PUBLICATION_GRAPH))
    return (
        f"{clear_graph(str(PUBLICATION_GRAPH))} ;\n"
        f"INSERT DATA {{ GRAPH {g} {{ {g} a {iri(str(PT.Publication))} ;"
        f" {iri(str(PT.publicationToken))} {literal(token)} ;"
        f" {iri(str(DCTERMS.issued))} {ox.Literal(issued, datatype=ox.NamedNode(XSD + 'dateTime'))}"
        " } }"
    )


def publication_stamp() -> str:
    """The publication stamp (:func:`stamp_publication`): one row, or none on a store that no
    build of this version published to. Full IRIs, no prologue: it is sent as it is, for every
    request a server may answer from its cache, and the store answers it from one graph."""
    g = iri(str(PUBLICATION_GRAPH))
    return (
        f"SELECT ?token ?issued WHERE {{ GRAPH {g} {{ {g} {iri(str(PT.publicationToken))} ?token ;"
        f" {iri(str(DCTERMS.issued))} ?issued }} }}"
    )


ACCEPT_STAMP = "application/sparql-results+json"
"""What :func:`read_stamp` reads: the answer to :func:`publication_stamp`."""


def read_stamp(answer: bytes) -> str | None:
    """The publication token in a SPARQL JSON ``answer`` to
    :func:`publication_stamp`; None when the store holds no stamp (published by an
    older plantrace, or by hand) or the answer is not one row with a token."""
    try:
        bindings = json.loads(answer)["results"]["bindings"]
        (token,) = {b["token"]["value"] for b in bindings}
    except (ValueError, KeyError, TypeError):  # (ValueError: not JSON, or not one token)
        return None
    return token if isinstance(token, str) and token else None


def probe() -> str:
    """The smallest query: asks a store to answer at all (its dialect is read from the
    answer's headers)."""
    return "ASK {}"


# --- versions and suspect links (docs/architecture.md, "Versions") -----------------------------

VERSIONED = """VALUES ?class { pt:GoalClause pt:PlanClause pt:AnnualPlanClause pt:Indicator }"""
"""The classes whose nodes have versions (``kg.versions``)."""


def versions(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """The versions of the items' clauses and indicators: each node with its text or label,
    year, the version it revises (``?revisionOf``), its period (``?validFrom``,
    ``?validUntil``), the document first stating it and the documents that added or dropped it
    (one row per revised node)."""
    return select(
        run,
        f"""SELECT ?node ?class ?code ?text ?label ?year ?revisionOf ?validFrom ?validUntil
       ?firstStatedIn ?addedIn ?droppedIn WHERE {{
  {_codes(codes, body)}
  {VERSIONED}
  ?node a ?class ; pt:item ?item . ?item pt:code ?code .
  {optional("node", text="pt:text", label="rdfs:label", year="pt:fiscalYear/pt:year",
             revisionOf="prov:wasRevisionOf", validFrom="pt:validFrom",
             validUntil="pt:validUntil", firstStatedIn="pt:firstStatedIn", addedIn="pt:addedIn",
             droppedIn="pt:droppedIn")}
}}""",
    )


def document_changes(run: QueryFn, body: str | None = None) -> list[Row]:
    """What each document changed: the clauses and indicators it revised (``?change``
    "revised", with ``?was`` the earlier version and its ``?wasText`` or ``?wasLabel``), added
    and dropped, with their item, class, text or label and year (``?document`` of publisher
    ``body``, default every one)."""
    publisher = _documents_of(body) if body is not None else ""
    return select(
        run,
        f"""SELECT ?document ?change ?node ?was ?wasText ?wasLabel ?class ?code ?text ?label ?year
WHERE {{
  {VERSIONED}
  {{ ?node pt:firstStatedIn ?document ; prov:wasRevisionOf ?was BIND("revised" AS ?change)
     {optional("was", wasText="pt:text", wasLabel="rdfs:label")} }}
  UNION {{ ?node pt:addedIn ?document BIND("added" AS ?change) }}
  UNION {{ ?node pt:droppedIn ?document BIND("dropped" AS ?change) }}
  {publisher}
  ?node a ?class ; pt:item/pt:code ?code .
  {optional("node", text="pt:text", label="rdfs:label", year="pt:fiscalYear/pt:year")}
}}""",
    )


SUSPECT_LINK_CONSTRAINT = "https://w3id.org/plantrace/shapes#SuspectLinkConstraint"
"""The SPARQL constraint of the suspect-link shapes (``shapes/versions.ttl``)."""
_SH_SELECT = ox.NamedNode("http://www.w3.org/ns/shacl#select")
SCOPE_MARK = "# the items asked about (kg.queries.suspect_links)"
"""The comment in the constraint where :func:`suspect_links` joins the items it asks about:
first in the group that finds the links, so that the store starts from them."""


@lru_cache(maxsize=1)
def suspect_link_constraint() -> str:
    """The ``sh:select`` of :data:`SUSPECT_LINK_CONSTRAINT` as the shapes file states it: the
    one definition of a suspect link, which validation runs per focus node and
    :func:`suspect_links` over all of them (its prefixes are among ``kg.store.PREFIXES``)."""
    path = SHAPES_DIR / "versions.ttl"
    for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        if triple.predicate == _SH_SELECT and triple.subject.value == SUSPECT_LINK_CONSTRAINT:
            text = str(triple.object.value)
            if text.count(SCOPE_MARK) == 1:
                return text
    raise PlantraceError(
        f"{path}: expected <{SUSPECT_LINK_CONSTRAINT}> with an sh:select holding {SCOPE_MARK!r}"
    )


def suspect_links(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[Row]:
    """Suspect links, as the shapes of ``shapes/versions.ttl`` report them, from the shapes'
    own constraint (:func:`suspect_link_constraint`) run for every lower end at once (SHACL
    1.0, 5.3.1: ``$this`` is pre-bound when validating; unbound, it ranges over every node):
    ``?lower`` links by ``?path`` (pt:implements, pt:measures, pt:refines, pt:indicator) to
    ``?old``, which ``?new`` (the current version, stated from ``?since`` in ``?newDocument``)
    revised after a document stating ``?lower`` was issued, and no later version of ``?lower``
    (or, for per-year nodes, a later year's) links to a version of the new one. With ``codes``,
    only the lower ends of those items (their indicators' observations and targets too), put
    in place of :data:`SCOPE_MARK`; ``?code`` is bound then."""
    constraint = suspect_link_constraint()
    scope = ""
    if codes is not None or body is not None:
        scope = f"""{_codes(codes, body)}
  {{ ?this pt:item ?item }} UNION {{ ?this (pt:indicator|^pt:target)/pt:item ?item }}
  ?item pt:code ?code ."""
        constraint = constraint.replace(SCOPE_MARK, scope)
    return select(
        run,
        f"""SELECT DISTINCT ?code (?this AS ?lower) ?path (?was AS ?old) (?value AS ?new) ?since
       ?newDocument WHERE {{
  {{ SELECT ?this ?path ?was ?value WHERE {{ {{ {constraint} }} }} }}
  {scope}
  ?value pt:validFrom ?since .
  OPTIONAL {{ ?value pt:firstStatedIn ?newDocument }}
}}""",
    )
