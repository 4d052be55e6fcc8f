"""The rules on targets and grades, on modified copies of the real documents: a plan target
lowered under its goal, and an actual value raised to meet its target.

Each copy is checked with the one shapes file its rule is in, and the unmodified documents are
checked the same way, so a test fails when the rule fires on the real data or never fires.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from conftest import build_copies
from rdflib import Graph, URIRef

from kg.config import SHAPES_DIR
from kg.namespaces import PT
from kg.validate import PTS, store_graph, union_graph, validate

BOARD = "board-material-2021-09-01"  # 004
RUBRIC_REPORT = "business-report-fy2021-with-self-evaluation"  # 000
REPORT_2025 = "self-evaluation-fy2025"  # 002
PLAN_UPTIME = "見直しを進めること等を通して、システム稼働率 99.9％以上の確保を目指す。"
"""004 line 130: the plan's availability target (議案第1号); the goal's is at line 1507."""
MISSED = "公的個人認証システム（窓口向けサービス）：99.85%"
"""002 line 140: an FY2025 availability under its target."""


def _findings(
    tmp_path: Path,
    edits: dict[str, tuple[str, str]],
    docs: tuple[str, ...],
    shapes: str,
    shape: str,
) -> tuple[Graph, list[tuple[str, str, str | None]]]:
    """Build ``docs`` (with ``edits``) and validate them with the shapes file ``shapes``: the
    graph, and the findings of ``shape`` as (focus, severity, value)."""
    data = union_graph(store_graph(build_copies(tmp_path, edits, *docs)))
    report = validate(data, shapes=Graph().parse(SHAPES_DIR / shapes, format="turtle"))
    found = [(f.focus, f.severity, f.value) for f in report.findings if f.shape == str(PTS[shape])]
    return data, found


def test_plan_target_lowered_under_its_goal_is_a_violation(tmp_path: Path) -> None:
    board = (BOARD,)
    _, real = _findings(tmp_path / "real", {}, board, "statute.ttl", "PlanTargetWeakerShape")
    assert real == []
    edit = {BOARD: (PLAN_UPTIME, PLAN_UPTIME.replace("99.9", "99.0"))}
    data, found = _findings(tmp_path / "copy", edit, board, "statute.ttl", "PlanTargetWeakerShape")
    ((focus, severity, value),) = found
    target = URIRef(focus)
    assert severity == "violation"
    assert Decimal(str(data.value(target, PT.targetValue))) == Decimal("99.0")
    assert "99.0％以上" in str(data.value(target, PT.text))
    (clause,) = data.subjects(PT.target, target)
    assert "/plan-clause/" in str(clause)  # the board material alone names no item
    assert value is not None and "９９．９％以上" in value  # the goal's target, as printed


def test_meeting_the_target_removes_the_grade_above_numbers(tmp_path: Path) -> None:
    shape, reports = "GradeAboveNumbersShape", (RUBRIC_REPORT, REPORT_2025)
    _, real = _findings(tmp_path / "real", {}, reports, "grading.ttl", shape)
    assert [(severity, value) for _, severity, value in real] == [
        ("warning", "自己評価 I-1 FY2025: B")
    ]
    # 99.95 ÷ 99.9 × 100 = 100.05: B (or A on a high-difficulty item), no longer C.
    edit = {REPORT_2025: (MISSED, MISSED.replace("99.85", "99.95"))}
    _, edited = _findings(tmp_path / "copy", edit, reports, "grading.ttl", shape)
    assert edited == []
