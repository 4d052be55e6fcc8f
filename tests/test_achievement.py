"""Achievement of actual values against targets, and the rubric band: formula, real documents,
and modified copies of them (a changed actual value, a changed rubric).

Expected numbers are worked out by hand from the lines the tests name; the code holds none.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SOURCES, build_copies

from kg.achievement import achievement, band
from kg.build import BuildSummary
from kg.ingest import selfeval_pdf
from kg.queries import python_value
from kg.records import GradeRubric
from kg.sources import SourceDocument, load_manifest
from kg.store import GraphStore

RUBRIC_REPORT = "business-report-fy2021-with-self-evaluation"  # 000: prints the rubric
REPORT_2025 = "self-evaluation-fy2025"  # 002
MISSED = "公的個人認証システム（窓口向けサービス）：99.85%"
"""002 line 140: the FY2025 availability of one system, under its target of 99.9 % or more."""


def test_formula_for_each_comparator() -> None:
    assert achievement(Decimal("99.85"), Decimal("99.9"), ">=") == Decimal("99.95")
    assert achievement(Decimal(13), Decimal(14), "<=") == Decimal("107.69")
    assert achievement(Decimal(90), Decimal(100), "=") == achievement(
        Decimal("111.11"), Decimal(100), "="
    )
    assert achievement(Decimal(100), Decimal(100), "=") == Decimal("100.00")
    assert achievement(Decimal(0), Decimal(14), "<=") is None
    assert achievement(Decimal(5), Decimal(0), ">=") is None
    with pytest.raises(ValueError, match="comparator"):
        achievement(Decimal(1), Decimal(1), "≧")


def test_rounding_is_half_up_to_two_places() -> None:
    assert achievement(Decimal("1.00005"), Decimal(1), ">=") == Decimal("100.01")
    assert achievement(Decimal("1.000049"), Decimal(1), ">=") == Decimal("100.00")


@pytest.fixture(scope="module")
def rubric() -> list[GradeRubric]:
    source = next(d for d in _manifest_docs() if d.id == RUBRIC_REPORT)
    return selfeval_pdf.parse(source.read_text(), source.id).rubric


def _manifest_docs() -> list[SourceDocument]:
    return list(load_manifest(SOURCES / "manifest.json").documents)


@pytest.mark.parametrize(
    ("percent", "difficulty_high", "grade"),
    [
        ("99.95", False, "C"), ("99.95", True, "C"), ("100.00", False, "B"),
        ("100.00", True, "A"), ("119.99", False, "B"), ("120.00", False, "A"),
        ("280.00", False, "A"), ("80.00", False, "C"), ("79.99", False, "D"),
    ],
)  # fmt: skip
def test_band_read_from_the_printed_rubric(
    rubric: list[GradeRubric], percent: str, difficulty_high: bool, grade: str
) -> None:
    """S also needs 質的に顕著な成果, which numbers cannot show: never a band."""
    assert [r.grade for r in rubric] == ["S", "A", "B", "C", "D"]
    assert band(Decimal(percent), rubric, difficulty_high) == grade


# --- the real documents ------------------------------------------------------------------------

ACHIEVEMENTS = """SELECT ?year ?value ?percent ?grade ?targetValue ?comparator ?note WHERE {
  ?o pt:indicator/pt:item/pt:code "I-1" ; pt:fiscalYear/pt:year ?year ; pt:value ?value .
  OPTIONAL { ?o pt:achievement ?percent ; pt:achievementOf ?t .
             ?t pt:targetValue ?targetValue ; pt:comparator ?comparator }
  OPTIONAL { ?o pt:impliedGrade/skos:notation ?grade }
  OPTIONAL { ?o pt:achievementNote ?note FILTER(LANG(?note) = "en") }
  FILTER(?value = %s && ?year = %d)
}"""


def _rows(store: GraphStore, value: str, year: int) -> list[tuple[str | None, ...]]:
    result = store.query(ACHIEVEMENTS % (value, year))
    return sorted({tuple(None if t is None else t.value for t in row) for row in result.rows})


def test_fy2025_availability_under_its_target(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    """99.85 % against 99.9 % or more: 99.95 %, band C (the same in any difficulty)."""
    assert _rows(real_build[0], "99.85", 2025) == [
        ("2025", "99.85", "99.95", "C", "99.9", ">=", None)
    ]


def test_fy2021_difficulty_mark_lifts_100_percent_to_a(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    """FY2021 I-1 is underlined (high difficulty) in 002's summary table: 100.02 % is A."""
    assert _rows(real_build[0], "99.92", 2021) == [
        ("2021", "99.92", "100.02", "A", "99.9", ">=", None)
    ]


def test_what_cannot_be_compared_says_why(real_build: tuple[GraphStore, BuildSummary]) -> None:
    # 002: the mean of 10.2 days is not compared with 遅くとも14日以内 (every case).
    ((*_, percent, grade, _, _, note),) = _rows(real_build[0], "10.2", 2025)
    assert percent is None and grade is None
    assert note is not None and "mean" in note
    # 002: 100 % is 100.10 %: B, or A if I-1 were of high difficulty in FY2025, which the
    # report does not print: no band, and the note says so.
    rows = _rows(real_build[0], "100", 2025)
    assert rows and all(Decimal(r[2] or "0") == Decimal("100.10") and r[3] is None for r in rows)
    assert all(r[6] is not None and "difficulty" in r[6] for r in rows)


# --- modified copies -----------------------------------------------------------------------------


def test_changed_actual_value_changes_achievement_and_band(tmp_path: Path) -> None:
    edit = {REPORT_2025: (MISSED, MISSED.replace("99.85", "79.9"))}
    store = build_copies(tmp_path, edit, RUBRIC_REPORT)
    assert _rows(store, "99.85", 2025) == []
    # 79.9 ÷ 99.9 × 100 = 79.979… → 79.98, under the 80 % of band C: D.
    assert _rows(store, "79.9", 2025) == [("2025", "79.9", "79.98", "D", "99.9", ">=", None)]


BANDS = """SELECT ?grade ?p ?v WHERE {
  GRAPH <https://w3id.org/plantrace/id/jlis/doc/business-report-fy2021-with-self-evaluation> {
    ?g ?p ?v VALUES ?p { pt:achievementMin pt:achievementMax pt:achievementMinHighDifficulty } }
  ?g skos:notation ?grade }"""


def _bands(store: GraphStore) -> set[tuple[str, str, str]]:
    rows = store.query(BANDS).rows
    return {tuple(str(python_value(t)).rsplit("#", 1)[-1] for t in row) for row in rows}


def test_rubric_bands_are_read_from_the_report(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    assert _bands(real_build[0]) == {
        ("S", "achievementMin", "120"), ("S", "achievementMinHighDifficulty", "100"),
        ("A", "achievementMin", "120"), ("A", "achievementMinHighDifficulty", "100"),
        ("B", "achievementMin", "100"), ("B", "achievementMax", "120"),
        ("C", "achievementMin", "80"), ("C", "achievementMax", "100"),
        ("D", "achievementMax", "80"),
    }  # fmt: skip


def test_a_report_printing_another_rubric_gives_its_numbers(tmp_path: Path) -> None:
    """000 lines 6789-6798 with C's band moved to 90 % – 100 % and D under 90 %."""
    edits = {RUBRIC_REPORT: ("（80％以上100％未満達成）", "（90％以上100％未満達成）")}
    store = build_copies(tmp_path, edits, REPORT_2025)
    bands = _bands(store)
    assert ("C", "achievementMin", "90") in bands
    assert ("C", "achievementMin", "80") not in bands
    # FY2025's 99.85 % is 99.95 %: still C under the changed rubric.
    assert _rows(store, "99.85", 2025)[0][3] == "C"
