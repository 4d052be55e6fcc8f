"""The views on a modified copy of the real data: a changed grade or value shows exactly there.

The copy is the built store loaded into memory; SPARQL updates change one fact in its document
graph, and the default graph (the union) is refreshed as a build would.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from pydantic import BaseModel

from api.views import grades as grade_views
from api.views import search as text_search
from api.views import traces
from api.views.rows import code_key
from api.views.trace_csv import trace_csv
from kg.errors import NotFound
from kg.store import GraphStore
from kg.synth import Years, make_body, write_dataset


@pytest.fixture
def copy(built_store: GraphStore) -> GraphStore:
    out = GraphStore.memory()
    out.oxigraph.load(built_store.dump(ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)
    out.refresh_default_graph()
    return out


def _pair(copy: GraphStore) -> tuple[str, str, int]:
    """An item and year with both grades equal: the ministerial evaluation IRI, code, year."""
    result = copy.query(
        """SELECT ?m ?code ?year WHERE {
          ?s a pt:SelfEvaluation ; pt:evaluates ?i ; pt:fiscalYear ?fy ; pt:grade ?g .
          ?m a pt:MinisterialEvaluation ; pt:evaluates ?i ; pt:fiscalYear ?fy ; pt:grade ?g .
          ?i pt:code ?code . ?fy pt:year ?year } ORDER BY ?code ?year LIMIT 1"""
    )
    assert result.rows, "the J-LIS data has equal self and ministerial grades (FY2021)"
    m, code, year = result.rows[0]
    assert m is not None and code is not None and year is not None
    return m.value, code.value, int(year.value)


def _set_grade(copy: GraphStore, evaluation: str, grade: str) -> None:
    copy.oxigraph.update(
        f"""DELETE {{ GRAPH ?g {{ <{evaluation}> pt:grade ?old }} }}
            INSERT {{ GRAPH ?g {{ <{evaluation}> pt:grade pt:Grade{grade} }} }}
            WHERE {{ GRAPH ?g {{ <{evaluation}> pt:grade ?old }} }}""",
        prefixes={"pt": "https://w3id.org/plantrace/ontology#"},
    )
    copy.refresh_default_graph()


def test_a_changed_ministerial_grade_shows_as_a_difference(copy: GraphStore) -> None:
    before = grade_views.differences(copy.query).differences
    evaluation, code, year = _pair(copy)
    same = next(
        c
        for i in grade_views.items(copy.query).items
        if i.code == code
        for c in i.grades
        if c.year == year
    )
    new = "D" if same.ministerial_grade != "D" else "C"
    _set_grade(copy, evaluation, new)
    after = grade_views.differences(copy.query).differences
    added = [d for d in after if (d.code, d.year) not in {(b.code, b.year) for b in before}]
    assert [(d.code, d.year) for d in added] == [(code, year)]
    (d,) = added
    assert d.ministerial_evaluation.grade == new and d.self_evaluation.grade == same.self_grade
    assert d.difference < 0  # the ministers graded lower
    cell = next(
        c
        for i in grade_views.items(copy.query).items
        if i.code == code
        for c in i.grades
        if c.year == year
    )
    assert cell.ministerial_grade == new and cell.self_grade == same.self_grade
    trace = traces.trace(copy.query, code)
    (year_trace,) = [y for y in trace.years if y.year == year]
    assert year_trace.ministerial_evaluation is not None
    assert year_trace.ministerial_evaluation.grade == new


def test_a_changed_value_shows_in_the_trace_and_the_csv(copy: GraphStore) -> None:
    result = copy.query(
        """SELECT ?o ?code ?v WHERE { ?o a pt:Observation ; pt:value ?v ;
             pt:indicator/pt:item/pt:code ?code } ORDER BY ?o LIMIT 1"""
    )
    assert result.rows, "the J-LIS data has observations"
    obs, code, _ = (t.value for t in result.rows[0] if t is not None)
    copy.oxigraph.update(
        f"""DELETE {{ GRAPH ?g {{ <{obs}> pt:value ?v ; pt:text ?t }} }}
            INSERT {{ GRAPH ?g {{ <{obs}> pt:value 12345.678 ; pt:text "改変値 12345.678"@ja }} }}
            WHERE {{ GRAPH ?g {{ <{obs}> pt:value ?v OPTIONAL {{ <{obs}> pt:text ?t }} }} }}""",
        prefixes={"pt": "https://w3id.org/plantrace/ontology#"},
    )
    copy.refresh_default_graph()
    trace = traces.trace(copy.query, code)
    found = [o for i in trace.indicators for o in i.observations if o.iri == obs]
    assert [str(o.value) for o in found] == ["12345.678"]
    assert "改変値 12345.678" in trace_csv(copy.query).decode("utf-8")


def test_search_sees_edited_text(copy: GraphStore) -> None:
    (clause,) = copy.query("SELECT ?c { ?c a pt:GoalClause } ORDER BY ?c LIMIT 1").rows[0]
    assert clause is not None
    copy.oxigraph.update(
        f"""INSERT {{ GRAPH <https://w3id.org/plantrace/id/graph/test> {{
              <{clause.value}> pt:text "ＡＢＣ全角の試験語句" }} }} WHERE {{}}""",
        prefixes={"pt": "https://w3id.org/plantrace/ontology#"},
    )
    copy.refresh_default_graph()
    hits = text_search.search(copy.query, "abc全角", 5).hits
    assert [h.iri for h in hits] == [clause.value]
    assert hits[0].text == "ＡＢＣ全角の試験語句"  # shown as published


def test_code_order() -> None:
    codes = ["II-1", "I-10", "III-2", "I-2", "I-1"]
    assert sorted(codes, key=code_key) == ["I-1", "I-2", "I-10", "II-1", "III-2"]


# --- several bodies in one store: ``body`` picks one ------------------------------------------

SYNTH_YEARS = Years(2021, 2023)


@pytest.fixture(scope="module")
def two_bodies(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    path = tmp_path_factory.mktemp("bodies") / "two.trig"
    write_dataset(path, 2, 7, SYNTH_YEARS)
    store = GraphStore.memory()
    store.oxigraph.load(path=str(path), format=ox.RdfFormat.TRIG)
    store.refresh_default_graph()
    return store


def _bodies(answer: BaseModel) -> set[str]:
    """The bodies whose nodes an answer holds (from the IRIs in its JSON)."""
    return set(re.findall(r"https://w3id\.org/plantrace/id/(body\d+)/", answer.model_dump_json()))


def test_a_body_s_trace_holds_only_its_nodes(two_bodies: GraphStore) -> None:
    run = two_bodies.query
    one = traces.trace(run, "I-1", "body0002")
    assert _bodies(one) == {"body0002"}
    assert one.item.iri == "https://w3id.org/plantrace/id/body0002/item/I-1"
    assert _bodies(traces.trace(run, "I-1")) == {"body0001", "body0002"}  # merged by code
    with pytest.raises(NotFound, match="body0003"):
        traces.trace(run, "I-1", "body0003")


def test_a_body_s_grade_matrix_is_its_grades(two_bodies: GraphStore) -> None:
    for number in (1, 2):
        body = make_body(7, number, SYNTH_YEARS)
        matrix = grade_views.items(two_bodies.query, f"body{number:04d}")
        assert _bodies(matrix) == {f"body{number:04d}"}
        got = {
            (i.code, c.year, by): grade
            for i in matrix.items
            for c in i.grades
            for by, grade in (("self", c.self_grade), ("ministerial", c.ministerial_grade))
            if grade is not None
        }
        assert got == body.grades


def test_a_body_s_search_finds_only_its_texts(two_bodies: GraphStore) -> None:
    run = two_bodies.query
    clause = next(iter(traces.trace(run, "I-1", "body0002").plan_clauses))
    term = (clause.text or "")[:4]
    merged = text_search.search(run, term, 200)
    assert _bodies(merged) == {"body0001", "body0002"} and merged.total == len(merged.hits)
    one = text_search.search(run, term, 200, "body0002")
    assert _bodies(one) == {"body0002"} and one.total == sum(
        1 for h in merged.hits if "/body0002/" in h.iri
    )
    with pytest.raises(NotFound, match="body0003"):
        text_search.search(run, term, 200, "body0003")


def test_a_body_s_years_and_differences_are_its_own(two_bodies: GraphStore) -> None:
    """``body`` on the years, a year's grades and the differences: that body's grades only
    (the synthetic bodies' grades differ by seed, so a mix-up shows)."""
    run = two_bodies.query
    for number in (1, 2):
        body, grades = f"body{number:04d}", make_body(7, number, SYNTH_YEARS).grades
        years = grade_views.years(run, body)
        assert [y.year for y in years.years] == sorted({y for _, y, _ in grades})
        for y in years.years:
            graded = sum(1 for _, year, by in grades if (year, by) == (y.year, "self"))
            assert y.self_graded_items == graded
            of_year = grade_views.evaluations_of_year(run, y.year, body)
            assert _bodies(of_year) == {body}
        differ = {
            (code, year)
            for (code, year, by), grade in grades.items()
            if by == "self" and grades.get((code, year, "ministerial"), grade) != grade
        }
        found = grade_views.differences(run, body)
        assert differ and {(d.code, d.year) for d in found.differences} == differ
        assert _bodies(found) <= {body}
    with pytest.raises(NotFound, match="body0003"):
        grade_views.differences(run, "body0003")


def test_the_prefilter_changes_no_search_answer(
    built_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store skips texts that cannot match (api/matching.py); the answers are those of
    scoring every text."""
    queries = ["稼働率", "コールセンター", "ｺｰﾙｾﾝﾀｰ　応答率", "カード 交付", "ＫＰＩ", "j-lis", "①"]
    filtered = [text_search.search(built_store.query, text, 200) for text in queries]
    monkeypatch.setattr(text_search, "prefilter", lambda terms: [])
    assert filtered == [text_search.search(built_store.query, text, 200) for text in queries]
    assert sum(a.total for a in filtered) > 20
