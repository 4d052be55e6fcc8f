"""The trace as one CSV table for spreadsheet users: one row per item, fiscal year and clause.

The clause of a row is the most specific one the year has: the year's annual plan clauses if
there are any, else the mid-term plan's clauses (which cover every year of the plan), else the
goal's. Each row carries the chain above its clause (annual → plan → goal, through
``pt:implements``), the indicators measuring any clause of that chain with their targets, the
year's actual values of those indicators with how far each reached its target and the band of
the grading rubric that puts it in (``achievement``, ``implied_grade``: the grade basis), the
year's self and ministerial grades, and the
source lines of the clause, the actual values and the grades. Indicators of an item that measure
none of its clauses get one more row per year, with the clause columns empty.

Cells with several values list one per line. The file starts with a byte order mark so that
spreadsheet programs read it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from api.jobs import long_job
from api.views import models as m
from api.views.traces import traces
from kg.queries import QueryFn

COLUMNS = [
    "item_code",
    "item_label",
    "fiscal_year",
    "goal",
    "plan",
    "annual_plan",
    "indicator",
    "target",
    "actual",
    "achievement",
    "implied_grade",
    "self_grade",
    "ministerial_grade",
    "source",
    "clause",
]


def _join(values: Iterable[str | None]) -> str:
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return "\n".join(seen)


def _sources(spans: Iterable[m.SourceSpan]) -> list[str]:
    out = []
    for s in spans:
        doc = s.document.rstrip("/").rsplit("/", 1)[-1]
        lines = (
            f"L{s.line_start}" if s.line_start == s.line_end else f"L{s.line_start}-L{s.line_end}"
        )
        out.append(f"{doc}:{lines}")
    return out


def _target(t: m.Target) -> str | None:
    if t.text:
        return t.text
    if t.value is None:
        return None
    return f"{t.comparator or ''}{t.value}{t.unit or ''}"


def _achievement(o: m.Observation) -> str | None:
    """``99.85%: 99.95% (C)``: an actual value, how far it reached its target and the band."""
    if o.achievement is None:
        return None
    band = f" ({o.implied_grade})" if o.implied_grade else ""
    return f"{_actual(o)}: {o.achievement}%{band}"


def _actual(o: m.Observation) -> str | None:
    if o.text:
        return o.text
    return f"{o.value}{o.unit or ''}" if o.value is not None else None


def rows(trace: m.Trace) -> list[list[str]]:
    """The CSV rows of one item's trace."""
    clauses = {c.iri: c for c in [*trace.goal_clauses, *trace.plan_clauses]}
    for year in trace.years:
        clauses.update((c.iri, c) for c in year.annual_clauses)
    out: list[list[str]] = []
    for year in trace.years or [m.YearTrace(year=0, annual_clauses=[], observations=[])]:
        chosen = year.annual_clauses or trace.plan_clauses or trace.goal_clauses
        covered: set[str] = set()
        grades = [e for e in (year.self_evaluation, year.ministerial_evaluation) if e]
        row_clauses: list[m.Clause | None] = [*chosen] or [None]
        for clause in row_clauses:
            chain = _chain(clause, clauses)
            indicators = [i for i in trace.indicators if set(i.measures) & {c.iri for c in chain}]
            covered.update(i.iri for i in indicators)
            out.append(_row(trace, year, chain, clause, indicators, grades))
        rest = [i for i in trace.indicators if i.iri not in covered]
        if rest and chosen:
            out.append(_row(trace, year, [], None, rest, grades))
    return out


def _chain(clause: m.Clause | None, clauses: dict[str, m.Clause]) -> list[m.Clause]:
    """``clause`` and every clause it implements, transitively (annual → plan → goal)."""
    chain: list[m.Clause] = []
    todo = [clause] if clause else []
    while todo:
        c = todo.pop(0)
        if c.iri in {x.iri for x in chain}:
            continue
        chain.append(c)
        todo += [clauses[i] for i in c.implements if i in clauses]
    return chain


def _row(
    trace: m.Trace,
    year: m.YearTrace,
    chain: list[m.Clause],
    clause: m.Clause | None,
    indicators: list[m.Indicator],
    grades: list[m.Evaluation],
) -> list[str]:
    def level(name: str) -> str:
        return _join(c.text for c in chain if c.level == name)

    actuals = [o for i in indicators for o in i.observations if o.year == year.year]
    spans = [*(clause.sources if clause else []), *(s for o in actuals for s in o.sources)]
    spans += [s for e in grades for s in e.sources]
    return [
        trace.item.code,
        trace.item.label or "",
        str(year.year) if year.year else "",
        level("goal"),
        level("plan"),
        level("annual"),
        _join(i.label for i in indicators),
        _join(_target(t) for i in indicators for t in i.targets),
        _join(_actual(o) for o in actuals),
        _join(_achievement(o) for o in actuals),
        _join(o.implied_grade for o in actuals),
        year.self_evaluation.grade or "" if year.self_evaluation else "",
        year.ministerial_evaluation.grade or "" if year.ministerial_evaluation else "",
        _join(_sources(spans)),
        clause.iri if clause else "",
    ]


@long_job
def trace_csv(run: QueryFn) -> bytes:
    """The CSV file of every item's trace (UTF-8 with a byte order mark, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for trace in traces(run):
        writer.writerows(rows(trace))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
