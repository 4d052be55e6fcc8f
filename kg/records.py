"""Typed records: what a parser reads from a document, before it becomes RDF.

Every record that states a fact carries the :class:`Span` it was read from, so every triple
derived from it can point back to the document and lines (docs/architecture.md, "Provenance").
Records identify the things they talk about by *keys* (item code, fiscal year, the matching key
of a clause's text); :mod:`kg.rdf` turns keys into IRIs, so two documents that read the same
clause produce the same node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Span:
    """Lines ``start``..``end`` (1-based, inclusive) of the source document ``doc``."""

    doc: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 1 or self.end < self.start:
            raise ValueError(f"bad span {self.doc}:{self.start}-{self.end}")

    def union(self, other: Span) -> Span:
        return Span(self.doc, min(self.start, other.start), max(self.end, other.end))


@dataclass
class Item:
    """An evaluation item (評価項目) and the basic information of its item sheet."""

    code: str
    title: str
    span: Span
    category: str = ""
    related_policy: str | None = None
    legal_basis: str | None = None
    staff: dict[int, int] = field(default_factory=dict)
    legal_basis_refs: list[ProvisionRef] = field(default_factory=list)  # set by the linker


@dataclass(frozen=True)
class Marks:
    """The marks printed beside a grade: ○ importance, underline difficulty, 重 priority."""

    importance_high: bool = False
    difficulty_high: bool = False
    priority: bool = False


@dataclass
class Evaluation:
    """A grade of one item for one fiscal year, by J-LIS (``self``) or the ministers."""

    item: str
    year: int
    grade: str
    by: str  # "self" | "ministerial"
    span: Span
    marks: Marks | None = None  # None: the document prints no marks beside this grade
    rationale: str | None = None


@dataclass
class OverallEvaluation:
    """The overall grade (総合評定) of a fiscal year."""

    year: int
    grade: str
    by: str  # "self" | "ministerial"
    span: Span


@dataclass
class Clause:
    """One clause of the mid-term goal, the mid-term plan or an annual plan.

    ``level`` is ``"goal"``, ``"plan"`` or ``"annual"``; ``year`` is set for annual clauses;
    ``implements`` is the index (in the same record list) of the clause one level up. The node a
    clause becomes is named from ``key`` when a linker set one, else from its text's match key,
    so the same clause read from two documents is one node.
    """

    level: str
    item: str  # evaluation item code ("I-1"); "" while a parser cannot tell (a linker fills it)
    text: str
    span: Span
    year: int | None = None
    section: str | None = None  # section number as printed ("Ⅲ．１．①"); None if not printed
    heading: str | None = None  # heading of the section the clause stands under, as printed
    implements: int | None = None
    key: str | None = None  # matching key set by the cross-document linker; None = from text
    note: str | None = None  # a note printed under the clause (e.g. ＜注：…＞), as printed
    targets: list[Target] = field(default_factory=list)  # the targets its text states
    restates: list[str] = field(default_factory=list)  # keys of further nodes it restates
    # (set by the linker where a document prints as one clause what another divides in two)


@dataclass
class Target:
    """A stated target, e.g. ``システム稼働率99.9%以上`` → value 99.9, unit %, comparator >=.

    ``text`` is the phrase as published; ``period`` the period a rate or count is taken over
    where printed (``1月当たり`` → ``"月"``); ``measure`` the name printed before the number
    (NFKC), used only to pair targets (:mod:`kg.ingest.targets`). ``refines`` holds the targets
    of the level above that this one elaborates, in the same document (set by the linker).
    """

    value: Decimal
    unit: str
    comparator: str
    text: str
    span: Span
    approximate: bool = False  # printed with 約 (about)
    period: str | None = None
    measure: str | None = None
    refines: list[Target] = field(default_factory=list)


@dataclass
class Indicator:
    """A quantitative indicator (主な定量的指標) or an evaluation viewpoint (評価の視点)."""

    item: str
    label: str
    quantitative: bool
    span: Span
    measures: list[int] = field(default_factory=list)  # indices into the clause list
    targets: list[Target] = field(default_factory=list)
    key: str | None = None  # matching key set by the cross-document linker; None = from label
    restates: list[str] = field(default_factory=list)  # as Clause.restates


@dataclass(frozen=True)
class Note:
    """Why something could not be done, for people, in Japanese and English."""

    ja: str
    en: str


@dataclass
class Achievement:
    """How an observation compares with a target (computed by :mod:`kg.achievement`).

    ``percent`` and ``target`` are set when the two could be compared; ``grade`` is the rubric
    band the percent falls in, when it can be told; ``note`` says why what is missing is.
    """

    target: Target | None = None
    percent: Decimal | None = None
    grade: str | None = None
    note: Note | None = None


@dataclass
class Observation:
    """An actual value reported for a quantitative indicator in one fiscal year."""

    indicator: int  # index into the indicator list
    year: int
    value: Decimal
    unit: str
    text: str
    span: Span
    subject: str | None = None
    statistic: str | None = None
    approximate: bool = False
    achievement: Achievement | None = None  # set by the linker


@dataclass
class ProvisionParagraph:
    """One paragraph (項) of an article; ``number`` 1 is the unnumbered first paragraph.

    Items (号 一, 二 … and イ, ロ …) stay in the paragraph's text, one per line.
    """

    number: int
    text: str
    span: Span


@dataclass
class Statute:
    """A law or ordinance as shown in statute excerpts (参照条文).

    ``title`` is the full title as printed; ``short_title`` (「以下「番号利用法」という」),
    ``law_number`` (「平成25年法律第27号」, as printed without the PDF's spaces) and
    ``citation_span`` come from where the document cites the title, when it does;
    ``egov_law_id`` is derived from the law number (:func:`kg.text.egov_law_id`).
    """

    title: str
    span: Span
    short_title: str | None = None
    law_number: str | None = None
    egov_law_id: str | None = None
    citation_span: Span | None = None


@dataclass
class Provision:
    """An article of a statute as excerpted; ``statute`` is an index into the statute list.

    ``label`` is the article number as printed (「第３８条の８」; NFKC it to compare),
    ``caption`` its heading (見出し) without parentheses, ``supplementary`` marks articles of
    the supplementary provisions (附則), ``text`` is the paragraphs' text joined by newlines.
    """

    statute: int
    label: str
    text: str
    span: Span
    caption: str | None = None
    supplementary: bool = False
    paragraphs: list[ProvisionParagraph] = field(default_factory=list)


@dataclass(frozen=True)
class ProvisionRef:
    """A citation of a statute provision, e.g. 公的個人認証法第18条第3項.

    The law is named by what the citation gives: its title and law number as printed where the
    text prints them, else its short title (略称). ``article`` is NFKC (「第18条」, 「第16条の2」);
    ``paragraph`` and ``item_number`` are 項 and 号 when cited. ``supplementary`` for 附則.
    """

    article: str
    law_title: str | None = None
    law_number: str | None = None
    short_title: str | None = None
    paragraph: int | None = None
    item_number: int | None = None
    supplementary: bool = False


@dataclass
class Authorization:
    """That a plan document or the evaluations of a document rest on a provision.

    ``subject`` is ``"goal"``, ``"plan"``, ``"annual"`` (with ``year``) or ``"evaluation"``.
    """

    subject: str
    ref: ProvisionRef
    year: int | None = None


@dataclass
class DocumentDate:
    """A date the document states about itself, e.g. ``role="opinion"`` (date of 意見書)."""

    role: str
    value: date
    text: str  # as printed
    span: Span


@dataclass
class Period:
    """A period the document states, e.g. ``subject="goal"`` for 中期目標の期間."""

    subject: str  # "goal" | "plan" | "annual"
    start: date
    end: date
    text: str  # as printed
    span: Span


@dataclass
class Opinion:
    """A committee opinion (意見書) on the proposals, with its date and its points (・)."""

    issued: date
    text: str  # the opinion's text (the 〇 paragraph and the points), as printed
    span: Span
    points: list[str] = field(default_factory=list)
    issuer: str | None = None
    addressee: str | None = None


@dataclass(frozen=True)
class AchievementBand:
    """One alternative of a grade's quantitative criterion, in percent of the target.

    ``minimum`` is inclusive and ``maximum`` exclusive (None: open); ``difficulty_high``
    when the alternative holds only for an item of high difficulty (困難度が高いもの);
    ``requires`` a further condition the numbers cannot show (質的に顕著な成果), as printed.
    """

    minimum: Decimal | None
    maximum: Decimal | None
    difficulty_high: bool = False
    requires: str | None = None


@dataclass
class GradeRubric:
    """One grade of a grading rubric (評定の基準) as printed: the grade and its criteria.

    ``quantitative`` is the criterion for quantitative indicators (定量的指標),
    ``qualitative`` the one for qualitative ones (定性的指標); None where the cell is a dash.
    ``bands`` are the percentages the quantitative criterion states
    (:mod:`kg.ingest.rubric`). A rubric lists its grades best first.
    """

    grade: str  # "S" … "D"
    span: Span
    quantitative: str | None = None
    qualitative: str | None = None
    bands: list[AchievementBand] = field(default_factory=list)


@dataclass
class SummaryGrade:
    """A grade as listed on a report's one-page summary of grades (e.g. 自己評価の概要).

    The same grade is stated again on the item's sheet (an :class:`Evaluation`); this record
    keeps the summary's own wording and place. ``highlights`` is its 主な成果等 text.
    """

    item: str
    year: int
    grade: str
    by: str  # "self" | "ministerial"
    title: str  # the item's title as printed in the summary
    span: Span
    marks: Marks = Marks()
    highlights: str | None = None


@dataclass
class Reference:
    """A pointer from an item to a part of another document, e.g. 令和３年度事業報告第３章三.

    ``target`` is the cited part as printed; ``document`` the kind of document it names, as
    printed (事業報告 / 事業報告書); ``year`` its fiscal year; ``chapter`` and ``section`` the
    part (第3章 → 3, section as printed: 三). A linker resolves it to a document and lines.
    """

    item: str
    text: str  # the whole phrase as printed (「（詳細は、…第３章三）」)
    target: str
    span: Span
    document: str = ""
    year: int | None = None
    chapter: int | None = None
    section: str | None = None
    resolved: str | None = None  # id of the cited document, set by the linker when it is known


@dataclass
class ParseNote:
    """Where a parser had to choose between readings of a garbled layout, and what it chose;
    the place to look when curating a fact by hand."""

    span: Span
    message: str
    item: str | None = None


@dataclass
class DocumentRecords:
    """Everything one parser read from one document."""

    doc: str
    kind: str
    year: int | None = None
    items: list[Item] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    overall: list[OverallEvaluation] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    statutes: list[Statute] = field(default_factory=list)
    provisions: list[Provision] = field(default_factory=list)
    dates: list[DocumentDate] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    opinions: list[Opinion] = field(default_factory=list)
    rubric: list[GradeRubric] = field(default_factory=list)
    summary_grades: list[SummaryGrade] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    notes: list[ParseNote] = field(default_factory=list)
    authorizations: list[Authorization] = field(default_factory=list)  # set by the linker
    covers_goal_period: bool = False  # the report also evaluates the whole goal period
    issues: frozenset[str] = frozenset()
    """What the document states in full, as the body's own statement of it (set by the parser
    from the document's kind): clause levels ("goal", "plan", "annual") and "indicator". A node
    of these that such a document does not restate is dropped (:mod:`kg.versions`); a report
    that quotes a plan drops nothing by leaving a clause out."""

    def fact_count(self) -> int:
        """How many facts were read: every record that states something (with a span)."""
        lists = (self.items, self.evaluations, self.overall, self.clauses, self.indicators,
                 self.observations, self.statutes, self.provisions, self.periods,
                 self.opinions, self.rubric, self.summary_grades, self.references)  # fmt: skip
        targets = sum(len(i.targets) for i in self.indicators)
        targets += sum(len(c.targets) for c in self.clauses)
        return sum(len(x) for x in lists) + targets
