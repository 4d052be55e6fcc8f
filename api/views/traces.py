"""An item's whole trace as JSON (``/api/items/{code}``): goal → plan → annual plan clauses
by year → indicators and targets → actual values → self and ministerial grades, each with its
source lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from api.jobs import job
from api.views import models as m
from api.views.grades import evaluation_of, evaluation_rows, items_by_code
from api.views.histories import versions
from api.views.links import href
from api.views.rows import all_values, as_decimal, as_int, as_str, column, grouped
from api.views.spans import Sources
from kg import queries as q
from kg.errors import NotFound
from kg.queries import QueryFn, Row


def _provision_refs(run: QueryFn, provisions: Iterable[str]) -> dict[str, m.ProvisionRef]:
    out = {}
    for iri, rows in grouped(q.provision_refs(run, provisions), "provision").items():
        statute = column(rows, "statute")
        out[iri] = m.ProvisionRef(
            iri=iri,
            href=href(iri),
            label=as_str(column(rows, "articleLabel") or column(rows, "label")),
            statute=as_str(statute),
            statute_label=as_str(column(rows, "statuteLabel")),
        )
    return out


def traces(
    run: QueryFn, codes: Sequence[str] | None = None, body: str | None = None
) -> list[m.Trace]:
    """The full trace of the items ``codes`` (default: every item) of publisher ``body``
    (default: every publisher's, merged by code), in code order."""
    item_rows = items_by_code(run, codes, body)
    if not item_rows:
        return []
    wanted = list(item_rows)
    clause_rows = grouped(q.clauses(run, wanted, body), "clause")
    indicator_rows = grouped(q.indicators(run, wanted, body), "indicator")
    target_rows = q.target_chain(run, wanted, body)
    observation_rows = grouped(q.observations(run, wanted, body), "observation")
    evaluations = evaluation_rows(run, wanted, body=body)
    basis = grouped(q.legal_basis(run, wanted, body), "code")
    provisions = _provision_refs(run, {str(r["provision"]) for rs in basis.values() for r in rs})
    targets_by_iri = grouped(target_rows, "target")
    nodes = [
        *(str(r[0]["item"]) for r in item_rows.values()),
        *clause_rows,
        *indicator_rows,
        *targets_by_iri,
        *observation_rows,
        *(str(row["e"]) for row, _ in evaluations.values()),
    ]
    sources = Sources(run, nodes)
    changed = versions(run, wanted, body)
    unchanged = m.Versioned()

    targets: dict[str, list[m.Target]] = defaultdict(list)  # by the indicator or clause stating it
    for iri, rows in targets_by_iri.items():
        targets[str(rows[0]["owner"])].append(target_model(iri, rows, sources))
    clauses: dict[str, list[m.Clause]] = defaultdict(list)
    for iri, rows in clause_rows.items():
        clauses[str(rows[0]["code"])].append(
            m.Clause(
                iri=iri,
                href=href(iri),
                level=q.CLAUSE_LEVELS[str(rows[0]["class"])],  # type: ignore[arg-type]
                year=as_int(column(rows, "year")),
                section=as_str(column(rows, "section")),
                text=as_str(column(rows, "text")),
                implements=all_values(rows, "implements"),
                targets=sorted(targets.get(iri, []), key=lambda t: t.iri),
                sources=sources(iri),
                **dict(changed.fields.get(iri, unchanged)),
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
                year=as_int(column(rows, "year")),
                value=as_decimal(column(rows, "value")),
                unit=as_str(column(rows, "unit")),
                subject=as_str(column(rows, "subject")),
                statistic=as_str(column(rows, "statistic")),
                text=as_str(column(rows, "text")),
                approximate=bool(column(rows, "approximate")),
                achievement=as_decimal(column(rows, "achievement")),
                implied_grade=as_str(column(rows, "impliedGrade")),
                sources=sources(iri),
            )
        )
    indicators: dict[str, list[m.Indicator]] = defaultdict(list)
    for iri, rows in indicator_rows.items():
        indicators[str(rows[0]["code"])].append(
            m.Indicator(
                iri=iri,
                href=href(iri),
                label=as_str(column(rows, "label")),
                quantitative=bool(column(rows, "quantitative")),
                measures=all_values(rows, "measures"),
                targets=sorted(targets.get(iri, []), key=lambda t: t.iri),
                observations=sorted(observations.get(iri, []), key=_observation_key),
                sources=sources(iri),
                **dict(changed.fields.get(iri, unchanged)),
            )
        )

    out = []
    for code, rows in item_rows.items():
        iri = str(rows[0]["item"])
        item_clauses = sorted(clauses.get(code, []), key=_clause_key)
        item_indicators = sorted(indicators.get(code, []), key=_indicator_key)
        grades = {
            (year, by): evaluation_of(row, rs, sources)
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
                    category=as_str(column(rows, "category")),
                    label=as_str(column(rows, "label")),
                    legal_basis_text=as_str(column(rows, "legalBasisText")),
                    related_policy=as_str(column(rows, "relatedPolicy")),
                    legal_basis=[
                        provisions.get(p) or m.ProvisionRef(iri=p, href=href(p))
                        for p in all_values(basis.get(code, []), "provision")
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
                histories=changed.histories.get(code, []),
                suspect_links=changed.suspects.get(code, []),
            )
        )
    return out


@job
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


def target_model(iri: str, rows: list[Row], sources: Sources) -> m.Target:
    """A target from its rows of :func:`kg.queries.target_chain` (one per target it refines)."""
    return m.Target(
        iri=iri,
        href=href(iri),
        value=as_decimal(column(rows, "value")),
        unit=as_str(column(rows, "unit")),
        comparator=as_str(column(rows, "comparator")),
        text=as_str(column(rows, "text")),
        period=as_str(column(rows, "period")),
        approximate=bool(column(rows, "approximate")),
        level=as_str(column(rows, "level")),  # type: ignore[arg-type]
        year=as_int(column(rows, "ownerYear")),
        refines=all_values(rows, "refines"),
        sources=sources(iri),
    )
