"""Every shape in shapes/, on a minimal graph that conforms and a minimal one that fails it.

Each case is small Turtle: the failing graph must produce exactly one finding in the whole
validation (not just from the shape under test), from the expected shape, on the expected focus
node, with the expected severity. That keeps the shapes from overlapping and shows that every
rule fires on its own. The graphs are built from a few named fragments below.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.validate import PTS, load_shapes, validate

PREFIXES = """
@prefix :        <https://w3id.org/plantrace/id/test/> .
@prefix pt:      <https://w3id.org/plantrace/ontology#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix fy:      <https://w3id.org/plantrace/id/fiscal-year/> .
@prefix law:     <https://w3id.org/plantrace/id/law/425AC0000000027/> .
"""
TEST = "https://w3id.org/plantrace/id/test/"
FY = "https://w3id.org/plantrace/id/fiscal-year/"

# Always present: a source span and the fiscal years the cases use.
BASE = """
:doc a pt:SourceDocument .
:span a pt:Span ; pt:document :doc ; pt:lineStart 1 ; pt:lineEnd 2 .
fy:2020 a pt:FiscalYear ; pt:year 2020 .
fy:2021 a pt:FiscalYear ; pt:year 2021 .
fy:2022 a pt:FiscalYear ; pt:year 2022 .
fy:2023 a pt:FiscalYear ; pt:year 2023 .
"""
I1 = ':I-1 a pt:EvaluationItem ; pt:code "I-1" ; pt:category "I" .'
I2 = ':I-2 a pt:EvaluationItem ; pt:code "I-2" ; pt:category "I" .'
GC = ":gc a pt:GoalClause ; pt:item :I-1 ; prov:wasDerivedFrom :span ."
PC = ":pc a pt:PlanClause ; pt:item :I-1 ; pt:implements :gc ; prov:wasDerivedFrom :span ."
TRACE = I1 + GC + PC
AP = ":ap a pt:AnnualPlan ; pt:fiscalYear fy:2021 ; pt:authorizedBy law:art38-10 ."
AP22 = ":ap22 a pt:AnnualPlan ; pt:fiscalYear fy:2022 ; pt:authorizedBy law:art38-10 ."
AP23 = ":ap23 a pt:AnnualPlan ; pt:fiscalYear fy:2023 ; pt:authorizedBy law:art38-10 ."
AC = """:ac a pt:AnnualPlanClause ; pt:item :I-1 ; pt:fiscalYear fy:2021 ; pt:partOf :ap ;
    pt:implements :pc ; prov:wasDerivedFrom :span ."""
TARGET = ':t a pt:Target ; pt:targetValue 99.9 ; pt:unit "%" ; pt:comparator ">=" .'
QIND = """:ind a pt:QuantitativeIndicator ; pt:item :I-1 ; pt:measures :gc ; pt:target :t ;
    prov:wasDerivedFrom :span ."""
INDICATOR = TRACE + QIND + TARGET


def target(name: str, value: str, refines: str | None = None, owner: str | None = None) -> str:
    """A target ``:name`` of at least ``value`` %, stated by ``owner``, refining ``refines``."""
    up = f"pt:refines :{refines} ;" if refines else ""
    stated = f":{owner} pt:target :{name} ." if owner else ""
    return (
        f':{name} a pt:Target ; pt:targetValue {value} ; pt:unit "%" ; pt:comparator ">=" ;'
        f' {up} pt:perPeriod "年" . {stated}'
    )


def graded(band: str, achievement: str = "100.0") -> str:
    """An observation of :ind in FY2021 whose achievement falls in ``band``."""
    return obs(f'pt:value 99.9 ; pt:unit "%" ; pt:achievement {achievement} ;'
               f" pt:impliedGrade pt:Grade{band}")  # fmt: skip


RATIONALE = '; pt:rationale "年度計画を上回った。"@ja'


def goal(begin: str = "2021-09-01", end: str = "2026-03-31") -> str:
    return f"""
:goal a pt:MidTermGoal ; pt:authorizedBy law:art38-8 ; pt:period :period .
:period a time:Interval ; time:hasBeginning :begin ; time:hasEnd :end .
:begin time:inXSDDate "{begin}"^^xsd:date .
:end time:inXSDDate "{end}"^^xsd:date .
"""


GOAL = goal()


def obs(props: str = 'pt:value 99.95 ; pt:unit "%"', year: int | None = 2021) -> str:
    year_prop = f"pt:fiscalYear fy:{year} ;" if year else ""
    return (
        f":obs a pt:Observation ; pt:indicator :ind ; {year_prop} {props} ;"
        " prov:wasDerivedFrom :span ."
    )


def ev(name: str, kind: str = "SelfEvaluation", item: str = "I-1", year: int = 2021,
       grade: str = "B", extra: str = "") -> str:  # fmt: skip
    return (
        f":{name} a pt:{kind} ; pt:evaluates :{item} ; pt:fiscalYear fy:{year} ;"
        f" pt:grade pt:Grade{grade} ; prov:wasDerivedFrom :span {extra}."
    )


def report(name: str, year: int, issued: str | None, extra: str = "") -> str:
    date = f'dcterms:issued "{issued}"^^xsd:date ;' if issued else ""
    return (
        f':{name} a pt:SourceDocument ; pt:documentKind "self-evaluation-report" ;'
        f" pt:fiscalYear fy:{year} ; {date} {extra} ."
    )


def dated(issued: str) -> str:
    return f':news a pt:SourceDocument ; dcterms:issued "{issued}"^^xsd:date .'


THREE_CATEGORIES = """
:I-1 a pt:EvaluationItem ; pt:code "I-1" ; pt:category "I" .
:II-1 a pt:EvaluationItem ; pt:code "II-1" ; pt:category "II" .
:III-1 a pt:EvaluationItem ; pt:code "III-1" ; pt:category "III" .
:g1 a pt:GoalClause ; pt:item :I-1 ; pt:partOf :goal ; prov:wasDerivedFrom :span .
:g2 a pt:GoalClause ; pt:item :II-1 ; pt:partOf :goal ; prov:wasDerivedFrom :span .
:p1 a pt:PlanClause ; pt:item :I-1 ; pt:implements :g1 ; prov:wasDerivedFrom :span .
:p2 a pt:PlanClause ; pt:item :II-1 ; pt:implements :g2 ; prov:wasDerivedFrom :span .
"""
CATEGORY_III = """
:g3 a pt:GoalClause ; pt:item :III-1 ; pt:partOf :goal ; prov:wasDerivedFrom :span .
:p3 a pt:PlanClause ; pt:item :III-1 ; pt:implements :g3 ; prov:wasDerivedFrom :span .
"""
THREE_YEARS = goal("2021-04-01", "2024-03-31") + AP + AP22 + AP23


ISSUED = ':doc dcterms:issued "2021-09-01"^^xsd:date .'
LATER = 'pt:validFrom "2022-04-01"^^xsd:date ; prov:wasDerivedFrom :span .'
GC2 = f":gc2 a pt:GoalClause ; pt:item :I-1 ; prov:wasRevisionOf :gc ; {LATER}"
PC2 = f":pc2 a pt:PlanClause ; pt:item :I-1 ; pt:implements :gc ; prov:wasRevisionOf :pc ; {LATER}"
PCX = ":pcx a pt:PlanClause ; pt:item :I-1 ; pt:implements :gc2 ; prov:wasDerivedFrom :span ."
AC22 = """:ac22 a pt:AnnualPlanClause ; pt:item :I-1 ; pt:fiscalYear fy:2022 ; pt:partOf :ap22 ;
    pt:implements :pc2 ; prov:wasDerivedFrom :span ."""
IND2 = f""":ind2 a pt:QuantitativeIndicator ; pt:item :I-1 ; pt:measures :gc ; pt:target :t ;
    prov:wasRevisionOf :ind ; {LATER}"""


@dataclass(frozen=True)
class Case:
    """A shape, a graph it accepts, a graph it rejects, and what the rejection names."""

    id: str
    shape: str  # local name in pts:
    severity: str
    ok: str
    bad: str
    focus: str  # IRI (prefix ":" and "fy:" expanded by the test)
    value: str | None = None  # the finding's value as rendered, when the shape reports one


V, W, INFO = "violation", "warning", "info"

CASES = [
    # ---- trace.ttl -------------------------------------------------------------------------
    Case("goal-clause-implemented", "GoalClauseImplementedShape", V, TRACE, I1 + GC, ":gc"),
    Case("plan-clause-implements-goal", "PlanClauseImplementsGoalShape", V, TRACE,
         I1 + ":pc a pt:PlanClause ; pt:item :I-1 ; prov:wasDerivedFrom :span .", ":pc"),
    Case("annual-clause-implements-plan", "AnnualClauseImplementsPlanShape", V,
         TRACE + AP + AC, TRACE + AP + AC.replace("pt:implements :pc ;", ""), ":ac"),
    Case("clause-item", "ClauseItemShape", W, TRACE,
         I1 + PC + ":gc a pt:GoalClause ; prov:wasDerivedFrom :span .", ":gc"),
    Case("indicator-measures", "IndicatorMeasuresShape", W,
         TRACE + ":ind a pt:EvaluationViewpoint ; pt:item :I-1 ; pt:measures :gc ;"
         " prov:wasDerivedFrom :span .",
         TRACE + ":ind a pt:EvaluationViewpoint ; pt:item :I-1 ; prov:wasDerivedFrom :span .",
         ":ind"),
    Case("quantitative-indicator-target", "QuantitativeIndicatorTargetShape", W, INDICATOR,
         TRACE + QIND.replace("pt:target :t ;", ""), ":ind"),
    Case("observation-value", "ObservationValueShape", V, INDICATOR + obs(),
         INDICATOR + obs('pt:unit "%"'), ":obs"),
    Case("observation-unit", "ObservationUnitShape", V, INDICATOR + obs(),
         INDICATOR + obs("pt:value 99.95"), ":obs"),
    Case("observation-year", "ObservationYearShape", V, INDICATOR + obs(),
         INDICATOR + obs(year=None), ":obs"),
    Case("observation-indicator", "ObservationIndicatorShape", V, INDICATOR + obs(),
         INDICATOR + obs().replace("pt:indicator :ind ;", ""), ":obs"),
    Case("provenance-missing", "ProvenanceShape", V, TRACE,
         I1 + PC + ":gc a pt:GoalClause ; pt:item :I-1 .", ":gc"),
    Case("provenance-not-a-span", "ProvenanceShape", V, TRACE,
         I1 + PC + ":gc a pt:GoalClause ; pt:item :I-1 ; prov:wasDerivedFrom :doc .", ":gc"),
    Case("ministerial-grade-each-year", "MinisterialGradeEachYearShape", V,
         GOAL + I1 + I2 + ev("m1", "MinisterialEvaluation")
         + ev("m2", "MinisterialEvaluation", "I-2"),
         GOAL + I1 + I2 + ev("m1", "MinisterialEvaluation"), ":I-2", "FY2021"),
    Case("ministerial-grade-after-self", "MinisterialGradeAfterSelfShape", W,
         GOAL + I1 + ev("m1", "MinisterialEvaluation") + ev("s2", year=2022)
         + ev("m2", "MinisterialEvaluation", year=2022),
         GOAL + I1 + ev("m1", "MinisterialEvaluation") + ev("s2", year=2022), ":I-1", "FY2022"),
    Case("self-grade-each-year", "SelfGradeEachYearShape", V,
         GOAL + I1 + I2 + ev("s1") + ev("s2", item="I-2"),
         GOAL + I1 + I2 + ev("s1"), ":I-2", "FY2021"),
    Case("self-grade-each-report-year", "SelfGradeEachYearShape", V,
         GOAL + I1 + AP + AP22 + report("r21", 2021, "2022-06-20") + ev("s1"),
         GOAL + I1 + AP + AP22 + report("r21", 2021, "2022-06-20"), ":I-1", "FY2021"),
    # ---- integrity.ttl ---------------------------------------------------------------------
    Case("item-code", "ItemCodeShape", V, I1,
         ':I-1 a pt:EvaluationItem ; pt:code "I-01" ; pt:category "I" .', ":I-1"),
    Case("item-category", "ItemCategoryShape", V, I1,
         ':I-1 a pt:EvaluationItem ; pt:code "I-1" .', ":I-1"),
    Case("item-category-matches-code", "ItemCategoryMatchesCodeShape", V, I1,
         ':I-1 a pt:EvaluationItem ; pt:code "II-1" ; pt:category "I" .', ":I-1", "I"),
    Case("item-reference", "ItemReferenceShape", V, TRACE,
         I1 + I2 + PC + ":gc a pt:GoalClause ; pt:item :I-1 , :I-2 ; prov:wasDerivedFrom :span .",
         ":gc"),
    Case("evaluates", "EvaluatesShape", V, I1 + ev("e"),
         I1 + ev("e").replace("pt:evaluates :I-1 ;", ""), ":e"),
    Case("annual-clause-year", "AnnualClauseYearShape", V, TRACE + AP + AC,
         TRACE + AP + AC.replace("fy:2021", "fy:2022"), ":ac"),
    Case("target-value", "TargetValueShape", V, INDICATOR,
         INDICATOR.replace("pt:targetValue 99.9", 'pt:targetValue "99.9"'), ":t"),
    Case("target-unit", "TargetUnitShape", V, INDICATOR,
         INDICATOR.replace('pt:unit "%" ;', ""), ":t"),
    Case("target-comparator", "TargetComparatorShape", V, INDICATOR,
         INDICATOR.replace('">="', '"≧"'), ":t"),
    Case("observation-value-datatype", "ObservationValueDatatypeShape", V, INDICATOR + obs(),
         INDICATOR + obs('pt:value "99.95" ; pt:unit "%"'), ":obs"),
    Case("observation-unit-datatype", "ObservationUnitDatatypeShape", V, INDICATOR + obs(),
         INDICATOR + obs('pt:value 99.95 ; pt:unit "%"@ja'), ":obs"),
    Case("fiscal-year", "FiscalYearShape", V, "",
         ':fyx a pt:FiscalYear ; pt:year "2024" .', ":fyx"),
    Case("fiscal-year-reference", "FiscalYearReferenceShape", V, I1 + ev("e"),
         I1 + ev("e").replace("fy:2021", ":notAYear"), ":e"),
    Case("evaluation-year", "EvaluationYearShape", V, I1 + ev("e"),
         I1 + ev("e").replace("pt:fiscalYear fy:2021 ;", ""), ":e"),
    Case("year-in-goal-period", "YearInGoalPeriodShape", V, GOAL + I1 + ev("e"),
         GOAL + I1 + ev("e", year=2020), ":e", "FY2020"),
    Case("observation-year-in-goal-period", "ObservationYearInGoalPeriodShape", W,
         GOAL + INDICATOR + obs(), GOAL + INDICATOR + obs(year=2020), ":obs", "FY2020"),
    Case("grade", "GradeShape", V, I1 + ev("e"),
         I1 + ev("e").replace("pt:GradeB", ":GradeZ"), ":e"),
    Case("evaluation-marks", "EvaluationMarksShape", V,
         I1 + ev("e", extra="; pt:importanceHigh true"),
         I1 + ev("e", extra='; pt:importanceHigh "true"'), ":e"),
    Case("one-evaluation-per-item-year", "OneEvaluationPerItemYearShape", V, I1 + ev("e1"),
         I1 + ev("e1") + ev("e2"), ":I-1", "FY2021"),
    Case("span-document", "SpanDocumentShape", V, "",
         ":s2 a pt:Span ; pt:lineStart 1 ; pt:lineEnd 2 .", ":s2"),
    Case("span-lines", "SpanLinesShape", V, "",
         ":s2 a pt:Span ; pt:document :doc ; pt:lineStart 3 ; pt:lineEnd 2 .", ":s2"),
    Case("span-line-end", "SpanLineEndShape", V, "",
         ":s2 a pt:Span ; pt:document :doc ; pt:lineStart 1 .", ":s2"),
    # ---- statute.ttl -----------------------------------------------------------------------
    Case("goal-period-stated", "GoalPeriodStatedShape", V, GOAL,
         ":goal a pt:MidTermGoal ; pt:authorizedBy law:art38-8 .", ":goal"),
    Case("goal-period-too-long", "GoalPeriodLengthShape", V, GOAL,
         goal("2021-09-01", "2027-03-31"), ":goal"),
    Case("goal-period-one-day-short", "GoalPeriodLengthShape", V,
         goal("2021-04-01", "2024-03-31"), goal("2021-04-01", "2024-03-30"), ":goal"),
    Case("goal-period-one-day-over", "GoalPeriodLengthShape", V,
         goal("2021-04-01", "2026-03-31"), goal("2021-04-01", "2026-04-01"), ":goal"),
    Case("goal-matters", "GoalMattersShape", V, GOAL + THREE_CATEGORIES + CATEGORY_III,
         GOAL + THREE_CATEGORIES, ":goal", "III"),
    Case("goal-authorized", "GoalAuthorizedShape", W,
         GOAL.replace("law:art38-8", "<https://w3id.org/plantrace/id/law/425AC0000000027/art38-8/para1>"),
         GOAL.replace("law:art38-8", "law:art38-9"), ":goal"),
    Case("plan-authorized", "PlanAuthorizedShape", W,
         ":plan a pt:MidTermPlan ; pt:authorizedBy law:art38-9 .", ":plan a pt:MidTermPlan .",
         ":plan"),
    Case("annual-plan-authorized", "AnnualPlanAuthorizedShape", W, AP,
         AP.replace("; pt:authorizedBy law:art38-10", ""), ":ap"),
    Case("annual-plan-each-year", "AnnualPlanEachYearShape", W,
         GOAL + AP + AP22 + dated("2022-05-01"), GOAL + AP + dated("2022-05-01"), ":goal",
         "FY2022"),
    Case("self-evaluation-report-each-year", "SelfEvaluationReportEachYearShape", W,
         GOAL + AP + AP22 + dated("2022-07-01") + report("r21", 2021, "2022-06-20"),
         GOAL + AP + AP22 + dated("2022-07-01"), ":goal", "FY2021"),
    Case("self-evaluation-report-deadline", "SelfEvaluationReportDeadlineShape", V,
         report("r21", 2021, "2022-06-30"), report("r21", 2021, "2022-07-01"), ":r21",
         "2022-07-01"),
    Case("self-evaluation-report-deadline-month", "SelfEvaluationReportDeadlineShape", V,
         report("r21", 2021, None, '; dcterms:issued "2022-06"^^xsd:gYearMonth'),
         report("r21", 2021, None, '; dcterms:issued "2022-07"^^xsd:gYearMonth'), ":r21",
         "2022-07"),
    Case("self-evaluation-report-date", "SelfEvaluationReportDateShape", INFO,
         report("r21", 2021, "2022-06-20"), report("r21", 2021, None), ":r21"),
    Case("period-evaluation", "PeriodEvaluationShape", W,
         THREE_YEARS + report("r21", 2021, "2022-06-20")
         + report("r22", 2022, "2023-06-20", "; pt:coversGoalPeriod :goal")
         + report("r23", 2023, "2024-06-20", "; pt:coversGoalPeriod :goal"),
         THREE_YEARS + report("r21", 2021, "2022-06-20")
         + report("r22", 2022, "2023-06-20", "; pt:coversGoalPeriod :goal")
         + report("r23", 2023, "2024-06-20"),
         ":goal", "FY2023"),
    # ---- grading.ttl -----------------------------------------------------------------------
    Case("grade-above-numbers", "GradeAboveNumbersShape", W,
         INDICATOR + graded("B", "100.05") + ev("e"),
         INDICATOR + graded("C", "99.95") + ev("e"), ":obs", "自己評価 I-1 FY2021: B"),
    Case("grade-above-numbers-d", "GradeAboveNumbersShape", W,
         INDICATOR + graded("D", "70.00") + ev("e", grade="C"),
         INDICATOR + graded("D", "70.00") + ev("e", grade="A", extra=RATIONALE), ":obs"),
    Case("grade-below-numbers", "GradeBelowNumbersShape", INFO,
         INDICATOR + graded("A", "120.00") + ev("e", grade="A", extra=RATIONALE),
         INDICATOR + graded("A", "120.00") + ev("e"), ":e"),
    Case("grade-below-numbers-an-observation-short", "GradeBelowNumbersShape", INFO,
         INDICATOR + graded("A", "120.00") + ev("e")
         + obs('pt:value 99.9 ; pt:unit "%" ; pt:achievement 105.00').replace(":obs", ":obs2"),
         INDICATOR + graded("A", "120.00") + ev("e")
         + obs('pt:value 99.9 ; pt:unit "%"').replace(":obs", ":obs2"), ":e"),
    Case("plan-target-weaker", "PlanTargetWeakerShape", V,
         TRACE + target("gt", "99.9", owner="gc") + target("pt", "99.9", "gt", "pc"),
         TRACE + target("gt", "99.9", owner="gc") + target("pt", "99.0", "gt", "pc"), ":pt"),
    Case("annual-target-weaker", "AnnualTargetWeakerShape", W,
         TRACE + AP + AC + target("pt", "99.9", owner="pc") + target("at", "99.95", "pt", "ac"),
         TRACE + AP + AC + target("pt", "99.9", owner="pc") + target("at", "99.5", "pt", "ac"),
         ":at"),
    Case("indicator-target-weaker", "IndicatorTargetWeakerShape", W,
         TRACE + QIND + target("gt", "99.9", owner="gc") + target("t", "99.9", "gt"),
         TRACE + QIND + target("gt", "99.9", owner="gc") + target("t", "95.0", "gt"), ":t"),
    Case("target-unit-mismatch", "TargetUnitMismatchShape", INFO, INDICATOR + obs(),
         INDICATOR + obs('pt:value 99.95 ; pt:unit "件"'), ":obs", "%"),
    Case("high-grade-rationale", "HighGradeRationaleShape", W,
         I1 + ev("e", grade="A", extra='; pt:rationale "年度計画を上回った。"@ja'),
         I1 + ev("e", grade="A"), ":e", "A"),
    Case("suspect-plan-link", "SuspectPlanLinkShape", W,
         ISSUED + TRACE + GC2 + PCX.replace(":pcx a", ":pcx prov:wasRevisionOf :pc ; a"),
         ISSUED + TRACE + GC2 + PCX, ":pc"),
    Case("suspect-plan-link-undated", "SuspectPlanLinkShape", W,
         TRACE + GC2 + PCX, ISSUED + TRACE + GC2 + PCX, ":pc"),
    Case("suspect-annual-link", "SuspectAnnualLinkShape", W,
         ISSUED + TRACE + AP + AC + PC2 + AP22 + AC22, ISSUED + TRACE + AP + AC + PC2, ":ac"),
    Case("suspect-annual-link-same-node", "SuspectAnnualLinkShape", W,
         ISSUED + TRACE + AP + AC + PC2 + ":ac pt:implements :pc2 .",
         ISSUED + TRACE + AP + AC + PC2, ":ac"),
    Case("suspect-indicator-link", "SuspectMeasureLinkShape", W,
         ISSUED + INDICATOR + IND2 + obs() + obs(year=2022).replace(":obs", ":obs22")
         .replace(":ind ;", ":ind2 ;"),
         ISSUED + INDICATOR + IND2 + obs(), ":obs"),
    Case("self-ministerial-differ", "SelfMinisterialDifferShape", W,
         I1 + ev("s") + ev("m", "MinisterialEvaluation"),
         I1 + ev("s", grade="C") + ev("m", "MinisterialEvaluation"), ":s", "B"),
]  # fmt: skip


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + BASE + turtle, format="turtle")


def _iri(name: str) -> str:
    if name.startswith("fy:"):
        return FY + name[3:]
    return TEST + name[1:] if name.startswith(":") else name


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_minimal_graph_conforms(case: Case) -> None:
    report = validate(_graph(case.ok))
    assert report.findings == [], [(f.shape, f.focus, f.message_en) for f in report.findings]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_minimal_graph_fails_with_exactly_the_expected_finding(case: Case) -> None:
    report = validate(_graph(case.bad))
    found = [(f.shape, f.focus, f.severity) for f in report.findings]
    assert found == [(str(PTS[case.shape]), _iri(case.focus), case.severity)]
    if case.value is not None:
        assert report.findings[0].value == case.value


def test_every_shape_has_a_case() -> None:
    shapes = {s for s in load_shapes().subjects(SH.severity, None) if isinstance(s, URIRef)}
    tested = {PTS[c.shape] for c in CASES}
    assert shapes == tested
