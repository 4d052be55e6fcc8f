"""The self-evaluation parser (PDF text form) on the real FY2021 report and on edited copies.

The FY2021 self-evaluation is the annex of 000 (from line 6754). Expected values below were read
off the document by a person (line numbers given); the parser itself holds none of them.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from kg.errors import ParseError
from kg.ingest import selfeval_pdf
from kg.records import DocumentRecords, Observation

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
FILE = "000_4c0ecee2286011c3.txt"
DOC = "business-report-fy2021-with-self-evaluation"

# 評定：X on each item sheet (lines 7398, 8630, 9044, 9691, 10159, 10379, 10700, 11005, 11198,
# 11379, 11573, 11758, 12510, 13081, 13319, 13691, 13987, 14299, 14792); the summary page
# (lines 6825-7010) prints the same grades.
SELF_GRADES = {
    "I-1": "A", "I-2": "B", "I-3": "A", "I-4": "A", "I-5": "B", "I-6": "B", "I-7": "B",
    "I-8": "B", "I-9": "B", "I-10": "B", "I-11": "B",
    "II-1": "A", "II-2": "B", "II-3": "B",
    "III-1": "B", "III-2": "B", "III-3": "B", "III-4": "A", "III-5": "B",
}  # fmt: skip


def _read(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text() -> str:
    return _read(FILE)


@pytest.fixture(scope="module")
def records(text: str) -> DocumentRecords:
    return selfeval_pdf.parse(text, DOC)


def _edit(text: str, line: int, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` on 1-based ``line`` (which must contain it)."""
    lines = text.split("\n")
    assert old in lines[line - 1], (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


def _observations(records: DocumentRecords, item: str) -> list[tuple[Decimal, str, str | None]]:
    return [
        (o.value, o.unit, o.subject)
        for o in records.observations
        if records.indicators[o.indicator].item == item
    ]


def _find(records: DocumentRecords, item: str, label_part: str) -> list[Observation]:
    return [
        o
        for o in records.observations
        if records.indicators[o.indicator].item == item
        and label_part in records.indicators[o.indicator].label
    ]


def test_detects_only_its_kind() -> None:
    found = {p.name: selfeval_pdf.detect(_read(p.name)) for p in sorted(SOURCES.glob("0*.txt"))}
    assert found == {
        "000_4c0ecee2286011c3.txt": True,  # business report + FY2021 self-evaluation
        "001_15a0f3e893641b83.txt": False,  # business report (Markdown)
        "002_753d1335b09003db.txt": False,  # self-evaluation, Markdown form
        "003_c5d7c0bc6bd84083.txt": False,  # business report FY2024
        "004_5cd4bec260e2e85a.txt": False,  # board material
    }


def test_kind_and_fiscal_year(records: DocumentRecords) -> None:
    assert records.kind == "self-evaluation-report-pdf"
    assert records.year == 2021  # 年度評価 令和３年度（第一期）, line 7127


def test_rubric(records: DocumentRecords) -> None:
    rubric = {g.grade: g for g in records.rubric}
    assert list(rubric) == ["S", "A", "B", "C", "D"]  # lines 6769-6807
    assert rubric["S"].qualitative is None  # printed "-"
    assert rubric["B"].quantitative == "目標を達成\n（100％以上120％未満達成）"
    assert rubric["A"].qualitative == "目標の水準を満たしている\n（困難度が高いもの）"
    # The page number after the last line (「しが必要 1」) is not part of the criterion.
    assert rubric["D"].qualitative is not None
    assert rubric["D"].qualitative.endswith("見直\nしが必要")
    assert (rubric["S"].span.start, rubric["D"].span.end) == (6771, 6807)


def test_items(records: DocumentRecords) -> None:
    assert [i.code for i in records.items] == list(SELF_GRADES)
    by_code = {i.code: i for i in records.items}
    assert by_code["I-1"].title == (
        "マイナンバーカードの発行及びマイナンバーカード関連システムの運営等"
    )
    assert by_code["III-5"].title == "情報公開・情報発信の充実・強化"
    assert [by_code[c].category for c in ("I-11", "II-1", "III-1")] == ["I", "II", "III"]
    assert by_code["I-1"].staff == {2021: 82}  # line 7386
    assert by_code["I-7"].staff == {2021: 7}  # line 10688
    assert by_code["I-1"].related_policy == (
        "デジタル社会の実現に向けた重点計画（令和４年６月７日閣議決定。以下「重点計画」）"
    )
    assert by_code["I-3"].related_policy == "重点計画"
    assert by_code["I-2"].related_policy is None  # printed －
    assert by_code["I-7"].legal_basis == "番号利用法第 16条の２"
    assert by_code["I-9"].legal_basis is None
    assert by_code["II-1"].staff == {} and by_code["II-1"].legal_basis is None


def test_self_grades(records: DocumentRecords) -> None:
    grades = {(e.item, e.year, e.by): e.grade for e in records.evaluations}
    assert grades == {(code, 2021, "self"): g for code, g in SELF_GRADES.items()}
    first = records.evaluations[0]
    assert first.span.start == 7398
    assert first.rationale is not None
    assert first.rationale.startswith("令和３年度は、後期高齢者に係るＱＲコード")
    assert first.rationale.endswith("Ａ評価とした。")
    # The ministers' empty column, printed in the middle of the rationale, is left out.
    assert "評定に至った理由" not in first.rationale
    assert "年度に次ぐ規模となるなど" in first.rationale


def test_summary_page(records: DocumentRecords) -> None:
    summary = {s.item: s for s in records.summary_grades}
    assert {c: s.grade for c, s in summary.items()} == SELF_GRADES
    assert all(6825 <= s.span.start <= s.span.end <= 7010 for s in summary.values())
    assert summary["I-5"].highlights == "・要件定義完了、基本設計開始"  # line 6907
    assert summary["I-8"].title == "運転免許証とマイナンバーカードの一体化"
    # 1-1-2 総合評定 holds the form's placeholder (Ｂ：○○・・, line 7166), not a grade.
    assert records.overall == []


def test_references(records: DocumentRecords) -> None:
    refs = {r.item: r for r in records.references}
    assert len(refs) == 15  # I-2, I-10, I-11 and III-2 point only at their own results
    assert (refs["I-1"].target, refs["I-1"].chapter, refs["I-1"].section) == (
        "令和３年度事業報告第３章三",
        3,
        "三",
    )
    assert (refs["I-1"].year, refs["I-1"].span.start, refs["I-1"].span.end) == (2021, 7394, 7396)
    assert (refs["III-5"].document, refs["III-5"].section) == ("事業報告書", "十")
    assert refs["II-1"].chapter == 1


def test_clauses_and_links(records: DocumentRecords) -> None:
    clauses = records.clauses
    for code in SELF_GRADES:
        levels = {c.level for c in clauses if c.item == code}
        assert levels == {"goal", "plan", "annual"}, code
    for c in clauses:
        assert (c.year == 2021) == (c.level == "annual")
        if c.level != "goal":
            assert c.implements is not None
            upper = clauses[c.implements]
            assert upper.item == c.item
            assert upper.level == {"plan": "goal", "annual": "plan"}[c.level]
    annual_i1 = [c for c in clauses if c.item == "I-1" and c.level == "annual"]
    assert len(annual_i1) == 5
    assert annual_i1[0].text.startswith("○令和４年度末までにマイナンバーカードがほぼ全国民")
    assert (annual_i1[0].span.start, annual_i1[0].span.end) == (7575, 7606)
    # A cell cut by a page break and continued after the row (line 8096).
    assert annual_i1[2].text.endswith("等を通して、システ ム 稼 働 率99.9％以上の確保を目指す。")
    # III-4: the annual clause cut at line 14620 runs into the viewpoint's rest (lines
    # 14622-14624); its own rest is on the next page (lines 14733-14741).
    iii4 = [c.text for c in clauses if c.item == "III-4" and c.level == "annual"]
    assert iii4[-1] == (
        "〇情報セキュリティについて、外部監査を受けるとともに、"
        "内閣サイバーセキュリティセンターによる監査等に対応する。"
    )
    # Goal, plan and annual clauses with different counts (III-1: 1, 1, 2).
    iii1 = [c for c in clauses if c.item == "III-1"]
    assert [c.level for c in iii1] == ["goal", "plan", "annual", "annual"]
    assert iii1[3].text.startswith("○多様なスキルや経験を有し")
    assert clauses[iii1[3].implements or 0].level == "plan"


def test_indicators(records: DocumentRecords) -> None:
    quantitative = [i for i in records.indicators if i.quantitative]
    assert [i.item for i in quantitative].count("I-1") == 5
    assert len(quantitative) == 12
    iii4 = [i.label for i in records.indicators if i.item == "III-4"]
    assert iii4[0].endswith("対策基準等の見直しがなされているか")
    for ind in records.indicators:
        assert ind.measures
        assert {records.clauses[m].level for m in ind.measures} <= {"plan", "annual"}
    availability = next(i for i in quantitative if i.label.endswith("システム稼働率"))
    assert [(t.value, t.unit, t.comparator) for t in availability.targets] == [
        (Decimal("99.9"), "%", ">=")
    ]
    days = next(i for i in quantitative if "最大日数・平均日数" in i.label)
    assert [(t.value, t.unit, t.comparator) for t in days.targets] == [(Decimal(14), "日", "<=")]


def test_observations(records: DocumentRecords) -> None:
    availability = _find(records, "I-1", "システム稼働率")  # lines 8028-8034
    assert [(o.value, o.subject) for o in availability] == [
        (Decimal(100), "カード管理システム"),
        (Decimal("99.92"), "公的個人認証システム（窓口向けサービス）"),
        (Decimal(100), "公的個人認証システム（署名検証者向けサービス）"),
    ]
    days = _find(records, "I-1", "要した日数")  # lines 8249-8260
    assert [(o.value, o.unit, o.statistic, o.subject) for o in days] == [
        (Decimal(13), "日", "max", None),
        (Decimal("10.23"), "日", "mean", None),
    ]
    answer = _find(records, "I-1", "年間応答率")  # lines 8393-8398
    assert [(o.value, o.unit, o.subject) for o in answer] == [
        (Decimal("99.1"), "%", "住民向けコールセンター"),
        (Decimal("98.9"), "%", "地方公共団体向けヘルプデスク"),
    ]
    shipped = _find(records, "I-1", "発送可能枚数")[0]  # line 7636
    assert (shipped.value, shipped.unit, shipped.approximate) == (Decimal(4_800_000), "枚", True)
    assert _observations(records, "II-1") == [  # drills, lines 12353-12363
        (Decimal(2), "回", "カード管理システム関係"),
        (Decimal(2), "回", "公的個人認証システム関係"),
        (Decimal(6), "回", "カード管理システム関係"),
        (Decimal(16), "回", "公的個人認証システム関係"),
    ]
    assert [v for v, _, _ in _observations(records, "II-2")] == [7, 4, 2]  # line 12854
    assert _observations(records, "III-1") == [  # staff sent, training, hires: 13483-13490
        (Decimal(5), "人", None),
        (Decimal(1537), "人", None),
        (Decimal(17), "人", "中途採用人数"),
        (Decimal(6), "人", None),
    ]
    assert all(o.year == 2021 for o in records.observations)
    assert len(records.observations) == 20


def test_notes_name_the_places_read_by_heuristics(records: DocumentRecords) -> None:
    """Where the interleaved layout left a choice, the parser says where (for curation)."""
    assert sorted((n.item or "", n.span.start) for n in records.notes) == [
        ("", 7166),  # 総合評定: the form's placeholder Ｂ：○○・・
        ("I-1", 8096),  # a cut annual-plan cell goes on after the row, in a new text block
        ("I-4", 9792),  # two goal clauses, one plan and one annual clause on the page
        ("I-7", 10887),  # two cells' lines printed as one: すること。 ドの継続利用
        ("II-2", 12976),  # an actual without a number (公表頻度：毎月末に…)
        ("II-2", 13009),  # two cells' lines printed as one: 表を行うこと。 共団体情報シ
        ("III-4", 14622),  # a viewpoint's rest printed inside the annual clause's column
    ]


def test_spans_stay_in_the_self_evaluation(records: DocumentRecords, text: str) -> None:
    last = len(text.split("\n"))
    spans = [r.span for r in records.clauses + records.indicators + records.observations]
    spans += [e.span for e in records.evaluations] + [i.span for i in records.items]
    assert all(6754 <= s.start <= s.end <= last and s.doc == DOC for s in spans)


def test_edited_copy_shows_exactly_the_edits(records: DocumentRecords, text: str) -> None:
    edited = _edit(text, 7398, "評定：A", "評定：B")  # I-1's self grade
    edited = _edit(edited, 8031, "99.92%", "99.95%")  # an availability
    edited = _edit(edited, 6907, "B ・要件定義完了", "A ・要件定義完了")  # I-5 on the summary
    changed = selfeval_pdf.parse(edited, DOC)

    assert changed.items == records.items
    assert changed.clauses == records.clauses
    assert changed.indicators == records.indicators
    assert changed.rubric == records.rubric
    assert changed.references == records.references

    diff = [(a, b) for a, b in zip(records.evaluations, changed.evaluations, strict=True) if a != b]
    assert [(a.item, a.grade, b.grade) for a, b in diff] == [("I-1", "A", "B")]
    assert dataclasses.replace(diff[0][1], grade="A") == diff[0][0]

    pairs = zip(records.observations, changed.observations, strict=True)
    odiff = [(a, b) for a, b in pairs if a != b]
    assert [(a.value, b.value) for a, b in odiff] == [(Decimal("99.92"), Decimal("99.95"))]
    assert odiff[0][1].text.endswith("99.95%")

    sdiff = [
        (a.item, a.grade, b.grade)
        for a, b in zip(records.summary_grades, changed.summary_grades, strict=True)
        if a != b
    ]
    assert sdiff == [("I-5", "B", "A")]


def _one_line_error(text: str) -> str:
    with pytest.raises(ParseError) as err:
        selfeval_pdf.parse(text, DOC)
    message = str(err.value)
    assert "\n" not in message and message.startswith(DOC)
    return message


def test_empty_text_is_an_error() -> None:
    assert "empty document" in _one_line_error("")
    assert "empty document" in _one_line_error("  \n\n ")


def test_text_without_item_sheets_is_an_error() -> None:
    assert "no item sheet" in _one_line_error(_read("001_15a0f3e893641b83.txt"))


def test_truncated_sheet_is_an_error(text: str) -> None:
    lines = text.split("\n")
    # Cut inside the last sheet's table: its end (３．その他参考情報) is missing.
    message = _one_line_error("\n".join(lines[:14900]))
    assert "III-5" in message and "その他参考情報" in message
    # Cut right after the first sheet's grade: no table rows.
    message = _one_line_error("\n".join(lines[:7450]))
    assert "I-1" in message and "○" in message


def test_sheet_without_grade_is_an_error(text: str) -> None:
    message = _one_line_error(_edit(text, 8630, "評定：B", "－"))
    assert "I-2" in message and "評定" in message and ":8" in message
