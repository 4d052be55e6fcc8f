"""Whether an item's grades are justified by its numbers: the grade basis (評定の根拠), for the
item page, ``/api/items/{code}/grade-basis`` and the dashboard's marks.

For every year, each actual value of the item's indicators with the target it was compared with
(an indicator's own, else the clause's it measures; :mod:`kg.achievement` chose it at build
time), the targets of the plans above that target (``pt:refines``, annual plan → mid-term plan →
mid-term goal), its achievement and the rubric band it falls in, next to the self and the
ministerial grade. The findings of the checks that hold grades and targets against each other
(:data:`BASIS_RULES`) come from the validation report, which the validation runner computes once
per store (:func:`with_findings`).
"""

from __future__ import annotations

from api.jobs import job
from api.views import models as m
from api.views.rows import as_str, column, grouped
from api.views.traces import trace
from api.views.validation_page import ValidationPage
from kg import queries as q
from kg.queries import QueryFn, Row

SHAPES = "https://w3id.org/plantrace/shapes#"
BASIS_RULES = frozenset(
    SHAPES + name
    for name in (
        "GradeAboveNumbersShape",
        "GradeBelowNumbersShape",
        "TargetUnitMismatchShape",
        "PlanTargetWeakerShape",
        "AnnualTargetWeakerShape",
        "IndicatorTargetWeakerShape",
    )
)
"""The checks (shapes/*.ttl) whose findings are about a grade and its numbers or targets."""
DISAGREEING = frozenset({SHAPES + "GradeAboveNumbersShape", SHAPES + "GradeBelowNumbersShape"})
"""The checks that find a grade disagreeing with its numbers (the dashboard marks those)."""


def basis_of(tr: m.Trace, rows: list[Row]) -> m.GradeBasis:
    """The grade basis of the item of trace ``tr``; ``rows`` are its
    :func:`kg.queries.grade_basis` rows (the target each actual value was compared with, and
    the notes)."""
    targets = {t.iri: t for i in tr.indicators for t in i.targets}
    for c in [*tr.goal_clauses, *tr.plan_clauses, *(c for y in tr.years for c in y.annual_clauses)]:
        targets.update((t.iri, t) for t in c.targets)
    by_observation = grouped(rows, "observation")
    quantitative = {i.iri: i for i in tr.indicators if i.quantitative}
    years = []
    for year in tr.years:
        basis = []
        for o in year.observations:
            indicator = quantitative.get(o.indicator)
            if indicator is None:
                continue
            found = by_observation.get(o.iri, [])
            target = targets.get(as_str(column(found, "target")) or "")
            basis.append(
                m.BasisRow(
                    indicator=indicator.iri,
                    indicator_href=indicator.href,
                    indicator_label=indicator.label,
                    observation=o,
                    target=target,
                    above=_above(target, targets, year.year),
                    note_ja=as_str(column(found, "noteJa")),
                    note_en=as_str(column(found, "noteEn")),
                )
            )
        if basis or year.self_evaluation or year.ministerial_evaluation:
            years.append(
                m.BasisYear(
                    year=year.year,
                    rows=basis,
                    self_evaluation=year.self_evaluation,
                    ministerial_evaluation=year.ministerial_evaluation,
                )
            )
    item = tr.item
    return m.GradeBasis(code=item.code, iri=item.iri, href=item.href, label=item.label,
                        years=years)  # fmt: skip


def _above(target: m.Target | None, targets: dict[str, m.Target], year: int) -> list[m.Target]:
    """The targets ``target`` refines, level by level up (each once); of the annual plans, only
    the plan of ``year`` (an indicator that measures the clauses of several annual plans refines
    each of their targets)."""
    out: list[m.Target] = []
    todo = list(target.refines) if target else []
    while todo:
        found = targets.get(todo.pop(0))
        if found is not None and found.year not in (None, year):
            continue
        if found is not None and found not in out:
            out.append(found)
            todo += found.refines
    return out


@job
def grade_basis(run: QueryFn, code: str, body: str | None = None) -> m.GradeBasis:
    """The grade basis of item ``code`` (of publisher ``body``); NotFound if there is none."""
    return basis_of(trace(run, code, body), q.grade_basis(run, [code], body))


def basis_findings(report: ValidationPage, code: str) -> list[m.BasisFinding]:
    """The findings of :data:`BASIS_RULES` about item ``code`` in a validation report."""
    out = []
    for group in report.groups:
        for rule in group.rules:
            if rule.shape not in BASIS_RULES:
                continue
            for f in rule.findings:
                if f.item_code == code:
                    out.append(
                        m.BasisFinding(
                            severity=group.severity,  # type: ignore[arg-type]
                            rule=rule.shape,
                            label_ja=rule.label_ja,
                            label_en=rule.label_en,
                            message_ja=f.message_ja,
                            message_en=f.message_en,
                            focus=f.focus,
                            focus_href=f.focus_href,
                            year=f.year,
                            article=rule.article,
                            article_href=rule.article_url,
                        )
                    )
    return out


def with_findings(basis: m.GradeBasis, report: ValidationPage | None) -> m.GradeBasis:
    """``basis`` with the findings of ``report`` about its item, each under its year (those of
    no year, such as a plan target weaker than its goal's, under the item); ``report`` None
    (validation still running or failed) leaves them out and says so."""
    if report is None:
        return basis
    found = basis_findings(report, basis.code)
    years = [
        y.model_copy(update={"findings": [f for f in found if f.year == y.year]})
        for y in basis.years
    ]
    placed = {y.year for y in years}
    rest = [f for f in found if f.year not in placed]
    return basis.model_copy(update={"years": years, "findings": rest, "findings_checked": True})


def disagreements(report: ValidationPage | None) -> frozenset[str]:
    """The evaluations whose grade disagrees with its numbers: those the findings of
    :data:`DISAGREEING` name, as their focus (a grade below its numbers) or as their value (a
    grade above them: the focus is the actual value)."""
    if report is None:
        return frozenset()
    return frozenset(
        node
        for group in report.groups
        for rule in group.rules
        if rule.shape in DISAGREEING
        for f in rule.findings
        for node in (f.focus, f.value_node)
        if node
    )
