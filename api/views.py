"""Rows of :mod:`kg.queries` shaped into the API's models (:mod:`api.models`).

Every function takes a :data:`~kg.queries.QueryFn` and runs inside a query worker
(:mod:`api.worker`), so a view that needs several queries is stopped as one piece by the time
limit. The same functions run on the embedded store and on a remote one, and tests call them
directly on an in-memory store.

A node that several documents describe may carry several values of one property (the same
clause printed with slightly different wording): views show the first value in a stable order
and keep every source span.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from api import models as m
from api.errors import Invalid, NotFound
from api.matching import normalized, prefilter, search_terms
from kg import queries as q
from kg.namespaces import PT, PTID, publisher_id
from kg.queries import QueryFn, Row
from kg.rdf import fiscal_year_label
from kg.store import DISPLAY_PREFIXES

PT_NS = str(PT)
PTID_NS = str(PTID)
GRADE_ORDER = "SABCD"
LAW = f"{PTID}law/"
"""Where statute and provision IRIs live."""


def item_url(code: str, body: str | None = None) -> str:
    """The trace page of item ``code`` (of publisher ``body``, when the data holds several)."""
    url = f"/items/{quote(code, safe='')}"
    return url if body is None else f"{url}?body={quote(body, safe='')}"


def statute_link(iri: str, body: str | None = None) -> str:
    """Where a page links ``iri``: for a statute or provision of this dataset its page
    ``/statutes/<law id>/<article>`` (with ``body``, the impact on that body's trace, so a
    reader stays within the body they chose), else :func:`href`."""
    if not iri.startswith(LAW):
        return href(iri)
    url = f"/statutes/{iri[len(LAW):]}"
    return url if body is None else f"{url}?body={quote(body, safe='')}"


def href(iri: str) -> str:
    """Where this server answers for ``iri``: ``/id/…`` for plantrace's IRIs, the ontology page
    (``/ontology#GoalClause``) for its terms, an ``http(s)`` IRI itself, and for any other
    scheme a ``DESCRIBE`` at ``/sparql`` (so no data can make a ``javascript:`` link)."""
    if iri.startswith(PTID_NS):
        return "/id/" + iri[len(PTID_NS) :]
    if iri.startswith(PT_NS):
        return "/ontology#" + iri[len(PT_NS) :]
    if not iri.lower().startswith(("http://", "https://")):
        # never a javascript:, data: … link from a served dataset: ask the endpoint instead
        return "/sparql?query=" + quote(f"DESCRIBE <{iri}>", safe="")
    return iri


def prefixed(iri: str) -> str:
    """``pt:GoalClause`` for an IRI in a known namespace, else the IRI."""
    for prefix, ns in sorted(DISPLAY_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def code_key(code: str) -> tuple[int, str, int, str]:
    """Sort key for item codes: ``I-2`` before ``I-10`` before ``II-1``."""
    match = re.fullmatch(r"([IVX]+)-(\d+)", code)
    if not match:
        return (99, code, 0, code)
    roman = match.group(1)
    numerals = {"I": 1, "V": 5, "X": 10}
    value = sum(numerals[c] for c in roman)
    if roman in ("IV", "IX"):
        value -= 2
    return (value, roman, int(match.group(2)), code)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _first(values: Iterable[Any]) -> Any:
    """The first non-None value in a stable (sorted by text) order."""
    present = sorted((v for v in values if v is not None), key=lambda v: (str(type(v)), str(v)))
    return present[0] if present else None


def _grouped(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        out[str(row[key])].append(row)
    return out


def _column(rows: Iterable[Row], name: str) -> Any:
    return _first(r[name] for r in rows)


def _all(rows: Iterable[Row], name: str) -> list[str]:
    return sorted({str(r[name]) for r in rows if r[name] is not None})


def grade_notation(notation: Any, grade_iri: Any) -> str | None:
    """The grade letter: its ``skos:notation``, else the letter of ``pt:GradeX``."""
    if notation is not None:
        return str(notation)
    iri = str(grade_iri or "")
    return iri[len(PT_NS) + 5 :] if iri.startswith(PT_NS + "Grade") else None


def grade_rank(grade: str | None) -> int | None:
    """S=5 … D=1 (the ontology's ``pt:rank``), None for anything else."""
    if grade is None or grade not in GRADE_ORDER:
        return None
    return len(GRADE_ORDER) - GRADE_ORDER.index(grade)


# --- sources -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    iri: str
    title: str | None
    file: str | None
    sha256: str | None


def documents(run: QueryFn, iris: Iterable[str] | None = None) -> dict[str, DocumentInfo]:
    """Source documents (those of ``iris``; default: all) by IRI; the Japanese title is
    preferred."""
    out = {}
    for doc, rows in _grouped(q.documents(run, iris), "document").items():
        titles = {str(r["lang"]): str(r["title"]) for r in rows if r["title"] is not None}
        title = titles.get("ja") or titles.get("en") or _first(titles.values())
        out[doc] = DocumentInfo(doc, title, _column(rows, "file"), _column(rows, "sha256"))
    return out


class Sources:
    """Source spans of many nodes, fetched with one query."""

    def __init__(self, run: QueryFn, nodes: Iterable[str]) -> None:
        rows = q.spans(run, nodes)
        docs = documents(run, {str(r["document"]) for r in rows})
        found: dict[str, dict[str, m.SourceSpan]] = defaultdict(dict)
        for row in rows:
            doc = docs.get(str(row["document"]))
            span = str(row["span"])
            found[str(row["node"])][span] = m.SourceSpan(
                iri=span,
                href=href(span),
                document=str(row["document"]),
                title=doc.title if doc else None,
                file=doc.file if doc else None,
                line_start=_int(row["start"]),
                line_end=_int(row["end"]),
            )
        self._spans = {
            node: sorted(spans.values(), key=lambda s: (s.document, s.line_start or 0, s.iri))
            for node, spans in found.items()
        }

    def __call__(self, node: str) -> list[m.SourceSpan]:
        return self._spans.get(node, [])


# --- items, grades, evaluations ----------------------------------------------------------------


def _evaluations(
    run: QueryFn,
    codes: Sequence[str] | None = None,
    year: int | None = None,
    body: str | None = None,
) -> dict[tuple[str, int, str], tuple[Row, list[Row]]]:
    """Evaluation rows keyed by (item code, year, by)."""
    out: dict[tuple[str, int, str], tuple[Row, list[Row]]] = {}
    for _, rows in _grouped(q.evaluations(run, codes, year, body), "e").items():
        row = rows[0]
        key = (str(row["code"]), int(row["year"] or 0), str(row["by"]))
        out[key] = (row, rows)
    return out


def _evaluation(row: Row, rows: list[Row], sources: Sources) -> m.Evaluation:
    iri = str(row["e"])
    grades = {grade_notation(r["grade"], r["gradeIri"]) for r in rows}
    return m.Evaluation(
        iri=iri,
        href=href(iri),
        by="self" if row["by"] == "self" else "ministerial",
        year=int(row["year"] or 0),
        grade=_first(grades),
        importance_high=_bool(_column(rows, "importanceHigh")),
        difficulty_high=_bool(_column(rows, "difficultyHigh")),
        priority=_bool(_column(rows, "priority")),
        rationale=_str(_column(rows, "rationale")),
        sources=sources(iri),
    )


def _items(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> dict[str, list[Row]]:
    if codes is None:
        codes = _codes_of(run, body)
    rows = _grouped(q.items(run, codes, body), "code")
    return dict(sorted(rows.items(), key=lambda kv: code_key(kv[0])))


def _codes_of(run: QueryFn, body: str | None) -> list[str] | None:
    """The codes of publisher ``body``'s items (``None``: every body's); :class:`NotFound`
    for a body that publishes nothing."""
    if body is None:
        return None
    codes = q.item_codes(run, body)
    if not codes:
        require_body(run, body)
    return codes


def unknown_body(body: str) -> NotFound:
    """The error for a ``body`` that no document of the data has as its publisher."""
    return NotFound(f"no documents published by {body!r}")


def require_body(run: QueryFn, body: str) -> None:
    """:class:`NotFound` unless some document of the data is published by ``body``: a
    mistyped id answers 404, not an empty list. Callers ask it when ``body`` found nothing (or
    before an analysis that would build an empty graph), so a known body costs nothing more."""
    if body not in {publisher_id(str(r["publisher"])) for r in q.publishers(run)}:
        raise unknown_body(body)


def _body_items(
    run: QueryFn, body: str | None
) -> tuple[dict[str, list[Row]], list[str] | None]:
    """The items of ``body`` (every publisher's by default) and the codes to ask their
    evaluations by: ``None`` for every body's, else this body's codes, so the evaluations are
    found from its items' IRIs rather than by a scan of every body's grades."""
    item_rows = _items(run, body=body)
    return item_rows, None if body is None else list(item_rows)


def items(run: QueryFn, body: str | None = None) -> m.ItemsResponse:
    """Every item (of publisher ``body``, by default every publisher's) with its grades in
    every year that has any."""
    item_rows, codes = _body_items(run, body)
    grades: dict[tuple[str, int], dict[str, str | None]] = defaultdict(dict)
    for (code, year, by), (_, rows) in _evaluations(run, codes, body=body).items():
        grades[(code, year)][by] = _first(grade_notation(r["grade"], r["gradeIri"]) for r in rows)
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
                category=_str(_column(rows, "category")),
                label=_str(_column(rows, "label")),
                grades=cells,
            )
        )
    return m.ItemsResponse(years=years, items=out)


def _overall(run: QueryFn, sources: Sources | None, year: int | None = None,
             body: str | None = None) -> list[m.OverallGrade]:  # fmt: skip
    rows_by_node = _grouped(q.overall_evaluations(run, year, body), "e")
    if sources is None:
        sources = Sources(run, rows_by_node)
    out = []
    for iri, rows in rows_by_node.items():
        types = set(_all(rows, "type"))
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
                grade=_first(grade_notation(r["grade"], r["gradeIri"]) for r in rows),
                sources=sources(iri),
            )
        )
    return sorted(out, key=lambda o: (o.year, o.by or "", o.iri))


def years(run: QueryFn, body: str | None = None) -> m.YearsResponse:
    """The fiscal years that have grades, with overall grades and how many items were graded
    (of publisher ``body``; by default every publisher's)."""
    evaluations = _evaluations(run, _codes_of(run, body), body=body)
    overall = _overall(run, None, body=body)
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


def evaluations_of_year(run: QueryFn, year: int, body: str | None = None) -> m.EvaluationsOfYear:
    """Every item's self and ministerial grade in ``year``, and the overall grades (of
    publisher ``body``; by default every publisher's)."""
    item_rows, codes = _body_items(run, body)
    evaluations = _evaluations(run, codes, year=year, body=body)
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
                label=_str(_column(rows, "label")),
                iri=iri,
                href=href(iri),
                self_evaluation=_evaluation(*self_ev, sources) if self_ev else None,
                ministerial_evaluation=_evaluation(*min_ev, sources) if min_ev else None,
            )
        )
    return m.EvaluationsOfYear(
        year=year, label=fiscal_year_label(year), overall=_overall(run, None, year, body),
        items=out,
    )


def differences(run: QueryFn, body: str | None = None) -> m.DifferencesResponse:
    """Items and years where the self grade and the ministerial grade differ (of publisher
    ``body``; by default every publisher's)."""
    item_rows, codes = _body_items(run, body)
    evaluations = _evaluations(run, codes, body=body)
    pairs = []
    for (code, year, by), (row, rows) in evaluations.items():
        other = evaluations.get((code, year, "ministerial"))
        if by != "self" or other is None:
            continue
        self_grade = _first(grade_notation(r["grade"], r["gradeIri"]) for r in rows)
        min_grade = _first(grade_notation(r["grade"], r["gradeIri"]) for r in other[1])
        if self_grade != min_grade:
            pairs.append(((code, year), (row, rows), other))
    sources = Sources(run, [str(p[1][0]["e"]) for p in pairs] + [str(p[2][0]["e"]) for p in pairs])
    out = []
    for (code, year), self_ev, min_ev in sorted(pairs, key=lambda p: (code_key(p[0][0]), p[0][1])):
        s, mi = _evaluation(*self_ev, sources), _evaluation(*min_ev, sources)
        s_rank, m_rank = grade_rank(s.grade), grade_rank(mi.grade)
        rows = item_rows.get(code, [])
        out.append(
            m.GradeDifference(
                code=code,
                label=_str(_column(rows, "label")) if rows else None,
                item=str(rows[0]["item"]) if rows else "",
                year=year,
                self_evaluation=s,
                ministerial_evaluation=mi,
                difference=(m_rank - s_rank) if s_rank is not None and m_rank is not None else 0,
            )
        )
    return m.DifferencesResponse(differences=out)


def bodies(run: QueryFn) -> list[m.Body]:
    """The public bodies whose documents the data holds, by id, with their item counts."""
    out = []
    for publisher, rows in _grouped(q.bodies(run), "publisher").items():
        labels = {str(r["lang"] or ""): str(r["label"]) for r in rows if r["label"] is not None}
        out.append(
            m.Body(
                iri=publisher,
                href=href(publisher),
                id=publisher_id(publisher),
                label_ja=labels.get("ja") or labels.get("") or labels.get("en"),
                label_en=labels.get("en") or labels.get("") or labels.get("ja"),
                items=int(rows[0]["items"] or 0),
            )
        )
    return sorted(out, key=lambda b: (b.id is None, b.id or b.iri))


# --- the trace ---------------------------------------------------------------------------------


def _provision_refs(run: QueryFn, provisions: Iterable[str]) -> dict[str, m.ProvisionRef]:
    out = {}
    for iri, rows in _grouped(q.provision_refs(run, provisions), "provision").items():
        statute = _column(rows, "statute")
        out[iri] = m.ProvisionRef(
            iri=iri,
            href=href(iri),
            label=_str(_column(rows, "articleLabel") or _column(rows, "label")),
            statute=_str(statute),
            statute_label=_str(_column(rows, "statuteLabel")),
        )
    return out


def traces(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[m.Trace]:
    """The full trace of the items ``codes`` (default: every item) of publisher ``body``
    (default: every publisher's, merged by code), in code order."""
    item_rows = _items(run, codes, body)
    if not item_rows:
        return []
    wanted = list(item_rows)
    clause_rows = _grouped(q.clauses(run, wanted, body), "clause")
    indicator_rows = _grouped(q.indicators(run, wanted, body), "indicator")
    target_rows = q.targets(run, wanted, body)
    observation_rows = _grouped(q.observations(run, wanted, body), "observation")
    evaluations = _evaluations(run, wanted, body=body)
    basis = _grouped(q.legal_basis(run, wanted, body), "code")
    provisions = _provision_refs(run, {str(r["provision"]) for rs in basis.values() for r in rs})
    targets_by_iri = _grouped(target_rows, "target")
    nodes = [
        *(str(r[0]["item"]) for r in item_rows.values()),
        *clause_rows,
        *indicator_rows,
        *targets_by_iri,
        *observation_rows,
        *(str(row["e"]) for row, _ in evaluations.values()),
    ]
    sources = Sources(run, nodes)

    clauses: dict[str, list[m.Clause]] = defaultdict(list)
    for iri, rows in clause_rows.items():
        clauses[str(rows[0]["code"])].append(
            m.Clause(
                iri=iri,
                href=href(iri),
                level=q.CLAUSE_LEVELS[str(rows[0]["class"])],  # type: ignore[arg-type]
                year=_int(_column(rows, "year")),
                section=_str(_column(rows, "section")),
                text=_str(_column(rows, "text")),
                implements=_all(rows, "implements"),
                sources=sources(iri),
            )
        )
    targets: dict[str, list[m.Target]] = defaultdict(list)
    for iri, rows in targets_by_iri.items():
        targets[str(rows[0]["indicator"])].append(
            m.Target(
                iri=iri,
                value=_decimal(_column(rows, "value")),
                unit=_str(_column(rows, "unit")),
                comparator=_str(_column(rows, "comparator")),
                text=_str(_column(rows, "text")),
                approximate=bool(_column(rows, "approximate")),
                sources=sources(iri),
            )
        )
    observations: dict[str, list[m.Observation]] = defaultdict(list)
    for iri, rows in observation_rows.items():
        indicator = str(rows[0]["indicator"])
        observations[indicator].append(
            m.Observation(
                iri=iri,
                href=href(iri),
                indicator=indicator,
                year=_int(_column(rows, "year")),
                value=_decimal(_column(rows, "value")),
                unit=_str(_column(rows, "unit")),
                subject=_str(_column(rows, "subject")),
                statistic=_str(_column(rows, "statistic")),
                text=_str(_column(rows, "text")),
                approximate=bool(_column(rows, "approximate")),
                sources=sources(iri),
            )
        )
    indicators: dict[str, list[m.Indicator]] = defaultdict(list)
    for iri, rows in indicator_rows.items():
        indicators[str(rows[0]["code"])].append(
            m.Indicator(
                iri=iri,
                href=href(iri),
                label=_str(_column(rows, "label")),
                quantitative=bool(_column(rows, "quantitative")),
                measures=_all(rows, "measures"),
                targets=sorted(targets.get(iri, []), key=lambda t: t.iri),
                observations=sorted(observations.get(iri, []), key=_observation_key),
                sources=sources(iri),
            )
        )

    out = []
    for code, rows in item_rows.items():
        iri = str(rows[0]["item"])
        item_clauses = sorted(clauses.get(code, []), key=_clause_key)
        item_indicators = sorted(indicators.get(code, []), key=_indicator_key)
        grades = {
            (year, by): _evaluation(row, rs, sources)
            for (c, year, by), (row, rs) in evaluations.items()
            if c == code
        }
        item_observations = [o for i in item_indicators for o in i.observations]
        annual = [c for c in item_clauses if c.level == "annual"]
        all_years = sorted(
            {c.year for c in annual if c.year is not None}
            | {o.year for o in item_observations if o.year is not None}
            | {year for year, _ in grades}
        )
        out.append(
            m.Trace(
                item=m.ItemDetail(
                    iri=iri,
                    href=href(iri),
                    code=code,
                    category=_str(_column(rows, "category")),
                    label=_str(_column(rows, "label")),
                    legal_basis_text=_str(_column(rows, "legalBasisText")),
                    related_policy=_str(_column(rows, "relatedPolicy")),
                    legal_basis=[
                        provisions.get(p) or m.ProvisionRef(iri=p, href=href(p))
                        for p in _all(basis.get(code, []), "provision")
                    ],
                    sources=sources(iri),
                ),
                goal_clauses=[c for c in item_clauses if c.level == "goal"],
                plan_clauses=[c for c in item_clauses if c.level == "plan"],
                years=[
                    m.YearTrace(
                        year=year,
                        annual_clauses=[c for c in annual if c.year == year],
                        observations=[o for o in item_observations if o.year == year],
                        self_evaluation=grades.get((year, "self")),
                        ministerial_evaluation=grades.get((year, "ministerial")),
                    )
                    for year in all_years
                ],
                indicators=item_indicators,
            )
        )
    return out


def trace(run: QueryFn, code: str, body: str | None = None) -> m.Trace:
    """The full trace of one item (of publisher ``body``); :class:`NotFound` if none."""
    found = traces(run, [code], body)
    if not found:
        of = "" if body is None else f" published by {body!r}"
        raise NotFound(f"no evaluation item with code {code!r}{of}")
    return found[0]


def _line(spans: list[m.SourceSpan]) -> tuple[str, int]:
    return (spans[0].document, spans[0].line_start or 0) if spans else ("~", 0)


def _clause_key(c: m.Clause) -> tuple[str, int, str, int, str]:
    return (c.level, c.year or 0, *_line(c.sources), c.iri)


def _indicator_key(i: m.Indicator) -> tuple[bool, str, int, str]:
    return (not i.quantitative, *_line(i.sources), i.iri)


def _observation_key(o: m.Observation) -> tuple[int, str, int, str]:
    return (o.year or 0, *_line(o.sources), o.iri)


# --- statutes and impact -----------------------------------------------------------------------


def statutes(run: QueryFn) -> m.StatutesResponse:
    """Every statute with its articles (and their paragraphs)."""
    statute_rows = _grouped(q.statutes(run), "statute")
    provision_rows = _grouped(q.provisions(run), "provision")
    children: dict[str, list[str]] = defaultdict(list)
    for iri, rows in provision_rows.items():
        for parent in _all(rows, "partOf"):
            children[parent].append(iri)

    def provision(iri: str) -> m.Provision:
        rows = provision_rows[iri]
        return m.Provision(
            iri=iri,
            href=href(iri),
            article_label=_str(_column(rows, "articleLabel")),
            caption=_str(_column(rows, "caption")),
            text=_str(_column(rows, "text")),
            paragraphs=[provision(c) for c in sorted(children.get(iri, []), key=_article_key)],
        )

    out = []
    for iri, rows in statute_rows.items():
        out.append(
            m.Statute(
                iri=iri,
                href=href(iri),
                title=_str(_column(rows, "title") or _column(rows, "label")),
                short_name=_str(_column(rows, "shortName")),
                law_number=_str(_column(rows, "lawNumber")),
                egov_law_id=_str(_column(rows, "egovLawId")),
                provisions=[
                    provision(c)
                    for c in sorted(children.get(iri, []), key=_article_key)
                    if c in provision_rows
                ],
            )
        )
    return m.StatutesResponse(statutes=sorted(out, key=lambda s: (s.title or "", s.iri)))


def _article_key(iri: str) -> tuple[tuple[int, ...], str]:
    """Provisions in article order: ``art16-2`` after ``art16``, paragraphs by number."""
    tail = iri.rsplit("/", 1)[-1]
    return (tuple(int(n) for n in re.findall(r"\d+", tail)), iri)


IMPACT_LIMIT = 5000
"""The most dependents an impact analysis collects before it stops (and says so)."""


def impact(run: QueryFn, node: str, limit: int = IMPACT_LIMIT) -> m.Impact:
    """Everything that depends on ``node`` (a provision or statute), breadth first.

    ``depth`` is the length of the shortest chain of dependencies back to ``node``.
    """
    summary = _summaries(run, [node])
    if node not in summary:
        raise NotFound(f"{node} is not in the data")
    types = summary[node]["types"]
    if not {PT_NS + "Provision", PT_NS + "Statute"} & set(types):
        raise Invalid(f"{node} is not a pt:Provision or pt:Statute")
    depth_of: dict[str, int] = {node: 0}
    parents: dict[str, set[tuple[str, str]]] = defaultdict(set)
    frontier = [node]
    depth = 0
    truncated = False
    while frontier and not truncated:
        depth += 1
        found = []
        for row in q.dependents(run, frontier):
            child, on = str(row["node"]), str(row["on"])
            if depth_of.get(child, depth) < depth:
                continue
            parents[child].add((on, prefixed(str(row["predicate"]))))
            if child not in depth_of:
                if len(depth_of) > limit:
                    truncated = True
                    break
                depth_of[child] = depth
                found.append(child)
        frontier = found
    dependents_ = [n for n in depth_of if n != node]
    info = _summaries(run, dependents_)
    out = []
    for child in dependents_:
        s = info.get(child, {"types": [], "label": None, "code": None, "year": None})
        links = sorted(parents[child])
        out.append(
            m.Dependent(
                iri=child,
                href=href(child),
                types=[prefixed(t) for t in s["types"]],
                label=s["label"],
                item_code=s["code"],
                year=s["year"],
                depth=depth_of[child],
                depends_on=[on for on, _ in links],
                via=[p for _, p in links],
            )
        )
    out.sort(key=lambda d: (d.depth, d.types, code_key(d.item_code or ""), d.year or 0, d.iri))
    counts: dict[str, int] = defaultdict(int)
    for d in out:
        for t in d.types:
            counts[t] += 1
    return m.Impact(
        iri=node,
        href=href(node),
        types=[prefixed(t) for t in types],
        label=summary[node]["label"],
        dependents=out,
        counts=dict(sorted(counts.items())),
        truncated=truncated,
    )


def _summaries(run: QueryFn, nodes: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    chunk = 400
    for start in range(0, len(nodes), chunk):
        for node, rows in _grouped(
            q.node_summaries(run, nodes[start : start + chunk]), "node"
        ).items():
            if all(r["type"] is None and r["label"] is None for r in rows) and not _exists(
                run, node
            ):
                continue
            out[node] = {
                "types": _all(rows, "type"),
                "label": _str(_column(rows, "label")),
                "code": _str(_column(rows, "code")),
                "year": _int(_column(rows, "year")),
            }
    return out


def _exists(run: QueryFn, node: str) -> bool:
    return q.exists(run, node)


# --- search ------------------------------------------------------------------------------------


SNIPPET_BEFORE = 20
SNIPPET_AFTER = 60


def _score(text: str, terms: list[str]) -> tuple[float, str] | None:
    """Score of ``text`` for ``terms`` (None unless every term occurs) and its snippet.

    The score favours texts where the terms make up more of the text (a short clause about the
    subject beats a long one that mentions it) and where they occur early.
    """
    norm, where = normalized(text)
    if not norm:
        return None
    covered = 0
    first = len(norm)
    for term in terms:
        count = norm.count(term)
        if count == 0:
            return None
        covered += count * len(term)
        first = min(first, norm.find(term))
    coverage = min(covered / len(norm), 1.0)
    earliness = 1.0 / (1.0 + first / 20.0)
    score = round(10.0 * coverage + earliness, 4)
    start = where[first]
    lo, hi = max(0, start - SNIPPET_BEFORE), min(len(text), start + SNIPPET_AFTER)
    snippet = (
        ("…" if lo > 0 else "") + " ".join(text[lo:hi].split()) + ("…" if hi < len(text) else "")
    )
    return score, snippet


KINDS = {**q.CLAUSE_LEVELS, PT_NS + "Indicator": "indicator"}


def search(run: QueryFn, query: str, limit: int, body: str | None = None) -> m.SearchResponse:
    """Clause texts and indicator labels (of publisher ``body``, by default every publisher's)
    containing every term of ``query``, best first.

    Matching ignores width, case and white space (NFKC); texts are shown as published.
    """
    terms = search_terms(query)
    best: dict[str, tuple[float, str, Row]] = {}
    needed = prefilter(terms)
    if terms and needed is not None:
        for row in q.searchable_texts(run, body, containing=needed):
            scored = _score(str(row["text"]), terms)
            if scored is None:
                continue
            node = str(row["node"])
            if node not in best or scored[0] > best[node][0]:
                best[node] = (scored[0], scored[1], row)
    if body is not None and not best:
        require_body(run, body)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], len(str(kv[1][2]["text"])), kv[0]))
    top = ranked[:limit]
    sources = Sources(run, [node for node, _ in top])
    hits = [
        m.SearchHit(
            iri=node,
            href=href(node),
            kind=KINDS[str(row["class"])],  # type: ignore[arg-type]
            item_code=_str(row["code"]),
            year=_int(row["year"]),
            text=str(row["text"]),
            snippet=snippet,
            score=score,
            sources=sources(node),
        )
        for node, (score, snippet, row) in top
    ]
    return m.SearchResponse(query=query, total=len(ranked), hits=hits)
