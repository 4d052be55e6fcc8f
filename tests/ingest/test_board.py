"""The board-material parser on the real material of 2021-09-01 and on edited copies.

Expected values are read off the document by a person (line numbers of
data/sources/004_5cd4bec260e2e85a.txt are given where it helps); the parser holds none of them.
The goal column is also checked against the aligned goal column of the FY2025 self-evaluation
(002), which prints the same mid-term goal as a clean table.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kg.errors import ParseError
from kg.ingest import board
from kg.records import Clause, DocumentRecords
from kg.text import egov_law_id, kanji_number, match_key, nfkc, strip_markup

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
FILE = "004_5cd4bec260e2e85a.txt"
DOC = "board-material-2021-09-01"


@pytest.fixture(scope="module")
def text() -> str:
    return (SOURCES / FILE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(text: str) -> DocumentRecords:
    return board.parse(text, DOC)


def _level(records: DocumentRecords, level: str) -> list[Clause]:
    return [c for c in records.clauses if c.level == level]


def _clause(records: DocumentRecords, level: str, section: str, starts: str) -> Clause:
    found = [
        c for c in _level(records, level) if c.section == section and c.text.startswith(starts)
    ]
    assert len(found) == 1, (level, section, starts, found)
    return found[0]


def _top(c: Clause) -> str:
    return (c.section or "")[:2]


def _edit(text: str, line: int, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` on (1-based) ``line`` only."""
    lines = text.split("\n")
    assert old in lines[line - 1], (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "\n".join(lines)


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths where two record trees differ."""
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        out = []
        for f in dataclasses.fields(a):
            out += _diff(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} → {len(b)} entries"]
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += _diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [path]


# --- detection -----------------------------------------------------------------------------------


def test_detects_board_material_only(text: str) -> None:
    assert board.detect(text)
    for other in sorted(SOURCES.glob("*.txt")):
        if other.name != FILE:
            assert not board.detect(other.read_text(encoding="utf-8")), other.name
    assert not board.detect("")


# --- clauses -------------------------------------------------------------------------------------


def test_clause_counts(records: DocumentRecords) -> None:
    assert records.kind == "board-material" and records.year == 2021
    assert Counter(c.level for c in records.clauses) == {"goal": 38, "plan": 42, "annual": 37}
    tops = Counter(_top(c) for c in _level(records, "goal"))
    assert tops == {"Ⅰ．": 1, "Ⅱ．": 2, "Ⅲ．": 22, "Ⅳ．": 7, "Ⅴ．": 6}
    plan_tops = Counter(_top(c) for c in _level(records, "plan"))
    assert plan_tops == {"Ⅰ．": 26, "Ⅱ．": 7, "Ⅲ．": 9}
    for c in records.clauses:
        assert c.item == "" and c.text and c.section and c.heading
        assert "\n" not in c.text and not c.text.startswith("○")
        assert (c.year == 2021) == (c.level == "annual")
        assert c.span.doc == DOC


def test_plan_clauses_as_published(records: DocumentRecords) -> None:
    first = _level(records, "plan")[0]
    assert first.section == "Ⅰ．１．①"
    assert first.heading == "マイナンバーカードの発行及びマイナンバーカード関連システムの運営等"
    assert first.text == (
        "令和４年度末までにマイナンバーカードがほぼ全国民に行き渡ることを目指し、令和３年度中に、"
        "申請動向に応じて、１月当たり最大約 480 万枚のカードを市区町村へ発送できるよう、"
        "必要な申請受付・発行体制の強化を図る。"
    )
    assert (first.span.start, first.span.end) == (104, 108)
    # Lines 136/138: the proposal ends a line at 。 inside a paragraph; the table (line 1615)
    # prints the same point inside a line, so it is one clause.
    quick = _clause(records, "plan", "Ⅰ．１．①", "迅速な")
    assert quick.text.endswith("体制整備を行う。また、更なる短縮についても検討を行う。")
    assert (quick.span.start, quick.span.end) == (132, 138)
    # A page footer (議案第１号 （案）, line 140) between two paragraphs is dropped.
    desk = _clause(records, "plan", "Ⅰ．１．①", "住民向け")
    assert "議案" not in desk.text and desk.span.start == 141
    # A page number (line 217) between a heading and its paragraph is dropped.
    conv = _clause(records, "plan", "Ⅰ．２．①", "顔認証技術")
    assert conv.heading == "コンビニエンスストアにおける電子証明書の暗証番号初期化・再設定"
    assert conv.span.start == 220
    # Headings that wrap (lines 353-355) are joined; Ⅱ．１． has no ① level.
    org = _level(records, "plan")[26]
    assert (org.section, org.heading) == ("Ⅱ．１．", "効率的・効果的な組織体制の構築")
    privacy = _clause(records, "plan", "Ⅲ．３．", "また、引き続き")
    assert privacy.text == (
        "また、引き続き、プライバシーマークの付与を受け、ＪＩＳＱ15001 に適合した"
        "個人情報保護の水準を維持する。"
    )


def test_goal_clauses_from_the_table(records: DocumentRecords) -> None:
    goals = _level(records, "goal")
    period = _clause(records, "goal", "Ⅱ．", "中期目標の期間は")
    assert (
        period.text
        == "中期目標の期間は、令和３年９月１日から令和８年３月31日までの４年７か月とする。"
    )
    first = _clause(records, "goal", "Ⅲ．１．①", "令和４年度末までに")
    assert first.heading == "マイナンバーカードの発行及びマイナンバーカード関連システムの運営等"
    assert first.text.endswith("必要な申請受付・発行体制の強化を図ること。")
    assert (first.span.start, first.span.end) == (1336, 1344)
    uptime = _clause(records, "goal", "Ⅲ．１．①", "マイナンバーカードの発行枚数")
    assert uptime.text.endswith("システム稼働率９９．９％以上の確保を目指すこと。")
    assert uptime.note is not None and uptime.note.startswith(
        "＜注：原文には稼働率の注釈有＞稼働率＝"
    )
    # A clause cut by a page of the table (lines 1798-1804 … 1956) is one clause.
    after = _clause(records, "goal", "Ⅲ．２．①", "運用開始後は")
    assert after.text.endswith("必要に応じ、システム改修・体制整備等の検討を行うこと。")
    assert (after.span.start, after.span.end) == (1798, 1956)
    # The last page prints two columns on one line (3105); the goal column is 3101-3103.
    last = goals[-1]
    assert last.section == "Ⅴ．５．"
    assert last.text.endswith("国民及び地方公共団体にとって分かりやすい情報発信を実施すること。")
    # Nothing of the plan columns leaks into the goal column.
    for g in goals:
        assert "年度計画に記載" not in g.text and "令和３年度は" not in g.text
    role = goals[0]
    assert role.section == "Ⅰ．"
    assert role.heading == "個人番号カード（マイナンバーカード）関係事務に係る機構の役割"


def test_goal_text_matches_the_fy2025_report(records: DocumentRecords) -> None:
    """The goal column of 002, read per table row, holds most goal clauses verbatim.

    The FY2025 report re-cuts some goal clauses (splits a ○ in two, drops また/あわせて,
    omits the 運用開始後は clauses) and has a few typos of its own, so not all match.
    """
    column: list[str] = []
    goal_cell: int | None = None
    for line in (SOURCES / "002_753d1335b09003db.txt").read_text(encoding="utf-8").split("\n"):
        cells = line.split("\t")
        if "中期目標" in cells and "中期計画" in cells:
            goal_cell = cells.index("中期目標")
        elif re.match(r"^(?:\d\.|1-1)", line):
            goal_cell = None  # the next section of the sheet: no longer the goal table
        elif goal_cell is not None and len(cells) > goal_cell + 1:
            column.append(match_key(strip_markup(cells[goal_cell])))
    printed = "".join(column)
    goals = [c for c in _level(records, "goal") if _top(c) in ("Ⅲ．", "Ⅳ．", "Ⅴ．")]
    matched = [c for c in goals if match_key(c.text) in printed]
    assert len(goals) == 35
    assert len(matched) == 24, [c.text[:30] for c in goals if c not in matched]


def test_plan_implements_goal(records: DocumentRecords) -> None:
    tops = {"Ⅰ．": "Ⅲ．", "Ⅱ．": "Ⅳ．", "Ⅲ．": "Ⅴ．"}
    for c in _level(records, "plan"):
        assert c.implements is not None
        goal = records.clauses[c.implements]
        assert goal.level == "goal"
        assert goal.section == tops[_top(c)] + (c.section or "")[2:]
        assert match_key(goal.heading or "") == match_key(c.heading or "")
    # Row alignment inside a section: the plan's 稼働率 paragraph answers the goal's 稼働率 ○.
    uptime = _clause(records, "plan", "Ⅰ．１．①", "また、マイナンバーカード関連システム")
    assert records.clauses[uptime.implements or 0].text.startswith("マイナンバーカードの発行枚数")
    quick = _clause(records, "plan", "Ⅰ．１．①", "迅速な")
    assert records.clauses[quick.implements or 0].text.startswith("迅速な")
    mail = _clause(records, "plan", "Ⅰ．１．③", "加えて")
    assert records.clauses[mail.implements or 0].text.startswith("マイナンバーカード又は")
    after = _clause(records, "plan", "Ⅰ．２．⑤", "また、運用開始後は")
    assert records.clauses[after.implements or 0].text.startswith("運用開始後は")
    # Every goal clause of Ⅲ-Ⅴ is implemented by some plan clause.
    implemented = {c.implements for c in _level(records, "plan")}
    for i, g in enumerate(records.clauses):
        if g.level == "goal" and _top(g) in ("Ⅲ．", "Ⅳ．", "Ⅴ．"):
            assert i in implemented, g.text[:30]


def test_annual_implements_plan_of_same_section(records: DocumentRecords) -> None:
    plan_sections = {c.section: c.heading for c in _level(records, "plan")}
    for c in _level(records, "annual"):
        assert c.implements is not None
        plan = records.clauses[c.implements]
        assert plan.level == "plan" and plan.section == c.section
        assert plan_sections[c.section] == c.heading
    assert {c.section for c in _level(records, "annual")} == set(plan_sections)
    hiring = _clause(records, "annual", "Ⅲ．１．", "また、多様なスキル")
    assert records.clauses[hiring.implements or 0].text.startswith(
        "マイナンバーカード関係事務に係る"
    )
    design = _clause(records, "annual", "Ⅰ．１．②", "また、")
    assert records.clauses[design.implements or 0].text.startswith("また、マイナンバーカード関連")


# --- statutes ------------------------------------------------------------------------------------


def test_statutes(records: DocumentRecords) -> None:
    got = [(s.title, s.short_title, s.law_number, s.egov_law_id) for s in records.statutes]
    assert got == [
        ("地方公共団体情報システム機構法", "機構法", "平成25年法律第29号", "425AC0000000029"),
        (
            "電子署名等に係る地方公共団体情報システム機構の認証業務に関する法律",
            "公的個人認証法",
            "平成14年法律第153号",
            "414AC0000000153",
        ),
        (
            "行政手続における特定の個人を識別するための番号の利用等に関する法律",
            "番号利用法",
            "平成25年法律第27号",
            "425AC0000000027",
        ),
        (
            "行政手続における特定の個人を識別するための番号の利用等に関する法律に規定する"
            "個人番号、個人番号カード、特定個人情報の提供等に関する省令",
            None,  # the document prints neither a short name nor a number for it
            None,
            None,
        ),
    ]
    numbers = records.statutes[2]
    assert (numbers.span.start, numbers.span.end) == (4281, 4281)
    assert numbers.citation_span is not None and numbers.citation_span.start == 76
    assert (records.statutes[3].span.start, records.statutes[3].span.end) == (4411, 4413)


def test_provisions(records: DocumentRecords) -> None:
    assert Counter(p.statute for p in records.provisions) == {0: 4, 1: 37, 2: 6, 3: 3}
    by_label = {(p.statute, nfkc(p.label)): p for p in records.provisions}
    assert len(by_label) == len(records.provisions)
    for label in ("第38条の8", "第38条の9", "第38条の10", "第38条の11", "第16条の2"):
        assert (2, label) in by_label
    goal = by_label[2, "第38条の8"]
    assert goal.label == "第３８条の８" and goal.caption is None
    assert [p.number for p in goal.paragraphs] == [1, 2]
    assert goal.paragraphs[0].text.startswith("主務大臣は、個人番号カード関係事務（")
    assert goal.paragraphs[0].text.endswith("これを変更したときも、同様とする。")
    assert goal.paragraphs[1].text.split("\n")[1].startswith("一 中期目標の期間")
    assert (goal.span.start, goal.span.end) == (4307, 4328)
    plan = by_label[2, "第38条の9"]
    assert plan.caption == "個人番号カード関係事務に係る中期計画"
    assert len(plan.paragraphs) == 4
    assert (
        plan.paragraphs[3].text
        == "機構は、第一項の認可を受けたときは、遅滞なく、その中期計画を公表しなければならない。"
    )
    assert plan.text.count("\n") >= 3
    fund = by_label[0, "第9条の2"]
    assert fund.supplementary and fund.caption == "デジタル基盤改革支援基金"
    assert not by_label[0, "第9条"].supplementary
    # A caption that wraps (lines 3420-3422) and article text starting with "（" (3426).
    leak = by_label[1, "第14条"]
    assert leak.caption is not None and leak.caption.endswith("漏えい等に係る情報の記録")
    assert "（機構が当該個人番号カード用署名用電子証明書" in leak.text
    # Lines starting with a kanji article reference continue the text (3491, 3687).
    assert not any(p.label.startswith("第十") for p in records.provisions)


def test_egov_law_id() -> None:
    assert egov_law_id("平成25年法律第27号") == "425AC0000000027"
    assert egov_law_id("平成 14 年法律第 153 号") == "414AC0000000153"
    assert egov_law_id("平成十四年法律第百五十三号") == "414AC0000000153"
    assert egov_law_id("昭和四十二年法律第八十一号") == "342AC0000000081"
    assert egov_law_id("令和元年法律第16号") == "501AC0000000016"
    assert egov_law_id("令和３年法律第３７号") == "503AC0000000037"
    assert egov_law_id("平成26年政令第155号") == "426CO0000000155"
    assert egov_law_id("平成26年総務省令第85号") is None
    assert egov_law_id("番号利用法") is None
    assert kanji_number("二十五") == 25 and kanji_number("百三") == 103 and kanji_number("元") == 1


# --- dates, periods, opinion ---------------------------------------------------------------------


def test_periods_dates_opinion(records: DocumentRecords) -> None:
    assert [(p.subject, p.start, p.end, p.span.start) for p in records.periods] == [
        ("goal", date(2021, 9, 1), date(2026, 3, 31), 88),  # plan preamble
        ("goal", date(2021, 9, 1), date(2026, 3, 31), 1207),  # its copy in the table
        ("goal", date(2021, 9, 1), date(2026, 3, 31), 1314),  # the goal, Ⅱ
    ]
    assert records.periods[0].text == "令和３年９月１日～令和８年３月31日"
    assert [(d.role, d.value, d.text, d.span.start) for d in records.dates] == [
        ("opinion", date(2021, 9, 1), "令和３年９月１日", 61)
    ]
    (opinion,) = records.opinions
    assert opinion.issued == date(2021, 9, 1)
    assert (opinion.span.start, opinion.span.end) == (22, 67)
    assert len(opinion.points) == 4
    assert (
        opinion.points[3]
        == "システム稼働率の目標は、サービスの利用見込み及び費用対効果を考える必要がある。"
    )
    assert opinion.text.startswith(
        "当委員会における議案に関する意見は、下記のとおりである。\n〇 議案第１号"
    )
    assert opinion.issuer is not None and opinion.issuer.endswith("委員長 大山 永昭")
    assert opinion.addressee is not None and opinion.addressee.endswith("殿")


# --- edited copies -------------------------------------------------------------------------------


def test_edited_goal_sentence_changes_only_that_clause(text: str, records: DocumentRecords) -> None:
    edited = board.parse(_edit(text, 1507, "９９．９％", "９９．５％"), DOC)
    uptime = _clause(records, "goal", "Ⅲ．１．①", "マイナンバーカードの発行枚数")
    i = records.clauses.index(uptime)
    target = f".clauses[{i}].targets[0]"
    assert _diff(records, edited) == [f".clauses[{i}].text", f"{target}.value", f"{target}.text"]
    assert edited.clauses[i].text.endswith("システム稼働率９９．５％以上の確保を目指すこと。")
    (changed,) = edited.clauses[i].targets
    assert (changed.value, changed.unit, changed.comparator) == (Decimal("99.5"), "%", ">=")
    assert changed.text == "システム稼働率９９．５％以上"


def test_edited_plan_section_changes_only_that_clause(text: str, records: DocumentRecords) -> None:
    # The proposal's text changes; its copy in the table does not (the table is matched
    # approximately there, and still separated the same way).
    edited = board.parse(_edit(text, 106, "480 万枚", "500 万枚"), DOC)
    first = _level(records, "plan")[0]
    i = records.clauses.index(first)
    target = f".clauses[{i}].targets[0]"
    assert _diff(records, edited) == [f".clauses[{i}].text", f"{target}.value", f"{target}.text"]
    assert "最大約 500 万枚" in edited.clauses[i].text
    (changed,) = edited.clauses[i].targets
    assert (changed.value, changed.unit, changed.period) == (Decimal(5_000_000), "枚", "月")
    assert changed.text == "１月当たり最大約 500 万枚"


def test_edited_heading_changes_that_sections_clauses(text: str, records: DocumentRecords) -> None:
    edited = board.parse(_edit(text, 155, "システムの構築等", "システムの整備等"), DOC)
    section = [
        i for i, c in enumerate(records.clauses) if c.level == "plan" and c.section == "Ⅰ．１．②"
    ]
    assert len(section) == 3
    assert _diff(records, edited) == [f".clauses[{i}].heading" for i in section]
    assert edited.clauses[section[0]].heading == "次期のマイナンバーカード関連システムの整備等"


def test_edited_article_changes_only_that_provision(text: str, records: DocumentRecords) -> None:
    edited = board.parse(_edit(text, 4313, "三年以上五年以下", "三年以上七年以下"), DOC)
    goal = next(p for p in records.provisions if nfkc(p.label) == "第38条の8")
    i = records.provisions.index(goal)
    assert sorted(_diff(records, edited)) == [
        f".provisions[{i}].paragraphs[0].text",
        f".provisions[{i}].text",
    ]
    assert "三年以上七年以下の期間" in edited.provisions[i].text


# --- bad input -----------------------------------------------------------------------------------


def _one_line_error(text: str) -> str:
    with pytest.raises(ParseError) as info:
        board.parse(text, DOC)
    message = str(info.value)
    assert "\n" not in message and message.startswith(DOC)
    return message


def test_empty_document_is_a_parse_error() -> None:
    assert "empty document" in _one_line_error("")
    assert "empty document" in _one_line_error(" \n\n \n")


def test_truncated_before_statutes_is_a_parse_error(text: str) -> None:
    cut = text[: text.index("\n参照条文")]
    assert "参照条文" in _one_line_error(cut)


def test_missing_contents_is_a_parse_error(text: str) -> None:
    body = text[text.index("意 見 書") :]
    assert "table of contents" in _one_line_error(body)


def test_garbled_table_is_a_parse_error(text: str) -> None:
    """A table page whose plan columns no longer repeat the proposals cannot be split."""
    lines = text.split("\n")
    for n in range(1574, 1726):  # the plan and annual columns of the table's third page
        lines[n] = "".join(reversed(lines[n]))
    message = _one_line_error("\n".join(lines))
    assert "中期目標" in message and f"{DOC}:1499" in message
