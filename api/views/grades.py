"""Items and their grades as JSON: the grade matrix, the years, one year's evaluations, the
differences between self and ministerial grades (``/api/items``, ``/api/evaluations…``,
``/api/differences``).

Every function takes the worker's :data:`~kg.queries.QueryFn`, so a view that needs several
queries is stopped as one piece by the time limit; the same functions run on the embedded
store, on a remote one, and in tests on an in-memory store. Grades are ordered by the
ontology's ``pt:rank`` (:func:`grade_ranks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from api.jobs import job
from api.views import models as m
from api.views.links import PT_NS, href
from api.views.publishers import require_body
from api.views.rows import all_values, as_bool, as_str, code_key, column, first, grouped
from api.views.spans import Sources
from kg import queries as q
from kg.errors import NotFound
from kg.namespaces import fiscal_year_label
from kg.queries import QueryFn, Row


def grade_ranks(run: QueryFn) -> dict[str, int]:
    """Each grade's letter and its rank, S=5 … D=1, as the ontology's grade concepts state them
    (``skos:notation``, ``pt:rank``)."""
    return {
        str(r["notation"]): int(r["rank"])
        for r in q.grade_ranks(run)
        if r["notation"] is not None and isinstance(r["rank"], int)
    }


def grade_notation(notation: Any, grade_iri: Any) -> str | None:
    """The grade letter: its ``skos:notation``, else the letter of ``pt:GradeX``."""
    if notation is not None:
        return str(notation)
    iri = str(grade_iri or "")
    return iri[len(PT_NS) + 5 :] if iri.startswith(PT_NS + "Grade") else None


def evaluation_rows(
    run: QueryFn,
    codes: Sequence[str] | None = None,
    year: int | None = None,
    body: str | None = None,
) -> dict[tuple[str, int, str], tuple[Row, list[Row]]]:
    """Evaluation rows keyed by (item code, year, by)."""
    out: dict[tuple[str, int, str], tuple[Row, list[Row]]] = {}
    for _, rows in grouped(q.evaluations(run, codes, year, body), "e").items():
        row = rows[0]
        key = (str(row["code"]), int(row["year"] or 0), str(row["by"]))
        out[key] = (row, rows)
    return out


def evaluation_of(row: Row, rows: list[Row], sources: Sources) -> m.Evaluation:
    iri = str(row["e"])
    grades = {grade_notation(r["grade"], r["gradeIri"]) for r in rows}
    return m.Evaluation(
        iri=iri,
        href=href(iri),
        by="self" if row["by"] == "self" else "ministerial",
        year=int(row["year"] or 0),
        grade=first(grades),
        importance_high=as_bool(column(rows, "importanceHigh")),
        difficulty_high=as_bool(column(rows, "difficultyHigh")),
        priority=as_bool(column(rows, "priority")),
        rationale=as_str(column(rows, "rationale")),
        sources=sources(iri),
    )


def items_by_code(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> dict[str, list[Row]]:
    if codes is None:
        codes = codes_of(run, body)
    rows = grouped(q.items(run, codes, body), "code")
    return dict(sorted(rows.items(), key=lambda kv: code_key(kv[0])))


def codes_of(run: QueryFn, body: str | None) -> list[str] | None:
    """The codes of publisher ``body``'s items (``None``: every body's); :class:`NotFound`
    for a body that publishes nothing."""
    if body is None:
        return None
    codes = q.item_codes(run, body)
    if not codes:
        require_body(run, body)
    return codes


def body_items(
    run: QueryFn, body: str | None
) -> tuple[dict[str, list[Row]], list[str] | None]:
    """The items of ``body`` (every publisher's by default) and the codes to ask their
    evaluations by: ``None`` for every body's, else this body's codes, so the evaluations are
    found from its items' IRIs rather than by a scan of every body's grades."""
    item_rows = items_by_code(run, body=body)
    return item_rows, None if body is None else list(item_rows)


@job
def items(run: QueryFn, body: str | None = None) -> m.ItemsResponse:
    """Every item (of publisher ``body``, by default every publisher's) with its grades in
    every year that has any."""
    item_rows, codes = body_items(run, body)
    grades: dict[tuple[str, int], dict[str, str | None]] = defaultdict(dict)
    for (code, year, by), (_, rows) in evaluation_rows(run, codes, body=body).items():
        grades[(code, year)][by] = first(grade_notation(r["grade"], r["gradeIri"]) for r in rows)
    years = sorted({year for _, year in grades})
    out = []
    for code, rows in item_rows.items():
        iri = str(rows[0]["item"])
        cells = [
            m.GradeCell(
                year=year,
                self_grade=grades.get((code, year), {}).get("self"),
                ministerial_grade=grades.get((code, year), {}).get("ministerial"),
            )
            for year in years
        ]
        out.append(
            m.ItemSummary(
                iri=iri,
                href=href(iri),
                code=code,
                category=as_str(column(rows, "category")),
                label=as_str(column(rows, "label")),
                grades=cells,
            )
        )
    return m.ItemsResponse(years=years, items=out)


def overall_grades(run: QueryFn, sources: Sources | None, year: int | None = None,
             body: str | None = None) -> list[m.OverallGrade]:  # fmt: skip
    rows_by_node = grouped(q.overall_evaluations(run, year, body), "e")
    if sources is None:
        sources = Sources(run, rows_by_node)
    out = []
    for iri, rows in rows_by_node.items():
        types = set(all_values(rows, "type"))
        by: m.By | None = None
        if PT_NS + "SelfEvaluation" in types or iri.endswith("/self"):
            by = "self"
        elif PT_NS + "MinisterialEvaluation" in types or iri.endswith("/ministerial"):
            by = "ministerial"
        out.append(
            m.OverallGrade(
                iri=iri,
                href=href(iri),
                by=by,
                year=int(rows[0]["year"] or 0),
                grade=first(grade_notation(r["grade"], r["gradeIri"]) for r in rows),
                sources=sources(iri),
            )
        )
    return sorted(out, key=lambda o: (o.year, o.by or "", o.iri))


@job
def years(run: QueryFn, body: str | None = None) -> m.YearsResponse:
    """The fiscal years that have grades, with overall grades and how many items were graded
    (of publisher ``body``; by default every publisher's)."""
    evaluations = evaluation_rows(run, codes_of(run, body), body=body)
    overall = overall_grades(run, None, body=body)
    all_years = sorted({y for _, y, _ in evaluations} | {o.year for o in overall})
    return m.YearsResponse(
        years=[
            m.YearSummary(
                year=year,
                label=fiscal_year_label(year),
                overall=[o for o in overall if o.year == year],
                self_graded_items=sum(1 for _, y, b in evaluations if y == year and b == "self"),
                ministerial_graded_items=sum(
                    1 for _, y, b in evaluations if y == year and b == "ministerial"
                ),
            )
            for year in all_years
        ]
    )


@job
def evaluations_of_year(run: QueryFn, year: int, body: str | None = None) -> m.EvaluationsOfYear:
    """Every item's self and ministerial grade in ``year``, and the overall grades (of
    publisher ``body``; by default every publisher's)."""
    item_rows, codes = body_items(run, body)
    evaluations = evaluation_rows(run, codes, year=year, body=body)
    overall_rows = q.overall_evaluations(run, year, body)
    if not evaluations and not overall_rows:
        raise NotFound(f"no evaluations for fiscal year {year}")
    sources = Sources(run, [str(r["e"]) for r, _ in evaluations.values()])
    out = []
    for code, rows in item_rows.items():
        self_ev = evaluations.get((code, year, "self"))
        min_ev = evaluations.get((code, year, "ministerial"))
        if self_ev is None and min_ev is None:
            continue
        iri = str(rows[0]["item"])
        out.append(
            m.ItemGrades(
                code=code,
                label=as_str(column(rows, "label")),
                iri=iri,
                href=href(iri),
                self_evaluation=evaluation_of(*self_ev, sources) if self_ev else None,
                ministerial_evaluation=evaluation_of(*min_ev, sources) if min_ev else None,
            )
        )
    return m.EvaluationsOfYear(
        year=year, label=fiscal_year_label(year), overall=overall_grades(run, None, year, body),
        items=out,
    )


@job
def differences(run: QueryFn, body: str | None = None) -> m.DifferencesResponse:
    """Items and years where the self grade and the ministerial grade differ (of publisher
    ``body``; by default every publisher's)."""
    item_rows, codes = body_items(run, body)
    evaluations = evaluation_rows(run, codes, body=body)
    pairs = []
    for (code, year, by), (row, rows) in evaluations.items():
        other = evaluations.get((code, year, "ministerial"))
        if by != "self" or other is None:
            continue
        self_grade = first(grade_notation(r["grade"], r["gradeIri"]) for r in rows)
        min_grade = first(grade_notation(r["grade"], r["gradeIri"]) for r in other[1])
        if self_grade != min_grade:
            pairs.append(((code, year), (row, rows), other))
    sources = Sources(run, [str(p[1][0]["e"]) for p in pairs] + [str(p[2][0]["e"]) for p in pairs])
    ranks = grade_ranks(run)
    out = []
    for (code, year), self_ev, min_ev in sorted(pairs, key=lambda p: (code_key(p[0][0]), p[0][1])):
        s, mi = evaluation_of(*self_ev, sources), evaluation_of(*min_ev, sources)
        s_rank, m_rank = ranks.get(s.grade or ""), ranks.get(mi.grade or "")
        rows = item_rows.get(code, [])
        out.append(
            m.GradeDifference(
                code=code,
                label=as_str(column(rows, "label")) if rows else None,
                item=str(rows[0]["item"]) if rows else "",
                year=year,
                self_evaluation=s,
                ministerial_evaluation=mi,
                difference=(m_rank - s_rank) if s_rank is not None and m_rank is not None else 0,
            )
        )
    return m.DifferencesResponse(differences=out)
