"""Synthetic data: graphs shaped like the J-LIS graph, for any number of public bodies.

``plantrace synth --bodies N --seed S -o FILE`` writes a dataset (TriG or N-Quads, one named graph
per document as in a build) for N made-up bodies, to measure performance and scale: loading,
querying, validating and serving millions of triples. Each body gets what a build of the J-LIS
documents holds: 19 evaluation items in three categories; goal, plan and annual-plan clauses
linked by ``pt:implements``; about 47 indicators measuring the clauses (12 quantitative, each
with a target); observed values per year; self and ministerial grades of every item and year;
overall grades; the goal period; statute citations (legal basis) and the articles each plan and
evaluation rests on; a board material, one self-evaluation report per year and the ministers'
evaluation of the last year, every fact with its source span.

Choices, and why:

* **Records, not triples.** A body's documents are made as :class:`kg.records.DocumentRecords`
  and turned into RDF by :func:`kg.rdf.to_graphs`, the code a build uses, so the synthetic graph
  has the real IRIs (``.../id/body0001/...``), classes and provenance, and follows kg.rdf when it
  changes. The records are made complete (keys, legal basis references and authorizations set as
  the linker would), so no parser or linker runs.
* **Valid under shapes/.** Every year of the goal period (3 to 5 years, as 番号利用法第38条の8
  requires) has its annual plan and a self-evaluation report published in time; the reports of
  the last two years cover the whole goal period; every item has self and ministerial grades for
  every year, each with a rationale; the plan documents and grades cite the articles the shapes
  check (番号利用法第38条の8〜第38条の11); an observed value misses its target only when both
  grades of that item and year are C or D. The ministers grade an item one step lower than the
  body now and then, as real ministers do: those are the only findings expected (warnings of
  ``pts:SelfMinisterialDifferShape``).
* **Deterministic.** One ``random.Random`` per body, seeded with a string made of the seed and
  the body's number (string seeds are hashed with SHA-512, not Python's salted ``hash``), and the
  quads of each graph sorted before they are written: the same seed gives the same bytes in any
  process; bodies do not depend on how many are made.
* **Streaming.** Bodies are made one at a time and their quads handed to pyoxigraph's serializer
  as they come, so memory is that of one body whatever N is. The reference graph (publishers and
  fiscal years, shared by all documents) is written once per distinct quad. The ontology graph
  comes first, as in ``plantrace export``.
* **Served and checked as is.** ``plantrace serve --dataset FILE`` loads the file (its default
  graph becomes the union of the named graphs); ``plantrace validate --data FILE`` validates it.

Labels are Japanese-looking phrases drawn from the small word lists below, so that text search
has something to find; body names say 合成 (synthetic) so no one takes them for real bodies.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TextIO, cast

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from kg.errors import PlantraceError
from kg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH, fiscal_year_label
from kg.ontology import load_ontology
from kg.rdf import to_graphs
from kg.records import (
    Authorization,
    Clause,
    DocumentRecords,
    Evaluation,
    Indicator,
    Item,
    Marks,
    Observation,
    Opinion,
    OverallEvaluation,
    Period,
    ProvisionRef,
    Span,
    Statute,
    SummaryGrade,
    Target,
)
from kg.sources import Publisher, SourceDocument
from kg.store import PREFIXES, to_oxigraph
from kg.text import egov_law_id

FORMATS = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}
"""Output formats by file extension: both keep the named graphs."""

DEFAULT_YEARS = (2021, 2025)
"""The fiscal years made by default: a five-year goal period, as J-LIS's first."""

GOAL_YEARS = (3, 5)
"""A mid-term goal period lasts three to five years (番号利用法第38条の8第1項)."""

# --- word lists -------------------------------------------------------------------------------

_TOPICS = {
    "I": (
        "証明書発行", "窓口受付", "オンライン申請", "住民向け相談", "電子証明書更新", "本人確認",
        "カード交付", "データ連携", "利用者支援", "手続案内", "記録管理", "照会対応",
        "交付通知", "暗証番号再設定", "広域連携", "スマートフォン対応",
    ),
    "II": ("組織体制", "調達", "経費管理", "業務改善", "働き方改革", "外部委託"),
    "III": ("人材育成", "事務処理", "個人情報保護", "情報セキュリティ", "情報公開", "内部統制",
            "危機管理"),
}  # fmt: skip
_ITEMS_PER_CATEGORY = {"I": 11, "II": 3, "III": 5}
_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ"}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨"
_ASPECTS = ("推進", "充実", "運営", "強化", "効率化", "確保", "高度化", "安定化", "見直し")
_MODIFIERS = ("安全かつ安定的な", "効率的かつ効果的な", "円滑かつ確実な", "迅速かつ正確な",
              "計画的な", "継続的な", "適正な", "着実な")  # fmt: skip
_GOAL_ENDS = ("運営を行うこと", "体制を整備すること", "改善を図ること", "充実を図ること",
              "取組を推進すること", "見直しを行うこと")  # fmt: skip
_MEASURES = ("関係機関との調整", "手順書の整備", "職員研修の実施", "システム改修",
             "点検及び監査", "利用者への周知", "運用状況の分析", "訓練の実施", "業務フローの見直し",
             "外部専門家による評価", "市区町村への説明会", "障害対応手順の確認")  # fmt: skip
_ANNUAL_VERBS = ("実施する", "行う", "進める", "完了する", "継続する")
_VIEW_ENDS = ("取組が行われたか", "体制が整備されたか", "改善が図られたか", "成果が得られたか")
_SYSTEMS = ("発行管理システム", "認証基盤システム", "受付管理システム", "連携基盤",
            "問合せ管理システム")  # fmt: skip
_REGIONS = ("東日本", "西日本", "北部", "南部", "中央", "沿岸", "山間", "都市", "湖東", "海南")
_FIELDS = ("情報システム", "行政サービス", "電子手続", "住民記録", "公的認証", "地域情報")
_POINTS = ("業務の安定的な運営に努めること", "情報セキュリティ対策を徹底すること",
           "利用者の利便性の向上に努めること", "経費の効率化に努めること")  # fmt: skip
_RESULTS = {
    "S": "所期の目標を量的及び質的に上回る顕著な成果が得られた",
    "A": "所期の目標を上回る成果が得られた",
    "B": "所期の目標を達成した",
    "C": "所期の目標を下回っており、改善を要する",
    "D": "所期の目標を下回っており、業務の抜本的な改善を要する",
}
_GRADES = "SABCD"
_SELF_GRADE_WEIGHTS = (5, 25, 60, 9, 1)  # S A B C D
_MINISTERS_LOWER = 0.05
"""How often the ministers grade an item one step lower than the body did."""


@dataclass(frozen=True)
class _Law:
    title: str
    short: str
    number: str

    def ref(self, article: str) -> ProvisionRef:
        return ProvisionRef(article, self.title, self.number, self.short)


# The statute whose articles the shapes check, and two laws items cite as legal basis.
_BANGO = _Law("行政手続における特定の個人を識別するための番号の利用等に関する法律", "番号利用法",
              "平成25年法律第27号")  # fmt: skip
_JPKI = _Law("電子署名等に係る地方公共団体情報システム機構の認証業務に関する法律",
             "公的個人認証法", "平成14年法律第153号")  # fmt: skip
_KIKO = _Law("地方公共団体情報システム機構法", "機構法", "平成25年法律第29号")
_LAWS = (_BANGO, _JPKI, _KIKO)
_LEGAL_BASES = ((_BANGO, "第16条の2"), (_JPKI, "第3条"), (_JPKI, "第18条"), (_JPKI, "第22条"),
                (_KIKO, "第22条"))  # fmt: skip
_DEFINING = {"goal": "第38条の8", "plan": "第38条の9", "annual": "第38条の10",
             "evaluation": "第38条の11"}  # fmt: skip


@dataclass(frozen=True)
class _Metric:
    """A kind of quantitative indicator: its wording, unit, comparator and possible targets."""

    name: str
    unit: str
    comparator: str
    targets: tuple[int | str, ...]
    kind: str  # "percent" (one value per system), "count", "days" (maximum and mean)


_METRICS = (
    _Metric("システム稼働率", "%", ">=", ("99.9", "99.5", "99"), "percent"),
    _Metric("年間応答率", "%", ">=", ("95", "90", "98"), "percent"),
    _Metric("処理に要した日数", "日", "<=", (14, 10, 7, 30), "days"),
    _Metric("研修の延べ参加人数", "人", ">=", (100, 200, 300, 500), "count"),
    _Metric("訓練の実施回数", "回", ">=", (2, 4, 6, 12), "count"),
    _Metric("月間処理件数", "件", ">=", (10000, 50000, 100000), "count"),
)
_QUANTITATIVE = 12
"""Quantitative indicators per body (J-LIS: 12)."""

# --- the content of one body --------------------------------------------------------------------


@dataclass(frozen=True)
class Years:
    """The fiscal years of the goal period, ``first`` to ``last`` inclusive."""

    first: int
    last: int

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.last + 1))

    def __len__(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class _ItemSpec:
    code: str
    category: str
    title: str
    topic: str
    legal_basis: tuple[tuple[_Law, str], ...]
    marks: Marks
    staffed: bool


@dataclass(frozen=True)
class _ClauseSpec:
    item: str
    text: str
    section: str | None = None
    up: int | None = None  # index into the list one level up


@dataclass(frozen=True)
class _ObservationSpec:
    value: Decimal
    text: str
    subject: str | None = None
    statistic: str | None = None


@dataclass(frozen=True)
class _IndicatorSpec:
    item: str
    label: str
    measures: tuple[int, ...]  # indices into the plan clauses
    metric: _Metric | None = None  # None: an evaluation viewpoint
    target: Decimal | None = None
    target_text: str = ""
    subjects: tuple[str, ...] = ()


@dataclass
class Body:
    """Everything made up about one body, before it is written as documents."""

    number: int
    publisher: Publisher
    years: Years
    rng: random.Random
    items: list[_ItemSpec]
    goals: list[_ClauseSpec] = field(default_factory=list)
    plans: list[_ClauseSpec] = field(default_factory=list)
    annual: dict[int, list[_ClauseSpec]] = field(default_factory=dict)
    indicators: list[_IndicatorSpec] = field(default_factory=list)
    grades: dict[tuple[str, int, str], str] = field(default_factory=dict)  # item, year, by
    overall: dict[tuple[int, str], str] = field(default_factory=dict)  # year, by
    staff: dict[tuple[str, int], int] = field(default_factory=dict)
    values: dict[tuple[int, int], list[_ObservationSpec]] = field(default_factory=dict)


def make_body(seed: int, number: int, years: Years) -> Body:
    """The items, clauses, indicators, grades and values of body ``number`` (1-based)."""
    rng = random.Random(f"plantrace-synth:{seed}:{number}")
    name = f"合成{rng.choice(_REGIONS)}{rng.choice(_FIELDS)}機構{number}"
    publisher = Publisher(f"body{number:04d}", name, f"Synthetic public body {number}")
    body = Body(number, publisher, years, rng, _items(rng))
    _goals_and_plans(body)
    for year in years:
        body.annual[year] = _annual_clauses(body, year)
    _indicators(body)
    _grades(body)
    _values(body)
    return body


def _unique(seen: set[str], make: Iterable[str]) -> str:
    """The first text from ``make`` not in ``seen`` (numbered after a few tries), remembered."""
    text = ""
    for _, text in zip(range(8), make, strict=False):
        if text not in seen:
            break
    while text in seen:
        text = f"{text}（{len(seen)}）"
    seen.add(text)
    return text


def _endless(rng: random.Random, *choices: Sequence[str]) -> Iterator[tuple[str, ...]]:
    while True:
        yield tuple(rng.choice(c) for c in choices)


def _items(rng: random.Random) -> list[_ItemSpec]:
    items = []
    for category, count in _ITEMS_PER_CATEGORY.items():
        topics = rng.sample(_TOPICS[category], count)
        for n, topic in enumerate(topics, start=1):
            basis: tuple[tuple[_Law, str], ...] = ()
            if category == "I":
                basis = tuple(rng.sample(_LEGAL_BASES, rng.randint(1, 2)))
            marks = Marks(rng.random() < 0.3, rng.random() < 0.2, rng.random() < 0.15)
            title = f"{topic}の{rng.choice(_ASPECTS)}"
            items.append(
                _ItemSpec(f"{category}-{n}", category, title, topic, basis, marks, category == "I")
            )
    return items


def _section(item: _ItemSpec, k: int) -> str:
    """A section number as such documents print it: ``Ⅲ．１．①``."""
    number = item.code.split("-")[1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"{_ROMAN[item.category]}．{number}．{_CIRCLED[k % len(_CIRCLED)]}"


def _goals_and_plans(body: Body) -> None:
    """About two goal clauses per item, each implemented by one plan clause (now and then two)."""
    rng = body.rng
    for item in body.items:
        seen: set[str] = set()
        for k in range(rng.choice((1, 1, 2, 2, 2, 3, 3))):
            words = _endless(rng, _ASPECTS, _MODIFIERS, _GOAL_ENDS)
            text = _unique(seen, (f"○{item.topic}の{a}について、{m}{e}。" for a, m, e in words))
            body.goals.append(_ClauseSpec(item.code, text, _section(item, k)))
            goal = len(body.goals) - 1
            for _ in range(2 if rng.random() < 0.15 else 1):
                words = _endless(rng, _ASPECTS, _MODIFIERS, _MEASURES)
                text = _unique(
                    seen,
                    (f"○{item.topic}の{a}を図るため、{m}{x}を行う。" for a, m, x in words),
                )  # fmt: skip
                body.plans.append(_ClauseSpec(item.code, text, _section(item, k), goal))


def _annual_clauses(body: Body, year: int) -> list[_ClauseSpec]:
    """Most plan clauses get an annual clause for ``year``; every item's first one does."""
    rng, label = body.rng, fiscal_year_label(year)
    clauses, seen, done = [], set[str](), set[str]()
    for n, plan in enumerate(body.plans):
        if plan.item in done and rng.random() < 0.12:
            continue
        done.add(plan.item)
        topic = next(i.topic for i in body.items if i.code == plan.item)
        words = _endless(rng, _ASPECTS, _MEASURES, _ANNUAL_VERBS)
        text = _unique(seen, (f"○{label}は、{topic}の{a}に向け、{x}を{v}。" for a, x, v in words))
        clauses.append(_ClauseSpec(plan.item, text, plan.section, n))
    return clauses


def _indicators(body: Body) -> None:
    """About 1.8 evaluation viewpoints per item, and 12 quantitative indicators with targets."""
    rng = body.rng
    plans_of = {
        i.code: [n for n, p in enumerate(body.plans) if p.item == i.code] for i in body.items
    }
    seen: dict[str, set[str]] = {i.code: set() for i in body.items}
    for item in body.items:
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            words = _endless(rng, _ASPECTS, _MODIFIERS, _VIEW_ENDS)
            label = _unique(
                seen[item.code],
                (f"{item.topic}の{a}について、{m}{e}。" for a, m, e in words),
            )  # fmt: skip
            measures = rng.sample(plans_of[item.code], min(2, len(plans_of[item.code])))
            body.indicators.append(_IndicatorSpec(item.code, label, tuple(sorted(measures))))
    weights = [3 if i.category == "I" else 1 for i in body.items]
    for item in rng.choices(body.items, weights, k=_QUANTITATIVE):
        metric = rng.choice(_METRICS)
        label = _unique(
            seen[item.code],
            (f"{s}の{metric.name}" for (s,) in _endless(rng, (item.topic, *_SYSTEMS))),
        )  # fmt: skip
        ending = "以上" if metric.comparator == ">=" else "以内"
        # a target is named by its text within the item: prefer one the item has not used
        free = [t for t in metric.targets if f"{t}{metric.unit}{ending}" not in seen[item.code]]
        target = Decimal(str(rng.choice(free or metric.targets)))
        seen[item.code].add(f"{target}{metric.unit}{ending}")
        subjects = tuple(rng.sample(_SYSTEMS, 2)) if metric.kind == "percent" else ()
        body.indicators.append(
            _IndicatorSpec(
                item.code, label, (rng.choice(plans_of[item.code]),), metric, target,
                f"{target}{metric.unit}{ending}", subjects,
            )
        )  # fmt: skip


def _grades(body: Body) -> None:
    """Self grades (mostly B), the ministers' (now and then one lower), overall grades, staff."""
    rng = body.rng
    for year in body.years:
        for item in body.items:
            own = rng.choices(_GRADES, _SELF_GRADE_WEIGHTS)[0]
            theirs = own
            if own != "D" and rng.random() < _MINISTERS_LOWER:
                theirs = _GRADES[_GRADES.index(own) + 1]
            body.grades[item.code, year, "self"] = own
            body.grades[item.code, year, "ministerial"] = theirs
            if item.staffed:
                body.staff[item.code, year] = rng.randint(5, 60)
        for by in ("self", "ministerial"):
            body.overall[year, by] = _overall_grade(
                [body.grades[i.code, year, by] for i in body.items]
            )


def _overall_grade(grades: list[str]) -> str:
    """A when most items are A or S, C when any is D or several are C, else B."""
    if "D" in grades or grades.count("C") >= 3:
        return "C"
    return "A" if sum(g in "SA" for g in grades) * 2 > len(grades) else "B"


def _values(body: Body) -> None:
    """The observed values of each quantitative indicator and year: they meet the target unless
    both grades of the item and year are C or D (then they miss it)."""
    rng = body.rng
    for n, ind in enumerate(body.indicators):
        if ind.metric is None or ind.target is None:
            continue
        for year in body.years:
            missed = all(body.grades[ind.item, year, by] in "CD" for by in ("self", "ministerial"))
            body.values[n, year] = _observed(rng, ind, ind.metric, ind.target, missed)


def _observed(
    rng: random.Random, ind: _IndicatorSpec, metric: _Metric, target: Decimal, missed: bool
) -> list[_ObservationSpec]:
    unit = metric.unit
    if metric.kind == "percent":
        values = []
        for subject in ind.subjects:
            room = Decimal(str(round(rng.uniform(0.5, 5.0), 2)))
            hit = target + (Decimal(100) - target) * Decimal(str(round(rng.random(), 2)))
            value = (target - room if missed else hit).quantize(Decimal("0.01"))
            values.append(_ObservationSpec(value, f"{subject}：{value}{unit}", subject))
        return values
    if metric.kind == "days":
        limit = int(target)
        worst = limit + rng.randint(1, 10) if missed else rng.randint(max(1, limit // 2), limit)
        mean = rng.randint(1, worst)
        return [
            _ObservationSpec(Decimal(worst), f"最大{worst}{unit}", statistic="max"),
            _ObservationSpec(Decimal(mean), f"平均{mean}{unit}", statistic="mean"),
        ]
    factor = rng.uniform(0.5, 0.95) if missed else rng.uniform(1.0, 1.5)
    count = int(target * Decimal(str(round(factor, 3))))
    count = min(count, int(target) - 1) if missed else max(count, int(target))
    return [_ObservationSpec(Decimal(count), f"{ind.label}：{count}{unit}")]


# --- documents ----------------------------------------------------------------------------------


class _Lines:
    """Hands out the line ranges of one made-up document, in order, with small gaps."""

    def __init__(self, doc: str, rng: random.Random) -> None:
        self.doc, self.rng, self.next = doc, rng, 1

    def span(self, longest: int = 4) -> Span:
        start = self.next + self.rng.randint(0, 2)
        end = start + self.rng.randint(0, longest - 1)
        self.next = end + 1
        return Span(self.doc, start, end)


def _era(year: int) -> str:
    """``2021`` → ``令和3年`` (the fiscal-year label without 度)."""
    return fiscal_year_label(year).removesuffix("度")


def _source(body: Body, doc: str, kind: str, year: int, issued: str, title: str) -> SourceDocument:
    name = body.publisher.name_ja
    return SourceDocument(
        id=doc, file="", title_ja=f"{title}（{name}）",
        title_en=f"{kind} FY{year} of {body.publisher.name_en} (synthetic)",
        issuer=name, issued=issued, kind=kind, form="synthetic", fiscal_year=year,
        sha256="", publisher=body.publisher, path=Path(doc),
    )  # fmt: skip


def documents(body: Body) -> list[tuple[SourceDocument, DocumentRecords]]:
    """The body's documents and what they state: the board material (goal, plan, first annual
    plan, statutes), a self-evaluation report per year, the ministers' evaluation of the last."""
    docs = [_board_material(body)]
    docs += [_self_evaluation(body, year) for year in body.years]
    docs.append(_ministerial_evaluation(body))
    return docs


def _authorize(records: DocumentRecords, *subjects: tuple[str, int | None]) -> None:
    for subject, year in subjects:
        records.authorizations.append(Authorization(subject, _BANGO.ref(_DEFINING[subject]), year))


def _board_material(body: Body) -> tuple[SourceDocument, DocumentRecords]:
    rng, first, last = body.rng, body.years.first, body.years.last
    issued = date(first, 3, rng.randint(1, 28))
    doc = f"board-material-{issued.isoformat()}"
    lines, name = _Lines(doc, rng), body.publisher.name_ja
    records = DocumentRecords(doc, "board-material", first)
    points = [f"・{p}。" for p in rng.sample(_POINTS, 2)]
    opinion = f"〇{name}の中期計画及び{fiscal_year_label(first)}計画は適当である。"
    text = "\n".join([opinion, *points])
    records.opinions.append(
        Opinion(issued, text, lines.span(6), points, f"{name}経営審議委員会", f"{name}理事長")
    )
    for law in _LAWS:
        span = lines.span(2)
        number = egov_law_id(law.number)
        records.statutes.append(Statute(law.title, span, law.short, law.number, number, span))
    period = f"{_era(first)}4月1日から{_era(last + 1)}3月31日までの{len(body.years)}年間"
    records.periods.append(
        Period("goal", date(first, 4, 1), date(last + 1, 3, 31), period, lines.span(2))
    )
    for item in body.items:
        _sheet(body, records, lines, item, first, staff=False)
    _authorize(records, ("goal", None), ("plan", None), ("annual", first))
    title = f"経営審議委員会資料（{_era(issued.year)}{issued.month}月{issued.day}日）"
    return _source(body, doc, "board-material", first, issued.isoformat(), title), records


def _self_evaluation(body: Body, year: int) -> tuple[SourceDocument, DocumentRecords]:
    rng = body.rng
    doc = f"self-evaluation-fy{year}"
    lines = _Lines(doc, rng)
    records = DocumentRecords(doc, "self-evaluation-report", year)
    records.covers_goal_period = year >= body.years.last - 1
    records.overall.append(
        OverallEvaluation(year, body.overall[year, "self"], "self", lines.span())
    )
    for item in body.items:
        records.summary_grades.append(
            SummaryGrade(
                item.code, year, body.grades[item.code, year, "self"], "self", item.title,
                lines.span(3), item.marks,
                f"○{rng.choice(_MEASURES)}により、{item.topic}の{rng.choice(_ASPECTS)}を図った。",
            )
        )  # fmt: skip
    for item in body.items:
        _sheet(body, records, lines, item, year, staff=True)
        _grade(body, records, lines, item, year, "self")
    if year > body.years.first:
        _ministerial(body, records, lines, year - 1)
    _authorize(records, ("goal", None), ("plan", None), ("annual", year), ("evaluation", None))
    issued = date(year + 1, 6, rng.randint(15, 30)).isoformat()
    title = f"{fiscal_year_label(year)}自己評価書"
    return _source(body, doc, "self-evaluation-report", year, issued, title), records


def _ministerial_evaluation(body: Body) -> tuple[SourceDocument, DocumentRecords]:
    year = body.years.last
    doc = f"ministerial-evaluation-fy{year}"
    records = DocumentRecords(doc, "ministerial-evaluation", year)
    _ministerial(body, records, _Lines(doc, body.rng), year)
    _authorize(records, ("evaluation", None))
    issued = date(year + 1, 8, body.rng.randint(1, 31)).isoformat()
    title = f"{fiscal_year_label(year)}における業務の実績に関する評価"
    return _source(body, doc, "ministerial-evaluation", year, issued, title), records


def _ministerial(body: Body, records: DocumentRecords, lines: _Lines, year: int) -> None:
    grade = body.overall[year, "ministerial"]
    records.overall.append(OverallEvaluation(year, grade, "ministerial", lines.span()))
    for item in body.items:
        _grade(body, records, lines, item, year, "ministerial")


def _grade(
    body: Body, records: DocumentRecords, lines: _Lines, item: _ItemSpec, year: int, by: str
) -> None:
    grade = body.grades[item.code, year, by]
    rationale = f"{item.title}について、{body.rng.choice(_MEASURES)}等により、{_RESULTS[grade]}。"
    records.evaluations.append(
        Evaluation(item.code, year, grade, by, lines.span(6), item.marks, rationale)
    )


def _sheet(
    body: Body, records: DocumentRecords, lines: _Lines, item: _ItemSpec, year: int, *, staff: bool
) -> None:
    """One item as an item sheet prints it: the item, its goal, plan and annual clauses for
    ``year``, its indicators with targets and (in a report) the year's observed values."""
    basis = "、".join(f"{law.short}{article}" for law, article in item.legal_basis)
    records.items.append(
        Item(
            item.code, item.title, lines.span(2), item.category,
            related_policy=f"{item.topic}の推進", legal_basis=basis or None,
            staff={year: body.staff[item.code, year]} if staff and item.staffed else {},
            legal_basis_refs=[law.ref(article) for law, article in item.legal_basis],
        )
    )  # fmt: skip
    at: dict[tuple[str, int], int] = {}  # (level, index in the body's list) → record index
    levels = (("goal", body.goals), ("plan", body.plans), ("annual", body.annual[year]))
    for level, specs in levels:
        up_level = {"plan": "goal", "annual": "plan"}.get(level, "")
        for n, spec in enumerate(specs):
            if spec.item != item.code:
                continue
            up = None if spec.up is None else at[up_level, spec.up]
            annual = year if level == "annual" else None
            clause = Clause(level, item.code, spec.text, lines.span(), annual, spec.section)
            clause.implements = up
            records.clauses.append(clause)
            at[level, n] = len(records.clauses) - 1
    annual_of = {
        s.up: at["annual", n] for n, s in enumerate(body.annual[year]) if ("annual", n) in at
    }
    for n, ind in enumerate(body.indicators):
        if ind.item == item.code:
            _indicator(body, records, lines, ind, n, year, at, annual_of, staff)


def _indicator(
    body: Body,
    records: DocumentRecords,
    lines: _Lines,
    ind: _IndicatorSpec,
    n: int,
    year: int,
    at: dict[tuple[str, int], int],
    annual_of: dict[int | None, int],
    observed: bool,
) -> None:
    measures = [at["plan", p] for p in ind.measures]
    measures += [annual_of[p] for p in ind.measures if p in annual_of]
    span = lines.span(3)
    targets = []
    if ind.metric is not None and ind.target is not None:
        metric = ind.metric
        targets.append(Target(ind.target, metric.unit, metric.comparator, ind.target_text, span))
    records.indicators.append(
        Indicator(ind.item, ind.label, ind.metric is not None, span, measures, targets)
    )
    if not observed or ind.metric is None:
        return
    index = len(records.indicators) - 1
    for obs in body.values[n, year]:
        records.observations.append(
            Observation(index, year, obs.value, ind.metric.unit, obs.text, lines.span(2),
                        obs.subject, obs.statistic)
        )  # fmt: skip


# --- writing ------------------------------------------------------------------------------------


def parse_years(text: str) -> Years:
    """``"2021-2025"`` → the goal period's fiscal years; 3 to 5 of them (番号利用法第38条の8)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*", text)
    years = Years(int(m.group(1)), int(m.group(2))) if m else None
    if years is None or not GOAL_YEARS[0] <= len(years) <= GOAL_YEARS[1]:
        raise PlantraceError(
            f"--years {text}: expected FIRST-LAST fiscal years spanning "
            f"{GOAL_YEARS[0]} to {GOAL_YEARS[1]} years (a goal period), e.g. 2021-2025"
        )
    return years


def output_format(path: Path) -> ox.RdfFormat:
    """The format of the output file, by extension: TriG or N-Quads (named graphs kept)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PlantraceError(f"{path}: expected a file name ending in {' or '.join(FORMATS)}")
    return fmt


def body_graphs(seed: int, number: int, years: Years) -> tuple[list[Graph], Graph]:
    """Body ``number``'s document graphs, and the reference triples they use."""
    body = make_body(seed, number, years)
    graphs, reference = [], Graph(identifier=REFERENCE_GRAPH)
    for source, records in documents(body):
        made = to_graphs(source, records, store="SimpleMemory")  # written out once: no index
        graphs.append(made.document)
        reference += made.reference
    return graphs, reference


def _quads(graph: Graph) -> list[ox.Quad]:
    """The graph's triples as quads in its named graph, sorted (rdflib's order is not stable)."""
    name = to_oxigraph(graph.identifier)
    assert isinstance(name, ox.NamedNode)
    quads = [
        ox.Quad(
            cast(_Subject, to_oxigraph(s)), cast(ox.NamedNode, to_oxigraph(p)), to_oxigraph(o), name
        )
        for s, p, o in graph
    ]
    quads.sort(key=str)
    return quads


class Progress:
    """``synth: 12/100 bodies, 214,080 quads`` on one line of ``stream``, redrawn with ``\\r``
    at most ten times a second; nothing when disabled."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None) -> None:
        self.total, self.enabled = total, enabled
        self.stream = stream or sys.stderr
        self.shown = 0.0

    def update(self, done: int, quads: int) -> None:
        now = time.monotonic()
        if self.enabled and (done == self.total or now - self.shown >= 0.1):
            self.stream.write(f"\rsynth: {done}/{self.total} bodies, {quads:,} quads")
            self.stream.flush()
            self.shown = now

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class SynthSummary:
    """What was written."""

    path: Path
    bodies: int
    documents: int = 0
    quads: int = 0

    def render(self) -> str:
        return f"{self.path}: {self.bodies} bodies, {self.documents} documents, {self.quads} quads"


_NQ = ox.RdfFormat.N_QUADS
_Subject = ox.NamedNode | ox.BlankNode | ox.Triple


def body_nquads(task: tuple[int, int, Years]) -> tuple[bytes, bytes, int]:
    """Body ``(seed, number, years)`` as sorted N-Quads: its document graphs, its reference
    quads, and how many documents. Bytes, so that worker processes can hand them back."""
    seed, number, years = task
    graphs, reference = body_graphs(seed, number, years)
    documents = _nquads([q for g in graphs for q in _quads(g)])
    return documents, _nquads(_quads(reference)), len(graphs)


def _nquads(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=_NQ) or b""


def default_jobs() -> int:
    """Worker processes to use when not told: one per CPU."""
    return os.cpu_count() or 1


def _bodies(seed: int, bodies: int, years: Years, jobs: int) -> Iterator[tuple[bytes, bytes, int]]:
    """Every body in order, made by ``jobs`` worker processes (here when ``jobs`` is 1): each
    body depends only on its seed and number, so the output is the same for any ``jobs``."""
    tasks = ((seed, n, years) for n in range(1, bodies + 1))
    if jobs <= 1 or bodies == 1:
        yield from map(body_nquads, tasks)
        return
    with multiprocessing.Pool(min(jobs, bodies)) as pool:
        yield from pool.imap(body_nquads, tasks)


def dataset_quads(
    seed: int, bodies: int, years: Years, summary: SynthSummary, progress: Progress, jobs: int = 1
) -> Generator[ox.Quad, None, None]:
    """The ontology graph, then each body's graphs in turn; reference quads once each."""
    ontology = Graph(identifier=ONTOLOGY_GRAPH)
    ontology += to_canonical_graph(load_ontology())  # blank nodes named by content, not at random
    ontology_quads = _quads(ontology)
    summary.quads += len(ontology_quads)
    yield from ontology_quads
    written: set[bytes] = set()
    for number, (docs, reference, count) in enumerate(_bodies(seed, bodies, years, jobs), 1):
        summary.documents += count
        summary.quads += docs.count(b"\n")  # one quad a line; N-Quads escapes newlines in literals
        yield from ox.parse(docs, _NQ)
        new = [line for line in reference.splitlines() if line not in written]
        written.update(new)
        summary.quads += len(new)
        yield from ox.parse(b"\n".join(new), _NQ)
        progress.update(number, summary.quads)


def write_dataset(
    path: Path,
    bodies: int,
    seed: int = 0,
    years: Years = Years(*DEFAULT_YEARS),
    progress: Progress | None = None,
    jobs: int = 1,
) -> SynthSummary:
    """Write ``bodies`` synthetic bodies to ``path`` (.trig or .nq) using ``jobs`` processes;
    the file appears only when complete (written beside it, then renamed)."""
    fmt = output_format(path)
    if bodies < 1:
        raise PlantraceError(f"--bodies {bodies}: expected a number of bodies of at least 1")
    if jobs < 1:
        raise PlantraceError(f"--jobs {jobs}: expected a number of processes of at least 1")
    progress = progress or Progress(bodies, enabled=False)
    summary = SynthSummary(path, bodies)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    prefixes = PREFIXES if fmt == ox.RdfFormat.TRIG else None
    quads = dataset_quads(seed, bodies, years, summary, progress, jobs)
    try:
        ox.serialize(quads, str(tmp), fmt, prefixes=prefixes)
        os.replace(tmp, path)
    finally:
        quads.close()  # stops the worker processes if writing failed
        tmp.unlink(missing_ok=True)
        progress.close()
    return summary
