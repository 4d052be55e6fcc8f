"""The queries the item page and the JSON API use to show what a grade can be held against
(kg.queries.grade_basis, kg.queries.target_chain), on the real documents.

Expected values are read off the documents by a person: I-1's availability target is
システム稼働率99.9％以上 in the goal (004 line 1507), the plan (004 line 130), the FY2021 annual
plan (004 line 575) and the FY2025 annual plan (002 line 138).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from kg.build import BuildSummary
from kg.queries import Row, grade_basis, target_chain
from kg.store import GraphStore

Real = tuple[GraphStore, BuildSummary]


@pytest.fixture(scope="module")
def chain(real_build: Real) -> dict[str, list[Row]]:
    """I-1's targets by IRI (one row per refined target and text)."""
    rows: dict[str, list[Row]] = defaultdict(list)
    for r in target_chain(real_build[0].query, ["I-1"]):
        rows[str(r["target"])].append(r)
    return rows


def _availability(chain: dict[str, list[Row]], level: str) -> list[str]:
    return sorted(
        t for t, rs in chain.items()
        if rs[0]["level"] == level and rs[0]["unit"] == "%" and rs[0]["value"] == Decimal("99.9")
    )  # fmt: skip


def test_i1_targets_at_every_level(chain: dict[str, list[Row]]) -> None:
    levels = {(rs[0]["level"], rs[0]["ownerYear"]) for rs in chain.values()}
    assert levels == {
        ("goal", None), ("plan", None), ("annual", 2021), ("annual", 2025), ("indicator", None),
    }  # fmt: skip
    deadline = [
        rs[0] for rs in chain.values() if rs[0]["level"] == "goal" and rs[0]["unit"] == "日"
    ]
    assert [(r["value"], r["comparator"]) for r in deadline] == [(Decimal(14), "<=")]
    capacity = {(r["ownerYear"], r["value"], r["period"]) for rs in chain.values() for r in rs
                if r["level"] == "annual" and r["unit"] == "枚"}  # fmt: skip
    assert capacity == {
        (2021, Decimal(4_800_000), "月"), (2021, Decimal(160_000), "日"),
        (2025, Decimal(4_800_000), "月"),
    }  # fmt: skip
    texts = {str(r["text"]) for t in _availability(chain, "goal") for r in chain[t]}
    assert "システム稼働率９９．９％以上" in texts  # as the board material prints it


def test_refines_chain_from_indicator_to_goal(chain: dict[str, list[Row]]) -> None:
    """indicator → annual plan (2021 and 2025) → plan → goal, all ≥ 99.9 %."""
    (indicator,) = _availability(chain, "indicator")
    seen = []
    todo = [indicator]
    while todo:
        target = todo.pop()
        (level,) = {r["level"] for r in chain[target]}
        seen.append(level)
        todo += sorted({str(r["refines"]) for r in chain[target] if r["refines"]})
    assert seen[0] == "indicator" and seen.count("annual") == 2 and seen[-1] == "goal"
    assert set(seen) == {"indicator", "annual", "plan", "goal"}


def test_grade_basis_of_fy2025(real_build: Real) -> None:
    rows = [r for r in grade_basis(real_build[0].query, ["I-1"]) if r["year"] == 2025]
    by_value: dict[Decimal, list[Row]] = defaultdict(list)
    for r in rows:
        by_value[Decimal(str(r["value"]))].append(r)
    missed = by_value[Decimal("99.85")]
    compared = {
        (r["achievement"], r["impliedGrade"], r["targetValue"], r["comparator"], r["level"])
        for r in missed
    }
    assert compared == {(Decimal("99.95"), "C", Decimal("99.9"), ">=", "indicator")}
    assert {r["owner"] for r in missed} == {r["indicator"] for r in missed}
    mean = by_value[Decimal("10.2")]
    assert {(r["achievement"], r["target"]) for r in mean} == {(None, None)}
    assert all("mean" in str(r["noteEn"]) and "平均値" in str(r["noteJa"]) for r in mean)


def test_grade_basis_of_one_body_is_the_same(real_build: Real) -> None:
    everyone = {r["observation"] for r in grade_basis(real_build[0].query, ["I-1"])}
    jlis = {r["observation"] for r in grade_basis(real_build[0].query, ["I-1"], "jlis")}
    assert everyone == jlis and len(everyone) == 9 + 10  # FY2021 (000) and FY2025 (002)
    assert grade_basis(real_build[0].query, ["I-1"], "nobody") == []
