"""The self-evaluation report parser (table form) on the real FY2025 report and edited copies.

Expected values below are read off the document by a person (lines 84-118 for the summary
table, the item sheets for the rest); the parser itself holds none of them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.errors import ParseError
from kg.ingest import selfeval_md
from kg.records import DocumentRecords

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
DOC = "self-evaluation-fy2025"

# 項目別評価総括表 FY2021..FY2024 as printed: grade, then marks (u = underlined, ○, 重).
SUMMARY = {
    "I-1": ["uA○重", "uA○重", "B○重", "uA○重"],
    "I-2": ["B○重", "B○重", "B○重", "B○重"],
    "I-3": ["uA○重", "uB○重", "B○重", "B○重"],
    "I-4": ["uA○重", "uB○重", "B○重", "B○重"],
    "I-5": ["B○重", "B○重", "uA○重", "B○重"],
    "I-6": ["B○重", "B○重", "uA○重", "B○重"],
    "I-7": ["B○重", "B○重", "B○重", "B○重"],
    "I-8": ["B○重", "B○重", "B○重", "B○重"],
    "I-9": ["B○重", "B○重", "B○重", "B○重"],
    "I-10": ["B○重", "uA○重", "uA○重", "B○重"],
    "I-11": ["B○重", "B○重", "B○重", "B○重"],
    "II-1": ["uA重", "uA重", "B重", "B重"],
    "II-2": ["B", "B", "B", "B"],
    "II-3": ["B", "B", "B", "B"],
    "III-1": ["B", "B", "B", "B"],
    "III-2": ["B", "B", "B", "B"],
    "III-3": ["B", "B", "B", "B"],
    "III-4": ["A", "B", "B", "B"],
    "III-5": ["B", "B", "B", "B"],
}


def _expected_ministerial() -> set[tuple[str, int, str, bool, bool, bool]]:
    out = set()
    for code, cells in SUMMARY.items():
        for year, cell in zip(range(2021, 2025), cells, strict=True):
            grade = cell.lstrip("u")[0]
            out.add((code, year, grade, "○" in cell, cell.startswith("u"), "重" in cell))
    return out


def _ministerial(records: DocumentRecords) -> set[tuple[str, int, str, bool, bool, bool]]:
    out = set()
    for e in records.evaluations:
        if e.by == "ministerial":
            assert e.marks is not None
            m = e.marks
            out.add((e.item, e.year, e.grade, m.importance_high, m.difficulty_high, m.priority))
    return out


def _grades(records: DocumentRecords, by: str) -> dict[tuple[str, int], str]:
    return {(e.item, e.year): e.grade for e in records.evaluations if e.by == by}


@pytest.fixture(scope="module")
def text() -> str:
    return (SOURCES / "002_753d1335b09003db.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(text: str) -> DocumentRecords:
    return selfeval_md.parse(text, DOC)


def test_detects_only_its_kind() -> None:
    kinds = {
        path.name: selfeval_md.detect(path.read_text(encoding="utf-8"))
        for path in sorted(SOURCES.glob("00*.txt"))
    }
    assert [name for name, ok in kinds.items() if ok] == ["002_753d1335b09003db.txt"]


def test_year_and_items(records: DocumentRecords) -> None:
    assert records.year == 2025
    assert [i.code for i in records.items] == list(SUMMARY)
    assert {i.code: i.category for i in records.items}["III-4"] == "III"
    first = records.items[0]
    assert first.title == "マイナンバーカードの発行及びマイナンバーカード関連システムの運営等"
    assert first.staff == {2021: 82, 2022: 89, 2023: 100, 2024: 111, 2025: 113}
    assert first.related_policy is not None and first.related_policy.startswith("デジタル社会")
    assert first.legal_basis is not None and first.legal_basis.endswith("第16条の2")
    by_code = {i.code: i for i in records.items}
    assert by_code["I-5"].legal_basis == "公的個人認証法第18条第3項"
    assert by_code["I-9"].legal_basis is None  # printed as —
    assert by_code["I-10"].related_policy is None  # printed as -


def test_ministerial_grades_exactly_as_printed(records: DocumentRecords) -> None:
    assert len([e for e in records.evaluations if e.by == "ministerial"]) == 76
    assert _ministerial(records) == _expected_ministerial()


def test_self_grades_and_overall(records: DocumentRecords) -> None:
    selfs = [e for e in records.evaluations if e.by == "self"]
    assert len(selfs) == 19
    assert {(e.item, e.year) for e in selfs} == {(c, 2025) for c in SUMMARY}
    assert {e.grade for e in selfs} == {"B"}
    assert all(e.rationale and "年度計画" in e.rationale for e in selfs)
    assert {(o.year, o.grade, o.by) for o in records.overall} == {
        (y, "B", "ministerial") for y in range(2021, 2025)
    }


def test_i1_actuals(records: DocumentRecords) -> None:
    obs = [o for o in records.observations if records.indicators[o.indicator].item == "I-1"]
    got = sorted((o.unit, o.value, o.statistic or "", o.subject or "") for o in obs)
    assert got == sorted([
        ("%", Decimal("100"), "", "カード管理システム"),
        ("%", Decimal("99.85"), "", "公的個人認証システム（窓口向けサービス）"),
        ("%", Decimal("100.0"), "", "公的個人認証システム（署名検証者向けサービス）"),
        ("日", Decimal("12"), "max", "申請受付からカード発送までに要した最大日数"),
        ("日", Decimal("10.2"), "mean", "申請受付からカード発送までに要した平均日数"),
        ("日", Decimal("5"), "max", "特急発行の申請受付からカード発送までに要した最大日数"),
        ("日", Decimal("4"), "mean", "特急発行の申請受付からカード発送までに要した平均日数"),
        ("%", Decimal("99.6"), "", "住民向けコールセンター年間応答率"),
        ("%", Decimal("97.9"), "", "地方公共団体向けヘルプデスクの年間応答率"),
        ("枚", Decimal("4800000"), "max", "月単位での市区町村へのカード発送可能枚数"),
    ])  # fmt: skip
    assert all(o.year == 2025 and o.span.doc == DOC for o in obs)


def test_other_actuals(records: DocumentRecords) -> None:
    got = {
        (records.indicators[o.indicator].item, o.value, o.unit, o.subject)
        for o in records.observations
    }
    assert ("II-1", Decimal("2"), "回", "カード管理システム関係") in got
    assert ("II-1", Decimal("4"), "回", "公的個人認証システム関係") in got
    assert ("III-1", Decimal("1321"), "人", "職員研修の延べ参加人数") in got
    assert ("II-2", Decimal("5"), "件", "マイナンバーカード関係事務に係る審議案件数") in got


def test_targets_from_goal_and_plan_text(records: DocumentRecords) -> None:
    targets = {
        (i.item, t.value, t.unit, t.comparator) for i in records.indicators for t in i.targets
    }
    assert targets >= {
        ("I-1", Decimal("99.9"), "%", ">="),
        ("I-1", Decimal("14"), "日", "<="),
        ("I-1", Decimal("95"), "%", ">="),
        ("I-1", Decimal("4800000"), "枚", ">="),
    }


def test_clauses_linked_along_rows(records: DocumentRecords) -> None:
    clauses = records.clauses
    levels = {"plan": "goal", "annual": "plan"}
    for c in clauses:
        assert "各事業年度の業務" not in c.text  # no page header leaked into a clause
        if c.level in levels:
            assert c.implements is not None, c.text
            assert clauses[c.implements].level == levels[c.level]
            assert clauses[c.implements].item == c.item
    assert all(c.year == 2025 for c in clauses if c.level == "annual")
    # A row cut by a page break is one clause: I-1's availability plan clause spans two pages.
    avail = [c for c in clauses if c.level == "plan" and c.item == "I-1" and "稼働率" in c.text]
    assert len(avail) == 1 and avail[0].span.end > avail[0].span.start
    assert avail[0].text.endswith("システム稼働率99.9%以上の確保を目指す。")
    # I-1's capacity-increase row has a goal and a plan clause but no FY2025 annual clause.
    increase = [c for c in clauses if c.text.startswith("○マイナンバーカードの発行枚数の増加")]
    assert sorted(c.level for c in increase) == ["goal", "plan"]


def test_indicators_measure_clauses(records: DocumentRecords) -> None:
    for ind in records.indicators:
        assert ind.measures, ind.label
        assert all(records.clauses[i].item == ind.item for i in ind.measures)
    kinds = {(i.item, i.quantitative) for i in records.indicators}
    assert ("I-1", True) in kinds and ("I-1", False) in kinds


def test_every_fact_has_a_span_inside_the_document(text: str, records: DocumentRecords) -> None:
    n = text.count("\n") + 1
    spans = [
        x.span
        for x in (
            *records.items,
            *records.evaluations,
            *records.overall,
            *records.clauses,
            *records.indicators,
            *records.observations,
        )
    ]
    assert all(s.doc == DOC and 1 <= s.start <= s.end <= n for s in spans)


def _edit(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) >= count, old
    return text.replace(old, new, count)


def test_edited_copy_shows_exactly_the_edits(text: str, records: DocumentRecords) -> None:
    edited = text
    # I-3 FY2022: <u>B</u> → C (line 91); fill the empty FY2025 column of II-2 (line 105).
    edited = _edit(edited, "更新\t<u>A</u> ○重\t<u>B</u> ○重", "更新\t<u>A</u> ○重\tC○重")
    edited = _edit(edited, "合理化\tB\tB\tB\tB\t\t", "合理化\tB\tB\tB\tB\tA\t")
    edited = _edit(edited, "（窓口向けサービス）：99.85%", "（窓口向けサービス）：99.95%")
    edited = _edit(edited, "評価：B", "評価：A")  # the first self grade labelled 評価 (I-2)
    changed = selfeval_md.parse(edited, DOC)

    before, after = _ministerial(records), _ministerial(changed)
    assert before - after == {("I-3", 2022, "B", True, True, True)}
    assert after - before == {
        ("I-3", 2022, "C", True, False, True),
        ("II-2", 2025, "A", False, False, False),
    }
    selfs_before, selfs_after = _grades(records, "self"), _grades(changed, "self")
    assert {k: v for k, v in selfs_after.items() if selfs_before[k] != v} == {("I-2", 2025): "A"}
    values = lambda r: sorted(o.value for o in r.observations)  # noqa: E731
    assert Decimal("99.85") in values(records) and Decimal("99.85") not in values(changed)
    assert len(values(changed)) == len(values(records))
    assert Decimal("99.95") in values(changed)


def test_empty_and_truncated_input_fail_clearly(text: str) -> None:
    with pytest.raises(ParseError, match="not a self-evaluation report"):
        selfeval_md.parse("", DOC)
    head = "\n".join(text.split("\n")[:119])  # up to the summary table, no item sheets
    with pytest.raises(ParseError) as err:
        selfeval_md.parse(head + "\n中期目標\t中期計画\t年度計画\n", DOC)
    assert "\n" not in str(err.value) and DOC in str(err.value)


def test_references_to_the_business_report(records: DocumentRecords) -> None:
    refs = {r.item: r for r in records.references}
    assert set(refs) == set(SUMMARY)
    first = refs["I-1"]
    assert (first.year, first.document, first.chapter, first.section) == (2025, "事業報告", 3, "三")
    assert first.text.startswith("（詳細は") and first.span.start == 131
